/* test_record.c - the recording format: raw streams converted into
 * recordings, recordings read back as scripts, and damaged or newer
 * recordings (the end to end run of real programs is tests/record_test.sh). */
#include <unistd.h>
#include "sessionkit.h"
#include "testkit.h"
#include "allocscope/parse.h"
#include "allocscope/evidence.h"
#include "allocscope/record.h"
#include "allocscope/trace.h"

typedef struct raw_writer {
    char path[64];
    FILE *f;
    uint64_t ns, seq;
} raw_writer;

/* The packing's memory of the chunk being packed (record_raw_begin starts one). */
static record_raw_state pack_state;

/* Writes one chunk of the packed events at data (n bytes) of thread tid. */
static void raw_chunk(raw_writer *w, uint32_t tid, uint32_t stream, const unsigned char *data, size_t n)
{
    record_raw_chunk c = {RECORD_CHUNK_MAGIC, tid, stream, (uint32_t)n, w->ns, w->ns};
    assert_int_equal(fwrite(&c, sizeof c, 1, w->f), 1);
    assert_int_equal(fwrite(data, 1, n, w->f), n);
}

static void raw_open(raw_writer *w)
{
    snprintf(w->path, sizeof w->path, "/tmp/test_record_raw.%d", (int)getpid());
    w->f = fopen(w->path, "wb");
    assert_non_null(w->f);
    record_raw_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, RECORD_RAW_MAGIC, sizeof h.magic);
    h.pid = 42, h.ppid = 1, h.start_ns = 1000, h.start_ticks = 1000; /* ticks as nanoseconds */
    h.heap_start = 0x5000;
    w->ns = 1000;
    w->seq = 0;
    assert_int_equal(fwrite(&h, sizeof h, 1, w->f), 1);
}

/* One event into e, sampled at the next 10 ns, its place the next one
 * (a realloc's two places: the next two). */
static void raw_fill(raw_writer *w, record_raw_event *e, record_kind kind, uint64_t ptr, uint64_t size, uint64_t arg,
                     uint64_t old)
{
    memset(e, 0, sizeof *e);
    w->ns += 10;
    if (record_kind_reallocs(kind))
        e->before = w->seq++;
    e->seq = w->seq++;
    e->ns = w->ns, e->ptr = ptr, e->size = size, e->arg = arg, e->old = old, e->kind = (uint16_t)kind;
    e->err = ptr || kind == RK_FREE ? 0 : 12;
    bool gives = ptr && kind != RK_FREE && kind != RK_FREE_SIZED && kind != RK_FREE_ALIGNED_SIZED;
    e->slack = gives ? (size == 1000 ? 4072 : size == 0 ? 24 : 8) : 0; /* what the interposer reads of glibc */
    e->chunk = gives && size == 1000 ? RECORD_CHUNK_MMAPPED : gives && size == 0 ? RECORD_CHUNK_NON_MAIN : 0;
}

/* One event, as a chunk of its own (the thread tid's stream). */
static void raw_event(raw_writer *w, record_kind kind, uint64_t ptr, uint64_t size, uint64_t arg, uint64_t old,
                      uint32_t tid)
{
    record_raw_event e;
    raw_fill(w, &e, kind, ptr, size, arg, old);
    unsigned char packed[RECORD_PACKED_MAX];
    size_t n = record_raw_pack(&e, record_raw_begin(&pack_state), packed);
    raw_chunk(w, tid, tid, packed, n);
}

/* Converts the raw file; the recording's text in *text (caller frees). */
static void raw_convert(raw_writer *w, strbuf *text, record_summary *sum)
{
    fclose(w->f);
    char out[80];
    snprintf(out, sizeof out, "%s.rec", w->path);
    strbuf err;
    sb_init(&err);
    bool ok = record_convert(w->path, NULL, out, sum, &err);
    if (!ok)
        fail_msg("%s", sb_str(&err));
    sb_init(text);
    assert_true(sb_read_file(text, out, 1 << 20, &err));
    unlink(w->path);
    unlink(out);
    sb_free(&err);
}

