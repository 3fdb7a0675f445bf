/*
 * spiketrace.conf through libconfuse 3.3 (see config.h): pass 1 finds
 * plugin_dir, pass 2 reads everything; both parse against the schema of
 * config_schema.h, so that they read plugin_dir with one definition
 * through one parse.
 */
#define _GNU_SOURCE
#include "config/config.h"
#include "config/config_schema.h"
#include "plugin/plugin_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The string at a path of names, read with a schema that learns (pass
 * 1's, or the core's). *value malloc'd, NULL when the file sets none there
 * and the schema has no default. */
static int read_string(const char *path, int required, enum schema_mode mode, const char *def,
		       const char *const *names, size_t n, char **value, char *err, size_t errlen)
{
	struct errsink es = { 0 };
	struct source src = { 0 };
	struct parse p = { .src = &src, .es = &es };
	char *v = NULL;
	int got = cf_source_read(path, required, &src, &es);
	if (got >= 0 && cf_schema_init(&p, def, mode) < 0) {
		cf_fail(&es, 0, "out of memory");
	} else if (got >= 0 && cf_parse(&p) == 0) {
		cfg_opt_t *o = cf_lookup(&p, names, n, NULL);
		const char *s = o && o->nvalues && o->type == CFGT_STR ? cfg_opt_getnstr(o, 0) : NULL;
		if (s && !(v = strdup(s)))
			cf_fail(&es, 0, "out of memory");
	}
	cf_parse_free(&p);
	free(src.buf);
	if (es.failed) {
		free(v);
		cf_write_error(&es, got > 0 ? NULL : path, err, errlen);
		return ST_EX_CONFIG;
	}
	*value = v;
	return 0;
}

static const char *const plugin_dir_name[] = { "plugin_dir" };

int st_config_plugin_dir(const char *path, int required, const char *def,
			 char **plugin_dir, char *err, size_t errlen)
{
	return read_string(path, required, SCHEMA_PLUGIN_DIR, def, plugin_dir_name, 1,
			   plugin_dir, err, errlen);
}

int st_config_lookup(const char *path, int required, const char *const *names, size_t n,
		     char **value, char *err, size_t errlen)
{
	return read_string(path, required, SCHEMA_CORE, NULL, names, n, value, err, errlen);
}

/* ------------------------------------------------------------ pass 2 */

/* The descriptors come from plugins: refuse what would confuse the schema
 * (libconfuse would only print a duplicate name to stderr). */
static int check_plugins(const struct st_plugin *const *plugins, size_t n, struct errsink *es)
{
	char why[256];
	for (size_t i = 0; i < n; i++) {
		const struct st_plugin *p = plugins[i];
		if (!p || st_plugin_check(p, why, sizeof(why)) < 0) {
			cf_fail(es, 0, "plugin '%s': %s", p && p->name ? p->name : "(none)",
				p ? why : "no descriptor");
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(plugins[j]->name, p->name)) {
				cf_fail(es, 0, "two plugins named '%s'", p->name);
				return -1;
			}
	}
	return 0;
}

/* fast_interval as the file sets it; left out, its default where that is
 * below interval, else off: at an interval that short the ticks are as
 * fast, and a second timer would only add wakes. */
static double fast_interval_of(cfg_t *cfg)
{
	double fast = cfg_opt_getnfloat(&cfg->opts[O_FAST], 0);
	if (cfg->opts[O_FAST].flags & CFGF_MODIFIED)
		return fast;
	return fast < cfg_opt_getnfloat(&cfg->opts[O_INTERVAL], 0) ? fast : 0;
}

/* The file's line where the last of these options took its value. */
static int line_of(const struct parse *p, int a, int b, int c)
{
	const struct node *k = p->root.kids;
	int cl = k[a].line > k[b].line ? k[a].line : k[b].line;
	return cf_true_line(p->src, cl > k[c].line ? cl : k[c].line, LAST_LINE);
}

