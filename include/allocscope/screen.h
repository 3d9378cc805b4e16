/*
 * screen.h - the live view's decisions that need no terminal: where each
 * pane goes at a given terminal size, and which style (colour role) each
 * thing is drawn in. tui.c turns styles into curses attributes; tests
 * check the decisions directly.
 */
#ifndef ALLOCSCOPE_SCREEN_H
#define ALLOCSCOPE_SCREEN_H

#include <stdbool.h>

#include "allocscope/cells.h"
#include "allocscope/looks.h"

#define SCREEN_MIN_ROWS 12
#define SCREEN_MIN_COLS 40
#define SCREEN_SIDE_MIN_COLS 110   /* from this width the table and warnings go right */
#define SCREEN_SIDE_WIDTH 44
#define SCREEN_MAP_PREFIX 9         /* "  1024 |" before each map row */

typedef struct screen_rect {
    int y, x, h, w;
} screen_rect;

typedef struct screen_layout {
    bool too_small;
    screen_rect header;     /* 2 rows: allocator and figures, allocators list */
    screen_rect map;        /* ruler, map rows, legend */
    screen_rect table;      /* block table */
    screen_rect warnings;
    screen_rect caption;    /* playback caption (h 0 when not playing) */
    screen_rect status;     /* playback status line (h 0 when not playing) */
    screen_rect prompt;
    screen_rect answer;     /* the last command's answer, under the prompt */
    int map_cols;           /* cells per map row */
    int map_rows;           /* rows of cells (ruler and legend excluded) */
} screen_layout;

/* Lays out a rows x cols terminal. Rectangles never overlap and stay on
 * the screen; too_small is set below SCREEN_MIN_ROWS x SCREEN_MIN_COLS. */
void screen_compute(int rows, int cols, bool playing, screen_layout *out);
/* The same with a caption of caption_lines lines of text (0: not playing):
 * its band grows to hold them all with a margin line above and below, as
 * far as a third of the screen. */
void screen_compute_captioned(int rows, int cols, int caption_lines, screen_layout *out);

/* A clean picture: the block table and warnings take no room, the map
 * takes theirs (wider beside it, taller below it). */
void screen_hide_side(screen_layout *l);

/* During playback the map shows a buffer from its start to a cut: the
 * bytes of the part in use and half as much again, rounded up to a power
 * of two (64 at least), never less than at_least (the cut shown before,
 * so the picture holds still). 0: no cut, when that would show more than
 * half of the region's bytes anyway. */
size_t screen_crop(size_t used_bytes, size_t region_bytes, size_t at_least);
/* Lines of the screen each row of cells takes when the map has `lines`
 * rows of cells for a pane of `rows` rows: up to 3 when the map is short
 * (room is kept for the legend), else 1. */
int screen_row_height(size_t lines, int rows);

/* How the map's cells sit in its columns. */
typedef struct screen_map_shape {
    int cells_per_row;
    int cell_width;         /* columns per cell, 1 to SCREEN_MAX_CELL_WIDTH */
} screen_map_shape;

#define SCREEN_MAX_CELL_WIDTH 4

/* Rows a map takes for regions of region_cells[i] cells at cells_per_row,
 * with a divider line before each region when there are several. */
size_t screen_map_rows_needed(size_t cells_per_row, const size_t *region_cells, size_t regions);
/* The shape of the map for a grid whose regions take region_cells[i]
 * cells. Rows hold a power of two cells, so aligned addresses line up in
 * columns, and cells are as wide as they can be (up to 4 columns) with
 * every row still on the map: a small buffer fills the map instead of a
 * corner of it. When even one column a cell needs more rows than the map
 * has, the layout's longer rows. */
screen_map_shape screen_map_shape_of(const screen_layout *l, const size_t *region_cells, size_t regions);
/* The same for memory cut in slots of `stride` cells (a pool's): rows
 * hold a whole number of slots, so slots stack in columns instead of
 * zigzagging; with no stride (0 or 1), or none that fits, as above. */
