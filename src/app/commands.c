/*
 * commands.c - the commands that drive an allocator: alloc, free, resize,
 * realloc, reset, write, read and the dry-run `try`.
 *
 * The allocators run for real on real memory. Where a command would make
 * the program itself misbehave (a double free handed to a free list, a
 * write past the end into an allocator's metadata), the session reports
 * what C would do and does not do it; a debug allocator is always handed
 * the bad operation, because catching it is its job. What differs from
 * one algorithm to another (what its regions are called, why a free
 * reclaims nothing, why a resize fails, whether it catches misuse) comes
 * from its probe.
 */
#include "handlers.h"

#include "allocscope/debug.h"

#include <stdio.h>
#include <string.h>

/* ---- helpers ---- */

static const as_probe *probe_of(const sess_allocator *a) { return a->built.top.probe; }

/* Allocators that catch misuse are handed the bad operations. */
static bool catches_misuse(const sess_allocator *a) { return probe_of(a)->scan != NULL; }

static void stamp(session *s, sess_allocator *a)
{
    if (probe_of(a)->set_stamp)
        probe_of(a)->set_stamp(a->built.top.a.ctx, s->step);
}

/* Checks the guards and poison of an allocator that catches misuse. */
static void scan(sess_allocator *a) { probe_of(a)->scan(a->built.top.a.ctx); }

/* "at offset 104" / "at offset 16 of chunk 1" / "at 0x7f..." */
static void where(const session *s, const sess_allocator *a, const sess_block *b, char *buf, size_t cap)
{
    if (s->show_addresses)
        snprintf(buf, cap, "at %p", (void *)b->ptr);
    else if (b->region > 0 || probe_of(a)->region_word)
        snprintf(buf, cap, "at offset %u of %s %u", b->offset,
                 probe_of(a)->region_word ? probe_of(a)->region_word : "region", b->region);
    else
        snprintf(buf, cap, "at offset %u", b->offset);
}

/* Whether name holds NULL on the active allocator: no block has it, and
 * an allocation so named failed (sess_null_add). */
static bool holds_null(session *s, const char *name)
{
    return sess_find_block(s, name) == NULL && sess_null_has(s, s->active, name);
}

static sess_block *resolve_block(session *s, const char *name, strbuf *out)
{
    sess_block *b = sess_find_block(s, name);
    if (b == NULL) {
        const char *names[64];
        size_t n = session_block_names(s, names, 64);
        const char *hint = parse_suggest(name, names, n);
        if (hint && strcmp(hint, name) == 0)
            hint = NULL; /* another allocator's (a member of a comparison) */
        sess_fail(out, "no block named '%s'%s%s%s", name, hint ? " (did you mean '" : "",
                  hint ? hint : "", hint ? "'?)" : "");
    }
    return b;
}

static sess_allocator *ensure_active(session *s, strbuf *out)
{
    if (s->alloc_count == 0) {
        sb_add(out, "(no allocator yet: the default one is made) ");
        if (cmd_default_allocator(s, out) == NULL)
            return NULL;
    }
    return sess_active(s);
}

static void note_alloc_stats(sess_allocator *a, size_t add, size_t remove)
{
    a->live_bytes += add;
    a->live_bytes -= remove < a->live_bytes ? remove : a->live_bytes;
    a->total_allocated += add;
    a->total_freed += remove;
    if (a->live_bytes > a->peak_bytes)
        a->peak_bytes = a->live_bytes;
}

static void note_resize(sess_allocator *a, size_t old_size, size_t new_size)
{
    if (new_size > old_size)
        note_alloc_stats(a, new_size - old_size, 0);
    else
        note_alloc_stats(a, 0, old_size - new_size);
}

/* ---- alloc ---- */

typedef struct alloc_req {
    size_t size;
    unsigned align_log2;
    const char *name;
    char type[PARSE_MAX_NAME + 8];
} alloc_req;

