/*
 * The schema of spiketrace.conf as a tree of names, and the parse of the
 * file against it (config_schema.h). The callbacks libconfuse calls find
 * the parse through a static pointer: they get no user data.
 */
#define _GNU_SOURCE
#include "config/config_schema.h"
#include "plugin/plugin_check.h"

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

/* A real config has a few dozen distinct names; this bounds a hostile one. */
#define MAX_LEARN_ROUNDS 100

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
	if (asprintf(&k->label, "%s%s%s", n->label ? n->label : "", n->label ? "/" : "", name) < 0)
		k->label = NULL;
	if (!k->name || !k->label) {
		free(k->name);
		free(k->label);
		return NULL;
	}
	k->spec = spec;
	k->section = section;
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
					   list;
			if (!sec)
				return -1;
			for (const struct st_option *o = pl->options; sec != list && o && o->type; o++)
				if (!add_kid(sec, o->name, o, 0))
					return -1;
			if (sec != list && (!add_kid(sec, "enabled", &opt_enabled, 0) ||
			    (kind == ST_PLUGIN_DETECTOR && !add_kid(sec, "cooldown", &opt_cooldown, 0))))
				return -1;
		}
	}
	return 0;
}

static int on_set(cfg_t *cfg, cfg_opt_t *opt);
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
		opts[i].validcb = on_set;
	}
	if (opts && root)
		opts[n->nkids] = (cfg_opt_t)CFG_FUNC(SENTINEL, on_sentinel);
	return opts;
}

/* Each section's cfg_t, for the callbacks, and no line set yet. */
static void bind(struct node *n, cfg_t *cfg)
{
	n->cfg = cfg;
	for (size_t i = 0; i < n->nkids; i++) {
		n->kids[i].line = n->kids[i].line_closed = 0;
		if (n->kids[i].section)
			bind(&n->kids[i], cfg ? cfg_opt_getnsec(&cfg->opts[i], 0) : NULL);
	}
}

/* The node of a section's cfg_t, and the node holding it in *parent. */
static struct node *node_of(struct node *n, const cfg_t *cfg, struct node **parent)
{
	if (n->cfg == cfg)
		return n;
	for (size_t i = 0; i < n->nkids; i++) {
		struct node *hit = n->kids[i].section ? node_of(&n->kids[i], cfg, parent) : NULL;
		if (hit && hit == &n->kids[i] && parent)
			*parent = n;
		if (hit)
			return hit;
	}
	return NULL;
}

/* ------------------------------------------------------------ checks */

union st_value cf_value(cfg_opt_t *o, uint32_t type)
{
	union st_value v = { .i = 0 };
	if (type == ST_OPT_BOOL)
		v.b = cfg_opt_getnbool(o, 0) ? 1 : 0;
	else if (type == ST_OPT_INT)
		v.i = cfg_opt_getnint(o, 0);
	else if (type == ST_OPT_FLOAT)
		v.f = cfg_opt_getnfloat(o, 0);
	else
		v.s = cfg_opt_getnstr(o, 0);
	return v;
}

/* Anything said past the file's last line (the sentinel's) is about the
 * file ending too soon, said at its last line. */
static void end_of_file(struct parse *p, const char *scope)
{
	cf_fail(p->es, p->src->lines, "unexpected end of file%s%s%s", scope ? " in section '" : "",
		scope ? scope : "", scope ? "'" : "");
}

/* A value against its option's range or choices, as it is read; cl is
 * libconfuse's line count, made the file's line only for an error (a scan
 * of the text, not one for every value). */
