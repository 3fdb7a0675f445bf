/* The sink queue (core/engine/sink_queue.c) with a sink that blocks until the
 * test lets it go: pausing for a reload never waits for a slow sink, nor
 * delivers the queued dumps; they go to the sinks as they are after it. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cunit_runner.h"
#include "dump/dump.h"
#include "engine/engine.h"
#include "plugin/host.h"
#include "engine/sink_queue.h"

#define WAIT_S 10       /* bound on every wait for a state */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int entered;     /* emits started */
static int released;    /* emits allowed to finish */

/* One sink instance: what it was given. */
struct instance {
	int got;
	char ids[8][64];
};

static int blocking_emit(void *state, const struct st_dump *dump, const char *json,
			 size_t len)
{
	struct instance *in = state;
	(void)json;
	(void)len;
	pthread_mutex_lock(&mu);
	int me = ++entered;
	pthread_cond_broadcast(&cv);
	while (released < me)
		pthread_cond_wait(&cv, &mu);
	if (in->got < 8)
		snprintf(in->ids[in->got], sizeof(in->ids[0]), "%s", dump->id);
	in->got++;
	pthread_mutex_unlock(&mu);
	return 0;
}

static const struct st_plugin blocking_sink = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_SINK,
	.name = "blocking",
	.emit = blocking_emit,
};

/* Waits until *counter >= n (under mu), at most WAIT_S seconds. */
static int wait_count(const int *counter, int n)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_S;
	pthread_mutex_lock(&mu);
	int rc = 0;
	while (*counter < n && rc == 0)
		rc = pthread_cond_timedwait(&cv, &mu, &until);
	int ok = *counter >= n;
	pthread_mutex_unlock(&mu);
	return ok;
}

