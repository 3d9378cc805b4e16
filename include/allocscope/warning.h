/*
 * warning.h - the one table of warning kinds: the problems a session
 * reports (id, the name scripts and JSON use, what it means), and which
 * library event (AS_EV_*) each event maps to.
 *
 * To add a warning kind: one WARN_KINDS row; then sess_warn(s, WARN_X, ...).
 */
#ifndef ALLOCSCOPE_WARNING_H
#define ALLOCSCOPE_WARNING_H

#include <stdbool.h>
#include <stddef.h>

#include "allocscope/allocator.h"
#include "allocscope/plugin_host.h"

#define WARN_KINDS(X)                                                                      \
    X(WARN_DOUBLE_FREE, "double-free", "a block was freed a second time")                  \
    X(WARN_INVALID_FREE, "invalid-free", "a free of a pointer, size or owner that is wrong") \
    X(WARN_OUT_OF_ORDER_FREE, "out-of-order-free", "a stack was asked to free below its top") \
    X(WARN_NOOP_FREE, "noop-free", "a free that reclaims nothing by the allocator's design") \
    X(WARN_RESIZE_FAILED, "resize-failed", "a block could not be resized in place")        \
    X(WARN_LEAK, "leak", "a block was never freed")                                        \
    X(WARN_USE_AFTER_FREE, "use-after-free", "a freed block was written")                  \
    X(WARN_OVERFLOW, "overflow", "a write ran past the end of a block")                    \
    X(WARN_MEMORY_LIMIT, "memory-limit", "an allocation would pass the debug memory limit") \
    X(WARN_OUT_OF_MEMORY, "out-of-memory", "the allocator had no room")                      \
    /* a plugin (an allocator you wrote, plugin.h) broke a promise */                        \
    X(WARN_PLUGIN_OUTSIDE, "outside-region", "your allocator returned memory outside its region") \
    X(WARN_PLUGIN_MISALIGNED, "misaligned", "your allocator returned a block not aligned as asked") \
    X(WARN_PLUGIN_OVERLAP, "overlap", "your allocator returned bytes of a live block")        \
    X(WARN_PLUGIN_IN_METADATA, "in-metadata", "your allocator returned bytes of its own metadata") \
    X(WARN_PLUGIN_CORRUPTED, "corrupted", "your allocator changed a live block it was not asked about") \
    X(WARN_PLUGIN_LOST_CONTENTS, "lost-contents", "your allocator did not keep a resized block's contents") \
    X(WARN_PLUGIN_BAD_DESCRIBE, "bad-describe", "your allocator described a span outside its region") \
    X(WARN_PLUGIN_CRASHED, "crashed", "your allocator crashed (the step was taken back)")     \
    X(WARN_PLUGIN_TIMEOUT, "timeout", "your allocator did not return in time (the step was taken back)") \
    X(WARN_PLUGIN_EXITED, "exited", "your allocator exited instead of returning")             \
    X(WARN_PLUGIN_REPLAY, "not-replayable", "your allocator answered differently when replayed") \
    X(WARN_PLUGIN_DEAD, "dead", "your allocator was stopped: every call fails") \
    X(WARN_MEMBER_REFUSED, "member-refused", "a member of a comparison could not do a command")

typedef enum warn_kind {
#define WARN_X(id, name, what) id,
    WARN_KINDS(WARN_X)
#undef WARN_X
        WARN_KIND_COUNT
} warn_kind;

extern const char *const warn_names[WARN_KIND_COUNT];

const char *warn_name(warn_kind k);
const char *warn_description(warn_kind k);
/* The kind with that name (case-insensitive); false if there is none. */
bool warn_lookup(const char *name, warn_kind *out);
/* The warning kind a library event is reported as. */
warn_kind warn_from_event(as_event_kind ev);
/* The warning kind a plugin's broken promise is reported as. */
warn_kind warn_from_plugin(plugin_problem_kind pb);

#endif
