/*
 * looks.h - how everything the views draw looks, in one place: the styles
 * (colours and attributes, as terminal colour numbers and as RGB for the
 * light and dark themes of an exporter) and the looks of the map's cells
 * (glyph in UTF-8 and ASCII, style, legend words) and marks. The text map,
 * the live view, its legend and any exporter read these tables; none of
 * them spells a glyph or a colour of its own.
 *
 * Adding a cell role (e.g. slack, damaged) is one row in LOOKS_CELLS (and
 * the role in cells.h); a new style is one row in LOOKS_STYLES.
 */
#ifndef ALLOCSCOPE_LOOKS_H
#define ALLOCSCOPE_LOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "allocscope/cells.h"
#include "allocscope/strbuf.h"

/* Terminal colour numbers (the ANSI eight, as curses numbers them); -1 is
 * the terminal's own foreground or background. */
enum {
    LOOKS_DEFAULT = -1,
    LOOKS_BLACK = 0,
    LOOKS_RED,
    LOOKS_GREEN,
    LOOKS_YELLOW,
    LOOKS_BLUE,
    LOOKS_MAGENTA,
    LOOKS_CYAN,
    LOOKS_WHITE,
};

/* Attributes, turned into curses attributes by the live view. */
enum {
    LOOKS_BOLD = 1,
    LOOKS_DIM = 2,
    LOOKS_REVERSE = 4,
    LOOKS_UNDERLINE = 8,
};

/* A colour: its number with 8 colours and with 256 (xterm's palette). */
typedef struct looks_colour {
    int16_t c8, c256;
} looks_colour;

#define LOOKS_C(c8, c256) {(c8), (c256)}
#define LOOKS_NONE LOOKS_C(LOOKS_DEFAULT, LOOKS_DEFAULT)

/*
 * The styles: X(id, name, foreground, background, attributes with colours,
 * attributes without colours). A live block's style is drawn as black on
 * its colour where a label sits, and as its colour (the background given
 * here) on the terminal's background for the solid fill.
 *
 * The palette is chosen to stay apart on a projector: live blocks take
 * green, blue, orange, purple, pink and rust at 256 colours (no cyan or
 * teal, which is metadata; no yellow, which is padding; no red, which is
 * freed; no white, which is the offset) and green, blue, magenta, plain
 * then bold, at 8. Freed bytes are a light red stipple on a dark red
 * ground, so they show as an area, not as faint dots on black. What the
 * last step changed is white, bold and underlined, and a solid block
 * gets a white bar at its foot: no role is drawn that way. Bytes nobody
 * described (unknown) are a light grey '?' on a dark grey ground: an area
 * like freed, but without a colour, and unlike the unused bytes' faint dots.
 */
