/*
 * Tests for core/sample/fast_ring.c over a fake /proc: the figures of a reading
 * exactly, pressure only where the kernel has the file, a ring that
 * wraps oldest first, a broken file that skips readings and mends, and
 * the capacity for a history.
 */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "fake_proc.h"
#include "sample/fast_ring.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MS 1000000LL

struct rig {
	struct fake_proc *fp;
	int root_fd;
	struct st_fast_ring f;
};

static void put_stat(struct rig *r, unsigned user, unsigned sys, unsigned idle,
		     unsigned iowait, unsigned steal, unsigned running, unsigned blocked)
{
	char text[512];
	snprintf(text, sizeof(text),
		 "cpu  %u 0 %u %u %u 0 0 %u 0 0\ncpu0 1 0 0 1 0 0 0 0 0 0\n"
		 "intr 5 1 2\nctxt 7\nprocesses 9\nprocs_running %u\nprocs_blocked %u\n",
		 user, sys, idle, iowait, steal, running, blocked);
	fake_proc_write(r->fp, "stat", text);
}

static void put_meminfo(struct rig *r, unsigned avail, unsigned swap_free)
{
	char text[512];
	snprintf(text, sizeof(text),
		 "MemTotal: 8000000 kB\nMemFree: 1000 kB\nMemAvailable: %u kB\n"
		 "SwapTotal: 100000 kB\nSwapFree: %u kB\n", avail, swap_free);
	fake_proc_write(r->fp, "meminfo", text);
}

static void put_psi(struct rig *r, const char *file, unsigned long long some_total)
{
	char text[256];
	snprintf(text, sizeof(text),
		 "some avg10=1.00 avg60=0.50 avg300=0.10 total=%llu\n"
		 "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", some_total);
	fake_proc_write(r->fp, file, text);
}

