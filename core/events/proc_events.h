/*
 * Process events from the kernel, as the daemon uses them: the proc
 * connector (fork, exec, comm, exit of every process; unprivileged since
 * Linux 6.6) and taskstats (the exit accounting of every task; needs
 * CAP_NET_ADMIN). These are the parsers of one received netlink datagram:
 * pure, no I/O, no allocation. core/events/event_source.c owns the sockets.
 *
 * What is a process here: a thread group. The kernel reports threads too;
 * the parsers keep what concerns the process (its leader) and skip the
 * rest, so that a process that ends gives exactly one EXIT:
 *  - proc connector: FORK of a new thread group (child pid == child tgid),
 *    EXEC, COMM of the leader, EXIT of the leader. A leader that ends
 *    before its other threads (pthread_exit in main) is reported then.
 *  - taskstats: every exiting task sends its own record (AGGR_PID); the
 *    last task of a thread group marks it AGROUP (taskstats version 12
 *    on) and, when the process ever had more than one thread, adds the
 *    group's aggregate (AGGR_TGID), which holds only the delay-accounting
 *    sums. The EXIT is the record that ends the group; the records of the
 *    threads that went before come out as ST_PROC_EV_THREAD_EXIT so that
 *    the event source can add their CPU and I/O to the process's EXIT.
 */
#ifndef ST_PROC_EVENTS_H
#define ST_PROC_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <spiketrace/model.h> /* ST_COMM_MAX */

enum st_proc_event_kind {
	ST_PROC_EV_FORK = 1,
	ST_PROC_EV_EXEC,
	ST_PROC_EV_COMM,
	ST_PROC_EV_EXIT,
	/* taskstats only: a thread of a process that goes on ended; pid is
	 * its process (0 unknown: taskstats before v12 does not say).
	 * st_event_source_drain folds these into the process's EXIT and
	 * never delivers them. */
	ST_PROC_EV_THREAD_EXIT,
};

#define ST_PROC_EV_TASKSTATS 0x01 /* the figures are the kernel's exit accounting */

struct st_proc_event {
	uint32_t kind, flags;
	int32_t pid;        /* the process: its thread-group id, > 0 */
	/* FORK: the forking process; EXIT: its parent at exit (the reaper);
	 * 0 unknown: the proc connector's EXIT of a process reaped at once
	 * (its parent ignores SIGCHLD) has none, use its FORK's */
	int32_t parent_pid;
	int64_t kernel_ns;  /* the connector's timestamp_ns (CLOCK_MONOTONIC), 0 unknown */
	/* EXIT from taskstats; -1 each where unknown (always, from the proc
	 * connector). CPU and I/O are the whole process's once the event
	 * source has folded in its threads; peak_rss_kib is the process's
	 * (the memory is shared); blkio_delay_ns needs delay accounting
	 * (sysctl kernel.task_delayacct), -1 without it. */
	int64_t utime_ns, stime_ns, elapsed_ns, peak_rss_kib, read_bytes, write_bytes, blkio_delay_ns;
	int32_t exit_code; /* EXIT: wait status (code << 8 | signal), -1 unknown */
	/* COMM: the new name; EXIT from taskstats: ac_comm of the task that
	 * ended the process (a thread's own name when the leader went
	 * first); else "" (NUL-terminated, raw bytes) */
	char comm[ST_COMM_MAX];
};

/*
 * Parse one datagram received on a NETLINK_CONNECTOR socket bound to
 * CN_IDX_PROC. Writes at most max events and returns how many, or -1 with
 * a one-line reason in err for a malformed datagram (lengths that do not
 * fit, truncation); nothing of a malformed datagram is used. Thread
 * (non-leader) forks/exits/comms, other connector indices, other event
 * kinds (acks, uid, sid, ptrace, coredump) and events beyond max are
 * skipped and counted in *skipped. Never reads past len, never trusts a
 * length field. err is "" when the datagram was well formed.
 */
int st_cn_proc_parse(const void *buf, size_t len, struct st_proc_event *ev, size_t max,
		     uint32_t *skipped, char *err, size_t errlen);

/*
 * Parse one datagram received on the taskstats (generic netlink) socket:
 * messages of type family_id, command TASKSTATS_CMD_NEW. Gives EXIT (one
 * per process, flags ST_PROC_EV_TASKSTATS) and THREAD_EXIT events; acks,
 * other families and commands, and unknown attributes are skipped and
 * counted. Same contract as st_cn_proc_parse.
 */
int st_taskstats_parse(const void *buf, size_t len, uint16_t family_id, struct st_proc_event *ev,
		       size_t max, uint32_t *skipped, char *err, size_t errlen);

/*
 * The kernel's answers while subscribing (core/events/event_source.c), same
 * checks as above. st_nl_reply_parse: the reply to request seq, an
 * NLMSG_ERROR (*nl_errno: 0 an ack, else the positive errno) or a
 * generic netlink controller reply (*family_id: its CTRL_ATTR_FAMILY_ID).
 * st_cn_proc_ack_parse: the proc connector's acknowledgement of the
 * request whose cn_msg ack field was ack (the kernel answers with ack + 1
 * and a sequence number of its own; *ack_err: 0 or the errno it
 * reports). Both return 1 found, 0 not in this datagram, -1 malformed
 * (err says why).
 */
int st_nl_reply_parse(const void *buf, size_t len, uint32_t seq, int *nl_errno,
		      uint16_t *family_id, char *err, size_t errlen);
int st_cn_proc_ack_parse(const void *buf, size_t len, uint32_t ack, uint32_t *ack_err, char *err,
			 size_t errlen);

/* An event with every figure unknown: what both parsers start from. */
void st_proc_event_init(struct st_proc_event *ev, uint32_t kind, int32_t pid);

#endif