#define LOOKS_STYLES(X)                                                                                    \
    X(STYLE_TEXT, "text", LOOKS_NONE, LOOKS_NONE, 0, 0)                                                    \
    X(STYLE_DIM, "dim", LOOKS_NONE, LOOKS_NONE, LOOKS_DIM, LOOKS_DIM)                                      \
    X(STYLE_HEADER, "header", LOOKS_C(LOOKS_BLACK, 0), LOOKS_C(LOOKS_WHITE, 7), 0, LOOKS_REVERSE)          \
    X(STYLE_UNUSED, "unused", LOOKS_NONE, LOOKS_NONE, LOOKS_DIM, LOOKS_DIM)                                \
    X(STYLE_FREED, "freed", LOOKS_C(LOOKS_RED, 210), LOOKS_C(LOOKS_DEFAULT, 52), LOOKS_BOLD, LOOKS_DIM)    \
    X(STYLE_META, "metadata", LOOKS_C(LOOKS_BLACK, 0), LOOKS_C(LOOKS_CYAN, 51), 0, LOOKS_BOLD)             \
    X(STYLE_PADDING, "padding", LOOKS_C(LOOKS_BLACK, 0), LOOKS_C(LOOKS_YELLOW, 220), 0, LOOKS_BOLD)        \
    X(STYLE_LIVE0, "live0", LOOKS_C(LOOKS_BLACK, 0), LOOKS_C(LOOKS_GREEN, 34), 0, 0)                       \
    X(STYLE_LIVE1, "live1", LOOKS_C(LOOKS_BLACK, 0), LOOKS_C(LOOKS_BLUE, 33), 0, 0)                        \
    X(STYLE_LIVE2, "live2", LOOKS_C(LOOKS_BLACK, 0), LOOKS_C(LOOKS_MAGENTA, 208), 0, 0)                    \
    X(STYLE_LIVE3, "live3", LOOKS_C(LOOKS_BLACK, 0), LOOKS_C(LOOKS_GREEN, 135), LOOKS_BOLD, 0)             \
    X(STYLE_LIVE4, "live4", LOOKS_C(LOOKS_BLACK, 0), LOOKS_C(LOOKS_BLUE, 205), LOOKS_BOLD, 0)              \
    X(STYLE_LIVE5, "live5", LOOKS_C(LOOKS_BLACK, 0), LOOKS_C(LOOKS_MAGENTA, 130), LOOKS_BOLD, 0)           \
    X(STYLE_OFFSET, "offset", LOOKS_C(LOOKS_BLACK, 0), LOOKS_C(LOOKS_WHITE, 231), LOOKS_BOLD, LOOKS_REVERSE) \
    X(STYLE_CHANGED, "changed", LOOKS_C(LOOKS_WHITE, 231), LOOKS_NONE, LOOKS_BOLD | LOOKS_UNDERLINE,       \
      LOOKS_BOLD | LOOKS_UNDERLINE)                                                                        \
    X(STYLE_WARNING, "warning", LOOKS_C(LOOKS_YELLOW, 220), LOOKS_NONE, 0, 0)                              \
    X(STYLE_WARNING_NEW, "new-warning", LOOKS_C(LOOKS_WHITE, 231), LOOKS_C(LOOKS_RED, 160), LOOKS_BOLD,    \
      LOOKS_REVERSE | LOOKS_BOLD)                                                                          \
    X(STYLE_ERROR, "error", LOOKS_C(LOOKS_RED, 203), LOOKS_NONE, LOOKS_BOLD, LOOKS_BOLD)                   \
    X(STYLE_CAPTION, "caption", LOOKS_C(LOOKS_WHITE, 231), LOOKS_C(LOOKS_BLUE, 18), LOOKS_BOLD, LOOKS_BOLD) \
    X(STYLE_SLACK, "slack", LOOKS_C(LOOKS_YELLOW, 220), LOOKS_NONE, LOOKS_BOLD, LOOKS_DIM)                 \
    X(STYLE_DAMAGED, "damaged", LOOKS_C(LOOKS_WHITE, 231), LOOKS_C(LOOKS_RED, 160), LOOKS_BOLD,            \
      LOOKS_BOLD | LOOKS_REVERSE)                                                                          \
    X(STYLE_UNKNOWN, "unknown", LOOKS_C(LOOKS_WHITE, 246), LOOKS_C(LOOKS_DEFAULT, 236), 0, 0)

#define LOOKS_STYLE_ENUM(id, name, fg, bg, colour_attrs, mono_attrs) id,
typedef enum looks_style { LOOKS_STYLES(LOOKS_STYLE_ENUM) STYLE_COUNT } looks_style;
#undef LOOKS_STYLE_ENUM

/* Live blocks cycle through STYLE_LIVE0 .. + LOOKS_LIVE_COLOURS - 1. */
#define LOOKS_LIVE_COLOURS 6

typedef struct looks_style_spec {
    const char *name;
    looks_colour fg, bg;
    unsigned colour_attrs, mono_attrs; /* LOOKS_BOLD ... */
} looks_style_spec;

/* The row of style s (s < STYLE_COUNT). */
const looks_style_spec *looks_style_of(looks_style s);
/* The style of a live block by its index among the session's blocks. */
looks_style looks_live_style(long block);
/* The colour that a cell of style s covers its area with: its background,
 * or its foreground when it has none (at 8 and at 256 colours apart). */
looks_colour looks_area(looks_style s);

typedef enum looks_theme { LOOKS_THEME_DARK, LOOKS_THEME_LIGHT } looks_theme;
/* The RGB (0xRRGGBB) of a colour as xterm's 256-colour palette shows it;
 * the terminal default is the theme's foreground or background. A
 * foreground is ink on the theme's page: in the light theme, colours too
 * pale to read there (yellow, white, the light block colours) give a
 * darker one of their hue (looks.c's light rows). Ink over a fill of its
 * own is asked for in the dark theme, which draws it as the terminal does. */
uint32_t looks_rgb(looks_colour c, looks_theme theme, bool foreground);

/*
 * The looks of map cells: X(id, role, UTF-8 glyph, ASCII glyph, style,
 * legend word, legend phrase of the text map). Rows are in legend order;
 * rows without a word are not in the legend, and neighbouring rows with
 * the same word share one legend entry. The first row of a role is the
 * role's look; metadata takes the row of its kind (looks.c), a live block
 * of odd index the alternate glyph so neighbours differ. LOOK_CHANGED is
 * how the live view draws a solid live cell that the last step changed, in
 * colour (a white bar at its foot), LOOK_CHANGED_PLAIN without colours (a
 * half block); other cells it draws white, bold and underlined.
 */
