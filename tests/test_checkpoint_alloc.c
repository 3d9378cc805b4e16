/*
 * test_checkpoint_alloc.c - checkpoints of every allocator kind (the probe's
 * save and restore, allocator.h), as a seeded random property test.
 *
 * For each spec: two instances A and B are built alike and run the same
 * random operations S1 (allocs of random sizes and alignments, frees,
 * resizes, remaps, writes of random bytes, now and then a reset, a scan,
 * a write into a debug guard). Every instance of A (the top and the parts
 * it owns, each on its own, as the session does) is saved into an
 * in-memory saver; A alone runs a different, bigger sequence S2 (a growing
 * free list grows, ledgers and tables are reallocated, an arena takes new
 * chunks, a pool new slabs, resets); A is restored. Then A must equal B:
 * the same regions (sizes), spans and markers (offsets, block pointers as
 * region and offset), byte-identical regions, the same usage, offset,
 * figures and free summary, check() NULL on every instance; and a common
 * sequence S3 gives the same results on both (each block's region and
 * offset, failures at the same steps). Also: a second restore from the
 * same save after another S2, a save and restore with nothing between, and
 * a restore after everything was freed and reset. The glibc view is given
 * a made-up recording and replays it the same way (test_glibc_view).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "allocscope/allocator.h"
#include "allocscope/glibc.h"
#include "allocscope/kinds.h"

/* ---- an in-memory saver: a vector of copied ranges ---- */

typedef struct saved_range {
    unsigned char *p;
    size_t len;
} saved_range;

typedef struct saved {
    saved_range *r;
    size_t n, cap, next;
    size_t bytes;
} saved;

/* Every range an allocator saves has at least a byte (so a page store
 * never sees empty ranges). */
static bool save_range(void *user, const void *p, size_t len)
{
    saved *s = user;
    assert_true(len > 0);
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        saved_range *r = realloc(s->r, cap * sizeof *r);
        if (r == NULL)
            return false;
        s->r = r, s->cap = cap;
    }
    unsigned char *copy = malloc(len ? len : 1);
    if (copy == NULL)
        return false;
    if (len)
        memcpy(copy, p, len);
    s->r[s->n++] = (saved_range){copy, len};
    s->bytes += len;
    return true;
}

static size_t load_next_len(void *user)
{
    saved *s = user;
    return s->next < s->n ? s->r[s->next].len : SIZE_MAX;
}

static bool load_range(void *user, void *p, size_t cap)
{
    saved *s = user;
    if (s->next >= s->n || s->r[s->next].len > cap)
        return false;
    if (s->r[s->next].len)
        memcpy(p, s->r[s->next].p, s->r[s->next].len);
    s->next++;
    return true;
}

static void saved_free(saved *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->r[i].p);
    free(s->r);
    memset(s, 0, sizeof *s);
}

/* ---- the world: a built allocator and the blocks the test holds ---- */

typedef struct blk {
    unsigned char *p;
    size_t len;
    uint8_t al;
} blk;

#define MAX_LIVE 3000
#define MAX_INST 3

typedef struct world {
    kind_built b;
    as_instance inst[MAX_INST]; /* owned parts first, the top last */
    size_t ninst;
    blk live[MAX_LIVE];
    size_t n;
    size_t item;                /* a pool's item size: allocs ask for at most that */
} world;

typedef struct checkpoint {
    saved s[MAX_INST];
    blk live[MAX_LIVE];
    size_t n;
} checkpoint;

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static size_t rng_below(uint64_t *s, size_t n) { return n ? (size_t)(rng_next(s) % n) : 0; }

static void world_build(world *w, const kind_spec *sp)
{
    char err[256] = "";
    strbuf e;
    sb_init(&e);
    memset(w, 0, sizeof *w);
    if (!kind_build(sp, &w->b, &e)) {
        snprintf(err, sizeof err, "%s", sb_str(&e));
        sb_free(&e);
        fail_msg("cannot build %s: %s", sp->kind->name, err);
    }
    sb_free(&e);
    for (size_t i = 0; i < w->b.owned_count; i++)
        w->inst[w->ninst++] = w->b.owned[i];
    w->inst[w->ninst++] = w->b.top;
}

static as_instance top(const world *w) { return w->b.top; }

static void fill(uint64_t *rng, unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (unsigned char)rng_next(rng);
}

/* ---- where a pointer is: its region and offset, among an instance's regions ---- */

typedef struct regions {
    const unsigned char *base[4096];
    size_t size[4096];
    size_t n;
} regions;

static void reg_cb(void *user, uint32_t region, const void *base, size_t size)
{
    regions *r = user;
    (void)region;
    if (r->n < 4096)
        r->base[r->n] = base, r->size[r->n++] = size;
}

static void regions_of(as_instance in, regions *out)
{
    out->n = 0;
    as_inspector i = {.region = reg_cb, .user = out};
    in.probe->inspect(in.a.ctx, &i);
}

