/*
 * stack.c - the LIFO stack allocator (see stack.h).
 *
 * Layout of one allocation, from the offset before it:
 *     [padding][header: u32 prev_offset, u32 prev_top][payload ...]
 * prev_offset is where the stack stood before this allocation, prev_top is
 * the payload offset of the block below plus one (0: none). The top block
 * is the one whose payload ends at the current offset.
 *
 * Invariants: following prev_top from the top visits blocks with strictly
 * decreasing payloads (so the walk ends); each header sits inside the span its
 * block took; the bottom block was allocated at offset 0.
 * A checkpoint holds the struct and the buffer up to the highest offset
 * ever reached (headers included): a save copies O(high-water mark).
 */
#include "allocscope/stack.h"

#include <stdlib.h>
#include <string.h>

typedef struct stack_header {
    uint32_t prev_offset;
    uint32_t prev_top;
} stack_header;

_Static_assert(sizeof(stack_header) == STACK_HEADER_SIZE, "header is 8 bytes");

/* offset and top are kept apart: stored side by side, the compiler merges
 * them into one 16-byte store, and the next call's 8-byte loads then miss
 * store forwarding. */
struct stack {
    unsigned char *buffer;
    size_t offset;
    size_t capacity;
    size_t top;        /* payload offset of the top block + 1; 0: empty */
    size_t out_of_order;
    as_event_sink sink;
    size_t high;       /* the highest offset before the last move back */
};

stack *stack_create(size_t capacity)
{
    if (capacity > UINT32_MAX)
        return NULL;
    stack *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->buffer = as_region_new(capacity, NULL);
    if (s->buffer == NULL) {
        free(s);
        return NULL;
    }
    s->capacity = capacity;
    return s;
}

void stack_destroy(stack *s)
{
    if (s == NULL)
        return;
    as_region_delete(s->buffer);
    free(s);
}

static stack_header header_at(const stack *s, size_t payload)
{
    stack_header h;
    memcpy(&h, s->buffer + payload - STACK_HEADER_SIZE, sizeof h);
    return h;
}

bool stack_is_top(const stack *s, const void *mem, size_t len)
{
    const unsigned char *p = mem;
    return s->top != 0 && p == s->buffer + (s->top - 1) && p + len == s->buffer + s->offset;
}

static void *stack_vt_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ra;
    stack *s = ctx;
    uintptr_t base = (uintptr_t)s->buffer, mask = ((uintptr_t)1 << align_log2) - 1;
    /* cannot wrap: the buffer is a real allocation, offset <= capacity */
    size_t payload = ((base + s->offset + STACK_HEADER_SIZE + mask) & ~mask) - base;
    if (payload > s->capacity || len > s->capacity - payload)
        return NULL;
    size_t end = payload + len;
    stack_header h = {(uint32_t)s->offset, (uint32_t)s->top};
    memcpy(s->buffer + payload - STACK_HEADER_SIZE, &h, sizeof h);
    s->offset = end;
    s->top = payload + 1;
    return s->buffer + payload;
}

/* Before the offset moves back: the bytes below it stay written. */
static void note_high(stack *s)
{
    if (s->offset > s->high)
        s->high = s->offset;
}

static bool stack_vt_resize(void *ctx, void *mem, size_t len, uint8_t align_log2,
                            size_t new_len, uintptr_t ra)
{
    (void)align_log2, (void)ra;
    stack *s = ctx;
    if (!stack_is_top(s, mem, len))
        return false;
    size_t end;
    if (!as_add(s->top - 1, new_len, &end) || end > s->capacity)
        return false;
    note_high(s);
    s->offset = end;
    return true;
}

static void *stack_vt_remap(void *ctx, void *mem, size_t len, uint8_t align_log2,
                            size_t new_len, uintptr_t ra)
{
    return stack_vt_resize(ctx, mem, len, align_log2, new_len, ra) ? mem : NULL;
}

