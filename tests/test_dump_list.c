/* The listing of a dump directory (viewer/dump_list.c) that --list and
 * --browse show: what is read, in which order, what an unreadable file
 * leaves, and a row's fields. */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump/dump_json.h"
#include "dump_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned reports;
static char last_report[512];

/* The viewer's one-line reporter (spiketrace_view.c), recorded here. */
void view_report(const char *what, const char *reason)
{
	reports++;
	snprintf(last_report, sizeof(last_report), "%s: %s", what, reason);
}

static void add_trigger(struct st_dump *d, const char *type, int32_t pid, const char *comm,
			double value)
{
	struct st_dump_trigger *dt = &d->triggers[d->ntriggers++];

	snprintf(dt->trigger.type, sizeof(dt->trigger.type), "%s", type);
	snprintf(dt->trigger.comm, sizeof(dt->trigger.comm), "%s", comm);
	snprintf(dt->trigger.units, sizeof(dt->trigger.units), "pct");
	dt->trigger.pid = pid;
	dt->trigger.value = value;
	dt->sample_index = -1;      /* the dump holds no samples */
}

/* A dump of host at wall_s, its cpu trigger after a system-wide one if
 * asked, written as dir/name. */
static void write_host_dump(const char *dir, const char *name, const char *host,
			    int64_t wall_s, int system_wide)
{
	struct st_dump *d = st_dump_new();
	char *json;

	CU_ASSERT_FATAL(d != NULL);
	snprintf(d->host.hostname, sizeof(d->host.hostname), "%s", host);
	d->wall_ns = wall_s * 1000000000LL;
	d->triggers = calloc(2, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	if (system_wide)
		add_trigger(d, "mem_drop", 0, "", 10.0);
	add_trigger(d, "cpu_delta", 42, "hog\x1b[2J", 95.0);
	json = st_dump_to_json(d, 0);
	CU_ASSERT_FATAL(json != NULL);
	st_test_write_file(dir, name, json);
	free(json);
	st_dump_free(d);
}

static void write_dump(const char *dir, const char *name, int64_t wall_s, int system_wide)
{
	write_host_dump(dir, name, "", wall_s, system_wide);
}

static void test_read_sort_remove(void)
{
	char *dir = st_test_mkdtemp();
	struct view_listing l;
	char type[64], proc[64], value[64];

	write_dump(dir, "spike_a.json", 1795303740, 0);
	write_dump(dir, "spike_b.json", 1795303750, 1);
	st_test_write_file(dir, "spike_c.json", "{\"schema\": ");
	/* Not the json_file sink's names: left alone. */
	st_test_write_file(dir, "other.json", "{}");
	st_test_write_file(dir, ".spike_d.json.tmp", "{}");

	reports = 0;
	CU_ASSERT_EQUAL_FATAL(view_listing_read(&l, dir), 0);
	CU_ASSERT_EQUAL(reports, 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 3);
	/* Read in file name order; the broken one kept with its reason. */
	CU_ASSERT_STRING_EQUAL(l.v[0].name, "spike_a.json");
	CU_ASSERT_STRING_EQUAL(l.v[2].name, "spike_c.json");
	if (l.v[0].error)
		fprintf(stderr, "\n  spike_a.json: %s\n", l.v[0].error);
	CU_ASSERT_PTR_NULL(l.v[0].error);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l.v[2].error);
	CU_ASSERT_PTR_NOT_NULL(strstr(l.v[2].error, "not JSON"));
	CU_ASSERT_EQUAL(l.v[2].ntriggers, 0);

	/* Newest first, the unreadable last. */
	view_listing_sort(&l);
	CU_ASSERT_STRING_EQUAL(l.v[0].name, "spike_b.json");
	CU_ASSERT_STRING_EQUAL(l.v[1].name, "spike_a.json");
	CU_ASSERT_STRING_EQUAL(l.v[2].name, "spike_c.json");
	CU_ASSERT_EQUAL(l.v[0].wall_ns, 1795303750000000000LL);

	/* Raw fields: the first trigger, "+N" for the others. */
	view_listed_fields(&l.v[0], 0, type, sizeof(type), proc, sizeof(proc), value,
			   sizeof(value));
	CU_ASSERT_STRING_EQUAL(type, "mem_drop +1");
	CU_ASSERT_STRING_EQUAL(proc, "(system-wide)");
	view_listed_fields(&l.v[1], 0, type, sizeof(type), proc, sizeof(proc), value,
			   sizeof(value));
	CU_ASSERT_STRING_EQUAL(type, "cpu_delta");
	CU_ASSERT_STRING_EQUAL(proc, "[42] hog\x1b[2J");
	CU_ASSERT_STRING_EQUAL(value, "95.0%");
	view_listed_fields(&l.v[2], 0, type, sizeof(type), proc, sizeof(proc), value,
			   sizeof(value));
	CU_ASSERT_STRING_EQUAL(type, "(none)");
	CU_ASSERT_STRING_EQUAL(proc, "-");

	view_listing_remove(&l, 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 2);
	CU_ASSERT_STRING_EQUAL(l.v[0].name, "spike_a.json");
	CU_ASSERT_STRING_EQUAL(l.v[1].name, "spike_c.json");
	view_listing_remove(&l, 5);        /* out of range: nothing */
	CU_ASSERT_EQUAL(l.n, 2);
	view_listing_free(&l);
	CU_ASSERT_EQUAL(l.n, 0);
	st_test_rmtree(dir);
	free(dir);
}

