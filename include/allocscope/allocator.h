/*
 * allocator.h - the one interface every allocscope allocator implements.
 *
 * The C counterpart of Zig's std.mem.Allocator: a context pointer plus a
 * vtable of alloc / resize / remap / free, with alignment passed as log2.
 * Around it: overflow-safe alignment helpers, the type-erased helpers that
 * callers use (as_alloc, as_free, as_realloc), and the inspection types
 * (spans, markers, free verdicts, events) through which an allocator
 * describes its memory to whoever wants to draw or check it.
 *
 * Library code never prints and never exits.
 */
#ifndef ALLOCSCOPE_ALLOCATOR_H
#define ALLOCSCOPE_ALLOCATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest supported alignment, as log2 (4096 bytes). */
#define AS_MAX_ALIGN_LOG2 12
#define AS_MAX_ALIGN ((size_t)1 << AS_MAX_ALIGN_LOG2)
/* Every region an allocator owns starts at an address aligned to this. */
#define AS_REGION_ALIGN AS_MAX_ALIGN
/* Byte written over freed memory by as_free, so stale reads are visible. */
#define AS_FREED_BYTE 0xAA

typedef struct as_vtable {
    /* Returns len bytes aligned to 1 << align_log2, or NULL when out of
     * memory (and then the allocator's state is unchanged). len > 0. */
    void *(*alloc)(void *ctx, size_t len, uint8_t align_log2, uintptr_t ret_addr);
    /* Grows or shrinks mem in place; false (nothing changed) otherwise. */
    bool (*resize)(void *ctx, void *mem, size_t len, uint8_t align_log2,
                   size_t new_len, uintptr_t ret_addr);
    /* Like resize but may move; NULL means the caller must allocate, copy
     * and free itself. The old pointer stays valid iff NULL is returned. */
    void *(*remap)(void *ctx, void *mem, size_t len, uint8_t align_log2,
                   size_t new_len, uintptr_t ret_addr);
    /* Gives mem back. len and align_log2 are those of the allocation. */
    void (*free)(void *ctx, void *mem, size_t len, uint8_t align_log2,
                 uintptr_t ret_addr);
} as_vtable;

typedef struct as_allocator {
    void *ctx;
    const as_vtable *vtable;
} as_allocator;

/* ---- arithmetic -------------------------------------------------------- */

static inline bool as_is_power_of_two(size_t x) { return x != 0 && (x & (x - 1)) == 0; }

/* Rounds value up to a multiple of align (a power of two). Returns false,
 * leaving *out untouched, iff the result would pass SIZE_MAX. */
static inline bool as_align_forward(size_t value, size_t align, size_t *out)
{
    size_t mask = align - 1;
    if (value > SIZE_MAX - mask)
        return false;
    *out = (value + mask) & ~mask;
    return true;
}

/* Sets *out = a + b; false iff that overflows. */
static inline bool as_add(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b)
        return false;
    *out = a + b;
    return true;
}

/* A slot for pointer p in an open-addressing table of cap slots (a power
 * of two): the pointer's bits mixed so that aligned addresses spread. */
