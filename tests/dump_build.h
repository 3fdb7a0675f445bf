/* Dumps built in memory for the renderers' tests (text, HTML): one
 * process record, an array of them, one trigger. */
#ifndef ST_TEST_DUMP_BUILD_H
#define ST_TEST_DUMP_BUILD_H

#include <stdint.h>
#include <spiketrace/model.h>

/* pid's record (ppid 1, start_ticks 5000 + pid, uid 1000); cmdline copied
 * (NULL: unknown). */
void st_test_set_proc(struct st_dump_proc *p, int32_t pid, const char *comm, double cpu,
		      double children, uint64_t rss_kib, const char *cmdline);
/* n zeroed records (the test fails when out of memory). */
struct st_dump_proc *st_test_procs(uint32_t n);
/* A trigger at sample_index (sample_seq 100 + sample_index). */
void st_test_set_trigger(struct st_dump_trigger *dt, const char *type, int32_t pid,
			 const char *comm, double value, double baseline, double threshold,
			 const char *units, int32_t sample_index);

#endif
