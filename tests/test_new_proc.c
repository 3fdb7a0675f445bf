/* new_proc, the real plugin, in the real engine over scripted fake /proc trees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_runner.h"
#include "dump/dump.h"
#include "scenario.h"

#include <CUnit/CUnit.h>

static void begin(struct scenario *sc, const char *config_tail)
{
	scenario_start(sc, 4, 8u << 20, config_tail);
}

static void begun(struct scenario *sc)
{
	CU_ASSERT_EQUAL_FATAL(scenario_begin(sc), 0);
}

/* Accepted triggers of this type in the last tick. */
static size_t count(const struct scenario *sc, const char *type)
{
	size_t n = 0;
	for (size_t i = 0; i < sc->engine.naccepted; i++)
		n += strcmp(sc->engine.accepted[i].type, type) == 0;
	return n;
}

static uint64_t ticks(const struct scenario *sc, double seconds)
{
	return (uint64_t)(seconds * (double)sc->fp->hz + 0.5);
}

/* A process that, at the next tick's sample, will be age_s old and will
 * have run at pct of one core since it started. Written to the tree. */
static struct fake_process born(struct scenario *sc, int32_t pid, const char *comm,
				double age_s, double pct)
{
	struct fake_process p = fake_process_make(sc->fp, pid, comm);
	p.start_ticks = sc->fp->elapsed_ticks + ticks(sc, 1.0) - ticks(sc, age_s);
	p.utime = (uint64_t)(pct / 100.0 * (double)ticks(sc, age_s) + 0.5);
	sc->fp->busy_ticks += p.utime;
	fake_proc_put(sc->fp, &p);
	return p;
}

static void test_fires_on_first_sight(void)
{
	struct scenario sc;
	/* No cooldown: a second trigger could only come from the detector. */
	begin(&sc, "detectors { new_proc { cooldown = 0 } }");
	struct fake_process idle = fake_process_make(sc.fp, 100, "idle");
	fake_proc_put(sc.fp, &idle);
	begun(&sc);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);

	struct fake_process p = born(&sc, 300, "burner", 0.6, 80);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 1);
	const struct st_trigger *t = scenario_find(&sc, "new_proc", 300);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t->comm, "burner");
	CU_ASSERT_EQUAL(t->start_ticks, p.start_ticks);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 80.0, 1e-3);
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, 0.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t->threshold, 5.0, 1e-9);
	CU_ASSERT_STRING_EQUAL(t->units, "pct");
	CU_ASSERT_STRING_EQUAL(t->summary,
			       "new process at 80.0% of one core (started 0.6 s ago)");

	/* Still busy, but no longer new. */
	for (int i = 0; i < 3; i++) {
		scenario_burn(&sc, &p, 100);
		scenario_tick(&sc);
		CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	}
	scenario_stop(&sc);
}

static void test_fires_at_exactly_threshold(void)
{
	struct scenario sc;
	begin(&sc, "detectors { new_proc { threshold_pct = 5 } }");
	begun(&sc);
	scenario_tick(&sc);
	born(&sc, 400, "five", 10, 5);
	scenario_tick(&sc);
	const struct st_trigger *t = scenario_find(&sc, "new_proc", 400);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 5.0, 1e-3);
	scenario_stop(&sc);
}

static void test_silent_just_below_threshold(void)
{
	struct scenario sc;
	begin(&sc, "detectors { new_proc { threshold_pct = 5 } }");
	begun(&sc);
	scenario_tick(&sc);
	/* 400 ms of CPU: plenty to believe, but 4% < 5%. */
	struct fake_process p = born(&sc, 400, "four", 10, 4);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	scenario_burn(&sc, &p, 4);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	scenario_stop(&sc);
}

static struct st_loaded_plugin *find_plugin(struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->engine.plugins.n; i++)
		if (strcmp(sc->engine.plugins.items[i].desc->name, name) == 0)
			return &sc->engine.plugins.items[i];
	return NULL;
}

