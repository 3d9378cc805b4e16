/*
 * advise.c - which allocator fits a program (see advise.h).
 *
 * The events are read once into a compact array (one per allocation,
 * realloc or free; a block named twice after a free is a new block). The
 * pattern is one pass over them. The experiment builds each candidate
 * allocator from the library directly (pools per hot size with a free
 * list behind them are one composite vtable here), replays the events
 * through as_alloc / as_realloc / as_free: a measuring pass that inspects
 * the allocator at the event of peak live bytes, then timed passes on
 * fresh allocators with their ledgers off, which time nothing but the
 * allocator calls. The advice walks the tutorial's decision table in
 * order (fixed, stack, arena, pool, then fixed again by measure) and
 * takes the first row whose pattern holds and whose replay bears it out
 * (no failures, at most 1.25x the memory of the best general-purpose
 * row); else the general-purpose row that needed the least memory.
 */
#include "allocscope/advise.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allocscope/arena.h"
#include "allocscope/buddy.h"
#include "allocscope/bump.h"
#include "allocscope/fixed.h"
#include "allocscope/interp.h"
#include "allocscope/freelist.h"
#include "allocscope/kinds.h"
#include "allocscope/pool.h"
#include "allocscope/stack.h"
#include "allocscope/sysheap.h"
#include "allocscope/trace.h"
#include "allocscope/types.h"
#include "session_internal.h"

#define NO_BLOCK UINT32_MAX
#define ADVISE_MAX_EVENTS ((size_t)TRACE_MAX_OPS)
#define TIMED_BUDGET_NS 20000000ull /* timed passes per allocator: until 20 ms or */
#define TIMED_MAX_PASSES 25         /* this many passes; the fastest counts */

enum { EV_ALLOC, EV_REALLOC, EV_FREE };

/* One event: what happens to which block (blocks are numbered in the
 * order of their allocation). */
typedef struct event {
    uint32_t block;
    uint32_t size;    /* new size (alloc, realloc) */
    uint8_t op;
    uint8_t align;    /* log2 */
} event;

typedef struct events {
    event *ev;
    size_t count, cap;
    uint64_t *at;     /* ns since the start, per event (NULL: no times) */
    size_t blocks;    /* blocks allocated */
} events;

struct advise_report {
    events e;
    advise_pattern p;
    advise_row rows[ADVISE_MAX_ROWS];
    size_t row_count;
    advise_choice pick;
    size_t pick_row;
    strbuf why;       /* the advice's sentences, one a line */
    bool from_session; /* a session's history, not a file: nothing to `trace` */
    bool doubted[ADVISE_MAX_ROWS]; /* rows already said not to bear their pattern out */
    uint8_t *phase_end;            /* per event: a phase ends there (the arena resets after it) */
    char damage[200];              /* a damaged recording: where, advised up to there ("": none) */
};

static const char *const choice_names[] = {
#define ADVISE_X(id, name, what) name,
    ADVISE_CHOICES(ADVISE_X)
#undef ADVISE_X
};
static const char *const choice_words[] = {
#define ADVISE_X(id, name, what) what,
    ADVISE_CHOICES(ADVISE_X)
#undef ADVISE_X
};

const char *advise_choice_name(advise_choice c)
{
    return (unsigned)c < ADVISE_CHOICE_COUNT ? choice_names[c] : "?";
}

/* ---- reading the events --------------------------------------------------- */

/* Names to blocks: open addressing over the names' text. */
typedef struct name_map {
    char **name;
    uint32_t *block;
    size_t cap, used;
} name_map;

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static bool map_grow(name_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    char **names = calloc(cap, sizeof *names);
    uint32_t *blocks = calloc(cap, sizeof *blocks);
    if (names == NULL || blocks == NULL) {
        free(names);
        free(blocks);
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->name[i] == NULL)
            continue;
        size_t j = hash_name(m->name[i]) & (cap - 1);
        while (names[j])
            j = (j + 1) & (cap - 1);
        names[j] = m->name[i];
        blocks[j] = m->block[i];
    }
    free(m->name);
    free(m->block);
    m->name = names, m->block = blocks, m->cap = cap;
    return true;
}

/* The slot of a name (inserted with NO_BLOCK if new); NULL without memory. */
static uint32_t *map_slot(name_map *m, const char *name)
{
    if ((m->used + 1) * 2 > m->cap && !map_grow(m))
        return NULL;
    size_t j = hash_name(name) & (m->cap - 1);
    while (m->name[j] && strcmp(m->name[j], name) != 0)
        j = (j + 1) & (m->cap - 1);
    if (m->name[j] == NULL) {
        if ((m->name[j] = strdup(name)) == NULL)
            return NULL;
        m->block[j] = NO_BLOCK;
        m->used++;
    }
    return &m->block[j];
}

static void map_free(name_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->name[i]);
    free(m->name);
    free(m->block);
}

