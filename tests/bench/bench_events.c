/*
 * What the exit events cost the daemon, and whether a storm loses any.
 *
 * A spawner process starts RATE short processes a second (vfork, _exit)
 * for SECONDS seconds, paced each millisecond; this process drains the
 * event source the way the daemon's poll loop does (poll, then
 * st_event_source_drain with a bound per call) and counts the FORK and
 * EXIT events of the spawner's children. Printed per mode, beside the
 * budgets of the exit events (≤ 15 µs of the draining thread's CPU per
 * exit event; 10,000 processes a second for 10 s with no lost event at
 * the default receive buffer). Between drains it sleeps --batch-ms
 * (default ST_EVENT_HOLDOFF_MS, 0: a drain at every wake) and
 * --rcvbuf sets the buffer, to see what either costs:
 *   spawned, and the rate the spawner reached;
 *   exits and forks received, missing, lost_overruns (ENOBUFS);
 *   µs of CPU (getrusage of the draining thread) per exit event.
 *
 *   bench_events [--rate N] [--seconds S] [--rcvbuf BYTES] [--batch-ms MS]
 *                [--mode proc_connector|taskstats|all]
 * Exit status: 0 every budget met, 1 a budget missed, 2 could not run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "events/event_source.h"
#include "daemon/log.h"

#define BUDGET_US_PER_EXIT 15.0
#define DRAIN_MAX 4096 /* events a call, as the daemon bounds it */
#define BATCH_MS ST_EVENT_HOLDOFF_MS /* as the poll loop should (event_source.h) */

struct counts {
	pid_t spawner;
	uint64_t exits, forks, all;
};

/* The spawner's children by pid, from their FORK to their EXIT: the
 * EXIT's parent is 0 for a child reaped at once (the kernel has released
 * it when the proc connector reports the exit). */
#define PID_BITS (1u << 22) /* pid_max's ceiling */
static unsigned char children[PID_BITS / 8], exited_first[PID_BITS / 8];

static int has_bit(unsigned char *map, int32_t pid)
{
	return pid > 0 && (uint32_t)pid < PID_BITS && (map[pid >> 3] >> (pid & 7)) & 1;
}

static void set_bit(unsigned char *map, int32_t pid, int on)
{
	unsigned char bit = (unsigned char)(1u << (pid & 7));

	if (pid <= 0 || (uint32_t)pid >= PID_BITS)
		return;
	if (on)
		map[pid >> 3] |= bit;
	else
		map[pid >> 3] &= (unsigned char)~bit;
}

