/* The core's part, the same for every detector: cooldown, incidents and
 * their pre/post window, every trigger kept, the rate limit, disabled
 * detectors, the manual trigger and the flush at exit. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_runner.h"
#include "dump.h"
#include "scenario.h"

/* Two processes idle at 1% from the first sample on. */
static void two_idle(struct scenario *sc, struct fake_process *a, struct fake_process *b)
{
	*a = scenario_settled(sc, 100, "alpha", 1);
	*b = scenario_settled(sc, 200, "beta", 1);
}

static void idle_tick(struct scenario *sc, struct fake_process *a, struct fake_process *b)
{
	scenario_burn(sc, a, 1);
	scenario_burn(sc, b, 1);
	scenario_tick(sc);
}

static void test_incident_window_and_grouping(void)
{
	struct scenario sc;
	struct fake_process a, b;
	/* Episodes off: this is about the window and grouping alone. */
	scenario_start(&sc, 4, 8u << 20, "max_incident = 0\n"
		       "detectors { cpu_delta { threshold_pct = 20 } }");
	two_idle(&sc, &a, &b);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	for (int i = 0; i < 8; i++)
		idle_tick(&sc, &a, &b);
	/* alpha spikes; a second later beta does: one incident, two triggers. */
	scenario_burn(&sc, &a, 90);
	scenario_burn(&sc, &b, 1);
	CU_ASSERT_EQUAL(scenario_tick(&sc), 1);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "cpu_delta", 100));
	uint64_t first_seq = sc.engine.accepted[0].sample_seq;
	scenario_burn(&sc, &a, 90);
	scenario_burn(&sc, &b, 90);
	CU_ASSERT_EQUAL(scenario_tick(&sc), 1);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "cpu_delta", 200));
	CU_ASSERT_EQUAL(sc.ndumps, 0);
	idle_tick(&sc, &a, &b);     /* the second post-trigger sample */
	CU_ASSERT_EQUAL_FATAL(sc.ndumps, 1);
	struct st_dump *d = sc.dumps[0];
	/* pre_trigger 5 + the trigger sample + post_trigger 2 */
	CU_ASSERT_EQUAL(d->nsamples, 8);
	CU_ASSERT_EQUAL(d->trigger_index, 5);
	CU_ASSERT_EQUAL(d->samples[d->trigger_index].seq, first_seq);
	CU_ASSERT_EQUAL_FATAL(d->ntriggers, 2);
	CU_ASSERT_EQUAL(d->triggers[0].trigger.pid, 100);
	CU_ASSERT_EQUAL(d->triggers[0].sample_index, 5);
	CU_ASSERT_EQUAL(d->triggers[1].trigger.pid, 200);
	CU_ASSERT_EQUAL(d->triggers[1].sample_index, 6);
	/* Offsets run from before the trigger (negative) to after it. */
	CU_ASSERT(d->samples[0].offset_ns < 0);
	CU_ASSERT_EQUAL(d->samples[5].offset_ns, 0);
	CU_ASSERT(d->samples[7].offset_ns > 0);
	CU_ASSERT_STRING_EQUAL(d->schema, ST_DUMP_SCHEMA);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->id, "cpu_delta_100"));
	/* A spike after the incident closed opens a new one. */
	for (int i = 0; i < 6; i++)
		idle_tick(&sc, &a, &b);
	scenario_burn(&sc, &b, 95);
	scenario_burn(&sc, &a, 1);
	CU_ASSERT_EQUAL(scenario_tick(&sc), 1);
	CU_ASSERT_PTR_NOT_NULL(scenario_run_until_dump(&sc, 3));
	CU_ASSERT_EQUAL(sc.ndumps, 2);
	scenario_stop(&sc);
}