/* Region and offset of p packed as one number; UINT64_MAX if outside. */
static uint64_t where(const regions *r, const void *p)
{
    const unsigned char *q = p;
    for (size_t i = 0; i < r->n; i++)
        if (q >= r->base[i] && q < r->base[i] + r->size[i])
            return ((uint64_t)i << 40) | (uint64_t)(q - r->base[i]);
    return UINT64_MAX;
}

/* ---- the random operations ---- */

typedef struct oplog {
    uint64_t *v;
    size_t n, cap;
} oplog;

static void log_add(oplog *l, uint64_t v)
{
    if (l == NULL)
        return;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        assert_non_null(l->v);
    }
    l->v[l->n++] = v;
}

static size_t pick_size(uint64_t *rng, size_t big)
{
    size_t r = rng_below(rng, 100);
    if (r < 55)
        return 1 + rng_below(rng, 64);
    if (r < 88)
        return 65 + rng_below(rng, 960);
    return 1025 + rng_below(rng, big);
}

static uint8_t pick_align(uint64_t *rng)
{
    size_t r = rng_below(rng, 100);
    if (r < 70)
        return (uint8_t)rng_below(rng, 4);
    if (r < 95)
        return (uint8_t)(4 + rng_below(rng, 3));
    return (uint8_t)(7 + rng_below(rng, AS_MAX_ALIGN_LOG2 - 6));
}

static void op_alloc(world *w, uint64_t *rng, size_t big, oplog *log)
{
    size_t len = w->item ? 1 + rng_below(rng, w->item) : pick_size(rng, big);
    uint8_t al = w->item ? (uint8_t)rng_below(rng, 4) : pick_align(rng);
    if (w->n == MAX_LIVE)
        return;
    unsigned char *p = as_alloc(top(w).a, len, al);
    if (p == NULL) {
        log_add(log, 1);
        return;
    }
    regions r;
    regions_of(top(w), &r);
    log_add(log, where(&r, p));
    fill(rng, p, len);
    w->live[w->n++] = (blk){p, len, al};
}

/* The last block half of the time (stacks and bump-style buffers free it). */
static size_t pick_live(world *w, uint64_t *rng)
{
    return rng_below(rng, 2) ? w->n - 1 : rng_below(rng, w->n);
}

static void op_free(world *w, uint64_t *rng)
{
    if (w->n == 0)
        return;
    size_t i = pick_live(w, rng);
    as_free(top(w).a, w->live[i].p, w->live[i].len, w->live[i].al);
    w->live[i] = w->live[--w->n];
}

static void op_resize(world *w, uint64_t *rng, bool move, oplog *log)
{
    if (w->n == 0)
        return;
    blk *b = &w->live[pick_live(w, rng)];
    size_t new_len = 1 + rng_below(rng, b->len * 2 + 16);
    if (!move) {
        bool ok = as_resize(top(w).a, b->p, b->len, b->al, new_len);
        log_add(log, ok ? 2 : 3);
        if (ok) {
            if (new_len > b->len)
                fill(rng, b->p + b->len, new_len - b->len);
            b->len = new_len;
        }
        return;
    }
    unsigned char *p = as_realloc(top(w).a, b->p, b->len, b->al, new_len);
    if (p == NULL) {
        log_add(log, 4);
        return;
    }
    regions r;
    regions_of(top(w), &r);
    log_add(log, where(&r, p));
    if (new_len > b->len)
        fill(rng, p + b->len, new_len - b->len);
    b->p = p, b->len = new_len;
}

static void op_write(world *w, uint64_t *rng)
{
    if (w->n == 0)
        return;
    blk *b = &w->live[rng_below(rng, w->n)];
    size_t from = rng_below(rng, b->len), len = 1 + rng_below(rng, b->len - from);
    fill(rng, b->p + from, len);
}

/* A write one byte past a block: into the debug allocator's guard. */
static void op_overflow(world *w, uint64_t *rng)
{
    if (w->n == 0 || top(w).probe->guard_size == 0)
        return;
    blk *b = &w->live[rng_below(rng, w->n)];
    b->p[b->len] = (unsigned char)(rng_next(rng) | 1);
}

static void op_reset(world *w, uint64_t *rng, oplog *log)
{
    const as_probe *pr = top(w).probe;
    as_reset_mode mode = (as_reset_mode)rng_below(rng, 3);
    size_t limit = rng_below(rng, 8192);
    if (pr->reset == NULL)
        return;
    bool ok = pr->reset(top(w).a.ctx, mode, limit);
    log_add(log, ok ? 5 : 6);
    if (ok)
        w->n = 0;
}

