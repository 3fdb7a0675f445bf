/* The dump builder (core/engine/dump_builder.c) through the real engine over a
 * fake /proc: what each sample's lists hold and how each record says it
 * was measured. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit_runner.h"
#include "dump/dump.h"
#include "proc/proc_parse.h"
#include "scenario.h"

#define ONLY_CPU_DELTA "detectors { cpu_delta { threshold_pct = 40 } " \
	"new_proc { enabled = false } }"

static const struct st_dump_proc *find_proc(const struct st_dump_proc *v, uint32_t n,
					    int32_t pid)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i].pid == pid)
			return &v[i];
	return NULL;
}

/* The ring's record of pid in the sample seq, or NULL. */
static const struct st_proc_sample *ring_record(const struct scenario *sc, uint64_t seq,
						int32_t pid)
{
	int at = st_ring_find_seq(&sc->engine.ring, seq);
	if (at < 0)
		return NULL;
	const struct st_sample *s = st_ring_at(&sc->engine.ring, (uint32_t)at);
	for (uint32_t i = 0; i < s->nprocs; i++)
		if (sc->engine.sampler.table.infos[s->procs[i].info].pid == pid)
			return &s->procs[i];
	return NULL;
}

/*
 * The top-by-CPU list ranks by own + reaped children's CPU, and holds no
 * process at 0.0 %: a machine of idle kernel threads shows only who was
 * busy. Every record says how it was measured, as the ring has it.
 */
static void test_top_cpu_ranks_cost_and_leaves_out_idle(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, ONLY_CPU_DELTA);
	struct fake_process hog = scenario_settled(&sc, 4242, "hog", 0);
	struct fake_process make = scenario_settled(&sc, 300, "make", 0);
	struct fake_process small = scenario_settled(&sc, 301, "small", 0);
	for (int32_t pid = 2; pid < 22; pid++) {
		char comm[16];
		snprintf(comm, sizeof(comm), "kworker/%d", pid);
		scenario_settled(&sc, pid, comm, 0);
	}
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	/* The busy ones keep busy, so the read policy reads them every tick
	 * (a burst after carried ticks is the sampler's business). */
	for (int i = 0; i < 6; i++) {
		scenario_burn(&sc, &hog, 5);
		scenario_burn(&sc, &make, 1);
		scenario_burn(&sc, &small, 3);
		scenario_tick(&sc);
	}
	/* The trigger sample: hog burns 90 %, make reaps 60 % of children
	 * while using 1 % itself, small uses 3 %, a newcomer arrives. */
	scenario_burn(&sc, &hog, 90);
	scenario_burn(&sc, &make, 1);
	make.cutime += (uint64_t)(0.6 * (double)sc.fp->hz);
	fake_proc_put(sc.fp, &make);
	scenario_burn(&sc, &small, 3);
	struct fake_process fresh = fake_process_make(sc.fp, 500, "fresh");
	fresh.start_ticks = sc.fp->elapsed_ticks + (uint64_t)sc.fp->hz / 2;
	fresh.utime = (uint64_t)sc.fp->hz / 4;
	fake_proc_put(sc.fp, &fresh);
	scenario_tick(&sc);
	SCENARIO_REQUIRE(&sc, scenario_find(&sc, "cpu_delta", 4242) != NULL);
	struct st_dump *d = scenario_run_until_dump(&sc, 5);
	SCENARIO_REQUIRE(&sc, d != NULL && d->trigger_index >= 0);

	const struct st_dump_sample *s = &d->samples[d->trigger_index];
	SCENARIO_REQUIRE(&sc, s->ntop_cpu == 4);
	CU_ASSERT_EQUAL(s->top_cpu[0].pid, 4242);
	CU_ASSERT_EQUAL(s->top_cpu[1].pid, 300);    /* 1 % + 60 % children */
	CU_ASSERT_EQUAL(s->top_cpu[2].pid, 500);    /* 25 % since it started */
	CU_ASSERT_EQUAL(s->top_cpu[3].pid, 301);
	CU_ASSERT_EQUAL(s->top_cpu[2].flags, ST_PROC_NEW);
	for (uint32_t i = 0; i < s->ntop_cpu; i++)
		CU_ASSERT(s->top_cpu[i].cpu_pct + s->top_cpu[i].children_cpu_pct >= 0.05);

	/* In every sample of the window: nothing carried and nothing idle in
	 * top_cpu; each record's flags are its ring record's. */
	for (uint32_t k = 0; k < d->nsamples; k++) {
		const struct st_dump_sample *ds = &d->samples[k];
		for (uint32_t i = 0; i < ds->ntop_cpu; i++) {
			CU_ASSERT_FALSE(ds->top_cpu[i].flags & ST_PROC_CARRIED);
			CU_ASSERT(ds->top_cpu[i].cpu_pct + ds->top_cpu[i].children_cpu_pct >= 0.05);
		}
		for (uint32_t i = 0; i < ds->ntop_rss; i++) {
			const struct st_proc_sample *rec =
				ring_record(&sc, ds->seq, ds->top_rss[i].pid);
			CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
			CU_ASSERT_EQUAL(ds->top_rss[i].flags,
					rec->flags & (ST_PROC_NEW | ST_PROC_CARRIED));
		}
	}
	/* The idle ones are still in the RSS list: size is measured apart. */
	CU_ASSERT_PTR_NOT_NULL(find_proc(s->top_rss, s->ntop_rss, 2) ?
			       find_proc(s->top_rss, s->ntop_rss, 2) :
			       find_proc(s->top_rss, s->ntop_rss, 21));
	scenario_stop(&sc);
}

