/* The prometheus sink (plugins/sinks/prometheus.c), loaded from the build
 * tree as the daemon loads it, writing into a directory of the test's. */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump_build.h"
#include "plugin_under_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct st_plugin_set set;
static struct st_host host;

static uint64_t seven_dropped(const struct st_host *h)
{
	(void)h;
	return 7;
}
static char *dir;

static struct st_dump *dump_of(const char *type, int32_t pid, const char *comm)
{
	struct st_dump *d = st_dump_new();
	CU_ASSERT_FATAL(d != NULL);
	d->wall_ns = 1795303740000000000LL;
	d->ntriggers = 1;
	d->triggers = calloc(1, sizeof(*d->triggers));
	d->nsamples = 1;
	d->samples = calloc(1, sizeof(*d->samples));
	CU_ASSERT_FATAL(d->triggers && d->samples);
	d->samples[0].seq = 1234;
	st_test_set_trigger(&d->triggers[0], type, pid, comm, 90, 1, 40, "pct", 0);
	return d;
}

static void *create(const struct st_plugin *p, const char *where, int top, double min_s)
{
	union st_value opts[] = { { .s = where }, { .i = top }, { .f = min_s }, { .s = NULL } };
	void *state = NULL;
	CU_ASSERT_EQUAL_FATAL(p->create(&host, opts, &state), 0);
	return state;
}

static void emit(const struct st_plugin *p, void *state, const char *type, int32_t pid,
		 const char *comm, int want)
{
	struct st_dump *d = dump_of(type, pid, comm);
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), want);
	st_dump_free(d);
}

static char *file(void)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/spiketrace.prom", dir);
	return st_test_slurp(path);
}

/* The counters by type and by process, the newest time, the samples and
 * the build; a hostile name escaped; the top names, the rest "other". */
static void test_metrics(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "prometheus.so");
	void *state = create(p, dir, 2, 0);
	emit(p, state, "cpu_delta", 10, "make", 0);
	emit(p, state, "cpu_delta", 11, "make", 0);
	emit(p, state, "cpu_delta", 12, "cc1", 0);
	emit(p, state, "cpu_delta", 13, "ld\"\\\n\xff", 0);
	emit(p, state, "mem_drop", 0, "", 0);
	char *text = file();
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "spiketrace_incidents_total{type=\"cpu_delta\"} 4\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "spiketrace_incidents_total{type=\"mem_drop\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "spiketrace_incidents_by_process_total{type="
					    "\"cpu_delta\",comm=\"make\"} 2\n"));
	/* top 2: make and then cc1 or the hostile one by name; one is other */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "spiketrace_incidents_by_process_total{type="
					    "\"cpu_delta\",comm=\"other\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "comm=\"(system-wide)\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "spiketrace_last_incident_timestamp_seconds{type="
					    "\"cpu_delta\"} 1795303740.000\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "spiketrace_samples_total 1234\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "spiketrace_build_info{version=\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "# TYPE spiketrace_daemon_cpu_seconds_total counter\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "spiketrace_dumps_dropped_total 7\n"));
	for (const unsigned char *c = (const unsigned char *)text; *c; c++)
		CU_ASSERT(*c == '\n' || (*c >= 0x20 && *c <= 0x7e));
	free(text);
	p->destroy(state);
	/* The hostile name, when it is among the top: escaped twice over.
	 * And a core that does not count dropped dumps: no figure. */
	host.dumps_dropped = NULL;
	state = create(p, dir, 10, 0);
	emit(p, state, "cpu_delta", 13, "ld\"\\\n\xff", 0);
	text = file();
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "comm=\"ld\\\"\\\\\\\\\\\\n\\\\xff\"} 1\n"));
	CU_ASSERT_PTR_NULL(strstr(text, "spiketrace_dumps_dropped_total"));
	free(text);
	host.dumps_dropped = seven_dropped;
	p->destroy(state);
	st_test_plugin_unload(&set);
}

/* The longest name of bytes that are not ASCII: every one a whole
 * "\\xff" in the label (five bytes under the format's quoting), none cut
 * in half by the label's size. */
static void test_longest_hostile_name(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "prometheus.so");
	void *state = create(p, dir, 10, 0);
	char comm[ST_COMM_MAX], want[5 * ST_COMM_MAX + 32];
	memset(comm, '\xff', sizeof(comm) - 1);
	comm[sizeof(comm) - 1] = '\0';
	size_t n = (size_t)snprintf(want, sizeof(want), "comm=\"");
	for (size_t i = 0; i + 1 < sizeof(comm); i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "\\\\xff");
	snprintf(want + n, sizeof(want) - n, "\"} 1\n");
	emit(p, state, "cpu_delta", 13, comm, 0);
	char *text = file();
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
	free(text);
	p->destroy(state);
	st_test_plugin_unload(&set);
}

/* Within min_interval the write waits for the next dump, or the exit. */
static void test_min_interval(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "prometheus.so");
	void *state = create(p, dir, 10, 3600);
	emit(p, state, "new_proc", 5, "a", 0);
	emit(p, state, "new_proc", 6, "b", 0);
	char *text = file();
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "spiketrace_incidents_total{type=\"new_proc\"} 1\n"));
	free(text);
	p->destroy(state);              /* the pending write */
	text = file();
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "spiketrace_incidents_total{type=\"new_proc\"} 2\n"));
	free(text);
	st_test_plugin_unload(&set);
}

/* A directory that is gone: said once, no file, no temporary left; back,
 * the file is written and that is said. Its hostile name reads in the log
 * escaped once. */
static void test_missing_dir(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "prometheus.so");
	char gone[4200];
	snprintf(gone, sizeof(gone), "%s/go\\ne\n\033[2J\xff", dir);
	void *state = create(p, gone, 10, 0);
	st_test_log_reset();
	emit(p, state, "cpu_delta", 1, "x", -1);
	emit(p, state, "cpu_delta", 1, "x", -1);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log,
				      "go\\\\ne\\n\\x1b[2J\\xff/spiketrace.prom: "));
	CU_ASSERT_EQUAL_FATAL(mkdir(gone, 0755), 0);
	emit(p, state, "cpu_delta", 1, "x", 0);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_NOTICE], 1);
	char path[4300];
	snprintf(path, sizeof(path), "%s/spiketrace.prom", gone);
	char *text = st_test_slurp(path);
	CU_ASSERT_PTR_NOT_NULL(text && strstr(text, "{type=\"cpu_delta\"} 3\n"));
	free(text);
	snprintf(path, sizeof(path), "%s/.spiketrace.prom.tmp", gone);
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	p->destroy(state);
	st_test_plugin_unload(&set);
}

int main(void)
{
	dir = st_test_mkdtemp();
	host = st_test_sink_host("prometheus");
	host.dumps_dropped = seven_dropped;
	CU_TestInfo tests[] = {
		{ "the metrics, names escaped, the rest other", test_metrics },
		{ "the longest hostile name, escaped whole", test_longest_hostile_name },
		{ "min_interval: the write waits", test_min_interval },
		{ "a missing directory said once", test_missing_dir },
		CU_TEST_INFO_NULL,
	};
	int rc = st_test_run("prometheus_sink", tests);
	st_test_rmtree(dir);
	free(dir);
	return rc;
}
