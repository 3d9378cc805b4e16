/* test_trace.c - malloc-lab traces: the reader, the generator and replay. */
#include <unistd.h>
#include "sessionkit.h"
#include "testkit.h"
#include "allocscope/trace.h"

static void test_reads_a_trace_into_a_script(void **state)
{
    strbuf out, err;
    sb_init(&out);
    sb_init(&err);
    trace_header h;
    assert_true(trace_to_script("2048\n3\n5\n1\na 0 100\na 1 20\nr 0 300\nf 1\nf 0\n", &h, &out, &err));
    assert_int_equal(h.heap_size, 2048);
    assert_int_equal(h.ids, 3);
    assert_string_equal(sb_str(&out), "alloc 100 align 8 as t0\nalloc 20 align 8 as t1\nrealloc t0 300\n"
                                      "free t1\nfree t0\n");
    sb_free(&out);
    sb_free(&err);
}

static void test_malformed_traces_say_where(void **state)
{
    static const struct {
        const char *text, *message;
    } bad[] = {
        {"", "1: the trace ends inside its 4-line header"},
        {"100\n2\nthree\n1\n", "3: header line 3 must be one number"},
        {"100\n2\n1\n1\nx 0 8\n", "5: expected 'a ID BYTES'"},
        {"100\n2\n1\n1\na 5 8\n", "5: the id is not a number below"},
        {"100\n2\n2\n1\na 0 8\na 0 8\n", "6: this id is already allocated"},
        {"100\n2\n1\n1\nf 1\n", "5: this id is not allocated"},
        {"100\n2\n1\n1\na 0 0\n", "5: the size must be a number from 1"},
        {"100\n2\n3\n1\na 0 8\nf 0\n", "the header announces 3 operations, the trace has 2"},
        {"100\n2\n1\n1\na 0 8 9\n", "5: expected"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strbuf out, err;
        sb_init(&out);
        sb_init(&err);
        if (trace_to_script(bad[i].text, NULL, &out, &err))
            fail_msg("accepted: %s", bad[i].text);
        if (strstr(sb_str(&err), bad[i].message) == NULL)
            fail_msg("'%s' instead of '%s'", sb_str(&err), bad[i].message);
        sb_free(&out);
        sb_free(&err);
    }
}

/* Every generated shape is a valid trace that frees everything, and it
 * replays on a free list with no failure and nothing left live. */
static void test_generated_shapes_replay_cleanly(void **state)
{
    for (int shape = 0; shape < TRACE_SHAPE_COUNT; shape++) {
        for (uint64_t seed = 1; seed <= 3; seed++) {
            strbuf text, script, err;
            sb_init(&text);
            sb_init(&script);
            sb_init(&err);
            trace_generate((trace_shape)shape, seed, 800, &text);
            trace_header h;
            if (!trace_to_script(sb_str(&text), &h, &script, &err))
                fail_msg("%s seed %llu: %s", trace_shape_name((trace_shape)shape), (unsigned long long)seed,
                         sb_str(&err));
            assert_true(h.ops > 100);
            session *s = session_create();
            sk_run(s, "new freelist 1M best-fit");
            for (const char *line = sb_str(&script); *line;) {
                size_t n = strcspn(line, "\n");
                char one[128];
                snprintf(one, sizeof one, "%.*s", (int)n, line);
                line += n + 1;
                sk_run(s, one);
            }
            sk_run(s, "expect live 0");
            sk_run(s, "expect no warnings");
            assert_null(session_check(s));
            session_destroy(s);
            sb_free(&text);
            sb_free(&script);
            sb_free(&err);
        }
    }
}

static void test_trace_command_reports(void **state)
{
    char path[] = "/tmp/allocscope-trace-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *t = "4096\n3\n6\n1\na 0 100\na 1 200\nr 0 300\nf 1\na 2 50\nf 0\n";
    assert_int_equal(write(fd, t, strlen(t)), (ssize_t)strlen(t));
    close(fd);
    session *s = session_create();
    sk_run(s, "new freelist 4096");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "trace %s", path);
    const char *a = sk_run(s, cmd);
    assert_non_null(strstr(a, "6 operations, 0 failed; peak live 500 bytes, high-water mark 668 bytes"));
    sk_run(s, "expect live 1");
    sk_run(s, "expect block t:2 size 50 live"); /* the trace's own names */
    sk_run(s, "new bump 256");
    a = sk_run_status(s, cmd, SESSION_EXPECT_FAILED); /* a failed operation fails the run */
    assert_non_null(strstr(a, "failed")); /* a bump of 256 bytes runs out */
    assert_true(sk_has_warning(s, "out-of-memory", NULL));
    session_destroy(s);
    unlink(path);
}

