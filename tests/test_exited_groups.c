/*
 * Tests for core/events/exited_groups.c (the exits of an interval by group) and
 * core/events/fork_parents.c (who forked whom, for processes the sampler never
 * read).
 */
#include "cunit_runner.h"
#include "events/exited_groups.h"
#include "events/fork_parents.h"

#include <stdio.h>
#include <string.h>

static struct st_exited_groups x;

static void add(const char *comm, const char *parent, int32_t ppid, int32_t reaper,
		int64_t cpu_ms)
{
	struct st_exit_record r = {
		.comm = comm, .parent_comm = parent, .parent_pid = ppid, .reaper_pid = reaper,
		.cpu_ns = cpu_ms < 0 ? -1 : cpu_ms * 1000000, .peak_rss_kib = -1,
		.read_bytes = -1, .write_bytes = -1, .flags = ST_EXITED_ESTIMATE,
	};
	st_exited_groups_add(&x, &r);
}

static void test_same_name_and_parent_is_one_group(void)
{
	struct st_exited_group out[ST_EXITED_ROWS];
	st_exited_groups_reset(&x);
	for (int i = 0; i < 400; i++)
		add("cc1", "make", 700, 700, 2);
	add("cc1", "ninja", 800, 800, 1);
	uint32_t n = st_exited_groups_close(&x, 1.0, out);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(out[0].comm, "cc1");
	CU_ASSERT_STRING_EQUAL(out[0].parent_comm, "make");
	CU_ASSERT_EQUAL(out[0].count, 400);
	CU_ASSERT_EQUAL(out[0].cpu_ns, 800000000ull);
	/* 0.8 s of CPU in a 1 s interval: 80% of one core. */
	CU_ASSERT_DOUBLE_EQUAL(out[0].cpu_pct, 80.0, 0.001);
	CU_ASSERT_EQUAL(out[0].parent_pid, 700);
	CU_ASSERT_EQUAL(out[0].reaper_pid, 700);
	CU_ASSERT(out[0].flags & ST_EXITED_ESTIMATE);
	CU_ASSERT_STRING_EQUAL(out[1].parent_comm, "ninja");
	/* The next interval starts empty. */
	CU_ASSERT_EQUAL(st_exited_groups_close(&x, 1.0, out), 0);
}

static void test_differing_pids_are_unknown(void)
{
	struct st_exited_group out[ST_EXITED_ROWS];
	st_exited_groups_reset(&x);
	add("spkorphan", "sh", 900, 1, 10);
	add("spkorphan", "sh", 901, 1, 10);
	CU_ASSERT_EQUAL_FATAL(st_exited_groups_close(&x, 2.0, out), 1);
	CU_ASSERT_EQUAL(out[0].parent_pid, 0);     /* two shells forked them */
	CU_ASSERT_EQUAL(out[0].reaper_pid, 1);     /* one init reaped them */
	CU_ASSERT_DOUBLE_EQUAL(out[0].cpu_pct, 1.0, 0.001);
}

/* One shell's storm of sleeps beside another shell's few: the storm's
 * shell is named; an even split names none. */
static void test_parent_of_most_is_named(void)
{
	struct st_exited_group out[ST_EXITED_ROWS];
	st_exited_groups_reset(&x);
	add("sleep", "sh", 1500, 1500, 1);          /* the poller's first */
	for (int i = 0; i < 589; i++) {
		add("sleep", "sh", 1697, 1697, 1);
		if (i % 200 == 0)
			add("sleep", "sh", 1500, 1500, 1);
	}
	CU_ASSERT_EQUAL_FATAL(st_exited_groups_close(&x, 1.0, out), 1);
	CU_ASSERT_EQUAL(out[0].count, 593);
	CU_ASSERT_EQUAL(out[0].parent_pid, 1697);
	CU_ASSERT_EQUAL(out[0].reaper_pid, 0);      /* two reapers: not one's CPU */
	st_exited_groups_reset(&x);
	for (int i = 0; i < 4; i++)
		add("sleep", "sh", i % 2 ? 1500 : 1697, 1, 1);
	CU_ASSERT_EQUAL_FATAL(st_exited_groups_close(&x, 1.0, out), 1);
	CU_ASSERT_EQUAL(out[0].parent_pid, 0);
	/* The next interval's vote starts afresh. */
	add("sleep", "sh", 1500, 1, 1);
	CU_ASSERT_EQUAL_FATAL(st_exited_groups_close(&x, 1.0, out), 1);
	CU_ASSERT_EQUAL(out[0].parent_pid, 1500);
}

static void test_unread_cpu_is_counted_apart(void)
{
	struct st_exited_group out[ST_EXITED_ROWS];
	st_exited_groups_reset(&x);
	add("true", "sh", 5, 5, -1);
	add("true", "sh", 5, 5, 3);
	CU_ASSERT_EQUAL_FATAL(st_exited_groups_close(&x, 1.0, out), 1);
	CU_ASSERT_EQUAL(out[0].count, 2);
	CU_ASSERT_EQUAL(out[0].cpu_unknown, 1);
	CU_ASSERT_EQUAL(out[0].cpu_ns, 3000000ull);
}