static void test_a_raw_stream_becomes_a_recording(void **state)
{
    (void)state;
    raw_writer w;
    raw_open(&w);
    raw_event(&w, RK_MALLOC, 0x1000, 100, 0, 0, 7);
    raw_event(&w, RK_CALLOC, 0x2000, 8, 10, 0, 7);
    raw_event(&w, RK_CALLOC, 0, 4, (uint64_t)1 << 62, 0, 7);   /* overflow: NULL */
    raw_event(&w, RK_REALLOC, 0x3000, 200, 0, 0x1000, 8);      /* moves, another thread */
    raw_event(&w, RK_REALLOC, 0, 0, 0, 0x3000, 8);             /* realloc to 0 frees */
    raw_event(&w, RK_POSIX_MEMALIGN, 0x4000, 1000, 64, 0, 7);
    raw_event(&w, RK_FREE, 0, 0, 0, 0, 7);                     /* free(NULL) */
    raw_event(&w, RK_FREE, 0x9000, 0, 0, 0, 7);                /* never seen allocated */
    raw_event(&w, RK_FREE, 0x2000, 0, 0, 0, 7);
    raw_event(&w, RK_FREE, 0x4000, 0, 0, 0, 7);
    raw_event(&w, RK_MALLOC, 0x2000, 0, 0, 0, 7);              /* malloc(0), an address reused */
    strbuf text;
    record_summary sum;
    raw_convert(&w, &text, &sum);
    assert_string_equal(sb_str(&text),
                        "1048576 allocscope-recording 2\n"
                        "2\n"
                        "8\n"
                        "1 events=11 threads=2 pid=42 ppid=1 image=0 stacks=0 heap=5000\n"
                        "a 0 100 m 1000 0 10 g8\n"
                        "a 1 80 c 2000 0 10 g8\n"
                        "r 0 200 r 3000 1 20 g8\n"
                        "f 0 r 1 10\n"
                        "a 0 1000 p64 4000 0 10 g4072m\n"
                        "f 1 f 0 30\n"
                        "f 0 f 0 10\n"
                        "a 0 0 m 2000 0 10 g24n\n"
                        "t 0 7\n"
                        "t 1 8\n"
                        "x 2 c 4611686018427387904*4 0 30 12\n"
                        "x 5 f 0 0 70 0\n"
                        "u 5 f 9000 0 80\n"
                        "end 11\n");
    assert_int_equal(sum.events, 11);
    assert_int_equal(sum.allocs, 4);
    assert_int_equal(sum.frees, 3);
    assert_int_equal(sum.reallocs, 1);
    assert_int_equal(sum.failed, 1);
    assert_int_equal(sum.nulls, 1);
    assert_int_equal(sum.unknown, 1);
    assert_int_equal(sum.threads, 2);

    /* and back: the operations as a script, the extra calls ignored */
    strbuf out, err;
    sb_init(&out);
    sb_init(&err);
    trace_header h;
    assert_true(trace_to_script(sb_str(&text), &h, &out, &err));
    assert_string_equal(sb_str(&err), "");
    assert_int_equal(h.ops, 8);
    assert_int_equal(h.ids, 2); /* ids are reused once freed */
    assert_int_equal(h.heap_size, 1048576);
    assert_string_equal(sb_str(&out), "alloc 100 align 16 as t0\nalloc 80 align 16 as t1\nrealloc t0 200\nfree t0\n"
                                      "alloc 1000 align 64 as t0\nfree t1\nfree t0\nalloc 1 align 16 as t0\n");
    sb_free(&out);
    sb_free(&err);
    sb_free(&text);
}

static const char good[] = "4096 allocscope-recording 1\n2\n4\n1 events=5\n"
                           "a 0 100 m 1000 0 5\n"
                           "a 1 50 M256 2000 1 5 @0\n"
                           "f 0 f 0 5\n"
                           "f 1 f 1 5\n"
                           "t 0 11\nt 1 12\nx 2 f 0 0 15 0\ns 0 55aa known_main+0x1d (/bin/known)\nend 5\n";

static bool read_rec(const char *text, strbuf *out, strbuf *err, trace_header *h)
{
    sb_clear(out);
    sb_clear(err);
    return trace_to_script(text, h, out, err);
}

static void test_a_recording_reads_with_its_extra_fields(void **state)
{
    (void)state;
    strbuf out, err;
    sb_init(&out);
    sb_init(&err);
    trace_header h;
    assert_true(record_is_recording(good));
    assert_false(record_is_recording("4096\n2\n4\n1\n"));
    assert_true(read_rec(good, &out, &err, &h));
    assert_string_equal(sb_str(&err), "");
    assert_string_equal(sb_str(&out), "alloc 100 align 16 as t0\nalloc 50 align 256 as t1\nfree t0\nfree t1\n");
    /* version 2: each block's glibc field; a bad one is named */
    static const char v2[] = "4096 allocscope-recording 2\n2\n2\n1 events=2 heap=55aa00\n"
                             "a 0 100 m 55aa10 0 5 g4\n"
                             "a 1 50 M256 7f0010 1 5 g4000m @0\n"
                             "t 0 11\nt 1 12\ns 0 55aa known_main+0x1d (/bin/known)\nend 2\n";
    assert_true(read_rec(v2, &out, &err, &h));
    assert_string_equal(sb_str(&err), "");
    assert_string_equal(sb_str(&out), "alloc 100 align 16 as t0\nalloc 50 align 256 as t1\n");
    char bad[sizeof v2];
    snprintf(bad, sizeof bad, "%s", v2);
    *strstr(bad, "g4\n") = 'q';
    assert_true(read_rec(bad, &out, &err, &h));
    assert_non_null(strstr(sb_str(&err), "unexpected") ? strstr(sb_str(&err), "unexpected") : strstr(sb_str(&err), "fields"));
    snprintf(bad, sizeof bad, "%s", v2);
    memcpy(strstr(bad, "g4\n"), "gx\n", 3);
    assert_true(read_rec(bad, &out, &err, &h));
    assert_non_null(strstr(sb_str(&err), "the glibc field is"));
    /* old malloc-lab traces are untouched */
    assert_true(read_rec("4096\n1\n2\n1\na 0 8\nf 0\n", &out, &err, &h));
    assert_string_equal(sb_str(&out), "alloc 8 align 8 as t0\nfree t0\n");
    sb_free(&out);
    sb_free(&err);
}

