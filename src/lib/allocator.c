/*
 * allocator.c - the helpers around the allocator vtable: the type-erased
 * calls (as Zig's Allocator wrapper does them), regions, and the small
 * pieces of inspection every allocator shares.
 */
#include "allocscope/allocator.h"

#include <stdlib.h>
#include <string.h>

uint8_t as_log2(size_t x)
{
    if (!as_is_power_of_two(x))
        return 255;
    uint8_t n = 0;
    while (x > 1) {
        x >>= 1;
        n++;
    }
    return n;
}

void *as_alloc(as_allocator a, size_t len, uint8_t align_log2)
{
    if (len == 0 || align_log2 > AS_MAX_ALIGN_LOG2)
        return NULL;
    return a.vtable->alloc(a.ctx, len, align_log2, (uintptr_t)__builtin_return_address(0));
}

void as_free(as_allocator a, void *mem, size_t len, uint8_t align_log2)
{
    if (mem == NULL || len == 0)
        return;
    memset(mem, AS_FREED_BYTE, len);
    a.vtable->free(a.ctx, mem, len, align_log2, (uintptr_t)__builtin_return_address(0));
}

bool as_resize(as_allocator a, void *mem, size_t len, uint8_t align_log2, size_t new_len)
{
    if (new_len == 0 || mem == NULL)
        return false;
    if (new_len == len)
        return true;
    return a.vtable->resize(a.ctx, mem, len, align_log2, new_len,
                            (uintptr_t)__builtin_return_address(0));
}

void *as_realloc(as_allocator a, void *mem, size_t len, uint8_t align_log2, size_t new_len)
{
    uintptr_t ra = (uintptr_t)__builtin_return_address(0);
    if (mem == NULL || len == 0)
        return as_alloc(a, new_len, align_log2);
    if (new_len == 0)
        return NULL;
    if (new_len == len)
        return mem;
    void *moved = a.vtable->remap(a.ctx, mem, len, align_log2, new_len, ra);
    if (moved != NULL)
        return moved;
    void *fresh = a.vtable->alloc(a.ctx, new_len, align_log2, ra);
    if (fresh == NULL)
        return NULL;
    memcpy(fresh, mem, len < new_len ? len : new_len);
    as_free(a, mem, len, align_log2);
    return fresh;
}

bool as_no_resize(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len, uintptr_t ra)
{
    (void)ctx, (void)mem, (void)len, (void)align_log2, (void)new_len, (void)ra;
    return false;
}

void *as_no_remap(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len, uintptr_t ra)
{
    (void)ctx, (void)mem, (void)len, (void)align_log2, (void)new_len, (void)ra;
    return NULL;
}

void *as_remap_via_resize(const as_vtable *vt, void *ctx, void *mem, size_t len,
                          uint8_t align_log2, size_t new_len, uintptr_t ra)
{
    return vt->resize(ctx, mem, len, align_log2, new_len, ra) ? mem : NULL;
}

/* calloc, so that a fresh region reads as zeros (large ones come from
 * fresh pages, never touched); the block calloc gave is kept in the word
 * before the aligned start. */
void *as_region_new(size_t size, size_t *rounded)
{
    size_t whole;
    if (size == 0 || !as_align_forward(size, AS_REGION_ALIGN, &whole) || whole > (SIZE_MAX >> 2))
        return NULL;
    unsigned char *raw = calloc(1, whole + AS_REGION_ALIGN);
    if (raw == NULL)
        return NULL;
    uintptr_t start = ((uintptr_t)raw + sizeof(void *) + AS_REGION_ALIGN - 1) & ~(uintptr_t)(AS_REGION_ALIGN - 1);
    void **p = (void **)start;
    p[-1] = raw;
    if (rounded)
        *rounded = whole;
    return p;
}

void as_region_delete(void *region)
{
    if (region)
        free(((void **)region)[-1]);
}

static const char *const span_names[] = {
#define AS_X(id, name, what) name,
    AS_SPAN_KINDS(AS_X)
#undef AS_X
};

