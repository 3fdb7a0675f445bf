/*
 * A process's memory measured on demand (st_host.proc_memory): VmRSS,
 * RssAnon, RssShmem and VmSwap from /proc/PID/status, and the pages only
 * it maps (Private_Clean + Private_Dirty) from /proc/PID/smaps_rollup.
 * The sampler reads neither per tick: a detector asks for the few
 * processes a trigger may blame.
 */
#ifndef ST_PROC_MEMORY_H
#define ST_PROC_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <spiketrace/model.h>

/* The "Key:   N kB" lines of status and smaps_rollup that count, in kB. */
struct st_mem_lines {
	uint64_t vm_rss, rss_anon, rss_shmem, vm_swap;
	uint64_t private_clean, private_dirty;
	unsigned have;              /* ST_MEM_LINE_* */
};
#define ST_MEM_LINE_VMRSS         0x01
#define ST_MEM_LINE_RSSANON       0x02
#define ST_MEM_LINE_RSSSHMEM      0x04
#define ST_MEM_LINE_VMSWAP        0x08
#define ST_MEM_LINE_PRIVATE_CLEAN 0x10
#define ST_MEM_LINE_PRIVATE_DIRTY 0x20

/*
 * Pure parser (st_parse_kib_lines of proc_parse.h): any bytes, never past
 * len, no NUL needed, no allocation. Adds the lines found in buf to acc,
 * so a file can be fed in pieces of whole lines (a later line of a key
 * wins). A malformed value reads as an absent line; other lines are
 * skipped.
 */
void st_parse_mem_lines(const char *buf, size_t len, struct st_mem_lines *acc);

/* The figures of acc (zeroed before its first st_parse_mem_lines) into a
 * whole out (size set, have bits; private only when both Private lines
 * were there). */
void st_mem_lines_result(const struct st_mem_lines *acc, struct st_proc_memory *out);

/*
 * Read pid's memory relative to the proc root fd, with stack buffers
 * only. The pid's stat must show start_ticks (else the pid was reused);
 * reads after that go through the pid's directory fd, which a reaped
 * process turns to ESRCH. Fills up to out->size bytes of out. Returns 0,
 * or -1 when the process is gone or its stat unreadable.
 */
int st_proc_memory_read(int root_fd, int32_t pid, uint64_t start_ticks,
			struct st_proc_memory *out);

#endif
