/*
 * pool.c - Zig's MemoryPool (see pool.h).
 *
 * Slabs hand out their slots in address order ("fresh" slots); destroyed
 * slots go on a LIFO free list whose links live in the first bytes of the
 * free slots themselves.
 *
 * Fresh slots come from the first slab that still has some (cur): after a
 * reset that keeps the slabs (retain capacity), creates refill slab 0, then
 * slab 1, ... and a new slab is added only when every retained slot is in
 * use, as Zig 0.12+'s MemoryPool.reset(.retain_capacity) bumps through its
 * retained arena capacity before asking the backing allocator for more.
 *
 * Invariants: every free-list link points at the start of a handed-out
 * slot; the slabs before cur are full (every slot handed out) and those
 * after it have handed out nothing; the list has no cycle and no repeated slot; the slots handed out
 * (live ones are those not on the free list) are counted exactly.
 *
 * A reset that lets slabs go keeps their memory as spares, reused (its
 * bytes back to 0s) by the next slab of the same size: the pool never
 * holds more than its peak, and a restore finds every saved slab at its
 * address. A checkpoint holds the struct, the slab records and each
 * slab's slots ever handed out: a save copies O(slots handed out) bytes.
 */
#include "allocscope/pool.h"

#include <stdlib.h>
#include <string.h>

typedef struct slab {
    unsigned char *mem;
    size_t slots;
    size_t handed_out;   /* fresh slots given out, from the start */
    size_t touched;      /* slots handed out before the last reset (their bytes stay) */
} slab;

struct pool {
    size_t item_size, slot_size, slot_align;
    bool growable;
    slab *slabs;
    size_t slab_count, slab_cap;
    size_t cur;          /* the slab fresh slots come from */
    void *free_head;
    size_t free_count;
    size_t handed;       /* slots ever taken from slabs; live = handed - free_count */
    slab *spares;        /* slabs a reset let go, kept for a restore or the next growth */
    size_t spare_count, spare_cap;
};

/* Slots of s whose bytes may differ from a fresh region's 0s. */
static size_t touched(const slab *s) { return s->handed_out > s->touched ? s->handed_out : s->touched; }

/* A spare slab of that many slots, its bytes back to 0s; false if none. */
static bool take_spare(pool *p, size_t slots, slab *out)
{
    for (size_t i = 0; i < p->spare_count; i++) {
        if (p->spares[i].slots != slots)
            continue;
        *out = p->spares[i];
        p->spares[i] = p->spares[--p->spare_count];
        memset(out->mem, 0, touched(out) * p->slot_size);
        out->handed_out = out->touched = 0;
        return true;
    }
    return false;
}

static bool reserve_spares(pool *p, size_t count)
{
    if (count <= p->spare_cap)
        return true;
    slab *grown = realloc(p->spares, count * sizeof *grown);
    if (grown == NULL)
        return false;
    p->spares = grown;
    p->spare_cap = count;
    return true;
}

static void *load_link(const void *slot)
{
    void *next;
    memcpy(&next, slot, sizeof next);
    return next;
}

static void store_link(void *slot, void *next) { memcpy(slot, &next, sizeof next); }

static bool add_slab(pool *p, size_t slots)
{
    size_t bytes;
    if (slots == 0 || slots > SIZE_MAX / p->slot_size)
        return false;
    bytes = slots * p->slot_size;
    if (p->slab_count == p->slab_cap) {
        size_t cap = p->slab_cap ? p->slab_cap * 2 : 4;
        slab *grown = realloc(p->slabs, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        p->slabs = grown;
        p->slab_cap = cap;
    }
    slab spare;
    if (take_spare(p, slots, &spare)) {
        p->slabs[p->slab_count++] = spare;
        return true;
    }
    unsigned char *mem = as_region_new(bytes, NULL);
    if (mem == NULL)
        return false;
    p->slabs[p->slab_count++] = (slab){mem, slots, 0, 0};
    return true;
}

pool *pool_create(pool_options opt)
{
    if (opt.item_size == 0 || opt.align_log2 > AS_MAX_ALIGN_LOG2 || opt.initial_slots == 0)
        return NULL;
    pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    size_t align = (size_t)1 << opt.align_log2;
    if (align < _Alignof(void *))
        align = _Alignof(void *);
    size_t size = opt.item_size < sizeof(void *) ? sizeof(void *) : opt.item_size;
    p->item_size = opt.item_size;
    p->slot_align = align;
    p->growable = opt.growable;
    if (!as_align_forward(size, align, &p->slot_size) || !add_slab(p, opt.initial_slots)) {
        free(p);
        return NULL;
    }
    return p;
}

void pool_destroy(pool *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->slab_count; i++)
        as_region_delete(p->slabs[i].mem);
    for (size_t i = 0; i < p->spare_count; i++)
        as_region_delete(p->spares[i].mem);
    free(p->slabs);
    free(p->spares);
    free(p);
}