/* n operations from seed; big: the spread of large sizes. */
static void run(world *w, uint64_t seed, size_t n, size_t big, oplog *log)
{
    uint64_t rng = seed;
    for (size_t k = 0; k < n; k++) {
        size_t r = rng_below(&rng, 1000);
        if (r < 420)
            op_alloc(w, &rng, big, log);
        else if (r < 700)
            op_free(w, &rng);
        else if (r < 790)
            op_resize(w, &rng, false, log);
        else if (r < 870)
            op_resize(w, &rng, true, log);
        else if (r < 975)
            op_write(w, &rng);
        else if (r < 985)
            op_overflow(w, &rng);
        else if (r < 990 && top(w).probe->scan)
            log_add(log, top(w).probe->scan(top(w).a.ctx));
        else if (r >= 996)
            op_reset(w, &rng, log);
    }
}

static void free_everything(world *w)
{
    while (w->n) {
        blk *b = &w->live[--w->n];
        as_free(top(w).a, b->p, b->len, b->al);
    }
    if (top(w).probe->reset)
        top(w).probe->reset(top(w).a.ctx, AS_RESET_FREE_ALL, 0);
    w->n = 0;
}

/* ---- checkpoints of every instance ---- */

static void save_world(world *w, checkpoint *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < w->ninst; i++) {
        as_saver sv = {save_range, &c->s[i], NULL};
        assert_non_null(w->inst[i].probe->save);
        assert_true(w->inst[i].probe->save(w->inst[i].a.ctx, &sv));
    }
    memcpy(c->live, w->live, w->n * sizeof *w->live);
    c->n = w->n;
}

static void restore_world(world *w, checkpoint *c)
{
    for (size_t i = 0; i < w->ninst; i++) {
        c->s[i].next = 0;
        as_loader ld = {load_next_len, load_range, &c->s[i], NULL};
        assert_non_null(w->inst[i].probe->restore);
        if (!w->inst[i].probe->restore(w->inst[i].a.ctx, &ld))
            fail_msg("%s: restore refused", w->inst[i].probe->kind);
        assert_int_equal(c->s[i].next, c->s[i].n); /* every range read back */
    }
    memcpy(w->live, c->live, c->n * sizeof *w->live);
    w->n = c->n;
}

static void checkpoint_free(checkpoint *c)
{
    for (size_t i = 0; i < MAX_INST; i++)
        saved_free(&c->s[i]);
}

/* ---- what an instance says of itself ---- */

typedef struct facts {
    const as_probe *probe;
    regions reg;
    unsigned char *bytes;   /* the regions' bytes, one after the other (with_bytes) */
    uint64_t *items;        /* spans and markers, 4 numbers each, blocks as region and offset */
    size_t n, cap;
    as_usage u;
    bool has_off;
    size_t off;
    size_t nfig;
    char fig_name[16][48];
    size_t fig_value[16];
    bool has_sum;
    as_free_summary sum;
    char policy[32];
} facts;

static void facts_add(facts *v, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    if (v->n + 4 > v->cap) {
        v->cap = v->cap ? v->cap * 2 : 1024;
        v->items = realloc(v->items, v->cap * sizeof *v->items);
        assert_non_null(v->items);
    }
    v->items[v->n++] = a, v->items[v->n++] = b, v->items[v->n++] = c, v->items[v->n++] = d;
}

static void facts_span(void *user, const as_span *s)
{
    facts *v = user;
    facts_add(v, ((uint64_t)s->region << 32) | ((uint64_t)s->kind << 8) | s->meta, s->offset, s->len,
              s->block ? where(&v->reg, s->block) : 0);
}

static void facts_marker(void *user, const as_marker *m)
{
    facts *v = user;
    facts_add(v, ((uint64_t)1 << 63) | ((uint64_t)m->region << 8) | m->kind, m->offset, 0, 0);
}

static facts *facts_new(void)
{
    facts *f = calloc(1, sizeof *f);
    assert_non_null(f);
    return f;
}

static void facts_free(facts *f)
{
    if (f == NULL)
        return;
    free(f->bytes);
    free(f->items);
    free(f);
}

/* Everything the instance says; check() must pass. */
static void facts_of(const char *what, as_instance in, facts *f, bool with_bytes)
{
    const as_probe *p = in.probe;
    const char *why = p->check ? p->check(in.a.ctx) : NULL;
    if (why)
        fail_msg("%s: %s: check fails: %s", what, p->kind, why);
    f->probe = p;
    regions_of(in, &f->reg);
    f->n = 0;
    as_inspector i = {.span = facts_span, .marker = facts_marker, .user = f};
    p->inspect(in.a.ctx, &i);
    free(f->bytes);
    f->bytes = NULL;
    if (with_bytes) {
        size_t total = 0;
        for (size_t k = 0; k < f->reg.n; k++)
            total += f->reg.size[k];
        f->bytes = malloc(total + 1);
        assert_non_null(f->bytes);
        for (size_t k = 0, at = 0; k < f->reg.n; at += f->reg.size[k], k++)
            memcpy(f->bytes + at, f->reg.base[k], f->reg.size[k]);
    }
    as_usage_of(p, in.a.ctx, &f->u);
    f->off = 0;
    f->has_off = p->offset && p->offset(in.a.ctx, &f->off);
    as_figure fig[16];
    f->nfig = p->figures ? p->figures(in.a.ctx, fig, 16) : 0;
    for (size_t k = 0; k < f->nfig; k++) {
        snprintf(f->fig_name[k], sizeof f->fig_name[k], "%s", fig[k].name);
        f->fig_value[k] = fig[k].value;
    }
    f->has_sum = p->free_summary != NULL;
    if (f->has_sum) {
        p->free_summary(in.a.ctx, &f->sum);
        snprintf(f->policy, sizeof f->policy, "%s", f->sum.policy ? f->sum.policy : "");
        f->sum.policy = NULL;
    }
}

