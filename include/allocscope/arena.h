/*
 * arena.h - Zig's ArenaAllocator: bump allocation through chunks taken
 * from a backing allocator.
 *
 * Each chunk starts with a small header (the link to the previous chunk and
 * its size) and is aligned to 4096. When the current chunk is full the arena
 * first tries to grow it in place through the backing allocator, then asks
 * for a new chunk of about 1.5 times (previous chunk + request). The most
 * recent block can be resized and freed in place. reset releases every block
 * at once: free_all gives every chunk back, retain_capacity keeps one chunk
 * as large as all of them were, retain_with_limit(N) keeps at most N bytes
 * (N = 0 is free_all).
 */
#ifndef ALLOCSCOPE_ARENA_H
#define ALLOCSCOPE_ARENA_H

#include "allocscope/allocator.h"

/* Bytes at the start of every chunk. */
#define ARENA_CHUNK_HEADER 16

typedef struct arena arena;

/* An empty arena over backing (which it does not own). */
arena *arena_create(as_instance backing);
/* Gives every chunk back to the backing allocator, then frees the arena. */
void arena_destroy(arena *ar);

as_allocator arena_allocator(arena *ar);
as_instance arena_instance(arena *ar);
extern const as_probe arena_probe;

/* True iff the reset could keep what the mode asks for (false: it freed
 * everything because the backing allocator had no memory). */
bool arena_reset(arena *ar, as_reset_mode mode, size_t limit);
/* Bytes of all chunks, headers included (Zig's queryCapacity counts
 * usable bytes; this counts what the backing allocator handed out). */
size_t arena_capacity(const arena *ar);
size_t arena_chunk_count(const arena *ar);
void arena_set_ledger(arena *ar, bool on);
const char *arena_check(const arena *ar);

#endif