static void test_cooldown_per_key(void)
{
	struct scenario sc;
	struct fake_process a, b;
	/* Episodes off: this is about the cooldown alone. */
	scenario_start(&sc, 4, 8u << 20, "max_incident = 0\n"
		       "detectors { cpu_delta { threshold_pct = 20 cooldown = 10 half_life_s = 0.01 } }");
	two_idle(&sc, &a, &b);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	idle_tick(&sc, &a, &b);
	int fired = 0;
	/* A tiny half-life: the baseline is the previous sample, so an on/off
	 * pattern spikes every other second; within 10 s only one counts. */
	for (int i = 0; i < 8; i++) {
		scenario_burn(&sc, &a, i % 2 ? 90 : 1);
		scenario_burn(&sc, &b, 1);
		scenario_tick(&sc);
		fired += scenario_find(&sc, "cpu_delta", 100) != NULL;
	}
	CU_ASSERT_EQUAL(fired, 1);
	/* beta is another key: not held back by alpha's cooldown. */
	scenario_burn(&sc, &a, 1);
	scenario_burn(&sc, &b, 90);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "cpu_delta", 200));
	/* Past the cooldown alpha fires again. */
	for (int i = 0; i < 4; i++)
		idle_tick(&sc, &a, &b);
	scenario_burn(&sc, &a, 90);
	scenario_burn(&sc, &b, 1);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "cpu_delta", 100));
	scenario_stop(&sc);
}

static void test_rate_limit_counts_drops(void)
{
	struct scenario sc;
	struct fake_process a, b;
	scenario_start(&sc, 4, 8u << 20,
		       "max_dumps_per_minute = 1\nmax_incident = 0\n"
		       "detectors { cpu_delta { threshold_pct = 20 cooldown = 0 half_life_s = 0.01 } }");
	two_idle(&sc, &a, &b);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	idle_tick(&sc, &a, &b);
	/* Spike every other second for 40 s: one incident, the rest dropped. */
	for (int i = 0; i < 40; i++) {
		scenario_burn(&sc, &a, i % 2 ? 90 : 1);
		scenario_burn(&sc, &b, 1);
		scenario_tick(&sc);
	}
	CU_ASSERT_EQUAL(sc.ndumps, 1);
	CU_ASSERT(sc.engine.incidents.dropped >= 10);
	/* A minute of sample time refills the bucket. */
	for (int i = 0; i < 60; i++)
		idle_tick(&sc, &a, &b);
	scenario_burn(&sc, &a, 90);
	scenario_burn(&sc, &b, 1);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NOT_NULL(scenario_run_until_dump(&sc, 3));
	CU_ASSERT_EQUAL(sc.ndumps, 2);
	scenario_stop(&sc);
}

static void test_disabled_detector(void)
{
	struct scenario sc;
	struct fake_process a, b;
	scenario_start(&sc, 4, 8u << 20, "detectors { cpu_delta { enabled = false } }");
	two_idle(&sc, &a, &b);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	idle_tick(&sc, &a, &b);
	scenario_burn(&sc, &a, 100);
	scenario_burn(&sc, &b, 1);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "cpu_delta", -1));
	for (size_t i = 0; i < sc.engine.plugins.n; i++)
		if (strcmp(sc.engine.plugins.items[i].desc->name, "cpu_delta") == 0)
			CU_ASSERT_FALSE(sc.engine.plugins.items[i].running);
	scenario_stop(&sc);
}

