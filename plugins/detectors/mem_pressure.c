/*
 * mem_pressure: RAM in use, 100 * (MemTotal - MemAvailable) / MemTotal,
 * reaches threshold_pct.
 *
 * It fires ONCE when the condition starts, not again every cooldown while
 * it lasts: a machine that sits at 95% for an hour is one incident, not
 * seven hundred. Once means once taken: a trigger the core refuses (the
 * rate limit used up by another detector) leaves it armed. Hysteresis: after firing the detector is disarmed, and it
 * re-arms only once use has fallen below threshold_pct - hysteresis_pct
 * (90 - 5 = 85 by default). Without that margin, use wobbling around the
 * threshold (90.1, 89.9, 90.2, ...) would fire on every crossing. A daemon
 * started while use is already above the threshold fires at its first
 * evaluation: for it, the condition starts then.
 *
 * Only MemAvailable counts. On kernels without it (< 3.14) the fallback,
 * MemFree, treats the page cache as used and would report a healthy
 * machine at 95%: such samples are skipped and change nothing.
 *
 * The process blamed is the one whose own memory grew most over the last
 * blame_window_s seconds (rss_blame, window.h); when none did enough, the
 * summary says where the memory went over that span instead (meminfo's
 * breakdown, core/dump/mem_where.h). value is the percentage in use, baseline
 * the percentage at the previous sample.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spiketrace/plugin.h>

#include "rss_blame.h"
#include "text/size_text.h"
#include "window.h"

struct mem_pressure {
	const struct st_host *host;
	struct rss_blamer blamer;     /* preallocated: firing allocates nothing */
	double threshold;
	double rearm_below;         /* threshold - hysteresis */
	struct window blame_window;
	int armed;
};

enum { OPT_THRESHOLD, OPT_HYSTERESIS, OPT_BLAME_WINDOW_S, OPT_BLAME_WINDOW };

static const struct st_option options[] = {
	[OPT_THRESHOLD] = ST_OPTION_FLOAT("threshold_pct", 90, 1, 100,
		"fire when this percentage of RAM is in use (total - available)"),
	[OPT_HYSTERESIS] = ST_OPTION_FLOAT("hysteresis_pct", 5, 0, 99,
		"after firing, re-arm only once use falls below threshold_pct minus this"),
	[OPT_BLAME_WINDOW_S] = ST_OPTION_FLOAT("blame_window_s", 10, 0.01, 3600,
		"seconds back over which the process whose own memory grew most is blamed"),
	[OPT_BLAME_WINDOW] = ST_OPTION_INT("blame_window", 0, 0, 60,
		"deprecated: samples back (0: use blame_window_s)"),
	ST_OPTION_END,
};

/* Use never falls below 0%: with hysteresis_pct >= threshold_pct the
 * detector would never re-arm. The core runs this before create, so
 * --check-config refuses what create would. */
static int mem_pressure_check_options(const union st_value *opts, char *err, size_t errlen)
{
	double threshold = opts[OPT_THRESHOLD].f;
	double hysteresis = opts[OPT_HYSTERESIS].f;
	if (hysteresis < threshold)
		return 0;
	snprintf(err, errlen, "hysteresis_pct (%g) must be below threshold_pct (%g)",
		 hysteresis, threshold);
	return -1;
}

static int mem_pressure_create(const struct st_host *host, const union st_value *opts,
			       void **state)
{
	double threshold = opts[OPT_THRESHOLD].f;
	double hysteresis = opts[OPT_HYSTERESIS].f;
	char err[128];
	if (mem_pressure_check_options(opts, err, sizeof(err)) < 0) {
		host->log(host, ST_LOG_ERR, "%s", err);
		return -1;
	}
	struct mem_pressure *mp = calloc(1, sizeof(*mp));
	if (!mp) {
		host->log(host, ST_LOG_ERR, "out of memory");
		return -1;
	}
	mp->host = host;
	/* A failure here is retried on the samples that do not fire. */
	rss_blamer_init(&mp->blamer, host);
	mp->threshold = threshold;
	mp->rearm_below = threshold - hysteresis;
	window_from_options(&mp->blame_window, host, "blame_window",
			    opts[OPT_BLAME_WINDOW].i, "blame_window_s",
			    opts[OPT_BLAME_WINDOW_S].f);
	mp->armed = 1;
	*state = mp;
	return 0;
}

