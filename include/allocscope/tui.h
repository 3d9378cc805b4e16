/*
 * tui.h - the live view: the ncurses buffer map, block table and warnings,
 * with a readline prompt and scene playback. The only module that owns the
 * terminal.
 */
#ifndef ALLOCSCOPE_TUI_H
#define ALLOCSCOPE_TUI_H

#include <stdbool.h>

#include "allocscope/session.h"

typedef struct tui_options {
    const char *scene;    /* play this scene, or NULL for the prompt */
    long delay_ms;        /* between steps during playback */
    bool ascii;           /* force ASCII glyphs */
    const char *scene_text;  /* or play this script text (a converted trace) */
    const char *scene_name;  /* its name in messages */
} tui_options;

/* Runs until the user quits; returns the process exit status. The
 * terminal is restored on every way out. */
int tui_run(const tui_options *opt);

/* For the benchmark: draws `frames` frames of s into a cols x rows
 * terminal that writes to /dev/null, the first from scratch and the rest
 * after a change each, and returns the CPU milliseconds of one frame
 * (median), or a negative number if no terminal could be made. */
double tui_frame_cpu_ms(session *s, int cols, int rows, int frames);

#endif