static void test_blamed_process_always_in_dump(void)
{
	struct scenario sc;
	struct fake_process a, b, big;
	/* top = 1: the one RSS slot goes to "big", the one CPU slot to the
	 * busiest; the blamed process must still be in every sample. */
	scenario_start(&sc, 4, 8u << 20,
		       "top = 1\ndetectors { cpu_delta { threshold_pct = 20 } }");
	two_idle(&sc, &a, &b);
	big = scenario_settled(&sc, 300, "big", 95);
	big.rss_pages = 1u << 20;
	fake_proc_put(sc.fp, &big);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	for (int i = 0; i < 3; i++) {
		scenario_burn(&sc, &big, 95);
		idle_tick(&sc, &a, &b);
	}
	scenario_burn(&sc, &big, 95);
	scenario_burn(&sc, &a, 60);
	scenario_burn(&sc, &b, 1);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(scenario_find(&sc, "cpu_delta", 100));
	for (int i = 0; i < 2; i++) {
		scenario_burn(&sc, &big, 95);
		idle_tick(&sc, &a, &b);
	}
	CU_ASSERT_EQUAL_FATAL(sc.ndumps, 1);
	struct st_dump *d = sc.dumps[0];
	for (uint32_t i = 0; i < d->nsamples; i++) {
		const struct st_dump_sample *s = &d->samples[i];
		CU_ASSERT_EQUAL(s->ntop_cpu, 1);
		CU_ASSERT_EQUAL(s->top_rss[0].pid, 300);
		int found = 0;
		for (uint32_t k = 0; k < s->nblamed; k++)
			found |= s->blamed[k].pid == 100;
		found |= s->top_cpu[0].pid == 100;
		CU_ASSERT(found);
	}
	scenario_stop(&sc);
}

static void test_manual_trigger_and_flush(void)
{
	struct scenario sc;
	struct fake_process a, b;
	scenario_start(&sc, 4, 8u << 20, NULL);
	two_idle(&sc, &a, &b);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	idle_tick(&sc, &a, &b);
	st_engine_manual_trigger(&sc.engine, "asked for");
	idle_tick(&sc, &a, &b);
	/* Stopping before post_trigger samples: the dump is still written. */
	struct st_dump *d = st_engine_flush(&sc.engine);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->triggers[0].trigger.type, "manual");
	CU_ASSERT_STRING_EQUAL(d->triggers[0].trigger.summary, "asked for");
	CU_ASSERT_EQUAL(d->nsamples, 3);
	CU_ASSERT_EQUAL(d->trigger_index, 1);
	st_dump_free(d);
	CU_ASSERT_PTR_NULL(st_engine_flush(&sc.engine));
	scenario_stop(&sc);
}

static void test_bad_config_refused(void)
{
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, "detectors { cpu_delta { threshold_pct = -3 } }");
	CU_ASSERT_EQUAL(scenario_begin(&sc), 78);
	scenario_stop(&sc);
}

/* SIGUSR1 while the detectors have used up the rate limit: still a dump. */
static void test_manual_trigger_not_rate_limited(void)
{
	struct scenario sc;
	struct fake_process a, b;
	scenario_start(&sc, 4, 8u << 20, "max_dumps_per_minute = 1\n"
		       "detectors { cpu_delta { threshold_pct = 20 cooldown = 0 } }");
	two_idle(&sc, &a, &b);
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	idle_tick(&sc, &a, &b);
	scenario_burn(&sc, &a, 90);
	scenario_burn(&sc, &b, 1);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(scenario_run_until_dump(&sc, 3));
	/* The limit is used up: beta's spike is refused. */
	scenario_burn(&sc, &a, 1);
	scenario_burn(&sc, &b, 90);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "cpu_delta", 200));
	CU_ASSERT_EQUAL(sc.engine.incidents.dropped, 1);
	st_engine_manual_trigger(&sc.engine, "asked for");
	struct st_dump *d = scenario_run_until_dump(&sc, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->triggers[0].trigger.type, "manual");
	scenario_stop(&sc);
}

/* ------------------------------------------- what a plugin may return */

#ifndef ST_ENGINE_PLUGIN_DIR
#error "the build defines ST_ENGINE_PLUGIN_DIR: the directory holding odd_triggers.so"
#endif

/* Runs odd_triggers with these options for 6 ticks (an incident would be
 * due by then) with stderr caught; what was said, to be freed. */
