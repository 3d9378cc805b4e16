/*
 * tui.c - the live view (see tui.h): the one file that owns curses.
 *
 * One loop reads keys with wgetch (escape sequences whole, read_key). One
 * table, key_table, says what each key does in each mode (playback, go
 * to, prompt, long answer) and makes the help screen and the hint lines.
 * Keys the prompt does not bind go to readline (repl.c) as the bytes a
 * terminal sends, and each finished line goes to session_execute, the same
 * path batch mode and scenes use. In playback mode keys drive the player.
 * Drawing reads the model only: the cell grid (cells.c), the session's
 * accessors, the layout decided in screen.c and the looks (glyphs, styles,
 * colours) in looks.h. A frame is drawn into stdscr and sent with one
 * doupdate; curses sends only what changed. KEY_RESIZE re-lays the panes;
 * the terminal is restored on every way out.
 */
#include "allocscope/tui.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "allocscope/cells.h"
#include "allocscope/looks.h"
#include "allocscope/player.h"
#include "allocscope/repl.h"
#include "allocscope/scenes.h"
#include "allocscope/screen.h"
#include "allocscope/session.h"

#define KEY_CTRL(c) ((c) & 0x1f)

/* SIGTERM or SIGHUP arrived (on_stop_signal): the loop and long moves stop. */
static volatile sig_atomic_t stop_signal;
#define FLASH_MS 1500
#define MIN_DELAY_MS 1
#define MAX_BURST ((size_t)1 << 16)  /* steps per millisecond at the fastest */
#define MAX_DELAY_MS 10000

#define TYPEAHEAD_MAX 1024
#define TUI_FREE_NODES 512

typedef struct tui {
    session *own;            /* the prompt's session when no scene is loaded */
    player *pl;              /* the scene, if any */
    bool playing;            /* keys drive the player */
    bool running;            /* the player advances by itself */
    long delay_ms;
    size_t burst;            /* steps per delay (past the shortest delay, '+' doubles it) */
    long long next_step_at;
    bool ascii, colour;
    bool quit;
    bool help;
    bool toc;                /* the table of contents (the scene's notes) is open */
    size_t toc_sel;          /* its selected note, among the notes */
    bool asked;              /* an ask step was the last: the next step is the reveal */
    bool clean;              /* playback without the block table and warnings */
    player *next_pl;         /* a scene `play` opened, taken over after the line */
    bool overlay;            /* a long answer shown over the map */
    size_t overlay_first;    /* its first line shown */
    bool idle_work;          /* the player has work for idle time */
    bool go_to;              /* typing a step number after g */
    char go_buf[16];
    int pending_key;
    char shown_allocator[64]; /* the allocator of the picture shown last */
    char notice[128];        /* said on the status line until the next key */         /* read after an ESC that began no sequence, or ERR */
    strbuf answer;
    bool answer_error;
    strbuf play_answer;      /* during playback: the last answer worth seeing (not "(pause)") */
    bool play_failed;
    size_t play_step;        /* the step (1-based) that gave it, 0 for none */
    size_t seen_warnings;    /* warnings before the last step: newer ones stand out */
    long long flash_until;
    cells_grid grid, prev;
    bool *changed;
    size_t changed_cap;
    size_t scroll;           /* first map line shown */
    size_t view_zoom;        /* bytes a cell the lecturer chose in playback, 0: the session's */
    bool whole;              /* playback shows the whole buffer, not just the part in use */
    size_t crop_bytes;       /* the map shows only the first crop_bytes of the buffer (0: all) */
    size_t crop_of;          /* of that many */
    cells_free_node free_nodes[TUI_FREE_NODES]; /* the free blocks in their lists' order */
    size_t free_count;
    screen_layout lay;
    screen_map_shape shape;  /* how the grid's cells sit in the map's columns */
    /* keys typed while a long command ran, handled once it is over */
    int typeahead[TYPEAHEAD_MAX];
    size_t typeahead_len, typeahead_pos;
    long long progress_drawn;
    struct compare_view *cmp; /* the compare layout's state (compare_rebuild), NULL until a comparison */
} tui;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static session *model(const tui *t) { return t->pl ? player_session(t->pl) : t->own; }

/* ---- styles ---- */

/* Colour pairs beyond the styles' own (pair s + 1 for style s): the solid
 * fill of live blocks; for each style a map cell can have (up to
 * STYLE_LIVE5), padding over its area and a change (white) over its area;
 * a freed block's name in its colour. 58 in
 * all, within the 64 pairs of an 8-colour terminal. */
#define MAP_STYLES (STYLE_LIVE5 + 1)
enum {
    PAIR_LIVE_FILL = STYLE_COUNT + 1,
    PAIR_PADDING_OVER = PAIR_LIVE_FILL + SCREEN_LIVE_COLOURS,
    PAIR_CHANGED_OVER = PAIR_PADDING_OVER + MAP_STYLES,
    PAIR_FREED_NAME = PAIR_CHANGED_OVER + MAP_STYLES,
};

static short colour_number(looks_colour c) { return COLORS >= 256 ? c.c256 : c.c8; }

static attr_t curses_attrs(unsigned a)
{
    return (a & LOOKS_BOLD ? A_BOLD : 0) | (a & LOOKS_DIM ? A_DIM : 0) | (a & LOOKS_REVERSE ? A_REVERSE : 0) |
           (a & LOOKS_UNDERLINE ? A_UNDERLINE : 0);
}

static void init_styles(tui *t)
{
    if (!t->colour)
        return;
    start_color();
    use_default_colors();
    for (int s = 0; s < STYLE_COUNT; s++) {
        const looks_style_spec *st = looks_style_of((looks_style)s);
        init_pair((short)(s + 1), colour_number(st->fg), colour_number(st->bg));
    }
    for (int s = 0; s < MAP_STYLES; s++) {
        short area = colour_number(looks_area((looks_style)s));
        init_pair((short)(PAIR_PADDING_OVER + s), colour_number(looks_area(STYLE_PADDING)), area);
        init_pair((short)(PAIR_CHANGED_OVER + s), colour_number(looks_style_of(STYLE_CHANGED)->fg), area);
    }
    /* the fill of live blocks: the block's colour on the default background */
    for (int k = 0; k < SCREEN_LIVE_COLOURS; k++) {
        short colour = colour_number(looks_style_of(STYLE_LIVE0 + k)->bg);
        init_pair((short)(PAIR_LIVE_FILL + k), colour, -1);
        init_pair((short)(PAIR_FREED_NAME + k), colour, -1);
    }
}

/* The attributes that mark a cell the last step changed. */
static attr_t changed_attrs(const tui *t)
{
    const looks_style_spec *st = looks_style_of(STYLE_CHANGED);
    return curses_attrs(t->colour ? st->colour_attrs : st->mono_attrs);
}

/* A live cell without a label, in colour: a solid block of the block's
 * colour (a glyph, not a coloured space, so no terminal can lose it). One
 * the last step changed has a white bar at its foot instead (LOOK_CHANGED
 * on the block's colour); in ASCII it is underlined. */
static attr_t live_fill(const tui *t, const cell *c, bool changed, const char **glyph)
{
    looks_style s = looks_live_style(c->block);
    if (changed && !t->ascii) {
        *glyph = looks_glyph(LOOK_CHANGED, false);
        return COLOR_PAIR(PAIR_CHANGED_OVER + s) | curses_attrs(looks_style_of(STYLE_CHANGED)->colour_attrs & ~LOOKS_UNDERLINE);
    }
    *glyph = looks_glyph(LOOK_LIVE, t->ascii);
    return COLOR_PAIR(PAIR_LIVE_FILL + (s - STYLE_LIVE0)) | curses_attrs(looks_style_of(s)->colour_attrs) |
           (changed ? changed_attrs(t) : 0);
}

static attr_t style_attr(const tui *t, screen_style s)
{
    if (!t->colour)
        return curses_attrs(looks_style_of(s)->mono_attrs);
    return COLOR_PAIR(s + 1) | curses_attrs(looks_style_of(s)->colour_attrs);
}

/* The name of a freed block: in the block's colour on the terminal's
 * ground, a tag in the freed area that matches the block it was (bold
 * and dim without colours). */
