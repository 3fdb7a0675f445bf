/* mem_drop, the real plugin in the real engine over a fake /proc: a fall
 * of available memory against its peak of the last `window_s` seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text/term_text.h"
#include "cunit_runner.h"
#include "sample/ring.h"
#include "sample/sampler.h"
#include "scenario.h"

#define GIB (1024u * 1024u)          /* in KiB */
#define MIB 1024u
#define TOTAL (16 * (uint64_t)GIB)
#define START_AVAIL (8 * (uint64_t)GIB)

/* The other memory detectors and cpu_delta would add triggers of their
 * own; the rate limit is lifted so no incident is refused. new_proc is
 * asserted around by trigger type (it may not be built). */
#define QUIET "max_dumps_per_minute = 600\n" \
	"detectors { cpu_delta { enabled = false } mem_pressure { enabled = false }\n" \
	"  swap_spike { enabled = false }\n"

struct machine {
	struct scenario sc;
	struct fake_process big;      /* the largest, steady */
	struct fake_process grower;   /* smaller, but the one that grows */
	uint64_t avail;
};

/* head: main options before the detectors section. */
static int boot_head(struct machine *m, double interval, const char *head,
		     const char *detectors)
{
	char tail[512];
	snprintf(tail, sizeof(tail), "interval = %g\n%s" QUIET "%s }", interval, head,
		 detectors ? detectors : "");
	scenario_start(&m->sc, 4, TOTAL, tail);
	m->avail = START_AVAIL;
	fake_proc_set_memory(m->sc.fp, m->avail, 0, 0);
	m->big = fake_process_make(m->sc.fp, 100, "big");
	fake_process_set_rss_kib(&m->big, 4 * (uint64_t)GIB);
	fake_proc_put(m->sc.fp, &m->big);
	m->grower = fake_process_make(m->sc.fp, 200, "grower");
	fake_process_set_rss_kib(&m->grower, 100 * MIB);
	fake_proc_put(m->sc.fp, &m->grower);
	return scenario_begin(&m->sc);
}

static int boot_at(struct machine *m, double interval, const char *detectors)
{
	return boot_head(m, interval, "", detectors);
}

static int boot(struct machine *m, const char *detectors)
{
	return boot_at(m, 1, detectors);
}

/* One second in which available memory falls by fall_kib (negative:
 * rises) and grower takes it; big grows a little too, so the blame has to
 * be "grew most", not "grew at all". Returns the mem_drop trigger, if any. */
static const struct st_trigger *step(struct machine *m, int64_t fall_kib)
{
	m->avail = (uint64_t)((int64_t)m->avail - fall_kib);
	fake_proc_set_memory(m->sc.fp, m->avail, 0, 0);
	if (fall_kib > 0) {
		fake_process_set_rss_kib(&m->grower, fake_process_rss_kib(&m->grower) + (uint64_t)fall_kib);
		fake_process_set_rss_kib(&m->big, fake_process_rss_kib(&m->big) + 8 * MIB);
	}
	fake_proc_put(m->sc.fp, &m->grower);
	fake_proc_put(m->sc.fp, &m->big);
	scenario_tick(&m->sc);
	return scenario_find(&m->sc, "mem_drop", -1);
}

static void steady(struct machine *m, int seconds)
{
	for (int i = 0; i < seconds; i++)
		CU_ASSERT_PTR_NULL(step(m, 0));
}

static void test_fires_at_threshold(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	steady(&m, 3);
	const struct st_trigger *t = step(&m, 512 * MIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 200);
	CU_ASSERT_STRING_EQUAL(t->comm, "grower");
	CU_ASSERT_EQUAL(t->start_ticks, m.grower.start_ticks);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 512.0 * MIB, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, (double)START_AVAIL, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t->threshold, 512.0 * MIB, 1e-9);
	CU_ASSERT_STRING_EQUAL(t->units, "kib");
	CU_ASSERT_STRING_EQUAL(t->summary,
			       "available memory fell 512.0 MiB in 1 s (8.0 -> 7.5 GiB); "
			       "grower grew 512.0 MiB");
	scenario_stop(&m.sc);
}

/* A grower named with control bytes, a backslash, a byte that is not
 * UTF-8, a valid accent and a bidirectional override: the summary names
 * it as it is, and every output escapes the summary for its medium, so it
 * shows escaped once (term_text.h), one line with no control byte. */