static session_status read_alloc(session *s, const parse_words *w, alloc_req *r, strbuf *out)
{
    static const char usage[] = "alloc SIZE [align A] [as NAME] or alloc TYPE[N] [as NAME]";
    if (w->count < 2)
        return sess_fail(out, "how many bytes? (usage: %s)", usage);
    const char *spec = w->word[1], *e;
    bool has_align = false;
    memset(r, 0, sizeof *r);
    if ((e = parse_size(spec, &r->size)) == NULL) {
        r->align_log2 = 0;
    } else if (spec[0] == '-' || (spec[0] >= '0' && spec[0] <= '9')) {
        return sess_fail(out, "'%s': %s (usage: %s)", spec, e, usage);
    } else {
        size_t align;
        strbuf err;
        sb_init(&err);
        bool ok = types_resolve(s->types, spec, &r->size, &align, &err);
        if (!ok) {
            session_status st = sess_fail(out, "%s", sb_str(&err));
            sb_free(&err);
            return st;
        }
        sb_free(&err);
        r->align_log2 = as_log2(align);
        snprintf(r->type, sizeof r->type, "%s", spec);
    }
    for (size_t i = 2; i < w->count; i++) {
        const char *next = i + 1 < w->count ? w->word[i + 1] : NULL;
        if (parse_is(w->word[i], "align") && !has_align) {
            if (next == NULL)
                return sess_fail(out, "align: a value is missing (a power of two, 1..4096)");
            if ((e = parse_align(next, &r->align_log2)))
                return sess_fail(out, "align %s: %s", next, e);
            has_align = true, i++;
        } else if (parse_is(w->word[i], "as") && r->name == NULL) {
            if (next == NULL || !parse_is_name(next) || next[0] == '#')
                return sess_fail(out, "as: give a name (a letter, then letters, digits, _ . -; at most 31)");
            r->name = next, i++;
        } else {
            return sess_fail(out, "unexpected '%s' (usage: %s)", w->word[i], usage);
        }
    }
    if (r->size == 0)
        return sess_fail(out, "a block of 0 bytes makes no sense here (Zig never asks an allocator for it)");
    if (r->size > SESSION_MAX_BUFFER)
        return sess_fail(out, "at most 1 GiB in one block");
    if (r->name) {
        sess_block *same = sess_find_block(s, r->name);
        if (same && same->live && same->alloc == s->active)
            return sess_fail(out, "a live block is named '%s' already (free it first, or choose "
                                  "another name)", r->name);
    }
    return SESSION_OK;
}

/* Out-of-memory warnings of one allocator that say how full it is; past
 * them a failure costs O(1): the figures take a walk of the heap. */
#define OOM_DETAILED 32

static void report_oom(session *s, sess_allocator *a, size_t size, unsigned al, strbuf *out)
{
    if (++a->oom_count > OOM_DETAILED) {
        sess_warn(s, WARN_OUT_OF_MEMORY, "out of memory: %zu bytes (align %zu) do not fit in %s", size,
                  (size_t)1 << al, a->name);
        sb_printf(out, "out of memory: %zu bytes (align %zu) do not fit in %s; nothing changed\n", size,
                  (size_t)1 << al, a->name);
        return;
    }
    session_stats st;
    session_get_stats(s, &st);
    char extra[128] = "";
    size_t limit = probe_of(a) == &debug_probe ? debug_limit(a->built.top.a.ctx) : 0;
    if (limit && a->live_bytes + size > limit) { /* the limit refused it, not the buffer */
        sess_warn(s, WARN_OUT_OF_MEMORY, "out of memory: %zu bytes (align %zu) do not fit in %s: over its memory "
                  "limit of %zu bytes (%zu in use)", size, (size_t)1 << al, a->name, limit, a->live_bytes);
        sb_printf(out, "out of memory: %zu bytes (align %zu) do not fit in %s: over its memory limit of %zu bytes "
                  "(%zu in use); nothing changed\n", size, (size_t)1 << al, a->name, limit, a->live_bytes);
        return;
    }
    if (st.has_offset)
        snprintf(extra, sizeof extra, ", offset at %zu, %zu bytes after it", st.offset,
                 st.capacity > st.offset ? st.capacity - st.offset : 0);
    else if (st.unknown_bytes) /* an allocator that does not describe itself: its free bytes are unknown */
        snprintf(extra, sizeof extra, ", %zu bytes freed, %zu unknown", st.freed_bytes + st.unused_bytes,
                 st.unknown_bytes);
    else if (st.capacity)
        snprintf(extra, sizeof extra, ", %zu bytes free or never used",
                 st.freed_bytes + st.unused_bytes);
    sess_warn(s, WARN_OUT_OF_MEMORY, "out of memory: %zu bytes (align %zu) do not fit in %s (%zu bytes%s)%s",
              size, (size_t)1 << al, a->name, st.capacity, extra,
              a->oom_count == OOM_DETAILED ? "; further out-of-memory warnings of it leave the figures out" : "");
    sb_printf(out, "out of memory: %zu bytes (align %zu) do not fit in %s; nothing changed\n", size,
              (size_t)1 << al, a->name);
}

/* A request this allocator can never satisfy, however much is freed - a
 * pool's slot is smaller, a debug allocator's limit is lower: an error
 * that says so (nothing changes), not an out-of-memory warning. In a
 * comparison it stays that member's out-of-memory warning: the others go
 * on, and the comparison shows which kinds fail. */
