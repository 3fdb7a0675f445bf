/*
 * The lines of /proc/PID/status and smaps_rollup that count, through the
 * "Key: N kB" scanner the meminfo parser uses.
 */
#include "proc/proc_memory.h"

#include <string.h>

#include "proc/proc_parse.h"

#define KEY(k, field, bit) ST_KIB_KEY(k, struct st_mem_lines, field, bit)
static const struct st_kib_key mem_keys[] = {
	KEY("VmRSS", vm_rss, ST_MEM_LINE_VMRSS),
	KEY("RssAnon", rss_anon, ST_MEM_LINE_RSSANON),
	KEY("RssShmem", rss_shmem, ST_MEM_LINE_RSSSHMEM),
	KEY("VmSwap", vm_swap, ST_MEM_LINE_VMSWAP),
	KEY("Private_Clean", private_clean, ST_MEM_LINE_PRIVATE_CLEAN),
	KEY("Private_Dirty", private_dirty, ST_MEM_LINE_PRIVATE_DIRTY),
};
#undef KEY

void st_parse_mem_lines(const char *buf, size_t len, struct st_mem_lines *acc)
{
	if (acc)
		acc->have |= st_parse_kib_lines(buf, len, mem_keys,
						sizeof(mem_keys) / sizeof(mem_keys[0]), acc);
}

/* A figure's have bit in the result for each line's. */
static const struct {
	unsigned line;
	uint32_t have;
} figures[] = {
	{ ST_MEM_LINE_VMRSS, ST_PROC_MEM_RSS },
	{ ST_MEM_LINE_RSSANON, ST_PROC_MEM_ANON },
	{ ST_MEM_LINE_RSSSHMEM, ST_PROC_MEM_SHMEM },
	{ ST_MEM_LINE_VMSWAP, ST_PROC_MEM_SWAP },
};

void st_mem_lines_result(const struct st_mem_lines *acc, struct st_proc_memory *out)
{
	const unsigned priv = ST_MEM_LINE_PRIVATE_CLEAN | ST_MEM_LINE_PRIVATE_DIRTY;

	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		if (acc->have & figures[i].line)
			out->have |= figures[i].have;
	/* An absent line left its field as the caller zeroed it. */
	out->rss_kib = acc->vm_rss;
	out->rss_anon_kib = acc->rss_anon;
	out->rss_shmem_kib = acc->rss_shmem;
	out->swap_kib = acc->vm_swap;
	/* Half of the private pages is no figure: both lines or none. */
	if ((acc->have & priv) == priv &&
	    !__builtin_add_overflow(acc->private_clean, acc->private_dirty, &out->private_kib))
		out->have |= ST_PROC_MEM_PRIVATE;
	else
		out->private_kib = 0;
}
