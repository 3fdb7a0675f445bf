/*
 * core/proc_events_parse: the proc connector's and taskstats' datagrams,
 * built here byte by byte as the kernel lays them out: every event kind,
 * threads, several messages in one datagram, out-of-order events, unknown
 * kinds and attributes, truncation at every length and lying length
 * fields. Every buffer handed to a parser is an exact heap copy, so a read
 * past len is caught by ASan / valgrind.
 */
#include "cunit_runner.h"
#include "events/proc_events.h"

#include <stdlib.h>
#include <string.h>
#include <linux/acct.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>

#define FAMILY 0x1b /* a taskstats family id as the kernel hands them out */

static unsigned char dgram[8192];
static size_t dlen;
static struct st_proc_event ev[16];
static uint32_t skipped;
static char err[160];

static void put(const void *p, size_t n)
{
	CU_ASSERT_FATAL(dlen + n <= sizeof(dgram));
	memcpy(dgram + dlen, p, n);
	dlen += n;
}

static void pad4(void)
{
	static const unsigned char z[4];

	put(z, NLMSG_ALIGN(dlen) - dlen);
}

/* Parse the first len bytes of dgram from an exact copy. */
static int cn_parse_n(size_t len, size_t max)
{
	char *b = st_test_exact_copy(dgram, len);
	int rc;

	memset(ev, 0x5a, sizeof(ev));
	strcpy(err, "unset");
	rc = st_cn_proc_parse(b, len, ev, max, &skipped, err, sizeof(err));
	free(b);
	return rc;
}

static int cn_parse(void)
{
	skipped = 0;
	return cn_parse_n(dlen, 16);
}

static int ts_parse_n(size_t len, size_t max)
{
	char *b = st_test_exact_copy(dgram, len);
	int rc;

	memset(ev, 0x5a, sizeof(ev));
	strcpy(err, "unset");
	rc = st_taskstats_parse(b, len, FAMILY, ev, max, &skipped, err, sizeof(err));
	free(b);
	return rc;
}

static int ts_parse(void)
{
	skipped = 0;
	return ts_parse_n(dlen, 16);
}

/* ------------------------------------------------------- proc connector */

/* One connector message: what, then the union's 32-bit words. */
static void cn_msg_idx(uint32_t idx, uint32_t what, uint64_t ts, const uint32_t *w, size_t nw,
		       const char *comm)
{
	struct nlmsghdr nh;
	struct cn_msg cm;
	struct proc_event pe;

	memset(&pe, 0, sizeof(pe));
	pe.what = what;
	pe.cpu = 1;
	pe.timestamp_ns = ts;
	memcpy(&pe.event_data, w, nw * 4);
	if (comm)
		memcpy(pe.event_data.comm.comm, comm, strlen(comm));
	memset(&cm, 0, sizeof(cm));
	cm.id.idx = idx;
	cm.id.val = CN_VAL_PROC;
	cm.len = sizeof(pe);
	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = NLMSG_LENGTH(sizeof(cm) + sizeof(pe));
	nh.nlmsg_type = NLMSG_DONE;
	put(&nh, sizeof(nh));
	put(&cm, sizeof(cm));
	put(&pe, sizeof(pe));
	pad4();
}

static void cn_msg(uint32_t what, const uint32_t *w, size_t nw, const char *comm)
{
	cn_msg_idx(CN_IDX_PROC, what, 123456789, w, nw, comm);
}

static void cn_fork(int32_t ppid, int32_t ptgid, int32_t cpid, int32_t ctgid)
{
	uint32_t w[] = { (uint32_t)ppid, (uint32_t)ptgid, (uint32_t)cpid, (uint32_t)ctgid };

	cn_msg(PROC_EVENT_FORK, w, 4, NULL);
}

static void cn_exec(int32_t pid, int32_t tgid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid };

	cn_msg(PROC_EVENT_EXEC, w, 2, NULL);
}

static void cn_exit(int32_t pid, int32_t tgid, uint32_t code, int32_t ppid, int32_t ptgid)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid, code, 17, (uint32_t)ppid, (uint32_t)ptgid };

	cn_msg(PROC_EVENT_EXIT, w, 6, NULL);
}

