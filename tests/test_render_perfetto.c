/* The Chrome Trace Event Format of dumps (core/render/render_perfetto.c), read
 * back with cJSON and checked against the format's rules. */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump/dump_json.h"
#include "text/utf8.h"
#include "render/render_perfetto.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_NS 1000000000LL
#define SYS ST_PERFETTO_SYSTEM_PID
#define HOSTILE "<script>\"\\\xe2\x80\xae\xff\xfe"

static void proc(struct st_dump_proc *p, int32_t pid, const char *comm, double cpu,
		 uint64_t rss_kib, const char *cmdline)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->cpu_pct = cpu;
	p->rss_kib = rss_kib;
	p->cmdline = cmdline ? strdup(cmdline) : NULL;
}

/* Two samples at 10 s and 11 s of the monotonic clock, firefox (12345,
 * nginx.service) blamed at the second; Xorg carried; pressure, the memory
 * breakdown, two fast readings and an exited group. */
static struct st_dump *known_dump(const char *boot_id, int64_t mono0)
{
	struct st_dump *d = st_dump_new();
	struct st_dump_sample *s;
	struct st_trigger *t;

	CU_ASSERT_FATAL(d != NULL);
	snprintf(d->id, sizeof(d->id), "spike_%s_%lld", boot_id, (long long)mono0);
	snprintf(d->host.hostname, sizeof(d->host.hostname), "myhost");
	snprintf(d->host.boot_id, sizeof(d->host.boot_id), "%s", boot_id);
	d->mono_ns = mono0 + S_NS;
	d->nsamples = 2;
	d->samples = s = calloc(2, sizeof(*s));
	CU_ASSERT_FATAL(s != NULL);
	for (int i = 0; i < 2; i++) {
		s[i].mono_ns = mono0 + i * S_NS;
		s[i].cpu_user_pct = i ? 40.0 : 5.0;
		s[i].cpu_system_pct = 2.5;
		s[i].mem_available_kib = 2048 * 1024;
		s[i].swap_total_kib = 4096;
		s[i].swap_free_kib = 1024;
		s[i].have = ST_HAVE_PSI_CPU | ST_HAVE_MEM_DETAIL;
		s[i].psi_cpu.some_avg10_pct = 12.5;
		s[i].anon_kib = 1024;
	}
	s[1].ntop_cpu = 2;
	s[1].top_cpu = calloc(2, sizeof(struct st_dump_proc));
	s[1].ntop_rss = 1;
	s[1].top_rss = calloc(1, sizeof(struct st_dump_proc));
	s[1].nexited = 1;
	s[1].exited = calloc(1, sizeof(struct st_exited_group));
	CU_ASSERT_FATAL(s[1].top_cpu && s[1].top_rss && s[1].exited);
	proc(&s[1].top_cpu[0], 12345, "firefox", 85.25, 512 * 1024, "firefox -P default");
	snprintf(s[1].top_cpu[0].unit, ST_DUMP_NAME_MAX, "nginx.service");
	proc(&s[1].top_cpu[1], 1001, "Xorg", 0.0, 1024, NULL);
	s[1].top_cpu[1].flags = ST_PROC_CARRIED;
	proc(&s[1].top_rss[0], 12345, "firefox", 85.25, 512 * 1024, NULL);
	snprintf(s[1].exited[0].comm, ST_COMM_MAX, "cc1");
	s[1].exited[0].count = 400;
	s[1].exited[0].cpu_pct = 150.0;

	d->nfast = 2;
	d->fast = calloc(2, sizeof(*d->fast));
	CU_ASSERT_FATAL(d->fast != NULL);
	for (int i = 0; i < 2; i++) {
		d->fast[i].mono_ns = mono0 + (i + 1) * S_NS / 10;
		d->fast[i].interval_s = 0.1;
		d->fast[i].cpu_user_pct = 70.0;
		d->fast[i].psi_cpu_some_us = 50000;
		d->fast[i].have = ST_DUMP_FAST_CPU | ST_DUMP_FAST_PSI_CPU;
	}