static void test_damage_replays_the_part_before_it(void **state)
{
    (void)state;
    strbuf out, err;
    sb_init(&out);
    sb_init(&err);
    trace_header h;
    size_t third = strstr(good, "f 0 f") - good; /* the third operation's byte offset */
    /* truncated inside the third operation */
    char cut[sizeof good];
    snprintf(cut, sizeof cut, "%.*s", (int)third + 4, good);
    assert_true(read_rec(cut, &out, &err, &h));
    char want[160];
    snprintf(want, sizeof want, "byte %zu: the recording ends inside this line (truncated); the 2 operations before "
                                "it replay", third);
    assert_string_equal(sb_str(&err), want);
    assert_int_equal(h.ops, 2);
    assert_string_equal(sb_str(&out), "alloc 100 align 16 as t0\nalloc 50 align 256 as t1\n");
    /* truncated at a line's end, before the operations end */
    snprintf(cut, sizeof cut, "%.*s", (int)third, good);
    assert_true(read_rec(cut, &out, &err, &h));
    snprintf(want, sizeof want, "byte %zu: the recording ends before the operations its header announces", third);
    assert_non_null(strstr(sb_str(&err), want));
    /* truncated in the trailer: every operation replays */
    snprintf(cut, sizeof cut, "%.*s", (int)(strstr(good, "end") - good), good);
    assert_true(read_rec(cut, &out, &err, &h));
    assert_non_null(strstr(sb_str(&err), "ends before its end line (truncated); the 4 operations before it replay"));
    assert_int_equal(h.ops, 4);
    /* a corrupt third line: its offset is named */
    char bad[sizeof good];
    snprintf(bad, sizeof bad, "%s", good);
    bad[third + 4] = 'Q';
    assert_true(read_rec(bad, &out, &err, &h));
    snprintf(want, sizeof want, "byte %zu: unknown kind of call; the 2 operations before it replay", third);
    assert_string_equal(sb_str(&err), want);
    /* semantic damage: a free of a block that is not allocated */
    snprintf(bad, sizeof bad, "%s", good);
    bad[third + 2] = '1'; /* t1 freed twice */
    assert_true(read_rec(bad, &out, &err, &h));
    assert_non_null(strstr(sb_str(&err), "this id is not allocated"));
    /* a wrong count at the end */
    snprintf(bad, sizeof bad, "%s", good);
    bad[strlen(bad) - 2] = '7';
    assert_true(read_rec(bad, &out, &err, &h));
    assert_non_null(strstr(sb_str(&err), "the end line counts other events"));
    sb_free(&out);
    sb_free(&err);
}

static void test_bad_headers_and_newer_versions_replay_nothing(void **state)
{
    (void)state;
    static const struct {
        const char *text, *message;
    } bad[] = {
        {"4096 allocscope-recording 3\n2\n4\n1\n", "byte 0: a recording of format version 3; this allocscope reads "
                                                  "version 2 (a newer allocscope wrote it: update allocscope)"},
        {"4096 allocscope-recording x\n2\n4\n1\n", "byte 0: the first line of a recording is"},
        {"4096 allocscope-recording 1\ntwo\n4\n1\n", "byte 28: line 2 of a recording is the number of ids"},
        {"4096 allocscope-recording 1\n2\n", "line 3 of a recording is the number of operations"},
        {"4096 allocscope-recording 1\n20000000\n4\n1\n", "larger than allocscope replays"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strbuf out, err;
        sb_init(&out);
        sb_init(&err);
        assert_false(trace_to_script(bad[i].text, NULL, &out, &err));
        if (strncmp(sb_str(&err), bad[i].message, strlen(bad[i].message)) != 0 &&
            strstr(sb_str(&err), bad[i].message) == NULL)
            fail_msg("case %zu: '%s', expected '%s'", i, sb_str(&err), bad[i].message);
        sb_free(&out);
        sb_free(&err);
    }
}

/* The session replays a recording as a trace: the free list of the
 * header's size, the allocations at their alignments. */
static void test_the_trace_command_replays_a_recording(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_record.%d.rec", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(good, f);
    fclose(f);
    session *s = session_create();
    char cmd[96];
    snprintf(cmd, sizeof cmd, "trace %s", path);
    const char *a = sk_run(s, cmd);
    assert_non_null(strstr(a, ": 4 operations, 0 failed"));
    assert_null(session_check(s));
    session_destroy(s);
    /* a damaged one: the good part replays (2 blocks stay live), the command
     * fails and says where; record_damage says it too */
    f = fopen(path, "w");
    fprintf(f, "%.*s", (int)(strstr(good, "f 0 f") - good), good);
    fclose(f);
    s = session_create();
    a = sk_run_status(s, cmd, SESSION_ERROR);
    assert_non_null(strstr(a, ": 2 operations, 0 failed"));
    char said[128];
    snprintf(said, sizeof said, "error: %s: byte %zu: the recording ends before the operations", path,
             (size_t)(strstr(good, "f 0 f") - good));
    assert_non_null(strstr(a, said));
    assert_null(session_check(s));
    sk_run(s, "undo");
    session_destroy(s);
    char *msg = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&msg, &len);
    assert_true(record_damage(path, m));
    fclose(m);
    char want[96];
    snprintf(want, sizeof want, ": byte %zu: the recording ends before the operations", (size_t)(strstr(good, "f 0 f") - good));
    assert_non_null(strstr(msg, want));
    free(msg);
    unlink(path);
}


