#define _GNU_SOURCE
#include "config/config.h"
#include "cunit_runner.h"
#include "engine/engine.h"
#include "text/term_text.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEF_DIR "/usr/lib/spiketrace/plugins"

/* Fake descriptors: the config only reads kind, name and options. */
static const struct st_option cpu_opts[] = {
	ST_OPTION_FLOAT("threshold_pct", 10, 0, 1000, "percent of one core"),
	ST_OPTION_FLOAT("alpha", 0.3, 0, 1, "smoothing"),
	ST_OPTION_END
};
static const struct st_option mem_opts[] = {
	ST_OPTION_BOOL("verbose", 0, "say more"),
	ST_OPTION_INT("min_kib", -5, 1, 0, "any integer"),
	ST_OPTION_END
};
static const char *const formats[] = { "pretty", "compact", NULL };
static const struct st_option json_opts[] = {
	ST_OPTION_STRING("dir", "/var/lib/spiketrace", "where"),
	ST_OPTION_INT("max_dumps", 500, 1, 1000000, "how many"),
	ST_OPTION_CHOICE("format", "pretty", formats, "how"),
	ST_OPTION_END
};

#define PLUGIN(var, k, n, o) \
	static const struct st_plugin var = { \
		ST_PLUGIN_HEADER, \
		.kind = k, .name = n, .version = "1.0", .description = "test", \
		.options = o, \
	}
PLUGIN(cpu_delta, ST_PLUGIN_DETECTOR, "cpu_delta", cpu_opts);
PLUGIN(json_file, ST_PLUGIN_SINK, "json_file", json_opts);
PLUGIN(mem_pressure, ST_PLUGIN_DETECTOR, "mem_pressure", mem_opts);
PLUGIN(syslog_sink, ST_PLUGIN_SINK, "syslog", NULL);

enum { CPU, JSON, MEM, SYSLOG, NPLUGINS };
static const struct st_plugin *const plugins[NPLUGINS] = {
	&cpu_delta, &json_file, &mem_pressure, &syslog_sink,
};

static char *tmpdir;
static char path[4096];

static const char *write_conf(const char *content)
{
	st_test_write_file(tmpdir, "spiketrace.conf", content);
	snprintf(path, sizeof(path), "%s/spiketrace.conf", tmpdir);
	return path;
}

static int load(const char *content, struct st_config *out, char *err, size_t errlen)
{
	return st_config_load(write_conf(content), 1, DEF_DIR, plugins, NPLUGINS,
			      out, err, errlen);
}

/*
 * The load must fail with 78, "PATH:LINE: ..." (or "PATH: ..." for line 0)
 * holding word, on one line, and leave out as it was. Prints what it got
 * when it did not.
 */
static int fails_with(const char *content, int line, const char *word)
{
	struct st_config out, before;
	char err[512] = "", shown[4 * sizeof(err)], prefix[4200];
	memset(&out, 0xA5, sizeof(out));
	before = out;

	int rc = load(content, &out, err, sizeof(err));
	/* err holds the file's bytes as they are: matched as its writers
	 * (the daemon's log, the viewer) show it, escaped once. */
	st_escape_terminal(err, shown, sizeof(shown));
	if (line > 0)
		snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", path);
	int ok = rc == ST_EX_CONFIG &&
		 strncmp(shown, prefix, strlen(prefix)) == 0 &&
		 strstr(shown + strlen(prefix), word) != NULL &&
		 strchr(shown, '\n') == NULL &&
		 memcmp(&out, &before, sizeof(out)) == 0;
	if (!ok)
		fprintf(stderr, "\n  expected line %d, '%s'; got rc %d, err \"%s\"\n",
			line, word, rc, shown);
	if (rc == 0)
		st_config_free(&out);
	return ok;
}

static int approx(double a, double b)
{
	return a - b < 1e-9 && b - a < 1e-9;
}

/* ------------------------------------------------------------- pass 2 */

static void check_defaults(const struct st_config *c)
{
	CU_ASSERT_PTR_NULL(c->path);
	CU_ASSERT(approx(c->interval_s, 1.0));
	CU_ASSERT_EQUAL(c->history, 60);
	CU_ASSERT_EQUAL(c->pre_trigger, 10);
	CU_ASSERT_EQUAL(c->post_trigger, 3);
	CU_ASSERT_EQUAL(c->top, 10);
	CU_ASSERT(approx(c->max_dumps_per_minute, 6));
	CU_ASSERT_STRING_EQUAL(c->plugin_dir, DEF_DIR);
	CU_ASSERT_STRING_EQUAL(c->log_level, "info");
	CU_ASSERT(approx(c->fast_interval_s, 0.2));
	CU_ASSERT_EQUAL_FATAL(c->nplugins, NPLUGINS);

	const struct st_plugin_config *cpu = &c->plugins[CPU];
	CU_ASSERT_FALSE(cpu->configured);
	CU_ASSERT_TRUE(cpu->enabled);
	CU_ASSERT(approx(cpu->cooldown_s, 5));
	CU_ASSERT_EQUAL_FATAL(cpu->nvalues, 2);
	CU_ASSERT(approx(cpu->values[0].f, 10));
	CU_ASSERT(approx(cpu->values[1].f, 0.3));

	const struct st_plugin_config *mem = &c->plugins[MEM];
	CU_ASSERT_TRUE(mem->enabled);
	CU_ASSERT_EQUAL_FATAL(mem->nvalues, 2);
	CU_ASSERT_EQUAL(mem->values[0].b, 0);
	CU_ASSERT_EQUAL(mem->values[1].i, -5);

	const struct st_plugin_config *json = &c->plugins[JSON];
	CU_ASSERT_FALSE(json->configured);
	CU_ASSERT_FALSE(json->enabled);
	CU_ASSERT_EQUAL_FATAL(json->nvalues, 3);
	CU_ASSERT_STRING_EQUAL(json->values[0].s, "/var/lib/spiketrace");
	CU_ASSERT_EQUAL(json->values[1].i, 500);
	CU_ASSERT_STRING_EQUAL(json->values[2].s, "pretty");

	CU_ASSERT_FALSE(c->plugins[SYSLOG].enabled);
	CU_ASSERT_EQUAL(c->plugins[SYSLOG].nvalues, 0);
	CU_ASSERT_PTR_NULL(c->plugins[SYSLOG].values);
}

