/* The json_file sink, loaded from the build tree, with a mock host that
 * counts log lines: names, atomicity, mode and group, retention, stray
 * temp files, and the failures it must survive (unwritable directory,
 * directory removed, full filesystem). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cunit_runner.h"
#include "dump/dump.h"
#include "plugin/host.h"
#include "plugin/plugin_loader.h"

static struct st_loaded_plugin plugin;

/*
 * fsync, interposed: the test binary is linked with -export-dynamic, so
 * the plugin's calls land here. fail_dir_fsync makes fsync of a directory
 * fail as a failing disk or a network filesystem would; files and every
 * other call go to the kernel.
 */
static int fail_dir_fsync;

int fsync(int fd)
{
	struct stat st;
	if (fail_dir_fsync && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}
static int log_lines;
static char last_log[512];

static void count_log(const struct st_host *h, int32_t level, const char *fmt, ...)
{
	va_list ap;
	(void)h;
	if (level > ST_LOG_WARNING)
		return;
	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
	log_lines++;
}

struct sink {
	struct st_host host;
	void *state;
};

static int sink_open(struct sink *s, const char *dir, long max_dumps, long max_mib,
		     const char *group)
{
	union st_value v[4];
	const struct st_option *o = plugin.desc->options;
	for (int i = 0; o[i].type != ST_OPT_END; i++) {
		v[i] = o[i].def;
		if (!strcmp(o[i].name, "dir"))
			v[i].s = dir;
		else if (!strcmp(o[i].name, "max_dumps"))
			v[i].i = max_dumps;
		else if (!strcmp(o[i].name, "max_total_mib"))
			v[i].i = max_mib;
		else if (!strcmp(o[i].name, "group"))
			v[i].s = group;
	}
	st_host_init(&s->host, "json_file", "/proc", 1);
	s->host.log = count_log;
	return plugin.desc->create(&s->host, v, &s->state);
}

static void sink_close(struct sink *s)
{
	plugin.desc->destroy(s->state);
}

static int emit(struct sink *s, struct st_dump *d, const char *json)
{
	return plugin.desc->emit(s->state, d, json, strlen(json));
}

static struct st_dump *dump_with_id(const char *id)
{
	struct st_dump *d = st_dump_new();
	snprintf(d->id, sizeof(d->id), "%s", id);
	return d;
}

/* Files in dir whose names start with prefix. */
static int count_files(const char *dir, const char *prefix)
{
	DIR *dp = opendir(dir);
	int n = 0;
	struct dirent *de;
	while (dp && (de = readdir(dp)))
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	if (dp)
		closedir(dp);
	return n;
}

static char *path_in(const char *dir, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

static char *big_json(size_t bytes)
{
	char *j = malloc(bytes + 1);
	memset(j, ' ', bytes);
	j[0] = '{';
	j[bytes - 1] = '}';
	j[bytes] = '\0';
	return j;
}

static void test_writes_atomically_with_mode(void)
{
	char *tmp = st_test_mkdtemp();
	char *dir = path_in(tmp, "a/b/dumps");   /* created, parents too */
	struct sink s;
	CU_ASSERT_FATAL(sink_open(&s, dir, 500, 100, "") == 0);
	struct st_dump *d = dump_with_id("20261121T232900.123Z_cpu_delta_42");
	CU_ASSERT_EQUAL(emit(&s, d, "{\"schema\":\"x\"}"), 0);
	char *file = path_in(dir, "spike_000001_20261121T232900.123Z_cpu_delta_42.json");
	struct stat st;
	CU_ASSERT_EQUAL_FATAL(stat(file, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0640);
	CU_ASSERT_EQUAL(st.st_size, (off_t)strlen("{\"schema\":\"x\"}\n"));
	CU_ASSERT_STRING_EQUAL(d->stored_as, file);
	CU_ASSERT_EQUAL(count_files(dir, ".tmp"), 0);
	/* Same id again (a restart within the millisecond): the next
	 * sequence. A name taken by another writer is never replaced. */
	struct st_dump *d2 = dump_with_id("20261121T232900.123Z_cpu_delta_42");
	CU_ASSERT_EQUAL(emit(&s, d2, "{}"), 0);
	char *file2 = path_in(dir, "spike_000002_20261121T232900.123Z_cpu_delta_42.json");
	CU_ASSERT_EQUAL(access(file2, F_OK), 0);
	free(file2);
	st_test_write_file(dir, "spike_000003_20261121T232900.123Z_cpu_delta_42.json", "theirs");
	CU_ASSERT_EQUAL(emit(&s, d2, "{}"), 0);
	file2 = path_in(dir, "spike_000003_20261121T232900.123Z_cpu_delta_42-1.json");
	CU_ASSERT_EQUAL(access(file2, F_OK), 0);
	CU_ASSERT_EQUAL(st.st_size, (off_t)strlen("{\"schema\":\"x\"}\n"));
	CU_ASSERT_EQUAL(log_lines, 0);
	sink_close(&s);
	st_dump_free(d);
	st_dump_free(d2);
	free(file);
	free(file2);
	free(dir);
	st_test_rmtree(tmp);
	free(tmp);
}

static void test_retention_by_count_and_size(void)
{
	char *dir = st_test_mkdtemp();
	struct sink s;
	CU_ASSERT_FATAL(sink_open(&s, dir, 3, 100, "") == 0);
	char id[64];
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "2026112%dT000000.000Z_t_1", i);
		struct st_dump *d = dump_with_id(id);
		CU_ASSERT_EQUAL(emit(&s, d, "{}"), 0);
		st_dump_free(d);
	}
	CU_ASSERT_EQUAL(count_files(dir, "spike_"), 3);
	/* The oldest went first. */
	char *oldest = path_in(dir, "spike_000001_20261120T000000.000Z_t_1.json");
	char *newest = path_in(dir, "spike_000005_20261124T000000.000Z_t_1.json");
	CU_ASSERT_NOT_EQUAL(access(oldest, F_OK), 0);
	CU_ASSERT_EQUAL(access(newest, F_OK), 0);
	sink_close(&s);

	/* 1 MiB in all with 400 KiB dumps: two fit. */
	CU_ASSERT_FATAL(sink_open(&s, dir, 500, 1, "") == 0);
	char *j = big_json(400 << 10);
	for (int i = 5; i < 9; i++) {
		snprintf(id, sizeof(id), "2026113%dT000000.000Z_t_1", i - 5);
		struct st_dump *d = dump_with_id(id);
		CU_ASSERT_EQUAL(emit(&s, d, j), 0);
		st_dump_free(d);
	}
	/* Reopened, the sequence goes on from the highest (5). */
	CU_ASSERT_EQUAL(count_files(dir, "spike_000006_20261130"), 0);
	CU_ASSERT_EQUAL(count_files(dir, "spike_000009_20261133"), 1);
	CU_ASSERT_EQUAL(count_files(dir, "spike_"), 2);
	sink_close(&s);
	free(j);
	free(oldest);
	free(newest);
	st_test_rmtree(dir);
	free(dir);
}

/*
 * The clock stepped back: dumps written later carry an older time in
 * their id. Retention deletes by the order written, so the newest dumps
 * are kept whatever their names say, also across a restart; names from
 * before the sequence are older than any with one.
 */
static void test_retention_survives_clock_step_back(void)
{
	char *dir = st_test_mkdtemp();
	st_test_write_file(dir, "spike_20261201T000000.000Z_t_9.json", "{}");   /* old style */
	struct sink s;
	CU_ASSERT_FATAL(sink_open(&s, dir, 3, 100, "") == 0);
	static const char *const ids[] = {
		"20261124T000000.000Z_t_1",     /* before the step */
		"20261110T000000.000Z_t_2",     /* after it: two weeks back */
		"20261111T000000.000Z_t_3",
	};
	for (int i = 0; i < 3; i++) {
		struct st_dump *d = dump_with_id(ids[i]);
		CU_ASSERT_EQUAL(emit(&s, d, "{}"), 0);
		st_dump_free(d);
	}
	/* Four files, three kept: the old-style one went, though its time
	 * is the newest of all. */
	CU_ASSERT_EQUAL(count_files(dir, "spike_"), 3);
	CU_ASSERT_EQUAL(count_files(dir, "spike_2026"), 0);
	sink_close(&s);

	/* Restarted, the clock still behind: the next dump has the oldest
	 * time of all and is kept; the first one written goes. */
	CU_ASSERT_FATAL(sink_open(&s, dir, 3, 100, "") == 0);
	struct st_dump *d = dump_with_id("20261101T000000.000Z_t_4");
	CU_ASSERT_EQUAL(emit(&s, d, "{}"), 0);
	st_dump_free(d);
	CU_ASSERT_EQUAL(count_files(dir, "spike_"), 3);
	CU_ASSERT_EQUAL(count_files(dir, "spike_000001_20261124T000000.000Z_t_1"), 0);
	CU_ASSERT_EQUAL(count_files(dir, "spike_000002_20261110T000000.000Z_t_2"), 1);
	CU_ASSERT_EQUAL(count_files(dir, "spike_000003_20261111T000000.000Z_t_3"), 1);
	CU_ASSERT_EQUAL(count_files(dir, "spike_000004_20261101T000000.000Z_t_4"), 1);
	sink_close(&s);
	st_test_rmtree(dir);
	free(dir);
}

/* A directory fsync that fails: the rename may not survive a crash. The
 * dump stays readable, the delivery counts as failed, said once. */
static void test_directory_fsync_checked(void)
{
	char *dir = st_test_mkdtemp();
	struct sink s;
	CU_ASSERT_FATAL(sink_open(&s, dir, 500, 100, "") == 0);
	struct st_dump *d = dump_with_id("20261121T000000.000Z_t_1");
	log_lines = 0;
	fail_dir_fsync = 1;
	CU_ASSERT_EQUAL(emit(&s, d, "{}"), -1);
	CU_ASSERT_EQUAL(emit(&s, d, "{}"), -1);
	fail_dir_fsync = 0;
	CU_ASSERT_EQUAL(log_lines, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "cannot flush the directory"));
	CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "Input/output error"));
	CU_ASSERT_EQUAL(count_files(dir, "spike_"), 2);
	CU_ASSERT_EQUAL(count_files(dir, ".tmp"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->stored_as, "spike_000002_"));
	/* Healthy again: delivered, and no error line. */
	CU_ASSERT_EQUAL(emit(&s, d, "{}"), 0);
	CU_ASSERT_EQUAL(log_lines, 1);
	sink_close(&s);
	st_dump_free(d);
	st_test_rmtree(dir);
	free(dir);
}