static void test_hostile_name_escaped(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	struct fake_process evil = fake_process_make(m.sc.fp, 300,
						     "ev\n\x1b[1m\\\xff\xc3\xa9\xe2\x80\xae");
	fake_process_set_rss_kib(&evil, 10 * MIB);
	fake_proc_put(m.sc.fp, &evil);
	steady(&m, 3);
	m.avail -= 512 * MIB;
	fake_proc_set_memory(m.sc.fp, m.avail, 0, 0);
	fake_process_set_rss_kib(&evil, 522 * MIB);
	fake_proc_put(m.sc.fp, &evil);
	scenario_tick(&m.sc);
	const struct st_trigger *t = scenario_find(&m.sc, "mem_drop", -1);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 300);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "; ev\n\x1b[1m\\\xff\xc3\xa9\xe2\x80\xae grew "
					     "512.0 MiB"));
	char shown[1024];
	st_escape_terminal(t->summary, shown, sizeof(shown));
	const char *want = "; ev\\n\\x1b[1m\\\\\\xff\xc3\xa9\\xe2\\x80\\xae grew 512.0 MiB";
	CU_ASSERT_PTR_NOT_NULL(strstr(shown, want));
	if (!strstr(shown, want))
		fprintf(stderr, "\nshown: %s\n", shown);
	for (const unsigned char *c = (const unsigned char *)shown; *c; c++)
		CU_ASSERT(*c >= 0x20 && *c != 0x7f);
	scenario_stop(&m.sc);
}

static void test_silent_just_below(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	steady(&m, 3);
	CU_ASSERT_PTR_NULL(step(&m, 512 * MIB - 1));
	scenario_stop(&m.sc);
}

static void test_fall_over_two_samples(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	steady(&m, 3);
	CU_ASSERT_PTR_NULL(step(&m, 300 * MIB));
	const struct st_trigger *t = step(&m, 300 * MIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 200);
	/* Measured from the peak two samples back, and blamed over the same span. */
	CU_ASSERT_DOUBLE_EQUAL(t->value, 600.0 * MIB, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, (double)START_AVAIL, 1e-9);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "fell 600.0 MiB in 2 s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "grower grew 600.0 MiB"));
	scenario_stop(&m.sc);
}

static void test_fall_over_whole_window(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	steady(&m, 3);
	/* window = 3: three samples of 171 MiB reach the peak 3 back. */
	CU_ASSERT_PTR_NULL(step(&m, 171 * MIB));
	CU_ASSERT_PTR_NULL(step(&m, 171 * MIB));
	const struct st_trigger *t = step(&m, 171 * MIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 513.0 * MIB, 1e-9);
	scenario_stop(&m.sc);
}

static void test_fall_over_window_plus_one_is_silent(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	steady(&m, 3);
	/* 4 x 128 MiB = the threshold, but over window + 1 samples: any
	 * window of 3 holds only 384 MiB of it. */
	for (int i = 0; i < 4; i++)
		CU_ASSERT_PTR_NULL(step(&m, 128 * MIB));
	/* The slow slide goes on, still silent. */
	for (int i = 0; i < 6; i++)
		CU_ASSERT_PTR_NULL(step(&m, 128 * MIB));
	scenario_stop(&m.sc);
}

static void test_blame_covers_the_fall_only(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	steady(&m, 3);
	/* big grows 900 MiB while available holds (the page cache gave it
	 * back): no fall, and not the cause of the one that follows. */
	fake_process_set_rss_kib(&m.big, fake_process_rss_kib(&m.big) + 900 * MIB);
	/* Faulting in 900 MiB takes CPU time, which is how the sampler
	 * knows to re-read a process that was quiet. */
	scenario_burn(&m.sc, &m.big, 25);
	CU_ASSERT_PTR_NULL(step(&m, 0));
	CU_ASSERT_PTR_NULL(step(&m, 0));
	/* The fall is measured from the nearest peak (1 sample back), and the
	 * blame over the same span: grower's 600 MiB, not big's 908 over
	 * the whole window. */
	const struct st_trigger *t = step(&m, 600 * MIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "in 1 s"));
	scenario_stop(&m.sc);
}

/* Only the previous second counts. The deprecated spelling, which counts
 * samples, says so once when the detector is created. */
