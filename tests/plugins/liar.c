/*
 * liar.c - an allocator that breaks one promise, chosen by its options:
 *   "misalign"  every block starts one byte past the alignment asked for
 *   "outside"   the third alloc returns the byte just past the region
 *   "metadata"  keeps a 64-byte header at the region's start (described as
 *               metadata) and the third alloc returns a pointer into it
 *   "neighbour" free writes a "next" link 8 bytes past the end of the
 *               block: into the neighbour's first bytes
 *   "describe"  describes a span past the end of the region
 *   "move"      remap always moves the block to the offset, copying it
 *   "lose"      the same, but forgets to copy the contents
 *   "check"     its invariant check always fails
 *   "crash-init" init writes through a NULL pointer
 *   "forgetful" not deterministic: its blocks start 64 bytes later in any
 *               child after the first (it leaves a file in /tmp to know),
 *               and alloc of 24 bytes crashes, so the replay goes wrong
 *   "fail"      init fails (for the bad-input tests)
 * Otherwise it is a bump allocator with the header as in "metadata".
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <allocscope/plugin.h>

#define HEADER 64

static struct {
    unsigned char *buffer;
    size_t len, offset, allocs;
    char mode[16];
} b;

static void *li_init(void *region, size_t size, const char *options)
{
    if (strcmp(options, "fail") == 0 || size < 2 * HEADER)
        return NULL;
    b.buffer = region;
    b.len = size;
    b.offset = HEADER;
    b.allocs = 0;
    strncpy(b.mode, options, sizeof b.mode - 1);
    if (!strcmp(options, "crash-init")) {
        volatile int *nowhere = NULL;
        *nowhere = 1;
    }
    if (!strcmp(options, "forgetful")) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/allocscope-liar-%d", (int)getppid());
        FILE *f = fopen(path, "r");
        if (f) {
            fclose(f);
            b.offset += 64;
        } else if ((f = fopen(path, "w")) != NULL) {
            fclose(f);
        }
    }
    memcpy(region, "liar header", 12);
    return &b;
}

static void *li_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ctx, (void)ra;
    size_t align = (size_t)1 << align_log2;
    size_t start = (b.offset + align - 1) & ~(align - 1);
    if (start >= b.len || len > b.len - start - 1)
        return NULL;
    b.allocs++;
    if (len == 24 && !strcmp(b.mode, "forgetful")) {
        volatile int *nowhere = NULL;
        *nowhere = 1;
    }
    if (!strcmp(b.mode, "misalign"))
        start++;
    b.offset = start + len;
    if (b.allocs == 3 && !strcmp(b.mode, "outside"))
        return b.buffer + b.len;
    if (b.allocs == 3 && !strcmp(b.mode, "metadata"))
        return b.buffer + 16;
    return b.buffer + start;
}

static bool li_resize(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    (void)ctx, (void)mem, (void)len, (void)al, (void)new_len, (void)ra;
    return false;
}

static void *li_remap(void *ctx, void *mem, size_t len, uint8_t al, size_t new_len, uintptr_t ra)
{
    bool copy = !strcmp(b.mode, "move");
    if (!copy && strcmp(b.mode, "lose"))
        return NULL;
    unsigned char *to = li_alloc(ctx, new_len, al, ra);
    if (to && copy)
        memcpy(to, mem, len < new_len ? len : new_len);
    return to;
}

static void li_free(void *ctx, void *mem, size_t len, uint8_t al, uintptr_t ra)
{
    (void)ctx, (void)al, (void)ra;
    if (!strcmp(b.mode, "neighbour")) {
        unsigned char *link = (unsigned char *)mem + len + 8; /* BUG: meant mem */
        memset(link, 0xee, 8);
    }
}

static void li_describe(const void *ctx, asp_emit_fn emit, void *user)
{
    (void)ctx;
    emit(user, 0, HEADER, ASP_META_HEADER);
    if (!strcmp(b.mode, "describe"))
        emit(user, b.len - 4, 8, ASP_META_OTHER);
    emit(user, b.offset, 0, ASP_OFFSET);
}

static const char *li_check(const void *ctx)
{
    (void)ctx;
    return strcmp(b.mode, "check") ? NULL : "the offset is a lie";
}

const asp_descriptor allocscope_plugin = {
    .version = ASP_VERSION, .name = "liar", .init = li_init,
    .alloc = li_alloc, .resize = li_resize, .remap = li_remap, .free = li_free,
    .describe = li_describe, .check = li_check,
};