static void cn_comm(int32_t pid, int32_t tgid, const char *comm)
{
	uint32_t w[] = { (uint32_t)pid, (uint32_t)tgid };

	cn_msg(PROC_EVENT_COMM, w, 2, comm);
}

static void assert_no_figures(const struct st_proc_event *e)
{
	CU_ASSERT_EQUAL(e->flags, 0);
	CU_ASSERT_EQUAL(e->utime_ns, -1);
	CU_ASSERT_EQUAL(e->stime_ns, -1);
	CU_ASSERT_EQUAL(e->elapsed_ns, -1);
	CU_ASSERT_EQUAL(e->peak_rss_kib, -1);
	CU_ASSERT_EQUAL(e->read_bytes, -1);
	CU_ASSERT_EQUAL(e->write_bytes, -1);
	CU_ASSERT_EQUAL(e->blkio_delay_ns, -1);
}

static void test_cn_each_kind(void)
{
	dlen = 0;
	cn_fork(100, 100, 200, 200);
	CU_ASSERT_EQUAL(cn_parse(), 1);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(skipped, 0);
	CU_ASSERT_EQUAL(ev[0].kind, ST_PROC_EV_FORK);
	CU_ASSERT_EQUAL(ev[0].pid, 200);
	CU_ASSERT_EQUAL(ev[0].parent_pid, 100);
	CU_ASSERT_EQUAL(ev[0].kernel_ns, 123456789);
	CU_ASSERT_STRING_EQUAL(ev[0].comm, "");
	assert_no_figures(&ev[0]);

	/* forked by a thread: the parent is its process */
	dlen = 0;
	cn_fork(101, 100, 201, 201);
	CU_ASSERT_EQUAL(cn_parse(), 1);
	CU_ASSERT_EQUAL(ev[0].parent_pid, 100);

	dlen = 0;
	cn_exec(200, 200);
	CU_ASSERT_EQUAL(cn_parse(), 1);
	CU_ASSERT_EQUAL(ev[0].kind, ST_PROC_EV_EXEC);
	CU_ASSERT_EQUAL(ev[0].pid, 200);
	CU_ASSERT_EQUAL(ev[0].parent_pid, 0);
	assert_no_figures(&ev[0]);

	/* a comm of 15 bytes, any byte but NUL */
	dlen = 0;
	cn_comm(200, 200, "a b)(\x01\xff" "cc1plus");
	CU_ASSERT_EQUAL(cn_parse(), 1);
	CU_ASSERT_EQUAL(ev[0].kind, ST_PROC_EV_COMM);
	CU_ASSERT_STRING_EQUAL(ev[0].comm, "a b)(\x01\xff" "cc1plus");

	dlen = 0;
	cn_exit(200, 200, 1 << 8, 1, 1);
	CU_ASSERT_EQUAL(cn_parse(), 1);
	CU_ASSERT_EQUAL(ev[0].kind, ST_PROC_EV_EXIT);
	CU_ASSERT_EQUAL(ev[0].pid, 200);
	CU_ASSERT_EQUAL(ev[0].parent_pid, 1); /* reaped by init */
	CU_ASSERT_EQUAL(ev[0].exit_code, 256);
	CU_ASSERT_STRING_EQUAL(ev[0].comm, "");
	assert_no_figures(&ev[0]);
}

static void test_cn_threads_skipped(void)
{
	dlen = 0;
	cn_fork(100, 100, 201, 100); /* pthread_create */
	cn_comm(201, 100, "worker");  /* a thread's name */
	cn_exit(201, 100, 0, 1, 1);   /* a thread's end */
	cn_exec(100, 100);            /* exec: the process */
	CU_ASSERT_EQUAL(cn_parse(), 1);
	CU_ASSERT_EQUAL(skipped, 3);
	CU_ASSERT_EQUAL(ev[0].kind, ST_PROC_EV_EXEC);
	CU_ASSERT_EQUAL(ev[0].pid, 100);
}

