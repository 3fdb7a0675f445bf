/* Test helper: a process that holds MIB mebibytes of its own, then forks
 * a child that shares every one of those pages (copy-on-write) without
 * touching any: the child's RSS is MIB at birth, though it took nothing.
 *
 *   fork_hog MIB HOLD_MS DIR
 *
 * Touches its memory, writes DIR/ready, waits for SIGUSR1, forks, writes
 * the child's pid to DIR/child, and both hold HOLD_MS before exiting (the
 * child sooner if the parent is killed). */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t go;

static void on_usr1(int sig)
{
	(void)sig;
	go = 1;
}

/* Written through a temp name, so a reader never sees half a file. */
static int put(const char *dir, const char *name, long value)
{
	char tmp[4096], path[4096];
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%ld\n", value) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		perror("fork_hog: write");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: fork_hog MIB HOLD_MS DIR\n");
		return 2;
	}
	size_t len = (size_t)atol(argv[1]) << 20;
	useconds_t hold_us = (useconds_t)atol(argv[2]) * 1000;
	const char *dir = argv[3];

	sigset_t usr1, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);

	/* Through a volatile pointer: an unread malloc + memset is dead code
	 * to the compiler, and the pages would never be resident. */
	volatile char *p = malloc(len);
	if (!p) {
		perror("fork_hog: malloc");
		return 1;
	}
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 0x5a;
	if (put(dir, "ready", (long)getpid()) != 0)
		return 1;
	while (!go)
		sigsuspend(&old);

	pid_t child = fork();
	if (child < 0) {
		perror("fork_hog: fork");
		return 1;
	}
	if (child == 0) {
		/* Ends with its parent: the test stops only the pids it started. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(0);
		usleep(hold_us);        /* shares, never writes */
		_exit(0);
	}
	if (put(dir, "child", (long)child) != 0)
		return 1;
	usleep(hold_us);
	int status;
	waitpid(child, &status, 0);
	return p[0] == 0x5a ? 0 : 1;
}
