/*
 * svgout.c - a frame of the live view as SVG (see svgout.h).
 *
 * The picture is a terminal of cols x rows character cells, CW x CH units
 * each, with the panes where screen_compute puts them. Text is SVG text in
 * a monospace font; a map cell is a rectangle of its colour with its glyph
 * or name letter over it. Styles become pens: the colours of looks_rgb in
 * the theme, bold, dim (a lighter ink), reverse and underline as the live
 * view draws them with colours on.
 */
#include "allocscope/svgout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allocscope/evidence.h"
#include "allocscope/player.h"
#include "allocscope/screen.h"

#define CW 9  /* units per column */
#define CH 18 /* units per row */

typedef struct pen {
    uint32_t fg, bg;
    bool has_bg, bold, dim, underline;
} pen;

typedef struct svg {
    strbuf *out;
    looks_theme theme;
    bool ascii;
    uint32_t page_fg, page_bg;
    int hide_from, hide_to; /* rows [from, to) that a box covers: nothing else is drawn there */
    const cells_free_node *free_nodes; /* the map's free blocks in their lists' order (badges) */
    size_t free_count;
} svg;

static bool hidden(const svg *g, int row) { return row >= g->hide_from && row < g->hide_to; }

/* The pen of a foreground on a background with attributes, as a
 * 256-colour terminal shows them: ink on the page takes the theme's (the
 * light theme's darker inks), ink over a fill of its own is the
 * terminal's. */
/* Whether two colours are too close to tell apart as ground and page. */
static bool near_rgb(uint32_t a, uint32_t b)
{
    for (int shift = 0; shift < 24; shift += 8) {
        int d = (int)(a >> shift & 0xff) - (int)(b >> shift & 0xff);
        if (d < -0x20 || d > 0x20)
            return false;
    }
    return true;
}

static pen mix(const svg *g, looks_colour fg, looks_colour bg, unsigned attrs)
{
    bool has_bg = bg.c256 != LOOKS_DEFAULT;
    pen p = {looks_rgb(fg, has_bg && fg.c256 != LOOKS_DEFAULT ? LOOKS_THEME_DARK : g->theme, true),
             looks_rgb(bg, g->theme, false), has_bg, (attrs & LOOKS_BOLD) != 0, (attrs & LOOKS_DIM) != 0,
             (attrs & LOOKS_UNDERLINE) != 0};
    if (attrs & LOOKS_REVERSE) {
        uint32_t t = p.fg;
        p.fg = p.bg, p.bg = t, p.has_bg = true;
    }
    /* a background the page already has, or nearly (white on the light
     * page), would vanish: such a style is drawn in the page's inverse */
    if (p.has_bg && near_rgb(p.bg, g->page_bg))
        p.bg = g->page_fg, p.fg = g->page_bg;
    return p;
}

static pen pen_of(const svg *g, looks_style s, unsigned extra)
{
    const looks_style_spec *st = looks_style_of(s);
    return mix(g, st->fg, st->bg, st->colour_attrs | extra);
}

svgout_ink svgout_ink_of(looks_colour fg, looks_colour bg, unsigned attrs, looks_theme theme)
{
    svg g = {NULL, theme, false, looks_rgb((looks_colour)LOOKS_NONE, theme, true),
             looks_rgb((looks_colour)LOOKS_NONE, theme, false), 0, 0, NULL, 0};
    pen p = mix(&g, fg, bg, attrs);
    return (svgout_ink){p.fg, p.bg, p.has_bg};
}

svgout_ink svgout_style_ink(looks_style s, looks_theme theme)
{
    const looks_style_spec *st = looks_style_of(s);
    return svgout_ink_of(st->fg, st->bg, st->colour_attrs, theme);
}

static pen plain(const svg *g, bool bold) { return (pen){g->page_fg, g->page_bg, false, bold, false, false}; }

static void rect(const svg *g, int col, int row, int cols, int rows, uint32_t rgb, const char *extra)
{
    if (cols <= 0 || rows <= 0 || (hidden(g, row) && hidden(g, row + rows - 1)))
        return;
    sb_printf(g->out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%06x\"%s/>\n", col * CW, row * CH,
              cols * CW, rows * CH, (unsigned)rgb, extra ? extra : "");
}

/* Bytes of the UTF-8 sequence that starts with byte b (1 for a stray byte). */
static size_t utf8_len(unsigned char b) { return b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4; }

static void add_escaped(strbuf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': sb_add(out, "&amp;"); break;
        case '<': sb_add(out, "&lt;"); break;
        case '>': sb_add(out, "&gt;"); break;
        case '"': sb_add(out, "&quot;"); break;
        default:
            if ((unsigned char)s[i] >= 0x20 || s[i] == '\t')
                sb_addc(out, s[i]);
            else
                sb_addc(out, '?'); /* XML has no place for control characters */
        }
    }
}

/* Writes at most w columns of text (up to a newline) at (col, row) in pen
 * p, its background first; returns the columns used. One column per code
 * point, as the map's glyphs and the language's words take. */
static int text(const svg *g, int col, int row, int w, const char *s, pen p)
{
    size_t bytes = 0;
    int used = 0;
    while (s[bytes] && s[bytes] != '\n' && used < w) {
        size_t n = utf8_len((unsigned char)s[bytes]);
        for (size_t k = 1; k < n; k++)
            if (s[bytes + k] == '\0')
                n = k;
        bytes += n;
        used++;
    }
    if (used == 0 || hidden(g, row))
        return used;
    if (p.has_bg)
        rect(g, col, row, used, 1, p.bg, NULL);
    bool blank = true;
    for (size_t i = 0; i < bytes; i++)
        blank &= s[i] == ' ';
    if (blank)
        return used;
    sb_printf(g->out, "<text x=\"%d\" y=\"%d\" fill=\"#%06x\"%s%s%s textLength=\"%d\">", col * CW, row * CH + 14,
              (unsigned)p.fg, p.bold ? " font-weight=\"bold\"" : "", p.dim ? " fill-opacity=\"0.65\"" : "",
              p.underline ? " text-decoration=\"underline\"" : "", used * CW);
    add_escaped(g->out, s, bytes);
    sb_add(g->out, "</text>\n");
    return used;
}

static int textf(const svg *g, int col, int row, int w, pen p, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static int textf(const svg *g, int col, int row, int w, pen p, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return text(g, col, row, w, buf, p);
}

static int columns(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ---- panes ---- */

/* A character's columns in the picture: one a UTF-8 character (its
 * bytes cut at the end of the text). */
static int picture_width(const char *s, size_t *bytes)
{
    size_t k = utf8_len((unsigned char)s[0]);
    for (size_t j = 1; j < k; j++)
        if (s[j] == '\0')
            k = j;
    *bytes = k;
    return 1;
}

/* Text wrapped as the live view wraps it (screen_wrap_line). */
static size_t wrap_line(const char *text, int w, const char **next)
{
    return screen_wrap_line(text, w, picture_width, next);
}

static int wrapped_lines(const char *text, int w) { return screen_wrapped_lines(text, w, picture_width); }

/* Word-wraps text into h rows of w columns at (col, row); returns the rows used. */
static int wrapped(const svg *g, int col, int row, int h, int w, const char *s, pen p)
{
    int r = 0;
    for (; r < h && *s && w > 0; r++) {
        const char *next;
        size_t n = wrap_line(s, w, &next);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), s);
        text(g, col, row + r, w, line, p);
        s = next;
    }
    return r;
}

int svgout_caption_lines(const char *caption, int cols)
{
    int n = wrapped_lines(caption ? caption : "", cols - 4 > 1 ? cols - 4 : 1);
    return n > 1 ? n : 1;
}

