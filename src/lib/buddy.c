/*
 * buddy.c - a binary buddy allocator (see buddy.h).
 *
 * ctrl[i] describes the block that starts at minimum block i: its order
 * (size = BUDDY_MIN_BLOCK << order) and whether it is free or used; entries
 * that do not start a block are 0. Free blocks of each order form a doubly
 * linked list whose links (offset + 1 of the next and previous block) sit
 * in the first 16 bytes of the free block. lens[] keeps each used block's
 * requested length, so the tail that rounding wasted can be shown, and
 * handed[] has a bit per minimum block that was ever part of a block handed
 * out, so free memory shows as freed only where a program had it: the
 * halves a split leaves behind were never handed out.
 *
 * Invariants: blocks tile the buffer; each block's offset is a multiple of
 * its size; each free list holds exactly the free blocks of its order; no
 * free block has a free buddy of the same order (they would have merged).
 *
 * Cost: alloc and free O(log n) (n = capacity / BUDDY_MIN_BLOCK: one step
 * per order split or merged, plus marking the handed-out bits); the free
 * verdict (probe_judge) O(log n): the block holding a pointer is found by
 * trying each order's aligned start, never by walking the blocks. A walk
 * of every block (inspect, check, walk_free) is O(blocks).
 *
 * A checkpoint holds the struct, the control array, the lengths below the
 * high-water mark, the handed-out bits and the pages of the buffer ever
 * written (a bit per page, set by every link written and every block
 * handed out): a save copies the pages ever written, plus tables of
 * 1/16 of the capacity (control), 1/128 (handed-out bits) and up to 1/4
 * (lengths, below the high-water mark).
 */
#include "allocscope/buddy.h"

#include <stdlib.h>
#include <string.h>

#define BUDDY_FREE 0x80u
#define BUDDY_USED 0x40u
#define BUDDY_ORDER 0x3Fu
#define BUDDY_MAX_CAPACITY ((size_t)1 << 30)

struct buddy {
    unsigned char *buffer;
    size_t capacity;
    unsigned max_order;
    uint8_t *ctrl;
    as_change_log changes; /* for changed_since: the bytes each change touched */
    uint32_t *lens;
    uint64_t *handed;   /* a bit per minimum block: ever handed out since the reset */
    size_t heads[64];   /* first free block of each order + 1; 0: empty */
    size_t high_water;
    uint64_t *dirty;    /* a bit per page of the buffer: ever written (a link, a block handed out) */
};

#define PAGE_LOG2 12

static size_t block_size(unsigned order) { return (size_t)BUDDY_MIN_BLOCK << order; }
static size_t idx(size_t off) { return off / BUDDY_MIN_BLOCK; }

static size_t handed_words(size_t capacity) { return (idx(capacity) + 63) / 64; }

static uint64_t buddy_stamps; /* the stamps of every buddy allocator's changes */

static void note_change(buddy *b, size_t off, unsigned order)
{
    as_change_note(&b->changes, &buddy_stamps, off, off + block_size(order));
}

/* Notes minimum blocks [first, end) as handed out. */
static void mark_handed(buddy *b, size_t first, size_t end)
{
    for (size_t i = first; i < end && i % 64; i++)
        b->handed[i / 64] |= (uint64_t)1 << (i % 64);
    size_t i = (first + 63) / 64 * 64;
    for (; i + 64 <= end; i += 64)
        b->handed[i / 64] = ~(uint64_t)0;
    for (; i < end; i++)
        b->handed[i / 64] |= (uint64_t)1 << (i % 64);
}

static bool was_handed(const buddy *b, size_t i) { return (b->handed[i / 64] >> (i % 64)) & 1; }

/* The first minimum block from i (below end) whose bit is not `state`;
 * end if there is none. Word by word. */
static size_t next_change(const buddy *b, size_t i, size_t end, bool state)
{
    while (i < end) {
        uint64_t w = b->handed[i / 64] ^ (state ? ~(uint64_t)0 : 0); /* ones where the bit differs */
        w >>= i % 64;
        if (w)
            return i + (size_t)__builtin_ctzll(w) < end ? i + (size_t)__builtin_ctzll(w) : end;
        i = (i / 64 + 1) * 64;
    }
    return end;
}

static size_t page_words(size_t capacity) { return (((capacity + 4095) >> PAGE_LOG2) + 63) / 64; }

