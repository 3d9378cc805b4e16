/*
 * test_textmap.c - the text map and cell grid: golden outputs for a set of
 * scripts (tests/golden/NAME.as -> NAME.txt, ASCII and UTF-8), and the
 * promises of the cell computation.
 *
 * Regenerate the golden files on purpose only:
 *     ALLOCSCOPE_UPDATE_GOLDEN=1 build/tests/test_textmap
 */
#include <dirent.h>

#include "sessionkit.h"
#include "allocscope/cells.h"
#include "allocscope/textmap.h"

#define GOLDEN_DIR "tests/golden"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    strbuf sb;
    sb_init(&sb);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_addn(&sb, buf, n);
    fclose(f);
    return sb.data ? sb.data : strdup("");
}

/* Runs a script and renders the map after it, in ASCII then UTF-8. */
static void render_script(const char *path, strbuf *out)
{
    session *s = session_create();
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4200];
    strbuf ans;
    sb_init(&ans);
    while (fgets(line, sizeof line, f)) {
        sb_clear(&ans);
        session_outcome oc = interp_execute(s, line, &ans);
        if (oc.status != SESSION_OK)
            fail_msg("%s: '%s' failed: %s", path, line, sb_str(&ans));
        if (strncmp(line, "layout", 6) == 0)
            sb_add(out, sb_str(&ans));
    }
    fclose(f);
    textmap_options ascii = {64, 16, true}, utf8 = {64, 16, false};
    textmap_render(s, &ascii, out);
    textmap_render(s, &utf8, out);
    sb_free(&ans);
    session_destroy(s);
}

static void test_golden_maps(void **state)
{
    DIR *d = opendir(GOLDEN_DIR);
    assert_non_null(d);
    bool update = getenv("ALLOCSCOPE_UPDATE_GOLDEN") != NULL;
    size_t checked = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".as") != 0)
            continue;
        char script[512], golden[512];
        snprintf(script, sizeof script, "%s/%s", GOLDEN_DIR, e->d_name);
        snprintf(golden, sizeof golden, "%s/%.*s.txt", GOLDEN_DIR, (int)(n - 3), e->d_name);
        strbuf out;
        sb_init(&out);
        render_script(script, &out);
        if (update) {
            FILE *g = fopen(golden, "w");
            assert_non_null(g);
            fputs(sb_str(&out), g);
            fclose(g);
        } else {
            char *want = slurp(golden);
            if (want == NULL)
                fail_msg("%s is missing (run with ALLOCSCOPE_UPDATE_GOLDEN=1 once)", golden);
            if (strcmp(want, sb_str(&out)) != 0)
                fail_msg("%s differs from the map now drawn:\n%s", golden, sb_str(&out));
            free(want);
        }
        sb_free(&out);
        checked++;
    }
    closedir(d);
    assert_true(checked >= 6);
}

static void test_padding_visible_at_every_zoom(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 1M");
    sk_run(s, "alloc 1");
    sk_run(s, "alloc 8 align 8");
    for (size_t zoom = 1; zoom <= 65536; zoom *= 4) {
        cells_grid g;
        cells_init(&g);
        assert_true(cells_build(s, zoom, 0, &g));
        /* byte 0 is the live byte; bytes 1..7 are padding */
        assert_int_equal(g.cells[zoom == 1 ? 1 : 0].role, CELL_PADDING);
        if (zoom == 1)
            assert_int_equal(g.cells[0].role, CELL_LIVE);
        assert_int_equal(g.count, (1048576 + zoom - 1) / zoom);
        cells_free(&g);
    }
    session_destroy(s);
}

static void test_fit_and_labels(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 4096");
    sk_run(s, "alloc 100 as buffer");
    sk_run(s, "alloc 2 as xy");
    assert_int_equal(cells_fit_zoom(s, 1024), 4);
    assert_int_equal(cells_fit_zoom(s, 4096), 1);
    cells_grid g;
    cells_init(&g);
    assert_true(cells_build(s, 1, 0, &g));
    assert_int_equal(g.cells[0].label, 'b');
    assert_int_equal(g.cells[5].label, 'r');
    assert_int_equal(g.cells[100].label, 'x'); /* "xy" fits its 2 cells */
    assert_int_equal(g.cells[102].marks & CELL_MARK_OFFSET, CELL_MARK_OFFSET);
    cells_grid before = g;
    cells_grid after;
    cells_init(&after);
    sk_run(s, "alloc 3 as z");
    assert_true(cells_build(s, 1, 0, &after));
    bool changed[4096];
    cells_diff(&before, &after, changed);
    assert_false(changed[0]);
    assert_true(changed[102] && changed[104]);
    assert_false(changed[200]);
    /* another zoom cannot be compared cell by cell: nothing counts as changed */
    cells_grid coarse;
    cells_init(&coarse);
    assert_true(cells_build(s, 4, 0, &coarse));
    bool none[1024];
    memset(none, 1, sizeof none);
    cells_diff(&after, &coarse, none);
    for (size_t i = 0; i < coarse.count; i++)
        assert_false(none[i]);
    cells_free(&coarse);
    cells_free(&before);
    cells_free(&after);
    session_destroy(s);
}

