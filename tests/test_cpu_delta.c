/* cpu_delta, the real plugin, driven through scripted fake /proc trees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_runner.h"
#include "fake_proc.h"
#include "host.h"
#include "plugin_loader.h"
#include "sampler.h"

struct scenario {
	struct fake_proc *fp;
	struct st_sampler sampler;
	struct st_ring ring;
	struct st_loaded_plugin plugin;
	union st_value values[8];
	struct st_trigger out[16];
};

static void start(struct scenario *sc, double threshold)
{
	char err[512];
	memset(sc, 0, sizeof(*sc));
	sc->fp = fake_proc_new(4, 8u << 20, 1000.0);
	CU_ASSERT_FATAL(st_plugin_load_file(ST_BUILD_PLUGIN_DIR "/cpu_delta.so",
					    &sc->plugin, err, sizeof(err)) == 0);
	const struct st_option *o = sc->plugin.desc->options;
	for (int i = 0; o[i].type != ST_OPT_END; i++) {
		sc->values[i] = o[i].def;
		if (strcmp(o[i].name, "threshold_pct") == 0)
			sc->values[i].f = threshold;
	}
	st_host_init(&sc->plugin.host, "cpu_delta", sc->fp->root, 4);
	CU_ASSERT_FATAL(sc->plugin.desc->create(&sc->plugin.host, sc->values,
						&sc->plugin.state) == 0);
	CU_ASSERT_FATAL(st_ring_init(&sc->ring, 10) == 0);
}

/* Take a sample of the tree as it is now and evaluate; returns triggers. */
static int take(struct scenario *sc)
{
	char err[512];
	struct st_history h;
	if (!sc->sampler.proc_root)
		CU_ASSERT_FATAL(st_sampler_init(&sc->sampler, sc->fp->root, err, sizeof(err)) == 0);
	CU_ASSERT_FATAL(st_sampler_take(&sc->sampler, &sc->ring) == 0);
	st_sampler_history(&sc->sampler, &sc->ring, &h);
	memset(sc->out, 0, sizeof(sc->out));
	return sc->plugin.desc->evaluate(sc->plugin.state, &h, sc->out, 16);
}

/* One second passes in which p burns ticks of CPU (HZ ticks = one core). */
static int second(struct scenario *sc, struct fake_process *p, double pct_of_core)
{
	uint64_t ticks = (uint64_t)(pct_of_core / 100.0 * (double)sc->fp->hz + 0.5);
	p->utime += ticks;
	sc->fp->busy_ticks += ticks;
	fake_proc_advance(sc->fp, 1.0);
	fake_proc_put(sc->fp, p);
	return take(sc);
}

/* A process that has run at pct of a core for the 10 s before we look:
 * its first figure, and so its baseline, is exactly pct. */
static struct fake_process settled(struct scenario *sc, int32_t pid,
				   const char *comm, double pct)
{
	struct fake_process p = fake_process_make(sc->fp, pid, comm);
	p.start_ticks = sc->fp->elapsed_ticks - 10 * (uint64_t)sc->fp->hz;
	p.utime = (uint64_t)(pct / 100.0 * 10 * (double)sc->fp->hz + 0.5);
	fake_proc_put(sc->fp, &p);
	return p;
}

static void stop(struct scenario *sc)
{
	st_sampler_destroy(&sc->sampler);
	st_ring_destroy(&sc->ring);
	struct st_plugin_set set = { 1, malloc(sizeof(sc->plugin)) };
	set.items[0] = sc->plugin;
	set.items[0].running = 1;
	st_plugins_unload(&set);
	fake_proc_free(sc->fp);
}

