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
    free(g->owners);
    block_index_free(g->blocks);
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

/* The smallest power-of-two zoom at which regions totalling `total` bytes
 * take at most max_cells cells; each region rounds up to whole cells, so
 * one extra cell is allowed per extra region. */
static size_t zoom_to_fit(size_t total, size_t regions, size_t max_cells)
{
    if (regions > CELLS_MAX_REGIONS)
        regions = CELLS_MAX_REGIONS;
    size_t extra = regions > 1 ? regions - 1 : 0;
    size_t zoom = 1;
    while (zoom < ((size_t)1 << 40) && (total + zoom - 1) / zoom + extra > max_cells)
        zoom *= 2;
    return zoom;
}

size_t cells_fit_zoom(const session *s, size_t max_cells)
{
    as_instance in = session_active_instance(s);
    if (in.a.ctx == NULL || max_cells == 0)
        return 1;
    sizer z = {0, 0};
    as_inspector ins = {.region = size_region, .user = &z};
    in.probe->inspect(in.a.ctx, &ins);
    return zoom_to_fit(z.total, z.regions, max_cells);
}

/* The cell whose bytes are being counted. Spans come in address order,
 * so a cell's bytes all come before the next cell's: its bytes of each
 * kind are the running totals when it closes less the totals when it
 * opened, and the walk adds nothing per span but the totals it keeps
 * anyway. */
typedef struct cell_count {
    size_t cell;             /* its index in the grid, or SIZE_MAX for none */
    size_t opened[AS_SPAN_KIND_COUNT]; /* the running totals when it opened */
} cell_count;

typedef struct builder {
    cells_grid *g;
    const session *s;
    bool failed;
    /* the zoom is chosen once every region is known, at the first span */
    size_t asked_zoom;       /* 0: fit max_cells */
    size_t max_cells;
    bool laid_out;
    const void *region_base[CELLS_MAX_REGIONS];
    size_t region_size[CELLS_MAX_REGIONS];
    size_t regions_seen, region_bytes;
    unsigned shift;          /* log2 of the zoom: cells are found by shifts, not divisions */
    uint32_t current;        /* the region of the last span, and its cells */
    cell *current_cells;
    size_t current_count;
    size_t bytes[AS_SPAN_KIND_COUNT]; /* running totals of the spans seen */
    size_t live_spans;
    const void *last_owner;  /* the block of the last cell closed that showed one */
    bool counting;           /* bytes of each role are counted per cell (coarse zoom) */
    cell_count count;        /* the cell being counted */
    size_t count_until;      /* where it ends in its region */
} builder;

/* Appends the cells of region r at the chosen zoom. */
static void add_region(builder *b, uint32_t r, const void *base, size_t size)
{
    cells_grid *g = b->g;
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
        const void **owners = realloc(g->owners, cap * sizeof *owners);
        if (owners == NULL) {
            b->failed = true;
            return;
        }
        g->owners = owners;
        g->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        g->cells[g->count + i] = (cell){CELL_UNUSED, 0, 0, 0, -1, CELL_ROLE_COUNT /* not yet known */};
        g->owners[g->count + i] = NULL;
    }
    g->regions[r] = (cells_region){g->count, n, size, base};
    g->region_count = r + 1;
    g->count += n;
}

/* Chooses the zoom from the regions seen (all of them: regions come before
 * spans) and lays their cells out. */
static void lay_out(builder *b)
{
    cells_grid *g = b->g;
    size_t zoom = b->asked_zoom;
    if (zoom == 0 && b->max_cells > 0 && b->max_cells <= CELLS_MAX_CELLS) {
        zoom = zoom_to_fit(b->region_bytes, b->regions_seen, b->max_cells);
    } else {
        /* never more than CELLS_MAX_CELLS cells, whatever zoom was asked for */
        size_t at_most = zoom_to_fit(b->region_bytes, b->regions_seen, CELLS_MAX_CELLS);
        if (zoom < at_most)
            zoom = at_most;
    }
    while (((size_t)1 << b->shift) < zoom)
        b->shift++;
    g->zoom = (size_t)1 << b->shift; /* a power of two */
    b->laid_out = true;
    b->counting = g->zoom >= CELLS_BENEATH_ZOOM && g->zoom <= UINT32_MAX / 2;
    size_t shown = b->regions_seen < CELLS_MAX_REGIONS ? b->regions_seen : CELLS_MAX_REGIONS;
    for (size_t r = 0; r < shown && !b->failed; r++)
        add_region(b, (uint32_t)r, b->region_base[r], b->region_size[r]);
}

