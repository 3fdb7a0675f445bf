/* Test plugin: a detector that watches a FIFO in the daemon's poll loop
 * (st_host.watch_fd) and asks for an off-tick sample whenever something is
 * written to it, as a PSI trigger's detector will when the kernel reports
 * a stall. With fire = true it reports each off-tick sample it sees, so
 * that the sample reaches a dump. Without a fifo it does nothing. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <spiketrace/plugin.h>

enum { OPT_FIFO, OPT_FIRE, OPT_LEAVE_WATCH, OPT_FAIL_CREATE };

static const struct st_option options[] = {
	[OPT_FIFO] = ST_OPTION_STRING("fifo", "", "FIFO to watch; \"\": none"),
	[OPT_FIRE] = ST_OPTION_BOOL("fire", 0, "a trigger on every off-tick sample"),
	[OPT_LEAVE_WATCH] = ST_OPTION_BOOL("leave_watch", 0,
		"destroy without unwatch_fd (the core must remove the watch)"),
	[OPT_FAIL_CREATE] = ST_OPTION_BOOL("fail_create", 0,
		"create fails after watching, leaving the watch to the core"),
	ST_OPTION_END,
};

struct watcher {
	const struct st_host *host;
	int fd;
	int32_t watch;
	int fire, leave_watch;
	unsigned long readies;
};

static void ready(void *arg, int32_t fd, uint32_t revents)
{
	struct watcher *w = arg;
	char buf[256];
	ssize_t n, got = 0;
	/* Non-blocking: read what is there, never wait. */
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		got += n;
	w->readies++;
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		w->watch = 0;           /* the core ended it */
	snprintf(buf, sizeof(buf), "fifo readable (%zd bytes, wake %lu)", got, w->readies);
	if (got > 0 && w->host->request_sample(w->host, buf) < 0)
		w->host->log(w->host, ST_LOG_WARNING, "request_sample refused");
}

static int create(const struct st_host *host, const union st_value *opts, void **state)
{
	struct watcher *w = calloc(1, sizeof(*w));
	if (!w)
		return -1;
	w->host = host;
	w->fd = -1;
	w->fire = opts[OPT_FIRE].b;
	w->leave_watch = opts[OPT_LEAVE_WATCH].b;
	const char *path = opts[OPT_FIFO].s;
	if (path && *path) {
		if (!ST_HOST_HAS(host, watch_fd) || !ST_HOST_HAS(host, request_sample)) {
			host->log(host, ST_LOG_ERR, "this core has no watch_fd");
			free(w);
			return -1;
		}
		/* Read and write: a FIFO without a writer would hang up at
		 * every writer's close, and a hung-up fd ends its watch. */
		w->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (w->fd < 0) {
			host->log(host, ST_LOG_ERR, "%s: %s", path, strerror(errno));
			free(w);
			return -1;
		}
		w->watch = host->watch_fd(host, w->fd, POLLIN, ready, w);
		if (w->watch < 0) {
			host->log(host, ST_LOG_ERR, "%s: cannot be watched", path);
			close(w->fd);
			free(w);
			return -1;
		}
		if (opts[OPT_FAIL_CREATE].b) {
			/* Sloppy on purpose: the fd stays open, so its number
			 * is not reused before the core sweeps the watch. */
			host->log(host, ST_LOG_ERR, "told to fail");
			free(w);
			return -1;
		}
	}
	*state = w;
	return 0;
}

static void destroy(void *state)
{
	struct watcher *w = state;
	if (w->watch > 0 && !w->leave_watch)
		w->host->unwatch_fd(w->host, w->watch);
	/* Left watched, the fd stays open: the core's sweep is what is tried,
	 * not a reused fd number. */
	if (w->fd >= 0 && !w->leave_watch)
		close(w->fd);
	free(w);
}

static int evaluate(void *state, const struct st_history *h,
		    struct st_trigger *out, size_t max)
{
	const struct watcher *w = state;
	const struct st_sample *now = h->count ? h->samples[h->count - 1] : NULL;
	if (!w->fire || !now || !(now->flags & ST_SAMPLE_OFF_TICK) || max == 0)
		return 0;
	snprintf(out->type, sizeof(out->type), "off_tick");
	out->value = now->interval_s;
	snprintf(out->units, sizeof(out->units), "s");
	snprintf(out->summary, sizeof(out->summary), "off-tick sample %llu, %.3f s "
		 "after the previous one", (unsigned long long)now->seq, now->interval_s);
	out->flags = ST_TRIGGER_SYSTEM;
	return 1;
}

static const struct st_plugin plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR, .name = "watcher", .version = "0",
	.description = "test detector: an off-tick sample when its FIFO is written",
	.options = options, .create = create, .destroy = destroy,
	.evaluate = evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
