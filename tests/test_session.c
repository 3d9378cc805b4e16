/* test_session.c - the session: commands, warnings, bad input, undo. */
#include "sessionkit.h"

static void test_tutorial_bump_program(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 4096");
    const char *a = sk_run(s, "alloc u32[10] as nums");
    assert_non_null(strstr(a, "40 bytes at offset 0 (align 4"));
    sk_run(s, "alloc 32 as msg");
    sk_run(s, "expect offset 72");
    sk_run(s, "expect live 2");
    sk_run(s, "alloc 1 as c");
    a = sk_run(s, "alloc 100 align 8 as buf");
    assert_non_null(strstr(a, "#4 buf: 100 bytes at offset 80 (align 8, 7 bytes of padding)"));
    sk_run(s, "expect block buf offset 80 size 100 padding 7 align 8 live");
    sk_run(s, "expect padding 7");
    a = sk_run(s, "reset");
    assert_non_null(strstr(a, "4 blocks (173 bytes) released at once"));
    sk_run(s, "expect offset 0");
    sk_run(s, "expect live 0");
    /* a reset is one event, not four frees or leaks */
    assert_int_equal(session_warning_count(s), 0);
    session_destroy(s);
}

static void test_bad_input_leaves_state_intact(void **state)
{
    static const char *const bad[] = {
        "alloc", "alloc -5", "alloc 0", "alloc ten", "alloc 99999999999999999999999", "alloc 8 align 3",
        "alloc 8 align 8192", "alloc 8 as", "alloc 8 as 9x", "alloc 8 as buf", "alloc u33",
        "alloc u32[0]", "alloc 2G", "free nothere", "resize buf", "resize buf 0", "resize nothere 5",
        "realloc buf -1", "new", "new blimp 100", "new bump 0", "new buddy 1000", "new bump 2GiB",
        "switch nowhere", "allocate 5", "reset free-all", "write buf", "write buf 5000",
        "read buf 90 20", "expect", "expect block", "expect frobnicate 3", "zoom 3", "show",
        "struct { }", "struct E { u32 a; u32 a; }", "struct F { F x; }", "struct G { }",
        "struct H { blob b; }", "alloc \xff", "dump xml", "help nothing", "try", "layout nothing",
        "new pool 24 capacity 0", "free buf extra", "new freelist 8", "new pool Entity", "new freelist 4096 first-fit best-fit",
    };
    session *s = session_create();
    sk_run(s, "new bump 256");
    sk_run(s, "alloc 100 as buf");
    char *before = sk_state(s);
    size_t hist_step = session_step(s);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *ans = sk_run_status(s, bad[i], SESSION_ERROR);
        if (strncmp(ans, "error: ", 7) != 0)
            fail_msg("'%s' answered without 'error: ': %s", bad[i], ans);
        char *after = sk_state(s);
        if (strcmp(before, after) != 0)
            fail_msg("'%s' changed the state", bad[i]);
        free(after);
    }
    assert_int_equal(session_step(s), hist_step);
    /* an unknown figure is named as such, with or without its number */
    assert_non_null(strstr(sk_run_status(s, "expect bogus", SESSION_ERROR), "unknown figure 'bogus'"));
    /* a pool of a type not defined yet says how to define it */
    assert_non_null(strstr(sk_run_status(s, "new pool Entity", SESSION_ERROR), "struct Entity {"));
    free(before);
    session_destroy(s);
}

static void test_suggestions(void **state)
{
    session *s = session_create();
    const char *a = sk_run_status(s, "allco 5", SESSION_ERROR);
    assert_non_null(strstr(a, "did you mean 'alloc'"));
    a = sk_run_status(s, "new bmup", SESSION_ERROR);
    assert_non_null(strstr(a, "did you mean 'bump'"));
    session_destroy(s);
}

