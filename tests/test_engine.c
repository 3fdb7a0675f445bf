/* The core's part, the same for every detector: cooldown, incidents and
 * their pre/post window, every trigger kept, the rate limit, disabled
 * detectors, the manual trigger and the flush at exit. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump/dump_json.h"
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
		CU_ASSERT_EQUAL(b->flags, 0);   /* past the plugin's size: zero */
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

/* A 2.1 detector's padding where 2.2 has exited_count: not a group. */
static void test_older_minor_padding_ignored(void)
{
	struct scenario sc;
	scenario_start_in(&sc, ST_ENGINE_PLUGIN_DIR, 4, 8u << 20, "max_incident = 0\n"
			  "detectors { odd_triggers { enabled = false } "
			  "padded_triggers { fire = true } }");
	int rc = scenario_begin(&sc);
	if (rc == 0)
		scenario_tick(&sc);
	CU_ASSERT_EQUAL(rc, 0);
	const struct st_trigger *t = scenario_find(&sc, "padded_triggers", 9);
	CU_ASSERT_PTR_NOT_NULL(t);
	if (t)
		CU_ASSERT_EQUAL(t->exited_count, 0);
	scenario_stop(&sc);
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

/* The fast ring is sized at start: a new fast_interval waits for the
 * restart, and an interval below the running one is refused. */
static void test_reload_fast_interval_at_restart(void)
{
	struct scenario sc;
	char *said;
	scenario_start(&sc, 2, 8u << 20, "fast_interval = 0.5");
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	uint32_t cap = sc.engine.fast.cap;
	CU_ASSERT_EQUAL(cap, st_fast_ring_capacity(30, 1, 0.5));
	CU_ASSERT_EQUAL(reload_with(&sc, ST_BUILD_PLUGIN_DIR, "fast_interval = 0.2", &said), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "reload: fast_interval = 0.2 takes effect at "
				      "restart (running with 0.5)"));
	free(said);
	CU_ASSERT_EQUAL(sc.engine.cfg.fast_interval_s, 0.5);
	CU_ASSERT_EQUAL(sc.engine.fast.cap, cap);
	CU_ASSERT_EQUAL(reload_with(&sc, ST_BUILD_PLUGIN_DIR, "interval = 0.2", &said), 78);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "interval = 0.2 is below the running "
				      "fast_interval (0.5); keeping the running configuration"));
	free(said);
	CU_ASSERT_EQUAL(sc.engine.cfg.interval_s, 1);
	CU_ASSERT_EQUAL(sc.engine.cfg.fast_interval_s, 0.5);
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

/* ------------------------------------------- the poll loop's hooks */

/* The watcher test plugin on a FIFO of its own; the test writes to wfd. */
struct watched {
	struct scenario sc;
	char *dir;
	char fifo[4096];
	int wfd;
};

static int watched_start(struct watched *w, const char *options)
{
	char tail[8192];
	w->dir = st_test_mkdtemp();
	snprintf(w->fifo, sizeof(w->fifo), "%s/fifo", w->dir);
	CU_ASSERT_FATAL(mkfifo(w->fifo, 0600) == 0);
	/* fast_interval 0: the samples between the ticks are the watcher's. */
	snprintf(tail, sizeof(tail), "max_incident = 0\nfast_interval = 0\ndetectors { "
		 "odd_triggers { enabled = false } watcher { fifo = \"%s\" %s } }",
		 w->fifo, options);
	scenario_start_in(&w->sc, ST_ENGINE_PLUGIN_DIR, 4, 8u << 20, tail);
	int rc = scenario_begin(&w->sc);
	/* The plugin holds the FIFO open for reading: this does not block. */
	w->wfd = rc == 0 ? open(w->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC) : -1;
	return rc;
}

static void watched_stop(struct watched *w)
{
	if (w->wfd >= 0)
		close(w->wfd);
	scenario_stop(&w->sc);
	st_test_rmtree(w->dir);
	free(w->dir);
}

