/* Test plugin: speaks an ABI version this spiketrace does not. */
#include <spiketrace/plugin.h>

static const struct st_plugin plugin = {
	.abi_version = ST_ABI_VERSION + 998, .size = sizeof(struct st_plugin),
	.kind = ST_PLUGIN_DETECTOR, .name = "bad_abi",
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
