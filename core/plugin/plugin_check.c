#include "plugin/plugin_check.h"

#include <math.h>
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

/* Bounds as people write them: 1000000, not 1e+06. */
static void format_number(char *buf, size_t len, double v)
{
	snprintf(buf, len, v == floor(v) && fabs(v) < 1e15 ? "%.0f" : "%g", v);
}

int st_option_refuses(const struct st_option *o, union st_value v, char *why, size_t len)
{
	double d = o->type == ST_OPT_INT ? (double)v.i : v.f;
	char lo[32], hi[32];
	if (o->type == ST_OPT_STRING && o->choices) {
		size_t used = (size_t)snprintf(why, len, "expected one of");
		for (const char *const *c = o->choices; *c; c++) {
			if (v.s && !strcmp(v.s, *c))
				return 0;
			if (used < len)
				used += (size_t)snprintf(why + used, len - used, "%s %s",
							 c == o->choices ? "" : ",", *c);
		}
		return -1;
	}
	if (o->type != ST_OPT_INT && o->type != ST_OPT_FLOAT)
		return 0;
	if (!isfinite(d))
		return refuse(why, len, "not a finite number");
	format_number(lo, sizeof(lo), o->min);
	format_number(hi, sizeof(hi), o->max);
	if (o->min <= o->max && (d < o->min || d > o->max))
		return refuse(why, len, "out of range %s..%s", lo, hi);
	return 0;
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
	/* A choice option may go without a default: it reads as NULL. */
	char why[256], shown[64];
	if (o->choices && o->type != ST_OPT_STRING)
		return refuse(err, errlen, "option '%s' has choices but is not a string", o->name);
	if ((o->type == ST_OPT_STRING && !o->def.s) ||
	    st_option_refuses(o, o->def, why, sizeof(why)) == 0)
		return 0;
	/* The plugin's author fixes what the message shows. */
	if (o->type == ST_OPT_STRING)
		snprintf(shown, sizeof(shown), "\"%s\"", o->def.s);
	else if (o->type == ST_OPT_INT)
		snprintf(shown, sizeof(shown), "%lld", (long long)o->def.i);
	else
		format_number(shown, sizeof(shown), o->def.f);
	return refuse(err, errlen, "option '%s' default %s: %s", o->name, shown, why);
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
