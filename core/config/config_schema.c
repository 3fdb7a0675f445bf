/*
 * The schema of spiketrace.conf as a tree of names, and one parse of the
 * file against it (config_schema.h). The callbacks libconfuse calls find
 * the parse through a static pointer: they get no user data.
 */
#define _GNU_SOURCE
#include "config/config_schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const log_levels[] = { "err", "warning", "notice", "info", "debug", NULL };
static const char *const exit_event_modes[] = { "auto", "taskstats", "proc_connector", "off",
						NULL };

const struct st_option cf_core_options[O_NCORE] = {
	[O_INTERVAL] = ST_OPTION_FLOAT("interval", 1.0, 0.1, 60, NULL),
	[O_HISTORY] = ST_OPTION_INT("history", 60, 2, 3600, NULL),
	[O_PRE] = ST_OPTION_INT("pre_trigger", 10, 0, 3599, NULL),
	[O_POST] = ST_OPTION_INT("post_trigger", 3, 0, 3599, NULL),
	[O_TOP] = ST_OPTION_INT("top", 10, 1, 100, NULL),
	[O_RATE] = ST_OPTION_FLOAT("max_dumps_per_minute", 6, 0.1, 600, NULL),
	[O_MAX_INCIDENT] = ST_OPTION_FLOAT("max_incident", ST_DEFAULT_MAX_INCIDENT_S, 0, 3600,
					   NULL),
	[O_EVENTS_BUFFER] = ST_OPTION_INT("exit_events_buffer_kib",
					  ST_DEFAULT_EXIT_EVENTS_BUFFER_KIB, 64, 262144, NULL),
	/* 0 (off) or ST_FAST_INTERVAL_MIN .. interval: check_value, pace */
	[O_FAST] = ST_OPTION_FLOAT("fast_interval", ST_DEFAULT_FAST_INTERVAL_S, 0, 60, NULL),
	[O_PLUGIN_DIR] = ST_OPTION_STRING("plugin_dir", NULL, NULL), /* default: the caller's */
	[O_LOG_LEVEL] = ST_OPTION_CHOICE("log_level", "info", log_levels, NULL),
	[O_EXIT_EVENTS] = ST_OPTION_CHOICE("exit_events", "auto", exit_event_modes, NULL),
};
static const struct st_option opt_enabled = ST_OPTION_BOOL("enabled", 1, NULL);
static const struct st_option opt_cooldown = ST_OPTION_FLOAT("cooldown", 5, 0, 86400, NULL);

static struct parse *active;

/* ------------------------------------------------------------ schema */

static struct node *add_kid(struct node *n, const char *name, const struct st_option *spec,
			    int section)
{
	struct node *kids = realloc(n->kids, (n->nkids + 1) * sizeof(*kids));
	if (!kids)
		return NULL;
	n->kids = kids;
	struct node *k = memset(&kids[n->nkids], 0, sizeof(*k));
	k->name = strdup(name);
	if (n->label ? asprintf(&k->label, "%s/%s", n->label, name) < 0 :
	    !(k->label = strdup(name)))
		k->label = NULL;
	if (!k->name || !k->label) {
		free(k->name);
		free(k->label);
		return NULL;
	}
	k->spec = spec;
	k->section = section;
	k->plugin = -1;
	k->lenient = n->lenient;        /* what is learned holds what is learned */
	n->nkids++;
	return k;
}

static void node_free(struct node *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		node_free(&n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->label);
}

static struct node *kid_named(const struct node *n, const char *name)
{
	for (size_t i = 0; i < n->nkids; i++)
		if (!strcmp(n->kids[i].name, name))
			return &n->kids[i];
	return NULL;
}

