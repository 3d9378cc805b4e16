/*
 * kinds.c - the table of allocator kinds and the factory (see kinds.h).
 */
#include "allocscope/kinds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocscope/arena.h"
#include "allocscope/buddy.h"
#include "allocscope/bump.h"
#include "allocscope/counting.h"
#include "allocscope/debug.h"
#include "allocscope/fixed.h"
#include "allocscope/glibc.h"
#include "allocscope/parse.h"
#include "allocscope/plugin_host.h"
#include "allocscope/pool.h"
#include "allocscope/record.h"
#include "allocscope/stack.h"
#include "allocscope/sysheap.h"

static bool build_bump(const kind_spec *sp, kind_built *out, strbuf *err);
static bool build_fixed(const kind_spec *sp, kind_built *out, strbuf *err);
static bool build_stack(const kind_spec *sp, kind_built *out, strbuf *err);
static bool build_arena(const kind_spec *sp, kind_built *out, strbuf *err);
static bool build_pool(const kind_spec *sp, kind_built *out, strbuf *err);
static bool build_debug(const kind_spec *sp, kind_built *out, strbuf *err);
static bool build_debug_bump(const kind_spec *sp, kind_built *out, strbuf *err);
static bool build_counting(const kind_spec *sp, kind_built *out, strbuf *err);
static bool build_freelist(const kind_spec *sp, kind_built *out, strbuf *err);
static bool build_buddy(const kind_spec *sp, kind_built *out, strbuf *err);
static bool build_plugin(const kind_spec *sp, kind_built *out, strbuf *err);
static bool build_glibc(const kind_spec *sp, kind_built *out, strbuf *err);

/* the option words of a row, a NULL-terminated list */
#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_WORDS ((const char *const[]){NULL})

/* name, default size (pool: of an item; arena: none, it grows), constructor,
 * what it can do, option words, help */
#define KIND_TABLE(X)                                                                                   \
    X("bump", 4096, build_bump, KIND_CAN_BACK, WORDS("resize-last"),                                    \
      "the tutorial's bump: one buffer, an offset that only moves forward, no resize; "                 \
      "resize-last: exercise 1's, whose most recent block resizes")                                     \
    X("fixed", 1024, build_fixed, KIND_CAN_BACK, NO_WORDS,                                              \
      "Zig's FixedBufferAllocator: a bump that reclaims its most recent block")                         \
    X("stack", 1024, build_stack, KIND_CAN_BACK, NO_WORDS,                                              \
      "blocks with a header, freed in reverse order only (LIFO)")                                       \
    X("arena", 0, build_arena, KIND_OVER | KIND_RESET_MODES, WORDS("over"),                             \
      "Zig's ArenaAllocator: chunks from a backing allocator, all released at once")                    \
    X("pool", 24, build_pool, KIND_RESET_MODES | KIND_TYPED, WORDS("align", "capacity"),                \
      "Zig's MemoryPool: slots of one size in slabs, reused last-freed first")                          \
    X("debug", 8192, build_debug, KIND_WRAPS | KIND_OVER, WORDS("over", "limit"),                       \
      "a debug allocator over another (guards, poison, quarantine): double frees, overflows, leaks")     \
    X("debug-bump", 8192, build_debug_bump, KIND_WRAPS, NO_WORDS,                                       \
      "the tutorial's DebugBumpAllocator as written: a bump with records, no guards; "                  \
      "peak = the highest offset")                                                                      \
    X("counting", 4096, build_counting, KIND_WRAPS | KIND_OVER, WORDS("over"),                          \
      "counts the calls and bytes that pass through it to another allocator")                           \
    X("freelist", 4096, build_freelist, KIND_CAN_BACK, WORDS("first-fit", "best-fit", "next-fit", "grow"), \
      "a general-purpose free list: headers, coalescing, a choice of fit")                              \
    X("buddy", 1024, build_buddy, KIND_CAN_BACK, NO_WORDS,                                              \
      "power-of-two blocks, split in halves and merged with their buddy")                               \
    X("plugin", 4096, build_plugin, KIND_LIBRARY, NO_WORDS,                                             \
      "an allocator you wrote, from a shared library (plugin.h): new plugin PATH.so [SIZE] [words]") \
    X("glibc", 0, build_glibc, KIND_LIBRARY, NO_WORDS,                                                  \
      "the heap as glibc laid it out for a recorded program: new glibc FILE.rec (allocscope record)")

