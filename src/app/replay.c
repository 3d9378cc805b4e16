/*
 * replay.c - `trace FILE`: replays a malloc-lab trace on the active
 * allocator and reports operations, failures, peak live bytes, the
 * high-water mark, utilisation and time.
 */
#include "session_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allocscope/trace.h"

typedef struct replay_figures {
    size_t ops, failures, live, peak_live, high_water;
    bool multi_region;
} replay_figures;

static void account(session *s, replay_figures *f, size_t warnings_before)
{
    if (s->warning_count > warnings_before)
        f->failures++;
    size_t live = 0;
    sess_allocator *a = sess_active(s);
    live = a->live_bytes;
    if (live > f->peak_live)
        f->peak_live = live;
}

static void note_block_end(session *s, const char *name, replay_figures *f)
{
    sess_block *b = sess_find_block(s, name);
    if (b == NULL || !b->live)
        return;
    if (b->region > 0)
        f->multi_region = true;
    else if (b->offset + b->size > f->high_water)
        f->high_water = b->offset + b->size;
}

/* Operations between two progress reports. */
#define PROGRESS_EVERY 4096

session_status cmd_trace(session *s, const parse_words *w, strbuf *out)
{
    if (s->sandbox)
        return sess_fail(out, "trace is disabled in this session (no file access)");
    if (w->count != 2)
        return sess_fail(out, "usage: trace FILE (a malloc-lab trace: a ID BYTES | r ID BYTES | f ID)");
    strbuf err, script, text;
    sb_init(&err);
    sb_init(&script);
    sb_init(&text);
    trace_header h;
    bool read = sb_read_file(&text, w->word[1], (size_t)512 << 20, &err);
    if (!read || !trace_to_script(sb_str(&text), &h, &script, &err)) {
        session_status st = sess_fail(out, "%s%s%s", read ? w->word[1] : "", read ? ":" : "", sb_str(&err));
        sb_free(&text);
        sb_free(&err);
        sb_free(&script);
        return st;
    }
    sb_free(&text);
    if (s->alloc_count == 0) {
        char line[64];
        snprintf(line, sizeof line, "new freelist %zu", h.heap_size ? h.heap_size : (size_t)1 << 20);
        strbuf ignore;
        sb_init(&ignore);
        session_outcome oc = {0};
        sess_run_line(s, line, &ignore, &oc);
        sb_free(&ignore);
    }
    replay_figures f = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    strbuf answer;
    sb_init(&answer);
    session_status worst = SESSION_OK;
    size_t total = sb_count_lines(sb_str(&script));
    bool stopped = false;
    for (const char *line = sb_str(&script); *line;) {
        if (f.ops % PROGRESS_EVERY == 0 && s->progress && !s->replaying &&
            !s->progress(s->progress_user, "trace", f.ops, total)) {
            stopped = true;
            break;
        }
        size_t n = strcspn(line, "\n");
        char one[96];
        snprintf(one, sizeof one, "%.*s", (int)n, line);
        line += n + (line[n] == '\n');
        size_t before = s->warning_count;
        sb_clear(&answer);
        if (session_execute(s, one, &answer).status == SESSION_ERROR)
            worst = SESSION_ERROR;
        f.ops++;
        account(s, &f, before);
        parse_words pw;
        if (one[0] != 'f' && parse_split(one, &pw) == NULL && pw.count >= 3)
            note_block_end(s, one[0] == 'a' ? pw.word[pw.count - 1] : pw.word[1], &f);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (f.multi_region) {
        session_stats st;
        session_get_stats(s, &st);
        f.high_water = st.capacity;
    }
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (stopped)
        sb_printf(out, "trace %s stopped after %zu of %zu operations (each is a step: undo takes them back)\n",
                  w->word[1], f.ops, total);
    sb_printf(out, "trace %s on %s: %zu operations, %zu failed; peak live %zu bytes, high-water mark %zu "
                   "bytes, utilisation %.1f%%; %.1f ms\n",
              w->word[1], sess_active(s)->name, f.ops, f.failures, f.peak_live, f.high_water,
              f.high_water ? 100.0 * (double)f.peak_live / (double)f.high_water : 0.0, ms);
    sb_free(&answer);
    sb_free(&err);
    sb_free(&script);
    s->changed = true;
    return worst;
}