static char *run_odd(struct scenario *sc, const char *options)
{
	char tail[512], path[4096];
	char *dir = st_test_mkdtemp();
	/* episodes off: it fires every tick, and the dump is what is looked at */
	snprintf(tail, sizeof(tail), "max_incident = 0\ndetectors { odd_triggers { %s } }", options);
	snprintf(path, sizeof(path), "%s/stderr", dir);
	scenario_start_in(sc, ST_ENGINE_PLUGIN_DIR, 4, 8u << 20, tail);
	int saved = st_test_stderr_to(path);
	int rc = scenario_begin(sc);
	for (int i = 0; rc == 0 && i < 6; i++)
		scenario_tick(sc);
	st_test_stderr_back(saved);
	char *said = st_test_slurp(path);
	CU_ASSERT_EQUAL(rc, 0);
	st_test_rmtree(dir);
	free(dir);
	return said;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* A type that is not a short [a-z0-9_] name never becomes a dump (it
 * would be a file name): refused with one line naming the plugin, once. */
static void test_bad_trigger_types_refused(void)
{
	static const char *const bad[][2] = {
		{ "type = \"../../x\"", "type \"../../x\"" },
		{ "type = \"Cpu\"", "type \"Cpu\"" },
		{ "type = \"a b\"", "type \"a b\"" },
		{ "type = \"\"", "type \"\"" },
		/* 32 characters: no room for the NUL, and not to be cut. */
		{ "type = \"abcdefghijklmnopqrstuvwxyz012345\"", "type \"abcdefghijklmnopqrstuvwxyz01234\"" },
		{ "pid = -5", "pid -5 is negative" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct scenario sc;
		char *said = run_odd(&sc, bad[i][0]);
		CU_ASSERT_EQUAL(sc.engine.naccepted, 0);
		CU_ASSERT_EQUAL(sc.ndumps, 0);
		CU_ASSERT_FALSE(sc.engine.incidents.open);
		CU_ASSERT_EQUAL(count(said, "odd_triggers: trigger refused"), 1);
		if (!strstr(said, bad[i][1])) {
			fprintf(stderr, "\n    %s: said \"%s\"", bad[i][0], said);
			CU_FAIL("the refusal names the fault");
		}
		free(said);
		scenario_stop(&sc);
	}
}

/* The longest type and the largest pid: the dump id holds both whole. */
static void test_longest_type_and_pid_in_id(void)
{
	struct scenario sc;
	char *said = run_odd(&sc, "type = \"abcdefghijklmnopqrstuvwxyz01234\" "
			     "pid = 2147483647");
	CU_ASSERT_PTR_NULL(strstr(said, "refused"));
	CU_ASSERT_FATAL(sc.ndumps >= 1);
	const char *id = sc.dumps[0]->id;
	const char *tail = "_abcdefghijklmnopqrstuvwxyz01234_2147483647";
	CU_ASSERT(strlen(id) > strlen(tail) &&
		  strcmp(id + strlen(id) - strlen(tail), tail) == 0);
	free(said);
	scenario_stop(&sc);
}

/* NaN and infinities never reach a dump: zeroed, said once. */
static void test_non_finite_figures_zeroed(void)
{
	struct scenario sc;
	char *said = run_odd(&sc, "nan = true");
	CU_ASSERT_EQUAL(count(said, "odd_triggers: trigger odd: a value, baseline or "
			      "threshold that is not a finite number"), 1);
	CU_ASSERT_FATAL(sc.ndumps >= 1);
	const struct st_trigger *t = &sc.dumps[0]->triggers[0].trigger;
	CU_ASSERT_EQUAL(t->value, 0);
	CU_ASSERT_EQUAL(t->baseline, 0);
	CU_ASSERT_EQUAL(t->threshold, 0);
	free(said);
	scenario_stop(&sc);
}

/* A first-release plugin fires through the engine: the verdict is not
 * given to a trigger_result its descriptor's size does not cover. */
static void test_old_descriptor_in_engine(void)
{
	struct scenario sc;
	scenario_start_in(&sc, ST_ENGINE_PLUGIN_DIR, 4, 8u << 20, "max_incident = 0\n"
			  "detectors { odd_triggers { enabled = false } "
			  "old_descriptor { fire = true } }");
	CU_ASSERT_FATAL(scenario_begin(&sc) == 0);
	scenario_tick(&sc);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&sc, "old_descriptor", 0));
	scenario_tick(&sc);         /* refused by its cooldown */
	CU_ASSERT_PTR_NULL(scenario_find(&sc, "old_descriptor", 0));
	scenario_stop(&sc);
}

