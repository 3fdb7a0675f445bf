/* Test plugin: a sink that starts fine but fails every dump. It says
 * nothing itself, so what the log shows is the core's own report; the
 * other sinks must still get every dump. */
#include <spiketrace/plugin.h>

static int emit(void *state, const struct st_dump *dump,
		const char *json, size_t json_len)
{
	(void)state; (void)dump; (void)json; (void)json_len;
	return -1;
}

static const struct st_plugin plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_SINK, .name = "emit_fails", .version = "0",
	.description = "test sink whose emit always fails",
	.emit = emit,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