typedef struct progress_log {
    char what[32];
    size_t calls, last_done, total;
    size_t stop_after;       /* stop at the report that many calls in; 0: never */
} progress_log;

static bool log_progress(void *user, const char *what, size_t done, size_t total)
{
    progress_log *p = user;
    assert_true(strcmp(what, "trace") == 0 || strcmp(what, "source") == 0 || strcmp(what, "reading trace") == 0);
    assert_true(p->calls == 0 || done > p->last_done || strcmp(p->what, what) != 0);
    snprintf(p->what, sizeof p->what, "%s", what);
    assert_true(total == 0 || done <= total);
    p->calls++;
    p->last_done = done;
    p->total = total;
    return p->stop_after == 0 || p->calls < p->stop_after;
}

static void test_long_traces_report_progress_and_stop(void **state)
{
    char path[] = "/tmp/allocscope-trace-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    strbuf text;
    sb_init(&text);
    trace_generate(TRACE_RANDOM, 7, 20000, &text);
    assert_int_equal(write(fd, sb_str(&text), text.len), (ssize_t)text.len);
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "trace %s", path);

    session *s = session_create();
    sk_run(s, "new freelist 4M");
    progress_log all = {0};
    interp_set_progress(s, log_progress, &all);
    const char *a = sk_run(s, cmd);
    assert_null(strstr(a, "stopped"));
    assert_true(all.calls >= 4); /* every 4096 of about 20,000 operations */
    session_destroy(s);

    s = session_create();
    sk_run(s, "new freelist 4M");
    size_t before = session_step(s);
    progress_log stop = {.stop_after = 2};
    interp_set_progress(s, log_progress, &stop);
    a = sk_run(s, cmd);
    assert_non_null(strstr(a, "stopped after 4096 of"));
    assert_non_null(strstr(a, "replay incomplete"));
    assert_false(interp_trace_complete(s));
    assert_int_equal(stop.calls, 2);
    /* what was done stays, as one step, and the state is whole */
    assert_int_equal(session_step(s) - before, 1);
    assert_null(session_check(s));
    char *kept = sk_state(s);
    sk_run(s, "alloc 8");
    a = sk_run(s, "undo"); /* the step recorded is the part that was done */
    assert_true(strncmp(a, "undone: alloc", 13) == 0);
    char *again = sk_state(s);
    assert_string_equal(kept, again);
    free(kept);
    free(again);
    a = sk_run(s, "undo");
    assert_non_null(strstr(a, "first 4096"));
    sk_run(s, "expect live 0");
    /* batch mode has no reports: nothing stops */
    interp_set_progress(s, NULL, NULL);
    sk_run(s, "new freelist 4M");
    a = sk_run(s, cmd);
    assert_null(strstr(a, "stopped"));
    session_destroy(s);
    sb_free(&text);
    unlink(path);
}

static void test_long_sources_stop_too(void **state)
{
    char path[] = "/tmp/allocscope-source-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "new bump 1M\n");
    for (int i = 0; i < 10000; i++)
        fprintf(f, "alloc 8\n");
    fclose(f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "source %s", path);
    session *s = session_create();
    progress_log stop = {.stop_after = 2};
    interp_set_progress(s, log_progress, &stop);
    const char *a = sk_run(s, cmd);
    assert_non_null(strstr(a, "stopped after 8192 lines"));
    assert_int_equal(stop.total, 0); /* a file's length in lines is not known ahead */
    sk_run(s, "expect live 8191"); /* the first line made the allocator */
    assert_null(session_check(s));
    session_destroy(s);
    unlink(path);
}

