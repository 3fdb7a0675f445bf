/*
 * The netlink sockets of the exit events (core/events/event_source.h): opening
 * and subscribing with a reason for every fallback, and the non-blocking
 * drain the poll loop calls. Subscribing waits for the kernel's answer
 * (bounded by a poll timeout), so that a subscription the kernel ignored
 * (a container's pid namespace) is a fallback and not a silent nothing.
 */
#define _GNU_SOURCE
#include "events/event_source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>

#include "plugin/host.h"
#include "daemon/log.h"

/* How long subscribing waits for each answer of the kernel. */
#define ANSWER_MS 1000
/* Events parsed out of one datagram at most (the kernel sends one). */
#define EV_PER_DGRAM 8

/* The proc connector's filter (Linux 6.6, <linux/cn_proc.h>), here so
 * that older headers build it too. A kernel before 6.6 ignores a
 * message of this size. */
struct st_proc_input {
	uint32_t mcast_op;
	uint32_t event_type;
};

static const char *const mode_names[] = { "cutime", "proc_connector", "taskstats" };

const char *st_exit_mode_name(enum st_exit_mode m)
{
	return (unsigned)m < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[m] : "?";
}

int st_exit_mode_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (strcmp(name, mode_names[i]) == 0)
			return (int)i;
	return -1;
}

static uint32_t next_seq(void)
{
	static uint32_t seq;
	struct timespec ts;

	if (!seq) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		seq = (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 12);
	}
	return ++seq;
}

static void set_rcvbuf(int fd, uint32_t bytes, uint32_t *granted)
{
	int v = bytes > (uint32_t)(INT32_MAX / 2) ? INT32_MAX / 2 : (int)bytes;
	socklen_t len = sizeof(v);

	/* FORCE passes net.core.rmem_max, with CAP_NET_ADMIN */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0 && v > 0)
		*granted = (uint32_t)v;
}

static int nl_socket(int type, int proto, uint32_t groups)
{
	struct sockaddr_nl a;
	int fd = socket(AF_NETLINK, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.nl_family = AF_NETLINK;
	a.nl_groups = groups;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int nl_send(int fd, const void *msg, size_t len)
{
	struct sockaddr_nl k;

	memset(&k, 0, sizeof(k));
	k.nl_family = AF_NETLINK; /* nl_pid 0: the kernel */
	return sendto(fd, msg, len, 0, (struct sockaddr *)&k, sizeof(k)) == (ssize_t)len ? 0 : -1;
}

/* One datagram from the kernel within the time left (ms, updated);
 * its length, or -1 when none came in time. */
static ssize_t recv_kernel(int fd, unsigned char *buf, size_t size, int *left_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	struct sockaddr_nl from;
	socklen_t fl;
	ssize_t n;

	for (;;) {
		fl = sizeof(from);
		n = recvfrom(fd, buf, size, 0, (struct sockaddr *)&from, &fl);
		if (n >= 0 && from.nl_pid == 0)
			return n;
		if (n >= 0 || errno == EINTR || errno == ENOBUFS)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (*left_ms <= 0)
			return -1;
		int64_t t0 = st_mono_ns();
		if (poll(&p, 1, *left_ms) <= 0)
			return -1;
		*left_ms -= (int)((st_mono_ns() - t0) / 1000000);
	}
}

/* ------------------------------------------------------- proc connector */

static int cn_send_op(int fd, uint32_t seq, const void *op, size_t oplen)
{
	unsigned char m[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(struct st_proc_input))]
		__attribute__((aligned(8)));
	struct nlmsghdr *nh = (struct nlmsghdr *)m;
	struct cn_msg *cn = NLMSG_DATA(nh);

	memset(m, 0, sizeof(m));
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*cn) + oplen);
	nh->nlmsg_type = NLMSG_DONE;
	nh->nlmsg_seq = seq;
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->seq = seq;
	cn->ack = seq; /* answered with ack + 1 */
	cn->len = (uint16_t)oplen;
	memcpy(cn->data, op, oplen);
	return nl_send(fd, m, nh->nlmsg_len);
}

static int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma > major || (ma == major && mi >= minor);
}

