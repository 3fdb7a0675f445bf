/* mem_pressure, the real plugin in the real engine over a fake /proc: RAM
 * in use reaching threshold_pct, once per episode (hysteresis). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_runner.h"
#include "scenario.h"

/* A round total makes the percentages exact: 1,000,000 KiB available is
 * 90.0% in use. */
#define TOTAL 10000000ull
#define AVAIL_AT(pct) (TOTAL - TOTAL / 1000 * (uint64_t)((pct) * 10 + 0.5))

#define QUIET "max_dumps_per_minute = 600\n" \
	"detectors { cpu_delta { enabled = false } mem_drop { enabled = false }\n" \
	"  swap_spike { enabled = false }\n"

struct machine {
	struct scenario sc;
	struct fake_process big;
	struct fake_process grower;
};

/* The machine with this config tail. */
static int boot_with(struct machine *m, const char *tail, uint64_t avail)
{
	scenario_start(&m->sc, 4, TOTAL, tail);
	fake_proc_set_memory(m->sc.fp, avail, 0, 0);
	m->big = fake_process_make(m->sc.fp, 100, "big");
	fake_process_set_rss_kib(&m->big, 4000000);
	fake_proc_put(m->sc.fp, &m->big);
	m->grower = fake_process_make(m->sc.fp, 200, "grower");
	fake_process_set_rss_kib(&m->grower, 100000);
	fake_proc_put(m->sc.fp, &m->grower);
	return scenario_begin(&m->sc);
}

/* The machine sampling every interval with only mem_pressure on,
 * configured by detectors. */
static int boot_at(struct machine *m, double interval, const char *detectors,
		   uint64_t avail)
{
	char tail[512];
	/* 60 samples: 12 s at 0.2, for a 10 s blame window. */
	snprintf(tail, sizeof(tail), "interval = %g\nhistory = 60\n" QUIET "%s }",
		 interval, detectors ? detectors : "");
	return boot_with(m, tail, avail);
}

static int boot(struct machine *m, const char *detectors, uint64_t avail)
{
	return boot_at(m, 1, detectors, avail);
}

/* One second at this much available; grower takes what went, big a
 * little of it. Returns the mem_pressure trigger, if any. */
static const struct st_trigger *at(struct machine *m, uint64_t avail)
{
	uint64_t before = m->sc.fp->mem_available_kib;
	if (avail < before) {
		fake_process_set_rss_kib(&m->grower, fake_process_rss_kib(&m->grower) + (before - avail));
		fake_process_set_rss_kib(&m->big, fake_process_rss_kib(&m->big) + 4000);
	}
	fake_proc_put(m->sc.fp, &m->grower);
	fake_proc_put(m->sc.fp, &m->big);
	fake_proc_set_memory(m->sc.fp, avail, 0, 0);
	scenario_tick(&m->sc);
	return scenario_find(&m->sc, "mem_pressure", -1);
}

static void test_fires_at_threshold(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, AVAIL_AT(85)) == 0);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(85)));
	const struct st_trigger *t = at(&m, 1000000);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 200);
	CU_ASSERT_STRING_EQUAL(t->comm, "grower");
	CU_ASSERT_EQUAL(t->start_ticks, m.grower.start_ticks);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 90.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, 85.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t->threshold, 90.0, 1e-9);
	CU_ASSERT_STRING_EQUAL(t->units, "pct");
	CU_ASSERT_STRING_EQUAL(t->summary,
			       "memory 90.0% used (8.6 GiB of 9.5 GiB), was 85.0%; "
			       "grower grew 488.3 MiB");
	scenario_stop(&m.sc);
}

static void test_silent_just_below(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, AVAIL_AT(85)) == 0);
	at(&m, AVAIL_AT(85));
	for (int i = 0; i < 8; i++)
		CU_ASSERT_PTR_NULL(at(&m, 1000001));  /* 89.99999% */
	scenario_stop(&m.sc);
}

static void test_once_per_episode_with_hysteresis(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, AVAIL_AT(85)) == 0);
	at(&m, AVAIL_AT(85));
	CU_ASSERT_PTR_NOT_NULL(at(&m, AVAIL_AT(90)));
	/* It lasts for longer than the cooldown: still one trigger. */
	for (int i = 0; i < 10; i++)
		CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(i % 2 ? 95 : 92)));
	/* Below the threshold but not below threshold - hysteresis (85):
	 * still the same episode. */
	CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(86)));
	CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(85)));
	CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(91)));
	/* Cleared: 84.9% re-arms, and a new rise is a new episode. */
	CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(84.9)));
	CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(89)));
	const struct st_trigger *t = at(&m, AVAIL_AT(93));
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 93.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, 89.0, 1e-9);
	CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(93)));
	scenario_stop(&m.sc);
}

