/*
 * expect.c - `expect`: the lines that make every script a test. A failed
 * expectation says what it expected and what it found.
 */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/evidence.h"

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
        {"slack_bytes", offsetof(session_stats, slack_bytes)},
        {"damaged_bytes", offsetof(session_stats, damaged_bytes)},
        {"unknown_bytes", offsetof(session_stats, unknown_bytes)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (parse_is(name, fields[i].name)) {
            memcpy(v, (const char *)st + fields[i].off, sizeof *v);
            return true;
        }
    }
    return false;
}

/* The slack handed out with live block b, or its damaged bytes. */
static size_t block_evidence(const session *s, const sess_block *b, bool slack)
{
    evidence ev;
    evidence_collect(s, &ev);
    size_t n = 0;
    if (slack) {
        n = b->live ? evidence_slack_of(&ev, b->ptr) : 0;
    } else {
        evidence_damage d;
        for (size_t i = 0; evidence_damage_at(&ev, i, &d); i++)
            n += d.block == b->ptr ? d.len : 0;
    }
    evidence_free(&ev);
    return n;
}

/* expect free OFFSET [size N] [region R]: a block of the free structure
 * (bins) starts there. */
typedef struct free_find {
    uint32_t region;
    size_t offset, size;
    bool found;
} free_find;

static void find_free_block(void *user, uint32_t region, size_t offset, size_t size)
{
    free_find *f = user;
    if (!f->found && region == f->region && offset == f->offset)
        f->found = true, f->size = size;
}

static session_status expect_free(session *s, const parse_words *w, strbuf *out)
{
    static const char usage[] = "usage: expect free OFFSET [size N] [region N]";
    free_find f = {0};
    size_t want_size = 0;
    bool has_size = false;
    if (number_at(w, 2, &f.offset, out))
        return SESSION_ERROR;
    for (size_t i = 3; i < w->count; i += 2) {
        size_t v;
        if (number_at(w, i + 1, &v, out))
            return SESSION_ERROR;
        if (parse_is(w->word[i], "size"))
            want_size = v, has_size = true;
        else if (parse_is(w->word[i], "region") && v <= UINT32_MAX)
            f.region = (uint32_t)v;
        else
            return sess_fail(out, "%s", usage);
    }
    const sess_allocator *a = sess_active(s);
    as_instance in = kind_structural(a->kind, &a->built);
    if (in.probe->free_shape == AS_FREE_NONE || in.probe->walk_free == NULL)
        return sess_fail(out, "expect free: %s keeps no free blocks (its free space lies after the offset)", a->name);
    as_free_walk walk = {.block = find_free_block, .user = &f};
    in.probe->walk_free(in.a.ctx, &walk);
    if (!f.found) {
        sb_printf(out, "expect failed: free block at %zu: there is none (see bins)\n", f.offset);
        return SESSION_EXPECT_FAILED;
    }
    if (has_size && f.size != want_size)
        return failed(out, "free block size", want_size, f.size);
    sb_printf(out, "ok: free block at %zu (%zu bytes)\n", f.offset, f.size);
    return SESSION_OK;
}

/* expect bytes OFFSET LEN KIND [region N]: every byte of the range is of
 * that span kind (live, padding, slack, damaged, ...). */
static session_status expect_bytes(session *s, const parse_words *w, strbuf *out)
{
    size_t offset, len, region = 0;
    if (w->count != 5 && w->count != 7)
        return sess_fail(out, "usage: expect bytes OFFSET LEN KIND [region N] (KIND: unused, live, freed, padding, "
                              "metadata, slack, damaged, unknown)");
    if (number_at(w, 2, &offset, out) || number_at(w, 3, &len, out))
        return SESSION_ERROR;
    if (w->count == 7 && (!parse_is(w->word[5], "region") || number_at(w, 6, &region, out)))
        return sess_fail(out, "usage: expect bytes OFFSET LEN KIND [region N]");
    int want = -1;
    for (int k = 0; k < AS_SPAN_KIND_COUNT; k++)
        if (parse_is(w->word[4], as_span_kind_name((as_span_kind)k)))
            want = k;
    if (want < 0)
        return sess_fail(out, "expect bytes: '%s' is no kind of byte (unused, live, freed, padding, metadata, slack, "
                              "damaged, unknown)", w->word[4]);
    if (len == 0 || region > UINT32_MAX || offset + len < offset)
        return sess_fail(out, "expect bytes: a range of at least 1 byte, inside the address space");
    evidence ev;
    evidence_collect(s, &ev);
    as_span_kind kind;
    bool same = evidence_range_kind(&ev, (uint32_t)region, offset, len, &kind);
    evidence_free(&ev);
    if (!same || (int)kind != want) {
        sb_printf(out, "expect failed: bytes %zu..%zu: expected all %s, found %s\n", offset, offset + len - 1,
                  w->word[4], !same ? "a mix, or bytes past the region (see map)" : as_span_kind_name(kind));
        return SESSION_EXPECT_FAILED;
    }
    sb_printf(out, "ok: bytes %zu..%zu are %s\n", offset, offset + len - 1, w->word[4]);
    return SESSION_OK;
}

