/* test_screen.c - the live view's layout and styles, without a terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "allocscope/interp.h"
#include "allocscope/screen.h"

static bool overlaps(const screen_rect *a, const screen_rect *b)
{
    if (a->h == 0 || a->w == 0 || b->h == 0 || b->w == 0)
        return false;
    return a->y < b->y + b->h && b->y < a->y + a->h && a->x < b->x + b->w && b->x < a->x + a->w;
}

static void assert_sane(int rows, int cols, bool playing)
{
    screen_layout l;
    screen_compute(rows, cols, playing, &l);
    assert_false(l.too_small);
    const screen_rect *all[] = {&l.header, &l.map, &l.table, &l.warnings, &l.caption,
                                &l.status, &l.answer, &l.prompt};
    size_t n = sizeof all / sizeof all[0];
    for (size_t i = 0; i < n; i++) {
        assert_true(all[i]->y >= 0 && all[i]->x >= 0);
        assert_true(all[i]->y + all[i]->h <= rows);
        assert_true(all[i]->x + all[i]->w <= cols);
        for (size_t k = i + 1; k < n; k++)
            if (overlaps(all[i], all[k]))
                fail_msg("%dx%d: panes %zu and %zu overlap", cols, rows, i, k);
    }
    assert_int_equal(l.answer.y, l.prompt.y + 1); /* the answer shows under the prompt */
    assert_int_equal(l.answer.y + l.answer.h, rows);
    assert_true(l.map_cols >= 8);
    assert_true(l.map_rows >= 1);
    assert_true(SCREEN_MAP_PREFIX + l.map_cols <= l.map.w);
    assert_int_equal(l.caption.h > 0, playing);
    assert_int_equal(l.status.h > 0, playing);
}

static void test_layouts_at_many_sizes(void **state)
{
    static const int sizes[][2] = {{12, 40}, {20, 60}, {24, 80}, {30, 100}, {32, 110}, {50, 200}, {60, 300}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        assert_sane(sizes[i][0], sizes[i][1], false);
        assert_sane(sizes[i][0], sizes[i][1], true);
    }
}

static void test_too_small(void **state)
{
    screen_layout l;
    screen_compute(6, 20, false, &l);
    assert_true(l.too_small);
    screen_compute(11, 80, true, &l);
    assert_true(l.too_small);
    screen_compute(40, 39, false, &l);
    assert_true(l.too_small);
}

static void test_side_panel_when_wide(void **state)
{
    screen_layout l;
    screen_compute(40, 120, false, &l);
    assert_int_equal(l.table.x, 120 - SCREEN_SIDE_WIDTH);
    assert_int_equal(l.map.h, l.table.h + l.warnings.h);
    screen_compute(40, 80, false, &l);
    assert_int_equal(l.table.x, 0);
    assert_true(l.table.y > l.map.y);
}

static void test_cell_styles(void **state)
{
    cell c = {.role = CELL_LIVE, .block = 0, .beneath = CELL_LIVE};
    assert_int_equal(screen_cell_style(&c), STYLE_LIVE0);
    c.block = 7;
    assert_int_equal(screen_cell_style(&c), STYLE_LIVE0 + 7 % SCREEN_LIVE_COLOURS);
    c.role = CELL_PADDING;
    assert_int_equal(screen_cell_style(&c), STYLE_PADDING);
    c.role = CELL_FREED;
    assert_int_equal(screen_cell_style(&c), STYLE_FREED);
    c.role = CELL_META;
    assert_int_equal(screen_cell_style(&c), STYLE_META);
    c.role = CELL_UNUSED;
    assert_int_equal(screen_cell_style(&c), STYLE_UNUSED);
    c.marks = CELL_MARK_OFFSET;
    assert_int_equal(screen_cell_style(&c), STYLE_OFFSET);
    assert_string_equal(screen_style_name(STYLE_PADDING), "padding");
}

static bool is_power_of_two(int x) { return x > 0 && (x & (x - 1)) == 0; }

