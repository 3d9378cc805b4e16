/*
 * test_cells_update.c - a grid kept from one build to the next, which
 * redoes only the cells of what the allocator says changed (cells_build
 * with a memo), is the grid a fresh build makes: after every command of
 * random workloads on free lists, buddies and bumps, at coarse zooms,
 * with padding, slack, merges, resizes, resets and undo. And the kept grid
 * does take the short way (else these tests would prove nothing).
 */
#include "sessionkit.h"
#include "allocscope/cells.h"

static uint64_t next_random(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

enum { ZOOMS = 4 };

/* The kept grids (one per zoom: fit 64 cells, fit 1024, 32 and 256 bytes a
 * cell) against fresh ones; how many of their builds were updates. */
static size_t check_grids(const session *s, cells_grid *kept, const char *line)
{
    static const size_t zoom[ZOOMS] = {0, 0, 32, 256}, cap[ZOOMS] = {64, 1024, 0, 0};
    size_t updates = 0;
    for (int z = 0; z < ZOOMS; z++) {
        assert_true(cells_build(s, zoom[z], cap[z], &kept[z]));
        cells_grid fresh;
        cells_init(&fresh);
        assert_true(cells_build(s, zoom[z], cap[z], &fresh));
        if (!cells_grid_equal(&kept[z], &fresh)) {
            size_t i = 0;
            while (i < fresh.count && i < kept[z].count && !memcmp(&kept[z].cells[i], &fresh.cells[i], sizeof(cell)))
                i++;
            fail_msg("after '%s' (zoom %zu, cap %zu) the kept grid differs from a fresh one (count %zu/%zu, "
                     "first differing cell %zu, live %zu/%zu)", line, fresh.zoom, cap[z], kept[z].count, fresh.count,
                     i, kept[z].usage.live_bytes, fresh.usage.live_bytes);
        }
        cells_free(&fresh);
        updates += cells_updates(&kept[z]);
    }
    return updates;
}

/* n random commands on the allocator `create` makes: allocations of
 * random sizes and alignments, frees of random live blocks, resizes and
 * reallocs, and now and then a reset or an undo. */
static void random_workload(const char *create, size_t n, uint64_t seed)
{
    session *s = session_create();
    sk_run(s, create);
    cells_grid kept[ZOOMS];
    for (int z = 0; z < ZOOMS; z++)
        cells_init(&kept[z]);
    strbuf out;
    sb_init(&out);
    char line[96];
    size_t names = 0;
    check_grids(s, kept, create);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = next_random(&seed) % 100;
        size_t which = names ? (size_t)(next_random(&seed) % names) : 0;
        if (r < 50 || names == 0)
            snprintf(line, sizeof line, "alloc %u align %u as b%zu", 1 + (unsigned)(next_random(&seed) % 700),
                     1u << (next_random(&seed) % 8), names++);
        else if (r < 85)
            snprintf(line, sizeof line, "free b%zu", which);
        else if (r < 92) /* half of them the newest block: the one a bump can resize */
            snprintf(line, sizeof line, "resize b%zu %u", r % 2 ? which : names - 1,
                     1 + (unsigned)(next_random(&seed) % 900));
        else if (r < 97)
            snprintf(line, sizeof line, "realloc b%zu %u", which, 1 + (unsigned)(next_random(&seed) % 900));
        else if (r < 99)
            snprintf(line, sizeof line, "undo");
        else
            snprintf(line, sizeof line, "reset");
        sb_clear(&out);
        interp_execute(s, line, &out); /* a refused command (freed twice, no room) is a command too */
        check_grids(s, kept, line);
    }
    size_t updates = check_grids(s, kept, "the end");
    if (updates < n) /* most builds take the short way */
        fail_msg("%s: only %zu of %zu builds were updates", create, updates, ZOOMS * (n + 2));
    for (int z = 0; z < ZOOMS; z++)
        cells_free(&kept[z]);
    sb_free(&out);
    session_destroy(s);
}

static void test_first_fit(void **state)
{
    (void)state;
    random_workload("new freelist 64K", 600, 88172645463325252u);
}

static void test_best_fit(void **state)
{
    (void)state;
    random_workload("new freelist 96K best-fit", 600, 1234567u);
}

static void test_next_fit(void **state)
{
    (void)state;
    random_workload("new freelist 40000 next-fit", 600, 987654321u);
}

static void test_growable(void **state)
{
    (void)state;
    random_workload("new freelist 4096 grow", 400, 55555u);
}

static void test_buddy(void **state)
{
    (void)state;
    random_workload("new buddy 64K", 600, 42u);
}

static void test_buddy_large(void **state)
{
    (void)state;
    random_workload("new buddy 1M", 600, 4242u);
}

static void test_bump(void **state)
{
    (void)state;
    random_workload("new bump 256K", 500, 31337u);
}

static void test_bump_resize_last(void **state)
{
    (void)state;
    random_workload("new bump 256K resize-last", 500, 271828u);
}

/* A comparison group: each member's kept grid, drawn through a view of
 * the session, follows its own allocator. */
static void test_group_members(void **state)
{
    (void)state;
    session *s = session_create();
    sk_run(s, "compare freelist 64K, buddy 64K, freelist 64K best-fit, bump 64K");
    session *view = session_view_new();
    cells_grid kept[4][ZOOMS];
    for (int m = 0; m < 4; m++)
        for (int z = 0; z < ZOOMS; z++)
            cells_init(&kept[m][z]);
    uint64_t seed = 777;
    strbuf out;
    sb_init(&out);
    size_t updates = 0;
    for (int i = 0; i < 300; i++) {
        char line[64];
        if (i % 3 == 2)
            snprintf(line, sizeof line, "free b%d", (int)(next_random(&seed) % (unsigned)i));
        else
            snprintf(line, sizeof line, "alloc %u as b%d", 1 + (unsigned)(next_random(&seed) % 500), i);
        sb_clear(&out);
        interp_execute(s, line, &out);
        for (int m = 0; m < 4; m++) {
            session_view_of(view, s, session_group_member(s, (size_t)m));
            updates += check_grids(view, kept[m], line);
        }
    }
    assert_true(updates > 0);
    for (int m = 0; m < 4; m++)
        for (int z = 0; z < ZOOMS; z++)
            cells_free(&kept[m][z]);
    session_view_free(view);
    sb_free(&out);
    session_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_fit),     cmocka_unit_test(test_best_fit), cmocka_unit_test(test_next_fit),
        cmocka_unit_test(test_growable),      cmocka_unit_test(test_buddy),    cmocka_unit_test(test_buddy_large),
        cmocka_unit_test(test_bump),          cmocka_unit_test(test_bump_resize_last),
        cmocka_unit_test(test_group_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
