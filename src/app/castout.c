/*
 * castout.c - asciicast v2 recordings of scenes, and the command line's
 * export options (see castout.h).
 *
 * A recording is one header line and one event per line: [time, "o",
 * bytes] for each frame the live view draws (tui_record), [time, "m",
 * caption] after each note, pause and ask. The recording opens as the
 * live view does, paused on the scene's first caption. Time advances by
 * the step delay per frame; a pause holds three delays.
 */
#include "allocscope/castout.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "allocscope/htmlout.h"
#include "allocscope/player.h"
#include "allocscope/svgout.h"
#include "allocscope/tui.h"

typedef struct recording {
    strbuf *out;
    double t, delay;
    size_t last_position;
    bool first;
} recording;

static void on_frame(void *user, const char *bytes, size_t n, struct player *pl)
{
    recording *r = user;
    if (!r->first)
        r->t += r->delay;
    r->first = false;
    /* one output event per frame, empty or not: event k is the state after k steps */
    sb_printf(r->out, "[%.3f, \"o\", ", r->t);
    sb_json_string(r->out, n ? bytes : "");
    sb_add(r->out, "]\n");
    /* a marker for each note, pause and ask this frame ran (the reveal
     * after an ask runs the note before its answer in the same frame) */
    size_t pos = player_position(pl), from = r->last_position == (size_t)-1 || r->last_position > pos ? pos
                                                                                                  : r->last_position;
    for (size_t i = from; i < pos; i++) {
        const player_step *st = player_step_at(pl, i);
        if (st->kind == PLAYER_COMMAND)
            continue;
        sb_printf(r->out, "[%.3f, \"m\", ", r->t);
        sb_json_string(r->out, st->kind == PLAYER_PAUSE || i + 1 == pos ? player_caption(pl) : player_step_caption(st));
        sb_add(r->out, "]\n");
        if (st->kind == PLAYER_PAUSE)
            r->t += 2 * r->delay;
    }
    r->last_position = pos;
}

/* The glyphs need a UTF-8 locale: the user's, else C.UTF-8, else ASCII.
 * Only the character type: the times must keep their decimal point. */
