/*
 * parse.c - words, sizes, alignments and names of the command language
 * (see parse.h).
 */
#include "allocscope/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p)
{
    size_t n;
    if (*p < 0x80)
        return 1;
    if ((*p & 0xE0) == 0xC0 && *p >= 0xC2)
        n = 2;
    else if ((*p & 0xF0) == 0xE0)
        n = 3;
    else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4)
        n = 4;
    else
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

static const char *check_bytes(const char *line)
{
    const unsigned char *p = (const unsigned char *)line;
    while (*p) {
        if (*p < 0x20 && *p != '\t')
            return "the line contains a control character";
        if (*p == 0x7F)
            return "the line contains a control character";
        size_t n = utf8_len(p);
        if (n == 0)
            return "the line is not valid UTF-8";
        p += n;
    }
    return NULL;
}

/* A comment after a command that is surely a mistyped block id: a lone
 * '#' at the end ("free #"), or '#', spaces and one whole number ("free #
 * 1", which would otherwise free the most recent block). NULL if the
 * comment is a comment. */
static const char *comment_typo(const char *r, parse_words *out)
{
    if (r[1] == '\0')
        return "a lone '#' after a command: a block id is written #N (e.g. #1); a comment is '# text'";
    if (r[1] != ' ' && r[1] != '\t')
        return NULL;
    const char *p = r + 1;
    while (*p == ' ' || *p == '\t')
        p++;
    const char *digits = p;
    while (isdigit((unsigned char)*p))
        p++;
    const char *end = p;
    while (*p == ' ' || *p == '\t')
        p++;
    if (end == digits || *p != '\0' || end - digits > 20)
        return NULL;
    snprintf(out->msg, sizeof out->msg,
             "'# %.*s' is not a block id (a '#' and a space start a comment): did you mean #%.*s?",
             (int)(end - digits), digits, (int)(end - digits), digits);
    return out->msg;
}

const char *parse_split(const char *line, parse_words *out)
{
    out->count = 0;
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (len > PARSE_MAX_LINE)
        return "the line is too long (at most 4096 bytes)";
    memcpy(out->buf, line, len);
    out->buf[len] = '\0';
    const char *bad = check_bytes(out->buf);
    if (bad)
        return bad;
    char *r = out->buf, *w = out->buf;
    for (;;) {
        while (*r == ' ' || *r == '\t')
            r++;
        if (*r == '#' && r != out->buf && out->count > 0) {
            const char *typo = comment_typo(r, out);
            if (typo) {
                out->count = 0;
                return typo;
            }
        }
        if (*r == '\0' || (*r == '#' && (r == out->buf || r[1] == '\0' || r[1] == ' ' ||
                                          r[1] == '\t' || r[1] == '#')))
            break;
        if (out->count == PARSE_MAX_WORDS) {
            out->count = 0;
            return "too many words on one line (at most 64)";
        }
        bool quoted = *r == '"';
        char *start = w;
        if (quoted) {
            r++;
            while (*r && *r != '"') {
                if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
                    r++;
                *w++ = *r++;
            }
            if (*r != '"') {
                out->count = 0;
                return "a quoted text is not closed (missing \")";
            }
            r++;
        } else {
            while (*r && *r != ' ' && *r != '\t')
                *w++ = *r++;
        }
        bool at_end = *r == '\0';
        *w++ = '\0';
        out->word[out->count] = start;
        out->quoted[out->count++] = quoted;
        if (at_end)
            break;
        if (!quoted)
            r++;
    }
    return NULL;
}

const char *parse_uint(const char *s, size_t *out)
{
    if (s == NULL || *s == '\0')
        return "a number is missing";
    if (*s == '-')
        return "negative numbers are not allowed";
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (*s == '\0')
            return "0x must be followed by hex digits";
    }
    size_t v = 0;
    for (; *s; s++) {
        int d;
        if (isdigit((unsigned char)*s))
            d = *s - '0';
        else if (base == 16 && isxdigit((unsigned char)*s))
            d = tolower((unsigned char)*s) - 'a' + 10;
        else
            return "not a number";
        if (v > (SIZE_MAX - (size_t)d) / (size_t)base)
            return "the number is too large";
        v = v * (size_t)base + (size_t)d;
    }
    *out = v;
    return NULL;
}

const char *parse_size(const char *s, size_t *out)
{
    if (s == NULL || *s == '\0')
        return "a size is missing";
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return parse_uint(s, out);
    char digits[32];
    size_t n = s[0] == '-' ? 1 : 0;
    while (isdigit((unsigned char)s[n]))
        n++;
    if (n == 0 || (n == 1 && s[0] == '-'))
        return "not a size (examples: 100, 4k, 2MiB)";
    if (n >= sizeof digits)
        return "the size is too large";
    memcpy(digits, s, n);
    digits[n] = '\0';
    size_t v;
    const char *err = parse_uint(digits, &v);
    if (err)
        return err;
    const char *suffix = s + n;
    if (suffix[0] == '.' && isdigit((unsigned char)suffix[1]))
        return "fractions are not accepted: give a whole number of bytes or of a unit (1536k, not 1.5M)";
    size_t mult;
    if (*suffix == '\0' || !strcasecmp(suffix, "b"))
        mult = 1;
    else if (!strcasecmp(suffix, "k") || !strcasecmp(suffix, "kib") || !strcasecmp(suffix, "kb"))
        mult = 1024;
    else if (!strcasecmp(suffix, "m") || !strcasecmp(suffix, "mib") || !strcasecmp(suffix, "mb"))
        mult = 1024 * 1024;
    else if (!strcasecmp(suffix, "g") || !strcasecmp(suffix, "gib") || !strcasecmp(suffix, "gb"))
        mult = (size_t)1024 * 1024 * 1024;
    else
        return "unknown size suffix (use k, KiB, M, MiB, G or GiB)";
    if (v > SIZE_MAX / mult)
        return "the size is too large";
    *out = v * mult;
    return NULL;
}

const char *parse_align(const char *s, unsigned *log2)
{
    size_t v;
    const char *err = parse_uint(s, &v);
    if (err)
        return err;
    if (v == 0 || (v & (v - 1)) != 0)
        return "the alignment must be a power of two (1, 2, 4, ... 4096)";
    if (v > 4096)
        return "the alignment must be at most 4096";
    unsigned n = 0;
    while (((size_t)1 << n) < v)
        n++;
    *log2 = n;
    return NULL;
}

bool parse_is_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > PARSE_MAX_NAME || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
            return false;
    return true;
}

bool parse_is(const char *word, const char *keyword)
{
    return word != NULL && strcasecmp(word, keyword) == 0;
}

/* Edit distance with adjacent transpositions counted as one edit
 * ("bmup" is one edit from "bump"), case-insensitive; 99 past 32 bytes. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return 99;
    size_t d[33][33];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *parse_suggest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    /* one edit for short words, two from five letters: "#0" is not a typo of "y" */
    size_t len = strlen(word);
    size_t best_d = len >= 5 ? 3 : len >= 2 ? 2 : 1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(word, candidates[i]) == 0) /* the word itself: suggesting it cannot help */
            return NULL;
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}
