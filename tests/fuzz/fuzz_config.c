/*
 * libFuzzer target: the configuration reader, both passes, on any bytes as
 * spiketrace.conf. The schema is that of the real plugins, copied here as
 * descriptors without callbacks (the reader only looks at names, kinds and
 * option tables), so the fuzzer needs no plugin directory.
 *
 * libconfuse's lexer is global state: one parse at a time, which a
 * single-threaded fuzzer gives. The input reaches the reader as a file:
 * a memfd named by /proc/self/fd/N, rewritten for every input.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/config.h"
#include "text/term_text.h"
#include "fuzz_check.h"

#define DEF_PLUGIN_DIR "/usr/lib/spiketrace/plugins"

static const struct st_option cpu_delta_opts[] = {
	ST_OPTION_FLOAT("threshold_pct", 10, 0.1, 6400, "h"),
	ST_OPTION_FLOAT("half_life_s", 1, 0.01, 3600, "h"),
	ST_OPTION_FLOAT("alpha", 0, 0, 1, "h"),
	ST_OPTION_END,
};
static const struct st_option new_proc_opts[] = {
	ST_OPTION_FLOAT("threshold_pct", 5, 0.1, 6400, "h"),
	ST_OPTION_FLOAT("min_cpu_ms", 50, 0, 10000, "h"),
	ST_OPTION_END,
};
static const struct st_option mem_drop_opts[] = {
	ST_OPTION_INT("threshold_mib", 512, 1, 16 << 20, "h"),
	ST_OPTION_FLOAT("window_s", 3, 0.01, 3600, "h"),
	ST_OPTION_INT("window", 0, 0, 30, "h"),
	ST_OPTION_END,
};
static const struct st_option mem_pressure_opts[] = {
	ST_OPTION_FLOAT("threshold_pct", 90, 1, 100, "h"),
	ST_OPTION_FLOAT("hysteresis_pct", 5, 0, 99, "h"),
	ST_OPTION_FLOAT("blame_window_s", 10, 0.01, 3600, "h"),
	ST_OPTION_INT("blame_window", 0, 0, 60, "h"),
	ST_OPTION_END,
};
static const struct st_option json_file_opts[] = {
	ST_OPTION_STRING("dir", "/var/lib/spiketrace", "h"),
	ST_OPTION_INT("max_dumps", 500, 1, 1000000, "h"),
	ST_OPTION_INT("max_total_mib", 100, 1, 1048576, "h"),
	ST_OPTION_STRING("group", "", "h"),
	ST_OPTION_END,
};
static const char *const formats[] = { "text", "json", NULL };
static const struct st_option stdout_opts[] = {
	ST_OPTION_CHOICE("format", "text", formats, "h"),
	ST_OPTION_END,
};
static const char *const levels[] = { "err", "warning", "notice", "info", NULL };
static const struct st_option syslog_opts[] = {
	ST_OPTION_STRING("ident", "spiketrace", "h"),
	ST_OPTION_CHOICE("level", "notice", levels, "h"),
	ST_OPTION_BOOL("verbose", 0, "h"),    /* no real plugin has a bool yet */
	ST_OPTION_END,
};

/* A third party's that checks its options as a set: its section refused
 * when left empty, at the section's line. */
static const struct st_option picky_opts[] = {
	ST_OPTION_STRING("endpoint", NULL, "h"),
	ST_OPTION_END,
};
static int picky_check(const union st_value *o, char *err, size_t errlen)
{
	if (o[0].s)
		return 0;
	snprintf(err, errlen, "endpoint is required");
	return -1;
}

#define PLUGIN(n, k, o) { ST_PLUGIN_HEADER, \
			  .kind = (k), .name = (n), .version = "1", .description = "d", \
			  .options = (o) }
static const struct st_plugin plugins[] = {
	PLUGIN("cpu_delta", ST_PLUGIN_DETECTOR, cpu_delta_opts),
	PLUGIN("new_proc", ST_PLUGIN_DETECTOR, new_proc_opts),
	PLUGIN("mem_drop", ST_PLUGIN_DETECTOR, mem_drop_opts),
	PLUGIN("mem_pressure", ST_PLUGIN_DETECTOR, mem_pressure_opts),
	PLUGIN("no_options", ST_PLUGIN_DETECTOR, NULL),   /* a third party's */
	PLUGIN("json_file", ST_PLUGIN_SINK, json_file_opts),
	PLUGIN("stdout", ST_PLUGIN_SINK, stdout_opts),
	PLUGIN("syslog", ST_PLUGIN_SINK, syslog_opts),
	{ ST_PLUGIN_HEADER, .kind = ST_PLUGIN_SINK, .name = "picky", .version = "1",
	  .description = "d", .options = picky_opts, .check_options = picky_check },
};
#define NPLUGINS (sizeof(plugins) / sizeof(plugins[0]))

static int config_fd = -1;
static char config_path[64];

