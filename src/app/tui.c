/*
 * tui.c - the live view (see tui.h): the one file that owns curses.
 *
 * One loop reads keys with wgetch. In prompt mode keys go to readline
 * (repl.c) and each finished line goes to session_execute, the same path
 * batch mode and scenes use. In playback mode keys drive the player.
 * Drawing reads the model only: the cell grid (cells.c), the session's
 * accessors and the layout and styles decided in screen.c. A frame is drawn
 * into stdscr and sent with one doupdate; curses sends only what changed.
 * KEY_RESIZE re-lays the panes; the terminal is restored on every way out.
 */
#include "allocscope/tui.h"

#include "allocscope/evidence.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <wchar.h>

#include "allocscope/cells.h"
#include "allocscope/player.h"
#include "allocscope/repl.h"
#include "allocscope/screen.h"
#include "allocscope/session.h"
#include "allocscope/textmap.h"

#define KEY_CTRL(c) ((c) & 0x1f)
#define FLASH_MS 1500
#define MIN_DELAY_MS 50
#define MAX_DELAY_MS 10000

#define TYPEAHEAD_MAX 1024

typedef struct tui {
    session *own;            /* the prompt's session when no scene is loaded */
    player *pl;              /* the scene, if any */
    bool playing;            /* keys drive the player */
    bool running;            /* the player advances by itself */
    long delay_ms;
    long long next_step_at;
    bool ascii, colour;
    bool quit;
    bool help;
    bool overlay;            /* a long answer shown over the map */
    size_t overlay_first;    /* its first line shown */
    bool idle_work;          /* the player has work for idle time */
    bool go_to;              /* typing a step number after g */
    char go_buf[16];
    strbuf answer;
    bool answer_error;
    size_t seen_warnings;    /* warnings before the last step: newer ones stand out */
    long long flash_until;
    cells_grid grid, prev;
    bool *changed;
    size_t changed_cap;
    size_t scroll;           /* first map line shown */
    screen_layout lay;
    screen_map_shape shape;  /* how the grid's cells sit in the map's columns */
    /* keys typed while a long command ran, handled once it is over */
    int typeahead[TYPEAHEAD_MAX];
    size_t typeahead_len, typeahead_pos;
    long long progress_drawn;
} tui;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static session *model(const tui *t) { return t->pl ? player_session(t->pl) : t->own; }

/* ---- styles ---- */

/* Colour pairs beyond the styles' own (pair s + 1 for style s). */
enum {
    PAIR_LIVE_FILL = STYLE_COUNT + 1,
    PAIR_PADDING_OVER_LIVE = PAIR_LIVE_FILL + SCREEN_LIVE_COLOURS,
    PAIR_PADDING_OVER_FREED = PAIR_PADDING_OVER_LIVE + SCREEN_LIVE_COLOURS,
    PAIR_PADDING_OVER_META,
};

typedef struct style_spec {
    short fg, bg;
    attr_t colour_attr, mono_attr;
} style_spec;

static const style_spec styles[STYLE_COUNT] = {
    [STYLE_TEXT] = {-1, -1, A_NORMAL, A_NORMAL},
    [STYLE_DIM] = {-1, -1, A_DIM, A_DIM},
    [STYLE_HEADER] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE},
    [STYLE_UNUSED] = {-1, -1, A_DIM, A_DIM},
    [STYLE_FREED] = {COLOR_RED, -1, A_NORMAL, A_DIM},
    [STYLE_META] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_BOLD},
    [STYLE_PADDING] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_BOLD},
    [STYLE_LIVE0] = {COLOR_GREEN, -1, A_NORMAL, A_NORMAL},
    [STYLE_LIVE1] = {COLOR_BLUE, -1, A_BOLD, A_NORMAL},
    [STYLE_LIVE2] = {COLOR_MAGENTA, -1, A_NORMAL, A_NORMAL},
    [STYLE_LIVE3] = {COLOR_CYAN, -1, A_NORMAL, A_NORMAL},
    [STYLE_LIVE4] = {COLOR_WHITE, -1, A_BOLD, A_NORMAL},
    [STYLE_LIVE5] = {COLOR_GREEN, -1, A_BOLD, A_NORMAL},
    [STYLE_OFFSET] = {COLOR_BLACK, COLOR_WHITE, A_BOLD, A_REVERSE},
    [STYLE_WARNING] = {COLOR_YELLOW, -1, A_NORMAL, A_NORMAL},
    [STYLE_WARNING_NEW] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD},
    [STYLE_ERROR] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [STYLE_CAPTION] = {COLOR_WHITE, COLOR_BLUE, A_BOLD, A_BOLD},
    [STYLE_SLACK] = {COLOR_YELLOW, -1, A_BOLD, A_DIM},
    [STYLE_DAMAGED] = {COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE},
};

/* Live blocks are drawn as solid cells of their colour, so they read from
 * the back of the room; with 256 colours the palette avoids the yellow of
 * padding and the cyan of metadata. */
static const short live_256[SCREEN_LIVE_COLOURS] = {34, 33, 135, 208, 37, 168};
static const short live_8[SCREEN_LIVE_COLOURS] = {COLOR_GREEN, COLOR_BLUE, COLOR_MAGENTA, COLOR_WHITE,
                                                  COLOR_GREEN, COLOR_BLUE};

static void init_styles(tui *t)
{
    if (!t->colour)
        return;
    start_color();
    use_default_colors();
    for (int s = 0; s < STYLE_COUNT; s++) {
        short fg = styles[s].fg, bg = styles[s].bg;
        if (s >= STYLE_LIVE0 && s < STYLE_LIVE0 + SCREEN_LIVE_COLOURS) {
            fg = COLOR_BLACK;
            bg = COLORS >= 256 ? live_256[s - STYLE_LIVE0] : live_8[s - STYLE_LIVE0];
        }
        init_pair((short)(s + 1), fg, bg);
    }
    /* the fill of live blocks: the block's colour on the default background */
    for (int k = 0; k < SCREEN_LIVE_COLOURS; k++)
        init_pair((short)(PAIR_LIVE_FILL + k), COLORS >= 256 ? live_256[k] : live_8[k], -1);
    /* padding in a coarse cell of mostly live, freed or metadata bytes:
     * the yellow of padding over the colour of what it sits among */
    for (int k = 0; k < SCREEN_LIVE_COLOURS; k++)
        init_pair((short)(PAIR_PADDING_OVER_LIVE + k), COLOR_YELLOW, COLORS >= 256 ? live_256[k] : live_8[k]);
    init_pair(PAIR_PADDING_OVER_FREED, COLOR_YELLOW, COLORS >= 256 ? 88 : COLOR_RED); /* a dark red */
    init_pair(PAIR_PADDING_OVER_META, COLOR_YELLOW, COLOR_CYAN);
}

