/*
 * systemd's readiness protocol (sd_notify(3)): a datagram such as
 * "READY=1" to the AF_UNIX socket named by $NOTIFY_SOCKET.
 */
#ifndef ST_NOTIFY_H
#define ST_NOTIFY_H

/* Sends state when $NOTIFY_SOCKET is set; nothing otherwise. Returns 0
 * (sent, or nobody listening for it), or -1 with a one-line reason in err. */
int st_notify(const char *state, char *err, unsigned errlen);

#endif
