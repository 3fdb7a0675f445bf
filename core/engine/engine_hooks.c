/*
 * The poll loop as a plugin's host table lends it: fd watches and
 * off-tick samples. Each call is checked against the plugin it comes
 * from: a detector (a sink runs on the sink thread), on the thread that
 * samples, whose instance runs or is being created. A refusal is one
 * line naming the plugin and the reason; for request_sample, which a
 * detector may call per event, the first and every thousandth only.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "engine/engine.h"
#include "daemon/log.h"

/* limit: the engine whose refusal count thins the lines out, or NULL. */
static void refuse(struct st_engine *limit, const struct st_host *host, const char *what,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void refuse(struct st_engine *limit, const struct st_host *host, const char *what,
		   const char *fmt, ...)
{
	char why[256];
	va_list ap;
	if (limit && limit->loop_refusals++ % 1000 != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	st_warn("plugin %s: %s refused: %s", host->plugin_name ? host->plugin_name : "?",
		what, why);
}

static struct st_loaded_plugin *owner_of(struct st_engine *e, const struct st_host *host)
{
	for (size_t i = 0; i < e->plugins.n; i++)
		if (&e->plugins.items[i].host == host)
			return &e->plugins.items[i];
	return NULL;
}

/* The engine behind host when the plugin may use the loop now, else NULL
 * (said). live: also while its instance runs or is being created. */
static struct st_engine *loop_of(const struct st_host *host, const char *what, int live,
				 int limited)
{
	struct st_engine *e = host->core;
	if (!e) {
		refuse(NULL, host, what, "this host table has no poll loop");
		return NULL;
	}
	struct st_engine *limit = limited ? e : NULL;
	if (!pthread_equal(pthread_self(), e->loop_thread)) {
		refuse(limit, host, what, "called from a thread other than the sampling one");
		return NULL;
	}
	struct st_loaded_plugin *p = owner_of(e, host);
	if (!p) {
		refuse(limit, host, what, "not a host table of this daemon");
		return NULL;
	}
	if (p->desc->kind != ST_PLUGIN_DETECTOR) {
		refuse(limit, host, what, "only detectors use the poll loop");
		return NULL;
	}
	if (live && !p->running && !e->creating) {
		refuse(limit, host, what, "the detector is not running");
		return NULL;
	}
	return e;
}

int32_t st_engine_host_watch_fd(const struct st_host *host, int32_t fd, uint32_t events,
				void (*ready)(void *arg, int32_t fd, uint32_t revents),
				void *arg)
{
	char err[160];
	struct st_engine *e = loop_of(host, "watch_fd", 1, 0);
	if (!e)
		return -1;
	int32_t id = st_fd_watch_add(&e->watches, host, fd, events, ready, arg, err,
				     sizeof(err));
	if (id < 0)
		refuse(NULL, host, "watch_fd", "%s", err);
	else
		st_debug("plugin %s: fd %d watched (events 0x%x, watch %d)",
			 host->plugin_name, (int)fd, (unsigned)events, (int)id);
	return id;
}

void st_engine_host_unwatch_fd(const struct st_host *host, int32_t watch)
{
	/* From destroy too: the instance need not be running. */
	struct st_engine *e = loop_of(host, "unwatch_fd", 0, 0);
	if (e && st_fd_watch_remove(&e->watches, host, watch) == 0)
		st_debug("plugin %s: watch %d ended", host->plugin_name, (int)watch);
}

int32_t st_engine_host_request_sample(const struct st_host *host, const char *reason)
{
	struct st_engine *e = loop_of(host, "request_sample", 1, 1);
	if (!e)
		return -1;
	st_off_tick_request(&e->off_tick, host->plugin_name, reason);
	return 0;
}

/* A watch is kept when its instance is the one running: made in the
 * current epoch by a plugin that runs. */
static int keep_watch(void *ctx, const struct st_fd_watch *w)
{
	struct st_engine *e = ctx;
	struct st_loaded_plugin *p = owner_of(e, w->owner);
	return p && p->running && w->epoch == e->watches.epoch;
}

void st_engine_sweep_watches(struct st_engine *e)
{
	st_fd_watch_sweep(&e->watches, keep_watch, e);
}
