/*
 * granmap.c - the position index (see granmap.h).
 *
 * Level 0 has one bit per granule; level k+1 one bit per non-zero word of
 * level k. max[0][w] is the largest value of the marked granules of word w
 * of level 0; max[k+1][w] the largest of the max[k] of the 64 words below.
 * A word with no marks has maximum 0, so a word's maximum above level 0
 * is the largest of the 64 below it, marked or not.
 * Levels are added until one word holds the whole top (levels = 1 +
 * ceil(log64(granules)), at most GRANMAP_LEVELS): the searches climb to
 * the top and rely on it being one word, so nothing lies beyond it.
 *
 * Cost: set/raise O(levels), climbing only while a word's maximum or its
 * parent's mark changes; unset O(levels), plus O(64) for each word whose
 * maximum it took away (only then is a maximum recomputed); update
 * O(64 * levels), climbing while a maximum or an emptiness changes;
 * prev/next O(levels); first_at_least O(64 * levels) word tests plus the callback
 * for the candidates of one level-0 word at the start. Memory: about
 * granules / 8 bytes of bits (and 8 times that with values) over all levels.
 * A checkpoint of it (granmap_save_below) copies the words that cover the
 * granules in use: about n / 8 bytes (n / 4 with values) for n granules.
 */
#include "allocscope/granmap.h"

#include <stdlib.h>
#include <string.h>

bool granmap_init(granmap *m, size_t granules, granmap_value_fn value, const void *user)
{
    memset(m, 0, sizeof *m);
    m->granules = granules;
    m->value = value;
    m->user = user;
    size_t n = granules;
    for (int k = 0; k < GRANMAP_LEVELS; k++) {
        size_t words = (n + 63) / 64;
        if (words == 0)
            words = 1;
        m->words[k] = words;
        m->bits[k] = calloc(words, sizeof *m->bits[k]);
        m->max[k] = value ? calloc(words, sizeof *m->max[k]) : NULL;
        if (m->bits[k] == NULL || (value && m->max[k] == NULL)) {
            granmap_release(m);
            return false;
        }
        m->levels = k + 1;
        if (words == 1)
            return true;
        n = words;
    }
    granmap_release(m); /* unreachable for any size_t count: 64^11 > 2^64 */
    return false;
}

void granmap_release(granmap *m)
{
    for (int k = 0; k < GRANMAP_LEVELS; k++) {
        free(m->bits[k]);
        free(m->max[k]);
    }
    memset(m, 0, sizeof *m);
}

void granmap_clear_all(granmap *m)
{
    for (int k = 0; k < m->levels; k++) {
        memset(m->bits[k], 0, m->words[k] * sizeof *m->bits[k]);
        if (m->max[k])
            memset(m->max[k], 0, m->words[k] * sizeof *m->max[k]);
    }
}

void granmap_clear_below(granmap *m, size_t n)
{
    for (int k = 0; k < m->levels; k++) {
        size_t words = (n + 63) / 64;
        if (words > m->words[k])
            words = m->words[k];
        memset(m->bits[k], 0, words * sizeof *m->bits[k]);
        if (m->max[k])
            memset(m->max[k], 0, words * sizeof *m->max[k]);
        n = words; /* the words of this level that may be marked one level up */
    }
}

bool granmap_test(const granmap *m, size_t g)
{
    return g < m->granules && (m->bits[0][g / 64] >> (g % 64)) & 1;
}

/* The largest value under word w of level k (0 if it has none). Above
 * level 0 a word with few marks is read mark by mark; one with more than
 * 8 as the largest of all 64 maxima below it, unmarked words included
 * (their maximum is 0): a loop without branches, in four runs. */
static size_t word_max(const granmap *m, int k, size_t w)
{
    size_t best = 0;
    uint64_t bits = m->bits[k][w];
    if (k == 0) {
        for (; bits; bits &= bits - 1) {
            size_t v = m->value(m->user, w * 64 + (size_t)__builtin_ctzll(bits));
            best = v > best ? v : best;
        }
        return best;
    }
    const size_t *c = m->max[k - 1] + w * 64;
    for (int i = 0; bits && i < 8; i++, bits &= bits - 1) {
        size_t v = c[__builtin_ctzll(bits)];
        best = v > best ? v : best;
    }
    if (bits == 0)
        return best;
    size_t n = m->words[k - 1] - w * 64; /* (more than 8 marks: the word's children are there) */
    if (n >= 64) {
        size_t a = best, b = 0, d = 0, e = 0;
        for (int i = 0; i < 64; i += 4) {
            a = c[i] > a ? c[i] : a;
            b = c[i + 1] > b ? c[i + 1] : b;
            d = c[i + 2] > d ? c[i + 2] : d;
            e = c[i + 3] > e ? c[i + 3] : e;
        }
        a = b > a ? b : a;
        d = e > d ? e : d;
        return d > a ? d : a;
    }
    for (size_t i = 0; i < n; i++)
        best = c[i] > best ? c[i] : best;
    return best;
}

