/*
 * Sinks run on one worker thread behind a bounded queue, so an fsync or a
 * slow syslog never delays a sample. A full queue drops its oldest dump
 * and counts it. Every running sink gets every dump; one that fails is
 * logged and the others still get it.
 */
#ifndef ST_SINK_QUEUE_H
#define ST_SINK_QUEUE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <spiketrace/model.h>

#include "plugin_loader.h"

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
	uint64_t dropped;
	uint64_t delivered;
	struct st_plugin_set *plugins;  /* sinks read from here on the thread */
};

/* Start the worker. Returns 0, or -1 (reason logged). */
int st_sink_queue_start(struct st_sink_queue *q, struct st_plugin_set *plugins,
			size_t capacity);
/* Hand over a dump (owned by the queue from here). Never blocks on sinks. */
void st_sink_queue_push(struct st_sink_queue *q, struct st_dump *dump);
/* Deliver what is queued, then stop the worker. */
void st_sink_queue_stop(struct st_sink_queue *q);

#endif
