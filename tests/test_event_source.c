/*
 * core/event_source on this machine's kernel: a child that execs
 * /bin/true is seen forking, execing and exiting through
 * st_event_source_drain, in proc_connector mode and (as root) in
 * taskstats mode with its figures; a multi-threaded child gives one EXIT
 * carrying its threads' CPU; without CAP_NET_ADMIN taskstats falls back
 * to the proc connector; an overrun is counted and the socket goes on.
 * Where netlink is not to be had (a container), a test says so and
 * passes. Every wait is a poll with a deadline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cunit_runner.h"
#include "events/event_source.h"

#define DEADLINE_MS 5000

static struct st_event_source src;

/* What the drain delivered about one pid. */
struct seen {
	pid_t pid;
	int forks, execs, exits;
	struct st_proc_event fork, exit;
};

static void on_event(void *ctx, const struct st_proc_event *ev)
{
	struct seen *s = ctx;

	if (ev->pid != s->pid)
		return;
	switch (ev->kind) {
	case ST_PROC_EV_FORK: s->forks++; s->fork = *ev; break;
	case ST_PROC_EV_EXEC: s->execs++; break;
	case ST_PROC_EV_EXIT: s->exits++; s->exit = *ev; break;
	default: break;
	}
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drain until the pid's EXIT came (and a little after, to see a second
 * one), or the deadline. */
static void drain_until_exit(struct seen *s)
{
	long end = now_ms() + DEADLINE_MS, settle = 0;
	struct pollfd fds[2];
	size_t n = st_event_source_fill(&src, fds, 2);

	while (now_ms() < end) {
		int left = (int)(end - now_ms());

		if (s->exits && !settle)
			settle = now_ms() + 200;
		if (settle) {
			if (now_ms() >= settle)
				break;
			left = (int)(settle - now_ms());
		}
		if (poll(fds, n, left > 0 ? left : 0) > 0)
			st_event_source_drain(&src, fds, n, 64, on_event, s);
	}
}

static pid_t spawn_true(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

static int open_or_skip(enum st_exit_mode want, const char *what)
{
	enum st_exit_mode got = st_event_source_open(&src, want, 0);

	if (got != want) {
		printf("\n  note: %s not available here (running %s): not tested\n", what,
		       st_exit_mode_name(got));
		st_event_source_close(&src);
		return 0;
	}
	return 1;
}

/* A child that execs /bin/true, seen forking from us, execing and
 * exiting once, whatever the mode. */
static void see_true(struct seen *s)
{
	pid_t pid;

	memset(s, 0, sizeof(*s));
	s->pid = pid = spawn_true();
	CU_ASSERT_FATAL(pid > 0);
	drain_until_exit(s);
	CU_ASSERT_EQUAL(reap(pid), 0);
	CU_ASSERT_EQUAL(s->forks, 1);
	CU_ASSERT_EQUAL(s->fork.parent_pid, getpid());
	CU_ASSERT(s->fork.kernel_ns > 0);
	CU_ASSERT_EQUAL(s->execs, 1);
	CU_ASSERT_EQUAL(s->exits, 1);
	CU_ASSERT_EQUAL(s->exit.parent_pid, getpid());
}

static void test_proc_connector(void)
{
	struct seen s;

	if (!open_or_skip(ST_EXIT_MODE_PROC_CONNECTOR, "the proc connector"))
		return;
	CU_ASSERT(src.cn_fd >= 0);
	CU_ASSERT_EQUAL(src.ts_fd, -1);
	see_true(&s);
	CU_ASSERT_EQUAL(s.exit.flags, 0);
	CU_ASSERT_EQUAL(s.exit.utime_ns, -1);
	CU_ASSERT(src.events >= 3);
	CU_ASSERT_EQUAL(src.malformed, 0);
	st_event_source_close(&src);
	CU_ASSERT_EQUAL(src.cn_fd, -1);
}

static void test_taskstats(void)
{
	struct seen s;

	if (geteuid() != 0) {
		printf("\n  note: not root: taskstats not tested\n");
		return;
	}
	if (!open_or_skip(ST_EXIT_MODE_TASKSTATS, "taskstats"))
		return;
	CU_ASSERT(src.ts_fd >= 0);
	CU_ASSERT(src.ts_family >= 16);
	/* fork and exec from the proc connector, the exit from taskstats */
	see_true(&s);
	CU_ASSERT_EQUAL(s.exit.flags, ST_PROC_EV_TASKSTATS);
	CU_ASSERT(s.exit.utime_ns >= 0);
	CU_ASSERT(s.exit.stime_ns >= 0);
	CU_ASSERT(s.exit.elapsed_ns > 0 && s.exit.elapsed_ns < (int64_t)DEADLINE_MS * 1000000);
	CU_ASSERT(s.exit.peak_rss_kib > 0);
	CU_ASSERT(s.exit.read_bytes >= 0 && s.exit.write_bytes >= 0);
	CU_ASSERT_EQUAL(s.exit.exit_code, 0);
	CU_ASSERT_STRING_EQUAL(s.exit.comm, "true");
	st_event_source_close(&src);
}

#define BURN_NS 100000000L     /* CPU each thread burns */

static void *burn(void *arg)
{
	struct timespec t0, t;

	(void)arg;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < BURN_NS);
	return NULL;
}

/* Two threads burn 100 ms of CPU each and end before the process: its one
 * EXIT carries their CPU, which its last task's own record does not. */