static void mem_pressure_destroy(void *state)
{
	struct mem_pressure *mp = state;
	if (!mp)
		return;
	rss_blamer_fini(&mp->blamer);
	free(mp);
}

/* Percentage of RAM in use, or NAN when the sample cannot tell. */
static double used_pct(const struct st_sample *s)
{
	uint32_t need = ST_HAVE_MEM | ST_HAVE_MEMAVAIL;
	if ((s->have & need) != need || s->mem_total_kib == 0)
		return NAN;
	/* MemAvailable can exceed MemTotal on odd kernels: that is 0% used. */
	if (s->mem_available_kib >= s->mem_total_kib)
		return 0;
	return 100.0 * (double)(s->mem_total_kib - s->mem_available_kib) /
	       (double)s->mem_total_kib;
}

/* How much RAM use rose over the blame window, `back` samples: the event
 * the blamed process must account for (0 when use did not rise, as at
 * start-up). */
static uint64_t rise_kib(const struct st_history *h, uint32_t back)
{
	const struct st_sample *now = h->samples[h->count - 1];
	const struct st_sample *old = h->samples[h->count - 1 - back];
	if (!(old->have & ST_HAVE_MEMAVAIL) || old->mem_available_kib <= now->mem_available_kib)
		return 0;
	return old->mem_available_kib - now->mem_available_kib;
}

static void describe(struct st_trigger *t, const struct st_sample *now,
		     double value, double baseline, const struct rss_blame *b)
{
	char used[32], total[32];
	st_format_kib(used, sizeof(used), (double)(now->mem_total_kib - now->mem_available_kib),
		      ST_SIZE_TENTHS);
	st_format_kib(total, sizeof(total), (double)now->mem_total_kib, ST_SIZE_TENTHS);
	int n = snprintf(t->summary, sizeof(t->summary),
		 "memory %.1f%% used (%s of %s), was %.1f%%",
		 value, used, total, baseline);
	rss_blame_append(t->summary, sizeof(t->summary), n, b);
}

static int detect(void *state, const struct st_history *h,
		  struct st_trigger *out, size_t max)
{
	struct mem_pressure *mp = state;
	if (h->count == 0)
		return 0;
	const struct st_sample *now = h->samples[h->count - 1];
	double value = used_pct(now);
	if (isnan(value))
		return 0;
	if (!mp->armed) {
		if (value < mp->rearm_below)
			mp->armed = 1;
		return 0;
	}
	if (value < mp->threshold || max == 0)
		return 0;

	double baseline = h->count >= 2 ? used_pct(h->samples[h->count - 2]) : NAN;
	if (isnan(baseline))
		baseline = value;   /* nothing to compare with: no change seen */
	struct rss_blame b;
	uint32_t back = window_back(&mp->blame_window, h);
	rss_blame_growth(&mp->blamer, h, back, rise_kib(h, back), &b);
	/* The core may still refuse the trigger: mem_pressure_trigger_result
	 * re-arms then. */
	mp->armed = 0;
	struct st_trigger *t = &out[0];
	snprintf(t->type, sizeof(t->type), "mem_pressure");
	rss_blame_to_trigger(&b, t);
	t->value = value;
	t->baseline = baseline;
	t->threshold = mp->threshold;
	snprintf(t->units, sizeof(t->units), "pct");
	describe(t, now, value, baseline, &b);
	return 1;
}

static int mem_pressure_evaluate(void *state, const struct st_history *h,
				 struct st_trigger *out, size_t max)
{
	struct mem_pressure *mp = state;
	return rss_blamer_fired(&mp->blamer, h, detect(state, h, out, max));
}

/* Refused by the cooldown or the rate limit: the episode has had no
 * dump yet, so the next sample still above the threshold fires again. */
static void mem_pressure_trigger_result(void *state, const struct st_trigger *t, int taken)
{
	struct mem_pressure *mp = state;
	(void)t;
	if (!taken)
		mp->armed = 1;
}

static const struct st_plugin mem_pressure_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR,
	.name = "mem_pressure",
	.version = "1.0",
	.description = "RAM in use reaches threshold_pct; once per episode (hysteresis_pct to re-arm)",
	.options = options,
	.create = mem_pressure_create,
	.destroy = mem_pressure_destroy,
	.evaluate = mem_pressure_evaluate,
	.trigger_result = mem_pressure_trigger_result,
	.check_options = mem_pressure_check_options,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &mem_pressure_plugin;
}