static void test_double_free_says_where(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 1024");
    sk_run(s, "alloc 100 as buf");  /* step 2 */
    sk_run(s, "alloc 10");          /* step 3 */
    sk_run(s, "free buf");          /* step 4 */
    char *before = sk_state_but_warnings(s);
    sk_run(s, "free buf");          /* step 5 */
    assert_true(sk_has_warning(s, "double-free", "double free of buf (100 bytes): allocated at step 2, "
                                                 "first freed at step 4"));
    char *after = sk_state_but_warnings(s);
    assert_string_equal(before, after); /* the free list was not handed the second free */
    free(after);
    sk_run(s, "expect warning double-free");
    sk_run(s, "check");
    const char *a = sk_run(s, "check");
    assert_non_null(strstr(a, "every invariant of freelist holds")); /* not corrupted */
    free(before);
    session_destroy(s);
}

/* A name whose last allocation failed holds NULL: freeing it does nothing
 * (free(NULL)), it is no double free of the block the name had before,
 * and a resize says why there is nothing to resize; undo takes it back. */
static void test_free_after_failed_allocation(void **state)
{
    (void)state;
    session *s = session_create();
    sk_run(s, "new freelist 256");
    sk_run(s, "alloc 100 as t0");
    sk_run(s, "free t0");
    sk_run(s, "alloc 5000 as t0"); /* out of memory */
    char *before = sk_state_but_warnings(s);
    size_t warnings = session_warning_count(s);
    const char *a = sk_run(s, "free t0");
    assert_non_null(strstr(a, "nothing to free: the last allocation named t0 failed"));
    assert_int_equal(session_warning_count(s), warnings);
    assert_false(sk_has_warning(s, "double-free", NULL));
    a = sk_run_status(s, "realloc t0 50", SESSION_ERROR);
    assert_non_null(strstr(a, "t0 holds no block: its last allocation failed"));
    char *after = sk_state_but_warnings(s);
    assert_string_equal(before, after);
    sk_run(s, "undo"); /* the free of nothing */
    sk_run(s, "undo"); /* the failed allocation: t0 is the freed block again */
    sk_run(s, "free t0");
    assert_true(sk_has_warning(s, "double-free", NULL));
    sk_run(s, "undo");
    sk_run(s, "alloc 5000 as t0");
    a = sk_run(s, "free t0");
    assert_non_null(strstr(a, "nothing to free"));
    sk_run(s, "alloc 10 as t0"); /* a block again: the name is a real pointer once more */
    sk_run(s, "free t0");
    sk_run(s, "free t0");
    assert_true(sk_has_warning(s, "double-free", NULL));
    free(before);
    free(after);
    session_destroy(s);
}

/* A name whose first allocation failed holds NULL too (no block ever had
 * it): free does nothing, try free says so, resize has nothing to resize,
 * each allocator keeps its own (another's block of the name is its own
 * business), undo and a block made under the name take it back. */
static void test_free_after_first_allocation_failed(void **state)
{
    (void)state;
    session *s = session_create();
    sk_run(s, "new freelist 256 as A");
    sk_run(s, "alloc 5000 as big"); /* out of memory, and no block was ever named big */
    char *before = sk_state_but_warnings(s);
    size_t warnings = session_warning_count(s), step = session_step(s);
    assert_non_null(strstr(sk_run(s, "try free big"), "would do nothing: big holds no block"));
    const char *a = sk_run(s, "free big");
    assert_non_null(strstr(a, "nothing to free: the allocation named big failed"));
    assert_int_equal(session_step(s), step + 1); /* a step, as free(NULL) is a call */
    assert_int_equal(session_warning_count(s), warnings);
    a = sk_run_status(s, "resize big 50", SESSION_ERROR);
    assert_non_null(strstr(a, "big holds no block: its allocation failed"));
    char *after = sk_state_but_warnings(s);
    assert_string_equal(before, after);
    sk_run(s, "undo"); /* the free of nothing */
    sk_run(s, "undo"); /* the failed allocation: big names nothing at all */
    assert_non_null(strstr(sk_run_status(s, "free big", SESSION_ERROR), "no block named 'big'"));
    sk_run(s, "alloc 5000 as big");
    sk_run(s, "new bump 64 as B");
    assert_non_null(strstr(sk_run_status(s, "free big", SESSION_ERROR), "no block named 'big'")); /* B's own */
    sk_run(s, "switch A");
    assert_non_null(strstr(sk_run(s, "free big"), "nothing to free"));
    sk_run(s, "alloc 10 as big"); /* a block: the name is a real pointer */
    sk_run(s, "free big");
    sk_run(s, "free big");
    assert_true(sk_has_warning(s, "double-free", NULL));
    /* many such names (their index grows), every other one given a block later */
    char line[64];
    sk_run(s, "new freelist 65536 as C");
    for (int i = 0; i < 300; i++) {
        snprintf(line, sizeof line, "alloc 70000 as n%d", i);
        sk_run(s, line);
    }
    for (int i = 0; i < 300; i += 2) {
        snprintf(line, sizeof line, "alloc 8 as n%d", i);
        sk_run(s, line);
    }
    for (int i = 0; i < 300; i++) {
        snprintf(line, sizeof line, "free n%d", i);
        assert_int_equal(strstr(sk_run(s, line), "nothing to free") != NULL, i % 2 == 1);
    }
    free(before);
    free(after);
    session_destroy(s);
}

