/*
 * Tests for core/sample/sampler.c on scripted fake /proc trees (tests/fake_proc.h),
 * plus one smoke test on the real /proc. Time in the fake moves only when a
 * test calls fake_proc_advance, so every expected percentage is exact.
 */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "fake_proc.h"
#include "sample/sampler.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HISTORY 5
#define PCT_EPS 0.01

/* A fake tree, a sampler reading it and a small ring. */
struct rig {
	struct fake_proc *fp;
	struct st_sampler s;
	struct st_ring ring;
	long hz;
};

static int rig_open(struct rig *r, unsigned ncores, double boot_s)
{
	char err[256] = "";

	memset(r, 0, sizeof(*r));
	r->fp = fake_proc_new(ncores, 8u << 20, boot_s);
	r->hz = r->fp->hz;
	if (st_sampler_init(&r->s, r->fp->root, err, sizeof(err)) < 0) {
		fprintf(stderr, "st_sampler_init: %s\n", err);
		fake_proc_free(r->fp);
		return -1;
	}
	if (st_ring_init(&r->ring, HISTORY) < 0) {
		st_sampler_destroy(&r->s);
		fake_proc_free(r->fp);
		return -1;
	}
	return 0;
}

/* The rig of the last take(): whose process table find_proc reads. */
static const struct rig *taken_by;

static void rig_close(struct rig *r)
{
	if (taken_by == r)
		taken_by = NULL;
	st_ring_destroy(&r->ring);
	st_sampler_destroy(&r->s);
	fake_proc_free(r->fp);
}

static const struct st_sample *take(struct rig *r)
{
	taken_by = r;
	if (st_sampler_take(&r->s, &r->ring) < 0)
		return NULL;
	return st_ring_newest(&r->ring);
}

/* A sample's record of pid: who a record is, is its info. */
static const struct st_proc_sample *find_proc_in(const struct st_proc_table *t,
						 const struct st_sample *smp, int32_t pid)
{
	for (uint32_t i = 0; smp && i < smp->nprocs; i++)
		if (smp->procs[i].info < t->nslots && t->infos[smp->procs[i].info].pid == pid)
			return &smp->procs[i];
	return NULL;
}

static const struct st_proc_sample *find_proc(const struct st_sample *smp, int32_t pid)
{
	return taken_by ? find_proc_in(&taken_by->s.table, smp, pid) : NULL;
}

static const struct st_proc_info *info_of(const struct rig *r,
					  const struct st_proc_sample *p)
{
	struct st_history h;

	st_sampler_history(&r->s, &r->ring, &h);
	CU_ASSERT_FATAL(p->info < h.ninfos);
	return &h.infos[p->info];
}

/* A process that started ago_s seconds before "now" in the fake. */
static struct fake_process started(struct rig *r, int32_t pid, const char *comm,
				   double ago_s)
{
	struct fake_process p = fake_process_make(r->fp, pid, comm);

	p.start_ticks = r->fp->elapsed_ticks - (uint64_t)(ago_s * (double)r->hz);
	return p;
}

/* ------------------------------------------------------------ processes */

static void test_first_sample_average_since_start(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	/* 5 s of CPU in the 10 s since it started: 50% (500 ticks at HZ 100) */
	struct fake_process busy = started(&r, 100, "busy", 10);
	busy.utime = 5 * r.hz;
	busy.ppid = 42;
	busy.state = 'R';
	fake_proc_put(r.fp, &busy);
	/* 3 s user + 3 s system in 2 s on 4 cores: 300% of one core */
	struct fake_process multi = started(&r, 101, "multi", 2);
	multi.utime = 3 * r.hz;
	multi.stime = 3 * r.hz;
	fake_proc_put(r.fp, &multi);
	struct fake_process idle = started(&r, 102, "idle", 30);
	fake_proc_put(r.fp, &idle);

	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->seq, 1);
	CU_ASSERT_EQUAL(s->interval_s, 0);
	CU_ASSERT_DOUBLE_EQUAL(s->uptime_s, 100, PCT_EPS);
	CU_ASSERT_EQUAL(s->nprocs, 3);
	CU_ASSERT_EQUAL(s->ncores, 4);
	CU_ASSERT(s->mono_ns > 0);
	CU_ASSERT(s->wall_ns > 0);
	for (uint32_t i = 0; i < s->nprocs; i++) {
		CU_ASSERT(s->procs[i].flags & ST_PROC_NEW);
		CU_ASSERT_EQUAL(s->procs[i].children_cpu_pct, 0);
	}

	const struct st_proc_sample *p = find_proc(s, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_DOUBLE_EQUAL(p->cpu_pct, 50, PCT_EPS);
	CU_ASSERT_EQUAL(p->state, 'R');
	CU_ASSERT_EQUAL(p->rss_kib, 256 * (sysconf(_SC_PAGESIZE) / 1024));
	const struct st_proc_info *info = info_of(&r, p);
	CU_ASSERT_EQUAL(info->pid, 100);
	CU_ASSERT_EQUAL(info->ppid, 42);
	CU_ASSERT_EQUAL(info->start_ticks, busy.start_ticks);
	CU_ASSERT_EQUAL(info->first_seen_seq, 1);
	CU_ASSERT_STRING_EQUAL(info->comm, "busy");

	p = find_proc(s, 101);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_DOUBLE_EQUAL(p->cpu_pct, 300, PCT_EPS);
	p = find_proc(s, 102);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->cpu_pct, 0);
	rig_close(&r);
}

static void test_second_sample_interval_cpu(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	struct fake_process a = started(&r, 100, "a", 10);
	a.utime = 5 * r.hz;
	a.minflt = 1000;
	a.majflt = 10;
	fake_proc_put(r.fp, &a);
	struct fake_process b = started(&r, 200, "b", 10);
	fake_proc_put(r.fp, &b);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	uint32_t a_info = find_proc(s, 100)->info;

	/* One second: a burns a whole core (+100 ticks at HZ 100), b three. */
	a.utime += r.hz;
	a.minflt += 7;
	a.majflt += 2;
	b.utime += 2 * r.hz;
	b.stime += r.hz;
	fake_proc_put(r.fp, &a);
	fake_proc_put(r.fp, &b);
	r.fp->busy_ticks += 4 * r.hz;
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->seq, 2);
	CU_ASSERT(s->interval_s >= 0);

	const struct st_proc_sample *p = find_proc(s, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->flags & ST_PROC_NEW, 0);
	CU_ASSERT_EQUAL(p->info, a_info);
	/* percent of ONE core on a 4-core machine, not 25 */
	CU_ASSERT_DOUBLE_EQUAL(p->cpu_pct, 100, PCT_EPS);
	CU_ASSERT_EQUAL(p->minflt_delta, 7);
	CU_ASSERT_EQUAL(p->majflt_delta, 2);
	CU_ASSERT_EQUAL(info_of(&r, p)->first_seen_seq, 1);

	p = find_proc(s, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_DOUBLE_EQUAL(p->cpu_pct, 300, PCT_EPS);

	/* A quiet second: back to 0. */
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(find_proc(s, 100)->cpu_pct, 0);
	CU_ASSERT_EQUAL(find_proc(s, 100)->minflt_delta, 0);
	rig_close(&r);
}

static void test_children_cpu(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	struct fake_process make = started(&r, 300, "make", 20);
	make.cutime = 40 * r.hz;        /* history before we looked: not a delta */
	make.cstime = 10 * r.hz;
	fake_proc_put(r.fp, &make);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(find_proc(s, 300)->children_cpu_pct, 0);

	/* Reaped compilers: 1.5 s user + 0.5 s system of children in 1 s. */
	make.cutime += 3 * r.hz / 2;
	make.cstime += r.hz / 2;
	fake_proc_put(r.fp, &make);
	r.fp->busy_ticks += 2 * r.hz;
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	const struct st_proc_sample *p = find_proc(s, 300);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_DOUBLE_EQUAL(p->children_cpu_pct, 200, PCT_EPS);
	CU_ASSERT_EQUAL(p->cpu_pct, 0);         /* make itself only waited */
	rig_close(&r);
}

static void test_comm_with_spaces_parens_newline(void)
{
	struct rig r;
	const char *weird = "a b) c\nd";
	const char *parens = ") (";

	CU_ASSERT_FATAL(rig_open(&r, 2, 100) == 0);
	struct fake_process p1 = started(&r, 400, weird, 10);
	p1.utime = r.hz;                /* 10% */
	p1.state = 'D';
	fake_proc_put(r.fp, &p1);
	struct fake_process p2 = started(&r, 401, parens, 10);
	p2.state = 'Z';
	fake_proc_put(r.fp, &p2);

	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->nprocs, 2);
	const struct st_proc_sample *p = find_proc(s, 400);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(info_of(&r, p)->comm, weird);
	/* the fields after comm are read from after the LAST ')' */
	CU_ASSERT_EQUAL(p->state, 'D');
	CU_ASSERT_DOUBLE_EQUAL(p->cpu_pct, 10, PCT_EPS);
	CU_ASSERT_EQUAL(info_of(&r, p)->start_ticks, p1.start_ticks);
	p = find_proc(s, 401);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(info_of(&r, p)->comm, parens);
	CU_ASSERT_EQUAL(p->state, 'Z');

	/* comm changes on exec: the info follows */
	snprintf(p2.comm, sizeof(p2.comm), "renamed (x)");
	fake_proc_put(r.fp, &p2);
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	p = find_proc(s, 401);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(info_of(&r, p)->comm, "renamed (x)");
	rig_close(&r);
}

