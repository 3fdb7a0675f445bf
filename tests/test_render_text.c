/* The text rendering of a dump and the terminal escaper (core/render/render_text.c). */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "render/render_text.h"
#include "dump_build.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2026-11-21 23:29:00 UTC */
#define WALL_NS 1795303740000000000LL

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
	s->top_cpu = st_test_procs(3);
	st_test_set_proc(&s->top_cpu[0], 12345, "firefox", 85.2, 0, 2097152,
		 "/usr/lib/firefox/firefox -P default");
	st_test_set_proc(&s->top_cpu[1], 1001, "xorg", 12.0, 0, 524288, NULL);
	st_test_set_proc(&s->top_cpu[2], 777, "make", 2.0, 95.0, 12288, NULL);
	s->ntop_rss = 2;
	s->top_rss = st_test_procs(2);
	st_test_set_proc(&s->top_rss[0], 12345, "firefox", 85.2, 0, 2097152, NULL);
	st_test_set_proc(&s->top_rss[1], 9876, "chromium", 3.1, 0, 1572864, NULL);

	d->ntriggers = 1;
	d->triggers = calloc(1, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	st_test_set_trigger(&d->triggers[0], "cpu_delta", 12345, "firefox", 85.2, 5.0, 10.0, "pct", 1);
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
	expect_line(text, "time: 2026-11-21 23:29:00.000 UTC (monotonic 123456789 ns)");
	expect_line(text, "host: myhost (6.1.0-13-amd64, 8 cores, 15.5 GiB)");
	expect_line(text, "=== spike trigger ===");
	expect_line(text, "type: cpu_delta");
	expect_line(text, "process: [12345] firefox");
	expect_line(text, "command: /usr/lib/firefox/firefox -P default");
	expect_line(text, "cpu: 85.2% (baseline: 5.0%, delta: +80.2%, threshold: 10.0%)");
	expect_line(text, "summary: firefox: 5.0% -> 85.2% cpu");
	expect_line(text, "=== top processes by cpu ===   (sample 1 at +0.0 s)");
	expect_line(text, " 1. [12345] firefox           85.2%  (rss: 2048 mib)");
	expect_line(text, " 2. [ 1001] xorg              12.0%  (rss: 512 mib)");
	expect_line(text, " 3. [  777] make               2.0% + 95.0% children  (rss: 12 mib)");
	expect_line(text, "=== top processes by rss ===");
	expect_line(text, " 1. [12345] firefox           2048 mib  (cpu: 85.2%)");
	expect_line(text, " 2. [ 9876] chromium          1536 mib  (cpu: 3.1%)");
	expect_line(text, "=== timeline ===   (2 samples every 1 s; blamed: [12345] firefox)");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "+0.0s  40.0%"));
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
	st_test_set_trigger(&d->triggers[0], "cpu_delta", 12345, "firefox", 85.2, 5.0, 10.0, "pct", 1);
	st_test_set_trigger(&d->triggers[1], "mem_drop", 0, "", 7340032.0, 8388608.0, 524288.0, "kib", 1);
	st_test_set_trigger(&d->triggers[2], "fork_rate", 0, "", 250, 20, 100, "forks/s", 0);
	text = render(d, NULL);

	CU_ASSERT_EQUAL(count(text, "=== spike trigger ==="), 3);
	expect_line(text, "spike dump: spike_20261121T232900Z_cpu_delta_12345");
	expect_line(text, "cpu: 85.2% (baseline: 5.0%, delta: +80.2%, threshold: 10.0%)");
	expect_line(text, "process: none (system-wide)");
	/* A size trigger's value is the change itself: no "delta" of it
	 * against the level it changed from. */
	expect_line(text, "change: 7.0 GiB from 8.0 GiB (threshold: 512 MiB)");
	CU_ASSERT_PTR_NULL(strstr(text, "-1.0 GiB"));
	expect_line(text, "value: 250 forks/s (baseline: 20, delta: +230, threshold: 100)");
	expect_line(text, "at: -1.0 s from the first trigger");
	/* Two types do not fit beside the blamed columns in 80: the first
	 * and how many more. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "<- cpu_delta +1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "<- fork_rate\n"));
	/* Triggers come in their order, the first one first. */
	CU_ASSERT(strstr(text, "type: cpu_delta") < strstr(text, "type: mem_drop"));
	CU_ASSERT(strstr(text, "type: mem_drop") < strstr(text, "type: fork_rate"));
	free(text);
	st_dump_free(d);
}

/* mem_drop and swap_spike say how much fell or grew from what: the
 * trigger's sample shows which figure and which way. */
static void test_size_triggers_say_which_way(void)
{
	struct st_dump *d = example_dump();
	char *text;

	free(d->triggers);
	d->ntriggers = 2;
	d->triggers = calloc(2, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	/* Sample 1 has 8.0 GiB available and 100 MiB of swap used. */
	st_test_set_trigger(&d->triggers[0], "mem_drop", 0, "", 23.0 * 1048576, 31.0 * 1048576,
		    524288.0, "kib", 1);
	st_test_set_trigger(&d->triggers[1], "swap_spike", 0, "", 65536.0, 36864.0, 65536.0, "kib", 1);
	d->triggers[0].trigger.flags = ST_TRIGGER_SYSTEM;
	text = render(d, NULL);
	expect_line(text, "available memory fell 23.0 GiB from 31.0 GiB to 8.0 GiB "
		    "(threshold: 512 MiB)");
	expect_line(text, "swap used grew 64 MiB from 36 MiB to 100 MiB (threshold: 64 MiB)");
	CU_ASSERT_PTR_NULL(strstr(text, "delta: -"));
	free(text);
	st_dump_free(d);
}

/* Carried and first-seen records are not measurements over the interval:
 * the tables say so, once explained, and a carried cpu is no figure in the
 * timeline. */
static void test_measured_marks(void)
{
	struct st_dump *d = example_dump();
	struct st_dump_sample *s = &d->samples[1];
	char *text;

	s->top_cpu[1].flags = ST_PROC_NEW;          /* xorg */
	s->top_rss[1].flags = ST_PROC_CARRIED;      /* chromium */
	text = render(d, NULL);
	expect_line(text, " 2. [ 1001] xorg              12.0%  (rss: 512 mib)  [avg since start]");
	expect_line(text, " 2. [ 9876] chromium          1536 mib  (cpu: 3.1%)  [carried]");
	expect_line(text, " 1. [12345] firefox           85.2%  (rss: 2048 mib)");
	/* the legend within 80 columns too */
	expect_line(text, "    [avg since start]: first seen this sample: cpu is its average "
		    "since start");
	expect_line(text, "    [carried]: not re-read this sample: cpu not measured, "
		    "rss and state as last read");
	CU_ASSERT_EQUAL(count(text, "[carried]"), 2);
	free(text);

	/* The blamed process carried in the trigger sample: its cpu column
	 * shows no figure rather than 0.0%, its rss stays. */
	s->top_cpu[0].flags = s->top_rss[0].flags = ST_PROC_CARRIED;
	text = render(d, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "           -     2.0 GiB <- cpu_delta\n"));
	free(text);
	st_dump_free(d);
}

/* Per-core figures are labelled by CPU id: with cpu1 offline the second
 * figure is cpu2's. Long lists wrap, aligned. */
static void test_cores_by_id(void)
{
	static const uint32_t ids[] = { 0, 2, 3 };
	struct st_dump *d = example_dump();
	struct st_dump_sample *s = &d->samples[1];
	char *text;

	s->ncores = 3;
	s->core_busy_pct = calloc(10, sizeof(double));
	s->core_id = calloc(3, sizeof(*s->core_id));
	CU_ASSERT_FATAL(s->core_busy_pct && s->core_id);
	memcpy(s->core_id, ids, sizeof(ids));
	s->core_busy_pct[0] = 95;
	s->core_busy_pct[1] = 3;
	s->core_busy_pct[2] = 1.25;
	text = render(d, NULL);
	expect_line(text, "cores busy:  cpu0 95.0%  cpu2 3.0%  cpu3 1.2%");
	CU_ASSERT(strstr(text, "cores busy:") > strstr(text, "=== top processes by cpu ==="));
	CU_ASSERT(strstr(text, "cores busy:") < strstr(text, " 1. [12345] firefox"));
	free(text);

	/* No ids: 0 .. n-1; ten CPUs take two lines. */
	free(s->core_id);
	s->core_id = NULL;
	s->ncores = 10;
	text = render(d, NULL);
	expect_line(text, "cores busy:  cpu0 95.0%  cpu1 3.0%  cpu2 1.2%  cpu3 0.0%  cpu4 0.0%"
		    "  cpu5 0.0%  cpu6 0.0%  cpu7 0.0%");
	expect_line(text, "             cpu8 0.0%  cpu9 0.0%");
	free(text);
	st_dump_free(d);
}

