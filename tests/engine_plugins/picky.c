/* Test plugin: a detector with a rule over its options as a set (low must
 * be below high, check_options) and a create that fails when told to, so
 * that a reload either of them refuses can be tried. Fires nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <spiketrace/plugin.h>

enum { OPT_LOW, OPT_HIGH, OPT_FAIL_CREATE };

static const struct st_option options[] = {
	[OPT_LOW] = ST_OPTION_INT("low", 1, 0, 100, "below high"),
	[OPT_HIGH] = ST_OPTION_INT("high", 2, 0, 100, "above low"),
	[OPT_FAIL_CREATE] = ST_OPTION_BOOL("fail_create", 0, "create fails"),
	ST_OPTION_END,
};

static int check_options(const union st_value *opts, char *err, size_t errlen)
{
	if (opts[OPT_LOW].i < opts[OPT_HIGH].i)
		return 0;
	snprintf(err, errlen, "low (%ld) must be below high (%ld)",
		 opts[OPT_LOW].i, opts[OPT_HIGH].i);
	return -1;
}

static int create(const struct st_host *host, const union st_value *opts, void **state)
{
	if (opts[OPT_FAIL_CREATE].b) {
		host->log(host, ST_LOG_ERR, "told to fail");
		return -1;
	}
	long *v = malloc(sizeof(*v));
	if (!v)
		return -1;
	*v = opts[OPT_HIGH].i;
	*state = v;
	return 0;
}

static void destroy(void *state)
{
	free(state);
}

static int evaluate(void *state, const struct st_history *h,
		    struct st_trigger *out, size_t max)
{
	(void)state; (void)h; (void)out; (void)max;
	return 0;
}

static const struct st_plugin plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR, .name = "picky", .version = "0",
	.description = "test detector with a rule over its options",
	.options = options, .create = create, .destroy = destroy,
	.evaluate = evaluate, .check_options = check_options,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