const char *as_span_kind_name(as_span_kind kind)
{
    return (unsigned)kind < AS_SPAN_KIND_COUNT ? span_names[kind] : "?";
}

static const char *const verdict_names[] = {
#define AS_X(id, name, what) name,
    AS_VERDICTS(AS_X)
#undef AS_X
};
static const char *const verdict_texts[] = {
#define AS_X(id, name, what) what,
    AS_VERDICTS(AS_X)
#undef AS_X
};

const char *as_verdict_name(as_free_verdict v) { return verdict_names[v]; }
const char *as_verdict_text(as_free_verdict v) { return verdict_texts[v]; }

static const char *const event_names[] = {
#define AS_X(id, name) name,
    AS_EVENTS(AS_X)
#undef AS_X
};

const char *as_event_name(as_event_kind kind) { return event_names[kind]; }

void as_report(const as_event_sink *sink, const as_event *ev)
{
    if (sink && sink->event)
        sink->event(sink->user, ev);
}

void as_emit_region(const as_inspector *in, uint32_t region, const void *base, size_t size)
{
    if (in->region)
        in->region(in->user, region, base, size);
}

void as_emit_marker(const as_inspector *in, as_marker_kind kind, uint32_t region, size_t offset)
{
    if (in->marker == NULL)
        return;
    as_marker m = {kind, region, offset};
    in->marker(in->user, &m);
}

void as_writer_flush(as_span_writer *w)
{
    const as_inspector *in = w->in;
    if (w->count && in->spans)
        in->spans(in->user, w->batch, w->count);
    else if (in->span)
        for (size_t i = 0; i < w->count; i++)
            in->span(in->user, &w->batch[i]);
    w->count = 0;
}

void as_write_marker(as_span_writer *w, as_marker_kind kind, uint32_t region, size_t offset)
{
    if (w->in->marker == NULL)
        return;
    as_writer_flush(w);
    as_emit_marker(w->in, kind, region, offset);
}

typedef struct usage_acc {
    as_usage *u;
    const void *last_live;
} usage_acc;

static void usage_region(void *user, uint32_t region, const void *base, size_t size)
{
    (void)region, (void)base;
    ((usage_acc *)user)->u->capacity += size;
}

static void usage_span(void *user, const as_span *s)
{
    usage_acc *acc = user;
    as_usage *u = acc->u;
    switch (s->kind) {
    case AS_SPAN_LIVE:
        u->live_bytes += s->len;
        if (s->block != acc->last_live)
            u->live_blocks++;
        acc->last_live = s->block;
        return;
    case AS_SPAN_FREED: u->freed_bytes += s->len; break;
    case AS_SPAN_PADDING: u->padding_bytes += s->len; break;
    case AS_SPAN_META: u->metadata_bytes += s->len; break;
    case AS_SPAN_UNUSED: u->unused_bytes += s->len; break;
    case AS_SPAN_SLACK: u->slack_bytes += s->len; break;
    case AS_SPAN_DAMAGED: u->damaged_bytes += s->len; break;
    case AS_SPAN_UNKNOWN: u->unknown_bytes += s->len; break;
    case AS_SPAN_KIND_COUNT: break;
    }
    acc->last_live = NULL;
}

void as_usage_of(const as_probe *probe, const void *ctx, as_usage *out)
{
    memset(out, 0, sizeof *out);
    usage_acc acc = {out, NULL};
    as_inspector in = {.region = usage_region, .span = usage_span, .user = &acc};
    probe->inspect(ctx, &in);
}

bool as_save_written(const as_saver *w, const void *buf, size_t high)
{
    return high == 0 || as_save(w, buf, high);
}

bool as_load_written(const as_loader *r, void *buf, size_t then, size_t now)
{
    if (then && !as_load(r, buf, then))
        return false;
    if (now > then)
        memset((unsigned char *)buf + then, 0, now - then);
    return true;
}
