/* test_pool.c - Zig's MemoryPool: LIFO reuse, fixed capacity, alignment. */
#include "testkit.h"

static tk_view v;

typedef struct entity {
    uint32_t id;
    float x, y;
    int32_t health;
    bool active;
} entity;

static void test_destroyed_slot_is_reused(void **state)
{
    pool *p = pool_create((pool_options){sizeof(entity), 2, 16, true});
    assert_int_equal(pool_slot_size(p), 24); /* 20 rounded to the pointer's 8 */
    entity *e1 = pool_create_item(p), *e2 = pool_create_item(p), *e3 = pool_create_item(p);
    assert_ptr_equal((unsigned char *)e2, (unsigned char *)e1 + 24);
    assert_ptr_equal((unsigned char *)e3, (unsigned char *)e2 + 24);
    pool_destroy_item(p, e2);
    entity *e4 = pool_create_item(p);
    assert_ptr_equal(e4, e2);
    assert_int_equal(pool_live(p), 3);
    assert_null(pool_check(p));
    pool_destroy(p);
}

static void test_fixed_capacity_fails_on_fifth(void **state)
{
    pool *p = pool_create((pool_options){24, 3, 4, false});
    for (int i = 0; i < 4; i++)
        assert_non_null(pool_create_item(p));
    assert_null(pool_create_item(p));
    assert_int_equal(pool_slab_count(p), 1);
    pool_destroy(p);
}

static void test_growable_adds_slabs(void **state)
{
    pool *p = pool_create((pool_options){24, 3, 4, true});
    for (int i = 0; i < 13; i++)
        assert_non_null(pool_create_item(p));
    assert_int_equal(pool_slab_count(p), 3); /* 4 + 8 + 16 slots */
    assert_int_equal(pool_slot_count(p), 28);
    pool_reset(p, AS_RESET_FREE_ALL);
    assert_int_equal(pool_slab_count(p), 1);
    assert_int_equal(pool_live(p), 0);
    assert_null(pool_check(p));
    pool_destroy(p);
}

static void test_large_alignments(void **state)
{
    for (uint8_t al = 4; al <= 6; al++) {
        pool *p = pool_create((pool_options){24, al, 8, true});
        for (int i = 0; i < 20; i++) {
            void *s = pool_create_item(p);
            assert_int_equal((uintptr_t)s % ((uintptr_t)1 << al), 0);
        }
        pool_destroy(p);
    }
}

static void test_inspection_shows_links_and_padding(void **state)
{
    pool *p = pool_create((pool_options){20, 2, 4, false});
    as_instance in = pool_instance(p);
    void *a = pool_create_item(p);
    void *b = pool_create_item(p);
    pool_destroy_item(p, a);
    tk_inspect(&in, &v);
    /* slot 0 free: link + freed; slot 1 live 20 + slack 4; 2 slots unused */
    assert_int_equal(v.spans[0].kind, AS_SPAN_META);
    assert_int_equal(v.spans[0].meta, AS_META_LINK);
    assert_int_equal(v.spans[1].kind, AS_SPAN_FREED);
    assert_int_equal(v.spans[2].kind, AS_SPAN_LIVE);
    assert_ptr_equal(v.spans[2].block, b);
    assert_int_equal(v.spans[3].kind, AS_SPAN_SLACK); /* the item rounded up to its slot */
    assert_ptr_equal(v.spans[3].block, b);
    assert_int_equal(v.spans[3].len, 4);
    assert_int_equal(v.spans[4].kind, AS_SPAN_UNUSED);
    assert_int_equal(in.probe->judge_free(p, a, 20, 2), AS_FREE_DOUBLE);
    assert_int_equal(in.probe->judge_free(p, (char *)b + 4, 20, 2), AS_FREE_NOT_OWNED);
    pool_destroy(p);
}

/* A reset that retains with a limit keeps the first slab and then the
 * next ones while their bytes fit the limit; the rest go (slabs of 16, 32
 * and 64 slots of 24 bytes: 384, 768 and 1536 bytes). */
static void test_retain_with_limit_keeps_what_fits(void **state)
{
    (void)state;
    static const struct { size_t limit, slabs; } cases[] = {
        {0, 1}, {400, 1}, {1151, 1}, {1152, 2}, {2687, 2}, {2688, 3}, {SIZE_MAX, 3}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        pool *p = pool_create((pool_options){24, 3, 16, true});
        for (int i = 0; i < 16 + 32 + 1; i++)
            assert_non_null(pool_create_item(p));
        assert_int_equal(pool_slab_count(p), 3);
        pool_reset_with_limit(p, AS_RESET_RETAIN_WITH_LIMIT, cases[c].limit);
        if (pool_slab_count(p) != cases[c].slabs)
            fail_msg("limit %zu: %zu slabs kept, not %zu", cases[c].limit, pool_slab_count(p), cases[c].slabs);
        assert_int_equal(pool_live(p), 0);
        assert_null(pool_check(p));
        for (int i = 0; i < 100; i++) /* and it grows again from there */
            assert_non_null(pool_create_item(p));
        assert_null(pool_check(p));
        pool_destroy(p);
    }
}

/* issue 13: 48 creates fill slabs of 16 and 32; a reset that keeps them and
 * 48 creates again must refill those two slabs (slab 0 first, in address
 * order) and add no third one. */
static void test_retain_capacity_reuses_every_slab(void **state)
{
    (void)state;
    pool *p = pool_create((pool_options){24, 3, 16, true});
    for (int i = 0; i < 48; i++)
        assert_non_null(pool_create_item(p));
    assert_int_equal(pool_slab_count(p), 2);
    pool_reset(p, AS_RESET_RETAIN_CAPACITY);
    assert_int_equal(pool_slab_count(p), 2);
    unsigned char *first = pool_create_item(p), *prev = first;
    for (int i = 1; i < 16; i++) {
        unsigned char *s = pool_create_item(p);
        assert_ptr_equal(s, prev + 24); /* slab 0 again, in address order */
        prev = s;
    }
    for (int i = 16; i < 48; i++)
        assert_non_null(pool_create_item(p));
    assert_int_equal(pool_slab_count(p), 2);
    assert_int_equal(pool_live(p), 48);
    assert_null(pool_check(p));
    assert_non_null(pool_create_item(p)); /* now every retained slot is in use */
    assert_int_equal(pool_slab_count(p), 3);
    assert_null(pool_check(p));
    pool_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_destroyed_slot_is_reused),
        cmocka_unit_test(test_fixed_capacity_fails_on_fifth),
        cmocka_unit_test(test_growable_adds_slabs),
        cmocka_unit_test(test_large_alignments),
        cmocka_unit_test(test_inspection_shows_links_and_padding),
        cmocka_unit_test(test_retain_capacity_reuses_every_slab),
        cmocka_unit_test(test_retain_with_limit_keeps_what_fits),
    };
    return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
