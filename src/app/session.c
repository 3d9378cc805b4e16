/*
 * session.c - the session model (see session.h): the allocators, the
 * blocks and their names, the warnings, the recorded steps, and the
 * accessors views read. It knows no command: the interpreter (interp.c)
 * decides what is a step and what is recorded, and replays the record.
 */
#include "session_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- lifecycle ---- */

session *session_create(void)
{
    session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->types = types_create();
    if (s->types == NULL) {
        free(s);
        return NULL;
    }
    sb_init(&s->pending);
    sb_init(&s->caption);
    s->group.running = -1;
    /* epochs of different sessions never meet: a view that indexed blocks
     * of a session destroyed since cannot mistake a new one for it */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    s->blocks_epoch = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    return s;
}

static void allocator_destroy(sess_allocator *a)
{
    if (a == NULL)
        return;
    kind_destroy(&a->built);
    free(a->block_index);
    free(a);
}

void sess_clear(session *s)
{
    s->generation++;
    for (size_t i = s->alloc_count; i-- > 0;)
        allocator_destroy(s->allocs[i]);
    s->alloc_count = 0;
    s->active = 0;
    s->block_count = 0;
    s->live_blocks = 0;
    s->blocks_epoch++;
    s->names.count = s->names.used = 0; /* its chunks stay, as spares */
    if (s->name_slots)
        memset(s->name_slots, 0, s->name_cap * sizeof *s->name_slots);
    s->name_used = 0;
    s->warning_count = 0;
    s->null_count = 0;
    if (s->null_slots)
        memset(s->null_slots, 0, s->null_slot_cap * sizeof *s->null_slots);
    s->history_count = 0;
    types_destroy(s->types);
    s->types = types_create();
    s->step = 0;
    memset(&s->group, 0, sizeof s->group);
    s->group.running = -1;
    s->zoom = 0;
    s->show_addresses = false;
    sb_clear(&s->pending);
    sb_clear(&s->caption);
}

void session_destroy(session *s)
{
    if (s == NULL)
        return;
    sess_clear(s);
    types_destroy(s->types);
    for (size_t i = 0; i < s->chunk_count; i++)
        free(s->block_chunks[i]);
    free(s->block_chunks);
    free(s->block_versions);
    free(s->history_versions);
    for (size_t i = 0; i < s->names.allocated; i++)
        free(s->names.chunks[i]);
    free(s->names.chunks);
    free(s->names.versions);
    free(s->name_slots);
    free(s->warnings);
    free(s->null_names);
    free(s->null_slots);
    free(s->history);
    free(s->spans);
    sb_free(&s->pending);
    sb_free(&s->caption);
    free(s);
}

/* ---- shared helpers for the handlers ---- */

session_status sess_fail(strbuf *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_add(out, "error: ");
    sb_vprintf(out, fmt, ap);
    va_end(ap);
    sb_addc(out, '\n');
    return SESSION_ERROR;
}

static uint32_t intern(session *s, const char *text);

void sess_warn(session *s, warn_kind kind, const char *fmt, ...)
{
    if (s->warning_count == s->warning_cap) {
        size_t cap = s->warning_cap ? s->warning_cap * 2 : 16;
        sess_warning *grown = realloc(s->warnings, cap * sizeof *grown);
        if (grown == NULL)
            return;
        s->warnings = grown;
        s->warning_cap = cap;
    }
    strbuf msg;
    sb_init(&msg);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&msg, fmt, ap);
    va_end(ap);
    sess_warning *w = &s->warnings[s->warning_count++];
    memset(w, 0, sizeof *w); /* its padding too: checkpoints compare the table byte by byte */
    w->kind = kind;
    w->step = s->step;
    w->member = (int16_t)s->group.running;
    if (s->group.running >= 0 && kind != WARN_NOOP_FREE)
        s->group.failures[s->group.running]++;
    if (s->group.running >= 0) {
        /* a warning of one member of a comparison names the member */
        strbuf named;
        sb_init(&named);
        sb_printf(&named, "%s: %s", s->allocs[s->group.member[s->group.running]]->name, sb_str(&msg));
        sb_free(&msg);
        msg = named;
    }
    w->message = intern(s, sb_str(&msg));
    sb_free(&msg);
    w->allocator = s->alloc_count ? s->active : SIZE_MAX;
    s->changed = true;
}