/* A live cell without a label: a solid block of the block's colour (a
 * glyph, not a coloured space, so no terminal can lose it); the cells the
 * last command changed are drawn in a shade instead. */
static attr_t live_fill(const tui *t, const cell *c, bool changed, const char **glyph)
{
    int k = c->block >= 0 ? c->block % SCREEN_LIVE_COLOURS : 0;
    *glyph = changed ? (t->ascii ? "=" : "▓") : (t->ascii ? "#" : "█");
    return COLOR_PAIR(PAIR_LIVE_FILL + k) | styles[STYLE_LIVE0 + k].colour_attr;
}

static attr_t style_attr(const tui *t, screen_style s)
{
    if (!t->colour)
        return styles[s].mono_attr;
    return COLOR_PAIR(s + 1) | styles[s].colour_attr;
}

/* Writes at most w columns of UTF-8 text at (y, x); returns columns used. */
static int put_text(int y, int x, int w, const char *text, attr_t attr)
{
    int used = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    attron(attr);
    move(y, x);
    for (const char *p = text; *p && *p != '\n' && used < w;) {
        /* printable ASCII goes out a run at a time */
        int run = 0;
        while (used + run < w && (unsigned char)p[run] >= 0x20 && (unsigned char)p[run] < 0x7f)
            run++;
        if (run > 0) {
            addnstr(p, run);
            used += run;
            p += run;
            continue;
        }
        wchar_t wc;
        size_t n = mbrtowc(&wc, p, MB_CUR_MAX, &st);
        bool bad = n == (size_t)-1 || n == (size_t)-2 || n == 0;
        if (bad) {
            n = 1;
            memset(&st, 0, sizeof st);
        }
        int cw = bad ? 1 : wcwidth(wc);
        if (cw < 0)
            cw = 1, bad = true;
        if (used + cw > w)
            break;
        if (bad)
            addch('?');
        else
            addnstr(p, (int)n);
        used += cw;
        p += n;
    }
    attroff(attr);
    return used;
}

static int put_fmt(int y, int x, int w, attr_t attr, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int put_fmt(int y, int x, int w, attr_t attr, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return put_text(y, x, w, buf, attr);
}

static void fill_row(int y, int x, int w, attr_t attr)
{
    attron(attr);
    mvhline(y, x, ' ', w);
    attroff(attr);
}

/* ---- the model's picture ---- */

static size_t map_capacity(const tui *t) { return (size_t)t->lay.map_cols * (size_t)t->lay.map_rows; }

/* Rebuilds the grid; with keep_diff, cells that differ from the previous
 * grid are marked changed, otherwise none is. */
static void rebuild(tui *t, bool keep_diff)
{
    cells_grid old = t->prev;
    t->prev = t->grid;
    t->grid = old;
    /* one block index serves both grids, following the session frame by frame */
    if (t->grid.blocks == NULL) {
        t->grid.blocks = t->prev.blocks;
        t->prev.blocks = NULL;
    }
    if (!cells_build(model(t), 0, map_capacity(t), &t->grid))
        t->grid.count = 0;
    size_t region_cells[CELLS_MAX_REGIONS];
    for (size_t r = 0; r < t->grid.region_count; r++)
        region_cells[r] = t->grid.regions[r].count;
    t->shape = screen_map_shape_of(&t->lay, region_cells, t->grid.region_count);
    if (t->grid.count > t->changed_cap) {
        bool *grown = realloc(t->changed, t->grid.count * sizeof *grown);
        if (grown == NULL) {
            t->grid.count = 0;
            return;
        }
        t->changed = grown;
        t->changed_cap = t->grid.count;
    }
    if (keep_diff)
        cells_diff(&t->prev, &t->grid, t->changed);
    else if (t->grid.count)
        memset(t->changed, 0, t->grid.count * sizeof *t->changed);
}

static void after_step(tui *t, size_t warnings_before)
{
    rebuild(t, true);
    if (session_warning_count(model(t)) > warnings_before) {
        t->seen_warnings = warnings_before;
        t->flash_until = now_ms() + FLASH_MS;
    } else {
        t->seen_warnings = session_warning_count(model(t));
    }
}

/* ---- drawing ---- */

static int columns_of(const char *s, size_t n);
static void draw_wrapped(int y, int x, int h, int w, const char *text, attr_t a);

static void draw_header(tui *t)
{
    const screen_rect *r = &t->lay.header;
    session *s = model(t);
    fill_row(r->y, r->x, r->w, style_attr(t, STYLE_HEADER));
    if (!session_has_active(s)) {
        put_text(r->y, 1, r->w - 1, "allocscope: no allocator yet (try: new bump 4096)", style_attr(t, STYLE_HEADER));
        return;
    }
    session_stats st;
    session_stats_from_usage(s, &t->grid.usage, &st);
    /* freed bytes below a bump offset are not free again; a free list's are */
    size_t used = st.capacity - st.unused_bytes - (st.has_offset ? 0 : st.freed_bytes);
    char off[48] = "", extra[64] = "";
    if (st.has_offset)
        snprintf(off, sizeof off, "  offset %zu", st.offset);
    if (st.slack_bytes) /* named only where there are any */
        snprintf(extra, sizeof extra, "  slack %zu", st.slack_bytes);
    if (st.damaged_bytes)
        snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "  damaged %zu", st.damaged_bytes);
    put_fmt(r->y, 1, r->w - 1, style_attr(t, STYLE_HEADER) | A_BOLD,
            "%s (%s)  capacity %zu  used %zu  free %zu%s  padding %zu%s  live %zu (%zu B)  peak %zu  zoom %zu B/cell",
            session_active_name(s), session_active_kind(s), st.capacity, used, st.capacity - used, off,
            st.padding_bytes, extra, st.live_blocks, st.live_bytes, st.peak_bytes, t->grid.zoom);
    int x = put_text(r->y + 1, 1, r->w - 1, "allocators:", style_attr(t, STYLE_DIM)) + 1;
    for (size_t i = 0; i < session_allocator_count(s) && x < r->w - 2; i++) {
        bool active = i == session_active_index(s);
        x += put_fmt(r->y + 1, x + 1, r->w - x - 1, active ? A_REVERSE | A_BOLD : A_NORMAL,
                     active ? "[%s]" : " %s ", session_allocator_name(s, i)) + 1;
    }
    char right[160];
    snprintf(right, sizeof right, "%s   step %zu  warnings %zu", session_active_description(s),
             session_step(s), session_warning_count(s));
    int rw = (int)strlen(right);
    if (x + rw + 2 < r->w)
        put_text(r->y + 1, r->w - rw - 1, rw, right, style_attr(t, STYLE_DIM));
}

