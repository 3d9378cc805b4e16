/*
 * arena.c - Zig's ArenaAllocator (see arena.h).
 *
 * Chunks are kept in allocation order; the last one is current and the
 * only one that allocates. Each starts with a header that holds the address
 * of the previous chunk and the chunk's size, as Zig's BufNode does; a
 * chunk's end index counts from the chunk's start, header included.
 *
 * Invariants: every chunk's header matches the record beside it; end
 * indexes lie between the header and the chunk's size; recorded blocks lie
 * between the header and the end index, in address order.
 *
 * A checkpoint holds the struct, the chunk records and their ledgers (a
 * save copies 56 bytes per chunk and 32 per block); the chunks' bytes are
 * the backing allocator's, saved with it. Over a backing without
 * checkpoints (the system heap) the arena owns its chunks' memory: it
 * zeroes a new chunk, keeps the memory of a chunk it lets go as a spare
 * (reused by the next chunk of that size, never given back while it
 * lives), and saves each chunk's bytes up to its high-water mark itself.
 */
#include "allocscope/arena.h"

#include <stdlib.h>
#include <string.h>

#include "allocscope/ledger.h"

#define CHUNK_ALIGN_LOG2 AS_MAX_ALIGN_LOG2

typedef struct chunk_header {
    void *prev;
    size_t size;
} chunk_header;

_Static_assert(sizeof(chunk_header) == ARENA_CHUNK_HEADER, "chunk header is 16 bytes");

typedef struct chunk {
    unsigned char *mem;
    size_t size;
    size_t end;
    ledger blocks;
    size_t high;       /* the highest end before the last move back: bytes below may be written */
} chunk;

struct arena {
    as_instance backing;
    chunk *chunks;
    size_t count, cap;
    bool keep_ledger;
    /* over a backing without checkpoints (the system heap): chunk memory
     * the arena lets go is kept as spares (mem, size, high), reused by the
     * next chunk of that size, so a restore finds every saved chunk */
    bool own_chunks;
    chunk *spares;
    size_t nspare, spare_cap;
};

static size_t chunk_high(const chunk *c) { return c->end > c->high ? c->end : c->high; }
/* The bytes of a chunk that may not be 0 (high may pass a chunk shrunk in place). */
static size_t chunk_written(const chunk *c) { return chunk_high(c) < c->size ? chunk_high(c) : c->size; }

arena *arena_create(as_instance backing)
{
    arena *ar = calloc(1, sizeof *ar);
    if (ar == NULL)
        return NULL;
    ar->backing = backing;
    ar->keep_ledger = true;
    ar->own_chunks = !(backing.probe && backing.probe->save && backing.probe->restore);
    return ar;
}

static void write_header(chunk *c, const chunk *prev)
{
    chunk_header h = {prev ? prev->mem : NULL, c->size};
    memcpy(c->mem, &h, sizeof h);
}

static bool reserve_spares(arena *ar, size_t n)
{
    if (n <= ar->spare_cap)
        return true;
    chunk *grown = realloc(ar->spares, n * sizeof *grown);
    if (grown == NULL)
        return false;
    ar->spares = grown;
    ar->spare_cap = n;
    return true;
}

/* Chunk memory goes back to the backing allocator, or becomes a spare. */
static void give_back(arena *ar, unsigned char *mem, size_t size, size_t high)
{
    if (ar->own_chunks && reserve_spares(ar, ar->nspare + 1))
        ar->spares[ar->nspare++] = (chunk){mem, size, 0, {0}, high};
    else
        ar->backing.a.vtable->free(ar->backing.a.ctx, mem, size, CHUNK_ALIGN_LOG2, 0);
}

/* Memory for a chunk of len bytes: a spare of that size or the backing
 * allocator's; when the arena owns its chunks, all 0s (as a fresh region). */
