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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
} svg;

static pen pen_of(const svg *g, looks_style s, unsigned extra)
{
    const looks_style_spec *st = looks_style_of(s);
    unsigned a = st->colour_attrs | extra;
    pen p = {looks_rgb(st->fg, g->theme, true), looks_rgb(st->bg, g->theme, false), st->bg.c8 != LOOKS_DEFAULT,
             (a & LOOKS_BOLD) != 0, (a & LOOKS_DIM) != 0, (a & LOOKS_UNDERLINE) != 0};
    if (a & LOOKS_REVERSE) {
        uint32_t fg = p.fg;
        p.fg = p.bg, p.bg = fg, p.has_bg = true;
    }
    /* a background the page already has (white in the light theme) would
     * vanish: such a style is drawn in the page's inverse */
    if (p.has_bg && p.bg == g->page_bg)
        p.bg = g->page_fg, p.fg = g->page_bg;
    return p;
}

static pen plain(const svg *g, bool bold) { return (pen){g->page_fg, g->page_bg, false, bold, false, false}; }

static void rect(const svg *g, int col, int row, int cols, int rows, uint32_t rgb, const char *extra)
{
    if (cols <= 0 || rows <= 0)
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
    if (used == 0)
        return 0;
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

/* Word-wraps text into h rows of w columns, as the live view does. */
static void wrapped(const svg *g, int col, int row, int h, int w, const char *s, pen p)
{
    for (int r = 0; r < h && *s; r++) {
        size_t n = strlen(s);
        if (columns(s) > w) {
            size_t cut = 0;
            for (int c = 0; c < w && s[cut]; c++)
                cut += utf8_len((unsigned char)s[cut]);
            n = cut;
            while (n > 0 && s[n] != ' ')
                n--;
            if (n == 0)
                n = cut;
        }
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)n, s);
        text(g, col, row + r, w, line, p);
        s += n;
        while (*s == ' ')
            s++;
    }
}

/* ---- panes ---- */