static void test_removed_process(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 2, 100) == 0);
	struct fake_process stay = started(&r, 500, "stay", 10);
	struct fake_process gone = started(&r, 501, "gone", 10);
	fake_proc_put(r.fp, &stay);
	fake_proc_put(r.fp, &gone);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->nprocs, 2);
	const struct st_proc_sample *p = find_proc(s, 501);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	uint32_t gone_info = p->info;

	fake_proc_remove(r.fp, 501);
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->nprocs, 1);
	CU_ASSERT_PTR_NULL(find_proc(s, 501));
	CU_ASSERT_PTR_NOT_NULL(find_proc(s, 500));
	CU_ASSERT_EQUAL(st_proc_table_find(&r.s.table, 501), ST_PROC_NONE);
	CU_ASSERT_EQUAL(r.s.table.nalive, 1);

	/* New processes arrive while sample 1 is still in the ring, more than
	 * the table's free slots: none may take the dead process's slot. */
	for (int32_t pid = 1000; pid < 1300; pid++) {
		struct fake_process n = started(&r, pid, "newcomer", 1);
		fake_proc_put(r.fp, &n);
		if (pid % 100 == 99) {  /* seq 3, 4, 5 */
			fake_proc_advance(r.fp, 1.0);
			CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
		}
	}
	CU_ASSERT_EQUAL(r.s.table.nalive, 301);
	/* seq 1..5 in the ring: the old record still names the old process */
	CU_ASSERT_EQUAL(r.ring.count, HISTORY);
	const struct st_sample *old = st_ring_at(&r.ring, 0);
	CU_ASSERT_EQUAL_FATAL(old->seq, 1);
	p = find_proc(old, 501);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->info, gone_info);
	struct st_history h;
	st_sampler_history(&r.s, &r.ring, &h);
	CU_ASSERT_EQUAL(h.count, HISTORY);
	CU_ASSERT_PTR_EQUAL(h.samples[0], old);
	CU_ASSERT(gone_info < h.ninfos);
	CU_ASSERT_EQUAL(h.infos[gone_info].pid, 501);
	CU_ASSERT_STRING_EQUAL(h.infos[gone_info].comm, "gone");
	CU_ASSERT_EQUAL(h.infos[gone_info].start_ticks, gone.start_ticks);
	CU_ASSERT_EQUAL(h.clock_ticks, r.hz);

	/* Once sample 1 leaves the ring the slot may be reused. */
	fake_proc_advance(r.fp, 1.0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	CU_ASSERT_EQUAL(st_ring_at(&r.ring, 0)->seq, 2);
	CU_ASSERT_EQUAL(r.s.table.tracks[gone_info].used, 0);
	rig_close(&r);
}

static void test_pid_reuse_new_identity(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	struct fake_process old = started(&r, 700, "old", 50);
	old.utime = 20 * r.hz;          /* 40% over its life */
	old.cutime = 5 * r.hz;
	old.minflt = 100000;
	fake_proc_put(r.fp, &old);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	const struct st_proc_sample *p = find_proc(s, 700);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_DOUBLE_EQUAL(p->cpu_pct, 40, PCT_EPS);
	uint32_t old_info = p->info;

	/* The pid now belongs to a process started half a second ago that has
	 * used a quarter second: 50% since its own start. Its counters are
	 * lower than the old ones; inheriting them would read 0. */
	fake_proc_advance(r.fp, 1.0);
	struct fake_process young = started(&r, 700, "young", 0.5);
	young.utime = (uint64_t)r.hz / 4;
	young.minflt = 10;
	fake_proc_put(r.fp, &young);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->nprocs, 1);
	p = find_proc(s, 700);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(p->flags & ST_PROC_NEW);
	CU_ASSERT_DOUBLE_EQUAL(p->cpu_pct, 50, PCT_EPS);
	CU_ASSERT_EQUAL(p->children_cpu_pct, 0);
	CU_ASSERT_EQUAL(p->minflt_delta, 0);
	CU_ASSERT_NOT_EQUAL(p->info, old_info);
	const struct st_proc_info *info = info_of(&r, p);
	CU_ASSERT_EQUAL(info->start_ticks, young.start_ticks);
	CU_ASSERT_EQUAL(info->first_seen_seq, 2);
	CU_ASSERT_STRING_EQUAL(info->comm, "young");

	/* The first sample still describes the old process. */
	p = find_proc(st_ring_at(&r.ring, 0), 700);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->info, old_info);
	CU_ASSERT_EQUAL(info_of(&r, p)->start_ticks, old.start_ticks);
	CU_ASSERT_STRING_EQUAL(info_of(&r, p)->comm, "old");

	/* From now on the young one is measured against its own counters. */
	young.utime += r.hz / 2;
	fake_proc_put(r.fp, &young);
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	p = find_proc(s, 700);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->flags & ST_PROC_NEW, 0);
	CU_ASSERT_DOUBLE_EQUAL(p->cpu_pct, 50, PCT_EPS);
	rig_close(&r);
}

static void test_process_counters_backwards(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	struct fake_process p = started(&r, 800, "odd", 20);
	p.utime = 10 * r.hz;
	p.stime = 2 * r.hz;
	p.cutime = 5 * r.hz;
	p.minflt = 1000;
	p.majflt = 50;
	fake_proc_put(r.fp, &p);
	/* Garbage figures: started in the future, or more CPU than exists. */
	struct fake_process future = fake_process_make(r.fp, 801, "future");
	future.start_ticks = r.fp->elapsed_ticks + 10 * r.hz;
	future.utime = r.hz;
	fake_proc_put(r.fp, &future);
	struct fake_process hog = started(&r, 802, "hog", 1);
	hog.utime = 100 * r.hz;
	fake_proc_put(r.fp, &hog);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	const struct st_proc_sample *rec = find_proc(s, 801);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
	CU_ASSERT(isfinite(rec->cpu_pct));
	CU_ASSERT(rec->cpu_pct >= 0);
	rec = find_proc(s, 802);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
	CU_ASSERT(isfinite(rec->cpu_pct));
	CU_ASSERT(rec->cpu_pct >= 0 && rec->cpu_pct <= 400);

	p.utime = 2 * r.hz;
	p.stime = r.hz;
	p.cutime = r.hz;
	p.minflt = 10;
	p.majflt = 1;
	fake_proc_put(r.fp, &p);
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	rec = find_proc(s, 800);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
	CU_ASSERT_EQUAL(rec->flags & ST_PROC_NEW, 0);
	CU_ASSERT(isfinite(rec->cpu_pct));
	CU_ASSERT_EQUAL(rec->cpu_pct, 0);
	CU_ASSERT(isfinite(rec->children_cpu_pct));
	CU_ASSERT_EQUAL(rec->children_cpu_pct, 0);
	CU_ASSERT_EQUAL(rec->minflt_delta, 0);
	CU_ASSERT_EQUAL(rec->majflt_delta, 0);
	for (uint32_t i = 0; i < s->nprocs; i++)
		CU_ASSERT(isfinite(s->procs[i].cpu_pct) && s->procs[i].cpu_pct >= 0);

	/* Measurement resumes from the lowered counters. */
	p.utime += r.hz;
	fake_proc_put(r.fp, &p);
	r.fp->busy_ticks += r.hz;
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_DOUBLE_EQUAL(find_proc(s, 800)->cpu_pct, 100, PCT_EPS);
	rig_close(&r);
}

static void test_malformed_pid_stat_skipped(void)
{
	struct rig r;
	char big[2001];

	CU_ASSERT_FATAL(rig_open(&r, 2, 100) == 0);
	struct fake_process good = started(&r, 900, "good", 10);
	good.utime = r.hz;
	fake_proc_put(r.fp, &good);
	fake_proc_write(r.fp, "901/stat", "garbage");
	fake_proc_write(r.fp, "902/stat", "");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fake_proc_write(r.fp, "903/stat", big);
	fake_proc_write(r.fp, "904/stat", "904 (truncated) S 1 2");
	/* not processes at all */
	fake_proc_write(r.fp, "self/stat", "garbage");
	fake_proc_write(r.fp, "4294967296/stat", "garbage");
	fake_proc_write(r.fp, "905x/stat", "garbage");

	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->nprocs, 1);
	CU_ASSERT_PTR_NOT_NULL(find_proc(s, 900));
	CU_ASSERT_EQUAL(r.s.malformed, 3);      /* 901, 903, 904 */
	CU_ASSERT_EQUAL(r.s.table.nalive, 1);

	/* Sampling goes on; a file that becomes valid is picked up. */
	struct fake_process fixed = started(&r, 901, "fixed", 10);
	fake_proc_put(r.fp, &fixed);
	good.utime += r.hz;
	fake_proc_put(r.fp, &good);
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->nprocs, 2);
	CU_ASSERT_DOUBLE_EQUAL(find_proc(s, 900)->cpu_pct, 100, PCT_EPS);
	const struct st_proc_sample *p = find_proc(s, 901);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(p->flags & ST_PROC_NEW);

	/* A known process whose file turns to garbage drops out. */
	fake_proc_write(r.fp, "900/stat", "900 (good) ???");
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NULL(find_proc(s, 900));
	CU_ASSERT_PTR_NOT_NULL(find_proc(s, 901));
	rig_close(&r);
}

/* Many processes: the table and its hash grow, then half the processes go
 * and others come (hash deletions), and every record still maps to the
 * right identity. */
static void test_many_processes(void)
{
	struct rig r;
	enum { N = 700 };

	CU_ASSERT_FATAL(rig_open(&r, 8, 1000) == 0);
	for (int32_t i = 0; i < N; i++) {
		struct fake_process p = started(&r, 1000 + i, "worker", 100);
		p.utime = (uint64_t)i;  /* distinct, so records are checkable */
		fake_proc_put(r.fp, &p);
	}
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->nprocs, N);
	CU_ASSERT_EQUAL(r.s.table.nalive, N);

	for (int32_t i = 0; i < N; i += 2)
		fake_proc_remove(r.fp, 1000 + i);
	for (int32_t i = 0; i < N / 2; i++) {
		struct fake_process p = started(&r, 5000 + i * 7, "late", 1);
		fake_proc_put(r.fp, &p);
	}
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->nprocs, N);
	CU_ASSERT_EQUAL(r.s.table.nalive, N);

	struct st_history h;
	st_sampler_history(&r.s, &r.ring, &h);
	unsigned wrong = 0, olds = 0, news = 0;
	for (uint32_t i = 0; i < s->nprocs; i++) {
		const struct st_proc_sample *p = &s->procs[i];
		if (p->info >= h.ninfos) {
			wrong++;
			continue;
		}
		int32_t pid = h.infos[p->info].pid;
		if (pid < 5000 && (pid % 2) == 1 && !(p->flags & ST_PROC_NEW))
			olds++;
		else if (pid >= 5000 && (p->flags & ST_PROC_NEW))
			news++;
		CU_ASSERT_EQUAL(st_proc_table_find(&r.s.table, pid), p->info);
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(olds, N / 2);
	CU_ASSERT_EQUAL(news, N / 2);
	for (int32_t i = 0; i < N; i += 2)
		CU_ASSERT_EQUAL(st_proc_table_find(&r.s.table, 1000 + i), ST_PROC_NONE);
	rig_close(&r);
}

/* --------------------------------------------------------------- system */

