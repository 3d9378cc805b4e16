/*
 * reports.c - the commands that describe the state: bins, blocks, stats,
 * leaks, check, show, types, layout, dump; and those that change only how
 * it is shown: zoom, note, pause, show addresses|offsets.
 */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/jsonout.h"
#include "allocscope/textmap.h"

session_status cmd_bins(session *s, const parse_words *w, strbuf *out)
{
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator yet");
    const sess_allocator *a = sess_active(s);
    as_instance in = kind_structural(a->kind, &a->built);
    const kind_row *holder = kind_find(in.probe->kind);
    if (holder && holder->bins) {
        holder->bins(a->name, in, out);
        return SESSION_OK;
    }
    session_stats st;
    session_get_stats(s, &st);
    sb_printf(out, "%s (%s) keeps no free list: free space is what lies after the offset", a->name,
              in.probe->kind);
    if (st.has_offset)
        sb_printf(out, " (%zu bytes after offset %zu)", st.capacity - st.offset, st.offset);
    sb_addc(out, '\n');
    return SESSION_OK;
}

session_status cmd_blocks(session *s, const parse_words *w, strbuf *out)
{
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
    sb_printf(out, "  peak           %zu bytes live\n", st.peak_bytes);
    sb_printf(out, "  total          %zu allocated, %zu freed\n", st.total_allocated, st.total_freed);
    if (a->kind->stats)
        a->kind->stats(a->built.top, out);
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
            sess_block *b = sess_blk(s, a->block_index[i]);
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
    if (p->scan)
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
    const as_probe *p = a->built.top.probe;
    if (p->guard_size && sess_region_holds(s, b->alloc, b->ptr, b->size + p->guard_size)) {
        sb_printf(out, " guard, %zu bytes after it (should all be %02x):\n  ", p->guard_size, p->guard_byte);
        for (size_t i = 0; i < p->guard_size; i++)
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
    for (size_t i = 1; i < w->count; i++)
        sb_printf(out, " %s", w->word[i]);
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
