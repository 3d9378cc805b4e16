/*
 * expect.c - `expect`: the lines that make every script a test. A failed
 * expectation says what it expected and what it found.
 */
#include "handlers.h"

#include <stdio.h>
#include <string.h>

static session_status failed(strbuf *out, const char *what, size_t want, size_t found)
{
    sb_printf(out, "expect failed: %s: expected %zu, found %zu\n", what, want, found);
    return SESSION_EXPECT_FAILED;
}

static session_status number_at(const parse_words *w, size_t i, size_t *v, strbuf *out)
{
    if (i >= w->count)
        return sess_fail(out, "expect %s: a number is missing", w->word[i - 1]);
    const char *e = parse_size(w->word[i], v);
    return e ? sess_fail(out, "expect: '%s': %s", w->word[i], e) : SESSION_OK;
}

static bool stat_value(const session_stats *st, const char *name, size_t *v)
{
    static const struct {
        const char *name;
        size_t off;
    } fields[] = {
        {"capacity", offsetof(session_stats, capacity)},
        {"live_blocks", offsetof(session_stats, live_blocks)},
        {"live_bytes", offsetof(session_stats, live_bytes)},
        {"padding_bytes", offsetof(session_stats, padding_bytes)},
        {"metadata_bytes", offsetof(session_stats, metadata_bytes)},
        {"freed_bytes", offsetof(session_stats, freed_bytes)},
        {"unused_bytes", offsetof(session_stats, unused_bytes)},
        {"peak_bytes", offsetof(session_stats, peak_bytes)},
        {"total_allocated", offsetof(session_stats, total_allocated)},
        {"total_freed", offsetof(session_stats, total_freed)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (parse_is(name, fields[i].name)) {
            memcpy(v, (const char *)st + fields[i].off, sizeof *v);
            return true;
        }
    }
    return false;
}

static session_status expect_block(session *s, const parse_words *w, strbuf *out)
{
    if (w->count < 3)
        return sess_fail(out, "usage: expect block NAME [offset N] [size N] [padding N] [align N] "
                              "[region N] [live|freed]");
    sess_block *b = sess_find_block(s, w->word[2]);
    if (b == NULL) {
        sb_printf(out, "expect failed: no block named '%s'\n", w->word[2]);
        return SESSION_EXPECT_FAILED;
    }
    char what[64];
    for (size_t i = 3; i < w->count; i++) {
        const char *k = w->word[i];
        size_t want, found;
        if (parse_is(k, "live") || parse_is(k, "freed")) {
            if (b->live != parse_is(k, "live")) {
                sb_printf(out, "expect failed: block %s: expected %s, found %s\n", w->word[2], k,
                          b->live ? "live" : "freed");
                return SESSION_EXPECT_FAILED;
            }
            continue;
        }
        if (number_at(w, i + 1, &want, out))
            return SESSION_ERROR;
        if (parse_is(k, "offset"))
            found = b->offset;
        else if (parse_is(k, "size"))
            found = b->size;
        else if (parse_is(k, "padding"))
            found = b->padding;
        else if (parse_is(k, "align"))
            found = (size_t)1 << b->align_log2;
        else if (parse_is(k, "region"))
            found = b->region;
        else
            return sess_fail(out, "expect block: unknown property '%s' (offset, size, padding, align, "
                                  "region, live, freed)", k);
        snprintf(what, sizeof what, "block %s %s", w->word[2], k);
        if (want != found)
            return failed(out, what, want, found);
        i++;
    }
    sb_printf(out, "ok: block %s\n", w->word[2]);
    return SESSION_OK;
}

/* Warnings of that kind (NULL: of every kind). */
static size_t count_warnings(const session *s, const warn_kind *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < s->warning_count; i++)
        n += kind == NULL || s->warnings[i].kind == *kind;
    return n;
}

static session_status usage_warning(strbuf *out)
{
    strbuf kinds;
    sb_init(&kinds);
    for (size_t i = 0; i < WARN_KIND_COUNT; i++)
        sb_printf(&kinds, "%s%s", i ? ", " : "", warn_names[i]);
    session_status st = sess_fail(out, "usage: expect warning KIND (%s)", sb_str(&kinds));
    sb_free(&kinds);
    return st;
}

static session_status expect_warnings(session *s, const parse_words *w, strbuf *out)
{
    const char *first = w->word[1];
    if (parse_is(first, "no")) {
        if (w->count != 3 || !(parse_is(w->word[2], "warnings") || parse_is(w->word[2], "warning")))
            return sess_fail(out, "usage: expect no warnings");
        size_t n = count_warnings(s, NULL);
        if (n) {
            sb_printf(out, "expect failed: no warnings: found %zu, the last: %s\n", n,
                      s->warnings[s->warning_count - 1].message);
            return SESSION_EXPECT_FAILED;
        }
        sb_add(out, "ok: no warnings\n");
        return SESSION_OK;
    }
    if (parse_is(first, "warnings")) {
        size_t want;
        if (number_at(w, 2, &want, out))
            return SESSION_ERROR;
        size_t n = count_warnings(s, NULL);
        if (n != want)
            return failed(out, "warnings", want, n);
        sb_printf(out, "ok: %zu warnings\n", n);
        return SESSION_OK;
    }
    if (w->count != 3)
        return usage_warning(out);
    warn_kind kind;
    if (!warn_lookup(w->word[2], &kind)) {
        const char *hint = parse_suggest(w->word[2], warn_names, WARN_KIND_COUNT);
        if (hint)
            return sess_fail(out, "expect warning: no warning kind '%s' (did you mean '%s'?)", w->word[2], hint);
        return usage_warning(out);
    }
    if (count_warnings(s, &kind) == 0) {
        sb_printf(out, "expect failed: warning %s: there is none (%zu other warning%s)\n", w->word[2],
                  s->warning_count, s->warning_count == 1 ? "" : "s");
        return SESSION_EXPECT_FAILED;
    }
    sb_printf(out, "ok: warning %s\n", w->word[2]);
    return SESSION_OK;
}

