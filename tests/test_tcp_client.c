/* The network sinks' TCP client (plugins/sinks/tcp_client.c): the name
 * lookup, bounded by the client's timeout and ended by a cancel like the
 * connect and the send. A name server that never answers is one of the
 * test's: in a child with its own mount and network namespaces (root),
 * /etc/resolv.conf names a UDP socket on the namespace's loopback that
 * reads nothing, so glibc's own timeouts (5 s, two attempts) would hold a
 * plain getaddrinfo for 10 s. The child is this program run again
 * (--child), so that valgrind, which does not follow an exec, does not
 * count the lookups it leaves to the resolver at its exit. */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "../plugins/sinks/tcp_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HUNG_NAME "collector.spiketrace.test"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A loopback listener on a free port; its port into port. */
static int listener(char *port, size_t len)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(listen(fd, 4) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&a, &al) == 0);
	snprintf(port, len, "%u", ntohs(a.sin_port));
	return fd;
}

/* A name from /etc/hosts and a numeric address go through the lookup and
 * reach the listener. */
static void test_lookup_and_connect(void)
{
	const char *hosts[] = { "127.0.0.1", "localhost" };
	char port[8], err[256];
	int lfd = listener(port, sizeof(port));

	for (size_t i = 0; i < 2; i++) {
		struct st_tcp_client c;
		CU_ASSERT_FATAL(st_tcp_init(&c, hosts[i], port, 2000) == 0);
		err[0] = '\0';
		int rc = st_tcp_send(&c, "5 hello", 7, err, sizeof(err));
		if (rc != 0)
			printf("\n  %s: %s\n", hosts[i], err);
		CU_ASSERT_EQUAL(rc, 0);
		int peer = accept(lfd, NULL, NULL);
		CU_ASSERT(peer >= 0);
		char got[16] = "";
		CU_ASSERT_EQUAL(recv(peer, got, 7, MSG_WAITALL), 7);
		CU_ASSERT_STRING_EQUAL(got, "5 hello");
		close(peer);
		st_tcp_free(&c);
	}
	close(lfd);
}

/* ------------------------------------------- a name server that hangs */

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) != 0 ? -1 : rc;
}

/* In this (child) process: a private view of /etc/resolv.conf and
 * /etc/nsswitch.conf (hosts from the files only, or from them and the
 * name server) and a network of its own whose loopback holds a name
 * server that never answers. NULL, or what failed. */
static const char *hang_name_server(const char *dir, bool dns)
{
	char resolv[512], nss[512];
	snprintf(resolv, sizeof(resolv), "%s/resolv.conf", dir);
	snprintf(nss, sizeof(nss), "%s/nsswitch.conf", dir);
	if (write_text(resolv, "nameserver 127.0.0.1\noptions timeout:5 attempts:2\n") < 0 ||
	    write_text(nss, dns ? "hosts: files dns\n" : "hosts: files\n") < 0)
		return "cannot write the test's resolver files";
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0)
		return "unshare";
	/* The kernel ignores the type of these; "none", not NULL, for
	 * valgrind, which checks the string. */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(resolv, "/etc/resolv.conf", "none", MS_BIND, NULL) < 0 ||
	    mount(nss, "/etc/nsswitch.conf", "none", MS_BIND, NULL) < 0)
		return "bind mounts over /etc/resolv.conf and /etc/nsswitch.conf";
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return "the namespace's loopback";
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return "bringing the namespace's loopback up";
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(53),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		return "binding the name server that never answers";
	return NULL;        /* s stays open and unread until the child exits */
}

struct canceller {
	struct st_tcp_client *c;
	int after_ms;
};

static void *cancel_later(void *arg)
{
	struct canceller *k = arg;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)k->after_ms * 1000000L };
	nanosleep(&ts, NULL);
	st_tcp_cancel(k->c);
	return NULL;
}

/* A name that does not exist is said as the resolver says it. */
static const char *unknown_name_checks(char *why, size_t len)
{
	struct st_tcp_client c;
	char err[256] = "";
	if (st_tcp_init(&c, HUNG_NAME, "514", 2000) < 0)
		return "st_tcp_init";
	int rc = st_tcp_send(&c, "x", 1, err, sizeof(err));
	st_tcp_free(&c);
	if (rc != -1 || strncmp(err, "cannot resolve " HUNG_NAME ": ", 17 + strlen(HUNG_NAME)) != 0 ||
	    strstr(err, "no answer") || strstr(err, "cancelled")) {
		snprintf(why, len, "unknown name: rc %d: %s", rc, err);
		return why;
	}
	return NULL;
}

