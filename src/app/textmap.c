/*
 * textmap.c - the plain-text map and struct layout (see textmap.h).
 */
#include "allocscope/textmap.h"

#include <stdio.h>
#include <string.h>

#include "allocscope/looks.h"

#define TEXTMAP_MAX_ROWS 256

static void header(const session *s, const cells_grid *g, strbuf *out)
{
    session_stats st;
    session_get_stats(s, &st);
    sb_printf(out, "%s: %s | %zu bytes", session_active_name(s), session_active_description(s), st.capacity);
    if (st.has_offset)
        sb_printf(out, " | offset %zu", st.offset);
    sb_printf(out, " | live %zu (%zu bytes) | padding %zu", st.live_blocks, st.live_bytes, st.padding_bytes);
    if (st.slack_bytes)
        sb_printf(out, " | slack %zu", st.slack_bytes);
    if (st.damaged_bytes)
        sb_printf(out, " | damaged %zu", st.damaged_bytes);
    if (st.unknown_bytes)
        sb_printf(out, " | unknown %zu", st.unknown_bytes);
    sb_printf(out, " | metadata %zu | %zu byte%s/cell\n", st.metadata_bytes, g->zoom, g->zoom == 1 ? "" : "s");
}

static void ruler(const cells_grid *g, size_t width, strbuf *out)
{
    char line[1024];
    size_t n = width + 9 < sizeof line ? width + 9 : sizeof line - 1;
    memset(line, ' ', n);
    line[n] = '\0';
    for (size_t col = 0; col < width; col += 16) {
        char num[24];
        int len = snprintf(num, sizeof num, "+%zu", col * g->zoom);
        if (col + 9 + (size_t)len <= n)
            memcpy(line + 9 + col, num, (size_t)len);
    }
    while (n > 0 && line[n - 1] == ' ')
        line[--n] = '\0';
    sb_add(out, line);
    sb_addc(out, '\n');
}

/* Draws a region's rows while *budget rows remain; returns the rows left
 * undrawn. */
static size_t region_rows(const cells_grid *g, const cells_region *r, size_t width, bool ascii, strbuf *out,
                          size_t *budget)
{
    for (size_t row = 0; row < r->count; row += width) {
        if (*budget == 0)
            return (r->count - row + width - 1) / width;
        (*budget)--;
        size_t n = r->count - row < width ? r->count - row : width;
        sb_printf(out, "%7zu |", row * g->zoom);
        bool any_mark = false;
        for (size_t i = 0; i < n; i++) {
            const cell *c = &g->cells[r->first + row + i];
            if (c->label)
                sb_addc(out, c->label);
            else
                sb_add(out, looks_glyph(looks_of_cell(c), ascii));
            any_mark |= c->marks != 0;
        }
        sb_add(out, "|\n");
        if (!any_mark)
            continue;
        sb_add(out, "         ");
        size_t last = 0;
        char marks[1024];
        for (size_t i = 0; i < n && i < sizeof marks - 1; i++) {
            marks[i] = looks_mark_char(g->cells[r->first + row + i].marks);
            if (marks[i] != ' ')
                last = i + 1;
        }
        marks[last] = '\0';
        sb_add(out, marks);
        sb_addc(out, '\n');
    }
    return 0;
}

/* Draws one allocator's map (and the legend if asked); true iff the map
 * shows unknown bytes. */
static bool render_one(const session *s, const textmap_options *opt, size_t zoom, strbuf *out, bool legend);

/* The map of the active allocator; while comparing, every member's map in
 * turn, at the same bytes per cell (the finest that fits them all), each
 * under its own header, so that the same offset is in the same column. */
void textmap_render(const session *s, const textmap_options *opt, strbuf *out)
{
    size_t n = session_group_count(s);
    session *view = n ? session_view_new() : NULL;
    if (view == NULL) {
        render_one(s, opt, 0, out, true);
        return;
    }
    size_t width = opt && opt->width ? opt->width : 64;
    size_t rows = opt && opt->max_rows ? opt->max_rows : 16;
    if (width > 1000)
        width = 1000;
    textmap_options one = opt ? *opt : (textmap_options){0};
    one.width = width;
    one.max_rows = rows;
    size_t zoom = session_zoom(s);
    for (size_t i = 0; i < n && zoom == 0; i++) {
        session_view_of(view, s, session_group_member(s, i));
        size_t z = cells_fit_zoom(view, width * rows);
        zoom = z > zoom ? z : zoom;
    }
    bool unknown = false;
    for (size_t i = 0; i < n; i++) {
        session_view_of(view, s, session_group_member(s, i));
        sb_printf(out, "[%zu/%zu] ", i + 1, n);
        unknown |= render_one(view, &one, zoom, out, false);
    }
    looks_legend(out, opt && opt->ascii, unknown);
    session_view_free(view);
}

