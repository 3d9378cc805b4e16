/*
 * evidence.h - what the active allocator's spans say about particular
 * bytes, for whoever has to back a sentence with a fact: the role of a
 * byte range, the slack handed out with each block, the damaged guard and
 * poison bytes a debug allocator keeps as evidence. Read-only over the
 * session: one inspection per call, through the probe (no allocator is
 * named here).
 */
#ifndef ALLOCSCOPE_EVIDENCE_H
#define ALLOCSCOPE_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocscope/allocator.h"
#include "allocscope/session.h"

/* The spans of the active allocator, in the order inspect gave them. */
typedef struct evidence {
    as_span *spans;
    size_t count, cap;
    as_span *slack;          /* the slack spans, by block pointer */
    size_t slack_count;
    bool failed;             /* out of memory while collecting */
} evidence;

/* Collects the active allocator's spans (none without one); false when out
 * of memory. Free with evidence_free. */
bool evidence_collect(const session *s, evidence *ev);
void evidence_free(evidence *ev);

/* The kind of every byte of [offset, offset + len) of region: true and
 * *kind if they all have the same kind; false (and *kind the first byte's)
 * if they differ or some byte lies outside the spans (*kind then
 * AS_SPAN_KIND_COUNT). */
bool evidence_range_kind(const evidence *ev, uint32_t region, size_t offset, size_t len, as_span_kind *kind);

/* Bytes of slack handed out with the block at ptr (O(log n)). */
size_t evidence_slack_of(const evidence *ev, const void *ptr);

/* One run of damaged bytes, told against its block. */
typedef struct evidence_damage {
    uint32_t region;
    size_t offset, len;       /* in the region */
    const void *block;        /* its block's pointer (NULL: unknown) */
    size_t from_block;        /* its first byte, from the block's start */
} evidence_damage;

/* The i-th damaged run (in span order); false past the last. */
bool evidence_damage_at(const evidence *ev, size_t i, evidence_damage *out);
/* How many damaged runs there are, and their bytes (if bytes). */
size_t evidence_damage_count(const evidence *ev, size_t *bytes);

#endif
