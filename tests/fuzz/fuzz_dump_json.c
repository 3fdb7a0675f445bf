/*
 * libFuzzer target: the dump reader that spiketrace-view runs on any file
 * it is given (st_dump_from_json), then what the viewer does with a dump
 * that was accepted: write it back as JSON (which must read back the same:
 * what we write, we read) and render it as text, whose output must hold no
 * raw control byte and, with colours, no escape sequence but our own SGR.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <string.h>

#include "dump/dump.h"
#include "dump/dump_json.h"
#include "text/utf8.h"
#include "render/render_text.h"
#include "text/term_text.h"
#include "fuzz_check.h"

/* Length of the well-formed UTF-8 sequence at s, or 0 (RFC 3629). */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c == 0xe0)
		need = 2, lo = 0xa0;
	else if (c == 0xed)
		need = 2, hi = 0x9f;
	else if (c >= 0xe1 && c <= 0xef)
		need = 2;
	else if (c == 0xf0)
		need = 3, lo = 0x90;
	else if (c >= 0xf1 && c <= 0xf3)
		need = 3;
	else if (c == 0xf4)
		need = 3, hi = 0x8f;
	else
		return 0;
	for (size_t i = 1; i <= need; i++) {
		if (s + i >= end || s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

static bool valid_utf8(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;

	while (p < end) {
		size_t n = utf8_len(p, end);
		if (n == 0)
			return false;
		p += n;
	}
	return true;
}

/* Characters that are valid UTF-8 yet steer a terminal or the reader:
 * C1 controls, line/paragraph separators, bidi marks, embeddings,
 * overrides and isolates, and the invisible ones (zero-width space and
 * joiners, word joiner, invisible operators, the byte-order mark)
 * (term_text.h). */
static bool is_steering(const unsigned char *s, size_t n)
{
	if (n == 2)
		return (s[0] == 0xc2 && s[1] <= 0x9f) || (s[0] == 0xd8 && s[1] == 0x9c);
	if (n == 3 && s[0] == 0xe2 && s[1] == 0x80)
		return (s[2] >= 0x8b && s[2] <= 0x8f) || (s[2] >= 0xa8 && s[2] <= 0xae);
	if (n == 3 && s[0] == 0xe2 && s[1] == 0x81)
		return (s[2] >= 0xa0 && s[2] <= 0xa4) || (s[2] >= 0xa6 && s[2] <= 0xa9);
	return n == 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf;
}

/* What st_render_dump() and the escapers promise about their output. */
static void check_terminal_text(const char *text, size_t len, bool ascii, bool color)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	size_t n;

	while (p < end) {
		if (*p == 0x1b) {
			FUZZ_CHECK(color);
			FUZZ_CHECK(p + 1 < end && p[1] == '[');
			p += 2;
			while (p < end && ((*p >= '0' && *p <= '9') || *p == ';'))
				p++;
			FUZZ_CHECK(p < end && *p == 'm');
			p++;
			continue;
		}
		FUZZ_CHECK(*p == '\n' || (*p >= 0x20 && *p != 0x7f));
		FUZZ_CHECK(!ascii || *p < 0x80);
		n = utf8_len(p, end);
		FUZZ_CHECK(n > 0);
		FUZZ_CHECK(!is_steering(p, n));
		p += n;
	}
}

static void render(const struct st_dump *dump, const struct st_render_opts *opts)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	FUZZ_CHECK(out != NULL);
	st_render_dump(out, dump, opts);
	FUZZ_CHECK(fclose(out) == 0);
	check_terminal_text(text, len, opts && opts->ascii, opts && opts->color);
	free(text);
}

static void round_trip(const struct st_dump *dump, int pretty)
{
	char err[256] = "";
	char *json = st_dump_to_json(dump, pretty);
	struct st_dump *again;
	char *json2;

	FUZZ_CHECK(json != NULL);
	again = st_dump_from_json(json, strlen(json), err, sizeof(err));
	if (!again)
		fprintf(stderr, "our own JSON refused: %s\n", err);
	FUZZ_CHECK(again != NULL);
	json2 = st_dump_to_json(again, pretty);
	FUZZ_CHECK(json2 != NULL);
	if (strcmp(json, json2) != 0)
		fprintf(stderr, "written:\n%s\nread back and written:\n%s\n", json, json2);
	FUZZ_CHECK(strcmp(json, json2) == 0);
	free(json2);
	free(json);
	st_dump_free(again);
}

/* The escapers on the raw input: the viewer puts every name through them. */
static void escape(const uint8_t *data, size_t size)
{
	char in[512], out[256];
	size_t n = size < sizeof(in) - 1 ? size : sizeof(in) - 1;
	/* the first byte picks an output size, so truncation is exercised */
	size_t outlen = size ? 1 + data[0] % sizeof(out) : sizeof(out);

	memcpy(in, data, n);
	in[n] = '\0';
	st_escape_terminal(in, out, outlen);
	FUZZ_CHECK(memchr(out, '\0', outlen) != NULL);
	check_terminal_text(out, strlen(out), false, false);
	st_escape_ascii(in, out, outlen);
	FUZZ_CHECK(memchr(out, '\0', outlen) != NULL);
	check_terminal_text(out, strlen(out), true, false);
	st_utf8_sanitize(in, out, outlen);
	FUZZ_CHECK(memchr(out, '\0', outlen) != NULL);
	FUZZ_CHECK(valid_utf8(out, strlen(out)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	struct st_dump *dump;

	escape(data, size);

	dump = st_dump_from_json((const char *)data, size, err, sizeof(err));
	if (!dump) {
		/* The reason is raw; its printer escapes it once (view_report). */
		char shown[4 * sizeof(err) + 1];
		st_escape_terminal(err, shown, sizeof(shown));
		FUZZ_CHECK(fuzz_is_one_line(shown, sizeof(shown)));
		return 0;
	}
	round_trip(dump, 0);
	round_trip(dump, 1);

	/* What spiketrace-view does: the default view, then --all --color
	 * --ascii, then one sample named by number, in and out of range. */
	render(dump, NULL);
	render(dump, &(struct st_render_opts){ .name = "fuzz.json", .all_samples = 1,
					       .color = 1, .ascii = 1, .top = 3 });
	render(dump, &(struct st_render_opts){ .name = "fuzz.json",
					       .sample_index = (int)(size % 7) - 1,
					       .color = 1 });
	render(dump, &(struct st_render_opts){ .sample_index = (int)dump->nsamples });
	st_dump_free(dump);
	return 0;
}