static bool render_one(const session *s, const textmap_options *opt, size_t zoom, strbuf *out, bool legend)
{
    size_t width = opt && opt->width ? opt->width : 64;
    size_t rows = opt && opt->max_rows ? opt->max_rows : 16;
    bool ascii = opt && opt->ascii;
    if (width > 1000)
        width = 1000;
    if (!session_has_active(s)) {
        sb_add(out, "(no allocator yet: try 'new bump 4096')\n");
        return false;
    }
    cells_grid g;
    cells_init(&g);
    if (!cells_build(s, zoom, width * rows, &g)) {
        sb_add(out, "(not enough memory to draw the map)\n");
        cells_free(&g);
        return false;
    }
    header(s, &g, out);
    if (g.region_count == 0)
        sb_add(out, "(nothing to draw: this allocator owns no memory yet)\n");
    else
        ruler(&g, width, out);
    /* an explicit zoom may ask for many rows: text output shows at most
     * TEXTMAP_MAX_ROWS of them */
    size_t budget = TEXTMAP_MAX_ROWS, undrawn = 0;
    for (size_t r = 0; r < g.region_count; r++) {
        if (g.region_count > 1 && budget)
            sb_printf(out, "region %zu: %zu bytes\n", r, g.regions[r].bytes);
        undrawn += region_rows(&g, &g.regions[r], width, ascii, out, &budget);
    }
    if (undrawn)
        sb_printf(out, "(%zu more rows not shown: zoom out to see them, e.g. zoom fit)\n", undrawn);
    if (g.hidden_regions)
        sb_printf(out, "(%zu more regions not drawn)\n", g.hidden_regions);
    bool unknown = g.usage.unknown_bytes > 0;
    if (legend)
        looks_legend(out, ascii, unknown);
    cells_free(&g);
    return unknown;
}

/* ---- struct layout ---- */

static void layout_row(const types_struct *t, size_t from, size_t n, bool ascii, strbuf *out)
{
    sb_printf(out, "%7zu |", from);
    for (size_t b = from; b < from + n; b++) {
        const types_field *f = NULL;
        size_t fi = 0;
        for (size_t i = 0; i < t->field_count; i++)
            if (b >= t->fields[i].offset && b < t->fields[i].offset + t->fields[i].size)
                f = &t->fields[i], fi = i;
        if (f == NULL) {
            sb_add(out, looks_glyph(LOOK_PADDING, ascii));
            continue;
        }
        size_t k = b - f->offset, len = strlen(f->name);
        if (len <= f->size && k < len)
            sb_addc(out, f->name[k]);
        else if (len > f->size && k == 0)
            sb_addc(out, f->name[0]);
        else
            sb_add(out, looks_glyph(fi % 2 ? LOOK_LIVE_ALT : LOOK_LIVE, ascii));
    }
    sb_add(out, "|\n");
}

void textmap_layout(const types_registry *reg, const types_struct *t, strbuf *out, bool ascii)
{
    size_t pad = types_padding(t), reordered = types_reordered_size(reg, t);
    sb_printf(out, "%sstruct %s: %zu byte%s, align %zu, %zu of them padding; reordered: %zu byte%s\n",
              t->packed ? "packed " : "", t->name, t->size, t->size == 1 ? "" : "s", t->align, pad, reordered,
              reordered == 1 ? "" : "s");
    size_t shown = t->size > 1024 ? 1024 : t->size;
    for (size_t row = 0; row < shown; row += 32)
        layout_row(t, row, shown - row < 32 ? shown - row : 32, ascii, out);
    if (shown < t->size)
        sb_printf(out, "        (%zu more bytes)\n", t->size - shown);
    sb_printf(out, "  %6s %6s %5s  %s\n", "offset", "size", "align", "field");
    size_t end = 0;
    for (size_t i = 0; i < t->field_count; i++) {
        const types_field *f = &t->fields[i];
        if (f->offset > end)
            sb_printf(out, "  %6zu %6zu %5s  (padding: %s needs alignment %zu)\n", end, f->offset - end, "",
                      f->name, f->align);
        sb_printf(out, "  %6zu %6zu %5zu  %s %s", f->offset, f->size, f->align, f->type, f->name);
        if (f->is_array)
            sb_printf(out, "[%zu]", f->count);
        if (t->packed && f->offset % (f->size >= 8 ? 8 : (f->size ? f->size : 1)) != 0)
            sb_add(out, "  (misaligned: slower loads, or a fault on strict CPUs)");
        sb_addc(out, '\n');
        end = f->offset + f->size;
    }
    if (t->size > end)
        sb_printf(out, "  %6zu %6zu %5s  (tail padding: the size rounds up to the alignment %zu)\n", end,
                  t->size - end, "", t->align);
}
