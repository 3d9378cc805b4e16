/* test_freelist.c - the general-purpose free-list allocator: splitting,
 * coalescing, fit policies, alignment leads, fragmentation. */
#include "testkit.h"

static tk_view v;

typedef struct free_blocks {
    size_t off[64], size[64];
    size_t n;
} free_blocks;

static void collect(void *user, size_t off, size_t size)
{
    free_blocks *fb = user;
    fb->off[fb->n] = off;
    fb->size[fb->n++] = size;
}

static free_blocks frees_of(const freelist *f)
{
    free_blocks fb = {.n = 0};
    freelist_walk_free(f, collect, &fb);
    return fb;
}

static void test_split_and_coalesce_both_sides(void **state)
{
    freelist *f = freelist_create(1024, FREELIST_FIRST_FIT);
    as_allocator a = freelist_allocator(f);
    void *x = as_alloc(a, 32, 0), *y = as_alloc(a, 32, 0), *z = as_alloc(a, 32, 0);
    assert_int_equal((char *)y - (char *)x, 48); /* 16 header + 32 */
    assert_int_equal(freelist_free_blocks(f), 1);
    as_free(a, x, 32, 0);
    as_free(a, z, 32, 0); /* merges with the tail */
    assert_int_equal(freelist_free_blocks(f), 2);
    as_free(a, y, 32, 0); /* merges with both neighbours */
    assert_int_equal(freelist_free_blocks(f), 1);
    assert_int_equal(freelist_largest_free(f), 1024);
    assert_null(freelist_check(f));
    freelist_destroy(f);
}

static void test_no_split_when_remainder_too_small(void **state)
{
    freelist *f = freelist_create(128, FREELIST_FIRST_FIT);
    as_allocator a = freelist_allocator(f);
    /* 128 - (16 + 96) = 16 < 32: the whole block is handed out */
    void *x = as_alloc(a, 90, 0);
    assert_non_null(x);
    assert_int_equal(freelist_free_blocks(f), 0);
    as_instance in = freelist_instance(f);
    tk_inspect(&in, &v);
    assert_int_equal(v.spans[1].len, 90);
    /* the remainder is slack handed out with x, not alignment padding */
    assert_int_equal(v.spans[2].kind, AS_SPAN_SLACK);
    assert_ptr_equal(v.spans[2].block, x);
    assert_int_equal(v.spans[2].len, 128 - 16 - 90);
    as_usage u;
    as_usage_of(in.probe, in.a.ctx, &u);
    assert_int_equal(u.slack_bytes, 128 - 16 - 90);
    assert_int_equal(u.padding_bytes, 0);
    as_free(a, x, 90, 0);
    assert_int_equal(freelist_largest_free(f), 128);
    freelist_destroy(f);
}

/* Holes of 64, 160 and 96 payload bytes separated by live blocks. */
static freelist *holes(freelist_fit fit, void **keep)
{
    freelist *f = freelist_create(2048, fit);
    as_allocator a = freelist_allocator(f);
    void *h1 = as_alloc(a, 64, 0);
    keep[0] = as_alloc(a, 16, 0);
    void *h2 = as_alloc(a, 160, 0);
    keep[1] = as_alloc(a, 16, 0);
    void *h3 = as_alloc(a, 96, 0);
    keep[2] = as_alloc(a, 16, 0);
    as_free(a, h1, 64, 0);
    as_free(a, h2, 160, 0);
    as_free(a, h3, 96, 0);
    return f;
}

