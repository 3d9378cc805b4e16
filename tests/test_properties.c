/*
 * test_properties.c - properties every allocator must have, checked over
 * every allocator, every alignment from 1 to 4096 and a spread of sizes,
 * with the allocator's own invariant check after every step.
 */
#include "testkit.h"

static const char *const kinds[] = {
    "bump", "fixed", "stack", "arena", "arena/bump", "pool/3", "pool/4", "pool/6", "pool/12",
    "debug/bump", "debug/first-fit", "counting/best-fit", "first-fit", "best-fit",
    "next-fit", "buddy",
};
#define KIND_COUNT (sizeof kinds / sizeof kinds[0])

typedef struct held {
    unsigned char *p;
    size_t len;
    uint8_t al;
    unsigned char tag;
} held;

#define MAX_HELD 4096
static held blocks[MAX_HELD];
static size_t nheld;
static tk_view view, view2;

static bool is_pool(const char *k) { return !strncmp(k, "pool/", 5); }
static int pool_align(const char *k) { return is_pool(k) ? atoi(k + 5) : 0; }
static bool lifo_only(const char *k) { return !strcmp(k, "stack") || !strcmp(k, "fixed"); }

static void verify_blocks(const tk_alloc *t)
{
    tk_assert_check(&t->top);
    tk_inspect(&t->top, &view);
    tk_inspect_batched(&t->top, &view2);
    if (!tk_views_equal(&view, &view2))
        fail_msg("%s: spans in batches differ from spans one by one", t->name);
    for (size_t i = 0; i < nheld; i++) {
        const held *h = &blocks[i];
        assert_int_equal((uintptr_t)h->p % ((uintptr_t)1 << h->al), 0);
        for (size_t k = 0; k < h->len; k++)
            if (h->p[k] != h->tag)
                fail_msg("%s: block %zu byte %zu overwritten", t->name, i, k);
        const as_span *s = tk_live_span(&view, h->p);
        if (s == NULL)
            fail_msg("%s: live block %zu not reported as live", t->name, i);
        if (is_pool(t->name))
            assert_true(s->len >= h->len);
        else
            assert_int_equal(s->len, h->len);
        as_location loc;
        if (t->top.probe->locate) {
            if (!t->top.probe->locate(t->top.a.ctx, h->p, &loc))
                fail_msg("%s: locate does not find live block %zu", t->name, i);
            assert_int_equal(loc.region, s->region);
            assert_int_equal(loc.offset, s->offset);
            /* the padding it reports is the alignment padding the spans show before the block */
            size_t k = (size_t)(s - view.spans), pad = 0;
            while (k > 0 && view.spans[k - 1].kind == AS_SPAN_META && view.spans[k - 1].meta == AS_META_HEADER)
                k--;
            if (k > 0 && view.spans[k - 1].kind == AS_SPAN_PADDING &&
                view.spans[k - 1].region == s->region)
                pad = view.spans[k - 1].len;
            if (loc.padding != pad)
                fail_msg("%s: locate says %zu bytes of padding, the spans %zu", t->name, loc.padding, pad);
        }
    }
    as_usage u;
    as_usage_of(t->top.probe, t->top.a.ctx, &u);
    assert_int_equal(u.live_blocks, nheld);
    assert_int_equal(u.live_bytes + u.freed_bytes + u.padding_bytes + u.metadata_bytes +
                         u.unused_bytes + u.slack_bytes + u.damaged_bytes + u.unknown_bytes,
                     u.capacity);
}

static bool try_alloc(tk_alloc *t, size_t len, uint8_t al, unsigned char tag)
{
    if (nheld == MAX_HELD)
        return false;
    unsigned char *p = as_alloc(t->top.a, len, al);
    if (p == NULL)
        return false;
    memset(p, tag, len);
    blocks[nheld++] = (held){p, len, al, tag};
    return true;
}

static void release(tk_alloc *t, size_t i)
{
    held h = blocks[i];
    as_free(t->top.a, h.p, h.len, h.al);
    blocks[i] = blocks[--nheld];
}

static void test_every_alignment(void **state)
{
    static const size_t sizes[] = {1, 7, 24, 64, 100, 333};
    for (size_t k = 0; k < KIND_COUNT; k++) {
        tk_alloc t = tk_make(kinds[k], 1 << 17);
        nheld = 0;
        unsigned char tag = 1;
        for (uint8_t al = 0; al <= AS_MAX_ALIGN_LOG2; al++) {
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
                bool fits_pool = is_pool(kinds[k]) && sizes[s] <= 64 && al <= pool_align(kinds[k]);
                bool ok = try_alloc(&t, sizes[s], al, tag++);
                if (is_pool(kinds[k]))
                    assert_int_equal(ok, fits_pool);
                verify_blocks(&t);
            }
        }
        assert_true(nheld > 0);
        tk_destroy(&t);
    }
}

