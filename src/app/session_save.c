/*
 * session_save.c - the model's checkpoints (session.h: session_save,
 * session_restore; checkpoint.h keeps them).
 *
 * What is saved, in order: a head of counts and the allocators' serials;
 * the caption and a pending struct definition; per allocator its record,
 * its block index and every instance it is built of (their own save); the
 * block records; the name index; the struct types. What is not: the name
 * pool, the warnings and the step history are append-only within a
 * generation (sess_clear starts a new one), so their counts in the head
 * are enough - restore frees what was appended since.
 */
#include "session_internal.h"

#include <stdlib.h>
#include <string.h>

#define SAVE_MAGIC 0x616c6c6f63736176ull /* "allocsav" */

typedef struct save_head {
    uint64_t magic;
    const session *owner;
    uint64_t generation;
    size_t alloc_count, active;
    uint64_t serial[SESSION_MAX_ALLOCATORS];
    size_t block_count, live_blocks;
    size_t name_chunks, name_bytes, name_cap, name_used;
    size_t warning_count, history_count, step;
    sess_group group;
    size_t zoom;
    bool show_addresses, trace_incomplete;
} save_head;

/* The instances a built allocator is made of: its top, then what it owns. */
static size_t instances(const sess_allocator *a, const as_instance **out)
{
    out[0] = &a->built.top;
    for (size_t i = 0; i < a->built.owned_count; i++)
        out[1 + i] = &a->built.owned[i];
    return 1 + a->built.owned_count;
}

static bool save_strbuf(const strbuf *sb, const as_saver *w)
{
    const char *t = sb_str(sb);
    return as_save(w, t, strlen(t));
}

static bool save_allocator(const sess_allocator *a, const as_saver *w)
{
    const as_instance *in[3];
    size_t n = instances(a, in);
    if (!as_save(w, a, sizeof *a) || !as_save(w, a->block_index, a->block_count * sizeof *a->block_index))
        return false;
    for (size_t i = 0; i < n; i++)
        if (in[i]->probe->save == NULL || !in[i]->probe->save(in[i]->a.ctx, w))
            return false;
    return true;
}

bool session_save(const session *s, const as_saver *w)
{
    save_head h = {
        .magic = SAVE_MAGIC, .owner = s, .generation = s->generation, .alloc_count = s->alloc_count,
        .active = s->active, .block_count = s->block_count, .live_blocks = s->live_blocks,
        .name_chunks = s->names.count, .name_bytes = s->names.used, .name_cap = s->name_cap,
        .name_used = s->name_used, .warning_count = s->warning_count, .history_count = s->history_count,
        .step = s->step, .group = s->group, .zoom = s->zoom, .show_addresses = s->show_addresses,
        .trace_incomplete = s->trace_incomplete,
    };
    for (size_t i = 0; i < s->alloc_count; i++)
        h.serial[i] = s->allocs[i]->serial;
    if (!as_save(w, &h, sizeof h) || !save_strbuf(&s->caption, w) || !save_strbuf(&s->pending, w))
        return false;
    for (size_t i = 0; i < s->alloc_count; i++)
        if (!save_allocator(s->allocs[i], w))
            return false;
    for (size_t at = 0; at < s->block_count; at += SESS_BLOCK_CHUNK) {
        size_t n = s->block_count - at < SESS_BLOCK_CHUNK ? s->block_count - at : SESS_BLOCK_CHUNK;
        if (!as_save(w, s->block_chunks[at / SESS_BLOCK_CHUNK], n * sizeof(sess_block)))
            return false;
    }
    return as_save(w, s->name_slots, s->name_cap * sizeof *s->name_slots) && types_save(s->types, w);
}

/* ---- restore ---- */

/* Whether h is a save of s as it is now or was before: same session, same
 * generation, and every allocator it had is still there. */
static bool fits(const session *s, const save_head *h)
{
    if (h->magic != SAVE_MAGIC || h->owner != s || h->generation != s->generation ||
        h->alloc_count > s->alloc_count || h->block_count > s->block_count ||
        h->name_chunks > s->names.count || h->warning_count > s->warning_count ||
        h->history_count > s->history_count)
        return false;
    for (size_t i = 0; i < h->alloc_count; i++)
        if (s->allocs[i]->serial != h->serial[i])
            return false;
    return true;
}

