/* test_compare.c - comparison groups: every allocation command on each
 * member with the same names, a member that cannot is reported and the
 * others go on, names resolve per member, undo / rewind / save replay the
 * group exactly, bad input changes nothing. */
#include "sessionkit.h"
#include "allocscope/textmap.h"

#include <unistd.h>

/* The JSON "compare" member i's block named name: offset and state. */
static bool member_block(const session *s, size_t member, const char *name, size_t *offset, bool *live)
{
    session *v = session_view_new();
    session_view_of(v, s, session_group_member(s, member));
    bool found = false;
    for (size_t i = 0; i < session_block_count(v) && !found; i++) {
        session_block b = session_block_at(v, i);
        if (strcmp(b.name, name) == 0) {
            *offset = b.offset;
            *live = b.live;
            found = true;
        }
    }
    session_view_free(v);
    return found;
}

static size_t member_used(const session *s, size_t member)
{
    session *v = session_view_new();
    session_view_of(v, s, session_group_member(s, member));
    session_stats st;
    session_get_stats(v, &st);
    session_view_free(v);
    return st.live_bytes;
}

static void test_every_member_gets_the_command(void **state)
{
    session *s = session_create();
    sk_run(s, "compare bump 256 freelist 256 pool 24");
    assert_int_equal(session_group_count(s), 2 + 1);
    assert_string_equal(session_allocator_name(s, session_group_member(s, 0)), "bump");
    assert_string_equal(session_allocator_name(s, session_group_member(s, 2)), "pool");
    assert_string_equal(session_active_name(s), "bump");
    const char *a = sk_run(s, "alloc 20 as a");
    assert_non_null(strstr(a, "bump: #1 a: 20 bytes at offset 0"));
    assert_non_null(strstr(a, "pool: "));
    size_t off;
    bool live;
    for (size_t m = 0; m < 3; m++) {
        assert_true(member_block(s, m, "a", &off, &live));
        assert_true(live);
        /* a pool's block takes a whole slot */
        assert_int_equal(member_used(s, m), m == 2 ? 24 : 20);
    }
    /* the free list's block is after its header; the bump's at 0 */
    assert_true(member_block(s, 0, "a", &off, &live));
    assert_int_equal(off, 0);
    assert_true(member_block(s, 1, "a", &off, &live));
    assert_true(off > 0);
    session_destroy(s);
}

static void test_a_member_that_cannot_is_reported_and_others_go_on(void **state)
{
    session *s = session_create();
    sk_run(s, "compare bump 256 freelist 256 pool 24");
    sk_run(s, "alloc 100 as big"); /* the pool's slots are 24 bytes */
    assert_true(sk_has_warning(s, "out-of-memory", "pool"));
    size_t off;
    bool live;
    assert_true(member_block(s, 0, "big", &off, &live));
    assert_true(member_block(s, 1, "big", &off, &live));
    assert_false(member_block(s, 2, "big", &off, &live));
    /* the pool's big has no block to resize: refused for the pool alone, named */
    const char *a = sk_run(s, "resize big 100");
    assert_non_null(strstr(a, "pool: could not: big holds no block: its allocation failed"));
    assert_true(sk_has_warning(s, "member-refused", "pool: could not"));
    /* and freeing it does nothing there, as free(NULL): no refusal */
    size_t refused = session_warning_count(s);
    a = sk_run(s, "free big");
    assert_non_null(strstr(a, "pool: nothing to free: the allocation named big failed"));
    assert_true(sk_has_warning(s, "noop-free", "bump: free of big reclaims nothing"));
    assert_int_equal(session_warning_count(s), refused + 1); /* (the bump's noop-free only) */
    assert_true(member_block(s, 1, "big", &off, &live));
    assert_false(live);
    /* expect in names a member and counts its warnings only */
    sk_run(s, "expect in pool warning member-refused");
    sk_run_status(s, "expect in freelist warning member-refused", SESSION_EXPECT_FAILED);
    sk_run(s, "expect in freelist no warnings");
    sk_run(s, "expect in bump live 0");
    sk_run(s, "expect in bump offset 100");
    sk_run_status(s, "expect in bump offset 99", SESSION_EXPECT_FAILED);
    session_destroy(s);
}

static void test_names_resolve_within_the_member(void **state)
{
    session *s = session_create();
    sk_run(s, "compare freelist 512 as one, freelist 512 as two");
    sk_run(s, "alloc 16 as x");
    sk_run(s, "alloc 16 as y");
    sk_run(s, "free x");
    /* each member freed its own x: no invalid free, no double free */
    assert_false(sk_has_warning(s, "invalid-free", NULL));
    assert_false(sk_has_warning(s, "double-free", NULL));
    size_t off;
    bool live;
    for (size_t m = 0; m < 2; m++) {
        assert_true(member_block(s, m, "x", &off, &live));
        assert_false(live);
        assert_true(member_block(s, m, "y", &off, &live));
        assert_true(live);
    }
    sk_run(s, "free x");
    assert_true(sk_has_warning(s, "double-free", "one:"));
    assert_true(sk_has_warning(s, "double-free", "two:"));
    /* a command nobody can do is an error, said once, and changes nothing */
    char *before = sk_state(s);
    const char *e = sk_run_status(s, "free nothing", SESSION_ERROR);
    assert_non_null(strstr(e, "no block named 'nothing'"));
    assert_null(strstr(e + 1, "error:"));
    char *after = sk_state(s);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* after compare off, commands run on the active allocator only */
    sk_run(s, "compare off");
    assert_int_equal(session_group_count(s), 0);
    sk_run(s, "alloc 8 as z");
    sk_run(s, "expect in one live 2");
    sk_run(s, "expect in two live 1");
    session_destroy(s);
}

