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
    size_t peak_bytes;
    size_t allocations;       /* calls that succeeded */
    size_t frees;
} debug_stats;

/* Wraps inner (not owned). */
debug_alloc *debug_create(as_instance inner);
/* Destroys the tracker; does not report leaks (call debug_report_leaks). */
void debug_destroy(debug_alloc *d);

as_allocator debug_allocator(debug_alloc *d);
as_instance debug_instance(debug_alloc *d);
extern const as_probe debug_probe;

void debug_set_sink(debug_alloc *d, as_event_sink sink);
/* The stamp recorded with the next operations (the session's step). */
void debug_set_stamp(debug_alloc *d, uint64_t stamp);
/* 0: no limit. Allocations that would pass it fail and are reported. */
void debug_set_limit(debug_alloc *d, size_t bytes);
debug_stats debug_get_stats(const debug_alloc *d);
/* Reports every live block as a leak; returns how many. */
size_t debug_report_leaks(debug_alloc *d);
/* Checks the guard zones and the poison of quarantined blocks, reporting
 * overflow and use-after-free; returns the number of problems found. */
size_t debug_scan(debug_alloc *d);
/* The record of the block at ptr: true and fills the fields if known. */
bool debug_lookup(const debug_alloc *d, const void *ptr, size_t *len,
                  uint64_t *alloc_stamp, uint64_t *free_stamp);
/* Forgets every record (after the wrapped allocator was reset). */
void debug_forget_all(debug_alloc *d);
const char *debug_check(const debug_alloc *d);

#endif
