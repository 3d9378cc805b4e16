/*
 * buggy_resize.c - exercise 1 with a classic bug: resize of the last block
 * says yes but forgets to move the offset when the block grows. The next
 * alloc hands out bytes the grown block now owns: allocscope reports an
 * overlap at that alloc, naming the resize that grew the block.
 */
#include <allocscope/plugin.h>

static struct {
    unsigned char *buffer;
    size_t len, offset;
} b;

static void *bb_init(void *region, size_t size, const char *options)
{
    (void)options;
    b.buffer = region;
    b.len = size;
    b.offset = 0;
    return &b;
}

static void *bb_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ctx, (void)ra;
    size_t align = (size_t)1 << align_log2;
    size_t start = (b.offset + align - 1) & ~(align - 1);
    if (start > b.len || len > b.len - start)
        return NULL;
    b.offset = start + len;
    return b.buffer + start;
}

static bool bb_resize(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len, uintptr_t ra)
{
    (void)ctx, (void)align_log2, (void)ra;
    size_t start = (size_t)((unsigned char *)mem - b.buffer);
    if (new_len > b.len - start)
        return false;
    if (start + len != b.offset)
        return false;
    if (new_len < len) /* BUG: only a shrink moves the offset; a grow forgets to */
        b.offset = start + new_len;
    return true;
}

static void *bb_remap(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    return bb_resize(ctx, mem, len, al, new_len, ra) ? mem : NULL;
}

static void bb_free(void *ctx, void *mem, size_t len, uint8_t al, uintptr_t ra)
{
    (void)ctx, (void)mem, (void)len, (void)al, (void)ra;
}

const asp_descriptor allocscope_plugin = {
    .version = ASP_VERSION, .name = "buggy-resize", .init = bb_init,
    .alloc = bb_alloc, .resize = bb_resize, .remap = bb_remap, .free = bb_free,
};
