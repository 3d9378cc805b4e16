/*
 * cells.h - the active allocator's memory as a grid of cells, each with a
 * semantic role. It is what every map draws (the text map, the TUI), so
 * they agree byte for byte. Built by walking spans, never bytes: its cost
 * is proportional to spans + cells, whatever the buffer size.
 *
 * At one byte per cell every byte has its own role; at coarser zoom a cell
 * shows the most important thing it contains, and padding wins over
 * everything, so padding stays visible at every zoom.
 */
#ifndef ALLOCSCOPE_CELLS_H
#define ALLOCSCOPE_CELLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocscope/blockindex.h"
#include "allocscope/session.h"

/* In increasing priority: a cell shows its highest role. */
typedef enum cells_role {
    CELL_UNUSED,
    CELL_UNKNOWN,   /* not described by the allocator and never handed out: below all that is known */
    CELL_FREED,
    CELL_META,
    CELL_SLACK,     /* handed out with a block beyond its size (internal fragmentation); below
                     * live, so that a coarse map of a pool still shows its blocks */
    CELL_LIVE,
    CELL_PADDING,
    CELL_DAMAGED,   /* guard / poison bytes found overwritten: evidence, above all else */
    CELL_ROLE_COUNT
} cells_role;

enum cells_mark {
    CELL_MARK_OFFSET = 1,     /* the bump / end offset is in this cell */
    CELL_MARK_BOUNDARY = 2,   /* a chunk or slot starts here */
    CELL_MARK_FREE_NODE = 4,  /* a free-list node starts here */
    CELL_MARK_FREE_HEAD = 8,  /* the head of a free list */
    CELL_MARK_ROVER = 16,     /* next-fit's rover */
};

typedef struct cell {
    uint8_t role;             /* cells_role */
    uint8_t meta;             /* as_meta_kind, for CELL_META */
    uint8_t marks;            /* cells_mark bits */
    char label;               /* a character of the block's name, or 0 */
    int32_t block;            /* index among the session's blocks (session_block_at), or -1;
                               * for padding among live bytes, the first live block in the cell */
    uint8_t beneath;          /* what most of the cell's bytes are (cells_role): for a padding
                               * cell at a zoom coarser than CELLS_BENEATH_ZOOM, what the padding
                               * sits among; otherwise the cell's role */
} cell;

/* From this many bytes per cell up, padding cells also say what most of
 * their bytes are, so that a map of a big heap is not padding alone. */
#define CELLS_BENEATH_ZOOM 32

typedef struct cells_region {
    size_t first;             /* index of its first cell */
    size_t count;             /* cells */
    size_t bytes;
    const void *base;
} cells_region;

#define CELLS_MAX_REGIONS 64
/* A grid never has more cells than this (a 1 GiB buffer at zoom 1 would
 * need a billion): a finer zoom is coarsened to fit. */
#define CELLS_MAX_CELLS ((size_t)1 << 22)

typedef struct cells_grid {
    cell *cells;
    size_t count, cap;
    size_t zoom;              /* bytes per cell */
    cells_region regions[CELLS_MAX_REGIONS];
    size_t region_count;
    size_t hidden_regions;    /* regions past CELLS_MAX_REGIONS, not drawn */
    as_usage usage;           /* the figures of the spans seen while building */
    block_index *blocks;      /* kept from one build to the next */
    const void **owners;      /* scratch: the block pointer each cell shows */
    struct cells_memo *memo;  /* what the last build saw, for the next one to
                               * redo only what changed (cells.c); NULL: none */
} cells_grid;

void cells_init(cells_grid *g);
void cells_free(cells_grid *g);
/* The zoom that fits the active allocator into at most max_cells cells
 * (a power of two); 1 if there is nothing to show. */
size_t cells_fit_zoom(const session *s, size_t max_cells);
/* Fills g for the active allocator at zoom bytes per cell (0: the
 * session's zoom, or fit to max_cells), coarsened if it would take more
 * than CELLS_MAX_CELLS cells; g->zoom says what was used. False only when
 * out of memory. When g was last built for the same allocator at the same
 * zoom and the allocator can say what changed since (its probe's
 * changed_since and inspect_range: one region, at least
 * CELLS_BENEATH_ZOOM bytes a cell), only the cells of the changed bytes
 * are walked again: the same grid as a fresh build, in O(the spans of
 * those cells + cells + markers) instead of O(all spans). */
bool cells_build(const session *s, size_t zoom, size_t max_cells, cells_grid *g);
/* How many builds of g redid only the cells of what changed (for tests
 * and benchmarks: the grid is the same either way). */
size_t cells_updates(const cells_grid *g);
/* True iff the two grids show the same thing: zoom, regions, usage and
 * every field of every cell. */
bool cells_grid_equal(const cells_grid *a, const cells_grid *b);
/* Marks, in changed[i], the cells that differ from before. Grids of
 * different lengths or zooms cannot be compared cell by cell: then no
 * cell counts as changed (a new zoom changes the picture, not memory). */
void cells_diff(const cells_grid *before, const cells_grid *after, bool *changed);

/* A free block in the order the allocator's free structure keeps it
 * (a free list's address order, a pool's LIFO, a buddy's orders largest
 * first): the cell it starts in, how many cells it covers, its place in
 * its list (1: the head) and the list (a buddy order, else 0). */
typedef struct cells_free_node {
    size_t cell;
    size_t cells;
    size_t rank;
    unsigned list;
} cells_free_node;

/* Walks the active allocator's free structure over the cells of g (built
 * from the same state): fills at most max nodes, in walk order, and
 * returns how many there are; blocks outside g's cells are skipped. 0 for
 * allocators that keep no free structure. */
size_t cells_free_order(const session *s, const cells_grid *g, cells_free_node *out, size_t max);

/* The cells between slot starts when g's first region is cut in equal
 * slots (a pool: its slot starts are marked every so many cells, at
 * least three of them), else 0. */
size_t cells_slot_stride(const cells_grid *g);
/* The cells of g's first region up to the last one in use (neither
 * unused nor unknown, or holding the offset mark); 0 if none is. g has at
 * least one region. */
size_t cells_used(const cells_grid *g);
/* Cuts g's first region to the cells that hold cut_bytes (rounded up to
 * whole slots when the region is cut in slots): returns the bytes the
 * cut region now shows, or 0 when the cut would keep every cell (then g
 * is left as it was). */
size_t cells_cut(cells_grid *g, size_t cut_bytes);
/* A free block that merged freed bytes with never-used ones is one free
 * block: its unused cells become freed (no block), so it is drawn as one
 * freed region; a pristine free block stays unused. */
void cells_unify_free_blocks(cells_grid *g, const cells_free_node *nodes, size_t count);

#endif
