/*
 * trace.c - malloc-lab traces: reading them into scripts, and writing
 * them (see trace.h).
 */
#include "allocscope/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope/parse.h"
#include "allocscope/record.h"

#if defined(__SSE2__) && !defined(ALLOCSCOPE_NO_SSE2)
#define TRACE_SSE2 1 /* the quick reader counts digit runs 16 bytes at a time */
#include <emmintrin.h>
#endif

typedef struct reader {
    const char *p;      /* the text, or NULL when reading f */
    FILE *f;
    const char *text;   /* where the text starts */
    size_t line;
    size_t off, next_off; /* byte offsets of the line now and of the next */
    size_t base;        /* reading f: the offset of chunk[0] */
    bool partial;       /* the line now has no newline (the input ends inside it) */
    char buf[512];      /* the line, read from text (or a line too long) */
    char *cur;          /* the line now: buf, or in place in the chunk */
    char *chunk;        /* reading f: what was read of it, from pos to len */
    size_t pos, len;
    bool eof;
    bool again;         /* the next line is the one in buf, read again */
} reader;

#define READER_CHUNK ((size_t)1 << 16)
#define READER_SPARE 16 /* bytes after the chunk's '\0', for rec_quick's words (see load8) */
#define TRACE_LINE_MAX 256 /* a trace line this long or longer is malformed */

/* Where the next line ends in the chunk (its '\n' or the end of the
 * file), reading more of f as needed; NULL at the end. */
static const char *chunk_line(reader *r, size_t *n)
{
    for (;;) {
        const char *start = r->chunk + r->pos;
        const char *nl = memchr(start, '\n', r->len - r->pos);
        if (nl || (r->eof && r->pos < r->len)) {
            *n = nl ? (size_t)(nl - start) : r->len - r->pos;
            r->partial = nl == NULL;
            r->off = r->base + r->pos;
            r->pos += *n + (nl != NULL);
            r->next_off = r->base + r->pos;
            return start;
        }
        if (r->eof)
            return NULL;
        memmove(r->chunk, start, r->len - r->pos);
        r->base += r->pos;
        r->len -= r->pos;
        r->pos = 0;
        if (r->len == READER_CHUNK) { /* a line longer than the chunk: keep its start */
            r->len = sizeof r->buf;
            r->base += READER_CHUNK - sizeof r->buf; /* the bytes dropped still count */
            continue;
        }
        size_t got = fread(r->chunk + r->len, 1, READER_CHUNK - r->len, r->f);
        r->len += got;
        r->eof = got == 0;
        r->chunk[r->len] = '\0'; /* where the fast reader stops (the chunk has a byte to spare) */
    }
}

/* The next raw line into r->cur, without its newline; n is its length
 * (at least sizeof buf - 1 when it was too long). False at the end. A
 * line of the chunk is ended in place (the chunk has a byte to spare). */
static bool raw_line(reader *r, size_t *n)
{
    if (r->p == NULL) {
        char *start = r->chunk ? (char *)chunk_line(r, n) : NULL;
        if (start == NULL)
            return false;
        start[*n < sizeof r->buf - 1 ? *n : sizeof r->buf - 1] = '\0';
        r->cur = start;
        return true;
    }
    if (!*r->p)
        return false;
    const char *start = r->p;
    *n = strcspn(r->p, "\n");
    r->partial = r->p[*n] != '\n';
    r->off = (size_t)(start - r->text);
    r->p += *n + (r->p[*n] == '\n');
    r->next_off = (size_t)(r->p - r->text);
    size_t keep = *n < sizeof r->buf - 1 ? *n : sizeof r->buf - 1;
    memcpy(r->buf, start, keep);
    r->buf[keep] = '\0';
    r->cur = r->buf;
    return true;
}

static bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* The next non-blank line, without its newline; false at the end. */
static bool next_line(reader *r)
{
    size_t n;
    if (r->again) {
        r->again = false;
        return true;
    }
    while (raw_line(r, &n)) {
        r->line++;
        if (n >= TRACE_LINE_MAX - 1) {
            strcpy(r->buf, "\x01"); /* too long: reported as malformed */
            r->cur = r->buf;
            return true;
        }
        for (size_t i = 0; i < n; i++)
            if (!is_blank_char(r->cur[i]))
                return true;
    }
    return false;
}

/* A decimal number of digits only (what traces hold); false otherwise. */
static bool read_number(const char *w, size_t *out)
{
    size_t v = 0;
    if (*w == '\0')
        return false;
    for (; *w; w++) {
        if (*w < '0' || *w > '9' || v > (SIZE_MAX - 9) / 10)
            return false;
        v = v * 10 + (size_t)(*w - '0');
    }
    *out = v;
    return true;
}

static bool fail(strbuf *err, size_t line, const char *msg)
{
    sb_printf(err, "%zu: %s", line, msg);
    return false;
}

static const char *const dialect_names[] = {
    "CS:APP (heap size, ids, ops, weight)",
    "CMU 15-213 (weight, ids, ops, ignore-ranges)",
    "two-line (ids, ops)",
    "allocscope recording",
};

const char *trace_dialect_name(trace_dialect d)
{
    return (unsigned)d < sizeof dialect_names / sizeof *dialect_names ? dialect_names[d] : "?";
}

