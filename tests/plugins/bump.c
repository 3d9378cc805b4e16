/*
 * bump.c - the tutorial's BumpAllocator as an allocscope plugin, with
 * exercise 1: resize works for the most recent allocation.
 *
 * One offset that only moves forward; free is a no-op; the state lives in
 * this process (a static struct), not in the region, so there is no
 * describe: allocscope draws the map from the blocks it saw.
 *
 *     cc -shared -fPIC -o bump.so bump.c
 */
#include <allocscope/plugin.h>

static struct bump {
    unsigned char *buffer;
    size_t len, offset, allocations;
} state;

static void *bump_init(void *region, size_t size, const char *options)
{
    (void)options;
    state.buffer = region;
    state.len = size;
    state.offset = state.allocations = 0;
    return &state;
}

static void *bump_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ret_addr)
{
    (void)ret_addr;
    struct bump *b = ctx;
    size_t align = (size_t)1 << align_log2;
    size_t start = (b->offset + align - 1) & ~(align - 1);
    if (start > b->len || len > b->len - start)
        return NULL; /* out of memory */
    b->offset = start + len;
    b->allocations++;
    return b->buffer + start;
}

/* Exercise 1: only the last block can change size. */
static bool bump_resize(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len,
                        uintptr_t ret_addr)
{
    (void)align_log2, (void)ret_addr;
    struct bump *b = ctx;
    size_t start = (size_t)((unsigned char *)mem - b->buffer);
    if (start + len != b->offset || new_len > b->len - start)
        return false;
    b->offset = start + new_len;
    return true;
}

static void *bump_remap(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len,
                        uintptr_t ret_addr)
{
    return bump_resize(ctx, mem, len, align_log2, new_len, ret_addr) ? mem : NULL;
}

static void bump_free(void *ctx, void *mem, size_t len, uint8_t align_log2, uintptr_t ret_addr)
{
    (void)ctx, (void)mem, (void)len, (void)align_log2, (void)ret_addr; /* everything goes at reset */
}

const asp_descriptor allocscope_plugin = {
    .version = ASP_VERSION,
    .name = "tutorial-bump",
    .init = bump_init,
    .alloc = bump_alloc,
    .resize = bump_resize,
    .remap = bump_remap,
    .free = bump_free,
};