sess_allocator *sess_active(const session *s)
{
    return s->alloc_count ? s->allocs[s->active] : NULL;
}

/* ---- the name pool and the name index ---- */

uint64_t sess_new_version(void)
{
    static uint64_t clock;
    return ++clock;
}

bool sess_pool_chunk(sess_names *p, size_t i)
{
    while (p->allocated <= i) {
        char **grown = realloc(p->chunks, (p->allocated + 1) * sizeof *grown);
        if (grown == NULL)
            return false;
        p->chunks = grown;
        uint64_t *v = realloc(p->versions, (p->allocated + 1) * sizeof *v);
        if (v == NULL)
            return false;
        p->versions = v;
        if ((p->chunks[p->allocated] = malloc(SESS_NAME_CHUNK)) == NULL)
            return false;
        p->versions[p->allocated++] = 0; /* never matches a saved version */
    }
    return true;
}

/* The next chunk of the pool: a spare if there is one. */
static bool next_chunk(sess_names *p)
{
    if (!sess_pool_chunk(p, p->count))
        return false;
    p->count++;
    p->used = 0;
    return true;
}

static uint32_t intern_n(session *s, const char *text, size_t len)
{
    size_t n = len + 1;
    sess_names *p = &s->names;
    if (n > SESS_NAME_CHUNK)
        return 0;
    if ((p->count == 0 || p->used + n > SESS_NAME_CHUNK) && !next_chunk(p))
        return 0;
    char *at = p->chunks[p->count - 1] + p->used;
    memcpy(at, text, len);
    at[len] = '\0';
    p->versions[p->count - 1] = sess_new_version();
    size_t ref = (p->count - 1) * SESS_NAME_CHUNK + p->used + 1;
    p->used += n;
    return ref > UINT32_MAX ? 0 : (uint32_t)ref;
}

static uint32_t intern(session *s, const char *text) { return intern_n(s, text, strlen(text)); }

const char *sess_name(const session *s, uint32_t ref)
{
    if (ref == 0)
        return "";
    size_t at = ref - 1;
    return s->names.chunks[at / SESS_NAME_CHUNK] + at % SESS_NAME_CHUNK;
}

static size_t hash_name(const char *name)
{
    size_t h = 1469598103934665603u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return h;
}

/* The slot of (allocator, name) in the index: the one holding the newest
 * block of that allocator so named, or the empty one where it would go.
 * Names belong to their allocator, so the same name in two allocators
 * (the members of a comparison) are two entries. */
static uint32_t *name_slot(const session *s, size_t alloc, const char *name)
{
    size_t mask = s->name_cap - 1;
    for (size_t i = (hash_name(name) ^ (alloc * 0x9e3779b97f4a7c15u)) & mask;; i = (i + 1) & mask) {
        uint32_t v = s->name_slots[i];
        if (v == 0)
            return &s->name_slots[i];
        const sess_block *b = sess_blk(s, v - 1);
        if (b->alloc == alloc && strcmp(sess_name(s, b->label), name) == 0)
            return &s->name_slots[i];
    }
}

static bool index_name(session *s, size_t block)
{
    if ((s->name_used + 1) * 2 > s->name_cap) {
        size_t cap = s->name_cap ? s->name_cap * 2 : 64;
        uint32_t *old = s->name_slots;
        size_t old_cap = s->name_cap;
        s->name_slots = calloc(cap, sizeof *s->name_slots);
        if (s->name_slots == NULL) {
            s->name_slots = old;
            return false;
        }
        s->name_cap = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i])
                *name_slot(s, sess_blk(s, old[i] - 1)->alloc, sess_name(s, sess_blk(s, old[i] - 1)->label)) =
                    old[i];
        free(old);
    }
    uint32_t *slot = name_slot(s, sess_blk(s, block)->alloc, sess_name(s, sess_blk(s, block)->label));
    if (*slot == 0)
        s->name_used++;
    *slot = (uint32_t)block + 1;
    return true;
}

const char *sess_label(const session *s, const sess_block *b) { return sess_name(s, b->label); }