static void mark_dirty(buddy *b, size_t from, size_t end)
{
    for (size_t p = from >> PAGE_LOG2; p <= (end - 1) >> PAGE_LOG2; p++)
        b->dirty[p / 64] |= (uint64_t)1 << (p % 64);
}

static size_t link_get(const buddy *b, size_t off, int which)
{
    uint64_t v;
    memcpy(&v, b->buffer + off + 8 * which, sizeof v);
    return (size_t)v;
}

static void link_set(buddy *b, size_t off, int which, size_t v)
{
    uint64_t w = v;
    memcpy(b->buffer + off + 8 * which, &w, sizeof w);
    b->dirty[off >> (PAGE_LOG2 + 6)] |= (uint64_t)1 << ((off >> PAGE_LOG2) & 63); /* a link never crosses a page */
}

static void push_free(buddy *b, size_t off, unsigned order)
{
    b->ctrl[idx(off)] = (uint8_t)(BUDDY_FREE | order);
    link_set(b, off, 0, b->heads[order]);
    link_set(b, off, 1, 0);
    if (b->heads[order])
        link_set(b, b->heads[order] - 1, 1, off + 1);
    b->heads[order] = off + 1;
}

static void unlink_free(buddy *b, size_t off, unsigned order)
{
    size_t next = link_get(b, off, 0), prev = link_get(b, off, 1);
    if (prev)
        link_set(b, prev - 1, 0, next);
    else
        b->heads[order] = next;
    if (next)
        link_set(b, next - 1, 1, prev);
    b->ctrl[idx(off)] = 0;
}

void buddy_reset(buddy *b)
{
    as_change_forget(&b->changes, &buddy_stamps);
    memset(b->ctrl, 0, idx(b->capacity));
    memset(b->heads, 0, sizeof b->heads);
    memset(b->handed, 0, handed_words(b->capacity) * sizeof *b->handed);
    b->high_water = 0;
    push_free(b, 0, b->max_order);
}

buddy *buddy_create(size_t capacity)
{
    if (capacity < BUDDY_MIN_BLOCK || !as_is_power_of_two(capacity) || capacity > BUDDY_MAX_CAPACITY)
        return NULL;
    buddy *b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    b->buffer = as_region_new(capacity, NULL);
    b->ctrl = calloc(idx(capacity), 1);
    b->lens = calloc(idx(capacity), sizeof *b->lens);
    b->handed = calloc(handed_words(capacity), sizeof *b->handed);
    b->dirty = calloc(page_words(capacity), sizeof *b->dirty);
    if (b->buffer == NULL || b->ctrl == NULL || b->lens == NULL || b->handed == NULL || b->dirty == NULL) {
        buddy_destroy(b);
        return NULL;
    }
    b->capacity = capacity;
    b->max_order = as_log2(capacity / BUDDY_MIN_BLOCK);
    buddy_reset(b);
    return b;
}

void buddy_destroy(buddy *b)
{
    if (b == NULL)
        return;
    as_region_delete(b->buffer);
    free(b->ctrl);
    free(b->lens);
    free(b->handed);
    free(b->dirty);
    free(b);
}

static bool order_for(const buddy *b, size_t len, size_t align, unsigned *order)
{
    size_t need = len > align ? len : align;
    unsigned k = 0;
    while (block_size(k) < need) {
        if (k >= b->max_order)
            return false;
        k++;
    }
    *order = k;
    return true;
}

static void *buddy_vt_alloc(void *ctx, size_t len, uint8_t al, uintptr_t ra)
{
    (void)ra;
    buddy *b = ctx;
    unsigned k, j;
    if (len > b->capacity || !order_for(b, len, (size_t)1 << al, &k))
        return NULL;
    for (j = k; j <= b->max_order && b->heads[j] == 0; j++)
        ;
    if (j > b->max_order)
        return NULL;
    size_t off = b->heads[j] - 1;
    note_change(b, off, j); /* the free block split */
    unlink_free(b, off, j);
    while (j > k) {
        j--;
        push_free(b, off + block_size(j), j);
    }
    b->ctrl[idx(off)] = (uint8_t)(BUDDY_USED | k);
    b->lens[idx(off)] = (uint32_t)len;
    if (off + block_size(k) > b->high_water)
        b->high_water = off + block_size(k);
    mark_handed(b, idx(off), idx(off + block_size(k)));
    mark_dirty(b, off, off + block_size(k));
    return b->buffer + off;
}

