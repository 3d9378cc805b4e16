/*
 * parse.h - the lexical side of the command language: splitting a line into
 * words, and reading sizes, alignments and names strictly (no wrap-around,
 * no trailing junk).
 */
#ifndef ALLOCSCOPE_PARSE_H
#define ALLOCSCOPE_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define PARSE_MAX_WORDS 64
#define PARSE_MAX_LINE 4096
#define PARSE_MAX_NAME 31

typedef struct parse_words {
    char buf[PARSE_MAX_LINE + 1];
    char *word[PARSE_MAX_WORDS];
    bool quoted[PARSE_MAX_WORDS];
    size_t count;
    char msg[160]; /* an error message made for this line */
} parse_words;

/* Splits line into words (spaces and tabs separate; "..." is one word with
 * \" and \\ escapes). Outside quotes, # starts a comment at the start of
 * the line or when a space or the end follows it; "#3" is a word (a block
 * id). After a command, a comment that is only a number ("free # 1") or a
 * lone '#' ("free #") is a mistyped block id and an error, never a comment
 * that would let the command run on the most recent block. Returns NULL on
 * success (out->count words), else a message and out->count == 0 (line too
 * long, unterminated quote, too many words, bytes that are not UTF-8 or are
 * control characters, a mistyped block id). */
const char *parse_split(const char *line, parse_words *out);

/* A byte count: decimal or 0x hex, with optional k/K/KiB/kb, m/M/MiB,
 * g/G/GiB suffixes (powers of 1024). Returns NULL and sets *out, or a
 * message saying what is wrong (a fraction such as 1.5M is refused as
 * one). */
const char *parse_size(const char *s, size_t *out);
/* A plain non-negative integer (decimal or 0x hex). */
const char *parse_uint(const char *s, size_t *out);
/* An alignment: a power of two from 1 to 4096; sets *log2. */
const char *parse_align(const char *s, unsigned *log2);
/* A valid name: [A-Za-z_][A-Za-z0-9_.-]*, at most PARSE_MAX_NAME bytes. */
bool parse_is_name(const char *s);
/* Case-insensitive keyword compare. */
bool parse_is(const char *word, const char *keyword);
/* The closest of candidates to word by edit distance (at most 1 for a
 * word of 2-4 bytes, 2 for longer ones; none for one byte), or NULL; NULL
 * also when word is itself a candidate (suggesting it would not help). */
const char *parse_suggest(const char *word, const char *const *candidates, size_t n);

#endif