static void header(const svg *g, const svgout_frame *f, const screen_rect *r, const cells_grid *grid)
{
    const session *s = f->s;
    pen hp = pen_of(g, STYLE_HEADER, 0);
    rect(g, r->x, r->y, r->w, 1, hp.bg, NULL);
    if (!session_has_active(s)) {
        text(g, 1, r->y, r->w - 1, "allocscope: no allocator yet", hp); /* (a slide cannot be typed into) */
        return;
    }
    session_stats st;
    session_stats_from_usage(s, &grid->usage, &st);
    /* every figure, in fewer columns as the picture narrows (the live view's
     * forms, to the last: what the screen shows) */
    char line[512];
    const char *name = session_active_name(s), *kind = session_active_kind(s);
    for (int form = 0; screen_header_form(&st, name, kind, grid->zoom, form, line, sizeof line); form++)
        if (columns(line) <= r->w - 1)
            break;
    hp.bold = true;
    text(g, 1, r->y, r->w - 1, line, hp);
    int x = text(g, 1, r->y + 1, r->w - 1, "allocators:", pen_of(g, STYLE_DIM, 0)) + 1;
    for (size_t i = 0; i < session_allocator_count(s) && x < r->w - 2; i++) {
        bool active = i == session_active_index(s);
        pen p = plain(g, active);
        if (active)
            p = (pen){g->page_bg, g->page_fg, true, true, false, false};
        x += textf(g, x + 1, r->y + 1, r->w - x - 1, p, active ? "[%s]" : " %s ", session_allocator_name(s, i)) + 1;
    }
    char right[160];
    snprintf(right, sizeof right, "%s   step %zu  warnings %zu", session_active_description(s), session_step(s),
             session_warning_count(s));
    int rw = columns(right);
    if (x + rw + 2 < r->w)
        text(g, r->w - rw - 1, r->y + 1, rw, right, pen_of(g, STYLE_DIM, 0));
}

/* Cell i as the live view's face_of draws it with colours on: its ground
 * (a fill, or the page), the glyph of its first column and of any further
 * ones (NULL: the fill alone) and their ink; bar: a solid block the last
 * step changed, drawn with a bar at its foot. */
typedef struct face {
    bool filled, bar;
    uint32_t fill;
    const char *first, *rest;
    pen ink;
} face;

#define MAP_STYLES (STYLE_LIVE5 + 1)

static face face_of(const svg *g, const cell *c, bool with_label, bool changed)
{
    static char letters[256][2];
    char label = with_label ? c->label : 0;
    looks_style st = looks_cell_style(c);
    unsigned extra = looks_mark_attrs(c->marks) | (label ? LOOKS_BOLD : 0);
    pen p = pen_of(g, st, extra);
    const char *glyph = looks_glyph(looks_of_cell(c), g->ascii);
    if (label) {
        unsigned char u = (unsigned char)label;
        letters[u][0] = label;
        glyph = letters[u];
    }
    face f = {p.has_bg, false, p.bg, glyph, glyph, p};
    const looks_style_spec *cs = looks_style_of(STYLE_CHANGED);
    if (label && c->role == CELL_FREED) {
        /* a freed block's name tag: its colour on the page */
        f.ink = mix(g, looks_area(looks_live_style(c->block)), (looks_colour)LOOKS_NONE, LOOKS_BOLD);
        f.filled = false;
    } else if (!label && c->role == CELL_LIVE) {
        looks_style ls = looks_live_style(c->block);
        f.filled = true;
        f.fill = looks_rgb(looks_area(ls), g->theme, false);
        f.first = f.rest = NULL; /* the solid block: its fill */
        f.ink = mix(g, looks_area(ls), (looks_colour)LOOKS_NONE, looks_style_of(ls)->colour_attrs);
        if (changed && !g->ascii) {
            f.first = f.rest = looks_glyph(LOOK_CHANGED, false);
            f.ink = mix(g, cs->fg, looks_area(ls), cs->colour_attrs & ~(unsigned)LOOKS_UNDERLINE);
            f.bar = true;
        } else if (changed) {
            f.ink.bold = f.ink.underline = true;
        }
        return f;
    } else if (c->role == CELL_PADDING && c->beneath != CELL_PADDING && c->beneath != CELL_UNUSED) {
        /* a coarse cell of mostly something else, with padding in it */
        cell under = {.role = c->beneath, .block = c->block};
        looks_colour ground = looks_area(looks_cell_style(&under));
        pen over = mix(g, looks_area(STYLE_PADDING), ground, 0);
        f.filled = true, f.fill = over.bg;
        f.ink.fg = over.fg;
        st = STYLE_COUNT; /* keeps this colour when changed */
    } else if (!label && (c->marks & (CELL_MARK_BOUNDARY | CELL_MARK_FREE_NODE)) &&
               (c->role == CELL_UNUSED || c->role == CELL_FREED)) {
        f.first = looks_glyph(LOOK_SLOT_START, g->ascii);
    }
    if (changed) {
        f.ink.bold = f.ink.underline = true;
        /* white over a dark ground; on the bright ones the black glyph stays */
        if (st < MAP_STYLES && st != STYLE_META && st != STYLE_PADDING) {
            pen w = mix(g, cs->fg, looks_area(st), 0);
            f.ink.fg = w.fg;
            f.filled = w.has_bg, f.fill = w.bg;
        }
    }
    return f;
}

svgout_face svgout_cell_face(const cells_grid *grid, size_t i, looks_theme theme, bool ascii, bool with_label,
                             bool changed)
{
    svg g = {NULL, theme, ascii, looks_rgb((looks_colour)LOOKS_NONE, theme, true),
             looks_rgb((looks_colour)LOOKS_NONE, theme, false), 0, 0, NULL, 0};
    face f = face_of(&g, &grid->cells[i], with_label, changed);
    return (svgout_face){f.filled, f.ink.bold, f.ink.underline, f.ink.dim, f.fill, f.ink.fg, f.first};
}

/* One column of a map row, as the live view puts it. */
typedef struct column {
    bool filled, bar;
    uint32_t fill;
    char glyph[5]; /* "" the fill alone */
    pen ink;
} column;

static bool same_ink(pen a, pen b)
{
    return a.fg == b.fg && a.bold == b.bold && a.dim == b.dim && a.underline == b.underline;
}

static void set_glyph(column *c, const char *g) { snprintf(c->glyph, sizeof c->glyph, "%s", g ? g : ""); }

/* One row of cells, width columns each (the live view's draw_cells and
 * write_names): each block's name across the columns of its run of cells
 * (a freed block's too, as a tag), the whole name where it fits, else its
 * first letter. Fills are cell rectangles (class "c"), glyphs and names
 * text in runs of one ink. */
static pen badge_pen(const svg *g) { return pen_of(g, STYLE_TEXT, LOOKS_REVERSE | LOOKS_BOLD); }