/* Runs a script line by line on a session; every line must succeed. */
static void replay_lines(session *s, const char *script)
{
    for (const char *line = script; *line;) {
        size_t n = strcspn(line, "\n");
        char one[128];
        snprintf(one, sizeof one, "%.*s", (int)n, line);
        line += n + (line[n] == '\n');
        sk_run(s, one);
    }
}

static bool convert(const char *text, trace_header *h, strbuf *out, strbuf *err)
{
    sb_init(out);
    sb_init(err);
    return trace_to_script(text, h, out, err);
}

/* The CMU 15-213 header (weight, ids, ops, ignore-ranges) with its mdriver's
 * lenient operations: f -1 and freeing a never-allocated id are free(NULL),
 * realloc of an id not live is malloc, realloc to 0 is free. It used to be
 * read as a CS:APP header with a 1-byte heap. */
static void test_cmu_15213_dialect(void **state)
{
    (void)state;
    strbuf out, err;
    trace_header h;
    const char *t = "1\n4\n8\n0\na 0 100\nf -1\nr 1 40\nr 0 200\nf 2\nr 1 0\nf 0\nr 3 0\n";
    if (!convert(t, &h, &out, &err))
        fail_msg("%s", sb_str(&err));
    assert_int_equal(h.dialect, TRACE_CMU_15213);
    assert_int_equal(h.weight, 1);
    assert_int_equal(h.ids, 4);
    assert_int_equal(h.ops, 8);
    assert_int_equal(h.ignore_ranges, 0);
    assert_int_equal(h.peak_payload, 240);                     /* t0 200 + t1 40 */
    assert_int_equal(h.peak_footprint, (208 + 16) + (48 + 16));
    assert_int_equal(h.heap_size, trace_heap_for(h.peak_footprint));
    assert_int_equal(h.heap_size, 4096);
    assert_string_equal(sb_str(&out), "alloc 100 align 8 as t0\n"
                                      "# f -1: free(NULL) does nothing\n"
                                      "alloc 40 align 8 as t1\n"
                                      "realloc t0 200\n"
                                      "# f 2 of an id never allocated: free(NULL) does nothing\n"
                                      "free t1\n"
                                      "free t0\n"
                                      "# r 3 0 of an id not live: realloc(NULL, 0) does nothing here\n");
    session *s = session_create();
    sk_run(s, "new freelist 4096");
    replay_lines(s, sb_str(&out));
    sk_run(s, "expect live 0");
    sk_run(s, "expect no warnings");
    session_destroy(s);
    sb_free(&out);
    sb_free(&err);
}

/* The two-line header (ids, ops) of the xv6 and tester ports, lenient the
 * same way; with no operations at all too. */
static void test_two_line_dialect(void **state)
{
    (void)state;
    strbuf out, err;
    trace_header h;
    if (!convert("2\n4\na 0 10\nr 1 20\nf 0\nf 1\n", &h, &out, &err))
        fail_msg("%s", sb_str(&err));
    assert_int_equal(h.dialect, TRACE_TWO_LINE);
    assert_int_equal(h.ids, 2);
    assert_int_equal(h.ops, 4);
    assert_int_equal(h.heap_size, 4096);
    assert_string_equal(sb_str(&out), "alloc 10 align 8 as t0\nalloc 20 align 8 as t1\nfree t0\nfree t1\n");
    sb_free(&out);
    sb_free(&err);
    assert_true(convert("1\n0\n", &h, &out, &err));
    assert_int_equal(h.dialect, TRACE_TWO_LINE);
    assert_string_equal(sb_str(&out), "");
    sb_free(&out);
    sb_free(&err);
}

/* What is refused, and said so: a 3-line header, and in the strict CS:APP
 * dialect the lenient operations. */
