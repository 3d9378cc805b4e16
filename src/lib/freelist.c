/*
 * freelist.c - a general-purpose free-list allocator (see freelist.h).
 *
 * The buffer is a sequence of blocks, each a multiple of 16 bytes and
 * 16-aligned. Every block starts with a 16-byte header; a free block keeps
 * two more link words after it (FREELIST_MIN_BLOCK = 32 holds all four).
 * Word offsets from the block start (each word a size_t of 8 bytes):
 *
 *              +0 FL_SIZE        +8 FL_LEN / FL_CLASS_NEXT  +16 FL_ADDR_NEXT  +24 FL_CLASS_PREV
 *   free:   [ size           | class next + 1       | addr next + 1   | class prev + 1 | ... ]
 *   used:   [ size | USED    | requested len        | payload ...                          ]
 *   leaded: [ size|USED|LEAD | 0 ] [ size | USED | HAS_LEAD | len ] [ payload ...         ]
 *
 * A used block whose payload needed more alignment than a header gives may
 * begin with a 16-byte lead (FL_LEAD set); its real header follows with
 * FL_HAS_LEAD set. (Leads of 32 bytes or more are split off as free
 * blocks instead.) Every link holds the linked block's offset + 1 (0:
 * none). The address links form one list sorted by address from head.
 *
 * Free blocks are also on a doubly linked list per size class (16 classes
 * per power of two from 32 bytes, FL_CLASSES in all, the last one open
 * ended; class_bits says which lists are non-empty), so best-fit looks
 * only at blocks of about the right size instead of every hole.
 *
 * Beside the buffer, two position indexes (granmap.h) make every operation
 * cheap without changing any of this: one marks where free blocks start,
 * with their sizes, so first-fit and next-fit find the lowest block that
 * can fit without walking the list, and a freed block finds its neighbours
 * in the list at once; the other marks the headers of live blocks, so a
 * pointer handed to free is checked in O(1), and the verdict on a pointer
 * that is not live (inside a free block: a double free) in O(levels).
 *
 * Cost: alloc O(levels) word tests for first- and next-fit (plus the
 * blocks tried for a large alignment), best-fit the blocks of one size
 * class; free and resize O(levels); free bytes, free blocks, largest
 * free block and fragmentation O(1) (counted on the class lists, the
 * largest read from the index's top); walks and check O(blocks).
 *
 * A growable free list (freelist_create_growable) is mdriver's heap: it
 * reserves its limit of address space up front (mmap PROT_NONE), commits
 * the first pages, and when no free block fits it commits more at the end,
 * like sbrk, so pointers never move: the new bytes join the last block if
 * it is free, or become a free block of their own. The heap grows by what
 * the request lacks, rounded up to FREELIST_GROW_STEP; a reset shrinks it
 * back. The indexes cover the limit from the start. Its free last block
 * (the top block, as dlmalloc calls it) is in the free-start index with
 * the value 0, so first-fit's search passes it by and takes it only when
 * no block below fits: the top block is the highest free block, so that
 * is first-fit's own order, and carving requests off it, as a growing
 * heap does all the time, leaves every summary of the index as it was.
 *
 * Invariants: blocks tile the usable buffer exactly; the free list visits
 * every free block once, in increasing address order; no two free blocks
 * are adjacent; every used block's len fits its payload; the indexes mark
 * exactly the free block starts and the live headers.
 *
 * A checkpoint holds the struct (its size-class heads included), the
 * buffer up to where anything was ever written (the highest block's end
 * plus a free header) and the indexes' words below the heap end: a save
 * copies O(high-water mark) bytes, about 1/40 more for the indexes. A
 * restore gives back the pages a growable heap grew by since.
 */
#include "allocscope/freelist.h"

#include "allocscope/granmap.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Word offsets inside a block (see the diagram above). */
#define FL_SIZE 0        /* size | flags, every block */
#define FL_LEN 8         /* used header: the requested length */
#define FL_CLASS_NEXT 8  /* free: next block of the same size class + 1 */
#define FL_ADDR_NEXT 16  /* free: next free block in address order + 1 */
#define FL_CLASS_PREV 24 /* free: previous block of the same size class + 1 */

#define FL_USED ((size_t)1)
#define FL_HAS_LEAD ((size_t)2)
#define FL_LEAD ((size_t)4)
#define FL_FLAGS ((size_t)15)
#define FL_LEAD_SIZE 16
#define FL_LINK 16       /* the two link words after a free header (FL_ADDR_NEXT, FL_CLASS_PREV) */
#define FL_CLASSES 512

struct freelist {
    unsigned char *buffer;
    size_t capacity;   /* as asked; growable: the heap end now */
    size_t usable;     /* capacity rounded down to 16 */
    size_t limit;      /* growable: the bytes reserved (0: a fixed buffer) */
    size_t initial;    /* growable: the heap end after a reset */
    size_t committed;  /* growable: the bytes readable and writable (see commit_to) */
    size_t reached;    /* the highest heap end since the indexes were last cleared */
    size_t free_bytes, free_count; /* over the size-class lists: every free block is on one */
    size_t head;       /* first free block + 1; 0: none */
    size_t rover;      /* next-fit: search starts at the first free block >= rover */
    size_t high_water; /* end of the highest block ever handed out */
    size_t touched;    /* bytes that may differ from a fresh region's 0s (see touched_end) */
    freelist_fit fit;
    granmap free_starts; /* granule of each free block, valued by its size */
    granmap live_headers;
    size_t class_head[FL_CLASSES];          /* free blocks by size class (+ 1) */
    uint64_t class_bits[FL_CLASSES / 64];   /* the classes that have any */
    as_change_log changes; /* for changed_since: the bytes each change touched */
};

static uint64_t freelist_stamps; /* the stamps of every free list's changes */

static void note_change(freelist *f, size_t from, size_t to) { as_change_note(&f->changes, &freelist_stamps, from, to); }