static void test_zoom_is_capped(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 1G");
    sk_run(s, "alloc 3");
    sk_run(s, "zoom 1");
    cells_grid g;
    cells_init(&g);
    assert_true(cells_build(s, 0, 1000, &g));
    assert_true(g.count <= CELLS_MAX_CELLS);
    assert_int_equal(g.zoom, ((size_t)1 << 30) / CELLS_MAX_CELLS);
    cells_free(&g);
    session_destroy(s);
}

typedef struct role_bytes {
    size_t zoom, cells;
    size_t (*bytes)[CELL_ROLE_COUNT];
} role_bytes;

static void count_span(void *user, const as_span *sp)
{
    static const uint8_t role[AS_SPAN_KIND_COUNT] = {
        [AS_SPAN_UNUSED] = CELL_UNUSED, [AS_SPAN_LIVE] = CELL_LIVE,     [AS_SPAN_FREED] = CELL_FREED,
        [AS_SPAN_PADDING] = CELL_PADDING, [AS_SPAN_META] = CELL_META,   [AS_SPAN_SLACK] = CELL_SLACK,
        [AS_SPAN_DAMAGED] = CELL_DAMAGED, [AS_SPAN_UNKNOWN] = CELL_UNKNOWN,
    };
    role_bytes *rb = user;
    assert_int_equal(sp->region, 0);
    for (size_t off = sp->offset; off < sp->offset + sp->len; off++) /* byte by byte: the oracle */
        if (off / rb->zoom < rb->cells)
            rb->bytes[off / rb->zoom][role[sp->kind]]++;
}

/* At a coarse zoom a padding cell says what most of its bytes are, and
 * every cell agrees with a byte-by-byte count of the spans. */
static void test_padding_cells_say_what_they_sit_among(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 64K");
    char line[64];
    strbuf out;
    sb_init_discard(&out);
    for (int i = 0; i < 600; i++) { /* until the heap is full: out of memory is fine */
        snprintf(line, sizeof line, "alloc %d align %d", 24 + (i * 37) % 200, i % 4 ? 16 : 128);
        interp_execute(s, line, &out);
    }
    sb_free(&out);
    for (int i = 1; i <= 300; i += 3) {
        snprintf(line, sizeof line, "free #%d", i);
        sk_run(s, line);
    }
    cells_grid g;
    cells_init(&g);
    assert_true(cells_build(s, 256, 0, &g));
    assert_int_equal(g.zoom, 256);
    role_bytes rb = {256, g.count, calloc(g.count, sizeof *rb.bytes)};
    as_instance in = session_active_instance(s);
    as_inspector ins = {.span = count_span, .user = &rb};
    in.probe->inspect(in.a.ctx, &ins);
    size_t over_live = 0, over_freed = 0;
    for (size_t i = 0; i < g.count; i++) {
        const cell *c = &g.cells[i];
        if (c->role != CELL_PADDING) {
            assert_int_equal(c->beneath, c->role);
            continue;
        }
        uint8_t best = CELL_PADDING;
        for (uint8_t r = 0; r < CELL_ROLE_COUNT; r++)
            if (rb.bytes[i][r] > rb.bytes[i][best] || (rb.bytes[i][r] == rb.bytes[i][best] && r > best))
                best = r;
        if (c->beneath != best)
            fail_msg("cell %zu: beneath %d, the bytes say %d", i, c->beneath, best);
        if (best == CELL_LIVE) {
            assert_true(c->block >= 0); /* coloured as one of its blocks */
            over_live++;
        }
        over_freed += best == CELL_FREED;
    }
    assert_true(over_live > 10);
    assert_true(over_freed > 0);
    /* at a fine zoom padding is padding, whatever is around it */
    assert_true(cells_build(s, 16, 0, &g));
    for (size_t i = 0; i < g.count; i++)
        assert_int_equal(g.cells[i].beneath, g.cells[i].role);
    free(rb.bytes);
    cells_free(&g);
    session_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_maps),
        cmocka_unit_test(test_padding_visible_at_every_zoom),
        cmocka_unit_test(test_fit_and_labels),
        cmocka_unit_test(test_zoom_is_capped),
        cmocka_unit_test(test_padding_cells_say_what_they_sit_among),
    };
    return cmocka_run_group_tests_name("textmap", tests, NULL, NULL);
}
