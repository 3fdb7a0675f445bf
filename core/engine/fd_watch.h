/*
 * The file descriptors plugins watch in the daemon's poll loop
 * (st_host.watch_fd): PSI triggers, netlink sockets. A fixed table, so a
 * wake allocates nothing; each watch belongs to the plugin instance that
 * made it, named by its host table and the epoch it was made in (on
 * SIGHUP the new instance shares its predecessor's host table, so the
 * table alone cannot tell them apart).
 */
#ifndef ST_FD_WATCH_H
#define ST_FD_WATCH_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <spiketrace/plugin.h>

#define ST_FD_WATCH_MAX 16
/* Wakes in a row reporting POLLERR after which a watch that clears its
 * own errors (POLLERR in events) is ended anyway: it does not clear them. */
#define ST_FD_WATCH_ERROR_WAKES 1000

typedef void (*st_fd_ready_fn)(void *arg, int32_t fd, uint32_t revents);

struct st_fd_watch {
	int32_t  id;                /* > 0; 0: the slot is free */
	int32_t  fd;
	uint32_t events;
	st_fd_ready_fn ready;
	void    *arg;
	const struct st_host *owner;
	uint32_t epoch;
	uint32_t error_wakes;       /* consecutive wakes with POLLERR */
};

struct st_fd_watches {
	struct st_fd_watch w[ST_FD_WATCH_MAX];
	/* The watch behind each pollfd of the last fill: a watch removed or
	 * replaced since is not dispatched. */
	int32_t  polled[ST_FD_WATCH_MAX];
	size_t   npolled;
	int32_t  last_id;
	uint32_t epoch;             /* of the instances being made now */
	uint64_t wakes;             /* ready() calls */
};

void st_fd_watches_init(struct st_fd_watches *ws);

/* A watch of owner's (in the current epoch). Returns its id (> 0), or -1
 * with the reason in err. */
int32_t st_fd_watch_add(struct st_fd_watches *ws, const struct st_host *owner,
			int32_t fd, uint32_t events, st_fd_ready_fn ready, void *arg,
			char *err, size_t errlen);
/* Remove owner's watch id. Returns 0, or -1 when owner has no such watch. */
int st_fd_watch_remove(struct st_fd_watches *ws, const struct st_host *owner, int32_t id);
size_t st_fd_watch_count(const struct st_fd_watches *ws);

/* Fill fds[0 .. returned) with the watched fds (at most max). */
size_t st_fd_watch_fill(struct st_fd_watches *ws, struct pollfd *fds, size_t max);
/* After poll: call ready() for each fd of the last fill with revents,
 * ending the watches whose fd is dead (said with the plugin's name). A
 * ready() may add and remove watches. */
void st_fd_watch_dispatch(struct st_fd_watches *ws, const struct pollfd *fds, size_t n);

/* Remove every watch keep() refuses, warning that its plugin left it.
 * Returns how many were removed. */
size_t st_fd_watch_sweep(struct st_fd_watches *ws,
			 int (*keep)(void *ctx, const struct st_fd_watch *w), void *ctx);

#endif
