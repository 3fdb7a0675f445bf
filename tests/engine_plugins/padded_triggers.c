/* Test plugin: a detector built for ABI 2.1, whose st_trigger had 4 bytes
 * of padding after flags where 2.2 put exited_count. Same stride as the
 * core's, so nothing tells the two layouts apart but the minor: it fills
 * its triggers from a struct full of 0xa5 bytes, padding included, as a
 * struct copy may leave them. One trigger a sample, pid 9: the core must
 * take it as a process's, not as an exited group of 0xa5a5a5a5. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spiketrace/plugin.h>

static const struct st_option options[] = {
	ST_OPTION_BOOL("fire", 0, "fire on every sample"),
	ST_OPTION_END,
};

static int fire;

static int create(const struct st_host *host, const union st_value *opts, void **state)
{
	(void)host;
	fire = opts[0].b;
	*state = NULL;
	return 0;
}

static void destroy(void *state)
{
	(void)state;
}

static int evaluate(void *state, const struct st_history *h,
		    struct st_trigger *out, size_t max)
{
	(void)state;
	(void)h;
	if (!fire || max < 1)
		return 0;
	struct st_trigger t;
	memset(&t, 0xa5, sizeof(t));
	memset(t.type, 0, sizeof(t.type));
	snprintf(t.type, sizeof(t.type), "padded_triggers");
	t.pid = 9;
	t.start_ticks = 0;
	memset(t.comm, 0, sizeof(t.comm));
	t.value = 12;
	t.baseline = 0;
	t.threshold = 5;
	memset(t.units, 0, sizeof(t.units));
	memset(t.summary, 0, sizeof(t.summary));
	t.flags = 0;
	memcpy(out, &t, sizeof(t));
	return 1;
}

static const struct st_plugin plugin = {
	.abi_major = ST_ABI_MAJOR, .abi_minor = 1,
	.size = sizeof(struct st_plugin),
	.trigger_size = sizeof(struct st_trigger), .option_size = sizeof(struct st_option),
	.kind = ST_PLUGIN_DETECTOR, .name = "padded_triggers", .version = "0",
	.description = "test detector of ABI 2.1 with garbage in its trigger padding",
	.options = options,
	.create = create, .destroy = destroy, .evaluate = evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
