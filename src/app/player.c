/*
 * player.c - scene playback without a terminal (see player.h).
 *
 * Stepping back restores a checkpoint (checkpoint.h) and replays the few
 * steps after it. Checkpoints are taken as playback moves forward, spaced
 * by the time the steps took (at least PLAYER_CKPT_GAP_NS of work, and
 * four times what taking one cost), so that any position is at most that
 * much work away from one, whatever a step costs; their pages are shared,
 * and past a quarter of the machine's memory (PLAYER_CKPT_MAX_BYTES at
 * most) every other one is dropped and the gap doubles.
 *
 * The checkpoints belong to one session, the host: restoring puts it back
 * in place. Positions before the first checkpoint (before its allocators
 * were made) are played on a scratch session, and the host waits aside
 * until playback reaches a checkpoint again. A session that cannot be
 * saved (a plugin in its own process) has no checkpoints: it is rebuilt
 * by replaying from the start.
 */
#include "allocscope/player.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "allocscope/checkpoint.h"
#include "allocscope/kinds.h"
#include "allocscope/parse.h"

#define PLAYER_CKPT_GAP_NS (40u * 1000000u)
#define PLAYER_CKPT_MAX_BYTES ((size_t)4 << 30)
#define PLAYER_TEXT_CHUNK 65536

typedef struct player_ckpt {
    size_t pos;
    ckpt *c;
} player_ckpt;

struct player {
    char *name;
    player_step *steps;      /* their texts are in text_chunks */
    size_t count, cap;
    char **text_chunks;
    size_t text_count, text_used;
    size_t position;
    size_t furthest;         /* problems are recorded once, on new ground */
    session *s;
    session *host;           /* NULL, or the checkpoints' session while s is a scratch one */
    ckpt_store *store;
    player_ckpt *ckpts;      /* by position */
    size_t ckpt_count, ckpt_cap;
    uint64_t since_ns;       /* work of the steps since the last checkpoint passed */
    uint64_t gap_ns;         /* work between checkpoints */
    interp_progress_fn progress;
    void *progress_user;
    strbuf answer;
    strbuf problems;
    bool scouting;           /* the host plays ahead in idle time (player_idle) */
    bool scouted;            /* it did, or may not: once per scene */
    size_t scout_pos;        /* the host's position while it scouts */
    uint64_t scout_since_ns;
    bool failed;
    bool stopped_on_failure; /* player_run stopped on a failed step */
};

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* A copy of text in the player's text pool (chunks that never move:
 * one allocation per 64 KiB of steps, not one per step). */
static char *keep_text(player *p, const char *text)
{
    size_t n = strlen(text) + 1;
    bool own = n > PLAYER_TEXT_CHUNK / 4; /* a long step has a chunk of its own */
    if (own || p->text_count == 0 || p->text_used + n > PLAYER_TEXT_CHUNK) {
        char **grown = realloc(p->text_chunks, (p->text_count + 1) * sizeof *grown);
        if (grown == NULL)
            return NULL;
        p->text_chunks = grown;
        if ((p->text_chunks[p->text_count] = malloc(own ? n : PLAYER_TEXT_CHUNK)) == NULL)
            return NULL;
        p->text_count++;
        p->text_used = 0;
    }
    char *at = p->text_chunks[p->text_count - 1] + p->text_used;
    memcpy(at, text, n);
    p->text_used = own ? PLAYER_TEXT_CHUNK : p->text_used + n; /* nothing more goes in its chunk */
    return at;
}

static bool add_step(player *p, const char *text, size_t line, player_step_kind kind)
{
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        player_step *grown = realloc(p->steps, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        p->steps = grown;
        p->cap = cap;
    }
    char *copy = keep_text(p, text);
    if (copy == NULL)
        return false;
    p->steps[p->count++] = (player_step){copy, line, kind};
    return true;
}

/* What a line is to the player, from the command table's flags. */
static player_step_kind kind_of(const parse_words *w)
{
    unsigned flags = w->count ? interp_command_flags(w->word[0]) : 0;
    if (flags & INTERP_ASK)
        return PLAYER_ASK;
    if (flags & INTERP_CAPTION)
        return PLAYER_NOTE;
    if (flags & INTERP_PAUSE)
        return PLAYER_PAUSE;
    return PLAYER_COMMAND;
}

/* Splits text into steps: skips blank and comment lines, joins a struct
 * definition's lines. */
