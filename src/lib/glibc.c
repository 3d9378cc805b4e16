/*
 * glibc.c - the glibc view of a recording (see glibc.h).
 *
 * Algorithm: the plan's allocations are handed out in order (a cursor):
 * alloc, resize and remap succeed only when the next planned allocation
 * is of that kind and size, and return the recorded address moved into
 * the view's own memory. Regions, fixed at creation from the plan: 0 is
 * the main heap, from its recorded start (rounded down to a page) to the
 * end of its last chunk; then one per other arena heap (64 MiB aligned,
 * as glibc's heaps are), from its start to the end of its last chunk;
 * after them the mmapped chunks, one region each (a region whose chunk
 * was freed is reused by the next mmapped chunk). Each region keeps its
 * blocks in an array sorted by offset: a block's chunk is [offset -
 * header, offset + usable), the header being glibc's size word (8 bytes)
 * or, for an mmapped chunk, prev_size and size (16); usable = size +
 * slack. A freed block stays shown (glibc keeps the chunk in a bin) until
 * a later chunk overlaps it. The bytes of the main heap between its
 * recorded start and its first recorded chunk (at most a page: glibc's
 * tcache, allocated before any call the recorder sees) are glibc's own,
 * shown as chunk metadata.
 *
 * Invariants: every region's blocks are sorted, their chunks disjoint and
 * inside the region; live blocks are never dropped; the cursor only moves
 * forward, by one per successful alloc / resize / remap.
 *
 * Cost: an allocation is a binary search and an insertion into its
 * region's array (O(blocks of the region): the view is for watching, not
 * for speed); a free is a search over the regions (few) and a binary
 * search.
 *
 * A checkpoint holds the struct (the cursor), the region records, their
 * blocks and each region's bytes between the lowest and the highest chunk
 * ever placed in it: a save copies O(blocks + that span). Region memory
 * is never given back while the view lives: a dead mmapped region keeps
 * its memory for the next mmapped chunk that fits, and memory a region
 * gives up (for a bigger chunk, or at a restore) is kept as a spare, so a
 * checkpoint's regions can always be put back where they were.
 */
#include "allocscope/glibc.h"

#include <stdlib.h>
#include <string.h>

#define PAGE 4096u
#define ARENA_HEAP ((uint64_t)1 << 26) /* glibc's HEAP_MAX_SIZE on 64-bit */
#define MAX_ARENAS 48

typedef struct gblock {
    size_t off;      /* of the block, in its region */
    size_t len;      /* asked for */
    size_t usable;   /* len + slack */
    unsigned hdr;    /* bytes of chunk header before off */
    bool freed;
} gblock;

typedef struct gregion {
    uint64_t lo;           /* the recorded address of its first byte */
    size_t size;
    size_t room;           /* bytes of mem (size rounded up to a page) */
    size_t t_lo, t_hi;     /* where chunks were ever placed: the bytes that may not be 0 */
    unsigned char *mem;
    gblock *b;
    size_t n, cap;
    bool mmapped, in_use;  /* mmapped: in_use while its chunk is live */
} gregion;

struct glibc_layout {
    glibc_op *ops;
    size_t count, cursor;
    gregion *r;
    size_t nr, rcap;
    size_t fixed;          /* the main heap and the arenas: regions [0, fixed) */
    size_t own_lo, own_hi; /* region 0: glibc's own chunk before the first recorded one (its tcache) */
    gregion *spare;        /* memory a region gave up (mem, room, t_lo, t_hi), kept for a restore */
    size_t nspare, spare_cap;
};

static uint64_t round_down(uint64_t v) { return v & ~(uint64_t)(PAGE - 1); }
static uint64_t round_up(uint64_t v) { return (v + PAGE - 1) & ~(uint64_t)(PAGE - 1); }
static unsigned header_of(unsigned chunk) { return chunk & GLIBC_CHUNK_MMAPPED ? 16 : 8; }

static bool add_region(glibc_layout *g, uint64_t lo, size_t size, bool mmapped)
{
    if (g->nr == g->rcap) {
        size_t cap = g->rcap ? g->rcap * 2 : 8;
        gregion *r = realloc(g->r, cap * sizeof *r);
        if (r == NULL)
            return false;
        g->r = r, g->rcap = cap;
    }
    gregion *r = &g->r[g->nr];
    memset(r, 0, sizeof *r);
    r->mem = as_region_new(size, &r->room);
    if (r->mem == NULL)
        return false;
    r->lo = lo, r->size = size, r->mmapped = mmapped;
    g->nr++;
    return true;
}

