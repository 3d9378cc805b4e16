/* test_plugin_session.c - `new plugin` in a session: the plugin's broken
 * promises become warnings of the right kind at the right step, a crash
 * leaves the state of the step before, undo replays a plugin to the same
 * state, bad libraries are refused with the state unchanged, and a
 * sandboxed session loads none. The plugins are tests/plugins, built into
 * build/plugins (found through ALLOCSCOPE_PLUGIN_PATH, set from argv[0]). */
#include <libgen.h>

#include "sessionkit.h"
#include "allocscope/jsonout.h"
#include "allocscope/kinds.h"
#include "allocscope/plugin_host.h"
#include "allocscope/screen.h"
#include "allocscope/textmap.h"
#include "allocscope/warning.h"

static session *fresh(void)
{
    session *s = session_create();
    assert_non_null(s);
    return s;
}

/* The only warning, which must be of that kind at that step. */
static session_warning only_warning(const session *s, const char *kind, size_t step)
{
    assert_int_equal(session_warning_count(s), 1);
    session_warning w = session_warning_at(s, 0);
    if (strcmp(w.kind, kind) != 0 || w.step != step)
        fail_msg("expected %s at step %zu, got %s at step %zu: %s", kind, step, w.kind, w.step, w.message);
    return w;
}

static plugin *active_plugin(const session *s)
{
    as_instance in = session_active_instance(s);
    assert_ptr_equal(in.probe, &plugin_probe);
    return in.a.ctx;
}

static void test_tutorial_bump_in_a_session(void **state)
{
    (void)state;
    session *s = fresh();
    const char *answer = sk_run(s, "new plugin bump.so 4096 as student");
    assert_non_null(strstr(answer, "tutorial-bump"));
    assert_string_equal(session_active_kind(s), "plugin");
    sk_run(s, "alloc u32[10] as nums");
    sk_run(s, "alloc 32 as msg");
    session_block b = session_block_at(s, 1);
    assert_int_equal(b.offset, 40);
    assert_int_equal(b.size, 32);
    sk_run(s, "resize msg 64");
    assert_int_equal(session_block_at(s, 1).size, 64);
    assert_int_equal(session_warning_count(s), 0);
    assert_null(session_check(s));
    session_destroy(s);
}

/* The text map of the session, in ASCII, 64 cells a row at 1 byte a cell. */
static const char *ascii_map(const session *s, strbuf *sb)
{
    sb_clear(sb);
    textmap_options opt = {.width = 64, .max_rows = 16, .ascii = true};
    textmap_render(s, &opt, sb);
    return sb_str(sb);
}

/* Without describe, what the plugin never handed out is unknown in every
 * view of the session: '?' in the map, named in the legend, a figure of
 * its own in the header, stats and JSON, and neither used nor free in the
 * header's figures (capacity = used + free + unknown). With describe
 * there is none, and the legend does not name it. */
