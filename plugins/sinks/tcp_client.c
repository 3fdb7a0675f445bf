/*
 * A TCP client for a collector that only reads: non-blocking connect and
 * send under one timeout each, so a collector that is down, unreachable
 * or hung (accepts, never reads) costs the sender thread at most the
 * timeout per attempt.
 *
 * Such a collector never writes to us, so a readable socket means it
 * closed (a restarted rsyslogd): that is checked before each message, and
 * the message goes over a new connection instead of into a dead one where
 * the kernel would accept it and lose it.
 *
 * The name is looked up with getaddrinfo_a, not getaddrinfo: a name server
 * that does not answer holds getaddrinfo for the resolver's own timeouts
 * (5 s times the attempts, per server), past the sink's timeout and past a
 * cancel, so a destroy at a reload would wait it out on the sampling
 * thread.
 */
#define _GNU_SOURCE
#include "tcp_client.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SEND_BUFFER (64 * 1024)     /* the kernel doubles it */
#define LOOKUP_SLICE_MS 50          /* how soon a cancel ends a lookup wait */

/* A lookup in the resolver's thread: it writes into cb until it is done,
 * so the whole of it lives until then. */
struct st_tcp_lookup {
	struct gaicb cb;
	struct addrinfo hints;
	char host[ST_TCP_HOST_MAX + 1];
	char port[ST_TCP_PORT_MAX + 1];
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ms_left(int64_t deadline)
{
	int64_t left = deadline - mono_ms();
	return left > 0 ? (int)left : 0;
}

int st_tcp_parse_server(const char *server, char *host, size_t hostlen, char *port,
			size_t portlen, char *err, size_t errlen)
{
	const char *h = server, *h_end, *colon;
	if (server[0] == '[') {
		h = server + 1;
		h_end = strchr(h, ']');
		colon = h_end && h_end[1] == ':' ? h_end + 1 : NULL;
	} else {
		colon = strrchr(server, ':');
		h_end = colon;
		if (colon && memchr(server, ':', (size_t)(colon - server))) {
			snprintf(err, errlen, "an IPv6 address goes in brackets: \"[ADDRESS]:PORT\"");
			return -1;
		}
	}
	if (!colon || !h_end) {
		snprintf(err, errlen, "is not \"HOST:PORT\"");
		return -1;
	}
	size_t n = (size_t)(h_end - h);
	if (n == 0 || n > ST_TCP_HOST_MAX || n >= hostlen) {
		snprintf(err, errlen, "the host is empty or longer than %d bytes", ST_TCP_HOST_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)h[i] <= 0x20 || (unsigned char)h[i] >= 0x7f) {
			snprintf(err, errlen, "the host holds a space, a control or a non-ASCII byte");
			return -1;
		}
	const char *p = colon + 1;
	char *end;
	errno = 0;
	long v = strtol(p, &end, 10);
	if (!*p || *end || errno || v < 1 || v > 65535 || strspn(p, "0123456789") != strlen(p) ||
	    strlen(p) >= portlen) {
		snprintf(err, errlen, "the port is not a number from 1 to 65535");
		return -1;
	}
	memcpy(host, h, n);
	host[n] = '\0';
	snprintf(port, portlen, "%ld", v);
	return 0;
}

int st_tcp_init(struct st_tcp_client *c, const char *host, const char *port, int timeout_ms)
{
	snprintf(c->host, sizeof(c->host), "%s", host);
	snprintf(c->port, sizeof(c->port), "%s", port);
	c->timeout_ms = timeout_ms;
	c->fd = -1;
	c->lookup = NULL;
	c->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return c->cancel_fd < 0 ? -1 : 0;
}

void st_tcp_cancel(struct st_tcp_client *c)
{
	uint64_t one = 1;
	if (c->cancel_fd >= 0 && write(c->cancel_fd, &one, sizeof(one)) < 0)
		return;     /* the counter is full: cancelled already */
}

void st_tcp_close(struct st_tcp_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* A lookup still running cannot be freed under the resolver's thread: one
 * that gai_cancel cannot stop is left to it (one per client, when the name
 * server hangs at a stop). */
static void drop_lookup(struct st_tcp_client *c)
{
	struct st_tcp_lookup *l = c->lookup;
	if (!l)
		return;
	c->lookup = NULL;
	switch (gai_cancel(&l->cb)) {
	case EAI_NOTCANCELED:
		return;
	case EAI_ALLDONE:
		if (gai_error(&l->cb) == 0)
			freeaddrinfo(l->cb.ar_result);
		break;
	default:
		break;
	}
	free(l);
}

void st_tcp_free(struct st_tcp_client *c)
{
	drop_lookup(c);
	st_tcp_close(c);
	if (c->cancel_fd >= 0)
		close(c->cancel_fd);
	c->cancel_fd = -1;
}

/* Until fd has events, the deadline passes or the client is cancelled:
 * 1 ready, 0 timed out, -1 cancelled or failed (errno: ECANCELED). */
static int wait_fd(const struct st_tcp_client *c, int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = events },
				       { .fd = c->cancel_fd, .events = POLLIN } };
		int r = poll(p, c->cancel_fd >= 0 ? 2 : 1, ms_left(deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0 && (p[1].revents & POLLIN)) {
			errno = ECANCELED;
			return -1;
		}
		return r > 0 ? 1 : r;
	}
}