/* A detector of an older ABI minor writes triggers at its own, shorter
 * stride: the engine reads each where the plugin put it, in the core's
 * layout, and gives the verdicts back on the plugin's own records. */
static void test_shorter_trigger_stride(void)
{
	struct scenario sc;
	char path[4096];
	char *dir = st_test_mkdtemp();
	snprintf(path, sizeof(path), "%s/stderr", dir);
	scenario_start_in(&sc, ST_ENGINE_PLUGIN_DIR, 4, 8u << 20, "max_incident = 0\n"
			  "detectors { odd_triggers { enabled = false } "
			  "short_triggers { fire = true } }");
	int saved = st_test_stderr_to(path);
	int rc = scenario_begin(&sc);
	if (rc == 0)
		scenario_tick(&sc);
	const struct st_trigger *a = scenario_find(&sc, "short_triggers", 7);
	const struct st_trigger *b = scenario_find(&sc, "short_triggers", 8);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(a);
	CU_ASSERT_PTR_NOT_NULL(b);
	if (a && b) {
		CU_ASSERT_EQUAL(a->value, 10);
		CU_ASSERT_EQUAL(b->value, 11);
		CU_ASSERT_STRING_EQUAL(b->summary, "short trigger 1");
		CU_ASSERT_STRING_EQUAL(b->units, "pct");
	}
	scenario_stop(&sc);     /* destroy logs what trigger_result saw */
	st_test_stderr_back(saved);
	char *said = st_test_slurp(path);
	CU_ASSERT_PTR_NOT_NULL(said && strstr(said, "short_triggers: 2 results, 0 not ours") ?
			       said : NULL);
	free(said);
	st_test_rmtree(dir);
	free(dir);
}

/* Before 1970 too, the milliseconds are three digits and the pid whole. */
static void test_dump_id_before_1970(void)
{
	char id[64];
	st_dump_make_id(id, sizeof(id), -1, "abcdefghijklmnopqrstuvwxyz01234", 2147483647);
	CU_ASSERT_STRING_EQUAL(id, "19691231T235959.999Z_abcdefghijklmnopqrstuvwxyz01234_2147483647");
	st_dump_make_id(id, sizeof(id), 1700000000123456789LL, "cpu_delta", 42);
	CU_ASSERT_STRING_EQUAL(id, "20231114T221320.123Z_cpu_delta_42");
}

/* ------------------------------------------------------------ SIGHUP */

static struct st_loaded_plugin *plugin_named(struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->engine.plugins.n; i++)
		if (strcmp(sc->engine.plugins.items[i].desc->name, name) == 0)
			return &sc->engine.plugins.items[i];
	return NULL;
}

/* Rewrites the scenario's config (its header, then tail) and reloads it
 * with stderr caught; the status, and what was said in *said. */
static int reload_with(struct scenario *sc, const char *plugin_dir, const char *tail,
		       char **said)
{
	char *text, *dir = st_test_mkdtemp(), path[4096];
	if (asprintf(&text, "interval = 1\nhistory = 30\npre_trigger = 5\n"
		     "post_trigger = 2\nplugin_dir = \"%s\"\n%s\n", plugin_dir, tail) < 0)
		abort();
	fake_proc_write(sc->fp, "spiketrace.conf", text);
	free(text);
	snprintf(path, sizeof(path), "%s/stderr", dir);
	int saved = st_test_stderr_to(path);
	int rc = st_engine_reload(&sc->engine, sc->conf_path, 1);
	st_test_stderr_back(saved);
	*said = st_test_slurp(path);
	st_test_rmtree(dir);
	free(dir);
	return rc;
}

