/*
 * evidence.c - facts about particular bytes, from the spans (see
 * evidence.h). Cost: one inspection to collect, then a linear look per
 * question (spans are in address order per region).
 */
#include "allocscope/evidence.h"

#include <stdlib.h>
#include <string.h>

static void add_span(evidence *ev, const as_span *sp)
{
    if (ev->failed)
        return;
    if (ev->count == ev->cap) {
        size_t cap = ev->cap ? ev->cap * 2 : 64;
        as_span *grown = realloc(ev->spans, cap * sizeof *grown);
        if (grown == NULL) {
            ev->failed = true;
            return;
        }
        ev->spans = grown;
        ev->cap = cap;
    }
    ev->spans[ev->count++] = *sp;
}

static void on_span(void *user, const as_span *sp) { add_span(user, sp); }
static void on_spans(void *user, const as_span *sp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        add_span(user, &sp[i]);
}

static int by_block(const void *a, const void *b)
{
    uintptr_t p = (uintptr_t)((const as_span *)a)->block, q = (uintptr_t)((const as_span *)b)->block;
    return (p > q) - (p < q);
}

bool evidence_collect(const session *s, evidence *ev)
{
    memset(ev, 0, sizeof *ev);
    as_instance in = session_active_instance(s);
    if (in.a.ctx == NULL || in.probe == NULL || in.probe->inspect == NULL)
        return true;
    as_inspector ins = {.span = on_span, .spans = on_spans, .user = ev};
    in.probe->inspect(in.a.ctx, &ins);
    if (ev->failed)
        return false;
    for (size_t i = 0; i < ev->count; i++)
        ev->slack_count += ev->spans[i].kind == AS_SPAN_SLACK && ev->spans[i].block;
    if (ev->slack_count && (ev->slack = malloc(ev->slack_count * sizeof *ev->slack)) == NULL) {
        ev->failed = true;
        return false;
    }
    size_t k = 0;
    for (size_t i = 0; i < ev->count; i++)
        if (ev->spans[i].kind == AS_SPAN_SLACK && ev->spans[i].block)
            ev->slack[k++] = ev->spans[i];
    if (ev->slack_count)
        qsort(ev->slack, ev->slack_count, sizeof *ev->slack, by_block);
    return true;
}

void evidence_free(evidence *ev)
{
    free(ev->spans);
    free(ev->slack);
    memset(ev, 0, sizeof *ev);
}

bool evidence_range_kind(const evidence *ev, uint32_t region, size_t offset, size_t len, as_span_kind *kind)
{
    *kind = AS_SPAN_KIND_COUNT;
    size_t at = offset, end = offset + len;
    bool same = true;
    if (len == 0 || end < offset)
        return false;
    for (size_t i = 0; i < ev->count && at < end; i++) {
        const as_span *sp = &ev->spans[i];
        if (sp->region != region || sp->offset + sp->len <= at || sp->offset > at)
            continue;
        if (*kind == AS_SPAN_KIND_COUNT)
            *kind = sp->kind;
        else if (sp->kind != *kind)
            same = false;
        at = sp->offset + sp->len;
        i = (size_t)-1; /* spans of other regions may come between: look again from the start */
    }
    return same && at >= end && *kind != AS_SPAN_KIND_COUNT;
}

size_t evidence_slack_of(const evidence *ev, const void *ptr)
{
    size_t lo = 0, hi = ev->slack_count, n = 0;
    while (lo < hi) { /* the first slack span of ptr or after it */
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)ev->slack[mid].block < (uintptr_t)ptr)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < ev->slack_count && ev->slack[lo].block == ptr; lo++)
        n += ev->slack[lo].len;
    return n;
}

/* The start of block's bytes in the spans (its LIVE or FREED span). */
static bool block_start(const evidence *ev, const void *block, uint32_t region, size_t *offset)
{
    for (size_t i = 0; i < ev->count; i++) {
        const as_span *sp = &ev->spans[i];
        if (sp->block == block && sp->region == region && (sp->kind == AS_SPAN_LIVE || sp->kind == AS_SPAN_FREED ||
                                                             sp->kind == AS_SPAN_DAMAGED)) {
            *offset = sp->offset;
            return true;
        }
    }
    return false;
}

bool evidence_damage_at(const evidence *ev, size_t k, evidence_damage *out)
{
    for (size_t i = 0; i < ev->count; i++) {
        const as_span *sp = &ev->spans[i];
        if (sp->kind != AS_SPAN_DAMAGED)
            continue;
        if (k-- > 0)
            continue;
        size_t start = sp->offset;
        *out = (evidence_damage){sp->region, sp->offset, sp->len, sp->block, 0};
        if (sp->block && block_start(ev, sp->block, sp->region, &start))
            out->from_block = sp->offset - start;
        return true;
    }
    return false;
}

size_t evidence_damage_count(const evidence *ev, size_t *bytes)
{
    size_t n = 0, b = 0;
    for (size_t i = 0; i < ev->count; i++)
        if (ev->spans[i].kind == AS_SPAN_DAMAGED)
            n++, b += ev->spans[i].len;
    if (bytes)
        *bytes = b;
    return n;
}
