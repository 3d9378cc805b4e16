/*
 * sysheap.c - malloc behind the allocscope interface (see sysheap.h).
 */
#include "allocscope/sysheap.h"

#include <malloc.h>
#include <stdlib.h>

#define SYSHEAP_NATURAL_ALIGN 16
/* Requests above this cannot be backed by any real address space; they are
 * refused here rather than handed to malloc. */
#define SYSHEAP_MAX_REQUEST ((size_t)1 << 46)

static void *sys_alloc(void *ctx, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ctx, (void)ra;
    size_t align = (size_t)1 << align_log2;
    if (len > SYSHEAP_MAX_REQUEST)
        return NULL;
    if (align <= SYSHEAP_NATURAL_ALIGN)
        return malloc(len);
    void *p = NULL;
    if (posix_memalign(&p, align, len) != 0)
        return NULL;
    return p;
}

static bool sys_resize(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len, uintptr_t ra)
{
    (void)ctx, (void)len, (void)align_log2, (void)ra;
    return new_len <= malloc_usable_size(mem);
}

static void *sys_remap(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len, uintptr_t ra)
{
    if (sys_resize(ctx, mem, len, align_log2, new_len, ra))
        return mem;
    if (((size_t)1 << align_log2) > SYSHEAP_NATURAL_ALIGN || new_len > SYSHEAP_MAX_REQUEST)
        return NULL;
    return realloc(mem, new_len);
}

static void sys_free(void *ctx, void *mem, size_t len, uint8_t align_log2, uintptr_t ra)
{
    (void)ctx, (void)len, (void)align_log2, (void)ra;
    free(mem);
}

static const as_vtable sysheap_vtable = {sys_alloc, sys_resize, sys_remap, sys_free};

as_allocator sysheap_allocator(void) { return (as_allocator){NULL, &sysheap_vtable}; }
as_instance sysheap_instance(void) { return (as_instance){sysheap_allocator(), &sysheap_probe}; }

static void probe_inspect(const void *ctx, const as_inspector *in) { (void)ctx, (void)in; }

static as_free_verdict probe_judge(const void *ctx, const void *mem, size_t len, uint8_t al)
{
    (void)ctx, (void)mem, (void)len, (void)al;
    return AS_FREE_OK;
}

const as_probe sysheap_probe = {
    .kind = "heap",
    .inspect = probe_inspect,
    .judge_free = probe_judge,
};
