/*
 * lifo.c - the tutorial's exercise 3, a StackAllocator, as a plugin.
 *
 * A bump allocator that also takes LIFO frees: it keeps a small stack of
 * the blocks it handed out (where each started and where the offset stood
 * before it); a free of the top block rewinds the offset, a free out of
 * order prints a warning and does nothing. The stack lives at the start of
 * the region, so describe reports it as metadata (and the offset), and
 * check verifies it.
 *
 *     cc -shared -fPIC -o lifo.so lifo.c
 */
#include <stdio.h>
#include <string.h>

#include <allocscope/plugin.h>

#define MAX_BLOCKS 32

struct entry {
    size_t start;       /* where the block starts */
    size_t before;      /* the offset before it was allocated */
};

struct lifo {
    size_t capacity, offset, count;
    struct entry stack[MAX_BLOCKS];
};

static unsigned char *base;

static void *lifo_init(void *region, size_t size, const char *options)
{
    (void)options;
    if (size < sizeof(struct lifo) + 16)
        return NULL; /* no room for the stack itself */
    struct lifo *s = region;
    base = region;
    memset(s, 0, sizeof *s);
    s->capacity = size;
    s->offset = sizeof *s;
    return s;
}

static void *lifo_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ret_addr)
{
    (void)ret_addr;
    struct lifo *s = ctx;
    size_t align = (size_t)1 << align_log2;
    size_t start = (s->offset + align - 1) & ~(align - 1);
    if (s->count == MAX_BLOCKS || start > s->capacity || len > s->capacity - start)
        return NULL;
    s->stack[s->count++] = (struct entry){start, s->offset};
    s->offset = start + len;
    return base + start;
}

static bool is_top(const struct lifo *s, const void *mem, size_t len)
{
    size_t start = (size_t)((const unsigned char *)mem - base);
    return s->count > 0 && s->stack[s->count - 1].start == start && start + len == s->offset;
}

static bool lifo_resize(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len,
                        uintptr_t ret_addr)
{
    (void)align_log2, (void)ret_addr;
    struct lifo *s = ctx;
    size_t start = (size_t)((unsigned char *)mem - base);
    if (!is_top(s, mem, len) || new_len > s->capacity - start)
        return false;
    s->offset = start + new_len;
    return true;
}

static void *lifo_remap(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len,
                        uintptr_t ret_addr)
{
    return lifo_resize(ctx, mem, len, align_log2, new_len, ret_addr) ? mem : NULL;
}

static void lifo_free(void *ctx, void *mem, size_t len, uint8_t align_log2, uintptr_t ret_addr)
{
    (void)align_log2, (void)ret_addr;
    struct lifo *s = ctx;
    if (!is_top(s, mem, len)) {
        printf("lifo: free out of order (block at %zu), ignored\n",
               (size_t)((unsigned char *)mem - base));
        return;
    }
    s->offset = s->stack[--s->count].before;
}

static void lifo_describe(const void *ctx, asp_emit_fn emit, void *user)
{
    const struct lifo *s = ctx;
    emit(user, 0, sizeof *s, ASP_META_OTHER);
    for (size_t i = 0; i < s->count; i++)
        emit(user, s->stack[i].before, s->stack[i].start - s->stack[i].before, ASP_PADDING);
    emit(user, s->offset, 0, ASP_OFFSET);
}

static const char *lifo_check(const void *ctx)
{
    const struct lifo *s = ctx;
    if (s->offset < sizeof *s || s->offset > s->capacity)
        return "the offset is outside the buffer";
    for (size_t i = 0; i < s->count; i++) {
        size_t next = i + 1 < s->count ? s->stack[i + 1].before : s->offset;
        if (s->stack[i].start < s->stack[i].before || s->stack[i].start > next)
            return "the stack of blocks is out of order";
    }
    return NULL;
}

const asp_descriptor allocscope_plugin = {
    .version = ASP_VERSION,
    .name = "lifo-stack",
    .init = lifo_init,
    .alloc = lifo_alloc,
    .resize = lifo_resize,
    .remap = lifo_remap,
    .free = lifo_free,
    .describe = lifo_describe,
    .check = lifo_check,
};