	d->ntriggers = 1;
	d->triggers = calloc(1, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	d->triggers[0].sample_index = 1;
	t = &d->triggers[0].trigger;
	snprintf(t->type, sizeof(t->type), "cpu_delta");
	t->pid = 12345;
	snprintf(t->comm, sizeof(t->comm), "firefox");
	t->value = 85.25;
	t->threshold = 10.0;
	snprintf(t->units, sizeof(t->units), "pct");
	snprintf(t->summary, sizeof(t->summary), "firefox: 5.0%% -> 85.2%% cpu");
	d->trigger_index = 1;
	return d;
}

static cJSON *render(const struct st_dump *const *dumps, size_t n, char **text_out)
{
	char *text = st_render_perfetto(dumps, n);
	cJSON *root;

	CU_ASSERT_FATAL(text != NULL);
	root = cJSON_Parse(text);
	if (!root)
		fprintf(stderr, "\n  not JSON: %s\n", text);
	CU_ASSERT_FATAL(root != NULL);
	if (text_out)
		*text_out = text;
	else
		free(text);
	return root;
}

/* The format's rules for every event: ph, pid and tid; ts unless it is
 * metadata; a counter's args all numbers; an instant's scope g, p or t. */
static void check_rules(const cJSON *root)
{
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(root, "traceEvents"), *ev;

	CU_ASSERT_FATAL(cJSON_IsArray(events));
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(root, "displayTimeUnit")),
			       "ms");
	cJSON_ArrayForEach(ev, events) {
		const char *ph = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "ph"));
		const cJSON *args = cJSON_GetObjectItem(ev, "args"), *a;

		CU_ASSERT_FATAL(ph != NULL);
		CU_ASSERT(cJSON_IsString(cJSON_GetObjectItem(ev, "name")));
		CU_ASSERT(cJSON_IsNumber(cJSON_GetObjectItem(ev, "pid")));
		CU_ASSERT(cJSON_IsNumber(cJSON_GetObjectItem(ev, "tid")));
		CU_ASSERT(cJSON_IsNumber(cJSON_GetObjectItem(ev, "ts")) || !strcmp(ph, "M"));
		CU_ASSERT(!strcmp(ph, "M") || !strcmp(ph, "C") || !strcmp(ph, "i"));
		CU_ASSERT(cJSON_IsObject(args));
		if (!strcmp(ph, "C")) {
			CU_ASSERT(cJSON_GetArraySize(args) > 0);
			cJSON_ArrayForEach(a, args)
				CU_ASSERT(cJSON_IsNumber(a));
		}
		if (!strcmp(ph, "i")) {
			const char *sc = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "s"));
			CU_ASSERT(sc && strchr("gpt", *sc) && sc[1] == '\0');
		}
	}
}

/* The events of phase ph, name, pid (and ts in µs unless NAN): how many,
 * and the first in *first. */
static int find(const cJSON *root, const char *ph, const char *name, double pid, double ts_us,
		const cJSON **first)
{
	const cJSON *ev;
	int n = 0;

	if (first)
		*first = NULL;
	cJSON_ArrayForEach(ev, cJSON_GetObjectItem(root, "traceEvents")) {
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(ev, "ph")), ph) ||
		    strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(ev, "name")), name) ||
		    cJSON_GetNumberValue(cJSON_GetObjectItem(ev, "pid")) != pid)
			continue;
		if (!isnan(ts_us) && cJSON_GetNumberValue(cJSON_GetObjectItem(ev, "ts")) != ts_us)
			continue;
		if (first && !*first)
			*first = ev;
		n++;
	}
	return n;
}

static double arg_num(const cJSON *ev, const char *key)
{
	const cJSON *a = cJSON_GetObjectItem(cJSON_GetObjectItem(ev, "args"), key);
	CU_ASSERT_FATAL(cJSON_IsNumber(a));
	return cJSON_GetNumberValue(a);
}

static const char *arg_str(const cJSON *ev, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(ev, "args"), key));
	CU_ASSERT_FATAL(s != NULL);
	return s;
}

/* The process_name of a track, NULL when it has none. */
static const char *track_name(const cJSON *root, double pid)
{
	const cJSON *ev;

	return find(root, "M", "process_name", pid, NAN, &ev) == 1 ? arg_str(ev, "name") : NULL;
}

