/*
 * Identity of the processes a dump will blame, captured when the trigger
 * fires: the command line and the real and effective uid. Read again when
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

/* Distinct processes captured per incident; triggers beyond it fall back
 * to a read when the dump is built. */
#define ST_EVIDENCE_MAX 16
/* Bytes of a command line kept, NUL included; longer ones are cut and
 * flagged. */
#define ST_EVIDENCE_CMDLINE_MAX 4096

struct st_evidence_proc {
	int32_t  pid;
	uint64_t start_ticks;
	int64_t  uid, euid;         /* from the Uid: line of status; -1 unknown */
	int      has_cmdline;       /* kernel threads and zombies have none */
	int      cmdline_truncated;
	char     cmdline[ST_EVIDENCE_CMDLINE_MAX]; /* arguments joined by spaces */
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
 * processes. Returns 0, or -1 when the process is gone or another (out
 * is then left with uid -1 and no command line). Allocates nothing.
 */
int st_evidence_read(int proc_root_fd, int32_t pid, uint64_t start_ticks,
		     struct st_evidence_proc *out);

/* Capture, for every trigger naming a process, its identity once per
 * incident (a process already captured is not read again). */
void st_evidence_capture(struct st_evidence *ev, int proc_root_fd,
			 const struct st_trigger *t, size_t n);

/* The captured identity of pid + start_ticks, or NULL. */
const struct st_evidence_proc *st_evidence_find(const struct st_evidence *ev, int32_t pid,
						uint64_t start_ticks);

/* Forget the incident's evidence (its dump is built). */
void st_evidence_clear(struct st_evidence *ev);

#endif
