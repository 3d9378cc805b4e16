/*
 * record.h - `allocscope record`: runs a program with the interposer
 * (liballocscope_record.so, src/record/interpose.c) preloaded and turns
 * what it wrote into a recording: a malloc-lab trace whose lines carry
 * extra fields (kind, alignment, real address, thread, time, caller) and
 * whose trailer lists the calls that changed nothing (failed calls,
 * free(NULL)), the threads and the callers' symbols. The format is in
 * README.md, "Watch your own program".
 *
 * The raw stream between the interposer and this module is a
 * record_raw_header, then chunks: each a record_raw_chunk and the packed
 * record_raw_events one thread buffered, in that thread's order. The
 * threads' chunks interleave in the file; every event carries its place
 * in the process's order (seq: see take_place in interpose.c), and the
 * converter merges the chunks by it (one file per process image).
 */
#ifndef ALLOCSCOPE_RECORD_H
#define ALLOCSCOPE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "allocscope/glibc.h"
#include "allocscope/parse.h"
#include "allocscope/strbuf.h"
#include "allocscope/trace.h"

/* 2 added each block's gSLACK[m|n] field and heap= in the header;
 * version 1 recordings read as before (no glibc facts) */
#define RECORD_FORMAT_VERSION 2
#define RECORD_MAGIC "allocscope-recording"
#define RECORD_RAW_MAGIC "ASRAW004"
#define RECORD_CHUNK_MAGIC 0x4b484341u /* "ACHK" */

/* The entry points the interposer records. */
typedef enum record_kind {
    RK_MALLOC = 1, RK_CALLOC, RK_REALLOC, RK_REALLOCARRAY, RK_POSIX_MEMALIGN, RK_ALIGNED_ALLOC,
    RK_MEMALIGN, RK_VALLOC, RK_PVALLOC, RK_FREE, RK_FREE_SIZED, RK_FREE_ALIGNED_SIZED,
    RK_COUNT
} record_kind;

typedef struct record_raw_header {
    char magic[8];           /* RECORD_RAW_MAGIC */
    uint32_t pid, ppid;
    uint32_t generation;     /* 0 for the first image of a pid, 1 after its first exec, ... */
    uint32_t stacks;         /* callers recorded */
    uint64_t start_ns;       /* CLOCK_MONOTONIC when recording began */
    uint64_t start_ticks;    /* the tick counter then */
    uint64_t heap_start;     /* sbrk(0) when the recorder started: where glibc's main heap begins */
} record_raw_header;

/* One call. ns: the tick counter (the TSC on x86-64, else nanoseconds)
 * when the call was sampled (the first event of every chunk and every
 * 16th after it: reading the TSC is 50 ns on a virtual machine, twice a
 * malloc), 0 when not: the converter interpolates those between the
 * sampled events around them. Every chunk header pairs the counter with
 * the clock at its flush, so the converter turns ticks into nanoseconds.
 * seq: the event's place in the process's order of calls (see
 * interpose.c: taken before the real call for a free, after it for an
 * allocation); before: for realloc and reallocarray, the place of the
 * free they make inside (taken before the real call; seq after it). ptr:
 * the result (for frees the pointer freed); old: the pointer realloc /
 * reallocarray got; arg: the alignment (memalign family,
 * free_aligned_sized) or nmemb (calloc, reallocarray); size: the size
 * asked for (per element for calloc and reallocarray); caller: the return
 * address, 0 without --stacks; err: the error of a failed call; tid: the
 * thread (from its chunk). For a block handed out: slack, what glibc's
 * malloc_usable_size says of it minus the bytes asked for (calloc and
 * reallocarray: nmemb * size), and chunk, glibc's chunk flags of it
 * (RECORD_CHUNK_*). ticket: the converter's own number of a realloc from
 * its first place on (two threads' places may be equal), not on disk. */
typedef struct record_raw_event {
    uint64_t ns, ptr, size, arg, old, caller;
    uint64_t seq, before;
    uint64_t ticket;
    uint32_t slack;
    uint32_t tid;
    uint16_t kind;
    uint16_t err;            /* errno the call left (0 if none) */
    uint8_t chunk;           /* RECORD_CHUNK_MMAPPED, RECORD_CHUNK_NON_MAIN */
} record_raw_event;

/* What precedes the events of one thread's buffer in the raw file. A
 * stream is one thread's run of chunks (a buffer taken by a thread until
 * the thread ends): its chunks come in the file in its order. */
typedef struct record_raw_chunk {
    uint32_t magic;          /* RECORD_CHUNK_MAGIC */
    uint32_t tid;
    uint32_t stream;
    uint32_t bytes;          /* of packed events that follow */
    uint64_t ticks, ns;      /* the tick counter and CLOCK_MONOTONIC at the flush */
} record_raw_chunk;

static inline bool record_kind_reallocs(unsigned kind) { return kind == RK_REALLOC || kind == RK_REALLOCARRAY; }

