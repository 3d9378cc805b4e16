/*
 * cells.c - the grid of semantic cells (see cells.h).
 */
#include "allocscope/cells.h"

#include <stdlib.h>
#include <string.h>

void cells_init(cells_grid *g) { memset(g, 0, sizeof *g); }

void cells_free(cells_grid *g)
{
    free(g->cells);
    cells_init(g);
}

typedef struct sizer {
    size_t total;
    size_t regions;
} sizer;

static void size_region(void *user, uint32_t r, const void *base, size_t size)
{
    (void)r, (void)base;
    sizer *z = user;
    if (z->regions++ < CELLS_MAX_REGIONS)
        z->total += size;
}

size_t cells_fit_zoom(const session *s, size_t max_cells)
{
    as_instance in = session_active_instance(s);
    if (in.a.ctx == NULL || max_cells == 0)
        return 1;
    sizer z = {0, 0};
    as_inspector ins = {size_region, NULL, NULL, &z};
    in.probe->inspect(in.a.ctx, &ins);
    size_t zoom = 1;
    /* each region rounds up to whole cells: allow one extra cell per extra region */
    size_t regions = z.regions < CELLS_MAX_REGIONS ? z.regions : CELLS_MAX_REGIONS;
    size_t extra = regions > 1 ? regions - 1 : 0;
    while (zoom < ((size_t)1 << 40) && (z.total + zoom - 1) / zoom + extra > max_cells)
        zoom *= 2;
    return zoom;
}

/* A block pointer -> block index map for the active allocator, sorted. */
typedef struct ptr_index {
    const void *ptr;
    int32_t index;
    bool live;
} ptr_index;


/* A run of blocks whose pointers never descend: index[first, end). */
typedef struct ptr_run {
    size_t first, end;
} ptr_run;

#define MAX_RUNS 64

typedef struct builder {
    cells_grid *g;
    ptr_index *index;        /* ascending runs in allocation order, or a hash table */
    size_t nindex, hash_cap;
    bool hashed;
    ptr_run runs[MAX_RUNS];  /* sorted by address, not overlapping */
    size_t run_count;
    const session *s;
    bool failed;
    unsigned shift;          /* log2 of the zoom: cells are found by shifts, not divisions */
    size_t bytes[AS_SPAN_KIND_COUNT];
    size_t live_spans;
} builder;

static int32_t search_run(const builder *b, const ptr_run *r, const void *ptr)
{
    size_t lo = r->first, hi = r->end;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)b->index[mid].ptr <= (uintptr_t)ptr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > r->first && b->index[lo - 1].ptr == ptr ? b->index[lo - 1].index : -1;
}

static int32_t block_of(const builder *b, const void *ptr)
{
    if (b->hashed) {
        for (size_t i = as_hash_ptr(ptr, b->hash_cap);; i = (i + 1) & (b->hash_cap - 1)) {
            if (b->index[i].ptr == NULL)
                return -1;
            if (b->index[i].ptr == ptr)
                return b->index[i].index;
        }
    }
    /* the last run starting at or before ptr */
    size_t lo = 0, hi = b->run_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)b->index[b->runs[mid].first].ptr <= (uintptr_t)ptr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 ? search_run(b, &b->runs[lo - 1], ptr) : -1;
}

static int by_run_start(const void *x, const void *y, void *index)
{
    const ptr_index *ix = index;
    uintptr_t a = (uintptr_t)ix[((const ptr_run *)x)->first].ptr;
    uintptr_t c = (uintptr_t)ix[((const ptr_run *)y)->first].ptr;
    return (a > c) - (a < c);
}

/* Splits the list into ascending runs (each arena chunk, pool slab, ...):
 * false if there are too many or they overlap. */
static bool find_runs(builder *b, ptr_index *list, size_t n)
{
    b->run_count = 0;
    for (size_t i = 0; i < n; i++) {
        /* equal pointers stay in the run: an address reused after a free;
         * the search finds the newest, which is the live one if any is */
        if (i == 0 || (uintptr_t)list[i].ptr < (uintptr_t)list[i - 1].ptr) {
            if (b->run_count == MAX_RUNS)
                return false;
            b->runs[b->run_count++] = (ptr_run){i, i + 1};
        } else {
            b->runs[b->run_count - 1].end = i + 1;
        }
    }
    qsort_r(b->runs, b->run_count, sizeof *b->runs, by_run_start, list);
    for (size_t r = 1; r < b->run_count; r++)
        if ((uintptr_t)list[b->runs[r].first].ptr <= (uintptr_t)list[b->runs[r - 1].end - 1].ptr)
            return false;
    return true;
}

