/*
 * main.c - allocscope's command line: the live view in a terminal, batch
 * mode otherwise, scene playback, traces and the benchmark.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocscope/batch.h"
#include "allocscope/castout.h"
#include "allocscope/kinds.h"
#include "allocscope/lineio.h"
#include "allocscope/parse.h"
#include "allocscope/interp.h"
#include "allocscope/scenes.h"
#include "allocscope/bench.h"
#include "allocscope/advise.h"
#include "allocscope/trace.h"
#include "allocscope/tui.h"
#include "allocscope/record.h"

static void usage(FILE *f)
{
    fputs("usage: allocscope                      the live view (bump allocator over 4096 bytes)\n"
          "       allocscope --play SCENE [--delay MS] [--autoplay] [--clean] [--ascii]   play a scene in the live view\n"
          "                 (SCENE: a file, or a shipped scene by name: 02_alignment; allocscope --scenes lists them)\n"
          "       allocscope --scenes                   the shipped scenes with their summaries\n"
          "       allocscope --play FILE --export-svg DIR [--at-marks] | --export-cast FILE | --export-html FILE\n"
          "                  [--size COLSxROWS] [--theme light|dark] [--force]   slides, recordings, a web page\n"
          "       allocscope --batch FILE|-  [--frames] [--json] [--ascii] [--quiet]\n"
          "       allocscope --trace FILE [--on \"KIND SIZE ...\"] [--batch]   replay a malloc-lab trace\n"
          "       allocscope --trace FILE --compare \"KIND ...\" \"KIND ...\" [--json]   on 2 to 4 allocators, one table\n"
          "       allocscope --gen-trace random|binary-tree|coalescing|realloc [--seed N] [--ops N]\n"
          "       allocscope advise FILE [--json]        which allocator fits a trace (or a recording)\n"
          "       allocscope bench [WORKLOAD] [--json]   W1..W5, scale, traces, all (the default; see make bench)\n"
          "       allocscope record [-o FILE] [--stacks] -- CMD [ARGS...]   record CMD's allocations\n"
          "       allocscope --help | --version\n"
          "With standard input not a terminal and no mode given, allocscope runs in batch mode on it.\n",
          f);
}

typedef struct cli {
    const char *batch, *play, *trace, *on, *gen; /* on: a kind, or a compare line (compare) */
    size_t seed, ops;
    bool batch_flag, compare, autoplay, clean, scenes;
    long delay_ms;
    batch_options bo;
} cli;

static castout_cli exports; /* --export-svg/cast/html and their options (castout.h) */


/* The value of the flag at argv[*i], or NULL after saying that it needs
 * one (what: what the value is). A value that starts with "--" is the next
 * flag, not a value. */
static const char *flag_value(int argc, char **argv, int *i, const char *what)
{
    const char *next = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (next == NULL || *next == '\0' || strncmp(next, "--", 2) == 0) {
        fprintf(stderr, "allocscope: %s needs a value (%s)\n", argv[*i], what);
        return NULL;
    }
    ++*i;
    return next;
}

/* Reads the command line into c. Returns 0, or the exit status 2 after a
 * message (unknown argument, a flag without its value, a bad number, a
 * flag that means nothing with the others). */
