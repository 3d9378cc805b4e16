/*
 * bump.c - the bump allocator (see bump.h).
 *
 * The offset is kept as a pointer (cursor) so the bare bump is a handful of
 * instructions. resize is the tutorial's main text (always false) unless
 * resize_last is set (exercise 1: only the block that ends at the offset). Invariants: 0 <= offset <= capacity; every recorded block lies below the
 * offset, in address order, without overlap; the bytes between recorded
 * blocks are the alignment padding that alloc skipped.
 * A checkpoint holds the struct, the buffer up to the highest offset ever
 * reached (kept apart only when the offset moves back) and the ledger:
 * a save copies O(high-water mark + blocks) bytes.
 */
#include "allocscope/bump.h"

#include <stdlib.h>
#include <string.h>

#include "allocscope/ledger.h"

struct bump {
    unsigned char *buffer;
    size_t capacity;
    uintptr_t cursor;   /* buffer + offset: the next free byte */
    uintptr_t limit;    /* buffer + capacity */
    size_t allocations;
    as_change_log changes; /* for changed_since (with the ledger on): the bytes each change touched */
    bool keep_ledger;
    bool resize_last;   /* exercise 1's resize; false: the main text's */
    ledger blocks;
    size_t high;        /* the highest offset before the last move back (reset, shrink) */
};

static uint64_t bump_stamps; /* the stamps of every bump allocator's changes */

static void note_change(bump *b, size_t from, size_t to) { as_change_note(&b->changes, &bump_stamps, from, to); }

bump *bump_create(size_t capacity)
{
    bump *b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    b->buffer = as_region_new(capacity, NULL);
    if (b->buffer == NULL) {
        free(b);
        return NULL;
    }
    b->capacity = capacity;
    b->cursor = (uintptr_t)b->buffer;
    b->limit = (uintptr_t)b->buffer + capacity;
    b->keep_ledger = true;
    b->resize_last = BUMP_DEFAULT_RESIZE == BUMP_RESIZE_LAST;
    as_change_forget(&b->changes, &bump_stamps);
    return b;
}

void bump_destroy(bump *b)
{
    if (b == NULL)
        return;
    ledger_release(&b->blocks);
    as_region_delete(b->buffer);
    free(b);
}

/* The recorded path, kept out of the fast one. */
static __attribute__((noinline)) void *alloc_recorded(bump *b, size_t start, size_t len)
{
    if (!ledger_push(&b->blocks, start, len))
        return NULL;
    note_change(b, (size_t)(b->cursor - (uintptr_t)b->buffer), start + len); /* the padding and the block */
    b->cursor = (uintptr_t)b->buffer + start + len;
    b->allocations++;
    return b->buffer + start;
}

static size_t offset_of(const bump *b) { return (size_t)(b->cursor - (uintptr_t)b->buffer); }

static void *bump_vt_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ra;
    bump *b = ctx;
    uintptr_t base = (uintptr_t)b->buffer, mask = ((uintptr_t)1 << align_log2) - 1;
    /* cursor + mask cannot wrap: the buffer is a real allocation */
    size_t start = ((b->cursor + mask) & ~mask) - base;
    if (start > b->capacity || len > b->capacity - start)
        return NULL;
    if (!b->keep_ledger) { /* an allocator taken before bump_set_ledger(false) */
        b->cursor = base + start + len;
        b->allocations++;
        return b->buffer + start;
    }
    return alloc_recorded(b, start, len);
}

/* Without the record (bump_set_ledger(false)): nothing but the bump. */
static void *bump_vt_alloc_bare(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ra;
    bump *b = ctx;
    uintptr_t mask = ((uintptr_t)1 << align_log2) - 1;
    uintptr_t start = (b->cursor + mask) & ~mask; /* cannot wrap: a real buffer */
    if (start > b->limit || len > b->limit - start)
        return NULL;
    b->cursor = start + len;
    b->allocations++;
    return (void *)start;
}

/* Before the offset moves back: the bytes below it stay written. */
static void note_high(bump *b)
{
    if (offset_of(b) > b->high)
        b->high = offset_of(b);
}

static bool is_last(const bump *b, const void *mem, size_t len)
{
    return (uintptr_t)mem + len == b->cursor;
}