/* The interposer reads the clock at every 16th call of a thread only:
 * the calls between get times spread evenly up to the next sampled one,
 * and those after the last one its time. */
static void test_unsampled_calls_get_interpolated_times(void **state)
{
    (void)state;
    raw_writer w;
    raw_open(&w);
    unsigned char packed[6 * RECORD_PACKED_MAX];
    size_t n = 0;
    record_raw_event e;
    raw_fill(&w, &e, RK_MALLOC, 0x1000, 10, 0, 0); /* at 1010 */
    n += record_raw_pack(&e, record_raw_begin(&pack_state), packed + n);
    uint64_t ptrs[3] = {0x2000, 0x3000, 0x4000};
    for (int i = 0; i < 3; i++) { /* not sampled */
        raw_fill(&w, &e, RK_MALLOC, ptrs[i], 10, 0, 0);
        e.ns = 0;
        size_t one = record_raw_pack(&e, &pack_state, packed + n);
        assert_int_equal(one, 5); /* a malloc: its flags, ptr + 4 KiB (2 bytes), its size and its slack */
        n += one;
    }
    raw_fill(&w, &e, RK_FREE, 0x2000, 0, 0, 0); /* sampled: 1050 */
    n += record_raw_pack(&e, &pack_state, packed + n);
    raw_fill(&w, &e, RK_FREE, 0x1000, 0, 0, 0); /* after it, nothing sampled: the file ends */
    e.ns = 0;
    n += record_raw_pack(&e, &pack_state, packed + n);
    raw_chunk(&w, 7, 1, packed, n);
    strbuf text;
    record_summary sum;
    raw_convert(&w, &text, &sum);
    const char *body = strstr(sb_str(&text), "a 0 10 m 1000 0 10 g8\n");
    assert_non_null(body);
    assert_non_null(strstr(body, "a 1 10 m 2000 0 10 g8\na 2 10 m 3000 0 10 g8\na 3 10 m 4000 0 10 g8\n"
                                 "f 1 f 0 10\nf 0 f 0 0\n")); /* the last sampled time */
    assert_int_equal(sum.events, 6);
    sb_free(&text);
}

/* Threads buffer their calls: their chunks come in the file in any
 * order, and the converter merges them by each call's place (seq). An
 * address freed in one thread and handed out in another is freed first;
 * a realloc's old block leaves at its first place (before its real
 * call), so another thread that gets that address back before the
 * realloc returns gets a block of its own, and the realloc is written
 * before that (glibc had given it its new block before it freed the old
 * one): in the recording's order no address is handed out while live. */
static void test_threads_chunks_merge_by_their_places(void **state)
{
    (void)state;
    raw_writer w;
    raw_open(&w);
    record_raw_event e[8];
    raw_fill(&w, &e[0], RK_MALLOC, 0xa000, 100, 0, 0);  /* seq 0, thread 7 */
    raw_fill(&w, &e[1], RK_MALLOC, 0xb000, 50, 0, 0);   /* 1, thread 7 */
    raw_fill(&w, &e[2], RK_FREE, 0xb000, 0, 0, 0);      /* 2, thread 7 */
    raw_fill(&w, &e[3], RK_MALLOC, 0xb000, 60, 0, 0);   /* 3, thread 8: the address back */
    record_raw_event r; /* 4 and 6, thread 7: realloc frees 0xa000 at 4, returns 0xc000 at 6 */
    memset(&r, 0, sizeof r);
    r.kind = RK_REALLOC, r.ptr = 0xc000, r.old = 0xa000, r.size = 300, r.before = 4, r.seq = 6, r.ns = 1070;
    r.slack = 8;
    memset(&e[4], 0, sizeof e[4]);
    e[4].kind = RK_MALLOC, e[4].ptr = 0xa000, e[4].size = 70, e[4].seq = 5, e[4].ns = 1060, e[4].slack = 8; /* 8 */
    memset(&e[5], 0, sizeof e[5]);
    e[5].kind = RK_FREE, e[5].ptr = 0xb000, e[5].seq = 7, e[5].ns = 1080; /* 8 */
    unsigned char a[8 * RECORD_PACKED_MAX], b[8 * RECORD_PACKED_MAX];
    size_t na = 0, nb = 0;
    nb += record_raw_pack(&e[3], record_raw_begin(&pack_state), b + nb);
    nb += record_raw_pack(&e[4], &pack_state, b + nb);
    nb += record_raw_pack(&e[5], &pack_state, b + nb);
    raw_chunk(&w, 8, 2, b, nb); /* thread 8's chunk first in the file */
    na += record_raw_pack(&e[0], record_raw_begin(&pack_state), a + na);
    na += record_raw_pack(&e[1], &pack_state, a + na);
    na += record_raw_pack(&e[2], &pack_state, a + na);
    raw_chunk(&w, 7, 1, a, na);
    na = record_raw_pack(&r, record_raw_begin(&pack_state), a); /* thread 7's second chunk */
    raw_chunk(&w, 7, 1, a, na);
    strbuf text;
    record_summary sum;
    raw_convert(&w, &text, &sum);
    const char *body = strchr(strstr(sb_str(&text), "heap=5000"), '\n') + 1;
    assert_string_equal(body, "a 0 100 m a000 0 10 g8\n"
                              "a 1 50 m b000 0 10 g8\n"
                              "f 1 f 0 10\n"
                              "a 1 60 m b000 1 10 g8\n"
                              "r 0 300 r c000 0 20 g8\n" /* before the address it freed comes back */
                              "a 2 70 m a000 1 0 g8\n"
                              "f 1 f 1 20\n"
                              "t 0 7\nt 1 8\nend 7\n");
    assert_int_equal(sum.unknown, 0);
    assert_int_equal(sum.reallocs, 1);
    sb_free(&text);
}