static unsigned char *take_memory(arena *ar, size_t len)
{
    for (size_t i = 0; ar->own_chunks && i < ar->nspare; i++) {
        if (ar->spares[i].size != len)
            continue;
        chunk c = ar->spares[i];
        ar->spares[i] = ar->spares[--ar->nspare];
        memset(c.mem, 0, c.high);
        return c.mem;
    }
    unsigned char *mem = ar->backing.a.vtable->alloc(ar->backing.a.ctx, len, CHUNK_ALIGN_LOG2, 0);
    if (mem && ar->own_chunks)
        memset(mem, 0, len);
    return mem;
}

static void release_chunk(arena *ar, chunk *c)
{
    give_back(ar, c->mem, c->size, chunk_high(c));
    ledger_release(&c->blocks);
}

static void release_all(arena *ar)
{
    for (size_t i = 0; i < ar->count; i++)
        release_chunk(ar, &ar->chunks[i]);
    ar->count = 0;
}

void arena_destroy(arena *ar)
{
    if (ar == NULL)
        return;
    ar->own_chunks = false; /* everything goes back now */
    release_all(ar);
    for (size_t i = 0; i < ar->nspare; i++)
        give_back(ar, ar->spares[i].mem, ar->spares[i].size, 0);
    free(ar->spares);
    free(ar->chunks);
    free(ar);
}

static chunk *current(arena *ar) { return ar->count ? &ar->chunks[ar->count - 1] : NULL; }

/* Zig's createNode: a chunk of 1.5 * (previous usable bytes + request). */
static chunk *new_chunk(arena *ar, size_t prev_len, size_t minimum)
{
    size_t need, len;
    if (!as_add(minimum, ARENA_CHUNK_HEADER + 16, &need) || !as_add(prev_len, need, &need) ||
        !as_add(need, need / 2, &len))
        return NULL;
    if (ar->count == ar->cap) {
        size_t cap = ar->cap ? ar->cap * 2 : 8;
        chunk *grown = realloc(ar->chunks, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        ar->chunks = grown;
        ar->cap = cap;
    }
    unsigned char *mem = take_memory(ar, len);
    if (mem == NULL)
        return NULL;
    chunk *c = &ar->chunks[ar->count++];
    *c = (chunk){mem, len, ARENA_CHUNK_HEADER, {0}, 0};
    write_header(c, ar->count > 1 ? &ar->chunks[ar->count - 2] : NULL);
    return c;
}

/* Places len bytes in c, or returns NULL if they do not fit. */
static void *place(arena *ar, chunk *c, size_t len, size_t align, size_t *needed_end)
{
    size_t start, end;
    uintptr_t base = (uintptr_t)c->mem;
    if (!as_align_forward(base + c->end, align, &start))
        return NULL;
    start -= base;
    if (!as_add(start, len, &end)) {
        *needed_end = SIZE_MAX;
        return NULL;
    }
    *needed_end = end;
    if (end > c->size)
        return NULL;
    if (ar->keep_ledger && !ledger_push(&c->blocks, start, len))
        return NULL;
    c->end = end;
    return c->mem + start;
}

static void *alloc_slow(arena *ar, size_t len, uint8_t align_log2);

static void *arena_vt_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ra;
    arena *ar = ctx;
    if (__builtin_expect(ar->count != 0 && !ar->keep_ledger, 1)) {
        /* the fast path: bump within the current chunk */
        chunk *c = &ar->chunks[ar->count - 1];
        uintptr_t base = (uintptr_t)c->mem, mask = ((uintptr_t)1 << align_log2) - 1;
        size_t start = ((base + c->end + mask) & ~mask) - base;
        if (start <= c->size && len <= c->size - start) {
            c->end = start + len;
            return c->mem + start;
        }
    }
    return alloc_slow(ar, len, align_log2);
}

