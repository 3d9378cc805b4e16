/*
 * debug.c - the tracking debug allocator (see debug.h).
 *
 * Each allocation asks the wrapped allocator for len + DEBUG_GUARD_SIZE
 * bytes and fills the tail with DEBUG_GUARD_BYTE (the tutorial's mode,
 * debug_create_tutorial, has no guard, no poison and no quarantine). Records live in an open
 * addressing hash table keyed by the block's address (linear probing; a
 * record is replaced, never deleted, when the address is handed out again,
 * so a double free long after the first still names both steps). A freed
 * block is poisoned and parked in a FIFO quarantine; only when it leaves
 * the quarantine is it given back to the wrapped allocator.
 *
 * Damage is evidence and is kept: a damaged guard byte or poison byte is
 * never rewritten while its block is live or quarantined. It is reported
 * (one event per block each time its damage grows or changes) by the first
 * of debug_scan, a free, the leak report or the block's leaving the
 * quarantine, and debug_each_damage lists it, range by range, for as long
 * as it is there. Only freeing the block (its guard is rewritten, its user
 * bytes poisoned), the block's leaving the quarantine (the memory goes
 * back), a resize (the guard moves) or a reset repairs it.
 *
 * Invariants: the number of live records and their bytes equal the active
 * count and current bytes; every quarantined slot names a quarantined
 * record; the table is never more than 3/4 full.
 *
 * A checkpoint holds the struct (counters, quarantine ring, stamp) and the
 * record table: a save copies 40 bytes per table slot (at most 4/3 of the
 * blocks ever recorded, rounded to a power of two). The wrapped allocator
 * is saved as an instance of its own; the records point into its memory.
 */
#include "allocscope/debug.h"

#include <stdlib.h>
#include <string.h>

typedef enum rec_state { REC_EMPTY, REC_LIVE, REC_QUARANTINED, REC_RELEASED } rec_state;

typedef struct record {
    const unsigned char *ptr;
    size_t len;
    uint64_t alloc_stamp, free_stamp;
    uint8_t align_log2;
    uint8_t state;
    uint32_t reported;   /* damaged bytes when its damage was last reported */
} record;

struct debug_alloc {
    as_instance inner;
    as_event_sink sink;
    record *table;
    size_t table_cap, table_used;
    const unsigned char *quarantine[DEBUG_QUARANTINE];
    size_t q_head, q_count;
    uint64_t now;
    bool manual_stamp;
    size_t limit;
    size_t guard;        /* DEBUG_GUARD_SIZE, or 0 in the tutorial's mode */
    bool tutorial;       /* the tutorial's DebugBumpAllocator: no guard, poison, quarantine */
    debug_stats st;
};

static record *find_slot(record *table, size_t cap, const void *p)
{
    for (size_t i = as_hash_ptr(p, cap);; i = (i + 1) & (cap - 1))
        if (table[i].state == REC_EMPTY || table[i].ptr == p)
            return &table[i];
}

static bool grow_table(debug_alloc *d)
{
    size_t cap = d->table_cap * 2;
    record *t = calloc(cap, sizeof *t);
    if (t == NULL)
        return false;
    for (size_t i = 0; i < d->table_cap; i++)
        if (d->table[i].state != REC_EMPTY)
            *find_slot(t, cap, d->table[i].ptr) = d->table[i];
    free(d->table);
    d->table = t;
    d->table_cap = cap;
    return true;
}

static record *lookup(const debug_alloc *d, const void *p)
{
    record *r = find_slot(d->table, d->table_cap, p);
    return r->state == REC_EMPTY ? NULL : r;
}

debug_alloc *debug_create(as_instance inner)
{
    debug_alloc *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    d->guard = DEBUG_GUARD_SIZE;
    d->table_cap = 64;
    d->table = calloc(d->table_cap, sizeof *d->table);
    if (d->table == NULL) {
        free(d);
        return NULL;
    }
    d->inner = inner;
    return d;
}

debug_alloc *debug_create_tutorial(as_instance inner)
{
    debug_alloc *d = debug_create(inner);
    if (d) {
        d->guard = 0;
        d->tutorial = true;
    }
    return d;
}