static bool bump_vt_resize(void *ctx, void *mem, size_t len, uint8_t align_log2,
                           size_t new_len, uintptr_t ra)
{
    (void)align_log2, (void)ra;
    bump *b = ctx;
    if (!b->resize_last || !is_last(b, mem, len))
        return false;
    size_t start = (size_t)((unsigned char *)mem - b->buffer), end;
    if (!as_add(start, new_len, &end) || end > b->capacity)
        return false;
    note_high(b);
    b->cursor = (uintptr_t)b->buffer + end;
    ledger_entry *e = b->keep_ledger ? ledger_last(&b->blocks) : NULL;
    if (e)
        e->len = e->consumed = new_len;
    note_change(b, start, end > start + len ? end : start + len);
    return true;
}

static void *bump_vt_remap(void *ctx, void *mem, size_t len, uint8_t align_log2,
                           size_t new_len, uintptr_t ra)
{
    return bump_vt_resize(ctx, mem, len, align_log2, new_len, ra) ? mem : NULL;
}

static void bump_vt_free(void *ctx, void *mem, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)align_log2, (void)ra, (void)len;
    bump *b = ctx;
    /* A no-op for the allocator; the ledger remembers the block is dead.
     * Its entry is found in O(1) and a few steps (ledger.h), so a replay
     * of millions of frees does not slow down with the blocks made. */
    ledger_entry *e = b->keep_ledger && mem
                          ? ledger_find(&b->blocks, (size_t)((unsigned char *)mem - b->buffer))
                          : NULL;
    if (e) {
        e->freed = true;
        note_change(b, e->offset, e->offset + e->consumed);
    }
}

static const as_vtable bump_vtable = {bump_vt_alloc, bump_vt_resize, bump_vt_remap, bump_vt_free};
static const as_vtable bump_vtable_bare = {bump_vt_alloc_bare, bump_vt_resize, bump_vt_remap, bump_vt_free};

/* With the record off, the allocator's alloc is the bare bump. */
as_allocator bump_allocator(bump *b)
{
    return (as_allocator){b, b->keep_ledger ? &bump_vtable : &bump_vtable_bare};
}
as_instance bump_instance(bump *b)
{
    return (as_instance){bump_allocator(b), b->resize_last ? &bump_probe_resize_last : &bump_probe};
}

void bump_reset(bump *b)
{
    note_high(b);
    b->cursor = (uintptr_t)b->buffer;
    b->allocations = 0;
    ledger_clear(&b->blocks);
    as_change_forget(&b->changes, &bump_stamps);
}

void bump_set_resize(bump *b, bump_resize mode) { b->resize_last = mode == BUMP_RESIZE_LAST; }
bump_resize bump_get_resize(const bump *b) { return b->resize_last ? BUMP_RESIZE_LAST : BUMP_RESIZE_NEVER; }
const char *bump_resize_name(bump_resize mode) { return mode == BUMP_RESIZE_LAST ? "last" : "never"; }

size_t bump_offset(const bump *b) { return offset_of(b); }
size_t bump_capacity(const bump *b) { return b->capacity; }
size_t bump_allocations(const bump *b) { return b->allocations; }
const unsigned char *bump_base(const bump *b) { return b->buffer; }

void bump_set_ledger(bump *b, bool on)
{
    b->keep_ledger = on;
    ledger_clear(&b->blocks);
    as_change_forget(&b->changes, &bump_stamps);
}

const char *bump_check(const bump *b)
{
    if (b->cursor < (uintptr_t)b->buffer || b->cursor > b->limit)
        return "bump: offset past the end of the buffer";
    return b->keep_ledger ? ledger_check(&b->blocks, offset_of(b)) : NULL;
}

static void probe_inspect(const void *ctx, const as_inspector *in)
{
    const bump *b = ctx;
    as_emit_region(in, 0, b->buffer, b->capacity);
    if (b->keep_ledger) {
        ledger_emit(&b->blocks, in, 0, b->buffer, 0, offset_of(b), b->capacity);
    } else {
        as_emit_span(in, 0, 0, offset_of(b), AS_SPAN_LIVE, AS_META_NONE, b->buffer);
        as_emit_span(in, 0, offset_of(b), b->capacity - offset_of(b), AS_SPAN_UNUSED, AS_META_NONE, NULL);
    }
    as_emit_marker(in, AS_MARK_OFFSET, 0, offset_of(b));
}

