/*
 * Parsers for the /proc files the sampler reads. Pure functions over a
 * buffer: no I/O, no allocation, so they are cheap on the hot path and easy
 * to fuzz. Every parser accepts any bytes and never reads past len; buf need
 * not be NUL-terminated.
 */
#ifndef ST_PROC_PARSE_H
#define ST_PROC_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <spiketrace/model.h>

/* /proc/[pid]/stat, the fields the sampler uses (see proc(5)). */
struct st_pid_stat {
	int32_t  pid;           /* field 1 */
	char     comm[ST_COMM_MAX]; /* field 2, between the first '(' and the LAST ')',
	                           truncated to ST_COMM_MAX - 1 bytes, NUL-terminated */
	char     state;         /* 3 */
	int32_t  ppid;          /* 4 */
	uint64_t minflt;        /* 10 */
	uint64_t majflt;        /* 12 */
	uint64_t utime;         /* 14, clock ticks */
	uint64_t stime;         /* 15 */
	uint64_t cutime;        /* 16; signed in the kernel ABI, negative read as 0 */
	uint64_t cstime;        /* 17 */
	uint64_t num_threads;   /* 20; negative read as 0 */
	uint64_t start_ticks;   /* 22 */
	uint64_t vsize;         /* 23, bytes */
	uint64_t rss_pages;     /* 24; negative read as 0 */
	uint64_t blkio_ticks;   /* 42, delayacct_blkio_ticks (since 2.6.18):
	                           valid when have & ST_PID_STAT_BLKIO */
	unsigned have;          /* ST_PID_STAT_*: the optional fields found */
};
#define ST_PID_STAT_BLKIO 0x01

/* Returns 0, or -1 when the buffer is not a stat line (missing parentheses,
 * fewer than 24 fields, a non-number where a number belongs in them).
 * Fields 25 to 42 are optional (older kernels end sooner): a line that
 * ends before field 42, or has a non-number in 25..42, still parses, with
 * blkio_ticks 0 and its have bit clear. Fields after the 42nd are
 * ignored. */
int st_parse_pid_stat(const char *buf, size_t len, struct st_pid_stat *out);

/* One "cpu" line of /proc/stat, in clock ticks. Absent trailing fields
 * (old kernels) are 0. */
struct st_cpu_times {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
	uint32_t id;                /* N of a "cpuN" line; 0 for the total */
};

struct st_proc_stat {
	struct st_cpu_times total;  /* the "cpu" line */
	uint32_t ncores;            /* "cpuN" lines found (may exceed max_cores):
	                               the CPUs online, not the highest N + 1 */
	uint64_t processes;         /* forks since boot */
	uint64_t ctxt;              /* context switches since boot */
	uint64_t intr;              /* interrupts since boot (first number of "intr") */
	uint32_t procs_running;
	uint32_t procs_blocked;
	unsigned have;              /* ST_PSTAT_* */
};
#define ST_PSTAT_CPU       0x01
#define ST_PSTAT_PROCESSES 0x02
#define ST_PSTAT_RUNNING   0x04
#define ST_PSTAT_BLOCKED   0x08
#define ST_PSTAT_CTXT      0x10
#define ST_PSTAT_INTR      0x20

/* The kernel's own ceiling (NR_CPUS at most 8192): a "cpuN" line beyond it
 * is not a core but a corrupt line, and must not size an allocation. */
#define ST_MAX_CORES 8192

/* cores[] receives the cpuN lines in the order of the file, each with its
 * N in .id: an offline CPU has no line, so ids can have gaps (cpu0, cpu2,
 * cpu3 is three cores). Lines beyond max_cores are counted in ncores but
 * not stored; N >= ST_MAX_CORES is skipped. Returns 0, or -1 when there is
 * no well-formed "cpu" line (a missing one, or a malformed one). */
int st_parse_proc_stat(const char *buf, size_t len, struct st_proc_stat *out,
		       struct st_cpu_times *cores, uint32_t max_cores);

struct st_meminfo {
	uint64_t mem_total_kib, mem_free_kib, mem_available_kib;
	uint64_t swap_total_kib, swap_free_kib;
	/* where the memory is: for "no process grew" */
	uint64_t anon_kib;          /* AnonPages */
	uint64_t cached_kib;        /* Cached (page cache, tmpfs included) */
	uint64_t shmem_kib;         /* Shmem (tmpfs, shared anonymous) */
	uint64_t slab_reclaimable_kib, slab_unreclaimable_kib;
	uint64_t dirty_kib, writeback_kib;
	unsigned have;              /* ST_MEMINFO_* */
};
#define ST_MEMINFO_TOTAL     0x01
#define ST_MEMINFO_FREE      0x02
#define ST_MEMINFO_AVAILABLE 0x04
#define ST_MEMINFO_SWAPTOTAL 0x08
#define ST_MEMINFO_SWAPFREE  0x10
#define ST_MEMINFO_ANON      0x20
#define ST_MEMINFO_CACHED    0x40
#define ST_MEMINFO_SHMEM     0x80
#define ST_MEMINFO_SRECLAIM  0x100
#define ST_MEMINFO_SUNRECLAIM 0x200
#define ST_MEMINFO_DIRTY     0x400
#define ST_MEMINFO_WRITEBACK 0x800

/* Returns 0, or -1 when MemTotal is missing. Unknown lines are skipped. */
int st_parse_meminfo(const char *buf, size_t len, struct st_meminfo *out);

/*
 * "Key:   N kB" lines (meminfo, /proc/PID/status, smaps_rollup): each key
 * found stores its uint64_t at out + offset. Lines of other keys are
 * skipped; a malformed value reads as an absent line; a later line of a
 * key wins. Returns the bits of the keys stored.
 */
struct st_kib_key {
	const char *key;            /* ending in '_': matches as a prefix */
	size_t keylen;
	size_t offset;              /* of a uint64_t in out */
	unsigned bit;
};
#define ST_KIB_KEY(k, type, field, bit) { k, sizeof(k) - 1, offsetof(type, field), bit }
unsigned st_parse_kib_lines(const char *buf, size_t len, const struct st_kib_key *keys,
			    size_t nkeys, void *out);

/* /proc/uptime: first number, seconds. Returns 0 or -1. */
int st_parse_uptime(const char *buf, size_t len, double *seconds);

/*
 * Busy share between two readings of a cpu line, percent (0..100 each).
 * Counters that went backwards (iowait does) count as no change: never a
 * negative, NaN or Inf result. All zero when no time passed.
 */
struct st_cpu_pct {
	double total, user, system, iowait, steal;
};
void st_cpu_pct_between(const struct st_cpu_times *prev,
			const struct st_cpu_times *cur, struct st_cpu_pct *out);

#endif
