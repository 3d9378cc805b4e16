/*
 * screen.c - pane layout and styles of the live view (see screen.h).
 */
#include "allocscope/screen.h"

#include <stdio.h>
#include <string.h>

static void map_grid(screen_layout *out);

static screen_rect rect(int y, int x, int h, int w)
{
    return (screen_rect){y, x, h > 0 ? h : 0, w > 0 ? w : 0};
}

void screen_compute(int rows, int cols, bool playing, screen_layout *out)
{
    screen_compute_captioned(rows, cols, playing ? 1 : 0, out);
}

void screen_compute_captioned(int rows, int cols, int caption_lines, screen_layout *out)
{
    bool playing = caption_lines > 0;
    memset(out, 0, sizeof *out);
    if (rows < SCREEN_MIN_ROWS || cols < SCREEN_MIN_COLS) {
        out->too_small = true;
        return;
    }
    int y = 0, bottom = rows;
    out->header = rect(y, 0, 2, cols);
    y += 2;
    /* the prompt, and the answer of the last command under it */
    int answer_h = rows >= 24 ? 3 : 1;
    bottom -= answer_h;
    out->answer = rect(bottom, 0, answer_h, cols);
    out->prompt = rect(--bottom, 0, 1, cols);
    if (playing) {
        out->status = rect(--bottom, 0, 1, cols);
        int caption_h = rows >= 30 ? 4 : (rows >= 18 ? 3 : 1);
        int wanted = caption_lines + (rows >= 18 ? 2 : 0), most = rows / 3;
        if (wanted > caption_h)
            caption_h = wanted < most ? wanted : (most > caption_h ? most : caption_h);
        bottom -= caption_h;
        out->caption = rect(bottom, 0, caption_h, cols);
    }
    int middle = bottom - y;
    if (cols >= SCREEN_SIDE_MIN_COLS) {
        int side_x = cols - SCREEN_SIDE_WIDTH;
        out->map = rect(y, 0, middle, side_x - 1);
        int table_h = middle * 3 / 5;
        out->table = rect(y, side_x, table_h, SCREEN_SIDE_WIDTH);
        out->warnings = rect(y + table_h, side_x, middle - table_h, SCREEN_SIDE_WIDTH);
    } else {
        int below = middle * 2 / 5;
        if (below < 2)
            below = 0;
        out->map = rect(y, 0, middle - below, cols);
        /* the table needs 44 columns; the warnings wrap into the rest */
        int table_w = cols / 2 >= 44 ? cols / 2 : (cols - 20 >= 44 ? 44 : cols - 20);
        out->table = rect(y + middle - below, 0, below, table_w);
        out->warnings = rect(y + middle - below, table_w, below, cols - table_w);
    }
    map_grid(out);
}

/* The map's cells a row and rows of cells, from its rectangle. */
static void map_grid(screen_layout *out)
{
    int usable = out->map.w - SCREEN_MAP_PREFIX - 1;
    out->map_cols = usable >= 16 ? usable / 8 * 8 : (usable > 0 ? usable : 1);
    out->map_rows = out->map.h - 2 > 1 ? out->map.h - 2 : 1;
}

void screen_hide_side(screen_layout *l)
{
    if (l->too_small)
        return;
    if (l->table.x > 0) /* beside the map */
        l->map.w = l->header.w;
    else
        l->map.h += l->table.h;
    l->table.h = l->table.w = 0;
    l->warnings.h = l->warnings.w = 0;
    map_grid(l);
}

size_t screen_crop(size_t used_bytes, size_t region_bytes, size_t at_least)
{
    size_t crop = 64;
    while (crop < used_bytes + used_bytes / 2 && crop < ((size_t)1 << 62))
        crop *= 2;
    if (crop < at_least)
        crop = at_least;
    return crop * 2 > region_bytes ? 0 : crop;
}

int screen_row_height(size_t lines, int rows)
{
    if (lines == 0 || rows < 5 || lines * 2 > (size_t)rows - 3)
        return 1;
    size_t tall = ((size_t)rows - 3) / lines;
    return tall > 3 ? 3 : (int)tall;
}

size_t screen_map_rows_needed(size_t cells_per_row, const size_t *region_cells, size_t regions)
{
    size_t rows = regions > 1 ? regions : 0; /* the dividers */
    for (size_t r = 0; r < regions; r++)
        rows += (region_cells[r] + cells_per_row - 1) / cells_per_row;
    return rows;
}

screen_map_shape screen_map_shape_of(const screen_layout *l, const size_t *region_cells, size_t regions)
{
    screen_map_shape wide = {l->map_cols, 1};
    int usable = l->map.w - SCREEN_MAP_PREFIX - 1;
    if (l->too_small || usable < 8)
        return wide;
    for (int width = SCREEN_MAX_CELL_WIDTH; width >= 1; width--) {
        int cells = 8;
        while (cells * 2 * width <= usable)
            cells *= 2;
        if (cells * width > usable)
            continue;
        if (screen_map_rows_needed((size_t)cells, region_cells, regions) <= (size_t)l->map_rows)
            return (screen_map_shape){cells, width};
    }
    return wide; /* it fits only in the layout's longer rows */
}

