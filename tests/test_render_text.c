/* The text rendering of a dump and the terminal escaper (core/render_text.c). */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump.h"
#include "render_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2026-11-21 23:29:00 UTC */
#define WALL_NS 1795303740000000000LL

static void set_proc(struct st_dump_proc *p, int32_t pid, const char *comm, double cpu,
		     double children, uint64_t rss_kib, const char *cmdline)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = 1;
	p->start_ticks = 5000u + (uint64_t)pid;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->state = 'R';
	p->cpu_pct = cpu;
	p->children_cpu_pct = children;
	p->rss_kib = rss_kib;
	p->uid = 1000;
	p->cmdline = cmdline ? strdup(cmdline) : NULL;
}

static struct st_dump_proc *procs(uint32_t n)
{
	struct st_dump_proc *p = calloc(n, sizeof(*p));
	CU_ASSERT_FATAL(p != NULL);
	return p;
}

static void set_trigger(struct st_dump_trigger *dt, const char *type, int32_t pid,
			const char *comm, double value, double baseline, double threshold,
			const char *units, int32_t sample_index)
{
	struct st_trigger *t = &dt->trigger;

	memset(dt, 0, sizeof(*dt));
	snprintf(t->type, sizeof(t->type), "%s", type);
	t->pid = pid;
	t->start_ticks = pid ? 5000u + (uint64_t)pid : 0;
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
	t->value = value;
	t->baseline = baseline;
	t->threshold = threshold;
	snprintf(t->units, sizeof(t->units), "%s", units);
	t->sample_seq = 100 + (uint64_t)sample_index;
	dt->sample_index = sample_index;
}

/* The reference example: firefox jumps to 85.2% while xorg idles along. */
static struct st_dump *example_dump(void)
{
	struct st_dump *d = st_dump_new();

	CU_ASSERT_FATAL(d != NULL);
	snprintf(d->id, sizeof(d->id), "spike_20261121T232900Z_cpu_delta_12345");
	d->wall_ns = WALL_NS;
	d->mono_ns = 123456789;
	d->interval_s = 1.0;
	snprintf(d->host.hostname, sizeof(d->host.hostname), "myhost");
	snprintf(d->host.kernel, sizeof(d->host.kernel), "6.1.0-13-amd64");
	d->host.ncores = 8;
	d->host.mem_total_kib = 16252928;          /* 15.5 GiB */

	d->nsamples = 2;
	d->samples = calloc(2, sizeof(*d->samples));
	CU_ASSERT_FATAL(d->samples != NULL);
	for (uint32_t i = 0; i < 2; i++) {
		struct st_dump_sample *s = &d->samples[i];
		s->offset_ns = ((int64_t)i - 1) * 1000000000LL;
		s->seq = 99 + i;
		s->cpu_total_pct = i ? 40.0 : 5.0;
		s->mem_total_kib = 16252928;
		s->mem_available_kib = 8388608;    /* 8.0 GiB */
		s->swap_total_kib = 2097152;
		s->swap_free_kib = 2097152 - 102400;
		s->procs_running = i ? 4 : 1;
		s->forks_delta = 2;
	}
	struct st_dump_sample *s = &d->samples[1];
	s->ntop_cpu = 3;
	s->top_cpu = procs(3);
	set_proc(&s->top_cpu[0], 12345, "firefox", 85.2, 0, 2097152,
		 "/usr/lib/firefox/firefox -P default");
	set_proc(&s->top_cpu[1], 1001, "xorg", 12.0, 0, 524288, NULL);
	set_proc(&s->top_cpu[2], 777, "make", 2.0, 95.0, 12288, NULL);
	s->ntop_rss = 2;
	s->top_rss = procs(2);
	set_proc(&s->top_rss[0], 12345, "firefox", 85.2, 0, 2097152, NULL);
	set_proc(&s->top_rss[1], 9876, "chromium", 3.1, 0, 1572864, NULL);

	d->ntriggers = 1;
	d->triggers = calloc(1, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	set_trigger(&d->triggers[0], "cpu_delta", 12345, "firefox", 85.2, 5.0, 10.0, "pct", 1);
	snprintf(d->triggers[0].trigger.summary, ST_TRIGGER_SUMMARY_MAX,
		 "firefox: 5.0%% -> 85.2%% cpu");
	d->trigger_index = 1;
	return d;
}

/* The rendering as one string, to free(). */
static char *render(const struct st_dump *d, const struct st_render_opts *opts)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CU_ASSERT_FATAL(f != NULL);
	st_render_dump(f, d, opts);
	CU_ASSERT_FATAL(fclose(f) == 0);
	CU_ASSERT_EQUAL(strlen(text), len);
	return text;
}