static void test_known_tracks(void)
{
	struct st_dump *d = known_dump("boot-a", 10 * S_NS);
	const struct st_dump *dumps[] = { d };
	cJSON *root = render(dumps, 1, NULL);
	const cJSON *ev;

	check_rules(root);
	CU_ASSERT_STRING_EQUAL(track_name(root, SYS), "myhost system");
	CU_ASSERT_STRING_EQUAL(track_name(root, 12345), "firefox [nginx.service]");
	CU_ASSERT_STRING_EQUAL(track_name(root, 1001), "Xorg");
	CU_ASSERT(find(root, "M", "process_labels", 12345, NAN, &ev) == 1 && ev &&
		  !strcmp(arg_str(ev, "labels"), "firefox -P default"));

	/* The system's counters at each sample, in µs of the monotonic clock. */
	CU_ASSERT_EQUAL(find(root, "C", "cpu (%)", SYS, NAN, NULL), 2);
	CU_ASSERT_EQUAL_FATAL(find(root, "C", "cpu (%)", SYS, 11e6, &ev), 1);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "user"), 40.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "system"), 2.5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "iowait"), 0.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "steal"), 0.0, 1e-9);
	CU_ASSERT_EQUAL_FATAL(find(root, "C", "memory available (MiB)", SYS, 10e6, &ev), 1);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "available"), 2048.0, 1e-9);
	CU_ASSERT_EQUAL_FATAL(find(root, "C", "memory breakdown (MiB)", SYS, 10e6, &ev), 1);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "anon"), 1.0, 1e-9);
	CU_ASSERT_EQUAL_FATAL(find(root, "C", "swap used (MiB)", SYS, 10e6, &ev), 1);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "used"), 3.0, 1e-9);
	CU_ASSERT_EQUAL_FATAL(find(root, "C", "pressure cpu (%)", SYS, 11e6, &ev), 1);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "some"), 12.5, 1e-9);
	/* Not measured, so not drawn as zero. */
	CU_ASSERT_EQUAL(find(root, "C", "pressure io (%)", SYS, NAN, NULL), 0);

	/* The fast ring at its own times. */
	CU_ASSERT_EQUAL_FATAL(find(root, "C", "cpu (fast, %)", SYS, 10.2e6, &ev), 1);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "user"), 70.0, 1e-9);
	CU_ASSERT_EQUAL_FATAL(find(root, "C", "pressure cpu stalled (fast, %)", SYS, 10.1e6, &ev), 1);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "some"), 50.0, 1e-9);
	CU_ASSERT_EQUAL(find(root, "C", "memory available (fast, MiB)", SYS, NAN, NULL), 0);

	/* A process's counters once per sample though it is in both lists;
	 * no cpu counter for a carried record, whose 0 is no reading. */
	CU_ASSERT_EQUAL_FATAL(find(root, "C", "cpu (%)", 12345, 11e6, &ev), 1);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "cpu"), 85.25, 1e-9);
	CU_ASSERT_EQUAL_FATAL(find(root, "C", "rss (MiB)", 12345, 11e6, &ev), 1);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "rss"), 512.0, 1e-9);
	CU_ASSERT_EQUAL(find(root, "C", "cpu (%)", 1001, NAN, NULL), 0);
	CU_ASSERT_EQUAL(find(root, "C", "rss (MiB)", 1001, 11e6, NULL), 1);

	/* The trigger: a global instant at its sample's time. */
	CU_ASSERT_EQUAL_FATAL(find(root, "i", "cpu_delta", SYS, 11e6, &ev), 1);
	CU_ASSERT_STRING_EQUAL(cJSON_GetStringValue(cJSON_GetObjectItem(ev, "s")), "g");
	CU_ASSERT_STRING_EQUAL(arg_str(ev, "summary"), "firefox: 5.0% -> 85.2% cpu");
	CU_ASSERT_STRING_EQUAL(arg_str(ev, "comm"), "firefox");
	CU_ASSERT_STRING_EQUAL(arg_str(ev, "units"), "pct");
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "value"), 85.25, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "threshold"), 10.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "pid"), 12345, 1e-9);

	/* The exited group: an instant on the system track. */
	CU_ASSERT_EQUAL_FATAL(find(root, "i", "exited cc1", SYS, 11e6, &ev), 1);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "count"), 400, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(arg_num(ev, "cpu_pct"), 150.0, 1e-9);

	cJSON_Delete(root);
	st_dump_free(d);
}