static bool split_steps(player *p, const char *text, strbuf *err)
{
    parse_words *w = malloc(sizeof *w);
    strbuf pending;
    sb_init(&pending);
    size_t lineno = 0, pending_line = 0;
    bool ok = w != NULL;
    for (const char *line = text; ok && *line;) {
        size_t n = strcspn(line, "\n");
        char *one = strndup(line, n);
        lineno++;
        line += n + (line[n] == '\n');
        if (one == NULL) {
            ok = false;
            break;
        }
        bool bad = parse_split(one, w) != NULL;
        if (pending.len) {
            sb_addc(&pending, '\n');
            sb_add(&pending, one);
            if (strchr(one, '}')) {
                ok = add_step(p, sb_str(&pending), pending_line, PLAYER_COMMAND);
                sb_clear(&pending);
            }
        } else if (!bad && interp_opens_struct(w) && !strchr(one, '}')) {
            sb_add(&pending, one);
            pending_line = lineno;
        } else if (bad || w->count > 0) {
            ok = add_step(p, one, lineno, bad ? PLAYER_COMMAND : kind_of(w));
        }
        free(one);
    }
    if (ok && pending.len)
        ok = add_step(p, sb_str(&pending), pending_line, PLAYER_COMMAND);
    if (!ok)
        sb_add(err, "out of memory while reading the scene");
    sb_free(&pending);
    free(w);
    return ok;
}

player *player_from_text(const char *name, const char *text, strbuf *err)
{
    player *p = calloc(1, sizeof *p);
    if (p == NULL || (p->name = strdup(name)) == NULL || (p->s = session_create()) == NULL ||
        (p->store = ckpt_store_create()) == NULL) {
        sb_add(err, "out of memory");
        player_close(p);
        return NULL;
    }
    sb_init(&p->answer);
    sb_init(&p->problems);
    p->gap_ns = PLAYER_CKPT_GAP_NS;
    if (!split_steps(p, text, err)) {
        player_close(p);
        return NULL;
    }
    if (p->count == 0) {
        sb_printf(err, "%s has no steps", name);
        player_close(p);
        return NULL;
    }
    return p;
}

player *player_open(const char *path, strbuf *err)
{
    strbuf text;
    sb_init(&text);
    player *p = NULL;
    if (sb_read_file(&text, path, (size_t)256 << 20, err))
        p = player_from_text(path, sb_str(&text), err);
    sb_free(&text);
    return p;
}

void player_close(player *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->text_count; i++)
        free(p->text_chunks[i]);
    free(p->text_chunks);
    free(p->steps);
    for (size_t i = 0; i < p->ckpt_count; i++)
        ckpt_release(p->ckpts[i].c);
    free(p->ckpts);
    ckpt_store_destroy(p->store);
    session_destroy(p->s);
    session_destroy(p->host);
    sb_free(&p->answer);
    sb_free(&p->problems);
    free(p->name);
    free(p);
}

size_t player_length(const player *p) { return p->count; }
size_t player_position(const player *p) { return p->position; }
const player_step *player_step_at(const player *p, size_t i) { return i < p->count ? &p->steps[i] : NULL; }
session *player_session(player *p) { return p->s; }
const char *player_name(const player *p) { return p->name; }
const char *player_answer(const player *p) { return sb_str(&p->answer); }
bool player_failed(const player *p) { return p->failed; }
const char *player_problems(const player *p) { return sb_str(&p->problems); }

/* Executes step i on session s, its answer into out. */
static session_status exec_step(const player *p, session *s, size_t i, strbuf *out)
{
    const player_step *st = &p->steps[i];
    session_outcome oc = {SESSION_OK, false, false, false, false};
    /* a multi-line struct goes to the session line by line */
    for (const char *line = st->text; *line;) {
        size_t n = strcspn(line, "\n");
        char *one = strndup(line, n);
        if (one == NULL)
            break;
        oc = interp_execute(s, one, out);
        free(one);
        line += n + (line[n] == '\n');
        if (oc.status != SESSION_OK)
            break;
    }
    return oc.status;
}

/* ---- checkpoints ---- */

/* The index of the last checkpoint at or before pos, or SIZE_MAX. */
static size_t ckpt_at_or_before(const player *p, size_t pos)
{
    size_t lo = 0, hi = p->ckpt_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->ckpts[mid].pos <= pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : SIZE_MAX;
}

static void drop_ckpts_from(player *p, size_t i)
{
    for (size_t k = i; k < p->ckpt_count; k++)
        ckpt_release(p->ckpts[k].c);
    if (i < p->ckpt_count)
        p->ckpt_count = i;
}

