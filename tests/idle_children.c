/* Test helper: fork N children that sleep in pause(), to give the sampler
 * a process table of a busy server. Prints N once they all exist, then
 * waits for SIGTERM or SIGINT (or MAX_S seconds, so that a lost helper
 * cannot outlive its test), kills its children by pid and reaps them.
 * A child also dies with its parent (PR_SET_PDEATHSIG). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void kill_all(const pid_t *pids, long n)
{
	for (long i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (long i = 0; i < n; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: idle_children N [MAX_S]\n");
		return 2;
	}
	long n = atol(argv[1]);
	long max_s = argc == 3 ? atol(argv[2]) : 300;
	if (n < 0 || n > 1000000 || max_s <= 0) {
		fprintf(stderr, "idle_children: bad arguments\n");
		return 2;
	}
	pid_t *pids = calloc((size_t)n + 1, sizeof(*pids));
	if (!pids) {
		fprintf(stderr, "idle_children: out of memory\n");
		return 1;
	}
	/* Blocked before forking, so that a SIGTERM arriving while we fork
	 * waits for sigtimedwait instead of leaving children behind. */
	sigset_t stop, old;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, &old);
	pid_t parent = getpid();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "idle_children: fork %ld of %ld: %s\n", i + 1, n,
				strerror(errno));
			kill_all(pids, i);
			return 1;
		}
		if (pid == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			for (;;)
				pause();
		}
		pids[i] = pid;
	}
	printf("%ld\n", n);
	fflush(stdout);
	struct timespec limit = { .tv_sec = max_s };
	while (sigtimedwait(&stop, NULL, &limit) < 0 && errno == EINTR)
		;
	kill_all(pids, n);
	free(pids);
	return 0;
}
