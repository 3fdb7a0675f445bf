/* Test plugin: loads fine, but its create fails. */
#include <spiketrace/plugin.h>

static int create(const struct st_host *host, const union st_value *opts, void **state)
{
	(void)opts;
	(void)state;
	host->log(host, ST_LOG_ERR, "refusing to start (test)");
	return -1;
}

static int evaluate(void *state, const struct st_history *h,
		    struct st_trigger *out, size_t max)
{
	(void)state; (void)h; (void)out; (void)max;
	return 0;
}

static const struct st_plugin plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR, .name = "create_fails", .version = "0",
	.description = "test detector whose create fails",
	.create = create, .evaluate = evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