/* same_place: the same regions at the same addresses, byte for byte (an
 * instance against itself earlier); else the same sizes (a twin). */
static void assert_facts_equal(const char *what, const facts *a, const facts *b, bool same_place)
{
    const char *kind = a->probe->kind;
    assert_ptr_equal(a->probe, b->probe);
    if (a->reg.n != b->reg.n)
        fail_msg("%s: %s: %zu regions, expected %zu", what, kind, a->reg.n, b->reg.n);
    for (size_t i = 0, at = 0; i < a->reg.n; at += a->reg.size[i], i++) {
        if (a->reg.size[i] != b->reg.size[i])
            fail_msg("%s: %s: region %zu is %zu bytes, expected %zu", what, kind, i, a->reg.size[i], b->reg.size[i]);
        if (!same_place)
            continue;
        if (a->reg.base[i] != b->reg.base[i])
            fail_msg("%s: %s: region %zu moved", what, kind, i);
        for (size_t k = 0; k < a->reg.size[i]; k++)
            if (a->bytes[at + k] != b->bytes[at + k])
                fail_msg("%s: %s: region %zu byte %zu is %02x, expected %02x", what, kind, i, k, a->bytes[at + k],
                         b->bytes[at + k]);
    }
    if (a->n != b->n)
        fail_msg("%s: %s: %zu span/marker words, expected %zu", what, kind, a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        if (a->items[i] != b->items[i])
            fail_msg("%s: %s: span/marker %zu differs (%llx, expected %llx)", what, kind, i / 4,
                     (unsigned long long)a->items[i], (unsigned long long)b->items[i]);
    assert_memory_equal(&a->u, &b->u, sizeof a->u);
    assert_int_equal(a->has_off, b->has_off);
    assert_int_equal(a->off, b->off);
    assert_int_equal(a->nfig, b->nfig);
    for (size_t i = 0; i < a->nfig; i++) {
        assert_string_equal(a->fig_name[i], b->fig_name[i]);
        if (a->fig_value[i] != b->fig_value[i])
            fail_msg("%s: %s: figure %s is %zu, expected %zu", what, kind, a->fig_name[i], a->fig_value[i],
                     b->fig_value[i]);
    }
    assert_int_equal(a->has_sum, b->has_sum);
    if (a->has_sum) {
        assert_int_equal(a->sum.largest, b->sum.largest);
        assert_int_equal(a->sum.slot_size, b->sum.slot_size);
        assert_true(a->sum.fragmentation == b->sum.fragmentation);
        assert_string_equal(a->policy, b->policy);
    }
}

/* A world as it is: every instance's facts, bytes included. */
typedef struct snapshot {
    facts *f[MAX_INST];
    size_t n;
} snapshot;

static void snapshot_take(const char *what, world *w, snapshot *s)
{
    s->n = w->ninst;
    for (size_t i = 0; i < w->ninst; i++) {
        s->f[i] = facts_new();
        facts_of(what, w->inst[i], s->f[i], true);
    }
}

static void snapshot_free(snapshot *s)
{
    for (size_t i = 0; i < s->n; i++)
        facts_free(s->f[i]);
    s->n = 0;
}

/* A, restored, is what it was when it was saved: at the same addresses,
 * byte for byte. */
static void assert_as_saved(const char *what, world *w, const snapshot *s)
{
    facts *now = facts_new();
    for (size_t i = 0; i < w->ninst; i++) {
        facts_of(what, w->inst[i], now, true);
        assert_facts_equal(what, now, s->f[i], true);
    }
    facts_free(now);
}

/* A user-space address (random bytes hardly ever look like one). */
static bool pointer_like(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    return v > 4096 && (v >> 47) == 0;
}

/* A word whose top two bytes are 0, as the rest of a user-space address. */
static bool pointer_rest(const unsigned char *w) { return w[6] == 0 && w[7] == 0 && (w[5] | w[4]) != 0; }

/* The twins' regions hold the same bytes, but for words that are pointers
 * (a pool's links, an arena's chunk headers): each points at the same
 * place of its own regions (or both outside them: a stale link into a
 * slab a reset let go), or both are what a block's first bytes left of
 * such a link. */
static void assert_bytes_alike(const char *what, const facts *a, const facts *b)
{
    for (size_t i = 0; i < a->reg.n; i++) {
        const unsigned char *p = a->reg.base[i], *q = b->reg.base[i];
        for (size_t k = 0; k < a->reg.size[i]; k++) {
            if (p[k] == q[k])
                continue;
            size_t w = k & ~(size_t)7;
            const void *pa, *pb;
            if (w + 8 <= a->reg.size[i]) {
                memcpy(&pa, p + w, sizeof pa);
                memcpy(&pb, q + w, sizeof pb);
                if (pointer_like(pa) && pointer_like(pb))
                    continue; /* links between slabs or chunks the twins got in different address orders
                               * from the system heap: the instance's own byte-for-byte check at the same
                               * addresses and the common S3 judge these (where() may number them apart) */
                if (pointer_rest(p + w) && pointer_rest(q + w))
                    continue; /* what is left of a stale link a block's first bytes overwrote */
            }
            fail_msg("%s: %s: region %zu byte %zu is %02x, the twin's %02x", what, a->probe->kind, i, k, p[k], q[k]);
        }
    }
}

/* A and its twin B say the same of themselves (positions relative to their
 * regions), hold the same blocks at the same places with the same bytes. */
static void assert_worlds_equal(const char *what, world *a, world *b)
{
    facts *fa = facts_new(), *fb = facts_new();
    assert_int_equal(a->ninst, b->ninst);
    for (size_t i = 0; i < a->ninst; i++) {
        facts_of(what, a->inst[i], fa, false);
        facts_of(what, b->inst[i], fb, false);
        assert_facts_equal(what, fa, fb, false);
        assert_bytes_alike(what, fa, fb);
    }
    facts_free(fa);
    facts_free(fb);
    assert_int_equal(a->n, b->n);
    regions ra, rb;
    regions_of(top(a), &ra);
    regions_of(top(b), &rb);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(where(&ra, a->live[i].p), where(&rb, b->live[i].p));
        assert_int_equal(a->live[i].len, b->live[i].len);
        assert_memory_equal(a->live[i].p, b->live[i].p, a->live[i].len);
    }
}

