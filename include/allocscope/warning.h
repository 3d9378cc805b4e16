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
    X(WARN_OUT_OF_MEMORY, "out-of-memory", "the allocator had no room")                    \
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

#endif
