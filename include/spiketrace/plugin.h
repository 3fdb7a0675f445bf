/*
 * spiketrace — the plugin ABI.
 *
 * A plugin is a shared object that exports exactly one symbol,
 *
 *     const struct st_plugin *spiketrace_plugin_entry(void);
 *
 * returning a pointer to a static const descriptor. Everything else in the
 * plugin is static. The file is named after the plugin: a plugin called
 * "cpu_delta" lives in cpu_delta.so.
 *
 * The core checks abi_version before it reads any other field, and size to
 * know how much of the descriptor it may read; a mismatch is refused with a
 * message naming the file. Plugins are never unloaded before exit.
 *
 * The size rule: the descriptor grows only at its end, and the core reads
 * a member only when the plugin's size covers it,
 *
 *     offsetof(struct st_plugin, member) + sizeof(member) <= desc->size
 *
 * A member beyond the plugin's size is taken as zero (NULL: not provided),
 * so a plugin built against an older header keeps loading. The smallest
 * size accepted is ST_PLUGIN_SIZE_1, the descriptor of the first release
 * (up to flags). The same rule holds for every size-carrying struct here.
 *
 * Life cycle:
 *   check_options(options, err, len)  when the configuration is read
 *                                     (--check-config, start, SIGHUP)
 *   create(host, options, &state)     once, after the configuration is read;
 *                                     on SIGHUP the new instance is created
 *                                     before the old one is destroyed
 *   evaluate(state, history, ...)     detectors: every sample
 *   trigger_result(state, t, taken)   detectors: after evaluate, per trigger
 *   emit(state, dump, json, len)      sinks: every dump, on the sink thread
 *   ready(arg, fd, revents)           detectors (since 2.1): an fd it gave
 *                                     host->watch_fd is ready; runs on the
 *                                     sampling thread between samples, must
 *                                     not block, may call request_sample
 *   destroy(state)                    at exit or after a reconfiguration;
 *                                     a watch still held is removed by
 *                                     the core, with a warning
 *
 * A plugin talks to the core only through the host table it is given at
 * create time. It must not write files, sleep or log per sample in evaluate.
 *
 * Minimal detector:
 *
 *     #include <spiketrace/plugin.h>
 *     static const struct st_option opts[] = {
 *         ST_OPTION_FLOAT("limit", 50, 0, 100, "percent of one core"),
 *         ST_OPTION_END,
 *     };
 *     static int create(const struct st_host *h, const union st_value *o, void **s)
 *     { ... *s = my_state; return 0; }
 *     static int evaluate(void *s, const struct st_history *hist,
 *                         struct st_trigger *out, size_t max) { ... return n; }
 *     static const struct st_plugin plugin = {
 *         .abi_version = ST_ABI_VERSION, .size = sizeof(struct st_plugin),
 *         .kind = ST_PLUGIN_DETECTOR, .name = "my_detector", .version = "1.0",
 *         .description = "...", .options = opts,
 *         .create = create, .destroy = destroy, .evaluate = evaluate,
 *     };
 *     ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
 *     { return &plugin; }
 */
#ifndef SPIKETRACE_PLUGIN_H
#define SPIKETRACE_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <spiketrace/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change to this header or model.h. 2: the
 * dump's process and sample records (st_dump_proc, st_dump_sample) grew
 * with the evidence a diagnosis needs, and a sink reads them as arrays;
 * ABI 1 plugins are refused, naming the file and the version. */
#define ST_ABI_VERSION 2

#define ST_PLUGIN_ENTRY_SYMBOL "spiketrace_plugin_entry"
#define ST_PLUGIN_EXPORT __attribute__((visibility("default")))

enum st_plugin_kind {
	ST_PLUGIN_DETECTOR = 1,
	ST_PLUGIN_SINK = 2,
};

/* Log levels, as syslog orders them. */
enum st_log_level {
	ST_LOG_ERR = 3,
	ST_LOG_WARNING = 4,
	ST_LOG_NOTICE = 5,
	ST_LOG_INFO = 6,
	ST_LOG_DEBUG = 7,
};

/* ---------------------------------------------------------------- options */

enum st_option_type {
	ST_OPT_END = 0,         /* terminates an option table */
	ST_OPT_BOOL,
	ST_OPT_INT,
	ST_OPT_FLOAT,
	ST_OPT_STRING,
};