int cf_schema_init(struct parse *p, const char *def_plugin_dir, enum schema_mode mode)
{
	p->plugin_dir = cf_core_options[O_PLUGIN_DIR];
	p->plugin_dir.def.s = def_plugin_dir;
	p->learning = mode != SCHEMA_STRICT;
	p->root.lenient = mode == SCHEMA_PLUGIN_DIR;
	for (int i = 0; i < O_NCORE; i++)
		if (!add_kid(&p->root, cf_core_options[i].name, i == O_PLUGIN_DIR ? &p->plugin_dir :
			     mode == SCHEMA_PLUGIN_DIR ? NULL : &cf_core_options[i], 0))
			return -1;
	for (int kind = ST_PLUGIN_DETECTOR; kind <= ST_PLUGIN_SINK; kind++) {
		struct node *list = add_kid(&p->root, kind == ST_PLUGIN_SINK ? "sinks" : "detectors",
					    NULL, 1);
		if (!list)
			return -1;
		list->holds = kind;
		list->lenient = p->learning;
		for (size_t i = 0; i < p->nplugins; i++) {
			const struct st_plugin *pl = p->plugins[i];
			struct node *sec = pl->kind == (uint32_t)kind ? add_kid(list, pl->name, NULL, 1) :
					   NULL;
			if (pl->kind != (uint32_t)kind)
				continue;
			if (!sec)
				return -1;
			sec->plugin = (int)i;
			for (const struct st_option *o = pl->options; o && o->type != ST_OPT_END; o++)
				if (!add_kid(sec, o->name, o, 0))
					return -1;
			if (!add_kid(sec, "enabled", &opt_enabled, 0) ||
			    (kind == ST_PLUGIN_DETECTOR && !add_kid(sec, "cooldown", &opt_cooldown, 0)))
				return -1;
		}
	}
	return 0;
}

static int check_value(cfg_t *cfg, cfg_opt_t *opt);
static int on_sentinel(cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv);

/* libconfuse's form of n's kids (and, at root, the sentinel). */
static cfg_opt_t *opts_of(const struct node *n, int root)
{
	cfg_opt_t *opts = calloc(n->nkids + 2, sizeof(*opts));
	for (size_t i = 0; opts && i < n->nkids; i++) {
		const struct node *k = &n->kids[i];
		const struct st_option *s = k->spec;
		cfg_opt_t *sub = k->section ? opts_of(k, 0) : NULL;
		if (k->section && !sub) {
			cf_free_opts(opts);
			return NULL;
		}
		if (k->section)
			opts[i] = (cfg_opt_t)CFG_SEC(k->name, sub, CFGF_NONE);
		else if (!s)
			opts[i] = (cfg_opt_t)CFG_STR_LIST(k->name, 0, CFGF_NONE);
		else if (s->type == ST_OPT_BOOL)
			opts[i] = (cfg_opt_t)CFG_BOOL(k->name, s->def.b ? cfg_true : cfg_false,
						      CFGF_NONE);
		else if (s->type == ST_OPT_INT)
			opts[i] = (cfg_opt_t)CFG_INT(k->name, s->def.i, CFGF_NONE);
		else if (s->type == ST_OPT_FLOAT)
			opts[i] = (cfg_opt_t)CFG_FLOAT(k->name, s->def.f, CFGF_NONE);
		else
			opts[i] = (cfg_opt_t)CFG_STR(k->name, s->def.s, CFGF_NONE);
		if (s && s->type != ST_OPT_BOOL)
			opts[i].validcb = check_value;
	}
	if (opts && root)
		opts[n->nkids] = (cfg_opt_t)CFG_FUNC(SENTINEL, on_sentinel);
	return opts;
}

/* Each section's cfg_t, for the callbacks; and, since cfg_init sets it on
 * every section it creates, CFGF_MODIFIED cleared: after the parse it
 * says which sections the file holds. */
static void bind(struct node *n, cfg_t *cfg)
{
	n->cfg = cfg;
	for (size_t i = 0; i < n->nkids; i++) {
		if (!n->kids[i].section)
			continue;
		if (cfg)
			cfg->opts[i].flags &= ~CFGF_MODIFIED;
		bind(&n->kids[i], cfg ? cfg_opt_getnsec(&cfg->opts[i], 0) : NULL);
	}
}

static struct node *node_of(struct node *n, const cfg_t *cfg)
{
	if (n->cfg == cfg)
		return n;
	for (size_t i = 0; i < n->nkids; i++) {
		struct node *hit = n->kids[i].section ? node_of(&n->kids[i], cfg) : NULL;
		if (hit)
			return hit;
	}
	return NULL;
}

/* ------------------------------------------------------------ checks */

/* Bounds as people write them: 1000000, not 1e+06. */
static void format_number(char *buf, size_t len, double v)
{
	snprintf(buf, len, v == floor(v) && fabs(v) < 1e15 ? "%.0f" : "%g", v);
}