/* Whether a line is an operation ('a', 'r' or 'f' and a space), not a number. */
static bool is_op_line(const char *line)
{
    line += strspn(line, " \t");
    return (line[0] == 'a' || line[0] == 'r' || line[0] == 'f') && (line[1] == ' ' || line[1] == '\t');
}

/* The header: two or four lines of one number each. Four numbers are the
 * CS:APP header (heap size first), or the CMU 15-213 one when the first
 * is a weight (0 to 3: no heap suggestion of 3 bytes or less means
 * anything); two numbers followed by an operation are the two-line
 * header (ids, ops). */
static bool read_header(reader *r, trace_header *h, strbuf *err)
{
    static const char *const names[] = {"the suggested heap size (or the weight)", "the number of ids",
                                        "the number of operations", "the weight (or ignore-ranges)"};
    size_t num[4];
    int n = 0;
    memset(h, 0, sizeof *h);
    while (n < 4) {
        if (!next_line(r)) {
            if (n == 2)
                break; /* a two-line header and no operations */
            return fail(err, r->line + 1, n == 3 ? "a 3-line header is no dialect allocscope knows (4 lines: "
                                                   "CS:APP or CMU 15-213; 2 lines: ids, ops)"
                                                 : "the trace ends inside its 4-line header");
        }
        if (n >= 2 && is_op_line(r->cur)) {
            if (n == 3)
                return fail(err, r->line, "a 3-line header is no dialect allocscope knows (4 lines: CS:APP "
                                          "heap size, ids, ops, weight or CMU 15-213 weight, ids, ops, "
                                          "ignore-ranges; 2 lines: ids, ops)");
            r->again = true; /* the operation is read again below */
            break;
        }
        parse_words w;
        if (parse_split(r->cur, &w) || w.count != 1 || parse_uint(w.word[0], &num[n])) {
            sb_printf(err, "%zu: header line %d must be one number: %s", r->line, n + 1, names[n]);
            return false;
        }
        n++;
    }
    if (n == 2) {
        h->dialect = TRACE_TWO_LINE;
        h->ids = num[0], h->ops = num[1];
    } else if (num[0] <= 3) {
        h->dialect = TRACE_CMU_15213;
        h->weight = num[0], h->ids = num[1], h->ops = num[2], h->ignore_ranges = num[3];
    } else {
        h->dialect = TRACE_CSAPP;
        h->heap_size = num[0], h->ids = num[1], h->ops = num[2], h->weight = num[3];
    }
    if (h->ids > TRACE_MAX_IDS || h->ops > TRACE_MAX_OPS)
        return fail(err, r->line, "the trace is larger than allocscope replays (10,000,000 ids, 100,000,000 ops)");
    return true;
}

/* What one operation line becomes, for every dialect. */
typedef struct trace_state {
    trace_dialect dialect;
    size_t ids;
    uint32_t *live;     /* each id's live size (at most 1 GiB); 0: not live */
    unsigned char *ever; /* ids that were ever allocated */
    size_t live_bytes, peak_bytes; /* payload, as mdriver counts it */
    size_t foot, peak_foot;        /* payload rounded to 16 plus a 16-byte header */
} trace_state;

static size_t footprint(size_t bytes) { return ((bytes + 15) & ~(size_t)15) + 16; }

/* An id's live size from was (what t->live holds) to bytes, and the
 * figures that follow it. */
static inline void live_change(trace_state *t, size_t id, uint32_t was, size_t bytes)
{
    t->live_bytes = t->live_bytes - was + bytes;
    t->foot = t->foot - (was ? footprint(was) : 0) + (bytes ? footprint(bytes) : 0);
    t->live[id] = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes; /* a recording's sizes reach 1 TiB */
    if (t->live_bytes > t->peak_bytes)
        t->peak_bytes = t->live_bytes;
    if (t->foot > t->peak_foot)
        t->peak_foot = t->foot;
}

static void set_live(trace_state *t, size_t id, size_t bytes)
{
    live_change(t, id, t->live[id], bytes);
    if (bytes && t->dialect != TRACE_RECORDING) /* only the lenient dialects ask (a recording's ids are strict) */
        t->ever[id] = 1;
}

/* Splits a line into at most 4 words (in place); false if it has more. */
static bool split_words(char *line, char *word[4], size_t *count)
{
    *count = 0;
    for (char *p = line;;) {
        while (is_blank_char(*p))
            p++;
        if (*p == '\0')
            return true;
        if (*count == 4)
            return false;
        word[(*count)++] = p;
        while (*p && !is_blank_char(*p))
            p++;
        if (*p)
            *p++ = '\0';
    }
}

/* An operation that does nothing yet, of trace line `line`. */
static void op_init(trace_op *op, size_t line)
{
    op->kind = TRACE_OP_NONE; /* no memset: the note is written only when it is needed */
    op->id = op->bytes = 0;
    op->again = false;
    op->align_log2 = 3;
    op->note[0] = '\0';
    op->line = line;
}

/* An operation once its line is split and its numbers read (id_read,
 * bytes_read: whether they were numbers; c is 'a', 'r' or 'f'): the one
 * place that judges it, for classify_op and the fast reader. */