static bool utf8_locale(void)
{
    setlocale(LC_CTYPE, "");
    if (strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
        return true;
    return setlocale(LC_CTYPE, "C.UTF-8") && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

bool castout_write(const char *scene, const char *path, int cols, int rows, long delay_ms, bool ascii, bool force,
                   strbuf *err)
{
    cols = cols ? cols : SVGOUT_DEFAULT_COLS;
    rows = rows ? rows : SVGOUT_DEFAULT_ROWS;
    strbuf cast;
    sb_init(&cast);
    sb_printf(&cast, "{\"version\": 2, \"width\": %d, \"height\": %d, \"title\": ", cols, rows);
    sb_json_string(&cast, scene);
    sb_add(&cast, ", \"env\": {\"TERM\": \"xterm-256color\"}}\n");
    recording r = {&cast, 0, (delay_ms > 0 ? (double)delay_ms : 700) / 1000.0, (size_t)-1, true};
    tui_options opt = {scene, delay_ms, ascii || !utf8_locale(), NULL, NULL, false, false};
    /* curses starts at the size these say (its first scroll region) */
    char num[16];
    snprintf(num, sizeof num, "%d", rows);
    setenv("LINES", num, 1);
    snprintf(num, sizeof num, "%d", cols);
    setenv("COLUMNS", num, 1);
    bool ok = tui_record(&opt, cols, rows, on_frame, &r);
    if (!ok)
        sb_printf(err, "could not draw %s into a terminal of %dx%d", scene, cols, rows);
    else if (cast.truncated)
        sb_add(err, "out of memory"), ok = false;
    ok = ok && svgout_write_file(path, cast.data, cast.len, force, err);
    sb_free(&cast);
    return ok;
}

/* ---- the command line ---- */

int castout_cli_option(int argc, char **argv, int i, castout_cli *c)
{
    const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
    const char **dest = !strcmp(a, "--export-svg") ? &c->svg_dir : !strcmp(a, "--export-cast") ? &c->cast
                      : !strcmp(a, "--export-html") ? &c->html : NULL;
    if (!strcmp(a, "--force"))
        return c->force = true, 1;
    if (!strcmp(a, "--at-marks"))
        return c->at_marks = true, 1;
    if (!dest && strcmp(a, "--size") && strcmp(a, "--theme"))
        return 0;
    if (next == NULL || *next == '\0') {
        fprintf(stderr, "allocscope: %s needs a value\n", a);
        return -1;
    }
    if (dest)
        *dest = next;
    else if (!strcmp(a, "--theme") && (!strcmp(next, "light") || !strcmp(next, "dark")))
        c->dark = !strcmp(next, "dark");
    else if (!strcmp(a, "--theme")) {
        fprintf(stderr, "allocscope: --theme is light or dark\n");
        return -1;
    } else {
        strbuf err;
        sb_init(&err);
        bool ok = svgout_parse_size(next, &c->cols, &c->rows, &err);
        if (!ok)
            fprintf(stderr, "allocscope: --%s\n", sb_str(&err));
        sb_free(&err);
        if (!ok)
            return -1;
    }
    return 2;
}

bool castout_cli_wanted(const castout_cli *c)
{
    return c->svg_dir || c->cast || c->html || c->cols || c->force || c->at_marks || c->dark;
}

/* The scene's problems, played through once; NULL if it cannot be read. */
static bool scene_clean(const char *scene, strbuf *err)
{
    player *p = player_open(scene, err);
    if (p == NULL)
        return false;
    while (player_next(p))
        ;
    bool clean = *player_problems(p) == '\0';
    if (!clean) {
        /* the first ten, and how many more */
        const char *all = player_problems(p), *cut = all;
        for (int k = 0; k < 10 && *cut; k++)
            cut += strcspn(cut, "\n") + (cut[strcspn(cut, "\n")] == '\n');
        size_t more = sb_count_lines(cut);
        sb_printf(err, "%s has errors, nothing exported:\n%.*s", scene, (int)(cut - all), all);
        if (more)
            sb_printf(err, "(and %zu more)\n", more);
    }
    player_close(p);
    return clean;
}

int castout_cli_run(const castout_cli *c, const char *scene, long delay_ms, bool ascii)
{
    if (!c->svg_dir && !c->cast && !c->html) {
        fprintf(stderr, "allocscope: --size, --theme, --force and --at-marks go with --export-svg, --export-cast "
                        "or --export-html\n");
        return 2;
    }
    if (scene == NULL) {
        fprintf(stderr, "allocscope: --export-svg, --export-cast and --export-html export a scene: add --play SCENE\n");
        return 2;
    }
    strbuf err;
    sb_init(&err);
    bool ok = scene_clean(scene, &err);
    svgout_options so = {c->cols, c->rows, c->dark ? LOOKS_THEME_DARK : LOOKS_THEME_LIGHT, ascii};
    size_t files = 0;
    if (ok && c->svg_dir && (ok = svgout_write_scene(scene, c->svg_dir, &so, c->at_marks, c->force, &files, &err)))
        printf("wrote %zu SVG files to %s\n", files, c->svg_dir);
    if (ok && c->cast && (ok = castout_write(scene, c->cast, c->cols, c->rows, delay_ms, ascii, c->force, &err)))
        printf("wrote %s\n", c->cast);
    if (ok && c->html && (ok = htmlout_write(scene, c->html, c->dark, ascii, c->force, &err)))
        printf("wrote %s\n", c->html);
    if (!ok)
        fprintf(stderr, "allocscope: %s\n", sb_str(&err));
    sb_free(&err);
    return ok ? 0 : 1;
}