/* A 2-core tree with cpu and io pressure (no memory pressure file). */
static void rig_open(struct rig *r, uint32_t capacity)
{
	memset(r, 0, sizeof(*r));
	r->fp = fake_proc_new(2, 8000000, 100);
	put_stat(r, 100, 50, 800, 50, 0, 1, 0);
	put_meminfo(r, 600000, 100000);
	put_psi(r, "pressure/cpu", 1000);
	put_psi(r, "pressure/io", 5000);
	r->root_fd = open(r->fp->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CU_ASSERT_FATAL(r->root_fd >= 0);
	char err[256] = "";
	CU_ASSERT_EQUAL_FATAL(st_fast_ring_open(&r->f, r->root_fd, r->fp->root, capacity,
						0, err, sizeof(err)), 0);
}

static void rig_close(struct rig *r)
{
	st_fast_ring_close(&r->f);
	st_fast_ring_close(&r->f);      /* twice is harmless */
	close(r->root_fd);
	fake_proc_free(r->fp);
}

static void test_figures_exact(void)
{
	struct rig r;
	rig_open(&r, 8);
	CU_ASSERT_EQUAL(st_fast_ring_count(&r.f), 0);   /* the baseline is no record */
	/* Over 100 ms: 200 ticks, of which user 60, system 20, iowait 10,
	 * steal 10, idle 100. */
	put_stat(&r, 160, 70, 900, 60, 10, 3, 2);
	put_meminfo(&r, 500000, 40000);
	put_psi(&r, "pressure/cpu", 31000);
	put_psi(&r, "pressure/io", 5250);
	st_fast_ring_take(&r.f, 100 * MS);
	CU_ASSERT_EQUAL_FATAL(st_fast_ring_count(&r.f), 1);
	const struct st_fast_record *x = st_fast_ring_at(&r.f, 0);
	CU_ASSERT_EQUAL(x->mono_ns, 100 * MS);
	CU_ASSERT_DOUBLE_EQUAL(x->interval_s, 0.1, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(x->cpu_total_pct, 45.0, 1e-4);
	CU_ASSERT_DOUBLE_EQUAL(x->cpu_user_pct, 30.0, 1e-4);
	CU_ASSERT_DOUBLE_EQUAL(x->cpu_system_pct, 10.0, 1e-4);
	CU_ASSERT_DOUBLE_EQUAL(x->cpu_iowait_pct, 5.0, 1e-4);
	CU_ASSERT_DOUBLE_EQUAL(x->cpu_steal_pct, 5.0, 1e-4);
	CU_ASSERT_EQUAL(x->mem_available_kib, 500000);
	CU_ASSERT_EQUAL(x->swap_used_kib, 60000);
	CU_ASSERT_EQUAL(x->procs_running, 3);
	CU_ASSERT_EQUAL(x->procs_blocked, 2);
	CU_ASSERT_EQUAL(x->psi_some_us[0], 30000);
	CU_ASSERT_EQUAL(x->psi_some_us[1], 0);
	CU_ASSERT_EQUAL(x->psi_some_us[2], 250);
	CU_ASSERT_EQUAL(x->have, ST_DUMP_FAST_CPU | ST_DUMP_FAST_MEM | ST_DUMP_FAST_SWAP |
			ST_DUMP_FAST_PROCS | ST_DUMP_FAST_PSI_CPU | ST_DUMP_FAST_PSI_IO);

	/* As a dump carries it: offset from the trigger sample. */
	struct st_dump_fast d;
	st_fast_record_to_dump(x, 300 * MS, &d);
	CU_ASSERT_EQUAL(d.offset_ns, -200 * MS);
	CU_ASSERT_EQUAL(d.mono_ns, 100 * MS);
	CU_ASSERT_DOUBLE_EQUAL(d.cpu_total_pct, 45.0, 1e-4);
	CU_ASSERT_EQUAL(d.swap_used_kib, 60000);
	CU_ASSERT_EQUAL(d.psi_cpu_some_us, 30000);
	CU_ASSERT_EQUAL(d.psi_io_some_us, 250);
	CU_ASSERT_EQUAL(d.have, x->have);

	/* The next reading is over the 50 ms since this one. */
	put_stat(&r, 260, 70, 900, 60, 10, 1, 0);
	st_fast_ring_take(&r.f, 150 * MS);
	x = st_fast_ring_at(&r.f, 1);
	CU_ASSERT_DOUBLE_EQUAL(x->interval_s, 0.05, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(x->cpu_total_pct, 100.0, 1e-4);
	CU_ASSERT_EQUAL(x->psi_some_us[0], 0);
	rig_close(&r);
}

static void test_wrap_around(void)
{
	struct rig r;
	rig_open(&r, 3);
	for (unsigned i = 1; i <= 5; i++) {
		put_stat(&r, 100 + 10 * i, 50, 800 + 10 * i, 50, 0, i, 0);
		st_fast_ring_take(&r.f, (int64_t)i * 100 * MS);
	}
	CU_ASSERT_EQUAL_FATAL(st_fast_ring_count(&r.f), 3);
	for (uint32_t k = 0; k < 3; k++) {
		CU_ASSERT_EQUAL(st_fast_ring_at(&r.f, k)->mono_ns, (int64_t)(k + 3) * 100 * MS);
		CU_ASSERT_EQUAL(st_fast_ring_at(&r.f, k)->procs_running, k + 3);
		CU_ASSERT_DOUBLE_EQUAL(st_fast_ring_at(&r.f, k)->cpu_total_pct, 50.0, 1e-4);
	}
	rig_close(&r);
}

static void test_broken_stat_skips_and_mends(void)
{
	struct rig r;
	rig_open(&r, 4);
	char log[] = "/tmp/fast_ring_log.XXXXXX";
	int lfd = mkstemp(log);
	CU_ASSERT_FATAL(lfd >= 0);
	close(lfd);
	int saved = st_test_stderr_to(log);
	fake_proc_write(r.fp, "stat", "garbage\n");
	st_fast_ring_take(&r.f, 100 * MS);
	st_fast_ring_take(&r.f, 200 * MS);
	put_stat(&r, 200, 50, 900, 50, 0, 1, 0);
	st_fast_ring_take(&r.f, 300 * MS);
	st_test_stderr_back(saved);
	char *said = st_test_slurp(log);
	unlink(log);
	CU_ASSERT_EQUAL(r.f.failed, 2);
	CU_ASSERT_EQUAL_FATAL(st_fast_ring_count(&r.f), 1);
	/* Over the whole 300 ms since the last good reading. */
	const struct st_fast_record *x = st_fast_ring_at(&r.f, 0);
	CU_ASSERT_DOUBLE_EQUAL(x->interval_s, 0.3, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(x->cpu_total_pct, 50.0, 1e-4);
	/* Said once when it broke, once when it mended. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(said);
	const char *first = strstr(said, "stat: no \"cpu\" line");
	CU_ASSERT_PTR_NOT_NULL(first);
	CU_ASSERT(first && !strstr(first + 1, "stat: no \"cpu\" line"));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "fast readings again"));
	free(said);
	rig_close(&r);
}

static void test_open_refuses_missing_stat(void)
{
	struct fake_proc *fp = fake_proc_new(2, 8000000, 100);
	char path[4096];
	snprintf(path, sizeof(path), "%s/stat", fp->root);
	unlink(path);
	int fd = open(fp->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct st_fast_ring f;
	char err[512] = "";
	CU_ASSERT_EQUAL(st_fast_ring_open(&f, fd, fp->root, 4, 0, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/stat: No such file or directory"));
	CU_ASSERT_PTR_NULL(f.rec);
	st_fast_ring_take(&f, 100 * MS);        /* a closed ring takes nothing */
	CU_ASSERT_EQUAL(st_fast_ring_count(&f), 0);
	close(fd);
	fake_proc_free(fp);
}

static void test_capacity(void)
{
	/* history 60 at 1 s, read at 10 Hz: 600 readings and one at each end */
	CU_ASSERT_EQUAL(st_fast_ring_capacity(60, 1.0, 0.1), 602);
	CU_ASSERT_EQUAL(st_fast_ring_capacity(30, 1.0, 1.0), 32);
	CU_ASSERT_EQUAL(st_fast_ring_capacity(3600, 60, 0.05), ST_FAST_RING_MAX);
	CU_ASSERT_EQUAL(st_fast_ring_capacity(60, 1.0, 0), 0);
	CU_ASSERT_EQUAL(sizeof(struct st_fast_record), 72);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "a reading's figures, exactly", test_figures_exact },
		{ "wrap-around, capacity 3, 5 readings", test_wrap_around },
		{ "a broken stat skips readings, said once, mends", test_broken_stat_skips_and_mends },
		{ "open refuses a tree without stat", test_open_refuses_missing_stat },
		{ "capacity for a history", test_capacity },
		CU_TEST_INFO_NULL,
	};

	return st_test_run("fast_ring", tests);
}
