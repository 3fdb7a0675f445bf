/*
 * Parsers of the proc connector's and taskstats' netlink datagrams
 * (core/events/proc_events.h). A datagram is walked message by message and
 * attribute by attribute with every length checked against what is left;
 * fields are copied out with memcpy (the kernel's structs sit unaligned
 * behind the netlink and connector headers). A malformed datagram is
 * refused whole: the kernel never sends one, so none of it is trusted.
 */
#include "events/proc_events.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/acct.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>

void st_proc_event_init(struct st_proc_event *ev, uint32_t kind, int32_t pid)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->pid = pid;
	ev->utime_ns = ev->stime_ns = ev->elapsed_ns = -1;
	ev->peak_rss_kib = ev->read_bytes = ev->write_bytes = ev->blkio_delay_ns = -1;
	ev->exit_code = -1;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A pid as the kernel gives it; <= 0 is no process. */
static int32_t get_pid(const unsigned char *p)
{
	return (int32_t)get_u32(p);
}

/* Up to n raw bytes of a kernel comm, stopping at its NUL. */
static void copy_comm(char *dst, const unsigned char *src, size_t n)
{
	size_t i;

	if (n > ST_COMM_MAX - 1)
		n = ST_COMM_MAX - 1;
	for (i = 0; i < n && src[i]; i++)
		dst[i] = (char)src[i];
	dst[i] = '\0';
}

/*
 * Walk the netlink messages of a datagram. For each one calls
 * fn(ctx, type, payload, payload_len); fn returns -1 (with err set) for a
 * malformed payload. The last message may lack its alignment padding.
 */
typedef int (*nlmsg_fn)(void *ctx, uint16_t type, const unsigned char *p, size_t n, char *err,
			size_t errlen);

static int walk_nlmsgs(const void *buf, size_t len, nlmsg_fn fn, void *ctx, char *err,
		       size_t errlen)
{
	const unsigned char *p = buf;
	size_t off = 0;

	if (len == 0)
		return fail(err, errlen, "empty netlink datagram");
	while (off < len) {
		size_t left = len - off;
		uint32_t mlen;
		uint16_t type;

		if (left < NLMSG_HDRLEN)
			return fail(err, errlen, "netlink datagram ends in a %zu-byte fragment of a header",
				    left);
		mlen = get_u32(p + off);
		memcpy(&type, p + off + 4, sizeof(type));
		if (mlen < NLMSG_HDRLEN || mlen > left)
			return fail(err, errlen,
				    "netlink message length %u does not fit the %zu bytes left", mlen,
				    left);
		if (fn(ctx, type, p + off + NLMSG_HDRLEN, mlen - NLMSG_HDRLEN, err, errlen) < 0)
			return -1;
		off += NLMSG_ALIGN(mlen) < left ? NLMSG_ALIGN(mlen) : left;
	}
	return 0;
}

/* The output side shared by both parsers. */
struct out {
	struct st_proc_event *ev;
	size_t max, n;
	uint32_t skipped;
};

static void emit(struct out *o, const struct st_proc_event *ev)
{
	if (o->n < o->max)
		o->ev[o->n++] = *ev;
	else
		o->skipped++;
}

/* ------------------------------------------------------- proc connector */

/* struct proc_event: what, cpu, timestamp_ns, then the union. */
#define PE_HDR 16u

