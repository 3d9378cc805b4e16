/* test_parse.c - the lexical side of the command language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "allocscope/parse.h"

static void test_sizes(void **state)
{
    size_t v;
    assert_null(parse_size("100", &v));
    assert_int_equal(v, 100);
    assert_null(parse_size("4k", &v));
    assert_int_equal(v, 4096);
    assert_null(parse_size("4KiB", &v));
    assert_int_equal(v, 4096);
    assert_null(parse_size("2MiB", &v));
    assert_int_equal(v, 2u << 20);
    assert_null(parse_size("1M", &v));
    assert_int_equal(v, 1u << 20);
    assert_null(parse_size("0x40", &v));
    assert_int_equal(v, 64);
    assert_non_null(parse_size("-5", &v));
    assert_string_equal(parse_size("-5", &v), "negative numbers are not allowed");
    assert_non_null(parse_size("ten", &v));
    assert_non_null(parse_size("10q", &v));
    assert_non_null(parse_size("", &v));
    assert_non_null(parse_size("99999999999999999999999", &v));
    assert_non_null(parse_size("18014398509481984k", &v)); /* 2^54 KiB overflows */
    assert_non_null(parse_size("0x", &v));
}

static void test_alignments(void **state)
{
    unsigned lg;
    assert_null(parse_align("1", &lg));
    assert_int_equal(lg, 0);
    assert_null(parse_align("4096", &lg));
    assert_int_equal(lg, 12);
    assert_non_null(parse_align("3", &lg));
    assert_non_null(parse_align("0", &lg));
    assert_non_null(parse_align("8192", &lg));
    assert_non_null(parse_align("-8", &lg));
}

static void test_split_words_quotes_comments(void **state)
{
    parse_words w;
    assert_null(parse_split("  alloc   100\talign 8  ", &w));
    assert_int_equal(w.count, 4);
    assert_string_equal(w.word[3], "8");
    assert_null(parse_split("write buf \"hi \\\"there\\\"\" # comment", &w));
    assert_int_equal(w.count, 3);
    assert_string_equal(w.word[2], "hi \"there\"");
    assert_true(w.quoted[2]);
    assert_null(parse_split("free #3", &w));
    assert_int_equal(w.count, 2);
    assert_string_equal(w.word[1], "#3");
    assert_null(parse_split("# a comment", &w));
    assert_int_equal(w.count, 0);
    assert_null(parse_split("#comment too", &w));
    assert_int_equal(w.count, 0);
    assert_non_null(parse_split("write a \"open", &w));
}

static void test_rejects_bad_bytes_and_long_lines(void **state)
{
    parse_words w;
    assert_non_null(parse_split("alloc \xff\xfe", &w));
    assert_non_null(parse_split("alloc \x01", &w));
    assert_null(parse_split("note caf\xc3\xa9", &w)); /* valid UTF-8 */
    char line[PARSE_MAX_LINE + 10];
    memset(line, 'a', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    assert_non_null(parse_split(line, &w));
    char many[400] = "";
    for (int i = 0; i < 70; i++)
        strcat(many, "x ");
    assert_non_null(parse_split(many, &w));
}

static void test_names_and_suggestions(void **state)
{
    assert_true(parse_is_name("buf"));
    assert_true(parse_is_name("_a.b-c9"));
    assert_false(parse_is_name("9lives"));
    assert_false(parse_is_name("#3"));
    assert_false(parse_is_name("a very long name that goes on and on"));
    static const char *const cmds[] = {"alloc", "free", "resize"};
    assert_string_equal(parse_suggest("allco", cmds, 3), "alloc");
    assert_string_equal(parse_suggest("FREE", cmds, 3), "free");
    assert_null(parse_suggest("xyzzy", cmds, 3));
    assert_true(parse_is("ALLOC", "alloc"));
}

/* issue 14: "free # 1" freed the most recent block (the "# 1" was a
 * comment); a comment that is only a number, or a lone '#', after a
 * command is refused and says what was meant. Real comments still work. */
static void test_mistyped_block_ids(void **state)
{
    (void)state;
    parse_words w;
    const char *e = parse_split("free # 1", &w);
    assert_non_null(e);
    assert_non_null(strstr(e, "did you mean #1?"));
    assert_int_equal(w.count, 0);
    e = parse_split("free #\t 12  ", &w);
    assert_non_null(e);
    assert_non_null(strstr(e, "did you mean #12?"));
    e = parse_split("free #", &w);
    assert_non_null(e);
    assert_non_null(strstr(e, "#N"));
    assert_int_equal(w.count, 0);
    /* comments that are comments */
    assert_null(parse_split("alloc 8 # 1 byte", &w));
    assert_int_equal(w.count, 2);
    assert_null(parse_split("alloc 8 # the 1st", &w));
    assert_int_equal(w.count, 2);
    assert_null(parse_split("# 1", &w)); /* a whole-line comment */
    assert_int_equal(w.count, 0);
    assert_null(parse_split("#", &w));
    assert_int_equal(w.count, 0);
    assert_null(parse_split("alloc 8 ## 1", &w));
    assert_int_equal(w.count, 2);
    assert_null(parse_split("write a \"# 1\"", &w)); /* inside quotes: text */
    assert_int_equal(w.count, 3);
    assert_string_equal(w.word[2], "# 1");
}

/* issue 14: "alloc 1.5M" said "unknown size suffix". */
static void test_fractions_refused_as_such(void **state)
{
    (void)state;
    size_t v = 7;
    const char *e = parse_size("1.5M", &v);
    assert_non_null(e);
    assert_non_null(strstr(e, "fractions are not accepted"));
    assert_int_equal(v, 7);
    assert_non_null(strstr(parse_size("0.5k", &v), "fractions"));
    assert_non_null(strstr(parse_size("2.", &v), "unknown size suffix"));
}

/* issue 14: "packed" got "did you mean 'packed'?" and "#0" got "did you
 * mean 'y'?": no suggestion of the word itself, none two edits off a
 * short word. */
static void test_suggestions_that_help(void **state)
{
    (void)state;
    static const char *const words[] = {"packed", "y", "free", "alloc", "resize"};
    assert_null(parse_suggest("packed", words, 5));
    assert_null(parse_suggest("#0", words, 5));
    assert_null(parse_suggest("x", words, 5));
    assert_string_equal(parse_suggest("packd", words, 5), "packed");
    assert_string_equal(parse_suggest("fre", words, 5), "free");
    assert_string_equal(parse_suggest("Packed", words, 5), "packed");
    assert_null(parse_suggest("frxx", words, 5)); /* two edits off a 4-letter word */
    assert_string_equal(parse_suggest("resiez", words, 5), "resize");
    assert_string_equal(parse_suggest("fere", words, 5), "free"); /* a transposition is one edit */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_alignments),
        cmocka_unit_test(test_split_words_quotes_comments),
        cmocka_unit_test(test_rejects_bad_bytes_and_long_lines),
        cmocka_unit_test(test_names_and_suggestions),
        cmocka_unit_test(test_mistyped_block_ids),
        cmocka_unit_test(test_fractions_refused_as_such),
        cmocka_unit_test(test_suggestions_that_help),
    };
    return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
