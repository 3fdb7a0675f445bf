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
 * VERSIONS. The ABI is MAJOR.MINOR (ST_ABI_MAJOR, ST_ABI_MINOR; the same
 * figure is `pkg-config --modversion spiketrace`). A plugin records the
 * version it was built against in its descriptor (ST_PLUGIN_HEADER does).
 * The core loads a plugin of its own major and of a minor up to its own; it
 * refuses another major (ABI 1 plugins included) and a newer minor, with
 * a line naming the file and both versions. A minor release only adds:
 *
 * THE SIZE RULE (as Linux's openat2 and clone3 structs). Every struct that
 * crosses the boundary carries its size, or the struct that holds an array
 * of them carries the array's stride:
 *   - a struct grows only at its end, and its existing members never
 *     change place, type or meaning;
 *   - a struct the plugin gives the core (the descriptor, its option
 *     table, the triggers it writes, st_proc_memory) says how big the
 *     plugin thinks it is; the core reads no more than that and takes what
 *     lies beyond as zero (NULL: not provided);
 *   - a struct the core gives the plugin (st_host, st_history, st_sample,
 *     st_dump and the arrays in them) says how big the core made it: a
 *     plugin reads a member added after the minor it needs only when
 *     ST_HAS(struct, pointer-or-size, member) says it is there, and walks
 *     an array with the accessors of model.h (st_sample_proc, st_dump_at,
 *     ...), never with [i], because the core's elements may be bigger
 *     than the plugin's;
 *   - a struct embedded by value in another (st_pressure in st_sample,
 *     st_dump_host in st_dump, ...) is frozen: it cannot grow without
 *     moving its container's members, so its successor is a new member.
 * Only fixed-width types cross the boundary (int32_t, uint64_t, float,
 * double, char arrays, pointers): no long, no enum-typed member.
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
 *         ST_PLUGIN_HEADER,
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

/* The ABI this header describes (see VERSIONS above). The major changes
 * with an incompatible change (2: size-versioned structs and fixed-width
 * types; ABI 1 plugins are refused); the minor with every addition. */
#define ST_ABI_MAJOR 2
#define ST_ABI_MINOR 4
#define ST_ABI_STR_(x) #x
#define ST_ABI_STR(x) ST_ABI_STR_(x)
/* "2.0": as `pkg-config --modversion spiketrace` says it (configure
 * reads the two numbers above). */
#define ST_ABI_VERSION_STRING ST_ABI_STR(ST_ABI_MAJOR) "." ST_ABI_STR(ST_ABI_MINOR)
/* For #if in a plugin that uses a member added in a minor release. */
#define ST_ABI_AT_LEAST(major, minor) \
	(ST_ABI_MAJOR == (major) && ST_ABI_MINOR >= (minor))

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

/* st_option.type */
enum st_option_type {
	ST_OPT_END = 0,         /* terminates an option table */
	ST_OPT_BOOL,
	ST_OPT_INT,
	ST_OPT_FLOAT,
	ST_OPT_STRING,
};

union st_value {
	int64_t     i;          /* ST_OPT_INT */
	double      f;          /* ST_OPT_FLOAT */
	int32_t     b;          /* ST_OPT_BOOL: 0 or 1 */
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
	uint32_t            type;   /* ST_OPT_* */
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
 * lines carry the plugin's name). A member added after 2.0 is there when
 * ST_HOST_HAS(host, member) says so.
 */
struct st_host {
	uint32_t abi_major;     /* the core's ABI version */
	uint32_t size;          /* sizeof(struct st_host) in the core */
	uint32_t abi_minor;
	uint32_t reserved;
	const char *plugin_name;
	/* printf-style log line, prefixed with the plugin's name. Pass names
	 * raw (bounded in length if a reason follows): the core escapes the
	 * whole line once, so a name escaped here would show doubled. */
	void (*log)(const struct st_host *host, int32_t level /* ST_LOG_* */,
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
	 * its pid reused: start_ticks differs) or unreadable. */
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

	/* Since ABI 2.4 (check ST_HOST_HAS first): how many dumps the core
	 * dropped since the daemon started, never reaching a sink (its sink
	 * queue was full, or a dump could not be serialised), for a sink's
	 * own account of what it did not get. Any thread. */
	uint64_t (*dumps_dropped)(const struct st_host *host);
};

/* Whether a host table has a member (a core older than the plugin lacks
 * the members added since): ST_HOST_HAS(host, proc_memory). */
#define ST_HOST_HAS(host, member) \
	(ST_HAS(struct st_host, (host)->size, member) && (host)->member != NULL)

/* ------------------------------------------------------------- descriptor */

/*
 * What a plugin is. abi_major and size keep the places they had in ABI 1,
 * so that an ABI 1 plugin is recognised and refused by its version.
 */
struct st_plugin {
	uint32_t abi_major;     /* ST_ABI_MAJOR: ST_PLUGIN_HEADER sets these */
	uint32_t size;          /* sizeof(struct st_plugin) */
	uint32_t abi_minor;     /* ST_ABI_MINOR */
	uint32_t kind;          /* ST_PLUGIN_DETECTOR or ST_PLUGIN_SINK */
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
	/* The strides of the arrays the plugin writes or gives: its
	 * sizeof(struct st_trigger) (evaluate's out) and sizeof(struct
	 * st_option) (options). */
	uint32_t trigger_size;
	uint32_t option_size;

	/* Optional. Detectors: the core's verdict on each trigger the last evaluate returned, once per trigger, in order, before the next evaluate: taken = 1 when it opened or joined an incident, 0 when the cooldown or the rate limit refused it. A one-shot detector re-arms on 0. */
	void (*trigger_result)(void *state, const struct st_trigger *trigger, int taken);
	/* Optional: check the options as a set (each option's range is checked already). Return 0, or -1 with a reason in err (the core adds file and line); a value named in it goes raw, the core escapes the line once when it prints it. `spiketrace --check-config` runs it too. */
	int  (*check_options)(const union st_value *options, char *err, size_t errlen);
};

/* The descriptor's first members, as every plugin sets them. */
#define ST_PLUGIN_HEADER \
	.abi_major = ST_ABI_MAJOR, .abi_minor = ST_ABI_MINOR, \
	.size = sizeof(struct st_plugin), \
	.trigger_size = sizeof(struct st_trigger), \
	.option_size = sizeof(struct st_option)

/* The smallest descriptor accepted: up to option_size. The members after
 * it are optional (NULL when the plugin's size does not cover them). */
#define ST_PLUGIN_SIZE_MIN (offsetof(struct st_plugin, option_size) + sizeof(uint32_t))

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