static void on_region(void *user, uint32_t r, const void *base, size_t size)
{
    builder *b = user;
    b->g->usage.capacity += size;
    b->regions_seen++;
    if (r >= CELLS_MAX_REGIONS) {
        b->g->hidden_regions++;
        return;
    }
    b->region_bytes += size;
    if (b->laid_out) { /* a late region: laid out at the zoom already chosen */
        if (!b->failed)
            add_region(b, r, base, size);
        b->current = UINT32_MAX; /* the cells may have moved */
        return;
    }
    b->region_base[r] = base;
    b->region_size[r] = size;
}

/* Paints the cells a span covers where it wins them. Which block a cell
 * shows is noted as its pointer (owners) and looked up once at the end,
 * only for the cells that show one (live, freed, or padding among live). */
static __attribute__((noinline)) void paint_span(builder *b, const as_span *sp, const cells_region *r,
                                                 size_t first, cells_role role)
{
    cells_grid *g = b->g;
    size_t last = (sp->offset + sp->len - 1) >> b->shift;
    if (last >= r->count)
        last = r->count - 1;
    const void *owner = sp->block && (role == CELL_LIVE || role == CELL_FREED) ? sp->block : NULL;
    for (size_t i = r->first + first; i <= r->first + last; i++) {
        cell *c = &g->cells[i];
        if (role > c->role || (role == c->role && g->owners[i] == NULL && owner != NULL)) {
            c->role = (uint8_t)role;
            c->meta = (uint8_t)sp->meta;
            if (role != CELL_PADDING) /* padding keeps the live block it covers, for its colour */
                g->owners[i] = owner;
        }
    }
}

static const uint8_t role_of_kind[AS_SPAN_KIND_COUNT] = {
    [AS_SPAN_UNUSED] = CELL_UNUSED, [AS_SPAN_LIVE] = CELL_LIVE,     [AS_SPAN_FREED] = CELL_FREED,
    [AS_SPAN_PADDING] = CELL_PADDING, [AS_SPAN_META] = CELL_META,   [AS_SPAN_SLACK] = CELL_SLACK,
    [AS_SPAN_DAMAGED] = CELL_DAMAGED, [AS_SPAN_UNKNOWN] = CELL_UNKNOWN,
};

/* Makes r the current region (with no cells if it is not shown). */
static void enter_region(builder *b, uint32_t r)
{
    b->current = r;
    if (r >= b->g->region_count) {
        b->current_cells = b->g->cells;
        b->current_count = 0;
        return;
    }
    const cells_region *reg = &b->g->regions[r];
    b->current_cells = b->g->cells + reg->first;
    b->current_count = reg->count;
}

/* Ends the count of a cell at the running totals given: a padding cell
 * learns what most of its bytes are (a tie goes to the more important
 * role). Among live bytes it keeps the colour of the live block that held
 * it before the padding came, or else takes its neighbour's. */
static void close_count(builder *b, cell_count *k, const size_t *totals)
{
    if (k->cell == SIZE_MAX || !b->counting) /* at a fine zoom padding is padding */
        return;
    cell *c = &b->g->cells[k->cell];
    if (c->role == CELL_PADDING) {
        size_t most[CELL_ROLE_COUNT] = {0};
        for (int kind = 0; kind < AS_SPAN_KIND_COUNT; kind++)
            most[role_of_kind[kind]] += totals[kind] - k->opened[kind];
        uint8_t best = CELL_PADDING;
        for (uint8_t r = 0; r < CELL_ROLE_COUNT; r++)
            if (most[r] > most[best] || (most[r] == most[best] && r > best))
                best = r;
        c->beneath = best;
        if (best == CELL_LIVE && b->g->owners[k->cell] == NULL)
            b->g->owners[k->cell] = b->last_owner;
    }
    if (b->g->owners[k->cell])
        b->last_owner = b->g->owners[k->cell];
    k->cell = SIZE_MAX;
}