union st_value {
	long        i;          /* ST_OPT_INT */
	double      f;          /* ST_OPT_FLOAT */
	int         b;          /* ST_OPT_BOOL: 0 or 1 */
	const char *s;          /* ST_OPT_STRING */
};

/*
 * One option of a plugin's section in spiketrace.conf. The core turns the
 * table into the config schema, refuses numbers outside [min, max] (no range
 * check when min > max: write ST_OPTION_NO_RANGE), and prints the table in
 * `spiketrace --list-plugins`.
 * The names "enabled" and "cooldown" are reserved: the core adds them.
 */
struct st_option {
	const char         *name;
	enum st_option_type type;
	union st_value      def;
	double              min;
	double              max;
	const char         *help;
	/* Strings: the accepted values, NULL-terminated; NULL accepts any.
	 * A value outside them is a config error (file, line, exit 78). */
	const char *const  *choices;
};

#define ST_OPTION_NO_RANGE 1, 0  /* min > max: no range check */

/* One option table entry each; a table ends with ST_OPTION_END. */
#define ST_OPTION_BOOL(name, def, help) \
	{ (name), ST_OPT_BOOL, { .b = (def) }, ST_OPTION_NO_RANGE, (help), NULL }
#define ST_OPTION_INT(name, def, min, max, help) \
	{ (name), ST_OPT_INT, { .i = (def) }, (min), (max), (help), NULL }
#define ST_OPTION_FLOAT(name, def, min, max, help) \
	{ (name), ST_OPT_FLOAT, { .f = (def) }, (min), (max), (help), NULL }
#define ST_OPTION_STRING(name, def, help) \
	{ (name), ST_OPT_STRING, { .s = (def) }, ST_OPTION_NO_RANGE, (help), NULL }
/* choices: a NULL-terminated array of the accepted strings. */
#define ST_OPTION_CHOICE(name, def, choices, help) \
	{ (name), ST_OPT_STRING, { .s = (def) }, ST_OPTION_NO_RANGE, (help), (choices) }
#define ST_OPTION_END { NULL, ST_OPT_END, { .i = 0 }, 0, 0, NULL, NULL }

/* ------------------------------------------------------------------- host */

/*
 * Functions the core lends a plugin. Each plugin gets its own table (log
 * lines carry the plugin's name). Check `size` before using a member added
 * after the first release.
 */
