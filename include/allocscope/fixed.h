/*
 * fixed.h - Zig's FixedBufferAllocator.
 *
 * A bump allocator whose most recent block can be freed (the end index
 * rewinds by the block's length; the alignment padding before it stays
 * consumed), resized and remapped in place. Freeing any other block does
 * nothing; shrinking another block succeeds without reclaiming anything,
 * growing another fails.
 */
#ifndef ALLOCSCOPE_FIXED_H
#define ALLOCSCOPE_FIXED_H

#include "allocscope/allocator.h"

typedef struct fixed fixed;

fixed *fixed_create(size_t capacity);
void fixed_destroy(fixed *f);

as_allocator fixed_allocator(fixed *f);
as_instance fixed_instance(fixed *f);
extern const as_probe fixed_probe;

void fixed_reset(fixed *f);
size_t fixed_end_index(const fixed *f);
size_t fixed_capacity(const fixed *f);
/* True iff ptr points into the buffer (Zig's ownsPtr). */
bool fixed_owns(const fixed *f, const void *ptr);
/* True iff mem..mem+len is the most recent allocation. */
bool fixed_is_last(const fixed *f, const void *mem, size_t len);
void fixed_set_ledger(fixed *f, bool on);
const char *fixed_check(const fixed *f);

#endif
