/* swap_spike, the real plugin in the real engine over a fake /proc: swap
 * in use rising against its low of the last `window_s` seconds. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_runner.h"
#include "scenario.h"

#define GIB (1024u * 1024u)          /* in KiB */
#define MIB 1024u
#define TOTAL (8 * (uint64_t)GIB)
#define AVAIL (4 * (uint64_t)GIB)
#define SWAP (4 * (uint64_t)GIB)
#define START_USED (100 * (uint64_t)MIB)

#define QUIET "max_dumps_per_minute = 600\n" \
	"detectors { cpu_delta { enabled = false } mem_drop { enabled = false }\n" \
	"  mem_pressure { enabled = false }\n"

struct machine {
	struct scenario sc;
	struct fake_process big;
	struct fake_process grower;
	uint64_t swap_total, used;
};

static void put_memory(struct machine *m)
{
	fake_proc_set_memory(m->sc.fp, AVAIL, m->swap_total,
			     m->swap_total > m->used ? m->swap_total - m->used : 0);
}

/* head: main options before the detectors section. */
static void boot_head(struct machine *m, double interval, const char *head,
		      const char *detectors, uint64_t swap_total)
{
	char tail[512];
	snprintf(tail, sizeof(tail), "interval = %g\n%s" QUIET "%s }", interval, head,
		 detectors ? detectors : "");
	scenario_start(&m->sc, 4, TOTAL, tail);
	m->swap_total = swap_total;
	m->used = swap_total ? START_USED : 0;
	put_memory(m);
	m->big = fake_process_make(m->sc.fp, 100, "big");
	fake_process_set_rss_kib(&m->big, 3 * (uint64_t)GIB);
	fake_proc_put(m->sc.fp, &m->big);
	m->grower = fake_process_make(m->sc.fp, 200, "grower");
	fake_process_set_rss_kib(&m->grower, 100 * MIB);
	fake_proc_put(m->sc.fp, &m->grower);
}

static void boot_only_at(struct machine *m, double interval, const char *detectors,
			 uint64_t swap_total)
{
	boot_head(m, interval, "", detectors, swap_total);
}

static void boot_only(struct machine *m, const char *detectors, uint64_t swap_total)
{
	boot_only_at(m, 1, detectors, swap_total);
}

static int boot(struct machine *m, const char *detectors, uint64_t swap_total)
{
	boot_only(m, detectors, swap_total);
	return scenario_begin(&m->sc);
}

/* One second in which swap in use rises by rise_kib (negative: falls),
 * pushed out by grower's growth; big grows a little too. Returns the
 * swap_spike trigger, if any. */
static const struct st_trigger *step(struct machine *m, int64_t rise_kib)
{
	m->used = (uint64_t)((int64_t)m->used + rise_kib);
	put_memory(m);
	if (rise_kib > 0) {
		fake_process_set_rss_kib(&m->grower, fake_process_rss_kib(&m->grower) + (uint64_t)rise_kib);
		fake_process_set_rss_kib(&m->big, fake_process_rss_kib(&m->big) + 8 * MIB);
	}
	fake_proc_put(m->sc.fp, &m->grower);
	fake_proc_put(m->sc.fp, &m->big);
	scenario_tick(&m->sc);
	return scenario_find(&m->sc, "swap_spike", -1);
}

static void steady(struct machine *m, int seconds)
{
	for (int i = 0; i < seconds; i++)
		CU_ASSERT_PTR_NULL(step(m, 0));
}

static void test_fires_at_threshold(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, SWAP) == 0);
	steady(&m, 3);
	const struct st_trigger *t = step(&m, 256 * MIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 200);
	CU_ASSERT_STRING_EQUAL(t->comm, "grower");
	CU_ASSERT_EQUAL(t->start_ticks, m.grower.start_ticks);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 256.0 * MIB, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, (double)START_USED, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t->threshold, 256.0 * MIB, 1e-9);
	CU_ASSERT_STRING_EQUAL(t->units, "kib");
	CU_ASSERT_STRING_EQUAL(t->summary,
			       "swap in use rose 256.0 MiB in 1 s (100.0 MiB -> 356.0 MiB of 4.0 GiB); "
			       "grower grew 256.0 MiB");
	scenario_stop(&m.sc);
}

static void test_silent_just_below(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, SWAP) == 0);
	steady(&m, 3);
	CU_ASSERT_PTR_NULL(step(&m, 256 * MIB - 1));
	scenario_stop(&m.sc);
}

static void test_rise_over_two_samples(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, SWAP) == 0);
	steady(&m, 3);
	CU_ASSERT_PTR_NULL(step(&m, 150 * MIB));
	const struct st_trigger *t = step(&m, 150 * MIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 200);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 300.0 * MIB, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, (double)START_USED, 1e-9);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "rose 300.0 MiB in 2 s"));
	scenario_stop(&m.sc);
}