static inline size_t as_hash_ptr(const void *p, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

/* log2 of a power of two; 255 if x is not one. */
uint8_t as_log2(size_t x);

/* ---- type-erased helpers (what Zig's Allocator wrapper does) ------------ */

/* NULL for len 0 (no allocator is asked) and for align_log2 above 12. */
void *as_alloc(as_allocator a, size_t len, uint8_t align_log2);
/* Fills the bytes with AS_FREED_BYTE, then frees. NULL / len 0: nothing. */
void as_free(as_allocator a, void *mem, size_t len, uint8_t align_log2);
bool as_resize(as_allocator a, void *mem, size_t len, uint8_t align_log2, size_t new_len);
/* Tries remap, then falls back to allocate + copy + free. Returns the new
 * pointer, or NULL (old block untouched) when no memory is available. */
void *as_realloc(as_allocator a, void *mem, size_t len, uint8_t align_log2, size_t new_len);

/* Ready-made vtable entries for allocators that cannot do an operation. */
bool as_no_resize(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len, uintptr_t ra);
void *as_no_remap(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len, uintptr_t ra);
/* remap that succeeds exactly when resize does (in place). */
void *as_remap_via_resize(const as_vtable *vt, void *ctx, void *mem, size_t len,
                          uint8_t align_log2, size_t new_len, uintptr_t ra);

/* A fresh region of at least size bytes (rounded up to a whole number of
 * AS_REGION_ALIGN pages), aligned to AS_REGION_ALIGN, every byte 0 (so
 * what a fresh block shows is known, and a checkpoint's restore can put
 * bytes written after it back to 0); NULL when size is 0, absurdly
 * large, or the system has no memory. Free with as_region_delete. */
void *as_region_new(size_t size, size_t *rounded);
void as_region_delete(void *region);

/* ---- inspection --------------------------------------------------------- */

/* What a byte of an allocator's region is, from the allocator's view.
 * PADDING is skipped before a block to align it; SLACK comes after a
 * block's bytes and is handed out with it: a remainder too small to stand
 * alone as a free block (free list), or the rounding of a size up to a
 * power of two (buddy) or a slot (pool). DAMAGED bytes are guard or poison
 * bytes a debug allocator found overwritten (a write past the end, a write
 * after free): their block is in `block`. UNKNOWN bytes are those of an
 * allocator that does not describe its memory (a plugin without describe)
 * and that allocscope never saw handed out: free space or the allocator's
 * own bookkeeping, nobody but the allocator knows. */
#define AS_SPAN_KINDS(X)                                   \
    X(AS_SPAN_UNUSED, "unused", "never handed out")        \
    X(AS_SPAN_LIVE, "live", "in use by the program")       \
    X(AS_SPAN_FREED, "freed", "freed, not yet reused")     \
    X(AS_SPAN_PADDING, "padding", "skipped to align")      \
    X(AS_SPAN_META, "metadata", "the allocator's own bookkeeping")  \
    X(AS_SPAN_SLACK, "slack", "handed out with a block beyond its size (internal fragmentation)") \
    X(AS_SPAN_DAMAGED, "damaged", "guard or poison bytes overwritten; kept as evidence until free or reset") \
    X(AS_SPAN_UNKNOWN, "unknown", "not described by the allocator, and never seen handed out: free or its own, allocscope cannot tell")

typedef enum as_span_kind {
#define AS_X(id, name, what) id,
    AS_SPAN_KINDS(AS_X)
#undef AS_X
        AS_SPAN_KIND_COUNT
} as_span_kind;

const char *as_span_kind_name(as_span_kind kind);

/* What metadata is, when a span is AS_SPAN_META. */
typedef enum as_meta_kind {
    AS_META_NONE = 0,
    AS_META_HEADER,    /* block header */
    AS_META_LINK,      /* free-list link inside a free block */
    AS_META_CHUNK,     /* chunk / slab header */
    AS_META_GUARD,     /* guard zone after a block */
} as_meta_kind;

typedef struct as_span {
    uint32_t region;     /* index of the region (0 for single-region) */
    size_t offset;       /* from the start of the region */
    size_t len;
    as_span_kind kind;
    as_meta_kind meta;   /* for AS_SPAN_META */
    const void *block;   /* for LIVE, FREED and DAMAGED: the block's user pointer */
} as_span;

typedef enum as_marker_kind {
    AS_MARK_OFFSET,      /* bump / end offset: next allocation starts here */
    AS_MARK_CHUNK,       /* a chunk boundary */
    AS_MARK_SLOT,        /* a slot boundary */
    AS_MARK_FREE_HEAD,   /* head of a free list */
    AS_MARK_FREE_NODE,   /* a node of a free list */
    AS_MARK_ROVER,       /* next-fit's roving pointer */
} as_marker_kind;

typedef struct as_marker {
    as_marker_kind kind;
    uint32_t region;
    size_t offset;
} as_marker;

/* An inspection visitor. Regions come first, in order; then, per region,
 * its spans in address order (covering it exactly), then its markers. Any
 * callback may be NULL. A visitor that sets spans gets the spans in
 * batches through it (and span is not called): one call per batch instead
 * of one per span, for visitors that walk 100,000 blocks per frame. */
typedef struct as_inspector {
    void (*region)(void *user, uint32_t region, const void *base, size_t size);
    void (*span)(void *user, const as_span *span);
    void (*marker)(void *user, const as_marker *marker);
    void *user;
    void (*spans)(void *user, const as_span *spans, size_t count);
} as_inspector;

/* Convenience for allocators: call a possibly-NULL callback. */
void as_emit_region(const as_inspector *in, uint32_t region, const void *base, size_t size);
static inline void as_emit_span(const as_inspector *in, uint32_t region, size_t offset, size_t len,
                                as_span_kind kind, as_meta_kind meta, const void *block)
{
    if (len == 0)
        return;
    as_span s = {region, offset, len, kind, meta, block};
    if (in->spans)
        in->spans(in->user, &s, 1);
    else if (in->span)
        in->span(in->user, &s);
}
void as_emit_marker(const as_inspector *in, as_marker_kind kind, uint32_t region, size_t offset);

/* What allocators with many blocks emit through: spans are gathered and
 * handed over in batches (to spans, or one by one to span). Markers go
 * through it too, so the order spans-then-marker is kept. as_writer_end
 * hands over what is left; call it before returning from inspect. */
#define AS_WRITER_BATCH 64
typedef struct as_span_writer {
    const as_inspector *in;
    size_t count;
    as_span batch[AS_WRITER_BATCH];
} as_span_writer;

static inline void as_writer_begin(as_span_writer *w, const as_inspector *in)
{
    w->in = in;
    w->count = 0;
}
void as_writer_flush(as_span_writer *w);
static inline void as_write_span(as_span_writer *w, uint32_t region, size_t offset, size_t len,
                                 as_span_kind kind, as_meta_kind meta, const void *block)
{
    if (len == 0)
        return;
    w->batch[w->count++] = (as_span){region, offset, len, kind, meta, block};
    if (w->count == AS_WRITER_BATCH)
        as_writer_flush(w);
}
void as_write_marker(as_span_writer *w, as_marker_kind kind, uint32_t region, size_t offset);
static inline void as_writer_end(as_span_writer *w) { as_writer_flush(w); }

/* What a free of a given block would do, decided before doing it. */
#define AS_VERDICTS(X)                                                          \
    X(AS_FREE_OK, "ok", "the block is given back")                              \
    X(AS_FREE_NOOP, "noop-free", "this allocator ignores frees by design")      \
    X(AS_FREE_KEPT, "kept", "accepted, but the bytes are reclaimed only by a reset") \
    X(AS_FREE_OUT_OF_ORDER, "out-of-order-free", "only the top block can be freed (LIFO)") \
    X(AS_FREE_DOUBLE, "double-free", "the block was already freed")             \
    X(AS_FREE_NOT_OWNED, "invalid-free", "this allocator does not own that pointer") \
    X(AS_FREE_WRONG_SIZE, "invalid-free", "the size or alignment differs from the allocation")

typedef enum as_free_verdict {
#define AS_X(id, name, what) id,
    AS_VERDICTS(AS_X)
#undef AS_X
} as_free_verdict;

const char *as_verdict_name(as_free_verdict v);
const char *as_verdict_text(as_free_verdict v);

/* Problems an allocator detects while it works, reported to a sink. */
#define AS_EVENTS(X)                                  \
    X(AS_EV_DOUBLE_FREE, "double-free")               \
    X(AS_EV_INVALID_FREE, "invalid-free")             \
    X(AS_EV_WRONG_SIZE_FREE, "invalid-free")          \
    X(AS_EV_OUT_OF_ORDER_FREE, "out-of-order-free")   \
    X(AS_EV_LEAK, "leak")                             \
    X(AS_EV_USE_AFTER_FREE, "use-after-free")         \
    X(AS_EV_OVERFLOW, "overflow")                     \
    X(AS_EV_MEMORY_LIMIT, "memory-limit")

typedef enum as_event_kind {
#define AS_X(id, name) id,
    AS_EVENTS(AS_X)
#undef AS_X
} as_event_kind;

const char *as_event_name(as_event_kind kind);

typedef struct as_event {
    as_event_kind kind;
    const void *ptr;         /* the block concerned */
    size_t len;              /* its recorded length (or the one passed) */
    size_t given_len;        /* for wrong-size frees: what the caller said */
    uint64_t alloc_stamp;    /* when it was allocated (0: unknown) */
    uint64_t free_stamp;     /* when it was first freed (0: not freed) */
} as_event;

typedef struct as_event_sink {
    void (*event)(void *user, const as_event *ev);
    void *user;
} as_event_sink;

void as_report(const as_event_sink *sink, const as_event *ev);

/* Reset modes of the resettable allocators (Zig's ArenaAllocator names). */
typedef enum as_reset_mode {
    AS_RESET_FREE_ALL,
    AS_RESET_RETAIN_CAPACITY,
    AS_RESET_RETAIN_WITH_LIMIT,
} as_reset_mode;

/* Figures every allocator can give about itself, all in bytes or counts. */
typedef struct as_usage {
    size_t capacity;        /* bytes of the regions owned now */
    size_t live_bytes;
    size_t live_blocks;
    size_t freed_bytes;
    size_t padding_bytes;
    size_t metadata_bytes;
    size_t unused_bytes;
    size_t slack_bytes;     /* handed out beyond the blocks' sizes */
    size_t damaged_bytes;   /* guard / poison bytes found overwritten */
    size_t unknown_bytes;   /* not described and never handed out: neither free nor used for sure */
} as_usage;

typedef struct as_location {
    uint32_t region;
    size_t offset;
    size_t padding;
} as_location;

/* Bytes of one region that changes may have touched (changed_since). */
typedef struct as_change {
    uint32_t region;
    size_t from, to;        /* [from, to); empty (from == to) when nothing changed */
} as_change;

/* What an allocator keeps to answer changed_since: its last changes, each
 * with its stamp and bytes (region 0). A stamp is a generation (high 32
 * bits: drawn from `counter`, the kind's one counter, when the allocator
 * is made or forgets) and a count of the changes since (low 32 bits), so
 * noting a change costs a few stores, and no two allocators of a kind,
 * nor one allocator before and after it forgot, share a stamp. */
#define AS_CHANGE_LOG 8
typedef struct as_change_log {
    uint64_t stamp;          /* of the last change */
    uint64_t base;           /* every change after this stamp is in the log */
    uint64_t at[AS_CHANGE_LOG];
    size_t from[AS_CHANGE_LOG], to[AS_CHANGE_LOG];
    unsigned next;
} as_change_log;

/* Forgets every change (a new allocator, a reset, a region that grew, a
 * saved state put back): no stamp given before can be answered any more. */
static inline void as_change_forget(as_change_log *l, uint64_t *counter)
{
    l->stamp = l->base = __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED) << 32;
    for (unsigned i = 0; i < AS_CHANGE_LOG; i++)
        l->at[i] = 0;
    l->next = 0;
}