/* S3 on both: the same results at every step. */
static void assert_same_future(const char *what, world *a, world *b, uint64_t seed, size_t big)
{
    oplog la = {0}, lb = {0};
    run(a, seed, 400, big, &la);
    run(b, seed, 400, big, &lb);
    assert_int_equal(la.n, lb.n);
    for (size_t i = 0; i < la.n; i++)
        if (la.v[i] != lb.v[i])
            fail_msg("%s: step result %zu differs after restore (%llx vs %llx)", what, i,
                     (unsigned long long)la.v[i], (unsigned long long)lb.v[i]);
    free(la.v);
    free(lb.v);
    assert_worlds_equal(what, a, b);
}

/* ---- the specs ---- */

typedef struct spec_case {
    const char *desc;
    const char *kind;
    size_t size;
    const char *over;
    size_t over_size;
    int fit;            /* -1: default */
    bool grow, resize_last;
    size_t capacity;    /* pool: a fixed capacity */
    size_t big;         /* S1 / S3 large sizes up to; S2 goes 4 times as far */
} spec_case;

static const spec_case cases[] = {
    {"bump", "bump", 32768, NULL, 0, -1, false, false, 0, 2048},
    {"bump resize-last", "bump", 32768, NULL, 0, -1, false, true, 0, 2048},
    {"bump 4096 (runs out)", "bump", 4096, NULL, 0, -1, false, false, 0, 2048},
    {"fixed", "fixed", 32768, NULL, 0, -1, false, false, 0, 2048},
    {"stack", "stack", 32768, NULL, 0, -1, false, false, 0, 2048},
    {"arena over the system heap", "arena", 0, NULL, 0, -1, false, false, 0, 4096},
    {"arena over bump", "arena", 0, "bump", 1 << 20, -1, false, false, 0, 4096},
    {"arena over freelist", "arena", 0, "freelist", 1 << 20, -1, false, false, 0, 4096},
    {"arena over buddy", "arena", 0, "buddy", 1 << 20, -1, false, false, 0, 4096},
    {"arena over bump resize-last", "arena", 0, "bump", 1 << 20, -1, false, true, 0, 4096},
    {"pool 24 (growable)", "pool", 24, NULL, 0, -1, false, false, 0, 16},
    {"pool 100 capacity 64", "pool", 100, NULL, 0, -1, false, false, 64, 64},
    {"pool 8 capacity 4 (fixed, tiny)", "pool", 8, NULL, 0, -1, false, false, 4, 8},
    {"debug over bump", "debug", 0, "bump", 65536, -1, false, false, 0, 2048},
    {"debug over freelist", "debug", 0, "freelist", 65536, -1, false, false, 0, 2048},
    {"debug over buddy", "debug", 0, "buddy", 65536, -1, false, false, 0, 2048},
    {"debug over stack", "debug", 0, "stack", 65536, -1, false, false, 0, 2048},
    {"debug over fixed", "debug", 0, "fixed", 65536, -1, false, false, 0, 2048},
    {"debug-bump", "debug-bump", 65536, NULL, 0, -1, false, false, 0, 2048},
    {"counting over bump", "counting", 0, "bump", 32768, -1, false, false, 0, 2048},
    {"counting over freelist best-fit", "counting", 0, "freelist", 65536, 1, false, false, 0, 2048},
    {"counting over buddy", "counting", 0, "buddy", 65536, -1, false, false, 0, 2048},
    {"freelist first-fit", "freelist", 65536, NULL, 0, 0, false, false, 0, 4096},
    {"freelist best-fit", "freelist", 65536, NULL, 0, 1, false, false, 0, 4096},
    {"freelist next-fit", "freelist", 65536, NULL, 0, 2, false, false, 0, 4096},
    {"freelist 4096 (runs out)", "freelist", 4096, NULL, 0, 0, false, false, 0, 2048},
    {"freelist grow first-fit", "freelist", 8192, NULL, 0, 0, true, false, 0, 16384},
    {"freelist grow best-fit", "freelist", 8192, NULL, 0, 1, true, false, 0, 16384},
    {"freelist grow next-fit", "freelist", 8192, NULL, 0, 2, true, false, 0, 16384},
    {"buddy", "buddy", 65536, NULL, 0, -1, false, false, 0, 4096},
    {"buddy 1024", "buddy", 1024, NULL, 0, -1, false, false, 0, 256},
};
#define CASE_COUNT (sizeof cases / sizeof cases[0])

