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

/* Over 256 MiB (what a 4-level position index covered) a block beyond the
 * first top-level word was invisible: `new freelist 300M`, `alloc 256M`,
 * `alloc 16` said out of memory with 44 MiB free, and freeing the first
 * block left two adjacent free blocks. */
static void test_beyond_256_mib(void **state)
{
    (void)state;
    for (freelist_fit fit = FREELIST_FIRST_FIT; fit <= FREELIST_NEXT_FIT; fit++) {
        freelist *f = freelist_create((size_t)300 << 20, fit);
        assert_non_null(f);
        as_allocator a = freelist_allocator(f);
        void *big = as_alloc(a, (size_t)256 << 20, 0);
        assert_non_null(big);
        void *small = as_alloc(a, 16, 0);
        assert_non_null(small);
        assert_true((char *)small > (char *)big);
        assert_null(freelist_check(f));
        a.vtable->free(a.ctx, big, (size_t)256 << 20, 0, 0); /* no poisoning of 256 MiB */
        assert_null(freelist_check(f));
        as_free(a, small, 16, 0);
        assert_null(freelist_check(f));
        assert_int_equal(freelist_free_blocks(f), 1);
        assert_int_equal(freelist_largest_free(f), (size_t)300 << 20);
        freelist_destroy(f);
    }
}

/* Random allocations, frees and resizes of up to 96 MiB on the largest
 * buffer a session accepts (1 GiB), each fit, the allocator's check after
 * every step. An unaligned request must succeed exactly when a free block
 * can hold it (16-byte header + the length rounded to 16), and live
 * blocks must never overlap. */
#define BIG_HEAP ((size_t)1 << 30)
#define BIG_LIVE 64
/* The allocator's own free, without as_free's poisoning of the payload:
 * filling gigabytes would make the test slow and its memory resident. */
static void raw_free(as_allocator a, void *mem, size_t len)
{
    a.vtable->free(a.ctx, mem, len, 0, 0);
}

static void test_property_at_the_largest_size(void **state)
{
    (void)state;
    for (freelist_fit fit = FREELIST_FIRST_FIT; fit <= FREELIST_NEXT_FIT; fit++) {
        freelist *f = freelist_create(BIG_HEAP, fit);
        assert_non_null(f);
        as_allocator a = freelist_allocator(f);
        char *live[BIG_LIVE] = {0};
        size_t len[BIG_LIVE] = {0};
        uint64_t seed = 1234 + fit;
        size_t failed = 0, made = 0;
        for (int step = 0; step < 3000; step++) {
            size_t i = tk_rand(&seed) % BIG_LIVE;
            unsigned op = (unsigned)(tk_rand(&seed) % 4);
            size_t n = tk_rand(&seed) % 2 ? 1 + tk_rand(&seed) % ((size_t)96 << 20)
                                          : 1 + tk_rand(&seed) % 4096;
            if (live[i] == NULL) {
                size_t need = ((n + 15) & ~(size_t)15) + FREELIST_HEADER;
                bool room = freelist_largest_free(f) >= need;
                live[i] = as_alloc(a, n, 0);
                assert_true((live[i] != NULL) == room);
                if (live[i]) {
                    len[i] = n, made++;
                    assert_int_equal((uintptr_t)live[i] % 16, 0);
                } else {
                    failed++;
                }
            } else if (op == 0) {
                if (as_resize(a, live[i], len[i], 0, n))
                    len[i] = n;
            } else {
                raw_free(a, live[i], len[i]);
                live[i] = NULL;
            }
            const char *broken = freelist_check(f);
            if (broken)
                fail_msg("%s: step %d: %s", freelist_fit_name(fit), step, broken);
            for (size_t x = 0; x < BIG_LIVE; x++)
                for (size_t y = x + 1; y < BIG_LIVE && live[x]; y++)
                    if (live[y])
                        assert_true(live[x] + len[x] <= live[y] || live[y] + len[y] <= live[x]);
        }
        assert_true(made > 1000 && failed > 0); /* the heap was both used and full */
        for (size_t i = 0; i < BIG_LIVE; i++)
            if (live[i])
                raw_free(a, live[i], len[i]);
        assert_null(freelist_check(f));
        assert_int_equal(freelist_largest_free(f), BIG_HEAP);
        freelist_destroy(f);
    }
}

/* Free verdicts after random steps with alignment leads, against the
 * blocks the test holds and the free blocks the address list names. */
typedef struct hole_find {
    size_t target;
    bool inside;
} hole_find;

static void find_hole(void *user, size_t off, size_t size)
{
    hole_find *h = user;
    h->inside |= h->target >= off && h->target < off + size;
}