static int parse_args(int argc, char **argv, cli *c)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int ex = castout_cli_option(argc, argv, i, &exports);
        if (ex < 0)
            return 2;
        if (ex > 0) {
            i += ex - 1;
            continue;
        }
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--batch") && next && (strncmp(next, "--", 2) != 0))
            c->batch = next, i++, c->batch_flag = true;
        else if (!strcmp(a, "--batch"))
            c->batch_flag = true;
        else if (!strcmp(a, "--trace")) {
            if ((c->trace = flag_value(argc, argv, &i, "a malloc-lab trace file")) == NULL)
                return 2;
        } else if (!strcmp(a, "--on")) {
            if ((c->on = flag_value(argc, argv, &i, "an allocator, e.g. \"buddy 1M\"")) == NULL)
                return 2;
        } else if (!strcmp(a, "--compare")) {
            /* --compare "KIND ..." "KIND ...": the members of a comparison the
             * trace runs on (the words until the next option) */
            static char line[1024];
            size_t len = (size_t)snprintf(line, sizeof line, "compare");
            if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0) {
                fprintf(stderr, "allocscope: --compare needs a value (2 to 4 allocators, e.g. \"buddy 1M\" \"freelist 1M\")\n");
                return 2;
            }
            for (; i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0 && len < sizeof line; i++)
                len += (size_t)snprintf(line + len, sizeof line - len, "%s %s", len > 7 ? "," : "", argv[i + 1]);
            c->on = line, c->compare = true;
        } else if (!strcmp(a, "--gen-trace")) {
            if ((c->gen = flag_value(argc, argv, &i, "random, binary-tree, coalescing or realloc")) == NULL)
                return 2;
        } else if (!strcmp(a, "--seed") || !strcmp(a, "--ops")) {
            bool ops = !strcmp(a, "--ops");
            const char *v_text = flag_value(argc, argv, &i, ops ? "a number, 1..100000000" : "a number");
            size_t v;
            if (v_text == NULL)
                return 2;
            if (parse_uint(v_text, &v) || (ops && (v == 0 || v > TRACE_MAX_OPS))) {
                fprintf(stderr, "allocscope: %s takes a number%s, not '%s'\n", a, ops ? " (1..100000000)" : "",
                        v_text);
                return 2;
            }
            *(ops ? &c->ops : &c->seed) = v;
        } else if (!strcmp(a, "--play")) {
            if ((c->play = flag_value(argc, argv, &i, "a scene file or a shipped scene's name")) == NULL)
                return 2;
        } else if (!strcmp(a, "--delay")) {
            const char *v_text = flag_value(argc, argv, &i, "milliseconds, 0..600000");
            size_t v;
            if (v_text == NULL)
                return 2;
            if (parse_uint(v_text, &v) || v > 600000) {
                fprintf(stderr, "allocscope: --delay takes milliseconds (0..600000), not '%s'\n", v_text);
                return 2;
            }
            c->delay_ms = (long)v;
        } else if (!strcmp(a, "--autoplay"))
            c->autoplay = true;
        else if (!strcmp(a, "--clean"))
            c->clean = true;
        else if (!strcmp(a, "--scenes"))
            c->scenes = true;
        else if (!strcmp(a, "--frames"))
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
    if (c->on && !c->trace) {
        fprintf(stderr, "allocscope: %s applies to --trace only (the allocators a trace replays on)\n", c->compare ? "--compare" : "--on");
        return 2;
    }
    if ((c->seed || c->ops) && !c->gen) {
        fprintf(stderr, "allocscope: --seed and --ops apply to --gen-trace only\n");
        return 2;
    }
    return 0;
}

/* The live view needs a terminal that can place the cursor: NULL if this
 * one can, else why not. */
static const char *live_view_refused(void)
{
    const char *term = getenv("TERM");
    if (term == NULL || *term == '\0')
        return "TERM is not set";
    if (!strcmp(term, "dumb"))
        return "TERM=dumb cannot place the cursor";
    return NULL;
}

