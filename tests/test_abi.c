/* ABI 2.0 plugins on today's core: a detector and a sink built against
 * the frozen 2.0 headers (tests/abi/2.0, never include/) run through the
 * real engine, whose structs have grown since. They must see what a 2.0
 * plugin sees: every record and identity where the strides say, and the
 * dump's lists as the core wrote them. (Refusals, an ABI 1 plugin and a
 * newer minor, are test_plugin_loader's.) */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_runner.h"
#include "dump/dump_json.h"
#include "scenario.h"

#ifndef ST_ABI_PLUGIN_DIR
#error "the build defines ST_ABI_PLUGIN_DIR: where abi20_detector.so and abi20_sink.so are"
#endif

static const struct st_loaded_plugin *loaded(const struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->engine.plugins.n; i++)
		if (!strcmp(sc->engine.plugins.items[i].desc->name, name))
			return &sc->engine.plugins.items[i];
	return NULL;
}

/* The lines abi20_sink writes for d, from the core's side of the dump. */
static void list(FILE *f, const char *name, const struct st_dump_proc *p, uint32_t n)
{
	fprintf(f, " %s", name);
	for (uint32_t i = 0; i < n; i++)
		fprintf(f, " %d:%s", p[i].pid, p[i].comm);
}

static char *expected_lines(const struct st_dump *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "dump %s: %u samples, trigger sample %d\n", d->id, d->nsamples,
		d->trigger_index);
	for (uint32_t i = 0; i < d->ntriggers; i++)
		fprintf(f, "trigger %s %d %s at %d\n", d->triggers[i].trigger.type,
			d->triggers[i].trigger.pid, d->triggers[i].trigger.comm,
			d->triggers[i].sample_index);
	for (uint32_t i = 0; i < d->nsamples; i++) {
		const struct st_dump_sample *s = &d->samples[i];
		fprintf(f, "sample %llu:", (unsigned long long)s->seq);
		list(f, "cpu", s->top_cpu, s->ntop_cpu);
		list(f, "rss", s->top_rss, s->ntop_rss);
		list(f, "blamed", s->blamed, s->nblamed);
		fputc('\n', f);
	}
	fclose(f);
	return text;
}

static void test_abi20_plugins_on_this_core(void)
{
	struct scenario sc;
	char tail[8192], out[4096], want_summary[256];
	char *dir = st_test_mkdtemp();
	snprintf(out, sizeof(out), "%s/sink.out", dir);
	snprintf(tail, sizeof(tail), "max_incident = 0\n"
		 "detectors { abi20_detector { limit_pct = 50 min_procs = 3 } }\n"
		 "sinks { abi20_sink { out = \"%s\" } }", out);
	scenario_start_in(&sc, ST_ABI_PLUGIN_DIR, 4, 8u << 20, tail);
	struct fake_process a = scenario_settled(&sc, 100, "alpha", 1);
	struct fake_process b = scenario_settled(&sc, 200, "beta", 2);
	struct fake_process c = scenario_settled(&sc, 300, "gamma", 3);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	SCENARIO_REQUIRE(&sc, loaded(&sc, "abi20_detector") && loaded(&sc, "abi20_sink"));
	for (int i = 0; i < 3; i++) {
		scenario_burn(&sc, &a, 1);
		scenario_burn(&sc, &b, 2);
		scenario_burn(&sc, &c, 3);
		CU_ASSERT_EQUAL(scenario_tick(&sc), 0);
	}
	/* beta, the second record of three, burns: the detector finds it
	 * only if it walks the core's stride. */
	scenario_burn(&sc, &a, 1);
	scenario_burn(&sc, &b, 90);
	scenario_burn(&sc, &c, 3);
	CU_ASSERT_EQUAL(scenario_tick(&sc), 1);
	const struct st_trigger *t = scenario_find(&sc, "abi20_detector", 200);
	SCENARIO_REQUIRE(&sc, t != NULL);
	CU_ASSERT_STRING_EQUAL(t->comm, "beta");
	CU_ASSERT_DOUBLE_EQUAL(t->value, 90, 0.5);
	const struct st_sample *now = st_ring_newest(&sc.engine.ring);
	snprintf(want_summary, sizeof(want_summary), "%u records; sample %zu bytes, record %zu, "
		 "identity %zu (built for ", now->nprocs, sizeof(struct st_sample),
		 sizeof(struct st_proc_sample), sizeof(struct st_proc_info));
	CU_ASSERT_NSTRING_EQUAL(t->summary, want_summary, strlen(want_summary));

	struct st_dump *d = scenario_run_until_dump(&sc, 4);
	SCENARIO_REQUIRE(&sc, d != NULL);
	const struct st_loaded_plugin *sink = loaded(&sc, "abi20_sink");
	char *json = st_dump_to_json(d, 1);
	SCENARIO_REQUIRE(&sc, json != NULL);
	CU_ASSERT_EQUAL(sink->desc->emit(sink->state, d, json, strlen(json)), 0);
	free(json);
	char *got = st_test_slurp(out), *want = expected_lines(d);
	CU_ASSERT_PTR_NOT_NULL(got);
	CU_ASSERT_PTR_NOT_NULL(strstr(want, "blamed") ? want : NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(want, " 200:beta") ? want : NULL);
	if (got && want && strcmp(got, want) != 0) {
		fprintf(stderr, "\n--- the 2.0 sink read:\n%s--- the core wrote:\n%s", got, want);
		CU_FAIL("what the 2.0 sink read differs from the dump");
	}
	free(got);
	free(want);
	scenario_stop(&sc);
	st_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "ABI 2.0 plugins on this core", test_abi20_plugins_on_this_core },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("abi", tests);
}
