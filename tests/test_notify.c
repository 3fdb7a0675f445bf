/*
 * Tests for core/daemon/notify.c against a real AF_UNIX datagram socket standing
 * in for systemd's: a path, the abstract namespace, no socket at all, and
 * addresses that are not ones.
 */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "daemon/notify.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A listening socket bound to name ("@x": abstract); -1 on failure. */
static int listener(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0) {
		close(fd);
		return -1;
	}
	struct timeval tv = { .tv_sec = 5 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void expect_datagram(int fd, const char *want)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
	CU_ASSERT_FATAL(n >= 0);
	buf[n] = '\0';
	CU_ASSERT_STRING_EQUAL(buf, want);
}

static void test_path_socket(void)
{
	char *dir = st_test_mkdtemp();
	char path[512], err[256] = "";
	snprintf(path, sizeof(path), "%s/notify", dir);
	int fd = listener(path);
	CU_ASSERT_FATAL(fd >= 0);
	setenv("NOTIFY_SOCKET", path, 1);
	CU_ASSERT_EQUAL(st_notify("READY=1", err, sizeof(err)), 0);
	expect_datagram(fd, "READY=1");
	CU_ASSERT_EQUAL(st_notify("STOPPING=1", err, sizeof(err)), 0);
	expect_datagram(fd, "STOPPING=1");
	close(fd);
	unlink(path);
	rmdir(dir);
	free(dir);
	unsetenv("NOTIFY_SOCKET");
}

static void test_abstract_socket(void)
{
	char name[64], err[256] = "";
	snprintf(name, sizeof(name), "@spiketrace-test-notify-%d", (int)getpid());
	int fd = listener(name);
	CU_ASSERT_FATAL(fd >= 0);
	setenv("NOTIFY_SOCKET", name, 1);
	CU_ASSERT_EQUAL(st_notify("RELOADING=1", err, sizeof(err)), 0);
	expect_datagram(fd, "RELOADING=1");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static void test_no_socket_is_no_error(void)
{
	char err[256] = "";
	unsetenv("NOTIFY_SOCKET");
	CU_ASSERT_EQUAL(st_notify("READY=1", err, sizeof(err)), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	CU_ASSERT_EQUAL(st_notify("READY=1", err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	unsetenv("NOTIFY_SOCKET");
}

static void test_bad_addresses(void)
{
	char err[256] = "", longname[200];
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	CU_ASSERT_EQUAL(st_notify("READY=1", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "NOTIFY_SOCKET relative/path: not a unix socket address"));
	memset(longname, 'x', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	setenv("NOTIFY_SOCKET", longname, 1);
	CU_ASSERT_EQUAL(st_notify("READY=1", err, sizeof(err)), -1);
	/* Nobody bound there: the reason names the socket. */
	setenv("NOTIFY_SOCKET", "/nonexistent/spiketrace-notify", 1);
	CU_ASSERT_EQUAL(st_notify("READY=1", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/spiketrace-notify: No such file"));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "a socket path", test_path_socket },
		{ "the abstract namespace", test_abstract_socket },
		{ "no NOTIFY_SOCKET: nothing to do", test_no_socket_is_no_error },
		{ "addresses that are not ones", test_bad_addresses },
		CU_TEST_INFO_NULL,
	};

	return st_test_run("notify", tests);
}