bool debug_is_tutorial(const debug_alloc *d) { return d->tutorial; }

void debug_destroy(debug_alloc *d)
{
    if (d == NULL)
        return;
    free(d->table);
    free(d);
}

static uint64_t stamp(debug_alloc *d) { return d->manual_stamp ? d->now : ++d->now; }

static void report(debug_alloc *d, as_event_kind kind, const record *r, const void *ptr,
                   size_t given_len)
{
    as_event ev = {kind, ptr, r ? r->len : given_len, given_len, r ? r->alloc_stamp : 0,
                   r ? r->free_stamp : 0};
    as_report(&d->sink, &ev);
}

/* The bytes a record's evidence lives in: the guard of a live block, the
 * poisoned user bytes of a quarantined one (none in the tutorial's mode). */
static bool evidence_zone(const debug_alloc *d, const record *r, size_t *from, size_t *len,
                          unsigned char *expected)
{
    if (d->tutorial)
        return false;
    if (r->state == REC_LIVE) {
        *from = r->len, *len = d->guard, *expected = DEBUG_GUARD_BYTE;
        return true;
    }
    if (r->state == REC_QUARANTINED) {
        *from = 0, *len = r->len, *expected = DEBUG_POISON_BYTE;
        return true;
    }
    return false;
}

/* How many bytes of r's evidence zone are damaged (0: intact). */
static size_t damaged_bytes(const debug_alloc *d, const record *r)
{
    size_t from, len, n = 0;
    unsigned char want;
    if (!evidence_zone(d, r, &from, &len, &want))
        return 0;
    for (size_t i = 0; i < len; i++)
        n += r->ptr[from + i] != want;
    return n;
}

static bool guard_intact(const debug_alloc *d, const record *r)
{
    for (size_t i = 0; i < d->guard; i++)
        if (r->ptr[r->len + i] != DEBUG_GUARD_BYTE)
            return false;
    return true;
}

/* Reports r's damage if it is new (not reported as it is now); returns the
 * number of damaged bytes. */
static size_t report_damage(debug_alloc *d, record *r)
{
    size_t n = damaged_bytes(d, r);
    if (n != 0 && n != r->reported) {
        report(d, r->state == REC_LIVE ? AS_EV_OVERFLOW : AS_EV_USE_AFTER_FREE, r, r->ptr, r->len);
        r->reported = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    }
    return n;
}

static void give_back(debug_alloc *d, record *r)
{
    d->inner.a.vtable->free(d->inner.a.ctx, (void *)r->ptr, r->len + d->guard,
                            r->align_log2, 0);
    r->state = REC_RELEASED;
    r->reported = 0;
}

static void quarantine_push(debug_alloc *d, record *r)
{
    if (d->q_count == DEBUG_QUARANTINE) {
        record *old = lookup(d, d->quarantine[d->q_head]);
        if (old && old->state == REC_QUARANTINED) {
            report_damage(d, old);
            give_back(d, old);
        }
        d->q_head = (d->q_head + 1) % DEBUG_QUARANTINE;
        d->q_count--;
    }
    d->quarantine[(d->q_head + d->q_count) % DEBUG_QUARANTINE] = r->ptr;
    d->q_count++;
}

/* The tutorial's peak_usage: the highest offset the wrapped allocator reached. */
static void note_offset(debug_alloc *d)
{
    size_t off;
    if (d->inner.probe && d->inner.probe->offset && d->inner.probe->offset(d->inner.a.ctx, &off) &&
        off > d->st.peak_offset)
        d->st.peak_offset = off;
}

