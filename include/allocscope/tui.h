/*
 * tui.h - the live view: the ncurses buffer map, block table and warnings,
 * with a readline prompt and scene playback. The only module that owns the
 * terminal.
 */
#ifndef ALLOCSCOPE_TUI_H
#define ALLOCSCOPE_TUI_H

#include <stdbool.h>

typedef struct tui_options {
    const char *scene;    /* play this scene, or NULL for the prompt */
    long delay_ms;        /* between steps during playback */
    bool ascii;           /* force ASCII glyphs */
} tui_options;

/* Runs until the user quits; returns the process exit status. The
 * terminal is restored on every way out. */
int tui_run(const tui_options *opt);

#endif