static void test_cn_unknown_skipped(void)
{
	uint32_t w[6] = { 300, 300, 0, 0, 0, 0 };

	dlen = 0;
	cn_msg(PROC_EVENT_NONE, w, 1, NULL); /* the ack of a subscription */
	cn_msg(PROC_EVENT_UID, w, 4, NULL);
	cn_msg(PROC_EVENT_SID, w, 2, NULL);
	cn_msg(PROC_EVENT_PTRACE, w, 4, NULL);
	cn_msg(PROC_EVENT_COREDUMP, w, 4, NULL);
	cn_msg(0x00000400, w, 2, NULL); /* a kind of a kernel to come */
	cn_msg_idx(CN_IDX_PROC + 1, PROC_EVENT_EXIT, 1, w, 6, NULL); /* another connector */
	cn_exec(300, 300);
	CU_ASSERT_EQUAL(cn_parse(), 1);
	CU_ASSERT_EQUAL(skipped, 7);
	CU_ASSERT_EQUAL(ev[0].pid, 300);

	/* not a connector message at all */
	{
		struct nlmsghdr nh = { NLMSG_HDRLEN, NLMSG_NOOP, 0, 0, 0 };

		dlen = 0;
		put(&nh, sizeof(nh));
		CU_ASSERT_EQUAL(cn_parse(), 0);
		CU_ASSERT_EQUAL(skipped, 1);
		CU_ASSERT_STRING_EQUAL(err, "");
	}
}

static void test_cn_several_and_out_of_order(void)
{
	dlen = 0;
	cn_exit(400, 400, 0, 1, 1); /* the exit before the fork: still reported */
	cn_fork(1, 1, 400, 400);
	cn_exec(400, 400);
	CU_ASSERT_EQUAL(cn_parse(), 3);
	CU_ASSERT_EQUAL(ev[0].kind, ST_PROC_EV_EXIT);
	CU_ASSERT_EQUAL(ev[1].kind, ST_PROC_EV_FORK);
	CU_ASSERT_EQUAL(ev[2].kind, ST_PROC_EV_EXEC);
	CU_ASSERT_EQUAL(ev[0].pid, 400);
	CU_ASSERT_EQUAL(ev[2].pid, 400);

	/* more than max: the rest skipped, counted */
	skipped = 0;
	CU_ASSERT_EQUAL(cn_parse_n(dlen, 2), 2);
	CU_ASSERT_EQUAL(skipped, 1);
	CU_ASSERT_EQUAL(ev[1].kind, ST_PROC_EV_FORK);
}

/* Every cut: -1 with a reason, or (at a message boundary) the whole
 * messages before it, never more. */
static void every_cut(int (*parse_n)(size_t, size_t), int full, const size_t *bounds, size_t nb)
{
	size_t k, b;

	for (k = 0; k < dlen; k++) {
		int rc, at = -1;

		skipped = 0;
		rc = parse_n(k, 16);
		for (b = 0; b < nb; b++)
			if (bounds[b] == k)
				at = (int)b;
		if (at > 0) {
			CU_ASSERT_EQUAL(rc, at);
			CU_ASSERT_STRING_EQUAL(err, "");
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT(err[0] != '\0' && strcmp(err, "unset") != 0 && !strchr(err, '\n'));
		}
		CU_ASSERT(rc < full);
	}
}

static void test_cn_truncated_everywhere(void)
{
	size_t bounds[4];

	dlen = 0;
	bounds[0] = dlen;
	cn_fork(1, 1, 500, 500);
	bounds[1] = dlen;
	cn_comm(500, 500, "sh");
	bounds[2] = dlen;
	cn_exit(500, 500, 0, 1, 1);
	bounds[3] = dlen;
	CU_ASSERT_EQUAL(cn_parse(), 3);
	every_cut(cn_parse_n, 3, bounds, 4);
}

static void set_u32(size_t off, uint32_t v)
{
	memcpy(dgram + off, &v, sizeof(v));
}

static void set_u16(size_t off, uint16_t v)
{
	memcpy(dgram + off, &v, sizeof(v));
}

