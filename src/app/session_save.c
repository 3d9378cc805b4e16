/*
 * session_save.c - the model's checkpoints (session.h: session_save,
 * session_restore; checkpoint.h keeps them).
 *
 * What is saved, in order: a head of counts and the allocators' serials;
 * the caption and a pending struct definition; per allocator its record,
 * its block index and every instance it is built of (their own save); the
 * block records; the name index; the name pool (block names, warning
 * messages, the step history: each chunk by its version, so an unchanged
 * one costs nothing); the warnings; the names that hold NULL; the history;
 * the struct types.
 *
 * A save can be restored later whether the session went on from it or
 * was put back to an earlier one since: the tables grow back (the pool's
 * references are positions, the blocks' chunks are filled in again), and
 * the allocators put back their own state either way.
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
    size_t chunks = (s->block_count + SESS_BLOCK_CHUNK - 1) / SESS_BLOCK_CHUNK;
    if (!as_save(w, s->block_versions, chunks * sizeof *s->block_versions))
        return false;
    for (size_t at = 0; at < s->block_count; at += SESS_BLOCK_CHUNK) {
        size_t n = s->block_count - at < SESS_BLOCK_CHUNK ? s->block_count - at : SESS_BLOCK_CHUNK;
        if (!as_save_versioned(w, s->block_chunks[at / SESS_BLOCK_CHUNK], n * sizeof(sess_block),
                               s->block_versions[at / SESS_BLOCK_CHUNK]))
            return false;
    }
    if (!as_save(w, s->name_slots, s->name_cap * sizeof *s->name_slots))
        return false;
    if (!as_save(w, s->names.versions, s->names.count * sizeof *s->names.versions))
        return false;
    for (size_t i = 0; i < s->names.count; i++) {
        size_t n = i + 1 == s->names.count ? s->names.used : SESS_NAME_CHUNK;
        if (!as_save_versioned(w, s->names.chunks[i], n, s->names.versions[i]))
            return false;
    }
    size_t segments = (s->history_count + SESS_HISTORY_SEGMENT - 1) / SESS_HISTORY_SEGMENT;
    if (!as_save(w, s->warnings, s->warning_count * sizeof *s->warnings) ||
        !as_save(w, s->null_names, s->null_count * sizeof *s->null_names) ||
        !as_save(w, s->history_versions, segments * sizeof *s->history_versions))
        return false;
    for (size_t at = 0; at < s->history_count; at += SESS_HISTORY_SEGMENT) {
        size_t n = s->history_count - at < SESS_HISTORY_SEGMENT ? s->history_count - at : SESS_HISTORY_SEGMENT;
        if (!as_save_versioned(w, s->history + at, n * sizeof *s->history,
                               s->history_versions[at / SESS_HISTORY_SEGMENT]))
            return false;
    }
    return types_save(s->types, w);
}

/* ---- restore ---- */

/* Whether h is a save of s as it is now or was before: same session, same
 * generation, and every allocator it had is still there. */
