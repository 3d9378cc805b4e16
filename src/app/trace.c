/*
 * trace.c - malloc-lab traces: reading them into scripts, and writing
 * them (see trace.h).
 */
#include "allocscope/trace.h"

#include <stdlib.h>
#include <string.h>

#include "allocscope/parse.h"
#include "allocscope/record.h"

typedef struct reader {
    const char *p;
    size_t line;
    char buf[256];
} reader;

/* The next non-blank line, without its newline; false at the end. */
static bool next_line(reader *r)
{
    while (*r->p) {
        size_t n = strcspn(r->p, "\n");
        r->line++;
        size_t len = n < sizeof r->buf - 1 ? n : sizeof r->buf - 1;
        memcpy(r->buf, r->p, len);
        r->buf[len] = '\0';
        r->p += n + (r->p[n] == '\n');
        if (n >= sizeof r->buf - 1) {
            strcpy(r->buf, "\x01"); /* too long: reported as malformed */
            return true;
        }
        if (strspn(r->buf, " \t\r") != len)
            return true;
    }
    return false;
}

static bool fail(strbuf *err, size_t line, const char *msg)
{
    sb_printf(err, "%zu: %s", line, msg);
    return false;
}

static const char *const dialect_names[] = {
    "CS:APP (heap size, ids, ops, weight)",
    "CMU 15-213 (weight, ids, ops, ignore-ranges)",
    "two-line (ids, ops)",
};

const char *trace_dialect_name(trace_dialect d)
{
    return (unsigned)d < sizeof dialect_names / sizeof *dialect_names ? dialect_names[d] : "?";
}

/* Whether a line is an operation ('a', 'r' or 'f' and a space), not a number. */
static bool is_op_line(const char *line)
{
    line += strspn(line, " \t");
    return (line[0] == 'a' || line[0] == 'r' || line[0] == 'f') && (line[1] == ' ' || line[1] == '\t');
}

/* The header: two or four lines of one number each. Four numbers are the
 * CS:APP header (heap size first), or the CMU 15-213 one when the first
 * is a weight (0 to 3: no heap suggestion of 3 bytes or less means
 * anything); two numbers followed by an operation are the two-line
 * header (ids, ops). */
static bool read_header(reader *r, trace_header *h, strbuf *err)
{
    static const char *const names[] = {"the suggested heap size (or the weight)", "the number of ids",
                                        "the number of operations", "the weight (or ignore-ranges)"};
    size_t num[4];
    int n = 0;
    memset(h, 0, sizeof *h);
    while (n < 4) {
        reader before = *r;
        if (!next_line(r)) {
            if (n == 2)
                break; /* a two-line header and no operations */
            return fail(err, r->line + 1, n == 3 ? "a 3-line header is no dialect allocscope knows (4 lines: "
                                                   "CS:APP or CMU 15-213; 2 lines: ids, ops)"
                                                 : "the trace ends inside its 4-line header");
        }
        if (n >= 2 && is_op_line(r->buf)) {
            if (n == 3)
                return fail(err, r->line, "a 3-line header is no dialect allocscope knows (4 lines: CS:APP "
                                          "heap size, ids, ops, weight or CMU 15-213 weight, ids, ops, "
                                          "ignore-ranges; 2 lines: ids, ops)");
            *r = before; /* the operation is read again below */
            break;
        }
        parse_words w;
        if (parse_split(r->buf, &w) || w.count != 1 || parse_uint(w.word[0], &num[n])) {
            sb_printf(err, "%zu: header line %d must be one number: %s", r->line, n + 1, names[n]);
            return false;
        }
        n++;
    }
    if (n == 2) {
        h->dialect = TRACE_TWO_LINE;
        h->ids = num[0], h->ops = num[1];
    } else if (num[0] <= 3) {
        h->dialect = TRACE_CMU_15213;
        h->weight = num[0], h->ids = num[1], h->ops = num[2], h->ignore_ranges = num[3];
    } else {
        h->dialect = TRACE_CSAPP;
        h->heap_size = num[0], h->ids = num[1], h->ops = num[2], h->weight = num[3];
    }
    if (h->ids > TRACE_MAX_IDS || h->ops > TRACE_MAX_OPS)
        return fail(err, r->line, "the trace is larger than allocscope replays (1,000,000 ids, 10,000,000 ops)");
    return true;
}

