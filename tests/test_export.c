/*
 * test_export.c - the exporters' promises that need no browser: the file
 * rule (temporary file renamed into place, an existing file refused
 * without force, a directory and an unwritable path refused, nothing left
 * behind), the SVG's cells and texts, the `export svg` handler, and the
 * HTML page's data (one line of changes per step, small per step).
 * tests/export_test.sh checks the same files with xmllint, librsvg,
 * tmux and Chromium.
 */
#include <dirent.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sessionkit.h"
#include "allocscope/htmlout.h"
#include "allocscope/parse.h"
#include "allocscope/player.h"
#include "allocscope/svgout.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_export.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (e->d_name[0] != '.')
            if (unlink(p) != 0)
                rmdir(p);
    }
    if (d)
        closedir(d);
    return rmdir(dir);
}

static char *slurp(const char *path)
{
    strbuf sb, err;
    sb_init(&sb);
    sb_init(&err);
    bool ok = sb_read_file(&sb, path, 1 << 26, &err);
    sb_free(&err);
    if (!ok) {
        sb_free(&sb);
        return NULL;
    }
    return sb.data ? sb.data : strdup("");
}

/* Files in the test directory whose name contains part. */
static int files_with(const char *part)
{
    int n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += strstr(e->d_name, part) != NULL;
    if (d)
        closedir(d);
    return n;
}

static void test_write_file_rule(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/out.svg", dir);
    strbuf err;
    sb_init(&err);
    assert_true(svgout_write_file(path, "first", 5, false, &err));
    char *text = slurp(path);
    assert_string_equal(text, "first");
    free(text);
    /* an existing file: refused, kept as it was */
    assert_false(svgout_write_file(path, "second", 6, false, &err));
    assert_non_null(strstr(sb_str(&err), "exists: not replaced"));
    text = slurp(path);
    assert_string_equal(text, "first");
    free(text);
    /* with force: replaced */
    assert_true(svgout_write_file(path, "second", 6, true, &err));
    text = slurp(path);
    assert_string_equal(text, "second");
    free(text);
    /* a directory, even with force */
    sb_clear(&err);
    assert_false(svgout_write_file(dir, "x", 1, true, &err));
    assert_non_null(strstr(sb_str(&err), "is a directory"));
    /* a path that cannot be written */
    sb_clear(&err);
    assert_false(svgout_write_file("/proc/no-such-dir/x.svg", "x", 1, false, &err));
    assert_non_null(strstr(sb_str(&err), "cannot write"));
    assert_int_equal(files_with(".tmp-"), 0);
    sb_free(&err);
}

static void test_size(void **state)
{
    (void)state;
    int c = 0, r = 0;
    strbuf err;
    sb_init(&err);
    assert_true(svgout_parse_size("100x30", &c, &r, &err));
    assert_int_equal(c, 100);
    assert_int_equal(r, 30);
    assert_false(svgout_parse_size("10x5", &c, &r, &err));
    assert_false(svgout_parse_size("100x30x", &c, &r, &err));
    assert_false(svgout_parse_size("100", &c, &r, &err));
    assert_false(svgout_parse_size("9999x30", &c, &r, &err));
    assert_int_equal(c, 100);
    sb_free(&err);
}

/* The SVG of a small heap: the first map cell is block 0's colour at the
 * map's first row and column; texts are escaped. */
