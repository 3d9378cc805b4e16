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

/* An allocator under test, with whatever it wraps. */
typedef struct tk_alloc {
    char name[48];
    as_instance top;
    as_instance inner;   /* wrapped or backing allocator, if any */
    bool has_inner;
} tk_alloc;

static inline void tk_destroy(tk_alloc *t)
{
    t->top.probe->destroy(t->top.a.ctx);
    if (t->has_inner && t->inner.probe->destroy)
        t->inner.probe->destroy(t->inner.a.ctx);
}

static inline as_instance tk_plain(const char *kind, size_t cap)
{
    if (!strcmp(kind, "bump")) return bump_instance(bump_create(cap));
    if (!strcmp(kind, "fixed")) return fixed_instance(fixed_create(cap));
    if (!strcmp(kind, "stack")) return stack_instance(stack_create(cap));
    if (!strcmp(kind, "first-fit")) return freelist_instance(freelist_create(cap, FREELIST_FIRST_FIT));
    if (!strcmp(kind, "best-fit")) return freelist_instance(freelist_create(cap, FREELIST_BEST_FIT));
    if (!strcmp(kind, "next-fit")) return freelist_instance(freelist_create(cap, FREELIST_NEXT_FIT));
    if (!strcmp(kind, "buddy")) {
        size_t p = 16;
        while (p < cap) p <<= 1;
        return buddy_instance(buddy_create(p));
    }
    fail_msg("unknown kind %s", kind);
    return (as_instance){0};
}

/* kinds: plain ones above, "arena" (system heap), "arena/bump",
 * "debug/<plain>", "counting/<plain>", "pool/<align_log2>". */
static inline tk_alloc tk_make(const char *kind, size_t cap)
{
    tk_alloc t = {0};
    snprintf(t.name, sizeof t.name, "%s", kind);
    if (!strcmp(kind, "arena")) {
        t.top = arena_instance(arena_create(sysheap_instance()));
    } else if (!strcmp(kind, "arena/bump")) {
        t.inner = tk_plain("bump", cap * 4);
        t.has_inner = true;
        t.top = arena_instance(arena_create(t.inner));
    } else if (!strncmp(kind, "debug/", 6)) {
        t.inner = tk_plain(kind + 6, cap);
        t.has_inner = true;
        t.top = debug_instance(debug_create(t.inner));
    } else if (!strncmp(kind, "counting/", 9)) {
        t.inner = tk_plain(kind + 9, cap);
        t.has_inner = true;
        t.top = counting_instance(counting_create(t.inner));
    } else if (!strncmp(kind, "pool/", 5)) {
        pool_options o = {64, (uint8_t)atoi(kind + 5), 8, true};
        t.top = pool_instance(pool_create(o));
    } else {
        t.top = tk_plain(kind, cap);
    }
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
