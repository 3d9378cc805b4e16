/*
 * reports.c - the commands that describe the state: bins, blocks, stats,
 * leaks, check, show, types and layout.
 */
#include "session_internal.h"

#include <stdio.h>
#include <string.h>

#include "allocscope/buddy.h"
#include "allocscope/counting.h"
#include "allocscope/freelist.h"
#include "allocscope/pool.h"
#include "allocscope/textmap.h"

/* The allocator that holds the free structures: wrappers hold none. */
static as_instance structural(const sess_allocator *a)
{
    if ((a->debug || !strcmp(a->kind, "counting")) && a->owned_count)
        return a->owned[0];
    return a->top;
}

typedef struct chain {
    strbuf *out;
    size_t count, bytes;
    const char *unit;
} chain;

static void chain_link(void *user, size_t off, size_t size)
{
    chain *c = user;
    sb_printf(c->out, "%s[%zu: %zu]", c->count ? " -> " : "  ", off, size);
    c->count++;
    c->bytes += size;
}

static void pool_link(void *user, size_t slab, size_t off, size_t size)
{
    chain *c = user;
    sb_printf(c->out, "%s[slab %zu +%zu]", c->count ? " -> " : "  ", slab, off);
    c->count++;
    c->bytes += size;
}

session_status cmd_bins(session *s, const parse_words *w, strbuf *out)
{
    (void)w;
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator yet");
    const sess_allocator *a = sess_active(s);
    as_instance in = structural(a);
    const char *kind = in.probe->kind;
    chain c = {out, 0, 0, ""};
    if (!strcmp(kind, "freelist")) {
        sb_printf(out, "%s free list, address order [offset: block bytes], %s:\n", a->name,
                  freelist_fit_name(freelist_get_fit(in.a.ctx)));
        freelist_walk_free(in.a.ctx, chain_link, &c);
        sb_printf(out, "%s%zu free block%s, %zu bytes; largest %zu; fragmentation %.0f%%\n",
                  c.count ? "\n  " : "  (empty)\n  ", c.count, c.count == 1 ? "" : "s", c.bytes,
                  freelist_largest_free(in.a.ctx), 100.0 * freelist_fragmentation(in.a.ctx));
    } else if (!strcmp(kind, "buddy")) {
        sb_printf(out, "%s free lists by order [offset: bytes]:\n", a->name);
        for (unsigned k = buddy_max_order(in.a.ctx) + 1; k-- > 0;) {
            chain ck = {out, 0, 0, ""};
            sb_printf(out, "  order %2u (%7zu bytes):", k, (size_t)BUDDY_MIN_BLOCK << k);
            buddy_walk_free(in.a.ctx, k, chain_link, &ck);
            sb_add(out, ck.count ? "\n" : "  -\n");
        }
    } else if (!strcmp(kind, "pool")) {
        sb_printf(out, "%s free list, in the order create() takes them (LIFO):\n", a->name);
        pool_walk_free(in.a.ctx, pool_link, &c);
        sb_printf(out, "%s%zu free slot%s of %zu bytes\n", c.count ? "\n  " : "  (empty)\n  ", c.count,
                  c.count == 1 ? "" : "s", pool_slot_size(in.a.ctx));
    } else {
        session_stats st;
        session_get_stats(s, &st);
        sb_printf(out, "%s (%s) keeps no free list: free space is what lies after the offset", a->name, kind);
        if (st.has_offset)
            sb_printf(out, " (%zu bytes after offset %zu)", st.capacity - st.offset, st.offset);
        sb_addc(out, '\n');
    }
    return SESSION_OK;
}

session_status cmd_blocks(session *s, const parse_words *w, strbuf *out)
{
    (void)w;
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator yet");
    size_t n = session_block_count(s);
    sb_printf(out, "%s: %zu block%s\n", sess_active(s)->name, n, n == 1 ? "" : "s");
    sb_printf(out, "  %-5s %-14s %6s %8s %8s %6s %8s  %-6s %s\n", "id", "name", "region",
              s->show_addresses ? "address" : "offset", "size", "align", "padding", "state", "steps");
    for (size_t i = 0; i < n; i++) {
        session_block b = session_block_at(s, i);
        char pos[32];
        if (s->show_addresses)
            snprintf(pos, sizeof pos, "%p", b.ptr);
        else
            snprintf(pos, sizeof pos, "%zu", b.offset);
        sb_printf(out, "  #%-4d %-14s %6u %8s %8zu %6zu %8zu  %-6s %zu", b.id, b.name, b.region, pos,
                  b.size, b.align, b.padding, b.live ? "live" : "freed", b.alloc_step);
        if (!b.live)
            sb_printf(out, "-%zu", b.free_step);
        if (b.type[0])
            sb_printf(out, "  %s", b.type);
        sb_addc(out, '\n');
    }
    return SESSION_OK;
}

