/*
 * compare.c - comparison groups (see compare.h).
 *
 * Grammar of `compare`:
 *   compare MEMBER MEMBER [MEMBER [MEMBER]]    2 to 4 members
 *   compare off                                ends the group
 *   compare                                    an error saying what the group is
 * A member is the name of an existing allocator (one word), or a kind
 * followed by its options as `new` takes them (size, align, capacity, fit,
 * over KIND [SIZE], limit, as NAME). Without commas, each word that is a
 * kind or an allocator's name starts a new member, except the word after
 * `over` or `as`; with commas (`compare freelist 1M first-fit, freelist 1M
 * best-fit`), the commas alone separate the members. The new members are
 * created in order; if one cannot be, those made are taken back and
 * nothing changes. The first member becomes active.
 *
 * The group is recorded like any command, so undo, rewind, save and scenes
 * replay it exactly: every fanned-out command is one recorded line.
 */
#include "compare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char compare_usage[] =
    "compare MEMBER MEMBER [MEMBER [MEMBER]] (2 to 4 members; a member is an allocator's name, or a kind "
    "with its options as new takes them: compare bump 256 freelist 256 best-fit pool 24; commas may "
    "separate members: compare freelist 1M first-fit, freelist 1M best-fit) | compare off";

/* One member as words: word[0] is a kind or an allocator's name. */
typedef struct member_words {
    const char *word[PARSE_MAX_WORDS];
    size_t count;
} member_words;

static bool starts_member(const session *s, const char *word)
{
    return kind_find(word) != NULL || sess_find_allocator(s, word) != (size_t)-1;
}

static session_status too_many_or_few(const member_words *m, size_t n, strbuf *out)
{
    /* a word taken as an option may have been meant as a kind */
    const char *hint = NULL, *word = NULL;
    for (size_t i = 0; i < n && i < SESS_GROUP_MAX && hint == NULL; i++)
        for (size_t k = 1; k < m[i].count && hint == NULL; k++)
            if ((hint = parse_suggest(m[i].word[k], kind_names, kind_count)) != NULL)
                word = m[i].word[k];
    strbuf kinds;
    sb_init(&kinds);
    for (size_t i = 0; i < kind_count; i++)
        sb_printf(&kinds, "%s%s", i ? ", " : "", kind_names[i]);
    session_status st = sess_fail(out, "%s: %zu member%s%s%s%s%s%s (a member starts with a kind: %s; or is an "
                                  "allocator's name) (usage: %s)",
                                  n < 2 ? "too few members" : "too many members", n, n == 1 ? "" : "s",
                                  hint ? "; is '" : "", hint ? word : "", hint ? "' meant to be '" : "",
                                  hint ? hint : "", hint ? "'?" : "", sb_str(&kinds), compare_usage);
    sb_free(&kinds);
    return st;
}

/* Splits the words after `compare` into members; a word's trailing comma
 * is cut off into cut[] (the words themselves are not changed). */
static session_status split_members(const session *s, const parse_words *w, member_words *m, size_t *n,
                                    char cut[][PARSE_MAX_NAME + 2], strbuf *out)
{
    bool commas = false;
    for (size_t i = 1; i < w->count; i++)
        commas |= !w->quoted[i] && strchr(w->word[i], ',') != NULL;
    *n = 0;
    bool open = false;
    for (size_t i = 1; i < w->count; i++) {
        const char *word = w->word[i];
        size_t len = strlen(word);
        bool ends = false;
        if (commas && !w->quoted[i] && len && word[len - 1] == ',') {
            if (len - 1 > PARSE_MAX_NAME)
                return sess_fail(out, "'%s': too long (usage: %s)", word, compare_usage);
            memcpy(cut[i], word, len - 1);
            cut[i][len - 1] = '\0';
            word = cut[i];
            ends = true;
        }
        const char *prev = i > 1 ? w->word[i - 1] : "";
        bool after_option = parse_is(prev, "over") || parse_is(prev, "as");
        bool start = !open || (!commas && !after_option && starts_member(s, word));
        if (word[0] != '\0') {
            if (start) {
                if (*n == SESS_GROUP_MAX)
                    return too_many_or_few(m, SESS_GROUP_MAX + 1, out);
                m[(*n)++].count = 0;
                open = true;
            }
            m[*n - 1].word[m[*n - 1].count++] = word;
        }
        if (ends)
            open = false;
    }
    if (*n < 2)
        return too_many_or_few(m, *n, out);
    return SESSION_OK;
}

/* `compare` alone: an error (nothing to record) that says what the group is. */
static session_status list_group(const session *s, strbuf *out)
{
    strbuf now;
    sb_init(&now);
    for (size_t i = 0; i < s->group.count; i++)
        sb_printf(&now, "%s%s", i ? ", " : "", s->allocs[s->group.member[i]]->name);
    session_status st = sess_fail(out, "compare what? (%s%s) (usage: %s)", s->group.count ? "now comparing " : "no comparison now",
                                  sb_str(&now), compare_usage);
    sb_free(&now);
    return st;
}

