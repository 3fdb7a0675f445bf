/* Escaping untrusted bytes for text: see term_text.h. */
#define _GNU_SOURCE
#include "text/term_text.h"
#include "text/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_MAX 17             /* one escaped unit: "\xNN" x 4 and NUL */

/*
 * Valid characters that still act on the terminal or mislead the reader:
 * C1 controls (U+009B is CSI to some terminals), the bidirectional marks,
 * embeddings, overrides and isolates that reorder what follows ("Trojan
 * Source"), the line and paragraph separators, and the invisible ones
 * (zero-width space and joiners, word joiner and invisible operators, the
 * byte-order mark) that would make two different names read the same: a
 * config saved with a BOM must not say "unknown option 'interval'".
 */
static bool is_steering(uint32_t cp)
{
	return (cp >= 0x80 && cp < 0xa0) || cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

static bool in_ranges(uint32_t cp, const uint32_t (*r)[2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= r[i][0] && cp <= r[i][1])
			return true;
	return false;
}

/*
 * Terminal columns of a printable character, so that tables line up: the
 * common combining marks and zero-width characters take none, East Asian
 * wide characters and emoji two. An approximation of wcwidth(3) that does
 * not depend on which locales are installed.
 */
static size_t char_columns(uint32_t cp)
{
	static const uint32_t zero[][2] = {
		{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd }, { 0x0610, 0x061a },
		{ 0x064b, 0x065f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff }, { 0x20d0, 0x20ff },
		{ 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f },
	};
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xac00, 0xd7a3 },
		{ 0xf900, 0xfaff }, { 0xfe30, 0xfe4f }, { 0xff00, 0xff60 }, { 0xffe0, 0xffe6 },
		{ 0x1f300, 0x1f64f }, { 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd },
		{ 0x30000, 0x3fffd },
	};

	if (in_ranges(cp, zero, sizeof(zero) / sizeof(zero[0])))
		return 0;
	if (in_ranges(cp, wide, sizeof(wide) / sizeof(wide[0])))
		return 2;
	return 1;
}

static size_t hex_bytes(const unsigned char *p, size_t n, char unit[static UNIT_MAX])
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(unit + o, UNIT_MAX - o, "\\x%02x", p[i]);
	return o;       /* columns: all ASCII */
}

/*
 * The escaped form of the character at p into unit, its width in *cols;
 * returns how many input bytes it stands for.
 */
static size_t escape_unit(const unsigned char *p, bool ascii, char unit[static UNIT_MAX],
			  size_t *cols)
{
	size_t n;
	uint32_t cp;

	*cols = 2;
	switch (*p) {
	case '\n': strcpy(unit, "\\n"); return 1;
	case '\t': strcpy(unit, "\\t"); return 1;
	case '\r': strcpy(unit, "\\r"); return 1;
	case '\\': strcpy(unit, "\\\\"); return 1;
	}
	if (*p < 0x20 || *p == 0x7f || (*p >= 0x80 && ascii)) {
		*cols = hex_bytes(p, 1, unit);
		return 1;
	}
	if (*p < 0x80) {
		unit[0] = (char)*p;
		unit[1] = '\0';
		*cols = 1;
		return 1;
	}
	bool valid;
	n = st_utf8_seq(p, SIZE_MAX, &valid);
	if (!valid) {
		*cols = hex_bytes(p, 1, unit);
		return 1;
	}
	cp = st_utf8_decode(p, n);
	if (is_steering(cp)) {
		*cols = hex_bytes(p, n, unit);
		return n;
	}
	memcpy(unit, p, n);
	unit[n] = '\0';
	*cols = char_columns(cp);
	return n;
}

size_t st_escape_into(const char *in, char *out, size_t outlen, bool ascii,
			  size_t maxcols, size_t *colsp)
{
	const unsigned char *start = (const unsigned char *)(in ? in : "");
	const unsigned char *p = start;
	size_t o = 0, cols = 0;

	if (colsp)
		*colsp = 0;
	if (!out || outlen == 0)
		return 0;
	while (*p) {
		char unit[UNIT_MAX];
		size_t ucols, n = escape_unit(p, ascii, unit, &ucols);
		size_t ulen = strlen(unit);

		/* Whole units only: never half an escape or half a character. */
		if (ulen >= outlen - o || cols + ucols > maxcols)
			break;
		memcpy(out + o, unit, ulen);
		o += ulen;
		cols += ucols;
		p += n;
	}
	out[o] = '\0';
	if (colsp)
		*colsp = cols;
	return (size_t)(p - start);
}

char *st_escape_terminal(const char *in, char *out, size_t outlen)
{
	st_escape_into(in, out, outlen, false, SIZE_MAX, NULL);
	return out;
}

char *st_escape_ascii(const char *in, char *out, size_t outlen)
{
	st_escape_into(in, out, outlen, true, SIZE_MAX, NULL);
	return out;
}

size_t st_escape_cut(const char *in, char *out, size_t outlen, bool ascii, size_t maxcols,
		     const char *marker)
{
	char mark[UNIT_MAX];
	size_t cols, mcols, mlen;

	in = in ? in : "";
	if (!out || outlen == 0)
		return 0;
	size_t used = st_escape_into(in, out, outlen, ascii, maxcols, &cols);
	if (!in[used])
		return cols;
	st_escape_into(marker ? marker : "", mark, sizeof(mark), ascii, SIZE_MAX, &mcols);
	mlen = strlen(mark);
	if (mlen >= outlen || mcols > maxcols) {
		out[0] = '\0';         /* not even the marker fits */
		return 0;
	}
	st_escape_into(in, out, outlen - mlen, ascii, maxcols - mcols, &cols);
	strcat(out, mark);
	return cols + mcols;
}

size_t st_escape_quoted(const char *in, char *out, size_t outlen, const char *quote,
			bool *truncated)
{
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	size_t o = 0;

	if (truncated)
		*truncated = false;
	if (!out || outlen == 0)
		return 0;
	while (*p) {
		char unit[UNIT_MAX], quoted[2 * UNIT_MAX];
		size_t cols, n = escape_unit(p, true, unit, &cols), u = 0;

		for (const char *c = unit; *c; c++) {
			if (strchr(quote, *c))
				quoted[u++] = '\\';
			quoted[u++] = *c;
		}
		if (u >= outlen - o) {
			if (truncated)
				*truncated = true;
			break;
		}
		memcpy(out + o, quoted, u);
		o += u;
		p += n;
	}
	out[o] = '\0';
	return o;
}

size_t st_put_cut(FILE *out, const char *raw, size_t width, bool ascii)
{
	char buf[1024];
	size_t cols;

	if (width == 0)
		return 0;
	cols = st_escape_cut(raw, buf, sizeof(buf), ascii, width,
			     ascii ? "~" : "\xe2\x80\xa6");   /* U+2026 … */
	fputs(buf, out);
	return cols;
}

void st_render_cell(FILE *out, const char *raw, size_t width, int ascii)
{
	if (!out || width == 0)
		return;
	for (size_t cols = st_put_cut(out, raw, width, ascii != 0); cols < width; cols++)
		fputc(' ', out);
}

int st_render_locale_is_utf8(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };

	/* The first one set decides, as for setlocale(LC_CTYPE, ""). */
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
	}
	return 0;
}