static bool used_block(const buddy *b, const void *mem, size_t *off)
{
    const unsigned char *p = mem;
    if (p < b->buffer || p >= b->buffer + b->capacity || (size_t)(p - b->buffer) % BUDDY_MIN_BLOCK)
        return false;
    *off = (size_t)(p - b->buffer);
    return (b->ctrl[idx(*off)] & BUDDY_USED) != 0;
}

static void buddy_vt_free(void *ctx, void *mem, size_t len, uint8_t al, uintptr_t ra)
{
    (void)len, (void)al, (void)ra;
    buddy *b = ctx;
    size_t off;
    if (!used_block(b, mem, &off))
        return;
    unsigned k = b->ctrl[idx(off)] & BUDDY_ORDER;
    b->ctrl[idx(off)] = 0;
    b->lens[idx(off)] = 0;
    while (k < b->max_order) {
        size_t mate = off ^ block_size(k);
        if (b->ctrl[idx(mate)] != (BUDDY_FREE | k))
            break;
        unlink_free(b, mate, k);
        off = off < mate ? off : mate;
        k++;
    }
    note_change(b, off, k); /* the block with the buddies it merged with */
    push_free(b, off, k);
}

static bool buddy_vt_resize(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    (void)len, (void)al, (void)ra;
    buddy *b = ctx;
    size_t off;
    if (!used_block(b, mem, &off))
        return false;
    if (new_len > block_size(b->ctrl[idx(off)] & BUDDY_ORDER))
        return false;
    note_change(b, off, b->ctrl[idx(off)] & BUDDY_ORDER);
    b->lens[idx(off)] = (uint32_t)new_len;
    return true;
}

static void *buddy_vt_remap(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    return buddy_vt_resize(ctx, mem, len, al, new_len, ra) ? mem : NULL;
}

static const as_vtable buddy_vtable = {buddy_vt_alloc, buddy_vt_resize, buddy_vt_remap, buddy_vt_free};

as_allocator buddy_allocator(buddy *b) { return (as_allocator){b, &buddy_vtable}; }
as_instance buddy_instance(buddy *b) { return (as_instance){buddy_allocator(b), &buddy_probe}; }

size_t buddy_capacity(const buddy *b) { return b->capacity; }
size_t buddy_high_water(const buddy *b) { return b->high_water; }
unsigned buddy_max_order(const buddy *b) { return b->max_order; }

/* Calls fn for every block in address order with its order and flags. */
static void each_block(const buddy *b, void (*fn)(void *, size_t, unsigned, uint8_t), void *user)
{
    for (size_t off = 0; off < b->capacity;) {
        uint8_t c = b->ctrl[idx(off)];
        if (c == 0)
            return; /* corrupt; check() reports it */
        unsigned k = c & BUDDY_ORDER;
        fn(user, off, k, c);
        off += block_size(k);
    }
}

typedef struct walk_order {
    unsigned order;
    void (*fn)(void *user, size_t offset, size_t size);
    void *user;
} walk_order;

static void walk_cb(void *user, size_t off, unsigned k, uint8_t c)
{
    walk_order *w = user;
    if ((c & BUDDY_FREE) && k == w->order)
        w->fn(w->user, off, block_size(k));
}

static int by_offset(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, c = *(const size_t *)y;
    return (a > c) - (a < c);
}

/* The free blocks of order k in address order: its list (at most one
 * entry per minimum block, so a broken list cannot loop) sorted, in a
 * fresh array (*n entries); NULL when out of memory. */
static size_t *sorted_free_list(const buddy *b, unsigned k, size_t *n)
{
    size_t count = 0, most = idx(b->capacity);
    for (size_t f = b->heads[k]; f && count < most; f = link_get(b, f - 1, 0))
        count++;
    size_t *offs = malloc((count ? count : 1) * sizeof *offs);
    if (offs == NULL)
        return NULL;
    *n = 0;
    for (size_t f = b->heads[k]; f && *n < count; f = link_get(b, f - 1, 0))
        offs[(*n)++] = f - 1;
    qsort(offs, *n, sizeof *offs, by_offset);
    return offs;
}

/* O(F log F) for the F free blocks of the order, from its list (the
 * blocks' walk, O(blocks), only when out of memory). */