/* Makes member m (an existing allocator, or a new one); its index, or -1. */
static long make_member(session *s, const member_words *m, strbuf *out)
{
    size_t existing = sess_find_allocator(s, m->word[0]);
    if (existing != (size_t)-1 && m->count == 1)
        return (long)existing;
    if (kind_find(m->word[0]) == NULL && existing == (size_t)-1) {
        const char *hint = parse_suggest(m->word[0], kind_names, kind_count);
        sess_fail(out, "member '%s': no allocator or kind of that name%s%s%s (usage: %s)", m->word[0],
                  hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "", compare_usage);
        return -1;
    }
    if (kind_find(m->word[0]) == NULL) {
        sess_fail(out, "'%s' is an allocator, and an allocator takes no options; to make a new one, start "
                       "the member with a kind (usage: %s)", m->word[0], compare_usage);
        return -1;
    }
    /* a kind: built as `new` builds it */
    parse_words *nw = calloc(1, sizeof *nw);
    if (nw == NULL) {
        sess_fail(out, "out of memory");
        return -1;
    }
    nw->word[0] = "new";
    nw->count = 1;
    for (size_t i = 0; i < m->count; i++)
        nw->word[nw->count++] = (char *)m->word[i];
    strbuf answer;
    sb_init(&answer);
    size_t before = s->alloc_count;
    session_status st = cmd_new(s, nw, &answer);
    free(nw);
    if (st == SESSION_ERROR || s->alloc_count != before + 1) {
        const char *text = sb_str(&answer);
        if (strncmp(text, "error: ", 7) == 0)
            text += 7;
        sess_fail(out, "member '%s': %.*s (usage: %s)", m->word[0], (int)strcspn(text, "\n"), text,
                  compare_usage);
        sb_free(&answer);
        return -1;
    }
    sb_free(&answer);
    return (long)before;
}

session_status cmd_compare(session *s, const parse_words *w, strbuf *out)
{
    if (w->count == 1)
        return list_group(s, out);
    if (w->count == 2 && parse_is(w->word[1], "off")) {
        if (s->group.count == 0)
            return sess_fail(out, "there is no comparison to end (usage: %s)", compare_usage);
        s->group.count = 0;
        s->changed = true;
        sb_printf(out, "comparison ended; %s is active\n", sess_active(s)->name);
        return SESSION_OK;
    }
    member_words m[SESS_GROUP_MAX];
    char cut[PARSE_MAX_WORDS][PARSE_MAX_NAME + 2];
    size_t n;
    if (split_members(s, w, m, &n, cut, out))
        return SESSION_ERROR;
    size_t keep = s->alloc_count, active = s->active;
    size_t member[SESS_GROUP_MAX] = {0};
    for (size_t i = 0; i < n; i++) {
        long a = make_member(s, &m[i], out);
        for (size_t k = 0; a >= 0 && k < i; k++)
            if (member[k] == (size_t)a) {
                sess_fail(out, "'%s' is named twice: each member is a different allocator (usage: %s)",
                          s->allocs[a]->name, compare_usage);
                a = -1;
            }
        if (a < 0) {
            sess_drop_allocators(s, keep, active);
            return SESSION_ERROR;
        }
        member[i] = (size_t)a;
    }
    s->group.count = n;
    memcpy(s->group.member, member, sizeof member);
    memset(s->group.ns, 0, sizeof s->group.ns);
    memset(s->group.refused, 0, sizeof s->group.refused);
    memset(s->group.failures, 0, sizeof s->group.failures);
    s->group.commands = 0;
    s->active = member[0];
    s->changed = true;
    sb_add(out, "comparing");
    for (size_t i = 0; i < n; i++) {
        const sess_allocator *a = s->allocs[member[i]];
        sb_printf(out, "%s %s (%s)", i ? "," : "", a->name, a->built.desc);
    }
    sb_printf(out, "; allocation commands run on each until compare off; %s is active\n",
              s->allocs[member[0]]->name);
    return SESSION_OK;
}

/* ---- running a command on every member ---- */

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The text of an error answer without "error: " and the newline. */
static const char *error_text(const strbuf *b, int *len)
{
    const char *t = sb_str(b);
    if (strncmp(t, "error: ", 7) == 0)
        t += 7;
    *len = (int)strcspn(t, "\n");
    return t;
}