static attr_t freed_name_attr(const tui *t, long block)
{
    if (!t->colour)
        return A_BOLD | A_DIM;
    return COLOR_PAIR(PAIR_FREED_NAME + (looks_live_style(block) - STYLE_LIVE0)) | A_BOLD;
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

static bool compare_rebuild(tui *t, bool keep_diff);

/* During playback at fit zoom, a buffer much larger than what the lesson
 * uses is shown from its start to a power of two at least half as much
 * again as the bytes in use (64 at least), in cells as fine as that lets
 * the map have: 72 bytes of a 4096-byte buffer fill the map instead of
 * a row. The cut never moves back for the same allocator, so the picture
 * holds still while the lesson goes on. Not with a zoom the lecturer or
 * the scene chose, nor over several regions. */
static void crop_to_used(tui *t)
{
    session *s = model(t);
    if (!t->playing || t->whole || t->view_zoom || session_zoom(s) || t->grid.region_count != 1) {
        t->crop_bytes = 0;
        return;
    }
    size_t bytes = t->grid.regions[0].bytes, used = cells_used(&t->grid) * t->grid.zoom;
    size_t crop = screen_crop(used, bytes, t->crop_bytes);
    if (crop == 0) {
        t->crop_bytes = 0;
        return;
    }
    t->crop_bytes = crop;
    t->crop_of = bytes;
    if (!cells_build(s, 0, map_capacity(t) * (bytes / crop), &t->grid)) {
        t->grid.count = 0;
        return;
    }
    t->crop_bytes = cells_cut(&t->grid, crop);
}

/* Rebuilds the grid; with keep_diff, cells that differ from the previous
 * grid of the same allocator are marked changed, otherwise none is. */
static void rebuild(tui *t, bool keep_diff)
{
    if (compare_rebuild(t, keep_diff))
        return;
    cells_grid old = t->prev;
    t->prev = t->grid;
    t->grid = old;
    /* one block index serves both grids, following the session frame by frame */
    if (t->grid.blocks == NULL) {
        t->grid.blocks = t->prev.blocks;
        t->prev.blocks = NULL;
    }
    const char *now_shown = session_has_active(model(t)) ? session_active_name(model(t)) : "";
    if (strcmp(now_shown, t->shown_allocator) != 0)
        t->crop_bytes = 0; /* another allocator: its own cut */
    if (!cells_build(model(t), t->view_zoom, map_capacity(t), &t->grid))
        t->grid.count = 0;
    else
        crop_to_used(t);
    t->free_count = t->grid.count ? cells_free_order(model(t), &t->grid, t->free_nodes, TUI_FREE_NODES) : 0;
    if (t->free_count > TUI_FREE_NODES)
        t->free_count = TUI_FREE_NODES;
    cells_unify_free_blocks(&t->grid, t->free_nodes, t->free_count);
    size_t region_cells[CELLS_MAX_REGIONS];
    for (size_t r = 0; r < t->grid.region_count; r++)
        region_cells[r] = t->grid.regions[r].count;
    t->shape = screen_map_shape_strided(&t->lay, region_cells, t->grid.region_count, cells_slot_stride(&t->grid));
    if (t->grid.count > t->changed_cap) {
        bool *grown = realloc(t->changed, t->grid.count * sizeof *grown);
        if (grown == NULL) {
            t->grid.count = 0;
            return;
        }
        t->changed = grown;
        t->changed_cap = t->grid.count;
    }
    /* a change is what differs from the picture shown before, of the same
     * allocator: another allocator, or another zoom, has none; a step that
     * changes nothing (a note, a query, an expect) keeps the last change
     * in sight */
    session *s = model(t);
    const char *name = session_has_active(s) ? session_active_name(s) : "";
    bool same = strcmp(name, t->shown_allocator) == 0;
    snprintf(t->shown_allocator, sizeof t->shown_allocator, "%s", name);
    if (keep_diff && same && cells_grid_equal(&t->prev, &t->grid))
        return;
    if (keep_diff && same)
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

static bool is_caption_step(const player_step *st) { return st->kind == PLAYER_NOTE || st->kind == PLAYER_ASK; }
static int caption_top(const tui *t);
static size_t toc_count(const tui *t);
static size_t toc_step(const tui *t, size_t k);

static int columns_of(const char *s, size_t n);
static int draw_wrapped(int y, int x, int h, int w, const char *text, attr_t a);

static void draw_header(tui *t)
{
    const screen_rect *r = &t->lay.header;
    session *s = model(t);
    fill_row(r->y, r->x, r->w, style_attr(t, STYLE_HEADER));
    if (!session_has_active(s)) { /* (a lesson's start cannot be typed into: no "try") */
        put_text(r->y, 1, r->w - 1,
                 t->pl ? "allocscope: no allocator yet" : "allocscope: no allocator yet (try: new bump 4096)",
                 style_attr(t, STYLE_HEADER));
        return;
    }
    session_stats st;
    session_stats_from_usage(s, &t->grid.usage, &st);
    /* every figure, in fewer columns as the terminal narrows */
    char line[512];
    const char *name = session_active_name(s), *kind = session_active_kind(s);
    for (int form = 0; screen_header_form(&st, name, kind, t->grid.zoom, form, line, sizeof line); form++)
        if (columns_of(line, strlen(line)) <= r->w - 1)
            break;
    put_text(r->y, 1, r->w - 1, line, style_attr(t, STYLE_HEADER) | A_BOLD);
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

/* How cell c looks with the label given (0: none), changed or not. A
 * change is bold and underlined (no role or mark is); a solid block,
 * where an underline cannot show, gets a bar at its foot instead. */
static void face_of(const tui *t, const cell *c, char label, bool changed, cell_face *f)
{
    looks_style st = screen_cell_style(c);
    attr_t a = style_attr(t, st) | curses_attrs(looks_mark_attrs(c->marks));
    if (label)
        a |= A_BOLD;
    f->label[0] = label;
    f->label[1] = '\0';
    f->first = f->fill = label ? f->label : looks_glyph(looks_of_cell(c), t->ascii);
    bool solid = !label && c->role == CELL_LIVE && !t->ascii;
    if (label && c->role == CELL_FREED) {
        a = freed_name_attr(t, c->block);
    } else if (!label && c->role == CELL_LIVE && t->colour) {
        f->attr = live_fill(t, c, changed, &f->first);
        f->fill = f->first;
        return;
    } else if (solid && changed) { /* without colours: a half block, striped against the solid ones */
        f->first = f->fill = looks_glyph(LOOK_CHANGED_PLAIN, false);
        f->attr = A_BOLD;
        return;
    } else if (c->role == CELL_PADDING && t->colour && c->beneath != CELL_PADDING && c->beneath != CELL_UNUSED) {
        /* a coarse cell of mostly something else, with padding in it */
        cell under = {.role = c->beneath, .block = c->block};
        a = (a & ~A_COLOR) | COLOR_PAIR(PAIR_PADDING_OVER + looks_cell_style(&under));
        st = STYLE_COUNT; /* keeps this colour when changed */
    } else if (!label && (c->marks & (CELL_MARK_BOUNDARY | CELL_MARK_FREE_NODE)) &&
               (c->role == CELL_UNUSED || c->role == CELL_FREED)) {
        f->first = looks_glyph(LOOK_SLOT_START, t->ascii);
    }
    if (changed) {
        a |= changed_attrs(t);
        /* white over a dark ground; on the bright ones (metadata, padding)
         * the black glyph stays, bold and underlined */
        if (t->colour && st < MAP_STYLES && st != STYLE_META && st != STYLE_PADDING)
            a = (a & ~A_COLOR) | COLOR_PAIR(PAIR_CHANGED_OVER + st);
    }
    f->attr = a;
}

static void cell_look(const tui *t, size_t i, bool with_label, cell_face *f)
{
    const cell *c = &t->grid.cells[i];
    char label = with_label ? c->label : 0;
    bool changed = t->changed && t->changed[i];
    face_of(t, c, label, changed, f);
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
        if (!cells[i].label || cells[i].block < 0 ||
            (i > 0 && cells[i - 1].block == cells[i].block && cells[i - 1].role == cells[i].role))
            continue;
        size_t run = 1;
        while (i + run < count && cells[i + run].block == cells[i].block && cells[i + run].role == cells[i].role)
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

/* The look of a free block's place in its list: a badge (reverse, bold)
 * no role has. */
static attr_t free_order_attr(const tui *t)
{
    return A_REVERSE | A_BOLD | (t->colour ? COLOR_PAIR(STYLE_TEXT + 1) : 0);
}

/* Writes each free block's place in its list (1: the head) at its first
 * cell in this row, where the block's cells have room for the digits. */
static void write_free_order(const tui *t, size_t first, size_t count, cchar_t *row, size_t cols)
{
    size_t width = (size_t)t->shape.cell_width;
    attr_t a = free_order_attr(t);
    for (size_t i = 0; i < t->free_count; i++) {
        char num[24];
        size_t at = 0, len = screen_free_badge(&t->free_nodes[i], first, count, width, &at, num);
        for (size_t k = 0; k < len && at + k < cols; k++) {
            wchar_t wc[2] = {(wchar_t)num[k], L'\0'};
            setcchar(&row[at + k], wc, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
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
    if (t->free_count)
        write_free_order(t, first, count, row, cols);
    for (size_t done = 0; done < cols; done += 256)
        mvadd_wchnstr(y, x + (int)done, row + done, (int)(cols - done < 256 ? cols - done : 256));
}

/* A row of cells again, under the first: the same looks, without the
 * labels, names and badges (a taller row of the map). */
static void draw_cells_plain(const tui *t, int y, int x, size_t first, size_t count)
{
    enum { ROW = 1024 };
    cchar_t row[ROW];
    size_t width = (size_t)t->shape.cell_width, cols = 0;
    for (size_t i = 0; i < count && cols + width <= ROW; i++) {
        cell_face f;
        cell_look(t, first + i, false, &f);
        for (size_t k = 0; k < width; k++, cols++) {
            wchar_t wc[2] = {glyph_char(k ? f.fill : f.first), L'\0'};
            setcchar(&row[cols], wc, f.attr & ~A_COLOR, (short)PAIR_NUMBER(f.attr), NULL);
        }
    }
    for (size_t done = 0; done < cols; done += 256)
        mvadd_wchnstr(y, x + (int)done, row + done, (int)(cols - done < 256 ? cols - done : 256));
}

/* Puts one legend entry (a swatch and its words) at *x on row *y, or on
 * the next row when it does not fit and bottom allows; false if it could
 * not be put. */
static bool legend_entry(int *y, int x0, int *x, int w, int bottom, const char *swatch, attr_t a, const char *what)
{
    int need = 1 + 1 + columns_of(what, strlen(what));
    if (!screen_legend_place(y, x0, x, w, bottom, need))
        return false;
    *x += put_text(*y, *x, 1, swatch, a);
    *x += put_fmt(*y, *x, x0 + w - *x, A_NORMAL, " %s", what);
    *x += 2;
    return true;
}

/* The legend from the looks table: each look with a legend word drawn as
 * the map draws it, then the marks drawn in a style of their own. Wraps
 * onto further rows down to bottom; returns the last row used. */
static int draw_legend(tui *t, int y, int x, int w, int bottom)
{
    int at = x;
    for (int id = 0; id < LOOK_COUNT; id++) {
        const looks_cell_spec *l = looks_cell_of((looks_id)id);
        const char *what = screen_legend_word(id, &t->grid);
        if (what == NULL)
            continue;
        cell_face f = {style_attr(t, l->style), looks_glyph((looks_id)id, t->ascii), NULL, {0, 0}};
        if (l->role == CELL_LIVE) {
            cell sample = {CELL_LIVE, 0, 0, 0, 0, CELL_LIVE};
            face_of(t, &sample, 0, id == LOOK_CHANGED, &f);
        }
        if (!legend_entry(&y, x, &at, w, bottom, f.first, f.attr, what))
            return y;
    }
    if (t->free_count &&
        !legend_entry(&y, x, &at, w, bottom, "1", free_order_attr(t), "place in its free list (1: the head)"))
        return y;
    size_t n;
    const looks_mark_spec *marks = looks_marks(&n);
    for (size_t i = 0; i < n; i++)
        if (marks[i].style >= 0 && marks[i].legend &&
            !legend_entry(&y, x, &at, w, bottom, " ", style_attr(t, (screen_style)marks[i].style), marks[i].legend))
            return y;
    return y;
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
    used += put_text(y, x + used, 1, looks_glyph(LOOK_PADDING, t->ascii), COLOR_PAIR(PAIR_PADDING_OVER + STYLE_LIVE0));
    put_text(y, x + used, w - used, among, style_attr(t, STYLE_DIM));
}

static void draw_map(tui *t)
{
    const screen_rect *r = &t->lay.map;
    int rows = t->lay.map_rows;
    if (t->grid.region_count == 0) {
        put_text(r->y + 1, 2, r->w - 2, session_has_active(model(t))
                     ? "(this allocator owns no memory yet: it grows on the first allocation)"
                     : t->pl ? "(no allocator is made yet)"
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
    /* a short map fills the pane: rows of cells up to three lines high,
     * with room kept for the legend and the line under the map */
    int tall = screen_row_height(total, rows);
    int k = 0;
    for (; k < rows && t->scroll + (size_t)(k / tall) < total; k++) {
        const map_line *ml = &lines[t->scroll + (size_t)(k / tall)];
        int y = r->y + 1 + k;
        if (ml->region < 0) {
            if (k % tall == 0)
                put_fmt(y, r->x, r->w, style_attr(t, STYLE_DIM), "  ── region %zu: %zu bytes ──", ml->first,
                        ml->count);
            continue;
        }
        if (k % tall) { /* the same cells again, without labels and names */
            draw_cells_plain(t, y, r->x + SCREEN_MAP_PREFIX, ml->first, ml->count);
            continue;
        }
        const cells_region *reg = &t->grid.regions[ml->region];
        size_t at = (ml->first - reg->first) * t->grid.zoom;
        if (session_show_addresses(model(t))) /* the address's last six hex digits */
            put_fmt(y, r->x, SCREEN_MAP_PREFIX, style_attr(t, STYLE_DIM), t->ascii ? "..%06zx " : " …%06zx ",
                    ((size_t)(uintptr_t)reg->base + at) & 0xffffff);
        else
            put_fmt(y, r->x, SCREEN_MAP_PREFIX, style_attr(t, STYLE_DIM), "%7zu ", at);
        draw_cells(t, y, r->x + SCREEN_MAP_PREFIX, ml->first, ml->count);
    }
    if (total > (size_t)rows)
        put_fmt(r->y, r->x + r->w - 22, 22, style_attr(t, STYLE_DIM), "rows %zu-%zu of %zu PgUp/Dn",
                t->scroll + 1, t->scroll + (size_t)rows, total);
    else if (t->crop_bytes && k < rows) /* what the cut leaves out, under the last row */
        put_fmt(r->y + 1 + k++, r->x, r->w, style_attr(t, STYLE_DIM), "%7zu  ... to %zu: not used yet "
                "(w shows the whole buffer)", t->crop_bytes, t->crop_of);
    int legend_y = r->y + 1 + k + (k < rows ? 1 : 0) < r->y + r->h ? r->y + 1 + k + (k < rows ? 1 : 0)
                                                                  : r->y + r->h - 1;
    legend_y = draw_legend(t, legend_y, r->x + 1, r->w - 1, r->y + r->h - 1);
    draw_legend_among(t, legend_y, r->x + 1, r->w - 1, r->y + r->h - 1);
}

/* slack: the block's slack, or SIZE_MAX when blocks carry none (the column then shows align) */
static void table_row(tui *t, int y, size_t i, bool addresses, size_t slack, bool regions)
{
    const screen_rect *r = &t->lay.table;
    session_block b = session_block_at(model(t), i);
    attr_t name = b.live ? style_attr(t, looks_live_style((long)i)) | A_BOLD : freed_name_attr(t, (long)i);
    attr_t rest = b.live ? A_NORMAL : style_attr(t, STYLE_DIM);
    put_fmt(y, r->x + 1, 10, name, "%-10.10s", b.name);
    if (addresses)
        put_fmt(y, r->x + 12, r->w - 12, rest, "%14p %6zu %4zu %-5s", b.ptr, b.size, b.padding,
                b.live ? "live" : "freed");
    else {
        char cols[96];
        screen_table_columns(cols, sizeof cols, &b, regions, slack != SIZE_MAX ? (b.live ? slack : 0) : b.align);
        put_fmt(y, r->x + 12, r->w - 12, rest, "%s", cols);
    }
}

/* The blocks whose slack is looked for, by pointer (sorted), and where
 * their slack goes. */
typedef struct slack_finder {
    const void **ptr;
    size_t *at;              /* ptr[k]'s place in slack */
    size_t *slack;
    size_t n;
} slack_finder;

static int by_pointer(const void *a, const void *b)
{
    uintptr_t p = (uintptr_t)*(const void *const *)a, q = (uintptr_t)*(const void *const *)b;
    return (p > q) - (p < q);
}

static void slack_spans(void *user, const as_span *spans, size_t count)
{
    const slack_finder *f = user;
    for (size_t i = 0; i < count; i++) {
        if (spans[i].kind != AS_SPAN_SLACK || spans[i].block == NULL)
            continue;
        const void **hit = bsearch(&spans[i].block, f->ptr, f->n, sizeof *f->ptr, by_pointer);
        if (hit)
            f->slack[f->at[hit - f->ptr]] += spans[i].len;
    }
}

static void slack_span(void *user, const as_span *sp) { slack_spans(user, sp, 1); }

enum { TABLE_MOST = 1024 }; /* rows of the block table at most */

/* slack[k]: the bytes of slack handed out with live block idx[k] (n <=
 * TABLE_MOST; slack comes right after a block's bytes, allocator.h): only
 * the spans at each block's end when the allocator can inspect a range,
 * else one walk of them all. */
static void table_slack(const session *s, const size_t *idx, size_t n, size_t *slack)
{
    struct pair {
        const void *ptr;
        size_t k;
    } pairs[TABLE_MOST];
    const void *ptr[TABLE_MOST];
    size_t at[TABLE_MOST];
    as_instance in = session_active_instance(s);
    memset(slack, 0, n * sizeof *slack);
    if (n == 0 || in.a.ctx == NULL)
        return;
    for (size_t k = 0; k < n; k++)
        pairs[k] = (struct pair){session_block_ptr_at(s, idx[k], &(bool){false}), k};
    if (in.probe->inspect_range) {
        for (size_t k = 0; k < n; k++) {
            session_block b = session_block_at(s, idx[k]);
            slack_finder f = {&pairs[k].ptr, &(size_t){0}, &slack[k], 1};
            as_inspector ins = {.span = slack_span, .spans = slack_spans, .user = &f};
            in.probe->inspect_range(in.a.ctx, b.region, b.offset, b.offset + b.size + 1, &ins);
        }
        return;
    }
    qsort(pairs, n, sizeof *pairs, by_pointer); /* by ptr, its first member */
    for (size_t k = 0; k < n; k++)
        ptr[k] = pairs[k].ptr, at[k] = pairs[k].k;
    slack_finder f = {ptr, at, slack, n};
    as_inspector ins = {.span = slack_span, .spans = slack_spans, .user = &f};
    in.probe->inspect(in.a.ctx, &ins);
}

/* The block table: live blocks first, then freed ones, the newest of each
 * when they do not all fit; addresses instead of offsets after `show
 * addresses`. The newest are found from the end: O(rows) for a table
 * whose newest blocks are live, whatever the number of blocks. */
static void draw_table(tui *t)
{
    const screen_rect *r = &t->lay.table;
    if (r->h < 2 || r->w < 20)
        return;
    session *s = model(t);
    bool addresses = session_show_addresses(s), regions = t->grid.region_count > 1;
    size_t n = session_block_count(s);
    /* where blocks carry slack (free list, buddy, pool), its column takes align's place */
    bool slack = t->grid.usage.slack_bytes > 0;
    if (addresses)
        put_fmt(r->y, r->x + 1, r->w - 1, A_BOLD | A_UNDERLINE, "%-10s %14s %6s %4s %-5s", "block", "address",
                "size", "pad", "state");
    else
        put_fmt(r->y, r->x + 1, r->w - 1, A_BOLD | A_UNDERLINE, "%-10s %7s %6s %5s %4s %-5s", "block",
                regions ? "reg:off" : "offset", "size", slack ? "slack" : "align", "pad", "state");
    size_t rows = (size_t)r->h - 1;
    if (rows > TABLE_MOST)
        rows = TABLE_MOST;
    /* the newest `rows` live blocks, newest first; the newest freed ones while fewer are live */
    size_t live[TABLE_MOST], freed[TABLE_MOST], nl = 0, nf = 0;
    for (size_t i = n; i-- > 0 && nl < rows;) {
        bool is_live;
        session_block_ptr_at(s, i, &is_live);
        if (is_live)
            live[nl++] = i;
        else if (nf < rows)
            freed[nf++] = i;
    }
    size_t show_live = nl, show_freed = nl < rows ? (nf < rows - nl ? nf : rows - nl) : 0;
    size_t shown[TABLE_MOST], slack_of[TABLE_MOST];
    for (size_t k = 0; k < show_live; k++)
        shown[k] = live[show_live - 1 - k]; /* oldest first */
    if (slack && !addresses)
        table_slack(s, shown, show_live, slack_of);
    int y = r->y + 1;
    for (size_t k = 0; k < show_live; k++)
        table_row(t, y++, shown[k], addresses, slack ? slack_of[k] : SIZE_MAX, regions);
    for (size_t k = show_freed; k-- > 0;)
        table_row(t, y++, freed[k], addresses, slack ? 0 : SIZE_MAX, regions);
    if (n == 0)
        put_text(r->y + 1, r->x + 1, r->w - 1, "(no blocks yet)", style_attr(t, STYLE_DIM));
}

/* A character's columns on the terminal (wcwidth; a byte that is no
 * character counts as one column, as a '?'). */
static int terminal_width(const char *s, size_t *bytes)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    wchar_t wc;
    size_t k = mbrtowc(&wc, s, MB_CUR_MAX, &st);
    if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
        k = 1, wc = L'?';
    *bytes = k;
    return wcwidth(wc) < 0 ? 1 : wcwidth(wc);
}

static size_t wrap_line(const char *text, int w, const char **next)
{
    return screen_wrap_line(text, w, terminal_width, next);
}

/* Lines text takes wrapped at w columns. */
static int wrapped_lines(const char *text, int w) { return screen_wrapped_lines(text, w, terminal_width); }

/* Word-wraps text into the rectangle; returns the rows used. */
static int draw_wrapped(int y, int x, int h, int w, const char *text, attr_t a)
{
    const char *p = text;
    int row = 0;
    for (; row < h && *p && w > 0; row++) {
        const char *next;
        size_t n = wrap_line(p, w, &next);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        put_text(y + row, x, w, line, a);
        p = next;
    }
    return row;
}

/* The warnings, newest first under the heading, each wrapped whole
 * (words kept whole) and written once: a message that begins with its own
 * kind does not get it twice. What does not fit is counted at the end. */
static void draw_warnings(tui *t)
{
    const screen_rect *r = &t->lay.warnings;
    if (r->h < 2 || r->w < 20)
        return;
    session *s = model(t);
    size_t n = session_warning_count(s);
    put_fmt(r->y, r->x + 1, r->w - 1, A_BOLD | A_UNDERLINE, "warnings (%zu)%s", n, n > 1 ? " newest first" : "");
    bool flashing = now_ms() < t->flash_until;
    int y = r->y + 1, bottom = r->y + r->h, width = r->w - 2;
    for (size_t i = n; i-- > 0;) {
        session_warning w = session_warning_at(s, i);
        char text[512];
        screen_warning_text(s, &w, text, sizeof text);
        int lines = wrapped_lines(text, width);
        bool last_row_needed = i > 0; /* room for the count of the rest */
        bool fresh = i >= t->seen_warnings;
        attr_t a = style_attr(t, fresh ? (flashing ? STYLE_WARNING_NEW : STYLE_ERROR) : STYLE_WARNING);
        if (y + lines > bottom - (last_row_needed ? 1 : 0) && y < bottom) {
            /* the newest is too long for a small pane: its first lines,
             * marked cut, rather than only a count of what is hidden */
            int room = bottom - y - (last_row_needed ? 1 : 0);
            if (i + 1 == n && room > 0) {
                y += draw_wrapped(y, r->x + 1, room, width, text, a);
                put_text(y - 1, r->x + width, 1, t->ascii ? ">" : "…", a);
                if (i > 0)
                    put_fmt(y, r->x + 1, width, style_attr(t, STYLE_DIM), "(%zu older not shown)", i);
                break;
            }
            put_fmt(y, r->x + 1, width, style_attr(t, STYLE_DIM), "(%zu older not shown)", i + 1);
            break;
        }
        y += draw_wrapped(y, r->x + 1, bottom - y, width, text, a);
    }
    if (n == 0)
        put_text(r->y + 1, r->x + 1, r->w - 1, "(none)", style_attr(t, STYLE_DIM));
}

/* The caption: the scene's last note, bold on its band, every line of it
 * (the layout gives the band the lines the scene's longest note needs),
 * centred in the band's height. */
static void draw_caption(tui *t)
{
    const screen_rect *r = &t->lay.caption;
    if (r->h == 0 || t->pl == NULL)
        return;
    attr_t a = style_attr(t, STYLE_CAPTION);
    for (int k = 0; k < r->h; k++)
        fill_row(r->y + k, r->x, r->w, a);
    char cap[PARSE_MAX_LINE + 64];
    snprintf(cap, sizeof cap, "%s%s", t->asked ? "Predict: " : "", player_caption(t->pl));
    int w = r->w - 4, top = caption_top(t);
    draw_wrapped(r->y + top, r->x + 2, r->h - top, w, cap, a | A_BOLD);
}

/* Rows of the caption band above the caption's text (it is centred). */
static int caption_top(const tui *t)
{
    const screen_rect *r = &t->lay.caption;
    char cap[PARSE_MAX_LINE + 64];
    snprintf(cap, sizeof cap, "%s%s", t->asked ? "Predict: " : "", player_caption(t->pl));
    int lines = wrapped_lines(cap, r->w - 4);
    return lines < r->h ? (r->h - lines) / 2 : 0;
}

/* Lines the longest note of the scene takes in a caption of cols columns. */
static int caption_lines(const tui *t, int cols)
{
    int most = 1;
    for (size_t i = 0; t->pl && i < player_length(t->pl); i++) {
        const player_step *st = player_step_at(t->pl, i);
        if (st->kind != PLAYER_NOTE && st->kind != PLAYER_ASK)
            continue;
        char text[PARSE_MAX_LINE + 64];
        snprintf(text, sizeof text, "%s%s", st->kind == PLAYER_ASK ? "Predict: " : "", player_step_caption(st));
        int n = wrapped_lines(text, cols - 4 > 1 ? cols - 4 : 1);
        most = n > most ? n : most;
    }
    return most;
}

/* ---- key bindings ---- */

/* The modes keys are read in. */
typedef enum key_mode { MODE_PLAYBACK, MODE_GO_TO, MODE_TOC, MODE_PROMPT, MODE_ANSWER, MODE_COUNT } key_mode;

static const char *const mode_titles[MODE_COUNT] = {
    [MODE_PLAYBACK] = "playback keys",
    [MODE_GO_TO] = "after g",
    [MODE_TOC] = "in the list of notes (t)",
    [MODE_PROMPT] = "at the prompt",
    [MODE_ANSWER] = "in a long answer (it opens over the map)",
};

typedef enum key_action {
    ACT_EDIT,       /* the prompt's: readline edits the line */
    ACT_PLAY, ACT_NEXT, ACT_PREV, ACT_NEXT_MARK, ACT_PREV_MARK, ACT_NEXT_FAILURE, ACT_FASTER, ACT_SLOWER, ACT_GO_TO,
    ACT_PAUSE, ACT_HELP, ACT_QUIT, ACT_MAP_UP, ACT_MAP_DOWN, ACT_ZOOM_IN, ACT_ZOOM_OUT, ACT_ZOOM_FIT, ACT_CANCEL_LINE,
    ACT_PAGE_UP, ACT_PAGE_DOWN, ACT_LINE_UP, ACT_LINE_DOWN, ACT_TOP, ACT_BOTTOM, ACT_CLOSE,
    ACT_DIGIT, ACT_GO, ACT_GO_CANCEL, ACT_GO_ERASE,
    ACT_TOC, ACT_TOC_UP, ACT_TOC_DOWN, ACT_TOC_PAGE_UP, ACT_TOC_PAGE_DOWN, ACT_TOC_GO, ACT_TOC_CLOSE,
    ACT_CLEAN, ACT_WHOLE,
} key_action;

#define KEY_DIGIT (-2) /* a row for any of 0-9 */

/* A key of a mode. name: how the help and hint write it (NULL: an alias
 * left out of both). hint: its word in the hint line, where neighbouring
 * hinted rows with the same word share one entry. help: starts a line of
 * the help screen, which the following rows without help join. */
typedef struct key_binding {
    key_mode mode;
    int key;
    const char *name;
    key_action action;
    const char *hint, *help;
} key_binding;

static const key_binding key_table[] = {
    {MODE_PLAYBACK, ' ', "space", ACT_PLAY, "play/pause",
     "play / pause (also: go on after a pause, or reveal after a question)"},
    {MODE_PLAYBACK, KEY_LEFT, "<-", ACT_PREV, "step", "previous step (the state is rebuilt exactly)"},
    {MODE_PLAYBACK, 'p', "p", ACT_PREV, NULL, NULL},
    {MODE_PLAYBACK, ',', ",", ACT_PREV, NULL, NULL},
    {MODE_PLAYBACK, KEY_RIGHT, "->", ACT_NEXT, "step", "next step"},
    {MODE_PLAYBACK, 'n', "n", ACT_NEXT, NULL, NULL},
    {MODE_PLAYBACK, '.', ".", ACT_NEXT, NULL, NULL},
    {MODE_PLAYBACK, '[', "[", ACT_PREV_MARK, "notes", "previous / next note or pause"},
    {MODE_PLAYBACK, ']', "]", ACT_NEXT_MARK, "notes", NULL},
    {MODE_PLAYBACK, '}', "}", ACT_NEXT_FAILURE, NULL, "play to the next failure (an error or a new warning)"},
    {MODE_PLAYBACK, 't', "t", ACT_TOC, "notes", "the list of notes: choose one, Enter goes there"},
    {MODE_PLAYBACK, '+', "+", ACT_FASTER, "speed", "faster / slower"},
    {MODE_PLAYBACK, '=', NULL, ACT_FASTER, NULL, NULL},
    {MODE_PLAYBACK, '-', "-", ACT_SLOWER, "speed", NULL},
    {MODE_PLAYBACK, '_', NULL, ACT_SLOWER, NULL, NULL},
    {MODE_PLAYBACK, 'g', "g", ACT_GO_TO, "go to", "go to a step: its number, then Enter"},
    {MODE_PLAYBACK, 'c', "c", ACT_CLEAN, NULL, "clean picture: hide / show the block table and warnings"},
    {MODE_PLAYBACK, KEY_CTRL('c'), "Ctrl-C", ACT_PAUSE, NULL, "pause"},
    {MODE_PLAYBACK, KEY_PPAGE, "PgUp", ACT_MAP_UP, NULL, "scroll the map"},
    {MODE_PLAYBACK, KEY_NPAGE, "PgDn", ACT_MAP_DOWN, NULL, NULL},
    {MODE_PLAYBACK, 'z', "z", ACT_ZOOM_IN, NULL, "zoom in / out (fewer / more bytes a cell), back to fit"},
    {MODE_PLAYBACK, 'Z', "Z", ACT_ZOOM_OUT, NULL, NULL},
    {MODE_PLAYBACK, 'f', "f", ACT_ZOOM_FIT, NULL, NULL},
    {MODE_PLAYBACK, 'w', "w", ACT_WHOLE, NULL, "the whole buffer / just the part in use (the default)"},
    {MODE_PLAYBACK, '?', "?", ACT_HELP, "help", "this help"},
    {MODE_PLAYBACK, 'q', "q", ACT_QUIT, "quit", "quit"},
    {MODE_PLAYBACK, 'Q', NULL, ACT_QUIT, NULL, NULL},

    {MODE_GO_TO, KEY_DIGIT, "0-9", ACT_DIGIT, "step number", "the step's number"},
    {MODE_GO_TO, '\n', "Enter", ACT_GO, "go", "go there"},
    {MODE_GO_TO, '\r', NULL, ACT_GO, NULL, NULL},
    {MODE_GO_TO, KEY_ENTER, NULL, ACT_GO, NULL, NULL},
    {MODE_GO_TO, KEY_BACKSPACE, "Backspace", ACT_GO_ERASE, NULL, "erase a digit"},
    {MODE_GO_TO, 127, NULL, ACT_GO_ERASE, NULL, NULL},
    {MODE_GO_TO, 27, "Esc", ACT_GO_CANCEL, "cancel", "stay where you are"},
    {MODE_GO_TO, KEY_CTRL('c'), "Ctrl-C", ACT_GO_CANCEL, NULL, NULL},

    {MODE_TOC, KEY_UP, "Up", ACT_TOC_UP, "choose", "previous / next note"},
    {MODE_TOC, 'k', NULL, ACT_TOC_UP, NULL, NULL},
    {MODE_TOC, KEY_DOWN, "Down", ACT_TOC_DOWN, "choose", NULL},
    {MODE_TOC, 'j', NULL, ACT_TOC_DOWN, NULL, NULL},
    {MODE_TOC, KEY_PPAGE, "PgUp", ACT_TOC_PAGE_UP, NULL, "a page up / down"},
    {MODE_TOC, KEY_NPAGE, "PgDn", ACT_TOC_PAGE_DOWN, NULL, NULL},
    {MODE_TOC, '\n', "Enter", ACT_TOC_GO, "go", "go to that note"},
    {MODE_TOC, '\r', NULL, ACT_TOC_GO, NULL, NULL},
    {MODE_TOC, KEY_ENTER, NULL, ACT_TOC_GO, NULL, NULL},
    {MODE_TOC, 27, "Esc", ACT_TOC_CLOSE, "close", "close the list, stay where you are"},
    {MODE_TOC, 't', "t", ACT_TOC_CLOSE, NULL, NULL},
    {MODE_TOC, 'q', "q", ACT_TOC_CLOSE, NULL, NULL},

    {MODE_PROMPT, '\t', "Tab", ACT_EDIT, NULL, "complete (twice: list the choices)"},
    {MODE_PROMPT, KEY_UP, "Up", ACT_EDIT, NULL, "previous / next line of the history"},
    {MODE_PROMPT, KEY_DOWN, "Down", ACT_EDIT, NULL, NULL},
    {MODE_PROMPT, KEY_CTRL('c'), "Ctrl-C", ACT_CANCEL_LINE, NULL, "drop the line; stops a long trace or source"},
    {MODE_PROMPT, KEY_PPAGE, "PgUp", ACT_MAP_UP, NULL, "scroll the map"},
    {MODE_PROMPT, KEY_NPAGE, "PgDn", ACT_MAP_DOWN, NULL, NULL},
    {MODE_PROMPT, KEY_F(1), "F1", ACT_HELP, NULL, "this help"},
    {MODE_PROMPT, KEY_CTRL('d'), "Ctrl-D", ACT_EDIT, NULL, "leave (on an empty line; or type quit)"},

    {MODE_ANSWER, KEY_PPAGE, "PgUp", ACT_PAGE_UP, "scroll", "scroll a page"},
    {MODE_ANSWER, KEY_NPAGE, "PgDn", ACT_PAGE_DOWN, "scroll", NULL},
    {MODE_ANSWER, KEY_UP, "Up", ACT_LINE_UP, "scroll", "scroll a line"},
    {MODE_ANSWER, KEY_DOWN, "Down", ACT_LINE_DOWN, "scroll", NULL},
    {MODE_ANSWER, KEY_HOME, "Home", ACT_TOP, "scroll", "first / last lines"},
    {MODE_ANSWER, KEY_END, "End", ACT_BOTTOM, "scroll", NULL},
    {MODE_ANSWER, 27, "Esc", ACT_CLOSE, NULL, "close it; any other key closes it and is kept"},
    {MODE_ANSWER, ' ', "space", ACT_CLOSE, NULL, NULL},
    {MODE_ANSWER, 'q', "q", ACT_CLOSE, NULL, NULL},
    {MODE_ANSWER, '\n', "Enter", ACT_CLOSE, NULL, NULL},
    {MODE_ANSWER, '\r', NULL, ACT_CLOSE, NULL, NULL},
};

#define KEY_TABLE_SIZE (sizeof key_table / sizeof key_table[0])

/* The binding of key c in mode m, or NULL. */
static const key_binding *binding_of(key_mode m, int c)
{
    for (size_t i = 0; i < KEY_TABLE_SIZE; i++) {
        const key_binding *b = &key_table[i];
        if (b->mode == m && (b->key == c || (b->key == KEY_DIGIT && c >= '0' && c <= '9')))
            return b;
    }
    return NULL;
}

/* The hint line of mode m: "space play/pause  <- -> step ...". */
static void hint_of(key_mode m, strbuf *out)
{
    const char *last = NULL;
    for (size_t i = 0; i < KEY_TABLE_SIZE; i++) {
        const key_binding *b = &key_table[i];
        if (b->mode != m || b->hint == NULL || b->name == NULL)
            continue;
        if (last && strcmp(last, b->hint) == 0)
            sb_addc(out, ' ');
        else if (last)
            sb_printf(out, " %s  ", last);
        sb_add(out, b->name);
        last = b->hint;
    }
    if (last)
        sb_printf(out, " %s", last);
}

/* The help screen's lines for mode m, one per key group. */
static void help_of(key_mode m, strbuf *out)
{
    sb_printf(out, "%s\n", mode_titles[m]);
    for (size_t i = 0; i < KEY_TABLE_SIZE; i++) {
        const key_binding *b = &key_table[i];
        if (b->mode != m || b->help == NULL)
            continue;
        char names[64] = "";
        size_t len = 0;
        for (size_t k = i; k < KEY_TABLE_SIZE && key_table[k].mode == m && (k == i || key_table[k].help == NULL);
             k++)
            if (key_table[k].name && len < sizeof names)
                len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", len ? " " : "", key_table[k].name);
        sb_printf(out, "  %-12s %s\n", names, b->help);
    }
}

/* What curses keys are to readline: the bytes a terminal would send. */
static const struct {
    int key;
    const char *bytes;
} readline_keys[] = {
    {KEY_LEFT, "\033[D"}, {KEY_RIGHT, "\033[C"}, {KEY_UP, "\033[A"},    {KEY_DOWN, "\033[B"},
    {KEY_HOME, "\001"},   {KEY_END, "\005"},     {KEY_DC, "\033[3~"},   {KEY_BACKSPACE, "\177"},
    {KEY_ENTER, "\n"},
};

/* Hands key c to readline; keys with no bytes are dropped. */
static void feed_readline(int c)
{
    for (size_t i = 0; i < sizeof readline_keys / sizeof readline_keys[0]; i++)
        if (readline_keys[i].key == c) {
            repl_feed(readline_keys[i].bytes, strlen(readline_keys[i].bytes));
            return;
        }
    if (c > 0 && c < 256) {
        char b = (char)c;
        repl_feed(&b, 1);
    }
}

/* Escape sequences a terminal may send that its terminfo entry does not
 * list (tmux sends ESC [ 1 ~ and ESC [ 4 ~ for Home and End whatever
 * TERM says): after ESC, what follows. */
static const struct {
    const char *seq;
    int key;
} escape_keys[] = {
    {"[A", KEY_UP},    {"[B", KEY_DOWN},  {"[C", KEY_RIGHT}, {"[D", KEY_LEFT},  {"OA", KEY_UP},
    {"OB", KEY_DOWN},  {"OC", KEY_RIGHT}, {"OD", KEY_LEFT},  {"[H", KEY_HOME},  {"[F", KEY_END},
    {"OH", KEY_HOME},  {"OF", KEY_END},   {"[1~", KEY_HOME}, {"[7~", KEY_HOME}, {"[4~", KEY_END},
    {"[8~", KEY_END},  {"[2~", KEY_IC},   {"[3~", KEY_DC},   {"[5~", KEY_PPAGE}, {"[6~", KEY_NPAGE},
};

#define ESCAPE_WAIT_MS 25

/* The next key, with escape sequences read whole: one that curses did not
 * recognise becomes its key from escape_keys, or is dropped (ERR), so no
 * byte of it ends up in the line. ESC and another key (Alt-x) stays two
 * keys. Waits up to wait ms (-1: forever) for the first byte. */
static int read_key(tui *t, int wait)
{
    if (t->pending_key != ERR) {
        int c = t->pending_key;
        t->pending_key = ERR;
        return c;
    }
    timeout(wait);
    int c = getch();
    if (c != 27)
        return c;
    timeout(ESCAPE_WAIT_MS);
    int intro = getch();
    if (intro == ERR)
        return 27;
    if (intro != '[' && intro != 'O') {
        t->pending_key = intro;
        return 27;
    }
    char seq[16] = {(char)intro};
    size_t n = 1;
    for (;;) {
        int b = getch();
        if (b == ERR)
            return ERR; /* cut short: dropped */
        if (b < 0x20 || b > 0x7e) {
            t->pending_key = b; /* not part of a sequence */
            return ERR;
        }
        if (n < sizeof seq - 1)
            seq[n++] = (char)b;
        if (intro == 'O' || (b >= 0x40 && b <= 0x7e))
            break;
    }
    seq[n] = '\0';
    for (size_t i = 0; i < sizeof escape_keys / sizeof escape_keys[0]; i++)
        if (strcmp(seq, escape_keys[i].seq) == 0)
            return escape_keys[i].key;
    return ERR;
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
    if (t->playing) /* the speed: the default pace is 1x */
        x += put_fmt(r->y, 1 + x, r->w - 1 - x, style_attr(t, STYLE_DIM), "%.2gx  ",
                     (double)PLAYER_PACE_MS / (double)t->delay_ms);
    int cmd_x = x;
    strbuf hint;
    sb_init(&hint);
    if (!t->playing)
        sb_add(&hint, "scene finished: the prompt runs on this state");
    else if (t->notice[0] && !t->go_to)
        sb_add(&hint, t->notice);
    else if (t->toc)
        hint_of(MODE_TOC, &hint);
    else if (t->asked)
        sb_add(&hint, "predict, then space or -> reveals the answer");
    else
        hint_of(t->go_to ? MODE_GO_TO : MODE_PLAYBACK, &hint);
    bool loud = (t->notice[0] || t->asked) && !t->toc;
    int hw = columns_of(sb_str(&hint), strlen(sb_str(&hint)));
    /* The step's command is said whole: the key hints give way to "<- ->
     * step  ? keys" or "? keys" for it, and only a command wider than that
     * room is cut, with a mark that says so (a cut "alloc 40 align 1"
     * would say a false thing). A note, which its caption says whole, is
     * cut to leave the hints be. */
    int cw = columns_of(cmd, strlen(cmd)), full = r->w - 1 - cmd_x - hw - 4, short_room = r->w - 1 - cmd_x - 12;
    bool captioned = strncmp(cmd, "note ", 5) == 0; /* (the caption says it whole) */
    bool keys_fit = cw <= full || loud || t->go_to || captioned;
    int cmd_w = keys_fit ? (full > cw ? cw : full < 10 ? 10 : full) : short_room;
    if (captioned && !loud && !t->go_to && full < 10) { /* no room for all the keys: up to the steps' keys */
        int step_room = r->w - 1 - cmd_x - 26;
        cmd_w = cw < step_room ? cw : step_room > 10 ? step_room : 10;
    }
    attr_t cmd_attr = player_failed(t->pl) ? style_attr(t, STYLE_ERROR) : A_NORMAL;
    if (cw > cmd_w && cmd_w > 1) {
        x += put_text(r->y, 1 + x, cmd_w - 1, cmd, cmd_attr);
        x += put_text(r->y, 1 + x, 1, t->ascii ? ">" : "…", cmd_attr);
    } else {
        x += put_text(r->y, 1 + x, cmd_w, cmd, cmd_attr);
    }
    if (t->go_to)
        put_fmt(r->y, r->w - hw - 20, hw + 19, A_BOLD, "go to step: %-6s %s", t->go_buf, sb_str(&hint));
    else if (loud && t->playing) { /* said whole, over the command if need be */
        int nx = r->w - hw - 1 > 2 ? r->w - hw - 1 : 2;
        fill_row(r->y, nx - 2, r->w - nx + 2, A_NORMAL);
        put_text(r->y, nx, r->w - nx, sb_str(&hint), A_BOLD);
    }
    else if (x + hw + 4 < r->w)
        put_text(r->y, r->w - hw - 1, hw, sb_str(&hint), style_attr(t, STYLE_DIM));
    else if (t->playing && !t->toc && !t->asked && x + 25 < r->w) /* no room for them all: the steps, and where the rest are */
        put_text(r->y, r->w - 21, 20, "<- -> step  ? keys", style_attr(t, STYLE_DIM));
    else if (x + 12 < r->w)
        put_text(r->y, r->w - 9, 8, "? keys", style_attr(t, STYLE_DIM));
    sb_free(&hint);
}

/* During playback an answer longer than the answer pane (stats, blocks,
 * show, layout, bins ...) is drawn whole in a box that rises from the
 * caption over the foot of the map and side panes, as high as it needs
 * (the top of the map, with the ruler, stays). False if it fits the pane. */
static bool draw_play_answer(tui *t)
{
    const char *text = sb_str(&t->play_answer);
    int w = COLS - 2, lines = wrapped_lines(text, w);
    if (lines <= t->lay.answer.h)
        return false;
    /* the box ends above the caption's text: the band's empty rows above
     * it are the box's if it needs them */
    int bottom = t->lay.caption.h ? t->lay.caption.y + caption_top(t) : t->lay.status.y;
    int top_limit = t->lay.map.y + 2, h = lines + 1; /* the ruler and a row of the map stay */
    if (bottom - h < top_limit)
        h = bottom - top_limit;
    if (h < 2)
        return false;
    int y = bottom - h;
    attr_t a = t->play_failed ? style_attr(t, STYLE_ERROR) : A_NORMAL;
    for (int k = 0; k < h; k++)
        fill_row(y + k, 0, COLS, A_NORMAL);
    size_t j = t->play_step;
    char title[160];
    snprintf(title, sizeof title, " answer of step %zu: %s", j, j ? player_step_at(t->pl, j - 1)->text : "");
    title[strcspn(title, "\n")] = '\0';
    fill_row(y, 0, COLS, A_REVERSE);
    put_text(y, 0, COLS - 1, title, A_REVERSE | A_BOLD);
    const char *p = text;
    int row = y + 1 + draw_wrapped(y + 1, 1, h - 1, w, p, a);
    for (int k = y + 1; k < row; k++) /* skip what was drawn */
        wrap_line(p, w, &p);
    /* what the box cannot hold goes on under the status line, where the
     * prompt and the answer pane are idle during playback */
    int below = t->lay.prompt.y, end = t->lay.answer.y + t->lay.answer.h;
    if (*p && below + 1 < end)
        put_text(below++, 1, w, "(continued)", style_attr(t, STYLE_DIM));
    int left = wrapped_lines(p, w);
    if (left > end - below) {
        draw_wrapped(below, 1, end - below - 1, w, p, a);
        put_fmt(end - 1, 1, w, style_attr(t, STYLE_DIM), "(%d more lines)", left - (end - below - 1));
    } else {
        draw_wrapped(below, 1, end - below, w, p, a);
    }
    return true;
}

/* The rows the REPL's answer takes in its pane, wrapped at its width. */
static int answer_rows(const tui *t) { return wrapped_lines(sb_str(&t->answer), t->lay.answer.w - 2); }

static void draw_answer(tui *t)
{
    const screen_rect *r = &t->lay.answer;
    const char *text = *repl_matches() ? repl_matches() : sb_str(&t->answer);
    attr_t a = t->answer_error ? style_attr(t, STYLE_ERROR) : A_NORMAL;
    if (t->pl && t->playing) {
        if (draw_play_answer(t))
            return; /* long: drawn whole above the caption */
        text = sb_str(&t->play_answer), a = t->play_failed ? style_attr(t, STYLE_ERROR) : A_NORMAL;
    } else if (t->overlay)
        text = "(the answer is open above the map)";
    draw_wrapped(r->y, 1, r->h, r->w - 2, text, a); /* (whole: longer ones open the overlay) */
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
    /* a long line scrolls so that the cursor stays in sight: one pass
     * over it (a pasted line of 10,000 characters is drawn at once) */
    size_t skip = 0, at = repl_cursor();
    int skipped = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    while (cursor - skipped >= width && skip < at) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, line + skip, at - skip, &st);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            k = 1, wc = L'?';
            memset(&st, 0, sizeof st);
        }
        int cw = wcwidth(wc);
        skipped += cw > 0 ? cw : 1;
        skip += k;
    }
    put_text(r->y, pw, width, line + skip, A_NORMAL);
    *cy = r->y;
    *cx = pw + cursor - skipped;
}

/* The help screen, from the key table: the keys of the mode in use
 * first, then the others while they fit. */
static void draw_help(tui *t)
{
    strbuf text;
    sb_init(&text);
    static const key_mode playing[] = {MODE_PLAYBACK, MODE_GO_TO, MODE_TOC, MODE_PROMPT, MODE_ANSWER};
    static const key_mode prompting[] = {MODE_PROMPT, MODE_ANSWER, MODE_PLAYBACK, MODE_GO_TO, MODE_TOC};
    for (int m = 0; m < MODE_COUNT; m++) {
        if (m)
            sb_addc(&text, '\n');
        help_of(t->playing ? playing[m] : prompting[m], &text);
    }
    int h = LINES - 2 < (int)sb_count_lines(sb_str(&text)) + 3 ? LINES - 2 : (int)sb_count_lines(sb_str(&text)) + 3;
    int w = COLS - 2 < 76 ? COLS - 2 : 76;
    int y = (LINES - h) / 2, x = (COLS - w) / 2;
    if (y < 0 || x < 0 || h < 4) {
        sb_free(&text);
        return;
    }
    attr_t a = style_attr(t, STYLE_CAPTION);
    for (int k = 0; k < h; k++)
        fill_row(y + k, x, w, a);
    const char *p = sb_str(&text);
    for (int k = 0; k < h - 3 && *p; k++) {
        bool title = *p != ' ';
        put_text(y + 1 + k, x + 2, w - 4, p, a | (title ? A_BOLD : 0));
        p += strcspn(p, "\n");
        if (*p == '\n')
            p++;
    }
    put_text(y + h - 2, x + 2, w - 4, *p ? "(more keys do not fit)   press any key" : "press any key", a);
    sb_free(&text);
}

/* The table of contents: the scene's notes, one a line with the step
 * each starts, the one in force marked, the chosen one in reverse. */
static void draw_toc(tui *t)
{
    size_t n = toc_count(t);
    int h = LINES - 4, w = COLS - 4;
    if (h < 4 || w < 20 || n == 0)
        return;
    int y = 2, x = 2, rows = h - 3;
    attr_t a = style_attr(t, STYLE_CAPTION);
    for (int k = 0; k < h; k++) {
        fill_row(y + k, 0, COLS, A_NORMAL); /* (the margins too: no stray letter of the screen beneath) */
        fill_row(y + k, x, w, a);
    }
    const char *name = strrchr(player_name(t->pl), '/');
    put_fmt(y, x + 2, w - 4, a | A_BOLD, "notes of %s (%zu)", name ? name + 1 : player_name(t->pl), n);
    size_t first = t->toc_sel >= (size_t)rows ? t->toc_sel - (size_t)rows + 1 : 0;
    size_t pos = player_position(t->pl);
    for (int k = 0; k < rows && first + (size_t)k < n; k++) {
        size_t note = first + (size_t)k, i = toc_step(t, note);
        const player_step *st = player_step_at(t->pl, i);
        bool here = i < pos && (note + 1 == n || toc_step(t, note + 1) >= pos);
        attr_t la = note == t->toc_sel ? a | A_REVERSE | A_BOLD : a;
        fill_row(y + 1 + k, x + 1, w - 2, la);
        put_fmt(y + 1 + k, x + 1, w - 2, la, "%s step %-4zu %s%s", here ? ">" : " ", i + 1,
                st->kind == PLAYER_ASK ? "Predict: " : "", player_step_caption(st));
    }
    strbuf hint;
    sb_init(&hint);
    hint_of(MODE_TOC, &hint);
    put_text(y + h - 1, x + 2, w - 4, sb_str(&hint), a);
    sb_free(&hint);
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
    size_t total = (size_t)wrapped_lines(text, w - 2), rows = overlay_rows(); /* (lines as wrapped) */
    if (t->overlay_first + rows > total)
        t->overlay_first = total > rows ? total - rows : 0;
    size_t last = t->overlay_first + rows < total ? t->overlay_first + rows : total;
    strbuf hint;
    sb_init(&hint);
    if (total > rows)
        hint_of(MODE_ANSWER, &hint);
    /* the heading whole: the keys said shorter where the screen is narrow */
    char head[3][256];
    snprintf(head[0], sizeof head[0], "answer: lines %zu-%zu of %zu   %s%s", t->overlay_first + 1, last, total,
             sb_str(&hint), total > rows ? ", any other key closes (and is kept)" : "any key closes (and is kept)");
    snprintf(head[1], sizeof head[1], "answer: lines %zu-%zu of %zu   %s", t->overlay_first + 1, last, total,
             total > rows ? "PgUp PgDn Up Down scroll, other keys close" : "any key closes");
    snprintf(head[2], sizeof head[2], "lines %zu-%zu of %zu  %s", t->overlay_first + 1, last, total,
             total > rows ? "PgUp PgDn, other keys close" : "any key closes");
    int pick = 0;
    while (pick < 2 && columns_of(head[pick], strlen(head[pick])) > w - 2)
        pick++;
    put_text(y, x + 1, w - 2, head[pick], box | A_BOLD);
    sb_free(&hint);
    const char *p = text;
    for (size_t skip = 0; skip < t->overlay_first && *p; skip++)
        wrap_line(p, w - 2, &p);
    draw_wrapped(y + 1, x + 1, (int)rows, w - 2, p, t->answer_error ? style_attr(t, STYLE_ERROR) : A_NORMAL);
    if (last < total)
        put_fmt(y + h - 1, x + 1, w - 2, style_attr(t, STYLE_DIM), "(%zu more lines below)", total - last);
}

/* ---- the compare layout: the members of a comparison, stacked ----
 *
 * While a comparison group exists (`compare`), the map pane shows every
 * member's map, one above the other, at the same bytes per cell and the
 * same cells per row (so a column is the same offset in every map), each
 * under a header with its figures; the side table compares the figures.
 * Each member keeps its own grids (for what the last command changed) and
 * its lens on the session (session_view_of). These functions are the
 * whole of it; the draw path calls compare_rebuild, compare_draw_map and
 * compare_draw_table when compare_active says so. */

typedef struct compare_member {
    session *view;
    cells_grid grid, prev;
    bool *changed;
    size_t changed_cap;
    size_t slack;            /* session_slack, at the last rebuild */
    cells_free_node free_nodes[TUI_FREE_NODES]; /* its free blocks in their lists' order */
    size_t free_count;
} compare_member;

struct compare_view {
    compare_member m[4];
    size_t count;
    /* the common zoom and what it was chosen for: while none of it changes,
     * each member's grid is built in one walk of its spans */
    size_t zoom, for_cap, for_member[4], for_capacity[4], for_regions[4];
    int cells_per_row, rows_each;
    bool rulers_each;        /* a ruler per member, else one on top */
};

static bool compare_active(const tui *t) { return t->cmp && t->cmp->count > 0; }

/* A command run on every member answers a line per member: lines are put
 * side by side, " | " between them, while the answer has more lines than
 * its pane and the joined line fits its width, so that no overlay hides
 * the maps for a routine command. */
static void compare_fold_answer(tui *t)
{
    int width = t->lay.answer.w - 2;
    while (sb_count_lines(sb_str(&t->answer)) > (size_t)t->lay.answer.h) {
        const char *text = sb_str(&t->answer);
        /* the shortest pair of neighbouring lines */
        size_t best = SIZE_MAX, best_at = 0, at = 0;
        for (const char *p = text; *p;) {
            size_t a = strcspn(p, "\n");
            if (p[a] == '\0' || p[a + 1] == '\0')
                break;
            size_t b = strcspn(p + a + 1, "\n");
            if (a + 3 + b < best)
                best = a + 3 + b, best_at = at + a;
            at += a + 1;
            p += a + 1;
        }
        if (best == SIZE_MAX || best > (size_t)width)
            return;
        strbuf joined;
        sb_init(&joined);
        sb_printf(&joined, "%.*s | %s", (int)best_at, text, text + best_at + 1);
        sb_clear(&t->answer);
        sb_add(&t->answer, sb_str(&joined));
        sb_free(&joined);
    }
}

static void compare_free(tui *t)
{
    if (t->cmp == NULL)
        return;
    for (size_t i = 0; i < 4; i++) {
        cells_free(&t->cmp->m[i].grid);
        cells_free(&t->cmp->m[i].prev);
        free(t->cmp->m[i].changed);
        session_view_free(t->cmp->m[i].view);
    }
    free(t->cmp);
    t->cmp = NULL;
}

/* Rows and cells per row of each member's map in the map pane. */
static void compare_geometry(const tui *t, struct compare_view *cv)
{
    const screen_rect *r = &t->lay.map;
    int n = (int)cv->count, lines = r->h - 1; /* the legend's row */
    int usable = r->w - SCREEN_MAP_PREFIX - 1, cells = 8;
    while (cells * 2 <= usable)
        cells *= 2;
    cv->cells_per_row = usable >= 8 ? cells : (usable > 0 ? usable : 1);
    cv->rulers_each = lines / n - 2 >= 2;
    cv->rows_each = cv->rulers_each ? lines / n - 2 : (lines - 1) / n - 1;
    if (cv->rows_each < 1)
        cv->rows_each = 1;
}

static void compare_build(struct compare_view *cv, size_t zoom, size_t cap, bool keep_diff, bool again);

/* Rebuilds every member's grid at one zoom: the coarsest any member needs
 * to fit its rows (or the session's zoom). True when the compare layout is
 * shown: the single map is then not built, and the header's figures are
 * the active member's. */
static bool compare_rebuild(tui *t, bool keep_diff)
{
    session *s = model(t);
    size_t n = session_group_count(s);
    if (n == 0 || n > 4) {
        if (t->cmp)
            t->cmp->count = 0;
        return false;
    }
    if (t->cmp == NULL) {
        t->cmp = calloc(1, sizeof *t->cmp);
        if (t->cmp == NULL)
            return false;
        for (size_t i = 0; i < 4; i++) {
            cells_init(&t->cmp->m[i].grid);
            cells_init(&t->cmp->m[i].prev);
            if ((t->cmp->m[i].view = session_view_new()) == NULL) {
                compare_free(t);
                return false;
            }
        }
    }
    struct compare_view *cv = t->cmp;
    cv->count = n;
    compare_geometry(t, cv);
    size_t cap = (size_t)cv->cells_per_row * (size_t)cv->rows_each;
    for (size_t i = 0; i < n; i++)
        session_view_of(cv->m[i].view, s, session_group_member(s, i));
    size_t zoom = session_zoom(s);
    bool same = zoom == 0 && cv->zoom && cv->for_cap == cap;
    for (size_t i = 0; i < n && same; i++)
        same = cv->for_member[i] == session_group_member(s, i);
    for (int pass = 0; pass < 2; pass++) {
        if (zoom == 0 && !same) {
            for (size_t i = 0; i < n; i++) {
                size_t z = cells_fit_zoom(cv->m[i].view, cap);
                zoom = z > zoom ? z : zoom;
            }
        } else if (zoom == 0) {
            zoom = cv->zoom;
        }
        compare_build(cv, zoom, cap, keep_diff, pass > 0);
        /* a member that grew or shrank may need another zoom: choose again */
        bool changed = !same;
        for (size_t i = 0; i < n && !changed; i++)
            changed = cv->m[i].grid.usage.capacity != cv->for_capacity[i] ||
                      cv->m[i].grid.region_count != cv->for_regions[i];
        cv->zoom = session_zoom(s) ? 0 : zoom;
        cv->for_cap = cap;
        for (size_t i = 0; i < n; i++) {
            cv->for_member[i] = session_group_member(s, i);
            cv->for_capacity[i] = cv->m[i].grid.usage.capacity;
            cv->for_regions[i] = cv->m[i].grid.region_count;
        }
        if (!changed || !same || session_zoom(s))
            break;
        same = false, zoom = 0;
    }
    /* the header reads the active member's figures from the single grid */
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        if (session_group_member(s, i) != session_active_index(s))
            continue;
        t->grid.usage = cv->m[i].grid.usage;
        t->grid.zoom = cv->m[i].grid.zoom;
        found = true;
    }
    if (!found)
        return false; /* the active allocator is not a member: its map is built as usual */
    t->grid.count = t->grid.region_count = 0;
    /* the single map's badges are not drawn; the legend names the badge
     * when a member's map has one */
    t->free_count = 0;
    for (size_t i = 0; i < n; i++)
        t->free_count += cv->m[i].free_count;
    return true;
}

/* Builds every member's grid at zoom, marking what changed since the last
 * build (again: the same frame's build redone at another zoom, still
 * compared with the frame before); and its slack (a walk of its spans,
 * only when it has padding, which slack is part of). */
static void compare_build(struct compare_view *cv, size_t zoom, size_t cap, bool keep_diff, bool again)
{
    for (size_t i = 0; i < cv->count; i++) {
        compare_member *m = &cv->m[i];
        cells_grid old = m->prev;
        if (!again) {
            m->prev = m->grid;
            m->grid = old;
        }
        if (m->grid.blocks == NULL) {
            m->grid.blocks = m->prev.blocks;
            m->prev.blocks = NULL;
        }
        if (!cells_build(m->view, zoom, cap, &m->grid))
            m->grid.count = 0;
        /* its free list drawn as the single map draws it: badges in list
         * order, a free block that runs into unused bytes one freed region */
        m->free_count = m->grid.count ? cells_free_order(m->view, &m->grid, m->free_nodes, TUI_FREE_NODES) : 0;
        if (m->free_count > TUI_FREE_NODES)
            m->free_count = TUI_FREE_NODES;
        cells_unify_free_blocks(&m->grid, m->free_nodes, m->free_count);
        if (m->grid.count > m->changed_cap) {
            bool *grown = realloc(m->changed, m->grid.count * sizeof *grown);
            if (grown == NULL) {
                m->grid.count = 0;
                continue;
            }
            m->changed = grown;
            m->changed_cap = m->grid.count;
        }
        if (keep_diff)
            cells_diff(&m->prev, &m->grid, m->changed);
        else if (m->grid.count)
            memset(m->changed, 0, m->grid.count * sizeof *m->changed);
        m->slack = m->grid.usage.slack_bytes; /* the grid counts the slack spans */
    }
}

/* The live view as it would be for member i alone: its grid, what changed
 * in it, its lens on the session; the drawing functions of the single map
 * take it as they take the whole view. */
static void compare_member_tui(const tui *t, size_t i, tui *out)
{
    const compare_member *m = &t->cmp->m[i];
    *out = *t;
    out->pl = NULL;
    out->own = m->view;
    out->grid = m->grid;
    out->changed = m->changed;
    out->shape = (screen_map_shape){t->cmp->cells_per_row, 1};
    out->free_count = m->free_count;
    memcpy(out->free_nodes, m->free_nodes, m->free_count * sizeof *m->free_nodes);
}

/* A member's figures: used (as the header counts it), free, padding, the
 * allocator's slack and metadata, its failures. */
typedef struct compare_row {
    session_stats st;
    size_t used, slack;
    session_member_figures fig;
} compare_row;

static void compare_figures_of(const tui *t, size_t i, compare_row *row)
{
    const compare_member *m = &t->cmp->m[i];
    session_stats_from_usage(m->view, &m->grid.usage, &row->st);
    row->used = screen_used_bytes(&row->st);
    row->slack = m->slack;
    session_group_figures(model(t), i, &row->fig);
}

static void compare_ruler(const tui *t, int y, const tui *mt)
{
    const screen_rect *r = &t->lay.map;
    for (int c = 0; c < t->cmp->cells_per_row; c += 16)
        put_fmt(y, r->x + SCREEN_MAP_PREFIX + c, 15, style_attr(t, STYLE_DIM), "+%zu", (size_t)c * mt->grid.zoom);
}

static void compare_draw_map(tui *t)
{
    const screen_rect *r = &t->lay.map;
    struct compare_view *cv = t->cmp;
    session *s = model(t);
    int y = r->y, bottom = r->y + r->h - 1;
    tui mt;
    for (size_t i = 0; i < cv->count && y < bottom; i++) {
        compare_member_tui(t, i, &mt);
        compare_row row;
        compare_figures_of(t, i, &row);
        bool active = session_group_member(s, i) == session_active_index(s);
        map_line lines[512];
        size_t total = map_lines(&mt, lines, 512);
        if (total > 512)
            total = 512;
        char slack[32] = "";
        if (row.slack)
            snprintf(slack, sizeof slack, "  slack %zu", row.slack);
        char more[32] = "";
        if (total > (size_t)cv->rows_each)
            snprintf(more, sizeof more, "  (+%zu rows)", total - (size_t)cv->rows_each);
        const char *name = session_active_name(mt.own), *kind = session_active_kind(mt.own);
        char kind_note[48] = "";
        if (strcmp(name, kind) != 0)
            snprintf(kind_note, sizeof kind_note, " (%s)", kind);
        bool roomy = r->w >= 100;
        put_fmt(y, r->x, r->w, (active ? A_REVERSE : A_NORMAL) | A_BOLD,
                " %s%s  used %zu  %s %zu%s  %s %zu  free %zu  %s %zu%s ", name, kind_note, row.used,
                roomy ? "padding" : "pad", row.st.padding_bytes, slack, roomy ? "metadata" : "meta",
                row.st.metadata_bytes, screen_free_bytes(&row.st), roomy ? "failures" : "fail", row.fig.failures,
                more);
        y++;
        if ((cv->rulers_each || i == 0) && y < bottom) {
            compare_ruler(t, y, &mt);
            y++;
        }
        for (int k = 0; k < cv->rows_each && (size_t)k < total && y < bottom; k++, y++) {
            const map_line *ml = &lines[k];
            if (ml->region < 0) {
                put_fmt(y, r->x, r->w, style_attr(t, STYLE_DIM), "  ── region %zu: %zu bytes ──", ml->first,
                        ml->count);
                continue;
            }
            const cells_region *reg = &mt.grid.regions[ml->region];
            put_fmt(y, r->x, SCREEN_MAP_PREFIX, style_attr(t, STYLE_DIM), "%7zu ",
                    (ml->first - reg->first) * mt.grid.zoom);
            draw_cells(&mt, y, r->x + SCREEN_MAP_PREFIX, ml->first, ml->count);
        }
        if (mt.grid.region_count == 0 && y < bottom)
            put_text(y++, r->x + 2, r->w - 2, "(owns no memory yet)", style_attr(t, STYLE_DIM));
    }
    /* the legend ends on the last row and takes up to two rows above it
     * that the maps left empty, as many as it needs (the free-list
     * badge's entry comes after the roles') */
    int from = y > bottom - 2 ? (y < bottom ? y : bottom) : bottom - 2;
    int last = draw_legend(t, from, r->x + 1, r->w - 1, bottom);
    if (last < bottom) {
        for (int k = from; k <= last; k++)
            mvhline(k, r->x, ' ', r->w);
        draw_legend(t, bottom - (last - from), r->x + 1, r->w - 1, bottom);
    }
}

/* The side table: one column per member, one row per figure. */
static void compare_draw_table(tui *t)
{
    const screen_rect *r = &t->lay.table;
    struct compare_view *cv = t->cmp;
    if (r->h < 2 || r->w < 20)
        return;
    int col = (r->w - 11) / (int)cv->count;
    if (col > 10)
        col = 10;
    compare_row rows[4];
    for (size_t i = 0; i < cv->count; i++)
        compare_figures_of(t, i, &rows[i]);
    put_text(r->y, r->x + 1, 10, "compare", A_BOLD | A_UNDERLINE);
    for (size_t i = 0; i < cv->count; i++)
        put_fmt(r->y, r->x + 11 + (int)i * col, col, A_BOLD | A_UNDERLINE, "%*.*s", col - 1, col - 1,
                session_active_name(cv->m[i].view));
    static const char *const names[] = {"used",  "padding", "slack", "metadata", "free", "failures",
                                        "live",  "peak",    "hi-water", "util %", "ops", "ns/op"};
    enum { FIGURES = sizeof names / sizeof names[0] };
    /* for each row, whether less is better (1), more (-1), or neither (0) */
    static const int better[FIGURES] = {1, 1, 1, 1, -1, 1, 0, 0, 1, -1, 0, 1};
    for (int k = 0; k < FIGURES && 1 + k < r->h; k++) {
        put_text(r->y + 1 + k, r->x + 1, 10, names[k], style_attr(t, STYLE_DIM));
        size_t v[4], best = 0;
        for (size_t i = 0; i < cv->count; i++) {
            const compare_row *w = &rows[i];
            size_t high = w->fig.regions ? w->st.capacity : w->fig.high_water;
            size_t all[FIGURES] = {w->used, w->st.padding_bytes, w->slack, w->st.metadata_bytes,
                                   screen_free_bytes(&w->st), w->fig.failures, w->st.live_blocks, w->st.peak_bytes,
                                   high, high ? w->st.peak_bytes * 100 / high : 0, w->fig.commands,
                                   w->fig.commands ? (size_t)(w->fig.ns / w->fig.commands) : 0};
            v[i] = all[k];
            if (i == 0 || (better[k] > 0 ? v[i] < v[best] : v[i] > v[best]))
                best = i;
        }
        for (size_t i = 0; i < cv->count; i++) {
            /* the best of each row that has a best stands out */
            bool mark = better[k] != 0 && cv->count > 1 && v[i] == v[best];
            put_fmt(r->y + 1 + k, r->x + 11 + (int)i * col, col, mark ? A_BOLD : A_NORMAL, "%*zu", col - 1, v[i]);
        }
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
    compare_active(t) ? compare_draw_map(t) : draw_map(t);
    compare_active(t) ? compare_draw_table(t) : draw_table(t);
    draw_warnings(t);
    draw_caption(t);
    draw_status(t);
    draw_answer(t);
    if (!t->playing)
        draw_prompt(t, &cy, &cx);
    if (t->overlay && !t->playing)
        draw_overlay(t);
    if (t->toc && t->playing)
        draw_toc(t);
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
    screen_compute_captioned(LINES, COLS, t->pl != NULL ? caption_lines(t, COLS) : 0, &t->lay);
    if (t->clean && t->playing)
        screen_hide_side(&t->lay);
    /* an answer that fits under the prompt now needs no overlay */
    if (t->overlay && answer_rows(t) <= t->lay.answer.h)
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
    bool stop = stop_signal != 0;
    for (int c; (c = read_key(t, 0)) != ERR;) {
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

/* `play SCENE` at the prompt: the scene is opened now and taken over
 * once the line is done (on_line). */
static bool play_hook(void *user, const char *path, strbuf *out)
{
    tui *t = user;
    strbuf err;
    sb_init(&err);
    player *p = player_open(path, &err);
    if (p == NULL) {
        sb_printf(out, "error: %s\n", sb_str(&err));
        sb_free(&err);
        return false;
    }
    sb_free(&err);
    player_close(t->next_pl);
    t->next_pl = p;
    sb_printf(out, "playing %s (%zu steps): space plays, -> steps, t lists the notes, ? the keys\n", path,
              player_length(p));
    return true;
}

static void first_caption(tui *t);
static void relayout(tui *t);

/* Takes over the scene that `play` opened: paused on its first caption. */
static void take_scene(tui *t)
{
    player_close(t->pl);
    t->pl = t->next_pl;
    t->next_pl = NULL;
    player_set_progress(t->pl, on_progress, t);
    t->playing = true;
    t->running = false;
    t->view_zoom = 0;
    t->scroll = 0;
    t->overlay = false;
    t->shown_allocator[0] = '\0';
    repl_set_session(model(t));
    relayout(t);
    first_caption(t);
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
    interp_set_player(s, play_hook, t);
    session_outcome oc = interp_execute(s, line, &t->answer);
    interp_set_progress(s, NULL, NULL);
    interp_set_player(s, NULL, NULL);
    t->answer_error = oc.status == SESSION_ERROR || oc.status == SESSION_EXPECT_FAILED;
    if (oc.status == SESSION_QUIT)
        t->quit = true;
    if (oc.pending)
        sb_add(&t->answer, "(struct continues: type the next fields, end with })");
    after_step(t, before);
    if (compare_active(t) && !t->answer_error)
        compare_fold_answer(t);
    t->overlay = answer_rows(t) > t->lay.answer.h;
    t->overlay_first = 0;
    char prompt[64];
    snprintf(prompt, sizeof prompt, "%s> ", session_has_active(s) ? session_active_name(s) : "allocscope");
    repl_set_prompt(prompt);
    if (t->next_pl)
        take_scene(t);
}

static void player_moved(tui *t, size_t warnings_before)
{
    t->idle_work = true;
    after_step(t, warnings_before);
    repl_set_session(model(t));
}

/* Whether step i (0-based) leaves an answer the class should keep seeing:
 * a command's, but not a note's, a pause's or a passing expect's. */
static bool answers(const tui *t, size_t i, bool failed)
{
    const player_step *st = player_step_at(t->pl, i);
    if (st->kind != PLAYER_COMMAND)
        return false;
    const char *text = st->text + strspn(st->text, " \t");
    return failed || strncmp(text, "expect", 6) != 0 || (text[6] != ' ' && text[6] != '\t' && text[6] != '\0');
}

/* Keeps the answer of the step just run, if it answers (see answers()). */
static void keep_answer(tui *t)
{
    size_t pos = player_position(t->pl);
    if (pos == 0) {
        sb_clear(&t->play_answer);
        t->play_failed = false;
        t->play_step = 0;
    } else if (answers(t, pos - 1, player_failed(t->pl))) {
        sb_clear(&t->play_answer);
        sb_add(&t->play_answer, player_answer(t->pl));
        t->play_failed = player_failed(t->pl);
        t->play_step = pos;
    }
}

/* After a jump: the answer of the last step before the position that
 * answers, found by stepping there and back (steps are cheap; a step
 * back restores a checkpoint). */
static void find_answer(tui *t)
{
    size_t pos = player_position(t->pl), j = pos;
    while (j > 0 && !answers(t, j - 1, false))
        j--;
    sb_clear(&t->play_answer);
    t->play_failed = false;
    t->play_step = 0;
    if (j == 0)
        return;
    if (j < pos)
        player_seek(t->pl, j);
    keep_answer(t);
    if (j < pos)
        player_seek(t->pl, pos);
}

/* Runs the next step, and the expect lines after it silently (a failing
 * one stops there and is shown). After an ask it stops on the step that
 * answers it, so the class sees the answer. */
static void step_forward(tui *t)
{
    size_t before = session_warning_count(model(t));
    bool reveal = t->asked;
    t->asked = false;
    const player_step *st = NULL;
    for (;;) {
        if (!player_next(t->pl))
            break;
        keep_answer(t);
        st = player_step_at(t->pl, player_position(t->pl) - 1);
        /* the reveal runs the notes before the answering command too */
        bool more = player_step_is_expect(st) || (reveal && st->kind == PLAYER_NOTE);
        if (!more || player_failed(t->pl) || player_position(t->pl) == player_length(t->pl))
            break;
    }
    if (st == NULL) {
        t->running = false;
        t->playing = false; /* the end: the prompt opens on the final state */
        t->view_zoom = 0;   /* and the prompt's zoom command rules the map */
        if (t->clean)
            relayout(t);    /* the prompt has its table and warnings back */
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
    if (st->kind == PLAYER_PAUSE || st->kind == PLAYER_ASK || reveal)
        t->running = false;
    t->asked = st->kind == PLAYER_ASK;
    if (player_failed(t->pl))
        t->running = false; /* a scene's errors are shown, never skipped */
    player_moved(t, before);
}

/* Fast play: the steps due since the last frame run at once and only the
 * last is drawn; a pause or an error stops it there. */
static void play_due(tui *t)
{
    long long late = now_ms() - t->next_step_at;
    size_t due = (1 + (size_t)(late > 0 ? late / t->delay_ms : 0)) * (t->burst ? t->burst : 1);
    size_t before = session_warning_count(model(t));
    if (due > 1 && player_run(t->pl, due - 1, PLAYER_STOP_PAUSE | PLAYER_STOP_ERROR) < due - 1) {
        t->running = false;
        player_moved(t, before);
        return;
    }
    step_forward(t);
}

/* '}': plays to just after the next failure (an error or a new warning). */
static void play_to_failure(tui *t)
{
    size_t before = session_warning_count(model(t));
    t->running = false;
    if (!player_next_failure(t->pl) && player_position(t->pl) == player_length(t->pl)) {
        step_forward(t); /* the end: as when playing reaches it */
        return;
    }
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
    size_t pos = player_position(t->pl);
    t->asked = pos > 0 && player_step_at(t->pl, pos - 1)->kind == PLAYER_ASK;
    find_answer(t);
    player_moved(t, before < session_warning_count(model(t)) ? before : session_warning_count(model(t)));
}

/* Opens a scene on its first caption: the steps up to its first note or
 * ask (none if it has none in its first steps before a pause). */
static void first_caption(tui *t)
{
    for (size_t i = 0; i < player_length(t->pl); i++) {
        const player_step *st = player_step_at(t->pl, i);
        if (st->kind == PLAYER_PAUSE)
            return;
        if (is_caption_step(st)) {
            step_to(t, NULL, i + 1, true);
            return;
        }
    }
}

static void scroll_map(tui *t, bool down)
{
    size_t page = (size_t)t->lay.map_rows;
    t->scroll = down ? t->scroll + page : t->scroll > page ? t->scroll - page : 0;
}

/* Shows the map at zoom bytes a cell (0: the session's zoom, or fit),
 * whatever the scene says: the picture changes, memory does not, so
 * nothing is highlighted. */
static void zoom_view(tui *t, size_t zoom)
{
    t->view_zoom = zoom;
    t->scroll = 0;
    rebuild(t, false);
}

/* ---- the table of contents: the scene's notes ---- */


static size_t toc_count(const tui *t)
{
    size_t n = 0;
    for (size_t i = 0; i < player_length(t->pl); i++)
        n += is_caption_step(player_step_at(t->pl, i));
    return n;
}

/* The step index of note k (0-based among the notes). */
static size_t toc_step(const tui *t, size_t k)
{
    for (size_t i = 0; i < player_length(t->pl); i++)
        if (is_caption_step(player_step_at(t->pl, i)) && k-- == 0)
            return i;
    return player_length(t->pl);
}

static void toc_open(tui *t)
{
    size_t pos = player_position(t->pl), k = 0;
    t->toc_sel = 0;
    for (size_t i = 0; i < pos && i < player_length(t->pl); i++)
        if (is_caption_step(player_step_at(t->pl, i)))
            t->toc_sel = k++;
    t->toc = toc_count(t) > 0;
    if (!t->toc)
        snprintf(t->notice, sizeof t->notice, "this scene has no notes");
    t->running = false;
}

static void toc_key(tui *t, key_action act)
{
    size_t n = toc_count(t), page = LINES > 8 ? (size_t)LINES - 8 : 1;
    switch (act) {
    case ACT_TOC_UP: t->toc_sel -= t->toc_sel > 0; break;
    case ACT_TOC_DOWN: t->toc_sel += t->toc_sel + 1 < n; break;
    case ACT_TOC_PAGE_UP: t->toc_sel = t->toc_sel > page ? t->toc_sel - page : 0; break;
    case ACT_TOC_PAGE_DOWN: t->toc_sel = t->toc_sel + page < n ? t->toc_sel + page : (n ? n - 1 : 0); break;
    case ACT_TOC_GO:
        t->toc = false;
        step_to(t, NULL, toc_step(t, t->toc_sel) + 1, true);
        break;
    default: t->toc = false; break;
    }
}

static void go_to_key(tui *t, key_action act, int c)
{
    size_t len = strlen(t->go_buf);
    switch (act) {
    case ACT_DIGIT:
        if (len < sizeof t->go_buf - 1) {
            t->go_buf[len] = (char)c;
            t->go_buf[len + 1] = '\0';
        }
        break;
    case ACT_GO: {
        t->go_to = false;
        if (len == 0) {
            snprintf(t->notice, sizeof t->notice, "go to: no step number given, so it stays at step %zu",
                     player_position(t->pl));
            break;
        }
        size_t target = (size_t)strtoull(t->go_buf, NULL, 10);
        if (target > player_length(t->pl))
            target = player_length(t->pl);
        step_to(t, NULL, target, true);
        break;
    }
    case ACT_GO_CANCEL:
        t->go_to = false;
        snprintf(t->notice, sizeof t->notice, "go to cancelled: still at step %zu", player_position(t->pl));
        break;
    case ACT_GO_ERASE:
        if (len)
            t->go_buf[len - 1] = '\0';
        break;
    default: break;
    }
}

/* Does what a key bound to act does; c is the key itself. */
static void run_action(tui *t, key_action act, int c)
{
    size_t page = overlay_rows();
    switch (act) {
    case ACT_EDIT: break;
    case ACT_PLAY:
        t->running = !t->running;
        t->next_step_at = now_ms();
        break;
    case ACT_NEXT:
        t->running = false;
        step_forward(t);
        break;
    case ACT_PREV:
        if (player_position(t->pl) > 0)
            step_to(t, NULL, player_position(t->pl) - 1, true);
        break;
    case ACT_NEXT_MARK: step_to(t, player_next_mark, 0, false); break;
    case ACT_PREV_MARK: step_to(t, player_prev_mark, 0, false); break;
    case ACT_FASTER: /* past the shortest delay, more steps a frame */
        if (t->delay_ms == MIN_DELAY_MS && t->burst < MAX_BURST)
            t->burst = t->burst ? t->burst * 2 : 2;
        t->delay_ms = t->delay_ms * 2 / 3 > MIN_DELAY_MS ? t->delay_ms * 2 / 3 : MIN_DELAY_MS;
        break;
    case ACT_SLOWER:
        if (t->burst > 1)
            t->burst /= 2;
        else
            t->delay_ms = t->delay_ms * 3 / 2 + 1 < MAX_DELAY_MS ? t->delay_ms * 3 / 2 + 1 : MAX_DELAY_MS;
        break;
    case ACT_NEXT_FAILURE: play_to_failure(t); break;
    case ACT_GO_TO: t->go_to = true, t->go_buf[0] = '\0'; break;
    case ACT_PAUSE: t->running = false; break;
    case ACT_HELP: t->help = true; break;
    case ACT_QUIT: t->quit = true; break;
    case ACT_MAP_UP: scroll_map(t, false); break;
    case ACT_MAP_DOWN: scroll_map(t, true); break;
    case ACT_ZOOM_IN: zoom_view(t, t->grid.zoom > 1 ? t->grid.zoom / 2 : 1); break;
    case ACT_ZOOM_OUT: zoom_view(t, t->grid.zoom < ((size_t)1 << 30) ? t->grid.zoom * 2 : t->grid.zoom); break;
    case ACT_ZOOM_FIT: zoom_view(t, 0); break;
    case ACT_WHOLE:
        t->whole = !t->whole;
        zoom_view(t, 0);
        break;
    case ACT_CANCEL_LINE:
        repl_cancel_line();
        sb_clear(&t->answer);
        sb_add(&t->answer, "(line cancelled; Ctrl-D or quit leaves)");
        t->answer_error = false;
        break;
    case ACT_PAGE_DOWN: t->overlay_first += page; break;
    case ACT_PAGE_UP: t->overlay_first = t->overlay_first > page ? t->overlay_first - page : 0; break;
    case ACT_LINE_DOWN: t->overlay_first++; break;
    case ACT_LINE_UP: t->overlay_first -= t->overlay_first > 0; break;
    case ACT_TOP: t->overlay_first = 0; break;
    case ACT_BOTTOM: t->overlay_first = SIZE_MAX / 2; break; /* drawing clamps it */
    case ACT_CLOSE: t->overlay = false; break;
    case ACT_DIGIT: case ACT_GO: case ACT_GO_CANCEL: case ACT_GO_ERASE: go_to_key(t, act, c); break;
    case ACT_TOC: toc_open(t); break;
    case ACT_TOC_UP: case ACT_TOC_DOWN: case ACT_TOC_PAGE_UP: case ACT_TOC_PAGE_DOWN: case ACT_TOC_GO:
    case ACT_TOC_CLOSE: toc_key(t, act); break;
    case ACT_CLEAN:
        t->clean = !t->clean;
        relayout(t);
        break;
    }
}

/* A key, by the table of the mode in use. */
static void handle_key(tui *t, int c)
{
    if (c == KEY_RESIZE) {
        relayout(t);
        return;
    }
    t->notice[0] = '\0';
    if (t->help) {
        t->help = false;
        return;
    }
    const key_binding *b;
    if (t->overlay) {
        if ((b = binding_of(MODE_ANSWER, c)) != NULL) {
            run_action(t, b->action, c);
            return;
        }
        t->overlay = false; /* any other key closes it and does its own work */
    }
    if (t->toc && !t->playing)
        t->toc = false;
    key_mode m = t->playing ? (t->toc ? MODE_TOC : t->go_to ? MODE_GO_TO : MODE_PLAYBACK) : MODE_PROMPT;
    b = binding_of(m, c);
    if (b && b->action != ACT_EDIT) {
        run_action(t, b->action, c);
    } else if (m == MODE_PROMPT) {
        if (c != '\t')
            repl_clear_matches();
        feed_readline(c);
    }
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
        play_due(t);
        size_t pos = t->pl ? player_position(t->pl) : 0;
        long dwell = pos ? player_dwell_ms(player_step_at(t->pl, pos - 1), t->delay_ms) : t->delay_ms;
        t->next_step_at = now_ms() + dwell;
    }
}

/* Handles the keys already waiting (a paste, keys typed ahead) before the
 * next frame, for up to DRAIN_MS: a pasted line costs one frame, not a
 * frame a character. */
#define DRAIN_MS 50
static void drain_keys(tui *t)
{
    long long until = now_ms() + DRAIN_MS;
    for (int c; !t->quit && now_ms() < until && (c = read_key(t, 0)) != ERR;)
        handle_key(t, c);
}

/* ---- lifecycle ---- */

static void restore_terminal(void)
{
    if (!isendwin())
        endwin();
}

/* Every way the live view can die restores the terminal first.
 * SIGTERM and SIGHUP only note the signal: the loop sees it within half a
 * second (a long move sees it in its progress), leaves as `q` does - the
 * history saved, the terminal restored - and raises it again, so the exit
 * status still says what happened. A crash (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL, SIGABRT) cannot trust the heap or curses: its handler only puts
 * the terminal's modes back and writes the bytes that leave the full
 * screen (both async-signal-safe, prepared before), then dies of it. */
static struct termios crash_tty[3];  /* of stdin, stdout, stderr: curses sets the modes of its output's */
static bool crash_tty_saved[3];
static char crash_bytes[96];
static size_t crash_len;

static void on_stop_signal(int sig) { stop_signal = sig; }

static void on_crash_signal(int sig)
{
    for (int fd = 0; fd < 3; fd++)
        if (crash_tty_saved[fd])
            tcsetattr(fd, TCSANOW, &crash_tty[fd]);
    if (crash_len)
        (void)!write(STDOUT_FILENO, crash_bytes, crash_len);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Before initscr: the terminal's modes as they were. */
static void restore_terminal_on_signals(void)
{
    for (int fd = 0; fd < 3; fd++)
        crash_tty_saved[fd] = isatty(fd) && tcgetattr(fd, &crash_tty[fd]) == 0;
    static const int crashes[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}, stops[] = {SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_crash_signal;
    for (size_t i = 0; i < sizeof crashes / sizeof crashes[0]; i++)
        sigaction(crashes[i], &sa, NULL);
    sa.sa_handler = on_stop_signal;
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
        sigaction(stops[i], &sa, NULL);
}

/* After initscr: what leaves the full screen, shows the cursor and ends
 * colours on this terminal, for the crash handler. */
static void prepare_crash_bytes(void)
{
    static const char *const caps[] = {"sgr0", "cnorm", "rmcup"};
    crash_len = 0;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        const char *v = tigetstr(caps[i]);
        size_t n = v && v != (char *)-1 ? strlen(v) : 0;
        if (n && crash_len + n < sizeof crash_bytes) {
            memcpy(crash_bytes + crash_len, v, n);
            crash_len += n;
        }
    }
    if (crash_len + 1 < sizeof crash_bytes)
        crash_bytes[crash_len++] = '\n';
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
        player_set_progress(t->pl, on_progress, t);
        t->playing = true;
        t->running = opt->autoplay;
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
    sb_init(&t.play_answer);
    cells_init(&t.grid);
    cells_init(&t.prev);
    t.pending_key = ERR;
    t.delay_ms = opt->delay_ms > 0 ? opt->delay_ms : MIN_DELAY_MS;
    setlocale(LC_ALL, "");
    t.ascii = opt->ascii || strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
    if (!open_model(&t, opt))
        return 2;
    atexit(restore_terminal);
    restore_terminal_on_signals();
    initscr();
    prepare_crash_bytes();
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
    if (repl_history_problem()) /* e.g. ALLOCSCOPE_HISTORY names a FIFO */
        sb_printf(&t.answer, "\n%s", repl_history_problem());
    repl_set_session(model(&t));
    repl_set_prompt(t.pl ? "allocscope> " : "bump> ");
    relayout(&t);
    t.clean = opt->clean;
    if (t.pl) {
        relayout(&t);
        first_caption(&t);
        t.running = opt->autoplay;
    }
    t.next_step_at = now_ms() + t.delay_ms;
    while (!t.quit && !stop_signal) {
        draw(&t);
        int kept = next_kept_key(&t);
        if (kept != ERR) { /* typed while a long command ran */
            handle_key(&t, kept);
            tick(&t);
            continue;
        }
        int wait = wait_ms(&t);
        if (t.pl && t.idle_work && (wait < 0 || wait > 20)) {
            /* idle: the player plays ahead (checkpoints for later jumps), in slices that keep keys snappy */
            int c = read_key(&t, 0);
            if (c == ERR) {
                t.idle_work = player_idle(t.pl, SIZE_MAX); /* a slice of about 8 ms */
                c = read_key(&t, 1);
            }
            if (c != ERR) {
                handle_key(&t, c);
                drain_keys(&t);
            }
            tick(&t);
            continue;
        }
        int c = read_key(&t, wait < 0 || wait > 500 ? 500 : wait); /* a stop signal is seen within 0.5 s */
        if (c != ERR) {
            handle_key(&t, c);
            drain_keys(&t);
            t.idle_work = t.pl != NULL;
        }
        tick(&t);
    }
    repl_close();
    restore_terminal();
    if (repl_history_problem())
        fprintf(stderr, "allocscope: %s\n", repl_history_problem());
    int status = t.pl && *player_problems(t.pl) ? 1 : 0;
    player_close(t.pl);
    player_close(t.next_pl);
    session_destroy(t.own);
    cells_free(&t.grid);
    cells_free(&t.prev);
    free(t.changed);
    compare_free(&t);
    sb_free(&t.answer);
    sb_free(&t.play_answer);
    if (stop_signal) { /* left as `q` leaves; now die of it */
        signal(stop_signal, SIG_DFL);
        raise(stop_signal);
    }
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
    sb_init(&t.play_answer);
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
    sb_free(&t.play_answer);
    cells_free(&t.grid);
    cells_free(&t.prev);
    free(t.changed);
    compare_free(&t);
    endwin();
    delscreen(scr);
    fclose(term);
    fclose(in);
    return true;
}

bool tui_record(const tui_options *opt, int cols, int rows, tui_frame_fn fn, void *user)
{
    FILE *term = tmpfile(), *in = fopen("/dev/null", "r");
    SCREEN *scr = term && in ? newterm("xterm-256color", term, in) : NULL;
    tui t;
    memset(&t, 0, sizeof t);
    sb_init(&t.answer);
    cells_init(&t.grid);
    cells_init(&t.prev);
    t.pending_key = ERR;
    t.ascii = opt->ascii;
    t.delay_ms = opt->delay_ms;
    bool ok = scr && open_model(&t, opt);
    strbuf frame;
    sb_init(&frame);
    if (ok) {
        set_term(scr);
        resizeterm(rows, cols);
        t.colour = has_colors();
        init_styles(&t);
        relayout(&t);
        size_t sent = 0, first = 0; /* the live view opens paused on the first caption */
        for (size_t i = 0; t.pl && i < player_length(t.pl); i++) {
            const player_step *st = player_step_at(t.pl, i);
            if (st->kind == PLAYER_PAUSE || is_caption_step(st)) {
                first = st->kind == PLAYER_PAUSE ? 0 : i + 1;
                break;
            }
        }
        for (bool more = true; more;) {
            more = t.playing;
            if (first && player_position(t.pl) == first)
                t.running = false, first = 0;
            draw(&t);
            fflush(term);
            sb_clear(&frame);
            char buf[4096];
            for (ssize_t n; (n = pread(fileno(term), buf, sizeof buf, (off_t)sent)) > 0; sent += (size_t)n)
                sb_addn(&frame, buf, (size_t)n);
            fn(user, sb_str(&frame), frame.len, t.pl);
            t.running = true; /* a pause goes on as if a key were pressed */
            if (more)
                step_forward(&t);
        }
        endwin();
    }
    if (scr)
        delscreen(scr);
    if (term)
        fclose(term);
    if (in)
        fclose(in);
    sb_free(&frame);
    player_close(t.pl);
    cells_free(&t.grid);
    cells_free(&t.prev);
    free(t.changed);
    sb_free(&t.answer);
    sb_free(&t.play_answer);
    compare_free(&t);
    return ok;
}