/* Whether the collector closed (or reset) the connection: it never
 * writes, so anything readable is its end. Stray bytes are discarded. */
static int peer_closed(int fd)
{
	char junk[512];
	for (;;) {
		ssize_t n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n == 0)
			return 1;
		return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
	}
}

/* One address, within the deadline. Returns the fd, or -1 with errno. */
static int connect_one(const struct st_tcp_client *c, const struct addrinfo *ai,
		       int64_t deadline)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	if (fd < 0)
		return -1;
	/* The kernel's autotuned buffer grows to megabytes (on loopback at
	 * once): that much would vanish unseen into a collector that stopped
	 * reading. A fixed one bounds it, and still carries a dump per round
	 * trip. */
	int sndbuf = SEND_BUFFER;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	int e = errno;
	while (e == EINPROGRESS || e == EINTR) {
		int r = wait_fd(c, fd, POLLOUT, deadline);
		if (r <= 0) {
			e = r == 0 ? ETIMEDOUT : errno;
			break;
		}
		socklen_t el = sizeof(e);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = errno;
		if (e == 0)
			return fd;
	}
	close(fd);
	errno = e;
	return -1;
}

/* Whether the client was cancelled, without waiting. */
static bool cancelled(const struct st_tcp_client *c)
{
	struct pollfd p = { .fd = c->cancel_fd, .events = POLLIN };
	return c->cancel_fd >= 0 && poll(&p, 1, 0) > 0;
}

/* The addresses of the client's name within the deadline: 0 with *res,
 * or -1 with a one-line reason (a lookup that has not answered yet stays
 * the client's, for the next attempt). */
