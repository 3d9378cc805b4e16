/*
 * session_internal.h - the session's private state, shared by session.c
 * (the model and the dispatcher) and the command handlers in commands.c,
 * allocators.c and expect.c. Nothing outside the session includes it.
 */
#ifndef ALLOCSCOPE_SESSION_INTERNAL_H
#define ALLOCSCOPE_SESSION_INTERNAL_H

#include "allocscope/debug.h"
#include "allocscope/parse.h"
#include "allocscope/session.h"

typedef struct sess_allocator {
    char name[PARSE_MAX_NAME + 1];
    char kind[16];
    char desc[160];
    as_instance top;
    as_instance owned[2];   /* wrapped / backing parts, destroyed after top */
    size_t owned_count;
    debug_alloc *debug;     /* top, when it is a debug allocator */
    size_t live_bytes, peak_bytes, total_allocated, total_freed;
    size_t *block_index;    /* its blocks' indexes in session.blocks, in order */
    size_t block_count, block_cap;
} sess_allocator;

typedef struct sess_block {
    int id;
    char name[PARSE_MAX_NAME + 1];   /* "" when unnamed */
    char label[PARSE_MAX_NAME + 1];  /* the name, or "#id" */
    char type[PARSE_MAX_NAME + 8];
    size_t alloc;            /* index of its allocator */
    unsigned char *ptr;
    size_t size;
    uint8_t align_log2;
    uint32_t region;
    size_t offset, padding;
    bool live;
    size_t alloc_step, free_step;
} sess_block;

typedef struct sess_warning {
    char kind[24];
    size_t step;
    char *message;
} sess_warning;

struct session {
    sess_allocator *allocs[SESSION_MAX_ALLOCATORS];
    size_t alloc_count, active;
    sess_block *blocks;
    size_t block_count, block_cap;
    sess_warning *warnings;
    size_t warning_count, warning_cap;
    types_registry *types;
    size_t step;
    int next_id;
    char **history;          /* recorded commands, replayed by undo / rewind */
    size_t history_count, history_cap;
    bool replaying;
    bool sandbox;            /* no file access */
    bool changed;
    size_t zoom;
    bool show_addresses;
    char *last_note;
    strbuf pending;          /* a struct definition spanning lines */
    int source_depth;
    as_span *spans;          /* scratch for inspections */
    size_t span_count, span_cap;
};

/* A command handler: reads the words after the command name. */
typedef session_status (*sess_handler)(session *s, const parse_words *w, strbuf *out);

/* session.c */
session_status sess_fail(strbuf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sess_warn(session *s, const char *kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
sess_allocator *sess_active(const session *s);
sess_block *sess_find_block(const session *s, const char *name);
sess_block *sess_last_live(const session *s);
sess_block *sess_block_by_ptr(const session *s, size_t alloc, const void *ptr);
sess_block *sess_add_block(session *s, size_t alloc);
void sess_block_label(const sess_block *b, char *buf, size_t cap);
void sess_locate_block(session *s, sess_block *b);
bool sess_region_holds(session *s, size_t alloc, const void *ptr, size_t len);
void sess_collect_spans(session *s, size_t alloc);
void sess_describe_size(size_t bytes, char *buf, size_t cap);
session_status sess_run_line(session *s, const char *line, strbuf *out, session_outcome *oc);

/* allocators.c */
session_status cmd_new(session *s, const parse_words *w, strbuf *out);
session_status cmd_switch(session *s, const parse_words *w, strbuf *out);
sess_allocator *sess_create_default(session *s, strbuf *out);
void sess_allocator_destroy(sess_allocator *a);
size_t sess_find_allocator(const session *s, const char *name);

/* commands.c */
session_status cmd_alloc(session *s, const parse_words *w, strbuf *out);
session_status cmd_free(session *s, const parse_words *w, strbuf *out);
session_status cmd_resize(session *s, const parse_words *w, strbuf *out);
session_status cmd_realloc(session *s, const parse_words *w, strbuf *out);
session_status cmd_reset(session *s, const parse_words *w, strbuf *out);
session_status cmd_write(session *s, const parse_words *w, strbuf *out);
session_status cmd_read(session *s, const parse_words *w, strbuf *out);
session_status cmd_try(session *s, const parse_words *w, strbuf *out);

/* reports.c */
session_status cmd_bins(session *s, const parse_words *w, strbuf *out);
session_status cmd_blocks(session *s, const parse_words *w, strbuf *out);
session_status cmd_stats(session *s, const parse_words *w, strbuf *out);
session_status cmd_leaks(session *s, const parse_words *w, strbuf *out);
session_status cmd_check(session *s, const parse_words *w, strbuf *out);
session_status cmd_show(session *s, const parse_words *w, strbuf *out);
session_status cmd_types(session *s, const parse_words *w, strbuf *out);
session_status cmd_layout(session *s, const parse_words *w, strbuf *out);

/* replay.c */
session_status cmd_trace(session *s, const parse_words *w, strbuf *out);
/* The whole file, NUL-terminated, or NULL with a message in err. */
char *sess_read_file(const char *path, size_t max, strbuf *err);

/* expect.c */
session_status cmd_expect(session *s, const parse_words *w, strbuf *out);

#endif