static void open_count(cell_count *k, size_t index, const size_t *totals)
{
    k->cell = index;
    memcpy(k->opened, totals, sizeof k->opened);
}

/* A span over cells [first, last] of a region whose cells start at base,
 * already in the totals: its part of the first cell ends that cell's
 * count, the cells it covers whole are all its own kind, and its part of
 * the last cell opens that one's count. */
static __attribute__((noinline)) void count_long_span(builder *b, cell_count *k, const as_span *sp, size_t base,
                                                       size_t first, size_t last, const size_t *totals)
{
    size_t end = sp->offset + sp->len, at[AS_SPAN_KIND_COUNT];
    memcpy(at, totals, sizeof at);
    at[sp->kind] = totals[sp->kind] - (end - ((first + 1) << b->shift)); /* up to the first cell's end */
    close_count(b, k, at);
    at[sp->kind] = totals[sp->kind] - (end - (last << b->shift));        /* from the last cell's start */
    open_count(k, base + last, at);
}

/* Called for every batch of spans: kept tight, since a frame over many
 * blocks sees hundreds of thousands of spans; at a coarse zoom most of
 * them fall in a cell that is already decided. */
static void on_spans(void *user, const as_span *spans, size_t count)
{
    builder *b = user;
    if (!b->laid_out)
        lay_out(b);
    if (b->failed)
        return;
    /* the loop works on locals: no store in it can change what it reads */
    const unsigned shift = b->shift;
    size_t bytes[AS_SPAN_KIND_COUNT], seen[AS_SPAN_KIND_COUNT] = {0};
    memcpy(bytes, b->bytes, sizeof bytes);
    uint32_t current = b->current;
    const cell *cells = b->current_cells;
    size_t limit = b->current_count; /* 0 for a region that has no cells */
    size_t base = (size_t)(cells - b->g->cells);
    cell_count k = b->count;
    /* where the cell being counted ends, in region offsets (0: a new region) */
    size_t count_until = b->count_until;
    const void **const owners = b->g->owners;
    for (const as_span *sp = spans, *end = spans + count; sp < end; sp++) {
        if (sp->region != current) {
            enter_region(b, sp->region);
            current = sp->region;
            cells = b->current_cells;
            limit = b->current_count;
            base = (size_t)(cells - b->g->cells);
            count_until = 0;
        }
        size_t first = sp->offset >> shift, last = (sp->offset + sp->len - 1) >> shift;
        if (sp->offset >= count_until && first < limit) { /* a new cell starts */
            close_count(b, &k, bytes);
            open_count(&k, base + first, bytes);
            count_until = (first + 1) << shift;
        }
        bytes[sp->kind] += sp->len;
        seen[sp->kind]++;
        if (first >= limit)
            continue;
        uint8_t role = role_of_kind[sp->kind], there = cells[first].role;
        if (first == last) {
            if (role < there)
                continue; /* the common case: a lesser span inside a decided cell */
            /* a span of the cell's own role only matters if it brings the block */
            bool brings_block = sp->block && (role == CELL_LIVE || role == CELL_FREED);
            if (role == there && (!brings_block || owners[base + first] != NULL))
                continue;
        }
        paint_span(b, sp, &b->g->regions[sp->region], first, (cells_role)role);
        if (first != last) { /* after the paint: the first cell is complete */
            count_long_span(b, &k, sp, base, first, last < limit ? last : limit - 1, bytes);
            count_until = ((last < limit ? last : limit - 1) + 1) << shift;
        }
    }
    memcpy(b->bytes, bytes, sizeof bytes);
    b->live_spans += seen[AS_SPAN_LIVE];
    b->count = k;
    b->count_until = count_until;
}

static void on_span(void *user, const as_span *sp) { on_spans(user, sp, 1); }