screen_map_shape screen_map_shape_strided(const screen_layout *l, const size_t *region_cells, size_t regions,
                                          size_t stride)
{
    int usable = l->map.w - SCREEN_MAP_PREFIX - 1;
    if (stride <= 1 || l->too_small || usable < 8 || stride > (size_t)usable)
        return screen_map_shape_of(l, region_cells, regions);
    for (int width = SCREEN_MAX_CELL_WIDTH; width >= 1; width--) {
        size_t cells = (size_t)(usable / width) / stride * stride;
        if (cells == 0)
            continue;
        if (screen_map_rows_needed(cells, region_cells, regions) <= (size_t)l->map_rows)
            return (screen_map_shape){(int)cells, width};
    }
    return screen_map_shape_of(l, region_cells, regions);
}

screen_style screen_cell_style(const cell *c) { return looks_cell_style(c); }

const char *screen_style_name(screen_style s) { return s < STYLE_COUNT ? looks_style_of(s)->name : "?"; }

size_t screen_used_bytes(const session_stats *st)
{
    /* freed bytes behind a bump-style offset are not free space until a reset; those of a
     * free structure are (a free list that grows like sbrk has an offset too: its heap end) */
    return st->capacity - st->unused_bytes - st->unknown_bytes -
           (st->has_offset && !st->freed_reusable ? 0 : st->freed_bytes);
}

size_t screen_free_bytes(const session_stats *st) { return st->capacity - screen_used_bytes(st) - st->unknown_bytes; }

bool screen_header_form(const session_stats *st, const char *name, const char *kind, size_t zoom, int form,
                        char *line, size_t size)
{
    if (form < 0 || form > 5)
        return false;
    size_t used = screen_used_bytes(st);
    char off[48] = "", extra[96] = "";
    if (st->has_offset)
        snprintf(off, sizeof off, "  offset %zu", st->offset);
    if (st->slack_bytes) /* named only where there are any */
        snprintf(extra, sizeof extra, "  slack %zu", st->slack_bytes);
    if (st->damaged_bytes)
        snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "  damaged %zu", st->damaged_bytes);
    if (st->unknown_bytes)
        snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "  unknown %zu", st->unknown_bytes);
    const char *o1 = st->has_offset ? off + 2 : ""; /* "offset N" */
    char unk[48] = "", unk2[48] = ""; /* the shorter forms' unknown: every form says it */
    if (st->unknown_bytes) {
        snprintf(unk, sizeof unk, " unknown %zu", st->unknown_bytes);
        snprintf(unk2, sizeof unk2, " unk %zu", st->unknown_bytes);
    }
    size_t cap = st->capacity, fr = screen_free_bytes(st), pad = st->padding_bytes, lb = st->live_blocks,
           lby = st->live_bytes, peak = st->peak_bytes;
    switch (form) {
    case 0:
        snprintf(line, size, "%s (%s)  capacity %zu  used %zu  free %zu%s  padding %zu%s  live %zu (%zu B)  "
                 "peak %zu  zoom %zu B/cell", name, kind, cap, used, fr, off, pad, extra, lb, lby, peak, zoom);
        break;
    case 1:
        snprintf(line, size, "%s (%s)  capacity %zu  used %zu  free %zu%s  padding %zu%s  live %zu (%zu B)  "
                 "peak %zu  %zu B/cell", name, kind, cap, used, fr, off, pad, extra, lb, lby, peak, zoom);
        break;
    case 2:
        snprintf(line, size, "%s (%s) capacity %zu used %zu free %zu%s%s%s padding %zu live %zu (%zu B) "
                 "peak %zu %zu B/cell", name, kind, cap, used, fr, unk, *o1 ? " " : "", o1, pad, lb, lby, peak, zoom);
        break;
    case 3:
        snprintf(line, size, "%s (%s) cap %zu used %zu free %zu%s%s%s pad %zu live %zu/%zuB peak %zu "
                 "%zu B/cell", name, kind, cap, used, fr, unk2, *o1 ? " " : "", o1, pad, lb, lby, peak, zoom);
        break;
    case 4: /* the peak is in stats */
        snprintf(line, size, "%s (%s) cap %zu used %zu free %zu%s%s%s pad %zu live %zu/%zuB %zu B/cell",
                 name, kind, cap, used, fr, unk2, *o1 ? " " : "", o1, pad, lb, lby, zoom);
        break;
    default: { /* a long kind's name (debug-bump at 80 columns): shorter words, no figure cut */
        char o2[32] = "";
        if (st->has_offset)
            snprintf(o2, sizeof o2, " off %zu", st->offset);
        snprintf(line, size, "%s (%s) cap %zu used %zu free %zu%s%s pad %zu live %zu/%zuB %zuB/cell", name,
                 kind, cap, used, fr, unk2, o2, pad, lb, lby, zoom);
        break;
    }
    }
    return true;
}