static void expect_line(const char *text, const char *line)
{
	char *needle;
	int found;

	CU_ASSERT_FATAL(asprintf(&needle, "\n%s\n", line) > 0);
	/* The first line has no newline before it. */
	found = strstr(text, needle) != NULL ||
		(strncmp(text, line, strlen(line)) == 0 && text[strlen(line)] == '\n');
	if (!found)
		fprintf(stderr, "\n  missing line \"%s\" in:\n%s\n", line, text);
	CU_ASSERT(found);
	free(needle);
}

static unsigned count(const char *text, const char *needle)
{
	unsigned n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ------------------------------------------------------------ render */

static void test_reference_layout(void)
{
	struct st_dump *d = example_dump();
	struct st_render_opts opts = {
		.name = "spike_20261121T232900Z_cpu_delta_12345.json",
		.sample_index = -1,
		.top = 0,
	};
	char *text = render(d, &opts);
	const char *cpu, *rss, *ff, *xorg;

	expect_line(text, "spike dump: spike_20261121T232900Z_cpu_delta_12345.json");
	expect_line(text, "time: 2026-11-21 23:29:00 UTC (monotonic 123456789 ns)");
	expect_line(text, "host: myhost (6.1.0-13-amd64, 8 cores, 15.5 GiB)");
	expect_line(text, "=== spike trigger ===");
	expect_line(text, "type: cpu_delta");
	expect_line(text, "process: [12345] firefox");
	expect_line(text, "command: /usr/lib/firefox/firefox -P default");
	expect_line(text, "cpu: 85.2% (baseline: 5.0%, delta: +80.2%, threshold: 10.0%)");
	expect_line(text, "summary: firefox: 5.0% -> 85.2% cpu");
	expect_line(text, "=== top processes by cpu ===   (sample at +0.0 s)");
	expect_line(text, " 1. [12345] firefox           85.2%  (rss: 2048 mib)");
	expect_line(text, " 2. [ 1001] xorg              12.0%  (rss: 512 mib)");
	expect_line(text, " 3. [  777] make               2.0% + 95.0% children  (rss: 12 mib)");
	expect_line(text, "=== top processes by rss ===");
	expect_line(text, " 1. [12345] firefox           2048 mib  (cpu: 85.2%)");
	expect_line(text, " 2. [ 9876] chromium          1536 mib  (cpu: 3.1%)");
	expect_line(text, "=== system over time ===");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "+0.0 s   40.0%"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "<- cpu_delta\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "100 MiB"));        /* swap used */

	/* Sections in the order of the original viewer, ranks in order. */
	cpu = strstr(text, "=== top processes by cpu ===");
	rss = strstr(text, "=== top processes by rss ===");
	CU_ASSERT_FATAL(cpu && rss);
	CU_ASSERT(strstr(text, "=== spike trigger ===") < cpu);
	CU_ASSERT(cpu < rss);
	ff = strstr(cpu, "firefox");
	xorg = strstr(cpu, "xorg");
	CU_ASSERT(ff && xorg && ff < xorg && xorg < rss);
	CU_ASSERT_EQUAL(count(text, "=== spike trigger ==="), 1);
	/* No children column for a process without reaped children. */
	CU_ASSERT_EQUAL(count(text, "children"), 1);
	free(text);
	st_dump_free(d);
}

static void test_several_triggers_and_units(void)
{
	struct st_dump *d = example_dump();
	char *text;

	free(d->triggers);
	d->ntriggers = 3;
	d->triggers = calloc(3, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	set_trigger(&d->triggers[0], "cpu_delta", 12345, "firefox", 85.2, 5.0, 10.0, "pct", 1);
	set_trigger(&d->triggers[1], "mem_drop", 0, "", 7340032.0, 8388608.0, 524288.0, "kib", 1);
	set_trigger(&d->triggers[2], "fork_rate", 0, "", 250, 20, 100, "forks/s", 0);
	text = render(d, NULL);

	CU_ASSERT_EQUAL(count(text, "=== spike trigger ==="), 3);
	expect_line(text, "spike dump: spike_20261121T232900Z_cpu_delta_12345");
	expect_line(text, "cpu: 85.2% (baseline: 5.0%, delta: +80.2%, threshold: 10.0%)");
	expect_line(text, "process: none (system-wide)");
	expect_line(text, "value: 7.0 GiB (baseline: 8.0 GiB, delta: -1.0 GiB, threshold: 512 MiB)");
	expect_line(text, "value: 250 forks/s (baseline: 20, delta: +230, threshold: 100)");
	expect_line(text, "at: -1.0 s from the first trigger");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "<- cpu_delta, mem_drop\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "<- fork_rate\n"));
	/* Triggers come in their order, the first one first. */
	CU_ASSERT(strstr(text, "type: cpu_delta") < strstr(text, "type: mem_drop"));
	CU_ASSERT(strstr(text, "type: mem_drop") < strstr(text, "type: fork_rate"));
	free(text);
	st_dump_free(d);
}

static void test_top_and_sample_options(void)
{
	struct st_dump *d = example_dump();
	struct st_render_opts opts = { .name = NULL, .sample_index = -1, .top = 1 };
	char *text = render(d, &opts);

	CU_ASSERT_PTR_NOT_NULL(strstr(text, " 1. [12345] firefox"));
	CU_ASSERT_PTR_NULL(strstr(text, " 2. ["));
	free(text);

	/* The sample before the trigger has no processes recorded. */
	opts.top = 0;
	opts.sample_index = 0;
	text = render(d, &opts);
	expect_line(text, "=== top processes by cpu ===   (sample at -1.0 s)");
	CU_ASSERT_EQUAL(count(text, "(no processes recorded)"), 2);
	free(text);

	/* Out of range falls back to the newest sample. */
	opts.sample_index = 7;
	text = render(d, &opts);
	expect_line(text, "=== top processes by cpu ===   (sample at +0.0 s)");
	free(text);
	st_dump_free(d);
}

static void test_empty_dump(void)
{
	struct st_dump *d = st_dump_new();
	char *text;

	CU_ASSERT_FATAL(d != NULL);
	text = render(d, NULL);
	expect_line(text, "spike dump: (unnamed)");
	expect_line(text, "time: 1970-01-01 00:00:00 UTC (monotonic 0 ns)");
	expect_line(text, "host: unknown (unknown kernel, 0 cores, 0.0 GiB)");
	expect_line(text, "(none recorded)");
	expect_line(text, "(no samples recorded)");
	free(text);
	st_dump_free(d);
}

static void test_hostile_names(void)
{
	struct st_dump *d = example_dump();
	struct st_render_opts opts = { .name = "evil\x1b]0;x\x07.json", .sample_index = -1 };
	char *text;

	snprintf(d->samples[1].top_cpu[1].comm, ST_COMM_MAX, "x\x1b[31m\ny\x7f\xc2\x9b");
	snprintf(d->samples[1].top_rss[1].comm, ST_COMM_MAX, "\xff\xfe\r\t");
	snprintf(d->triggers[0].trigger.comm, ST_COMM_MAX, "\x1b[2J");
	snprintf(d->triggers[0].trigger.summary, ST_TRIGGER_SUMMARY_MAX, "line1\nline2\x1b");
	snprintf(d->host.hostname, sizeof(d->host.hostname), "h\x1b");
	free(d->samples[1].top_cpu[0].cmdline);
	d->samples[1].top_cpu[0].cmdline = strdup("rm -rf \x1b[8m/");
	text = render(d, &opts);

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		CU_ASSERT_FATAL(*p >= 0x20 || *p == '\n');
		CU_ASSERT_FATAL(*p != 0x7f);
		/* No C1 control either, in its UTF-8 form. */
		CU_ASSERT_FATAL(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(text, " 2. [ 1001] x\\x1b[31m\\ny\\x7f\\xc2\\x9b"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\\xff\\xfe\\r\\t"));
	expect_line(text, "process: [12345] \\x1b[2J");
	expect_line(text, "summary: line1\\nline2\\x1b");
	expect_line(text, "command: rm -rf \\x1b[8m/");
	expect_line(text, "spike dump: evil\\x1b]0;x\\x07.json");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "host: h\\x1b ("));
	free(text);
	st_dump_free(d);
}

static void test_long_cmdline_cut(void)
{
	struct st_dump *d = example_dump();
	char *long_cmd = malloc(5001), *text;
	const char *line;

	CU_ASSERT_FATAL(long_cmd != NULL);
	memset(long_cmd, 'a', 5000);
	long_cmd[5000] = '\0';
	free(d->samples[1].top_cpu[0].cmdline);
	d->samples[1].top_cpu[0].cmdline = long_cmd;
	text = render(d, NULL);
	line = strstr(text, "\ncommand: ");
	CU_ASSERT_FATAL(line != NULL);
	CU_ASSERT(strchr(line + 1, '\n') - line < 600);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "aaa...\n"));
	free(text);
	st_dump_free(d);
}

