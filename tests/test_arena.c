/* test_arena.c - Zig's ArenaAllocator: growth, in-place growth, reset modes. */
#include "testkit.h"

static tk_view v;

static void test_first_chunk_size_follows_zig(void **state)
{
    arena *ar = arena_create(sysheap_instance());
    as_allocator a = arena_allocator(ar);
    assert_int_equal(arena_chunk_count(ar), 0);
    assert_non_null(as_alloc(a, 100, 3));
    /* createNode(0, 100 + 8): (108 + 32) * 1.5 = 210 */
    assert_int_equal(arena_capacity(ar), 210);
    /* the next request that does not fit: 1.5 * (prev usable + request + 32) */
    assert_non_null(as_alloc(a, 200, 0));
    assert_int_equal(arena_chunk_count(ar), 2);
    assert_int_equal(arena_capacity(ar), 210 + (194 + 201 + 32) * 3 / 2);
    assert_null(arena_check(ar));
    arena_destroy(ar);
}

static void test_grows_in_place_over_a_bump(void **state)
{
    bump *b = bump_create(1 << 16);
    bump_set_resize(b, BUMP_RESIZE_LAST); /* exercise 1's bump */
    arena *ar = arena_create(bump_instance(b));
    as_allocator a = arena_allocator(ar);
    assert_non_null(as_alloc(a, 100, 0));
    size_t first = arena_capacity(ar);
    assert_non_null(as_alloc(a, 1000, 0)); /* the chunk is the bump's last block */
    assert_int_equal(arena_chunk_count(ar), 1);
    assert_true(arena_capacity(ar) > first);
    assert_int_equal(bump_offset(b), arena_capacity(ar));
    assert_null(arena_check(ar));
    arena_destroy(ar);
    bump_destroy(b);
}

/* Over the tutorial's main-text bump (resize always fails) the chunk
 * cannot grow: a second chunk is taken, as Zig's arena does. */
static void test_new_chunk_over_a_plain_bump(void **state)
{
    bump *b = bump_create(1 << 16);
    assert_int_equal(bump_get_resize(b), BUMP_RESIZE_NEVER);
    arena *ar = arena_create(bump_instance(b));
    as_allocator a = arena_allocator(ar);
    assert_non_null(as_alloc(a, 100, 0));
    size_t first = arena_capacity(ar);
    assert_non_null(as_alloc(a, 1000, 0));
    assert_int_equal(arena_chunk_count(ar), 2);
    assert_true(arena_capacity(ar) > first);
    assert_null(arena_check(ar));
    arena_destroy(ar);
    bump_destroy(b);
}

static void test_reset_modes(void **state)
{
    arena *ar = arena_create(sysheap_instance());
    as_instance in = arena_instance(ar);
    for (int round = 0; round < 5; round++) {
        assert_non_null(as_alloc(in.a, 256, 0));
        assert_non_null(as_alloc(in.a, 4096, 0));
        for (int j = 0; j < 100; j++)
            assert_non_null(as_alloc(in.a, 4, 2));
        size_t before = arena_capacity(ar) - arena_chunk_count(ar) * ARENA_CHUNK_HEADER;
        assert_true(arena_reset(ar, AS_RESET_RETAIN_CAPACITY, 0));
        assert_int_equal(arena_chunk_count(ar), 1);
        assert_int_equal(arena_capacity(ar), before + ARENA_CHUNK_HEADER);
        tk_inspect(&in, &v);
        assert_int_equal(v.spans[1].kind, AS_SPAN_UNUSED); /* all released */
    }
    size_t cap = arena_capacity(ar);
    /* the retained chunk is large enough: no new chunk next round */
    assert_non_null(as_alloc(in.a, 256, 0));
    assert_non_null(as_alloc(in.a, 4096, 0));
    assert_int_equal(arena_capacity(ar), cap);
    assert_true(arena_reset(ar, AS_RESET_RETAIN_WITH_LIMIT, 1000));
    assert_int_equal(arena_capacity(ar), 1000 + ARENA_CHUNK_HEADER);
    assert_true(arena_reset(ar, AS_RESET_RETAIN_WITH_LIMIT, 0)); /* limit 0 = free_all */
    assert_int_equal(arena_chunk_count(ar), 0);
    assert_true(arena_reset(ar, AS_RESET_RETAIN_CAPACITY, 0)); /* empty: creates nothing */
    assert_int_equal(arena_chunk_count(ar), 0);
    assert_null(arena_check(ar));
    arena_destroy(ar);
}

static void test_last_block_resize_and_free(void **state)
{
    arena *ar = arena_create(sysheap_instance());
    as_instance in = arena_instance(ar);
    unsigned char *x = as_alloc(in.a, 10, 0);
    unsigned char *y = as_alloc(in.a, 10, 0);
    assert_int_equal(in.probe->judge_free(ar, x, 10, 0), AS_FREE_KEPT);
    assert_false(as_resize(in.a, x, 10, 0, 11));
    assert_true(as_resize(in.a, y, 10, 0, 20));
    size_t end;
    assert_true(in.probe->offset(ar, &end));
    as_free(in.a, y, 20, 0);
    size_t after;
    in.probe->offset(ar, &after);
    assert_int_equal(after, end - 20);
    assert_null(arena_check(ar));
    arena_destroy(ar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_chunk_size_follows_zig),
        cmocka_unit_test(test_grows_in_place_over_a_bump),
        cmocka_unit_test(test_new_chunk_over_a_plain_bump),
        cmocka_unit_test(test_reset_modes),
        cmocka_unit_test(test_last_block_resize_and_free),
    };
    return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
