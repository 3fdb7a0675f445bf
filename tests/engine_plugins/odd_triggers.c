/* Test plugin: a detector that fires on every sample with the type, pid
 * and figures its options give, so the core's checks of what a plugin
 * returns can be driven through the real engine. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spiketrace/plugin.h>

enum { OPT_TYPE, OPT_PID, OPT_NAN };

static const struct st_option options[] = {
	[OPT_TYPE] = ST_OPTION_STRING("type", "odd", "the type of every trigger"),
	[OPT_PID] = ST_OPTION_INT("pid", 0, -100, 2147483647, "the pid it names"),
	[OPT_NAN] = ST_OPTION_BOOL("nan", 0, "value NaN, baseline +Inf, threshold -Inf"),
	ST_OPTION_END,
};

struct odd {
	char type[64];
	long pid;
	int nan;
};

static int create(const struct st_host *host, const union st_value *opts, void **state)
{
	(void)host;
	struct odd *o = calloc(1, sizeof(*o));
	if (!o)
		return -1;
	snprintf(o->type, sizeof(o->type), "%s", opts[OPT_TYPE].s ? opts[OPT_TYPE].s : "");
	o->pid = opts[OPT_PID].i;
	o->nan = opts[OPT_NAN].b;
	*state = o;
	return 0;
}

static void destroy(void *state)
{
	free(state);
}

static int evaluate(void *state, const struct st_history *h,
		    struct st_trigger *out, size_t max)
{
	const struct odd *o = state;
	(void)h;
	if (max == 0)
		return 0;
	/* All of type's bytes, even past the field's end without a NUL. */
	memcpy(out->type, o->type, sizeof(out->type));
	out->pid = (int32_t)o->pid;
	out->value = o->nan ? NAN : 1;
	out->baseline = o->nan ? INFINITY : 0;
	out->threshold = o->nan ? -INFINITY : 1;
	snprintf(out->units, sizeof(out->units), "pct");
	snprintf(out->summary, sizeof(out->summary), "odd trigger");
	return 1;
}

static const struct st_plugin plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR, .name = "odd_triggers", .version = "0",
	.description = "test detector returning the triggers its options say",
	.options = options,
	.create = create, .destroy = destroy, .evaluate = evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
