/*
 * Parsers for the system files that say why a machine is slow, not only
 * that it is busy: pressure stall information, vmstat's reclaim and swap
 * counters, the load average and the disks' totals. Pure functions over a
 * buffer, like proc_parse.h: no I/O, no allocation, any bytes accepted,
 * never a read past len.
 */
#ifndef ST_PROC_PARSE_SYSTEM_H
#define ST_PROC_PARSE_SYSTEM_H

#include <stddef.h>
#include <stdint.h>

/* /proc/pressure/{cpu,memory,io}: "some" and, since 5.13 for cpu, "full". */
struct st_psi_line {
	double   avg10, avg60, avg300;  /* percent of wall time stalled */
	uint64_t total_us;              /* stall time since boot */
};
struct st_psi {
	struct st_psi_line some, full;
	unsigned have;                  /* ST_PSI_* */
};
#define ST_PSI_SOME 0x01
#define ST_PSI_FULL 0x02

/* Returns 0 when a well-formed "some" line is there, else -1. A malformed
 * "full" line reads as absent. */
int st_parse_pressure(const char *buf, size_t len, struct st_psi *out);

/* /proc/vmstat, the counters that tell reclaim, swapping and the OOM
 * killer apart; each is a count since boot. */
struct st_vmstat {
	uint64_t pswpin, pswpout;       /* pages swapped in, out */
	uint64_t pgmajfault;
	uint64_t oom_kill;
	uint64_t pgscan;                /* pgscan_kswapd + _direct + _khugepaged */
	uint64_t pgsteal;               /* pgsteal_kswapd + _direct + _khugepaged */
	uint64_t allocstall;            /* allocstall_* of every zone */
	unsigned have;                  /* ST_VMSTAT_* */
};
#define ST_VMSTAT_SWAP       0x01
#define ST_VMSTAT_MAJFAULT   0x02
#define ST_VMSTAT_OOM_KILL   0x04
#define ST_VMSTAT_RECLAIM    0x08
#define ST_VMSTAT_ALLOCSTALL 0x10

/* Returns 0 (unknown and malformed lines are skipped; a file without one
 * known line returns 0 with have == 0), or -1 for a NULL buffer. */
int st_parse_vmstat(const char *buf, size_t len, struct st_vmstat *out);

/* /proc/loadavg: "0.52 0.58 0.59 3/456 12345". */
struct st_loadavg {
	double   load1, load5, load15;
	uint32_t running, threads;
};
int st_parse_loadavg(const char *buf, size_t len, struct st_loadavg *out);

/*
 * /proc/diskstats summed over whole physical disks: a partition (sda1
 * after sda, nvme0n1p1 after nvme0n1) would count its I/O twice, and
 * loop, ram, zram, dm- and md devices stack on the disks below them.
 */
struct st_diskstats {
	uint64_t sectors_read, sectors_written;  /* 512-byte sectors */
	uint64_t io_ms;                 /* time some I/O was in flight, summed */
	uint32_t ndisks;
};
/* Returns 0 (a malformed line is skipped), or -1 for a NULL buffer. */
int st_parse_diskstats(const char *buf, size_t len, struct st_diskstats *out);

#endif