/* A value against its option's range or choices, as it is read. */
static int check_value(cfg_t *cfg, cfg_opt_t *opt)
{
	struct parse *p = active;
	struct node *n = p ? node_of(&p->root, cfg) : NULL;
	size_t i = (size_t)(opt - cfg->opts);
	if (!n || i >= n->nkids || !n->kids[i].spec)
		return 0;
	const struct st_option *s = n->kids[i].spec;
	const char *in = n->label ? " in " : "", *scope = n->label ? n->label : "";
	char value[64], lo[32], hi[32], expected[256] = "";

	if (s->type == ST_OPT_STRING) {
		const char *v = cfg_opt_getnstr(opt, 0);
		/* By place, not by spec: a bisection's parse has its own copy. */
		if (n == &p->root && i == O_PLUGIN_DIR && (!v || !*v)) {
			cf_fail(p->es, AT_LINE, "plugin_dir must not be empty");
			return -1;
		}
		for (const char *const *c = s->choices; c && *c; c++) {
			if (v && !strcmp(v, *c))
				return 0;
			size_t len = strlen(expected);
			snprintf(expected + len, sizeof(expected) - len, "%s%s", len ? ", " : "", *c);
		}
		if (!s->choices)
			return 0;
		cf_fail(p->es, AT_LINE, "%s = '%s'%s%s: expected one of %s", opt->name,
			v ? v : "", in, scope, expected);
		return -1;
	}
	double v = s->type == ST_OPT_INT ? (double)cfg_opt_getnint(opt, 0) :
		   cfg_opt_getnfloat(opt, 0);
	if (s->type == ST_OPT_INT)
		snprintf(value, sizeof(value), "%ld", cfg_opt_getnint(opt, 0));
	else
		snprintf(value, sizeof(value), "%g", v);
	if (!isfinite(v)) {
		cf_fail(p->es, AT_LINE, "%s = %s%s%s: not a finite number", opt->name, value, in,
			scope);
		return -1;
	}
	if (s->min <= s->max && (v < s->min || v > s->max)) {
		format_number(lo, sizeof(lo), s->min);
		format_number(hi, sizeof(hi), s->max);
		cf_fail(p->es, AT_LINE, "%s = %s%s%s: out of range %s..%s", opt->name, value, in,
			scope, lo, hi);
		return -1;
	}
	/* More often than that costs more than it shows. */
	if (s == &cf_core_options[O_FAST] && v != 0 && v < ST_FAST_INTERVAL_MIN) {
		cf_fail(p->es, AT_LINE, "fast_interval = %g: 0 (off) or %g or more", v,
			ST_FAST_INTERVAL_MIN);
		return -1;
	}
	return 0;
}

/* A name the strict schema does not hold, said for what it likely is. */
static void unknown_name(struct parse *p, const struct node *n, const char *name)
{
	if (!n->holds) {
		if (n->label)
			cf_fail(p->es, AT_LINE, "unknown option '%s' in %s", name, n->label);
		else
			cf_fail(p->es, AT_LINE, "unknown option '%s'", name);
		return;
	}
	const char *here = n->holds == ST_PLUGIN_DETECTOR ? "detectors" : "sinks";
	const char *there = n->holds == ST_PLUGIN_DETECTOR ? "sinks" : "detectors";
	for (size_t i = 0; i < p->nplugins; i++)
		if (!strcmp(p->plugins[i]->name, name)) {
			cf_fail(p->es, AT_LINE, "'%s' is a %s plugin: configure it under %s, not %s",
				name, p->plugins[i]->kind == ST_PLUGIN_DETECTOR ? "detector" : "sink",
				there, here);
			return;
		}
	if (kid_named(&p->root, name)) {
		cf_fail(p->es, AT_LINE, "'%s' inside %s (a '}' missing before it?)", name, here);
		return;
	}
	cf_fail(p->es, AT_LINE, "no %s plugin named '%s'",
		n->holds == ST_PLUGIN_DETECTOR ? "detector" : "sink", name);
	free(p->unknown_plugin);
	p->unknown_plugin = strdup(name);
}

