/*
 * record.c - `allocscope record`: runs a program with the interposer
 * preloaded, converts the raw event streams it leaves into recordings,
 * and reads recordings back as scripts (see record.h; the format is
 * documented in README.md, "Watch your own program").
 *
 * A recording is text: a malloc-lab trace whose operation lines carry
 * extra fields after the ones malloc-lab defines, and whose trailer (after
 * the announced number of operations, where malloc-lab readers stop) holds
 * the calls that changed no block, the threads and the callers' symbols.
 *
 * The recorder's raw stream holds each thread's calls in chunks, every
 * call with its place in the order of all (record.h): the conversion
 * merges the threads' chunks by those places (raw_merge), a realloc at
 * two of them (its free before the real call, its block after; written
 * early if another thread gets bytes of its old block back in between).
 */
#include "allocscope/record.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "allocscope/parse.h"

/* ---- kinds ---------------------------------------------------------- */

/* The letter of each kind in a recording. */
static const char kind_code[RK_COUNT] = {
    [RK_MALLOC] = 'm',        [RK_CALLOC] = 'c',    [RK_REALLOC] = 'r', [RK_REALLOCARRAY] = 'R',
    [RK_POSIX_MEMALIGN] = 'p', [RK_ALIGNED_ALLOC] = 'A', [RK_MEMALIGN] = 'M', [RK_VALLOC] = 'v',
    [RK_PVALLOC] = 'P',       [RK_FREE] = 'f',      [RK_FREE_SIZED] = 's', [RK_FREE_ALIGNED_SIZED] = 'S',
};

static bool kind_allocates(unsigned k)
{
    return k == RK_MALLOC || k == RK_CALLOC || k == RK_POSIX_MEMALIGN || k == RK_ALIGNED_ALLOC ||
           k == RK_MEMALIGN || k == RK_VALLOC || k == RK_PVALLOC;
}


static bool kind_aligned(unsigned k)
{
    return k == RK_POSIX_MEMALIGN || k == RK_ALIGNED_ALLOC || k == RK_MEMALIGN;
}

/* The kind token: the letter, then the alignment asked for (p, A, M), the
 * size given (s) or ALIGN/SIZE (S). */
static void kind_token(const record_raw_event *e, char *tok, size_t cap)
{
    char c = kind_code[e->kind];
    if (e->kind == RK_MALLOC || e->kind == RK_FREE || e->kind == RK_CALLOC || e->kind == RK_REALLOC)
        tok[0] = c, tok[1] = '\0';
    else if (kind_aligned(e->kind))
        snprintf(tok, cap, "%c%" PRIu64, c, e->arg);
    else if (e->kind == RK_FREE_SIZED)
        snprintf(tok, cap, "%c%" PRIu64, c, e->size);
    else if (e->kind == RK_FREE_ALIGNED_SIZED)
        snprintf(tok, cap, "%c%" PRIu64 "/%" PRIu64, c, e->arg, e->size);
    else
        snprintf(tok, cap, "%c", c);
}

/* ---- a map of 64-bit keys (addresses) to 32-bit values ---------------- */

typedef struct u64map {
    uint64_t *keys;   /* 0 marks an empty slot: no key is 0 */
    uint32_t *vals;
    size_t cap, used;
} u64map;

static size_t map_slot(const u64map *m, uint64_t k)
{
    size_t i = (size_t)((k * 0x9E3779B97F4A7C15u) >> 20) & (m->cap - 1);
    while (m->keys[i] != 0 && m->keys[i] != k)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static bool map_grow(u64map *m)
{
    u64map n = {NULL, NULL, m->cap ? m->cap * 2 : 1024, 0};
    n.keys = calloc(n.cap, sizeof *n.keys);
    n.vals = calloc(n.cap, sizeof *n.vals);
    if (n.keys == NULL || n.vals == NULL) {
        free(n.keys);
        free(n.vals);
        return false;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = map_slot(&n, m->keys[i]);
            n.keys[j] = m->keys[i], n.vals[j] = m->vals[i], n.used++;
        }
    free(m->keys);
    free(m->vals);
    *m = n;
    return true;
}

/* True with *v iff k is in the map. */
static bool map_get(const u64map *m, uint64_t k, uint32_t *v)
{
    if (m->cap == 0)
        return false;
    size_t i = map_slot(m, k);
    if (m->keys[i] == 0)
        return false;
    *v = m->vals[i];
    return true;
}

static bool map_put(u64map *m, uint64_t k, uint32_t v)
{
    if ((m->used + 1) * 2 > m->cap && !map_grow(m))
        return false;
    size_t i = map_slot(m, k);
    m->used += m->keys[i] == 0;
    m->keys[i] = k, m->vals[i] = v;
    return true;
}

/* Removes k (linear probing: the run after it moves back). */
static void map_del(u64map *m, uint64_t k)
{
    if (m->cap == 0)
        return;
    size_t i = map_slot(m, k);
    if (m->keys[i] == 0)
        return;
    m->keys[i] = 0;
    m->used--;
    for (size_t j = (i + 1) & (m->cap - 1); m->keys[j] != 0; j = (j + 1) & (m->cap - 1)) {
        uint64_t key = m->keys[j];
        uint32_t val = m->vals[j];
        m->keys[j] = 0;
        size_t to = map_slot(m, key);
        m->keys[to] = key, m->vals[to] = val;
    }
}

static void map_free(u64map *m)
{
    free(m->keys);
    free(m->vals);
    *m = (u64map){0};
}

/* ---- raw stream -> recording ---------------------------------------- */

typedef struct conv {
    FILE *body;
    strbuf trailer;
    u64map live;            /* address -> id */
    u64map detached;        /* a realloc's ticket -> the id of its old block, between its two places */
    struct pending_realloc {
        record_raw_event ev;   /* raw */
        uint64_t lo, hi;       /* the old block's bytes in glibc's view: its size word to its slack's end */
        bool used;
    } *pend;                   /* such reallocs, a few at most (one per thread) */
    size_t npend, pend_cap, pend_used;
    uint32_t *slack_of;     /* per id: glibc's slack past its size */
    size_t slack_cap;
    u64map early;           /* the tickets of reallocs converted before their own place */
    u64map caller_index;    /* return address -> index + 1 */
    uint64_t *caller_addr;
    size_t ncallers, caller_cap;
    uint32_t *free_ids;
    size_t nfree, free_cap;
    uint32_t next_id;
    uint64_t *size_of;      /* per id */
    size_t size_cap;
    uint32_t tids[4096];
    size_t nthreads;
    uint64_t start_ns, prev_ns;
    uint64_t start_ticks;
    double ns_per_tick;
    size_t ops, live_bytes, peak_bytes, live_blocks, peak_blocks;
    size_t extra;           /* x and u lines */
    bool oom;
    record_summary *sum;
} conv;

static uint32_t thread_index(conv *c, uint32_t tid)
{
    for (size_t i = c->nthreads; i-- > 0;)
        if (c->tids[i] == tid)
            return (uint32_t)i;
    if (c->nthreads == sizeof c->tids / sizeof c->tids[0])
        return (uint32_t)c->nthreads - 1; /* more threads than that share the last index */
    c->tids[c->nthreads] = tid;
    return (uint32_t)c->nthreads++;
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 1024;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (q == NULL)
        return false;
    *p = q, *cap = n;
    return true;
}

static void set_slack(conv *c, uint32_t id, uint32_t slack);

static uint32_t new_id(conv *c, uint64_t addr, uint64_t size)
{
    uint32_t id = c->nfree ? c->free_ids[--c->nfree] : c->next_id++;
    if (!grow((void **)&c->size_of, &c->size_cap, (size_t)id + 1, sizeof *c->size_of) || !map_put(&c->live, addr, id))
        c->oom = true;
    else
        c->size_of[id] = size;
    c->live_bytes += size;
    c->live_blocks++;
    if (c->live_bytes > c->peak_bytes)
        c->peak_bytes = c->live_bytes;
    if (c->live_blocks > c->peak_blocks)
        c->peak_blocks = c->live_blocks;
    return id;
}

/* addr: where the block was (0: already out of the map of addresses) */
static void release_id(conv *c, uint64_t addr, uint32_t id)
{
    if (addr)
        map_del(&c->live, addr);
    c->live_bytes -= c->size_of[id];
    c->live_blocks--;
    if (!grow((void **)&c->free_ids, &c->free_cap, c->nfree + 1, sizeof *c->free_ids))
        c->oom = true;
    else
        c->free_ids[c->nfree++] = id;
}

/* " @N" for the caller (N indexes the trailer's s lines), or nothing. */
static void caller_field(conv *c, uint64_t caller, char *out, size_t cap)
{
    out[0] = '\0';
    if (caller == 0)
        return;
    uint32_t idx;
    if (!map_get(&c->caller_index, caller, &idx)) {
        if (!grow((void **)&c->caller_addr, &c->caller_cap, c->ncallers + 1, sizeof *c->caller_addr) ||
            !map_put(&c->caller_index, caller, (uint32_t)c->ncallers + 1)) {
            c->oom = true;
            return;
        }
        c->caller_addr[c->ncallers++] = caller;
        idx = (uint32_t)c->ncallers;
    }
    snprintf(out, cap, " @%" PRIu32, idx - 1);
}

/* The body's time field: nanoseconds since the previous operation. */
static uint64_t delta(conv *c, uint64_t ns)
{
    uint64_t d = ns >= c->prev_ns ? ns - c->prev_ns : 0;
    c->prev_ns = ns > c->prev_ns ? ns : c->prev_ns;
    return d;
}

/* Appends " " and v in decimal (or hex) at p; the new end. (fprintf
 * was most of the conversion's time.) */
static char *put_num(char *p, uint64_t v, bool hex)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[hex ? v % 16 : v % 10];
        v = hex ? v / 16 : v / 10;
    } while (v);
    *p++ = ' ';
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