void *pool_create_item(pool *p)
{
    if (p->free_head != NULL) {
        void *slot = p->free_head;
        p->free_head = load_link(slot);
        p->free_count--;
        return slot;
    }
    while (p->slabs[p->cur].handed_out == p->slabs[p->cur].slots && p->cur + 1 < p->slab_count)
        p->cur++; /* a retained slab after a reset: use it before growing */
    slab *s = &p->slabs[p->cur];
    if (s->handed_out == s->slots) {
        if (!p->growable || s->slots > SIZE_MAX / 2 || !add_slab(p, s->slots * 2))
            return NULL;
        p->cur = p->slab_count - 1;
        s = &p->slabs[p->cur];
    }
    p->handed++;
    return s->mem + p->slot_size * s->handed_out++;
}

void pool_destroy_item(pool *p, void *item)
{
    store_link(item, p->free_head);
    p->free_head = item;
    p->free_count++;
}

void pool_reset(pool *p, as_reset_mode mode)
{
    pool_reset_with_limit(p, mode, SIZE_MAX);
}

void pool_reset_with_limit(pool *p, as_reset_mode mode, size_t limit)
{
    for (size_t i = 0; i < p->slab_count; i++) {
        p->slabs[i].touched = touched(&p->slabs[i]);
        p->slabs[i].handed_out = 0;
    }
    /* the slabs kept: the first always; with a limit, the next ones while
     * their bytes together stay within it; free_all keeps only the first */
    size_t keep_slabs = p->slab_count, bytes = p->slab_count ? p->slabs[0].slots * p->slot_size : 0;
    if (p->growable && mode == AS_RESET_FREE_ALL)
        keep_slabs = 1;
    else if (p->growable && mode == AS_RESET_RETAIN_WITH_LIMIT)
        for (keep_slabs = 1; keep_slabs < p->slab_count; keep_slabs++) {
            size_t more = p->slabs[keep_slabs].slots * p->slot_size;
            if (bytes + more > limit)
                break;
            bytes += more;
        }
    if (keep_slabs < p->slab_count) {
        bool keep = reserve_spares(p, p->spare_count + p->slab_count - keep_slabs);
        for (size_t i = keep_slabs; i < p->slab_count; i++) {
            if (keep)
                p->spares[p->spare_count++] = p->slabs[i];
            else
                as_region_delete(p->slabs[i].mem);
        }
        p->slab_count = keep_slabs;
    }
    p->cur = 0;
    p->free_head = NULL;
    p->free_count = 0;
    p->handed = 0;
}

static const slab *slab_of(const pool *p, const void *ptr, size_t *index)
{
    const unsigned char *q = ptr;
    for (size_t i = 0; i < p->slab_count; i++) {
        const slab *s = &p->slabs[i];
        if (q >= s->mem && q < s->mem + s->slots * p->slot_size) {
            if (index)
                *index = i;
            return s;
        }
    }
    return NULL;
}

bool pool_owns_slot(const pool *p, const void *item)
{
    const slab *s = slab_of(p, item, NULL);
    if (s == NULL)
        return false;
    size_t off = (size_t)((const unsigned char *)item - s->mem);
    return off % p->slot_size == 0 && off / p->slot_size < s->handed_out;
}

static bool on_free_list(const pool *p, const void *item)
{
    size_t n = 0;
    for (const void *q = p->free_head; q != NULL && n <= p->free_count; q = load_link(q), n++)
        if (q == item)
            return true;
    return false;
}

