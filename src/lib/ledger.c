/*
 * ledger.c - the per-block record of bump-style allocators (see ledger.h).
 *
 * Entries are appended in address order. Beside them, page_first holds for
 * each 4 KiB page of offsets, up to the last entry's, the index of the
 * first entry at or after the page's start, so the entries of page p are
 * [page_first[p], page_first[p + 1]). Invariants: page_first is
 * non-decreasing, pages == last entry's offset / 4096 + 1 (0 when empty)
 * unless unpaged, and every value is <= count.
 *
 * Cost: push and pop O(1) amortised (a push that skips k pages writes k
 * words); find O(1) for the last entry, else one directory read and a
 * search within one page that starts where the offset's place in the page
 * predicts (a few steps for a bump's evenly spread blocks, at most 8 + 12
 * for a page of 4096 one-byte blocks). Memory: 32 bytes an entry, 8 bytes
 * a page of offsets.
 */
#include "allocscope/ledger.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Gives the pages up to offset's the new entry at index idx as their first;
 * without memory for them, the ledger goes without its directory. */
static void pages_reach(ledger *l, size_t offset, size_t idx)
{
    size_t page = offset >> LEDGER_PAGE_SHIFT;
    if (l->unpaged || page < l->pages)
        return;
    if (page >= l->pages_cap) {
        size_t cap = l->pages_cap ? l->pages_cap : 64;
        while (cap <= page)
            cap *= 2;
        size_t *grown = realloc(l->page_first, cap * sizeof *grown);
        if (grown == NULL) {
            free(l->page_first);
            l->page_first = NULL;
            l->pages = l->pages_cap = 0;
            l->unpaged = true;
            return;
        }
        l->page_first = grown;
        l->pages_cap = cap;
    }
    while (l->pages <= page)
        l->page_first[l->pages++] = idx;
}

bool ledger_push(ledger *l, size_t offset, size_t len)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        ledger_entry *grown = realloc(l->entries, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        l->entries = grown;
        l->cap = cap;
    }
    if (l->count && offset < l->entries[l->count - 1].offset)
        l->unpaged = true; /* cannot happen for a bump; the directory needs address order */
    pages_reach(l, offset, l->count);
    ledger_entry *e = &l->entries[l->count++];
    memset(e, 0, sizeof *e); /* its padding too: checkpoints compare entries byte by byte */
    e->offset = offset, e->len = len, e->consumed = len;
    return true;
}

void ledger_pop(ledger *l)
{
    if (l->count == 0)
        return;
    l->count--;
    /* the pages whose first entry was the one popped are past the last entry now */
    while (l->pages && l->page_first[l->pages - 1] >= l->count)
        l->pages--;
}

void ledger_clear(ledger *l)
{
    l->count = 0;
    l->pages = 0;
    l->unpaged = false;
}

void ledger_release(ledger *l)
{
    free(l->entries);
    free(l->page_first);
    *l = (ledger){0};
}

/* The first index in [lo, hi) whose entry's offset is >= offset, or hi. */
static size_t lower_bound(const ledger *l, size_t lo, size_t hi, size_t offset)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->entries[mid].offset < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first index in [lo, hi) of a page whose entry's offset is >= offset
 * (or hi): offsets of a bump grow evenly, so the entry is near the one
 * that its place in the page predicts; a few steps from that guess, then
 * halves of what is left (at most 8 + 12 steps for a page of 4096). */
static size_t page_search(const ledger *l, size_t lo, size_t hi, size_t offset)
{
    size_t within = offset & (((size_t)1 << LEDGER_PAGE_SHIFT) - 1);
    size_t g = lo + (size_t)(((uint64_t)within * (hi - lo)) >> LEDGER_PAGE_SHIFT); /* lo <= g < hi */
    if (l->entries[g].offset < offset) {
        lo = g + 1;
        for (int k = 0; k < 8 && lo < hi && l->entries[lo].offset < offset; k++)
            lo++;
        if (lo == hi || l->entries[lo].offset >= offset)
            return lo;
    } else {
        hi = g; /* g is an answer; the first may be before it */
        for (int k = 0; k < 8 && hi > lo && l->entries[hi - 1].offset >= offset; k++)
            hi--;
        if (hi == lo || l->entries[hi - 1].offset < offset)
            return hi;
    }
    return lower_bound(l, lo, hi, offset);
}