static void write_input(const uint8_t *data, size_t size)
{
	if (config_fd < 0) {
		config_fd = memfd_create("spiketrace.conf", MFD_CLOEXEC);
		FUZZ_CHECK(config_fd >= 0);
		snprintf(config_path, sizeof(config_path), "/proc/self/fd/%d", config_fd);
	}
	FUZZ_CHECK(ftruncate(config_fd, 0) == 0);
	FUZZ_CHECK(size == 0 || pwrite(config_fd, data, size, 0) == (ssize_t)size);
}

static int in_range(double v, double min, double max)
{
	return isfinite(v) && (min > max || (v >= min && v <= max));
}

/* A config that loaded holds only what the schema allows. */
static void check_config(const struct st_config *c)
{
	FUZZ_CHECK(c->interval_s >= 0.1 && c->interval_s <= 60);
	FUZZ_CHECK(c->history >= 2 && c->history <= 3600);
	FUZZ_CHECK(c->pre_trigger + c->post_trigger < c->history);
	FUZZ_CHECK(c->top >= 1 && c->top <= 100);
	FUZZ_CHECK(c->max_dumps_per_minute >= 0.1 && c->max_dumps_per_minute <= 600);
	FUZZ_CHECK(c->plugin_dir && *c->plugin_dir);
	FUZZ_CHECK(c->log_level);
	FUZZ_CHECK(c->nplugins == NPLUGINS);
	for (size_t i = 0; i < NPLUGINS; i++) {
		const struct st_plugin_config *pc = &c->plugins[i];
		const struct st_option *o = plugins[i].options;

		if (plugins[i].kind == ST_PLUGIN_SINK)
			FUZZ_CHECK(!pc->enabled || pc->configured);
		else
			FUZZ_CHECK(in_range(pc->cooldown_s, 0, 86400));
		for (size_t j = 0; o && o[j].type != ST_OPT_END; j++) {
			const union st_value *v = &pc->values[j];

			FUZZ_CHECK(j < pc->nvalues);
			if (o[j].type == ST_OPT_INT)
				FUZZ_CHECK(in_range((double)v->i, o[j].min, o[j].max));
			else if (o[j].type == ST_OPT_FLOAT)
				FUZZ_CHECK(in_range(v->f, o[j].min, o[j].max));
			else if (o[j].type == ST_OPT_BOOL)
				FUZZ_CHECK(v->b == 0 || v->b == 1);
			else if (o[j].choices) {
				const char *const *ch = o[j].choices;
				FUZZ_CHECK(v->s != NULL);
				while (*ch && strcmp(*ch, v->s) != 0)
					ch++;
				FUZZ_CHECK(*ch != NULL);
			}
		}
	}
}

/* How many lines the file has, as an editor shows them (at least 1). */
static long lines_of(const uint8_t *data, size_t size)
{
	long lines = size == 0 || data[size - 1] != '\n';
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	return lines;
}

/* "FILE:LINE: reason" or "FILE: reason" with the file's bytes raw
 * (config.h): one line as its printer shows it, escaped once, and a line
 * of the file, not one past its end. */
static void check_error(const char *err, size_t len, long lines)
{
	size_t plen = strlen(config_path);
	char shown[4 * 512], *end;

	FUZZ_CHECK(len <= 512 && memchr(err, '\0', len) != NULL);
	st_escape_terminal(err, shown, sizeof(shown));
	FUZZ_CHECK(fuzz_is_one_line(shown, sizeof(shown)));
	FUZZ_CHECK(strncmp(err, config_path, plen) == 0 && err[plen] == ':');
	if (err[plen + 1] >= '0' && err[plen + 1] <= '9') {
		long line = strtol(err + plen + 1, &end, 10);
		FUZZ_CHECK(*end == ':' && line >= 1 && line <= lines);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct st_plugin *list[NPLUGINS];
	char err1[512] = "", err2[512] = "";
	struct st_config cfg;
	char *dir = NULL;
	int rc1, rc2;

	for (size_t i = 0; i < NPLUGINS; i++)
		list[i] = &plugins[i];
	write_input(data, size);

	rc1 = st_config_plugin_dir(config_path, 1, DEF_PLUGIN_DIR, &dir, err1, sizeof(err1));
	FUZZ_CHECK(rc1 == 0 || rc1 == ST_EX_CONFIG);
	if (rc1 == 0)
		FUZZ_CHECK(dir && *dir);
	else
		check_error(err1, sizeof(err1), lines_of(data, size));

	rc2 = st_config_load(config_path, 1, DEF_PLUGIN_DIR, list, NPLUGINS, &cfg,
			     err2, sizeof(err2));
	FUZZ_CHECK(rc2 == 0 || rc2 == ST_EX_CONFIG);
	if (rc2 == 0) {
		check_config(&cfg);
		/* The daemon loads plugins from what pass 1 found: a file that
		 * the strict pass accepts must give pass 1 the same answer. */
		if (rc1 != 0)
			fprintf(stderr, "pass 2 accepted, pass 1 said: %s\n", err1);
		FUZZ_CHECK(rc1 == 0);
		FUZZ_CHECK(strcmp(dir, cfg.plugin_dir) == 0);
		st_config_free(&cfg);
	} else {
		check_error(err2, sizeof(err2), lines_of(data, size));
	}
	free(dir);
	return 0;
}