static void test_first_sample_is_not_news(void)
{
	struct scenario sc;
	begin(&sc, NULL);
	/* Busy (8% each: the 4 cores full) for their whole lives before the
	 * daemon started. */
	struct fake_process old[50];
	for (int i = 0; i < 50; i++) {
		old[i] = fake_process_make(sc.fp, 1000 + i, "old busy");
		old[i].start_ticks = sc.fp->elapsed_ticks - ticks(&sc, 30);
		old[i].utime = ticks(&sc, 30 * 0.08);
		fake_proc_put(sc.fp, &old[i]);
	}
	begun(&sc);

	/* The engine takes sample 1 before the detectors exist; had new_proc
	 * been shown it, every one of these reads as new and busy. */
	struct st_loaded_plugin *np = find_plugin(&sc, "new_proc");
	CU_ASSERT_PTR_NOT_NULL_FATAL(np);
	CU_ASSERT_FATAL(np->running);
	struct st_history h;
	st_sampler_history(&sc.engine.sampler, &sc.engine.ring, &h);
	CU_ASSERT_EQUAL_FATAL(h.count, 1);
	CU_ASSERT_EQUAL(h.samples[0]->seq, 1);
	CU_ASSERT_EQUAL_FATAL(h.samples[0]->nprocs, 50);
	CU_ASSERT(h.samples[0]->procs[0].flags & ST_PROC_NEW);
	CU_ASSERT_DOUBLE_EQUAL(h.samples[0]->procs[0].cpu_pct, 8.0, 1e-3);
	struct st_trigger out[ST_TRIGGERS_PER_DETECTOR];
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(np->desc->evaluate(np->state, &h, out, ST_TRIGGERS_PER_DETECTOR), 0);

	/* And no burst once the ticks start. */
	for (int t = 0; t < 3; t++) {
		for (int i = 0; i < 50; i++)
			scenario_burn(&sc, &old[i], 8);
		scenario_tick(&sc);
		CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	}
	scenario_stop(&sc);
}

static void test_after_history_wraps(void)
{
	struct scenario sc;
	begin(&sc, "detectors { new_proc { cooldown = 0 } }");
	struct fake_process old = scenario_settled(&sc, 100, "old busy", 100);
	begun(&sc);
	for (int t = 0; t < 40; t++) {
		scenario_burn(&sc, &old, 100);
		scenario_tick(&sc);
		CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	}
	/* samples[0] is no longer sample 1: "oldest in the history" must not
	 * be mistaken for "the daemon's first". */
	struct st_history h;
	st_sampler_history(&sc.engine.sampler, &sc.engine.ring, &h);
	CU_ASSERT(h.samples[0]->seq > 1);
	scenario_burn(&sc, &old, 100);
	born(&sc, 200, "late", 0.5, 100);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 1);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "new_proc", 200));
	scenario_stop(&sc);
}

static void test_one_tick_in_a_few_ms_is_noise(void)
{
	struct scenario sc;
	begin(&sc, NULL);
	begun(&sc);
	scenario_tick(&sc);
	/* One tick charged in its first 10 ms reads as 100% of a core. */
	struct fake_process p = born(&sc, 500, "blip", 0.01, 100);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	/* Looked at again over a full second: idle, so still nothing. */
	for (int i = 0; i < 3; i++) {
		scenario_burn(&sc, &p, 0);
		scenario_tick(&sc);
		CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	}
	scenario_stop(&sc);
}

static void test_min_cpu_ms_boundary(void)
{
	struct scenario sc;
	begin(&sc, NULL);
	begun(&sc);
	scenario_tick(&sc);
	born(&sc, 600, "fifty ms", 0.1, 50);   /* 50 ms: enough */
	born(&sc, 601, "forty ms", 0.1, 40);   /* 40 ms: not yet */
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 1);
	const struct st_trigger *t = scenario_find(&sc, "new_proc", 600);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 50.0, 1e-3);
	scenario_stop(&sc);
}

static void test_min_cpu_ms_option(void)
{
	struct scenario sc;
	begin(&sc, "detectors { new_proc { min_cpu_ms = 0 } }");
	begun(&sc);
	scenario_tick(&sc);
	born(&sc, 500, "blip", 0.01, 100);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "new_proc", 500));
	scenario_stop(&sc);
}