/* The fixed regions: the main heap's span and each arena heap's. */
static const char *plan_regions(glibc_layout *g, uint64_t heap_start)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    uint64_t arena_lo[MAX_ARENAS], arena_hi[MAX_ARENAS];
    size_t arenas = 0;
    for (size_t i = 0; i < g->count; i++) {
        const glibc_op *o = &g->ops[i];
        if (o->chunk & GLIBC_CHUNK_MMAPPED)
            continue;
        uint64_t start = o->addr - 16, end = o->addr + o->size + o->slack;
        if (o->addr < 16 || end < o->addr)
            return "an address of the recording is out of range";
        if (o->chunk & GLIBC_CHUNK_NON_MAIN) {
            uint64_t base = o->addr & ~(ARENA_HEAP - 1);
            size_t k = 0;
            while (k < arenas && arena_lo[k] != base)
                k++;
            if (k == arenas) {
                if (arenas == MAX_ARENAS)
                    return "more arena heaps than the view shows (48)";
                arena_lo[arenas] = base, arena_hi[arenas++] = end;
            }
            if (end > arena_hi[k])
                arena_hi[k] = end;
            continue;
        }
        lo = start < lo ? start : lo;
        hi = end > hi ? end : hi;
    }
    uint64_t first = lo; /* the lowest recorded chunk */
    if (heap_start && heap_start <= lo)
        lo = heap_start;
    if (hi == 0) /* no block in the main heap: a page of it */
        lo = heap_start ? heap_start : PAGE, hi = lo + 1;
    lo = round_down(lo);
    if (heap_start && heap_start >= lo && heap_start < first && first - heap_start <= 4096)
        g->own_lo = (size_t)(heap_start - lo), g->own_hi = (size_t)(first - lo);
    if (round_up(hi) - lo > GLIBC_MAX_REGION)
        return "the recorded main heap spans more than 1 GiB";
    if (!add_region(g, lo, (size_t)(round_up(hi) - lo), false))
        return "not enough memory for the heap's mirror";
    for (size_t k = 0; k < arenas; k++)
        if (round_up(arena_hi[k]) - arena_lo[k] > GLIBC_MAX_REGION || /* cannot be: 64 MiB heaps */
            !add_region(g, arena_lo[k], (size_t)(round_up(arena_hi[k]) - arena_lo[k]), false))
            return "not enough memory for an arena's mirror";
    g->fixed = g->nr;
    return NULL;
}

glibc_layout *glibc_create(const glibc_plan *plan, const char **why)
{
    static const char *ignored;
    why = why ? why : &ignored;
    glibc_layout *g = calloc(1, sizeof *g);
    if (g == NULL || (plan->count && (g->ops = malloc(plan->count * sizeof *g->ops)) == NULL)) {
        free(g);
        *why = "not enough memory for the recording's plan";
        return NULL;
    }
    if (plan->count)
        memcpy(g->ops, plan->ops, plan->count * sizeof *g->ops);
    g->count = plan->count;
    if ((*why = plan_regions(g, plan->heap_start)) != NULL) {
        glibc_destroy(g);
        return NULL;
    }
    return g;
}

void glibc_destroy(glibc_layout *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; i < g->nr; i++) {
        as_region_delete(g->r[i].mem);
        free(g->r[i].b);
    }
    for (size_t i = 0; i < g->nspare; i++)
        as_region_delete(g->spare[i].mem);
    free(g->spare);
    free(g->r);
    free(g->ops);
    free(g);
}

size_t glibc_done(const glibc_layout *g) { return g->cursor; }
size_t glibc_planned(const glibc_layout *g) { return g->count; }

/* The first block of r whose offset is >= off. */
static size_t lower(const gregion *r, size_t off)
{
    size_t a = 0, b = r->n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (r->b[m].off < off)
            a = m + 1;
        else
            b = m;
    }
    return a;
}

static size_t chunk_start(const gblock *b) { return b->off - b->hdr; }
static size_t chunk_end(const gblock *b) { return b->off + b->usable; }

/* The fixed region holding [lo, hi) of recorded addresses, or -1. */
static size_t fixed_region(const glibc_layout *g, uint64_t lo, uint64_t hi)
{
    for (size_t i = 0; i < g->fixed; i++)
        if (lo >= g->r[i].lo && hi <= g->r[i].lo + g->r[i].size)
            return i;
    return (size_t)-1;
}