static int cn_one(void *ctx, uint16_t type, const unsigned char *p, size_t n, char *err,
		  size_t errlen)
{
	struct out *o = ctx;
	struct st_proc_event ev;
	uint32_t idx, val, what;
	uint16_t dlen;
	const unsigned char *d, *u;
	size_t need;

	if (type != NLMSG_DONE) { /* the connector sends NLMSG_DONE; NOOP, ERROR: not events */
		o->skipped++;
		return 0;
	}
	if (n < sizeof(struct cn_msg))
		return fail(err, errlen, "connector message of %zu bytes, shorter than its header", n);
	idx = get_u32(p + offsetof(struct cn_msg, id.idx));
	val = get_u32(p + offsetof(struct cn_msg, id.val));
	memcpy(&dlen, p + offsetof(struct cn_msg, len), sizeof(dlen));
	if (dlen > n - sizeof(struct cn_msg))
		return fail(err, errlen, "connector data length %u does not fit the %zu bytes left",
			    dlen, n - sizeof(struct cn_msg));
	if (idx != CN_IDX_PROC || val != CN_VAL_PROC) {
		o->skipped++;
		return 0;
	}
	d = p + sizeof(struct cn_msg);
	if (dlen < PE_HDR)
		return fail(err, errlen, "proc event of %u bytes, shorter than its header", dlen);
	what = get_u32(d);
	u = d + PE_HDR;
	switch (what) {
	case PROC_EVENT_FORK: need = sizeof(struct fork_proc_event); break;
	case PROC_EVENT_EXEC: need = sizeof(struct exec_proc_event); break;
	case PROC_EVENT_COMM: need = sizeof(struct comm_proc_event); break;
	/* parent_pid/tgid came later (Linux 4.13): optional */
	case PROC_EVENT_EXIT: need = offsetof(struct exit_proc_event, parent_pid); break;
	default:
		o->skipped++; /* acks (PROC_EVENT_NONE), uid, gid, sid, ptrace, coredump, new kinds */
		return 0;
	}
	if (dlen < PE_HDR + need)
		return fail(err, errlen, "proc event 0x%x of %u bytes, %zu needed", what, dlen,
			    PE_HDR + need);

	switch (what) {
	case PROC_EVENT_FORK: {
		int32_t ptgid = get_pid(u + offsetof(struct fork_proc_event, parent_tgid));
		int32_t cpid = get_pid(u + offsetof(struct fork_proc_event, child_pid));
		int32_t ctgid = get_pid(u + offsetof(struct fork_proc_event, child_tgid));

		if (cpid != ctgid || ctgid <= 0) { /* a new thread, not a new process */
			o->skipped++;
			return 0;
		}
		st_proc_event_init(&ev, ST_PROC_EV_FORK, ctgid);
		ev.parent_pid = ptgid > 0 ? ptgid : 0;
		break;
	}
	case PROC_EVENT_EXEC: {
		/* exec makes the calling thread the leader: report the process */
		int32_t tgid = get_pid(u + offsetof(struct exec_proc_event, process_tgid));

		if (tgid <= 0) {
			o->skipped++;
			return 0;
		}
		st_proc_event_init(&ev, ST_PROC_EV_EXEC, tgid);
		break;
	}
	case PROC_EVENT_COMM:
	case PROC_EVENT_EXIT: {
		/* both start with process_pid, process_tgid */
		int32_t pid = get_pid(u);
		int32_t tgid = get_pid(u + 4);

		if (pid != tgid || tgid <= 0) { /* a thread's name or end */
			o->skipped++;
			return 0;
		}
		if (what == PROC_EVENT_COMM) {
			st_proc_event_init(&ev, ST_PROC_EV_COMM, tgid);
			copy_comm(ev.comm, u + offsetof(struct comm_proc_event, comm),
				  sizeof(((struct comm_proc_event *)0)->comm));
		} else {
			st_proc_event_init(&ev, ST_PROC_EV_EXIT, tgid);
			ev.exit_code = (int32_t)get_u32(u + offsetof(struct exit_proc_event, exit_code));
			if (dlen >= PE_HDR + sizeof(struct exit_proc_event)) {
				int32_t ptgid =
					get_pid(u + offsetof(struct exit_proc_event, parent_tgid));
				ev.parent_pid = ptgid > 0 ? ptgid : 0;
			}
		}
		break;
	}
	default:
		return 0;
	}
	{
		uint64_t ts = get_u64(d + 8);

		ev.kernel_ns = ts <= INT64_MAX ? (int64_t)ts : 0;
	}
	emit(o, &ev);
	return 0;
}

static int finish(struct out *o, int rc, uint32_t *skipped, char *err, size_t errlen)
{
	if (rc < 0)
		return -1;
	if (err && errlen)
		err[0] = '\0';
	if (skipped)
		*skipped += o->skipped;
	return (int)o->n;
}

int st_cn_proc_parse(const void *buf, size_t len, struct st_proc_event *ev, size_t max,
		     uint32_t *skipped, char *err, size_t errlen)
{
	struct out o = { ev, max, 0, 0 };

	if (max > INT32_MAX)
		o.max = INT32_MAX;
	return finish(&o, walk_nlmsgs(buf, len, cn_one, &o, err, errlen), skipped, err, errlen);
}

/* ------------------------------------------------------------ taskstats */

