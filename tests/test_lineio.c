/* test_lineio.c - bounded reading of untrusted text: only regular files,
 * bounded lines and files, NUL and bad UTF-8 refused per line, the tail of
 * an over-long line never handed out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "allocscope/batch.h"
#include "allocscope/jsonout.h"
#include "allocscope/lineio.h"

static char dir[] = "/tmp/test_lineio.XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes n bytes to a file in the test directory; returns its path. */
static const char *write_file(const char *name, const void *bytes, size_t n)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

static lineio *open_ok(const char *path, size_t max)
{
    strbuf err;
    sb_init(&err);
    lineio *r = lineio_open(path, max, &err);
    if (r == NULL)
        fail_msg("lineio_open(%s): %s", path, sb_str(&err));
    sb_free(&err);
    return r;
}

static void expect_line(lineio *r, const char *want)
{
    const char *line, *why;
    size_t len;
    lineio_status st = lineio_next(r, &line, &len, &why);
    if (st != LINEIO_LINE)
        fail_msg("wanted line '%s', got status %d (%s)", want, (int)st, why ? why : "");
    assert_string_equal(line, want);
    assert_int_equal(len, strlen(want));
}

static void expect_bad(lineio *r, const char *why_part)
{
    const char *line, *why;
    size_t len;
    assert_int_equal(lineio_next(r, &line, &len, &why), LINEIO_BAD_LINE);
    assert_null(line);
    assert_non_null(why);
    if (strstr(why, why_part) == NULL)
        fail_msg("message '%s' does not say '%s'", why, why_part);
}

static void expect_status(lineio *r, lineio_status want)
{
    const char *line, *why;
    size_t len;
    assert_int_equal(lineio_next(r, &line, &len, &why), want);
}

static void test_lines(void **state)
{
    (void)state;
    const char text[] = "alloc 8\n\nfree #1\r\nlast without newline";
    lineio *r = open_ok(write_file("lines", text, sizeof text - 1), 0);
    expect_line(r, "alloc 8");
    assert_int_equal(lineio_lineno(r), 1);
    expect_line(r, "");
    expect_line(r, "free #1\r"); /* the \r is the parser's to strip */
    expect_line(r, "last without newline");
    assert_int_equal(lineio_lineno(r), 4);
    expect_status(r, LINEIO_EOF);
    expect_status(r, LINEIO_EOF);
    lineio_close(r);
}

static void test_empty_file(void **state)
{
    (void)state;
    lineio *r = open_ok(write_file("empty", "", 0), 0);
    expect_status(r, LINEIO_EOF);
    assert_int_equal(lineio_lineno(r), 0);
    lineio_close(r);
}

/* The line at exactly the bound is a line; one byte more and the whole
 * line - and nothing of its tail - is refused, and the next line reads. */
static void test_long_lines(void **state)
{
    (void)state;
    size_t n = 3 * LINEIO_MAX_LINE + 100;
    char *text = malloc(n);
    memset(text, 'a', LINEIO_MAX_LINE);
    text[LINEIO_MAX_LINE] = '\n';
    char *p = text + LINEIO_MAX_LINE + 1;
    memset(p, 'b', LINEIO_MAX_LINE + 1);
    p += LINEIO_MAX_LINE + 1;
    /* the tail past the bound looks like a command: it must never come out */
    memcpy(p - 12, "alloc 999999", 12);
    *p++ = '\n';
    memcpy(p, "next\n", 5);
    p += 5;
    lineio *r = open_ok(write_file("long", text, (size_t)(p - text)), 0);
    const char *line, *why;
    size_t len;
    assert_int_equal(lineio_next(r, &line, &len, &why), LINEIO_LINE);
    assert_int_equal(len, LINEIO_MAX_LINE);
    expect_bad(r, "too long");
    assert_int_equal(lineio_lineno(r), 2);
    expect_line(r, "next");
    assert_int_equal(lineio_lineno(r), 3);
    expect_status(r, LINEIO_EOF);
    lineio_close(r);
    free(text);
}