/* The core's numbers that must agree; 0, or -1 with p->es failed. */
static int check_core(const struct parse *p)
{
	cfg_opt_t *o = p->cfg->opts;
	long history = cfg_opt_getnint(&o[O_HISTORY], 0);
	long pre = cfg_opt_getnint(&o[O_PRE], 0), post = cfg_opt_getnint(&o[O_POST], 0);
	double interval = cfg_opt_getnfloat(&o[O_INTERVAL], 0), fast = fast_interval_of(p->cfg);
	if (pre + post >= history)
		cf_fail(p->es, line_of(p, O_HISTORY, O_PRE, O_POST), "pre_trigger + post_trigger "
			"(%ld + %ld) must be less than history (%ld)", pre, post, history);
	else if (fast > interval)
		cf_fail(p->es, line_of(p, O_INTERVAL, O_FAST, O_FAST),
			"fast_interval (%g) must not exceed interval (%g)", fast, interval);
	return p->es->failed ? -1 : 0;
}

/* All of one plugin's values in one block, strings after the array: the
 * header gives st_config_free no option types, so it just frees values. */
static int read_values(cfg_t *sec, const struct st_plugin *p, struct st_plugin_config *pc)
{
	size_t n = 0, bytes = 0;
	for (; p->options && p->options[n].type != ST_OPT_END; n++) {
		const char *s = p->options[n].type == ST_OPT_STRING ?
				cfg_opt_getnstr(&sec->opts[n], 0) : NULL;
		bytes += sizeof(union st_value) + (s ? strlen(s) + 1 : 0);
	}
	pc->nvalues = n;
	if (n == 0 || !(pc->values = calloc(1, bytes)))
		return n == 0 ? 0 : -1;
	char *strings = (char *)(pc->values + n);
	for (size_t i = 0; i < n; i++) {
		union st_value *v = &pc->values[i];
		*v = cf_value(&sec->opts[i], p->options[i].type);
		if (p->options[i].type == ST_OPT_STRING && v->s) {
			v->s = memcpy(strings, v->s, strlen(v->s) + 1);
			strings += strlen(v->s) + 1;
		}
	}
	return 0;
}

/*
 * A plugin's section into pc, and an enabled plugin's check of its options
 * as a set: what its create would refuse is refused here, at the line of
 * its section, by --check-config, at start and on SIGHUP alike. -1: out of
 * memory, or p->es failed.
 */
static int read_plugin(const struct parse *p, size_t i, struct st_plugin_config *pc)
{
	const struct st_plugin *pl = p->plugins[i];
	const char *names[] = { pl->kind == ST_PLUGIN_DETECTOR ? "detectors" : "sinks", pl->name };
	const struct node *node = NULL;
	cfg_t *sec = cfg_opt_getnsec(cf_lookup(p, names, 2, &node), 0);
	char why[256] = "";
	size_t n = 0;
	while (pl->options && pl->options[n].type != ST_OPT_END)
		n++;
	int on = cfg_opt_getnbool(&sec->opts[n], 0) ? 1 : 0;
	pc->configured = node->line != 0;
	pc->enabled = pl->kind == ST_PLUGIN_DETECTOR ? on : pc->configured && on;
	if (pl->kind == ST_PLUGIN_DETECTOR)
		pc->cooldown_s = cfg_opt_getnfloat(&sec->opts[n + 1], 0);
	if (read_values(sec, pl, pc) < 0)
		return -1;
	if (!pc->enabled || !pl->check_options ||
	    pl->check_options(pc->values, why, sizeof(why)) == 0)
		return 0;
	why[sizeof(why) - 1] = '\0';
	int line = node->line_closed ? cf_section_line(p->src, node->line, pl->name) :
		   cf_true_line(p->src, node->line, FIRST_LINE);
	cf_fail(p->es, line, "%s/%s: %s", names[0], pl->name,
		*why ? why : "the plugin refuses these options (it gave no reason)");
	return -1;
}