void buddy_walk_free(const buddy *b, unsigned order, void (*fn)(void *user, size_t offset, size_t size), void *user)
{
    size_t n;
    size_t *offs = order <= b->max_order ? sorted_free_list(b, order, &n) : NULL;
    if (offs == NULL) {
        walk_order w = {order, fn, user};
        each_block(b, walk_cb, &w);
        return;
    }
    for (size_t i = 0; i < n; i++)
        fn(user, offs[i], block_size(order));
    free(offs);
}

size_t buddy_free_bytes(const buddy *b)
{
    size_t total = 0;
    for (unsigned k = 0; k <= b->max_order; k++)
        for (size_t f = b->heads[k]; f; f = link_get(b, f - 1, 0))
            total += block_size(k);
    return total;
}

size_t buddy_largest_free(const buddy *b)
{
    for (unsigned k = b->max_order + 1; k-- > 0;)
        if (b->heads[k])
            return block_size(k);
    return 0;
}

const char *buddy_check(const buddy *b)
{
    size_t scanned_free = 0, listed = 0, off = 0;
    while (off < b->capacity) {
        uint8_t c = b->ctrl[idx(off)];
        unsigned k = c & BUDDY_ORDER;
        if (c == 0 || k > b->max_order || !(c & (BUDDY_FREE | BUDDY_USED)))
            return "buddy: a block has no valid control entry";
        if (off % block_size(k) != 0)
            return "buddy: a block's offset is not a multiple of its size";
        if (c & BUDDY_FREE) {
            scanned_free++;
            size_t mate = off ^ block_size(k);
            if (k < b->max_order && b->ctrl[idx(mate)] == (BUDDY_FREE | k))
                return "buddy: two free buddies were not merged";
        } else if (b->lens[idx(off)] > block_size(k)) {
            return "buddy: a block's length exceeds its size";
        }
        for (size_t i = idx(off) + 1; i < idx(off + block_size(k)); i++)
            if (b->ctrl[i] != 0)
                return "buddy: a control entry inside a block";
        off += block_size(k);
    }
    if (off != b->capacity)
        return "buddy: blocks do not tile the buffer";
    for (unsigned k = 0; k <= b->max_order; k++) {
        size_t prev = 0;
        for (size_t f = b->heads[k]; f; prev = f, f = link_get(b, f - 1, 0)) {
            if (++listed > scanned_free)
                return "buddy: free lists longer than the free blocks (cycle?)";
            if (b->ctrl[idx(f - 1)] != (BUDDY_FREE | k))
                return "buddy: a free list holds a block of another order or state";
            if (link_get(b, f - 1, 1) != prev)
                return "buddy: a free list's back link is wrong";
        }
    }
    if (listed != scanned_free)
        return "buddy: a free block is missing from its list";
    return NULL;
}

typedef struct emit_ctx {
    const buddy *b;
    as_span_writer out;
} emit_ctx;

static void emit_block(void *user, size_t off, unsigned k, uint8_t c)
{
    emit_ctx *e = user;
    const buddy *b = e->b;
    size_t size = block_size(k);
    if (c & BUDDY_USED) {
        size_t len = b->lens[idx(off)];
        as_write_span(&e->out, 0, off, len, AS_SPAN_LIVE, AS_META_NONE, b->buffer + off);
        /* slack: the size rounded up to a power of two */
        as_write_span(&e->out, 0, off + len, size - len, AS_SPAN_SLACK, AS_META_NONE, b->buffer + off);
        return;
    }
    /* after the links: freed where a program had the bytes, unused where
     * it never did (nothing above the high-water mark ever was) */
    as_write_span(&e->out, 0, off, BUDDY_MIN_BLOCK, AS_SPAN_META, AS_META_LINK, NULL);
    size_t i = idx(off) + 1, end = idx(off + size), top = idx(b->high_water);
    while (i < end) {
        bool handed = was_handed(b, i);
        size_t j = !handed && i >= top ? end : next_change(b, i, end, handed);
        as_write_span(&e->out, 0, i * BUDDY_MIN_BLOCK, (j - i) * BUDDY_MIN_BLOCK,
                      handed ? AS_SPAN_FREED : AS_SPAN_UNUSED, AS_META_NONE, NULL);
        i = j;
    }
}

static void mark_block(void *user, size_t off, unsigned k, uint8_t c)
{
    (void)k;
    emit_ctx *e = user;
    if (c & BUDDY_FREE)
        as_write_marker(&e->out, AS_MARK_FREE_NODE, 0, off);
}

