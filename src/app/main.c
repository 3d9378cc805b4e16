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
#include "allocscope/session.h"
#include "allocscope/tui.h"

static void usage(FILE *f)
{
    fputs("usage: allocscope                      the live view (bump allocator over 4096 bytes)\n"
          "       allocscope --play FILE [--delay MS]   play a scene in the live view\n"
          "       allocscope --batch FILE|-  [--frames] [--json] [--ascii] [--quiet]\n"
          "       allocscope --help | --version\n"
          "With standard input not a terminal and no mode given, allocscope runs in batch mode on it.\n",
          f);
}

typedef struct cli {
    const char *batch, *play;
    long delay_ms;
    batch_options bo;
} cli;

static int parse_args(int argc, char **argv, cli *c)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--batch") && next)
            c->batch = next, i++;
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

int main(int argc, char **argv)
{
    cli c = {NULL, NULL, 700, {0}};
    int bad = parse_args(argc, argv, &c);
    if (bad)
        return bad;
    if (c.batch || (!c.play && !isatty(STDIN_FILENO)))
        return run_batch(&c);
    if (!isatty(STDOUT_FILENO)) {
        fprintf(stderr, "allocscope: the live view needs a terminal (use --batch for scripts)\n");
        return 2;
    }
    tui_options to = {c.play, c.delay_ms, c.bo.ascii};
    return tui_run(&to);
}
