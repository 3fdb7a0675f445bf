/* proc_storm, the real plugin in the real engine, over scripted fake /proc
 * trees: /proc/stat's "processes" counter and the new processes each
 * second, one second per tick. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/term_text.h"
#include "cunit_runner.h"
#include "scenario.h"

#define OTHERS_OFF "cpu_delta { enabled = false } new_proc { enabled = false } " \
	"mem_drop { enabled = false } mem_pressure { enabled = false } " \
	"swap_spike { enabled = false } pressure { enabled = false } "
#define ONLY_PROC_STORM(opts) "detectors { " OTHERS_OFF "proc_storm { " opts " } }"

#define CHILDREN_MAX 64

/* A fake machine whose storm is scripted second by second. */
struct storm {
	struct scenario sc;
	struct fake_process kids[CHILDREN_MAX];
	int nkids;
	int32_t next_pid;
};

static void start(struct storm *s, const char *opts)
{
	memset(s, 0, sizeof(*s));
	scenario_start(&s->sc, 2, 8u << 20, opts);
	s->next_pid = 5000;
}

/* One second: `forks` processes created, of which the sample sees
 * `seen` alive, children of ppid named comm (last second's are gone). */
static size_t second(struct storm *s, uint64_t forks, int seen, int32_t ppid, const char *comm)
{
	for (int i = 0; i < s->nkids; i++)
		fake_proc_remove(s->sc.fp, s->kids[i].pid);
	s->nkids = 0;
	for (int i = 0; i < seen && s->nkids < CHILDREN_MAX; i++) {
		struct fake_process *k = &s->kids[s->nkids++];
		*k = fake_process_make(s->sc.fp, s->next_pid++, comm);
		k->ppid = ppid;
		fake_proc_put(s->sc.fp, k);
	}
	s->sc.fp->forks += forks;
	return scenario_tick(&s->sc);
}

static const struct st_trigger *fired(const struct storm *s)
{
	return scenario_find(&s->sc, "proc_storm", -1);
}

