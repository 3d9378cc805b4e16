/* test_limits.c - every explicit limit: going past it is an error message
 * and the state stays as it was. */
#include "sessionkit.h"
#include "allocscope/trace.h"

static void test_largest_buffer(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 1G");
    const char *a = sk_run_status(s, "new bump 1025M", SESSION_ERROR);
    assert_non_null(strstr(a, "at most 1 GiB"));
    a = sk_run_status(s, "alloc 1025M", SESSION_ERROR);
    assert_non_null(strstr(a, "at most 1 GiB in one block"));
    sk_run_status(s, "new buddy 2G", SESSION_ERROR);
    sk_run_status(s, "new pool 64 capacity 100000000", SESSION_ERROR);
    assert_int_equal(session_allocator_count(s), 1);
    session_destroy(s);
}

static void test_most_blocks(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 2M");
    strbuf out;
    sb_init_discard(&out);
    for (size_t i = 0; i < SESSION_MAX_BLOCKS; i++)
        assert_int_equal(interp_execute(s, "alloc 1", &out).status, SESSION_OK);
    sb_free(&out);
    char *before = sk_state(s);
    const char *a = sk_run_status(s, "alloc 1", SESSION_ERROR);
    assert_non_null(strstr(a, "at most 1048576 blocks live at once"));
    char *after = sk_state(s);
    assert_true(strcmp(before, after) == 0);
    free(before);
    free(after);
    session_destroy(s);
    /* blocks freed and gone do not count: a million and more over a session */
    s = session_create();
    sk_run(s, "new freelist 64K");
    sb_init_discard(&out);
    for (size_t i = 0; i < SESSION_MAX_BLOCKS + 1000; i++) {
        assert_int_equal(interp_execute(s, "alloc 24", &out).status, SESSION_OK);
        assert_int_equal(interp_execute(s, "free", &out).status, SESSION_OK);
    }
    sb_free(&out);
    sk_run(s, "expect live 0");
    sk_run(s, "alloc 8 as last");
    sk_run(s, "expect block last live");
    session_destroy(s);
}

static void test_longest_line_and_write(void **state)
{
    session *s = session_create();
    sk_run(s, "new bump 64k");
    sk_run(s, "alloc 8k as big");
    char line[5000];
    memset(line, ' ', sizeof line - 1);
    memcpy(line, "note", 4);
    line[sizeof line - 1] = '\0';
    const char *a = sk_run_status(s, line, SESSION_ERROR);
    assert_non_null(strstr(a, "too long"));
    a = sk_run_status(s, "write big 4097", SESSION_ERROR);
    assert_non_null(strstr(a, "at most 4096 bytes"));
    sk_run(s, "write big 4096");
    session_destroy(s);
}

static void test_most_allocators(void **state)
{
    session *s = session_create();
    for (int i = 0; i < SESSION_MAX_ALLOCATORS; i++)
        sk_run(s, "new bump 64");
    const char *a = sk_run_status(s, "new bump 64", SESSION_ERROR);
    assert_non_null(strstr(a, "at most 32 allocators"));
    sk_run_status(s, "switch stack", SESSION_ERROR);
    session_destroy(s);
}

static void test_struct_and_trace_limits(void **state)
{
    session *s = session_create();
    strbuf def;
    sb_init(&def);
    sb_add(&def, "struct Wide {");
    for (int i = 0; i < TYPES_MAX_FIELDS + 1; i++)
        sb_printf(&def, " u8 f%d;", i);
    sb_add(&def, " }");
    const char *a = sk_run_status(s, sb_str(&def), SESSION_ERROR);
    assert_non_null(strstr(a, "too many fields"));
    sb_free(&def);
    sk_run_status(s, "struct Huge { u64 a[2305843009213693952]; }", SESSION_ERROR);
    strbuf out, err;
    sb_init(&out);
    sb_init(&err);
    assert_false(trace_to_script("100\n20000000\n1\n1\na 0 8\n", NULL, &out, &err));
    assert_non_null(strstr(sb_str(&err), "larger than allocscope replays"));
    sb_clear(&err);
    assert_false(trace_to_script("100\n2\n1\n1\na 0 2G\n", NULL, &out, &err));
    assert_non_null(strstr(sb_str(&err), "5: the size"));
    sb_free(&out);
    sb_free(&err);
    session_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_largest_buffer),
        cmocka_unit_test(test_longest_line_and_write),
        cmocka_unit_test(test_most_allocators),
        cmocka_unit_test(test_struct_and_trace_limits),
        cmocka_unit_test(test_most_blocks),
    };
    return cmocka_run_group_tests_name("limits", tests, NULL, NULL);
}