static void test_fires_at_threshold(void)
{
	struct scenario sc;
	start(&sc, 10);
	struct fake_process p = settled(&sc, 4242, "spiky worker", 5);
	CU_ASSERT_EQUAL(take(&sc), 0);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(second(&sc, &p, 5), 0);
	/* The baseline is exactly 5%: +10 points is the threshold. */
	CU_ASSERT_EQUAL_FATAL(second(&sc, &p, 15), 1);
	CU_ASSERT_STRING_EQUAL(sc.out[0].type, "cpu_delta");
	CU_ASSERT_EQUAL(sc.out[0].pid, 4242);
	CU_ASSERT_STRING_EQUAL(sc.out[0].comm, "spiky worker");
	CU_ASSERT_DOUBLE_EQUAL(sc.out[0].value, 15.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(sc.out[0].baseline, 5.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(sc.out[0].threshold, 10.0, 1e-9);
	CU_ASSERT_STRING_EQUAL(sc.out[0].units, "pct");
	CU_ASSERT_EQUAL(sc.out[0].start_ticks, p.start_ticks);
	CU_ASSERT_PTR_NOT_NULL(strstr(sc.out[0].summary, "15.0%"));
	stop(&sc);
}

static void test_silent_just_below(void)
{
	struct scenario sc;
	start(&sc, 10);
	struct fake_process p = settled(&sc, 4242, "steady", 5);
	take(&sc);
	for (int i = 0; i < 5; i++)
		second(&sc, &p, 5);
	CU_ASSERT_EQUAL(second(&sc, &p, 14), 0);    /* +9 points */
	stop(&sc);
}

static void test_idle_to_full_core(void)
{
	struct scenario sc;
	start(&sc, 10);
	struct fake_process idle = fake_process_make(sc.fp, 100, "idle");
	struct fake_process p = fake_process_make(sc.fp, 200, "burner");
	fake_proc_put(sc.fp, &idle);
	fake_proc_put(sc.fp, &p);
	take(&sc);
	CU_ASSERT_EQUAL(second(&sc, &p, 0), 0);
	CU_ASSERT_EQUAL_FATAL(second(&sc, &p, 100), 1);
	CU_ASSERT_EQUAL(sc.out[0].pid, 200);
	/* 100 = one full core, on a 4-core machine. */
	CU_ASSERT_DOUBLE_EQUAL(sc.out[0].value, 100.0, 1e-6);
	stop(&sc);
}

static void test_no_trigger_on_first_sample(void)
{
	struct scenario sc;
	start(&sc, 10);
	/* Busy for its whole life before the daemon started. */
	struct fake_process p = fake_process_make(sc.fp, 300, "old busy");
	p.start_ticks = 0;
	p.utime = sc.fp->elapsed_ticks;
	fake_proc_put(sc.fp, &p);
	CU_ASSERT_EQUAL(take(&sc), 0);
	stop(&sc);
}

static void test_reaped_children_count(void)
{
	struct scenario sc;
	start(&sc, 10);
	struct fake_process make = fake_process_make(sc.fp, 500, "make");
	fake_proc_put(sc.fp, &make);
	take(&sc);
	CU_ASSERT_EQUAL(second(&sc, &make, 0), 0);
	/* Compilers that live and die within the second: only the parent's
	 * cutime/cstime show them. */
	make.cutime += (uint64_t)sc.fp->hz * 6 / 10;
	make.cstime += (uint64_t)sc.fp->hz * 3 / 10;
	CU_ASSERT_EQUAL_FATAL(second(&sc, &make, 0), 1);
	CU_ASSERT_EQUAL(sc.out[0].pid, 500);
	CU_ASSERT_DOUBLE_EQUAL(sc.out[0].value, 90.0, 1e-6);
	CU_ASSERT_PTR_NOT_NULL(strstr(sc.out[0].summary, "children"));
	stop(&sc);
}

static void test_reused_pid_inherits_nothing(void)
{
	struct scenario sc;
	start(&sc, 10);
	struct fake_process old = fake_process_make(sc.fp, 600, "old");
	fake_proc_put(sc.fp, &old);
	take(&sc);
	second(&sc, &old, 0);
	second(&sc, &old, 0);
	/* The old process exits; a busy newcomer gets its pid. Comparing it
	 * with the old one's idle baseline would be a false spike. */
	struct fake_process young = fake_process_make(sc.fp, 600, "young");
	young.start_ticks = sc.fp->elapsed_ticks + 10;
	CU_ASSERT_EQUAL(second(&sc, &young, 80), 0);
	/* From here it has a baseline of its own. */
	CU_ASSERT_EQUAL(second(&sc, &young, 80), 0);
	stop(&sc);
}

static void test_comm_with_parentheses(void)
{
	struct scenario sc;
	start(&sc, 10);
	struct fake_process p = fake_process_make(sc.fp, 700, "a) b (c");
	fake_proc_put(sc.fp, &p);
	take(&sc);
	second(&sc, &p, 0);
	CU_ASSERT_EQUAL_FATAL(second(&sc, &p, 50), 1);
	CU_ASSERT_STRING_EQUAL(sc.out[0].comm, "a) b (c");
	stop(&sc);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "fires at exactly the threshold", test_fires_at_threshold },
		{ "silent one point below it", test_silent_just_below },
		{ "idle to a full core", test_idle_to_full_core },
		{ "no trigger on the first sample", test_no_trigger_on_first_sample },
		{ "reaped children's CPU counts", test_reaped_children_count },
		{ "a reused pid inherits no baseline", test_reused_pid_inherits_nothing },
		{ "comm with parentheses", test_comm_with_parentheses },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("cpu_delta", tests);
}