/* A cpu_delta incident on `hog`: in the trigger's tick 30 % user, 60 %
 * kernel, half the interval waiting for the disk; 12 threads and 3 GiB of
 * address space; `quiet` idles (carried in most samples). */
static struct st_dump *split_incident(struct scenario *sc, const char *delayacct)
{
	scenario_start(sc, 4, 8u << 20, ONLY_CPU_DELTA);
	if (delayacct)
		fake_proc_write(sc->fp, "sys/kernel/task_delayacct", delayacct);
	struct fake_process hog = scenario_settled(sc, 4242, "hog", 0);
	for (int32_t pid = 10; pid < 40; pid++)
		scenario_settled(sc, pid, "quiet", 0);
	hog.threads = 12;
	hog.vsize = 3ull << 30;
	fake_proc_put(sc->fp, &hog);
	if (scenario_begin(sc) != 0)
		return NULL;
	for (int i = 0; i < 3; i++) {
		scenario_burn(sc, &hog, 5);
		scenario_tick(sc);
	}
	scenario_burn(sc, &hog, 30);
	hog.stime += (uint64_t)sc->fp->hz * 6 / 10;
	sc->fp->busy_ticks += (uint64_t)sc->fp->hz * 6 / 10;
	hog.blkio_ticks += (uint64_t)sc->fp->hz / 2;
	fake_proc_put(sc->fp, &hog);
	scenario_tick(sc);
	return scenario_run_until_dump(sc, 5);
}

/*
 * The record's user/kernel split of cpu_pct, its block I/O wait as a
 * share of the interval, and threads and vsize as last read. A carried
 * record measured none of it: 0, as its cpu_pct.
 */
static void test_split_blkio_threads_vsize(void)
{
	struct scenario sc;
	struct st_dump *d = split_incident(&sc, NULL);
	SCENARIO_REQUIRE(&sc, d != NULL && d->trigger_index >= 0);

	const struct st_dump_sample *s = &d->samples[d->trigger_index];
	const struct st_dump_proc *hog = find_proc(s->top_cpu, s->ntop_cpu, 4242);
	SCENARIO_REQUIRE(&sc, hog != NULL);
	CU_ASSERT_DOUBLE_EQUAL(hog->cpu_pct, 90, 0.5);
	CU_ASSERT_DOUBLE_EQUAL(hog->system_cpu_pct, 60, 0.5);
	CU_ASSERT_DOUBLE_EQUAL(hog->user_cpu_pct, 30, 0.5);
	CU_ASSERT_DOUBLE_EQUAL(hog->user_cpu_pct + hog->system_cpu_pct, hog->cpu_pct, 1e-4);
	CU_ASSERT_DOUBLE_EQUAL(hog->blkio_delay_pct, 50, 0.5);
	CU_ASSERT_EQUAL(hog->num_threads, 12);
	CU_ASSERT_EQUAL(hog->vsize_kib, 3u << 20);
	unsigned carried = 0;
	for (uint32_t k = 0; k < d->nsamples; k++) {
		const struct st_dump_sample *ds = &d->samples[k];
		for (uint32_t i = 0; i < ds->ntop_rss; i++) {
			const struct st_dump_proc *p = &ds->top_rss[i];
			CU_ASSERT_EQUAL(p->num_threads, p->pid == 4242 ? 12 : 1);
			/* the first sample has no interval to be a share of */
			if (ds->seq == 1)
				CU_ASSERT_EQUAL(p->blkio_delay_pct, -1);
			if (ds->seq > 1)
				CU_ASSERT(p->blkio_delay_pct >= 0 && p->blkio_delay_pct <= 100);
			if (!(p->flags & ST_PROC_CARRIED))
				continue;
			carried++;
			CU_ASSERT_EQUAL(p->user_cpu_pct, 0);
			CU_ASSERT_EQUAL(p->system_cpu_pct, 0);
			CU_ASSERT_EQUAL(p->blkio_delay_pct, 0);
		}
	}
	CU_ASSERT(carried > 0);
	scenario_stop(&sc);
}