static void test_debug_allocator_catches(void **state)
{
    session *s = session_create();
    sk_run(s, "new debug 8192");
    sk_run(s, "alloc 100 as d1");
    sk_run(s, "alloc u32[50] as d2");
    sk_run(s, "alloc 200 as d3");
    sk_run(s, "free d1");
    sk_run(s, "free d2");
    sk_run(s, "leaks");
    assert_true(sk_has_warning(s, "leak", "d3 (200 bytes)"));
    sk_run(s, "free d1");
    assert_true(sk_has_warning(s, "double-free", "allocated at step 2, first freed at step 5"));
    sk_run(s, "write d3 205");
    assert_true(sk_has_warning(s, "overflow", "d3"));
    sk_run(s, "write d2 4");
    assert_true(sk_has_warning(s, "use-after-free", "d2"));
    session_stats st;
    session_get_stats(s, &st);
    assert_int_equal(st.total_allocated, 500);
    assert_int_equal(st.total_freed, 300);
    session_destroy(s);
}

static void test_debug_memory_limit(void **state)
{
    session *s = session_create();
    sk_run(s, "new debug 8192 limit 300");
    sk_run(s, "alloc 200 as a");
    const char *a = sk_run(s, "alloc 200 as b");
    assert_non_null(strstr(a, "out of memory: 200 bytes (align 1) do not fit in debug: over its memory limit of "
                              "300 bytes (200 in use)")); /* (not the buffer's free bytes: it had room) */
    assert_true(sk_has_warning(s, "memory-limit", "200 more bytes would pass the limit"));
    assert_true(sk_has_warning(s, "out-of-memory", "over its memory limit of 300 bytes"));
    sk_run(s, "free a");
    sk_run(s, "alloc 200 as b");
    sk_run(s, "expect block b live");
    sk_run_status(s, "new bump 64 limit 10", SESSION_ERROR);
    session_destroy(s);
}

static void test_stack_out_of_order(void **state)
{
    session *s = session_create();
    sk_run(s, "new stack 1024");
    sk_run(s, "alloc 16 as a");
    sk_run(s, "alloc 16 as b");
    sk_run(s, "alloc 16 as c");
    const char *t = sk_run(s, "try free a");
    assert_non_null(strstr(t, "out-of-order-free"));
    assert_int_equal(session_warning_count(s), 0); /* a dry run warns nobody */
    sk_run(s, "free a");
    assert_true(sk_has_warning(s, "out-of-order-free", "free of a"));
    sk_run(s, "expect block a live");
    sk_run(s, "free c");
    sk_run(s, "free b");
    sk_run(s, "free a");
    sk_run(s, "expect offset 0");
    session_destroy(s);
}

static void test_noop_and_oom(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 64");
    sk_run(s, "alloc 40 as a");
    sk_run(s, "free a");
    assert_true(sk_has_warning(s, "noop-free", "a bump allocator frees nothing until reset"));
    char *before = sk_state_but_warnings(s);
    const char *a = sk_run(s, "alloc 40 as b");
    assert_non_null(strstr(a, "out of memory"));
    assert_true(sk_has_warning(s, "out-of-memory", "40 bytes (align 1) do not fit in bump"));
    char *after = sk_state_but_warnings(s);
    assert_string_equal(before, after); /* a failed allocation changes nothing but the warnings */
    free(after);
    sk_run(s, "expect offset 40");
    sk_run(s, "expect live 0");
    free(before);
    session_destroy(s);
}

