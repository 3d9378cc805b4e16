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
        if (marked[g] && tk_rand(&seed) % 2) {
            marked[g] = false;
            granmap_unset(&m, g);
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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_against_a_model)};
    return cmocka_run_group_tests_name("granmap", tests, NULL, NULL);
}
