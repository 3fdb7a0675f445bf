/*
 * spiketrace.conf through libconfuse 3.3, pass 2 (see config.h): with the
 * plugins loaded, every option of the core and of each plugin, checked,
 * into a struct st_config. What both passes share, and why libconfuse
 * 3.3 needs it, is in config_parse.h; pass 1 is config_lenient.c.
 */
#define _GNU_SOURCE
#include "config.h"
#include "config_parse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------- pass 2: strict */

enum scope_kind { SCOPE_ROOT, SCOPE_DETECTORS, SCOPE_SINKS, SCOPE_PLUGIN };

struct scope {
	cfg_t *cfg;
	enum scope_kind kind;
	size_t plugin;          /* SCOPE_PLUGIN: index into the plugins */
	char *label;            /* NULL at root */
};

static const char *const log_levels[] = { "err", "warning", "notice", "info", "debug" };
static const char *const exit_event_modes[] = { "auto", "taskstats", "proc_connector", "off" };

/* One strict parse; fresh for every parse, bisection included. */
struct strict {
	struct errsink *es;
	const struct st_plugin *const *plugins;
	size_t nplugins;
	const char *def_plugin_dir;
	int with_sentinel;
	int reached_end;
	cfg_t *cfg;
	struct scope *scopes;   /* root, detectors, sinks, then one per plugin */
	size_t nscopes;
	int *configured;        /* per plugin: its section was seen */
	/* Not worded yet: the message names plugin_dir, found afterwards. */
	char *unknown_plugin;
	enum scope_kind unknown_under;
};

static struct strict *strict_active;

static struct scope *scope_of(struct strict *sc, const cfg_t *cfg)
{
	for (size_t i = 0; i < sc->nscopes; i++)
		if (sc->scopes[i].cfg == cfg)
			return &sc->scopes[i];
	return NULL;
}

static const struct st_plugin *plugin_named(struct strict *sc, const char *name)
{
	for (size_t i = 0; i < sc->nplugins; i++)
		if (strcmp(sc->plugins[i]->name, name) == 0)
			return sc->plugins[i];
	return NULL;
}

static int is_root_name(const char *name)
{
	if (!strcmp(name, "detectors") || !strcmp(name, "sinks") ||
	    !strcmp(name, "plugin_dir") || !strcmp(name, "log_level") ||
	    !strcmp(name, "exit_events"))
		return 1;
	for (size_t i = 0; i < cf_ncore; i++)
		if (!strcmp(name, cf_core_ranges[i].name))
			return 1;
	return 0;
}

static void unknown_name(struct strict *sc, struct scope *s, const char *name)
{
	if (s->kind == SCOPE_PLUGIN) {
		cf_fail(sc->es, AT_LINE, "unknown option '%s' in %s", name, s->label);
		return;
	}
	if (s->kind == SCOPE_ROOT) {
		cf_fail(sc->es, AT_LINE, "unknown option '%s'", name);
		return;
	}
	const char *here = s->kind == SCOPE_DETECTORS ? "detectors" : "sinks";
	const char *there = s->kind == SCOPE_DETECTORS ? "sinks" : "detectors";
	const struct st_plugin *p = plugin_named(sc, name);
	if (p) {
		cf_fail(sc->es, AT_LINE, "'%s' is a %s plugin: configure it under %s, not %s",
		     name, p->kind == ST_PLUGIN_DETECTOR ? "detector" : "sink",
		     there, here);
		return;
	}
	if (is_root_name(name)) {
		cf_fail(sc->es, AT_LINE, "'%s' inside %s (a '}' missing before it?)",
		     name, here);
		return;
	}
	cf_fail(sc->es, AT_LINE, "no %s plugin named '%s'",
	     s->kind == SCOPE_DETECTORS ? "detector" : "sink", name);
	sc->unknown_plugin = strdup(name);
	sc->unknown_under = s->kind;
}

