/*
 * player.c - scene playback without a terminal (see player.h).
 *
 * Stepping back replays. To keep a step back fast in a long scene, a second
 * session trails the current one by PLAYER_TRAIL_GAP to twice that many
 * steps; a step back takes it over and replays only the difference. The
 * trail is rebuilt a little at each step forward, and in idle time.
 */
#include "allocscope/player.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/parse.h"

#define PLAYER_TRAIL_GAP 512

struct player {
    char *name;
    player_step *steps;
    size_t count, cap;
    size_t position;
    size_t furthest;         /* problems are recorded once, on new ground */
    session *s;
    session *trail;          /* NULL, or a session after trail_pos steps */
    size_t trail_pos;
    strbuf answer;
    strbuf problems;
    bool failed;
    bool stopped_on_failure; /* player_run stopped on a failed step */
};

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
    char *copy = strdup(text);
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
    if (p == NULL || (p->name = strdup(name)) == NULL || (p->s = session_create()) == NULL) {
        sb_add(err, "out of memory");
        player_close(p);
        return NULL;
    }
    sb_init(&p->answer);
    sb_init(&p->problems);
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
    for (size_t i = 0; i < p->count; i++)
        free(p->steps[i].text);
    free(p->steps);
    session_destroy(p->s);
    session_destroy(p->trail);
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

static void run_step(player *p, bool quiet)
{
    strbuf sink;
    sb_init_discard(&sink);
    size_t i = p->position++;
    if (!quiet)
        sb_clear(&p->answer);
    session_status st = exec_step(p, p->s, i, quiet ? &sink : &p->answer);
    p->failed = st == SESSION_ERROR || st == SESSION_EXPECT_FAILED;
    /* quiet steps are old ground: their problems were recorded the first time */
    if (p->failed && p->position > p->furthest) {
        const char *a = sb_str(&p->answer);
        sb_printf(&p->problems, "%zu: %.*s\n", p->steps[i].line, (int)strcspn(a, "\n"), a);
    }
    if (p->position > p->furthest)
        p->furthest = p->position;
}

/* Moves the trail forward by at most `budget` steps, never closer than
 * PLAYER_TRAIL_GAP behind the current position. */
static void advance_trail(player *p, size_t budget)
{
    if (p->position < 2 * PLAYER_TRAIL_GAP)
        return;
    if (p->trail == NULL) {
        if ((p->trail = session_create()) == NULL)
            return;
        p->trail_pos = 0;
    }
    strbuf sink;
    sb_init_discard(&sink);
    while (budget-- > 0 && p->trail_pos + PLAYER_TRAIL_GAP < p->position)
        exec_step(p, p->trail, p->trail_pos++, &sink);
}

bool player_idle(player *p, size_t budget)
{
    advance_trail(p, budget);
    return p->position >= 2 * PLAYER_TRAIL_GAP &&
           (p->trail == NULL || p->trail_pos + PLAYER_TRAIL_GAP < p->position);
}

bool player_next(player *p)
{
    if (p->position >= p->count)
        return false;
    run_step(p, false);
    advance_trail(p, 2);
    return true;
}

bool player_seek(player *p, size_t position)
{
    if (position > p->count)
        return false;
    if (position < p->position) {
        if (p->trail && p->trail_pos <= position) {
            session_destroy(p->s);
            p->s = p->trail;
            p->position = p->trail_pos;
            p->trail = NULL;
        } else {
            session *fresh = session_create();
            if (fresh == NULL)
                return false;
            session_destroy(p->s);
            session_destroy(p->trail);
            p->trail = NULL;
            p->s = fresh;
            p->position = 0;
        }
    }
    while (p->position < position) {
        run_step(p, p->position + 1 < position && p->position + 1 <= p->furthest);
        advance_trail(p, 2);
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
        advance_trail(p, 2);
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