/* With the kernel's delay accounting off, every wait reads 0: the dump
 * says unknown rather than "no wait". */
static void test_blkio_unknown_without_delayacct(void)
{
	struct scenario sc;
	struct st_dump *d = split_incident(&sc, "0\n");
	SCENARIO_REQUIRE(&sc, d != NULL && d->trigger_index >= 0);
	for (uint32_t k = 0; k < d->nsamples; k++)
		for (uint32_t i = 0; i < d->samples[k].ntop_rss; i++)
			CU_ASSERT_EQUAL(d->samples[k].top_rss[i].blkio_delay_pct, -1);
	const struct st_dump_sample *s = &d->samples[d->trigger_index];
	const struct st_dump_proc *hog = find_proc(s->top_cpu, s->ntop_cpu, 4242);
	SCENARIO_REQUIRE(&sc, hog != NULL);
	CU_ASSERT_DOUBLE_EQUAL(hog->system_cpu_pct, 60, 0.5);
	scenario_stop(&sc);

	/* switched on: measured */
	d = split_incident(&sc, "1\n");
	SCENARIO_REQUIRE(&sc, d != NULL && d->trigger_index >= 0);
	s = &d->samples[d->trigger_index];
	hog = find_proc(s->top_cpu, s->ntop_cpu, 4242);
	SCENARIO_REQUIRE(&sc, hog != NULL);
	CU_ASSERT_DOUBLE_EQUAL(hog->blkio_delay_pct, 50, 0.5);
	scenario_stop(&sc);
}

/* The dump keeps the CPU id of each per-core figure, as the sample has it
 * (cpu1 offline: ids 0, 2, 3), and counts 0 .. n-1 when it has none. */
static void test_core_ids_copied(void)
{
	static const uint32_t ids[] = { 0, 2, 3 };
	struct scenario sc;
	scenario_start(&sc, 3, 8u << 20, ONLY_CPU_DELTA);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	scenario_tick(&sc);
	scenario_tick(&sc);
	st_engine_manual_trigger(&sc.engine, "test");
	SCENARIO_REQUIRE(&sc, sc.engine.incidents.open);
	/* What the sampler records for a /proc/stat without cpu1, set on the
	 * older samples; the newest keeps NULL. */
	for (uint32_t i = 0; i + 1 < sc.engine.ring.count; i++) {
		struct st_sample *smp = (struct st_sample *)st_ring_at(&sc.engine.ring, i);
		SCENARIO_REQUIRE(&sc, smp->ncores == 3);
		smp->core_id = ids;
	}
	struct st_dump *d = st_dump_build(&sc.engine.builder, &sc.engine.ring,
					  &sc.engine.sampler.table, &sc.engine.incidents);
	SCENARIO_REQUIRE(&sc, d != NULL && d->nsamples == 3);
	for (uint32_t k = 0; k < d->nsamples; k++) {
		CU_ASSERT_EQUAL_FATAL(d->samples[k].ncores, 3);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d->samples[k].core_id);
		for (uint32_t c = 0; c < 3; c++)
			CU_ASSERT_EQUAL(d->samples[k].core_id[c], k + 1 < d->nsamples ? ids[c] : c);
	}
	st_dump_free(d);
	scenario_stop(&sc);
}

/*
 * The system evidence is copied group by group where the sampler measured
 * it; a group whose bit is clear stays 0 in the dump, whatever the ring's
 * slot holds (a slot is reused, so stale figures are there).
 */
