/*
 * bench_scale.h - the scale figures that `allocscope bench scale` reports
 * beside the allocator figures: headless replay speed, frame drawing cost,
 * stepping back in a long scene, and session memory per block.
 */
#ifndef ALLOCSCOPE_BENCH_SCALE_H
#define ALLOCSCOPE_BENCH_SCALE_H

#include <stdbool.h>

/* Prints the figures; in JSON, as objects of the array the caller opened
 * (*first: no object has been printed into it yet). */
void bench_scale(bool json, bool *first);
/* The trace figures alone (part of bench_scale; `allocscope bench traces`):
 * 10M-operation replays, name reuse, failures, the library at scale. */
void bench_scale_traces(bool json, bool *first);
/* For counting instructions (make bench-instructions): draws `frames`
 * frames of 200x50 over 100,000 blocks of the allocator that `create`
 * makes (a `new ...` command). Returns an exit status. */
int bench_frames(const char *create, int frames);

#endif
