/*
 * replay.c - the trace replay engine (see replay.h).
 *
 * Each trace id has a slot (pointer, size, state); an operation costs the
 * allocator's own call, a probe verdict for a free, and O(1) bookkeeping.
 * Memory: 16 bytes per trace id, nothing per operation.
 */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ID_NONE, ID_LIVE, ID_FREED, ID_FAILED };

typedef struct id_slot {
    unsigned char *ptr;
    uint32_t size;
    uint8_t state;
    uint8_t align_log2;  /* what its allocation asked (a trace: 3, mdriver's 8 bytes) */
} id_slot;
#define PROGRESS_EVERY 4096

static const char *const failure_names[REPLAY_FAILURE_KINDS] = {
    "out of memory", "on an id whose allocation failed", "double free", "free refused",
    "past the block limit"};

const char *replay_failure_name(replay_failure k)
{
    return (unsigned)k < REPLAY_FAILURE_KINDS ? failure_names[k] : "?";
}

typedef struct engine {
    session *s;
    sess_allocator *a;
    id_slot *ids;
    replay_result *r;
    /* the top allocator's locate and its ctx (read once: they stay) */
    bool (*locate)(const void *ctx, const void *mem, as_location *out);
    void *ctx;
} engine;

static void live_add(sess_allocator *a, size_t add, size_t remove)
{
    a->live_bytes += add;
    a->live_bytes -= remove < a->live_bytes ? remove : a->live_bytes;
    a->total_allocated += add;
    a->total_freed += remove;
    if (a->live_bytes > a->peak_bytes)
        a->peak_bytes = a->live_bytes;
}

/* Counts a failure; the first few of each kind are warnings too, with
 * messages that cost O(1) (no walk of the heap). */
static void failure(engine *e, replay_failure k, warn_kind w, const trace_op *op, const char *what)
{
    size_t n = ++e->r->failed[k];
    e->r->failures++;
    if (n <= REPLAY_WARNINGS_PER_KIND)
        sess_warn(e->s, w, "trace line %zu: %s: id %zu%s%s", op->line, replay_failure_name(k), op->id,
                  what ? ", " : "", what ? what : "");
    if (n == REPLAY_WARNINGS_PER_KIND)
        sess_warn(e->s, w, "trace: further '%s' failures are counted, not listed", replay_failure_name(k));
}

static inline void note_end(engine *e, const unsigned char *p, size_t size)
{
    as_location loc;
    if (e->locate == NULL || !e->locate(e->ctx, p, &loc))
        return;
    if (loc.region > 0)
        e->r->multi_region = true;
    else if (loc.offset + size > e->r->high_water)
        e->r->high_water = loc.offset + size;
}

static void do_alloc(engine *e, const trace_op *op)
{
    id_slot *slot = &e->ids[op->id];
    unsigned char *p = as_alloc(e->a->built.top.a, op->bytes, op->align_log2);
    if (p == NULL) {
        slot->state = ID_FAILED;
        char what[64];
        snprintf(what, sizeof what, "%zu bytes do not fit in %s", op->bytes, e->a->name);
        failure(e, REPLAY_OUT_OF_MEMORY, WARN_OUT_OF_MEMORY, op, what);
        return;
    }
    *slot = (id_slot){p, (uint32_t)op->bytes, ID_LIVE, op->align_log2};
    live_add(e->a, op->bytes, 0);
    note_end(e, p, op->bytes);
}

static void do_realloc(engine *e, const trace_op *op)
{
    id_slot *slot = &e->ids[op->id];
    if (slot->state == ID_FAILED) {
        failure(e, REPLAY_DEAD_ID, WARN_OUT_OF_MEMORY, op, "realloc skipped");
        return;
    }
    unsigned char *p = as_realloc(e->a->built.top.a, slot->ptr, slot->size, slot->align_log2, op->bytes);
    if (p == NULL) {
        char what[64];
        snprintf(what, sizeof what, "realloc to %zu bytes failed; the block is unchanged", op->bytes);
        failure(e, REPLAY_OUT_OF_MEMORY, WARN_OUT_OF_MEMORY, op, what);
        return;
    }
    if (p != slot->ptr)
        live_add(e->a, op->bytes, slot->size);
    else if (op->bytes > slot->size)
        live_add(e->a, op->bytes - slot->size, 0);
    else
        live_add(e->a, 0, slot->size - op->bytes);
    slot->ptr = p;
    slot->size = (uint32_t)op->bytes;
    note_end(e, p, op->bytes);
}

