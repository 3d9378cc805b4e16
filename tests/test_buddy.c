/* test_buddy.c - the buddy allocator: splitting, merging with the true
 * buddy only, offset % size == 0, and free memory shown as freed only
 * where a program had it. */
#include "testkit.h"

static tk_view v;

static size_t offset_of(buddy *b, void *p)
{
    tk_view *vv = &v;
    as_instance in = buddy_instance(b);
    tk_inspect(&in, vv);
    return (size_t)((unsigned char *)p - (const unsigned char *)vv->region_base[0]);
}

static void test_split_to_fit(void **state)
{
    buddy *b = buddy_create(1024);
    as_allocator a = buddy_allocator(b);
    void *x = as_alloc(a, 100, 0); /* a 128-byte block */
    assert_int_equal(offset_of(b, x), 0);
    assert_int_equal(buddy_free_bytes(b), 1024 - 128);
    void *y = as_alloc(a, 16, 0);
    assert_int_equal(offset_of(b, y), 128);
    assert_null(buddy_check(b));
    as_free(a, y, 16, 0);
    as_free(a, x, 100, 0);
    assert_int_equal(buddy_largest_free(b), 1024);
    assert_null(buddy_check(b));
    buddy_destroy(b);
}

static void test_merge_only_with_true_buddy(void **state)
{
    buddy *b = buddy_create(64);
    as_allocator a = buddy_allocator(b);
    void *p[4];
    for (int i = 0; i < 4; i++)
        p[i] = as_alloc(a, 16, 0);
    assert_null(as_alloc(a, 1, 0));
    as_free(a, p[1], 16, 0);
    as_free(a, p[2], 16, 0); /* 16 and 32 are adjacent but not buddies */
    assert_int_equal(buddy_largest_free(b), 16);
    as_free(a, p[0], 16, 0); /* 0 + 16 merge to 32 at 0 */
    assert_int_equal(buddy_largest_free(b), 32);
    as_free(a, p[3], 16, 0);
    assert_int_equal(buddy_largest_free(b), 64);
    assert_null(buddy_check(b));
    buddy_destroy(b);
}

static void test_alignment_and_offsets(void **state)
{
    buddy *b = buddy_create(1 << 16);
    as_instance in = buddy_instance(b);
    uint64_t seed = 7;
    for (int i = 0; i < 200; i++) {
        size_t len = 1 + tk_rand(&seed) % 300;
        uint8_t al = (uint8_t)(tk_rand(&seed) % 10);
        unsigned char *p = as_alloc(in.a, len, al);
        if (p == NULL)
            break;
        assert_int_equal((uintptr_t)p % ((uintptr_t)1 << al), 0);
    }
    tk_inspect(&in, &v);
    size_t off = 0;
    for (size_t i = 0; i < v.count; i++) {
        if (v.spans[i].kind != AS_SPAN_LIVE)
            continue;
        size_t size = 16;
        while (size < v.spans[i].len)
            size <<= 1;
        assert_int_equal(v.spans[i].offset % size, 0);
        off++;
    }
    assert_true(off > 0);
    assert_null(buddy_check(b));
    assert_null(buddy_create(1000)); /* not a power of two */
    buddy_destroy(b);
}

/* The kind of the byte at off, from the spans. */
static as_span_kind kind_at(buddy *b, size_t off)
{
    as_instance in = buddy_instance(b);
    tk_inspect(&in, &v);
    for (size_t i = 0; i < v.count; i++)
        if (off >= v.spans[i].offset && off < v.spans[i].offset + v.spans[i].len)
            return v.spans[i].kind;
    fail_msg("no span covers %zu", off);
    return AS_SPAN_KIND_COUNT;
}

static void test_freed_only_where_handed_out(void **state)
{
    buddy *b = buddy_create(1024);
    as_allocator a = buddy_allocator(b);
    void *x = as_alloc(a, 20, 0);  /* [0, 32): splits leave [32, 64), [64, 128), ... free */
    void *y = as_alloc(a, 200, 0); /* [256, 512) */
    assert_int_equal(offset_of(b, y), 256);
    /* the halves the splits left were never handed out: unused, not freed */
    assert_int_equal(kind_at(b, 50), AS_SPAN_UNUSED);
    assert_int_equal(kind_at(b, 100), AS_SPAN_UNUSED);
    assert_int_equal(kind_at(b, 32), AS_SPAN_META); /* its free-list links */
    /* the rounding up to a power of two is slack, handed out with the block */
    assert_int_equal(kind_at(b, 19), AS_SPAN_LIVE);
    assert_int_equal(kind_at(b, 20), AS_SPAN_SLACK);
    assert_int_equal(kind_at(b, 31), AS_SPAN_SLACK);
    assert_int_equal(kind_at(b, 456), AS_SPAN_SLACK);
    as_free(a, x, 20, 0);          /* merges up with [32, 64) and [64, 128) ... into [0, 256) */
    assert_int_equal(kind_at(b, 0), AS_SPAN_META);
    assert_int_equal(kind_at(b, 20), AS_SPAN_FREED);  /* x's bytes */
    assert_int_equal(kind_at(b, 31), AS_SPAN_FREED);
    assert_int_equal(kind_at(b, 32), AS_SPAN_UNUSED); /* never handed out, merged or not */
    assert_int_equal(kind_at(b, 200), AS_SPAN_UNUSED);
    as_free(a, y, 200, 0);
    assert_int_equal(kind_at(b, 300), AS_SPAN_FREED);
    assert_int_equal(kind_at(b, 600), AS_SPAN_UNUSED);
    as_instance in = buddy_instance(b);
    assert_true(in.probe->reset(b, AS_RESET_FREE_ALL, 0));
    assert_int_equal(kind_at(b, 20), AS_SPAN_UNUSED); /* a reset forgets it all */
    assert_int_equal(kind_at(b, 300), AS_SPAN_UNUSED);
    buddy_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_to_fit),
        cmocka_unit_test(test_freed_only_where_handed_out),
        cmocka_unit_test(test_merge_only_with_true_buddy),
        cmocka_unit_test(test_alignment_and_offsets),
    };
    return cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
}
