/*
 * bump.h - the bump allocator of the tutorial.
 *
 * One buffer and one offset that only moves forward. alloc aligns the
 * offset forward and fails (state unchanged) when the block does not fit;
 * free is a no-op; reset rewinds to 0. resize comes in the tutorial's two
 * versions, chosen with bump_set_resize:
 *   BUMP_RESIZE_NEVER: the main text's BumpAllocator, whose resize always
 *     returns false ("can't resize in general");
 *   BUMP_RESIZE_LAST: exercise 1's, which resizes the most recent block by
 *     moving the offset (grow within the buffer, shrink always) and refuses
 *     every other block.
 */
#ifndef ALLOCSCOPE_BUMP_H
#define ALLOCSCOPE_BUMP_H

#include "allocscope/allocator.h"

typedef struct bump bump;

typedef enum bump_resize {
    BUMP_RESIZE_NEVER, /* the tutorial's main text: resize always fails */
    BUMP_RESIZE_LAST,  /* exercise 1: the most recent block can be resized */
} bump_resize;

/* What bump_create gives: the tutorial's main text, whose resize always
 * fails. Exercise 1's is asked for by name (the app's `new bump SIZE
 * resize-last`). */
#define BUMP_DEFAULT_RESIZE BUMP_RESIZE_NEVER

/* A bump allocator over a fresh 4096-aligned buffer of exactly capacity
 * bytes; NULL when capacity is 0 or there is no memory. */
bump *bump_create(size_t capacity);
void bump_destroy(bump *b);

as_allocator bump_allocator(bump *b);
as_instance bump_instance(bump *b);
/* bump_instance's probe: bump_probe for the main text's resize,
 * bump_probe_resize_last for exercise 1's (they differ in resize_hint);
 * it is chosen when the instance is taken. */
extern const as_probe bump_probe;
extern const as_probe bump_probe_resize_last;

/* Which resize the allocator does from now on (BUMP_DEFAULT_RESIZE after
 * bump_create). Allocators taken before see the change. */
void bump_set_resize(bump *b, bump_resize mode);
bump_resize bump_get_resize(const bump *b);
/* The name of a mode: "never" (tutorial main text) or "last" (exercise 1). */
const char *bump_resize_name(bump_resize mode);

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