static bool classify_numbers(trace_state *t, char c, bool id_read, size_t id, bool bytes_read, size_t bytes,
                             trace_op *op, strbuf *err, size_t line)
{
    bool lenient = t->dialect != TRACE_CSAPP;
    bool sized = c == 'a' || c == 'r';
    op_init(op, line);
    if (!id_read || id >= t->ids)
        return fail(err, line, "the id is not a number below the header's number of ids");
    if (sized && (!bytes_read || (bytes == 0 && !lenient) || bytes > ((size_t)1 << 30)))
        return fail(err, line, lenient ? "the size must be a number from 0 to 1 GiB"
                                       : "the size must be a number from 1 to 1 GiB");
    if (c == 'a' && t->live[id])
        return fail(err, line, "this id is already allocated");
    op->id = id;
    op->bytes = bytes;
    if (c == 'a' && bytes == 0) {
        snprintf(op->note, sizeof op->note, "a %zu 0: malloc(0) hands out nothing here", id);
    } else if (c == 'a') {
        op->kind = TRACE_OP_ALLOC;
    } else if (c == 'r' && !t->live[id] && lenient) {
        if (bytes)
            op->kind = TRACE_OP_ALLOC;
        else
            snprintf(op->note, sizeof op->note, "r %zu 0 of an id not live: realloc(NULL, 0) does nothing here",
                     id);
    } else if (c == 'r' && bytes == 0) {
        op->kind = TRACE_OP_FREE;
    } else if (c == 'r' && t->live[id]) {
        op->kind = TRACE_OP_REALLOC;
    } else if (c == 'f' && t->live[id]) {
        op->kind = TRACE_OP_FREE;
    } else if (lenient && c == 'f' && !t->ever[id]) {
        snprintf(op->note, sizeof op->note, "f %zu of an id never allocated: free(NULL) does nothing", id);
    } else if (lenient && c == 'f') {
        op->kind = TRACE_OP_FREE; /* freed before: the replay shows the double free */
        op->again = true;
    } else {
        return fail(err, line, "this id is not allocated");
    }
    set_live(t, id, c == 'f' ? 0 : bytes);
    return true;
}

/* The mdriver-derived dialects (CMU 15-213, two-line) are lenient where
 * mdriver is: `f -1` is free(NULL), and so is freeing an id never
 * allocated; realloc of an id not live is malloc, realloc to 0 is free. A
 * malloc(0) hands out nothing. Those operations do nothing (kind
 * TRACE_OP_NONE, the reason in note). The CS:APP dialect is strict. */
static bool classify_op(trace_state *t, char *const *word, size_t count, trace_op *op, strbuf *err, size_t line)
{
    const char *usage = "expected 'a ID BYTES', 'r ID BYTES' or 'f ID'";
    bool lenient = t->dialect != TRACE_CSAPP;
    size_t id = 0, bytes = 0;
    op_init(op, line);
    if (count < 2)
        return fail(err, line, usage);
    char c = word[0][1] == '\0' ? word[0][0] : '?';
    bool sized = c == 'a' || c == 'r';
    if ((c != 'a' && c != 'r' && c != 'f') || count != (sized ? 3u : 2u))
        return fail(err, line, usage);
    if (c == 'f' && lenient && strcmp(word[1], "-1") == 0) {
        snprintf(op->note, sizeof op->note, "f -1: free(NULL) does nothing");
        return true;
    }
    bool id_read = read_number(word[1], &id);
    bool bytes_read = sized && read_number(word[2], &bytes);
    return classify_numbers(t, c, id_read, id, bytes_read, bytes, op, err, line);
}

/* The script line of an operation. */
static void format_op(const trace_op *op, strbuf *out)
{
    switch (op->kind) {
    case TRACE_OP_NONE:
        sb_printf(out, "# %s\n", op->note);
        break;
    case TRACE_OP_ALLOC:
        sb_printf(out, "alloc %zu align 8 as t%zu\n", op->bytes, op->id);
        break;
    case TRACE_OP_REALLOC:
        sb_printf(out, "realloc t%zu %zu\n", op->id, op->bytes);
        break;
    case TRACE_OP_FREE:
        sb_printf(out, "free t%zu\n", op->id);
        break;
    }
}

/* A heap that holds a trace: twice the peak of what its live blocks take
 * on a free list (16-byte header, payload rounded to 16), so first-fit
 * has room for fragmentation, rounded up to 4 KiB; at least 4 KiB. */
size_t trace_heap_for(size_t peak_footprint)
{
    size_t heap = peak_footprint > ((size_t)1 << 40) ? (size_t)1 << 41 : peak_footprint * 2;
    heap = (heap + 4095) & ~(size_t)4095;
    return heap < 4096 ? 4096 : heap;
}

struct trace_stream {
    reader r;
    trace_header h;
    trace_state t;
    size_t ops;
    bool done;
    bool rec;             /* a recording: the lines below are record.h's */
    size_t extra;         /* its trailer's x and u lines so far */
    bool quick;           /* a recording read from a file: rec_quick may read its chunk */
    parse_words w;
};

/* ---- recordings (record.h): every line counts, blank or not, at its byte offset ---- */

/* Splits a line of plain words (letters, digits, "@/+._-" between spaces
 * and tabs), as parse_split would and at a fraction of its cost; false
 * for any other line (parse_split then reads it: quotes, comments, bytes
 * it refuses). */
static const unsigned char plain_chars[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
    ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1,
    ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1, ['@'] = 1, ['/'] = 1, ['+'] = 1, ['.'] = 1, ['_'] = 1, ['-'] = 1,
};

static bool plain_char(unsigned char c) { return plain_chars[c]; }