static void window_of_one_second(const char *options, const char *log_line)
{
	struct machine m;
	char *dir = st_test_mkdtemp(), path[4096];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	int saved = st_test_stderr_to(path);
	int rc = boot(&m, options);
	st_test_stderr_back(saved);
	char *said = st_test_slurp(path);
	st_test_rmtree(dir);
	free(dir);
	CU_ASSERT(log_line ? strstr(said, log_line) != NULL : strstr(said, "deprecated") == NULL);
	free(said);
	SCENARIO_REQUIRE(&m.sc, rc == 0);
	steady(&m, 3);
	/* Only the previous sample counts: 300 + 300 never makes 400. */
	CU_ASSERT_PTR_NULL(step(&m, 300 * MIB));
	CU_ASSERT_PTR_NULL(step(&m, 300 * MIB));
	const struct st_trigger *t = step(&m, 400 * MIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_DOUBLE_EQUAL(t->threshold, 400.0 * MIB, 1e-9);
	scenario_stop(&m.sc);
}

static void test_window_option(void)
{
	window_of_one_second("mem_drop { window_s = 1 threshold_mib = 400 }", NULL);
}

static void test_deprecated_window_option(void)
{
	window_of_one_second("mem_drop { window = 1 threshold_mib = 400 }",
			     "mem_drop: window = 1 counts samples and is deprecated: "
			     "write window_s (seconds)");
}

/* After 3 steady seconds, available memory falls at mib_per_s, and
 * grower takes it. */
struct fall {
	struct machine m;
	uint64_t per_tick;
};

static void fall_step(void *ctx, double t)
{
	struct fall *f = ctx;
	if (t < 3)
		return;
	f->m.avail -= f->per_tick;
	fake_proc_set_memory(f->m.sc.fp, f->m.avail, 0, 0);
	fake_process_set_rss_kib(&f->m.grower, fake_process_rss_kib(&f->m.grower) + f->per_tick);
	fake_proc_put(f->m.sc.fp, &f->m.grower);
}

/* The pid mem_drop blamed sampling every `interval`, or -1 (-2: no start). */
static int32_t falling_at(double interval, uint32_t mib_per_s, double seconds)
{
	struct fall f;
	f.per_tick = (uint64_t)(mib_per_s * interval * MIB + 0.5);
	int32_t blamed = boot_at(&f.m, interval, NULL) != 0 ? -2 :
		scenario_first_blame(&f.m.sc, interval, 3 + seconds, "mem_drop", fall_step, &f);
	scenario_stop(&f.m.sc);
	return blamed;
}

/* window_s is seconds: 200 MiB/s is 600 MiB in the default 3 s at every
 * interval, and 150 MiB/s never makes 512 in 3 s. (Counting samples,
 * the window was 0.6 s at interval 0.2, and 200 MiB/s went unseen.) */
static void test_same_verdict_at_every_interval(void)
{
	CU_ASSERT_EQUAL(falling_at(1.0, 200, 6), 200);
	CU_ASSERT_EQUAL(falling_at(0.2, 200, 6), 200);
	CU_ASSERT_EQUAL(falling_at(1.0, 150, 8), -1);
	CU_ASSERT_EQUAL(falling_at(0.2, 150, 8), -1);
}

static void test_cooldown(void)
{
	struct machine m;
	/* the core's default cooldown (5 s), episodes off: while memory keeps
	 * falling an episode would extend one incident instead */
	SCENARIO_REQUIRE(&m.sc, boot_head(&m, 1, "max_incident = 0\n", NULL) == 0);
	steady(&m, 3);
	CU_ASSERT_PTR_NOT_NULL(step(&m, 600 * MIB));
	/* It keeps falling: the rule holds every second, the core holds
	 * the repeats back. */
	for (int i = 1; i < 5; i++)
		CU_ASSERT_PTR_NULL(step(&m, 600 * MIB));
	/* 5 s after the first trigger: a new one. */
	const struct st_trigger *t = step(&m, 600 * MIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 200);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 1800.0 * MIB, 1e-9);
	scenario_stop(&m.sc);
}

static void test_disabled(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, "mem_drop { enabled = false }") == 0);
	steady(&m, 3);
	CU_ASSERT_PTR_NULL(step(&m, 4 * (int64_t)GIB));
	CU_ASSERT_PTR_NULL(step(&m, 1 * (int64_t)GIB));
	scenario_stop(&m.sc);
}