static void test_too_young_then_busy(void)
{
	struct scenario sc;
	begin(&sc, NULL);
	begun(&sc);
	scenario_tick(&sc);
	/* Started 20 ms before the sample: too young to judge... */
	struct fake_process p = born(&sc, 700, "eager", 0.02, 100);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	/* ...and a full core ever since: caught on the second look. */
	scenario_burn(&sc, &p, 100);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 1);
	const struct st_trigger *t = scenario_find(&sc, "new_proc", 700);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 100.0, 0.5);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "started 1.0 s ago"));
	/* Only one second look. */
	scenario_burn(&sc, &p, 100);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	scenario_stop(&sc);
}

/* An off-tick sample 0.1 s after the one that found a process too young
 * is not its second look: 20% of a core for 0.2 s is still too little to
 * judge, and the process is judged on the next tick, over its second. */
static void test_off_tick_sample_is_no_second_look(void)
{
	struct scenario sc;
	begin(&sc, NULL);
	begun(&sc);
	scenario_tick(&sc);
	struct fake_process p = born(&sc, 710, "steady", 0.1, 20);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	int64_t tick_at = fake_proc_clock(sc.fp) + 1000000000LL;
	fake_proc_advance(sc.fp, 0.1);
	uint64_t used = (uint64_t)ticks(&sc, 0.1 * 0.2);
	p.utime += used;
	sc.fp->busy_ticks += used;
	fake_proc_put(sc.fp, &p);
	st_off_tick_request(&sc.engine.off_tick, "test", "a kernel trigger");
	int64_t at = 0;
	struct st_dump *dump = NULL;
	CU_ASSERT_EQUAL(st_engine_off_tick_step(&sc.engine, fake_proc_clock(sc.fp), tick_at,
						&at, &dump), ST_OFF_TICK_NOW);
	const struct st_sample *off = st_ring_newest(&sc.engine.ring);
	CU_ASSERT(off->flags & ST_SAMPLE_OFF_TICK);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	st_dump_free(dump);
	/* The rest of the second at 20%: now it is judged, and is news. */
	used = (uint64_t)ticks(&sc, 0.9 * 0.2);
	p.utime += used;
	sc.fp->busy_ticks += used;
	fake_proc_put(sc.fp, &p);
	scenario_tick_for(&sc, 0.9);
	const struct st_trigger *t = scenario_find(&sc, "new_proc", 710);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 20.0, 0.5);
	scenario_stop(&sc);
}

static void test_reused_pid_is_new(void)
{
	struct scenario sc;
	begin(&sc, NULL);
	struct fake_process old = scenario_settled(&sc, 800, "old", 0);
	begun(&sc);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	/* Between two samples the old one exits and a busy newcomer gets
	 * its pid: only start_ticks tells them apart. */
	struct fake_process young = born(&sc, 800, "young", 0.5, 90);
	CU_ASSERT_NOT_EQUAL(young.start_ticks, old.start_ticks);
	scenario_tick(&sc);
	const struct st_trigger *t = scenario_find(&sc, "new_proc", 800);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->start_ticks, young.start_ticks);
	CU_ASSERT_STRING_EQUAL(t->comm, "young");
	scenario_stop(&sc);
}

static void test_five_thousand_idle_and_one_busy(void)
{
	struct scenario sc;
	begin(&sc, NULL);
	struct fake_process idle = fake_process_make(sc.fp, 0, "idle");
	for (int32_t pid = 10000; pid < 15000; pid++) {
		idle.pid = pid;
		fake_proc_put(sc.fp, &idle);
	}
	begun(&sc);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(sc.engine.naccepted, 0);
	born(&sc, 20000, "needle", 0.5, 100);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(st_ring_newest(&sc.engine.ring)->nprocs, 5001);
	CU_ASSERT_EQUAL(sc.engine.naccepted, 1);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "new_proc", 20000));
	scenario_stop(&sc);
}

static void test_different_processes_each_fire(void)
{
	struct scenario sc;
	begin(&sc, NULL);   /* default cooldown: 5 s */
	begun(&sc);
	scenario_tick(&sc);
	born(&sc, 900, "first", 0.5, 100);
	born(&sc, 901, "second", 0.5, 100);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 2);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "new_proc", 900));
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "new_proc", 901));
	/* Within the cooldown, but another key. */
	born(&sc, 902, "third", 0.5, 100);
	scenario_tick(&sc);
	CU_ASSERT_EQUAL(count(&sc, "new_proc"), 1);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "new_proc", 902));
	scenario_stop(&sc);
}