static session_status expect_type(session *s, const parse_words *w, strbuf *out)
{
    if (w->count < 3)
        return sess_fail(out, "usage: expect type NAME [size N] [align N] [padding N] [reordered N]");
    const types_struct *t = types_find(s->types, w->word[2]);
    size_t size, align;
    if (t == NULL && !types_lookup(s->types, w->word[2], &size, &align)) {
        sb_printf(out, "expect failed: no type named '%s'\n", w->word[2]);
        return SESSION_EXPECT_FAILED;
    }
    if (t)
        size = t->size, align = t->align;
    char what[64];
    for (size_t i = 3; i < w->count; i += 2) {
        size_t want, found;
        if (number_at(w, i + 1, &want, out))
            return SESSION_ERROR;
        const char *k = w->word[i];
        if (parse_is(k, "size"))
            found = size;
        else if (parse_is(k, "align"))
            found = align;
        else if (parse_is(k, "padding"))
            found = t ? types_padding(t) : 0;
        else if (parse_is(k, "reordered"))
            found = t ? types_reordered_size(s->types, t) : size;
        else
            return sess_fail(out, "expect type: unknown property '%s' (size, align, padding, reordered)", k);
        snprintf(what, sizeof what, "type %s %s", w->word[2], k);
        if (want != found)
            return failed(out, what, want, found);
    }
    sb_printf(out, "ok: type %s\n", w->word[2]);
    return SESSION_OK;
}

/* The peak the allocator states itself (a figure whose name starts with
 * "peak": the tutorial's DebugBumpAllocator counts the highest offset),
 * else the most live bytes the session saw. */
static size_t allocator_peak(const sess_allocator *a, size_t live_peak)
{
    const as_probe *p = a->built.top.probe;
    as_figure fig[16];
    size_t n = p->figures ? p->figures(a->built.top.a.ctx, fig, 16) : 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(fig[i].name, "peak", 4) == 0 && !fig[i].section)
            return fig[i].value;
    return live_peak;
}

static session_status expect_stat(session *s, const parse_words *w, strbuf *out)
{
    session_stats st;
    session_get_stats(s, &st);
    const char *k = w->word[1];
    size_t want, found;
    const char *name = k;
    size_t at = 2;
    if (parse_is(k, "stat")) {
        if (w->count < 3)
            return sess_fail(out, "usage: expect stat NAME N");
        name = w->word[2];
        at = 3;
    }
    if (number_at(w, at, &want, out))
        return SESSION_ERROR;
    if (w->count > at + 1)
        return sess_fail(out, "unexpected '%s'", w->word[at + 1]);
    if (parse_is(name, "offset") || parse_is(name, "used")) {
        if (!st.has_offset) {
            sb_printf(out, "expect failed: %s has no offset\n", session_active_name(s));
            return SESSION_EXPECT_FAILED;
        }
        found = st.offset;
    } else if (parse_is(name, "live")) {
        found = st.live_blocks;
    } else if (parse_is(name, "padding")) {
        found = st.padding_bytes;
    } else if (parse_is(name, "metadata")) {
        found = st.metadata_bytes;
    } else if (parse_is(name, "peak")) {
        found = allocator_peak(sess_active(s), st.peak_bytes);
    } else if (!stat_value(&st, name, &found)) {
        return sess_fail(out, "expect: unknown figure '%s' (offset, used, live, padding, metadata, peak, "
                              "or stat capacity|live_bytes|freed_bytes|unused_bytes|total_allocated|total_freed)",
                         name);
    }
    if (want != found)
        return failed(out, name, want, found);
    sb_printf(out, "ok: %s %zu\n", name, found);
    return SESSION_OK;
}

session_status cmd_expect(session *s, const parse_words *w, strbuf *out)
{
    if (w->count < 2)
        return sess_fail(out, "usage: expect offset N | block NAME ... | live N | padding N | warning KIND | "
                              "no warnings | type NAME ... | allocator NAME | stat NAME N");
    const char *k = w->word[1];
    if (parse_is(k, "block"))
        return expect_block(s, w, out);
    if (parse_is(k, "warning") || parse_is(k, "warnings") || parse_is(k, "no"))
        return expect_warnings(s, w, out);
    if (parse_is(k, "type"))
        return expect_type(s, w, out);
    if (parse_is(k, "allocator")) {
        if (w->count != 3)
            return sess_fail(out, "usage: expect allocator NAME");
        if (strcmp(session_active_name(s), w->word[2]) != 0) {
            sb_printf(out, "expect failed: active allocator: expected %s, found %s\n", w->word[2],
                      s->alloc_count ? session_active_name(s) : "none");
            return SESSION_EXPECT_FAILED;
        }
        sb_printf(out, "ok: allocator %s\n", w->word[2]);
        return SESSION_OK;
    }
    if (s->alloc_count == 0)
        return sess_fail(out, "expect %s: there is no allocator yet", k);
    return expect_stat(s, w, out);
}