static void *pool_vt_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ra;
    pool *p = ctx;
    if (len > p->item_size || ((size_t)1 << align_log2) > p->slot_align)
        return NULL;
    return pool_create_item(p);
}

static bool pool_vt_resize(void *ctx, void *mem, size_t len, uint8_t align_log2,
                           size_t new_len, uintptr_t ra)
{
    (void)mem, (void)len, (void)align_log2, (void)ra;
    return new_len <= ((pool *)ctx)->item_size;
}

static void *pool_vt_remap(void *ctx, void *mem, size_t len, uint8_t align_log2,
                           size_t new_len, uintptr_t ra)
{
    return pool_vt_resize(ctx, mem, len, align_log2, new_len, ra) ? mem : NULL;
}

static void pool_vt_free(void *ctx, void *mem, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)len, (void)align_log2, (void)ra;
    pool_destroy_item(ctx, mem);
}

static const as_vtable pool_vtable = {pool_vt_alloc, pool_vt_resize, pool_vt_remap, pool_vt_free};

as_allocator pool_allocator(pool *p) { return (as_allocator){p, &pool_vtable}; }
as_instance pool_instance(pool *p) { return (as_instance){pool_allocator(p), &pool_probe}; }

size_t pool_slot_size(const pool *p) { return p->slot_size; }
size_t pool_item_size(const pool *p) { return p->item_size; }
size_t pool_slot_align(const pool *p) { return p->slot_align; }
size_t pool_live(const pool *p) { return p->handed - p->free_count; }
size_t pool_slab_count(const pool *p) { return p->slab_count; }

size_t pool_slot_count(const pool *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->slab_count; i++)
        n += p->slabs[i].slots;
    return n;
}

static size_t handed_out(const pool *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->slab_count; i++)
        n += p->slabs[i].handed_out;
    return n;
}

const char *pool_check(const pool *p)
{
    size_t n = 0;
    for (const void *q = p->free_head; q != NULL; q = load_link(q)) {
        if (++n > p->free_count)
            return "pool: free list longer than its count (cycle?)";
        if (!pool_owns_slot(p, q))
            return "pool: free-list link outside the handed-out slots";
    }
    if (n != p->free_count)
        return "pool: free list shorter than its count";
    if (p->handed != handed_out(p) || p->free_count > p->handed)
        return "pool: the count of slots handed out is wrong";
    for (size_t i = 0; i < p->slab_count; i++) {
        if (p->slabs[i].handed_out > p->slabs[i].slots)
            return "pool: a slab handed out more slots than it has";
        if ((i < p->cur && p->slabs[i].handed_out != p->slabs[i].slots) ||
            (i > p->cur && p->slabs[i].handed_out != 0))
            return "pool: fresh slots taken out of slab order";
    }
    return NULL;
}

void pool_walk_free(const pool *p, void (*fn)(void *user, size_t slab, size_t offset, size_t size),
                    void *user)
{
    size_t n = 0;
    for (const void *q = p->free_head; q != NULL && n++ < p->free_count; q = load_link(q)) {
        size_t si;
        const slab *s = slab_of(p, q, &si);
        if (s)
            fn(user, si, (size_t)((const unsigned char *)q - s->mem), p->slot_size);
    }
}

/* Marks the free slots: bit i of the slab-major slot index. */
static unsigned char *free_map(const pool *p, size_t total)
{
    unsigned char *map = calloc(total / 8 + 1, 1);
    if (map == NULL)
        return NULL;
    size_t n = 0;
    for (const void *q = p->free_head; q != NULL && n++ < p->free_count; q = load_link(q)) {
        size_t si, idx;
        const slab *s = slab_of(p, q, &si);
        if (s == NULL)
            continue;
        idx = (size_t)((const unsigned char *)q - s->mem) / p->slot_size;
        for (size_t j = 0; j < si; j++)
            idx += p->slabs[j].slots;
        map[idx / 8] |= (unsigned char)(1u << (idx % 8));
    }
    return map;
}

