/*
 * debug.h - the tracking debug allocator of the tutorial, grown up.
 *
 * Wraps any allocator and records every allocation in a hash table keyed by
 * address (O(1) look-ups): size, alignment, the stamp (step) that made it
 * and the one that freed it. It reports to an event sink: double free (with
 * where the block was made and first freed), free of an unknown pointer,
 * free with the wrong size or alignment, leaks, and a memory limit. Each
 * block is followed by a guard zone, and freed blocks are poisoned and held
 * in a quarantine before they go back to the wrapped allocator, so a check
 * finds writes past the end and writes after free.
 *
 * Damaged guard and poison bytes are evidence: they stay damaged until the
 * block is freed (a live block's guard), leaves the quarantine (a freed
 * block's poison), is resized (its guard moves) or the allocator is reset.
 * Each damage is reported once when first found (and again if it grows) by
 * debug_scan, a free, the leak report or the quarantine's release; while it
 * is there debug_each_damage lists it range by range.
 *
 * debug_create_tutorial makes the tutorial's DebugBumpAllocator as it is
 * written: no guard, no poison, no quarantine (a freed block goes back at
 * once and its record remembers it was freed, for double frees); over a
 * bump its blocks sit where the bare bump puts them, and its "Peak usage"
 * is debug_stats.peak_offset, the highest offset.
 */
#ifndef ALLOCSCOPE_DEBUG_H
#define ALLOCSCOPE_DEBUG_H

#include "allocscope/allocator.h"

#define DEBUG_GUARD_SIZE 16
#define DEBUG_GUARD_BYTE 0xFD
#define DEBUG_POISON_BYTE 0xDD
/* Freed blocks kept back from the wrapped allocator. */
#define DEBUG_QUARANTINE 64

typedef struct debug_alloc debug_alloc;

typedef struct debug_stats {
    size_t active_allocations;
    size_t total_allocated;   /* bytes */
    size_t total_freed;       /* bytes */
    size_t current_bytes;
    size_t peak_bytes;        /* most live bytes at once */
    size_t peak_offset;       /* highest offset of the wrapped allocator (the
                               * tutorial's peak_usage); 0 if it has none */
    size_t allocations;       /* calls that succeeded */
    size_t frees;
} debug_stats;

/* Wraps inner (not owned). */
debug_alloc *debug_create(as_instance inner);
/* The tutorial's DebugBumpAllocator over inner (not owned): records and
 * reports like debug_create, without guard, poison or quarantine. */
debug_alloc *debug_create_tutorial(as_instance inner);
bool debug_is_tutorial(const debug_alloc *d);
/* Destroys the tracker; does not report leaks (call debug_report_leaks). */
void debug_destroy(debug_alloc *d);

as_allocator debug_allocator(debug_alloc *d);
as_instance debug_instance(debug_alloc *d);
extern const as_probe debug_probe;
/* debug_instance's probe in the tutorial's mode: guard_size 0, and its
 * "peak" figure is peak_offset. */
extern const as_probe debug_tutorial_probe;

void debug_set_sink(debug_alloc *d, as_event_sink sink);
/* The stamp recorded with the next operations (the session's step). */
void debug_set_stamp(debug_alloc *d, uint64_t stamp);
/* 0: no limit. Allocations that would pass it fail and are reported. */
void debug_set_limit(debug_alloc *d, size_t bytes);
/* The memory limit in bytes (0: none). */
size_t debug_limit(const debug_alloc *d);
debug_stats debug_get_stats(const debug_alloc *d);
/* Reports every live block as a leak; returns how many. */
size_t debug_report_leaks(debug_alloc *d);
/* Checks the guard zones and the poison of quarantined blocks, reporting
 * overflow and use-after-free for damage not reported yet; returns the
 * number of damaged ranges there are (reported before or now). Repairs
 * nothing. */
size_t debug_scan(debug_alloc *d);

typedef enum debug_damage_kind {
    DEBUG_DAMAGE_GUARD,   /* in the guard after a live block: a write past its end */
    DEBUG_DAMAGE_POISON,  /* in a quarantined block: a write after free */
} debug_damage_kind;

/* One run of consecutive damaged bytes. */
typedef struct debug_damage {
    const void *block;        /* the block's user pointer */
    size_t block_len;
    size_t offset;            /* first damaged byte, from the block's start
                               * (>= block_len: in the guard) */
    size_t len;
    debug_damage_kind kind;
    uint64_t alloc_stamp, free_stamp;
} debug_damage;

typedef void (*debug_damage_fn)(void *user, const debug_damage *dmg);
/* Calls fn (may be NULL) for each damaged range of block, or of every block
 * when block is NULL (in address order); returns how many there are. */
size_t debug_each_damage(const debug_alloc *d, const void *block, debug_damage_fn fn, void *user);
/* True iff byte offset of block (from its start; the guard follows its
 * len bytes) is a damaged guard or poison byte. */
bool debug_is_damaged(const debug_alloc *d, const void *block, size_t offset);
/* The record of the block at ptr: true and fills the fields if known. */
bool debug_lookup(const debug_alloc *d, const void *ptr, size_t *len,
                  uint64_t *alloc_stamp, uint64_t *free_stamp);
/* Forgets every record (after the wrapped allocator was reset). */
void debug_forget_all(debug_alloc *d);
const char *debug_check(const debug_alloc *d);

#endif