static void *dbg_alloc(void *ctx, size_t len, uint8_t al, uintptr_t ra)
{
    debug_alloc *d = ctx;
    size_t total;
    if (!as_add(len, d->guard, &total))
        return NULL;
    if (d->limit && (d->st.current_bytes > d->limit || len > d->limit - d->st.current_bytes)) {
        report(d, AS_EV_MEMORY_LIMIT, NULL, NULL, len);
        return NULL;
    }
    if ((d->table_used + 1) * 4 > d->table_cap * 3 && !grow_table(d))
        return NULL;
    unsigned char *p = d->inner.a.vtable->alloc(d->inner.a.ctx, total, al, ra);
    if (p == NULL)
        return NULL;
    memset(p + len, DEBUG_GUARD_BYTE, d->guard);
    record *r = find_slot(d->table, d->table_cap, p);
    if (r->state == REC_EMPTY)
        d->table_used++;
    /* A quarantined record cannot be here: its memory is not handed out. */
    *r = (record){p, len, stamp(d), 0, al, REC_LIVE, 0};
    d->st.active_allocations++;
    d->st.allocations++;
    d->st.total_allocated += len;
    d->st.current_bytes += len;
    if (d->st.current_bytes > d->st.peak_bytes)
        d->st.peak_bytes = d->st.current_bytes;
    note_offset(d);
    return p;
}

static bool dbg_resize(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    debug_alloc *d = ctx;
    record *r = lookup(d, mem);
    size_t total;
    if (r == NULL || r->state != REC_LIVE || r->len != len || !as_add(new_len, d->guard, &total))
        return false;
    if (new_len > len && d->limit && new_len - len > d->limit - d->st.current_bytes) {
        report(d, AS_EV_MEMORY_LIMIT, r, mem, new_len);
        return false;
    }
    if (!d->inner.a.vtable->resize(d->inner.a.ctx, mem, len + d->guard, al, total, ra))
        return false;
    report_damage(d, r); /* the guard moves: what it showed is reported first */
    r->reported = 0;
    memset((unsigned char *)mem + new_len, DEBUG_GUARD_BYTE, d->guard);
    d->st.current_bytes = d->st.current_bytes - len + new_len;
    if (new_len > len)
        d->st.total_allocated += new_len - len;
    else
        d->st.total_freed += len - new_len;
    if (d->st.current_bytes > d->st.peak_bytes)
        d->st.peak_bytes = d->st.current_bytes;
    r->len = new_len;
    note_offset(d);
    return true;
}

static void *dbg_remap(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    return dbg_resize(ctx, mem, len, al, new_len, ra) ? mem : NULL;
}

static void dbg_free(void *ctx, void *mem, size_t len, uint8_t al, uintptr_t ra)
{
    (void)ra;
    debug_alloc *d = ctx;
    record *r = lookup(d, mem);
    if (r == NULL) {
        report(d, AS_EV_INVALID_FREE, NULL, mem, len);
        return;
    }
    if (r->state != REC_LIVE) {
        report(d, AS_EV_DOUBLE_FREE, r, mem, len);
        return;
    }
    if (r->len != len || r->align_log2 != al)
        report(d, AS_EV_WRONG_SIZE_FREE, r, mem, len);
    r->free_stamp = stamp(d);
    d->st.active_allocations--;
    d->st.frees++;
    d->st.total_freed += r->len;
    d->st.current_bytes -= r->len;
    if (d->tutorial) { /* the tutorial's: marked freed, given back at once */
        give_back(d, r);
        return;
    }
    /* the free is the last moment the guard's evidence can be reported;
     * then the block is repaired: guard rewritten, user bytes poisoned */
    report_damage(d, r);
    if (!guard_intact(d, r))
        memset((unsigned char *)mem + r->len, DEBUG_GUARD_BYTE, d->guard);
    memset(mem, DEBUG_POISON_BYTE, r->len);
    r->state = REC_QUARANTINED;
    r->reported = 0;
    quarantine_push(d, r);
}

static const as_vtable debug_vtable = {dbg_alloc, dbg_resize, dbg_remap, dbg_free};

as_allocator debug_allocator(debug_alloc *d) { return (as_allocator){d, &debug_vtable}; }
as_instance debug_instance(debug_alloc *d)
{
    return (as_instance){debug_allocator(d), d->tutorial ? &debug_tutorial_probe : &debug_probe};
}

void debug_set_sink(debug_alloc *d, as_event_sink sink) { d->sink = sink; }

void debug_set_stamp(debug_alloc *d, uint64_t s)
{
    d->now = s;
    d->manual_stamp = true;
}

