/*
 * The recorder without its event loop: configuration and plugins, then per
 * tick sample -> detectors -> cooldown/incidents -> a dump when an incident
 * is complete. The daemon drives it from its timerfd; the scenario tests
 * drive it tick by tick over fake /proc trees.
 */
#ifndef ST_ENGINE_H
#define ST_ENGINE_H

#include <stddef.h>
#include <spiketrace/model.h>

#include "config.h"
#include "dump_builder.h"
#include "incident.h"
#include "plugin_loader.h"
#include "ring.h"
#include "sampler.h"

#define ST_TRIGGERS_PER_DETECTOR 64
#define ST_TICK_TRIGGERS_MAX 256

struct st_engine {
	struct st_config cfg;
	struct st_plugin_set plugins;
	struct st_sampler sampler;
	struct st_ring ring;
	struct st_incidents incidents;
	struct st_dump_builder builder;
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
 * plugins are recreated with their new options; history and plugin_dir
 * keep their running values until restart. On failure (logged: the
 * config, a plugin's check_options or a plugin's create refusing it) the
 * running configuration and plugin instances are kept. The caller stops
 * the sink thread around it and flushes an open incident first. Returns
 * 0 or ST_EX_CONFIG. */
int st_engine_reload(struct st_engine *e, const char *config_path, int config_explicit);

/* One tick. Returns the dump of an incident that just completed (the
 * caller owns it), or NULL. */
struct st_dump *st_engine_tick(struct st_engine *e);

/* A trigger from outside the detectors (SIGUSR1), on the newest sample. */
void st_engine_manual_trigger(struct st_engine *e, const char *why);

/* The open incident's dump with the samples there are (at exit), or NULL. */
struct st_dump *st_engine_flush(struct st_engine *e);

/* Everything, plugins unloaded. Safe on a zeroed or half-started engine. */
void st_engine_destroy(struct st_engine *e);

#endif