static void test_evidence_copied_where_measured(void)
{
	static const float user[] = { 30, 20, 10 }, sys[] = { 5, 4, 3 };
	struct scenario sc;
	scenario_start(&sc, 3, 8u << 20, ONLY_CPU_DELTA);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	scenario_tick(&sc);
	scenario_tick(&sc);
	st_engine_manual_trigger(&sc.engine, "test");
	SCENARIO_REQUIRE(&sc, sc.engine.incidents.open);
	for (uint32_t i = 0; i < sc.engine.ring.count; i++) {
		struct st_sample *smp = (struct st_sample *)st_ring_at(&sc.engine.ring, i);
		smp->have &= ~(uint32_t)ST_DUMP_HAVE_EVIDENCE;
		smp->have |= i == 0 ? ST_HAVE_PSI_MEMORY | ST_HAVE_VMSTAT | ST_HAVE_MEM_DETAIL
				    : ST_HAVE_LOADAVG | ST_HAVE_DISK | ST_HAVE_CTXT;
		smp->psi_memory = (struct st_pressure){ .some_avg10_pct = 7.5,
							.some_stall_us = 123, .full_known = 1,
							.full_avg10_pct = 2, .full_stall_us = 45 };
		smp->psi_cpu.some_avg10_pct = 99;   /* not measured: must not show */
		smp->vm.pgscan = 1ULL << 40;
		smp->vm.span_s = 10;
		smp->load1 = 3.5f;
		smp->ctxt_delta = 777;
		smp->cached_kib = 2u << 20;
		smp->disk_read_kib = 4096;
		smp->disk_span_s = 1;
		smp->core_user_pct = user;
		smp->core_system_pct = sys;
	}
	struct st_dump *d = st_dump_build(&sc.engine.builder, &sc.engine.ring,
					  &sc.engine.sampler.table, &sc.engine.incidents);
	SCENARIO_REQUIRE(&sc, d != NULL && d->nsamples == 3);
	const struct st_dump_sample *a = &d->samples[0], *b = &d->samples[1];
	CU_ASSERT_EQUAL(a->have, ST_HAVE_PSI_MEMORY | ST_HAVE_VMSTAT | ST_HAVE_MEM_DETAIL);
	CU_ASSERT_EQUAL(a->psi_memory.some_stall_us, 123);
	CU_ASSERT_EQUAL(a->psi_memory.full_stall_us, 45);
	CU_ASSERT_EQUAL(a->psi_memory.full_known, 1);
	CU_ASSERT_EQUAL(a->psi_cpu.some_avg10_pct, 0);
	CU_ASSERT_EQUAL(a->vm.pgscan, 1ULL << 40);
	CU_ASSERT_EQUAL(a->cached_kib, 2u << 20);
	CU_ASSERT_EQUAL(a->load1, 0);
	CU_ASSERT_EQUAL(a->ctxt_delta, 0);
	CU_ASSERT_EQUAL(a->disk_read_kib, 0);
	CU_ASSERT_EQUAL(b->have, ST_HAVE_LOADAVG | ST_HAVE_DISK | ST_HAVE_CTXT);
	CU_ASSERT_EQUAL(b->load1, 3.5);
	CU_ASSERT_EQUAL(b->ctxt_delta, 777);
	CU_ASSERT_EQUAL(b->disk_read_kib, 4096);
	CU_ASSERT_EQUAL(b->vm.pgscan, 0);
	CU_ASSERT_EQUAL(b->cached_kib, 0);
	CU_ASSERT_EQUAL(b->psi_memory.some_stall_us, 0);
	for (uint32_t k = 0; k < d->nsamples; k++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(d->samples[k].core_user_pct);
		CU_ASSERT_EQUAL(d->samples[k].core_user_pct[2], 10);
		CU_ASSERT_EQUAL(d->samples[k].core_system_pct[0], 5);
	}
	st_dump_free(d);
	scenario_stop(&sc);
}

static void write_identity(struct scenario *sc, int32_t pid, const char *uid_line,
			   const char *cmdline, size_t cmdline_len)
{
	char rel[64], *status;
	snprintf(rel, sizeof(rel), "%d/status", pid);
	CU_ASSERT_FATAL(asprintf(&status, "Name:\tculprit\nUmask:\t0022\nState:\tR (running)\n"
				 "Tgid:\t%d\nPid:\t%d\nPPid:\t1\n%s\nGid:\t100\t100\t100\t100\n",
				 pid, pid, uid_line) > 0);
	fake_proc_write(sc->fp, rel, status);
	free(status);
	/* cmdline holds NULs: written by hand. */
	snprintf(rel, sizeof(rel), "%s/%d/cmdline", sc->fp->root, pid);
	FILE *f = fopen(rel, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(cmdline, 1, cmdline_len, f), cmdline_len);
	fclose(f);
}

/*
 * A short-lived culprit: it bursts, the trigger fires, and it is gone
 * before the post-trigger samples are in. Its command line and uids are
 * in the dump all the same, as they were when the trigger fired: the real
 * and effective uid of status, not the owner of /proc/PID.
 */
