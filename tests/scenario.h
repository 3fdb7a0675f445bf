/*
 * Scenario tests: the real engine (config, real plugins from the build
 * tree, sampler, detectors, cooldown, incidents, dumps) over a fake /proc
 * whose clock moves one second per tick.
 *
 *   struct scenario sc;
 *   scenario_start(&sc, 4, 8 << 20, "detectors { new_proc { enabled = false } }");
 *   struct fake_process p = fake_process_make(sc.fp, 100, "x");
 *   fake_proc_put(sc.fp, &p);
 *   scenario_tick(&sc);                 // advance 1 s, sample, detect
 *   p.utime += sc.fp->hz;               // it burned a core this second
 *   fake_proc_put(sc.fp, &p);
 *   CU_ASSERT(scenario_find(&sc, "cpu_delta", 100) != NULL);
 *   scenario_stop(&sc);
 */
#ifndef ST_SCENARIO_H
#define ST_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <CUnit/CUnit.h>

#include "engine/engine.h"
#include "fake_proc.h"

#define SCENARIO_MAX_DUMPS 64

/* An assertion that ends the test when it fails, after stopping the
 * scenario: CUnit's _FATAL would jump out with the engine still loaded. */
#define SCENARIO_REQUIRE(sc, cond) do { \
		int ok_ = (cond); \
		CU_assertImplementation(ok_, __LINE__, #cond, __FILE__, "", CU_FALSE); \
		if (!ok_) { \
			scenario_stop(sc); \
			return; \
		} \
	} while (0)

struct scenario {
	struct fake_proc *fp;
	struct st_engine engine;
	char *conf_path;
	struct st_dump *dumps[SCENARIO_MAX_DUMPS];  /* completed incidents */
	size_t ndumps;
	int32_t next_exit_pid;      /* scenario_exits: pids of the short-lived */
};

/*
 * A fake machine and an engine on it. The config is
 *   interval = 1  history = 30  pre_trigger = 5  post_trigger = 2
 *   plugin_dir = <the build tree's plugins>
 * followed by config_tail (may be NULL). The first sample is taken before
 * returning: put the processes that "were already running" before calling
 * scenario_begin(). Returns 0, or the configure status (78) with the
 * engine left unstarted.
 */
int scenario_start(struct scenario *sc, unsigned ncores, uint64_t mem_total_kib,
		   const char *config_tail);
/* The same with the plugins of plugin_dir (test plugins) instead. */
int scenario_start_in(struct scenario *sc, const char *plugin_dir, unsigned ncores,
		      uint64_t mem_total_kib, const char *config_tail);
/* Configure and take the first sample (split from start so a test can
 * put processes in between). Returns 0 or the error status. */
int scenario_begin(struct scenario *sc);

/* One second passes: advance the fake clock, take a sample, run the
 * detectors. Returns the number of triggers accepted by the core. */
size_t scenario_tick(struct scenario *sc);
/* The same after `seconds` (a config tail of "interval = 0.2" ticks at 0.2). */
size_t scenario_tick_for(struct scenario *sc, double seconds);

/* An accepted trigger of the last tick with this type (and pid, unless
 * pid < 0), or NULL. */
const struct st_trigger *scenario_find(const struct scenario *sc, const char *type,
				       int32_t pid);

/* Every `interval` for `seconds`: step(ctx, t) sets the fake machine for
 * the tick ending t + interval after the start, then the tick runs.
 * Returns the pid of the first accepted `type` trigger (0: none to
 * blame), or -1 when none fired. */
int32_t scenario_first_blame(struct scenario *sc, double interval, double seconds,
			     const char *type, void (*step)(void *ctx, double t), void *ctx);

/* Ticks until a dump completes (at most max_ticks); the dump or NULL. */
struct st_dump *scenario_run_until_dump(struct scenario *sc, unsigned max_ticks);

/* A process that has run at pct of a core for the 10 s before now: its
 * first figure, and so its baseline, is pct. Written to the tree. */
struct fake_process scenario_settled(struct scenario *sc, int32_t pid,
				     const char *comm, double pct);
/* One second of pct CPU for p (utime and the machine's busy ticks), written. */
void scenario_burn(struct scenario *sc, struct fake_process *p, double pct);

/* n processes named comm, forked by forker and reaped by reaper, lived
 * and exited since the last tick, each using cpu_ms of CPU: their fork
 * and exit events as taskstats tells them (exit events are turned on at
 * the first call). The reaper's cutime is the test's to set. */
void scenario_exits(struct scenario *sc, const char *comm, int32_t forker, int32_t reaper,
		    unsigned n, double cpu_ms);

void scenario_stop(struct scenario *sc);

#endif
