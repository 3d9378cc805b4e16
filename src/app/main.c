/*
 * main.c - allocscope's command line: the live view in a terminal, batch
 * mode otherwise, scene playback, traces and the benchmark.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocscope/batch.h"
#include "allocscope/parse.h"
#include "allocscope/interp.h"
#include "allocscope/bench.h"
#include "allocscope/trace.h"
#include "allocscope/tui.h"
#include "allocscope/record.h"

static void usage(FILE *f)
{
    fputs("usage: allocscope                      the live view (bump allocator over 4096 bytes)\n"
          "       allocscope --play FILE [--delay MS]   play a scene in the live view\n"
          "       allocscope --batch FILE|-  [--frames] [--json] [--ascii] [--quiet]\n"
          "       allocscope --trace FILE [--on \"KIND SIZE ...\"] [--batch]   replay a malloc-lab trace\n"
          "       allocscope --gen-trace random|binary-tree|coalescing|realloc [--seed N] [--ops N]\n"
          "       allocscope bench [WORKLOAD] [--json]      W1..W5, scale (see make bench)\n"
          "       allocscope record [-o FILE] [--stacks] -- CMD [ARGS...]   record CMD's allocations\n"
          "       allocscope --help | --version\n"
          "With standard input not a terminal and no mode given, allocscope runs in batch mode on it.\n",
          f);
}

typedef struct cli {
    const char *batch, *play, *trace, *on, *gen;
    size_t seed, ops;
    bool batch_flag;
    long delay_ms;
    batch_options bo;
} cli;

static int parse_args(int argc, char **argv, cli *c)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--batch") && next && (strncmp(next, "--", 2) != 0))
            c->batch = next, i++, c->batch_flag = true;
        else if (!strcmp(a, "--batch"))
            c->batch_flag = true;
        else if (!strcmp(a, "--trace") && next)
            c->trace = next, i++;
        else if (!strcmp(a, "--on") && next)
            c->on = next, i++;
        else if (!strcmp(a, "--gen-trace") && next)
            c->gen = next, i++;
        else if ((!strcmp(a, "--seed") || !strcmp(a, "--ops")) && next) {
            size_t v;
            if (parse_uint(next, &v) || (!strcmp(a, "--ops") && (v == 0 || v > TRACE_MAX_OPS))) {
                fprintf(stderr, "allocscope: %s takes a number%s\n", a, !strcmp(a, "--ops") ? " (1..10000000)" : "");
                return 2;
            }
            *(!strcmp(a, "--seed") ? &c->seed : &c->ops) = v, i++;
        }
        else if (!strcmp(a, "--play") && next)
            c->play = next, i++;
        else if (!strcmp(a, "--delay") && next) {
            size_t v;
            if (parse_uint(next, &v) || v > 600000) {
                fprintf(stderr, "allocscope: --delay takes milliseconds (0..600000)\n");
                return 2;
            }
            c->delay_ms = (long)v, i++;
        } else if (!strcmp(a, "--frames"))
            c->bo.frames = true;
        else if (!strcmp(a, "--json"))
            c->bo.json = true;
        else if (!strcmp(a, "--ascii"))
            c->bo.ascii = true;
        else if (!strcmp(a, "--quiet"))
            c->bo.quiet = true;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--version")) {
            puts("allocscope 0.1");
            exit(0);
        } else {
            fprintf(stderr, "allocscope: unknown argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    return 0;
}

static int run_batch(const cli *c)
{
    FILE *in = stdin;
    const char *name = "-";
    if (c->batch && strcmp(c->batch, "-") != 0) {
        in = fopen(c->batch, "r");
        if (in == NULL) {
            fprintf(stderr, "allocscope: cannot open %s: %s\n", c->batch, strerror(errno));
            return 2;
        }
        name = c->batch;
    }
    session *s = session_create();
    if (s == NULL) {
        fprintf(stderr, "allocscope: out of memory\n");
        return 2;
    }
    int status = batch_run(s, in, name, &c->bo, stdout, stderr, NULL);
    session_destroy(s);
    if (in != stdin)
        fclose(in);
    return status;
}

static int generate(const cli *c)
{
    for (int k = 0; k < TRACE_SHAPE_COUNT; k++) {
        if (strcmp(c->gen, trace_shape_name((trace_shape)k)) == 0) {
            strbuf out;
            sb_init(&out);
            trace_generate((trace_shape)k, c->seed ? c->seed : 1, c->ops ? c->ops : 1000, &out);
            size_t heap = 0, ids = 0, ops = 0;
            sscanf(sb_str(&out), "%zu %zu %zu", &heap, &ids, &ops);
            if (ids > TRACE_MAX_IDS || ops > TRACE_MAX_OPS) {
                fprintf(stderr, "allocscope: that trace would have %zu ids and %zu operations, more than allocscope "
                                "replays (%d ids, %d operations): ask for fewer with --ops\n",
                        ids, ops, TRACE_MAX_IDS, TRACE_MAX_OPS);
                sb_free(&out);
                return 2;
            }
            fputs(sb_str(&out), stdout);
            sb_free(&out);
            return 0;
        }
    }
    fprintf(stderr, "allocscope: unknown trace shape '%s' (random, binary-tree, coalescing, realloc)\n", c->gen);
    return 2;
}

/* The `new` line of --on: `--on glibc` is the glibc view of the
 * recording replayed (new glibc FILE). */
