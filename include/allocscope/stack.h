/*
 * stack.h - the LIFO stack allocator of the tutorial's third exercise.
 *
 * A bump allocator with an 8-byte header before every block recording the
 * offset before the allocation and where the previous block starts. Freeing
 * the top block rewinds to where the stack was before it (padding and header
 * included); freeing any other block is reported as out of order and
 * ignored. Whether a block is the top is decided from its end and the
 * current offset. Capacity is limited to 4 GiB - 1 (the header holds 32-bit
 * offsets).
 */
#ifndef ALLOCSCOPE_STACK_H
#define ALLOCSCOPE_STACK_H

#include "allocscope/allocator.h"

#define STACK_HEADER_SIZE 8

typedef struct stack stack;

stack *stack_create(size_t capacity);
void stack_destroy(stack *s);

as_allocator stack_allocator(stack *s);
as_instance stack_instance(stack *s);
extern const as_probe stack_probe;

void stack_reset(stack *s);
size_t stack_offset(const stack *s);
size_t stack_capacity(const stack *s);
size_t stack_depth(const stack *s);
/* True iff mem..mem+len ends exactly at the current offset. */
bool stack_is_top(const stack *s, const void *mem, size_t len);
/* Frees that were refused because they were out of order. */
size_t stack_out_of_order_frees(const stack *s);
void stack_set_sink(stack *s, as_event_sink sink);
const char *stack_check(const stack *s);

#endif
