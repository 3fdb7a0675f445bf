/* cpu_delta, the real plugin in the real engine, over scripted fake /proc
 * trees: one second per tick, CPU in percent of one core. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_runner.h"
#include "scenario.h"

#define ONLY_CPU_DELTA(opts) "detectors { cpu_delta { " opts " } }"

static void test_fires_at_threshold(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, ONLY_CPU_DELTA("threshold_pct = 10"));
	struct fake_process p = scenario_settled(&sc, 4242, "spiky worker", 5);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	for (int i = 0; i < 5; i++) {
		scenario_burn(&sc, &p, 5);
		scenario_tick(&sc);
		CU_ASSERT_PTR_NULL(scenario_find(&sc, "cpu_delta", -1));
	}
	/* The baseline is exactly 5%: +10 points is the threshold. */
	scenario_burn(&sc, &p, 15);
	scenario_tick(&sc);
	const struct st_trigger *t = scenario_find(&sc, "cpu_delta", 4242);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t->comm, "spiky worker");
	CU_ASSERT_DOUBLE_EQUAL(t->value, 15.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, 5.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(t->threshold, 10.0, 1e-9);
	CU_ASSERT_STRING_EQUAL(t->units, "pct");
	CU_ASSERT_EQUAL(t->start_ticks, p.start_ticks);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "15.0%"));
	scenario_stop(&sc);
}

static void test_silent_just_below(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, ONLY_CPU_DELTA("threshold_pct = 10"));
	struct fake_process p = scenario_settled(&sc, 4242, "steady", 5);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	for (int i = 0; i < 5; i++) {
		scenario_burn(&sc, &p, 5);
		scenario_tick(&sc);
	}
	scenario_burn(&sc, &p, 14);     /* +9 points */
	scenario_tick(&sc);
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "cpu_delta", -1));
	scenario_stop(&sc);
}

static void test_idle_to_full_core(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, NULL);
	struct fake_process idle = scenario_settled(&sc, 100, "idle", 0);
	struct fake_process p = scenario_settled(&sc, 200, "burner", 0);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	scenario_burn(&sc, &idle, 0);
	scenario_burn(&sc, &p, 0);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(sc.engine.naccepted, 0);
	scenario_burn(&sc, &p, 100);
	scenario_tick(&sc);
	const struct st_trigger *t = scenario_find(&sc, "cpu_delta", 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* 100 = one full core, on a 4-core machine. */
	CU_ASSERT_DOUBLE_EQUAL(t->value, 100.0, 1e-6);
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "cpu_delta", 100));
	scenario_stop(&sc);
}

static void test_same_on_many_cores(void)
{
	/* A threshold means the same on 2 cores and on 64. */
	for (unsigned cores = 2; cores <= 64; cores *= 32) {
		struct scenario sc;
		scenario_start(&sc, cores, 8u << 20, ONLY_CPU_DELTA("threshold_pct = 50"));
		struct fake_process p = scenario_settled(&sc, 300, "w", 0);
		CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
		scenario_burn(&sc, &p, 0);
		scenario_tick(&sc);
		scenario_burn(&sc, &p, 60);
		scenario_tick(&sc);
		const struct st_trigger *t = scenario_find(&sc, "cpu_delta", 300);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_DOUBLE_EQUAL(t->value, 60.0, 1e-6);
		scenario_stop(&sc);
	}
}

static void test_no_trigger_at_start(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, NULL);
	/* Busy for its whole life before the daemon started: it has a
	 * baseline once seen, and a steady load is no spike. */
	struct fake_process p = scenario_settled(&sc, 300, "old busy", 100);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	for (int i = 0; i < 3; i++) {
		scenario_burn(&sc, &p, 100);
		scenario_tick(&sc);
		CU_ASSERT_EQUAL(sc.engine.naccepted, 0);
	}
	scenario_stop(&sc);
}