static void test_busiest_kept_rest_summed(void)
{
	struct st_exited_group out[ST_EXITED_ROWS];
	char name[16];
	st_exited_groups_reset(&x);
	/* More groups than the table holds: the overflow joins the rest. */
	for (int i = 0; i < ST_EXITED_TRACKED + 20; i++) {
		snprintf(name, sizeof(name), "job%d", i);
		add(name, "sh", 10, 10, i + 1);
	}
	uint32_t n = st_exited_groups_close(&x, 1.0, out);
	CU_ASSERT_EQUAL_FATAL(n, ST_EXITED_KEPT + 1);
	/* The busiest tracked first, highest first. */
	snprintf(name, sizeof(name), "job%d", ST_EXITED_TRACKED - 1);
	CU_ASSERT_STRING_EQUAL(out[0].comm, name);
	for (uint32_t i = 1; i < ST_EXITED_KEPT; i++)
		CU_ASSERT(out[i].cpu_ns < out[i - 1].cpu_ns);
	const struct st_exited_group *rest = &out[ST_EXITED_KEPT];
	CU_ASSERT(rest->flags & ST_EXITED_REST);
	CU_ASSERT_STRING_EQUAL(rest->comm, "(other)");
	CU_ASSERT_EQUAL(rest->count, ST_EXITED_TRACKED + 20 - ST_EXITED_KEPT);
	/* Nothing is lost: the rows add up to every exit. */
	uint64_t total = 0, want = 0;
	for (uint32_t i = 0; i < n; i++)
		total += out[i].cpu_ns;
	for (int i = 0; i < ST_EXITED_TRACKED + 20; i++)
		want += (uint64_t)(i + 1) * 1000000;
	CU_ASSERT_EQUAL(total, want);
}

static void test_long_names_cut(void)
{
	struct st_exited_group out[ST_EXITED_ROWS];
	char longname[200];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	st_exited_groups_reset(&x);
	add(longname, longname, 1, 1, 1);
	add(longname, longname, 1, 1, 1);
	CU_ASSERT_EQUAL_FATAL(st_exited_groups_close(&x, 1.0, out), 1);
	CU_ASSERT_EQUAL(strlen(out[0].comm), ST_COMM_MAX - 1);
	CU_ASSERT_EQUAL(out[0].count, 2);
}

static struct st_fork_parents fp;

static void test_fork_parents_find(void)
{
	st_fork_parents_init(&fp);
	st_fork_parents_add(&fp, 100, 1);
	st_fork_parents_add(&fp, 101, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st_fork_parents_find(&fp, 101));
	CU_ASSERT_EQUAL(st_fork_parents_find(&fp, 101)->parent_pid, 100);
	CU_ASSERT_PTR_NULL(st_fork_parents_find(&fp, 102));
	CU_ASSERT_PTR_NULL(st_fork_parents_find(&fp, 0));
	/* A reused pid: the new fork's parent. */
	st_fork_parents_add(&fp, 101, 555);
	CU_ASSERT_EQUAL(st_fork_parents_find(&fp, 101)->parent_pid, 555);
}

/* Against a plain model, over many forks with colliding and reused pids:
 * the last ST_FORK_PARENTS forks are found with their parents, older
 * ones are not. */
static void test_fork_parents_ring_and_hash(void)
{
	enum { N = 5 * ST_FORK_PARENTS };
	static int32_t pid_of[N], parent_of[N];
	uint32_t seed = 12345;
	st_fork_parents_init(&fp);
	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		/* A small pid space: reuse and collisions are frequent. */
		pid_of[i] = 2 + (int32_t)((seed >> 8) % (3 * ST_FORK_PARENTS));
		parent_of[i] = i;
		st_fork_parents_add(&fp, pid_of[i], parent_of[i]);
	}
	int found = 0, checked = 0;
	for (int i = N - 1; i >= 0; i--) {
		/* The latest fork of each pid, within the ring's reach. */
		int latest = 1;
		for (int j = i + 1; j < N && latest; j++)
			latest = pid_of[j] != pid_of[i];
		if (!latest)
			continue;
		const struct st_fork_entry *e = st_fork_parents_find(&fp, pid_of[i]);
		int in_ring = i >= N - ST_FORK_PARENTS;
		checked++;
		if (in_ring) {
			CU_ASSERT_PTR_NOT_NULL(e);
			if (e) {
				CU_ASSERT_EQUAL(e->parent_pid, parent_of[i]);
				found++;
			}
		} else {
			CU_ASSERT_PTR_NULL(e);
		}
	}
	CU_ASSERT(found > ST_FORK_PARENTS / 2);
	CU_ASSERT(checked > found);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "one name and parent is one group", test_same_name_and_parent_is_one_group },
		{ "pids that differ are unknown", test_differing_pids_are_unknown },
		{ "the parent of more than half is named", test_parent_of_most_is_named },
		{ "cpu that could not be read is counted apart", test_unread_cpu_is_counted_apart },
		{ "the busiest kept, the rest summed", test_busiest_kept_rest_summed },
		{ "long names are cut", test_long_names_cut },
		{ "fork parents: find and reuse", test_fork_parents_find },
		{ "fork parents: ring and hash against a model", test_fork_parents_ring_and_hash },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("exited_groups", tests);
}