static bool reserve_spares(glibc_layout *g, size_t n)
{
    if (n <= g->spare_cap)
        return true;
    gregion *s = realloc(g->spare, n * sizeof *s);
    if (s == NULL)
        return false;
    g->spare = s, g->spare_cap = n;
    return true;
}

/* Region r's memory and the spare k trade places. */
static void swap_memory(gregion *r, gregion *k)
{
    gregion m = *k;
    k->mem = r->mem, k->room = r->room, k->t_lo = r->t_lo, k->t_hi = r->t_hi;
    r->mem = m.mem, r->room = m.room, r->t_lo = m.t_lo, r->t_hi = m.t_hi;
}

/* Dead region r takes memory of at least size bytes: a spare's, or new;
 * its own becomes a spare. */
static bool renew_memory(glibc_layout *g, gregion *r, size_t size)
{
    for (size_t k = 0; k < g->nspare; k++)
        if (g->spare[k].room >= size) {
            swap_memory(r, &g->spare[k]);
            return true;
        }
    gregion fresh = {0};
    if (!reserve_spares(g, g->nspare + 1) || (fresh.mem = as_region_new(size, &fresh.room)) == NULL)
        return false;
    g->spare[g->nspare++] = fresh;
    swap_memory(r, &g->spare[g->nspare - 1]);
    return true;
}

/* A region for an mmapped chunk: a dead one reused, else a new one. */
static size_t mmapped_region(glibc_layout *g, uint64_t lo, size_t size)
{
    size_t i = g->fixed;
    while (i < g->nr && g->r[i].in_use)
        i++;
    if (i < g->nr) {
        /* memory is never given back while the view lives (a checkpoint
         * may name it): a dead region's, or a spare, or new, fresh again */
        gregion *r = &g->r[i];
        if (r->room < size && !renew_memory(g, r, size))
            return (size_t)-1;
        if (r->t_hi > r->t_lo)
            memset(r->mem + r->t_lo, 0, r->t_hi - r->t_lo);
        r->t_lo = r->t_hi = 0;
        r->size = size, r->lo = lo, r->n = 0;
    } else if (!add_region(g, lo, size, true))
        return (size_t)-1;
    g->r[i].in_use = true;
    return i;
}

/* Notes that [lo, hi) of r may be written. */
static void touch(gregion *r, size_t lo, size_t hi)
{
    if (r->t_hi == r->t_lo)
        r->t_lo = lo, r->t_hi = hi;
    if (lo < r->t_lo)
        r->t_lo = lo;
    if (hi > r->t_hi)
        r->t_hi = hi;
}

/* Drops the freed blocks whose chunks overlap [s, e) of r; false if a
 * live one does (the recording contradicts itself), keeping `except`. */
static bool clear_range(gregion *r, size_t s, size_t e, size_t except)
{
    size_t i = lower(r, s);
    while (i > 0 && chunk_end(&r->b[i - 1]) > s)
        i--;
    size_t w = i, k = i;
    bool ok = true;
    for (; k < r->n && chunk_start(&r->b[k]) < e; k++) {
        const gblock *b = &r->b[k];
        bool overlaps = chunk_end(b) > s && b->off != except;
        if (overlaps && !b->freed)
            ok = false;
        if (!(overlaps && b->freed))
            r->b[w++] = *b;
    }
    if (k < r->n)
        memmove(&r->b[w], &r->b[k], (r->n - k) * sizeof *r->b);
    r->n = w + (r->n - k);
    return ok;
}

/* Where a planned block goes; NULL if it cannot (no region, no memory, a
 * live block in the way). */
static gblock *place(glibc_layout *g, const glibc_op *o, size_t *region)
{
    unsigned hdr = header_of(o->chunk);
    size_t usable = o->size + o->slack;
    size_t ri;
    if (o->chunk & GLIBC_CHUNK_MMAPPED)
        ri = mmapped_region(g, o->addr - hdr, (size_t)round_up(hdr + usable));
    else
        ri = fixed_region(g, o->addr - hdr, o->addr + usable);
    if (ri == (size_t)-1)
        return NULL;
    gregion *r = &g->r[ri];
    size_t off = (size_t)(o->addr - r->lo);
    if (!clear_range(r, off - hdr, off + usable, (size_t)-1))
        return NULL;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        gblock *b = realloc(r->b, cap * sizeof *b);
        if (b == NULL)
            return NULL;
        r->b = b, r->cap = cap;
    }
    size_t at = lower(r, off);
    if (at < r->n)
        memmove(&r->b[at + 1], &r->b[at], (r->n - at) * sizeof *r->b);
    r->b[at] = (gblock){off, o->size, usable, hdr, false};
    r->n++;
    touch(r, off - hdr, off + usable);
    *region = ri;
    return &r->b[at];
}

