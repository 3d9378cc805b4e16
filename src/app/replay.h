/*
 * replay.h - the trace replay engine behind `trace FILE` (interp.c): it
 * runs a trace's operations straight on the active allocator, without
 * turning them into command lines, so the cost is the allocator's work
 * plus reading a line (no parsing of commands, no block record and no
 * recorded step per operation).
 *
 * The trace's blocks live in a namespace of their own: an array indexed
 * by trace id, never the session's names, so a trace cannot touch the
 * user's blocks. The blocks still live when the trace ends become session
 * blocks named t:ID (a name `alloc ... as` cannot give). Failures are
 * counted by kind; the first few of each kind are warnings.
 */
#ifndef ALLOCSCOPE_REPLAY_H
#define ALLOCSCOPE_REPLAY_H

#include "allocscope/trace.h"
#include "session_internal.h"

typedef enum replay_failure {
    REPLAY_OUT_OF_MEMORY,   /* an alloc or realloc the allocator refused */
    REPLAY_DEAD_ID,         /* r or f on an id whose a failed */
    REPLAY_DOUBLE_FREE,     /* a lenient trace freed an id twice */
    REPLAY_NOT_FREED,       /* the allocator refused a free (stack order, not its block) */
    REPLAY_BLOCK_LIMIT,     /* a live block past the session's block limit at the end: not tracked */
    REPLAY_FAILURE_KINDS
} replay_failure;

/* The name of a failure kind, as the report says it. */
const char *replay_failure_name(replay_failure k);

/* Warnings given for each kind of failure; the rest are only counted. */
#define REPLAY_WARNINGS_PER_KIND 20

typedef struct replay_result {
    size_t ops;                 /* operations replayed */
    size_t failed[REPLAY_FAILURE_KINDS];
    size_t failures;            /* operations that failed, all kinds */
    size_t peak_live;           /* the most payload bytes live at once (that succeeded) */
    size_t high_water;          /* the furthest end of a block in region 0 */
    bool multi_region;
    bool stopped;               /* the progress callback stopped it */
} replay_result;

/* Replays at most max_ops operations of ts on the active allocator (there
 * must be one), reporting progress every 4096 operations when a callback
 * is set and the session is not replaying. False with "LINE: message" in
 * err for a malformed line: the operations before it stay done. */
bool replay_trace(session *s, trace_stream *ts, size_t max_ops, replay_result *r, strbuf *err);

#endif