static void cells_row(const svg *g, const session *s, const cells_grid *grid, const bool *changed, int width,
                      int col, int row, size_t first, size_t count, bool plain_row)
{
    enum { MAXC = SVGOUT_MAX_COLS };
    if (hidden(g, row))
        return;
    column cs[MAXC];
    size_t n = 0;
    for (size_t i = 0; i < count && n + (size_t)width <= MAXC; i++) {
        face f = face_of(g, &grid->cells[first + i], width == 1 && !plain_row, changed && changed[first + i]);
        for (int k = 0; k < width; k++, n++) {
            cs[n] = (column){f.filled, f.bar, f.fill, "", f.ink};
            set_glyph(&cs[n], k ? f.rest : f.first);
        }
    }
    const cell *cells = grid->cells + first;
    for (size_t i = 0; width > 1 && !plain_row && i < count && (i + 1) * (size_t)width <= n; i++) {
        if (!cells[i].label || cells[i].block < 0 ||
            (i > 0 && cells[i - 1].block == cells[i].block && cells[i - 1].role == cells[i].role))
            continue;
        size_t run = 1;
        while (i + run < count && cells[i + run].block == cells[i].block && cells[i + run].role == cells[i].role)
            run++;
        session_block b = session_block_at(s, (size_t)cells[i].block);
        size_t len = strlen(b.name), room = run * (size_t)width, m = len <= room ? len : 1;
        face f = face_of(g, &cells[i], true, changed && changed[first + i]);
        for (size_t k = 0; k < m && i * (size_t)width + k < n; k++) {
            column *c = &cs[i * (size_t)width + k];
            char ch[2] = {(unsigned char)b.name[k] < 0x80 ? b.name[k] : '?', '\0'};
            *c = (column){f.filled, false, f.fill, "", f.ink};
            set_glyph(c, ch);
        }
    }
    /* each free block's place in its list at its first cell, where its
     * cells in this row have room for the digits (write_free_order) */
    for (size_t i = 0; s && !plain_row && i < g->free_count; i++) {
        char num[24];
        size_t at = 0, len = screen_free_badge(&g->free_nodes[i], first, count, (size_t)width, &at, num);
        pen b = badge_pen(g);
        for (size_t k = 0; k < len && at + k < n; k++) {
            column *c = &cs[at + k];
            char ch[2] = {num[k], '\0'};
            *c = (column){b.has_bg, false, b.bg, "", b};
            set_glyph(c, ch);
        }
    }
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && cs[j].filled == cs[i].filled && cs[j].fill == cs[i].fill)
            j++;
        if (cs[i].filled)
            sb_printf(g->out, "<rect class=\"c\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%06x\"/>\n",
                      (col + (int)i) * CW, row * CH, (int)(j - i) * CW, CH, (unsigned)cs[i].fill);
        i = j;
    }
    for (size_t i = 0; i < n; i++) /* a change's bar, crisp at the foot (the glyph says it too) */
        if (cs[i].bar || (cs[i].ink.underline && !cs[i].glyph[0]))
            sb_printf(g->out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"3\" fill=\"#%06x\"/>\n",
                      (col + (int)i) * CW, row * CH + CH - 3, CW, (unsigned)cs[i].ink.fg);
    for (size_t i = 0; i < n;) {
        if (!cs[i].glyph[0] || strcmp(cs[i].glyph, " ") == 0) {
            i++;
            continue;
        }
        char run[4 * MAXC + 1];
        size_t len = 0, j = i;
        for (; j < n && cs[j].glyph[0] && strcmp(cs[j].glyph, " ") != 0 && same_ink(cs[j].ink, cs[i].ink); j++) {
            size_t k = strlen(cs[j].glyph);
            memcpy(run + len, cs[j].glyph, k);
            len += k;
        }
        run[len] = '\0';
        pen p = cs[i].ink;
        p.has_bg = false;
        text(g, col + (int)i, row, (int)(j - i), run, p);
        i = j;
    }
}

/* Puts one legend entry (a swatch and its words) at *x on row *y, or on the
 * next row when it does not fit and bottom allows (the live view's
 * legend_entry); false if it could not be put. */
static bool legend_entry(const svg *g, int *y, int x0, int *x, int w, int bottom, const char *what)
{
    int need = 1 + 1 + columns(what);
    if (!screen_legend_place(y, x0, x, w, bottom, need))
        return false;
    textf(g, *x + 1, *y, x0 + w - *x - 1, plain(g, false), " %s", what);
    return true;
}

/* The legend from the looks table, drawn as the map draws each look;
 * returns the last row used and in *end the column after its last entry. */
static int legend(const svg *g, int y, int x, int w, int bottom, int *end, const cells_grid *grid)
{
    int at = x;
    *end = x;
    for (int id = 0; id < LOOK_COUNT; id++) {
        const looks_cell_spec *l = looks_cell_of((looks_id)id);
        const char *what = screen_legend_word(id, grid);
        if (what == NULL)
            continue;
        int before = y;
        if (!legend_entry(g, &y, x, &at, w, bottom, what))
            return y;
        if (y != before)
            at = x;
        if (l->role == CELL_LIVE) { /* a cell of block 0, as the map draws it */
            cell sample = {CELL_LIVE, 0, 0, 0, 0, CELL_LIVE};
            cells_grid one = {0};
            one.cells = &sample, one.count = 1;
            bool ch = id == LOOK_CHANGED;
            cells_row(g, NULL, &one, &ch, 1, at, y, 0, 1, false);
        } else {
            text(g, at, y, 1, looks_glyph((looks_id)id, g->ascii), pen_of(g, l->style, 0));
        }
        at += 1 + 1 + columns(what) + 2;
        *end = at - 2;
    }
    if (g->free_count) { /* the badges: a free block's place in its list */
        static const char badge[] = "place in its free list (1: the head)";
        int before = y;
        if (!legend_entry(g, &y, x, &at, w, bottom, badge))
            return y;
        if (y != before)
            at = x;
        text(g, at, y, 1, "1", badge_pen(g));
        at += 1 + 1 + columns(badge) + 2;
        *end = at - 2;
    }
    size_t n;
    const looks_mark_spec *marks = looks_marks(&n);
    for (size_t i = 0; i < n; i++) {
        if (marks[i].style < 0 || marks[i].legend == NULL)
            continue;
        int before = y;
        if (!legend_entry(g, &y, x, &at, w, bottom, marks[i].legend))
            return y;
        if (y != before)
            at = x;
        text(g, at, y, 1, " ", pen_of(g, (looks_style)marks[i].style, 0));
        at += 1 + 1 + columns(marks[i].legend) + 2;
        *end = at - 2;
    }
    return y;
}

/* At a coarse zoom, what padding over a colour means (draw_legend_among). */
static void legend_among(const svg *g, int y, int x, int w, int bottom, int end, const cells_grid *grid)
{
    static const char among[] = " on a colour: a cell mostly of that, with some padding in it";
    if (grid->zoom < CELLS_BENEATH_ZOOM)
        return;
    int used = end - x;
    if (used + 3 + (int)sizeof among >= w) {
        if (y + 1 > bottom)
            return;
        y++, used = 0;
    } else {
        used += 2;
    }
    used += text(g, x + used, y, 1, looks_glyph(LOOK_PADDING, g->ascii),
                 mix(g, looks_area(STYLE_PADDING), looks_area(STYLE_LIVE0), 0));
    text(g, x + used, y, w - used, among, pen_of(g, STYLE_DIM, 0));
}

static void map_row_prefix(const svg *g, const session *s, int x, int y, const cells_region *reg, size_t at)
{
    pen dim = pen_of(g, STYLE_DIM, 0);
    if (session_show_addresses(s))
        textf(g, x, y, SCREEN_MAP_PREFIX, dim, g->ascii ? "..%06zx " : " …%06zx ",
              ((size_t)(uintptr_t)reg->base + at) & 0xffffff);
    else
        textf(g, x, y, SCREEN_MAP_PREFIX, dim, "%7zu ", at);
}

/* The map as the live view's draw_map: the ruler, rows of cells (a short
 * map's rows up to three lines high, the lines under the first without
 * labels, names and badges), what a cut leaves out, the legend. crop,
 * crop_of: the map shows only the first crop bytes of crop_of (0: all). */