static void test_rising_memory_never_fires(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	steady(&m, 2);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_PTR_NULL(step(&m, -1 * (int64_t)GIB));
	/* Back to where it was before the rise: no fall from the start, but
	 * a 1 GiB fall from the recent peak. Only ever a positive figure. */
	const struct st_trigger *t = step(&m, 1 * (int64_t)GIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 1.0 * GIB, 1e-9);
	CU_ASSERT(t->value > 0);
	scenario_stop(&m.sc);
}

static void write_meminfo_without_available(struct fake_proc *fp, uint64_t free_kib)
{
	char buf[256];
	snprintf(buf, sizeof(buf),
		 "MemTotal:       %llu kB\nMemFree:        %llu kB\n"
		 "SwapTotal:      0 kB\nSwapFree:       0 kB\n",
		 (unsigned long long)TOTAL, (unsigned long long)free_kib);
	fake_proc_write(fp, "meminfo", buf);
}

static void test_memfree_when_no_memavailable(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	steady(&m, 2);
	/* The kernel "loses" MemAvailable and MemFree is far lower: the
	 * two are not compared, so this is no fall. */
	write_meminfo_without_available(m.sc.fp, 2 * (uint64_t)GIB);
	scenario_tick(&m.sc);
	CU_ASSERT_PTR_NULL(scenario_find(&m.sc, "mem_drop", -1));
	scenario_tick(&m.sc);
	CU_ASSERT_PTR_NULL(scenario_find(&m.sc, "mem_drop", -1));
	/* MemFree falling is a fall. */
	write_meminfo_without_available(m.sc.fp, 1 * (uint64_t)GIB);
	scenario_tick(&m.sc);
	const struct st_trigger *t = scenario_find(&m.sc, "mem_drop", -1);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_DOUBLE_EQUAL(t->value, 1.0 * GIB, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, 2.0 * GIB, 1e-9);
	scenario_stop(&m.sc);
}

/* The plugin as the engine loaded it, for histories no /proc can produce. */
static struct st_loaded_plugin *loaded(struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->engine.plugins.n; i++)
		if (strcmp(sc->engine.plugins.items[i].desc->name, name) == 0)
			return &sc->engine.plugins.items[i];
	return NULL;
}

static void test_missing_meminfo_figures(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	struct st_loaded_plugin *p = loaded(&m.sc, "mem_drop");
	SCENARIO_REQUIRE(&m.sc, p != NULL);
	SCENARIO_REQUIRE(&m.sc, p->running);
	struct st_sample s[3];
	memset(s, 0, sizeof(s));
	for (int i = 0; i < 3; i++) {
		s[i].seq = (uint64_t)i + 1;
		s[i].mono_ns = (int64_t)i * 1000000000;
	}
	const struct st_sample *ptrs[3] = { &s[0], &s[1], &s[2] };
	struct st_history h = { .size = sizeof(h), .count = 3, .samples = ptrs, .clock_ticks = 100 };
	struct st_trigger out[4];

	/* No figures anywhere, then only in the newest: nothing to compare. */
	CU_ASSERT_EQUAL(p->desc->evaluate(p->state, &h, out, 4), 0);
	s[0].mem_available_kib = s[1].mem_available_kib = 8 * (uint64_t)GIB;
	s[2].have = ST_HAVE_MEM | ST_HAVE_MEMAVAIL;
	CU_ASSERT_EQUAL(p->desc->evaluate(p->state, &h, out, 4), 0);
	/* The newest without figures: its zero is not a fall. */
	s[0].have = s[1].have = ST_HAVE_MEM | ST_HAVE_MEMAVAIL;
	s[2].have = 0;
	CU_ASSERT_EQUAL(p->desc->evaluate(p->state, &h, out, 4), 0);
	/* All present: a real fall, with no process to blame. */
	s[2].have = ST_HAVE_MEM | ST_HAVE_MEMAVAIL;
	memset(out, 0, sizeof(out));
	SCENARIO_REQUIRE(&m.sc, p->desc->evaluate(p->state, &h, out, 4) == 1);
	CU_ASSERT_EQUAL(out[0].pid, 0);
	CU_ASSERT_DOUBLE_EQUAL(out[0].value, 8.0 * GIB, 1e-9);
	CU_ASSERT_PTR_NOT_NULL(strstr(out[0].summary, "no process accounts for it"));
	scenario_stop(&m.sc);
}