/* Notes a change of the bytes [from, to) of region 0. */
static inline void as_change_note(as_change_log *l, uint64_t *counter, size_t from, size_t to)
{
    if ((uint32_t)l->stamp == UINT32_MAX) /* the count would reach the next generation */
        as_change_forget(l, counter);
    unsigned i = l->next;
    if (l->at[i] > l->base) /* the oldest change leaves the log */
        l->base = l->at[i];
    l->stamp = l->at[i] = l->stamp + 1;
    l->from[i] = from;
    l->to[i] = to;
    l->next = (i + 1) % AS_CHANGE_LOG;
}

/* changed_since over a log: the union of the changes after `since`. */
static inline bool as_change_since(const as_change_log *l, uint64_t since, uint64_t *now, as_change *out)
{
    *now = l->stamp;
    *out = (as_change){0, 0, 0};
    if (since < l->base || since > l->stamp)
        return false;
    size_t from = SIZE_MAX, to = 0;
    for (unsigned i = 0; i < AS_CHANGE_LOG; i++)
        if (l->at[i] > since && l->from[i] < l->to[i]) {
            from = l->from[i] < from ? l->from[i] : from;
            to = l->to[i] > to ? l->to[i] : to;
        }
    if (from < to)
        out->from = from, out->to = to;
    return true;
}

