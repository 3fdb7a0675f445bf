/*
 * mem_drop: available memory falls threshold_mib within a few samples.
 *
 * Rule: the newest sample's available memory is compared with the HIGHEST
 * available figure among the samples of the last `window_s` seconds
 * (window.h: by their timestamps, so it means the same at every
 * interval); the detector fires
 * when (max_recent - now) >= threshold. Comparing with the peak rather than
 * with the previous sample alone catches a fall spread over two or three
 * samples as well as a sudden one, while a slow drift spread over more than
 * `window_s` stays silent (that is mem_pressure's business once it
 * matters). Available memory that rises never fires.
 *
 * While memory keeps falling the rule holds sample after sample; the
 * core's cooldown (per trigger type and blamed process) keeps that to one
 * trigger per cooldown.
 *
 * "Available" is MemAvailable, or MemFree on kernels without it (the
 * sampler substitutes it); samples of the two kinds are never compared
 * with each other. A sample without meminfo figures is skipped.
 *
 * The process blamed is the one whose RSS grew most between the peak and
 * now, the span the fall was measured over (rss_blame). When none
 * accounts for the fall, the summary says where the memory went over that
 * span, from meminfo's breakdown ("page cache +1.2 GiB, kernel slab
 * +600.0 MiB": core/dump/mem_where.h, the words of the dump's why-line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spiketrace/plugin.h>

#include "rss_blame.h"
#include "window.h"

struct mem_drop {
	const struct st_host *host;
	struct rss_blamer blamer;     /* preallocated: firing allocates nothing */
	uint64_t threshold_kib;
	struct window window;
};

enum { OPT_THRESHOLD, OPT_WINDOW_S, OPT_WINDOW };

static const struct st_option options[] = {
	[OPT_THRESHOLD] = ST_OPTION_INT("threshold_mib", 512, 1, 16 << 20,
		"fire when available memory falls this many MiB below its recent peak"),
	[OPT_WINDOW_S] = ST_OPTION_FLOAT("window_s", 3, 0.01, 3600,
		"seconds back in which the peak is looked for"),
	[OPT_WINDOW] = ST_OPTION_INT("window", 0, 0, 30,
		"deprecated: samples back (0: use window_s)"),
	ST_OPTION_END,
};

static int mem_drop_create(const struct st_host *host, const union st_value *opts,
			   void **state)
{
	struct mem_drop *md = calloc(1, sizeof(*md));
	if (!md) {
		host->log(host, ST_LOG_ERR, "out of memory");
		return -1;
	}
	md->host = host;
	/* A failure here is retried on the samples that do not fire. */
	rss_blamer_init(&md->blamer, host);
	md->threshold_kib = (uint64_t)opts[OPT_THRESHOLD].i * 1024;
	window_from_options(&md->window, host, "window", opts[OPT_WINDOW].i,
			    "window_s", opts[OPT_WINDOW_S].f);
	*state = md;
	return 0;
}

static void mem_drop_destroy(void *state)
{
	struct mem_drop *md = state;
	if (!md)
		return;
	rss_blamer_fini(&md->blamer);
	free(md);
}

static void describe(struct st_trigger *t, const struct st_sample *peak,
		     const struct st_sample *now, uint64_t max_recent, uint64_t avail,
		     const struct rss_blame *b)
{
	char drop[32];
	double secs = (double)(now->mono_ns - peak->mono_ns) / 1e9;
	/* Both ends in the unit of the larger one: "22.7 -> 21.7 GiB". */
	double div = max_recent >= (1u << 20) ? 1 << 20 : 1024;
	const char *unit = max_recent >= (1u << 20) ? "GiB" : "MiB";

	rss_blame_format_kib(drop, sizeof(drop), max_recent - avail);
	int n = snprintf(t->summary, sizeof(t->summary),
		 "available memory fell %s in %.3g s (%.1f -> %.1f %s)",
		 drop, secs, (double)max_recent / div, (double)avail / div, unit);
	rss_blame_append(t->summary, sizeof(t->summary), n, b);
}

/* MemAvailable, or MemFree when the kernel has no MemAvailable. */
static uint64_t available_kib(const struct st_sample *s)
{
	return (s->have & ST_HAVE_MEMAVAIL) ? s->mem_available_kib : s->mem_free_kib;
}

static int detect(void *state, const struct st_history *h,
		  struct st_trigger *out, size_t max)
{
	struct mem_drop *md = state;
	if (h->count < 2 || max == 0)
		return 0;
	const struct st_sample *now = h->samples[h->count - 1];
	if (!(now->have & ST_HAVE_MEM))
		return 0;
	uint32_t kind = now->have & ST_HAVE_MEMAVAIL;
	uint64_t avail = available_kib(now);

	/* The nearest of equal peaks: the fall happened after it. */
	const struct st_sample *peak = NULL;
	uint32_t peak_back = 0;
	uint64_t max_recent = 0;
	uint32_t reach = window_back(&md->window, h);
	for (uint32_t back = 1; back <= reach; back++) {
		const struct st_sample *s = h->samples[h->count - 1 - back];
		if (!(s->have & ST_HAVE_MEM) || (s->have & ST_HAVE_MEMAVAIL) != kind)
			continue;
		if (!peak || available_kib(s) > max_recent) {
			peak = s;
			peak_back = back;
			max_recent = available_kib(s);
		}
	}
	/* Unsigned: test before subtracting, so a rise is never a drop. */
	if (!peak || max_recent <= avail || max_recent - avail < md->threshold_kib)
		return 0;

	struct rss_blame b;
	rss_blame_growth(&md->blamer, h, peak_back, max_recent - avail, &b);
	struct st_trigger *t = &out[0];
	snprintf(t->type, sizeof(t->type), "mem_drop");
	rss_blame_to_trigger(&b, t);
	t->value = (double)(max_recent - avail);
	t->baseline = (double)max_recent;
	t->threshold = (double)md->threshold_kib;
	snprintf(t->units, sizeof(t->units), "kib");
	describe(t, peak, now, max_recent, avail, &b);
	return 1;
}

static int mem_drop_evaluate(void *state, const struct st_history *h,
			     struct st_trigger *out, size_t max)
{
	struct mem_drop *md = state;
	return rss_blamer_fired(&md->blamer, h, detect(state, h, out, max));
}

static const struct st_plugin mem_drop_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR,
	.name = "mem_drop",
	.version = "1.0",
	.description = "available memory falls threshold_mib below its peak of the last window_s seconds",
	.options = options,
	.create = mem_drop_create,
	.destroy = mem_drop_destroy,
	.evaluate = mem_drop_evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &mem_drop_plugin;
}
