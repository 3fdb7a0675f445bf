/*
 * spiketrace.conf, through libconfuse, in two passes: the first (lenient)
 * finds plugin_dir so the plugins can be loaded; the second (strict) has
 * every loaded plugin's options in its schema under detectors { NAME {} }
 * or sinks { NAME {} }. Errors are one line: "FILE:LINE: reason".
 */
#ifndef ST_CONFIG_H
#define ST_CONFIG_H

#include <stddef.h>
#include <spiketrace/plugin.h>

#define ST_EX_CONFIG 78         /* sysexits.h EX_CONFIG */

/* What the config says about one plugin. */
struct st_plugin_config {
	int    configured;       /* the plugin has a section */
	int    enabled;          /* detectors: 1 unless "enabled = false";
	                            sinks: 1 only when configured and enabled */
	double cooldown_s;       /* detectors: per trigger key (default 5) */
	union st_value *values;  /* one per option of the plugin, in table order;
	                            strings owned by this struct */
	size_t nvalues;
};

/* Seconds an episode may extend an incident by, unless configured: long
 * enough for a typical memory ramp or build step, well inside the
 * default history of 60 samples. */
#define ST_DEFAULT_MAX_INCIDENT_S 30.0

/* Room for a burst of process events between two reads of the socket:
 * 10,000 processes a second is 30,000 events (fork, exec, exit). */
#define ST_DEFAULT_EXIT_EVENTS_BUFFER_KIB 4096

/* The fast system ring's pace: 5 Hz unless configured (10 Hz costs 0.15 % of
 * a core on a virtual machine whose timer wake alone is 60 us); 0 is off,
 * and so is the default at an interval not above it. */
#define ST_DEFAULT_FAST_INTERVAL_S 0.2
#define ST_FAST_INTERVAL_MIN 0.05

struct st_config {
	char    *path;           /* the file read, or NULL when defaults */
	double   interval_s;     /* 0.1 .. 60, default 1.0 */
	unsigned history;        /* samples kept, 2 .. 3600, default 60 */
	unsigned pre_trigger;    /* default 10, < history */
	unsigned post_trigger;   /* default 3, < history */
	unsigned top;            /* processes per top list in a dump, default 10 */
	double   max_dumps_per_minute; /* global rate limit, default 6 */
	double   max_incident_s; /* seconds an episode may extend an incident by,
	                            default 0 (none); the ring bounds it */
	char    *plugin_dir;
	char    *log_level;      /* "info" by default */
	char    *exit_events;    /* "auto" (taskstats where permitted, else the
	                            proc connector), "taskstats",
	                            "proc_connector" or "off" */
	unsigned exit_events_buffer_kib; /* the event sockets' receive buffer */
	double   fast_interval_s; /* the fast system ring: 0 (off) or 0.05 ..
	                            interval_s, default 0.1 */
	size_t   nplugins;
	struct st_plugin_config *plugins; /* parallel to the plugins given to load */
};

/* An error text in err names things with the file's bytes as they are
 * (a name may hold a newline): whoever prints it escapes it, once, as the
 * daemon's log does (log.h). */

/* Pass 1: read only plugin_dir from path (unknown options and sections
 * ignored). *plugin_dir is malloc'd: the configured value, or def when
 * the option is absent. A missing file is an error only if required.
 * Returns 0, or ST_EX_CONFIG with the reason in err. */
int st_config_plugin_dir(const char *path, int required, const char *def,
			 char **plugin_dir, char *err, size_t errlen);

/* The string a file sets at a path of names ({"sinks", "json_file",
 * "dir"}), read without the plugins: the core's options are checked as
 * pass 2 checks them, the plugins' sections only for their syntax. *value
 * is malloc'd, NULL when the file sets none there. A missing file is an
 * error only if required. Returns 0, or ST_EX_CONFIG with the reason. */
int st_config_lookup(const char *path, int required, const char *const *names, size_t n,
		     char **value, char *err, size_t errlen);

/* Pass 2: strict parse against the core options plus every plugin's
 * section. path NULL, or missing and !required: all defaults (plugin_dir =
 * def_plugin_dir). Checks types, ranges (the plugins' min/max and the core's
 * own), unknown options, sections naming no loaded plugin (or a detector
 * under sinks), pre_trigger + post_trigger < history, and each enabled
 * plugin's check_options (at the line of its section). Returns 0, or
 * ST_EX_CONFIG with "FILE:LINE: reason" in err and *out untouched. */
int st_config_load(const char *path, int required, const char *def_plugin_dir,
		   const struct st_plugin *const *plugins, size_t nplugins,
		   struct st_config *out, char *err, size_t errlen);

void st_config_free(struct st_config *cfg);

#endif