static void test_other_headers_refused_by_name(void **state)
{
    (void)state;
    static const struct {
        const char *text, *message;
    } bad[] = {
        {"2\n4\n1\na 0 8\n", "4: a 3-line header is no dialect allocscope knows"},
        {"2\n4\n1\n", "4: a 3-line header is no dialect allocscope knows"},
        {"1\n", "2: the trace ends inside its 4-line header"},
        {"4096\n2\n1\n1\nf -1\n", "5: the id is not a number below"},
        {"4096\n2\n1\n1\nr 0 8\n", "5: this id is not allocated"},
        {"4096\n2\n1\n1\na 0 0\n", "5: the size must be a number from 1"},
        {"1\n2\n1\n0\na 0 99999999999\n", "5: the size must be a number from 0 to 1 GiB"},
        {"1\n2\n2\n0\na 0 8\na 0 8\n", "6: this id is already allocated"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strbuf out, err;
        trace_header h;
        if (convert(bad[i].text, &h, &out, &err))
            fail_msg("accepted: %s", bad[i].text);
        if (strstr(sb_str(&err), bad[i].message) == NULL)
            fail_msg("%s: said '%s', expected '%s'", bad[i].text, sb_str(&err), bad[i].message);
        sb_free(&out);
        sb_free(&err);
    }
}

/* --ops N writes exactly N operations, and the suggested heap holds the
 * trace: it replays on a free list of that size (first-fit, the default)
 * without a failure. The README's 200,000-operation example used to fail
 * 80,487 allocations on the fixed 1 MiB suggestion. */
static void test_generator_exact_count_and_heap(void **state)
{
    (void)state;
    static const size_t counts[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 100, 1001, 20000};
    for (int shape = 0; shape < TRACE_SHAPE_COUNT; shape++) {
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
            strbuf text, script, err;
            sb_init(&text);
            trace_generate((trace_shape)shape, 3, counts[c], &text);
            trace_header h;
            if (!convert(sb_str(&text), &h, &script, &err))
                fail_msg("%s %zu: %s", trace_shape_name((trace_shape)shape), counts[c], sb_str(&err));
            assert_int_equal(h.ops, counts[c]);
            assert_int_equal(h.dialect, TRACE_CSAPP);
            assert_int_equal(h.heap_size, trace_heap_for(h.peak_footprint));
            session *s = session_create();
            char line[64];
            snprintf(line, sizeof line, "new freelist %zu", h.heap_size);
            sk_run(s, line);
            replay_lines(s, sb_str(&script));
            if (counts[c] >= 2)
                sk_run(s, "expect live 0");
            sk_run(s, "expect no warnings");
            session_destroy(s);
            sb_free(&text);
            sb_free(&script);
            sb_free(&err);
        }
    }
    strbuf text, script, err;
    sb_init(&text);
    trace_generate(TRACE_RANDOM, 1, 200000, &text);
    trace_header h;
    assert_true(convert(sb_str(&text), &h, &script, &err));
    assert_int_equal(h.ops, 200000);
    session *s = session_create();
    char line[64];
    snprintf(line, sizeof line, "new freelist %zu", h.heap_size);
    sk_run(s, line);
    replay_lines(s, sb_str(&script));
    sk_run(s, "expect no warnings");
    session_destroy(s);
    sb_free(&text);
    sb_free(&script);
    sb_free(&err);
}

/* ---- a recording read from a file (its quickest reader, straight from
 * the chunk) and from text (line by line, the quick and careful readers
 * of record.c) ---- */

static void log_stream(trace_stream *ts, strbuf *log)
{
    strbuf err;
    sb_init(&err);
    trace_op op;
    int got;
    while ((got = trace_stream_next(ts, &op, &err)) == 1)
        sb_printf(log, "%d %zu %zu %u %zu\n", (int)op.kind, op.id, op.bytes, op.align_log2, op.line);
    const trace_header *h = trace_stream_header(ts);
    sb_printf(log, "end %d: %s; ops %zu payload %zu footprint %zu\n", got, sb_str(&err), h->ops, h->peak_payload,
              h->peak_footprint);
    sb_free(&err);
}

static void log_both_ways(const char *text, strbuf *from_text, strbuf *from_file)
{
    strbuf err;
    sb_init(&err);
    trace_stream *ts = trace_stream_text(text, NULL, &err);
    assert_non_null(ts);
    log_stream(ts, from_text);
    trace_stream_close(ts);
    char path[] = "/tmp/allocscope-rec-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w+");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    rewind(f);
    ts = trace_stream_open(f, NULL, &err);
    assert_non_null(ts);
    log_stream(ts, from_file);
    trace_stream_close(ts);
    fclose(f);
    unlink(path);
    sb_free(&err);
}