static void test_missing_dir(void)
{
	struct view_listing l;

	reports = 0;
	CU_ASSERT_EQUAL(view_listing_read(&l, "/nonexistent/spiketrace-dumps"), -1);
	CU_ASSERT_EQUAL(reports, 1);
	CU_ASSERT_STRING_EQUAL(last_report,
			       "/nonexistent/spiketrace-dumps: No such file or directory");
	CU_ASSERT_EQUAL(l.n, 0);
	view_listing_free(&l);
}

static void test_empty_dir(void)
{
	char *dir = st_test_mkdtemp();
	struct view_listing l;

	CU_ASSERT_EQUAL(view_listing_read(&l, dir), 0);
	CU_ASSERT_EQUAL(l.n, 0);
	view_listing_sort(&l);
	view_listing_free(&l);
	st_test_rmtree(dir);
	free(dir);
}

/* A central tree (DIR/HOST/spike_*.json, as a collector stores the
 * syslog sink's dumps): --list groups by the dumps' host, each with its
 * own table and summary, files named HOST_DIR/NAME; a name in a host is
 * escaped; hidden directories and stray files are not hosts. */
static void test_central_tree_by_host(void)
{
	char *dir = st_test_mkdtemp(), path[4200], *out;
	struct view_style style = { 0, 1 };

	write_host_dump(dir, "web2/spike_1.json", "web2", 1795303700, 0);
	write_host_dump(dir, "web1/spike_1.json", "web1", 1795303740, 0);
	write_host_dump(dir, "web1/spike_2.json", "web1", 1795303760, 1);
	/* The directory is the syslog HOSTNAME; the group is the dump's. */
	write_host_dump(dir, "db\x1b/spike_9.json", "db\x1b[2J", 1795303800, 0);
	write_host_dump(dir, ".cache/spike_1.json", "hidden", 1795303800, 0);
	st_test_write_file(dir, "notes.txt", "not a host");

	struct view_listing l;
	CU_ASSERT_EQUAL_FATAL(view_listing_read_tree(&l, dir), 0);
	CU_ASSERT_EQUAL(l.n, 4);
	view_listing_free(&l);

	snprintf(path, sizeof(path), "%s/list.out", dir);
	FILE *f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	reports = 0;
	CU_ASSERT_EQUAL(view_list_dumps(f, dir, &style), 0);
	fclose(f);
	CU_ASSERT_EQUAL(reports, 0);
	out = st_test_slurp(path);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ": 4 dumps from 3 hosts, by host, newest first\n"));
	char *db = strstr(out, "\nhost db\\x1b[2J: 1 dump\n");
	char *w1 = strstr(out, "\nhost web1: 2 dumps\n");
	char *w2 = strstr(out, "\nhost web2: 1 dump\n");
	CU_ASSERT_FATAL(db && w1 && w2);
	CU_ASSERT(db < w1 && w1 < w2);
	/* web1's, newest first, named by their host directory, then its own
	 * summary before web2's heading. */
	char *a = strstr(w1, "web1/spike_2.json"), *b = strstr(w1, "web1/spike_1.json");
	char *sum = strstr(w1, "most triggers (3 in all):");
	CU_ASSERT(a && b && a < b && sum && b < sum && sum < w2);
	CU_ASSERT_PTR_NULL(strstr(out, "hidden"));
	CU_ASSERT_PTR_NULL(strstr(out, ".cache"));
	free(out);

	/* A flat directory keeps its list: no host headings. */
	char *flat = st_test_mkdtemp();
	write_host_dump(flat, "spike_1.json", "web1", 1795303740, 0);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(view_list_dumps(f, flat, &style), 0);
	fclose(f);
	out = st_test_slurp(path);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ": 1 dump, newest first\n"));
	CU_ASSERT_PTR_NULL(strstr(out, "\nhost "));
	free(out);
	st_test_rmtree(flat);
	free(flat);
	st_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "read, newest first, unreadable kept last, remove", test_read_sort_remove },
		{ "a missing directory: one report", test_missing_dir },
		{ "an empty directory", test_empty_dir },
		{ "a central tree, by host", test_central_tree_by_host },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("dump_list", tests);
}
