/*
 * Terminal-safe text: what any line we write to a terminal or a log goes
 * through (the dump renderer, the log, the stdout sink). Nothing
 * attacker-controlled (process names, command lines, host names) reaches
 * the stream unescaped: no raw control byte is ever written.
 */
#ifndef ST_TERM_TEXT_H
#define ST_TERM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Escape for a UTF-8 terminal into out (outlen bytes, always
 * NUL-terminated, truncated at a whole character or escape if needed):
 * printable ASCII and valid UTF-8 kept; \n \t \r \\ as such; other control
 * bytes, DEL, invalid UTF-8, and characters that are valid yet steer the
 * terminal or the reader (C1 controls, bidirectional overrides and
 * isolates, line and paragraph separators) as \xNN per byte. Returns out. */
char *st_escape_terminal(const char *in, char *out, size_t outlen);

/* The same for a terminal that is not UTF-8: every byte from 0x80 up is
 * escaped too, so out holds printable ASCII only. */
char *st_escape_ascii(const char *in, char *out, size_t outlen);

/* raw escaped (ascii: as st_escape_ascii) into exactly width terminal
 * columns: padded with spaces, or cut at a whole character or escape and
 * ended by a marker ("~" in ASCII, "…" in UTF-8) when it is wider. */
void st_render_cell(FILE *out, const char *raw, size_t width, int ascii);

/* Whether the locale's character set is UTF-8, from the environment the
 * way setlocale(3) reads it (LC_ALL, then LC_CTYPE, then LANG); it works
 * without setlocale() and when the named locale is not installed. */
int st_render_locale_is_utf8(void);

/* Escape in into out (as st_escape_terminal, or st_escape_ascii when
 * ascii), stopping before a unit that would not fit in outlen bytes or in
 * maxcols columns. Returns how many input bytes made it in; the columns
 * used go to *colsp (may be NULL). */
size_t st_escape_into(const char *in, char *out, size_t outlen, bool ascii, size_t maxcols,
		      size_t *colsp);

/* raw escaped into at most width columns, cut with a marker ("~", or "…"
 * in UTF-8) when wider; returns the columns written. */
size_t st_put_cut(FILE *out, const char *raw, size_t width, bool ascii);

#endif