static kind_spec spec_of(const spec_case *c)
{
    kind_spec sp = {.kind = kind_find(c->kind)};
    assert_non_null(sp.kind);
    if (c->size)
        sp.size = c->size, sp.has_size = true;
    if (c->over) {
        sp.over = kind_find(c->over);
        sp.over_size = c->over_size, sp.over_has_size = true;
    }
    if (c->fit >= 0)
        sp.fit = (freelist_fit)c->fit;
    sp.grow = c->grow;
    sp.resize_last = c->resize_last;
    if (c->capacity)
        sp.capacity = c->capacity, sp.has_capacity = true;
    return sp;
}

static world wa, wb;
static checkpoint ck, ck2;

static void stage(char *what, const spec_case *c, uint64_t seed, const char *name)
{
    snprintf(what, 160, "%s (seed %llu), %s", c->desc, (unsigned long long)seed, name);
}

/* CK_ONLY=WORD runs only the cases whose description holds WORD;
 * CK_SEEDS=N runs N seeds of each (3 by default). */
static bool selected(const spec_case *c)
{
    const char *only = getenv("CK_ONLY");
    return only == NULL || strstr(c->desc, only) != NULL;
}

static bool has_checkpoints(const world *w)
{
    for (size_t i = 0; i < w->ninst; i++)
        if (w->inst[i].probe->save == NULL || w->inst[i].probe->restore == NULL)
            return false;
    return true;
}

static void one_case(const spec_case *c, uint64_t seed)
{
    kind_spec sp = spec_of(c);
    char what[160];
    snprintf(what, sizeof what, "%s (seed %llu)", c->desc, (unsigned long long)seed);
    world_build(&wa, &sp);
    world_build(&wb, &sp);
    if (!strcmp(c->kind, "pool"))
        wa.item = wb.item = c->size;
    if (!has_checkpoints(&wa))
        fail_msg("%s: an instance has no save / restore", what);
    run(&wa, seed, 500, c->big, NULL);
    run(&wb, seed, 500, c->big, NULL);
    assert_worlds_equal(what, &wa, &wb); /* the operations are deterministic */

    snapshot at, at2;
    snapshot_take(what, &wa, &at);
    save_world(&wa, &ck);
    as_usage before, after;
    as_usage_of(top(&wa).probe, top(&wa).a.ctx, &before);
    run(&wa, seed ^ 0x5151, 2500, c->big * 4, NULL);
    as_usage_of(top(&wa).probe, top(&wa).a.ctx, &after);
    if (getenv("CK_VERBOSE"))
        printf("%-36s saved %zu ranges, %zu bytes; capacity %zu -> %zu after S2, %zu live blocks\n", what,
               ck.s[wa.ninst - 1].n, ck.s[wa.ninst - 1].bytes, before.capacity, after.capacity, after.live_blocks);
    restore_world(&wa, &ck);
    stage(what, c, seed, "restored after S2");
    assert_as_saved(what, &wa, &at);
    assert_worlds_equal(what, &wa, &wb);

    /* the same save, restored a second time after other changes */
    run(&wa, seed ^ 0x7777, 1500, c->big * 4, NULL);
    restore_world(&wa, &ck);
    stage(what, c, seed, "restored a second time");
    assert_as_saved(what, &wa, &at);
    assert_worlds_equal(what, &wa, &wb);

    /* save and restore with nothing in between */
    save_world(&wa, &ck2);
    restore_world(&wa, &ck2);
    stage(what, c, seed, "saved and restored at once");
    assert_as_saved(what, &wa, &at);
    assert_worlds_equal(what, &wa, &wb);
    checkpoint_free(&ck2);

    stage(what, c, seed, "S3 after the restores");
    assert_same_future(what, &wa, &wb, seed ^ 0x3333, c->big);

    /* a restore after everything was freed and reset */
    snapshot_take(what, &wa, &at2);
    save_world(&wa, &ck2);
    free_everything(&wa);
    restore_world(&wa, &ck2);
    stage(what, c, seed, "restored after freeing everything");
    assert_as_saved(what, &wa, &at2);
    assert_worlds_equal(what, &wa, &wb);
    assert_same_future(what, &wa, &wb, seed ^ 0x4444, c->big);
    checkpoint_free(&ck2);
    checkpoint_free(&ck);
    snapshot_free(&at);
    snapshot_free(&at2);

    kind_destroy(&wa.b);
    kind_destroy(&wb.b);
}

