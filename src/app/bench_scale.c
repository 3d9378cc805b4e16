/*
 * bench_scale.c - the scale figures (see bench_scale.h): a 1,000,000-
 * command script replayed headless, frames of a 200x50 terminal over big
 * buffers with 100,000 blocks, one step back in a 100,000-step scene, and
 * the session's own memory per live block.
 */
#include "bench_scale.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allocscope/batch.h"
#include "allocscope/player.h"
#include "allocscope/interp.h"
#include "allocscope/tui.h"

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
    double tracking, history;
    bytes_per_block(100000, &tracking, &history);
    print_figure(json, first, "session tracking per live block (records, indexes) (bytes)", tracking, "bytes", 64,
                 true);
    print_info(json, first, "  and the step history per command (bytes)", history, "bytes",
               "(one 'alloc 16' command each)");
}