static void test_stray_temp_files_removed(void)
{
	char *dir = st_test_mkdtemp();
	st_test_write_file(dir, ".tmp-spike_123-456", "{\"half\":");
	st_test_write_file(dir, "keep.txt", "not ours");
	struct sink s;
	CU_ASSERT_FATAL(sink_open(&s, dir, 500, 100, "") == 0);
	CU_ASSERT_EQUAL(count_files(dir, ".tmp"), 0);
	CU_ASSERT_EQUAL(count_files(dir, "keep.txt"), 1);
	sink_close(&s);
	st_test_rmtree(dir);
	free(dir);
}

static void test_unwritable_then_recovers(void)
{
	char *tmp = st_test_mkdtemp();
	char *dir = path_in(tmp, "dumps");
	/* A file where the directory should be: no root can write there. */
	st_test_write_file(tmp, "dumps", "in the way");
	struct sink s;
	log_lines = 0;
	CU_ASSERT_FATAL(sink_open(&s, dir, 500, 100, "") == 0);
	int warned = log_lines;
	struct st_dump *d = dump_with_id("20261121T000000.000Z_t_1");
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(emit(&s, d, "{}"), -1);
	/* One line for the condition, not one per dump. */
	CU_ASSERT_EQUAL(log_lines - warned, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(last_log, dir));
	unlink(dir);
	CU_ASSERT_EQUAL(emit(&s, d, "{}"), 0);
	CU_ASSERT_EQUAL(count_files(dir, "spike_"), 1);
	/* The directory removed while running: made again. */
	st_test_rmtree(dir);
	CU_ASSERT_EQUAL(emit(&s, d, "{}"), 0);
	CU_ASSERT_EQUAL(count_files(dir, "spike_"), 1);
	sink_close(&s);
	st_dump_free(d);
	free(dir);
	st_test_rmtree(tmp);
	free(tmp);
}

