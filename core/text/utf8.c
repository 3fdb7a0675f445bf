/* UTF-8: see utf8.h. */
#include "text/utf8.h"

#include <stdlib.h>
#include <string.h>

size_t st_utf8_seq(const unsigned char *s, size_t avail, bool *valid)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need;

	*valid = false;
	if (c < 0x80) {
		*valid = true;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
	} else if (c == 0xe0) {
		need = 2;
		lo = 0xa0;              /* below: overlong */
	} else if (c == 0xed) {
		need = 2;
		hi = 0x9f;              /* above: UTF-16 surrogates */
	} else if (c >= 0xe1 && c <= 0xef) {
		need = 2;
	} else if (c == 0xf0) {
		need = 3;
		lo = 0x90;              /* below: overlong */
	} else if (c >= 0xf1 && c <= 0xf3) {
		need = 3;
	} else if (c == 0xf4) {
		need = 3;
		hi = 0x8f;              /* above: beyond U+10FFFF */
	} else {
		return 1;               /* 80..c1, f5..ff never start a sequence */
	}
	for (size_t i = 1; i <= need; i++) {
		if (i >= avail || s[i] < lo || s[i] > hi)
			return i;
		lo = 0x80;
		hi = 0xbf;
	}
	*valid = true;
	return need + 1;
}

char *st_utf8_sanitize_n(const char *src, size_t srclen, char *dst, size_t dstlen)
{
	static const char replacement[] = "\xef\xbf\xbd";   /* U+FFFD */
	const unsigned char *p = (const unsigned char *)(src ? src : "");
	size_t o = 0;

	if (!dst || dstlen == 0)
		return dst;
	if (!src)
		srclen = 0;
	while (srclen > 0 && *p) {
		bool valid;
		size_t n = st_utf8_seq(p, srclen, &valid);
		const char *piece = valid ? (const char *)p : replacement;
		size_t plen = valid ? n : sizeof(replacement) - 1;

		if (plen >= dstlen - o)
			break;
		memcpy(dst + o, piece, plen);
		o += plen;
		p += n;
		srclen -= n;
	}
	dst[o] = '\0';
	return dst;
}

char *st_utf8_sanitize(const char *src, char *dst, size_t dstlen)
{
	return st_utf8_sanitize_n(src, src ? strlen(src) : 0, dst, dstlen);
}

uint32_t st_utf8_decode(const unsigned char *p, size_t n)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t cp = p[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (p[i] & 0x3f);
	return cp;
}

char *st_utf8_dup(const char *s, size_t len)
{
	char *out = malloc(3 * len + 1);
	if (out)
		st_utf8_sanitize_n(s, len, out, 3 * len + 1);
	return out;
}
