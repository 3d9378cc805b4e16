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
} ckpt_range;

struct ckpt {
    ckpt_store *store;
    ckpt_range *ranges;
    size_t count, cap;
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

/* Page j of the range before, if it holds exactly these bytes. */
static ckpt_page *same_page(const taking *t, size_t index, size_t j, const unsigned char *p, size_t n)
{
    if (t->prev == NULL || index >= t->prev->count)
        return NULL;
    const ckpt_range *r = &t->prev->ranges[index];
    if (j >= r->npages || r->pages[j]->len != n || memcmp(r->pages[j]->bytes, p, n) != 0)
        return NULL;
    return r->pages[j];
}

static bool take_range(void *user, const void *p, size_t len)
{
    taking *t = user;
    ckpt *c = t->c;
    if (t->failed)
        return false;
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        ckpt_range *grown = realloc(c->ranges, cap * sizeof *grown);
        if (grown == NULL)
            return !(t->failed = true);
        c->ranges = grown;
        c->cap = cap;
    }
    size_t npages = (len + CKPT_PAGE - 1) / CKPT_PAGE;
    ckpt_range *r = &c->ranges[c->count];
    *r = (ckpt_range){len, 0, npages ? malloc(npages * sizeof *r->pages) : NULL};
    if (npages && r->pages == NULL)
        return !(t->failed = true);
    c->count++;
    for (size_t j = 0; j < npages; j++) {
        const unsigned char *from = (const unsigned char *)p + j * CKPT_PAGE;
        size_t n = len - j * CKPT_PAGE < CKPT_PAGE ? len - j * CKPT_PAGE : CKPT_PAGE;
        ckpt_page *pg = same_page(t, c->count - 1, j, from, n);
        if (pg == NULL && n == CKPT_PAGE && memcmp(from, zeros, n) == 0)
            pg = c->store->zero;
        if (pg)
            pg->refs++;
        else if ((pg = malloc(sizeof *pg + n)) != NULL) {
            *pg = (ckpt_page){1, (uint32_t)n};
            memcpy(pg->bytes, from, n);
            c->store->bytes += sizeof *pg + n;
        } else
            return !(t->failed = true);
        r->pages[r->npages++] = pg;
    }
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
    as_saver w = {take_range, &t};
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

bool ckpt_restore(const ckpt *c, session *s, bool *unchanged)
{
    loading l = {c, 0};
    as_loader r = {load_len, load_range, &l};
    session_restore_result got = session_restore(s, &r);
    if (unchanged)
        *unchanged = got == SESSION_RESTORE_NOT_ITS;
    return got == SESSION_RESTORED;
}
