/* test_interp.c - the interpreter's tables: commands and their flags,
 * context-aware completion, the table of allocator kinds and its factory,
 * the table of warning kinds. */
#include "sessionkit.h"
#include "allocscope/kinds.h"
#include "allocscope/warning.h"

/* Whether word is among the n candidates. */
static bool offered(const char *const *c, size_t n, const char *word)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(c[i], word))
            return true;
    return false;
}

static size_t complete(const session *s, const char *line, const char **c)
{
    return interp_complete(s, line, strlen(line), c, 256);
}

static void test_flags_come_from_the_table(void **state)
{
    assert_true(interp_command_flags("note") & INTERP_CAPTION);
    assert_true(interp_command_flags("pause") & INTERP_PAUSE);
    assert_true(interp_command_flags("alloc") & INTERP_RECORDED);
    assert_false(interp_command_flags("blocks") & INTERP_RECORDED);
    assert_true(interp_command_flags("expect") & INTERP_UNDO_SKIPS);
    assert_false(interp_command_flags("free") & INTERP_UNDO_SKIPS);
    assert_true(interp_command_flags("source") & INTERP_FILES);
    assert_true(interp_command_flags("trace") & INTERP_FILES);
    assert_true(interp_command_flags("save") & INTERP_FILES);
    assert_int_equal(interp_command_flags("frobnicate"), 0);
    /* help is derived from the table: every command has a usage line */
    session *s = session_create();
    char line[64];
    for (size_t i = 0; i < interp_command_count; i++) {
        snprintf(line, sizeof line, "help %s", interp_command_names[i]);
        const char *a = sk_run(s, line);
        assert_true(strncmp(a, interp_command_names[i], strlen(interp_command_names[i])) == 0);
    }
    const char *all = sk_run(s, "help");
    assert_non_null(strstr(all, "trace FILE"));
    assert_null(strstr(all, "packed struct NAME")); /* hidden: a second word of struct */
    session_destroy(s);
}

static void test_sandbox_refuses_files_at_dispatch(void **state)
{
    session *s = session_create();
    interp_set_sandbox(s, true);
    const char *a = sk_run_status(s, "save /tmp/allocscope-should-not-exist.as", SESSION_ERROR);
    assert_non_null(strstr(a, "save is disabled in this session (no file access)"));
    a = sk_run_status(s, "source /etc/hostname", SESSION_ERROR);
    assert_non_null(strstr(a, "source is disabled"));
    a = sk_run_status(s, "trace /etc/hostname", SESSION_ERROR);
    assert_non_null(strstr(a, "trace is disabled"));
    session_destroy(s);
}

static void test_completion_knows_the_context(void **state)
{
    session *s = session_create();
    const char *c[256];
    size_t n = complete(s, "", c);
    assert_true(offered(c, n, "alloc") && offered(c, n, "free") && offered(c, n, "quit"));
    assert_int_equal(n, interp_command_count);
    n = complete(s, "new ", c);
    assert_true(offered(c, n, "bump") && offered(c, n, "buddy"));
    assert_false(offered(c, n, "alloc"));
    n = complete(s, "new freelist 4096 ", c);
    assert_true(offered(c, n, "best-fit") && offered(c, n, "as"));
    assert_false(offered(c, n, "limit"));
    n = complete(s, "new debug 8192 ", c);
    assert_true(offered(c, n, "limit") && offered(c, n, "over"));
    n = complete(s, "new arena over ", c);
    assert_true(offered(c, n, "bump") && offered(c, n, "freelist"));
    assert_false(offered(c, n, "pool"));  /* a pool cannot back another */

    sk_run(s, "new bump 256 as scratch");
    sk_run(s, "alloc 8 as keep");
    sk_run(s, "alloc 8 as gone");
    sk_run(s, "free gone");
    n = complete(s, "free ", c);
    assert_true(offered(c, n, "keep"));
    assert_false(offered(c, n, "gone"));  /* freed: nothing to free */
    n = complete(s, "show ", c);
    assert_true(offered(c, n, "keep") && offered(c, n, "gone") && offered(c, n, "addresses"));
    n = complete(s, "try free ", c);
    assert_true(offered(c, n, "keep"));
    assert_false(offered(c, n, "gone"));
    n = complete(s, "switch ", c);
    assert_true(offered(c, n, "scratch") && offered(c, n, "pool"));
    n = complete(s, "expect warning ", c);
    assert_true(offered(c, n, "double-free") && offered(c, n, "noop-free"));
    sk_run(s, "struct Pt { u32 x; u8 y; }");
    n = complete(s, "layout ", c);
    assert_true(offered(c, n, "Pt"));
    n = complete(s, "alloc ", c);
    assert_true(offered(c, n, "Pt") && offered(c, n, "u32"));
    n = complete(s, "help ", c);
    assert_true(offered(c, n, "undo"));
    n = complete(s, "free keep ", c); /* free takes one word */
    assert_int_equal(n, 0);
    session_destroy(s);
}

