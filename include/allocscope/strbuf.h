/*
 * strbuf.h - a growable string that never fails loudly: on allocation
 * failure it stops growing and remembers it was truncated.
 */
#ifndef ALLOCSCOPE_STRBUF_H
#define ALLOCSCOPE_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct strbuf {
    char *data;      /* always NUL-terminated once anything was added */
    size_t len, cap;
    bool truncated;
    bool discard;    /* a sink: every addition is dropped, nothing is formatted */
} strbuf;

void sb_init(strbuf *sb);
/* A strbuf that drops everything: for replays whose answers nobody reads. */
void sb_init_discard(strbuf *sb);
void sb_free(strbuf *sb);
void sb_clear(strbuf *sb);
void sb_add(strbuf *sb, const char *s);
void sb_addn(strbuf *sb, const char *s, size_t n);
void sb_addc(strbuf *sb, char c);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The text so far ("" when empty). */
const char *sb_str(const strbuf *sb);
/* Appends the whole file at path. False, with a message in err, if it
 * cannot be read or is larger than max bytes. */
bool sb_read_file(strbuf *sb, const char *path, size_t max, strbuf *err);
/* Lines in text; a last line without its newline counts too. */
size_t sb_count_lines(const char *text);
/* Appends s as a JSON string literal, quotes included. */
void sb_json_string(strbuf *sb, const char *s);

#endif
