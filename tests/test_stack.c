/* test_stack.c - the LIFO stack allocator of exercise 3. */
#include "testkit.h"

static tk_view v;
static int out_of_order_events;

static void on_event(void *user, const as_event *ev)
{
    if (ev->kind == AS_EV_OUT_OF_ORDER_FREE)
        out_of_order_events++;
}

static void test_reverse_order_frees_rewind(void **state)
{
    stack *s = stack_create(256);
    as_allocator a = stack_allocator(s);
    unsigned char *x = as_alloc(a, 5, 0);
    unsigned char *y = as_alloc(a, 16, 3);
    unsigned char *z = as_alloc(a, 7, 0);
    assert_ptr_equal(x, (unsigned char *)x); /* header of 8 before each block */
    assert_int_equal(stack_offset(s), (size_t)(z - x) + 8 + 7);
    assert_int_equal(stack_depth(s), 3);
    as_free(a, z, 7, 0);
    assert_int_equal(stack_offset(s), (size_t)(y - x) + 8 + 16);
    as_free(a, y, 16, 3);
    assert_int_equal(stack_offset(s), 8 + 5); /* padding and header gone too */
    as_free(a, x, 5, 0);
    assert_int_equal(stack_offset(s), 0);
    assert_null(stack_check(s));
    stack_destroy(s);
}

static void test_out_of_order_is_reported_and_ignored(void **state)
{
    stack *s = stack_create(256);
    as_instance in = stack_instance(s);
    stack_set_sink(s, (as_event_sink){on_event, NULL});
    out_of_order_events = 0;
    unsigned char *x = as_alloc(in.a, 8, 0);
    unsigned char *y = as_alloc(in.a, 8, 0);
    size_t before = stack_offset(s);
    assert_int_equal(in.probe->judge_free(s, x, 8, 0), AS_FREE_OUT_OF_ORDER);
    as_free(in.a, x, 8, 0);
    assert_int_equal(stack_offset(s), before);
    assert_int_equal(out_of_order_events, 1);
    assert_int_equal(stack_out_of_order_frees(s), 1);
    assert_int_equal(in.probe->judge_free(s, y, 8, 0), AS_FREE_OK);
    as_free(in.a, y, 8, 0);
    assert_int_equal(in.probe->judge_free(s, y, 8, 0), AS_FREE_DOUBLE);
    assert_null(stack_check(s));
    stack_destroy(s);
}

static void test_headers_are_metadata(void **state)
{
    stack *s = stack_create(64);
    as_instance in = stack_instance(s);
    assert_non_null(as_alloc(in.a, 3, 0));
    assert_non_null(as_alloc(in.a, 8, 3));
    tk_inspect(&in, &v);
    /* [hdr 0-8][live 8-11][pad 11-16][hdr 16-24][live 24-32][unused] */
    assert_int_equal(v.spans[0].kind, AS_SPAN_META);
    assert_int_equal(v.spans[0].meta, AS_META_HEADER);
    assert_int_equal(v.spans[1].kind, AS_SPAN_LIVE);
    assert_int_equal(v.spans[2].kind, AS_SPAN_PADDING);
    assert_int_equal(v.spans[2].len, 5);
    assert_int_equal(v.spans[3].kind, AS_SPAN_META);
    assert_int_equal(v.spans[4].offset, 24);
    stack_destroy(s);
}

static void test_resize_top_only(void **state)
{
    stack *s = stack_create(64);
    as_allocator a = stack_allocator(s);
    unsigned char *x = as_alloc(a, 8, 0);
    unsigned char *y = as_alloc(a, 8, 0);
    assert_false(as_resize(a, x, 8, 0, 4));
    assert_true(as_resize(a, y, 8, 0, 40));
    assert_false(as_resize(a, y, 40, 0, 49));
    assert_null(stack_check(s));
    stack_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reverse_order_frees_rewind),
        cmocka_unit_test(test_out_of_order_is_reported_and_ignored),
        cmocka_unit_test(test_headers_are_metadata),
        cmocka_unit_test(test_resize_top_only),
    };
    return cmocka_run_group_tests_name("stack", tests, NULL, NULL);
}