/* A SIGHUP whose config a plugin refuses, by its check_options or by its
 * create failing, keeps the running instance and its options. */
static void test_reload_refused_by_plugin_keeps_instance(void)
{
	struct scenario sc;
	char *said;
	scenario_start_in(&sc, ST_ENGINE_PLUGIN_DIR, 4, 8u << 20,
			  "detectors { odd_triggers { enabled = false } picky { high = 5 } }");
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	struct st_loaded_plugin *p = plugin_named(&sc, "picky");
	SCENARIO_REQUIRE(&sc, p && p->running);
	void *state = p->state;
	size_t i = (size_t)(p - sc.engine.plugins.items);

	CU_ASSERT_EQUAL(reload_with(&sc, ST_ENGINE_PLUGIN_DIR, "detectors { "
				    "odd_triggers { enabled = false } picky { low = 7 high = 6 } }",
				    &said), 78);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "spiketrace.conf:6: detectors/picky: low (7) "
				      "must be below high (6); keeping the running configuration"));
	free(said);
	CU_ASSERT(p->running);
	CU_ASSERT_PTR_EQUAL(p->state, state);
	CU_ASSERT_EQUAL(sc.engine.cfg.plugins[i].values[1].i, 5);

	CU_ASSERT_EQUAL(reload_with(&sc, ST_ENGINE_PLUGIN_DIR, "detectors { "
				    "odd_triggers { enabled = false } "
				    "picky { high = 9 fail_create = true } }", &said), 78);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "picky: told to fail"));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "a plugin refused the new configuration; "
				      "keeping the running one"));
	free(said);
	CU_ASSERT(p->running);
	CU_ASSERT_PTR_EQUAL(p->state, state);
	CU_ASSERT(p->state && *(long *)p->state == 5);
	CU_ASSERT_EQUAL(sc.engine.cfg.plugins[i].values[1].i, 5);

	/* A config it takes replaces it. */
	CU_ASSERT_EQUAL(reload_with(&sc, ST_ENGINE_PLUGIN_DIR, "detectors { "
				    "odd_triggers { enabled = false } picky { high = 9 } }",
				    &said), 0);
	free(said);
	CU_ASSERT(p->running);
	CU_ASSERT_PTR_NOT_EQUAL(p->state, state);
	CU_ASSERT(p->state && *(long *)p->state == 9);
	CU_ASSERT_EQUAL(sc.engine.cfg.plugins[i].values[1].i, 9);
	scenario_stop(&sc);
}

/* The same with the real mem_pressure: hysteresis above the threshold on
 * SIGHUP leaves the running detector (it would have gone off for good). */
static void test_reload_bad_mem_pressure_keeps_it(void)
{
	struct scenario sc;
	char *said;
	scenario_start(&sc, 4, 8u << 20, NULL);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	struct st_loaded_plugin *p = plugin_named(&sc, "mem_pressure");
	SCENARIO_REQUIRE(&sc, p && p->running);
	void *state = p->state;
	CU_ASSERT_EQUAL(reload_with(&sc, ST_BUILD_PLUGIN_DIR, "detectors {\n"
				    "  mem_pressure { threshold_pct = 50 hysteresis_pct = 60 }\n}",
				    &said), 78);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, ":7: detectors/mem_pressure: hysteresis_pct (60) "
				      "must be below threshold_pct (50)"));
	free(said);
	CU_ASSERT(p->running);
	CU_ASSERT_PTR_EQUAL(p->state, state);
	scenario_stop(&sc);
}

/* ---------------------------------------------------------- episodes */

#define MIB 1024u               /* in KiB */
#define EPISODE_CONF(max) "history = 60\nmax_incident = " #max "\n" \
	"max_dumps_per_minute = 600\n" \
	"detectors { cpu_delta { enabled = false } mem_pressure { enabled = false }\n" \
	"  swap_spike { enabled = false } new_proc { enabled = false } }"

