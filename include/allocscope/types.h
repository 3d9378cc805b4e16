/*
 * types.h - the types a learner can allocate: the C/Zig primitives and
 * structs defined in the session, laid out by C's rules (each field at the
 * next multiple of its alignment, the struct aligned to its largest field,
 * its size rounded up to that) or packed (no padding at all).
 */
#ifndef ALLOCSCOPE_TYPES_H
#define ALLOCSCOPE_TYPES_H

#include <stdbool.h>
#include <stddef.h>

#include "allocscope/allocator.h"
#include "allocscope/strbuf.h"

#define TYPES_MAX_FIELDS 64
#define TYPES_MAX_NAME 31

typedef struct types_field {
    char name[TYPES_MAX_NAME + 1];
    char type[TYPES_MAX_NAME + 1];   /* element type name */
    size_t count;                    /* array length, 1 for a scalar */
    bool is_array;
    size_t offset, size, align;      /* of the whole field */
} types_field;

typedef struct types_struct {
    char name[TYPES_MAX_NAME + 1];
    bool packed;
    types_field fields[TYPES_MAX_FIELDS];
    size_t field_count;
    size_t size, align;
} types_struct;

typedef struct types_registry types_registry;

types_registry *types_create(void);
void types_destroy(types_registry *t);

/* Size and alignment of a type name (primitive or struct). False if unknown. */
bool types_lookup(const types_registry *t, const char *name, size_t *size, size_t *align);
/* Parses "u32", "u32[10]", "Entity[3]": the element type and count.
 * Returns NULL with *size / *align set, or an error message in err. */
bool types_resolve(const types_registry *t, const char *spec, size_t *size, size_t *align,
                   strbuf *err);
bool types_is_primitive(const char *name);
const types_struct *types_find(const types_registry *t, const char *name);
size_t types_count(const types_registry *t);
/* Checkpoints (allocator.h's as_saver): the structs defined so far, and
 * back; restore false if out of memory (t unchanged). */
bool types_save(const types_registry *t, const as_saver *w);
bool types_restore(types_registry *t, const as_loader *r);
const types_struct *types_at(const types_registry *t, size_t i);

/* Defines a struct from C-like text: "struct Name { u32 id; f32 x; u8 tag[3]; }"
 * (also "packed struct ..."). Returns true, or false with a message in err;
 * on failure nothing is defined. Redefining a name replaces it only if no
 * other struct uses it. */
bool types_define(types_registry *t, const char *text, strbuf *err);
/* Bytes of padding inside s, and the size the same fields would take
 * ordered by decreasing alignment. */
size_t types_padding(const types_struct *s);
size_t types_reordered_size(const types_registry *t, const types_struct *s);
/* Primitive names, for completion and help. */
extern const char *const types_primitive_names[];
extern const size_t types_primitive_count;

#endif