/* What one operation line becomes, for every dialect. */
typedef struct trace_state {
    trace_dialect dialect;
    size_t ids;
    size_t *live;       /* each id's live size; 0: not live */
    unsigned char *ever; /* ids that were ever allocated */
    size_t live_bytes, peak_bytes; /* payload, as mdriver counts it */
    size_t foot, peak_foot;        /* payload rounded to 16 plus a 16-byte header */
} trace_state;

static size_t footprint(size_t bytes) { return ((bytes + 15) & ~(size_t)15) + 16; }

static void set_live(trace_state *t, size_t id, size_t bytes)
{
    t->live_bytes = t->live_bytes - t->live[id] + bytes;
    t->foot = t->foot - (t->live[id] ? footprint(t->live[id]) : 0) + (bytes ? footprint(bytes) : 0);
    t->live[id] = bytes;
    if (bytes)
        t->ever[id] = 1;
    if (t->live_bytes > t->peak_bytes)
        t->peak_bytes = t->live_bytes;
    if (t->foot > t->peak_foot)
        t->peak_foot = t->foot;
}

/* The mdriver-derived dialects (CMU 15-213, two-line) are lenient where
 * mdriver is: `f -1` is free(NULL), and so is freeing an id never
 * allocated; realloc of an id not live is malloc, realloc to 0 is free. A
 * malloc(0) hands out nothing. Those lines become comments, so the
 * script still has a line per operation. The CS:APP dialect is strict. */
static bool convert_op(trace_state *t, const parse_words *w, strbuf *out, strbuf *err, size_t line)
{
    const char *usage = "expected 'a ID BYTES', 'r ID BYTES' or 'f ID'";
    bool lenient = t->dialect != TRACE_CSAPP;
    size_t id, bytes = 0;
    if (w->count < 2)
        return fail(err, line, usage);
    char op = w->word[0][1] == '\0' ? w->word[0][0] : '?';
    bool sized = op == 'a' || op == 'r';
    if ((op != 'a' && op != 'r' && op != 'f') || w->count != (sized ? 3u : 2u))
        return fail(err, line, usage);
    if (op == 'f' && lenient && strcmp(w->word[1], "-1") == 0) {
        sb_add(out, "# f -1: free(NULL) does nothing\n");
        return true;
    }
    if (parse_uint(w->word[1], &id) || id >= t->ids)
        return fail(err, line, "the id is not a number below the header's number of ids");
    if (sized && (parse_uint(w->word[2], &bytes) || (bytes == 0 && !lenient) || bytes > ((size_t)1 << 30)))
        return fail(err, line, lenient ? "the size must be a number from 0 to 1 GiB"
                                       : "the size must be a number from 1 to 1 GiB");
    if (op == 'a' && t->live[id])
        return fail(err, line, "this id is already allocated");
    if (op == 'a' && bytes == 0) {
        sb_printf(out, "# a %zu 0: malloc(0) hands out nothing here\n", id);
    } else if (op == 'a') {
        sb_printf(out, "alloc %zu align 8 as t%zu\n", bytes, id);
    } else if (op == 'r' && !t->live[id] && lenient) {
        if (bytes)
            sb_printf(out, "alloc %zu align 8 as t%zu\n", bytes, id);
        else
            sb_printf(out, "# r %zu 0 of an id not live: realloc(NULL, 0) does nothing here\n", id);
    } else if (op == 'r' && bytes == 0) {
        sb_printf(out, "free t%zu\n", id);
    } else if (op == 'r' && t->live[id]) {
        sb_printf(out, "realloc t%zu %zu\n", id, bytes);
    } else if (op == 'f' && t->live[id]) {
        sb_printf(out, "free t%zu\n", id);
    } else if (lenient && op == 'f' && !t->ever[id]) {
        sb_printf(out, "# f %zu of an id never allocated: free(NULL) does nothing\n", id);
    } else if (lenient && op == 'f') {
        sb_printf(out, "free t%zu\n", id); /* freed before: the replay shows the double free */
    } else {
        return fail(err, line, "this id is not allocated");
    }
    set_live(t, id, op == 'f' ? 0 : bytes);
    return true;
}

