/*
 * testkit.h - shared helpers for the allocator tests: build any allocator
 * by name, and verify what its inspection says against what the test knows.
 */
#ifndef ALLOCSCOPE_TESTKIT_H
#define ALLOCSCOPE_TESTKIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "allocscope/allocator.h"
#include "allocscope/kinds.h"
#include "allocscope/arena.h"
#include "allocscope/buddy.h"
#include "allocscope/bump.h"
#include "allocscope/counting.h"
#include "allocscope/debug.h"
#include "allocscope/fixed.h"
#include "allocscope/freelist.h"
#include "allocscope/pool.h"
#include "allocscope/stack.h"
#include "allocscope/sysheap.h"

/* An allocator under test, built by the program's own factory (kinds.h). */
typedef struct tk_alloc {
    char name[48];
    as_instance top;
    kind_built built;
} tk_alloc;

static inline void tk_destroy(tk_alloc *t) { kind_destroy(&t->built); }

/* A plain kind of the factory; the freelist's fits are named alone. */
static inline const kind_row *tk_plain(const char *kind, kind_spec *sp)
{
    static const char *const fits[] = {"first-fit", "best-fit", "next-fit"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(kind, fits[i])) {
            sp->fit = (freelist_fit)i;
            return kind_find("freelist");
        }
    const kind_row *k = kind_find(kind);
    if (k == NULL)
        fail_msg("unknown kind %s", kind);
    return k;
}

static inline size_t tk_round_pow2(size_t cap)
{
    size_t p = 16;
    while (p < cap)
        p <<= 1;
    return p;
}

/* kinds: bump, fixed, stack, first-fit, best-fit, next-fit, buddy (cap
 * rounded up to a power of two), "arena" (system heap), "arena/bump",
 * "debug/<plain>", "counting/<plain>", "pool/<align_log2>". */
static inline tk_alloc tk_make(const char *kind, size_t cap)
{
    tk_alloc t = {0};
    kind_spec sp = {.size = cap, .has_size = true};
    snprintf(t.name, sizeof t.name, "%s", kind);
    const char *slash = strchr(kind, '/');
    if (!strcmp(kind, "arena")) {
        sp.kind = kind_find("arena");
    } else if (!strcmp(kind, "arena/bump")) {
        sp.kind = kind_find("arena");
        sp.over = kind_find("bump");
        sp.over_size = cap * 4;
        sp.over_has_size = true;
    } else if (!strncmp(kind, "pool/", 5)) {
        sp.kind = kind_find("pool");
        sp.size = 64;
        sp.align_log2 = (unsigned)atoi(kind + 5);
        sp.has_align = true;
    } else if (slash) {
        char outer[16];
        snprintf(outer, sizeof outer, "%.*s", (int)(slash - kind), kind);
        sp.kind = kind_find(outer);
        sp.over = tk_plain(slash + 1, &sp);
        if (sp.over == kind_find("buddy"))
            sp.size = tk_round_pow2(cap);
    } else {
        sp.kind = tk_plain(kind, &sp);
        if (sp.kind == kind_find("buddy"))
            sp.size = tk_round_pow2(cap);
    }
    strbuf err;
    sb_init(&err);
    if (!kind_build(&sp, &t.built, &err))
        fail_msg("%s: %s", kind, sb_str(&err));
    sb_free(&err);
    t.top = t.built.top;
    assert_non_null(t.top.a.ctx);
    return t;
}

/* ---- span verification ---- */

#define TK_MAX_REGIONS 64
#define TK_MAX_SPANS 20000

typedef struct tk_view {
    size_t region_size[TK_MAX_REGIONS];
    const unsigned char *region_base[TK_MAX_REGIONS];
    size_t regions;
    as_span spans[TK_MAX_SPANS];
    size_t count;
    size_t markers;
    uint64_t marker_order;   /* each marker, and how many spans came before it */
    bool overflow;
} tk_view;

static inline void tk_on_region(void *u, uint32_t r, const void *base, size_t size)
{
    tk_view *v = u;
    assert_int_equal(r, v->regions);
    assert_true(r < TK_MAX_REGIONS);
    v->region_base[r] = base;
    v->region_size[r] = size;
    v->regions++;
    assert_int_equal((uintptr_t)base % AS_REGION_ALIGN, 0);
}

