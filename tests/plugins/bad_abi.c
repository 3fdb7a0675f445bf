/* Test plugin: built for ABI 1, whose descriptor began with the same two
 * members (abi_version, size) and then went its own way. */
#include <stdint.h>
#include <spiketrace/plugin.h>

struct abi1_descriptor {
	uint32_t abi_version;
	uint32_t size;
	int kind;
	const char *name;
	const char *version;
	const char *description;
	const void *options;
	void *create, *destroy, *evaluate, *emit;
};

static const struct abi1_descriptor plugin = {
	.abi_version = 1, .size = sizeof(struct abi1_descriptor),
	.kind = ST_PLUGIN_DETECTOR, .name = "bad_abi",
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return (const struct st_plugin *)(const void *)&plugin;
}