static void *alloc_slow(arena *ar, size_t len, uint8_t align_log2)
{
    size_t align = (size_t)1 << align_log2, minimum;
    chunk *c = current(ar);
    if (!as_add(len, align, &minimum))
        return NULL;
    if (c == NULL && (c = new_chunk(ar, 0, minimum)) == NULL)
        return NULL;
    for (;;) {
        size_t needed_end = 0;
        void *p = place(ar, c, len, align, &needed_end);
        if (p != NULL)
            return p;
        if (needed_end <= c->size)
            return NULL; /* the ledger had no memory */
        /* Try to grow the current chunk in place first, as Zig does. */
        if (needed_end != SIZE_MAX &&
            ar->backing.a.vtable->resize(ar->backing.a.ctx, c->mem, c->size, CHUNK_ALIGN_LOG2,
                                         needed_end, 0)) {
            if (ar->own_chunks)
                memset(c->mem + c->size, 0, needed_end - c->size);
            c->size = needed_end;
            write_header(c, ar->count > 1 ? &ar->chunks[ar->count - 2] : NULL);
            continue;
        }
        size_t prev_len = c->size - ARENA_CHUNK_HEADER;
        if ((c = new_chunk(ar, prev_len, minimum)) == NULL)
            return NULL;
    }
}

static bool is_last(const arena *ar, const void *mem, size_t len)
{
    const chunk *c = ar->count ? &ar->chunks[ar->count - 1] : NULL;
    return c && (const unsigned char *)mem + len == c->mem + c->end;
}

static ledger_entry *entry_of(arena *ar, const void *mem)
{
    if (!ar->keep_ledger)
        return NULL;
    const unsigned char *p = mem;
    for (size_t i = ar->count; i-- > 0;) {
        chunk *c = &ar->chunks[i];
        if (p >= c->mem && p < c->mem + c->size)
            return ledger_find(&c->blocks, (size_t)(p - c->mem));
    }
    return NULL;
}

/* The current chunk as a bump buffer; blocks in older chunks are never
 * the most recent, so Zig's rules see them as "another block". */
static ledger_buffer current_buffer(arena *ar)
{
    chunk *c = current(ar);
    return (ledger_buffer){c->mem, &c->end, c->size, ar->keep_ledger ? &c->blocks : NULL};
}

static bool arena_vt_resize(void *ctx, void *mem, size_t len, uint8_t align_log2,
                            size_t new_len, uintptr_t ra)
{
    (void)align_log2, (void)ra;
    arena *ar = ctx;
    if (!is_last(ar, mem, len)) {
        if (new_len > len)
            return false;
        ledger_entry *e = entry_of(ar, mem);
        if (e)
            e->len = new_len;
        return true;
    }
    current(ar)->high = chunk_high(current(ar));
    return ledger_buffer_resize(current_buffer(ar), mem, len, new_len);
}

static void *arena_vt_remap(void *ctx, void *mem, size_t len, uint8_t align_log2,
                            size_t new_len, uintptr_t ra)
{
    return arena_vt_resize(ctx, mem, len, align_log2, new_len, ra) ? mem : NULL;
}

static void arena_vt_free(void *ctx, void *mem, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)align_log2, (void)ra;
    arena *ar = ctx;
    if (is_last(ar, mem, len)) {
        current(ar)->high = chunk_high(current(ar));
        ledger_buffer_free(current_buffer(ar), mem, len);
        return;
    }
    ledger_entry *e = entry_of(ar, mem);
    if (e)
        e->freed = true;
}

static const as_vtable arena_vtable = {arena_vt_alloc, arena_vt_resize, arena_vt_remap, arena_vt_free};

as_allocator arena_allocator(arena *ar) { return (as_allocator){ar, &arena_vtable}; }
as_instance arena_instance(arena *ar) { return (as_instance){arena_allocator(ar), &arena_probe}; }