/* The block with that name or #id: names belong to their allocator, so
 * the active allocator's blocks come first; then the most recent, live
 * before freed. In a comparison a name resolves within the active member
 * only (every member has its own block of that name). */
sess_block *sess_find_block(const session *s, const char *name)
{
    if (name[0] == '#') {
        size_t v;
        if (parse_uint(name + 1, &v) || v == 0 || v > s->block_count)
            return NULL;
        return sess_blk_w(s, v - 1); /* ids are indexes + 1 */
    }
    if (s->name_cap == 0)
        return NULL;
    uint32_t v = *name_slot(s, s->active, name);
    if (v || s->group.count)
        return v ? sess_blk_w(s, v - 1) : NULL;
    /* none in the active allocator: another allocator's newest, live before
     * freed, the most recent first */
    const sess_block *best = NULL;
    for (size_t a = 0; a < s->alloc_count; a++) {
        uint32_t o = a == s->active ? 0 : *name_slot(s, a, name);
        if (o == 0)
            continue;
        const sess_block *b = sess_blk(s, o - 1);
        if (best == NULL || b->live > best->live || (b->live == best->live && b->id > best->id))
            best = b;
    }
    return best ? sess_blk_w(s, best->id - 1) : NULL;
}

/* Amortised O(1): blocks are only added, and a freed block never lives
 * again, so the blocks passed over are never looked at twice. */
sess_block *sess_last_live(const session *s)
{
    sess_allocator *a = sess_active(s);
    if (a == NULL)
        return NULL;
    for (size_t i = a->live_bound < a->block_count ? a->live_bound : a->block_count; i-- > 0;) {
        if (sess_blk(s, a->block_index[i])->live) {
            a->live_bound = i + 1;
            return sess_blk_w(s, a->block_index[i]);
        }
    }
    a->live_bound = 0;
    return NULL;
}

sess_block *sess_block_by_ptr(const session *s, size_t alloc, const void *ptr)
{
    const sess_allocator *a = s->allocs[alloc];
    for (size_t i = a->block_count; i-- > 0;) {
        if (sess_blk(s, a->block_index[i])->ptr == ptr)
            return sess_blk_w(s, a->block_index[i]);
    }
    return NULL;
}

const char *sess_block_limit(const session *s)
{
    if (s->live_blocks >= SESSION_MAX_BLOCKS)
        return "at most 1048576 blocks live at once in one session (free some first)";
    if (s->block_count >= SESSION_MAX_RECORDS)
        return "at most 33554432 blocks made in one session (undo, or start a new one)";
    return NULL;
}