static void test_identity_captured_at_trigger(void)
{
	static const char argv[] = "./culprit\0--burn\0--seconds=1\0";
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, ONLY_CPU_DELTA);
	struct fake_process p = scenario_settled(&sc, 4242, "culprit", 0);
	write_identity(&sc, 4242, "Uid:\t4321\t0\t0\t0", argv, sizeof(argv) - 1);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	for (int i = 0; i < 3; i++) {
		scenario_burn(&sc, &p, 5);
		scenario_tick(&sc);
	}
	scenario_burn(&sc, &p, 95);
	scenario_tick(&sc);
	SCENARIO_REQUIRE(&sc, scenario_find(&sc, "cpu_delta", 4242) != NULL);
	SCENARIO_REQUIRE(&sc, sc.engine.builder.evidence.n == 1);
	fake_proc_remove(sc.fp, 4242);
	struct st_dump *d = scenario_run_until_dump(&sc, 5);
	SCENARIO_REQUIRE(&sc, d != NULL && d->trigger_index >= 0);

	const struct st_dump_sample *s = &d->samples[d->trigger_index];
	const struct st_dump_proc *culprit = find_proc(s->top_cpu, s->ntop_cpu, 4242);
	SCENARIO_REQUIRE(&sc, culprit != NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(culprit->cmdline);
	CU_ASSERT_STRING_EQUAL(culprit->cmdline, "./culprit --burn --seconds=1");
	CU_ASSERT_FALSE(culprit->flags & ST_DUMP_PROC_CMDLINE_TRUNCATED);
	CU_ASSERT_EQUAL(culprit->uid, 4321);
	CU_ASSERT_EQUAL(culprit->euid, 0);
	/* Used up by the dump: the next incident captures its own. */
	CU_ASSERT_EQUAL(sc.engine.builder.evidence.n, 0);
	scenario_stop(&sc);
}

/* A pid that names another process now (reused: another start time)
 * lends it nothing; a command line longer than the table keeps is cut and
 * flagged; a full table counts what it missed. */
