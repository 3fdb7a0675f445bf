/*
 * Every process the sampler tracks, with no cap: a hash by pid (open
 * addressing, linear probing) over a slab of slots. A slot holds what does
 * not change per sample (struct st_proc_info, exposed to detectors) and the
 * sampler's bookkeeping (the kept-open stat fd, the previous counters).
 *
 * A slot outlives its process until no sample in the ring refers to it, so
 * st_proc_sample.info stays valid for the whole history; then it is reused.
 * Growth allocates; steady state does not.
 */
#ifndef ST_PROC_TABLE_H
#define ST_PROC_TABLE_H

#include <stdint.h>
#include <spiketrace/model.h>

#define ST_PROC_NONE UINT32_MAX

/* The sampler's per-process state, parallel to the infos. */
struct st_proc_track {
	int      fd;                /* /proc/[pid]/stat kept open, -1 when not */
	uint8_t  alive;             /* mapped in the hash: the process exists */
	uint8_t  used;              /* slot in use (alive, or dead but referenced) */
	uint64_t last_seen_seq;
	uint64_t cpu_ticks;         /* utime + stime at last_seen_seq */
	uint64_t child_ticks;       /* cutime + cstime */
	uint64_t child_delta;       /* growth of child_ticks this sample, less
	                               what was already seen of the reaped */
	uint64_t reaped_credit;     /* CPU of exited children that samples saw:
	                               not to be counted again when reaped */
	uint64_t credit_seq;        /* when the credit was last added */
	uint32_t rec_index;         /* this process's record in the newest sample,
	                               ST_PROC_NONE while it has none yet */
	uint64_t minflt, majflt;
	/* What the last read found, for the samples that do not re-read it
	 * (see the sampler's read policy). */
	double   read_clock_s;      /* the sampler's CPU clock at that read */
	double   span_s;            /* CPU time that read covered (its interval) */
	uint64_t deferred_seq;      /* listed in this sample, read decided later */
	uint32_t rss_kib;
	char     state;
	uint8_t  quiet_reads;       /* reads in a row that found no change */
	uint32_t next_free;
};

struct st_proc_table {
	uint32_t nslots;            /* slots used so far: [0, nslots) are
	                               initialised, the rest untouched */
	uint32_t cap;               /* slots allocated (infos/tracks length) */
	uint32_t nalive;
	struct st_proc_info *infos;
	struct st_proc_track *tracks;
	uint32_t free_head;         /* free slot list, ST_PROC_NONE when empty */
	uint32_t hash_cap;          /* power of two */
	uint32_t *hash;             /* slot index or ST_PROC_NONE */
};

/* Returns 0 or -1 (out of memory). */
int st_proc_table_init(struct st_proc_table *t, uint32_t initial_slots);
void st_proc_table_destroy(struct st_proc_table *t);

/* The live slot for pid, or ST_PROC_NONE. */
uint32_t st_proc_table_find(const struct st_proc_table *t, int32_t pid);

/* A fresh slot mapped to pid (the caller has unmapped any previous one).
 * Info and track are zeroed, fd -1. Returns ST_PROC_NONE when out of memory. */
uint32_t st_proc_table_add(struct st_proc_table *t, int32_t pid);

/* The process is gone: close its fd, unmap the pid. The slot stays readable
 * until st_proc_table_reclaim() sees it unreferenced. */
void st_proc_table_forget(struct st_proc_table *t, uint32_t slot);

/* Return to the free list every dead slot last seen before oldest_seq
 * (the oldest sample still in the ring). */
void st_proc_table_reclaim(struct st_proc_table *t, uint64_t oldest_seq);

#endif