/* The fields used, up to write_bytes, are in every taskstats since
 * version 4; ac_tgid and ac_tgetime since version 12. */
#define TS_NEED (offsetof(struct taskstats, write_bytes) + sizeof(uint64_t))
#define TS_NEED_V12 (offsetof(struct taskstats, ac_tgetime) + sizeof(uint64_t))

/* One AGGR_PID or AGGR_TGID nest: its id and its stats record. */
struct ts_aggr {
	int present;
	int32_t id;
	const unsigned char *stats;
	size_t stats_len;
};

struct ts_ctx {
	struct out *o;
	uint16_t family;
};

/* Walk attributes in [p, p+n): fn(ctx, type, payload, len). */
typedef int (*nla_fn)(void *ctx, uint16_t type, const unsigned char *p, size_t n, char *err,
		      size_t errlen);

static int walk_attrs(const unsigned char *p, size_t n, nla_fn fn, void *ctx, char *err,
		      size_t errlen)
{
	size_t off = 0;

	while (off < n) {
		size_t left = n - off;
		uint16_t alen, atype;

		if (left < NLA_HDRLEN)
			return fail(err, errlen, "taskstats attribute header cut at %zu bytes", left);
		memcpy(&alen, p + off, sizeof(alen));
		memcpy(&atype, p + off + 2, sizeof(atype));
		if (alen < NLA_HDRLEN || alen > left)
			return fail(err, errlen,
				    "taskstats attribute length %u does not fit the %zu bytes left",
				    alen, left);
		if (fn(ctx, atype & NLA_TYPE_MASK, p + off + NLA_HDRLEN, alen - NLA_HDRLEN, err,
		       errlen) < 0)
			return -1;
		off += (size_t)NLA_ALIGN(alen) < left ? (size_t)NLA_ALIGN(alen) : left;
	}
	return 0;
}

struct nest_ctx {
	struct ts_aggr *a;
	uint16_t id_type; /* TASKSTATS_TYPE_PID or _TGID */
	uint32_t *skipped;
};

static int nest_attr(void *ctx, uint16_t type, const unsigned char *p, size_t n, char *err,
		     size_t errlen)
{
	struct nest_ctx *c = ctx;

	if (type == c->id_type) {
		if (n < 4)
			return fail(err, errlen, "taskstats id attribute of %zu bytes", n);
		c->a->id = get_pid(p);
	} else if (type == TASKSTATS_TYPE_STATS) {
		if (n < TS_NEED)
			return fail(err, errlen, "taskstats record of %zu bytes, %zu needed", n,
				    (size_t)TS_NEED);
		c->a->stats = p;
		c->a->stats_len = n;
	} else if (type != TASKSTATS_TYPE_NULL) { /* padding */
		(*c->skipped)++;
	}
	return 0;
}

struct msg_ctx {
	struct ts_aggr pid, tgid;
	uint32_t *skipped;
};

static int msg_attr(void *ctx, uint16_t type, const unsigned char *p, size_t n, char *err,
		    size_t errlen)
{
	struct msg_ctx *m = ctx;
	struct nest_ctx nc;

	if (type == TASKSTATS_TYPE_AGGR_PID) {
		nc.a = &m->pid;
		nc.id_type = TASKSTATS_TYPE_PID;
	} else if (type == TASKSTATS_TYPE_AGGR_TGID) {
		nc.a = &m->tgid;
		nc.id_type = TASKSTATS_TYPE_TGID;
	} else {
		if (type != TASKSTATS_TYPE_NULL)
			(*m->skipped)++;
		return 0;
	}
	if (nc.a->present)
		return fail(err, errlen, "taskstats message with two %s records",
			    type == TASKSTATS_TYPE_AGGR_PID ? "pid" : "tgid");
	nc.a->present = 1;
	nc.a->id = 0;
	nc.a->stats = NULL;
	nc.skipped = m->skipped;
	if (walk_attrs(p, n, nest_attr, &nc, err, errlen) < 0)
		return -1;
	if (nc.a->id <= 0 || !nc.a->stats)
		return fail(err, errlen, "taskstats %s record without its %s",
			    type == TASKSTATS_TYPE_AGGR_PID ? "pid" : "tgid",
			    nc.a->id <= 0 ? "id" : "stats");
	return 0;
}

