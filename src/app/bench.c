/*
 * bench.c - the allocator benchmarks (see bench.h).
 *
 * The timed loops call the allocators through their vtables (the public
 * interface) and pass every pointer to an empty asm statement, so the
 * compiler cannot delete the work. Buffers and arenas are touched before
 * the timed region. Seeds are fixed, so runs are comparable.
 */
#include "allocscope/bench.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "allocscope/arena.h"
#include "allocscope/buddy.h"
#include "allocscope/bump.h"
#include "allocscope/counting.h"
#include "allocscope/debug.h"
#include "allocscope/fixed.h"
#include "allocscope/freelist.h"
#include "allocscope/kinds.h"
#include "allocscope/pool.h"
#include "allocscope/stack.h"
#include "allocscope/sysheap.h"
#include "bench_scale.h"

#define BATCHES 10
#define W1_N 1000000

static inline void escape(void *p) { __asm__ volatile("" : : "g"(p) : "memory"); }

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct timing {
    double median, min;
} timing;

static timing summarise(double *ns, size_t n)
{
    qsort(ns, n, sizeof *ns, by_double);
    return (timing){n % 2 ? ns[n / 2] : (ns[n / 2 - 1] + ns[n / 2]) / 2, ns[0]};
}

/* ---- output ---- */

typedef struct report {
    bool json;
    bool first_row;
} report;

static void heading(const report *r, const char *title, const char *unit)
{
    if (r->json)
        return;
    printf("\n%s\n  %-26s %10s %10s %9s %12s  %s\n", title, "allocator", "median ns", "min ns", "vs malloc",
           "peak bytes", unit);
}

/* One row; ratio is malloc's median / this median (how many times faster). */
static void row(report *r, const char *workload, const char *name, timing t, double malloc_median,
                size_t peak, const char *note)
{
    double ratio = malloc_median > 0 ? malloc_median / t.median : 0;
    if (r->json) {
        printf("%s{\"workload\":\"%s\",\"allocator\":\"%s\",\"median_ns\":%.2f,\"min_ns\":%.2f,"
               "\"speedup_vs_malloc\":%.3f,\"peak_bytes\":%zu,\"note\":\"%s\"}",
               r->first_row ? "" : ",\n", workload, name, t.median, t.min, ratio, peak, note ? note : "");
        r->first_row = false;
        return;
    }
    printf("  %-26s %10.2f %10.2f %8.2fx %12zu  %s\n", name, t.median, t.min, ratio, peak, note ? note : "");
}