static void test_fires_on_sustained_storm(void)
{
	struct storm s;
	start(&s, ONLY_PROC_STORM("forks_per_s = 1000 min_s = 2 cooldown = 0"));
	scenario_settled(&s.sc, 777, "make", 0);
	CU_ASSERT_FATAL(scenario_begin(&s.sc) == 0);
	for (int i = 0; i < 3; i++) {
		second(&s, 20, 0, 1, "quiet");
		CU_ASSERT_PTR_NULL(fired(&s));
	}
	/* One second of it: not min_s yet. */
	second(&s, 3000, 5, 777, "cc1");
	CU_ASSERT_PTR_NULL(fired(&s));
	second(&s, 3000, 5, 777, "cc1");
	const struct st_trigger *t = fired(&s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->pid, 777);
	CU_ASSERT_STRING_EQUAL(t->comm, "make");
	CU_ASSERT_DOUBLE_EQUAL(t->value, 3000, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(t->baseline, 20, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(t->threshold, 1000, 1e-9);
	CU_ASSERT_STRING_EQUAL(t->units, "forks/s");
	CU_ASSERT(t->flags & ST_TRIGGER_SYSTEM);
	CU_ASSERT_STRING_EQUAL(t->summary, "3,000 forks/s over 2 s (threshold 1,000); "
			       "most from [777] make: 10 new children seen");
	/* The storm goes on: one episode, one trigger. */
	for (int i = 0; i < 4; i++) {
		second(&s, 3000, 5, 777, "cc1");
		CU_ASSERT_PTR_NULL(fired(&s));
	}
	scenario_stop(&s.sc);
}

/* A parent named with control bytes, a backslash, a byte that is not
 * UTF-8, a valid accent and a bidirectional override is named in the
 * summary in the escaper's UTF-8 form (term_text.h). */
#define HOSTILE "ev\n\x1b[1m\\\xff\xc3\xa9\xe2\x80\xae"
#define HOSTILE_ESCAPED "ev\\n\\x1b[1m\\\\\\xff\xc3\xa9\\xe2\\x80\\xae"

/* Two seconds of forks/s, seen of them alive, children of ppid named
 * child, on a machine where process parent is named parent_comm. */
static const struct st_trigger *storm_under(struct storm *s, int32_t parent,
					    const char *parent_comm, uint64_t forks, int seen,
					    int32_t ppid, const char *child)
{
	start(s, ONLY_PROC_STORM("forks_per_s = 1000 min_s = 2 cooldown = 0"));
	scenario_settled(&s->sc, parent, parent_comm, 0);
	CU_ASSERT_FATAL(scenario_begin(&s->sc) == 0);
	second(s, 0, 0, 1, "quiet");
	second(s, forks, seen, ppid, child);
	second(s, forks, seen, ppid, child);
	return fired(s);
}

static void test_hostile_names_escaped(void)
{
	struct storm s;
	const struct st_trigger *t = storm_under(&s, 777, HOSTILE, 3000, 5, 777, "cc1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	/* As it is: every output escapes the summary once for its medium. */
	CU_ASSERT_STRING_EQUAL(t->summary, "3,000 forks/s over 2 s (threshold 1,000); "
			       "most from [777] " HOSTILE ": 10 new children seen");
	char shown[1024];
	st_escape_terminal(t->summary, shown, sizeof(shown));
	CU_ASSERT_PTR_NOT_NULL(strstr(shown, "[777] " HOSTILE_ESCAPED ": 10 new"));
	scenario_stop(&s.sc);

	/* Orphans: the name they share, and init's. */
	t = storm_under(&s, 1, HOSTILE, 2500, 6, 1, "a\tb\\");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t->summary, "2,500 forks/s over 2 s (threshold 1,000); "
			       "most new: a\tb\\ x12, children of [1] " HOSTILE);
	st_escape_terminal(t->summary, shown, sizeof(shown));
	CU_ASSERT_PTR_NOT_NULL(strstr(shown, "a\\tb\\\\ x12, children of [1] " HOSTILE_ESCAPED));
	scenario_stop(&s.sc);
}

static void test_silent_below(void)
{
	struct storm s;
	start(&s, ONLY_PROC_STORM("forks_per_s = 1000 min_s = 2 cooldown = 0"));
	scenario_settled(&s.sc, 777, "make", 0);
	CU_ASSERT_FATAL(scenario_begin(&s.sc) == 0);
	for (int i = 0; i < 8; i++) {
		second(&s, 999, 5, 777, "cc1");
		CU_ASSERT_PTR_NULL(fired(&s));
	}
	scenario_stop(&s.sc);
}

/* Ten thousand in one second, then quiet: 5,000/s over two seconds, but
 * not sustained. With min_s = 1 the same second is a storm. */
static void test_burst_is_not_a_storm(void)
{
	for (int min_s = 2; min_s >= 1; min_s--) {
		struct storm s;
		char tail[512];
		snprintf(tail, sizeof(tail), "detectors { " OTHERS_OFF "proc_storm { "
			 "forks_per_s = 1000 min_s = %d cooldown = 0 } }", min_s);
		start(&s, tail);
		CU_ASSERT_FATAL(scenario_begin(&s.sc) == 0);
		second(&s, 0, 0, 1, "quiet");
		second(&s, 0, 0, 1, "quiet");
		int n = 0;
		n += second(&s, 10000, 0, 1, "burst") > 0;
		for (int i = 0; i < 4; i++)
			n += second(&s, 0, 0, 1, "quiet") > 0;
		CU_ASSERT_EQUAL(n, min_s == 1 ? 1 : 0);
		scenario_stop(&s.sc);
	}
}

static void test_rearms_after_the_storm(void)
{
	struct storm s;
	start(&s, ONLY_PROC_STORM("forks_per_s = 1000 min_s = 2 cooldown = 0"));
	scenario_settled(&s.sc, 777, "make", 0);
	CU_ASSERT_FATAL(scenario_begin(&s.sc) == 0);
	second(&s, 0, 0, 1, "quiet");
	int fires = 0;
	for (int i = 0; i < 4; i++)
		fires += second(&s, 3000, 2, 777, "cc1") > 0;
	CU_ASSERT_EQUAL(fires, 1);
	/* 600/s is above half the threshold: the same storm, quieter. */
	for (int i = 0; i < 3; i++)
		fires += second(&s, 600, 0, 777, "cc1") > 0;
	for (int i = 0; i < 2; i++)
		fires += second(&s, 3000, 2, 777, "cc1") > 0;
	CU_ASSERT_EQUAL(fires, 1);
	/* Below half for min_s: over. The next storm is news. */
	for (int i = 0; i < 2; i++)
		fires += second(&s, 100, 0, 777, "cc1") > 0;
	second(&s, 3000, 2, 777, "cc1");
	CU_ASSERT_PTR_NULL(fired(&s));
	second(&s, 3000, 2, 777, "cc1");
	CU_ASSERT_PTR_NOT_NULL(fired(&s));
	scenario_stop(&s.sc);
}

/* A storm that starts while the cooldown of the last one runs is refused
 * by the core; the detector offers it again on the next samples, and it
 * is taken once the cooldown is over. */
static void test_refused_trigger_rearms(void)
{
	struct storm s;
	start(&s, ONLY_PROC_STORM("forks_per_s = 1000 min_s = 2 cooldown = 20"));
	scenario_settled(&s.sc, 777, "make", 0);
	CU_ASSERT_FATAL(scenario_begin(&s.sc) == 0);
	second(&s, 0, 0, 1, "quiet");
	second(&s, 3000, 2, 777, "cc1");
	second(&s, 3000, 2, 777, "cc1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fired(&s));
	int64_t first_ns = fake_proc_clock(s.sc.fp);
	for (int i = 0; i < 4; i++)
		second(&s, 0, 0, 1, "quiet");
	int taken_at = -1;
	for (int i = 0; i < 25 && taken_at < 0; i++) {
		second(&s, 3000, 2, 777, "cc1");
		if (fired(&s))
			taken_at = (int)((fake_proc_clock(s.sc.fp) - first_ns) / 1000000000LL);
	}
	/* The cooldown ran 20 s from the first trigger. */
	CU_ASSERT(taken_at >= 20 && taken_at <= 21);
	scenario_stop(&s.sc);
}

/* Double-forked children are init's: the name they share is blamed. */
static void test_orphans_blamed_by_name(void)
{
	struct storm s;
	start(&s, ONLY_PROC_STORM("forks_per_s = 1000 min_s = 2 cooldown = 0"));
	scenario_settled(&s.sc, 1, "systemd", 0);
	CU_ASSERT_FATAL(scenario_begin(&s.sc) == 0);
	second(&s, 0, 0, 1, "quiet");
	second(&s, 2500, 6, 1, "spkorphan");
	second(&s, 2500, 6, 1, "spkorphan");
	const struct st_trigger *t = fired(&s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->pid, 0);
	CU_ASSERT_STRING_EQUAL(t->comm, "spkorphan");
	CU_ASSERT_STRING_EQUAL(t->summary, "2,500 forks/s over 2 s (threshold 1,000); "
			       "most new: spkorphan x12, children of [1] systemd");
	scenario_stop(&s.sc);
}

/* No child lives long enough to be sampled: the parent's reaped
 * children's CPU names it. */
static void test_reaper_when_no_child_is_seen(void)
{
	struct storm s;
	start(&s, ONLY_PROC_STORM("forks_per_s = 1000 min_s = 2 cooldown = 0"));
	struct fake_process sh = scenario_settled(&s.sc, 4242, "sh", 0);
	struct fake_process idle = scenario_settled(&s.sc, 300, "idle", 0);
	CU_ASSERT_FATAL(scenario_begin(&s.sc) == 0);
	/* Every process read every tick: the read policy is test_sampler's. */
	s.sc.engine.sampler.read_all = 1;
	second(&s, 0, 0, 1, "quiet");
	for (int i = 0; i < 2; i++) {
		sh.cutime += (uint64_t)s.sc.fp->hz / 2;
		fake_proc_put(s.sc.fp, &sh);
		idle.cutime += (uint64_t)s.sc.fp->hz / 10;
		fake_proc_put(s.sc.fp, &idle);
		second(&s, 4000, 0, 1, "true");
	}
	const struct st_trigger *t = fired(&s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->pid, 4242);
	CU_ASSERT_EQUAL(t->start_ticks, sh.start_ticks);
	CU_ASSERT_STRING_EQUAL(t->summary, "4,000 forks/s over 2 s (threshold 1,000); "
			       "no child seen, most reaped-children CPU: [4242] sh (50% of a core)");
	scenario_stop(&s.sc);
}

/* No child seen by a sample, but the exit events saw them all: the
 * parent that forked most is named from the exited groups. */
static void test_exited_groups_name_the_parent(void)
{
	struct storm s;
	start(&s, ONLY_PROC_STORM("forks_per_s = 1000 min_s = 2 cooldown = 0"));
	struct fake_process sh = scenario_settled(&s.sc, 4242, "sh", 0);
	CU_ASSERT_FATAL(scenario_begin(&s.sc) == 0);
	second(&s, 0, 0, 1, "quiet");
	for (int i = 0; i < 2; i++) {
		scenario_exits(&s.sc, "true", 4242, 4242, 3000, 0.1);
		scenario_exits(&s.sc, "date", 300, 300, 1000, 0.1);
		scenario_burn(&s.sc, &sh, 0);
		second(&s, 4000, 0, 1, "true");
	}
	const struct st_trigger *t = fired(&s);
	SCENARIO_REQUIRE(&s.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 4242);
	CU_ASSERT_STRING_EQUAL(t->comm, "sh");
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "most from [4242] sh: 6,000 new children seen"));
	scenario_stop(&s.sc);
}

/* More parents than the tally holds: the one that forked most still
 * comes out on top, whatever order the records come in. */
static void test_many_parents(void)
{
	struct storm s;
	start(&s, ONLY_PROC_STORM("forks_per_s = 1000 min_s = 2 cooldown = 0"));
	scenario_settled(&s.sc, 999, "make", 0);
	for (int i = 0; i < 48; i++)
		scenario_settled(&s.sc, 2000 + i, "bash", 0);
	CU_ASSERT_FATAL(scenario_begin(&s.sc) == 0);
	second(&s, 0, 0, 1, "quiet");
	for (int tick = 0; tick < 2; tick++) {
		for (int i = 0; i < s.nkids; i++)
			fake_proc_remove(s.sc.fp, s.kids[i].pid);
		s.nkids = 0;
		/* One child for each of 48 parents, then six for make: it
		 * must rise through a full table. */
		for (int i = 0; i < 48 + 6; i++) {
			struct fake_process *k = &s.kids[s.nkids++];
			*k = fake_process_make(s.sc.fp, s.next_pid++, "x");
			k->ppid = i < 48 ? 2000 + i : 999;
			fake_proc_put(s.sc.fp, k);
		}
		s.sc.fp->forks += 3000;
		scenario_tick(&s.sc);
	}
	const struct st_trigger *t = fired(&s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->pid, 999);
	CU_ASSERT_STRING_EQUAL(t->comm, "make");
	CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "most from [999] make: "));
	scenario_stop(&s.sc);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "fires on a sustained storm, blaming its parent", test_fires_on_sustained_storm },
		{ "hostile names are carried as they are, shown escaped once", test_hostile_names_escaped },
		{ "silent just below the threshold", test_silent_below },
		{ "one burst is not a storm", test_burst_is_not_a_storm },
		{ "once per storm, again after it", test_rearms_after_the_storm },
		{ "a refused trigger re-arms", test_refused_trigger_rearms },
		{ "orphans: the name they share", test_orphans_blamed_by_name },
		{ "no child seen: the reaper", test_reaper_when_no_child_is_seen },
		{ "more parents than the tally holds", test_many_parents },
		{ "exited groups name the parent", test_exited_groups_name_the_parent },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("proc_storm", tests);
}