/* Usable bytes of all chunks (Zig's queryCapacity). */
static size_t usable_capacity(const arena *ar)
{
    size_t total = 0;
    for (size_t i = 0; i < ar->count; i++)
        total += ar->chunks[i].size - ARENA_CHUNK_HEADER;
    return total;
}

bool arena_reset(arena *ar, as_reset_mode mode, size_t limit)
{
    size_t usable = usable_capacity(ar), keep = 0;
    if (mode == AS_RESET_RETAIN_CAPACITY)
        keep = usable;
    else if (mode == AS_RESET_RETAIN_WITH_LIMIT)
        keep = limit < usable ? limit : usable;
    if (keep == 0) {
        release_all(ar);
        return true;
    }
    /* Keep the first chunk, give back the others. */
    for (size_t i = 1; i < ar->count; i++)
        release_chunk(ar, &ar->chunks[i]);
    ar->count = 1;
    chunk *first = &ar->chunks[0];
    first->high = chunk_high(first);
    first->end = ARENA_CHUNK_HEADER;
    ledger_clear(&first->blocks);
    size_t total = keep + ARENA_CHUNK_HEADER;
    if (first->size == total)
        return true;
    as_allocator b = ar->backing.a;
    if (b.vtable->resize(b.ctx, first->mem, first->size, CHUNK_ALIGN_LOG2, total, 0)) {
        if (ar->own_chunks && total > first->size)
            memset(first->mem + first->size, 0, total - first->size);
        first->size = total; /* high may stay above: those bytes are zeroed if it grows again */
    } else {
        unsigned char *mem = take_memory(ar, total);
        if (mem == NULL)
            return false;
        give_back(ar, first->mem, first->size, chunk_high(first));
        first->mem = mem;
        first->size = total;
        first->high = 0;
    }
    write_header(first, NULL);
    return true;
}

size_t arena_capacity(const arena *ar)
{
    size_t total = 0;
    for (size_t i = 0; i < ar->count; i++)
        total += ar->chunks[i].size;
    return total;
}

size_t arena_chunk_count(const arena *ar) { return ar->count; }

void arena_set_ledger(arena *ar, bool on)
{
    ar->keep_ledger = on;
    for (size_t i = 0; i < ar->count; i++)
        ledger_clear(&ar->chunks[i].blocks);
}

const char *arena_check(const arena *ar)
{
    for (size_t i = 0; i < ar->count; i++) {
        const chunk *c = &ar->chunks[i];
        chunk_header h;
        memcpy(&h, c->mem, sizeof h);
        if (h.size != c->size || h.prev != (i ? ar->chunks[i - 1].mem : NULL))
            return "arena: chunk header does not match the chunk";
        if (c->end < ARENA_CHUNK_HEADER || c->end > c->size)
            return "arena: end index outside its chunk";
        if (((uintptr_t)c->mem & (AS_REGION_ALIGN - 1)) != 0)
            return "arena: chunk not aligned to 4096";
        const char *why = ar->keep_ledger ? ledger_check(&c->blocks, c->end) : NULL;
        if (why)
            return why;
        if (c->blocks.count && c->blocks.entries[0].offset < ARENA_CHUNK_HEADER)
            return "arena: a block overlaps the chunk header";
    }
    return NULL;
}

static void probe_inspect(const void *ctx, const as_inspector *in)
{
    const arena *ar = ctx;
    for (size_t i = 0; i < ar->count; i++)
        as_emit_region(in, (uint32_t)i, ar->chunks[i].mem, ar->chunks[i].size);
    for (size_t i = 0; i < ar->count; i++) {
        const chunk *c = &ar->chunks[i];
        uint32_t r = (uint32_t)i;
        as_emit_span(in, r, 0, ARENA_CHUNK_HEADER, AS_SPAN_META, AS_META_CHUNK, NULL);
        if (ar->keep_ledger) {
            ledger_emit(&c->blocks, in, r, c->mem, ARENA_CHUNK_HEADER, c->end, c->size);
        } else {
            as_emit_span(in, r, ARENA_CHUNK_HEADER, c->end - ARENA_CHUNK_HEADER, AS_SPAN_LIVE,
                         AS_META_NONE, c->mem + ARENA_CHUNK_HEADER);
            as_emit_span(in, r, c->end, c->size - c->end, AS_SPAN_UNUSED, AS_META_NONE, NULL);
        }
        as_emit_marker(in, AS_MARK_CHUNK, r, 0);
        if (i + 1 == ar->count)
            as_emit_marker(in, AS_MARK_OFFSET, r, c->end);
    }
}