static void header(const svg *g, const svgout_frame *f, const screen_rect *r, const cells_grid *grid)
{
    const session *s = f->s;
    pen hp = pen_of(g, STYLE_HEADER, 0);
    rect(g, r->x, r->y, r->w, 1, hp.bg, NULL);
    if (!session_has_active(s)) {
        text(g, 1, r->y, r->w - 1, "allocscope: no allocator yet (try: new bump 4096)", hp);
        return;
    }
    session_stats st;
    session_stats_from_usage(s, &grid->usage, &st);
    size_t used = st.capacity - st.unused_bytes - (st.has_offset ? 0 : st.freed_bytes);
    char off[48] = "";
    if (st.has_offset)
        snprintf(off, sizeof off, "  offset %zu", st.offset);
    hp.bold = true;
    textf(g, 1, r->y, r->w - 1, hp,
          "%s (%s)  capacity %zu  used %zu  free %zu%s  padding %zu  live %zu (%zu B)  peak %zu  zoom %zu B/cell",
          session_active_name(s), session_active_kind(s), st.capacity, used, st.capacity - used, off,
          st.padding_bytes, st.live_blocks, st.live_bytes, st.peak_bytes, grid->zoom);
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

/* Cell i: its rectangle (colour or none), its glyph and the glyph's pen,
 * as the live view's cell_look decides with colours on. */
typedef struct face {
    bool filled;
    uint32_t fill;
    const char *glyph; /* NULL: the fill alone */
    pen ink;
} face;

static face face_of(const svg *g, const cells_grid *grid, size_t i, bool with_label, bool ch)
{
    const cell *c = &grid->cells[i];
    char label = with_label ? c->label : 0;
    unsigned extra = looks_mark_attrs(c->marks) | (label ? LOOKS_BOLD : 0);
    if (ch)
        extra |= LOOKS_BOLD | LOOKS_UNDERLINE;
    looks_style style = looks_cell_style(c);
    pen p = pen_of(g, style, extra);
    face f = {p.has_bg, p.bg, looks_glyph(looks_of_cell(c), g->ascii), p};
    if (c->role == CELL_LIVE) {
        /* the solid fill in the block's colour (shaded where it changed) */
        looks_style ls = looks_live_style(c->block);
        f.filled = true;
        f.fill = looks_rgb(looks_area(ls), g->theme, false);
        f.ink.fg = looks_rgb(looks_style_of(ls)->fg, g->theme, true);
        f.glyph = NULL; /* a changed cell is underlined */
    } else if (c->role == CELL_PADDING && c->beneath != CELL_PADDING && c->beneath != CELL_UNUSED) {
        cell under = {.role = c->beneath, .block = c->block};
        f.filled = true;
        f.fill = looks_rgb(looks_area(looks_cell_style(&under)), g->theme, false);
        f.ink.fg = looks_rgb(looks_area(STYLE_PADDING), g->theme, true);
    } else if ((c->marks & CELL_MARK_BOUNDARY) && (c->role == CELL_UNUSED || c->role == CELL_FREED)) {
        f.glyph = looks_glyph(LOOK_SLOT_START, g->ascii);
    }
    if (label) {
        static char letters[256][2];
        unsigned char u = (unsigned char)label;
        letters[u][0] = (char)label;
        f.glyph = letters[u];
    }
    return f;
}

svgout_face svgout_cell_face(const cells_grid *grid, size_t i, looks_theme theme, bool ascii, bool with_label,
                             bool changed)
{
    svg g = {NULL, theme, ascii, looks_rgb((looks_colour)LOOKS_NONE, theme, true),
             looks_rgb((looks_colour)LOOKS_NONE, theme, false)};
    face f = face_of(&g, grid, i, with_label, changed);
    return (svgout_face){f.filled, f.ink.bold, f.ink.underline, f.ink.dim, f.fill, f.ink.fg, f.glyph};
}

/* One row of cells, width columns each; names across a block's run when
 * cells are wider than a column. */
static void cells_row(const svg *g, const svgout_frame *fr, const cells_grid *grid, const bool *changed,
                      const screen_map_shape *sh, int col, int row, size_t first, size_t count)
{
    int width = sh->cell_width;
    for (size_t i = 0; i < count; i++) {
        face f = face_of(g, grid, first + i, width == 1, changed && changed[first + i]);
        int x = col + (int)i * width;
        if (f.filled)
            sb_printf(g->out, "<rect class=\"c\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%06x\"/>\n",
                      x * CW, row * CH, width * CW, CH, (unsigned)f.fill);
        if (f.ink.underline && !f.glyph)
            sb_printf(g->out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"2\" fill=\"#%06x\"/>\n", x * CW,
                      row * CH + CH - 3, width * CW, (unsigned)f.ink.fg);
        if (f.glyph && strcmp(f.glyph, " ") != 0) {
            f.ink.has_bg = false;
            for (int k = 0; k < width; k++)
                text(g, x + k, row, 1, f.glyph, f.ink);
        }
    }
    if (width == 1)
        return;
    const cell *cells = grid->cells + first;
    for (size_t i = 0; i < count; i++) {
        if (!cells[i].label || cells[i].block < 0 || (i > 0 && cells[i - 1].block == cells[i].block))
            continue;
        size_t run = 1;
        while (i + run < count && cells[i + run].block == cells[i].block && cells[i + run].role == CELL_LIVE)
            run++;
        session_block b = session_block_at(fr->s, (size_t)cells[i].block);
        size_t len = strlen(b.name), room = run * (size_t)width, n = len <= room ? len : 1;
        face f = face_of(g, grid, first + i, true, changed && changed[first + i]);
        f.ink.has_bg = false;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), b.name);
        /* the glyphs under the name give way to it */
        sb_printf(g->out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%06x\"/>\n",
                  (col + (int)i * width) * CW, row * CH, (int)n * CW, CH, (unsigned)f.fill);
        text(g, col + (int)i * width, row, (int)n, name, f.ink);
    }
}

