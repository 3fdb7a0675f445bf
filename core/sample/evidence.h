/*
 * Identity of the processes a dump will blame, captured when the trigger
 * fires: the command line, the real and effective uid, the cgroup (unit,
 * container), the I/O counters, VmSwap, and for the blamed process its
 * busiest threads. Read again when
 * the dump is built, post_trigger samples later, a short-lived culprit
 * would have none, and a reused pid would lend its newcomer's.
 *
 * The table is fixed-size and filled in place: capturing allocates
 * nothing, so it works when memory is short (the trigger path).
 */
#ifndef ST_EVIDENCE_H
#define ST_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>
#include <spiketrace/model.h>

#include "proc/cgroup_parse.h"

/* Distinct processes captured per incident; triggers beyond it fall back
 * to a read when the dump is built. */
#define ST_EVIDENCE_MAX 16
/* Bytes of a command line kept, NUL included; longer ones are cut and
 * flagged. */
#define ST_EVIDENCE_CMDLINE_MAX 4096
/* Threads kept of a blamed process, and tasks read at most to find them:
 * a process of thousands of threads costs a bounded read. */
#define ST_EVIDENCE_THREADS ST_DUMP_THREADS_MAX
#define ST_EVIDENCE_TASKS_READ 256

struct st_evidence_thread {
	int32_t  tid;
	char     comm[ST_COMM_MAX];
	uint64_t utime, stime;      /* clock ticks since the thread started */
};

/* /proc/PID/io; -1 each when unknown (another user's process, unless
 * root or CAP_SYS_PTRACE). */
struct st_evidence_io {
	int64_t  rchar, wchar, read_bytes, write_bytes;
};

struct st_evidence_proc {
	int32_t  pid;
	uint64_t start_ticks;
	int64_t  uid, euid;         /* from the Uid: line of status; -1 unknown */
	int      has_cmdline;       /* kernel threads and zombies have none */
	int      cmdline_truncated;
	char     cmdline[ST_EVIDENCE_CMDLINE_MAX]; /* arguments joined by spaces */
	int      has_cgroup;        /* cgroup parsed (source not NONE) */
	struct st_cgroup_info cgroup;
	struct st_evidence_io io;
	int64_t  swap_kib;          /* VmSwap of status; -1 unknown (kernel threads) */
	/* Busiest first, by utime + stime since each thread started (one
	 * read: a delta would need two). Only when threads were asked for. */
	uint32_t nthreads;
	uint32_t tasks_read;        /* tasks whose stat was read */
	int      tasks_truncated;   /* more tasks than ST_EVIDENCE_TASKS_READ */
	struct st_evidence_thread threads[ST_EVIDENCE_THREADS];
};

struct st_evidence {
	size_t   n;
	uint64_t missed;            /* processes not captured: table full */
	struct st_evidence_proc procs[ST_EVIDENCE_MAX];
};

/*
 * Reads pid's identity under proc_root_fd, only if pid still names the
 * process that started at start_ticks. Everything is read through one
 * open /proc/PID directory, so a pid reused half-way cannot mix two
 * processes. with_threads: also its busiest threads (for the blamed
 * process; the others' would cost a read per thread for little). Returns
 * 0, or -1 when the process is gone or another (out is then left with
 * every figure unknown). Allocates nothing.
 */
int st_evidence_read(int proc_root_fd, int32_t pid, uint64_t start_ticks,
		     int with_threads, struct st_evidence_proc *out);

/* Capture, for every trigger naming a process, its identity and threads
 * once per incident (a process already captured is not read again). */
void st_evidence_capture(struct st_evidence *ev, int proc_root_fd,
			 const struct st_trigger *t, size_t n);

/* The captured identity of pid + start_ticks, or NULL. */
const struct st_evidence_proc *st_evidence_find(const struct st_evidence *ev, int32_t pid,
						uint64_t start_ticks);

/* Forget the incident's evidence (its dump is built). */
void st_evidence_clear(struct st_evidence *ev);

#endif