/* A recording of every line form (the ones the quickest reader takes and
 * ones it leaves to the others: a caller, an alignment token, two spaces,
 * a trailing space, a 19-digit thread), long enough that lines are cut at the
 * 64 KiB chunks' ends, reads the same from a file as from text; so does
 * each copy of it damaged at one line (the same error at the same byte). */
static void test_a_recording_reads_the_same_from_a_file(void **state)
{
    (void)state;
    enum { IDS = 64, OPS = 12000 };
    size_t live[IDS] = {0};
    strbuf body;
    sb_init(&body);
    uint64_t seed = 7;
    for (size_t i = 0; i < OPS; i++) {
        size_t id = tk_rand(&seed) % IDS, size = tk_rand(&seed) % 3000, dt = tk_rand(&seed) % 100000;
        size_t addr = 0x55aa0000 + i * 16;
        if (!live[id]) {
            live[id] = 1;
            switch (tk_rand(&seed) % 11) {
            case 0: sb_printf(&body, "a %zu %zu m %zx 0 %zu g4\n", id, size, addr, dt); break;
            case 1: sb_printf(&body, "a %zu %zu c %zx 1 %zu\n", id, size, addr, dt); break;
            case 2: sb_printf(&body, "a %zu %zu R %zx 2 %zu g24n\n", id, size, addr, dt); break;
            case 3: sb_printf(&body, "a %zu %zu v %zx 0 %zu g3996m\n", id, size, addr, dt); break;
            case 4: sb_printf(&body, "a %zu %zu P %zx 0 %zu g0 @3\n", id, size, addr, dt); break;
            case 5: sb_printf(&body, "a %zu %zu M256 %zx 0 %zu g8\n", id, size, addr, dt); break;
            case 6: sb_printf(&body, "a %zu %zu p64 %zx 1 %zu\n", id, size, addr, dt); break;
            case 7: sb_printf(&body, "a %zu %zu m %zx 0 %zu g4 \n", id, size, addr, dt); break;
            case 8: sb_printf(&body, "a  %zu %zu m %zx 0 %zu\n", id, size, addr, dt); break;
            case 9: sb_printf(&body, "a %zu %zu A24 %zx 0 %zu g4\n", id, size, addr, dt); break;
            default: sb_printf(&body, "a %zu %zu r %zx 1234567890123456789 %zu g1234567890\n", id, size, addr, dt);
            }
            continue;
        }
        switch (tk_rand(&seed) % 6) {
        case 0: sb_printf(&body, "f %zu f 0 %zu\n", id, dt); break;
        case 1: sb_printf(&body, "f %zu R 1 %zu\n", id, dt); break;
        case 2: sb_printf(&body, "f %zu r 0 %zu @9\n", id, dt); break;
        case 3: sb_printf(&body, "f %zu s24 0 %zu\n", id, dt); break;
        case 4: sb_printf(&body, "r %zu %zu r %zx 0 %zu g8\n", id, size, addr, dt); continue;
        default: sb_printf(&body, "r %zu %zu R %zx 3 %zu\n", id, size, addr, dt); continue;
        }
        live[id] = 0;
    }
    strbuf text;
    sb_init(&text);
    sb_printf(&text, "1073741824 allocscope-recording 2\n%d\n%d\n1 events=%d heap=55aa0000\n%st 0 1\nend %d\n", IDS,
              OPS, OPS, sb_str(&body), OPS);
    assert_true(text.len > 4 * 65536);
    strbuf a, b;
    sb_init(&a);
    sb_init(&b);
    log_both_ways(sb_str(&text), &a, &b);
    assert_non_null(strstr(sb_str(&a), "end 0: ; ops 12000"));
    assert_string_equal(sb_str(&a), sb_str(&b));
    /* damaged: a line cut short, a bad kind, upper-case hex, a bad id, a
     * blank line */
    static const char *const damage[] = {"a 3 ", "a 3 100 q 10 0 5\n", "a 3 100 m 5A 0 5\n", "f 99 f 0 5\n",
                                         "a 1x 100 m 10 0 5\n", "\n"};
    for (size_t d = 0; d < sizeof damage / sizeof *damage; d++)
        for (size_t at = 9000; at < text.len; at += 65536 - 7) {
            const char *line = strchr(sb_str(&text) + at, '\n') + 1;
            strbuf bad;
            sb_init(&bad);
            sb_printf(&bad, "%.*s%s%s", (int)(line - sb_str(&text)), sb_str(&text), damage[d], line);
            sb_clear(&a);
            sb_clear(&b);
            log_both_ways(sb_str(&bad), &a, &b);
            assert_non_null(strstr(sb_str(&a), "end -1: byte "));
            assert_string_equal(sb_str(&a), sb_str(&b));
            sb_free(&bad);
        }
    sb_free(&a);
    sb_free(&b);
    sb_free(&text);
    sb_free(&body);
}