/* Recomputes max and the parent bits from word w of level k upwards. */
static void refresh(granmap *m, int k, size_t w)
{
    for (; k < m->levels; k++) {
        bool changed = false;
        if (m->max[k]) {
            size_t best = word_max(m, k, w);
            changed = m->max[k][w] != best;
            m->max[k][w] = best;
        }
        if (k + 1 >= m->levels)
            return;
        size_t parent = w / 64;
        uint64_t bit = (uint64_t)1 << (w % 64);
        bool was = (m->bits[k + 1][parent] & bit) != 0, is = m->bits[k][w] != 0;
        if (is)
            m->bits[k + 1][parent] |= bit;
        else
            m->bits[k + 1][parent] &= ~bit;
        if (!changed && was == is)
            return; /* neither this word's maximum nor whether it has any changed: nothing above does */
        w = parent;
    }
}

/* Word w of level 0 lost a granule of value `gone`: a word's maximum is
 * recomputed only when what it lost was its maximum (another child holds
 * it otherwise), and the climb stops at the first word whose maximum and
 * emptiness stay the same. */
static void lower(granmap *m, size_t w, size_t gone)
{
    for (int k = 0; k < m->levels; k++) {
        bool changed = false;
        size_t was = 0;
        if (m->max[k]) {
            was = m->max[k][w];
            if (gone >= was) {
                size_t now = word_max(m, k, w);
                m->max[k][w] = now;
                changed = now != was;
            }
        }
        if (k + 1 >= m->levels)
            return;
        bool empty = m->bits[k][w] == 0;
        if (empty)
            m->bits[k + 1][w / 64] &= ~((uint64_t)1 << (w % 64));
        if (!changed && !empty)
            return;
        gone = was; /* the parent lost this word's old maximum */
        w /= 64;
    }
}

/* A value appeared or grew at g: the maxima above it can only rise. The
 * climb stops at the first word that already holds the value and whose
 * parent already marks it: every word above then does too (a parent's
 * maximum is at least its children's, and a marked word's parent marks it). */
static void raise(granmap *m, size_t g)
{
    size_t v = m->value ? m->value(m->user, g) : 0;
    size_t w = g / 64;
    for (int k = 0; k < m->levels; k++) {
        bool held = true;
        if (m->max[k]) {
            held = m->max[k][w] >= v;
            if (!held)
                m->max[k][w] = v;
        }
        if (k + 1 >= m->levels)
            return;
        uint64_t *parent = &m->bits[k + 1][w / 64], bit = (uint64_t)1 << (w % 64);
        if (held && (*parent & bit))
            return;
        *parent |= bit;
        w /= 64;
    }
}

void granmap_set(granmap *m, size_t g)
{
    m->bits[0][g / 64] |= (uint64_t)1 << (g % 64);
    raise(m, g);
}

void granmap_raise(granmap *m, size_t g) { raise(m, g); }

void granmap_unset(granmap *m, size_t g)
{
    uint64_t bit = (uint64_t)1 << (g % 64);
    if (!(m->bits[0][g / 64] & bit))
        return;
    size_t gone = m->value ? m->value(m->user, g) : 0; /* (read while it is still marked) */
    m->bits[0][g / 64] &= ~bit;
    lower(m, g / 64, gone);
}

void granmap_update(granmap *m, size_t g) { refresh(m, 0, g / 64); }

