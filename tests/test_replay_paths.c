/* test_replay_paths.c - the fast paths of `trace FILE` give what the slow
 * ones give: the trace reader's fast line reader against its general one,
 * and the replay engine (with the bump's ledger directory) against the
 * same trace run command by command (`trace FILE json`): same failures,
 * peak and high-water mark, same final figures, the same memory map (every
 * span), the same bytes in the region and the same live blocks. */
#include <unistd.h>
#include "sessionkit.h"
#include "allocscope/trace.h"

static void write_temp(char *path, const char *text, size_t len)
{
    strcpy(path, "/tmp/allocscope-paths-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* ---- the reader ---- */

/* Every operation the stream gives, as text (all of trace_op), then how it
 * ended (the error, and the header's peak figures). */
static void read_all(trace_stream *ts, strbuf *err, strbuf *log)
{
    trace_op op;
    int got;
    while ((got = trace_stream_next(ts, &op, err)) == 1)
        sb_printf(log, "%d %zu %zu %u %d %zu [%s]\n", (int)op.kind, op.id, op.bytes, op.align_log2, op.again,
                  op.line, op.note);
    const trace_header *h = trace_stream_header(ts);
    sb_printf(log, "end %d: %s; payload %zu footprint %zu\n", got, sb_str(err), h->peak_payload, h->peak_footprint);
}

/* What the stream of text gives, from the text and from a file of it
 * (read in 64 KiB chunks: lines cut at a chunk's end). */
static void read_both_ways(const char *text, strbuf *from_text, strbuf *from_file)
{
    strbuf err;
    sb_init(&err);
    trace_stream *ts = trace_stream_text(text, NULL, &err);
    if (ts) {
        read_all(ts, &err, from_text);
        trace_stream_close(ts);
    } else {
        sb_printf(from_text, "no stream: %s\n", sb_str(&err));
    }
    char path[40];
    write_temp(path, text, strlen(text));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    sb_clear(&err);
    ts = trace_stream_open(f, NULL, &err);
    if (ts) {
        read_all(ts, &err, from_file);
        trace_stream_close(ts);
    } else {
        sb_printf(from_file, "no stream: %s\n", sb_str(&err));
    }
    fclose(f);
    unlink(path);
    sb_free(&err);
}

/* The same trace with a tab after each operation's letter: a form only
 * the general reader reads (the fast one takes "X N[ N]\n" only). */
static char *general_form(const char *text)
{
    char *copy = strdup(text);
    for (char *p = copy; *p; p++)
        if ((p == copy || p[-1] == '\n') && (*p == 'a' || *p == 'r' || *p == 'f') && p[1] == ' ')
            p[1] = '\t';
    return copy;
}

/* The fast reader and the general one agree on each operation, on where
 * a trace is malformed and why, and on the peak figures. */
static void check_reader_agrees(const char *text)
{
    strbuf fast_t, fast_f, gen_t, gen_f;
    sb_init(&fast_t);
    sb_init(&fast_f);
    sb_init(&gen_t);
    sb_init(&gen_f);
    char *general = general_form(text);
    read_both_ways(text, &fast_t, &fast_f);
    read_both_ways(general, &gen_t, &gen_f);
    assert_string_equal(sb_str(&fast_t), sb_str(&gen_t));
    assert_string_equal(sb_str(&fast_f), sb_str(&gen_f));
    assert_string_equal(sb_str(&fast_t), sb_str(&fast_f));
    free(general);
    sb_free(&fast_t);
    sb_free(&fast_f);
    sb_free(&gen_t);
    sb_free(&gen_f);
}

static void test_fast_reader_reads_as_the_general_one(void **state)
{
    (void)state;
    for (int shape = 0; shape < TRACE_SHAPE_COUNT; shape++) {
        strbuf text;
        sb_init(&text);
        trace_generate((trace_shape)shape, 3, 30000, &text); /* some 300 KB: lines cut at chunk ends */
        check_reader_agrees(sb_str(&text));
        sb_free(&text);
    }
    static const char *const odd[] = {
        /* strict: each kind of refusal, where the fast reader would take the line */
        "100\n2\n1\n1\na 5 8\n",
        "100\n2\n2\n1\na 0 8\na 0 8\n",
        "100\n2\n1\n1\nf 1\n",
        "100\n2\n1\n1\na 0 0\n",
        "100\n2\n1\n1\na 0 1073741825\n",
        "100\n2\n3\n1\na 0 8\nf 0\n",
        "100\n2\n2\n1\na 0 8\nr 0 0\n",
        /* forms the fast reader leaves to the general one, among lines it takes */
        "100\n3\n6\n1\na 0 8\na  1 9\r\na 2 0012\nf 0 \nf\t1\nf 2",
        "100\n2\n2\n1\na 0 1234567890123456789012\nf 0\n",
        "100\n2\n2\n1\na 000000000000000000001 8\nf 1\n",
        "100\n2\n2\n1\na 18446744073709551617 8\nf 1\n", /* 2^64 + 1: no number, though it wraps to 1 */
        "100\n2\n2\n1\n\n  \na 0 8\n\nf 0\n",
        /* lenient dialects: f -1, malloc(0), realloc of an id not live, double free */
        "1\n4\n8\n0\na 0 8\nf -1\na 1 0\nr 2 16\nf 0\nf 0\nf 3\nr 2 0\n",
        "3\n6\na 0 8\nf 0\nf 0\n",
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        check_reader_agrees(odd[i]);
}

/* ---- the engine and the commands ---- */

typedef struct outcome {
    size_t ops, failures, peak_live, high_water;
    session_stats st;
    uint64_t spans, bytes;     /* hashes of the memory map and of the region's bytes */
    size_t live;
    size_t block[4096][4];     /* the live blocks: region, offset, size, align, in address order */
} outcome;

static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3u; }

typedef struct span_hash {
    uint64_t h;
    const unsigned char *base[64];
    size_t size[64];
} span_hash;

static void on_region(void *u, uint32_t r, const void *base, size_t size)
{
    span_hash *sh = u;
    if (r < 64)
        sh->base[r] = base, sh->size[r] = size;
    sh->h = mix(mix(sh->h, r), size);
}

static void on_span(void *u, const as_span *s)
{
    span_hash *sh = u;
    const unsigned char *base = s->region < 64 ? sh->base[s->region] : NULL;
    uint64_t block = s->block && base ? (uint64_t)((const unsigned char *)s->block - base) : UINT64_MAX;
    sh->h = mix(mix(mix(mix(mix(mix(sh->h, s->region), s->offset), s->len), (uint64_t)s->kind), (uint64_t)s->meta),
                block);
}

static void on_marker(void *u, const as_marker *m)
{
    span_hash *sh = u;
    sh->h = mix(mix(mix(sh->h, (uint64_t)m->kind), m->region), m->offset);
}

/* A word of the region; a pointer into one of the regions (a free list's
 * link) as its region and offset, which do not depend on where malloc put
 * the regions. */
static uint64_t as_offset(const span_hash *sh, uint64_t w)
{
    for (uint32_t r = 0; r < 64 && sh->base[r]; r++) {
        uint64_t base = (uint64_t)(uintptr_t)sh->base[r];
        if (w >= base && w < base + sh->size[r])
            return (uint64_t)1 << 63 | (uint64_t)r << 48 | (w - base);
    }
    return w;
}

static int by_place(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] != y[1] ? (x[1] < y[1] ? -1 : 1) : 0;
}

static void fill_region(void *u, uint32_t r, const void *base, size_t size)
{
    memset((void *)base, 0x5c, size); /* the test owns the allocator: its bytes are known from here on */
    *(size_t *)u = r + 1;
}

/* Sets every byte of the allocator's regions (a fresh buffer holds what
 * malloc left there); the number of regions, whose bytes can be compared. */
static size_t fill_regions(session *s)
{
    as_instance in = session_active_instance(s);
    size_t regions = 0;
    as_inspector ins = {fill_region, NULL, NULL, &regions, NULL};
    in.probe->inspect(in.a.ctx, &ins);
    return regions;
}

/* The figures, map, bytes (of the first `regions`) and live blocks of the
 * session's allocator. */
static void final_state(session *s, size_t regions, outcome *o)
{
    session_get_stats(s, &o->st);
    as_instance in = session_active_instance(s);
    span_hash sh = {0xcbf29ce484222325u, {0}, {0}};
    as_inspector ins = {on_region, on_span, on_marker, &sh, NULL};
    in.probe->inspect(in.a.ctx, &ins);
    o->spans = sh.h;
    o->bytes = 0xcbf29ce484222325u;
    for (uint32_t r = 0; r < regions && r < 64; r++)
        for (size_t i = 0; i + 8 <= sh.size[r]; i += 8) {
            uint64_t w;
            memcpy(&w, sh.base[r] + i, 8);
            o->bytes = mix(o->bytes, as_offset(&sh, w));
        }
    o->live = 0;
    for (size_t i = 0; i < session_block_count(s); i++) {
        session_block b = session_block_at(s, i);
        if (!b.live)
            continue;
        assert_true(o->live < 4096);
        size_t *row = o->block[o->live++];
        row[0] = b.region, row[1] = b.offset, row[2] = b.size, row[3] = b.align;
    }
    qsort(o->block, o->live, sizeof o->block[0], by_place);
}

/* The failures of the trace at path run line by line from its script, as
 * a user would type it: a line fails when it is refused (a block no pool
 * slot holds; a realloc of an id whose allocation failed), when it frees
 * an id whose allocation failed (which does nothing, as free(NULL)), or
 * when it warns of anything but a free a bump ignores by design. */
static size_t script_failures(const char *create, const char *path)
{
    strbuf text, script, err, out;
    sb_init(&text);
    sb_init(&script);
    sb_init(&err);
    sb_init(&out);
    assert_true(sb_read_file(&text, path, (size_t)64 << 20, &err));
    assert_true(trace_to_script(sb_str(&text), NULL, &script, &err));
    session *s = session_create();
    sk_run(s, create);
    size_t failures = 0;
    for (const char *line = sb_str(&script); *line;) {
        size_t len = strcspn(line, "\n");
        char one[96];
        snprintf(one, sizeof one, "%.*s", (int)len, line);
        line += len + (line[len] == '\n');
        size_t before = session_warning_count(s);
        sb_clear(&out);
        bool failed = interp_execute(s, one, &out).status != SESSION_OK;
        /* a free of an id whose allocation failed does nothing, as free(NULL):
         * a failure of the trace's, as the engine counts it */
        failed |= strstr(sb_str(&out), "nothing to free: the allocation named") != NULL;
        for (size_t k = before; k < session_warning_count(s); k++)
            failed |= strcmp(session_warning_at(s, k).kind, "noop-free") != 0;
        failures += failed;
    }
    session_destroy(s);
    sb_free(&text);
    sb_free(&script);
    sb_free(&err);
    sb_free(&out);
    return failures;
}

static size_t json_number(const char *json, const char *key)
{
    char pat[40];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(json, pat);
    if (p == NULL)
        fail_msg("no %s in %s", key, json);
    return (size_t)strtoull(p + strlen(pat), NULL, 10);
}

/* The trace at path on a fresh session whose allocator `create` makes:
 * through the engine (json false) or command by command (json true). */
static void run_trace(const char *create, const char *path, bool commands, outcome *o)
{
    memset(o, 0, sizeof *o);
    session *s = session_create();
    sk_run(s, create);
    size_t regions = fill_regions(s);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "trace %s%s", path, commands ? " json" : "");
    strbuf out;
    sb_init(&out);
    session_status st = interp_execute(s, cmd, &out).status;
    /* command by command, a refused line (a realloc of an id whose allocation failed) is an error */
    if (st != SESSION_OK && st != SESSION_EXPECT_FAILED && !(commands && st == SESSION_ERROR))
        fail_msg("%s: %s", cmd, sb_str(&out));
    const char *a = sb_str(&out);
    if (commands) {
        o->ops = json_number(a, "operations");
        o->failures = script_failures(create, path); /* the json counts warnings only */
        o->peak_live = json_number(a, "peak_live");
        o->high_water = json_number(a, "high_water");
    } else {
        const char *p = strstr(a, " operations, ");
        assert_non_null(p);
        while (p > a && p[-1] >= '0' && p[-1] <= '9')
            p--;
        assert_int_equal(sscanf(p, "%zu operations, %zu failed", &o->ops, &o->failures), 2);
        p = strstr(a, "peak live ");
        assert_non_null(p);
        assert_int_equal(sscanf(p, "peak live %zu bytes, high-water mark %zu bytes", &o->peak_live, &o->high_water),
                         2);
    }
    if (!commands) /* the engine's status says whether the replay was complete */
        assert_int_equal(st != SESSION_OK, o->failures > 0);
    final_state(s, regions, o);
    assert_null(session_check(s));
    sb_free(&out);
    session_destroy(s);
}

