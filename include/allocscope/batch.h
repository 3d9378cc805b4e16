/*
 * batch.h - headless runs of a script: each command's answer to one
 * stream, errors and failed expectations to another as FILE:LINE, the text
 * map after each change (--frames) and the final state as JSON (--json).
 */
#ifndef ALLOCSCOPE_BATCH_H
#define ALLOCSCOPE_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "allocscope/interp.h"

typedef struct batch_options {
    bool frames;    /* the text map after each state-changing step */
    bool json;      /* the final state as JSON */
    bool ascii;     /* maps in plain ASCII */
    bool quiet;     /* no answers, only errors */
} batch_options;

typedef struct batch_result {
    size_t commands;
    size_t errors;
    size_t failed_expects;
} batch_result;

/* Runs every line of in (named name in messages) on s, read through
 * lineio: in must be a regular file, a pipe or a terminal; a line over
 * LINEIO_MAX_LINE bytes, with a NUL byte or not UTF-8 is an error for that
 * line (none of it runs); past LINEIO_MAX_SCRIPT bytes reading stops with
 * an error. Returns the exit status: 0 iff every command was valid and
 * every expect held, 1 otherwise, 2 if in cannot be read at all. */
int batch_run(session *s, FILE *in, const char *name, const batch_options *opt, FILE *out, FILE *err,
              batch_result *res);

#endif
