/*
 * kinds.h - the one table of allocator kinds the program offers (`new
 * KIND`), and the factory that builds them: the app, the tests and the
 * benchmarks all build allocators through kind_build.
 *
 * A row says a kind's name, its default size, its constructor, what it can
 * do (back another allocator, wrap one, take reset modes, be a pool of a
 * type), the option words `new` takes for it and its help line.
 * Everything an allocator can say about itself (region words, why a free
 * is a no-op, resize hints, its free structure for `bins`, its figures for
 * `stats`, the debug allocator's stamps, scans and leak reports) comes
 * through its probe (allocator.h), not from here.
 *
 * To add a kind: one row in KIND_TABLE (kinds.c) and its build function.
 */
#ifndef ALLOCSCOPE_KINDS_H
#define ALLOCSCOPE_KINDS_H

#include <stdbool.h>
#include <stddef.h>

#include "allocscope/allocator.h"
#include "allocscope/freelist.h"
#include "allocscope/strbuf.h"

/* Bytes of one allocator at most: going past it is an error, never a crash. */
#define KIND_MAX_BUFFER ((size_t)1 << 30)

/* What a kind can do. */
enum {
    KIND_CAN_BACK = 1,     /* a plain allocator with its own buffer: may back another */
    KIND_WRAPS = 2,        /* wraps another allocator (over KIND, a bump by default) */
    KIND_OVER = 4,         /* takes `over KIND [SIZE]` */
    KIND_RESET_MODES = 8,  /* reset free-all | retain | limit N */
    KIND_TYPED = 16,       /* `new pool TYPE`: sized by a type */
    KIND_LIBRARY = 32,     /* `new KIND PATH [SIZE] [words...]`: loads a shared library
                            * (refused in a sandboxed session); the words go to its init */
};

/* The time limit of a plugin's calls while undo / rewind replays the steps
 * (a step that looped is not waited for in full on every undo). */
#define KIND_REPLAY_TIMEOUT_MS 300u
#define KIND_MAX_OPTIONS 256

typedef struct kind_row kind_row;

/* What `new` was asked for, once its words are read. */
typedef struct kind_spec {
    const kind_row *kind;
    size_t size;
    bool has_size;
    unsigned align_log2;
    bool has_align;
    size_t capacity;
    bool has_capacity;
    freelist_fit fit;
    bool grow;              /* freelist: a heap that grows like sbrk from SIZE up to 1 GiB */
    const kind_row *over;
    size_t over_size;
    bool over_has_size;
    const char *type;       /* pool of a type: its name and alignment */
    size_t type_align;
    size_t limit;           /* debug: memory limit in bytes, 0 = none */
    bool resize_last;       /* bump (or the bump under a wrapper/arena): exercise 1's resize */
    const char *path;       /* KIND_LIBRARY: the shared library, as typed */
    char options[KIND_MAX_OPTIONS]; /* KIND_LIBRARY: the words for its init, "" for none */
    bool replaying;         /* rebuilt by undo / rewind: short time limits */
} kind_spec;

/* A built allocator: its top and the parts it owns (wrapped, backing),
 * destroyed after the top. */
typedef struct kind_built {
    as_instance top;
    as_instance owned[2];
    size_t owned_count;
    char desc[160];
} kind_built;

struct kind_row {
    const char *name;
    size_t default_size;
    /* Builds the allocator; false (nothing left to free) with the reason in err. */
    bool (*build)(const kind_spec *sp, kind_built *out, strbuf *err);
    unsigned can;           /* KIND_* */
    const char *const *options; /* option words of `new` for it, NULL-terminated */
    const char *help;
};

extern const kind_row kind_rows[];
extern const size_t kind_count;
/* The kinds' names, in table order (for suggestions and completion). */
extern const char *const kind_names[];

/* The kind of that name (case-insensitive), or NULL. */
const kind_row *kind_find(const char *name);
/* Whether word is one of the kind's option words. */
bool kind_takes(const kind_row *k, const char *word);
/* Appends the names of the kinds that have every bit of `can`, as
 * "a, b and c" (conj "and"), "a, b or c", or "a, b, c" (conj NULL). */
void kind_list(unsigned can, const char *conj, strbuf *out);

/* The factory: checks the spec and builds the allocator. */
bool kind_build(const kind_spec *sp, kind_built *out, strbuf *err);
/* A plain kind of the given size with defaults: for tests and benchmarks. */
bool kind_build_plain(const char *name, size_t size, kind_built *out, strbuf *err);
/* Destroys the top, then what it owned. */
void kind_destroy(kind_built *b);
/* The allocator that holds the free structures (wrappers hold none). */
as_instance kind_structural(const kind_row *k, const kind_built *b);
/* The supervised plugin (plugin_host.h) a built allocator is, or NULL:
 * whoever runs steps takes its problems and output after each. */
struct plugin *kind_plugin(const kind_built *b);
/* True iff b is a plugin with problems not taken yet: they, not a lack of
 * memory, explain why its last call failed. */
bool kind_failure_explained(const kind_built *b);
/* Where `new plugin NAME` finds a library given without a '/': the
 * current directory, then each directory of $ALLOCSCOPE_PLUGIN_PATH
 * (colon-separated), then the directory `plugins` beside the program
 * (build/plugins for build/allocscope). Writes the path to use into buf
 * (the name itself when it is found nowhere). */
void kind_find_library(const char *name, char *buf, size_t cap);

#endif