static void on_marker(void *user, const as_marker *m)
{
    builder *b = user;
    cells_grid *g = b->g;
    if (!b->laid_out)
        lay_out(b);
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

/* Turns the pointers of the blocks that cells show into block indexes: a
 * lookup per run of cells showing the same block. */
static void resolve_blocks(const builder *b)
{
    cells_grid *g = b->g;
    const void *last = NULL;
    int32_t block = -1;
    for (size_t i = 0; i < g->count; i++) {
        const void *owner = g->owners[i];
        const cell *c = &g->cells[i];
        bool shows_block = c->role == CELL_LIVE || c->role == CELL_FREED ||
                           (c->role == CELL_PADDING && c->beneath == CELL_LIVE);
        if (owner == NULL || !shows_block)
            continue;
        if (owner != last) {
            last = owner;
            block = block_index_find(g->blocks, owner);
        }
        g->cells[i].block = block;
    }
}

/* Writes each block's name over the first cells of each run of its live
 * or of its freed cells, where it fits: a freed block keeps its name, so
 * it can be matched with the block it was. */
static void place_labels(const builder *b)
{
    cells_grid *g = b->g;
    for (size_t i = 0; i < g->count;) {
        cell *c = &g->cells[i];
        if ((c->role != CELL_LIVE && c->role != CELL_FREED) || c->block < 0 ||
            (i > 0 && g->cells[i - 1].block == c->block && g->cells[i - 1].role == c->role)) {
            i++;
            continue;
        }
        size_t run = 1;
        while (i + run < g->count && g->cells[i + run].block == c->block && g->cells[i + run].role == c->role)
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
    g->zoom = 1;
    memset(&g->usage, 0, sizeof g->usage);
    as_instance in = session_active_instance(s);
    if (in.a.ctx == NULL)
        return true;
    builder b = {.g = g, .s = s, .asked_zoom = zoom ? zoom : session_zoom(s), .max_cells = max_cells,
                 .current = UINT32_MAX, .count = {.cell = SIZE_MAX}};
    if (g->blocks == NULL && (g->blocks = block_index_new()) == NULL)
        return false;
    if (!block_index_sync(g->blocks, s))
        return false;
    as_inspector ins = {.region = on_region, .span = on_span, .marker = on_marker, .user = &b, .spans = on_spans};
    in.probe->inspect(in.a.ctx, &ins);
    if (!b.laid_out)
        lay_out(&b);
    g->usage.live_bytes = b.bytes[AS_SPAN_LIVE];
    g->usage.live_blocks = b.live_spans;
    g->usage.freed_bytes = b.bytes[AS_SPAN_FREED];
    g->usage.padding_bytes = b.bytes[AS_SPAN_PADDING];
    g->usage.metadata_bytes = b.bytes[AS_SPAN_META];
    g->usage.unused_bytes = b.bytes[AS_SPAN_UNUSED];
    g->usage.slack_bytes = b.bytes[AS_SPAN_SLACK];
    g->usage.damaged_bytes = b.bytes[AS_SPAN_DAMAGED];
    g->usage.unknown_bytes = b.bytes[AS_SPAN_UNKNOWN];
    if (!b.failed) {
        close_count(&b, &b.count, b.bytes);
        for (size_t i = 0; i < g->count; i++) /* every cell not found to sit among something else */
            if (g->cells[i].beneath == CELL_ROLE_COUNT || g->cells[i].role != CELL_PADDING)
                g->cells[i].beneath = g->cells[i].role;
        resolve_blocks(&b);
        place_labels(&b);
    }
    return !b.failed;
}

bool cells_grid_equal(const cells_grid *a, const cells_grid *b)
{
    if (a->count != b->count || a->zoom != b->zoom || a->region_count != b->region_count ||
        memcmp(&a->usage, &b->usage, sizeof a->usage) != 0)
        return false;
    for (size_t i = 0; i < a->count; i++) {
        const cell *x = &a->cells[i], *y = &b->cells[i];
        if (x->role != y->role || x->meta != y->meta || x->marks != y->marks || x->label != y->label ||
            x->block != y->block || x->beneath != y->beneath)
            return false;
    }
    return true;
}

void cells_diff(const cells_grid *before, const cells_grid *after, bool *changed)
{
    bool comparable = before->count == after->count && before->zoom == after->zoom;
    if (!comparable) {
        if (after->count)
            memset(changed, 0, after->count * sizeof *changed);
        return;
    }
    for (size_t i = 0; i < after->count; i++) {
        const cell *x = &before->cells[i], *y = &after->cells[i];
        changed[i] = x->role != y->role || x->block != y->block || x->marks != y->marks || x->beneath != y->beneath;
    }
}

/* ---- the free structure's order ---- */

typedef struct free_walker {
    const cells_grid *g;
    cells_free_node *out;
    size_t max, count, rank;
    unsigned list;
} free_walker;

static void free_list_start(void *user, unsigned order, size_t block_size)
{
    (void)block_size;
    free_walker *w = user;
    w->list = order;
    w->rank = 0;
}

static void free_block_seen(void *user, uint32_t region, size_t offset, size_t size)
{
    free_walker *w = user;
    w->rank++;
    if (region >= w->g->region_count || w->g->zoom == 0)
        return;
    const cells_region *r = &w->g->regions[region];
    size_t first = offset / w->g->zoom;
    if (first >= r->count)
        return;
    size_t last = (offset + (size ? size : 1) - 1) / w->g->zoom;
    if (last >= r->count)
        last = r->count - 1;
    if (w->count < w->max)
        w->out[w->count] = (cells_free_node){r->first + first, last - first + 1, w->rank, w->list};
    w->count++;
}

size_t cells_free_order(const session *s, const cells_grid *g, cells_free_node *out, size_t max)
{
    as_instance in = session_active_structural(s);
    if (in.a.ctx == NULL || in.probe->walk_free == NULL || in.probe->free_shape == AS_FREE_NONE)
        return 0;
    free_walker w = {g, out, max, 0, 0, 0};
    as_free_walk walk = {free_list_start, free_block_seen, &w};
    in.probe->walk_free(in.a.ctx, &walk);
    return w.count;
}

size_t cells_slot_stride(const cells_grid *g)
{
    if (g->region_count == 0)
        return 0;
    const cells_region *r = &g->regions[0];
    size_t last = SIZE_MAX, stride = 0, starts = 0;
    for (size_t i = 0; i < r->count; i++) {
        if (!(g->cells[r->first + i].marks & CELL_MARK_BOUNDARY))
            continue;
        if (last != SIZE_MAX) {
            size_t gap = i - last;
            if (stride && gap != stride)
                return 0;
            stride = gap;
        }
        last = i;
        starts++;
    }
    return starts >= 3 ? stride : 0;
}

size_t cells_used(const cells_grid *g)
{
    const cells_region *r = &g->regions[0];
    for (size_t i = r->count; i-- > 0;) {
        const cell *c = &g->cells[r->first + i];
        if ((c->role != CELL_UNUSED && c->role != CELL_UNKNOWN) || (c->marks & CELL_MARK_OFFSET))
            return i + 1;
    }
    return 0;
}

size_t cells_cut(cells_grid *g, size_t cut_bytes)
{
    cells_region *r = &g->regions[0];
    size_t keep = (cut_bytes + g->zoom - 1) / g->zoom, stride = cells_slot_stride(g);
    if (stride > 1) /* whole slots */
        keep = (keep + stride - 1) / stride * stride;
    if (keep >= r->count)
        return 0;
    r->count = keep;
    return keep * g->zoom;
}

void cells_unify_free_blocks(cells_grid *g, const cells_free_node *nodes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const cells_free_node *n = &nodes[i];
        bool freed = false, unused = false;
        for (size_t k = n->cell; k < n->cell + n->cells && k < g->count; k++) {
            freed |= g->cells[k].role == CELL_FREED;
            unused |= g->cells[k].role == CELL_UNUSED;
        }
        if (!freed || !unused)
            continue;
        for (size_t k = n->cell; k < n->cell + n->cells && k < g->count; k++)
            if (g->cells[k].role == CELL_UNUSED) {
                g->cells[k].role = CELL_FREED;
                g->cells[k].beneath = CELL_FREED;
                g->cells[k].block = -1;
            }
    }
}
