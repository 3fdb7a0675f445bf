#include "engine/sink_queue.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "dump/dump.h"
#include "dump/dump_json.h"
#include "daemon/log.h"

static void job_free(struct st_sink_job *job)
{
	st_dump_free(job->dump);
	free(job->json);
	memset(job, 0, sizeof(*job));
}

static void deliver(struct st_sink_queue *q, struct st_sink_job *job)
{
	/* Serialised once here, off the sampling thread, for every sink. */
	job->json = st_dump_to_json(job->dump, 1);
	if (!job->json) {
		__atomic_fetch_add(&q->dropped, 1, __ATOMIC_RELAXED);
		st_err("dump %s: out of memory serialising it; dropped", job->dump->id);
		return;
	}
	job->json_len = strlen(job->json);
	/* Storing sinks first: the others may then name the file. */
	for (int storing = 1; storing >= 0; storing--) {
		for (size_t i = 0; i < q->plugins->n; i++) {
			struct st_loaded_plugin *p = &q->plugins->items[i];
			if (!p->running || p->desc->kind != ST_PLUGIN_SINK ||
			    !(p->desc->flags & ST_PLUGIN_STORES) != !storing)
				continue;
			/* The sink says why itself; the core says when a run of
			 * failures starts and when it ends, not every dump. */
			if (p->desc->emit(p->state, job->dump, job->json, job->json_len) != 0) {
				p->failures++;
				if (p->failing++ == 0)
					st_warn("sink %s failed on dump %s; further failures "
						"are counted until it delivers again",
						p->desc->name, job->dump->id);
			} else if (p->failing) {
				st_notice("sink %s delivered dump %s after %llu failed",
					  p->desc->name, job->dump->id,
					  (unsigned long long)p->failing);
				p->failing = 0;
			}
		}
	}
	q->delivered++;
}

static void *worker(void *arg)
{
	struct st_sink_queue *q = arg;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while ((!q->len || q->pause_requested) && !q->stopping) {
			if (q->pause_requested && !q->paused) {
				/* Between two dumps: say so to the poll loop. */
				uint64_t one = 1;
				q->paused = 1;
				if (write(q->paused_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
					st_err("sink queue: cannot signal the pause: %s",
					       strerror(errno));
			}
			pthread_cond_wait(&q->cond, &q->lock);
		}
		q->paused = 0;
		if (!q->len)
			break;  /* stopping and drained */
		struct st_sink_job job = q->jobs[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
		pthread_mutex_unlock(&q->lock);
		deliver(q, &job);
		job_free(&job);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int st_sink_queue_start(struct st_sink_queue *q, struct st_plugin_set *plugins,
			size_t capacity)
{
	memset(q, 0, sizeof(*q));
	q->paused_fd = -1;
	q->plugins = plugins;
	q->cap = capacity ? capacity : 1;
	q->jobs = calloc(q->cap, sizeof(*q->jobs));
	if (!q->jobs) {
		st_err("sink queue: out of memory");
		return -1;
	}
	q->paused_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->paused_fd < 0) {
		st_err("sink queue: eventfd: %s", strerror(errno));
		free(q->jobs);
		q->jobs = NULL;
		return -1;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	/* Sinks need little stack; the default 8 MiB would be locked into
	 * memory by mlockall as it is touched. */
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	/* The sampling thread may run SCHED_FIFO (the unit asks for it, so
	 * ticks stay on time under load); JSON and fsync must not. */
	struct sched_param normal = { .sched_priority = 0 };
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_OTHER);
	pthread_attr_setschedparam(&attr, &normal);
	int rc = pthread_create(&q->thread, &attr, worker, q);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		st_err("sink queue: cannot start the sink thread: %s", strerror(rc));
		free(q->jobs);
		q->jobs = NULL;
		close(q->paused_fd);
		q->paused_fd = -1;
		return -1;
	}
	q->started = 1;
	return 0;
}

void st_sink_queue_push(struct st_sink_queue *q, struct st_dump *dump)
{
	struct st_sink_job dropped = { 0 };
	pthread_mutex_lock(&q->lock);
	if (q->len == q->cap) {
		dropped = q->jobs[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
		__atomic_fetch_add(&q->dropped, 1, __ATOMIC_RELAXED);
	}
	q->jobs[(q->head + q->len) % q->cap] = (struct st_sink_job){ .dump = dump };
	q->len++;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	if (dropped.dump) {
		st_warn("sink queue full: dropped dump %s (%llu dropped so far)",
			dropped.dump->id, (unsigned long long)q->dropped);
		job_free(&dropped);
	}
}

uint64_t st_sink_queue_dropped(struct st_sink_queue *q)
{
	return __atomic_load_n(&q->dropped, __ATOMIC_RELAXED);
}

void st_sink_queue_stop(struct st_sink_queue *q)
{
	if (!q->started)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = 1;
	q->pause_requested = 0;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	free(q->jobs);
	q->jobs = NULL;
	close(q->paused_fd);
	q->paused_fd = -1;
	q->started = 0;
}

static void request_pause(struct st_sink_queue *q, int on)
{
	if (!q->started)
		return;
	pthread_mutex_lock(&q->lock);
	q->pause_requested = on;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void st_sink_queue_pause(struct st_sink_queue *q)
{
	request_pause(q, 1);
}

int st_sink_queue_paused_fd(const struct st_sink_queue *q)
{
	return q->started ? q->paused_fd : -1;
}

int st_sink_queue_take_paused(struct st_sink_queue *q)
{
	uint64_t events;
	if (!q->started)
		return 1;
	if (read(q->paused_fd, &events, sizeof(events)) < 0 && errno != EAGAIN)
		st_err("sink queue: cannot read the pause: %s", strerror(errno));
	pthread_mutex_lock(&q->lock);
	int paused = q->paused;
	pthread_mutex_unlock(&q->lock);
	return paused;
}

void st_sink_queue_resume(struct st_sink_queue *q)
{
	request_pause(q, 0);
}
