/*
 * crasher.c - a bump allocator that crashes on purpose: alloc of 24 bytes
 * writes through a NULL pointer (SIGSEGV), alloc of 25 bytes calls abort(),
 * and a free of a block of 7 bytes calls exit(3). Every other call works,
 * so the tests can check that allocscope carries on with the state from
 * before the crash. Each alloc says what it was asked.
 */
#include <stdio.h>
#include <stdlib.h>

#include <allocscope/plugin.h>

static struct {
    unsigned char *buffer;
    size_t len, offset;
} b;

static void *cr_init(void *region, size_t size, const char *options)
{
    (void)options;
    b.buffer = region;
    b.len = size;
    b.offset = 0;
    return &b;
}

static void *cr_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ctx, (void)ra;
    size_t align = (size_t)1 << align_log2;
    size_t start = (b.offset + align - 1) & ~(align - 1);
    if (start > b.len || len > b.len - start)
        return NULL;
    printf("alloc %zu;", len);
    b.offset = start + len; /* changed before the crash: the replay must undo it */
    b.buffer[start] = 0x5a;
    if (len == 24) {
        volatile int *nowhere = NULL;
        *nowhere = 1;
    }
    if (len == 25)
        abort();
    return b.buffer + start;
}

static bool cr_resize(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    (void)ctx, (void)mem, (void)len, (void)al, (void)new_len, (void)ra;
    return false;
}

static void *cr_remap(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    (void)ctx, (void)mem, (void)len, (void)al, (void)new_len, (void)ra;
    return NULL;
}

static void cr_free(void *ctx, void *mem, size_t len, uint8_t al, uintptr_t ra)
{
    (void)ctx, (void)mem, (void)al, (void)ra;
    if (len == 7)
        exit(3);
}

const asp_descriptor allocscope_plugin = {
    .version = ASP_VERSION, .name = "crasher", .init = cr_init,
    .alloc = cr_alloc, .resize = cr_resize, .remap = cr_remap, .free = cr_free,
};