static void do_free(engine *e, const trace_op *op)
{
    id_slot *slot = &e->ids[op->id];
    as_instance *top = &e->a->built.top;
    if (slot->state == ID_FAILED) {
        failure(e, REPLAY_DEAD_ID, WARN_OUT_OF_MEMORY, op, "free skipped");
        slot->state = ID_NONE;
        return;
    }
    if (slot->state != ID_LIVE) {
        if (top->probe->scan) /* an allocator that catches misuse is handed it */
            top->a.vtable->free(top->a.ctx, slot->ptr, slot->size, slot->align_log2, 0);
        failure(e, REPLAY_DOUBLE_FREE, WARN_DOUBLE_FREE, op, "freed twice");
        return;
    }
    as_free_verdict v = top->probe->judge_free(top->a.ctx, slot->ptr, slot->size, slot->align_log2);
    if (v == AS_FREE_OK || v == AS_FREE_NOOP || v == AS_FREE_KEPT) {
        as_free(top->a, slot->ptr, slot->size, slot->align_log2);
        live_add(e->a, 0, slot->size);
        slot->state = ID_FREED;
        return;
    }
    if (v == AS_FREE_OUT_OF_ORDER) /* the stack reports it */
        top->a.vtable->free(top->a.ctx, slot->ptr, slot->size, slot->align_log2, 0);
    failure(e, REPLAY_NOT_FREED, WARN_INVALID_FREE, op, as_verdict_text(v));
}

/* The blocks the trace leaves live become session blocks named t:ID. */
static void keep_live_blocks(engine *e, size_t ids, const trace_op *last)
{
    size_t alloc = e->s->active;
    for (size_t id = 0; id < ids; id++) {
        id_slot *slot = &e->ids[id];
        if (slot->state != ID_LIVE)
            continue;
        char name[32];
        snprintf(name, sizeof name, "t:%zu", id);
        const sess_block *same = sess_find_block(e->s, name); /* left live by an earlier trace: #id only */
        bool taken = same && same->live && same->alloc == alloc;
        sess_block *b = sess_block_limit(e->s) ? NULL : sess_add_block(e->s, alloc, taken ? NULL : name, NULL);
        if (b == NULL) {
            trace_op op = *last;
            op.id = id;
            failure(e, REPLAY_BLOCK_LIMIT, WARN_OUT_OF_MEMORY, &op, "left live but not tracked");
            continue;
        }
        b->ptr = slot->ptr;
        b->size = slot->size;
        b->align_log2 = slot->align_log2;
        sess_set_live(e->s, b, true);
        b->alloc_step = e->s->step;
        sess_locate_block(e->s, b);
    }
}

/* The operations read ahead of the one done: while one is done, the
 * memory the next ones touch (their id's slot, then the block a free or
 * realloc hands back) is fetched into the cache. They are read in runs
 * (trace_stream_read) into a ring: when AHEAD_REFILL or fewer are held,
 * up to AHEAD. Reading ahead changes nothing else: the stream's judgement
 * of each line does not depend on what was done, and no operation past
 * max_ops or past a progress check (every PROGRESS_EVERY) is read before
 * that check. */
#define RING 32 /* a power of two, more than AHEAD */
#define AHEAD 24
#define AHEAD_REFILL 16
#define AHEAD_BLOCK 8 /* the block of the operation this far ahead is fetched */
_Static_assert(AHEAD < RING, "the slot of the last operation done is not read into while more are held");

/* The memory a free or realloc `near` steps from now will touch, fetched
 * ahead: by the allocator's own hint (as_probe.prefetch: 0 the first
 * step, 1 the next), else, at the first step, the header most allocators
 * keep just before the payload and the payload. At the first step of a
 * free, the payload's lines too (up to 2 KiB): as_free fills them with
 * AS_FREED_BYTE, and a block freed long after it was written is out of
 * the caches (a quarter of replaying python3's 300,000 frees waited for
 * those lines: tests/bench_record.sh). */
static void fetch_ahead(const engine *e, const trace_op *op, int near)
{
    const id_slot *slot = &e->ids[op->id];
    const as_probe *pr = e->a->built.top.probe;
    if (op->kind == TRACE_OP_ALLOC || slot->ptr == NULL)
        return;
    if (near == 0 && op->kind == TRACE_OP_FREE && slot->state == ID_LIVE) {
        const unsigned char *end = slot->ptr + (slot->size < 2048 ? slot->size : 2048);
        for (const unsigned char *p = slot->ptr; p < end; p += 64) {
            __builtin_prefetch(p, 1);
            __asm__ volatile(""); /* (gcc deletes a loop of nothing but prefetches) */
        }
    }
    if (pr->prefetch) {
        if (slot->state == ID_LIVE)
            pr->prefetch(e->a->built.top.a.ctx, slot->ptr, near);
    } else if (near == 0) {
        __builtin_prefetch(slot->ptr - 16, 1);
        __builtin_prefetch(slot->ptr, 1);
    }
}

