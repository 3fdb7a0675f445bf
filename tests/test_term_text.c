/* The escaper's cut with a marker and its quoting for other formats
 * (core/text/term_text.c); the forms of single bytes are in test_render_text. */
#include "cunit_runner.h"
#include "text/term_text.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A hostile name and its ASCII form, unit by unit: a \n \x1b \\ \xff b c */
#define HOSTILE "a\n\x1b\\\xff" "bc"
#define HOSTILE_ASCII "a\\n\\x1b\\\\\\xffbc"
static const size_t hostile_ends[] = { 0, 1, 3, 7, 9, 13, 14, 15 };

/* The longest prefix of whole units within room bytes. */
static size_t whole_prefix(size_t room)
{
	size_t best = 0;
	for (size_t i = 0; i < sizeof(hostile_ends) / sizeof(hostile_ends[0]); i++)
		if (hostile_ends[i] <= room)
			best = hostile_ends[i];
	return best;
}

static void test_cut_with_marker(void)
{
	char out[16];

	/* What fits has no marker. */
	CU_ASSERT_EQUAL(st_escape_cut("abc", out, sizeof(out), true, SIZE_MAX, "..."), 3);
	CU_ASSERT_STRING_EQUAL(out, "abc");
	/* By bytes: the marker inside the buffer. */
	CU_ASSERT_EQUAL(st_escape_cut("abcdefghij", out, 8, true, SIZE_MAX, "..."), 7);
	CU_ASSERT_STRING_EQUAL(out, "abcd...");
	/* By columns: "…" is one column of three bytes. */
	CU_ASSERT_EQUAL(st_escape_cut("abcdef", out, sizeof(out), false, 4, "\xe2\x80\xa6"), 4);
	CU_ASSERT_STRING_EQUAL(out, "abc\xe2\x80\xa6");
	CU_ASSERT_EQUAL(st_escape_cut("ab\xe4\xb8\xad" "c", out, sizeof(out), false, 3, "~"), 3);
	CU_ASSERT_STRING_EQUAL(out, "ab~");                 /* the wide one does not fit */
	/* Not even the marker fits: nothing. */
	CU_ASSERT_EQUAL(st_escape_cut("abcdef", out, 3, true, SIZE_MAX, "..."), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(st_escape_cut("abcdef", out, sizeof(out), true, 2, "..."), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(st_escape_cut(NULL, out, sizeof(out), true, SIZE_MAX, "..."), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
}

/* Cut at every size: whole units, then the marker; never half of "\x1b". */
static void test_cut_never_splits(void)
{
	size_t full = strlen(HOSTILE_ASCII);

	for (size_t outlen = 1; outlen <= full + 1; outlen++) {
		char out[64];
		size_t cols = st_escape_cut(HOSTILE, out, outlen, true, SIZE_MAX, "~");
		size_t n = strlen(out);
		CU_ASSERT(n < outlen);
		CU_ASSERT_EQUAL(cols, n);           /* ASCII: columns are bytes */
		for (size_t i = 0; i < n; i++)
			CU_ASSERT(out[i] >= 0x20 && out[i] < 0x7f);
		if (outlen == full + 1) {
			CU_ASSERT_STRING_EQUAL(out, HOSTILE_ASCII);
		} else if (outlen == 1) {
			CU_ASSERT_STRING_EQUAL(out, "");
		} else {
			size_t keep = whole_prefix(outlen - 2);
			CU_ASSERT_EQUAL(n, keep + 1);
			CU_ASSERT_EQUAL(memcmp(out, HOSTILE_ASCII, keep), 0);
			CU_ASSERT_EQUAL(out[keep], '~');
		}
	}
}

/* A format's quoting over ours: undone, it gives the ASCII form. */
static void test_quoted(void)
{
	char out[64], ascii[64];
	bool cut = true;

	CU_ASSERT_EQUAL(st_escape_quoted("a\"b]c\\d\n\xff", out, sizeof(out), "\"\\]", &cut), 20);
	CU_ASSERT_STRING_EQUAL(out, "a\\\"b\\]c\\\\\\\\d\\\\n\\\\xff");
	CU_ASSERT_FALSE(cut);
	/* Quoting only what the format asks for. */
	st_escape_quoted("a]\"\\", out, sizeof(out), "\"\\", NULL);
	CU_ASSERT_STRING_EQUAL(out, "a]\\\"\\\\\\\\");
	/* Every byte: no control byte, and undoing the quoting gives the
	 * ASCII form. */
	for (int b = 1; b < 256; b++) {
		char in[2] = { (char)b, '\0' }, undone[64];
		size_t u = 0;
		st_escape_quoted(in, out, sizeof(out), "\"\\]", NULL);
		for (const char *p = out; *p; p++) {
			CU_ASSERT(*p >= 0x20 && *p < 0x7f);
			if (*p == '\\')
				p++;
			undone[u++] = *p;
		}
		undone[u] = '\0';
		CU_ASSERT_STRING_EQUAL(undone, st_escape_ascii(in, ascii, sizeof(ascii)));
	}
	/* A unit that does not fit whole is left out: "\\x1b" needs six bytes
	 * (a cut at every size: test_rfc5424, whose SD-PARAM values are this). */
	CU_ASSERT_EQUAL(st_escape_quoted("\x1b", out, 5, "\\", &cut), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_TRUE(cut);
	out[0] = 'x';
	CU_ASSERT_EQUAL(st_escape_quoted("a", out, 0, "\"", &cut), 0);
	CU_ASSERT_EQUAL(out[0], 'x');
}

/* Invisible characters are shown as their bytes: a config saved with a
 * byte-order mark, or a name with a zero-width space or joiner in it, must
 * not read as the name it imitates. Visible ones around them are kept. */
static void test_invisible_shown(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "\xef\xbb\xbfinterval", "\\xef\\xbb\\xbfinterval" },
		{ "inter\xe2\x80\x8bval", "inter\\xe2\\x80\\x8bval" },
		{ "a\xe2\x80\x8c\xe2\x80\x8d" "b", "a\\xe2\\x80\\x8c\\xe2\\x80\\x8d" "b" },
		{ "w\xe2\x81\xa0j\xe2\x81\xa4", "w\\xe2\\x81\\xa0j\\xe2\\x81\\xa4" },
		{ "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },
	};
	char out[128];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st_escape_terminal(cases[i].in, out, sizeof(out));
		CU_ASSERT_STRING_EQUAL(out, cases[i].out);
		size_t cols = 0;
		st_escape_into(cases[i].in, out, sizeof(out), false, 100, &cols);
		CU_ASSERT_EQUAL(cols, strlen(out) - (i == 4 ? 3 : 0));
	}
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "a cut ends in the marker", test_cut_with_marker },
		{ "a cut never splits an escape", test_cut_never_splits },
		{ "a format's quoting over the ASCII form", test_quoted },
		{ "invisible characters are shown as their bytes", test_invisible_shown },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("term_text", tests);
}
