/*
 * blockindex.h - from a block's pointer to its place among the session's
 * blocks, for views that meet blocks as pointers (in an allocator's spans)
 * and must colour and label them.
 *
 * The index lives across frames and follows the session: blocks added
 * since the last sync are appended, so a frame over 100,000 blocks costs
 * nothing per block unless blocks moved or the session was rebuilt (then
 * it starts over). Blocks bumped through memory (bump, arena chunks, pool
 * slabs) form a few ascending runs that are searched in place; anything
 * else goes into a hash table. For a pointer used more than once (an
 * address reused after a free), the newest block wins.
 */
#ifndef ALLOCSCOPE_BLOCKINDEX_H
#define ALLOCSCOPE_BLOCKINDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "allocscope/session.h"

typedef struct block_index block_index;

/* NULL when out of memory. */
block_index *block_index_new(void);
void block_index_free(block_index *ix);
/* Brings ix up to date with the active allocator of s. False only when out
 * of memory; the index is then empty and finds nothing. */
bool block_index_sync(block_index *ix, const session *s);
/* The index (for session_block_at) of the block at ptr, or -1. */
int32_t block_index_find(const block_index *ix, const void *ptr);
/* How many blocks are indexed, and whether they went into the hash. */
size_t block_index_count(const block_index *ix);
bool block_index_hashed(const block_index *ix);

#endif