/* What checkpoints may hold: a quarter of the memory, at most
 * PLAYER_CKPT_MAX_BYTES (256 MiB if the machine does not say). */
static size_t ckpt_budget(void)
{
    static size_t budget;
    if (budget == 0) {
        long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        size_t quarter = pages > 0 && size > 0 ? (size_t)pages / 4 * (size_t)size : (size_t)256 << 20;
        budget = quarter < PLAYER_CKPT_MAX_BYTES ? quarter : PLAYER_CKPT_MAX_BYTES;
    }
    return budget;
}

/* Past the memory budget: every other checkpoint goes (the first and the
 * last stay), and the next ones are twice as far apart. */
static void thin_ckpts(player *p)
{
    size_t kept = 0;
    for (size_t i = 0; i < p->ckpt_count; i++) {
        if (i % 2 == 1 && i + 1 < p->ckpt_count)
            ckpt_release(p->ckpts[i].c);
        else
            p->ckpts[kept++] = p->ckpts[i];
    }
    p->ckpt_count = kept;
    p->gap_ns *= 2;
}

/* A checkpoint of session s (the host), which is after `pos` steps. */
static void take_ckpt(player *p, const session *s, size_t pos)
{
    size_t at = ckpt_at_or_before(p, pos);
    if (at != SIZE_MAX && p->ckpts[at].pos == pos)
        return;
    if (p->ckpt_count == p->ckpt_cap) {
        size_t cap = p->ckpt_cap ? p->ckpt_cap * 2 : 16;
        player_ckpt *grown = realloc(p->ckpts, cap * sizeof *grown);
        if (grown == NULL)
            return;
        p->ckpts = grown;
        p->ckpt_cap = cap;
    }
    uint64_t t0 = now_ns();
    ckpt *c = ckpt_take(p->store, s);
    if (c == NULL)
        return; /* cannot be saved now: the next try is a gap later */
    uint64_t cost = now_ns() - t0;
    if (p->gap_ns && p->gap_ns < 4 * cost)
        p->gap_ns = 4 * cost; /* 0: a test asked for one at every step */
    size_t i = at == SIZE_MAX ? 0 : at + 1;
    memmove(&p->ckpts[i + 1], &p->ckpts[i], (p->ckpt_count - i) * sizeof *p->ckpts);
    p->ckpts[i] = (player_ckpt){pos, c};
    p->ckpt_count++;
    if (ckpt_store_bytes(p->store) > ckpt_budget())
        thin_ckpts(p);
}

/* After a step forward: on a checkpoint, a scratch session hands over to
 * the host (put back there; not while the host scouts ahead); else a
 * checkpoint when the gap is reached. */
static void after_step(player *p, uint64_t ns)
{
    size_t at = ckpt_at_or_before(p, p->position);
    if (at != SIZE_MAX && p->ckpts[at].pos == p->position) {
        p->since_ns = 0;
        if (p->host && !p->scouting) {
            bool unchanged;
            if (ckpt_restore(p->ckpts[at].c, p->host, &unchanged)) {
                session_destroy(p->s);
                p->s = p->host;
                p->host = NULL;
            } else { /* the host is no use: the scratch session becomes the host */
                (void)unchanged;
                drop_ckpts_from(p, 0);
                session_destroy(p->host);
                p->host = NULL;
            }
        }
        return;
    }
    p->since_ns += ns;
    if (p->host == NULL && p->since_ns >= p->gap_ns) {
        p->since_ns = 0;
        take_ckpt(p, p->s, p->position);
    }
}

/* ---- scouting: in idle time the host plays ahead of what is shown ---- */

/* Whether a step must not be run ahead of the lecturer: one that loads a
 * shared library (`new plugin ...`: its code runs only when asked) or
 * touches files (save and export write them; play, source and trace read
 * others, which may change in between). */
static bool not_ahead(const player_step *st)
{
    parse_words w;
    if (st->kind != PLAYER_COMMAND || parse_split(st->text, &w) != NULL || w.count < 1)
        return false;
    if (interp_command_flags(w.word[0]) & INTERP_FILES)
        return true;
    const kind_row *k = w.count >= 2 && strcmp(w.word[0], "new") == 0 ? kind_find(w.word[1]) : NULL;
    return k && (k->can & KIND_LIBRARY);
}

/* Starts scouting if nothing was checkpointed yet: a new session, the
 * host, will play every step ahead, and the one shown is its scratch. */