static void test_defaults_without_file(void)
{
	struct st_config c;
	char err[256] = "";

	CU_ASSERT_EQUAL(st_config_load(NULL, 0, DEF_DIR, plugins, NPLUGINS, &c,
				       err, sizeof(err)), 0);
	check_defaults(&c);
	st_config_free(&c);

	char *missing;
	CU_ASSERT_FATAL(asprintf(&missing, "%s/absent.conf", tmpdir) > 0);
	CU_ASSERT_EQUAL(st_config_load(missing, 0, DEF_DIR, plugins, NPLUGINS, &c,
				       err, sizeof(err)), 0);
	check_defaults(&c);
	st_config_free(&c);
	/* Freed twice: the second is a no-op on the zeroed struct. */
	st_config_free(&c);
	CU_ASSERT_PTR_NULL(c.plugins);
	free(missing);
}

static void test_full_config(void)
{
	struct st_config c;
	char err[256] = "";
	int rc = load("# every option\n"
		      "interval = 0.5\n"
		      "history = 120\n"
		      "pre_trigger = 20\n"
		      "post_trigger = 5\n"
		      "top = 15\n"
		      "max_dumps_per_minute = 2.5\n"
		      "plugin_dir = \"/opt/st/plugins\"\n"
		      "log_level = debug\n"
		      "detectors {\n"
		      "  cpu_delta { threshold_pct = 25.5  alpha = 0.75  cooldown = 12.5 }\n"
		      "  mem_pressure { verbose = true  min_kib = -2000000 }\n"
		      "}\n"
		      "sinks {\n"
		      "  json_file { dir = \"/srv/dumps\"  max_dumps = 1000000 }\n"
		      "}\n", &c, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(c.path, path);
	CU_ASSERT(approx(c.interval_s, 0.5));
	CU_ASSERT_EQUAL(c.history, 120);
	CU_ASSERT_EQUAL(c.pre_trigger, 20);
	CU_ASSERT_EQUAL(c.post_trigger, 5);
	CU_ASSERT_EQUAL(c.top, 15);
	CU_ASSERT(approx(c.max_dumps_per_minute, 2.5));
	CU_ASSERT_STRING_EQUAL(c.plugin_dir, "/opt/st/plugins");
	CU_ASSERT_STRING_EQUAL(c.log_level, "debug");
	CU_ASSERT_EQUAL_FATAL(c.nplugins, NPLUGINS);

	const struct st_plugin_config *p = &c.plugins[CPU];
	CU_ASSERT_TRUE(p->configured);
	CU_ASSERT_TRUE(p->enabled);
	CU_ASSERT(approx(p->cooldown_s, 12.5));
	CU_ASSERT(approx(p->values[0].f, 25.5));
	CU_ASSERT(approx(p->values[1].f, 0.75));

	p = &c.plugins[MEM];
	CU_ASSERT_TRUE(p->configured);
	CU_ASSERT_TRUE(p->enabled);
	CU_ASSERT(approx(p->cooldown_s, 5));
	CU_ASSERT_EQUAL(p->values[0].b, 1);
	CU_ASSERT_EQUAL(p->values[1].i, -2000000);

	p = &c.plugins[JSON];
	CU_ASSERT_TRUE(p->configured);
	CU_ASSERT_TRUE(p->enabled);
	CU_ASSERT_STRING_EQUAL(p->values[0].s, "/srv/dumps");
	CU_ASSERT_EQUAL(p->values[1].i, 1000000);

	p = &c.plugins[SYSLOG];
	CU_ASSERT_FALSE(p->configured);
	CU_ASSERT_FALSE(p->enabled);
	st_config_free(&c);
}

static void test_enabled_flags(void)
{
	struct st_config c;
	char err[256] = "";
	int rc = load("detectors {\n"
		      "  cpu_delta { enabled = false }\n"
		      "}\n"
		      "sinks {\n"
		      "  json_file { }\n"
		      "  syslog { enabled = no }\n"
		      "}\n", &c, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_TRUE(c.plugins[CPU].configured);
	CU_ASSERT_FALSE(c.plugins[CPU].enabled);
	CU_ASSERT_FALSE(c.plugins[MEM].configured);
	CU_ASSERT_TRUE(c.plugins[MEM].enabled);
	/* An empty section enables a sink with its defaults. */
	CU_ASSERT_TRUE(c.plugins[JSON].configured);
	CU_ASSERT_TRUE(c.plugins[JSON].enabled);
	CU_ASSERT_EQUAL(c.plugins[JSON].values[1].i, 500);
	CU_ASSERT_TRUE(c.plugins[SYSLOG].configured);
	CU_ASSERT_FALSE(c.plugins[SYSLOG].enabled);
	st_config_free(&c);
}

/* A reload parses anew: nothing of the first parse leaks into the second. */
static void test_load_twice(void)
{
	struct st_config a, b;
	char err[256] = "";
	CU_ASSERT_EQUAL_FATAL(load("history = 30\nsinks { json_file { dir = \"/a\" } }\n",
				   &a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(load("top = 3\n", &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(a.history, 30);
	CU_ASSERT_STRING_EQUAL(a.plugins[JSON].values[0].s, "/a");
	CU_ASSERT_EQUAL(b.history, 60);
	CU_ASSERT_EQUAL(b.top, 3);
	CU_ASSERT_FALSE(b.plugins[JSON].configured);
	CU_ASSERT_STRING_EQUAL(b.plugins[JSON].values[0].s, "/var/lib/spiketrace");
	st_config_free(&a);
	st_config_free(&b);
}

static void test_unknown_option(void)
{
	CU_ASSERT(fails_with("interval = 1\n\ntreshold = 5\n", 3,
			     "unknown option 'treshold'"));
	CU_ASSERT(fails_with("history = 60\n"
			     "detectors {\n"
			     "  cpu_delta {\n"
			     "    alpha = 0.5\n"
			     "    treshold_pct = 5\n"
			     "  }\n"
			     "}\n", 5,
			     "unknown option 'treshold_pct' in detectors/cpu_delta"));
	/* "cooldown" is a detector's, not a sink's. */
	CU_ASSERT(fails_with("sinks {\n  json_file {\n    cooldown = 3\n  }\n}\n", 3,
			     "unknown option 'cooldown' in sinks/json_file"));
	/* Lines count across comments of every kind. */
	CU_ASSERT(fails_with("/* a comment\n   over two lines */\n"
			     "# hash\n// slashes\n\n"
			     "top = 5 bogus = 1\n", 6, "unknown option 'bogus'"));
}

static void test_wrong_type(void)
{
	CU_ASSERT(fails_with("interval = 2\nhistory = abc\n", 2,
			     "option 'history' expects an integer"));
	CU_ASSERT(fails_with("history = 1.5\n", 1, "option 'history' expects an integer"));
	CU_ASSERT(fails_with("detectors {\n  cpu_delta { threshold_pct = high }\n}\n", 2,
			     "option 'threshold_pct' in detectors/cpu_delta expects a number"));
	CU_ASSERT(fails_with("detectors {\n  mem_pressure {\n    verbose = maybe\n  }\n}\n",
			     3, "expects true or false"));
	CU_ASSERT(fails_with("history = 99999999999999999999999\n", 1,
			     "'history' has a value out of range"));
}

static void test_out_of_range_root(void)
{
	CU_ASSERT(fails_with("interval = 1\nhistory = 1\n", 2, "history = 1: out of range 2..3600"));
	CU_ASSERT(fails_with("interval = 0.05\n", 1, "interval = 0.05: out of range 0.1..60"));
	CU_ASSERT(fails_with("top = 0\n", 1, "top = 0: out of range 1..100"));
	CU_ASSERT(fails_with("\n\nmax_dumps_per_minute = 601\n", 3, "out of range 0.1..600"));
	CU_ASSERT(fails_with("pre_trigger = -1\n", 1, "pre_trigger = -1: out of range"));
	CU_ASSERT(fails_with("interval = nan\n", 1, "not a finite number"));
	CU_ASSERT(fails_with("log_level = loud\n", 1, "log_level = 'loud': expected one of err, warning"));
	CU_ASSERT(fails_with("plugin_dir = \"\"\n", 1, "plugin_dir must not be empty"));
	CU_ASSERT(fails_with("top = 3\nplugin_dir = \"\"\nhistory = 50\n# more\n", 2,
			     "plugin_dir must not be empty"));
}

static void test_out_of_range_plugin(void)
{
	CU_ASSERT(fails_with("detectors {\n  cpu_delta {\n    threshold_pct = 2000\n  }\n}\n",
			     3, "threshold_pct = 2000 in detectors/cpu_delta: out of range 0..1000"));
	CU_ASSERT(fails_with("detectors {\n  cpu_delta { alpha = 1.5 }\n}\n",
			     2, "alpha = 1.5 in detectors/cpu_delta: out of range 0..1"));
	CU_ASSERT(fails_with("sinks {\n  json_file {\n    dir = \"/x\"\n    max_dumps = 0\n  }\n}\n",
			     4, "max_dumps = 0 in sinks/json_file: out of range 1..1000000"));
	CU_ASSERT(fails_with("detectors {\n  cpu_delta { cooldown = -1 }\n}\n",
			     2, "cooldown = -1 in detectors/cpu_delta: out of range 0..86400"));
	/* ST_OPTION_NO_RANGE: anything goes. */
	struct st_config c;
	char err[256];
	CU_ASSERT_EQUAL(load("detectors { mem_pressure { min_kib = -99999999 } }\n",
			     &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.plugins[MEM].values[1].i, -99999999);
	st_config_free(&c);
}

static void test_string_choices(void)
{
	CU_ASSERT(fails_with("sinks {\n  json_file {\n    format = \"prety\"\n  }\n}\n", 3,
			     "format = 'prety' in sinks/json_file: expected one of pretty, compact"));
	struct st_config c;
	char err[512];
	CU_ASSERT_EQUAL_FATAL(load("sinks { json_file { format = \"compact\" } }\n", &c,
				   err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.plugins[JSON].values[2].s, "compact");
	st_config_free(&c);
}

static void test_unknown_plugin(void)
{
	/* plugin_dir comes after the mistake and is still the one named. */
	CU_ASSERT(fails_with("detectors {\n"
			     "  cpu_dleta { threshold_pct = 5 }\n"
			     "}\n"
			     "plugin_dir = \"/opt/st\"\n", 2,
			     "no detector plugin named 'cpu_dleta' (looked in /opt/st)"));
	CU_ASSERT(fails_with("sinks {\n\n  jsonfile { }\n}\n", 3,
			     "no sink plugin named 'jsonfile' (looked in " DEF_DIR ")"));
	/* A '}' forgotten: the next top-level name lands inside detectors. */
	CU_ASSERT(fails_with("detectors {\n  cpu_delta { }\n\nsinks { }\n}\n", 4,
			     "'sinks' inside detectors (a '}' missing before it?)"));
}

static void test_plugin_in_wrong_section(void)
{
	CU_ASSERT(fails_with("sinks {\n  cpu_delta { }\n}\n", 2,
			     "'cpu_delta' is a detector plugin: configure it under detectors, not sinks"));
	CU_ASSERT(fails_with("detectors {\n  cpu_delta { }\n  json_file { dir = \"/x\" }\n}\n", 3,
			     "'json_file' is a sink plugin: configure it under sinks, not detectors"));
}

static void test_trigger_window(void)
{
	/* The line is that of the last of the three set. */
	CU_ASSERT(fails_with("history = 10\npre_trigger = 8\npost_trigger = 2\ntop = 4\n", 3,
			     "pre_trigger + post_trigger (8 + 2) must be less than history (10)"));
	CU_ASSERT(fails_with("\nhistory = 13\n", 2,
			     "pre_trigger + post_trigger (10 + 3) must be less than history (13)"));
	struct st_config c;
	char err[256];
	CU_ASSERT_EQUAL(load("history = 14\n", &c, err, sizeof(err)), 0);
	st_config_free(&c);
}

/* fast_interval: 0 is off, else 0.05 .. interval, the line of the one
 * of the two set last when they disagree. */
static void test_fast_interval(void)
{
	struct st_config c;
	char err[256];
	CU_ASSERT_EQUAL_FATAL(load("fast_interval = 0\n", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.fast_interval_s, 0);
	st_config_free(&c);
	CU_ASSERT_EQUAL_FATAL(load("interval = 0.5\nfast_interval = 0.05\n", &c, err,
				   sizeof(err)), 0);
	CU_ASSERT(approx(c.fast_interval_s, 0.05));
	st_config_free(&c);
	CU_ASSERT_EQUAL_FATAL(load("fast_interval = 1\n", &c, err, sizeof(err)), 0);
	CU_ASSERT(approx(c.fast_interval_s, 1));
	st_config_free(&c);
	CU_ASSERT(fails_with("\nfast_interval = 0.01\n", 2,
			     "fast_interval = 0.01: 0 (off) or 0.05 or more"));
	CU_ASSERT(fails_with("fast_interval = -1\n", 1, "fast_interval = -1: out of range 0..60"));
	CU_ASSERT(fails_with("fast_interval = \"fast\"\n", 1, "fast_interval"));
	CU_ASSERT(fails_with("top = 4\nfast_interval = 2\nhistory = 30\n", 2,
			     "fast_interval (2) must not exceed interval (1)"));
	CU_ASSERT(fails_with("fast_interval = 0.5\n\ninterval = 0.2\n", 3,
			     "fast_interval (0.5) must not exceed interval (0.2)"));
	/* Left out, the default (0.2) holds where it is below interval, and
	 * is off at an interval as short: the ticks are as fast. */
	CU_ASSERT_EQUAL_FATAL(load("interval = 0.5\n", &c, err, sizeof(err)), 0);
	CU_ASSERT(approx(c.fast_interval_s, 0.2));
	st_config_free(&c);
	CU_ASSERT_EQUAL_FATAL(load("interval = 0.2\n", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.fast_interval_s, 0);
	st_config_free(&c);
	CU_ASSERT_EQUAL_FATAL(load("interval = 0.1\n", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.fast_interval_s, 0);
	st_config_free(&c);
	CU_ASSERT_EQUAL_FATAL(load("interval = 0.1\nfast_interval = 0.1\n", &c, err,
				   sizeof(err)), 0);
	CU_ASSERT(approx(c.fast_interval_s, 0.1));
	st_config_free(&c);
	CU_ASSERT(fails_with("interval = 0.1\nfast_interval = 0.2\n", 2,
			     "fast_interval (0.2) must not exceed interval (0.1)"));
}

static void test_syntax_errors(void)
{
	CU_ASSERT(fails_with("history = 60\ninterval = 1.0 }\n", 2, "unexpected closing brace"));
	CU_ASSERT(fails_with("history = 60\n\ntop = = 3\n", 3, "unexpected token '='"));
	CU_ASSERT(fails_with("history 60\n", 1, "missing equal sign after option 'history'"));
	CU_ASSERT(fails_with("detectors = 1\n", 1, "missing opening brace for section 'detectors'"));
	/* libconfuse 3.3 alone accepts these three. */
	CU_ASSERT(fails_with("detectors {\n  cpu_delta {\n    alpha = 0.5\n  }\n", 4,
			     "section 'detectors' has no closing '}'"));
	CU_ASSERT(fails_with("detectors {\n  cpu_delta {\n    alpha = 0.5", 3,
			     "section 'detectors/cpu_delta' has no closing '}'"));
	CU_ASSERT(fails_with("top = 5\n/* never closed\n\n", 3, "unexpected end of file"));
	/* Cut short in the middle of things. */
	CU_ASSERT(fails_with("top = 5\nhistory =\n", 2, "unexpected end of file"));
	CU_ASSERT(fails_with("top = 5\nplugin_dir = \"/x\n\n", 3, "unexpected end of file"));
	/* A value left out at the very end: what libconfuse reads there is
	 * past the file, and no value of it. */
	CU_ASSERT(fails_with("interval = 1\nlog_level =", 2, "unexpected end of file"));
	CU_ASSERT(fails_with("interval = 1\nlog_level =\n", 2, "unexpected end of file"));
	CU_ASSERT(fails_with("sinks { json_file {\n format =", 2,
			     "unexpected end of file in section 'sinks/json_file'"));
	/* Control bytes in a name do not break the one-line message: they
	 * are shown escaped, as the log shows them. */
	CU_ASSERT(fails_with("\"bad\nname\" = 1\n", 2, "unknown option 'bad\\nname'"));
	CU_ASSERT(fails_with("\"bad\033[2Jname\" = 1\n", 1, "unknown option 'bad\\x1b[2Jname'"));
}

/* libconfuse 3.3 counts two lines too many per '#' or '//' comment and one
 * per C comment: every kind of error must still name its own line. */
#define COMMENTED \
	"# spiketrace.conf\n" \
	"# several comment lines\n" \
	"// and another kind\n" \
	"/* and a C comment\n" \
	"   on two lines */\n" \
	"interval = 1.0   # trailing comment\n" \
	"history = 60     /* trailing C comment */\n"

static void test_lines_after_comments(void)
{
	CU_ASSERT(fails_with(COMMENTED "bogus = 1\n", 8, "unknown option 'bogus'"));
	CU_ASSERT(fails_with(COMMENTED "top = 500\n", 8, "top = 500: out of range 1..100"));
	CU_ASSERT(fails_with(COMMENTED "# one more\n"
			     "detectors {\n"
			     "  # comment inside a section\n"
			     "  cpu_delta {\n"
			     "    alpha = 2   # too much\n"
			     "  }\n"
			     "}\n", 12, "alpha = 2 in detectors/cpu_delta: out of range 0..1"));
	CU_ASSERT(fails_with(COMMENTED "detectors {\n  # typo below\n  cpu_dleta { }\n}\n",
			     10, "no detector plugin named 'cpu_dleta'"));
	CU_ASSERT(fails_with(COMMENTED "pre_trigger = 50\n# more\npost_trigger = 10\n", 10,
			     "must be less than history (60)"));
	CU_ASSERT(fails_with(COMMENTED "plugin_dir = \"/a\nmulti-line\"\ntop = x\n", 10,
			     "option 'top' expects an integer"));

	char *dir = NULL, err[512], want[4200];
	CU_ASSERT_EQUAL(st_config_plugin_dir(write_conf(COMMENTED "\n}\n"), 1, DEF_DIR,
					     &dir, err, sizeof(err)), ST_EX_CONFIG);
	snprintf(want, sizeof(want), "%s:9: unexpected closing brace", path);
	CU_ASSERT_STRING_EQUAL(err, want);
}

/* Where libconfuse's lexer sees no comment, none is counted: '#', "//" and
 * C comments inside strings and "//" inside a word; and the newlines it
 * does not count (inside a ${VAR}) still move the line on. */
static void test_lines_where_no_comment(void)
{
	CU_ASSERT(fails_with("plugin_dir = \"/a#b//c/*d\"\n# real\nbogus = 1\n", 3,
			     "unknown option 'bogus'"));
	CU_ASSERT(fails_with("plugin_dir = /x//y\n\nbogus = 1\n", 3, "unknown option 'bogus'"));
	CU_ASSERT(fails_with("plugin_dir = 'a\\'#b'\nbogus = 1\n", 2, "unknown option 'bogus'"));
	CU_ASSERT(fails_with("plugin_dir = \"${ST_TEST_UNSET:-/a\n/b}\"\n# c\nbogus = 1\n", 4,
			     "unknown option 'bogus'"));
	CU_ASSERT(fails_with("top = 4 /* one */ /* two\n */ # three\nhistory = x\n", 3,
			     "option 'history' expects an integer"));
}

/* The lines of a ${VAR} share one count: a name refused is on the first
 * of them, a value refused ends on the last. */
static void test_lines_of_a_var(void)
{
	CU_ASSERT(fails_with("bogus = \"${ST_TEST_UNSET:-A\nB}\"\n", 1, "unknown option 'bogus'"));
	CU_ASSERT(fails_with("top = 1\nhistory \"${ST_TEST_UNSET:-A\nB}\"\n", 2,
			     "missing equal sign after option 'history'"));
	CU_ASSERT(fails_with("top = 1\ndetectors \"${ST_TEST_UNSET:-A\nB}\"\n", 2,
			     "missing opening brace for section 'detectors'"));
	CU_ASSERT(fails_with("top = 1\nlog_level = \"${ST_TEST_UNSET:-A\nB}\"\n", 3,
			     "expected one of err"));
	CU_ASSERT(fails_with("top = 1\nhistory = \"${ST_TEST_UNSET:-A\nB}\"\n", 3,
			     "option 'history' expects an integer"));
	CU_ASSERT(fails_with("\"\" = \"${ST_TEST_UNSET:-A\nB}\"\n", 1, "an empty option name"));
}

static int low_below_high(const union st_value *o, char *err, size_t errlen)
{
	if (o[0].i < o[1].i)
		return 0;
	snprintf(err, errlen, "low must be below high");
	return -1;
}

/* A plugin's check of its options as a set speaks at its section's first line. */
static void test_plugin_check_options_line(void)
{
	static const struct st_option ranged_opts[] = {
		ST_OPTION_INT("low", 1, 0, 100, ""),
		ST_OPTION_INT("high", 2, 0, 100, ""),
		ST_OPTION_END
	};
	static const struct st_plugin ranged = {
		ST_PLUGIN_HEADER, .kind = ST_PLUGIN_DETECTOR, .name = "ranged", .version = "1",
		.description = "test", .options = ranged_opts, .check_options = low_below_high,
	};
	const struct st_plugin *const list[] = { &ranged };
	struct st_config c;
	char err[512] = "", want[4200];
	const char *text = "# ranges\ndetectors {\n  ranged {\n    low = 7\n    high = 6\n  }\n}\n";
	CU_ASSERT_EQUAL(st_config_load(write_conf(text), 1, DEF_DIR, list, 1, &c, err,
				       sizeof(err)), ST_EX_CONFIG);
	snprintf(want, sizeof(want), "%s:3: detectors/ranged: low must be below high", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_EQUAL(st_config_load(write_conf("top = 3\ndetectors { ranged { enabled = false "
						  "low = 9 } }\n"), 1, DEF_DIR, list, 1, &c, err,
				       sizeof(err)), 0);
	st_config_free(&c);
}

static int needs_endpoint(const union st_value *o, char *err, size_t errlen)
{
	if (o[0].s)
		return 0;
	snprintf(err, errlen, "endpoint is required");
	return -1;
}

/* A section with nothing set in it is refused at its opening line too,
 * wherever its closing '}' is and whatever else closes there. */
static void test_plugin_check_options_empty_section(void)
{
	static const struct st_option needy_opts[] = {
		ST_OPTION_STRING("endpoint", NULL, ""),
		ST_OPTION_END
	};
	static const struct st_plugin needy = {
		ST_PLUGIN_HEADER, .kind = ST_PLUGIN_SINK, .name = "needy", .version = "1",
		.description = "test", .options = needy_opts, .check_options = needs_endpoint,
	};
	static const struct {
		const char *text;
		int line;
	} cases[] = {
		{ "# needy\nsinks {\n  needy {\n    # endpoint = \"http://x:4318/v1/logs\"\n  }\n}\n",
		  3 },
		{ "sinks { needy {\n\n\n} }\n", 1 },
		{ "sinks {\n  needy {\n  }\n  needy {\n  }\n}\n", 2 },
		{ "sinks {\n  json_file {\n\n  } needy { }\n}\n", 4 },
		{ "# { not one\nsinks {\n  json_file { dir = \"{\" }\n  /* { */ needy\n  {\n\n"
		  "  } # }\n}\n", 5 },
		{ "sinks {\n  json_file { dir = \"${ST_TEST_UNSET:-/a\n/b}\" } needy {\n} }\n", 3 },
	};
	const struct st_plugin *const list[] = { &needy, &json_file };
	struct st_config c;
	char err[512] = "", want[4200];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(st_config_load(write_conf(cases[i].text), 1, DEF_DIR, list, 2, &c,
					       err, sizeof(err)), ST_EX_CONFIG);
		snprintf(want, sizeof(want), "%s:%d: sinks/needy: endpoint is required", path,
			 cases[i].line);
		CU_ASSERT_STRING_EQUAL(err, want);
		if (strcmp(err, want))
			fprintf(stderr, "\n  case %zu: got \"%s\"\n", i, err);
	}
}

/* The example of DESIGN.md, with plugins of those names. */
static void test_design_example(void)
{
	static const struct st_option mem_enabled_only[] = { ST_OPTION_END };
	static const struct st_option json_more[] = {
		ST_OPTION_STRING("dir", NULL, ""),
		ST_OPTION_INT("max_dumps", 100, 1, 1000000, ""),
		ST_OPTION_INT("max_total_mib", 100, 1, 1 << 20, ""),
		ST_OPTION_END
	};
	static const struct st_option syslog_opts[] = {
		ST_OPTION_STRING("facility", "user", ""),
		ST_OPTION_END
	};
	PLUGIN(mem, ST_PLUGIN_DETECTOR, "mem_pressure", mem_enabled_only);
	PLUGIN(json, ST_PLUGIN_SINK, "json_file", json_more);
	PLUGIN(sys, ST_PLUGIN_SINK, "syslog", syslog_opts);
	const struct st_plugin *const list[] = { &cpu_delta, &mem, &json, &sys };
	const char *text =
		"interval = 1.0            # seconds between samples (0.1 .. 60)\n"
		"history  = 60             # samples kept in memory\n"
		"pre_trigger  = 10         # samples before the trigger in a dump\n"
		"post_trigger = 3          # samples after it\n"
		"plugin_dir = \"/usr/lib/spiketrace/plugins\"\n"
		"\n"
		"detectors {\n"
		"  cpu_delta    { threshold_pct = 10  cooldown = 5 }\n"
		"  mem_pressure { enabled = false }\n"
		"}\n"
		"sinks {\n"
		"  json_file { dir = \"/var/lib/spiketrace\"  max_dumps = 500  max_total_mib = 100 }\n"
		"  syslog    { facility = \"daemon\" }\n"
		"}\n";
	struct st_config c;
	char err[512] = "";
	CU_ASSERT_EQUAL_FATAL(st_config_load(write_conf(text), 1, DEF_DIR, list, 4, &c,
					     err, sizeof(err)), 0);
	CU_ASSERT(approx(c.plugins[0].values[0].f, 10));
	CU_ASSERT_FALSE(c.plugins[1].enabled);
	CU_ASSERT_EQUAL(c.plugins[1].nvalues, 0);
	CU_ASSERT_TRUE(c.plugins[2].enabled);
	CU_ASSERT_STRING_EQUAL(c.plugins[2].values[0].s, "/var/lib/spiketrace");
	CU_ASSERT_EQUAL(c.plugins[2].values[2].i, 100);
	CU_ASSERT_STRING_EQUAL(c.plugins[3].values[0].s, "daemon");
	st_config_free(&c);

	/* A string option without a default and not set reads as NULL. */
	CU_ASSERT_EQUAL_FATAL(st_config_load(NULL, 0, DEF_DIR, list, 4, &c, err,
					     sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(c.plugins[2].values[0].s);
	CU_ASSERT_STRING_EQUAL(c.plugins[3].values[0].s, "user");
	st_config_free(&c);
}

static void test_missing_required_file(void)
{
	struct st_config out;
	char err[512], *missing, *want;
	memset(&out, 0x5A, sizeof(out));
	struct st_config before = out;

	CU_ASSERT_FATAL(asprintf(&missing, "%s/nothing-here.conf", tmpdir) > 0);
	CU_ASSERT_FATAL(asprintf(&want, "%s: No such file or directory", missing) > 0);
	CU_ASSERT_EQUAL(st_config_load(missing, 1, DEF_DIR, plugins, NPLUGINS, &out,
				       err, sizeof(err)), ST_EX_CONFIG);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT(memcmp(&out, &before, sizeof(out)) == 0);

	/* A directory is not a file, required or not. */
	CU_ASSERT_EQUAL(st_config_load(tmpdir, 0, DEF_DIR, plugins, NPLUGINS, &out,
				       err, sizeof(err)), ST_EX_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Is a directory"));
	free(missing);
	free(want);
}

static void test_bad_plugin_descriptor(void)
{
	static const struct st_option reserved[] = {
		ST_OPTION_BOOL("enabled", 1, ""),
		ST_OPTION_END
	};
	PLUGIN(bad, ST_PLUGIN_DETECTOR, "bad", reserved);
	const struct st_plugin *const list[] = { &cpu_delta, &bad };
	struct st_config out;
	char err[256] = "";
	CU_ASSERT_EQUAL(st_config_load(NULL, 0, DEF_DIR, list, 2, &out, err, sizeof(err)),
			ST_EX_CONFIG);
	CU_ASSERT_STRING_EQUAL(err, "plugin 'bad': option name 'enabled' is reserved");

	const struct st_plugin *const twice[] = { &cpu_delta, &cpu_delta };
	CU_ASSERT_EQUAL(st_config_load(NULL, 0, DEF_DIR, twice, 2, &out, err, sizeof(err)),
			ST_EX_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "two plugins named 'cpu_delta'"));
}

/* libconfuse prints to stderr unless told otherwise: nothing may leak. */
static void test_nothing_on_stderr(void)
{
	char *capture, *dir = NULL, err[256];
	struct st_config out;
	CU_ASSERT_FATAL(asprintf(&capture, "%s/stderr.txt", tmpdir) > 0);
	int saved = st_test_stderr_to(capture);

	int r1 = load("bogus = 1\n", &out, err, sizeof(err));
	int r2 = load("detectors { nope { } }\n", &out, err, sizeof(err));
	int r3 = load("history = x\n", &out, err, sizeof(err));
	int r4 = st_config_plugin_dir(write_conf("a = {\n"), 1, DEF_DIR, &dir, err, sizeof(err));

	st_test_stderr_back(saved);
	CU_ASSERT(r1 == ST_EX_CONFIG && r2 == ST_EX_CONFIG && r3 == ST_EX_CONFIG &&
		  r4 == ST_EX_CONFIG);
	struct stat st;
	CU_ASSERT_EQUAL_FATAL(stat(capture, &st), 0);
	CU_ASSERT_EQUAL(st.st_size, 0);
	free(capture);
}

/* A name with a newline, an ESC, a byte that is not UTF-8 and a
 * backslash (written "\\" in the file), as libconfuse reads it, and as
 * a reader of any output sees it: escaped once. */
#define HOSTILE_CONF "\"b\\\\a\nd\033[2J\xff\" = 1\n"
#define HOSTILE_RAW  "b\\a\nd\033[2J\xff"
#define HOSTILE_SHOWN "b\\\\a\\nd\\x1b[2J\\xff"

/* The error text carries the name's bytes as they are: its writer
 * escapes it, once. */
static void test_error_text_raw(void)
{
	struct st_config out;
	char err[512] = "", want[4200];
	CU_ASSERT_EQUAL(load(HOSTILE_CONF, &out, err, sizeof(err)), ST_EX_CONFIG);
	snprintf(want, sizeof(want), "%s:2: unknown option '" HOSTILE_RAW "'", path);
	CU_ASSERT_STRING_EQUAL(err, want);
}

/* The line the daemon logs for it (st_engine_configure, as at start, at
 * --check-config and at a reload): every byte escaped exactly once. */
static void test_error_in_daemon_log(void)
{
	static struct st_engine e;
	char *capture, *no_plugins, want[4400];
	CU_ASSERT_FATAL(asprintf(&capture, "%s/log.txt", tmpdir) > 0);
	CU_ASSERT_FATAL(asprintf(&no_plugins, "%s/no_plugins", tmpdir) > 0);
	CU_ASSERT_FATAL(mkdir(no_plugins, 0755) == 0);
	const char *conf = write_conf(HOSTILE_CONF);

	int saved = st_test_stderr_to(capture);
	int rc = st_engine_configure(&e, conf, 1, no_plugins);
	st_test_stderr_back(saved);

	CU_ASSERT_EQUAL(rc, ST_EX_CONFIG);
	char *log = st_test_slurp(capture);
	snprintf(want, sizeof(want), "spiketrace: err: %s:2: unknown option '" HOSTILE_SHOWN
		 "'\n", conf);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, want));
	if (!strstr(log, want))
		fprintf(stderr, "\n  expected \"%s\"; the log said \"%s\"\n", want, log);
	st_engine_destroy(&e);
	free(log);
	free(no_plugins);
	free(capture);
}

/* ------------------------------------------------------------- pass 1 */

static int pass1(const char *content, char **dir, char *err, size_t errlen)
{
	return st_config_plugin_dir(write_conf(content), 1, DEF_DIR, dir, err, errlen);
}

static void test_pass1_finds_plugin_dir(void)
{
	char *dir = NULL, err[256] = "";
	/* Every construct libconfuse 3.3's CFGF_IGNORE_UNKNOWN trips over:
	 * empty and nested unknown sections, lists, options after sections. */
	int rc = pass1("interval = 0.5\n"
		       "whatever = { 1, 2, 3 }\n"
		       "appended += 4\n"
		       "odd { deeper { deepest { x = 1 } } y = \"s\" }\n"
		       "detectors {\n"
		       "  cpu_delta { threshold_pct = 10 cooldown = 5 }\n"
		       "  mem_pressure { }\n"
		       "  unheard_of { plugin_dir = \"/not/this/one\" }\n"
		       "}\n"
		       "sinks {\n"
		       "  json_file { }\n"
		       "  syslog { facility = \"daemon\" }\n"
		       "}\n"
		       "plugin_dir = \"/opt/spiketrace/plugins\"\n"
		       "history = not-checked-here\n", &dir, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		fprintf(stderr, "\n  pass 1: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_STRING_EQUAL(dir, "/opt/spiketrace/plugins");
	free(dir);
}

static void test_pass1_default(void)
{
	char *dir = NULL, err[256] = "", *missing;

	CU_ASSERT_EQUAL(pass1("history = 60\nsinks { json_file { dir = \"/x\" } }\n",
			      &dir, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(dir, DEF_DIR);
	free(dir);

	dir = NULL;
	CU_ASSERT_EQUAL(st_config_plugin_dir(NULL, 1, DEF_DIR, &dir, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(dir, DEF_DIR);
	free(dir);

	CU_ASSERT_FATAL(asprintf(&missing, "%s/absent.conf", tmpdir) > 0);
	dir = NULL;
	CU_ASSERT_EQUAL(st_config_plugin_dir(missing, 0, DEF_DIR, &dir, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(dir, DEF_DIR);
	free(dir);

	dir = (char *)"untouched";
	CU_ASSERT_EQUAL(st_config_plugin_dir(missing, 1, DEF_DIR, &dir, err, sizeof(err)),
			ST_EX_CONFIG);
	CU_ASSERT_STRING_EQUAL(dir, "untouched");
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "absent.conf: No such file or directory"));
	free(missing);
}

static void test_pass1_syntax_error(void)
{
	char *dir = (char *)"untouched", err[512] = "", want[4200];

	CU_ASSERT_EQUAL(pass1("plugin_dir = \"/x\"\n\nfoo { a = 1 }}\n", &dir, err, sizeof(err)),
			ST_EX_CONFIG);
	snprintf(want, sizeof(want), "%s:3: unexpected closing brace", path);
	CU_ASSERT_STRING_EQUAL(err, want);

	CU_ASSERT_EQUAL(pass1("plugin_dir = \"/x\"\ndetectors {\n  cpu_delta { }\n", &dir,
			      err, sizeof(err)), ST_EX_CONFIG);
	snprintf(want, sizeof(want), "%s:3: unexpected end of file: section 'detectors' "
		 "has no closing '}'", path);
	CU_ASSERT_STRING_EQUAL(err, want);

	CU_ASSERT_EQUAL(pass1("plugin_dir = \"\"\n", &dir, err, sizeof(err)), ST_EX_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":1: plugin_dir must not be empty"));

	CU_ASSERT_EQUAL(pass1("plugin_dir { }\n", &dir, err, sizeof(err)), ST_EX_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":1: missing equal sign after option 'plugin_dir'"));
	CU_ASSERT_STRING_EQUAL(dir, "untouched");
}

/* A value read without the plugins (the viewer's json_file dir): the
 * core's options checked as pass 2 does, the plugins' sections only for
 * their syntax, whatever they hold. */
static void test_lookup_without_plugins(void)
{
	static const char *const dir_path[] = { "sinks", "json_file", "dir" };
	char *v = (char *)"untouched", err[512] = "", want[4200];
	const char *conf = "history = 30\n"
			   "detectors { cpu_delta { threshold_pct = 5 made_up = { 1, 2 } } }\n"
			   "sinks {\n"
			   "  unheard_of { dir = \"/not/this\" }\n"
			   "  json_file { max_dumps = 9 dir = \"/var/dumps\" }\n"
			   "}\n";
	CU_ASSERT_EQUAL_FATAL(st_config_lookup(write_conf(conf), 1, dir_path, 3, &v, err,
					       sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(v, "/var/dumps");
	free(v);
	CU_ASSERT_EQUAL(st_config_lookup(write_conf("sinks { json_file { } }\n"), 1, dir_path, 3,
					 &v, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(v);
	CU_ASSERT_EQUAL(st_config_lookup(write_conf("top = 4\n"), 1, dir_path, 3, &v, err,
					 sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(v);

	/* The core's own names are checked, with their lines. */
	v = (char *)"untouched";
	CU_ASSERT_EQUAL(st_config_lookup(write_conf("sinks { json_file { dir = \"/x\" } }\n"
						    "\nbogus = 1\n"), 1, dir_path, 3, &v, err,
					 sizeof(err)), ST_EX_CONFIG);
	snprintf(want, sizeof(want), "%s:3: unknown option 'bogus'", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_EQUAL(st_config_lookup(write_conf("history = 1\n"), 1, dir_path, 3, &v, err,
					 sizeof(err)), ST_EX_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":1: history = 1: out of range 2..3600"));
	CU_ASSERT_EQUAL(st_config_lookup(write_conf("sinks { json_file { dir = \"/x\" }\n"), 1,
					 dir_path, 3, &v, err, sizeof(err)), ST_EX_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":1: unexpected end of file: section 'sinks' has no "
				      "closing '}'"));
	CU_ASSERT_EQUAL(st_config_lookup(write_conf("interval = 1\nlog_level ="), 1, dir_path, 3,
					 &v, err, sizeof(err)), ST_EX_CONFIG);
	snprintf(want, sizeof(want), "%s:2: unexpected end of file", path);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_STRING_EQUAL(v, "untouched");
}

/* The daemon reads plugin_dir with pass 1 and everything with pass 2:
 * a file one pass refuses, the other must refuse too, with the same line
 * and reason. */
static void both_refuse(const char *content, int line, const char *word)
{
	char *dir = (char *)"untouched", err[512] = "", want[4200];

	CU_ASSERT(fails_with(content, line, word));
	CU_ASSERT_EQUAL(pass1(content, &dir, err, sizeof(err)), ST_EX_CONFIG);
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, word))
		fprintf(stderr, "\n  pass 1: expected line %d, '%s'; got \"%s\"\n",
			line, word, err);
	CU_ASSERT(strncmp(err, want, strlen(want)) == 0 && strstr(err, word));
	CU_ASSERT_STRING_EQUAL(dir, "untouched");
}

static void test_passes_agree(void)
{
	/* Files that end inside a C comment. Pass 2 parses a file twice (as
	 * it is, then with the sentinel): the second parse began inside the
	 * comment the first one left open, where the last two bytes of '/' '*' '/'
	 * read as its end, and the file passed. */
	both_refuse("/*/", 1, "unexpected end of file");
	both_refuse("/*/\n", 1, "unexpected end of file");
	both_refuse("top = 5\n/*/ x\n", 2, "unexpected end of file");
	both_refuse("top = 5\n/* never closed\n\n", 3, "unexpected end of file");
}

/* libconfuse refuses an empty option name without a word: the line is
 * where its lexer stopped. */
static void test_empty_option_name(void)
{
	both_refuse("interval = 1\n\n\"\" = 1\n", 3, "an empty option name");
	both_refuse("# one\n// two\n/* three */ '' = 1\n", 3, "an empty option name");
	both_refuse("interval = 1\nsinks {\n\n  \"\" = 1\n}\n", 4, "an empty option name");
	both_refuse("sinks { json_file {\n  dir = \"\" \"\" = 1 } }\n", 2, "an empty option name");
	CU_ASSERT(fails_with("top = 1\nplugin_dir = \"${ST_TEST_UNSET:-/a\n/b}\"\n\"\" = 1\n", 4,
			     "an empty option name"));
}

/* The name that marks the file's end for the parse is refused where the
 * file uses it, in both passes: taken for the end, it would hide what
 * follows, and a call of it that does not parse made libconfuse lose
 * memory (valgrind: 18 bytes). */
static void test_sentinel_name_refused(void)
{
	both_refuse("interval = 1\n__spiketrace_end_of_file(x y)\n", 2,
		    "'__spiketrace_end_of_file' is a name spiketrace keeps for itself");
	both_refuse("# __spiketrace_end_of_file\ntop = 3\n", 1, "keeps for itself");
	CU_ASSERT(fails_with("top = 3\nsinks {\n  __spiketrace_end_of_file()\n}\n", 3,
			     "keeps for itself"));
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "defaults without a file", test_defaults_without_file },
		{ "full config read back", test_full_config },
		{ "fast_interval: off, range, not above interval", test_fast_interval },
		{ "enabled flags", test_enabled_flags },
		{ "load twice", test_load_twice },
		{ "unknown option", test_unknown_option },
		{ "wrong type", test_wrong_type },
		{ "string option outside its choices", test_string_choices },
		{ "out of range: core", test_out_of_range_root },
		{ "out of range: plugin", test_out_of_range_plugin },
		{ "unknown plugin", test_unknown_plugin },
		{ "plugin in the wrong section", test_plugin_in_wrong_section },
		{ "pre + post >= history", test_trigger_window },
		{ "syntax errors", test_syntax_errors },
		{ "lines after comments", test_lines_after_comments },
		{ "lines where the lexer sees no comment", test_lines_where_no_comment },
		{ "the lines of a ${VAR}", test_lines_of_a_var },
		{ "a plugin's option check at its section's line", test_plugin_check_options_line },
		{ "an empty section's check at its opening line",
		  test_plugin_check_options_empty_section },
		{ "DESIGN.md example", test_design_example },
		{ "missing required file", test_missing_required_file },
		{ "bad plugin descriptor", test_bad_plugin_descriptor },
		{ "nothing on stderr", test_nothing_on_stderr },
		{ "an error text holds the file's bytes", test_error_text_raw },
		{ "an error in the daemon's log escaped once", test_error_in_daemon_log },
		{ "pass 1 finds plugin_dir", test_pass1_finds_plugin_dir },
		{ "pass 1 default", test_pass1_default },
		{ "pass 1 syntax error", test_pass1_syntax_error },
		{ "both passes refuse the same files", test_passes_agree },
		{ "a value read without the plugins", test_lookup_without_plugins },
		{ "an empty option name", test_empty_option_name },
		{ "the end-of-file marker's name is refused", test_sentinel_name_refused },
		CU_TEST_INFO_NULL,
	};
	tmpdir = st_test_mkdtemp();
	int rc = st_test_run("config", tests);
	st_test_rmtree(tmpdir);
	free(tmpdir);
	return rc;
}
