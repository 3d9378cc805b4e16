/*
 * record.h - `allocscope record`: runs a program with the interposer
 * (liballocscope_record.so, src/record/interpose.c) preloaded and turns
 * what it wrote into a recording: a malloc-lab trace whose lines carry
 * extra fields (kind, alignment, real address, thread, time, caller) and
 * whose trailer lists the calls that changed nothing (failed calls,
 * free(NULL)), the threads and the callers' symbols. The format is in
 * README.md, "Watch your own program".
 *
 * The raw stream between the interposer and this module is a sequence of
 * packed record_raw_events after a record_raw_header, in the order the
 * calls happened in the process (one file per process image).
 */
#ifndef ALLOCSCOPE_RECORD_H
#define ALLOCSCOPE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "allocscope/strbuf.h"
#include "allocscope/trace.h"

#define RECORD_FORMAT_VERSION 1
#define RECORD_MAGIC "allocscope-recording"
#define RECORD_RAW_MAGIC "ASRAW001"

/* The entry points the interposer records. */
typedef enum record_kind {
    RK_MALLOC = 1, RK_CALLOC, RK_REALLOC, RK_REALLOCARRAY, RK_POSIX_MEMALIGN, RK_ALIGNED_ALLOC,
    RK_MEMALIGN, RK_VALLOC, RK_PVALLOC, RK_FREE, RK_FREE_SIZED, RK_FREE_ALIGNED_SIZED,
    RK_COUNT,
    RK_CLOCK = 100           /* not a call: ns = CLOCK_MONOTONIC, arg = the tick counter then */
} record_kind;

typedef struct record_raw_header {
    char magic[8];           /* RECORD_RAW_MAGIC */
    uint32_t pid, ppid;
    uint32_t generation;     /* 0 for the first image of a pid, 1 after its first exec, ... */
    uint32_t stacks;         /* callers recorded */
    uint64_t start_ns;       /* CLOCK_MONOTONIC when recording began */
    uint64_t start_ticks;    /* the tick counter then */
} record_raw_header;

/* One call. ns: the tick counter (the TSC on x86-64, else nanoseconds);
 * every buffer the interposer writes ends with an RK_CLOCK event that
 * pairs the counter with the clock, so the converter turns ticks into
 * nanoseconds. ptr: the result (for frees the pointer freed); old: the
 * pointer realloc / reallocarray got; arg: the alignment (memalign family,
 * free_aligned_sized) or nmemb (calloc, reallocarray); size: the size
 * asked for (per element for calloc and reallocarray); caller: the return
 * address, 0 without --stacks; err: the error of a failed call. */
typedef struct record_raw_event {
    uint64_t ns, ptr, size, arg, old, caller;
    uint32_t tid;
    uint16_t kind;
    uint16_t err;            /* errno the call left (0 if none) */
} record_raw_event;

/* On disk an event is packed: ns, ptr, size (8 bytes each), tid (4),
 * kind (1), which optional fields follow (1), err (2), then arg, old and
 * caller (8 each) when not zero: 32 bytes for most calls, at most 56. */
#define RECORD_PACKED_MAX 56
enum { RECORD_HAS_ARG = 1, RECORD_HAS_OLD = 2, RECORD_HAS_CALLER = 4 };

/* Packs e into out (RECORD_PACKED_MAX bytes of room); its length. */
static inline size_t record_raw_pack(const record_raw_event *e, unsigned char *out)
{
    unsigned char has = (unsigned char)((e->arg ? RECORD_HAS_ARG : 0) | (e->old ? RECORD_HAS_OLD : 0) |
                                        (e->caller ? RECORD_HAS_CALLER : 0));
    memcpy(out, &e->ns, 8);
    memcpy(out + 8, &e->ptr, 8);
    memcpy(out + 16, &e->size, 8);
    memcpy(out + 24, &e->tid, 4);
    out[28] = (unsigned char)e->kind;
    out[29] = has;
    memcpy(out + 30, &e->err, 2);
    size_t n = 32;
    if (has & RECORD_HAS_ARG)
        memcpy(out + n, &e->arg, 8), n += 8;
    if (has & RECORD_HAS_OLD)
        memcpy(out + n, &e->old, 8), n += 8;
    if (has & RECORD_HAS_CALLER)
        memcpy(out + n, &e->caller, 8), n += 8;
    return n;
}

/* Unpacks one event from the avail bytes at in: its length, 0 if the
 * bytes end inside it. */
static inline size_t record_raw_unpack(const unsigned char *in, size_t avail, record_raw_event *e)
{
    if (avail < 32)
        return 0;
    unsigned has = in[29];
    size_t n = 32 + 8 * (size_t)(!!(has & RECORD_HAS_ARG) + !!(has & RECORD_HAS_OLD) + !!(has & RECORD_HAS_CALLER));
    if (avail < n)
        return 0;
    memset(e, 0, sizeof *e);
    memcpy(&e->ns, in, 8);
    memcpy(&e->ptr, in + 8, 8);
    memcpy(&e->size, in + 16, 8);
    memcpy(&e->tid, in + 24, 4);
    e->kind = in[28];
    memcpy(&e->err, in + 30, 2);
    size_t at = 32;
    if (has & RECORD_HAS_ARG)
        memcpy(&e->arg, in + at, 8), at += 8;
    if (has & RECORD_HAS_OLD)
        memcpy(&e->old, in + at, 8), at += 8;
    if (has & RECORD_HAS_CALLER)
        memcpy(&e->caller, in + at, 8);
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

/* For a recording at path that is damaged: prints "allocscope: PATH:
 * byte N: ..." to f and returns true. False for a good recording and for
 * anything else (a malloc-lab trace, a file that cannot be read: the
 * replay reports those itself). */
bool record_damage(const char *path, FILE *f);

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