session_status compare_fan_out(session *s, cmd_handler run, const parse_words *w, strbuf *out)
{
    size_t n = s->group.count, keep = s->active;
    strbuf answer[SESS_GROUP_MAX] = {{0}};
    session_status st[SESS_GROUP_MAX] = {SESSION_OK};
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        sb_init(&answer[i]);
        s->active = s->group.member[i];
        s->group.running = (int)i;
        uint64_t t0 = now_ns();
        st[i] = run(s, w, &answer[i]);
        s->group.ns[i] += now_ns() - t0;
        done += st[i] != SESSION_ERROR;
    }
    s->group.running = -1;
    s->active = keep;
    s->group.commands += done > 0;
    session_status result = SESSION_OK;
    if (done == 0) {
        /* nobody could: one error (said once if every member said the same) */
        bool same = true;
        for (size_t i = 1; i < n; i++)
            same &= strcmp(sb_str(&answer[i]), sb_str(&answer[0])) == 0;
        if (same) {
            sb_add(out, sb_str(&answer[0]));
        } else {
            sb_add(out, "error: no member could do it:");
            for (size_t i = 0; i < n; i++) {
                int len;
                const char *t = error_text(&answer[i], &len);
                sb_printf(out, "%s %s: %.*s", i ? ";" : "", s->allocs[s->group.member[i]]->name, len, t);
            }
            sb_addc(out, '\n');
        }
        result = SESSION_ERROR;
    } else {
        for (size_t i = 0; i < n; i++) {
            const char *name = s->allocs[s->group.member[i]]->name;
            if (st[i] == SESSION_ERROR) {
                int len;
                const char *t = error_text(&answer[i], &len);
                s->group.running = (int)i;
                s->group.refused[i]++;
                sess_warn(s, WARN_MEMBER_REFUSED, "could not: %.*s", len, t);
                s->group.running = -1;
                sb_printf(out, "%s: could not: %.*s\n", name, len, t);
                continue;
            }
            if (st[i] == SESSION_EXPECT_FAILED || st[i] == SESSION_QUIT)
                result = st[i];
            for (const char *line = sb_str(&answer[i]); *line;) {
                size_t len = strcspn(line, "\n");
                sb_printf(out, "%s: %.*s\n", name, (int)len, line);
                line += len + (line[len] == '\n');
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        sb_free(&answer[i]);
    return result;
}

/* ---- figures ---- */

size_t compare_slack(session *s, size_t a)
{
    size_t keep = s->active;
    s->active = a;
    size_t slack = session_slack(s);
    s->active = keep;
    return slack;
}

void compare_trace_table(session *s, const char *file, const compare_figures *f, size_t n, bool json,
                         strbuf *out)
{
    size_t members = s->group.count ? s->group.count : 1;
    if (json) {
        sb_add(out, "{\"trace\":");
        sb_json_string(out, file);
        sb_add(out, ",\"allocators\":[");
    } else {
        sb_printf(out, "trace %s on %zu allocator%s:\n", file, n, n == 1 ? "" : "s");
        sb_printf(out, "  %-14s %10s %8s %12s %12s %8s %10s %10s %9s\n", "allocator", "operations", "failed",
                  "peak live", "high-water", "util", "slack", "metadata", "ns/op");
    }
    for (size_t i = 0; i < n; i++) {
        size_t a = s->group.count ? s->group.member[i] : s->active;
        const sess_allocator *al = s->allocs[a];
        double util = f[i].high_water ? 100.0 * (double)f[i].peak_live / (double)f[i].high_water : 0.0;
        double ns = f[i].ops ? f[i].ns / (double)f[i].ops : 0.0;
        if (json) {
            sb_add(out, i ? ",{\"name\":" : "{\"name\":");
            sb_json_string(out, al->name);
            sb_add(out, ",\"description\":");
            sb_json_string(out, al->built.desc);
            sb_printf(out, ",\"operations\":%zu,\"failures\":%zu,\"peak_live\":%zu,\"high_water\":%zu,"
                           "\"utilisation\":%.4f,\"slack\":%zu,\"metadata\":%zu,\"ns_per_op\":%.1f}",
                      f[i].ops, f[i].failures, f[i].peak_live, f[i].high_water, util / 100.0, f[i].slack,
                      f[i].metadata, ns);
        } else {
            sb_printf(out, "  %-14s %10zu %8zu %12zu %12zu %7.1f%% %10zu %10zu %9.0f\n", al->name, f[i].ops,
                      f[i].failures, f[i].peak_live, f[i].high_water, util, f[i].slack, f[i].metadata, ns);
        }
    }
    if (json)
        sb_add(out, "]}\n");
    else if (members > 1)
        sb_add(out, "  (peak live: most live bytes at once; high-water: the furthest byte any block reached; "
                    "util = peak live / high-water; slack: most bytes lost at once to sizes rounded up; metadata: most "
                    "bytes of headers and links at once, both sampled every 256 operations)\n");
}