/* µs (or a KiB count) as ns (bytes): -1 where it cannot be represented. */
static int64_t scaled(uint64_t v, uint64_t by)
{
	return v <= (uint64_t)INT64_MAX / by ? (int64_t)(v * by) : -1;
}

static int64_t as_i64(uint64_t v)
{
	return v <= (uint64_t)INT64_MAX ? (int64_t)v : -1;
}

static int ts_one(void *ctx, uint16_t type, const unsigned char *p, size_t n, char *err,
		  size_t errlen)
{
	struct ts_ctx *t = ctx;
	struct out *o = t->o;
	struct msg_ctx m;
	struct st_proc_event ev;
	const unsigned char *s;
	uint16_t version;
	uint8_t flag;
	int group_end, v12;
	int32_t tgid;

	if (type != t->family) { /* acks (NLMSG_ERROR), other families */
		o->skipped++;
		return 0;
	}
	if (n < GENL_HDRLEN)
		return fail(err, errlen, "generic netlink message of %zu bytes, shorter than its header",
			    n);
	if (p[0] != TASKSTATS_CMD_NEW) {
		o->skipped++;
		return 0;
	}
	memset(&m, 0, sizeof(m));
	m.skipped = &o->skipped;
	if (walk_attrs(p + GENL_HDRLEN, n - GENL_HDRLEN, msg_attr, &m, err, errlen) < 0)
		return -1;
	if (!m.pid.present) {
		if (m.tgid.present)
			return fail(err, errlen, "taskstats tgid record without the task's own");
		o->skipped++; /* a message with nothing we know */
		return 0;
	}
	s = m.pid.stats;
	memcpy(&version, s + offsetof(struct taskstats, version), sizeof(version));
	flag = s[offsetof(struct taskstats, ac_flag)];
	v12 = version >= 12 && m.pid.stats_len >= TS_NEED_V12;
	tgid = v12 ? get_pid(s + offsetof(struct taskstats, ac_tgid)) : 0;
	if (m.tgid.present) {
		group_end = 1;
		tgid = m.tgid.id;
	} else if (v12) {
		group_end = (flag & AGROUP) != 0;
	} else {
		/* Before version 12 nothing tells a thread from a process:
		 * a record on its own is a single-threaded process's. */
		group_end = 1;
	}
	if (group_end && tgid <= 0)
		tgid = m.pid.id;

	st_proc_event_init(&ev, group_end ? ST_PROC_EV_EXIT : ST_PROC_EV_THREAD_EXIT,
			   tgid > 0 ? tgid : 0);
	ev.flags = ST_PROC_EV_TASKSTATS;
	ev.utime_ns = scaled(get_u64(s + offsetof(struct taskstats, ac_utime)), 1000);
	ev.stime_ns = scaled(get_u64(s + offsetof(struct taskstats, ac_stime)), 1000);
	ev.read_bytes = as_i64(get_u64(s + offsetof(struct taskstats, read_bytes)));
	ev.write_bytes = as_i64(get_u64(s + offsetof(struct taskstats, write_bytes)));
	ev.blkio_delay_ns = as_i64(get_u64(s + offsetof(struct taskstats, blkio_delay_total)));
	if (group_end) {
		int32_t ppid = get_pid(s + offsetof(struct taskstats, ac_ppid));

		ev.parent_pid = ppid > 0 ? ppid : 0;
		/* the whole process's wall time, where the kernel gives it */
		ev.elapsed_ns = scaled(get_u64(s + (v12 ? offsetof(struct taskstats, ac_tgetime)
							: offsetof(struct taskstats, ac_etime))),
				       1000);
		ev.peak_rss_kib = as_i64(get_u64(s + offsetof(struct taskstats, hiwater_rss)));
		/* the exit code is set on the leader's record only */
		if (m.pid.id == tgid)
			ev.exit_code = (int32_t)get_u32(s + offsetof(struct taskstats, ac_exitcode));
		copy_comm(ev.comm, s + offsetof(struct taskstats, ac_comm), TS_COMM_LEN);
	}
	if (ev.pid <= 0) { /* a thread of a process we cannot name */
		o->skipped++;
		return 0;
	}
	emit(o, &ev);
	return 0;
}

