/* Test plugin: a detector that loads and starts fine but whose evaluate
 * reports an internal error on every sample, as a detector with a bug
 * would. The core must log it, not once per tick, and keep sampling. */
#include <spiketrace/plugin.h>

static int evaluate(void *state, const struct st_history *h,
		    struct st_trigger *out, size_t max)
{
	(void)state; (void)h; (void)out; (void)max;
	return -1;
}

static const struct st_plugin plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR, .name = "evaluate_fails", .version = "0",
	.description = "test detector whose evaluate always fails",
	.evaluate = evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