void debug_set_limit(debug_alloc *d, size_t bytes) { d->limit = bytes; }
size_t debug_limit(const debug_alloc *d) { return d->limit; }
debug_stats debug_get_stats(const debug_alloc *d) { return d->st; }

static int by_allocation(const void *a, const void *b)
{
    const record *x = *(const record *const *)a, *y = *(const record *const *)b;
    if (x->alloc_stamp != y->alloc_stamp)
        return x->alloc_stamp < y->alloc_stamp ? -1 : 1;
    return (x->ptr > y->ptr) - (x->ptr < y->ptr);
}

/* The records (live ones only, or every one in use) in the order their
 * blocks were made, oldest first - not the table's, which follows
 * addresses, so that a rebuilt session reports them in the same order.
 * NULL (n set) if there is no memory for the order: callers use the
 * table's then. */
static record **in_order(debug_alloc *d, bool live_only, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < d->table_cap; i++)
        *n += live_only ? d->table[i].state == REC_LIVE : d->table[i].state != REC_EMPTY;
    record **r = malloc((*n ? *n : 1) * sizeof *r);
    if (r == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < d->table_cap; i++)
        if (live_only ? d->table[i].state == REC_LIVE : d->table[i].state != REC_EMPTY)
            r[k++] = &d->table[i];
    qsort(r, k, sizeof *r, by_allocation);
    return r;
}

size_t debug_report_leaks(debug_alloc *d)
{
    size_t n;
    record **live = in_order(d, true, &n);
    for (size_t i = 0; i < (live ? n : d->table_cap); i++) {
        record *r = live ? live[i] : &d->table[i];
        if (r->state != REC_LIVE)
            continue;
        report(d, AS_EV_LEAK, r, r->ptr, r->len);
        report_damage(d, r);
    }
    free(live);
    return n;
}

/* Calls fn (if not NULL) for each damaged run of r's evidence zone, in
 * address order; returns how many runs there are. */
static size_t each_run(const debug_alloc *d, const record *r, debug_damage_fn fn, void *user)
{
    size_t from, len, runs = 0;
    unsigned char want;
    if (!evidence_zone(d, r, &from, &len, &want))
        return 0;
    for (size_t i = 0; i < len;) {
        if (r->ptr[from + i] == want) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < len && r->ptr[from + i] != want)
            i++;
        runs++;
        if (fn) {
            debug_damage dmg = {r->ptr, r->len, from + start, i - start,
                                r->state == REC_LIVE ? DEBUG_DAMAGE_GUARD : DEBUG_DAMAGE_POISON,
                                r->alloc_stamp, r->free_stamp};
            fn(user, &dmg);
        }
    }
    return runs;
}

size_t debug_scan(debug_alloc *d)
{
    size_t n = 0, count;
    record **all = in_order(d, false, &count); /* reported in the order the blocks were made */
    for (size_t i = 0; i < (all ? count : d->table_cap); i++) {
        record *r = all ? all[i] : &d->table[i];
        if (report_damage(d, r))
            n += each_run(d, r, NULL, NULL);
    }
    free(all);
    return n;
}

static int by_address(const void *a, const void *b)
{
    const unsigned char *p = ((const record *const *)a)[0]->ptr, *q = ((const record *const *)b)[0]->ptr;
    return (p > q) - (p < q);
}

size_t debug_each_damage(const debug_alloc *d, const void *block, debug_damage_fn fn, void *user)
{
    if (block) {
        const record *r = lookup(d, block);
        return r ? each_run(d, r, fn, user) : 0;
    }
    size_t count = 0, runs = 0;
    for (size_t i = 0; i < d->table_cap; i++)
        count += damaged_bytes(d, &d->table[i]) != 0;
    if (count == 0)
        return 0;
    const record **list = malloc(count * sizeof *list);
    size_t k = 0;
    for (size_t i = 0; i < d->table_cap; i++)
        if (damaged_bytes(d, &d->table[i]) != 0) {
            if (list)
                list[k++] = &d->table[i];
            else /* no memory to sort: table order */
                runs += each_run(d, &d->table[i], fn, user);
        }
    if (list) {
        qsort(list, k, sizeof *list, by_address);
        for (size_t i = 0; i < k; i++)
            runs += each_run(d, list[i], fn, user);
        free(list);
    }
    return runs;
}