#define VL 40
static void test_free_verdicts(void **state)
{
    (void)state;
    const size_t cap = 32 * 1024;
    freelist *f = freelist_create(cap, FREELIST_BEST_FIT);
    as_instance in = freelist_instance(f);
    as_location loc;
    void *first = as_alloc(in.a, 16, 0);
    assert_true(in.probe->locate(f, first, &loc));
    unsigned char *base = (unsigned char *)first - loc.offset;
    as_free(in.a, first, 16, 0);
    unsigned char *live[VL] = {0};
    size_t len[VL] = {0};
    uint8_t al[VL] = {0};
    size_t seen[AS_FREE_WRONG_SIZE + 1] = {0};
    uint64_t seed = 77;
    for (int step = 0; step < 3000; step++) {
        size_t i = tk_rand(&seed) % VL;
        if (live[i]) {
            as_free(in.a, live[i], len[i], al[i]);
            assert_int_equal(in.probe->judge_free(f, live[i], len[i], al[i]), AS_FREE_DOUBLE);
            live[i] = NULL;
        } else {
            len[i] = 1 + tk_rand(&seed) % 1500;
            al[i] = (uint8_t)(tk_rand(&seed) % 8);
            live[i] = as_alloc(in.a, len[i], al[i]);
        }
        assert_null(freelist_check(f));
        for (int q = 0; q < 6; q++) {
            size_t j = tk_rand(&seed) % VL;
            const unsigned char *p = q % 2 && live[j] ? live[j] + tk_rand(&seed) % 3
                                                      : base + tk_rand(&seed) % (cap + 64);
            size_t plen = live[j] && tk_rand(&seed) % 2 ? len[j] : 1 + tk_rand(&seed) % 1500;
            as_free_verdict want = AS_FREE_NOT_OWNED;
            for (size_t k = 0; k < VL; k++)
                if (live[k] == p)
                    want = plen == len[k] ? AS_FREE_OK : AS_FREE_WRONG_SIZE;
            hole_find h = {(size_t)(p - base), false};
            freelist_walk_free(f, find_hole, &h);
            if (h.inside)
                want = AS_FREE_DOUBLE;
            as_free_verdict got = in.probe->judge_free(f, p, plen, 0);
            assert_int_equal(got, want);
            seen[got]++;
        }
    }
    assert_true(seen[AS_FREE_OK] && seen[AS_FREE_WRONG_SIZE] && seen[AS_FREE_DOUBLE] && seen[AS_FREE_NOT_OWNED]);
    freelist_destroy(f);
}

/* A growable free list starts small and extends its heap at the end,
 * like sbrk: earlier blocks keep their address and their bytes, the probe
 * shows the heap as it is now and reports its end. */
static void test_growable_extends_like_sbrk(void **state)
{
    (void)state;
    freelist *f = freelist_create_growable(4096, (size_t)1 << 20, FREELIST_FIRST_FIT);
    assert_non_null(f);
    as_instance in = freelist_instance(f);
    assert_true(freelist_is_growable(f));
    assert_int_equal(freelist_heap_end(f), 4096);
    assert_int_equal(freelist_capacity(f), 4096);
    assert_int_equal(freelist_limit(f), (size_t)1 << 20);
    char *a = as_alloc(in.a, 3000, 0);
    assert_non_null(a);
    memset(a, 'a', 3000);
    char *b = as_alloc(in.a, 3000, 0); /* does not fit in 4096: the heap grows */
    assert_non_null(b);
    memset(b, 'b', 3000);
    assert_true(b > a);
    assert_int_equal(freelist_heap_end(f), 8192);
    size_t end;
    assert_true(in.probe->offset(f, &end));
    assert_int_equal(end, 8192);
    tk_inspect(&in, &v);
    assert_int_equal(v.regions, 1);
    assert_int_equal(v.region_size[0], 8192);
    assert_null(freelist_check(f));
    /* a big request grows by what it lacks, rounded to the step */
    char *c = as_alloc(in.a, 100000, 0);
    assert_non_null(c);
    assert_int_equal(freelist_heap_end(f) % FREELIST_GROW_STEP, 0);
    assert_true(freelist_heap_end(f) < 8192 + 100000 + 2 * FREELIST_GROW_STEP);
    for (int i = 0; i < 3000; i++)
        assert_true(a[i] == 'a' && b[i] == 'b');
    /* realloc of the last block grows the heap in place */
    size_t before = freelist_heap_end(f);
    assert_true(as_resize(in.a, c, 100000, 0, 300000));
    assert_true(freelist_heap_end(f) > before);
    assert_null(freelist_check(f));
    /* a fixed free list reports no heap end */
    freelist *fixed_fl = freelist_create(4096, FREELIST_FIRST_FIT);
    assert_false(freelist_probe.offset(fixed_fl, &end));
    assert_false(freelist_is_growable(fixed_fl));
    assert_int_equal(freelist_heap_end(fixed_fl), 4096);
    freelist_destroy(fixed_fl);
    freelist_destroy(f);
}

