/*
 * cells.c - the grid of semantic cells (see cells.h).
 */
#include "allocscope/cells.h"

#include <stdlib.h>
#include <string.h>

/* What a build keeps for the next one (cells_build's promise in cells.h):
 * the cells as the spans and markers made them, before blocks and labels
 * are filled in, the block each shows, and for each cell whose bytes were
 * counted (closed: every cell but those one span covers beyond both
 * ends) its bytes of each kind and the live spans that start in it. The
 * usage is the sum over the cells, so taking a changed cell's old figures
 * out and its new ones in keeps it exact. */
#define MEMO_TALLY (AS_SPAN_KIND_COUNT + 1) /* bytes of each kind, then live spans starting */
#define MEMO_MAX_CELLS ((size_t)1 << 16)
enum { MEMO_CLOSED = 1, MEMO_INHERITS = 2 /* padding among live that takes the block of the cell before */ };

typedef struct cells_memo {
    bool valid;
    const as_probe *probe;
    const void *ctx;
    uint64_t stamp;              /* the allocator's, when the cells were made */
    uint64_t epoch;              /* the session's blocks epoch then: a session rebuilt by undo or
                                  * rewind (its allocators perhaps restored from a checkpoint)
                                  * starts the memo over */
    size_t zoom, count, bytes;   /* bytes per cell, cells, and the bytes of the one region */
    const void *base;
    size_t capacity;             /* the usage's capacity */
    size_t totals[MEMO_TALLY];   /* the sums of every cell's figures */
    size_t cap;
    cell *cells;
    const void **owners;
    size_t (*tally)[MEMO_TALLY];
    uint8_t *flags;
    size_t updates;              /* builds that redid only what changed */
} cells_memo;

void cells_init(cells_grid *g) { memset(g, 0, sizeof *g); }

static void memo_free(cells_memo *m)
{
    if (m == NULL)
        return;
    free(m->cells);
    free(m->owners);
    free(m->tally);
    free(m->flags);
    free(m);
}

void cells_free(cells_grid *g)
{
    free(g->cells);
    free(g->owners);
    block_index_free(g->blocks);
    memo_free(g->memo);
    cells_init(g);
}