session_status cmd_stats(session *s, const parse_words *w, strbuf *out)
{
    (void)w;
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator yet");
    const sess_allocator *a = sess_active(s);
    session_stats st;
    session_get_stats(s, &st);
    sb_printf(out, "%s: %s\n", a->name, a->desc);
    sb_printf(out, "  capacity       %zu bytes\n", st.capacity);
    if (st.has_offset)
        sb_printf(out, "  offset         %zu\n", st.offset);
    sb_printf(out, "  live           %zu block%s, %zu bytes\n", st.live_blocks, st.live_blocks == 1 ? "" : "s",
              st.live_bytes);
    sb_printf(out, "  padding        %zu bytes\n", st.padding_bytes);
    sb_printf(out, "  metadata       %zu bytes\n", st.metadata_bytes);
    sb_printf(out, "  freed          %zu bytes (not yet reused)\n", st.freed_bytes);
    sb_printf(out, "  unused         %zu bytes\n", st.unused_bytes);
    sb_printf(out, "  peak           %zu bytes live\n", st.peak_bytes);
    sb_printf(out, "  total          %zu allocated, %zu freed\n", st.total_allocated, st.total_freed);
    if (a->debug) {
        debug_stats d = debug_get_stats(a->debug);
        sb_printf(out, "  debug          %zu active allocations, %zu allocated, %zu freed, peak %zu\n",
                  d.active_allocations, d.total_allocated, d.total_freed, d.peak_bytes);
    }
    if (!strcmp(a->kind, "counting")) {
        counting_stats c = counting_get_stats(a->top.a.ctx);
        sb_printf(out, "  counting       %zu active, %zu bytes now, peak %zu; calls: %zu alloc, %zu resize, "
                       "%zu remap, %zu free\n", c.active_allocations, c.current_bytes, c.peak_bytes,
                  c.alloc_calls, c.resize_calls, c.remap_calls, c.free_calls);
    }
    return SESSION_OK;
}

session_status cmd_leaks(session *s, const parse_words *w, strbuf *out)
{
    (void)w;
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator yet");
    sess_allocator *a = sess_active(s);
    size_t n = 0, bytes = 0;
    if (a->debug) {
        debug_set_stamp(a->debug, s->step);
        n = debug_report_leaks(a->debug);
        bytes = debug_get_stats(a->debug).current_bytes;
    } else {
        for (size_t i = 0; i < a->block_count; i++) {
            sess_block *b = sess_blk(s, a->block_index[i]);
            if (!b->live)
                continue;
            const char *label = sess_label(s, b);
            sess_warn(s, "leak", "leak: %s (%u bytes) allocated at step %u was never freed", label, b->size,
                      b->alloc_step);
            n++;
            bytes += b->size;
        }
    }
    if (n)
        sb_printf(out, "%zu leak%s, %zu bytes never freed\n", n, n == 1 ? "" : "s", bytes);
    else
        sb_add(out, "no leaks: every block was freed\n");
    s->changed = true;
    return SESSION_OK;
}

session_status cmd_check(session *s, const parse_words *w, strbuf *out)
{
    (void)w;
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator yet");
    sess_allocator *a = sess_active(s);
    const char *why = a->top.probe->check ? a->top.probe->check(a->top.a.ctx) : NULL;
    size_t found = 0;
    if (a->debug) {
        debug_set_stamp(a->debug, s->step);
        found = debug_scan(a->debug);
    }
    if (why)
        sb_printf(out, "check: an invariant is broken: %s\n", why);
    else
        sb_printf(out, "check: every invariant of %s holds", a->name);
    if (a->debug)
        sb_printf(out, "; guards and poison: %zu problem%s found", found, found == 1 ? "" : "s");
    sb_addc(out, '\n');
    s->changed = found > 0;
    return SESSION_OK;
}