static void test_rise_over_window_plus_one_is_silent(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, SWAP) == 0);
	steady(&m, 3);
	/* 4 x 64 MiB = the threshold, spread over window + 1 samples. */
	for (int i = 0; i < 10; i++)
		CU_ASSERT_PTR_NULL(step(&m, 64 * MIB));
	scenario_stop(&m.sc);
}

static void test_cooldown(void)
{
	struct machine m;
	/* episodes off: this is the cooldown alone */
	boot_head(&m, 1, "max_incident = 0\n", NULL, SWAP);
	SCENARIO_REQUIRE(&m.sc, scenario_begin(&m.sc) == 0);
	steady(&m, 3);
	CU_ASSERT_PTR_NOT_NULL(step(&m, 300 * MIB));
	for (int i = 1; i < 5; i++)
		CU_ASSERT_PTR_NULL(step(&m, 300 * MIB));
	const struct st_trigger *t = step(&m, 300 * MIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 200);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 900.0 * MIB, 1e-9);
	scenario_stop(&m.sc);
}

static void test_disabled(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, "swap_spike { enabled = false }", SWAP) == 0);
	steady(&m, 3);
	CU_ASSERT_PTR_NULL(step(&m, 2 * (int64_t)GIB));
	scenario_stop(&m.sc);
}

static void test_falling_swap_never_fires(void)
{
	struct machine m;
	boot_only(&m, NULL, SWAP);
	m.used = 3 * (uint64_t)GIB;     /* a swapped-out past, now coming back */
	put_memory(&m);
	SCENARIO_REQUIRE(&m.sc, scenario_begin(&m.sc) == 0);
	steady(&m, 4);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_PTR_NULL(step(&m, -512 * (int64_t)MIB));
	scenario_stop(&m.sc);
}

/* No swap: never a trigger, and not a word, from start-up on. */
static void run_without_swap(struct machine *m, const char *path)
{
	int saved = st_test_stderr_to(path);
	int rc = scenario_begin(&m->sc);
	/* Memory vanishes as if into swap, but there is none. */
	for (int i = 0; rc == 0 && i < 8; i++) {
		fake_proc_set_memory(m->sc.fp, AVAIL - (uint64_t)i * 256 * MIB, 0,
				     i % 2 ? 0 : 512 * MIB);
		scenario_tick(&m->sc);
		CU_ASSERT_PTR_NULL(scenario_find(&m->sc, "swap_spike", -1));
	}
	st_test_stderr_back(saved);
	CU_ASSERT_EQUAL(rc, 0);
	char *said = st_test_slurp(path);
	CU_ASSERT_STRING_EQUAL(said, "");
	free(said);
}

static void test_no_swap_configured(void)
{
	struct machine m;
	char *dir = st_test_mkdtemp(), path[4096];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	/* SwapTotal 0 (SwapFree wobbling, as no kernel would: still none). */
	boot_only(&m, NULL, 0);
	run_without_swap(&m, path);
	scenario_stop(&m.sc);
	st_test_rmtree(dir);
	free(dir);
}

static void test_no_swap_lines(void)
{
	struct machine m;
	char *dir = st_test_mkdtemp(), path[4096];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, SWAP) == 0);
	steady(&m, 2);
	/* The Swap lines disappear (a kernel built without swap): the have
	 * bit goes, and with it any comparison. */
	char buf[256];
	snprintf(buf, sizeof(buf), "MemTotal: %llu kB\nMemFree: %llu kB\nMemAvailable: %llu kB\n",
		 (unsigned long long)TOTAL, (unsigned long long)AVAIL,
		 (unsigned long long)AVAIL);
	fake_proc_write(m.sc.fp, "meminfo", buf);
	int saved = st_test_stderr_to(path);
	for (int i = 0; i < 4; i++) {
		scenario_tick(&m.sc);
		CU_ASSERT_PTR_NULL(scenario_find(&m.sc, "swap_spike", -1));
	}
	st_test_stderr_back(saved);
	char *said = st_test_slurp(path);
	CU_ASSERT_STRING_EQUAL(said, "");
	free(said);
	/* Swap comes back full: no low to rise from in the window yet... */
	m.used = 2 * (uint64_t)GIB;
	CU_ASSERT_PTR_NULL(step(&m, 0));
	/* ...and from then on it is measured as usual. */
	CU_ASSERT_PTR_NOT_NULL(step(&m, 300 * MIB));
	scenario_stop(&m.sc);
	st_test_rmtree(dir);
	free(dir);
}

