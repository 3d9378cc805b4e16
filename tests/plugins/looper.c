/*
 * looper.c - a bump allocator whose alloc loops forever for requests of
 * 1000 bytes or more (a search that never ends), for the time limit.
 */
#include <allocscope/plugin.h>

static struct {
    unsigned char *buffer;
    size_t len, offset;
} b;

static void *lo_init(void *region, size_t size, const char *options)
{
    (void)options;
    b.buffer = region;
    b.len = size;
    b.offset = 0;
    return &b;
}

static void *lo_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ctx, (void)ra;
    size_t align = (size_t)1 << align_log2;
    size_t start = (b.offset + align - 1) & ~(align - 1);
    while (len >= 1000) /* BUG: looks for room that is never found */
        start = (start + align) % (b.len + 1);
    if (start > b.len || len > b.len - start)
        return NULL;
    b.offset = start + len;
    return b.buffer + start;
}

static bool lo_resize(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    (void)ctx, (void)mem, (void)len, (void)al, (void)new_len, (void)ra;
    return false;
}

static void *lo_remap(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    (void)ctx, (void)mem, (void)len, (void)al, (void)new_len, (void)ra;
    return NULL;
}

static void lo_free(void *ctx, void *mem, size_t len, uint8_t al, uintptr_t ra)
{
    (void)ctx, (void)mem, (void)len, (void)al, (void)ra;
}

const asp_descriptor allocscope_plugin = {
    .version = ASP_VERSION, .name = "looper", .init = lo_init,
    .alloc = lo_alloc, .resize = lo_resize, .remap = lo_remap, .free = lo_free,
};
