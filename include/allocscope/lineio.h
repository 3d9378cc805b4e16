/*
 * lineio.h - bounded reading of untrusted text: scripts, traces and the
 * history file may come from strangers, so every read here is bounded.
 *
 * - Only regular files are opened by name. A directory, a FIFO, a device
 *   (/dev/zero, a terminal), a socket - and /dev/stdin, which names one of
 *   these or a pipe - are refused with a message saying what the path is.
 *   Opening never blocks (a FIFO without a writer cannot hang the caller).
 * - A stream the caller already has (standard input in batch mode) is read
 *   only if it is a regular file, a pipe or a terminal; any other device
 *   is refused (lineio_from_stream).
 * - A line is at most LINEIO_MAX_LINE bytes (the '\n' not counted); a
 *   longer line is reported as one bad line and its whole tail, up to the
 *   next '\n', is skipped: no part of it is ever handed out as a line.
 * - A line that holds a NUL byte or is not valid UTF-8 is a bad line (an
 *   error for that line only; reading goes on with the next one).
 * - A file or stream is read up to a maximum size; past it, reading stops
 *   with an error (a stream of NULs or an endless pipe cannot hang it).
 */
#ifndef ALLOCSCOPE_LINEIO_H
#define ALLOCSCOPE_LINEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "allocscope/strbuf.h"

#define LINEIO_MAX_LINE 4096
/* Default bound of a script or history file (a trace gives its own). */
#define LINEIO_MAX_SCRIPT ((size_t)64 << 20)

typedef struct lineio lineio;

typedef enum lineio_status {
    LINEIO_LINE,     /* *line is a valid line (NUL-terminated, no '\n') */
    LINEIO_BAD_LINE, /* this line is refused; *why says why; go on */
    LINEIO_EOF,      /* the end, cleanly */
    LINEIO_ERROR,    /* reading stopped (read error, size bound); *why */
} lineio_status;

/* Says whether path may be read as text: NULL if it names a regular file,
 * else a message such as "'x' is a directory, not a file". The message
 * lives in buf (cap bytes). Follows symbolic links. */
const char *lineio_check_path(const char *path, char *buf, size_t cap);

/* Opens path for reading line by line, at most max_bytes in all (0: the
 * default LINEIO_MAX_SCRIPT). Returns NULL with the reason in err (the
 * system's, such as "No such file or directory", or what the path is). */
lineio *lineio_open(const char *path, size_t max_bytes, strbuf *err);

/* Opens the regular file path for reading as a stdio stream (for callers
 * that take a FILE *, such as batch_run), without blocking; NULL with the
 * reason in err otherwise. */
FILE *lineio_fopen(const char *path, strbuf *err);

/* Reads lines from f, named name in messages, which the caller keeps and
 * closes after lineio_close. Returns NULL with a message if f is not a
 * regular file, a pipe or a terminal (when allow_stream), or not a regular
 * file (otherwise). */
lineio *lineio_from_stream(FILE *f, const char *name, size_t max_bytes, bool allow_stream, strbuf *err);

/* The next line. *line stays valid until the next call; *why points to a
 * static or reader-owned message. lineio_lineno is the number of the line
 * just returned (1-based). */
lineio_status lineio_next(lineio *r, const char **line, size_t *len, const char **why);
size_t lineio_lineno(const lineio *r);

/* Closes what lineio_open opened; a stream from lineio_from_stream stays
 * open. NULL is accepted. */
void lineio_close(lineio *r);

/* Reads the whole regular file path into out (appending), at most max
 * bytes. A NUL byte anywhere is refused too (the text is handed on as a C
 * string). Returns false with the reason in err. */
bool lineio_read_file(const char *path, size_t max, strbuf *out, strbuf *err);

/* Whether the n bytes at s are valid UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF); *bad_at, if not NULL, gets the
 * offset of the first bad byte. */
bool lineio_utf8_valid(const char *s, size_t n, size_t *bad_at);

#endif