static bool never_fits(const session *s, const sess_allocator *a, const alloc_req *r, strbuf *out)
{
    if (s->group.count)
        return false;
    if (probe_of(a) == &debug_probe) {
        size_t limit = debug_limit(a->built.top.a.ctx);
        if (limit && r->size > limit) {
            sess_fail(out, "%zu bytes are over %s's memory limit of %zu bytes: no allocation that large can "
                      "succeed (new debug limit N sets it)", r->size, a->name, limit);
            return true;
        }
    }
    as_instance st = kind_structural(a->kind, &a->built);
    if (st.probe && st.probe->free_shape == AS_FREE_SLOTS && st.probe->free_summary) {
        as_free_summary sum = {0};
        st.probe->free_summary(st.a.ctx, &sum);
        if (sum.slot_size && r->size > sum.slot_size) {
            sess_fail(out, "%zu bytes do not fit in a slot of %s: its slots are %zu bytes (a pool hands out "
                      "items of one size; new pool %zu makes bigger ones)", r->size, a->name, sum.slot_size,
                      r->size);
            return true;
        }
    }
    return false;
}

/* Allocates for real; the block or NULL (warning given). */
static sess_block *do_alloc(session *s, sess_allocator *a, const alloc_req *r, strbuf *out)
{
    if (sess_block_limit(s)) {
        sess_fail(out, "%s", sess_block_limit(s));
        return NULL;
    }
    stamp(s, a);
    unsigned char *p = as_alloc(a->built.top.a, r->size, (uint8_t)r->align_log2);
    if (p == NULL) {
        if (!kind_failure_explained(&a->built)) /* a plugin's broken promise says why */
            report_oom(s, a, r->size, r->align_log2, out);
        sess_block *old = r->name ? sess_find_block(s, r->name) : NULL;
        if (old && !old->live && old->alloc == s->active)
            old->failed_since = true; /* the name now stands for a NULL pointer: see free_block */
        else if (r->name && old == NULL)
            sess_null_add(s, s->active, r->name); /* so it does, with no block before it: see cmd_free */
        return NULL;
    }
    if (r->name)
        sess_null_drop(s, s->active, r->name);
    sess_block *b = sess_add_block(s, s->active, r->name, r->type);
    if (b == NULL) {
        as_free(a->built.top.a, p, r->size, (uint8_t)r->align_log2);
        sess_fail(out, "out of memory for the block record");
        return NULL;
    }
    b->ptr = p;
    b->size = (uint32_t)r->size;
    b->align_log2 = (uint8_t)r->align_log2;
    sess_set_live(s, b, true);
    b->alloc_step = s->step;
    sess_locate_block(s, b);
    note_alloc_stats(a, r->size, 0);
    s->changed = true;
    return b;
}

session_status cmd_alloc(session *s, const parse_words *w, strbuf *out)
{
    alloc_req r;
    if (read_alloc(s, w, &r, out) != SESSION_OK)
        return SESSION_ERROR;
    sess_allocator *a = ensure_active(s, out);
    if (a == NULL || never_fits(s, a, &r, out))
        return SESSION_ERROR;
    sess_block *b = do_alloc(s, a, &r, out);
    if (b == NULL)
        return sess_block_limit(s) ? SESSION_ERROR : SESSION_OK;
    char at[80];
    const char *label = sess_label(s, b);
    where(s, a, b, at, sizeof at);
    if (b->named)
        sb_printf(out, "#%u %s: ", b->id, label);
    else
        sb_printf(out, "%s: ", label);
    sb_printf(out, "%u byte%s %s (align %zu, %u byte%s of padding)", b->size, b->size == 1 ? "" : "s",
              at, (size_t)1 << b->align_log2, b->padding, b->padding == 1 ? "" : "s");
    if (b->type)
        sb_printf(out, " [%s]", sess_name(s, b->type));
    sb_addc(out, '\n');
    return SESSION_OK;
}

/* ---- free ---- */

static const char *noop_reason(const sess_allocator *a)
{
    const char *why = probe_of(a)->noop_free_why;
    return why ? why : "this allocator ignores the free by design";
}

static void mark_freed(session *s, sess_allocator *a, sess_block *b)
{
    sess_set_live(s, b, false);
    b->free_step = s->step;
    note_alloc_stats(a, 0, b->size);
    s->changed = true;
}

static void warn_double(session *s, sess_block *b, const char *label)
{
    sess_warn(s, WARN_DOUBLE_FREE, "double free of %s (%u bytes): allocated at step %u, first freed at step %u",
              label, b->size, b->alloc_step, b->free_step);
}

