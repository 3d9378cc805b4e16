/*
 * jsonout.c - the session's state as JSON (see jsonout.h).
 */
#include "allocscope/jsonout.h"

#include "allocscope/evidence.h"

static void field_name(strbuf *out, const char *name, bool first)
{
    if (!first)
        sb_addc(out, ',');
    sb_json_string(out, name);
    sb_addc(out, ':');
}

static void allocator_obj(const session *s, const session_stats *st, strbuf *out)
{
    sb_add(out, "{");
    field_name(out, "name", true);
    sb_json_string(out, session_active_name(s));
    field_name(out, "kind", false);
    sb_json_string(out, session_active_kind(s));
    field_name(out, "description", false);
    sb_json_string(out, session_active_description(s));
    sb_printf(out, ",\"capacity\":%zu,\"offset\":", st->capacity);
    if (st->has_offset)
        sb_printf(out, "%zu", st->offset);
    else
        sb_add(out, "null");
    sb_add(out, "}");
}

static void blocks_arr(const session *s, strbuf *out)
{
    evidence ev;
    evidence_collect(s, &ev); /* for the slack of each block (0 if out of memory) */
    sb_add(out, "[");
    for (size_t i = 0; i < session_block_count(s); i++) {
        session_block b = session_block_at(s, i);
        if (i)
            sb_addc(out, ',');
        sb_printf(out, "{\"id\":%d,\"name\":", b.id);
        sb_json_string(out, b.name);
        sb_printf(out, ",\"offset\":%zu,\"size\":%zu,\"align\":%zu,\"padding\":%zu,\"region\":%u,"
                       "\"state\":\"%s\",\"allocated_at\":%zu",
                  b.offset, b.size, b.align, b.padding, b.region, b.live ? "live" : "freed", b.alloc_step);
        sb_printf(out, ",\"slack\":%zu", b.live ? evidence_slack_of(&ev, b.ptr) : 0);
        if (!b.live)
            sb_printf(out, ",\"freed_at\":%zu", b.free_step);
        if (b.type[0]) {
            sb_add(out, ",\"type\":");
            sb_json_string(out, b.type);
        }
        sb_add(out, "}");
    }
    sb_add(out, "]");
    evidence_free(&ev);
}

/* The damaged runs: where, how long, whose, and from its block's start. */
static void damaged_arr(const session *s, strbuf *out)
{
    evidence ev;
    evidence_collect(s, &ev);
    evidence_damage d;
    sb_add(out, "[");
    for (size_t i = 0; evidence_damage_at(&ev, i, &d); i++) {
        const char *whose = NULL;
        size_t size = 0;
        for (size_t k = 0; k < session_block_count(s) && !whose; k++) {
            session_block b = session_block_at(s, k);
            if (b.ptr == d.block)
                whose = b.name, size = b.size;
        }
        sb_printf(out, "%s{\"region\":%u,\"offset\":%zu,\"len\":%zu,\"block\":", i ? "," : "", d.region, d.offset,
                  d.len);
        if (whose)
            sb_json_string(out, whose);
        else
            sb_add(out, "null");
        sb_printf(out, ",\"from_block\":%zu,\"where\":\"%s\"}", d.from_block,
                  whose && d.from_block >= size ? "guard" : "poison");
    }
    sb_add(out, "]");
    evidence_free(&ev);
}

static void warnings_arr(const session *s, strbuf *out)
{
    sb_add(out, "[");
    for (size_t i = 0; i < session_warning_count(s); i++) {
        session_warning w = session_warning_at(s, i);
        if (i)
            sb_addc(out, ',');
        sb_add(out, "{\"kind\":");
        sb_json_string(out, w.kind);
        sb_printf(out, ",\"step\":%zu,\"message\":", w.step);
        sb_json_string(out, w.message);
        sb_add(out, "}");
    }
    sb_add(out, "]");
}

static void types_arr(const session *s, strbuf *out)
{
    const types_registry *t = session_types(s);
    sb_add(out, "[");
    for (size_t i = 0; i < types_count(t); i++) {
        const types_struct *st = types_at(t, i);
        if (i)
            sb_addc(out, ',');
        sb_add(out, "{\"name\":");
        sb_json_string(out, st->name);
        sb_printf(out, ",\"packed\":%s,\"size\":%zu,\"align\":%zu,\"padding\":%zu,\"fields\":[",
                  st->packed ? "true" : "false", st->size, st->align, types_padding(st));
        for (size_t k = 0; k < st->field_count; k++) {
            const types_field *f = &st->fields[k];
            sb_add(out, k ? ",{\"name\":" : "{\"name\":");
            sb_json_string(out, f->name);
            sb_add(out, ",\"type\":");
            sb_json_string(out, f->type);
            sb_printf(out, ",\"count\":%zu,\"offset\":%zu,\"size\":%zu,\"align\":%zu}", f->count, f->offset,
                      f->size, f->align);
        }
        sb_add(out, "]}");
    }
    sb_add(out, "]");
}

static void stats_obj(const session_stats *st, strbuf *out)
{
    sb_printf(out, ",\"stats\":{\"live_blocks\":%zu,\"live_bytes\":%zu,\"padding_bytes\":%zu,"
                   "\"metadata_bytes\":%zu,\"freed_bytes\":%zu,\"unused_bytes\":%zu,\"slack_bytes\":%zu,"
                   "\"damaged_bytes\":%zu,\"unknown_bytes\":%zu,\"peak_bytes\":%zu,\"total_allocated\":%zu,"
                   "\"total_freed\":%zu}",
              st->live_blocks, st->live_bytes, st->padding_bytes, st->metadata_bytes, st->freed_bytes,
              st->unused_bytes, st->slack_bytes, st->damaged_bytes, st->unknown_bytes, st->peak_bytes,
              st->total_allocated, st->total_freed);
}

/* "compare": every member of the comparison (null when there is none),
 * each with its allocator, blocks and figures. */
static void compare_arr(const session *s, strbuf *out)
{
    sb_add(out, ",\"compare\":");
    size_t n = session_group_count(s);
    session *view = n ? session_view_new() : NULL;
    if (view == NULL) {
        sb_add(out, "null");
        return;
    }
    sb_addc(out, '[');
    for (size_t i = 0; i < n; i++) {
        session_view_of(view, s, session_group_member(s, i));
        session_stats st;
        session_get_stats(view, &st);
        sb_add(out, i ? ",{\"allocator\":" : "{\"allocator\":");
        allocator_obj(view, &st, out);
        sb_add(out, ",\"blocks\":");
        blocks_arr(view, out);
        stats_obj(&st, out);
        sb_addc(out, '}');
    }
    sb_addc(out, ']');
    session_view_free(view);
}

void json_state(const session *s, strbuf *out)
{
    session_stats st;
    session_get_stats(s, &st);
    sb_printf(out, "{\"step\":%zu,\"allocator\":", session_step(s));
    if (session_has_active(s))
        allocator_obj(s, &st, out);
    else
        sb_add(out, "null");
    sb_add(out, ",\"allocators\":[");
    for (size_t i = 0; i < session_allocator_count(s); i++) {
        if (i)
            sb_addc(out, ',');
        sb_json_string(out, session_allocator_name(s, i));
    }
    sb_add(out, "],\"blocks\":");
    blocks_arr(s, out);
    stats_obj(&st, out);
    sb_add(out, ",\"damaged\":");
    damaged_arr(s, out);
    compare_arr(s, out);
    sb_add(out, ",\"warnings\":");
    warnings_arr(s, out);
    sb_add(out, ",\"types\":");
    types_arr(s, out);
    sb_add(out, "}");
}