#define LOOKS_CELLS(X)                                                                                     \
    X(LOOK_LIVE, CELL_LIVE, "█", "#", STYLE_LIVE0, "live", "live (name at its start)")                     \
    X(LOOK_LIVE_ALT, CELL_LIVE, "▓", "=", STYLE_LIVE0, "live", "live (name at its start)")                 \
    X(LOOK_PADDING, CELL_PADDING, "╱", "/", STYLE_PADDING, "padding", "padding")                           \
    X(LOOK_SLACK, CELL_SLACK, "~", "~", STYLE_SLACK, "slack", "slack")                                     \
    X(LOOK_DAMAGED, CELL_DAMAGED, "!", "!", STYLE_DAMAGED, "damaged", "damaged")                           \
    X(LOOK_FREED, CELL_FREED, "░", "x", STYLE_FREED, "freed", "freed")                                     \
    X(LOOK_UNKNOWN, CELL_UNKNOWN, "?", "?", STYLE_UNKNOWN, "unknown", "unknown (not described by the allocator)") \
    X(LOOK_HEADER, CELL_META, "H", "H", STYLE_META, "header", "header")                                    \
    X(LOOK_LINK, CELL_META, "L", "L", STYLE_META, "link", "free-list link")                                \
    X(LOOK_CHUNK, CELL_META, "C", "C", STYLE_META, "chunk", "chunk header")                                \
    X(LOOK_GUARD, CELL_META, "G", "G", STYLE_META, "guard", "guard")                                       \
    X(LOOK_UNUSED, CELL_UNUSED, "·", ".", STYLE_UNUSED, "unused", "unused")                                \
    X(LOOK_CHANGED, CELL_LIVE, "▁", "_", STYLE_CHANGED, "changed", NULL)                                   \
    X(LOOK_CHANGED_PLAIN, CELL_LIVE, "▀", "#", STYLE_CHANGED, NULL, NULL)                                  \
    X(LOOK_META, CELL_META, "M", "M", STYLE_META, NULL, NULL)                                              \
    X(LOOK_SLOT_START, CELL_UNUSED, "▏", "|", STYLE_UNUSED, NULL, NULL)

#define LOOKS_CELL_ENUM(id, role, utf8, ascii, style, word, legend) id,
typedef enum looks_id { LOOKS_CELLS(LOOKS_CELL_ENUM) LOOK_COUNT } looks_id;
#undef LOOKS_CELL_ENUM

typedef struct looks_cell_spec {
    cells_role role;
    const char *utf8, *ascii;
    looks_style style;
    const char *word;   /* in the live view's legend, or NULL */
    const char *legend; /* in the text map's legend, or NULL */
} looks_cell_spec;

/* The row of look id (id < LOOK_COUNT). */
const looks_cell_spec *looks_cell_of(looks_id id);
/* The look of a cell by its role, metadata kind and block (marks and
 * label aside). */
looks_id looks_of_cell(const cell *c);
/* Its glyph, in UTF-8 or ASCII: one column wide. */
const char *looks_glyph(looks_id id, bool ascii);
/* The style of a cell: live blocks by block index, the offset mark over
 * everything. */
looks_style looks_cell_style(const cell *c);

/*
 * The marks of map cells, in priority order: X(bit, character under the
 * text map's row, style over the cell's own or -1, attributes added in the
 * live view, legend phrase or NULL). None of them underlines: that is the
 * mark of a change. The live view draws chunk, slot and free-node starts
 * in empty cells as LOOK_SLOT_START.
 */
#define LOOKS_MARKS(X)                                                                                     \
    X(CELL_MARK_OFFSET, '^', STYLE_OFFSET, 0, "offset")                                                    \
    X(CELL_MARK_FREE_HEAD, '*', -1, LOOKS_BOLD, "free-list head")                                          \
    X(CELL_MARK_ROVER, '>', -1, LOOKS_BOLD, NULL)                                                          \
    X(CELL_MARK_FREE_NODE, 'n', -1, 0, NULL)                                                               \
    X(CELL_MARK_BOUNDARY, ':', -1, 0, "chunk/slot start")

typedef struct looks_mark_spec {
    unsigned bit;       /* cells_mark */
    char ch;
    int style;          /* looks_style, or -1 */
    unsigned attrs;
    const char *legend;
} looks_mark_spec;

/* The marks table: *count rows in priority order. */
const looks_mark_spec *looks_marks(size_t *count);
/* The character of the most important of a cell's marks, ' ' for none. */
char looks_mark_char(unsigned marks);
/* The attributes the marks add to a cell in the live view. */
unsigned looks_mark_attrs(unsigned marks);

/* The text map's one-line legend, from the tables. Unknown bytes are
 * named only when with_unknown (the map has some: only an allocator that
 * does not describe its memory has them). */
void looks_legend(strbuf *out, bool ascii, bool with_unknown);

#endif