static session_status free_block(session *s, sess_allocator *a, sess_block *b, strbuf *out)
{
    const char *label = sess_label(s, b);
    uint8_t al = b->align_log2;
    stamp(s, a);
    if (b->alloc != s->active) {
        if (catches_misuse(a))
            a->built.top.a.vtable->free(a->built.top.a.ctx, b->ptr, b->size, al, 0);
        else
            sess_warn(s, WARN_INVALID_FREE, "invalid free: %s belongs to %s, not %s; handing it to %s "
                      "would corrupt it, so nothing was done", label, s->allocs[b->alloc]->name,
                      a->name, a->name);
        sb_printf(out, "invalid free: %s does not belong to %s\n", label, a->name);
        return SESSION_OK;
    }
    if (!b->live && b->failed_since) {
        /* the program's pointer is the NULL its last allocation returned:
         * freeing it does nothing, as free(NULL) does; no double free */
        sb_printf(out, "nothing to free: the last allocation named %s failed (out of memory), so it holds no "
                  "block; freeing that does nothing, like free(NULL)\n", label);
        return SESSION_OK;
    }
    if (!b->live) {
        if (catches_misuse(a))
            a->built.top.a.vtable->free(a->built.top.a.ctx, b->ptr, b->size, al, 0);
        else
            warn_double(s, b, label);
        sb_printf(out, "double free of %s: it was freed at step %u\n", label, b->free_step);
        return SESSION_OK;
    }
    as_free_verdict v = a->built.top.probe->judge_free(a->built.top.a.ctx, b->ptr, b->size, al);
    switch (v) {
    case AS_FREE_OK:
        as_free(a->built.top.a, b->ptr, b->size, al);
        mark_freed(s, a, b);
        sb_printf(out, "freed %s (%u bytes)\n", label, b->size);
        break;
    case AS_FREE_NOOP:
    case AS_FREE_KEPT:
        as_free(a->built.top.a, b->ptr, b->size, al);
        mark_freed(s, a, b);
        sess_warn(s, WARN_NOOP_FREE, "free of %s reclaims nothing: %s", label, noop_reason(a));
        sb_printf(out, "freed %s, but its %u bytes stay used: %s\n", label, b->size, noop_reason(a));
        break;
    case AS_FREE_OUT_OF_ORDER:
        a->built.top.a.vtable->free(a->built.top.a.ctx, b->ptr, b->size, al, 0); /* the stack reports it */
        sb_printf(out, "not freed: %s is not the top of the stack (free in reverse order)\n", label);
        s->changed = true;
        break;
    case AS_FREE_DOUBLE:
        warn_double(s, b, label);
        sb_printf(out, "double free of %s\n", label);
        break;
    case AS_FREE_NOT_OWNED:
    case AS_FREE_WRONG_SIZE:
        sess_warn(s, WARN_INVALID_FREE, "invalid free of %s: %s", label, as_verdict_text(v));
        sb_printf(out, "invalid free of %s\n", label);
        break;
    }
    return SESSION_OK;
}

session_status cmd_free(session *s, const parse_words *w, strbuf *out)
{
    if (w->count > 2)
        return sess_fail(out, "usage: free [NAME|#ID]");
    if (s->alloc_count == 0)
        return sess_fail(out, "there is nothing to free yet");
    if (w->count == 2 && holds_null(s, w->word[1])) {
        sb_printf(out, "nothing to free: the allocation named %s failed (out of memory), so it holds no block; "
                  "freeing that does nothing, like free(NULL)\n", w->word[1]);
        return SESSION_OK;
    }
    sess_block *b = w->count == 2 ? resolve_block(s, w->word[1], out) : sess_last_live(s);
    if (b == NULL)
        return w->count == 2 ? SESSION_ERROR
                             : sess_fail(out, "%s has no live block to free", sess_active(s)->name);
    return free_block(s, sess_active(s), b, out);
}

/* ---- resize / realloc ---- */

static const char *resize_hint(const sess_allocator *a)
{
    const char *hint = probe_of(a)->resize_hint;
    return hint ? hint : "the allocator could not do it in place";
}

static session_status read_resize(session *s, const parse_words *w, const char *cmd, sess_block **b,
                                  size_t *new_size, strbuf *out)
{
    if (w->count != 3)
        return sess_fail(out, "usage: %s NAME SIZE", cmd);
    if (holds_null(s, w->word[1]))
        return sess_fail(out, "%s holds no block: its allocation failed (out of memory), so there is nothing to "
                              "resize", w->word[1]);
    if ((*b = resolve_block(s, w->word[1], out)) == NULL)
        return SESSION_ERROR;
    const char *e = parse_size(w->word[2], new_size);
    if (e)
        return sess_fail(out, "%s: %s", w->word[2], e);
    if (*new_size == 0)
        return sess_fail(out, "a size of 0 makes no sense here (use free)");
    if (*new_size > SESSION_MAX_BUFFER)
        return sess_fail(out, "at most 1 GiB in one block");
    if (!(*b)->live && (*b)->failed_since)
        return sess_fail(out, "%s holds no block: its last allocation failed (out of memory), so there is "
                              "nothing to resize", sess_label(s, *b));
    if (!(*b)->live) {
        const char *label = sess_label(s, *b);
        return sess_fail(out, "%s was freed at step %u; it cannot be resized", label, (*b)->free_step);
    }
    return SESSION_OK;
}