bool debug_is_damaged(const debug_alloc *d, const void *block, size_t offset)
{
    const record *r = lookup(d, block);
    size_t from, len;
    unsigned char want;
    if (r == NULL || !evidence_zone(d, r, &from, &len, &want) || offset < from || offset - from >= len)
        return false;
    return r->ptr[offset] != want;
}

bool debug_lookup(const debug_alloc *d, const void *ptr, size_t *len, uint64_t *alloc_stamp,
                  uint64_t *free_stamp)
{
    const record *r = lookup(d, ptr);
    if (r == NULL)
        return false;
    if (len)
        *len = r->len;
    if (alloc_stamp)
        *alloc_stamp = r->alloc_stamp;
    if (free_stamp)
        *free_stamp = r->free_stamp;
    return true;
}

void debug_forget_all(debug_alloc *d)
{
    memset(d->table, 0, d->table_cap * sizeof *d->table);
    d->table_used = 0;
    d->q_head = d->q_count = 0;
    d->st.active_allocations = 0;
    d->st.current_bytes = 0;
}

const char *debug_check(const debug_alloc *d)
{
    size_t live = 0, bytes = 0, used = 0;
    for (size_t i = 0; i < d->table_cap; i++) {
        const record *r = &d->table[i];
        if (r->state == REC_EMPTY)
            continue;
        used++;
        if (r->state == REC_LIVE) {
            live++;
            bytes += r->len;
        }
        if (find_slot(d->table, d->table_cap, r->ptr) != r)
            return "debug: a record cannot be found by its address";
    }
    if (live != d->st.active_allocations || bytes != d->st.current_bytes)
        return "debug: live records disagree with the counters";
    if (used != d->table_used || used * 4 > d->table_cap * 3)
        return "debug: hash table count wrong or overfull";
    for (size_t k = 0; k < d->q_count; k++) {
        const record *r = lookup(d, d->quarantine[(d->q_head + k) % DEBUG_QUARANTINE]);
        if (r == NULL || r->state != REC_QUARANTINED)
            return "debug: quarantine names a block that is not quarantined";
    }
    return d->inner.probe->check ? d->inner.probe->check(d->inner.a.ctx) : NULL;
}

/* Inspection: the wrapped allocator's spans, with each block it reports
 * split into the user's bytes and the guard, and quarantined blocks shown
 * as freed. */
typedef struct overlay {
    const debug_alloc *d;
    as_span_writer out;
} overlay;

static void overlay_region(void *user, uint32_t region, const void *base, size_t size)
{
    overlay *o = user;
    as_writer_flush(&o->out);
    as_emit_region(o->out.in, region, base, size);
}

/* Writes len bytes at offset (bytes p, which should all be want) as kind,
 * with each run of bytes that differ from want as AS_SPAN_DAMAGED. */
static void write_evidence(overlay *o, uint32_t region, size_t offset, const unsigned char *p, size_t len,
                           unsigned char want, as_span_kind kind, as_meta_kind meta, const void *block,
                           const void *owner)
{
    for (size_t i = 0; i < len;) {
        size_t j = i;
        bool bad = p[i] != want;
        while (j < len && (p[j] != want) == bad)
            j++;
        if (bad)
            as_write_span(&o->out, region, offset + i, j - i, AS_SPAN_DAMAGED, AS_META_NONE, owner);
        else
            as_write_span(&o->out, region, offset + i, j - i, kind, meta, block);
        i = j;
    }
}

