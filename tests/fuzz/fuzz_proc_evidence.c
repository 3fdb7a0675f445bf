/*
 * libFuzzer target: the parsers of the evidence files, pressure, vmstat,
 * loadavg and diskstats (every tick, or when something stalls), and the
 * status / smaps_rollup lines read for a memory trigger's candidates.
 * Every input goes through all of them, as in fuzz_proc_stat.
 */
#include <math.h>
#include <string.h>

#include "proc/proc_memory.h"
#include "proc/proc_parse_system.h"
#include "fuzz_check.h"

static void fuzz_pressure(const char *buf, size_t size)
{
	struct st_psi psi;
	int rc = st_parse_pressure(buf, size, &psi);
	FUZZ_CHECK((rc == 0) == !!(psi.have & ST_PSI_SOME));
	FUZZ_CHECK((psi.have & ~(unsigned)(ST_PSI_SOME | ST_PSI_FULL)) == 0);
	const struct st_psi_line *l[2] = { &psi.some, &psi.full };
	for (int i = 0; i < 2; i++)
		FUZZ_CHECK(isfinite(l[i]->avg10) && l[i]->avg10 >= 0 &&
			   isfinite(l[i]->avg60) && l[i]->avg60 >= 0 &&
			   isfinite(l[i]->avg300) && l[i]->avg300 >= 0);
}

static void fuzz_vmstat(const char *buf, size_t size)
{
	struct st_vmstat vm;
	FUZZ_CHECK(st_parse_vmstat(buf, size, &vm) == 0);
	FUZZ_CHECK((vm.have & ~0x1fu) == 0);
}

static void fuzz_loadavg(const char *buf, size_t size)
{
	struct st_loadavg la;
	if (st_parse_loadavg(buf, size, &la) == 0)
		FUZZ_CHECK(isfinite(la.load1) && isfinite(la.load5) && isfinite(la.load15) &&
			   la.load1 >= 0 && la.load5 >= 0 && la.load15 >= 0);
}

static void fuzz_diskstats(const char *buf, size_t size)
{
	struct st_diskstats ds;
	FUZZ_CHECK(st_parse_diskstats(buf, size, &ds) == 0);
	FUZZ_CHECK(ds.ndisks <= size);         /* a disk takes a line */
}

static void fuzz_mem_lines(const char *buf, size_t size)
{
	struct st_mem_lines acc;
	struct st_proc_memory pm;
	memset(&acc, 0, sizeof(acc));
	st_parse_mem_lines(buf, size, &acc);
	FUZZ_CHECK((acc.have & ~0x3fu) == 0);
	st_mem_lines_result(&acc, &pm);
	FUZZ_CHECK(pm.size == sizeof(pm));
	FUZZ_CHECK(!(pm.have & ST_PROC_MEM_PRIVATE) ||
		   pm.private_kib >= acc.private_clean);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	fuzz_pressure(buf, size);
	fuzz_vmstat(buf, size);
	fuzz_loadavg(buf, size);
	fuzz_diskstats(buf, size);
	fuzz_mem_lines(buf, size);
	return 0;
}