enum { RECORD_CHUNK_MMAPPED = 1, RECORD_CHUNK_NON_MAIN = 2 };

/* On disk an event is packed: ptr (8 bytes), size (4), the lower half
 * of seq (4), kind (1), which optional fields follow (1), err (2), the
 * usable bytes past size (4: the slack), then the upper half of seq (4)
 * when it differs from the previous event's of the chunk (always in the
 * first), the upper half of size when it does not fit in 4 bytes, ns,
 * arg, old and caller (8 each) when present, and for a realloc its before
 * (8): 24 bytes for most calls, at most 76. */
#define RECORD_PACKED_MAX 80
enum {
    RECORD_HAS_ARG = 1, RECORD_HAS_OLD = 2, RECORD_HAS_CALLER = 4, RECORD_HAS_NS = 8,
    RECORD_IS_MMAPPED = 16, RECORD_IS_NON_MAIN = 32, RECORD_HAS_SIZE_HIGH = 64, RECORD_HAS_SEQ_HIGH = 128
};

/* Packs e into out (RECORD_PACKED_MAX bytes of room); its length.
 * seq_high: write the upper half of seq (the first event of a chunk, or
 * one whose upper half changed). Uses the compiler's own memcpy: the
 * interposer is built -fno-builtin, and a call of libc's memcpy per field
 * was a tenth of its cost. */
static inline size_t record_raw_pack(const record_raw_event *e, bool seq_high, unsigned char *out)
{
    uint32_t low = (uint32_t)e->size, high = (uint32_t)(e->size >> 32);
    uint32_t seq_lo = (uint32_t)e->seq, seq_hi = (uint32_t)(e->seq >> 32);
    unsigned char has = (unsigned char)((e->arg ? RECORD_HAS_ARG : 0) | (e->old ? RECORD_HAS_OLD : 0) |
                                        (e->caller ? RECORD_HAS_CALLER : 0) | (e->ns ? RECORD_HAS_NS : 0) |
                                        (e->chunk & RECORD_CHUNK_MMAPPED ? RECORD_IS_MMAPPED : 0) |
                                        (e->chunk & RECORD_CHUNK_NON_MAIN ? RECORD_IS_NON_MAIN : 0) |
                                        (high ? RECORD_HAS_SIZE_HIGH : 0) | (seq_high ? RECORD_HAS_SEQ_HIGH : 0));
    __builtin_memcpy(out, &e->ptr, 8);
    __builtin_memcpy(out + 8, &low, 4);
    __builtin_memcpy(out + 12, &seq_lo, 4);
    out[16] = (unsigned char)e->kind;
    out[17] = has;
    __builtin_memcpy(out + 18, &e->err, 2);
    __builtin_memcpy(out + 20, &e->slack, 4);
    size_t n = 24;
    if (has & RECORD_HAS_SEQ_HIGH)
        __builtin_memcpy(out + n, &seq_hi, 4), n += 4;
    if (has & RECORD_HAS_SIZE_HIGH)
        __builtin_memcpy(out + n, &high, 4), n += 4;
    if (has & RECORD_HAS_NS)
        __builtin_memcpy(out + n, &e->ns, 8), n += 8;
    if (has & RECORD_HAS_ARG)
        __builtin_memcpy(out + n, &e->arg, 8), n += 8;
    if (has & RECORD_HAS_OLD)
        __builtin_memcpy(out + n, &e->old, 8), n += 8;
    if (has & RECORD_HAS_CALLER)
        __builtin_memcpy(out + n, &e->caller, 8), n += 8;
    if (record_kind_reallocs(e->kind))
        __builtin_memcpy(out + n, &e->before, 8), n += 8;
    return n;
}

/* Unpacks one event from the avail bytes at in: its length, 0 if the
 * bytes end inside it. *seq_high: the upper half of seq so far in the
 * chunk (read, and set when the event carries it). tid is left 0. */
