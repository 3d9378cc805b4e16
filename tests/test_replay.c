/* test_replay.c - `trace FILE` at scale: the default heap as mdriver's,
 * failures by kind, the trace's own namespace, blocks over the limit. */
#include <unistd.h>
#include "sessionkit.h"
#include "allocscope/record.h"
#include "allocscope/trace.h"

/* Writes text to a fresh temporary file; its path in path (>= 32 bytes). */
static void write_temp(char *path, const char *text, size_t len)
{
    strcpy(path, "/tmp/allocscope-replay-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static const char *run_trace(session *s, const char *path, session_status want)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "trace %s", path);
    return sk_run_status(s, cmd, want);
}

/* The malloc-lab shapes replay by default (no allocator made first) with
 * no failure, on a heap that grew, and mdriver's figure is given. */
static void test_shapes_replay_by_default_as_mdriver(void **state)
{
    for (int shape = 0; shape < TRACE_SHAPE_COUNT; shape++) {
        strbuf text;
        sb_init(&text);
        trace_generate((trace_shape)shape, 11, 30000, &text);
        char path[40];
        write_temp(path, sb_str(&text), text.len);
        session *s = session_create();
        const char *a = run_trace(s, path, SESSION_OK);
        if (!strstr(a, "30000 operations, 0 failed") || !strstr(a, "mdriver's utilisation") ||
            !strstr(a, "replay complete"))
            fail_msg("%s: %s", trace_shape_name((trace_shape)shape), a);
        assert_true(interp_trace_complete(s));
        assert_non_null(strstr(session_active_description(s), "growing like sbrk"));
        assert_null(session_check(s));
        sk_run(s, "expect live 0");
        sk_run(s, "expect no warnings");
        session_destroy(s);
        unlink(path);
        sb_free(&text);
    }
}

/* The live view starts on a default bump: a trace never runs silently on
 * it while it is untouched; once used, it is the user's allocator. */
static void test_untouched_default_bump_is_not_used(void **state)
{
    strbuf text;
    sb_init(&text);
    trace_generate(TRACE_BINARY_TREE, 2, 4000, &text);
    char path[40];
    write_temp(path, sb_str(&text), text.len);
    sb_free(&text);
    session *s = session_create();
    strbuf out;
    sb_init(&out);
    interp_ensure_default(s, &out);
    assert_string_equal(session_active_kind(s), "bump");
    const char *a = run_trace(s, path, SESSION_OK);
    assert_non_null(strstr(a, "the default bump was never used"));
    assert_non_null(strstr(a, "4000 operations, 0 failed"));
    assert_string_equal(session_active_kind(s), "freelist");
    session_destroy(s);
    s = session_create();
    interp_ensure_default(s, &out);
    sk_run(s, "alloc 8");
    a = run_trace(s, path, SESSION_EXPECT_FAILED /* failed operations fail the command */);
    assert_string_equal(session_active_kind(s), "bump");
    assert_non_null(strstr(a, "replay incomplete"));
    session_destroy(s);
    sb_free(&out);
    unlink(path);
}

/* mdriver's utilisation is the trace's peak payload over the final heap. */
static void test_mdriver_utilisation_figure(void **state)
{
    const char *t = "100000\n2\n4\n1\na 0 1000\na 1 2000\nf 0\nf 1\n";
    char path[40];
    write_temp(path, t, strlen(t));
    session *s = session_create();
    const char *a = run_trace(s, path, SESSION_OK);
    /* 3000 bytes of payload fit in the first 4096-byte page */
    assert_non_null(strstr(a, "mdriver's utilisation 73.2% (peak payload 3000 / heap 4096 bytes)"));
    assert_non_null(strstr(a, "the header suggests 100000 bytes"));
    session_destroy(s);
    /* a first N: the peak of the N replayed, not of the whole trace */
    s = session_create();
    sk_run(s, "new freelist 4096 grow");
    char cmd[64];
    snprintf(cmd, sizeof cmd, "trace %s first 1", path);
    a = sk_run(s, cmd);
    assert_non_null(strstr(a, "mdriver's utilisation 24.4% (peak payload 1000 / heap 4096 bytes)"));
    session_destroy(s);
    unlink(path);
}

/* A suggestion below the minimum block or over 1 GiB is said, and the
 * replay runs on the growing free list, never silently on a bump. */
static void test_odd_heap_suggestions_are_said(void **state)
{
    static const struct {
        const char *text, *said;
    } cases[] = {
        {"5\n1\n2\n1\na 0 100\nf 0\n", "suggestion of 5 bytes is below the 32-byte minimum block"},
        {"31\n1\n2\n1\na 0 100\nf 0\n", "suggestion of 31 bytes is below"},
        {"2147483648\n1\n2\n1\na 0 100\nf 0\n", "more than allocscope's 1 GiB"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[40];
        write_temp(path, cases[i].text, strlen(cases[i].text));
        session *s = session_create();
        const char *a = run_trace(s, path, SESSION_OK);
        if (!strstr(a, cases[i].said) || !strstr(a, "2 operations, 0 failed"))
            fail_msg("case %zu: %s", i, a);
        assert_string_equal(session_active_kind(s), "freelist");
        session_destroy(s);
        unlink(path);
    }
}

/* r and f on an id whose a failed are failures of their own kind, not
 * swallowed errors; the replay is incomplete. */
static void test_failures_counted_by_kind(void **state)
{
    const char *t = "4096\n3\n6\n1\na 0 100\na 1 5000\nr 1 6000\nf 1\nr 0 9000\nf 0\n";
    char path[40];
    write_temp(path, t, strlen(t));
    session *s = session_create();
    sk_run(s, "new bump 256");
    const char *a = run_trace(s, path, SESSION_EXPECT_FAILED /* failed operations fail the command */);
    if (!strstr(a, "6 operations, 4 failed (2 out of memory, 2 on an id whose allocation failed)"))
        fail_msg("%s", a);
    assert_non_null(strstr(a, "replay incomplete"));
    assert_null(strstr(a, "mdriver's utilisation"));
    assert_false(interp_trace_complete(s));
    assert_true(sk_has_warning(s, "out-of-memory", "id 1"));
    session_destroy(s);
    unlink(path);
}

/* A lenient trace that frees an id twice: counted as a double free. */
static void test_lenient_double_free_counted(void **state)
{
    const char *t = "1\n2\n4\n0\na 0 100\nf 0\nf 0\nf -1\n";
    char path[40];
    write_temp(path, t, strlen(t));
    session *s = session_create();
    const char *a = run_trace(s, path, SESSION_EXPECT_FAILED /* failed operations fail the command */);
    assert_non_null(strstr(a, "4 operations, 1 failed (1 double free)"));
    assert_true(sk_has_warning(s, "double-free", NULL));
    assert_null(session_check(s));
    session_destroy(s);
    unlink(path);
}

/* Trace ids never meet the user's names: the user's t1 and t:1 stay. */
static void test_trace_blocks_have_their_own_namespace(void **state)
{
    const char *t = "4096\n3\n3\n1\na 1 64\nf 1\na 2 32\n";
    char path[40];
    write_temp(path, t, strlen(t));
    session *s = session_create();
    sk_run(s, "new freelist 4096");
    sk_run(s, "alloc 16 as t1");
    sk_run(s, "alloc 16 as t2");
    const char *a = run_trace(s, path, SESSION_OK);
    assert_non_null(strstr(a, "3 operations, 0 failed"));
    sk_run(s, "expect block t1 size 16 live");
    sk_run(s, "expect block t2 size 16 live");
    sk_run(s, "expect block t:2 size 32 live"); /* left live by the trace */
    sk_run(s, "expect live 3");
    /* the user cannot make a name of the trace's namespace */
    sk_run_status(s, "alloc 8 as t:5", SESSION_ERROR);
    sk_run(s, "free t:2");
    sk_run(s, "expect live 2");
    session_destroy(s);
    unlink(path);
}

/* A malformed trace changes nothing, even when the fault is at its end. */
static void test_malformed_trace_changes_nothing(void **state)
{
    const char *t = "4096\n3\n4\n1\na 0 100\na 1 20\nf 0\nf 7\n";
    char path[40];
    write_temp(path, t, strlen(t));
    session *s = session_create();
    sk_run(s, "new freelist 4096");
    sk_run(s, "alloc 10 as x");
    char *before = sk_state(s);
    const char *a = run_trace(s, path, SESSION_ERROR);
    assert_non_null(strstr(a, ":8: the id is not a number below"));
    char *after = sk_state(s);
    assert_string_equal(before, after);
    free(before);
    free(after);
    session_destroy(s);
    unlink(path);
}

/* More distinct blocks over one trace than the session's block limit:
 * freed blocks do not count, so none is dropped (one id reused
 * 1,100,000 times used to drop 51,424 and take minutes). */
static void test_millions_of_blocks_over_a_trace(void **state)
{
    size_t pairs = 1100000;
    strbuf text;
    sb_init(&text);
    sb_printf(&text, "4096\n2\n%zu\n1\n", pairs * 2 + 1);
    for (size_t i = 0; i < pairs; i++)
        sb_add(&text, "a 0 24\nf 0\n");
    sb_add(&text, "a 1 8\n");
    char path[40];
    write_temp(path, sb_str(&text), text.len);
    sb_free(&text);
    session *s = session_create();
    const char *a = run_trace(s, path, SESSION_OK);
    if (!strstr(a, "2200001 operations, 0 failed"))
        fail_msg("%s", a);
    sk_run(s, "expect live 1");
    sk_run(s, "expect block t:1 size 8 live");
    size_t tracking, history;
    session_memory(s, &tracking, &history);
    assert_true(history < 4096); /* the trace is one recorded step */
    assert_true(tracking < (size_t)1 << 20);
    session_destroy(s);
    unlink(path);
}

/* Undo takes back the whole trace; a rewind replays it exactly. */
static void test_trace_is_one_step(void **state)
{
    strbuf text;
    sb_init(&text);
    trace_generate(TRACE_BINARY_TREE, 3, 2001, &text);
    char path[40];
    write_temp(path, sb_str(&text), text.len);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "trace %s first 1500", path);
    session *s = session_create();
    sk_run(s, "new freelist 1M");
    size_t step = session_step(s);
    const char *a = sk_run(s, cmd);
    assert_non_null(strstr(a, "1500 operations"));
    assert_int_equal(session_step(s), step + 1);
    char *once = sk_state(s);
    sk_run(s, "alloc 8");
    sk_run(s, "undo");
    char *again = sk_state(s);
    assert_string_equal(once, again);
    a = sk_run(s, "undo");
    assert_non_null(strstr(a, "first 1500"));
    sk_run(s, "expect live 0");
    free(once);
    free(again);
    session_destroy(s);
    unlink(path);
    sb_free(&text);
}

/* The free list a trace makes for itself is no step of its own: saved
 * and sourced, or taken back by undo, the session numbers its steps as
 * it did (a block freed at step 3 stays freed at step 3). */
static void test_trace_default_allocator_is_not_a_step(void **state)
{
    char path[40], saved[40];
    static const char text[] = "1000\n2\n3\n1\na 0 100\na 1 50\nf 0\n";
    write_temp(path, text, sizeof text - 1);
    write_temp(saved, "", 0);
    session *s = session_create();
    run_trace(s, path, SESSION_OK);
    assert_int_equal(session_step(s), 1);
    sk_run(s, "alloc 10 as x");
    sk_run(s, "free x");
    char cmd[80];
    snprintf(cmd, sizeof cmd, "save %s force", saved);
    assert_non_null(strstr(sk_run(s, cmd), "saved 3 commands"));
    assert_non_null(strstr(sk_run(s, "free x"), "freed at step 3"));
    session_destroy(s);
    s = session_create();
    snprintf(cmd, sizeof cmd, "source %s", saved);
    sk_run(s, cmd);
    assert_int_equal(session_step(s), 3);
    assert_non_null(strstr(sk_run(s, "free x"), "freed at step 3"));
    session_destroy(s);
    s = session_create();
    sk_run(s, cmd);
    sk_run(s, "undo");
    sk_run(s, "undo");
    assert_int_equal(session_step(s), 1);
    sk_run(s, "expect block t:1 size 50 live");
    sk_run(s, "undo"); /* the trace, and its free list with it */
    assert_non_null(strstr(sk_run_status(s, "expect live 0", SESSION_ERROR), "there is no allocator yet"));
    session_destroy(s);
    unlink(path);
    unlink(saved);
}

/* The live view's default bump (interp_ensure_default) is no step and
 * comes back untouched after undo: the steps keep their numbers, and a
 * trace then still replays on a free list of its own. */
static void test_live_default_survives_undo_untouched(void **state)
{
    char path[40];
    static const char text[] = "1000\n2\n3\n1\na 0 100\na 1 50\nf 0\n";
    write_temp(path, text, sizeof text - 1);
    session *s = session_create();
    strbuf out;
    sb_init(&out);
    interp_ensure_default(s, &out);
    assert_int_equal(session_step(s), 0);
    sk_run(s, "alloc 10 as x");
    assert_int_equal(session_step(s), 1);
    sk_run(s, "undo");
    assert_int_equal(session_step(s), 0);
    assert_non_null(strstr(sk_run(s, "blocks"), "bump: 0 blocks")); /* the bump is there again (a query: no step) */
    const char *a = run_trace(s, path, SESSION_OK);
    assert_non_null(strstr(a, "the default bump was never used"));
    assert_int_equal(session_step(s), 1);
    sk_run(s, "undo");
    assert_int_equal(session_step(s), 0);
    sk_run(s, "alloc 10 as y");
    assert_non_null(strstr(sk_run(s, "free y"), "bump")); /* on the default bump again */
    sb_free(&out);
    session_destroy(s);
    unlink(path);
}

/* Files are read in chunks: a two-line header (the first operation read
 * once as a header line, then again), a line longer than a chunk, a file
 * without its last newline, blank lines and CRLF. */
static void test_file_reading_edges(void **state)
{
    static const struct {
        const char *text;
        session_status want;
        const char *said;
    } cases[] = {
        {"2\n3\na 0 10\na 1 20\nf 0\n", SESSION_OK, "3 operations, 0 failed"},
        {"4096\r\n1\r\n2\r\n1\r\n\r\na 0 10\r\n\n  \nf 0", SESSION_OK, "2 operations, 0 failed"},
        {"4096\n1\n2\n1\na 0 10\nf 0 0\n", SESSION_ERROR, ":6: expected"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[40];
        write_temp(path, cases[i].text, strlen(cases[i].text));
        session *s = session_create();
        const char *a = run_trace(s, path, cases[i].want);
        if (!strstr(a, cases[i].said))
            fail_msg("case %zu: %s", i, a);
        session_destroy(s);
        unlink(path);
    }
    strbuf text;
    sb_init(&text);
    sb_add(&text, "4096\n1\n2\n1\na 0 10\n");
    for (int i = 0; i < 100000; i++)
        sb_addc(&text, ' ');
    sb_add(&text, "f 0\n");
    char path[40];
    write_temp(path, sb_str(&text), text.len);
    session *s = session_create();
    const char *a = run_trace(s, path, SESSION_ERROR);
    assert_non_null(strstr(a, ":6: expected"));
    session_destroy(s);
    unlink(path);
    sb_free(&text);
}


/* A recording (record.h) streams like a trace: for every prefix of one
 * (each a truncation somewhere) and a corrupt line, the stream stops
 * where record_to_script does, with the same "byte N" error and the same
 * operations before it; alignments come from the kinds. */
static const char rec_text[] = "4096 allocscope-recording 2\n3\n5\n1 events=7 heap=1000\n"
                               "a 0 100 m 1000 0 5 g8\n"
                               "a 1 50 M256 2000 1 5 g14 @0\n"
                               "a 2 0 c 3000 0 5 g24\n"
                               "r 0 300 r 4000 0 5 g4\n"
                               "f 0 f 0 5\n"
                               "t 0 11\nt 1 12\nx 2 f 0 0 15 0\ns 0 55aa known_main+0x1d (/bin/known)\nend 6\n";

static void test_recordings_stream_as_record_to_script_reads_them(void **state)
{
    (void)state;
    size_t len = strlen(rec_text);
    strbuf a, b, script;
    sb_init(&a);
    sb_init(&b);
    sb_init(&script);
    for (size_t cut = 0; cut <= len + 1; cut++) {
        char text[sizeof rec_text + 8];
        snprintf(text, sizeof text, "%.*s", (int)(cut <= len ? cut : len), rec_text);
        if (cut == len + 1)
            strcpy(strstr(text, "f 0 f"), "f 0 q 0 5\n"); /* a corrupt kind in the last operation */
        if (!record_is_recording(text))
            continue;
        sb_clear(&a), sb_clear(&b), sb_clear(&script);
        trace_header h;
        bool read = trace_to_script(text, &h, &script, &a);
        trace_stream *ts = trace_stream_text(text, NULL, &b);
        assert_int_equal(ts != NULL, read);
        if (ts == NULL) {
            assert_string_equal(sb_str(&a), sb_str(&b));
            continue;
        }
        trace_op op;
        int got;
        size_t ops = 0;
        while ((got = trace_stream_next(ts, &op, &b)) == 1) {
            ops++;
            if (ops == 2)
                assert_int_equal(op.align_log2, 8); /* M256 */
            else
                assert_int_equal(op.align_log2, 4); /* malloc's 16 */
        }
        assert_int_equal(got, sb_str(&a)[0] ? -1 : 0);
        assert_string_equal(sb_str(&b), sb_str(&a));
        assert_int_equal(ops, h.ops);
        assert_int_equal(sb_count_lines(sb_str(&script)), ops);
        assert_int_equal(trace_stream_header(ts)->dialect, TRACE_RECORDING);
        trace_stream_close(ts);
    }
    sb_free(&a);
    sb_free(&b);
    sb_free(&script);
}

/* `trace FILE` of a recording runs on the engine (one step, failures by
 * kind): the blocks left live keep the alignment their calls asked; a
 * damaged file replays the part before the damage and fails saying where. */
static void test_trace_replays_a_recording_on_the_engine(void **state)
{
    (void)state;
    char path[40];
    write_temp(path, rec_text, strlen(rec_text));
    session *s = session_create();
    const char *a = run_trace(s, path, SESSION_OK);
    assert_non_null(strstr(a, ": 5 operations, 0 failed"));
    assert_non_null(strstr(a, "replay complete"));
    sk_run(s, "expect block t:1 size 50 align 256 live"); /* M256: memalign's own alignment */
    sk_run(s, "expect block t:2 size 1 align 16 live");   /* calloc of 0 bytes: the smallest block */
    sk_run_status(s, "expect block t:0 live", SESSION_EXPECT_FAILED);
    sk_run(s, "expect live 2");
    assert_null(session_check(s));
    session_destroy(s);
    unlink(path);
    size_t fifth = strstr(rec_text, "f 0 f") - rec_text;
    write_temp(path, rec_text, fifth + 3);
    s = session_create();
    a = run_trace(s, path, SESSION_ERROR);
    char want[160];
    snprintf(want, sizeof want, "byte %zu: the recording ends inside this line (truncated); the 4 operations before it replay",
             fifth);
    assert_non_null(strstr(a, want));
    assert_non_null(strstr(a, ": 4 operations, 0 failed"));
    assert_non_null(strstr(a, "replay incomplete"));
    assert_false(interp_trace_complete(s));
    assert_null(session_check(s));
    assert_int_equal(session_step(s), 1);
    sk_run(s, "expect block t:1 size 50 live");
    sk_run(s, "expect live 3");
    sk_run(s, "undo"); /* the part of the trace that replayed, and the free list it made for it: one step */
    assert_int_equal(session_step(s), 0);
    assert_non_null(strstr(sk_run_status(s, "expect live 0", SESSION_ERROR), "there is no allocator yet"));
    session_destroy(s);
    unlink(path);
}

static bool stop_at_once(void *user, const char *what, size_t done, size_t total)
{
    *(int *)user += 1;
    return strcmp(what, "reading trace") != 0;
}

/* Stopped while it is read (before any operation ran): nothing changed. */
static void test_stop_while_reading_changes_nothing(void **state)
{
    strbuf text;
    sb_init(&text);
    trace_generate(TRACE_COALESCING, 5, 140000, &text);
    char path[40];
    write_temp(path, sb_str(&text), text.len);
    sb_free(&text);
    session *s = session_create();
    sk_run(s, "new freelist 64K");
    char *before = sk_state(s);
    int calls = 0;
    interp_set_progress(s, stop_at_once, &calls);
    const char *a = run_trace(s, path, SESSION_ERROR);
    assert_non_null(strstr(a, "stopped after reading 65536 operations; nothing changed"));
    assert_int_equal(calls, 1);
    char *after = sk_state(s);
    assert_string_equal(before, after);
    free(before);
    free(after);
    session_destroy(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes_replay_by_default_as_mdriver),
        cmocka_unit_test(test_trace_default_allocator_is_not_a_step),
        cmocka_unit_test(test_live_default_survives_undo_untouched),
        cmocka_unit_test(test_mdriver_utilisation_figure),
        cmocka_unit_test(test_untouched_default_bump_is_not_used),
        cmocka_unit_test(test_odd_heap_suggestions_are_said),
        cmocka_unit_test(test_failures_counted_by_kind),
        cmocka_unit_test(test_lenient_double_free_counted),
        cmocka_unit_test(test_trace_blocks_have_their_own_namespace),
        cmocka_unit_test(test_malformed_trace_changes_nothing),
        cmocka_unit_test(test_millions_of_blocks_over_a_trace),
        cmocka_unit_test(test_trace_is_one_step),
        cmocka_unit_test(test_file_reading_edges),
        cmocka_unit_test(test_stop_while_reading_changes_nothing),
        cmocka_unit_test(test_recordings_stream_as_record_to_script_reads_them),
        cmocka_unit_test(test_trace_replays_a_recording_on_the_engine),
    };
    return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
