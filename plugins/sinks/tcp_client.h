/* A TCP connection to a collector that never answers (an RFC 6587 syslog
 * receiver), every step bounded by a timeout. For one thread, the send
 * queue's sender, but for st_tcp_cancel. */
#ifndef ST_TCP_CLIENT_H
#define ST_TCP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#define ST_TCP_HOST_MAX 255
#define ST_TCP_PORT_MAX 5

struct st_tcp_lookup;

struct st_tcp_client {
	char host[ST_TCP_HOST_MAX + 1];
	char port[ST_TCP_PORT_MAX + 1];
	int timeout_ms;         /* connect, and each send of a message */
	int fd;                 /* -1: not connected */
	int cancel_fd;          /* an eventfd: st_tcp_cancel; -1 none */
	struct st_tcp_lookup *lookup;  /* a name lookup still running, or NULL */
};

/* "host:port", "[v6 address]:port" into host and port (1 .. 65535).
 * Returns 0, or -1 with a one-line reason in err. */
int st_tcp_parse_server(const char *server, char *host, size_t hostlen, char *port,
			size_t portlen, char *err, size_t errlen);

/* Not connected yet: from a server st_tcp_parse_server accepted.
 * Returns 0, or -1 with errno (no eventfd). */
int st_tcp_init(struct st_tcp_client *c, const char *host, const char *port, int timeout_ms);

/* From any thread: the name lookup, connect or send waiting now, and
 * every one after, gives up at once (the sink is stopping, and its destroy
 * must not wait out a hung collector or a hung name server). */
void st_tcp_cancel(struct st_tcp_client *c);

/* The whole of buf to the peer, connecting first when not connected (the
 * name looked up and every address it resolves to tried, all within one
 * timeout; a lookup that outlasts it goes on, and the next attempt takes
 * its answer instead of asking again) and reconnecting when
 * the peer closed the connection since the last message. Returns 0, or -1
 * with a one-line reason in err (connection closed then). */
int st_tcp_send(struct st_tcp_client *c, const char *buf, size_t len, char *err,
		size_t errlen);

/* Closes the connection. */
void st_tcp_close(struct st_tcp_client *c);

/* Closes the connection and the eventfd, and drops a lookup still
 * running (the resolver's own thread ends it). */
void st_tcp_free(struct st_tcp_client *c);

#endif