static const char *const fit_names[] = {"first-fit", "best-fit", "next-fit"};

const char *freelist_fit_name(freelist_fit fit) { return fit_names[fit]; }

static size_t word(const freelist *f, size_t off)
{
    size_t w;
    memcpy(&w, f->buffer + off, sizeof w);
    return w;
}

static void set_word(freelist *f, size_t off, size_t w) { memcpy(f->buffer + off, &w, sizeof w); }
static size_t size_of(const freelist *f, size_t block) { return word(f, block + FL_SIZE) & ~FL_FLAGS; }
static bool is_used(const freelist *f, size_t block) { return word(f, block + FL_SIZE) & FL_USED; }
static size_t next_free(const freelist *f, size_t block) { return word(f, block + FL_ADDR_NEXT); }

static void make_free(freelist *f, size_t block, size_t size, size_t next)
{
    set_word(f, block + FL_SIZE, size);
    set_word(f, block + FL_CLASS_NEXT, 0);
    set_word(f, block + FL_ADDR_NEXT, next);
}

static size_t granule(size_t off) { return off / 16; }

/* A growable heap's free block that reaches the heap end. */
static bool is_top(const freelist *f, size_t block, size_t size) { return f->limit && block + size == f->usable; }

/* The free-start index's value of the free block at granule g: its size,
 * or 0 for the top block (see above). */
static size_t free_size_at(const void *user, size_t g)
{
    const freelist *f = user;
    size_t size = size_of(f, g * 16);
    return is_top(f, g * 16, size) ? 0 : size;
}

/* The top block + 1, or 0 if there is none. */
static size_t top_block(const freelist *f)
{
    if (f->limit == 0)
        return 0;
    size_t g = granmap_prev(&f->free_starts, granule(f->usable));
    return g != GRANMAP_NONE && is_top(f, g * 16, size_of(f, g * 16)) ? g * 16 + 1 : 0;
}

static unsigned size_class(size_t size)
{
    assert(size >= FREELIST_MIN_BLOCK && size % 16 == 0);
    unsigned fl = 63 - (unsigned)__builtin_clzll(size); /* size >= 32: fl >= 5 */
    unsigned c = (fl - 5) * 16 + (unsigned)((size >> (fl - 4)) & 15);
    return c < FL_CLASSES ? c : FL_CLASSES - 1;
}

/* Puts the free block at `block` (its header written) on its class list. */
static void class_add(freelist *f, size_t block)
{
    assert(!is_used(f, block));
    unsigned c = size_class(size_of(f, block));
    size_t next = f->class_head[c];
    assert(next != block + 1);
    set_word(f, block + FL_CLASS_NEXT, next);
    set_word(f, block + FL_CLASS_PREV, 0);
    if (next)
        set_word(f, next - 1 + FL_CLASS_PREV, block + 1);
    f->class_head[c] = block + 1;
    f->class_bits[c / 64] |= (uint64_t)1 << (c % 64);
    f->free_bytes += size_of(f, block);
    f->free_count++;
}

/* Takes the free block off its class list (before its size changes). */
static void class_remove(freelist *f, size_t block)
{
    assert(!is_used(f, block));
    unsigned c = size_class(size_of(f, block));
    size_t next = word(f, block + FL_CLASS_NEXT), prev = word(f, block + FL_CLASS_PREV);
    /* it is on list c: the head, or its predecessor links to it */
    assert(prev ? word(f, prev - 1 + FL_CLASS_NEXT) == block + 1 : f->class_head[c] == block + 1);
    assert(next == 0 || word(f, next - 1 + FL_CLASS_PREV) == block + 1);
    if (prev)
        set_word(f, prev - 1 + FL_CLASS_NEXT, next);
    else
        f->class_head[c] = next;
    if (next)
        set_word(f, next - 1 + FL_CLASS_PREV, prev);
    if (f->class_head[c] == 0)
        f->class_bits[c / 64] &= ~((uint64_t)1 << (c % 64));
    assert(f->free_count > 0 && f->free_bytes >= size_of(f, block));
    f->free_bytes -= size_of(f, block);
    f->free_count--;
}

/* The first class >= c that has blocks, or FL_CLASSES. */
static unsigned next_class(const freelist *f, unsigned c)
{
    assert(c <= FL_CLASSES);
    while (c < FL_CLASSES) {
        uint64_t bits = f->class_bits[c / 64] & (~(uint64_t)0 << (c % 64));
        if (bits)
            return (c / 64) * 64 + (unsigned)__builtin_ctzll(bits);
        c = (c / 64 + 1) * 64;
    }
    return FL_CLASSES;
}

/* A free block, its header written, enters both indexes. */
static void index_free(freelist *f, size_t block)
{
    granmap_set(&f->free_starts, block / 16);
    class_add(f, block);
}

static void unindex_free(freelist *f, size_t block)
{
    granmap_unset(&f->free_starts, block / 16);
    class_remove(f, block);
}

/* Where the bytes the allocator or a program ever wrote end: every header
 * and link is written at a block start at or below the high-water mark
 * (and takes 32 bytes), every payload lies below it. Past it a fixed
 * buffer holds the 0s of a fresh region, and a growable heap's pages past
 * the heap end are fresh too (never committed, or given back). */
static size_t touched_end(const freelist *f)
{
    size_t t = f->high_water + FREELIST_HEADER + FL_LINK;
    if (t < f->touched)
        t = f->touched;
    return t < f->usable ? t : f->usable;
}

