/*
 * bump.h - the bump allocator of the tutorial.
 *
 * One buffer and one offset that only moves forward. alloc aligns the
 * offset forward and fails (state unchanged) when the block does not fit;
 * free is a no-op; resize works for the most recent block only (grow
 * within the buffer, shrink always); reset rewinds to 0.
 */
#ifndef ALLOCSCOPE_BUMP_H
#define ALLOCSCOPE_BUMP_H

#include "allocscope/allocator.h"

typedef struct bump bump;

/* A bump allocator over a fresh 4096-aligned buffer of exactly capacity
 * bytes; NULL when capacity is 0 or there is no memory. */
bump *bump_create(size_t capacity);
void bump_destroy(bump *b);

as_allocator bump_allocator(bump *b);
as_instance bump_instance(bump *b);
extern const as_probe bump_probe;

void bump_reset(bump *b);
size_t bump_offset(const bump *b);
size_t bump_capacity(const bump *b);
size_t bump_allocations(const bump *b);
const unsigned char *bump_base(const bump *b);
/* Keep (default) or drop the per-block record that inspection uses. An
 * allocator taken with bump_allocator afterwards is the bare bump. */
void bump_set_ledger(bump *b, bool on);
const char *bump_check(const bump *b);

#endif