static bool fast_split(const char *line, size_t n, parse_words *w)
{
    if (n > PARSE_MAX_LINE)
        return false;
    w->count = 0;
    char *out = w->buf;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)line[i];
        if (c == ' ' || c == '\t') {
            i++;
            continue;
        }
        if (!plain_char(c) || w->count == PARSE_MAX_WORDS)
            return false;
        w->quoted[w->count] = false;
        w->word[w->count++] = out;
        while (i < n && plain_char((unsigned char)line[i]))
            *out++ = line[i++];
        if (i < n && line[i] != ' ' && line[i] != '\t')
            return false;
        *out++ = '\0';
    }
    return true;
}

/* The next line into r->cur and ts->w (words; none if it does not split);
 * false at the end. A line without its newline or too long is one word
 * "\x01", as record_to_script reads it. */
static bool rec_raw_line(trace_stream *ts, size_t *n)
{
    reader *r = &ts->r;
    if (!raw_line(r, n))
        return false;
    r->line++;
    if (r->partial || *n >= sizeof r->buf) {
        strcpy(r->buf, "\x01");
        r->cur = r->buf;
        *n = 1;
    }
    return true;
}

static void rec_split(trace_stream *ts, size_t n)
{
    if (!fast_split(ts->r.cur, n, &ts->w) && parse_split(ts->r.cur, &ts->w) != NULL)
        ts->w.count = 0;
}

static bool rec_line(trace_stream *ts)
{
    size_t n;
    if (!rec_raw_line(ts, &n))
        return false;
    rec_split(ts, n);
    return true;
}

static bool rec_header(trace_stream *ts, strbuf *err)
{
    memset(&ts->h, 0, sizeof ts->h);
    ts->h.dialect = TRACE_RECORDING;
    for (size_t i = 0; i < 4; i++) {
        if (!rec_line(ts)) {
            ts->w.count = 0;
            return record_header_line(i, i ? ts->r.off : 0, &ts->w, &ts->h, err);
        }
        if (!record_header_line(i, ts->r.off, &ts->w, &ts->h, err))
            return false;
    }
    return true;
}

static int rec_damaged(trace_stream *ts, size_t where, const char *why, strbuf *err)
{
    sb_printf(err, "byte %zu: %s; the %zu operation%s before it replay", where, why, ts->ops, ts->ops == 1 ? "" : "s");
    ts->h.ops = ts->ops;
    ts->done = true;
    ts->h.peak_payload = ts->t.peak_bytes;
    ts->h.peak_footprint = ts->t.peak_foot;
    return -1;
}

/* The trailer after the last operation: 0 when it ends well, else -1. */
static int rec_trailer(trace_stream *ts, strbuf *err)
{
    size_t n;
    while (rec_raw_line(ts, &n)) {
        if (ts->r.partial)
            return rec_damaged(ts, ts->r.off, "the recording ends inside this line (truncated)", err);
        const char *c = ts->r.cur;
        if (n >= 2 && c[1] == ' ' && (c[0] == 'x' || c[0] == 'u' || c[0] == 't' || c[0] == 's')) {
            ts->extra += c[0] == 'x' || c[0] == 'u'; /* what record_trailer_line makes of them, unsplit */
            continue;
        }
        rec_split(ts, n);
        bool end;
        const char *why = record_trailer_line(ts->r.cur, &ts->w, ts->ops, &ts->extra, &end);
        if (why)
            return rec_damaged(ts, ts->r.off, why, err);
        if (end) {
            size_t after = ts->r.next_off;
            if (rec_line(ts))
                return rec_damaged(ts, after, "text after the end line", err);
            ts->done = true;
            ts->h.peak_payload = ts->t.peak_bytes;
            ts->h.peak_footprint = ts->t.peak_foot;
            return 0;
        }
    }
    return rec_damaged(ts, ts->r.off, "the recording ends before its end line (truncated)", err);
}

/* The smallest k with 2^k >= align. */
static uint8_t log2_of(size_t align)
{
    return align <= 1 ? 0 : (uint8_t)(64 - __builtin_clzll((unsigned long long)align - 1));
}

/* ---- the quick reader's scanning, a word of 8 bytes (or SSE2's 16) at
 * a time: the chunk has READER_SPARE bytes after its '\0', so a word read
 * from any byte up to that '\0' stays in it ---- */

#define ONES ((uint64_t)0x0101010101010101u)
#define HIGHS ((uint64_t)0x8080808080808080u)

/* The 8 bytes from p on, p[0] in the low byte. */
static inline uint64_t load8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/* The value of the n (1 to 8) decimal digits that w starts with: pairs,
 * then fours, then all eight, each step one multiply that adds ten, a
 * hundred or ten thousand times a digit group to the next. */
static inline uint64_t digits_value(uint64_t w, unsigned n)
{
    if (n <= 4) { /* the same in 32 bits, a step less */
        uint32_t x = ((uint32_t)w << (32 - 8 * n)) & 0x0f0f0f0fu;
        x = (x * (1 + (10 << 8))) >> 8;
        return ((x & 0x00ff00ffu) * (1 + (100u << 16))) >> 16;
    }
    w = (w << (64 - 8 * n)) & (ONES * 0x0f); /* the digits at the top, zeros before them */
    w = (w * (1 + (10 << 8))) >> 8;
    w = ((w & 0x00ff00ff00ff00ffu) * (1 + (100 << 16))) >> 16;
    return ((w & 0x0000ffff0000ffffu) * (1 + ((uint64_t)10000 << 32))) >> 32;
}

