/* test_lookup.c - finding blocks by name (an index keyed by name and
 * allocator), and out-of-memory failures that stay cheap. */
#include "sessionkit.h"

/* The active allocator's block first (live, else its newest), then
 * another allocator's live block, then the newest anywhere. */
static void test_names_resolve_in_order(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 4096 as A");
    sk_run(s, "alloc 10 as x");       /* #1 in A */
    sk_run(s, "free x");
    sk_run(s, "alloc 11 as x");       /* #2 in A, live */
    sk_run(s, "new freelist 4096 as B");
    sk_run(s, "alloc 12 as x");       /* #3 in B, live */
    sk_run(s, "free x");              /* frees #3: B's own */
    sk_run(s, "expect block x size 12 freed");
    sk_run(s, "alloc 13 as x");       /* #4 in B */
    sk_run(s, "expect block x size 13 live");
    sk_run(s, "switch A");
    sk_run(s, "expect block x size 11 live");
    sk_run(s, "free x");
    sk_run(s, "expect block x size 11 freed"); /* A's newest, freed, before B's live one */
    sk_run(s, "new freelist 4096 as C");
    sk_run(s, "expect block x size 13 live"); /* C has none: B's live one before A's freed one */
    sk_run(s, "switch B");
    sk_run(s, "free x");
    sk_run(s, "switch C");
    sk_run(s, "expect block x size 13 freed"); /* none live: the newest */
    sk_run(s, "alloc 14 as y");
    sk_run(s, "undo");
    sk_run(s, "alloc 15 as y");
    sk_run(s, "expect block y size 15 live");
    session_destroy(s);
}

/* One name reused many times: each reuse finds the name's block at once
 * (it used to scan every block ever made), and stays right. */
static void test_one_name_reused(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 64K");
    for (int i = 0; i < 100000; i++) { /* each free finds the block just made, never an older one */
        sk_run(s, "alloc 24 as node");
        sk_run(s, "free node");
    }
    sk_run(s, "expect block node size 24 freed");
    sk_run(s, "alloc 40 as node");
    sk_run(s, "expect block node size 40 live");
    sk_run(s, "expect block #100001 size 40 live");
    sk_run(s, "expect block #100000 size 24 freed");
    sk_run(s, "expect live 1");
    sk_run(s, "free node");
    sk_run(s, "expect block node size 40 freed"); /* the newest, freed: not the first of 100,001 */
    assert_non_null(strstr(sk_run(s, "free node"), "double free of node")); /* of the newest, caught */
    sk_run(s, "alloc 8 as node");
    sk_run_status(s, "alloc 8 as node", SESSION_ERROR); /* still unique among live blocks */
    session_destroy(s);
}

/* Past the first out-of-memory failures of an allocator, the warning
 * leaves the heap's figures out (they take a walk of the heap). */
static void test_many_oom_failures_stay_cheap(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 1024");
    sk_run(s, "alloc 900");
    for (int i = 0; i < 40; i++)
        sk_run(s, "alloc 600");
    assert_int_equal(session_warning_count(s), 40);
    session_warning first = session_warning_at(s, 0);
    assert_non_null(strstr(first.message, "bytes free or never used"));
    session_warning last_detailed = session_warning_at(s, 31);
    assert_non_null(strstr(last_detailed.message, "further out-of-memory warnings"));
    session_warning cheap = session_warning_at(s, 39);
    assert_string_equal(cheap.kind, "out-of-memory");
    assert_null(strstr(cheap.message, "free or never used"));
    assert_non_null(strstr(cheap.message, "600 bytes (align 1) do not fit in freelist"));
    session_destroy(s);
}

/* `free` without a name frees the most recent live block, however many
 * blocks were freed since (each is passed over once, not at every free). */
static void test_free_without_a_name(void **state)
{
    session *s = session_create();
    sk_run(s, "new freelist 1M");
    for (int i = 0; i < 3000; i++)
        sk_run(s, "alloc 16");
    sk_run(s, "alloc 40 as keep");
    sk_run(s, "alloc 24 as x");
    sk_run(s, "free x");
    sk_run(s, "free"); /* keep: x is freed already */
    sk_run(s, "expect block keep freed");
    for (int i = 0; i < 1000; i++)
        sk_run(s, "free");
    sk_run(s, "expect live 2000");
    sk_run(s, "alloc 8 as y");
    sk_run(s, "free");
    sk_run(s, "expect block y freed");
    sk_run(s, "free #5");
    sk_run(s, "free");
    sk_run(s, "expect block #2000 freed");
    sk_run(s, "expect live 1998");
    sk_run(s, "undo");
    sk_run(s, "expect live 1999");
    sk_run(s, "free");
    sk_run(s, "expect block #2000 freed");
    session_destroy(s);
}

/* The debug allocator's events name their blocks, found by their
 * allocation step (a block moved by realloc is found too). */
static void test_events_name_their_blocks(void **state)
{
    session *s = session_create();
    sk_run(s, "new debug 64K");
    for (int i = 0; i < 200; i++)
        sk_run(s, "alloc 16");
    sk_run(s, "alloc 24 as first");
    sk_run(s, "alloc 32 as second");
    sk_run(s, "realloc first 4000");
    sk_run(s, "alloc 8 as third");
    sk_run(s, "free second");
    sk_run(s, "free second");
    assert_true(sk_has_warning(s, "double-free", "second (32 bytes)"));
    sk_run(s, "leaks");
    assert_true(sk_has_warning(s, "leak", "first (4000 bytes)"));
    assert_true(sk_has_warning(s, "leak", "third (8 bytes)"));
    assert_true(sk_has_warning(s, "leak", "#200 (16 bytes)"));
    assert_false(sk_has_warning(s, "leak", "an unknown pointer"));
    session_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_resolve_in_order),
        cmocka_unit_test(test_one_name_reused),
        cmocka_unit_test(test_many_oom_failures_stay_cheap),
        cmocka_unit_test(test_free_without_a_name),
        cmocka_unit_test(test_events_name_their_blocks),
    };
    return cmocka_run_group_tests_name("lookup", tests, NULL, NULL);
}