/* O(log blocks + the blocks that meet the range). */
static void probe_inspect_range(const void *ctx, uint32_t region, size_t from, size_t to, const as_inspector *in)
{
    const bump *b = ctx;
    if (region != 0 || !b->keep_ledger)
        return;
    ledger_emit_range(&b->blocks, in, 0, b->buffer, 0, offset_of(b), b->capacity, from, to);
    as_emit_marker(in, AS_MARK_OFFSET, 0, offset_of(b));
}

/* Without the ledger nothing is noted (the bare bump stays bare). */
static bool probe_changed_since(const void *ctx, uint64_t since, uint64_t *now, as_change *out)
{
    const bump *b = ctx;
    return as_change_since(&b->changes, since, now, out) && b->keep_ledger;
}

static const char *probe_check(const void *ctx) { return bump_check(ctx); }

static as_free_verdict probe_judge(const void *ctx, const void *mem, size_t len, uint8_t al)
{
    (void)len, (void)al;
    const bump *b = ctx;
    const unsigned char *p = mem;
    if (p < b->buffer || p >= b->buffer + b->capacity)
        return AS_FREE_NOT_OWNED;
    return AS_FREE_NOOP;
}

static bool probe_reset(void *ctx, as_reset_mode mode, size_t limit)
{
    (void)mode, (void)limit;
    bump_reset(ctx);
    return true;
}

static bool probe_offset(const void *ctx, size_t *out)
{
    *out = offset_of(ctx);
    return true;
}

static bool probe_locate(const void *ctx, const void *mem, as_location *out)
{
    const bump *b = ctx;
    const unsigned char *p = mem;
    if (!b->keep_ledger || p < b->buffer || p >= b->buffer + b->capacity)
        return false;
    return ledger_locate(&b->blocks, 0, (size_t)(p - b->buffer), 0, out);
}

static void probe_destroy(void *ctx) { bump_destroy(ctx); }

static void probe_set_ledger(void *ctx, bool on) { bump_set_ledger(ctx, on); }

/* ---- checkpoints: the struct, the buffer up to its high-water mark, the
 * ledger's entries ---- */

static size_t high_water(const bump *b) { return offset_of(b) > b->high ? offset_of(b) : b->high; }

static bool probe_save(const void *ctx, const as_saver *w)
{
    const bump *b = ctx;
    return as_save(w, b, sizeof *b) && as_save_written(w, b->buffer, high_water(b)) && ledger_save(&b->blocks, w);
}

/* Bytes written since the checkpoint above its high-water mark go back to
 * the 0 of a fresh region. */
static bool probe_restore(void *ctx, const as_loader *r)
{
    bump *b = ctx, t;
    if (!as_load(r, &t, sizeof t) || t.buffer != b->buffer || t.capacity != b->capacity ||
        t.keep_ledger != b->keep_ledger || !ledger_reserve(&b->blocks, t.blocks.count))
        return false;
    if (!as_load_written(r, b->buffer, high_water(&t), high_water(b)) || !ledger_load(&b->blocks, t.blocks.count, r))
        return false;
    t.blocks = b->blocks;
    *b = t;
    as_change_forget(&b->changes, &bump_stamps);
    return true;
}

const as_probe bump_probe = {
    .kind = "bump",
    .inspect = probe_inspect,
    .inspect_range = probe_inspect_range,
    .changed_since = probe_changed_since,
    .check = probe_check,
    .judge_free = probe_judge,
    .reset = probe_reset,
    .offset = probe_offset,
    .locate = probe_locate,
    .destroy = probe_destroy,
    .noop_free_why = "a bump allocator frees nothing until reset",
    .resize_hint = "the tutorial's bump never resizes; exercise 1's does: new bump SIZE resize-last",
    .set_ledger = probe_set_ledger,
    .save = probe_save,
    .restore = probe_restore,
};

/* The same, for exercise 1's resize: only the hint differs. */
const as_probe bump_probe_resize_last = {
    .kind = "bump",
    .inspect = probe_inspect,
    .inspect_range = probe_inspect_range,
    .changed_since = probe_changed_since,
    .check = probe_check,
    .judge_free = probe_judge,
    .reset = probe_reset,
    .offset = probe_offset,
    .locate = probe_locate,
    .destroy = probe_destroy,
    .noop_free_why = "a bump allocator frees nothing until reset",
    .resize_hint = "exercise 1's bump resizes only its most recent block, and only within its buffer",
    .set_ledger = probe_set_ledger,
    .save = probe_save,
    .restore = probe_restore,
};
