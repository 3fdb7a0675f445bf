/* The dump builder (core/dump_builder.c) through the real engine over a
 * fake /proc: what each sample's lists hold and how each record says it
 * was measured. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_runner.h"
#include "dump.h"
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
		if (s->procs[i].pid == pid)
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

int main(void)
{
	CU_TestInfo tests[] = {
		{ "top_cpu: own + children, no idle, no carried",
		  test_top_cpu_ranks_cost_and_leaves_out_idle },
		{ "per-core ids copied", test_core_ids_copied },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("dump_builder", tests);
}
