/* test_granmap.c - the position index, against a plain array model. */
#include "testkit.h"
#include "allocscope/granmap.h"

#define N 300000

static size_t values[N];
static bool marked[N];

static size_t value_of(const void *user, size_t g)
{
    return values[g];
}

static void test_against_a_model(void **state)
{
    granmap m;
    assert_true(granmap_init(&m, N, value_of, NULL));
    uint64_t seed = 99;
    for (int step = 0; step < 20000; step++) {
        size_t g = tk_rand(&seed) % N;
        size_t to = g >= 200 ? g - 1 - tk_rand(&seed) % 200 : 0; /* (near, or a few words down) */
        if (marked[g] && !marked[to] && g >= 200 && tk_rand(&seed) % 4 == 0) {
            /* a free block taking in the one after it: its mark moves down, its value grows */
            marked[g] = false;
            marked[to] = true;
            values[to] = values[g] + tk_rand(&seed) % 300;
            granmap_move(&m, g, to, values[g]);
            g = to;
        } else if (marked[g] && tk_rand(&seed) % 2) {
            marked[g] = false;
            granmap_unset(&m, g);
        } else if (marked[g]) {
            values[g] = tk_rand(&seed) % 1000;
            granmap_update(&m, g);
        } else {
            marked[g] = true;
            values[g] = tk_rand(&seed) % 1000;
            granmap_set(&m, g);
        }
        size_t q = tk_rand(&seed) % N, need = tk_rand(&seed) % 1100;
        size_t prev = GRANMAP_NONE, next = GRANMAP_NONE, first = GRANMAP_NONE;
        for (size_t i = q; i-- > 0;)
            if (marked[i]) {
                prev = i;
                break;
            }
        for (size_t i = q; i < N; i++)
            if (marked[i]) {
                next = i;
                break;
            }
        for (size_t i = q; i < N; i++)
            if (marked[i] && values[i] >= need) {
                first = i;
                break;
            }
        assert_int_equal(granmap_prev(&m, q), prev);
        assert_int_equal(granmap_next(&m, q), next);
        assert_int_equal(granmap_first_at_least(&m, q, need), first);
        assert_int_equal(granmap_test(&m, g), marked[g]);
    }
    granmap_release(&m);
}

/* A sparse model for maps far larger than the array above: the marked
 * granules and their values, unsorted. */
#define SPARSE 400
static size_t sparse_pos[SPARSE], sparse_val[SPARSE];
static size_t sparse_n;

static size_t sparse_value_of(const void *user, size_t g)
{
    (void)user;
    for (size_t i = 0; i < sparse_n; i++)
        if (sparse_pos[i] == g)
            return sparse_val[i];
    fail_msg("value asked for the unmarked granule %zu", g);
    return 0;
}

/* The largest value the map's top word summarises, and the model's. */
static size_t top_max(const granmap *m)
{
    size_t best = 0;
    for (size_t w = 0; w < m->words[m->levels - 1]; w++)
        best = m->max[m->levels - 1][w] > best ? m->max[m->levels - 1][w] : best;
    return best;
}

static size_t sparse_max(void)
{
    size_t best = 0;
    for (size_t i = 0; i < sparse_n; i++)
        best = sparse_val[i] > best ? sparse_val[i] : best;
    return best;
}

/* The summaries above granule g, level by level, against the model: each
 * word's maximum is the largest value under it (0 if none), and the word
 * above marks it exactly when it has any. */
static void check_summaries_of(const granmap *m, size_t g)
{
    size_t span = 64; /* granules under one word of level k */
    for (int k = 0; k < m->levels; k++, span *= 64) {
        size_t w = g / span, best = 0;
        bool any = false;
        for (size_t i = 0; i < sparse_n; i++)
            if (sparse_pos[i] / span == w) {
                any = true;
                best = sparse_val[i] > best ? sparse_val[i] : best;
            }
        assert_int_equal(m->max[k][w], best);
        assert_int_equal(m->bits[k][w] != 0, any);
        if (k + 1 < m->levels)
            assert_int_equal((m->bits[k + 1][w / 64] >> (w % 64)) & 1, any);
        if (span > SIZE_MAX / 64)
            break;
    }
}

/* Every query against the sparse model at a point q. */
static void check_sparse_at(const granmap *m, size_t q, size_t need)
{
    size_t prev = GRANMAP_NONE, next = GRANMAP_NONE, first = GRANMAP_NONE;
    for (size_t i = 0; i < sparse_n; i++) {
        size_t p = sparse_pos[i];
        if (p < q && (prev == GRANMAP_NONE || p > prev))
            prev = p;
        if (p >= q && (next == GRANMAP_NONE || p < next))
            next = p;
        if (p >= q && sparse_val[i] >= need && (first == GRANMAP_NONE || p < first))
            first = p;
    }
    assert_int_equal(granmap_prev(m, q), prev);
    assert_int_equal(granmap_next(m, q), next);
    assert_int_equal(granmap_first_at_least(m, q, need), first);
}

/* A map over more granules than 4 levels of 64 hold (64^4 = 16M granules,
 * 256 MiB of buffer): 1 GiB (the largest session buffer) and 4 GiB, with
 * marks spread over the whole range and clustered at both ends, so the
 * searches must cross the top-level words. */
