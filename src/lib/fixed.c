/*
 * fixed.c - Zig's FixedBufferAllocator (see fixed.h).
 *
 * Invariants: 0 <= end_index <= capacity; recorded blocks lie below
 * end_index in address order. "Is it the last allocation?" is decided as
 * Zig does: the block ends exactly at end_index.
 * A checkpoint holds the struct, the buffer up to the highest end index
 * ever reached and the ledger: a save copies O(high-water mark + blocks).
 */
#include "allocscope/fixed.h"

#include <stdlib.h>
#include <string.h>

#include "allocscope/ledger.h"

struct fixed {
    unsigned char *buffer;
    size_t capacity;
    size_t end_index;
    bool keep_ledger;
    ledger blocks;
    size_t high;        /* the highest end index before the last move back */
};

fixed *fixed_create(size_t capacity)
{
    fixed *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->buffer = as_region_new(capacity, NULL);
    if (f->buffer == NULL) {
        free(f);
        return NULL;
    }
    f->capacity = capacity;
    f->keep_ledger = true;
    return f;
}

void fixed_destroy(fixed *f)
{
    if (f == NULL)
        return;
    ledger_release(&f->blocks);
    as_region_delete(f->buffer);
    free(f);
}

static ledger_buffer buffer_of(fixed *f)
{
    return (ledger_buffer){f->buffer, &f->end_index, f->capacity, f->keep_ledger ? &f->blocks : NULL};
}

bool fixed_is_last(const fixed *f, const void *mem, size_t len)
{
    return ledger_buffer_is_last(buffer_of((fixed *)f), mem, len);
}

bool fixed_owns(const fixed *f, const void *ptr)
{
    const unsigned char *p = ptr;
    return p >= f->buffer && p < f->buffer + f->capacity;
}

static ledger_entry *entry_of(fixed *f, const void *mem)
{
    if (!f->keep_ledger || !fixed_owns(f, mem))
        return NULL;
    return ledger_find(&f->blocks, (size_t)((const unsigned char *)mem - f->buffer));
}

static __attribute__((noinline)) void *alloc_recorded(fixed *f, size_t start, size_t len)
{
    if (!ledger_push(&f->blocks, start, len))
        return NULL;
    f->end_index = start + len;
    return f->buffer + start;
}

static void *fixed_vt_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ra;
    fixed *f = ctx;
    uintptr_t base = (uintptr_t)f->buffer, mask = ((uintptr_t)1 << align_log2) - 1;
    /* base + end_index + mask cannot wrap: the buffer is a real allocation */
    size_t start = ((base + f->end_index + mask) & ~mask) - base;
    if (start > f->capacity || len > f->capacity - start)
        return NULL;
    if (__builtin_expect(f->keep_ledger, 0))
        return alloc_recorded(f, start, len);
    f->end_index = start + len;
    return f->buffer + start;
}

/* Before the end index may move back: the bytes below it stay written. */
static void note_high(fixed *f)
{
    if (f->end_index > f->high)
        f->high = f->end_index;
}

static bool fixed_vt_resize(void *ctx, void *mem, size_t len, uint8_t align_log2,
                            size_t new_len, uintptr_t ra)
{
    (void)align_log2, (void)ra;
    note_high(ctx);
    return ledger_buffer_resize(buffer_of(ctx), mem, len, new_len);
}

static void *fixed_vt_remap(void *ctx, void *mem, size_t len, uint8_t align_log2,
                            size_t new_len, uintptr_t ra)
{
    return fixed_vt_resize(ctx, mem, len, align_log2, new_len, ra) ? mem : NULL;
}

static void fixed_vt_free(void *ctx, void *mem, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)align_log2, (void)ra;
    note_high(ctx);
    ledger_buffer_free(buffer_of(ctx), mem, len);
}

static const as_vtable fixed_vtable = {fixed_vt_alloc, fixed_vt_resize, fixed_vt_remap, fixed_vt_free};

as_allocator fixed_allocator(fixed *f) { return (as_allocator){f, &fixed_vtable}; }
as_instance fixed_instance(fixed *f) { return (as_instance){fixed_allocator(f), &fixed_probe}; }

void fixed_reset(fixed *f)
{
    note_high(f);
    f->end_index = 0;
    ledger_clear(&f->blocks);
}