/* How an allocator keeps its free blocks, for whoever shows them (bins). */
typedef enum as_free_shape {
    AS_FREE_NONE = 0,       /* no free structure: free space lies after the offset */
    AS_FREE_ADDRESS_LIST,   /* one list of blocks of any size, in address order */
    AS_FREE_ORDERS,         /* one list per power-of-two order, the largest first */
    AS_FREE_SLOTS,          /* one LIFO list of equal slots */
} as_free_shape;

/* A walk over the free structure. For AS_FREE_ORDERS, list is called
 * before each order's blocks (every order, empty ones too). */
typedef struct as_free_walk {
    void (*list)(void *user, unsigned order, size_t block_size);
    void (*block)(void *user, uint32_t region, size_t offset, size_t size);
    void *user;
} as_free_walk;

/* What is said of the free structure as a whole. */
typedef struct as_free_summary {
    const char *policy;     /* how a block is chosen ("best-fit"); NULL: not a choice */
    size_t largest;         /* bytes of the largest free block */
    double fragmentation;   /* 1 - largest / all free bytes */
    size_t slot_size;       /* AS_FREE_SLOTS: bytes of one slot */
} as_free_summary;

/* A figure an allocator counts about itself, beyond as_usage (for stats):
 * said "VALUE NAME" ("3 active"), or "NAME VALUE" ("peak 10") when
 * name_first; a figure with a section starts a group ("; calls: 2 alloc"). */
