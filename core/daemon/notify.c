/*
 * Done here, not through libsystemd: for one sendto() it would map
 * libsystemd, libgcrypt and four more libraries into a daemon that runs as
 * root, and where nothing else maps them (a container, a machine without
 * systemd) they cost it about 1.2 MiB of Pss. systemd documents the
 * protocol as stable for exactly this use.
 */
#include "daemon/notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int st_notify(const char *state, char *err, unsigned errlen)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path)
		return 0;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	/* A path, or "@name" for the abstract namespace. */
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "NOTIFY_SOCKET %.64s: not a unix socket address", path);
		return -1;
	}
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "NOTIFY_SOCKET: socket: %s", strerror(errno));
		return -1;
	}
	size_t n = strlen(state);
	ssize_t sent = sendto(fd, state, n, MSG_NOSIGNAL, (const struct sockaddr *)&sa,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	int saved = errno;
	close(fd);
	if (sent != (ssize_t)n) {
		snprintf(err, errlen, "NOTIFY_SOCKET %s: %s", path,
			 sent < 0 ? strerror(saved) : "short send");
		return -1;
	}
	return 0;
}
