/*
 * The fast system ring: between the samples, at fast_interval (0.1 s by
 * default), the machine's figures only, from /proc/stat, /proc/meminfo
 * and the pressure files: no process is listed. A 300 ms stall between
 * two 1 s samples is averaged away in them; here it shows, and the dump
 * carries these readings over its samples' span.
 *
 * Its own kept fds, its own read buffer and its own previous readings:
 * the sampler's "previous" state (what its intervals are measured from)
 * is not touched. The parsers are the sampler's (proc_parse*.h).
 * Everything is allocated at open; a reading allocates nothing (unless
 * /proc/stat outgrows its buffer, as on CPU hotplug).
 */
#ifndef ST_FAST_RING_H
#define ST_FAST_RING_H

#include <stddef.h>
#include <stdint.h>
#include <spiketrace/model.h>

#include "proc/proc_parse.h"
#include "proc/proc_parse_system.h"
#include "sample/sampler.h"

/*
 * One reading, 72 bytes: floats and 32-bit stalls (a stall over one
 * fast interval is at most interval x CPUs, far below 2^32 us).
 * have: the ST_DUMP_FAST_* bits measured.
 */
struct st_fast_record {
	int64_t  mono_ns;           /* when read: the end of its interval */
	float    interval_s;        /* since the previous reading */
	float    cpu_total_pct, cpu_user_pct, cpu_system_pct;  /* of the machine */
	float    cpu_iowait_pct, cpu_steal_pct;
	uint64_t mem_available_kib, swap_used_kib;
	uint32_t procs_running, procs_blocked;
	uint32_t psi_some_us[3];    /* cpu, memory, io: stalled over the interval */
	uint32_t have;
};

/* An hour at 10 Hz: 36,000 records, 2.5 MiB. The default (history 60,
 * interval 1 s, fast_interval 0.1 s) keeps 602 records, 42 KiB. */
#define ST_FAST_RING_MAX 36000

struct st_fast_ring {
	int      stat_fd, meminfo_fd;
	int      psi_fd[3];         /* -1 where the kernel has no such file */
	struct st_read_buf buf;
	struct st_fast_record *rec;
	uint32_t cap, n, head;      /* head: where the next record goes */
	/* the previous reading */
	struct st_cpu_times prev_total;
	uint64_t prev_psi_us[3];
	unsigned prev_have;         /* ST_DUMP_FAST_PSI_* with a previous total */
	int64_t  prev_ns;
	uint64_t readings, failed;  /* readings taken, and ones that failed */
	int      failing;           /* the failure is logged; quiet until it mends */
	char     proc_root[256];    /* for the messages */
};

/* Records that cover history samples of interval_s at fast_s, with a
 * reading to spare at each end; at most ST_FAST_RING_MAX. */
uint32_t st_fast_ring_capacity(unsigned history, double interval_s, double fast_s);

/*
 * Opens stat, meminfo and the pressure files under root_fd (proc_root
 * names it in messages), allocates capacity records and takes the first
 * reading at now_ns: the baseline, not a record. Returns 0, or -1 with a
 * one-line reason in err. On failure the ring is closed.
 */
int st_fast_ring_open(struct st_fast_ring *f, int root_fd, const char *proc_root,
		      uint32_t capacity, int64_t now_ns, char *err, size_t errlen);
/* Safe on a zeroed ring, and twice. */
void st_fast_ring_close(struct st_fast_ring *f);

/* One reading at now_ns, into a record over the time since the previous
 * one. A system file that does not read or parse skips the record
 * (logged when it breaks and when it mends). */
void st_fast_ring_take(struct st_fast_ring *f, int64_t now_ns);

static inline uint32_t st_fast_ring_count(const struct st_fast_ring *f)
{
	return f->n;
}

/* Record i, 0 the oldest; i < st_fast_ring_count(). */
const struct st_fast_record *st_fast_ring_at(const struct st_fast_ring *f, uint32_t i);

/* A record as a dump carries it, offset from the trigger sample's time. */
void st_fast_record_to_dump(const struct st_fast_record *r, int64_t trigger_mono_ns,
			    struct st_dump_fast *out);

#endif