static void test_cn_lying_lengths(void)
{
	size_t cn_len = NLMSG_HDRLEN + offsetof(struct cn_msg, len);

	/* netlink length beyond the datagram, and below its own header */
	dlen = 0;
	cn_exec(600, 600);
	set_u32(0, (uint32_t)dlen + 4);
	CU_ASSERT_EQUAL(cn_parse(), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not fit"));
	set_u32(0, 8);
	CU_ASSERT_EQUAL(cn_parse(), -1);
	set_u32(0, 0);
	CU_ASSERT_EQUAL(cn_parse(), -1);

	/* connector data longer than the message */
	dlen = 0;
	cn_exec(600, 600);
	set_u16(cn_len, 41);
	CU_ASSERT_EQUAL(cn_parse(), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "connector data length 41"));
	/* shorter than the event it claims: the fork's pids are not there */
	dlen = 0;
	cn_fork(1, 1, 600, 600);
	set_u16(cn_len, 16 + 8);
	CU_ASSERT_EQUAL(cn_parse(), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "needed"));
	set_u16(cn_len, 3);
	CU_ASSERT_EQUAL(cn_parse(), -1);
	/* an exit without the parent fields (older kernels): parent unknown */
	dlen = 0;
	cn_exit(600, 600, 9, 1, 1);
	set_u16(cn_len, 16 + 16);
	CU_ASSERT_EQUAL(cn_parse(), 1);
	CU_ASSERT_EQUAL(ev[0].parent_pid, 0);
	CU_ASSERT_EQUAL(ev[0].exit_code, 9);

	/* no pid at all */
	dlen = 0;
	cn_exec(0, 0);
	cn_fork(1, 1, -5, -5);
	CU_ASSERT_EQUAL(cn_parse(), 0);
	CU_ASSERT_EQUAL(skipped, 2);

	/* empty */
	dlen = 0;
	CU_ASSERT_EQUAL(cn_parse(), -1);
	CU_ASSERT_STRING_EQUAL(err, "empty netlink datagram");
}

/* ------------------------------------------------------------ taskstats */

static size_t nla_begin(uint16_t type)
{
	struct nlattr na = { 0, type };
	size_t at = dlen;

	put(&na, sizeof(na));
	return at;
}

static void nla_end(size_t at)
{
	set_u16(at, (uint16_t)(dlen - at));
	pad4();
}

static void nla_u32(uint16_t type, uint32_t v)
{
	size_t at = nla_begin(type);

	put(&v, sizeof(v));
	nla_end(at);
}

static size_t ts_begin(uint16_t family, uint8_t cmd)
{
	struct nlmsghdr nh;
	struct genlmsghdr gh = { cmd, 1, 0 };
	size_t at = dlen;

	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_type = family;
	put(&nh, sizeof(nh));
	put(&gh, sizeof(gh));
	return at;
}

static void ts_end(size_t at)
{
	set_u32(at, (uint32_t)(dlen - at));
}

static void aggr(uint16_t aggr_type, uint16_t id_type, uint32_t id, const struct taskstats *t,
		 size_t tlen)
{
	size_t nest = nla_begin(aggr_type), st;

	nla_u32(id_type, id);
	st = nla_begin(TASKSTATS_TYPE_STATS);
	put(t, tlen);
	nla_end(st);
	nla_end(nest);
}

static void stats(struct taskstats *t, uint32_t pid, uint32_t tgid, uint8_t flag, const char *comm)
{
	memset(t, 0, sizeof(*t));
	t->version = TASKSTATS_VERSION;
	t->ac_exitcode = 2 << 8;
	t->ac_flag = flag;
	t->ac_pid = pid;
	t->ac_tgid = tgid;
	t->ac_ppid = 1;
	t->ac_utime = 15000; /* µs */
	t->ac_stime = 5000;
	t->ac_etime = 21000;
	t->ac_tgetime = 25000;
	t->hiwater_rss = 4096;
	t->read_bytes = 8192;
	t->write_bytes = 4096;
	t->blkio_delay_total = 777;
	strcpy(t->ac_comm, comm);
}

/* One exit message: the task's record, and the group's when tgid_too. */
static void ts_exit(uint32_t pid, uint32_t tgid, uint8_t flag, int tgid_too, const char *comm)
{
	struct taskstats t, g;
	size_t m = ts_begin(FAMILY, TASKSTATS_CMD_NEW);

	stats(&t, pid, tgid, flag, comm);
	aggr(TASKSTATS_TYPE_AGGR_PID, TASKSTATS_TYPE_PID, pid, &t, sizeof(t));
	if (tgid_too) {
		/* the group's: delay accounting sums only */
		memset(&g, 0, sizeof(g));
		g.cpu_run_real_total = 99;
		aggr(TASKSTATS_TYPE_AGGR_TGID, TASKSTATS_TYPE_TGID, tgid, &g, sizeof(g));
	}
	ts_end(m);
}

