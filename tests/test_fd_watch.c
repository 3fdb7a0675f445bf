/* The poll loop's fd watches on their own: ready() with what poll said,
 * unwatch, a full table, dead fds (closed, hung up, in error) ending their
 * watch once, and the watches of a gone instance swept. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cunit_runner.h"
#include "engine/fd_watch.h"

struct calls {
	int n;
	int32_t fd;
	uint32_t revents;
	struct st_fd_watches *ws;   /* for a ready() that ends another watch */
	const struct st_host *owner;
	int32_t end;
};

static void ready(void *arg, int32_t fd, uint32_t revents)
{
	struct calls *c = arg;
	c->n++;
	c->fd = fd;
	c->revents = revents;
	if (c->end)
		st_fd_watch_remove(c->ws, c->owner, c->end);
}

static const struct st_host host_a = { .plugin_name = "alpha" };
static const struct st_host host_b = { .plugin_name = "beta" };

/* One pass of the loop: fill, poll without waiting, dispatch. Returns
 * how many fds poll reported. */
static int loop_once(struct st_fd_watches *ws)
{
	struct pollfd fds[ST_FD_WATCH_MAX];
	size_t n = st_fd_watch_fill(ws, fds, ST_FD_WATCH_MAX);
	int ready_n = poll(fds, n, 0);
	CU_ASSERT(ready_n >= 0);
	st_fd_watch_dispatch(ws, fds, n);
	return ready_n;
}

/* The same with stderr caught: what was said, to be freed. close_first
 * is closed once stderr is caught, so no file opened for it takes the
 * number (-1: none). */
static char *loop_once_said(struct st_fd_watches *ws, int close_first)
{
	char *dir = st_test_mkdtemp(), path[4096];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	int saved = st_test_stderr_to(path);
	if (close_first >= 0)
		close(close_first);
	loop_once(ws);
	st_test_stderr_back(saved);
	char *said = st_test_slurp(path);
	st_test_rmtree(dir);
	free(dir);
	return said;
}

