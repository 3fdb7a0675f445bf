/* The RFC 5424 formatter of the syslog sink (plugins/sinks/rfc5424.c):
 * exact bytes of a known incident, every hostile byte in a name, SD-PARAM
 * escaping, truncation that never splits an escape, the framing's length. */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump_build.h"
#include "text/term_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../plugins/sinks/incident_line.h"
#include "../plugins/sinks/rfc5424.h"

/* 2025-12-01T21:25:02.123456789 UTC */
#define WALL_NS 1764624302123456789LL

static const struct st_rfc5424_origin origin = {
	.pri = 29,              /* daemon.notice */
	.hostname = "web1",
	.app_name = "spiketrace",
	.procid = 812,
	.sd_id = "spiketrace@32473",
};

static struct st_dump *dump_of(const char *type, int32_t pid, const char *comm,
			       double value, const char *units, const char *stored_as)
{
	struct st_dump *d = st_dump_new();
	CU_ASSERT_FATAL(d != NULL);
	d->wall_ns = WALL_NS;
	d->ntriggers = 1;
	d->triggers = calloc(1, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	st_test_set_trigger(&d->triggers[0], type, pid, comm, value, 2, 40, units, 0);
	snprintf(d->stored_as, sizeof(d->stored_as), "%s", stored_as);
	return d;
}

/* A known incident, byte for byte: header, structured data, the line. */
static void test_exact_frame(void)
{
	struct st_dump *d = dump_of("cpu_delta", 4242, "make", 101, "pct",
				    "/var/lib/spiketrace/spike_7.json");
	char line[ST_INCIDENT_LINE_MAX + 1], frame[8192];
	size_t n = st_incident_line(line, ST_INCIDENT_LINE_MAX, d);
	size_t len = st_rfc5424_frame(frame, sizeof(frame), &origin, d, line, n);
	const char *msg =
		"<29>1 2025-12-01T21:25:02.123456+00:00 web1 spiketrace 812 cpu_delta "
		"[spiketrace@32473 type=\"cpu_delta\" pid=\"4242\" comm=\"make\" "
		"value=\"101.0\" unit=\"pct\" dump=\"/var/lib/spiketrace/spike_7.json\"] "
		"cpu_delta: pid 4242 (make) at 101.0% against threshold 40.0%; "
		"dump: /var/lib/spiketrace/spike_7.json";
	char want[8192];
	snprintf(want, sizeof(want), "%zu %s", strlen(msg), msg);
	CU_ASSERT_EQUAL(len, strlen(want));
	CU_ASSERT_EQUAL(memcmp(frame, want, len), 0);
	if (len != strlen(want) || memcmp(frame, want, len) != 0)
		fprintf(stderr, "\n got: %.*s\nwant: %s\n", (int)len, frame, want);
	st_dump_free(d);
}

/* A manual dump: no process, no figure, no file yet. */
static void test_manual_frame(void)
{
	struct st_dump *d = dump_of("manual", 0, "", 0, "", "");
	char frame[8192];
	size_t len = st_rfc5424_frame(frame, sizeof(frame), &origin, d, "m", 1);
	const char *msg = "<29>1 2025-12-01T21:25:02.123456+00:00 web1 spiketrace 812 manual "
			  "[spiketrace@32473 type=\"manual\"] m";
	char want[512];
	snprintf(want, sizeof(want), "%zu %s", strlen(msg), msg);
	CU_ASSERT_EQUAL(len, strlen(want));
	CU_ASSERT_EQUAL(memcmp(frame, want, len), 0);
	/* No trigger at all: NILVALUE for MSGID and SD; no MSG, no SP. */
	d->ntriggers = 0;
	len = st_rfc5424_frame(frame, sizeof(frame), &origin, d, NULL, 0);
	msg = "<29>1 2025-12-01T21:25:02.123456+00:00 web1 spiketrace 812 - -";
	snprintf(want, sizeof(want), "%zu %s", strlen(msg), msg);
	CU_ASSERT_EQUAL(len, strlen(want));
	CU_ASSERT_EQUAL(memcmp(frame, want, len), 0);
	st_dump_free(d);
}

/* value with RFC 5424's escapes undone: what a collector stores. */
static void unescape_param(const char *in, char *out)
{
	for (; *in; in++) {
		if (*in == '\\' && (in[1] == '"' || in[1] == '\\' || in[1] == ']'))
			in++;
		*out++ = *in;
	}
	*out = '\0';
}

/* The comm="..." value of a frame, raw as sent. */
static void comm_param(const char *frame, char *out, size_t outlen)
{
	const char *p = strstr(frame, " comm=\"");
	CU_ASSERT_FATAL(p != NULL);
	p += strlen(" comm=\"");
	size_t n = 0;
	/* The value ends at the first '"' not escaped. */
	while (*p && *p != '"' && n + 2 < outlen) {
		if (*p == '\\')
			out[n++] = *p++;
		else
			CU_ASSERT(*p != ']');       /* would close the element */
		out[n++] = *p++;
	}
	CU_ASSERT_EQUAL(*p, '"');
	out[n] = '\0';
}

/* Every byte 1..255 in a comm: the value is printable ASCII, no '"' or ']'
 * unescaped, the element closes where it should, and the collector's
 * unescaped value is the syslog line's form of the name. */
static void test_every_hostile_byte(void)
{
	for (int first = 1; first < 256; first += ST_COMM_MAX - 1) {
		char comm[ST_COMM_MAX];
		int n = 0;
		for (int b = first; b < 256 && n < ST_COMM_MAX - 1; b++)
			comm[n++] = (char)b;
		comm[n] = '\0';
		struct st_dump *d = dump_of("cpu_delta", 9, comm, 50, "pct", "/d/spike_1.json");
		char frame[8192], raw[2048], got[2048], line_form[1024];
		size_t len = st_rfc5424_frame(frame, sizeof(frame) - 1, &origin, d, "x", 1);
		CU_ASSERT_FATAL(len > 0);
		frame[len] = '\0';
		for (size_t i = 0; i < len; i++)
			CU_ASSERT(frame[i] >= 0x20 && frame[i] <= 0x7e);
		comm_param(frame, raw, sizeof(raw));
		unescape_param(raw, got);
		st_escape_ascii(comm, line_form, sizeof(line_form));
		CU_ASSERT_STRING_EQUAL(got, line_form);
		/* The params after comm survive: the name closed nothing. */
		const char *after = strstr(frame, raw) + strlen(raw);
		CU_ASSERT_PTR_NOT_NULL(strstr(after, "\" value=\"50.0\" unit=\"pct\" "
						     "dump=\"/d/spike_1.json\"] x"));
		st_dump_free(d);
	}
}

/* The three characters RFC 5424 escapes, and the line's own escapes under
 * them: a backslash is "\\" in the line, so "\\\\" in the value. */
static void test_param_escaping(void)
{
	char out[256];
	bool cut;
	st_rfc5424_param_value("a\"b]c\\d[e\n", out, sizeof(out), &cut);
	CU_ASSERT_STRING_EQUAL(out, "a\\\"b\\]c\\\\\\\\d[e\\\\n");
	CU_ASSERT_FALSE(cut);
	st_rfc5424_param_value("", out, sizeof(out), &cut);
	CU_ASSERT_STRING_EQUAL(out, "");
}

/* Cut at every size: always a prefix of the whole made of whole escapes,
 * so the value never ends in a lone backslash or half of a \xNN. */
static void test_truncation_whole_escapes(void)
{
	const char *in = "\x1b]\"\\ok\xff\x7f";
	/* The units: \\x1b  \]  \"  \\\\  o  k  \\xff  \\x7f */
	const size_t ends[] = { 0, 5, 7, 9, 13, 14, 15, 20, 25 };
	char whole[128], out[128];
	bool cut;
	size_t full = st_rfc5424_param_value(in, whole, sizeof(whole), &cut);
	CU_ASSERT_EQUAL(full, 25);
	CU_ASSERT_FALSE(cut);
	for (size_t outlen = 1; outlen <= full + 1; outlen++) {
		size_t n = st_rfc5424_param_value(in, out, outlen, &cut);
		size_t expect = 0;
		for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
			if (ends[i] < outlen)
				expect = ends[i];
		CU_ASSERT_EQUAL(n, expect);
		CU_ASSERT_EQUAL(strlen(out), n);
		CU_ASSERT_EQUAL(memcmp(out, whole, n), 0);
		CU_ASSERT_EQUAL(cut, n < full);
	}
}

/* LEN counts exactly the bytes after "LEN ", newlines of a pretty JSON
 * included; a buffer one byte short gives nothing. */
static void test_framing_length(void)
{
	struct st_dump *d = dump_of("mem_drop", 0, "", -1048576, "kib", "");
	const char *json = "{\n\t\"schema\":\t\"spiketrace.dump/1\"\n}";
	char frame[4096];
	size_t len = st_rfc5424_frame(frame, sizeof(frame), &origin, d, json, strlen(json));
	CU_ASSERT_FATAL(len > 0);
	char *sp = memchr(frame, ' ', len);
	CU_ASSERT_FATAL(sp != NULL);
	CU_ASSERT_EQUAL(strtoul(frame, NULL, 10), len - (size_t)(sp + 1 - frame));
	CU_ASSERT_EQUAL(memcmp(frame + len - strlen(json), json, strlen(json)), 0);
	CU_ASSERT_PTR_NOT_NULL(memmem(frame, len, "value=\"-1048576.0\" unit=\"kib\"]", 30));
	CU_ASSERT_EQUAL(st_rfc5424_frame(frame, len - 1, &origin, d, json, strlen(json)), 0);
	CU_ASSERT_EQUAL(st_rfc5424_frame(frame, len, &origin, d, json, strlen(json)), len);
	st_dump_free(d);
}

/* Header fields are PRINTUSASCII: a space or a control byte escaped, the
 * empty field NILVALUE, cut at the field's limit by whole escapes. */
static void test_header_fields(void)
{
	char out[300];
	st_rfc5424_header_field("my host\x01", ST_RFC5424_HOSTNAME_MAX, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "my\\x20host\\x01");
	/* The line's form otherwise: a newline and a backslash as it writes them. */
	st_rfc5424_header_field("a\nb\\\xff", ST_RFC5424_HOSTNAME_MAX, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "a\\nb\\\\\\xff");
	st_rfc5424_header_field("", ST_RFC5424_HOSTNAME_MAX, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "-");
	st_rfc5424_header_field("abc def", 6, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "abc");
	struct st_rfc5424_origin o = origin;
	o.hostname = "";
	o.app_name = "a b";
	struct st_dump *d = dump_of("cpu_delta", 1, "x", 1, "pct", "");
	char frame[4096];
	size_t len = st_rfc5424_frame(frame, sizeof(frame) - 1, &o, d, NULL, 0);
	frame[len] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr(frame, "+00:00 - a\\x20b 812 cpu_delta ["));
	st_dump_free(d);
}