static void test_svg_cells_and_text(void **state)
{
    (void)state;
    session *s = session_create();
    sk_run(s, "new bump 256");
    sk_run(s, "alloc 24 as buf");
    sk_run(s, "note <a & b> x");
    svgout_frame f = {.s = s, .playing = true, .caption = session_caption(s), .position = 3, .length = 3,
                      .command = "note x"};
    svgout_options o = {0, 0, LOOKS_THEME_LIGHT, false};
    strbuf svg;
    sb_init(&svg);
    assert_true(svgout_render(&f, &o, &svg, NULL));
    char want[128];
    uint32_t live0 = looks_rgb(looks_area(STYLE_LIVE0), LOOKS_THEME_LIGHT, false);
    /* row 3 of the 120x40 layout (header 2, ruler 1), column 9 (the offsets) */
    snprintf(want, sizeof want, "<rect class=\"c\" x=\"%d\" y=\"%d\" width=\"", 9 * 9, 3 * 18);
    const char *first = strstr(sb_str(&svg), "<rect class=\"c\"");
    assert_non_null(first);
    assert_memory_equal(first, want, strlen(want));
    snprintf(want, sizeof want, "fill=\"#%06x\"", (unsigned)live0);
    assert_non_null(strstr(first, want));
    assert_true(strstr(first, want) < strchr(first, '\n'));
    assert_non_null(strstr(sb_str(&svg), "&lt;a &amp; b&gt; x</text>"));
    assert_null(strstr(sb_str(&svg), "<a &"));
    /* the dark theme's page is the terminal's black */
    sb_clear(&svg);
    o.theme = LOOKS_THEME_DARK;
    assert_true(svgout_render(&f, &o, &svg, NULL));
    assert_non_null(strstr(sb_str(&svg), "fill=\"#000000\" class=\"page\""));
    sb_free(&svg);
    session_destroy(s);
}

/* Relative luminance and contrast ratio (WCAG 2) of 0xRRGGBB colours. */
static double luminance(uint32_t rgb)
{
    double l = 0, weight[3] = {0.0722, 0.7152, 0.2126};
    for (int k = 0; k < 3; k++) {
        double c = (double)(rgb >> (8 * k) & 0xff) / 255;
        c = c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
        l += weight[k] * c;
    }
    return l;
}

static double contrast(uint32_t a, uint32_t b)
{
    double x = luminance(a), y = luminance(b);
    return x > y ? (x + 0.05) / (y + 0.05) : (y + 0.05) / (x + 0.05);
}

/* Text on the light page is readable: the warning and error inks reach
 * 4.5:1 against it (WCAG AA), the blocks' colours as name tags 3:1 (bold
 * text); the dark theme keeps the terminal's colours. */
static void test_light_theme_inks(void **state)
{
    (void)state;
    uint32_t page = looks_rgb((looks_colour)LOOKS_NONE, LOOKS_THEME_LIGHT, false);
    looks_style text[] = {STYLE_WARNING, STYLE_ERROR, STYLE_TEXT};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        svgout_ink ink = svgout_style_ink(text[i], LOOKS_THEME_LIGHT);
        assert_false(ink.has_bg);
        assert_true(contrast(ink.fg, page) >= 4.5);
    }
    for (int k = 0; k < LOOKS_LIVE_COLOURS; k++) {
        looks_colour c = looks_area(looks_live_style(k));
        svgout_ink tag = svgout_ink_of(c, (looks_colour)LOOKS_NONE, LOOKS_BOLD, LOOKS_THEME_LIGHT);
        assert_true(contrast(tag.fg, page) >= 3.0);
        /* as a fill it is the palette's colour in either theme */
        assert_int_equal(looks_rgb(c, LOOKS_THEME_LIGHT, false), looks_rgb(c, LOOKS_THEME_DARK, false));
    }
    /* the dark theme's warning is the terminal's yellow */
    assert_int_equal(svgout_style_ink(STYLE_WARNING, LOOKS_THEME_DARK).fg,
                     looks_rgb(looks_style_of(STYLE_WARNING)->fg, LOOKS_THEME_DARK, true));
    /* ink over a fill of its own is the terminal's in the light theme too */
    const looks_style_spec *cap = looks_style_of(STYLE_CAPTION);
    assert_int_equal(svgout_style_ink(STYLE_CAPTION, LOOKS_THEME_LIGHT).fg, looks_rgb(cap->fg, LOOKS_THEME_DARK, true));
}