ledger_entry *ledger_find(const ledger *l, size_t offset)
{
    size_t n = l->count;
    if (n == 0)
        return NULL;
    ledger_entry *last = &l->entries[n - 1];
    if (last->offset == offset && (n == 1 || last[-1].offset < offset))
        return last; /* the block just made (and no empty block before it at the same offset) */
    size_t i;
    if (l->unpaged) {
        i = lower_bound(l, 0, n, offset);
        return i < n && l->entries[i].offset == offset ? &l->entries[i] : NULL;
    }
    size_t page = offset >> LEDGER_PAGE_SHIFT;
    if (page >= l->pages)
        return NULL; /* past the last entry's page */
    /* the entries of this page are [page_first[page], page_first[page + 1]) */
    size_t lo = l->page_first[page], hi = page + 1 < l->pages ? l->page_first[page + 1] : n;
    if (lo == hi)
        return NULL;
    i = page_search(l, lo, hi, offset);
    return i < hi && l->entries[i].offset == offset ? &l->entries[i] : NULL;
}

void ledger_reindex(ledger *l)
{
    l->pages = 0;
    l->unpaged = false;
    for (size_t i = 0; i < l->count && !l->unpaged; i++) {
        if (i && l->entries[i].offset < l->entries[i - 1].offset)
            l->unpaged = true; /* as a push out of order makes it */
        pages_reach(l, l->entries[i].offset, i);
    }
}

ledger_entry *ledger_last(const ledger *l)
{
    return l->count ? &l->entries[l->count - 1] : NULL;
}

/* The spans of entry e after cursor (the end of the entry before): the
 * padding up to it, its bytes, its freed tail. */
static void emit_entry(as_span_writer *w, uint32_t region, const unsigned char *base, const ledger_entry *e,
                       size_t cursor)
{
    as_write_span(w, region, cursor, e->offset - cursor, AS_SPAN_PADDING, AS_META_NONE, NULL);
    as_write_span(w, region, e->offset, e->len, e->freed ? AS_SPAN_FREED : AS_SPAN_LIVE, AS_META_NONE,
                  base + e->offset);
    as_write_span(w, region, e->offset + e->len, e->consumed - e->len, AS_SPAN_FREED, AS_META_NONE,
                  base + e->offset);
}

void ledger_emit(const ledger *l, const as_inspector *in, uint32_t region,
                 const unsigned char *base, size_t start, size_t end, size_t capacity)
{
    ledger_emit_range(l, in, region, base, start, end, capacity, 0, SIZE_MAX);
}

void ledger_emit_range(const ledger *l, const as_inspector *in, uint32_t region, const unsigned char *base,
                       size_t start, size_t end, size_t capacity, size_t from, size_t to)
{
    as_span_writer w;
    as_writer_begin(&w, in);
    /* the first entry that ends after from, by halves */
    size_t lo = 0, hi = l->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->entries[mid].offset + l->entries[mid].consumed <= from)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t cursor = lo ? l->entries[lo - 1].offset + l->entries[lo - 1].consumed : start, i = lo;
    for (; i < l->count && cursor < to; i++) {
        emit_entry(&w, region, base, &l->entries[i], cursor);
        cursor = l->entries[i].offset + l->entries[i].consumed;
    }
    if (i == l->count) {
        /* Below the offset but after the last block: padding whose block was
         * given back (Zig's FixedBufferAllocator keeps it consumed). */
        as_write_span(&w, region, cursor, end - cursor, AS_SPAN_PADDING, AS_META_NONE, NULL);
        as_write_span(&w, region, end, capacity - end, AS_SPAN_UNUSED, AS_META_NONE, NULL);
    }
    as_writer_end(&w);
}