/* The blamed process's uids as captured; a cut command line says so. */
static void test_uids_and_cut_cmdline(void)
{
	struct st_dump *d = example_dump();
	struct st_dump_proc *ff = &d->samples[1].top_cpu[0];
	char *text = render(d, NULL);

	expect_line(text, "uid: 1000");
	free(text);
	ff->euid = 0;
	ff->flags = ST_DUMP_PROC_CMDLINE_TRUNCATED;
	text = render(d, NULL);
	expect_line(text, "uid: 1000 (effective 0)");
	expect_line(text, "command: /usr/lib/firefox/firefox -P default...");
	free(text);
	ff->uid = -1;
	text = render(d, NULL);
	CU_ASSERT_PTR_NULL(strstr(text, "uid:"));
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
	expect_line(text, "=== top processes by cpu ===   (sample 0 at -1.0 s)");
	CU_ASSERT_EQUAL(count(text, "(no processes recorded)"), 2);
	free(text);

	/* Out of range falls back to the newest sample. */
	opts.sample_index = 7;
	text = render(d, &opts);
	expect_line(text, "=== top processes by cpu ===   (sample 1 at +0.0 s)");
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
	expect_line(text, "time: 1970-01-01 00:00:00.000 UTC (monotonic 0 ns)");
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
	/* Cut to the name column at a whole escape, with the marker. */
	expect_line(text, " 2. [ 1001] x\\x1b[31m\\ny\xe2\x80\xa6     12.0%  (rss: 512 mib)");
	expect_line(text, " 2. [ 9876] \\xff\\xfe\\r\\t      1536 mib  (cpu: 3.1%)");
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

/* ------------------------------------------------------------ timeline */

#define GIB_KIB (1024u * 1024u)
#define MIB_KIB 1024u

/* The one trigger: "hog" [4242] jumped to 50 % at sample index. */
static void hog_trigger(struct st_dump *d, int32_t index)
{
	d->ntriggers = 1;
	d->triggers = calloc(1, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	st_test_set_trigger(&d->triggers[0], "cpu_delta", 4242, "hog", 50, 10, 20, "pct", index);
	d->trigger_index = index;
}

/*
 * Five samples 1 s apart, the trigger in the fourth: machine cpu 0, 25,
 * 50, 75, 100%; available memory 8, 8, 7, 6, 6 GiB; no swap; the blamed
 * process appears in the third sample with 10, 50, 100% and 100, 200,
 * 300 MiB.
 */
static struct st_dump *series_dump(void)
{
	static const double cpu[5] = { 0, 25, 50, 75, 100 };
	static const uint64_t avail_gib[5] = { 8, 8, 7, 6, 6 };
	struct st_dump *d = st_dump_new();

	CU_ASSERT_FATAL(d != NULL);
	d->wall_ns = WALL_NS;
	d->interval_s = 1.0;
	d->nsamples = 5;
	d->samples = calloc(5, sizeof(*d->samples));
	CU_ASSERT_FATAL(d->samples != NULL);
	for (uint32_t i = 0; i < 5; i++) {
		struct st_dump_sample *s = &d->samples[i];
		s->offset_ns = ((int64_t)i - 3) * 1000000000LL;
		s->seq = 10 + i;
		s->cpu_total_pct = cpu[i];
		s->mem_total_kib = 16 * GIB_KIB;
		s->mem_available_kib = avail_gib[i] * GIB_KIB;
		s->swap_total_kib = s->swap_free_kib = GIB_KIB;
		if (i < 2)
			continue;
		s->nblamed = 1;
		s->blamed = st_test_procs(1);
		st_test_set_proc(&s->blamed[0], 4242, "hog", i == 2 ? 10 : i == 3 ? 50 : 100, 0,
			 (uint64_t)(i - 1) * 100 * MIB_KIB, NULL);
	}
	hog_trigger(d, 3);
	return d;
}

static void test_timeline(void)
{
	struct st_dump *d = series_dump();
	struct st_render_opts opts = { .sample_index = -1 };
	char *text = render(d, &opts);

	expect_line(text, "=== timeline ===   (5 samples every 1 s; blamed: [4242] hog)");
	/* cpu on 0..100; memory from its low to its high; a process's cpu on
	 * 0..100; nothing where the process was not recorded. */
	expect_line(text, "cpu         \u2581\u2583\u2585\u2587\u2588  0.0% .. 100.0%");
	expect_line(text, "mem avail   \u2588\u2588\u2585\u2581\u2581  6.0 GiB .. 8.0 GiB");
	expect_line(text, "swap used   \u2581\u2581\u2581\u2581\u2581  0 KiB");
	expect_line(text, "blamed cpu    \u2581\u2585\u2588  10.0% .. 100.0%");
	expect_line(text, "blamed rss    \u2581\u2585\u2588  100 MiB .. 300 MiB");
	expect_line(text, "trigger        ^");
	expect_line(text, "  #  offset    cpu  mem avail  swap used  blamed cpu  blamed rss");
	expect_line(text, "  0   -3.0s   0.0%    8.0 GiB      0 KiB           -           -");
	expect_line(text, "  2   -1.0s  50.0%    7.0 GiB      0 KiB       10.0%     100 MiB");
	expect_line(text, "  3   +0.0s  75.0%    6.0 GiB      0 KiB       50.0%     200 MiB <- cpu_delta");
	expect_line(text, "  4   +1.0s 100.0%    6.0 GiB      0 KiB      100.0%     300 MiB");
	/* The timeline comes after the tables. */
	CU_ASSERT(strstr(text, "=== top processes by rss ===") < strstr(text, "=== timeline ==="));
	free(text);

	opts.ascii = 1;
	text = render(d, &opts);
	expect_line(text, "cpu         _-=*#  0.0% .. 100.0%");
	expect_line(text, "mem avail   ##=__  6.0 GiB .. 8.0 GiB");
	expect_line(text, "blamed cpu    _=#  10.0% .. 100.0%");
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		CU_ASSERT_FATAL(*p < 0x80);
	free(text);
	st_dump_free(d);
}

/*
 * The fast ring's rows: 50 readings at 10 Hz over the five samples, the
 * machine idle but for 300 ms at half (one core of two) in the trigger's
 * second, and memory down by 1 GiB for one reading. Two readings to a
 * character: the spike fills two, and is not averaged away.
 */
static void test_timeline_fast_rows(void)
{
	struct st_dump *d = series_dump();
	struct st_render_opts opts = { .sample_index = -1, .ascii = 1 };
	d->fast_interval_s = 0.1;
	d->nfast = 50;
	d->fast = calloc(50, sizeof(*d->fast));
	CU_ASSERT_FATAL(d->fast != NULL);
	for (uint32_t i = 0; i < 50; i++) {
		struct st_dump_fast *f = &d->fast[i];
		f->offset_ns = -3900000000LL + (int64_t)i * 100000000;
		f->interval_s = 0.1;
		f->cpu_total_pct = i >= 33 && i <= 35 ? 50 : 0;
		f->mem_available_kib = (i == 34 ? 5 : 6) * (uint64_t)GIB_KIB;
		f->have = ST_DUMP_FAST_CPU | ST_DUMP_FAST_MEM;
	}
	char *text = render(d, &opts);
	expect_line(text, "=== timeline ===   (5 samples every 1 s; 50 system readings every "
		    "0.1 s; blamed: [4242] hog)");
	expect_line(text, "cpu 10 Hz        ________________==_______  0.0% .. 50.0%");
	expect_line(text, "mem avail 10 Hz  #################_#######  5.0 GiB .. 6.0 GiB");
	/* after the samples' rows and their trigger marks */
	CU_ASSERT(strstr(text, "trigger        ^") < strstr(text, "cpu 10 Hz"));
	free(text);

	/* 20 Hz, and a reading without memory leaves a gap. */
	d->fast_interval_s = 0.05;
	d->fast[0].have = ST_DUMP_FAST_CPU;
	d->fast[1].have = ST_DUMP_FAST_CPU;
	text = render(d, &opts);
	expect_line(text, "mem avail 20 Hz   ################_#######  5.0 GiB .. 6.0 GiB");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\ncpu 20 Hz        "));
	free(text);

	/* None: no rows, the heading as before. */
	d->nfast = 0;
	text = render(d, &opts);
	expect_line(text, "=== timeline ===   (5 samples every 1 s; blamed: [4242] hog)");
	CU_ASSERT_PTR_NULL(strstr(text, "Hz"));
	free(text);
	st_dump_free(d);
}

/* A system-wide trigger: no process columns; a flat memory line sits in
 * the middle instead of looking like a collapse. */
static void test_timeline_system_wide(void)
{
	struct st_dump *d = series_dump();
	char *text;

	for (uint32_t i = 0; i < d->nsamples; i++)
		d->samples[i].mem_available_kib = 8 * GIB_KIB;
	d->samples[4].mem_available_kib += 12 * MIB_KIB;
	st_test_set_trigger(&d->triggers[0], "mem_pressure", 0, "", 95, 50, 90, "pct", 3);
	text = render(d, NULL);
	expect_line(text, "=== timeline ===   (5 samples every 1 s)");
	expect_line(text, "mem avail   \u2584\u2584\u2584\u2584\u2585  8.0 GiB (range 12 MiB)");
	expect_line(text, "  #  offset    cpu  mem avail  swap used");
	expect_line(text, "  3   +0.0s  75.0%    8.0 GiB      0 KiB <- mem_pressure");
	expect_line(text, "  4   +1.0s 100.0%    8.0 GiB      0 KiB");
	CU_ASSERT_PTR_NULL(strstr(text, "blamed"));
	free(text);
	st_dump_free(d);
}

/* The system evidence in the timeline: pressure (0..100 %), load (0..the
 * core count), anonymous memory and the page cache; the trigger section
 * says why. A sample that did not measure a group leaves a gap. */
static void test_evidence_in_timeline_and_why(void)
{
	static const double psi[5] = { 0, 10, 20, 60, 100 };
	struct st_dump *d = series_dump();
	struct st_render_opts opts = { .sample_index = -1 };
	char *text;

	d->host.ncores = 4;
	for (uint32_t i = 0; i < d->nsamples; i++) {
		struct st_dump_sample *s = &d->samples[i];
		s->have = ST_HAVE_PSI_CPU | ST_HAVE_PSI_IO | ST_HAVE_LOADAVG | ST_HAVE_MEM_DETAIL;
		s->psi_cpu.some_avg10_pct = psi[i];
		s->psi_io.some_avg10_pct = 1;
		s->load1 = (double)i;
		s->anon_kib = (uint64_t)(i + 1) * GIB_KIB;
		s->cached_kib = 2 * GIB_KIB;
		s->cpu_user_pct = s->cpu_total_pct * 0.9;
		s->cpu_system_pct = s->cpu_total_pct * 0.1;
	}
	d->samples[1].have &= ~(uint32_t)ST_HAVE_PSI_CPU;   /* a gap */
	text = render(d, &opts);
	expect_line(text, "cpu psi     \u2581 \u2582\u2585\u2588  0.0% .. 100.0%");
	expect_line(text, "io psi      \u2581\u2581\u2581\u2581\u2581  1.0%");
	expect_line(text, "load1       \u2581\u2583\u2585\u2587\u2588  0.00 .. 4.00");
	expect_line(text, "anon        \u2581\u2583\u2585\u2587\u2588  1.0 GiB .. 5.0 GiB");
	expect_line(text, "cache       \u2585\u2585\u2585\u2585\u2585  2.0 GiB");
	CU_ASSERT_PTR_NULL(strstr(text, "mem psi"));    /* never measured */
	expect_line(text, "why: CPU-bound in user code: 50.0% of one core, machine 68% user, 8% kernel");
	expect_line(text, "     waiting for CPU: cpu pressure 60%, 0 runnable");
	/* The why-line follows the trigger's summary, before the tables. */
	CU_ASSERT(strstr(text, "why: ") < strstr(text, "=== top processes by cpu ==="));
	free(text);
	st_dump_free(d);
}

/* Columns a line takes on a UTF-8 terminal: one per character. */
static size_t columns(const char *line, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)line[i] & 0xc0) != 0x80;
	return n;
}

