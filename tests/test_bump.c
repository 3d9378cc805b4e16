/* test_bump.c - the bump allocator: the tutorial's program and exercise 1. */
#include "testkit.h"

static tk_view v;

static void test_tutorial_program(void **state)
{
    bump *b = bump_create(4096);
    as_allocator a = bump_allocator(b);
    uint32_t *nums = as_alloc(a, 10 * sizeof(uint32_t), 2);
    char *msg = as_alloc(a, 32, 0);
    assert_non_null(nums);
    assert_ptr_equal((unsigned char *)nums, bump_base(b));
    assert_ptr_equal((unsigned char *)msg, bump_base(b) + 40);
    assert_int_equal(bump_offset(b), 72);
    assert_int_equal(bump_allocations(b), 2);
    bump_reset(b);
    assert_int_equal(bump_offset(b), 0);
    assert_null(bump_check(b));
    bump_destroy(b);
}

static void test_padding_is_reported(void **state)
{
    bump *b = bump_create(64);
    as_instance in = bump_instance(b);
    assert_non_null(as_alloc(in.a, 1, 0));
    unsigned char *p = as_alloc(in.a, 8, 3);
    assert_ptr_equal(p, bump_base(b) + 8);
    tk_inspect(&in, &v);
    assert_int_equal(v.count, 4);
    assert_int_equal(v.spans[1].kind, AS_SPAN_PADDING);
    assert_int_equal(v.spans[1].offset, 1);
    assert_int_equal(v.spans[1].len, 7);
    assert_int_equal(v.spans[3].kind, AS_SPAN_UNUSED);
    bump_destroy(b);
}

static void test_free_is_a_noop(void **state)
{
    bump *b = bump_create(64);
    as_instance in = bump_instance(b);
    unsigned char *p = as_alloc(in.a, 10, 0);
    as_free(in.a, p, 10, 0);
    assert_int_equal(bump_offset(b), 10);
    assert_int_equal(in.probe->judge_free(b, p, 10, 0), AS_FREE_NOOP);
    tk_inspect(&in, &v);
    assert_int_equal(v.spans[0].kind, AS_SPAN_FREED);
    bump_destroy(b);
}

/* The tutorial's main text: "Bump allocator can't resize in general". */
static void test_plain_bump_never_resizes(void **state)
{
    (void)state;
    bump *b = bump_create(100);
    as_allocator a = bump_allocator(b);
    /* the default, with nothing asked */
    assert_int_equal(bump_get_resize(b), BUMP_RESIZE_NEVER);
    assert_int_equal(BUMP_DEFAULT_RESIZE, BUMP_RESIZE_NEVER);
    assert_string_equal(bump_resize_name(bump_get_resize(b)), "never");
    unsigned char *y = as_alloc(a, 10, 0);
    assert_false(as_resize(a, y, 10, 0, 50)); /* the most recent, yet no */
    assert_false(as_resize(a, y, 10, 0, 5));  /* nor smaller */
    assert_int_equal(bump_offset(b), 10);
    /* realloc falls back to allocate + copy (free is a no-op): what an
     * ArrayList does on the main text's allocator */
    unsigned char *z = as_realloc(a, y, 10, 0, 50);
    assert_ptr_equal(z, y + 10);
    assert_int_equal(bump_offset(b), 60);
    bump_destroy(b);
}

/* Exercise 1: resize for the most recent allocation. */
static void test_resize_most_recent_only(void **state)
{
    bump *b = bump_create(100);
    as_allocator a = bump_allocator(b);
    bump_set_resize(b, BUMP_RESIZE_LAST);
    assert_string_equal(bump_resize_name(bump_get_resize(b)), "last");
    unsigned char *x = as_alloc(a, 10, 0);
    unsigned char *y = as_alloc(a, 10, 0);
    assert_false(as_resize(a, x, 10, 0, 20));   /* not the most recent */
    assert_false(as_resize(a, x, 10, 0, 5));    /* not even shrinking */
    assert_true(as_resize(a, y, 10, 0, 50));    /* grow within the buffer */
    assert_int_equal(bump_offset(b), 60);
    assert_false(as_resize(a, y, 50, 0, 91));   /* past the end */
    assert_true(as_resize(a, y, 50, 0, 90));    /* exactly to the end */
    assert_true(as_resize(a, y, 90, 0, 1));     /* shrink always */
    assert_int_equal(bump_offset(b), 11);
    assert_null(bump_check(b));
    bump_destroy(b);
}

static void test_exact_fit_and_oom(void **state)
{
    bump *b = bump_create(100);
    as_allocator a = bump_allocator(b);
    assert_non_null(as_alloc(a, 100, 0));
    assert_null(as_alloc(a, 1, 0));
    assert_int_equal(bump_offset(b), 100);
    bump_reset(b);
    assert_non_null(as_alloc(a, 3, 0));
    assert_null(as_alloc(a, 97, 2)); /* 3 -> 4 + 97 = 101 */
    assert_int_equal(bump_offset(b), 3);
    bump_destroy(b);
}

static void test_without_ledger(void **state)
{
    bump *b = bump_create(64);
    bump_set_ledger(b, false);
    as_instance in = bump_instance(b);
    assert_non_null(as_alloc(in.a, 5, 0));
    assert_non_null(as_alloc(in.a, 8, 3));
    tk_inspect(&in, &v);
    assert_int_equal(v.count, 2);
    assert_int_equal(v.spans[0].len, 16);
    bump_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tutorial_program),  cmocka_unit_test(test_padding_is_reported),
        cmocka_unit_test(test_free_is_a_noop),    cmocka_unit_test(test_resize_most_recent_only),
        cmocka_unit_test(test_exact_fit_and_oom), cmocka_unit_test(test_without_ledger),
        cmocka_unit_test(test_plain_bump_never_resizes),
    };
    return cmocka_run_group_tests_name("bump", tests, NULL, NULL);
}