size_t fixed_end_index(const fixed *f) { return f->end_index; }
size_t fixed_capacity(const fixed *f) { return f->capacity; }

void fixed_set_ledger(fixed *f, bool on)
{
    f->keep_ledger = on;
    ledger_clear(&f->blocks);
}

const char *fixed_check(const fixed *f)
{
    if (f->end_index > f->capacity)
        return "fixed: end index past the end of the buffer";
    return f->keep_ledger ? ledger_check(&f->blocks, f->end_index) : NULL;
}

static void probe_inspect(const void *ctx, const as_inspector *in)
{
    const fixed *f = ctx;
    as_emit_region(in, 0, f->buffer, f->capacity);
    if (f->keep_ledger) {
        ledger_emit(&f->blocks, in, 0, f->buffer, 0, f->end_index, f->capacity);
    } else {
        as_emit_span(in, 0, 0, f->end_index, AS_SPAN_LIVE, AS_META_NONE, f->buffer);
        as_emit_span(in, 0, f->end_index, f->capacity - f->end_index, AS_SPAN_UNUSED,
                     AS_META_NONE, NULL);
    }
    as_emit_marker(in, AS_MARK_OFFSET, 0, f->end_index);
}

static const char *probe_check(const void *ctx) { return fixed_check(ctx); }

static as_free_verdict probe_judge(const void *ctx, const void *mem, size_t len, uint8_t al)
{
    (void)al;
    fixed *f = (fixed *)ctx;
    if (!fixed_owns(f, mem))
        return AS_FREE_NOT_OWNED;
    ledger_entry *e = entry_of(f, mem);
    if (e && e->freed)
        return AS_FREE_DOUBLE;
    if (e && e->len != len)
        return AS_FREE_WRONG_SIZE;
    return fixed_is_last(f, mem, len) ? AS_FREE_OK : AS_FREE_KEPT;
}

static bool probe_reset(void *ctx, as_reset_mode mode, size_t limit)
{
    (void)mode, (void)limit;
    fixed_reset(ctx);
    return true;
}

static bool probe_offset(const void *ctx, size_t *out)
{
    *out = ((const fixed *)ctx)->end_index;
    return true;
}

static bool probe_locate(const void *ctx, const void *mem, as_location *out)
{
    const fixed *f = ctx;
    if (!f->keep_ledger || !fixed_owns(f, mem))
        return false;
    return ledger_locate(&f->blocks, 0, (size_t)((const unsigned char *)mem - f->buffer), 0, out);
}

static void probe_destroy(void *ctx) { fixed_destroy(ctx); }

static void probe_set_ledger(void *ctx, bool on) { fixed_set_ledger(ctx, on); }

/* ---- checkpoints: the struct, the buffer up to its high-water mark, the
 * ledger's entries ---- */

static size_t high_water(const fixed *f) { return f->end_index > f->high ? f->end_index : f->high; }

static bool probe_save(const void *ctx, const as_saver *w)
{
    const fixed *f = ctx;
    return as_save(w, f, sizeof *f) && as_save_written(w, f->buffer, high_water(f)) && ledger_save(&f->blocks, w);
}

/* Bytes written since the checkpoint above its high-water mark go back to
 * the 0 of a fresh region. */
static bool probe_restore(void *ctx, const as_loader *r)
{
    fixed *f = ctx, t;
    if (!as_load(r, &t, sizeof t) || t.buffer != f->buffer || t.capacity != f->capacity ||
        t.keep_ledger != f->keep_ledger || !ledger_reserve(&f->blocks, t.blocks.count))
        return false;
    if (!as_load_written(r, f->buffer, high_water(&t), high_water(f)) || !ledger_load(&f->blocks, t.blocks.count, r))
        return false;
    t.blocks = f->blocks;
    *f = t;
    return true;
}

const as_probe fixed_probe = {
    .kind = "fixed",
    .inspect = probe_inspect,
    .check = probe_check,
    .judge_free = probe_judge,
    .reset = probe_reset,
    .offset = probe_offset,
    .locate = probe_locate,
    .destroy = probe_destroy,
    .noop_free_why = "a fixed buffer reclaims only its most recent block; these bytes come back on reset",
    .resize_hint = "only the most recent block can grow (and only within its buffer)",
    .set_ledger = probe_set_ledger,
    .save = probe_save,
    .restore = probe_restore,
};
