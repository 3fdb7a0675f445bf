/*
 * Shared by the memory and swap detectors: the likely cause of a memory
 * event is the process whose OWN memory grew most over the window, not
 * merely the largest process.
 *
 * Own: a sample's RSS may be carried (the read policy did not re-read the
 * process: stale), and a child forked inside the window holds every page
 * it shares with its parent in its RSS. So the candidates are measured
 * when the trigger fires (host->proc_memory): the largest growers by their
 * recorded figures, then, while nothing explains the event, the carried
 * processes (at most RSS_BLAME_MAX_MEASURED in all). A candidate's own
 * growth is its RSS growth, capped by the pages only it maps
 * (smaps_rollup's Private_*), or, where that is unreadable, by its
 * anonymous and shared-memory pages. A process whose own growth is below
 * RSS_BLAME_MIN_SHARE of the event is a bystander: no process is named.
 *
 * Linked into each of those plugins (not exported), with the core's text
 * primitives (libsttext): the comm in a summary is escaped as everywhere.
 *
 * A memory trigger fires exactly when memory is short, so the firing path
 * allocates nothing: the per-process scratch is allocated at create and
 * grown by rss_blame_reserve() on the samples that do not fire. Should
 * that growth fail, the detector still fires, blaming no process.
 */
#ifndef ST_RSS_BLAME_H
#define ST_RSS_BLAME_H

#include <stddef.h>
#include <stdint.h>
#include <spiketrace/plugin.h>

#include "dump/mem_where.h"

/* The share of an event (the fall of available memory, the rise of swap
 * in use) a process's own growth must reach to be named its cause. A
 * quarter: an event of several allocators still names the largest, while
 * a process that grew a few MiB during a GiB fall is a bystander. */
#define RSS_BLAME_MIN_SHARE 0.25
/* Largest growers by recorded RSS measured first; processes measured at
 * most per firing. Each costs three small /proc reads on the sampling
 * thread (smaps_rollup walks the process's page tables): 64 keeps a
 * firing tick within a few ms, and a grower past them was not carried
 * long (its memory move made the books read everyone). */
#define RSS_BLAME_TOP 16
#define RSS_BLAME_MAX_MEASURED 64

struct rss_blame {
	int32_t  pid;               /* 0 when no process accounts for it */
	uint64_t start_ticks;
	char     comm[ST_COMM_MAX];
	uint64_t rss_kib;           /* now */
	uint64_t growth_kib;        /* its own growth over the window; a
	                               process born inside it grew from 0 */
	/* The meminfo breakdown at the window's two ends, which says where
	 * the memory went (0: no two samples of it have ST_HAVE_MEM_DETAIL). */
	int      have_mem;
	struct st_mem_breakdown mem_before, mem_after;
};

struct rss_then;

/* A detector's scratch for blaming: one per plugin instance. */
struct rss_blamer {
	const struct st_host *host;
	struct rss_then *then;      /* by process slot (st_proc_sample.info) */
	uint32_t cap;               /* slots then[] holds */
	struct {
		uint32_t index;         /* into the newest sample's procs */
		uint64_t growth_kib;    /* recorded */
	} top[RSS_BLAME_TOP];
};

/* Preallocate for a typical process table. Returns 0, or -1 when out of
 * memory (the blamer still works: it grows on the next reserve). */
int rss_blamer_init(struct rss_blamer *b, const struct st_host *host);
void rss_blamer_fini(struct rss_blamer *b);

/* Grow the scratch to the history's process table. Call it on samples
 * that did not fire; a failure is kept for the next call to retry. */
void rss_blamer_reserve(struct rss_blamer *b, const struct st_history *h);

/* A detector's evaluate ends with `return rss_blamer_fired(b, h, n)`, n
 * its trigger count: the scratch grows (rss_blamer_reserve) only when n
 * is 0, so the firing path allocates nothing. Returns n. */
int rss_blamer_fired(struct rss_blamer *b, const struct st_history *h, int n);

/* Compare the newest sample with the one `window` samples before it (or the
 * oldest there is); extent_kib is the event's size (0 when it has none in
 * memory). Allocates nothing; out->pid is 0 when no process accounts for
 * the event, or when the scratch could not grow to the process table.
 * Whoever is blamed, out keeps the meminfo breakdown from the first sample
 * of that span that has one to the newest (have_mem). */
void rss_blame_growth(struct rss_blamer *b, const struct st_history *h,
		      uint32_t window, uint64_t extent_kib, struct rss_blame *out);

/* Copy the blamed process into a trigger (pid, start_ticks, comm) and mark
 * it a system event (ST_TRIGGER_SYSTEM). */
void rss_blame_to_trigger(const struct rss_blame *b, struct st_trigger *t);

/* Append "; chrome grew 1.0 GiB" to a summary of which `used` bytes are
 * written, and "; also tmpfs/shmem +1.5 GiB" when a part of the breakdown
 * other than anonymous memory grew more than the process (mem_where.h).
 * With no process to blame: "; no process accounts for it", and where the
 * memory went when the breakdown shows it: "; no process accounts for it:
 * page cache +1.2 GiB, kernel slab +600.0 MiB". The process part is
 * truncated to fit size; the breakdown's parts are left out whole.
 * Allocates nothing. */
void rss_blame_append(char *summary, size_t size, int used, const struct rss_blame *b);

#endif
