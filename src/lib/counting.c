/*
 * counting.c - the counting wrapper (see counting.h).
 *
 * A checkpoint holds the struct, its counters: a save copies 100 bytes;
 * the wrapped allocator is saved as an instance of its own.
 */
#include "allocscope/counting.h"

#include <stdlib.h>

/* Only what each call must touch is counted on the way; the rest of
 * counting_stats is derived when asked for (active = allocations - frees,
 * alloc calls = allocations + failures). */
struct counting {
    as_instance inner;
    counting_stats st;
    size_t allocations;     /* successful */
    size_t freed_before;      /* frees counted before the last counting_forget_live */
    size_t freed_allocs_base; /* allocations counted before it */
};

counting *counting_create(as_instance inner)
{
    counting *c = calloc(1, sizeof *c);
    if (c)
        c->inner = inner;
    return c;
}

void counting_destroy(counting *c) { free(c); }

static void grew(counting *c, size_t old_len, size_t new_len)
{
    c->st.current_bytes = c->st.current_bytes - old_len + new_len;
    if (c->st.current_bytes > c->st.peak_bytes)
        c->st.peak_bytes = c->st.current_bytes;
}

static void *cnt_alloc(void *ctx, size_t len, uint8_t al, uintptr_t ra)
{
    counting *c = ctx;
    void *p = c->inner.a.vtable->alloc(c->inner.a.ctx, len, al, ra);
    if (p == NULL) {
        c->st.failed_allocs++;
        return NULL;
    }
    c->allocations++;
    grew(c, 0, len);
    return p;
}

static bool cnt_resize(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    counting *c = ctx;
    c->st.resize_calls++;
    if (!c->inner.a.vtable->resize(c->inner.a.ctx, mem, len, al, new_len, ra))
        return false;
    grew(c, len, new_len);
    return true;
}

static void *cnt_remap(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    counting *c = ctx;
    c->st.remap_calls++;
    void *p = c->inner.a.vtable->remap(c->inner.a.ctx, mem, len, al, new_len, ra);
    if (p)
        grew(c, len, new_len);
    return p;
}

static void cnt_free(void *ctx, void *mem, size_t len, uint8_t al, uintptr_t ra)
{
    counting *c = ctx;
    c->st.free_calls++;
    c->inner.a.vtable->free(c->inner.a.ctx, mem, len, al, ra);
    c->st.current_bytes -= len <= c->st.current_bytes ? len : c->st.current_bytes;
}

static const as_vtable counting_vtable = {cnt_alloc, cnt_resize, cnt_remap, cnt_free};

as_allocator counting_allocator(counting *c) { return (as_allocator){c, &counting_vtable}; }
as_instance counting_instance(counting *c) { return (as_instance){counting_allocator(c), &counting_probe}; }

counting_stats counting_get_stats(const counting *c)
{
    counting_stats st = c->st;
    st.alloc_calls = c->allocations + c->st.failed_allocs;
    size_t frees = c->st.free_calls - c->freed_before;
    size_t live_allocs = c->allocations - c->freed_allocs_base;
    st.active_allocations = live_allocs > frees ? live_allocs - frees : 0;
    return st;
}

void counting_forget_live(counting *c)
{
    c->freed_before = c->st.free_calls;
    c->freed_allocs_base = c->allocations;
    c->st.current_bytes = 0;
}

static void probe_inspect(const void *ctx, const as_inspector *in)
{
    const counting *c = ctx;
    c->inner.probe->inspect(c->inner.a.ctx, in);
}

static const char *probe_check(const void *ctx)
{
    const counting *c = ctx;
    if (c->st.current_bytes > c->st.peak_bytes)
        return "counting: current bytes above the peak";
    return c->inner.probe->check ? c->inner.probe->check(c->inner.a.ctx) : NULL;
}

static as_free_verdict probe_judge(const void *ctx, const void *mem, size_t len, uint8_t al)
{
    const counting *c = ctx;
    return c->inner.probe->judge_free(c->inner.a.ctx, mem, len, al);
}

static bool probe_reset(void *ctx, as_reset_mode mode, size_t limit)
{
    counting *c = ctx;
    if (c->inner.probe->reset == NULL || !c->inner.probe->reset(c->inner.a.ctx, mode, limit))
        return false;
    counting_forget_live(c);
    return true;
}

static void probe_set_sink(void *ctx, as_event_sink sink)
{
    counting *c = ctx;
    if (c->inner.probe->set_sink)
        c->inner.probe->set_sink(c->inner.a.ctx, sink);
}

static bool probe_offset(const void *ctx, size_t *out)
{
    const counting *c = ctx;
    return c->inner.probe->offset && c->inner.probe->offset(c->inner.a.ctx, out);
}

static bool probe_locate(const void *ctx, const void *mem, as_location *out)
{
    const counting *w = ctx;
    return w->inner.probe->locate && w->inner.probe->locate(w->inner.a.ctx, mem, out);
}

static void probe_destroy(void *ctx) { counting_destroy(ctx); }

static size_t probe_figures(const void *ctx, as_figure *out, size_t max)
{
    counting_stats c = counting_get_stats(ctx);
    as_figure f[] = {{"active", c.active_allocations, false, NULL}, {"bytes now", c.current_bytes, false, NULL},
                     {"peak", c.peak_bytes, true, NULL},          {"alloc", c.alloc_calls, false, "calls"},
                     {"resize", c.resize_calls, false, NULL},     {"remap", c.remap_calls, false, NULL},
                     {"free", c.free_calls, false, NULL}};
    size_t n = sizeof f / sizeof f[0] < max ? sizeof f / sizeof f[0] : max;
    for (size_t i = 0; i < n; i++)
        out[i] = f[i];
    return n;
}

/* ---- checkpoints: the struct (its counters); the wrapped allocator is an
 * instance of its own, and the one set now stays ---- */

static bool probe_save(const void *ctx, const as_saver *w) { return as_save(w, ctx, sizeof(counting)); }

static bool probe_restore(void *ctx, const as_loader *r)
{
    counting *c = ctx, t;
    if (!as_load(r, &t, sizeof t) || t.inner.a.ctx != c->inner.a.ctx)
        return false;
    t.inner = c->inner;
    *c = t;
    return true;
}

const as_probe counting_probe = {
    .kind = "counting",
    .inspect = probe_inspect,
    .check = probe_check,
    .judge_free = probe_judge,
    .reset = probe_reset,
    .set_sink = probe_set_sink,
    .offset = probe_offset,
    .locate = probe_locate,
    .destroy = probe_destroy,
    .figures = probe_figures,
    .save = probe_save,
    .restore = probe_restore,
};
