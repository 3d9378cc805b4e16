/*
 * plugin.h - write your own allocator and let allocscope watch it.
 *
 * The whole contract between allocscope and an allocator you wrote, in C,
 * Zig or anything that can export a C symbol. Nothing else of allocscope is
 * needed: include this one header, build a shared library, and export one
 * constant named `allocscope_plugin` (ASP_DESCRIPTOR_SYMBOL):
 *
 *     #include <allocscope/plugin.h>
 *     static void *my_init(void *region, size_t size, const char *options) { ... }
 *     ...
 *     const asp_descriptor allocscope_plugin = {
 *         .version = ASP_VERSION, .name = "my-bump", .init = my_init,
 *         .alloc = my_alloc, .resize = my_resize, .remap = my_remap, .free = my_free,
 *     };
 *
 *     cc -shared -fPIC -o my_bump.so my_bump.c
 *
 * How it runs. allocscope starts a child process, loads the library there
 * and calls init once with a region of `size` zeroed bytes, aligned to 4096.
 * Every byte your allocator hands out must come from that region: allocscope
 * maps the same memory at the same address, so it can draw it and check each
 * pointer you return. Keep your bookkeeping wherever you like: in globals,
 * in malloc'd memory of the child, or inside the region (then tell
 * allocscope about it through describe, so it is drawn as metadata).
 *
 * What is checked after every call, each broken promise being reported
 * with the call that broke it:
 *   - a returned block lies inside the region and is aligned as asked;
 *   - it overlaps no live block (a resize that grew a block in place and
 *     later hands the same bytes out again is caught here);
 *   - it overlaps none of the metadata that describe reports;
 *     (a block that breaks one of these is refused: the call fails as if
 *     you had returned NULL / false, though your allocator believes it
 *     handed the block out)
 *   - the bytes of every other live block are unchanged (a free that writes
 *     a link into its neighbour is caught here), and resize / remap keep
 *     the block's contents (reported; the call stands).
 * A crash (SIGSEGV, abort, ...) or a call that does not return in time is
 * reported too, and allocscope carries on with the state before that call:
 * it restarts the child and replays your calls, so your allocator must
 * answer the same calls the same way (no clocks, no randomness).
 *
 * The entries have exactly the meaning of Zig's std.mem.Allocator vtable
 * (and of allocscope's own allocators): alignment is passed as log2 (0 to
 * 12), ret_addr is always 0 here.
 */
#ifndef ALLOCSCOPE_PLUGIN_H
#define ALLOCSCOPE_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this contract; a library built against another is refused. */
#define ASP_VERSION 1u
/* The name of the one symbol a plugin exports (an asp_descriptor). */
#define ASP_DESCRIPTOR_SYMBOL "allocscope_plugin"

/* What a span that describe reports is. Bytes it does not mention are drawn
 * from what allocscope knows: live blocks, freed blocks, and unused (never
 * handed out). */
typedef enum asp_span_kind {
    ASP_META_HEADER = 1,   /* a block header */
    ASP_META_LINK = 2,     /* a free-list link kept inside a free block */
    ASP_META_OTHER = 3,    /* any other bookkeeping: a table, a bitmap, your state */
    ASP_FREE = 4,          /* free and ready to be handed out again */
    ASP_PADDING = 5,       /* skipped to align a block */
    ASP_OFFSET = 6,        /* not bytes: the bump offset (len is ignored) */
} asp_span_kind;

/* describe calls this once per span; offsets are from the region's start. */
typedef void (*asp_emit_fn)(void *user, size_t offset, size_t len, asp_span_kind kind);

typedef struct asp_descriptor {
    /* Must be ASP_VERSION. */
    uint32_t version;
    /* Shown in allocscope; a short word such as "my-bump". */
    const char *name;
    /* Called once, before anything else, with the region to manage (zeroed)
     * and the options the user typed after the size (never NULL, maybe "").
     * Returns the ctx passed to every other entry; NULL means init failed
     * (bad options, region too small) and the plugin is not loaded. */
    void *(*init)(void *region, size_t size, const char *options);
    /* len bytes aligned to 1 << align_log2, or NULL when out of memory.
     * len > 0. */
    void *(*alloc)(void *ctx, size_t len, uint8_t align_log2, uintptr_t ret_addr);
    /* Grow or shrink mem (len bytes, from alloc) to new_len in place; true
     * iff done. Return false when you cannot: nothing changes then. */
    bool (*resize)(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len,
                   uintptr_t ret_addr);
    /* Like resize, but may move the block (copying its contents). Returns
     * the block's new address, or NULL (nothing changed): the caller then
     * allocates, copies and frees itself. */
    void *(*remap)(void *ctx, void *mem, size_t len, uint8_t align_log2, size_t new_len,
                   uintptr_t ret_addr);
    /* Gives mem back; len and align_log2 are those it was allocated with. */
    void (*free)(void *ctx, void *mem, size_t len, uint8_t align_log2, uintptr_t ret_addr);

    /* Optional (may be NULL): report your own spans of the region through
     * emit: metadata, free structures, padding, the bump offset. Do not
     * report live blocks: allocscope knows them. Without it, the bytes you
     * never handed out are drawn as unknown (allocscope cannot tell free
     * space from your bookkeeping); with it, those you do not mention are
     * unused. */
    void (*describe)(const void *ctx, asp_emit_fn emit, void *user);
    /* Optional: NULL iff every invariant of your allocator holds, else a
     * sentence naming the first broken one. */
    const char *(*check)(const void *ctx);
} asp_descriptor;

#ifdef __cplusplus
}
#endif

#endif