/* What the daemon's loop does between two polls, the next tick due at
 * next_tick: the watched fds' ready(), then the off-tick step (a sample
 * when one is due; its dump kept with the scenario's). */
static enum st_off_tick_action loop_pass(struct scenario *sc, int64_t next_tick, int64_t *at)
{
	struct st_engine *e = &sc->engine;
	struct pollfd fds[ST_FD_WATCH_MAX];
	struct st_dump *dump;
	size_t n = st_fd_watch_fill(&e->watches, fds, ST_FD_WATCH_MAX);
	CU_ASSERT(poll(fds, n, 0) >= 0);
	st_fd_watch_dispatch(&e->watches, fds, n);
	enum st_off_tick_action a = st_engine_off_tick_step(e, fake_proc_clock(sc->fp),
							    next_tick, at, &dump);
	if (dump && sc->ndumps < SCENARIO_MAX_DUMPS)
		sc->dumps[sc->ndumps++] = dump;
	else if (dump)
		st_dump_free(dump);
	return a;
}

#define SEC 1000000000LL

/* A detector's fd becomes readable between two ticks: its ready() asks
 * for a sample, which is taken then, marked, seen by the detectors, and
 * the next tick comes when it was due. Requests within the gap after a
 * sample are served together at its end. */
static void test_off_tick_sample_between_ticks(void)
{
	struct watched w;
	int64_t at = 0;
	SCENARIO_REQUIRE(&w.sc, watched_start(&w, "fire = true") == 0 && w.wfd >= 0);
	struct st_engine *e = &w.sc.engine;
	CU_ASSERT_EQUAL(st_fd_watch_count(&e->watches), 1);
	scenario_tick(&w.sc);
	const struct st_sample *tick = st_ring_newest(&e->ring);
	uint64_t seq = tick->seq;
	int64_t t0 = tick->mono_ns, next = t0 + SEC;
	CU_ASSERT_EQUAL(tick->flags, 0);

	/* Nothing written: no request, no sample. */
	fake_proc_advance(w.sc.fp, 0.4);
	CU_ASSERT_EQUAL(loop_pass(&w.sc, next, &at), ST_OFF_TICK_IDLE);
	CU_ASSERT_EQUAL(st_ring_newest(&e->ring)->seq, seq);

	CU_ASSERT_EQUAL(write(w.wfd, "x", 1), 1);
	CU_ASSERT_EQUAL(loop_pass(&w.sc, next, &at), ST_OFF_TICK_NOW);
	const struct st_sample *off = st_ring_newest(&e->ring);
	CU_ASSERT_EQUAL(off->seq, seq + 1);
	CU_ASSERT_EQUAL(off->flags, ST_SAMPLE_OFF_TICK);
	CU_ASSERT_EQUAL(off->mono_ns, t0 + 4 * SEC / 10);
	CU_ASSERT_DOUBLE_EQUAL(off->interval_s, 0.4, 1e-9);
	CU_ASSERT_PTR_NOT_NULL(scenario_find(&w.sc, "off_tick", 0));   /* detectors ran */
	CU_ASSERT_EQUAL(e->off_tick.samples, 1);
	CU_ASSERT_EQUAL(e->off_tick.pending, 0);

	/* Two wakes 10 ms apart just after it: one sample at the gap's end. */
	fake_proc_advance(w.sc.fp, 0.01);
	CU_ASSERT_EQUAL(write(w.wfd, "y", 1), 1);
	CU_ASSERT_EQUAL(loop_pass(&w.sc, next, &at), ST_OFF_TICK_AT);
	CU_ASSERT_EQUAL(at, off->mono_ns + SEC / 10);
	fake_proc_advance(w.sc.fp, 0.01);
	CU_ASSERT_EQUAL(write(w.wfd, "z", 1), 1);
	CU_ASSERT_EQUAL(loop_pass(&w.sc, next, &at), ST_OFF_TICK_AT);
	CU_ASSERT_EQUAL(e->off_tick.pending, 2);
	CU_ASSERT_EQUAL(st_ring_newest(&e->ring)->seq, seq + 1);
	fake_proc_advance(w.sc.fp, 0.08);
	CU_ASSERT_EQUAL(loop_pass(&w.sc, next, &at), ST_OFF_TICK_NOW);
	CU_ASSERT_EQUAL(st_ring_newest(&e->ring)->seq, seq + 2);
	CU_ASSERT_EQUAL(st_ring_newest(&e->ring)->mono_ns, t0 + 5 * SEC / 10);
	CU_ASSERT_EQUAL(e->off_tick.samples, 2);
	CU_ASSERT_EQUAL(e->off_tick.requests, 3);
	CU_ASSERT_EQUAL(e->off_tick.merged, 1);

	/* The tick when it was due, a whole interval after the last one. */
	scenario_tick_for(&w.sc, 0.5);
	const struct st_sample *tock = st_ring_newest(&e->ring);
	CU_ASSERT_EQUAL(tock->seq, seq + 3);
	CU_ASSERT_EQUAL(tock->mono_ns, next);
	CU_ASSERT_EQUAL(tock->flags, 0);
	CU_ASSERT_DOUBLE_EQUAL(tock->interval_s, 0.5, 1e-9);
	CU_ASSERT_PTR_NULL(scenario_find(&w.sc, "off_tick", 0));

	/* A request too close to the next tick is the tick's. */
	fake_proc_advance(w.sc.fp, 0.95);
	CU_ASSERT_EQUAL(write(w.wfd, "w", 1), 1);
	CU_ASSERT_EQUAL(loop_pass(&w.sc, next + SEC, &at), ST_OFF_TICK_TICK);
	scenario_tick_for(&w.sc, 0.05);
	CU_ASSERT_EQUAL(e->off_tick.pending, 0);
	CU_ASSERT_EQUAL(e->off_tick.by_tick, 1);
	CU_ASSERT_EQUAL(e->off_tick.samples, 2);

	/* The dump of the incident the first off-tick sample opened (done by
	 * now: post_trigger counts samples) marks both, and the mark comes
	 * back from its JSON. */
	SCENARIO_REQUIRE(&w.sc, w.sc.ndumps == 1);
	struct st_dump *d = w.sc.dumps[0];
	SCENARIO_REQUIRE(&w.sc, d->trigger_index >= 0);
	const struct st_dump_sample *ds = &d->samples[d->trigger_index];
	CU_ASSERT_EQUAL(ds->seq, seq + 1);
	CU_ASSERT_EQUAL(ds->flags, ST_SAMPLE_OFF_TICK);
	CU_ASSERT_EQUAL(d->samples[d->trigger_index - 1].flags, 0);
	char *json = st_dump_to_json(d, 0), err[256];
	SCENARIO_REQUIRE(&w.sc, json != NULL);
	CU_ASSERT_EQUAL(count(json, "\"off_tick\":true"), 2);
	struct st_dump *back = st_dump_from_json(json, strlen(json), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(back);
	for (uint32_t i = 0; back && i < back->nsamples; i++)
		CU_ASSERT_EQUAL(back->samples[i].flags, d->samples[i].flags);
	if (back)
		st_dump_free(back);
	free(json);
	watched_stop(&w);
}

/* After an incident opens, processes too are sampled every fast_interval
 * (0.1 s here) between the ticks of its post-trigger window (2 s
 * here): 9 a second, marked, each over 0.1 s, none of them counted as a
 * post-trigger sample. The ticks keep their schedule, and the ring gives
 * the slots they took back once the dump is built. */
static void test_fast_samples_after_trigger(void)
{
	struct scenario sc;
	struct fake_process a, b;
	int64_t at = 0;
	scenario_start(&sc, 4, 8u << 20, "fast_interval = 0.1");
	two_idle(&sc, &a, &b);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	struct st_engine *e = &sc.engine;
	for (int i = 0; i < 6; i++)
		idle_tick(&sc, &a, &b);
	int64_t t0 = st_ring_newest(&e->ring)->mono_ns, next = t0 + SEC;
	CU_ASSERT_EQUAL(loop_pass(&sc, next, &at), ST_OFF_TICK_IDLE);   /* no incident */
	CU_ASSERT_EQUAL(e->ring.capacity, 30);

	st_engine_manual_trigger(e, "look");
	CU_ASSERT_EQUAL(e->ring.capacity, 30 + 2 * 9);
	uint64_t trigger_seq = st_ring_newest(&e->ring)->seq;
	unsigned fast = 0, ticks = 0;
	for (int guard = 0; guard < 100 && sc.ndumps == 0; guard++) {
		int64_t now = fake_proc_clock(sc.fp);
		enum st_off_tick_action act = loop_pass(&sc, next, &at);
		if (act == ST_OFF_TICK_NOW) {
			const struct st_sample *s = st_ring_newest(&e->ring);
			CU_ASSERT_EQUAL(s->flags, ST_SAMPLE_FAST);
			CU_ASSERT_DOUBLE_EQUAL(s->interval_s, 0.1, 1e-6);
			CU_ASSERT_EQUAL((s->mono_ns - t0) % (SEC / 10), 0);
			fast++;
		} else if (act == ST_OFF_TICK_AT) {
			CU_ASSERT_EQUAL(at, now + SEC / 10);
			fake_proc_advance(sc.fp, (double)(at - now) / 1e9);
		} else {
			CU_ASSERT_EQUAL_FATAL(act, ST_OFF_TICK_TICK);
			CU_ASSERT_EQUAL(now, next - SEC / 10);
			scenario_tick_for(&sc, 0.1);
			CU_ASSERT_EQUAL(st_ring_newest(&e->ring)->flags, 0);
			ticks++;
			next += SEC;
		}
	}
	CU_ASSERT_EQUAL(fast, 18);
	CU_ASSERT_EQUAL(ticks, 2);
	CU_ASSERT_EQUAL(e->burst_samples, 18);
	SCENARIO_REQUIRE(&sc, sc.ndumps == 1);
	const struct st_dump *d = sc.dumps[0];
	/* pre_trigger 5, the trigger, 18 fast samples and the 2 ticks */
	CU_ASSERT_EQUAL(d->nsamples, 5 + 1 + 18 + 2);
	CU_ASSERT_EQUAL(d->trigger_index, 5);
	CU_ASSERT_EQUAL(d->samples[5].seq, trigger_seq);
	for (uint32_t i = 0; i < d->nsamples; i++) {
		const struct st_dump_sample *ds = &d->samples[i];
		int fast_one = i > 5 && i != 15 && i != 25;
		CU_ASSERT_EQUAL(ds->flags, fast_one ? ST_SAMPLE_FAST : 0);
		CU_ASSERT_DOUBLE_EQUAL(ds->interval_s, i > 5 ? 0.1 : 1.0, 1e-6);
		CU_ASSERT_EQUAL(ds->offset_ns, i <= 5 ? ((int64_t)i - 5) * SEC
						      : ((int64_t)i - 5) * SEC / 10);
	}
	/* The slots are back; the next tick is a tick again. */
	CU_ASSERT_EQUAL(e->ring.capacity, 30);
	CU_ASSERT_EQUAL(e->ring.count, 1 + 6 + 20);
	CU_ASSERT_EQUAL(loop_pass(&sc, next, &at), ST_OFF_TICK_IDLE);
	scenario_tick_for(&sc, 1.0);
	CU_ASSERT_DOUBLE_EQUAL(st_ring_newest(&e->ring)->interval_s, 1.0, 1e-6);
	scenario_stop(&sc);
}

/* Rewrites the watched scenario's config with these watcher options and
 * reloads; the status, and what was said in *said. */
static int reload_watcher(struct watched *w, const char *options, char **said)
{
	char tail[8192];
	/* fast_interval 0: the samples between the ticks are the watcher's. */
	snprintf(tail, sizeof(tail), "max_incident = 0\nfast_interval = 0\ndetectors { "
		 "odd_triggers { enabled = false } watcher { fifo = \"%s\" %s } }",
		 w->fifo, options);
	return reload_with(&w->sc, ST_ENGINE_PLUGIN_DIR, tail, said);
}

static int watch_of(struct scenario *sc, const char *plugin)
{
	for (size_t i = 0; i < ST_FD_WATCH_MAX; i++)
		if (sc->engine.watches.w[i].id &&
		    strcmp(sc->engine.watches.w[i].owner->plugin_name, plugin) == 0)
			return sc->engine.watches.w[i].id;
	return 0;
}

/* The watches an instance leaves are the core's to remove, each said with
 * the plugin's name: on SIGHUP (the new instance's watch stays), when a
 * reload turns the detector off, when a create fails (at start and in a
 * reload that is then refused, the running instance's watch kept). */
static void test_watches_of_gone_instances_removed(void)
{
	struct watched w;
	char *said;
	SCENARIO_REQUIRE(&w.sc, watched_start(&w, "leave_watch = true") == 0);
	int first = watch_of(&w.sc, "watcher");
	CU_ASSERT(first > 0);

	CU_ASSERT_EQUAL(reload_watcher(&w, "leave_watch = true", &said), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "plugin watcher: its instance is gone and left fd"));
	free(said);
	int second = watch_of(&w.sc, "watcher");
	CU_ASSERT(second > first);
	CU_ASSERT_EQUAL(st_fd_watch_count(&w.sc.engine.watches), 1);

	/* Refused: the new instance's watch goes, the running one's stays. */
	CU_ASSERT_EQUAL(reload_watcher(&w, "fail_create = true", &said), 78);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "watcher: told to fail"));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "plugin watcher: its instance is gone and left fd"));
	free(said);
	CU_ASSERT_EQUAL(watch_of(&w.sc, "watcher"), second);
	CU_ASSERT_EQUAL(st_fd_watch_count(&w.sc.engine.watches), 1);
	/* ... and it still works. */
	CU_ASSERT_EQUAL(write(w.wfd, "x", 1), 1);
	int64_t at;
	fake_proc_advance(w.sc.fp, 0.5);
	CU_ASSERT_EQUAL(loop_pass(&w.sc, fake_proc_clock(w.sc.fp) + SEC / 2, &at),
			ST_OFF_TICK_NOW);

	CU_ASSERT_EQUAL(reload_watcher(&w, "enabled = false", &said), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "plugin watcher: its instance is gone and left fd"));
	free(said);
	CU_ASSERT_EQUAL(st_fd_watch_count(&w.sc.engine.watches), 0);
	watched_stop(&w);

	/* A create that fails at start. */
	char *dir = st_test_mkdtemp(), path[4096];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	int saved = st_test_stderr_to(path);
	int rc = watched_start(&w, "fail_create = true");
	st_test_stderr_back(saved);
	said = st_test_slurp(path);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "plugin watcher: create failed; it stays off"));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "plugin watcher: its instance is gone and left fd"));
	CU_ASSERT_EQUAL(st_fd_watch_count(&w.sc.engine.watches), 0);
	free(said);
	st_test_rmtree(dir);
	free(dir);
	watched_stop(&w);
}