static void probe_inspect(const void *ctx, const as_inspector *in)
{
    const pool *p = ctx;
    size_t total = pool_slot_count(p), index = 0;
    unsigned char *map = free_map(p, total);
    for (size_t i = 0; i < p->slab_count; i++)
        as_emit_region(in, (uint32_t)i, p->slabs[i].mem, p->slabs[i].slots * p->slot_size);
    as_span_writer out;
    as_writer_begin(&out, in);
    for (size_t i = 0; i < p->slab_count; i++) {
        const slab *s = &p->slabs[i];
        uint32_t r = (uint32_t)i;
        for (size_t k = 0; k < s->handed_out; k++, index++) {
            size_t off = k * p->slot_size;
            bool is_free = map && (map[index / 8] >> (index % 8)) & 1;
            if (is_free) {
                as_write_span(&out, r, off, sizeof(void *), AS_SPAN_META, AS_META_LINK, NULL);
                as_write_span(&out, r, off + sizeof(void *), p->slot_size - sizeof(void *),
                             AS_SPAN_FREED, AS_META_NONE, s->mem + off);
            } else {
                as_write_span(&out, r, off, p->item_size, AS_SPAN_LIVE, AS_META_NONE, s->mem + off);
                /* slack: the item rounded up to the slot */
                as_write_span(&out, r, off + p->item_size, p->slot_size - p->item_size,
                             AS_SPAN_SLACK, AS_META_NONE, s->mem + off);
            }
        }
        index += s->slots - s->handed_out;
        as_write_span(&out, r, s->handed_out * p->slot_size, (s->slots - s->handed_out) * p->slot_size,
                     AS_SPAN_UNUSED, AS_META_NONE, NULL);
        for (size_t k = 0; k <= s->slots; k++)
            as_write_marker(&out, AS_MARK_SLOT, r, k * p->slot_size);
    }
    size_t head_slab;
    const slab *hs = p->free_head ? slab_of(p, p->free_head, &head_slab) : NULL;
    if (hs)
        as_write_marker(&out, AS_MARK_FREE_HEAD, (uint32_t)head_slab,
                       (size_t)((const unsigned char *)p->free_head - hs->mem));
    as_writer_end(&out);
    free(map);
}

static const char *probe_check(const void *ctx) { return pool_check(ctx); }

static as_free_verdict probe_judge(const void *ctx, const void *mem, size_t len, uint8_t al)
{
    const pool *p = ctx;
    if (!pool_owns_slot(p, mem))
        return AS_FREE_NOT_OWNED;
    if (on_free_list(p, mem))
        return AS_FREE_DOUBLE;
    if (len > p->item_size || ((size_t)1 << al) > p->slot_align)
        return AS_FREE_WRONG_SIZE;
    return AS_FREE_OK;
}

static bool probe_reset(void *ctx, as_reset_mode mode, size_t limit)
{
    pool_reset_with_limit(ctx, mode, limit);
    return true;
}

static bool probe_locate(const void *ctx, const void *mem, as_location *out)
{
    const pool *p = ctx;
    size_t si;
    const slab *s = slab_of(p, mem, &si);
    if (s == NULL || !pool_owns_slot(p, mem))
        return false;
    *out = (as_location){(uint32_t)si, (size_t)((const unsigned char *)mem - s->mem), 0};
    return true;
}

static void probe_destroy(void *ctx) { pool_destroy(ctx); }

/* the free structure, for whoever shows it */
typedef struct walk_adapter {
    const as_free_walk *w;
} walk_adapter;

static void walk_one(void *user, size_t index, size_t offset, size_t size)
{
    const walk_adapter *a = user;
    if (a->w->block)
        a->w->block(a->w->user, (uint32_t)index, offset, size);
}

static void probe_walk_free(const void *ctx, const as_free_walk *w)
{
    walk_adapter a = {w};
    pool_walk_free(ctx, walk_one, &a);
}

static void probe_free_summary(const void *ctx, as_free_summary *out)
{
    *out = (as_free_summary){NULL, pool_slot_size(ctx), 0, pool_slot_size(ctx)};
}

/* ---- checkpoints: the struct, the slab records, each slab's bytes up to
 * the slots ever handed out ---- */

