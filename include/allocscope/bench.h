/*
 * bench.h - `allocscope bench` and `make bench`: the tutorial's last lesson
 * measured. Each workload runs on the project's allocators and, in the
 * same run, on the system's malloc/free; each (allocator, workload) pair
 * gets a fresh state. Times are the median and minimum of at least 10
 * timed batches after a warm-up, ratios are against malloc, and the goals
 * of the issue are checked and printed, met or not.
 */
#ifndef ALLOCSCOPE_BENCH_H
#define ALLOCSCOPE_BENCH_H

/* argv[0] is "bench"; then an optional workload (W1..W5, scale, all) and
 * --json. Also: bench --count KIND N, the fixed loop that
 * make bench-instructions runs under callgrind. Returns the exit status. */
int bench_main(int argc, char **argv);

#endif
