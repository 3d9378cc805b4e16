/*
 * trace.h - allocation traces in the malloc-lab format: a header, then one
 * operation a line: "a ID BYTES", "r ID BYTES", "f ID". Three headers are
 * read, one number a line:
 *   CS:APP      suggested heap size, number of ids, number of operations, weight
 *   CMU 15-213  weight (0-3), ids, operations, ignore-ranges (0/1); lenient
 *               ops as its mdriver: `f -1` and freeing a never-allocated id
 *               are free(NULL), realloc of an id not live is malloc,
 *               realloc to 0 is free
 *   two-line    ids, operations (the xv6 / tester ports), lenient the same way
 * Any other header is refused with what was expected.
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
#include <stdio.h>

#include "allocscope/strbuf.h"

/* A replay streams its operations: memory is 21 bytes per id (5 to read the
 * trace, 16 to replay it) and none per operation. */
#define TRACE_MAX_OPS 100000000
#define TRACE_MAX_IDS 10000000

typedef enum trace_dialect {
    TRACE_CSAPP,
    TRACE_CMU_15213,
    TRACE_TWO_LINE,
    TRACE_RECORDING,     /* allocscope record's superset (record.h): strict, and a
                          * damaged one replays up to its damage */
} trace_dialect;

const char *trace_dialect_name(trace_dialect d);

typedef struct trace_header {
    trace_dialect dialect;
    /* the header's suggestion (CS:APP); for the dialects without one,
     * trace_heap_for(peak_footprint) */
    size_t heap_size;
    size_t ids, ops, weight, ignore_ranges;
    size_t peak_payload;   /* the most bytes live at once, as mdriver counts them */
    size_t peak_footprint; /* the same with a 16-byte header each, payloads rounded to 16 */
} trace_header;

/* One operation of a trace, as it is replayed: mdriver's lenient forms
 * already resolved (see the dialects above). */
typedef enum trace_op_kind {
    TRACE_OP_NONE,       /* does nothing (free(NULL), malloc(0), ...): why in note */
    TRACE_OP_ALLOC,      /* allocate bytes for id */
    TRACE_OP_REALLOC,    /* realloc the live id to bytes */
    TRACE_OP_FREE,       /* free id (again: a lenient trace frees it a second time) */
} trace_op_kind;

typedef struct trace_op {
    trace_op_kind kind;
    size_t id, bytes;
    uint8_t align_log2;  /* 3 for a trace (mdriver's 8 bytes); a recording's call asked its own */
    bool again;
    size_t line;         /* in the file */
    char note[96];
} trace_op;

/* A trace read one operation at a time, from a file or from text, with
 * memory for its ids only (16 bytes an id), never for its operations. */
typedef struct trace_stream trace_stream;
/* Reads the header (into hdr when not NULL); NULL with "LINE: message"
 * in err when it is malformed. */
trace_stream *trace_stream_open(FILE *f, trace_header *hdr, strbuf *err);
trace_stream *trace_stream_text(const char *text, trace_header *hdr, strbuf *err);
/* 1: the next operation is in op; 0: the end (the header's peak figures
 * are then complete); -1: malformed ("LINE: message" in err). A recording
 * (dialect TRACE_RECORDING) is read too: its errors are "byte N: message;
 * the K operations before it replay", as record_to_script's, and the
 * header's ops are then K (the operations before the damage). */
int trace_stream_next(trace_stream *ts, trace_op *op, strbuf *err);
/* Up to n operations into ops[0..n - 1], as n calls of trace_stream_next
 * would read them, in one call: how many were read; *got is what
 * trace_stream_next answered last (1 when all n were read). */
size_t trace_stream_read(trace_stream *ts, trace_op *ops, size_t n, int *got, strbuf *err);
/* The header, with peak_payload and peak_footprint once the end is read. */
const trace_header *trace_stream_header(const trace_stream *ts);
void trace_stream_close(trace_stream *ts);

/* Converts trace text into a script (appended to out, one command a line;
 * operations that do nothing become comments, so there is one line per
 * operation). False with "LINE: message" in err for a malformed trace;
 * out is then undefined. */
bool trace_to_script(const char *text, trace_header *hdr, strbuf *out, strbuf *err);

/* A heap size that holds a trace whose live blocks take at most
 * peak_footprint bytes on a free list (see trace_header): what the
 * generator suggests and what header-less dialects replay on. */
size_t trace_heap_for(size_t peak_footprint);

typedef enum trace_shape {
    TRACE_RANDOM,        /* random sizes, random frees */
    TRACE_BINARY_TREE,   /* small nodes and larger leaves, freed by level */
    TRACE_COALESCING,    /* neighbours freed so free blocks must merge */
    TRACE_REALLOC,       /* blocks that grow again and again */
    TRACE_SHAPE_COUNT
} trace_shape;

const char *trace_shape_name(trace_shape shape);
/* Writes a valid CS:APP trace of exactly `ops` operations of the given
 * shape, deterministic for a seed, every id freed at the end (for ops >= 2;
 * a single operation is one allocation). Its suggested heap is
 * trace_heap_for() of the trace's peak footprint, so it replays on a free
 * list of that size without failures. */
void trace_generate(trace_shape shape, uint64_t seed, size_t ops, strbuf *out);

#endif