static void __attribute__((format(printf, 2, 0)))
on_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	struct parse *p = active;
	if (!p || p->es->failed || p->learned)
		return;
	struct node *n = node_of(&p->root, cfg), *kid;
	const char *scope = n ? n->label : NULL;
	const char *name = cf_message_subject(fmt, MSG_NO_SUCH_OPTION, ap);

	if (name && p->with_sentinel && !strcmp(name, SENTINEL)) {
		if (scope)
			cf_fail(p->es, AT_EOF, "unexpected end of file: section '%s' has no "
				"closing '}'", scope);
		else
			cf_fail(p->es, AT_EOF, "unexpected end of file");
	} else if (name && n && p->learning && n->lenient && kid_named(n, name)) {
		/* Held already: a name libconfuse cannot look up ("a|b"). */
		cf_fail(p->es, AT_LINE, "unknown option '%s'", name);
	} else if (name && n && p->learning && n->lenient) {
		/* Under detectors and sinks there are only sections. */
		if (!add_kid(n, name, NULL, n->holds != 0))
			cf_fail(p->es, NOWHERE, "out of memory");
		p->learned = 1;
	} else if (name && n) {
		unknown_name(p, n, name);
	} else if (p->learning && n && n->lenient &&
		   (name = cf_message_subject(fmt, MSG_MISSING_EQUAL, ap)) &&
		   (kid = kid_named(n, name)) && !kid->spec && !kid->section) {
		kid->section = 1;       /* "name {": a learned name is a section */
		p->learned = 1;
	} else {
		cf_fail_libconfuse(p->es, scope, fmt, ap);
	}
}

static int on_sentinel(cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
	(void)cfg;
	(void)argc;
	(void)argv;
	if (active && active->with_sentinel) {
		active->reached_end = 1;
		return 0;
	}
	if (active)
		cf_fail(active->es, AT_LINE, "unknown option '%s'", opt->name);
	return -1;
}

/* ------------------------------------------------------------ parses */

int cf_parse_once(struct parse *p, size_t len, int with_sentinel)
{
	if (p->cfg)
		cfg_free(p->cfg);
	cfg_opt_t *opts = opts_of(&p->root, 1);
	p->cfg = opts ? cfg_init(opts, CFGF_NONE) : NULL;
	cf_free_opts(opts);
	if (!p->cfg) {
		cf_fail(p->es, NOWHERE, "out of memory");
		return -1;
	}
	cfg_set_error_function(p->cfg, on_error);
	bind(&p->root, p->cfg);
	p->learned = p->reached_end = 0;
	p->with_sentinel = with_sentinel;

	struct parse *outer = active;
	active = p;
	int rc = cf_parse_text(p->cfg, p->src->buf, len);
	active = outer;
	if (p->learned && !p->es->failed)
		return 1;
	if (rc == CFG_SUCCESS && with_sentinel && !p->reached_end)
		cf_fail(p->es, AT_EOF, "unexpected end of file (a comment left open?)");
	else if (rc != CFG_SUCCESS)
		cf_fail(p->es, AT_LINE, "cannot parse");  /* if libconfuse said nothing */
	return p->es->failed ? -1 : 0;
}

int cf_fewest_lines(const struct parse *p, int (*holds)(const struct parse *t, const void *arg),
		    const void *arg)
{
	int lo = 1, hi = p->src->lines;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		struct errsink es = { 0 };
		struct parse t = *p;
		t.es = &es;
		t.cfg = NULL;
		t.learning = 0;
		t.unknown_plugin = NULL;
		cf_parse_once(&t, cf_source_prefix(p->src, mid), 0);
		int yes = t.cfg && holds(&t, arg);
		if (t.cfg)
			cfg_free(t.cfg);
		free(t.unknown_plugin);
		if (yes)
			hi = mid;
		else
			lo = mid + 1;
	}
	return hi;
}

static int same_error(const struct parse *t, const void *arg)
{
	const struct errsink *es = arg;
	return t->es->failed && t->es->where == es->where && !strcmp(t->es->reason, es->reason);
}

int cf_error_line(const struct parse *p)
{
	if (p->es->where == AT_EOF)
		return p->src->lines;
	return p->es->where == AT_LINE ? cf_fewest_lines(p, same_error, p->es) : 0;
}

cfg_opt_t *cf_lookup(const struct parse *p, const char *const *names, size_t n)
{
	const struct node *node = &p->root;
	cfg_t *cfg = p->cfg;
	for (size_t i = 0; cfg && i < n; i++) {
		const struct node *k = kid_named(node, names[i]);
		if (!k || (i + 1 < n) != (k->section != 0))
			return NULL;
		cfg_opt_t *o = &cfg->opts[k - node->kids];
		if (i + 1 == n)
			return o;
		cfg = cfg_opt_getnsec(o, 0);
		node = k;
	}
	return NULL;
}

void cf_parse_free(struct parse *p)
{
	if (p->cfg)
		cfg_free(p->cfg);
	node_free(&p->root);
	free(p->unknown_plugin);
}

