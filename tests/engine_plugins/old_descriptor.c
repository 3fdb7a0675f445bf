/* Test plugin: a detector whose descriptor ends where the smallest one
 * accepted does (ST_PLUGIN_SIZE_MIN), before trigger_result and
 * check_options, with whatever bytes follow it in memory. Here they are
 * functions that abort: the core must read neither (the size rule). */
#include <stdlib.h>
#include <string.h>
#include <spiketrace/plugin.h>

static const struct st_option options[] = {
	ST_OPTION_BOOL("fire", 0, "fire on every sample"),
	ST_OPTION_END,
};

static int create(const struct st_host *host, const union st_value *opts, void **state)
{
	(void)host;
	*state = opts[0].b ? (void *)1 : NULL;
	return 0;
}

static int evaluate(void *state, const struct st_history *h,
		    struct st_trigger *out, size_t max)
{
	(void)h;
	if (!state || max == 0)
		return 0;
	memcpy(out->type, "old_descriptor", sizeof("old_descriptor"));
	return 1;
}

static void never_result(void *state, const struct st_trigger *t, int taken)
{
	(void)state; (void)t; (void)taken;
	abort();
}

static int never_check(const union st_value *opts, char *err, size_t errlen)
{
	(void)opts; (void)err; (void)errlen;
	abort();
}

static const struct st_plugin plugin = {
	.abi_major = ST_ABI_MAJOR, .abi_minor = ST_ABI_MINOR, .size = ST_PLUGIN_SIZE_MIN,
	.trigger_size = sizeof(struct st_trigger), .option_size = sizeof(struct st_option),
	.kind = ST_PLUGIN_DETECTOR, .name = "old_descriptor", .version = "0",
	.description = "test detector with a first-release descriptor",
	.options = options, .create = create, .evaluate = evaluate,
	.trigger_result = never_result, .check_options = never_check,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