static bool fits(const session *s, const save_head *h)
{
    if (h->magic != SAVE_MAGIC || h->owner != s || h->generation != s->generation ||
        h->alloc_count > s->alloc_count)
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

/* A range saved with a version: passed over if what is there now has
 * that version (the same bytes), else loaded; it has that version then. */
static bool load_versioned(const as_loader *r, void *p, size_t len, uint64_t *version, uint64_t saved)
{
    bool ok = *version == saved && saved && r->skip && as_load_len(r) == len ? r->skip(r->user)
                                                                             : as_load(r, p, len);
    if (ok)
        *version = saved;
    return ok;
}

/* The block records, in chunks that are made again where the session
 * had gone back since; and the name index. */
static bool load_blocks(session *s, const save_head *h, const as_loader *r)
{
    size_t chunks = (h->block_count + SESS_BLOCK_CHUNK - 1) / SESS_BLOCK_CHUNK;
    if (chunks > s->chunk_count) {
        sess_block **grown = realloc(s->block_chunks, chunks * sizeof *grown);
        if (grown == NULL)
            return false;
        s->block_chunks = grown;
        uint64_t *v = realloc(s->block_versions, chunks * sizeof *v);
        if (v == NULL)
            return false;
        s->block_versions = v;
        for (; s->chunk_count < chunks; s->chunk_count++) {
            s->block_versions[s->chunk_count] = 0;
            if ((s->block_chunks[s->chunk_count] = malloc(SESS_BLOCK_CHUNK * sizeof(sess_block))) == NULL)
                return false;
        }
    }
    uint64_t *saved = malloc((chunks ? chunks : 1) * sizeof *saved);
    bool ok = saved && as_load(r, saved, chunks * sizeof *saved);
    for (size_t c = 0; ok && c < chunks; c++) {
        size_t n = h->block_count - c * SESS_BLOCK_CHUNK < SESS_BLOCK_CHUNK ? h->block_count - c * SESS_BLOCK_CHUNK
                                                                            : SESS_BLOCK_CHUNK;
        ok = load_versioned(r, s->block_chunks[c], n * sizeof(sess_block), &s->block_versions[c], saved[c]);
    }
    free(saved);
    if (!ok)
        return false;
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

/* The name pool: a chunk whose version is the saved one holds those bytes
 * already and is passed over; the others are loaded. */
static bool load_pool(session *s, const save_head *h, const as_loader *r)
{
    sess_names *p = &s->names;
    size_t n = h->name_chunks;
    uint64_t *saved = malloc((n ? n : 1) * sizeof *saved);
    bool ok = saved && as_load(r, saved, n * sizeof *saved);
    for (size_t i = 0; ok && i < n; i++) {
        size_t len = i + 1 == n ? h->name_bytes : SESS_NAME_CHUNK;
        ok = sess_pool_chunk(p, i) && load_versioned(r, p->chunks[i], len, &p->versions[i], saved[i]);
    }
    free(saved);
    if (!ok)
        return false;
    p->count = n;
    p->used = h->name_bytes;
    return true;
}

/* An array of items of `size` bytes, grown to hold what was saved. */
static bool load_array(void **arr, size_t *cap, size_t *count, size_t size, const as_loader *r)
{
    size_t len = as_load_len(r);
    char none;
    if (len == SIZE_MAX || len % size || !ensure(arr, cap, len / size, size) ||
        !r->range(r->user, len ? *arr : &none, len ? *cap * size : 0))
        return false;
    *count = len / size;
    return true;
}

/* The history, segment by segment, as the block records. */
static bool load_history(session *s, const save_head *h, const as_loader *r)
{
    size_t n = h->history_count, segments = (n + SESS_HISTORY_SEGMENT - 1) / SESS_HISTORY_SEGMENT;
    if (n > s->history_cap) {
        uint32_t *grown = realloc(s->history, n * sizeof *grown);
        if (grown == NULL)
            return false;
        s->history = grown;
        uint64_t *v = realloc(s->history_versions, segments * sizeof *v);
        if (v == NULL)
            return false;
        for (size_t k = (s->history_cap + SESS_HISTORY_SEGMENT - 1) / SESS_HISTORY_SEGMENT; k < segments; k++)
            v[k] = 0;
        s->history_versions = v;
        s->history_cap = n;
    }
    uint64_t *saved = malloc((segments ? segments : 1) * sizeof *saved);
    bool ok = saved && as_load(r, saved, segments * sizeof *saved);
    for (size_t k = 0; ok && k < segments; k++) {
        size_t len = n - k * SESS_HISTORY_SEGMENT < SESS_HISTORY_SEGMENT ? n - k * SESS_HISTORY_SEGMENT
                                                                         : SESS_HISTORY_SEGMENT;
        ok = load_versioned(r, s->history + k * SESS_HISTORY_SEGMENT, len * sizeof *s->history,
                            &s->history_versions[k], saved[k]);
    }
    free(saved);
    if (ok)
        s->history_count = n;
    return ok;
}

static bool load_tables(session *s, const save_head *h, const as_loader *r)
{
    void *warnings = s->warnings, *history = s->history, *nulls = s->null_names;
    bool ok = load_pool(s, h, r) &&
              load_array(&warnings, &s->warning_cap, &s->warning_count, sizeof *s->warnings, r) &&
              load_array(&nulls, &s->null_cap, &s->null_count, sizeof *s->null_names, r);
    s->warnings = warnings;
    s->null_names = nulls;
    ok = ok && sess_null_reindex(s);
    ok = ok && load_history(s, h, r);
    (void)history;
    return ok;
}

session_restore_result session_restore(session *s, const as_loader *r)
{
    save_head h;
    if (!as_load(r, &h, sizeof h) || !fits(s, &h))
        return SESSION_RESTORE_NOT_ITS;
    sess_drop_allocators(s, h.alloc_count, h.active);
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
    ok = ok && load_blocks(s, &h, r) && load_tables(s, &h, r) && types_restore(s->types, r) &&
         as_load_len(r) == SIZE_MAX;
    return ok ? SESSION_RESTORED : SESSION_RESTORE_BROKE;
}