/* The region and block of a pointer the view handed out, or false. */
static bool find(const glibc_layout *g, const void *mem, size_t *region, size_t *index)
{
    const unsigned char *p = mem;
    for (size_t i = 0; i < g->nr; i++) {
        const gregion *r = &g->r[i];
        if (p < r->mem || p >= r->mem + r->size)
            continue;
        size_t off = (size_t)(p - r->mem), at = lower(r, off);
        if (at < r->n && r->b[at].off == off) {
            *region = i, *index = at;
            return true;
        }
        return false;
    }
    return false;
}

static const glibc_op *next_op(const glibc_layout *g, bool realloc, size_t size)
{
    if (g->cursor >= g->count)
        return NULL;
    const glibc_op *o = &g->ops[g->cursor];
    return o->realloc == realloc && o->size == size ? o : NULL;
}

static void *vt_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)align_log2, (void)ra;
    glibc_layout *g = ctx;
    const glibc_op *o = next_op(g, false, len);
    size_t ri;
    gblock *b = o ? place(g, o, &ri) : NULL;
    if (b == NULL)
        return NULL;
    g->cursor++;
    return g->r[ri].mem + b->off;
}

/* The recorded address of a live block of the view. */
static uint64_t recorded(const glibc_layout *g, size_t ri, size_t bi) { return g->r[ri].lo + g->r[ri].b[bi].off; }

static bool vt_resize(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len, uintptr_t ra)
{
    (void)len, (void)align_log2, (void)ra;
    glibc_layout *g = ctx;
    const glibc_op *o = next_op(g, true, new_len);
    size_t ri, bi;
    if (o == NULL || !find(g, mem, &ri, &bi) || g->r[ri].b[bi].freed || recorded(g, ri, bi) != o->addr)
        return false;
    gregion *r = &g->r[ri];
    size_t off = r->b[bi].off, usable = o->size + o->slack;
    if (off + usable > r->size || !clear_range(r, off, off + usable, off))
        return false;
    find(g, mem, &ri, &bi); /* clear_range may have moved it */
    r->b[bi].len = o->size, r->b[bi].usable = usable;
    touch(r, off, off + usable);
    g->cursor++;
    return true;
}

static void vt_free(void *ctx, void *mem, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)len, (void)align_log2, (void)ra;
    glibc_layout *g = ctx;
    size_t ri, bi;
    if (!find(g, mem, &ri, &bi))
        return;
    g->r[ri].b[bi].freed = true;
    if (g->r[ri].mmapped)
        g->r[ri].in_use = false; /* munmapped: the region may serve the next mmapped chunk */
}

static void *vt_remap(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len, uintptr_t ra)
{
    glibc_layout *g = ctx;
    const glibc_op *o = next_op(g, true, new_len);
    size_t ri, bi;
    if (o == NULL || !find(g, mem, &ri, &bi) || g->r[ri].b[bi].freed)
        return NULL;
    if (recorded(g, ri, bi) == o->addr)
        return vt_resize(ctx, mem, len, align_log2, new_len, ra) ? mem : NULL;
    glibc_op moved = *o;
    moved.realloc = false;
    size_t nri;
    gblock *b = place(g, &moved, &nri);
    if (b == NULL)
        return NULL;
    unsigned char *to = g->r[nri].mem + b->off;
    memmove(to, mem, len < new_len ? len : new_len);
    vt_free(ctx, mem, len, align_log2, ra); /* glibc freed the old chunk */
    g->cursor++;
    return to;
}

static const as_vtable glibc_vtable = {vt_alloc, vt_resize, vt_remap, vt_free};

as_instance glibc_instance(glibc_layout *g) { return (as_instance){{g, &glibc_vtable}, &glibc_probe}; }

bool glibc_place(const glibc_layout *g, uint64_t addr, uint32_t *region, size_t *offset)
{
    for (size_t i = 0; i < g->nr; i++)
        if (addr >= g->r[i].lo && addr < g->r[i].lo + g->r[i].size && (i < g->fixed || g->r[i].in_use)) {
            *region = (uint32_t)i, *offset = (size_t)(addr - g->r[i].lo);
            return true;
        }
    return false;
}

/* ---- the probe ---- */