static void test_cpu_spike_and_drop_in_one_second(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, TOTAL, "max_dumps_per_minute = 600\n"
		       "detectors { mem_pressure { enabled = false } swap_spike { enabled = false } }");
	fake_proc_set_memory(sc.fp, START_AVAIL, 0, 0);
	struct fake_process p = scenario_settled(&sc, 300, "leaky burner", 5);
	struct fake_process big = fake_process_make(sc.fp, 100, "big");
	fake_process_set_rss_kib(&big, 4 * (uint64_t)GIB);
	fake_proc_put(sc.fp, &big);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	for (int i = 0; i < 4; i++) {
		scenario_burn(&sc, &p, 5);
		scenario_tick(&sc);
	}
	/* One second: a full core and 1 GiB more RSS. */
	fake_process_set_rss_kib(&p, fake_process_rss_kib(&p) + GIB);
	scenario_burn(&sc, &p, 100);
	fake_proc_set_memory(sc.fp, START_AVAIL - GIB, 0, 0);
	CU_ASSERT(scenario_tick(&sc) >= 2);
	const struct st_trigger *cpu = scenario_find(&sc, "cpu_delta", 300);
	const struct st_trigger *mem = scenario_find(&sc, "mem_drop", 300);
	CU_ASSERT_PTR_NOT_NULL(cpu);
	SCENARIO_REQUIRE(&sc, mem != NULL);
	CU_ASSERT_DOUBLE_EQUAL(mem->value, 1.0 * GIB, 1e-9);
	/* Same second, same incident (extended while the fall stays in
	 * mem_drop's window). */
	struct st_dump *d = scenario_run_until_dump(&sc, 10);
	SCENARIO_REQUIRE(&sc, d != NULL);
	int kinds = 0;
	for (uint32_t i = 0; i < d->ntriggers; i++)
		if (d->triggers[i].trigger.pid == 300)
			kinds |= strcmp(d->triggers[i].trigger.type, "cpu_delta") == 0 ? 1 :
				 strcmp(d->triggers[i].trigger.type, "mem_drop") == 0 ? 2 : 0;
	CU_ASSERT_EQUAL(kinds, 3);
	scenario_stop(&sc);
}

/* The newest sample's record of pid, or NULL. */
static const struct st_proc_sample *newest_record(const struct scenario *sc, int32_t pid)
{
	const struct st_sample *s = st_ring_newest(&sc->engine.ring);
	for (uint32_t i = 0; s && i < s->nprocs; i++)
		if (sc->engine.sampler.table.infos[s->procs[i].info].pid == pid)
			return &s->procs[i];
	return NULL;
}

/* Memory as status and smaps_rollup give it: all anonymous, all private. */
static void put_own_memory(struct fake_proc *fp, const struct fake_process *p)
{
	struct fake_memory mem = { 0, fake_process_rss_kib(p), 0, 0, fake_process_rss_kib(p) };
	fake_proc_put_memory(fp, p, &mem);
}

/* A quiet process grows with no CPU to speak of, on a host so large that
 * 300 MiB a second is below the sampler's memory sweep slack: the read
 * policy carries it, its recorded RSS is stale, and only measuring the
 * carried processes when the trigger fires finds it. */
static void test_carried_grower_is_blamed(void)
{
	struct scenario sc;
	const uint64_t total = 1024 * (uint64_t)GIB;       /* slack: 1 GiB a tick */
	scenario_start(&sc, 4, total, QUIET "}");
	uint64_t avail = 512 * (uint64_t)GIB;
	fake_proc_set_memory(sc.fp, avail, 0, 0);
	struct fake_process quiet[8];
	for (int i = 0; i < 8; i++) {
		quiet[i] = fake_process_make(sc.fp, 100 + i, "idle");
		fake_proc_put(sc.fp, &quiet[i]);
	}
	struct fake_process grower = fake_process_make(sc.fp, 300, "quiet grower");
	fake_process_set_rss_kib(&grower, 50 * MIB);
	fake_proc_put(sc.fp, &grower);
	put_own_memory(sc.fp, &grower);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	/* Quiet long enough to be read by the rotation only; then the tick
	 * right after a rotation read, so the next ones carry it. */
	for (int i = 0; i < 6; i++)
		scenario_tick(&sc);
	for (int i = 0; i < 3 * ST_READ_ROTATION; i++) {
		scenario_tick(&sc);
		const struct st_proc_sample *r = newest_record(&sc, grower.pid);
		if (r && !(r->flags & ST_PROC_CARRIED))
			break;
	}
	const struct st_trigger *t = NULL;
	for (int i = 0; i < 2; i++) {
		avail -= 300 * MIB;
		fake_proc_set_memory(sc.fp, avail, 0, 0);
		fake_process_set_rss_kib(&grower, fake_process_rss_kib(&grower) + 300 * MIB);
		fake_proc_put(sc.fp, &grower);
		put_own_memory(sc.fp, &grower);
		scenario_tick(&sc);
		t = scenario_find(&sc, "mem_drop", -1);
	}
	/* What makes the case: the firing sample carried the grower. */
	const struct st_proc_sample *r = newest_record(&sc, grower.pid);
	SCENARIO_REQUIRE(&sc, r != NULL && (r->flags & ST_PROC_CARRIED));
	SCENARIO_REQUIRE(&sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, grower.pid);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "quiet grower grew 600.0 MiB"));
	scenario_stop(&sc);
}