static void goal(const report *r, bool met, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void goal(const report *r, bool met, const char *fmt, ...)
{
    if (r->json)
        return;
    va_list ap;
    va_start(ap, fmt);
    printf("  goal %s: ", met ? "met   " : "MISSED");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static size_t malloc_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* ---- W1: arena phase ---- */

typedef struct w1 {
    uint32_t *sizes;
    void **ptrs;
} w1;

typedef enum w1_kind { W1_MALLOC, W1_BUMP, W1_FIXED, W1_ARENA } w1_kind;

static double w1_batch(w1_kind kind, as_instance in, const w1 *w, size_t *peak)
{
    double t0 = now_ns();
    if (kind == W1_MALLOC) {
        for (size_t i = 0; i < W1_N; i++) {
            w->ptrs[i] = malloc(w->sizes[i]);
            escape(w->ptrs[i]);
        }
        size_t used = malloc_in_use();
        for (size_t i = 0; i < W1_N; i++)
            free(w->ptrs[i]);
        double t1 = now_ns();
        if (used > *peak)
            *peak = used;
        return (t1 - t0) / W1_N;
    }
    const as_vtable *vt = in.a.vtable;
    void *ctx = in.a.ctx;
    for (size_t i = 0; i < W1_N; i++) {
        void *p = vt->alloc(ctx, w->sizes[i], 4, 0);
        escape(p);
    }
    size_t used = 0;
    if (in.probe->offset && in.probe->offset(ctx, &used) && used > *peak)
        *peak = used;
    in.probe->reset(ctx, AS_RESET_RETAIN_CAPACITY, 0);
    return (now_ns() - t0) / W1_N;
}

static timing w1_run(w1_kind kind, const w1 *w, size_t *peak)
{
    as_instance in = {0};
    size_t cap = (size_t)W1_N * 144;
    if (kind == W1_BUMP) {
        bump *b = bump_create(cap);
        bump_set_ledger(b, false);
        memset((void *)bump_base(b), 0, cap); /* pre-fault */
        in = bump_instance(b);
    } else if (kind == W1_FIXED) {
        fixed *f = fixed_create(cap);
        fixed_set_ledger(f, false);
        in = fixed_instance(f);
        void *whole = in.a.vtable->alloc(in.a.ctx, cap, 0, 0);
        memset(whole, 0, cap); /* pre-fault */
        fixed_reset(f);
    } else if (kind == W1_ARENA) {
        arena *ar = arena_create(sysheap_instance());
        arena_set_ledger(ar, false);
        in = arena_instance(ar);
    }
    double ns[BATCHES + 1];
    for (int b = 0; b <= BATCHES; b++)
        ns[b] = w1_batch(kind, in, w, peak); /* batch 0 warms up (and grows the arena) */
    if (kind == W1_ARENA)
        *peak = arena_capacity(in.a.ctx); /* what it holds from malloc */
    if (kind != W1_MALLOC)
        in.probe->destroy(in.a.ctx);
    return summarise(ns + 1, BATCHES);
}

static void bench_w1(report *r)
{
    static const char *const variants[] = {"16/32/64 bytes", "uniform 8-128 bytes"};
    static const char *const names[] = {"malloc + free", "bump", "fixed", "arena (over malloc)"};
    w1 w = {malloc(W1_N * sizeof *w.sizes), malloc(W1_N * sizeof *w.ptrs)};
    for (int v = 0; v < 2; v++) {
        uint64_t seed = 42;
        for (size_t i = 0; i < W1_N; i++)
            w.sizes[i] = v == 0 ? (uint32_t)(16u << (i % 3)) : (uint32_t)(8 + rnd(&seed) % 121);
        char title[128];
        snprintf(title, sizeof title, "W1 arena phase: 1,000,000 allocations of %s, align 16, then one reset",
                 variants[v]);
        heading(r, title, "ns per allocation (malloc: incl. its free)");
        double base = 0;
        for (int k = W1_MALLOC; k <= W1_ARENA; k++) {
            size_t peak = 0;
            timing t = w1_run((w1_kind)k, &w, &peak);
            if (k == W1_MALLOC)
                base = t.median;
            row(r, v ? "W1-uniform" : "W1", names[k], t, base, peak, "");
            if (k != W1_MALLOC)
                goal(r, base / t.median >= 10, "%s at least 10x faster than malloc: %.1fx", names[k],
                     base / t.median);
        }
    }
    free(w.sizes);
    free(w.ptrs);
}

/* ---- W2: stack push/pop ---- */

static timing w2_run(bool use_malloc, size_t depth, size_t *peak)
{
    size_t total = 1000000, cycles = total / (2 * depth);
    uint32_t *sizes = malloc(depth * sizeof *sizes);
    void **ptrs = malloc(depth * sizeof *ptrs);
    uint64_t seed = 7;
    for (size_t i = 0; i < depth; i++)
        sizes[i] = (uint32_t)(16 + rnd(&seed) % 241);
    stack *st = use_malloc ? NULL : stack_create(depth * 280 + 4096);
    as_allocator a = st ? stack_allocator(st) : (as_allocator){0};
    double ns[BATCHES + 1];
    for (int b = 0; b <= BATCHES; b++) {
        double t0 = now_ns();
        for (size_t c = 0; c < cycles; c++) {
            for (size_t i = 0; i < depth; i++) {
                ptrs[i] = st ? a.vtable->alloc(a.ctx, sizes[i], 3, 0) : malloc(sizes[i]);
                escape(ptrs[i]);
            }
            if (b == 0 && c == 0)
                *peak = st ? stack_offset(st) : malloc_in_use();
            for (size_t i = depth; i-- > 0;) {
                if (st)
                    a.vtable->free(a.ctx, ptrs[i], sizes[i], 3, 0);
                else
                    free(ptrs[i]);
            }
        }
        ns[b] = (now_ns() - t0) / (double)(cycles * depth);
    }
    if (st)
        *peak = stack_capacity(st);
    stack_destroy(st);
    free(sizes);
    free(ptrs);
    return summarise(ns + 1, BATCHES);
}

static void bench_w2(report *r)
{
    static const size_t depths[] = {64, 4096};
    for (int d = 0; d < 2; d++) {
        char title[96], name[32];
        snprintf(title, sizeof title, "W2 stack: push/pop at depth %zu, sizes 16-256", depths[d]);
        heading(r, title, "ns per push+pop pair");
        size_t peak = 0;
        timing m = w2_run(true, depths[d], &peak);
        row(r, "W2", "malloc + free (LIFO)", m, m.median, peak, "");
        timing s = w2_run(false, depths[d], &peak);
        snprintf(name, sizeof name, "stack");
        row(r, "W2", name, s, m.median, peak, "");
        goal(r, m.median / s.median >= 3, "stack at least 3x faster than malloc at depth %zu: %.1fx", depths[d],
             m.median / s.median);
    }
}

/* ---- W3: pool ---- */

static timing w3_hot_pairs(bool use_malloc, size_t *peak)
{
    size_t n = 1000000;
    pool *p = use_malloc ? NULL : pool_create((pool_options){64, 3, 64, true});
    as_allocator a = p ? pool_allocator(p) : (as_allocator){0};
    double ns[BATCHES + 1];
    for (int b = 0; b <= BATCHES; b++) {
        double t0 = now_ns();
        for (size_t i = 0; i < n; i++) {
            void *x = p ? a.vtable->alloc(a.ctx, 64, 3, 0) : malloc(64);
            escape(x);
            if (p)
                a.vtable->free(a.ctx, x, 64, 3, 0);
            else
                free(x);
        }
        ns[b] = (now_ns() - t0) / (double)n;
    }
    *peak = p ? pool_slot_count(p) * pool_slot_size(p) : 64;
    pool_destroy(p);
    return summarise(ns + 1, BATCHES);
}

/* glibc's bench-malloc-simple: n live blocks, half freed FIFO, half LIFO. */
static timing w3_simple(bool use_malloc, size_t n, size_t size, size_t *peak)
{
    size_t rounds = 2000000 / n / BATCHES;
    void **ptrs = malloc(n * sizeof *ptrs);
    pool *p = use_malloc ? NULL : pool_create((pool_options){size, 3, n, true});
    as_allocator a = p ? pool_allocator(p) : (as_allocator){0};
    double ns[BATCHES + 1];
    for (int b = 0; b <= BATCHES; b++) {
        double t0 = now_ns();
        for (size_t r = 0; r < rounds; r++) {
            for (size_t i = 0; i < n; i++) {
                ptrs[i] = p ? a.vtable->alloc(a.ctx, size, 3, 0) : malloc(size);
                memset(ptrs[i], (int)i, size);
            }
            for (size_t i = 0; i < n / 2; i++)
                p ? a.vtable->free(a.ctx, ptrs[i], size, 3, 0) : free(ptrs[i]);
            for (size_t i = n; i-- > n / 2;)
                p ? a.vtable->free(a.ctx, ptrs[i], size, 3, 0) : free(ptrs[i]);
        }
        ns[b] = (now_ns() - t0) / (double)(rounds * n);
    }
    *peak = p ? pool_slot_count(p) * pool_slot_size(p) : n * size;
    pool_destroy(p);
    free(ptrs);
    return summarise(ns + 1, BATCHES);
}

static void bench_w3(report *r)
{
    heading(r, "W3 pool: 1,000,000 hot create/destroy pairs of 64 bytes", "ns per create+destroy pair");
    size_t peak = 0;
    timing m = w3_hot_pairs(true, &peak);
    row(r, "W3", "malloc + free", m, m.median, peak, "");
    timing p = w3_hot_pairs(false, &peak);
    row(r, "W3", "pool", p, m.median, peak, "");
    goal(r, m.median / p.median >= 2.5, "pool at least 2.5x faster than malloc on hot pairs: %.1fx", m.median / p.median);
    heading(r, "W3 bench-malloc-simple: n live blocks, half freed FIFO, half LIFO, every byte written",
            "ns per alloc+free");
    static const size_t ns_[] = {25, 100, 400, 1600}, sizes[] = {16, 32, 64};
    for (int s = 0; s < 3; s++) {
        for (int k = 0; k < 4; k++) {
            char name[48];
            timing mm = w3_simple(true, ns_[k], sizes[s], &peak);
            snprintf(name, sizeof name, "malloc  n=%zu %zuB", ns_[k], sizes[s]);
            row(r, "W3-simple", name, mm, mm.median, peak, "");
            timing pp = w3_simple(false, ns_[k], sizes[s], &peak);
            snprintf(name, sizeof name, "pool    n=%zu %zuB", ns_[k], sizes[s]);
            row(r, "W3-simple", name, pp, mm.median, peak, "");
        }
    }
}

/* ---- W4: general purpose (larson) ---- */

#define LARSON_SLOTS 5000
#define LARSON_ROUNDS 100
#define W4_HEAP ((size_t)16 << 20)

typedef struct gp {
    const char *name;
    as_instance in;       /* ctx NULL: malloc */
    freelist *fl;
    buddy *bd;
} gp;

static void *gp_alloc(gp *g, size_t n)
{
    return g->in.a.ctx ? g->in.a.vtable->alloc(g->in.a.ctx, n, 3, 0) : malloc(n);
}

static void gp_free(gp *g, void *p, size_t n)
{
    if (g->in.a.ctx)
        g->in.a.vtable->free(g->in.a.ctx, p, n, 3, 0);
    else
        free(p);
}

static double gp_fragmentation(const gp *g)
{
    if (g->fl)
        return freelist_fragmentation(g->fl);
    if (g->bd) {
        size_t free_bytes = buddy_free_bytes(g->bd);
        return free_bytes ? 1.0 - (double)buddy_largest_free(g->bd) / (double)free_bytes : 0;
    }
    return -1;
}

static size_t gp_high_water(const gp *g, size_t base_footprint)
{
    if (g->fl)
        return freelist_high_water(g->fl);
    if (g->bd)
        return buddy_high_water(g->bd);
    /* malloc's heap is shared with the whole process: count the bytes it
     * holds for this workload, headers and rounding included */
    size_t used = malloc_in_use();
    return used > base_footprint ? used - base_footprint : 0;
}

typedef struct larson_out {
    timing t;
    double overhead, fragmentation;
    size_t failures, high_water;
} larson_out;

static larson_out larson(gp *g)
{
    void *ptrs[LARSON_SLOTS];
    size_t sizes[LARSON_SLOTS];
    uint64_t seed = 12345;
    size_t live = 0, peak_live = 0, failures = 0, base = malloc_in_use(), hw = 0;
    for (size_t i = 0; i < LARSON_SLOTS; i++) {
        sizes[i] = 8 + rnd(&seed) % 993;
        ptrs[i] = gp_alloc(g, sizes[i]);
        if (ptrs[i])
            live += sizes[i];
        else
            failures++;
    }
    peak_live = live;
    double ns[LARSON_ROUNDS], frag = 0;
    int frag_samples = 0;
    for (int round = 0; round < LARSON_ROUNDS; round++) {
        double t0 = now_ns();
        for (size_t k = 0; k < LARSON_SLOTS; k++) {
            size_t i = rnd(&seed) % LARSON_SLOTS;
            if (ptrs[i]) {
                gp_free(g, ptrs[i], sizes[i]);
                live -= sizes[i];
            }
            sizes[i] = 8 + rnd(&seed) % 993;
            ptrs[i] = gp_alloc(g, sizes[i]);
            escape(ptrs[i]);
            if (ptrs[i])
                live += sizes[i];
            else
                failures++;
            if (live > peak_live)
                peak_live = live;
        }
        ns[round] = (now_ns() - t0) / LARSON_SLOTS;
        size_t h = gp_high_water(g, base);
        if (h > hw)
            hw = h;
        double f = gp_fragmentation(g);
        if (f >= 0) {
            frag += f;
            frag_samples++;
        }
    }
    for (size_t i = 0; i < LARSON_SLOTS; i++)
        if (ptrs[i])
            gp_free(g, ptrs[i], sizes[i]);
    larson_out o = {summarise(ns, LARSON_ROUNDS), peak_live ? (double)hw / (double)peak_live - 1 : 0,
                    frag_samples ? frag / frag_samples : -1, failures, hw};
    return o;
}

static gp make_gp(int k)
{
    gp g = {"malloc + free", {{0}, NULL}, NULL, NULL};
    if (k >= 1 && k <= 3) {
        static const char *const names[] = {"", "freelist first-fit", "freelist best-fit", "freelist next-fit"};
        g.fl = freelist_create(W4_HEAP, (freelist_fit)(k - 1));
        g.in = freelist_instance(g.fl);
        g.name = names[k];
    } else if (k == 4) {
        g.bd = buddy_create(W4_HEAP);
        g.in = buddy_instance(g.bd);
        g.name = "buddy";
    }
    return g;
}

static void checkerboard(report *r, gp *g)
{
    void **p = malloc(10000 * sizeof *p);
    size_t got = 0;
    for (int i = 0; i < 10000; i++)
        if ((p[i] = gp_alloc(g, 64)))
            got++;
    for (int i = 0; i < 10000; i += 2)
        if (p[i])
            gp_free(g, p[i], 64);
    void *big = gp_alloc(g, 128);
    double f = gp_fragmentation(g);
    if (!r->json) {
        if (f >= 0)
            printf("  %-26s %zu of 10000 placed; then 128 bytes: %s; fragmentation %.1f%%\n", g->name, got,
                   big ? "ok" : "FAILED", 100 * f);
        else
            printf("  %-26s %zu of 10000 placed; then 128 bytes: %s\n", g->name, got, big ? "ok" : "FAILED");
    }
    if (big)
        gp_free(g, big, 128);
    for (int i = 1; i < 10000; i += 2)
        if (p[i])
            gp_free(g, p[i], 64);
    free(p);
}

static void bench_w4(report *r)
{
    heading(r, "W4 general purpose: larson, 5000 live slots of 8-1000 bytes, 100 rounds of 5000 replacements "
               "(heaps of 16 MiB)", "ns per free+alloc; overhead = high-water / peak live - 1");
    double base = 0;
    for (int k = 0; k <= 4; k++) {
        gp g = make_gp(k);
        larson_out o = larson(&g);
        if (k == 0)
            base = o.t.median;
        char note[128];
        if (o.fragmentation >= 0)
            snprintf(note, sizeof note, "overhead %.0f%%, fragmentation %.0f%%, %zu failed", 100 * o.overhead,
                     100 * o.fragmentation, o.failures);
        else
            snprintf(note, sizeof note, "overhead %.0f%% (bytes malloc holds), %zu failed", 100 * o.overhead,
                     o.failures);
        row(r, "W4", g.name, o.t, base, o.high_water, note);
        if (k >= 1 && k <= 3)
            goal(r, o.t.median <= 10 * base, "%s within 10x of malloc per operation: %.1fx slower", g.name,
                 o.t.median / base);
        if (k == 1)
            goal(r, o.overhead <= 0.50, "first-fit overhead at most 50%%: %.0f%%", 100 * o.overhead);
        if (k == 2)
            goal(r, o.overhead <= 0.35, "best-fit overhead at most 35%%: %.0f%%", 100 * o.overhead);
        if (g.in.a.ctx)
            g.in.probe->destroy(g.in.a.ctx);
    }
    if (!r->json)
        printf("\nW4 checkerboard: 10,000 blocks of 64 bytes, free every other one, then ask for 128\n");
    static const size_t heaps[] = {0, 10000 * 80, 10000 * 80, 10000 * 80, (size_t)1 << 20};
    for (int k = 0; k <= 4; k++) {
        gp g = {"malloc + free", {{0}, NULL}, NULL, NULL};
        if (k >= 1 && k <= 3) {
            g = make_gp(0);
            g.fl = freelist_create(heaps[k], (freelist_fit)(k - 1));
            g.in = freelist_instance(g.fl);
            g.name = make_gp(k).name;
            /* make_gp(k) allocated a heap just for the name: release it */
        } else if (k == 4) {
            g.bd = buddy_create(heaps[k]);
            g.in = buddy_instance(g.bd);
            g.name = "buddy (1 MiB)";
        }
        checkerboard(r, &g);
        if (g.in.a.ctx)
            g.in.probe->destroy(g.in.a.ctx);
    }
}

/* ---- W5: tracking cost ---- */

typedef enum wrap { WRAP_NONE, WRAP_COUNTING, WRAP_DEBUG } wrap;

static timing w5_run(bool use_pool, wrap w)
{
    size_t n = use_pool ? 1000000 : 200000;
    as_instance bare = use_pool ? pool_instance(pool_create((pool_options){64, 3, 256, true}))
                                : bump_instance(bump_create(n * 64 + 4096));
    if (!use_pool)
        bump_set_ledger(bare.a.ctx, false);
    counting *c = NULL;
    debug_alloc *d = NULL;
    as_instance top = bare;
    if (w == WRAP_COUNTING)
        top = counting_instance(c = counting_create(bare));
    else if (w == WRAP_DEBUG)
        top = debug_instance(d = debug_create(bare));
    double ns[BATCHES + 1];
    for (int b = 0; b <= BATCHES; b++) {
        double t0 = now_ns();
        for (size_t i = 0; i < n; i++) {
            void *p = top.a.vtable->alloc(top.a.ctx, 32, 3, 0);
            escape(p);
            if (use_pool)
                top.a.vtable->free(top.a.ctx, p, 32, 3, 0);
        }
        if (!use_pool)
            top.probe->reset(top.a.ctx, AS_RESET_RETAIN_CAPACITY, 0);
        ns[b] = (now_ns() - t0) / (double)n;
    }
    counting_destroy(c);
    debug_destroy(d);
    bare.probe->destroy(bare.a.ctx);
    return summarise(ns + 1, BATCHES);
}

static void bench_w5(report *r)
{
    static const char *const wraps[] = {"", "counting", "debug"};
    for (int pl = 1; pl >= 0; pl--) {
        heading(r, pl ? "W5 tracking cost around a pool: 1,000,000 hot pairs of 32 bytes"
                      : "W5 tracking cost around a bump: 200,000 allocations of 32 bytes, then reset",
                pl ? "ns per pair; 'vs malloc' column: vs the bare pool" : "ns per allocation; vs the bare bump");
        timing bare = w5_run(pl, WRAP_NONE);
        row(r, "W5", pl ? "pool (bare)" : "bump (bare)", bare, bare.median, 0, "");
        for (int w = WRAP_COUNTING; w <= WRAP_DEBUG; w++) {
            timing t = w5_run(pl, (wrap)w);
            char name[48];
            snprintf(name, sizeof name, "%s over %s", wraps[w], pl ? "pool" : "bump");
            row(r, "W5", name, t, bare.median, 0, "");
            goal(r, t.median <= 3 * bare.median, "%s at most 3x the bare %s: %.1fx", name, pl ? "pool" : "bump",
                 t.median / bare.median);
        }
    }
}

/* ---- the instruction-count loop ---- */

static int count_loop(const char *kind, size_t n)
{
    as_instance in = {0};
    kind_built built = {0};
    size_t cap = n * 80 + 4096;
    bool none = !strcmp(kind, "none");
    if (!none && strcmp(kind, "malloc") != 0) {
        const kind_row *k = kind_find(kind);
        strbuf err;
        sb_init(&err);
        bool ok = k && kind_build_plain(kind, k->default_size > cap ? k->default_size : cap, &built, &err);
        sb_free(&err);
        if (!ok || built.top.probe->set_ledger == NULL) {
            kind_destroy(&built);
            fprintf(stderr, "bench --count: bump, fixed, arena, malloc or none (the loop alone)\n");
            return 2;
        }
        in = built.top;
        in.probe->set_ledger(in.a.ctx, false); /* the bare allocator */
    }
    static const size_t lens[4] = {16, 32, 64, 32};
    for (size_t i = 0; i < n; i++) {
        size_t len = lens[i & 3];
        void *p = none ? (void *)len : in.a.ctx ? in.a.vtable->alloc(in.a.ctx, len, 4, 0) : malloc(len);
        escape(p);
    }
    kind_destroy(&built);
    return 0;
}

static void run_scale(report *r) { bench_scale(r->json, &r->first_row); }
static void run_traces(report *r) { bench_scale_traces(r->json, &r->first_row); }

int bench_main(int argc, char **argv)
{
    report r = {false, true};
    const char *which = "all";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            r.json = true;
        else if (!strcmp(argv[i], "--count") && i + 2 < argc)
            return count_loop(argv[i + 1], (size_t)strtoull(argv[i + 2], NULL, 10));
        else if (!strcmp(argv[i], "--frames") && i + 2 < argc)
            return bench_frames(argv[i + 1], atoi(argv[i + 2]));
        else
            which = argv[i];
    }
    static const struct {
        const char *name;
        void (*run)(report *r);
    } workloads[] = {{"W1", bench_w1}, {"W2", bench_w2}, {"W3", bench_w3}, {"W4", bench_w4},
                     {"W5", bench_w5}, {"scale", run_scale}, {"traces", run_traces}};
    bool any = false;
    for (size_t k = 0; k < sizeof workloads / sizeof workloads[0]; k++)
        any = any || !strcmp(which, "all") || !strcasecmp(which, workloads[k].name);
    if (!any) {
        fprintf(stderr, "allocscope bench: unknown workload '%s' (W1, W2, W3, W4, W5, scale, traces, all)\n", which);
        return 2;
    }
    if (r.json)
        printf("[");
    else
        printf("allocscope bench: median and minimum of %d timed batches after a warm-up; "
               "'vs malloc' = how many times faster than glibc malloc in the same run\n", BATCHES);
    for (size_t k = 0; k < sizeof workloads / sizeof workloads[0]; k++) {
        if (strcmp(which, "all") && strcasecmp(which, workloads[k].name))
            continue;
        if (!strcmp(which, "all") && workloads[k].run == run_traces)
            continue; /* part of scale */
        workloads[k].run(&r);
    }
    if (r.json)
        printf("]\n");
    return 0;
}
