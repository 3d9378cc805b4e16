/*
 * session_internal.h - the model's private state: what session.c stores
 * (allocators, blocks, names, warnings, recorded steps) and the helpers
 * that the command handlers (handlers.h) and the interpreter (interp.c)
 * use to read and change it. The model itself knows no command. Nothing
 * outside src/app's model, handlers and interpreter includes it.
 */
#ifndef ALLOCSCOPE_SESSION_INTERNAL_H
#define ALLOCSCOPE_SESSION_INTERNAL_H

#include "allocscope/kinds.h"
#include "allocscope/parse.h"
#include "allocscope/session.h"
#include "allocscope/warning.h"

typedef struct sess_allocator {
    char name[PARSE_MAX_NAME + 1];
    const kind_row *kind;
    kind_built built;       /* its top, the parts it owns, its description */
    size_t live_bytes, peak_bytes, total_allocated, total_freed;
    size_t high_water;      /* the furthest end of a block in region 0 (sess_locate_block) */
    bool regions;           /* a block was ever placed past region 0 */
    uint32_t *block_index;  /* its blocks' indexes in the session, in order */
    size_t block_count, block_cap;
    size_t live_bound;      /* none of its blocks from this position on is live (a freed block stays freed) */
    size_t oom_count;       /* out-of-memory failures so far (commands.c: the first are detailed) */
    bool is_default;        /* made by interp_ensure_default, not asked for */
    uint64_t serial;        /* unique in the process: what a checkpoint knows it by */
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
    bool failed_since;       /* freed, and the latest allocation under its name failed since */
} sess_block;

#define SESS_BLOCK_CHUNK 4096
#define SESS_HISTORY_SEGMENT 65536
#define SESS_NAME_CHUNK 65536

/* Append-only strings (block names, types, warning messages, the step
 * history); a reference is its position + 1, 0 is none. Chunks past
 * `count` are spares (a checkpoint put the pool back): reused, not freed.
 * A chunk's version changes whenever its bytes do (checkpoints skip
 * chunks whose version they saved). */
typedef struct sess_names {
    char **chunks;
    uint64_t *versions;
    size_t count, used;      /* chunks in use, bytes used in the last one */
    size_t allocated;        /* chunks allocated: in use, then spares */
} sess_names;

typedef struct sess_warning {
    warn_kind kind;
    size_t step;
    uint32_t message;        /* in the name pool */
    int16_t member;          /* the comparison member it came from (index in the group), -1: none */
    size_t allocator;        /* the active allocator's index then, SIZE_MAX for none */
} sess_warning;

/* A comparison group (`compare`): the allocators every allocation command
 * runs on, in order. */
#define SESS_GROUP_MAX 4
typedef struct sess_group {
    size_t count;                    /* 0: no group */
    size_t member[SESS_GROUP_MAX];   /* allocator indexes */
    int running;                     /* the member a fanned-out command is running on, -1: none */
    uint64_t ns[SESS_GROUP_MAX];     /* time spent in each member's commands */
    size_t refused[SESS_GROUP_MAX];  /* commands a member could not do */
    size_t failures[SESS_GROUP_MAX]; /* its warnings, frees it ignores by design left out */
    size_t commands;                 /* commands run on the group */
} sess_group;

struct session {
    sess_allocator *allocs[SESSION_MAX_ALLOCATORS];
    size_t alloc_count, active;
    sess_block **block_chunks;   /* SESS_BLOCK_CHUNK blocks each: they never move */
    uint64_t *block_versions;    /* a chunk's version changes whenever one of its blocks may
                                  * (sess_blk_w); checkpoints skip chunks whose version they saved */
    size_t block_count, chunk_count;
    size_t live_blocks;          /* of every allocator: what SESSION_MAX_BLOCKS limits */
    uint64_t blocks_epoch;       /* see session_blocks_epoch */
    sess_names names;
    uint32_t *name_slots;        /* name -> the newest block so named (index + 1) */
    size_t name_cap, name_used;
    sess_warning *warnings;
    size_t warning_count, warning_cap;
    /* names that hold NULL: an allocation so named failed before any block
     * had the name (sess_null_*), per allocator; every name that ever did,
     * with whether it holds NULL now, and an index of them by hash */
    struct sess_null_name {
        uint32_t name;       /* in the name pool */
        uint32_t alloc;
        bool held;           /* it holds NULL now (a block made under it since clears it) */
    } *null_names;
    size_t null_count, null_cap;
    uint32_t *null_slots;    /* (alloc, name) -> entry + 1, open addressing */
    size_t null_slot_cap;
    types_registry *types;
    size_t step;
    uint32_t *history;       /* recorded commands (in the name pool), replayed by undo / rewind */
    size_t history_count, history_cap;
    uint64_t *history_versions; /* one per SESS_HISTORY_SEGMENT entries, as block_versions */
    bool changed;
    sess_group group;
    size_t zoom;
    bool show_addresses;
    /* the interpreter's state (interp.c): the model only stores it */
    bool replaying;
    bool sandbox;            /* no file access */
    bool keeps_default;      /* the live view's default bump: made at the start and by every rewind, no step */
    bool (*progress)(void *user, const char *what, size_t done, size_t total); /* interp_set_progress */
    void *progress_user;
    bool (*play)(void *user, const char *path, strbuf *out); /* interp_set_player */
    void *play_user;
    strbuf pending;          /* a struct definition spanning lines */
    strbuf caption;          /* the text of the last note (session_caption) */
    int source_depth;
    bool trace_incomplete;   /* the last trace command did not replay every operation */
    uint64_t generation;     /* changes when the tables are rebuilt (sess_clear): checkpoints of
                              * an older generation no longer fit the append-only tables */
    as_span *spans;          /* scratch for inspections */
    size_t span_count, span_cap;
};

