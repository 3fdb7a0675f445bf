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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spiketrace/plugin.h>

#include "rss_blame.h"
#include "window.h"

struct swap_spike {
	const struct st_host *host;
	struct rss_blamer blamer;     /* preallocated: firing allocates nothing */
	uint64_t threshold_kib;
	struct window window;
};

enum { OPT_THRESHOLD, OPT_WINDOW_S, OPT_WINDOW };

static const struct st_option options[] = {
	[OPT_THRESHOLD] = ST_OPTION_INT("threshold_mib", 256, 1, 16 << 20,
		"fire when swap in use rises this many MiB above its recent low"),
	[OPT_WINDOW_S] = ST_OPTION_FLOAT("window_s", 3, 0.01, 3600,
		"seconds back in which the low is looked for"),
	[OPT_WINDOW] = ST_OPTION_INT("window", 0, 0, 30,
		"deprecated: samples back (0: use window_s)"),
	ST_OPTION_END,
};

static int swap_spike_create(const struct st_host *host, const union st_value *opts,
			     void **state)
{
	struct swap_spike *ss = calloc(1, sizeof(*ss));
	if (!ss) {
		host->log(host, ST_LOG_ERR, "out of memory");
		return -1;
	}
	ss->host = host;
	/* A failure here is retried on the samples that do not fire. */
	rss_blamer_init(&ss->blamer, host);
	ss->threshold_kib = (uint64_t)opts[OPT_THRESHOLD].i * 1024;
	window_from_options(&ss->window, host, "window", opts[OPT_WINDOW].i,
			    "window_s", opts[OPT_WINDOW_S].f);
	*state = ss;
	return 0;
}

static void swap_spike_destroy(void *state)
{
	struct swap_spike *ss = state;
	if (!ss)
		return;
	rss_blamer_fini(&ss->blamer);
	free(ss);
}

static int has_swap(const struct st_sample *s)
{
	return (s->have & ST_HAVE_SWAP) && s->swap_total_kib > 0;
}

/* SwapFree above SwapTotal (a swapoff racing the read) is none in use. */
static uint64_t swap_used_kib(const struct st_sample *s)
{
	return s->swap_free_kib < s->swap_total_kib ? s->swap_total_kib - s->swap_free_kib : 0;
}

static void describe(struct st_trigger *t, const struct st_sample *trough,
		     const struct st_sample *now, uint64_t low, uint64_t used,
		     const struct rss_blame *b)
{
	char rise[32], from[32], to[32], total[32];
	double secs = (double)(now->mono_ns - trough->mono_ns) / 1e9;

	rss_blame_format_kib(rise, sizeof(rise), used - low);
	rss_blame_format_kib(from, sizeof(from), low);
	rss_blame_format_kib(to, sizeof(to), used);
	rss_blame_format_kib(total, sizeof(total), now->swap_total_kib);
	int n = snprintf(t->summary, sizeof(t->summary),
		 "swap in use rose %s in %.3g s (%s -> %s of %s)",
		 rise, secs, from, to, total);
	rss_blame_append(t->summary, sizeof(t->summary), n, b);
}

static int detect(void *state, const struct st_history *h,
		  struct st_trigger *out, size_t max)
{
	struct swap_spike *ss = state;
	if (h->count < 2 || max == 0)
		return 0;
	const struct st_sample *now = h->samples[h->count - 1];
	if (!has_swap(now))
		return 0;
	uint64_t used = swap_used_kib(now);

	/* The nearest of equal lows: the rise happened after it. */
	const struct st_sample *trough = NULL;
	uint32_t trough_back = 0;
	uint64_t low = 0;
	uint32_t reach = window_back(&ss->window, h);
	for (uint32_t back = 1; back <= reach; back++) {
		const struct st_sample *s = h->samples[h->count - 1 - back];
		if (!has_swap(s))
			continue;
		if (!trough || swap_used_kib(s) < low) {
			trough = s;
			trough_back = back;
			low = swap_used_kib(s);
		}
	}
	/* Unsigned: test before subtracting, so a fall is never a rise. */
	if (!trough || used <= low || used - low < ss->threshold_kib)
		return 0;

	struct rss_blame b;
	rss_blame_growth(&ss->blamer, h, trough_back, used - low, &b);
	struct st_trigger *t = &out[0];
	snprintf(t->type, sizeof(t->type), "swap_spike");
	rss_blame_to_trigger(&b, t);
	t->value = (double)(used - low);
	t->baseline = (double)low;
	t->threshold = (double)ss->threshold_kib;
	snprintf(t->units, sizeof(t->units), "kib");
	describe(t, trough, now, low, used, &b);
	return 1;
}

static int swap_spike_evaluate(void *state, const struct st_history *h,
			       struct st_trigger *out, size_t max)
{
	struct swap_spike *ss = state;
	return rss_blamer_fired(&ss->blamer, h, detect(state, h, out, max));
}

static const struct st_plugin swap_spike_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR,
	.name = "swap_spike",
	.version = "1.0",
	.description = "swap in use rises threshold_mib above its low of the last window_s seconds",
	.options = options,
	.create = swap_spike_create,
	.destroy = swap_spike_destroy,
	.evaluate = swap_spike_evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &swap_spike_plugin;
}
