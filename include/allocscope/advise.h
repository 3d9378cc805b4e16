/*
 * advise.h - "which allocator fits my program?": the tutorial's closing
 * advice (profile, identify the pattern, pick the matching allocator) done
 * on a malloc-lab trace, a recording or a session's history.
 *
 * Three parts, each built on the one before:
 *   the pattern     measured from the allocation events: sizes and
 *                   alignments, lifetimes (in events, and in time when the
 *                   input has times), the share of LIFO frees, phases
 *                   where the live blocks die together (arena resets),
 *                   hot same-size churn (pool slots), peak live bytes and
 *                   blocks, the padding the program's own alignments cost;
 *   the experiment  the events replayed on every allocator kind that can
 *                   take them, each sized from the pattern, and on glibc's
 *                   malloc, through the as_allocator vtable (no session,
 *                   no drawing): peak memory, overhead, padding, slack,
 *                   metadata, failures, fragmentation and ns per operation;
 *   the advice      the decision table's row that fits, with the figures
 *                   that back it and the command line to try next.
 *
 * The events come from the session language (alloc / realloc / free of
 * named blocks), which is what trace_to_script makes of any trace the
 * program reads, so every trace dialect trace.c learns is advised too.
 * Nothing here prints or touches curses; output goes to strbufs.
 */
#ifndef ALLOCSCOPE_ADVISE_H
#define ALLOCSCOPE_ADVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocscope/parse.h"
#include "allocscope/session.h"
#include "allocscope/strbuf.h"

/* The decision table's rows (the tutorial's "Choosing the right allocator"). */
#define ADVISE_CHOICES(X)                                                                         \
    X(ADVISE_GENERAL, "general", "a general-purpose allocator (GeneralPurposeAllocator; here the " \
                                 "free list, or glibc's malloc)")                                  \
    X(ADVISE_ARENA, "arena", "an arena (ArenaAllocator), reset where each phase ends")             \
    X(ADVISE_FIXED, "fixed", "a fixed buffer (FixedBufferAllocator) of the peak size")             \
    X(ADVISE_POOL, "pool", "a pool (MemoryPool) of slots of the hot size")                         \
    X(ADVISE_STACK, "stack", "a stack allocator (frees in LIFO order)")

typedef enum advise_choice {
#define ADVISE_X(id, name, what) id,
    ADVISE_CHOICES(ADVISE_X)
#undef ADVISE_X
        ADVISE_CHOICE_COUNT
} advise_choice;

const char *advise_choice_name(advise_choice c);

#define ADVISE_MAX_HOT 4      /* pool size classes at most */
#define ADVISE_MAX_TOP 8      /* sizes listed in the histogram's head */
#define ADVISE_MAX_PHASES 16  /* reset points listed (all are counted) */
#define ADVISE_MAX_ROWS 12

typedef struct advise_size_count {
    size_t size, count;
} advise_size_count;

/* A hot size class: many blocks of one size, freed and allocated again. */
typedef struct advise_hot {
    size_t size, align;      /* bytes and the largest alignment asked for it */
    size_t allocs, frees;
    size_t reused;           /* allocations a freed slot of that size could serve */
    size_t peak_live;        /* blocks of that size live at once, at most */
} advise_hot;

/* Figures of a distribution of lifetimes (of the blocks that were freed). */
typedef struct advise_spread {
    uint64_t median, p90, max;
} advise_spread;