static void test_undo_is_exact(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 2048 best-fit");
    sk_run(s, "alloc 100 as a");
    sk_run(s, "alloc 200 align 64 as b");
    sk_run(s, "alloc 50 as c");
    char *before = sk_state(s);
    sk_run(s, "free b");
    sk_run(s, "note look at the hole");
    sk_run(s, "undo");
    char *after = sk_state(s);
    assert_string_equal(before, after);
    free(before);
    free(after);
    sk_run_status(s, "undo", SESSION_OK);
    sk_run(s, "expect live 2");
    session_destroy(s);
}

static void test_rewind_to_any_step(void **state)
{
    static const char *const lines[] = {
        "new arena", "alloc 100 as a", "alloc 5000 as b", "reset retain", "alloc 30 as c",
    };
    session *s = session_create();
    char *states[6];
    states[0] = sk_state(s);
    for (size_t i = 0; i < 5; i++) {
        sk_run(s, lines[i]);
        states[i + 1] = sk_state(s);
    }
    for (size_t k = 6; k-- > 0;) {
        assert_true(interp_rewind(s, k));
        char *now = sk_state(s);
        assert_string_equal(now, states[k]);
        free(now);
    }
    for (size_t k = 0; k < 6; k++)
        free(states[k]);
    session_destroy(s);
}

static void test_switch_and_kinds(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 1024");
    sk_run(s, "alloc 10 as x");
    const char *a = sk_run(s, "switch pool");
    assert_non_null(strstr(a, "pool: pool of 24-byte slots"));
    sk_run(s, "alloc 24 as p1");
    sk_run(s, "expect allocator pool");
    sk_run(s, "switch bump");
    sk_run(s, "expect block x size 10 live");
    sk_run(s, "new bump 512");
    sk_run(s, "expect allocator bump2");
    assert_int_equal(session_allocator_count(s), 3);
    sk_run(s, "new counting over freelist 1024 as cnt");
    sk_run(s, "alloc 10");
    sk_run(s, "alloc 20");
    sk_run(s, "free");
    a = sk_run(s, "stats");
    assert_non_null(strstr(a, "calls: 2 alloc, 0 resize, 0 remap, 1 free"));
    sk_run(s, "new arena over bump 8192");
    sk_run(s, "new buddy 1024");
    sk_run(s, "new fixed 256");
    sk_run(s, "new stack 256");
    sk_run(s, "new debug over freelist 4096");
    sk_run(s, "new freelist 4096 next-fit");
    assert_int_equal(session_allocator_count(s), 10);
    session_destroy(s);
}

static void test_free_through_the_wrong_allocator(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 1024 as heap");
    sk_run(s, "alloc 64 as buf");
    sk_run(s, "new pool 64 capacity 4");
    const char *t = sk_run(s, "try free buf");
    assert_non_null(strstr(t, "invalid-free"));
    sk_run(s, "free buf");
    assert_true(sk_has_warning(s, "invalid-free", "buf belongs to heap, not pool"));
    sk_run(s, "switch heap");
    sk_run(s, "expect block buf live");
    session_destroy(s);
}

static void test_write_read_and_realloc(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 1024");
    sk_run(s, "alloc 8 as a");
    sk_run(s, "alloc 8 as b");
    sk_run(s, "write a \"hello\"");
    const char *r = sk_run(s, "read a 0 5");
    assert_non_null(strstr(r, "68 65 6c 6c 6f"));
    const char *m = sk_run(s, "realloc a 100");
    assert_non_null(strstr(m, "moved from offset 16"));
    r = sk_run(s, "read a 0 5");
    assert_non_null(strstr(r, "|hello|")); /* copied */
    sk_run(s, "write b 12");
    assert_true(sk_has_warning(s, "overflow", "runs 4 bytes past the end of b"));
    sk_run(s, "free b");
    sk_run(s, "write b 2");
    assert_true(sk_has_warning(s, "use-after-free", "write to b"));
    const char *c = sk_run(s, "check");
    assert_non_null(strstr(c, "holds"));
    session_destroy(s);
}