static void test_ts_single_threaded(void)
{
	dlen = 0;
	ts_exit(700, 700, AGROUP | AFORK, 0, "cc1");
	CU_ASSERT_EQUAL(ts_parse(), 1);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(ev[0].kind, ST_PROC_EV_EXIT);
	CU_ASSERT_EQUAL(ev[0].flags, ST_PROC_EV_TASKSTATS);
	CU_ASSERT_EQUAL(ev[0].pid, 700);
	CU_ASSERT_EQUAL(ev[0].parent_pid, 1);
	CU_ASSERT_EQUAL(ev[0].utime_ns, 15000000);
	CU_ASSERT_EQUAL(ev[0].stime_ns, 5000000);
	CU_ASSERT_EQUAL(ev[0].elapsed_ns, 25000000); /* the group's wall time */
	CU_ASSERT_EQUAL(ev[0].peak_rss_kib, 4096);
	CU_ASSERT_EQUAL(ev[0].read_bytes, 8192);
	CU_ASSERT_EQUAL(ev[0].write_bytes, 4096);
	CU_ASSERT_EQUAL(ev[0].blkio_delay_ns, 777);
	CU_ASSERT_EQUAL(ev[0].exit_code, 512);
	CU_ASSERT_EQUAL(ev[0].kernel_ns, 0);
	CU_ASSERT_STRING_EQUAL(ev[0].comm, "cc1");
}

/* A process with threads: each thread's record on its own, then the last
 * task's with AGROUP and the group's aggregate: one EXIT in all. */
static void test_ts_one_exit_per_process(void)
{
	int rc, i, exits = 0, threads = 0;

	dlen = 0;
	ts_exit(801, 800, 0, 0, "worker");  /* a thread */
	ts_exit(800, 800, 0, 0, "server");  /* the leader, before its last thread */
	ts_exit(802, 800, AGROUP, 1, "io"); /* the last: the process ends */
	rc = ts_parse();
	CU_ASSERT_EQUAL(rc, 3);
	for (i = 0; i < rc; i++) {
		CU_ASSERT_EQUAL(ev[i].pid, 800);
		exits += ev[i].kind == ST_PROC_EV_EXIT;
		threads += ev[i].kind == ST_PROC_EV_THREAD_EXIT;
	}
	CU_ASSERT_EQUAL(exits, 1);
	CU_ASSERT_EQUAL(threads, 2);
	CU_ASSERT_EQUAL(ev[2].kind, ST_PROC_EV_EXIT);
	CU_ASSERT_EQUAL(ev[2].exit_code, -1); /* set on the leader's record only */
	CU_ASSERT_EQUAL(ev[2].utime_ns, 15000000);
	/* a thread's: its CPU and I/O, nothing of the process */
	CU_ASSERT_EQUAL(ev[0].utime_ns, 15000000);
	CU_ASSERT_EQUAL(ev[0].read_bytes, 8192);
	CU_ASSERT_EQUAL(ev[0].elapsed_ns, -1);
	CU_ASSERT_EQUAL(ev[0].peak_rss_kib, -1);
	CU_ASSERT_STRING_EQUAL(ev[0].comm, "");

	/* the group's aggregate names the process even when the last task's
	 * record has no tgid */
	dlen = 0;
	{
		struct taskstats t, g;
		size_t m = ts_begin(FAMILY, TASKSTATS_CMD_NEW);

		stats(&t, 902, 0, AGROUP, "x");
		t.version = 11;
		aggr(TASKSTATS_TYPE_AGGR_PID, TASKSTATS_TYPE_PID, 902, &t, sizeof(t));
		memset(&g, 0, sizeof(g));
		aggr(TASKSTATS_TYPE_AGGR_TGID, TASKSTATS_TYPE_TGID, 900, &g, sizeof(g));
		ts_end(m);
	}
	CU_ASSERT_EQUAL(ts_parse(), 1);
	CU_ASSERT_EQUAL(ev[0].kind, ST_PROC_EV_EXIT);
	CU_ASSERT_EQUAL(ev[0].pid, 900);
	CU_ASSERT_EQUAL(ev[0].elapsed_ns, 21000000); /* no group wall time before v12 */
}

