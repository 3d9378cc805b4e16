/*
 * bench_scale.h - the scale figures that `allocscope bench scale` reports
 * beside the allocator figures: headless replay speed, frame drawing cost,
 * stepping back in a long scene, and session memory per block.
 */
#ifndef ALLOCSCOPE_BENCH_SCALE_H
#define ALLOCSCOPE_BENCH_SCALE_H

#include <stdbool.h>

void bench_scale(bool json);

#endif