static void __attribute__((format(printf, 2, 0)))
strict_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	struct strict *sc = strict_active;
	if (!sc || sc->es->failed)
		return;
	struct scope *s = scope_of(sc, cfg);
	const char *label = s ? s->label : NULL;
	const char *name = cf_message_subject(fmt, MSG_NO_SUCH_OPTION, ap);

	if (name && sc->with_sentinel && !strcmp(name, SENTINEL))
		cf_fail_unclosed(sc->es, label);
	else if (name && s)
		unknown_name(sc, s, name);
	else
		cf_fail_libconfuse(sc->es, label, fmt, ap);
}

static int strict_sentinel(cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
	(void)cfg;
	(void)argc;
	(void)argv;
	struct strict *sc = strict_active;
	if (sc && sc->with_sentinel) {
		sc->reached_end = 1;
		return 0;
	}
	if (sc)
		cf_fail(sc->es, AT_LINE, "unknown option '%s'", opt->name);
	return -1;
}

/* Bounds as people write them: 1000000, not 1e+06. */
static void format_number(char *buf, size_t len, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%g", v);
}

static int check_range(struct errsink *es, cfg_opt_t *opt, const char *scope,
		       double min, double max)
{
	double v = opt->type == CFGT_INT ? (double)cfg_opt_getnint(opt, 0)
					 : cfg_opt_getnfloat(opt, 0);
	char value[64], lo[32], hi[32];

	if (opt->type == CFGT_INT)
		snprintf(value, sizeof(value), "%ld", cfg_opt_getnint(opt, 0));
	else
		snprintf(value, sizeof(value), "%g", v);
	if (!isfinite(v)) {
		cf_fail(es, AT_LINE, "%s = %s%s%s: not a finite number", opt->name, value,
		     scope ? " in " : "", scope ? scope : "");
		return -1;
	}
	if (min > max || (v >= min && v <= max))
		return 0;
	format_number(lo, sizeof(lo), min);
	format_number(hi, sizeof(hi), max);
	cf_fail(es, AT_LINE, "%s = %s%s%s: out of range %s..%s", opt->name, value,
	     scope ? " in " : "", scope ? scope : "", lo, hi);
	return -1;
}

static int check_core_number(cfg_t *cfg, cfg_opt_t *opt)
{
	(void)cfg;
	struct strict *sc = strict_active;
	for (size_t i = 0; sc && i < cf_ncore; i++)
		if (!strcmp(opt->name, cf_core_ranges[i].name))
			return check_range(sc->es, opt, NULL, cf_core_ranges[i].min,
					   cf_core_ranges[i].max);
	return 0;
}

/* 0 is off; a reading more often than ST_FAST_INTERVAL_MIN would cost
 * more than it shows. Above interval is refused once the whole file is
 * read (the pace check in st_config_load). */
static int check_fast_interval(cfg_t *cfg, cfg_opt_t *opt)
{
	struct strict *sc = strict_active;
	if (check_core_number(cfg, opt) < 0)
		return -1;
	double v = cfg_opt_getnfloat(opt, 0);
	if (v == 0 || v >= ST_FAST_INTERVAL_MIN)
		return 0;
	if (sc)
		cf_fail(sc->es, AT_LINE, "fast_interval = %g: 0 (off) or %g or more",
			v, ST_FAST_INTERVAL_MIN);
	return -1;
}

/* A core option that takes one of a few words; expected says which. */
static int check_core_word(cfg_opt_t *opt, const char *const *words, size_t n,
			   const char *expected)
{
	struct strict *sc = strict_active;
	const char *v = cfg_opt_getnstr(opt, 0);
	for (size_t i = 0; i < n; i++)
		if (v && !strcmp(v, words[i]))
			return 0;
	if (sc)
		cf_fail(sc->es, AT_LINE, "%s = '%s': expected %s", opt->name, v ? v : "",
			expected);
	return -1;
}

static int check_log_level(cfg_t *cfg, cfg_opt_t *opt)
{
	(void)cfg;
	return check_core_word(opt, log_levels, sizeof(log_levels) / sizeof(log_levels[0]),
			       "err, warning, notice, info or debug");
}