static void test_maps_fill_the_map_in_aligned_rows(void **state)
{
    static const int sizes[][2] = {{24, 80}, {38, 130}, {45, 160}, {50, 200}, {20, 60}};
    static const size_t buffers[] = {64, 256, 1024, 4096};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        screen_layout l;
        screen_compute(sizes[i][0], sizes[i][1], true, &l);
        int usable = l.map.w - SCREEN_MAP_PREFIX - 1;
        for (size_t b = 0; b < sizeof buffers / sizeof buffers[0]; b++) {
            size_t cells = buffers[b];
            screen_map_shape m = screen_map_shape_of(&l, &cells, 1);
            assert_true(m.cell_width >= 1 && m.cell_width <= SCREEN_MAX_CELL_WIDTH);
            assert_true(m.cells_per_row * m.cell_width <= usable);
            if (m.cell_width == 1 && m.cells_per_row == l.map_cols)
                continue; /* too big for aligned rows: the layout's rows */
            /* rows of a power of two bytes, all on the map ... */
            assert_true(is_power_of_two(m.cells_per_row));
            assert_true(screen_map_rows_needed((size_t)m.cells_per_row, &cells, 1) <= (size_t)l.map_rows);
            /* ... and no wider cell would still fit */
            if (m.cell_width < SCREEN_MAX_CELL_WIDTH) {
                int w = m.cell_width + 1, n = 8;
                while (n * 2 * w <= usable)
                    n *= 2;
                assert_true(n * w > usable || screen_map_rows_needed((size_t)n, &cells, 1) > (size_t)l.map_rows);
            }
        }
    }
    /* 256 bytes on 130x38 during a scene: 16 bytes a row, 4 columns a byte */
    screen_layout l;
    screen_compute(38, 130, true, &l);
    size_t cells = 256;
    screen_map_shape m = screen_map_shape_of(&l, &cells, 1);
    assert_int_equal(m.cells_per_row, 16);
    assert_int_equal(m.cell_width, 4);
    /* more cells than aligned rows can hold, but not the layout's: its rows */
    assert_int_equal(l.map_cols, 72);
    cells = (size_t)l.map_cols * (size_t)l.map_rows;
    m = screen_map_shape_of(&l, &cells, 1);
    assert_int_equal(m.cells_per_row, l.map_cols);
    assert_int_equal(m.cell_width, 1);
}

static void test_rows_needed_count_dividers(void **state)
{
    size_t one[] = {100}, three[] = {16, 17, 1};
    assert_int_equal(screen_map_rows_needed(16, one, 1), 7);
    assert_int_equal(screen_map_rows_needed(16, three, 3), 3 + 1 + 2 + 1);
    assert_int_equal(screen_map_rows_needed(16, one, 0), 0);
}

static void test_caption_grows_to_its_text(void **state)
{
    (void)state;
    screen_layout l, plain;
    screen_compute(35, 120, true, &plain);
    screen_compute_captioned(35, 120, 3, &l);
    assert_int_equal(l.caption.h, 3 + 2); /* every line, a margin above and below */
    assert_int_equal(l.caption.y + l.caption.h, l.status.y);
    assert_true(l.map.h < plain.map.h);
    screen_compute_captioned(35, 120, 1, &l);
    assert_int_equal(l.caption.h, plain.caption.h); /* never below the usual band */
    screen_compute_captioned(24, 80, 40, &l);
    assert_int_equal(l.caption.h, 24 / 3); /* at most a third of the screen */
    static const int sizes[][2] = {{12, 40}, {24, 80}, {35, 120}, {50, 200}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int lines = 0; lines < 12; lines++) {
            screen_compute_captioned(sizes[i][0], sizes[i][1], lines, &l);
            const screen_rect *all[] = {&l.header, &l.map, &l.table, &l.warnings, &l.caption,
                                        &l.status, &l.answer, &l.prompt};
            for (size_t a = 0; a < 8; a++) {
                assert_true(all[a]->y >= 0 && all[a]->y + all[a]->h <= sizes[i][0]);
                for (size_t b = a + 1; b < 8; b++)
                    assert_false(overlaps(all[a], all[b]));
            }
            assert_int_equal(l.caption.h > 0, lines > 0);
            assert_true(l.map_rows >= 1);
        }
}