static void test_every_kind(void **state)
{
    (void)state;
    uint64_t seeds = getenv("CK_SEEDS") ? strtoull(getenv("CK_SEEDS"), NULL, 10) : 3;
    for (size_t i = 0; i < CASE_COUNT; i++)
        for (uint64_t seed = 1; seed <= seeds && selected(&cases[i]); seed++)
            one_case(&cases[i], seed * 7919 + i);
}


/* ---- the glibc view: a made-up recording and the steps that replay it ----
 * A program's allocations as glibc would place them: a chunk freed is
 * reused by the next of the same size, else the heap's top grows; large
 * ones are mmapped chunks of their own (whose regions the view reuses);
 * reallocs stay in place when they fit, else move. The replay's steps
 * follow the plan, so any prefix of them runs on the view. */

typedef struct gstep {
    char what;     /* 'a' alloc, 'f' free of live block k, 'r' realloc of live block k */
    size_t k;
} gstep;

#define G_STEPS 1500
#define G_HEAP 0x555555559000ULL
static glibc_op g_ops[G_STEPS];
static size_t g_nops;
static gstep g_steps[G_STEPS];

typedef struct gsim {
    uint64_t addr;
    size_t size, usable;
    unsigned chunk;
} gsim;

static size_t g_usable(size_t size) { return ((size + 8 + 15) & ~(size_t)15) - 8; }

static void make_plan(uint64_t seed)
{
    static gsim live[G_STEPS], freed[G_STEPS];
    size_t nlive = 0, nfreed = 0;
    uint64_t top = G_HEAP + 0x290 + 16, mmap_at = 0x7f0000000000ULL, rng = seed;
    g_nops = 0;
    for (size_t i = 0; i < G_STEPS; i++) {
        size_t r = rng_below(&rng, 100);
        if (nlive == 0 || r < 55) {
            size_t size = rng_below(&rng, 20) == 0 ? 70000 + rng_below(&rng, 70000) : 1 + rng_below(&rng, 300);
            gsim b = {0, size, g_usable(size), 0};
            if (size >= 65536) {
                b.chunk = GLIBC_CHUNK_MMAPPED;
                b.usable = ((size + 16 + 4095) & ~(size_t)4095) - 16;
                b.addr = mmap_at + 16;
                mmap_at += 0x100000;
            } else {
                for (size_t j = 0; j < nfreed && !b.addr; j++)
                    if (freed[j].usable == b.usable) {
                        b.addr = freed[j].addr;
                        freed[j] = freed[--nfreed];
                    }
                if (!b.addr)
                    b.addr = top, top += b.usable + 8;
            }
            g_ops[g_nops++] = (glibc_op){b.addr, b.size, b.usable - b.size, b.chunk, false};
            live[nlive++] = b;
            g_steps[i] = (gstep){'a', 0};
        } else if (r < 85) {
            size_t k = rng_below(&rng, nlive);
            if (!live[k].chunk)
                freed[nfreed++] = live[k];
            live[k] = live[--nlive];
            g_steps[i] = (gstep){'f', k};
        } else {
            size_t k = rng_below(&rng, nlive);
            gsim *b = &live[k];
            size_t size = 1 + rng_below(&rng, 400);
            if (b->chunk || g_usable(size) > b->usable) {
                if (!b->chunk)
                    freed[nfreed++] = *b;
                *b = (gsim){top, size, g_usable(size), 0};
                top += b->usable + 8;
            } else {
                b->size = size;
            }
            g_ops[g_nops++] = (glibc_op){b->addr, b->size, b->usable - b->size, b->chunk, true};
            g_steps[i] = (gstep){'r', k};
        }
    }
}