static void test_out_of_memory_changes_nothing(void **state)
{
    for (size_t k = 0; k < KIND_COUNT; k++) {
        tk_alloc t = tk_make(kinds[k], 4096);
        bool bounded = strcmp(kinds[k], "arena") != 0 && !is_pool(kinds[k]);
        nheld = 0;
        if (bounded)
            while (try_alloc(&t, 40, 3, (unsigned char)(nheld + 1)))
                ;
        else
            try_alloc(&t, 40, 3, 1);
        tk_inspect(&t.top, &view);
        assert_null(as_alloc(t.top.a, SIZE_MAX - 8, 0));
        assert_null(as_alloc(t.top.a, SIZE_MAX / 2, AS_MAX_ALIGN_LOG2));
        assert_null(as_alloc(t.top.a, SIZE_MAX, 4));
        if (bounded)
            assert_null(as_alloc(t.top.a, 40, 3));
        tk_inspect(&t.top, &view2);
        if (!tk_views_equal(&view, &view2))
            fail_msg("%s: a failed allocation changed the state", kinds[k]);
        verify_blocks(&t);
        tk_destroy(&t);
    }
}

static void test_random_alloc_free(void **state)
{
    for (size_t k = 0; k < KIND_COUNT; k++) {
        tk_alloc t = tk_make(kinds[k], 1 << 16);
        uint64_t seed = 0x9E3779B97F4A7C15ull + k;
        nheld = 0;
        for (int step = 0; step < 1500; step++) {
            uint64_t r = tk_rand(&seed);
            if (r % 10 < 6 || nheld == 0) {
                size_t len = 1 + (r >> 8) % (is_pool(kinds[k]) ? 64 : 700);
                int max_al = is_pool(kinds[k]) ? pool_align(kinds[k]) : 7;
                uint8_t al = (uint8_t)((r >> 20) % (unsigned)(max_al + 1));
                try_alloc(&t, len, al, (unsigned char)(1 + step % 250));
            } else {
                size_t i = lifo_only(kinds[k]) ? nheld - 1 : (size_t)(r >> 12) % nheld;
                if (lifo_only(kinds[k])) {
                    /* keep insertion order: the last pushed is the top */
                    held h = blocks[nheld - 1];
                    as_free(t.top.a, h.p, h.len, h.al);
                    nheld--;
                } else {
                    release(&t, i);
                }
            }
            verify_blocks(&t);
        }
        while (nheld) {
            if (lifo_only(kinds[k])) {
                held h = blocks[--nheld];
                as_free(t.top.a, h.p, h.len, h.al);
            } else {
                release(&t, 0);
            }
        }
        verify_blocks(&t);
        tk_destroy(&t);
    }
}

static void test_helpers(void **state)
{
    size_t out = 0;
    assert_true(as_align_forward(5, 4, &out) && out == 8);
    assert_true(as_align_forward(8, 8, &out) && out == 8);
    assert_true(as_align_forward(9, 8, &out) && out == 16);
    assert_true(as_align_forward(0, 4096, &out) && out == 0);
    assert_false(as_align_forward(SIZE_MAX - 2, 8, &out));
    assert_true(as_is_power_of_two(1) && as_is_power_of_two(4096));
    assert_false(as_is_power_of_two(0) || as_is_power_of_two(12));
    assert_int_equal(as_log2(4096), 12);
    assert_int_equal(as_log2(3), 255);

    tk_alloc t = tk_make("counting/first-fit", 4096);
    counting *c = t.top.a.ctx;
    assert_null(as_alloc(t.top.a, 0, 3));
    assert_null(as_alloc(t.top.a, 8, 13));
    assert_int_equal(counting_get_stats(c).alloc_calls, 0); /* never reached the allocator */
    tk_destroy(&t);
}

static void test_free_poisons_and_realloc_moves(void **state)
{
    bump *b = bump_create(256);
    bump_set_resize(b, BUMP_RESIZE_LAST); /* exercise 1's: the last block grows in place */
    as_allocator a = bump_allocator(b);
    unsigned char *first = as_alloc(a, 16, 0);
    unsigned char *second = as_alloc(a, 16, 0);
    assert_ptr_equal(second, first + 16);
    memset(first, 'x', 16);
    /* first is not the last block: remap fails, realloc moves and copies */
    unsigned char *moved = as_realloc(a, first, 16, 0, 32);
    assert_non_null(moved);
    assert_ptr_not_equal(moved, first);
    assert_memory_equal(moved, "xxxxxxxxxxxxxxxx", 16);
    for (int i = 0; i < 16; i++)
        assert_int_equal(first[i], AS_FREED_BYTE); /* bump's free keeps the bytes */
    /* the last block grows in place */
    assert_ptr_equal(as_realloc(a, moved, 32, 0, 48), moved);
    bump_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_free_poisons_and_realloc_moves),
        cmocka_unit_test(test_every_alignment),
        cmocka_unit_test(test_out_of_memory_changes_nothing),
        cmocka_unit_test(test_random_alloc_free),
    };
    return cmocka_run_group_tests_name("properties", tests, NULL, NULL);
}