static void probe_inspect(const void *ctx, const as_inspector *in)
{
    const glibc_layout *g = ctx;
    for (size_t i = 0; i < g->nr; i++)
        as_emit_region(in, (uint32_t)i, g->r[i].mem, g->r[i].size);
    as_span_writer w;
    as_writer_begin(&w, in);
    for (size_t i = 0; i < g->nr; i++) {
        const gregion *r = &g->r[i];
        uint32_t ri = (uint32_t)i;
        size_t at = 0;
        if (i == 0 && g->own_hi > g->own_lo && (r->n == 0 || chunk_start(&r->b[0]) >= g->own_hi)) {
            as_write_span(&w, ri, 0, g->own_lo, AS_SPAN_UNUSED, AS_META_NONE, NULL);
            as_write_span(&w, ri, g->own_lo, g->own_hi - g->own_lo, AS_SPAN_META, AS_META_CHUNK, NULL);
            at = g->own_hi;
        }
        for (size_t k = 0; k < r->n; k++) {
            const gblock *b = &r->b[k];
            size_t hs = chunk_start(b) > at ? chunk_start(b) : at;
            as_write_span(&w, ri, at, hs - at, AS_SPAN_UNUSED, AS_META_NONE, NULL);
            as_write_span(&w, ri, hs, b->off - hs, AS_SPAN_META, AS_META_HEADER, NULL);
            const void *p = r->mem + b->off;
            if (b->freed) {
                as_write_span(&w, ri, b->off, b->usable, AS_SPAN_FREED, AS_META_NONE, p);
            } else {
                as_write_span(&w, ri, b->off, b->len, AS_SPAN_LIVE, AS_META_NONE, p);
                /* what malloc_usable_size hands out beyond the request */
                as_write_span(&w, ri, b->off + b->len, b->usable - b->len, AS_SPAN_SLACK, AS_META_NONE, p);
            }
            at = chunk_end(b);
        }
        as_write_span(&w, ri, at, r->size - at, AS_SPAN_UNUSED, AS_META_NONE, NULL);
    }
    as_writer_end(&w);
}

static const char *probe_check(const void *ctx)
{
    const glibc_layout *g = ctx;
    if (g->cursor > g->count)
        return "glibc: the cursor is past the plan";
    for (size_t i = 0; i < g->nr; i++) {
        const gregion *r = &g->r[i];
        for (size_t k = 0; k < r->n; k++) {
            const gblock *b = &r->b[k];
            if (b->off < b->hdr || chunk_end(b) > r->size || b->len > b->usable)
                return "glibc: a chunk is outside its region";
            if (k > 0 && chunk_start(b) < chunk_end(&r->b[k - 1]))
                return "glibc: two chunks overlap";
        }
    }
    return NULL;
}

static as_free_verdict probe_judge(const void *ctx, const void *mem, size_t len, uint8_t al)
{
    (void)len, (void)al;
    size_t ri, bi;
    if (!find(ctx, mem, &ri, &bi))
        return AS_FREE_NOT_OWNED;
    const glibc_layout *g = ctx;
    return g->r[ri].b[bi].freed ? AS_FREE_DOUBLE : AS_FREE_OK;
}

static bool probe_locate(const void *ctx, const void *mem, as_location *out)
{
    size_t ri, bi;
    if (!find(ctx, mem, &ri, &bi))
        return false;
    const glibc_layout *g = ctx;
    if (g->r[ri].b[bi].freed)
        return false;
    *out = (as_location){(uint32_t)ri, g->r[ri].b[bi].off, 0};
    return true;
}

static void probe_destroy(void *ctx) { glibc_destroy(ctx); }

/* ---- checkpoints: the struct (the cursor), the region records, each
 * region's blocks and the bytes where chunks were ever placed. The plan
 * never changes and is not saved. ---- */

static bool probe_save(const void *ctx, const as_saver *w)
{
    const glibc_layout *g = ctx;
    if (!as_save(w, g, sizeof *g) || !as_save(w, g->r, g->nr * sizeof *g->r))
        return false;
    for (size_t i = 0; i < g->nr; i++) {
        const gregion *r = &g->r[i];
        if ((r->n && !as_save(w, r->b, r->n * sizeof *r->b)) ||
            (r->t_hi > r->t_lo && !as_save(w, r->mem + r->t_lo, r->t_hi - r->t_lo)))
            return false;
    }
    return true;
}

/* The spare that holds mem, or SIZE_MAX. */
static size_t spare_of(const glibc_layout *g, const unsigned char *mem)
{
    for (size_t k = 0; k < g->nspare; k++)
        if (g->spare[k].mem == mem)
            return k;
    return SIZE_MAX;
}