static void map(const svg *g, const svgout_frame *f, const screen_layout *lay, const screen_map_shape *sh,
                const cells_grid *grid, const bool *changed, size_t crop, size_t crop_of)
{
    const screen_rect *r = &lay->map;
    pen dim = pen_of(g, STYLE_DIM, 0);
    if (grid->region_count == 0) {
        text(g, 2, r->y + 1, r->w - 2,
             session_has_active(f->s) ? "(this allocator owns no memory yet: it grows on the first allocation)"
                                      : "(no allocator is made yet)",
             dim);
        return;
    }
    int width = sh->cell_width, step = 1;
    while (step * width < 12)
        step *= 2;
    for (int c = 0; c < sh->cells_per_row; c += step)
        textf(g, r->x + SCREEN_MAP_PREFIX + c * width, r->y, step * width - 1, dim, "+%zu", (size_t)c * grid->zoom);
    /* the map's lines: a region's divider (region -1) or a row of cells */
    enum { MAX_LINES = 512 };
    struct { int region; size_t first, count; } lines[MAX_LINES];
    size_t cols = (size_t)sh->cells_per_row, total = 0;
    for (size_t reg = 0; reg < grid->region_count; reg++) {
        const cells_region *rg = &grid->regions[reg];
        if (grid->region_count > 1) {
            if (total < MAX_LINES)
                lines[total].region = -1, lines[total].first = reg, lines[total].count = rg->bytes;
            total++;
        }
        for (size_t row = 0; row < rg->count; row += cols) {
            if (total < MAX_LINES)
                lines[total].region = (int)reg, lines[total].first = rg->first + row,
                lines[total].count = rg->count - row < cols ? rg->count - row : cols;
            total++;
        }
    }
    if (total > MAX_LINES)
        total = MAX_LINES;
    int rows = lay->map_rows, k = 0, tall = screen_row_height(total, rows);
    for (; k < rows && (size_t)(k / tall) < total; k++) {
        int y = r->y + 1 + k, line = k / tall;
        if (lines[line].region < 0) {
            if (k % tall == 0)
                textf(g, r->x, y, r->w, dim, "  ── region %zu: %zu bytes ──", lines[line].first, lines[line].count);
            continue;
        }
        if (k % tall == 0) {
            const cells_region *rg = &grid->regions[lines[line].region];
            map_row_prefix(g, f->s, r->x, y, rg, (lines[line].first - rg->first) * grid->zoom);
        }
        cells_row(g, f->s, grid, changed, width, r->x + SCREEN_MAP_PREFIX, y, lines[line].first, lines[line].count,
                  k % tall != 0);
    }
    if (total > (size_t)rows)
        textf(g, r->x + r->w - 22, r->y, 22, dim, "rows %d-%d of %zu PgUp/Dn", 1, rows, total);
    else if (crop && k < rows) /* what the cut leaves out, under the last row */
        textf(g, r->x, r->y + 1 + k++, r->w, dim, "%7zu  ... to %zu: not used yet (w shows the whole buffer)", crop,
              crop_of);
    int ly = r->y + 1 + k + (k < rows ? 1 : 0) < r->y + r->h ? r->y + 1 + k + (k < rows ? 1 : 0) : r->y + r->h - 1;
    int end;
    ly = legend(g, ly, r->x + 1, r->w - 1, r->y + r->h - 1, &end, grid);
    legend_among(g, ly, r->x + 1, r->w - 1, r->y + r->h - 1, end, grid);
}

/* ev: the spans, when blocks carry slack (its column then takes align's
 * place), else NULL; regions: each block's offset as region:offset */
static void table_row(const svg *g, const session *s, const screen_rect *r, int y, size_t i, bool addresses,
                      const evidence *ev, bool regions)
{
    session_block b = session_block_at(s, i);
    pen name = b.live ? pen_of(g, looks_live_style((long)i), LOOKS_BOLD)
                      : mix(g, looks_area(looks_live_style((long)i)), (looks_colour)LOOKS_NONE, LOOKS_BOLD);
    pen rest = b.live ? plain(g, false) : pen_of(g, STYLE_DIM, 0);
    textf(g, r->x + 1, y, 10, name, "%-10.10s", b.name);
    if (addresses)
        textf(g, r->x + 12, y, r->w - 12, rest, "%14p %6zu %4zu %-5s", b.ptr, b.size, b.padding,
              b.live ? "live" : "freed");
    else {
        char cols[96];
        screen_table_columns(cols, sizeof cols, &b, regions, ev ? (b.live ? evidence_slack_of(ev, b.ptr) : 0) : b.align);
        textf(g, r->x + 12, y, r->w - 12, rest, "%s", cols);
    }
}

/* The block table as the live view's: live blocks first, then freed ones,
 * the newest of each when they do not all fit. */
static void table(const svg *g, const svgout_frame *f, const screen_rect *r, const cells_grid *grid)
{
    if (r->h < 2 || r->w < 20)
        return;
    const session *s = f->s;
    bool addresses = session_show_addresses(s), regions = grid->region_count > 1;
    /* where blocks carry slack (free list, buddy, pool), its column takes align's place */
    bool slack = grid->usage.slack_bytes > 0;
    evidence ev = {0};
    if (slack)
        evidence_collect(s, &ev);
    pen head = plain(g, true);
    head.underline = true;
    if (addresses)
        textf(g, r->x + 1, r->y, r->w - 1, head, "%-10s %14s %6s %4s %-5s", "block", "address", "size", "pad",
              "state");
    else
        textf(g, r->x + 1, r->y, r->w - 1, head, "%-10s %7s %6s %5s %4s %-5s", "block", regions ? "reg:off" : "offset",
              "size", slack ? "slack" : "align", "pad", "state");
    size_t n = session_block_count(s), live = 0, rows = (size_t)r->h - 1;
    for (size_t i = 0; i < n; i++)
        live += session_block_at(s, i).live;
    size_t show_live = live < rows ? live : rows, show_freed = n - live < rows - show_live ? n - live : rows - show_live;
    int y = r->y + 1;
    for (int pass = 0; pass < 2; pass++) {
        size_t want = pass == 0 ? show_live : show_freed, total = pass == 0 ? live : n - live, seen = 0;
        for (size_t i = 0; i < n; i++) {
            if (session_block_at(s, i).live != (pass == 0))
                continue;
            if (seen++ >= total - want)
                table_row(g, s, r, y++, i, addresses, slack ? &ev : NULL, regions);
        }
    }
    evidence_free(&ev);
    if (n == 0)
        text(g, r->x + 1, r->y + 1, r->w - 1, "(no blocks yet)", pen_of(g, STYLE_DIM, 0));
}

void svgout_warning_text(const session *s, const session_warning *w, char *buf, size_t n)
{
    screen_warning_text(s, w, buf, n);
}

/* The warnings, newest first under the heading, each wrapped whole; the
 * last step's new ones in the error style; what does not fit counted. */
static void warnings(const svg *g, const svgout_frame *f, const screen_rect *r)
{
    if (r->h < 2 || r->w < 20)
        return;
    size_t n = session_warning_count(f->s);
    pen head = plain(g, true);
    head.underline = true;
    textf(g, r->x + 1, r->y, r->w - 1, head, "warnings (%zu)%s", n, n > 1 ? " newest first" : "");
    int y = r->y + 1, bottom = r->y + r->h, width = r->w - 2;
    for (size_t i = n; i-- > 0;) {
        session_warning w = session_warning_at(f->s, i);
        char line[512];
        svgout_warning_text(f->s, &w, line, sizeof line);
        int lines = wrapped_lines(line, width);
        pen p = pen_of(g, i >= f->warnings_before ? STYLE_ERROR : STYLE_WARNING, 0);
        if (y + lines > bottom - (i > 0 ? 1 : 0) && y < bottom) {
            /* the newest is too long for a small pane: its first lines,
             * marked cut, as the live view's draw_warnings */
            int room = bottom - y - (i > 0 ? 1 : 0);
            if (i + 1 == n && room > 0) {
                y += wrapped(g, r->x + 1, y, room, width, line, p);
                text(g, r->x + width, y - 1, 1, g->ascii ? ">" : "…", p);
                if (i > 0)
                    textf(g, r->x + 1, y, width, pen_of(g, STYLE_DIM, 0), "(%zu older not shown)", i);
                break;
            }
            textf(g, r->x + 1, y, width, pen_of(g, STYLE_DIM, 0), "(%zu older not shown)", i + 1);
            break;
        }
        y += wrapped(g, r->x + 1, y, bottom - y, width, line, p);
    }
    if (n == 0)
        text(g, r->x + 1, r->y + 1, r->w - 1, "(none)", pen_of(g, STYLE_DIM, 0));
}

/* Rows of the caption band above the caption's text (it is centred). */
static int caption_top(const svgout_frame *f, const screen_rect *r)
{
    int lines = wrapped_lines(f->caption, r->w - 4);
    return lines < r->h ? (r->h - lines) / 2 : 0;
}

/* The caption: bold on its band, every line of it, centred in the band's height. */
static void caption(const svg *g, const svgout_frame *f, const screen_rect *r)
{
    if (r->h == 0)
        return;
    pen p = pen_of(g, STYLE_CAPTION, LOOKS_BOLD);
    rect(g, r->x, r->y, r->w, r->h, p.bg, " class=\"caption\"");
    p.has_bg = false;
    int top = caption_top(f, r);
    wrapped(g, r->x + 2, r->y + top, r->h - top, r->w - 4, f->caption, p);
}

