/*
 * session.h - allocscope's model: the allocators a user created, the named
 * blocks, the warnings and the recorded steps. It knows no command (the
 * interpreter, interp.h, runs the command language on it) and nothing of
 * curses; every view reads it through the functions below.
 */
#ifndef ALLOCSCOPE_SESSION_H
#define ALLOCSCOPE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocscope/allocator.h"
#include "allocscope/kinds.h"
#include "allocscope/strbuf.h"
#include "allocscope/types.h"

/* Limits: going past one is an error message, never a crash. */
#define SESSION_MAX_BUFFER KIND_MAX_BUFFER      /* bytes of one allocator */
#define SESSION_MAX_BLOCKS ((size_t)1 << 20)   /* blocks live at once in one session */
#define SESSION_MAX_RECORDS ((size_t)1 << 25)  /* blocks ever made in one session (about 60 bytes each) */
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

session *session_create(void);
void session_destroy(session *s);
/* Checks the invariants of every allocator of the session: NULL iff they
 * all hold, else which one broke and how. */
const char *session_check(const session *s);

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
    const char *kind;        /* its name in the table of warning kinds (warning.h) */
    size_t step;
    const char *message;
    size_t allocator;        /* the allocator active when it was raised (SIZE_MAX: none) */
} session_warning;

typedef struct session_stats {
    size_t capacity;
    bool has_offset;
    bool freed_reusable;      /* freed bytes go back to a free structure (a free list, buddy, pool) and
                               * are free space; else (bump, stack) only a reset or rewind reclaims them */
    size_t offset;
    size_t live_blocks, live_bytes, padding_bytes, metadata_bytes, freed_bytes, unused_bytes;
    size_t slack_bytes, damaged_bytes; /* handed out beyond block sizes; guard / poison overwritten */
    size_t unknown_bytes;     /* not described by the allocator (a plugin without describe) and never
                               * handed out: neither free nor in use as far as allocscope knows */
    size_t peak_bytes, total_allocated, total_freed;
    bool peak_is_offset;      /* peak_bytes is the allocator's own "peak usage", its highest offset
                               * (the tutorial's DebugBumpAllocator), not the most live bytes */
} session_stats;

size_t session_step(const session *s);
/* The text of the last `note` (a caption), "" before any. */
const char *session_caption(const session *s);
bool session_has_active(const session *s);
const char *session_active_name(const session *s);
const char *session_active_kind(const session *s);
const char *session_active_description(const session *s);
/* The active allocator, for inspection (ctx NULL if there is none). */
as_instance session_active_instance(const session *s);
/* The allocator of the active one that holds the free structures: the
 * wrapped one for a wrapper (counting over freelist: the freelist). */
as_instance session_active_structural(const session *s);
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
/* The comparison group (`compare`): how many members (0: none, else 2 to
 * 4) and the allocator index of member i (for session_allocator_name and
 * session_view_of). */
size_t session_group_count(const session *s);
size_t session_group_member(const session *s, size_t i);
/* What member i did since the group was made: its failures (warnings, a
 * free it ignores by design left out), the commands run on the group, the
 * time spent in its commands; and since it was created, its high-water mark
 * (the furthest end of a block in its first region; regions: it also placed
 * blocks in other regions, so its capacity is the mark). */
typedef struct session_member_figures {
    size_t failures, commands;
    uint64_t ns;
    size_t high_water;
    bool regions;
} session_member_figures;
void session_group_figures(const session *s, size_t i, session_member_figures *out);
/* Bytes of slack (AS_SPAN_SLACK) in the active allocator: blocks' sizes rounded up
 * (buddy orders, pool slots, free-list minimums). Walks its spans. */
size_t session_slack(const session *s);
/* A lens on one allocator: session_view_of makes view read as s does, but
 * with allocator `alloc` active, so that a view drawing several members
 * uses the accessors above for each. The view shares s's storage: it is
 * valid until s next changes, is only read, and is refreshed by calling
 * session_view_of again (keep one per member across frames, so that
 * indexes kept per session stay valid). */
session *session_view_new(void);
void session_view_of(session *view, const session *s, size_t alloc);
void session_view_free(session *view);
/* The named blocks' names, the most recent first (for suggestions). */
size_t session_block_names(const session *s, const char **out, size_t max);

/* ---- checkpoints (checkpoint.h keeps them) ----
 * session_save describes the whole model (its tables, then every
 * allocator's own save, allocator.h) as byte ranges; false if an allocator
 * has no checkpoints or the saver ran out of memory. session_restore puts
 * a saved state back into the SAME session later: the allocators it had
 * then must still be there (those made since are destroyed). NOT_ITS: the
 * save is of another session, or of allocators replaced since (a `new`
 * over a name, an undo that rebuilt everything): nothing changed. BROKE:
 * an allocator refused its state half way: discard the session. */
typedef enum session_restore_result {
    SESSION_RESTORED,
    SESSION_RESTORE_NOT_ITS,
    SESSION_RESTORE_BROKE,
} session_restore_result;
bool session_save(const session *s, const as_saver *w);
session_restore_result session_restore(session *s, const as_loader *r);

#endif