static void test_typed_allocations_and_structs(void **state)
{
    session *s = session_create();
    sk_run(s, "struct Entity { u32 id; f32 x; f32 y; i32 health; bool active; }");
    sk_run(s, "expect type Entity size 20 align 4 padding 3 reordered 20");
    sk_run(s, "struct Bad {");
    sk_run(s, "  u8 a;");
    sk_run(s, "  u64 b;");
    sk_run(s, "  u8 c; }");
    sk_run(s, "expect type Bad size 24 align 8 padding 14 reordered 16");
    const char *l = sk_run(s, "layout Bad");
    assert_non_null(strstr(l, "24 bytes, align 8, 14 of them padding; reordered: 16 bytes"));
    sk_run(s, "new bump 1024");
    sk_run(s, "alloc u8 as tag");
    const char *a = sk_run(s, "alloc Entity[3] as e");
    assert_non_null(strstr(a, "60 bytes at offset 4 (align 4, 3 bytes of padding)"));
    sk_run(s, "new pool Entity");
    sk_run(s, "alloc Entity as e1");
    sk_run(s, "expect block e1 size 20 align 4");
    sk_run_status(s, "expect block e1 size 24", SESSION_EXPECT_FAILED);
    sk_run(s, "packed struct P { u8 a; u32 b; }");
    sk_run(s, "expect type P size 5 align 1 padding 0");
    session_destroy(s);
}

static void test_expect_failure_messages(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 128");
    sk_run(s, "alloc 10 as a");
    const char *a = sk_run_status(s, "expect offset 12", SESSION_EXPECT_FAILED);
    assert_string_equal(a, "expect failed: offset: expected 12, found 10\n");
    a = sk_run_status(s, "expect block a padding 2", SESSION_EXPECT_FAILED);
    assert_string_equal(a, "expect failed: block a padding: expected 2, found 0\n");
    a = sk_run_status(s, "expect warning double-free", SESSION_EXPECT_FAILED);
    assert_non_null(strstr(a, "there is none"));
    sk_run(s, "expect no warnings");
    session_destroy(s);
}

static void test_arena_reset_modes_in_session(void **state)
{
    session *s = session_create();
    sk_run(s, "new arena");
    for (int r = 0; r < 5; r++) {
        sk_run(s, "alloc 256 as header");
        sk_run(s, "alloc 4096 as body");
        sk_run(s, "alloc u32[100] as items");
        const char *a = sk_run(s, "reset retain");
        assert_non_null(strstr(a, "3 blocks (4752 bytes) released at once"));
    }
    sk_run(s, "expect live 0");
    const char *a = sk_run(s, "reset free-all");
    assert_non_null(strstr(a, "0 bytes kept"));
    sk_run(s, "expect stat capacity 0");
    session_destroy(s);
}

/* issue 14: write and read touch only the bytes the allocator reports as
 * the block's at that step; after a reset over a wrapped allocator they
 * are the backing free list's, and the write is refused (state intact). */
static void test_write_read_only_the_blocks_own_bytes(void **state)
{
    static const char *const kinds[] = {"debug over freelist 4096", "debug over buddy 4096",
                                        "debug over stack 4096", "debug over bump 4096"};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        session *s = session_create();
        char line[64];
        snprintf(line, sizeof line, "new %s", kinds[k]);
        sk_run(s, line);
        sk_run(s, "alloc 64 as a");
        sk_run(s, "reset");
        char *before = sk_state(s);
        const char *m = sk_run_status(s, "write a \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"", SESSION_ERROR);
        assert_non_null(strstr(m, "no longer its own"));
        sk_run_status(s, "read a", SESSION_ERROR);
        char *after = sk_state(s);
        assert_string_equal(before, after);
        free(before);
        free(after);
        sk_run(s, "alloc 8");
        sk_run(s, "alloc 100");
        assert_null(session_check(s));
        session_destroy(s);
    }
    /* a debug allocator's quarantine is still written: that is what it catches */
    session *s = session_create();
    sk_run(s, "new debug over freelist 4096");
    sk_run(s, "alloc 16 as a");
    sk_run(s, "free a");
    assert_non_null(strstr(sk_run(s, "write a \"xy\""), "the debug allocator noticed"));
    assert_non_null(strstr(sk_run(s, "read a 0 2"), "78 79"));
    /* past the end and its guard: an error naming the block's size */
    sk_run(s, "alloc 24 as y");
    const char *m = sk_run_status(s, "write y 9999 1", SESSION_ERROR);
    assert_non_null(strstr(m, "past the end of y (24 bytes"));
    session_destroy(s);
}

