/*
 * cpu_delta: a process whose CPU jumps threshold_pct percentage points of
 * one core above its own baseline.
 *
 * A process's figure is its own CPU plus the CPU of the children it reaped
 * during the interval (cutime + cstime): a make whose compilers each live
 * for a fraction of a second is still seen burning a core.
 *
 * The baseline is an exponential moving average, updated after each
 * comparison: baseline += w * (value - baseline), where the weight of the
 * newest sample follows from its interval, w = 1 - 2^(-interval/half_life),
 * so the baseline forgets at the same pace at every sampling interval. It
 * starts at the process's first figure, so a process is never compared
 * before it has a baseline (a process that is busy from its birth is
 * new_proc's business). A carried record (not re-read this tick) measured
 * nothing: it is neither compared nor folded into the baseline.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <spiketrace/plugin.h>

struct baseline {
	int32_t  pid;           /* with start_ticks: whose baseline this is */
	uint64_t start_ticks;
	float    value;
};

struct cpu_delta {
	const struct st_host *host;
	double threshold;
	double half_life_s;
	double alpha;           /* deprecated fixed weight per sample; 0: unused */
	struct baseline *base;  /* indexed by st_proc_sample.info */
	uint32_t nbase;
};

enum { OPT_THRESHOLD, OPT_HALF_LIFE, OPT_ALPHA };

static const struct st_option options[] = {
	[OPT_THRESHOLD] = ST_OPTION_FLOAT("threshold_pct", 10, 0.1, 6400,
		"fire when CPU (percent of one core) exceeds the baseline by this much"),
	[OPT_HALF_LIFE] = ST_OPTION_FLOAT("half_life_s", 1, 0.01, 3600,
		"seconds after which the baseline has moved half way to a new level"),
	[OPT_ALPHA] = ST_OPTION_FLOAT("alpha", 0, 0, 1,
		"deprecated: a fixed weight per sample, whatever the interval; use half_life_s"),
	ST_OPTION_END,
};

/*
 * 2^-x for x >= 0, without libm: linking it for one call maps 230 KiB
 * into a daemon that has nothing else to share it with. Halvings for the
 * whole part, a series for the fraction (|error| < 1e-12 there).
 */
static double pow2_neg(double x)
{
	if (!(x < 64))
		return 0;           /* also NaN: forget at once */
	double r = 1;
	for (; x >= 1; x -= 1)
		r *= 0.5;
	double t = -x * 0.6931471805599453, term = 1, sum = 1;
	for (int k = 1; k < 16; k++) {
		term *= t / k;
		sum += term;
	}
	return r * sum;
}

static int cpu_delta_create(const struct st_host *host, const union st_value *opts,
			    void **state)
{
	struct cpu_delta *cd = calloc(1, sizeof(*cd));
	if (!cd) {
		host->log(host, ST_LOG_ERR, "out of memory");
		return -1;
	}
	cd->host = host;
	cd->threshold = opts[OPT_THRESHOLD].f;
	cd->half_life_s = opts[OPT_HALF_LIFE].f;
	cd->alpha = opts[OPT_ALPHA].f;
	if (cd->alpha > 0)
		host->log(host, ST_LOG_WARNING, "alpha is deprecated: it means another "
			  "half-life at every interval; set half_life_s instead");
	*state = cd;
	return 0;
}

static void cpu_delta_destroy(void *state)
{
	struct cpu_delta *cd = state;
	if (cd)
		free(cd->base);
	free(cd);
}

/* One baseline per process-table slot; grows with the table, so steady
 * state allocates nothing. */
static int reserve(struct cpu_delta *cd, uint32_t n)
{
	if (n <= cd->nbase)
		return 0;
	/* The process table grows a slot at a time: grow ahead of it. */
	n += n / 2;
	struct baseline *b = realloc(cd->base, sizeof(*b) * n);
	if (!b)
		return -1;
	memset(&b[cd->nbase], 0, sizeof(*b) * (n - cd->nbase));
	cd->base = b;
	cd->nbase = n;
	return 0;
}

static void describe(struct st_trigger *t, const struct st_proc_sample *p,
		     double value, double baseline)
{
	if (p->children_cpu_pct > 0)
		snprintf(t->summary, sizeof(t->summary),
			 "cpu %.1f%% of one core (%.1f%% own + %.1f%% reaped children), baseline %.1f%%",
			 value, (double)p->cpu_pct, (double)p->children_cpu_pct, baseline);
	else
		snprintf(t->summary, sizeof(t->summary),
			 "cpu %.1f%% of one core, baseline %.1f%% (+%.1f points)",
			 value, baseline, value - baseline);
}

static int cpu_delta_evaluate(void *state, const struct st_history *h,
			      struct st_trigger *out, size_t max)
{
	struct cpu_delta *cd = state;
	if (h->count == 0)
		return 0;
	if (reserve(cd, h->ninfos) < 0)
		return -1;
	const struct st_sample *now = h->samples[h->count - 1];
	double weight = cd->alpha > 0 ? cd->alpha :
			1 - pow2_neg((now->interval_s > 0 ? now->interval_s : 1) / cd->half_life_s);
	size_t n = 0;
	for (uint32_t i = 0; i < now->nprocs; i++) {
		const struct st_proc_sample *p = st_sample_proc(now, i);
		const struct st_proc_info *info = st_history_info(h, p->info);
		struct baseline *b = &cd->base[p->info];
		double value = (double)p->cpu_pct + (double)p->children_cpu_pct;

		if ((p->flags & ST_PROC_CARRIED) && b->pid == info->pid &&
		    b->start_ticks == info->start_ticks)
			continue;

		if ((p->flags & ST_PROC_NEW) || b->pid != info->pid ||
		    b->start_ticks != info->start_ticks) {
			/* First sight, or a new process in a reused slot: it
			 * inherits nothing. */
			b->pid = info->pid;
			b->start_ticks = info->start_ticks;
			b->value = (float)value;
			continue;
		}
		double baseline = b->value;
		if (value - baseline >= cd->threshold && n < max) {
			struct st_trigger *t = &out[n++];
			snprintf(t->type, sizeof(t->type), "cpu_delta");
			t->pid = info->pid;
			t->start_ticks = info->start_ticks;
			snprintf(t->comm, sizeof(t->comm), "%s", info->comm);
			t->value = value;
			t->baseline = baseline;
			t->threshold = cd->threshold;
			snprintf(t->units, sizeof(t->units), "pct");
			describe(t, p, value, baseline);
		}
		b->value = (float)(baseline + weight * (value - baseline));
	}
	return (int)n;
}

static const struct st_plugin cpu_delta_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR,
	.name = "cpu_delta",
	.version = "1.0",
	.description = "a process's CPU jumps threshold_pct points of one core above its baseline",
	.options = options,
	.create = cpu_delta_create,
	.destroy = cpu_delta_destroy,
	.evaluate = cpu_delta_evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &cpu_delta_plugin;
}