/* A heap that holds a trace: twice the peak of what its live blocks take
 * on a free list (16-byte header, payload rounded to 16), so first-fit
 * has room for fragmentation, rounded up to 4 KiB; at least 4 KiB. */
size_t trace_heap_for(size_t peak_footprint)
{
    size_t heap = peak_footprint > ((size_t)1 << 40) ? (size_t)1 << 41 : peak_footprint * 2;
    heap = (heap + 4095) & ~(size_t)4095;
    return heap < 4096 ? 4096 : heap;
}

bool trace_to_script(const char *text, trace_header *hdr, strbuf *out, strbuf *err)
{
    if (record_is_recording(text)) /* allocscope record's superset of the format (record.h) */
        return record_to_script(text, hdr, out, err);
    reader r = {text, 0, {0}};
    trace_header h;
    if (!read_header(&r, &h, err))
        return false;
    size_t n = h.ids ? h.ids : 1;
    trace_state t = {h.dialect, h.ids, calloc(n, sizeof(size_t)), calloc(n, 1), 0, 0, 0, 0};
    if (t.live == NULL || t.ever == NULL) {
        free(t.live);
        free(t.ever);
        return fail(err, r.line, "out of memory");
    }
    size_t ops = 0;
    bool ok = true;
    while (ok && next_line(&r)) {
        parse_words w;
        if (parse_split(r.buf, &w)) {
            ok = fail(err, r.line, "expected 'a ID BYTES', 'r ID BYTES' or 'f ID'");
            break;
        }
        ok = convert_op(&t, &w, out, err, r.line);
        ops += ok;
    }
    free(t.live);
    free(t.ever);
    if (ok && ops != h.ops) {
        sb_printf(err, "%zu: the header announces %zu operations, the trace has %zu", r.line, h.ops, ops);
        ok = false;
    }
    h.peak_payload = t.peak_bytes;
    h.peak_footprint = t.peak_foot;
    if (ok && h.heap_size == 0)
        h.heap_size = trace_heap_for(t.peak_foot);
    if (ok && hdr)
        *hdr = h;
    return ok;
}

static const char *const shape_names[] = {"random", "binary-tree", "coalescing", "realloc"};

const char *trace_shape_name(trace_shape shape) { return shape_names[shape]; }

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

typedef struct gen {
    strbuf body;
    size_t ops, target;  /* operations written; exactly how many to write */
    size_t live;         /* ids live now: each still owes its final free */
    size_t *size;        /* current size of each id, 0 if not live */
    size_t foot, peak_foot; /* what the live blocks take on a free list, and its peak */
} gen;

/* Operations still free for the shape: the target less those written,
 * less the final frees owed, less 3 kept for padding to the exact count. */
static bool room(const gen *g, size_t cost)
{
    return g->ops + g->live + cost + 3 <= g->target;
}

static void resize_id(gen *g, size_t id, size_t bytes)
{
    g->foot -= g->size[id] ? footprint(g->size[id]) : 0;
    g->foot += bytes ? footprint(bytes) : 0;
    if (g->foot > g->peak_foot)
        g->peak_foot = g->foot;
    g->live += (bytes != 0) - (g->size[id] != 0);
    g->size[id] = bytes;
    g->ops++;
}

