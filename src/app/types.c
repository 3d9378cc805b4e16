/*
 * types.c - primitive types and C struct layout (see types.h).
 */
#include "allocscope/types.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/allocator.h"
#include "allocscope/parse.h"

typedef struct primitive {
    const char *name;
    size_t size;
} primitive;

/* On x86-64 every primitive is aligned to its size. */
static const primitive primitives[] = {
    {"u8", 1},    {"i8", 1},    {"bool", 1},  {"u16", 2},   {"i16", 2},    {"f16", 2},
    {"u32", 4},   {"i32", 4},   {"f32", 4},   {"u64", 8},   {"i64", 8},    {"f64", 8},
    {"usize", 8}, {"isize", 8}, {"ptr", 8},   {"u128", 16}, {"i128", 16},  {"char", 1},
    {"short", 2}, {"int", 4},   {"long", 8},  {"float", 4}, {"double", 8}, {"size_t", 8},
};

#define PRIMITIVE_COUNT (sizeof primitives / sizeof primitives[0])

const char *const types_primitive_names[] = {
    "u8", "i8", "bool", "u16", "i16", "f16", "u32", "i32", "f32", "u64", "i64", "f64",
    "usize", "isize", "ptr", "u128", "i128", "char", "short", "int", "long", "float",
    "double", "size_t",
};
const size_t types_primitive_count = PRIMITIVE_COUNT;

struct types_registry {
    types_struct *items;
    size_t count, cap;
};

types_registry *types_create(void) { return calloc(1, sizeof(types_registry)); }

void types_destroy(types_registry *t)
{
    if (t == NULL)
        return;
    free(t->items);
    free(t);
}

static const primitive *find_primitive(const char *name)
{
    for (size_t i = 0; i < PRIMITIVE_COUNT; i++)
        if (strcmp(primitives[i].name, name) == 0)
            return &primitives[i];
    return NULL;
}

bool types_is_primitive(const char *name) { return find_primitive(name) != NULL; }

const types_struct *types_find(const types_registry *t, const char *name)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->items[i].name, name) == 0)
            return &t->items[i];
    return NULL;
}

size_t types_count(const types_registry *t) { return t->count; }

bool types_save(const types_registry *t, const as_saver *w)
{
    return as_save(w, t->items, t->count * sizeof *t->items);
}

bool types_restore(types_registry *t, const as_loader *r)
{
    size_t len = as_load_len(r);
    if (len == SIZE_MAX || len % sizeof *t->items)
        return false;
    size_t n = len / sizeof *t->items;
    if (n > t->cap) {
        types_struct *grown = realloc(t->items, n * sizeof *grown);
        if (grown == NULL)
            return false;
        t->items = grown;
        t->cap = n;
    }
    if (!r->range(r->user, t->items, t->cap * sizeof *t->items))
        return false;
    t->count = n;
    return true;
}
const types_struct *types_at(const types_registry *t, size_t i) { return &t->items[i]; }

bool types_lookup(const types_registry *t, const char *name, size_t *size, size_t *align)
{
    const primitive *p = find_primitive(name);
    if (p) {
        *size = p->size;
        *align = p->size;
        return true;
    }
    const types_struct *s = types_find(t, name);
    if (s == NULL)
        return false;
    *size = s->size;
    *align = s->align;
    return true;
}

/* Splits "T[N]" into T and N (N = 1, is_array false, without brackets). */
static bool split_array(const char *spec, char *elem, size_t elem_cap, size_t *count,
                        bool *is_array, strbuf *err)
{
    const char *br = strchr(spec, '[');
    size_t n = br ? (size_t)(br - spec) : strlen(spec);
    if (n == 0 || n >= elem_cap) {
        sb_printf(err, "'%s' is not a type", spec);
        return false;
    }
    memcpy(elem, spec, n);
    elem[n] = '\0';
    *count = 1;
    *is_array = br != NULL;
    if (br == NULL)
        return true;
    const char *close = strchr(br, ']');
    if (close == NULL || close[1] != '\0' || close == br + 1) {
        sb_printf(err, "'%s': an array is written T[N], e.g. u32[10]", spec);
        return false;
    }
    char num[32];
    size_t len = (size_t)(close - br - 1);
    if (len >= sizeof num) {
        sb_printf(err, "'%s': the array length is too large", spec);
        return false;
    }
    memcpy(num, br + 1, len);
    num[len] = '\0';
    const char *e = parse_uint(num, count);
    if (e || *count == 0) {
        sb_printf(err, "'%s': the array length must be a whole number of at least 1%s%s%s", spec,
                  e ? " (" : "", e ? e : "", e ? ")" : "");
        return false;
    }
    return true;
}