static void test_ts_old_versions(void)
{
	struct taskstats t;
	size_t m;

	/* version 8: no tgid, no AGROUP: a record alone is a process's */
	dlen = 0;
	m = ts_begin(FAMILY, TASKSTATS_CMD_NEW);
	stats(&t, 1000, 0, 0, "make");
	t.version = 8;
	aggr(TASKSTATS_TYPE_AGGR_PID, TASKSTATS_TYPE_PID, 1000, &t,
	     offsetof(struct taskstats, ac_btime64)); /* as long as a v8 record */
	ts_end(m);
	CU_ASSERT_EQUAL(ts_parse(), 1);
	CU_ASSERT_EQUAL(ev[0].kind, ST_PROC_EV_EXIT);
	CU_ASSERT_EQUAL(ev[0].pid, 1000);
	CU_ASSERT_EQUAL(ev[0].elapsed_ns, 21000000);
	CU_ASSERT_STRING_EQUAL(ev[0].comm, "make");

	/* a record of a newer kernel, longer than ours: read as far as known */
	dlen = 0;
	m = ts_begin(FAMILY, TASKSTATS_CMD_NEW);
	{
		unsigned char big[sizeof(t) + 64];

		stats(&t, 1001, 1001, AGROUP, "new");
		memset(big, 0xee, sizeof(big));
		memcpy(big, &t, sizeof(t));
		aggr(TASKSTATS_TYPE_AGGR_PID, TASKSTATS_TYPE_PID, 1001, (void *)big, sizeof(big));
	}
	ts_end(m);
	CU_ASSERT_EQUAL(ts_parse(), 1);
	CU_ASSERT_EQUAL(ev[0].pid, 1001);
	CU_ASSERT_EQUAL(ev[0].utime_ns, 15000000);
}

static void test_ts_unknown_skipped(void)
{
	struct taskstats t;
	size_t m, nest, st;

	dlen = 0;
	/* an ack, another family, another command */
	{
		struct nlmsghdr nh = { NLMSG_LENGTH(sizeof(struct nlmsgerr)), NLMSG_ERROR, 0, 0, 0 };
		struct nlmsgerr e;

		memset(&e, 0, sizeof(e));
		put(&nh, sizeof(nh));
		put(&e, sizeof(e));
	}
	m = ts_begin(FAMILY + 1, TASKSTATS_CMD_NEW);
	ts_end(m);
	m = ts_begin(FAMILY, TASKSTATS_CMD_GET);
	ts_end(m);
	/* unknown attributes at both levels, and the alignment padding
	 * (TASKSTATS_TYPE_NULL) that some architectures put in */
	m = ts_begin(FAMILY, TASKSTATS_CMD_NEW);
	nla_u32(42, 7);
	nla_end(nla_begin(TASKSTATS_TYPE_NULL));
	nest = nla_begin(TASKSTATS_TYPE_AGGR_PID);
	nla_u32(TASKSTATS_TYPE_PID, 1100);
	nla_u32(43, 7);
	nla_end(nla_begin(TASKSTATS_TYPE_NULL));
	st = nla_begin(TASKSTATS_TYPE_STATS);
	stats(&t, 1100, 1100, AGROUP, "sh");
	put(&t, sizeof(t));
	nla_end(st);
	nla_end(nest);
	ts_end(m);
	/* a message with nothing known in it */
	m = ts_begin(FAMILY, TASKSTATS_CMD_NEW);
	nla_u32(44, 7);
	ts_end(m);

	CU_ASSERT_EQUAL(ts_parse(), 1);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(ev[0].pid, 1100);
	CU_ASSERT_STRING_EQUAL(ev[0].comm, "sh");
	CU_ASSERT_EQUAL(skipped, 3 + 2 + 2); /* messages, unknown attributes, the empty one */

	/* a family id the kernel never hands out */
	CU_ASSERT_EQUAL(st_taskstats_parse(dgram, dlen, NLMSG_ERROR, ev, 4, &skipped, err,
					   sizeof(err)), -1);
}

