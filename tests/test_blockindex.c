/*
 * test_blockindex.c - the pointer -> block index follows the session: new
 * blocks are appended, anything else starts it over, the newest block wins
 * a reused address; and a grid built with an index kept across frames is
 * the grid built from scratch.
 */
#include "sessionkit.h"
#include "allocscope/blockindex.h"
#include "allocscope/cells.h"

/* Every block of the active allocator is found at its own index, unless a
 * newer block took its address. */
static void assert_finds_all(const block_index *ix, const session *s)
{
    size_t n = session_block_count(s);
    assert_int_equal(block_index_count(ix), n);
    for (size_t i = 0; i < n; i++) {
        bool live;
        const void *p = session_block_ptr_at(s, i, &live);
        size_t newest = i;
        for (size_t k = i + 1; k < n; k++)
            if (session_block_ptr_at(s, k, &live) == p)
                newest = k;
        if (block_index_find(ix, p) != (int32_t)newest)
            fail_msg("block %zu: found %d, expected %zu", i, block_index_find(ix, p), newest);
    }
}

static void test_bumped_blocks_stay_in_runs(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 1M");
    for (int i = 0; i < 500; i++)
        sk_run(s, i % 3 ? "alloc 24" : "alloc 100 align 16");
    block_index *ix = block_index_new();
    assert_true(block_index_sync(ix, s));
    assert_false(block_index_hashed(ix));
    assert_finds_all(ix, s);
    bool live;
    const unsigned char *first = session_block_ptr_at(s, 0, &live);
    assert_int_equal(block_index_find(ix, first + 1), -1); /* inside a block is not a block */
    assert_int_equal(block_index_find(ix, NULL), -1);
    for (int i = 0; i < 100; i++)
        sk_run(s, "alloc 8");
    assert_true(block_index_sync(ix, s));
    assert_false(block_index_hashed(ix));
    assert_finds_all(ix, s);
    block_index_free(ix);
    session_destroy(s);
}

static void test_reused_addresses_go_to_the_table(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 64K");
    for (int i = 0; i < 100; i++)
        sk_run(s, "alloc 32");
    block_index *ix = block_index_new();
    assert_true(block_index_sync(ix, s));
    assert_false(block_index_hashed(ix));
    char line[64];
    for (int i = 1; i <= 100; i += 2) {
        snprintf(line, sizeof line, "free #%d", i);
        sk_run(s, line);
    }
    assert_true(block_index_sync(ix, s)); /* frees add nothing */
    for (int i = 0; i < 50; i++)
        sk_run(s, "alloc 32"); /* lands on freed addresses, lower than the last block */
    assert_true(block_index_sync(ix, s));
    assert_true(block_index_hashed(ix));
    assert_finds_all(ix, s);
    /* the table grows as blocks keep coming */
    for (int i = 0; i < 300; i++)
        sk_run(s, "alloc 16");
    assert_true(block_index_sync(ix, s));
    assert_finds_all(ix, s);
    block_index_free(ix);
    session_destroy(s);
}

static void test_equal_addresses_in_a_run(void **state)
{
    session *s = session_create();
    sk_run(s, "new fixed 4096");
    sk_run(s, "alloc 16 as a");
    sk_run(s, "free a");            /* the last block: the end rewinds */
    sk_run(s, "alloc 16 as b");     /* at a's address */
    block_index *ix = block_index_new();
    assert_true(block_index_sync(ix, s));
    assert_false(block_index_hashed(ix));
    bool live;
    assert_int_equal(block_index_find(ix, session_block_ptr_at(s, 0, &live)), 1);
    assert_finds_all(ix, s);
    block_index_free(ix);
    session_destroy(s);
}

static void test_moves_undo_and_switch_start_over(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 64K");
    sk_run(s, "alloc 32 as a");
    sk_run(s, "alloc 32 as b");
    sk_run(s, "alloc 32 as c");
    block_index *ix = block_index_new();
    assert_true(block_index_sync(ix, s));
    bool live;
    const void *old_b = session_block_ptr_at(s, 1, &live);
    uint64_t epoch = session_blocks_epoch(s);
    sk_run(s, "free c");
    assert_true(session_blocks_epoch(s) == epoch); /* a free keeps the index */
    sk_run(s, "alloc 16 as d");
    assert_true(session_blocks_epoch(s) == epoch); /* and so does a new block */
    sk_run(s, "realloc b 4000"); /* d is in the way: b moves */
    assert_true(session_blocks_epoch(s) != epoch);
    assert_true(session_block_ptr_at(s, 1, &live) != old_b);
    assert_true(block_index_sync(ix, s));
    assert_int_equal(block_index_find(ix, session_block_ptr_at(s, 1, &live)), 1);
    assert_int_equal(block_index_find(ix, old_b), -1);

    sk_run(s, "undo"); /* the session is rebuilt from its history */
    assert_true(block_index_sync(ix, s));
    assert_finds_all(ix, s);

    sk_run(s, "new bump 4096");
    sk_run(s, "alloc 10");
    assert_true(block_index_sync(ix, s));
    assert_int_equal(block_index_count(ix), 1);
    assert_finds_all(ix, s);
    sk_run(s, "switch freelist");
    assert_true(block_index_sync(ix, s));
    assert_finds_all(ix, s);
    block_index_free(ix);
    session_destroy(s);
}

/* What the live view does: two grids built in turn, sharing one index. */
static void test_grids_kept_across_frames_match_fresh_ones(void **state)
{
    static const char *const steps[] = {
        "new freelist 16K", "alloc 24 as a", "alloc 100 align 16 as b", "alloc 7 as c", "free b",
        "alloc 40 as d",    "realloc a 900", "undo",                    "free c",       "new arena",
        "alloc 300 as e",   "alloc 5000",    "switch freelist",         "alloc 16 as b", "free a",
        "new pool 24",      "alloc 24 as p", "alloc 24 as q",           "free p",       "alloc 24 as r",
        "switch arena",     "reset",         "alloc 64 as f",
    };
    session *s = session_create();
    cells_grid kept[2], fresh;
    cells_init(&kept[0]);
    cells_init(&kept[1]);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        sk_run(s, steps[i]);
        for (size_t zoom = 1; zoom <= 512; zoom *= 8) {
            cells_grid *g = &kept[i % 2], *other = &kept[(i + 1) % 2];
            if (g->blocks == NULL) {
                g->blocks = other->blocks;
                other->blocks = NULL;
            }
            assert_true(cells_build(s, zoom, 0, g));
            cells_init(&fresh);
            assert_true(cells_build(s, zoom, 0, &fresh));
            if (!cells_grid_equal(g, &fresh))
                fail_msg("after '%s' at zoom %zu the kept grid differs from a fresh one", steps[i], zoom);
            cells_free(&fresh);
        }
    }
    cells_free(&kept[0]);
    cells_free(&kept[1]);
    session_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bumped_blocks_stay_in_runs),
        cmocka_unit_test(test_reused_addresses_go_to_the_table),
        cmocka_unit_test(test_equal_addresses_in_a_run),
        cmocka_unit_test(test_moves_undo_and_switch_start_over),
        cmocka_unit_test(test_grids_kept_across_frames_match_fresh_ones),
    };
    return cmocka_run_group_tests_name("blockindex", tests, NULL, NULL);
}