static void probe_inspect(const void *ctx, const as_inspector *in)
{
    const buddy *b = ctx;
    emit_ctx e;
    e.b = b;
    as_writer_begin(&e.out, in);
    as_emit_region(in, 0, b->buffer, b->capacity);
    each_block(b, emit_block, &e);
    each_block(b, mark_block, &e);
    as_writer_end(&e.out);
}

/* The start of the block that holds offset `target`, found in O(log n)
 * (defined below). */
static bool block_holding(const buddy *b, size_t target, size_t *start);

/* O(log n + the blocks that meet the range + free blocks). */
static void probe_inspect_range(const void *ctx, uint32_t region, size_t from, size_t to, const as_inspector *in)
{
    const buddy *b = ctx;
    emit_ctx e;
    e.b = b;
    as_writer_begin(&e.out, in);
    size_t off;
    if (region == 0 && from < b->capacity && block_holding(b, from, &off))
        for (uint8_t c; off < b->capacity && off < to && (c = b->ctrl[idx(off)]) != 0; off += block_size(c & BUDDY_ORDER))
            emit_block(&e, off, c & BUDDY_ORDER, c);
    for (unsigned k = 0; region == 0 && k <= b->max_order; k++) {
        size_t n = 0, most = idx(b->capacity);
        for (size_t f = b->heads[k]; f && n++ < most; f = link_get(b, f - 1, 0))
            as_write_marker(&e.out, AS_MARK_FREE_NODE, 0, f - 1);
    }
    as_writer_end(&e.out);
}

static bool probe_changed_since(const void *ctx, uint64_t since, uint64_t *now, as_change *out)
{
    const buddy *b = ctx;
    return as_change_since(&b->changes, since, now, out);
}

static const char *probe_check(const void *ctx) { return buddy_check(ctx); }

/* The start of the block that holds offset `target`, found in O(log n):
 * a block of order k starts at target rounded down to its size, so the
 * one k whose control entry there says "order k" is the block (blocks
 * tile the buffer, so there is exactly one). False if the control array
 * names none (corrupt; check() says so). */
static bool block_holding(const buddy *b, size_t target, size_t *start)
{
    for (unsigned k = 0; k <= b->max_order; k++) {
        size_t s = target & ~(block_size(k) - 1);
        uint8_t c = b->ctrl[idx(s)];
        if (c != 0 && (c & BUDDY_ORDER) == k) {
            *start = s;
            return true;
        }
    }
    return false;
}

static as_free_verdict probe_judge(const void *ctx, const void *mem, size_t len, uint8_t al)
{
    (void)al;
    const buddy *b = ctx;
    const unsigned char *p = mem;
    if (p < b->buffer || p >= b->buffer + b->capacity)
        return AS_FREE_NOT_OWNED;
    size_t target = (size_t)(p - b->buffer), off;
    if (!block_holding(b, target, &off))
        return AS_FREE_NOT_OWNED;
    uint8_t c = b->ctrl[idx(off)];
    if (c & BUDDY_FREE)
        return AS_FREE_DOUBLE;
    if (target != off)
        return AS_FREE_NOT_OWNED;
    return b->lens[idx(off)] == len ? AS_FREE_OK : AS_FREE_WRONG_SIZE;
}

static bool probe_reset(void *ctx, as_reset_mode mode, size_t limit)
{
    (void)mode, (void)limit;
    buddy_reset(ctx);
    return true;
}

static bool probe_locate(const void *ctx, const void *mem, as_location *out)
{
    const buddy *b = ctx;
    size_t off;
    if (!used_block(b, mem, &off))
        return false;
    *out = (as_location){0, off, 0};
    return true;
}

static void probe_destroy(void *ctx) { buddy_destroy(ctx); }

/* the free structure, for whoever shows it */
typedef struct walk_adapter {
    const as_free_walk *w;
} walk_adapter;

static void walk_one(void *user, size_t offset, size_t size)
{
    const walk_adapter *a = user;
    if (a->w->block)
        a->w->block(a->w->user, 0, offset, size);
}

static void probe_walk_free(const void *ctx, const as_free_walk *w)
{
    walk_adapter a = {w};
    for (unsigned k = buddy_max_order(ctx) + 1; k-- > 0;) {
        if (w->list)
            w->list(w->user, k, (size_t)BUDDY_MIN_BLOCK << k);
        buddy_walk_free(ctx, k, walk_one, &a);
    }
}