static void ready_nothing(void *arg, int32_t fd, uint32_t revents)
{
	(void)arg; (void)fd; (void)revents;
}

static void *request_from_thread(void *arg)
{
	const struct st_host *host = arg;
	return (void *)(intptr_t)host->request_sample(host, "from a thread of its own");
}

/* Only a running detector, on the sampling thread, uses the loop; a
 * refusal is -1 and one line naming the plugin and why. */
static void test_loop_hooks_refused(void)
{
	struct scenario sc;
	char *dir = st_test_mkdtemp(), path[4096];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	scenario_start(&sc, 4, 8u << 20, "sinks { stdout { } }");
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	struct st_loaded_plugin *sink = plugin_named(&sc, "stdout");
	struct st_loaded_plugin *det = plugin_named(&sc, "cpu_delta");
	SCENARIO_REQUIRE(&sc, sink && sink->running && det && det->running);
	SCENARIO_REQUIRE(&sc, ST_HOST_HAS(&det->host, watch_fd) &&
			 ST_HOST_HAS(&det->host, request_sample));
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	int saved = st_test_stderr_to(path);
	CU_ASSERT_EQUAL(sink->host.watch_fd(&sink->host, fd, POLLIN, ready_nothing, NULL), -1);
	CU_ASSERT_EQUAL(sink->host.request_sample(&sink->host, "a sink"), -1);
	pthread_t th;
	void *rc = NULL;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, request_from_thread, &det->host) == 0);
	pthread_join(th, &rc);
	CU_ASSERT_EQUAL((intptr_t)rc, -1);
	/* A detector that stopped running (its host table outlives it). */
	det->running = 0;
	CU_ASSERT_EQUAL(det->host.watch_fd(&det->host, fd, POLLIN, ready_nothing, NULL), -1);
	det->running = 1;
	int32_t id = det->host.watch_fd(&det->host, fd, POLLIN, ready_nothing, NULL);
	CU_ASSERT(id > 0);
	CU_ASSERT_EQUAL(det->host.watch_fd(&det->host, fd, POLLIN, ready_nothing, NULL), -1);
	det->host.unwatch_fd(&det->host, id);
	CU_ASSERT_EQUAL(st_fd_watch_count(&sc.engine.watches), 0);
	CU_ASSERT_EQUAL(det->host.request_sample(&det->host, "a test"), 0);
	st_test_stderr_back(saved);

	char *said = st_test_slurp(path);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "plugin stdout: watch_fd refused: only detectors "
				      "use the poll loop"));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "plugin stdout: request_sample refused: only "
				      "detectors use the poll loop"));
	/* request_sample refusals are thinned out: the thread's is not said
	 * after the sink's. */
	CU_ASSERT_PTR_NULL(strstr(said, "thread other than the sampling one"));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "plugin cpu_delta: watch_fd refused: the detector "
				      "is not running"));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "plugin cpu_delta: watch_fd refused: fd"));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "is watched already (by cpu_delta)"));
	CU_ASSERT_EQUAL(sc.engine.off_tick.pending, 1);
	free(said);
	close(fd);
	st_test_rmtree(dir);
	free(dir);
	scenario_stop(&sc);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "reload: fast_interval at restart", test_reload_fast_interval_at_restart },
		{ "processes at fast_interval after a trigger", test_fast_samples_after_trigger },
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
		{ "an older minor's padding is no exited group", test_older_minor_padding_ignored },
		{ "reload refused by a plugin keeps it", test_reload_refused_by_plugin_keeps_instance },
		{ "reload with bad mem_pressure options keeps it", test_reload_bad_mem_pressure_keeps_it },
		{ "a steady allocation is one dump", test_steady_allocation_is_one_dump },
		{ "an episode's cap; the cooldown from its end", test_episode_cap_and_cooldown_from_its_end },
		{ "an episode is held by the history", test_episode_held_by_history },
		{ "an off-tick sample between two ticks", test_off_tick_sample_between_ticks },
		{ "the watches of gone instances are removed", test_watches_of_gone_instances_removed },
		{ "the loop hooks refuse what may not use them", test_loop_hooks_refused },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("engine", tests);
}