static void status(const svg *g, const svgout_frame *f, const screen_rect *r)
{
    if (r->h == 0)
        return;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s", f->command ? f->command : "(start)");
    cmd[strcspn(cmd, "\n")] = '\0';
    int x = textf(g, 1, r->y, r->w - 1, plain(g, true), "|| step %zu/%zu  ", f->position, f->length);
    /* the command whole, as the live view says it; one wider than the
     * line is cut with a mark */
    pen p = f->failed ? pen_of(g, STYLE_ERROR, 0) : plain(g, false);
    int room = r->w - 1 - x, cols = 0;
    for (size_t i = 0; cmd[i]; cols++) /* (code points, as text counts them: a cut one ends at the '\0') */
        for (size_t n = utf8_len((unsigned char)cmd[i]); n > 0 && cmd[i]; n--)
            i++;
    if (cols > room && room > 1)
        text(g, 1 + x + text(g, 1 + x, r->y, room - 1, cmd, p), r->y, 1, "…", p);
    else
        text(g, 1 + x, r->y, room, cmd, p);
}

/* During playback an answer longer than the answer pane is drawn whole in
 * a box rising from the caption, its title the step that gave it (the
 * live view's draw_play_answer); false if it fits the pane. */
static bool play_box(const svgout_frame *f, const screen_layout *lay, int cols, int *top, int *rows)
{
    const char *a = f->answer ? f->answer : "";
    int lines = wrapped_lines(a, cols - 2);
    if (!f->playing || lines <= lay->answer.h)
        return false;
    /* the box ends above the caption's text: the band's empty rows above
     * it are the box's if it needs them */
    int bottom = lay->caption.h ? lay->caption.y + caption_top(f, &lay->caption) : lay->status.y;
    int top_limit = lay->map.y + 2, h = lines + 1; /* the ruler and a row of the map stay */
    if (bottom - h < top_limit)
        h = bottom - top_limit;
    *top = bottom - h, *rows = h;
    return h >= 2;
}

static bool play_answer(svg *g, const svgout_frame *f, const screen_layout *lay, int cols)
{
    const char *a = f->answer ? f->answer : "";
    int w = cols - 2, y, h;
    if (!play_box(f, lay, cols, &y, &h))
        return false;
    g->hide_from = g->hide_to = 0;
    pen p = f->answer_failed ? pen_of(g, STYLE_ERROR, 0) : plain(g, false);
    rect(g, 0, y, cols, h, g->page_bg, " class=\"answer\"");
    char title[160];
    snprintf(title, sizeof title, " answer of step %zu: %s", f->answer_step, f->answer_command ? f->answer_command : "");
    title[strcspn(title, "\n")] = '\0';
    pen rev = {g->page_bg, g->page_fg, true, true, false, false};
    rect(g, 0, y, cols, 1, rev.bg, NULL);
    text(g, 0, y, cols - 1, title, rev);
    const char *q = a;
    int row = y + 1 + wrapped(g, 1, y + 1, h - 1, w, q, p);
    for (int k = y + 1; k < row; k++)
        wrap_line(q, w, &q);
    int below = lay->prompt.y, end = lay->answer.y + lay->answer.h;
    if (*q && below + 1 < end)
        text(g, 1, below++, w, "(continued)", pen_of(g, STYLE_DIM, 0));
    int left = wrapped_lines(q, w);
    if (left > end - below) {
        wrapped(g, 1, below, end - below - 1, w, q, p);
        textf(g, 1, end - 1, w, pen_of(g, STYLE_DIM, 0), "(%d more lines)", left - (end - below - 1));
    } else {
        wrapped(g, 1, below, end - below, w, q, p);
    }
    return true;
}

static void answer(svg *g, const svgout_frame *f, const screen_layout *lay, int cols)
{
    if (f->playing && play_answer(g, f, lay, cols))
        return;
    const screen_rect *r = &lay->answer;
    const char *a = f->answer ? f->answer : "";
    pen p = f->answer_failed || f->failed ? pen_of(g, STYLE_ERROR, 0) : plain(g, false);
    wrapped(g, 1, r->y, r->h, r->w - 2, a, p); /* (as the live view's draw_answer: a long line is wrapped, not cut) */
}

/* ---- a comparison group: the members' maps stacked, as the live view's compare layout ---- */

static size_t free_order_of(const session *s, cells_grid *grid, cells_free_node *nodes, size_t max);

typedef struct member {
    session *view;
    cells_grid grid;
    bool *changed; /* what differs from the member's grid of the frame before, or NULL */
    size_t slack;
    cells_free_node nodes[256]; /* its free blocks in list order (badges) */
    size_t nfree;
} member;

typedef struct group {
    member m[4];
    size_t count;
    int cells_per_row, rows_each;
    bool rulers_each;
} group;

static void group_free(group *gr)
{
    for (size_t i = 0; i < 4; i++) {
        cells_free(&gr->m[i].grid);
        free(gr->m[i].changed);
        if (gr->m[i].view)
            session_view_free(gr->m[i].view);
    }
}

/* Builds every member's grid at the one zoom the coarsest needs; false
 * when the group is not shown (none, or the active allocator is not in it)
 * or out of memory. */
static bool group_build(const session *s, const screen_rect *r, group *gr, const svgout_group_memory *mem)
{
    memset(gr, 0, sizeof *gr);
    size_t n = session_group_count(s);
    if (n == 0 || n > 4)
        return false;
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= session_group_member(s, i) == session_active_index(s);
    if (!found)
        return false;
    gr->count = n;
    int lines = r->h - 1, usable = r->w - SCREEN_MAP_PREFIX - 1, cells = 8;
    while (cells * 2 <= usable)
        cells *= 2;
    gr->cells_per_row = usable >= 8 ? cells : (usable > 0 ? usable : 1);
    gr->rulers_each = lines / (int)n - 2 >= 2;
    gr->rows_each = gr->rulers_each ? lines / (int)n - 2 : (lines - 1) / (int)n - 1;
    if (gr->rows_each < 1)
        gr->rows_each = 1;
    size_t cap = (size_t)gr->cells_per_row * (size_t)gr->rows_each, zoom = session_zoom(s);
    for (size_t i = 0; i < n; i++) {
        cells_init(&gr->m[i].grid);
        if ((gr->m[i].view = session_view_new()) == NULL)
            return false;
        session_view_of(gr->m[i].view, s, session_group_member(s, i));
    }
    for (size_t i = 0; session_zoom(s) == 0 && i < n; i++) {
        size_t z = cells_fit_zoom(gr->m[i].view, cap);
        zoom = z > zoom ? z : zoom;
    }
    for (size_t i = 0; i < n; i++) {
        if (!cells_build(gr->m[i].view, zoom, cap, &gr->m[i].grid))
            return false;
        gr->m[i].nfree = free_order_of(gr->m[i].view, &gr->m[i].grid, gr->m[i].nodes, 256);
        gr->m[i].slack = gr->m[i].grid.usage.slack_bytes; /* (as the live view: the grid counts the slack spans) */
        /* the changes since the frame before, as the live view marks them in each member */
        if (mem && mem->count == n && mem->member[i] == session_group_member(s, i) && gr->m[i].grid.count &&
            (gr->m[i].changed = calloc(gr->m[i].grid.count, sizeof(bool))) != NULL)
            cells_diff(&mem->grid[i], &gr->m[i].grid, gr->m[i].changed);
    }
    return true;
}

/* Keeps this frame's member grids in mem for the next frame's changes. */
static void group_remember(group *gr, const session *s, svgout_group_memory *mem)
{
    if (mem == NULL)
        return;
    mem->count = gr->count;
    for (size_t i = 0; i < gr->count; i++) {
        cells_grid t = mem->grid[i];
        mem->grid[i] = gr->m[i].grid;
        gr->m[i].grid = t;
        mem->member[i] = session_group_member(s, i);
    }
}