static const char *new_line(const cli *c, char *line, size_t cap)
{
    if (strcmp(c->on, "glibc") == 0)
        snprintf(line, cap, "new glibc \"%s\"", c->trace);
    else
        snprintf(line, cap, "new %s", c->on);
    return line;
}

/* The trace as a scene: the allocator first, then one step per operation. */
static char *trace_scene(const cli *c, strbuf *err)
{
    strbuf text, script;
    sb_init(&text);
    sb_init(&script);
    if (!sb_read_file(&text, c->trace, (size_t)512 << 20, err)) {
        sb_free(&text);
        return NULL;
    }
    trace_header h;
    strbuf body;
    sb_init(&body);
    bool ok = trace_to_script(sb_str(&text), &h, &body, err);
    if (ok) {
        char line[600];
        if (c->on)
            sb_printf(&script, "%s\n", new_line(c, line, sizeof line));
        else
            sb_printf(&script, "new freelist %zu\n", h.heap_size ? h.heap_size : (size_t)1 << 20);
        sb_printf(&script, "note trace %s: %zu operations on %zu ids\n%s", c->trace, h.ops, h.ids, sb_str(&body));
        if (sb_str(err)[0]) /* a damaged recording: the part before the damage, then where it is */
            sb_printf(&script, "note %s: damaged at %s\n", c->trace, sb_str(err));
        sb_clear(err);
    } else {
        char msg[512];
        snprintf(msg, sizeof msg, "%s:%s", c->trace, sb_str(err));
        sb_clear(err);
        sb_add(err, msg);
    }
    sb_free(&text);
    sb_free(&body);
    if (!ok) {
        sb_free(&script);
        return NULL;
    }
    return script.data;
}

/* Headless: the trace command itself makes a free list of the trace's
 * suggested heap size when no allocator exists yet. */
static int run_trace(const cli *c)
{
    session *s = session_create();
    strbuf out;
    sb_init(&out);
    session_outcome oc = {SESSION_OK, false, false, false, false};
    if (c->on) {
        char line[600];
        new_line(c, line, sizeof line);
        oc = interp_execute(s, line, &out);
    }
    if (oc.status == SESSION_OK) {
        sb_clear(&out);
        char cmd[600];
        snprintf(cmd, sizeof cmd, "trace \"%s\"", c->trace);
        oc = interp_execute(s, cmd, &out);
    }
    int status = oc.status == SESSION_OK ? 0 : 1;
    fputs(sb_str(&out), status ? stderr : stdout);
    /* a damaged recording replayed up to the damage: the trace command said where, and failed */
    sb_free(&out);
    session_destroy(s);
    return status;
}

int main(int argc, char **argv)
{
    cli c = {NULL, NULL, NULL, NULL, NULL, 0, 0, false, 700, {0}};
    if (argc >= 2 && !strcmp(argv[1], "bench"))
        return bench_main(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "record"))
        return record_main(argc - 1, argv + 1);
    int bad = parse_args(argc, argv, &c);
    if (bad)
        return bad;
    if (c.gen)
        return generate(&c);
    if (c.trace && (c.batch_flag || !isatty(STDOUT_FILENO)))
        return run_trace(&c);
    if (c.trace) {
        strbuf err;
        sb_init(&err);
        char *scene = trace_scene(&c, &err);
        if (scene == NULL) {
            fprintf(stderr, "allocscope: %s\n", sb_str(&err));
            sb_free(&err);
            return 1;
        }
        sb_free(&err);
        tui_options to = {NULL, c.delay_ms, c.bo.ascii, scene, c.trace};
        int st = tui_run(&to);
        free(scene);
        return st;
    }
    if (c.batch || (!c.play && !isatty(STDIN_FILENO)))
        return run_batch(&c);
    if (!isatty(STDOUT_FILENO)) {
        fprintf(stderr, "allocscope: the live view needs a terminal (use --batch for scripts)\n");
        return 2;
    }
    tui_options to = {c.play, c.delay_ms, c.bo.ascii, NULL, NULL};
    return tui_run(&to);
}
