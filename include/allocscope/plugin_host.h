/*
 * plugin_host.h - load an allocator a student wrote (see plugin.h) and
 * supervise it.
 *
 * plugin_load starts a child process, loads the shared library there and
 * runs its init over a region of shared memory that this process maps at
 * the same address. From then on the plugin is an allocator like the
 * others: plugin_instance gives its as_vtable and as_probe. Every call goes
 * to the child and its answer is checked before it is believed (see
 * plugin.h for the list); a broken promise, a crash or a call that does not
 * return within the time limit becomes a plugin_problem, queued for the
 * caller to take, and the call fails as if the allocator had no memory.
 * After a crash or a timeout the child is restarted and the calls that
 * succeeded are replayed, so the state is the one before the failing call.
 *
 * Cost: each call is a round trip to the child plus a copy of the region
 * (the snapshot that crash recovery and the corruption check compare with)
 * and a comparison of the live blocks' bytes: O(region size) per call.
 *
 * Library code: never prints, never exits. Not thread-safe.
 */
#ifndef ALLOCSCOPE_PLUGIN_HOST_H
#define ALLOCSCOPE_PLUGIN_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocscope/allocator.h"

typedef struct plugin plugin;

/* Why plugin_load failed; the text names the cause. */
#define PLUGIN_STATUSES(X)                                                          \
    X(PLUGIN_OK, "loaded")                                                          \
    X(PLUGIN_ERR_NO_FILE, "no such file")                                           \
    X(PLUGIN_ERR_NOT_LIBRARY, "not a shared library that can be loaded")            \
    X(PLUGIN_ERR_NO_DESCRIPTOR, "the library exports no " "allocscope_plugin descriptor") \
    X(PLUGIN_ERR_VERSION, "the plugin was built for another version of plugin.h")    \
    X(PLUGIN_ERR_INCOMPLETE, "the descriptor lacks a name, init, alloc, resize, remap or free") \
    X(PLUGIN_ERR_INIT, "the plugin's init failed")                                  \
    X(PLUGIN_ERR_CRASHED, "the plugin crashed or hung while loading")               \
    X(PLUGIN_ERR_SIZE, "the region size must be between 1 byte and 64 MiB")          \
    X(PLUGIN_ERR_SYSTEM, "the system refused a process, a socket or shared memory")

typedef enum plugin_status {
#define PLUGIN_X(id, text) id,
    PLUGIN_STATUSES(PLUGIN_X)
#undef PLUGIN_X
} plugin_status;

const char *plugin_status_text(plugin_status st);

/* The calls the supervisor makes into a plugin. */
typedef enum plugin_op {
    PLUGIN_OP_INIT,
    PLUGIN_OP_ALLOC,
    PLUGIN_OP_RESIZE,
    PLUGIN_OP_REMAP,
    PLUGIN_OP_FREE,
    PLUGIN_OP_DESCRIBE,
    PLUGIN_OP_CHECK,
} plugin_op;

const char *plugin_op_name(plugin_op op);

/* A broken promise, by kind; the name is a warning word for the app. */
#define PLUGIN_PROBLEMS(X)                                                                  \
    X(PLUGIN_PB_OUTSIDE, "outside-region", "returned memory outside its region")              \
    X(PLUGIN_PB_MISALIGNED, "misaligned", "returned a block that is not aligned as asked")     \
    X(PLUGIN_PB_OVERLAP, "overlap", "returned bytes that belong to a live block")              \
    X(PLUGIN_PB_IN_METADATA, "in-metadata", "returned bytes inside its own metadata")          \
    X(PLUGIN_PB_CORRUPTED, "corrupted", "changed the bytes of a live block it was not asked about") \
    X(PLUGIN_PB_LOST_CONTENTS, "lost-contents", "did not keep the contents of the block it resized") \
    X(PLUGIN_PB_BAD_DESCRIBE, "bad-describe", "described a span outside its region") /* once */ \
    X(PLUGIN_PB_CRASHED, "crashed", "crashed")                                                 \
    X(PLUGIN_PB_TIMEOUT, "timeout", "did not return in time")                                  \
    X(PLUGIN_PB_EXITED, "exited", "exited instead of returning")                               \
    X(PLUGIN_PB_REPLAY, "not-replayable", "answered differently when its calls were replayed after a crash") \
    X(PLUGIN_PB_DEAD, "dead", "was stopped")

typedef enum plugin_problem_kind {
#define PLUGIN_X(id, name, text) id,
    PLUGIN_PROBLEMS(PLUGIN_X)
#undef PLUGIN_X
} plugin_problem_kind;