static int run_batch(const cli *c)
{
    FILE *in = stdin;
    const char *name = "-";
    if (c->batch && strcmp(c->batch, "-") != 0) {
        strbuf err;
        sb_init(&err);
        in = lineio_fopen(c->batch, &err); /* a regular file only: not a directory, FIFO or device */
        if (in == NULL) {
            fprintf(stderr, "allocscope: %s\n", sb_str(&err));
            sb_free(&err);
            return 2;
        }
        sb_free(&err);
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
 * recording replayed (new glibc FILE); --compare's is the compare
 * command itself. */
static const char *new_line(const cli *c, char *line, size_t cap)
{
    if (c->compare)
        snprintf(line, cap, "%s", c->on);
    else if (strcmp(c->on, "glibc") == 0)
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
    if (ok && !c->on && h.heap_size > KIND_MAX_BUFFER) {
        sb_printf(err, " its header asks for a heap of %zu bytes, more than the 1 GiB an allocator may have "
                  "(give one with --on \"freelist 1G\")", h.heap_size);
        ok = false;
    }
    if (ok) {
        char line[600];
        if (c->on)
            sb_printf(&script, "%s\n", new_line(c, line, sizeof line));
        else
            sb_add(&script, "new freelist 4096 grow\n"); /* as mdriver's heap: it grows like sbrk */
        sb_printf(&script, "note trace %s: %zu operations on %zu ids\n%s", c->trace, h.ops, h.ids, sb_str(&body));
        if (sb_str(err)[0]) /* a damaged recording: the part before the damage, then where it is */
            sb_printf(&script, "note %s: damaged at %s\n", c->trace, sb_str(err));
        sb_clear(err);
    } else {
        char msg[512];
        /* a trace's error starts with its line ("FILE:3: ..."), a recording's with a byte ("FILE: byte 31: ...") */
        const char *e = sb_str(err);
        snprintf(msg, sizeof msg, "%s:%s%s", c->trace, isdigit((unsigned char)e[0]) || e[0] == ' ' ? "" : " ", e);
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
    char why[512];
    if (lineio_check_path(c->trace, why, sizeof why)) { /* unreadable input: a usage error */
        fprintf(stderr, "allocscope: %s\n", why);
        return 2;
    }
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
        snprintf(cmd, sizeof cmd, "trace \"%s\"%s", c->trace, c->bo.json ? " json" : "");
        oc = interp_execute(s, cmd, &out);
    }
    /* 0: every operation replayed, 1: some failed (or stopped, or the
     * recording is damaged: the part before the damage replayed and the
     * trace command said where), 2: no replay; a trace with failed
     * operations still gives its report on standard output */
    int status = oc.status == SESSION_ERROR ? 2 : oc.status != SESSION_OK || !interp_trace_complete(s) ? 1 : 0;
    fputs(sb_str(&out), status == 2 ? stderr : stdout);
    if (status == 2) {
        FILE *quiet = fopen("/dev/null", "w");
        if (quiet && record_damage(c->trace, quiet))
            status = 1;
        if (quiet)
            fclose(quiet);
    }
    sb_free(&out);
    session_destroy(s);
    return status;
}

int main(int argc, char **argv)
{
    cli c = {NULL, NULL, NULL, NULL, NULL, 0, 0, false, false, false, false, false, 700, {0}};
    if (argc >= 2 && !strcmp(argv[1], "bench"))
        return bench_main(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "record"))
        return record_main(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "advise"))
        return advise_main(argc - 1, argv + 1);
    int bad = parse_args(argc, argv, &c);
    if (bad)
        return bad;
    if (c.gen)
        return generate(&c);
    if (c.scenes) {
        strbuf out;
        sb_init(&out);
        bool ok = scenes_list(&out);
        fputs(sb_str(&out), ok ? stdout : stderr);
        sb_free(&out);
        return ok ? 0 : 1;
    }
    strbuf scene_path;
    sb_init(&scene_path);
    if (c.play) { /* a file, or a shipped scene by name */
        strbuf err;
        sb_init(&err);
        if (!scenes_find(c.play, &scene_path, &err)) {
            fprintf(stderr, "allocscope: %s\n", sb_str(&err));
            sb_free(&err);
            return 2;
        }
        sb_free(&err);
        c.play = sb_str(&scene_path);
    }
    if (castout_cli_wanted(&exports))
        return castout_cli_run(&exports, c.play, c.delay_ms, c.bo.ascii);
    if (c.trace && (c.batch_flag || !isatty(STDOUT_FILENO)))
        return run_trace(&c);
    bool batch = c.batch_flag || (!c.play && !isatty(STDIN_FILENO));
    const char *no_live = live_view_refused();
    if (no_live && (c.trace || !batch)) {
        fprintf(stderr, "allocscope: the live view needs a terminal that can place the cursor (%s); "
                        "use --batch FILE for scripts, --trace FILE --batch for traces\n",
                no_live);
        return 2;
    }
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
        tui_options to = {NULL, c.delay_ms, c.bo.ascii, scene, c.trace, c.autoplay, c.clean};
        int st = tui_run(&to);
        free(scene);
        return st;
    }
    if (batch)
        return run_batch(&c);
    if (!isatty(STDOUT_FILENO)) {
        fprintf(stderr, "allocscope: the live view needs a terminal (use --batch for scripts)\n");
        return 2;
    }
    tui_options to = {c.play, c.delay_ms, c.bo.ascii, NULL, NULL, c.autoplay, c.clean};
    int status = tui_run(&to);
    sb_free(&scene_path);
    return status;
}