/* g's memo with room for count cells (its flags cleared), or NULL. */
static cells_memo *memo_ready(cells_grid *g, size_t count)
{
    if (g->memo == NULL && (g->memo = calloc(1, sizeof *g->memo)) == NULL)
        return NULL;
    cells_memo *m = g->memo;
    m->valid = false;
    if (count > m->cap) {
        cell *cells = realloc(m->cells, count * sizeof *cells);
        if (cells)
            m->cells = cells;
        const void **owners = realloc(m->owners, count * sizeof *owners);
        if (owners)
            m->owners = owners;
        size_t(*tally)[MEMO_TALLY] = realloc(m->tally, count * sizeof *tally);
        if (tally)
            m->tally = tally;
        uint8_t *flags = realloc(m->flags, count * sizeof *flags);
        if (flags)
            m->flags = flags;
        if (cells == NULL || owners == NULL || tally == NULL || flags == NULL)
            return NULL;
        m->cap = count;
    }
    memset(m->flags, 0, count * sizeof *m->flags);
    return m;
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
    size_t opened[MEMO_TALLY]; /* the running totals when it opened */
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
    size_t bytes[MEMO_TALLY]; /* running totals of the spans seen: bytes of each kind, live spans */
    size_t live_spans;
    const void *last_owner;  /* the block of the last cell closed that showed one */
    bool counting;           /* bytes of each role are counted per cell (coarse zoom) */
    cell_count count;        /* the cell being counted */
    size_t count_until;      /* where it ends in its region */
    bool want_memo;          /* the allocator can say what changed: keep a memo if the grid allows */
    cells_memo *memo;        /* non-NULL: each closed cell's figures are kept in it */
    bool deferred;           /* padding among live takes its block after the walk (cells_update) */
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

/* log2 of the zoom for regions of region_bytes in all: the one asked
 * for (0: fit max_cells), never so fine that it takes more than
 * CELLS_MAX_CELLS cells, rounded up to a power of two. */
static unsigned zoom_shift(size_t asked, size_t max_cells, size_t region_bytes, size_t regions)
{
    size_t zoom = asked;
    if (zoom == 0 && max_cells > 0 && max_cells <= CELLS_MAX_CELLS) {
        zoom = zoom_to_fit(region_bytes, regions, max_cells);
    } else {
        /* never more than CELLS_MAX_CELLS cells, whatever zoom was asked for */
        size_t at_most = zoom_to_fit(region_bytes, regions, CELLS_MAX_CELLS);
        if (zoom < at_most)
            zoom = at_most;
    }
    unsigned shift = 0;
    while (((size_t)1 << shift) < zoom)
        shift++;
    return shift;
}

static bool counting_zoom(size_t zoom) { return zoom >= CELLS_BENEATH_ZOOM && zoom <= UINT32_MAX / 2; }

/* Chooses the zoom from the regions seen (all of them: regions come before
 * spans) and lays their cells out; keeps a memo of them when the next
 * build may redo only what changed. */
static void lay_out(builder *b)
{
    cells_grid *g = b->g;
    b->shift = zoom_shift(b->asked_zoom, b->max_cells, b->region_bytes, b->regions_seen);
    g->zoom = (size_t)1 << b->shift; /* a power of two */
    b->laid_out = true;
    b->counting = counting_zoom(g->zoom);
    size_t shown = b->regions_seen < CELLS_MAX_REGIONS ? b->regions_seen : CELLS_MAX_REGIONS;
    for (size_t r = 0; r < shown && !b->failed; r++)
        add_region(b, (uint32_t)r, b->region_base[r], b->region_size[r]);
    if (b->want_memo && !b->failed && b->regions_seen == 1 && b->counting && g->count <= MEMO_MAX_CELLS)
        b->memo = memo_ready(g, g->count);
}

static void on_region(void *user, uint32_t r, const void *base, size_t size)
{
    builder *b = user;
    b->g->usage.capacity += size;
    b->regions_seen++;
    if (b->laid_out)
        b->memo = NULL, b->want_memo = false; /* a region after the spans: no memo */
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
    bool inherits = false;
    if (c->role == CELL_PADDING) {
        size_t most[CELL_ROLE_COUNT] = {0};
        for (int kind = 0; kind < AS_SPAN_KIND_COUNT; kind++)
            most[role_of_kind[kind]] += totals[kind] - k->opened[kind];
        uint8_t best = CELL_PADDING;
        for (uint8_t r = 0; r < CELL_ROLE_COUNT; r++)
            if (most[r] > most[best] || (most[r] == most[best] && r > best))
                best = r;
        c->beneath = best;
        inherits = best == CELL_LIVE && b->g->owners[k->cell] == NULL;
        if (inherits && !b->deferred)
            b->g->owners[k->cell] = b->last_owner;
    }
    if (b->g->owners[k->cell] && !b->deferred)
        b->last_owner = b->g->owners[k->cell];
    if (b->memo) {
        for (int i = 0; i < MEMO_TALLY; i++)
            b->memo->tally[k->cell][i] = totals[i] - k->opened[i];
        b->memo->flags[k->cell] = (uint8_t)(MEMO_CLOSED | (inherits ? MEMO_INHERITS : 0));
    }
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
    size_t end = sp->offset + sp->len, at[MEMO_TALLY];
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
    size_t bytes[MEMO_TALLY];
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
        bytes[AS_SPAN_KIND_COUNT] += sp->kind == AS_SPAN_LIVE;
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
    b->live_spans = bytes[AS_SPAN_KIND_COUNT];
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

/* What the walk over a changed range needs: the builder, the cells' bytes
 * [lo, hi), and the first and last span that met them, as they were. */
typedef struct range_walk {
    builder *b;
    size_t lo, hi;
    bool seen;
    as_span first, last;
} range_walk;

/* The spans that meet [lo, hi), cut to it, to the builder. */
static void range_spans(void *user, const as_span *spans, size_t count)
{
    range_walk *w = user;
    as_span cut[AS_WRITER_BATCH];
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        as_span sp = spans[i];
        if (sp.region != 0 || sp.offset + sp.len <= w->lo || sp.offset >= w->hi)
            continue;
        if (!w->seen)
            w->first = sp, w->seen = true;
        w->last = sp;
        if (sp.offset < w->lo)
            sp.len -= w->lo - sp.offset, sp.offset = w->lo;
        if (sp.offset + sp.len > w->hi)
            sp.len = w->hi - sp.offset;
        cut[n++] = sp;
        if (n == AS_WRITER_BATCH)
            on_spans(w->b, cut, n), n = 0;
    }
    if (n)
        on_spans(w->b, cut, n);
}

static void range_span(void *user, const as_span *sp) { range_spans(user, sp, 1); }
static void range_marker(void *user, const as_marker *m) { on_marker(((range_walk *)user)->b, m); }

/* Cell c's figures in the memo's terms: its tally if it was closed, else
 * (one span covers it) the whole cell of that span's kind. */
static void cell_tally(const cells_memo *m, const cell *cells, size_t c, size_t *out)
{
    if (m->flags[c] & MEMO_CLOSED) {
        memcpy(out, m->tally[c], sizeof m->tally[c]);
        return;
    }
    memset(out, 0, MEMO_TALLY * sizeof *out);
    for (int kind = 0; kind < AS_SPAN_KIND_COUNT; kind++)
        if (role_of_kind[kind] == cells[c].role)
            out[kind] = m->zoom;
}

/* Adds (sign 1) or takes out (-1) a cell's figures from the totals. */
static void totals_add(size_t *totals, const size_t *t, int sign)
{
    for (int i = 0; i < MEMO_TALLY; i++)
        totals[i] = sign > 0 ? totals[i] + t[i] : totals[i] - t[i];
}

/* Padding among live bytes takes the block of the last closed cell before
 * it that shows one (close_count's rule), from cell `from` on: until a
 * cell past `changed_to` shows a block of its own (the rest is as it was). */
static void inherit_blocks(cells_grid *g, const cells_memo *m, size_t from, size_t changed_to)
{
    const void *last = NULL;
    for (size_t c = from; c-- > 0;)
        if ((m->flags[c] & MEMO_CLOSED) && g->owners[c]) {
            last = g->owners[c];
            break;
        }
    for (size_t c = from; c < g->count; c++) {
        if (!(m->flags[c] & MEMO_CLOSED))
            continue;
        if (m->flags[c] & MEMO_INHERITS)
            g->owners[c] = last;
        else if (c > changed_to && g->owners[c])
            break;
        if (g->owners[c])
            last = g->owners[c];
    }
}

/* Room for count cells in g. */
static bool grid_room(cells_grid *g, size_t count)
{
    if (count <= g->cap)
        return true;
    cell *cells = realloc(g->cells, count * sizeof *cells);
    if (cells)
        g->cells = cells;
    const void **owners = realloc(g->owners, count * sizeof *owners);
    if (owners)
        g->owners = owners;
    if (cells == NULL || owners == NULL)
        return false;
    g->cap = count;
    return true;
}

/* Brings g up to date from its memo when the allocator says what changed
 * since (cells_build's promise): the cells of the changed bytes walked
 * again, the rest as they were. False when it cannot (then build afresh). */
static bool cells_update(builder *b, as_instance in)
{
    cells_grid *g = b->g;
    cells_memo *m = g->memo;
    uint64_t now;
    as_change ch;
    if (m == NULL || !m->valid || m->probe != in.probe || m->ctx != in.a.ctx || m->epoch != session_blocks_epoch(b->s) ||
        !in.probe->changed_since(in.a.ctx, m->stamp, &now, &ch) || ch.region != 0)
        return false;
    unsigned shift = zoom_shift(b->asked_zoom, b->max_cells, m->bytes, 1);
    if (((size_t)1 << shift) != m->zoom || !grid_room(g, m->count))
        return false;
    g->zoom = m->zoom;
    g->count = m->count;
    g->regions[0] = (cells_region){0, m->count, m->bytes, m->base};
    g->region_count = 1;
    g->hidden_regions = 0;
    memcpy(g->cells, m->cells, m->count * sizeof *g->cells);
    memcpy(g->owners, m->owners, m->count * sizeof *g->owners);
    if (ch.from < ch.to && ch.from >= m->bytes)
        return false;
    if (ch.from < ch.to) {
        /* the cells of the changed bytes, and the one before: a span that
         * ended where the change begins may end elsewhere now */
        size_t c0 = (ch.from ? ch.from - 1 : 0) >> shift, c1 = ch.to >> shift;
        if (c1 >= m->count)
            c1 = m->count - 1;
        size_t lo = c0 << shift, hi = (c1 + 1) << shift < m->bytes ? (c1 + 1) << shift : m->bytes;
        size_t t[MEMO_TALLY];
        for (size_t c = c0; c <= c1; c++) {
            cell_tally(m, g->cells, c, t);
            totals_add(m->totals, t, -1);
            g->cells[c] = (cell){CELL_UNUSED, 0, 0, 0, -1, CELL_ROLE_COUNT};
            g->owners[c] = NULL;
            m->flags[c] = 0;
        }
        for (size_t c = 0; c < m->count; c++) /* every marker comes again */
            g->cells[c].marks = 0;
        b->laid_out = true;
        b->shift = shift;
        b->counting = true;
        b->memo = m;
        b->deferred = true;
        range_walk w = {b, lo, hi, false, {0}, {0}};
        as_inspector ins = {.span = range_span, .marker = range_marker, .user = &w, .spans = range_spans};
        in.probe->inspect_range(in.a.ctx, 0, lo, hi, &ins);
        close_count(b, &b->count, b->bytes);
        /* a cell that one span covers beyond both ends is not closed in a
         * whole walk; the cut made the first and last such cells look closed */
        if (w.seen && w.first.offset < lo && w.first.offset + w.first.len > ((c0 + 1) << shift))
            m->flags[c0] = 0;
        else if (w.seen && w.first.offset < lo && w.first.kind == AS_SPAN_LIVE && (m->flags[c0] & MEMO_CLOSED))
            m->tally[c0][AS_SPAN_KIND_COUNT]--; /* that live span starts before the cell */
        if (w.seen && w.last.offset < (c1 << shift) && w.last.offset + w.last.len > hi)
            m->flags[c1] = 0;
        for (size_t c = c0; c <= c1; c++) {
            cell_tally(m, g->cells, c, t);
            totals_add(m->totals, t, 1);
            if (g->cells[c].beneath == CELL_ROLE_COUNT || g->cells[c].role != CELL_PADDING)
                g->cells[c].beneath = g->cells[c].role;
        }
        inherit_blocks(g, m, c0, c1);
        memcpy(m->cells, g->cells, m->count * sizeof *m->cells);
        memcpy(m->owners, g->owners, m->count * sizeof *m->owners);
    }
    m->stamp = now;
    m->updates++;
    /* the figures: the memo's totals, as a whole walk would have them */
    g->usage.capacity = m->capacity;
    memcpy(b->bytes, m->totals, sizeof b->bytes);
    b->live_spans = m->totals[AS_SPAN_KIND_COUNT];
    return true;
}

size_t cells_updates(const cells_grid *g) { return g->memo ? g->memo->updates : 0; }

/* Before a whole walk: the memo is dropped, and kept again by the walk if
 * the allocator can say what changes from now on (stamp: its stamp now). */
static void memo_start(builder *b, as_instance in, uint64_t *stamp)
{
    *stamp = 0;
    if (b->g->memo)
        b->g->memo->valid = false;
    as_change ignored;
    b->want_memo = in.probe->inspect_range && in.probe->changed_since;
    if (b->want_memo)
        (void)in.probe->changed_since(in.a.ctx, 0, stamp, &ignored);
}

/* After a whole walk: the cells as the spans made them, for the next build. */
static void memo_keep(const builder *b, as_instance in, uint64_t stamp)
{
    cells_memo *m = b->memo;
    const cells_grid *g = b->g;
    if (m == NULL)
        return;
    memcpy(m->cells, g->cells, g->count * sizeof *m->cells);
    memcpy(m->owners, g->owners, g->count * sizeof *m->owners);
    m->probe = in.probe;
    m->ctx = in.a.ctx;
    m->stamp = stamp;
    m->epoch = session_blocks_epoch(b->s);
    m->zoom = g->zoom;
    m->count = g->count;
    m->bytes = g->regions[0].bytes;
    m->base = g->regions[0].base;
    m->capacity = g->usage.capacity;
    memcpy(m->totals, b->bytes, sizeof m->totals);
    m->valid = true;
}

bool cells_build(const session *s, size_t zoom, size_t max_cells, cells_grid *g)
{
    g->count = 0;
    g->region_count = 0;
    g->hidden_regions = 0;
    g->zoom = 1;
    memset(&g->usage, 0, sizeof g->usage);
    as_instance in = session_active_instance(s);
    if (in.a.ctx == NULL) {
        if (g->memo)
            g->memo->valid = false;
        return true;
    }
    builder b = {.g = g, .s = s, .asked_zoom = zoom ? zoom : session_zoom(s), .max_cells = max_cells,
                 .current = UINT32_MAX, .count = {.cell = SIZE_MAX}};
    if (g->blocks == NULL && (g->blocks = block_index_new()) == NULL)
        return false;
    if (!block_index_sync(g->blocks, s))
        return false;
    bool updated = in.probe->inspect_range && in.probe->changed_since && cells_update(&b, in);
    uint64_t stamp = 0;
    if (!updated) {
        memo_start(&b, in, &stamp);
        as_inspector ins = {.region = on_region, .span = on_span, .marker = on_marker, .user = &b, .spans = on_spans};
        in.probe->inspect(in.a.ctx, &ins);
        if (!b.laid_out)
            lay_out(&b);
    }
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
        if (!updated) {
            close_count(&b, &b.count, b.bytes);
            for (size_t i = 0; i < g->count; i++) /* every cell not found to sit among something else */
                if (g->cells[i].beneath == CELL_ROLE_COUNT || g->cells[i].role != CELL_PADDING)
                    g->cells[i].beneath = g->cells[i].role;
            memo_keep(&b, in, stamp);
        }
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