/* A NUL splits nothing: the line that holds it is refused whole. */
static void test_nul_bytes(void **state)
{
    (void)state;
    const char text[] = "alloc 8\0free #1\nok\n";
    lineio *r = open_ok(write_file("nul", text, sizeof text - 1), 0);
    expect_bad(r, "NUL byte (at byte 8)");
    expect_line(r, "ok");
    expect_status(r, LINEIO_EOF);
    lineio_close(r);
}

static void test_utf8(void **state)
{
    (void)state;
    const char text[] = "note caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\n" /* valid */
                        "note \xc3\n"                                    /* cut short */
                        "note \xc0\xaf\n"                                /* overlong */
                        "note \xed\xa0\x80\n"                            /* surrogate */
                        "note \xf4\x90\x80\x80\n"                        /* > U+10FFFF */
                        "note \xff\n"
                        "end\n";
    lineio *r = open_ok(write_file("utf8", text, sizeof text - 1), 0);
    expect_line(r, "note caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    for (int i = 0; i < 5; i++)
        expect_bad(r, "not valid UTF-8 (at byte 6)");
    expect_line(r, "end");
    lineio_close(r);
    size_t at = 99;
    assert_false(lineio_utf8_valid("ab\xe2\x82", 4, &at));
    assert_int_equal(at, 2);
    assert_true(lineio_utf8_valid("", 0, NULL));
}

/* A file larger than the bound stops with an error, even one endless line. */
static void test_size_bound(void **state)
{
    (void)state;
    char text[1000];
    memset(text, 0, sizeof text);
    lineio *r = open_ok(write_file("zeros", text, sizeof text), 100);
    expect_status(r, LINEIO_ERROR);
    expect_status(r, LINEIO_EOF); /* and stays stopped */
    lineio_close(r);
    r = open_ok(write_file("fits", "a\nb\n", 4), 4);
    expect_line(r, "a");
    expect_line(r, "b");
    expect_status(r, LINEIO_EOF);
    lineio_close(r);
}

static void expect_refused(const char *path, const char *why_part)
{
    strbuf err;
    sb_init(&err);
    assert_null(lineio_open(path, 0, &err));
    if (strstr(sb_str(&err), why_part) == NULL)
        fail_msg("opening %s: '%s' does not say '%s'", path, sb_str(&err), why_part);
    char buf[300];
    const char *why = lineio_check_path(path, buf, sizeof buf);
    assert_non_null(why);
    assert_non_null(strstr(why, why_part));
    sb_clear(&err);
    assert_null(lineio_fopen(path, &err));
    assert_non_null(strstr(sb_str(&err), why_part));
    sb_clear(&err);
    strbuf out;
    sb_init(&out);
    assert_false(lineio_read_file(path, 1000, &out, &err));
    assert_non_null(strstr(sb_str(&err), why_part));
    sb_free(&out);
    sb_free(&err);
}

/* Only regular files: a directory, a FIFO without a writer (opening it must
 * not block), a device; a missing file gives the system's reason. */
static void test_only_regular_files(void **state)
{
    (void)state;
    expect_refused(dir, "is a directory");
    char fifo[256];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    expect_refused(fifo, "is a FIFO");
    expect_refused("/dev/zero", "is a character device");
    expect_refused("/nonexistent/x", "No such file or directory");
    char buf[300];
    assert_null(lineio_check_path(write_file("reg", "x", 1), buf, sizeof buf));
}

static void test_streams(void **state)
{
    (void)state;
    strbuf err;
    sb_init(&err);
    /* a device as a stream is refused; a pipe only when streams are allowed */
    FILE *zero = fopen("/dev/zero", "r");
    assert_non_null(zero);
    assert_null(lineio_from_stream(zero, "-", 0, true, &err));
    assert_non_null(strstr(sb_str(&err), "character device"));
    fclose(zero);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "a\nb", 3), 3);
    close(fds[1]);
    FILE *p = fdopen(fds[0], "r");
    sb_clear(&err);
    assert_null(lineio_from_stream(p, "-", 0, false, &err));
    assert_non_null(strstr(sb_str(&err), "FIFO"));
    lineio *r = lineio_from_stream(p, "-", 0, true, &err);
    assert_non_null(r);
    expect_line(r, "a");
    expect_line(r, "b");
    expect_status(r, LINEIO_EOF);
    lineio_close(r);
    fclose(p);
    /* a memory stream is the caller's own text */
    char text[] = "x\n";
    FILE *m = fmemopen(text, 2, "r");
    r = lineio_from_stream(m, "mem", 0, false, &err);
    assert_non_null(r);
    expect_line(r, "x");
    lineio_close(r);
    fclose(m);
    sb_free(&err);
}