static void sparse_run(size_t granules, uint64_t seed)
{
    granmap m;
    assert_true(granmap_init(&m, granules, sparse_value_of, NULL));
    sparse_n = 0;
    for (int step = 0; step < 4000; step++) {
        size_t r = tk_rand(&seed) % 4, g;
        if (r == 0)
            g = tk_rand(&seed) % 4096;
        else if (r == 1)
            g = granules - 1 - tk_rand(&seed) % 4096;
        else
            g = tk_rand(&seed) % granules;
        size_t at = SIZE_MAX;
        for (size_t i = 0; i < sparse_n; i++)
            if (sparse_pos[i] == g)
                at = i;
        size_t to = g - (g > 0 ? 1 + tk_rand(&seed) % (g < 100000 ? g : 100000) : 0), to_at = SIZE_MAX;
        for (size_t i = 0; i < sparse_n; i++)
            if (sparse_pos[i] == to)
                to_at = i;
        if (at != SIZE_MAX && to < g && to_at == SIZE_MAX && tk_rand(&seed) % 4 == 0) {
            size_t gone = sparse_val[at]; /* its mark moves down, its value grows */
            sparse_pos[at] = to;
            sparse_val[at] = gone + tk_rand(&seed) % 300;
            granmap_move(&m, g, to, gone);
            check_summaries_of(&m, g);
            g = to;
        } else if (at != SIZE_MAX && (tk_rand(&seed) % 2 || sparse_n == SPARSE)) {
            granmap_unset(&m, g); /* (while the model still has its value) */
            sparse_pos[at] = sparse_pos[--sparse_n];
            sparse_val[at] = sparse_val[sparse_n];
        } else if (at != SIZE_MAX) {
            sparse_val[at] = tk_rand(&seed) % 1000;
            granmap_update(&m, g);
        } else if (sparse_n < SPARSE) {
            sparse_pos[sparse_n] = g;
            sparse_val[sparse_n++] = tk_rand(&seed) % 1000;
            granmap_set(&m, g);
        }
        bool in_model = false;
        for (size_t i = 0; i < sparse_n; i++)
            in_model |= sparse_pos[i] == g;
        assert_int_equal(granmap_test(&m, g), in_model);
        assert_int_equal(top_max(&m), sparse_max());
        check_summaries_of(&m, g);
        if (step % 64 == 0)
            for (size_t i = 0; i < sparse_n; i++)
                check_summaries_of(&m, sparse_pos[i]);
        check_sparse_at(&m, tk_rand(&seed) % granules, tk_rand(&seed) % 1100);
        check_sparse_at(&m, tk_rand(&seed) % 8192, tk_rand(&seed) % 1100);
        check_sparse_at(&m, granules - tk_rand(&seed) % 8192, tk_rand(&seed) % 1100);
    }
    check_sparse_at(&m, 0, 0);
    check_sparse_at(&m, granules, 0);
    granmap_release(&m);
}

static void test_beyond_four_levels(void **state)
{
    (void)state;
    sparse_run(((size_t)1 << 30) / 16, 7);          /* 1 GiB: SESSION_MAX_BUFFER */
    sparse_run(((size_t)1 << 32) / 16 + 12345, 8);  /* 4 GiB and a bit: one more level */
}

/* The count of levels grows with the size: the top level is one word. */
static void test_top_level_is_one_word(void **state)
{
    (void)state;
    size_t sizes[] = {1, 64, 65, 4096, 4097, (size_t)1 << 24, ((size_t)1 << 24) + 1, ((size_t)1 << 28) + 1};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        granmap m;
        assert_true(granmap_init(&m, sizes[i], NULL, NULL));
        assert_int_equal(m.words[m.levels - 1], 1);
        granmap_set(&m, sizes[i] - 1);
        assert_int_equal(granmap_next(&m, 0), sizes[i] - 1);
        assert_int_equal(granmap_prev(&m, sizes[i]), sizes[i] - 1);
        granmap_release(&m);
    }
}

/* Clearing below a bound forgets every mark below it, at every level,
 * on a map of more than 4 levels. */
static void test_clear_below(void **state)
{
    (void)state;
    granmap m;
    size_t granules = ((size_t)1 << 26) + 5;
    assert_true(granmap_init(&m, granules, NULL, NULL));
    size_t marks[] = {0, 63, 64, 4095, 4096, 262143, 262144, 1000000, (size_t)1 << 24, ((size_t)1 << 24) + 77};
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        granmap_set(&m, marks[i]);
    granmap_clear_below(&m, ((size_t)1 << 24) + 78);
    assert_int_equal(granmap_next(&m, 0), GRANMAP_NONE);
    assert_int_equal(granmap_prev(&m, granules), GRANMAP_NONE);
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        assert_false(granmap_test(&m, marks[i]));
    granmap_set(&m, granules - 1); /* and it works on afterwards */
    assert_int_equal(granmap_next(&m, 0), granules - 1);
    granmap_release(&m);
}

/* The model tests again with each set of loops this CPU has (the plain
 * ones everywhere; AVX2 and AVX-512 on x86-64 that has them): the same
 * answers from each. */
static void test_every_set_of_loops(void **state)
{
    static const char *const names[] = {"plain", "AVX2", "AVX-512"};
    int ran = 0;
    for (int which = GRANMAP_LOOPS_PLAIN; which <= GRANMAP_LOOPS_AVX512; which++) {
        if (!granmap_use_loops((granmap_loops)which)) {
            print_message("(no %s loops here)\n", names[which]);
            continue;
        }
        memset(values, 0, sizeof values);
        memset(marked, 0, sizeof marked);
        test_against_a_model(state);
        test_beyond_four_levels(state);
        ran++;
    }
    assert_true(ran >= 1);
    assert_true(granmap_use_loops(GRANMAP_LOOPS_PLAIN));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_a_model),
        cmocka_unit_test(test_beyond_four_levels),
        cmocka_unit_test(test_top_level_is_one_word),
        cmocka_unit_test(test_clear_below),
        cmocka_unit_test(test_every_set_of_loops),
    };
    return cmocka_run_group_tests_name("granmap", tests, NULL, NULL);
}
