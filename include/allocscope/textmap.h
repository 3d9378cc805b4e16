/*
 * textmap.h - the plain-text views: the buffer map (batch mode, tests,
 * non-terminal output) and a struct's layout. Both draw the same cells as
 * the live view, one character per cell, with a ruler and a legend, in
 * UTF-8 or plain ASCII; every glyph comes from looks.h.
 */
#ifndef ALLOCSCOPE_TEXTMAP_H
#define ALLOCSCOPE_TEXTMAP_H

#include <stdbool.h>

#include "allocscope/cells.h"
#include "allocscope/session.h"
#include "allocscope/strbuf.h"
#include "allocscope/types.h"

typedef struct textmap_options {
    size_t width;      /* cells per row (default 64) */
    size_t max_rows;   /* rows for zoom fit (default 16) */
    bool ascii;
} textmap_options;

void textmap_render(const session *s, const textmap_options *opt, strbuf *out);
/* A struct drawn byte by byte: fields labelled, padding marked, a table
 * of fields and a one-line summary. */
void textmap_layout(const types_registry *reg, const types_struct *t, strbuf *out, bool ascii);

#endif