static void stack_vt_free(void *ctx, void *mem, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)align_log2, (void)ra;
    stack *s = ctx;
    if (!stack_is_top(s, mem, len)) {
        s->out_of_order++;
        as_event ev = {.kind = AS_EV_OUT_OF_ORDER_FREE, .ptr = mem, .len = len};
        as_report(&s->sink, &ev);
        return;
    }
    /* the header is found from mem (equal to the top, just checked), so a
     * run of frees does not wait on each other's header loads */
    stack_header h;
    memcpy(&h, (unsigned char *)mem - STACK_HEADER_SIZE, sizeof h);
    note_high(s);
    s->offset = h.prev_offset;
    s->top = h.prev_top;
}

static const as_vtable stack_vtable = {stack_vt_alloc, stack_vt_resize, stack_vt_remap, stack_vt_free};

as_allocator stack_allocator(stack *s) { return (as_allocator){s, &stack_vtable}; }
as_instance stack_instance(stack *s) { return (as_instance){stack_allocator(s), &stack_probe}; }

void stack_reset(stack *s)
{
    note_high(s);
    s->offset = 0;
    s->top = 0;
}

size_t stack_offset(const stack *s) { return s->offset; }
size_t stack_capacity(const stack *s) { return s->capacity; }
/* Blocks on the stack, by walking the chain (each block takes at least
 * its header and a byte, which bounds a corrupt chain). */
size_t stack_depth(const stack *s)
{
    size_t n = 0, limit = s->offset / (STACK_HEADER_SIZE + 1) + 1;
    for (size_t top = s->top; top != 0 && n <= limit; top = header_at(s, top - 1).prev_top)
        n++;
    return n;
}
size_t stack_out_of_order_frees(const stack *s) { return s->out_of_order; }
void stack_set_sink(stack *s, as_event_sink sink) { s->sink = sink; }

const char *stack_check(const stack *s)
{
    if (s->offset > s->capacity)
        return "stack: offset past the end of the buffer";
    size_t payload_above = s->offset + 1, end = s->offset;
    for (size_t top = s->top; top != 0;) {
        size_t payload = top - 1;
        if (payload >= payload_above || payload < STACK_HEADER_SIZE || payload > end)
            return "stack: block chain out of order";
        stack_header h = header_at(s, payload);
        if (h.prev_offset > payload - STACK_HEADER_SIZE)
            return "stack: header outside the block's span";
        if (h.prev_top == 0 && h.prev_offset != 0)
            return "stack: bottom block not allocated at offset 0";
        payload_above = payload;
        end = h.prev_offset;
        top = h.prev_top;
    }
    if (s->top == 0 && s->offset != 0)
        return "stack: empty stack with a non-zero offset";
    return NULL;
}

/* Payload offsets from the bottom up (*n of them); NULL if none or no memory. */
static size_t *payloads_bottom_up(const stack *s, size_t *n)
{
    *n = stack_depth(s);
    if (*n == 0)
        return NULL;
    size_t *out = malloc(*n * sizeof *out);
    if (out == NULL)
        return NULL;
    size_t i = *n;
    for (size_t top = s->top; top != 0 && i > 0; top = header_at(s, top - 1).prev_top)
        out[--i] = top - 1;
    return out;
}

