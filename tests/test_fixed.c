/* test_fixed.c - Zig's FixedBufferAllocator semantics. */
#include "testkit.h"

static tk_view v;

static void test_free_last_rewinds_but_keeps_padding(void **state)
{
    fixed *f = fixed_create(256);
    as_instance in = fixed_instance(f);
    unsigned char *a = as_alloc(in.a, 3, 0);
    unsigned char *b = as_alloc(in.a, 16, 3); /* 5 bytes of padding before it */
    assert_int_equal(b - a, 8);
    assert_int_equal(fixed_end_index(f), 24);
    as_free(in.a, b, 16, 3);
    assert_int_equal(fixed_end_index(f), 8); /* padding stays consumed */
    tk_inspect(&in, &v);
    assert_int_equal(v.spans[1].kind, AS_SPAN_PADDING);
    assert_int_equal(v.spans[1].offset, 3);
    assert_int_equal(v.spans[1].len, 5);
    assert_null(fixed_check(f));
    fixed_destroy(f);
}

static void test_free_other_does_nothing(void **state)
{
    fixed *f = fixed_create(256);
    as_instance in = fixed_instance(f);
    unsigned char *a = as_alloc(in.a, 10, 0);
    assert_non_null(as_alloc(in.a, 10, 0));
    assert_int_equal(in.probe->judge_free(f, a, 10, 0), AS_FREE_KEPT);
    as_free(in.a, a, 10, 0);
    assert_int_equal(fixed_end_index(f), 20);
    assert_int_equal(in.probe->judge_free(f, a, 10, 0), AS_FREE_DOUBLE);
    fixed_destroy(f);
}

static void test_resize_rules(void **state)
{
    fixed *f = fixed_create(64);
    as_allocator al = fixed_allocator(f);
    unsigned char *a = as_alloc(al, 10, 0);
    unsigned char *b = as_alloc(al, 10, 0);
    assert_true(as_resize(al, a, 10, 0, 4));   /* shrink another: ok, nothing reclaimed */
    assert_int_equal(fixed_end_index(f), 20);
    assert_false(as_resize(al, a, 4, 0, 12));  /* grow another: fails */
    assert_true(as_resize(al, b, 10, 0, 44));  /* grow the last */
    assert_int_equal(fixed_end_index(f), 54);
    assert_false(as_resize(al, b, 44, 0, 55)); /* 10 + 55 > 64 */
    assert_true(as_resize(al, b, 44, 0, 2));
    assert_int_equal(fixed_end_index(f), 12);
    assert_ptr_equal(al.vtable->remap(f, b, 2, 0, 30, 0), b);
    assert_true(fixed_owns(f, a) && !fixed_owns(f, a + 64));
    assert_null(fixed_check(f));
    fixed_destroy(f);
}

static void test_growing_list_and_reset(void **state)
{
    fixed *f = fixed_create(1024);
    as_allocator al = fixed_allocator(f);
    size_t cap = 0, len = 0;
    uint32_t *items = NULL;
    for (uint32_t i = 0; i < 20; i++) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            uint32_t *grown = as_realloc(al, items, cap * 4, 2, ncap * 4);
            assert_non_null(grown);
            if (items)
                assert_ptr_equal(grown, items); /* the only block: grows in place */
            items = grown;
            cap = ncap;
        }
        items[len++] = i * 3;
    }
    assert_int_equal(items[19], 57);
    assert_int_equal(fixed_end_index(f), 32 * 4);
    fixed_reset(f);
    assert_int_equal(fixed_end_index(f), 0);
    assert_ptr_equal(as_alloc(al, 64, 0), (void *)items);
    fixed_destroy(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_last_rewinds_but_keeps_padding),
        cmocka_unit_test(test_free_other_does_nothing),
        cmocka_unit_test(test_resize_rules),
        cmocka_unit_test(test_growing_list_and_reset),
    };
    return cmocka_run_group_tests_name("fixed", tests, NULL, NULL);
}
