/* Test helper: how late this machine wakes a thread that does nothing
 * else, on each CPU. One thread per online CPU, pinned to it, sleeps on
 * an absolute CLOCK_MONOTONIC grid of STEP_US and writes a line
 * "CPU DUE_NS WOKE_NS" to OUT for every wake-up later than 1 ms, so that
 * a test can tell the daemon's own lateness from the machine's: a virtual
 * CPU that its host stops (CPU quota, steal) delays every thread on it
 * for up to the host's period, whatever its priority, and no code of
 * ours can help that. The threads run with the scheduling the helper was
 * started with (chrt, as the daemon is), until SIGTERM or SIGINT, or
 * MAX_S seconds so that a lost helper cannot outlive its test. At the
 * end each writes "# cpu N: wake-ups W, latest LATEST_NS". */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STALL_NS 1000000
#define MAX_CPUS 1024

struct probe {
	pthread_t thread;
	int cpu, running;
	int64_t step, end;
};

static volatile sig_atomic_t stop;
static FILE *out;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *run_probe(void *arg)
{
	struct probe *p = arg;
	int64_t due = mono_ns(), latest = 0;
	unsigned long wakeups = 0;
	while (!stop && due < p->end) {
		due += p->step;
		struct timespec ts = { due / 1000000000, due % 1000000000 };
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
			continue;
		int64_t woke = mono_ns();
		wakeups++;
		if (woke - due > latest)
			latest = woke - due;
		if (woke - due > STALL_NS) {
			pthread_mutex_lock(&out_lock);
			fprintf(out, "%d %lld %lld\n", p->cpu, (long long)due, (long long)woke);
			fflush(out);
			pthread_mutex_unlock(&out_lock);
		}
		/* After a stall longer than a step, the grid goes on from now:
		 * one line covers the whole stall. */
		if (woke - due >= p->step)
			due += (woke - due) / p->step * p->step;
	}
	pthread_mutex_lock(&out_lock);
	fprintf(out, "# cpu %d: wake-ups %lu, latest %lld\n", p->cpu, wakeups, (long long)latest);
	pthread_mutex_unlock(&out_lock);
	return NULL;
}

static void *wait_for_signal(void *arg)
{
	sigset_t *set = arg;
	int sig;
	sigwait(set, &sig);
	stop = 1;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: latency_probe STEP_US OUT [MAX_S]\n");
		return 2;
	}
	long step_us = atol(argv[1]);
	long max_s = argc == 4 ? atol(argv[3]) : 300;
	if (step_us <= 0 || step_us > 10000000 || max_s <= 0) {
		fprintf(stderr, "latency_probe: bad arguments\n");
		return 2;
	}
	/* Blocked everywhere; one thread takes them with sigwait. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	cpu_set_t online;
	if (sched_getaffinity(0, sizeof(online), &online) < 0) {
		fprintf(stderr, "latency_probe: sched_getaffinity: %s\n", strerror(errno));
		return 1;
	}
	static struct probe probes[MAX_CPUS];
	int n = 0;
	int64_t end = mono_ns() + (int64_t)max_s * 1000000000;
	for (int cpu = 0; cpu < MAX_CPUS && cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &online))
			probes[n++] = (struct probe){ .cpu = cpu, .step = step_us * 1000LL, .end = end };
	out = fopen(argv[2], "w");
	if (!out) {
		fprintf(stderr, "latency_probe: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	pthread_t waiter;
	if (pthread_create(&waiter, NULL, wait_for_signal, &set) != 0) {
		fprintf(stderr, "latency_probe: cannot start a thread\n");
		return 1;
	}
	pthread_detach(waiter);
	int started = 0;
	for (int i = 0; i < n; i++) {
		pthread_attr_t attr;
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(probes[i].cpu, &one);
		pthread_attr_init(&attr);
		/* The creator's policy and priority: what chrt gave us. */
		pthread_attr_setinheritsched(&attr, PTHREAD_INHERIT_SCHED);
		pthread_attr_setaffinity_np(&attr, sizeof(one), &one);
		probes[i].running = pthread_create(&probes[i].thread, &attr, run_probe,
						   &probes[i]) == 0;
		if (probes[i].running)
			started++;
		else
			fprintf(stderr, "latency_probe: no thread for cpu %d\n", probes[i].cpu);
		pthread_attr_destroy(&attr);
	}
	for (int i = 0; i < n; i++)
		if (probes[i].running)
			pthread_join(probes[i].thread, NULL);
	return started == n && fclose(out) == 0 ? 0 : 1;
}
