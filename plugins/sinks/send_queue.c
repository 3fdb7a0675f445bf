/*
 * send_queue: see send_queue.h. A linked list of copied messages under one
 * mutex; the sender thread is the only one that calls the sink's ops, so
 * a connection or a curl handle needs no lock of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "send_queue.h"

#define SENDER_STACK (512 * 1024)

struct send_msg {
	struct send_msg *next;
	size_t len;
	char data[];
};

struct st_send_queue {
	const struct st_host *host;
	char peer[160];
	struct st_send_limits limits;
	struct st_send_ops ops;
	void *ctx;

	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;            /* a message, or stop: to the sender */
	pthread_cond_t drained;         /* the queue is empty: to flush */
	struct send_msg *head, *tail;
	bool in_flight;                 /* head is being delivered: not to be freed */
	bool stopping;
	bool full_logged;               /* once per spell of a full queue */
	uint64_t outage_dropped;        /* dropped_full when the outage began */
	uint64_t outage_retries;
	int64_t outage_start_ns;
	struct st_send_stats stats;
};

static struct timespec abs_time(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
	return ts;
}

/* Unlinks the head; the caller frees it. */
static struct send_msg *pop_head(struct st_send_queue *q)
{
	struct send_msg *m = q->head;
	q->head = m->next;
	if (!q->head)
		q->tail = NULL;
	q->stats.queued--;
	q->stats.queued_bytes -= m->len;
	return m;
}

/* The oldest message that the sender is not delivering right now. */
static bool drop_oldest_waiting(struct st_send_queue *q)
{
	struct send_msg *prev = q->in_flight ? q->head : NULL;
	struct send_msg *m = prev ? prev->next : q->head;
	if (!m)
		return false;
	if (prev) {
		prev->next = m->next;
		if (q->tail == m)
			q->tail = prev;
	} else {
		q->head = m->next;
		if (!q->head)
			q->tail = NULL;
	}
	q->stats.queued--;
	q->stats.queued_bytes -= m->len;
	q->stats.dropped_full++;
	free(m);
	return true;
}

static void log_outage_start(struct st_send_queue *q, const char *why)
{
	q->stats.failing = 1;
	q->outage_dropped = q->stats.dropped_full;
	q->outage_retries = q->stats.retries;
	q->outage_start_ns = q->host->mono_ns();
	q->host->log(q->host, ST_LOG_WARNING,
		     "cannot deliver to %s: %s; keeping up to %zu messages (%zu KiB) "
		     "and retrying", q->peer, why, q->limits.max_messages,
		     q->limits.max_bytes / 1024);
}

static void log_outage_end(struct st_send_queue *q)
{
	q->stats.failing = 0;
	q->host->log(q->host, ST_LOG_NOTICE,
		     "delivering to %s again after %.1f s down (%llu retries, "
		     "%llu messages dropped from the full queue)", q->peer,
		     (double)(q->host->mono_ns() - q->outage_start_ns) / 1e9,
		     (unsigned long long)(q->stats.retries - q->outage_retries),
		     (unsigned long long)(q->stats.dropped_full - q->outage_dropped));
}

/* Waits out a backoff; returns early only to stop. */
static void backoff_wait(struct st_send_queue *q, int64_t delay_ns)
{
	int64_t until = q->host->mono_ns() + delay_ns;
	while (!q->stopping && q->host->mono_ns() < until) {
		struct timespec ts = abs_time(until);
		pthread_cond_timedwait(&q->wake, &q->lock, &ts);
	}
}

static void *sender_main(void *arg)
{
	struct st_send_queue *q = arg;
	int64_t backoff = q->limits.backoff_min_ns;
	char err[256];

	/* Signals are the daemon's main loop's (signalfd): none here. */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->wake, &q->lock);
		if (!q->head || q->stopping)
			break;
		struct send_msg *m = q->head;
		q->in_flight = true;
		pthread_mutex_unlock(&q->lock);

		err[0] = '\0';
		enum st_send_result r = q->ops.deliver(q->ctx, m->data, m->len,
						       err, sizeof(err));
		if (r == ST_SEND_RETRY && q->ops.disconnect)
			q->ops.disconnect(q->ctx);

		pthread_mutex_lock(&q->lock);
		q->in_flight = false;
		if (r == ST_SEND_RETRY) {
			if (q->stopping)
				break;  /* cancelled: what is left is said below */
			if (!q->stats.failing)
				log_outage_start(q, err[0] ? err : "no reason given");
			q->stats.retries++;
			backoff_wait(q, backoff);
			backoff = backoff * 2 > q->limits.backoff_max_ns ?
				q->limits.backoff_max_ns : backoff * 2;
			continue;
		}
		free(pop_head(q));
		backoff = q->limits.backoff_min_ns;
		if (r == ST_SEND_OK) {
			q->stats.sent++;
			if (q->stats.failing)
				log_outage_end(q);
		} else {
			q->stats.dropped_rejected++;
			q->host->log(q->host, ST_LOG_ERR, "%s refused a message (dropped): %s",
				     q->peer, err[0] ? err : "no reason given");
		}
		if (!q->head) {
			q->full_logged = false;
			pthread_cond_broadcast(&q->drained);
		}
	}
	size_t left = q->stats.queued;
	pthread_cond_broadcast(&q->drained);
	pthread_mutex_unlock(&q->lock);
	if (q->ops.disconnect)
		q->ops.disconnect(q->ctx);
	if (left)
		q->host->log(q->host, ST_LOG_WARNING, "stopping with %zu messages "
			     "not delivered to %s", left, q->peer);
	return NULL;
}