static void expect_within_80(const char *p, size_t len)
{
	if (columns(p, len) > 80)
		fprintf(stderr, "\n  %zu columns: %.*s\n", columns(p, len), (int)len, p);
	CU_ASSERT(columns(p, len) <= 80);
}

/*
 * The timeline and the why-lines fit 80 columns, whatever the window's
 * length and the figures' size: 200 samples, TiB of memory that barely
 * moves, every cause at once; long why-lines wrap after a comma.
 */
static void test_within_80_columns(void)
{
	struct st_dump *d = st_dump_new();
	CU_ASSERT_FATAL(d != NULL);
	d->interval_s = 0.25;
	d->host.ncores = 2;
	d->nsamples = 200;
	d->samples = calloc(200, sizeof(*d->samples));
	CU_ASSERT_FATAL(d->samples != NULL);
	for (uint32_t i = 0; i < 200; i++) {
		struct st_dump_sample *s = &d->samples[i];
		s->seq = i + 1;
		s->offset_ns = ((int64_t)i - 100) * 250000000LL;
		s->mono_ns = 1000000000000LL + s->offset_ns;
		s->cpu_total_pct = i % 2 ? 100 : 99.5;
		s->cpu_system_pct = 60;
		s->cpu_user_pct = 39.5;
		s->cpu_iowait_pct = 55;
		s->mem_total_kib = 16384ull * GIB_KIB;
		s->mem_available_kib = 16383ull * GIB_KIB + i;
		s->swap_total_kib = 16384ull * GIB_KIB;
		s->swap_free_kib = 1;
		s->procs_running = 123456;
		s->procs_blocked = 654321;
		s->forks_delta = 123456789;
		s->have = ST_DUMP_HAVE_EVIDENCE;
		s->psi_cpu.some_avg10_pct = 99.99;
		s->psi_memory.some_avg10_pct = 99.99;
		s->psi_io.some_avg10_pct = 99.99;
		s->load1 = 1234.56 + i;
		s->vm = (struct st_vm_figures){ 0.25, 1u << 30, 1u << 30, 7, 3, 1ull << 40, 9,
						123456789 };
		s->anon_kib = 16000ull * GIB_KIB + i;
		s->cached_kib = 300ull * GIB_KIB + (uint64_t)i * 9 * GIB_KIB;
		s->shmem_kib = (uint64_t)i * 3 * GIB_KIB;
		s->slab_unreclaimable_kib = (uint64_t)i * GIB_KIB;
	}
	/* A blamed process (its columns in the table) and, at one sample,
	 * a type as long as the core allows beside two more. */
	d->ntriggers = 4;
	d->triggers = calloc(4, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	st_test_set_trigger(&d->triggers[0], "mem_drop", 0, "", 1, 2, 3, "kib", 150);
	st_test_set_trigger(&d->triggers[1], "cpu_delta", 0, "", 1, 2, 3, "pct", 199);
	st_test_set_trigger(&d->triggers[2], "a_type_thirty_one_characters_xx", 4242, "hog", 1, 2, 3,
		    "pct", 180);
	st_test_set_trigger(&d->triggers[3], "swap_spike", 0, "", 1, 2, 3, "kib", 180);
	d->trigger_index = 150;
	for (uint32_t i = 100; i < 200; i++) {
		struct st_dump_sample *s = &d->samples[i];
		s->nblamed = 1;
		s->blamed = st_test_procs(1);
		st_test_set_proc(&s->blamed[0], 4242, "hog", 1600.5, 0, 16000ull * GIB_KIB, NULL);
	}

	for (int ascii = 0; ascii <= 1; ascii++) {
		struct st_render_opts opts = { .sample_index = -1, .ascii = ascii };
		char *text = render(d, &opts);
		const char *p = strstr(text, "\nwhy: ");
		unsigned why_lines = 0;

		CU_ASSERT_FATAL(p != NULL);
		/* The first trigger's why-lines, up to the blank line. */
		for (p++; *p && *p != '\n' && strncmp(p, "===", 3) != 0; why_lines++) {
			size_t len = strcspn(p, "\n");
			expect_within_80(p, len);
			p += len + (p[len] == '\n');
		}
		CU_ASSERT(why_lines >= 9);      /* 8 causes, one wrapped at least */
		p = strstr(text, "=== timeline ===");
		CU_ASSERT_FATAL(p != NULL);
		while (*p) {
			size_t len = strcspn(p, "\n");
			expect_within_80(p, len);
			p += len + (p[len] == '\n');
		}
		free(text);
	}
	st_dump_free(d);
}

/* A long window is bucketed into at most 38 characters (so that a line
 * with its range fits 80 columns): 120 samples into 30 of 4 each. Each
 * keeps the worst value of its samples (highest cpu, lowest available
 * memory). */
static void test_sparkline_buckets(void)
{
	struct st_dump *d = st_dump_new();
	const char *line;
	char *text;

	CU_ASSERT_FATAL(d != NULL);
	d->nsamples = 120;
	d->samples = calloc(120, sizeof(*d->samples));
	CU_ASSERT_FATAL(d->samples != NULL);
	for (uint32_t i = 0; i < 120; i++) {
		d->samples[i].seq = i + 1;
		d->samples[i].mem_available_kib = 4 * GIB_KIB;
	}
	d->samples[1].cpu_total_pct = 100;         /* bucket 0 */
	d->samples[4].mem_available_kib = GIB_KIB; /* bucket 1 */
	d->trigger_index = 119;
	struct st_render_opts opts = { .sample_index = -1, .ascii = 1 };
	text = render(d, &opts);

	line = strstr(text, "\ncpu         ");
	CU_ASSERT_FATAL(line != NULL);
	line += strlen("\ncpu         ");
	CU_ASSERT_EQUAL(strcspn(line, " "), 30);
	CU_ASSERT_EQUAL(line[0], '#');
	CU_ASSERT_EQUAL(strspn(line + 1, "_"), 29);
	line = strstr(text, "\nmem avail   ");
	CU_ASSERT_FATAL(line != NULL);
	line += strlen("\nmem avail   ");
	CU_ASSERT_EQUAL(strncmp(line, "#_####", 6), 0);
	free(text);
	st_dump_free(d);
}

/* ------------------------------------------------------------ mixed rates */

#define MS_NS 1000000LL

/*
 * A window at interval 1 s with fast_interval 0.1 s: ticks at -4 .. 0 s
 * (the trigger at 0), then three seconds at 10 Hz: fast samples between
 * the ticks at +1, +2 and +3 s, which keep their schedule, and one more
 * tick at +4 s once the normal interval has resumed. 36 samples, 9 of
 * them ticks. The machine idles at 10 % but for one fast sample at
 * +1.3 s (90 %, between two ticks); the blamed process is in every one.
 */
static struct st_dump *mixed_rate_dump(void)
{
	struct st_dump *d = st_dump_new();
	uint32_t n = 0;

	CU_ASSERT_FATAL(d != NULL);
	d->wall_ns = WALL_NS;
	d->interval_s = 1.0;
	d->host.ncores = 2;
	d->samples = calloc(36, sizeof(*d->samples));
	CU_ASSERT_FATAL(d->samples != NULL);
	for (int64_t tenth = -40; tenth <= 40; tenth++) {
		bool tick = tenth % 10 == 0, fast = tenth > 0 && tenth < 30 && !tick;
		if (!tick && !fast)
			continue;
		struct st_dump_sample *s = &d->samples[n];
		s->offset_ns = tenth * 100 * MS_NS;
		s->seq = 100 + n;
		s->mono_ns = 5000000 * MS_NS + s->offset_ns;
		s->flags = fast ? ST_SAMPLE_FAST : 0;
		/* ticks inside the fast stretch come 0.1 s after a fast one */
		s->interval_s = fast || (tenth > 0 && tenth <= 30) ? 0.1 : 1.0;
		s->cpu_total_pct = tenth == 13 ? 90 : 10;
		s->mem_total_kib = 16 * GIB_KIB;
		s->mem_available_kib = 8 * GIB_KIB;
		s->swap_total_kib = s->swap_free_kib = GIB_KIB;
		s->ntop_cpu = 1;
		s->top_cpu = st_test_procs(1);
		st_test_set_proc(&s->top_cpu[0], 4242, "hog", 50, 0, 100 * MIB_KIB, NULL);
		n++;
	}
	CU_ASSERT_EQUAL_FATAL(n, 36);
	d->nsamples = n;
	hog_trigger(d, 4);
	return d;
}

/* The characters of the sparkline labelled label (ASCII), from text. */
static size_t spark_chars(const char *text, const char *label, const char **line)
{
	char *needle;
	CU_ASSERT_FATAL(asprintf(&needle, "\n%-12s", label) > 0);
	*line = strstr(text, needle);
	CU_ASSERT_FATAL(*line != NULL);
	*line += strlen(needle);
	free(needle);
	return strcspn(*line, " ");
}

/* Rendered with the tables of sample index: the line, and says somewhere. */
static void expect_rendered(const struct st_dump *d, int index, const char *line,
			    const char *says)
{
	struct st_render_opts opts = { .sample_index = index, .ascii = 1 };
	char *text = render(d, &opts);

	expect_line(text, line);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, says));
	free(text);
}

