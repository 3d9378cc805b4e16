/*
 * interp.h - the interpreter of allocscope's command language: the one
 * command table (name, handler, flags, usage, help, completion), dispatch,
 * the recorded steps and rewinding them, and the commands that run other
 * lines (undo, source, save, try, trace). Front ends (batch, player, live
 * view, prompt) run lines through interp_execute; views read the model
 * (session.h).
 */
#ifndef ALLOCSCOPE_INTERP_H
#define ALLOCSCOPE_INTERP_H

#include <stdbool.h>
#include <stddef.h>

#include "allocscope/parse.h"
#include "allocscope/session.h"
#include "allocscope/strbuf.h"

typedef struct session_outcome {
    session_status status;
    bool changed;    /* the state changed: views should redraw */
    bool pause;      /* the command was `pause` */
    bool note;       /* the command was `note` */
    bool pending;    /* a multi-line definition is waiting for more lines */
} session_outcome;

/* What a command is, from the command table. */
enum {
    INTERP_RECORDED = 1,   /* a change: recorded, replayed by undo, rewind and save */
    INTERP_UNDO_SKIPS = 2, /* undo passes over it to the change before */
    INTERP_FILES = 4,      /* touches files: refused in a sandboxed session */
    INTERP_CAPTION = 8,    /* a caption (note) */
    INTERP_PAUSE = 16,     /* a pause in playback */
    INTERP_HIDDEN = 32,    /* not listed by help (a second word of another) */
    INTERP_GROUP = 64,     /* an allocation command: runs on every member of a comparison */
    INTERP_ASK = 128,      /* a question: playback waits for a key before the step that answers it */
};

/* Executes one line. Its answer (one line, or a listing) is appended to
 * out; an error starts with "error: ". Blank lines and comments do
 * nothing. Every successful command is one step. */
session_outcome interp_execute(session *s, const char *line, strbuf *out);
/* Creates the default allocator (a bump over 4096 bytes) if there is none. */
void interp_ensure_default(session *s, strbuf *out);
/* A sandboxed session refuses the commands that touch files (source,
 * save, trace): for untrusted input such as a fuzzer's. */
void interp_set_sandbox(session *s, bool on);
/* Long commands (trace, source) report how far they are every few
 * thousand operations or lines (total 0: not known in advance); when fn
 * returns false the command stops there. What it did so far stays: each
 * operation is a step of its own that undo can take back. NULL: no
 * reports (batch mode). */
typedef bool (*interp_progress_fn)(void *user, const char *what, size_t done, size_t total);
void interp_set_progress(session *s, interp_progress_fn fn, void *user);
/* A front end that plays scenes (the live view) takes `play FILE`: fn is
 * given the scene's path and says in out what it did (false: it could
 * not). NULL: play runs the scene's lines in this session, as source
 * does (batch mode). */
typedef bool (*interp_play_fn)(void *user, const char *path, strbuf *out);
void interp_set_player(session *s, interp_play_fn fn, void *user);
/* Rebuilds the state as it was after `steps` recorded commands. */
bool interp_rewind(session *s, size_t steps);
/* False when the last `trace` command left operations undone or failed. */
bool interp_trace_complete(const session *s);

/* The flags of the command named word (0 for no such command). */
unsigned interp_command_flags(const char *word);
/* Whether the words open a struct definition (`struct` or `packed struct`),
 * which may span lines. */
bool interp_opens_struct(const parse_words *w);
/* The names of every command, in table order. */
extern const char *const interp_command_names[];
extern const size_t interp_command_count;

/* Candidates for the word of line that starts at byte `start` (the words
 * before it give the context: `free ` offers live blocks, `new ` kinds,
 * ...). Fills out with at most max pointers, valid until the session
 * changes; returns how many. */
size_t interp_complete(const session *s, const char *line, size_t start, const char **out, size_t max);

#endif