/* a|r ID SIZE KIND ADDR THREAD DT gSLACK[m|n] [@C] */
static void body_alloc(conv *c, const record_raw_event *e, char op, uint32_t id, uint64_t size, const char *tok,
                       uint32_t t)
{
    char at[32], line[256], *p = line;
    caller_field(c, e->caller, at, sizeof at);
    *p++ = op;
    p = put_num(p, id, false);
    p = put_num(p, size, false);
    *p++ = ' ';
    p = put_str(p, tok);
    p = put_num(p, e->ptr, true);
    p = put_num(p, t, false);
    p = put_num(p, delta(c, e->ns), false);
    *p++ = ' ';
    char *slack = put_num(p, e->slack, false); /* " N" */
    *p = 'g'; /* glibc's view of the block: its slack, mmapped or in another arena */
    p = slack;
    if (e->chunk & RECORD_CHUNK_MMAPPED)
        *p++ = 'm';
    else if (e->chunk & RECORD_CHUNK_NON_MAIN)
        *p++ = 'n';
    p = put_str(p, at);
    *p++ = '\n';
    fwrite(line, 1, (size_t)(p - line), c->body);
    c->ops++;
}

/* f ID KIND THREAD DT [@C] */
static void body_free(conv *c, const record_raw_event *e, uint32_t id, const char *tok, uint32_t t)
{
    char at[32], line[160], *p = line;
    caller_field(c, e->caller, at, sizeof at);
    *p++ = 'f';
    p = put_num(p, id, false);
    *p++ = ' ';
    p = put_str(p, tok);
    p = put_num(p, t, false);
    p = put_num(p, delta(c, e->ns), false);
    p = put_str(p, at);
    *p++ = '\n';
    fwrite(line, 1, (size_t)(p - line), c->body);
    c->ops++;
    c->sum->frees++;
}

/* A call that changed no block: x BEFORE KIND SIZE THREAD NS ERRNO [@CALLER]. */
static void trailer_nothing(conv *c, const record_raw_event *e, const char *tok, uint32_t t)
{
    char size[48];
    if (e->kind == RK_CALLOC || e->kind == RK_REALLOCARRAY)
        snprintf(size, sizeof size, "%" PRIu64 "*%" PRIu64, e->arg, e->size);
    else
        snprintf(size, sizeof size, "%" PRIu64, e->size);
    char at[32];
    caller_field(c, e->caller, at, sizeof at);
    c->extra++;
    sb_printf(&c->trailer, "x %zu %s %s %" PRIu32 " %" PRIu64 " %u%s\n", c->ops, tok, size, t,
              e->ns - (e->ns >= c->start_ns ? c->start_ns : e->ns), (unsigned)e->err, at);
    if (record_kind_frees(e->kind))
        c->sum->nulls++;
    else
        c->sum->failed++;
}

/* A call on an address the recording never saw allocated (allocated
 * before the recorder was loaded, or by another allocator): u BEFORE KIND
 * ADDR THREAD NS. */
static void trailer_unknown(conv *c, const record_raw_event *e, uint64_t addr, const char *tok, uint32_t t)
{
    c->extra++;
    sb_printf(&c->trailer, "u %zu %s %" PRIx64 " %" PRIu32 " %" PRIu64 "\n", c->ops, tok, addr, t,
              e->ns - (e->ns >= c->start_ns ? c->start_ns : e->ns));
    c->sum->unknown++;
}

static void convert_alloc(conv *c, const record_raw_event *e, const char *tok, uint32_t t, uint64_t size)
{
    uint32_t id;
    if (map_get(&c->live, e->ptr, &id)) { /* a free we never saw: close that block first */
        trailer_unknown(c, e, e->ptr, "f", t);
        body_free(c, e, id, "f", t);
        c->sum->frees--;
        release_id(c, e->ptr, id);
    }
    id = new_id(c, e->ptr, size);
    set_slack(c, id, e->slack);
    body_alloc(c, e, 'a', id, size, tok, t);
    c->sum->allocs++;
}

/* A realloc's first place in the order (before its real call): its old
 * block leaves the map of addresses, so another thread that gets that
 * address back before the realloc returns gets a new id; the id waits in
 * detached for the realloc's own place. */
static void realloc_begin(conv *c, const record_raw_event *e)
{
    uint32_t id;
    if (e->old == 0 || !map_get(&c->live, e->old, &id))
        return;
    map_del(&c->live, e->old);
    if (!map_put(&c->detached, e->ticket, id))
        c->oom = true;
    /* kept, so that it can be converted early (convert_one) */
    size_t slot = 0;
    while (slot < c->npend && c->pend[slot].used)
        slot++;
    if (slot == c->npend && !grow((void **)&c->pend, &c->pend_cap, c->npend + 1, sizeof *c->pend)) {
        c->oom = true;
        return;
    }
    c->npend += slot == c->npend;
    uint32_t slack = id < c->slack_cap ? c->slack_of[id] : 0;
    c->pend[slot] = (struct pending_realloc){*e, e->old - 8, e->old + c->size_of[id] + slack, true};
    c->pend_used++;
}

/* Takes a pending realloc out: the one with that ticket (at a realloc's
 * own place), or else (ticket 0) one whose old block's bytes [lo, hi) overlap;
 * false if there is none. */
static bool take_pending(conv *c, uint64_t ticket, uint64_t lo, uint64_t hi, record_raw_event *r)
{
    for (size_t i = 0; c->pend_used && i < c->npend; i++) {
        struct pending_realloc *q = &c->pend[i];
        if (q->used && (ticket ? q->ev.ticket == ticket : q->lo < hi && lo < q->hi)) {
            *r = q->ev;
            q->used = false;
            c->pend_used--;
            return true;
        }
    }
    return false;
}

/* Glibc's slack past an id's size, for the bytes a pending realloc's old
 * block covers. */
static void set_slack(conv *c, uint32_t id, uint32_t slack)
{
    if (!grow((void **)&c->slack_of, &c->slack_cap, (size_t)id + 1, sizeof *c->slack_of))
        c->oom = true;
    else
        c->slack_of[id] = slack;
}

/* A realloc's own place (after its real call): the block it kept, moved,
 * freed or failed to change. */
static void convert_realloc(conv *c, const record_raw_event *e, const char *tok, uint32_t t)
{
    uint64_t size = e->size;
    if (e->kind == RK_REALLOCARRAY && __builtin_mul_overflow(e->size, e->arg, &size))
        size = UINT64_MAX;
    uint32_t id;
    bool known = e->old != 0 && map_get(&c->detached, e->ticket, &id);
    record_raw_event gone;
    if (known) {
        map_del(&c->detached, e->ticket);
        take_pending(c, e->ticket, 0, 0, &gone);
    }
    if (e->old != 0 && !known)
        trailer_unknown(c, e, e->old, tok, t);
    if (!known) {
        if (e->ptr)
            convert_alloc(c, e, tok, t, size);
        else if (e->old == 0)
            trailer_nothing(c, e, tok, t);
        return;
    }
    if (e->ptr == 0 && size == 0) { /* glibc's realloc(p, 0) frees p */
        body_free(c, e, id, tok, t);
        release_id(c, 0, id);
    } else if (e->ptr == 0) { /* failed: the old block stays (nobody could have got its address) */
        if (!map_put(&c->live, e->old, id))
            c->oom = true;
        trailer_nothing(c, e, tok, t);
    } else {
        if (!map_put(&c->live, e->ptr, id))
            c->oom = true;
        c->live_bytes = c->live_bytes - c->size_of[id] + size;
        c->size_of[id] = size;
        set_slack(c, id, e->slack);
        if (c->live_bytes > c->peak_bytes)
            c->peak_bytes = c->live_bytes;
        body_alloc(c, e, 'r', id, size, tok, t);
        c->sum->reallocs++;
    }
}