static int check_exit_events(cfg_t *cfg, cfg_opt_t *opt)
{
	(void)cfg;
	return check_core_word(opt, exit_event_modes,
			       sizeof(exit_event_modes) / sizeof(exit_event_modes[0]),
			       "auto, taskstats, proc_connector or off");
}

static int check_plugin_number(cfg_t *cfg, cfg_opt_t *opt)
{
	struct strict *sc = strict_active;
	struct scope *s = sc ? scope_of(sc, cfg) : NULL;
	if (!s || s->kind != SCOPE_PLUGIN)
		return 0;
	if (!strcmp(opt->name, "cooldown"))
		return check_range(sc->es, opt, s->label, 0, 86400);
	const struct st_option *o = sc->plugins[s->plugin]->options;
	for (; o && o->type != ST_OPT_END; o++)
		if (!strcmp(o->name, opt->name))
			return check_range(sc->es, opt, s->label, o->min, o->max);
	return 0;
}

/* Called when a plugin's section closes (cfg is its parent). */
/* A string option with a closed set of values: a typo is a config error
 * with its line, not a plugin that silently stays off. */
static int check_plugin_choice(cfg_t *cfg, cfg_opt_t *opt)
{
	struct strict *sc = strict_active;
	struct scope *s = sc ? scope_of(sc, cfg) : NULL;
	if (!s || s->kind != SCOPE_PLUGIN)
		return 0;
	const struct st_option *o = sc->plugins[s->plugin]->options;
	for (; o && o->type != ST_OPT_END; o++)
		if (!strcmp(o->name, opt->name))
			break;
	if (!o || o->type == ST_OPT_END || !o->choices)
		return 0;
	const char *v = cfg_opt_getnstr(opt, 0);
	char expected[256] = "";
	for (const char *const *c = o->choices; *c; c++) {
		if (v && !strcmp(v, *c))
			return 0;
		size_t len = strlen(expected);
		snprintf(expected + len, sizeof(expected) - len, "%s%s",
			 len ? ", " : "", *c);
	}
	cf_fail(sc->es, AT_LINE, "%s = '%s' in %s: expected one of %s",
	     opt->name, v ? v : "", s->label, expected);
	return -1;
}

static int mark_configured(cfg_t *cfg, cfg_opt_t *opt)
{
	(void)cfg;
	struct strict *sc = strict_active;
	struct scope *s = sc ? scope_of(sc, cfg_opt_getnsec(opt, 0)) : NULL;
	if (s && s->kind == SCOPE_PLUGIN)
		sc->configured[s->plugin] = 1;
	return 0;
}

/* Names the lexer reads as one bare word and cfg_getopt() as one name. */
static int valid_name(const char *name)
{
	if (!name || !*name || !strncmp(name, "__", 2))
		return 0;
	for (const char *c = name; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && *c != '_' && *c != '-' && *c != '.')
			return 0;
	return 1;
}

/* The descriptors come from plugins: refuse what would confuse the schema
 * (libconfuse would only print a duplicate name to stderr). */
static int check_plugins(const struct st_plugin *const *plugins, size_t n,
			 struct errsink *es)
{
	for (size_t i = 0; i < n; i++) {
		const struct st_plugin *p = plugins[i];
		if (!p || !valid_name(p->name)) {
			cf_fail(es, NOWHERE, "plugin #%zu has no valid name", i);
			return -1;
		}
		if (p->kind != ST_PLUGIN_DETECTOR && p->kind != ST_PLUGIN_SINK) {
			cf_fail(es, NOWHERE, "plugin '%s': unknown kind %d", p->name, (int)p->kind);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(plugins[j]->name, p->name)) {
				cf_fail(es, NOWHERE, "two plugins named '%s'", p->name);
				return -1;
			}
		for (const struct st_option *o = p->options; o && o->type != ST_OPT_END; o++) {
			if (!valid_name(o->name) || o->type > ST_OPT_STRING) {
				cf_fail(es, NOWHERE, "plugin '%s': invalid option '%s'",
				     p->name, o->name ? o->name : "(null)");
				return -1;
			}
			if (!strcmp(o->name, "enabled") || !strcmp(o->name, "cooldown")) {
				cf_fail(es, NOWHERE, "plugin '%s': option name '%s' is reserved",
				     p->name, o->name);
				return -1;
			}
			for (const struct st_option *q = p->options; q < o; q++)
				if (!strcmp(q->name, o->name)) {
					cf_fail(es, NOWHERE, "plugin '%s': option '%s' declared twice",
					     p->name, o->name);
					return -1;
				}
		}
	}
	return 0;
}