static void legend(const svg *g, int row, int col, int w, const cells_grid *grid)
{
    int used = 0;
    pen dim = pen_of(g, STYLE_DIM, 0);
    for (int id = 0; id < LOOK_COUNT && used + 10 < w; id++) {
        const looks_cell_spec *l = looks_cell_of((looks_id)id);
        const looks_cell_spec *prev = id > 0 ? looks_cell_of((looks_id)(id - 1)) : NULL;
        if (l->word == NULL || (prev && prev->word && strcmp(prev->word, l->word) == 0))
            continue;
        pen p = pen_of(g, l->style, 0);
        uint32_t live0 = looks_rgb(looks_area(STYLE_LIVE0), g->theme, false);
        if (l->role == CELL_LIVE) /* a cell of block 0, as the live view's swatch */
            sb_printf(g->out, "<rect class=\"c\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%06x\"/>\n",
                      (col + used) * CW, row * CH, CW, CH, (unsigned)live0);
        else
            text(g, col + used, row, 1, looks_glyph((looks_id)id, g->ascii), p);
        used++;
        used += textf(g, col + used, row, w - used, dim, " %s  ", l->word);
    }
    size_t n;
    const looks_mark_spec *marks = looks_marks(&n);
    for (size_t i = 0; i < n && used + 10 < w; i++) {
        if (marks[i].style < 0 || marks[i].legend == NULL)
            continue;
        used += text(g, col + used, row, 1, " ", pen_of(g, (looks_style)marks[i].style, 0));
        used += textf(g, col + used, row, w - used, dim, " %s  ", marks[i].legend);
    }
    if (used + 24 < w)
        used += text(g, col + used, row, w - used, "underlined or shaded: changed", dim);
    if (grid->zoom >= CELLS_BENEATH_ZOOM) {
        static const char among[] = " on a colour: a cell mostly of that, with some padding in it";
        if (used + 3 + (int)sizeof among >= w)
            row++, used = 0;
        else
            used += 2;
        pen over = {looks_rgb(looks_area(STYLE_PADDING), g->theme, true),
                    looks_rgb(looks_area(STYLE_LIVE0), g->theme, false), true, false, false, false};
        used += text(g, col + used, row, 1, looks_glyph(LOOK_PADDING, g->ascii), over);
        text(g, col + used, row, w - used, among, dim);
    }
}

static void map(const svg *g, const svgout_frame *f, const screen_layout *lay, const screen_map_shape *sh,
                const cells_grid *grid, const bool *changed)
{
    const screen_rect *r = &lay->map;
    pen dim = pen_of(g, STYLE_DIM, 0);
    if (grid->region_count == 0) {
        text(g, 2, r->y + 1, r->w - 2,
             session_has_active(f->s) ? "(this allocator owns no memory yet: it grows on the first allocation)"
                                      : "(type  new bump 4096  or just  alloc 16)",
             dim);
        return;
    }
    int width = sh->cell_width, step = 1;
    while (step * width < 12)
        step *= 2;
    for (int c = 0; c < sh->cells_per_row; c += step)
        textf(g, r->x + SCREEN_MAP_PREFIX + c * width, r->y, step * width - 1, dim, "+%zu", (size_t)c * grid->zoom);
    int rows = lay->map_rows, k = 0;
    size_t line = 0, cols = (size_t)sh->cells_per_row, total = 0;
    for (size_t reg = 0; reg < grid->region_count; reg++)
        total += (grid->region_count > 1) + (grid->regions[reg].count + cols - 1) / cols;
    for (size_t reg = 0; reg < grid->region_count && k < rows; reg++) {
        const cells_region *rg = &grid->regions[reg];
        if (grid->region_count > 1 && k < rows) {
            textf(g, r->x, r->y + 1 + k++, r->w, dim, "  ── region %zu: %zu bytes ──", reg, rg->bytes);
            line++;
        }
        for (size_t first = 0; first < rg->count && k < rows; first += cols, line++) {
            size_t n = rg->count - first < cols ? rg->count - first : cols;
            int y = r->y + 1 + k++;
            textf(g, r->x, y, SCREEN_MAP_PREFIX, dim, "%7zu ", first * grid->zoom);
            cells_row(g, f, grid, changed, sh, r->x + SCREEN_MAP_PREFIX, y, rg->first + first, n);
        }
    }
    if (total > (size_t)rows)
        textf(g, r->x + r->w - 22, r->y, 22, dim, "rows %d-%d of %zu PgUp/Dn", 1, rows, total);
    int ly = r->y + 1 + k + (k < rows ? 1 : 0) < r->y + r->h ? r->y + 1 + k + (k < rows ? 1 : 0) : r->y + r->h - 1;
    legend(g, ly, r->x + 1, r->w - 1, grid);
}

