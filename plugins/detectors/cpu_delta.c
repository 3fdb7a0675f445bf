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
 *
 * Processes that lived and died between two samples come as exited
 * groups (ABI 2.2): 240 double-forked `spkorphan` reaped by init are one
 * group, and the group is compared with a baseline of its own, as a
 * process is (a group seen for the first time is new_proc's), rather than
 * the init that reaped them. A reaper's figure leaves out the CPU of the
 * groups it reaped, so the same CPU is not blamed twice.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <spiketrace/plugin.h>

#include "trigger.h"
#include "slots.h"

struct baseline {
	int32_t  pid;           /* with start_ticks: whose baseline this is */
	uint64_t start_ticks;
	float    value;
};

/* An exited group's baseline, by (comm, parent comm): a small table, the
 * least busy entry replaced when full. */
#define GROUP_BASES 64
struct group_base {
	char  comm[ST_COMM_MAX];
	char  parent_comm[ST_COMM_MAX];
	float value;
	uint32_t seen;          /* the evaluate that last saw it */
	uint8_t used;
};

struct cpu_delta {
	const struct st_host *host;
	struct group_base groups[GROUP_BASES];
	uint32_t evaluations;
	double threshold;
	double half_life_s;
	double alpha;           /* deprecated fixed weight per sample; 0: unused */
	struct slots base;      /* struct baseline by st_proc_sample.info */
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
	slots_init(&cd->base, sizeof(struct baseline));
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
		slots_fini(&cd->base);
	free(cd);
}

static void describe(struct st_trigger *t, const struct st_proc_sample *p, double children,
		     double value, double baseline)
{
	if (children > 0)
		snprintf(t->summary, sizeof(t->summary),
			 "cpu %.1f%% of one core (%.1f%% own + %.1f%% reaped children), baseline %.1f%%",
			 value, (double)p->cpu_pct, children, baseline);
	else
		snprintf(t->summary, sizeof(t->summary),
			 "cpu %.1f%% of one core, baseline %.1f%% (+%.1f points)",
			 value, baseline, value - baseline);
}

/* The CPU of the groups pid reaped this sample: already in its
 * children's figure. */
static double reaped_by_groups(const struct st_sample *now, int32_t pid)
{
	double sum = 0;
	for (uint32_t i = 0; i < now->nexited; i++) {
		const struct st_exited_group *g = st_sample_exited(now, i);
		if (g->reaper_pid == pid)
			sum += g->cpu_pct;
	}
	return sum;
}

/* The group's baseline; *fresh when it has none yet (then made). */
static struct group_base *group_base_of(struct cpu_delta *cd, const struct st_exited_group *g,
					int *fresh)
{
	*fresh = 0;
	struct group_base *free_slot = NULL, *least = NULL;
	for (size_t i = 0; i < GROUP_BASES; i++) {
		struct group_base *b = &cd->groups[i];
		if (!b->used) {
			free_slot = free_slot ? free_slot : b;
			continue;
		}
		if (same_group(b->comm, b->parent_comm, g))
			return b;
		if (!least || b->value < least->value)
			least = b;
	}
	struct group_base *b = free_slot ? free_slot : least;
	*fresh = 1;
	memset(b, 0, sizeof(*b));
	memcpy(b->comm, g->comm, sizeof(b->comm));
	memcpy(b->parent_comm, g->parent_comm, sizeof(b->parent_comm));
	b->used = 1;
	return b;
}

static void describe_group(struct st_trigger *t, const struct st_exited_group *g,
			   double baseline)
{
	char reaper[32] = "";
	if (g->reaper_pid > 0)
		snprintf(reaper, sizeof(reaper), ", reaped by [%d]", (int)g->reaper_pid);
	/* A process's comm is at most 15 bytes (TASK_COMM_LEN). */
	snprintf(t->summary, sizeof(t->summary),
		 "%.15s x%u exited since the last sample: cpu %.1f%% of one core%s%.15s%s%s, "
		 "baseline %.1f%%",
		 g->comm, (unsigned)g->count, (double)g->cpu_pct,
		 g->parent_comm[0] ? ", forked by " : "", g->parent_comm, reaper,
		 (g->flags & ST_EXITED_ESTIMATE) ? " (estimated)" : "", baseline);
}

/* The exited groups against their baselines; every known group's
 * baseline moves, towards 0 when the group is not in this sample. */
static size_t evaluate_groups(struct cpu_delta *cd, const struct st_sample *now,
			      double weight, struct st_trigger *out, size_t max)
{
	size_t n = 0;
	uint32_t tick = ++cd->evaluations;
	for (uint32_t i = 0; i < now->nexited; i++) {
		const struct st_exited_group *g = st_sample_exited(now, i);
		if (g->flags & ST_EXITED_REST)
			continue;       /* many names: no one to blame */
		int fresh;
		struct group_base *b = group_base_of(cd, g, &fresh);
		double value = g->cpu_pct, baseline = fresh ? value : b->value;
		b->seen = tick;
		if (!fresh && value - baseline >= cd->threshold && n < max) {
			struct st_trigger *t = &out[n++];
			trigger_figures(t, "cpu_delta", value, baseline, cd->threshold, "pct");
			trigger_group(t, g);
			describe_group(t, g, baseline);
		}
		b->value = (float)(baseline + weight * (value - baseline));
	}
	for (size_t i = 0; i < GROUP_BASES; i++) {
		struct group_base *b = &cd->groups[i];
		if (b->used && b->seen != tick)
			b->value = (float)(b->value * (1 - weight));
	}
	return n;
}

static int cpu_delta_evaluate(void *state, const struct st_history *h,
			      struct st_trigger *out, size_t max)
{
	struct cpu_delta *cd = state;
	if (h->count == 0)
		return 0;
	if (slots_reserve(&cd->base, h->ninfos) < 0)
		return -1;
	const struct st_sample *now = h->samples[h->count - 1];
	double weight = cd->alpha > 0 ? cd->alpha :
			1 - pow2_neg((now->interval_s > 0 ? now->interval_s : 1) / cd->half_life_s);
	int groups = ST_HAS(struct st_sample, now->size, exited) && now->nexited;
	size_t n = 0;
	for (uint32_t i = 0; i < now->nprocs; i++) {
		const struct st_proc_sample *p = st_sample_proc(now, i);
		const struct st_proc_info *info = st_history_info(h, p->info);
		struct baseline *b = slot(&cd->base, p->info);
		double children = p->children_cpu_pct;
		if (groups && children > 0) {
			children -= reaped_by_groups(now, info->pid);
			children = children > 0 ? children : 0;
		}
		double value = (double)p->cpu_pct + children;

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
			trigger_figures(t, "cpu_delta", value, baseline, cd->threshold, "pct");
			trigger_process(t, info);
			describe(t, p, children, value, baseline);
		}
		b->value = (float)(baseline + weight * (value - baseline));
	}
	if (ST_HAS(struct st_sample, now->size, exited))
		n += evaluate_groups(cd, now, weight, out + n, max - n);
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