/* ------------------------------------------------------------ escaping */

static void expect_escaped(const char *in, const char *want)
{
	char out[128];
	st_escape_terminal(in, out, sizeof(out));
	if (strcmp(out, want) != 0)
		fprintf(stderr, "\n  escape: want \"%s\", got \"%s\"\n", want, out);
	CU_ASSERT_STRING_EQUAL(out, want);
}

static void test_escape_terminal(void)
{
	char out[8];

	expect_escaped("firefox", "firefox");
	expect_escaped("a b (c) ~", "a b (c) ~");
	expect_escaped("\n\t\r\\", "\\n\\t\\r\\\\");
	expect_escaped("\x1b[31mred", "\\x1b[31mred");
	expect_escaped("\x01\x07\x08\x1f", "\\x01\\x07\\x08\\x1f");
	expect_escaped("\x7f", "\\x7f");
	expect_escaped("\xc2\x9b" "2J", "\\xc2\\x9b2J");           /* C1 CSI */
	expect_escaped("\xc2\x85", "\\xc2\\x85");                  /* C1 NEL */
	expect_escaped("\xc2\xa0\xc3\xa9", "\xc2\xa0\xc3\xa9");    /* NBSP, é kept */
	expect_escaped("\xe2\x82\xac \xf0\x9f\x98\x80", "\xe2\x82\xac \xf0\x9f\x98\x80");
	expect_escaped("\xff", "\\xff");
	expect_escaped("\x9b", "\\x9b");                           /* raw C1 byte */
	expect_escaped("\xc0\x80", "\\xc0\\x80");                  /* overlong */
	expect_escaped("\xed\xa0\x80", "\\xed\\xa0\\x80");         /* surrogate */
	expect_escaped("\xe2\x82", "\\xe2\\x82");                  /* truncated */
	expect_escaped("", "");
	expect_escaped(NULL, "");

	/* Truncation keeps whole units and always terminates. */
	CU_ASSERT_STRING_EQUAL(st_escape_terminal("abcdefghij", out, sizeof(out)), "abcdefg");
	CU_ASSERT_STRING_EQUAL(st_escape_terminal("abcde\x1b", out, sizeof(out)), "abcde");
	CU_ASSERT_STRING_EQUAL(st_escape_terminal("ab\x1b", out, sizeof(out)), "ab\\x1b");
	CU_ASSERT_STRING_EQUAL(st_escape_terminal("abcde\xe2\x82\xac", out, sizeof(out)), "abcde");
	CU_ASSERT_STRING_EQUAL(st_escape_terminal("abcd\xe2\x82\xac", out, sizeof(out)), "abcd\xe2\x82\xac");
	CU_ASSERT_STRING_EQUAL(st_escape_terminal("a\n", out, 3), "a");
	CU_ASSERT_STRING_EQUAL(st_escape_terminal("abc", out, 1), "");
	CU_ASSERT_PTR_NULL(st_escape_terminal("abc", NULL, 0));
	out[0] = 'x';
	st_escape_terminal("abc", out, 0);
	CU_ASSERT_EQUAL(out[0], 'x');
}

/* Every byte value, alone and after a lead byte: the output never holds a
 * control byte. */
static void test_escape_every_byte(void)
{
	char in[3] = { 0 }, out[32];

	for (int a = 1; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			st_escape_terminal(in, out, sizeof(out));
			for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
				CU_ASSERT_FATAL(*p >= 0x20 && *p != 0x7f);
				CU_ASSERT_FATAL(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0));
			}
		}
	}
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "layout of the reference viewer", test_reference_layout },
		{ "several triggers, units pct/kib/other", test_several_triggers_and_units },
		{ "top and sample_index options", test_top_and_sample_options },
		{ "empty dump", test_empty_dump },
		{ "hostile names never reach the terminal raw", test_hostile_names },
		{ "long command line cut", test_long_cmdline_cut },
		{ "escape_terminal", test_escape_terminal },
		{ "escape_terminal over every byte pair", test_escape_every_byte },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("render_text", tests);
}