bool types_resolve(const types_registry *t, const char *spec, size_t *size, size_t *align,
                   strbuf *err)
{
    char elem[TYPES_MAX_NAME + 1];
    size_t count, esize, ealign;
    bool is_array;
    if (!split_array(spec, elem, sizeof elem, &count, &is_array, err))
        return false;
    if (!types_lookup(t, elem, &esize, &ealign)) {
        sb_printf(err, "unknown type '%s' (primitives: u8..u128, i8..i128, f16, f32, f64, usize, "
                       "isize, ptr, bool; or a struct you defined)", elem);
        return false;
    }
    if (count > SIZE_MAX / esize) {
        sb_printf(err, "'%s' is too large", spec);
        return false;
    }
    *size = esize * count;
    *align = ealign;
    return true;
}

/* ---- struct definitions ---- */

/* Copies a name known to be at most TYPES_MAX_NAME bytes (longer: cut). */
static void copy_name(char *dst, const char *src)
{
    size_t n = strnlen(src, TYPES_MAX_NAME);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

typedef struct lexer {
    const char *p;
    char tok[64];
} lexer;

/* Next token: an identifier-ish word (letters, digits, _, [, ]) or one
 * punctuation character. Returns false at the end. */
static bool next_token(lexer *lx)
{
    while (isspace((unsigned char)*lx->p))
        lx->p++;
    if (*lx->p == '\0')
        return false;
    size_t n = 0;
    if (isalnum((unsigned char)*lx->p) || *lx->p == '_') {
        while ((isalnum((unsigned char)*lx->p) || *lx->p == '_' || *lx->p == '[' ||
                *lx->p == ']') && n < sizeof lx->tok - 1)
            lx->tok[n++] = *lx->p++;
    } else {
        lx->tok[n++] = *lx->p++;
    }
    lx->tok[n] = '\0';
    return true;
}

static bool layout(const types_registry *t, types_struct *s, strbuf *err)
{
    size_t off = 0, max_align = 1;
    for (size_t i = 0; i < s->field_count; i++) {
        types_field *f = &s->fields[i];
        size_t esize, ealign;
        if (!types_lookup(t, f->type, &esize, &ealign)) {
            sb_printf(err, "field '%s': unknown type '%s'", f->name, f->type);
            return false;
        }
        if (f->count > SIZE_MAX / esize) {
            sb_printf(err, "field '%s' is too large", f->name);
            return false;
        }
        f->size = esize * f->count;
        f->align = s->packed ? 1 : ealign;
        if (!as_align_forward(off, f->align, &off) || off > SIZE_MAX - f->size) {
            sb_printf(err, "struct %s is too large", s->name);
            return false;
        }
        f->offset = off;
        off += f->size;
        if (f->align > max_align)
            max_align = f->align;
    }
    s->align = max_align;
    if (!as_align_forward(off, max_align, &s->size)) {
        sb_printf(err, "struct %s is too large", s->name);
        return false;
    }
    return true;
}

static bool parse_field(lexer *lx, const char *struct_name, types_struct *s, strbuf *err)
{
    char type[64];
    snprintf(type, sizeof type, "%s", lx->tok);
    if (!next_token(lx) || !(isalpha((unsigned char)lx->tok[0]) || lx->tok[0] == '_')) {
        sb_printf(err, "field of type %s has no name (write: TYPE NAME;)", type);
        return false;
    }
    if (s->field_count == TYPES_MAX_FIELDS) {
        sb_printf(err, "too many fields (at most %d)", TYPES_MAX_FIELDS);
        return false;
    }
    types_field *f = &s->fields[s->field_count];
    memset(f, 0, sizeof *f);
    if (strchr(type, '[')) {
        sb_printf(err, "write arrays after the field name: %s name[N];", type);
        return false;
    }
    char spec_elem[TYPES_MAX_NAME + 1];
    size_t count;
    bool is_array;
    if (!split_array(lx->tok, spec_elem, sizeof spec_elem, &count, &is_array, err))
        return false;
    if (strlen(type) > TYPES_MAX_NAME) {
        sb_printf(err, "type name '%s' is too long", type);
        return false;
    }
    copy_name(f->name, spec_elem);
    copy_name(f->type, type);
    f->count = count;
    f->is_array = is_array;
    if (strcmp(type, struct_name) == 0) {
        sb_printf(err, "struct %s cannot contain itself (field '%s')", struct_name, f->name);
        return false;
    }
    for (size_t i = 0; i < s->field_count; i++) {
        if (strcmp(s->fields[i].name, f->name) == 0) {
            sb_printf(err, "duplicate field name '%s'", f->name);
            return false;
        }
    }
    if (!next_token(lx) || strcmp(lx->tok, ";") != 0) {
        sb_printf(err, "missing ';' after field '%s'", f->name);
        return false;
    }
    s->field_count++;
    return true;
}

static bool used_by_other(const types_registry *t, const char *name)
{
    for (size_t i = 0; i < t->count; i++)
        for (size_t k = 0; k < t->items[i].field_count; k++)
            if (strcmp(t->items[i].fields[k].type, name) == 0 && strcmp(t->items[i].name, name))
                return true;
    return false;
}

static bool store(types_registry *t, const types_struct *s, strbuf *err)
{
    types_struct *old = (types_struct *)types_find(t, s->name);
    if (old) {
        if (used_by_other(t, s->name)) {
            sb_printf(err, "struct %s is used by another struct and cannot be redefined", s->name);
            return false;
        }
        *old = *s;
        return true;
    }
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        types_struct *grown = realloc(t->items, cap * sizeof *grown);
        if (grown == NULL) {
            sb_add(err, "out of memory");
            return false;
        }
        t->items = grown;
        t->cap = cap;
    }
    t->items[t->count++] = *s;
    return true;
}