static bool start_scout(player *p)
{
    if (p->scouted || p->host || p->ckpt_count > 0)
        return false;
    p->scouted = true; /* once per scene */
    if ((p->host = session_create()) == NULL)
        return false;
    p->scouting = true;
    p->scout_pos = 0;
    p->scout_since_ns = 0;
    return true;
}

/* The scout met a step it may not run ahead. Its checkpoints serve while
 * what is shown has not passed it (the shown session hands over to the
 * host on the first one it reaches); else the shown session becomes the
 * host, the owner of checkpoints from here on. */
static void stop_scout_early(player *p)
{
    p->scouting = false;
    if (p->ckpt_count == 0 || p->position > p->scout_pos) {
        drop_ckpts_from(p, 0);
        session_destroy(p->host);
        p->host = NULL;
        p->since_ns = 0;
    }
}

/* Plays the host ahead by up to `budget` steps or about 8 ms. */
static void scout(player *p, size_t budget)
{
    strbuf sink;
    sb_init_discard(&sink);
    uint64_t start = now_ns();
    while (p->scouting && budget-- > 0 && p->scout_pos < p->count && now_ns() - start < 8000000u) {
        if (not_ahead(&p->steps[p->scout_pos])) {
            stop_scout_early(p);
            break;
        }
        uint64_t t0 = now_ns();
        exec_step(p, p->host, p->scout_pos++, &sink);
        p->scout_since_ns += now_ns() - t0;
        if (p->scout_since_ns >= p->gap_ns) {
            p->scout_since_ns = 0;
            take_ckpt(p, p->host, p->scout_pos);
        }
    }
    if (p->scout_pos >= p->count)
        p->scouting = false;
}

static void run_step(player *p, bool quiet)
{
    strbuf sink;
    sb_init_discard(&sink);
    size_t i = p->position++;
    if (!quiet)
        sb_clear(&p->answer);
    uint64_t t0 = now_ns();
    session_status st = exec_step(p, p->s, i, quiet ? &sink : &p->answer);
    uint64_t ns = now_ns() - t0;
    p->failed = st == SESSION_ERROR || st == SESSION_EXPECT_FAILED;
    /* quiet steps are old ground: their problems were recorded the first time */
    if (p->failed && p->position > p->furthest) {
        const char *a = sb_str(&p->answer);
        sb_printf(&p->problems, "%zu: %.*s\n", p->steps[i].line, (int)strcspn(a, "\n"), a);
    }
    if (p->position > p->furthest)
        p->furthest = p->position;
    after_step(p, ns);
}

size_t player_checkpoints(const player *p, size_t *bytes)
{
    if (bytes)
        *bytes = ckpt_store_bytes(p->store);
    return p->ckpt_count;
}

void player_set_checkpoint_gap(player *p, unsigned long long ns) { p->gap_ns = ns; }

void player_set_progress(player *p, interp_progress_fn fn, void *user)
{
    p->progress = fn;
    p->progress_user = user;
}

bool player_idle(player *p, size_t budget)
{
    if (!p->scouting && !start_scout(p))
        return false;
    scout(p, budget);
    return p->scouting;
}

bool player_next(player *p)
{
    if (p->position >= p->count)
        return false;
    run_step(p, false);
    return true;
}

/* The session the checkpoints belong to. */
static session *host_of(const player *p) { return p->host ? p->host : p->s; }

/* Puts the host back to the last checkpoint at or before target, if that
 * is ahead of where playback is, or if playback must go back; else (no
 * such checkpoint) a fresh scratch session at position 0 when going back.
 * False only when out of memory. */
static bool jump_near(player *p, size_t target)
{
    for (;;) {
        size_t at = ckpt_at_or_before(p, target);
        if (at == SIZE_MAX)
            break;
        if (p->ckpts[at].pos <= p->position && target >= p->position)
            return true; /* just play forward */
        bool unchanged;
        session *h = host_of(p);
        p->scouting = false; /* the host is about to be put back: it scouts no more */
        if (ckpt_restore(p->ckpts[at].c, h, &unchanged)) {
            if (p->host) {
                session_destroy(p->s);
                p->s = p->host;
                p->host = NULL;
            }
            p->position = p->ckpts[at].pos;
            p->since_ns = 0;
            return true;
        }
        if (unchanged) { /* they no longer fit this session: drop them, try an earlier one */
            drop_ckpts_from(p, at);
            continue;
        }
        /* an allocator refused its state: start over on a fresh session */
        drop_ckpts_from(p, 0);
        session *fresh = session_create();
        if (fresh == NULL)
            return false;
        session_destroy(p->s);
        session_destroy(p->host);
        p->host = NULL;
        p->s = fresh;
        p->position = 0;
        p->since_ns = 0;
        return true;
    }
    if (target >= p->position)
        return true;
    /* before the first checkpoint: a scratch session, the host kept aside */
    session *fresh = session_create();
    if (fresh == NULL)
        return false;
    if (p->host == NULL && p->ckpt_count > 0)
        p->host = p->s;
    else
        session_destroy(p->s);
    p->s = fresh;
    p->position = 0;
    p->since_ns = 0;
    return true;
}

