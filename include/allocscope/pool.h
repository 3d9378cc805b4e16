/*
 * pool.h - Zig's MemoryPool: slots of one size and alignment.
 *
 * Slots are at least a pointer in size and alignment, so a free slot can
 * hold the link of the free list threaded through the free slots. destroy
 * pushes a slot on that list and create pops it first (LIFO: the next
 * create reuses the last destroyed slot); both are O(1). Slots come from
 * slabs, 4096-aligned regions taken from the system heap: a fixed pool has
 * exactly one slab of its capacity, a growable pool adds slabs of twice the
 * previous slab's slots when it runs out.
 */
#ifndef ALLOCSCOPE_POOL_H
#define ALLOCSCOPE_POOL_H

#include "allocscope/allocator.h"

typedef struct pool pool;

typedef struct pool_options {
    size_t item_size;      /* bytes of one item, > 0 */
    uint8_t align_log2;    /* alignment of one item */
    size_t initial_slots;  /* preheat: slots of the first slab (> 0) */
    bool growable;         /* false: fail once initial_slots are in use */
} pool_options;

/* NULL when options are invalid or there is no memory. */
pool *pool_create(pool_options opt);
void pool_destroy(pool *p);

as_allocator pool_allocator(pool *p);
as_instance pool_instance(pool *p);
extern const as_probe pool_probe;

/* A slot, or NULL when a fixed pool is full (or no memory is left). */
void *pool_create_item(pool *p);
void pool_destroy_item(pool *p, void *item);
/* Makes every slot free again; with free_all a growable pool keeps only its
 * first slab. Otherwise every slab is kept and the next creates refill them
 * from slab 0 on, in address order, before a new slab is added (Zig 0.12+
 * MemoryPool.reset(.retain_capacity); Zig 0.11's reset takes no mode and
 * frees everything). */
void pool_reset(pool *p, as_reset_mode mode);
/* The same; retain_with_limit keeps the first slab and then the next ones
 * while their bytes together stay within limit (as an arena under Zig's
 * MemoryPool keeps at most that much), the rest given back. */
void pool_reset_with_limit(pool *p, as_reset_mode mode, size_t limit);

size_t pool_slot_size(const pool *p);
size_t pool_item_size(const pool *p);
size_t pool_slot_align(const pool *p);
size_t pool_live(const pool *p);
size_t pool_slot_count(const pool *p);
size_t pool_slab_count(const pool *p);
/* True iff item is the start of a slot of this pool. */
bool pool_owns_slot(const pool *p, const void *item);
/* Calls fn for each free slot, in free-list order (the next create takes
 * the first): its slab, offset in the slab, and the slot size. */
void pool_walk_free(const pool *p, void (*fn)(void *user, size_t slab, size_t offset, size_t size),
                    void *user);
const char *pool_check(const pool *p);

#endif
