/*
 * blockindex.c - pointer -> session block index (see blockindex.h).
 */
#include "allocscope/blockindex.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    const void *ptr;
    int32_t index;
} entry;

/* Blocks list[first, end) whose pointers never descend. */
typedef struct run {
    size_t first, end;
} run;

#define MAX_RUNS 64

struct block_index {
    /* what the entries were taken from: any change but appends starts over */
    const session *s;
    size_t active;
    uint64_t epoch;
    size_t count;
    entry *list;             /* every block, in allocation order */
    size_t list_cap;
    run runs[MAX_RUNS];      /* sorted by address, never overlapping */
    size_t run_count;
    size_t tail;             /* the run holding the newest block */
    bool hashed;             /* too many runs or overlapping ones: use the table */
    entry *table;            /* open addressing, at most half full */
    size_t table_cap;
};

block_index *block_index_new(void) { return calloc(1, sizeof(block_index)); }

void block_index_free(block_index *ix)
{
    if (ix == NULL)
        return;
    free(ix->list);
    free(ix->table);
    free(ix);
}

size_t block_index_count(const block_index *ix) { return ix->count; }

bool block_index_hashed(const block_index *ix) { return ix->hashed; }

static void start_over(block_index *ix, const session *s)
{
    ix->s = s;
    ix->active = session_active_index(s);
    ix->epoch = session_blocks_epoch(s);
    ix->count = 0;
    ix->run_count = 0;
    ix->hashed = false;
}

/* The entries still describe the session's first ix->count blocks. */
static bool still_valid(const block_index *ix, const session *s, size_t n)
{
    if (ix->s != s || ix->active != session_active_index(s) || ix->epoch != session_blocks_epoch(s) ||
        ix->count > n)
        return false;
    /* a session rebuilt at the same address replays onto fresh memory */
    bool live;
    return ix->count == 0 || (session_block_ptr_at(s, 0, &live) == ix->list[0].ptr &&
                              session_block_ptr_at(s, ix->count - 1, &live) == ix->list[ix->count - 1].ptr);
}

static void table_put(entry *table, size_t cap, entry e)
{
    if (e.ptr == NULL)
        return;
    size_t k = as_hash_ptr(e.ptr, cap);
    while (table[k].ptr != NULL && table[k].ptr != e.ptr)
        k = (k + 1) & (cap - 1);
    table[k] = e; /* the newest block with this pointer wins */
}

/* Puts list[0, n) into a table with room for n blocks at half load. */
static bool fill_table(block_index *ix, size_t n)
{
    size_t cap = ix->table_cap ? ix->table_cap : 64;
    while (cap < 2 * n)
        cap *= 2;
    if (cap != ix->table_cap) {
        entry *grown = realloc(ix->table, cap * sizeof *grown);
        if (grown == NULL)
            return false;
        ix->table = grown;
        ix->table_cap = cap;
    }
    memset(ix->table, 0, cap * sizeof *ix->table);
    for (size_t i = 0; i < n; i++)
        table_put(ix->table, cap, ix->list[i]);
    ix->hashed = true;
    return true;
}

static int by_address(const void *x, const void *y, void *list)
{
    const entry *l = list;
    uintptr_t a = (uintptr_t)l[((const run *)x)->first].ptr;
    uintptr_t b = (uintptr_t)l[((const run *)y)->first].ptr;
    return (a > b) - (a < b);
}

/* Sorts the runs by address; false if two overlap. Keeps track of the run
 * that holds the newest block. */
static bool order_runs(block_index *ix, size_t newest)
{
    qsort_r(ix->runs, ix->run_count, sizeof *ix->runs, by_address, ix->list);
    for (size_t r = 0; r < ix->run_count; r++) {
        if (r > 0 && (uintptr_t)ix->list[ix->runs[r].first].ptr <= (uintptr_t)ix->list[ix->runs[r - 1].end - 1].ptr)
            return false;
        if (ix->runs[r].end == newest + 1)
            ix->tail = r;
    }
    return true;
}

/* Appends list[from, n) to the runs; false if they no longer fit as runs. */
static bool extend_runs(block_index *ix, size_t from, size_t n)
{
    for (size_t i = from; i < n; i++) {
        if (ix->run_count > 0 && (uintptr_t)ix->list[i].ptr >= (uintptr_t)ix->list[i - 1].ptr) {
            ix->runs[ix->tail].end = i + 1;
            continue;
        }
        if (ix->run_count == MAX_RUNS)
            return false;
        ix->tail = ix->run_count;
        ix->runs[ix->run_count++] = (run){i, i + 1};
    }
    return order_runs(ix, n - 1);
}

bool block_index_sync(block_index *ix, const session *s)
{
    size_t n = session_block_count(s);
    if (!still_valid(ix, s, n))
        start_over(ix, s);
    size_t from = ix->count;
    if (from == n)
        return true;
    if (n > ix->list_cap) {
        size_t cap = ix->list_cap ? ix->list_cap : 256;
        while (cap < n)
            cap *= 2;
        entry *grown = realloc(ix->list, cap * sizeof *grown);
        if (grown == NULL) {
            start_over(ix, s);
            return false;
        }
        ix->list = grown;
        ix->list_cap = cap;
    }
    for (size_t i = from; i < n; i++) {
        bool live;
        ix->list[i] = (entry){session_block_ptr_at(s, i, &live), (int32_t)i};
    }
    ix->count = n;
    bool ok = true;
    if (ix->hashed) {
        if (2 * n > ix->table_cap)
            ok = fill_table(ix, n);
        else
            for (size_t i = from; i < n; i++)
                table_put(ix->table, ix->table_cap, ix->list[i]);
    } else if (!extend_runs(ix, from, n)) {
        ok = fill_table(ix, n);
    }
    if (!ok)
        start_over(ix, s);
    return ok;
}

static int32_t find_in_run(const block_index *ix, const run *r, const void *ptr)
{
    size_t lo = r->first, hi = r->end;
    while (lo < hi) { /* the last entry at or below ptr: the newest of equals */
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)ix->list[mid].ptr <= (uintptr_t)ptr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > r->first && ix->list[lo - 1].ptr == ptr ? ix->list[lo - 1].index : -1;
}

int32_t block_index_find(const block_index *ix, const void *ptr)
{
    if (ptr == NULL || ix->count == 0)
        return -1;
    if (ix->hashed) {
        for (size_t k = as_hash_ptr(ptr, ix->table_cap);; k = (k + 1) & (ix->table_cap - 1)) {
            if (ix->table[k].ptr == NULL)
                return -1;
            if (ix->table[k].ptr == ptr)
                return ix->table[k].index;
        }
    }
    size_t lo = 0, hi = ix->run_count; /* the last run starting at or below ptr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)ix->list[ix->runs[mid].first].ptr <= (uintptr_t)ptr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 ? find_in_run(ix, &ix->runs[lo - 1], ptr) : -1;
}
