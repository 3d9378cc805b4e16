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
 * A search from granule 0 goes straight down from the top, taking at each
 * level the first marked child whose maximum reaches the bound (with
 * exact maxima the first one always holds an answer); from elsewhere it
 * first climbs from the start, as far as the subtrees to its right need.
 *
 * Cost: set/raise O(levels), climbing only while a word's maximum or its
 * parent's mark changes; unset O(levels), plus O(64) for each word whose
 * maximum it took away (only then is a maximum recomputed); move the same
 * but only below the first word that covers both places; update
 * O(64 * levels), climbing while a maximum or an emptiness changes;
 * prev/next O(levels); first_at_least O(levels) tests of 64 maxima at
 * once (a few vector compares), plus the callback for the candidates of
 * one level-0 word (two when it does not start at 0). Memory: about
 * granules / 8 bytes of bits (and 8 times that with values) over all levels.
 * A checkpoint of it (granmap_save_below) copies the words that cover the
 * granules in use: about n / 8 bytes (n / 4 with values) for n granules.
 */
#include "allocscope/granmap.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define GRANMAP_X86 1
#endif

/* ---- the 64 maxima below a word, taken together ----
 * Two questions are asked of the 64 maxima under a word of level k >= 1
 * (the arrays are padded to a multiple of 64 with 0s, so every word has
 * 64 to read): which reach a bound (the searches), and the largest (after
 * an unset). Plain loops answer them anywhere; on x86-64 the same loops in
 * AVX2 or AVX-512 are chosen once at start-up, by what the CPU has. */

static uint64_t reach_plain(const size_t *c, size_t need)
{
    uint64_t mask = 0;
    for (int i = 0; i < 64; i++)
        mask |= (uint64_t)(c[i] >= need) << i;
    return mask;
}

static size_t largest_plain(const size_t *c)
{
    size_t a = 0, b = 0, d = 0, e = 0;
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

#ifdef GRANMAP_X86
/* AVX2 compares signed 64-bit lanes: flipping the top bit of both sides
 * orders unsigned values the same way. */
__attribute__((target("avx2"))) static uint64_t reach_avx2(const size_t *c, size_t need)
{
    if (need == 0)
        return ~(uint64_t)0;
    const __m256i flip = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
    const __m256i below = _mm256_xor_si256(_mm256_set1_epi64x((long long)(need - 1)), flip);
    uint64_t mask = 0;
    for (int i = 0; i < 64; i += 4) {
        __m256i v = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(const void *)(c + i)), flip);
        int gt = _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(v, below)));
        mask |= (uint64_t)(unsigned)gt << i;
    }
    return mask;
}

__attribute__((target("avx2"))) static size_t largest_avx2(const size_t *c)
{
    const __m256i flip = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
    __m256i best = flip; /* (0, flipped) */
    for (int i = 0; i < 64; i += 4) {
        __m256i v = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(const void *)(c + i)), flip);
        best = _mm256_blendv_epi8(best, v, _mm256_cmpgt_epi64(v, best));
    }
    long long lane[4];
    _mm256_storeu_si256((__m256i *)(void *)lane, _mm256_xor_si256(best, flip));
    size_t r = 0;
    for (int i = 0; i < 4; i++)
        r = (size_t)lane[i] > r ? (size_t)lane[i] : r;
    return r;
}

__attribute__((target("avx512f"))) static uint64_t reach_avx512(const size_t *c, size_t need)
{
    const __m512i n = _mm512_set1_epi64((long long)need);
    uint64_t mask = 0;
    for (int i = 0; i < 64; i += 8)
        mask |= (uint64_t)_mm512_cmpge_epu64_mask(_mm512_loadu_si512((const void *)(c + i)), n) << i;
    return mask;
}

__attribute__((target("avx512f"))) static size_t largest_avx512(const size_t *c)
{
    __m512i best = _mm512_loadu_si512((const void *)c);
    for (int i = 8; i < 64; i += 8)
        best = _mm512_max_epu64(best, _mm512_loadu_si512((const void *)(c + i)));
    return (size_t)_mm512_reduce_max_epu64(best);
}
#endif

static uint64_t (*reach)(const size_t *c, size_t need) = reach_plain;
static size_t (*largest)(const size_t *c) = largest_plain;

bool granmap_use_loops(granmap_loops which)
{
    switch (which) {
    case GRANMAP_LOOPS_PLAIN:
        reach = reach_plain, largest = largest_plain;
        return true;
#ifdef GRANMAP_X86
    case GRANMAP_LOOPS_AVX2:
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("avx2"))
            return false;
        reach = reach_avx2, largest = largest_avx2;
        return true;
    case GRANMAP_LOOPS_AVX512:
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("avx512f"))
            return false;
        reach = reach_avx512, largest = largest_avx512;
        return true;
#endif
    default:
        return false;
    }
}

#ifdef GRANMAP_X86
__attribute__((constructor)) static void pick_loops(void)
{
    if (!granmap_use_loops(GRANMAP_LOOPS_AVX512))
        granmap_use_loops(GRANMAP_LOOPS_AVX2); /* (else the plain ones stay) */
}
#endif