static int resolve(struct st_tcp_client *c, int64_t deadline, struct addrinfo **res,
		   char *err, size_t errlen)
{
	/* An address needs no name server: read at once, in this thread. */
	struct addrinfo numeric = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				    .ai_flags = AI_NUMERICSERV | AI_NUMERICHOST };
	if (!c->lookup && getaddrinfo(c->host, c->port, &numeric, res) == 0)
		return 0;
	if (!c->lookup) {
		struct st_tcp_lookup *l = calloc(1, sizeof(*l));
		if (!l) {
			snprintf(err, errlen, "cannot resolve %s: out of memory", c->host);
			return -1;
		}
		snprintf(l->host, sizeof(l->host), "%s", c->host);
		snprintf(l->port, sizeof(l->port), "%s", c->port);
		l->hints = (struct addrinfo){ .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
					      .ai_flags = AI_NUMERICSERV };
		l->cb = (struct gaicb){ .ar_name = l->host, .ar_service = l->port,
					.ar_request = &l->hints };
		struct gaicb *list[1] = { &l->cb };
		int rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
		if (rc != 0) {
			free(l);
			snprintf(err, errlen, "cannot resolve %s: %s", c->host, gai_strerror(rc));
			return -1;
		}
		c->lookup = l;
	}
	/* gai_suspend cannot watch the cancel eventfd: it waits in slices. */
	const struct gaicb *list[1] = { &c->lookup->cb };
	int rc;
	while ((rc = gai_error(&c->lookup->cb)) == EAI_INPROGRESS) {
		int left = ms_left(deadline);
		if (cancelled(c)) {
			snprintf(err, errlen, "cannot resolve %s: cancelled", c->host);
			errno = ECANCELED;
			return -1;
		}
		if (left == 0) {
			snprintf(err, errlen, "cannot resolve %s: no answer within %.1f s", c->host,
				 c->timeout_ms / 1000.0);
			return -1;
		}
		int slice = left < LOOKUP_SLICE_MS ? left : LOOKUP_SLICE_MS;
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)slice * 1000000L };
		gai_suspend(list, 1, &ts);
	}
	struct st_tcp_lookup *l = c->lookup;
	c->lookup = NULL;
	*res = l->cb.ar_result;
	free(l);
	if (rc != 0) {
		/* errno was the resolver thread's: EAI_SYSTEM says no more. */
		snprintf(err, errlen, "cannot resolve %s: %s", c->host, gai_strerror(rc));
		return -1;
	}
	return 0;
}

static int connect_peer(struct st_tcp_client *c, char *err, size_t errlen)
{
	struct addrinfo *res = NULL;
	int64_t deadline = mono_ms() + c->timeout_ms;
	if (resolve(c, deadline, &res, err, errlen) < 0)
		return -1;
	/* Every address in turn, all under one timeout. */
	char addr[NI_MAXHOST] = "";
	int e = ETIMEDOUT;
	for (const struct addrinfo *ai = res; ai && ms_left(deadline) > 0; ai = ai->ai_next) {
		c->fd = connect_one(c, ai, deadline);
		if (c->fd >= 0)
			break;
		e = errno;
		if (e == ECANCELED)
			break;
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr), NULL, 0,
				NI_NUMERICHOST) != 0)
			addr[0] = '\0';
	}
	freeaddrinfo(res);
	if (c->fd >= 0)
		return 0;
	if (e == ETIMEDOUT)
		snprintf(err, errlen, "connect to %s port %s: no answer within %.1f s",
			 addr[0] ? addr : c->host, c->port, c->timeout_ms / 1000.0);
	else
		snprintf(err, errlen, "connect to %s port %s: %s", addr[0] ? addr : c->host,
			 c->port, strerror(e));
	return -1;
}

int st_tcp_send(struct st_tcp_client *c, const char *buf, size_t len, char *err,
		size_t errlen)
{
	if (c->fd >= 0 && peer_closed(c->fd))
		st_tcp_close(c);
	if (c->fd < 0 && connect_peer(c, err, errlen) < 0)
		return -1;
	int64_t deadline = mono_ms() + c->timeout_ms;
	size_t done = 0;
	while (done < len) {
		ssize_t n = send(c->fd, buf + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			snprintf(err, errlen, "send to %s port %s: %s", c->host, c->port,
				 strerror(errno));
			st_tcp_close(c);
			return -1;
		}
		int r = wait_fd(c, c->fd, POLLOUT, deadline);
		if (r <= 0) {
			/* Half a frame sent: only a new connection frames the
			 * next one right. */
			snprintf(err, errlen, "send to %s port %s: %s", c->host, c->port,
				 r == 0 ? "the collector reads nothing (timed out)" : strerror(errno));
			st_tcp_close(c);
			return -1;
		}
	}
	return 0;
}