typedef struct map_line {
    int region;         /* -1: a region divider */
    size_t first, count;
} map_line;

/* The map as lines: each region's cells in rows, a divider before each
 * region when there are several. Fills up to max lines; returns the total. */
static size_t map_lines(const tui *t, map_line *out, size_t max)
{
    size_t n = 0, cols = (size_t)t->shape.cells_per_row;
    for (size_t r = 0; r < t->grid.region_count; r++) {
        const cells_region *reg = &t->grid.regions[r];
        if (t->grid.region_count > 1) {
            if (n < max)
                out[n] = (map_line){-1, r, reg->bytes};
            n++;
        }
        for (size_t row = 0; row < reg->count; row += cols) {
            if (n < max)
                out[n] = (map_line){(int)r, reg->first + row, reg->count - row < cols ? reg->count - row : cols};
            n++;
        }
    }
    return n;
}

/* How cell i looks: its attribute, the glyph of its first column and of
 * any further ones (cells can be several columns wide). Without
 * with_label the cell is drawn as if it had no label. */
typedef struct cell_face {
    attr_t attr;
    const char *first, *fill;
    char label[2];
} cell_face;

static void cell_look(const tui *t, size_t i, bool with_label, cell_face *f)
{
    const cell *c = &t->grid.cells[i];
    char label = with_label ? c->label : 0;
    attr_t a = style_attr(t, screen_cell_style(c));
    if (label)
        a |= A_BOLD;
    if (c->marks & (CELL_MARK_BOUNDARY | CELL_MARK_FREE_NODE))
        a |= A_UNDERLINE;
    if (c->marks & (CELL_MARK_FREE_HEAD | CELL_MARK_ROVER))
        a |= A_BOLD | A_UNDERLINE;
    bool changed = t->changed && t->changed[i];
    /* changed by the last command: underlined in colour, reversed without */
    if (changed)
        a |= t->colour ? A_BOLD | A_UNDERLINE : A_STANDOUT;
    f->label[0] = label;
    f->label[1] = '\0';
    f->first = f->fill = label ? f->label : textmap_glyph(c, t->ascii);
    if (!label && c->role == CELL_LIVE && t->colour) {
        a = live_fill(t, c, changed, &f->first);
        f->fill = f->first;
    } else if (c->role == CELL_PADDING && t->colour && c->beneath != CELL_PADDING && c->beneath != CELL_UNUSED) {
        /* a coarse cell of mostly something else, with padding in it */
        short pair = c->beneath == CELL_LIVE ? (short)(PAIR_PADDING_OVER_LIVE + (c->block >= 0 ? c->block : 0) %
                                                                                    SCREEN_LIVE_COLOURS)
                     : c->beneath == CELL_FREED ? PAIR_PADDING_OVER_FREED
                                                : PAIR_PADDING_OVER_META;
        a = (a & ~A_COLOR) | COLOR_PAIR(pair);
    } else if (!label && (c->marks & CELL_MARK_BOUNDARY) && (c->role == CELL_UNUSED || c->role == CELL_FREED)) {
        f->first = t->ascii ? "|" : "▏";
    }
    f->attr = a;
}

/* The code point of a one-character UTF-8 glyph (the map's glyphs are
 * all one column wide). */
static wchar_t glyph_char(const char *g)
{
    const unsigned char *u = (const unsigned char *)g;
    if (u[0] < 0x80)
        return u[0];
    if ((u[0] & 0xE0) == 0xC0)
        return (wchar_t)((u[0] & 0x1F) << 6 | (u[1] & 0x3F));
    if ((u[0] & 0xF0) == 0xE0)
        return (wchar_t)((u[0] & 0x0F) << 12 | (u[1] & 0x3F) << 6 | (u[2] & 0x3F));
    return L'?';
}

/* Writes each block's name over the columns of its run of cells in this
 * row, from the cell that place_labels marked as its start: the whole name
 * where it fits, else its first letter. */
static void write_names(const tui *t, size_t first, size_t count, cchar_t *row, size_t cols)
{
    size_t width = (size_t)t->shape.cell_width;
    const cell *cells = t->grid.cells + first;
    for (size_t i = 0; i < count && (i + 1) * width <= cols; i++) {
        if (!cells[i].label || cells[i].block < 0 || (i > 0 && cells[i - 1].block == cells[i].block))
            continue;
        size_t run = 1;
        while (i + run < count && cells[i + run].block == cells[i].block && cells[i + run].role == CELL_LIVE)
            run++;
        session_block b = session_block_at(model(t), (size_t)cells[i].block);
        size_t len = strlen(b.name), room = run * width, n = len <= room ? len : 1;
        cell_face f;
        cell_look(t, first + i, true, &f);
        for (size_t k = 0; k < n && i * width + k < cols; k++) {
            wchar_t wc[2] = {(unsigned char)b.name[k] < 0x80 ? (wchar_t)b.name[k] : L'?', L'\0'};
            setcchar(&row[i * width + k], wc, f.attr & ~A_COLOR, (short)PAIR_NUMBER(f.attr), NULL);
        }
    }
}

/* One row of cells, put in place as one array of complex characters (a
 * curses call per row, not per cell); runs of the same look reuse the
 * character already made. Cells wider than a column repeat their glyph,
 * and a block's name is written across the columns its cells take. */
static void draw_cells(const tui *t, int y, int x, size_t first, size_t count)
{
    enum { ROW = 1024 };
    cchar_t row[ROW];
    size_t width = (size_t)t->shape.cell_width, cols = 0;
    const char *last_glyph = NULL;
    attr_t last_attr = 0;
    for (size_t i = 0; i < count && cols + width <= ROW; i++) {
        cell_face f;
        cell_look(t, first + i, width == 1, &f);
        for (size_t k = 0; k < width; k++, cols++) {
            const char *glyph = k ? f.fill : f.first;
            if (cols > 0 && f.attr == last_attr && glyph != f.label && glyph == last_glyph) {
                row[cols] = row[cols - 1];
                continue;
            }
            wchar_t wc[2] = {glyph_char(glyph), L'\0'};
            setcchar(&row[cols], wc, f.attr & ~A_COLOR, (short)PAIR_NUMBER(f.attr), NULL);
            last_glyph = glyph == f.label ? NULL : glyph;
            last_attr = f.attr;
        }
    }
    if (width > 1)
        write_names(t, first, count, row, cols);
    for (size_t done = 0; done < cols; done += 256)
        mvadd_wchnstr(y, x + (int)done, row + done, (int)(cols - done < 256 ? cols - done : 256));
}

