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

/* The verdict the probe must give for freeing p (len bytes), from what the
 * test knows alone: the live blocks it holds, each of the power of two
 * that its length rounds up to (alignment 1). */
#define JL 48
static as_free_verdict expected_verdict(unsigned char *base, size_t cap, unsigned char **live,
                                        const size_t *len, const unsigned char *p, size_t plen)
{
    if (p < base || p >= base + cap)
        return AS_FREE_NOT_OWNED;
    for (size_t i = 0; i < JL; i++) {
        if (!live[i])
            continue;
        size_t size = BUDDY_MIN_BLOCK;
        while (size < len[i])
            size <<= 1;
        if (p == live[i])
            return plen == len[i] ? AS_FREE_OK : AS_FREE_WRONG_SIZE;
        if (p > live[i] && p < live[i] + size)
            return AS_FREE_NOT_OWNED;
    }
    return AS_FREE_DOUBLE; /* inside a free block: it was handed out and freed, or never */
}

/* Free verdicts (ok, wrong size, double free, invalid free) after every
 * step of random allocations and frees, for pointers at block starts,
 * inside blocks, inside free blocks and outside the buffer. */
static void test_free_verdicts(void **state)
{
    (void)state;
    const size_t cap = 64 * 1024;
    buddy *b = buddy_create(cap);
    as_instance in = buddy_instance(b);
    unsigned char *live[JL] = {0}, *base = NULL;
    size_t len[JL] = {0};
    void *first = as_alloc(in.a, 16, 0); /* the buffer starts at the first block of all */
    base = first;
    as_free(in.a, first, 16, 0);
    uint64_t seed = 5;
    size_t seen[AS_FREE_WRONG_SIZE + 1] = {0};
    for (int step = 0; step < 3000; step++) {
        size_t i = tk_rand(&seed) % JL;
        if (live[i]) {
            assert_int_equal(in.probe->judge_free(b, live[i], len[i], 0), AS_FREE_OK);
            unsigned char *gone = live[i];
            as_free(in.a, gone, len[i], 0);
            live[i] = NULL;
            assert_int_equal(in.probe->judge_free(b, gone, len[i], 0), AS_FREE_DOUBLE);
        } else {
            len[i] = 1 + tk_rand(&seed) % 3000;
            live[i] = as_alloc(in.a, len[i], 0);
        }
        assert_null(buddy_check(b));
        for (int q = 0; q < 8; q++) {
            size_t j = tk_rand(&seed) % JL;
            const unsigned char *p;
            size_t plen = tk_rand(&seed) % 2 && live[j] ? len[j] : 1 + tk_rand(&seed) % 3000;
            switch (q % 4) {
            case 0: p = live[j] ? live[j] : base + tk_rand(&seed) % cap; break;
            case 1: p = live[j] ? live[j] + 1 + tk_rand(&seed) % len[j] : base; break;
            case 2: p = base + (tk_rand(&seed) % (cap / 16)) * 16; break;
            default: p = tk_rand(&seed) % 2 ? base + cap + tk_rand(&seed) % 64 : base - 16; break;
            }
            as_free_verdict got = in.probe->judge_free(b, p, plen, 0);
            assert_int_equal(got, expected_verdict(base, cap, live, len, p, plen));
            seen[got]++;
        }
    }
    assert_true(seen[AS_FREE_OK] && seen[AS_FREE_WRONG_SIZE] && seen[AS_FREE_DOUBLE] && seen[AS_FREE_NOT_OWNED]);
    buddy_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_to_fit),
        cmocka_unit_test(test_freed_only_where_handed_out),
        cmocka_unit_test(test_merge_only_with_true_buddy),
        cmocka_unit_test(test_alignment_and_offsets),
        cmocka_unit_test(test_free_verdicts),
    };
    return cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
}