/* Fills the pointer index: the blocks in allocation order when they form a
 * few ascending runs that do not overlap (bump-like allocators, arena
 * chunks, pool slabs before any reuse), else a hash table; never a sort of
 * all blocks. In the hash, for one pointer the newest live block wins. */
static bool build_index(builder *b)
{
    size_t n = session_block_count(b->s);
    ptr_index *list = malloc((n ? n : 1) * sizeof *list);
    if (list == NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool live;
        list[i].ptr = session_block_ptr_at(b->s, i, &live);
        list[i].index = (int32_t)i;
        list[i].live = live;
    }
    b->nindex = n;
    b->index = list;
    if (find_runs(b, list, n))
        return true;
    size_t cap = 64;
    while (cap < 2 * n)
        cap *= 2;
    b->index = calloc(cap, sizeof *b->index);
    if (b->index == NULL) {
        free(list);
        return false;
    }
    b->hashed = true;
    b->hash_cap = cap;
    for (size_t i = 0; i < n; i++) {
        const ptr_index *e = &list[i];
        size_t k = as_hash_ptr(e->ptr, cap);
        while (b->index[k].ptr != NULL && b->index[k].ptr != e->ptr)
            k = (k + 1) & (cap - 1);
        if (b->index[k].ptr == NULL || e->live || !b->index[k].live)
            b->index[k] = *e;
    }
    free(list);
    return true;
}