/* What glibc accepts reads back: memalign(0, n) (malloc) and an
 * alignment that is no power of two (glibc rounds it up), a realloc in
 * place (its old address is its new one: written once), and a realloc
 * of a block never seen allocated (inherited at a fork: a u line and an
 * allocation, two lines for one call, which the end line counts). */
static void test_odd_calls_read_back_whole(void **state)
{
    (void)state;
    raw_writer w;
    raw_open(&w);
    raw_event(&w, RK_MEMALIGN, 0x1000, 40, 0, 0, 7);
    raw_event(&w, RK_MEMALIGN, 0x2000, 40, 24, 0, 7);
    raw_event(&w, RK_REALLOC, 0x1000, 60, 0, 0x1000, 7); /* in place: one r line */
    raw_event(&w, RK_REALLOC, 0x3000, 50, 0, 0x9000, 7);
    strbuf text, out, err;
    record_summary sum;
    raw_convert(&w, &text, &sum);
    assert_non_null(strstr(sb_str(&text), "a 0 40 M0 1000 0 10 g8\na 1 40 M24 2000 0 10 g8\nr 0 60 r 1000 0 10 g8\n"
                                          "a 2 50 r 3000 0 10 g8\nt 0 7\n"));
    assert_non_null(strstr(sb_str(&text), "u 3 r 9000 0 40\nend 5\n"));
    sb_init(&out);
    sb_init(&err);
    trace_header h;
    assert_true(trace_to_script(sb_str(&text), &h, &out, &err));
    assert_string_equal(sb_str(&err), "");
    assert_string_equal(sb_str(&out),
                        "alloc 40 align 16 as t0\nalloc 40 align 32 as t1\nrealloc t0 60\nalloc 50 align 16 as t2\n");
    sb_free(&out);
    sb_free(&err);
    sb_free(&text);
}

/* The quick reader of operation lines takes the lines allocscope record
 * writes and reads them as the careful one does; anything else it leaves
 * to the careful one. */
static void test_the_quick_line_reader_agrees_with_the_careful_one(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        bool quick;
    } lines[] = {
        {"a 0 100 m 55aa02a0 0 5 g4", true},
        {"a 12 0 m 55aa02a0 3 123456 g24n @7", true},
        {"r 3 300 r 7f0000010 1 5 g4784m", true},
        {"a 1 40 M256 2000 1 5 g8 @0", true},
        {"a 1 40 p64 2000 1 5", true},
        {"a 1 40 A24 2000 1 5", true},
        {"a 1 100 v 2000 1 5 g3996", true},
        {"a 1 100 P 2000 1 5 g3996", true},
        {"a 1 100 c 2000 1 5 g0", true},
        {"a 1 120 R 2000 1 5 g8", true},
        {"r 1 240 R 2000 1 5 g8", true},
        {"f 0 f 0 5", true},
        {"f 0 r 1 10 @3", true},
        {"f 0 R 1 10", true},
        {"f 0 s24 1 10", false},       /* free_sized: the careful reader */
        {"a 0 100 m 55aa02a0 0 5 g4 ", true},
        {"a  0 100 m 55aa02a0 0 5", false}, /* two spaces */
        {"a 0 100 m 55AA02A0 0 5", false},  /* upper-case hex: refused by both */
        {"a 0 100 q 55aa02a0 0 5", false},
        {"a 0 100 m 55aa02a0 0", false},
        {"a 0 100 m 55aa02a0 0 5 g", false},
        {"a 0 100 m 55aa02a0 0 5 g12345678901", false},
        {"a 0 100 m 55aa02a0 0 5 x", false},
        {"a 0 100 m 55aa02a0 0 5 @x", false},
        {"a 2000 100 m 55aa02a0 0 5", false}, /* an id past the header's */
        {"a 0 2199023255553 m 55aa02a0 0 5", false},
        {"a 0 100 m 55aa02a0 0 5 g4 @1 @2", false},
        {"f 0 f 0 5 g4", false},
        {"r 0 100 m 55aa02a0 0 5", false},
        {"a 0 100 m 12345678901234567 0 5", false},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        record_op fast, slow;
        parse_words w;
        bool quick = record_op_fast(lines[i].line, strlen(lines[i].line), 1000, &fast);
        if (quick != lines[i].quick)
            fail_msg("'%s': the quick reader %s it", lines[i].line, quick ? "takes" : "leaves");
        if (!quick)
            continue;
        assert_null(parse_split(lines[i].line, &w));
        assert_null(record_op_line(&w, 1000, &slow));
        assert_int_equal(fast.op, slow.op);
        assert_int_equal(fast.id, slow.id);
        assert_int_equal(fast.size, slow.size);
        assert_int_equal(fast.align, slow.align);
    }
}