static void test_read_file(void **state)
{
    (void)state;
    strbuf out, err;
    sb_init(&out);
    sb_init(&err);
    assert_true(lineio_read_file(write_file("t", "4 2 1\na 0 8\n", 12), 12, &out, &err));
    assert_string_equal(sb_str(&out), "4 2 1\na 0 8\n");
    sb_clear(&out);
    assert_false(lineio_read_file(write_file("t2", "4 2 1\na 0 8\n", 12), 11, &out, &err));
    assert_non_null(strstr(sb_str(&err), "larger than 11 bytes"));
    sb_clear(&err);
    assert_false(lineio_read_file(write_file("t3", "a\0b", 3), 100, &out, &err));
    assert_non_null(strstr(sb_str(&err), "NUL byte (at byte 2)"));
    sb_clear(&out);
    assert_true(lineio_read_file(write_file("t4", "", 0), 100, &out, &err));
    assert_string_equal(sb_str(&out), "");
    sb_free(&out);
    sb_free(&err);
}

/* issue 14: batch_run read lines with fgets, so a NUL inside an over-long
 * line ran the text before it and then the line's tail as a second command
 * ("free y"), exit 0. Through lineio the line is one error: nothing of it
 * runs, the state is the one before it, the status is 1. */
static void test_batch_nul_split_line(void **state)
{
    (void)state;
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "new bump 256\nalloc 24 as y\nalloc 1");
    text[n++] = '\0';
    memset(text + n, ' ', 4089);
    n += 4089;
    n += (size_t)snprintf(text + n, sizeof text - n, "free y\n");
    FILE *in = fopen(write_file("split.as", text, n), "r");
    assert_non_null(in);
    session *s = session_create();
    FILE *sink = fopen("/dev/null", "w");
    char errs[512] = "";
    FILE *err = fmemopen(errs, sizeof errs - 1, "w");
    batch_result r;
    assert_int_equal(batch_run(s, in, "split.as", NULL, sink, err, &r), 1);
    fclose(err);
    assert_int_equal(r.errors, 1);
    assert_non_null(strstr(errs, "split.as:3: error: the line is too long"));
    assert_int_equal(session_block_count(s), 1);
    strbuf js;
    sb_init(&js);
    json_state(s, &js);
    assert_non_null(strstr(sb_str(&js), "\"name\":\"y\",\"offset\":0,\"size\":24"));
    assert_non_null(strstr(sb_str(&js), "\"state\":\"live\""));
    sb_free(&js);
    session_destroy(s);
    fclose(sink);
    fclose(in);
}

/* Standard input that is a device other than a terminal is refused: exit 2. */
static void test_batch_refuses_devices(void **state)
{
    (void)state;
    FILE *zero = fopen("/dev/zero", "r");
    session *s = session_create();
    FILE *sink = fopen("/dev/null", "w");
    char errs[512] = "";
    FILE *err = fmemopen(errs, sizeof errs - 1, "w");
    assert_int_equal(batch_run(s, zero, "-", NULL, sink, err, NULL), 2);
    fclose(err);
    assert_non_null(strstr(errs, "character device"));
    assert_int_equal(session_step(s), 0);
    session_destroy(s);
    fclose(sink);
    fclose(zero);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_long_lines),   cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_utf8),         cmocka_unit_test(test_size_bound),
        cmocka_unit_test(test_only_regular_files), cmocka_unit_test(test_streams),
        cmocka_unit_test(test_read_file),    cmocka_unit_test(test_batch_nul_split_line),
        cmocka_unit_test(test_batch_refuses_devices),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