sess_block *sess_add_block(session *s, size_t alloc, const char *name, const char *type)
{
    sess_allocator *a = s->allocs[alloc];
    if (a->block_count == a->block_cap) {
        size_t cap = a->block_cap ? a->block_cap * 2 : 64;
        uint32_t *grown = realloc(a->block_index, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        a->block_index = grown;
        a->block_cap = cap;
    }
    if (s->block_count == s->chunk_count * SESS_BLOCK_CHUNK) {
        sess_block **grown = realloc(s->block_chunks, (s->chunk_count + 1) * sizeof *grown);
        if (grown == NULL)
            return NULL;
        s->block_chunks = grown;
        uint64_t *v = realloc(s->block_versions, (s->chunk_count + 1) * sizeof *v);
        if (v == NULL)
            return NULL;
        s->block_versions = v;
        if ((s->block_chunks[s->chunk_count] = malloc(SESS_BLOCK_CHUNK * sizeof(sess_block))) == NULL)
            return NULL;
        s->chunk_count++;
    }
    size_t index = s->block_count;
    sess_block *b = sess_blk_w(s, index);
    memset(b, 0, sizeof *b);
    b->id = (uint32_t)index + 1;
    b->alloc = (uint16_t)alloc;
    char label[16] = "";
    b->named = name && *name;
    if (!b->named)
        snprintf(label, sizeof label, "#%u", b->id);
    b->label = intern(s, b->named ? name : label);
    b->type = type && *type ? intern(s, type) : 0;
    if (b->label == 0 || (b->named && !index_name(s, index)))
        return NULL;
    a->block_index[a->block_count++] = (uint32_t)index;
    a->live_bound = a->block_count;
    s->block_count++;
    return b;
}

static void collect_span(void *user, const as_span *sp)
{
    session *s = user;
    if (s->span_count == s->span_cap) {
        size_t cap = s->span_cap ? s->span_cap * 2 : 256;
        as_span *grown = realloc(s->spans, cap * sizeof *grown);
        if (grown == NULL)
            return;
        s->spans = grown;
        s->span_cap = cap;
    }
    s->spans[s->span_count++] = *sp;
}

void sess_collect_spans(session *s, size_t alloc)
{
    s->span_count = 0;
    as_inspector in = {.span = collect_span, .user = s};
    const sess_allocator *a = s->allocs[alloc];
    a->built.top.probe->inspect(a->built.top.a.ctx, &in);
}

static void note_high_water(sess_allocator *a, const sess_block *b)
{
    if (b->region > 0)
        a->regions = true;
    else if ((size_t)b->offset + b->size > a->high_water)
        a->high_water = (size_t)b->offset + b->size;
}

/* Region, offset and padding of a block, from the allocator's own spans:
 * the padding is the alignment padding right before the block (or before
 * its header). */
void sess_locate_block(session *s, sess_block *b)
{
    const sess_allocator *a = s->allocs[b->alloc];
    as_location loc;
    if (a->built.top.probe->locate && a->built.top.probe->locate(a->built.top.a.ctx, b->ptr, &loc)) {
        b->region = loc.region > UINT16_MAX ? UINT16_MAX : (uint16_t)loc.region;
        b->offset = loc.offset > UINT32_MAX ? UINT32_MAX : (uint32_t)loc.offset;
        b->padding = loc.padding > UINT32_MAX ? UINT32_MAX : (uint32_t)loc.padding;
        note_high_water(s->allocs[b->alloc], b);
        return;
    }
    sess_collect_spans(s, b->alloc);
    for (size_t i = 0; i < s->span_count; i++) {
        const as_span *sp = &s->spans[i];
        if (sp->kind != AS_SPAN_LIVE || sp->block != b->ptr)
            continue;
        b->region = sp->region > UINT16_MAX ? UINT16_MAX : (uint16_t)sp->region;
        b->offset = sp->offset > UINT32_MAX ? UINT32_MAX : (uint32_t)sp->offset;
        b->padding = 0;
        size_t j = i;
        while (j > 0 && s->spans[j - 1].region == sp->region && s->spans[j - 1].kind == AS_SPAN_META &&
               s->spans[j - 1].meta == AS_META_HEADER)
            j--;
        if (j > 0 && s->spans[j - 1].region == sp->region && s->spans[j - 1].kind == AS_SPAN_PADDING)
            b->padding = (uint32_t)s->spans[j - 1].len;
        note_high_water(s->allocs[b->alloc], b);
        return;
    }
}

typedef struct region_query {
    const unsigned char *p;
    size_t len;
    bool inside;
} region_query;

static void region_cb(void *user, uint32_t r, const void *base, size_t size)
{
    region_query *q = user;
    const unsigned char *b = base;
    if (q->p >= b && q->len <= size && q->p - b <= (ptrdiff_t)(size - q->len))
        q->inside = true;
}

bool sess_region_holds(session *s, size_t alloc, const void *ptr, size_t len)
{
    region_query q = {ptr, len, false};
    as_inspector in = {.region = region_cb, .user = &q};
    const sess_allocator *a = s->allocs[alloc];
    a->built.top.probe->inspect(a->built.top.a.ctx, &in);
    return q.inside;
}

bool sess_record(session *s, const char *line)
{
    if (s->history_count == s->history_cap) {
        size_t cap = s->history_cap ? s->history_cap * 2 : 64;
        uint32_t *grown = realloc(s->history, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        s->history = grown;
        size_t segments = (cap + SESS_HISTORY_SEGMENT - 1) / SESS_HISTORY_SEGMENT;
        uint64_t *v = realloc(s->history_versions, segments * sizeof *v);
        if (v == NULL)
            return false;
        for (size_t k = (s->history_cap + SESS_HISTORY_SEGMENT - 1) / SESS_HISTORY_SEGMENT; k < segments; k++)
            v[k] = 0; /* never matches a saved version */
        s->history_versions = v;
        s->history_cap = cap;
    }
    uint32_t ref = intern_n(s, line, strcspn(line, "\r\n"));
    if (ref == 0)
        return false;
    s->history_versions[s->history_count / SESS_HISTORY_SEGMENT] = sess_new_version();
    s->history[s->history_count++] = ref;
    return true;
}

/* The slot of (alloc, name) in the null names' index: the entry's, or
 * the empty one where it would go (as name_slot). */
static uint32_t *null_slot(const session *s, size_t alloc, const char *name)
{
    size_t mask = s->null_slot_cap - 1;
    for (size_t i = (hash_name(name) ^ (alloc * 0x9e3779b97f4a7c15u)) & mask;; i = (i + 1) & mask) {
        uint32_t v = s->null_slots[i];
        if (v == 0)
            return &s->null_slots[i];
        const struct sess_null_name *e = &s->null_names[v - 1];
        if (e->alloc == alloc && strcmp(sess_name(s, e->name), name) == 0)
            return &s->null_slots[i];
    }
}

static struct sess_null_name *null_find(const session *s, size_t alloc, const char *name)
{
    if (s->null_count == 0)
        return NULL;
    uint32_t v = *null_slot(s, alloc, name);
    return v ? &s->null_names[v - 1] : NULL;
}

bool sess_null_reindex(session *s)
{
    size_t cap = s->null_slot_cap ? s->null_slot_cap : 64;
    while (cap < s->null_count * 2)
        cap *= 2;
    if (cap != s->null_slot_cap) {
        uint32_t *slots = calloc(cap, sizeof *slots);
        if (slots == NULL)
            return false;
        free(s->null_slots);
        s->null_slots = slots;
        s->null_slot_cap = cap;
    } else {
        memset(s->null_slots, 0, cap * sizeof *s->null_slots);
    }
    for (size_t i = 0; i < s->null_count; i++)
        *null_slot(s, s->null_names[i].alloc, sess_name(s, s->null_names[i].name)) = (uint32_t)i + 1;
    return true;
}

bool sess_null_has(const session *s, size_t alloc, const char *name)
{
    const struct sess_null_name *e = null_find(s, alloc, name);
    return e && e->held;
}

bool sess_null_add(session *s, size_t alloc, const char *name)
{
    struct sess_null_name *e = null_find(s, alloc, name);
    if (e) {
        e->held = true;
        return true;
    }
    if (s->null_count == s->null_cap) {
        size_t cap = s->null_cap ? s->null_cap * 2 : 8;
        struct sess_null_name *grown = realloc(s->null_names, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        s->null_names = grown;
        s->null_cap = cap;
    }
    uint32_t ref = intern_n(s, name, strlen(name));
    if (ref == 0)
        return false;
    s->null_names[s->null_count++] = (struct sess_null_name){ref, (uint32_t)alloc, true};
    if (s->null_count * 2 <= s->null_slot_cap) {
        *null_slot(s, alloc, name) = (uint32_t)s->null_count;
        return true;
    }
    if (sess_null_reindex(s)) /* (a larger index, the new entry in it) */
        return true;
    s->null_count--;
    return false;
}

void sess_null_drop(session *s, size_t alloc, const char *name)
{
    struct sess_null_name *e = null_find(s, alloc, name);
    if (e)
        e->held = false;
}

void sess_unrecord(session *s, size_t keep)
{
    if (keep >= s->history_count)
        return;
    for (size_t i = keep / SESS_HISTORY_SEGMENT; i <= (s->history_count - 1) / SESS_HISTORY_SEGMENT; i++)
        s->history_versions[i] = sess_new_version();
    s->history_count = keep;
}

const char *sess_history_line(const session *s, size_t i) { return sess_name(s, s->history[i]); }

/* ---- allocators ---- */

size_t sess_find_allocator(const session *s, const char *name)
{
    for (size_t i = 0; i < s->alloc_count; i++)
        if (strcmp(s->allocs[i]->name, name) == 0)
            return i;
    return (size_t)-1;
}

static void unique_name(const session *s, const char *base, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", base);
    for (int n = 2; sess_find_allocator(s, buf) != (size_t)-1; n++)
        snprintf(buf, cap, "%s%d", base, n);
}

typedef struct sink_ctx {
    session *s;
    size_t alloc;
} sink_ctx;

/* The sink context lives as long as the allocator, so it is allocated
 * beside it. */
typedef struct sess_allocator_box {
    sess_allocator a;
    sink_ctx sink;
} sess_allocator_box;

/* The block of an event: blocks are in allocation order, their
 * allocation steps never decrease, so the event's allocation stamp finds
 * it by halves (a leak report of n blocks costs n log n, not n squared);
 * else a scan from the newest. */
static sess_block *block_of_event(const session *s, size_t alloc, const as_event *ev)
{
    const sess_allocator *a = s->allocs[alloc];
    if (ev->alloc_stamp && ev->alloc_stamp <= UINT32_MAX) {
        size_t lo = 0, hi = a->block_count;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (sess_blk(s, a->block_index[mid])->alloc_step < ev->alloc_stamp)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < a->block_count; i++) {
            const sess_block *b = sess_blk(s, a->block_index[i]);
            if (b->alloc_step != ev->alloc_stamp)
                break;
            if (b->ptr == ev->ptr)
                return sess_blk_w(s, a->block_index[i]);
        }
    }
    return sess_block_by_ptr(s, alloc, ev->ptr);
}

static void on_event(void *user, const as_event *ev)
{
    sink_ctx *c = user;
    session *s = c->s;
    sess_block *b = block_of_event(s, c->alloc, ev);
    char what[96];
    snprintf(what, sizeof what, "%s (%zu bytes)", b ? sess_label(s, b) : "an unknown pointer",
             b ? (size_t)b->size : ev->len);
    warn_kind k = warn_from_event(ev->kind);
    switch (ev->kind) {
    case AS_EV_DOUBLE_FREE:
        sess_warn(s, k, "double free of %s: allocated at step %llu, first freed at step %llu", what,
                  (unsigned long long)ev->alloc_stamp, (unsigned long long)ev->free_stamp);
        break;
    case AS_EV_INVALID_FREE:
        sess_warn(s, k, "free of a pointer %s never handed out", s->allocs[c->alloc]->name);
        break;
    case AS_EV_WRONG_SIZE_FREE:
        sess_warn(s, k, "free of %s with the wrong size: %zu byte%s given, allocated with %zu at step %llu",
                  what, ev->given_len, ev->given_len == 1 ? "" : "s", ev->len, (unsigned long long)ev->alloc_stamp);
        break;
    case AS_EV_OUT_OF_ORDER_FREE:
        sess_warn(s, k, "free of %s out of order: a stack frees only its top block (LIFO); the free was "
                        "ignored", what);
        break;
    case AS_EV_LEAK:
        sess_warn(s, k, "leak: %s allocated at step %llu was never freed", what,
                  (unsigned long long)ev->alloc_stamp);
        break;
    case AS_EV_USE_AFTER_FREE:
        sess_warn(s, k, "use after free: %s was written after it was freed at step %llu", what,
                  (unsigned long long)ev->free_stamp);
        break;
    case AS_EV_OVERFLOW:
        sess_warn(s, k, "overflow: a write ran past the end of %s into its guard zone", what);
        break;
    case AS_EV_MEMORY_LIMIT:
        sess_warn(s, k, "memory limit: %zu more bytes would pass the limit", ev->len);
        break;
    }
}

sess_allocator *sess_add_allocator(session *s, const kind_row *kind, kind_built *b, const char *name,
                                   strbuf *out)
{
    sess_allocator_box *box = NULL;
    if (s->alloc_count == SESSION_MAX_ALLOCATORS)
        sess_fail(out, "at most %d allocators in one session", SESSION_MAX_ALLOCATORS);
    else if ((box = calloc(1, sizeof *box)) == NULL)
        sess_fail(out, "out of memory");
    if (box == NULL) {
        kind_destroy(b);
        return NULL;
    }
    sess_allocator *a = &box->a;
    static uint64_t serials;
    a->serial = ++serials;
    a->kind = kind;
    a->built = *b;
    if (name)
        snprintf(a->name, sizeof a->name, "%s", name);
    else
        unique_name(s, kind->name, a->name, sizeof a->name);
    size_t index = s->alloc_count++;
    s->allocs[index] = a;
    box->sink = (sink_ctx){s, index};
    if (a->built.top.probe->set_sink)
        a->built.top.probe->set_sink(a->built.top.a.ctx, (as_event_sink){on_event, &box->sink});
    s->active = index;
    s->changed = true;
    return a;
}

void sess_drop_allocators(session *s, size_t keep, size_t active)
{
    while (s->alloc_count > keep)
        allocator_destroy(s->allocs[--s->alloc_count]);
    s->active = active < s->alloc_count ? active : 0;
    s->changed = true;
}

int sess_group_index(const session *s, size_t a)
{
    for (size_t i = 0; i < s->group.count; i++)
        if (s->group.member[i] == a)
            return (int)i;
    return -1;
}

/* ---- accessors ---- */

const char *session_check(const session *s)
{
    for (size_t i = 0; i < s->alloc_count; i++) {
        const as_instance *top = &s->allocs[i]->built.top;
        const char *why = top->probe->check ? top->probe->check(top->a.ctx) : NULL;
        if (why)
            return why;
    }
    return NULL;
}

size_t session_step(const session *s) { return s->step; }
const char *session_caption(const session *s) { return sb_str(&s->caption); }
bool session_has_active(const session *s) { return s->alloc_count > 0; }
const char *session_active_name(const session *s) { return s->alloc_count ? sess_active(s)->name : ""; }
const char *session_active_kind(const session *s) { return s->alloc_count ? sess_active(s)->kind->name : ""; }
const char *session_active_description(const session *s)
{
    return s->alloc_count ? sess_active(s)->built.desc : "";
}

as_instance session_active_instance(const session *s)
{
    return s->alloc_count ? sess_active(s)->built.top : (as_instance){0};
}

as_instance session_active_structural(const session *s)
{
    return s->alloc_count ? kind_structural(sess_active(s)->kind, &sess_active(s)->built) : (as_instance){0};
}

size_t session_allocator_count(const session *s) { return s->alloc_count; }
const char *session_allocator_name(const session *s, size_t i) { return s->allocs[i]->name; }
size_t session_active_index(const session *s) { return s->active; }

static session_block to_view(const session *s, const sess_block *b)
{
    return (session_block){(int)b->id, sess_label(s, b), sess_name(s, b->type), b->ptr, b->region, b->offset,
                           b->size, (size_t)1 << b->align_log2, b->padding, b->live, b->alloc_step,
                           b->free_step};
}

size_t session_block_count(const session *s)
{
    return s->alloc_count ? sess_active(s)->block_count : 0;
}

session_block session_block_at(const session *s, size_t idx)
{
    const sess_allocator *a = sess_active(s);
    if (a == NULL || idx >= a->block_count)
        return (session_block){0};
    return to_view(s, sess_blk(s, a->block_index[idx]));
}

const void *session_block_ptr_at(const session *s, size_t idx, bool *live)
{
    const sess_block *b = sess_blk(s, s->allocs[s->active]->block_index[idx]);
    *live = b->live;
    return b->ptr;
}

uint64_t session_blocks_epoch(const session *s) { return s->blocks_epoch; }

size_t session_warning_count(const session *s) { return s->warning_count; }

session_warning session_warning_at(const session *s, size_t i)
{
    const sess_warning *w = &s->warnings[i];
    return (session_warning){warn_name(w->kind), w->step, sess_name(s, w->message), w->allocator};
}

void session_get_stats(const session *s, session_stats *out)
{
    as_usage u;
    memset(&u, 0, sizeof u);
    const sess_allocator *a = sess_active(s);
    if (a)
        as_usage_of(a->built.top.probe, a->built.top.a.ctx, &u);
    session_stats_from_usage(s, &u, out);
}

void session_stats_from_usage(const session *s, const as_usage *usage, session_stats *out)
{
    memset(out, 0, sizeof *out);
    const sess_allocator *a = sess_active(s);
    if (a == NULL)
        return;
    as_usage u = *usage;
    out->capacity = u.capacity;
    out->has_offset = a->built.top.probe->offset && a->built.top.probe->offset(a->built.top.a.ctx, &out->offset);
    as_instance structural = kind_structural(a->kind, &a->built);
    out->freed_reusable = structural.probe && structural.probe->free_shape != AS_FREE_NONE;
    out->live_bytes = u.live_bytes;
    out->live_blocks = u.live_blocks;
    out->padding_bytes = u.padding_bytes;
    out->metadata_bytes = u.metadata_bytes;
    out->freed_bytes = u.freed_bytes;
    out->unused_bytes = u.unused_bytes;
    out->slack_bytes = u.slack_bytes;
    out->damaged_bytes = u.damaged_bytes;
    out->unknown_bytes = u.unknown_bytes;
    out->peak_bytes = a->peak_bytes;
    /* an allocator that counts its own "peak usage" (the tutorial's): that one */
    as_figure fig[16];
    const as_probe *p = a->built.top.probe;
    size_t nfig = p->figures ? p->figures(a->built.top.a.ctx, fig, 16) : 0;
    for (size_t i = 0; i < nfig; i++)
        if (strncmp(fig[i].name, "peak usage", 10) == 0)
            out->peak_bytes = fig[i].value, out->peak_is_offset = true;
    out->total_allocated = a->total_allocated;
    out->total_freed = a->total_freed;
    /* blocks of a non-inspectable allocator (the system heap) */
    if (u.capacity == 0) {
        for (size_t i = 0; i < a->block_count; i++) {
            const sess_block *b = sess_blk(s, a->block_index[i]);
            if (b->live) {
                out->live_blocks++;
                out->live_bytes += b->size;
            }
        }
    }
}

const types_registry *session_types(const session *s) { return s->types; }

void session_memory(const session *s, size_t *tracking, size_t *history)
{
    size_t t = s->chunk_count * (SESS_BLOCK_CHUNK * sizeof(sess_block) + sizeof(sess_block *));
    t += s->names.count * (SESS_NAME_CHUNK + sizeof(char *));
    t += s->name_cap * sizeof *s->name_slots;
    for (size_t i = 0; i < s->alloc_count; i++)
        t += s->allocs[i]->block_cap * sizeof *s->allocs[i]->block_index;
    size_t text = 0; /* the history's lines are in the name pool: counted as history */
    for (size_t i = 0; i < s->history_count; i++)
        text += strlen(sess_history_line(s, i)) + 1;
    *tracking = t > text ? t - text : 0;
    *history = s->history_cap * sizeof *s->history + text;
}
size_t session_zoom(const session *s) { return s->zoom; }

size_t session_group_count(const session *s) { return s->group.count; }

void session_group_figures(const session *s, size_t i, session_member_figures *out)
{
    memset(out, 0, sizeof *out);
    if (i >= s->group.count)
        return;
    const sess_allocator *a = s->allocs[s->group.member[i]];
    out->high_water = a->high_water;
    out->regions = a->regions;
    out->failures = s->group.failures[i];
    out->commands = s->group.commands;
    out->ns = s->group.ns[i];
}

static void slack_cb(void *user, const as_span *sp)
{
    if (sp->kind == AS_SPAN_SLACK)
        *(size_t *)user += sp->len;
}

static void slack_batch(void *user, const as_span *sp, size_t n)
{
    size_t add = 0;
    for (size_t i = 0; i < n; i++)
        if (sp[i].kind == AS_SPAN_SLACK)
            add += sp[i].len;
    *(size_t *)user += add;
}

size_t session_slack(const session *s)
{
    size_t slack = 0;
    const sess_allocator *a = sess_active(s);
    if (a) {
        as_inspector in = {.span = slack_cb, .user = &slack, .spans = slack_batch};
        a->built.top.probe->inspect(a->built.top.a.ctx, &in);
    }
    return slack;
}
size_t session_group_member(const session *s, size_t i) { return s->group.member[i]; }

session *session_view_new(void) { return calloc(1, sizeof(session)); }
void session_view_free(session *view) { free(view); }

void session_view_of(session *view, const session *s, size_t alloc)
{
    *view = *s;
    view->active = alloc < s->alloc_count ? alloc : s->active;
}
bool session_show_addresses(const session *s) { return s->show_addresses; }

size_t session_block_names(const session *s, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = s->block_count; i-- > 0 && n < max;)
        if (sess_blk(s, i)->named)
            out[n++] = sess_label(s, sess_blk(s, i));
    return n;
}