/* The same when the other thread gets not the old address but bytes of
 * the old block (glibc merged its chunk with a free neighbour): the
 * realloc is written first, so that the glibc view finds those bytes
 * free. */
static void test_a_realloc_comes_before_a_reuse_of_its_bytes(void **state)
{
    (void)state;
    raw_writer w;
    raw_open(&w);
    record_raw_event m, r, o;
    memset(&m, 0, sizeof m);
    m.kind = RK_MALLOC, m.ptr = 0xa000, m.size = 100, m.slack = 12, m.seq = 0, m.ns = 1010;
    memset(&r, 0, sizeof r);
    r.kind = RK_REALLOC, r.ptr = 0xc000, r.old = 0xa000, r.size = 300, r.slack = 4, r.before = 1, r.seq = 3, r.ns = 1030;
    memset(&o, 0, sizeof o); /* another thread: a chunk from 0x9fe0, over the old block's first bytes */
    o.kind = RK_MALLOC, o.ptr = 0x9ff0, o.size = 200, o.slack = 8, o.seq = 2, o.ns = 1020;
    unsigned char a[2 * RECORD_PACKED_MAX], b[RECORD_PACKED_MAX];
    size_t na = record_raw_pack(&m, record_raw_begin(&pack_state), a);
    na += record_raw_pack(&r, &pack_state, a + na);
    size_t nb = record_raw_pack(&o, record_raw_begin(&pack_state), b);
    raw_chunk(&w, 7, 1, a, na);
    raw_chunk(&w, 8, 2, b, nb);
    strbuf text;
    record_summary sum;
    raw_convert(&w, &text, &sum);
    const char *body = strchr(strstr(sb_str(&text), "heap=5000"), '\n') + 1;
    assert_string_equal(body, "a 0 100 m a000 0 10 g12\n"
                              "r 0 300 r c000 0 10 g4\n"
                              "a 1 200 m 9ff0 1 0 g8\n"
                              "t 0 7\nt 1 8\nend 3\n");
    assert_int_equal(sum.events, 3);
    sb_free(&text);
}

/* A raw file the recorder was killed while writing: the events of whole
 * chunks and the whole events of the last one are converted. */
static void test_a_raw_file_cut_inside_a_chunk(void **state)
{
    (void)state;
    raw_writer w;
    raw_open(&w);
    raw_event(&w, RK_MALLOC, 0x1000, 10, 0, 0, 7);
    unsigned char packed[3 * RECORD_PACKED_MAX];
    size_t n = 0;
    record_raw_event e;
    raw_fill(&w, &e, RK_MALLOC, 0x2000, 20, 0, 0);
    n += record_raw_pack(&e, record_raw_begin(&pack_state), packed + n);
    raw_fill(&w, &e, RK_MALLOC, 0x3000, 30, 0, 0);
    n += record_raw_pack(&e, &pack_state, packed + n);
    record_raw_chunk c = {RECORD_CHUNK_MAGIC, 7, 7, (uint32_t)n + 500, w.ns, w.ns}; /* says more than is there */
    assert_int_equal(fwrite(&c, sizeof c, 1, w.f), 1);
    assert_int_equal(fwrite(packed, 1, n - 5, w.f), n - 5); /* the second event cut */
    strbuf text;
    record_summary sum;
    raw_convert(&w, &text, &sum);
    assert_non_null(strstr(sb_str(&text), "a 0 10 m 1000 0 10 g8\na 1 20 m 2000 0 10 g8\nt 0 7\nend 2\n"));
    assert_int_equal(sum.events, 2);
    sb_free(&text);
}

/* The glibc view: each block at its recorded address minus the start of
 * its heap (the main heap's page, an arena's 64 MiB heap, an mmapped
 * chunk's own region), glibc's header before it and the slack after it;
 * undo keeps it in step with the recording. */
static const char layout[] = "1048576 allocscope-recording 2\n4\n8\n1 events=8 heap=55aa0000\n"
                             "a 0 100 m 55aa02a0 0 5 g4\n"
                             "a 1 24 m 55aa0310 0 5 g0\n"
                             "r 0 300 r 55aa0330 0 5 g8\n"
                             "a 2 200000 m 7f0000010 0 5 g4784m\n"
                             "a 3 40 m 7e40008a0 1 5 g8n\n"
                             "f 1 f 0 5\n"
                             "a 1 16 m 55aa02a0 0 5 g8\n"
                             "f 2 f 0 5\n"
                             "t 0 1\nt 1 2\nend 8\n";

static session_block block_named(const session *s, const char *name)
{
    for (size_t i = session_block_count(s); i-- > 0;) {
        session_block b = session_block_at(s, i);
        if (strcmp(b.name, name) == 0)
            return b;
    }
    fail_msg("no block %s", name);
    return (session_block){0};
}

/* Where every block is: name, region, offset, size, state. */
static char *layout_of(const session *s)
{
    strbuf out;
    sb_init(&out);
    for (size_t i = 0; i < session_block_count(s); i++) {
        session_block b = session_block_at(s, i);
        sb_printf(&out, "%s %u %zu %zu %d\n", b.name, b.region, b.offset, b.size, b.live);
    }
    return out.data;
}