const kind_row kind_rows[] = {
#define KIND_X(name, size, build, can, options, help) {name, size, build, can, options, help},
    KIND_TABLE(KIND_X)
#undef KIND_X
};
const size_t kind_count = sizeof kind_rows / sizeof kind_rows[0];

const char *const kind_names[] = {
#define KIND_X(name, size, build, can, options, help) name,
    KIND_TABLE(KIND_X)
#undef KIND_X
};

const kind_row *kind_find(const char *name)
{
    for (size_t i = 0; name && i < kind_count; i++)
        if (parse_is(name, kind_rows[i].name))
            return &kind_rows[i];
    return NULL;
}

bool kind_takes(const kind_row *k, const char *word)
{
    for (const char *const *o = k->options; *o; o++)
        if (parse_is(word, *o))
            return true;
    return false;
}

void kind_list(unsigned can, const char *conj, strbuf *out)
{
    size_t total = 0, seen = 0;
    for (size_t i = 0; i < kind_count; i++)
        total += (kind_rows[i].can & can) == can;
    for (size_t i = 0; i < kind_count; i++) {
        if ((kind_rows[i].can & can) != can)
            continue;
        if (seen && conj && seen + 1 == total)
            sb_printf(out, " %s ", conj);
        else if (seen)
            sb_add(out, ", ");
        sb_add(out, kind_rows[i].name);
        seen++;
    }
}

/* ---- constructors ---- */

static bool check_size(const char *what, size_t size, strbuf *err)
{
    if (size == 0)
        sb_printf(err, "%s: the size must be at least 1 byte", what);
    else if (size > KIND_MAX_BUFFER)
        sb_printf(err, "%s: at most 1 GiB per allocator", what);
    else
        return true;
    return false;
}

static size_t plain_size(const kind_spec *sp) { return sp->has_size ? sp->size : sp->kind->default_size; }

/* The common end of a plain constructor: ctx NULL means no memory. */
static bool plain_done(const kind_spec *sp, void *ctx, as_instance inst, kind_built *out, strbuf *err)
{
    if (ctx == NULL) {
        sb_printf(err, "%s: not enough memory for %zu bytes", sp->kind->name, plain_size(sp));
        return false;
    }
    out->top = inst;
    snprintf(out->desc, sizeof out->desc, "%s %zu", sp->kind->name, plain_size(sp));
    return true;
}

static bool build_bump(const kind_spec *sp, kind_built *out, strbuf *err)
{
    if (!check_size("bump", plain_size(sp), err))
        return false;
    bump *b = bump_create(plain_size(sp));
    if (b && sp->resize_last)
        bump_set_resize(b, BUMP_RESIZE_LAST);
    if (!plain_done(sp, b, b ? bump_instance(b) : (as_instance){0}, out, err))
        return false;
    if (sp->resize_last)
        snprintf(out->desc, sizeof out->desc, "bump %zu resize-last", plain_size(sp));
    return true;
}

static bool build_fixed(const kind_spec *sp, kind_built *out, strbuf *err)
{
    if (!check_size("fixed", plain_size(sp), err))
        return false;
    fixed *f = fixed_create(plain_size(sp));
    return plain_done(sp, f, f ? fixed_instance(f) : (as_instance){0}, out, err);
}

static bool build_stack(const kind_spec *sp, kind_built *out, strbuf *err)
{
    if (!check_size("stack", plain_size(sp), err))
        return false;
    if (plain_size(sp) > UINT32_MAX) {
        sb_add(err, "stack: at most 4 GiB - 1");
        return false;
    }
    stack *st = stack_create(plain_size(sp));
    return plain_done(sp, st, st ? stack_instance(st) : (as_instance){0}, out, err);
}

static bool build_freelist(const kind_spec *sp, kind_built *out, strbuf *err)
{
    size_t size = plain_size(sp);
    if (!check_size("freelist", size, err))
        return false;
    if (size < FREELIST_MIN_BLOCK) {
        sb_printf(err, "freelist: at least %d bytes", FREELIST_MIN_BLOCK);
        return false;
    }
    freelist *f = sp->grow ? freelist_create_growable(size, KIND_MAX_BUFFER, sp->fit) : freelist_create(size, sp->fit);
    if (!plain_done(sp, f, f ? freelist_instance(f) : (as_instance){0}, out, err))
        return false;
    if (sp->grow)
        snprintf(out->desc, sizeof out->desc, "freelist %zu %s, growing like sbrk up to 1 GiB", size,
                 freelist_fit_name(sp->fit));
    else
        snprintf(out->desc, sizeof out->desc, "freelist %zu %s", size, freelist_fit_name(sp->fit));
    return true;
}