/* In one second a 1 GiB process forks and another takes 700 MiB. The
 * child's RSS is the 1 GiB it shares with its parent (copy-on-write), not
 * memory it took: the allocator is blamed. */
static void test_forked_child_is_not_blamed(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	struct fake_process parent = fake_process_make(m.sc.fp, 400, "parent");
	fake_process_set_rss_kib(&parent, GIB);
	fake_proc_put(m.sc.fp, &parent);
	put_own_memory(m.sc.fp, &parent);
	put_own_memory(m.sc.fp, &m.grower);
	steady(&m, 3);

	struct fake_process child = fake_process_make(m.sc.fp, 401, "child");
	child.ppid = parent.pid;
	fake_process_set_rss_kib(&child, GIB);
	fake_proc_put(m.sc.fp, &child);
	/* Parent and child now share every page: little is private to either. */
	struct fake_memory shared = { 0, GIB, 0, 0, 200 };
	fake_proc_put_memory(m.sc.fp, &child, &shared);
	fake_proc_put_memory(m.sc.fp, &parent, &shared);
	fake_process_set_rss_kib(&m.grower, fake_process_rss_kib(&m.grower) + 700 * MIB);
	put_own_memory(m.sc.fp, &m.grower);
	m.avail -= 700 * MIB;
	fake_proc_set_memory(m.sc.fp, m.avail, 0, 0);
	fake_proc_put(m.sc.fp, &m.grower);
	scenario_tick(&m.sc);
	const struct st_trigger *t = scenario_find(&m.sc, "mem_drop", -1);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, m.grower.pid);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "grower grew 700.0 MiB"));
	scenario_stop(&m.sc);
}

/* Available memory falls 1 GiB (the kernel's own, a tmpfs, another
 * namespace) while the processes listed grow 100 MiB at most: none
 * accounts for it, and none is named. */
/* A steady 2 GiB process is reparented (its parent exits) in the second
 * in which 1 GiB that no process took vanishes: still the same process,
 * which did not grow, so no process accounts for the drop. */
static void test_reparented_bystander_not_blamed(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	struct fake_process parent = fake_process_make(m.sc.fp, 400, "shell");
	fake_proc_put(m.sc.fp, &parent);
	struct fake_process kid = fake_process_make(m.sc.fp, 401, "bystander");
	kid.ppid = parent.pid;
	fake_process_set_rss_kib(&kid, 2 * (uint64_t)GIB);
	fake_proc_put(m.sc.fp, &kid);
	put_own_memory(m.sc.fp, &kid);
	steady(&m, 4);
	fake_proc_remove(m.sc.fp, parent.pid);
	kid.ppid = 1;
	fake_proc_put(m.sc.fp, &kid);
	m.avail -= GIB;
	fake_proc_set_memory(m.sc.fp, m.avail, 0, 0);
	scenario_tick(&m.sc);
	const struct st_trigger *t = scenario_find(&m.sc, "mem_drop", -1);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 0);
	scenario_stop(&m.sc);
}