/* Digits from *p on, 8 of them or more (at most max): their value, *p
 * past them; false if there are more. */
static bool quick_long_digits(const char **p, int max, size_t *v)
{
    const char *s = *p;
    size_t x = 0;
    int i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (i == max)
            return false;
        x = x * 10 + (size_t)(s[i] - '0');
    }
    *p = s + i;
    *v = x;
    return true;
}

/* How many decimal digits p starts with, and how many lower-case hex
 * digits: counted up to RUN_MAX (a word of SSE2's 16 bytes, else of 8),
 * RUN_MAX meaning as many or more. */
#ifdef TRACE_SSE2
#define RUN_MAX 16u

/* The bytes of v in [lo, lo + n], as 0xff. */
static inline __m128i bytes_in(__m128i v, char lo, char n)
{
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8(lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(n)), d);
}

/* How many of the 16 bytes a mask of them (bit i: byte i) starts with. */
static inline unsigned run_of(int mask) { return (unsigned)__builtin_ctz(~(unsigned)mask); }

static inline unsigned digit_run(const char *p)
{
    return run_of(_mm_movemask_epi8(bytes_in(_mm_loadu_si128((const __m128i *)(const void *)p), '0', 9)));
}

static inline unsigned hex_run(const char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    return run_of(_mm_movemask_epi8(_mm_or_si128(bytes_in(v, '0', 9), bytes_in(v, 'a', 5))));
}
#else
#define RUN_MAX 8u

/* The high bit of each byte of w that is not a decimal digit. Exact up to
 * and with the first such byte: a carry moves only upward, from a byte
 * that is flagged itself (0x80 or more). */
static inline uint64_t non_digits(uint64_t w)
{
    uint64_t x = w ^ (ONES * '0');
    return ((x + ONES * (0x80 - 10)) | x) & HIGHS;
}

/* The same for the lower-case hex digits: a byte is flagged by both
 * halves iff it is none; each half is exact up to and with the first
 * non-hex byte, since only such a byte (0x80 or more, or '`') carries or
 * borrows into the one above. */
static inline uint64_t non_hex(uint64_t w)
{
    uint64_t y = w ^ (ONES * 0x60); /* 'a' to 'f': 1 to 6 */
    uint64_t not_af = ((y + ONES * (0x80 - 7)) | y | ((y - ONES) & ~y)) & HIGHS;
    return non_digits(w) & not_af;
}

/* How many bytes come before the first flagged one (8: none is). */
static inline unsigned lead_bytes(uint64_t flags)
{
    return flags ? (unsigned)__builtin_ctzll(flags) >> 3 : 8;
}


static inline unsigned digit_run(const char *p) { return lead_bytes(non_digits(load8(p))); }

static inline unsigned hex_run(const char *p)
{
    unsigned i = lead_bytes(non_hex(load8(p)));
    return i < 8 ? i : 8 + lead_bytes(non_hex(load8(p + 8)));
}
#endif

/* Digits from *p on (1 to max of them, max 8 or more; the next character
 * is not checked): their value, *p past them; false if there is none or
 * more. */
static inline bool quick_digits(const char **p, int max, size_t *v)
{
    unsigned n = digit_run(*p);
    if (n >= 8)
        return quick_long_digits(p, max, v);
    if (n == 0)
        return false;
    *v = digits_value(load8(*p), n);
    *p += n;
    return true;
}

/* The same when the value is not wanted. */
static inline bool quick_skip_digits(const char **p, int max)
{
    unsigned n = digit_run(*p);
    size_t v;
    if (n == RUN_MAX)
        return quick_long_digits(p, max, &v);
    *p += n;
    return n > 0 && n <= (unsigned)max;
}

/* 1 to 16 lower-case hex digits from *p on and a space: *p past the
 * space; false for anything else. */
static inline bool quick_address(const char **p)
{
    const char *q = *p;
    unsigned i = hex_run(q);
    if (i == 0 || q[i] != ' ') /* (q[16] is a space, or there are more than 16) */
        return false;
    *p = q + i + 1;
    return true;
}

/* The alignment a kind letter stands for, as log2, for each operation's
 * letters of the quick forms; 0 for any other letter. */
static const uint8_t kind_a[256] = {['m'] = 4, ['c'] = 4, ['r'] = 4, ['R'] = 4, ['v'] = 12, ['P'] = 12};
static const uint8_t kind_r[256] = {['r'] = 4, ['R'] = 4};
static const uint8_t kind_f[256] = {['f'] = 4, ['r'] = 4, ['R'] = 4};

/* The quickest reader of a recording: the next line straight from the
 * chunk, when it is whole there and of the forms allocscope record writes
 * most ("a|r ID SIZE K ADDR THREAD DT[ gSLACK[m|n]]" with K one of m c r
 * R v P for a, r R for r; "f ID K THREAD DT" with K one of f r R; single
 * spaces, no caller), read as record_op_fast reads them, in one pass that
 * also finds the line's end, into op's kind, id, bytes and alignment.
 * Anything else (a longer form, a line cut by the chunk's end, which
 * stops at the '\0' after it) gives false with nothing consumed: the
 * careful path reads it. */