static void test_slots_stack_in_columns(void **state)
{
    (void)state;
    screen_layout l;
    screen_compute(35, 120, true, &l);
    size_t cells = 384; /* a pool of 16 slots of 24 bytes */
    screen_map_shape m = screen_map_shape_strided(&l, &cells, 1, 24);
    assert_int_equal(m.cells_per_row % 24, 0);
    assert_true(m.cells_per_row * m.cell_width <= l.map.w - SCREEN_MAP_PREFIX - 1);
    assert_true(screen_map_rows_needed((size_t)m.cells_per_row, &cells, 1) <= (size_t)l.map_rows);
    /* no stride: the power-of-two rows */
    screen_map_shape plain = screen_map_shape_of(&l, &cells, 1), none = screen_map_shape_strided(&l, &cells, 1, 0);
    assert_int_equal(plain.cells_per_row, none.cells_per_row);
    assert_int_equal(plain.cell_width, none.cell_width);
    /* a stride wider than the map cannot be stacked */
    none = screen_map_shape_strided(&l, &cells, 1, 1000);
    assert_int_equal(plain.cells_per_row, none.cells_per_row);
}

/* A clean picture gives the side panes' room to the map. */
static void test_clean_picture(void **state)
{
    screen_layout l, clean;
    screen_compute_captioned(35, 120, 1, &l);
    clean = l;
    screen_hide_side(&clean);
    assert_int_equal(clean.table.h, 0);
    assert_int_equal(clean.warnings.h, 0);
    assert_int_equal(clean.map.w, 120);
    assert_true(clean.map_cols > l.map_cols);
    screen_compute_captioned(24, 80, 1, &l); /* the panes under the map */
    clean = l;
    screen_hide_side(&clean);
    assert_int_equal(clean.map.h, l.map.h + l.table.h);
    assert_true(clean.map_rows > l.map_rows);
}

/* The playback cut: the part in use and half again, a power of two, never
 * moving back; none when it would show most of the buffer anyway. */
static void test_crop_and_tall_rows(void **state)
{
    assert_int_equal(screen_crop(72, 4096, 0), 128);
    assert_int_equal(screen_crop(0, 4096, 0), 64);
    assert_int_equal(screen_crop(20, 4096, 512), 512);  /* never less than before */
    assert_int_equal(screen_crop(700, 1024, 0), 0);     /* most of it: all of it */
    assert_int_equal(screen_crop(100, 128, 0), 0);
    assert_int_equal(screen_row_height(8, 30), 3);
    assert_int_equal(screen_row_height(9, 30), 3);
    assert_int_equal(screen_row_height(12, 30), 2);
    assert_int_equal(screen_row_height(14, 30), 1);
    assert_int_equal(screen_row_height(0, 30), 1);
    assert_int_equal(screen_row_height(1, 2), 1);
}

static void run(session *s, const char *line)
{
    strbuf out;
    sb_init(&out);
    assert_int_equal(interp_execute(s, line, &out).status, SESSION_OK);
    sb_free(&out);
}

/* Free blocks come in their list's order: a free list's by address, a
 * pool's last freed first. */
static void test_free_order(void **state)
{
    session *s = session_create();
    run(s, "new freelist 1024");
    run(s, "alloc 64 as a");
    run(s, "alloc 64 as b");
    run(s, "alloc 64 as c");
    run(s, "free a");
    run(s, "free c"); /* merges with the rest after it */
    cells_grid g;
    cells_init(&g);
    assert_true(cells_build(s, 1, 4096, &g));
    cells_free_node n[8];
    assert_int_equal(cells_free_order(s, &g, n, 8), 2);
    assert_int_equal(n[0].rank, 1);
    assert_int_equal(n[1].rank, 2);
    assert_true(n[0].cell < n[1].cell); /* address order */
    assert_int_equal(n[1].cell + n[1].cells, g.regions[0].count); /* one block to the end */
    assert_int_equal(cells_free_order(s, &g, n, 1), 2); /* counts what does not fit */

    run(s, "new pool 16 capacity 8");
    run(s, "alloc 16 as p");
    run(s, "alloc 16 as q");
    run(s, "free p");
    run(s, "free q");
    assert_true(cells_build(s, 1, 4096, &g));
    assert_int_equal(cells_free_order(s, &g, n, 8), 2);
    assert_int_equal(n[0].cell, 16); /* q, freed last, is the head */
    assert_int_equal(n[1].cell, 0);
    run(s, "new counting over freelist 512"); /* a wrapper: the wrapped one's free list */
    run(s, "alloc 32 as w");
    run(s, "free w");
    assert_true(cells_build(s, 1, 4096, &g));
    assert_int_equal(cells_free_order(s, &g, n, 8), 1);
    assert_int_equal(n[0].cell, 0);
    run(s, "new bump 64"); /* no free structure */
    assert_true(cells_build(s, 1, 4096, &g));
    assert_int_equal(cells_free_order(s, &g, n, 8), 0);
    cells_free(&g);
    session_destroy(s);
}

