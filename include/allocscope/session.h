/*
 * session.h - allocscope's model: the allocators a user created, the named
 * blocks, the warnings and the step history. It parses and executes the
 * command language and knows nothing of curses; every view reads it
 * through the functions below.
 */
#ifndef ALLOCSCOPE_SESSION_H
#define ALLOCSCOPE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocscope/allocator.h"
#include "allocscope/strbuf.h"
#include "allocscope/types.h"

/* Limits: going past one is an error message, never a crash. */
#define SESSION_MAX_BUFFER ((size_t)1 << 30)   /* bytes of one allocator */
#define SESSION_MAX_BLOCKS ((size_t)1 << 20)   /* blocks in one session */
#define SESSION_MAX_ALLOCATORS 32
#define SESSION_MAX_WRITE 4096                 /* bytes of one write / read */
#define SESSION_DEFAULT_KIND "bump"
#define SESSION_DEFAULT_SIZE 4096

typedef struct session session;

typedef enum session_status {
    SESSION_OK,
    SESSION_ERROR,           /* invalid command: the state is unchanged */
    SESSION_EXPECT_FAILED,   /* an expect line did not hold */
    SESSION_QUIT,
} session_status;

typedef struct session_outcome {
    session_status status;
    bool changed;    /* the state changed: views should redraw */
    bool pause;      /* the command was `pause` */
    bool note;       /* the command was `note` */
    bool pending;    /* a multi-line definition is waiting for more lines */
} session_outcome;

session *session_create(void);
void session_destroy(session *s);

/* Executes one line. Its answer (one line, or a listing) is appended to
 * out; an error starts with "error: ". Blank lines and comments do
 * nothing. */
session_outcome session_execute(session *s, const char *line, strbuf *out);
/* Creates the default allocator (a bump over 4096 bytes) if there is none. */
void session_ensure_default(session *s, strbuf *out);
/* A sandboxed session refuses the commands that touch files (source,
 * save, trace): for untrusted input such as a fuzzer's. */
void session_set_sandbox(session *s, bool on);
/* Long commands (trace, source) report how far they are every few
 * thousand operations or lines (total 0: not known in advance); when fn
 * returns false the command stops there. What it did so far stays: each
 * operation is a step of its own that undo can take back. NULL: no
 * reports (batch mode). */
typedef bool (*session_progress_fn)(void *user, const char *what, size_t done, size_t total);
void session_set_progress(session *s, session_progress_fn fn, void *user);
/* Checks the invariants of every allocator of the session: NULL iff they
 * all hold, else which one broke and how. */
const char *session_check(const session *s);
/* Rebuilds the state as it was after `steps` recorded commands. */
bool session_rewind(session *s, size_t steps);

/* ---- what views read ---- */

typedef struct session_block {
    int id;
    const char *name;        /* user's name or "#N" */
    const char *type;        /* "u32[10]" for typed allocations, else "" */
    const void *ptr;
    uint32_t region;
    size_t offset, size, align, padding;
    bool live;
    size_t alloc_step, free_step;
} session_block;

typedef struct session_warning {
    const char *kind;        /* fixed names: "double-free", "leak", ... */
    size_t step;
    const char *message;
} session_warning;

typedef struct session_stats {
    size_t capacity;
    bool has_offset;
    size_t offset;
    size_t live_blocks, live_bytes, padding_bytes, metadata_bytes, freed_bytes, unused_bytes;
    size_t peak_bytes, total_allocated, total_freed;
} session_stats;

size_t session_step(const session *s);
bool session_has_active(const session *s);
const char *session_active_name(const session *s);
const char *session_active_kind(const session *s);
const char *session_active_description(const session *s);
/* The active allocator, for inspection (ctx NULL if there is none). */
as_instance session_active_instance(const session *s);
size_t session_allocator_count(const session *s);
const char *session_allocator_name(const session *s, size_t i);
size_t session_active_index(const session *s);

/* Blocks of the active allocator, in allocation order. */
size_t session_block_count(const session *s);
session_block session_block_at(const session *s, size_t i);
/* Just the pointer of block i of the active allocator (and whether it is
 * live): for views that index many blocks per frame. */
const void *session_block_ptr_at(const session *s, size_t i, bool *live);
/* Changes whenever the active allocator's blocks change other than by new
 * blocks being added or blocks being freed (a block moved, the session was
 * rebuilt by undo or rewind): views that index blocks start over then. */
uint64_t session_blocks_epoch(const session *s);
/* Index of the active allocator's block whose pointer is ptr, or -1. */
long session_block_by_ptr(const session *s, const void *ptr);

size_t session_warning_count(const session *s);
session_warning session_warning_at(const session *s, size_t i);

void session_get_stats(const session *s, session_stats *out);
/* The same, from figures a view already added up from the spans. */
void session_stats_from_usage(const session *s, const as_usage *u, session_stats *out);
const types_registry *session_types(const session *s);
/* Bytes the session holds for tracking blocks (records, indexes, names)
 * and for its step history, allocated capacity included. */
void session_memory(const session *s, size_t *tracking, size_t *history);

/* View settings the language can change: `zoom N|fit`, `show addresses`. */
size_t session_zoom(const session *s);          /* 0: fit */
bool session_show_addresses(const session *s);
const char *session_last_note(const session *s);
/* Names a completer may offer. */
size_t session_block_names(const session *s, const char **out, size_t max);
extern const char *const session_command_names[];
extern const size_t session_command_count;
extern const char *const session_kind_names[];
extern const size_t session_kind_count;

#endif
