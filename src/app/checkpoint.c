/*
 * checkpoint.c - checkpoints of a session in shared pages (see
 * checkpoint.h).
 *
 * A checkpoint is a list of ranges; a range is a list of pages of at most
 * CKPT_PAGE bytes (the last one shorter). While a checkpoint is taken, the
 * n-th range is compared page by page with the n-th range of the
 * checkpoint taken before it (the store's `last`); an identical page is
 * shared (its count of references goes up) instead of copied.
 */
#include "allocscope/checkpoint.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CKPT_PAGE 4096

typedef struct ckpt_page {
    uint32_t refs;
    uint32_t len;
    unsigned char bytes[];
} ckpt_page;

typedef struct ckpt_range {
    size_t len, npages;
    ckpt_page **pages;
    const void *from;        /* for a versioned range: where it was, and its version */
    uint64_t version;
    bool versioned;
} ckpt_range;

struct ckpt {
    ckpt_store *store;
    ckpt_range *ranges;
    size_t count, cap;
    size_t *by_address;      /* open addressing: range index + 1 by where it was saved from */
    size_t map_cap;
    uint32_t refs;           /* the store's `last` holds one too */
};

struct ckpt_store {
    ckpt *last;              /* pages are shared with this one */
    ckpt_page *zero;         /* every whole page of zeros (a heap never touched) is this one */
    size_t bytes;
};

static const unsigned char zeros[CKPT_PAGE];

ckpt_store *ckpt_store_create(void)
{
    ckpt_store *st = calloc(1, sizeof *st);
    if (st && (st->zero = calloc(1, sizeof *st->zero + CKPT_PAGE)) == NULL) {
        free(st);
        return NULL;
    }
    if (st)
        *st->zero = (ckpt_page){1, CKPT_PAGE}; /* the store's own reference */
    return st;
}

size_t ckpt_store_bytes(const ckpt_store *st) { return st->bytes; }

static void page_drop(ckpt_store *st, ckpt_page *pg)
{
    if (pg && --pg->refs == 0) {
        st->bytes -= sizeof *pg + pg->len;
        free(pg);
    }
}

static void ckpt_unref(ckpt *c)
{
    if (c == NULL || --c->refs > 0)
        return;
    for (size_t i = 0; i < c->count; i++) {
        for (size_t j = 0; j < c->ranges[i].npages; j++)
            page_drop(c->store, c->ranges[i].pages[j]);
        free(c->ranges[i].pages);
    }
    free(c->ranges);
    free(c->by_address);
    free(c);
}

void ckpt_release(ckpt *c) { ckpt_unref(c); }

void ckpt_store_destroy(ckpt_store *st)
{
    if (st == NULL)
        return;
    ckpt_unref(st->last);
    free(st->zero);
    free(st);
}

/* ---- taking one ---- */

typedef struct taking {
    ckpt *c;
    const ckpt *prev;        /* NULL: nothing to share with */
    bool failed;
} taking;