/* Every saved region's memory is still the view's (the region's, or a
 * spare: memory is never given back); it was always, unless a spare could
 * not be kept for want of memory. */
static bool regions_still_there(const glibc_layout *g, const gregion *saved, size_t n)
{
    if (n < g->fixed)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((i >= g->nr || g->r[i].mem != saved[i].mem) && spare_of(g, saved[i].mem) == SIZE_MAX)
            return false;
    return true;
}

/* Regions past the saved ones give their memory to the spares; the saved
 * regions get theirs back from the spares. */
static void put_memory_back(glibc_layout *g, const gregion *saved, size_t n)
{
    for (size_t i = n; i < g->nr; i++) {
        g->spare[g->nspare++] = g->r[i];
        free(g->r[i].b);
    }
    for (size_t i = g->nr; i < n; i++)
        g->r[i] = (gregion){0};
    for (size_t i = 0; i < n; i++) {
        if (g->r[i].mem == saved[i].mem)
            continue;
        size_t k = spare_of(g, saved[i].mem);
        if (g->r[i].mem == NULL) { /* a slot with no memory: the spare moves in */
            g->r[i].mem = g->spare[k].mem, g->r[i].room = g->spare[k].room;
            g->r[i].t_lo = g->spare[k].t_lo, g->r[i].t_hi = g->spare[k].t_hi;
            g->spare[k] = g->spare[--g->nspare];
        } else {
            swap_memory(&g->r[i], &g->spare[k]);
        }
    }
    g->nr = n;
}

/* Region r takes its saved record s, its blocks and bytes (bytes placed
 * since, outside the saved ones, go back to 0s). */
static bool restore_region(gregion *r, gregion *s, const as_loader *ld)
{
    if (s->n > r->cap) {
        gblock *b = realloc(r->b, s->n * sizeof *b);
        if (b == NULL)
            return false;
        r->b = b, r->cap = s->n;
    }
    if ((s->n && !as_load(ld, r->b, s->n * sizeof *r->b)) ||
        (s->t_hi > s->t_lo && !as_load(ld, r->mem + s->t_lo, s->t_hi - s->t_lo)))
        return false;
    if (r->t_hi > r->t_lo && s->t_hi == s->t_lo)
        memset(r->mem + r->t_lo, 0, r->t_hi - r->t_lo);
    else if (r->t_hi > r->t_lo) {
        if (r->t_lo < s->t_lo)
            memset(r->mem + r->t_lo, 0, s->t_lo - r->t_lo);
        if (r->t_hi > s->t_hi)
            memset(r->mem + s->t_hi, 0, r->t_hi - s->t_hi);
    }
    s->b = r->b, s->cap = r->cap, s->room = r->room;
    *r = *s;
    return true;
}

static bool grow_regions(glibc_layout *g, size_t n)
{
    gregion *r = realloc(g->r, n * sizeof *r);
    if (r == NULL)
        return false;
    g->r = r, g->rcap = n;
    return true;
}

static bool probe_restore(void *ctx, const as_loader *ld)
{
    glibc_layout *g = ctx, t;
    if (!as_load(ld, &t, sizeof t) || t.ops != g->ops || t.count != g->count || t.fixed != g->fixed ||
        as_load_len(ld) != t.nr * sizeof *t.r)
        return false;
    gregion *saved = malloc(t.nr * sizeof *saved);
    bool ok = saved && as_load(ld, saved, t.nr * sizeof *saved) && regions_still_there(g, saved, t.nr) &&
              reserve_spares(g, g->nspare + g->nr) && (t.nr <= g->rcap || grow_regions(g, t.nr));
    if (ok) {
        put_memory_back(g, saved, t.nr);
        for (size_t i = 0; ok && i < t.nr; i++)
            ok = restore_region(&g->r[i], &saved[i], ld);
        t.r = g->r, t.nr = g->nr, t.rcap = g->rcap;
        t.spare = g->spare, t.nspare = g->nspare, t.spare_cap = g->spare_cap;
        *g = t;
    }
    free(saved);
    return ok;
}

const as_probe glibc_probe = {
    .kind = "glibc",
    .inspect = probe_inspect,
    .check = probe_check,
    .judge_free = probe_judge,
    .locate = probe_locate,
    .destroy = probe_destroy,
    .region_word = "heap",
    .resize_hint = "the glibc view replays a recording: only the recording's next realloc, in place, fits",
    .save = probe_save,
    .restore = probe_restore,
};