static void test_group_option(void)
{
	char *dir = st_test_mkdtemp();
	struct sink s;
	CU_ASSERT_NOT_EQUAL(sink_open(&s, dir, 500, 100, "no-such-group-here"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "no-such-group-here"));
	char gid[16];
	snprintf(gid, sizeof(gid), "%u", (unsigned)getgid());
	CU_ASSERT_FATAL(sink_open(&s, dir, 500, 100, gid) == 0);
	struct st_dump *d = dump_with_id("20261121T000000.000Z_t_1");
	CU_ASSERT_EQUAL(emit(&s, d, "{}"), 0);
	struct stat st;
	char *file = path_in(dir, "spike_000001_20261121T000000.000Z_t_1.json");
	CU_ASSERT_EQUAL(stat(file, &st), 0);
	CU_ASSERT_EQUAL(st.st_gid, getgid());
	sink_close(&s);
	st_dump_free(d);
	free(file);
	st_test_rmtree(dir);
	free(dir);
}

static void test_full_filesystem(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "(full filesystem: needs root for a tmpfs; skipped)\n");
		return;
	}
	/* A 256 KiB tmpfs, in a mount namespace of this test's own. */
	char *dir = st_test_mkdtemp();
	CU_ASSERT_FATAL(unshare(CLONE_NEWNS) == 0);
	CU_ASSERT_FATAL(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0);
	CU_ASSERT_FATAL(mount("tmpfs", dir, "tmpfs", 0, "size=256k") == 0);
	struct sink s;
	log_lines = 0;
	CU_ASSERT_FATAL(sink_open(&s, dir, 500, 100, "") == 0);
	char *big = big_json(400 << 10), *small = big_json(100 << 10);
	struct st_dump *d = dump_with_id("20261121T000000.000Z_t_1");
	CU_ASSERT_EQUAL(emit(&s, d, big), -1);
	CU_ASSERT_EQUAL(emit(&s, d, big), -1);
	CU_ASSERT_EQUAL(log_lines, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(last_log, "No space left"));
	/* Never a partial file, neither a dump nor a temp file. */
	CU_ASSERT_EQUAL(count_files(dir, "spike_"), 0);
	CU_ASSERT_EQUAL(count_files(dir, ".tmp"), 0);
	/* A dump that fits is written: the sink carries on. */
	CU_ASSERT_EQUAL(emit(&s, d, small), 0);
	CU_ASSERT_EQUAL(count_files(dir, "spike_"), 1);
	sink_close(&s);
	st_dump_free(d);
	free(big);
	free(small);
	umount(dir);
	st_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	char err[512];
	if (st_plugin_load_file(ST_BUILD_PLUGIN_DIR "/json_file.so", &plugin, err, sizeof(err)) < 0) {
		fprintf(stderr, "json_file.so: %s\n", err);
		return 1;
	}
	CU_TestInfo tests[] = {
		{ "writes atomically, 0640, never replaces", test_writes_atomically_with_mode },
		{ "retention by count and by size", test_retention_by_count_and_size },
		{ "retention by write order: a clock step back keeps the newest",
		  test_retention_survives_clock_step_back },
		{ "directory fsync failure: said once, delivery failed",
		  test_directory_fsync_checked },
		{ "stray temp files removed at start", test_stray_temp_files_removed },
		{ "unwritable, removed, recovers; logged once", test_unwritable_then_recovers },
		{ "group option", test_group_option },
		{ "full filesystem: no partial file, carries on", test_full_filesystem },
		CU_TEST_INFO_NULL,
	};
	int rc = st_test_run("json_file", tests);
	struct st_plugin_set set = { 1, malloc(sizeof(plugin)) };
	set.items[0] = plugin;
	st_plugins_unload(&set);
	return rc;
}