typedef struct span_at {
    uint32_t region;
    size_t offset;
    as_span found;
    bool seen;
} span_at;

static void find_span(void *user, const as_span *sp)
{
    span_at *q = user;
    if (sp->region == q->region && sp->offset == q->offset && !q->seen)
        q->found = *sp, q->seen = true;
}

static as_span span_of(const session *s, uint32_t region, size_t offset)
{
    span_at q = {region, offset, {0}, false};
    as_inspector in = {.span = find_span, .user = &q};
    as_instance a = session_active_instance(s);
    a.probe->inspect(a.a.ctx, &in);
    if (!q.seen)
        fail_msg("no span at %u+%zu", region, offset);
    return q.found;
}

static void test_the_glibc_view_puts_blocks_at_their_recorded_addresses(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_record_glibc.%d.rec", (int)getpid());
    FILE *f = fopen(path, "w");
    fputs(layout, f);
    fclose(f);
    session *s = session_create();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "new glibc %s", path);
    assert_non_null(strstr(sk_run(s, cmd), "(6 allocations) is active"));
    snprintf(cmd, sizeof cmd, "trace %s", path);
    assert_non_null(strstr(sk_run(s, cmd), ": 8 operations, 0 failed"));
    assert_null(session_check(s));
    char *after = layout_of(s);
    /* t0 moved by its realloc to 0x330, t1 reuses 0x2a0: offsets from the heap's page 0x55aa0000 */
    session_block t0 = block_named(s, "t0"), t1 = block_named(s, "t1"), t3 = block_named(s, "t3");
    assert_true(t0.live && t1.live && t3.live);
    assert_int_equal(t0.region, 0);
    assert_int_equal(t0.offset, 0x330);
    assert_int_equal(t1.region, 0);
    assert_int_equal(t1.offset, 0x2a0);
    /* the thread's arena: its 64 MiB heap at 0x7e4000000 is region 1 */
    assert_int_equal(t3.region, 1);
    assert_int_equal(t3.offset, 0x8a0);
    /* glibc's size word before a block, the slack malloc_usable_size shows after it */
    as_span h = span_of(s, 0, 0x330 - 8), slack = span_of(s, 0, 0x330 + 300);
    assert_int_equal(h.kind, AS_SPAN_META);
    assert_int_equal(h.len, 8);
    assert_int_equal(slack.kind, AS_SPAN_SLACK);
    assert_int_equal(slack.len, 8);
    assert_ptr_equal(slack.block, t0.ptr); /* the slack is t0's: the block table's column says so */
    evidence ev;
    evidence_collect(s, &ev);
    assert_int_equal(evidence_slack_of(&ev, t0.ptr), 8);
    evidence_free(&ev);
    as_span t1s = span_of(s, 0, 0x2a0);
    assert_int_equal(t1s.kind, AS_SPAN_LIVE);
    assert_int_equal(t1s.len, 16);
    /* the mmapped chunk (freed since) was region 2: 16 bytes of header, the block, its slack, whole pages */
    as_span mh = span_of(s, 2, 0);
    assert_int_equal(mh.kind, AS_SPAN_META);
    assert_int_equal(mh.len, 16);
    assert_int_equal(span_of(s, 2, 16).kind, AS_SPAN_FREED);
    assert_int_equal(span_of(s, 2, 16).len, 200000 + 4784);
    /* back (undo rebuilds the view and its place in the recording), then forward again by hand */
    for (int i = 0; i < 6; i++)
        sk_run(s, "undo");
    t0 = block_named(s, "t0");
    assert_int_equal(t0.offset, 0x2a0); /* before its realloc */
    assert_null(session_check(s));
    static const char *const rest[] = {"realloc t0 300", "alloc 200000 align 16 as t2", "alloc 40 align 16 as t3",
                                       "free t1", "alloc 16 align 16 as t1", "free t2"};
    sk_script(s, rest, 6);
    char *again = layout_of(s);
    assert_string_equal(after, again);
    free(after);
    free(again);
    /* past the recording, or off it, nothing fits */
    sk_run(s, "alloc 16");
    assert_true(sk_has_warning(s, "out-of-memory", ""));
    session_destroy(s);
    /* a recording that contradicts itself (a block handed out over a live one), addresses
     * glibc cannot have given: refused or failed, never a crash */
    f = fopen(path, "w");
    fputs("1048576 allocscope-recording 2\n2\n3\n1 heap=1000\n"
          "a 0 100 m 1010 0 5 g4\na 1 100 m 1040 0 5 g4\nf 0 f 0 5\nt 0 1\nend 3\n", f);
    fclose(f);
    s = session_create();
    snprintf(cmd, sizeof cmd, "new glibc %s", path);
    sk_run(s, cmd);
    snprintf(cmd, sizeof cmd, "trace %s", path);
    assert_non_null(strstr(sk_run_status(s, cmd, SESSION_EXPECT_FAILED), ": 3 operations, 1 failed"));
    assert_null(session_check(s));
    session_destroy(s);
    static const char *const absurd[] = {
        "1048576 allocscope-recording 2\n1\n1\n1\na 0 100 m 8 0 5 g4\nt 0 1\nend 1\n",
        "1048576 allocscope-recording 2\n2\n2\n1\na 0 100 m 1010 0 5 g4\na 1 100 m 7f0000001010 0 5 g4\nt 0 1\nend 2\n",
    };
    for (size_t i = 0; i < 2; i++) {
        f = fopen(path, "w");
        fputs(absurd[i], f);
        fclose(f);
        s = session_create();
        snprintf(cmd, sizeof cmd, "new glibc %s", path);
        const char *a = sk_run_status(s, cmd, SESSION_ERROR);
        assert_true(strstr(a, "out of range") || strstr(a, "spans more than 1 GiB"));
        assert_false(session_has_active(s));
        session_destroy(s);
    }
    /* a malloc-lab trace has no addresses */
    f = fopen(path, "w");
    fputs("4096\n1\n2\n1\na 0 8\nf 0\n", f);
    fclose(f);
    s = session_create();
    snprintf(cmd, sizeof cmd, "new glibc %s", path);
    assert_non_null(strstr(sk_run_status(s, cmd, SESSION_ERROR), "not a recording of allocscope record"));
    assert_non_null(strstr(sk_run_status(s, "new glibc", SESSION_ERROR), "which recording?"));
    session_destroy(s);
    unlink(path);
}