/* The checks, in the child: NULL when all hold, else what did not. */
static const char *hung_lookup_checks(char *why, size_t len)
{
	struct st_tcp_client c;
	char err[256] = "";
	int64_t t0, took;

	/* Bounded by the timeout: 0.3 s, not the resolver's 10 s. */
	if (st_tcp_init(&c, HUNG_NAME, "514", 300) < 0)
		return "st_tcp_init";
	t0 = now_ms();
	int rc = st_tcp_send(&c, "x", 1, err, sizeof(err));
	took = now_ms() - t0;
	if (rc != -1 || took > 2000 ||
	    strcmp(err, "cannot resolve " HUNG_NAME ": no answer within 0.3 s") != 0) {
		snprintf(why, len, "timeout: rc %d after %lld ms: %s", rc, (long long)took, err);
		return why;
	}
	/* The lookup still running is dropped without waiting for it. */
	t0 = now_ms();
	st_tcp_free(&c);
	if ((took = now_ms() - t0) > 1000) {
		snprintf(why, len, "free waited %lld ms for the lookup", (long long)took);
		return why;
	}

	/* Ended by a cancel from another thread, well before its 20 s. */
	if (st_tcp_init(&c, HUNG_NAME, "514", 20000) < 0)
		return "st_tcp_init";
	struct canceller k = { .c = &c, .after_ms = 200 };
	pthread_t t;
	if (pthread_create(&t, NULL, cancel_later, &k) != 0)
		return "pthread_create";
	t0 = now_ms();
	rc = st_tcp_send(&c, "x", 1, err, sizeof(err));
	took = now_ms() - t0;
	pthread_join(t, NULL);
	st_tcp_free(&c);
	if (rc != -1 || took > 3000 || strcmp(err, "cannot resolve " HUNG_NAME ": cancelled") != 0) {
		snprintf(why, len, "cancel: rc %d after %lld ms: %s", rc, (long long)took, err);
		return why;
	}
	return NULL;
}

static const char *self;        /* this program, for the child */

/* This program again as the child MODE (hung, unknown): it says what
 * failed on its stdout. */
static void run_child(const char *mode)
{
	if (geteuid() != 0) {
		printf("\n  note: not root: the private name server is not tested\n");
		return;
	}
	if (access("/etc/resolv.conf", F_OK) != 0 || access("/etc/nsswitch.conf", F_OK) != 0) {
		printf("\n  note: no /etc/resolv.conf or /etc/nsswitch.conf to mount over\n");
		return;
	}
	char *dir = st_test_mkdtemp();
	int p[2];
	CU_ASSERT_FATAL(pipe(p) == 0);
	fflush(stdout);
	pid_t pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execl(self, self, "--child", mode, dir, (char *)NULL);
		printf("exec %s: %s", self, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	char said[512] = "";
	size_t got = 0;
	ssize_t n;
	while (got < sizeof(said) - 1 && (n = read(p[0], said + got, sizeof(said) - 1 - got)) > 0)
		got += (size_t)n;
	said[got] = '\0';
	close(p[0]);
	int status = 0;
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	if (said[0])
		printf("\n  %s\n", said);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	st_test_rmtree(dir);
	free(dir);
}

static void test_hung_name_server(void)
{
	run_child("hung");
}

static void test_unknown_name(void)
{
	run_child("unknown");
}

/* The child: its own name server, then the checks of MODE. */
static int child_main(const char *mode, const char *dir)
{
	char why[512];
	bool hung = strcmp(mode, "hung") == 0;
	alarm(30);      /* the old getaddrinfo took 10 s; never hang make check */
	const char *fail = hang_name_server(dir, hung);
	if (!fail)
		fail = hung ? hung_lookup_checks(why, sizeof(why)) : unknown_name_checks(why, sizeof(why));
	if (fail)
		fputs(fail, stdout);
	fflush(stdout);
	_exit(fail ? 1 : 0);    /* the lookups left running are the resolver's */
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--child") == 0)
		return child_main(argv[2], argv[3]);
	self = argv[0];
	CU_TestInfo tests[] = {
		{ "a name and an address are looked up and connected", test_lookup_and_connect },
		{ "a name that does not exist is said", test_unknown_name },
		{ "a hung name server: the timeout and a cancel end the lookup", test_hung_name_server },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("tcp_client", tests);
}