/* The grid computations both views share: a pool's slot stride, the cells
 * in use, the cut to whole slots, and a free block that runs into unused
 * bytes drawn as one freed region. */
static void test_shared_grid_logic(void **state)
{
    session *s = session_create();
    cells_grid g;
    cells_init(&g);
    run(s, "new pool 16 capacity 8");
    run(s, "alloc 16 as p");
    assert_true(cells_build(s, 1, 4096, &g));
    assert_int_equal(g.regions[0].count, 128);
    assert_int_equal(cells_slot_stride(&g), 16);
    assert_int_equal(cells_cut(&g, 200), 0); /* would keep every cell: left as it was */
    assert_int_equal(g.regions[0].count, 128);
    assert_int_equal(cells_cut(&g, 20), 32); /* 20 cells, up to whole slots */
    assert_int_equal(g.regions[0].count, 32);

    run(s, "new bump 64");
    assert_true(cells_build(s, 1, 4096, &g));
    assert_int_equal(cells_used(&g), 1); /* only the offset, at 0 */
    assert_int_equal(cells_slot_stride(&g), 0);
    run(s, "alloc 10 as a");
    assert_true(cells_build(s, 1, 4096, &g));
    assert_int_equal(cells_used(&g), 11); /* ten live, then the offset's cell */
    assert_int_equal(cells_cut(&g, 5), 5);
    assert_int_equal(g.regions[0].count, 5);

    run(s, "new freelist 1024");
    run(s, "alloc 64 as a");
    run(s, "alloc 64 as b");
    run(s, "alloc 64 as c");
    run(s, "free c"); /* merges with the never-used rest */
    assert_true(cells_build(s, 1, 4096, &g));
    cells_free_node n[8];
    size_t count = cells_free_order(s, &g, n, 8), mixed = 0;
    assert_true(count >= 1 && count <= 8);
    for (size_t i = 0; i < count; i++) {
        size_t freed = 0, unused = 0;
        for (size_t k = n[i].cell; k < n[i].cell + n[i].cells; k++)
            freed += g.cells[k].role == CELL_FREED, unused += g.cells[k].role == CELL_UNUSED;
        mixed += freed > 0 && unused > 0;
    }
    assert_int_equal(mixed, 1); /* c and the rest after it */
    cells_unify_free_blocks(&g, n, count);
    for (size_t i = 0; i < count; i++) {
        bool freed = false, unused = false;
        for (size_t k = n[i].cell; k < n[i].cell + n[i].cells; k++)
            freed |= g.cells[k].role == CELL_FREED, unused |= g.cells[k].role == CELL_UNUSED;
        assert_false(freed && unused); /* each free block one thing */
    }
    assert_int_equal(g.cells[16].role, CELL_LIVE); /* a is untouched */
    assert_int_equal(g.cells[200].role, CELL_FREED); /* c, past its free-list node */
    assert_int_equal(g.cells[1000].role, CELL_FREED); /* the never-used rest, now freed */
    assert_int_equal(g.cells[1000].block, -1);
    cells_free(&g);
    session_destroy(s);
}

static int one_column(const char *s, size_t *bytes)
{
    (void)s;
    *bytes = 1;
    return 1;
}

static int two_columns(const char *s, size_t *bytes)
{
    (void)s;
    *bytes = 1;
    return 2;
}

/* Wrapping: whole words while they fit, a long word cut, a newline a hard
 * break, characters as wide as the view says. */
static void test_wrap(void **state)
{
    const char *next;
    const char *t = "hello world foo";
    assert_int_equal(screen_wrap_line(t, 11, one_column, &next), 11);
    assert_string_equal(next, "foo");
    assert_int_equal(screen_wrap_line(t, 8, one_column, &next), 5);
    assert_string_equal(next, "world foo");
    assert_int_equal(screen_wrap_line("abcdefghij", 4, one_column, &next), 4);
    assert_string_equal(next, "efghij");
    assert_int_equal(screen_wrap_line("a\nb", 9, one_column, &next), 1);
    assert_string_equal(next, "b");
    assert_int_equal(screen_wrap_line("abcd", 5, two_columns, &next), 2);
    assert_int_equal(screen_wrap_line("abcd", 1, two_columns, &next), 1); /* always moves on */
    assert_int_equal(screen_wrapped_lines(t, 8, one_column), 3);
    assert_int_equal(screen_wrapped_lines(t, 80, one_column), 1);
    assert_int_equal(screen_wrapped_lines("", 8, one_column), 0);
}

