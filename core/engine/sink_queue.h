/*
 * Sinks run on one worker thread behind a bounded queue, so an fsync or a
 * slow syslog never delays a sample. A full queue drops its oldest dump
 * and counts it. Every running sink gets every dump; one that fails is
 * logged and the others still get it.
 *
 * The sinks are recreated (SIGHUP) only while the worker is paused between
 * two dumps. Pausing never waits: the sampling thread asks, goes on
 * sampling, and learns from an fd in its poll() that the worker has
 * finished the dump it was delivering, however slow the sink. The dumps
 * still queued then are not delivered first: they wait for the new sinks.
 */
#ifndef ST_SINK_QUEUE_H
#define ST_SINK_QUEUE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <spiketrace/model.h>

#include "plugin/plugin_loader.h"

struct st_sink_job {
	struct st_dump *dump;
	char *json;
	size_t json_len;
};

struct st_sink_queue {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct st_sink_job *jobs;
	size_t cap, head, len;
	int stopping;
	int started;
	int pause_requested;        /* leave the sinks alone after this dump */
	int paused;                 /* the worker touches no sink until resumed */
	int paused_fd;              /* eventfd, readable once paused; -1 */
	uint64_t dropped;           /* atomic: read by sinks (st_sink_queue_dropped) */
	uint64_t delivered;
	struct st_plugin_set *plugins;  /* sinks read from here on the thread */
};

/* Start the worker. Returns 0, or -1 (reason logged). */
int st_sink_queue_start(struct st_sink_queue *q, struct st_plugin_set *plugins,
			size_t capacity);
/* Hand over a dump (owned by the queue from here). Never blocks on sinks. */
void st_sink_queue_push(struct st_sink_queue *q, struct st_dump *dump);
/* The dumps dropped so far: pushed out of a full queue, or not
 * serialised. Any thread, also after stop. */
uint64_t st_sink_queue_dropped(struct st_sink_queue *q);
/* Deliver what is queued, then stop the worker (also when paused). */
void st_sink_queue_stop(struct st_sink_queue *q);

/* Ask the worker to pause after the dump it is delivering, if any.
 * Returns at once; queued dumps stay queued. */
void st_sink_queue_pause(struct st_sink_queue *q);
/* The fd that becomes readable when the worker has paused (for poll());
 * -1 when the worker is not running. */
int st_sink_queue_paused_fd(const struct st_sink_queue *q);
/* Whether the worker is paused (or not running): then the sinks may be
 * destroyed and created. Reads the fd's event. Never waits. */
int st_sink_queue_take_paused(struct st_sink_queue *q);
/* Go on delivering, to the sinks as they are now. */
void st_sink_queue_resume(struct st_sink_queue *q);

#endif