static size_t count_options(const struct st_plugin *p)
{
	size_t n = 0;
	while (p->options && p->options[n].type != ST_OPT_END)
		n++;
	return n;
}

static cfg_opt_t *plugin_opts(const struct st_plugin *p)
{
	size_t n = count_options(p);
	cfg_opt_t *opts = calloc(n + 3, sizeof(*opts));
	if (!opts)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct st_option *o = &p->options[i];
		switch (o->type) {
		case ST_OPT_BOOL:
			opts[i] = (cfg_opt_t)CFG_BOOL(o->name, o->def.b ? cfg_true : cfg_false,
						      CFGF_NONE);
			break;
		case ST_OPT_INT:
			opts[i] = (cfg_opt_t)CFG_INT(o->name, o->def.i, CFGF_NONE);
			opts[i].validcb = check_plugin_number;
			break;
		case ST_OPT_FLOAT:
			opts[i] = (cfg_opt_t)CFG_FLOAT(o->name, o->def.f, CFGF_NONE);
			opts[i].validcb = check_plugin_number;
			break;
		default:
			opts[i] = (cfg_opt_t)CFG_STR(o->name, o->def.s, CFGF_NONE);
			if (o->choices)
				opts[i].validcb = check_plugin_choice;
			break;
		}
	}
	opts[n] = (cfg_opt_t)CFG_BOOL("enabled", cfg_true, CFGF_NONE);
	if (p->kind == ST_PLUGIN_DETECTOR) {
		opts[n + 1] = (cfg_opt_t)CFG_FLOAT("cooldown", 5, CFGF_NONE);
		opts[n + 1].validcb = check_plugin_number;
		opts[n + 2] = (cfg_opt_t)CFG_END();
	} else {
		opts[n + 1] = (cfg_opt_t)CFG_END();
	}
	return opts;
}

static cfg_opt_t *kind_opts(struct strict *sc, enum st_plugin_kind kind)
{
	cfg_opt_t *opts = calloc(sc->nplugins + 1, sizeof(*opts));
	size_t n = 0;
	if (!opts)
		return NULL;
	for (size_t i = 0; i < sc->nplugins; i++) {
		if (sc->plugins[i]->kind != kind)
			continue;
		cfg_opt_t *sub = plugin_opts(sc->plugins[i]);
		if (!sub) {
			cf_free_opts(opts);
			return NULL;
		}
		opts[n] = (cfg_opt_t)CFG_SEC(sc->plugins[i]->name, sub, CFGF_NONE);
		opts[n++].validcb = mark_configured;
	}
	opts[n] = (cfg_opt_t)CFG_END();
	return opts;
}