struct allocator {
	struct scenario sc;
	struct fake_process grower;
	uint64_t avail;
};

static int allocator_boot(struct allocator *m, const char *conf)
{
	scenario_start(&m->sc, 4, 64u << 20, conf);
	m->avail = 40u << 20;
	fake_proc_set_memory(m->sc.fp, m->avail, 0, 0);
	m->grower = fake_process_make(m->sc.fp, 200, "grower");
	fake_process_set_rss_kib(&m->grower, 100 * MIB);
	fake_proc_put(m->sc.fp, &m->grower);
	return scenario_begin(&m->sc);
}

/* One second in which grower takes fall_kib of available memory. */
static const struct st_trigger *allocate(struct allocator *m, uint64_t fall_kib)
{
	m->avail -= fall_kib;
	fake_proc_set_memory(m->sc.fp, m->avail, 0, 0);
	fake_process_set_rss_kib(&m->grower, fake_process_rss_kib(&m->grower) + fall_kib);
	fake_proc_put(m->sc.fp, &m->grower);
	scenario_tick(&m->sc);
	return scenario_find(&m->sc, "mem_drop", -1);
}

/* 375 MiB a second for 30 s: mem_drop fires on 29 of them (512 MiB over
 * its 3-sample window from the second on) and on the second after (the
 * window still holds 750 MiB). One episode, one dump, that covers it: its
 * first trigger, its peak, its end. */
static void test_steady_allocation_is_one_dump(void)
{
	struct allocator m;
	char *dir = st_test_mkdtemp(), path[4096];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	SCENARIO_REQUIRE(&m.sc, allocator_boot(&m, EPISODE_CONF(40)) == 0);
	for (int i = 0; i < 3; i++)
		allocate(&m, 0);
	int saved = st_test_stderr_to(path);
	unsigned fired = 0;
	for (int i = 0; i < 30; i++)
		fired += allocate(&m, 375 * MIB) != NULL;
	for (int i = 0; i < 10; i++)
		allocate(&m, 0);
	st_test_stderr_back(saved);
	char *said = st_test_slurp(path);
	CU_ASSERT_EQUAL(fired, 29);
	SCENARIO_REQUIRE(&m.sc, m.sc.ndumps == 1);
	const struct st_dump *d = m.sc.dumps[0];
	/* pre_trigger 5, the 29 samples of the episode, post_trigger 2 */
	CU_ASSERT_EQUAL(d->nsamples, 5 + 30 + 2);
	CU_ASSERT_EQUAL(d->trigger_index, 5);
	SCENARIO_REQUIRE(&m.sc, d->ntriggers == 3);
	CU_ASSERT_EQUAL(d->triggers[0].sample_index, 5);
	CU_ASSERT_DOUBLE_EQUAL(d->triggers[0].trigger.value, 750 * MIB, 1);
	/* the peak: the first sample whose window held three falls */
	CU_ASSERT_EQUAL(d->triggers[1].sample_index, 6);
	CU_ASSERT_DOUBLE_EQUAL(d->triggers[1].trigger.value, 1125 * MIB, 1);
	CU_ASSERT_EQUAL(d->triggers[2].sample_index, 5 + 29);
	CU_ASSERT_DOUBLE_EQUAL(d->triggers[2].trigger.value, 750 * MIB, 1);
	CU_ASSERT_EQUAL(d->samples[d->triggers[2].sample_index].offset_ns, 29000000000LL);
	/* One line when it opens, one when it closes, with how long and how much. */
	CU_ASSERT_EQUAL(count(said, "incident opened: mem_drop [200] grower"), 1);
	CU_ASSERT_EQUAL(count(said, "(lasted 29.0 s: 30 triggers, 3 listed, 37 samples)"), 1);
	CU_ASSERT_EQUAL(count(said, "notice: incident "), 2);
	free(said);
	st_test_rmtree(dir);
	free(dir);
	scenario_stop(&m.sc);
}