static void test_ts_truncated_everywhere(void)
{
	size_t bounds[3];

	dlen = 0;
	bounds[0] = dlen;
	ts_exit(1200, 1200, AGROUP, 0, "a");
	bounds[1] = dlen;
	ts_exit(1202, 1201, AGROUP, 1, "b");
	bounds[2] = dlen;
	CU_ASSERT_EQUAL(ts_parse(), 2);
	every_cut(ts_parse_n, 2, bounds, 3);
}

static void test_ts_lying_lengths(void)
{
	size_t pid_nest = NLMSG_HDRLEN + GENL_HDRLEN;
	size_t stats_attr = pid_nest + NLA_HDRLEN + NLA_HDRLEN + 4;
	struct taskstats t;
	size_t m;

	/* a nest longer than the message */
	dlen = 0;
	ts_exit(1300, 1300, AGROUP, 0, "a");
	set_u16(pid_nest, (uint16_t)(dlen - pid_nest + 4));
	CU_ASSERT_EQUAL(ts_parse(), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not fit"));
	/* an attribute shorter than its own header */
	set_u16(pid_nest, 2);
	CU_ASSERT_EQUAL(ts_parse(), -1);
	/* a stats attribute that claims more than its nest */
	dlen = 0;
	ts_exit(1300, 1300, AGROUP, 0, "a");
	set_u16(stats_attr, (uint16_t)(NLA_HDRLEN + sizeof(t) + 8));
	CU_ASSERT_EQUAL(ts_parse(), -1);
	/* a record too short to hold the figures */
	dlen = 0;
	m = ts_begin(FAMILY, TASKSTATS_CMD_NEW);
	stats(&t, 1301, 1301, AGROUP, "a");
	aggr(TASKSTATS_TYPE_AGGR_PID, TASKSTATS_TYPE_PID, 1301, &t,
	     offsetof(struct taskstats, write_bytes));
	ts_end(m);
	CU_ASSERT_EQUAL(ts_parse(), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "taskstats record of"));
	/* two records of one kind, a group's without the task's, no pid */
	dlen = 0;
	m = ts_begin(FAMILY, TASKSTATS_CMD_NEW);
	stats(&t, 1302, 1302, AGROUP, "a");
	aggr(TASKSTATS_TYPE_AGGR_PID, TASKSTATS_TYPE_PID, 1302, &t, sizeof(t));
	aggr(TASKSTATS_TYPE_AGGR_PID, TASKSTATS_TYPE_PID, 1303, &t, sizeof(t));
	ts_end(m);
	CU_ASSERT_EQUAL(ts_parse(), -1);
	dlen = 0;
	m = ts_begin(FAMILY, TASKSTATS_CMD_NEW);
	aggr(TASKSTATS_TYPE_AGGR_TGID, TASKSTATS_TYPE_TGID, 1304, &t, sizeof(t));
	ts_end(m);
	CU_ASSERT_EQUAL(ts_parse(), -1);
	dlen = 0;
	m = ts_begin(FAMILY, TASKSTATS_CMD_NEW);
	aggr(TASKSTATS_TYPE_AGGR_PID, TASKSTATS_TYPE_PID, 0, &t, sizeof(t));
	ts_end(m);
	CU_ASSERT_EQUAL(ts_parse(), -1);
	/* µs beyond what ns can hold: unknown, not wrapped */
	dlen = 0;
	m = ts_begin(FAMILY, TASKSTATS_CMD_NEW);
	stats(&t, 1305, 1305, AGROUP, "a");
	t.ac_utime = UINT64_MAX / 10;
	t.read_bytes = UINT64_MAX;
	aggr(TASKSTATS_TYPE_AGGR_PID, TASKSTATS_TYPE_PID, 1305, &t, sizeof(t));
	ts_end(m);
	CU_ASSERT_EQUAL(ts_parse(), 1);
	CU_ASSERT_EQUAL(ev[0].utime_ns, -1);
	CU_ASSERT_EQUAL(ev[0].read_bytes, -1);
	CU_ASSERT_EQUAL(ev[0].stime_ns, 5000000);
	/* a comm filling ac_comm without a NUL */
	dlen = 0;
	m = ts_begin(FAMILY, TASKSTATS_CMD_NEW);
	stats(&t, 1306, 1306, AGROUP, "");
	memset(t.ac_comm, 'x', sizeof(t.ac_comm));
	aggr(TASKSTATS_TYPE_AGGR_PID, TASKSTATS_TYPE_PID, 1306, &t, sizeof(t));
	ts_end(m);
	CU_ASSERT_EQUAL(ts_parse(), 1);
	CU_ASSERT_EQUAL(strlen(ev[0].comm), TS_COMM_LEN);
}