/* Events packed against the ones before them read back as they were:
 * every kind, fields of every width (up to all 64 bits, where a varint
 * takes 9 bytes), pointers that go down as well as up, and places that
 * rise by one (a thread alone) or jump (threads); every event cut short
 * reads as nothing. */
static void test_packing_round_trips(void **state)
{
    (void)state;
    uint64_t seed = 7;
    static unsigned char buf[1000 * RECORD_PACKED_MAX];
    record_raw_event in[1000];
    record_raw_state w = {0};
    size_t n = 0, len[1000];
    uint64_t seq = tk_rand(&seed) % 100;
    for (int i = 0; i < 1000; i++) {
        record_raw_event *e = &in[i];
        memset(e, 0, sizeof *e);
        unsigned width = (unsigned)(tk_rand(&seed) % 65);
        uint64_t mask = width == 64 ? UINT64_MAX : ((uint64_t)1 << width) - 1;
        e->kind = (uint16_t)(1 + tk_rand(&seed) % (RK_COUNT - 1));
        e->ptr = tk_rand(&seed) % 4 ? tk_rand(&seed) & mask : 0;
        e->size = e->kind == RK_FREE ? 0 : tk_rand(&seed) & mask;
        e->slack = record_kind_frees(e->kind) ? 0 : (uint32_t)(tk_rand(&seed) & mask);
        e->arg = tk_rand(&seed) % 3 ? 0 : tk_rand(&seed) & mask;
        e->old = tk_rand(&seed) % 3 ? 0 : tk_rand(&seed) & mask;
        e->caller = tk_rand(&seed) % 3 ? 0 : tk_rand(&seed);
        e->err = (uint16_t)(tk_rand(&seed) % 5 ? 0 : tk_rand(&seed));
        e->ns = tk_rand(&seed) % 2 ? 0 : tk_rand(&seed) | 1;
        e->chunk = (uint8_t)(tk_rand(&seed) % 4);
        seq += tk_rand(&seed) % 2 ? 0 : tk_rand(&seed) % (mask < 1000000 ? mask + 1 : 1000000);
        if (record_kind_reallocs(e->kind))
            e->before = seq, seq += 1 + tk_rand(&seed) % 3;
        e->seq = seq++;
        len[i] = record_raw_pack(e, &w, buf + n);
        assert_true(len[i] >= 1 && len[i] <= RECORD_PACKED_MAX - 8);
        n += len[i];
    }
    record_raw_state r = {0};
    size_t at = 0;
    for (int i = 0; i < 1000; i++) {
        for (size_t cut = 0; cut < len[i]; cut++) {
            record_raw_state copy = r;
            record_raw_event out;
            assert_int_equal(record_raw_unpack(buf + at, cut, &copy, &out), 0);
        }
        record_raw_event out;
        assert_int_equal(record_raw_unpack(buf + at, n - at, &r, &out), len[i]);
        assert_memory_equal(&out, &in[i], sizeof out);
        at += len[i];
    }
    assert_int_equal(at, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_raw_stream_becomes_a_recording),
        cmocka_unit_test(test_a_recording_reads_with_its_extra_fields),
        cmocka_unit_test(test_damage_replays_the_part_before_it),
        cmocka_unit_test(test_bad_headers_and_newer_versions_replay_nothing),
        cmocka_unit_test(test_the_trace_command_replays_a_recording),
        cmocka_unit_test(test_the_glibc_view_puts_blocks_at_their_recorded_addresses),
        cmocka_unit_test(test_unsampled_calls_get_interpolated_times),
        cmocka_unit_test(test_threads_chunks_merge_by_their_places),
        cmocka_unit_test(test_a_realloc_comes_before_a_reuse_of_its_bytes),
        cmocka_unit_test(test_a_raw_file_cut_inside_a_chunk),
        cmocka_unit_test(test_packing_round_trips),
        cmocka_unit_test(test_odd_calls_read_back_whole),
        cmocka_unit_test(test_the_quick_line_reader_agrees_with_the_careful_one),
    };
    return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