static const char *probe_check(const void *ctx) { return arena_check(ctx); }

static as_free_verdict probe_judge(const void *ctx, const void *mem, size_t len, uint8_t al)
{
    (void)al;
    arena *ar = (arena *)ctx;
    const unsigned char *p = mem;
    bool owned = false;
    for (size_t i = 0; i < ar->count && !owned; i++)
        owned = p >= ar->chunks[i].mem && p < ar->chunks[i].mem + ar->chunks[i].size;
    if (!owned)
        return AS_FREE_NOT_OWNED;
    ledger_entry *e = entry_of(ar, mem);
    if (e && e->freed)
        return AS_FREE_DOUBLE;
    if (e && e->len != len)
        return AS_FREE_WRONG_SIZE;
    return is_last(ar, mem, len) ? AS_FREE_OK : AS_FREE_KEPT;
}

static bool probe_reset(void *ctx, as_reset_mode mode, size_t limit)
{
    return arena_reset(ctx, mode, limit);
}

static bool probe_offset(const void *ctx, size_t *out)
{
    const arena *ar = ctx;
    if (ar->count == 0)
        return false;
    *out = ar->chunks[ar->count - 1].end;
    return true;
}

static bool probe_locate(const void *ctx, const void *mem, as_location *out)
{
    const arena *ar = ctx;
    const unsigned char *p = mem;
    for (size_t i = ar->count; ar->keep_ledger && i-- > 0;) {
        const chunk *c = &ar->chunks[i];
        if (p >= c->mem && p < c->mem + c->size)
            return ledger_locate(&c->blocks, (uint32_t)i, (size_t)(p - c->mem), ARENA_CHUNK_HEADER, out);
    }
    return false;
}

static void probe_destroy(void *ctx) { arena_destroy(ctx); }

static void probe_set_ledger(void *ctx, bool on) { arena_set_ledger(ctx, on); }

/* ---- checkpoints: the struct, the chunk records, each chunk's ledger;
 * over a backing allocator with checkpoints the chunks' bytes are its,
 * saved with it as an instance of its own (its restore gives the arena's
 * chunks back to it as they were); over the system heap the arena saves
 * each chunk's bytes up to its high-water mark itself. ---- */

static bool probe_save(const void *ctx, const as_saver *w)
{
    const arena *ar = ctx;
    if (!as_save(w, ar, sizeof *ar) || (ar->count && !as_save(w, ar->chunks, ar->count * sizeof *ar->chunks)))
        return false;
    for (size_t i = 0; i < ar->count; i++)
        if (!ledger_save(&ar->chunks[i].blocks, w))
            return false;
    for (size_t i = 0; ar->own_chunks && i < ar->count; i++)
        if (!as_save_written(w, ar->chunks[i].mem, chunk_written(&ar->chunks[i])))
            return false;
    return true;
}

/* The saved chunk records, with the ledger arrays the arena holds now
 * (the first ones reused, the rest released). */
static bool restore_chunks(arena *ar, chunk *saved, size_t count, const as_loader *r)
{
    for (size_t i = count; i < ar->count; i++)
        ledger_release(&ar->chunks[i].blocks);
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        ledger l = i < ar->count ? ar->chunks[i].blocks : (ledger){0};
        ok = ok && ledger_load(&l, saved[i].blocks.count, r);
        saved[i].blocks = l;
    }
    if (count)
        memcpy(ar->chunks, saved, count * sizeof *saved);
    ar->count = count;
    return ok;
}