/* Subscribe; the fd or -1 with why. with_exit: the connector's EXIT too. */
static int cn_open(struct st_event_source *s, uint32_t rcvbuf, int with_exit, char *why,
		   size_t whylen)
{
	uint32_t op = PROC_CN_MCAST_LISTEN, seq = next_seq(), ack_err = 0;
	struct st_proc_input filt;
	int fd, left = ANSWER_MS, got = 0;
	char perr[160];

	fd = nl_socket(SOCK_DGRAM, NETLINK_CONNECTOR, CN_IDX_PROC);
	if (fd < 0) {
		if (errno == EPERM || errno == EACCES)
			snprintf(why, whylen, "listening to the proc connector needs CAP_NET_ADMIN "
				 "before Linux 6.6");
		else if (errno == EPROTONOSUPPORT || errno == EAFNOSUPPORT)
			snprintf(why, whylen, "the kernel has no proc connector (CONFIG_PROC_EVENTS)");
		else
			snprintf(why, whylen, "proc connector socket: %s", strerror(errno));
		return -1;
	}
	set_rcvbuf(fd, rcvbuf, &s->rcvbuf_bytes);
	/* The plain LISTEN every kernel knows, answered by an ack. */
	if (cn_send_op(fd, seq, &op, sizeof(op)) < 0) {
		snprintf(why, whylen, "proc connector subscription: %s", strerror(errno));
		close(fd);
		return -1;
	}
	while (!got) {
		ssize_t n = recv_kernel(fd, s->buf, sizeof(s->buf), &left);
		int rc;

		if (n < 0)
			break;
		rc = st_cn_proc_ack_parse(s->buf, (size_t)n, seq, &ack_err, perr, sizeof(perr));
		got = rc > 0;
	}
	if (!got || ack_err) {
		if (!got)
			snprintf(why, whylen, "the proc connector did not answer the subscription "
				 "(it answers only in the initial pid and user namespaces)");
		else
			snprintf(why, whylen, "the proc connector refused the subscription: %s",
				 strerror((int)ack_err));
		close(fd);
		return -1;
	}
	/* Then narrow it to what is used, where the kernel filters
	 * (6.6); an older one ignores this message and sends everything. */
	filt.mcast_op = PROC_CN_MCAST_LISTEN;
	filt.event_type = PROC_EVENT_FORK | PROC_EVENT_EXEC | PROC_EVENT_COMM |
			  (with_exit ? PROC_EVENT_EXIT : 0);
	s->filtered = kernel_at_least(6, 6) && cn_send_op(fd, next_seq(), &filt, sizeof(filt)) == 0;
	return fd;
}

static void cn_close(int fd)
{
	uint32_t op = PROC_CN_MCAST_IGNORE;

	(void)cn_send_op(fd, next_seq(), &op, sizeof(op)); /* the kernel's listener count */
	close(fd);
}

/* ------------------------------------------------------------ taskstats */

/* A generic netlink request with one attribute (payload of plen bytes). */
static int genl_send(int fd, uint16_t type, uint16_t flags, uint32_t seq, uint8_t cmd,
		     uint8_t version, uint16_t attr, const void *payload, size_t plen)
{
	unsigned char m[512] __attribute__((aligned(8)));
	struct nlmsghdr *nh = (struct nlmsghdr *)m;
	struct genlmsghdr *gh = NLMSG_DATA(nh);
	struct nlattr *na = (struct nlattr *)((unsigned char *)gh + GENL_HDRLEN);

	if (NLMSG_SPACE(GENL_HDRLEN + NLA_HDRLEN + plen) > sizeof(m)) {
		errno = E2BIG;
		return -1;
	}
	memset(m, 0, sizeof(m));
	nh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + NLA_ALIGN(NLA_HDRLEN + plen));
	nh->nlmsg_type = type;
	nh->nlmsg_flags = NLM_F_REQUEST | flags;
	nh->nlmsg_seq = seq;
	gh->cmd = cmd;
	gh->version = version;
	na->nla_type = attr;
	na->nla_len = (uint16_t)(NLA_HDRLEN + plen);
	memcpy((unsigned char *)na + NLA_HDRLEN, payload, plen);
	return nl_send(fd, m, nh->nlmsg_len);
}