static int fill(const struct parse *p, const char *path, struct st_config *c)
{
	cfg_opt_t *o = p->cfg->opts;
	const char *dir = cfg_opt_getnstr(&o[O_PLUGIN_DIR], 0);
	memset(c, 0, sizeof(*c));
	c->interval_s = cfg_opt_getnfloat(&o[O_INTERVAL], 0);
	c->history = (unsigned)cfg_opt_getnint(&o[O_HISTORY], 0);
	c->pre_trigger = (unsigned)cfg_opt_getnint(&o[O_PRE], 0);
	c->post_trigger = (unsigned)cfg_opt_getnint(&o[O_POST], 0);
	c->top = (unsigned)cfg_opt_getnint(&o[O_TOP], 0);
	c->max_dumps_per_minute = cfg_opt_getnfloat(&o[O_RATE], 0);
	c->max_incident_s = cfg_opt_getnfloat(&o[O_MAX_INCIDENT], 0);
	c->exit_events_buffer_kib = (unsigned)cfg_opt_getnint(&o[O_EVENTS_BUFFER], 0);
	c->fast_interval_s = fast_interval_of(p->cfg);
	c->path = path ? strdup(path) : NULL;
	c->plugin_dir = dir ? strdup(dir) : NULL;
	c->log_level = strdup(cfg_opt_getnstr(&o[O_LOG_LEVEL], 0));
	c->exit_events = strdup(cfg_opt_getnstr(&o[O_EXIT_EVENTS], 0));
	c->nplugins = p->nplugins;
	c->plugins = p->nplugins ? calloc(p->nplugins, sizeof(*c->plugins)) : NULL;
	if ((path && !c->path) || (dir && !c->plugin_dir) || !c->log_level || !c->exit_events ||
	    (p->nplugins && !c->plugins))
		return -1;
	for (size_t i = 0; i < p->nplugins; i++)
		if (read_plugin(p, i, &c->plugins[i]) < 0)
			return -1;
	return 0;
}

/* "no detector plugin named X" says where it looked: plugin_dir, which may
 * come after the mistake, as pass 1 reads it. */
static void say_where_looked(struct errsink *es, const char *path, const char *def)
{
	char *dir = NULL, quiet[8];
	size_t used = strlen(es->reason);
	st_config_plugin_dir(path, 0, def, &dir, quiet, sizeof(quiet));
	snprintf(es->reason + used, sizeof(es->reason) - used, " (looked in %s)",
		 dir ? dir : def ? def : "the plugin directory");
	free(dir);
}

int st_config_load(const char *path, int required, const char *def_plugin_dir,
		   const struct st_plugin *const *plugins, size_t nplugins,
		   struct st_config *out, char *err, size_t errlen)
{
	struct errsink es = { 0 };
	struct source src = { 0 };
	struct parse p = { .src = &src, .es = &es, .plugins = plugins, .nplugins = nplugins };
	struct st_config c;
	int got = cf_source_read(path, required, &src, &es);

	if (got > 0)
		path = NULL;    /* no file: the defaults */
	if (got >= 0 && check_plugins(plugins, nplugins, &es) < 0) {
		path = NULL;    /* the plugins' fault, not the file's */
	} else if (got >= 0 && cf_schema_init(&p, def_plugin_dir, SCHEMA_STRICT) < 0) {
		cf_fail(&es, 0, "out of memory");
	} else if (got >= 0 && cf_parse(&p) == 0 && check_core(&p) == 0) {
		if (fill(&p, path, &c) == 0) {
			*out = c;
		} else {
			st_config_free(&c);
			cf_fail(&es, 0, "out of memory");       /* unless a plugin refused */
		}
	}
	cf_parse_free(&p);      /* one parse at a time */
	if (p.unknown_plugin)
		say_where_looked(&es, path, def_plugin_dir);
	free(src.buf);
	if (!es.failed)
		return 0;
	cf_write_error(&es, path, err, errlen);
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
