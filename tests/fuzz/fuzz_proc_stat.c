/*
 * libFuzzer target: the parsers of the system-wide files the sampler reads
 * every tick, /proc/stat, /proc/meminfo and /proc/uptime, and the cpu
 * percentages computed from /proc/stat. Every input goes through all
 * three parsers: a seed of one file is noise to the others, which is
 * cheap, and a mutation that turns one format into another is covered.
 */
#include <math.h>
#include <string.h>

#include "proc/proc_parse.h"
#include "fuzz_check.h"

/* Fewer than a real machine may list, so cpuN beyond it is exercised. */
#define MAX_CORES 4

static void check_pct(const struct st_cpu_times *a, const struct st_cpu_times *b)
{
	struct st_cpu_pct pct;
	const double *f = &pct.total;

	st_cpu_pct_between(a, b, &pct);
	/* never negative, NaN or Inf (proc_parse.h) */
	for (size_t i = 0; i < sizeof(pct) / sizeof(double); i++)
		FUZZ_CHECK(f[i] >= 0.0 && f[i] <= 100.0);
}

static void fuzz_proc_stat(const char *buf, size_t size)
{
	static const struct st_cpu_times zero;
	/* exactly MAX_CORES on the heap: ASan sees a write past them */
	struct st_cpu_times *cores = malloc(MAX_CORES * sizeof(*cores));
	struct st_proc_stat ps;
	int rc;

	FUZZ_CHECK(cores != NULL);
	rc = st_parse_proc_stat(buf, size, &ps, cores, MAX_CORES);
	/* -1 also for a malformed "cpu" line after a good one */
	FUZZ_CHECK(rc < 0 || (ps.have & ST_PSTAT_CPU));
	if (rc == 0) {
		check_pct(&zero, &ps.total);
		check_pct(&ps.total, &zero);
		for (uint32_t i = 0; i < ps.ncores && i < MAX_CORES; i++)
			check_pct(&cores[i], &ps.total);
	}
	free(cores);
	/* no cores[] at all is allowed */
	rc = st_parse_proc_stat(buf, size, &ps, NULL, MAX_CORES);
	FUZZ_CHECK(rc < 0 || (ps.have & ST_PSTAT_CPU));
}

static void fuzz_meminfo(const char *buf, size_t size)
{
	struct st_meminfo mi;
	int rc = st_parse_meminfo(buf, size, &mi);

	FUZZ_CHECK((rc == 0) == !!(mi.have & ST_MEMINFO_TOTAL));
	FUZZ_CHECK((mi.have & ~0xfffu) == 0);
}

static void fuzz_uptime(const char *buf, size_t size)
{
	double seconds = -1.0;

	if (st_parse_uptime(buf, size, &seconds) == 0)
		FUZZ_CHECK(isfinite(seconds) && seconds >= 0.0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	fuzz_proc_stat(buf, size);
	fuzz_meminfo(buf, size);
	fuzz_uptime(buf, size);
	return 0;
}
