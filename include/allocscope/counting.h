/*
 * counting.h - the counting wrapper of the tutorial's second exercise.
 *
 * Forwards every call to the wrapped allocator unchanged and counts: active
 * allocations, current bytes, peak bytes, and the calls of each kind.
 */
#ifndef ALLOCSCOPE_COUNTING_H
#define ALLOCSCOPE_COUNTING_H

#include "allocscope/allocator.h"

typedef struct counting_stats {
    size_t active_allocations;
    size_t current_bytes;
    size_t peak_bytes;
    size_t alloc_calls, resize_calls, remap_calls, free_calls;
    size_t failed_allocs;
} counting_stats;

typedef struct counting counting;

counting *counting_create(as_instance inner);
void counting_destroy(counting *c);

as_allocator counting_allocator(counting *c);
as_instance counting_instance(counting *c);
extern const as_probe counting_probe;

counting_stats counting_get_stats(const counting *c);
/* Zeroes the live counters after the wrapped allocator was reset. */
void counting_forget_live(counting *c);

#endif