typedef struct as_figure {
    const char *name;
    size_t value;
    bool name_first;
    const char *section;
} as_figure;

/* ---- checkpoints ----------------------------------------------------
 * An allocator that supports checkpoints describes its whole state as a
 * sequence of byte ranges: its own struct, every byte of its buffer that
 * may have changed since it was made (up to its high-water mark: bytes past
 * the current offset may still hold what an earlier block left there), and
 * its side tables. save hands them to the saver, always in the same order
 * for the same shape of state. restore is called later on the SAME
 * instance (same ctx, same buffer at the same address), after any number of
 * operations; it asks the loader for the ranges in the order save gave
 * them and puts the state back exactly: what the allocator hands out next,
 * its spans, figures and check() are what they were when it was saved.
 * Pointers into its own buffer stay valid because nothing moves; side
 * tables that were reallocated since are resized (they may move) and
 * their contents loaded. False from save: out of memory (the checkpoint is
 * dropped). False from restore: the saved state cannot be put back (the
 * allocator is left as restore found it, or, if it already changed it,
 * check() may fail: callers then rebuild by replaying). The session saves
 * every instance of a built allocator (top and owned parts) separately. */
typedef struct as_saver {
    /* Saves len bytes from p; false when out of memory. */
    bool (*range)(void *user, const void *p, size_t len);
    void *user;
    /* Optional: the same for a range its owner knows by a version that
     * changes whenever its bytes do (a counter that only goes up): a saver
     * may then take it as unchanged, without reading it, when the range
     * saved at the same place last time had the same address, length and
     * version. NULL: range is used. */
    bool (*range_versioned)(void *user, const void *p, size_t len, uint64_t version);
} as_saver;

typedef struct as_loader {
    /* The length of the next saved range (SIZE_MAX when there is none). */
    size_t (*next_len)(void *user);
    /* Copies the next saved range into p, which has room for cap bytes;
     * false (nothing copied, nothing consumed) if it is longer than cap. */
    bool (*range)(void *user, void *p, size_t cap);
    void *user;
    /* Optional: passes over the next saved range without copying it (the
     * caller knows it holds those bytes already); false if there is none.
     * NULL: callers copy. */
    bool (*skip)(void *user);
} as_loader;

static inline bool as_save(const as_saver *w, const void *p, size_t len) { return w->range(w->user, p, len); }
static inline bool as_save_versioned(const as_saver *w, const void *p, size_t len, uint64_t version)
{
    return w->range_versioned ? w->range_versioned(w->user, p, len, version) : w->range(w->user, p, len);
}
static inline size_t as_load_len(const as_loader *r) { return r->next_len(r->user); }
/* Loads the next range, which must be exactly len bytes long. */
static inline bool as_load(const as_loader *r, void *p, size_t len)
{
    return r->next_len(r->user) == len && r->range(r->user, p, len);
}

/* The inspection side of an allocator, beside its as_vtable. Every entry
 * takes the same ctx as the vtable. Optional entries may be NULL. */
