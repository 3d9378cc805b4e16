/*
 * ledger.c - the per-block record of bump-style allocators (see ledger.h).
 */
#include "allocscope/ledger.h"

#include <stdint.h>
#include <stdlib.h>

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
    l->entries[l->count++] = (ledger_entry){offset, len, len, false};
    return true;
}

void ledger_pop(ledger *l)
{
    if (l->count > 0)
        l->count--;
}

void ledger_clear(ledger *l) { l->count = 0; }

void ledger_release(ledger *l)
{
    free(l->entries);
    *l = (ledger){0};
}

ledger_entry *ledger_find(const ledger *l, size_t offset)
{
    size_t lo = 0, hi = l->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->entries[mid].offset < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < l->count && l->entries[lo].offset == offset)
        return &l->entries[lo];
    return NULL;
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
    return true;
}
