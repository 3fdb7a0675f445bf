/*
 * The recorder without its event loop: configuration and plugins, then per
 * tick sample -> detectors -> cooldown/incidents -> a dump when an incident
 * is complete. The daemon drives it from its timerfd; the scenario tests
 * drive it tick by tick over fake /proc trees.
 */
#ifndef ST_ENGINE_H
#define ST_ENGINE_H

#include <pthread.h>
#include <stddef.h>
#include <spiketrace/model.h>

#include "config/config.h"
#include "engine/dump_builder.h"
#include "sample/fast_ring.h"
#include "engine/fd_watch.h"
#include "engine/incident.h"
#include "engine/off_tick.h"
#include "plugin/plugin_loader.h"
#include "sample/ring.h"
#include "sample/sampler.h"

struct st_sink_queue;

#define ST_TRIGGERS_PER_DETECTOR 64
#define ST_TICK_TRIGGERS_MAX 256

struct st_engine {
	struct st_config cfg;
	struct st_plugin_set plugins;
	struct st_sampler sampler;
	struct st_ring ring;
	struct st_incidents incidents;
	struct st_dump_builder builder;
	/* The machine's figures at fast_interval between the samples; open
	 * (fast.rec set) only when fast_interval is not 0 at start. */
	struct st_fast_ring fast;
	/* After an incident opens, processes too are sampled at
	 * fast_interval until burst_until_ns (0: not now), in ring slots
	 * beyond history that are given back once its dump is built. */
	int64_t burst_until_ns;
	uint64_t burst_samples;     /* taken since start */
	struct st_trigger scratch[ST_TRIGGERS_PER_DETECTOR];
	/* What a detector of an older ABI minor writes, in its own stride
	 * (st_plugin.trigger_size, never above sizeof(struct st_trigger)). */
	unsigned char scratch_raw[ST_TRIGGERS_PER_DETECTOR * sizeof(struct st_trigger)];
	/* What the last tick accepted (past cooldown and rate limit). */
	struct st_trigger accepted[ST_TICK_TRIGGERS_MAX];
	size_t naccepted;
	char *plugin_dir;           /* where the plugins came from */
	st_clock_fn clock;          /* NULL: CLOCK_MONOTONIC; tests set a fake one */
	void *clock_ctx;
	int started;
	/* The poll loop as the plugins see it (st_host.watch_fd,
	 * request_sample): their fd watches, the off-tick requests, and who
	 * may use them: detectors, on the thread that samples, while their
	 * instance runs or is being created. */
	struct st_fd_watches watches;
	struct st_off_tick off_tick;
	pthread_t loop_thread;
	/* The daemon's sink queue once it runs, for host->dumps_dropped;
	 * NULL in a core without one (tests, --check-config). */
	struct st_sink_queue *sink_queue;
	int creating;               /* plugin instances are being created */
	uint64_t loop_refusals;     /* hook calls refused (logged 1 in 1000) */
};

/* Pass 1 of the config (plugin_dir) and loading the plugins. plugin_dir
 * (from --plugin-dir) may be NULL. Returns 0 or ST_EX_CONFIG (logged). */
int st_engine_load_plugins(struct st_engine *e, const char *config_path,
			   int config_explicit, const char *plugin_dir);

/* st_engine_load_plugins, then pass 2 of the config. Returns 0, or
 * ST_EX_CONFIG after logging FILE:LINE: reason. */
int st_engine_configure(struct st_engine *e, const char *config_path,
			int config_explicit, const char *plugin_dir);

/* Open the proc root, take the first sample (baselines), create the
 * enabled plugins. Returns 0, or -1 after logging why. */
int st_engine_start(struct st_engine *e, const char *proc_root);

/* Re-read the config (SIGHUP) against the loaded plugins. On success the
 * plugins are recreated with their new options; history, fast_interval
 * and plugin_dir keep their running values until restart. On failure (logged: the
 * config, a plugin's check_options or a plugin's create refusing it) the
 * running configuration and plugin instances are kept. The caller stops
 * the sink thread around it and flushes an open incident first. Returns
 * 0 or ST_EX_CONFIG. */
int st_engine_reload(struct st_engine *e, const char *config_path, int config_explicit);

/* One tick. Returns the dump of an incident that just completed (the
 * caller owns it), or NULL. */
struct st_dump *st_engine_tick(struct st_engine *e);

/* Between two polls, at now_ns with the next tick due at next_tick_ns:
 * when a detector asked for a sample and its time has come
 * (st_off_tick_decide: ST_OFF_TICK_NOW), take it, doing what a tick does,
 * marked ST_SAMPLE_OFF_TICK; the same for a step of fast_interval after
 * an incident opened (st_fast_step_decide), marked ST_SAMPLE_FAST.
 * *dump is a completed incident's dump or NULL. ST_OFF_TICK_AT: call
 * again at *at_ns. The detectors of the sample taken may ask again: call
 * again until it is no longer NOW. */
enum st_off_tick_action st_engine_off_tick_step(struct st_engine *e, int64_t now_ns,
						int64_t next_tick_ns, int64_t *at_ns,
						struct st_dump **dump);

/* The host table's loop hooks (engine_hooks.c): host->core is the engine
 * bound when the table was made (st_host_bind). */
int32_t st_engine_host_watch_fd(const struct st_host *host, int32_t fd, uint32_t events,
				void (*ready)(void *arg, int32_t fd, uint32_t revents),
				void *arg);
void st_engine_host_unwatch_fd(const struct st_host *host, int32_t watch);
int32_t st_engine_host_request_sample(const struct st_host *host, const char *reason);
/* Instances came or went: remove the watches no running instance owns. */
void st_engine_sweep_watches(struct st_engine *e);

/* Processes that exit between samples, as the daemon's event source sees
 * them (ST_EXITS_*): from now on each sample lists the interval's exited
 * groups. Returns the mode that runs (CUTIME when out of memory). */
uint32_t st_engine_exit_events(struct st_engine *e, uint32_t mode);
/* One of the kernel's process events (ctx: the engine), and events the
 * kernel dropped (receive buffer overruns). */
void st_engine_proc_event(void *ctx, const struct st_proc_event *ev);
void st_engine_proc_events_lost(struct st_engine *e, uint32_t overruns);

/* One reading of the fast system ring, at the engine's clock; nothing
 * when fast_interval is off. The daemon calls it from its fast timer. */
void st_engine_fast_tick(struct st_engine *e);

/* A trigger from outside the detectors (SIGUSR1), on the newest sample. */
void st_engine_manual_trigger(struct st_engine *e, const char *why);

/* The open incident's dump with the samples there are (at exit), or NULL. */
struct st_dump *st_engine_flush(struct st_engine *e);

/* Everything, plugins unloaded. Safe on a zeroed or half-started engine. */
void st_engine_destroy(struct st_engine *e);

#endif