static void test_hysteresis_option(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, "mem_pressure { threshold_pct = 80 hysteresis_pct = 20 }",
			    AVAIL_AT(50)) == 0);
	at(&m, AVAIL_AT(50));
	CU_ASSERT_PTR_NOT_NULL(at(&m, AVAIL_AT(80)));
	CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(61)));
	for (int i = 0; i < 6; i++)
		CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(85)));
	CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(59.9)));
	const struct st_trigger *t = at(&m, AVAIL_AT(81));
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_DOUBLE_EQUAL(t->threshold, 80.0, 1e-9);
	scenario_stop(&m.sc);
}

static void test_hysteresis_must_be_below_threshold(void)
{
	struct machine m;
	char *dir = st_test_mkdtemp(), path[4096];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	int saved = st_test_stderr_to(path);
	int rc = boot(&m, "mem_pressure { threshold_pct = 5 hysteresis_pct = 5 }", AVAIL_AT(50));
	st_test_stderr_back(saved);
	/* A config error, as --check-config says: not a daemon that starts
	 * with mem_pressure silently off. Its section is on line 11. */
	CU_ASSERT_EQUAL(rc, 78);
	char *said = st_test_slurp(path);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "spiketrace.conf:11: detectors/mem_pressure: "
				      "hysteresis_pct (5) must be below threshold_pct (5)\n"));
	free(said);
	scenario_stop(&m.sc);
	st_test_rmtree(dir);
	free(dir);
}

static void test_already_above_at_start(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, AVAIL_AT(95)) == 0);
	/* For the detector the episode starts at its first evaluation. */
	const struct st_trigger *t = at(&m, AVAIL_AT(95));
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 95.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, 95.0, 1e-9);
	/* Nothing grew: nobody to blame, and the summary says so. */
	CU_ASSERT_EQUAL(t->pid, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "no process accounts for it"));
	for (int i = 0; i < 8; i++)
		CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(95)));
	scenario_stop(&m.sc);
}

static void test_disabled(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, "mem_pressure { enabled = false }", AVAIL_AT(50)) == 0);
	at(&m, AVAIL_AT(50));
	CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(99)));
	CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(99)));
	scenario_stop(&m.sc);
}

static void test_no_memavailable_no_trigger(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, AVAIL_AT(50)) == 0);
	at(&m, AVAIL_AT(50));
	/* An old kernel: MemFree alone counts the page cache as used. */
	char buf[256];
	snprintf(buf, sizeof(buf), "MemTotal: %llu kB\nMemFree: %llu kB\n",
		 TOTAL, TOTAL / 100);
	fake_proc_write(m.sc.fp, "meminfo", buf);
	for (int i = 0; i < 3; i++) {
		scenario_tick(&m.sc);
		CU_ASSERT_PTR_NULL(scenario_find(&m.sc, "mem_pressure", -1));
	}
	/* MemAvailable is back and says 95%: that fires. */
	CU_ASSERT_PTR_NOT_NULL(at(&m, AVAIL_AT(95)));
	scenario_stop(&m.sc);
}

static void test_odd_figures_never_fire(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, AVAIL_AT(50)) == 0);
	struct st_loaded_plugin *p = NULL;
	for (size_t i = 0; i < m.sc.engine.plugins.n; i++)
		if (strcmp(m.sc.engine.plugins.items[i].desc->name, "mem_pressure") == 0)
			p = &m.sc.engine.plugins.items[i];
	SCENARIO_REQUIRE(&m.sc, p != NULL);
	struct st_sample s[2];
	memset(s, 0, sizeof(s));
	s[0].seq = 1;
	s[1].seq = 2;
	const struct st_sample *ptrs[2] = { &s[0], &s[1] };
	struct st_history h = { .size = sizeof(h), .count = 2, .samples = ptrs, .clock_ticks = 100 };
	struct st_trigger out[2];

	/* No figures (0 of 0 would be NaN%). */
	CU_ASSERT_EQUAL(p->desc->evaluate(p->state, &h, out, 2), 0);
	/* A zero total with the bits set. */
	s[1].have = ST_HAVE_MEM | ST_HAVE_MEMAVAIL;
	CU_ASSERT_EQUAL(p->desc->evaluate(p->state, &h, out, 2), 0);
	/* More available than there is: 0%, not negative. */
	s[1].mem_total_kib = 1000;
	s[1].mem_available_kib = 5000;
	CU_ASSERT_EQUAL(p->desc->evaluate(p->state, &h, out, 2), 0);
	/* Sane: fires, and a previous sample without figures gives no
	 * baseline of NaN but the value itself. */
	s[1].mem_available_kib = 10;
	memset(out, 0, sizeof(out));
	SCENARIO_REQUIRE(&m.sc, p->desc->evaluate(p->state, &h, out, 2) == 1);
	CU_ASSERT_DOUBLE_EQUAL(out[0].value, 99.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(out[0].baseline, 99.0, 1e-9);
	scenario_stop(&m.sc);
}