static void test_unknown_bytes_in_every_view(void **state)
{
    (void)state;
    session *s = fresh();
    sk_run(s, "new plugin bump.so 256 as student");
    sk_run(s, "alloc 40 as a");
    sk_run(s, "alloc 32 as b");
    sk_run(s, "free b");
    strbuf sb;
    sb_init(&sb);
    const char *map = ascii_map(s, &sb);
    assert_non_null(strstr(map, " | unknown 184 | "));
    assert_non_null(strstr(map, "      0 |a#######################################xxxxxxxxxxxxxxxxxxxxxxxx|\n"
                                "     64 |xxxxxxxx????????????????????????????????????????????????????????|\n"));
    assert_non_null(strstr(map, "x freed  ? unknown (not described by the allocator)  H header"));
    session_stats st;
    session_get_stats(s, &st);
    assert_int_equal(st.unknown_bytes, 184);
    assert_int_equal(st.unused_bytes, 0);
    assert_int_equal(st.freed_bytes, 32);
    assert_int_equal(screen_used_bytes(&st), 40);
    assert_int_equal(screen_free_bytes(&st), 32);
    char line[256];
    assert_true(screen_header_form(&st, "student", "plugin", 1, 0, line, sizeof line));
    assert_non_null(strstr(line, "capacity 256  used 40  free 32"));
    assert_non_null(strstr(line, "  unknown 184"));
    /* every shorter form says it too */
    for (int form = 1; screen_header_form(&st, "student", "plugin", 1, form, line, sizeof line); form++)
        if (strstr(line, " unknown 184") == NULL && strstr(line, " unk 184") == NULL)
            fail_msg("header form %d leaves the unknown bytes out: %s", form, line);
    assert_non_null(strstr(sk_run(s, "stats"), "  unknown        184 bytes"));
    sb_clear(&sb);
    json_state(s, &sb);
    assert_non_null(strstr(sb_str(&sb), "\"unused_bytes\":0,"));
    assert_non_null(strstr(sb_str(&sb), "\"unknown_bytes\":184,"));
    /* the live view's legend names it over this map, not over another's */
    cells_grid g;
    cells_init(&g);
    assert_true(cells_build(s, 1, 0, &g));
    assert_int_equal(g.usage.unknown_bytes, 184);
    assert_int_equal(g.cells[72].role, CELL_UNKNOWN);
    assert_int_equal(g.cells[71].role, CELL_FREED);
    assert_int_equal(g.cells[0].role, CELL_LIVE);
    assert_string_equal(screen_legend_word(LOOK_UNKNOWN, &g), "unknown");
    /* with describe: nothing unknown, the legend leaves it out */
    sk_run(s, "new plugin lifo.so 1024 as stack");
    sk_run(s, "alloc 10 as x");
    session_get_stats(s, &st);
    assert_int_equal(st.unknown_bytes, 0);
    assert_true(st.unused_bytes > 0);
    map = ascii_map(s, &sb);
    assert_null(strstr(map, "?"));
    assert_null(strstr(map, "unknown"));
    assert_true(cells_build(s, 1, 0, &g));
    assert_int_equal(g.usage.unknown_bytes, 0);
    assert_null(screen_legend_word(LOOK_UNKNOWN, &g));
    cells_free(&g);
    sb_free(&sb);
    session_destroy(s);
}

/* The overlap after a grown-in-place resize, at the alloc of step 4; the
 * block is refused, and no out-of-memory warning is added for the NULL. */
static void test_overlap_warned_at_its_step(void **state)
{
    (void)state;
    session *s = fresh();
    sk_run(s, "new plugin buggy_resize.so 256");
    sk_run(s, "alloc 16 as list");
    sk_run(s, "resize list 32");
    const char *answer = sk_run(s, "alloc 8 as next");
    assert_non_null(strstr(answer, "at step 4"));
    session_warning w = only_warning(s, "overlap", 4);
    assert_non_null(strstr(w.message, "in alloc(8, align 1) at step 4"));
    assert_non_null(strstr(w.message, "that block is list, allocated at step 2"));
    assert_null(strstr(answer, "out of memory"));
    assert_int_equal(session_block_count(s), 1);
    session_destroy(s);
}

/* A crash leaves the state of the step before; undo replays the crash to
 * the same state; the plugin can be loaded again. */
static void test_crash_leaves_the_state_before(void **state)
{
    (void)state;
    session *s = fresh();
    sk_run(s, "new plugin crasher.so 4096");
    sk_run(s, "alloc 8 align 8 as a");
    char *before = sk_state_but_warnings(s);
    sk_run(s, "alloc 24 align 8 as b");
    session_warning w = only_warning(s, "crashed", 3);
    assert_non_null(strstr(w.message, "your allocator crashed in alloc(24, align 8) at step 3"));
    char *after = sk_state_but_warnings(s);
    assert_string_equal(before, after);
    free(after);
    sk_run(s, "alloc 8 align 8 as c");
    assert_int_equal(session_block_at(s, 1).offset, 8);
    char *with_c = sk_state(s);
    sk_run(s, "alloc 4 as d");
    sk_run(s, "undo");
    char *replayed = sk_state(s);
    assert_string_equal(with_c, replayed); /* the crash was replayed: its warning again, the same blocks */
    assert_int_equal(plugin_timeout(active_plugin(s)), PLUGIN_DEFAULT_TIMEOUT_MS);
    sk_run(s, "new plugin crasher.so 4096 as again");
    sk_run(s, "alloc 8 as e");
    assert_int_equal(session_block_at(s, 0).offset, 0);
    free(before);
    free(with_c);
    free(replayed);
    session_destroy(s);
}

/* A step that looped times out; undo replays it with a short limit and
 * lands on the same state, warning included; then the limit is back. */