/* Over the system heap: every saved chunk's memory is the arena's (a chunk
 * or a spare: it never gives memory back while it lives); high[i] gets
 * how far that memory may be written now, and the rest becomes the
 * spares. False, nothing changed, if one is missing. */
static bool take_back_memory(arena *ar, const chunk *saved, size_t count, size_t *high)
{
    size_t n = ar->count + ar->nspare;
    chunk *have = malloc((n + 1) * sizeof *have);
    bool *taken = calloc(n + 1, sizeof *taken), ok = have && taken && reserve_spares(ar, n);
    if (ok) {
        if (ar->count) /* chunks is NULL while there are none */
            memcpy(have, ar->chunks, ar->count * sizeof *have);
        if (ar->nspare)
            memcpy(have + ar->count, ar->spares, ar->nspare * sizeof *have);
    }
    for (size_t i = 0; ok && i < count; i++) {
        size_t j = 0;
        while (j < n && (taken[j] || have[j].mem != saved[i].mem))
            j++;
        ok = j < n;
        if (ok)
            taken[j] = true, high[i] = chunk_high(&have[j]);
    }
    if (ok) {
        ar->nspare = 0;
        for (size_t j = 0; j < n; j++)
            if (!taken[j])
                ar->spares[ar->nspare++] = (chunk){have[j].mem, have[j].size, 0, {0}, chunk_high(&have[j])};
    }
    free(have);
    free(taken);
    return ok;
}

/* Over the system heap: the chunks' bytes, those written since above the
 * saved high-water mark back to 0s. */
static bool load_bytes(const chunk *saved, size_t count, const size_t *high, const as_loader *r)
{
    for (size_t i = 0; i < count; i++) {
        size_t then = chunk_written(&saved[i]), now = high[i] < saved[i].size ? high[i] : saved[i].size;
        if (!as_load_written(r, saved[i].mem, then, now))
            return false;
    }
    return true;
}

static bool probe_restore(void *ctx, const as_loader *r)
{
    arena *ar = ctx, t;
    if (!as_load(r, &t, sizeof t) || t.backing.a.ctx != ar->backing.a.ctx || t.own_chunks != ar->own_chunks ||
        (t.count && as_load_len(r) != t.count * sizeof(chunk)))
        return false;
    chunk *saved = malloc((t.count + 1) * sizeof *saved);
    size_t *high = malloc((t.count + 1) * sizeof *high);
    bool ok = saved && high && (t.count == 0 || as_load(r, saved, t.count * sizeof *saved));
    if (ok && t.count > ar->cap) {
        chunk *grown = realloc(ar->chunks, t.count * sizeof *grown);
        ok = grown != NULL;
        if (ok)
            ar->chunks = grown, ar->cap = t.count;
    }
    ok = ok && (!ar->own_chunks || take_back_memory(ar, saved, t.count, high));
    ok = ok && restore_chunks(ar, saved, t.count, r);
    ok = ok && (!ar->own_chunks || load_bytes(ar->chunks, t.count, high, r));
    if (ok)
        ar->keep_ledger = t.keep_ledger;
    free(saved);
    free(high);
    return ok;
}

const as_probe arena_probe = {
    .kind = "arena",
    .inspect = probe_inspect,
    .check = probe_check,
    .judge_free = probe_judge,
    .reset = probe_reset,
    .offset = probe_offset,
    .locate = probe_locate,
    .destroy = probe_destroy,
    .region_word = "chunk",
    .noop_free_why = "an arena reclaims only its most recent block; the rest comes back on reset",
    .resize_hint = "only the most recent block can grow (and only within its buffer)",
    .set_ledger = probe_set_ledger,
    .save = probe_save,
    .restore = probe_restore,
};