static size_t count_of(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

/* What the live view draws now: a changed solid cell is the change's glyph
 * over the block's colour with a bar at its foot; a freed block keeps its
 * name, in its colour on the page; the warnings are newest first. */
static void test_svg_follows_live_view(void **state)
{
    (void)state;
    session *s = session_create();
    sk_run(s, "new bump 64");
    sk_run(s, "alloc 8 as a");
    sk_run(s, "alloc 8 as b");
    cells_grid before;
    cells_init(&before);
    assert_true(cells_build(s, 0, 64, &before));
    sk_run(s, "alloc 16 as c");
    svgout_frame f = {.s = s, .caption = "", .before = &before};
    svgout_options o = {0, 0, LOOKS_THEME_DARK, false};
    strbuf svg;
    sb_init(&svg);
    assert_true(svgout_render(&f, &o, &svg, NULL));
    const char *bar = looks_glyph(LOOK_CHANGED, false);
    char want[128];
    snprintf(want, sizeof want, ">%s", bar);
    /* the bar at the foot: a rectangle 3 units high at the cell's last
     * units, white over the block; the legend's swatch has one too */
    size_t glyphs = count_of(sb_str(&svg), bar), bars = count_of(sb_str(&svg), "height=\"3\" fill=\"#ffffff\"");
    assert_true(glyphs >= 2 + 1); /* c: 16 bytes, at least two cells */
    assert_int_equal(bars, glyphs);
    /* with nothing changed, the legend's alone */
    sb_clear(&svg);
    f.before = NULL;
    assert_true(svgout_render(&f, &o, &svg, NULL));
    assert_int_equal(count_of(sb_str(&svg), bar), 1);
    /* b freed: its name is a tag on the page, in block 1's colour */
    sk_run(s, "free b");
    sk_run(s, "free a");
    sb_clear(&svg);
    assert_true(svgout_render(&f, &o, &svg, NULL));
    uint32_t live1 = looks_rgb(looks_area(looks_live_style(1)), LOOKS_THEME_DARK, true);
    snprintf(want, sizeof want, "fill=\"#%06x\" font-weight=\"bold\" textLength=\"9\">b</text>", (unsigned)live1);
    assert_non_null(strstr(sb_str(&svg), want));
    sb_free(&svg);
    cells_free(&before);
    session_destroy(s);
}

/* The live view's presentation during playback: the map cut to the part
 * in use (never back), free blocks in their list's order as badges with
 * the legend's entry, warnings tagged with their allocator. */
static void test_svg_presentation(void **state)
{
    (void)state;
    session *s = session_create();
    sk_run(s, "new bump 4096");
    sk_run(s, "alloc 40 as a");
    cells_grid g;
    cells_init(&g);
    cells_free_node nodes[16];
    size_t crop = 0, nfree = 9, cut_of = 0;
    assert_true(svgout_build_grid(s, true, 2048, &crop, &g, nodes, 16, &nfree, &cut_of));
    assert_int_equal(crop, 64);
    assert_int_equal(cut_of, 4096);
    assert_int_equal(nfree, 0);
    assert_int_equal(g.regions[0].count * g.zoom, 64);
    crop = 1024; /* a cut shown before is kept */
    assert_true(svgout_build_grid(s, true, 2048, &crop, &g, nodes, 16, &nfree, &cut_of));
    assert_int_equal(crop, 1024);
    assert_true(svgout_build_grid(s, false, 2048, &crop, &g, nodes, 16, &nfree, &cut_of));
    assert_int_equal(crop, 0); /* not playing: the whole buffer */
    assert_int_equal(g.regions[0].count * g.zoom, 4096);
    svgout_frame f = {.s = s, .playing = true, .caption = "x", .position = 1, .length = 2, .crop = &crop};
    svgout_options o = {0, 0, LOOKS_THEME_LIGHT, false};
    strbuf svg;
    sb_init(&svg);
    crop = 0;
    assert_true(svgout_render(&f, &o, &svg, NULL));
    /* 40 bytes and the offset's cell at the picture's zoom: a cut of 64 or 128, said under the map */
    assert_true(crop == 64 || crop == 128);
    char cut[64];
    snprintf(cut, sizeof cut, ">%7zu  ... to 4096: not used yet", crop);
    assert_non_null(strstr(sb_str(&svg), cut));
    assert_null(strstr(sb_str(&svg), "place in its free list"));
    session_destroy(s);

    /* a free list's holes: badges 1 and 2 in address order, the legend says what they are */
    s = session_create();
    sk_run(s, "new freelist 256"); /* a short map: the legend has room */
    sk_run(s, "alloc 24 as a");
    sk_run(s, "alloc 24 as b");
    sk_run(s, "alloc 24 as c");
    sk_run(s, "alloc 24 as d");
    sk_run(s, "free a");
    sk_run(s, "free c");
    crop = 0;
    assert_true(svgout_build_grid(s, false, 2048, &crop, &g, nodes, 16, &nfree, &cut_of));
    assert_true(nfree >= 2);
    assert_int_equal(nodes[0].rank, 1);
    assert_int_equal(nodes[1].rank, 2);
    assert_true(nodes[0].cell < nodes[1].cell);
    f = (svgout_frame){.s = s, .caption = ""};
    sb_clear(&svg);
    assert_true(svgout_render(&f, &o, &svg, NULL));
    assert_non_null(strstr(sb_str(&svg), "place in its free list (1: the head)</text>"));
    assert_non_null(strstr(sb_str(&svg), ">2</text>"));
    session_destroy(s);

    /* with several allocators each warning names its own */
    s = session_create();
    sk_run(s, "new bump 64 as one");
    sk_run(s, "new bump 64 as two");
    sk_run(s, "alloc 8 as x");
    sk_run(s, "free x");
    assert_true(session_warning_count(s) >= 1);
    session_warning w = session_warning_at(s, 0);
    char line[512];
    svgout_warning_text(s, &w, line, sizeof line);
    assert_non_null(strstr(line, " [two] "));
    f = (svgout_frame){.s = s, .caption = ""};
    sb_clear(&svg);
    assert_true(svgout_render(&f, &o, &svg, NULL));
    assert_non_null(strstr(sb_str(&svg), "[two] "));
    sb_free(&svg);
    cells_free(&g);
    session_destroy(s);
}

/* Warnings newest first, their kind written once; a comparison group is
 * drawn stacked, every member named, and the title says so. */
static void test_svg_warnings_and_group(void **state)
{
    (void)state;
    session *s = session_create();
    sk_run(s, "new bump 64 as one");
    sk_run(s, "new bump 64 as two");
    sk_run(s, "compare one two");
    sk_run(s, "alloc 8 as x");
    svgout_frame f = {.s = s, .caption = ""};
    svgout_options o = {0, 0, LOOKS_THEME_LIGHT, false};
    strbuf svg;
    sb_init(&svg);
    assert_true(svgout_render(&f, &o, &svg, NULL));
    const char *doc = sb_str(&svg);
    assert_non_null(strstr(doc, ", a comparison group</title>"));
    assert_non_null(strstr(doc, "> one (bump)  used 8"));
    assert_non_null(strstr(doc, "> two (bump)  used 8"));
    assert_non_null(strstr(doc, ">compare</text>"));
    sb_free(&svg);
    session_destroy(s);

    s = session_create();
    sk_run(s, "new debug 256");
    sk_run(s, "alloc 8 as a");
    sk_run(s, "alloc 8 as b");
    sk_run(s, "free a");
    sk_run(s, "free a"); /* a double free: a warning, the state kept */
    sk_run(s, "free b");
    sk_run(s, "free b");
    f.s = s;
    size_t n = session_warning_count(s);
    assert_true(n >= 2);
    sb_init(&svg);
    assert_true(svgout_render(&f, &o, &svg, NULL));
    doc = sb_str(&svg);
    assert_non_null(strstr(doc, "newest first</text>"));
    char newest[512], oldest[512];
    session_warning w = session_warning_at(s, n - 1);
    svgout_warning_text(s, &w, newest, sizeof newest);
    w = session_warning_at(s, 0);
    svgout_warning_text(s, &w, oldest, sizeof oldest);
    newest[20] = oldest[20] = '\0'; /* their first words, before any wrap */
    assert_non_null(strstr(doc, newest));
    assert_non_null(strstr(doc, oldest));
    assert_true(strstr(doc, newest) < strstr(doc, oldest));
    sb_free(&svg);
    session_destroy(s);
}

static session_status run_export(session *s, const char *line, strbuf *out)
{
    parse_words w;
    assert_null(parse_split(line, &w));
    sb_clear(out);
    return svgout_cmd_export(s, &w, out);
}

static void test_export_command(void **state)
{
    (void)state;
    session *s = session_create();
    sk_run(s, "new pool 24 capacity 8");
    sk_run(s, "alloc 24 as a");
    char line[256], path[128];
    snprintf(path, sizeof path, "%s/p.svg", dir);
    strbuf out;
    sb_init(&out);
    snprintf(line, sizeof line, "export svg %s", path);
    assert_int_equal(run_export(s, line, &out), SESSION_OK);
    assert_non_null(strstr(sb_str(&out), "wrote "));
    char *text = slurp(path);
    assert_non_null(text);
    assert_non_null(strstr(text, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1080\" height=\"720\""));
    free(text);
    assert_int_equal(run_export(s, line, &out), SESSION_ERROR);
    assert_non_null(strstr(sb_str(&out), "error: "));
    assert_non_null(strstr(sb_str(&out), "exists"));
    snprintf(line, sizeof line, "export svg %s force dark 80x24", path);
    assert_int_equal(run_export(s, line, &out), SESSION_OK);
    text = slurp(path);
    assert_non_null(strstr(text, "width=\"720\" height=\"432\""));
    free(text);
    snprintf(line, sizeof line, "export svg %s force 3x3", path);
    assert_int_equal(run_export(s, line, &out), SESSION_ERROR);
    assert_non_null(strstr(sb_str(&out), "COLSxROWS"));
    assert_int_equal(run_export(s, "export png x", &out), SESSION_ERROR);
    assert_non_null(strstr(sb_str(&out), "usage: export svg FILE"));
    assert_int_equal(files_with(".tmp-"), 0);
    sb_free(&out);
    session_destroy(s);
}

/* Lines of the page's data block. */
static size_t data_lines(const char *page, size_t *bytes)
{
    const char *start = strstr(page, "id=\"D\">");
    assert_non_null(start);
    start += strlen("id=\"D\">");
    const char *end = strstr(start, "</script>");
    assert_non_null(end);
    *bytes = (size_t)(end - start);
    size_t n = 0;
    for (const char *p = start; p < end; p++)
        n += *p == '\n';
    return n;
}

static void test_html_differences(void **state)
{
    (void)state;
    strbuf scene, err, page;
    sb_init(&scene);
    sb_init(&err);
    sb_init(&page);
    sb_add(&scene, "new freelist 65536\nnote many small steps\n");
    size_t steps = 2;
    for (int i = 0; i < 1000; i++, steps += 2)
        sb_printf(&scene, "alloc %d as b%d\nfree b%d\n", 8 + i % 64, i, i / 2);
    player *p = player_from_text("many", sb_str(&scene), &err);
    assert_non_null(p);
    assert_true(htmlout_render(p, false, false, &page));
    size_t bytes;
    assert_int_equal(data_lines(sb_str(&page), &bytes), steps + 1);
    /* the first state is whole, every later one a few changes */
    assert_true(bytes / steps < 120);
    assert_non_null(strstr(sb_str(&page), "\"many small steps\""));
    assert_null(strstr(sb_str(&page), "http://"));
    assert_null(strstr(sb_str(&page), "https://"));
    player_close(p);
    sb_free(&scene);
    sb_free(&err);
    sb_free(&page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_file_rule),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_svg_cells_and_text),
        cmocka_unit_test(test_light_theme_inks),
        cmocka_unit_test(test_svg_follows_live_view),
        cmocka_unit_test(test_svg_presentation),
        cmocka_unit_test(test_svg_warnings_and_group),
        cmocka_unit_test(test_export_command),
        cmocka_unit_test(test_html_differences),
    };
    return cmocka_run_group_tests_name("export", tests, setup, teardown);
}
