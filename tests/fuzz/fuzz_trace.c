/*
 * fuzz_trace.c - arbitrary bytes as a malloc-lab trace: the reader must
 * reject what is malformed with a message, and whatever it accepts must
 * replay with its invariants intact. The allocator it replays on is chosen
 * by the input's length from every kind and wrapping (so a mutation of the
 * same trace meets another allocator).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/interp.h"
#include "allocscope/trace.h"
#include "../../src/app/replay.h"

static const char *const ALLOCATORS[] = {
    "new freelist 64k",
    "new freelist 64k best-fit",
    "new freelist 64k next-fit",
    "new buddy 64k",
    "new bump 64k",
    "new fixed 64k",
    "new stack 64k",
    "new arena",
    "new pool 64 capacity 64",
    "new debug",
    "new counting",
    "new debug over freelist 64k",
    "new debug over buddy 64k",
    "new debug over bump 64k",
    "new debug over fixed 64k",
    "new debug over stack 64k",
    "new counting over freelist 64k",
    "new counting over buddy 64k",
    "new counting over bump 64k",
    "new arena over freelist 64k",
    "new arena over buddy 64k",
    "new debug over freelist 64k limit 4k",
};
#define ALLOCATOR_COUNT (sizeof ALLOCATORS / sizeof ALLOCATORS[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The same bytes read from a file (in chunks): accepted iff the text
 * reader accepted them, and replayed by the engine of `trace FILE` with
 * the invariants intact. */
static void as_file(const uint8_t *data, size_t size, bool text_ok)
{
    if (size == 0 || memchr(data, 0, size)) /* the text reader stops at a NUL, a file does not */
        return;
    FILE *f = fmemopen((void *)data, size, "r");
    if (f == NULL)
        return;
    strbuf err;
    sb_init(&err);
    trace_stream *ts = trace_stream_open(f, NULL, &err);
    trace_op op;
    int got = -1;
    while (ts && (got = trace_stream_next(ts, &op, &err)) == 1)
        ;
    trace_stream_close(ts);
    if ((got == 0) != text_ok) {
        fprintf(stderr, "the file reader %s what the text reader %s: %s\n", got == 0 ? "accepts" : "rejects",
                text_ok ? "accepts" : "rejects", sb_str(&err));
        abort();
    }
    if (text_ok && fseek(f, 0, SEEK_SET) == 0 && (ts = trace_stream_open(f, NULL, &err)) != NULL) {
        session *s = session_create();
        strbuf out;
        sb_init_discard(&out);
        interp_execute(s, "new freelist 64k", &out);
        replay_result r;
        if (!replay_trace(s, ts, 5000, &r, &err) || session_check(s)) {
            fprintf(stderr, "replay: %s %s\n", sb_str(&err), session_check(s) ? session_check(s) : "");
            abort();
        }
        trace_stream_close(ts);
        session_destroy(s);
    }
    fclose(f);
    sb_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    strbuf script, err;
    sb_init(&script);
    sb_init(&err);
    trace_header h;
    bool ok = trace_to_script(text, &h, &script, &err);
    /* a damaged recording converts up to the damage (ok, with err said):
     * the file reader then stops at the damage with an error */
    as_file(data, size, ok && err.len == 0);
    if (ok) {
        session *s = session_create();
        interp_set_sandbox(s, true);
        strbuf out;
        sb_init_discard(&out);
        interp_execute(s, ALLOCATORS[size % ALLOCATOR_COUNT], &out);
        size_t ops = 0;
        for (const char *line = sb_str(&script); *line && ops < 2000; ops++) {
            size_t n = strcspn(line, "\n");
            char one[128];
            snprintf(one, sizeof one, "%.*s", (int)n, line);
            line += n + (line[n] == '\n');
            interp_execute(s, one, &out);
            if (ops % 97 == 96) /* now and then a reset under the trace's blocks */
                interp_execute(s, "reset", &out);
            if (session_check(s)) {
                fprintf(stderr, "invariant broken: %s\n", session_check(s));
                abort();
            }
        }
        session_destroy(s);
    } else if (err.len == 0) {
        fprintf(stderr, "a rejected trace without a message\n");
        abort();
    }
    sb_free(&script);
    sb_free(&err);
    free(text);
    return 0;
}
