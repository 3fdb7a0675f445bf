/*
 * Finds and loads plugins: every *.so in the plugin directory, each checked
 * before anything in it is trusted (ownership when root, ABI version,
 * descriptor sanity). A refused file is reported with its path and reason
 * and the others still load. Plugins are never unloaded before exit.
 */
#ifndef ST_PLUGIN_LOADER_H
#define ST_PLUGIN_LOADER_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <spiketrace/plugin.h>

struct st_config;

struct st_loaded_plugin {
	char    *path;
	void    *handle;            /* dlopen handle */
	int      fd;                /* the file, open while loaded: its
	                               /proc/self/fd name stays unique */
	const struct st_plugin *desc;  /* the core's copy, zero past the plugin's size */
	struct st_host host;
	void    *state;             /* from create */
	int      running;           /* created and enabled */
	double   cooldown_s;
	uint64_t failures;          /* evaluate/emit returned an error */
	uint64_t failing;           /* sinks: failed dumps since the last delivered */
	unsigned said;              /* detectors: ST_TRIGGER_BAD_* faults logged */
};

struct st_plugin_set {
	size_t n;
	struct st_loaded_plugin *items;
};

/* Load one file. Returns 0, or -1 with the reason (not the path) in err. */
int st_plugin_load_file(const char *path, struct st_loaded_plugin *out,
			char *err, size_t errlen);

/* Load every *.so in dir, in name order, logging each refusal as
 * "plugin PATH refused: REASON". Returns the number loaded, or -1 when the
 * directory itself cannot be used (reason logged). */
int st_plugins_load_dir(const char *dir, struct st_plugin_set *set);

/* Descriptors in set order, for the config schema. Caller frees the array. */
const struct st_plugin **st_plugins_descriptors(const struct st_plugin_set *set);

/* Create every plugin the config enables (cfg->plugins is parallel to the
 * set). A failing create is logged and that plugin stays off. Returns how
 * many are running. */
size_t st_plugins_start(struct st_plugin_set *set, const struct st_config *cfg,
			const char *proc_root, uint32_t ncores);
/* Reconfigure (SIGHUP): create every plugin cfg enables first, and only
 * when all of them succeed destroy the running instances and put the new
 * ones in their place. Returns 0, or -1 (logged) with the running
 * instances untouched. */
int st_plugins_replace(struct st_plugin_set *set, const struct st_config *cfg,
		       const char *proc_root, uint32_t ncores);
/* destroy() every running plugin. */
void st_plugins_stop(struct st_plugin_set *set);
/* Stop, then dlclose and free everything: only at exit. */
void st_plugins_unload(struct st_plugin_set *set);

/* Print each plugin's kind, description and options for --list-plugins. */
void st_plugins_print(const struct st_plugin_set *set, FILE *out);

#endif