/* After 3 steady seconds "early" takes 800 MB over 2 s, then nothing
 * moves for 5 s, then grower takes 250 MB in a second and use crosses 90%. */
struct episode {
	struct machine m;
	struct fake_process early;
	uint64_t avail;
	double interval;
};

static void episode_step(void *ctx, double t)
{
	struct episode *e = ctx;
	struct fake_process *who = t >= 3 && t < 5 ? &e->early :
				   t >= 10 && t < 11 ? &e->m.grower : NULL;
	if (!who)
		return;
	uint64_t kib = (uint64_t)((who == &e->early ? 400000 : 250000) * e->interval + 0.5);
	fake_process_set_rss_kib(who, fake_process_rss_kib(who) + kib);
	fake_proc_put(e->m.sc.fp, who);
	e->avail -= kib;
	fake_proc_set_memory(e->m.sc.fp, e->avail, 0, 0);
}

/* The pid mem_pressure blamed sampling every `interval`, or -1 (-2: no start). */
static int32_t blamed_at(double interval, const char *detectors)
{
	struct episode e;
	e.interval = interval;
	e.avail = AVAIL_AT(80);
	int32_t blamed = -2;
	if (boot_at(&e.m, interval, detectors, e.avail) == 0) {
		e.early = fake_process_make(e.m.sc.fp, 300, "early");
		fake_proc_put(e.m.sc.fp, &e.early);
		blamed = scenario_first_blame(&e.m.sc, interval, 12, "mem_pressure",
					      episode_step, &e);
	}
	scenario_stop(&e.m.sc);
	return blamed;
}

/* blame_window_s is seconds: the default 10 s reaches back to early's
 * 800 MB at every interval. Counting samples, 10 of them were 2 s at 0.2
 * and named the process that only tipped it over. */
static void test_blame_window_in_seconds(void)
{
	CU_ASSERT_EQUAL(blamed_at(1.0, NULL), 300);
	CU_ASSERT_EQUAL(blamed_at(0.2, NULL), 300);
	CU_ASSERT_EQUAL(blamed_at(0.2, "mem_pressure { blame_window_s = 2 }"), 200);
	/* The deprecated count keeps its meaning: 10 samples, 2 s at 0.2. */
	CU_ASSERT_EQUAL(blamed_at(0.2, "mem_pressure { blame_window = 10 }"), 200);
	CU_ASSERT_EQUAL(blamed_at(1.0, "mem_pressure { blame_window = 10 }"), 300);
}

/* cpu_delta used the rate limit; memory then stays at 94%: mem_pressure
 * fires once the limit allows, and only once. */