static void init_blocks(freelist *f)
{
    f->touched = touched_end(f);
    f->head = 0;
    f->rover = 0;
    f->high_water = 0;
    /* nothing is marked past the highest heap end: clear only below it, so
     * the index pages of a large reserved limit are never touched */
    granmap_clear_below(&f->free_starts, granule(f->reached) + 1);
    granmap_clear_below(&f->live_headers, granule(f->reached) + 1);
    f->reached = f->usable;
    memset(f->class_head, 0, sizeof f->class_head);
    memset(f->class_bits, 0, sizeof f->class_bits);
    f->free_bytes = f->free_count = 0;
    if (f->usable >= FREELIST_MIN_BLOCK) {
        make_free(f, 0, f->usable, 0);
        f->head = 1;
        index_free(f, 0);
    }
    as_change_forget(&f->changes, &freelist_stamps); /* every byte may have changed */
}

static void insert_free(freelist *f, size_t block, size_t size);

/* The free block before `block` in address order + 1, or 0. */
static size_t free_before(const freelist *f, size_t block)
{
    size_t g = granmap_prev(&f->free_starts, granule(block));
    return g == GRANMAP_NONE ? 0 : g * 16 + 1;
}

freelist *freelist_create(size_t capacity, freelist_fit fit)
{
    if (capacity < FREELIST_MIN_BLOCK || fit > FREELIST_NEXT_FIT)
        return NULL;
    freelist *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->buffer = as_region_new(capacity, NULL);
    if (f->buffer == NULL) {
        free(f);
        return NULL;
    }
    f->capacity = capacity;
    f->usable = capacity & ~(size_t)15;
    f->fit = fit;
    if (!granmap_init(&f->free_starts, granule(f->usable) + 1, free_size_at, f) ||
        !granmap_init(&f->live_headers, granule(f->usable) + 1, NULL, NULL)) {
        freelist_destroy(f);
        return NULL;
    }
    init_blocks(f);
    return f;
}

static size_t round_step(size_t n) { return (n + FREELIST_GROW_STEP - 1) / FREELIST_GROW_STEP * FREELIST_GROW_STEP; }

/* A growable heap's pages are committed (made readable and writable) in
 * steps of 2 MiB from a 2 MiB boundary, and the reservation asks for
 * transparent huge pages: a replay that grows the heap to hundreds of
 * megabytes then takes a page fault per 2 MiB rather than per 4 KiB (the
 * faults were half of such a replay's time). The pages past the heap
 * end, up to the next step, are never touched: still fresh zeros. */
#define COMMIT_STEP ((size_t)2 << 20)

/* limit bytes of address space, inaccessible, from a COMMIT_STEP
 * boundary; NULL if the system refuses. */