session_status cmd_resize(session *s, const parse_words *w, strbuf *out)
{
    sess_block *b;
    size_t n;
    if (read_resize(s, w, "resize", &b, &n, out))
        return SESSION_ERROR;
    sess_allocator *a = s->allocs[b->alloc];
    const char *label = sess_label(s, b);
    stamp(s, a);
    if (!as_resize(a->built.top.a, b->ptr, b->size, b->align_log2, n)) {
        sess_warn(s, WARN_RESIZE_FAILED, "resize of %s from %u to %zu bytes failed: %s", label, b->size, n,
                  resize_hint(a));
        sb_printf(out, "resize failed: %s stays %u bytes (%s)\n", label, b->size, resize_hint(a));
        return SESSION_OK;
    }
    note_resize(a, b->size, n);
    b->size = n;
    s->changed = true;
    sb_printf(out, "%s resized in place to %zu bytes\n", label, n);
    return SESSION_OK;
}

session_status cmd_realloc(session *s, const parse_words *w, strbuf *out)
{
    sess_block *b;
    size_t n;
    if (read_resize(s, w, "realloc", &b, &n, out))
        return SESSION_ERROR;
    sess_allocator *a = s->allocs[b->alloc];
    const char *label = sess_label(s, b);
    stamp(s, a);
    size_t old_offset = b->offset;
    unsigned char *p = as_realloc(a->built.top.a, b->ptr, b->size, b->align_log2, n);
    if (p == NULL) {
        if (!kind_failure_explained(&a->built)) /* a plugin's broken promise says why */
            sess_warn(s, WARN_OUT_OF_MEMORY, "realloc of %s to %zu bytes failed: no room in %s; %s is unchanged",
                      label, n, a->name, label);
        sb_printf(out, "out of memory: %s stays %u bytes\n", label, b->size);
        return SESSION_OK;
    }
    bool moved = p != b->ptr;
    size_t old = b->size;
    if (moved)
        note_alloc_stats(a, n, old);
    else
        note_resize(a, old, n);
    b->ptr = p;
    b->size = n;
    if (moved)
        s->blocks_epoch++;
    sess_locate_block(s, b);
    s->changed = true;
    if (moved)
        sb_printf(out, "%s moved from offset %zu to offset %u (%zu bytes copied, old block freed)\n",
                  label, old_offset, b->offset, old < n ? old : n);
    else
        sb_printf(out, "%s resized in place to %zu bytes\n", label, n);
    return SESSION_OK;
}

/* ---- reset ---- */

session_status cmd_reset(session *s, const parse_words *w, strbuf *out)
{
    as_reset_mode mode = AS_RESET_RETAIN_CAPACITY;
    size_t limit = 0;
    const char *mode_name = "";
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator to reset");
    sess_allocator *a = sess_active(s);
    if (w->count >= 2) {
        if (!(a->kind->can & KIND_RESET_MODES)) {
            strbuf modal;
            sb_init(&modal);
            kind_list(KIND_RESET_MODES, "and", &modal);
            session_status st = sess_fail(out, "reset modes apply to %s; %s resets as a whole (usage: reset)",
                                          sb_str(&modal), a->kind->name);
            sb_free(&modal);
            return st;
        }
        if (parse_is(w->word[1], "free-all") && w->count == 2)
            mode = AS_RESET_FREE_ALL, mode_name = " (free-all)";
        else if ((parse_is(w->word[1], "retain") || parse_is(w->word[1], "retain-capacity")) && w->count == 2)
            mode = AS_RESET_RETAIN_CAPACITY, mode_name = " (retain capacity)";
        else if (parse_is(w->word[1], "limit") && w->count == 3 && parse_size(w->word[2], &limit) == NULL)
            mode = AS_RESET_RETAIN_WITH_LIMIT, mode_name = " (retain with limit)";
        else
            return sess_fail(out, "usage: reset [free-all|retain|limit N]");
    }
    if (a->built.top.probe->reset == NULL)
        return sess_fail(out, "%s cannot be reset", a->name);
    bool ok = a->built.top.probe->reset(a->built.top.a.ctx, mode, limit);
    size_t n = 0, bytes = 0;
    for (size_t i = 0; i < a->block_count; i++) {
        if (sess_blk(s, a->block_index[i])->live) {
            sess_block *b = sess_blk_w(s, a->block_index[i]);
            sess_set_live(s, b, false);
            b->free_step = s->step;
            n++;
            bytes += b->size;
        }
    }
    note_alloc_stats(a, 0, bytes);
    s->changed = true;
    if (!ok)
        sess_warn(s, WARN_OUT_OF_MEMORY, "reset of %s could not keep the capacity asked for; everything was "
                                      "given back", a->name);
    as_usage u;
    as_usage_of(a->built.top.probe, a->built.top.a.ctx, &u);
    sb_printf(out, "reset%s: %zu block%s (%zu bytes) released at once; %zu bytes kept\n", mode_name, n,
              n == 1 ? "" : "s", bytes, u.capacity);
    return SESSION_OK;
}

/* ---- write / read ---- */

/* What the allocator itself says of a block's bytes at this step (its
 * probe's inspection, not the session's record of the block): how many
 * bytes from the block's start are the block's own, and how many guard
 * bytes of its own follow them. Only these may be written or read; a
 * block's record can outlive its bytes (a reset, a free, a debug
 * allocator's quarantine handing them back), and then they are the
 * backing allocator's metadata or another block's. */