/* The event with its tick count turned into nanoseconds since boot. */
static record_raw_event in_ns(const conv *c, const record_raw_event *e)
{
    record_raw_event r = *e;
    uint64_t t = e->ns >= c->start_ticks ? e->ns - c->start_ticks : 0;
    double d = (double)t * c->ns_per_tick; /* (a damaged stream's ticks may be anything: at most 31 years) */
    r.ns = c->start_ns + (d < 1e18 ? (uint64_t)d : (uint64_t)1e18);
    return r;
}

static void convert_one(conv *c, const record_raw_event *e);

/* Converts one event (raw: its time in ticks). An event that hands out
 * bytes of the old block of a realloc still between its two places
 * (glibc's realloc freed it inside, after it had got the new block)
 * converts that realloc first, at this time: in the recording those
 * bytes are then free again before they are handed out, as they were in
 * glibc; the realloc's own place then changes nothing. */
static void convert_event(conv *c, const record_raw_event *raw)
{
    record_raw_event ev = in_ns(c, raw);
    if (record_kind_reallocs(ev.kind) && map_get(&c->early, ev.ticket, &(uint32_t){0})) {
        map_del(&c->early, ev.ticket);
        return;
    }
    convert_one(c, &ev);
}

static void convert_one(conv *c, const record_raw_event *e)
{
    record_raw_event r;
    /* the bytes it hands out in glibc's view: its size word to the end of its slack */
    uint64_t bytes = e->size;
    if ((e->kind == RK_CALLOC || e->kind == RK_REALLOCARRAY) && __builtin_mul_overflow(e->size, e->arg, &bytes))
        bytes = 0;
    uint64_t lo = e->ptr - 8, hi = e->ptr + bytes + e->slack;
    struct pending_realloc *mine = NULL; /* a realloc's own: out of the search below, for now */
    for (size_t i = 0; record_kind_reallocs(e->kind) && c->pend_used && i < c->npend; i++)
        if (c->pend[i].used && c->pend[i].ev.ticket == e->ticket)
            mine = &c->pend[i], mine->used = false, c->pend_used--;
    while (e->ptr && c->pend_used && (kind_allocates(e->kind) || record_kind_reallocs(e->kind)) &&
           take_pending(c, 0, lo, hi, &r)) {
        record_raw_event now = in_ns(c, &r);
        now.ns = e->ns;
        if (!map_put(&c->early, r.ticket, 1))
            c->oom = true;
        convert_one(c, &now);
    }
    if (mine)
        mine->used = true, c->pend_used++;
    char tok[64];
    kind_token(e, tok, sizeof tok);
    uint32_t t = thread_index(c, e->tid);
    c->sum->events++;
    if (kind_allocates(e->kind)) {
        uint64_t size = e->size;
        if (e->kind == RK_CALLOC && __builtin_mul_overflow(e->size, e->arg, &size))
            size = UINT64_MAX;
        if (e->ptr == 0)
            trailer_nothing(c, e, tok, t);
        else
            convert_alloc(c, e, tok, t, size);
    } else if (e->kind == RK_REALLOC || e->kind == RK_REALLOCARRAY) {
        convert_realloc(c, e, tok, t);
    } else {
        uint32_t id;
        if (e->ptr == 0)
            trailer_nothing(c, e, tok, t);
        else if (!map_get(&c->live, e->ptr, &id))
            trailer_unknown(c, e, e->ptr, tok, t);
        else {
            body_free(c, e, id, tok, t);
            release_id(c, e->ptr, id);
        }
    }
}

/* The symbol of a caller from the interposer's .sym file, or "?". */
static void trailer_symbols(conv *c, const char *sym_path)
{
    strbuf syms, err;
    sb_init(&syms);
    sb_init(&err);
    bool have = sym_path && sb_read_file(&syms, sym_path, (size_t)256 << 20, &err);
    u64map where = {0};
    if (have)
        for (const char *p = sb_str(&syms); *p;) {
            uint64_t a = strtoull(p, NULL, 16);
            if (a)
                map_put(&where, a, (uint32_t)(p - sb_str(&syms)));
            p += strcspn(p, "\n");
            p += *p == '\n';
        }
    for (size_t i = 0; i < c->ncallers; i++) {
        uint32_t off;
        const char *name = "?";
        int len = 1;
        if (map_get(&where, c->caller_addr[i], &off)) {
            const char *line = sb_str(&syms) + off;
            const char *sp = strchr(line, ' ');
            if (sp && sp < line + strcspn(line, "\n"))
                name = sp + 1, len = (int)strcspn(sp + 1, "\n");
        }
        sb_printf(&c->trailer, "s %zu %" PRIx64 " %.*s\n", i, c->caller_addr[i], len, name);
    }
    map_free(&where);
    sb_free(&syms);
    sb_free(&err);
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n && p < SIZE_MAX / 2)
        p *= 2;
    return p;
}

static bool copy_stream(FILE *from, FILE *to)
{
    char b[65536];
    size_t n;
    rewind(from);
    while ((n = fread(b, 1, sizeof b, from)) > 0)
        if (fwrite(b, 1, n, to) != n)
            return false;
    return !ferror(from);
}

static void conv_free(conv *c)
{
    if (c->body)
        fclose(c->body);
    sb_free(&c->trailer);
    map_free(&c->live);
    map_free(&c->detached);
    map_free(&c->early);
    free(c->pend);
    free(c->slack_of);
    map_free(&c->caller_index);
    free(c->caller_addr);
    free(c->free_ids);
    free(c->size_of);
}

static bool write_recording(conv *c, const record_raw_header *h, const char *out_path, strbuf *err)
{
    FILE *out = fopen(out_path, "w");
    if (out == NULL) {
        sb_printf(err, "cannot write %s: %s", out_path, strerror(errno));
        return false;
    }
    size_t heap = pow2_at_least(2 * (c->peak_bytes + 32 * c->peak_blocks));
    heap = heap < ((size_t)1 << 20) ? (size_t)1 << 20 : heap > ((size_t)1 << 30) ? (size_t)1 << 30 : heap;
    fprintf(out, "%zu %s %d\n%" PRIu32 "\n%zu\n1 events=%zu threads=%zu pid=%" PRIu32 " ppid=%" PRIu32
                 " image=%" PRIu32 " stacks=%" PRIu32 " heap=%" PRIx64 "\n",
            heap, RECORD_MAGIC, RECORD_FORMAT_VERSION, c->next_id ? c->next_id : 1, c->ops, c->sum->events,
            c->nthreads, h->pid, h->ppid, h->generation, h->stacks, h->heap_start);
    bool ok = copy_stream(c->body, out);
    for (size_t i = 0; i < c->nthreads; i++)
        fprintf(out, "t %zu %" PRIu32 "\n", i, c->tids[i]);
    fputs(sb_str(&c->trailer), out);
    fprintf(out, "end %zu\n", c->ops + c->extra); /* what the reader counts: an event may make two lines */
    long size = ftell(out);
    ok = fclose(out) == 0 && ok && size > 0;
    if (!ok)
        sb_printf(err, "cannot write %s", out_path);
    c->sum->bytes = size > 0 ? (size_t)size : 0;
    return ok;
}

/* ---- the raw file's chunks, merged into the order of the calls ------ */

/* Where a chunk is in the raw file. */
typedef struct chunk_ref {
    uint64_t off;            /* of its events */
    uint32_t bytes, tid, stream;
} chunk_ref;

static int chunk_cmp(const void *a, const void *b)
{
    const chunk_ref *x = a, *y = b;
    if (x->stream != y->stream)
        return x->stream < y->stream ? -1 : 1;
    return (x->off > y->off) - (x->off < y->off);
}

#define WINDOW_MAX ((size_t)16 << 10)

/* One stream's events as they are read: its chunks [next, end) of the
 * sorted list still to come, a window of the current one. */
typedef struct stream_cur {
    size_t next, end;
    unsigned char *win;
    size_t cap, len, at;
    uint64_t pos, left;      /* the current chunk's bytes not yet in the window, from pos */
    record_raw_state st;     /* the packing's memory of the current chunk */
    uint32_t tid;
    record_raw_event ev;     /* the next event */
    bool begun;              /* a realloc whose first place was taken: its own place is next */
} stream_cur;

