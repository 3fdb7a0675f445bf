#define _GNU_SOURCE
#include "engine/fd_watch.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "daemon/log.h"

/* What a watch may ask for; POLLERR only as "I clear my own errors". */
#define WAIT_BITS (POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLRDBAND | \
		   POLLWRNORM | POLLWRBAND | POLLRDHUP)

void st_fd_watches_init(struct st_fd_watches *ws)
{
	memset(ws, 0, sizeof(*ws));
}

static struct st_fd_watch *find(struct st_fd_watches *ws, int32_t id)
{
	for (size_t i = 0; id > 0 && i < ST_FD_WATCH_MAX; i++)
		if (ws->w[i].id == id)
			return &ws->w[i];
	return NULL;
}

int32_t st_fd_watch_add(struct st_fd_watches *ws, const struct st_host *owner,
			int32_t fd, uint32_t events, st_fd_ready_fn ready, void *arg,
			char *err, size_t errlen)
{
	struct st_fd_watch *free_slot = NULL;
	if (!ready) {
		snprintf(err, errlen, "no ready() to call");
		return -1;
	}
	if (!(events & WAIT_BITS) || (events & ~(uint32_t)(WAIT_BITS | POLLERR))) {
		snprintf(err, errlen, "events 0x%x: expected poll(2) bits such as POLLIN "
			 "or POLLPRI", (unsigned)events);
		return -1;
	}
	if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
		snprintf(err, errlen, "fd %d is not open", (int)fd);
		return -1;
	}
	for (size_t i = 0; i < ST_FD_WATCH_MAX; i++) {
		if (ws->w[i].id && ws->w[i].fd == fd) {
			snprintf(err, errlen, "fd %d is watched already (by %s)", (int)fd,
				 ws->w[i].owner->plugin_name);
			return -1;
		}
		if (!ws->w[i].id && !free_slot)
			free_slot = &ws->w[i];
	}
	if (!free_slot) {
		snprintf(err, errlen, "all %d fd watches are taken", ST_FD_WATCH_MAX);
		return -1;
	}
	/* Ids are not reused (until 2^31 watches): a stale id ends nothing. */
	if (++ws->last_id <= 0)
		ws->last_id = 1;
	*free_slot = (struct st_fd_watch){
		.id = ws->last_id, .fd = fd, .events = events, .ready = ready,
		.arg = arg, .owner = owner, .epoch = ws->epoch,
	};
	return free_slot->id;
}

int st_fd_watch_remove(struct st_fd_watches *ws, const struct st_host *owner, int32_t id)
{
	struct st_fd_watch *w = find(ws, id);
	if (!w || w->owner != owner)
		return -1;
	memset(w, 0, sizeof(*w));
	return 0;
}

size_t st_fd_watch_count(const struct st_fd_watches *ws)
{
	size_t n = 0;
	for (size_t i = 0; i < ST_FD_WATCH_MAX; i++)
		n += ws->w[i].id != 0;
	return n;
}

size_t st_fd_watch_fill(struct st_fd_watches *ws, struct pollfd *fds, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < ST_FD_WATCH_MAX && n < max; i++) {
		if (!ws->w[i].id)
			continue;
		fds[n] = (struct pollfd){ .fd = ws->w[i].fd,
					  .events = (short)(ws->w[i].events & WAIT_BITS) };
		ws->polled[n++] = ws->w[i].id;
	}
	ws->npolled = n;
	return n;
}

#define STR_(x) #x
#define STR(x) STR_(x)

/* Why a wake ends its watch, or NULL when it does not. */
static const char *fatal(struct st_fd_watch *w, uint32_t revents)
{
	if (revents & POLLNVAL)
		return "is not open (POLLNVAL): closed before unwatch_fd?";
	if (revents & POLLHUP)
		return "hung up (POLLHUP)";
	if (!(revents & POLLERR)) {
		w->error_wakes = 0;
		return NULL;
	}
	if (!(w->events & POLLERR))
		return "reported an error (POLLERR)";
	if (++w->error_wakes >= ST_FD_WATCH_ERROR_WAKES)
		return "reported an error on " STR(ST_FD_WATCH_ERROR_WAKES)
		       " wakes in a row (POLLERR not cleared)";
	return NULL;
}

void st_fd_watch_dispatch(struct st_fd_watches *ws, const struct pollfd *fds, size_t n)
{
	if (n > ws->npolled)
		n = ws->npolled;
	for (size_t k = 0; k < n; k++) {
		if (!fds[k].revents)
			continue;
		/* A ready() before this one may have ended or replaced it. */
		struct st_fd_watch *w = find(ws, ws->polled[k]);
		if (!w || w->fd != fds[k].fd)
			continue;
		uint32_t revents = (uint16_t)fds[k].revents;
		struct st_fd_watch call = *w;
		const char *why = fatal(w, revents);
		if (why) {
			/* Gone before ready() runs: it may watch a new fd in
			 * the freed slot. */
			st_warn("plugin %s: fd %d %s; no longer watched",
				call.owner->plugin_name, (int)call.fd, why);
			memset(w, 0, sizeof(*w));
		}
		ws->wakes++;
		call.ready(call.arg, call.fd, revents);
	}
}

size_t st_fd_watch_sweep(struct st_fd_watches *ws,
			 int (*keep)(void *ctx, const struct st_fd_watch *w), void *ctx)
{
	size_t removed = 0;
	for (size_t i = 0; i < ST_FD_WATCH_MAX; i++) {
		struct st_fd_watch *w = &ws->w[i];
		if (!w->id || keep(ctx, w))
			continue;
		st_warn("plugin %s: its instance is gone and left fd %d watched; the "
			"core stopped watching it (unwatch_fd belongs in destroy)",
			w->owner->plugin_name, (int)w->fd);
		memset(w, 0, sizeof(*w));
		removed++;
	}
	return removed;
}