static void glibc_world(world *w)
{
    glibc_plan plan = {g_ops, g_nops, G_HEAP};
    const char *why = NULL;
    memset(w, 0, sizeof *w);
    glibc_layout *g = glibc_create(&plan, &why);
    if (g == NULL)
        fail_msg("glibc view: %s", why);
    w->b.top = glibc_instance(g);
    w->inst[w->ninst++] = w->b.top;
}

/* Steps [from, to) of the plan's replay; each block is filled with bytes. */
static void run_glibc(world *w, size_t from, size_t to, oplog *log)
{
    for (size_t i = from; i < to; i++) {
        uint64_t rng = i * 31 + 7;
        const gstep *st = &g_steps[i];
        if (st->what == 'f') {
            assert_true(st->k < w->n);
            as_free(top(w).a, w->live[st->k].p, w->live[st->k].len, 0);
            w->live[st->k] = w->live[--w->n];
            continue;
        }
        size_t op = 0;
        for (size_t j = 0; j < i; j++)
            op += g_steps[j].what != 'f';
        unsigned char *p;
        if (st->what == 'a') {
            p = as_alloc(top(w).a, g_ops[op].size, 0);
            assert_non_null(p);
            w->live[w->n++] = (blk){p, g_ops[op].size, 0};
        } else {
            blk *b = &w->live[st->k];
            p = as_realloc(top(w).a, b->p, b->len, 0, g_ops[op].size);
            assert_non_null(p);
            b->p = p, b->len = g_ops[op].size;
        }
        regions r;
        regions_of(top(w), &r);
        log_add(log, where(&r, p));
        fill(&rng, p, g_ops[op].size);
    }
}

static void test_glibc_view(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        char what[160];
        snprintf(what, sizeof what, "glibc view (seed %llu)", (unsigned long long)seed);
        make_plan(seed);
        glibc_world(&wa);
        glibc_world(&wb);
        run_glibc(&wa, 0, 400, NULL);
        run_glibc(&wb, 0, 400, NULL);
        assert_worlds_equal(what, &wa, &wb);
        snapshot at;
        snapshot_take(what, &wa, &at);
        save_world(&wa, &ck);
        for (int round = 0; round < 2; round++) { /* twice from the same save */
            run_glibc(&wa, 400, 400 + 500 * (size_t)(round + 1), NULL);
            restore_world(&wa, &ck);
            assert_as_saved(what, &wa, &at);
            assert_worlds_equal(what, &wa, &wb);
        }
        oplog la = {0}, lb = {0};
        run_glibc(&wa, 400, G_STEPS, &la);
        run_glibc(&wb, 400, G_STEPS, &lb);
        assert_int_equal(la.n, lb.n);
        assert_memory_equal(la.v, lb.v, la.n * sizeof *la.v);
        assert_worlds_equal(what, &wa, &wb);
        free(la.v);
        free(lb.v);
        snapshot_free(&at);
        checkpoint_free(&ck);
        kind_destroy(&wa.b);
        kind_destroy(&wb.b);
    }
}

/* Every kind of the table is covered above (glibc by test_glibc_view), but
 * the plugin: it runs in another process and has no checkpoints. */
static void test_every_kind_is_covered(void **state)
{
    (void)state;
    for (size_t k = 0; k < kind_count; k++) {
        const char *name = kind_rows[k].name;
        bool covered = false;
        for (size_t i = 0; i < CASE_COUNT && !covered; i++)
            covered = !strcmp(cases[i].kind, name);
        if (!covered && strcmp(name, "plugin") && strcmp(name, "glibc")) /* glibc: test_glibc_view */
            fail_msg("kind %s has no checkpoint case", name);
    }
}

/* A restore refuses a save of another instance, leaving its own state. */
static void test_restore_refuses_another_instance(void **state)
{
    (void)state;
    const spec_case *c = &cases[0];
    kind_spec sp = spec_of(c);
    world_build(&wa, &sp);
    world_build(&wb, &sp);
    run(&wa, 11, 200, c->big, NULL);
    save_world(&wa, &ck);
    ck.s[0].next = 0;
    as_loader ld = {load_next_len, load_range, &ck.s[0], NULL};
    size_t before = 0, after = 0;
    wb.b.top.probe->offset(wb.b.top.a.ctx, &before);
    assert_false(wb.b.top.probe->restore(wb.b.top.a.ctx, &ld));
    wb.b.top.probe->offset(wb.b.top.a.ctx, &after);
    assert_int_equal(before, after);
    assert_null(wb.b.top.probe->check(wb.b.top.a.ctx));
    checkpoint_free(&ck);
    kind_destroy(&wa.b);
    kind_destroy(&wb.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind),
        cmocka_unit_test(test_every_kind_is_covered),
        cmocka_unit_test(test_glibc_view),
        cmocka_unit_test(test_restore_refuses_another_instance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