static unsigned char *reserve(size_t limit)
{
    size_t whole = limit + COMMIT_STEP;
    unsigned char *m = mmap(NULL, whole, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    unsigned char *base = (unsigned char *)(((uintptr_t)m + COMMIT_STEP - 1) & ~(uintptr_t)(COMMIT_STEP - 1));
    if (base > m)
        munmap(m, (size_t)(base - m));
    if (base + limit < m + whole)
        munmap(base + limit, (size_t)(m + whole - (base + limit)));
#ifdef MADV_HUGEPAGE
    madvise(base, limit, MADV_HUGEPAGE); /* (a hint: where it is refused, 4 KiB pages) */
#endif
    return base;
}

/* At least the first `end` bytes of a growable heap readable and
 * writable: more committed, up to the next COMMIT_STEP boundary (within
 * the limit), when they are not yet. */
static bool commit_to(freelist *f, size_t end)
{
    if (end <= f->committed)
        return true;
    size_t to = (end + COMMIT_STEP - 1) & ~(COMMIT_STEP - 1);
    to = to < f->limit ? to : f->limit;
    if (mprotect(f->buffer + f->committed, to - f->committed, PROT_READ | PROT_WRITE) != 0)
        return false;
    f->committed = to;
    return true;
}

/* The heap shrinks to `end`: the pages past it are given back (fresh
 * zeros when it grows again), as mdriver's mem_reset_brk does. */
static void uncommit_from(freelist *f, size_t end)
{
    if (end >= f->committed)
        return;
    mmap(f->buffer + end, f->committed - end, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1,
         0);
    f->committed = end;
#ifdef MADV_HUGEPAGE
    madvise(f->buffer + end, f->limit - end, MADV_HUGEPAGE); /* (the new mapping lost the hint) */
#endif
}

freelist *freelist_create_growable(size_t initial, size_t limit, freelist_fit fit)
{
    if (initial < FREELIST_MIN_BLOCK || limit < initial || limit > ((size_t)1 << 40) || fit > FREELIST_NEXT_FIT)
        return NULL;
    limit = round_step(limit);
    initial = round_step(initial);
    freelist *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->buffer = reserve(limit);
    if (f->buffer == NULL) {
        free(f);
        return NULL;
    }
    f->limit = limit;
    f->initial = initial;
    f->fit = fit;
    if (!commit_to(f, initial) ||
        !granmap_init(&f->free_starts, granule(limit) + 1, free_size_at, f) ||
        !granmap_init(&f->live_headers, granule(limit) + 1, NULL, NULL)) {
        freelist_destroy(f);
        return NULL;
    }
    f->capacity = f->usable = initial;
    init_blocks(f);
    return f;
}

/* Commits `extra` more bytes at the heap end (rounded up to the growth
 * step, within the limit) and makes them free, merged with a free last
 * block. False if the heap is at its limit or the system refuses. */
static bool grow(freelist *f, size_t extra)
{
    if (f->limit == 0 || f->usable >= f->limit)
        return false;
    size_t add = round_step(extra ? extra : 1);
    if (add > f->limit - f->usable)
        add = f->limit - f->usable;
    if (!commit_to(f, f->usable + add))
        return false;
    size_t old_end = f->usable, top = top_block(f);
    if (top) /* its value is 0 while it is the top block, and it is not while the end moves */
        granmap_unset(&f->free_starts, granule(top - 1));
    f->usable = f->capacity = old_end + add;
    if (top)
        granmap_set(&f->free_starts, granule(top - 1)); /* (insert_free merges it with the new bytes) */
    as_change_forget(&f->changes, &freelist_stamps); /* the region grew */
    if (f->usable > f->reached)
        f->reached = f->usable;
    insert_free(f, old_end, add);
    return true;
}

/* What the last block lacks to hold `need` bytes: need less its size when
 * it is free, need when it is used. */
static size_t lacking_at_end(const freelist *f, size_t need)
{
    size_t g = granmap_prev(&f->free_starts, granule(f->usable));
    if (g != GRANMAP_NONE && g * 16 + size_of(f, g * 16) == f->usable)
        return need > size_of(f, g * 16) ? need - size_of(f, g * 16) : 0;
    return need;
}

void freelist_destroy(freelist *f)
{
    if (f == NULL)
        return;
    granmap_release(&f->free_starts);
    granmap_release(&f->live_headers);
    if (f->limit)
        munmap(f->buffer, f->limit);
    else
        as_region_delete(f->buffer);
    free(f);
}

void freelist_reset(freelist *f)
{
    if (f->limit && f->usable > f->initial) {
        uncommit_from(f, f->initial);
        f->usable = f->capacity = f->initial;
    }
    init_blocks(f);
}

/* How a request would sit in the free block at `block`. */
typedef struct placement {
    size_t lead;     /* bytes before the header (0, 16, or a split-off front) */
    size_t need;     /* lead + header + rounded payload */
} placement;

static bool place_in(const freelist *f, size_t block, size_t len, size_t align, placement *pl)
{
    size_t payload, rounded, need;
    uintptr_t base = (uintptr_t)f->buffer;
    if (!as_align_forward(base + block + FREELIST_HEADER, align, &payload))
        return false;
    payload -= base;
    if (!as_align_forward(len, 16, &rounded) || !as_add(payload, rounded, &need))
        return false;
    pl->lead = payload - FREELIST_HEADER - block;
    pl->need = need - block;
    return pl->need <= size_of(f, block);
}

/* The lowest free block at or after `from` (and before `until`) where the
 * request fits; + 1, or 0. */
static size_t lowest_fit(const freelist *f, size_t from, size_t until, size_t len, size_t align,
                         placement *pl)
{
    size_t rounded = (len + 15) & ~(size_t)15;
    size_t need = rounded + FREELIST_HEADER; /* no block smaller than this can fit */
    for (size_t g = granule(from);;) {
        g = granmap_first_at_least(&f->free_starts, g, need);
        if (g == GRANMAP_NONE || g * 16 >= until)
            break;
        if (place_in(f, g * 16, len, align, pl))
            return g * 16 + 1;
        g++;
    }
    size_t top = top_block(f); /* (indexed as 0: the last to try) */
    return top && top - 1 >= from && top - 1 < until && place_in(f, top - 1, len, align, pl) ? top : 0;
}

/* Finds a free block for the request; *prev is the free block before it
 * (0: it is the head). Returns the block + 1, or 0. First-fit takes the
 * lowest block that fits, best-fit the smallest (the lowest of equals),
 * next-fit the first that fits at or after the rover, wrapping around. */
static size_t search(const freelist *f, size_t len, size_t align, size_t *prev, placement *pl)
{
    size_t found = 0;
    if (len > f->usable)
        return 0;
    if (f->fit == FREELIST_FIRST_FIT) {
        found = lowest_fit(f, 0, SIZE_MAX, len, align, pl);
    } else if (f->fit == FREELIST_NEXT_FIT) {
        found = lowest_fit(f, f->rover, SIZE_MAX, len, align, pl);
        if (!found)
            found = lowest_fit(f, 0, f->rover, len, align, pl);
    } else {
        /* best-fit: the first size class with a block that fits holds the
         * best one; within it, the smallest, the lowest of equals */
        size_t rounded = (len + 15) & ~(size_t)15, need = rounded + FREELIST_HEADER;
        placement cand;
        for (unsigned c = next_class(f, size_class(need)); c < FL_CLASSES && !found; c = next_class(f, c + 1)) {
            size_t best_size = SIZE_MAX;
            for (size_t b = f->class_head[c]; b; b = word(f, b - 1 + FL_CLASS_NEXT)) {
                size_t sz = size_of(f, b - 1);
                if (sz < need || sz > best_size || (sz == best_size && b > found))
                    continue;
                if (place_in(f, b - 1, len, align, &cand))
                    found = b, best_size = sz, *pl = cand;
            }
        }
    }
    if (found)
        *prev = free_before(f, found - 1);
    return found;
}

static void link_after(freelist *f, size_t prev, size_t next)
{
    if (prev == 0)
        f->head = next;
    else
        set_word(f, prev - 1 + FL_ADDR_NEXT, next);
}

static void *fl_alloc(void *ctx, size_t len, uint8_t al, uintptr_t ra)
{
    (void)ra;
    freelist *f = ctx;
    size_t prev, align = (size_t)1 << al;
    placement pl;
    size_t b = search(f, len, align, &prev, &pl);
    while (b == 0 && f->limit) {
        /* like mm_malloc's extend_heap: ask for what the end lacks */
        size_t rounded, need;
        if (!as_align_forward(len, 16, &rounded) || !as_add(rounded, FREELIST_HEADER + FREELIST_MIN_BLOCK, &need) ||
            (align > 16 && !as_add(need, align, &need)))
            return NULL;
        size_t lack = lacking_at_end(f, need);
        if (lack > f->limit - f->usable || !grow(f, lack))
            return NULL; /* beyond the limit: fail without growing */
        b = search(f, len, align, &prev, &pl);
    }
    if (b == 0)
        return NULL;
    size_t block = b - 1, size = size_of(f, block), after = next_free(f, block);
    /* what changes: the free block taken, and the free bytes between the
     * old high-water mark and the new one (freed below it, unused above) */
    note_change(f, block + size > f->high_water && f->high_water < block ? f->high_water : block, block + size);
    /* carving the front of the top block (what a growing heap does most):
     * the rest is the top block, of value 0 like the block was, so its mark
     * moves up instead of leaving and coming back (granmap_move) */
    bool carve = is_top(f, block, size) && pl.lead < FREELIST_MIN_BLOCK && size - pl.need >= FREELIST_MIN_BLOCK;
    if (carve)
        class_remove(f, block);
    else
        unindex_free(f, block);
    if (pl.lead >= FREELIST_MIN_BLOCK) {
        /* Split off the front as a free block of its own. */
        make_free(f, block, pl.lead, b + pl.lead);
        index_free(f, block);
        prev = b;
        block += pl.lead;
        size -= pl.lead;
        pl.need -= pl.lead;
        pl.lead = 0;
        b = block + 1;
    }
    size_t rest = size - pl.need;
    if (rest >= FREELIST_MIN_BLOCK) {
        make_free(f, block + pl.need, rest, after);
        if (carve) {
            granmap_move(&f->free_starts, granule(block), granule(block + pl.need), 0);
            class_add(f, block + pl.need);
        } else {
            index_free(f, block + pl.need);
        }
        after = block + pl.need + 1;
        size = pl.need;
    }
    link_after(f, prev, after);
    size_t header = block + pl.lead;
    if (pl.lead) {
        set_word(f, block + FL_SIZE, size | FL_USED | FL_LEAD);
        set_word(f, block + FL_LEN, 0);
    }
    set_word(f, header + FL_SIZE, size | FL_USED | (pl.lead ? FL_HAS_LEAD : 0));
    set_word(f, header + FL_LEN, len);
    granmap_set(&f->live_headers, granule(header));
    f->rover = block + size;
    if (block + size > f->high_water)
        f->high_water = block + size;
    return f->buffer + header + FREELIST_HEADER;
}

static size_t header_of(const freelist *f, size_t block)
{
    return (word(f, block) & FL_LEAD) ? block + FL_LEAD_SIZE : block;
}

/* The block a payload pointer belongs to, if it is a used block's payload. */
static bool block_of(const freelist *f, const void *mem, size_t *block)
{
    const unsigned char *p = mem;
    if (p < f->buffer + FREELIST_HEADER || p >= f->buffer + f->usable ||
        ((size_t)(p - f->buffer) & 15) != 0)
        return false;
    size_t header = (size_t)(p - f->buffer) - FREELIST_HEADER;
    if (!granmap_test(&f->live_headers, granule(header)))
        return false;
    size_t w = word(f, header);
    if (!(w & FL_USED) || (w & FL_LEAD))
        return false;
    *block = (w & FL_HAS_LEAD) ? header - FL_LEAD_SIZE : header;
    return true;
}

/* Inserts a free block in address order and merges it with its neighbours. */
static void insert_free(freelist *f, size_t block, size_t size)
{
    size_t prev = free_before(f, block);
    size_t ng = granmap_next(&f->free_starts, granule(block));
    size_t next = ng == GRANMAP_NONE ? 0 : ng * 16 + 1, gone = 0;
    bool took_next = next && block + size == next - 1;
    if (took_next) {
        gone = free_size_at(f, ng);
        size += size_of(f, next - 1);
        class_remove(f, next - 1);
        next = next_free(f, next - 1);
    }
    bool into_prev = prev && prev - 1 + size_of(f, prev - 1) == block;
    if (took_next && into_prev)
        granmap_unset(&f->free_starts, ng); /* (its header is still there to read) */
    if (into_prev) {
        size_t merged = size_of(f, prev - 1) + size;
        bool top = is_top(f, prev - 1, merged); /* its value falls to 0: out of the index while it changes */
        note_change(f, prev - 1, block + size);
        if (top)
            granmap_unset(&f->free_starts, granule(prev - 1));
        class_remove(f, prev - 1);
        make_free(f, prev - 1, merged, next);
        class_add(f, prev - 1);
        if (top)
            granmap_set(&f->free_starts, granule(prev - 1));
        else
            granmap_raise(&f->free_starts, granule(prev - 1));
        return;
    }
    note_change(f, block, block + size);
    make_free(f, block, size, next);
    link_after(f, prev, block + 1);
    if (took_next) { /* the next block's mark moves down to the merged block */
        granmap_move(&f->free_starts, ng, granule(block), gone);
        class_add(f, block);
    } else {
        index_free(f, block);
    }
}

static void fl_free(void *ctx, void *mem, size_t len, uint8_t al, uintptr_t ra)
{
    (void)len, (void)al, (void)ra;
    freelist *f = ctx;
    size_t block;
    if (!block_of(f, mem, &block))
        return;
    granmap_unset(&f->live_headers, granule(header_of(f, block)));
    insert_free(f, block, size_of(f, block));
}


static bool fl_resize(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    (void)len, (void)al, (void)ra;
    freelist *f = ctx;
    size_t block, rounded;
    if (!block_of(f, mem, &block) || !as_align_forward(new_len, 16, &rounded))
        return false;
    size_t header = header_of(f, block), size = size_of(f, block);
    size_t payload_start = header + FREELIST_HEADER - block, need;
    if (!as_add(payload_start, rounded, &need))
        return false;
    size_t end = block + size;
    if (need > size && f->limit) {
        /* the last block, or the one before a free last block, may grow the heap */
        size_t avail = end == f->usable ? size
                     : (granmap_test(&f->free_starts, granule(end)) && end + size_of(f, end) == f->usable)
                         ? size + size_of(f, end) : SIZE_MAX;
        if (avail != SIZE_MAX && avail < need && (need - avail > f->limit - f->usable || !grow(f, need - avail)))
            return false; /* beyond the limit: fail without growing */
    }
    if (need > size) {
        /* Grow into the next block if it is free and large enough. */
        if (end >= f->usable || !granmap_test(&f->free_starts, granule(end)) || size + size_of(f, end) < need)
            return false;
        link_after(f, free_before(f, end), next_free(f, end));
        unindex_free(f, end);
        size += size_of(f, end);
        end = block + size;
    }
    note_change(f, block, end); /* the block, with the free block it took in */
    size_t flags = word(f, header) & FL_FLAGS;
    if (size - need >= FREELIST_MIN_BLOCK) {
        size_t tail = size - need;
        size = need;
        set_word(f, header, size | flags);
        if (flags & FL_HAS_LEAD)
            set_word(f, block, size | FL_USED | FL_LEAD);
        insert_free(f, block + size, tail);
    } else {
        set_word(f, header, size | flags);
        if (flags & FL_HAS_LEAD)
            set_word(f, block, size | FL_USED | FL_LEAD);
    }
    set_word(f, header + FL_LEN, new_len);
    if (block + size > f->high_water)
        f->high_water = block + size;
    return true;
}

static void *fl_remap(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    return fl_resize(ctx, mem, len, al, new_len, ra) ? mem : NULL;
}

static const as_vtable freelist_vtable = {fl_alloc, fl_resize, fl_remap, fl_free};

as_allocator freelist_allocator(freelist *f) { return (as_allocator){f, &freelist_vtable}; }
as_instance freelist_instance(freelist *f) { return (as_instance){freelist_allocator(f), &freelist_probe}; }

freelist_fit freelist_get_fit(const freelist *f) { return f->fit; }
size_t freelist_capacity(const freelist *f) { return f->capacity; }
bool freelist_is_growable(const freelist *f) { return f->limit != 0; }
size_t freelist_heap_end(const freelist *f) { return f->usable; }
size_t freelist_limit(const freelist *f) { return f->limit ? f->limit : f->capacity; }
size_t freelist_high_water(const freelist *f) { return f->high_water; }

void freelist_walk_free(const freelist *f, void (*fn)(void *user, size_t offset, size_t size), void *user)
{
    for (size_t b = f->head; b; b = next_free(f, b - 1))
        fn(user, b - 1, size_of(f, b - 1));
}

size_t freelist_free_bytes(const freelist *f) { return f->free_bytes; }

size_t freelist_largest_free(const freelist *f)
{
    const granmap *m = &f->free_starts;
    size_t top = top_block(f), best = top ? size_of(f, top - 1) : 0;
    for (size_t w = 0; w < m->words[m->levels - 1]; w++)
        if (m->max[m->levels - 1][w] > best)
            best = m->max[m->levels - 1][w];
    return best;
}

size_t freelist_free_blocks(const freelist *f) { return f->free_count; }

double freelist_fragmentation(const freelist *f)
{
    size_t total = freelist_free_bytes(f);
    return total ? 1.0 - (double)freelist_largest_free(f) / (double)total : 0.0;
}

const char *freelist_check(const freelist *f)
{
    size_t off = 0, free_seen = 0, expect = f->head;
    bool prev_free = false;
    while (off < f->usable) {
        size_t w = word(f, off), size = w & ~FL_FLAGS;
        if (size < FREELIST_MIN_BLOCK || size % 16 != 0 || size > f->usable - off)
            return "freelist: a block size is invalid or runs past the buffer";
        if (granmap_test(&f->free_starts, granule(off)) != !(w & FL_USED))
            return "freelist: the index of free blocks disagrees with the blocks";
        if (w & FL_USED) {
            size_t header = header_of(f, off);
            if (!granmap_test(&f->live_headers, granule(header)))
                return "freelist: a live header is missing from the index";
            size_t hw = word(f, header);
            if ((w & FL_LEAD) && (hw & ~FL_FLAGS) != size)
                return "freelist: lead and header disagree";
            if ((hw & FL_HAS_LEAD) != ((w & FL_LEAD) ? FL_HAS_LEAD : 0))
                return "freelist: lead flags inconsistent";
            if (word(f, header + FL_LEN) > off + size - header - FREELIST_HEADER)
                return "freelist: a block's length does not fit its payload";
            prev_free = false;
        } else {
            if (prev_free)
                return "freelist: two adjacent free blocks (missed coalescing)";
            if (expect != off + 1)
                return "freelist: free list out of address order or missing a block";
            expect = next_free(f, off);
            free_seen++;
            prev_free = true;
        }
        off += size;
    }
    if (off != f->usable)
        return "freelist: blocks do not tile the buffer";
    size_t marked = 0, used_marked = 0, used = 0;
    for (size_t g = granmap_next(&f->free_starts, 0); g != GRANMAP_NONE; g = granmap_next(&f->free_starts, g + 1))
        marked++;
    for (size_t g = granmap_next(&f->live_headers, 0); g != GRANMAP_NONE; g = granmap_next(&f->live_headers, g + 1))
        used_marked++;
    for (size_t o = 0; o < f->usable; o += size_of(f, o))
        used += is_used(f, o);
    if (marked != free_seen || used_marked != used)
        return "freelist: an index marks a block that does not exist";
    size_t on_classes = 0;
    for (unsigned c = 0; c < FL_CLASSES; c++) {
        bool bit = (f->class_bits[c / 64] >> (c % 64)) & 1;
        if (bit != (f->class_head[c] != 0))
            return "freelist: a size-class bit disagrees with its list";
        size_t back = 0;
        for (size_t b = f->class_head[c]; b; back = b, b = word(f, b - 1 + FL_CLASS_NEXT)) {
            if (++on_classes > free_seen)
                return "freelist: a size-class list is longer than the free blocks (cycle?)";
            if (!granmap_test(&f->free_starts, granule(b - 1)) || size_class(size_of(f, b - 1)) != c)
                return "freelist: a size-class list holds a block that does not belong";
            if (word(f, b - 1 + FL_CLASS_PREV) != back)
                return "freelist: a size-class back link is wrong";
        }
    }
    if (on_classes != free_seen)
        return "freelist: a free block is missing from its size class";
    size_t walked = 0;
    for (size_t b = f->head; b && walked <= f->usable; b = next_free(f, b - 1))
        walked += size_of(f, b - 1);
    if (f->free_count != free_seen || f->free_bytes != walked)
        return "freelist: the free byte and block counts disagree with the free list";
    if (expect != 0)
        return "freelist: free list names a block that is not free";
    return NULL;
}

static void emit_free_payload(const freelist *f, as_span_writer *w, size_t start, size_t end)
{
    size_t hw = f->high_water < start ? start : (f->high_water > end ? end : f->high_water);
    as_write_span(w, 0, start, hw - start, AS_SPAN_FREED, AS_META_NONE, NULL);
    as_write_span(w, 0, hw, end - hw, AS_SPAN_UNUSED, AS_META_NONE, NULL);
}

/* The spans of the block at off (and its free-node marker); its size, or
 * 0 if the block is corrupt (check() says so). */
static size_t emit_block(const freelist *f, as_span_writer *out, size_t off)
{
    size_t w = word(f, off), size = w & ~FL_FLAGS;
    if (size == 0 || size > f->usable - off)
        return 0;
    if (w & FL_USED) {
        size_t header = header_of(f, off), len = word(f, header + FL_LEN);
        size_t payload = header + FREELIST_HEADER;
        as_write_span(out, 0, off, header - off, AS_SPAN_PADDING, AS_META_NONE, NULL);
        as_write_span(out, 0, header, FREELIST_HEADER, AS_SPAN_META, AS_META_HEADER, NULL);
        as_write_span(out, 0, payload, len, AS_SPAN_LIVE, AS_META_NONE, f->buffer + payload);
        /* slack: the rest of the block, too small to split off (or rounding) */
        as_write_span(out, 0, payload + len, off + size - payload - len, AS_SPAN_SLACK, AS_META_NONE,
                      f->buffer + payload);
    } else {
        as_write_span(out, 0, off, FREELIST_HEADER, AS_SPAN_META, AS_META_HEADER, NULL);
        as_write_span(out, 0, off + FREELIST_HEADER, FL_LINK, AS_SPAN_META, AS_META_LINK, NULL);
        emit_free_payload(f, out, off + FREELIST_HEADER + FL_LINK, off + size);
    }
    return size;
}

/* The markers of the list's head and of next-fit's rover. */
static void emit_list_markers(const freelist *f, as_span_writer *out)
{
    if (f->head)
        as_write_marker(out, AS_MARK_FREE_HEAD, 0, f->head - 1);
    if (f->fit == FREELIST_NEXT_FIT)
        as_write_marker(out, AS_MARK_ROVER, 0, f->rover < f->usable ? f->rover : f->usable);
}

static void probe_inspect(const void *ctx, const as_inspector *in)
{
    const freelist *f = ctx;
    as_emit_region(in, 0, f->buffer, f->capacity);
    as_span_writer out;
    as_writer_begin(&out, in);
    for (size_t off = 0, size; off < f->usable; off += size) {
        size_t w = word(f, off);
        if ((size = emit_block(f, &out, off)) == 0)
            break; /* corrupt: check() says so */
        if (!(w & FL_USED))
            as_write_marker(&out, AS_MARK_FREE_NODE, 0, off);
    }
    as_write_span(&out, 0, f->usable, f->capacity - f->usable, AS_SPAN_UNUSED, AS_META_NONE, NULL);
    emit_list_markers(f, &out);
    as_writer_end(&out);
}

/* The start of the block that holds byte `at` (< usable): the nearest
 * block start the indexes know at or before it (a free block's, or a live
 * header's block), then block by block to it. */
static size_t block_holding(const freelist *f, size_t at)
{
    size_t start = 0, g = granmap_prev(&f->free_starts, granule(at) + 1);
    if (g != GRANMAP_NONE)
        start = g * 16;
    g = granmap_prev(&f->live_headers, granule(at) + 1);
    if (g != GRANMAP_NONE) {
        size_t header = g * 16, block = (word(f, header) & FL_HAS_LEAD) ? header - FL_LEAD_SIZE : header;
        if (block <= at && block > start)
            start = block;
    }
    for (size_t size; start < f->usable && (size = size_of(f, start)) != 0 && start + size <= at;)
        start += size;
    return start;
}

/* O(levels + the blocks that meet the range + free blocks). */
static void probe_inspect_range(const void *ctx, uint32_t region, size_t from, size_t to, const as_inspector *in)
{
    const freelist *f = ctx;
    if (region != 0)
        return;
    as_span_writer out;
    as_writer_begin(&out, in);
    for (size_t off = from < f->usable ? block_holding(f, from) : f->usable, size; off < f->usable && off < to;
         off += size)
        if ((size = emit_block(f, &out, off)) == 0)
            break;
    if (to > f->usable && from < f->capacity)
        as_write_span(&out, 0, f->usable, f->capacity - f->usable, AS_SPAN_UNUSED, AS_META_NONE, NULL);
    for (size_t b = f->head, n = 0; b && n <= f->free_count; b = next_free(f, b - 1), n++)
        as_write_marker(&out, AS_MARK_FREE_NODE, 0, b - 1);
    emit_list_markers(f, &out);
    as_writer_end(&out);
}

static bool probe_changed_since(const void *ctx, uint64_t since, uint64_t *now, as_change *out)
{
    const freelist *f = ctx;
    return as_change_since(&f->changes, since, now, out);
}

static const char *probe_check(const void *ctx) { return freelist_check(ctx); }

static as_free_verdict probe_judge(const void *ctx, const void *mem, size_t len, uint8_t al)
{
    (void)al;
    const freelist *f = ctx;
    const unsigned char *p = mem;
    if (p < f->buffer || p >= f->buffer + f->capacity)
        return AS_FREE_NOT_OWNED;
    size_t block;
    if (block_of(f, mem, &block))
        return word(f, header_of(f, block) + FL_LEN) == len ? AS_FREE_OK : AS_FREE_WRONG_SIZE;
    /* not a live block's payload: inside a free block (freed before), or
     * anything else (inside a used block, a header, the tail)? The free
     * block that starts last at or before it says, in O(levels). */
    size_t target = (size_t)(p - f->buffer);
    if (target >= f->usable)
        return AS_FREE_NOT_OWNED;
    size_t g = granmap_prev(&f->free_starts, granule(target) + 1);
    if (g != GRANMAP_NONE && g * 16 + size_of(f, g * 16) > target)
        return AS_FREE_DOUBLE;
    return AS_FREE_NOT_OWNED;
}

static bool probe_reset(void *ctx, as_reset_mode mode, size_t limit)
{
    (void)mode, (void)limit;
    freelist_reset(ctx);
    return true;
}

static bool probe_locate(const void *ctx, const void *mem, as_location *out)
{
    const freelist *f = ctx;
    size_t block;
    if (!block_of(f, mem, &block))
        return false;
    size_t payload = (size_t)((const unsigned char *)mem - f->buffer);
    *out = (as_location){0, payload, payload - FREELIST_HEADER - block};
    return true;
}

static void probe_destroy(void *ctx) { freelist_destroy(ctx); }

/* What a free reads, fetched ahead: some operations before, the header
 * and the index words around it; just before, the block after it (whose
 * size says whether the two merge), read from the header fetched then. */
static void probe_prefetch(const void *ctx, const void *mem, int near)
{
    const freelist *f = ctx;
    const unsigned char *p = mem;
    if (p < f->buffer + FREELIST_HEADER || p >= f->buffer + f->usable)
        return;
    size_t header = (size_t)(p - f->buffer) - FREELIST_HEADER, w = granule(header) / 64;
    if (!near) {
        __builtin_prefetch(p - FREELIST_HEADER, 1);
        __builtin_prefetch(&f->live_headers.bits[0][w], 1);
        __builtin_prefetch(&f->free_starts.bits[0][w], 1);
        __builtin_prefetch(&f->free_starts.max[0][w], 1);
        return;
    }
    size_t end = header + (word(f, header) & ~FL_FLAGS);
    if (end < f->usable)
        __builtin_prefetch(f->buffer + end, 1);
}

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
    freelist_walk_free(ctx, walk_one, &a);
}