void svgout_group_memory_init(svgout_group_memory *mem)
{
    memset(mem, 0, sizeof *mem);
    for (size_t i = 0; i < 4; i++)
        cells_init(&mem->grid[i]);
}

void svgout_group_memory_free(svgout_group_memory *mem)
{
    for (size_t i = 0; i < 4; i++)
        cells_free(&mem->grid[i]);
    mem->count = 0;
}

static void group_map(const svg *g, const svgout_frame *f, const screen_rect *r, const group *gr,
                      const cells_grid *grid)
{
    pen dim = pen_of(g, STYLE_DIM, 0);
    int y = r->y, bottom = r->y + r->h - 1;
    for (size_t i = 0; i < gr->count && y < bottom; i++) {
        const member *m = &gr->m[i];
        session_stats st;
        session_stats_from_usage(m->view, &m->grid.usage, &st);
        size_t used = screen_used_bytes(&st);
        session_member_figures fig;
        session_group_figures(f->s, i, &fig);
        size_t cols = (size_t)gr->cells_per_row, total = 0;
        for (size_t reg = 0; reg < m->grid.region_count; reg++)
            total += (m->grid.region_count > 1) + (m->grid.regions[reg].count + cols - 1) / cols;
        char slack[32] = "", more[32] = "", kind_note[48] = "";
        if (m->slack)
            snprintf(slack, sizeof slack, "  slack %zu", m->slack);
        if (total > (size_t)gr->rows_each)
            snprintf(more, sizeof more, "  (+%zu rows)", total - (size_t)gr->rows_each);
        const char *name = session_active_name(m->view), *kind = session_active_kind(m->view);
        if (strcmp(name, kind) != 0)
            snprintf(kind_note, sizeof kind_note, " (%s)", kind);
        bool active = session_group_member(f->s, i) == session_active_index(f->s), roomy = r->w >= 100;
        pen hp = active ? (pen){g->page_bg, g->page_fg, true, true, false, false} : plain(g, true);
        textf(g, r->x, y++, r->w, hp, " %s%s  used %zu  %s %zu%s  %s %zu  free %zu  %s %zu%s ", name, kind_note, used,
              roomy ? "padding" : "pad", st.padding_bytes, slack, roomy ? "metadata" : "meta", st.metadata_bytes,
              screen_free_bytes(&st), roomy ? "failures" : "fail", fig.failures, more);
        if ((gr->rulers_each || i == 0) && y < bottom) {
            for (int c = 0; c < gr->cells_per_row; c += 16)
                textf(g, r->x + SCREEN_MAP_PREFIX + c, y, 15, dim, "+%zu", (size_t)c * m->grid.zoom);
            y++;
        }
        int k = 0;
        for (size_t reg = 0; reg < m->grid.region_count; reg++) {
            const cells_region *rg = &m->grid.regions[reg];
            if (m->grid.region_count > 1 && k < gr->rows_each && y < bottom) {
                textf(g, r->x, y++, r->w, dim, "  ── region %zu: %zu bytes ──", reg, rg->bytes);
                k++;
            }
            for (size_t first = 0; first < rg->count && k < gr->rows_each && y < bottom; first += cols, k++, y++) {
                size_t cnt = rg->count - first < cols ? rg->count - first : cols;
                textf(g, r->x, y, SCREEN_MAP_PREFIX, dim, "%7zu ", first * m->grid.zoom);
                svg gm = *g; /* the member's own badges */
                gm.free_nodes = m->nodes, gm.free_count = m->nfree;
                cells_row(&gm, m->view, &m->grid, m->changed, 1, r->x + SCREEN_MAP_PREFIX, y, rg->first + first, cnt,
                          false);
            }
        }
        if (m->grid.region_count == 0 && y < bottom)
            text(g, r->x + 2, y++, r->w - 2, "(owns no memory yet)", dim);
    }
    /* the legend ends on the last row and takes up to two rows above it
     * that the maps left empty, as many as it needs (as the live view's
     * compare layout: a dry run measures it) */
    int end, from = y > bottom - 2 ? (y < bottom ? y : bottom) : bottom - 2;
    svg lg = *g; /* the badge's entry when a member's map has badges */
    for (size_t i = 0; i < gr->count; i++)
        if (gr->m[i].nfree > lg.free_count)
            lg.free_count = gr->m[i].nfree, lg.free_nodes = gr->m[i].nodes;
    strbuf scratch;
    sb_init(&scratch);
    svg dry = lg;
    dry.out = &scratch;
    int last = legend(&dry, from, r->x + 1, r->w - 1, bottom, &end, grid);
    sb_free(&scratch);
    legend(&lg, last < bottom ? bottom - (last - from) : from, r->x + 1, r->w - 1, bottom, &end, grid);
}

/* The side table of a group: a column per member, a row per figure, the
 * best of each row in bold. */
static void group_table(const svg *g, const svgout_frame *f, const screen_rect *r, const group *gr)
{
    if (r->h < 2 || r->w < 20)
        return;
    int col = (r->w - 11) / (int)gr->count;
    if (col > 10)
        col = 10;
    pen head = plain(g, true);
    head.underline = true;
    text(g, r->x + 1, r->y, 10, "compare", head);
    for (size_t i = 0; i < gr->count; i++)
        textf(g, r->x + 11 + (int)i * col, r->y, col, head, "%*.*s", col - 1, col - 1,
              session_active_name(gr->m[i].view));
    static const char *const names[] = {"used", "padding", "slack", "metadata", "free", "failures",
                                        "live", "peak", "hi-water", "util %", "ops", "ns/op"};
    enum { FIGURES = sizeof names / sizeof names[0] };
    static const int better[FIGURES] = {1, 1, 1, 1, -1, 1, 0, 0, 1, -1, 0, 1};
    size_t v[FIGURES][4];
    for (size_t i = 0; i < gr->count; i++) {
        session_stats st;
        session_stats_from_usage(gr->m[i].view, &gr->m[i].grid.usage, &st);
        size_t used = screen_used_bytes(&st);
        session_member_figures fig;
        session_group_figures(f->s, i, &fig);
        size_t high = fig.regions ? st.capacity : fig.high_water;
        size_t all[FIGURES] = {used, st.padding_bytes, gr->m[i].slack, st.metadata_bytes, screen_free_bytes(&st),
                               fig.failures, st.live_blocks, st.peak_bytes, high,
                               high ? st.peak_bytes * 100 / high : 0, fig.commands,
                               fig.commands ? (size_t)(fig.ns / fig.commands) : 0};
        for (int k = 0; k < FIGURES; k++)
            v[k][i] = all[k];
    }
    for (int k = 0; k < FIGURES && 1 + k < r->h; k++) {
        text(g, r->x + 1, r->y + 1 + k, 10, names[k], pen_of(g, STYLE_DIM, 0));
        size_t best = 0;
        for (size_t i = 1; i < gr->count; i++)
            if (better[k] > 0 ? v[k][i] < v[k][best] : v[k][i] > v[k][best])
                best = i;
        for (size_t i = 0; i < gr->count; i++) {
            bool mark = better[k] != 0 && gr->count > 1 && v[k][i] == v[k][best];
            textf(g, r->x + 11 + (int)i * col, r->y + 1 + k, col, plain(g, mark), "%*zu", col - 1, v[k][i]);
        }
    }
}

/* The map's free blocks in their lists' order (the badges), as the live
 * view finds them; a free block that merged freed bytes with never-used
 * ones becomes one freed region (cells_unify_free_blocks). Returns how
 * many of them nodes holds (at most max). */
static size_t free_order_of(const session *s, cells_grid *grid, cells_free_node *nodes, size_t max)
{
    size_t n = grid->count ? cells_free_order(s, grid, nodes, max) : 0, count = n > max ? max : n;
    cells_unify_free_blocks(grid, nodes, count);
    return count;
}