bool types_define(types_registry *t, const char *text, strbuf *err)
{
    static const char usage[] = "write: struct NAME { TYPE FIELD; TYPE FIELD[N]; ... }";
    lexer lx = {text, {0}};
    types_struct *s = calloc(1, sizeof *s);
    bool ok = false;
    if (s == NULL) {
        sb_add(err, "out of memory");
        return false;
    }
    if (!next_token(&lx))
        goto bad_usage;
    if (strcmp(lx.tok, "packed") == 0) {
        s->packed = true;
        if (!next_token(&lx))
            goto bad_usage;
    }
    if (strcmp(lx.tok, "struct") != 0 || !next_token(&lx) || !parse_is_name(lx.tok) ||
        strchr(lx.tok, '[') || strlen(lx.tok) > TYPES_MAX_NAME)
        goto bad_usage;
    copy_name(s->name, lx.tok);
    if (types_is_primitive(s->name)) {
        sb_printf(err, "'%s' is a primitive type; choose another name", s->name);
        goto done;
    }
    if (!next_token(&lx) || strcmp(lx.tok, "{") != 0)
        goto bad_usage;
    for (;;) {
        if (!next_token(&lx)) {
            sb_printf(err, "struct %s: missing '}'", s->name);
            goto done;
        }
        if (strcmp(lx.tok, "}") == 0)
            break;
        if (!parse_field(&lx, s->name, s, err))
            goto done;
    }
    if (next_token(&lx) && (strcmp(lx.tok, ";") != 0 || next_token(&lx))) {
        sb_printf(err, "unexpected '%s' after the struct", lx.tok);
        goto done;
    }
    if (s->field_count == 0) {
        sb_printf(err, "struct %s has no fields", s->name);
        goto done;
    }
    ok = layout(t, s, err) && store(t, s, err);
    goto done;
bad_usage:
    sb_add(err, usage);
done:
    free(s);
    return ok;
}

size_t types_padding(const types_struct *s)
{
    size_t used = 0;
    for (size_t i = 0; i < s->field_count; i++)
        used += s->fields[i].size;
    return s->size - used;
}

size_t types_reordered_size(const types_registry *t, const types_struct *s)
{
    types_struct *r = malloc(sizeof *r);
    if (r == NULL)
        return s->size;
    *r = *s;
    /* stable insertion sort by decreasing alignment */
    for (size_t i = 1; i < r->field_count; i++) {
        types_field f = r->fields[i];
        size_t j = i;
        while (j > 0 && r->fields[j - 1].align < f.align) {
            r->fields[j] = r->fields[j - 1];
            j--;
        }
        r->fields[j] = f;
    }
    strbuf ignore;
    sb_init(&ignore);
    size_t size = layout(t, r, &ignore) ? r->size : s->size;
    sb_free(&ignore);
    free(r);
    return size;
}