static int strict_init(struct strict *sc)
{
	cfg_opt_t root[] = {
		CFG_FLOAT("interval", 1.0, CFGF_NONE),
		CFG_INT("history", 60, CFGF_NONE),
		CFG_INT("pre_trigger", 10, CFGF_NONE),
		CFG_INT("post_trigger", 3, CFGF_NONE),
		CFG_INT("top", 10, CFGF_NONE),
		CFG_FLOAT("max_dumps_per_minute", 6, CFGF_NONE),
		CFG_FLOAT("max_incident", ST_DEFAULT_MAX_INCIDENT_S, CFGF_NONE),
		CFG_INT("exit_events_buffer_kib", ST_DEFAULT_EXIT_EVENTS_BUFFER_KIB, CFGF_NONE),
		CFG_FLOAT("fast_interval", ST_DEFAULT_FAST_INTERVAL_S, CFGF_NONE),
		CFG_STR("plugin_dir", sc->def_plugin_dir, CFGF_NONE),
		CFG_STR("log_level", "info", CFGF_NONE),
		CFG_STR("exit_events", "auto", CFGF_NONE),
		CFG_SEC("detectors", NULL, CFGF_NONE),
		CFG_SEC("sinks", NULL, CFGF_NONE),
		CFG_FUNC(SENTINEL, strict_sentinel),
		CFG_END()
	};
	for (size_t i = 0; i < cf_ncore; i++)
		root[i].validcb = check_core_number;
	root[8].validcb = check_fast_interval;
	root[9].validcb = cf_check_plugin_dir;
	root[10].validcb = check_log_level;
	root[11].validcb = check_exit_events;
	root[12].subopts = kind_opts(sc, ST_PLUGIN_DETECTOR);
	root[13].subopts = kind_opts(sc, ST_PLUGIN_SINK);
	sc->configured = calloc(sc->nplugins + 1, sizeof(*sc->configured));
	sc->scopes = calloc(3 + sc->nplugins, sizeof(*sc->scopes));
	if (root[12].subopts && root[13].subopts && sc->configured && sc->scopes)
		sc->cfg = cfg_init(root, CFGF_NONE);
	cf_free_opts(root[12].subopts);
	cf_free_opts(root[13].subopts);
	if (!sc->cfg)
		return -1;
	cfg_set_error_function(sc->cfg, strict_error);

	sc->nscopes = 3 + sc->nplugins;
	sc->scopes[0] = (struct scope){ sc->cfg, SCOPE_ROOT, 0, NULL };
	sc->scopes[1] = (struct scope){ cfg_getsec(sc->cfg, "detectors"),
					SCOPE_DETECTORS, 0, strdup("detectors") };
	sc->scopes[2] = (struct scope){ cfg_getsec(sc->cfg, "sinks"),
					SCOPE_SINKS, 0, strdup("sinks") };
	if (!sc->scopes[1].label || !sc->scopes[2].label)
		return -1;
	for (size_t i = 0; i < sc->nplugins; i++) {
		const struct st_plugin *p = sc->plugins[i];
		struct scope *parent = &sc->scopes[p->kind == ST_PLUGIN_DETECTOR ? 1 : 2];
		struct scope *s = &sc->scopes[3 + i];
		s->kind = SCOPE_PLUGIN;
		s->plugin = i;
		s->cfg = cfg_getsec(parent->cfg, p->name);
		if (asprintf(&s->label, "%s/%s", parent->label, p->name) < 0) {
			s->label = NULL;
			return -1;
		}
	}
	return 0;
}

static void strict_release(struct strict *sc)
{
	if (sc->cfg)
		cfg_free(sc->cfg);
	for (size_t i = 0; i < sc->nscopes; i++)
		free(sc->scopes[i].label);
	free(sc->scopes);
	free(sc->configured);
	free(sc->unknown_plugin);
	sc->cfg = NULL;
	sc->scopes = NULL;
	sc->nscopes = 0;
	sc->configured = NULL;
	sc->unknown_plugin = NULL;
}

/* One strict parse of len bytes; sc->cfg holds what was read, even on
 * failure. 0, or -1 with sc->es failed. */
static int strict_parse(struct strict *sc, const struct source *src, size_t len)
{
	if (strict_init(sc) < 0) {
		cf_fail(sc->es, NOWHERE, "out of memory");
		return -1;
	}
	struct strict *outer = strict_active;
	struct errsink *outer_sink = cf_active_sink;
	strict_active = sc;
	cf_active_sink = sc->es;
	int rc = cf_parse_text(sc->cfg, src->buf, len);
	strict_active = outer;
	cf_active_sink = outer_sink;

	if (rc == CFG_SUCCESS && sc->with_sentinel && !sc->reached_end)
		cf_fail(sc->es, AT_EOF, "unexpected end of file (a comment left open?)");
	else if (rc != CFG_SUCCESS)
		cf_fail(sc->es, AT_LINE, "cannot parse");  /* if libconfuse said nothing */
	return sc->es->failed ? -1 : 0;
}