static void draw_legend(tui *t, int y, int x, int w)
{
    static const struct {
        screen_style style;
        const char *utf8, *ascii, *what;
        int role, meta; /* what it names (-1: always shown) */
    } items[] = {
        {STYLE_LIVE0, "█", "#", "live", -1, -1},          {STYLE_PADDING, "╱", "/", "padding", CELL_PADDING, -1},
        {STYLE_SLACK, "~", "~", "slack", CELL_SLACK, -1}, {STYLE_DAMAGED, "!", "!", "damaged", CELL_DAMAGED, -1},
        {STYLE_FREED, "░", "x", "freed", CELL_FREED, -1}, {STYLE_META, "H", "H", "header", CELL_META, AS_META_HEADER},
        {STYLE_META, "L", "L", "link", CELL_META, AS_META_LINK}, {STYLE_META, "C", "C", "chunk", CELL_META, AS_META_CHUNK},
        {STYLE_META, "G", "G", "guard", CELL_META, AS_META_GUARD}, {STYLE_UNUSED, "·", ".", "unused", -1, -1},
        {STYLE_OFFSET, " ", " ", "offset", -1, -1},
    };
    /* name only what the map shows: a role (and a kind of metadata) present in some cell */
    bool roles[CELL_ROLE_COUNT] = {false}, metas[8] = {false};
    for (size_t i = 0; i < t->grid.count; i++) {
        roles[t->grid.cells[i].role < CELL_ROLE_COUNT ? t->grid.cells[i].role : CELL_UNUSED] = true;
        if (t->grid.cells[i].role == CELL_META && t->grid.cells[i].meta < 8)
            metas[t->grid.cells[i].meta] = true;
    }
    int used = 0;
    for (size_t i = 0; i < sizeof items / sizeof items[0] && used + 10 < w; i++) {
        if (items[i].role >= 0 && !(items[i].meta >= 0 ? metas[items[i].meta] : roles[items[i].role]))
            continue;
        const char *swatch = t->ascii ? items[i].ascii : items[i].utf8;
        attr_t a = style_attr(t, items[i].style);
        if (items[i].style == STYLE_LIVE0 && t->colour) {
            cell sample = {CELL_LIVE, 0, 0, 0, 0, CELL_LIVE};
            a = live_fill(t, &sample, false, &swatch);
        }
        used += put_text(y, x + used, 1, swatch, a);
        used += put_fmt(y, x + used, w - used, style_attr(t, STYLE_DIM), " %s  ", items[i].what);
    }
    if (used + 24 < w)
        used += put_text(y, x + used, w - used, t->colour ? "underlined or shaded: changed" : "reversed: changed",
                         style_attr(t, STYLE_DIM));
}

/* Columns of row y from x that hold something (up to the last non-blank). */
static int columns_of_row(int y, int x, int w)
{
    int used = 0;
    for (int i = 0; i < w; i++) {
        chtype ch = mvinch(y, x + i);
        if ((ch & A_CHARTEXT) != ' ')
            used = i + 1;
    }
    return used;
}

/* At a coarse zoom, what padding drawn over a colour means: on the legend's
 * row if it has room, else on the next (bottom is the map's last row). */
static void draw_legend_among(const tui *t, int y, int x, int w, int bottom)
{
    static const char among[] = " on a colour: a cell mostly of that, with some padding in it";
    if (!t->colour || t->grid.zoom < CELLS_BENEATH_ZOOM)
        return;
    int used = columns_of_row(y, x, w);
    if (used + 3 + (int)sizeof among >= w) {
        if (y + 1 > bottom)
            return;
        y++, used = 0;
    } else {
        used += 2;
    }
    used += put_text(y, x + used, 1, t->ascii ? "/" : "╱", COLOR_PAIR(PAIR_PADDING_OVER_LIVE));
    put_text(y, x + used, w - used, among, style_attr(t, STYLE_DIM));
}

static void draw_map(tui *t)
{
    const screen_rect *r = &t->lay.map;
    int rows = t->lay.map_rows;
    if (t->grid.region_count == 0) {
        put_text(r->y + 1, 2, r->w - 2, session_has_active(model(t))
                     ? "(this allocator owns no memory yet: it grows on the first allocation)"
                     : "(type  new bump 4096  or just  alloc 16)", style_attr(t, STYLE_DIM));
        return;
    }
    /* a mark every so many cells, at least 12 columns apart */
    int width = t->shape.cell_width, step = 1;
    while (step * width < 12)
        step *= 2;
    for (int c = 0; c < t->shape.cells_per_row; c += step)
        put_fmt(r->y, r->x + SCREEN_MAP_PREFIX + c * width, step * width - 1, style_attr(t, STYLE_DIM), "+%zu",
                (size_t)c * t->grid.zoom);
    map_line lines[512];
    size_t total = map_lines(t, lines, 512);
    if (total > 512)
        total = 512;
    if (t->scroll + (size_t)rows > total)
        t->scroll = total > (size_t)rows ? total - (size_t)rows : 0;
    int k = 0;
    for (; k < rows && t->scroll + (size_t)k < total; k++) {
        const map_line *ml = &lines[t->scroll + (size_t)k];
        int y = r->y + 1 + k;
        if (ml->region < 0) {
            put_fmt(y, r->x, r->w, style_attr(t, STYLE_DIM), "  ── region %zu: %zu bytes ──", ml->first,
                    ml->count);
            continue;
        }
        const cells_region *reg = &t->grid.regions[ml->region];
        put_fmt(y, r->x, SCREEN_MAP_PREFIX, style_attr(t, STYLE_DIM), "%7zu ", (ml->first - reg->first) * t->grid.zoom);
        draw_cells(t, y, r->x + SCREEN_MAP_PREFIX, ml->first, ml->count);
    }
    if (total > (size_t)rows)
        put_fmt(r->y, r->x + r->w - 22, 22, style_attr(t, STYLE_DIM), "rows %zu-%zu of %zu PgUp/Dn",
                t->scroll + 1, t->scroll + (size_t)rows, total);
    int legend_y = r->y + 1 + k + (k < rows ? 1 : 0) < r->y + r->h ? r->y + 1 + k + (k < rows ? 1 : 0)
                                                                  : r->y + r->h - 1;
    draw_legend(t, legend_y, r->x + 1, r->w - 1);
    draw_legend_among(t, legend_y, r->x + 1, r->w - 1, r->y + r->h - 1);
}