/* Up to the limit and no further; a reset shrinks the heap back. Bad
 * arguments are refused. */
static void test_growable_limit_and_reset(void **state)
{
    (void)state;
    assert_null(freelist_create_growable(16, 4096, FREELIST_FIRST_FIT));
    assert_null(freelist_create_growable(8192, 4096, FREELIST_FIRST_FIT));
    assert_null(freelist_create_growable(4096, 8192, (freelist_fit)7));
    const size_t limit = 64 * 1024;
    freelist *f = freelist_create_growable(4096, limit, FREELIST_BEST_FIT);
    as_allocator a = freelist_allocator(f);
    void *p[64];
    size_t n = 0;
    while (n < 64 && (p[n] = as_alloc(a, 1100, 0)) != NULL)
        n++;
    assert_true(n > 50 && n < 64);
    assert_int_equal(freelist_heap_end(f), limit);
    assert_null(as_alloc(a, 5000, 0));
    freelist_reset(f);
    /* a request beyond the limit fails without growing the heap */
    assert_null(as_alloc(a, limit, 0));
    assert_int_equal(freelist_heap_end(f), 4096);
    void *last = as_alloc(a, 1000, 0);
    assert_false(as_resize(a, last, 1000, 0, limit));
    assert_int_equal(freelist_heap_end(f), 4096);
    as_free(a, last, 1000, 0);
    freelist_destroy(f);
    f = freelist_create_growable(4096, limit, FREELIST_BEST_FIT);
    a = freelist_allocator(f);
    n = 0;
    while (n < 64 && (p[n] = as_alloc(a, 1100, 0)) != NULL)
        n++;
    assert_null(freelist_check(f));
    for (size_t i = 0; i < n; i++)
        as_free(a, p[i], 1100, 0);
    assert_int_equal(freelist_free_blocks(f), 1);
    assert_int_equal(freelist_largest_free(f), limit);
    freelist_reset(f);
    assert_int_equal(freelist_heap_end(f), 4096);
    assert_int_equal(freelist_largest_free(f), 4096);
    assert_null(freelist_check(f));
    assert_non_null(as_alloc(a, 10000, 0)); /* and grows again */
    assert_null(freelist_check(f));
    freelist_destroy(f);
}

/* The free blocks of a growable heap, in address order (as many as
 * BIG_LIVE live blocks can leave). */
typedef struct heap_frees {
    size_t off[2 * BIG_LIVE + 2], size[2 * BIG_LIVE + 2];
    size_t n;
} heap_frees;

static void collect_heap(void *user, size_t off, size_t size)
{
    heap_frees *hf = user;
    assert_true(hf->n < 2 * BIG_LIVE + 2);
    hf->off[hf->n] = off;
    hf->size[hf->n++] = size;
}

/* First-fit's answer, worked out from the free blocks alone: the lowest
 * that holds the request (an alignment of 16 or less: no lead), or, when
 * none does, the end of the heap, merged with a free last block. The
 * top block is indexed apart from the rest, so this checks it is taken
 * last and only then. Also: the largest free block is the largest seen. */
static size_t first_fit_offset(const freelist *f, size_t n)
{
    heap_frees hf = {.n = 0};
    freelist_walk_free(f, collect_heap, &hf);
    size_t need = ((n + 15) & ~(size_t)15) + FREELIST_HEADER, largest = 0;
    for (size_t i = 0; i < hf.n; i++)
        largest = hf.size[i] > largest ? hf.size[i] : largest;
    assert_int_equal(freelist_largest_free(f), largest);
    for (size_t i = 0; i < hf.n; i++)
        if (hf.size[i] >= need)
            return hf.off[i];
    size_t end = freelist_heap_end(f);
    return hf.n && hf.off[hf.n - 1] + hf.size[hf.n - 1] == end ? hf.off[hf.n - 1] : end;
}

/* Random allocations, frees and resizes on growable free lists of each fit:
 * the check after every step, blocks keep their bytes, the heap never
 * shrinks, and an allocation fails only when what is left of the limit
 * could not hold it. */
