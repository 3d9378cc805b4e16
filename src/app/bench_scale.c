/*
 * bench_scale.c - the scale figures (see bench_scale.h): a 1,000,000-
 * command script replayed headless, frames of a 200x50 terminal over big
 * buffers with 100,000 blocks, one step back in a 100,000-step scene, and
 * the session's own memory per live block.
 */
#include "bench_scale.h"

#include <malloc.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "allocscope/batch.h"
#include "allocscope/buddy.h"
#include "allocscope/freelist.h"
#include "allocscope/player.h"
#include "allocscope/interp.h"
#include "allocscope/trace.h"
#include "allocscope/tui.h"
#include "replay.h"

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Resident memory now, in bytes. */
static double rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (double)resident * 4096.0;
}

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A script of n commands: allocations and frees on a freelist, with
 * typed allocations, resizes and the occasional query. */
static char *make_script(size_t n, const char *first)
{
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "%s\n", first);
    static const char *const cycle[] = {"alloc 24", "alloc u32[4]", "alloc 100 align 16", "free", "alloc 8",
                                        "free", "alloc u64", "free", "free", "alloc 40"};
    for (size_t i = 1; i < n; i++)
        sb_printf(&sb, "%s\n", cycle[i % 10]);
    return sb.data;
}

static void print_figure(bool json, bool *first, const char *name, double value, const char *unit,
                         double goal, bool lower_is_better)
{
    bool met = lower_is_better ? value <= goal : value >= goal;
    if (json)
        printf("%s{\"workload\":\"scale\",\"figure\":\"%s\",\"value\":%.3f,\"unit\":\"%s\",\"goal\":%.3f,"
               "\"met\":%s}", *first ? "" : ",\n", name, value, unit, goal, met ? "true" : "false");
    else
        printf("  %-58s %10.3f %-6s goal %s %.0f: %s\n", name, value, unit, lower_is_better ? "<=" : ">=",
               goal, met ? "met" : "MISSED");
    *first = false;
}

static double replay_ms(size_t n)
{
    char *script = make_script(n, "new freelist 64M");
    FILE *in = fmemopen(script, strlen(script), "r");
    session *s = session_create();
    batch_options opt = {false, false, false, true};
    double t0 = wall_ms();
    batch_run(s, in, "scale", &opt, stdout, stderr, NULL);
    double ms = wall_ms() - t0;
    fclose(in);
    session_destroy(s);
    free(script);
    return ms;
}

static session *with_blocks(const char *create, size_t blocks)
{
    session *s = session_create();
    strbuf out;
    sb_init(&out);
    interp_execute(s, create, &out);
    for (size_t i = 0; i < blocks; i++) {
        sb_clear(&out);
        interp_execute(s, i % 3 ? "alloc 24" : "alloc 100 align 16", &out);
    }
    sb_free(&out);
    return s;
}