static void probe_inspect(const void *ctx, const as_inspector *in)
{
    const stack *s = ctx;
    as_emit_region(in, 0, s->buffer, s->capacity);
    as_span_writer out;
    as_writer_begin(&out, in);
    size_t depth;
    size_t *payloads = payloads_bottom_up(s, &depth);
    if (payloads == NULL && depth > 0) {
        as_write_span(&out, 0, 0, s->offset, AS_SPAN_LIVE, AS_META_NONE, s->buffer);
    } else {
        for (size_t i = 0; i < depth; i++) {
            size_t p = payloads[i];
            size_t end = i + 1 < depth ? header_at(s, payloads[i + 1]).prev_offset : s->offset;
            stack_header h = header_at(s, p);
            as_write_span(&out, 0, h.prev_offset, p - STACK_HEADER_SIZE - h.prev_offset,
                         AS_SPAN_PADDING, AS_META_NONE, NULL);
            as_write_span(&out, 0, p - STACK_HEADER_SIZE, STACK_HEADER_SIZE, AS_SPAN_META,
                         AS_META_HEADER, NULL);
            as_write_span(&out, 0, p, end - p, AS_SPAN_LIVE, AS_META_NONE, s->buffer + p);
        }
    }
    free(payloads);
    as_write_span(&out, 0, s->offset, s->capacity - s->offset, AS_SPAN_UNUSED, AS_META_NONE, NULL);
    as_write_marker(&out, AS_MARK_OFFSET, 0, s->offset);
    as_writer_end(&out);
}

static const char *probe_check(const void *ctx) { return stack_check(ctx); }

static as_free_verdict probe_judge(const void *ctx, const void *mem, size_t len, uint8_t al)
{
    (void)al;
    const stack *s = ctx;
    const unsigned char *p = mem;
    if (p < s->buffer || p >= s->buffer + s->capacity)
        return AS_FREE_NOT_OWNED;
    if (p >= s->buffer + s->offset)
        return AS_FREE_DOUBLE;
    return stack_is_top(s, mem, len) ? AS_FREE_OK : AS_FREE_OUT_OF_ORDER;
}

static bool probe_reset(void *ctx, as_reset_mode mode, size_t limit)
{
    (void)mode, (void)limit;
    stack_reset(ctx);
    return true;
}

static bool probe_offset(const void *ctx, size_t *out)
{
    *out = ((const stack *)ctx)->offset;
    return true;
}

static bool probe_locate(const void *ctx, const void *mem, as_location *out)
{
    const stack *s = ctx;
    const unsigned char *p = mem;
    if (p < s->buffer + STACK_HEADER_SIZE || p >= s->buffer + s->offset)
        return false;
    size_t payload = (size_t)(p - s->buffer);
    stack_header h = header_at(s, payload);
    if (h.prev_offset > payload - STACK_HEADER_SIZE)
        return false;
    *out = (as_location){0, payload, payload - STACK_HEADER_SIZE - h.prev_offset};
    return true;
}

static void probe_set_sink(void *ctx, as_event_sink sink) { stack_set_sink(ctx, sink); }
static void probe_destroy(void *ctx) { stack_destroy(ctx); }

/* ---- checkpoints: the struct and the buffer up to its high-water mark ---- */

static size_t high_water(const stack *s) { return s->offset > s->high ? s->offset : s->high; }

static bool probe_save(const void *ctx, const as_saver *w)
{
    const stack *s = ctx;
    return as_save(w, s, sizeof *s) && as_save_written(w, s->buffer, high_water(s));
}

/* The sink stays the one set now; bytes written since the checkpoint above
 * its high-water mark go back to the 0 of a fresh region. */
static bool probe_restore(void *ctx, const as_loader *r)
{
    stack *s = ctx, t;
    if (!as_load(r, &t, sizeof t) || t.buffer != s->buffer || t.capacity != s->capacity)
        return false;
    if (!as_load_written(r, s->buffer, high_water(&t), high_water(s)))
        return false;
    t.sink = s->sink;
    *s = t;
    return true;
}

const as_probe stack_probe = {
    .kind = "stack",
    .inspect = probe_inspect,
    .check = probe_check,
    .judge_free = probe_judge,
    .reset = probe_reset,
    .set_sink = probe_set_sink,
    .offset = probe_offset,
    .locate = probe_locate,
    .destroy = probe_destroy,
    .resize_hint = "only the most recent block can grow (and only within its buffer)",
    .save = probe_save,
    .restore = probe_restore,
};