static void draw_table(tui *t)
{
    const screen_rect *r = &t->lay.table;
    if (r->h < 2 || r->w < 20)
        return;
    session *s = model(t);
    size_t n = session_block_count(s);
    /* where blocks carry slack (free list, buddy, pool), its column takes align's place */
    bool slack = t->grid.usage.slack_bytes > 0;
    evidence ev = {0};
    if (slack)
        evidence_collect(s, &ev);
    put_fmt(r->y, r->x + 1, r->w - 1, A_BOLD | A_UNDERLINE, "%-10s %7s %6s %5s %4s %-5s", "block", "offset",
            "size", slack ? "slack" : "align", "pad", "state");
    size_t rows = (size_t)r->h - 1, first = n > rows ? n - rows : 0;
    for (size_t i = first; i < n; i++) {
        session_block b = session_block_at(s, i);
        int y = r->y + 1 + (int)(i - first);
        screen_style st = b.live ? (screen_style)(STYLE_LIVE0 + i % SCREEN_LIVE_COLOURS) : STYLE_FREED;
        put_fmt(y, r->x + 1, 10, style_attr(t, st) | A_BOLD, "%-10.10s", b.name);
        put_fmt(y, r->x + 12, r->w - 12, b.live ? A_NORMAL : style_attr(t, STYLE_DIM), "%7zu %6zu %5zu %4zu %-5s",
                b.offset, b.size, slack ? (b.live ? evidence_slack_of(&ev, b.ptr) : 0) : b.align, b.padding,
                b.live ? "live" : "freed");
    }
    evidence_free(&ev);
    if (n == 0)
        put_text(r->y + 1, r->x + 1, r->w - 1, "(no blocks yet)", style_attr(t, STYLE_DIM));
}

static void draw_warnings(tui *t)
{
    const screen_rect *r = &t->lay.warnings;
    if (r->h < 2 || r->w < 20)
        return;
    session *s = model(t);
    size_t n = session_warning_count(s);
    put_fmt(r->y, r->x + 1, r->w - 1, A_BOLD | A_UNDERLINE, "warnings (%zu)", n);
    bool flashing = now_ms() < t->flash_until;
    /* newest at the bottom, each wrapped over up to three lines */
    int y = r->y + r->h - 1;
    for (size_t i = n; i-- > 0 && y > r->y;) {
        session_warning w = session_warning_at(s, i);
        bool fresh = i >= t->seen_warnings;
        attr_t a = style_attr(t, fresh ? (flashing ? STYLE_WARNING_NEW : STYLE_ERROR) : STYLE_WARNING);
        char text[512];
        snprintf(text, sizeof text, "%zu %s: %s", w.step, w.kind, w.message);
        int width = r->w - 2, len = columns_of(text, strlen(text));
        int lines = (len + width - 1) / width;
        if (lines > 3)
            lines = 3;
        if (lines > y - r->y)
            lines = y - r->y;
        draw_wrapped(y - lines + 1, r->x + 1, lines, width, text, a);
        y -= lines;
    }
    if (n == 0)
        put_text(r->y + 1, r->x + 1, r->w - 1, "(none)", style_attr(t, STYLE_DIM));
}

/* Word-wraps text into the rectangle. */
static void draw_wrapped(int y, int x, int h, int w, const char *text, attr_t a)
{
    const char *p = text;
    for (int row = 0; row < h && *p; row++) {
        size_t n = strlen(p);
        if ((int)n > w) {
            n = (size_t)w;
            while (n > 0 && p[n] != ' ')
                n--;
            if (n == 0)
                n = (size_t)w;
        }
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)n, p);
        put_text(y + row, x, w, line, a);
        p += n;
        while (*p == ' ')
            p++;
    }
}

static void draw_caption(tui *t)
{
    const screen_rect *r = &t->lay.caption;
    if (r->h == 0 || t->pl == NULL)
        return;
    attr_t a = style_attr(t, STYLE_CAPTION);
    for (int k = 0; k < r->h; k++)
        fill_row(r->y + k, r->x, r->w, a);
    const char *cap = player_caption(t->pl);
    draw_wrapped(r->y + (r->h > 2 ? 1 : 0), r->x + 2, r->h > 2 ? r->h - 1 : r->h, r->w - 4, *cap ? cap : "",
                 a | A_BOLD);
}

static void draw_status(tui *t)
{
    const screen_rect *r = &t->lay.status;
    if (r->h == 0 || t->pl == NULL)
        return;
    size_t pos = player_position(t->pl), len = player_length(t->pl);
    const player_step *cur = pos ? player_step_at(t->pl, pos - 1) : NULL;
    const char *state = !t->playing ? "done" : t->running ? (t->ascii ? ">" : "▶") : "||";
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s", cur ? cur->text : "(start)");
    cmd[strcspn(cmd, "\n")] = '\0';
    int x = put_fmt(r->y, 1, r->w - 1, A_BOLD, "%s step %zu/%zu  ", state, pos, len);
    x += put_text(r->y, 1 + x, r->w / 2, cmd, player_failed(t->pl) ? style_attr(t, STYLE_ERROR) : A_NORMAL);
    const char *hint = !t->playing ? "scene finished: the prompt runs on this state" :
                       t->go_to ? "go to step: type a number, Enter" :
                       "space play/pause  <- -> step  [ ] notes  + - speed  g go to  ? help  q quit";
    int hw = (int)strlen(hint);
    if (t->go_to)
        put_fmt(r->y, r->w - hw - 12, hw + 11, A_BOLD, "%s %s", hint, t->go_buf);
    else if (x + hw + 4 < r->w)
        put_text(r->y, r->w - hw - 1, hw, hint, style_attr(t, STYLE_DIM));
}

static void draw_answer(tui *t)
{
    const screen_rect *r = &t->lay.answer;
    const char *text = *repl_matches() ? repl_matches() : sb_str(&t->answer);
    attr_t a = t->answer_error ? style_attr(t, STYLE_ERROR) : A_NORMAL;
    if (t->pl && t->playing)
        text = player_answer(t->pl), a = player_failed(t->pl) ? style_attr(t, STYLE_ERROR) : A_NORMAL;
    else if (t->overlay)
        text = "(the answer is open above the map)";
    for (int k = 0; k < r->h && *text; k++) {
        put_text(r->y + k, 1, r->w - 2, text, a);
        text += strcspn(text, "\n");
        if (*text == '\n')
            text++;
    }
}

/* Columns that the first n bytes of s take on screen. */
static int columns_of(const char *s, size_t n)
{
    int cols = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < n;) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + i, n - i, &st);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            k = 1;
            wc = L'?';
            memset(&st, 0, sizeof st);
        }
        int w = wcwidth(wc);
        cols += w > 0 ? w : 1;
        i += k;
    }
    return cols;
}

