/*
 * screen.c - pane layout and styles of the live view (see screen.h).
 */
#include "allocscope/screen.h"

#include <string.h>

static screen_rect rect(int y, int x, int h, int w)
{
    return (screen_rect){y, x, h > 0 ? h : 0, w > 0 ? w : 0};
}

void screen_compute(int rows, int cols, bool playing, screen_layout *out)
{
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
    int usable = out->map.w - SCREEN_MAP_PREFIX - 1;
    out->map_cols = usable >= 16 ? usable / 8 * 8 : (usable > 0 ? usable : 1);
    out->map_rows = out->map.h - 2 > 1 ? out->map.h - 2 : 1;
}

screen_style screen_cell_style(const cell *c)
{
    if (c->marks & CELL_MARK_OFFSET)
        return STYLE_OFFSET;
    switch (c->role) {
    case CELL_LIVE:
        return (screen_style)(STYLE_LIVE0 + (c->block >= 0 ? c->block % SCREEN_LIVE_COLOURS : 0));
    case CELL_PADDING: return STYLE_PADDING;
    case CELL_FREED: return STYLE_FREED;
    case CELL_META: return STYLE_META;
    default: return STYLE_UNUSED;
    }
}

static const char *const style_names[STYLE_COUNT] = {
    "text", "dim", "header", "unused", "freed", "metadata", "padding", "live0", "live1", "live2",
    "live3", "live4", "live5", "offset", "warning", "new-warning", "error", "caption",
};

const char *screen_style_name(screen_style s) { return s < STYLE_COUNT ? style_names[s] : "?"; }