typedef struct block_bytes {
    size_t user;   /* its bytes, from its start (0: none are its own now) */
    size_t guard;  /* its guard, right after them (debug allocators) */
    bool freed;    /* its bytes are held freed: a debug allocator's quarantine */
} block_bytes;

typedef struct owner_scan {
    const unsigned char *ptr;
    bool found_region;
    uint32_t region;
    size_t off;       /* of ptr in its region */
    int state;        /* 0: looking, 1: after the block's span, 2: done */
    size_t user_end;  /* region offset where the block's bytes end */
    bool live;        /* the block's record says live */
    size_t size;      /* the block's size */
    size_t guard_max; /* the allocator's guard after each block (0: none) */
    block_bytes *res;
} owner_scan;

static void owner_region(void *user, uint32_t r, const void *base, size_t size)
{
    owner_scan *o = user;
    const unsigned char *b = base;
    if (!o->found_region && o->ptr >= b && (size_t)(o->ptr - b) < size) {
        o->found_region = true;
        o->region = r;
        o->off = (size_t)(o->ptr - b);
    }
}

/* Damaged bytes (a debug allocator keeps overwritten poison and guard
 * bytes as evidence) are part of what they damaged: the block's own bytes
 * within its size, its guard after it. */
static void owner_span(owner_scan *o, const as_span *sp)
{
    if (!o->found_region || sp->region != o->region || o->state == 2)
        return;
    bool damaged = sp->kind == AS_SPAN_DAMAGED;
    if (o->state == 1) {
        if (sp->offset != o->user_end) {
            o->state = 2;
            return;
        }
        size_t in_block = o->user_end < o->off + o->size ? o->off + o->size - o->user_end : 0;
        if (o->res->freed && in_block && (damaged || (sp->kind == AS_SPAN_FREED && sp->block == o->ptr))) {
            size_t n = sp->len < in_block ? sp->len : in_block; /* more of the quarantined block */
            o->res->user += n;
            o->res->guard += sp->len - n;
        } else if (((sp->kind == AS_SPAN_META && sp->meta == AS_META_GUARD) || damaged) &&
                   o->res->guard < o->guard_max) {
            size_t room = o->guard_max - o->res->guard; /* never past its own guard */
            o->res->guard += sp->len < room ? sp->len : room;
            if (sp->len > room) {
                o->state = 2;
                return;
            }
        } else {
            if (o->res->freed && o->res->guard == 0)
                o->res->user = 0; /* freed but not followed by a guard: not a quarantine */
            o->state = 2;
            return;
        }
        o->user_end = sp->offset + sp->len;
        return;
    }
    if (o->off < sp->offset || o->off - sp->offset >= sp->len)
        return;
    size_t end = sp->offset + sp->len;
    if (o->live && sp->kind == AS_SPAN_LIVE) {
        /* its own span, or one span for every block (bump, stack) */
        o->res->user = end - o->off;
    } else if (!o->live && sp->offset == o->off &&
               ((sp->kind == AS_SPAN_FREED && sp->block == o->ptr) || damaged)) {
        /* a debug allocator shows a quarantined block as freed (or damaged), then its guard */
        o->res->user = sp->len < o->size ? sp->len : o->size;
        o->res->guard = sp->len - o->res->user;
        if (o->res->guard > o->guard_max)
            o->res->guard = o->guard_max;
        o->res->freed = true;
    } else {
        o->state = 2;
        return;
    }
    o->user_end = end;
    o->state = 1;
}

static void owner_spans(void *user, const as_span *spans, size_t count)
{
    for (size_t i = 0; i < count; i++)
        owner_span(user, &spans[i]);
}

/* The bytes of b that are b's own now (see block_bytes). A live block's
 * must also be one its allocator would accept a free of; a freed block's
 * are its own only in a debug allocator's quarantine. */
static block_bytes bytes_of(const sess_allocator *a, const sess_block *b)
{
    block_bytes res = {0, 0, false};
    if (b->live) {
        as_free_verdict v = probe_of(a)->judge_free(a->built.top.a.ctx, b->ptr, b->size, b->align_log2);
        if (v == AS_FREE_DOUBLE || v == AS_FREE_NOT_OWNED || v == AS_FREE_WRONG_SIZE)
            return res;
    } else if (!catches_misuse(a)) {
        return res;
    }
    owner_scan o = {.ptr = b->ptr, .live = b->live, .size = b->size, .guard_max = probe_of(a)->guard_size, .res = &res};
    as_inspector in = {.region = owner_region, .spans = owner_spans, .user = &o};
    probe_of(a)->inspect(a->built.top.a.ctx, &in);
    if (o.state == 1 && res.freed && res.guard == 0)
        res.user = 0; /* the region ended right after it: no guard */
    if (res.user > b->size)
        res.user = b->size;
    return res;
}