typedef struct raw_merge {
    int fd;
    chunk_ref *chunks;
    size_t nchunks;
    stream_cur *cur;
    size_t ncur;
    size_t *heap;            /* indexes into cur, the smallest key first */
    size_t nheap;
    uint64_t tickets;        /* reallocs begun so far */
    uint64_t last_ticks, last_ns; /* the last flush's clock */
    bool oom;
} raw_merge;

/* The first pass: every chunk's place and the last clock. A chunk that
 * the file ends inside (the process was killed as it wrote) keeps what
 * is there; anything that is no chunk ends the file there. */
static bool scan_chunks(raw_merge *m, FILE *f, uint64_t start)
{
    size_t cap = 0;
    uint64_t at = start;
    record_raw_chunk h;
    if (fseek(f, (long)start, SEEK_SET) != 0)
        return true;
    while (fread(&h, sizeof h, 1, f) == 1 && h.magic == RECORD_CHUNK_MAGIC) {
        at += sizeof h;
        if (!grow((void **)&m->chunks, &cap, m->nchunks + 1, sizeof *m->chunks))
            return false;
        m->chunks[m->nchunks++] = (chunk_ref){at, h.bytes, h.tid, h.stream};
        if (h.ticks >= m->last_ticks)
            m->last_ticks = h.ticks, m->last_ns = h.ns;
        at += h.bytes;
        if (fseek(f, (long)at, SEEK_SET) != 0)
            break;
    }
    return true;
}

/* The next event of stream s into its ev; false at its end (an event the
 * file ends inside is dropped). */
static bool cur_next(raw_merge *m, stream_cur *s)
{
    for (;;) {
        size_t n = s->len > s->at ? record_raw_unpack(s->win + s->at, s->len - s->at, &s->st, &s->ev) : 0;
        if (n) {
            s->at += n;
            s->ev.tid = s->tid;
            s->begun = false;
            return true;
        }
        if (s->left == 0) { /* the chunk is done: the next one of the stream */
            if (s->next == s->end)
                return false;
            const chunk_ref *c = &m->chunks[s->next++];
            s->pos = c->off, s->left = c->bytes, s->tid = c->tid;
            record_raw_begin(&s->st);
            s->len = s->at = 0;
            continue; /* (an empty chunk: the next) */
        }
        size_t keep = s->len - s->at;
        size_t want = keep + (s->left < WINDOW_MAX ? (size_t)s->left : WINDOW_MAX);
        if (want > s->cap) {
            unsigned char *w = realloc(s->win, want);
            if (w == NULL) {
                m->oom = true;
                return false;
            }
            s->win = w, s->cap = want;
        }
        memmove(s->win, s->win + s->at, keep);
        ssize_t got = pread(m->fd, s->win + keep, want - keep, (off_t)s->pos);
        if (got <= 0) { /* the file is shorter than the chunk says */
            s->left = 0, s->len = keep, s->at = 0;
            s->next = s->end;
            return false;
        }
        s->pos += (uint64_t)got, s->left -= (uint64_t)got;
        s->len = keep + (size_t)got, s->at = 0;
    }
}

/* A stream's place in the merge: its next event's, or for a realloc not
 * yet begun the place of the free it makes. */
static uint64_t cur_key(const stream_cur *s)
{
    return record_kind_reallocs(s->ev.kind) && !s->begun ? s->ev.before : s->ev.seq;
}

static bool heap_less(const raw_merge *m, size_t a, size_t b)
{
    uint64_t x = cur_key(&m->cur[a]), y = cur_key(&m->cur[b]);
    return x != y ? x < y : a < b;
}

static void heap_down(raw_merge *m, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, min = i;
        if (l < m->nheap && heap_less(m, m->heap[l], m->heap[min]))
            min = l;
        if (r < m->nheap && heap_less(m, m->heap[r], m->heap[min]))
            min = r;
        if (min == i)
            return;
        size_t t = m->heap[i];
        m->heap[i] = m->heap[min], m->heap[min] = t;
        i = min;
    }
}

/* Opens the merge of the raw file f (its header read: the chunks start
 * at start); false for want of memory. */
static bool merge_open(raw_merge *m, FILE *f, uint64_t start)
{
    memset(m, 0, sizeof *m);
    m->fd = fileno(f);
    if (!scan_chunks(m, f, start))
        return false;
    if (m->nchunks)
        qsort(m->chunks, m->nchunks, sizeof *m->chunks, chunk_cmp);
    size_t cap = 0;
    for (size_t i = 0; i < m->nchunks;) {
        size_t j = i;
        while (j < m->nchunks && m->chunks[j].stream == m->chunks[i].stream)
            j++;
        if (!grow((void **)&m->cur, &cap, m->ncur + 1, sizeof *m->cur))
            return false;
        m->cur[m->ncur++] = (stream_cur){.next = i, .end = j};
        i = j;
    }
    m->heap = malloc((m->ncur ? m->ncur : 1) * sizeof *m->heap);
    if (m->heap == NULL)
        return false;
    for (size_t i = 0; i < m->ncur; i++)
        if (cur_next(m, &m->cur[i]))
            m->heap[m->nheap++] = i;
        else
            free(m->cur[i].win), m->cur[i].win = NULL;
    for (size_t i = m->nheap / 2; i-- > 0;)
        heap_down(m, i);
    return !m->oom;
}

/* The next event in the order of the calls, false at the end; *begin:
 * it is the first place of a realloc (realloc_begin), whose own place
 * comes again later. */
static bool merge_next(raw_merge *m, record_raw_event *e, bool *begin)
{
    if (m->nheap == 0)
        return false;
    stream_cur *s = &m->cur[m->heap[0]];
    *begin = record_kind_reallocs(s->ev.kind) && !s->begun;
    if (*begin)
        s->begun = true, s->ev.ticket = ++m->tickets;
    *e = s->ev;
    if (!*begin && !cur_next(m, s)) {
        free(s->win), s->win = NULL;
        m->heap[0] = m->heap[--m->nheap];
    }
    if (m->nheap)
        heap_down(m, 0);
    return true;
}

static void merge_close(raw_merge *m)
{
    for (size_t i = 0; i < m->ncur; i++)
        free(m->cur[i].win);
    free(m->cur);
    free(m->chunks);
    free(m->heap);
}

/* The events since the last sampled one, waiting for the next to give
 * them a time, and the first places of reallocs among them (begin). */
#define PENDING_MAX 4096
typedef struct pending {
    record_raw_event ev[PENDING_MAX];
    bool begin[PENDING_MAX];
    size_t n, calls;
} pending;

/* Converts the pending events, their ticks spread evenly between from
 * (the last sampled event's) and to (the next one's). */
static void settle(conv *c, pending *p, uint64_t from, uint64_t to)
{
    if (to < from)
        to = from;
    for (size_t i = 0, k = 0; i < p->n; i++) {
        if (p->begin[i]) {
            realloc_begin(c, &p->ev[i]);
            continue;
        }
        k++;
        p->ev[i].ns = from + (uint64_t)((double)(to - from) * (double)k / (double)(p->calls + 1));
        convert_event(c, &p->ev[i]);
    }
    p->n = p->calls = 0;
}