static inline bool rec_quick(trace_stream *ts, trace_op *op)
{
    reader *r = &ts->r;
    if (!ts->quick)
        return false;
    const char *s = r->chunk + r->pos, *q = s + 2;
    char c = s[0];
    size_t id, size = 0;
    const uint8_t *kinds = c == 'a' ? kind_a : c == 'r' ? kind_r : c == 'f' ? kind_f : NULL;
    if (kinds == NULL || s[1] != ' ' || !quick_digits(&q, 19, &id) || *q++ != ' ' || id >= ts->h.ids)
        return false;
    if (c != 'f' && (!quick_digits(&q, 19, &size) || *q++ != ' ' || size > ((size_t)1 << 40)))
        return false;
    uint8_t log2 = kinds[(unsigned char)q[0]];
    if (log2 == 0 || q[1] != ' ')
        return false;
    q += 2;
    if (c != 'f' && !quick_address(&q))
        return false;
    if (!quick_skip_digits(&q, 19) || *q++ != ' ' || !quick_skip_digits(&q, 19)) /* thread, time */
        return false;
    if (c != 'f' && q[0] == ' ' && q[1] == 'g') { /* gSLACK[m|n] */
        q += 2;
        if (!quick_skip_digits(&q, 10))
            return false;
        q += *q == 'm' || *q == 'n';
    }
    if (*q != '\n')
        return false;
    r->line++;
    r->partial = false;
    r->off = r->base + r->pos;
    r->pos += (size_t)(q + 1 - s);
    r->next_off = r->base + r->pos;
    op->kind = c == 'a' ? TRACE_OP_ALLOC : c == 'r' ? TRACE_OP_REALLOC : TRACE_OP_FREE;
    op->id = id;
    op->bytes = c == 'f' ? 0 : size ? size : 1;
    op->align_log2 = log2;
    return true;
}

/* The next line the careful way (record_op_fast, else word by word):
 * NULL with the operation in ro, or why the line is damaged (and then
 * *where is the byte offset to tell). */
static const char *rec_careful(trace_stream *ts, record_op *ro, size_t *where)
{
    size_t n;
    if (!rec_raw_line(ts, &n)) {
        *where = ts->r.next_off;
        return "the recording ends before the operations its header announces (truncated)";
    }
    *where = ts->r.off;
    if (ts->r.partial)
        return "the recording ends inside this line (truncated)";
    if (record_op_fast(ts->r.cur, n, ts->h.ids, ro)) /* as allocscope record writes it */
        return NULL;
    rec_split(ts, n); /* not: word by word */
    return record_op_line(&ts->w, ts->h.ids, ro);
}

/* The next operation of a recording, one of the header's count (1; -1:
 * damaged, as trace_stream_next). */
static int rec_op(trace_stream *ts, trace_op *op, strbuf *err)
{
    if (!rec_quick(ts, op)) {
        record_op ro;
        size_t where;
        const char *why = rec_careful(ts, &ro, &where);
        if (why)
            return rec_damaged(ts, where, why, err);
        op->kind = ro.op == 'a' ? TRACE_OP_ALLOC : ro.op == 'r' ? TRACE_OP_REALLOC : TRACE_OP_FREE;
        op->id = ro.id;
        op->bytes = ro.op == 'f' ? 0 : ro.size;
        op->align_log2 = log2_of(ro.align);
    }
    trace_state *t = &ts->t;
    uint32_t was = t->live[op->id];
    if (op->kind == TRACE_OP_ALLOC && was)
        return rec_damaged(ts, ts->r.off, "this id is already allocated", err);
    if (op->kind != TRACE_OP_ALLOC && !was)
        return rec_damaged(ts, ts->r.off, "this id is not allocated", err);
    op->again = false;
    op->line = ts->r.line;
    op->note[0] = '\0';
    live_change(t, op->id, was, op->bytes);
    ts->ops++;
    return 1;
}

static trace_stream *stream_start(reader r, trace_header *hdr, strbuf *err)
{
    trace_stream *ts = calloc(1, sizeof *ts);
    if (ts == NULL) {
        fail(err, 0, "out of memory");
        return NULL;
    }
    ts->r = r;
    if (r.f) { /* the first chunk, to see whether it is a recording */
        ts->r.len = fread(ts->r.chunk, 1, READER_CHUNK, r.f);
        ts->r.eof = ts->r.len == 0;
        ts->r.chunk[ts->r.len] = '\0';
        ts->rec = record_is_recording(ts->r.chunk);
        ts->quick = ts->rec;
    } else {
        ts->r.text = r.p;
        ts->rec = record_is_recording(r.p);
    }
    if (ts->rec ? !rec_header(ts, err) : !read_header(&ts->r, &ts->h, err)) {
        free(ts); /* the caller keeps the chunk */
        return NULL;
    }
    size_t n = ts->h.ids ? ts->h.ids : 1;
    ts->t = (trace_state){ts->h.dialect, ts->h.ids, calloc(n, sizeof(uint32_t)), calloc(n, 1), 0, 0, 0, 0};
    if (ts->t.live == NULL || ts->t.ever == NULL) {
        fail(err, ts->r.line, "out of memory");
        ts->r.chunk = NULL; /* the caller keeps it */
        trace_stream_close(ts);
        return NULL;
    }
    if (hdr)
        *hdr = ts->h;
    return ts;
}

trace_stream *trace_stream_open(FILE *f, trace_header *hdr, strbuf *err)
{
    /* + 1: a last line without its newline is ended in place; the spare
     * bytes after it, zeros, are what rec_quick's words read past it */
    char *chunk = calloc(1, READER_CHUNK + 1 + READER_SPARE);
    if (chunk == NULL) {
        fail(err, 0, "out of memory");
        return NULL;
    }
    trace_stream *ts = stream_start((reader){.f = f, .chunk = chunk}, hdr, err);
    if (ts == NULL)
        free(chunk);
    return ts;
}