typedef struct access {
    sess_block *b;
    size_t offset, len;
    const char *text;
} access;

static session_status read_access(session *s, const parse_words *w, bool is_write, access *ac, strbuf *out)
{
    const char *usage = is_write ? "write NAME [OFFSET] LEN|\"text\"" : "read NAME [OFFSET LEN]";
    memset(ac, 0, sizeof *ac);
    if (w->count < 2 || w->count > 4 || (is_write && w->count < 3) || (!is_write && w->count == 3))
        return sess_fail(out, "usage: %s", usage);
    if ((ac->b = resolve_block(s, w->word[1], out)) == NULL)
        return SESSION_ERROR;
    const char *e;
    size_t last = w->count - 1;
    if (w->count == 4 && (e = parse_size(w->word[2], &ac->offset)))
        return sess_fail(out, "offset %s: %s", w->word[2], e);
    if (is_write && w->quoted[last]) {
        ac->text = w->word[last];
        ac->len = strlen(ac->text);
    } else if (w->count >= 3 && (e = parse_size(w->word[last], &ac->len))) {
        return sess_fail(out, "length %s: %s (usage: %s)", w->word[last], e, usage);
    } else if (w->count == 2) {
        ac->len = ac->b->size;
    }
    if (ac->len == 0)
        return sess_fail(out, "nothing to %s (length 0)", is_write ? "write" : "read");
    if (ac->len > SESSION_MAX_WRITE || ac->offset > SESSION_MAX_BUFFER)
        return sess_fail(out, "at most %d bytes at a time", SESSION_MAX_WRITE);
    return SESSION_OK;
}

static void fill(unsigned char *dst, const access *ac, size_t from, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = ac->text ? (unsigned char)ac->text[from + i] : (unsigned char)('A' + ac->b->id % 26);
}

/* Why a freed block's bytes cannot be touched: they are no longer its own. */
static session_status not_its_own(const sess_block *b, const char *label, const char *verb, strbuf *out)
{
    return sess_fail(out, "not %s: %s was freed at step %u and its bytes are no longer its own (its allocator "
                     "may keep its links there, or another block); allocscope touches only bytes it can prove "
                     "are the block's", verb, label, b->free_step);
}

/* A write to a freed block: into a debug allocator's quarantine (what it
 * is there to catch), else refused (nothing is written). */
static session_status write_freed(session *s, sess_allocator *a, sess_block *b, const access *ac,
                                  block_bytes own, strbuf *out)
{
    const char *label = sess_label(s, b);
    if (own.user == 0 && catches_misuse(a))
        return not_its_own(b, label, "written", out);
    if (own.user == 0) {
        sess_warn(s, WARN_USE_AFTER_FREE, "use after free: write to %s, freed at step %u; in C this "
                  "corrupts whatever reuses the memory, so allocscope did not write", label, b->free_step);
        sb_printf(out, "not written: %s was freed at step %u\n", label, b->free_step);
        s->changed = true;
        return SESSION_OK;
    }
    if (ac->offset >= own.user)
        return sess_fail(out, "offset %zu is past the end of freed %s (%zu bytes): nothing written", ac->offset,
                         label, own.user);
    size_t n = ac->offset + ac->len > own.user ? own.user - ac->offset : ac->len;
    fill(b->ptr + ac->offset, ac, 0, n);
    scan(a);
    s->changed = true;
    sb_printf(out, "wrote %zu bytes into freed %s; the debug allocator noticed\n", n, label);
    return SESSION_OK;
}

session_status cmd_write(session *s, const parse_words *w, strbuf *out)
{
    access ac;
    if (read_access(s, w, true, &ac, out))
        return SESSION_ERROR;
    sess_block *b = ac.b;
    sess_allocator *a = s->allocs[b->alloc];
    const char *label = sess_label(s, b);
    block_bytes own = bytes_of(a, b);
    if (!b->live)
        return write_freed(s, a, b, &ac, own, out);
    if (own.user < b->size)
        return sess_fail(out, "not written: its allocator does not hold %s's %u bytes as a live block any more; "
                         "allocscope touches only bytes it can prove are the block's", label, b->size);
    size_t guard = catches_misuse(a) ? own.guard : 0;
    if (ac.offset >= b->size + guard)
        return sess_fail(out, "offset %zu is past the end of %s (%u bytes%s): nothing written", ac.offset, label,
                         b->size, guard ? " and its guard" : "");
    size_t end = ac.offset + ac.len;
    size_t inside = ac.offset >= b->size ? 0 : (end > b->size ? b->size - ac.offset : ac.len);
    if (inside)
        fill(b->ptr + ac.offset, &ac, 0, inside);
    s->changed = true;
    if (inside == ac.len) {
        sb_printf(out, "wrote %zu bytes to %s at offset %zu\n", ac.len, label, ac.offset);
        return SESSION_OK;
    }
    size_t past = end - (ac.offset > b->size ? ac.offset : b->size);
    if (guard) {
        size_t start = ac.offset > b->size ? ac.offset : b->size;
        size_t into_guard = b->size + guard - start;
        if (into_guard > past)
            into_guard = past;
        fill(b->ptr + start, &ac, start - ac.offset, into_guard);
        scan(a);
        sb_printf(out, "wrote %zu bytes to %s, %zu of them past its end\n", inside + into_guard, label, past);
        return SESSION_OK;
    }
    sess_warn(s, WARN_OVERFLOW, "overflow: a write of %zu bytes at offset %zu runs %zu byte%s past the end of "
              "%s (%u bytes); in C they would overwrite what follows it, so allocscope wrote only the %zu "
              "bytes inside", ac.len, ac.offset, past, past == 1 ? "" : "s", label, b->size, inside);
    sb_printf(out, "wrote %zu of %zu bytes to %s: the rest would run past its end\n", inside, ac.len, label);
    return SESSION_OK;
}

