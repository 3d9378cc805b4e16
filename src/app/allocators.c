/*
 * allocators.c - `new` and `switch`: reading what the user asks for,
 * building it through the table of kinds (kinds.h) and handing it to the
 * model.
 */
#include "handlers.h"

#include <stdio.h>
#include <string.h>

/* The option words that belong to some kinds only, and what to add when
 * one is given to another kind. */
static const struct {
    const char *word;
    const char *why;
} option_notes[] = {
    {"limit", " (a memory limit in bytes)"},
    {"resize-last", " (or the bump under arena, debug and counting: exercise 1's resize)"},
};

/* option (as the table spells it) was given as word to a kind without it. */
static session_status not_for_kind(const char *option, const char *word, strbuf *out)
{
    strbuf owners;
    sb_init(&owners);
    for (size_t i = 0; i < kind_count; i++)
        if (kind_takes(&kind_rows[i], option))
            sb_printf(&owners, "%s%s", owners.len ? ", " : "", kind_rows[i].name);
    const char *why = "";
    for (size_t i = 0; i < sizeof option_notes / sizeof option_notes[0]; i++)
        if (parse_is(option, option_notes[i].word))
            why = option_notes[i].why;
    session_status st = sess_fail(out, "'%s' applies to %s only%s", word, sb_str(&owners), why);
    sb_free(&owners);
    return st;
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

static session_status unknown_kind(const char *word, strbuf *out)
{
    const char *hint = parse_suggest(word, kind_names, kind_count);
    strbuf all;
    sb_init(&all);
    for (size_t i = 0; i < kind_count; i++)
        sb_printf(&all, "%s%s", i ? ", " : "", kind_names[i]);
    session_status st = sess_fail(out, "unknown allocator kind '%s'%s%s%s (kinds: %s)", word,
                                  hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "",
                                  sb_str(&all));
    sb_free(&all);
    return st;
}

/* Whether the spec builds a bump that `resize-last` can apply to: a bump,
 * the bump an arena or wrapper is over, or a wrapper's default bump. */
static bool bump_gets_it(const kind_spec *sp)
{
    const kind_row *bump_row = kind_find("bump");
    if (sp->kind == bump_row)
        return true;
    if (sp->over)
        return sp->over == bump_row;
    return (sp->kind->can & KIND_WRAPS) != 0;
}

/* new plugin PATH [SIZE] [words...] [as NAME]: the words go to the library's init. */
static session_status read_library_spec(session *s, const parse_words *w, kind_spec *sp, const char **name,
                                        strbuf *out)
{
    if (s->sandbox)
        return sess_fail(out, "new %s is disabled in this session (no file access)", sp->kind->name);
    sp->replaying = s->replaying;
    size_t i = 2, end = w->count;
    if (i < end && !parse_is(w->word[i], "as"))
        sp->path = w->word[i++];
    if (i < end && parse_size(w->word[i], &sp->size) == NULL)
        sp->has_size = true, i++;
    if (end - i >= 2 && parse_is(w->word[end - 2], "as")) {
        if (!parse_is_name(w->word[end - 1]))
            return sess_fail(out, "as: give a name (letters, digits, _ . -; at most 31)");
        *name = w->word[end - 1];
        end -= 2;
    }
    for (size_t n = 0; i < end; i++) {
        int k = snprintf(sp->options + n, sizeof sp->options - n, "%s%s", n ? " " : "", w->word[i]);
        if (k < 0 || (size_t)k >= sizeof sp->options - n)
            return sess_fail(out, "%s: at most %d bytes of words for its init", sp->kind->name,
                             KIND_MAX_OPTIONS - 1);
        n += (size_t)k;
    }
    return SESSION_OK;
}

static session_status read_spec(session *s, const parse_words *w, kind_spec *sp, const char **name,
                                strbuf *out)
{
    static const char usage[] = "new KIND [SIZE] [align A] [capacity N] [first-fit|best-fit|next-fit] "
                                "[grow] [over KIND [SIZE]] [limit N] [resize-last] [as NAME]";
    const char *e;
    bool fit_given = false;
    if (w->count < 2)
        return sess_fail(out, "which kind? (usage: %s)", usage);
    if ((sp->kind = kind_find(w->word[1])) == NULL)
        return unknown_kind(w->word[1], out);
    if (sp->kind->can & KIND_LIBRARY)
        return read_library_spec(s, w, sp, name, out);
    for (size_t i = 2; i < w->count; i++) {
        const char *word = w->word[i];
        const char *next = i + 1 < w->count ? w->word[i + 1] : NULL;
        freelist_fit fit;
        if (parse_is(word, "align")) {
            if ((e = parse_align(next, &sp->align_log2)))
                return sess_fail(out, "align: %s", next ? e : "a value is missing");
            sp->has_align = true, i++;
        } else if (parse_is(word, "capacity")) {
            if ((e = parse_uint(next, &sp->capacity)) || sp->capacity == 0)
                return sess_fail(out, "capacity: %s", e ? e : "must be at least 1");
            sp->has_capacity = true, i++;
        } else if (parse_is(word, "limit")) {
            if (!kind_takes(sp->kind, "limit"))
                return not_for_kind(word, word, out);
            if ((e = parse_size(next, &sp->limit)) || sp->limit == 0)
                return sess_fail(out, "limit: %s", e ? e : "must be at least 1 byte");
            i++;
        } else if (parse_is(word, "resize-last")) {
            sp->resize_last = true;
        } else if (parse_is(word, "as")) {
            if (next == NULL || !parse_is_name(next))
                return sess_fail(out, "as: give a name (letters, digits, _ . -; at most 31)");
            *name = next, i++;
        } else if (parse_is(word, "over")) {
            if ((sp->over = kind_find(next)) == NULL) {
                strbuf kinds;
                sb_init(&kinds);
                kind_list(KIND_CAN_BACK, NULL, &kinds);
                session_status st = sess_fail(out, "over: which kind? (%s)", sb_str(&kinds));
                sb_free(&kinds);
                return st;
            }
            i++;
            if (i + 1 < w->count && parse_size(w->word[i + 1], &sp->over_size) == NULL)
                sp->over_has_size = true, i++;
        } else if (parse_is(word, "grow")) {
            if (!kind_takes(sp->kind, "grow"))
                return not_for_kind(word, word, out);
            sp->grow = true;
        } else if (read_fit(word, &fit) == SESSION_OK) {
            if (!kind_takes(sp->kind, freelist_fit_name(fit)))
                return not_for_kind(freelist_fit_name(fit), word, out);
            if (fit_given && fit != sp->fit)
                return sess_fail(out, "'%s' and '%s': one fit only (first-fit, best-fit or next-fit)",
                                 freelist_fit_name(sp->fit), word);
            sp->fit = fit, fit_given = true;
        } else if (!sp->has_size && parse_size(word, &sp->size) == NULL) {
            sp->has_size = true;
        } else if (!sp->has_size && (sp->kind->can & KIND_TYPED) &&
                   types_lookup(s->types, word, &sp->size, &sp->type_align)) {
            sp->type = word;
            sp->has_size = true;
        } else if (!sp->has_size && (sp->kind->can & KIND_TYPED) && parse_is_name(word) &&
                   (word[0] < '0' || word[0] > '9')) {
            return sess_fail(out, "'%s': no such type yet (define it first: struct %s { u32 id; f32 x; }; "
                                  "types lists them), nor a size (100, 4k, 2MiB)", word, word);
        } else {
            e = parse_size(word, &sp->size);
            return sess_fail(out, "'%s': %s (usage: %s)", word,
                             e && !sp->has_size ? e : "unexpected word", usage);
        }
    }
    if (sp->resize_last && !bump_gets_it(sp))
        return not_for_kind("resize-last", "resize-last", out);
    return SESSION_OK;
}

/* Builds the allocator and hands it to the model, which makes it active. */
static sess_allocator *install(session *s, const kind_spec *sp, const char *name, strbuf *out)
{
    if (s->alloc_count == SESSION_MAX_ALLOCATORS) {
        sess_fail(out, "at most %d allocators in one session", SESSION_MAX_ALLOCATORS);
        return NULL;
    }
    if (name && sess_find_allocator(s, name) != (size_t)-1) {
        sess_fail(out, "an allocator named '%s' exists already", name);
        return NULL;
    }
    kind_built b;
    strbuf err;
    sb_init(&err);
    bool ok = kind_build(sp, &b, &err);
    if (!ok)
        sess_fail(out, "%s", sb_str(&err));
    sb_free(&err);
    sess_allocator *a = ok ? sess_add_allocator(s, sp->kind, &b, name, out) : NULL;
    if (a == NULL)
        return NULL;
    as_usage u;
    as_usage_of(a->built.top.probe, a->built.top.a.ctx, &u);
    sb_printf(out, "%s: %s%s is active\n", a->name, a->built.desc, u.capacity ? "" : " (grows on demand)");
    return a;
}

session_status cmd_new(session *s, const parse_words *w, strbuf *out)
{
    kind_spec sp = {0};
    const char *name = NULL;
    if (read_spec(s, w, &sp, &name, out) != SESSION_OK)
        return SESSION_ERROR;
    return install(s, &sp, name, out) ? SESSION_OK : SESSION_ERROR;
}

sess_allocator *cmd_default_allocator(session *s, strbuf *out)
{
    kind_spec sp = {.kind = kind_find(SESSION_DEFAULT_KIND), .size = SESSION_DEFAULT_SIZE, .has_size = true};
    return install(s, &sp, NULL, out);
}

/* Whether allocator i (-1: none) is a member of the comparison. */
static bool group_has(const session *s, size_t i)
{
    for (size_t k = 0; k < s->group.count; k++)
        if (s->group.member[k] == i)
            return true;
    return false;
}

session_status cmd_switch(session *s, const parse_words *w, strbuf *out)
{
    if (w->count != 2)
        return sess_fail(out, "usage: switch NAME|KIND");
    size_t i = sess_find_allocator(s, w->word[1]);
    if (i == (size_t)-1) {
        /* a kind: its first allocator, or a new one with defaults */
        for (size_t k = 0; k < s->alloc_count && i == (size_t)-1; k++)
            if (parse_is(s->allocs[k]->kind->name, w->word[1]))
                i = k;
    }
    if (s->group.count && !group_has(s, i)) { /* allocation commands would still run on the members */
        char names[256] = "";
        for (size_t k = 0; k < s->group.count; k++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? ", " : "",
                     s->allocs[s->group.member[k]]->name);
        return sess_fail(out, "a comparison is on: switch picks one of its members (%s); compare off ends it first",
                         names);
    }
    if (i != (size_t)-1) {
        s->active = i;
        s->changed = true;
        sb_printf(out, "%s: %s is active\n", s->allocs[i]->name, s->allocs[i]->built.desc);
        return SESSION_OK;
    }
    kind_spec sp = {.kind = kind_find(w->word[1])};
    if (sp.kind == NULL) {
        const char *names[SESSION_MAX_ALLOCATORS + 64];
        size_t n = 0;
        for (size_t k = 0; k < s->alloc_count; k++)
            names[n++] = s->allocs[k]->name;
        for (size_t k = 0; k < kind_count && n < sizeof names / sizeof names[0]; k++)
            names[n++] = kind_names[k];
        const char *hint = parse_suggest(w->word[1], names, n);
        return sess_fail(out, "no allocator or kind named '%s'%s%s%s", w->word[1],
                         hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    }
    return install(s, &sp, NULL, out) ? SESSION_OK : SESSION_ERROR;
}