/* A process missing from one listing comes back with the same identity:
 * the sampler sees it as new again, and only the cooldown tells. The two
 * sightings are two ticks apart: inside the default 5 s whether the engine
 * runs on the real clock (milliseconds) or the fake one (2 s). */
static size_t reappearing_triggers(const char *config_tail)
{
	struct scenario sc;
	char tail[256];
	/* episodes off: this is about the cooldown alone */
	snprintf(tail, sizeof(tail), "max_incident = 0\n%s", config_tail ? config_tail : "");
	begin(&sc, tail);
	begun(&sc);
	scenario_tick(&sc);
	struct fake_process p = born(&sc, 950, "flicker", 0.5, 100);
	scenario_tick(&sc);
	size_t n = count(&sc, "new_proc");
	fake_proc_remove(sc.fp, 950);
	p.utime += ticks(&sc, 1);
	scenario_tick(&sc);
	scenario_burn(&sc, &p, 100);
	scenario_tick(&sc);
	n += count(&sc, "new_proc");
	scenario_stop(&sc);
	return n;
}

/* Processes too short for any sample: a group new this sample that used
 * enough is news, by name; the same group the next second is not. */
static void test_exited_group_is_new(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, "detectors { cpu_delta { enabled = false } }");
	struct fake_process sh = scenario_settled(&sc, 812, "sh", 0);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	scenario_tick(&sc);
	scenario_exits(&sc, "spkorphan", 812, 1, 240, 3.75);
	scenario_burn(&sc, &sh, 0);
	scenario_tick(&sc);
	const struct st_trigger *t = scenario_find(&sc, "new_proc", 0);
	SCENARIO_REQUIRE(&sc, t != NULL);
	CU_ASSERT_STRING_EQUAL(t->comm, "spkorphan");
	CU_ASSERT_EQUAL(t->exited_count, 240);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 90.0, 0.01);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "forked by sh"));
	scenario_exits(&sc, "spkorphan", 812, 1, 240, 3.75);
	scenario_burn(&sc, &sh, 0);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "new_proc", -1));
	/* Too little CPU in all: 20 processes of 1 ms. */
	scenario_exits(&sc, "tiny", 812, 1, 20, 1.0);
	scenario_burn(&sc, &sh, 0);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "new_proc", -1));
	scenario_stop(&sc);
}

static void test_cooldown(void)
{
	CU_ASSERT_EQUAL(reappearing_triggers(NULL), 1);
	CU_ASSERT_EQUAL(reappearing_triggers("detectors { new_proc { cooldown = 0 } }"), 2);
	CU_ASSERT_EQUAL(reappearing_triggers("detectors { new_proc { cooldown = 3600 } }"), 1);
}

static void test_bad_options_refused(void)
{
	const char *bad[] = {
		"detectors { new_proc { threshold_pct = 0.05 } }",
		"detectors { new_proc { threshold_pct = 7000 } }",
		"detectors { new_proc { min_cpu_ms = -1 } }",
		"detectors { new_proc { min_cpu_ms = 10001 } }",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct scenario sc;
		begin(&sc, bad[i]);
		CU_ASSERT_NOT_EQUAL(scenario_begin(&sc), 0);
		scenario_stop(&sc);
	}
}

/* A new busy process and a settled process's spike in the same tick. */
static void same_tick(const char *config_tail, int new_proc_enabled)
{
	struct scenario sc;
	begin(&sc, config_tail);
	struct fake_process steady = scenario_settled(&sc, 100, "steady", 5);
	begun(&sc);
	for (int i = 0; i < 3; i++) {
		scenario_burn(&sc, &steady, 5);
		scenario_tick(&sc);
	}
	scenario_burn(&sc, &steady, 90);
	born(&sc, 300, "newcomer", 0.6, 80);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "cpu_delta", 100));
	if (new_proc_enabled) {
		CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "new_proc", 300));
	} else {
		CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	}
	scenario_stop(&sc);
}