static void strict_try(void *pass, const struct source *src, size_t len,
		       struct errsink *es)
{
	struct strict sc = *(struct strict *)pass;
	sc.es = es;
	sc.with_sentinel = 0;
	sc.cfg = NULL;
	sc.scopes = NULL;
	sc.nscopes = 0;
	sc.configured = NULL;
	sc.unknown_plugin = NULL;
	strict_parse(&sc, src, len);
	strict_release(&sc);
}

/* The unknown plugin's message gets the directory pass 1 would give. */
static void name_plugin_dir(struct strict *sc, const struct source *src)
{
	struct errsink quiet = { 0 };
	char *dir = NULL;
	int line;
	if (cf_lenient_plugin_dir(src, sc->def_plugin_dir, &quiet, &line, &dir) < 0) {
		free(dir);
		dir = NULL;
	}
	const char *shown = dir ? dir : sc->def_plugin_dir;
	size_t used = strlen(sc->es->reason);
	snprintf(sc->es->reason + used, sizeof(sc->es->reason) - used,
		 " (looked in %s)", shown ? shown : "the plugin directory");
	free(dir);
}

struct window {
	long history, pre, post;
};

static struct window window_of(cfg_t *cfg)
{
	return (struct window){ cfg_getint(cfg, "history"),
				cfg_getint(cfg, "pre_trigger"),
				cfg_getint(cfg, "post_trigger") };
}

/* The fewest leading lines whose parse already holds(): the line where
 * what holds of the whole file became true (only on failure). */
static int fewest_lines(const struct strict *pass, const struct source *src,
			int (*holds)(const struct strict *sc, const void *arg),
			const void *arg)
{
	int lo = 1, hi = src->lines;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		struct errsink t = { 0 };
		struct strict sc = { .es = &t, .plugins = pass->plugins,
				     .nplugins = pass->nplugins,
				     .def_plugin_dir = pass->def_plugin_dir };
		strict_parse(&sc, src, cf_source_prefix(src, mid));
		int yes = sc.cfg && holds(&sc, arg);
		strict_release(&sc);
		if (yes)
			hi = mid;
		else
			lo = mid + 1;
	}
	return hi;
}

static int window_is(const struct strict *sc, const void *final)
{
	struct window w = window_of(sc->cfg);
	return !memcmp(&w, final, sizeof(w));
}

/* The two rates: fast_interval must not be slower than interval. */
struct pace {
	double interval, fast;
};

/* fast_interval as the file sets it; left out, its default where that is
 * below interval, else off: at an interval that short the ticks are as
 * fast, and a second timer would only add wakes. */
static double fast_interval_of(cfg_t *cfg)
{
	double fast = cfg_getfloat(cfg, "fast_interval");
	if (cfg_getopt(cfg, "fast_interval")->flags & CFGF_MODIFIED)
		return fast;
	return fast < cfg_getfloat(cfg, "interval") ? fast : 0;
}

static struct pace pace_of(cfg_t *cfg)
{
	return (struct pace){ cfg_getfloat(cfg, "interval"), fast_interval_of(cfg) };
}

static int pace_is(const struct strict *sc, const void *final)
{
	struct pace p = pace_of(sc->cfg);
	const struct pace *f = final;
	return p.interval == f->interval && p.fast == f->fast;
}

/* The line where the window became what it is. */
static int window_line(const struct strict *pass, const struct source *src,
		       struct window final)
{
	return fewest_lines(pass, src, window_is, &final);
}

static int configures(const struct strict *sc, const void *plugin)
{
	return sc->configured && sc->configured[*(const size_t *)plugin];
}

