/*
 * reports.c - the commands that describe the state: bins, blocks, stats,
 * leaks, check, show, types, layout, dump; and those that change only how
 * it is shown: zoom, note, pause, show addresses|offsets.
 */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/evidence.h"
#include "allocscope/jsonout.h"
#include "allocscope/textmap.h"

/* Prints a walk over a free structure as chains: "[offset: bytes] -> ...",
 * for slots "[slab N +offset]", one chain per order for buddies. */
typedef struct chain {
    strbuf *out;
    const char *region_word;
    size_t count, bytes;   /* of the chain being printed */
    size_t total, total_bytes;
    bool open;             /* an order's chain is being printed */
} chain;

static void end_order(chain *c)
{
    if (c->open)
        sb_add(c->out, c->count ? "\n" : "  -\n");
    c->open = false;
}

static void chain_list(void *user, unsigned order, size_t block_size)
{
    chain *c = user;
    end_order(c);
    sb_printf(c->out, "  order %2u (%7zu bytes):", order, block_size);
    c->count = c->bytes = 0;
    c->open = true;
}

static void chain_block(void *user, uint32_t region, size_t offset, size_t size)
{
    chain *c = user;
    sb_add(c->out, c->count ? " -> " : "  ");
    if (c->region_word)
        sb_printf(c->out, "[%s %u +%zu]", c->region_word, region, offset);
    else
        sb_printf(c->out, "[%zu: %zu]", offset, size);
    c->count++, c->total++;
    c->bytes += size, c->total_bytes += size;
}

session_status cmd_bins(session *s, const parse_words *w, strbuf *out)
{
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator yet");
    const sess_allocator *a = sess_active(s);
    as_instance in = kind_structural(a->kind, &a->built);
    const as_probe *p = in.probe;
    if (p->free_shape == AS_FREE_NONE || p->walk_free == NULL) {
        session_stats st;
        session_get_stats(s, &st);
        sb_printf(out, "%s (%s) keeps no free list: free space is what lies after the offset", a->name, p->kind);
        if (st.has_offset)
            sb_printf(out, " (%zu bytes after offset %zu)", st.capacity - st.offset, st.offset);
        sb_addc(out, '\n');
        return SESSION_OK;
    }
    as_free_summary sum = {0};
    if (p->free_summary)
        p->free_summary(in.a.ctx, &sum);
    chain c = {out, p->free_shape == AS_FREE_SLOTS ? (p->region_word ? p->region_word : "region") : NULL, 0, 0,
               0, 0, false};
    as_free_walk walk = {chain_list, chain_block, &c};
    const char *gap = NULL; /* before the summary line */
    switch (p->free_shape) {
    case AS_FREE_ADDRESS_LIST:
        sb_printf(out, "%s free list, address order [offset: block bytes]%s%s:\n", a->name, sum.policy ? ", " : "",
                  sum.policy ? sum.policy : "");
        p->walk_free(in.a.ctx, &walk);
        gap = c.total ? "\n  " : "  (empty)\n  ";
        sb_printf(out, "%s%zu free block%s, %zu bytes; largest %zu; fragmentation %.0f%%\n", gap, c.total,
                  c.total == 1 ? "" : "s", c.total_bytes, sum.largest, 100.0 * sum.fragmentation);
        break;
    case AS_FREE_ORDERS:
        sb_printf(out, "%s free lists by order [offset: bytes]:\n", a->name);
        p->walk_free(in.a.ctx, &walk);
        end_order(&c);
        break;
    case AS_FREE_SLOTS:
        sb_printf(out, "%s free list, in the order create() takes them (LIFO):\n", a->name);
        p->walk_free(in.a.ctx, &walk);
        gap = c.total ? "\n  " : "  (empty)\n  ";
        sb_printf(out, "%s%zu free slot%s of %zu bytes\n", gap, c.total, c.total == 1 ? "" : "s", sum.slot_size);
        break;
    case AS_FREE_NONE:
        break;
    }
    return SESSION_OK;
}

