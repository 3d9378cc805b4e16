/*
 * buddy.h - a binary buddy allocator over a power-of-two buffer.
 *
 * Blocks are powers of two from BUDDY_MIN_BLOCK up to the whole buffer, and
 * every block satisfies offset % size == 0. alloc takes the smallest free
 * block that fits (size and alignment), splitting larger ones in halves;
 * free merges a block only with its true buddy, the block at offset XOR
 * size, while that buddy is free and whole. Block orders and states live in
 * a control array beside the buffer; free blocks hold their list links.
 */
#ifndef ALLOCSCOPE_BUDDY_H
#define ALLOCSCOPE_BUDDY_H

#include "allocscope/allocator.h"

#define BUDDY_MIN_BLOCK 16

typedef struct buddy buddy;

/* capacity must be a power of two from BUDDY_MIN_BLOCK up; NULL otherwise. */
buddy *buddy_create(size_t capacity);
void buddy_destroy(buddy *b);

as_allocator buddy_allocator(buddy *b);
as_instance buddy_instance(buddy *b);
extern const as_probe buddy_probe;

void buddy_reset(buddy *b);
size_t buddy_capacity(const buddy *b);
unsigned buddy_max_order(const buddy *b);
/* Calls fn for each free block of the given order (0 = BUDDY_MIN_BLOCK),
 * in address order. */
void buddy_walk_free(const buddy *b, unsigned order, void (*fn)(void *user, size_t offset, size_t size), void *user);
size_t buddy_free_bytes(const buddy *b);
size_t buddy_largest_free(const buddy *b);
/* The end of the highest block ever handed out: what the allocator has touched. */
size_t buddy_high_water(const buddy *b);
const char *buddy_check(const buddy *b);

#endif