static void test_growable_property(void **state)
{
    (void)state;
    for (freelist_fit fit = FREELIST_FIRST_FIT; fit <= FREELIST_NEXT_FIT; fit++) {
        const size_t limit = (size_t)1 << 20;
        freelist *f = freelist_create_growable(4096, limit, fit);
        as_allocator a = freelist_allocator(f);
        unsigned char *live[BIG_LIVE] = {0};
        size_t len[BIG_LIVE] = {0};
        uint64_t seed = 99 + fit;
        size_t failures = 0, last_end = freelist_heap_end(f);
        for (int step = 0; step < 4000; step++) {
            size_t i = tk_rand(&seed) % BIG_LIVE;
            size_t n = 1 + tk_rand(&seed) % (tk_rand(&seed) % 8 ? 2000 : 200000);
            uint8_t al = (uint8_t)(tk_rand(&seed) % 4 == 0 ? tk_rand(&seed) % 13 : 0);
            if (live[i] == NULL) {
                size_t expect = first_fit_offset(f, n);
                live[i] = as_alloc(a, n, al);
                if (live[i]) {
                    len[i] = n;
                    as_location loc;
                    assert_true(freelist_probe.locate(f, live[i], &loc));
                    if (fit == FREELIST_FIRST_FIT && al <= 4)
                        assert_int_equal(loc.offset - FREELIST_HEADER, expect);
                    assert_int_equal((uintptr_t)live[i] % ((uintptr_t)1 << al), 0);
                    memset(live[i], (int)(i + 1), n);
                } else {
                    /* only a request that the rest of the limit cannot hold fails */
                    size_t need = ((n + 15) & ~(size_t)15) + FREELIST_HEADER + FREELIST_MIN_BLOCK +
                                  (al > 4 ? (size_t)1 << al : 0);
                    failures++;
                    assert_true(freelist_heap_end(f) + need > limit);
                }
            } else if (tk_rand(&seed) % 3 == 0) {
                if (as_resize(a, live[i], len[i], 0, n)) {
                    if (n > len[i])
                        memset(live[i] + len[i], (int)(i + 1), n - len[i]);
                    len[i] = n;
                }
            } else {
                for (size_t k = 0; k < len[i]; k++)
                    if (live[i][k] != (unsigned char)(i + 1))
                        fail_msg("block %zu lost its bytes at %zu", i, k);
                as_free(a, live[i], len[i], 0);
                live[i] = NULL;
            }
            assert_true(freelist_heap_end(f) >= last_end); /* it never shrinks */
            last_end = freelist_heap_end(f);
            const char *broken = freelist_check(f);
            if (broken)
                fail_msg("%s: step %d: %s", freelist_fit_name(fit), step, broken);
        }
        assert_true(failures > 0); /* the limit was reached */
        freelist_destroy(f);
    }
}

/* The prefetch hint, on live blocks, freed ones, pointers into the middle
 * of blocks and outside the heap, changes no byte of the heap and no
 * answer of the allocator. */
static void test_prefetch_changes_nothing(void **state)
{
    (void)state;
    const size_t cap = 64 * 1024;
    freelist *f = freelist_create(cap, FREELIST_FIRST_FIT);
    as_instance in = freelist_instance(f);
    assert_non_null(in.probe->prefetch);
    unsigned char *p[40];
    for (int i = 0; i < 40; i++)
        p[i] = as_alloc(in.a, 24 + (size_t)i * 40, 0);
    for (int i = 0; i < 40; i += 3)
        as_free(in.a, p[i], 24 + (size_t)i * 40, 0);
    as_location loc;
    assert_true(in.probe->locate(f, p[1], &loc));
    unsigned char *base = p[1] - loc.offset, *copy = malloc(cap);
    memcpy(copy, base, cap);
    size_t largest = freelist_largest_free(f), bytes = freelist_free_bytes(f);
    unsigned char outside[32];
    const unsigned char *odd[] = {p[0], p[1], p[2] + 7, p[39] + 500, base, base + 1, base + cap - 1, base + cap,
                                  base + cap + 4096, outside, NULL};
    for (int near = 0; near < 2; near++) {
        for (int i = 0; i < 40; i++)
            in.probe->prefetch(f, p[i], near);
        for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
            in.probe->prefetch(f, odd[i], near);
    }
    assert_memory_equal(copy, base, cap);
    assert_int_equal(freelist_largest_free(f), largest);
    assert_int_equal(freelist_free_bytes(f), bytes);
    assert_null(freelist_check(f));
    free(copy);
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
        cmocka_unit_test(test_beyond_256_mib),
        cmocka_unit_test(test_property_at_the_largest_size),
        cmocka_unit_test(test_free_verdicts),
        cmocka_unit_test(test_growable_extends_like_sbrk),
        cmocka_unit_test(test_growable_limit_and_reset),
        cmocka_unit_test(test_growable_property),
        cmocka_unit_test(test_prefetch_changes_nothing),
    };
    return cmocka_run_group_tests_name("freelist", tests, NULL, NULL);
}