session_status cmd_blocks(session *s, const parse_words *w, strbuf *out)
{
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator yet");
    size_t n = session_block_count(s);
    sb_printf(out, "%s: %zu block%s\n", sess_active(s)->name, n, n == 1 ? "" : "s");
    evidence ev;
    evidence_collect(s, &ev); /* the slack of each block (0 if out of memory) */
    sb_printf(out, "  %-5s %-14s %6s %8s %8s %6s %8s %6s  %-6s %s\n", "id", "name", "region",
              s->show_addresses ? "address" : "offset", "size", "align", "padding", "slack", "state", "steps");
    for (size_t i = 0; i < n; i++) {
        session_block b = session_block_at(s, i);
        char pos[32];
        if (s->show_addresses)
            snprintf(pos, sizeof pos, "%p", b.ptr);
        else
            snprintf(pos, sizeof pos, "%zu", b.offset);
        sb_printf(out, "  #%-4d %-14s %6u %8s %8zu %6zu %8zu %6zu  %-6s %zu", b.id, b.name, b.region, pos,
                  b.size, b.align, b.padding, b.live ? evidence_slack_of(&ev, b.ptr) : 0, b.live ? "live" : "freed", b.alloc_step);
        if (!b.live)
            sb_printf(out, "-%zu", b.free_step);
        if (b.type[0])
            sb_printf(out, "  %s", b.type);
        sb_addc(out, '\n');
    }
    evidence_free(&ev);
    return SESSION_OK;
}

session_status cmd_stats(session *s, const parse_words *w, strbuf *out)
{
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator yet");
    const sess_allocator *a = sess_active(s);
    session_stats st;
    session_get_stats(s, &st);
    sb_printf(out, "%s: %s\n", a->name, a->built.desc);
    sb_printf(out, "  capacity       %zu bytes\n", st.capacity);
    if (st.has_offset)
        sb_printf(out, "  offset         %zu\n", st.offset);
    sb_printf(out, "  live           %zu block%s, %zu bytes\n", st.live_blocks, st.live_blocks == 1 ? "" : "s",
              st.live_bytes);
    sb_printf(out, "  padding        %zu bytes\n", st.padding_bytes);
    sb_printf(out, "  metadata       %zu bytes\n", st.metadata_bytes);
    sb_printf(out, "  freed          %zu bytes (not yet reused)\n", st.freed_bytes);
    sb_printf(out, "  unused         %zu bytes\n", st.unused_bytes);
    if (st.unknown_bytes)
        sb_printf(out, "  unknown        %zu bytes (never seen handed out, not described: free or the allocator's own)\n",
                  st.unknown_bytes);
    if (st.slack_bytes)
        sb_printf(out, "  slack          %zu bytes (handed out with blocks beyond their sizes)\n", st.slack_bytes);
    if (st.damaged_bytes)
        sb_printf(out, "  damaged        %zu bytes (guard or poison overwritten; repaired at free or reset)\n",
                  st.damaged_bytes);
    if (st.peak_is_offset)
        sb_printf(out, "  peak           %zu (the highest offset: the tutorial's peak usage)\n", st.peak_bytes);
    else
        sb_printf(out, "  peak           %zu bytes live\n", st.peak_bytes);
    sb_printf(out, "  total          %zu allocated, %zu freed\n", st.total_allocated, st.total_freed);
    const as_probe *p = a->built.top.probe;
    as_figure fig[16];
    size_t n = p->figures ? p->figures(a->built.top.a.ctx, fig, 16) : 0;
    if (n)
        sb_printf(out, "  %-14s ", p->kind);
    for (size_t i = 0; i < n; i++) {
        if (fig[i].section)
            sb_printf(out, "%s%s: ", i ? "; " : "", fig[i].section);
        else if (i)
            sb_add(out, ", ");
        if (fig[i].name_first)
            sb_printf(out, "%s %zu", fig[i].name, fig[i].value);
        else
            sb_printf(out, "%zu %s", fig[i].value, fig[i].name);
    }
    if (n)
        sb_addc(out, '\n');
    return SESSION_OK;
}