/* The kernel's answer to request seq: 0 and *errno_out, or -1 (none). */
static int genl_answer(struct st_event_source *s, int fd, uint32_t seq, int *errno_out,
		       uint16_t *family)
{
	int left = ANSWER_MS;
	char perr[160];

	for (;;) {
		ssize_t n = recv_kernel(fd, s->buf, sizeof(s->buf), &left);

		if (n < 0)
			return -1;
		if (st_nl_reply_parse(s->buf, (size_t)n, seq, errno_out, family, perr,
				      sizeof(perr)) > 0)
			return 0;
	}
}

/* The possible CPUs as the kernel writes a cpulist ("0-3"). */
static void possible_cpus(char *out, size_t len)
{
	int fd = open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = read(fd, out, len - 1);
		close(fd);
	}
	if (n > 0) {
		out[n] = '\0';
		out[strcspn(out, " \n")] = '\0';
		if (out[0] && strspn(out, "0123456789,-") == strlen(out))
			return;
	}
	n = sysconf(_SC_NPROCESSORS_CONF);
	snprintf(out, len, "0-%ld", n > 1 ? (long)n - 1 : 0L);
}

static int ts_open(struct st_event_source *s, uint32_t rcvbuf, char *why, size_t whylen)
{
	static const char name[] = TASKSTATS_GENL_NAME;
	char cpus[256];
	uint32_t seq;
	uint16_t family = 0;
	int fd, e = 0;

	fd = nl_socket(SOCK_RAW, NETLINK_GENERIC, 0);
	if (fd < 0) {
		snprintf(why, whylen, "generic netlink socket: %s", strerror(errno));
		return -1;
	}
	seq = next_seq();
	if (genl_send(fd, GENL_ID_CTRL, 0, seq, CTRL_CMD_GETFAMILY, 1, CTRL_ATTR_FAMILY_NAME, name,
		      sizeof(name)) < 0 ||
	    genl_answer(s, fd, seq, &e, &family) < 0) {
		snprintf(why, whylen, "no answer from generic netlink for the taskstats family");
		goto fail;
	}
	if (e || !family) {
		snprintf(why, whylen, "the kernel has no taskstats (CONFIG_TASKSTATS): %s",
			 strerror(e ? e : ENOENT));
		goto fail;
	}
	set_rcvbuf(fd, rcvbuf, &s->rcvbuf_bytes);
	possible_cpus(cpus, sizeof(cpus));
	seq = next_seq();
	if (genl_send(fd, family, NLM_F_ACK, seq, TASKSTATS_CMD_GET, TASKSTATS_GENL_VERSION,
		      TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, cpus, strlen(cpus) + 1) < 0 ||
	    genl_answer(s, fd, seq, &e, NULL) < 0) {
		snprintf(why, whylen, "no answer from taskstats to registering CPUs %s", cpus);
		goto fail;
	}
	if (e == EPERM)
		snprintf(why, whylen, "registering for taskstats needs CAP_NET_ADMIN");
	else if (e == EINVAL)
		snprintf(why, whylen, "taskstats refused CPUs %s (it takes listeners only in the "
			 "initial pid and user namespaces)", cpus);
	else if (e)
		snprintf(why, whylen, "taskstats refused the registration: %s", strerror(e));
	if (e)
		goto fail;
	s->ts_family = family;
	return fd;
fail:
	close(fd);
	return -1;
}

static void ts_close(struct st_event_source *s)
{
	char cpus[256];

	possible_cpus(cpus, sizeof(cpus));
	(void)genl_send(s->ts_fd, s->ts_family, 0, next_seq(), TASKSTATS_CMD_GET,
			TASKSTATS_GENL_VERSION, TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK, cpus,
			strlen(cpus) + 1);
	close(s->ts_fd);
}

/* ----------------------------------------------------------------- open */

