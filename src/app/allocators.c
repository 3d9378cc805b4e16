/*
 * allocators.c - `new` and `switch`: building the allocators a user asks
 * for out of the library, naming them, and turning their events into the
 * session's warnings.
 */
#include "session_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/arena.h"
#include "allocscope/buddy.h"
#include "allocscope/bump.h"
#include "allocscope/counting.h"
#include "allocscope/fixed.h"
#include "allocscope/freelist.h"
#include "allocscope/pool.h"
#include "allocscope/stack.h"
#include "allocscope/sysheap.h"

const char *const session_kind_names[] = {
    "bump", "fixed", "stack", "arena", "pool", "debug", "counting", "freelist", "buddy",
};
const size_t session_kind_count = sizeof session_kind_names / sizeof session_kind_names[0];

/* What `new` was asked for, once its words are read. */
typedef struct new_spec {
    const char *kind;
    size_t size;
    bool has_size;
    unsigned align_log2;
    bool has_align;
    size_t capacity;
    bool has_capacity;
    freelist_fit fit;
    const char *over_kind;
    size_t over_size;
    bool over_has_size;
    const char *name;
    const char *type;       /* pool of a type */
    size_t type_align;
    size_t limit;           /* debug: memory limit in bytes, 0 = none */
} new_spec;

static bool is_kind(const char *w)
{
    for (size_t i = 0; i < session_kind_count; i++)
        if (parse_is(w, session_kind_names[i]))
            return true;
    return false;
}

static size_t default_size(const char *kind)
{
    if (!strcmp(kind, "fixed") || !strcmp(kind, "stack") || !strcmp(kind, "buddy"))
        return 1024;
    if (!strcmp(kind, "debug"))
        return 8192;
    return 4096;
}

static session_status check_size(const char *what, size_t size, strbuf *out)
{
    if (size == 0)
        return sess_fail(out, "%s: the size must be at least 1 byte", what);
    if (size > SESSION_MAX_BUFFER)
        return sess_fail(out, "%s: at most 1 GiB per allocator", what);
    return SESSION_OK;
}

/* A plain allocator with its own buffer. */
static session_status make_plain(const char *kind, size_t size, freelist_fit fit, as_instance *out_inst,
                                 strbuf *out)
{
    if (check_size(kind, size, out))
        return SESSION_ERROR;
    void *ctx = NULL;
    if (!strcmp(kind, "bump")) {
        bump *b = bump_create(size);
        ctx = b, *out_inst = b ? bump_instance(b) : (as_instance){0};
    } else if (!strcmp(kind, "fixed")) {
        fixed *f = fixed_create(size);
        ctx = f, *out_inst = f ? fixed_instance(f) : (as_instance){0};
    } else if (!strcmp(kind, "stack")) {
        if (size > UINT32_MAX)
            return sess_fail(out, "stack: at most 4 GiB - 1");
        stack *st = stack_create(size);
        ctx = st, *out_inst = st ? stack_instance(st) : (as_instance){0};
    } else if (!strcmp(kind, "freelist")) {
        if (size < FREELIST_MIN_BLOCK)
            return sess_fail(out, "freelist: at least %d bytes", FREELIST_MIN_BLOCK);
        freelist *f = freelist_create(size, fit);
        ctx = f, *out_inst = f ? freelist_instance(f) : (as_instance){0};
    } else if (!strcmp(kind, "buddy")) {
        if (size < BUDDY_MIN_BLOCK || (size & (size - 1)))
            return sess_fail(out, "buddy: the size must be a power of two of at least %d (e.g. 1024)",
                             BUDDY_MIN_BLOCK);
        buddy *b = buddy_create(size);
        ctx = b, *out_inst = b ? buddy_instance(b) : (as_instance){0};
    } else {
        return sess_fail(out, "'%s' cannot back another allocator here (use bump, fixed, stack, "
                              "freelist or buddy)", kind);
    }
    if (ctx == NULL)
        return sess_fail(out, "%s: not enough memory for %zu bytes", kind, size);
    return SESSION_OK;
}

