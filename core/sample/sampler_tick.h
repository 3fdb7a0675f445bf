/*
 * Inside the sampler: one tick's state and the steps sampler.c runs in
 * order, implemented in sampler_system.c and sampler_proc.c.
 */
#ifndef ST_SAMPLER_TICK_H
#define ST_SAMPLER_TICK_H

#include <sys/types.h>

#include "sample/sampler.h"

/* One tick's reading, shared by the steps that fill its sample. */
struct st_tick {
	struct st_ring_slot *slot;
	uint32_t nprocs;            /* records filled so far */
	uint64_t seq;
	double   interval_s;        /* CPU interval of this tick (kernel clock) */
	double   uptime_s;
	double   accounted;         /* CPU ticks the reads charged to this interval */
};

/* sampler_system.c */
ssize_t st_sampler_read_whole(struct st_sampler *s, int fd);
void st_sampler_tick_failed(struct st_sampler *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int st_sampler_cores_reserve(struct st_sampler *s, uint32_t n);
/* /proc/stat and /proc/meminfo; -1 (logged once) fails the tick. */
int st_sampler_read_proc_stat(struct st_sampler *s);
int st_sampler_read_meminfo(struct st_sampler *s, struct st_meminfo *mi);
double st_sampler_read_uptime(struct st_sampler *s);
void st_sampler_fill_memory(const struct st_meminfo *m, struct st_sample *smp);
/* System CPU over the interval into the slot; the reading becomes "previous". */
void st_sampler_fill_system_cpu(struct st_sampler *s, struct st_ring_slot *slot);
/* The interval over which process CPU is measured, in the kernel's clock. */
double st_sampler_process_interval(const struct st_sampler *s, double wall_s);
/* Percent of one core for ticks of CPU over interval_s. */
float st_sampler_ticks_pct(const struct st_sampler *s, double ticks, double interval_s);

/* sampler_evidence.c */
void st_sampler_open_evidence(struct st_sampler *s);
/* No evidence files open (all -1), for a zeroed sampler. */
void st_sampler_no_evidence(struct st_sampler *s);
void st_sampler_close_evidence(struct st_sampler *s);
/* Pressure, loadavg, and when something is under pressure vmstat and
 * diskstats, into smp: each only when its file reads and parses and a
 * previous reading gives its growth (ST_HAVE_*); a file that stops parsing
 * is said once. memory_moved: the books saw memory or swap move. */
void st_sampler_read_evidence(struct st_sampler *s, struct st_sample *smp,
			      int memory_moved);

/* sampler_proc.c */
/* Reads one process's stat. fd < 0: open it (kept in *fd when we may keep
 * fds). Returns 1 parsed, 0 the process is gone, -1 malformed. */
int st_sampler_read_pid_stat(struct st_sampler *s, int32_t pid, int *fd,
			     struct st_pid_stat *ps);
/* Reads pid's stat into the tick's sample; slot is its table slot, or
 * ST_PROC_NONE when it is new. */
void st_sampler_read_process(struct st_sampler *s, struct st_tick *tk, int32_t pid,
			     uint32_t slot);
/* Listed, not re-read: the figures of its last read, no CPU. */
void st_sampler_carry_process(struct st_sampler *s, struct st_tick *tk, uint32_t slot);
/* The process in slot is gone; its parent gets the reaped credit. */
void st_sampler_process_exited(struct st_sampler *s, struct st_tick *tk, uint32_t slot);

/* sampler_exits.c */
/* The interval's exited groups into the slot's sample, their CPU over
 * interval_s (the processes' interval, in the kernel's clock), and the
 * next interval begins. */
void st_sampler_fill_exited(struct st_sampler *s, struct st_ring_slot *slot,
			    struct st_sample *smp, double interval_s);
#endif
