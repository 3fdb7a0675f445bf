/* The HTML page of dumps (core/render/render_html.c): what it shows, and that no
 * name or command line reaches it as markup or script. */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump_build.h"
#include "render/render_html.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Names as an attacker would pick them. */
#define EVIL_COMM "<script>x</script>"
#define EVIL_CMDLINE "\"><img src=x onerror=alert(1)> \xe2\x80\xae" "gpj.exe \xff\xfe end"

/* Three samples a second apart, the culprit 4242 busy in the last two,
 * named by an attacker; the trigger at sample 1. */
static struct st_dump *hostile_dump(void)
{
	struct st_dump *d = st_dump_new();
	CU_ASSERT_FATAL(d != NULL);
	snprintf(d->id, sizeof(d->id), "spike_test_cpu_delta_4242");
	d->wall_ns = 1795303740000000000LL;
	d->mono_ns = 5000000000LL;
	d->interval_s = 1.0;
	snprintf(d->host.hostname, sizeof(d->host.hostname), "host<b>");
	snprintf(d->host.kernel, sizeof(d->host.kernel), "6.1.0");
	d->host.ncores = 2;
	d->host.mem_total_kib = 8u << 20;
	d->nsamples = 3;
	d->samples = calloc(3, sizeof(*d->samples));
	CU_ASSERT_FATAL(d->samples != NULL);
	for (uint32_t i = 0; i < 3; i++) {
		struct st_dump_sample *s = &d->samples[i];
		s->offset_ns = ((int64_t)i - 1) * 1000000000LL;
		s->mono_ns = d->mono_ns + s->offset_ns;
		s->seq = 99 + i;
		s->interval_s = 1.0;
		s->cpu_user_pct = i ? 45.0 : 2.0;
		s->cpu_system_pct = 3.0;
		s->cpu_total_pct = s->cpu_user_pct + s->cpu_system_pct;
		s->mem_total_kib = 8u << 20;
		s->mem_available_kib = (6u << 20) - i * 1024;
		s->ncores = 2;
		s->core_busy_pct = calloc(2, sizeof(double));
		CU_ASSERT_FATAL(s->core_busy_pct != NULL);
		s->core_busy_pct[0] = i ? 90.0 : 4.0;
		s->core_busy_pct[1] = 6.0;
		s->ntop_cpu = 1;
		s->top_cpu = st_test_procs(1);
		st_test_set_proc(&s->top_cpu[0], 4242, EVIL_COMM, i ? 90.0 : 1.0, 0, 20480,
				 EVIL_CMDLINE);
		s->ntop_rss = 1;
		s->top_rss = st_test_procs(1);
		st_test_set_proc(&s->top_rss[0], 4242, EVIL_COMM, i ? 90.0 : 1.0, 0, 20480,
				 EVIL_CMDLINE);
	}
	d->ntriggers = 1;
	d->triggers = calloc(1, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	st_test_set_trigger(&d->triggers[0], "cpu_delta", 4242, EVIL_COMM, 90.0, 1.0, 10.0,
			    "pct", 1);
	snprintf(d->triggers[0].trigger.summary, ST_TRIGGER_SUMMARY_MAX, "%s",
		 "<b>bold</b> & \"quoted\"");
	d->trigger_index = 1;
	return d;
}

static char *page_of(const struct st_dump *const *dumps, const char *const *names, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(st_render_html(f, dumps, names, n), 0);
	CU_ASSERT_FATAL(fclose(f) == 0);
	CU_ASSERT_EQUAL(strlen(text), len);
	return text;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Every byte sequence is valid UTF-8 (what the escaping keeps). */
static bool valid_utf8(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 0 : (*s & 0xe0) == 0xc0 ? 1 : (*s & 0xf0) == 0xe0 ? 2 :
			(*s & 0xf8) == 0xf0 ? 3 : -1;
		if (n < 0)
			return false;
		for (int k = 1; k <= n; k++)
			if ((s[k] & 0xc0) != 0x80)
				return false;
		s += n + 1;
	}
	return true;
}

/* The attacker's names are text: no tag, no attribute, no script of
 * theirs, no byte that turns the text around; they are still there to
 * read, escaped. */
static void test_hostile_names_are_text(void)
{
	struct st_dump *d = hostile_dump();
	const struct st_dump *dumps[] = { d };
	const char *names[] = { "spike_<i>.json" };
	char *page = page_of(dumps, names, 1);

	CU_ASSERT_EQUAL(count(page, "<script"), 1);        /* ours, at the end */
	CU_ASSERT_PTR_NULL(strstr(page, "<img"));
	CU_ASSERT_PTR_NULL(strstr(page, "<b>bold"));
	CU_ASSERT_PTR_NULL(strstr(page, "host<b>"));
	CU_ASSERT_PTR_NULL(strstr(page, "<i>"));
	CU_ASSERT_PTR_NULL(strstr(page, "\"><img"));
	CU_ASSERT_PTR_NULL(strstr(page, "onerror=alert(1)>"));
	CU_ASSERT_PTR_NULL(strstr(page, "\xe2\x80\xae"));   /* U+202E */
	CU_ASSERT(valid_utf8((const unsigned char *)page));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "&lt;script&gt;x&lt;/script&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "\\xe2\\x80\\xae"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "\\xff\\xfe"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "host&lt;b&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "spike_&lt;i&gt;.json"));
	/* The script holds no name: what it shows it reads from the page. */
	const char *script = strstr(page, "<script>");
	CU_ASSERT_FATAL(script != NULL);
	CU_ASSERT_PTR_NULL(strstr(script, "4242"));
	CU_ASSERT_PTR_NULL(strstr(script, "gpj"));
	free(page);
	st_dump_free(d);
}