static void on_event(void *ctx, const struct st_proc_event *ev)
{
	struct counts *c = ctx;

	c->all++;
	/* two sockets in taskstats mode: an exit may be read before its fork */
	if (ev->kind == ST_PROC_EV_FORK && ev->parent_pid == c->spawner) {
		c->forks++;
		if (has_bit(exited_first, ev->pid)) {
			set_bit(exited_first, ev->pid, 0);
			c->exits++;
		} else {
			set_bit(children, ev->pid, 1);
		}
	} else if (ev->kind == ST_PROC_EV_EXIT) {
		if (has_bit(children, ev->pid)) {
			set_bit(children, ev->pid, 0);
			c->exits++;
		} else {
			set_bit(exited_first, ev->pid, 1);
		}
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double thread_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The spawner: rate processes a second for secs seconds, paced each ms;
 * writes how many it started to fd. */
static void __attribute__((noreturn)) spawner(int fd, unsigned rate, unsigned secs, int go)
{
	struct timespec next;
	uint64_t started = 0, target;
	unsigned ms, total_ms = secs * 1000;
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGCHLD, SIG_IGN); /* children reaped by the kernel: the spawner is their reaper */
	if (read(go, &c, 1) != 1)
		_exit(2);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (ms = 1; ms <= total_ms; ms++) {
		target = (uint64_t)rate * ms / 1000;
		while (started < target) {
			/* vfork: the cheapest process there is, so that the
			 * spawner reaches the rate on two cores */
			pid_t p = vfork();

			if (p == 0)
				_exit(0);
			if (p > 0)
				started++;
			else if (errno != EAGAIN)
				break;
		}
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	if (write(fd, &started, sizeof(started)) != sizeof(started))
		_exit(2);
	_exit(0);
}

/* One run; 0 budgets met, 1 missed, 2 could not run. */
static int run(enum st_exit_mode want, unsigned rate, unsigned secs, uint32_t rcvbuf,
	       unsigned batch_ms)
{
	static struct st_event_source src;
	struct counts c = { 0, 0, 0, 0 };
	struct pollfd fds[2];
	uint64_t started = 0;
	int res[2], go[2], st, ok;
	double t0, t_end, cpu0, cpu, took, us;
	size_t n;

	memset(children, 0, sizeof(children));
	memset(exited_first, 0, sizeof(exited_first));
	if (st_event_source_open(&src, want, rcvbuf) != want) {
		printf("bench_events: %s not available here: not run\n", st_exit_mode_name(want));
		st_event_source_close(&src);
		return 2;
	}
	if (pipe(res) < 0 || pipe(go) < 0)
		return 2;
	c.spawner = fork();
	if (c.spawner < 0)
		return 2;
	if (c.spawner == 0) {
		close(res[0]);
		close(go[1]);
		spawner(res[1], rate, secs, go[0]);
	}
	close(res[1]);
	close(go[0]);
	n = st_event_source_fill(&src, fds, 2);
	cpu0 = thread_cpu_s();
	t0 = now_s();
	if (write(go[1], "g", 1) != 1)
		return 2;
	t_end = 0;
	for (;;) {
		if (poll(fds, n, 100) > 0) {
			st_event_source_drain(&src, fds, n, DRAIN_MAX, on_event, &c);
			if (batch_ms) {
				struct timespec d = { 0, (long)batch_ms * 1000000L };

				nanosleep(&d, NULL);
			}
		}
		if (!t_end && waitpid(c.spawner, &st, WNOHANG) == c.spawner) {
			t_end = now_s();
			if (read(res[0], &started, sizeof(started)) != sizeof(started))
				started = 0;
		}
		/* after the spawner: until every exit is in, or 1 s */
		if (t_end && (c.exits >= started || now_s() - t_end > 1.0))
			break;
	}
	cpu = thread_cpu_s() - cpu0;
	took = t_end - t0;
	close(res[0]);
	close(go[1]);
	us = c.exits ? cpu * 1e6 / (double)c.exits : 0;
	ok = c.exits == started && src.lost_overruns == 0 && us <= BUDGET_US_PER_EXIT &&
	     started > 0;
	printf("bench_events: %s, receive buffer %u KiB asked, %u KiB granted, a drain every "
	       "%u ms\n", st_exit_mode_name(want), rcvbuf / 1024, src.rcvbuf_bytes / 2 / 1024,
	       batch_ms);
	printf("  spawned %llu in %.1f s (%.0f/s; asked %u/s)\n", (unsigned long long)started, took,
	       took > 0 ? (double)started / took : 0, rate);
	printf("  exits received %llu, missing %lld, forks %llu, all events %llu; "
	       "lost_overruns %llu (budget: 0), malformed %llu\n",
	       (unsigned long long)c.exits, (long long)started - (long long)c.exits,
	       (unsigned long long)c.forks, (unsigned long long)c.all,
	       (unsigned long long)src.lost_overruns, (unsigned long long)src.malformed);
	printf("  draining thread: %.3f s CPU, %.2f us per exit event (budget <= %.0f us)%s\n", cpu,
	       us, BUDGET_US_PER_EXIT, ok ? "" : "  MISSED");
	st_event_source_close(&src);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 's' },
		{ "rcvbuf", required_argument, NULL, 'b' },
		{ "mode", required_argument, NULL, 'm' },
		{ "batch-ms", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned rate = 10000, secs = 10, batch_ms = BATCH_MS;
	uint32_t rcvbuf = ST_EVENT_RCVBUF_DEFAULT;
	const char *mode = "all";
	int o, rc = 0, r, ran = 0;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'r': rate = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': secs = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'b': rcvbuf = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'm': mode = optarg; break;
		case 'B': batch_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench_events [--rate N] [--seconds S] [--rcvbuf BYTES] "
					"[--batch-ms MS] [--mode proc_connector|taskstats|all]\n");
			return 2;
		}
	}
	if (!rate || !secs || !rcvbuf) {
		fprintf(stderr, "bench_events: --rate, --seconds and --rcvbuf must be > 0\n");
		return 2;
	}
	st_log_set_level(ST_LOG_WARNING);
	if (strcmp(mode, "all") && st_exit_mode_from_name(mode) <= ST_EXIT_MODE_CUTIME) {
		fprintf(stderr, "bench_events: --mode '%s': proc_connector, taskstats or all\n", mode);
		return 2;
	}
	if (!strcmp(mode, "all") || !strcmp(mode, "proc_connector")) {
		r = run(ST_EXIT_MODE_PROC_CONNECTOR, rate, secs, rcvbuf, batch_ms);
		ran += r != 2;
		rc = r == 1 ? 1 : rc;
	}
	if (!strcmp(mode, "all") || !strcmp(mode, "taskstats")) {
		r = run(ST_EXIT_MODE_TASKSTATS, rate, secs, rcvbuf, batch_ms);
		ran += r != 2;
		rc = r == 1 ? 1 : rc;
	}
	return ran ? rc : 2;
}
