/*
 * repl.h - the readline side of the prompt, through readline's callback
 * interface so that curses keeps the screen. readline never touches the
 * terminal here: keys are fed in by the caller, the line and cursor are
 * read back for drawing, and completion lists are kept for the caller to
 * show. History lives in a file between runs.
 */
#ifndef ALLOCSCOPE_REPL_H
#define ALLOCSCOPE_REPL_H

#include <stdbool.h>
#include <stddef.h>

#include "allocscope/session.h"

/* Called with each finished line (NULL at end of input, Ctrl-D on an
 * empty line). The line belongs to the callee's caller: do not free. */
typedef void (*repl_line_fn)(void *user, const char *line);

/* history_path may be NULL (no history file). */
void repl_open(const char *history_path, repl_line_fn on_line, void *user);
/* Saves the history (repl_save_history), then lets readline go. */
void repl_close(void);
/* Appends the lines entered since the last save to the history file (never
 * rewrites another instance's lines); false, with the reason kept for
 * repl_history_problem, when it cannot. Also called on SIGTERM/SIGHUP. */
bool repl_save_history(void);
/* Why the history file given to repl_open is not used (it is a FIFO, a
 * directory, a device, unreadable) or could not be saved, or NULL.
 * Opening it never blocks. */
const char *repl_history_problem(void);
/* The session completions are drawn from (may change, e.g. on rewind). */
void repl_set_session(const session *s);
void repl_set_prompt(const char *prompt);
/* Feeds bytes as a terminal would send them (the caller translates its
 * keys, e.g. Left to ESC [ D); readline handles each at once. NUL bytes
 * are skipped. */
void repl_feed(const char *bytes, size_t n);
/* Drops the line being edited (Ctrl-C). */
void repl_cancel_line(void);
/* The prompt, the line and the cursor's byte offset in it. */
const char *repl_prompt(void);
const char *repl_line(void);
size_t repl_cursor(void);
/* True once after readline changed what the prompt shows. */
bool repl_take_dirty(void);
/* The last completion list readline wanted displayed ("" if none). */
const char *repl_matches(void);
void repl_clear_matches(void);

#endif