static void test_refused_trigger_rearms(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot_with(&m, "max_dumps_per_minute = 1\n"
				 "detectors { mem_drop { enabled = false }\n"
				 "  swap_spike { enabled = false } new_proc { enabled = false }\n"
				 "  cpu_delta { threshold_pct = 20 } }", AVAIL_AT(50)) == 0);
	struct fake_process burner = scenario_settled(&m.sc, 300, "burner", 1);
	at(&m, AVAIL_AT(50));
	scenario_burn(&m.sc, &burner, 90);
	at(&m, AVAIL_AT(50));
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&m.sc, "cpu_delta", 300));
	for (int i = 0; i < 3 && m.sc.ndumps == 0; i++) {
		scenario_burn(&m.sc, &burner, 1);
		at(&m, AVAIL_AT(50));
	}
	SCENARIO_REQUIRE(&m.sc, m.sc.ndumps == 1);
	/* The rise itself is refused: the limit is used up. */
	CU_ASSERT_PTR_NULL(at(&m, AVAIL_AT(94)));
	unsigned fired = 0, waited = 0;
	for (int i = 0; i < 120; i++) {
		scenario_burn(&m.sc, &burner, 1);
		if (at(&m, AVAIL_AT(94))) {
			fired++;
			waited = (unsigned)i + 1;
		}
	}
	CU_ASSERT_EQUAL(fired, 1);
	CU_ASSERT(waited >= 50 && waited <= 60);
	SCENARIO_REQUIRE(&m.sc, m.sc.ndumps == 2);
	CU_ASSERT_STRING_EQUAL(m.sc.dumps[1]->triggers[0].trigger.type, "mem_pressure");
	scenario_stop(&m.sc);
}

/* One second at this much available with meminfo's breakdown grown by
 * these since boot (5 GB anonymous, 2 GB cached of which 200 MB shmem,
 * 300 MB slab; cache: the page cache beside shmem, which Cached counts
 * too). No process grows. Returns the mem_pressure trigger, if any. */
static const struct st_trigger *at_breakdown(struct machine *m, uint64_t avail, uint64_t cache,
					     uint64_t shmem, uint64_t slab)
{
	fake_proc_set_breakdown(m->sc.fp, 5000000, 2000000 + cache + shmem, 200000 + shmem,
				150000, 150000 + slab);
	fake_proc_set_memory(m->sc.fp, avail, 0, 0);
	scenario_tick(&m->sc);
	return scenario_find(&m->sc, "mem_pressure", -1);
}

/* Use reaches 90% and no process grew: a tmpfs took 400,000 KiB and the
 * kernel's slab 100,000. The summary names them with their figures. */
static void test_no_process_says_where(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, AVAIL_AT(85)) == 0);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_PTR_NULL(at_breakdown(&m, AVAIL_AT(85), 0, 0, 0));
	const struct st_trigger *t = at_breakdown(&m, AVAIL_AT(90), 0, 400000, 100000);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 0);
	CU_ASSERT_STRING_EQUAL(t->summary,
			       "memory 90.0% used (8.6 GiB of 9.5 GiB), was 85.0%; "
			       "no process accounts for it: tmpfs/shmem +390.6 MiB, "
			       "kernel slab +97.7 MiB");
	scenario_stop(&m.sc);
}

/* Where the memory went is told over blame_window_s, the span the blame
 * covers: the page cache that grew 4 s before the trigger is outside a
 * 2 s window, the shmem of the last second inside it. */
static void test_where_over_the_blame_window(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, "mem_pressure { blame_window_s = 2 }", AVAIL_AT(85)) == 0);
	CU_ASSERT_PTR_NULL(at_breakdown(&m, AVAIL_AT(85), 0, 0, 0));
	for (int i = 0; i < 4; i++)
		CU_ASSERT_PTR_NULL(at_breakdown(&m, AVAIL_AT(85), 1000000, 0, 0));
	const struct st_trigger *t = at_breakdown(&m, AVAIL_AT(90), 1000000, 500000, 0);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "; no process accounts for it: "
				      "tmpfs/shmem +488.3 MiB"));
	CU_ASSERT_PTR_NULL(strstr(t->summary, "page cache"));
	scenario_stop(&m.sc);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "fires at exactly the threshold, blames the grower", test_fires_at_threshold },
		{ "silent just below it", test_silent_just_below },
		{ "once per episode; hysteresis re-arms", test_once_per_episode_with_hysteresis },
		{ "hysteresis_pct and threshold_pct options", test_hysteresis_option },
		{ "hysteresis must be below the threshold", test_hysteresis_must_be_below_threshold },
		{ "already above the threshold at start", test_already_above_at_start },
		{ "disabled in the config", test_disabled },
		{ "no MemAvailable: no trigger", test_no_memavailable_no_trigger },
		{ "odd figures never fire", test_odd_figures_never_fire },
		{ "blame_window_s: seconds at every interval", test_blame_window_in_seconds },
		{ "refused by the rate limit: fires when it allows", test_refused_trigger_rearms },
		{ "no process to blame: the summary says where the memory went", test_no_process_says_where },
		{ "where the memory went, over blame_window_s", test_where_over_the_blame_window },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("mem_pressure", tests);
}