static bool build_buddy(const kind_spec *sp, kind_built *out, strbuf *err)
{
    size_t size = plain_size(sp);
    if (!check_size("buddy", size, err))
        return false;
    if (size < BUDDY_MIN_BLOCK || (size & (size - 1))) {
        sb_printf(err, "buddy: the size must be a power of two of at least %d (e.g. 1024)", BUDDY_MIN_BLOCK);
        return false;
    }
    buddy *b = buddy_create(size);
    return plain_done(sp, b, b ? buddy_instance(b) : (as_instance){0}, out, err);
}

/* A plain allocator to back or be wrapped by another. */
static bool build_backing(const kind_row *k, size_t size, const kind_spec *outer, as_instance *inst, strbuf *err)
{
    if (!(k->can & KIND_CAN_BACK)) {
        sb_printf(err, "'%s' cannot back another allocator here (use ", k->name);
        kind_list(KIND_CAN_BACK, "or", err);
        sb_add(err, ")");
        return false;
    }
    kind_spec sp = {.kind = k, .size = size, .has_size = true, .fit = outer->fit, .resize_last = outer->resize_last};
    kind_built b = {0};
    if (!k->build(&sp, &b, err))
        return false;
    *inst = b.top;
    return true;
}

/* The inner allocator of a wrapper (a bump by default), kept in out->owned. */
static bool build_inner(const kind_spec *sp, kind_built *out, as_instance *inner, strbuf *err)
{
    const kind_row *inner_kind = sp->over ? sp->over : kind_find("bump");
    size_t inner_size = sp->over_has_size ? sp->over_size : plain_size(sp);
    if (!build_backing(inner_kind, inner_size, sp, inner, err))
        return false;
    out->owned[out->owned_count++] = *inner;
    snprintf(out->desc, sizeof out->desc, "%s over %s %zu%s", sp->kind->name, inner_kind->name, inner_size,
             sp->resize_last && inner_kind->build == build_bump ? " resize-last" : "");
    return true;
}

static bool wrapped_done(void *ctx, strbuf *err)
{
    if (ctx == NULL)
        sb_add(err, "out of memory");
    return ctx != NULL;
}

static bool build_debug(const kind_spec *sp, kind_built *out, strbuf *err)
{
    as_instance inner;
    if (!build_inner(sp, out, &inner, err))
        return false;
    debug_alloc *d = debug_create(inner);
    out->top = d ? debug_instance(d) : (as_instance){0};
    if (d && sp->limit) {
        debug_set_limit(d, sp->limit);
        size_t n = strlen(out->desc);
        snprintf(out->desc + n, sizeof out->desc - n, ", limit %zu", sp->limit);
    }
    return wrapped_done(d, err);
}

/* The tutorial's DebugBumpAllocator: its own bump, no guards. */
static bool build_debug_bump(const kind_spec *sp, kind_built *out, strbuf *err)
{
    as_instance inner;
    if (!build_inner(sp, out, &inner, err))
        return false;
    debug_alloc *d = debug_create_tutorial(inner);
    out->top = d ? debug_instance(d) : (as_instance){0};
    snprintf(out->desc, sizeof out->desc, "the tutorial's DebugBumpAllocator, %zu bytes (no guards)", plain_size(sp));
    return wrapped_done(d, err);
}

static bool build_counting(const kind_spec *sp, kind_built *out, strbuf *err)
{
    as_instance inner;
    if (!build_inner(sp, out, &inner, err))
        return false;
    counting *c = counting_create(inner);
    out->top = c ? counting_instance(c) : (as_instance){0};
    return wrapped_done(c, err);
}

/* Whether a fresh backing allocator can give the arena its smallest chunk
 * (ARENA_CHUNK_HEADER + 16 bytes, aligned to AS_MAX_ALIGN as every chunk
 * is). Tried for real, then taken back: the backing is reset to its fresh
 * state. */
static bool backing_holds_a_chunk(as_instance backing)
{
    size_t len = ARENA_CHUNK_HEADER + 16;
    void *m = backing.a.vtable->alloc(backing.a.ctx, len, AS_MAX_ALIGN_LOG2, 0);
    if (m == NULL)
        return false;
    backing.a.vtable->free(backing.a.ctx, m, len, AS_MAX_ALIGN_LOG2, 0);
    if (backing.probe->reset)
        backing.probe->reset(backing.a.ctx, AS_RESET_FREE_ALL, 0);
    return true;
}