/* The header's forms name the figures, each form no longer than the one
 * before; past the last, the line is left as it was. */
static void test_header_forms(void **state)
{
    session *s = session_create();
    run(s, "new bump 64");
    run(s, "alloc 10 as a");
    cells_grid g;
    cells_init(&g);
    assert_true(cells_build(s, 1, 4096, &g));
    session_stats st;
    session_stats_from_usage(s, &g.usage, &st);
    char line[512], before[512] = "";
    assert_true(screen_header_form(&st, "b", "bump", g.zoom, 0, line, sizeof line));
    assert_non_null(strstr(line, "capacity 64"));
    assert_non_null(strstr(line, "offset 10"));
    assert_non_null(strstr(line, "zoom 1 B/cell"));
    for (int form = 0; form < 6; form++) {
        assert_true(screen_header_form(&st, "b", "bump", g.zoom, form, line, sizeof line));
        assert_non_null(strstr(line, "b (bump)"));
        if (form > 0)
            assert_true(strlen(line) <= strlen(before));
        strcpy(before, line);
    }
    assert_true(strlen(line) < 80);
    assert_false(screen_header_form(&st, "b", "bump", g.zoom, 6, line, sizeof line));
    assert_string_equal(line, before);
    cells_free(&g);
    session_destroy(s);
}

/* A warning that begins with its own kind does not get it twice. */
static void test_kind_prefix(void **state)
{
    assert_int_equal(screen_kind_prefix("overflow: 4 bytes past a", "overflow"), 10);
    assert_int_equal(screen_kind_prefix("use after free: a", "use-after-free"), 16);
    assert_int_equal(screen_kind_prefix("overflowed a", "overflow"), 0);
    assert_int_equal(screen_kind_prefix("a overflow: x", "overflow"), 0);
    assert_int_equal(screen_kind_prefix("over", "overflow"), 0);
}

/* A free block's badge: at its first cell in the row, only with room. */
static void test_free_badge(void **state)
{
    char num[24];
    size_t col = 99;
    cells_free_node n = {10, 4, 12, 0};
    assert_int_equal(screen_free_badge(&n, 8, 8, 1, &col, num), 2); /* "12" in 4 cells */
    assert_int_equal(col, 2);
    assert_string_equal(num, "12");
    assert_int_equal(screen_free_badge(&n, 8, 8, 3, &col, num), 2);
    assert_int_equal(col, 6); /* three columns a cell */
    assert_int_equal(screen_free_badge(&n, 0, 8, 1, &col, num), 0); /* starts past the row */
    assert_int_equal(screen_free_badge(&n, 11, 8, 1, &col, num), 0); /* started before it */
    assert_int_equal(screen_free_badge(&n, 4, 7, 1, &col, num), 0); /* one cell of it in the row: no room */
    n.cells = 1;
    assert_int_equal(screen_free_badge(&n, 8, 8, 2, &col, num), 2); /* room in two columns */
    assert_int_equal(screen_free_badge(&n, 8, 8, 1, &col, num), 0);
}

/* A legend entry goes on this row, else on the next while there is one. */
static void test_legend_place(void **state)
{
    int y = 5, x = 2;
    assert_true(screen_legend_place(&y, 2, &x, 20, 6, 10)); /* fits */
    assert_int_equal(y, 5);
    assert_int_equal(x, 2);
    x = 15;
    assert_true(screen_legend_place(&y, 2, &x, 20, 6, 10)); /* the next row */
    assert_int_equal(y, 6);
    assert_int_equal(x, 2);
    x = 15;
    assert_false(screen_legend_place(&y, 2, &x, 20, 6, 10)); /* no row left */
    assert_int_equal(y, 6);
    x = 2;
    assert_false(screen_legend_place(&y, 2, &x, 20, 9, 30)); /* wider than the legend */
}

/* Freed bytes are free space where a free structure takes them back - a
 * free list that grows like sbrk has an offset (its heap end) too - and
 * used where only a reset reclaims them (behind a bump's offset). */