screen_map_shape screen_map_shape_strided(const screen_layout *l, const size_t *region_cells, size_t regions,
                                          size_t stride);

/* What things are drawn as: the styles of looks.h, which says their
 * colours; tui.c turns them into curses attributes. */
typedef looks_style screen_style;

#define SCREEN_LIVE_COLOURS LOOKS_LIVE_COLOURS

/* The style of a map cell: live blocks by block index, the offset marker
 * over everything. */
screen_style screen_cell_style(const cell *c);
/* The name of a style, for tests and the legend. */
const char *screen_style_name(screen_style s);

/* The bytes a header calls used: all but the unused, the unknown and,
 * without an offset, the freed ones (freed bytes below a bump offset are
 * not free again; a free list's are). Free is what is unused or freed:
 * unknown bytes are neither used nor free (capacity = used + free +
 * unknown). */
size_t screen_used_bytes(const session_stats *st);
size_t screen_free_bytes(const session_stats *st);

/* The header's first line, form by form: form 0 names every figure in
 * full, each later form takes fewer columns (6 forms, 0 to 5). Writes the
 * line (at most size bytes) for the allocator st describes, its name,
 * kind and zoom (bytes per cell), and returns true; for a form past the
 * last returns false and leaves line as it was. The caller tries forms in
 * order until one fits its width. */
bool screen_header_form(const session_stats *st, const char *name, const char *kind, size_t zoom, int form,
                        char *line, size_t size);

/* The columns one character takes, for wrapping: s is not at its end;
 * sets *bytes to the character's bytes (at least 1). */
typedef int (*screen_char_width)(const char *s, size_t *bytes);
/* The first line of text wrapped at w columns (w >= 1), each character as
 * wide as width says: whole words while they fit, a word longer than a
 * line cut at w, a newline a hard break. Returns its bytes; *next is
 * where the following line starts. */
size_t screen_wrap_line(const char *text, int w, screen_char_width width, const char **next);
/* Lines text takes wrapped at w columns (0 for ""). */
int screen_wrapped_lines(const char *text, int w, screen_char_width width);

/* The length of the kind at the start of a warning's message ("overflow:
 * ...", "use after free: ..." for use-after-free) with its colon and
 * spaces, or 0 if the message does not begin with it: so a message that
 * names its kind does not get it twice. */
size_t screen_kind_prefix(const char *msg, const char *kind);

/* A free block's badge, its place in its list (1: the head), in a map
 * row that shows cells first to first + count - 1 (count >= 1), each
 * width columns: written in num (24 bytes) at column *col of the row,
 * at the block's first cell; returns the digits, or 0 when the block does
 * not start in this row or its cells in the row have no room for them. */
size_t screen_free_badge(const cells_free_node *n, size_t first, size_t count, size_t width, size_t *col,
                         char num[24]);

/* Places a legend entry need columns wide at *x on row *y of a legend
 * that starts at column x0 and is w wide: on the next row (*y + 1, *x =
 * x0) when it does not fit on this one and bottom (the last row) allows.
 * True iff it fits where *y and *x then say. */
bool screen_legend_place(int *y, int x0, int *x, int w, int bottom, int need);

/* What the legend writes for look id over the map g: its legend word, or
 * NULL when the legend leaves it out (no word, the same word as the look
 * before it, or slack / damaged / unknown bytes where the map has none). */
const char *screen_legend_word(int id, const cells_grid *g);

/* A warning as the warnings pane shows it: "STEP [ALLOCATOR] KIND: MESSAGE"
 * (the allocator where there are several; the kind and the allocator's
 * name are not repeated from the message). */
void screen_warning_text(const session *s, const session_warning *w, char *buf, size_t n);

/* A block table row's columns after the name, under the heading's
 * "offset/reg:off size slack|align pad state": third is the slack or the
 * alignment. A position longer than its 7 columns takes them from the
 * size's, so the columns after it stay under their headings. */
void screen_table_columns(char *out, size_t cap, const session_block *b, bool regions, size_t third);

#endif