trace_stream *trace_stream_text(const char *text, trace_header *hdr, strbuf *err)
{
    return stream_start((reader){.p = text}, hdr, err);
}

/* At most 18 digits (no overflow) from *p on, as read_number reads them;
 * *p moves past them. False if there is none or more than 18. */
static bool fast_number(const char **p, size_t *out)
{
    const char *q = *p;
    size_t v = 0;
    int n = 0;
    for (; *q >= '0' && *q <= '9'; q++, n++) {
        if (n == 18)
            return false;
        v = v * 10 + (size_t)(*q - '0');
    }
    *p = q;
    *out = v;
    return n > 0;
}

/* The fast reader: a line of the plainest form, "a ID BYTES", "r ID BYTES"
 * or "f ID" (one space between, digits, a newline), read straight from the
 * input and judged by classify_numbers as the general reader judges it.
 * 0 when the next line is of any other form, or not whole in the chunk,
 * and nothing is consumed: the general reader then reads it. The input
 * ends in a '\0' (the text's, or the one after the chunk), where a line
 * cut short stops. */
static int fast_next(trace_stream *ts, trace_op *op, strbuf *err)
{
    reader *r = &ts->r;
    if (r->again || (r->p == NULL && r->chunk == NULL))
        return 0;
    const char *s = r->p ? r->p : r->chunk + r->pos, *q = s + 2;
    char c = s[0];
    size_t id, bytes = 0;
    if ((c != 'a' && c != 'r' && c != 'f') || s[1] != ' ' || !fast_number(&q, &id))
        return 0;
    if (c != 'f' && (*q++ != ' ' || !fast_number(&q, &bytes)))
        return 0;
    if (*q != '\n')
        return 0;
    r->line++;
    r->partial = false;
    if (r->p) {
        r->off = (size_t)(s - r->text);
        r->p = q + 1;
        r->next_off = (size_t)(r->p - r->text);
    } else {
        r->off = r->base + r->pos;
        r->pos += (size_t)(q + 1 - s);
        r->next_off = r->base + r->pos;
    }
    if (!classify_numbers(&ts->t, c, true, id, true, bytes, op, err, r->line)) {
        ts->done = true;
        return -1;
    }
    ts->ops++;
    return 1;
}

/* The next operation of a malloc-lab trace (trace_stream_next's answer). */
static int text_next(trace_stream *ts, trace_op *op, strbuf *err)
{
    int fast = fast_next(ts, op, err);
    if (fast != 0)
        return fast;
    if (!next_line(&ts->r)) {
        ts->done = true;
        ts->h.peak_payload = ts->t.peak_bytes;
        ts->h.peak_footprint = ts->t.peak_foot;
        if (ts->ops != ts->h.ops) {
            sb_printf(err, "%zu: the header announces %zu operations, the trace has %zu", ts->r.line, ts->h.ops,
                      ts->ops);
            return -1;
        }
        return 0;
    }
    char *word[4];
    size_t count;
    if (!split_words(ts->r.cur, word, &count) || !classify_op(&ts->t, word, count, op, err, ts->r.line)) {
        if (err->len == 0)
            fail(err, ts->r.line, "expected 'a ID BYTES', 'r ID BYTES' or 'f ID'");
        ts->done = true;
        return -1;
    }
    ts->ops++;
    return 1;
}

/* trace_stream_read of a recording not done: the operations up to the
 * header's count, then the trailer. */
static size_t rec_read(trace_stream *ts, trace_op *ops, size_t n, int *got, strbuf *err)
{
    size_t left = ts->h.ops - ts->ops, k = 0;
    for (; k < n && k < left; k++)
        if ((*got = rec_op(ts, &ops[k], err)) != 1)
            return k;
    *got = k < n ? rec_trailer(ts, err) : 1;
    return k;
}

size_t trace_stream_read(trace_stream *ts, trace_op *ops, size_t n, int *got, strbuf *err)
{
    *got = n == 0 ? 1 : 0;
    if (n == 0 || ts->done)
        return 0;
    if (ts->rec)
        return rec_read(ts, ops, n, got, err);
    size_t k = 0;
    while (k < n && (*got = text_next(ts, &ops[k], err)) == 1) /* (any other answer ends the stream) */
        k++;
    return k;
}

int trace_stream_next(trace_stream *ts, trace_op *op, strbuf *err)
{
    int got;
    trace_stream_read(ts, op, 1, &got, err);
    return got;
}

const trace_header *trace_stream_header(const trace_stream *ts) { return &ts->h; }

void trace_stream_close(trace_stream *ts)
{
    if (ts == NULL)
        return;
    free(ts->t.live);
    free(ts->t.ever);
    free(ts->r.chunk);
    free(ts);
}

bool trace_to_script(const char *text, trace_header *hdr, strbuf *out, strbuf *err)
{
    if (record_is_recording(text)) /* allocscope record's superset of the format (record.h) */
        return record_to_script(text, hdr, out, err);
    trace_stream *ts = trace_stream_text(text, NULL, err);
    if (ts == NULL)
        return false;
    trace_op op;
    int got;
    while ((got = trace_stream_next(ts, &op, err)) == 1)
        format_op(&op, out);
    trace_header h = ts->h;
    trace_stream_close(ts);
    if (got < 0)
        return false;
    if (h.heap_size == 0)
        h.heap_size = trace_heap_for(h.peak_footprint);
    if (hdr)
        *hdr = h;
    return true;
}

