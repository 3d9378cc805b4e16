/*
 * checkpoint.h - checkpoints of a session: its whole state kept aside so
 * that going back to it later costs a copy, not a replay from the start.
 *
 * A checkpoint is the sequence of byte ranges the session and its
 * allocators save (as_saver, allocator.h). The store keeps them in pages
 * of 4 KiB and shares every page that is byte-identical with the same page
 * of the checkpoint taken just before, so a table that only grew, or a
 * heap of which a corner changed, costs only its new pages. Restoring
 * copies the pages back into the same session (session_restore).
 *
 * Cost: taking one reads every saved byte once (a compare with the last
 * checkpoint) and copies the pages that differ; restoring copies every
 * saved byte once. Memory: the distinct pages, counted by ckpt_store_bytes.
 */
#ifndef ALLOCSCOPE_CHECKPOINT_H
#define ALLOCSCOPE_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "allocscope/session.h"

typedef struct ckpt_store ckpt_store;
typedef struct ckpt ckpt;

ckpt_store *ckpt_store_create(void);
/* Destroys the store; every checkpoint of it must have been released. */
void ckpt_store_destroy(ckpt_store *st);
/* Bytes held by the store's pages (shared pages counted once). */
size_t ckpt_store_bytes(const ckpt_store *st);

/* A checkpoint of s now; NULL if s cannot be saved (an allocator without
 * checkpoints, e.g. a plugin in its own process) or out of memory. */
ckpt *ckpt_take(ckpt_store *st, const session *s);
/* Puts s back to the state c was taken from (see session_restore): true
 * on success; false if c does not belong to s (its allocators were
 * replaced since) - then s is unchanged - or if an allocator refused,
 * and then s must be discarded. *unchanged tells the two apart. */
bool ckpt_restore(const ckpt *c, session *s, bool *unchanged);
/* Releases c: its pages go when no other checkpoint shares them. */
void ckpt_release(ckpt *c);

#endif
