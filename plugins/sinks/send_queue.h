/*
 * send_queue: a network sink's own bounded queue and sender thread.
 *
 * A network peer (a syslog collector over TCP, an OTLP/HTTP collector) can
 * be down, slow or hung. The sink thread must not wait on it, and the dumps
 * of an outage should still arrive when the peer is back. So emit() only
 * copies its message into this queue and returns; one thread per sink
 * instance delivers the messages in order through the sink's deliver().
 *
 * - Bounded by count and by bytes: a full queue drops the oldest message
 *   and counts it. A message bigger than the byte bound is refused.
 * - A transient failure (deliver returns ST_SEND_RETRY) keeps the message
 *   at the head and retries after a backoff doubling from backoff_min to
 *   backoff_max; messages put meanwhile wait behind it.
 * - The first failure of an outage and the recovery are logged once each
 *   (the recovery with what the outage cost), not once per retry.
 * - deliver() bounds its own time (connect and I/O timeouts). Stopping
 *   (a sink's destroy runs on the sampling thread at a reload) gives a
 *   reachable peer a short drain, then cancels a delivery in progress
 *   through the sink's cancel(): it never waits out a timeout.
 */
#ifndef SPIKETRACE_SEND_QUEUE_H
#define SPIKETRACE_SEND_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include <spiketrace/plugin.h>

enum st_send_result {
	ST_SEND_OK = 0,         /* delivered: next message */
	ST_SEND_RETRY = 1,      /* the peer is unreachable or refused for now: keep it, back off */
	ST_SEND_DROP = 2,       /* this message can never be delivered (the peer rejected it): drop it, counted */
};

struct st_send_ops {
	/* On the sender thread: deliver one message, within the sink's own
	 * timeouts. On RETRY or DROP, write a one-line reason to err (it is
	 * logged once per outage, or once per dropped message). */
	enum st_send_result (*deliver)(void *ctx, const char *msg, size_t len,
				       char *err, size_t errlen);
	/* Optional, on the sender thread: forget the connection (after a
	 * RETRY, and when the queue stops). */
	void (*disconnect)(void *ctx);
	/* Optional, from the thread that stops the queue, while deliver()
	 * may be running on the sender's: make it return soon (RETRY), and
	 * any later one at once. An eventfd's write, an atomic flag. */
	void (*cancel)(void *ctx);
};

/* The network sinks' retry pace: a collector back within a second is
 * caught at once, one down for long is asked every 10 s. */
#define ST_SEND_BACKOFF_MIN_NS 250000000LL
#define ST_SEND_BACKOFF_MAX_NS 10000000000LL
/* What a reachable peer gets at a sink's destroy for what is queued: the
 * sampling thread waits that long at a reload. */
#define ST_SEND_DRAIN_NS 500000000LL

struct st_send_limits {
	size_t max_messages;    /* > 0 */
	size_t max_bytes;       /* > 0: the sum of the queued messages' lengths */
	int64_t backoff_min_ns; /* first retry after this */
	int64_t backoff_max_ns; /* doubling up to this */
};

struct st_send_stats {
	uint64_t sent;          /* delivered */
	uint64_t dropped_full;  /* the oldest, pushed out by a full queue */
	uint64_t dropped_rejected; /* deliver said DROP, or bigger than max_bytes */
	uint64_t retries;       /* RETRY answers */
	size_t queued;          /* messages waiting, the one being sent included */
	size_t queued_bytes;
	int failing;            /* 1 during an outage */
};

struct st_send_queue;

/* Start the sender thread. peer names the peer in log lines ("tcp
 * 127.0.0.1:514"); ctx is the sink's, handed to ops. NULL after logging
 * why. */
struct st_send_queue *st_send_queue_start(const struct st_host *host, const char *peer,
					  const struct st_send_limits *limits,
					  const struct st_send_ops *ops, void *ctx);

/* Copy msg into the queue and wake the sender: never waits on the peer.
 * Returns 0, or -1 after logging why (out of memory, bigger than
 * max_bytes). */
int st_send_queue_put(struct st_send_queue *q, const char *msg, size_t len);

/* Wait up to timeout_ns for the queue to empty. 0 when it did, -1 not. */
int st_send_queue_flush(struct st_send_queue *q, int64_t timeout_ns);

void st_send_queue_stats(struct st_send_queue *q, struct st_send_stats *out);

/* Give a reachable peer up to drain_ns for what is queued (none when it
 * is down), cancel a delivery still in progress, stop the thread, log
 * what was left undelivered, free. NULL is ignored. */
void st_send_queue_stop(struct st_send_queue *q, int64_t drain_ns);

#endif /* SPIKETRACE_SEND_QUEUE_H */
