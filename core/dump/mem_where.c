/* Where the memory went, in one phrase (mem_where.h). */
#include "dump/mem_where.h"
#include "text/size_text.h"

#include <stdio.h>

enum { PART_CACHE, PART_SHMEM, PART_SLAB, PART_ANON, NPARTS };

static const char *const part_names[NPARTS] = {
	[PART_CACHE] = "page cache",
	[PART_SHMEM] = "tmpfs/shmem",
	[PART_SLAB] = "kernel slab",
	[PART_ANON] = "anonymous",
};

/* Cached below Shmem (figures read a moment apart) is an empty page
 * cache, not a huge one; sums saturate (the figures come from a file). */
static void parts_of(const struct st_mem_breakdown *m, uint64_t v[NPARTS])
{
	uint64_t slab = m->slab_reclaimable_kib + m->slab_unreclaimable_kib;
	v[PART_CACHE] = m->cached_kib > m->shmem_kib ? m->cached_kib - m->shmem_kib : 0;
	v[PART_SHMEM] = m->shmem_kib;
	v[PART_SLAB] = slab < m->slab_reclaimable_kib ? UINT64_MAX : slab;
	v[PART_ANON] = m->anon_kib;
}

int st_mem_where(const struct st_mem_breakdown *before, const struct st_mem_breakdown *after,
		 uint64_t min_kib, char *buf, size_t len)
{
	struct { int part; uint64_t kib; } grew[NPARTS];
	uint64_t a[NPARTS], b[NPARTS];
	size_t used = 0;
	int n = 0, written = 0;

	if (!buf || !len)
		return 0;
	buf[0] = '\0';
	if (!before || !after)
		return 0;
	if (min_kib < ST_MEM_WHERE_GREW_KIB)
		min_kib = ST_MEM_WHERE_GREW_KIB;
	parts_of(before, a);
	parts_of(after, b);
	/* Largest first; equal growths keep the order of part_names. */
	for (int i = 0; i < NPARTS; i++) {
		if (b[i] <= a[i] || b[i] - a[i] < min_kib)
			continue;               /* a part that shrank is not named */
		uint64_t kib = b[i] - a[i];
		int at = n++;
		for (; at > 0 && grew[at - 1].kib < kib; at--)
			grew[at] = grew[at - 1];
		grew[at].part = i;
		grew[at].kib = kib;
	}
	for (int i = 0; i < n; i++) {
		char size[32];
		st_format_kib(size, sizeof(size), (double)grew[i].kib, ST_SIZE_TENTHS);
		int w = snprintf(buf + used, len - used, "%s%s +%s", i ? ", " : "",
				 part_names[grew[i].part], size);
		if (w < 0 || (size_t)w >= len - used) {
			buf[used] = '\0';
			break;
		}
		used += (size_t)w;
		written++;
	}
	return written;
}