static void op_alloc(gen *g, size_t id, size_t bytes)
{
    sb_printf(&g->body, "a %zu %zu\n", id, bytes);
    resize_id(g, id, bytes);
}

static void op_free(gen *g, size_t id)
{
    sb_printf(&g->body, "f %zu\n", id);
    resize_id(g, id, 0);
}

static void op_realloc(gen *g, size_t id, size_t bytes)
{
    sb_printf(&g->body, "r %zu %zu\n", id, bytes);
    resize_id(g, id, bytes);
}

/* Brings the count to exactly the target with the final frees: a realloc
 * of a live id takes one operation, a new 16-byte block two (its alloc
 * and its free). Returns the next unused id. */
static size_t pad_to_target(gen *g, size_t next_id)
{
    size_t left = g->target - g->ops - g->live;
    if (left % 2 == 1) {
        size_t id = SIZE_MAX;
        for (size_t i = next_id; i-- > 0 && id == SIZE_MAX;)
            if (g->size[i])
                id = i;
        if (id == SIZE_MAX && left >= 3) {
            id = next_id++;
            op_alloc(g, id, 16);
            left -= 2;
        }
        if (id != SIZE_MAX) {
            op_realloc(g, id, g->size[id] + 16);
            left--;
        }
    }
    for (; left >= 2; left -= 2)
        op_alloc(g, next_id++, 16);
    return next_id;
}

void trace_generate(trace_shape shape, uint64_t seed, size_t ops, strbuf *out)
{
    gen g = {{0}, 0, ops, 0, NULL, 0, 0};
    size_t ids = ops / 2 + 2;
    g.size = calloc(ids, sizeof *g.size);
    if (g.size == NULL)
        return;
    uint64_t s = seed | 1;
    size_t next_id = 0;
    switch (shape) {
    case TRACE_RANDOM:
        while (room(&g, 2)) {
            if (next_id > 0 && next_rand(&s) % 3 == 0) {
                size_t id = next_rand(&s) % next_id;
                if (g.size[id])
                    op_free(&g, id);
                continue;
            }
            op_alloc(&g, next_id++, 1 + next_rand(&s) % 512);
        }
        break;
    case TRACE_BINARY_TREE:
        /* nodes (24 bytes) with leaves (64-256 bytes); then leaves freed, then nodes */
        while (room(&g, 4)) {
            op_alloc(&g, next_id++, 24);
            op_alloc(&g, next_id++, 64 + next_rand(&s) % 193);
        }
        for (size_t id = 1; id < next_id; id += 2)
            op_free(&g, id);
        break;
    case TRACE_COALESCING:
        /* runs of neighbours, every other freed, then the rest: frees must merge */
        while (room(&g, 8)) {
            size_t base = next_id;
            for (int k = 0; k < 4; k++)
                op_alloc(&g, next_id++, 32 + (size_t)k * 16);
            op_free(&g, base + 1);
            op_free(&g, base + 3);
            op_free(&g, base + 2);
        }
        break;
    case TRACE_REALLOC:
        while (room(&g, 2)) {
            size_t id = next_id++;
            op_alloc(&g, id, 16);
            for (size_t grow = 32; grow <= 1024 && room(&g, 1); grow *= 2)
                op_realloc(&g, id, grow);
            if (next_rand(&s) % 2)
                op_free(&g, id);
        }
        break;
    case TRACE_SHAPE_COUNT:
        break;
    }
    if (ops >= 2)
        next_id = pad_to_target(&g, next_id);
    else if (ops == 1)
        op_alloc(&g, next_id++, 16); /* one operation cannot also free */
    for (size_t id = 0; id < next_id && ops >= 2; id++)
        if (g.size[id])
            op_free(&g, id);
    sb_printf(out, "%zu\n%zu\n%zu\n1\n%s", trace_heap_for(g.peak_foot), next_id ? next_id : 1, g.ops,
              sb_str(&g.body));
    sb_free(&g.body);
    free(g.size);
}
