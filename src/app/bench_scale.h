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

#endif