static void test_reaped_children_count(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, NULL);
	struct fake_process make = scenario_settled(&sc, 500, "make", 0);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	scenario_burn(&sc, &make, 0);
	scenario_tick(&sc);
	/* Compilers that live and die within the second: only the parent's
	 * cutime/cstime show them. */
	make.cutime += (uint64_t)sc.fp->hz * 6 / 10;
	make.cstime += (uint64_t)sc.fp->hz * 3 / 10;
	scenario_burn(&sc, &make, 0);
	scenario_tick(&sc);
	const struct st_trigger *t = scenario_find(&sc, "cpu_delta", 500);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 90.0, 1e-6);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "children"));
	scenario_stop(&sc);
}

/* Double-forked processes reaped by init: the group is to blame, not the
 * init whose cutime holds their CPU too. */
static void test_exited_group_blamed_not_its_reaper(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, "detectors { new_proc { enabled = false } }");
	struct fake_process init = scenario_settled(&sc, 1, "init", 0);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	scenario_burn(&sc, &init, 0);
	scenario_tick(&sc);
	/* A few the second before: the group's baseline, 2%. */
	scenario_exits(&sc, "spkorphan", 812, 1, 20, 1.0);
	init.cutime += (uint64_t)sc.fp->hz * 2 / 100;
	scenario_burn(&sc, &init, 0);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "cpu_delta", -1));
	/* 240 of them, 0.9 s of CPU: 90% of one core. */
	scenario_exits(&sc, "spkorphan", 812, 1, 240, 3.75);
	init.cutime += (uint64_t)sc.fp->hz * 90 / 100;
	scenario_burn(&sc, &init, 0);
	scenario_tick(&sc);
	SCENARIO_REQUIRE(&sc, scenario_find(&sc, "cpu_delta", 1) == NULL);
	const struct st_trigger *t = scenario_find(&sc, "cpu_delta", 0);
	SCENARIO_REQUIRE(&sc, t != NULL);
	CU_ASSERT_STRING_EQUAL(t->comm, "spkorphan");
	CU_ASSERT_EQUAL(t->exited_count, 240);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 90.0, 0.01);
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, 2.0, 0.01);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "reaped by [1]"));
	scenario_stop(&sc);
}

static void test_long_child_exit_is_no_spike(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, NULL);
	struct fake_process shell = scenario_settled(&sc, 510, "shell", 0);
	struct fake_process job = scenario_settled(&sc, 511, "job", 100);
	job.ppid = 510;
	fake_proc_put(sc.fp, &job);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	/* Every process read every tick: this is about the reaped credit;
	 * a quiet parent carried past its child's exit is test_sampler's. */
	sc.engine.sampler.read_all = 1;
	for (int i = 0; i < 4; i++) {
		scenario_burn(&sc, &shell, 0);
		scenario_burn(&sc, &job, 100);
		scenario_tick(&sc);
	}
	/* The job ends and the shell reaps it: its cutime grows by the job's
	 * whole life (14 s of CPU), all of which the samples saw as the job's
	 * own. That is no spike of the shell. */
	shell.cutime += job.utime + (uint64_t)sc.fp->hz / 20;
	fake_proc_remove(sc.fp, 511);
	scenario_burn(&sc, &shell, 0);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "cpu_delta", 510));
	/* What no sample saw (the last 0.05 s of the job) is still counted. */
	const struct st_sample *now = st_ring_newest(&sc.engine.ring);
	for (uint32_t i = 0; i < now->nprocs; i++)
		if (sc.engine.sampler.table.infos[now->procs[i].info].pid == 510)
			CU_ASSERT_DOUBLE_EQUAL(now->procs[i].children_cpu_pct, 5.0, 1e-3);
	scenario_stop(&sc);
}