static void probe_free_summary(const void *ctx, as_free_summary *out)
{
    *out = (as_free_summary){NULL, buddy_largest_free(ctx), 0, 0};
}

/* ---- checkpoints: the struct, the page bits, the control array, the
 * lengths below the high-water mark, the handed-out bits, then every run
 * of pages ever written ---- */

static size_t pages_of(const buddy *b) { return (b->capacity + 4095) >> PAGE_LOG2; }
static bool bit(const uint64_t *bits, size_t i) { return (bits[i / 64] >> (i % 64)) & 1; }

/* The end of the run of set bits (pages) that starts at p. */
static size_t run_end(const buddy *b, const uint64_t *bits, size_t p)
{
    while (p < pages_of(b) && bit(bits, p))
        p++;
    return p;
}

/* Bytes of pages [p, q) of the buffer (the last page may be short). */
static size_t pages_len(const buddy *b, size_t p, size_t q)
{
    size_t end = q << PAGE_LOG2;
    return (end < b->capacity ? end : b->capacity) - (p << PAGE_LOG2);
}

static bool save_tables(const buddy *b, const as_saver *w)
{
    return as_save(w, b->dirty, page_words(b->capacity) * sizeof *b->dirty) &&
           as_save(w, b->ctrl, idx(b->capacity)) &&
           (b->high_water == 0 || as_save(w, b->lens, idx(b->high_water) * sizeof *b->lens)) &&
           as_save(w, b->handed, handed_words(b->capacity) * sizeof *b->handed);
}

static bool probe_save(const void *ctx, const as_saver *w)
{
    const buddy *b = ctx;
    if (!as_save(w, b, sizeof *b) || !save_tables(b, w))
        return false;
    for (size_t p = 0; p < pages_of(b); p++) {
        if (!bit(b->dirty, p))
            continue;
        size_t q = run_end(b, b->dirty, p);
        if (!as_save(w, b->buffer + (p << PAGE_LOG2), pages_len(b, p, q)))
            return false;
        p = q - 1;
    }
    return true;
}

/* Pages written since the checkpoint, and not before it, go back to the 0s
 * of a fresh region. Lengths above the saved high-water mark are left:
 * only used blocks' are read, and they all lie below it. */
static bool probe_restore(void *ctx, const as_loader *r)
{
    buddy *b = ctx, t;
    size_t words = page_words(b->capacity);
    if (!as_load(r, &t, sizeof t) || t.buffer != b->buffer || t.capacity != b->capacity)
        return false;
    uint64_t *then = malloc(words * sizeof *then);
    bool ok = then && as_load(r, then, words * sizeof *then) && as_load(r, b->ctrl, idx(b->capacity)) &&
              (t.high_water == 0 || as_load(r, b->lens, idx(t.high_water) * sizeof *b->lens)) &&
              as_load(r, b->handed, handed_words(b->capacity) * sizeof *b->handed);
    for (size_t p = 0; ok && p < pages_of(b); p++) {
        if (bit(then, p)) {
            size_t q = run_end(b, then, p);
            ok = as_load(r, b->buffer + (p << PAGE_LOG2), pages_len(b, p, q));
            p = q - 1;
        } else if (bit(b->dirty, p)) {
            memset(b->buffer + (p << PAGE_LOG2), 0, pages_len(b, p, p + 1));
        }
    }
    if (ok) {
        memcpy(b->dirty, then, words * sizeof *then);
        t.ctrl = b->ctrl, t.lens = b->lens, t.handed = b->handed, t.dirty = b->dirty;
        *b = t;
        as_change_forget(&b->changes, &buddy_stamps);
    }
    free(then);
    return ok;
}

const as_probe buddy_probe = {
    .kind = "buddy",
    .inspect = probe_inspect,
    .inspect_range = probe_inspect_range,
    .changed_since = probe_changed_since,
    .check = probe_check,
    .judge_free = probe_judge,
    .reset = probe_reset,
    .locate = probe_locate,
    .destroy = probe_destroy,
    .resize_hint = "a buddy block cannot grow past its power-of-two size",
    .free_shape = AS_FREE_ORDERS,
    .walk_free = probe_walk_free,
    .free_summary = probe_free_summary,
    .save = probe_save,
    .restore = probe_restore,
};
