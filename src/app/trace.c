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

static bool read_header(reader *r, trace_header *h, strbuf *err)
{
    size_t *fields[] = {&h->heap_size, &h->ids, &h->ops, &h->weight};
    static const char *const names[] = {"the suggested heap size", "the number of ids",
                                        "the number of operations", "the weight"};
    for (int i = 0; i < 4; i++) {
        if (!next_line(r))
            return fail(err, r->line + 1, "the trace ends inside its 4-line header");
        parse_words w;
        if (parse_split(r->buf, &w) || w.count != 1 || parse_uint(w.word[0], fields[i])) {
            sb_printf(err, "%zu: header line %d must be one number: %s", r->line, i + 1, names[i]);
            return false;
        }
    }
    if (h->ids > TRACE_MAX_IDS || h->ops > TRACE_MAX_OPS)
        return fail(err, r->line, "the trace is larger than allocscope replays (1,000,000 ids, 10,000,000 ops)");
    return true;
}

bool trace_to_script(const char *text, trace_header *hdr, strbuf *out, strbuf *err)
{
    if (record_is_recording(text)) /* allocscope record's superset of the format (record.h) */
        return record_to_script(text, hdr, out, err);
    reader r = {text, 0, {0}};
    trace_header h;
    if (!read_header(&r, &h, err))
        return false;
    unsigned char *live = calloc(h.ids ? h.ids : 1, 1);
    if (live == NULL)
        return fail(err, r.line, "out of memory");
    size_t ops = 0;
    bool ok = true;
    while (ok && next_line(&r)) {
        parse_words w;
        size_t id, bytes = 0;
        if (parse_split(r.buf, &w) || w.count < 2) {
            ok = fail(err, r.line, "expected 'a ID BYTES', 'r ID BYTES' or 'f ID'");
            break;
        }
        char op = w.word[0][1] == '\0' ? w.word[0][0] : '?';
        bool sized = op == 'a' || op == 'r';
        if ((op != 'a' && op != 'r' && op != 'f') || w.count != (sized ? 3u : 2u))
            ok = fail(err, r.line, "expected 'a ID BYTES', 'r ID BYTES' or 'f ID'");
        else if (parse_uint(w.word[1], &id) || id >= h.ids)
            ok = fail(err, r.line, "the id is not a number below the header's number of ids");
        else if (sized && (parse_uint(w.word[2], &bytes) || bytes == 0 || bytes > ((size_t)1 << 30)))
            ok = fail(err, r.line, "the size must be a number from 1 to 1 GiB");
        else if (op == 'a' && live[id])
            ok = fail(err, r.line, "this id is already allocated");
        else if (op != 'a' && !live[id])
            ok = fail(err, r.line, "this id is not allocated");
        if (!ok)
            break;
        if (op == 'a')
            sb_printf(out, "alloc %zu align 8 as t%zu\n", bytes, id);
        else if (op == 'r')
            sb_printf(out, "realloc t%zu %zu\n", id, bytes);
        else
            sb_printf(out, "free t%zu\n", id);
        live[id] = op != 'f';
        ops++;
    }
    free(live);
    if (ok && ops != h.ops) {
        sb_printf(err, "%zu: the header announces %zu operations, the trace has %zu", r.line, h.ops, ops);
        ok = false;
    }
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
    size_t ops, ids, peak;
    size_t *size;       /* current size of each live id, 0 if free */
    size_t cap;
} gen;

static void op_alloc(gen *g, size_t id, size_t bytes)
{
    sb_printf(&g->body, "a %zu %zu\n", id, bytes);
    g->size[id] = bytes;
    g->ops++;
}

static void op_free(gen *g, size_t id)
{
    sb_printf(&g->body, "f %zu\n", id);
    g->size[id] = 0;
    g->ops++;
}

static void op_realloc(gen *g, size_t id, size_t bytes)
{
    sb_printf(&g->body, "r %zu %zu\n", id, bytes);
    g->size[id] = bytes;
    g->ops++;
}

void trace_generate(trace_shape shape, uint64_t seed, size_t ops, strbuf *out)
{
    gen g = {{0}, 0, 0, 0, NULL, 0};
    size_t ids = ops / 2 + 2;
    g.size = calloc(ids, sizeof *g.size);
    if (g.size == NULL)
        return;
    uint64_t s = seed | 1;
    size_t next_id = 0;
    switch (shape) {
    case TRACE_RANDOM:
        while (g.ops + 2 < ops && next_id < ids) {
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
        while (g.ops * 2 + 4 < ops && next_id + 2 < ids) {
            op_alloc(&g, next_id++, 24);
            op_alloc(&g, next_id++, 64 + next_rand(&s) % 193);
        }
        for (size_t id = 1; id < next_id; id += 2)
            op_free(&g, id);
        break;
    case TRACE_COALESCING:
        /* runs of neighbours, every other freed, then the rest: frees must merge */
        while (g.ops + 4 < ops && next_id + 4 < ids) {
            size_t base = next_id;
            for (int k = 0; k < 4; k++)
                op_alloc(&g, next_id++, 32 + (size_t)k * 16);
            op_free(&g, base + 1);
            op_free(&g, base + 3);
            op_free(&g, base + 2);
        }
        break;
    case TRACE_REALLOC:
        while (g.ops + 4 < ops && next_id < ids) {
            size_t id = next_id++;
            op_alloc(&g, id, 16);
            for (size_t grow = 32; grow <= 1024 && g.ops + 2 < ops; grow *= 2)
                op_realloc(&g, id, grow);
            if (next_rand(&s) % 2)
                op_free(&g, id);
        }
        break;
    case TRACE_SHAPE_COUNT:
        break;
    }
    for (size_t id = 0; id < next_id; id++)
        if (g.size[id])
            op_free(&g, id);
    sb_printf(out, "%zu\n%zu\n%zu\n1\n%s", (size_t)1 << 20, next_id ? next_id : 1, g.ops, sb_str(&g.body));
    sb_free(&g.body);
    free(g.size);
}