/* ------------------------------------------------ replies at subscription */

static void test_replies(void)
{
	struct nlmsghdr nh;
	struct nlmsgerr e;
	size_t m;
	int nl_errno = 99;
	uint16_t fam = 0;
	uint32_t ack_err = 99;
	char *b;

	/* an error to request 7 */
	dlen = 0;
	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = NLMSG_LENGTH(sizeof(e));
	nh.nlmsg_type = NLMSG_ERROR;
	nh.nlmsg_seq = 7;
	memset(&e, 0, sizeof(e));
	e.error = -1; /* -EPERM */
	put(&nh, sizeof(nh));
	put(&e, sizeof(e));
	CU_ASSERT_EQUAL(st_nl_reply_parse(dgram, dlen, 8, &nl_errno, &fam, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(st_nl_reply_parse(dgram, dlen, 7, &nl_errno, &fam, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(nl_errno, 1);
	/* the controller's answer with the family id, after an unrelated message */
	dlen = 0;
	ts_exit(1, 1, AGROUP, 0, "a");
	m = ts_begin(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
	set_u32(m + 8, 9);
	{
		uint16_t id = FAMILY;
		size_t at = nla_begin(CTRL_ATTR_FAMILY_ID);

		put(&id, sizeof(id));
		nla_end(at);
	}
	ts_end(m);
	b = st_test_exact_copy(dgram, dlen);
	CU_ASSERT_EQUAL(st_nl_reply_parse(b, dlen, 9, &nl_errno, &fam, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(nl_errno, 0);
	CU_ASSERT_EQUAL(fam, FAMILY);
	CU_ASSERT_EQUAL(st_nl_reply_parse(b, dlen - 1, 9, &nl_errno, &fam, err, sizeof(err)), -1);
	free(b);

	/* the connector's ack of request 4 (its ack field + 1), with a
	 * sequence number of the kernel's */
	dlen = 0;
	cn_exec(10, 10);
	{
		uint32_t w[] = { 22 /* EINVAL */ };
		size_t at = dlen;

		cn_msg(PROC_EVENT_NONE, w, 1, NULL);
		set_u32(at + NLMSG_HDRLEN + offsetof(struct cn_msg, ack), 5);
		set_u32(at + NLMSG_HDRLEN + offsetof(struct cn_msg, seq), 77);
	}
	CU_ASSERT_EQUAL(st_cn_proc_ack_parse(dgram, dlen, 5, &ack_err, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(st_cn_proc_ack_parse(dgram, dlen, 4, &ack_err, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(ack_err, 22);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "proc connector: each kind", test_cn_each_kind },
		{ "proc connector: threads skipped", test_cn_threads_skipped },
		{ "proc connector: unknown kinds and connectors skipped", test_cn_unknown_skipped },
		{ "proc connector: several messages, out of order", test_cn_several_and_out_of_order },
		{ "proc connector: truncated at every byte", test_cn_truncated_everywhere },
		{ "proc connector: lying lengths", test_cn_lying_lengths },
		{ "taskstats: single-threaded exit", test_ts_single_threaded },
		{ "taskstats: one EXIT per process", test_ts_one_exit_per_process },
		{ "taskstats: older and newer records", test_ts_old_versions },
		{ "taskstats: unknown messages and attributes skipped", test_ts_unknown_skipped },
		{ "taskstats: truncated at every byte", test_ts_truncated_everywhere },
		{ "taskstats: lying lengths", test_ts_lying_lengths },
		{ "replies while subscribing", test_replies },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("proc_events", tests);
}
