#include "plugin/plugin_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int __attribute__((format(printf, 3, 4)))
refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Names the config's lexer reads as one bare word and libconfuse looks up
 * as one name ("__" is libconfuse's own). */
static int valid_name(const char *name)
{
	if (!name || !*name || !strncmp(name, "__", 2))
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_-.") == strlen(name);
}

static int check_option(const struct st_option *opts, int i, char *err, size_t errlen)
{
	const struct st_option *o = &opts[i];
	if (i >= ST_PLUGIN_MAX_OPTIONS)
		return refuse(err, errlen, "more than %d options", ST_PLUGIN_MAX_OPTIONS);
	if (!valid_name(o->name))
		return refuse(err, errlen, "invalid option '%s'", o->name ? o->name : "(null)");
	/* The config gives every plugin these two. */
	if (!strcmp(o->name, "enabled") || !strcmp(o->name, "cooldown"))
		return refuse(err, errlen, "option name '%s' is reserved", o->name);
	if (o->type > ST_OPT_STRING)
		return refuse(err, errlen, "option '%s' has unknown type %d", o->name,
				(int)o->type);
	for (int j = 0; j < i; j++)
		if (!strcmp(opts[j].name, o->name))
			return refuse(err, errlen, "option '%s' declared twice", o->name);
	if (o->choices) {
		int ok = o->type == ST_OPT_STRING && o->def.s == NULL;
		for (const char *const *c = o->choices; o->type == ST_OPT_STRING && *c; c++)
			ok |= o->def.s && !strcmp(*c, o->def.s);
		if (!ok)
			return refuse(err, errlen, "option '%s': default is not one of its "
					"choices", o->name);
	}
	double d = o->type == ST_OPT_INT ? (double)o->def.i : o->def.f;
	if ((o->type == ST_OPT_INT || o->type == ST_OPT_FLOAT) && o->min <= o->max &&
	    (d < o->min || d > o->max))
		return refuse(err, errlen, "option '%s' default %g outside %g..%g", o->name, d,
				o->min, o->max);
	return 0;
}

int st_plugin_check(const struct st_plugin *d, char *err, size_t errlen)
{
	if (d->kind != ST_PLUGIN_DETECTOR && d->kind != ST_PLUGIN_SINK)
		return refuse(err, errlen, "unknown plugin kind %d", (int)d->kind);
	if (!valid_name(d->name))
		return refuse(err, errlen, "plugin name '%s' is not letters, digits, '_', "
				"'-' or '.'", d->name ? d->name : "(none)");
	for (int i = 0; d->options && d->options[i].type != ST_OPT_END; i++)
		if (check_option(d->options, i, err, errlen) < 0)
			return -1;
	return 0;
}