/* session.c: the model's helpers */
session_status sess_fail(strbuf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sess_warn(session *s, warn_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
sess_allocator *sess_active(const session *s);
sess_block *sess_find_block(const session *s, const char *name);
sess_block *sess_last_live(const session *s);
sess_block *sess_block_by_ptr(const session *s, size_t alloc, const void *ptr);
sess_block *sess_add_block(session *s, size_t alloc, const char *name, const char *type);
/* NULL if one more live block fits in the session, else why not. */
const char *sess_block_limit(const session *s);

/* A new version for a chunk of a table (it changed): never one given before. */
uint64_t sess_new_version(void);

/* Block i, to read. */
static inline const sess_block *sess_blk(const session *s, size_t i)
{
    return &s->block_chunks[i / SESS_BLOCK_CHUNK][i % SESS_BLOCK_CHUNK];
}
/* Block i, to change: its chunk gets a new version (checkpoints copy it
 * again). Every pointer a block may be changed through comes from here,
 * and none is kept from one command to the next. */
static inline sess_block *sess_blk_w(const session *s, size_t i)
{
    s->block_versions[i / SESS_BLOCK_CHUNK] = sess_new_version();
    return &s->block_chunks[i / SESS_BLOCK_CHUNK][i % SESS_BLOCK_CHUNK];
}
/* A block becomes live or stops being live: what the limit counts. */
static inline void sess_set_live(session *s, sess_block *b, bool live)
{
    if (b->live != live)
        s->live_blocks += live ? 1 : (size_t)-1;
    b->live = live;
}
const char *sess_name(const session *s, uint32_t ref);
/* Recorded command i. */
const char *sess_history_line(const session *s, size_t i);
/* Makes chunk i of the name pool exist: a spare, or a new one (version 0). */
bool sess_pool_chunk(sess_names *p, size_t i);
/* The block's name, or "#id". */
const char *sess_label(const session *s, const sess_block *b);
void sess_locate_block(session *s, sess_block *b);
bool sess_region_holds(session *s, size_t alloc, const void *ptr, size_t len);
void sess_collect_spans(session *s, size_t alloc);
/* Adds a built allocator (the session owns it from then on) and makes it
 * active; NULL (and b destroyed) when the session is full. */
sess_allocator *sess_add_allocator(session *s, const kind_row *kind, kind_built *b, const char *name,
                                   strbuf *out);
size_t sess_find_allocator(const session *s, const char *name);
/* Appends a command to the recorded steps. */
bool sess_record(session *s, const char *line);
/* The names that hold NULL on allocator `alloc`: its allocation so named
 * failed while no block had the name (freeing it then does nothing, as
 * free(NULL)). A block made under the name takes it back. */
bool sess_null_add(session *s, size_t alloc, const char *name);
void sess_null_drop(session *s, size_t alloc, const char *name);
bool sess_null_has(const session *s, size_t alloc, const char *name);
/* Rebuilds the index of the null names (after a checkpoint put them back). */
bool sess_null_reindex(session *s);
/* Forgets the recorded commands from index `keep` on. */
void sess_unrecord(session *s, size_t keep);
/* Frees everything a replay rebuilds; keeps the recorded steps. */
void sess_clear(session *s);
/* Destroys the allocators from index `keep` on (they must have no blocks:
 * a compare that could not create all its members takes back those it
 * made); the active one becomes `active`. */
void sess_drop_allocators(session *s, size_t keep, size_t active);
/* The group member that allocator index a is, or -1. */
int sess_group_index(const session *s, size_t a);

#endif