/* One line of a recording between a line that allocates id 5 and the
 * trailer, from a file and from text; when cut is set the text ends
 * inside that line (no newline, no trailer). */
static void field_case(const char *line, bool cut)
{
    strbuf text, a, b;
    sb_init(&text);
    sb_init(&a);
    sb_init(&b);
    sb_printf(&text, "1073741824 allocscope-recording 2\n10000000\n2\n1 events=2 heap=55aa0000\na 5 100 m 10 0 5\n%s%s",
              line, cut ? "" : "\nt 0 1\nend 2\n");
    log_both_ways(sb_str(&text), &a, &b);
    if (strcmp(sb_str(&a), sb_str(&b)) != 0)
        fail_msg("%s%s: from text\n%sfrom a file\n%s", line, cut ? " (cut)" : "", sb_str(&a), sb_str(&b));
    sb_free(&text);
    sb_free(&a);
    sb_free(&b);
}

/* form with its "%s" replaced by value. */
static void fill_form(char *line, size_t size, const char *form, const char *value)
{
    const char *at = strstr(form, "%s");
    snprintf(line, size, "%.*s%s%s", (int)(at - form), form, value, at + 2);
}

/* The quickest reader reads a word of 8 bytes (or 16) at a time: every field of
 * its line forms, of each width around 8 and 16 bytes and at its limits
 * (19 digits, 16 hex digits, a 10-digit slack, 1 TiB), and with each
 * byte next to a digit's or a hex digit's range after it, reads the same
 * from a file as from text, whole or cut at the end of the input. */
static void test_every_field_width_reads_the_same_from_a_file(void **state)
{
    (void)state;
    static const char *const digits[] = {
        "0", "7", "1234567", "12345678", "123456789", "000000001", "9999999", "00000009999999", "123456789012345",
        "1234567890123456", "12345678901234567", "1234567890123456789", "0000000000000000005", "12345678901234567890",
        "18446744073709551615", "1099511627776", "1099511627777", "00000001099511627776", "9/", "9:", "1x", "/", ":",
        "12345678:", "", " 5"};
    static const char *const hex[] = {
        "0", "a", "f", "g", "A", "F", "`", "0123456", "01234567", "012345678", "0123456789abcde",
        "0123456789abcdef", "0123456789abcdef0", "ffffffffffffffff", "fffffffG", "abcdef:", "abcdef/", "abcdefg",
        "0123456789abcdeF", "0123456789abcde`", "/", ":", ""};
    static const char *const slack[] = {"g", "g1", "g12345678", "g123456789", "g1234567890", "g12345678901",
                                        "g1m", "g1n", "g1x", "g12345678n", "g123456789m", "g1mn", "h1", "g:", ""};
    /* templates: %s is the field tried, the others as written most */
    static const char *const id_forms[] = {"a %s 100 m 10 0 5", "r %s 100 r 10 0 5", "f %s f 0 5"};
    static const char *const size_forms[] = {"a 6 %s m 10 0 5 g8", "r 5 %s R 10 0 5"};
    static const char *const addr_forms[] = {"a 6 100 c %s 0 5", "r 5 100 r %s 1 5 g8n"};
    static const char *const thread_forms[] = {"a 6 100 v %s 5", "f 5 R %s 5", "r 5 100 r 10 %s 5 g8"};
    static const char *const dt_forms[] = {"a 6 100 P 10 0 %s", "f 5 f 0 %s", "r 5 100 R 10 1 %s g8m",
                                           "a 6 100 m 10 0 %s g8"};
    static const char *const slack_forms[] = {"a 6 100 m 10 0 5 %s", "r 5 100 r 10 0 5 %s"};
    struct {
        const char *const *forms, *const *values;
        size_t nforms, nvalues;
    } sets[] = {
        {id_forms, digits, 3, sizeof digits / sizeof *digits},
        {size_forms, digits, 2, sizeof digits / sizeof *digits},
        {addr_forms, hex, 2, sizeof hex / sizeof *hex},
        {thread_forms, digits, 3, sizeof digits / sizeof *digits},
        {dt_forms, digits, 4, sizeof digits / sizeof *digits},
        {slack_forms, slack, 2, sizeof slack / sizeof *slack},
    };
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        for (size_t f = 0; f < sets[i].nforms; f++)
            for (size_t v = 0; v < sets[i].nvalues; v++) {
                char line[128];
                fill_form(line, sizeof line, sets[i].forms[f], sets[i].values[v]);
                field_case(line, false);
                field_case(line, true);
            }
    static const char *const kinds[] = {"a 6 100 %s 10 0 5", "r 5 100 %s 10 0 5", "f 5 %s 0 5"};
    for (size_t f = 0; f < 3; f++)
        for (int k = 1; k < 256; k++) {
            char kind[2] = {(char)k, '\0'}, line[64];
            if (k == '\n')
                continue;
            fill_form(line, sizeof line, kinds[f], kind);
            field_case(line, false);
        }
}