/* Sparklines and the trigger mark are per tick, a fast sample in the
 * column of the tick that closes its interval; the header says the mix,
 * the rows where the spacing changes, a table over what span it is. */
static void test_mixed_rates(void)
{
	struct st_dump *d = mixed_rate_dump();
	struct st_render_opts opts = { .sample_index = -1, .ascii = 1 };
	const char *line;
	char *text = render(d, &opts);

	expect_line(text, "=== timeline ===   (36 samples: 9 every 1 s, 27 every 0.1 s after the "
		    "trigger; blamed: [4242] hog)");
	/* one column per tick; the 90 % at +1.3 s in the +2 s tick's */
	CU_ASSERT_EQUAL(spark_chars(text, "cpu", &line), 9);
	CU_ASSERT_EQUAL(strncmp(line, "______#__  10.0% .. 90.0%\n", 26), 0);
	CU_ASSERT_EQUAL(spark_chars(text, "blamed cpu", &line), 9);
	/* under the trigger's tick, the fifth column */
	expect_line(text, "trigger         ^");
	/* every sample keeps its row; the spacing's changes are said */
	expect_line(text, "  4   +0.0s  10.0%    8.0 GiB      0 KiB       50.0%     100 MiB"
		    " <- cpu_delta");
	expect_line(text, "  5   +0.1s  10.0%    8.0 GiB      0 KiB       50.0%     100 MiB"
		    "  every 0.1 s");
	expect_line(text, "  6   +0.2s  10.0%    8.0 GiB      0 KiB       50.0%     100 MiB");
	expect_line(text, " 14   +1.0s  10.0%    8.0 GiB      0 KiB       50.0%     100 MiB");
	expect_line(text, " 17   +1.3s  90.0%    8.0 GiB      0 KiB       50.0%     100 MiB");
	expect_line(text, " 34   +3.0s  10.0%    8.0 GiB      0 KiB       50.0%     100 MiB");
	expect_line(text, " 35   +4.0s  10.0%    8.0 GiB      0 KiB       50.0%     100 MiB"
		    "  every 1 s");
	CU_ASSERT_EQUAL(count(text, "every 0.1 s\n"), 1);
	/* the trigger's tick covers a whole interval: no span to say */
	expect_line(text, "=== top processes by cpu ===   (sample 4 at +0.0 s)");
	for (const char *p = text; *p; ) {
		size_t len = strcspn(p, "\n");
		if (strncmp(p, "=== timeline", 12) != 0)
			expect_within_80(p, len);
		p += len + (p[len] == '\n');
	}
	free(text);

	/* A fast sample's figures are over 0.1 s; an off-tick one over
	 * what it covers, and counted apart. */
	expect_rendered(d, 17, "=== top processes by cpu ===   (sample 17 at +1.3 s, over 0.1 s)",
			" 17   +1.3s  90.0%");
	d->samples[3].flags = ST_SAMPLE_OFF_TICK;
	d->samples[3].interval_s = 0.35;
	opts.sample_index = 3;
	text = render(d, &opts);
	expect_line(text, "=== top processes by cpu ===   (sample 3 at -1.0 s, over 0.35 s)");
	expect_line(text, "=== timeline ===   (36 samples: 8 every 1 s, 27 every 0.1 s after the "
		    "trigger, 1 off-tick; blamed: [4242] hog)");
	/* it shares the trigger's column now: 8 ticks, the mark one left */
	CU_ASSERT_EQUAL(spark_chars(text, "cpu", &line), 8);
	expect_line(text, "trigger        ^");
	free(text);

	/* Faster than 10 Hz the fast stretch's offsets get hundredths, so
	 * that two rows never show the same time. */
	for (uint32_t i = 5; i < 34; i++)
		d->samples[i].interval_s = 0.05;
	expect_rendered(d, -1, "  5  +0.10s  10.0%    8.0 GiB      0 KiB       50.0%     "
			"100 MiB  every 0.05 s", "\n 35   +4.0s");
	st_dump_free(d);
}