const char *plugin_problem_name(plugin_problem_kind kind);

/* One broken promise, with the call that broke it. Offsets are from the
 * region's start; the app adds its own step number to make a warning. */
typedef struct plugin_problem {
    plugin_problem_kind kind;
    plugin_op op;
    uint64_t call;          /* the call's number since load (or reset), from 1 */
    size_t len;             /* the call's arguments: len, alignment, */
    uint8_t align_log2;
    size_t new_len;         /* new_len for resize / remap */
    size_t offset;          /* the block's offset for resize / remap / free */
    bool has_result;
    size_t result_offset;   /* where the returned block starts (may be out of the region) */
    bool has_other;         /* the live block concerned (overlap, corrupted) */
    size_t other_offset, other_len;
    uint64_t other_resized_at; /* that block's last in-place resize (0: none) */
    int signal;             /* for crashed: the signal; for exited: the exit status */
    char text[240];         /* the whole sentence, e.g. "your allocator crashed in
                             * alloc(24, align 8): SIGSEGV (segmentation fault)" */
} plugin_problem;

typedef struct plugin_config {
    const char *path;       /* the shared library */
    size_t size;            /* the region's bytes */
    const char *options;    /* passed to init; NULL means "" */
    unsigned timeout_ms;    /* per call; 0 means PLUGIN_DEFAULT_TIMEOUT_MS */
} plugin_config;

#define PLUGIN_DEFAULT_TIMEOUT_MS 2000u
#define PLUGIN_MAX_SIZE ((size_t)64 << 20) /* a copy of the region is taken per call */
#define PLUGIN_MAX_PROBLEMS 64

/* Loads the plugin. Returns NULL on failure with *status saying why and
 * detail (if not NULL, detail_len bytes) the system's words (dlerror, the
 * version found, the signal); nothing is left behind then. */
plugin *plugin_load(const plugin_config *cfg, plugin_status *status, char *detail, size_t detail_len);
/* Stops the child and frees everything; NULL is fine. */
void plugin_destroy(plugin *p);

as_allocator plugin_allocator(plugin *p);
as_instance plugin_instance(plugin *p);
/* Entries: inspect (the region, live blocks from the supervisor, the
 * plugin's spans if it describes itself, else freed / unknown),
 * check (the plugin's and the supervisor's), judge_free (from the live
 * blocks the supervisor knows), reset (a fresh child and region), offset
 * (if the plugin describes one), locate, destroy. */
extern const as_probe plugin_probe;

const char *plugin_name(const plugin *p);
const unsigned char *plugin_region(const plugin *p);
size_t plugin_size(const plugin *p);
/* True iff the plugin has describe: its map shows metadata and padding,
 * and bytes it never handed out nor described are unused. Without, bytes
 * it was never seen handing out are AS_SPAN_UNKNOWN (free space or its own
 * bookkeeping: allocscope cannot know which). */
bool plugin_describes(const plugin *p);
/* True iff the byte at offset was ever part of a block the plugin handed
 * out (and allocscope accepted). Without describe, the others are what
 * allocscope cannot know: inspect shows them as unknown. */
bool plugin_was_handed_out(const plugin *p, size_t offset);
size_t plugin_live_blocks(const plugin *p);
uint64_t plugin_calls(const plugin *p);
/* How many times the child was restarted after a crash or a timeout. */
unsigned plugin_restarts(const plugin *p);
/* True once the plugin could not be restored: every call fails. */
bool plugin_is_dead(const plugin *p);
/* Changes the time limit per call (0: PLUGIN_DEFAULT_TIMEOUT_MS); loading
 * and restarting keep at least their own minimum. */
void plugin_set_timeout(plugin *p, unsigned timeout_ms);
unsigned plugin_timeout(const plugin *p);

/* Problems not taken yet, oldest first; at most PLUGIN_MAX_PROBLEMS are
 * kept (older ones are dropped and counted). */
size_t plugin_problem_count(const plugin *p);
/* Moves the oldest problem into *out; false if there is none. */
bool plugin_take_problem(plugin *p, plugin_problem *out);
size_t plugin_problems_dropped(const plugin *p);

/* What the plugin printed (stdout and stderr) since the last take, up to
 * len - 1 bytes, NUL-terminated; returns the bytes copied. Output beyond
 * 64 KiB between two calls is lost. */
size_t plugin_take_output(plugin *p, char *buf, size_t len);

#endif
