/*
 * player.h - scene playback without a terminal: a scene is a script in the
 * session's language, split into steps (one command each; a struct spread
 * over several lines is one step). The player owns a session positioned
 * after some number of steps and moves it forward and back exactly: a
 * move restores the nearest checkpoint at or before the target
 * (checkpoint.h) and replays the steps after it.
 */
#ifndef ALLOCSCOPE_PLAYER_H
#define ALLOCSCOPE_PLAYER_H

#include <stdbool.h>
#include <stddef.h>

#include "allocscope/interp.h"
#include "allocscope/strbuf.h"

typedef enum player_step_kind {
    PLAYER_COMMAND,
    PLAYER_NOTE,
    PLAYER_PAUSE,
    PLAYER_ASK,            /* a question: playback waits before the step that answers it */
} player_step_kind;

typedef struct player_step {
    char *text;
    size_t line;           /* line number in the file (first line of the step) */
    player_step_kind kind;
} player_step;

typedef struct player player;

/* Reads a scene file; NULL with a message in err if it cannot. */
player *player_open(const char *path, strbuf *err);
/* A scene from text already in memory (name is used in messages). */
player *player_from_text(const char *name, const char *text, strbuf *err);
void player_close(player *p);

size_t player_length(const player *p);
/* Steps executed so far: the state is the one after steps [0, position). */
size_t player_position(const player *p);
const player_step *player_step_at(const player *p, size_t i);
session *player_session(player *p);
const char *player_name(const player *p);

/* Executes the next step; false at the end. The step's answer is left in
 * player_answer, and whether it failed in player_failed. */
bool player_next(player *p);
/* Moves to the state after exactly `position` steps (forward or back). */
bool player_seek(player *p, size_t position);
bool player_prev(player *p);
/* Checkpoints (player.c): how many are kept and the bytes they hold; the
 * work between two, in nanoseconds of steps (tests set 0: one after every
 * step; the default spaces them by time, see player.c). */
size_t player_checkpoints(const player *p, size_t *bytes);
void player_set_checkpoint_gap(player *p, unsigned long long ns);
/* A long move forward (new ground: every step is run) reports how far it
 * got about ten times a second; fn returning false stops it where it is.
 * fn NULL: none. The signature is interp_progress_fn's. */
void player_set_progress(player *p, interp_progress_fn fn, void *user);
/* Idle time: plays the scene ahead on a session of its own, taking
 * checkpoints, by up to `budget` steps or about 8 ms (not past a step that
 * touches files or loads a plugin), so that a later jump lands near one.
 * True while there is more of that work to do. */
bool player_idle(player *p, size_t budget);
/* What stops player_run early: the step just run was one of these. */
#define PLAYER_STOP_PAUSE 1u
#define PLAYER_STOP_NOTE 2u
#define PLAYER_STOP_FAILURE 4u   /* an error, a failed expectation, or a new warning */
#define PLAYER_STOP_ERROR 8u     /* an error or a failed expectation */
/* Runs up to max_steps steps forward (fast play: the caller draws once
 * after), stopping after a step that stop_at names. Only the last step's
 * answer is kept. How many steps it ran. */
size_t player_run(player *p, size_t max_steps, unsigned stop_at);
/* Plays forward to just after the next failure (an error, a failed
 * expectation, a new warning); false if the end came first. */
bool player_next_failure(player *p);
/* Moves forward to just after the next note or pause (or the end). */
void player_next_mark(player *p);
/* Moves back to just after the previous note or pause (or the start). */
void player_prev_mark(player *p);

const char *player_answer(const player *p);
/* True if the last executed step was an error or a failed expectation. */
bool player_failed(const player *p);
/* Errors and failed expectations met so far, as "LINE: message" lines. */
const char *player_problems(const player *p);
/* The caption in force: the text of the last note (or ask) at or before
 * position. */
const char *player_caption(const player *p);
/* The text of a note or ask step after its first word ("" for others). */
const char *player_step_caption(const player_step *st);
/* Whether the step is an expect line (run silently during playback). */
bool player_step_is_expect(const player_step *st);

/* The pace the step times are for: one step every PLAYER_PACE_MS. */
#define PLAYER_PACE_MS 700
/* How long playback stays on a step at step_ms a step: a note long enough
 * to be read aloud (a second and 400 ms a word at the default pace,
 * scaled with the pace, never less than a step), an expect no time, any
 * other step step_ms. */
long player_dwell_ms(const player_step *st, long step_ms);

#endif