/* An older dump has no sample intervals: the span comes from the clock
 * (the time since the sample before), the first sample's from the
 * configured interval. */
static void test_mixed_rates_older_dump(void)
{
	struct st_dump *d = mixed_rate_dump();

	for (uint32_t i = 0; i < d->nsamples; i++)
		d->samples[i].interval_s = 0;
	expect_rendered(d, 17, "=== top processes by cpu ===   (sample 17 at +1.3 s, over 0.1 s)",
			"27 every 0.1 s after the trigger");
	expect_rendered(d, 0, "=== top processes by cpu ===   (sample 0 at -4.0 s)",
			"\n  0   -4.0s  10.0%");
	/* Without clocks either: the fast interval where the dump has the
	 * fast ring, else no rate at all rather than the wrong one. */
	for (uint32_t i = 0; i < d->nsamples; i++)
		d->samples[i].mono_ns = 0;
	expect_rendered(d, 17, "=== top processes by cpu ===   (sample 17 at +1.3 s)",
			"(36 samples: 9 every 1 s, 27 fast after the trigger; blamed");
	char *text = render(d, NULL);
	CU_ASSERT_PTR_NULL(strstr(text, "  every "));       /* no row's note */
	free(text);
	d->fast_interval_s = 0.1;
	expect_rendered(d, 17, "=== top processes by cpu ===   (sample 17 at +1.3 s, over 0.1 s)",
			"(36 samples: 9 every 1 s, 27 every 0.1 s after the trigger; blamed");
	st_dump_free(d);
}

/* Many ticks and a fast stretch: the line is bucketed by ticks, not by
 * samples (40 ticks are two to a character, the 27 fast samples with
 * them add no character). */
static void test_mixed_rates_bucketed(void)
{
	struct st_dump *d = st_dump_new();
	const char *line;
	uint32_t n = 0;

	CU_ASSERT_FATAL(d != NULL);
	d->interval_s = 1.0;
	d->samples = calloc(67, sizeof(*d->samples));
	CU_ASSERT_FATAL(d->samples != NULL);
	for (int64_t tenth = -360; tenth <= 30; tenth++) {
		bool tick = tenth % 10 == 0, fast = tenth > 0 && !tick;
		if (!tick && !fast)
			continue;
		struct st_dump_sample *s = &d->samples[n];
		s->offset_ns = tenth * 100 * MS_NS;
		s->seq = ++n;
		s->flags = fast ? ST_SAMPLE_FAST : 0;
		s->interval_s = tenth > 0 ? 0.1 : 1.0;
		s->mem_available_kib = 4 * GIB_KIB;
	}
	CU_ASSERT_EQUAL_FATAL(n, 67);
	d->nsamples = n;
	d->samples[49].cpu_total_pct = 100;     /* +1.3 s: tick +2 s, column 38 */
	d->trigger_index = 36;
	struct st_render_opts opts = { .sample_index = -1, .ascii = 1 };
	char *text = render(d, &opts);
	CU_ASSERT_EQUAL(spark_chars(text, "cpu", &line), 20);
	CU_ASSERT_EQUAL(strspn(line, "_"), 19);
	CU_ASSERT_EQUAL(line[19], '#');
	free(text);
	st_dump_free(d);
}

static void test_all_samples(void)
{
	struct st_dump *d = series_dump();
	struct st_render_opts opts = { .sample_index = -1, .all_samples = 1 };
	char *text = render(d, &opts), *want;
	const char *prev = text;

	CU_ASSERT_EQUAL(count(text, "=== top processes by cpu ==="), 5);
	CU_ASSERT_EQUAL(count(text, "=== top processes by rss ==="), 5);
	/* Oldest first, each cpu table followed by its rss table. */
	for (int i = 0; i < 5; i++) {
		const char *at;
		CU_ASSERT_FATAL(asprintf(&want, "(sample %d at %+.1f s)", i, (double)(i - 3)) > 0);
		at = strstr(text, want);
		CU_ASSERT(at != NULL && at > prev);
		if (at)
			prev = at;
		free(want);
	}
	CU_ASSERT_EQUAL(count(text, "=== timeline ==="), 1);
	free(text);
	st_dump_free(d);
}

/* ------------------------------------------------------------ colour */

static bool is_our_sgr(const char *p, size_t *len)
{
	static const char *const ours[] = {
		"\x1b[0m", "\x1b[1m", "\x1b[1;31m", "\x1b[33m", "\x1b[36m",
	};
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		if (strncmp(p, ours[i], strlen(ours[i])) == 0) {
			*len = strlen(ours[i]);
			return true;
		}
	}
	return false;
}

/* Every ESC starts one of our SGR sequences; nothing else is a control
 * byte but the newline. */
static void expect_only_our_escapes(const char *text)
{
	for (const char *p = text; *p; p++) {
		const unsigned char c = (unsigned char)*p;
		size_t len = 1;
		if (c == 0x1b) {
			CU_ASSERT_FATAL(is_our_sgr(p, &len));
			p += len - 1;
			continue;
		}
		CU_ASSERT_FATAL(c >= 0x20 || c == '\n');
		CU_ASSERT_FATAL(c != 0x7f);
		CU_ASSERT_FATAL(!(c == 0xc2 && (unsigned char)p[1] >= 0x80 &&
				  (unsigned char)p[1] < 0xa0));
	}
}