static void on_region(void *user, uint32_t r, const void *base, size_t size)
{
    builder *b = user;
    cells_grid *g = b->g;
    g->usage.capacity += size;
    if (r >= CELLS_MAX_REGIONS) {
        g->hidden_regions++;
        return;
    }
    size_t n = (size + g->zoom - 1) / g->zoom;
    if (g->count + n > g->cap) {
        size_t cap = g->cap ? g->cap : 256;
        while (cap < g->count + n)
            cap *= 2;
        cell *grown = realloc(g->cells, cap * sizeof *grown);
        if (grown == NULL) {
            b->failed = true;
            return;
        }
        g->cells = grown;
        g->cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        g->cells[g->count + i] = (cell){CELL_UNUSED, 0, 0, 0, -1};
    g->regions[r] = (cells_region){g->count, n, size, base};
    g->region_count = r + 1;
    g->count += n;
}

/* Paints the cells a span covers where it wins them. */
static __attribute__((noinline)) void paint_span(builder *b, const as_span *sp, const cells_region *r,
                                                 size_t first, cells_role role)
{
    cells_grid *g = b->g;
    size_t last = (sp->offset + sp->len - 1) >> b->shift;
    if (last >= r->count)
        last = r->count - 1;
    int32_t block = -2; /* not looked up yet */
    for (size_t i = first; i <= last; i++) {
        cell *c = &g->cells[r->first + i];
        if (role > c->role || (role == c->role && c->block < 0)) {
            /* look the block up only when the span wins a cell */
            if (block == -2)
                block = sp->block && (role == CELL_LIVE || role == CELL_FREED) ? block_of(b, sp->block) : -1;
            if (role == c->role && block < 0)
                continue;
            c->role = (uint8_t)role;
            c->meta = (uint8_t)sp->meta;
            c->block = block;
        }
    }
}

static const uint8_t role_of_kind[AS_SPAN_KIND_COUNT] = {
    [AS_SPAN_UNUSED] = CELL_UNUSED, [AS_SPAN_LIVE] = CELL_LIVE,     [AS_SPAN_FREED] = CELL_FREED,
    [AS_SPAN_PADDING] = CELL_PADDING, [AS_SPAN_META] = CELL_META,
};

/* Called for every span: kept small, since a frame over many blocks makes
 * hundreds of thousands of calls; most spans at a coarse zoom fall in a
 * cell that is already decided. */
static void on_span(void *user, const as_span *sp)
{
    builder *b = user;
    b->bytes[sp->kind] += sp->len;
    b->live_spans += sp->kind == AS_SPAN_LIVE;
    const cells_grid *g = b->g;
    if (sp->region >= g->region_count)
        return;
    const cells_region *r = &g->regions[sp->region];
    size_t first = sp->offset >> b->shift;
    if (first >= r->count)
        return;
    cells_role role = (cells_role)role_of_kind[sp->kind];
    const cell *c = &g->cells[r->first + first];
    /* a span of the cell's own role only matters if it brings the block */
    bool brings_block = sp->block && (role == CELL_LIVE || role == CELL_FREED);
    if (((sp->offset + sp->len - 1) >> b->shift) == first &&
        (role < c->role || (role == c->role && (c->block >= 0 || !brings_block))))
        return;
    paint_span(b, sp, r, first, role);
}

static void on_marker(void *user, const as_marker *m)
{
    builder *b = user;
    cells_grid *g = b->g;
    if (b->failed || m->region >= g->region_count)
        return;
    const cells_region *r = &g->regions[m->region];
    size_t i = m->offset >> b->shift;
    if (i >= r->count) {
        if (m->kind != AS_MARK_OFFSET || r->count == 0)
            return;
        i = r->count - 1; /* the offset at the very end */
    }
    static const uint8_t bits[] = {
        [AS_MARK_OFFSET] = CELL_MARK_OFFSET,       [AS_MARK_CHUNK] = CELL_MARK_BOUNDARY,
        [AS_MARK_SLOT] = CELL_MARK_BOUNDARY,       [AS_MARK_FREE_HEAD] = CELL_MARK_FREE_HEAD,
        [AS_MARK_FREE_NODE] = CELL_MARK_FREE_NODE, [AS_MARK_ROVER] = CELL_MARK_ROVER,
    };
    g->cells[r->first + i].marks |= bits[m->kind];
}

/* Writes each live block's name over its first cells, where it fits. */
static void place_labels(const builder *b)
{
    cells_grid *g = b->g;
    for (size_t i = 0; i < g->count;) {
        cell *c = &g->cells[i];
        if (c->role != CELL_LIVE || c->block < 0 || (i > 0 && g->cells[i - 1].block == c->block)) {
            i++;
            continue;
        }
        size_t run = 1;
        while (i + run < g->count && g->cells[i + run].block == c->block &&
               g->cells[i + run].role == CELL_LIVE)
            run++;
        session_block blk = session_block_at(b->s, (size_t)c->block);
        size_t len = strlen(blk.name);
        size_t n = len <= run ? len : 1;
        for (size_t k = 0; k < n; k++)
            g->cells[i + k].label = blk.name[k];
        i += run;
    }
}

bool cells_build(const session *s, size_t zoom, size_t max_cells, cells_grid *g)
{
    g->count = 0;
    g->region_count = 0;
    g->hidden_regions = 0;
    memset(&g->usage, 0, sizeof g->usage);
    as_instance in = session_active_instance(s);
    if (in.a.ctx == NULL)
        return true;
    if (zoom == 0)
        zoom = session_zoom(s);
    if (zoom == 0 && max_cells > 0 && max_cells <= CELLS_MAX_CELLS) {
        zoom = cells_fit_zoom(s, max_cells);
    } else {
        /* never more than CELLS_MAX_CELLS cells, whatever zoom was asked for */
        size_t at_most = cells_fit_zoom(s, CELLS_MAX_CELLS);
        if (zoom < at_most)
            zoom = at_most;
    }
    g->zoom = zoom;
    builder b = {.g = g, .s = s};
    while (((size_t)1 << b.shift) < zoom)
        b.shift++;
    g->zoom = zoom = (size_t)1 << b.shift; /* a power of two */
    if (!build_index(&b))
        return false;
    as_inspector ins = {on_region, on_span, on_marker, &b};
    in.probe->inspect(in.a.ctx, &ins);
    g->usage.live_bytes = b.bytes[AS_SPAN_LIVE];
    g->usage.live_blocks = b.live_spans;
    g->usage.freed_bytes = b.bytes[AS_SPAN_FREED];
    g->usage.padding_bytes = b.bytes[AS_SPAN_PADDING];
    g->usage.metadata_bytes = b.bytes[AS_SPAN_META];
    g->usage.unused_bytes = b.bytes[AS_SPAN_UNUSED];
    if (!b.failed)
        place_labels(&b);
    free(b.index);
    return !b.failed;
}

void cells_diff(const cells_grid *before, const cells_grid *after, bool *changed)
{
    bool comparable = before->count == after->count && before->zoom == after->zoom;
    for (size_t i = 0; i < after->count; i++) {
        const cell *x = comparable ? &before->cells[i] : NULL;
        const cell *y = &after->cells[i];
        changed[i] = !x || x->role != y->role || x->block != y->block || x->marks != y->marks;
    }
}
