/*
 * freelist.h - a general-purpose free-list allocator over one buffer.
 *
 * Every block starts with a 16-byte header (size and flags, requested
 * length). Free blocks carry a link to the next free block and form one
 * list sorted by address; they are also linked by size class, so best-fit
 * looks at blocks of about the right size only. alloc searches (first-fit,
 * best-fit or next-fit), splits a block only when the remainder can hold a free node,
 * and places large alignments by splitting off the front or, when that is
 * too small, leaving a padding lead before the header. free coalesces with
 * both neighbours, so no two free blocks are ever adjacent. The buffer is
 * fixed, or a heap that grows at its end like sbrk (freelist_create_growable).
 */
#ifndef ALLOCSCOPE_FREELIST_H
#define ALLOCSCOPE_FREELIST_H

#include "allocscope/allocator.h"

#define FREELIST_HEADER 16
#define FREELIST_MIN_BLOCK 32

typedef enum freelist_fit {
    FREELIST_FIRST_FIT,
    FREELIST_BEST_FIT,
    FREELIST_NEXT_FIT,
} freelist_fit;

const char *freelist_fit_name(freelist_fit fit);

typedef struct freelist freelist;

freelist *freelist_create(size_t capacity, freelist_fit fit);

/* A free list whose heap grows like mdriver's sbrk: `limit` bytes of
 * address space are reserved up front and `initial` committed (both
 * rounded up to FREELIST_GROW_STEP); when no free block fits a request,
 * or a realloc of the last block needs room, the heap is extended at its
 * end, up to the limit. Pointers never move. The capacity (and the
 * region the probe shows) is the heap end now; a reset shrinks it back to
 * `initial`. The probe's offset entry reports the heap end. NULL if
 * initial < FREELIST_MIN_BLOCK, limit < initial, limit > 1 TiB or the
 * reservation fails. */
#define FREELIST_GROW_STEP 4096
freelist *freelist_create_growable(size_t initial, size_t limit, freelist_fit fit);
void freelist_destroy(freelist *f);

as_allocator freelist_allocator(freelist *f);
as_instance freelist_instance(freelist *f);
extern const as_probe freelist_probe;

void freelist_reset(freelist *f);
freelist_fit freelist_get_fit(const freelist *f);
size_t freelist_capacity(const freelist *f);
bool freelist_is_growable(const freelist *f);
/* The end of the heap now (== the capacity; for a fixed buffer, its
 * usable size); and how far it may grow (a fixed buffer: its capacity). */
size_t freelist_heap_end(const freelist *f);
size_t freelist_limit(const freelist *f);
size_t freelist_free_bytes(const freelist *f);
size_t freelist_largest_free(const freelist *f);
size_t freelist_free_blocks(const freelist *f);
/* 1 - largest free block / total free; 0 when nothing is free. */
double freelist_fragmentation(const freelist *f);
/* Calls fn for each free block in address order (offset, block size). */
void freelist_walk_free(const freelist *f, void (*fn)(void *user, size_t offset, size_t size), void *user);
/* The end of the highest block ever handed out: what the allocator has touched. */
size_t freelist_high_water(const freelist *f);
const char *freelist_check(const freelist *f);

#endif