static void test_fit_policies(void **state)
{
    void *keep[3];
    freelist *ff = holes(FREELIST_FIRST_FIT, keep);
    free_blocks fb = frees_of(ff);
    unsigned char *base = (unsigned char *)keep[0] - 16 - 80; /* block 0 */
    unsigned char *p = as_alloc(freelist_allocator(ff), 80, 0);
    assert_ptr_equal(p, base + fb.off[1] + 16); /* first hole that fits: the 160 one */
    freelist_destroy(ff);

    freelist *bf = holes(FREELIST_BEST_FIT, keep);
    fb = frees_of(bf);
    base = (unsigned char *)keep[0] - 16 - 80;
    p = as_alloc(freelist_allocator(bf), 80, 0);
    assert_ptr_equal(p, base + fb.off[2] + 16); /* smallest that fits: the 96 one */
    assert_null(freelist_check(bf));
    freelist_destroy(bf);

    freelist *nf = holes(FREELIST_NEXT_FIT, keep);
    as_allocator a = freelist_allocator(nf);
    fb = frees_of(nf);
    base = (unsigned char *)keep[0] - 16 - 80;
    /* the rover stands after keep[2]: the free tail is searched first */
    p = as_alloc(a, 48, 0);
    assert_ptr_equal(p, base + fb.off[3] + 16);
    p = as_alloc(a, 48, 0); /* and the search goes on from there */
    assert_ptr_equal(p, base + fb.off[3] + 64 + 16);
    /* fill the tail; the next search wraps around to the first hole */
    assert_non_null(as_alloc(a, freelist_largest_free(nf) - 16, 0));
    p = as_alloc(a, 48, 0);
    assert_ptr_equal(p, base + fb.off[0] + 16);
    assert_null(freelist_check(nf));
    freelist_destroy(nf);
}

static void test_large_alignment_lead_and_front_split(void **state)
{
    freelist *f = freelist_create(8192, FREELIST_BEST_FIT);
    as_instance in = freelist_instance(f);
    unsigned char *a = as_alloc(in.a, 8, 0);
    unsigned char *b = as_alloc(in.a, 8, 5);  /* 32-aligned: a 16-byte lead */
    assert_int_equal((uintptr_t)b % 32, 0);
    unsigned char *c = as_alloc(in.a, 8, 10); /* 1024-aligned: front split off */
    assert_int_equal((uintptr_t)c % 1024, 0);
    assert_null(freelist_check(f));
    tk_inspect(&in, &v);
    as_free(in.a, b, 8, 5);
    as_free(in.a, c, 8, 10);
    as_free(in.a, a, 8, 0);
    assert_int_equal(freelist_free_blocks(f), 1);
    assert_null(freelist_check(f));
    freelist_destroy(f);
}

static void test_resize_in_place(void **state)
{
    freelist *f = freelist_create(1024, FREELIST_FIRST_FIT);
    as_allocator a = freelist_allocator(f);
    void *x = as_alloc(a, 32, 0);
    void *y = as_alloc(a, 32, 0);
    assert_false(as_resize(a, x, 32, 0, 64)); /* y is in the way */
    assert_true(as_resize(a, y, 32, 0, 500)); /* the free tail follows y */
    assert_true(as_resize(a, y, 500, 0, 16)); /* shrink gives the tail back */
    assert_int_equal(freelist_free_blocks(f), 1);
    assert_null(freelist_check(f));
    freelist_destroy(f);
}

static void test_checkerboard_fragmentation(void **state)
{
    freelist *f = freelist_create(100 * 80, FREELIST_FIRST_FIT);
    as_allocator a = freelist_allocator(f);
    void *p[100];
    for (int i = 0; i < 100; i++)
        assert_non_null(p[i] = as_alloc(a, 64, 3));
    for (int i = 0; i < 100; i += 2)
        as_free(a, p[i], 64, 3);
    assert_int_equal(freelist_free_bytes(f), 50 * 80);
    assert_null(as_alloc(a, 128, 3)); /* 4000 bytes free, none of it in one piece */
    assert_true(freelist_fragmentation(f) > 0.97);
    assert_int_equal(freelist_probe.judge_free(f, p[0], 64, 3), AS_FREE_DOUBLE);
    assert_int_equal(freelist_probe.judge_free(f, p[1], 64, 3), AS_FREE_OK);
    assert_int_equal(freelist_probe.judge_free(f, (char *)p[1] + 8, 64, 3), AS_FREE_NOT_OWNED);
    freelist_destroy(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_and_coalesce_both_sides),
        cmocka_unit_test(test_no_split_when_remainder_too_small),
        cmocka_unit_test(test_fit_policies),
        cmocka_unit_test(test_large_alignment_lead_and_front_split),
        cmocka_unit_test(test_resize_in_place),
        cmocka_unit_test(test_checkerboard_fragmentation),
    };
    return cmocka_run_group_tests_name("freelist", tests, NULL, NULL);
}