static void test_colour(void)
{
	struct st_dump *d = example_dump();
	struct st_render_opts opts = { .sample_index = -1 };
	char *text = render(d, &opts);

	CU_ASSERT_PTR_NULL(strchr(text, '\x1b'));
	free(text);

	opts.color = 1;
	text = render(d, &opts);
	expect_only_our_escapes(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n\x1b[1m=== spike trigger ===\x1b[0m\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\ntype: \x1b[1;31mcpu_delta\x1b[0m\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nprocess: \x1b[1m[12345] firefox\x1b[0m\n"));
	/* The blamed process's rows stand out in both tables; the others
	 * do not. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n\x1b[33m 1. [12345] firefox           85.2%"
					    "  (rss: 2048 mib)\x1b[0m\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n\x1b[33m 1. [12345] firefox           2048 mib"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n 2. [ 1001] xorg"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "<- \x1b[1;31mcpu_delta\x1b[0m\n"));
	/* Colour changes no text: without the escapes it is the plain one. */
	{
		char *plain, *stripped = strdup(text), *o = stripped;
		size_t len;
		CU_ASSERT_FATAL(stripped != NULL);
		for (const char *p = text; *p; p++) {
			if (*p == '\x1b' && is_our_sgr(p, &len))
				p += len - 1;
			else
				*o++ = *p;
		}
		*o = '\0';
		opts.color = 0;
		plain = render(d, &opts);
		CU_ASSERT_STRING_EQUAL(stripped, plain);
		free(plain);
		free(stripped);
	}
	free(text);
	st_dump_free(d);
}

static void test_hostile_names_in_colour(void)
{
	struct st_dump *d = example_dump();
	struct st_render_opts opts = { .name = "a\x1b[0m\x9b" "31m", .sample_index = -1,
				       .color = 1 };
	char *text;

	snprintf(d->samples[1].top_cpu[0].comm, ST_COMM_MAX, "\x1b[0m\x1b]8;;http://x\x07");
	snprintf(d->triggers[0].trigger.comm, ST_COMM_MAX, "\x1b[0m\x1b]8;;http://x\x07");
	snprintf(d->triggers[0].trigger.type, ST_TRIGGER_TYPE_MAX, "t\x1b[1;31m\n");
	snprintf(d->triggers[0].trigger.units, ST_TRIGGER_UNITS_MAX, "\x1b[5m");
	snprintf(d->samples[1].top_rss[1].comm, ST_COMM_MAX, "rlo\xe2\x80\xae" "gpj.exe");
	free(d->samples[1].top_cpu[0].cmdline);
	d->samples[1].top_cpu[0].cmdline = strdup("x\x1b[0m\r\x1b[2K");
	text = render(d, &opts);

	expect_only_our_escapes(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\ntype: \x1b[1;31mt\\x1b[1;31m\\n\x1b[0m\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "[12345] \\x1b[0m\\x1b]8;;http://x\\x07"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "command: x\\x1b[0m\\r\\x1b[2K\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, " rlo\\xe2\\x80\\xae\xe2\x80\xa6 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "spike dump: a\\x1b[0m\\x9b31m"));
	free(text);
	st_dump_free(d);
}

/* ------------------------------------------------------------ alignment */

/* Display columns, counting what the test uses: ASCII, CJK (2), "…" (1). */
static size_t display_columns(const char *s, size_t bytes)
{
	size_t cols = 0;
	for (size_t i = 0; i < bytes; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			cols++;
		} else if (c >= 0xe3 && c <= 0xe9) {
			cols += 2;
			i += 2;
		} else if (c == 0xe2) {
			cols++;
			i += 2;
		}
	}
	return cols;
}

/* Long names, wide characters, big pids and big figures: every row's
 * figures still end in the same column. */
static void test_table_alignment(void)
{
	struct st_dump *d = example_dump();
	struct st_dump_sample *s = &d->samples[1];
	char *text;
	const char *table, *end;
	size_t want = 0, rows = 0;

	for (int i = 0; i < 3; i++)
		free(s->top_cpu[i].cmdline);
	st_test_set_proc(&s->top_cpu[0], 4194303, "a_very_long_kernel_thread_name", 1600.5, 0, 1024, NULL);
	st_test_set_proc(&s->top_cpu[1], 7, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 12.0, 0, 1024, NULL);
	st_test_set_proc(&s->top_cpu[2], 12, "\x1b\x1b\x1b\x1b\x1b\x1b", 0.5, 0, 1024, NULL);
	text = render(d, NULL);

	expect_line(text, " 1. [4194303] a_very_long_ker\xe2\x80\xa6 1600.5%  (rss: 1 mib)");
	expect_line(text, " 2. [      7] \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"
			  "             12.0%  (rss: 1 mib)");
	expect_line(text, " 3. [     12] \\x1b\\x1b\\x1b\xe2\x80\xa6       0.5%  (rss: 1 mib)");
	table = strstr(text, "=== top processes by cpu ===");
	end = strstr(text, "=== top processes by rss ===");
	CU_ASSERT_FATAL(table && end);
	for (const char *line = strchr(table, '\n') + 1; line < end; line = strchr(line, '\n') + 1) {
		const char *pct = strchr(line, '%');
		if (!pct || pct > strchr(line, '\n'))
			continue;
		size_t col = display_columns(line, (size_t)(pct - line));
		if (!want)
			want = col;
		CU_ASSERT_EQUAL(col, want);
		rows++;
	}
	CU_ASSERT_EQUAL(rows, 3);
	free(text);
	st_dump_free(d);
}

/* ------------------------------------------------------------ places */

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* firefox in a user unit with its I/O, swap and threads; xorg in a
 * container of a pod; make in none. */
static struct st_dump *placed_dump(void)
{
	struct st_dump *d = example_dump();
	struct st_dump_sample *s = &d->samples[1];
	struct st_dump_proc *ff = &s->top_cpu[0], *x = &s->top_cpu[1];

	ff->cgroup = strdup("/user.slice/user-1000.slice/user@1000.service/app.slice/"
			    "firefox.service");
	snprintf(ff->unit, sizeof(ff->unit), "firefox.service");
	snprintf(ff->slice, sizeof(ff->slice), "app.slice");
	ff->user_uid = 1000;
	ff->flags |= ST_DUMP_PROC_USER_UNIT;
	ff->io_read_bytes = 4 * 1024 * 1024;
	ff->io_write_bytes = 512 * 1024;
	ff->swap_kib = 2048;
	ff->nthreads = 2;
	ff->threads[0] = (struct st_dump_thread){ .tid = 12399, .comm = "Compositor",
						  .utime_s = 12.5, .stime_s = 0.25 };
	ff->threads[1] = (struct st_dump_thread){ .tid = 12345, .comm = "firefox",
						  .utime_s = 1.0, .stime_s = 0 };
	snprintf(x->unit, sizeof(x->unit), "cri-containerd-" HEX64 ".scope");
	snprintf(x->container_runtime, sizeof(x->container_runtime), "containerd");
	snprintf(x->container_id, sizeof(x->container_id), HEX64);
	snprintf(x->pod_uid, sizeof(x->pod_uid), "1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b");
	snprintf(s->top_rss[0].unit, sizeof(s->top_rss[0].unit), "firefox.service");
	snprintf(s->top_cpu[2].unit, sizeof(s->top_cpu[2].unit), "build-of-a-large-tree.service");
	return d;
}

/* Every line of the process sections within 80 display columns (the
 * timeline has its own layout). */
static void expect_narrow(const char *text)
{
	const char *stop = strstr(text, "=== timeline ===");
	for (const char *line = text; *line && (!stop || line < stop);) {
		const char *nl = strchr(line, '\n');
		size_t bytes = nl ? (size_t)(nl - line) : strlen(line);
		size_t cols = display_columns(line, bytes);
		if (cols > 80)
			fprintf(stderr, "\n  %zu columns: %.*s\n", cols, (int)bytes, line);
		CU_ASSERT(cols <= 80);
		line += bytes + (nl != NULL);
	}
}

static void test_units_and_containers(void)
{
	struct st_dump *d = placed_dump();
	char *text = render(d, NULL);

	expect_line(text, "process: [12345] firefox  firefox.service");
	expect_line(text, "unit: firefox.service (user unit of uid 1000) in app.slice");
	expect_line(text, "cgroup: /user.slice/user-1000.slice/user@1000.service/app.slice/"
			  "firefox.service");
	expect_line(text, "io: 4 MiB read, 512 KiB written from storage since start");
	expect_line(text, "swapped out: 2 MiB");
	expect_line(text, "busiest threads (cpu since each started):");
	expect_line(text, "  [12399] Compositor       12.50 s user, 0.25 s system");
	expect_line(text, "  [12345] firefox          1.00 s user, 0.00 s system");
	/* The threads come after the figures of the trigger. */
	CU_ASSERT(strstr(text, "summary: ") < strstr(text, "busiest threads"));
	/* Tables: where each runs after its figures (which stay aligned),
	 * cut to the 80 columns; nothing for a process without a place. */
	expect_line(text, " 1. [12345] firefox           85.2%  (rss: 2048 mib)  firefox.service");
	expect_line(text, " 2. [ 1001] xorg              12.0%  (rss: 512 mib)  containerd 0123456789ab");
	expect_line(text, " 3. [  777] make               2.0% + 95.0% children  (rss: 12 mib)  "
			  "build-of-a\xe2\x80\xa6");
	expect_line(text, " 1. [12345] firefox           2048 mib  (cpu: 85.2%)  firefox.service");
	expect_line(text, " 2. [ 9876] chromium          1536 mib  (cpu: 3.1%)");
	expect_narrow(text);
	free(text);

	/* The container of the blamed process, with its pod. */
	struct st_dump_trigger *t = &d->triggers[0];
	t->trigger.pid = 1001;
	t->trigger.start_ticks = 5000u + 1001;
	snprintf(t->trigger.comm, sizeof(t->trigger.comm), "xorg");
	text = render(d, NULL);
	expect_line(text, "process: [1001] xorg  containerd 0123456789ab");
	expect_line(text, "container: containerd (pod 1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b)");
	expect_line(text, "container id: " HEX64);
	/* Too long for a line: wrapped under itself, not cut. */
	expect_line(text, "unit: cri-containerd-0123456789abcdef0123456789abcdef"
			  "0123456789abcdef0123456789a\n      bcdef.scope");
	/* What the dump holds: its cgroup was read and io was not. */
	CU_ASSERT_PTR_NULL(strstr(text, "io: "));
	CU_ASSERT_PTR_NULL(strstr(text, "busiest threads"));
	expect_narrow(text);
	free(text);
	st_dump_free(d);
}

/* An older dump has no place: the tables are as they were, no lines
 * say "unknown". */
static void test_no_place_no_column(void)
{
	struct st_dump *d = example_dump();
	char *text = render(d, NULL);
	expect_line(text, " 1. [12345] firefox           85.2%  (rss: 2048 mib)");
	expect_line(text, "process: [12345] firefox");
	CU_ASSERT_PTR_NULL(strstr(text, "unit: "));
	CU_ASSERT_PTR_NULL(strstr(text, "io: "));
	free(text);
	st_dump_free(d);
}

/* Split into user and kernel time, waiting for the disk, threads and
 * address space: in the trigger's process section, and the kernel's share
 * beside each cpu figure of the table, within the 80 columns. */
static void test_cpu_split_and_wait(void)
{
	struct st_dump *d = placed_dump();
	struct st_dump_sample *s = &d->samples[1];
	struct st_dump_proc *ff = &s->top_cpu[0], *x = &s->top_cpu[1], *mk = &s->top_cpu[2];

	ff->user_cpu_pct = 68.2;
	ff->system_cpu_pct = 17.0;
	ff->blkio_delay_pct = 35.2;
	ff->num_threads = 42;
	ff->vsize_kib = 3u << 20;
	x->system_cpu_pct = 12.0;
	mk->user_cpu_pct = 2.0;
	char *text = render(d, NULL);
	expect_line(text, "cpu split: user 68.2%, system 17.0% (of one core)");
	expect_line(text, "block i/o wait: 35% of the interval");
	expect_line(text, "threads: 42, vsize 3.0 GiB (as last read)");
	/* the figures first, then where it runs */
	CU_ASSERT(strstr(text, "cpu split: ") < strstr(text, "unit: firefox.service"));
	expect_line(text, " 1. [12345] firefox           85.2% (20% sys)  (rss: 2048 mib)  "
			  "firefox.service");
	expect_line(text, " 2. [ 1001] xorg              12.0% (100% sys)  (rss: 512 mib)  "
			  "containerd 0123\xe2\x80\xa6");
	/* all user time: nothing to say */
	expect_line(text, " 3. [  777] make               2.0% + 95.0% children  (rss: 12 mib)  "
			  "build-of-a\xe2\x80\xa6");
	expect_narrow(text);
	free(text);

	/* A first-seen process: its average since it started. A row the
	 * share would push past 80 columns, or cut where it runs short,
	 * goes without it. */
	ff->flags |= ST_PROC_NEW;
	mk->system_cpu_pct = 1.0;
	mk->cpu_pct = 2.5;
	text = render(d, NULL);
	expect_line(text, "cpu split: user 68.2%, system 17.0% (of one core, average "
			  "since it started)");
	expect_line(text, "block i/o wait: 35% of the interval, average since it started");
	expect_line(text, " 1. [12345] firefox           85.2%  (rss: 2048 mib)  [avg since start]");
	expect_line(text, " 3. [  777] make               2.5% + 95.0% children  (rss: 12 mib)  "
			  "build-of-a\xe2\x80\xa6");
	expect_narrow(text);
	free(text);

	/* Not re-read, or an older dump: no split, no wait; threads only
	 * when known. */
	ff->flags = ST_PROC_CARRIED;
	ff->num_threads = -1;
	text = render(d, NULL);
	CU_ASSERT_PTR_NULL(strstr(text, "cpu split: "));
	CU_ASSERT_PTR_NULL(strstr(text, "block i/o wait: "));
	CU_ASSERT_PTR_NULL(strstr(text, "threads: "));
	free(text);
	ff->flags = 0;
	ff->user_cpu_pct = ff->system_cpu_pct = ff->blkio_delay_pct = -1;
	x->system_cpu_pct = -1;
	text = render(d, NULL);
	CU_ASSERT_PTR_NULL(strstr(text, "cpu split: "));
	CU_ASSERT_PTR_NULL(strstr(text, "block i/o wait: "));
	CU_ASSERT_PTR_NULL(strstr(text, "sys)"));
	free(text);
	st_dump_free(d);
}

/* A cgroup name may hold any byte but '/' and NUL: escaped everywhere,
 * and cut to the line. */
static void test_hostile_places(void)
{
	struct st_dump *d = placed_dump();
	struct st_dump_proc *ff = &d->samples[1].top_cpu[0];
	char *text;

	snprintf(ff->unit, sizeof(ff->unit), "\x1b]0;pwned\x07\n.service");
	free(ff->cgroup);
	ff->cgroup = malloc(1001);
	CU_ASSERT_FATAL(ff->cgroup != NULL);
	memset(ff->cgroup, 'a', 1000);
	ff->cgroup[0] = '/';
	ff->cgroup[1] = '\x1b';
	ff->cgroup[1000] = '\0';
	snprintf(ff->threads[0].comm, sizeof(ff->threads[0].comm), "\x1b[2J");
	ff->io_read_bytes = -1;
	text = render(d, NULL);
	for (const char *p = text; *p; p++)
		CU_ASSERT_FATAL(*p == '\n' || (unsigned char)*p >= 0x20);
	expect_line(text, "process: [12345] firefox  \\x1b]0;pwned\\x07\\n.service");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\ncgroup: /\\x1baaaa"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  [12399] \\x1b[2J "));
	expect_line(text, "io: unknown read, 512 KiB written from storage since start");
	expect_narrow(text);
	free(text);
	st_dump_free(d);
}

/* Odd models built in memory (the reader refuses these in files): no
 * crash, nothing invented. */
static void test_odd_indices(void)
{
	struct st_dump *d = series_dump();
	struct st_render_opts opts = { .sample_index = -1 };
	char *text;

	d->triggers[0].sample_index = -1;
	d->trigger_index = -1;
	/* Finite, not negative, so a file may hold it: drawn full height. */
	d->samples[0].cpu_total_pct = 1e300;
	text = render(d, &opts);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\ncpu         \u2588\u2583\u2585\u2587\u2588  25.0% .. 1"));
	CU_ASSERT_PTR_NULL(strstr(text, "\ntrigger "));
	CU_ASSERT_PTR_NULL(strstr(text, "<- "));
	expect_line(text, "=== top processes by cpu ===   (sample 4 at +1.0 s)");
	free(text);
	st_dump_free(d);
}

static void test_cell_and_formats(void)
{
	char *buf = NULL, value[64], when[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct st_trigger t = { .value = 7340032.0 };

	CU_ASSERT_FATAL(f != NULL);
	st_render_cell(f, "abc", 5, 0);
	fputc('|', f);
	st_render_cell(f, "abcdef", 5, 0);
	fputc('|', f);
	st_render_cell(f, "abcdef", 5, 1);
	fputc('|', f);
	st_render_cell(f, "\x1b[2J", 5, 0);
	fputc('|', f);
	st_render_cell(f, "caf\xc3\xa9", 5, 1);
	fputc('|', f);
	st_render_cell(f, NULL, 2, 0);
	fputc('|', f);
	CU_ASSERT_FATAL(fclose(f) == 0);
	CU_ASSERT_STRING_EQUAL(buf, "abc  |abcd\xe2\x80\xa6|abcd~|\\x1b\xe2\x80\xa6|caf~ |  |");
	free(buf);

	strcpy(t.units, "kib");
	CU_ASSERT_STRING_EQUAL(st_format_trigger_value(value, sizeof(value), &t, 0), "7.0 GiB");
	strcpy(t.units, "pct");
	t.value = 85.25;
	CU_ASSERT_STRING_EQUAL(st_format_trigger_value(value, sizeof(value), &t, 0), "85.2%");
	strcpy(t.units, "forks/s");
	t.value = 250;
	CU_ASSERT_STRING_EQUAL(st_format_trigger_value(value, sizeof(value), &t, 0), "250 forks/s");
	strcpy(t.units, "\x1b[2J");
	CU_ASSERT_STRING_EQUAL(st_format_trigger_value(value, sizeof(value), &t, 1), "250 \\x1b[2J");
	CU_ASSERT_STRING_EQUAL(st_format_wall_time(when, sizeof(when), WALL_NS + 123456789),
			       "2026-11-21 23:29:00.123 UTC");
	CU_ASSERT_STRING_EQUAL(st_format_wall_time(when, sizeof(when), -1),
			       "1969-12-31 23:59:59.999 UTC");
}

static void test_locale_is_utf8(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	char *saved[3];

	for (int i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		saved[i] = v ? strdup(v) : NULL;
		unsetenv(vars[i]);
	}
	CU_ASSERT_EQUAL(st_render_locale_is_utf8(), 0);
	setenv("LANG", "en_US.UTF-8", 1);
	CU_ASSERT_EQUAL(st_render_locale_is_utf8(), 1);
	setenv("LC_CTYPE", "", 1);              /* empty: not set */
	CU_ASSERT_EQUAL(st_render_locale_is_utf8(), 1);
	setenv("LC_CTYPE", "de_DE.ISO-8859-1", 1);
	CU_ASSERT_EQUAL(st_render_locale_is_utf8(), 0);
	setenv("LC_ALL", "C.utf8", 1);
	CU_ASSERT_EQUAL(st_render_locale_is_utf8(), 1);
	setenv("LC_ALL", "C", 1);
	CU_ASSERT_EQUAL(st_render_locale_is_utf8(), 0);
	for (int i = 0; i < 3; i++) {
		if (saved[i])
			setenv(vars[i], saved[i], 1);
		else
			unsetenv(vars[i]);
		free(saved[i]);
	}
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
	expect_escaped("a\xe2\x80\xae" "b", "a\\xe2\\x80\\xaeb");    /* RLO */
	expect_escaped("\xe2\x81\xa6\xe2\x80\xa8", "\\xe2\\x81\\xa6\\xe2\\x80\\xa8"); /* LRI, LS */
	expect_escaped("\xd8\x9c", "\\xd8\\x9c");                  /* ALM */
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
	CU_ASSERT_STRING_EQUAL(st_escape_ascii("caf\xc3\xa9\x1b~", out, sizeof(out)), "caf\\xc3");
	{
		char big[64];
		CU_ASSERT_STRING_EQUAL(st_escape_ascii("caf\xc3\xa9\x1b~\xff", big, sizeof(big)),
				       "caf\\xc3\\xa9\\x1b~\\xff");
	}
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
			st_escape_ascii(in, out, sizeof(out));
			for (const unsigned char *p = (const unsigned char *)out; *p; p++)
				CU_ASSERT_FATAL(*p >= 0x20 && *p < 0x7f);
		}
	}
}

/* Processes that lived between two samples: a trigger naming a group,
 * and the group table under the top list. */
static void test_exited_groups(void)
{
	struct st_dump *d = example_dump();
	struct st_dump_sample *s = &d->samples[1];
	d->exit_mode = ST_EXITS_PROC_CONNECTOR;
	s->nexited = 2;
	s->exited = calloc(2, sizeof(*s->exited));
	CU_ASSERT_FATAL(s->exited != NULL);
	snprintf(s->exited[0].comm, sizeof(s->exited[0].comm), "spkorphan");
	snprintf(s->exited[0].parent_comm, sizeof(s->exited[0].parent_comm), "sh\x1b[2J");
	s->exited[0].parent_pid = 812;
	s->exited[0].reaper_pid = 1;
	s->exited[0].count = 240;
	s->exited[0].cpu_pct = 90.0f;
	s->exited[0].cpu_unknown = 3;
	s->exited[0].flags = ST_EXITED_ESTIMATE;
	snprintf(s->exited[1].comm, sizeof(s->exited[1].comm), "(other)");
	s->exited[1].count = 7;
	s->exited[1].cpu_pct = 0.5f;
	s->exited[1].flags = ST_EXITED_REST;
	s->exits_lost = 2;
	st_test_set_trigger(&d->triggers[0], "new_proc", 0, "spkorphan", 90.0, 0, 5.0, "pct", 1);
	d->triggers[0].trigger.exited_count = 240;
	char *text = render(d, NULL);
	expect_line(text, "processes: spkorphan x240, exited between two samples");
	expect_line(text, "forked by: sh\\x1b[2J [812]");
	expect_line(text, "reaped by: [1]");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "=== exited since the sample before ===   (seen by proc_connector)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "   240 x spkorphan"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "cpu  90.0%"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "[est] (3 unread)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "     7 x (other)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "dropped events 2 times"));
	CU_ASSERT_PTR_NULL(strstr(text, "\x1b[2J"));
	free(text);
	/* Without groups, nothing of it. */
	s->nexited = 0;
	s->exits_lost = 0;
	text = render(d, NULL);
	CU_ASSERT_PTR_NULL(strstr(text, "exited since"));
	free(text);
	st_dump_free(d);
}

/* sections: only the parts asked for, each as it is in the whole. */
static void test_sections(void)
{
	struct st_dump *d = example_dump();
	struct st_render_opts opts = { .name = "x.json", .sample_index = -1 };
	char *all = render(d, &opts), *text;

	opts.sections = ST_RENDER_RSS;
	text = render(d, &opts);
	CU_ASSERT_PTR_NOT_NULL(strstr(all, text));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "=== top processes by rss ==="));
	CU_ASSERT_PTR_NULL(strstr(text, "by cpu"));
	CU_ASSERT_PTR_NULL(strstr(text, "spike trigger"));
	CU_ASSERT_PTR_NULL(strstr(text, "timeline"));
	CU_ASSERT_PTR_NULL(strstr(text, "x.json"));
	free(text);

	opts.sections = ST_RENDER_HEADER | ST_RENDER_TRIGGERS;
	text = render(d, &opts);
	CU_ASSERT_EQUAL(strncmp(all, text, strlen(text)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "=== spike trigger ==="));
	CU_ASSERT_PTR_NULL(strstr(text, "=== top processes"));
	CU_ASSERT_PTR_NULL(strstr(text, "(no samples recorded)"));
	free(text);

	opts.sections = ST_RENDER_TIMELINE;
	text = render(d, &opts);
	CU_ASSERT_EQUAL(strcmp(all + strlen(all) - strlen(text), text), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "=== timeline ==="));
	CU_ASSERT_PTR_NULL(strstr(text, "=== top processes"));
	free(text);
	free(all);
	st_dump_free(d);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "layout of the reference viewer", test_reference_layout },
		{ "exited groups: the trigger and the table", test_exited_groups },
		{ "several triggers, units pct/kib/other", test_several_triggers_and_units },
		{ "size triggers say what fell or grew", test_size_triggers_say_which_way },
		{ "carried and first-seen records marked", test_measured_marks },
		{ "per-core figures labelled by CPU id", test_cores_by_id },
		{ "uids and a cut command line", test_uids_and_cut_cmdline },
		{ "top and sample_index options", test_top_and_sample_options },
		{ "empty dump", test_empty_dump },
		{ "hostile names never reach the terminal raw", test_hostile_names },
		{ "long command line cut", test_long_cmdline_cut },
		{ "timeline rows and sparklines", test_timeline },
		{ "timeline: the fast ring's rows", test_timeline_fast_rows },
		{ "timeline of a system-wide trigger", test_timeline_system_wide },
		{ "units and containers beside the process", test_units_and_containers },
		{ "cpu split, block i/o wait, threads", test_cpu_split_and_wait },
		{ "an older dump: no place, no column", test_no_place_no_column },
		{ "hostile unit and cgroup names", test_hostile_places },
		{ "sparklines of long windows are bucketed", test_sparkline_buckets },
		{ "evidence in the timeline, why in the trigger", test_evidence_in_timeline_and_why },
		{ "timeline and why-lines within 80 columns", test_within_80_columns },
		{ "all_samples: tables of every sample", test_all_samples },
		{ "sections: only the parts asked for", test_sections },
		{ "mixed rates: columns per tick, the mix said", test_mixed_rates },
		{ "mixed rates in an older dump: spans from the clock", test_mixed_rates_older_dump },
		{ "mixed rates: bucketed by ticks", test_mixed_rates_bucketed },
		{ "colour on and off", test_colour },
		{ "hostile names with colour on", test_hostile_names_in_colour },
		{ "tables stay aligned", test_table_alignment },
		{ "trigger outside the window", test_odd_indices },
		{ "cells, values, times", test_cell_and_formats },
		{ "UTF-8 locale from the environment", test_locale_is_utf8 },
		{ "escape_terminal", test_escape_terminal },
		{ "escape_terminal over every byte pair", test_escape_every_byte },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("render_text", tests);
}
