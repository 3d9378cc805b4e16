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
    uint32_t *block_index;  /* its blocks' indexes in the session, in order */
    size_t block_count, block_cap;
} sess_allocator;

/* One block: 48 bytes; its name and type live in the session's name pool. */
typedef struct sess_block {
    unsigned char *ptr;
    uint32_t size;           /* at most SESSION_MAX_BUFFER */
    uint32_t offset;         /* in its region (saturated past 4 GiB) */
    uint32_t padding;
    uint32_t id;             /* block ids are 1, 2, ...: the block's index + 1 */
    uint32_t label;          /* the name, or "#id" (name pool) */
    uint32_t type;           /* "u32[10]" for typed allocations, 0: none */
    uint32_t alloc_step, free_step;
    uint16_t region;
    uint16_t alloc;          /* index of its allocator */
    uint8_t align_log2;
    bool live;
    bool named;
} sess_block;

#define SESS_BLOCK_CHUNK 4096
#define SESS_NAME_CHUNK 65536

/* Append-only strings; a reference is its position + 1, 0 is none. */
typedef struct sess_names {
    char **chunks;
    size_t count, used;      /* chunks, bytes used in the last one */
} sess_names;

typedef struct sess_warning {
    char kind[24];
    size_t step;
    char *message;
} sess_warning;

struct session {
    sess_allocator *allocs[SESSION_MAX_ALLOCATORS];
    size_t alloc_count, active;
    sess_block **block_chunks;   /* SESS_BLOCK_CHUNK blocks each: they never move */
    size_t block_count, chunk_count;
    uint64_t blocks_epoch;       /* see session_blocks_epoch */
    sess_names names;
    uint32_t *name_slots;        /* name -> the newest block so named (index + 1) */
    size_t name_cap, name_used;
    sess_warning *warnings;
    size_t warning_count, warning_cap;
    types_registry *types;
    size_t step;
    char **history;          /* recorded commands, replayed by undo / rewind */
    size_t history_count, history_cap;
    bool replaying;
    bool sandbox;            /* no file access */
    session_progress_fn progress;  /* see session_set_progress */
    void *progress_user;
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
sess_block *sess_add_block(session *s, size_t alloc, const char *name, const char *type);
static inline sess_block *sess_blk(const session *s, size_t i)
{
    return &s->block_chunks[i / SESS_BLOCK_CHUNK][i % SESS_BLOCK_CHUNK];
}
const char *sess_name(const session *s, uint32_t ref);
/* The block's name, or "#id". */
const char *sess_label(const session *s, const sess_block *b);
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

/* expect.c */
session_status cmd_expect(session *s, const parse_words *w, strbuf *out);

#endif