static void test_several_dumps(void)
{
	struct st_dump *a = known_dump("boot-a", 10 * S_NS), *b = known_dump("boot-a", 50 * S_NS);
	struct st_dump *c = known_dump("boot-b", 10 * S_NS);
	const struct st_dump *same[] = { a, b }, *boots[] = { a, c };
	const double other = ST_PERFETTO_BOOT_STRIDE;
	cJSON *root = render(same, 2, NULL);

	/* One boot: one clock, one set of tracks named once. */
	check_rules(root);
	CU_ASSERT_STRING_EQUAL(track_name(root, SYS), "myhost system");
	CU_ASSERT_STRING_EQUAL(track_name(root, 12345), "firefox [nginx.service]");
	CU_ASSERT_EQUAL(find(root, "i", "cpu_delta", SYS, 11e6, NULL), 1);
	CU_ASSERT_EQUAL(find(root, "i", "cpu_delta", SYS, 51e6, NULL), 1);
	CU_ASSERT_EQUAL(find(root, "C", "cpu (%)", 12345, NAN, NULL), 2);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "otherData"),
							       "dumps")), 2);
	cJSON_Delete(root);

	/* Two boots: the same times and pids on tracks of their own. */
	root = render(boots, 2, NULL);
	check_rules(root);
	CU_ASSERT_STRING_EQUAL(track_name(root, SYS), "myhost system (boot boot-a)");
	CU_ASSERT_STRING_EQUAL(track_name(root, other + SYS), "myhost system (boot boot-b)");
	CU_ASSERT_STRING_EQUAL(track_name(root, other + 12345),
			       "firefox [nginx.service] (boot boot-b)");
	CU_ASSERT_EQUAL(find(root, "i", "cpu_delta", SYS, 11e6, NULL), 1);
	CU_ASSERT_EQUAL(find(root, "i", "cpu_delta", other + SYS, 11e6, NULL), 1);
	CU_ASSERT_EQUAL(find(root, "C", "cpu (%)", 12345, NAN, NULL), 1);
	CU_ASSERT_EQUAL(find(root, "C", "cpu (%)", other + 12345, NAN, NULL), 1);
	cJSON_Delete(root);

	/* No dump at all is an empty trace, not an error. */
	root = render(NULL, 0, NULL);
	check_rules(root);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(root, "traceEvents")), 0);
	cJSON_Delete(root);
	st_dump_free(a);
	st_dump_free(b);
	st_dump_free(c);
}

static void test_hostile_names(void)
{
	struct st_dump *d = known_dump("boot-a", 10 * S_NS);
	const struct st_dump *dumps[] = { d };
	struct st_dump_sample *s = &d->samples[1];
	char *text, *clean;
	size_t len;
	cJSON *root;
	const cJSON *ev;

	snprintf(s->top_cpu[0].comm, ST_COMM_MAX, "%s", HOSTILE);
	free(s->top_cpu[0].cmdline);
	s->top_cpu[0].cmdline = strdup("sh -c '" HOSTILE "\n\033[2J'");
	snprintf(d->triggers[0].trigger.summary, ST_TRIGGER_SUMMARY_MAX, "%s", HOSTILE);
	snprintf(d->host.hostname, sizeof(d->host.hostname), "%s", HOSTILE);
	root = render(dumps, 1, &text);
	check_rules(root);

	/* Valid UTF-8 throughout (sanitizing changes nothing), no control
	 * byte, the override not there to reorder what follows. */
	len = strlen(text);
	clean = malloc(3 * len + 1);
	CU_ASSERT_FATAL(clean != NULL);
	CU_ASSERT_STRING_EQUAL(st_utf8_sanitize(text, clean, 3 * len + 1), text);
	free(clean);
	for (size_t i = 0; i < len; i++)
		CU_ASSERT((unsigned char)text[i] >= 0x20 && text[i] != 0x7f);
	CU_ASSERT_PTR_NULL(strstr(text, "\xe2\x80\xae"));

	/* And shown as text, escaped as the text output escapes it. */
	CU_ASSERT_STRING_EQUAL(track_name(root, 12345),
			       "<script>\"\\\\\\xe2\\x80\\xae\\xff\\xfe [nginx.service]");
	CU_ASSERT(find(root, "M", "process_labels", 12345, NAN, &ev) == 1 && ev &&
		  !strcmp(arg_str(ev, "labels"),
			  "sh -c '<script>\"\\\\\\xe2\\x80\\xae\\xff\\xfe\\n\\x1b[2J'"));
	CU_ASSERT_STRING_EQUAL(track_name(root, SYS),
			       "<script>\"\\\\\\xe2\\x80\\xae\\xff\\xfe system");
	CU_ASSERT_EQUAL_FATAL(find(root, "i", "cpu_delta", SYS, 11e6, &ev), 1);
	CU_ASSERT_STRING_EQUAL(arg_str(ev, "summary"), "<script>\"\\\\\\xe2\\x80\\xae\\xff\\xfe");
	cJSON_Delete(root);
	free(text);
	st_dump_free(d);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "a known dump gives known tracks", test_known_tracks },
		{ "several dumps, one boot or two", test_several_dumps },
		{ "hostile names stay valid JSON and show as text", test_hostile_names },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("render_perfetto", tests);
}