/*
 * Each enabled plugin's check of its options as a set, so that what its
 * create would refuse is refused here, with the line of its section, by
 * --check-config, at start and on SIGHUP alike. 0, or -1 with es failed
 * and *line set.
 */
static int check_plugin_sets(const struct strict *sc, const struct source *src,
			     const struct st_config *c, struct errsink *es, int *line)
{
	for (size_t i = 0; i < sc->nplugins; i++) {
		const struct st_plugin *p = sc->plugins[i];
		char why[256] = "";
		if (!c->plugins[i].enabled || !p->check_options ||
		    p->check_options(c->plugins[i].values, why, sizeof(why)) == 0)
			continue;
		why[sizeof(why) - 1] = '\0';
		cf_fail(es, AT_LINE, "%s: %s", sc->scopes[3 + i].label,
			*why ? why : "the plugin refuses these options (it gave no reason)");
		*line = sc->configured[i] ? fewest_lines(sc, src, configures, &i) : 0;
		return -1;
	}
	return 0;
}

/* All of one plugin's values in one block, strings after the array: the
 * header gives st_config_free no option types, so it just frees values. */
static int read_plugin_values(cfg_t *sec, const struct st_plugin *p,
			      struct st_plugin_config *pc)
{
	size_t n = count_options(p), bytes = n * sizeof(union st_value);
	for (size_t i = 0; i < n; i++) {
		const char *s = p->options[i].type == ST_OPT_STRING ?
				cfg_getstr(sec, p->options[i].name) : NULL;
		if (s)
			bytes += strlen(s) + 1;
	}
	pc->nvalues = n;
	pc->values = NULL;
	if (n == 0)
		return 0;
	pc->values = calloc(1, bytes);
	if (!pc->values)
		return -1;
	char *strings = (char *)(pc->values + n);
	for (size_t i = 0; i < n; i++) {
		const char *name = p->options[i].name;
		union st_value *v = &pc->values[i];
		switch (p->options[i].type) {
		case ST_OPT_BOOL:
			v->b = cfg_getbool(sec, name) ? 1 : 0;
			break;
		case ST_OPT_INT:
			v->i = cfg_getint(sec, name);
			break;
		case ST_OPT_FLOAT:
			v->f = cfg_getfloat(sec, name);
			break;
		default: {
			const char *s = cfg_getstr(sec, name);
			v->s = NULL;
			if (s) {
				size_t len = strlen(s) + 1;
				memcpy(strings, s, len);
				v->s = strings;
				strings += len;
			}
			break;
		}
		}
	}
	return 0;
}

static int fill_config(struct strict *sc, const char *path, struct st_config *c)
{
	cfg_t *cfg = sc->cfg;
	const char *dir = cfg_getstr(cfg, "plugin_dir");
	memset(c, 0, sizeof(*c));
	c->interval_s = cfg_getfloat(cfg, "interval");
	c->history = (unsigned)cfg_getint(cfg, "history");
	c->pre_trigger = (unsigned)cfg_getint(cfg, "pre_trigger");
	c->post_trigger = (unsigned)cfg_getint(cfg, "post_trigger");
	c->top = (unsigned)cfg_getint(cfg, "top");
	c->max_dumps_per_minute = cfg_getfloat(cfg, "max_dumps_per_minute");
	c->max_incident_s = cfg_getfloat(cfg, "max_incident");
	c->path = path ? strdup(path) : NULL;
	c->plugin_dir = dir ? strdup(dir) : NULL;
	c->log_level = strdup(cfg_getstr(cfg, "log_level"));
	c->exit_events = strdup(cfg_getstr(cfg, "exit_events"));
	c->exit_events_buffer_kib = (unsigned)cfg_getint(cfg, "exit_events_buffer_kib");
	c->fast_interval_s = fast_interval_of(cfg);
	c->nplugins = sc->nplugins;
	c->plugins = sc->nplugins ? calloc(sc->nplugins, sizeof(*c->plugins)) : NULL;
	if ((path && !c->path) || (dir && !c->plugin_dir) || !c->log_level || !c->exit_events ||
	    (sc->nplugins && !c->plugins))
		return -1;
	for (size_t i = 0; i < sc->nplugins; i++) {
		const struct st_plugin *p = sc->plugins[i];
		struct st_plugin_config *pc = &c->plugins[i];
		cfg_t *sec = sc->scopes[3 + i].cfg;
		int on = cfg_getbool(sec, "enabled") ? 1 : 0;
		pc->configured = sc->configured[i];
		if (p->kind == ST_PLUGIN_DETECTOR) {
			pc->enabled = on;
			pc->cooldown_s = cfg_getfloat(sec, "cooldown");
		} else {
			pc->enabled = pc->configured && on;
		}
		if (read_plugin_values(sec, p, pc) < 0)
			return -1;
	}
	return 0;
}

