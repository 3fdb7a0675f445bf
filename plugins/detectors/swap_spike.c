/*
 * swap_spike: swap in use (SwapTotal - SwapFree) rises threshold_mib above
 * its LOWEST figure among the samples of the last `window_s` seconds
 * (window.h: the same at every interval).
 *
 * The mirror of mem_drop: comparing with the recent trough catches a rise
 * spread over a few samples as well as a sudden one; a slow creep over
 * more than `window_s` stays silent. Swap that is being freed never
 * fires. While swap keeps rising the rule holds sample after sample and
 * the core's cooldown keeps that to one trigger per cooldown, as for
 * mem_drop: a rise that lasts is not a new event every second, but one
 * that comes back after the cooldown is worth a new dump.
 *
 * A machine without swap (no Swap lines, or SwapTotal 0) is normal, not an
 * error: the detector stays silent and says nothing, not even once.
 *
 * The process blamed is the one whose RSS grew most between the trough
 * and now (rss_blame): swapping is usually someone else's growth pushing
 * pages out.
 *
 * The rule is mem_move.h's, which mem_drop shares the other way up.
 */
#include <stdio.h>

#include <spiketrace/plugin.h>

#include "mem_move.h"
#include "text/size_text.h"

static const struct st_option options[] = MEM_MOVE_OPTIONS(256,
	"fire when swap in use rises this many MiB above its recent low",
	"seconds back in which the low is looked for");

/* SwapTotal - SwapFree, on a machine with swap; SwapFree above SwapTotal
 * (a swapoff racing the read) is none in use. */
static int swap_used_kib(const struct st_sample *s, const struct st_sample *now,
			 uint64_t *kib)
{
	(void)now;
	if (!(s->have & ST_HAVE_SWAP) || s->swap_total_kib == 0)
		return 0;
	*kib = s->swap_free_kib < s->swap_total_kib ? s->swap_total_kib - s->swap_free_kib : 0;
	return 1;
}

static void describe(struct st_trigger *t, const struct mem_move *m,
		     const struct rss_blame *b)
{
	char rise[32], from[32], to[32], total[32];
	double secs = (double)(m->now->mono_ns - m->from->mono_ns) / 1e9;

	st_format_kib(rise, sizeof(rise), (double)m->moved_kib, ST_SIZE_TENTHS);
	st_format_kib(from, sizeof(from), (double)m->from_kib, ST_SIZE_TENTHS);
	st_format_kib(to, sizeof(to), (double)m->now_kib, ST_SIZE_TENTHS);
	st_format_kib(total, sizeof(total), (double)m->now->swap_total_kib, ST_SIZE_TENTHS);
	int n = snprintf(t->summary, sizeof(t->summary),
		 "swap in use rose %s in %.3g s (%s -> %s of %s)",
		 rise, secs, from, to, total);
	rss_blame_append(t->summary, sizeof(t->summary), n, b);
}

static const struct mem_move_rule rule = {
	.type = "swap_spike",
	.rises = 1,
	.figure = swap_used_kib,
	.describe = describe,
};

static int swap_spike_create(const struct st_host *host, const union st_value *opts,
			     void **state)
{
	return mem_move_create(&rule, host, opts, state);
}

static const struct st_plugin swap_spike_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR,
	.name = "swap_spike",
	.version = "1.0",
	.description = "swap in use rises threshold_mib above its low of the last window_s seconds",
	.options = options,
	.create = swap_spike_create,
	.destroy = mem_move_destroy,
	.evaluate = mem_move_evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &swap_spike_plugin;
}
