/*
 * strbuf.c - a growable string (see strbuf.h).
 */
#include "allocscope/strbuf.h"

#include "allocscope/lineio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_init(strbuf *sb) { *sb = (strbuf){0}; }

void sb_init_discard(strbuf *sb)
{
    *sb = (strbuf){0};
    sb->discard = true;
}

void sb_free(strbuf *sb)
{
    bool discard = sb->discard;
    free(sb->data);
    sb_init(sb);
    sb->discard = discard;
}

void sb_clear(strbuf *sb)
{
    sb->len = 0;
    sb->truncated = false;
    if (sb->data)
        sb->data[0] = '\0';
}

static bool reserve(strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    char *grown = realloc(sb->data, cap);
    if (grown == NULL) {
        sb->truncated = true;
        return false;
    }
    sb->data = grown;
    sb->cap = cap;
    return true;
}

void sb_addn(strbuf *sb, const char *s, size_t n)
{
    if (sb->discard || !reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void sb_add(strbuf *sb, const char *s) { sb_addn(sb, s, strlen(s)); }
void sb_addc(strbuf *sb, char c) { sb_addn(sb, &c, 1); }

void sb_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    if (sb->discard)
        return;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || !reserve(sb, (size_t)n))
        return;
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

const char *sb_str(const strbuf *sb) { return sb->data ? sb->data : ""; }

void sb_json_string(strbuf *sb, const char *s)
{
    if (sb->discard)
        return;
    sb_addc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': sb_add(sb, "\\\""); break;
        case '\\': sb_add(sb, "\\\\"); break;
        case '\n': sb_add(sb, "\\n"); break;
        case '\t': sb_add(sb, "\\t"); break;
        case '\r': sb_add(sb, "\\r"); break;
        default:
            if (*p < 0x20)
                sb_printf(sb, "\\u%04x", *p);
            else
                sb_addc(sb, (char)*p);
        }
    }
    sb_addc(sb, '"');
}

bool sb_read_file(strbuf *sb, const char *path, size_t max, strbuf *err)
{
    /* a regular file only, opened without blocking: a FIFO, a device or a
     * directory named by a stranger's script could hang or never end */
    FILE *f = lineio_fopen(path, err);
    if (f == NULL)
        return false;
    size_t start = sb->len;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && sb->len - start <= max)
        sb_addn(sb, buf, n);
    bool failed = ferror(f);
    fclose(f);
    if (failed || sb->truncated || sb->len - start > max) {
        sb_printf(err, failed ? "cannot read %s" : "%s is too large", path);
        return false;
    }
    if (sb->data == NULL)
        sb_add(sb, "");
    return true;
}

size_t sb_count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n + (*text && text[strlen(text) - 1] != '\n');
}
