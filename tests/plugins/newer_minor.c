/* Test plugin: claims a minor of the ABI newer than the core's, as a
 * plugin built against a later release's headers does. */
#include <spiketrace/plugin.h>

static int evaluate(void *state, const struct st_history *h,
		    struct st_trigger *out, size_t max)
{
	(void)state; (void)h; (void)out; (void)max;
	return 0;
}

static const struct st_plugin plugin = {
	.abi_major = ST_ABI_MAJOR, .abi_minor = ST_ABI_MINOR + 1,
	.size = sizeof(struct st_plugin), .trigger_size = sizeof(struct st_trigger),
	.kind = ST_PLUGIN_DETECTOR, .name = "newer_minor", .version = "0",
	.evaluate = evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
