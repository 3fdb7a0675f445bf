/*
 * A scripted /proc for tests: the sampler reads it through --proc-root /
 * st_sampler_init. Time only moves when the test says so: advancing by
 * one second adds CLK_TCK ticks per core to /proc/stat (all idle unless a
 * process burns them) and one second to /proc/uptime.
 */
#ifndef ST_FAKE_PROC_H
#define ST_FAKE_PROC_H

#include <stdint.h>

struct fake_process {
	int32_t  pid;
	int32_t  ppid;
	char     comm[64];
	char     state;
	uint64_t utime, stime, cutime, cstime;
	uint64_t start_ticks;
	uint64_t rss_pages;
	uint64_t minflt, majflt;
	uint64_t threads;           /* field 20; 0 writes 1 */
	uint64_t vsize;             /* field 23, bytes; 0 writes 10000000 */
	uint64_t blkio_ticks;       /* field 42, delayacct_blkio_ticks */
};

struct fake_proc {
	char    *root;
	unsigned ncores;
	long     hz;
	uint64_t elapsed_ticks;     /* per core, since "boot" */
	uint64_t busy_ticks;        /* user ticks in /proc/stat, all cores */
	uint64_t forks;
	uint64_t mem_total_kib, mem_available_kib, swap_total_kib, swap_free_kib;
	uint64_t offline_mask;      /* CPU ids that have no cpuN line (offline):
	                               ncores lines are written, skipping them */
	/* meminfo's breakdown, written once fake_proc_set_breakdown set it */
	int      have_breakdown;
	uint64_t anon_kib, cached_kib, shmem_kib;
	uint64_t slab_reclaimable_kib, slab_unreclaimable_kib;
};

/* A tree under a fresh temp dir with stat, meminfo and uptime, "booted"
 * boot_s seconds ago. */
struct fake_proc *fake_proc_new(unsigned ncores, uint64_t mem_total_kib, double boot_s);
void fake_proc_free(struct fake_proc *fp);   /* removes the tree */

/* The fake's monotonic clock in ns (ctx: the struct fake_proc), for a
 * sampler or engine clock: sample times follow the seconds it advanced. */
int64_t fake_proc_clock(void *ctx);

/* Advance the clock (rewrites stat and uptime). */
void fake_proc_advance(struct fake_proc *fp, double seconds);
void fake_proc_set_memory(struct fake_proc *fp, uint64_t available_kib,
			  uint64_t swap_total_kib, uint64_t swap_free_kib);

/* Add AnonPages, Cached, Shmem, SReclaimable and SUnreclaim to meminfo
 * (the sampler's ST_HAVE_MEM_DETAIL); without a call the tree reads as a
 * kernel without them. Cached holds Shmem, as the kernel counts it. */
void fake_proc_set_breakdown(struct fake_proc *fp, uint64_t anon_kib, uint64_t cached_kib,
			     uint64_t shmem_kib, uint64_t slab_reclaimable_kib,
			     uint64_t slab_unreclaimable_kib);

/* Write /proc/PID/stat for p (in place, so kept-open fds see it). */
void fake_proc_put(struct fake_proc *fp, const struct fake_process *p);
/* Remove /proc/PID: the process has exited. */
void fake_proc_remove(struct fake_proc *fp, int32_t pid);
/* Write an arbitrary file under the root (malformed-input tests). */
void fake_proc_write(struct fake_proc *fp, const char *relpath, const char *content);

/* What /proc/PID/status and smaps_rollup say of a process's memory. */
struct fake_memory {
	uint64_t rss_kib, anon_kib, shmem_kib, swap_kib;
	uint64_t private_kib;       /* Private_Clean + Private_Dirty */
};

/* Write /proc/PID/status and /proc/PID/smaps_rollup for p (rss_kib 0:
 * p's own RSS). Without them a process's status is unreadable. */
void fake_proc_put_memory(struct fake_proc *fp, const struct fake_process *p,
			  const struct fake_memory *m);

/* RSS in KiB, as pages of this machine's size. */
void fake_process_set_rss_kib(struct fake_process *p, uint64_t kib);
uint64_t fake_process_rss_kib(const struct fake_process *p);

/* A process started now, sleeping, 1 MiB RSS. */
struct fake_process fake_process_make(struct fake_proc *fp, int32_t pid, const char *comm);

#endif