static void probe_free_summary(const void *ctx, as_free_summary *out)
{
    *out = (as_free_summary){freelist_fit_name(freelist_get_fit(ctx)), freelist_largest_free(ctx),
                             freelist_fragmentation(ctx), 0};
}

/* A growable free list's end offset is its heap end (mdriver's brk). */
static bool probe_offset(const void *ctx, size_t *out)
{
    const freelist *f = ctx;
    if (f->limit == 0)
        return false;
    *out = f->usable;
    return true;
}

/* ---- checkpoints: the struct, the buffer up to where it was ever
 * written (touched_end), both indexes' words below the heap end ---- */

static bool probe_save(const void *ctx, const as_saver *w)
{
    const freelist *f = ctx;
    size_t n = granule(f->usable) + 1, t = touched_end(f);
    return as_save(w, f, sizeof *f) && as_save_written(w, f->buffer, t) &&
           granmap_save_below(&f->free_starts, n, w) && granmap_save_below(&f->live_headers, n, w);
}

/* A growable heap's end moves to `end`: pages are committed, or given
 * back as a reset does (so they are fresh 0s when the heap grows again). */
static bool set_heap_end(freelist *f, size_t end)
{
    if (end < f->usable)
        uncommit_from(f, end);
    return commit_to(f, end);
}