static void test_timeout_replays_to_the_same_state(void **state)
{
    (void)state;
    session *s = fresh();
    sk_run(s, "new plugin looper.so 4096");
    sk_run(s, "alloc 8 as a");
    sk_run(s, "alloc 1000 as big");
    only_warning(s, "timeout", 3);
    sk_run(s, "alloc 8 as b");
    char *forward = sk_state(s);
    sk_run(s, "alloc 8 as c");
    sk_run(s, "undo");
    char *replayed = sk_state(s);
    assert_string_equal(forward, replayed);
    assert_int_equal(plugin_timeout(active_plugin(s)), PLUGIN_DEFAULT_TIMEOUT_MS);
    free(forward);
    free(replayed);
    session_destroy(s);
}

/* Each bad library is an error naming the cause; the state is unchanged. */
static void test_bad_libraries_leave_the_state(void **state)
{
    (void)state;
    static const struct {
        const char *line, *cause;
    } bad[] = {
        {"new plugin", "which library"},
        {"new plugin nowhere.so", "no such file"},
        {"new plugin tests/plugins/bump.c", "not a shared library"},
        {"new plugin no_descriptor.so", "exports no allocscope_plugin descriptor"},
        {"new plugin bad_version.so", "another version of plugin.h"},
        {"new plugin liar.so 4096 fail", "init failed"},
        {"new plugin liar.so 4096 crash-init", "crashed or hung while loading"},
        {"new plugin bump.so 100m", "64 MiB"},
    };
    session *s = fresh();
    sk_run(s, "new bump 64 as keep");
    sk_run(s, "alloc 8 as kept");
    char *before = sk_state(s);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *answer = sk_run_status(s, bad[i].line, SESSION_ERROR);
        if (strstr(answer, bad[i].cause) == NULL)
            fail_msg("'%s': wanted '%s' in: %s", bad[i].line, bad[i].cause, answer);
        char *after = sk_state(s);
        assert_string_equal(before, after);
        free(after);
    }
    free(before);
    session_destroy(s);
}

/* The session fuzzer runs sandboxed: no library is loaded there. */
static void test_sandbox_loads_no_library(void **state)
{
    (void)state;
    session *s = fresh();
    interp_set_sandbox(s, true);
    const char *answer = sk_run_status(s, "new plugin bump.so 4096", SESSION_ERROR);
    assert_non_null(strstr(answer, "no file access"));
    sk_run_status(s, "switch plugin", SESSION_ERROR);
    assert_int_equal(session_allocator_count(s), 0);
    session_destroy(s);
}

/* What the plugin prints is part of the command's answer. */
static void test_plugin_output_in_the_answer(void **state)
{
    (void)state;
    session *s = fresh();
    sk_run(s, "new plugin lifo.so 1024 as st");
    sk_run(s, "alloc 8 as a");
    const char *answer = sk_run(s, "alloc 8 as b");
    assert_null(strstr(answer, "says"));
    answer = sk_run(s, "free a"); /* lifo.c prints that it ignores a free out of order */
    assert_non_null(strstr(answer, "st says: lifo: free out of order"));
    session_destroy(s);
}

/* Every plugin problem has the warning of its name; the words between the
 * size and `as` reach init. */
static void test_problem_names_are_warnings(void **state)
{
    (void)state;
    for (int k = PLUGIN_PB_OUTSIDE; k <= PLUGIN_PB_DEAD; k++) {
        warn_kind w;
        assert_true(warn_lookup(plugin_problem_name((plugin_problem_kind)k), &w));
        assert_int_equal(w, warn_from_plugin((plugin_problem_kind)k));
    }
    session *s = fresh();
    sk_run(s, "new plugin liar.so 4096 misalign as m");
    sk_run(s, "alloc 8 align 8");
    only_warning(s, "misaligned", 2);
    assert_int_equal(session_block_count(s), 0);
    session_destroy(s);
}

int main(int argc, char **argv)
{
    (void)argc;
    char self[4096], dir[4200];
    snprintf(self, sizeof self, "%s", argv[0]);
    snprintf(dir, sizeof dir, "%s/../plugins", dirname(self));
    setenv("ALLOCSCOPE_PLUGIN_PATH", dir, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tutorial_bump_in_a_session),
        cmocka_unit_test(test_unknown_bytes_in_every_view),
        cmocka_unit_test(test_overlap_warned_at_its_step),
        cmocka_unit_test(test_crash_leaves_the_state_before),
        cmocka_unit_test(test_timeout_replays_to_the_same_state),
        cmocka_unit_test(test_bad_libraries_leave_the_state),
        cmocka_unit_test(test_sandbox_loads_no_library),
        cmocka_unit_test(test_plugin_output_in_the_answer),
        cmocka_unit_test(test_problem_names_are_warnings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