static void overlay_span(overlay *o, const as_span *s)
{
    const record *r = s->block && s->kind == AS_SPAN_LIVE ? lookup(o->d, s->block) : NULL;
    if (r == NULL || r->state == REC_RELEASED || (const unsigned char *)s->block != r->ptr) {
        as_write_span(&o->out, s->region, s->offset, s->len, s->kind, s->meta, s->block);
        return;
    }
    size_t user_len = r->len < s->len ? r->len : s->len;
    size_t guard = s->len - user_len < o->d->guard ? s->len - user_len : o->d->guard;
    if (r->state == REC_LIVE)
        as_write_span(&o->out, s->region, s->offset, user_len, AS_SPAN_LIVE, AS_META_NONE, s->block);
    else if (o->d->tutorial)
        as_write_span(&o->out, s->region, s->offset, user_len, AS_SPAN_FREED, AS_META_NONE, s->block);
    else /* quarantined: poisoned, and a write after free shows */
        write_evidence(o, s->region, s->offset, r->ptr, user_len, DEBUG_POISON_BYTE, AS_SPAN_FREED,
                       AS_META_NONE, s->block, s->block);
    if (r->state == REC_LIVE)
        write_evidence(o, s->region, s->offset + user_len, r->ptr + user_len, guard, DEBUG_GUARD_BYTE,
                       AS_SPAN_META, AS_META_GUARD, NULL, s->block);
    else
        as_write_span(&o->out, s->region, s->offset + user_len, guard, AS_SPAN_META, AS_META_GUARD, NULL);
    /* what the wrapped allocator handed out beyond the guard */
    as_write_span(&o->out, s->region, s->offset + user_len + guard, s->len - user_len - guard, AS_SPAN_SLACK,
                  AS_META_NONE, s->block);
}

static void overlay_spans(void *user, const as_span *spans, size_t count)
{
    /* the records of a batch's live blocks are scattered over the table:
     * ask for them all first, so their cache misses overlap */
    const overlay *o = user;
    for (size_t i = 0; i < count; i++)
        if (spans[i].block && spans[i].kind == AS_SPAN_LIVE)
            __builtin_prefetch(&o->d->table[as_hash_ptr(spans[i].block, o->d->table_cap)]);
    for (size_t i = 0; i < count; i++)
        overlay_span(user, &spans[i]);
}

static void overlay_marker(void *user, const as_marker *m)
{
    overlay *o = user;
    as_write_marker(&o->out, m->kind, m->region, m->offset);
}

static void probe_inspect(const void *ctx, const as_inspector *in)
{
    overlay o = {.d = ctx};
    as_writer_begin(&o.out, in);
    as_inspector mid = {.region = overlay_region, .marker = overlay_marker, .user = &o, .spans = overlay_spans};
    o.d->inner.probe->inspect(o.d->inner.a.ctx, &mid);
    as_writer_end(&o.out);
}

static const char *probe_check(const void *ctx) { return debug_check(ctx); }

static as_free_verdict probe_judge(const void *ctx, const void *mem, size_t len, uint8_t al)
{
    const record *r = lookup(ctx, mem);
    if (r == NULL)
        return AS_FREE_NOT_OWNED;
    if (r->state != REC_LIVE)
        return AS_FREE_DOUBLE;
    if (r->len != len || r->align_log2 != al)
        return AS_FREE_WRONG_SIZE;
    return AS_FREE_OK;
}

static bool probe_reset(void *ctx, as_reset_mode mode, size_t limit)
{
    debug_alloc *d = ctx;
    if (d->inner.probe->reset == NULL || !d->inner.probe->reset(d->inner.a.ctx, mode, limit))
        return false;
    debug_forget_all(d);
    return true;
}

static void probe_set_sink(void *ctx, as_event_sink sink) { debug_set_sink(ctx, sink); }

static bool probe_offset(const void *ctx, size_t *out)
{
    const debug_alloc *d = ctx;
    return d->inner.probe->offset && d->inner.probe->offset(d->inner.a.ctx, out);
}

static bool probe_locate(const void *ctx, const void *mem, as_location *out)
{
    const debug_alloc *w = ctx;
    return w->inner.probe->locate && w->inner.probe->locate(w->inner.a.ctx, mem, out);
}