static bool build_arena(const kind_spec *sp, kind_built *out, strbuf *err)
{
    as_instance backing = sysheap_instance();
    if (sp->over) {
        size_t sz = sp->over_has_size ? sp->over_size : sp->over->default_size;
        if (!build_backing(sp->over, sz, sp, &backing, err))
            return false;
        if (!backing_holds_a_chunk(backing)) {
            sb_printf(err, "arena over %s %zu: the backing %s cannot give the arena even one chunk (a chunk is "
                      "aligned to %zu bytes, and the %s's own bookkeeping takes room), so every alloc would "
                      "fail: give it more (new arena over %s %zu)", sp->over->name, sz, sp->over->name,
                      AS_MAX_ALIGN, sp->over->name, sp->over->name, sz * 2 > AS_MAX_ALIGN * 2 ? sz * 2 : AS_MAX_ALIGN * 2);
            backing.probe->destroy(backing.a.ctx);
            return false;
        }
        out->owned[out->owned_count++] = backing;
        snprintf(out->desc, sizeof out->desc, "arena over %s %zu%s", sp->over->name, sz,
                 sp->resize_last && sp->over->build == build_bump ? " resize-last" : "");
    } else {
        snprintf(out->desc, sizeof out->desc, "arena over the system heap");
    }
    arena *ar = arena_create(backing);
    out->top = ar ? arena_instance(ar) : (as_instance){0};
    if (ar == NULL)
        sb_add(err, "out of memory");
    return ar != NULL;
}

static bool build_pool(const kind_spec *sp, kind_built *out, strbuf *err)
{
    size_t item = sp->has_size ? sp->size : sp->kind->default_size;
    unsigned al = sp->has_align ? sp->align_log2 : (sp->type ? as_log2(sp->type_align) : 3);
    if (item == 0) {
        sb_add(err, "pool: the item size must be at least 1 byte (new pool 16, or new pool TYPE)");
        return false;
    }
    if (item > KIND_MAX_BUFFER) {
        sb_add(err, "pool: a slot of at most 1 GiB");
        return false;
    }
    size_t slots = sp->has_capacity ? sp->capacity : 16;
    if (slots > KIND_MAX_BUFFER / (item < 8 ? 8 : item)) {
        sb_add(err, "pool: capacity too large (at most 1 GiB of slots)");
        return false;
    }
    pool *p = pool_create((pool_options){item, (uint8_t)al, slots, !sp->has_capacity});
    if (p == NULL) {
        sb_add(err, "pool: not enough memory");
        return false;
    }
    out->top = pool_instance(p);
    char what[48];
    if (sp->type)
        snprintf(what, sizeof what, "%s, %zu bytes", sp->type, item);
    else
        snprintf(what, sizeof what, "item %zu bytes", item);
    snprintf(out->desc, sizeof out->desc, "pool of %zu-byte slots (%s, align %zu), %s %zu", pool_slot_size(p),
             what, pool_slot_align(p), sp->has_capacity ? "fixed capacity" : "growable, first slab", slots);
    return true;
}

/* ---- plugins: an allocator a student wrote (plugin_host.h) ---- */

static bool exists(const char *path) { return access(path, F_OK) == 0; }

/* dir/name into buf if that file exists. */
static bool found_in(const char *dir, size_t dir_len, const char *name, char *buf, size_t cap)
{
    if (dir_len == 0)
        return false;
    int n = snprintf(buf, cap, "%.*s/%s", (int)dir_len, dir, name);
    return n > 0 && (size_t)n < cap && exists(buf);
}

void kind_find_library(const char *name, char *buf, size_t cap)
{
    if (strchr(name, '/') == NULL && !exists(name)) {
        for (const char *dirs = getenv("ALLOCSCOPE_PLUGIN_PATH"); dirs && *dirs;) {
            size_t n = strcspn(dirs, ":");
            if (found_in(dirs, n, name, buf, cap))
                return;
            dirs += n + (dirs[n] == ':');
        }
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
            exe[n] = '\0';
            char *slash = strrchr(exe, '/');
            if (slash && snprintf(slash, sizeof exe - (size_t)(slash - exe), "/plugins") > 0 &&
                found_in(exe, strlen(exe), name, buf, cap))
                return;
        }
    }
    snprintf(buf, cap, "%s", name);
}

/* "plugin PATH: <why>: <the system's words>", with the library named as
 * the user typed it, not by the absolute path it was loaded from. */