typedef struct as_probe {
    const char *kind;
    void (*inspect)(const void *ctx, const as_inspector *in);
    /* NULL iff every invariant holds; else names the first broken one. */
    const char *(*check)(const void *ctx);
    as_free_verdict (*judge_free)(const void *ctx, const void *mem, size_t len, uint8_t align_log2);
    /* Releases every block at once; false if the allocator cannot reset. */
    bool (*reset)(void *ctx, as_reset_mode mode, size_t limit);
    void (*set_sink)(void *ctx, as_event_sink sink);
    /* The bump / end offset, for those that have one; false otherwise. */
    bool (*offset)(const void *ctx, size_t *out);
    /* Where a live block sits, in O(1) or close: its region, its offset in
     * the region and the alignment padding right before it (or before its
     * header). False if mem is not a live block start of this allocator.
     * Optional: without it, callers inspect. */
    bool (*locate)(const void *ctx, const void *mem, as_location *out);
    void (*destroy)(void *ctx);
    /* Optional, a hint: mem, a live block, is about to be freed or resized
     * (near: 0 some operations ahead, 1 the next few), so the allocator may
     * bring into the cache what that will read. Changes nothing. */
    void (*prefetch)(const void *ctx, const void *mem, int near);

    /* ---- optional facts, for whoever explains the allocator ---------- */
    /* What its regions are called ("chunk", "slab"); such an allocator's
     * positions always name their region. NULL: plain "region", named
     * only past region 0. */
    const char *region_word;
    /* Why a free it accepts reclaims nothing (AS_FREE_NOOP, AS_FREE_KEPT). */
    const char *noop_free_why;
    /* Why an in-place resize of one of its blocks can fail. */
    const char *resize_hint;
    /* Allocators that catch misuse (the debug allocator): they are handed
     * bad operations on purpose and report them through their sink. */
    void (*set_stamp)(void *ctx, uint64_t stamp);   /* the step events carry */
    size_t (*scan)(void *ctx);                      /* checks guards and poison now: problems */
    size_t (*report_leaks)(void *ctx, size_t *bytes); /* every live block as a leak: how many */
    size_t guard_size;                              /* guard bytes after each block (0: none) */
    uint8_t guard_byte;                             /* what a guard holds */
    /* Bump-style allocators keep a ledger of their blocks for inspection;
     * off, they run bare (what benchmarks compare with). */
    void (*set_ledger)(void *ctx, bool on);
    /* Its free structure: shape, walk, summary (walk and summary NULL
     * for AS_FREE_NONE). */
    as_free_shape free_shape;
    void (*walk_free)(const void *ctx, const as_free_walk *w);
    void (*free_summary)(const void *ctx, as_free_summary *out);
    /* ---- optional, for views that redraw only what changed ----------- */
    /* The spans of region that meet [from, to), whole and in address
     * order (a few spans next to them may come too), then every marker of
     * the region, wherever it is (markers are few). No region callback. */
    void (*inspect_range)(const void *ctx, uint32_t region, size_t from, size_t to, const as_inspector *in);
    /* The allocator's change stamp now (*now, always set) and, when it can
     * tell, the bytes the changes made after stamp `since` may have
     * touched (*out, one region): outside them every byte keeps its span
     * kind, metadata kind and block, and no span boundary moves (at the
     * range's two ends one may). False when it cannot tell (a stamp it
     * did not give, too old, a reset, a region that grew or appeared):
     * then look at everything. Stamps of all allocators of one kind come
     * from one counter, so a stamp is never taken for another allocator's
     * at the same address; an allocator that puts a saved state back
     * forgets its changes (as_change_forget). */
    bool (*changed_since)(const void *ctx, uint64_t since, uint64_t *now, as_change *out);
    /* Its own figures (wrappers count calls and bytes): how many it wrote
     * into out, at most max. */
    size_t (*figures)(const void *ctx, as_figure *out, size_t max);
    /* Checkpoints (see as_saver above); both NULL: the allocator has none,
     * and going back rebuilds it by replaying the steps. */
    bool (*save)(const void *ctx, const as_saver *w);
    bool (*restore)(void *ctx, const as_loader *r);
} as_probe;

/* An allocator with both of its faces: what wrappers and the session hold. */
typedef struct as_instance {
    as_allocator a;
    const as_probe *probe;
} as_instance;

/* Checkpoints of a buffer an allocator writes from its start: the first
 * `high` bytes (its high-water mark), nothing when high is 0. Loading
 * puts the saved `then` bytes back and the bytes written since above them
 * (up to `now`) back to the 0 of a fresh region. */
bool as_save_written(const as_saver *w, const void *buf, size_t high);
bool as_load_written(const as_loader *r, void *buf, size_t then, size_t now);

/* Adds up the spans of any allocator into an as_usage. */
void as_usage_of(const as_probe *probe, const void *ctx, as_usage *out);

#endif