/* During a comparison, switch picks a member; to any other allocator (or
 * a new kind) it is an error that changes nothing, since the members would
 * still take every allocation command. */
static void test_switch_stays_within_the_comparison(void **state)
{
    (void)state;
    session *s = session_create();
    sk_run(s, "new bump 64 as other");
    sk_run(s, "compare pool 24, arena");
    char *before = sk_state(s);
    const char *e = sk_run_status(s, "switch other", SESSION_ERROR);
    assert_non_null(strstr(e, "switch picks one of its members (pool, arena)"));
    sk_run_status(s, "switch buddy", SESSION_ERROR);
    char *after = sk_state(s);
    assert_string_equal(before, after);
    assert_non_null(strstr(sk_run(s, "switch arena"), "arena: arena over the system heap is active"));
    sk_run(s, "compare off");
    assert_non_null(strstr(sk_run(s, "switch other"), "other: bump 64 is active"));
    free(before);
    free(after);
    session_destroy(s);
}

static void test_bad_input_changes_nothing(void **state)
{
    static const char *const bad[] = {
        "compare bump 256",                          /* one member */
        "compare bump bump2 freelist pool buddy",    /* five */
        "compare bump 256 wobble 256",               /* not a kind: an option of bump, then one member */
        "compare bump 256 pool 0",                   /* a member that cannot be created */
        "compare bump 256 freelist 256 best-fit sideways", /* a bad option */
        "compare",                                   /* says what is compared; an error */
        "compare off",                               /* no comparison to end */
        "compare bump 256, , freelist 256, pool 24, buddy 64, stack 64",
        "compare bump 256, frelist 256",             /* unknown kind after a comma */
        "compare bump,freelist",                     /* a comma inside a word */
    };
    session *s = session_create();
    sk_run(s, "new bump 128");
    sk_run(s, "alloc 8 as k");
    char *before = sk_state(s);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *e = sk_run_status(s, bad[i], SESSION_ERROR);
        assert_non_null(strstr(e, "usage: compare MEMBER MEMBER"));
        char *after = sk_state(s);
        if (strcmp(before, after) != 0)
            fail_msg("'%s' changed the state", bad[i]);
        free(after);
        assert_int_equal(session_allocator_count(s), 1);
        assert_int_equal(session_group_count(s), 0);
    }
    /* the same allocator twice */
    sk_run_status(s, "compare bump bump", SESSION_ERROR);
    assert_int_equal(session_allocator_count(s), 1);
    /* an existing allocator takes part by name */
    sk_run(s, "compare bump, freelist 256");
    assert_int_equal(session_group_count(s), 2);
    assert_int_equal(session_allocator_count(s), 2);
    sk_run(s, "free k"); /* bump's k; the free list has none */
    assert_true(sk_has_warning(s, "member-refused", "freelist: could not"));
    free(before);
    session_destroy(s);
}

static void test_undo_and_rewind_replay_the_group(void **state)
{
    static const char *const lines[] = {
        "compare bump 256 as b, freelist 256 as f", "alloc 40 as a", "alloc 8 align 8 as p",
        "free a", "realloc p 64", "write p 4", "resize p 70",
    };
    session *s = session_create();
    char *states[8];
    states[0] = sk_state(s);
    for (size_t i = 0; i < 7; i++) {
        sk_run(s, lines[i]);
        states[i + 1] = sk_state(s);
    }
    assert_non_null(strstr(states[7], "\"compare\":[{"));
    /* each undo goes back exactly one step, group and all */
    for (size_t i = 7; i-- > 1;) {
        sk_run(s, "undo");
        char *now = sk_state(s);
        size_t k = 0;
        while (now[k] && now[k] == states[i][k])
            k++;
        if (now[k] != states[i][k])
            fail_msg("undo to step %zu: differs at '%.60s' vs '%.60s'", i, now + k, states[i] + k);
        free(now);
    }
    assert_int_equal(session_group_count(s), 2);
    sk_run(s, "undo");
    assert_int_equal(session_group_count(s), 0);
    /* rewind to any step and forward again */
    for (size_t i = 0; i < 7; i++)
        sk_run(s, lines[i]);
    assert_true(interp_rewind(s, 4));
    char *now = sk_state(s);
    assert_string_equal(now, states[4]);
    free(now);
    /* compare off is undone too */
    for (size_t i = 4; i < 7; i++)
        sk_run(s, lines[i]);
    sk_run(s, "compare off");
    sk_run(s, "undo");
    assert_int_equal(session_group_count(s), 2);
    now = sk_state(s);
    assert_string_equal(now, states[7]);
    free(now);
    /* save writes a script that rebuilds the same state */
    char path[] = "/tmp/test_compare_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "save %s force", path);
    sk_run(s, cmd);
    /* each saved line run as a step of its own, as the script is played */
    session *t = session_create();
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    while (fgets(line, sizeof line, f))
        sk_run(t, line);
    fclose(f);
    char *replayed = sk_state(t);
    assert_string_equal(replayed, states[7]);
    free(replayed);
    unlink(path);
    session_destroy(t);
    for (size_t i = 0; i < 8; i++)
        free(states[i]);
    session_destroy(s);
}