/* A long line of the quickest reader's forms starts at each byte before
 * the first chunk's end (64 KiB), so that the end cuts it at each of its
 * bytes, and reads the same from a file as from text. */
static void test_lines_across_the_chunk_end_read_the_same(void **state)
{
    (void)state;
    static const char *const lines[] = {"a 1234567 1099511627776 m 0123456789abcdef 1234567890123456789 "
                                        "1234567890123456789 g1234567890n",
                                        "f 1234567 R 1234567890123456789 1234567890123456789"};
    enum { PAIRS = 2200 }; /* of "a 7 100 m 10 0 DT" and "f 7 f 0 5": 27 bytes or more */
    for (size_t l = 0; l < 2; l++)
        for (size_t back = 0; back <= strlen(lines[l]) + 1; back++) {
            strbuf text, a, b;
            sb_init(&text);
            sb_init(&a);
            sb_init(&b);
            size_t ops = 2 * PAIRS + 2;
            sb_printf(&text, "1073741824 allocscope-recording 2\n10000000\n%zu\n1 events=%zu heap=55aa0000\n", ops,
                      ops);
            sb_printf(&text, "a %s 100 m 10 0 5\n", l == 1 ? "1234567" : "1");
            size_t extra = 65536 - back - text.len - PAIRS * 27; /* spread over the DTs, 18 digits at most */
            assert_true(extra < PAIRS * 18);
            for (size_t i = 0; i < PAIRS; i++) {
                size_t more = extra < 18 ? extra : 18;
                extra -= more;
                sb_printf(&text, "a 7 100 m 10 0 %0*d\nf 7 f 0 5\n", (int)more + 1, 5);
            }
            assert_int_equal(text.len, 65536 - back);
            sb_printf(&text, "%s\nt 0 1\nend %zu\n", lines[l], ops);
            log_both_ways(sb_str(&text), &a, &b);
            assert_non_null(strstr(sb_str(&a), "end 0: ;"));
            assert_string_equal(sb_str(&a), sb_str(&b));
            sb_free(&text);
            sb_free(&a);
            sb_free(&b);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_a_trace_into_a_script),
        cmocka_unit_test(test_malformed_traces_say_where),
        cmocka_unit_test(test_generated_shapes_replay_cleanly),
        cmocka_unit_test(test_trace_command_reports),
        cmocka_unit_test(test_long_traces_report_progress_and_stop),
        cmocka_unit_test(test_long_sources_stop_too),
        cmocka_unit_test(test_cmu_15213_dialect),
        cmocka_unit_test(test_two_line_dialect),
        cmocka_unit_test(test_other_headers_refused_by_name),
        cmocka_unit_test(test_generator_exact_count_and_heap),
        cmocka_unit_test(test_a_recording_reads_the_same_from_a_file),
        cmocka_unit_test(test_every_field_width_reads_the_same_from_a_file),
        cmocka_unit_test(test_lines_across_the_chunk_end_read_the_same),
    };
    return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
