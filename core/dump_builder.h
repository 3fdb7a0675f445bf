/*
 * Builds the dump of an incident from the ring: pre_trigger samples before
 * the first trigger, the trigger sample, and the samples after it, each with
 * its top processes by CPU and by RSS and every blamed process. Runs once
 * per incident, so it may allocate; it reads cmdline and owner only for the
 * processes that end up in the dump.
 */
#ifndef ST_DUMP_BUILDER_H
#define ST_DUMP_BUILDER_H

#include <spiketrace/model.h>

#include "incident.h"
#include "proc_table.h"
#include "ring.h"

struct st_dump_builder {
	int      proc_root_fd;      /* for cmdline and owner of dumped processes */
	unsigned pre, top;
	double   interval_s;
	struct st_dump_host host;
};

/* Host facts are read once, at start. */
void st_dump_host_read(int proc_root_fd, uint32_t ncores, uint64_t mem_total_kib,
		       struct st_dump_host *host);

/* NULL when out of memory (logged). */
struct st_dump *st_dump_build(const struct st_dump_builder *b,
			      const struct st_ring *ring,
			      const struct st_proc_table *table,
			      const struct st_incidents *inc);

/* "20261121T232900.123Z_cpu_delta_12345": sorts by time, says what. */
void st_dump_make_id(char *out, size_t outlen, int64_t wall_ns,
		     const char *type, int32_t pid);

#endif