static void release(int upto)
{
	pthread_mutex_lock(&mu);
	released = upto;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static int got(struct instance *in)
{
	pthread_mutex_lock(&mu);
	int n = in->got;
	pthread_mutex_unlock(&mu);
	return n;
}

static struct st_dump *dump_named(const char *id)
{
	struct st_dump *d = st_dump_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	snprintf(d->id, sizeof(d->id), "%s", id);
	return d;
}

static int fd_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static void reset(void)
{
	entered = released = 0;
}

/*
 * A reload while the sink is stuck in a dump: asking for the pause
 * returns at once, the pause comes when that dump is done, the two dumps
 * queued behind it are not delivered first, and after the swap they go
 * to the new instance.
 */
static void test_pause_never_waits_nor_drains(void)
{
	struct instance old_sink = { 0 }, new_sink = { 0 };
	struct st_loaded_plugin item = { .desc = &blocking_sink, .state = &old_sink,
					 .running = 1 };
	struct st_plugin_set set = { .n = 1, .items = &item };
	struct st_sink_queue q;
	reset();
	CU_ASSERT_FATAL(st_sink_queue_start(&q, &set, 8) == 0);

	st_sink_queue_push(&q, dump_named("first"));
	CU_ASSERT_FATAL(wait_count(&entered, 1));       /* stuck in it */
	st_sink_queue_push(&q, dump_named("second"));
	st_sink_queue_push(&q, dump_named("third"));

	/* Returns while the sink is still stuck: it cannot have waited. */
	st_sink_queue_pause(&q);
	CU_ASSERT_FALSE(st_sink_queue_take_paused(&q));
	CU_ASSERT_FALSE(fd_readable(st_sink_queue_paused_fd(&q), 0));

	release(1);
	CU_ASSERT_FATAL(fd_readable(st_sink_queue_paused_fd(&q), WAIT_S * 1000));
	CU_ASSERT_TRUE(st_sink_queue_take_paused(&q));
	CU_ASSERT_EQUAL(got(&old_sink), 1);
	pthread_mutex_lock(&q.lock);
	CU_ASSERT_EQUAL(q.len, 2);      /* queued, not drained */
	pthread_mutex_unlock(&q.lock);
	/* Paused: the worker waits for the resume, so no other emit began. */
	release(3);
	pthread_mutex_lock(&mu);
	CU_ASSERT_EQUAL(entered, 1);
	pthread_mutex_unlock(&mu);

	/* The reload: the sink recreated while nothing uses it. */
	item.state = &new_sink;
	st_sink_queue_resume(&q);
	CU_ASSERT_FATAL(wait_count(&new_sink.got, 2));
	CU_ASSERT_EQUAL(got(&old_sink), 1);
	CU_ASSERT_STRING_EQUAL(old_sink.ids[0], "first");
	CU_ASSERT_STRING_EQUAL(new_sink.ids[0], "second");
	CU_ASSERT_STRING_EQUAL(new_sink.ids[1], "third");
	st_sink_queue_stop(&q);         /* joined: its counters are final */
	CU_ASSERT_EQUAL(q.delivered, 3);
}

/* An idle worker pauses at once; stopping a paused queue still delivers
 * what is queued (the exit path), and a queue not running counts as
 * paused (nothing touches the sinks). */
static void test_idle_pause_and_stop_while_paused(void)
{
	struct instance sink = { 0 };
	struct st_loaded_plugin item = { .desc = &blocking_sink, .state = &sink, .running = 1 };
	struct st_plugin_set set = { .n = 1, .items = &item };
	struct st_sink_queue q;
	reset();
	release(100);
	CU_ASSERT_FATAL(st_sink_queue_start(&q, &set, 8) == 0);
	st_sink_queue_pause(&q);
	CU_ASSERT_FATAL(fd_readable(st_sink_queue_paused_fd(&q), WAIT_S * 1000));
	CU_ASSERT_TRUE(st_sink_queue_take_paused(&q));
	st_sink_queue_push(&q, dump_named("at exit"));
	st_sink_queue_stop(&q);
	CU_ASSERT_EQUAL(sink.got, 1);
	CU_ASSERT_STRING_EQUAL(sink.ids[0], "at exit");
	CU_ASSERT_EQUAL(st_sink_queue_paused_fd(&q), -1);
	CU_ASSERT_TRUE(st_sink_queue_take_paused(&q));
}

/* A full queue drops its oldest waiting dump (not the one the sink is in)
 * and counts it; a sink reads the count through its host table. */
static void test_full_drops_oldest_and_counts(void)
{
	struct instance sink = { 0 };
	struct st_loaded_plugin item = { .desc = &blocking_sink, .state = &sink, .running = 1 };
	struct st_plugin_set set = { .n = 1, .items = &item };
	struct st_sink_queue q;
	reset();
	CU_ASSERT_FATAL(st_sink_queue_start(&q, &set, 2) == 0);
	st_sink_queue_push(&q, dump_named("first"));
	CU_ASSERT_FATAL(wait_count(&entered, 1));
	st_sink_queue_push(&q, dump_named("second"));
	st_sink_queue_push(&q, dump_named("third"));
	st_sink_queue_push(&q, dump_named("fourth"));

	struct st_engine engine = { .sink_queue = &q };
	struct st_host host;
	st_host_init(&host, "a sink", "/proc", 1);
	host.core = &engine;
	CU_ASSERT_TRUE_FATAL(ST_HOST_HAS(&host, dumps_dropped));
	CU_ASSERT_EQUAL(host.dumps_dropped(&host), 1);
	engine.sink_queue = NULL;
	CU_ASSERT_EQUAL(host.dumps_dropped(&host), 0);

	release(3);
	st_sink_queue_stop(&q);
	CU_ASSERT_EQUAL(sink.got, 3);
	CU_ASSERT_STRING_EQUAL(sink.ids[1], "third");
	CU_ASSERT_STRING_EQUAL(sink.ids[2], "fourth");
	CU_ASSERT_EQUAL(st_sink_queue_dropped(&q), 1);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "pause for a reload: never waits for a slow sink, drains nothing",
		  test_pause_never_waits_nor_drains },
		{ "idle pause; stop while paused delivers the queue",
		  test_idle_pause_and_stop_while_paused },
		{ "a full queue drops the oldest and counts it", test_full_drops_oldest_and_counts },
		CU_TEST_INFO_NULL,
	};
	/* A pause that waited for the stuck sink would hang: bounded. */
	alarm(60);
	return st_test_run("sink_queue", tests);
}