bool record_convert(const char *raw_path, const char *sym_path, const char *out_path, record_summary *sum,
                    strbuf *err)
{
    memset(sum, 0, sizeof *sum);
    FILE *raw = fopen(raw_path, "rb");
    if (raw == NULL) {
        sb_printf(err, "cannot open %s: %s", raw_path, strerror(errno));
        return false;
    }
    record_raw_header h;
    if (fread(&h, sizeof h, 1, raw) != 1 || memcmp(h.magic, RECORD_RAW_MAGIC, sizeof h.magic) != 0) {
        sb_printf(err, "%s is not a raw stream of the recorder", raw_path);
        fclose(raw);
        return false;
    }
    conv c = {0};
    c.sum = sum;
    c.start_ns = c.prev_ns = h.start_ns;
    c.start_ticks = h.start_ticks;
    raw_merge m;
    bool ok = merge_open(&m, raw, sizeof h);
    m.oom |= !ok;
    c.ns_per_tick = m.last_ticks > h.start_ticks && m.last_ns > h.start_ns
                        ? (double)(m.last_ns - h.start_ns) / (double)(m.last_ticks - h.start_ticks)
                        : 1.0;
    sb_init(&c.trailer);
    c.body = ok ? tmpfile() : NULL;
    ok = ok && c.body != NULL;
    record_raw_event ev;
    bool begin;
    pending *pend = calloc(1, sizeof *pend);
    ok = ok && pend != NULL;
    uint64_t last = h.start_ticks;
    while (ok && merge_next(&m, &ev, &begin)) {
        if (ev.kind == 0 || ev.kind >= RK_COUNT) {
            sb_printf(err, "%s: event %zu has an unknown kind %u", raw_path, sum->events + pend->calls, ev.kind);
            ok = false;
            break;
        }
        uint64_t bytes = ev.size;
        if ((ev.kind == RK_CALLOC || ev.kind == RK_REALLOCARRAY) && __builtin_mul_overflow(ev.size, ev.arg, &bytes))
            bytes = UINT64_MAX;
        if (ev.ptr && !record_kind_frees(ev.kind) && bytes > ((uint64_t)1 << 40)) { /* no malloc gives that: damage */
            sb_printf(err, "%s: event %zu gives a block of %" PRIu64 " bytes (more than 1 TiB: the raw stream is damaged)",
                      raw_path, sum->events + pend->calls, bytes);
            ok = false;
            break;
        }
        if (pend->n == PENDING_MAX)
            settle(&c, pend, last, last);
        if (begin || ev.ns == 0) { /* not sampled: its time comes from the next sampled event */
            pend->begin[pend->n] = begin;
            pend->ev[pend->n++] = ev;
            pend->calls += !begin;
        } else {
            settle(&c, pend, last, ev.ns);
            last = ev.ns > last ? ev.ns : last;
            convert_event(&c, &ev);
        }
        ok = ok && !c.oom && !m.oom;
    }
    if (pend)
        settle(&c, pend, last, last); /* the file ends (a killed process): the last time known */
    free(pend);
    bool merge_oom = m.oom;
    merge_close(&m);
    fclose(raw);
    if ((c.oom || merge_oom || c.body == NULL) && !sb_str(err)[0])
        sb_printf(err, c.oom || merge_oom ? "out of memory converting %s" : "cannot make a temporary file for %s",
                  raw_path);
    sum->threads = c.nthreads;
    sum->peak_live = c.peak_bytes;
    if (ok) {
        trailer_symbols(&c, sym_path);
        ok = write_recording(&c, &h, out_path, err);
    }
    conv_free(&c);
    return ok;
}

/* ---- recording -> script --------------------------------------------- */

typedef struct rreader {
    const char *text, *p;
    size_t line_off;        /* byte offset of the current line */
    char buf[512];
    bool partial;           /* the line has no newline: the text ends inside it */
    parse_words w;
} rreader;

/* The next line split into words; false at the end of the text. A line
 * without its newline (a truncated file) or too long is one word "\x01". */
static bool rnext(rreader *r)
{
    if (*r->p == '\0')
        return false;
    size_t n = strcspn(r->p, "\n");
    r->line_off = (size_t)(r->p - r->text);
    bool whole = r->p[n] == '\n' && n < sizeof r->buf;
    r->partial = r->p[n] != '\n';
    if (whole) {
        memcpy(r->buf, r->p, n);
        r->buf[n] = '\0';
    } else
        strcpy(r->buf, "\x01");
    r->p += n + (r->p[n] == '\n');
    if (parse_split(r->buf, &r->w) != NULL)
        r->w.count = 0;
    return true;
}

static bool rword_uint(const rreader *r, size_t i, size_t *v)
{
    return i < r->w.count && parse_uint(r->w.word[i], v) == NULL;
}

static bool word_hex(const char *s)
{
    return s[0] != '\0' && strspn(s, "0123456789abcdef") == strlen(s) && strlen(s) <= 16;
}

bool record_is_recording(const char *text)
{
    size_t n = strcspn(text, "\n");
    const char *m = strstr(text, " " RECORD_MAGIC " ");
    return m != NULL && m < text + n;
}

/* The alignment glibc gives memalign(v, n): at least 16, a power of two
 * (it rounds v up; memalign(0, n) is malloc(n)); more than 4096 is 4096,
 * the session's largest. */
static size_t glibc_align(size_t v)
{
    size_t a = 16;
    while (a < v && a < 4096)
        a *= 2;
    return a;
}

/* The alignment a kind token asks for (0 for a bad token); allocs: true
 * for kinds of an 'a' line, false for those of an 'f' line. */
static size_t token_align(const char *tok, char op)
{
    const char *alloc_kinds = op == 'a' ? "mcpAMvPrR" : op == 'r' ? "rR" : "fsSrR?";
    if (tok[0] == '\0' || strchr(alloc_kinds, tok[0]) == NULL)
        return 0;
    size_t a = 16; /* glibc's malloc alignment on x86-64 */
    if (strchr("pAM", tok[0]) && op == 'a') {
        size_t v;
        if (parse_uint(tok + 1, &v))
            return 0;
        a = glibc_align(v);
    } else if (tok[0] == 'v' || tok[0] == 'P')
        a = 4096;
    else if (tok[0] == 's' || tok[0] == 'S')
        return 1; /* sizes follow, not checked */
    else if (tok[1] != '\0')
        return 0;
    return a > 4096 ? 4096 : a; /* the session's largest alignment */
}

/* A gSLACK[m|n] token: true with the slack and the RECORD_CHUNK_* flags. */
static bool glibc_token(const char *tok, size_t *slack, unsigned *chunk)
{
    size_t digits = strspn(tok + 1, "0123456789");
    if (tok[0] != 'g' || digits == 0 || digits > 10)
        return false;
    const char *end = tok + 1 + digits;
    if (!(end[0] == '\0' || ((end[0] == 'm' || end[0] == 'n') && end[1] == '\0')))
        return false;
    if (slack)
        *slack = (size_t)strtoull(tok + 1, NULL, 10);
    if (chunk)
        *chunk = end[0] == 'm' ? RECORD_CHUNK_MMAPPED : end[0] == 'n' ? RECORD_CHUNK_NON_MAIN : 0;
    return true;
}

static bool rfail(strbuf *err, size_t off, const char *msg)
{
    sb_printf(err, "byte %zu: %s", off, msg);
    return false;
}

bool record_header_line(size_t i, size_t off, const parse_words *w, trace_header *h, strbuf *err)
{
    size_t version;
    if (i == 0) {
        if (w->count < 3 || parse_uint(w->word[0], &h->heap_size) || strcmp(w->word[1], RECORD_MAGIC) != 0 ||
            parse_uint(w->word[2], &version))
            return rfail(err, 0, "the first line of a recording is 'HEAP " RECORD_MAGIC " VERSION'");
        if (version < 1 || version > RECORD_FORMAT_VERSION) {
            sb_printf(err, "byte 0: a recording of format version %zu; this allocscope reads version %d (a newer "
                           "allocscope wrote it: update allocscope)",
                      version, RECORD_FORMAT_VERSION);
            return false;
        }
        if (h->heap_size > SIZE_MAX / 2)
            h->heap_size = 0;
        return true;
    }
    if (i == 1 && (w->count != 1 || parse_uint(w->word[0], &h->ids) || h->ids == 0))
        return rfail(err, off, "line 2 of a recording is the number of ids");
    if (i == 2 && (w->count != 1 || parse_uint(w->word[0], &h->ops)))
        return rfail(err, off, "line 3 of a recording is the number of operations");
    if (i == 3 && (w->count < 1 || parse_uint(w->word[0], &h->weight)))
        return rfail(err, off, "line 4 of a recording starts with the weight");
    if (i == 3 && (h->ids > TRACE_MAX_IDS || h->ops > TRACE_MAX_OPS))
        return rfail(err, off,
                     "the recording is larger than allocscope replays (10,000,000 ids, 100,000,000 operations)");
    return true;
}

static bool read_rec_header(rreader *r, trace_header *h, strbuf *err)
{
    for (size_t i = 0; i < 4; i++) {
        if (!rnext(r)) {
            if (i == 0)
                return rfail(err, 0, "the first line of a recording is 'HEAP " RECORD_MAGIC " VERSION'");
            parse_words none = {.count = 0};
            return record_header_line(i, r->line_off, &none, h, err);
        }
        if (!record_header_line(i, r->line_off, &r->w, h, err))
            return false;
    }
    return true;
}

/* parse_uint, with a quick path for the short decimal numbers a
 * recording's lines hold. */
static const char *quick_uint(const char *s, size_t *out)
{
    size_t v = 0, i = 0;
    for (; i < 19 && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (size_t)(s[i] - '0');
    if (i > 0 && s[i] == '\0' && !(i > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))) {
        *out = v;
        return NULL;
    }
    return parse_uint(s, out);
}