static double step_back_ms(size_t steps)
{
    char *script = make_script(steps, "new freelist 64M");
    strbuf err;
    sb_init(&err);
    player *p = player_from_text("scale", script, &err);
    free(script);
    if (p == NULL)
        return -1;
    player_seek(p, steps);
    double t0 = wall_ms();
    player_prev(p);
    double ms = wall_ms() - t0;
    player_close(p);
    sb_free(&err);
    return ms;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static size_t trace_ops(void);
static void print_info(bool json, bool *first, const char *name, double value, const char *unit, const char *note);

/* The live view's player over a trace of `ops` operations (the steady
 * state of the trace figures below: 10,000 ids live, sizes 8-64, a tenth
 * reallocs; on the growing free list, as `--trace` opens it). Two ways:
 * played forward, then `g` to random steps and ten steps back from each
 * (as seek_figures); or, on a fresh player, idle time first plays it all
 * ahead (the live view does that while the lecturer talks), then the same
 * jumps, onto ground never shown. */
static bool write_window_trace(char *path, size_t ops, size_t window, size_t lo, size_t hi);

typedef struct trace_seek {
    double forward_us, idle_s;
    double g_median[3], g_worst[3], back_median[3], back_worst[3];
    size_t checkpoints;
    double ckpt_mb, rss_mb;
} trace_seek;

static bool write_window_recording(const char *from, char *to, bool shaped);

/* The player over the trace (or, recording true, over the same operations
 * as allocscope record writes a real program's: threads, addresses, times). */
static player *trace_player(size_t ops, bool recording)
{
    char path[64], rec[64] = "";
    strbuf text, body, err, script;
    sb_init(&text);
    sb_init(&body);
    sb_init(&err);
    sb_init(&script);
    trace_header h;
    player *p = NULL;
    bool written = write_window_trace(path, ops, 10000, 8, 64) && (!recording || write_window_recording(path, rec, true));
    if (written && sb_read_file(&text, recording ? rec : path, (size_t)1 << 30, &err) &&
        trace_to_script(sb_str(&text), &h, &body, &err)) {
        sb_printf(&script, "new freelist 4096 grow\n%s", sb_str(&body));
        p = player_from_text("trace", sb_str(&script), &err);
    }
    unlink(path);
    if (*rec)
        unlink(rec);
    sb_free(&text);
    sb_free(&body);
    sb_free(&err);
    sb_free(&script);
    return p;
}

/* g to 8 random steps, ten steps back from each: medians and worst. */
static void jumps(player *p, trace_seek *out, int way)
{
    enum { TRIES = 8, BACKS = 10 };
    double g[TRIES], back[TRIES * BACKS];
    uint64_t seed = 4242;
    size_t steps = player_length(p);
    for (int i = 0; i < TRIES; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        size_t to = 1 + (size_t)(seed >> 33) % steps;
        double t0 = wall_ms();
        player_seek(p, to);
        g[i] = wall_ms() - t0;
        for (int k = 0; k < BACKS; k++) {
            t0 = wall_ms();
            player_prev(p);
            back[i * BACKS + k] = wall_ms() - t0;
        }
    }
    qsort(g, TRIES, sizeof *g, cmp_double);
    qsort(back, TRIES * BACKS, sizeof *back, cmp_double);
    out->g_median[way] = g[TRIES / 2];
    out->g_worst[way] = g[TRIES - 1];
    out->back_median[way] = back[TRIES * BACKS / 2];
    out->back_worst[way] = back[TRIES * BACKS - 1];
}

/* Stepping in a scene of `steps` steps: `g` to random positions, and ten
 * steps back in a row from random positions; median and worst (wall ms). */
static void seek_figures(size_t steps, double *g_median, double *g_worst, double *back_median, double *back_worst)
{
    char *script = make_script(steps, "new freelist 64M");
    strbuf err;
    sb_init(&err);
    player *p = player_from_text("scale", script, &err);
    free(script);
    sb_free(&err);
    *g_median = *g_worst = *back_median = *back_worst = -1;
    if (p == NULL)
        return;
    player_seek(p, steps);
    trace_seek t;
    jumps(p, &t, 0);
    *g_median = t.g_median[0], *g_worst = t.g_worst[0];
    *back_median = t.back_median[0], *back_worst = t.back_worst[0];
    player_close(p);
}

static void trace_seek_figures(size_t ops, trace_seek *out)
{
    memset(out, 0, sizeof *out);
    out->forward_us = out->idle_s = out->ckpt_mb = out->rss_mb = -1;
    for (int way = 0; way < 3; way++)
        out->g_median[way] = out->g_worst[way] = out->back_median[way] = out->back_worst[way] = -1;
    player *p = trace_player(ops, false);
    if (p == NULL)
        return;
    size_t steps = player_length(p);
    double t0 = wall_ms();
    player_seek(p, steps);
    out->forward_us = (wall_ms() - t0) * 1000 / (double)steps;
    jumps(p, out, 0);
    size_t bytes;
    out->checkpoints = player_checkpoints(p, &bytes);
    out->ckpt_mb = (double)bytes / 1e6;
    out->rss_mb = rss_bytes() / 1e6;
    player_close(p);
    if ((p = trace_player(ops, false)) == NULL)
        return;
    t0 = wall_ms();
    while (player_idle(p, SIZE_MAX))
        ;
    out->idle_s = (wall_ms() - t0) / 1000;
    jumps(p, out, 1);
    player_close(p);
    if ((p = trace_player(ops, true)) == NULL)
        return;
    player_seek(p, player_length(p));
    jumps(p, out, 2);
    player_close(p);
}

static void print_trace_seek(bool json, bool *first)
{
    size_t ops = trace_ops();
    trace_seek t;
    trace_seek_figures(ops, &t);
    static const char *const way[] = {"trace, played forward first", "trace, played ahead in idle time",
                                      "recording (as allocscope record writes a program's, 4 threads), played forward first"};
    for (int w = 0; w < 3; w++) {
        char what[160];
        snprintf(what, sizeof what, "g to a random step of a %zu-operation %s, median (ms)", ops, way[w]);
        print_figure(json, first, what, t.g_median[w], "ms", 200, true);
        print_figure(json, first, "  worst of 8 (ms)", t.g_worst[w], "ms", 200, true);
        print_figure(json, first, "  a step back, ten in a row from there, median (ms)", t.back_median[w], "ms",
                     200, true);
        print_figure(json, first, "  worst of 80 (ms)", t.back_worst[w], "ms", 200, true);
    }
    print_info(json, first, "  the forward pass, per step (us)", t.forward_us, "us",
               "(each operation a command: parsed, run, recorded; checkpoints taken on the way)");
    print_info(json, first, "  idle time to play it all ahead (s)", t.idle_s, "s", "(slices of 8 ms between keys)");
    char note[128];
    snprintf(note, sizeof note, "(%zu checkpoints, pages shared between them; the process: %.0f MB resident)",
             t.checkpoints, t.rss_mb);
    print_info(json, first, "  memory of its checkpoints (MB)", t.ckpt_mb, "MB", note);
}

/* What the session holds per live block: its records and indexes, and
 * (separately) the step history the same commands added. */
static void bytes_per_block(size_t blocks, double *tracking, double *history)
{
    session *s = with_blocks("new bump 64M", 0);
    strbuf out;
    sb_init_discard(&out);
    for (size_t i = 0; i < blocks; i++)
        interp_execute(s, "alloc 16", &out);
    size_t t, h;
    session_memory(s, &t, &h);
    *tracking = (double)t / (double)blocks;
    *history = (double)h / (double)blocks;
    session_destroy(s);
}


int bench_frames(const char *create, int frames)
{
    session *s = with_blocks(create, 100000);
    tui_frame_cost f;
    bool ok = s && tui_frame_cost_of(s, 200, 50, frames, &f);
    if (ok)
        printf("%s: median frame %.3f ms CPU, %.0f bytes\n", create, f.cpu_ms, f.bytes);
    session_destroy(s);
    return ok ? 0 : 1;
}

/* A figure without a goal, with a note for the reader. */
static void print_info(bool json, bool *first, const char *name, double value, const char *unit, const char *note)
{
    if (json)
        printf("%s{\"workload\":\"scale\",\"figure\":\"%s\",\"value\":%.3f,\"unit\":\"%s\"}",
               *first ? "" : ",\n", name, value, unit);
    else
        printf("  %-58s %10.3f %-6s %s\n", name, value, unit, note);
    *first = false;
}

void bench_scale(bool json, bool *first)
{
    if (!json)
        printf("\nscale: allocscope itself on big inputs (CPU or wall time on this machine)\n");
    double ms = replay_ms(1000000);
    print_figure(json, first, "replay of a 1,000,000-command script, headless (ms)", ms, "ms", 2000, true);
    print_figure(json, first, "  per command, parsing included (us)", ms * 1000 / 1e6, "us", 2, true);
    static const struct {
        const char *what, *create;
    } cases[] = {{"frame of 200x50, 1 GiB bump, 100,000 blocks (CPU ms)", "new bump 1G"},
                 {"frame of 200x50, 64 MiB freelist, 100,000 blocks (CPU ms)", "new freelist 64M"},
                 {"frame of 200x50, 1 GiB arena, 100,000 blocks (CPU ms)", "new arena"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        session *s = with_blocks(cases[i].create, 100000);
        tui_frame_cost f = {-1, -1, -1};
        tui_frame_cost_of(s, 200, 50, 21, &f);
        print_figure(json, first, cases[i].what, f.cpu_ms, "ms", 4, true);
        char note[96];
        snprintf(note, sizeof note, "(an alloc or free between frames; the first frame: %.0f)", f.first_bytes);
        print_info(json, first, "  written to the terminal per frame (bytes)", f.bytes, "bytes", note);
        session_destroy(s);
    }
    {
        /* the compare layout: four members' maps stacked, 100,000 blocks each */
        session *s = with_blocks("compare bump 64M, freelist 64M, arena, buddy 64M", 100000);
        tui_frame_cost f = {-1, -1, -1};
        tui_frame_cost_of(s, 200, 50, 21, &f);
        print_figure(json, first, "frame of 200x50, compare of 4 members, 100,000 blocks each (CPU ms)", f.cpu_ms,
                     "ms", 4, true);
        char note[96];
        snprintf(note, sizeof note, "(an alloc or free on every member between frames; the first frame: %.0f)",
                 f.first_bytes);
        print_info(json, first, "  written to the terminal per frame (bytes)", f.bytes, "bytes", note);
        session_destroy(s);
    }
    print_figure(json, first, "one step back in a 100,000-step scene (ms)", step_back_ms(100000), "ms", 50, true);
    double gm, gw, bm, bw;
    seek_figures(200000, &gm, &gw, &bm, &bw);
    print_figure(json, first, "g to a random step of a 200,000-step scene, median (ms)", gm, "ms", 200, true);
    print_figure(json, first, "  worst of 8 (ms)", gw, "ms", 200, true);
    print_figure(json, first, "  a step back, ten in a row from there, median (ms)", bm, "ms", 200, true);
    print_figure(json, first, "  worst of 80 (ms)", bw, "ms", 200, true);
    print_trace_seek(json, first);
    double tracking, history;
    bytes_per_block(100000, &tracking, &history);
    print_figure(json, first, "session tracking per live block (records, indexes) (bytes)", tracking, "bytes", 64,
                 true);
    print_info(json, first, "  and the step history per command (bytes)", history, "bytes",
               "(one 'alloc 16' command each)");
    bench_scale_traces(json, first);
}

/* ---- traces at scale ---- */

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A steady-state trace in a temporary file: `window` ids live at once,
 * each operation frees a random live id and allocates it again with a
 * random size from lo to hi (a tenth of them reallocs), ids reused; all
 * freed at the end. Its path into path (>= 40 bytes); false if it could
 * not be written. */
static bool write_window_trace(char *path, size_t ops, size_t window, size_t lo, size_t hi)
{
    strcpy(path, "/tmp/allocscope-bench-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL)
        return false;
    uint64_t seed = 88172645463325252u;
    fprintf(f, "%zu\n%zu\n%zu\n1\n", (size_t)1 << 20, window, ops);
    size_t done = 0;
    for (size_t id = 0; id < window; id++, done++)
        fprintf(f, "a %zu %zu\n", id, lo + xorshift(&seed) % (hi - lo + 1));
    while (done + window + 2 <= ops) {
        size_t id = xorshift(&seed) % window, bytes = lo + xorshift(&seed) % (hi - lo + 1);
        if (xorshift(&seed) % 10 == 0) {
            fprintf(f, "r %zu %zu\n", id, bytes);
            done++;
        } else {
            fprintf(f, "f %zu\na %zu %zu\n", id, id, bytes);
            done += 2;
        }
    }
    if (ops - done > window) /* one over: a realloc pads to the exact count */
        fprintf(f, "r 0 %zu\n", lo), done++;
    for (size_t id = 0; id < window && done < ops; id++, done++)
        fprintf(f, "f %zu\n", id);
    return fclose(f) == 0;
}

typedef struct trace_run {
    double replay_cpu_ms;   /* the replay alone (the engine) */
    double command_cpu_ms;  /* the whole `trace FILE` command: reading it twice and replaying */
    double rss_delta;       /* resident bytes added while the trace ran */
    size_t ops, failures;
} trace_run;

/* Runs the trace on a fresh session whose allocator `create` makes (NULL:
 * the default), once through the engine alone, once as the command. */
static void run_trace_file(const char *path, const char *create, trace_run *t)
{
    memset(t, 0, sizeof *t);
    strbuf out, err;
    sb_init_discard(&out);
    sb_init(&err);
    session *s = session_create();
    interp_execute(s, create, &out);
    FILE *f = fopen(path, "r");
    trace_stream *ts = f ? trace_stream_open(f, NULL, &err) : NULL;
    if (ts && session_has_active(s)) {
        replay_result r;
        double before = rss_bytes(), t0 = cpu_ms();
        replay_trace(s, ts, SIZE_MAX, &r, &err);
        t->replay_cpu_ms = cpu_ms() - t0;
        t->rss_delta = rss_bytes() - before;
        t->ops = r.ops;
        t->failures = r.failures;
    }
    trace_stream_close(ts);
    if (f)
        fclose(f);
    session_destroy(s);
    s = session_create();
    interp_execute(s, create, &out);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "trace %s", path);
    double t0 = cpu_ms();
    interp_execute(s, cmd, &out);
    t->command_cpu_ms = cpu_ms() - t0;
    session_destroy(s);
    sb_free(&out);
    sb_free(&err);
}

/* Operations of the trace figures: 10,000,000, or ALLOCSCOPE_BENCH_OPS
 * (the smoke test asks for few: it checks the figures are there, not their values). */
static size_t trace_ops(void)
{
    const char *e = getenv("ALLOCSCOPE_BENCH_OPS");
    size_t n = e ? (size_t)strtoull(e, NULL, 10) : 0;
    return n >= 100000 ? n : 10000000;
}

/* The trace at from as a recording (record.h's format, as allocscope
 * record writes it: kind, address, thread, time and glibc fields) at to
 * (a fresh temporary path, >= 40 bytes); false if it cannot. shaped: its
 * lines as a real program's are (tests/bench_record.sh records some):
 * 12-digit addresses spread over the heap, 4 threads, times of up to 5
 * digits, glibc's slack with a chunk in another arena or mmapped now and
 * then, a caller on half of them, calloc and posix_memalign among the
 * mallocs, and a trailer of free(NULL) calls and symbols; else the
 * plainest recording of those operations. */
static bool write_window_recording(const char *from, char *to, bool shaped)
{
    FILE *in = fopen(from, "r");
    strcpy(to, "/tmp/allocscope-bench-XXXXXX");
    int fd = in ? mkstemp(to) : -1;
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (out == NULL) {
        if (in)
            fclose(in);
        return false;
    }
    size_t heap, ids, ops, weight, id, bytes, n = 0, nulls = 0;
    char line[96], op;
    uint64_t seed = 2463534242u;
    bool ok = fscanf(in, "%zu %zu %zu %zu ", &heap, &ids, &ops, &weight) == 4;
    fprintf(out, "%zu allocscope-recording 2\n%zu\n%zu\n1 events=%zu threads=%d heap=55aa00000000\n", heap, ids, ops,
            ops, shaped ? 4 : 1);
    while (ok && fgets(line, sizeof line, in)) {
        int got = sscanf(line, "%c %zu %zu", &op, &id, &bytes);
        uint64_t r = xorshift(&seed);
        if (!shaped) {
            uint64_t addr = 0x55aa00001000u + (uint64_t)id * 80;
            if (got == 3)
                fprintf(out, "%c %zu %zu %s %" PRIx64 " 0 %zu g8\n", op, id, bytes, op == 'a' ? "m" : "r", addr, n % 97);
            else if (got == 2)
                fprintf(out, "f %zu f 0 %zu\n", id, n % 97);
        } else {
            uint64_t addr = 0x55aa00001000u + (r >> 20) % ((uint64_t)1 << 30) * 16;
            unsigned thread = (unsigned)(id % 4), dt = (unsigned)(r % 100000);
            const char *kind = op == 'r' ? "r" : r % 20 == 0 ? "c" : r % 33 == 0 ? "p64" : "m";
            const char *where = thread && r % 3 ? "n" : r % 50 == 0 ? "m" : "";
            char caller[16] = "";
            if (r % 2)
                snprintf(caller, sizeof caller, " @%u", (unsigned)(r >> 8) % 400);
            if (got == 3)
                fprintf(out, "%c %zu %zu %s %" PRIx64 " %u %u g%u%s%s\n", op, id, bytes, kind, addr, thread, dt,
                        (unsigned)(r >> 40) % 24, where, caller);
            else if (got == 2)
                fprintf(out, "f %zu f %u %u%s\n", id, thread, dt, caller);
            nulls += r % 10 == 0;
        }
        n++;
    }
    fprintf(out, "t 0 4242\n");
    if (shaped) {
        fprintf(out, "t 1 4243\nt 2 4244\nt 3 4245\n");
        for (size_t i = 0; i < nulls; i++)
            fprintf(out, "x %zu f 0 %u %zu 0 @%zu\n", i * 10, (unsigned)(i % 4), i * 1000, i % 400);
        for (unsigned i = 0; i < 400; i++)
            fprintf(out, "s %u 55aa0000%04x caller_%u+0x1d (/usr/lib/libsomething.so.1)\n", i, i * 16, i);
    }
    fprintf(out, "end %zu\n", n + nulls);
    fclose(in);
    return fclose(out) == 0 && ok && n == ops;
}

static void trace_figures(bool json, bool *first)
{
    const size_t ops = trace_ops();
    char path[40];
    /* sizes 8-64 so that one pool serves them and a bump of 1 GiB holds every allocation */
    if (!write_window_trace(path, ops, 10000, 8, 64))
        return;
    print_info(json, first, "trace operations replayed by each figure below", (double)ops, "ops",
               "(a steady state: 10,000 ids live, sizes 8-64, a tenth reallocs)");
    static const struct {
        const char *what, *create;
        double goal;
    } on[] = {
        {"headless trace replay, freelist growing (M ops/s, CPU)", "new freelist 4096 grow", 3},
        {"  the same on a fixed 64 MiB freelist (M ops/s, CPU)", "new freelist 64M", 3},
        {"  on bump 1 GiB (M ops/s, CPU)", "new bump 1G", 10},
        {"  on bump 1 GiB with exercise 1's resize (M ops/s, CPU)", "new bump 1G resize-last", 10},
        {"  on pool of 64-byte items (M ops/s, CPU)", "new pool 64", 10},
        {"  on buddy 64 MiB (M ops/s, CPU)", "new buddy 64M", 10},
    };
    for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
        trace_run t;
        run_trace_file(path, on[i].create, &t);
        double rate = t.replay_cpu_ms > 0 ? (double)t.ops / t.replay_cpu_ms / 1e3 : 0;
        print_figure(json, first, on[i].what, rate, "Mops/s", on[i].goal, false);
        if (i == 0) {
            print_info(json, first, "  the whole trace command, reading the file twice (M ops/s, CPU)",
                       t.command_cpu_ms > 0 ? (double)t.ops / t.command_cpu_ms / 1e3 : 0, "Mops/s",
                       "(validated first, so a malformed trace changes nothing)");
            char note[96];
            snprintf(note, sizeof note, "(10,000 ids, %.1f MB added for %zu operations)", t.rss_delta / 1e6, t.ops);
            print_info(json, first, "  resident memory per trace event (bytes)",
                       t.rss_delta > 0 ? t.rss_delta / (double)t.ops : 0.001, "bytes", note);
        }
        if (t.failures && !json)
            printf("  (%zu operations failed on %s)\n", t.failures, on[i].create);
    }
    char rec[40];
    if (write_window_recording(path, rec, false)) {
        trace_run t;
        run_trace_file(rec, "new freelist 4096 grow", &t);
        print_figure(json, first, "  the same operations as a recording, the whole trace command (M events/s, CPU)",
                     t.command_cpu_ms > 0 ? (double)t.ops / t.command_cpu_ms / 1e3 : 0, "Mops/s", 3, false);
        unlink(rec);
    }
    /* the lines of a real program's recording: longer, every field used
     * (tests/bench_record.sh replays real ones, whose free lists differ) */
    if (write_window_recording(path, rec, true)) {
        trace_run t;
        run_trace_file(rec, "new freelist 4096 grow", &t);
        print_figure(json, first, "  as a real program's recording (threads, addresses, times, callers) (M events/s, CPU)",
                     t.command_cpu_ms > 0 ? (double)t.ops / t.command_cpu_ms / 1e3 : 0, "Mops/s", 3, false);
        unlink(rec);
    }
    unlink(path);
}

/* Random operations on a window of live blocks straight on an allocator:
 * the library's own rate, M ops/s of CPU time. With verdicts, every free
 * first asks the probe's judge_free, as the session does. */
static double library_rate(as_instance in, size_t ops, size_t window, size_t max_size, bool verdicts)
{
    void **ptr = calloc(window, sizeof *ptr);
    size_t *len = calloc(window, sizeof *len);
    if (ptr == NULL || len == NULL) {
        free(ptr);
        free(len);
        return 0;
    }
    uint64_t seed = 2463534242u;
    double t0 = cpu_ms();
    for (size_t i = 0; i < ops; i++) {
        size_t k = xorshift(&seed) % window;
        if (ptr[k]) {
            if (verdicts)
                (void)in.probe->judge_free(in.a.ctx, ptr[k], len[k], 3);
            as_free(in.a, ptr[k], len[k], 3);
            ptr[k] = NULL;
        } else {
            len[k] = 1 + xorshift(&seed) % max_size;
            ptr[k] = as_alloc(in.a, len[k], 3);
        }
    }
    double ms = cpu_ms() - t0;
    for (size_t k = 0; k < window; k++)
        if (ptr[k])
            as_free(in.a, ptr[k], len[k], 3);
    free(ptr);
    free(len);
    return ms > 0 ? (double)ops / ms / 1e3 : 0;
}

static void library_figures(bool json, bool *first)
{
    const size_t ops = 1000000;
    buddy *b = buddy_create((size_t)64 << 20);
    if (b) {
        double with = library_rate(buddy_instance(b), ops, 20000, 512, true);
        buddy_destroy(b);
        b = buddy_create((size_t)64 << 20);
        double without = b ? library_rate(buddy_instance(b), ops, 20000, 512, false) : 0;
        print_info(json, first, "buddy 64 MiB, 1,000,000 random operations with verdicts (M ops/s, CPU)", with,
                   "Mops/s", "(judge_free before each free, as the session does)");
        print_info(json, first, "  without verdicts (M ops/s, CPU)", without, "Mops/s", "");
        buddy_destroy(b);
    }
    freelist *small = freelist_create((size_t)128 << 20, FREELIST_FIRST_FIT);
    freelist *big = freelist_create((size_t)1 << 30, FREELIST_FIRST_FIT);
    freelist *grow = freelist_create_growable(4096, (size_t)1 << 30, FREELIST_FIRST_FIT);
    if (small && big && grow) {
        double rs = library_rate(freelist_instance(small), ops, 20000, 512, true);
        double rb = library_rate(freelist_instance(big), ops, 20000, 512, true);
        double rg = library_rate(freelist_instance(grow), ops, 20000, 512, true);
        print_info(json, first, "freelist 128 MiB, 1,000,000 random operations (M ops/s, CPU)", rs, "Mops/s", "");
        print_info(json, first, "  freelist 1 GiB, the same (M ops/s, CPU)", rb, "Mops/s",
                   "(the position index covers the whole heap)");
        print_info(json, first, "  growable freelist up to 1 GiB, the same (M ops/s, CPU)", rg, "Mops/s",
                   "(grows like sbrk)");
        print_info(json, first, "  1 GiB vs 128 MiB (ratio of rates)", rs > 0 ? rb / rs : 0, "x", "");
        print_info(json, first, "  growable vs fixed 128 MiB (ratio of rates)", rs > 0 ? rg / rs : 0, "x", "");
    }
    if (small)
        freelist_destroy(small);
    if (big)
        freelist_destroy(big);
    if (grow)
        freelist_destroy(grow);
}

/* One name reused n times in a script (alloc as node, free node). */
static double name_reuse_ms(size_t n)
{
    session *s = session_create();
    strbuf out;
    sb_init_discard(&out);
    interp_execute(s, "new freelist 64K", &out);
    double t0 = cpu_ms();
    for (size_t i = 0; i < n; i++) {
        interp_execute(s, "alloc 24 as node", &out);
        interp_execute(s, "free node", &out);
    }
    double ms = cpu_ms() - t0;
    session_destroy(s);
    return ms;
}

/* n allocations, then n frees without a name (each the most recent live block). */
static double free_unnamed_ms(size_t n)
{
    session *s = session_create();
    strbuf out;
    sb_init_discard(&out);
    interp_execute(s, "new bump 64M", &out);
    for (size_t i = 0; i < n; i++)
        interp_execute(s, "alloc 16", &out);
    double t0 = cpu_ms();
    for (size_t i = 0; i < n; i++)
        interp_execute(s, "free", &out);
    double ms = cpu_ms() - t0;
    session_destroy(s);
    return ms;
}

/* `leaks` on a debug allocator with n live blocks: one event per block. */
static double leaks_ms(size_t n)
{
    session *s = session_create();
    strbuf out;
    sb_init_discard(&out);
    interp_execute(s, "new debug 64M", &out);
    for (size_t i = 0; i < n; i++)
        interp_execute(s, "alloc 16", &out);
    double t0 = cpu_ms();
    interp_execute(s, "leaks", &out);
    double ms = cpu_ms() - t0;
    session_destroy(s);
    return ms;
}

/* n failed allocations in a script: each one's cost. */
static double oom_us(size_t n)
{
    session *s = session_create();
    strbuf out;
    sb_init_discard(&out);
    interp_execute(s, "new freelist 1M", &out);
    for (int i = 0; i < 2000; i++)
        interp_execute(s, "alloc 400", &out);
    double t0 = cpu_ms();
    for (size_t i = 0; i < n; i++)
        interp_execute(s, "alloc 900K", &out);
    double ms = cpu_ms() - t0;
    session_destroy(s);
    return ms * 1000 / (double)n;
}

void bench_scale_traces(bool json, bool *first)
{
    if (!json)
        printf("\nscale: traces (CPU time; 'trace FILE' streams, the engine runs operations straight on the allocator)\n");
    trace_figures(json, first);
    print_figure(json, first, "one name reused 100,000 times in a script (ms, CPU)", name_reuse_ms(100000), "ms",
                 2000, true);
    print_figure(json, first, "  one failed allocation among 100,000, 2,000 blocks live (us, CPU)", oom_us(100000),
                 "us", 20, true);
    print_figure(json, first, "  100,000 frees without a name after 100,000 allocations (ms, CPU)",
                 free_unnamed_ms(100000), "ms", 2000, true);
    print_figure(json, first, "  leaks of 100,000 live blocks on a debug allocator (ms, CPU)", leaks_ms(100000), "ms",
                 2000, true);
    library_figures(json, first);
}