struct st_host {
	uint32_t abi_version;
	uint32_t size;
	const char *plugin_name;
	/* printf-style log line, prefixed with the plugin's name. */
	void (*log)(const struct st_host *host, enum st_log_level level,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
	/* CLOCK_MONOTONIC and CLOCK_REALTIME in nanoseconds. */
	int64_t (*mono_ns)(void);
	int64_t (*wall_ns)(void);
	/* The /proc the daemon samples ("/proc" unless tests change it). */
	const char *proc_root;
	/* Number of online CPU cores seen in /proc/stat. */
	uint32_t ncores;
	/* A storing sink calls this after writing a dump, so the sinks after
	 * it (syslog, ...) can say where the dump is (st_dump.stored_as). */
	void (*dump_stored)(const struct st_host *host, const struct st_dump *dump,
			    const char *path);
	void *core;             /* the core's; do not touch */
	/* Measure a process's memory now: not per sample, only for a
	 * trigger's candidates (it reads two or three /proc files). out->size
	 * must be set. Returns 0, or -1 when the process is gone (exited, or
	 * its pid reused: start_ticks differs) or unreadable. Check
	 * host->size covers it before calling (added after the first release). */
	int (*proc_memory)(const struct st_host *host, int32_t pid,
			   uint64_t start_ticks, struct st_proc_memory *out);

	/* Since ABI 2.1 (check ST_HOST_HAS first): the daemon's poll loop,
	 * for detectors only, from create, evaluate, trigger_result and
	 * ready, that is on the sampling thread. A sink, another thread or
	 * a destroyed instance is refused. */

	/* Watch fd in the poll loop: events are poll(2) bits (POLLIN;
	 * POLLPRI for a PSI trigger). ready(arg, fd, revents) is called on
	 * the sampling thread when the fd is ready, between samples: it must
	 * not block (read a non-blocking fd until EAGAIN) and may call
	 * request_sample. POLLHUP and POLLNVAL, and POLLERR unless events
	 * holds POLLERR, are passed to ready() once and end the watch: a dead
	 * fd must not spin the loop. POLLERR in events says the plugin clears
	 * errors itself (a netlink socket's ENOBUFS, by its next recv); one
	 * reported on 1000 wakes in a row ends the watch all the same. The fd
	 * stays the plugin's: the core neither reads nor closes it. At most
	 * 16 watches in all. Returns the watch's id (> 0), or -1 after the
	 * core logged why (not a running detector, the fd is not open or is
	 * watched already, events asks for nothing known, the table is full). */
	int32_t (*watch_fd)(const struct st_host *host, int32_t fd, uint32_t events,
			    void (*ready)(void *arg, int32_t fd, uint32_t revents),
			    void *arg);
	/* End a watch: before closing its fd, and in destroy. An id that is
	 * not this plugin's live watch is ignored. */
	void    (*unwatch_fd)(const struct st_host *host, int32_t watch);
	/* Ask for a sample now, between two ticks (a kernel trigger fired):
	 * it is taken when the loop is back in poll, goes through what a tick
	 * does (sampler, history, detectors, incidents, dumps) and carries
	 * ST_SAMPLE_OFF_TICK. The tick schedule does not move. No off-tick
	 * sample is taken closer than max(100 ms, interval / 10) to the
	 * previous sample or to the next tick: requests within that gap are
	 * served together, by one sample at its end or by the tick. reason (may be NULL) is
	 * logged at debug level. Returns 0, or -1 after the core logged why. */
	int32_t (*request_sample)(const struct st_host *host, const char *reason);
};

/* Whether a host table has a member (a core older than the plugin lacks
 * the members added since): ST_HOST_HAS(host, proc_memory). */
#define ST_HOST_HAS(host, member) \
	((host)->size >= offsetof(struct st_host, member) + sizeof((host)->member) && \
	 (host)->member != NULL)

/* ------------------------------------------------------------- descriptor */

struct st_plugin {
	uint32_t abi_version;   /* ST_ABI_VERSION */
	uint32_t size;          /* sizeof(struct st_plugin) */
	enum st_plugin_kind kind;
	const char *name;       /* equal to the file name without ".so" */
	const char *version;
	const char *description;
	const struct st_option *options; /* terminated by type ST_OPT_END; may be NULL */

	/* options[i] is the configured value of the i-th option; strings stay
	 * valid until destroy. Return 0, or -1 after logging why. */
	int  (*create)(const struct st_host *host, const union st_value *options,
		       void **state);
	void (*destroy)(void *state);

	/* Detectors: look at history (newest sample last) and write up to max
	 * triggers into out. Return how many, or -1 on an internal error. */
	int  (*evaluate)(void *state, const struct st_history *history,
			 struct st_trigger *out, size_t max);

	/* Sinks: deliver one dump, given both as a model and as the JSON text
	 * the core serialised once. Return 0, or -1 after logging why. */
	int  (*emit)(void *state, const struct st_dump *dump,
		     const char *json, size_t json_len);

	uint32_t flags;         /* ST_PLUGIN_* below */

	/* Optional. Detectors: the core's verdict on each trigger the last evaluate returned, once per trigger, in order, before the next evaluate: taken = 1 when it opened or joined an incident, 0 when the cooldown or the rate limit refused it. A one-shot detector re-arms on 0. */
	void (*trigger_result)(void *state, const struct st_trigger *trigger, int taken);
	/* Optional: check the options as a set (each option's range is checked already). Return 0, or -1 with a one-line reason in err (the core adds file and line). `spiketrace --check-config` runs it too. */
	int  (*check_options)(const union st_value *options, char *err, size_t errlen);
};

/* The size of the first release's descriptor: the smallest accepted. */
#define ST_PLUGIN_SIZE_1 (offsetof(struct st_plugin, flags) + sizeof(uint32_t))

/* A sink that stores dumps (and calls host->dump_stored): it runs before
 * the sinks that only announce them. */
#define ST_PLUGIN_STORES 0x01

typedef const struct st_plugin *(*st_plugin_entry_fn)(void);

/* The one symbol a plugin exports. */
ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* SPIKETRACE_PLUGIN_H */