static bool push_event(events *e, event ev, uint64_t at, bool timed)
{
    if (e->count == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 4096;
        event *grown = realloc(e->ev, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        e->ev = grown;
        if (timed) {
            uint64_t *t = realloc(e->at, cap * sizeof *t);
            if (t == NULL)
                return false;
            e->at = t;
        }
        e->cap = cap;
    }
    if (timed)
        e->at[e->count] = at;
    e->ev[e->count++] = ev;
    return true;
}

/* What reading needs besides the events: names, the live blocks' sizes
 * and alignments, the most recent live block (for `free` alone). */
typedef struct reading {
    name_map names;
    uint32_t *size;
    uint8_t *align;
    uint8_t *live;
    size_t cap;
    uint32_t last;     /* most recent block allocated (free without a name) */
    const types_registry *types;
} reading;

static bool reading_room(reading *r, size_t blocks)
{
    if (blocks < r->cap)
        return true;
    size_t cap = r->cap ? r->cap * 2 : 4096;
    uint32_t *size = realloc(r->size, cap * sizeof *size);
    if (size)
        r->size = size;
    uint8_t *align = realloc(r->align, cap);
    if (align)
        r->align = align;
    uint8_t *live = realloc(r->live, cap);
    if (live)
        r->live = live;
    if (!size || !align || !live)
        return false;
    r->cap = cap;
    return true;
}

/* The size of `alloc WORD`: a number, or a type of the session. */
static bool alloc_size(const reading *r, const char *word, size_t *size, size_t *align)
{
    *align = 1;
    if (parse_size(word, size) == NULL)
        return *size > 0 && *size <= KIND_MAX_BUFFER;
    if (r->types == NULL)
        return false;
    strbuf err;
    sb_init(&err);
    bool ok = types_resolve(r->types, word, size, align, &err) && *size > 0 && *size <= KIND_MAX_BUFFER;
    sb_free(&err);
    return ok;
}

/* One line of the session language; lines that allocate nothing are
 * passed over. False only without memory. */
static bool read_line(reading *r, events *e, const char *line, uint64_t at, bool timed)
{
    parse_words w;
    if (parse_split(line, &w) != NULL || w.count == 0 || w.quoted[0])
        return true;
    const char *cmd = w.word[0];
    if (parse_is(cmd, "alloc") && w.count >= 2) {
        size_t size, align;
        const char *name = NULL;
        if (!alloc_size(r, w.word[1], &size, &align))
            return true;
        if (w.count % 2 != 0)
            return true; /* options come in pairs: the session refuses the line */
        for (size_t i = 2; i + 1 < w.count; i += 2) {
            unsigned lg;
            if (parse_is(w.word[i], "align") && parse_align(w.word[i + 1], &lg) == NULL)
                align = (size_t)1 << lg;
            else if (parse_is(w.word[i], "as") && parse_is_name(w.word[i + 1]))
                name = w.word[i + 1];
            else
                return true;
        }
        char label[24];
        if (name == NULL) /* the session names it by its number */
            snprintf(label, sizeof label, "#%zu", e->blocks + 1), name = label;
        uint32_t *slot = map_slot(&r->names, name);
        if (slot == NULL || !reading_room(r, e->blocks))
            return false;
        if (*slot != NO_BLOCK && r->live[*slot])
            return true; /* the session refuses a live name */
        uint32_t b = (uint32_t)e->blocks++;
        *slot = b;
        r->size[b] = (uint32_t)size;
        r->align[b] = as_log2(align);
        r->live[b] = 1;
        r->last = b;
        return push_event(e, (event){b, (uint32_t)size, EV_ALLOC, r->align[b]}, at, timed);
    }
    bool is_free = parse_is(cmd, "free"), is_realloc = parse_is(cmd, "realloc");
    if (!is_free && !is_realloc)
        return true;
    uint32_t b = NO_BLOCK;
    if (is_free && w.count == 1) {
        for (uint32_t i = (uint32_t)e->blocks; i-- > 0 && b == NO_BLOCK;)
            if (r->live[i])
                b = i;
    } else if (w.count == 2 || (is_realloc && w.count == 3)) {
        uint32_t *slot = map_slot(&r->names, w.word[1]);
        if (slot == NULL)
            return false;
        b = *slot;
    }
    if (b == NO_BLOCK || !r->live[b])
        return true;
    if (is_free) {
        r->live[b] = 0;
        return push_event(e, (event){b, r->size[b], EV_FREE, r->align[b]}, at, timed);
    }
    size_t size;
    if (w.count != 3 || parse_size(w.word[2], &size) != NULL || size == 0 || size > KIND_MAX_BUFFER)
        return true;
    r->size[b] = (uint32_t)size;
    return push_event(e, (event){b, (uint32_t)size, EV_REALLOC, r->align[b]}, at, timed);
}

static bool read_script(const char *script, const uint64_t *times, size_t times_count,
                        const types_registry *types, events *e, strbuf *err)
{
    reading r = {{0}, NULL, NULL, NULL, 0, NO_BLOCK, types};
    bool timed = times != NULL;
    uint64_t at = 0;
    size_t line_no = 0;
    bool ok = true;
    for (const char *p = script; *p && ok;) {
        size_t n = strcspn(p, "\n");
        char one[PARSE_MAX_LINE + 1];
        snprintf(one, sizeof one, "%.*s", (int)(n < PARSE_MAX_LINE ? n : PARSE_MAX_LINE), p);
        p += n + (p[n] == '\n');
        if (timed && line_no < times_count)
            at += times[line_no];
        line_no++;
        ok = read_line(&r, e, one, at, timed);
        if (ok && e->count > ADVISE_MAX_EVENTS) {
            sb_printf(err, "more than %zu allocation events: more than advise replays", ADVISE_MAX_EVENTS);
            ok = false;
        }
        else if (!ok)
            sb_add(err, "out of memory while reading the events");
    }
    map_free(&r.names);
    free(r.size);
    free(r.align);
    free(r.live);
    if (ok && e->blocks == 0) {
        sb_add(err, "nothing to advise: no allocation in it");
        ok = false;
    }
    return ok;
}

/* ---- the pattern ------------------------------------------------------------ */

/* Per exact size: how its blocks come and go. */
typedef struct size_stat {
    size_t size;          /* 0: empty slot */
    size_t allocs, frees, free_slots, reused, live, peak_live, align;
} size_stat;

typedef struct size_map {
    size_stat *s;
    size_t cap, used;
} size_map;

static size_stat *size_find(size_map *m, size_t size)
{
    if ((m->used + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        size_stat *grown = calloc(cap, sizeof *grown);
        if (grown == NULL)
            return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (m->s[i].size == 0)
                continue;
            size_t j = (m->s[i].size * 0x9E3779B97F4A7C15ull >> 20) & (cap - 1);
            while (grown[j].size)
                j = (j + 1) & (cap - 1);
            grown[j] = m->s[i];
        }
        free(m->s);
        m->s = grown, m->cap = cap;
    }
    size_t j = (size * 0x9E3779B97F4A7C15ull >> 20) & (m->cap - 1);
    while (m->s[j].size && m->s[j].size != size)
        j = (j + 1) & (m->cap - 1);
    if (m->s[j].size == 0) {
        m->s[j].size = size;
        m->used++;
    }
    return &m->s[j];
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static advise_spread spread_of(uint64_t *v, size_t n)
{
    advise_spread s = {0, 0, 0};
    if (n == 0)
        return s;
    qsort(v, n, sizeof *v, cmp_u64);
    s.median = v[n / 2];
    s.p90 = v[n * 9 / 10];
    s.max = v[n - 1];
    return s;
}

static size_t pow2_index(size_t size)
{
    size_t i = 0;
    while (i < 31 && ((size_t)1 << i) < size)
        i++;
    return i;
}

static size_t round_pow2(size_t x)
{
    size_t p = 1;
    while (p < x && p < ((size_t)1 << 62))
        p <<= 1;
    return p;
}

static size_t align_up(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }

/* The pass's state per block. */
typedef struct block_state {
    size_t born;         /* event index of the allocation */
    uint64_t born_at;
    size_t size;
    size_t stack_start;  /* stack simulation: where it stood before the block */
} block_state;

typedef struct pass {
    advise_pattern *p;
    const events *e;
    block_state *b;
    uint8_t *live;
    uint32_t *order;     /* live blocks in allocation order, freed ones skipped lazily */
    size_t order_n;
    uint32_t *stk;       /* the stack allocator's simulation: blocks it holds */
    size_t stk_n, stk_off, stk_peak;
    uint64_t *life, *life_ns;
    size_t life_n;
    size_map sizes;
    size_t live_bytes, live_blocks, buddy_live;
    size_t phase_allocs, phase_bytes, phase_peak_blocks, run_frees;
    size_t run_start_live, run_last;  /* live blocks before the run of frees, its last event */
    size_t bump_off;
    uint8_t *phase_end;  /* per event: a phase ends there */
} pass;

/* Ends a run of frees: a burst if 8 blocks or more died in it, and at
 * least half of those live when it began. */
static void end_run(pass *ps)
{
    advise_pattern *p = ps->p;
    if (ps->run_frees >= 8 && ps->run_frees * 2 >= ps->run_start_live) {
        if (p->bursts < ADVISE_MAX_PHASES)
            p->burst_at[p->bursts] = ps->run_last;
        p->bursts++;
        p->burst_frees += ps->run_frees;
    }
    ps->run_frees = 0;
}

static void note_alloc(pass *ps, size_t i, const event *ev)
{
    advise_pattern *p = ps->p;
    size_t a = (size_t)1 << ev->align;
    block_state *b = &ps->b[ev->block];
    size_t pad = align_up(ps->bump_off, a) - ps->bump_off;
    p->align_padding += pad;
    ps->bump_off += pad + ev->size;
    p->bytes_allocated += ev->size;
    p->pow2[pow2_index(ev->size)]++;
    p->align[ev->align <= 12 ? ev->align : 12]++;
    ps->phase_bytes += ev->size;
    end_run(ps);
    if (ev->op == EV_REALLOC) {
        ps->live_bytes = ps->live_bytes - b->size + ev->size;
        ps->buddy_live = ps->buddy_live - round_pow2(b->size < 16 ? 16 : b->size) +
                         round_pow2(ev->size < 16 ? 16 : ev->size);
        b->size = ev->size;
        return;
    }
    p->allocs++;
    ps->phase_allocs++;
    b->born = i;
    b->born_at = ps->e->at ? ps->e->at[i] : 0;
    b->size = ev->size;
    ps->live[ev->block] = 1;
    ps->order[ps->order_n++] = ev->block;
    ps->live_bytes += ev->size;
    ps->live_blocks++;
    ps->buddy_live += round_pow2(ev->size < 16 ? 16 : ev->size);
    if (ps->live_blocks > ps->phase_peak_blocks)
        ps->phase_peak_blocks = ps->live_blocks;
    b->stack_start = ps->stk_off;
    ps->stk_off = align_up(ps->stk_off + STACK_HEADER_SIZE, a) + ev->size;
    ps->stk[ps->stk_n++] = ev->block;
    size_stat *st = size_find(&ps->sizes, ev->size);
    if (st) {
        st->allocs++;
        if (st->free_slots)
            st->free_slots--, st->reused++;
        if (++st->live > st->peak_live)
            st->peak_live = st->live;
        if (a > st->align)
            st->align = a;
    }
}

static void note_free(pass *ps, size_t i, const event *ev)
{
    advise_pattern *p = ps->p;
    block_state *b = &ps->b[ev->block];
    p->frees++;
    while (ps->order_n && !ps->live[ps->order[ps->order_n - 1]])
        ps->order_n--;
    if (ps->order_n && ps->order[ps->order_n - 1] == ev->block) {
        p->lifo_frees++;
        ps->order_n--;
    }
    if (ps->stk_n && ps->stk[ps->stk_n - 1] == ev->block) /* the stack frees its top only */
        ps->stk_off = b->stack_start, ps->stk_n--;
    ps->live[ev->block] = 0;
    ps->life[ps->life_n] = i - b->born;
    if (ps->life_ns)
        ps->life_ns[ps->life_n] = ps->e->at[i] - b->born_at;
    ps->life_n++;
    ps->live_bytes -= b->size;
    ps->live_blocks--;
    ps->buddy_live -= round_pow2(b->size < 16 ? 16 : b->size);
    if (ps->run_frees == 0)
        ps->run_start_live = ps->live_blocks + 1;
    ps->run_frees++;
    ps->run_last = i;
    size_stat *st = size_find(&ps->sizes, b->size);
    if (st)
        st->frees++, st->free_slots++, st->live--;
    if (ps->live_blocks > 0)
        return;
    /* every block is dead: a phase ends here if many died together */
    if (ps->phase_allocs >= 2 && ps->run_frees >= 2 && ps->run_frees * 2 >= ps->phase_peak_blocks) {
        if (p->phases < ADVISE_MAX_PHASES)
            p->phase_at[p->phases] = i;
        p->phases++;
        ps->phase_end[i] = 1;
        p->phase_frees += ps->run_frees;
        if (ps->phase_bytes > p->largest_phase_bytes)
            p->largest_phase_bytes = ps->phase_bytes;
    }
    ps->phase_allocs = ps->phase_bytes = ps->phase_peak_blocks = 0;
}

static int cmp_stat_allocs(const void *a, const void *b)
{
    const size_stat *x = a, *y = b;
    if (x->allocs != y->allocs)
        return x->allocs < y->allocs ? 1 : -1;
    return (x->size > y->size) - (x->size < y->size);
}

/* The histogram's head and the hot sizes, from the per-size figures. */
static void finish_sizes(pass *ps)
{
    advise_pattern *p = ps->p;
    size_t n = 0;
    for (size_t i = 0; i < ps->sizes.cap; i++)
        if (ps->sizes.s[i].size)
            ps->sizes.s[n++] = ps->sizes.s[i];
    p->distinct_sizes = n;
    qsort(ps->sizes.s, n, sizeof *ps->sizes.s, cmp_stat_allocs);
    for (size_t i = 0; i < n && i < ADVISE_MAX_TOP; i++)
        p->top[p->top_count++] = (advise_size_count){ps->sizes.s[i].size, ps->sizes.s[i].allocs};
    /* hot: at least 10% of the blocks (and 16 of them), a quarter of them in reused slots */
    for (size_t i = 0; i < n && p->hot_count < ADVISE_MAX_HOT; i++) {
        const size_stat *st = &ps->sizes.s[i];
        if (st->allocs * 10 < p->allocs || st->allocs < 16 || st->reused * 4 < st->allocs)
            continue;
        p->hot[p->hot_count++] = (advise_hot){st->size, st->align, st->allocs, st->frees, st->reused, st->peak_live};
        p->hot_allocs += st->allocs;
    }
}

/* The pattern of the events into p, and phase_end[i] set for each event
 * that ends a phase (e->count of them, zeroed). False without memory. */
static bool measure_pattern(const events *e, advise_pattern *p, uint8_t *phase_end)
{
    memset(p, 0, sizeof *p);
    pass ps = {0};
    ps.p = p, ps.e = e, ps.phase_end = phase_end;
    ps.b = calloc(e->blocks, sizeof *ps.b);
    ps.live = calloc(e->blocks, 1);
    ps.order = malloc(e->blocks * sizeof *ps.order);
    ps.stk = malloc(e->blocks * sizeof *ps.stk);
    ps.life = malloc(e->blocks * sizeof *ps.life);
    ps.life_ns = e->at ? malloc(e->blocks * sizeof *ps.life_ns) : NULL;
    bool ok = ps.b && ps.live && ps.order && ps.stk && ps.life && (ps.life_ns || !e->at);
    p->events = e->count;
    for (size_t i = 0; ok && i < e->count; i++) {
        const event *ev = &e->ev[i];
        if (ev->op == EV_FREE)
            note_free(&ps, i, ev);
        else
            note_alloc(&ps, i, ev);
        p->reallocs += ev->op == EV_REALLOC;
        if (ps.live_bytes > p->peak_live_bytes)
            p->peak_live_bytes = ps.live_bytes, p->peak_event = i;
        if (ps.live_blocks > p->peak_live_blocks)
            p->peak_live_blocks = ps.live_blocks;
        if (ps.buddy_live > p->buddy_peak)
            p->buddy_peak = ps.buddy_live;
        if (ps.stk_off > ps.stk_peak)
            ps.stk_peak = ps.stk_off;
    }
    if (ok) {
        end_run(&ps);
        finish_sizes(&ps);
        p->never_freed = ps.live_blocks;
        p->bump_need = ps.bump_off;
        p->stack_need = ps.stk_peak;
        p->life_events = spread_of(ps.life, ps.life_n);
        p->has_time = e->at != NULL;
        if (e->at) {
            p->life_ns = spread_of(ps.life_ns, ps.life_n);
            p->duration_ns = e->count ? e->at[e->count - 1] : 0;
        }
    }
    free(ps.b);
    free(ps.live);
    free(ps.order);
    free(ps.stk);
    free(ps.life);
    free(ps.life_ns);
    free(ps.sizes.s);
    return ok;
}

/* ---- the experiment: candidates ------------------------------------------- */

typedef enum cand_kind {
    C_FIXED, C_BUMP, C_STACK, C_ARENA, C_POOLS, C_FREELIST, C_BUDDY, C_GLIBC,
} cand_kind;

/* A built candidate: what the replay drives, and its parts. */
typedef struct cand {
    cand_kind kind;
    as_instance top;
    bump *bp;
    fixed *fx;
    stack *st;
    arena *ar;
    freelist *fl;
    buddy *bd;
    pool *pools[ADVISE_MAX_HOT];
    size_t pool_size[ADVISE_MAX_HOT];
    uint8_t pool_align[ADVISE_MAX_HOT];
    size_t pool_count;
    as_vtable vt;    /* C_POOLS: the composite's vtable */
} cand;

/* The pool of a request, or -1 for the fallback free list. */
static int pool_of(const cand *c, size_t len, uint8_t align_log2)
{
    for (size_t k = 0; k < c->pool_count; k++)
        if (len == c->pool_size[k] && align_log2 <= c->pool_align[k])
            return (int)k;
    return -1;
}

static as_allocator part(const cand *c, int k)
{
    return k < 0 ? freelist_allocator(c->fl) : pool_allocator(c->pools[k]);
}

static void *pools_alloc(void *ctx, size_t len, uint8_t al, uintptr_t ra)
{
    as_allocator a = part(ctx, pool_of(ctx, len, al));
    return a.vtable->alloc(a.ctx, len, al, ra);
}

static bool pools_resize(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    int k = pool_of(ctx, len, al);
    if (k != pool_of(ctx, new_len, al))
        return false;
    as_allocator a = part(ctx, k);
    return a.vtable->resize(a.ctx, mem, len, al, new_len, ra);
}

static void *pools_remap(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    int k = pool_of(ctx, len, al);
    if (k >= 0 || pool_of(ctx, new_len, al) >= 0)
        return NULL; /* a move between classes: alloc, copy, free */
    as_allocator a = part(ctx, k);
    return a.vtable->remap(a.ctx, mem, len, al, new_len, ra);
}

static void pools_free(void *ctx, void *mem, size_t len, uint8_t al, uintptr_t ra)
{
    as_allocator a = part(ctx, pool_of(ctx, len, al));
    a.vtable->free(a.ctx, mem, len, al, ra);
}

static const as_vtable pools_vtable = {pools_alloc, pools_resize, pools_remap, pools_free};
/* The composite has no probe of its own: its parts are inspected one by one. */
static const as_probe pools_probe = {.kind = "pools"};

static void cand_destroy(cand *c)
{
    bump_destroy(c->bp);
    fixed_destroy(c->fx);
    stack_destroy(c->st);
    arena_destroy(c->ar);
    freelist_destroy(c->fl);
    buddy_destroy(c->bd);
    for (size_t k = 0; k < c->pool_count; k++)
        pool_destroy(c->pools[k]);
    memset(c, 0, sizeof *c);
}

/* The free list's heap for the live blocks: the footprint they take with
 * headers (trace.h's rule), at least 64 KiB. */
static size_t freelist_initial(const advise_pattern *p)
{
    size_t foot = p->peak_live_bytes + p->peak_live_blocks * (FREELIST_HEADER + 16);
    size_t heap = trace_heap_for(foot);
    return heap < 65536 ? 65536 : heap;
}

/* The pools of the hot sizes (each preheated to the most blocks of its
 * size live at once) and a growing free list behind them for the rest:
 * one composite allocator. False with the reason in row->why_not. */
static bool build_pools(const advise_pattern *p, size_t fl_size, cand *c, advise_row *row)
{
    if (p->hot_count == 0) {
        snprintf(row->why_not, sizeof row->why_not, "no hot size (10%% of the blocks, a quarter reused)");
        return false;
    }
    if (fl_size > KIND_MAX_BUFFER) {
        snprintf(row->why_not, sizeof row->why_not, "its free list needs a heap of %zu bytes (at most 1 GiB)",
                 fl_size);
        return false;
    }
    size_t slots = 0;
    for (size_t h = 0; h < p->hot_count; h++)
        slots += p->hot[h].peak_live * align_up(p->hot[h].size, p->hot[h].align);
    if (slots > KIND_MAX_BUFFER) {
        snprintf(row->why_not, sizeof row->why_not, "its slots would take %zu bytes (at most 1 GiB)", slots);
        return false;
    }
    char *desc = row->desc;
    size_t dn = sizeof row->desc;
    int n = snprintf(desc, dn, "pool");
    for (size_t h = 0; h < p->hot_count; h++) {
        size_t preheat = p->hot[h].peak_live ? p->hot[h].peak_live : 1;
        pool_options o = {p->hot[h].size, as_log2(p->hot[h].align), preheat, true};
        if ((c->pools[h] = pool_create(o)) == NULL) {
            cand_destroy(c);
            snprintf(row->why_not, sizeof row->why_not, "a pool of %zu-byte items could not be made",
                     p->hot[h].size);
            return false;
        }
        c->pool_size[h] = p->hot[h].size;
        c->pool_align[h] = o.align_log2;
        c->pool_count++;
        if (n > 0 && (size_t)n < dn)
            n += snprintf(desc + n, dn - (size_t)n, "%s %zu", h ? "," : "", pool_slot_size(c->pools[h]));
    }
    if (n > 0 && (size_t)n < dn)
        snprintf(desc + n, dn - (size_t)n, " + freelist %zu", fl_size);
    snprintf(row->command, sizeof row->command, "pool %zu align %zu", p->hot[0].size, p->hot[0].align);
    if ((c->fl = freelist_create_growable(fl_size, KIND_MAX_BUFFER, FREELIST_BEST_FIT))) {
        c->vt = pools_vtable;
        c->top = (as_instance){{c, &c->vt}, &pools_probe};
    }
    return true;
}

/* Builds candidate k sized from the pattern, with how it was sized in
 * row->desc and its `new` words in row->command; false with the reason
 * in row->why_not (nothing left to destroy). */
static bool cand_build(cand_kind k, const advise_pattern *p, cand *c, advise_row *row)
{
    memset(c, 0, sizeof *c);
    c->kind = k;
    size_t bump_size = align_up(p->bump_need + 4096, 4096);
    size_t stack_size = align_up(p->stack_need + p->stack_need / 4 + 4096, 4096);
    size_t buddy_size = round_pow2(p->buddy_peak * 2 < 4096 ? 4096 : p->buddy_peak * 2);
    size_t fl_size = freelist_initial(p);
    row->command[0] = '\0';
    switch (k) {
    case C_FIXED:
    case C_BUMP:
        if (bump_size > KIND_MAX_BUFFER) {
            snprintf(row->why_not, sizeof row->why_not, "needs %zu bytes: frees matter (at most 1 GiB)", bump_size);
            return false;
        }
        if (k == C_FIXED && (c->fx = fixed_create(bump_size)))
            c->top = fixed_instance(c->fx);
        if (k == C_BUMP && (c->bp = bump_create(bump_size)))
            c->top = bump_instance(c->bp);
        snprintf(row->desc, sizeof row->desc, "%s %zu (every allocation)", k == C_FIXED ? "fixed" : "bump", bump_size);
        snprintf(row->command, sizeof row->command, "%s %zu", k == C_FIXED ? "fixed" : "bump", bump_size);
        break;
    case C_STACK:
        if (stack_size > KIND_MAX_BUFFER) {
            snprintf(row->why_not, sizeof row->why_not, "needs %zu bytes: its frees are not LIFO (at most 1 GiB)",
                     stack_size);
            return false;
        }
        if ((c->st = stack_create(stack_size)))
            c->top = stack_instance(c->st);
        snprintf(row->desc, sizeof row->desc, "stack %zu (LIFO peak)", stack_size);
        snprintf(row->command, sizeof row->command, "stack %zu", stack_size);
        break;
    case C_ARENA:
        if ((p->phases >= 2 ? p->largest_phase_bytes : p->bytes_allocated) > KIND_MAX_BUFFER) {
            snprintf(row->why_not, sizeof row->why_not, "would take %zu bytes from malloc (at most 1 GiB)",
                     p->phases >= 2 ? p->largest_phase_bytes : p->bytes_allocated);
            return false;
        }
        if ((c->ar = arena_create(sysheap_instance())))
            c->top = arena_instance(c->ar);
        if (p->phases >= 2)
            snprintf(row->desc, sizeof row->desc, "arena over malloc, reset at %zu phase ends", p->phases);
        else
            snprintf(row->desc, sizeof row->desc, "arena over malloc, no phase end to reset at");
        snprintf(row->command, sizeof row->command, "arena");
        break;
    case C_POOLS:
        if (!build_pools(p, fl_size, c, row))
            return false;
        break;
    case C_FREELIST:
        if (fl_size > KIND_MAX_BUFFER) {
            snprintf(row->why_not, sizeof row->why_not, "needs a heap of %zu bytes (at most 1 GiB)", fl_size);
            return false;
        }
        if ((c->fl = freelist_create_growable(fl_size, KIND_MAX_BUFFER, FREELIST_BEST_FIT)))
            c->top = freelist_instance(c->fl);
        snprintf(row->desc, sizeof row->desc, "freelist %zu best-fit, grows", fl_size);
        snprintf(row->command, sizeof row->command, "freelist %zu best-fit", fl_size);
        break;
    case C_BUDDY:
        if (buddy_size > KIND_MAX_BUFFER) {
            snprintf(row->why_not, sizeof row->why_not, "needs %zu bytes (at most 1 GiB)", buddy_size);
            return false;
        }
        if ((c->bd = buddy_create(buddy_size)))
            c->top = buddy_instance(c->bd);
        snprintf(row->desc, sizeof row->desc, "buddy %zu (2 x live rounded up)", buddy_size);
        snprintf(row->command, sizeof row->command, "buddy %zu", buddy_size);
        break;
    case C_GLIBC:
        if (p->peak_live_bytes > KIND_MAX_BUFFER) {
            snprintf(row->why_not, sizeof row->why_not, "would take %zu bytes of real memory (at most 1 GiB)",
                     p->peak_live_bytes);
            return false;
        }
        c->top = sysheap_instance();
        snprintf(row->desc, sizeof row->desc, "glibc malloc (malloc_usable_size for slack)");
        return true;
    }
    if (c->top.a.vtable == NULL) {
        cand_destroy(c);
        snprintf(row->why_not, sizeof row->why_not, "out of memory");
        return false;
    }
    return true;
}

static const char *const cand_names[] = {"fixed", "bump", "stack", "arena", "pool", "freelist", "buddy", "glibc"};

/* ---- the experiment: replay -------------------------------------------------- */

/* What the measuring pass finds. */
typedef struct census {
    size_t live, padding, slack, meta, capacity;
} census;

static void census_span(void *user, const as_span *s)
{
    census *c = user;
    if (s->kind == AS_SPAN_LIVE)
        c->live += s->len;
    else if (s->kind == AS_SPAN_SLACK)
        c->slack += s->len;
    else if (s->kind == AS_SPAN_PADDING)
        c->padding += s->len;
    else if (s->kind == AS_SPAN_META)
        c->meta += s->len;
}

static void census_region(void *user, uint32_t region, const void *base, size_t size)
{
    (void)region, (void)base;
    ((census *)user)->capacity += size;
}

static void census_of(const as_instance *in, census *c)
{
    as_inspector v = {census_region, census_span, NULL, c, NULL};
    in->probe->inspect(in->a.ctx, &v);
}

/* The replay's state: each block's pointer now. */
typedef struct replay {
    void **ptr;
    size_t *len;
    size_t failures;
} replay;

static void replay_one(cand *c, replay *r, const event *ev)
{
    as_allocator a = c->top.a;
    void **slot = &r->ptr[ev->block];
    if (ev->op == EV_ALLOC) {
        *slot = as_alloc(a, ev->size, ev->align);
        r->len[ev->block] = ev->size;
        r->failures += *slot == NULL;
    } else if (ev->op == EV_REALLOC && *slot) {
        void *np = as_realloc(a, *slot, r->len[ev->block], ev->align, ev->size);
        if (np)
            *slot = np, r->len[ev->block] = ev->size;
        else
            r->failures++;
    } else if (ev->op == EV_FREE && *slot) {
        as_free(a, *slot, r->len[ev->block], ev->align);
        *slot = NULL;
    }
}

/* NULL iff every part of the candidate keeps its invariants. */
static const char *cand_check(const cand *c)
{
    const char *broken = NULL;
    if (c->kind != C_POOLS)
        return c->top.probe->check ? c->top.probe->check(c->top.a.ctx) : NULL;
    for (size_t k = 0; k < c->pool_count && !broken; k++)
        broken = pool_check(c->pools[k]);
    return broken ? broken : freelist_check(c->fl);
}

/* At the peak, for glibc: slack from malloc_usable_size, a size word per
 * chunk as metadata; returns the peak memory: the heap's growth since
 * base, or the live bytes with their slack and size words if more. */
static size_t glibc_at_peak(const replay *r, const events *e, const advise_pattern *p,
                            const struct mallinfo2 *base, advise_row *row)
{
    struct mallinfo2 m = mallinfo2();
    size_t grown = m.arena + m.hblkhd, was = base->arena + base->hblkhd;
    size_t peak = grown > was ? grown - was : 0;
    size_t slack = 0, blocks = 0;
    for (size_t b = 0; b < e->blocks; b++)
        if (r->ptr[b])
            slack += malloc_usable_size(r->ptr[b]) - r->len[b], blocks++;
    row->slack = slack;
    row->metadata = blocks * sizeof(size_t); /* each chunk's size word */
    return p->peak_live_bytes + slack + row->metadata > peak ? p->peak_live_bytes + slack + row->metadata : peak;
}

/* At the peak, for the library's allocators: padding, slack and metadata
 * from their spans, fragmentation from their free structure. */
static void library_at_peak(const cand *c, advise_row *row)
{
    census cs = {0, 0, 0, 0, 0};
    if (c->kind == C_POOLS) {
        for (size_t k = 0; k < c->pool_count; k++) {
            as_instance in = pool_instance(c->pools[k]);
            census_of(&in, &cs);
        }
        as_instance in = freelist_instance(c->fl);
        census_of(&in, &cs);
    } else {
        census_of(&c->top, &cs);
    }
    row->padding = cs.padding, row->slack = cs.slack, row->metadata = cs.meta;
    as_instance fs = c->kind == C_POOLS ? freelist_instance(c->fl) : c->top;
    if (fs.probe->free_summary && fs.probe->free_shape != AS_FREE_NONE) {
        as_free_summary sum = {0};
        fs.probe->free_summary(fs.a.ctx, &sum);
        row->fragmentation = sum.fragmentation;
    }
}

/* Peak memory after the replay: the furthest offset reached (high) for
 * one-buffer allocators, the high-water mark or the chunks and slabs held
 * for the others (their capacity never shrinks during a replay). */
static size_t peak_memory_of(const cand *c, size_t high, size_t glibc_peak)
{
    size_t bytes = 0;
    switch (c->kind) {
    case C_FIXED: case C_BUMP: case C_STACK:
        return high;
    case C_ARENA:
        return arena_capacity(c->ar);
    case C_POOLS:
        for (size_t k = 0; k < c->pool_count; k++)
            bytes += pool_slot_count(c->pools[k]) * pool_slot_size(c->pools[k]);
        return bytes + freelist_high_water(c->fl);
    case C_FREELIST:
        return freelist_high_water(c->fl);
    case C_BUDDY:
        return buddy_high_water(c->bd);
    case C_GLIBC:
        return glibc_peak;
    }
    return 0;
}

/* The measuring pass: failures, the figures at the peak, peak memory,
 * the invariants at the end. */
static void replay_measure(cand *c, const events *e, const advise_pattern *p, const uint8_t *phase_end,
                           advise_row *row)
{
    replay r = {calloc(e->blocks, sizeof(void *)), calloc(e->blocks, sizeof(size_t)), 0};
    if (r.ptr == NULL || r.len == NULL) {
        free(r.ptr);
        free(r.len);
        snprintf(row->why_not, sizeof row->why_not, "out of memory");
        return;
    }
    struct mallinfo2 base = mallinfo2();
    size_t high = 0, glibc_peak = 0;
    bool offset = c->top.probe->offset != NULL && c->kind != C_FREELIST;
    row->fragmentation = -1;
    for (size_t i = 0; i < e->count; i++) {
        replay_one(c, &r, &e->ev[i]);
        size_t off;
        if (offset && c->top.probe->offset(c->top.a.ctx, &off) && off > high)
            high = off;
        if (i == p->peak_event && c->kind == C_GLIBC)
            glibc_peak = glibc_at_peak(&r, e, p, &base, row);
        else if (i == p->peak_event)
            library_at_peak(c, row);
        if (phase_end && phase_end[i] && c->kind == C_ARENA) /* the phase ends here */
            c->top.probe->reset(c->top.a.ctx, AS_RESET_RETAIN_CAPACITY, 0);
    }
    row->peak_memory = peak_memory_of(c, high, glibc_peak);
    const char *broken = cand_check(c);
    if (broken)
        snprintf(row->why_not, sizeof row->why_not, "an invariant broke: %s", broken);
    if (c->kind == C_STACK)
        row->failures += stack_out_of_order_frees(c->st);
    row->failures += r.failures;
    /* free what the replay left (glibc's blocks are the process's own) */
    for (size_t b = 0; b < e->blocks && c->kind == C_GLIBC; b++)
        if (r.ptr[b])
            as_free(c->top.a, r.ptr[b], r.len[b], 0);
    free(r.ptr);
    free(r.len);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* Timed passes on fresh allocators, ledgers off: the fastest pass's ns
 * per event. */
static double replay_timed(cand_kind k, const events *e, const advise_pattern *p, const uint8_t *phase_end)
{
    replay r = {calloc(e->blocks, sizeof(void *)), calloc(e->blocks, sizeof(size_t)), 0};
    double best = -1;
    uint64_t spent = 0;
    for (int n = 0; r.ptr && r.len && n < TIMED_MAX_PASSES && spent < TIMED_BUDGET_NS; n++) {
        cand c;
        advise_row scratch;
        if (!cand_build(k, p, &c, &scratch))
            break;
        if (c.top.probe->set_ledger && c.kind != C_POOLS)
            c.top.probe->set_ledger(c.top.a.ctx, false);
        memset(r.ptr, 0, e->blocks * sizeof(void *));
        uint64_t t0 = now_ns();
        for (size_t i = 0; i < e->count; i++) {
            replay_one(&c, &r, &e->ev[i]);
            if (phase_end && phase_end[i] && k == C_ARENA)
                c.top.probe->reset(c.top.a.ctx, AS_RESET_RETAIN_CAPACITY, 0);
        }
        uint64_t t = now_ns() - t0;
        spent += t;
        double ns = (double)t / (double)(e->count ? e->count : 1);
        if (best < 0 || ns < best)
            best = ns;
        for (size_t b = 0; b < e->blocks && k == C_GLIBC; b++)
            if (r.ptr[b])
                as_free(c.top.a, r.ptr[b], r.len[b], 0);
        cand_destroy(&c);
    }
    free(r.ptr);
    free(r.len);
    return best;
}

static void run_experiment(advise_report *r)
{
    const advise_pattern *p = &r->p;
    const uint8_t *ends = p->phases >= 2 ? r->phase_end : NULL; /* the arena's reset points */
    for (cand_kind k = C_FIXED; k <= C_GLIBC && r->row_count < ADVISE_MAX_ROWS; k++) {
        advise_row *row = &r->rows[r->row_count++];
        memset(row, 0, sizeof *row);
        snprintf(row->kind, sizeof row->kind, "%s", cand_names[k]);
        row->fragmentation = -1;
        row->ns_per_op = -1;
        cand c;
        if (!cand_build(k, p, &c, row))
            continue;
        replay_measure(&c, &r->e, p, ends, row);
        cand_destroy(&c);
        row->ran = row->why_not[0] == '\0';
        if (!row->ran)
            continue;
        row->overhead = p->peak_live_bytes ? (double)row->peak_memory / (double)p->peak_live_bytes - 1 : 0;
        row->ns_per_op = replay_timed(k, &r->e, p, ends);
    }
}

/* ---- the advice ------------------------------------------------------------- */

static size_t row_of(const advise_report *r, const char *kind)
{
    for (size_t i = 0; i < r->row_count; i++)
        if (strcmp(r->rows[i].kind, kind) == 0)
            return i;
    return SIZE_MAX;
}

static bool row_clean(const advise_report *r, size_t i)
{
    return i != SIZE_MAX && r->rows[i].ran && r->rows[i].failures == 0;
}

static double pct(size_t a, size_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

/* Writes "row N (KIND): peak P bytes, X.XXx peak live, F failures". */
static void cite(strbuf *out, const advise_report *r, size_t i)
{
    const advise_row *w = &r->rows[i];
    sb_printf(out, "row %zu (%s): peak memory %zu bytes, %.2fx peak live, %zu failures", i + 1, w->kind,
              w->peak_memory, w->overhead + 1, w->failures);
}

/* The general-purpose row that held the peak in the least memory (the
 * free list, the buddy or glibc), without failures; SIZE_MAX if none. */
static size_t best_general(const advise_report *r)
{
    static const char *const general[] = {"freelist", "glibc", "buddy"};
    size_t best = SIZE_MAX;
    for (size_t g = 0; g < sizeof general / sizeof *general; g++) {
        size_t i = row_of(r, general[g]);
        if (row_clean(r, i) && (best == SIZE_MAX || r->rows[i].peak_memory < r->rows[best].peak_memory))
            best = i;
    }
    return best;
}

/* Whether the experiment bears out a pattern that holds: its row ran
 * without failures and held the peak in at most 1.25 times the memory of
 * the best general-purpose row. When the memory does not bear it out,
 * says so in r->why (the advice then goes on down the table). */
static bool bears_out(advise_report *r, size_t i, const char *what)
{
    if (!row_clean(r, i))
        return false;
    size_t g = best_general(r);
    if (g == SIZE_MAX || r->rows[i].peak_memory * 4 <= r->rows[g].peak_memory * 5)
        return true;
    if (r->doubted[i])
        return false;
    r->doubted[i] = true;
    sb_printf(&r->why, "The pattern suggests %s, but the experiment does not bear it out: row %zu (%s) needed "
                       "%zu bytes at peak, %.2fx the %zu of row %zu (%s).\n",
              what, i + 1, r->rows[i].kind, r->rows[i].peak_memory,
              (double)r->rows[i].peak_memory / (double)r->rows[g].peak_memory, r->rows[g].peak_memory, g + 1,
              r->rows[g].kind);
    return false;
}

/* What else the figures suggest, for the patterns that hold in part. */
static void partial_hints(advise_report *r)
{
    const advise_pattern *p = &r->p;
    strbuf *o = &r->why;
    size_t pools = row_of(r, "pool"), sk = row_of(r, "stack");
    if (r->pick != ADVISE_POOL && p->hot_count && row_clean(r, pools)) {
        sb_printf(o, "Worth a look: %.0f%% of the blocks are of %zu hot size%s (", pct(p->hot_allocs, p->allocs),
                  p->hot_count, p->hot_count == 1 ? "" : "s");
        for (size_t i = 0; i < p->hot_count; i++)
            sb_printf(o, "%s%zu bytes", i ? ", " : "", p->hot[i].size);
        sb_printf(o, ") that churn: pools for them in front of a free list took %.1f ns per operation; ",
                  r->rows[pools].ns_per_op);
        cite(o, r, pools);
        sb_add(o, ".\n");
    }
    if (r->pick != ADVISE_ARENA && p->bursts >= 2 && p->burst_frees * 2 >= p->frees) {
        sb_printf(o, "Worth a look: %zu bursts free half the live blocks or more at once (%.0f%% of the frees; "
                     "the first after events",
                  p->bursts, pct(p->burst_frees, p->frees));
        for (size_t i = 0; i < p->bursts && i < 3; i++)
            sb_printf(o, "%s %zu", i ? "," : "", p->burst_at[i] + 1);
        sb_add(o, "): an arena per phase for the blocks that die there, beside a general-purpose heap for "
                  "those that live on, would free them in one step.\n");
    }
    if (r->pick != ADVISE_STACK && p->frees && p->lifo_frees * 2 >= p->frees && sk != SIZE_MAX && r->rows[sk].ran &&
        r->rows[sk].failures > 0)
        sb_printf(o, "Worth a look: %.0f%% of the frees are LIFO, but a stack refuses the others (%zu refused "
                     "or failed in row %zu).\n",
                  pct(p->lifo_frees, p->frees), r->rows[sk].failures, sk + 1);
}

/* ---- the decision table: its rows in order, each a test and a sentence ---- */

static double lifo_share(const advise_pattern *p) { return p->frees ? (double)p->lifo_frees / (double)p->frees : 0; }

/* nothing is reused: all the bytes allocated are at most 1.25x the peak */
static bool fixed_holds(const advise_report *r)
{
    return r->p.bytes_allocated * 4 <= r->p.peak_live_bytes * 5;
}

static void fixed_say(const advise_report *r, size_t row, strbuf *o)
{
    const advise_pattern *p = &r->p;
    sb_printf(o, "Known maximum size: the program allocates %zu bytes in all and at most %zu are live (%.0f%%): "
                 "frees do not matter, so a fixed buffer of %zu bytes serves it with no heap at all; ",
              p->bytes_allocated, p->peak_live_bytes, pct(p->peak_live_bytes, p->bytes_allocated),
              r->rows[row].peak_memory);
}

static bool stack_holds(const advise_report *r) { return r->p.frees >= 8 && lifo_share(&r->p) >= 0.95; }

static void stack_say(const advise_report *r, size_t row, strbuf *o)
{
    (void)row;
    sb_printf(o, "LIFO: %.0f%% of the frees (%zu of %zu) free the most recent live block: a stack allocator "
                 "serves them, each free rewinds its offset; ",
              100 * lifo_share(&r->p), r->p.lifo_frees, r->p.frees);
}

/* two phase ends or more, which take 80% of the frees */
static bool arena_holds(const advise_report *r)
{
    return r->p.phases >= 2 && r->p.phase_frees * 5 >= r->p.frees * 4;
}

static void arena_say(const advise_report *r, size_t row, strbuf *o)
{
    (void)row;
    const advise_pattern *p = &r->p;
    sb_printf(o, "Batch processing, same lifetime: %zu phases end with all their blocks dying together (%.0f%% "
                 "of the frees; the first after events",
              p->phases, pct(p->phase_frees, p->frees));
    for (size_t i = 0; i < p->phases && i < 3; i++)
        sb_printf(o, "%s %zu", i ? "," : "", p->phase_at[i] + 1);
    sb_printf(o, "): an arena reset at each phase end frees them in one step (at most %zu bytes in one phase); ",
              p->largest_phase_bytes);
}

/* hot sizes that take 60% of the blocks */
static bool pool_holds(const advise_report *r) { return r->p.hot_count && r->p.hot_allocs * 5 >= r->p.allocs * 3; }

static void pool_say(const advise_report *r, size_t row, strbuf *o)
{
    const advise_pattern *p = &r->p;
    const advise_hot *h = &p->hot[0];
    sb_printf(o, "Many same-size objects: %.0f%% of the blocks are %zu bytes and churn (%zu of %zu allocations "
                 "could reuse a freed slot)",
              pct(h->allocs, p->allocs), h->size, h->reused, h->allocs);
    for (size_t i = 1; i < p->hot_count; i++)
        sb_printf(o, "; %.0f%% are %zu bytes", pct(p->hot[i].allocs, p->allocs), p->hot[i].size);
    sb_add(o, ": pools of ");
    for (size_t i = 0; i < p->hot_count; i++)
        sb_printf(o, "%s%zu", i == 0 ? "" : i + 1 == p->hot_count ? " and " : ", ", p->hot[i].size);
    sb_printf(o, "-byte slots would serve them with %zu bytes of slack at the peak; ", r->rows[row].slack);
}

/* measured: a fixed buffer that takes back its latest block held the run
 * within 25% of the peak live bytes */
static bool fixed_measured_holds(const advise_report *r)
{
    size_t fx = row_of(r, "fixed");
    return fx != SIZE_MAX && r->rows[fx].ran && r->rows[fx].overhead <= 0.25;
}

static void fixed_measured_say(const advise_report *r, size_t row, strbuf *o)
{
    const advise_row *w = &r->rows[row];
    sb_printf(o, "Known maximum size: %zu bytes allocated in all, but a fixed buffer that takes back its most "
                 "recent block held the whole run in %zu bytes (%.0f%% over the peak of %zu live): a fixed "
                 "buffer of that size serves it with no heap at all; ",
              r->p.bytes_allocated, w->peak_memory, 100 * w->overhead, r->p.peak_live_bytes);
}

typedef struct rule {
    advise_choice choice;
    const char *kind;      /* its row in the experiment */
    const char *what;      /* what it suggests, for "the pattern suggests ..." */
    bool (*holds)(const advise_report *r);
    void (*say)(const advise_report *r, size_t row, strbuf *o);
} rule;

static const rule rules[] = {
    {ADVISE_FIXED, "fixed", "a fixed buffer", fixed_holds, fixed_say},
    {ADVISE_STACK, "stack", "a stack", stack_holds, stack_say},
    {ADVISE_ARENA, "arena", "an arena", arena_holds, arena_say},
    {ADVISE_POOL, "pool", "a pool", pool_holds, pool_say},
    {ADVISE_FIXED, "fixed", "a fixed buffer", fixed_measured_holds, fixed_measured_say},
};

static void general_say(advise_report *r)
{
    const advise_pattern *p = &r->p;
    strbuf *o = &r->why;
    r->pick = ADVISE_GENERAL;
    r->pick_row = best_general(r);
    sb_printf(o, "General purpose: no specialised pattern both holds and is borne out (%.0f%% of the frees are "
                 "LIFO, %zu phase end%s, %zu hot size%s covering %.0f%% of the blocks, %zu bytes allocated for "
                 "%zu live at most): start with a general-purpose allocator; ",
              100 * lifo_share(p), p->phases, p->phases == 1 ? "" : "s", p->hot_count, p->hot_count == 1 ? "" : "s",
              pct(p->hot_allocs, p->allocs), p->bytes_allocated,
              p->peak_live_bytes);
    if (r->pick_row != SIZE_MAX)
        cite(o, r, r->pick_row);
    else
        sb_printf(o, "no allocator here could take it (%zu bytes live at most)", p->peak_live_bytes);
    sb_add(o, ".\n");
}

/* Walks the decision table in order and advises the first row whose
 * pattern holds and whose replay bears it out (else a general-purpose
 * allocator); the reasons, the comparison with the best general-purpose
 * row and what else the figures suggest go to r->why. */
static void decide(advise_report *r)
{
    const advise_pattern *p = &r->p;
    strbuf *o = &r->why;
    size_t n = sizeof rules / sizeof *rules, k = 0;
    for (; k < n; k++) {
        size_t row = row_of(r, rules[k].kind);
        if (rules[k].holds(r) && bears_out(r, row, rules[k].what)) {
            r->pick = rules[k].choice, r->pick_row = row;
            rules[k].say(r, row, o);
            cite(o, r, row);
            sb_add(o, ".\n");
            break;
        }
    }
    if (k == n)
        general_say(r);
    size_t g = best_general(r);
    if (r->pick != ADVISE_GENERAL && g != SIZE_MAX) {
        const advise_row *w = &r->rows[r->pick_row], *b = &r->rows[g];
        sb_printf(o, "Against the best general-purpose row, row %zu (%s): %zu bytes at peak and %.1f ns per "
                     "operation there, %zu bytes and %.1f ns here.\n",
                  g + 1, b->kind, b->peak_memory, b->ns_per_op, w->peak_memory, w->ns_per_op);
    }
    partial_hints(r);
    if (p->align_padding)
        sb_printf(o, "The program's own alignments cost %zu byte%s of padding laid end to end (%.1f%% of the "
                     "bytes allocated).\n",
                  p->align_padding, p->align_padding == 1 ? "" : "s", pct(p->align_padding, p->bytes_allocated));
    if (r->pick != ADVISE_GENERAL)
        sb_add(o, "The tutorial's advice stands: start with a general-purpose allocator, and switch only "
                  "where the measured figures show allocation matters.\n");
}

/* The `new` words of the members to watch side by side: the pick, the
 * free list and one more row that ran (at most three). */
static size_t compare_members(const advise_report *r, const char *sep, const char *quote, strbuf *out)
{
    size_t chosen[3], n = 0;
    size_t fl = row_of(r, "freelist");
    if (r->pick_row != SIZE_MAX && r->rows[r->pick_row].command[0])
        chosen[n++] = r->pick_row;
    if (fl != SIZE_MAX && r->rows[fl].ran && fl != r->pick_row)
        chosen[n++] = fl;
    size_t extra = row_of(r, r->pick == ADVISE_GENERAL ? "buddy" : "bump");
    if (extra != SIZE_MAX && r->rows[extra].ran && extra != r->pick_row && r->rows[extra].command[0])
        chosen[n++] = extra;
    for (size_t i = 0; i < n; i++)
        sb_printf(out, "%s%s%s%s", i ? sep : "", quote, r->rows[chosen[i]].command, quote);
    return n;
}

/* ---- the report ------------------------------------------------------------- */

static advise_report *advise_events(events *e, strbuf *err)
{
    advise_report *r = calloc(1, sizeof *r);
    if (r == NULL) {
        sb_add(err, "out of memory");
        return NULL;
    }
    r->e = *e;
    memset(e, 0, sizeof *e);
    sb_init(&r->why);
    r->phase_end = calloc(r->e.count ? r->e.count : 1, 1);
    if (r->phase_end == NULL || !measure_pattern(&r->e, &r->p, r->phase_end)) {
        sb_add(err, "out of memory while measuring the pattern");
        advise_destroy(r);
        return NULL;
    }
    run_experiment(r);
    r->pick_row = SIZE_MAX;
    decide(r);
    return r;
}

advise_report *advise_script(const char *script, const uint64_t *times, size_t times_count, strbuf *err)
{
    events e = {0};
    if (!read_script(script, times, times_count, NULL, &e, err)) {
        free(e.ev);
        free(e.at);
        return NULL;
    }
    return advise_events(&e, err);
}

/* The times of a recording (allocscope record's superset of the format):
 * each operation line's DT field, ns since the operation before (the 7th
 * word of a and r lines, the 5th of f lines). NULL for anything else, or
 * when a line has no such field. */
static uint64_t *recording_times(const char *text, size_t *count)
{
    *count = 0;
    size_t first = strcspn(text, "\n");
    char head[128];
    snprintf(head, sizeof head, "%.*s", (int)(first < 127 ? first : 127), text);
    if (strstr(head, "allocscope-recording") == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    uint64_t *t = malloc(cap * sizeof *t);
    for (const char *p = text; t && *p;) {
        size_t len = strcspn(p, "\n");
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(len < 255 ? len : 255), p);
        p += len + (p[len] == '\n');
        if (!((line[0] == 'a' || line[0] == 'r' || line[0] == 'f') && line[1] == ' '))
            continue;
        char *word[8];
        size_t words = 0;
        for (char *s = strtok(line, " \t\r"); s && words < 8; s = strtok(NULL, " \t\r"))
            word[words++] = s;
        size_t at = line[0] == 'f' ? 4 : 6;
        char *end;
        unsigned long long dt = at < words ? strtoull(word[at], &end, 10) : 0;
        if (at >= words || *end != '\0') {
            free(t);
            return NULL;
        }
        if (n == cap) {
            uint64_t *grown = realloc(t, cap * 2 * sizeof *t);
            if (grown == NULL) {
                free(t);
                return NULL;
            }
            t = grown, cap *= 2;
        }
        t[n++] = dt;
    }
    *count = n;
    return t;
}

advise_report *advise_trace_text(const char *text, strbuf *err)
{
    strbuf script, terr;
    sb_init(&script);
    sb_init(&terr);
    trace_header h;
    advise_report *r = NULL;
    if (!trace_to_script(text, &h, &script, &terr)) {
        sb_printf(err, "not a trace allocscope reads: %s", sb_str(&terr));
    } else {
        size_t n = 0;
        uint64_t *times = recording_times(text, &n);
        /* one script line per operation: the times line up only if the counts agree */
        if (times && n != sb_count_lines(sb_str(&script))) {
            free(times);
            times = NULL;
        }
        r = advise_script(sb_str(&script), times, n, err);
        free(times);
        if (r && sb_str(&terr)[0]) /* a damaged recording: what came before the damage was read */
            snprintf(r->damage, sizeof r->damage, "%s", sb_str(&terr));
    }
    sb_free(&script);
    sb_free(&terr);
    return r;
}

advise_report *advise_session(const session *s, strbuf *err)
{
    strbuf script;
    sb_init(&script);
    for (size_t i = 0; i < s->history_count; i++) {
        sb_add(&script, sess_history_line(s, i));
        sb_addc(&script, '\n');
    }
    events e = {0};
    advise_report *r = NULL;
    if (read_script(sb_str(&script), NULL, 0, s->types, &e, err))
        r = advise_events(&e, err);
    if (r)
        r->from_session = true;
    else
        free(e.ev), free(e.at);
    sb_free(&script);
    return r;
}

void advise_destroy(advise_report *r)
{
    if (r == NULL)
        return;
    free(r->e.ev);
    free(r->e.at);
    free(r->phase_end);
    sb_free(&r->why);
    free(r);
}

const advise_pattern *advise_pattern_of(const advise_report *r) { return &r->p; }
size_t advise_row_count(const advise_report *r) { return r->row_count; }
const advise_row *advise_row_at(const advise_report *r, size_t i) { return i < r->row_count ? &r->rows[i] : NULL; }
advise_choice advise_pick(const advise_report *r) { return r->pick; }
const char *advise_damage(const advise_report *r) { return r->damage; }
size_t advise_pick_row(const advise_report *r) { return r->pick_row; }

/* ---- text ------------------------------------------------------------------- */

static void text_pattern(const advise_pattern *p, strbuf *out)
{
    sb_printf(out, "The pattern: %zu events (%zu allocations, %zu reallocs, %zu frees), %zu bytes allocated; "
                   "peak live %zu bytes in %zu blocks (at event %zu).\n",
              p->events, p->allocs, p->reallocs, p->frees, p->bytes_allocated, p->peak_live_bytes,
              p->peak_live_blocks, p->peak_event + 1);
    sb_printf(out, "  sizes (%zu distinct), the commonest:", p->distinct_sizes);
    for (size_t i = 0; i < p->top_count; i++)
        sb_printf(out, " %zu B x%zu (%.0f%%)%s", p->top[i].size, p->top[i].count, pct(p->top[i].count, p->allocs),
                  i + 1 < p->top_count ? "," : "");
    sb_add(out, "\n  by power of two:");
    for (size_t i = 0; i < 32; i++)
        if (p->pow2[i])
            sb_printf(out, " <=%zu: %zu", (size_t)1 << i, p->pow2[i]);
    sb_add(out, "\n  alignments:");
    for (size_t i = 0; i < 13; i++)
        if (p->align[i])
            sb_printf(out, " %zu: %zu", (size_t)1 << i, p->align[i]);
    sb_printf(out, "; their padding laid end to end: %zu byte%s (%.1f%%)\n", p->align_padding,
              p->align_padding == 1 ? "" : "s", pct(p->align_padding, p->bytes_allocated));
    sb_printf(out, "  lifetimes in events: median %llu, 90%% %llu, max %llu; %zu block%s never freed\n",
              (unsigned long long)p->life_events.median, (unsigned long long)p->life_events.p90,
              (unsigned long long)p->life_events.max, p->never_freed, p->never_freed == 1 ? "" : "s");
    if (p->has_time)
        sb_printf(out, "  lifetimes in time: median %llu ns, 90%% %llu ns, max %llu ns (of %llu ns)\n",
                  (unsigned long long)p->life_ns.median, (unsigned long long)p->life_ns.p90,
                  (unsigned long long)p->life_ns.max, (unsigned long long)p->duration_ns);
    else
        sb_add(out, "  lifetimes in time: the input has no times\n");
    sb_printf(out, "  LIFO frees: %zu of %zu (%.0f%%)\n", p->lifo_frees, p->frees, pct(p->lifo_frees, p->frees));
    sb_printf(out, "  phases where all blocks die together: %zu (%.0f%% of the frees)", p->phases,
              pct(p->phase_frees, p->frees));
    for (size_t i = 0; i < p->phases && i < ADVISE_MAX_PHASES; i++)
        sb_printf(out, "%s%zu", i ? ", " : "; ends after events ", p->phase_at[i] + 1);
    sb_add(out, p->phases > ADVISE_MAX_PHASES ? ", ...\n" : "\n");
    sb_printf(out, "  bursts where half the live blocks or more die at once: %zu (%.0f%% of the frees)", p->bursts,
              pct(p->burst_frees, p->frees));
    for (size_t i = 0; i < p->bursts && i < ADVISE_MAX_PHASES; i++)
        sb_printf(out, "%s%zu", i ? ", " : "; after events ", p->burst_at[i] + 1);
    sb_add(out, p->bursts > ADVISE_MAX_PHASES ? ", ...\n" : "\n");
    sb_printf(out, "  hot same-size churn: %zu sizes", p->hot_count);
    for (size_t i = 0; i < p->hot_count; i++)
        sb_printf(out, "%s%zu B (%zu allocations, %zu reuse a freed slot, %zu live at most)", i ? "; " : ": ",
                  p->hot[i].size, p->hot[i].allocs, p->hot[i].reused, p->hot[i].peak_live);
    sb_addc(out, '\n');
}

static void text_table(const advise_report *r, strbuf *out)
{
    sb_add(out, "\nThe experiment (each allocator sized from the pattern, the real allocator code timed):\n");
    sb_printf(out, "%-3s %-9s %12s %9s %9s %9s %9s %8s %6s %8s  %s\n", "row", "allocator", "peak memory",
              "overhead", "padding", "slack", "metadata", "failures", "frag", "ns/op", "sized as");
    for (size_t i = 0; i < r->row_count; i++) {
        const advise_row *w = &r->rows[i];
        if (!w->ran) {
            sb_printf(out, "%-3zu %-9s %s\n", i + 1, w->kind, w->why_not);
            continue;
        }
        char frag[16], ns[16];
        if (w->fragmentation < 0)
            snprintf(frag, sizeof frag, "-");
        else
            snprintf(frag, sizeof frag, "%.0f%%", 100 * w->fragmentation);
        snprintf(ns, sizeof ns, "%.1f", w->ns_per_op);
        sb_printf(out, "%-3zu %-9s %12zu %8.0f%% %9zu %9zu %9zu %8zu %6s %8s  %s%s\n", i + 1, w->kind,
                  w->peak_memory, 100 * w->overhead, w->padding, w->slack, w->metadata, w->failures, frag, ns,
                  w->desc, i == r->pick_row ? "  <- advised" : "");
    }
}

#define TEXT_WIDTH 100

/* Appends text with every line longer than TEXT_WIDTH broken at spaces,
 * the continuations indented by four spaces (the live view does not wrap
 * its answers). */
static void add_wrapped(strbuf *out, const char *text)
{
    while (*text) {
        size_t n = strcspn(text, "\n"), indent = 0;
        const char *line = text;
        text += n + (text[n] == '\n');
        while (n + indent > TEXT_WIDTH) {
            size_t cut = TEXT_WIDTH - indent;
            while (cut > 0 && line[cut] != ' ')
                cut--;
            if (cut == 0) /* one word longer than the width: leave it whole */
                break;
            sb_printf(out, "%*s%.*s\n", (int)indent, "", (int)cut, line);
            line += cut + 1, n -= cut + 1, indent = 4;
        }
        sb_printf(out, "%*s%.*s\n", (int)indent, "", (int)n, line);
    }
}

/* What to type next: the compare line at the prompt and from the shell. */
static void text_next(const advise_report *r, const char *name, strbuf *out)
{
    strbuf none;
    sb_init_discard(&none);
    size_t members = compare_members(r, "", "", &none);
    sb_free(&none);
    if (members < 2)
        return; /* nothing to put side by side */
    sb_add(out, r->from_session ? "Try next, at the prompt (`advise compare` types it; then the same allocations "
                                  "again, to watch them side by side):\n  compare "
                                : "Try next, at the prompt:\n  compare ");
    compare_members(r, ", ", "", out);
    if (r->from_session) {
        sb_addc(out, '\n');
        return;
    }
    sb_printf(out, "\n  trace %s\nor from the shell:\n  allocscope --trace %s --compare ", name, name);
    compare_members(r, " ", "\"", out);
    sb_addc(out, '\n');
    if (r->pick == ADVISE_POOL && r->p.hot_allocs < r->p.allocs)
        sb_printf(out, "(a `new pool` takes its %zu-byte blocks only: there the other sizes fail; row %zu put a "
                       "free list behind the pools)\n",
                  r->p.hot[0].size, r->pick_row + 1);
}

void advise_text(const advise_report *r, const char *name, strbuf *out)
{
    strbuf part;
    sb_init(&part);
    sb_printf(out, "advise %s\n", name);
    if (r->damage[0])
        sb_printf(&part, "The input is damaged (%s): advised on the operations before the damage.\n", r->damage);
    text_pattern(&r->p, &part);
    add_wrapped(out, sb_str(&part));
    text_table(r, out);
    sb_clear(&part);
    sb_printf(&part, "\nThe advice: %s.\n%s", choice_words[r->pick], sb_str(&r->why));
    text_next(r, name, &part);
    add_wrapped(out, sb_str(&part));
    sb_free(&part);
}

/* ---- JSON ------------------------------------------------------------------- */

static void json_spread(strbuf *out, const char *key, advise_spread s)
{
    sb_printf(out, "\"%s\":{\"median\":%llu,\"p90\":%llu,\"max\":%llu}", key, (unsigned long long)s.median,
              (unsigned long long)s.p90, (unsigned long long)s.max);
}

static void json_pattern(const advise_pattern *p, strbuf *out)
{
    sb_printf(out, "{\"events\":%zu,\"allocs\":%zu,\"reallocs\":%zu,\"frees\":%zu,\"bytes_allocated\":%zu,"
                   "\"peak_live_bytes\":%zu,\"peak_live_blocks\":%zu,\"peak_event\":%zu,\"distinct_sizes\":%zu,",
              p->events, p->allocs, p->reallocs, p->frees, p->bytes_allocated, p->peak_live_bytes,
              p->peak_live_blocks, p->peak_event + 1, p->distinct_sizes);
    sb_add(out, "\"sizes\":[");
    for (size_t i = 0; i < p->top_count; i++)
        sb_printf(out, "%s{\"size\":%zu,\"count\":%zu}", i ? "," : "", p->top[i].size, p->top[i].count);
    sb_add(out, "],\"pow2\":{");
    for (size_t i = 0, n = 0; i < 32; i++)
        if (p->pow2[i])
            sb_printf(out, "%s\"%zu\":%zu", n++ ? "," : "", (size_t)1 << i, p->pow2[i]);
    sb_add(out, "},\"alignments\":{");
    for (size_t i = 0, n = 0; i < 13; i++)
        if (p->align[i])
            sb_printf(out, "%s\"%zu\":%zu", n++ ? "," : "", (size_t)1 << i, p->align[i]);
    sb_printf(out, "},\"align_padding\":%zu,", p->align_padding);
    json_spread(out, "lifetime_events", p->life_events);
    sb_add(out, ",");
    if (p->has_time)
        json_spread(out, "lifetime_ns", p->life_ns);
    else
        sb_add(out, "\"lifetime_ns\":null");
    sb_printf(out, ",\"never_freed\":%zu,\"lifo_frees\":%zu,\"phases\":%zu,\"phase_frees\":%zu,\"phase_ends\":[",
              p->never_freed, p->lifo_frees, p->phases, p->phase_frees);
    for (size_t i = 0; i < p->phases && i < ADVISE_MAX_PHASES; i++)
        sb_printf(out, "%s%zu", i ? "," : "", p->phase_at[i] + 1);
    sb_printf(out, "],\"bursts\":%zu,\"burst_frees\":%zu,\"burst_ends\":[", p->bursts, p->burst_frees);
    for (size_t i = 0; i < p->bursts && i < ADVISE_MAX_PHASES; i++)
        sb_printf(out, "%s%zu", i ? "," : "", p->burst_at[i] + 1);
    sb_add(out, "],\"hot\":[");
    for (size_t i = 0; i < p->hot_count; i++)
        sb_printf(out, "%s{\"size\":%zu,\"align\":%zu,\"allocs\":%zu,\"frees\":%zu,\"reused\":%zu,\"peak_live\":%zu}",
                  i ? "," : "", p->hot[i].size, p->hot[i].align, p->hot[i].allocs, p->hot[i].frees,
                  p->hot[i].reused, p->hot[i].peak_live);
    sb_add(out, "]}");
}

void advise_json(const advise_report *r, const char *name, strbuf *out)
{
    sb_add(out, "{\"advise\":");
    sb_json_string(out, name);
    if (r->damage[0]) {
        sb_add(out, ",\"damage\":");
        sb_json_string(out, r->damage);
    }
    sb_add(out, ",\"pattern\":");
    json_pattern(&r->p, out);
    sb_add(out, ",\"rows\":[");
    for (size_t i = 0; i < r->row_count; i++) {
        const advise_row *w = &r->rows[i];
        sb_printf(out, "%s{\"row\":%zu,\"kind\":", i ? "," : "", i + 1);
        sb_json_string(out, w->kind);
        sb_printf(out, ",\"ran\":%s", w->ran ? "true" : "false");
        if (!w->ran) {
            sb_add(out, ",\"why_not\":");
            sb_json_string(out, w->why_not);
            sb_addc(out, '}');
            continue;
        }
        sb_add(out, ",\"sized_as\":");
        sb_json_string(out, w->desc);
        sb_add(out, ",\"new\":");
        sb_json_string(out, w->command);
        sb_printf(out, ",\"peak_memory\":%zu,\"overhead\":%.4f,\"padding\":%zu,\"slack\":%zu,\"metadata\":%zu,"
                       "\"failures\":%zu,",
                  w->peak_memory, w->overhead, w->padding, w->slack, w->metadata, w->failures);
        if (w->fragmentation < 0)
            sb_add(out, "\"fragmentation\":null,");
        else
            sb_printf(out, "\"fragmentation\":%.4f,", w->fragmentation);
        sb_printf(out, "\"ns_per_op\":%.2f}", w->ns_per_op);
    }
    sb_add(out, "],\"advice\":{\"choice\":");
    sb_json_string(out, choice_names[r->pick]);
    sb_printf(out, ",\"row\":%zu,\"allocator\":", r->pick_row == SIZE_MAX ? 0 : r->pick_row + 1);
    sb_json_string(out, choice_words[r->pick]);
    sb_add(out, ",\"why\":");
    sb_json_string(out, sb_str(&r->why));
    strbuf members;
    sb_init(&members);
    sb_add(&members, "compare ");
    compare_members(r, ", ", "", &members);
    sb_add(out, ",\"compare\":");
    sb_json_string(out, sb_str(&members));
    sb_free(&members);
    sb_add(out, "}}\n");
}

/* ---- front ends ------------------------------------------------------------- */

int advise_main(int argc, char **argv)
{
    const char *file = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (file == NULL && argv[i][0] != '-')
            file = argv[i];
        else {
            fprintf(stderr, "allocscope: usage: allocscope advise FILE [--json] (unexpected '%s')\n", argv[i]);
            return 2;
        }
    }
    if (file == NULL) {
        fputs("allocscope: usage: allocscope advise FILE [--json] (a malloc-lab trace or a recording)\n", stderr);
        return 2;
    }
    strbuf text, err, out;
    sb_init(&text);
    sb_init(&err);
    sb_init(&out);
    int status = 1;
    advise_report *r = NULL;
    if (sb_read_file(&text, file, (size_t)512 << 20, &err))
        r = advise_trace_text(sb_str(&text), &err);
    if (r) {
        (json ? advise_json : advise_text)(r, file, &out);
        fputs(sb_str(&out), stdout);
        status = r->damage[0] ? 1 : 0; /* as a replay of a damaged recording does, with where and why */
        if (r->damage[0])
            fprintf(stderr, "allocscope: %s: %s\n", file, r->damage);
        advise_destroy(r);
    } else {
        fprintf(stderr, "allocscope: advise %s: %s\n", file, sb_str(&err));
    }
    sb_free(&text);
    sb_free(&err);
    sb_free(&out);
    return status;
}

/* `advise compare`: the advice, then the comparison group it recommends
 * opened through the `compare` command (a step of its own). */
static session_status advise_open_group(session *s, const advise_report *r, strbuf *out)
{
    strbuf line;
    sb_init(&line);
    sb_add(&line, "compare ");
    if (compare_members(r, ", ", "", &line) < 2) {
        sb_free(&line);
        sb_add(out, "error: advise compare: fewer than two allocators to compare\n");
        return SESSION_ERROR;
    }
    sb_printf(out, "> %s\n", sb_str(&line));
    session_status st = interp_execute(s, sb_str(&line), out).status;
    sb_free(&line);
    return st;
}

session_status advise_command(session *s, const parse_words *w, strbuf *out)
{
    bool json = w->count == 2 && parse_is(w->word[1], "json");
    bool open = w->count == 2 && parse_is(w->word[1], "compare");
    if (w->count > 2 || (w->count == 2 && !json && !open)) {
        sb_add(out, "error: usage: advise [json|compare] (advises on this session's allocations so far; "
                    "compare opens the comparison it recommends)\n");
        return SESSION_ERROR;
    }
    strbuf err;
    sb_init(&err);
    advise_report *r = advise_session(s, &err);
    if (r == NULL) {
        sb_printf(out, "error: advise: %s\n", sb_str(&err));
        sb_free(&err);
        return SESSION_ERROR;
    }
    (json ? advise_json : advise_text)(r, "this session", out);
    session_status st = open ? advise_open_group(s, r, out) : SESSION_OK;
    advise_destroy(r);
    sb_free(&err);
    return st;
}