session_status cmd_leaks(session *s, const parse_words *w, strbuf *out)
{
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator yet");
    sess_allocator *a = sess_active(s);
    size_t n = 0, bytes = 0;
    const as_probe *p = a->built.top.probe;
    if (p->report_leaks) {
        if (p->set_stamp)
            p->set_stamp(a->built.top.a.ctx, s->step);
        n = p->report_leaks(a->built.top.a.ctx, &bytes);
    } else {
        for (size_t i = 0; i < a->block_count; i++) {
            const sess_block *b = sess_blk(s, a->block_index[i]);
            if (!b->live)
                continue;
            const char *label = sess_label(s, b);
            sess_warn(s, WARN_LEAK, "leak: %s (%u bytes) allocated at step %u was never freed", label, b->size,
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

/* Each damaged range (the evidence a debug allocator keeps), with whose it is. */
static void list_damage(session *s, strbuf *out)
{
    evidence ev;
    evidence_collect(s, &ev);
    evidence_damage d;
    for (size_t i = 0; evidence_damage_at(&ev, i, &d); i++) {
        const sess_block *b = NULL;
        for (size_t k = 0; k < session_block_count(s) && !b; k++) {
            session_block v = session_block_at(s, k);
            if (v.ptr == d.block)
                b = sess_find_block(s, v.name);
        }
        if (b == NULL) {
            sb_printf(out, "  damaged: %zu byte%s at offset %zu\n", d.len, d.len == 1 ? "" : "s", d.offset);
            continue;
        }
        const char *label = sess_label(s, b);
        if (d.from_block >= b->size)
            sb_printf(out, "  damaged: %zu guard byte%s at +%zu..+%zu of %s (%u bytes): a write past its end "
                           "(allocated at step %u)\n", d.len, d.len == 1 ? "" : "s", d.from_block,
                      d.from_block + d.len - 1, label, b->size, b->alloc_step);
        else
            sb_printf(out, "  damaged: %zu poison byte%s at +%zu..+%zu of %s, freed at step %u: a write after "
                           "free\n", d.len, d.len == 1 ? "" : "s", d.from_block, d.from_block + d.len - 1, label,
                      b->free_step);
    }
    if (evidence_damage_count(&ev, NULL))
        sb_add(out, "  (the bytes stay damaged as evidence; the guard is rewritten when the block is freed, "
                    "the poison when it leaves the quarantine or at reset)\n");
    evidence_free(&ev);
}

session_status cmd_check(session *s, const parse_words *w, strbuf *out)
{
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator yet");
    sess_allocator *a = sess_active(s);
    const as_probe *p = a->built.top.probe;
    const char *why = p->check ? p->check(a->built.top.a.ctx) : NULL;
    size_t found = 0;
    if (p->scan) {
        if (p->set_stamp)
            p->set_stamp(a->built.top.a.ctx, s->step);
        found = p->scan(a->built.top.a.ctx);
    }
    if (why)
        sb_printf(out, "check: an invariant is broken: %s\n", why);
    else
        sb_printf(out, "check: every invariant of %s holds", a->name);
    if (p->scan && p->guard_size)
        sb_printf(out, "; guards and poison: %zu problem%s found", found, found == 1 ? "" : "s");
    else if (p->scan)
        sb_add(out, "; no guards or poison to check (this allocator has none)");
    sb_addc(out, '\n');
    list_damage(s, out);
    s->changed = found > 0;
    return why ? SESSION_EXPECT_FAILED : SESSION_OK; /* a broken invariant fails the run */
}

/* Whether byte i (from its start; the guard follows its bytes) of block b
 * lies in a damaged run. */
static bool damaged_byte(const evidence *ev, const sess_block *b, size_t i)
{
    evidence_damage d;
    for (size_t k = 0; evidence_damage_at(ev, k, &d); k++)
        if (d.block == b->ptr && i >= d.from_block && i - d.from_block < d.len)
            return true;
    return false;
}

/* The newest live block of b's allocator whose bytes meet b's, or NULL. */
static const sess_block *live_over(const session *s, const sess_block *b)
{
    const sess_allocator *a = s->allocs[b->alloc];
    for (size_t i = a->block_count; i-- > 0;) {
        const sess_block *o = sess_blk(s, a->block_index[i]);
        if (o != b && o->live && o->ptr < b->ptr + b->size && b->ptr < o->ptr + o->size)
            return o;
    }
    return NULL;
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
    sb_printf(out, "%s: %u bytes at offset %u (align %zu)", label, b->size, b->offset, (size_t)1 << b->align_log2);
    const sess_block *now = b->live ? NULL : live_over(s, b);
    if (now)
        sb_printf(out, ", freed at step %u: its bytes are now %s's (the bytes below are %s's)\n", b->free_step,
                  sess_label(s, now), sess_label(s, now));
    else if (!b->live)
        sb_printf(out, ", freed at step %u: stale bytes (what it left, or what the allocator wrote there "
                       "since)\n", b->free_step);
    else
        sb_addc(out, '\n');
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
    /* damaged bytes (a debug allocator's evidence) are marked with a '!' after them */
    const as_probe *p = a->built.top.probe;
    bool marked = false;
    evidence ev;
    evidence_collect(s, &ev);
    sb_add(out, " block:\n");
    for (size_t row = 0; row < shown; row += 16) {
        sb_printf(out, "  +%04zx ", row);
        for (size_t i = 0; i < 16 && row + i < shown; i++) {
            bool bad = damaged_byte(&ev, b, row + i);
            marked |= bad;
            sb_printf(out, "%s%02x", bad ? "!" : " ", b->ptr[row + i]);
        }
        sb_addc(out, '\n');
    }
    if (p->guard_size && sess_region_holds(s, b->alloc, b->ptr, b->size + p->guard_size)) {
        sb_printf(out, " guard, %zu bytes after it (should all be %02x):\n  ", p->guard_size, p->guard_byte);
        for (size_t i = 0; i < p->guard_size; i++) {
            bool bad = damaged_byte(&ev, b, b->size + i);
            marked |= bad;
            sb_printf(out, "%s%02x", bad ? "!" : " ", b->ptr[b->size + i]);
        }
        sb_addc(out, '\n');
    }
    evidence_free(&ev);
    if (marked)
        sb_add(out, " ! damaged: kept as evidence until the block is freed (guard) or leaves the quarantine "
                    "or the allocator is reset (poison)\n");
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
    size_t n = types_count(s->types);
    if (n == 0) {
        sb_add(out, "no structs defined yet (struct NAME { TYPE FIELD; ... })\n");
        return SESSION_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const types_struct *t = types_at(s->types, i);
        sb_printf(out, "  %s%s: %zu byte%s, align %zu, %zu padding, %zu field%s\n", t->packed ? "packed " : "",
                  t->name, t->size, t->size == 1 ? "" : "s", t->align, types_padding(t), t->field_count, t->field_count == 1 ? "" : "s");
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
    if (t->packed) {
        size_t bits = 0;
        for (size_t i = 0; i < t->field_count; i++)
            bits += t->fields[i].size * 8;
        sb_printf(out, "  (packed here is C's __attribute__((packed)): byte offsets, align 1. Zig's packed struct is "
                       "another rule: its fields are bit-packed into one u%zu backing integer)\n", bits);
    }
    return SESSION_OK;
}

session_status cmd_dump(session *s, const parse_words *w, strbuf *out)
{
    if (w->count != 2 || !parse_is(w->word[1], "json"))
        return sess_fail(out, "usage: dump json");
    json_state(s, out);
    sb_addc(out, '\n');
    return SESSION_OK;
}

session_status cmd_zoom(session *s, const parse_words *w, strbuf *out)
{
    if (w->count != 2)
        return sess_fail(out, "usage: zoom N|fit (N bytes per cell, a power of two)");
    if (parse_is(w->word[1], "fit")) {
        s->zoom = 0;
        sb_add(out, "zoom: fit the buffer to the screen\n");
    } else {
        size_t v;
        const char *err = parse_uint(w->word[1], &v);
        if (err || v == 0 || (v & (v - 1)))
            return sess_fail(out, "zoom takes a power of two (1, 2, 4, ...) or fit");
        if (v > ((size_t)1 << 24))
            return sess_fail(out, "zoom is at most 16M bytes per cell");
        s->zoom = v;
        sb_printf(out, "zoom: %zu byte%s per cell\n", v, v == 1 ? "" : "s");
    }
    s->changed = true;
    return SESSION_OK;
}

session_status cmd_note(session *s, const parse_words *w, strbuf *out)
{
    sb_add(out, "note:");
    sb_clear(&s->caption);
    for (size_t i = 1; i < w->count; i++) {
        sb_printf(out, " %s", w->word[i]);
        sb_printf(&s->caption, "%s%s", i > 1 ? " " : "", w->word[i]);
    }
    if (w->count < 2)
        sb_addc(out, ' ');
    sb_addc(out, '\n');
    s->changed = true;
    return SESSION_OK;
}

session_status cmd_pause(session *s, const parse_words *w, strbuf *out)
{
    if (w->count > 1)
        return sess_fail(out, "unexpected '%s' (usage: pause)", w->word[1]);
    sb_add(out, "(pause)\n");
    return SESSION_OK;
}