static void table(const svg *g, const svgout_frame *f, const screen_rect *r)
{
    if (r->h < 2 || r->w < 20)
        return;
    pen head = plain(g, true);
    head.underline = true;
    textf(g, r->x + 1, r->y, r->w - 1, head, "%-10s %7s %6s %5s %4s %-5s", "block", "offset", "size", "align",
          "pad", "state");
    size_t n = session_block_count(f->s), rows = (size_t)r->h - 1, first = n > rows ? n - rows : 0;
    for (size_t i = first; i < n; i++) {
        session_block b = session_block_at(f->s, i);
        int y = r->y + 1 + (int)(i - first);
        looks_style st = b.live ? looks_live_style((long)i) : STYLE_FREED;
        textf(g, r->x + 1, y, 10, pen_of(g, st, LOOKS_BOLD), "%-10.10s", b.name);
        textf(g, r->x + 12, y, r->w - 12, b.live ? plain(g, false) : pen_of(g, STYLE_DIM, 0),
              "%7zu %6zu %5zu %4zu %-5s", b.offset, b.size, b.align, b.padding, b.live ? "live" : "freed");
    }
    if (n == 0)
        text(g, r->x + 1, r->y + 1, r->w - 1, "(no blocks yet)", pen_of(g, STYLE_DIM, 0));
}

static void warnings(const svg *g, const svgout_frame *f, const screen_rect *r)
{
    if (r->h < 2 || r->w < 20)
        return;
    size_t n = session_warning_count(f->s);
    pen head = plain(g, true);
    head.underline = true;
    textf(g, r->x + 1, r->y, r->w - 1, head, "warnings (%zu)", n);
    int y = r->y + r->h - 1;
    for (size_t i = n; i-- > 0 && y > r->y;) {
        session_warning w = session_warning_at(f->s, i);
        pen p = pen_of(g, i >= f->warnings_before ? STYLE_ERROR : STYLE_WARNING, 0);
        char line[512];
        snprintf(line, sizeof line, "%zu %s: %s", w.step, w.kind, w.message);
        int width = r->w - 2, lines = (columns(line) + width - 1) / width;
        if (lines > 3)
            lines = 3;
        if (lines > y - r->y)
            lines = y - r->y;
        wrapped(g, r->x + 1, y - lines + 1, lines, width, line, p);
        y -= lines;
    }
    if (n == 0)
        text(g, r->x + 1, r->y + 1, r->w - 1, "(none)", pen_of(g, STYLE_DIM, 0));
}

static void caption(const svg *g, const svgout_frame *f, const screen_rect *r)
{
    if (r->h == 0)
        return;
    pen p = pen_of(g, STYLE_CAPTION, LOOKS_BOLD);
    rect(g, r->x, r->y, r->w, r->h, p.bg, " class=\"caption\"");
    p.has_bg = false;
    wrapped(g, r->x + 2, r->y + (r->h > 2 ? 1 : 0), r->h > 2 ? r->h - 1 : r->h, r->w - 4, f->caption, p);
}

static void status(const svg *g, const svgout_frame *f, const screen_rect *r)
{
    if (r->h == 0)
        return;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s", f->command ? f->command : "(start)");
    cmd[strcspn(cmd, "\n")] = '\0';
    int x = textf(g, 1, r->y, r->w - 1, plain(g, true), "|| step %zu/%zu  ", f->position, f->length);
    text(g, 1 + x, r->y, r->w / 2, cmd, f->failed ? pen_of(g, STYLE_ERROR, 0) : plain(g, false));
}

