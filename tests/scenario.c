#define _GNU_SOURCE
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "dump/dump.h"

int scenario_start(struct scenario *sc, unsigned ncores, uint64_t mem_total_kib,
		   const char *config_tail)
{
	return scenario_start_in(sc, ST_BUILD_PLUGIN_DIR, ncores, mem_total_kib, config_tail);
}

int scenario_start_in(struct scenario *sc, const char *plugin_dir, unsigned ncores,
		      uint64_t mem_total_kib, const char *config_tail)
{
	memset(sc, 0, sizeof(*sc));
	sc->fp = fake_proc_new(ncores, mem_total_kib, 1000.0);
	char *text;
	if (asprintf(&text, "interval = 1\nhistory = 30\npre_trigger = 5\n"
		     "post_trigger = 2\nplugin_dir = \"%s\"\n%s\n",
		     plugin_dir, config_tail ? config_tail : "") < 0)
		abort();
	/* Inside the fake root: the sampler skips names that are not pids. */
	fake_proc_write(sc->fp, "spiketrace.conf", text);
	free(text);
	if (asprintf(&sc->conf_path, "%s/spiketrace.conf", sc->fp->root) < 0)
		abort();
	return 0;
}


int scenario_begin(struct scenario *sc)
{
	/* Sample times follow the fake machine's clock, so cooldowns and
	 * rate limits see the seconds the scenario says have passed. */
	sc->engine.clock = fake_proc_clock;
	sc->engine.clock_ctx = sc->fp;
	int rc = st_engine_configure(&sc->engine, sc->conf_path, 1, NULL);
	if (rc != 0)
		return rc;
	return st_engine_start(&sc->engine, sc->fp->root) == 0 ? 0 : 1;
}

size_t scenario_tick(struct scenario *sc)
{
	return scenario_tick_for(sc, 1.0);
}

size_t scenario_tick_for(struct scenario *sc, double seconds)
{
	fake_proc_advance(sc->fp, seconds);
	struct st_dump *d = st_engine_tick(&sc->engine);
	if (d) {
		if (sc->ndumps < SCENARIO_MAX_DUMPS)
			sc->dumps[sc->ndumps++] = d;
		else
			st_dump_free(d);
	}
	return sc->engine.naccepted;
}

int32_t scenario_first_blame(struct scenario *sc, double interval, double seconds,
			     const char *type, void (*step)(void *ctx, double t), void *ctx)
{
	/* Counted in ticks: a sum of 0.2s drifts off the end. */
	long ticks = (long)(seconds / interval + 0.5);
	for (long i = 0; i < ticks; i++) {
		step(ctx, (double)i * interval);
		scenario_tick_for(sc, interval);
		const struct st_trigger *t = scenario_find(sc, type, -1);
		if (t)
			return t->pid;
	}
	return -1;
}

const struct st_trigger *scenario_find(const struct scenario *sc, const char *type,
				       int32_t pid)
{
	for (size_t i = 0; i < sc->engine.naccepted; i++) {
		const struct st_trigger *t = &sc->engine.accepted[i];
		if (strcmp(t->type, type) == 0 && (pid < 0 || t->pid == pid))
			return t;
	}
	return NULL;
}

struct st_dump *scenario_run_until_dump(struct scenario *sc, unsigned max_ticks)
{
	size_t before = sc->ndumps;
	for (unsigned i = 0; i < max_ticks && sc->ndumps == before; i++)
		scenario_tick(sc);
	return sc->ndumps > before ? sc->dumps[sc->ndumps - 1] : NULL;
}

struct fake_process scenario_settled(struct scenario *sc, int32_t pid,
				     const char *comm, double pct)
{
	struct fake_process p = fake_process_make(sc->fp, pid, comm);
	p.start_ticks = sc->fp->elapsed_ticks - 10 * (uint64_t)sc->fp->hz;
	p.utime = (uint64_t)(pct / 100.0 * 10 * (double)sc->fp->hz + 0.5);
	fake_proc_put(sc->fp, &p);
	return p;
}

void scenario_burn(struct scenario *sc, struct fake_process *p, double pct)
{
	uint64_t ticks = (uint64_t)(pct / 100.0 * (double)sc->fp->hz + 0.5);
	p->utime += ticks;
	sc->fp->busy_ticks += ticks;
	fake_proc_put(sc->fp, p);
}

void scenario_exits(struct scenario *sc, const char *comm, int32_t forker, int32_t reaper,
		    unsigned n, double cpu_ms)
{
	if (sc->engine.sampler.between.mode != ST_EXITS_TASKSTATS)
		st_engine_exit_events(&sc->engine, ST_EXITS_TASKSTATS);
	if (sc->next_exit_pid < 100000)
		sc->next_exit_pid = 100000;
	for (unsigned i = 0; i < n; i++) {
		int32_t pid = sc->next_exit_pid++;
		struct st_proc_event ev = { .kind = ST_PROC_EV_FORK, .pid = pid,
					    .parent_pid = forker };
		st_engine_proc_event(&sc->engine, &ev);
		ev = (struct st_proc_event){
			.kind = ST_PROC_EV_EXIT, .flags = ST_PROC_EV_TASKSTATS, .pid = pid,
			.parent_pid = reaper, .utime_ns = (int64_t)(cpu_ms * 1e6),
			.stime_ns = 0, .elapsed_ns = -1, .peak_rss_kib = 1024,
			.read_bytes = 0, .write_bytes = 0, .blkio_delay_ns = -1,
		};
		snprintf(ev.comm, sizeof(ev.comm), "%s", comm);
		st_engine_proc_event(&sc->engine, &ev);
	}
}

void scenario_stop(struct scenario *sc)
{
	for (size_t i = 0; i < sc->ndumps; i++)
		st_dump_free(sc->dumps[i]);
	st_engine_destroy(&sc->engine);
	fake_proc_free(sc->fp);
	free(sc->conf_path);
	memset(sc, 0, sizeof(*sc));
}
