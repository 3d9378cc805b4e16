/*
 * trace.h - allocation traces in the CS:APP malloc-lab format: a header of
 * four numbers (suggested heap size, number of ids, number of operations,
 * weight), then one operation a line: "a ID BYTES", "r ID BYTES", "f ID".
 * A trace becomes a script in the session's language (alloc / realloc /
 * free of blocks named t<ID>), so it replays on any allocator, headless or
 * step by step like a scene. A generator writes traces of the classic
 * shapes from a seed.
 */
#ifndef ALLOCSCOPE_TRACE_H
#define ALLOCSCOPE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocscope/strbuf.h"

#define TRACE_MAX_OPS 10000000
#define TRACE_MAX_IDS 1000000

typedef struct trace_header {
    size_t heap_size, ids, ops, weight;
} trace_header;

/* Converts trace text into a script (appended to out, one command a line).
 * False with "LINE: message" in err for a malformed trace; out is then
 * undefined. */
bool trace_to_script(const char *text, trace_header *hdr, strbuf *out, strbuf *err);

typedef enum trace_shape {
    TRACE_RANDOM,        /* random sizes, random frees */
    TRACE_BINARY_TREE,   /* small nodes and larger leaves, freed by level */
    TRACE_COALESCING,    /* neighbours freed so free blocks must merge */
    TRACE_REALLOC,       /* blocks that grow again and again */
    TRACE_SHAPE_COUNT
} trace_shape;

const char *trace_shape_name(trace_shape shape);
/* Writes a valid trace of about `ops` operations (every id freed at the
 * end) of the given shape, deterministic for a seed. */
void trace_generate(trace_shape shape, uint64_t seed, size_t ops, strbuf *out);

#endif