struct st_send_queue *st_send_queue_start(const struct st_host *host, const char *peer,
					  const struct st_send_limits *limits,
					  const struct st_send_ops *ops, void *ctx)
{
	if (!limits->max_messages || !limits->max_bytes || limits->backoff_min_ns <= 0 ||
	    limits->backoff_max_ns < limits->backoff_min_ns || !ops->deliver) {
		host->log(host, ST_LOG_ERR, "send queue for %s: bad limits", peer);
		return NULL;
	}
	struct st_send_queue *q = calloc(1, sizeof(*q));
	if (!q) {
		host->log(host, ST_LOG_ERR, "send queue for %s: out of memory", peer);
		return NULL;
	}
	q->host = host;
	snprintf(q->peer, sizeof(q->peer), "%s", peer);
	q->limits = *limits;
	q->ops = *ops;
	q->ctx = ctx;

	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	/* The host's mono_ns is CLOCK_MONOTONIC: the deadlines are in it. */
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->wake, &attr);
	pthread_cond_init(&q->drained, &attr);
	pthread_condattr_destroy(&attr);

	/* Created from the sampling thread, which may run SCHED_FIFO: a
	 * connect or a TLS handshake must not. A stack of its own size: the
	 * default 8 MiB would stay resident under mlockall as it is touched,
	 * and a TLS handshake needs far less than that. */
	pthread_attr_t tattr;
	struct sched_param normal = { .sched_priority = 0 };
	pthread_attr_init(&tattr);
	pthread_attr_setstacksize(&tattr, SENDER_STACK);
	pthread_attr_setinheritsched(&tattr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&tattr, SCHED_OTHER);
	pthread_attr_setschedparam(&tattr, &normal);
	int rc = pthread_create(&q->thread, &tattr, sender_main, q);
	pthread_attr_destroy(&tattr);
	if (rc != 0) {
		host->log(host, ST_LOG_ERR, "send queue for %s: cannot start its thread: %s",
			  peer, strerror(rc));
		pthread_cond_destroy(&q->wake);
		pthread_cond_destroy(&q->drained);
		pthread_mutex_destroy(&q->lock);
		free(q);
		return NULL;
	}
	return q;
}

int st_send_queue_put(struct st_send_queue *q, const char *msg, size_t len)
{
	if (len > q->limits.max_bytes) {
		pthread_mutex_lock(&q->lock);
		q->stats.dropped_rejected++;
		pthread_mutex_unlock(&q->lock);
		q->host->log(q->host, ST_LOG_ERR, "a %zu-byte message for %s is bigger "
			     "than the whole queue (%zu KiB): dropped", len, q->peer,
			     q->limits.max_bytes / 1024);
		return -1;
	}
	struct send_msg *m = malloc(sizeof(*m) + len + 1);
	if (!m) {
		q->host->log(q->host, ST_LOG_ERR, "a message for %s: out of memory", q->peer);
		return -1;
	}
	m->next = NULL;
	m->len = len;
	memcpy(m->data, msg, len);
	m->data[len] = '\0';

	bool log_full = false;
	pthread_mutex_lock(&q->lock);
	/* The bound holds for the waiting messages; the one in flight is
	 * the sender's until its deliver returns. */
	while ((q->stats.queued >= q->limits.max_messages ||
		q->stats.queued_bytes + len > q->limits.max_bytes) &&
	       drop_oldest_waiting(q))
		if (!q->full_logged)
			log_full = q->full_logged = true;
	if (q->tail)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	q->stats.queued++;
	q->stats.queued_bytes += len;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	if (log_full)
		q->host->log(q->host, ST_LOG_WARNING, "the queue for %s is full: "
			     "dropping its oldest messages", q->peer);
	return 0;
}

int st_send_queue_flush(struct st_send_queue *q, int64_t timeout_ns)
{
	int64_t until = q->host->mono_ns() + timeout_ns;
	pthread_mutex_lock(&q->lock);
	while (q->head && q->host->mono_ns() < until) {
		struct timespec ts = abs_time(until);
		pthread_cond_timedwait(&q->drained, &q->lock, &ts);
	}
	int rc = q->head ? -1 : 0;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void st_send_queue_stats(struct st_send_queue *q, struct st_send_stats *out)
{
	pthread_mutex_lock(&q->lock);
	*out = q->stats;
	pthread_mutex_unlock(&q->lock);
}

void st_send_queue_stop(struct st_send_queue *q, int64_t drain_ns)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	bool reachable = !q->stats.failing;
	pthread_mutex_unlock(&q->lock);
	if (reachable)
		st_send_queue_flush(q, drain_ns);
	pthread_mutex_lock(&q->lock);
	q->stopping = true;     /* no delivery begins after this */
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	if (q->ops.cancel)
		q->ops.cancel(q->ctx);
	pthread_join(q->thread, NULL);

	while (q->head)
		free(pop_head(q));
	pthread_cond_destroy(&q->wake);
	pthread_cond_destroy(&q->drained);
	pthread_mutex_destroy(&q->lock);
	free(q);
}