static void test_taskstats_threads(void)
{
	struct seen s;
	pid_t pid;

	if (geteuid() != 0) {
		printf("\n  note: not root: taskstats not tested\n");
		return;
	}
	if (!open_or_skip(ST_EXIT_MODE_TASKSTATS, "taskstats"))
		return;
	memset(&s, 0, sizeof(s));
	s.pid = pid = fork();
	if (pid == 0) {
		pthread_t a, b;

		if (pthread_create(&a, NULL, burn, NULL) || pthread_create(&b, NULL, burn, NULL))
			_exit(1);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		_exit(0);
	}
	CU_ASSERT_FATAL(pid > 0);
	drain_until_exit(&s);
	CU_ASSERT_EQUAL(reap(pid), 0);
	CU_ASSERT_EQUAL(s.exits, 1);
	/* 200 ms burned; the kernel counts utime and stime by sampling at
	 * ticks (4 ms here), which on a loaded machine may miss a good part
	 * of 30 ms but not of 100. The last task alone, the main thread,
	 * has next to nothing: more than one thread's 100 ms means both
	 * were folded in. */
	CU_ASSERT(s.exit.utime_ns + s.exit.stime_ns > BURN_NS);
	CU_ASSERT_EQUAL(s.exit.exit_code, 0);
	st_event_source_close(&src);
}

/* As nobody: taskstats is refused, the proc connector runs. */
static void test_unprivileged_fallback(void)
{
	pid_t pid;
	int st;

	if (geteuid() != 0) {
		printf("\n  note: not root: cannot become nobody to test the fallback\n");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		enum st_exit_mode m;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(3);
		m = st_event_source_open(&src, ST_EXIT_MODE_TASKSTATS, 0);
		_exit(m == ST_EXIT_MODE_PROC_CONNECTOR ? 0 : m == ST_EXIT_MODE_CUTIME ? 77 : 1);
	}
	CU_ASSERT_FATAL(pid > 0);
	st = reap(pid);
	CU_ASSERT(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		printf("\n  note: no proc connector for nobody here (kernel before 6.6?)\n");
	else
		CU_ASSERT_EQUAL(WEXITSTATUS(st), 0);
}

/* A buffer far too small for a burst: ENOBUFS is counted and said once,
 * the burst ends, and the next process is seen again. */
static void test_overrun(void)
{
	char *dir, path[4096], *said;
	pid_t kids[300];
	struct seen s;
	int saved, i, n = 0;

	if (st_event_source_open(&src, ST_EXIT_MODE_PROC_CONNECTOR, 4096) !=
	    ST_EXIT_MODE_PROC_CONNECTOR) {
		printf("\n  note: no proc connector here: overrun not tested\n");
		st_event_source_close(&src);
		return;
	}
	for (i = 0; i < 300; i++) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		if (p > 0)
			kids[n++] = p;
	}
	for (i = 0; i < n; i++)
		reap(kids[i]);
	dir = st_test_mkdtemp();
	snprintf(path, sizeof(path), "%s/log", dir);
	saved = st_test_stderr_to(path);
	memset(&s, 0, sizeof(s));
	s.pid = -1;
	{
		struct pollfd fds[1];
		size_t nf = st_event_source_fill(&src, fds, 1);

		fds[0].revents = POLLIN | POLLERR;
		/* at most max_events a call */
		CU_ASSERT(st_event_source_drain(&src, fds, nf, 1, on_event, &s) <= 1);
		while (st_event_source_drain(&src, fds, nf, 64, on_event, &s) > 0)
			;
	}
	st_test_stderr_back(saved);
	said = st_test_slurp(path);
	CU_ASSERT(src.lost_overruns >= 1);
	{
		int lines = 0;
		const char *p = said;

		while ((p = strstr(p, "dropped")) != NULL) {
			lines++;
			p++;
		}
		CU_ASSERT_EQUAL(lines, 1);
	}
	free(said);
	/* the socket goes on */
	s.pid = spawn_true();
	drain_until_exit(&s);
	reap(s.pid);
	CU_ASSERT_EQUAL(s.exits, 1);
	st_test_rmtree(dir);
	free(dir);
	st_event_source_close(&src);
}

static void test_mode_names(void)
{
	CU_ASSERT_STRING_EQUAL(st_exit_mode_name(ST_EXIT_MODE_CUTIME), "cutime");
	CU_ASSERT_STRING_EQUAL(st_exit_mode_name(ST_EXIT_MODE_PROC_CONNECTOR), "proc_connector");
	CU_ASSERT_STRING_EQUAL(st_exit_mode_name(ST_EXIT_MODE_TASKSTATS), "taskstats");
	CU_ASSERT_EQUAL(st_exit_mode_from_name("taskstats"), ST_EXIT_MODE_TASKSTATS);
	CU_ASSERT_EQUAL(st_exit_mode_from_name("proc"), -1);
	/* cutime opens nothing */
	CU_ASSERT_EQUAL(st_event_source_open(&src, ST_EXIT_MODE_CUTIME, 0), ST_EXIT_MODE_CUTIME);
	CU_ASSERT_EQUAL(src.cn_fd, -1);
	CU_ASSERT_EQUAL(src.ts_fd, -1);
	CU_ASSERT_EQUAL(st_event_source_fill(&src, NULL, 0), 0);
	st_event_source_close(&src);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "mode names, cutime", test_mode_names },
		{ "proc connector: fork, exec, exit of a child", test_proc_connector },
		{ "taskstats: the exit's figures", test_taskstats },
		{ "taskstats: one exit with its threads' CPU", test_taskstats_threads },
		{ "without CAP_NET_ADMIN: the proc connector", test_unprivileged_fallback },
		{ "overrun counted once per burst, the socket goes on", test_overrun },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("event_source", tests);
}