static inline size_t record_raw_unpack(const unsigned char *in, size_t avail, uint32_t *seq_high, record_raw_event *e)
{
    if (avail < 24)
        return 0;
    unsigned has = in[17];
    size_t n = 24 + 4 * (size_t)(!!(has & RECORD_HAS_SIZE_HIGH) + !!(has & RECORD_HAS_SEQ_HIGH)) +
               8 * (size_t)(!!(has & RECORD_HAS_ARG) + !!(has & RECORD_HAS_OLD) + !!(has & RECORD_HAS_CALLER) +
                            !!(has & RECORD_HAS_NS) + record_kind_reallocs(in[16]));
    if (avail < n)
        return 0;
    memset(e, 0, sizeof *e);
    uint32_t low, high = 0, seq_lo;
    memcpy(&e->ptr, in, 8);
    memcpy(&low, in + 8, 4);
    memcpy(&seq_lo, in + 12, 4);
    e->kind = in[16];
    memcpy(&e->err, in + 18, 2);
    memcpy(&e->slack, in + 20, 4);
    e->chunk = (uint8_t)((has & RECORD_IS_MMAPPED ? RECORD_CHUNK_MMAPPED : 0) |
                         (has & RECORD_IS_NON_MAIN ? RECORD_CHUNK_NON_MAIN : 0));
    size_t at = 24;
    if (has & RECORD_HAS_SEQ_HIGH)
        memcpy(seq_high, in + at, 4), at += 4;
    e->seq = (uint64_t)*seq_high << 32 | seq_lo;
    if (has & RECORD_HAS_SIZE_HIGH)
        memcpy(&high, in + at, 4), at += 4;
    e->size = (uint64_t)high << 32 | low;
    if (has & RECORD_HAS_NS)
        memcpy(&e->ns, in + at, 8), at += 8;
    if (has & RECORD_HAS_ARG)
        memcpy(&e->arg, in + at, 8), at += 8;
    if (has & RECORD_HAS_OLD)
        memcpy(&e->old, in + at, 8), at += 8;
    if (has & RECORD_HAS_CALLER)
        memcpy(&e->caller, in + at, 8), at += 8;
    if (record_kind_reallocs(e->kind))
        memcpy(&e->before, in + at, 8);
    return n;
}

/* `allocscope record [-o FILE] [--stacks] -- CMD [ARGS...]`: argv[0] is
 * "record". Runs CMD, writes FILE (default allocscope.rec) and FILE.PID
 * for the other processes, prints a summary; returns CMD's exit status
 * (128 + signal), 127 if CMD cannot run, 2 for a usage error. */
int record_main(int argc, char **argv);

/* True iff text starts like a recording (its first line names the format). */
bool record_is_recording(const char *text);

/* Converts a recording into a script, like trace_to_script. False with
 * "byte N: message" in err when nothing can replay (bad header, newer
 * version). A recording damaged later (truncated, a corrupt line) gives
 * true with the script of every operation before the damage and
 * "byte N: message" in err: callers that replay should print err when it
 * is not empty. */
bool record_to_script(const char *text, trace_header *hdr, strbuf *out, strbuf *err);

/* A recording read a line at a time (the trace stream reads recordings
 * with these, trace.c; record_to_script too). Each takes a line split by
 * parse_split. */
/* Line i (0-3) of the header into h; false with "byte OFF: message" in err
 * (the first line's errors are at byte 0). */
bool record_header_line(size_t i, size_t off, const parse_words *w, trace_header *h, strbuf *err);
/* An operation line of the body: op 'a', 'r' or 'f', the id, the size (a
 * size of 0 is 1: malloc(0) gives a block) and the alignment its kind asks
 * for (malloc's 16, the memalign family's own, valloc's 4096; at most
 * 4096). Whether the id is live is the caller's to check. */
typedef struct record_op {
    char op;
    size_t id, size, align;
} record_op;
/* NULL with *op filled in, else why the line is no operation. */
const char *record_op_line(const parse_words *w, size_t ids, record_op *op);
/* The same for the line (n bytes, no newline) as allocscope record
 * writes it (single spaces, decimal numbers, the kinds it writes), at a
 * fraction of the cost: true with *op filled in exactly as
 * record_op_line would; false for anything else, which record_op_line
 * then reads (and gives the reason for). */
bool record_op_fast(const char *line, size_t n, size_t ids, record_op *op);
/* A line of the trailer (raw: the line as read, for its first word) after
 * ops operations; extra counts the x and u lines so far. NULL if it is
 * good (*end: it was the end line, which the text must end with), else
 * why not. */
const char *record_trailer_line(const char *raw, const parse_words *w, size_t ops, size_t *extra, bool *end);

/* For a recording at path that is damaged: prints "allocscope: PATH:
 * byte N: ..." to f and returns true. False for a good recording and for
 * anything else (a malloc-lab trace, a file that cannot be read: the
 * replay reports those itself). */
bool record_damage(const char *path, FILE *f);

/* The allocations of a recording (text) as the glibc view's plan, in
 * order, with each block's slack and chunk flags (a version 1 recording:
 * what glibc would have given, glibc_guess) and the heap's start. A
 * damaged recording gives the plan of the part before the damage. False
 * with a message in err for anything that is not a readable recording;
 * free plan->ops. */
bool record_glibc_plan(const char *text, glibc_plan *plan, strbuf *err);

/* The figures of a converted recording. */
typedef struct record_summary {
    size_t events, allocs, frees, reallocs, failed, nulls, unknown, threads, bytes, peak_live;
    bool stopped;   /* the program closed the recorder's file: the rest is missing */
} record_summary;

/* Converts one raw file into a recording at out_path (symbols from
 * sym_path if it exists). False with a message in err. */
bool record_convert(const char *raw_path, const char *sym_path, const char *out_path, record_summary *sum,
                    strbuf *err);

#endif
