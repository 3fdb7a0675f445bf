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

#include "proc/proc_cpu.h"

#define ST_PROC_NONE UINT32_MAX

/* The sampler's per-process state, parallel to the infos. */
struct st_proc_track {              /* packed: there is one per process */
	int      fd;                /* /proc/[pid]/stat kept open, -1 when not */
	uint32_t rec_index;         /* this process's record in the newest sample,
	                               ST_PROC_NONE while it has none yet */
	uint64_t last_seen_seq;
	uint64_t cpu_ticks;         /* utime + stime at last_seen_seq */
	uint64_t child_ticks;       /* cutime + cstime */
	uint64_t minflt, majflt;
	uint64_t stime_ticks;       /* stime: the kernel part of cpu_ticks */
	uint64_t vsize_kib;         /* as last read, for a dump */
	struct st_child_cpu child;  /* children growth and reaped credit */
	/* What the last read found, for the samples that do not re-read it
	 * (see the sampler's read policy). */
	uint64_t read_seq;          /* the sample of the last read */
	uint64_t deferred_seq;      /* listed in this sample, read decided later */
	float    hidden;            /* CPU ticks the books left unaccounted
	                               while it was carried before that read */
	float    child_charged;     /* children CPU that read charged (ticks) */
	uint32_t read_gap;          /* samples between it and the read before */
	uint32_t rss_kib;
	uint32_t next_free;
	uint32_t blkio_ticks;       /* low 32 bits of the blkio delay ticks:
	                               only their growth between reads is used */
	uint32_t threads;           /* as last read, for a dump */
	char     state;
	uint8_t  quiet_reads;       /* reads in a row that found no change */
	uint8_t  alive;             /* mapped in the hash: the process exists */
	uint8_t  used;              /* slot in use (alive, or dead but referenced) */
};

/* A name or parent a process had until a sample: for the older samples
 * of the ring, so that a dump shows each sample's comm as it was. The
 * last ST_PROC_RENAMES renames are kept (allocated at init); older
 * samples of more renames show the newer name. */
#define ST_PROC_RENAMES 256
struct st_proc_rename {
	uint32_t slot;
	int32_t  pid;
	uint64_t start_ticks;
	uint64_t until_seq;         /* the last sample that saw this name */
	int32_t  ppid;
	char     comm[ST_COMM_MAX];
};

struct st_proc_table {
	uint32_t nslots;            /* slots used so far: [0, nslots) are
	                               initialised, the rest untouched */
	uint32_t cap;               /* slots allocated (infos/tracks length) */
	uint32_t nalive;
	struct st_proc_info *infos;
	struct st_proc_track *tracks;
	uint32_t free_head;         /* free slot list, ST_PROC_NONE when empty */
	struct st_proc_rename *renames; /* ST_PROC_RENAMES, a ring */
	uint64_t nrenames;          /* pushed since init */
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

/* The process in slot is about to change name or parent (exec, prctl,
 * reparenting), seen by sample seq: its info as it was is kept for the
 * samples before seq (st_proc_table_info_at). It stays in its slot, so
 * the detectors' state indexed by slot follows it. */
void st_proc_table_renamed(struct st_proc_table *t, uint32_t slot, uint64_t seq);

/* The info of the process in slot as sample seq saw it: the live info, or
 * a rename's copy in *scratch. */
const struct st_proc_info *st_proc_table_info_at(const struct st_proc_table *t,
						 uint32_t slot, uint64_t seq,
						 struct st_proc_info *scratch);

/* The process is gone: close its fd, unmap the pid. The slot stays readable
 * until st_proc_table_reclaim() sees it unreferenced. */
void st_proc_table_forget(struct st_proc_table *t, uint32_t slot);

/* Return to the free list every dead slot last seen before oldest_seq
 * (the oldest sample still in the ring). */
void st_proc_table_reclaim(struct st_proc_table *t, uint64_t oldest_seq);

#endif