static void test_capture_checks_identity_and_bounds(void)
{
	struct scenario sc;
	scenario_start(&sc, 2, 8u << 20, ONLY_CPU_DELTA);
	struct fake_process p = scenario_settled(&sc, 700, "long", 0);
	size_t len = ST_EVIDENCE_CMDLINE_MAX + 100;
	char *argv = malloc(len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	memset(argv, 'a', len);
	argv[1] = '\0';
	write_identity(&sc, 700, "Uid:\t1000\t1000\t1000\t1000", argv, len);
	free(argv);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	int root = sc.engine.sampler.root_fd;

	struct st_trigger t[ST_EVIDENCE_MAX + 2];
	memset(t, 0, sizeof(t));
	t[0].pid = 700;
	t[0].start_ticks = p.start_ticks + 1;       /* not this process */
	struct st_evidence ev = { 0 };
	st_evidence_capture(&ev, root, t, 1);
	CU_ASSERT_EQUAL(ev.n, 0);

	t[0].start_ticks = p.start_ticks;
	t[1] = t[0];                                /* the same one twice */
	st_evidence_capture(&ev, root, t, 2);
	SCENARIO_REQUIRE(&sc, ev.n == 1);
	const struct st_evidence_proc *e = st_evidence_find(&ev, 700, p.start_ticks);
	SCENARIO_REQUIRE(&sc, e != NULL);
	CU_ASSERT_TRUE(e->cmdline_truncated);
	CU_ASSERT_EQUAL(strlen(e->cmdline), ST_EVIDENCE_CMDLINE_MAX - 1);
	CU_ASSERT_EQUAL(e->cmdline[1], ' ');
	CU_ASSERT_EQUAL(e->uid, 1000);
	CU_ASSERT_EQUAL(e->euid, 1000);

	/* More processes than the table holds. */
	for (int32_t i = 0; i < ST_EVIDENCE_MAX + 2; i++) {
		struct fake_process q = fake_process_make(sc.fp, 800 + i, "many");
		fake_proc_put(sc.fp, &q);
		t[i].pid = q.pid;
		t[i].start_ticks = q.start_ticks;
	}
	st_evidence_capture(&ev, root, t, ST_EVIDENCE_MAX + 2);
	CU_ASSERT_EQUAL(ev.n, ST_EVIDENCE_MAX);
	CU_ASSERT_EQUAL(ev.missed, 3);
	st_evidence_clear(&ev);
	CU_ASSERT_EQUAL(ev.n, 0);
	scenario_stop(&sc);
}

/* A thread's stat under /proc/PID/task/TID: only the fields the parser
 * reads matter. */
static void write_task(struct scenario *sc, int32_t pid, int32_t tid, const char *comm,
		       unsigned utime, unsigned stime)
{
	char rel[64], line[512];
	snprintf(rel, sizeof(rel), "%d/task/%d/stat", pid, tid);
	snprintf(line, sizeof(line),
		 "%d (%s) S 1 %d %d 0 -1 4194304 0 0 0 0 %u %u 0 0 20 0 1 0 100 "
		 "10000000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
		 tid, comm, pid, pid, utime, stime);
	fake_proc_write(sc->fp, rel, line);
}

/*
 * Where the blamed process runs (the unified line of a hybrid host), its
 * I/O, its swap and its busiest threads, all as they were when the
 * trigger fired; another process in the dump gets its place and I/O read
 * when the dump is built, but no threads (those are the blamed one's),
 * and an unreadable io file is unknown, not 0.
 */
static void test_place_io_threads_captured_at_trigger(void)
{
	static const char argv[] = "./burner\0";
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, ONLY_CPU_DELTA);
	struct fake_process p = scenario_settled(&sc, 4242, "burner", 0);
	struct fake_process q = scenario_settled(&sc, 4300, "other", 30);
	write_identity(&sc, 4242, "Uid:\t0\t0\t0\t0\nVmSwap:\t    2048 kB", argv, sizeof(argv) - 1);
	write_identity(&sc, 4300, "Uid:\t1000\t1000\t1000\t1000", argv, sizeof(argv) - 1);
	fake_proc_write(sc.fp, "4242/cgroup",
			"12:memory:/user.slice\n1:name=systemd:/user.slice/user-0.slice/session-1.scope\n"
			"0::/spiketrace-test.slice/burner-test.service\n");
	fake_proc_write(sc.fp, "4242/io", "rchar: 1000\nwchar: 2000\nsyscr: 3\nsyscw: 4\n"
			"read_bytes: 40960\nwrite_bytes: 81920\ncancelled_write_bytes: 0\n");
	/* Seven threads: the five busiest by utime + stime, busiest first. */
	static const unsigned cpu[][2] = { { 5, 0 }, { 100, 50 }, { 1, 1 }, { 70, 0 },
					   { 0, 0 }, { 30, 31 }, { 20, 0 } };
	for (int i = 0; i < 7; i++) {
		char comm[16];
		snprintf(comm, sizeof(comm), "worker-%d", i);
		write_task(&sc, 4242, 4242 + i, comm, cpu[i][0], cpu[i][1]);
	}
	fake_proc_write(sc.fp, "4242/task/not-a-tid", "");
	fake_proc_write(sc.fp, "4300/cgroup", "0::/system.slice/docker-"
			"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\n");
	write_task(&sc, 4300, 4300, "other", 1, 1);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	for (int i = 0; i < 3; i++) {
		scenario_burn(&sc, &p, 5);
		scenario_burn(&sc, &q, 30);
		scenario_tick(&sc);
	}
	scenario_burn(&sc, &p, 95);
	scenario_burn(&sc, &q, 30);
	scenario_tick(&sc);
	SCENARIO_REQUIRE(&sc, scenario_find(&sc, "cpu_delta", 4242) != NULL);
	/* Captured: what the files say after the trigger does not count. */
	fake_proc_write(sc.fp, "4242/cgroup", "0::/system.slice/later.service\n");
	fake_proc_write(sc.fp, "4242/io", "read_bytes: 1\n");
	struct st_dump *d = scenario_run_until_dump(&sc, 5);
	SCENARIO_REQUIRE(&sc, d != NULL && d->trigger_index >= 0);

	const struct st_dump_sample *s = &d->samples[d->trigger_index];
	const struct st_dump_proc *b = find_proc(s->top_cpu, s->ntop_cpu, 4242);
	SCENARIO_REQUIRE(&sc, b != NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b->cgroup);
	CU_ASSERT_STRING_EQUAL(b->cgroup, "/spiketrace-test.slice/burner-test.service");
	CU_ASSERT_STRING_EQUAL(b->unit, "burner-test.service");
	CU_ASSERT_STRING_EQUAL(b->slice, "spiketrace-test.slice");
	CU_ASSERT_EQUAL(b->user_uid, -1);
	CU_ASSERT_FALSE(b->flags & (ST_DUMP_PROC_USER_UNIT | ST_DUMP_PROC_CGROUP_TRUNCATED));
	CU_ASSERT_EQUAL(b->io_rchar, 1000);
	CU_ASSERT_EQUAL(b->io_wchar, 2000);
	CU_ASSERT_EQUAL(b->io_read_bytes, 40960);
	CU_ASSERT_EQUAL(b->io_write_bytes, 81920);
	CU_ASSERT_EQUAL(b->swap_kib, 2048);
	CU_ASSERT_EQUAL_FATAL(b->nthreads, 5);
	static const int32_t tids[] = { 4243, 4245, 4247, 4248, 4242 };
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(b->threads[i].tid, tids[i]);
	CU_ASSERT_STRING_EQUAL(b->threads[0].comm, "worker-1");
	long hz = sysconf(_SC_CLK_TCK);
	CU_ASSERT_DOUBLE_EQUAL(b->threads[0].utime_s, 100.0 / (double)hz, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(b->threads[0].stime_s, 50.0 / (double)hz, 1e-9);
	CU_ASSERT_FALSE(b->flags & ST_DUMP_PROC_THREADS_TRUNCATED);

	const struct st_dump_proc *o = find_proc(s->top_cpu, s->ntop_cpu, 4300);
	SCENARIO_REQUIRE(&sc, o != NULL);
	CU_ASSERT_STRING_EQUAL(o->container_runtime, "docker");
	CU_ASSERT_EQUAL(strlen(o->container_id), 64);
	CU_ASSERT_STRING_EQUAL(o->slice, "system.slice");
	CU_ASSERT_EQUAL(o->io_read_bytes, -1);     /* no io file */
	CU_ASSERT_EQUAL(o->io_rchar, -1);
	CU_ASSERT_EQUAL(o->swap_kib, -1);          /* no VmSwap line */
	CU_ASSERT_EQUAL(o->nthreads, 0);
	scenario_stop(&sc);
}

/* A process with more tasks than are read: the busiest of those read,
 * flagged as such. */
static void test_threads_bounded(void)
{
	struct scenario sc;
	scenario_start(&sc, 2, 8u << 20, ONLY_CPU_DELTA);
	struct fake_process p = scenario_settled(&sc, 500, "many", 0);
	for (int32_t i = 0; i < ST_EVIDENCE_TASKS_READ + 10; i++)
		write_task(&sc, 500, 1000 + i, "t", (unsigned)i, 0);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	struct st_trigger t = { .pid = 500, .start_ticks = p.start_ticks };
	struct st_evidence ev = { 0 };
	st_evidence_capture(&ev, sc.engine.sampler.root_fd, &t, 1);
	SCENARIO_REQUIRE(&sc, ev.n == 1);
	CU_ASSERT_EQUAL(ev.procs[0].tasks_read, ST_EVIDENCE_TASKS_READ);
	CU_ASSERT_TRUE(ev.procs[0].tasks_truncated);
	CU_ASSERT_EQUAL(ev.procs[0].nthreads, ST_EVIDENCE_THREADS);
	for (uint32_t i = 1; i < ev.procs[0].nthreads; i++)
		CU_ASSERT(ev.procs[0].threads[i - 1].utime >= ev.procs[0].threads[i].utime);
	scenario_stop(&sc);
}

/* The real /proc: this process's own I/O is known; another user's is
 * "unknown" without CAP_SYS_PTRACE (checked as nobody when run as root). */
static int io_of(int root, int32_t pid, struct st_evidence_proc *e)
{
	char rel[32], buf[1024];
	struct st_pid_stat ps;
	snprintf(rel, sizeof(rel), "%d/stat", pid);
	int fd = openat(root, rel, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0 || st_parse_pid_stat(buf, (size_t)n, &ps) < 0)
		return -1;
	return st_evidence_read(root, pid, ps.start_ticks, 0, e);
}

static void test_io_denied_real(void)
{
	static struct st_evidence_proc e;
	int root = open("/proc", O_RDONLY | O_DIRECTORY);
	CU_ASSERT_FATAL(root >= 0);
	CU_ASSERT_EQUAL_FATAL(io_of(root, getpid(), &e), 0);
	CU_ASSERT(e.io.rchar > 0);
	CU_ASSERT(e.has_cgroup);
	if (geteuid() != 0) {
		CU_ASSERT_EQUAL_FATAL(io_of(root, 1, &e), 0);
		CU_ASSERT_EQUAL(e.io.read_bytes, -1);
		CU_ASSERT_EQUAL(e.io.rchar, -1);
		close(root);
		return;
	}
	pid_t child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			_exit(2);
		if (io_of(root, 1, &e) < 0)
			_exit(3);
		_exit(e.io.read_bytes == -1 && e.io.rchar == -1 && e.io.wchar == -1 ? 0 : 1);
	}
	int status;
	CU_ASSERT_EQUAL_FATAL(waitpid(child, &status, 0), child);
	CU_ASSERT(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
	close(root);
}

/*
 * One second of the fake machine read by the fast ring at 10 Hz, with
 * one core busy for the tenths in [burst_from, burst_to): the engine's
 * tick at the end of the second comes first, then the fast reading, as
 * the daemon does when both are due.
 */
static void fast_second(struct scenario *sc, int burst_from, int burst_to)
{
	for (int k = 0; k < 10; k++) {
		if (k >= burst_from && k < burst_to)
			sc->fp->busy_ticks += (uint64_t)sc->fp->hz / 10;
		if (k < 9)
			fake_proc_advance(sc->fp, 0.1);
		else
			scenario_tick_for(sc, 0.1);
		st_engine_fast_tick(&sc->engine);
	}
}

/*
 * A 300 ms burst of one core between two 1 s samples of a 2-core
 * machine: the sample averages it to 15 % of the machine, while three of
 * the dump's 10 Hz readings show it at 50 % (a whole core). The dump
 * holds exactly the readings over its samples' span, none from before;
 * the sampler's own intervals are not disturbed by the readings between.
 */
static void test_fast_readings_of_the_window(void)
{
	struct scenario sc;
	scenario_start(&sc, 2, 8u << 20, "fast_interval = 0.1\n" ONLY_CPU_DELTA);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	SCENARIO_REQUIRE(&sc, sc.engine.fast.rec != NULL);
	for (int i = 0; i < 12; i++)
		fast_second(&sc, 0, 0);
	fast_second(&sc, 3, 6);
	st_engine_manual_trigger(&sc.engine, "test");
	size_t before = sc.ndumps;
	for (int i = 0; i < 4 && sc.ndumps == before; i++)
		fast_second(&sc, 0, 0);
	SCENARIO_REQUIRE(&sc, sc.ndumps == before + 1);
	const struct st_dump *d = sc.dumps[before];
	SCENARIO_REQUIRE(&sc, d->trigger_index >= 1);
	const struct st_dump_sample *trig = st_dump_at(d, (uint32_t)d->trigger_index);
	CU_ASSERT_DOUBLE_EQUAL(trig->cpu_total_pct, 15.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(d->fast_interval_s, 0.1, 1e-12);
	CU_ASSERT_EQUAL(d->fast_size, sizeof(struct st_dump_fast));
	/* Ten readings per sample, the first sample's interval included,
	 * but for the one due with the closing tick: read after it. */
	if (d->nfast != d->nsamples * 10 - 1)
		fprintf(stderr, "\n  nfast %u for %u samples\n", d->nfast, d->nsamples);
	CU_ASSERT_EQUAL_FATAL(d->nfast, d->nsamples * 10 - 1);
	const struct st_dump_sample *first = st_dump_at(d, 0);
	const struct st_dump_sample *last = st_dump_at(d, d->nsamples - 1);
	CU_ASSERT_EQUAL(st_dump_fast_at(d, 0)->offset_ns, first->offset_ns - 900000000);
	CU_ASSERT_EQUAL(st_dump_fast_at(d, d->nfast - 1)->offset_ns,
			last->offset_ns - 100000000);
	unsigned busy = 0, idle = 0;
	for (uint32_t i = 0; i < d->nfast; i++) {
		const struct st_dump_fast *f = st_dump_fast_at(d, i);
		CU_ASSERT_EQUAL(f->offset_ns, f->mono_ns - d->mono_ns);
		CU_ASSERT(f->have & ST_DUMP_FAST_CPU);
		CU_ASSERT_DOUBLE_EQUAL(f->interval_s, 0.1, 1e-6);
		CU_ASSERT_EQUAL(f->mem_available_kib, trig->mem_available_kib);
		/* The burst is the trigger sample's second: (-1 s, 0]. */
		if (f->offset_ns > -1000000000LL && f->offset_ns <= 0 &&
		    f->cpu_total_pct > 49.9 && f->cpu_total_pct < 50.1)
			busy++;
		else if (f->cpu_total_pct == 0)
			idle++;
	}
	CU_ASSERT_EQUAL(busy, 3);
	CU_ASSERT_EQUAL(idle, d->nfast - 3);
	scenario_stop(&sc);
}

/* fast_interval = 0: no ring, nothing read, a dump without readings. */
static void test_fast_off(void)
{
	struct scenario sc;
	scenario_start(&sc, 2, 8u << 20, "fast_interval = 0\n" ONLY_CPU_DELTA);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	CU_ASSERT_PTR_NULL(sc.engine.fast.rec);
	fast_second(&sc, 3, 6);
	CU_ASSERT_EQUAL(st_fast_ring_count(&sc.engine.fast), 0);
	st_engine_manual_trigger(&sc.engine, "test");
	struct st_dump *d = scenario_run_until_dump(&sc, 4);
	SCENARIO_REQUIRE(&sc, d != NULL);
	CU_ASSERT_EQUAL(d->nfast, 0);
	CU_ASSERT_PTR_NULL(d->fast);
	CU_ASSERT_EQUAL(d->fast_interval_s, 0);
	scenario_stop(&sc);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "fast readings of the dump's window", test_fast_readings_of_the_window },
		{ "fast_interval = 0: no readings", test_fast_off },
		{ "top_cpu: own + children, no idle, no carried",
		  test_top_cpu_ranks_cost_and_leaves_out_idle },
		{ "per-core ids copied", test_core_ids_copied },
		{ "cpu split, blkio wait, threads and vsize", test_split_blkio_threads_vsize },
		{ "blkio wait unknown when delay accounting is off",
		  test_blkio_unknown_without_delayacct },
		{ "evidence copied where measured", test_evidence_copied_where_measured },
		{ "identity captured when the trigger fires", test_identity_captured_at_trigger },
		{ "capture: pid reuse, long command line, full table",
		  test_capture_checks_identity_and_bounds },
		{ "cgroup, io, swap and threads captured at the trigger",
		  test_place_io_threads_captured_at_trigger },
		{ "threads: a bounded read of the tasks", test_threads_bounded },
		{ "io of another user's process: unknown", test_io_denied_real },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("dump_builder", tests);
}