/* An array of n words' maxima, padded with 0s to a multiple of 64. */
static size_t *maxima(size_t n) { return calloc((n + 63) / 64 * 64, sizeof(size_t)); }

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
        m->max[k] = value ? maxima(words) : NULL;
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
    return largest(c); /* (more than 8 marks: all 64, padding and unmarked words are 0) */
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
 * emptiness stay the same, or at level `until`. */
static void lower(granmap *m, size_t w, size_t gone, int until)
{
    for (int k = 0; k < until; k++) {
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
    lower(m, g / 64, gone, m->levels);
}

void granmap_move(granmap *m, size_t from, size_t to, size_t gone)
{
    /* below the first word that holds both, `from`'s words lose it; from
     * there up, the words only gain (the value at `to` is at least gone) */
    int common = 0;
    for (size_t a = from / 64, b = to / 64; a != b; a /= 64, b /= 64)
        common++;
    m->bits[0][from / 64] &= ~((uint64_t)1 << (from % 64));
    lower(m, from / 64, gone, common);
    granmap_set(m, to);
}

void granmap_update(granmap *m, size_t g) { refresh(m, 0, g / 64); }

size_t granmap_prev(const granmap *m, size_t g)
{
    if (g == 0)
        return GRANMAP_NONE;
    size_t i = g - 1; /* looking for a marked index <= i at level k */
    for (int k = 0;; k++) {
        size_t w = i / 64;
        uint64_t bits = m->bits[k][w] & (~(uint64_t)0 >> (63 - i % 64));
        if (bits) {
            size_t found = w * 64 + 63 - (size_t)__builtin_clzll(bits);
            while (k-- > 0) /* descend: the last marked child each time */
                found = found * 64 + 63 - (size_t)__builtin_clzll(m->bits[k][found]);
            return found;
        }
        if (w == 0 || k + 1 >= m->levels)
            return GRANMAP_NONE;
        i = w - 1; /* the words before w, one level up */
    }
}

size_t granmap_next(const granmap *m, size_t g)
{
    size_t i = g;
    for (int k = 0;; k++) {
        size_t w = i / 64;
        if (w >= m->words[k])
            return GRANMAP_NONE;
        uint64_t bits = m->bits[k][w] & (~(uint64_t)0 << (i % 64));
        if (bits) {
            size_t found = w * 64 + (size_t)__builtin_ctzll(bits);
            while (k-- > 0) /* descend: the first marked child each time */
                found = found * 64 + (size_t)__builtin_ctzll(m->bits[k][found]);
            return found;
        }
        if (k + 1 >= m->levels)
            return GRANMAP_NONE;
        i = w + 1; /* the words after w, one level up */
    }
}

/* The marked children among `bits` (of word w of level k >= 1) whose
 * maximum is >= need: mark by mark when there are few, else all 64 at once. */
static uint64_t reaching(const granmap *m, int k, size_t w, uint64_t bits, size_t need)
{
    const size_t *c = m->max[k - 1] + w * 64;
    uint64_t few = bits;
    for (int i = 0; i < 8 && few; i++)
        few &= few - 1;
    if (few) /* more than 8 marks */
        return bits & reach(c, need);
    uint64_t r = 0;
    for (uint64_t b = bits; b; b &= b - 1)
        r |= (uint64_t)(c[__builtin_ctzll(b)] >= need) << __builtin_ctzll(b);
    return r;
}

/* The first marked granule with value >= need under word w of level k. */
static size_t search_word(const granmap *m, int k, size_t w, size_t need)
{
    uint64_t bits = m->bits[k][w];
    if (k == 0) {
        for (; bits; bits &= bits - 1) {
            size_t child = w * 64 + (size_t)__builtin_ctzll(bits);
            if (m->value(m->user, child) >= need)
                return child;
        }
        return GRANMAP_NONE;
    }
    for (bits = reaching(m, k, w, bits, need); bits; bits &= bits - 1) {
        size_t r = search_word(m, k - 1, w * 64 + (size_t)__builtin_ctzll(bits), need);
        if (r != GRANMAP_NONE) /* (always the first: a maximum is a value below it) */
            return r;
    }
    return GRANMAP_NONE;
}

size_t granmap_first_at_least(const granmap *m, size_t g, size_t need)
{
    if (g >= m->granules)
        return GRANMAP_NONE;
    int top = m->levels - 1;
    if (g == 0) /* the whole map: straight down from the top */
        return m->max[top][0] >= need && m->bits[top][0] ? search_word(m, top, 0, need) : GRANMAP_NONE;
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
        uint64_t b = m->bits[k][ww] & (~(uint64_t)0 << (i % 64));
        for (b = reaching(m, k, ww, b, need); b; b &= b - 1) {
            size_t r = search_word(m, k - 1, ww * 64 + (size_t)__builtin_ctzll(b), need);
            if (r != GRANMAP_NONE)
                return r;
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