const char *record_op_line(const parse_words *w, size_t ids, record_op *out)
{
    if (w->count == 0 || w->word[0][1] != '\0' || strchr("arf", w->word[0][0]) == NULL)
        return "expected an operation line: 'a ID SIZE KIND ADDR THREAD DT', 'r ...' or 'f ID KIND THREAD DT'";
    char op = w->word[0][0];
    size_t id, size = 0, thread, dt;
    bool sized = op != 'f';
    size_t fixed = sized ? 7 : 5;
    bool glibc = sized && w->count > fixed && w->word[fixed][0] == 'g'; /* gSLACK[m|n], version 2 */
    size_t want = fixed + glibc;
    if (glibc && !glibc_token(w->word[fixed], NULL, NULL))
        return "the glibc field is 'gSLACK', 'gSLACKm' (mmapped) or 'gSLACKn' (another arena)";
    if (w->count != want && !(w->count == want + 1 && w->word[want][0] == '@'))
        return op == 'f' ? "a free line has the fields 'f ID KIND THREAD DT [@CALLER]'"
                         : "an allocation line has the fields 'a|r ID SIZE KIND ADDR THREAD DT [gSLACK] [@CALLER]'";
    if (quick_uint(w->word[1], &id) || id >= ids)
        return "the id is not a number below the header's number of ids";
    if (sized && (quick_uint(w->word[2], &size) || size > ((size_t)1 << 40)))
        return "the size is not a number (at most 1 TiB)";
    const char *tok = w->word[sized ? 3 : 2];
    bool plain = tok[1] == '\0' && (op == 'f' ? tok[0] == 'f' || tok[0] == 'r'
                                               : tok[0] == 'r' || (op == 'a' && (tok[0] == 'm' || tok[0] == 'c')));
    size_t align = plain ? 16 : token_align(tok, op); /* malloc, calloc, realloc, free: glibc's 16 */
    if (align == 0)
        return "unknown kind of call";
    if (sized && !word_hex(w->word[4]))
        return "the address is not a hexadecimal number";
    if (quick_uint(w->word[sized ? 5 : 3], &thread) || quick_uint(w->word[sized ? 6 : 4], &dt))
        return "the thread and the time must be numbers";
    out->op = op;
    out->id = id;
    out->size = size ? size : 1; /* malloc(0) gives a block: the session's smallest */
    out->align = align;
    return NULL;
}

/* A decimal number of 1 to 19 digits at *p ended by a space (sp) or the
 * end e; false if not (the careful reader then decides). */
static inline __attribute__((always_inline)) bool fast_num(const char **p, const char *e, bool sp, size_t *v)
{
    const char *s = *p;
    size_t x = 0, i = 0;
    for (; s + i < e && s[i] >= '0' && s[i] <= '9' && i < 19; i++)
        x = x * 10 + (size_t)(s[i] - '0');
    if (i == 0 || (sp ? s + i >= e || s[i] != ' ' : s + i != e && s[i] != ' '))
        return false;
    *v = x;
    *p = s + i + (s + i < e);
    return true;
}

/* The alignment of a kind token ended by a space, as token_align gives
 * it, for the tokens allocscope record writes for op; 0 for any other
 * (the careful reader then decides). */
static size_t fast_kind(const char **p, const char *e, char op)
{
    const char *s = *p;
    if (s + 1 >= e)
        return 0;
    char k = s[0];
    size_t a = 0;
    if (s[1] == ' ') {
        if (op == 'f')
            a = k == 'f' || k == 'r' || k == 'R' ? 16 : 0;
        else if (op == 'r')
            a = k == 'r' || k == 'R' ? 16 : 0;
        else
            a = k == 'm' || k == 'c' || k == 'r' || k == 'R' ? 16 : k == 'v' || k == 'P' ? 4096 : 0;
        *p = s + 2;
        return a;
    }
    if (op != 'a' || (k != 'p' && k != 'A' && k != 'M'))
        return 0;
    s++;
    size_t v;
    if (!fast_num(&s, e, true, &v))
        return 0;
    *p = s;
    return glibc_align(v);
}

bool record_op_fast(const char *line, size_t n, size_t ids, record_op *op)
{
    const char *p = line, *e = line + n;
    if (n < 9 || (p[0] != 'a' && p[0] != 'r' && p[0] != 'f') || p[1] != ' ')
        return false;
    char c = p[0];
    p += 2;
    size_t id, size = 0, thread, dt, align;
    if (!fast_num(&p, e, true, &id) || id >= ids)
        return false;
    if (c != 'f' && (!fast_num(&p, e, true, &size) || size > ((size_t)1 << 40)))
        return false;
    if ((align = fast_kind(&p, e, c)) == 0)
        return false;
    if (c != 'f') { /* the address: 1 to 16 lower-case hex digits */
        size_t i = 0;
        while (p + i < e && ((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            i++;
        if (i == 0 || i > 16 || p + i >= e || p[i] != ' ')
            return false;
        p += i + 1;
    }
    if (!fast_num(&p, e, true, &thread) || !fast_num(&p, e, false, &dt))
        return false;
    if (p < e && c != 'f' && *p == 'g') { /* gSLACK[m|n] */
        size_t i = 1;
        while (p + i < e && p[i] >= '0' && p[i] <= '9')
            i++;
        if (i == 1 || i > 11)
            return false;
        p += i;
        if (p < e && (*p == 'm' || *p == 'n'))
            p++;
        if (p < e && *p++ != ' ')
            return false;
    }
    if (p < e) { /* @CALLER: digits */
        if (*p != '@')
            return false;
        p++;
        size_t caller;
        if (!fast_num(&p, e, false, &caller) || p != e)
            return false;
    }
    op->op = c;
    op->id = id;
    op->size = size ? size : 1;
    op->align = align;
    return true;
}

/* One operation line into a script line; NULL if it is good, else why not. */
static const char *rop(rreader *r, unsigned char *live, size_t ids, strbuf *out)
{
    record_op op;
    const char *why = record_op_line(&r->w, ids, &op);
    if (why)
        return why;
    if (op.op == 'a' && live[op.id])
        return "this id is already allocated";
    if (op.op != 'a' && !live[op.id])
        return "this id is not allocated";
    if (op.op == 'a')
        sb_printf(out, "alloc %zu align %zu as t%zu\n", op.size, op.align, op.id);
    else if (op.op == 'r')
        sb_printf(out, "realloc t%zu %zu\n", op.id, op.size);
    else
        sb_printf(out, "free t%zu\n", op.id);
    live[op.id] = op.op != 'f';
    return NULL;
}

const char *record_trailer_line(const char *raw, const parse_words *w, size_t ops, size_t *extra, bool *end)
{
    /* s lines hold symbols: any text; their first word is read from the raw line */
    char k[8];
    size_t klen = strcspn(raw, " ");
    snprintf(k, sizeof k, "%.*s", (int)(klen < sizeof k ? klen : sizeof k - 1), raw);
    size_t events;
    *end = false;
    if (!strcmp(k, "end")) {
        if (w->count != 2 || parse_uint(w->word[1], &events))
            return "the end line is 'end EVENTS'";
        if (events != ops + *extra)
            return "the end line counts other events than the recording holds";
        *end = true;
        return NULL;
    }
    if (!strcmp(k, "x") || !strcmp(k, "u"))
        ++*extra;
    else if (strcmp(k, "t") != 0 && strcmp(k, "s") != 0)
        return "expected a trailer line (t, x, u, s) or 'end EVENTS'";
    return NULL;
}

/* The trailer: t, x, u, s lines, then "end EVENTS"; NULL if good. */
static const char *rtrailer(rreader *r, size_t ops, size_t *end_off)
{
    size_t extra = 0;
    while (rnext(r)) {
        if (r->partial) {
            *end_off = r->line_off;
            return "the recording ends inside this line (truncated)";
        }
        bool end;
        const char *why = record_trailer_line(r->buf, &r->w, ops, &extra, &end);
        if (why)
            return why;
        if (end) {
            *end_off = (size_t)(r->p - r->text);
            return *r->p ? "text after the end line" : NULL;
        }
    }
    *end_off = r->line_off;
    return "the recording ends before its end line (truncated)";
}

bool record_to_script(const char *text, trace_header *hdr, strbuf *out, strbuf *err)
{
    rreader r;
    memset(&r, 0, sizeof r);
    r.text = r.p = text;
    trace_header h = {0};
    if (!read_rec_header(&r, &h, err))
        return false;
    unsigned char *live = calloc(h.ids, 1);
    if (live == NULL)
        return rfail(err, 0, "out of memory");
    size_t done = 0;
    const char *why = NULL;
    size_t where = 0;
    for (; done < h.ops && why == NULL; done++) {
        if (!rnext(&r)) {
            where = (size_t)(r.p - r.text);
            why = "the recording ends before the operations its header announces (truncated)";
            break;
        }
        where = r.line_off;
        why = r.partial ? "the recording ends inside this line (truncated)" : rop(&r, live, h.ids, out);
        if (why)
            break;
    }
    if (why == NULL)
        why = rtrailer(&r, done, &where);
    free(live);
    if (why)
        sb_printf(err, "byte %zu: %s; the %zu operation%s before it replay", where, why, done, done == 1 ? "" : "s");
    h.ops = done;
    if (hdr)
        *hdr = h;
    return true;
}

bool record_damage(const char *path, FILE *f)
{
    strbuf text, err, script;
    sb_init(&text);
    sb_init(&err);
    sb_init_discard(&script);
    bool damaged = false;
    if (sb_read_file(&text, path, (size_t)512 << 20, &err) && record_is_recording(sb_str(&text))) {
        sb_clear(&err);
        if (record_to_script(sb_str(&text), NULL, &script, &err) && sb_str(&err)[0]) {
            fprintf(f, "allocscope: %s: %s\n", path, sb_str(&err));
            damaged = true;
        }
    }
    sb_free(&text);
    sb_free(&err);
    sb_free(&script);
    return damaged;
}

/* ---- allocscope record ------------------------------------------------ */

/* The interposer: $ALLOCSCOPE_RECORD_LIB, else beside the executable (the
 * build tree) or in ../lib/allocscope (make install). */
static bool find_library(char *out, size_t cap)
{
    const char *env = getenv("ALLOCSCOPE_RECORD_LIB");
    if (env && *env) {
        snprintf(out, cap, "%s", env);
        return access(out, R_OK) == 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return false;
    *slash = '\0';
    if (snprintf(out, cap, "%s/liballocscope_record.so", exe) < (int)cap && access(out, R_OK) == 0)
        return true; /* the build tree */
    if (snprintf(out, cap, "%s/../lib/allocscope/liballocscope_record.so", exe) < (int)cap && access(out, R_OK) == 0)
        return true; /* make install */
    return false;
}

/* CMD as a path: as given if it has a slash, else found in $PATH. */
/* Where CMD is run from, as a shell finds it: 0 with its path in out; 127
 * if there is no such file; 126 if there is one but it cannot be executed
 * (no execute permission, or a directory), as a shell says then. */
static int find_command(const char *cmd, char *out, size_t cap)
{
    struct stat st;
    if (strchr(cmd, '/')) {
        snprintf(out, cap, "%s", cmd);
        if (stat(out, &st) != 0)
            return 127;
        return S_ISREG(st.st_mode) && access(out, X_OK) == 0 ? 0 : 126;
    }
    const char *path = getenv("PATH");
    if (path == NULL)
        path = "/usr/local/bin:/usr/bin:/bin";
    int found = 127;
    while (*path) {
        size_t n = strcspn(path, ":");
        snprintf(out, cap, "%.*s/%s", (int)n, n ? path : ".", cmd);
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(out, X_OK) == 0)
                return 0;
            found = 126; /* a later directory of PATH may still hold an executable one */
        }
        path += n + (path[n] == ':');
    }
    return found;
}

/* NULL if the loader will preload into the program at path, else why not. */
static const char *why_not_preloadable(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)) && geteuid() != 0)
        return "is set-user-ID or set-group-ID: the loader ignores LD_PRELOAD for it";
    int f = open(path, O_RDONLY | O_CLOEXEC);
    if (f < 0)
        return NULL; /* execvp will say why */
    Elf64_Ehdr eh;
    const char *why = NULL;
    if (read(f, &eh, sizeof eh) == (ssize_t)sizeof eh && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0) {
        if (eh.e_ident[EI_CLASS] != ELFCLASS64)
            why = "is not a 64-bit program: the recorder is a 64-bit library";
        else {
            bool interp = false;
            for (unsigned i = 0; i < eh.e_phnum && !interp; i++) {
                Elf64_Phdr ph;
                if (pread(f, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) != (ssize_t)sizeof ph)
                    break;
                interp = ph.p_type == PT_INTERP;
            }
            if (!interp)
                why = "is statically linked: it has no dynamic loader, so LD_PRELOAD cannot put the recorder "
                      "between it and its malloc";
        }
    }
    close(f);
    return why;
}