static void plugin_error(const char *typed, const char *path, plugin_status st, const char *detail, strbuf *err)
{
    char real[4096];
    const char *abs = realpath(path, real) ? real : path;
    const char *at = strstr(detail, abs);
    sb_printf(err, "plugin %s: %s", typed, plugin_status_text(st));
    if (at == NULL && *detail && strcmp(detail, path) != 0)
        sb_printf(err, ": %s", detail);
    else if (at && strcmp(at + strlen(abs), "") != 0) /* "PATH: invalid ELF header": the words after it */
        sb_printf(err, "%s", at + strlen(abs));
    if (st == PLUGIN_ERR_NO_FILE && strchr(typed, '/') == NULL)
        sb_add(err, " (a name without '/' is looked for here, in $ALLOCSCOPE_PLUGIN_PATH and in plugins/ "
                    "beside allocscope)");
}

static bool build_plugin(const kind_spec *sp, kind_built *out, strbuf *err)
{
    if (sp->path == NULL || !*sp->path) {
        sb_add(err, "plugin: which library? (usage: new plugin PATH.so [SIZE] [words for its init] [as NAME])");
        return false;
    }
    char path[4096], detail[256] = "";
    kind_find_library(sp->path, path, sizeof path);
    plugin_config cfg = {path, plain_size(sp), sp->options, sp->replaying ? KIND_REPLAY_TIMEOUT_MS : 0};
    plugin_status st;
    plugin *p = plugin_load(&cfg, &st, detail, sizeof detail);
    if (p == NULL) {
        plugin_error(sp->path, path, st, detail, err);
        return false;
    }
    out->top = plugin_instance(p);
    snprintf(out->desc, sizeof out->desc, "plugin %.24s (%.48s) %zu%s%.40s", plugin_name(p), sp->path,
             plugin_size(p), *sp->options ? ", init with " : "", sp->options);
    return true;
}

/* ---- the glibc view of a recording (glibc.h, record.h) ---- */

static bool build_glibc(const kind_spec *sp, kind_built *out, strbuf *err)
{
    if (sp->path == NULL || !*sp->path || *sp->options || sp->has_size) {
        sb_add(err, "glibc: which recording? (usage: new glibc FILE.rec [as NAME], a recording of allocscope record)");
        return false;
    }
    strbuf text, why;
    sb_init(&text);
    sb_init(&why);
    glibc_plan plan;
    bool ok = sb_read_file(&text, sp->path, (size_t)512 << 20, &why) && record_glibc_plan(sb_str(&text), &plan, &why);
    sb_free(&text);
    const char *no = NULL;
    glibc_layout *g = ok ? glibc_create(&plan, &no) : NULL;
    if (ok)
        free(plan.ops);
    if (g == NULL)
        sb_printf(err, "glibc %s: %s", sp->path, ok ? no : sb_str(&why));
    sb_free(&why);
    if (g == NULL)
        return false;
    out->top = glibc_instance(g);
    snprintf(out->desc, sizeof out->desc, "glibc's heap of %.100s (%zu allocations)", sp->path, glibc_planned(g));
    return true;
}

struct plugin *kind_plugin(const kind_built *b)
{
    return b->top.probe == &plugin_probe ? b->top.a.ctx : NULL;
}

bool kind_failure_explained(const kind_built *b)
{
    plugin *p = kind_plugin(b);
    return p && plugin_problem_count(p) > 0;
}

/* ---- the factory ---- */

bool kind_build(const kind_spec *sp, kind_built *out, strbuf *err)
{
    memset(out, 0, sizeof *out);
    if (sp->over && !(sp->kind->can & KIND_OVER)) {
        sb_add(err, "'over' applies to ");
        kind_list(KIND_OVER, "and", err);
        sb_add(err, " only");
        return false;
    }
    if (sp->kind->build(sp, out, err))
        return true;
    kind_destroy(out);
    return false;
}

bool kind_build_plain(const char *name, size_t size, kind_built *out, strbuf *err)
{
    const kind_row *k = kind_find(name);
    if (k == NULL) {
        sb_printf(err, "unknown allocator kind '%s'", name);
        return false;
    }
    kind_spec sp = {.kind = k, .size = size, .has_size = size > 0};
    return kind_build(&sp, out, err);
}

void kind_destroy(kind_built *b)
{
    if (b->top.probe && b->top.probe->destroy)
        b->top.probe->destroy(b->top.a.ctx);
    for (size_t i = 0; i < b->owned_count; i++)
        if (b->owned[i].probe->destroy)
            b->owned[i].probe->destroy(b->owned[i].a.ctx);
    memset(b, 0, sizeof *b);
}

as_instance kind_structural(const kind_row *k, const kind_built *b)
{
    return (k->can & KIND_WRAPS) && b->owned_count ? b->owned[0] : b->top;
}
