/*
 * What the core requires of a plugin's descriptor beyond its binary layout:
 * a known kind, a name the configuration can hold, and an option table it
 * can turn into a schema. One check, for the loader and the config alike,
 * and the check of a value against its option that both make.
 */
#ifndef ST_PLUGIN_CHECK_H
#define ST_PLUGIN_CHECK_H

#include <stddef.h>
#include <spiketrace/plugin.h>

#define ST_PLUGIN_MAX_OPTIONS 64

/* Whether an option accepts a value (its default, or one a file sets):
 * 0, or -1 with why ("out of range 0..100", "expected one of a, b",
 * "not a finite number"). */
int st_option_refuses(const struct st_option *o, union st_value v, char *why, size_t len);

/* 0, or -1 with the reason in err (without the plugin's name). */
int st_plugin_check(const struct st_plugin *d, char *err, size_t errlen);

#endif