bool player_seek(player *p, size_t position)
{
    if (position > p->count)
        return false;
    if (position != p->position && !jump_near(p, position))
        return false;
    size_t from = p->position;
    uint64_t shown = now_ns();
    while (p->position < position) {
        run_step(p, p->position + 1 < position && p->position + 1 <= p->furthest);
        if (p->progress && (p->position & 1023) == 0 && now_ns() - shown > 100000000u) {
            shown = now_ns();
            if (!p->progress(p->progress_user, "playing to the step", p->position - from, position - from))
                break;
        }
    }
    return true;
}

bool player_prev(player *p) { return p->position > 0 && player_seek(p, p->position - 1); }

static bool is_mark(const player_step *st) { return st->kind != PLAYER_COMMAND; }

size_t player_run(player *p, size_t max_steps, unsigned stop_at)
{
    size_t done = 0;
    p->stopped_on_failure = false;
    while (done < max_steps && p->position < p->count) {
        size_t warnings = session_warning_count(p->s);
        run_step(p, false); /* a step it stops on shows its answer */
        done++;
        const player_step *st = &p->steps[p->position - 1];
        p->stopped_on_failure = (stop_at & PLAYER_STOP_FAILURE) &&
                                (p->failed || session_warning_count(p->s) > warnings);
        if (p->stopped_on_failure || ((stop_at & PLAYER_STOP_ERROR) && p->failed) ||
            ((stop_at & PLAYER_STOP_PAUSE) && st->kind == PLAYER_PAUSE) ||
            ((stop_at & PLAYER_STOP_NOTE) && st->kind == PLAYER_NOTE))
            break;
    }
    return done;
}

bool player_next_failure(player *p)
{
    player_run(p, SIZE_MAX, PLAYER_STOP_FAILURE);
    return p->stopped_on_failure;
}

void player_next_mark(player *p)
{
    while (player_next(p))
        if (is_mark(&p->steps[p->position - 1]))
            return;
}

void player_prev_mark(player *p)
{
    size_t target = p->position;
    /* skip the mark we are standing just after, then find the previous one */
    if (target > 0 && is_mark(&p->steps[target - 1]))
        target--;
    while (target > 0 && !is_mark(&p->steps[target - 1]))
        target--;
    player_seek(p, target);
}

const char *player_step_caption(const player_step *st)
{
    if (st->kind != PLAYER_NOTE && st->kind != PLAYER_ASK)
        return "";
    const char *t = st->text + strspn(st->text, " \t");
    t += strcspn(t, " \t"); /* the command's word */
    return t + strspn(t, " \t");
}

const char *player_caption(const player *p)
{
    for (size_t i = p->position; i-- > 0;)
        if (p->steps[i].kind == PLAYER_NOTE || p->steps[i].kind == PLAYER_ASK)
            return player_step_caption(&p->steps[i]);
    return "";
}

bool player_step_is_expect(const player_step *st)
{
    const char *t = st->text + strspn(st->text, " \t");
    return st->kind == PLAYER_COMMAND && strncmp(t, "expect", 6) == 0 &&
           (t[6] == ' ' || t[6] == '\t' || t[6] == '\0');
}

long player_dwell_ms(const player_step *st, long step_ms)
{
    if (player_step_is_expect(st))
        return 0;
    if (st->kind != PLAYER_NOTE)
        return step_ms;
    long words = 0;
    for (const char *c = player_step_caption(st); *c;) {
        c += strspn(c, " \t\n");
        if (*c)
            words++;
        c += strcspn(c, " \t\n");
    }
    long at_pace = 1000 + 400 * words;
    long dwell = (long)((long long)at_pace * step_ms / PLAYER_PACE_MS);
    return dwell > step_ms ? dwell : step_ms;
}
