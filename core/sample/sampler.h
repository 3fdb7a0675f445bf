/*
 * Turns the proc root into samples. Per tick it reads /proc/stat,
 * /proc/meminfo, /proc/uptime, lists the processes and, per process,
 * exactly /proc/[pid]/stat, each through a file descriptor kept open and
 * re-read with pread: a reaped pid answers ESRCH, so a reused pid never
 * reads the old process.
 *
 * Which processes a tick re-reads is the read policy (read_policy.h); how
 * a read's CPU is charged is proc_cpu.h. The work is split by job:
 *   sampler.c         a tick in order: system files, listing, the books,
 *                     reads or carries, exits
 *   sampler_system.c  /proc/stat, meminfo, uptime into the sample
 *   sampler_evidence.c pressure, vmstat, loadavg, diskstats: why the
 *                     machine is slow; optional, never fails a tick
 *   sampler_proc.c    one process: read, identity, figures, carry, exit
 */
#ifndef ST_SAMPLER_H
#define ST_SAMPLER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <spiketrace/model.h>

#include "proc/proc_parse.h"
#include "proc/proc_parse_system.h"
#include "events/exited_groups.h"
#include "events/fork_parents.h"
#include "events/proc_events.h"
#include "sample/proc_table.h"
#include "sample/read_policy.h"
#include "sample/ring.h"

struct st_read_buf {
	char  *data;
	size_t cap;
};

/* The file behind fd, whole, from offset 0 into b (cap > 0), which grows
 * when the file does not fit. Returns the length, or -1 with errno set. */
ssize_t st_read_buf_whole(struct st_read_buf *b, int fd);

/* Where sample times come from: CLOCK_MONOTONIC, or a test's fake clock. */
typedef int64_t (*st_clock_fn)(void *ctx);

/* Unaccounted CPU is remembered for this many samples (a carried process
 * is read at least every ST_READ_ROTATION). A power of two. */
#define ST_SAMPLER_BOOKS_KEPT 16

/* What the read policy did, for the exit log and the benchmark. */
struct st_sampler_stats {
	uint64_t ticks;             /* samples taken */
	uint64_t listed;            /* processes listed, summed over ticks */
	uint64_t read;              /* stat files read, summed over ticks */
	uint64_t sweeps;            /* ticks that read every listed process */
	uint64_t renames;           /* processes that changed comm or ppid */
};

/* Exits between samples (sampler_exits.c): the kernel's process events
 * into each interval's exited groups. */
struct st_sampler_exits {
	uint32_t mode;              /* ST_EXITS_*: CUTIME, no events */
	uint32_t lost;              /* overruns since the last sample */
	struct st_fork_parents *forks;      /* allocated when events run */
	struct st_exited_groups *groups;
	uint64_t events;            /* process events seen */
	uint64_t exits;             /* of which exits */
	uint64_t known;             /* exits of processes a tick had read */
	uint64_t grouped;           /* exits into the groups */
	unsigned warned_memory;
};

struct st_sampler {
	st_clock_fn clock;
	void    *clock_ctx;
	char    *proc_root;
	int      root_fd;
	void    *root_dir;          /* DIR *, rewound each tick */
	int      stat_fd, meminfo_fd, uptime_fd;
	/* The optional evidence (sampler_evidence.c): -1 where the kernel
	 * has no such file. */
	struct st_evidence_files {
		int      psi_fd[3];     /* cpu, memory, io */
		int      vmstat_fd, loadavg_fd, diskstats_fd;
		struct st_psi prev_psi[3];
		struct st_vmstat prev_vm;
		struct st_diskstats prev_disk;
		unsigned have_prev;     /* ST_HAVE_* with a previous reading */
		int64_t  vm_read_ns, disk_read_ns;  /* when last read */
		unsigned warned;        /* ST_HAVE_* whose file stopped parsing */
	} ev;
	struct st_read_buf buf;     /* grows to the largest file read */
	long     clock_ticks;
	long     page_kib;
	uint64_t seq;               /* of the last committed sample */
	int64_t  last_mono_ns;
	int      keep_fds;          /* 0 once the fd limit is reached */
	/* Per-process fds are kept only below this: the trigger path (a
	 * candidate's status, its cmdline) and the sinks need fds too. */
	int      keep_fds_below;
	struct st_proc_stat pstat;
	/* the cpuN lines of this and the previous reading, in file order,
	 * each with its CPU id (offline CPUs have none) */
	struct st_cpu_times *cores, *prev_cores;
	uint32_t prev_ncores;
	uint32_t cores_cap;
	struct st_cpu_times prev_total;
	uint64_t prev_avail_kib, prev_swap_used_kib;
	/* Running sum of the process CPU the books left unaccounted above
	 * their usual noise, through the end of sample seq, at
	 * [seq % ST_SAMPLER_BOOKS_KEPT]: what a carried process may have
	 * used unseen (proc_cpu.h). */
	double   unaccounted[ST_SAMPLER_BOOKS_KEPT];
	/* The usual unaccounted CPU of a tick (clock-tick rounding, kernel
	 * threads, processes too short to read), a moving average over
	 * about 16 ticks. */
	double   noise_ticks;
	int      read_all;          /* tests: read every process every tick */
	struct st_sampler_stats stats;
	uint64_t prev_processes, prev_ctxt, prev_intr;
	uint32_t *exits;            /* the slots gone this tick (sampler.c) */
	uint32_t exits_cap;
	struct st_proc_table table;
	uint64_t malformed;         /* stat files that did not parse */
	struct st_sampler_exits between;
	/* Ticks failed in a row and why, so that a broken system file is
	 * logged when it breaks and when it mends, not at every tick. */
	uint64_t failed_ticks;
	char     failure[256];
};

/* Opens the proc root and its system files. Returns 0, or -1 with a
 * one-line reason in err ("/x/proc/stat: No such file or directory"). */
int st_sampler_init(struct st_sampler *s, const char *proc_root,
		    char *err, size_t errlen);
void st_sampler_destroy(struct st_sampler *s);

/* Take one sample into the ring (committed on success) and reclaim the
 * process slots no sample refers to any more. Returns 0, or -1 when the
 * system files could not be read (reason logged; the ring is unchanged). */
int st_sampler_take(struct st_sampler *s, struct st_ring *ring);

/* Exit events in mode (ST_EXITS_*; CUTIME: none). Returns 0, or -1 out
 * of memory (the mode is then CUTIME). */
int st_sampler_exits_start(struct st_sampler *s, uint32_t mode);
void st_sampler_exits_stop(struct st_sampler *s);
/* One event of the kernel's, between two samples; and overruns: events
 * the kernel dropped. */
void st_sampler_on_proc_event(struct st_sampler *s, const struct st_proc_event *ev);
void st_sampler_exits_lost(struct st_sampler *s, uint32_t overruns);

/* The history view of the ring for detectors (infos from the table). */
void st_sampler_history(const struct st_sampler *s, const struct st_ring *ring,
			struct st_history *out);

#endif
