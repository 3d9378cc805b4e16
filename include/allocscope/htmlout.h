/*
 * htmlout.h - a scene as one self-contained HTML page (no network, no
 * other file): the map, caption, header figures, block table and
 * warnings at every step, with buttons and keys for the next and previous
 * step and note, a step slider, and #step=N in the address to open step N.
 *
 * The page stores the first state and then, per step, only what changed
 * (cells, table rows, warnings, figures), as short text; strings are kept
 * once in a table. The script applies the changes forward and keeps what
 * it replaced to go back. Cells look as svgout_cell_face says, with the
 * map laid out as the live view lays out a 120 x 40 terminal.
 */
#ifndef ALLOCSCOPE_HTMLOUT_H
#define ALLOCSCOPE_HTMLOUT_H

#include <stdbool.h>

#include "allocscope/player.h"
#include "allocscope/strbuf.h"

/* Appends the page of the scene p (played from its start to its end) to
 * out. False only when out of memory. */
bool htmlout_render(player *p, bool dark, bool ascii, strbuf *out);
/* Opens scene, renders it and writes the page to path (svgout_write_file's
 * rule). False with a message in err. */
bool htmlout_write(const char *scene, const char *path, bool dark, bool ascii, bool force, strbuf *err);

#endif