static void test_missing_system_files_at_init(void)
{
	struct fake_proc *fp = fake_proc_new(2, 1 << 20, 100);
	struct st_sampler s;
	char err[512] = "", want[512];

	/* /proc/stat */
	snprintf(want, sizeof(want), "%s/stat", fp->root);
	CU_ASSERT_EQUAL_FATAL(unlink(want), 0);
	CU_ASSERT_EQUAL(st_sampler_init(&s, fp->root, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));

	/* /proc/meminfo */
	fake_proc_advance(fp, 1);       /* rewrites stat */
	snprintf(want, sizeof(want), "%s/meminfo", fp->root);
	CU_ASSERT_EQUAL_FATAL(unlink(want), 0);
	err[0] = '\0';
	CU_ASSERT_EQUAL(st_sampler_init(&s, fp->root, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));

	/* the root itself */
	snprintf(want, sizeof(want), "%s/nonexistent", fp->root);
	err[0] = '\0';
	CU_ASSERT_EQUAL(st_sampler_init(&s, want, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	fake_proc_free(fp);
}

/* uptime is optional: without it a new process's average is unknown (0). */
static void test_missing_uptime(void)
{
	struct fake_proc *fp = fake_proc_new(2, 1 << 20, 100);
	struct st_sampler s;
	struct st_ring ring;
	char err[512] = "", path[512];

	snprintf(path, sizeof(path), "%s/uptime", fp->root);
	CU_ASSERT_EQUAL_FATAL(unlink(path), 0);
	CU_ASSERT_EQUAL_FATAL(st_sampler_init(&s, fp->root, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(st_ring_init(&ring, HISTORY), 0);
	struct fake_process p = fake_process_make(fp, 10, "x");
	p.start_ticks -= 10 * (uint64_t)fp->hz;
	p.utime = 5 * (uint64_t)fp->hz;
	fake_proc_put(fp, &p);
	CU_ASSERT_EQUAL_FATAL(st_sampler_take(&s, &ring), 0);
	const struct st_sample *smp = st_ring_newest(&ring);
	CU_ASSERT_EQUAL(smp->uptime_s, 0);
	CU_ASSERT_EQUAL(smp->nprocs, 1);
	CU_ASSERT_EQUAL(smp->procs[0].cpu_pct, 0);
	st_ring_destroy(&ring);
	st_sampler_destroy(&s);
	fake_proc_free(fp);
}

static void test_meminfo_without_memavailable(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 2, 100) == 0);
	fake_proc_write(r.fp, "meminfo",
			"MemTotal:        1000 kB\nMemFree:          300 kB\n"
			"Buffers:          100 kB\nCached:           200 kB\n");
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(s->have & ST_HAVE_MEM);
	CU_ASSERT_EQUAL(s->have & ST_HAVE_MEMAVAIL, 0);
	CU_ASSERT_EQUAL(s->have & ST_HAVE_SWAP, 0);
	CU_ASSERT_EQUAL(s->mem_total_kib, 1000);
	CU_ASSERT_EQUAL(s->mem_free_kib, 300);
	/* old kernels: MemFree stands in, never more than what is free */
	CU_ASSERT_EQUAL(s->mem_available_kib, 300);
	rig_close(&r);
}

static void test_meminfo_full(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 2, 100) == 0);
	fake_proc_set_memory(r.fp, 3u << 20, 2u << 20, 1u << 20);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->have & (ST_HAVE_CPU | ST_HAVE_MEM | ST_HAVE_MEMAVAIL | ST_HAVE_SWAP),
			ST_HAVE_CPU | ST_HAVE_MEM | ST_HAVE_MEMAVAIL | ST_HAVE_SWAP);
	CU_ASSERT_EQUAL(s->mem_total_kib, 8u << 20);
	CU_ASSERT_EQUAL(s->mem_available_kib, 3u << 20);
	CU_ASSERT_EQUAL(s->swap_total_kib, 2u << 20);
	CU_ASSERT_EQUAL(s->swap_free_kib, 1u << 20);

	/* available memory falls by 1 GiB */
	fake_proc_set_memory(r.fp, 2u << 20, 2u << 20, 1u << 20);
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->mem_available_kib, 2u << 20);
	rig_close(&r);
}

static void test_system_cpu_split(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* nothing to compare the first reading with */
	CU_ASSERT_EQUAL(s->cpu_total_pct, 0);
	CU_ASSERT_EQUAL(s->ncores, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->core_busy_pct);
	for (uint32_t i = 0; i < s->ncores; i++)
		CU_ASSERT_EQUAL(s->core_busy_pct[i], 0);

	/* one core's worth of 4 busy for a second: 25% of the machine,
	 * spread evenly by the fake over the cores */
	r.fp->busy_ticks += r.hz;
	r.fp->forks += 5;
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(s->have & ST_HAVE_CPU);
	CU_ASSERT_DOUBLE_EQUAL(s->cpu_total_pct, 25, PCT_EPS);
	CU_ASSERT_DOUBLE_EQUAL(s->cpu_user_pct, 25, PCT_EPS);
	CU_ASSERT_EQUAL(s->cpu_system_pct, 0);
	CU_ASSERT_EQUAL(s->cpu_iowait_pct, 0);
	CU_ASSERT_EQUAL(s->cpu_steal_pct, 0);
	for (uint32_t i = 0; i < s->ncores; i++)
		CU_ASSERT_DOUBLE_EQUAL(s->core_busy_pct[i], 25, PCT_EPS);
	CU_ASSERT_EQUAL(s->forks_delta, 5);
	CU_ASSERT_EQUAL(s->procs_running, 1);
	CU_ASSERT_EQUAL(s->procs_blocked, 0);
	rig_close(&r);
}

static void test_system_counters_backwards(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 1, 100) == 0);
	fake_proc_write(r.fp, "stat",
			"cpu  100 0 100 1000 500 0 0 0 0 0\n"
			"cpu0 100 0 100 1000 500 0 0 0 0 0\n"
			"processes 1000\nprocs_running 2\nprocs_blocked 1\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	/* iowait and the fork count go backwards; the rest moves on */
	fake_proc_write(r.fp, "stat",
			"cpu  150 0 150 1300 200 0 0 0 0 0\n"
			"cpu0 150 0 150 1300 200 0 0 0 0 0\n"
			"processes 900\nprocs_running 3\nprocs_blocked 0\n");
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	float figs[] = { s->cpu_total_pct, s->cpu_user_pct, s->cpu_system_pct,
			 s->cpu_iowait_pct, s->cpu_steal_pct, s->core_busy_pct[0] };
	for (size_t i = 0; i < sizeof(figs) / sizeof(figs[0]); i++)
		CU_ASSERT(isfinite(figs[i]) && figs[i] >= 0 && figs[i] <= 100);
	CU_ASSERT_EQUAL(s->cpu_iowait_pct, 0);
	/* 100 busy of 400 counted ticks (iowait's backward step counts as 0) */
	CU_ASSERT_DOUBLE_EQUAL(s->cpu_total_pct, 25, PCT_EPS);
	CU_ASSERT_DOUBLE_EQUAL(s->cpu_user_pct, 12.5, PCT_EPS);
	CU_ASSERT_DOUBLE_EQUAL(s->cpu_system_pct, 12.5, PCT_EPS);
	CU_ASSERT_DOUBLE_EQUAL(s->core_busy_pct[0], 25, PCT_EPS);
	CU_ASSERT_EQUAL(s->forks_delta, 0);
	CU_ASSERT_EQUAL(s->procs_running, 3);
	rig_close(&r);
}

/*
 * A process's cpu_pct is measured over the growth of /proc/stat. When
 * iowait steps back, that growth must count the step as no change (as the
 * system figures do), or the interval shrinks and the process looks busier
 * than it was. Here: 4 cores, one real second; the process burns exactly
 * one core; iowait steps back by two seconds' worth.
 */
static void test_process_cpu_when_iowait_backwards(void)
{
	struct rig r;
	char buf[512];
	long hz;

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	hz = r.hz;
	snprintf(buf, sizeof(buf), "cpu  0 0 0 %ld %ld 0 0 0 0 0\n"
		 "cpu0 0 0 0 %ld %ld 0 0 0 0 0\ncpu1 0 0 0 %ld 0 0 0 0 0 0\n"
		 "cpu2 0 0 0 %ld 0 0 0 0 0 0\ncpu3 0 0 0 %ld 0 0 0 0 0 0\n",
		 400 * hz, 4 * hz, 100 * hz, 4 * hz, 100 * hz, 100 * hz, 100 * hz);
	fake_proc_write(r.fp, "stat", buf);
	struct fake_process p = started(&r, 100, "burner", 10);
	fake_proc_put(r.fp, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));

	p.utime += hz;
	fake_proc_put(r.fp, &p);
	snprintf(buf, sizeof(buf), "cpu  %ld 0 0 %ld %ld 0 0 0 0 0\n"
		 "cpu0 %ld 0 0 %ld %ld 0 0 0 0 0\ncpu1 0 0 0 %ld 0 0 0 0 0 0\n"
		 "cpu2 0 0 0 %ld 0 0 0 0 0 0\ncpu3 0 0 0 %ld 0 0 0 0 0 0\n",
		 hz, 403 * hz, 2 * hz, hz, 100 * hz, 2 * hz, 101 * hz, 101 * hz, 101 * hz);
	fake_proc_write(r.fp, "stat", buf);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	const struct st_proc_sample *rec = find_proc(s, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
	CU_ASSERT_DOUBLE_EQUAL(rec->cpu_pct, 100, PCT_EPS);
	rig_close(&r);
}

/* A tick whose /proc/stat cannot be read leaves the history as it was:
 * a detector or a dump must never see a half-filled sample. */
static void test_failed_take_leaves_ring_unchanged(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 2, 100) == 0);
	struct fake_process p = started(&r, 100, "x", 10);
	fake_proc_put(r.fp, &p);
	for (int i = 0; i < HISTORY; i++) {
		fake_proc_advance(r.fp, 1.0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	}
	CU_ASSERT_EQUAL_FATAL(r.ring.count, HISTORY);
	CU_ASSERT_EQUAL_FATAL(st_ring_at(&r.ring, 0)->seq, 1);

	fake_proc_write(r.fp, "stat", "no cpu line here\n");
	CU_ASSERT_EQUAL(st_sampler_take(&r.s, &r.ring), -1);
	CU_ASSERT_EQUAL(r.ring.count, HISTORY);
	CU_ASSERT_EQUAL(st_ring_newest(&r.ring)->seq, HISTORY);
	CU_ASSERT_EQUAL(st_ring_at(&r.ring, 0)->seq, 1);
	CU_ASSERT_EQUAL(st_ring_at(&r.ring, 0)->nprocs, 1);
	CU_ASSERT_EQUAL(st_ring_find_seq(&r.ring, 1), 0);
	CU_ASSERT_EQUAL(st_ring_find_seq(&r.ring, HISTORY), HISTORY - 1);

	/* and the next good tick carries on from there */
	fake_proc_advance(r.fp, 1.0);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->seq, HISTORY + 1);
	CU_ASSERT_EQUAL(s->nprocs, 1);
	CU_ASSERT_EQUAL(st_ring_at(&r.ring, 0)->seq, 2);
	rig_close(&r);
}