static int check_value(struct parse *p, const struct node *n, const struct node *k,
		       cfg_opt_t *opt, int cl)
{
	const struct st_option *s = k->spec;
	union st_value v = cf_value(opt, s->type);
	char shown[256], why[256];
	int line;
	if (k == &p->root.kids[O_PLUGIN_DIR] && (!v.s || !*v.s)) {
		cf_fail(p->es, cf_true_line(p->src, cl, LAST_LINE), "plugin_dir must not be empty");
		return -1;
	}
	if (st_option_refuses(s, v, why, sizeof(why)) == 0) {
		/* More often than that costs more than it shows. */
		if (s != &cf_core_options[O_FAST] || v.f == 0 || v.f >= ST_FAST_INTERVAL_MIN)
			return 0;
		snprintf(why, sizeof(why), "0 (off) or %g or more", ST_FAST_INTERVAL_MIN);
	}
	if (s->type == ST_OPT_STRING)
		snprintf(shown, sizeof(shown), "'%s'", v.s ? v.s : "");
	else if (s->type == ST_OPT_INT)
		snprintf(shown, sizeof(shown), "%lld", (long long)v.i);
	else
		snprintf(shown, sizeof(shown), "%g", v.f);
	/* "name =" at the very end: the value read is the sentinel's name. */
	if ((line = cf_true_line(p->src, cl, LAST_LINE)) > p->src->lines)
		end_of_file(p, n->label);
	else
		cf_fail(p->es, line, "%s = %s%s%s: %s", opt->name, shown,
			n->label ? " in " : "", n->label ? n->label : "", why);
	return -1;
}

/*
 * Every value as it is set, and every section as it closes: the line of
 * each, and the value checked. A section's line is where it opened: its
 * parent's count, which stands still while the section is read (the
 * lexer counts in the section's cfg_t); one with nothing set in it has
 * only its closing line to give, which an error turns into its opening
 * line (cf_section_line: a scan, only then).
 */
static int on_set(cfg_t *cfg, cfg_opt_t *opt)
{
	struct parse *p = active;
	struct node *parent = NULL, *n = p ? node_of(&p->root, cfg, &parent) : NULL;
	size_t i = (size_t)(opt - cfg->opts);
	if (!n || i >= n->nkids)
		return 0;
	struct node *k = &n->kids[i];
	if (parent && !n->line)
		n->line = parent->cfg->line;
	if (k->section && !k->line)
		k->line_closed = 1;
	if (!k->section || !k->line)
		k->line = cfg->line;
	return k->spec ? check_value(p, n, k, opt, cfg->line) : 0;
}

/* A name the strict schema does not hold, said for what it likely is. */
static void unknown_name(struct parse *p, const struct node *n, const char *name, int line)
{
	if (!n->holds) {
		if (n->label)
			cf_fail(p->es, line, "unknown option '%s' in %s", name, n->label);
		else
			cf_fail(p->es, line, "unknown option '%s'", name);
		return;
	}
	const char *here = n->holds == ST_PLUGIN_DETECTOR ? "detectors" : "sinks";
	const char *there = n->holds == ST_PLUGIN_DETECTOR ? "sinks" : "detectors";
	for (size_t i = 0; i < p->nplugins; i++)
		if (!strcmp(p->plugins[i]->name, name)) {
			cf_fail(p->es, line, "'%s' is a %s plugin: configure it under %s, not %s",
				name, p->plugins[i]->kind == ST_PLUGIN_DETECTOR ? "detector" : "sink",
				there, here);
			return;
		}
	if (kid_named(&p->root, name)) {
		cf_fail(p->es, line, "'%s' inside %s (a '}' missing before it?)", name, here);
		return;
	}
	cf_fail(p->es, line, "no %s plugin named '%s'",
		n->holds == ST_PLUGIN_DETECTOR ? "detector" : "sink", name);
	p->unknown_plugin = 1;
}

static void __attribute__((format(printf, 2, 0)))
on_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	struct parse *p = active;
	if (!p || p->es->failed || p->learned)
		return;
	struct node *n = node_of(&p->root, cfg, NULL), *kid;
	const char *scope = n ? n->label : NULL;
	const char *name = cf_message_subject(fmt, MSG_NO_SUCH_OPTION, ap);
	int line = cf_true_line(p->src, cfg->line, LAST_LINE), eof = p->src->lines;
	/* Said at a name, which libconfuse read last but for one token. */
	if (line <= eof && (name || cf_message_subject(fmt, MSG_MISSING_EQUAL, ap) ||
			    cf_message_subject(fmt, MSG_MISSING_BRACE, ap)))
		line = cf_true_line(p->src, cfg->line, FIRST_LINE);

	if (line > eof && name && !strcmp(name, SENTINEL) && scope) {
		cf_fail(p->es, eof, "unexpected end of file: section '%s' has no closing '}'", scope);
	} else if (line > eof) {
		end_of_file(p, scope);  /* the sentinel, or the end after it */
	} else if (name && n && p->learning && n->lenient && !kid_named(n, name)) {
		/* Under detectors and sinks there are only sections. */
		if (!add_kid(n, name, NULL, n->holds != 0))
			cf_fail(p->es, 0, "out of memory");
		p->learned = 1;
	} else if (name && n) {
		unknown_name(p, n, name, line); /* held already too: "a|b" is no name to look up */
	} else if (p->learning && n && n->lenient &&
		   (name = cf_message_subject(fmt, MSG_MISSING_EQUAL, ap)) &&
		   (kid = kid_named(n, name)) && !kid->spec && !kid->section) {
		kid->section = 1;       /* "name {": a learned name is a section */
		p->learned = 1;
	} else {
		cf_fail_libconfuse(p->es, line, scope, fmt, ap);
	}
}

