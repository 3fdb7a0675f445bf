/*
 * Escaping untrusted bytes for text, written once: every line we write to
 * a terminal, a log, syslog, the journal or a metrics file goes through it
 * (the dump renderer, the daemon's log, the viewer, the sinks, the memory
 * detectors' summaries). Nothing attacker-controlled (process names,
 * command lines, host names) reaches the stream unescaped: no raw control
 * byte is ever written.
 *
 * Two forms. UTF-8 (st_escape_terminal) keeps valid, harmless characters.
 * ASCII (st_escape_ascii) is printable ASCII only, for a non-UTF-8
 * terminal and for every machine-read line (syslog, the journal, metrics
 * labels, RFC 5424 fields). Both write a newline, tab and carriage return
 * as \n \t \r, a backslash as \\ and every other unsafe byte as \xNN:
 * the C string form a reader knows, so an injected "\n" in a log line
 * reads as what it is, and a name reads the same in the terminal, the
 * daemon's log and a collector.
 *
 * Pure and free of every module but utf8.c: plugins link it (libsttext)
 * rather than reach it through the host table.
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

/* in escaped into out (outlen bytes, always NUL-terminated) within maxcols
 * columns; when it does not all fit, as much as fits with marker (our own
 * text, e.g. "..." or "~") after it, whole units only: a cut never ends in
 * half of an escape or a character. Returns the columns written (in ASCII
 * these are the bytes). */
size_t st_escape_cut(const char *in, char *out, size_t outlen, bool ascii, size_t maxcols,
		     const char *marker);

/* in in the ASCII form, then each byte of quote in it preceded by a
 * backslash: a format's own quoting on top of ours (RFC 5424's SD-PARAM
 * values, Prometheus label values), so that a reader that undoes it reads
 * the ASCII form. Into out (outlen bytes, always NUL-terminated), whole
 * units only: a cut never ends inside either escape. Returns the length;
 * *truncated (may be NULL) says whether all of in fit. */
size_t st_escape_quoted(const char *in, char *out, size_t outlen, const char *quote,
			bool *truncated);

/* raw escaped into at most width columns, cut with a marker ("~", or "…"
 * in UTF-8) when wider; returns the columns written. */
size_t st_put_cut(FILE *out, const char *raw, size_t width, bool ascii);

#endif
