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
#define RECORD_RAW_MAGIC "ASRAW005"
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
 * 64th after it: reading the TSC is 50 ns on a virtual machine, twice a
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

/* On disk an event is packed against the one before it in its chunk
 * (record_raw_state: the place expected next, the last pointer), in
 * prefix varints (record_put_uint: 1 byte below 128, 2 below 2^14, ...,
 * 9 at most, the length in the first byte's low bits):
 *   a flags byte: the kind (low 4 bits), RECORD_HAS_NS, RECORD_HAS_SEQ,
 *     RECORD_IS_NON_MAIN, RECORD_HAS_EXT;
 *   the extension byte (RECORD_HAS_EXT): RECORD_HAS_ARG, RECORD_HAS_OLD,
 *     RECORD_HAS_CALLER, RECORD_HAS_ERR, RECORD_IS_MMAPPED, RECORD_NO_PTR;
 *   ns (8 bytes) if sampled;
 *   a realloc: before less the place expected, then seq less before + 1;
 *     any other call with RECORD_HAS_SEQ: seq less the place expected
 *     (without it, seq is the place expected: one thread's counter);
 *   ptr's difference from the last pointer (zigzag) unless RECORD_NO_PTR;
 *   size unless the call is a plain free; unless it frees, slack less
 *     what glibc's rounding of size gives (record_glibc_slack: zigzag);
 *   then arg, old (its difference from ptr, zigzag), caller and err when
 *   present.
 * A malloc is 4-6 bytes, a free 3-4 (the 64th of a thread's calls
 * carries its 8 bytes of ticks too): a quarter of the fixed 24 of the
 * recorder's third format, and as little for the buffer to write. */
#define RECORD_PACKED_MAX 128
enum { RECORD_HAS_NS = 16, RECORD_HAS_SEQ = 32, RECORD_IS_NON_MAIN = 64, RECORD_HAS_EXT = 128 };
enum {
    RECORD_HAS_ARG = 1, RECORD_HAS_OLD = 2, RECORD_HAS_CALLER = 4, RECORD_HAS_ERR = 8, RECORD_IS_MMAPPED = 16,
    RECORD_NO_PTR = 32
};

/* The packing's memory of the chunk so far; all 0 at a chunk's start. */
typedef struct record_raw_state {
    uint64_t seq_next;       /* the place an event takes without RECORD_HAS_SEQ */
    uint64_t ptr;            /* the last pointer */
} record_raw_state;

static inline record_raw_state *record_raw_begin(record_raw_state *st)
{
    st->seq_next = st->ptr = 0;
    return st;
}

/* Writes v at out as a prefix varint (stores 8 or 9 bytes: out needs that
 * room); its length, 1..9. Uses the compiler's own memcpy: the interposer
 * is built -fno-builtin, and a call of libc's memcpy per field was a
 * tenth of its cost. */
static inline size_t record_put_uint(unsigned char *out, uint64_t v)
{
    if (v < 128) { /* (most fields) */
        out[0] = (unsigned char)(v << 1);
        return 1;
    }
    /* the length by the position of the highest bit set: (bits + 6) / 7 */
    unsigned len = ((70 - (unsigned)__builtin_clzll(v)) * 37) >> 8; /* (x * 37 >> 8 is x / 7 up to 70) */
    if (len <= 8) {
        /* v above len - 1 one bits and a zero: v << len | ((1 << (len - 1)) - 1) */
        uint64_t w = ((v << 1 | 1) << (len - 1)) - 1;
        __builtin_memcpy(out, &w, 8);
        return len;
    }
    out[0] = 0xff;
    __builtin_memcpy(out + 1, &v, 8);
    return 9;
}

/* Reads a prefix varint from the avail bytes at in into *v: its length,
 * 0 if the bytes end inside it. */
static inline size_t record_get_uint(const unsigned char *in, size_t avail, uint64_t *v)
{
    if (avail == 0)
        return 0;
    unsigned t = (unsigned)(~in[0] & 0xffu);
    size_t len = t ? (size_t)__builtin_ctz(t) + 1 : 9;
    if (avail < len)
        return 0;
    if (len == 9) {
        memcpy(v, in + 1, 8);
        return 9;
    }
    uint64_t w = 0;
    memcpy(&w, in, len);
    *v = w >> len;
    return len;
}

static inline uint64_t record_zigzag(uint64_t d) { return d << 1 ^ (uint64_t)((int64_t)d >> 63); }
static inline uint64_t record_unzigzag(uint64_t z) { return z >> 1 ^ (uint64_t)-(int64_t)(z & 1); }

/* The chunk glibc gives a malloc of size bytes: size + 8 rounded up to
 * 16, at least 32 (8 of it the size word). */
static inline uint64_t record_glibc_chunk(uint64_t size)
{
    return size + 8 + 15 < 32 ? 32 : (size + 8 + 15) & ~(uint64_t)15;
}

/* The slack that chunk leaves: events store their slack as the
 * difference from it, 0 for most. */
static inline uint64_t record_glibc_slack(uint64_t size) { return record_glibc_chunk(size) - 8 - size; }

static inline bool record_kind_frees(unsigned kind)
{
    return kind == RK_FREE || kind == RK_FREE_SIZED || kind == RK_FREE_ALIGNED_SIZED;
}