size_t granmap_prev(const granmap *m, size_t g)
{
    /* climb while the current word has nothing before position i */
    size_t i = g; /* looking for a marked index < i at level k */
    int k = 0;
    for (;;) {
        if (i == 0)
            return GRANMAP_NONE;
        size_t w = (i - 1) / 64;
        uint64_t mask = (i - 1) % 64 == 63 ? ~(uint64_t)0 : (((uint64_t)1 << ((i - 1) % 64 + 1)) - 1);
        uint64_t bits = m->bits[k][w] & mask;
        if (bits) {
            size_t found = w * 64 + 63 - (size_t)__builtin_clzll(bits);
            /* descend: take the last marked child each time */
            while (k > 0) {
                k--;
                uint64_t b = m->bits[k][found];
                found = found * 64 + 63 - (size_t)__builtin_clzll(b);
            }
            return found;
        }
        if (k + 1 >= m->levels)
            return GRANMAP_NONE;
        i = w; /* words before w at the next level */
        k++;
    }
}

size_t granmap_next(const granmap *m, size_t g)
{
    size_t i = g;
    int k = 0;
    for (;;) {
        size_t w = i / 64;
        if (w >= m->words[k])
            return GRANMAP_NONE;
        uint64_t bits = m->bits[k][w] & (~(uint64_t)0 << (i % 64));
        if (bits) {
            size_t found = w * 64 + (size_t)__builtin_ctzll(bits);
            while (k > 0) {
                k--;
                found = found * 64 + (size_t)__builtin_ctzll(m->bits[k][found]);
            }
            return found;
        }
        if (k + 1 >= m->levels)
            return GRANMAP_NONE;
        i = w + 1;
        k++;
    }
}

/* The first marked granule with value >= need under word w of level k. */
static size_t search_word(const granmap *m, int k, size_t w, size_t need)
{
    uint64_t bits = m->bits[k][w];
    while (bits) {
        size_t child = w * 64 + (size_t)__builtin_ctzll(bits);
        if (k == 0) {
            if (m->value(m->user, child) >= need)
                return child;
        } else if (m->max[k - 1][child] >= need) {
            size_t r = search_word(m, k - 1, child, need);
            if (r != GRANMAP_NONE)
                return r;
        }
        bits &= bits - 1;
    }
    return GRANMAP_NONE;
}

size_t granmap_first_at_least(const granmap *m, size_t g, size_t need)
{
    if (g >= m->granules)
        return GRANMAP_NONE;
    /* the word containing g first, at level 0 */
    size_t w = g / 64;
    uint64_t bits = m->bits[0][w] & (~(uint64_t)0 << (g % 64));
    while (bits) {
        size_t child = w * 64 + (size_t)__builtin_ctzll(bits);
        if (m->value(m->user, child) >= need)
            return child;
        bits &= bits - 1;
    }
    /* then whole subtrees to the right, climbing as far as needed */
    size_t i = w + 1; /* next word index at level 0 == next index at level 1 */
    for (int k = 1; k < m->levels; k++) {
        /* indices at level k from i to the end of i's word */
        size_t ww = i / 64;
        if (ww >= m->words[k])
            return GRANMAP_NONE;
        uint64_t b = m->bits[k][ww] & (i % 64 ? (~(uint64_t)0 << (i % 64)) : ~(uint64_t)0);
        while (b) {
            size_t child = ww * 64 + (size_t)__builtin_ctzll(b);
            if (m->max[k - 1][child] >= need) {
                size_t r = search_word(m, k - 1, child, need);
                if (r != GRANMAP_NONE)
                    return r;
            }
            b &= b - 1;
        }
        i = ww + 1;
    }
    return GRANMAP_NONE;
}

/* ---- checkpoints ---- */

/* The words of level k that cover what the words below n of level k-1
 * cover (n: granules at level 0); n becomes that count. */
static size_t words_below(const granmap *m, int k, size_t *n)
{
    size_t words = (*n + 63) / 64;
    if (words > m->words[k])
        words = m->words[k];
    *n = words;
    return words;
}

bool granmap_save_below(const granmap *m, size_t n, const as_saver *w)
{
    for (int k = 0; k < m->levels; k++) {
        size_t words = words_below(m, k, &n);
        if (words == 0)
            return true;
        if (!as_save(w, m->bits[k], words * sizeof *m->bits[k]) ||
            (m->max[k] && !as_save(w, m->max[k], words * sizeof *m->max[k])))
            return false;
    }
    return true;
}

bool granmap_load_below(granmap *m, size_t n, const as_loader *r)
{
    for (int k = 0; k < m->levels; k++) {
        size_t words = words_below(m, k, &n);
        if (words == 0)
            return true;
        if (!as_load(r, m->bits[k], words * sizeof *m->bits[k]) ||
            (m->max[k] && !as_load(r, m->max[k], words * sizeof *m->max[k])))
            return false;
    }
    return true;
}