static void test_odd_figures_never_fire(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL, SWAP) == 0);
	struct st_loaded_plugin *p = NULL;
	for (size_t i = 0; i < m.sc.engine.plugins.n; i++)
		if (strcmp(m.sc.engine.plugins.items[i].desc->name, "swap_spike") == 0)
			p = &m.sc.engine.plugins.items[i];
	SCENARIO_REQUIRE(&m.sc, p != NULL);
	struct st_sample s[2];
	memset(s, 0, sizeof(s));
	s[0].seq = 1;
	s[1].seq = 2;
	const struct st_sample *ptrs[2] = { &s[0], &s[1] };
	struct st_history h = { .size = sizeof(h), .count = 2, .samples = ptrs, .clock_ticks = 100 };
	struct st_trigger out[2];

	/* Figures without the have bit are not figures. */
	s[0].swap_total_kib = s[1].swap_total_kib = SWAP;
	s[0].swap_free_kib = SWAP;
	CU_ASSERT_EQUAL(p->desc->evaluate(p->state, &h, out, 2), 0);
	/* More free than total (a swapoff racing the read): none in use. */
	s[0].have = s[1].have = ST_HAVE_MEM | ST_HAVE_SWAP;
	s[0].swap_free_kib = 0;
	s[1].swap_free_kib = 2 * SWAP;
	CU_ASSERT_EQUAL(p->desc->evaluate(p->state, &h, out, 2), 0);
	s[0].swap_free_kib = 2 * SWAP;
	s[1].swap_free_kib = 0;
	memset(out, 0, sizeof(out));
	SCENARIO_REQUIRE(&m.sc, p->desc->evaluate(p->state, &h, out, 2) == 1);
	CU_ASSERT_DOUBLE_EQUAL(out[0].value, (double)SWAP, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(out[0].baseline, 0.0, 1e-9);
	CU_ASSERT_EQUAL(out[0].pid, 0);
	scenario_stop(&m.sc);
}

/* After 3 steady seconds, swap in use rises at mib_per_s, pushed out by
 * grower. */
struct rise {
	struct machine m;
	uint64_t per_tick;
};

static void rise_step(void *ctx, double t)
{
	struct rise *r = ctx;
	if (t < 3)
		return;
	r->m.used += r->per_tick;
	put_memory(&r->m);
	fake_process_set_rss_kib(&r->m.grower, fake_process_rss_kib(&r->m.grower) + r->per_tick);
	fake_proc_put(r->m.sc.fp, &r->m.grower);
}

/* The pid swap_spike blamed sampling every `interval`, or -1 (-2: no start). */
static int32_t rising_at(double interval, const char *detectors, uint32_t mib_per_s,
			 double seconds)
{
	struct rise r;
	r.per_tick = (uint64_t)(mib_per_s * interval * MIB + 0.5);
	boot_only_at(&r.m, interval, detectors, SWAP);
	int32_t blamed = scenario_begin(&r.m.sc) != 0 ? -2 :
		scenario_first_blame(&r.m.sc, interval, 3 + seconds, "swap_spike", rise_step, &r);
	scenario_stop(&r.m.sc);
	return blamed;
}

/* window_s is seconds: 100 MiB/s is 300 MiB in the default 3 s at every
 * interval, 80 MiB/s never makes 256 in 3 s. (Counting samples, the
 * window was 0.6 s at interval 0.2, and 100 MiB/s went unseen.) */
static void test_same_verdict_at_every_interval(void)
{
	CU_ASSERT_EQUAL(rising_at(1.0, NULL, 100, 6), 200);
	CU_ASSERT_EQUAL(rising_at(0.2, NULL, 100, 6), 200);
	CU_ASSERT_EQUAL(rising_at(1.0, NULL, 80, 8), -1);
	CU_ASSERT_EQUAL(rising_at(0.2, NULL, 80, 8), -1);
	/* window_s = 1 at 0.2 s: five samples, 100 MiB; 300 MiB/s fires. */
	CU_ASSERT_EQUAL(rising_at(0.2, "swap_spike { window_s = 1 }", 200, 6), -1);
	CU_ASSERT_EQUAL(rising_at(0.2, "swap_spike { window_s = 1 }", 300, 6), 200);
	/* The deprecated count keeps its meaning: 3 samples at 0.2 s. */
	CU_ASSERT_EQUAL(rising_at(0.2, "swap_spike { window = 3 }", 200, 6), -1);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "fires at exactly the threshold, blames the grower", test_fires_at_threshold },
		{ "silent 1 KiB below it", test_silent_just_below },
		{ "a rise over two samples fires", test_rise_over_two_samples },
		{ "a rise over window + 1 samples is silent", test_rise_over_window_plus_one_is_silent },
		{ "cooldown holds repeats while it keeps rising", test_cooldown },
		{ "disabled in the config", test_disabled },
		{ "falling swap never fires", test_falling_swap_never_fires },
		{ "no swap: nothing, and nothing said", test_no_swap_configured },
		{ "no Swap lines: nothing, and nothing said", test_no_swap_lines },
		{ "odd figures never fire", test_odd_figures_never_fire },
		{ "the same rise rate, the same verdict at 0.2 s and 1 s", test_same_verdict_at_every_interval },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("swap_spike", tests);
}