static void test_kind_table_and_factory(void **state)
{
    assert_non_null(kind_find("BUMP"));
    assert_null(kind_find("bmup"));
    for (size_t i = 0; i < kind_count; i++) {
        kind_built b;
        strbuf err;
        sb_init(&err);
        const kind_row *k = &kind_rows[i];
        if (k->can & KIND_LIBRARY) { /* needs a library (tests/test_plugin_session.c) or a recording (test_record.c) */
            assert_false(kind_build_plain(k->name, 0, &b, &err));
            assert_true(strstr(sb_str(&err), "which library") || strstr(sb_str(&err), "which recording"));
            sb_free(&err);
            continue;
        }
        assert_true(kind_build_plain(k->name, 0, &b, &err)); /* its default size */
        assert_string_equal(b.top.probe->kind, k->name);
        assert_null(b.top.probe->check(b.top.a.ctx));
        void *p = as_alloc(b.top.a, 16, 3);
        assert_non_null(p);
        as_free(b.top.a, p, 16, 3);
        kind_destroy(&b);
        sb_free(&err);
    }
    kind_built b;
    strbuf err;
    sb_init(&err);
    assert_false(kind_build_plain("buddy", 1000, &b, &err));
    assert_non_null(strstr(sb_str(&err), "power of two"));
    sb_free(&err);
    strbuf list;
    sb_init(&list);
    kind_list(KIND_RESET_MODES, "and", &list);
    assert_string_equal(sb_str(&list), "arena and pool");
    sb_free(&list);
}

/* Issue 13: the tutorial's bump by default, exercise 1's by name (also
 * under an arena or a wrapper), the tutorial's DebugBumpAllocator as a
 * kind with no guards and the highest offset as its peak. */
static void test_bump_modes_and_debug_bump(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 256 as plain");
    sk_run(s, "alloc 16 as a");
    sk_run(s, "resize a 32");
    sk_run(s, "expect block a size 16");
    sk_run(s, "new bump 256 resize-last as ex1");
    sk_run(s, "alloc 16 as b");
    sk_run(s, "resize b 32");
    sk_run(s, "expect block b size 32");
    assert_non_null(strstr(sk_run(s, "stats"), "bump 256 resize-last"));
    sk_run(s, "new debug 1024 resize-last as wrapped");
    assert_non_null(strstr(sk_run(s, "stats"), "debug over bump 1024 resize-last"));
    assert_non_null(strstr(sk_run_status(s, "new fixed 256 resize-last", SESSION_ERROR), "applies to bump only"));
    assert_non_null(strstr(sk_run_status(s, "new arena over fixed 4096 resize-last", SESSION_ERROR), "bump only"));
    sk_run(s, "new debug-bump 1024 as tut");
    as_instance in = session_active_instance(s);
    assert_int_equal(in.probe->guard_size, 0);
    assert_string_equal(in.probe->kind, "debug-bump");
    sk_run(s, "alloc 100 as c");
    sk_run(s, "free c");
    sk_run(s, "alloc 50 as d");
    sk_run(s, "expect block d offset 100");
    sk_run(s, "expect peak 150"); /* the highest offset; the most live bytes was 100 */
    session_stats st;
    session_get_stats(s, &st);
    assert_true(st.peak_is_offset);
    assert_int_equal(st.peak_bytes, 150);
    /* a write past the end: no guard to write into, so a warning and nothing written past it */
    assert_non_null(strstr(sk_run(s, "write d 60"), "the rest would run past its end"));
    sk_run(s, "expect warning overflow");
    assert_non_null(strstr(sk_run(s, "check"), "no guards or poison to check"));
    session_destroy(s);
}

static void test_warning_table(void **state)
{
    warn_kind k;
    assert_true(warn_lookup("double-free", &k));
    assert_int_equal(k, WARN_DOUBLE_FREE);
    assert_string_equal(warn_name(WARN_LEAK), "leak");
    assert_false(warn_lookup("double-fre", &k));
    assert_int_equal(warn_from_event(AS_EV_WRONG_SIZE_FREE), WARN_INVALID_FREE);
    /* every library event has the name of its warning kind */
    for (as_event_kind e = AS_EV_DOUBLE_FREE; e <= AS_EV_MEMORY_LIMIT; e++)
        assert_string_equal(warn_name(warn_from_event(e)), as_event_name(e));

    session *s = session_create();
    sk_run(s, "new bump 64");
    const char *a = sk_run_status(s, "expect warning dubble-free", SESSION_ERROR);
    assert_non_null(strstr(a, "did you mean 'double-free'"));
    a = sk_run_status(s, "expect warning zzzzzzzzzzzz", SESSION_ERROR);
    assert_non_null(strstr(a, "usage: expect warning KIND (double-free"));
    sk_run_status(s, "expect warning leak", SESSION_EXPECT_FAILED);
    session_destroy(s);
}

/* Queries are no steps: a block's step is the same after undo replays
 * the record, and a query between changes does not move the count. */
static void test_queries_are_not_steps(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 256");
    sk_run(s, "alloc 8 as a");
    sk_run(s, "stats");
    sk_run(s, "blocks");
    sk_run(s, "help");
    sk_run(s, "show a");
    sk_run(s, "alloc 8 as b");
    assert_int_equal(session_step(s), 3);
    assert_int_equal(session_block_at(s, 1).alloc_step, 3);
    sk_run(s, "alloc 8 as c");
    sk_run(s, "undo");
    assert_int_equal(session_step(s), 3);
    assert_int_equal(session_block_at(s, 0).alloc_step, 2);
    assert_int_equal(session_block_at(s, 1).alloc_step, 3);
    sk_run_status(s, "alloc -1", SESSION_ERROR); /* an error is no step either */
    assert_int_equal(session_step(s), 3);
    session_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flags_come_from_the_table),
        cmocka_unit_test(test_sandbox_refuses_files_at_dispatch),
        cmocka_unit_test(test_completion_knows_the_context),
        cmocka_unit_test(test_kind_table_and_factory),
        cmocka_unit_test(test_warning_table),
        cmocka_unit_test(test_bump_modes_and_debug_bump),
        cmocka_unit_test(test_queries_are_not_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
