/*
 * Bounded scanners shared by the /proc parsers. The buffers come from
 * pread() without a terminating NUL, so nothing here uses the
 * str*()/scanf() family: every read is bounded by an explicit end pointer.
 */
#ifndef ST_PROC_SCAN_H
#define ST_PROC_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proc/proc_parse.h"

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A field ends at a space, the end of the line or the end of the buffer;
 * anything else glued to the digits ("12a") makes the field malformed. */
static inline bool at_field_end(const char *p, const char *end)
{
	return p == end || *p == ' ' || *p == '\n';
}

static inline const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

/*
 * Unsigned decimal, at least one digit. Returns the byte after the digits,
 * or NULL when there is no digit or the value does not fit in 64 bits: a
 * wrapped counter would turn into a huge bogus delta downstream.
 */
static inline const char *scan_u64(const char *p, const char *end, uint64_t *out)
{
	const char *start = p;
	uint64_t v = 0;

	while (p < end && is_digit(*p)) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
			return NULL;
		p++;
	}
	if (p == start)
		return NULL;
	*out = v;
	return p;
}

/*
 * Signed decimal in the range of a kernel "long", read as unsigned with
 * negatives floored at 0: the fields we keep (cutime, cstime, rss, ppid)
 * are counts that only a kernel quirk could make negative, and a negative
 * count would poison every delta computed from it.
 */
static inline const char *scan_s64_floor0(const char *p, const char *end,
					  uint64_t *out)
{
	bool neg = false;
	uint64_t mag;

	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	p = scan_u64(p, end, &mag);
	if (!p)
		return NULL;
	if (mag > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return NULL;
	*out = neg ? 0 : mag;
	return p;
}

static inline bool has_prefix(const char *p, const char *eol,
			      const char *word, size_t wlen)
{
	return (size_t)(eol - p) >= wlen && memcmp(p, word, wlen) == 0;
}
#define HAS_PREFIX(p, eol, lit) has_prefix(p, eol, lit, sizeof(lit) - 1)

/* "name value" with nothing else on the line; -1 leaves *v untouched. */
static inline int parse_single_u64(const char *p, const char *eol, uint64_t *v)
{
	uint64_t x;

	if (p == eol || *p != ' ')
		return -1;
	p = scan_u64(skip_spaces(p, eol), eol, &x);
	if (!p || skip_spaces(p, eol) != eol)
		return -1;
	*v = x;
	return 0;
}

/*
 * Unsigned decimal with an optional fraction ("2.05", "217", "0.50"),
 * parsed by hand because strtod needs a NUL and obeys the locale's decimal
 * point. Returns the byte after it, or NULL when there is no digit.
 */
static inline const char *scan_decimal(const char *p, const char *end, double *out)
{
	uint64_t ipart, frac = 0, scale = 1;

	p = scan_u64(p, end, &ipart);
	if (!p)
		return NULL;
	if (p < end && *p == '.') {
		const char *start = ++p;

		for (; p < end && is_digit(*p); p++) {
			/* digits past ~1e-18 cannot change a double */
			if (scale < 1000000000000000000ULL) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
		}
		if (p == start)
			return NULL;
	}
	*out = (double)ipart + (double)frac / (double)scale;
	return p;
}

/* A parser's start: *out zeroed, so that no figure of an earlier parse
 * survives a line that is absent now; false when there is nothing to
 * parse (no buffer) or nowhere to put it. */
static inline bool parse_start(const char *buf, void *out, size_t size)
{
	if (!out)
		return false;
	memset(out, 0, size);
	return buf != NULL;
}

/* The line at *cur, without its newline, in [*line, *eol); *cur moves past
 * it. false at the end of the buffer. */
static inline bool next_line(const char **cur, const char *end,
			     const char **line, const char **eol)
{
	if (*cur >= end)
		return false;
	const char *nl = memchr(*cur, '\n', (size_t)(end - *cur));
	*line = *cur;
	*eol = nl ? nl : end;
	*cur = nl ? nl + 1 : end;
	return true;
}

/* Keyed lines ("MemTotal: 123 kB", "pgmajfault 77"): the entry of keys
 * (proc_parse.h) for the name [name, name + len), or NULL. */
static inline const struct st_kib_key *find_key(const struct st_kib_key *t, size_t n,
						   const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		size_t kl = t[i].keylen;
		int prefix = t[i].key[kl - 1] == '_';
		if ((prefix ? len > kl : len == kl) && memcmp(name, t[i].key, kl) == 0)
			return &t[i];
	}
	return NULL;
}

/* Adds v to the key's field (saturating: a summed counter never wraps)
 * and sets its bit in *have. */
static inline void key_add(const struct st_kib_key *k, void *out, unsigned *have, uint64_t v)
{
	uint64_t *f = (uint64_t *)((char *)out + k->offset);
	if (__builtin_add_overflow(*f, v, f))
		*f = UINT64_MAX;
	*have |= k->bit;
}

#endif