static void test_reused_pid_inherits_nothing(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, NULL);
	struct fake_process old = scenario_settled(&sc, 600, "old", 0);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	scenario_burn(&sc, &old, 0);
	scenario_tick(&sc);
	/* The old process exits; a busy newcomer gets its pid. Comparing it
	 * with the old one's idle baseline would be a false spike. */
	struct fake_process young = fake_process_make(sc.fp, 600, "young");
	young.start_ticks = sc.fp->elapsed_ticks + 10;
	scenario_burn(&sc, &young, 80);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "cpu_delta", -1));
	scenario_burn(&sc, &young, 80);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "cpu_delta", -1));
	scenario_stop(&sc);
}

/*
 * The read policy carries a quiet process (not re-read every tick). One
 * that was carried for k ticks and bursts to 90% in the tick it is read
 * fires at 90%, for every k up to the rotation: its carried ticks measured
 * nothing and move neither the comparison nor the baseline.
 */
#define QUIET 24
static void test_burst_after_carried_ticks(void)
{
	for (unsigned k = 1; k <= ST_READ_ROTATION; k++) {
		struct scenario sc;
		struct fake_process p[QUIET];
		scenario_start(&sc, 4, 8u << 20, ONLY_CPU_DELTA("threshold_pct = 50"));
		for (int i = 0; i < QUIET; i++)
			p[i] = scenario_settled(&sc, 3000 + i, "quiet", 0);
		SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
		for (unsigned t = 0; t < 2 * ST_READ_ROTATION; t++)
			scenario_tick(&sc);
		const struct st_sampler *sm = &sc.engine.sampler;
		struct fake_process *w = NULL;
		unsigned carried = 0;
		for (int i = 0; i < QUIET && !w; i++) {
			uint32_t slot = st_proc_table_find(&sm->table, p[i].pid);
			if (sm->table.tracks[slot].read_seq + k - 1 == sm->seq)
				w = &p[i];
		}
		SCENARIO_REQUIRE(&sc, w != NULL);
		const struct st_sample *last = st_ring_newest(&sc.engine.ring);
		for (uint32_t i = 0; i < last->nprocs; i++)
			carried += (last->procs[i].flags & ST_PROC_CARRIED) != 0;
		CU_ASSERT(carried > QUIET / 2);     /* the policy is on */
		scenario_burn(&sc, w, 90);
		scenario_tick(&sc);
		const struct st_trigger *t = scenario_find(&sc, "cpu_delta", w->pid);
		SCENARIO_REQUIRE(&sc, t != NULL);
		CU_ASSERT_DOUBLE_EQUAL(t->value, 90.0, 1e-3);
		CU_ASSERT_DOUBLE_EQUAL(t->baseline, 0.0, 1e-3);
		scenario_stop(&sc);
	}
}

/* The baseline's weight follows from the interval and half_life_s: at
 * 1 s with a half-life of 2 s, one second at 100% moves a 0% baseline to
 * 100 * (1 - 2^-0.5) = 29.3%, so the next second at 100% is +70.7. */
static void test_half_life(void)
{
	const char *conf[] = { ONLY_CPU_DELTA("threshold_pct = 70 half_life_s = 2 cooldown = 0"),
			       ONLY_CPU_DELTA("threshold_pct = 71 half_life_s = 2 cooldown = 0") };
	for (int c = 0; c < 2; c++) {
		struct scenario sc;
		scenario_start(&sc, 4, 8u << 20, conf[c]);
		struct fake_process p = scenario_settled(&sc, 600, "ramp", 0);
		SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
		sc.engine.sampler.read_all = 1;
		scenario_burn(&sc, &p, 0);
		scenario_tick(&sc);
		/* first second at 100: +100 against 0, fires either way */
		scenario_burn(&sc, &p, 100);
		scenario_tick(&sc);
		/* second: +70.7 against the moved baseline */
		scenario_burn(&sc, &p, 100);
		scenario_tick(&sc);
		const struct st_trigger *t = scenario_find(&sc, "cpu_delta", 600);
		if (c == 0) {
			SCENARIO_REQUIRE(&sc, t != NULL);
			CU_ASSERT_DOUBLE_EQUAL(t->baseline, 100 * (1 - 1 / sqrt(2)), 0.01);
		} else {
			CU_ASSERT_PTR_NULL(t);
		}
		scenario_stop(&sc);
	}
}