/* RFC 3339 in the local zone: the offset as the zone has it. */
static void test_timestamp_offsets(void)
{
	char ts[64];
	setenv("TZ", "IST-5:30", 1);
	tzset();
	st_rfc5424_timestamp(ts, sizeof(ts), WALL_NS);
	CU_ASSERT_STRING_EQUAL(ts, "2025-12-02T02:55:02.123456+05:30");
	setenv("TZ", "EST5", 1);
	tzset();
	st_rfc5424_timestamp(ts, sizeof(ts), WALL_NS);
	CU_ASSERT_STRING_EQUAL(ts, "2025-12-01T16:25:02.123456-05:00");
	st_rfc5424_timestamp(ts, sizeof(ts), -1);   /* before 1970: no negative fraction */
	CU_ASSERT_STRING_EQUAL(ts, "1969-12-31T18:59:59.999999-05:00");
	setenv("TZ", "UTC", 1);
	tzset();
}

static void test_sd_id_rules(void)
{
	CU_ASSERT_TRUE(st_rfc5424_valid_sd_id("spiketrace@32473"));
	CU_ASSERT_TRUE(st_rfc5424_valid_sd_id("origin"));
	CU_ASSERT_TRUE(st_rfc5424_valid_sd_id("abcdefghijklmnopqrstuvwxyz@12345"));  /* 32 */
	CU_ASSERT_FALSE(st_rfc5424_valid_sd_id("abcdefghijklmnopqrstuvwxyz@123456"));
	CU_ASSERT_FALSE(st_rfc5424_valid_sd_id(""));
	CU_ASSERT_FALSE(st_rfc5424_valid_sd_id("a b"));
	CU_ASSERT_FALSE(st_rfc5424_valid_sd_id("a=b"));
	CU_ASSERT_FALSE(st_rfc5424_valid_sd_id("a]b"));
	CU_ASSERT_FALSE(st_rfc5424_valid_sd_id("a\"b"));
	CU_ASSERT_FALSE(st_rfc5424_valid_sd_id("a\x7f"));
	CU_ASSERT_FALSE(st_rfc5424_valid_sd_id("\xc3\xa9t\xc3\xa9"));
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	CU_TestInfo tests[] = {
		{ "a known incident, byte for byte", test_exact_frame },
		{ "a manual dump, and none at all", test_manual_frame },
		{ "every hostile byte in a comm", test_every_hostile_byte },
		{ "SD-PARAM escaping", test_param_escaping },
		{ "truncation keeps whole escapes", test_truncation_whole_escapes },
		{ "the octet count is the length", test_framing_length },
		{ "header fields are PRINTUSASCII", test_header_fields },
		{ "RFC 3339 with offsets", test_timestamp_offsets },
		{ "SD-ID rules", test_sd_id_rules },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("rfc5424", tests);
}
