/*
 * lineio.c - bounded line reading of untrusted text (see lineio.h).
 *
 * A reader holds one line buffer of LINEIO_MAX_LINE + 1 bytes and reads
 * its stream a byte at a time through stdio's buffer: bytes past the
 * line's bound are counted and dropped, never kept, so a reader's memory
 * is fixed whatever the input. Cost: O(bytes read), O(1) memory.
 */
#include "allocscope/lineio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lineio {
    FILE *f;
    bool owned;        /* opened by lineio_open: closed by lineio_close */
    bool done;         /* EOF or an error was returned */
    size_t max_bytes;  /* bound of the whole stream */
    size_t total;      /* bytes read so far */
    size_t lineno;
    char name[256];
    char why[512];
    char line[LINEIO_MAX_LINE + 1];
};

bool lineio_utf8_valid(const char *s, size_t n, size_t *bad_at)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */
        if (c < 0x80)
            len = 1;
        else if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; /* no overlong forms */
            if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F; /* nothing above U+10FFFF */
        } else
            goto bad;
        if (len > n - i)
            goto bad;
        for (size_t k = 1; k < len; k++) {
            unsigned b = p[i + k];
            if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80)
                goto bad;
        }
        i += len;
    }
    return true;
bad:
    if (bad_at)
        *bad_at = i;
    return false;
}

/* What a file of mode st is, when it is not a regular file. */
static const char *what_is(const struct stat *st)
{
    if (S_ISDIR(st->st_mode))
        return "a directory";
    if (S_ISFIFO(st->st_mode))
        return "a FIFO (named pipe)";
    if (S_ISCHR(st->st_mode))
        return "a character device";
    if (S_ISBLK(st->st_mode))
        return "a block device";
    if (S_ISSOCK(st->st_mode))
        return "a socket";
    return "not a regular file";
}

static void not_regular(char *buf, size_t cap, const char *path, const struct stat *st)
{
    snprintf(buf, cap, "'%s' is %s: only regular files are read", path, what_is(st));
}

const char *lineio_check_path(const char *path, char *buf, size_t cap)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(buf, cap, "cannot open '%s': %s", path, strerror(errno));
        return buf;
    }
    if (!S_ISREG(st.st_mode)) {
        not_regular(buf, cap, path, &st);
        return buf;
    }
    return NULL;
}

/* Opens path read-only without blocking (a FIFO with no writer would block
 * a plain open) and keeps the descriptor only if it is a regular file. */