static void test_used_and_free_by_kind(void **state)
{
    session *s = session_create();
    strbuf out;
    sb_init(&out);
    const char *lines[] = {"new freelist 4096 grow", "alloc 100 as a", "alloc 200 as b", "alloc 50 as c", "free b"};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(interp_execute(s, lines[i], &out).status, SESSION_OK);
    session_stats st;
    session_get_stats(s, &st);
    assert_true(st.has_offset && st.freed_reusable && st.freed_bytes > 0);
    assert_int_equal(screen_free_bytes(&st), st.freed_bytes + st.unused_bytes);
    assert_int_equal(screen_used_bytes(&st) + screen_free_bytes(&st) + st.unknown_bytes, st.capacity);
    const char *bump[] = {"new bump 4096", "alloc 100 as a", "alloc 200 as b", "free b"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(interp_execute(s, bump[i], &out).status, SESSION_OK);
    session_get_stats(s, &st);
    assert_true(st.has_offset && !st.freed_reusable);
    assert_int_equal(screen_free_bytes(&st), st.unused_bytes); /* a bump's freed bytes stay used */
    sb_free(&out);
    session_destroy(s);
}

/* A comparison member's warning is tagged with the member once: the tag,
 * then the kind, then the message without the name it starts with. */
static void test_member_warning_named_once(void **state)
{
    session *s = session_create();
    strbuf out;
    sb_init(&out);
    const char *lines[] = {"compare bump freelist", "alloc 16 as d", "free d"};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(interp_execute(s, lines[i], &out).status, SESSION_OK);
    assert_true(session_warning_count(s) >= 1);
    session_warning w = session_warning_at(s, 0);
    assert_non_null(strstr(w.message, "bump: ")); /* the model's message names the member */
    char text[512];
    screen_warning_text(s, &w, text, sizeof text);
    assert_non_null(strstr(text, "[bump] noop-free: "));
    assert_null(strstr(text, "noop-free: bump: "));
    assert_string_equal(strstr(text, "] ") + 2, "noop-free: free of d reclaims nothing: a bump allocator frees nothing "
                                                 "until reset");
    sb_free(&out);
    session_destroy(s);
}

/* A long reg:off (a glibc heap's 0:168080) takes its columns from the
 * size's, so slack, pad and state stay under their headings. */
static void test_table_columns_stay_put(void **state)
{
    session_block shortb = {.region = 0, .offset = 16, .size = 48, .padding = 0, .live = true};
    session_block longb = {.region = 0, .offset = 168080, .size = 48, .padding = 0, .live = true};
    session_block longer = {.region = 12, .offset = 16777216, .size = 7, .padding = 2, .live = false};
    char a[96], b[96], c[96];
    screen_table_columns(a, sizeof a, &shortb, true, 5);
    screen_table_columns(b, sizeof b, &longb, true, 5);
    screen_table_columns(c, sizeof c, &longer, true, 5);
    assert_string_equal(a, "   0:16     48     5    0 live ");
    assert_string_equal(b, "0:168080    48     5    0 live ");
    assert_int_equal(strstr(c, "     5    2 freed") - c, strstr(a, "     5    0 live") - a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layouts_at_many_sizes),
        cmocka_unit_test(test_used_and_free_by_kind),
        cmocka_unit_test(test_table_columns_stay_put),
        cmocka_unit_test(test_member_warning_named_once),
        cmocka_unit_test(test_too_small),
        cmocka_unit_test(test_side_panel_when_wide),
        cmocka_unit_test(test_cell_styles),
        cmocka_unit_test(test_maps_fill_the_map_in_aligned_rows),
        cmocka_unit_test(test_rows_needed_count_dividers),
        cmocka_unit_test(test_caption_grows_to_its_text),
        cmocka_unit_test(test_slots_stack_in_columns),
        cmocka_unit_test(test_clean_picture),
        cmocka_unit_test(test_free_order),
        cmocka_unit_test(test_crop_and_tall_rows),
        cmocka_unit_test(test_shared_grid_logic),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_header_forms),
        cmocka_unit_test(test_kind_prefix),
        cmocka_unit_test(test_free_badge),
        cmocka_unit_test(test_legend_place),
    };
    return cmocka_run_group_tests_name("screen", tests, NULL, NULL);
}
