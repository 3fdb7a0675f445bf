/* The network sinks' queue and sender thread (plugins/sinks/send_queue.c),
 * with a peer of the test's: it answers as told and records what arrived. */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "plugin_under_test.h"
#include "send_queue.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SECOND 1000000000LL

struct fake_peer {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int retry_first;        /* answer RETRY to this many calls */
	bool always_retry;
	bool hold;              /* deliver waits until released */
	bool holding;           /* a deliver is waiting */
	int calls, disconnects, cancels;
	char got[512];          /* the messages delivered, in order, ';' after each */
};

static struct fake_peer peer;
static struct st_host host;

static enum st_send_result fake_deliver(void *ctx, const char *msg, size_t len,
					char *err, size_t errlen)
{
	struct fake_peer *p = ctx;
	pthread_mutex_lock(&p->lock);
	p->calls++;
	p->holding = true;
	pthread_cond_broadcast(&p->cond);
	while (p->hold && !p->cancels)
		pthread_cond_wait(&p->cond, &p->lock);
	p->holding = false;
	enum st_send_result r = ST_SEND_OK;
	if (p->cancels) {
		snprintf(err, errlen, "cancelled");
		r = ST_SEND_RETRY;
	} else if (p->always_retry || p->retry_first > 0) {
		p->retry_first--;
		snprintf(err, errlen, "connection refused");
		r = ST_SEND_RETRY;
	} else if (len == 3 && memcmp(msg, "bad", 3) == 0) {
		snprintf(err, errlen, "status 400");
		r = ST_SEND_DROP;
	} else {
		CU_ASSERT_EQUAL(msg[len], '\0');
		size_t n = strlen(p->got);
		snprintf(p->got + n, sizeof(p->got) - n, "%.*s;", (int)len, msg);
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

static void fake_disconnect(void *ctx)
{
	struct fake_peer *p = ctx;
	pthread_mutex_lock(&p->lock);
	p->disconnects++;
	pthread_mutex_unlock(&p->lock);
}

/* As the sinks' cancel: from the stopping thread, sticky. */
static void fake_cancel(void *ctx)
{
	struct fake_peer *p = ctx;
	pthread_mutex_lock(&p->lock);
	p->cancels++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static const struct st_send_ops ops = { .deliver = fake_deliver, .disconnect = fake_disconnect,
					.cancel = fake_cancel };

static struct st_send_queue *start(size_t max_messages, size_t max_bytes, int64_t backoff_min)
{
	pthread_mutex_init(&peer.lock, NULL);
	pthread_cond_init(&peer.cond, NULL);
	host = st_test_sink_host("test");
	st_test_log_reset();
	struct st_send_limits limits = {
		.max_messages = max_messages, .max_bytes = max_bytes,
		.backoff_min_ns = backoff_min, .backoff_max_ns = 4 * backoff_min,
	};
	struct st_send_queue *q = st_send_queue_start(&host, "tcp 127.0.0.1:9", &limits,
						      &ops, &peer);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	return q;
}

static void put(struct st_send_queue *q, const char *s)
{
	CU_ASSERT_EQUAL(st_send_queue_put(q, s, strlen(s)), 0);
}

/* The sender is inside deliver, held there by the test. */
static void wait_until_holding(void)
{
	pthread_mutex_lock(&peer.lock);
	while (!peer.holding)
		pthread_cond_wait(&peer.cond, &peer.lock);
	pthread_mutex_unlock(&peer.lock);
}

static void release(void)
{
	pthread_mutex_lock(&peer.lock);
	peer.hold = false;
	pthread_cond_broadcast(&peer.cond);
	pthread_mutex_unlock(&peer.lock);
}

static void reset_peer(void)
{
	pthread_cond_destroy(&peer.cond);
	pthread_mutex_destroy(&peer.lock);
	memset(&peer, 0, sizeof(peer));
}

static void test_in_order(void)
{
	struct st_send_queue *q = start(16, 4096, SECOND / 1000);
	put(q, "m0");
	put(q, "m1");
	put(q, "m2");
	CU_ASSERT_EQUAL(st_send_queue_flush(q, 10 * SECOND), 0);
	struct st_send_stats st;
	st_send_queue_stats(q, &st);
	CU_ASSERT_EQUAL(st.sent, 3);
	CU_ASSERT_EQUAL(st.queued, 0);
	CU_ASSERT_EQUAL(st.queued_bytes, 0);
	st_send_queue_stop(q, SECOND);
	CU_ASSERT_STRING_EQUAL(peer.got, "m0;m1;m2;");
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING] + st_test_log_count[ST_LOG_ERR], 0);
	reset_peer();
}

/* An outage: the messages wait, in order, and the outage is said twice in
 * all, when it starts and when it ends, however many retries it took. */
static void test_retry_keeps_order_and_logs_once(void)
{
	peer.retry_first = 4;
	struct st_send_queue *q = start(16, 4096, SECOND / 1000);
	put(q, "a");
	put(q, "b");
	CU_ASSERT_EQUAL(st_send_queue_flush(q, 10 * SECOND), 0);
	struct st_send_stats st;
	st_send_queue_stats(q, &st);
	CU_ASSERT_EQUAL(st.retries, 4);
	CU_ASSERT_EQUAL(st.sent, 2);
	CU_ASSERT_EQUAL(st.failing, 0);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 1);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_NOTICE], 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "again after"));
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "4 retries"));
	st_send_queue_stop(q, SECOND);
	CU_ASSERT_STRING_EQUAL(peer.got, "a;b;");
	CU_ASSERT(peer.disconnects >= 4);   /* after each RETRY, and at stop */
	reset_peer();
}