/* A process execs (sh becomes a burner) and burns: the same process in the
 * same slot, so its baseline (0 %) is kept and the burn fires. */
static void test_exec_then_burn(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, ONLY_CPU_DELTA("threshold_pct = 50"));
	struct fake_process p = scenario_settled(&sc, 200, "sh", 0);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	for (int i = 0; i < 3; i++) {
		scenario_burn(&sc, &p, 0);
		scenario_tick(&sc);
	}
	snprintf(p.comm, sizeof(p.comm), "burner");
	scenario_burn(&sc, &p, 100);
	scenario_tick(&sc);
	const struct st_trigger *t = scenario_find(&sc, "cpu_delta", 200);
	SCENARIO_REQUIRE(&sc, t != NULL);
	CU_ASSERT_STRING_EQUAL(t->comm, "burner");
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, 0, 1e-3);
	scenario_stop(&sc);
}

static void test_cooldown(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, "max_incident = 0\n" ONLY_CPU_DELTA("cooldown = 5 half_life_s = 0.01"));
	struct fake_process p = scenario_settled(&sc, 700, "flappy", 0);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	int fired[12] = { 0 };
	/* A half-life of 0.01 s: the baseline is the previous second, so every
	 * on-second after an off-second is a spike. */
	for (int i = 0; i < 12; i++) {
		scenario_burn(&sc, &p, i % 2 ? 80 : 0);
		scenario_tick(&sc);
		fired[i] = scenario_find(&sc, "cpu_delta", 700) != NULL;
	}
	/* Spikes at 1, 3, 5, 7, 9, 11 s: 1 fires, 3 and 5 are within 5 s,
	 * 7 fires (6 s later), 9 and 11 are within 5 s of it. */
	CU_ASSERT(fired[1] && !fired[3] && !fired[5] && fired[7] && !fired[9] && !fired[11]);
	scenario_stop(&sc);
}

static void test_disabled(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, ONLY_CPU_DELTA("enabled = false"));
	struct fake_process p = scenario_settled(&sc, 800, "w", 0);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	scenario_burn(&sc, &p, 0);
	scenario_tick(&sc);
	scenario_burn(&sc, &p, 100);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "cpu_delta", -1));
	scenario_stop(&sc);
}

static void test_comm_with_parentheses(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, NULL);
	struct fake_process p = scenario_settled(&sc, 900, "a) b (c", 0);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	scenario_burn(&sc, &p, 0);
	scenario_tick(&sc);
	scenario_burn(&sc, &p, 50);
	scenario_tick(&sc);
	const struct st_trigger *t = scenario_find(&sc, "cpu_delta", 900);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t->comm, "a) b (c");
	scenario_stop(&sc);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "fires at exactly the threshold", test_fires_at_threshold },
		{ "silent one point below it", test_silent_just_below },
		{ "idle to a full core", test_idle_to_full_core },
		{ "the same threshold on 2 and 64 cores", test_same_on_many_cores },
		{ "no trigger at start-up", test_no_trigger_at_start },
		{ "reaped children's CPU counts", test_reaped_children_count },
		{ "an exited group is blamed, not its reaper", test_exited_group_blamed_not_its_reaper },
		{ "a long-running child's exit is no spike", test_long_child_exit_is_no_spike },
		{ "a reused pid inherits no baseline", test_reused_pid_inherits_nothing },
		{ "cooldown", test_cooldown },
		{ "an exec keeps the baseline: the burn after it fires", test_exec_then_burn },
		{ "a burst after k carried ticks fires at what it was", test_burst_after_carried_ticks },
		{ "the baseline's half-life, not a weight per sample", test_half_life },
		{ "disabled", test_disabled },
		{ "comm with parentheses", test_comm_with_parentheses },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("cpu_delta", tests);
}