static void test_trace_table_per_member(void **state)
{
    char path[] = "/tmp/test_compare_trace_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char trace[] = "4096\n3\n5\n1\na 0 100\na 1 200\nf 0\na 2 3000\nf 1\n";
    assert_int_equal(write(fd, trace, sizeof trace - 1), (ssize_t)(sizeof trace - 1));
    close(fd);
    session *s = session_create();
    sk_run(s, "compare freelist 4096 first-fit, bump 4096");
    char cmd[96];
    snprintf(cmd, sizeof cmd, "trace %s", path);
    const char *a = sk_run(s, cmd);
    assert_non_null(strstr(a, "on 2 allocators"));
    /* bump: 100, 200 (at 104, aligned to 8), 3000 (at 304): peak live 200 +
     * 3000 (the bump counts freed bytes as no longer live), high-water mark
     * 3304; its frees reclaim nothing but are no failures */
    assert_non_null(strstr(a, "bump                    5        0         3200         3304"));
    assert_non_null(strstr(a, "freelist                5        0"));
    session_destroy(s);
    s = session_create();
    sk_run(s, "compare freelist 4096 first-fit, bump 4096");
    snprintf(cmd, sizeof cmd, "trace %s json", path);
    a = sk_run(s, cmd);
    assert_non_null(strstr(a, "{\"name\":\"bump\""));
    assert_non_null(strstr(a, "\"operations\":5,\"failures\":0,\"peak_live\":3200,\"high_water\":3304"));
    unlink(path);
    session_destroy(s);
}

static void test_views_read_each_member(void **state)
{
    session *s = session_create();
    sk_run(s, "compare bump 512 as b, pool 16 as p, buddy 512 as y");
    sk_run(s, "alloc 10 as x");
    sk_run(s, "alloc 30 as z"); /* too big for the pool's 16-byte slots */
    session *v = session_view_new();
    static const char *const names[] = {"b", "p", "y"};
    static const size_t blocks[] = {2, 1, 2};
    for (size_t i = 0; i < 3; i++) {
        session_view_of(v, s, session_group_member(s, i));
        assert_string_equal(session_active_name(v), names[i]);
        assert_int_equal(session_block_count(v), blocks[i]);
        session_member_figures f;
        session_group_figures(s, i, &f);
        assert_int_equal(f.commands, 2);
        assert_int_equal(f.failures, i == 1 ? 1 : 0);
    }
    /* the buddy rounds 10 up to its smallest block and 30 to 32: slack */
    session_view_of(v, s, session_group_member(s, 2));
    assert_true(session_slack(v) > 0);
    session_view_of(v, s, session_group_member(s, 0));
    assert_int_equal(session_slack(v), 0);
    session_member_figures f;
    session_group_figures(s, 0, &f);
    assert_int_equal(f.high_water, 40); /* the bump's z ends at 10 + 30 */
    /* the text map draws every member under its own header */
    strbuf out;
    sb_init(&out);
    textmap_render(s, NULL, &out);
    assert_non_null(strstr(sb_str(&out), "[1/3] b: bump 512"));
    assert_non_null(strstr(sb_str(&out), "[2/3] p: "));
    assert_non_null(strstr(sb_str(&out), "[3/3] y: buddy 512"));
    sb_free(&out);
    /* and the JSON lists each member with its blocks */
    char *j = sk_state(s);
    assert_non_null(strstr(j, "\"compare\":[{\"allocator\":{\"name\":\"b\""));
    assert_non_null(strstr(j, "{\"allocator\":{\"name\":\"y\""));
    free(j);
    sk_run_status(s, "expect in nowhere live 1", SESSION_ERROR);
    session_view_free(v);
    session_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_member_gets_the_command),
        cmocka_unit_test(test_a_member_that_cannot_is_reported_and_others_go_on),
        cmocka_unit_test(test_names_resolve_within_the_member),
        cmocka_unit_test(test_switch_stays_within_the_comparison),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_undo_and_rewind_replay_the_group),
        cmocka_unit_test(test_trace_table_per_member),
        cmocka_unit_test(test_views_read_each_member),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