static void answer(const svg *g, const svgout_frame *f, const screen_rect *r)
{
    const char *a = f->answer ? f->answer : "";
    pen p = f->failed ? pen_of(g, STYLE_ERROR, 0) : plain(g, false);
    for (int k = 0; k < r->h && *a; k++) {
        text(g, 1, r->y + k, r->w - 2, a, p);
        a += strcspn(a, "\n");
        if (*a == '\n')
            a++;
    }
}

bool svgout_render(const svgout_frame *f, const svgout_options *o, strbuf *out, cells_grid *keep)
{
    int cols = o->cols ? o->cols : SVGOUT_DEFAULT_COLS, rows = o->rows ? o->rows : SVGOUT_DEFAULT_ROWS;
    svg g = {out, o->theme, o->ascii, looks_rgb((looks_colour)LOOKS_NONE, o->theme, true),
             looks_rgb((looks_colour)LOOKS_NONE, o->theme, false)};
    screen_layout lay;
    screen_compute(rows, cols, f->playing, &lay);
    cells_grid local, *grid = keep ? keep : &local;
    if (!keep)
        cells_init(&local);
    bool ok = lay.too_small || cells_build(f->s, 0, (size_t)lay.map_cols * (size_t)lay.map_rows, grid);
    bool *changed = NULL;
    if (ok && f->before && grid->count && (changed = calloc(grid->count, sizeof *changed)) != NULL)
        cells_diff(f->before, grid, changed);
    sb_printf(out,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
              "xml:space=\"preserve\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, monospace\" "
              "font-size=\"15\" shape-rendering=\"crispEdges\">\n",
              cols * CW, rows * CH, cols * CW, rows * CH);
    sb_printf(out, "<title>allocscope: %s, step %zu</title>\n",
              session_has_active(f->s) ? session_active_name(f->s) : "no allocator", session_step(f->s));
    rect(&g, 0, 0, cols, rows, g.page_bg, " class=\"page\"");
    if (lay.too_small || !ok) {
        text(&g, 0, 0, cols, ok ? "terminal too small for the live view" : "out of memory", plain(&g, true));
    } else {
        size_t region_cells[CELLS_MAX_REGIONS];
        for (size_t r = 0; r < grid->region_count; r++)
            region_cells[r] = grid->regions[r].count;
        screen_map_shape sh = screen_map_shape_of(&lay, region_cells, grid->region_count);
        header(&g, f, &lay.header, grid);
        map(&g, f, &lay, &sh, grid, changed);
        table(&g, f, &lay.table);
        warnings(&g, f, &lay.warnings);
        if (f->playing) {
            caption(&g, f, &lay.caption);
            status(&g, f, &lay.status);
        }
        answer(&g, f, &lay.answer);
    }
    sb_add(out, "</svg>\n");
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

static void step_file(const char *dir, size_t step, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/step-%04zu.svg", dir, step);
}

static bool is_mark(const player *p)
{
    size_t pos = player_position(p);
    return pos > 0 && player_step_at(p, pos - 1)->kind != PLAYER_COMMAND;
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
    cells_grid grids[2];
    cells_init(&grids[0]);
    cells_init(&grids[1]);
    strbuf doc;
    sb_init(&doc);
    ok = ok && wrote != NULL;
    for (size_t i = 0, warnings = 0; ok && i <= n; i++) {
        if (i > 0)
            player_next(p);
        session *s = player_session(p);
        const player_step *last = i ? player_step_at(p, i - 1) : NULL;
        svgout_frame f = {s, true, player_caption(p), i, n, last ? last->text : NULL, player_failed(p),
                          player_answer(p), i ? &grids[(i + 1) % 2] : NULL, warnings};
        bool wanted = !at_marks || is_mark(p);
        strbuf sink;
        sb_init_discard(&sink);
        sb_clear(&doc);
        ok = svgout_render(&f, o, wanted ? &doc : &sink, &grids[i % 2]) || !wanted;
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
    cells_free(&grids[0]);
    cells_free(&grids[1]);
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
                      session_warning_count(s)};
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