/* Packs e into out (RECORD_PACKED_MAX bytes of room) after the events st
 * has seen; its length. The places of a chunk's events must rise (a
 * realloc's before below its seq). */
static inline size_t record_raw_pack(const record_raw_event *e, record_raw_state *st, unsigned char *out)
{
    bool reallocs = record_kind_reallocs(e->kind);
    unsigned ext = (e->arg ? RECORD_HAS_ARG : 0) | (e->old ? RECORD_HAS_OLD : 0) |
                   (e->caller ? RECORD_HAS_CALLER : 0) | (e->err ? RECORD_HAS_ERR : 0) |
                   (e->chunk & RECORD_CHUNK_MMAPPED ? RECORD_IS_MMAPPED : 0) | (e->ptr ? 0 : RECORD_NO_PTR);
    bool seq = !reallocs && e->seq != st->seq_next;
    out[0] = (unsigned char)((e->kind & 15) | (e->ns ? RECORD_HAS_NS : 0) | (seq ? RECORD_HAS_SEQ : 0) |
                             (e->chunk & RECORD_CHUNK_NON_MAIN ? RECORD_IS_NON_MAIN : 0) | (ext ? RECORD_HAS_EXT : 0));
    size_t n = 1;
    if (ext)
        out[n++] = (unsigned char)ext;
    if (e->ns)
        __builtin_memcpy(out + n, &e->ns, 8), n += 8;
    if (reallocs) {
        n += record_put_uint(out + n, e->before - st->seq_next);
        n += record_put_uint(out + n, e->seq - e->before - 1);
    } else if (seq) {
        n += record_put_uint(out + n, e->seq - st->seq_next);
    }
    st->seq_next = e->seq + 1;
    if (e->ptr) {
        n += record_put_uint(out + n, record_zigzag(e->ptr - st->ptr));
        st->ptr = e->ptr;
    }
    if (e->kind != RK_FREE)
        n += record_put_uint(out + n, e->size);
    if (!record_kind_frees(e->kind))
        n += record_put_uint(out + n, record_zigzag(e->slack - record_glibc_slack(e->size)));
    if (ext & RECORD_HAS_ARG)
        n += record_put_uint(out + n, e->arg);
    if (ext & RECORD_HAS_OLD)
        n += record_put_uint(out + n, record_zigzag(e->old - e->ptr));
    if (ext & RECORD_HAS_CALLER)
        n += record_put_uint(out + n, e->caller);
    if (ext & RECORD_HAS_ERR)
        n += record_put_uint(out + n, e->err);
    return n;
}

/* Unpacks one event from the avail bytes at in after the events st has
 * seen (and updates st): its length, 0 if the bytes end inside it. tid
 * is left 0. */
static inline size_t record_raw_unpack(const unsigned char *in, size_t avail, record_raw_state *st, record_raw_event *e)
{
    if (avail == 0)
        return 0;
    memset(e, 0, sizeof *e);
    unsigned flags = in[0], ext = 0;
    e->kind = (uint16_t)(flags & 15);
    size_t n = 1, got;
    uint64_t v;
    if (flags & RECORD_HAS_EXT) {
        if (avail < 2)
            return 0;
        ext = in[n++];
    }
    if (flags & RECORD_HAS_NS) {
        if (avail < n + 8)
            return 0;
        memcpy(&e->ns, in + n, 8), n += 8;
    }
#define RECORD_GET_(x)                                     \
    do {                                                   \
        if ((got = record_get_uint(in + n, avail - n, &v)) == 0) \
            return 0;                                      \
        n += got;                                          \
        x;                                                 \
    } while (0)
    uint64_t seq_next = st->seq_next, ptr = st->ptr;
    if (record_kind_reallocs(e->kind)) {
        RECORD_GET_(e->before = seq_next + v);
        RECORD_GET_(e->seq = e->before + 1 + v);
    } else if (flags & RECORD_HAS_SEQ) {
        RECORD_GET_(e->seq = seq_next + v);
    } else {
        e->seq = seq_next;
    }
    if (!(ext & RECORD_NO_PTR))
        RECORD_GET_(e->ptr = ptr = ptr + record_unzigzag(v));
    if (e->kind != RK_FREE)
        RECORD_GET_(e->size = v);
    if (!record_kind_frees(e->kind))
        RECORD_GET_(v = record_unzigzag(v) + record_glibc_slack(e->size); e->slack = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v);
    if (ext & RECORD_HAS_ARG)
        RECORD_GET_(e->arg = v);
    if (ext & RECORD_HAS_OLD)
        RECORD_GET_(e->old = e->ptr + record_unzigzag(v));
    if (ext & RECORD_HAS_CALLER)
        RECORD_GET_(e->caller = v);
    if (ext & RECORD_HAS_ERR)
        RECORD_GET_(e->err = (uint16_t)v);
#undef RECORD_GET_
    e->chunk = (uint8_t)((ext & RECORD_IS_MMAPPED ? RECORD_CHUNK_MMAPPED : 0) |
                         (flags & RECORD_IS_NON_MAIN ? RECORD_CHUNK_NON_MAIN : 0));
    st->seq_next = e->seq + 1;
    st->ptr = ptr;
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