static void hex_lines(strbuf *out, const unsigned char *p, size_t base, size_t n)
{
    for (size_t row = 0; row < n; row += 16) {
        sb_printf(out, "  +%04zx ", base + row);
        for (size_t i = 0; i < 16; i++) {
            if (row + i < n)
                sb_printf(out, " %02x", p[row + i]);
            else
                sb_add(out, "   ");
        }
        sb_add(out, "  |");
        for (size_t i = 0; i < 16 && row + i < n; i++) {
            unsigned char c = p[row + i];
            sb_addc(out, c >= 0x20 && c < 0x7f ? (char)c : '.');
        }
        sb_add(out, "|\n");
    }
}

session_status cmd_read(session *s, const parse_words *w, strbuf *out)
{
    access ac;
    if (read_access(s, w, false, &ac, out))
        return SESSION_ERROR;
    sess_block *b = ac.b;
    const char *label = sess_label(s, b);
    if (ac.offset >= b->size || ac.len > b->size - ac.offset)
        return sess_fail(out, "%s has %u bytes; read inside it (reading past the end is what overflow bugs do)",
                         label, b->size);
    block_bytes own = bytes_of(s->allocs[b->alloc], b);
    if (!b->live && own.user < ac.offset + ac.len)
        return not_its_own(b, label, "read", out);
    if (own.user < ac.offset + ac.len)
        return sess_fail(out, "not read: its allocator does not hold %s's %u bytes as a live block any more; "
                         "allocscope touches only bytes it can prove are the block's", label, b->size);
    if (!b->live)
        sb_printf(out, "(%s was freed at step %u and is held in quarantine: these bytes are its poison)\n",
                  label, b->free_step);
    sb_printf(out, "%s, bytes %zu..%zu:\n", label, ac.offset, ac.offset + ac.len - 1);
    hex_lines(out, b->ptr + ac.offset, ac.offset, ac.len);
    return SESSION_OK;
}

/* ---- try ---- */

session_status cmd_try_free(session *s, const parse_words *w, strbuf *out)
{
    if (w->count != 3)
        return sess_fail(out, "usage: try free NAME");
    if (s->alloc_count == 0)
        return sess_fail(out, "there is no allocator yet");
    const char *name = w->word[2];
    if (holds_null(s, name)) {
        sb_printf(out, "would do nothing: %s holds no block (its allocation failed): like free(NULL)\n", name);
        return SESSION_OK;
    }
    sess_block *b = resolve_block(s, name, out);
    if (b == NULL)
        return SESSION_ERROR;
    sess_allocator *a = sess_active(s);
    const char *label = sess_label(s, b);
    if (!b->live && b->failed_since && b->alloc == s->active) {
        sb_printf(out, "would do nothing: %s holds no block (its last allocation failed): like free(NULL)\n",
                  label);
        return SESSION_OK;
    }
    if (b->alloc != s->active) {
        sb_printf(out, "would break a rule: invalid-free: %s belongs to %s, not %s\n", label,
                  s->allocs[b->alloc]->name, a->name);
        return SESSION_OK;
    }
    if (!b->live) {
        sb_printf(out, "would break a rule: double-free: %s was allocated at step %u and freed at step %u\n",
                  label, b->alloc_step, b->free_step);
        return SESSION_OK;
    }
    as_free_verdict v = a->built.top.probe->judge_free(a->built.top.a.ctx, b->ptr, b->size, b->align_log2);
    if (v == AS_FREE_OK)
        sb_printf(out, "would free %s: its %u bytes go back to %s\n", label, b->size, a->name);
    else if (v == AS_FREE_NOOP || v == AS_FREE_KEPT)
        sb_printf(out, "would do nothing useful: noop-free: %s\n", noop_reason(a));
    else
        sb_printf(out, "would break a rule: %s: %s\n", as_verdict_name(v), as_verdict_text(v));
    return SESSION_OK;
}
