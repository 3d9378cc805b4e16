/*
 * svgout.h - the live view's frame as a standalone SVG picture: header
 * figures, the map (cells as rectangles, glyphs and names as text), its
 * legend, the block table, the warnings, the caption and the playback
 * line, laid out as the live view lays out a terminal of the chosen size
 * (screen.h). It reads the model and the cell grid only; every colour and
 * glyph comes from looks.h, in a light or a dark theme.
 *
 * Also the exporters' one rule for writing files (svgout_write_file):
 * write a temporary file beside the target and rename it into place, so
 * that nothing half-written is ever left; an existing file is refused
 * unless force is given.
 */
#ifndef ALLOCSCOPE_SVGOUT_H
#define ALLOCSCOPE_SVGOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocscope/cells.h"
#include "allocscope/looks.h"
#include "allocscope/parse.h"
#include "allocscope/session.h"
#include "allocscope/strbuf.h"

#define SVGOUT_DEFAULT_COLS 120
#define SVGOUT_DEFAULT_ROWS 40
#define SVGOUT_MAX_COLS 400
#define SVGOUT_MAX_ROWS 200

/* A comparison group's member grids of the frame before (for the changes
 * each member's map marks), kept by a caller drawing frame after frame. */
typedef struct svgout_group_memory {
    cells_grid grid[4];
    size_t member[4], count;
} svgout_group_memory;
void svgout_group_memory_init(svgout_group_memory *mem);
void svgout_group_memory_free(svgout_group_memory *mem);

/* What is pictured besides the model. */
typedef struct svgout_frame {
    const session *s;
    bool playing;             /* a scene: the caption and status panes are shown */
    const char *caption;      /* the caption in force ("" none) */
    size_t position, length;  /* playback: after step position of length */
    const char *command;      /* the last step's text, or NULL */
    bool failed;              /* that step failed */
    const char *answer;       /* the last answer, or NULL */
    const cells_grid *before; /* the grid before the last step (its changes are marked), or NULL */
    size_t warnings_before;   /* warnings before the last step: newer ones stand out */
    const cells_grid *before_change; /* the grid before the last step that changed the picture, or NULL:
                                        its changes stay marked while the grid equals before */
    int caption_lines;        /* lines the caption band holds (the scene's longest note); 0: the caption's */
    size_t answer_step;       /* playback: the step (1-based) that gave the answer, 0 none */
    const char *answer_command; /* that step's text, or NULL */
    bool answer_failed;       /* that step failed */
    svgout_group_memory *group_memory; /* NULL, or the group's last frame: read and updated */
    size_t *crop;             /* playback: the map's cut shown before (svgout_build_grid), read and updated;
                                 NULL: none kept */
} svgout_frame;

/* Lines a caption takes in the band of a cols-column picture (at least 1),
 * wrapped as the live view wraps it. */
int svgout_caption_lines(const char *caption, int cols);
/* Lines the longest note of a scene takes there: the caption band's
 * height throughout its playback, as in the live view. */
struct player;
int svgout_scene_caption_lines(const struct player *p, int cols);

typedef struct svgout_options {
    int cols, rows;           /* the terminal pictured (0: 120 x 40) */
    looks_theme theme;
    bool ascii;               /* ASCII glyphs */
} svgout_options;

/* How map cell i of grid looks with colours on, as the live view's
 * cell_look decides: a fill colour (or none), a glyph (or NULL: the fill
 * alone) and its ink. changed: the last step changed the cell. */
typedef struct svgout_face {
    bool filled, bold, underline, dim;
    uint32_t fill, ink;        /* 0xRRGGBB */
    const char *glyph;         /* UTF-8, one column; valid until the next call */
} svgout_face;
svgout_face svgout_cell_face(const cells_grid *grid, size_t i, looks_theme theme, bool ascii, bool with_label,
                             bool changed);

/* The colours of ink fg on ground bg (LOOKS_NONE: the page) with
 * attributes, as the SVG draws them in theme: a 256-colour terminal's, ink
 * on the page in the theme's (looks_rgb), a ground the page has inverted. */
typedef struct svgout_ink {
    uint32_t fg, bg;
    bool has_bg;
} svgout_ink;
svgout_ink svgout_ink_of(looks_colour fg, looks_colour bg, unsigned attrs, looks_theme theme);
/* The same for style s. */
svgout_ink svgout_style_ink(looks_style s, looks_theme theme);
/* A warning's line as the live view writes it: "STEP [ALLOCATOR] KIND:
 * MESSAGE", the allocator's name when s has several, the kind once when
 * the message begins with it. */
void svgout_warning_text(const session *s, const session_warning *w, char *buf, size_t n);

/* The map's grid as the live view builds it for capacity cells: with
 * playing (the live view's playback, not its w) at fit zoom a buffer much larger than the part in use
 * is cut (screen_crop) to a power of two past it, never less than *crop
 * (the cut shown before for the same allocator; 0 at the start or after
 * another allocator) and *crop is updated; a free block that merged freed
 * bytes with never-used ones is one freed region. nodes (max of them)
 * gets the free blocks in their lists' order, *free_count how many; *cut
 * the bytes shown (0: all) and *cut_of of how many. False: no memory. */
bool svgout_build_grid(const session *s, bool playing, size_t capacity, size_t *crop, cells_grid *grid,
                       cells_free_node *nodes, size_t max, size_t *free_count, size_t *cut_of);

/* Appends the SVG document of frame f to out. The grid it draws is left in
 * *grid when grid is not NULL (for the next frame's changes). False only
 * when out of memory. */
bool svgout_render(const svgout_frame *f, const svgout_options *o, strbuf *out, cells_grid *grid);

/* Writes len bytes to path through a temporary file in the same directory,
 * renamed into place: the file is whole or absent. Refuses an existing
 * path unless force (a directory always). False with a message in err. */
bool svgout_write_file(const char *path, const char *data, size_t len, bool force, strbuf *err);

/* Plays scene and writes DIR/step-NNNN.svg for the start and after each
 * step (at_marks: after each note and pause only), each step's changes
 * marked. DIR is made if missing. Refuses (writing nothing) if any of the
 * files exists and not force; a failure part way removes what it wrote.
 * *files: how many were written. False with a message in err. */
bool svgout_write_scene(const char *scene, const char *dir, const svgout_options *o, bool at_marks, bool force,
                        size_t *files, strbuf *err);

/* Reads "COLSxROWS" (40x12 up to 400x200). False with a message in err. */
bool svgout_parse_size(const char *text, int *cols, int *rows, strbuf *err);

/* The command `export svg FILE [force] [light|dark] [COLSxROWS]`: the
 * current state as the prompt's live view shows it, the last note as its
 * caption. A command handler (session, words, answer). */
session_status svgout_cmd_export(session *s, const parse_words *w, strbuf *out);

#endif