/* ws with one watch of alpha's on a new pipe's end p[end]. */
static void watch_pipe(struct st_fd_watches *ws, int p[2], int end, uint32_t events,
		       struct calls *c)
{
	char err[160];
	st_fd_watches_init(ws);
	CU_ASSERT_FATAL(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
	CU_ASSERT(st_fd_watch_add(ws, &host_a, p[end], events, ready, c, err, sizeof(err)) > 0);
}

static void test_ready_called_with_pollin(void)
{
	struct st_fd_watches ws;
	struct calls c = { 0 };
	char err[160];
	int p[2];
	watch_pipe(&ws, p, 0, POLLIN, &c);
	int32_t id = ws.w[0].id;
	CU_ASSERT_EQUAL(st_fd_watch_count(&ws), 1);

	loop_once(&ws);
	CU_ASSERT_EQUAL(c.n, 0);            /* nothing to read yet */
	CU_ASSERT_EQUAL(write(p[1], "x", 1), 1);
	loop_once(&ws);
	CU_ASSERT_EQUAL(c.n, 1);
	CU_ASSERT_EQUAL(c.fd, p[0]);
	CU_ASSERT_EQUAL(c.revents, POLLIN);
	CU_ASSERT_EQUAL(ws.wakes, 1);
	CU_ASSERT_EQUAL(st_fd_watch_count(&ws), 1);     /* it stays */

	/* Ended: not polled any more, though still readable. */
	CU_ASSERT_EQUAL(st_fd_watch_remove(&ws, &host_b, id), -1);   /* not beta's */
	CU_ASSERT_EQUAL(st_fd_watch_remove(&ws, &host_a, id), 0);
	CU_ASSERT_EQUAL(st_fd_watch_remove(&ws, &host_a, id), -1);   /* gone already */
	CU_ASSERT_EQUAL(st_fd_watch_count(&ws), 0);
	struct pollfd fds[ST_FD_WATCH_MAX];
	CU_ASSERT_EQUAL(st_fd_watch_fill(&ws, fds, ST_FD_WATCH_MAX), 0);
	loop_once(&ws);
	CU_ASSERT_EQUAL(c.n, 1);

	/* A new watch gets a new id: the old one ends nothing. */
	int32_t id2 = st_fd_watch_add(&ws, &host_a, p[0], POLLIN, ready, &c, err, sizeof(err));
	CU_ASSERT(id2 > id);
	CU_ASSERT_EQUAL(st_fd_watch_remove(&ws, &host_a, id), -1);
	CU_ASSERT_EQUAL(st_fd_watch_count(&ws), 1);
	close(p[0]);
	close(p[1]);
}

static void test_refusals(void)
{
	struct st_fd_watches ws;
	struct calls c = { 0 };
	char err[160];
	int fds[ST_FD_WATCH_MAX + 1];
	st_fd_watches_init(&ws);
	for (int i = 0; i <= ST_FD_WATCH_MAX; i++)
		CU_ASSERT_FATAL((fds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) >= 0);
	for (int i = 0; i < ST_FD_WATCH_MAX; i++)
		CU_ASSERT(st_fd_watch_add(&ws, &host_a, fds[i], POLLIN, ready, &c,
					  err, sizeof(err)) > 0);
	CU_ASSERT_EQUAL(st_fd_watch_add(&ws, &host_a, fds[ST_FD_WATCH_MAX], POLLIN, ready,
					&c, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "all 16 fd watches are taken");

	CU_ASSERT_EQUAL(st_fd_watch_remove(&ws, &host_a, 1), 0);
	CU_ASSERT_EQUAL(st_fd_watch_add(&ws, &host_b, fds[1], POLLIN, ready, &c,
					err, sizeof(err)), -1);
	char want[160];
	snprintf(want, sizeof(want), "fd %d is watched already (by alpha)", fds[1]);
	CU_ASSERT_STRING_EQUAL(err, want);

	CU_ASSERT_EQUAL(st_fd_watch_add(&ws, &host_b, fds[ST_FD_WATCH_MAX], 0, ready, &c,
					err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "events 0x0: expected poll(2) bits"));
	CU_ASSERT_EQUAL(st_fd_watch_add(&ws, &host_b, fds[ST_FD_WATCH_MAX], POLLERR, ready,
					&c, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(st_fd_watch_add(&ws, &host_b, fds[ST_FD_WATCH_MAX], POLLIN | 0x10000,
					ready, &c, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(st_fd_watch_add(&ws, &host_b, fds[ST_FD_WATCH_MAX], POLLIN, NULL, &c,
					err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "no ready() to call");
	CU_ASSERT_EQUAL(st_fd_watch_add(&ws, &host_b, -1, POLLIN, ready, &c,
					err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "fd -1 is not open");
	close(fds[ST_FD_WATCH_MAX]);
	CU_ASSERT_EQUAL(st_fd_watch_add(&ws, &host_b, fds[ST_FD_WATCH_MAX], POLLIN, ready,
					&c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "fd %d is not open", fds[ST_FD_WATCH_MAX]);
	CU_ASSERT_STRING_EQUAL(err, want);
	/* The slot freed above takes one more. */
	CU_ASSERT(st_fd_watch_add(&ws, &host_b, fds[0], POLLIN, ready, &c,
				  err, sizeof(err)) > 0);
	CU_ASSERT_EQUAL(st_fd_watch_count(&ws), ST_FD_WATCH_MAX);
	for (int i = 0; i < ST_FD_WATCH_MAX; i++)
		close(fds[i]);
}

/* A dead fd (close_first is closed first, or -1): what poll said reaches
 * ready() once, the watch ends, said with the plugin's name and why, and
 * the next poll does not see the fd again: no spinning. */
static void expect_ended(struct st_fd_watches *ws, struct calls *c, int close_first,
			 uint32_t revents, const char *why)
{
	int before = c->n;
	char *said = loop_once_said(ws, close_first);
	CU_ASSERT_EQUAL(c->n, before + 1);
	CU_ASSERT_EQUAL(c->revents & revents, revents);
	CU_ASSERT_EQUAL(st_fd_watch_count(ws), 0);
	if (!strstr(said, why)) {
		fprintf(stderr, "\n    said \"%s\", not \"%s\"", said, why);
		CU_FAIL("the end of the watch is said");
	}
	free(said);
	CU_ASSERT_EQUAL(loop_once(ws), 0);
	CU_ASSERT_EQUAL(c->n, before + 1);
}

/* Closed without unwatch_fd: POLLNVAL. */
static void test_closed_fd_ends_watch(void)
{
	struct st_fd_watches ws;
	struct calls c = { 0 };
	char why[160];
	int p[2];
	watch_pipe(&ws, p, 0, POLLIN, &c);
	snprintf(why, sizeof(why), "plugin alpha: fd %d is not open (POLLNVAL)", p[0]);
	expect_ended(&ws, &c, p[0], POLLNVAL, why);
	close(p[1]);
}

/* The writer gone: POLLHUP, with the data left. */
static void test_hangup_ends_watch(void)
{
	struct st_fd_watches ws;
	struct calls c = { 0 };
	int p[2];
	watch_pipe(&ws, p, 0, POLLIN, &c);
	CU_ASSERT_EQUAL(write(p[1], "x", 1), 1);
	expect_ended(&ws, &c, p[1], POLLIN | POLLHUP, "hung up (POLLHUP); no longer watched");
	close(p[0]);
}

/* POLLERR (a pipe's write end without a reader) ends a watch, unless its
 * events hold POLLERR: then it stays until it has been reported on
 * ST_FD_WATCH_ERROR_WAKES wakes in a row. */
static void test_errors(void)
{
	struct st_fd_watches ws;
	struct calls c = { 0 };
	char err[160];
	int p[2];
	watch_pipe(&ws, p, 1, POLLOUT, &c);
	expect_ended(&ws, &c, p[0], POLLERR, "reported an error (POLLERR); no longer watched");

	c.n = 0;
	CU_ASSERT(st_fd_watch_add(&ws, &host_a, p[1], POLLOUT | POLLERR, ready, &c,
				  err, sizeof(err)) > 0);
	for (int i = 1; i < ST_FD_WATCH_ERROR_WAKES; i++)
		loop_once(&ws);
	CU_ASSERT_EQUAL(c.n, ST_FD_WATCH_ERROR_WAKES - 1);
	CU_ASSERT_EQUAL(st_fd_watch_count(&ws), 1);
	expect_ended(&ws, &c, -1, POLLERR, "reported an error on 1000 wakes in a row");
	close(p[1]);
}

/* A ready() that ends another watch before its turn: that one is not
 * called for what the same poll said. */
static void test_ready_ends_another(void)
{
	struct st_fd_watches ws;
	struct calls c1 = { 0 }, c2 = { 0 };
	char err[160];
	int a = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC), b = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
	st_fd_watches_init(&ws);
	CU_ASSERT_FATAL(a >= 0 && b >= 0);
	CU_ASSERT(st_fd_watch_add(&ws, &host_a, a, POLLIN, ready, &c1, err, sizeof(err)) > 0);
	int32_t idb = st_fd_watch_add(&ws, &host_b, b, POLLIN, ready, &c2, err, sizeof(err));
	c1 = (struct calls){ .ws = &ws, .owner = &host_b, .end = idb };
	CU_ASSERT_EQUAL(loop_once(&ws), 2);
	CU_ASSERT_EQUAL(c1.n, 1);
	CU_ASSERT_EQUAL(c2.n, 0);
	CU_ASSERT_EQUAL(st_fd_watch_count(&ws), 1);
	close(a);
	close(b);
}

/* Keeps alpha's watches of the current epoch only. */
static int keep_alpha_now(void *ctx, const struct st_fd_watch *w)
{
	const struct st_fd_watches *ws = ctx;
	return w->owner == &host_a && w->epoch == ws->epoch;
}

/* The watches of an instance that is gone are removed, each said with
 * its plugin's name; the running instance's stay. */
static void test_sweep_gone_instances(void)
{
	struct st_fd_watches ws;
	struct calls c = { 0 };
	char err[160];
	int fd[3];
	st_fd_watches_init(&ws);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_FATAL((fd[i] = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC)) >= 0);
	/* alpha's old instance, then (SIGHUP) its new one and beta */
	CU_ASSERT(st_fd_watch_add(&ws, &host_a, fd[0], POLLIN, ready, &c, err, sizeof(err)) > 0);
	ws.epoch++;
	int32_t kept = st_fd_watch_add(&ws, &host_a, fd[1], POLLIN, ready, &c, err, sizeof(err));
	CU_ASSERT(st_fd_watch_add(&ws, &host_b, fd[2], POLLIN, ready, &c, err, sizeof(err)) > 0);

	char *dir = st_test_mkdtemp(), path[4096];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	int saved = st_test_stderr_to(path);
	size_t removed = st_fd_watch_sweep(&ws, keep_alpha_now, &ws);
	st_test_stderr_back(saved);
	char *said = st_test_slurp(path);
	CU_ASSERT_EQUAL(removed, 2);
	CU_ASSERT_EQUAL(st_fd_watch_count(&ws), 1);
	char want[200];
	snprintf(want, sizeof(want), "plugin alpha: its instance is gone and left fd %d "
		 "watched", fd[0]);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, want));
	snprintf(want, sizeof(want), "plugin beta: its instance is gone and left fd %d "
		 "watched", fd[2]);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, want));
	free(said);
	st_test_rmtree(dir);
	free(dir);

	/* Only the kept one is polled. */
	loop_once(&ws);
	CU_ASSERT_EQUAL(c.n, 1);
	CU_ASSERT_EQUAL(c.fd, fd[1]);
	CU_ASSERT_EQUAL(st_fd_watch_remove(&ws, &host_a, kept), 0);
	for (int i = 0; i < 3; i++)
		close(fd[i]);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "ready() gets POLLIN; unwatch", test_ready_called_with_pollin },
		{ "refusals: full, twice, bad events, not open", test_refusals },
		{ "a closed fd's POLLNVAL ends its watch", test_closed_fd_ends_watch },
		{ "POLLHUP ends a watch", test_hangup_ends_watch },
		{ "POLLERR ends a watch unless it clears its own", test_errors },
		{ "a ready() ending another watch", test_ready_ends_another },
		{ "the watches of a gone instance are swept", test_sweep_gone_instances },
		CU_TEST_INFO_NULL,
	};

	return st_test_run("fd_watch", tests);
}