typedef struct raw_file {
    unsigned pid, gen;
    char name[64];
} raw_file;

static int raw_cmp(const void *a, const void *b)
{
    const raw_file *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return (x->gen > y->gen) - (x->gen < y->gen);
}

/* The raw files the interposer left in dir, sorted; *n of them. */
static raw_file *list_raw(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return NULL;
    raw_file *list = NULL;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        unsigned pid, gen;
        char tail;
        if (sscanf(de->d_name, "raw.%u.%u%c", &pid, &gen, &tail) != 2)
            continue;
        if (!grow((void **)&list, &cap, *n + 1, sizeof *list))
            break;
        list[*n].pid = pid, list[*n].gen = gen;
        snprintf(list[*n].name, sizeof list[*n].name, "raw.%u.%u", pid, gen);
        (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(list, *n, sizeof *list, raw_cmp);
    return list;
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        char p[PATH_MAX];
        while ((de = readdir(d)) != NULL)
            if (strncmp(de->d_name, "raw.", 4) == 0) {
                snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(dir);
}

static void print_summary(const char *what, const char *path, const record_summary *s)
{
    fprintf(stderr,
            "allocscope: %s -> %s: %zu events (%zu allocations, %zu frees, %zu reallocs, %zu failed, %zu free(NULL)"
            "%s), %zu thread%s, %zu bytes, %.1f bytes per event%s\n",
            what, path, s->events, s->allocs, s->frees, s->reallocs, s->failed, s->nulls,
            s->unknown ? ", some on blocks allocated before the recording (inherited at a fork)" : "", s->threads,
            s->threads == 1 ? "" : "s", s->bytes, s->events ? (double)s->bytes / (double)s->events : 0.0,
            s->stopped ? "; STOPPED EARLY: the program closed the recorder's file, the rest is missing" : "");
}

static void add_summary(record_summary *to, const record_summary *s)
{
    to->events += s->events, to->allocs += s->allocs, to->frees += s->frees, to->reallocs += s->reallocs;
    to->failed += s->failed, to->nulls += s->nulls, to->unknown += s->unknown, to->threads += s->threads;
    to->bytes += s->bytes, to->stopped |= s->stopped;
}

typedef struct record_args {
    const char *out;
    bool stacks;
    char **cmd;
} record_args;

static int parse_record_args(int argc, char **argv, record_args *a)
{
    a->out = "allocscope.rec";
    int i = 1;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc)
            a->out = argv[++i];
        else if (!strcmp(argv[i], "-o")) {
            fprintf(stderr, "allocscope: record: -o needs a file name\n");
            return 2;
        } else if (!strcmp(argv[i], "--stacks"))
            a->stacks = true;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "allocscope: record: unknown option '%s'\n", argv[i]);
            return 2;
        } else
            break;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: allocscope record [-o FILE] [--stacks] -- CMD [ARGS...]\n");
        return 2;
    }
    a->cmd = argv + i;
    return 0;
}

/* Runs the command with the recorder preloaded; its wait status, or -1
 * (with the message printed) if it could not start. */