static session_status read_fit(const char *w, freelist_fit *fit)
{
    if (parse_is(w, "first-fit") || parse_is(w, "first"))
        *fit = FREELIST_FIRST_FIT;
    else if (parse_is(w, "best-fit") || parse_is(w, "best"))
        *fit = FREELIST_BEST_FIT;
    else if (parse_is(w, "next-fit") || parse_is(w, "next"))
        *fit = FREELIST_NEXT_FIT;
    else
        return SESSION_ERROR;
    return SESSION_OK;
}

static session_status read_spec(session *s, const parse_words *w, new_spec *sp, strbuf *out)
{
    static const char usage[] = "new KIND [SIZE] [align A] [capacity N] [first-fit|best-fit|next-fit] "
                                "[over KIND [SIZE]] [limit N] [as NAME]";
    const char *e;
    if (w->count < 2)
        return sess_fail(out, "which kind? (usage: %s)", usage);
    if (!is_kind(w->word[1])) {
        const char *hint = parse_suggest(w->word[1], session_kind_names, session_kind_count);
        return sess_fail(out, "unknown allocator kind '%s'%s%s%s (kinds: bump, fixed, stack, arena, "
                              "pool, debug, counting, freelist, buddy)", w->word[1],
                         hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    }
    for (size_t i = 0; i < session_kind_count; i++)
        if (parse_is(w->word[1], session_kind_names[i]))
            sp->kind = session_kind_names[i];
    for (size_t i = 2; i < w->count; i++) {
        const char *word = w->word[i];
        const char *next = i + 1 < w->count ? w->word[i + 1] : NULL;
        if (parse_is(word, "align")) {
            if ((e = parse_align(next, &sp->align_log2)))
                return sess_fail(out, "align: %s", next ? e : "a value is missing");
            sp->has_align = true, i++;
        } else if (parse_is(word, "capacity")) {
            if ((e = parse_uint(next, &sp->capacity)) || sp->capacity == 0)
                return sess_fail(out, "capacity: %s", e ? e : "must be at least 1");
            sp->has_capacity = true, i++;
        } else if (parse_is(word, "limit")) {
            if (strcmp(sp->kind, "debug"))
                return sess_fail(out, "'limit' applies to debug only (a memory limit in bytes)");
            if ((e = parse_size(next, &sp->limit)) || sp->limit == 0)
                return sess_fail(out, "limit: %s", e ? e : "must be at least 1 byte");
            i++;
        } else if (parse_is(word, "as")) {
            if (next == NULL || !parse_is_name(next))
                return sess_fail(out, "as: give a name (letters, digits, _ . -; at most 31)");
            sp->name = next, i++;
        } else if (parse_is(word, "over")) {
            if (next == NULL || !is_kind(next))
                return sess_fail(out, "over: which kind? (bump, fixed, stack, freelist, buddy)");
            sp->over_kind = next, i++;
            if (i + 1 < w->count && parse_size(w->word[i + 1], &sp->over_size) == NULL)
                sp->over_has_size = true, i++;
        } else if (read_fit(word, &sp->fit) == SESSION_OK) {
            if (strcmp(sp->kind, "freelist"))
                return sess_fail(out, "'%s' applies to freelist only", word);
        } else if (!sp->has_size && parse_size(word, &sp->size) == NULL) {
            sp->has_size = true;
        } else if (!sp->has_size && !strcmp(sp->kind, "pool") &&
                   types_lookup(s->types, word, &sp->size, &sp->type_align)) {
            sp->type = word;
            sp->has_size = true;
        } else {
            e = parse_size(word, &sp->size);
            return sess_fail(out, "'%s': %s (usage: %s)", word,
                             e && !sp->has_size ? e : "unexpected word", usage);
        }
    }
    return SESSION_OK;
}

static void unique_name(const session *s, const char *base, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", base);
    for (int n = 2; sess_find_allocator(s, buf) != (size_t)-1; n++)
        snprintf(buf, cap, "%s%d", base, n);
}

size_t sess_find_allocator(const session *s, const char *name)
{
    for (size_t i = 0; i < s->alloc_count; i++)
        if (strcmp(s->allocs[i]->name, name) == 0)
            return i;
    return (size_t)-1;
}

typedef struct sink_ctx {
    session *s;
    size_t alloc;
} sink_ctx;

static void describe_block(session *s, size_t alloc, const void *ptr, size_t len, char *buf,
                           size_t cap)
{
    sess_block *b = sess_block_by_ptr(s, alloc, ptr);
    snprintf(buf, cap, "%s (%zu bytes)", b ? sess_label(s, b) : "an unknown pointer", b ? (size_t)b->size : len);
}

static void on_event(void *user, const as_event *ev)
{
    sink_ctx *c = user;
    session *s = c->s;
    char what[96];
    describe_block(s, c->alloc, ev->ptr, ev->len, what, sizeof what);
    switch (ev->kind) {
    case AS_EV_DOUBLE_FREE:
        sess_warn(s, "double-free", "double free of %s: allocated at step %llu, first freed at step %llu",
                  what, (unsigned long long)ev->alloc_stamp, (unsigned long long)ev->free_stamp);
        break;
    case AS_EV_INVALID_FREE:
        sess_warn(s, "invalid-free", "free of a pointer %s never handed out", s->allocs[c->alloc]->name);
        break;
    case AS_EV_WRONG_SIZE_FREE:
        sess_warn(s, "invalid-free", "free of %s with the wrong size: %zu bytes given, allocated with "
                                     "%zu at step %llu", what, ev->given_len, ev->len,
                  (unsigned long long)ev->alloc_stamp);
        break;
    case AS_EV_OUT_OF_ORDER_FREE:
        sess_warn(s, "out-of-order-free", "free of %s out of order: a stack frees only its top block "
                                          "(LIFO); the free was ignored", what);
        break;
    case AS_EV_LEAK:
        sess_warn(s, "leak", "leak: %s allocated at step %llu was never freed", what,
                  (unsigned long long)ev->alloc_stamp);
        break;
    case AS_EV_USE_AFTER_FREE:
        sess_warn(s, "use-after-free", "use after free: %s was written after it was freed at step %llu",
                  what, (unsigned long long)ev->free_stamp);
        break;
    case AS_EV_OVERFLOW:
        sess_warn(s, "overflow", "overflow: a write ran past the end of %s into its guard zone", what);
        break;
    case AS_EV_MEMORY_LIMIT:
        sess_warn(s, "memory-limit", "memory limit: %zu more bytes would pass the limit", ev->len);
        break;
    }
}

/* The sink contexts live as long as the allocator: kept in a static table
 * would be a global, so they are allocated beside it. */
typedef struct sess_allocator_box {
    sess_allocator a;
    sink_ctx sink;
} sess_allocator_box;

void sess_allocator_destroy(sess_allocator *a)
{
    if (a == NULL)
        return;
    if (a->top.probe && a->top.probe->destroy)
        a->top.probe->destroy(a->top.a.ctx);
    for (size_t i = 0; i < a->owned_count; i++)
        if (a->owned[i].probe->destroy)
            a->owned[i].probe->destroy(a->owned[i].a.ctx);
    free(a->block_index);
    free(a);
}

static sess_allocator *box_new(void)
{
    sess_allocator_box *box = calloc(1, sizeof *box);
    return box ? &box->a : NULL;
}

static void attach_sink(session *s, sess_allocator *a, size_t index)
{
    sess_allocator_box *box = (sess_allocator_box *)a;
    box->sink = (sink_ctx){s, index};
    as_event_sink sink = {on_event, &box->sink};
    if (a->top.probe->set_sink)
        a->top.probe->set_sink(a->top.a.ctx, sink);
}

static session_status build_wrapped(new_spec *sp, sess_allocator *a, strbuf *out)
{
    const char *inner_kind = sp->over_kind ? sp->over_kind : "bump";
    size_t inner_size = sp->over_has_size ? sp->over_size : (sp->has_size ? sp->size : default_size(sp->kind));
    as_instance inner;
    if (make_plain(inner_kind, inner_size, sp->fit, &inner, out))
        return SESSION_ERROR;
    a->owned[a->owned_count++] = inner;
    if (!strcmp(sp->kind, "debug")) {
        a->debug = debug_create(inner);
        a->top = a->debug ? debug_instance(a->debug) : (as_instance){0};
        if (a->debug && sp->limit)
            debug_set_limit(a->debug, sp->limit);
    } else {
        counting *c = counting_create(inner);
        a->top = c ? counting_instance(c) : (as_instance){0};
    }
    snprintf(a->desc, sizeof a->desc, "%s over %s %zu", sp->kind, inner_kind, inner_size);
    if (sp->limit) {
        size_t n = strlen(a->desc);
        snprintf(a->desc + n, sizeof a->desc - n, ", limit %zu", sp->limit);
    }
    return a->top.a.ctx ? SESSION_OK : sess_fail(out, "out of memory");
}

static session_status build_arena(new_spec *sp, sess_allocator *a, strbuf *out)
{
    as_instance backing = sysheap_instance();
    if (sp->over_kind) {
        size_t sz = sp->over_has_size ? sp->over_size : default_size(sp->over_kind);
        if (make_plain(sp->over_kind, sz, sp->fit, &backing, out))
            return SESSION_ERROR;
        a->owned[a->owned_count++] = backing;
        snprintf(a->desc, sizeof a->desc, "arena over %s %zu", sp->over_kind, sz);
    } else {
        snprintf(a->desc, sizeof a->desc, "arena over the system heap");
    }
    arena *ar = arena_create(backing);
    a->top = ar ? arena_instance(ar) : (as_instance){0};
    return ar ? SESSION_OK : sess_fail(out, "out of memory");
}

static session_status build_pool(new_spec *sp, sess_allocator *a, strbuf *out)
{
    size_t item = sp->has_size ? sp->size : 24;
    unsigned al = sp->has_align ? sp->align_log2 : (sp->type ? as_log2(sp->type_align) : 3);
    if (item > SESSION_MAX_BUFFER)
        return sess_fail(out, "pool: a slot of at most 1 GiB");
    size_t slots = sp->has_capacity ? sp->capacity : 16;
    if (slots > SESSION_MAX_BUFFER / (item < 8 ? 8 : item))
        return sess_fail(out, "pool: capacity too large (at most 1 GiB of slots)");
    pool *p = pool_create((pool_options){item, (uint8_t)al, slots, !sp->has_capacity});
    if (p == NULL)
        return sess_fail(out, "pool: not enough memory");
    a->top = pool_instance(p);
    char what[48];
    if (sp->type)
        snprintf(what, sizeof what, "%s, %zu bytes", sp->type, item);
    else
        snprintf(what, sizeof what, "item %zu bytes", item);
    snprintf(a->desc, sizeof a->desc, "pool of %zu-byte slots (%s, align %zu), %s %zu", pool_slot_size(p),
             what, pool_slot_align(p), sp->has_capacity ? "fixed capacity" : "growable, first slab", slots);
    return SESSION_OK;
}

static session_status build(new_spec *sp, sess_allocator *a, strbuf *out)
{
    const char *k = sp->kind;
    if (!strcmp(k, "debug") || !strcmp(k, "counting"))
        return build_wrapped(sp, a, out);
    if (!strcmp(k, "arena"))
        return build_arena(sp, a, out);
    if (!strcmp(k, "pool"))
        return build_pool(sp, a, out);
    if (sp->over_kind)
        return sess_fail(out, "'over' applies to arena, debug and counting only");
    size_t size = sp->has_size ? sp->size : default_size(k);
    if (make_plain(k, size, sp->fit, &a->top, out))
        return SESSION_ERROR;
    if (!strcmp(k, "freelist"))
        snprintf(a->desc, sizeof a->desc, "freelist %zu %s", size, freelist_fit_name(sp->fit));
    else
        snprintf(a->desc, sizeof a->desc, "%s %zu", k, size);
    return SESSION_OK;
}

/* Adds a built allocator to the session and makes it active. */
static sess_allocator *install(session *s, new_spec *sp, strbuf *out)
{
    if (s->alloc_count == SESSION_MAX_ALLOCATORS) {
        sess_fail(out, "at most %d allocators in one session", SESSION_MAX_ALLOCATORS);
        return NULL;
    }
    if (sp->name && sess_find_allocator(s, sp->name) != (size_t)-1) {
        sess_fail(out, "an allocator named '%s' exists already", sp->name);
        return NULL;
    }
    sess_allocator *a = box_new();
    if (a == NULL) {
        sess_fail(out, "out of memory");
        return NULL;
    }
    if (build(sp, a, out) != SESSION_OK) {
        sess_allocator_destroy(a);
        return NULL;
    }
    snprintf(a->kind, sizeof a->kind, "%s", sp->kind);
    if (sp->name)
        snprintf(a->name, sizeof a->name, "%s", sp->name);
    else
        unique_name(s, sp->kind, a->name, sizeof a->name);
    s->allocs[s->alloc_count] = a;
    attach_sink(s, a, s->alloc_count);
    s->active = s->alloc_count++;
    s->changed = true;
    as_usage u;
    as_usage_of(a->top.probe, a->top.a.ctx, &u);
    sb_printf(out, "%s: %s%s is active\n", a->name, a->desc,
              u.capacity ? "" : " (grows on demand)");
    return a;
}

session_status cmd_new(session *s, const parse_words *w, strbuf *out)
{
    new_spec sp = {0};
    if (read_spec(s, w, &sp, out) != SESSION_OK)
        return SESSION_ERROR;
    return install(s, &sp, out) ? SESSION_OK : SESSION_ERROR;
}

sess_allocator *sess_create_default(session *s, strbuf *out)
{
    new_spec sp = {.kind = SESSION_DEFAULT_KIND, .size = SESSION_DEFAULT_SIZE, .has_size = true};
    return install(s, &sp, out);
}

session_status cmd_switch(session *s, const parse_words *w, strbuf *out)
{
    if (w->count != 2)
        return sess_fail(out, "usage: switch NAME|KIND");
    size_t i = sess_find_allocator(s, w->word[1]);
    if (i == (size_t)-1) {
        /* a kind: its first allocator, or a new one with defaults */
        for (size_t k = 0; k < s->alloc_count && i == (size_t)-1; k++)
            if (parse_is(s->allocs[k]->kind, w->word[1]))
                i = k;
    }
    if (i != (size_t)-1) {
        s->active = i;
        s->changed = true;
        sb_printf(out, "%s: %s is active\n", s->allocs[i]->name, s->allocs[i]->desc);
        return SESSION_OK;
    }
    if (!is_kind(w->word[1])) {
        const char *names[SESSION_MAX_ALLOCATORS + 16];
        size_t n = 0;
        for (size_t k = 0; k < s->alloc_count; k++)
            names[n++] = s->allocs[k]->name;
        for (size_t k = 0; k < session_kind_count; k++)
            names[n++] = session_kind_names[k];
        const char *hint = parse_suggest(w->word[1], names, n);
        return sess_fail(out, "no allocator or kind named '%s'%s%s%s", w->word[1],
                         hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    }
    new_spec sp = {0};
    for (size_t k = 0; k < session_kind_count; k++)
        if (parse_is(w->word[1], session_kind_names[k]))
            sp.kind = session_kind_names[k];
    return install(s, &sp, out) ? SESSION_OK : SESSION_ERROR;
}