bool svgout_build_grid(const session *s, bool playing, size_t capacity, size_t *crop, cells_grid *grid,
                       cells_free_node *nodes, size_t max, size_t *free_count, size_t *cut_of)
{
    size_t was = *crop, bytes = 0;
    *crop = 0, *cut_of = 0, *free_count = 0;
    if (!cells_build(s, 0, capacity, grid))
        return false;
    /* the live view's crop_to_used: not with a zoom the scene chose, nor over several regions */
    if (playing && !session_zoom(s) && grid->region_count == 1)
        bytes = grid->regions[0].bytes;
    size_t cut = bytes ? screen_crop(cells_used(grid) * grid->zoom, bytes, was) : 0;
    if (cut) {
        if (!cells_build(s, 0, capacity * (bytes / cut), grid))
            return false;
        *crop = cells_cut(grid, cut);
        if (*crop)
            *cut_of = bytes;
    }
    *free_count = free_order_of(s, grid, nodes, max);
    return true;
}

#define SVGOUT_FREE_NODES 512

bool svgout_render(const svgout_frame *f, const svgout_options *o, strbuf *out, cells_grid *keep)
{
    int cols = o->cols ? o->cols : SVGOUT_DEFAULT_COLS, rows = o->rows ? o->rows : SVGOUT_DEFAULT_ROWS;
    svg g = {out, o->theme, o->ascii, looks_rgb((looks_colour)LOOKS_NONE, o->theme, true),
             looks_rgb((looks_colour)LOOKS_NONE, o->theme, false), 0, 0, NULL, 0};
    screen_layout lay;
    int cap_lines = !f->playing ? 0 : f->caption_lines > 0 ? f->caption_lines : svgout_caption_lines(f->caption, cols);
    screen_compute_captioned(rows, cols, cap_lines, &lay);
    group gr;
    memset(&gr, 0, sizeof gr);
    bool grouped = !lay.too_small && group_build(f->s, &lay.map, &gr, f->group_memory);
    cells_grid local, *grid = keep ? keep : &local;
    if (!keep)
        cells_init(&local);
    static cells_free_node nodes[SVGOUT_FREE_NODES];
    size_t nfree = 0, crop = f->crop ? *f->crop : 0, crop_of = 0;
    bool ok = lay.too_small || svgout_build_grid(f->s, f->playing, (size_t)lay.map_cols * (size_t)lay.map_rows, &crop,
                                                 grid, nodes, SVGOUT_FREE_NODES, &nfree, &crop_of);
    if (f->crop)
        *f->crop = crop;
    bool *changed = NULL;
    /* a step that changes nothing keeps the last change in sight */
    const cells_grid *from = f->before;
    if (ok && from && f->before_change && cells_grid_equal(from, grid))
        from = f->before_change;
    if (ok && from && grid->count && (changed = calloc(grid->count, sizeof *changed)) != NULL)
        cells_diff(from, grid, changed);
    sb_printf(out,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
              "xml:space=\"preserve\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, monospace\" "
              "font-size=\"15\" shape-rendering=\"crispEdges\">\n",
              cols * CW, rows * CH, cols * CW, rows * CH);
    sb_printf(out, "<title>allocscope: %s, step %zu%s</title>\n",
              session_has_active(f->s) ? session_active_name(f->s) : "no allocator", session_step(f->s),
              grouped ? ", a comparison group" : "");
    rect(&g, 0, 0, cols, rows, g.page_bg, " class=\"page\"");
    if (lay.too_small || !ok) {
        text(&g, 0, 0, cols, ok ? "terminal too small for the live view" : "out of memory", plain(&g, true));
    } else {
        if (grouped) { /* the header's figures are the active member's */
            for (size_t i = 0; i < gr.count; i++)
                if (session_group_member(f->s, i) == session_active_index(f->s))
                    grid->usage = gr.m[i].grid.usage, grid->zoom = gr.m[i].grid.zoom;
        }
        size_t region_cells[CELLS_MAX_REGIONS];
        for (size_t r = 0; r < grid->region_count; r++)
            region_cells[r] = grid->regions[r].count;
        screen_map_shape sh = screen_map_shape_strided(&lay, region_cells, grid->region_count, cells_slot_stride(grid));
        int box_y, box_h;
        if (play_box(f, &lay, cols, &box_y, &box_h)) /* what the long answer's box covers is not drawn */
            g.hide_from = box_y, g.hide_to = box_y + box_h;
        header(&g, f, &lay.header, grid);
        if (grouped) {
            group_map(&g, f, &lay.map, &gr, grid);
            group_table(&g, f, &lay.table, &gr);
        } else {
            g.free_nodes = nodes, g.free_count = nfree;
            map(&g, f, &lay, &sh, grid, changed, crop, crop_of);
            g.free_count = 0;
            table(&g, f, &lay.table, grid);
        }
        warnings(&g, f, &lay.warnings);
        if (f->playing) {
            caption(&g, f, &lay.caption);
            status(&g, f, &lay.status);
        }
        answer(&g, f, &lay, cols);
    }
    sb_add(out, "</svg>\n");
    if (grouped)
        group_remember(&gr, f->s, f->group_memory);
    else if (f->group_memory)
        f->group_memory->count = 0;
    group_free(&gr);
    free(changed);
    if (!keep)
        cells_free(&local);
    return ok && !out->truncated;
}

/* ---- files ---- */

bool svgout_write_file(const char *path, const char *data, size_t len, bool force, strbuf *err)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            sb_printf(err, "'%s' is a directory: give a file name", path);
            return false;
        }
        if (!force) {
            sb_printf(err, "'%s' exists: not replaced (add --force to replace it)", path);
            return false;
        }
    }
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (tmp == NULL) {
        sb_add(err, "out of memory");
        return false;
    }
    snprintf(tmp, n, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        sb_printf(err, "cannot write '%s': %s", path, strerror(errno));
        free(tmp);
        return false;
    }
    bool ok = true;
    for (size_t done = 0; ok && done < len;) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        done += ok ? (size_t)w : 0;
    }
    int saved = errno;
    ok = ok && fchmod(fd, 0644) == 0;
    ok = close(fd) == 0 && ok;
    /* no existing file is replaced without force, even one that appeared meanwhile */
    if (ok && !force) {
        ok = link(tmp, path) == 0;
        saved = errno;
        /* a file system without hard links: look, then rename */
        if (!ok && (saved == EPERM || saved == ENOTSUP || saved == ENOSYS) && stat(path, &st) != 0) {
            ok = rename(tmp, path) == 0;
            saved = errno;
        }
        unlink(tmp);
    } else if (ok) {
        ok = rename(tmp, path) == 0;
        saved = errno;
    }
    if (!ok) {
        unlink(tmp);
        sb_printf(err, "cannot write '%s': %s", path, saved == EEXIST ? "it exists now (not replaced)" : strerror(saved));
    }
    free(tmp);
    return ok;
}

/* DIR/step-NNNN.svg, with one slash whether DIR ends with one or not
 * (messages name the file as the user would write it). */
static void step_file(const char *dir, size_t step, char *buf, size_t cap)
{
    size_t n = strlen(dir);
    bool slash = n > 0 && dir[n - 1] == '/';
    snprintf(buf, cap, "%s%sstep-%04zu.svg", dir, slash ? "" : "/", step);
}

static bool is_mark(const player *p)
{
    size_t pos = player_position(p);
    return pos > 0 && player_step_at(p, pos - 1)->kind != PLAYER_COMMAND;
}

/* Whether step i (0-based) leaves an answer the live view keeps showing:
 * a command's, but not a note's, a pause's or a passing expect's. */
static bool answers(const player *p, size_t i)
{
    const player_step *st = player_step_at(p, i);
    if (st->kind != PLAYER_COMMAND)
        return false;
    const char *text = st->text + strspn(st->text, " \t");
    return player_failed(p) || strncmp(text, "expect", 6) != 0 ||
           (text[6] != ' ' && text[6] != '\t' && text[6] != '\0');
}