static int run_recorded(const record_args *a, const char *lib, const char *dir, pid_t *pid)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        perror("allocscope: record: pipe");
        return -1;
    }
    fflush(NULL);
    *pid = fork();
    if (*pid < 0) {
        perror("allocscope: record: fork");
        return -1;
    }
    if (*pid == 0) {
        close(fds[0]);
        const char *old = getenv("LD_PRELOAD");
        char pre[PATH_MAX * 2];
        snprintf(pre, sizeof pre, "%s%s%s", lib, old && *old ? ":" : "", old ? old : "");
        setenv("LD_PRELOAD", pre, 1);
        setenv("ALLOCSCOPE_RECORD_DIR", dir, 1);
        setenv("ALLOCSCOPE_RECORD_STACKS", a->stacks ? "1" : "0", 1);
        execvp(a->cmd[0], a->cmd);
        int e = errno;
        ssize_t w = write(fds[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(fds[1]);
    int e = 0;
    ssize_t got = read(fds[0], &e, sizeof e);
    close(fds[0]);
    struct sigaction ign, old_int, old_quit;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ign, &old_int); /* Ctrl-C stops the command; the recording is still written */
    sigaction(SIGQUIT, &ign, &old_quit);
    int status = 0;
    while (waitpid(*pid, &status, 0) < 0 && errno == EINTR)
        ;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    if (got == (ssize_t)sizeof e) {
        fprintf(stderr, "allocscope: record: cannot run '%s': %s\n", a->cmd[0], strerror(e));
        return -1;
    }
    return status;
}

/* Converts every raw file: the command's own image to a->out, the others
 * to OUT.PID (OUT.PID.N for the Nth exec of a pid). Number converted. */
/* Processes past this many are summed up in one line. */
#define RECORD_LISTED 6

/* Converts every raw file: the command's own image to a->out, the others
 * to OUT.PID (OUT.PID.N for the Nth exec of a pid). Number converted. */
static size_t convert_all(const record_args *a, const char *dir, pid_t pid, bool *failed)
{
    size_t n;
    raw_file *raws = list_raw(dir, &n);
    size_t done = 0, others = 0;
    record_summary rest = {0};
    bool main_done = false;
    for (size_t i = 0; i < n; i++) {
        char raw[PATH_MAX], sym[PATH_MAX + 8], lost[PATH_MAX + 8], out[PATH_MAX];
        if (snprintf(raw, sizeof raw, "%s/%s", dir, raws[i].name) >= (int)sizeof raw)
            continue;
        snprintf(sym, sizeof sym, "%s.sym", raw);
        snprintf(lost, sizeof lost, "%s.lost", raw);
        bool is_main = raws[i].pid == (unsigned)pid && !main_done;
        if (is_main)
            snprintf(out, sizeof out, "%s", a->out), main_done = true;
        else if (raws[i].gen == 0)
            snprintf(out, sizeof out, "%s.%u", a->out, raws[i].pid);
        else
            snprintf(out, sizeof out, "%s.%u.%u", a->out, raws[i].pid, raws[i].gen);
        record_summary s;
        strbuf err;
        sb_init(&err);
        if (record_convert(raw, access(sym, R_OK) == 0 ? sym : NULL, out, &s, &err) && s.events == 0 && !is_main) {
            unlink(out); /* a fork child that only exec'd: its new image has its own file */
        } else if (sb_str(&err)[0] == '\0') {
            s.stopped = access(lost, F_OK) == 0;
            char what[128];
            snprintf(what, sizeof what, "%s (pid %u%s)", is_main ? a->cmd[0] : "a child", raws[i].pid,
                     raws[i].gen ? ", after exec" : "");
            if (is_main || others < RECORD_LISTED)
                print_summary(what, out, &s);
            else
                add_summary(&rest, &s);
            others += !is_main;
            done++;
        } else {
            fprintf(stderr, "allocscope: record: %s\n", sb_str(&err));
            *failed = true;
        }
        sb_free(&err);
    }
    if (others > RECORD_LISTED) {
        char what[64], where[PATH_MAX];
        snprintf(what, sizeof what, "%zu more processes", others - RECORD_LISTED);
        snprintf(where, sizeof where, "%s.PID...", a->out);
        print_summary(what, where, &rest);
    }
    free(raws);
    return done;
}

int record_main(int argc, char **argv)
{
    record_args a = {NULL, false, NULL};
    int bad = parse_record_args(argc, argv, &a);
    if (bad)
        return bad;
    char lib[PATH_MAX], path[PATH_MAX];
    if (!find_library(lib, sizeof lib)) {
        fprintf(stderr, "allocscope: record: the recorder liballocscope_record.so is neither beside the program nor "
                        "in ../lib/allocscope (make builds it; or set ALLOCSCOPE_RECORD_LIB)\n");
        return 2;
    }
    int found = find_command(a.cmd[0], path, sizeof path);
    if (found) {
        fprintf(stderr, "allocscope: record: %s: %s\n", a.cmd[0],
                found == 126 ? "is not executable" : "command not found");
        return found;
    }
    bool existed = access(a.out, F_OK) == 0;
    FILE *probe = fopen(a.out, "a"); /* can the recording be written? before CMD runs, not after */
    if (probe == NULL) {
        fprintf(stderr, "allocscope: record: cannot write %s: %s\n", a.out, strerror(errno));
        return 2;
    }
    fclose(probe);
    if (!existed)
        unlink(a.out);
    const char *why = why_not_preloadable(path);
    if (why) {
        fprintf(stderr, "allocscope: record: %s %s; nothing recorded\n", path, why);
        return 2;
    }
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/allocscope-rec.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "allocscope: record: cannot make a directory in %s: %s\n", tmp ? tmp : "/tmp", strerror(errno));
        return 2;
    }
    pid_t pid;
    int status = run_recorded(&a, lib, dir, &pid);
    if (status < 0) {
        remove_dir(dir);
        return 127;
    }
    bool failed = false;
    size_t n = convert_all(&a, dir, pid, &failed);
    remove_dir(dir);
    if (n == 0 && !failed) {
        fprintf(stderr, "allocscope: record: %s ran but the recorder saw no allocation: it was not preloaded (a "
                        "statically linked program, or one that clears LD_PRELOAD); nothing recorded\n",
                a.cmd[0]);
        return 2;
    }
    if (failed)
        return 2;
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "allocscope: record: %s was killed by signal %d (%s); recorded up to there\n", a.cmd[0],
                WTERMSIG(status), strsignal(WTERMSIG(status)));
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}

/* ---- recording -> the glibc view's plan ------------------------------- */

/* What glibc 2.36 on x86-64 gives for n bytes when the recording does not
 * say (version 1): a chunk of max(32, n + 8 rounded up to 16) bytes, n -
 * 8 of them usable, or a page-rounded mmapped chunk from 128 KiB (the
 * default mmap threshold). */
static void glibc_guess(size_t n, size_t *slack, unsigned *chunk)
{
    if (n >= ((size_t)128 << 10)) {
        *slack = ((n + 16 + 4095) & ~(size_t)4095) - 16 - n;
        *chunk = GLIBC_CHUNK_MMAPPED;
        return;
    }
    size_t c = (n + 8 + 15) & ~(size_t)15;
    c = c < 32 ? 32 : c;
    *slack = c - 8 - n;
    *chunk = 0;
}

bool record_glibc_plan(const char *text, glibc_plan *plan, strbuf *err)
{
    memset(plan, 0, sizeof *plan);
    if (!record_is_recording(text)) {
        sb_add(err, "not a recording of allocscope record (a malloc-lab trace has no addresses)");
        return false;
    }
    rreader r;
    memset(&r, 0, sizeof r);
    r.text = r.p = text;
    trace_header h = {0};
    if (!read_rec_header(&r, &h, err))
        return false;
    for (size_t i = 1; i < r.w.count; i++)
        if (strncmp(r.w.word[i], "heap=", 5) == 0)
            plan->heap_start = strtoull(r.w.word[i] + 5, NULL, 16);
    unsigned char *live = calloc(h.ids, 1);
    size_t *now = calloc(h.ids, sizeof *now); /* each id's size in the replay */
    uint64_t first = 0;                        /* version 1: the first block's address */
    size_t cap = 0;
    strbuf ignore;
    sb_init_discard(&ignore);
    bool ok = live != NULL && now != NULL;
    for (size_t done = 0; ok && done < h.ops && rnext(&r) && !r.partial; done++) {
        if (rop(&r, live, h.ids, &ignore) != NULL)
            break; /* damaged: the plan ends before it, as the replay does */
        char op = r.w.word[0][0];
        size_t id = 0, size = 0;
        rword_uint(&r, 1, &id);
        rword_uint(&r, 2, &size);
        size = size ? size : 1;
        if (op == 'f' || (op == 'r' && now[id] == size))
            continue; /* a realloc to the same size changes nothing in the replay (as_realloc) */
        now[id] = size;
        if (plan->count == cap) {
            cap = cap ? cap * 2 : 1024;
            glibc_op *ops = realloc(plan->ops, cap * sizeof *ops);
            if (ops == NULL) {
                ok = false;
                break;
            }
            plan->ops = ops;
        }
        glibc_op *o = &plan->ops[plan->count++];
        o->size = size;
        o->addr = strtoull(r.w.word[4], NULL, 16);
        o->realloc = op == 'r';
        if (!(r.w.count > 7 && glibc_token(r.w.word[7], &o->slack, &o->chunk))) {
            glibc_guess(o->size, &o->slack, &o->chunk);
            /* version 1 does not say which arena: the first block is the main heap's (the main
             * thread allocates first), a block 1 GiB or more away from it another arena's */
            if (!(o->chunk & GLIBC_CHUNK_MMAPPED) && first == 0)
                first = o->addr;
            else if (!(o->chunk & GLIBC_CHUNK_MMAPPED) && (o->addr > first ? o->addr - first : first - o->addr) >=
                                                                ((uint64_t)1 << 30))
                o->chunk |= GLIBC_CHUNK_NON_MAIN;
        }
    }
    free(live);
    free(now);
    sb_free(&ignore);
    if (!ok) {
        free(plan->ops);
        memset(plan, 0, sizeof *plan);
        sb_add(err, "out of memory reading the recording");
    }
    return ok;
}