/* The pattern, measured. */
typedef struct advise_pattern {
    size_t events, allocs, reallocs, frees;
    size_t bytes_allocated;                 /* every allocation and realloc's new size */
    size_t peak_live_bytes, peak_live_blocks;
    size_t peak_event;                      /* index of the event where live bytes peak */
    size_t distinct_sizes;
    advise_size_count top[ADVISE_MAX_TOP];  /* the commonest sizes, most blocks first */
    size_t top_count;
    size_t pow2[32];                        /* blocks of sizes in (2^(i-1), 2^i] */
    size_t align[13];                       /* blocks by log2 of their alignment */
    advise_spread life_events;              /* events from allocation to free */
    bool has_time;
    advise_spread life_ns;                  /* nanoseconds, when the input has times */
    uint64_t duration_ns;
    size_t never_freed;                     /* blocks still live at the end */
    size_t lifo_frees;                      /* frees of the most recent live block */
    size_t phases;                          /* phase ends: all blocks died together */
    size_t phase_at[ADVISE_MAX_PHASES];     /* event index of the first ones */
    size_t phase_frees;                     /* frees in the bursts that end phases */
    size_t largest_phase_bytes;             /* bytes allocated in one phase, at most */
    size_t bursts;                          /* runs of 8 frees or more that free half the live
                                             * blocks or more (long-lived ones may stay) */
    size_t burst_at[ADVISE_MAX_PHASES];     /* event index of the first ones' last free */
    size_t burst_frees;                     /* frees in those runs */
    advise_hot hot[ADVISE_MAX_HOT];
    size_t hot_count;
    size_t hot_allocs;                      /* allocations of the hot sizes */
    size_t align_padding;                   /* padding when laid end to end in order */
    size_t bump_need;                       /* bytes a bump needs for every allocation */
    size_t stack_need;                      /* bytes a stack needs (8-byte headers) */
    size_t buddy_peak;                      /* live bytes rounded to powers of two, at most */
} advise_pattern;

/* One row of the experiment: one allocator, sized from the pattern. */
typedef struct advise_row {
    char kind[16];          /* the kind's name ("pool", "glibc") */
    char desc[96];          /* how it was sized ("pool 48 x 3 + freelist 64K") */
    char command[96];       /* the `new` line that builds it at the prompt ("" if none) */
    bool ran;
    char why_not[96];       /* when !ran: why it could not take the trace */
    size_t peak_memory, padding, slack, metadata;
    size_t failures;        /* allocations that failed and frees refused */
    double overhead;        /* peak_memory / peak live bytes - 1 */
    double fragmentation;   /* at peak: 1 - largest free / free (-1: not known) */
    double ns_per_op;
} advise_row;

typedef struct advise_report advise_report;

/* Measures, replays and advises the events of a script in the session
 * language (alloc SIZE [align A] [as NAME], realloc NAME SIZE, free
 * [NAME]; other lines are passed over). times: nanoseconds of each line
 * since the previous one, times_count of them (NULL: no times). NULL with
 * the reason in err when there are no allocations or no memory. */
advise_report *advise_script(const char *script, const uint64_t *times, size_t times_count, strbuf *err);
/* The same for the text of a trace file (any dialect trace.c reads; the
 * times of a recording are taken from its lines). */
advise_report *advise_trace_text(const char *text, strbuf *err);
/* The same for a session's recorded history (its allocation commands). */
advise_report *advise_session(const session *s, strbuf *err);
void advise_destroy(advise_report *r);

const advise_pattern *advise_pattern_of(const advise_report *r);
size_t advise_row_count(const advise_report *r);
const advise_row *advise_row_at(const advise_report *r, size_t i);
/* The row of the table the advice picks, and its row in the experiment. */
advise_choice advise_pick(const advise_report *r);
/* For a damaged recording, where and what (the advice covers the
 * operations before the damage); "" otherwise. */
const char *advise_damage(const advise_report *r);
size_t advise_pick_row(const advise_report *r);

/* The report as text (the pattern, the table, the advice) or as one JSON
 * object; name says what was advised (a file name). */
void advise_text(const advise_report *r, const char *name, strbuf *out);
void advise_json(const advise_report *r, const char *name, strbuf *out);

/* `allocscope advise FILE [--json]`: argv[0] is "advise". 0 on success,
 * 1 for a file that cannot be read or advised, 2 for a usage error. */
int advise_main(int argc, char **argv);
/* `advise [json|compare]` at the prompt: the active session's history;
 * with compare, then the `compare` line of the advice, run as a command
 * of its own (the group opens on the recommended allocators). */
session_status advise_command(session *s, const parse_words *w, strbuf *out);

#endif
