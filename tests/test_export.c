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
    svgout_frame f = {s, true, session_caption(s), 3, 3, "note x", false, NULL, NULL, 0};
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
        cmocka_unit_test(test_export_command),
        cmocka_unit_test(test_html_differences),
    };
    return cmocka_run_group_tests_name("export", tests, setup, teardown);
}