/* The indexes keep their arrays (sized for the limit at creation): their
 * words below the heap end now are cleared, the saved ones loaded. */
static bool probe_restore(void *ctx, const as_loader *r)
{
    freelist *f = ctx, t;
    if (!as_load(r, &t, sizeof t) || t.buffer != f->buffer || t.limit != f->limit ||
        (!f->limit && t.usable != f->usable))
        return false;
    size_t now = touched_end(f), then = touched_end(&t), marked = granule(f->usable) + 1;
    if (f->limit && !set_heap_end(f, t.usable))
        return false;
    if (!as_load_written(r, f->buffer, then, now < t.usable ? now : t.usable)) /* past the heap end: fresh pages */
        return false;
    granmap_clear_below(&f->free_starts, marked);
    granmap_clear_below(&f->live_headers, marked);
    if (!granmap_load_below(&f->free_starts, granule(t.usable) + 1, r) ||
        !granmap_load_below(&f->live_headers, granule(t.usable) + 1, r))
        return false;
    t.free_starts = f->free_starts;
    t.live_headers = f->live_headers;
    t.committed = f->committed; /* (what set_heap_end left mapped) */
    *f = t;
    as_change_forget(&f->changes, &freelist_stamps); /* every byte may differ from what a view kept */
    return true;
}

const as_probe freelist_probe = {
    .kind = "freelist",
    .inspect = probe_inspect,
    .inspect_range = probe_inspect_range,
    .changed_since = probe_changed_since,
    .check = probe_check,
    .judge_free = probe_judge,
    .reset = probe_reset,
    .locate = probe_locate,
    .offset = probe_offset,
    .destroy = probe_destroy,
    .prefetch = probe_prefetch,
    .resize_hint = "the block after it is not free or not large enough",
    .free_shape = AS_FREE_ADDRESS_LIST,
    .walk_free = probe_walk_free,
    .free_summary = probe_free_summary,
    .save = probe_save,
    .restore = probe_restore,
};
