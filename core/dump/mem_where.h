/*
 * Where the memory went: from the meminfo breakdown at the two ends of a
 * span, the parts that grew, largest first, as one phrase: "page cache
 * +1.2 GiB, tmpfs/shmem +800 MiB". The dump's why-line (dump_why.c) and
 * the memory detectors' summaries (plugins/detectors/rss_blame.c) say it
 * with these words, this ranking and these figures: the prose form of
 * size_text.h (tenths of a MiB), as the text around the phrase on both
 * sides is written.
 *
 * Pure, and free of every module but the text primitives (libsttext): it
 * is compiled into the core's dump library and, as a source of its own,
 * into the memory detectors (which call the core only through the host
 * table, and the host table has no such function); both link libsttext.
 * Allocates nothing.
 */
#ifndef ST_MEM_WHERE_H
#define ST_MEM_WHERE_H

#include <stddef.h>
#include <stdint.h>

/* A part is named when it grew by at least this over the span. */
#define ST_MEM_WHERE_GREW_KIB (64 * 1024)

/* The figures of /proc/meminfo the phrase is made of. */
struct st_mem_breakdown {
	uint64_t anon_kib;                  /* AnonPages */
	uint64_t cached_kib;                /* Cached: the page cache, Shmem included */
	uint64_t shmem_kib;                 /* Shmem: tmpfs and shared memory */
	uint64_t slab_reclaimable_kib;      /* SReclaimable */
	uint64_t slab_unreclaimable_kib;    /* SUnreclaim */
};

/* The breakdown of a sample: the live model's st_sample and the dump's
 * st_dump_sample name these fields alike (valid when `have` holds
 * ST_HAVE_MEM_DETAIL). */
#define ST_MEM_BREAKDOWN_OF(s) ((struct st_mem_breakdown){ \
	.anon_kib = (s)->anon_kib, .cached_kib = (s)->cached_kib, \
	.shmem_kib = (s)->shmem_kib, \
	.slab_reclaimable_kib = (s)->slab_reclaimable_kib, \
	.slab_unreclaimable_kib = (s)->slab_unreclaimable_kib })

/*
 * The parts that grew from `before` to `after` by at least min_kib (and
 * ST_MEM_WHERE_GREW_KIB), largest first, "name +size" each (the size as
 * st_format_kib's ST_SIZE_TENTHS: "+800.0 MiB", "+1.2 GiB"), ", " between,
 * into buf (len bytes); a part that does not fit is left out whole, and
 * the smaller ones after it. Parts: page cache (Cached without Shmem),
 * tmpfs/shmem, kernel slab (both kinds), anonymous; a caller that blames
 * a process's own (anonymous) growth may set after.anon_kib to
 * before.anon_kib so that growth is not named twice. Returns the number
 * of parts written: 0 with buf "" when none grew enough or none fits.
 */
int st_mem_where(const struct st_mem_breakdown *before, const struct st_mem_breakdown *after,
		 uint64_t min_kib, char *buf, size_t len);

#endif