/* show NAME: the block's bytes, with the padding before it and (debug)
 * the guard after it. */
static session_status show_block(session *s, const char *name, strbuf *out)
{
    sess_block *b = sess_find_block(s, name);
    if (b == NULL)
        return sess_fail(out, "no block named '%s' (show NAME | show addresses | show offsets)", name);
    const char *label = sess_label(s, b);
    sess_allocator *a = s->allocs[b->alloc];
    if (!b->live && !sess_region_holds(s, b->alloc, b->ptr, b->size))
        return sess_fail(out, "%s was freed and its memory given back", label);
    sb_printf(out, "%s: %u bytes at offset %u (align %zu)%s\n", label, b->size, b->offset,
              (size_t)1 << b->align_log2, b->live ? "" : ", freed: stale bytes");
    size_t shown = b->size > SESSION_MAX_WRITE ? SESSION_MAX_WRITE : b->size;
    if (b->padding && b->padding <= 4096 && b->offset >= b->padding) {
        sb_printf(out, " padding, %u byte%s before it (never written by the program):\n", b->padding,
                  b->padding == 1 ? "" : "s");
        strbuf tmp;
        sb_init(&tmp);
        for (size_t i = 0; i < b->padding; i++)
            sb_add(&tmp, i % 16 ? " pp" : (i ? "\n   pp" : "   pp"));
        sb_add(out, sb_str(&tmp));
        sb_addc(out, '\n');
        sb_free(&tmp);
    }
    sb_add(out, " block:\n");
    for (size_t row = 0; row < shown; row += 16) {
        sb_printf(out, "  +%04zx ", row);
        for (size_t i = 0; i < 16 && row + i < shown; i++)
            sb_printf(out, " %02x", b->ptr[row + i]);
        sb_addc(out, '\n');
    }
    if (a->debug && sess_region_holds(s, b->alloc, b->ptr, b->size + DEBUG_GUARD_SIZE)) {
        sb_printf(out, " guard, %d bytes after it (should all be %02x):\n  ", DEBUG_GUARD_SIZE, DEBUG_GUARD_BYTE);
        for (size_t i = 0; i < DEBUG_GUARD_SIZE; i++)
            sb_printf(out, " %02x", b->ptr[b->size + i]);
        sb_addc(out, '\n');
    }
    return SESSION_OK;
}

session_status cmd_show(session *s, const parse_words *w, strbuf *out)
{
    if (w->count != 2)
        return sess_fail(out, "usage: show NAME | show addresses | show offsets");
    if (parse_is(w->word[1], "addresses")) {
        s->show_addresses = true;
        s->changed = true;
        sb_add(out, "positions are shown as real addresses\n");
        return SESSION_OK;
    }
    if (parse_is(w->word[1], "offsets")) {
        s->show_addresses = false;
        s->changed = true;
        sb_add(out, "positions are shown as offsets in their region\n");
        return SESSION_OK;
    }
    return show_block(s, w->word[1], out);
}

session_status cmd_types(session *s, const parse_words *w, strbuf *out)
{
    (void)w;
    size_t n = types_count(s->types);
    if (n == 0) {
        sb_add(out, "no structs defined yet (struct NAME { TYPE FIELD; ... })\n");
        return SESSION_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const types_struct *t = types_at(s->types, i);
        sb_printf(out, "  %s%s: %zu bytes, align %zu, %zu padding, %zu field%s\n", t->packed ? "packed " : "",
                  t->name, t->size, t->align, types_padding(t), t->field_count, t->field_count == 1 ? "" : "s");
    }
    return SESSION_OK;
}

session_status cmd_layout(session *s, const parse_words *w, strbuf *out)
{
    if (w->count != 2)
        return sess_fail(out, "usage: layout NAME");
    const types_struct *t = types_find(s->types, w->word[1]);
    if (t == NULL) {
        if (types_is_primitive(w->word[1]))
            return sess_fail(out, "%s is a primitive; layout draws structs", w->word[1]);
        return sess_fail(out, "no struct named '%s' (define it with struct %s { ... })", w->word[1], w->word[1]);
    }
    textmap_layout(s->types, t, out, false);
    return SESSION_OK;
}