/* ------------------------------------------------------------ real /proc */

static void test_real_proc_smoke(void)
{
	struct st_sampler s;
	struct st_ring ring;
	char err[256] = "", comm[ST_COMM_MAX] = "";
	FILE *f = fopen("/proc/self/comm", "r");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	if (fgets(comm, sizeof(comm), f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);

	CU_ASSERT_EQUAL_FATAL(st_sampler_init(&s, "/proc", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(st_ring_init(&ring, HISTORY), 0);
	CU_ASSERT_EQUAL(st_sampler_take(&s, &ring), 0);
	usleep(100 * 1000);
	CU_ASSERT_EQUAL(st_sampler_take(&s, &ring), 0);
	const struct st_sample *smp = st_ring_newest(&ring);
	CU_ASSERT_PTR_NOT_NULL_FATAL(smp);
	CU_ASSERT_EQUAL(smp->seq, 2);
	CU_ASSERT(smp->interval_s >= 0.09);
	CU_ASSERT(smp->ncores >= 1);
	CU_ASSERT(smp->nprocs >= 1);
	CU_ASSERT(smp->mem_total_kib > 0);
	CU_ASSERT(smp->uptime_s > 0);
	CU_ASSERT((smp->have & (ST_HAVE_CPU | ST_HAVE_MEM)) == (ST_HAVE_CPU | ST_HAVE_MEM));
	CU_ASSERT(isfinite(smp->cpu_total_pct) && smp->cpu_total_pct >= 0 &&
		  smp->cpu_total_pct <= 100);

	const struct st_proc_sample *me = find_proc_in(&s.table, smp, getpid());
	CU_ASSERT_PTR_NOT_NULL_FATAL(me);
	CU_ASSERT_EQUAL(me->flags & ST_PROC_NEW, 0);
	CU_ASSERT(me->rss_kib > 0);
	CU_ASSERT(me->state == 'R' || me->state == 'S');
	struct st_history h;
	st_sampler_history(&s, &ring, &h);
	CU_ASSERT_FATAL(me->info < h.ninfos);
	CU_ASSERT_EQUAL(h.infos[me->info].pid, getpid());
	CU_ASSERT_EQUAL(h.infos[me->info].ppid, getppid());
	CU_ASSERT_STRING_EQUAL(h.infos[me->info].comm, comm);
	for (uint32_t i = 0; i < smp->nprocs; i++)
		CU_ASSERT(isfinite(smp->procs[i].cpu_pct) && smp->procs[i].cpu_pct >= 0);
	st_ring_destroy(&ring);
	st_sampler_destroy(&s);
}

/*
 * The kernel part of a process's CPU (stime of utime + stime) over the
 * interval, and its block I/O wait (stat field 42); threads and vsize as
 * last read, in its track.
 */
static void test_cpu_split_and_blkio(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	/* 3 s user + 1 s system in its 10 s: 40%, a quarter of it kernel */
	struct fake_process a = started(&r, 100, "a", 10);
	a.utime = 3 * r.hz;
	a.stime = r.hz;
	a.blkio_ticks = 20;
	a.threads = 7;
	a.vsize = 5ull << 40;       /* 5 TiB: more than 32 bits of KiB */
	fake_proc_put(r.fp, &a);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	const struct st_proc_sample *p = find_proc(s, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(p->flags & ST_PROC_NEW);
	CU_ASSERT_DOUBLE_EQUAL(p->cpu_pct, 40, PCT_EPS);
	CU_ASSERT_EQUAL(p->system_share, 64);   /* 255 / 4, rounded */
	CU_ASSERT_DOUBLE_EQUAL(ST_PROC_SYSTEM_PCT(p), 10, 0.1);
	CU_ASSERT(p->have & ST_PROC_HAVE_BLKIO);
	CU_ASSERT_EQUAL(p->blkio_delay_ticks, 0);   /* no interval yet */
	const struct st_proc_track *tr = &r.s.table.tracks[p->info];
	CU_ASSERT_EQUAL(tr->threads, 7);
	CU_ASSERT_EQUAL(tr->vsize_kib, (5ull << 40) / 1024);

	/* One second: 0.2 s user, 0.6 s system, 0.5 s waiting for the disk;
	 * a new process 10 s old waited 3 s of them, all its CPU kernel. */
	a.utime += r.hz / 5;
	a.stime += r.hz * 3 / 5;
	a.blkio_ticks += (uint64_t)r.hz / 2;
	a.threads = 9;
	fake_proc_put(r.fp, &a);
	struct fake_process b = started(&r, 200, "b", 9);
	b.stime = r.hz;
	b.blkio_ticks = 3 * (uint64_t)r.hz;
	fake_proc_put(r.fp, &b);
	r.fp->busy_ticks += r.hz * 4 / 5;
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	p = find_proc(s, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->flags & (ST_PROC_NEW | ST_PROC_CARRIED), 0);
	CU_ASSERT_DOUBLE_EQUAL(p->cpu_pct, 80, PCT_EPS);
	CU_ASSERT_EQUAL(p->system_share, 191);  /* 3/4 of 255, rounded */
	CU_ASSERT_DOUBLE_EQUAL(ST_PROC_SYSTEM_PCT(p), 60, 0.2);
	CU_ASSERT(p->have & ST_PROC_HAVE_BLKIO);
	CU_ASSERT_EQUAL(p->blkio_delay_ticks, r.hz / 2);
	CU_ASSERT_EQUAL(r.s.table.tracks[p->info].threads, 9);
	p = find_proc(s, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(p->flags & ST_PROC_NEW);
	CU_ASSERT_EQUAL(p->system_share, 255);
	/* its since-start average: 3 s of 10, as much of this 1 s interval */
	CU_ASSERT_EQUAL(p->blkio_delay_ticks, r.hz * 3 / 10);

	/* The counter steps back (it cannot): no wait, and no split from a
	 * stime that went backwards. */
	a.stime -= r.hz;
	a.utime += r.hz / 2;
	a.blkio_ticks -= 10;
	fake_proc_put(r.fp, &a);
	r.fp->busy_ticks += r.hz / 2;
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	p = find_proc(s, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->flags & ST_PROC_CARRIED, 0);
	CU_ASSERT_EQUAL(p->blkio_delay_ticks, 0);
	CU_ASSERT_EQUAL(p->system_share, 0);
	rig_close(&r);
}

/* A kernel whose stat line ends before field 42 (before 2.6.18): the
 * record is made, its wait unknown, its split measured. */
static void test_stat_without_blkio(void)
{
	struct rig r;
	char line[256];

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	uint64_t start = r.fp->elapsed_ticks - 10 * (uint64_t)r.hz;
	snprintf(line, sizeof(line),
		 "300 (old) S 1 300 300 0 -1 0 0 0 0 0 %ld %ld 0 0 20 0 3 0 %llu 4096000 100\n",
		 r.hz, r.hz, (unsigned long long)start);
	fake_proc_write(r.fp, "300/stat", line);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	const struct st_proc_sample *p = find_proc(s, 300);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_DOUBLE_EQUAL(p->cpu_pct, 20, PCT_EPS);
	CU_ASSERT_EQUAL(p->system_share, 128);
	CU_ASSERT_EQUAL(p->have & ST_PROC_HAVE_BLKIO, 0);
	CU_ASSERT_EQUAL(p->blkio_delay_ticks, 0);
	CU_ASSERT_EQUAL(r.s.table.tracks[p->info].threads, 3);
	CU_ASSERT_EQUAL(r.s.table.tracks[p->info].vsize_kib, 4000);
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	p = find_proc(s, 300);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->have & ST_PROC_HAVE_BLKIO, 0);
	CU_ASSERT_EQUAL(p->blkio_delay_ticks, 0);
	rig_close(&r);
}

/* ------------------------------------------------------------ read policy */

#define QUIET_PROCS 24

/* QUIET_PROCS idle processes (pids 1000..), sampled until every one is
 * quiet: after this, a tick reads only what may have changed. Tests then
 * change the fake, advance its clock (which writes /proc/stat) and take. */
static void quiet_machine(struct rig *r, struct fake_process *p)
{
	for (int i = 0; i < QUIET_PROCS; i++) {
		char comm[16];
		snprintf(comm, sizeof(comm), "idle%d", i);
		p[i] = started(r, 1000 + i, comm, 50);
		fake_proc_put(r->fp, &p[i]);
	}
	CU_ASSERT_PTR_NOT_NULL(take(r));
	for (int i = 0; i < ST_READ_QUIET_READS; i++) {
		fake_proc_advance(r->fp, 1.0);
		CU_ASSERT_PTR_NOT_NULL(take(r));
	}
}

/* Samples between the read behind q and the read before it. */
static uint64_t read_gap(const struct rig *r, const struct st_proc_sample *q)
{
	return r->s.table.tracks[q->info].read_gap;
}

static unsigned carried(const struct st_sample *s)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < s->nprocs; i++)
		n += (s->procs[i].flags & ST_PROC_CARRIED) != 0;
	return n;
}

/* w burns `ticks` of CPU in the next second (the books see it); the
 * next sample is taken and w's record in it returned. */
static const struct st_proc_sample *burn(struct rig *r, struct fake_process *w,
					 uint64_t ticks)
{
	w->utime += ticks;
	fake_proc_put(r->fp, w);
	r->fp->busy_ticks += ticks;
	fake_proc_advance(r->fp, 1.0);
	return find_proc(take(r), w->pid);
}

/* The quiet process whose last read is `ago` samples old now (READ_NEXT:
 * the one read in turn in the next sample), or NULL. */
#define READ_NEXT (-1)
static struct fake_process *last_read_ago(struct rig *r, struct fake_process *p, int ago)
{
	for (int i = 0; i < QUIET_PROCS; i++) {
		uint32_t slot = st_proc_table_find(&r->s.table, p[i].pid);
		const struct st_proc_track *tr = &r->s.table.tracks[slot];
		if (ago >= 0 ? tr->read_seq + (uint64_t)ago == r->s.seq
			     : st_read_due(slot, tr->quiet_reads, r->s.seq + 1))
			return &p[i];
	}
	return NULL;
}

static void test_quiet_processes_carried(void)
{
	struct rig r;
	struct fake_process p[QUIET_PROCS];

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	quiet_machine(&r, p);
	/* Each tick reads a rotating share; over a rotation everyone is read
	 * once, and every tick lists everyone. */
	unsigned reads_before = (unsigned)r.s.stats.read;
	unsigned seen_read[QUIET_PROCS] = { 0 };
	for (int t = 0; t < ST_READ_ROTATION; t++) {
		fake_proc_advance(r.fp, 1.0);
		const struct st_sample *s = take(&r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(s->nprocs, QUIET_PROCS);
		CU_ASSERT(carried(s) >= QUIET_PROCS - QUIET_PROCS / ST_READ_ROTATION - 1);
		for (int i = 0; i < QUIET_PROCS; i++) {
			const struct st_proc_sample *q = find_proc(s, p[i].pid);
			CU_ASSERT_PTR_NOT_NULL_FATAL(q);
			/* Carried: the figures of the last read, no CPU. */
			CU_ASSERT_EQUAL(q->rss_kib, p[i].rss_pages * (uint64_t)(sysconf(_SC_PAGESIZE) / 1024));
			CU_ASSERT_EQUAL(q->state, p[i].state);
			CU_ASSERT_EQUAL(q->cpu_pct, 0);
			CU_ASSERT_STRING_EQUAL(info_of(&r, q)->comm, p[i].comm);
			seen_read[i] += !(q->flags & ST_PROC_CARRIED);
		}
	}
	for (int i = 0; i < QUIET_PROCS; i++)
		CU_ASSERT_EQUAL(seen_read[i], 1);
	CU_ASSERT_EQUAL(r.s.stats.read - reads_before, QUIET_PROCS);
	CU_ASSERT_EQUAL(r.s.stats.sweeps, 0);
	rig_close(&r);
}

static void test_busy_quiet_process_read_at_once(void)
{
	struct rig r;
	struct fake_process p[QUIET_PROCS];

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	quiet_machine(&r, p);
	/* One of them wakes and burns 60% of a core: /proc/stat shows CPU
	 * no read accounts for, so the tick reads everyone. */
	for (int k = 0; k < 3; k++) {
		struct fake_process *w = &p[5 + k * 7];
		w->utime += r.hz * 6 / 10;
		w->state = 'R';
		fake_proc_put(r.fp, w);
		r.fp->busy_ticks += r.hz * 6 / 10;
		fake_proc_advance(r.fp, 1.0);
		const struct st_sample *s = take(&r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		const struct st_proc_sample *q = find_proc(s, w->pid);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		CU_ASSERT_EQUAL(q->flags & ST_PROC_CARRIED, 0);
		CU_ASSERT_DOUBLE_EQUAL(q->cpu_pct, 60, PCT_EPS);
		CU_ASSERT_EQUAL(q->state, 'R');
		CU_ASSERT_EQUAL(carried(s), 0);
		w->state = 'S';
		fake_proc_put(r.fp, w);
	}
	CU_ASSERT_EQUAL(r.s.stats.sweeps, 3);
	rig_close(&r);
}

static void test_little_cpu_shows_at_next_read(void)
{
	struct rig r;
	struct fake_process p[QUIET_PROCS];

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	quiet_machine(&r, p);
	/* 3 ticks in one second: under the sweep limit, so it may wait for
	 * its turn. The books left those 3 ticks unaccounted while it was
	 * carried, so its next read charges them evenly over the samples
	 * since its last read (its steady rate), not all to one interval:
	 * a little CPU is never recorded as a burst, and never counted more
	 * than once. */
	struct fake_process *w = &p[3];
	w->utime += 3;
	fake_proc_put(r.fp, w);
	r.fp->busy_ticks += 3;
	double charged_ticks = 0;
	unsigned reads = 0;
	for (int t = 0; t < ST_READ_ROTATION; t++) {
		fake_proc_advance(r.fp, 1.0);
		const struct st_sample *s = take(&r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		const struct st_proc_sample *q = find_proc(s, w->pid);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		if (q->flags & ST_PROC_CARRIED)
			continue;
		double ticks = q->cpu_pct / 100.0 * (double)r.hz;   /* 1 s ticks */
		if (reads++ == 0 && read_gap(&r, q) > 1)
			CU_ASSERT_DOUBLE_EQUAL(ticks, 3.0 / (double)read_gap(&r, q), 1e-3);
		charged_ticks += ticks;
	}
	CU_ASSERT(reads >= 1);      /* once in turn, then while it looks busy */
	CU_ASSERT(charged_ticks > 0 && charged_ticks <= 3.0 + 1e-3);
	CU_ASSERT_EQUAL(r.s.stats.sweeps, 0);
	rig_close(&r);
}

static void test_memory_move_reads_all(void)
{
	struct rig r;
	struct fake_process p[QUIET_PROCS];

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	quiet_machine(&r, p);
	/* 64 MiB taken with next to no CPU (MAP_POPULATE of a file already in
	 * the cache): available memory moved, so everyone is read. */
	uint64_t page_kib = (uint64_t)(sysconf(_SC_PAGESIZE) / 1024);
	p[9].rss_pages += 64 * 1024 / page_kib;
	fake_proc_put(r.fp, &p[9]);
	fake_proc_set_memory(r.fp, r.fp->mem_available_kib - 64 * 1024, 0, 0);
	fake_proc_advance(r.fp, 1.0);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	const struct st_proc_sample *q = find_proc(s, p[9].pid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(q->flags & ST_PROC_CARRIED, 0);
	CU_ASSERT_EQUAL(q->rss_kib, p[9].rss_pages * page_kib);
	CU_ASSERT_EQUAL(carried(s), 0);
	/* A wobble under 1/1024 of memory (8 MiB of these 8 GiB) does not. */
	fake_proc_set_memory(r.fp, r.fp->mem_available_kib - 4 * 1024, 0, 0);
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(carried(s) > 0);
	rig_close(&r);
}

/*
 * A quiet process carried for k ticks then burning 90% of a core in the
 * tick it is read: the books balanced while it was carried, so the burst
 * belongs to this interval and is recorded at 90%, for every k from 1 to
 * the rotation (not 90/k %, as when it was spread over the span).
 */
static void test_burst_after_carried_ticks(void)
{
	for (unsigned k = 1; k <= ST_READ_ROTATION; k++) {
		struct rig r;
		struct fake_process p[QUIET_PROCS];

		CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
		quiet_machine(&r, p);
		for (int t = 0; t < ST_READ_ROTATION; t++) {
			fake_proc_advance(r.fp, 1.0);
			CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
		}
		/* the process whose last read is k - 1 samples old now, so
		 * that the burst tick is the k-th since it */
		struct fake_process *w = last_read_ago(&r, p, (int)k - 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(w);
		const struct st_proc_sample *q = burn(&r, w, (uint64_t)r.hz * 9 / 10);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		CU_ASSERT_EQUAL(q->flags & ST_PROC_CARRIED, 0);
		CU_ASSERT_EQUAL(read_gap(&r, q), k);
		CU_ASSERT_DOUBLE_EQUAL(q->cpu_pct, 90, PCT_EPS);
		rig_close(&r);
	}
}

/*
 * The same on a machine whose books never quite balance: 2 ticks of every
 * second go unaccounted (under the sweep limit), before and while the
 * burner is carried. That is the books' usual noise, not CPU the burner
 * may have hidden: the burst is recorded at 90%, give or take a few ticks.
 */
/*
 * A process blocked on the disk uses no CPU, so the books let it be
 * carried. Read in turn, its wait since its last read is charged to this
 * interval only up to the interval itself (one task cannot wait longer);
 * then the change keeps it read, so the wait shows where it happens.
 */
static void test_blkio_wait_while_carried(void)
{
	struct rig r;
	struct fake_process p[QUIET_PROCS];

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	quiet_machine(&r, p);
	for (int t = 0; t < ST_READ_ROTATION; t++) {
		fake_proc_advance(r.fp, 1.0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	}
	struct fake_process *w = last_read_ago(&r, p, READ_NEXT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	uint32_t slot = st_proc_table_find(&r.s.table, w->pid);
	uint64_t gap = r.s.seq + 1 - r.s.table.tracks[slot].read_seq;
	CU_ASSERT_FATAL(gap > 1);
	/* waiting for the disk all along, but sleeping ('S') whenever read:
	 * only the growing wait says it changed */
	w->blkio_ticks += gap * (uint64_t)r.hz;
	fake_proc_put(r.fp, w);
	fake_proc_advance(r.fp, 1.0);
	const struct st_sample *s = take(&r);
	const struct st_proc_sample *q = find_proc(s, w->pid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(q->flags & ST_PROC_CARRIED, 0);
	CU_ASSERT(q->have & ST_PROC_HAVE_BLKIO);
	CU_ASSERT_EQUAL(q->blkio_delay_ticks, r.hz);
	CU_ASSERT_EQUAL(q->system_share, 0);
	/* still waiting: read again at once, half a second of it */
	w->blkio_ticks += (uint64_t)r.hz / 2;
	fake_proc_put(r.fp, w);
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	q = find_proc(s, w->pid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(q->flags & ST_PROC_CARRIED, 0);
	CU_ASSERT_EQUAL(q->blkio_delay_ticks, r.hz / 2);
	/* a carried record measured nothing */
	for (uint32_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].flags & ST_PROC_CARRIED)
			CU_ASSERT(s->procs[i].blkio_delay_ticks == 0 &&
				  s->procs[i].system_share == 0 && s->procs[i].have == 0);
	rig_close(&r);
}

static void test_burst_with_noise_while_carried(void)
{
	struct rig r;
	struct fake_process p[QUIET_PROCS];
	unsigned k = ST_READ_ROTATION;

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	quiet_machine(&r, p);
	for (int t = 0; t < 4 * ST_READ_ROTATION; t++) {
		r.fp->busy_ticks += 2;
		fake_proc_advance(r.fp, 1.0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	}
	struct fake_process *w = last_read_ago(&r, p, READ_NEXT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	/* it is read in turn this tick, then carried k - 1 ticks */
	fake_proc_advance(r.fp, 1.0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	for (unsigned t = 1; t < k; t++) {
		r.fp->busy_ticks += 2;      /* nobody's reads account for these */
		fake_proc_advance(r.fp, 1.0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	}
	r.fp->busy_ticks += 2;
	const struct st_proc_sample *q = burn(&r, w, (uint64_t)r.hz * 9 / 10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(read_gap(&r, q), k);
	CU_ASSERT(q->cpu_pct <= 90 + PCT_EPS);
	/* without the noise average it read 90 - 14 = 76 */
	CU_ASSERT(q->cpu_pct >= 87 - PCT_EPS);
	rig_close(&r);
}

/* A quiet, carried parent reaps one long job, then another three samples
 * later: the samples saw both jobs' CPU, so whenever the parent is read
 * that is no children's CPU, however late its reads come. */
static void test_carried_parent_reaps_two_jobs(void)
{
	struct rig r;
	struct fake_process p[QUIET_PROCS];

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	struct fake_process job = started(&r, 2000, "job", 50);
	struct fake_process job2 = started(&r, 2001, "job2", 50);
	job.ppid = job2.ppid = p[0].pid = 1000;
	fake_proc_put(r.fp, &job);
	fake_proc_put(r.fp, &job2);
	quiet_machine(&r, p);
	for (int t = 0; t < 3; t++) {
		job.utime += r.hz;
		r.fp->busy_ticks += r.hz;
		fake_proc_put(r.fp, &job);
		fake_proc_advance(r.fp, 1.0);
		CU_ASSERT_PTR_NOT_NULL(take(&r));
	}
	p[0].cutime += job.utime + job.stime;
	fake_proc_put(r.fp, &p[0]);
	fake_proc_remove(r.fp, job.pid);
	float worst = 0;
	for (int t = 0; t < 2 * ST_READ_ROTATION; t++) {
		if (t == 3) {
			p[0].cutime += job2.utime + job2.stime;
			fake_proc_put(r.fp, &p[0]);
			fake_proc_remove(r.fp, job2.pid);
		}
		fake_proc_advance(r.fp, 1.0);
		const struct st_sample *s = take(&r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		const struct st_proc_sample *q = find_proc(s, p[0].pid);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		if (q->children_cpu_pct > worst)
			worst = q->children_cpu_pct;
	}
	CU_ASSERT_EQUAL(worst, 0);
	rig_close(&r);
}

/* `timeout sh -c 'while :; do :; done'` from a shell: the burner is seen
 * burning, then timeout reaps it and exits within one tick, and the shell
 * reaps timeout, whose cutime holds the burner's whole life. The samples
 * saw all of it: the shell gets no children's CPU. */
static void test_grandchild_seen_is_no_spike(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	struct fake_process shell = started(&r, 3000, "bash", 50);
	struct fake_process mid = started(&r, 3001, "timeout", 10);
	struct fake_process leaf = started(&r, 3002, "sh", 10);
	mid.ppid = shell.pid;
	leaf.ppid = mid.pid;
	fake_proc_put(r.fp, &shell);
	fake_proc_put(r.fp, &mid);
	fake_proc_put(r.fp, &leaf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	for (int t = 0; t < 3; t++) {
		leaf.utime += r.hz;
		r.fp->busy_ticks += r.hz;
		fake_proc_put(r.fp, &leaf);
		fake_proc_advance(r.fp, 1.0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	}
	/* timeout reaps sh and exits; the shell reaps timeout */
	shell.cutime += leaf.utime + mid.utime;
	fake_proc_put(r.fp, &shell);
	fake_proc_remove(r.fp, leaf.pid);
	fake_proc_remove(r.fp, mid.pid);
	for (int t = 0; t < 2; t++) {
		fake_proc_advance(r.fp, 1.0);
		const struct st_sample *s = take(&r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		const struct st_proc_sample *q = find_proc(s, shell.pid);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		CU_ASSERT_EQUAL(q->children_cpu_pct, 0);
	}
	rig_close(&r);
}

/* A make whose short-lived compilers are never read burns half a core
 * each second in children reaped by its read: the books count that CPU,
 * so they neither sweep every tick nor take it for CPU a carried process
 * may have hidden, and a carried burner's burst still reads whole. */
static void test_reaped_children_balance_the_books(void)
{
	struct rig r;
	struct fake_process p[QUIET_PROCS];

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	struct fake_process make = started(&r, 2500, "make", 50);
	fake_proc_put(r.fp, &make);
	quiet_machine(&r, p);
	uint64_t sweeps = r.s.stats.sweeps;
	struct fake_process *w = last_read_ago(&r, p, READ_NEXT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	for (int t = 0; t < ST_READ_ROTATION; t++) {
		make.cutime += (uint64_t)r.hz / 2;
		r.fp->busy_ticks += (uint64_t)r.hz / 2;
		fake_proc_put(r.fp, &make);
		fake_proc_advance(r.fp, 1.0);
		const struct st_sample *s = take(&r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		const struct st_proc_sample *m = find_proc(s, make.pid);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_DOUBLE_EQUAL(m->children_cpu_pct, 50, PCT_EPS);
	}
	/* one sweep at most: the tick make woke in, while it was quiet */
	CU_ASSERT(r.s.stats.sweeps <= sweeps + 1);
	const struct st_proc_sample *q = burn(&r, w, (uint64_t)r.hz * 9 / 10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(read_gap(&r, q), ST_READ_ROTATION);
	CU_ASSERT_DOUBLE_EQUAL(q->cpu_pct, 90, PCT_EPS);
	rig_close(&r);
}

/* A process that used 4 ticks in every carried tick is not a burst when
 * its turn comes: the books saw that CPU go unaccounted each tick. Until
 * the books' noise average has learnt it, part of it may be charged to
 * the read (8.7 % for its 4 %), under cpu_delta's default threshold. */
static void test_steady_little_cpu_is_no_burst(void)
{
	struct rig r;
	struct fake_process p[QUIET_PROCS];

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	quiet_machine(&r, p);
	struct fake_process *w = &p[7];
	const struct st_proc_sample *q = NULL;
	for (int t = 0; t < ST_READ_ROTATION; t++) {
		q = burn(&r, w, 4);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		/* 4 ticks a second at HZ 100 */
		double rate = 4.0 * 100 / (double)r.hz;
		if (!(q->flags & ST_PROC_CARRIED))
			CU_ASSERT(q->cpu_pct >= rate - PCT_EPS && q->cpu_pct < 10);
	}
	CU_ASSERT_EQUAL(r.s.stats.sweeps, 0);
	rig_close(&r);
}

/* cpu1 offline on a 4-CPU machine: three CPUs are there. A process using
 * one full core reads 100% (not 75%, not 133%), the machine's CPU is
 * out of three cores, and the per-core figures carry ids 0, 2, 3. */
static void test_offline_cpu(void)
{
	struct rig r;
	char err[256];

	memset(&r, 0, sizeof(r));
	r.fp = fake_proc_new(3, 8u << 20, 100);
	r.fp->offline_mask = 1u << 1;
	fake_proc_advance(r.fp, 0);
	r.hz = r.fp->hz;
	CU_ASSERT_FATAL(st_sampler_init(&r.s, r.fp->root, err, sizeof(err)) == 0);
	CU_ASSERT_FATAL(st_ring_init(&r.ring, HISTORY) == 0);
	struct fake_process burner = started(&r, 300, "burner", 10);
	fake_proc_put(r.fp, &burner);
	CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	burner.utime += r.hz;
	r.fp->busy_ticks += r.hz;
	fake_proc_put(r.fp, &burner);
	fake_proc_advance(r.fp, 1.0);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->ncores, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->core_id);
	CU_ASSERT_EQUAL(s->core_id[0], 0);
	CU_ASSERT_EQUAL(s->core_id[1], 2);
	CU_ASSERT_EQUAL(s->core_id[2], 3);
	const struct st_proc_sample *q = find_proc(s, burner.pid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_DOUBLE_EQUAL(q->cpu_pct, 100, PCT_EPS);
	CU_ASSERT_DOUBLE_EQUAL(s->cpu_total_pct, 100.0 / 3, PCT_EPS);
	/* cpu1 comes back online: the others keep their figures, it has none
	 * to compare with yet */
	r.fp->offline_mask = 0;
	r.fp->ncores = 4;
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->ncores, 4);
	CU_ASSERT_EQUAL(s->core_id[1], 1);
	for (uint32_t i = 0; i < s->ncores; i++)
		CU_ASSERT(s->core_busy_pct[i] >= 0 && s->core_busy_pct[i] <= 100);
	rig_close(&r);
}

/* An exec inside the window: the samples before it keep the comm and
 * ppid they saw, the samples after it show the new ones. */
static void test_exec_keeps_old_samples(void)
{
	struct rig r;

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	struct fake_process p = started(&r, 400, "sh", 10);
	p.ppid = 1;
	fake_proc_put(r.fp, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	fake_proc_advance(r.fp, 1.0);
	const struct st_sample *before = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(before);
	snprintf(p.comm, sizeof(p.comm), "make");
	p.ppid = 77;
	p.utime += 5;
	r.fp->busy_ticks += 5;
	fake_proc_put(r.fp, &p);
	fake_proc_advance(r.fp, 1.0);
	const struct st_sample *after = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(after);
	before = st_ring_at(&r.ring, r.ring.count - 2);
	const struct st_proc_sample *b = find_proc(before, p.pid), *a = find_proc(after, p.pid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	struct st_proc_info was_b, was_a;
	const struct st_proc_info *ib = st_proc_table_info_at(&r.s.table, b->info, before->seq, &was_b);
	const struct st_proc_info *ia = st_proc_table_info_at(&r.s.table, a->info, after->seq, &was_a);
	CU_ASSERT_STRING_EQUAL(ib->comm, "sh");
	CU_ASSERT_EQUAL(ib->ppid, 1);
	CU_ASSERT_STRING_EQUAL(ia->comm, "make");
	CU_ASSERT_EQUAL(ia->ppid, 77);
	/* still one process in one slot (the detectors' state stays with
	 * it), its CPU measured across the exec */
	CU_ASSERT_EQUAL(a->info, b->info);
	CU_ASSERT_EQUAL(ia->start_ticks, ib->start_ticks);
	CU_ASSERT_EQUAL(a->flags & ST_PROC_NEW, 0);
	CU_ASSERT_DOUBLE_EQUAL(a->cpu_pct, 5.0 * 100 / (double)r.hz, PCT_EPS);
	CU_ASSERT_EQUAL(r.s.stats.renames, 1);
	rig_close(&r);
}

/* ------------------------------------------------------------ evidence */

static void write_evidence(struct fake_proc *fp, uint64_t psi_us, uint64_t pgscan,
			   uint64_t sectors)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "some avg10=12.50 avg60=3.00 avg300=1.00 total=%llu\n",
		 (unsigned long long)psi_us);
	fake_proc_write(fp, "pressure/cpu", buf);        /* no full: before 5.13 */
	snprintf(buf, sizeof(buf), "some avg10=40.00 avg60=3.00 avg300=1.00 total=%llu\n"
		 "full avg10=20.00 avg60=1.00 avg300=0.50 total=%llu\n",
		 (unsigned long long)psi_us * 2, (unsigned long long)psi_us);
	fake_proc_write(fp, "pressure/memory", buf);
	snprintf(buf, sizeof(buf), "some avg10=1.00 avg60=0.00 avg300=0.00 total=%llu\n"
		 "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		 (unsigned long long)psi_us / 10);
	fake_proc_write(fp, "pressure/io", buf);
	snprintf(buf, sizeof(buf), "pgmajfault 10\npswpin 1\npswpout 2\noom_kill 0\n"
		 "pgscan_kswapd %llu\npgsteal_kswapd 5\nallocstall_normal 3\n",
		 (unsigned long long)pgscan);
	fake_proc_write(fp, "vmstat", buf);
	fake_proc_write(fp, "loadavg", "2.50 1.25 0.75 3/120 4242\n");
	snprintf(buf, sizeof(buf), "   8       0 sda 1 0 %llu 0 1 0 %llu 0 0 %llu 0\n"
		 "   8       1 sda1 1 0 %llu 0 1 0 0 0 0 0 0\n",
		 (unsigned long long)sectors, (unsigned long long)sectors * 2,
		 (unsigned long long)sectors / 10, (unsigned long long)sectors);
	fake_proc_write(fp, "diskstats", buf);
}

/* Pressure, vmstat, loadavg and diskstats: read through kept fds, growth
 * over the interval from the second sample on. vmstat and diskstats are
 * read while memory or I/O stalls (or memory moved), else every 10 s, and
 * their growth covers the span since their last read. */
static void test_evidence(void)
{
	struct rig r;
	char err[256];

	memset(&r, 0, sizeof(r));
	r.fp = fake_proc_new(4, 8u << 20, 100);
	write_evidence(r.fp, 1000, 100, 2000);
	CU_ASSERT_FATAL(st_sampler_init(&r.s, r.fp->root, err, sizeof(err)) == 0);
	CU_ASSERT_FATAL(st_ring_init(&r.ring, HISTORY) == 0);
	r.s.clock = fake_proc_clock;        /* spans in the fake's seconds */
	r.s.clock_ctx = r.fp;
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	unsigned growth = ST_HAVE_PSI_CPU | ST_HAVE_PSI_MEMORY | ST_HAVE_PSI_IO |
			  ST_HAVE_VMSTAT | ST_HAVE_DISK;
	/* nothing to compare with yet: only the load average is a figure */
	CU_ASSERT_EQUAL(s->have & growth, 0);
	CU_ASSERT(s->have & ST_HAVE_LOADAVG);
	CU_ASSERT_DOUBLE_EQUAL(s->load1, 2.5, 1e-6);
	/* 300 ms of cpu stall in this second, 600 ms some / 300 ms full on
	 * memory, 30 ms on io */
	write_evidence(r.fp, 301000, 1100, 6000);
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->have & growth, growth);
	CU_ASSERT_EQUAL(s->psi_cpu.some_stall_us, 300000);
	CU_ASSERT_EQUAL(s->psi_cpu.full_known, 0);
	CU_ASSERT_DOUBLE_EQUAL(s->psi_cpu.some_avg10_pct, 12.5, 1e-4);
	CU_ASSERT_EQUAL(s->psi_memory.some_stall_us, 600000);
	CU_ASSERT_EQUAL(s->psi_memory.full_stall_us, 300000);
	CU_ASSERT_EQUAL(s->psi_memory.full_known, 1);
	CU_ASSERT_DOUBLE_EQUAL(s->psi_memory.full_avg10_pct, 20, 1e-4);
	CU_ASSERT_EQUAL(s->psi_io.some_stall_us, 30000);
	CU_ASSERT_EQUAL(s->vm.pgscan, 1000);
	CU_ASSERT_EQUAL(s->vm.pgmajfault, 0);
	CU_ASSERT_DOUBLE_EQUAL(s->vm.span_s, 1.0, 1e-6);
	/* sda only: 4000 sectors read = 2000 KiB, 8000 written, 400 ms busy */
	CU_ASSERT_EQUAL(s->disk_read_kib, 2000);
	CU_ASSERT_EQUAL(s->disk_written_kib, 4000);
	CU_ASSERT_EQUAL(s->disk_busy_ms, 400);
	CU_ASSERT_DOUBLE_EQUAL(s->disk_span_s, 1.0, 1e-6);
	/* no stall, memory still: vmstat and diskstats wait */
	for (int t = 0; t < 9; t++) {
		fake_proc_advance(r.fp, 1.0);
		s = take(&r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(s->have & (ST_HAVE_VMSTAT | ST_HAVE_DISK), 0);
		CU_ASSERT(s->have & ST_HAVE_PSI_MEMORY);
	}
	/* ten seconds on, they are read anyway, over the whole span */
	write_evidence(r.fp, 301000, 1600, 6000);
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(s->have & ST_HAVE_VMSTAT);
	CU_ASSERT_EQUAL(s->vm.pgscan, 500);
	CU_ASSERT_DOUBLE_EQUAL(s->vm.span_s, 10.0, 1e-6);
	/* a file that stops parsing: its figures go, the tick does not */
	fake_proc_write(r.fp, "vmstat", "garbage\n");
	write_evidence(r.fp, 401000, 1600, 6000);
	fake_proc_write(r.fp, "vmstat", "garbage\n");
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->have & ST_HAVE_VMSTAT, 0);
	CU_ASSERT(s->have & ST_HAVE_PSI_CPU);
	rig_close(&r);
}

/* A kernel without PSI (or a fake /proc without the files): no bits, and
 * sampling goes on. */
static void test_no_evidence_files(void)
{
	struct rig r;
	CU_ASSERT_FATAL(rig_open(&r, 2, 100) == 0);
	const struct st_sample *s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->have & (ST_HAVE_PSI_CPU | ST_HAVE_PSI_MEMORY | ST_HAVE_PSI_IO |
				   ST_HAVE_VMSTAT | ST_HAVE_LOADAVG | ST_HAVE_DISK), 0);
	CU_ASSERT_EQUAL(s->have & ST_HAVE_MEM_DETAIL, 0);   /* the fake has no AnonPages */
	fake_proc_advance(r.fp, 1.0);
	s = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(s->have & ST_HAVE_CTXT);                  /* growth: second sample on */
	rig_close(&r);
}

static void test_carried_parent_reaps_child(void)
{
	struct rig r;
	struct fake_process p[QUIET_PROCS];

	CU_ASSERT_FATAL(rig_open(&r, 4, 100) == 0);
	struct fake_process job = started(&r, 2000, "job", 50);
	job.ppid = p[0].pid = 1000;
	fake_proc_put(r.fp, &job);
	quiet_machine(&r, p);
	job.ppid = p[0].pid;
	for (int t = 0; t < 3; t++) {
		job.utime += r.hz;
		r.fp->busy_ticks += r.hz;
		fake_proc_put(r.fp, &job);
		fake_proc_advance(r.fp, 1.0);
		CU_ASSERT_PTR_NOT_NULL(take(&r));
	}
	/* The job ends; its quiet parent reaps it, which adds the job's whole
	 * life to the parent's cutime. The samples saw all of it already, so
	 * whenever the parent is read again that is no children's CPU. */
	p[0].cutime += job.utime;
	fake_proc_put(r.fp, &p[0]);
	fake_proc_remove(r.fp, job.pid);
	unsigned reads = 0;
	for (int t = 0; t < ST_READ_ROTATION; t++) {
		fake_proc_advance(r.fp, 1.0);
		const struct st_sample *s = take(&r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_PTR_NULL(find_proc(s, job.pid));
		const struct st_proc_sample *q = find_proc(s, p[0].pid);
		CU_ASSERT_PTR_NOT_NULL_FATAL(q);
		CU_ASSERT_EQUAL(q->children_cpu_pct, 0);
		reads += !(q->flags & ST_PROC_CARRIED);
	}
	CU_ASSERT(reads >= 1);
	rig_close(&r);
}


/* ------------------------------------------------ exits between samples */

static struct st_proc_event proc_event(uint32_t kind, int32_t pid, int32_t parent)
{
	struct st_proc_event ev = { .kind = kind, .pid = pid, .parent_pid = parent,
				    .utime_ns = -1, .stime_ns = -1, .elapsed_ns = -1,
				    .peak_rss_kib = -1, .read_bytes = -1, .write_bytes = -1,
				    .blkio_delay_ns = -1 };
	return ev;
}

static void fork_event(struct rig *r, int32_t pid, int32_t forker)
{
	struct st_proc_event ev = proc_event(ST_PROC_EV_FORK, pid, forker);
	st_sampler_on_proc_event(&r->s, &ev);
}

/* pid exits: its zombie's stat is there for the exit event (unless it
 * was reaped first), then it is reaped. */
static void exit_event(struct rig *r, int32_t pid, int32_t reaper, const char *comm,
		       uint64_t cpu_ticks, int reaped_first)
{
	if (!reaped_first) {
		struct fake_process z = fake_process_make(r->fp, pid, comm);
		z.ppid = reaper;
		z.state = 'Z';
		z.utime = cpu_ticks;
		fake_proc_put(r->fp, &z);
	}
	struct st_proc_event ev = proc_event(ST_PROC_EV_EXIT, pid, reaper);
	st_sampler_on_proc_event(&r->s, &ev);
	fake_proc_remove(r->fp, pid);
}

/* A process that lived between two samples. */
static void lived_and_died(struct rig *r, int32_t pid, int32_t forker, int32_t reaper,
			   const char *comm, uint64_t cpu_ticks, int reaped_first)
{
	fork_event(r, pid, forker);
	exit_event(r, pid, reaper, comm, cpu_ticks, reaped_first);
}

static const struct st_exited_group *group_named(const struct st_sample *smp,
						 const char *comm, const char *parent)
{
	for (uint32_t i = 0; smp && i < smp->nexited; i++) {
		const struct st_exited_group *g = st_sample_exited(smp, i);
		if (!strcmp(g->comm, comm) && !strcmp(g->parent_comm, parent))
			return g;
	}
	return NULL;
}

/* A rig with a shell (pid 100) read by a first sample, then exit events
 * from the proc connector. */
static int exits_rig(struct rig *r)
{
	if (rig_open(r, 2, 1000) < 0)
		return -1;
	struct fake_process sh = started(r, 100, "sh", 60);
	fake_proc_put(r->fp, &sh);
	if (!take(r) || st_sampler_exits_start(&r->s, ST_EXITS_PROC_CONNECTOR) < 0) {
		rig_close(r);
		return -1;
	}
	return 0;
}

static void test_exits_between_samples_grouped(void)
{
	struct rig r;
	CU_ASSERT_FATAL(exits_rig(&r) == 0);

	/* Two double-forked processes reaped by init, one reaped before its
	 * zombie could be read; and the shell's own exit is no news. */
	lived_and_died(&r, 5000, 100, 1, "spkorphan", 3, 0);
	lived_and_died(&r, 5001, 100, 1, "spkorphan", 0, 1);
	struct st_proc_event gone = proc_event(ST_PROC_EV_EXIT, 100, 1);
	fake_proc_advance(r.fp, 1.0);
	const struct st_sample *smp = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(smp);
	CU_ASSERT_EQUAL(smp->exit_mode, ST_EXITS_PROC_CONNECTOR);
	CU_ASSERT_EQUAL(smp->exited_size, sizeof(struct st_exited_group));
	/* The unread one has no name of its own: a group apart. */
	CU_ASSERT_EQUAL_FATAL(smp->nexited, 2);
	const struct st_exited_group *g = group_named(smp, "spkorphan", "sh");
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(g->parent_pid, 100);
	CU_ASSERT_EQUAL(g->reaper_pid, 1);
	CU_ASSERT_EQUAL(g->count, 1);
	CU_ASSERT_EQUAL(g->cpu_ns, (uint64_t)(3 * 1000000000ull / (uint64_t)r.hz));
	CU_ASSERT(g->flags & ST_EXITED_ESTIMATE);
	CU_ASSERT_DOUBLE_EQUAL(g->cpu_pct, 300.0 / (double)r.hz, 0.01);

	/* The next interval starts empty; a known process's exit stays the
	 * ticks' business. */
	st_sampler_on_proc_event(&r.s, &gone);
	fake_proc_advance(r.fp, 1.0);
	smp = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(smp);
	CU_ASSERT_EQUAL(smp->nexited, 0);
	CU_ASSERT_EQUAL(r.s.between.known, 1);
	rig_close(&r);
}

static void test_exits_unnamed_and_double_forked(void)
{
	struct rig r;
	CU_ASSERT_FATAL(exits_rig(&r) == 0);
	/* ( cmd & ): a subshell forks cmd and exits at once; cmd, reaped by
	 * init, names the subshell it came from. */
	fork_event(&r, 6000, 100);
	fork_event(&r, 6001, 6000);
	exit_event(&r, 6000, 100, "sh", 1, 0);
	exit_event(&r, 6001, 1, "spkorphan", 2, 0);
	/* Reaped before its zombie was read: no CPU, and the name it was
	 * forked with, the shell's, until it execs; after, none. */
	lived_and_died(&r, 6003, 100, 100, "gone", 0, 1);
	fork_event(&r, 6002, 100);
	struct st_proc_event exec = proc_event(ST_PROC_EV_EXEC, 6002, 0);
	st_sampler_on_proc_event(&r.s, &exec);
	exit_event(&r, 6002, 100, "gone", 0, 1);
	/* Its forker exits first (named sh at its exit), then it does. */
	fork_event(&r, 6010, 6011);
	lived_and_died(&r, 6011, 100, 100, "sh", 0, 0);
	exit_event(&r, 6010, 1, "late", 1, 0);
	/* A make exec'd since the last tick forks cc1: make's name is read
	 * at that fork (it is alive), and cc1 names it. */
	fork_event(&r, 7000, 100);
	struct st_proc_event exec_make = proc_event(ST_PROC_EV_EXEC, 7000, 0);
	st_sampler_on_proc_event(&r.s, &exec_make);
	struct fake_process make = fake_process_make(r.fp, 7000, "make");
	fake_proc_put(r.fp, &make);
	lived_and_died(&r, 7001, 7000, 7000, "cc1", 1, 0);
	fake_proc_remove(r.fp, 7000);
	fake_proc_advance(r.fp, 1.0);
	const struct st_sample *smp = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(smp);
	const struct st_exited_group *orphan = group_named(smp, "spkorphan", "sh");
	CU_ASSERT_PTR_NOT_NULL_FATAL(orphan);
	CU_ASSERT_EQUAL(orphan->parent_pid, 6000);
	CU_ASSERT_EQUAL(orphan->reaper_pid, 1);
	const struct st_exited_group *sub = group_named(smp, "sh", "sh");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sub);
	CU_ASSERT_EQUAL(sub->count, 3);     /* 6000, 6011 and 6003 */
	CU_ASSERT_EQUAL(sub->cpu_unknown, 1);
	const struct st_exited_group *unnamed = group_named(smp, "", "sh");
	CU_ASSERT_PTR_NOT_NULL_FATAL(unnamed);
	CU_ASSERT_EQUAL(unnamed->cpu_unknown, 1);
	CU_ASSERT_EQUAL(unnamed->cpu_ns, 0);
	/* 6010's forker 6011 had exited (named sh) before 6010 did. */
	const struct st_exited_group *cc1 = group_named(smp, "cc1", "make");
	CU_ASSERT_PTR_NOT_NULL(cc1);
	const struct st_exited_group *late = group_named(smp, "late", "sh");
	CU_ASSERT_PTR_NOT_NULL_FATAL(late);
	CU_ASSERT_EQUAL(late->parent_pid, 6011);
	rig_close(&r);
}

static void test_exits_from_taskstats(void)
{
	struct rig r;
	CU_ASSERT_FATAL(rig_open(&r, 2, 1000) == 0);
	struct fake_process make = started(&r, 700, "make", 60);
	fake_proc_put(r.fp, &make);
	CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	CU_ASSERT_EQUAL_FATAL(st_sampler_exits_start(&r.s, ST_EXITS_TASKSTATS), 0);
	for (int i = 0; i < 400; i++) {
		struct st_proc_event ev = proc_event(ST_PROC_EV_FORK, 7000 + i, 700);
		st_sampler_on_proc_event(&r.s, &ev);
		ev = proc_event(ST_PROC_EV_EXIT, 7000 + i, 700);
		ev.flags = ST_PROC_EV_TASKSTATS;
		snprintf(ev.comm, sizeof(ev.comm), "cc1");
		ev.utime_ns = 1500000;
		ev.stime_ns = 500000;
		ev.peak_rss_kib = 20000 + i;
		ev.read_bytes = 4096;
		ev.write_bytes = 0;
		st_sampler_on_proc_event(&r.s, &ev);
	}
	st_sampler_exits_lost(&r.s, 2);
	fake_proc_advance(r.fp, 2.0);
	const struct st_sample *smp = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(smp);
	CU_ASSERT_EQUAL(smp->exit_mode, ST_EXITS_TASKSTATS);
	CU_ASSERT_EQUAL(smp->exits_lost, 2);
	CU_ASSERT_EQUAL_FATAL(smp->nexited, 1);
	const struct st_exited_group *g = st_sample_exited(smp, 0);
	CU_ASSERT_STRING_EQUAL(g->comm, "cc1");
	CU_ASSERT_STRING_EQUAL(g->parent_comm, "make");
	CU_ASSERT_EQUAL(g->count, 400);
	CU_ASSERT_EQUAL(g->cpu_ns, 400ull * 2000000);
	CU_ASSERT_EQUAL(g->peak_rss_kib, 20399);
	CU_ASSERT_EQUAL(g->read_bytes, 400ull * 4096);
	CU_ASSERT(g->flags & ST_EXITED_TASKSTATS);
	/* 0.8 s of CPU over 2 s */
	CU_ASSERT_DOUBLE_EQUAL(g->cpu_pct, 40.0, 0.01);
	rig_close(&r);
}

static void test_exits_off_records_nothing(void)
{
	struct rig r;
	CU_ASSERT_FATAL(rig_open(&r, 2, 1000) == 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(take(&r));
	lived_and_died(&r, 5000, 100, 1, "spkorphan", 3, 0);
	fake_proc_advance(r.fp, 1.0);
	const struct st_sample *smp = take(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(smp);
	CU_ASSERT_EQUAL(smp->exit_mode, ST_EXITS_CUTIME);
	CU_ASSERT_EQUAL(smp->nexited, 0);
	rig_close(&r);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "first sample: new, average since start", test_first_sample_average_since_start },
		{ "second sample: cpu over the interval", test_second_sample_interval_cpu },
		{ "children cpu", test_children_cpu },
		{ "comm with spaces, ')' and newline", test_comm_with_spaces_parens_newline },
		{ "removed process", test_removed_process },
		{ "pid reuse is a new identity", test_pid_reuse_new_identity },
		{ "process counters backwards", test_process_counters_backwards },
		{ "malformed pid stat skipped", test_malformed_pid_stat_skipped },
		{ "many processes", test_many_processes },
		{ "missing system files at init", test_missing_system_files_at_init },
		{ "missing uptime", test_missing_uptime },
		{ "meminfo without MemAvailable", test_meminfo_without_memavailable },
		{ "meminfo with swap", test_meminfo_full },
		{ "system cpu busy/idle split", test_system_cpu_split },
		{ "system counters backwards", test_system_counters_backwards },
		{ "process cpu when iowait goes backwards", test_process_cpu_when_iowait_backwards },
		{ "failed take leaves ring unchanged", test_failed_take_leaves_ring_unchanged },
		{ "real /proc smoke", test_real_proc_smoke },
		{ "read policy: quiet processes carried, read in turn", test_quiet_processes_carried },
		{ "read policy: a quiet process that burns is read at once", test_busy_quiet_process_read_at_once },
		{ "read policy: a little CPU shows at the next read", test_little_cpu_shows_at_next_read },
		{ "read policy: memory moving reads everyone", test_memory_move_reads_all },
		{ "read policy: a carried parent reaps its child", test_carried_parent_reaps_child },
		{ "read policy: a burst after k carried ticks is recorded whole", test_burst_after_carried_ticks },
		{ "read policy: a burst beside unaccounted noise", test_burst_with_noise_while_carried },
		{ "read policy: a little CPU every tick is no burst", test_steady_little_cpu_is_no_burst },
		{ "read policy: reaped children balance the books", test_reaped_children_balance_the_books },
		{ "read policy: a carried parent reaps two jobs samples apart", test_carried_parent_reaps_two_jobs },
		{ "a grandchild the samples saw is no spike of its grandparent", test_grandchild_seen_is_no_spike },
		{ "offline CPU: counted as not there, ids kept", test_offline_cpu },
		{ "exec: earlier samples keep the comm and ppid they saw", test_exec_keeps_old_samples },
		{ "evidence: pressure, vmstat, loadavg, diskstats", test_evidence },
		{ "evidence: none of the files", test_no_evidence_files },
		{ "cpu split and blkio wait", test_cpu_split_and_blkio },
		{ "stat line without blkio ticks (old kernel)", test_stat_without_blkio },
		{ "read policy: blkio wait while carried", test_blkio_wait_while_carried },
		{ "exits between samples: grouped, named by the zombie", test_exits_between_samples_grouped },
		{ "exits: unnamed, and a double fork names its subshell", test_exits_unnamed_and_double_forked },
		{ "exits: taskstats figures", test_exits_from_taskstats },
		{ "exits: off records nothing", test_exits_off_records_nothing },
		CU_TEST_INFO_NULL,
	};

	return st_test_run("sampler", tests);
}