static int read_flag(const char *path)
{
	char c = '0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}

enum st_exit_mode st_event_source_open(struct st_event_source *s, enum st_exit_mode want,
				       uint32_t rcvbuf_bytes)
{
	char ts_why[200] = "", cn_why[200] = "";

	memset(s, 0, sizeof(*s));
	s->cn_fd = s->ts_fd = -1;
	s->mode = ST_EXIT_MODE_CUTIME;
	if (!rcvbuf_bytes)
		rcvbuf_bytes = ST_EVENT_RCVBUF_DEFAULT;
	if (want == ST_EXIT_MODE_CUTIME) {
		st_notice("exit events: cutime (as configured): exits are seen as their reapers' "
			  "children's CPU");
		return s->mode;
	}
	s->delayacct = read_flag("/proc/sys/kernel/task_delayacct");
	if (want == ST_EXIT_MODE_TASKSTATS)
		s->ts_fd = ts_open(s, rcvbuf_bytes, ts_why, sizeof(ts_why));
	/* With taskstats the connector's EXIT is not used: not asked for. */
	s->cn_fd = cn_open(s, rcvbuf_bytes, s->ts_fd < 0, cn_why, sizeof(cn_why));

	if (s->ts_fd >= 0) {
		s->mode = ST_EXIT_MODE_TASKSTATS;
		if (s->cn_fd >= 0)
			st_notice("exit events: taskstats (CPU, elapsed, peak RSS and I/O of "
				  "every exit), forks and execs from the proc connector");
		else
			st_notice("exit events: taskstats; no forks, execs or renames: %s", cn_why);
	} else if (s->cn_fd >= 0) {
		s->mode = ST_EXIT_MODE_PROC_CONNECTOR;
		if (want == ST_EXIT_MODE_TASKSTATS)
			st_notice("exit events: proc_connector (exits without figures), not "
				  "taskstats: %s", ts_why);
		else
			st_notice("exit events: proc_connector (exits without figures)");
	} else if (want == ST_EXIT_MODE_TASKSTATS) {
		st_notice("exit events: cutime only, not taskstats: %s; not the proc connector: %s",
			  ts_why, cn_why);
	} else {
		st_notice("exit events: cutime only, not the proc connector: %s", cn_why);
	}
	if (s->mode != ST_EXIT_MODE_CUTIME && s->rcvbuf_bytes / 2 < rcvbuf_bytes)
		st_info("exit events: receive buffer %u KiB, not the %u KiB asked "
			"(net.core.rmem_max without CAP_NET_ADMIN)",
			s->rcvbuf_bytes / 2 / 1024, rcvbuf_bytes / 1024);
	return s->mode;
}

void st_event_source_close(struct st_event_source *s)
{
	if (s->cn_fd >= 0)
		cn_close(s->cn_fd);
	if (s->ts_fd >= 0)
		ts_close(s);
	s->cn_fd = s->ts_fd = -1;
	s->mode = ST_EXIT_MODE_CUTIME;
}

size_t st_event_source_fill(const struct st_event_source *s, struct pollfd *fds, size_t max)
{
	size_t n = 0;

	if (s->cn_fd >= 0 && n < max)
		fds[n++] = (struct pollfd){ s->cn_fd, POLLIN, 0 };
	if (s->ts_fd >= 0 && n < max)
		fds[n++] = (struct pollfd){ s->ts_fd, POLLIN, 0 };
	return n;
}

/* ---------------------------------------------------------------- drain */

/* Threads' figures wait in a direct-mapped table for their process's
 * EXIT: a collision keeps the newer process (the older one is most
 * likely long-lived, and /proc has its dead threads' CPU). */
static struct st_event_thread_acc *thread_slot(struct st_event_source *s, int32_t tgid)
{
	return &s->threads[((uint32_t)tgid * 2654435761u) % ST_EVENT_THREAD_SLOTS];
}

static void add_known(int64_t *to, int64_t v)
{
	if (v > 0 && *to >= 0 && *to <= INT64_MAX - v)
		*to += v;
}

static void thread_fold_in(struct st_event_source *s, const struct st_proc_event *ev)
{
	struct st_event_thread_acc *a = thread_slot(s, ev->pid);

	if (a->tgid != ev->pid) {
		if (a->tgid)
			s->thread_overflow++;
		memset(a, 0, sizeof(*a));
		a->tgid = ev->pid;
	}
	add_known(&a->utime_ns, ev->utime_ns);
	add_known(&a->stime_ns, ev->stime_ns);
	add_known(&a->read_bytes, ev->read_bytes);
	add_known(&a->write_bytes, ev->write_bytes);
	add_known(&a->blkio_delay_ns, ev->blkio_delay_ns);
}

static void thread_fold_out(struct st_event_source *s, struct st_proc_event *ev)
{
	struct st_event_thread_acc *a = thread_slot(s, ev->pid);

	if (a->tgid == ev->pid) {
		add_known(&ev->utime_ns, a->utime_ns);
		add_known(&ev->stime_ns, a->stime_ns);
		add_known(&ev->read_bytes, a->read_bytes);
		add_known(&ev->write_bytes, a->write_bytes);
		add_known(&ev->blkio_delay_ns, a->blkio_delay_ns);
		a->tgid = 0;
	}
	if (!s->delayacct)
		ev->blkio_delay_ns = -1;
}

/* Drain one socket (which: 0 connector, 1 taskstats). */
static size_t drain_fd(struct st_event_source *s, int which, size_t max_events,
		       void (*on_event)(void *, const struct st_proc_event *), void *ctx)
{
	static const char *const names[] = { "proc connector", "taskstats" };
	int fd = which ? s->ts_fd : s->cn_fd;
	struct st_proc_event ev[EV_PER_DGRAM];
	size_t delivered = 0;
	char err[160];

	while (delivered < max_events) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);
		uint32_t skipped = 0;
		size_t room = max_events - delivered;
		ssize_t n;
		int i, got;

		n = recvfrom(fd, s->buf, sizeof(s->buf), MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				s->lost_overruns++;
				if (!s->in_burst[which])
					st_warn("exit events: the kernel dropped %s events (receive "
						"buffer full, %llu times so far)",
						names[which], (unsigned long long)s->lost_overruns);
				s->in_burst[which] = 1;
				continue;
			}
			/* EAGAIN: nothing more queued, which ends a burst */
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				s->in_burst[which] = 0;
			break;
		}
		if (from.nl_pid != 0) { /* not the kernel */
			s->skipped++;
			continue;
		}
		if ((size_t)n > sizeof(s->buf)) {
			got = -1;
			snprintf(err, sizeof(err), "datagram of %zd bytes cut to %zu", n,
				 sizeof(s->buf));
		} else if (which) {
			got = st_taskstats_parse(s->buf, (size_t)n, s->ts_family, ev,
						 room < EV_PER_DGRAM ? room : EV_PER_DGRAM, &skipped,
						 err, sizeof(err));
		} else {
			got = st_cn_proc_parse(s->buf, (size_t)n, ev,
					       room < EV_PER_DGRAM ? room : EV_PER_DGRAM, &skipped,
					       err, sizeof(err));
		}
		s->skipped += skipped;
		if (got < 0) {
			if (s->malformed++ % 1000 == 0)
				st_warn("exit events: malformed %s datagram (%llu so far): %s",
					names[which], (unsigned long long)s->malformed, err);
			continue;
		}
		for (i = 0; i < got; i++) {
			if (ev[i].kind == ST_PROC_EV_THREAD_EXIT) {
				thread_fold_in(s, &ev[i]);
				continue;
			}
			if (ev[i].kind == ST_PROC_EV_EXIT) {
				if (!which && s->ts_fd >= 0) {
					s->skipped++; /* taskstats gives this one */
					continue;
				}
				if (which)
					thread_fold_out(s, &ev[i]);
			}
			on_event(ctx, &ev[i]);
			delivered++;
		}
	}
	return delivered;
}

size_t st_event_source_drain(struct st_event_source *s, const struct pollfd *fds, size_t nfds,
			     size_t max_events,
			     void (*on_event)(void *ctx, const struct st_proc_event *ev), void *ctx)
{
	size_t i, n = 0;

	for (i = 0; i < nfds && n < max_events; i++) {
		if (!(fds[i].revents & (POLLIN | POLLERR)) || fds[i].fd < 0)
			continue;
		if (fds[i].fd == s->cn_fd)
			n += drain_fd(s, 0, max_events - n, on_event, ctx);
		else if (fds[i].fd == s->ts_fd)
			n += drain_fd(s, 1, max_events - n, on_event, ctx);
	}
	s->events += n;
	return n;
}