static inline void tk_on_span(void *u, const as_span *s)
{
    tk_view *v = u;
    if (v->count == TK_MAX_SPANS) {
        v->overflow = true;
        return;
    }
    v->spans[v->count++] = *s;
}

static inline void tk_on_marker(void *u, const as_marker *m)
{
    tk_view *v = u;
    assert_true(m->region < v->regions);
    assert_true(m->offset <= v->region_size[m->region]);
    /* a marker comes after the spans of the bytes it marks */
    size_t i = v->count;
    while (i > 0 && v->spans[i - 1].region != m->region)
        i--;
    if (!v->overflow && (i == 0 || v->spans[i - 1].offset + v->spans[i - 1].len < m->offset))
        fail_msg("marker %d at %zu of region %u came before the spans that cover it", (int)m->kind, m->offset,
                 m->region);
    v->markers++;
    v->marker_order = v->marker_order * 1000003u + ((uint64_t)m->kind << 56 ^ (uint64_t)m->region << 48 ^
                                                    (uint64_t)m->offset << 20 ^ v->count);
}

static inline void tk_on_spans(void *u, const as_span *spans, size_t n)
{
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++)
        tk_on_span(u, &spans[i]);
}

/* Inspects and asserts the spans cover every region exactly, in order. */
static inline void tk_inspect(const as_instance *in, tk_view *v)
{
    memset(v, 0, sizeof *v);
    as_inspector ins = {.region = tk_on_region, .span = tk_on_span, .marker = tk_on_marker, .user = v};
    in->probe->inspect(in->a.ctx, &ins);
    assert_false(v->overflow);
    size_t i = 0;
    for (uint32_t r = 0; r < v->regions; r++) {
        size_t cursor = 0;
        for (; i < v->count && v->spans[i].region == r; i++) {
            const as_span *s = &v->spans[i];
            if (s->offset != cursor)
                fail_msg("%s: region %u: span at %zu, expected %zu (gap or overlap)",
                         in->probe->kind, r, s->offset, cursor);
            assert_true(s->len > 0);
            if (s->kind == AS_SPAN_LIVE)
                assert_ptr_equal(s->block, v->region_base[r] + s->offset);
            cursor += s->len;
        }
        if (cursor != v->region_size[r])
            fail_msg("%s: region %u covered up to %zu of %zu", in->probe->kind, r, cursor,
                     v->region_size[r]);
    }
    assert_int_equal(i, v->count);
}

/* The same inspection, with the spans taken in batches (as_inspector.spans). */
static inline void tk_inspect_batched(const as_instance *in, tk_view *v)
{
    memset(v, 0, sizeof *v);
    as_inspector ins = {.region = tk_on_region, .spans = tk_on_spans, .marker = tk_on_marker, .user = v};
    in->probe->inspect(in->a.ctx, &ins);
    assert_false(v->overflow);
}

static inline bool tk_views_equal(const tk_view *a, const tk_view *b)
{
    if (a->regions != b->regions || a->count != b->count || a->markers != b->markers ||
        a->marker_order != b->marker_order)
        return false;
    for (size_t i = 0; i < a->count; i++) {
        const as_span *x = &a->spans[i], *y = &b->spans[i];
        if (x->region != y->region || x->offset != y->offset || x->len != y->len ||
            x->kind != y->kind || x->block != y->block)
            return false;
    }
    return true;
}

/* The LIVE span of block p, or NULL. */
static inline const as_span *tk_live_span(const tk_view *v, const void *p)
{
    for (size_t i = 0; i < v->count; i++)
        if (v->spans[i].kind == AS_SPAN_LIVE && v->spans[i].block == p)
            return &v->spans[i];
    return NULL;
}

static inline void tk_assert_check(const as_instance *in)
{
    const char *why = in->probe->check ? in->probe->check(in->a.ctx) : NULL;
    if (why)
        fail_msg("%s: invariant broken: %s", in->probe->kind, why);
}

/* Deterministic xorshift for property tests. */
static inline uint64_t tk_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

#endif