/* max_incident caps it; the cooldown (5 s) then runs from its end. */
static void test_episode_cap_and_cooldown_from_its_end(void)
{
	struct allocator m;
	SCENARIO_REQUIRE(&m.sc, allocator_boot(&m, EPISODE_CONF(10)) == 0);
	for (int i = 0; i < 3; i++)
		allocate(&m, 0);
	allocate(&m, 375 * MIB);
	CU_ASSERT_PTR_NOT_NULL(allocate(&m, 375 * MIB));       /* opens it */
	for (int i = 0; i < 10; i++)
		CU_ASSERT_PTR_NOT_NULL(allocate(&m, 375 * MIB));   /* extend it */
	/* Past the cap: refused by the cooldown its last extension armed. */
	for (int i = 0; i < 4; i++)
		CU_ASSERT_PTR_NULL(allocate(&m, 375 * MIB));
	SCENARIO_REQUIRE(&m.sc, m.sc.ndumps == 1);
	CU_ASSERT_EQUAL(m.sc.dumps[0]->nsamples, 5 + 11 + 2);
	/* 5 s after the episode's last trigger: a new incident. */
	CU_ASSERT_PTR_NOT_NULL(allocate(&m, 375 * MIB));
	scenario_stop(&m.sc);
}

/* The ring bounds an episode: history 60 holds pre_trigger (5) and
 * post_trigger (2) besides, so at most 52 s. */
static void test_episode_held_by_history(void)
{
	struct allocator m;
	char *dir = st_test_mkdtemp(), path[4096];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	int saved = st_test_stderr_to(path);
	int rc = allocator_boot(&m, EPISODE_CONF(3600));
	st_test_stderr_back(saved);
	char *said = st_test_slurp(path);
	SCENARIO_REQUIRE(&m.sc, rc == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "max_incident = 3600s is held to 52s"));
	CU_ASSERT_EQUAL(m.sc.engine.incidents.max_extension, 52);
	for (int i = 0; i < 3; i++)
		allocate(&m, 0);
	for (int i = 0; i < 70 && m.sc.ndumps == 0; i++)
		allocate(&m, 100 * MIB + (i % 2) * 450 * MIB);
	SCENARIO_REQUIRE(&m.sc, m.sc.ndumps == 1);
	CU_ASSERT_EQUAL(m.sc.dumps[0]->nsamples, 5 + 53 + 2);
	free(said);
	st_test_rmtree(dir);
	free(dir);
	scenario_stop(&m.sc);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "incident window and grouping", test_incident_window_and_grouping },
		{ "cooldown per trigger key", test_cooldown_per_key },
		{ "rate limit counts what it drops", test_rate_limit_counts_drops },
		{ "a disabled detector is off", test_disabled_detector },
		{ "the blamed process is always in the dump", test_blamed_process_always_in_dump },
		{ "manual trigger and flush at exit", test_manual_trigger_and_flush },
		{ "a bad config is refused with 78", test_bad_config_refused },
		{ "SIGUSR1 is not rate-limited", test_manual_trigger_not_rate_limited },
		{ "bad trigger types and pids are refused", test_bad_trigger_types_refused },
		{ "the longest type and pid fit the dump id", test_longest_type_and_pid_in_id },
		{ "NaN and infinite figures are zeroed", test_non_finite_figures_zeroed },
		{ "a dump id before 1970", test_dump_id_before_1970 },
		{ "the smallest descriptor in the engine", test_old_descriptor_in_engine },
		{ "a shorter trigger stride", test_shorter_trigger_stride },
		{ "reload refused by a plugin keeps it", test_reload_refused_by_plugin_keeps_instance },
		{ "reload with bad mem_pressure options keeps it", test_reload_bad_mem_pressure_keeps_it },
		{ "a steady allocation is one dump", test_steady_allocation_is_one_dump },
		{ "an episode's cap; the cooldown from its end", test_episode_cap_and_cooldown_from_its_end },
		{ "an episode is held by the history", test_episode_held_by_history },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("engine", tests);
}