static bool load_strbuf(strbuf *sb, const as_loader *r)
{
    size_t n = as_load_len(r);
    if (n == SIZE_MAX)
        return false;
    char *t = malloc(n + 1);
    if (t == NULL || !r->range(r->user, t, n)) {
        free(t);
        return false;
    }
    sb_clear(sb);
    sb_addn(sb, t, n);
    free(t);
    return true;
}

/* Grows *arr to hold n items of size each (it may move). */
static bool ensure(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return true;
    void *grown = realloc(*arr, n * size);
    if (grown == NULL)
        return false;
    *arr = grown;
    *cap = n;
    return true;
}

static bool load_allocator(sess_allocator *a, const as_loader *r)
{
    sess_allocator saved;
    if (!as_load(r, &saved, sizeof saved))
        return false;
    size_t n = as_load_len(r) / sizeof *a->block_index;
    void *index = a->block_index;
    size_t cap = a->block_cap;
    if (!ensure(&index, &cap, n, sizeof *a->block_index))
        return false;
    a->block_index = index;
    a->block_cap = cap;
    if (!r->range(r->user, a->block_index, a->block_cap * sizeof *a->block_index))
        return false;
    /* the record as saved, with the index it has now */
    saved.block_index = a->block_index;
    saved.block_cap = a->block_cap;
    saved.block_count = n;
    *a = saved;
    const as_instance *in[3];
    size_t count = instances(a, in);
    for (size_t i = 0; i < count; i++)
        if (in[i]->probe->restore == NULL || !in[i]->probe->restore(in[i]->a.ctx, r))
            return false;
    return true;
}

/* The append-only tables back to their saved lengths. */
static void truncate_tables(session *s, const save_head *h)
{
    while (s->names.count > h->name_chunks)
        free(s->names.chunks[--s->names.count]);
    s->names.used = h->name_bytes;
    while (s->warning_count > h->warning_count)
        free(s->warnings[--s->warning_count].message);
    while (s->history_count > h->history_count)
        free(s->history[--s->history_count]);
}

static bool load_blocks(session *s, const save_head *h, const as_loader *r)
{
    for (size_t at = 0; at < h->block_count; at += SESS_BLOCK_CHUNK) {
        size_t n = h->block_count - at < SESS_BLOCK_CHUNK ? h->block_count - at : SESS_BLOCK_CHUNK;
        if (!as_load(r, s->block_chunks[at / SESS_BLOCK_CHUNK], n * sizeof(sess_block)))
            return false;
    }
    s->block_count = h->block_count;
    s->live_blocks = h->live_blocks;
    void *slots = s->name_slots;
    size_t cap = s->name_cap;
    if (!ensure(&slots, &cap, h->name_cap, sizeof *s->name_slots))
        return false;
    s->name_slots = slots;
    if (!as_load(r, s->name_slots, h->name_cap * sizeof *s->name_slots))
        return false;
    s->name_cap = h->name_cap;
    s->name_used = h->name_used;
    return true;
}

session_restore_result session_restore(session *s, const as_loader *r)
{
    save_head h;
    if (!as_load(r, &h, sizeof h) || !fits(s, &h))
        return SESSION_RESTORE_NOT_ITS;
    sess_drop_allocators(s, h.alloc_count, h.active);
    truncate_tables(s, &h);
    s->step = h.step;
    s->group = h.group;
    s->zoom = h.zoom;
    s->show_addresses = h.show_addresses;
    s->trace_incomplete = h.trace_incomplete;
    s->active = h.active;
    s->blocks_epoch++;
    s->changed = true;
    bool ok = load_strbuf(&s->caption, r) && load_strbuf(&s->pending, r);
    for (size_t i = 0; ok && i < h.alloc_count; i++)
        ok = load_allocator(s->allocs[i], r);
    ok = ok && load_blocks(s, &h, r) && types_restore(s->types, r) && as_load_len(r) == SIZE_MAX;
    return ok ? SESSION_RESTORED : SESSION_RESTORE_BROKE;
}