static const char *const shape_names[] = {"random", "binary-tree", "coalescing", "realloc"};

const char *trace_shape_name(trace_shape shape) { return shape_names[shape]; }

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

typedef struct gen {
    strbuf body;
    size_t ops, target;  /* operations written; exactly how many to write */
    size_t live;         /* ids live now: each still owes its final free */
    size_t *size;        /* current size of each id, 0 if not live */
    size_t foot, peak_foot; /* what the live blocks take on a free list, and its peak */
} gen;

/* Operations still free for the shape: the target less those written,
 * less the final frees owed, less 3 kept for padding to the exact count. */
static bool room(const gen *g, size_t cost)
{
    return g->ops + g->live + cost + 3 <= g->target;
}

static void resize_id(gen *g, size_t id, size_t bytes)
{
    g->foot -= g->size[id] ? footprint(g->size[id]) : 0;
    g->foot += bytes ? footprint(bytes) : 0;
    if (g->foot > g->peak_foot)
        g->peak_foot = g->foot;
    g->live += (bytes != 0) - (g->size[id] != 0);
    g->size[id] = bytes;
    g->ops++;
}

static void op_alloc(gen *g, size_t id, size_t bytes)
{
    sb_printf(&g->body, "a %zu %zu\n", id, bytes);
    resize_id(g, id, bytes);
}

static void op_free(gen *g, size_t id)
{
    sb_printf(&g->body, "f %zu\n", id);
    resize_id(g, id, 0);
}

static void op_realloc(gen *g, size_t id, size_t bytes)
{
    sb_printf(&g->body, "r %zu %zu\n", id, bytes);
    resize_id(g, id, bytes);
}

/* Brings the count to exactly the target with the final frees: a realloc
 * of a live id takes one operation, a new 16-byte block two (its alloc
 * and its free). Returns the next unused id. */
static size_t pad_to_target(gen *g, size_t next_id)
{
    size_t left = g->target - g->ops - g->live;
    if (left % 2 == 1) {
        size_t id = SIZE_MAX;
        for (size_t i = next_id; i-- > 0 && id == SIZE_MAX;)
            if (g->size[i])
                id = i;
        if (id == SIZE_MAX && left >= 3) {
            id = next_id++;
            op_alloc(g, id, 16);
            left -= 2;
        }
        if (id != SIZE_MAX) {
            op_realloc(g, id, g->size[id] + 16);
            left--;
        }
    }
    for (; left >= 2; left -= 2)
        op_alloc(g, next_id++, 16);
    return next_id;
}

void trace_generate(trace_shape shape, uint64_t seed, size_t ops, strbuf *out)
{
    gen g = {{0}, 0, ops, 0, NULL, 0, 0};
    size_t ids = ops / 2 + 2;
    g.size = calloc(ids, sizeof *g.size);
    if (g.size == NULL)
        return;
    uint64_t s = seed | 1;
    size_t next_id = 0;
    switch (shape) {
    case TRACE_RANDOM:
        while (room(&g, 2)) {
            if (next_id > 0 && next_rand(&s) % 3 == 0) {
                size_t id = next_rand(&s) % next_id;
                if (g.size[id])
                    op_free(&g, id);
                continue;
            }
            op_alloc(&g, next_id++, 1 + next_rand(&s) % 512);
        }
        break;
    case TRACE_BINARY_TREE:
        /* nodes (24 bytes) with leaves (64-256 bytes); then leaves freed, then nodes */
        while (room(&g, 4)) {
            op_alloc(&g, next_id++, 24);
            op_alloc(&g, next_id++, 64 + next_rand(&s) % 193);
        }
        for (size_t id = 1; id < next_id; id += 2)
            op_free(&g, id);
        break;
    case TRACE_COALESCING:
        /* runs of neighbours, every other freed, then the rest: frees must merge */
        while (room(&g, 8)) {
            size_t base = next_id;
            for (int k = 0; k < 4; k++)
                op_alloc(&g, next_id++, 32 + (size_t)k * 16);
            op_free(&g, base + 1);
            op_free(&g, base + 3);
            op_free(&g, base + 2);
        }
        break;
    case TRACE_REALLOC:
        while (room(&g, 2)) {
            size_t id = next_id++;
            op_alloc(&g, id, 16);
            for (size_t grow = 32; grow <= 1024 && room(&g, 1); grow *= 2)
                op_realloc(&g, id, grow);
            if (next_rand(&s) % 2)
                op_free(&g, id);
        }
        break;
    case TRACE_SHAPE_COUNT:
        break;
    }
    if (ops >= 2)
        next_id = pad_to_target(&g, next_id);
    else if (ops == 1)
        op_alloc(&g, next_id++, 16); /* one operation cannot also free */
    for (size_t id = 0; id < next_id && ops >= 2; id++)
        if (g.size[id])
            op_free(&g, id);
    sb_printf(out, "%zu\n%zu\n%zu\n1\n%s", trace_heap_for(g.peak_foot), next_id ? next_id : 1, g.ops,
              sb_str(&g.body));
    sb_free(&g.body);
    free(g.size);
}
