/*
 * Tests for core/proc/proc_parse_system.c: pressure, vmstat, loadavg,
 * diskstats. Every buffer is an exact heap copy (no NUL after it).
 */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "proc/proc_parse_system.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs parse over an exact copy of s. */
#define PARSE(fn, s, out) ({ \
		size_t len_ = strlen(s); \
		char *b_ = st_test_exact_copy((s), len_); \
		int rc_ = fn(b_, len_, (out)); \
		free(b_); \
		rc_; })

static void test_pressure_some_and_full(void)
{
	struct st_psi psi;
	CU_ASSERT_EQUAL_FATAL(PARSE(st_parse_pressure,
		"some avg10=2.05 avg60=18.04 avg300=28.37 total=217224450\n"
		"full avg10=0.50 avg60=0.00 avg300=0.10 total=1234\n", &psi), 0);
	CU_ASSERT_EQUAL(psi.have, ST_PSI_SOME | ST_PSI_FULL);
	CU_ASSERT_DOUBLE_EQUAL(psi.some.avg10, 2.05, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(psi.some.avg60, 18.04, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(psi.some.avg300, 28.37, 1e-9);
	CU_ASSERT_EQUAL(psi.some.total_us, 217224450);
	CU_ASSERT_DOUBLE_EQUAL(psi.full.avg10, 0.5, 1e-9);
	CU_ASSERT_EQUAL(psi.full.total_us, 1234);
}

/* /proc/pressure/cpu had no "full" line before 5.13. */
static void test_pressure_without_full(void)
{
	struct st_psi psi;
	CU_ASSERT_EQUAL_FATAL(PARSE(st_parse_pressure,
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=0", &psi), 0);
	CU_ASSERT_EQUAL(psi.have, ST_PSI_SOME);
	CU_ASSERT_EQUAL(psi.full.total_us, 0);
}

static void test_pressure_malformed(void)
{
	struct st_psi psi;
	CU_ASSERT_EQUAL(PARSE(st_parse_pressure, "", &psi), -1);
	CU_ASSERT_EQUAL(PARSE(st_parse_pressure, "some avg10=1.0 avg60=2.0 avg300=3.0\n", &psi), -1);
	CU_ASSERT_EQUAL(PARSE(st_parse_pressure,
		"some avg10=x avg60=2.0 avg300=3.0 total=5\n", &psi), -1);
	CU_ASSERT_EQUAL(PARSE(st_parse_pressure,
		"some avg10=1.0 avg60=2.0 avg300=3.0 total=99999999999999999999\n", &psi), -1);
	/* a broken full line is absent, the some line still counts */
	CU_ASSERT_EQUAL(PARSE(st_parse_pressure,
		"some avg10=1.0 avg60=2.0 avg300=3.0 total=5\nfull avg10=\n", &psi), 0);
	CU_ASSERT_EQUAL(psi.have, ST_PSI_SOME);
	CU_ASSERT_EQUAL(psi.some.total_us, 5);
}

static void test_vmstat(void)
{
	struct st_vmstat vm;
	CU_ASSERT_EQUAL_FATAL(PARSE(st_parse_vmstat,
		"nr_free_pages 12345\n"
		"pgmajfault 77\n"
		"pswpin 3\n"
		"pswpout 4\n"
		"pgscan_kswapd 100\n"
		"pgscan_direct 20\n"
		"pgscan_khugepaged 1\n"
		"pgscan_direct_throttle 999\n"
		"pgsteal_kswapd 90\n"
		"pgsteal_direct 10\n"
		"allocstall_dma 0\n"
		"allocstall_dma32 2\n"
		"allocstall_normal 5\n"
		"allocstall_movable 1\n"
		"oom_kill 1\n", &vm), 0);
	CU_ASSERT_EQUAL(vm.pgmajfault, 77);
	CU_ASSERT_EQUAL(vm.pswpin, 3);
	CU_ASSERT_EQUAL(vm.pswpout, 4);
	CU_ASSERT_EQUAL(vm.pgscan, 121);        /* not the throttle counter */
	CU_ASSERT_EQUAL(vm.pgsteal, 100);
	CU_ASSERT_EQUAL(vm.allocstall, 8);
	CU_ASSERT_EQUAL(vm.oom_kill, 1);
	CU_ASSERT_EQUAL(vm.have, ST_VMSTAT_SWAP | ST_VMSTAT_MAJFAULT | ST_VMSTAT_OOM_KILL |
			ST_VMSTAT_RECLAIM | ST_VMSTAT_ALLOCSTALL);
}

/* Old kernels and odd configs lack counters: absent, not zero-and-known. */
static void test_vmstat_missing_and_malformed(void)
{
	struct st_vmstat vm;
	CU_ASSERT_EQUAL_FATAL(PARSE(st_parse_vmstat,
		"pgmajfault 5\npswpin\npswpout x\noom_kill 1 2\nallocstall 4\n", &vm), 0);
	CU_ASSERT_EQUAL(vm.have, ST_VMSTAT_MAJFAULT);
	CU_ASSERT_EQUAL(vm.pswpin, 0);
	CU_ASSERT_EQUAL(vm.allocstall, 0);      /* a per-zone key wants its zone */
	CU_ASSERT_EQUAL(PARSE(st_parse_vmstat, "", &vm), 0);
	CU_ASSERT_EQUAL(vm.have, 0);
	/* summed counters saturate instead of wrapping */
	CU_ASSERT_EQUAL_FATAL(PARSE(st_parse_vmstat,
		"pgscan_kswapd 18446744073709551615\npgscan_direct 5\n", &vm), 0);
	CU_ASSERT_EQUAL(vm.pgscan, UINT64_MAX);
}

static void test_loadavg(void)
{
	struct st_loadavg la;
	CU_ASSERT_EQUAL_FATAL(PARSE(st_parse_loadavg, "2.05 2.51 1.46 2/95 22237\n", &la), 0);
	CU_ASSERT_DOUBLE_EQUAL(la.load1, 2.05, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(la.load5, 2.51, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(la.load15, 1.46, 1e-9);
	CU_ASSERT_EQUAL(la.running, 2);
	CU_ASSERT_EQUAL(la.threads, 95);
	CU_ASSERT_EQUAL(PARSE(st_parse_loadavg, "2.05 2.51 1.46", &la), -1);
	CU_ASSERT_EQUAL(PARSE(st_parse_loadavg, "2.05 2.51 1.46 2-95 1", &la), -1);
	CU_ASSERT_EQUAL(PARSE(st_parse_loadavg, "", &la), -1);
}

static void test_diskstats_whole_disks_only(void)
{
	struct st_diskstats ds;
	CU_ASSERT_EQUAL_FATAL(PARSE(st_parse_diskstats,
		"   7       0 loop0 50 0 400 0 0 0 0 0 0 9 0 0 0 0 0 0 0\n"
		"   8       0 sda 100 0 1000 10 50 0 2000 20 0 300 30 0 0 0 0 0 0\n"
		"   8       1 sda1 90 0 900 9 40 0 1900 19 0 290 29 0 0 0 0 0 0\n"
		"   8      16 sdb 1 0 8 1 1 0 16 1 0 5 2\n"
		" 259       0 nvme0n1 10 0 80 1 10 0 160 1 0 40 2 0 0 0 0 0 0\n"
		" 259       1 nvme0n1p1 9 0 70 1 9 0 150 1 0 39 2 0 0 0 0 0 0\n"
		" 253       0 dm-0 99 0 990 9 49 0 1990 19 0 299 29 0 0 0 0 0 0\n"
		" 252       0 zram0 5 0 40 0 5 0 40 0 0 1 0 0 0 0 0 0 0\n", &ds), 0);
	CU_ASSERT_EQUAL(ds.ndisks, 3);          /* sda, sdb, nvme0n1 */
	CU_ASSERT_EQUAL(ds.sectors_read, 1000 + 8 + 80);
	CU_ASSERT_EQUAL(ds.sectors_written, 2000 + 16 + 160);
	CU_ASSERT_EQUAL(ds.io_ms, 300 + 5 + 40);
}

static void test_diskstats_malformed(void)
{
	struct st_diskstats ds;
	CU_ASSERT_EQUAL_FATAL(PARSE(st_parse_diskstats,
		"8 0 sda 1 2 3\n"                       /* too few fields */
		"8 0 sdc 1 0 8 1 1 0 16 1 0 5 x\n"      /* not a number */
		"garbage\n"
		"\n"
		"8 32 vda 1 0 8 1 1 0 16 1 0 5 2", &ds), 0);
	CU_ASSERT_EQUAL(ds.ndisks, 1);
	CU_ASSERT_EQUAL(ds.sectors_read, 8);
	CU_ASSERT_EQUAL(PARSE(st_parse_diskstats, "", &ds), 0);
	CU_ASSERT_EQUAL(ds.ndisks, 0);
}

/* The real files of this machine parse, where the kernel has them. */
static void test_real_files(void)
{
	char *t = st_test_slurp("/proc/pressure/memory");
	struct st_psi psi;
	if (t) {
		CU_ASSERT_EQUAL(PARSE(st_parse_pressure, t, &psi), 0);
		CU_ASSERT(psi.have & ST_PSI_FULL);
		free(t);
	}
	struct st_loadavg la;
	t = st_test_slurp("/proc/loadavg");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(PARSE(st_parse_loadavg, t, &la), 0);
	CU_ASSERT(la.threads >= 1);
	free(t);
	/* vmstat is longer than st_test_slurp's 4 KiB: a truncated copy
	 * still parses what it holds */
	struct st_vmstat vm;
	t = st_test_slurp("/proc/vmstat");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(PARSE(st_parse_vmstat, t, &vm), 0);
	free(t);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "pressure: some and full", test_pressure_some_and_full },
		{ "pressure: no full line (cpu before 5.13)", test_pressure_without_full },
		{ "pressure: malformed", test_pressure_malformed },
		{ "vmstat: the counters, per-zone sums", test_vmstat },
		{ "vmstat: missing and malformed counters", test_vmstat_missing_and_malformed },
		{ "loadavg", test_loadavg },
		{ "diskstats: whole physical disks only", test_diskstats_whole_disks_only },
		{ "diskstats: malformed lines skipped", test_diskstats_malformed },
		{ "the real files", test_real_files },
		CU_TEST_INFO_NULL,
	};

	return st_test_run("proc_parse_system", tests);
}