static int open_regular(const char *path, strbuf *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        sb_printf(err, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        sb_printf(err, "cannot open '%s': %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        char msg[400];
        not_regular(msg, sizeof msg, path, &st);
        sb_add(err, msg);
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

static lineio *reader_new(FILE *f, bool owned, const char *name, size_t max_bytes)
{
    lineio *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->f = f;
    r->owned = owned;
    r->max_bytes = max_bytes ? max_bytes : LINEIO_MAX_SCRIPT;
    snprintf(r->name, sizeof r->name, "%s", name);
    return r;
}

FILE *lineio_fopen(const char *path, strbuf *err)
{
    int fd = open_regular(path, err);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "rb");
    if (f == NULL) {
        sb_printf(err, "cannot open '%s': %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

lineio *lineio_open(const char *path, size_t max_bytes, strbuf *err)
{
    FILE *f = lineio_fopen(path, err);
    if (f == NULL)
        return NULL;
    lineio *r = reader_new(f, true, path, max_bytes);
    if (r == NULL) {
        fclose(f);
        sb_add(err, "out of memory");
    }
    return r;
}

lineio *lineio_from_stream(FILE *f, const char *name, size_t max_bytes, bool allow_stream, strbuf *err)
{
    int fd = fileno(f);
    if (fd >= 0) { /* a memory stream (fmemopen) has no descriptor: the caller's own text */
        struct stat st;
        if (fstat(fd, &st) != 0) {
            sb_printf(err, "cannot read %s: %s", name, strerror(errno));
            return NULL;
        }
        bool ok = S_ISREG(st.st_mode) ||
                  (allow_stream && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(fd)));
        if (!ok) {
            sb_printf(err, "%s is %s: only a regular file%s is read", name, what_is(&st),
                      allow_stream ? ", a pipe or a terminal" : "");
            return NULL;
        }
    }
    lineio *r = reader_new(f, false, name, max_bytes);
    if (r == NULL)
        sb_add(err, "out of memory");
    return r;
}

/* Checks a complete line of n bytes; NULL if it may be handed out. */
static const char *check_line(lineio *r, size_t n)
{
    const char *nul = memchr(r->line, '\0', n);
    if (nul) {
        snprintf(r->why, sizeof r->why, "the line contains a NUL byte (at byte %zu)",
                 (size_t)(nul - r->line) + 1);
        return r->why;
    }
    size_t at;
    if (!lineio_utf8_valid(r->line, n, &at)) {
        snprintf(r->why, sizeof r->why, "the line is not valid UTF-8 (at byte %zu)", at + 1);
        return r->why;
    }
    return NULL;
}

lineio_status lineio_next(lineio *r, const char **line, size_t *len, const char **why)
{
    *line = NULL;
    *len = 0;
    *why = NULL;
    if (r->done)
        return LINEIO_EOF;
    size_t n = 0, dropped = 0;
    bool any = false;
    int c;
    while ((c = getc_unlocked(r->f)) != EOF) {
        if (++r->total > r->max_bytes) {
            r->done = true;
            snprintf(r->why, sizeof r->why, "%s is larger than %zu bytes: not read further", r->name,
                     r->max_bytes);
            *why = r->why;
            return LINEIO_ERROR;
        }
        any = true;
        if (c == '\n')
            break;
        if (n < LINEIO_MAX_LINE)
            r->line[n++] = (char)c;
        else
            dropped++;
    }
    if (c == EOF) {
        if (ferror(r->f)) {
            r->done = true;
            snprintf(r->why, sizeof r->why, "cannot read %s: %s", r->name, strerror(errno));
            *why = r->why;
            return LINEIO_ERROR;
        }
        if (!any) {
            r->done = true;
            return LINEIO_EOF;
        }
    }
    r->lineno++;
    r->line[n] = '\0';
    if (dropped) {
        snprintf(r->why, sizeof r->why, "the line is too long (%zu bytes, at most %d); none of it is run",
                 n + dropped, LINEIO_MAX_LINE);
        *why = r->why;
        return LINEIO_BAD_LINE;
    }
    const char *bad = check_line(r, n);
    if (bad) {
        *why = bad;
        return LINEIO_BAD_LINE;
    }
    *line = r->line;
    *len = n;
    return LINEIO_LINE;
}

size_t lineio_lineno(const lineio *r)
{
    return r->lineno;
}

void lineio_close(lineio *r)
{
    if (r == NULL)
        return;
    if (r->owned)
        fclose(r->f);
    free(r);
}

bool lineio_read_file(const char *path, size_t max, strbuf *out, strbuf *err)
{
    int fd = open_regular(path, err);
    if (fd < 0)
        return false;
    size_t got = 0;
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            sb_printf(err, "cannot read '%s': %s", path, strerror(errno));
            close(fd);
            return false;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > max) {
            sb_printf(err, "'%s' is larger than %zu bytes: not read", path, max);
            close(fd);
            return false;
        }
        const char *nul = memchr(buf, '\0', (size_t)n);
        if (nul) {
            sb_printf(err, "'%s' contains a NUL byte (at byte %zu): not a text file", path,
                      got - (size_t)n + (size_t)(nul - buf) + 1);
            close(fd);
            return false;
        }
        sb_addn(out, buf, (size_t)n);
    }
    close(fd);
    if (out->truncated) {
        sb_printf(err, "'%s': out of memory", path);
        return false;
    }
    if (out->data == NULL)
        sb_add(out, "");
    return true;
}
