/*
 * Builds the dump of an incident from the ring: pre_trigger samples before
 * the first trigger, the trigger sample, and the samples after it, each with
 * its top processes by CPU and by RSS and every blamed process. Runs once
 * per incident, so it may allocate. A process's command line and uids are
 * those captured when its trigger fired (st_dump_builder_capture); only
 * processes captured nothing for (top-list entries) are read at build time.
 */
#ifndef ST_DUMP_BUILDER_H
#define ST_DUMP_BUILDER_H

#include <spiketrace/model.h>

#include "sample/evidence.h"
#include "sample/fast_ring.h"
#include "engine/incident.h"
#include "sample/proc_table.h"
#include "sample/ring.h"

struct st_dump_builder {
	int      proc_root_fd;      /* for cmdline and uids of dumped processes */
	unsigned pre, top;
	double   interval_s;
	struct st_dump_host host;
	struct st_evidence evidence; /* of the open incident's blamed processes */
	/* The fast system ring whose readings over the samples' span go
	 * into the dump, and its pace; NULL when off. */
	const struct st_fast_ring *fast;
	double   fast_interval_s;
};

/* Host facts are read once, at start. */
void st_dump_host_read(int proc_root_fd, uint32_t ncores, uint64_t mem_total_kib,
		       struct st_dump_host *host);

/* On the trigger path, for a tick's accepted triggers: capture the
 * identity of each process they blame, into the builder's fixed table.
 * Allocates nothing. */
void st_dump_builder_capture(struct st_dump_builder *b, const struct st_trigger *t,
			     size_t n);

/* NULL when out of memory (logged). Either way the incident's evidence is
 * used up: the next incident captures its own. */
struct st_dump *st_dump_build(struct st_dump_builder *b,
			      const struct st_ring *ring,
			      const struct st_proc_table *table,
			      const struct st_incidents *inc);

/* "20261121T232900.123Z_cpu_delta_12345": sorts by time, says what. */
void st_dump_make_id(char *out, size_t outlen, int64_t wall_ns,
		     const char *type, int32_t pid);

#endif
