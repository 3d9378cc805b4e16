/*
 * ledger.h - the record of blocks that bump-style allocators keep for
 * inspection.
 *
 * A bump allocator needs only its offset to work; to *show* its memory it
 * must also remember where each block went. The ledger is that memory, kept
 * outside the region: entries in address order, each with the block's
 * offset, its live length and the bytes it consumed. Gaps between entries
 * below the offset are alignment padding. It can be switched off (NULL) for
 * benchmarks, and then the allocator reports its used bytes as one span.
 *
 * Finding a block is O(1) plus a search among the entries of one 4 KiB
 * page of offsets: the ledger keeps, for every page below its last entry,
 * the index of the first entry at or after the page's start (8 bytes per
 * 4 KiB of buffer, kept up to date by push and pop at O(1) amortised).
 */
#ifndef ALLOCSCOPE_LEDGER_H
#define ALLOCSCOPE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

#include "allocscope/allocator.h"

typedef struct ledger_entry {
    size_t offset;     /* where the block starts */
    size_t len;        /* bytes the program may use now */
    size_t consumed;   /* bytes taken from the buffer (>= len) */
    bool freed;        /* freed but not reclaimed */
} ledger_entry;

#define LEDGER_PAGE_SHIFT 12 /* the directory's pages: 4 KiB of offsets */

typedef struct ledger {
    ledger_entry *entries;
    size_t count;
    size_t cap;
    /* page_first[p]: the index of the first entry whose offset is >= p <<
     * LEDGER_PAGE_SHIFT, for the pages up to the last entry's offset */
    size_t *page_first;
    size_t pages, pages_cap;
    bool unpaged;  /* no directory (its memory ran out, or a push out of order): whole searches */
} ledger;

/* All return false only when the ledger's own memory runs out. Blocks are
 * pushed in address order (offset at or after the last entry's). */
bool ledger_push(ledger *l, size_t offset, size_t len);
void ledger_pop(ledger *l);
void ledger_clear(ledger *l);
void ledger_release(ledger *l);
/* Builds the page directory again from the entries, for entries put in
 * place other than by push and pop (a checkpoint's load writes them and
 * the count straight into the ledger). O(count + pages); without memory
 * for it the ledger goes without (whole searches). */
void ledger_reindex(ledger *l);
/* The first entry whose block starts at offset, or NULL. O(1) for the
 * last entry; otherwise a binary search within the offset's page. */
ledger_entry *ledger_find(const ledger *l, size_t offset);
ledger_entry *ledger_last(const ledger *l);

/* Emits the spans of [start, capacity) for a buffer whose blocks are
 * recorded in l and whose bump offset is end: live, freed, padding, unused.
 * base is the region's start (block pointers are base + offset). */
void ledger_emit(const ledger *l, const as_inspector *in, uint32_t region,
                 const unsigned char *base, size_t start, size_t end, size_t capacity);
/* NULL iff entries are sorted, disjoint, below end, len <= consumed, and
 * the page directory names each page's first entry. */
const char *ledger_check(const ledger *l, size_t end);
/* Where the recorded block at offset sits: its padding is the gap after the
 * block before it (or after `first`, where blocks may begin). */
bool ledger_locate(const ledger *l, uint32_t region, size_t offset, size_t first, as_location *out);
/* ledger_emit's spans that meet [from, to) (and the tail's two when the
 * last entry's spans do): a search by halves, then the entries that meet
 * the range. */
void ledger_emit_range(const ledger *l, const as_inspector *in, uint32_t region, const unsigned char *base,
                       size_t start, size_t end, size_t capacity, size_t from, size_t to);

/* Checkpoints (allocator.h): the entries in use, as one range (none when
 * the ledger is empty). ledger_load puts `count` saved entries back into
 * l's own array (grown if it is smaller: reserve first to fail before
 * anything changes); false when out of memory or the range does not match. */
bool ledger_save(const ledger *l, const as_saver *w);
bool ledger_reserve(ledger *l, size_t count);
bool ledger_load(ledger *l, size_t count, const as_loader *r);

/* A buffer that blocks are bumped through, as Zig's FixedBufferAllocator
 * and each chunk of its ArenaAllocator treat it: [base, base + capacity),
 * in use below *end; blocks is NULL when nothing is recorded. */
typedef struct ledger_buffer {
    unsigned char *base;
    size_t *end;
    size_t capacity;
    ledger *blocks;
} ledger_buffer;

/* True iff mem..mem+len is the most recent block (it ends at *end). */
bool ledger_buffer_is_last(ledger_buffer b, const void *mem, size_t len);
/* Zig's resize: the most recent block grows or shrinks in place within the
 * buffer; any other block may shrink (nothing is reclaimed), never grow. */
bool ledger_buffer_resize(ledger_buffer b, void *mem, size_t len, size_t new_len);
/* Zig's free: the most recent block rewinds the end by its length (the
 * padding before it stays consumed); another is only recorded as freed. */
void ledger_buffer_free(ledger_buffer b, void *mem, size_t len);

#endif