/* Reads operations into the ring after the held ones, up to AHEAD held,
 * in runs that do not wrap, and fetches their id slots: how many are held
 * then. The operation r->ops + held (the next to read) is read only if it
 * is the next to do (its checks are done) or neither past max_ops nor a
 * progress check's; so are those after it. got: the stream's last answer
 * (nothing is read once it is not 1). */
static size_t read_ahead(engine *e, trace_stream *ts, trace_op *ring, size_t head, size_t held, size_t max_ops,
                         int *got, strbuf *err)
{
    while (*got == 1 && held < AHEAD) {
        size_t next = e->r->ops + held, at = (head + held) % RING;
        size_t check = (next + (held == 0) + PROGRESS_EVERY - 1) / PROGRESS_EVERY * PROGRESS_EVERY;
        size_t end = check < max_ops ? check : max_ops; /* the first not to read now */
        size_t want = AHEAD - held < RING - at ? AHEAD - held : RING - at;
        if (end <= next)
            break;
        if (want > end - next)
            want = end - next;
        size_t got_now = trace_stream_read(ts, &ring[at], want, got, err);
        for (size_t i = 0; i < got_now; i++)
            __builtin_prefetch(&e->ids[ring[at + i].id], 1);
        held += got_now;
        if (got_now < want)
            break;
    }
    return held;
}

static void do_op(engine *e, const trace_op *op)
{
    switch (op->kind) {
    case TRACE_OP_NONE:
        break;
    case TRACE_OP_ALLOC:
        do_alloc(e, op);
        break;
    case TRACE_OP_REALLOC:
        do_realloc(e, op);
        break;
    case TRACE_OP_FREE:
        do_free(e, op);
        break;
    }
}

bool replay_trace(session *s, trace_stream *ts, size_t max_ops, replay_result *r, strbuf *err)
{
    memset(r, 0, sizeof *r);
    const trace_header *h = trace_stream_header(ts);
    size_t ids = h->ids ? h->ids : 1;
    engine e = {s, sess_active(s), calloc(ids, sizeof(id_slot)), r, NULL, NULL};
    if (e.ids == NULL) {
        sb_add(err, "out of memory for the trace's ids");
        return false;
    }
    e.locate = e.a->built.top.probe->locate;
    e.ctx = e.a->built.top.a.ctx;
    void (*set_stamp)(void *, uint64_t) = e.a->built.top.probe->set_stamp;
    trace_op ring[RING], last = {0};
    size_t head = 0, held = 0; /* ring[head] is the next to do; held are read */
    int got = 1;
    for (;;) {
        if (held == 0) { /* the next operation to read is the next to do: the checks come first */
            if (r->ops >= max_ops)
                break;
            if (r->ops % PROGRESS_EVERY == 0 && s->progress && !s->replaying &&
                !s->progress(s->progress_user, "trace", r->ops, h->ops)) {
                r->stopped = true;
                break;
            }
        }
        if (held <= AHEAD_REFILL)
            held = read_ahead(&e, ts, ring, head, held, max_ops, &got, err);
        if (held == 0)
            break; /* the end, or a malformed line (got says) */
        if (held > AHEAD_BLOCK)
            fetch_ahead(&e, &ring[(head + AHEAD_BLOCK) % RING], 0);
        if (held > 3)
            fetch_ahead(&e, &ring[(head + 3) % RING], 1);
        trace_op *op = &ring[head];
        head = (head + 1) % RING;
        held--;
        r->ops++;
        if (set_stamp)
            set_stamp(e.a->built.top.a.ctx, s->step);
        do_op(&e, op);
        if (e.a->live_bytes > r->peak_live)
            r->peak_live = e.a->live_bytes;
    }
    if (r->ops > 0) /* what keep_live_blocks tells of the last one (its slot is not read into again) */
        last.line = ring[(head + RING - 1) % RING].line;
    keep_live_blocks(&e, h->ids, &last);
    free(e.ids);
    s->changed = true;
    s->blocks_epoch++;
    return got >= 0;
}