/* Run at root past the file's last line: every section was closed. */
static int on_sentinel(cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
	int line = cf_true_line(active->src, cfg->line, LAST_LINE);
	(void)argc;
	(void)argv;
	active->reached_end = line > active->src->lines;
	if (!active->reached_end)
		unknown_name(active, &active->root, opt->name, line);
	return active->reached_end ? 0 : -1;
}

/* ------------------------------------------------------------ parses */

/* The lexer's count where a parse stopped: it counts in the innermost
 * section open, which began at its parent's count; a closed one handed
 * its count back to its parent. */
static int count_reached(const struct node *n)
{
	int cl = n->cfg ? n->cfg->line : 0;
	for (size_t i = 0; i < n->nkids; i++) {
		int kid = n->kids[i].section ? count_reached(&n->kids[i]) : 0;
		cl = kid > cl ? kid : cl;
	}
	return cl;
}

/* A parse libconfuse failed without a word: said at the line it reached. */
static void failed_silently(struct parse *p)
{
	int cl = count_reached(&p->root), line = cf_true_line(p->src, cl, FIRST_LINE);
	if (line > p->src->lines)
		end_of_file(p, NULL);
	else if (cf_empty_string_at(p->src, cl))
		cf_fail(p->es, line, "an empty option name");
	else
		cf_fail(p->es, line, "cannot parse");
}

/* The file into a fresh p->cfg. 0: parsed; 1: learned a name (parse
 * again); -1: failed, p->es says why. */
static int parse_once(struct parse *p)
{
	if (p->cfg)
		cfg_free(p->cfg);       /* and with it the lexer's state */
	cfg_opt_t *opts = opts_of(&p->root, 1);
	p->cfg = opts ? cfg_init(opts, CFGF_NONE) : NULL;
	cf_free_opts(opts);
	if (!p->cfg) {
		cf_fail(p->es, 0, "out of memory");
		return -1;
	}
	cfg_set_error_function(p->cfg, on_error);
	bind(&p->root, p->cfg);
	p->learned = p->reached_end = 0;
	active = p;
	int rc = cfg_parse_buf(p->cfg, p->src->buf);
	active = NULL;
	if (p->learned && !p->es->failed)
		return 1;
	if (rc == CFG_SUCCESS && !p->reached_end)
		cf_fail(p->es, p->src->lines, "unexpected end of file (a comment left open?)");
	else if (rc != CFG_SUCCESS && !p->es->failed)
		failed_silently(p);
	return p->es->failed ? -1 : 0;
}

int cf_parse(struct parse *p)
{
	for (int round = 0; round <= MAX_LEARN_ROUNDS; round++) {
		int rc = parse_once(p);
		if (rc <= 0)
			return rc;
	}
	cf_fail(p->es, 0, "too many distinct option names");
	return -1;
}

cfg_opt_t *cf_lookup(const struct parse *p, const char *const *names, size_t n,
		     const struct node **node)
{
	const struct node *at = &p->root;
	cfg_t *cfg = p->cfg;
	for (size_t i = 0; cfg && i < n; i++) {
		const struct node *k = kid_named(at, names[i]);
		if (!k || (i + 1 < n && !k->section))
			return NULL;
		cfg_opt_t *o = &cfg->opts[k - at->kids];
		if (i + 1 == n && node)
			*node = k;
		if (i + 1 == n)
			return o;
		cfg = cfg_opt_getnsec(o, 0);
		at = k;
	}
	return NULL;
}

void cf_parse_free(struct parse *p)
{
	if (p->cfg)
		cfg_free(p->cfg);
	p->cfg = NULL;
	node_free(&p->root);
}