int st_taskstats_parse(const void *buf, size_t len, uint16_t family_id, struct st_proc_event *ev,
		       size_t max, uint32_t *skipped, char *err, size_t errlen)
{
	struct out o = { ev, max, 0, 0 };
	struct ts_ctx t = { &o, family_id };

	if (max > INT32_MAX)
		o.max = INT32_MAX;
	if (family_id < NLMSG_MIN_TYPE) /* would take acks for records */
		return fail(err, errlen, "taskstats family id %u is not a family", family_id);
	return finish(&o, walk_nlmsgs(buf, len, ts_one, &t, err, errlen), skipped, err, errlen);
}

/* ------------------------------------------------ replies at subscription */

struct reply_ctx {
	uint32_t seq;
	int found, nl_errno;
	uint16_t family_id;
	uint32_t cn_err;
};

static int family_attr(void *ctx, uint16_t type, const unsigned char *p, size_t n, char *err,
		       size_t errlen)
{
	struct reply_ctx *r = ctx;

	if (type == CTRL_ATTR_FAMILY_ID) {
		if (n < 2)
			return fail(err, errlen, "family id attribute of %zu bytes", n);
		memcpy(&r->family_id, p, sizeof(r->family_id));
	}
	return 0;
}

static int reply_one(void *ctx, uint16_t type, const unsigned char *p, size_t n, char *err,
		     size_t errlen)
{
	struct reply_ctx *r = ctx;

	if (r->found)
		return 0;
	/* the message's header is just before its payload */
	if (get_u32(p - NLMSG_HDRLEN + 8) != r->seq)
		return 0;
	if (type == NLMSG_ERROR) {
		int32_t e;

		if (n < sizeof(e))
			return fail(err, errlen, "netlink error message of %zu bytes", n);
		memcpy(&e, p, sizeof(e));
		r->found = 1;
		r->nl_errno = e == INT32_MIN ? INT32_MAX : e < 0 ? -e : e;
		return 0;
	}
	if (type == GENL_ID_CTRL) {
		if (n < GENL_HDRLEN)
			return fail(err, errlen, "generic netlink reply of %zu bytes", n);
		if (walk_attrs(p + GENL_HDRLEN, n - GENL_HDRLEN, family_attr, r, err, errlen) < 0)
			return -1;
		if (r->family_id) {
			r->found = 1;
			r->nl_errno = 0;
		}
	}
	return 0;
}

int st_nl_reply_parse(const void *buf, size_t len, uint32_t seq, int *nl_errno,
		      uint16_t *family_id, char *err, size_t errlen)
{
	struct reply_ctx r = { seq, 0, 0, 0, 0 };

	if (walk_nlmsgs(buf, len, reply_one, &r, err, errlen) < 0)
		return -1;
	if (err && errlen)
		err[0] = '\0';
	if (!r.found)
		return 0;
	*nl_errno = r.nl_errno;
	if (family_id && r.family_id)
		*family_id = r.family_id;
	return 1;
}

static int ack_one(void *ctx, uint16_t type, const unsigned char *p, size_t n, char *err,
		   size_t errlen)
{
	struct reply_ctx *r = ctx;
	uint16_t dlen;

	if (type != NLMSG_DONE || r->found || n < sizeof(struct cn_msg))
		return 0;
	memcpy(&dlen, p + offsetof(struct cn_msg, len), sizeof(dlen));
	if (dlen > n - sizeof(struct cn_msg))
		return fail(err, errlen, "connector data length %u does not fit the %zu bytes left",
			    dlen, n - sizeof(struct cn_msg));
	if (get_u32(p + offsetof(struct cn_msg, id.idx)) != CN_IDX_PROC ||
	    get_u32(p + offsetof(struct cn_msg, ack)) != r->seq + 1 ||
	    dlen < PE_HDR + sizeof(uint32_t) ||
	    get_u32(p + sizeof(struct cn_msg)) != PROC_EVENT_NONE)
		return 0;
	r->found = 1;
	r->cn_err = get_u32(p + sizeof(struct cn_msg) + PE_HDR);
	return 0;
}

int st_cn_proc_ack_parse(const void *buf, size_t len, uint32_t ack, uint32_t *ack_err, char *err,
			 size_t errlen)
{
	struct reply_ctx r = { ack, 0, 0, 0, 0 };

	if (walk_nlmsgs(buf, len, ack_one, &r, err, errlen) < 0)
		return -1;
	if (err && errlen)
		err[0] = '\0';
	if (r.found)
		*ack_err = r.cn_err;
	return r.found;
}