/* check that finds a broken invariant fails the run (a batch exits 1). */
static void test_check_broken_invariant_fails(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 1024");
    sk_run(s, "alloc 32 as a");
    sk_run(s, "alloc 32 as b");
    sk_run(s, "free a");
    bool live;
    unsigned char *p = (unsigned char *)session_block_ptr_at(s, 0, &live);
    assert_false(live);
    memset(p, 0xff, 16); /* its free-list link: what a stray write would do */
    const char *m = sk_run_status(s, "check", SESSION_EXPECT_FAILED);
    assert_non_null(strstr(m, "an invariant is broken"));
    memset(p, 0, 16);
    session_destroy(s); /* (the free list is not walked again) */
}

/* show of a freed block says whose its bytes are now: another block's, or
 * what it left (or the allocator wrote) there. */
static void test_show_freed_block_says_whose(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 4096");
    sk_run(s, "alloc 16 as a");
    sk_run(s, "write a \"hello\"");
    sk_run(s, "free a");
    assert_non_null(strstr(sk_run(s, "show a"), "freed at step 4: stale bytes"));
    sk_run(s, "alloc 16 as b");
    sk_run(s, "write b \"XYZ\"");
    const char *shown = sk_run(s, "show a");
    assert_non_null(strstr(shown, "freed at step 4: its bytes are now b's"));
    assert_non_null(strstr(shown, "58 59 5a"));
    session_destroy(s);
}

/* A debug allocator reports leaks in the order the blocks were made, not
 * in its table's order (which follows addresses): a session rebuilt
 * elsewhere in memory says the same. */
static void test_leaks_in_allocation_order(void **state)
{
    session *s = session_create();
    sk_run(s, "new debug over freelist 8192");
    char line[64];
    for (int i = 0; i < 40; i++) {
        snprintf(line, sizeof line, "alloc %d as k%d", 8 + (i * 37) % 90, i);
        sk_run(s, line);
    }
    size_t before = session_warning_count(s);
    sk_run(s, "leaks");
    assert_int_equal(session_warning_count(s) - before, 40);
    for (int i = 0; i < 40; i++) {
        session_warning w = session_warning_at(s, before + (size_t)i);
        snprintf(line, sizeof line, "leak: k%d (", i);
        assert_non_null(strstr(w.message, line));
    }
    session_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_show_freed_block_says_whose),
        cmocka_unit_test(test_leaks_in_allocation_order),
        cmocka_unit_test(test_tutorial_bump_program),
        cmocka_unit_test(test_bad_input_leaves_state_intact),
        cmocka_unit_test(test_suggestions),
        cmocka_unit_test(test_double_free_says_where),
        cmocka_unit_test(test_free_after_failed_allocation),
        cmocka_unit_test(test_free_after_first_allocation_failed),
        cmocka_unit_test(test_debug_allocator_catches),
        cmocka_unit_test(test_debug_memory_limit),
        cmocka_unit_test(test_stack_out_of_order),
        cmocka_unit_test(test_noop_and_oom),
        cmocka_unit_test(test_undo_is_exact),
        cmocka_unit_test(test_rewind_to_any_step),
        cmocka_unit_test(test_switch_and_kinds),
        cmocka_unit_test(test_free_through_the_wrong_allocator),
        cmocka_unit_test(test_write_read_and_realloc),
        cmocka_unit_test(test_typed_allocations_and_structs),
        cmocka_unit_test(test_expect_failure_messages),
        cmocka_unit_test(test_arena_reset_modes_in_session),
        cmocka_unit_test(test_write_read_only_the_blocks_own_bytes),
        cmocka_unit_test(test_check_broken_invariant_fails),
    };
    return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
