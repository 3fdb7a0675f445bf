/* Test plugin: a well-formed detector that fires when any process is above
 * limit_pct, with one option of each type. */
#include <stdio.h>
#include <stdlib.h>
#include <spiketrace/plugin.h>

static const struct st_option options[] = {
	ST_OPTION_FLOAT("limit_pct", 50, 0, 1000, "fire above this"),
	ST_OPTION_INT("count", 3, 1, 10, "an int"),
	ST_OPTION_BOOL("loud", 0, "a bool"),
	ST_OPTION_STRING("label", "x", "a string"),
	ST_OPTION_END,
};

static int create(const struct st_host *host, const union st_value *opts, void **state)
{
	double *limit = malloc(sizeof(*limit));
	if (!limit)
		return -1;
	*limit = opts[0].f;
	host->log(host, ST_LOG_DEBUG, "created with limit %g", *limit);
	*state = limit;
	return 0;
}

static void destroy(void *state)
{
	free(state);
}

static int evaluate(void *state, const struct st_history *h,
		    struct st_trigger *out, size_t max)
{
	const double *limit = state;
	const struct st_sample *s = h->samples[h->count - 1];
	size_t n = 0;
	for (uint32_t i = 0; i < s->nprocs && n < max; i++) {
		if (st_sample_proc(s, i)->cpu_pct > *limit) {
			snprintf(out[n].type, sizeof(out[n].type), "good_detector");
			out[n].pid = st_history_info(h, st_sample_proc(s, i)->info)->pid;
			out[n].value = st_sample_proc(s, i)->cpu_pct;
			n++;
		}
	}
	return (int)n;
}

static const struct st_plugin plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR, .name = "good_detector", .version = "0",
	.description = "test detector", .options = options,
	.create = create, .destroy = destroy, .evaluate = evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
