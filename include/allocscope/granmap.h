/*
 * granmap.h - an index of the positions where something starts in a
 * buffer, at a granularity of 16 bytes ("granules"), kept beside the
 * buffer. It answers in a few word operations: the previous and next
 * marked position, and the first marked position at or after a point
 * whose value (read through a callback, e.g. a free block's size) is at
 * least a bound. Values are summarised by their maximum per 64 granules
 * and then per 64 of those, and so on, so searches skip whole regions.
 * There are as many levels as it takes for the top one to be a single
 * word (GRANMAP_LEVELS covers any size_t count of granules), so a map
 * of any size answers every query over its whole range.
 */
#ifndef ALLOCSCOPE_GRANMAP_H
#define ALLOCSCOPE_GRANMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocscope/allocator.h"

#define GRANMAP_NONE SIZE_MAX
/* 64^11 > 2^64: enough levels for any count of granules. */
#define GRANMAP_LEVELS 11

/* The value of the marked granule g (only called for marked ones). */
typedef size_t (*granmap_value_fn)(const void *user, size_t g);

typedef struct granmap {
    size_t granules;
    uint64_t *bits[GRANMAP_LEVELS];   /* level k: one bit per non-empty word of level k-1 */
    size_t *max[GRANMAP_LEVELS];      /* level k: max value below each word of level k */
    size_t words[GRANMAP_LEVELS];
    int levels;
    granmap_value_fn value;           /* NULL: no values, only positions */
    const void *user;
} granmap;

bool granmap_init(granmap *m, size_t granules, granmap_value_fn value, const void *user);
void granmap_release(granmap *m);
void granmap_clear_all(granmap *m);
/* The same when no granule at or above n is marked: touches only the
 * words below n (a fresh map's memory stays untouched above). */
void granmap_clear_below(granmap *m, size_t n);
bool granmap_test(const granmap *m, size_t g);
void granmap_set(granmap *m, size_t g);
/* Unmarks g (nothing if it is not marked). Its value is read first, so it
 * must still be the one the map was last told of (unset before changing it). */
void granmap_unset(granmap *m, size_t g);
/* Moves the mark at `from`, whose value the map was last told was `gone`,
 * to the unmarked `to`, whose value is at least that (a free block that
 * took in the one after it, or the top block carved from the front):
 * cheaper than unset and set, as only the words below the first one that
 * covers both can lose anything. */
void granmap_move(granmap *m, size_t from, size_t to, size_t gone);
/* Recomputes the summaries above g after its value changed. */
void granmap_update(granmap *m, size_t g);
/* The same, cheaper, when the value of g only grew. */
void granmap_raise(granmap *m, size_t g);
/* The last marked granule < g, or GRANMAP_NONE. */
size_t granmap_prev(const granmap *m, size_t g);
/* The first marked granule >= g, or GRANMAP_NONE. */
size_t granmap_next(const granmap *m, size_t g);
/* The first marked granule >= g whose value is >= need, or GRANMAP_NONE. */
size_t granmap_first_at_least(const granmap *m, size_t g, size_t need);

/* The loops that test or take the maximum of 64 summaries at once: the
 * best the CPU has is chosen at start-up; tests and benchmarks may ask
 * for another (false, nothing changed, if the CPU or build lacks it). */
typedef enum { GRANMAP_LOOPS_PLAIN, GRANMAP_LOOPS_AVX2, GRANMAP_LOOPS_AVX512 } granmap_loops;
bool granmap_use_loops(granmap_loops which);

/* Checkpoints (allocator.h): the words of every level that cover granules
 * [0, n), as ranges (bits, then values, level by level); load puts them
 * back into the same words. Words above them are left as they are: clear
 * them first (granmap_clear_below) if anything may be marked there. */
bool granmap_save_below(const granmap *m, size_t n, const as_saver *w);
bool granmap_load_below(granmap *m, size_t n, const as_loader *r);

#endif
