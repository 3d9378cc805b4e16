/*
 * tui.h - the live view: the ncurses buffer map, block table and warnings,
 * with a readline prompt and scene playback. The only module that owns the
 * terminal.
 */
#ifndef ALLOCSCOPE_TUI_H
#define ALLOCSCOPE_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "allocscope/session.h"

typedef struct tui_options {
    const char *scene;    /* play this scene, or NULL for the prompt */
    long delay_ms;        /* between steps during playback */
    bool ascii;           /* force ASCII glyphs */
    const char *scene_text;  /* or play this script text (a converted trace) */
    const char *scene_name;  /* its name in messages */
    bool autoplay;        /* start playing (otherwise paused on the first caption) */
    bool clean;           /* playback without the block table and warnings */
} tui_options;

/* Runs until the user quits; returns the process exit status. The
 * terminal is restored on every way out. */
int tui_run(const tui_options *opt);

/* What a frame of the live view costs: the medians over the frames drawn. */
typedef struct tui_frame_cost {
    double cpu_ms;           /* CPU time to rebuild the picture and draw it */
    double bytes;            /* written to the terminal */
    double first_bytes;      /* written by the first frame, which draws everything */
} tui_frame_cost;

/* For the benchmark: draws `frames` frames of s into a cols x rows
 * terminal whose output is counted and thrown away, the first from
 * scratch and the rest after a change each. False if no terminal could be
 * made. */
bool tui_frame_cost_of(session *s, int cols, int rows, int frames, tui_frame_cost *out);

/* For recordings (castout.c): plays the scene of opt step by step in a
 * cols x rows terminal whose output goes to a file, as the live view draws
 * it while playing (a pause is passed as a key would). fn gets the bytes of
 * each frame and the player, after the opening frame and after each step,
 * the last being the prompt at the end. False if no terminal could be made
 * or the scene not opened (a message on stderr). */
struct player;
typedef void (*tui_frame_fn)(void *user, const char *bytes, size_t n, struct player *pl);
bool tui_record(const tui_options *opt, int cols, int rows, tui_frame_fn fn, void *user);

#endif