const char *ledger_check(const ledger *l, size_t end)
{
    size_t cursor = 0;
    for (size_t i = 0; i < l->count; i++) {
        const ledger_entry *e = &l->entries[i];
        if (e->offset < cursor)
            return "ledger: blocks overlap or are out of order";
        if (e->len > e->consumed)
            return "ledger: a block is longer than the bytes it consumed";
        cursor = e->offset + e->consumed;
    }
    if (cursor > end)
        return "ledger: a block ends past the offset";
    if (l->unpaged)
        return NULL;
    size_t want = l->count ? (l->entries[l->count - 1].offset >> LEDGER_PAGE_SHIFT) + 1 : 0;
    if (l->pages != want)
        return "ledger: the page directory does not end at the last block's page";
    for (size_t p = 0, i = 0; p < l->pages; p++) { /* i: the first entry at or after page p */
        while (i < l->count && l->entries[i].offset < p << LEDGER_PAGE_SHIFT)
            i++;
        if (l->page_first[p] != i)
            return "ledger: the page directory points at the wrong block";
    }
    return NULL;
}

bool ledger_locate(const ledger *l, uint32_t region, size_t offset, size_t first, as_location *out)
{
    const ledger_entry *e = ledger_find(l, offset);
    if (e == NULL)
        return false;
    size_t prev_end = e == l->entries ? first : (e - 1)->offset + (e - 1)->consumed;
    *out = (as_location){region, offset, offset - prev_end};
    return true;
}

static ledger_entry *buffer_entry(ledger_buffer b, const void *mem)
{
    const unsigned char *p = mem;
    if (b.blocks == NULL || p < b.base || p >= b.base + b.capacity)
        return NULL;
    return ledger_find(b.blocks, (size_t)(p - b.base));
}

bool ledger_buffer_is_last(ledger_buffer b, const void *mem, size_t len)
{
    return (const unsigned char *)mem + len == b.base + *b.end;
}

bool ledger_buffer_resize(ledger_buffer b, void *mem, size_t len, size_t new_len)
{
    ledger_entry *e = buffer_entry(b, mem);
    if (!ledger_buffer_is_last(b, mem, len)) {
        if (new_len > len)
            return false;
        if (e)
            e->len = new_len; /* the tail stays consumed */
        return true;
    }
    size_t start = *b.end - len, end;
    if (!as_add(start, new_len, &end) || end > b.capacity)
        return false;
    *b.end = end;
    if (e)
        e->len = e->consumed = new_len;
    return true;
}

void ledger_buffer_free(ledger_buffer b, void *mem, size_t len)
{
    ledger_entry *e = buffer_entry(b, mem);
    if (ledger_buffer_is_last(b, mem, len)) {
        *b.end -= len;
        if (e && e == ledger_last(b.blocks))
            ledger_pop(b.blocks);
    } else if (e) {
        e->freed = true;
    }
}

/* ---- checkpoints ---- */

bool ledger_save(const ledger *l, const as_saver *w)
{
    return l->count == 0 || as_save(w, l->entries, l->count * sizeof *l->entries);
}

bool ledger_reserve(ledger *l, size_t count)
{
    if (count <= l->cap)
        return true;
    ledger_entry *grown = realloc(l->entries, count * sizeof *grown);
    if (grown == NULL)
        return false;
    l->entries = grown;
    l->cap = count;
    return true;
}

bool ledger_load(ledger *l, size_t count, const as_loader *r)
{
    if (!ledger_reserve(l, count) || (count && !as_load(r, l->entries, count * sizeof *l->entries)))
        return false;
    l->count = count;
    ledger_reindex(l); /* the page directory follows the entries put back */
    return true;
}
