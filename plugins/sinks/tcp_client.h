/* A TCP connection to a collector that never answers (an RFC 6587 syslog
 * receiver), every step bounded by a timeout. For one thread: the send
 * queue's sender. */
#ifndef ST_TCP_CLIENT_H
#define ST_TCP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#define ST_TCP_HOST_MAX 255
#define ST_TCP_PORT_MAX 5

struct st_tcp_client {
	char host[ST_TCP_HOST_MAX + 1];
	char port[ST_TCP_PORT_MAX + 1];
	int timeout_ms;         /* connect, and each send of a message */
	int fd;                 /* -1: not connected */
};

/* "host:port", "[v6 address]:port" into host and port (1 .. 65535).
 * Returns 0, or -1 with a one-line reason in err. */
int st_tcp_parse_server(const char *server, char *host, size_t hostlen, char *port,
			size_t portlen, char *err, size_t errlen);

/* Not connected yet: from a server st_tcp_parse_server accepted. */
void st_tcp_init(struct st_tcp_client *c, const char *host, const char *port, int timeout_ms);

/* The whole of buf to the peer, connecting first when not connected (every
 * address the name resolves to, within one timeout) and reconnecting when
 * the peer closed the connection since the last message. Returns 0, or -1
 * with a one-line reason in err (connection closed then). */
int st_tcp_send(struct st_tcp_client *c, const char *buf, size_t len, char *err,
		size_t errlen);

void st_tcp_close(struct st_tcp_client *c);

#endif