static void test_unexplained_drop_blames_no_process(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot(&m, NULL) == 0);
	steady(&m, 3);
	fake_process_set_rss_kib(&m.grower, fake_process_rss_kib(&m.grower) + 100 * MIB);
	fake_proc_put(m.sc.fp, &m.grower);
	m.avail -= GIB;
	fake_proc_set_memory(m.sc.fp, m.avail, 0, 0);
	scenario_tick(&m.sc);
	const struct st_trigger *t = scenario_find(&m.sc, "mem_drop", -1);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 0);
	CU_ASSERT_STRING_EQUAL(t->comm, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "; no process accounts for it"));
	/* A quarter of the fall is enough: 256 MiB of 1 GiB names it. The
	 * fall stays in the window for its 3 s, which the episode covers:
	 * past it, a new fall is a new event. */
	for (int i = 0; i < 6; i++)
		step(&m, 0);
	fake_process_set_rss_kib(&m.grower, fake_process_rss_kib(&m.grower) + 256 * MIB);
	fake_proc_put(m.sc.fp, &m.grower);
	m.avail -= GIB;
	fake_proc_set_memory(m.sc.fp, m.avail, 0, 0);
	scenario_tick(&m.sc);
	t = scenario_find(&m.sc, "mem_drop", -1);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, m.grower.pid);
	scenario_stop(&m.sc);
}

/* meminfo's breakdown at boot: 6 GiB anonymous, 2 GiB cached of which
 * 256 MiB shmem, 300 MiB slab. */
#define ANON0   (6 * (uint64_t)GIB)
#define CACHED0 (2 * (uint64_t)GIB)
#define SHMEM0  (256 * (uint64_t)MIB)
#define SLAB0   (300 * (uint64_t)MIB)

/* The breakdown grown by these since boot (cache: the page cache beside
 * shmem, which Cached counts too). */
static void put_breakdown(struct machine *m, uint64_t anon, uint64_t cache, uint64_t shmem,
			  uint64_t slab)
{
	fake_proc_set_breakdown(m->sc.fp, ANON0 + anon, CACHED0 + cache + shmem, SHMEM0 + shmem,
				SLAB0 / 2, SLAB0 - SLAB0 / 2 + slab);
}

/* Booted with the breakdown, three quiet seconds. */
static int boot_breakdown(struct machine *m)
{
	if (boot(m, NULL) != 0)
		return -1;
	put_breakdown(m, 0, 0, 0, 0);
	steady(m, 3);
	return 0;
}

/* One second in which available memory falls fall_kib and the breakdown
 * stands grown by these; no process grows unless the test made it.
 * Returns the mem_drop trigger, if any. */
static const struct st_trigger *fall_with(struct machine *m, uint64_t fall_kib, uint64_t anon,
					  uint64_t cache, uint64_t shmem, uint64_t slab)
{
	put_breakdown(m, anon, cache, shmem, slab);
	m->avail -= fall_kib;
	fake_proc_set_memory(m->sc.fp, m->avail, 0, 0);
	scenario_tick(&m->sc);
	return scenario_find(&m->sc, "mem_drop", -1);
}

/* 1 GiB goes with no process growing: a tmpfs filled 800 MiB and the
 * kernel's slab took 200 MiB. The summary says so, largest first, instead
 * of only that no process accounts for it. */
static void test_unexplained_drop_says_where(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot_breakdown(&m) == 0);
	const struct st_trigger *t = fall_with(&m, GIB, 0, 0, 800 * MIB, 200 * MIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 0);
	CU_ASSERT_STRING_EQUAL(t->summary,
			       "available memory fell 1.0 GiB in 1 s (8.0 -> 7.0 GiB); "
			       "no process accounts for it: tmpfs/shmem +800.0 MiB, "
			       "kernel slab +200.0 MiB");
	scenario_stop(&m.sc);
}

/* Every part grew: the summary keeps to its 160 bytes by leaving the
 * smallest parts out whole, never a part cut in two. */
static void test_where_fits_the_summary(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot_breakdown(&m) == 0);
	const struct st_trigger *t = fall_with(&m, (2048 + 1229 + 800 + 600) * MIB, 2 * GIB,
					       1229 * MIB, 800 * MIB, 600 * MIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_STRING_EQUAL(t->summary,
			       "available memory fell 4.6 GiB in 1 s (8.0 -> 3.4 GiB); "
			       "no process accounts for it: anonymous +2.0 GiB, "
			       "page cache +1.2 GiB, tmpfs/shmem +800.0 MiB");
	scenario_stop(&m.sc);
}

