/* test_counting.c - the counting wrapper of exercise 2. */
#include "testkit.h"

static void test_counts_forwarded_calls(void **state)
{
    freelist *f = freelist_create(4096, FREELIST_FIRST_FIT);
    counting *c = counting_create(freelist_instance(f));
    as_allocator a = counting_allocator(c);
    void *x = as_alloc(a, 100, 3);
    void *y = as_alloc(a, 200, 3);
    assert_true(as_resize(a, y, 200, 3, 300));
    as_free(a, x, 100, 3);
    assert_non_null(as_alloc(a, 50, 0));
    assert_null(as_alloc(a, 100000, 0));
    counting_stats st = counting_get_stats(c);
    assert_int_equal(st.alloc_calls, 4);
    assert_int_equal(st.failed_allocs, 1);
    assert_int_equal(st.resize_calls, 1);
    assert_int_equal(st.free_calls, 1);
    assert_int_equal(st.active_allocations, 2);
    assert_int_equal(st.current_bytes, 350);
    assert_int_equal(st.peak_bytes, 400);
    /* it really forwarded: the freelist holds exactly these blocks */
    as_usage u;
    as_usage_of(&counting_probe, c, &u);
    assert_int_equal(u.live_blocks, 2);
    assert_int_equal(u.live_bytes, 350);
    assert_null(counting_probe.check(c));
    counting_destroy(c);
    freelist_destroy(f);
}

static void test_reset_through_wrapper(void **state)
{
    bump *b = bump_create(1024);
    counting *c = counting_create(bump_instance(b));
    as_allocator a = counting_allocator(c);
    as_alloc(a, 100, 0);
    assert_true(counting_probe.reset(c, AS_RESET_FREE_ALL, 0));
    assert_int_equal(bump_offset(b), 0);
    assert_int_equal(counting_get_stats(c).current_bytes, 0);
    assert_int_equal(counting_get_stats(c).peak_bytes, 100);
    counting_destroy(c);
    bump_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_forwarded_calls),
        cmocka_unit_test(test_reset_through_wrapper),
    };
    return cmocka_run_group_tests_name("counting", tests, NULL, NULL);
}