static void test_disabled_hides_nothing_else(void)
{
	same_tick("detectors { new_proc { enabled = false } }", 0);
}

static void test_both_fire_in_one_tick(void)
{
	same_tick(NULL, 1);
}

/* The rate limit used up by another new process: the busy one it refused
 * is reported once the limit allows, not lost because it is no longer new. */
static void test_refused_is_reported_later(void)
{
	struct scenario sc;
	begin(&sc, "max_dumps_per_minute = 1\n"
	      "detectors { cpu_delta { enabled = false } }");
	begun(&sc);
	scenario_tick(&sc);
	struct fake_process first = born(&sc, 300, "first", 0.5, 90);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "new_proc", 300));
	scenario_burn(&sc, &first, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(scenario_run_until_dump(&sc, 3));

	struct fake_process late = born(&sc, 400, "late", 0.5, 90);
	scenario_tick(&sc);
	/* Refused: no token left. */
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "new_proc", 400));
	unsigned waited = 1;
	const struct st_trigger *t = NULL;
	for (; waited < 70 && !t; waited++) {
		scenario_burn(&sc, &first, 1);
		scenario_burn(&sc, &late, 95);
		scenario_tick(&sc);
		t = scenario_find(&sc, "new_proc", 400);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* The token comes back a minute after the first incident opened. */
	CU_ASSERT(waited >= 55);
	CU_ASSERT_STRING_EQUAL(t->comm, "late");
	CU_ASSERT(t->value >= 90 && t->value <= 95.01);
	/* Taken: said once, not again while it stays busy. */
	for (int i = 0; i < 5; i++) {
		scenario_burn(&sc, &late, 95);
		scenario_tick(&sc);
		CU_ASSERT_EQUAL(count(&sc, "new_proc"), 0);
	}
	CU_ASSERT_EQUAL(sc.ndumps, 2);
	scenario_stop(&sc);
}

/* Refused, then idle: it no longer qualifies and is not reported. */
static void test_refused_then_idle_is_dropped(void)
{
	struct scenario sc;
	begin(&sc, "max_dumps_per_minute = 1\n"
	      "detectors { cpu_delta { enabled = false } }");
	begun(&sc);
	scenario_tick(&sc);
	born(&sc, 300, "first", 0.5, 90);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(scenario_run_until_dump(&sc, 3));
	/* 2 s old at 6% of a core: just above the 5% threshold. */
	struct fake_process late = born(&sc, 400, "late", 2, 6);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "new_proc", 400));
	for (int i = 0; i < 70; i++) {
		scenario_tick(&sc);     /* idle: its average falls below 5% */
		CU_ASSERT_PTR_NULL(scenario_find(&sc, "new_proc", 400));
	}
	(void)late;
	scenario_stop(&sc);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "fires on the first sample that sees it", test_fires_on_first_sight },
		{ "fires at exactly the threshold", test_fires_at_exactly_threshold },
		{ "silent just below the threshold", test_silent_just_below_threshold },
		{ "processes running at start are not new", test_first_sample_is_not_news },
		{ "still right after the history wraps", test_after_history_wraps },
		{ "one tick in a few ms is noise", test_one_tick_in_a_few_ms_is_noise },
		{ "min_cpu_ms boundary", test_min_cpu_ms_boundary },
		{ "min_cpu_ms option", test_min_cpu_ms_option },
		{ "too young, then busy: second look", test_too_young_then_busy },
		{ "an off-tick sample is no second look", test_off_tick_sample_is_no_second_look },
		{ "a reused pid is a new process", test_reused_pid_is_new },
		{ "5000 idle processes and one busy", test_five_thousand_idle_and_one_busy },
		{ "different processes each fire", test_different_processes_each_fire },
		{ "an exited group new this sample is news", test_exited_group_is_new },
		{ "cooldown option", test_cooldown },
		{ "out-of-range options refused", test_bad_options_refused },
		{ "disabled new_proc hides no cpu_delta", test_disabled_hides_nothing_else },
		{ "new_proc and cpu_delta in one tick", test_both_fire_in_one_tick },
		{ "refused by the rate limit, reported later", test_refused_is_reported_later },
		{ "refused, then idle: not reported", test_refused_then_idle_is_dropped },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("new_proc", tests);
}
