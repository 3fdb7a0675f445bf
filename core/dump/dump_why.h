/*
 * Why a trigger fired, in words, from a dump's own figures: the system
 * evidence at the trigger's sample (and, for memory, the window before
 * it). Pure: a dump in, short ASCII strings out, nothing read from the
 * system. Used by the text rendering (viewer, stdout sink); a sink that
 * links the dump library may use it too.
 */
#ifndef ST_DUMP_WHY_H
#define ST_DUMP_WHY_H

#include <stdint.h>
#include <spiketrace/model.h>

#include "dump/mem_where.h"

/*
 * Thresholds: a cause is named when its figure at the trigger sample is
 * at or above these. PSI percentages are the larger of the kernel's 10 s
 * average and the share of the interval stalled.
 */
#define ST_WHY_CPU_BOUND_PROC_PCT   50.0  /* the blamed process, % of one core */
#define ST_WHY_CPU_BOUND_SYSTEM_PCT 80.0  /* the machine, % of all cores */
#define ST_WHY_CPU_PRESSURE_PCT     10.0  /* PSI cpu some: runnable, waiting */
#define ST_WHY_MEM_PRESSURE_PCT     10.0  /* PSI memory some */
#define ST_WHY_PGSCAN_PER_S         10000 /* pages scanned by reclaim per second
                                             (~40 MiB/s with 4 KiB pages) */
#define ST_WHY_SWAP_PAGES_PER_S     256   /* pages swapped in or out per second
                                             (1 MiB/s with 4 KiB pages) */
#define ST_WHY_IO_PRESSURE_PCT      10.0  /* PSI io some */
#define ST_WHY_IOWAIT_PCT           20.0  /* cpu iowait, % of the machine */
#define ST_WHY_BLOCKED_PROCS        2     /* procs_blocked, or D-state processes
                                             in the sample's lists */
#define ST_WHY_FORKS_PER_S          200.0 /* processes created per second */
#define ST_WHY_BLKIO_DELAY_PCT      20.0  /* the blamed process waited for block
                                             I/O this share of the interval */
/* "Where the memory went": a part of meminfo is named when it grew by at
 * least this over the window, largest first (the phrase is mem_where.h's,
 * shared with the memory detectors' summaries). */
#define ST_WHY_MEM_GREW_KIB         ST_MEM_WHERE_GREW_KIB

#define ST_WHY_MAX     8        /* reasons at most */
#define ST_WHY_LEN     128      /* bytes of one reason, NUL included */

struct st_why {
	uint32_t n;
	char reason[ST_WHY_MAX][ST_WHY_LEN];
};

/*
 * The causes the figures at trigger i's sample show, in this order: CPU
 * (the blamed process's own + reaped children's cpu, or the machine's,
 * user or kernel by the machine's split), waiting for CPU, memory
 * reclaim, swap, OOM kills, I/O wait, fork storm; e.g. "CPU-bound in user
 * code: 95.0% of one core, machine 62% user, 3% kernel", "memory reclaim:
 * memory pressure 35%, 52000 pages scanned/s", "fork storm: 850 forks/s".
 * vmstat figures come from the trigger sample or the first later sample
 * whose span covers it. Parts that do not fit ST_WHY_LEN are left out. For a memory trigger that blames
 * no process (pid 0), the last reason says where the memory went:
 * "memory grew: page cache +1.2 GiB, tmpfs/shmem +800 MiB". None when the
 * trigger is outside the window or nothing crosses its threshold.
 */
void st_dump_why(const struct st_dump *dump, uint32_t trigger, struct st_why *why);

/* Sample k's pressure of one resource (bit: ST_HAVE_PSI_CPU, _MEMORY or
 * _IO) as one percentage: the kernel's 10 s average of "some", or the
 * share of the sample's interval stalled when that is higher (a burst
 * shorter than 10 s shows there first). NAN when not measured. */
double st_dump_pressure_pct(const struct st_dump *dump, uint32_t k, uint32_t bit);

/* Where the memory went over the window up to trigger i's sample, from the
 * meminfo breakdown: "page cache +1.2 GiB, kernel slab +600 MiB" into buf
 * (len bytes). Returns 0, or -1 (buf "") when the dump has no breakdown
 * at two samples or nothing grew by ST_WHY_MEM_GREW_KIB. */
int st_dump_where_memory(const struct st_dump *dump, uint32_t trigger, char *buf,
			 size_t len);

#endif
