/* A detector of ABI 2.0, built against tests/abi/2.0 only. It fires on
 * the busiest process above limit_pct in the newest sample, reading every
 * record and identity through the 2.0 accessors, and says in its summary
 * what it saw: how many records, the strides the core gave. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spiketrace/plugin.h>

_Static_assert(ST_ABI_MAJOR == 2 && ST_ABI_MINOR == 0, "built against the 2.0 headers");

static const struct st_option options[] = {
	ST_OPTION_FLOAT("limit_pct", 50, 0, 10000, "fire above this, % of one core"),
	ST_OPTION_INT("min_procs", 1, 0, 1000000, "records the sample must have"),
	ST_OPTION_END,
};

struct abi20 {
	const struct st_host *host;
	double limit_pct;
	int64_t min_procs;
};

static int create(const struct st_host *host, const union st_value *opts, void **state)
{
	struct abi20 *a = calloc(1, sizeof(*a));
	if (!a)
		return -1;
	a->host = host;
	a->limit_pct = opts[0].f;
	a->min_procs = opts[1].i;
	host->log(host, ST_LOG_INFO, "built for ABI %s, core ABI %u.%u, host table %u bytes "
		  "(built for %zu)", ST_ABI_VERSION_STRING, host->abi_major, host->abi_minor,
		  host->size, sizeof(struct st_host));
	*state = a;
	return 0;
}

static void destroy(void *state)
{
	free(state);
}

static int evaluate(void *state, const struct st_history *h,
		    struct st_trigger *out, size_t max)
{
	const struct abi20 *a = state;
	if (h->count == 0 || max == 0)
		return 0;
	const struct st_sample *now = h->samples[h->count - 1];
	if ((int64_t)now->nprocs < a->min_procs)
		return 0;
	const struct st_proc_sample *best = NULL;
	for (uint32_t i = 0; i < now->nprocs; i++) {
		const struct st_proc_sample *p = st_sample_proc(now, i);
		if (p->info >= h->ninfos)
			return -1;      /* a stride read wrong lands here */
		if (p->cpu_pct > a->limit_pct && (!best || p->cpu_pct > best->cpu_pct))
			best = p;
	}
	if (!best)
		return 0;
	const struct st_proc_info *info = st_history_info(h, best->info);
	snprintf(out->type, sizeof(out->type), "abi20_detector");
	out->pid = info->pid;
	out->start_ticks = info->start_ticks;
	snprintf(out->comm, sizeof(out->comm), "%s", info->comm);
	out->value = best->cpu_pct;
	out->threshold = a->limit_pct;
	snprintf(out->units, sizeof(out->units), "pct");
	snprintf(out->summary, sizeof(out->summary),
		 "%u records; sample %u bytes, record %u, identity %u (built for %zu, %zu, %zu)",
		 now->nprocs, now->size, now->proc_size, h->info_size,
		 sizeof(struct st_sample), sizeof(struct st_proc_sample),
		 sizeof(struct st_proc_info));
	return 1;
}

static const struct st_plugin plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR, .name = "abi20_detector", .version = "2.0",
	.description = "test detector built against the frozen ABI 2.0 headers",
	.options = options,
	.create = create, .destroy = destroy, .evaluate = evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