int st_config_load(const char *path, int required, const char *def_plugin_dir,
		   const struct st_plugin *const *plugins, size_t nplugins,
		   struct st_config *out, char *err, size_t errlen)
{
	struct errsink es = { 0 };
	struct strict sc = { .es = &es, .plugins = plugins, .nplugins = nplugins,
			     .def_plugin_dir = def_plugin_dir };
	struct source src = { 0 };
	struct st_config c = { 0 };
	int line = 0;

	int got = path ? cf_source_read(path, required, &src, &es) : 1;
	if (got < 0)
		goto out;
	if (got > 0) {
		path = NULL;
		if (cf_source_empty(&src, &es) < 0)
			goto out;
	}
	if (check_plugins(plugins, nplugins, &es) < 0) {
		path = NULL;    /* the plugins' fault, not the file's */
		goto out;
	}

	/* The first error is that of the file as it is; only a file that
	 * parses is asked whether it ended where it should. */
	if (strict_parse(&sc, &src, src.len) == 0) {
		struct strict whole = { .es = &es, .plugins = plugins,
					.nplugins = nplugins,
					.def_plugin_dir = def_plugin_dir,
					.with_sentinel = 1 };
		strict_parse(&whole, &src, WITH_SENTINEL(&src));
		strict_release(&whole);
	}
	if (es.failed && es.where == AT_LINE) {
		line = cf_find_line(strict_try, &sc, &src, &es);
		if (sc.unknown_plugin)
			name_plugin_dir(&sc, &src);
	} else if (es.failed && es.where == AT_EOF) {
		line = src.lines;
	}
	if (es.failed)
		goto out;

	struct window w = window_of(sc.cfg);
	if (w.pre + w.post >= w.history) {
		cf_fail(&es, AT_LINE,
		     "pre_trigger + post_trigger (%ld + %ld) must be less than history (%ld)",
		     w.pre, w.post, w.history);
		line = window_line(&sc, &src, w);
		goto out;
	}
	struct pace pace = pace_of(sc.cfg);
	if (pace.fast > pace.interval) {
		cf_fail(&es, AT_LINE, "fast_interval (%g) must not exceed interval (%g)",
			pace.fast, pace.interval);
		line = fewest_lines(&sc, &src, pace_is, &pace);
		goto out;
	}
	if (fill_config(&sc, path, &c) < 0) {
		st_config_free(&c);
		cf_fail(&es, NOWHERE, "out of memory");
		goto out;
	}
	if (check_plugin_sets(&sc, &src, &c, &es, &line) < 0) {
		st_config_free(&c);
		goto out;
	}
	*out = c;
out:
	strict_release(&sc);
	free(src.buf);
	if (!es.failed)
		return 0;
	cf_write_error(&es, path, line, err, errlen);
	return ST_EX_CONFIG;
}

void st_config_free(struct st_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nplugins && cfg->plugins; i++)
		free(cfg->plugins[i].values);
	free(cfg->plugins);
	free(cfg->path);
	free(cfg->plugin_dir);
	free(cfg->log_level);
	free(cfg->exit_events);
	memset(cfg, 0, sizeof(*cfg));
}