/* The breakdown covers the span the fall was measured over, from the
 * peak: the page cache that grew 1 GiB before it (while available held)
 * is not named; what grew in the two falling seconds is, summed. */
static void test_where_covers_the_fall_only(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot_breakdown(&m) == 0);
	CU_ASSERT_PTR_NULL(fall_with(&m, 0, 0, GIB, 0, 0));
	CU_ASSERT_PTR_NULL(fall_with(&m, 300 * MIB, 0, GIB + 300 * MIB, 0, 0));
	const struct st_trigger *t = fall_with(&m, 300 * MIB, 0, GIB + 400 * MIB, 300 * MIB, 0);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "fell 600.0 MiB in 2 s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "; no process accounts for it: "
				      "page cache +400.0 MiB, tmpfs/shmem +300.0 MiB"));
	CU_ASSERT_PTR_NULL(strstr(t->summary, "GiB, "));
	scenario_stop(&m.sc);
}

/* A process accounts for the fall (a third of it), but a tmpfs took
 * more: the summary names both. Anonymous memory, which holds the
 * process's own growth, is not named beside it. */
static void test_bigger_part_beside_the_grower(void)
{
	struct machine m;
	SCENARIO_REQUIRE(&m.sc, boot_breakdown(&m) == 0);
	fake_process_set_rss_kib(&m.grower, fake_process_rss_kib(&m.grower) + 340 * MIB);
	fake_proc_put(m.sc.fp, &m.grower);
	const struct st_trigger *t = fall_with(&m, GIB, 500 * MIB, 0, 700 * MIB, 0);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, m.grower.pid);
	CU_ASSERT_STRING_EQUAL(t->summary,
			       "available memory fell 1.0 GiB in 1 s (8.0 -> 7.0 GiB); "
			       "grower grew 340.0 MiB; also tmpfs/shmem +700.0 MiB");
	/* When the process is the larger, nothing is added. */
	for (int i = 0; i < 6; i++)
		step(&m, 0);
	put_breakdown(&m, 1100 * MIB, 200 * MIB, 700 * MIB, 0);
	t = step(&m, 600 * MIB);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, m.grower.pid);
	CU_ASSERT_STRING_EQUAL(t->summary,
			       "available memory fell 600.0 MiB in 1 s (7.0 -> 6.4 GiB); "
			       "grower grew 600.0 MiB");
	scenario_stop(&m.sc);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "fires at exactly the threshold, blames the grower", test_fires_at_threshold },
		{ "silent 1 KiB below it", test_silent_just_below },
		{ "a hostile grower's name is carried as it is, shown escaped once", test_hostile_name_escaped },
		{ "a fall over two samples fires", test_fall_over_two_samples },
		{ "a fall over the whole window fires", test_fall_over_whole_window },
		{ "a fall over window + 1 samples is silent", test_fall_over_window_plus_one_is_silent },
		{ "the blame covers the fall, not the whole window", test_blame_covers_the_fall_only },
		{ "window_s and threshold_mib options", test_window_option },
		{ "the deprecated window option counts samples, and says so", test_deprecated_window_option },
		{ "the same fall rate, the same verdict at 0.2 s and 1 s", test_same_verdict_at_every_interval },
		{ "cooldown holds repeats while it keeps falling", test_cooldown },
		{ "disabled in the config", test_disabled },
		{ "rising memory never fires", test_rising_memory_never_fires },
		{ "MemFree when MemAvailable is absent", test_memfree_when_no_memavailable },
		{ "missing meminfo figures never fire", test_missing_meminfo_figures },
		{ "cpu spike and memory drop in one second", test_cpu_spike_and_drop_in_one_second },
		{ "a carried grower is measured and blamed", test_carried_grower_is_blamed },
		{ "a forked child is not blamed, the allocator is", test_forked_child_is_not_blamed },
		{ "a drop no process accounts for blames pid 0", test_unexplained_drop_blames_no_process },
		{ "a reparented bystander is not blamed", test_reparented_bystander_not_blamed },
		{ "no process to blame: the summary says where the memory went", test_unexplained_drop_says_where },
		{ "where the memory went, over the fall's span only", test_where_covers_the_fall_only },
		{ "where the memory went keeps to the summary's size", test_where_fits_the_summary },
		{ "a part that grew more than the grower is named beside it", test_bigger_part_beside_the_grower },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("mem_drop", tests);
}
