/* test_ledger.c - the block record of bump-style allocators: finding a
 * block through the page directory agrees with a plain search of the
 * entries, across pushes (gaps of many pages, empty blocks sharing an
 * offset), pops and clears. */
#include "testkit.h"

#include "allocscope/ledger.h"

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* What ledger_find promises, the slow way: the first entry at offset. */
static const ledger_entry *first_at(const ledger *l, size_t offset)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->entries[i].offset == offset)
            return &l->entries[i];
    return NULL;
}

static void check_offset(const ledger *l, size_t offset)
{
    const ledger_entry *want = first_at(l, offset);
    const ledger_entry *got = ledger_find(l, offset);
    if (want != got)
        fail_msg("offset %zu among %zu entries: found entry %td, want %td", offset, l->count,
                 got ? got - l->entries : -1, want ? want - l->entries : -1);
}

/* Every entry's offset and its neighbours, offsets between entries, past
 * the last one, and a few at random. */
static void check_all(const ledger *l, uint64_t *seed)
{
    size_t end = l->count ? l->entries[l->count - 1].offset + l->entries[l->count - 1].consumed : 0;
    for (size_t i = 0; i < l->count; i++) {
        size_t o = l->entries[i].offset;
        check_offset(l, o);
        check_offset(l, o + 1);
        if (o > 0)
            check_offset(l, o - 1);
    }
    for (int k = 0; k < 20; k++)
        check_offset(l, (size_t)(next_rand(seed) % (end + 3 * 4096 + 1)));
    check_offset(l, end);
    check_offset(l, end + ((size_t)1 << LEDGER_PAGE_SHIFT));
    check_offset(l, SIZE_MAX);
}

/* A size as bumps see them: mostly small, some empty, now and then a gap
 * of many pages; the offset only grows. */
static size_t next_gap(uint64_t *seed)
{
    uint64_t r = next_rand(seed) % 100;
    if (r < 10)
        return 0; /* an empty block: the next one starts at the same offset */
    if (r < 15)
        return (size_t)(next_rand(seed) % (20 * 4096)); /* a big block: pages with no entry */
    return 1 + (size_t)(next_rand(seed) % 64);
}

static void test_find_agrees_with_a_plain_search(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    ledger l = {0};
    size_t offset = 0;
    for (int round = 0; round < 400; round++) {
        uint64_t r = next_rand(&seed) % 100;
        if (r < 70) {
            size_t len = next_gap(&seed);
            assert_true(ledger_push(&l, offset, len));
            offset += len + (size_t)(next_rand(&seed) % 8); /* and some padding */
        } else if (r < 97) {
            ledger_pop(&l);
            const ledger_entry *last = ledger_last(&l);
            offset = last ? last->offset + last->consumed : 0;
        } else {
            ledger_clear(&l);
            offset = (size_t)(next_rand(&seed) % 5000);
        }
        check_all(&l, &seed);
        assert_null(ledger_check(&l, offset));
    }
    ledger_release(&l);
}

/* A page crowded with one-byte blocks and a few far apart: the guess from
 * the place in the page is far off, the search still finds each. */
static void test_uneven_page(void **state)
{
    (void)state;
    uint64_t seed = 7;
    ledger l = {0};
    size_t offset = 0;
    for (int i = 0; i < 3000; i++, offset++)
        assert_true(ledger_push(&l, offset, 1));
    assert_true(ledger_push(&l, 4000, 90));
    assert_true(ledger_push(&l, 4095, 1));
    assert_true(ledger_push(&l, 4096, 1));
    assert_true(ledger_push(&l, (size_t)9 << LEDGER_PAGE_SHIFT, 1)); /* 7 empty pages between */
    check_all(&l, &seed);
    ledger_pop(&l);
    check_all(&l, &seed);
    assert_null(ledger_find(&l, (size_t)9 << LEDGER_PAGE_SHIFT));
    assert_non_null(ledger_find(&l, 4096));
    ledger_release(&l);
}

/* Entries written straight into the ledger, as a checkpoint's load puts
 * them back: the directory describes the old ones (check says so) until
 * ledger_reindex builds it again; then every find agrees again. */
static void test_reindex_after_entries_put_back(void **state)
{
    (void)state;
    uint64_t seed = 99;
    ledger l = {0};
    size_t offset = 0;
    for (int i = 0; i < 500; i++) {
        size_t len = 1 + (size_t)(next_rand(&seed) % 40);
        assert_true(ledger_push(&l, offset, len));
        offset += len + (size_t)(next_rand(&seed) % 90);
    }
    size_t count = l.count;
    ledger_entry *saved = malloc(count * sizeof *saved);
    assert_non_null(saved);
    memcpy(saved, l.entries, count * sizeof *saved); /* the checkpoint */
    ledger_clear(&l);
    offset = 7;
    for (size_t i = 0; i < count; i++) { /* as many blocks, elsewhere */
        assert_true(ledger_push(&l, offset, 3));
        offset += 3 + (size_t)(next_rand(&seed) % 200);
    }
    memcpy(l.entries, saved, count * sizeof *saved); /* the load */
    l.count = count;
    const char *stale = ledger_check(&l, SIZE_MAX);
    assert_non_null(stale);
    assert_non_null(strstr(stale, "page directory"));
    ledger_reindex(&l);
    assert_null(ledger_check(&l, SIZE_MAX));
    check_all(&l, &seed);
    l.count = 0; /* an empty checkpoint */
    ledger_reindex(&l);
    assert_null(ledger_check(&l, 0));
    check_all(&l, &seed);
    free(saved);
    ledger_release(&l);
}

/* The allocators built on it see the same: frees of old blocks on a bump
 * of many pages are recorded on the right block. */
static void test_bump_free_marks_the_block(void **state)
{
    (void)state;
    bump *b = bump_create((size_t)1 << 22);
    as_instance in = bump_instance(b);
    enum { N = 3000 }; /* some 60 pages; spans fit the test kit's view */
    static unsigned char *p[N];
    static size_t len[N];
    uint64_t seed = 11;
    for (int i = 0; i < N; i++) {
        len[i] = 1 + (size_t)(next_rand(&seed) % 150);
        p[i] = as_alloc(in.a, len[i], (uint8_t)(next_rand(&seed) % 4));
        assert_non_null(p[i]);
    }
    for (int i = 0; i < N; i += 3)
        as_free(in.a, p[i], len[i], 0);
    static tk_view v; /* what the bump recorded, seen through its inspection */
    tk_inspect(&in, &v);
    size_t freed = 0, live = 0;
    for (size_t i = 0; i < v.count; i++) {
        freed += v.spans[i].kind == AS_SPAN_FREED;
        live += v.spans[i].kind == AS_SPAN_LIVE;
    }
    assert_int_equal(freed, (N + 2) / 3);
    assert_int_equal(live, N - (N + 2) / 3);
    assert_null(bump_check(b));
    bump_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find_agrees_with_a_plain_search),
        cmocka_unit_test(test_uneven_page),
        cmocka_unit_test(test_reindex_after_entries_put_back),
        cmocka_unit_test(test_bump_free_marks_the_block),
    };
    return cmocka_run_group_tests_name("ledger", tests, NULL, NULL);
}