size_t screen_wrap_line(const char *text, int w, screen_char_width width, const char **next)
{
    size_t i = 0, space = 0;
    bool has_space = false;
    int cols = 0;
    while (text[i] && text[i] != '\n') {
        size_t k = 1;
        int cw = width(text + i, &k);
        if (cols + cw > w)
            break;
        if (text[i] == ' ')
            space = i, has_space = true;
        cols += cw;
        i += k;
    }
    size_t len = i;
    if (text[i] && text[i] != '\n' && text[i] != ' ' && has_space && space > 0)
        len = space; /* the word at the edge goes to the next line */
    if (len == 0 && text[i] && text[i] != '\n')
        len = 1; /* always move on */
    const char *p = text + len;
    while (*p == ' ')
        p++;
    if (*p == '\n')
        p++;
    *next = p;
    return len;
}

int screen_wrapped_lines(const char *text, int w, screen_char_width width)
{
    int n = 0;
    for (const char *p = text; *p; n++)
        screen_wrap_line(p, w, width, &p);
    return n;
}

size_t screen_kind_prefix(const char *msg, const char *kind)
{
    size_t i = 0;
    for (; kind[i] && msg[i]; i++) {
        bool sep = (kind[i] == '-' || kind[i] == ' ') && (msg[i] == '-' || msg[i] == ' ');
        if (!sep && kind[i] != msg[i])
            return 0;
    }
    if (kind[i] || msg[i] != ':')
        return 0;
    return i + 1 + strspn(msg + i + 1, " ");
}

size_t screen_free_badge(const cells_free_node *n, size_t first, size_t count, size_t width, size_t *col,
                         char num[24])
{
    if (n->cell < first || n->cell >= first + count)
        return 0;
    size_t at = n->cell - first, in_row = n->cells < count - at ? n->cells : count - at;
    size_t len = (size_t)snprintf(num, 24, "%zu", n->rank);
    if (len > in_row * width)
        return 0;
    *col = at * width;
    return len;
}

bool screen_legend_place(int *y, int x0, int *x, int w, int bottom, int need)
{
    if (*x > x0 && *x + need > x0 + w) {
        if (*y >= bottom)
            return false;
        (*y)++, *x = x0;
    }
    return *x + need <= x0 + w;
}

const char *screen_legend_word(int id, const cells_grid *g)
{
    const looks_cell_spec *l = looks_cell_of((looks_id)id);
    if (l->word == NULL || (id > 0 && looks_cell_of((looks_id)(id - 1))->word &&
                            strcmp(looks_cell_of((looks_id)(id - 1))->word, l->word) == 0))
        return NULL;
    /* slack, damaged and unknown bytes are named only where the map has them */
    if ((id == LOOK_SLACK && g->usage.slack_bytes == 0) || (id == LOOK_DAMAGED && g->usage.damaged_bytes == 0) ||
        (id == LOOK_UNKNOWN && g->usage.unknown_bytes == 0))
        return NULL;
    return id == LOOK_CHANGED ? "changed by the last step" : l->word;
}

void screen_warning_text(const session *s, const session_warning *w, char *buf, size_t n)
{
    const char *msg = w->message + screen_kind_prefix(w->message, w->kind);
    char who[80] = "";
    if (session_allocator_count(s) > 1 && w->allocator < session_allocator_count(s)) { /* whose it is */
        const char *name = session_allocator_name(s, w->allocator);
        size_t len = strlen(name);
        snprintf(who, sizeof who, "[%s] ", name);
        if (strncmp(msg, name, len) == 0 && msg[len] == ':' && msg[len + 1] == ' ')
            msg += len + 2; /* a comparison member's warning names it already: once is enough */
    }
    snprintf(buf, n, "%zu %s%s: %s", w->step, who, w->kind, msg);
}

void screen_table_columns(char *out, size_t cap, const session_block *b, bool regions, size_t third)
{
    char at[32]; /* the region (an arena's chunk, a pool's slab) and the offset in it */
    if (regions)
        snprintf(at, sizeof at, "%u:%zu", (unsigned)b->region, b->offset);
    else
        snprintf(at, sizeof at, "%zu", b->offset);
    int size_w = 6, over = (int)strlen(at) - 7;
    if (over > 0) /* a long position takes its columns from the size's: the columns after stay put */
        size_w = over < 5 ? size_w - over : 1;
    snprintf(out, cap, "%7s %*zu %5zu %4zu %-5s", at, size_w, b->size, third, b->padding,
             b->live ? "live" : "freed");
}