static void draw_prompt(tui *t, int *cy, int *cx)
{
    const screen_rect *r = &t->lay.prompt;
    const char *prompt = repl_prompt(), *line = repl_line();
    int pw = put_text(r->y, 0, r->w, prompt, A_BOLD);
    int width = r->w - pw - 1, cursor = columns_of(line, repl_cursor());
    size_t skip = 0;
    while (cursor - columns_of(line, skip) >= width && line[skip]) /* scroll long lines */
        skip++;
    put_text(r->y, pw, width, line + skip, A_NORMAL);
    *cy = r->y;
    *cx = pw + cursor - columns_of(line, skip);
}

static void draw_help(tui *t)
{
    static const char *const lines[] = {
        "playback keys",
        "",
        "space        play / pause (also: continue after a pause)",
        "-> n .       next step",
        "<- p ,       previous step (the state is rebuilt exactly)",
        "] [          next / previous note or pause",
        "+ -          faster / slower",
        "g NUMBER     go to a step",
        "Ctrl-C       pause",
        "q            quit",
        "",
        "at the prompt: Tab completes, Up/Down history, PgUp/PgDn scroll",
        "the map, Ctrl-C stops a long trace or source, Ctrl-D or quit",
        "leaves. A long answer scrolls with PgUp/PgDn.   press any key",
    };
    int h = (int)(sizeof lines / sizeof lines[0]) + 2, w = 66;
    int y = (LINES - h) / 2, x = (COLS - w) / 2;
    if (y < 0 || x < 0)
        return;
    for (int k = 0; k < h; k++)
        fill_row(y + k, x, w, style_attr(t, STYLE_CAPTION));
    for (int k = 0; k < h - 2; k++)
        put_text(y + 1 + k, x + 2, w - 4, lines[k], style_attr(t, STYLE_CAPTION) | (k == 0 ? A_BOLD : 0));
}

/* A long answer (blocks, stats, help, layout, show ...) is drawn over the
 * map. Lines of the overlay that hold answer text (between its title and
 * its foot): */
static size_t overlay_rows(void) { return LINES - 5 > 1 ? (size_t)(LINES - 5) : 1; }

static void draw_overlay(tui *t)
{
    const char *text = sb_str(&t->answer);
    int h = LINES - 3, w = COLS, y = 1, x = 0;
    attr_t box = style_attr(t, STYLE_TEXT) | A_REVERSE;
    for (int k = 0; k < h; k++)
        fill_row(y + k, x, w, A_NORMAL);
    fill_row(y, x, w, box);
    size_t total = sb_count_lines(text), rows = overlay_rows();
    if (t->overlay_first + rows > total)
        t->overlay_first = total > rows ? total - rows : 0;
    size_t last = t->overlay_first + rows < total ? t->overlay_first + rows : total;
    put_fmt(y, x + 1, w - 2, box | A_BOLD, "answer: lines %zu-%zu of %zu   %s", t->overlay_first + 1, last, total,
            total > rows ? "PgUp/PgDn Up/Down Home/End scroll, any other key closes (and is kept)"
                         : "any key closes (and is kept)");
    const char *p = text;
    for (size_t skip = 0; skip < t->overlay_first && *p; skip++) {
        p += strcspn(p, "\n");
        if (*p == '\n')
            p++;
    }
    for (size_t row = 0; row < rows && *p; row++) {
        put_text(y + 1 + (int)row, x + 1, w - 2, p, t->answer_error ? style_attr(t, STYLE_ERROR) : A_NORMAL);
        p += strcspn(p, "\n");
        if (*p == '\n')
            p++;
    }
    if (last < total)
        put_fmt(y + h - 1, x + 1, w - 2, style_attr(t, STYLE_DIM), "(%zu more lines below)", total - last);
}

/* Keys that move through a long answer; false for any other key. */
static bool overlay_scroll_key(tui *t, int c)
{
    size_t page = overlay_rows();
    switch (c) {
    case KEY_NPAGE: t->overlay_first += page; return true;
    case KEY_PPAGE: t->overlay_first = t->overlay_first > page ? t->overlay_first - page : 0; return true;
    case KEY_DOWN: t->overlay_first++; return true;
    case KEY_UP: t->overlay_first -= t->overlay_first > 0; return true;
    case KEY_HOME: t->overlay_first = 0; return true;
    case KEY_END: t->overlay_first = SIZE_MAX / 2; return true; /* drawing clamps it */
    default: return false;
    }
}