/* A full queue drops its oldest waiting message, never the one being
 * delivered, and says so once. */
static void test_full_drops_oldest_waiting(void)
{
	peer.hold = true;
	struct st_send_queue *q = start(3, 4096, SECOND / 1000);
	put(q, "m0");
	wait_until_holding();
	put(q, "m1");
	put(q, "m2");
	put(q, "m3");
	put(q, "m4");
	struct st_send_stats st;
	st_send_queue_stats(q, &st);
	CU_ASSERT_EQUAL(st.queued, 3);
	CU_ASSERT_EQUAL(st.dropped_full, 2);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "full"));

	release();
	CU_ASSERT_EQUAL(st_send_queue_flush(q, 10 * SECOND), 0);
	st_send_queue_stop(q, SECOND);
	CU_ASSERT_STRING_EQUAL(peer.got, "m0;m3;m4;");
	reset_peer();
}

/* The byte bound: the oldest go until the new one fits; one bigger than
 * the whole bound is refused at once. */
static void test_byte_bound(void)
{
	peer.hold = true;
	struct st_send_queue *q = start(100, 10, SECOND / 1000);
	put(q, "0123");
	wait_until_holding();
	put(q, "abc");
	put(q, "def");  /* 10 bytes queued */
	put(q, "gh");   /* abc goes */
	CU_ASSERT_EQUAL(st_send_queue_put(q, "0123456789x", 11), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "bigger than the whole queue"));
	struct st_send_stats st;
	st_send_queue_stats(q, &st);
	CU_ASSERT_EQUAL(st.queued_bytes, 9);
	CU_ASSERT_EQUAL(st.dropped_full, 1);
	CU_ASSERT_EQUAL(st.dropped_rejected, 1);

	release();
	st_send_queue_stop(q, 10 * SECOND);
	CU_ASSERT_STRING_EQUAL(peer.got, "0123;def;gh;");
	reset_peer();
}

/* A message the peer rejects is dropped, logged and counted; the next one
 * still goes. */
static void test_rejected_dropped(void)
{
	struct st_send_queue *q = start(16, 4096, SECOND / 1000);
	put(q, "bad");
	put(q, "good");
	CU_ASSERT_EQUAL(st_send_queue_flush(q, 10 * SECOND), 0);
	struct st_send_stats st;
	st_send_queue_stats(q, &st);
	CU_ASSERT_EQUAL(st.dropped_rejected, 1);
	CU_ASSERT_EQUAL(st.sent, 1);
	CU_ASSERT_EQUAL(st.retries, 0);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_ERR], 1);
	st_send_queue_stop(q, SECOND);
	CU_ASSERT_STRING_EQUAL(peer.got, "good;");
	reset_peer();
}

/* Stopping delivers what is queued while the peer answers... */
static void test_stop_drains(void)
{
	struct st_send_queue *q = start(16, 4096, SECOND / 1000);
	put(q, "x");
	put(q, "y");
	put(q, "z");
	st_send_queue_stop(q, 10 * SECOND);
	CU_ASSERT_STRING_EQUAL(peer.got, "x;y;z;");
	reset_peer();
}

/* ... and does not wait out a backoff for a peer that is down: it says
 * what it leaves behind. */
static void test_stop_with_peer_down(void)
{
	peer.always_retry = true;
	struct st_send_queue *q = start(16, 4096, 3600 * SECOND);
	put(q, "lost");
	pthread_mutex_lock(&peer.lock);
	while (peer.calls == 0)
		pthread_cond_wait(&peer.cond, &peer.lock);
	pthread_mutex_unlock(&peer.lock);
	CU_ASSERT_EQUAL(st_send_queue_flush(q, SECOND / 100), -1);
	st_send_queue_stop(q, 10 * SECOND);   /* returns though backoff is 1 h */
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "stopping with 1 messages not delivered"));
	CU_ASSERT_STRING_EQUAL(peer.got, "");
	reset_peer();
}

/* A peer that takes a message and never answers: stopping gives it the
 * drain, then cancels the delivery instead of waiting it out. */
static void test_stop_cancels_a_hung_delivery(void)
{
	peer.hold = true;
	struct st_send_queue *q = start(16, 4096, SECOND / 1000);
	put(q, "hung");
	wait_until_holding();
	st_send_queue_stop(q, SECOND / 100);   /* the peer would hold it for ever */
	CU_ASSERT_EQUAL(peer.cancels, 1);
	CU_ASSERT_STRING_EQUAL(peer.got, "");
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 1);     /* no outage: a stop */
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "stopping with 1 messages not delivered"));
	reset_peer();
}

static void test_bad_limits(void)
{
	host = st_test_sink_host("test");
	st_test_log_reset();
	struct st_send_limits limits = { .max_messages = 0, .max_bytes = 10,
					 .backoff_min_ns = 1, .backoff_max_ns = 1 };
	CU_ASSERT_PTR_NULL(st_send_queue_start(&host, "x", &limits, &ops, &peer));
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_ERR], 1);
	st_send_queue_stop(NULL, 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "messages arrive in order", test_in_order },
		{ "an outage keeps the order and is logged once", test_retry_keeps_order_and_logs_once },
		{ "a full queue drops the oldest waiting message", test_full_drops_oldest_waiting },
		{ "the byte bound", test_byte_bound },
		{ "a rejected message is dropped and counted", test_rejected_dropped },
		{ "stopping delivers what is queued", test_stop_drains },
		{ "stopping does not wait for a peer that is down", test_stop_with_peer_down },
		{ "stopping cancels a delivery that hangs", test_stop_cancels_a_hung_delivery },
		{ "bad limits are refused", test_bad_limits },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("send_queue", tests);
}
