/*
 * fuzz_record.c - arbitrary bytes as a recording of allocscope record,
 * replayed on its glibc view: `new glibc FILE` must refuse what it cannot
 * lay out with a message, and whatever it builds must replay the
 * recording's script with the session's invariants intact (a recording
 * that contradicts itself makes operations fail, never memory go wrong).
 * Also: the quick reader of operation lines (record_op_fast) takes no
 * line the careful one (record_op_line) reads otherwise, the streaming
 * reader (trace.c, quick) reads as many operations as record_to_script
 * (careful); and bytes that start like the recorder's raw stream are
 * converted (record_convert: the chunks merged) into a recording that
 * reads back without damage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocscope/interp.h"
#include "allocscope/parse.h"
#include "allocscope/record.h"
#include "allocscope/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every line the quick reader takes, the careful one reads the same. */
static void same_ops(const char *text)
{
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        char one[600];
        if (n < sizeof one) {
            memcpy(one, line, n);
            one[n] = '\0';
            record_op fast, slow;
            parse_words w;
            if (record_op_fast(one, n, 1000, &fast) &&
                (parse_split(one, &w) != NULL || record_op_line(&w, 1000, &slow) != NULL || fast.op != slow.op ||
                 fast.id != slow.id || fast.size != slow.size || fast.align != slow.align)) {
                fprintf(stderr, "the quick reader takes '%s', the careful one reads it otherwise\n", one);
                abort();
            }
        }
        line += n + (line[n] == '\n');
    }
}

/* The streaming reader and record_to_script read as many operations. */
static void same_count(const char *path, const char *text)
{
    strbuf script, err;
    sb_init_discard(&script);
    sb_init(&err);
    trace_header h;
    bool ok = record_to_script(text, &h, &script, &err);
    FILE *f = fopen(path, "r");
    strbuf err2;
    sb_init(&err2);
    trace_stream *ts = f ? trace_stream_open(f, NULL, &err2) : NULL;
    size_t ops = 0;
    trace_op op;
    while (ts && trace_stream_next(ts, &op, &err2) == 1)
        ops++;
    if ((ts != NULL) != ok || (ok && ops != h.ops) || (ok && (err.len == 0) != (err2.len == 0))) {
        fprintf(stderr, "record_to_script: %d, %zu operations, '%s'; the stream: %zu, '%s'\n", ok, ok ? h.ops : 0,
                sb_str(&err), ops, sb_str(&err2));
        abort();
    }
    trace_stream_close(ts);
    if (f)
        fclose(f);
    sb_free(&script);
    sb_free(&err);
    sb_free(&err2);
}

/* Bytes after a raw header: converted without harm, into a recording
 * that reads back whole. */
static void raw_stream(const uint8_t *data, size_t size)
{
    static char raw[64], rec[72];
    if (!raw[0]) {
        snprintf(raw, sizeof raw, "/tmp/fuzz_record_raw.%d", (int)getpid());
        snprintf(rec, sizeof rec, "%s.rec", raw);
    }
    FILE *f = fopen(raw, "wb");
    if (f == NULL)
        return;
    record_raw_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, RECORD_RAW_MAGIC, sizeof h.magic);
    h.start_ns = h.start_ticks = 1000;
    fwrite(&h, sizeof h, 1, f);
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    record_summary sum;
    strbuf err, text, script;
    sb_init(&err);
    sb_init(&text);
    sb_init_discard(&script);
    if (record_convert(raw, NULL, rec, &sum, &err)) {
        trace_header th;
        if (!sb_read_file(&text, rec, (size_t)64 << 20, &err) || !record_to_script(sb_str(&text), &th, &script, &err) ||
            err.len) {
            fprintf(stderr, "a converted recording does not read back: %s\n", sb_str(&err));
            abort();
        }
    }
    unlink(rec);
    sb_free(&err);
    sb_free(&text);
    sb_free(&script);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz_record.%d.rec", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    if (size > 0 && data[0] == 0xA5) { /* the recorder's raw stream */
        raw_stream(data, size);
        return 0;
    }
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    same_ops(text);
    if (record_is_recording(text) && memchr(data, 0, size) == NULL) /* the file and the text are the same bytes */
        same_count(path, text);
    strbuf script, err, out;
    sb_init(&script);
    sb_init(&err);
    sb_init(&out);
    trace_header h;
    bool readable = trace_to_script(text, &h, &script, &err);
    session *s = session_create();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "new glibc %s", path);
    session_outcome oc = interp_execute(s, cmd, &out);
    if (oc.status != SESSION_OK && out.len == 0) {
        fprintf(stderr, "new glibc refused without a message\n");
        abort();
    }
    size_t ops = 0;
    for (const char *line = sb_str(&script); readable && oc.status == SESSION_OK && *line && ops < 2000; ops++) {
        size_t n = strcspn(line, "\n");
        char one[128];
        snprintf(one, sizeof one, "%.*s", (int)n, line);
        line += n + (line[n] == '\n');
        sb_clear(&out);
        interp_execute(s, one, &out);
        if (session_check(s)) {
            fprintf(stderr, "invariant broken: %s\n", session_check(s));
            abort();
        }
    }
    session_destroy(s);
    sb_free(&out);
    sb_free(&script);
    sb_free(&err);
    free(text);
    return 0;
}
