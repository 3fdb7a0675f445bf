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
 *
 * The rule is mem_move.h's, which swap_spike shares the other way up.
 */
#include <stdio.h>

#include <spiketrace/plugin.h>

#include "mem_move.h"
#include "text/size_text.h"

static const struct st_option options[] = MEM_MOVE_OPTIONS(512,
	"fire when available memory falls this many MiB below its recent peak",
	"seconds back in which the peak is looked for");

/* MemAvailable, or MemFree when the kernel has no MemAvailable; a sample
 * of the other kind than now's is not comparable. */
static int available_kib(const struct st_sample *s, const struct st_sample *now,
			 uint64_t *kib)
{
	uint32_t kind = s->have & ST_HAVE_MEMAVAIL;
	if (!(s->have & ST_HAVE_MEM) || kind != (now->have & ST_HAVE_MEMAVAIL))
		return 0;
	*kib = kind ? s->mem_available_kib : s->mem_free_kib;
	return 1;
}

static void describe(struct st_trigger *t, const struct mem_move *m,
		     const struct rss_blame *b)
{
	char drop[32];
	double secs = (double)(m->now->mono_ns - m->from->mono_ns) / 1e9;
	/* Both ends in the unit of the larger one: "22.7 -> 21.7 GiB". */
	double div = m->from_kib >= (1u << 20) ? 1 << 20 : 1024;
	const char *unit = m->from_kib >= (1u << 20) ? "GiB" : "MiB";

	st_format_kib(drop, sizeof(drop), (double)m->moved_kib, ST_SIZE_TENTHS);
	int n = snprintf(t->summary, sizeof(t->summary),
		 "available memory fell %s in %.3g s (%.1f -> %.1f %s)",
		 drop, secs, (double)m->from_kib / div, (double)m->now_kib / div, unit);
	rss_blame_append(t->summary, sizeof(t->summary), n, b);
}

static const struct mem_move_rule rule = {
	.type = "mem_drop",
	.rises = 0,
	.figure = available_kib,
	.describe = describe,
};

static int mem_drop_create(const struct st_host *host, const union st_value *opts,
			   void **state)
{
	return mem_move_create(&rule, host, opts, state);
}

static const struct st_plugin mem_drop_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR,
	.name = "mem_drop",
	.version = "1.0",
	.description = "available memory falls threshold_mib below its peak of the last window_s seconds",
	.options = options,
	.create = mem_drop_create,
	.destroy = mem_move_destroy,
	.evaluate = mem_move_evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &mem_drop_plugin;
}
