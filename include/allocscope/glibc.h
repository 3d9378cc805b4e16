/*
 * glibc.h - the glibc view: the heap as glibc laid it out for a recorded
 * program (allocscope record), replayed.
 *
 * It is not an allocator that decides anything: it is given the
 * recording's allocations in order (a plan) and hands out, for each, the
 * address glibc gave, moved into memory of its own: the main heap is one
 * region that mirrors the recorded heap from its start, every other arena
 * (a thread's heap, 64 MiB aligned) one region, and every mmapped chunk a
 * region of its own. Around each block it shows what glibc had there:
 * the chunk header (the 8-byte size word before a block; 16 bytes,
 * prev_size and size, before an mmapped chunk) as metadata, and the slack
 * that malloc_usable_size reveals (the chunk's usable bytes past the size
 * asked for) after it.
 */
#ifndef ALLOCSCOPE_GLIBC_H
#define ALLOCSCOPE_GLIBC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocscope/allocator.h"

enum { GLIBC_CHUNK_MMAPPED = 1, GLIBC_CHUNK_NON_MAIN = 2 };

/* One allocation of the recording: what alloc (or, for a realloc, remap
 * or resize) is asked next, and what glibc gave for it. */
typedef struct glibc_op {
    uint64_t addr;       /* the block's recorded address */
    size_t size;         /* bytes the replay asks for (at least 1) */
    size_t slack;        /* malloc_usable_size - size */
    unsigned chunk;      /* GLIBC_CHUNK_* */
    bool realloc;        /* a realloc of a live block (kept in place when addr is its address) */
} glibc_op;

typedef struct glibc_plan {
    glibc_op *ops;
    size_t count;
    uint64_t heap_start; /* where the main heap began (sbrk(0) at the start), 0: unknown */
} glibc_plan;

typedef struct glibc_layout glibc_layout;

/* Largest region the view mirrors (the main heap's span, an arena's). */
#define GLIBC_MAX_REGION ((size_t)1 << 30)

/* A layout for the plan (copied): NULL with the reason in why (a static
 * string) when its heap spans more than GLIBC_MAX_REGION or there is no
 * memory. */
glibc_layout *glibc_create(const glibc_plan *plan, const char **why);
void glibc_destroy(glibc_layout *g);
as_instance glibc_instance(glibc_layout *g);
extern const as_probe glibc_probe;

/* How many of the plan's allocations were handed out; the plan's size. */
size_t glibc_done(const glibc_layout *g);
size_t glibc_planned(const glibc_layout *g);
/* The region (0: the main heap) and offset of a recorded address, as the
 * view lays it out; false if no region holds it. For tests. */
bool glibc_place(const glibc_layout *g, uint64_t addr, uint32_t *region, size_t *offset);

#endif