/* What a reader comes for: the card (trigger, culprit, its command line,
 * the host), the charts with the trigger marked and a value per sample
 * on hover, and the tables of every sample with the trigger's shown. */
static void test_card_charts_tables(void)
{
	struct st_dump *d = hostile_dump();
	const struct st_dump *dumps[] = { d };
	char *page = page_of(dumps, NULL, 1);

	CU_ASSERT_PTR_NOT_NULL(strstr(page, "<!DOCTYPE html>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "<b>cpu_delta</b> [4242] &lt;script&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, ": 90.0% <span class=\"k\">threshold 10.0%</span>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "2026-11-21 23:29:00.000 UTC"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "CPU, % of the machine"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "per core busy"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "the blamed process [4242]: CPU"));
	/* One trigger line per chart; the CPU chart's hover at the trigger. */
	CU_ASSERT(count(page, "class=\"trig\"") >= 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "<title>+0.00 s: user 45.0%, system 3.0%, "
					    "iowait 0.0%, steal 0.0%</title>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "<title>cpu0 +0.00 s: 90%</title>"));
	/* Pressure was not measured: no chart of zeros for it. */
	CU_ASSERT_PTR_NULL(strstr(page, "pressure (some)"));
	/* A table set per sample, the trigger's (1) not hidden. */
	CU_ASSERT_EQUAL(count(page, "<div class=\"tables\""), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "data-i=\"1\" data-label=\"sample 1 at +0.00 s "
					    "(the trigger)\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "data-i=\"0\" data-label=\"sample 0 at -1.00 s\" hidden>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "value=\"1\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "<td class=\"n\" data-v=\"90.000\">90.0%</td>"));
	free(page);
	st_dump_free(d);
}

/* Several dumps are several sections of one page; none is no dump. */
static void test_several_dumps(void)
{
	struct st_dump *a = hostile_dump(), *b = hostile_dump();
	const struct st_dump *dumps[] = { a, b };
	char *page = page_of(dumps, NULL, 2);
	CU_ASSERT_EQUAL(count(page, "<section class=\"dump\">"), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "<title>spiketrace: 2 dumps</title>"));
	free(page);
	page = page_of(dumps, NULL, 0);
	CU_ASSERT_EQUAL(count(page, "<section"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "</html>"));
	free(page);
	st_dump_free(a);
	st_dump_free(b);
}

/* A long command line is cut in the tables, whole in the card. */
static void test_long_cmdline_cut_in_tables(void)
{
	struct st_dump *d = hostile_dump();
	char longline[1001];
	memset(longline, 'a', 1000);
	longline[1000] = '\0';
	for (uint32_t i = 0; i < d->nsamples; i++) {
		free(d->samples[i].top_cpu[0].cmdline);
		d->samples[i].top_cpu[0].cmdline = strdup(longline);
	}
	const struct st_dump *dumps[] = { d };
	char *page = page_of(dumps, NULL, 1);
	CU_ASSERT_EQUAL(count(page, longline), 1);          /* the card's */
	/* In each sample's cpu table: 160 of them, then the mark. */
	char cut[200];
	snprintf(cut, sizeof(cut), ">%.160s\xe2\x80\xa6<", longline);
	CU_ASSERT_EQUAL(count(page, cut), 3);
	free(page);
	st_dump_free(d);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "hostile names are text", test_hostile_names_are_text },
		{ "card, charts and tables", test_card_charts_tables },
		{ "several dumps, or none", test_several_dumps },
		{ "a long command line is cut in the tables", test_long_cmdline_cut_in_tables },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("render_html", tests);
}