int svgout_scene_caption_lines(const player *p, int cols)
{
    int most = 1;
    for (size_t i = 0; i < player_length(p); i++) {
        const player_step *st = player_step_at(p, i);
        if (st->kind != PLAYER_NOTE && st->kind != PLAYER_ASK)
            continue;
        char text[PARSE_MAX_LINE + 64];
        snprintf(text, sizeof text, "%s%s", st->kind == PLAYER_ASK ? "Predict: " : "", player_step_caption(st));
        int n = svgout_caption_lines(text, cols);
        most = n > most ? n : most;
    }
    return most;
}


/* Removes the files of steps [0, upto) that this run wrote. */
static void remove_written(const char *dir, const bool *wrote, size_t upto)
{
    char name[4096];
    for (size_t i = 0; i < upto; i++)
        if (wrote[i]) {
            step_file(dir, i, name, sizeof name);
            unlink(name);
        }
}

bool svgout_write_scene(const char *scene, const char *dir, const svgout_options *o, bool at_marks, bool force,
                        size_t *files, strbuf *err)
{
    *files = 0;
    struct stat st;
    bool made = false;
    if (stat(dir, &st) != 0) {
        if (mkdir(dir, 0755) != 0) {
            sb_printf(err, "cannot make the directory '%s': %s", dir, strerror(errno));
            return false;
        }
        made = true;
    } else if (!S_ISDIR(st.st_mode)) {
        sb_printf(err, "'%s' is not a directory (--export-svg takes one)", dir);
        return false;
    }
    player *p = player_open(scene, err);
    if (p == NULL) {
        if (made)
            rmdir(dir);
        return false;
    }
    size_t n = player_length(p);
    char name[4096];
    bool ok = strlen(dir) + 32 < sizeof name;
    if (!ok)
        sb_add(err, "directory name too long");
    for (size_t i = 0; ok && !force && i <= n; i++) {
        step_file(dir, i, name, sizeof name);
        if (stat(name, &st) == 0) {
            sb_printf(err, "'%s' exists: nothing written (add --force to replace the files)", name);
            ok = false;
        }
    }
    bool *wrote = calloc(n + 1, sizeof *wrote);
    /* this frame's grid, the last frame's and the one before the last
     * change (a step that changes nothing keeps that change marked) */
    cells_grid grids[3];
    for (int k = 0; k < 3; k++)
        cells_init(&grids[k]);
    int prev = -1, base = -1;
    char shown[64] = "";
    svgout_group_memory members; /* a comparison group's grids of the frame before */
    svgout_group_memory_init(&members);
    strbuf doc, kept; /* kept: the answer the live view keeps showing */
    sb_init(&doc);
    sb_init(&kept);
    size_t kept_step = 0, crop = 0;
    bool kept_failed = false;
    int caption_lines = svgout_scene_caption_lines(p, o->cols ? o->cols : SVGOUT_DEFAULT_COLS);
    ok = ok && wrote != NULL;
    for (size_t i = 0, warnings = 0; ok && i <= n; i++) {
        if (i > 0)
            player_next(p);
        session *s = player_session(p);
        const player_step *last = i ? player_step_at(p, i - 1) : NULL;
        if (i == 0) {
            sb_clear(&kept);
            kept_step = 0, kept_failed = false;
        } else if (answers(p, i - 1)) {
            sb_clear(&kept);
            sb_add(&kept, player_answer(p));
            kept_step = i, kept_failed = player_failed(p);
        }
        /* after a question the caption asks the class to predict (the live view's) */
        char cap[PARSE_MAX_LINE + 64];
        snprintf(cap, sizeof cap, "%s%s", last && last->kind == PLAYER_ASK ? "Predict: " : "", player_caption(p));
        svgout_frame f = {s, true, cap, i, n, last ? last->text : NULL, player_failed(p), sb_str(&kept),
                          NULL, warnings, NULL, caption_lines, kept_step,
                          kept_step ? player_step_at(p, kept_step - 1)->text : NULL, kept_failed, &members, &crop};
        bool wanted = !at_marks || is_mark(p);
        strbuf sink;
        sb_init_discard(&sink);
        sb_clear(&doc);
        int cur = 0;
        while (cur == prev || cur == base)
            cur++;
        const char *active = session_has_active(s) ? session_active_name(s) : "";
        bool same = strcmp(active, shown) == 0;
        snprintf(shown, sizeof shown, "%s", active);
        if (!same)
            crop = 0; /* another allocator: its own cut */
        f.before = same && prev >= 0 ? &grids[prev] : NULL;
        f.before_change = same && base >= 0 ? &grids[base] : NULL;
        f.group_memory = &members;
        ok = svgout_render(&f, o, wanted ? &doc : &sink, &grids[cur]) || !wanted;
        if (!same)
            base = -1;
        else if (prev >= 0 && !cells_grid_equal(&grids[cur], &grids[prev]))
            base = prev;
        prev = cur;
        warnings = session_warning_count(s);
        if (!ok) {
            sb_add(err, "out of memory");
            break;
        }
        if (!wanted)
            continue;
        step_file(dir, i, name, sizeof name);
        ok = svgout_write_file(name, doc.data, doc.len, force, err);
        wrote[i] = ok;
        *files += ok;
    }
    if (!ok && wrote) {
        remove_written(dir, wrote, n + 1);
        *files = 0;
        if (made)
            rmdir(dir);
    }
    free(wrote);
    sb_free(&doc);
    sb_free(&kept);
    for (int k = 0; k < 3; k++)
        cells_free(&grids[k]);
    svgout_group_memory_free(&members);
    player_close(p);
    return ok;
}

bool svgout_parse_size(const char *t, int *cols, int *rows, strbuf *err)
{
    int c, r;
    char tail;
    if (sscanf(t, "%dx%d%c", &c, &r, &tail) != 2 || c < SCREEN_MIN_COLS || r < SCREEN_MIN_ROWS ||
        c > SVGOUT_MAX_COLS || r > SVGOUT_MAX_ROWS) {
        sb_printf(err, "size '%s': give COLSxROWS, from %dx%d to %dx%d (e.g. 120x40)", t, SCREEN_MIN_COLS,
                  SCREEN_MIN_ROWS, SVGOUT_MAX_COLS, SVGOUT_MAX_ROWS);
        return false;
    }
    *cols = c, *rows = r;
    return true;
}

session_status svgout_cmd_export(session *s, const parse_words *w, strbuf *out)
{
    static const char usage[] = "error: usage: export svg FILE [force] [light|dark] [COLSxROWS]\n";
    if (w->count < 3 || !parse_is(w->word[1], "svg")) {
        sb_add(out, usage);
        return SESSION_ERROR;
    }
    svgout_options o = {0, 0, LOOKS_THEME_LIGHT, false};
    bool force = false;
    strbuf err, doc;
    sb_init(&err);
    for (size_t i = 3; i < w->count; i++) {
        const char *a = w->word[i];
        if (parse_is(a, "force") || parse_is(a, "--force"))
            force = true;
        else if (parse_is(a, "light") || parse_is(a, "dark"))
            o.theme = parse_is(a, "dark") ? LOOKS_THEME_DARK : LOOKS_THEME_LIGHT;
        else if (parse_is(a, "ascii"))
            o.ascii = true;
        else if (!svgout_parse_size(a, &o.cols, &o.rows, &err)) {
            sb_printf(out, "error: %s\n", sb_str(&err));
            sb_free(&err);
            return SESSION_ERROR;
        }
    }
    const char *note = session_caption(s);
    svgout_frame f = {s, *note != '\0', note, session_step(s), session_step(s), NULL, false, NULL, NULL,
                      session_warning_count(s), NULL, 0, 0, NULL, false, NULL, NULL};
    sb_init(&doc);
    bool ok = svgout_render(&f, &o, &doc, NULL);
    if (!ok)
        sb_add(&err, "out of memory");
    ok = ok && svgout_write_file(w->word[2], doc.data, doc.len, force, &err);
    if (ok)
        sb_printf(out, "wrote %s (%zu bytes, the map at step %zu)\n", w->word[2], doc.len, session_step(s));
    else
        sb_printf(out, "error: %s\n", sb_str(&err));
    sb_free(&doc);
    sb_free(&err);
    return ok ? SESSION_OK : SESSION_ERROR;
}