static void draw(tui *t)
{
    erase();
    if (t->lay.too_small) {
        char msg[128];
        snprintf(msg, sizeof msg, "terminal too small (%dx%d): allocscope needs at least %dx%d", COLS, LINES,
                 SCREEN_MIN_COLS, SCREEN_MIN_ROWS);
        draw_wrapped(0, 0, LINES, COLS, msg, A_BOLD);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    int cy = 0, cx = 0;
    draw_header(t);
    draw_map(t);
    draw_table(t);
    draw_warnings(t);
    draw_caption(t);
    draw_status(t);
    draw_answer(t);
    if (!t->playing)
        draw_prompt(t, &cy, &cx);
    if (t->overlay && !t->playing)
        draw_overlay(t);
    if (t->help)
        draw_help(t);
    curs_set(t->playing || t->help ? 0 : 1);
    move(cy, cx);
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- input ---- */

static void relayout(tui *t)
{
    screen_compute(LINES, COLS, t->pl != NULL, &t->lay);
    /* an answer that fits under the prompt now needs no overlay */
    if (t->overlay && sb_count_lines(sb_str(&t->answer)) <= (size_t)t->lay.answer.h)
        t->overlay = false;
    if (!t->lay.too_small)
        rebuild(t, false);
}

/* Keeps a key typed during a long command for later; false if there is
 * no room left (the key is dropped). */
static bool keep_key(tui *t, int c)
{
    if (t->typeahead_len == TYPEAHEAD_MAX && t->typeahead_pos > 0) {
        memmove(t->typeahead, t->typeahead + t->typeahead_pos,
                (t->typeahead_len - t->typeahead_pos) * sizeof *t->typeahead);
        t->typeahead_len -= t->typeahead_pos;
        t->typeahead_pos = 0;
    }
    if (t->typeahead_len == TYPEAHEAD_MAX)
        return false;
    t->typeahead[t->typeahead_len++] = c;
    return true;
}

/* The next kept key, or ERR. */
static int next_kept_key(tui *t)
{
    if (t->typeahead_pos == t->typeahead_len) {
        t->typeahead_pos = t->typeahead_len = 0;
        return ERR;
    }
    return t->typeahead[t->typeahead_pos++];
}

/* Called by long commands: shows how far they are, and stops them on
 * Ctrl-C. Other keys wait for the command to end. */
static bool on_progress(void *user, const char *what, size_t done, size_t total)
{
    tui *t = user;
    bool stop = false;
    timeout(0);
    for (int c; (c = getch()) != ERR;) {
        if (c == KEY_CTRL('c'))
            stop = true;
        else if (!keep_key(t, c))
            beep();
    }
    long long now = now_ms();
    if (now - t->progress_drawn >= 100 && !t->lay.too_small) {
        t->progress_drawn = now;
        const screen_rect *r = &t->lay.answer;
        fill_row(r->y, r->x, r->w, A_NORMAL);
        if (total)
            put_fmt(r->y, r->x + 1, r->w - 1, A_BOLD, "%s: %zu of %zu (%zu%%)   Ctrl-C stops", what, done, total,
                    done * 100 / total);
        else
            put_fmt(r->y, r->x + 1, r->w - 1, A_BOLD, "%s: %zu done   Ctrl-C stops", what, done);
        wnoutrefresh(stdscr);
        doupdate();
    }
    return !stop;
}

static void on_line(void *user, const char *line)
{
    tui *t = user;
    repl_clear_matches();
    if (line == NULL) {
        t->quit = true;
        return;
    }
    session *s = model(t);
    size_t before = session_warning_count(s);
    sb_clear(&t->answer);
    t->progress_drawn = now_ms(); /* a short command shows no progress */
    interp_set_progress(s, on_progress, t);
    session_outcome oc = interp_execute(s, line, &t->answer);
    interp_set_progress(s, NULL, NULL);
    t->answer_error = oc.status == SESSION_ERROR || oc.status == SESSION_EXPECT_FAILED;
    if (oc.status == SESSION_QUIT)
        t->quit = true;
    if (oc.pending)
        sb_add(&t->answer, "(struct continues: type the next fields, end with })");
    t->overlay = sb_count_lines(sb_str(&t->answer)) > (size_t)t->lay.answer.h;
    t->overlay_first = 0;
    after_step(t, before);
    char prompt[64];
    snprintf(prompt, sizeof prompt, "%s> ", session_has_active(s) ? session_active_name(s) : "allocscope");
    repl_set_prompt(prompt);
}

static void player_moved(tui *t, size_t warnings_before)
{
    t->idle_work = true;
    after_step(t, warnings_before);
    repl_set_session(model(t));
}

static void step_forward(tui *t)
{
    size_t before = session_warning_count(model(t));
    if (!player_next(t->pl)) {
        t->running = false;
        t->playing = false; /* the end: the prompt opens on the final state */
        sb_clear(&t->answer);
        if (*player_problems(t->pl)) {
            sb_printf(&t->answer, "scene finished with problems:\n%s", player_problems(t->pl));
            t->answer_error = true;
        } else {
            sb_add(&t->answer, "scene finished: try your own commands on this state");
        }
        on_line(t, "");
        return;
    }
    const player_step *st = player_step_at(t->pl, player_position(t->pl) - 1);
    if (st->kind == PLAYER_PAUSE)
        t->running = false;
    if (player_failed(t->pl))
        t->running = false; /* a scene's errors are shown, never skipped */
    player_moved(t, before);
}

static void step_to(tui *t, void (*move_fn)(player *), size_t target, bool use_target)
{
    size_t before = session_warning_count(model(t));
    t->running = false;
    if (use_target)
        player_seek(t->pl, target);
    else
        move_fn(t->pl);
    player_moved(t, before < session_warning_count(model(t)) ? before : session_warning_count(model(t)));
}

static void playback_key(tui *t, int c)
{
    if (t->go_to) {
        size_t len = strlen(t->go_buf);
        if (c >= '0' && c <= '9' && len < sizeof t->go_buf - 1) {
            t->go_buf[len] = (char)c;
            t->go_buf[len + 1] = '\0';
        } else if (c == '\n' || c == '\r' || c == KEY_ENTER) {
            t->go_to = false;
            size_t target = (size_t)strtoull(t->go_buf, NULL, 10);
            if (target > player_length(t->pl))
                target = player_length(t->pl);
            step_to(t, NULL, target, true);
        } else if (c == 27 || c == KEY_CTRL('c')) {
            t->go_to = false;
        } else if (c == KEY_BACKSPACE || c == 127) {
            if (len)
                t->go_buf[len - 1] = '\0';
        }
        return;
    }
    switch (c) {
    case ' ':
        t->running = !t->running;
        t->next_step_at = now_ms();
        break;
    case KEY_RIGHT: case 'n': case '.':
        t->running = false;
        step_forward(t);
        break;
    case KEY_LEFT: case 'p': case ',':
        if (player_position(t->pl) > 0)
            step_to(t, NULL, player_position(t->pl) - 1, true);
        break;
    case ']': step_to(t, player_next_mark, 0, false); break;
    case '[': step_to(t, player_prev_mark, 0, false); break;
    case '+': case '=':
        t->delay_ms = t->delay_ms * 2 / 3 > MIN_DELAY_MS ? t->delay_ms * 2 / 3 : MIN_DELAY_MS;
        break;
    case '-': case '_':
        t->delay_ms = t->delay_ms * 3 / 2 < MAX_DELAY_MS ? t->delay_ms * 3 / 2 : MAX_DELAY_MS;
        break;
    case 'g': t->go_to = true, t->go_buf[0] = '\0'; break;
    case '?': t->help = true; break;
    case 'q': case 'Q': t->quit = true; break;
    case KEY_CTRL('c'): t->running = false; break;
    case KEY_NPAGE: t->scroll += (size_t)t->lay.map_rows; break;
    case KEY_PPAGE: t->scroll = t->scroll > (size_t)t->lay.map_rows ? t->scroll - (size_t)t->lay.map_rows : 0; break;
    default: break;
    }
}

static void prompt_key(tui *t, int c)
{
    switch (c) {
    case KEY_CTRL('c'):
        repl_cancel_line();
        sb_clear(&t->answer);
        sb_add(&t->answer, "(line cancelled; Ctrl-D or quit leaves)");
        t->answer_error = false;
        break;
    case KEY_NPAGE: t->scroll += (size_t)t->lay.map_rows; break;
    case KEY_PPAGE: t->scroll = t->scroll > (size_t)t->lay.map_rows ? t->scroll - (size_t)t->lay.map_rows : 0; break;
    case KEY_F(1): t->help = true; break;
    default:
        if (c != '\t')
            repl_clear_matches();
        repl_feed_key(c);
        break;
    }
}

static void handle_key(tui *t, int c)
{
    if (c == KEY_RESIZE) {
        relayout(t);
        return;
    }
    if (t->help) {
        t->help = false;
        return;
    }
    if (t->overlay && overlay_scroll_key(t, c))
        return;
    if (t->overlay) {
        t->overlay = false;
        if (c == 27 || c == ' ' || c == 'q' || c == '\n' || c == '\r')
            return;
    }
    if (t->playing)
        playback_key(t, c);
    else
        prompt_key(t, c);
}

static int wait_ms(const tui *t)
{
    long long now = now_ms();
    long long until = -1;
    if (t->playing && t->running)
        until = t->next_step_at;
    if (t->flash_until > now && (until < 0 || t->flash_until < until))
        until = t->flash_until;
    if (until < 0)
        return -1;
    return until > now ? (int)(until - now) : 0;
}

static void tick(tui *t)
{
    if (t->playing && t->running && now_ms() >= t->next_step_at) {
        step_forward(t);
        t->next_step_at = now_ms() + t->delay_ms;
    }
}

/* ---- lifecycle ---- */

static void restore_terminal(void)
{
    if (!isendwin())
        endwin();
}

static char *history_path(void)
{
    const char *override = getenv("ALLOCSCOPE_HISTORY");
    if (override)
        return *override ? strdup(override) : NULL;
    const char *home = getenv("HOME");
    if (home == NULL)
        return NULL;
    size_t n = strlen(home) + 32;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/.allocscope_history", home);
    return p;
}

static bool open_model(tui *t, const tui_options *opt)
{
    if (opt->scene || opt->scene_text) {
        strbuf err;
        sb_init(&err);
        t->pl = opt->scene ? player_open(opt->scene, &err)
                           : player_from_text(opt->scene_name, opt->scene_text, &err);
        if (t->pl == NULL) {
            fprintf(stderr, "allocscope: %s\n", sb_str(&err));
            sb_free(&err);
            return false;
        }
        sb_free(&err);
        t->playing = true;
        t->running = true;
        return true;
    }
    t->own = session_create();
    if (t->own == NULL)
        return false;
    interp_ensure_default(t->own, &t->answer);
    sb_clear(&t->answer);
    sb_add(&t->answer, "bump allocator over 4096 bytes. Try: alloc 100 align 8 | alloc u64 | free | "
                       "switch pool | help");
    return true;
}

int tui_run(const tui_options *opt)
{
    tui t;
    memset(&t, 0, sizeof t);
    sb_init(&t.answer);
    cells_init(&t.grid);
    cells_init(&t.prev);
    t.delay_ms = opt->delay_ms > 0 ? opt->delay_ms : MIN_DELAY_MS;
    setlocale(LC_ALL, "");
    t.ascii = opt->ascii || strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
    if (!open_model(&t, opt))
        return 2;
    atexit(restore_terminal);
    initscr();
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    t.colour = has_colors() && getenv("NO_COLOR") == NULL;
    init_styles(&t);
    char *hist = history_path();
    repl_open(hist, on_line, &t);
    free(hist);
    repl_set_session(model(&t));
    repl_set_prompt(t.pl ? "allocscope> " : "bump> ");
    relayout(&t);
    t.next_step_at = now_ms() + t.delay_ms;
    while (!t.quit) {
        draw(&t);
        int kept = next_kept_key(&t);
        if (kept != ERR) { /* typed while a long command ran */
            handle_key(&t, kept);
            tick(&t);
            continue;
        }
        int wait = wait_ms(&t);
        if (t.pl && t.idle_work && (wait < 0 || wait > 20)) {
            /* idle: prepare fast steps back, in slices that keep keys snappy */
            timeout(0);
            int c = getch();
            if (c == ERR) {
                t.idle_work = player_idle(t.pl, 256);
                timeout(1);
                c = getch();
            }
            if (c != ERR)
                handle_key(&t, c);
            tick(&t);
            continue;
        }
        timeout(wait);
        int c = getch();
        if (c != ERR) {
            handle_key(&t, c);
            t.idle_work = t.pl != NULL;
        }
        tick(&t);
    }
    repl_close();
    restore_terminal();
    int status = t.pl && *player_problems(t.pl) ? 1 : 0;
    player_close(t.pl);
    session_destroy(t.own);
    cells_free(&t.grid);
    cells_free(&t.prev);
    free(t.changed);
    sb_free(&t.answer);
    return status;
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Bytes written so far to the file behind f. */
static double written(FILE *f)
{
    fflush(f);
    struct stat st;
    return fstat(fileno(f), &st) == 0 ? (double)st.st_size : 0;
}

static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return v[n / 2];
}

bool tui_frame_cost_of(session *s, int cols, int rows, int frames, tui_frame_cost *out)
{
    FILE *term = tmpfile(), *in = fopen("/dev/null", "r");
    SCREEN *scr = term && in && frames > 0 ? newterm("xterm-256color", term, in) : NULL;
    double *ms = malloc(2 * (size_t)(frames > 0 ? frames : 1) * sizeof *ms);
    if (scr == NULL || ms == NULL) {
        if (scr)
            delscreen(scr);
        if (term)
            fclose(term);
        if (in)
            fclose(in);
        free(ms);
        return false;
    }
    double *bytes = ms + frames;
    set_term(scr);
    resizeterm(rows, cols);
    tui t;
    memset(&t, 0, sizeof t);
    sb_init(&t.answer);
    t.own = s;
    t.colour = has_colors();
    init_styles(&t);
    strbuf ignore;
    sb_init(&ignore);
    for (int f = 0; f < frames; f++) {
        double before = written(term);
        double t0 = cpu_ms();
        if (f == 0)
            relayout(&t);
        else
            rebuild(&t, true);
        draw(&t);
        ms[f] = cpu_ms() - t0;
        bytes[f] = written(term) - before;
        sb_clear(&ignore);
        interp_execute(s, f % 2 ? "free" : "alloc 16", &ignore); /* a change for the next frame */
    }
    /* the first frame draws everything: the others are the typical ones */
    out->cpu_ms = median_of(ms, frames);
    out->first_bytes = bytes[0];
    out->bytes = frames > 1 ? median_of(bytes + 1, frames - 1) : bytes[0];
    free(ms);
    sb_free(&ignore);
    sb_free(&t.answer);
    cells_free(&t.grid);
    cells_free(&t.prev);
    free(t.changed);
    endwin();
    delscreen(scr);
    fclose(term);
    fclose(in);
    return true;
}
