/*
 * handlers.h - the command handlers: each reads the words of one command
 * (word 0 is the command's name) and works on the model through
 * session_internal.h; the interpreter (interp.c) reaches them through its
 * command table, and nothing below the interpreter includes this file.
 *   allocators.c  new, switch
 *   commands.c    alloc, free, resize, realloc, reset, write, read
 *   reports.c     bins, blocks, stats, leaks, check, show, types, layout,
 *                 dump, zoom, note, pause
 *   expect.c      expect
 * The commands that run other lines (undo, source, save, try, trace, help)
 * live in interp.c.
 */
#ifndef ALLOCSCOPE_HANDLERS_H
#define ALLOCSCOPE_HANDLERS_H

#include "session_internal.h"

typedef session_status (*cmd_handler)(session *s, const parse_words *w, strbuf *out);

/* allocators.c */
session_status cmd_new(session *s, const parse_words *w, strbuf *out);
session_status cmd_switch(session *s, const parse_words *w, strbuf *out);
/* Creates the default allocator (SESSION_DEFAULT_KIND, SESSION_DEFAULT_SIZE). */
sess_allocator *cmd_default_allocator(session *s, strbuf *out);

/* commands.c */
session_status cmd_alloc(session *s, const parse_words *w, strbuf *out);
session_status cmd_free(session *s, const parse_words *w, strbuf *out);
session_status cmd_resize(session *s, const parse_words *w, strbuf *out);
session_status cmd_realloc(session *s, const parse_words *w, strbuf *out);
session_status cmd_reset(session *s, const parse_words *w, strbuf *out);
session_status cmd_write(session *s, const parse_words *w, strbuf *out);
session_status cmd_read(session *s, const parse_words *w, strbuf *out);
/* `try free NAME`: what the free would do, without doing it. */
session_status cmd_try_free(session *s, const parse_words *w, strbuf *out);

/* reports.c */
session_status cmd_bins(session *s, const parse_words *w, strbuf *out);
session_status cmd_blocks(session *s, const parse_words *w, strbuf *out);
session_status cmd_stats(session *s, const parse_words *w, strbuf *out);
session_status cmd_leaks(session *s, const parse_words *w, strbuf *out);
session_status cmd_check(session *s, const parse_words *w, strbuf *out);
session_status cmd_show(session *s, const parse_words *w, strbuf *out);
session_status cmd_types(session *s, const parse_words *w, strbuf *out);
session_status cmd_layout(session *s, const parse_words *w, strbuf *out);
session_status cmd_dump(session *s, const parse_words *w, strbuf *out);
session_status cmd_zoom(session *s, const parse_words *w, strbuf *out);
session_status cmd_note(session *s, const parse_words *w, strbuf *out);
session_status cmd_pause(session *s, const parse_words *w, strbuf *out);

/* expect.c */
session_status cmd_expect(session *s, const parse_words *w, strbuf *out);

#endif
