/*
 * UTF-8 as RFC 3629 has it (no overlongs, no surrogates, nothing above
 * U+10FFFF): one reading of it for the dump's JSON, which replaces what is
 * ill-formed, and the terminal renderer, which escapes it.
 */
#ifndef ST_UTF8_H
#define ST_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the sequence at s (avail bytes readable; a NUL ends it too).
 * *valid says whether it is well-formed; an ill-formed one's length is its
 * maximal subpart, so that one U+FFFD replaces it, as Unicode and every
 * browser do. */
size_t st_utf8_seq(const unsigned char *s, size_t avail, bool *valid);

/* The code point of the well-formed sequence of n bytes at p. */
uint32_t st_utf8_decode(const unsigned char *p, size_t n);

/* Copy src's first srclen bytes (stopping at a NUL) into dst (dstlen bytes,
 * NUL-terminated), each ill-formed sequence replaced by U+FFFD; never part
 * of a sequence, so a cut leaves valid UTF-8. Returns dst. */
char *st_utf8_sanitize_n(const char *src, size_t srclen, char *dst, size_t dstlen);

/* A malloc'd copy of the len bytes at s so sanitised (each bad byte may
 * grow into the three of U+FFFD); NULL when out of memory. */
char *st_utf8_dup(const char *s, size_t len);

/* The same over the whole string. */
char *st_utf8_sanitize(const char *src, char *dst, size_t dstlen);

#endif