static session_status expect_block(session *s, const parse_words *w, strbuf *out)
{
    if (w->count < 3)
        return sess_fail(out, "usage: expect block NAME [offset N] [size N] [padding N] [align N] "
                              "[region N] [slot N] [slack N] [damaged N] [live|freed]");
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
        else if (parse_is(k, "slot")) {
            as_free_summary sum = {0};
            as_instance in = kind_structural(s->allocs[b->alloc]->kind, &s->allocs[b->alloc]->built);
            if (in.probe->free_shape != AS_FREE_SLOTS || in.probe->free_summary == NULL)
                return sess_fail(out, "expect block %s slot: %s has no slots", w->word[2], s->allocs[b->alloc]->name);
            in.probe->free_summary(in.a.ctx, &sum);
            found = sum.slot_size ? b->offset / sum.slot_size : 0;
        } else if (parse_is(k, "slack") || parse_is(k, "damaged")) {
            if (b->alloc != s->active)
                return sess_fail(out, "expect block %s %s: switch to %s first", w->word[2], k,
                                 s->allocs[b->alloc]->name);
            found = block_evidence(s, b, parse_is(k, "slack"));
        } else
            return sess_fail(out, "expect block: unknown property '%s' (offset, size, padding, align, "
                                  "region, slot, slack, damaged, live, freed)", k);
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
    /* `expect in MEMBER ...` counts that member's warnings only */
    int member = s->group.running;
    size_t n = 0;
    for (size_t i = 0; i < s->warning_count; i++)
        n += (kind == NULL || s->warnings[i].kind == *kind) && (member < 0 || s->warnings[i].member == member);
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
                      sess_name(s, s->warnings[s->warning_count - 1].message));
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
    bool no_offset = false; /* (the figure is named first: an unknown one is said before a missing number) */
    if (parse_is(name, "offset") || parse_is(name, "used")) {
        no_offset = !st.has_offset;
        found = st.offset;
    } else if (parse_is(name, "live")) {
        found = st.live_blocks;
    } else if (parse_is(name, "padding")) {
        found = st.padding_bytes;
    } else if (parse_is(name, "metadata")) {
        found = st.metadata_bytes;
    } else if (parse_is(name, "slack")) {
        found = st.slack_bytes;
    } else if (parse_is(name, "damaged")) {
        found = st.damaged_bytes;
    } else if (parse_is(name, "peak")) {
        found = st.peak_bytes;
    } else if (!stat_value(&st, name, &found)) {
        return sess_fail(out, "expect: unknown figure '%s' (offset, used, live, padding, metadata, slack, damaged, "
                              "peak, or stat capacity|live_bytes|freed_bytes|unused_bytes|unknown_bytes|total_allocated|"
                              "total_freed)",
                         name);
    }
    if (number_at(w, at, &want, out))
        return SESSION_ERROR;
    if (w->count > at + 1)
        return sess_fail(out, "unexpected '%s'", w->word[at + 1]);
    if (no_offset) {
        sb_printf(out, "expect failed: %s has no offset\n", session_active_name(s));
        return SESSION_EXPECT_FAILED;
    }
    if (want != found)
        return failed(out, name, want, found);
    sb_printf(out, "ok: %s %zu\n", name, found);
    return SESSION_OK;
}

static session_status expect_here(session *s, const parse_words *w, strbuf *out);

/* `expect in NAME WHAT ...`: WHAT checked on allocator NAME (a member of
 * the comparison, or any allocator), as if it were active; warnings are
 * that member's. */
static session_status expect_in(session *s, const parse_words *w, strbuf *out)
{
    if (w->count < 4)
        return sess_fail(out, "usage: expect in ALLOCATOR WHAT ... (expect in bump offset 72)");
    size_t a = sess_find_allocator(s, w->word[2]);
    if (a == (size_t)-1) {
        const char *names[SESSION_MAX_ALLOCATORS];
        for (size_t i = 0; i < s->alloc_count; i++)
            names[i] = s->allocs[i]->name;
        const char *hint = parse_suggest(w->word[2], names, s->alloc_count);
        return sess_fail(out, "expect in: no allocator named '%s'%s%s%s", w->word[2], hint ? " (did you mean '" : "",
                         hint ? hint : "", hint ? "'?)" : "");
    }
    parse_words *rest = malloc(sizeof *rest);
    if (rest == NULL)
        return sess_fail(out, "out of memory");
    rest->count = 0;
    for (size_t i = 0; i < w->count; i++)
        if (i != 1 && i != 2) {
            rest->word[rest->count] = w->word[i];
            rest->quoted[rest->count++] = w->quoted[i];
        }
    size_t keep = s->active;
    int running = s->group.running;
    s->active = a;
    s->group.running = sess_group_index(s, a);
    strbuf answer;
    sb_init(&answer);
    session_status st = expect_here(s, rest, &answer);
    s->active = keep;
    s->group.running = running;
    const char *text = sb_str(&answer);
    if (strncmp(text, "ok: ", 4) == 0)
        sb_printf(out, "ok: in %s: %s", w->word[2], text + 4);
    else if (strncmp(text, "expect failed: ", 15) == 0)
        sb_printf(out, "expect failed: in %s: %s", w->word[2], text + 15);
    else
        sb_add(out, text);
    sb_free(&answer);
    free(rest);
    return st;
}

session_status cmd_expect(session *s, const parse_words *w, strbuf *out)
{
    if (w->count >= 2 && parse_is(w->word[1], "in"))
        return expect_in(s, w, out);
    return expect_here(s, w, out);
}

static session_status expect_here(session *s, const parse_words *w, strbuf *out)
{
    if (w->count < 2)
        return sess_fail(out, "usage: expect offset N | block NAME ... | live N | padding N | slack N | damaged N | "
                              "free OFFSET [size N] | bytes OFFSET LEN KIND | warning KIND | no warnings | "
                              "type NAME ... | allocator NAME | stat NAME N");
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
    if (parse_is(k, "free"))
        return expect_free(s, w, out);
    if (parse_is(k, "bytes"))
        return expect_bytes(s, w, out);
    return expect_stat(s, w, out);
}