static void check_same(const char *create, const char *what, const outcome *e, const outcome *c)
{
#define SAME(field)                                                                                      \
    if (e->field != c->field)                                                                            \
    fail_msg("%s, %s: " #field " %zu by the engine, %zu command by command", create, what, (size_t)e->field, \
             (size_t)c->field)
    SAME(ops);
    SAME(failures);
    SAME(peak_live);
    SAME(high_water);
    SAME(st.capacity);
    SAME(st.offset);
    SAME(st.live_blocks);
    SAME(st.live_bytes);
    SAME(st.padding_bytes);
    SAME(st.metadata_bytes);
    SAME(st.freed_bytes);
    SAME(st.unused_bytes);
    SAME(st.peak_bytes);
    SAME(st.total_allocated);
    SAME(st.total_freed);
    SAME(spans);
    SAME(bytes);
    SAME(live);
#undef SAME
    assert_memory_equal(e->block, c->block, e->live * sizeof e->block[0]);
}

static void test_engine_gives_what_commands_give(void **state)
{
    (void)state;
    static const char *const on[] = {
        "new bump 16M",              /* every trace fits: frees and reallocs of old blocks over many pages */
        "new bump 96K",              /* fills up: out of memory, then reallocs and frees of failed ids */
        "new bump 16M resize-last",  /* exercise 1: the newest block resized in place */
        "new bump 96K resize-last",
        "new pool 64",               /* larger blocks fail */
    };
    static outcome e, c; /* large: the live blocks */
    size_t failed_somewhere = 0, in_place = 0;
    for (int shape = 0; shape < TRACE_SHAPE_COUNT; shape++) {
        strbuf text;
        sb_init(&text);
        trace_generate((trace_shape)shape, 5, 6000, &text);
        char path[40];
        write_temp(path, sb_str(&text), text.len);
        size_t offset_never = 0;
        for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
            run_trace(on[i], path, false, &e);
            run_trace(on[i], path, true, &c);
            check_same(on[i], trace_shape_name((trace_shape)shape), &e, &c);
            /* and what both share, the allocator's record, against the trace:
             * a generated trace frees every block it made, so the map shows
             * none live (a free recorded on the wrong block would leave one) */
            if (e.st.live_blocks || e.st.live_bytes || e.live)
                fail_msg("%s, %s: %zu blocks, %zu bytes live at the end", on[i], trace_shape_name((trace_shape)shape),
                         e.st.live_blocks, e.st.live_bytes);
            assert_int_equal(e.st.total_allocated, e.st.total_freed);
            failed_somewhere += e.failures > 0;
            if (i == 0)
                offset_never = e.st.offset;
            if (i == 2) /* the same bump, resizing its newest block in place: less of it used */
                in_place += e.st.offset < offset_never;
        }
        unlink(path);
        sb_free(&text);
    }
    assert_true(failed_somewhere >= 4); /* the small heaps did fail: the failure paths were compared too */
    assert_true(in_place >= 1);         /* exercise 1's resize did happen */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_reader_reads_as_the_general_one),
        cmocka_unit_test(test_engine_gives_what_commands_give),
    };
    return cmocka_run_group_tests_name("replay paths", tests, NULL, NULL);
}