static bool probe_save(const void *ctx, const as_saver *w)
{
    const pool *p = ctx;
    if (!as_save(w, p, sizeof *p) || !as_save(w, p->slabs, p->slab_count * sizeof *p->slabs))
        return false;
    for (size_t i = 0; i < p->slab_count; i++)
        if (touched(&p->slabs[i]) && !as_save(w, p->slabs[i].mem, touched(&p->slabs[i]) * p->slot_size))
            return false;
    return true;
}

/* Where the memory of a saved slab is now, among the slabs and the spares
 * (have, n of them, taken marks those found); SIZE_MAX if it is not. */
static size_t find_slab(const slab *have, size_t n, const bool *taken, const slab *s)
{
    for (size_t j = 0; j < n; j++)
        if (!taken[j] && have[j].mem == s->mem && have[j].slots == s->slots)
            return j;
    return SIZE_MAX;
}

/* The saved slabs' records and bytes (slots written since go back to 0s);
 * every other slab the pool holds becomes a spare. */
static bool put_slabs(pool *p, slab *saved, size_t count, slab *have, size_t n, const as_loader *r)
{
    bool *taken = calloc(n + 1, sizeof *taken);
    size_t *now = malloc((count + 1) * sizeof *now);
    bool ok = taken && now && reserve_spares(p, n);
    if (ok && count > p->slab_cap) {
        slab *grown = realloc(p->slabs, count * sizeof *grown);
        ok = grown != NULL;
        if (ok)
            p->slabs = grown, p->slab_cap = count;
    }
    for (size_t i = 0; ok && i < count; i++) {
        size_t j = find_slab(have, n, taken, &saved[i]);
        ok = j != SIZE_MAX;
        if (ok)
            taken[j] = true, now[i] = touched(&have[j]);
    }
    if (ok) {
        p->spare_count = 0;
        for (size_t j = 0; j < n; j++)
            if (!taken[j])
                p->spares[p->spare_count++] = have[j];
        for (size_t i = 0; i < count; i++) {
            size_t then = touched(&saved[i]);
            ok = ok && (then == 0 || as_load(r, saved[i].mem, then * p->slot_size));
            if (now[i] > then)
                memset(saved[i].mem + then * p->slot_size, 0, (now[i] - then) * p->slot_size);
            p->slabs[i] = saved[i];
        }
        p->slab_count = count;
    }
    free(taken);
    free(now);
    return ok;
}

/* Restores in place: a saved slab's memory is still the pool's (a slab or
 * a spare), so nothing moves; false (nothing changed) if one is not. */
static bool probe_restore(void *ctx, const as_loader *r)
{
    pool *p = ctx, t;
    if (!as_load(r, &t, sizeof t) || t.slot_size != p->slot_size || t.growable != p->growable ||
        as_load_len(r) != t.slab_count * sizeof(slab))
        return false;
    size_t n = p->slab_count + p->spare_count;
    slab *saved = malloc((t.slab_count + 1) * sizeof *saved), *have = malloc((n + 1) * sizeof *have);
    bool ok = saved && have && as_load(r, saved, t.slab_count * sizeof *saved);
    if (ok) {
        if (p->slab_count) /* slabs is NULL while there are none */
            memcpy(have, p->slabs, p->slab_count * sizeof *have);
        if (p->spare_count)
            memcpy(have + p->slab_count, p->spares, p->spare_count * sizeof *have);
        ok = put_slabs(p, saved, t.slab_count, have, n, r);
    }
    if (ok) {
        t.slabs = p->slabs, t.slab_count = p->slab_count, t.slab_cap = p->slab_cap;
        t.spares = p->spares, t.spare_count = p->spare_count, t.spare_cap = p->spare_cap;
        *p = t;
    }
    free(saved);
    free(have);
    return ok;
}

const as_probe pool_probe = {
    .kind = "pool",
    .inspect = probe_inspect,
    .check = probe_check,
    .judge_free = probe_judge,
    .reset = probe_reset,
    .locate = probe_locate,
    .destroy = probe_destroy,
    .region_word = "slab",
    .resize_hint = "a pool block cannot be larger than its slot",
    .free_shape = AS_FREE_SLOTS,
    .walk_free = probe_walk_free,
    .free_summary = probe_free_summary,
    .save = probe_save,
    .restore = probe_restore,
};