static void probe_destroy(void *ctx) { debug_destroy(ctx); }
static void probe_set_stamp(void *ctx, uint64_t stamp) { debug_set_stamp(ctx, stamp); }
static size_t probe_scan(void *ctx) { return debug_scan(ctx); }
static size_t probe_report_leaks(void *ctx, size_t *bytes)
{
    size_t n = debug_report_leaks(ctx);
    *bytes = debug_get_stats(ctx).current_bytes;
    return n;
}

/* The figures of stats: the guarded allocator's names and peak (live
 * bytes), or the tutorial's dumpStats names and peak usage (the highest
 * offset). */
static size_t figures(const void *ctx, bool tutorial, as_figure *out, size_t max)
{
    debug_stats d = debug_get_stats(ctx);
    as_figure f[] = {{tutorial ? "active" : "active allocations", d.active_allocations, false, NULL},
                     {"allocated", d.total_allocated, false, NULL},
                     {"freed", d.total_freed, false, NULL},
                     {tutorial ? "peak usage" : "peak", tutorial ? d.peak_offset : d.peak_bytes, true, NULL}};
    size_t n = sizeof f / sizeof f[0] < max ? sizeof f / sizeof f[0] : max;
    for (size_t i = 0; i < n; i++)
        out[i] = f[i];
    return n;
}

static size_t probe_figures(const void *ctx, as_figure *out, size_t max) { return figures(ctx, false, out, max); }

/* The tutorial's dumpStats: its peak usage is the highest offset. */
static size_t probe_tutorial_figures(const void *ctx, as_figure *out, size_t max)
{
    return figures(ctx, true, out, max);
}

/* ---- checkpoints: the struct (counters, quarantine, stamp) and the
 * record table; the wrapped allocator is an instance of its own ---- */

static bool probe_save(const void *ctx, const as_saver *w)
{
    const debug_alloc *d = ctx;
    return as_save(w, d, sizeof *d) && as_save(w, d->table, d->table_cap * sizeof *d->table);
}

/* The table takes the saved capacity (its slots depend on it); the sink
 * and the wrapped allocator stay the ones set now. */
static bool probe_restore(void *ctx, const as_loader *r)
{
    debug_alloc *d = ctx, t;
    if (!as_load(r, &t, sizeof t) || t.tutorial != d->tutorial || t.inner.a.ctx != d->inner.a.ctx ||
        as_load_len(r) != t.table_cap * sizeof *t.table)
        return false;
    if (t.table_cap != d->table_cap) {
        record *table = realloc(d->table, t.table_cap * sizeof *table);
        if (table == NULL)
            return false;
        d->table = table;
        d->table_cap = t.table_cap;
    }
    if (!as_load(r, d->table, t.table_cap * sizeof *d->table))
        return false;
    t.table = d->table;
    t.sink = d->sink;
    t.inner = d->inner;
    *d = t;
    return true;
}

const as_probe debug_probe = {
    .kind = "debug",
    .inspect = probe_inspect,
    .check = probe_check,
    .judge_free = probe_judge,
    .reset = probe_reset,
    .set_sink = probe_set_sink,
    .offset = probe_offset,
    .locate = probe_locate,
    .destroy = probe_destroy,
    .set_stamp = probe_set_stamp,
    .scan = probe_scan,
    .report_leaks = probe_report_leaks,
    .guard_size = DEBUG_GUARD_SIZE,
    .guard_byte = DEBUG_GUARD_BYTE,
    .figures = probe_figures,
    .save = probe_save,
    .restore = probe_restore,
};

/* The tutorial's DebugBumpAllocator: no guard; peak = the highest offset. */
const as_probe debug_tutorial_probe = {
    .kind = "debug-bump",
    .inspect = probe_inspect,
    .check = probe_check,
    .judge_free = probe_judge,
    .reset = probe_reset,
    .set_sink = probe_set_sink,
    .offset = probe_offset,
    .locate = probe_locate,
    .destroy = probe_destroy,
    .set_stamp = probe_set_stamp,
    .scan = probe_scan,
    .report_leaks = probe_report_leaks,
    .guard_size = 0,
    .guard_byte = DEBUG_GUARD_BYTE,
    .figures = probe_tutorial_figures,
    .save = probe_save,
    .restore = probe_restore,
};