static size_t address_hash(const void *p) { return (size_t)(((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15u); }

/* Notes where range i of c was saved from. */
static bool map_range(ckpt *c, size_t i)
{
    if ((c->count + 1) * 2 > c->map_cap) {
        size_t cap = c->map_cap ? c->map_cap * 2 : 64;
        size_t *m = calloc(cap, sizeof *m);
        if (m == NULL)
            return false;
        for (size_t k = 0; k < c->map_cap; k++)
            if (c->by_address[k])
                for (size_t h = address_hash(c->ranges[c->by_address[k] - 1].from) & (cap - 1);; h = (h + 1) & (cap - 1))
                    if (m[h] == 0) {
                        m[h] = c->by_address[k];
                        break;
                    }
        free(c->by_address);
        c->by_address = m;
        c->map_cap = cap;
    }
    for (size_t h = address_hash(c->ranges[i].from) & (c->map_cap - 1);; h = (h + 1) & (c->map_cap - 1))
        if (c->by_address[h] == 0) {
            c->by_address[h] = i + 1;
            return true;
        }
}

/* The range of the checkpoint before that was saved from p: the one at
 * the same place if it was, else the one found by its address (the
 * ranges before it may have been more or fewer). NULL if none. */
static const ckpt_range *old_range(const taking *t, size_t index, const void *p)
{
    const ckpt *o = t->prev;
    if (o == NULL)
        return NULL;
    if (index < o->count && o->ranges[index].from == p)
        return &o->ranges[index];
    for (size_t h = o->map_cap ? address_hash(p) & (o->map_cap - 1) : 0; o->map_cap && o->by_address[h];
         h = (h + 1) & (o->map_cap - 1))
        if (o->ranges[o->by_address[h] - 1].from == p)
            return &o->ranges[o->by_address[h] - 1];
    return index < o->count ? &o->ranges[index] : NULL;
}

/* Page j of the old range, if it holds exactly these bytes. */
static ckpt_page *same_page(const ckpt_range *r, size_t j, const unsigned char *p, size_t n)
{
    if (r == NULL || j >= r->npages || r->pages[j]->len != n || memcmp(r->pages[j]->bytes, p, n) != 0)
        return NULL;
    return r->pages[j];
}

/* A new range at the end of the checkpoint being taken, its pages to come. */
static ckpt_range *new_range(taking *t, const void *from, size_t len)
{
    ckpt *c = t->c;
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        ckpt_range *grown = realloc(c->ranges, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        c->ranges = grown;
        c->cap = cap;
    }
    size_t npages = (len + CKPT_PAGE - 1) / CKPT_PAGE;
    ckpt_range *r = &c->ranges[c->count];
    *r = (ckpt_range){len, 0, npages ? malloc(npages * sizeof *r->pages) : NULL, from, 0, false};
    if (npages && r->pages == NULL)
        return NULL;
    c->count++;
    return map_range(c, c->count - 1) ? r : NULL;
}

static bool take_range(void *user, const void *p, size_t len)
{
    taking *t = user;
    const ckpt_range *old = t->failed ? NULL : old_range(t, t->c->count, p);
    ckpt_range *r = t->failed ? NULL : new_range(t, p, len);
    if (r == NULL)
        return !(t->failed = true);
    size_t npages = (len + CKPT_PAGE - 1) / CKPT_PAGE;
    for (size_t j = 0; j < npages; j++) {
        const unsigned char *from = (const unsigned char *)p + j * CKPT_PAGE;
        size_t n = len - j * CKPT_PAGE < CKPT_PAGE ? len - j * CKPT_PAGE : CKPT_PAGE;
        ckpt_page *pg = same_page(old, j, from, n);
        if (pg == NULL && n == CKPT_PAGE && memcmp(from, zeros, n) == 0)
            pg = t->c->store->zero;
        if (pg)
            pg->refs++;
        else if ((pg = malloc(sizeof *pg + n)) != NULL) {
            *pg = (ckpt_page){1, (uint32_t)n};
            memcpy(pg->bytes, from, n);
            t->c->store->bytes += sizeof *pg + n;
        } else
            return !(t->failed = true);
        r->pages[r->npages++] = pg;
    }
    return true;
}

/* A versioned range that is the one saved at the same place last time
 * shares its pages without a look at the bytes. */
static bool take_versioned(void *user, const void *p, size_t len, uint64_t version)
{
    taking *t = user;
    const ckpt_range *old = old_range(t, t->c->count, p);
    bool same = old && old->versioned && old->from == p && old->len == len && old->version == version;
    if (!same) {
        if (!take_range(user, p, len))
            return false;
    } else {
        ckpt_range *r = t->failed ? NULL : new_range(t, p, len);
        if (r == NULL)
            return !(t->failed = true);
        for (size_t j = 0; j < old->npages; j++)
            (r->pages[r->npages++] = old->pages[j])->refs++;
    }
    ckpt_range *r = &t->c->ranges[t->c->count - 1];
    r->version = version;
    r->versioned = true;
    return true;
}

ckpt *ckpt_take(ckpt_store *st, const session *s)
{
    ckpt *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->store = st;
    c->refs = 1;
    taking t = {c, st->last, false};
    as_saver w = {take_range, &t, take_versioned};
    if (!session_save(s, &w) || t.failed) {
        ckpt_unref(c);
        return NULL;
    }
    ckpt_unref(st->last);
    st->last = c;
    c->refs++;
    return c;
}

/* ---- restoring ---- */

typedef struct loading {
    const ckpt *c;
    size_t next;
} loading;

static size_t load_len(void *user)
{
    loading *l = user;
    return l->next < l->c->count ? l->c->ranges[l->next].len : SIZE_MAX;
}

static bool load_range(void *user, void *p, size_t cap)
{
    loading *l = user;
    if (l->next >= l->c->count || l->c->ranges[l->next].len > cap)
        return false;
    const ckpt_range *r = &l->c->ranges[l->next++];
    unsigned char *to = p;
    for (size_t j = 0; j < r->npages; j++) {
        memcpy(to, r->pages[j]->bytes, r->pages[j]->len);
        to += r->pages[j]->len;
    }
    return true;
}

static bool skip_range(void *user)
{
    loading *l = user;
    if (l->next >= l->c->count)
        return false;
    l->next++;
    return true;
}

bool ckpt_restore(const ckpt *c, session *s, bool *unchanged)
{
    loading l = {c, 0};
    as_loader r = {load_len, load_range, &l, skip_range};
    session_restore_result got = session_restore(s, &r);
    if (unchanged)
        *unchanged = got == SESSION_RESTORE_NOT_ITS;
    return got == SESSION_RESTORED;
}
