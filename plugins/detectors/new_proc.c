/*
 * new_proc: a process not seen before that is busy from its birth, at
 * threshold_pct percent of one core or more.
 *
 * cpu_delta compares a process with its own past, so it cannot see one that
 * has no past. The sampler gives a newly seen process (ST_PROC_NEW) its
 * average CPU since it started, so such a process is caught on the first
 * sample that sees it.
 *
 * A process that is only a few milliseconds old has run for too short a
 * time for that average to mean anything: the kernel charges CPU in whole
 * clock ticks, so one tick in a 5 ms life reads as 200%. A process must
 * also have consumed min_cpu_ms of CPU. One that is too young for that is
 * looked at once more, on the next sample, over a full interval: otherwise
 * a busy process started just before a sample would be missed by new_proc
 * (too young) and by cpu_delta (its busy first figure becomes its baseline).
 *
 * A process reported but refused by the core (the rate limit used up by
 * another detector) is looked at again on the next sample the same way,
 * and reported again while its average since start still qualifies: it
 * is news until a dump has said so.
 *
 * Processes too short-lived for any sample to read come as exited groups
 * (ABI 2.2): a group that was not in the sample before, whose processes
 * used threshold_pct of one core over the interval and min_cpu_ms in
 * all, is new too.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <spiketrace/plugin.h>

#include "trigger.h"
#include "slots.h"

/* A process seen new but too young to judge, waiting for the next sample. */
struct young {
	int32_t  pid;           /* with start_ticks: who is waiting */
	uint64_t start_ticks;
	uint64_t seq;           /* the sample that saw it new; 0 = none waiting */
	double   age_s;         /* its age then */
	double   cpu_ms;        /* CPU it had consumed by then */
};

/* The triggers of the last evaluate, in order: their verdicts come back
 * in that order (trigger_result). */
#define REPORTED_MAX 64

struct new_proc {
	const struct st_host *host;
	double threshold;
	double min_cpu_ms;
	struct slots young;     /* struct young by st_proc_sample.info */
	struct young reported[REPORTED_MAX];    /* seq = the sample that saw it */
	uint32_t reported_info[REPORTED_MAX];   /* its index into young */
	size_t nreported, nresults;
};

enum { OPT_THRESHOLD, OPT_MIN_CPU_MS };

static const struct st_option options[] = {
	[OPT_THRESHOLD] = ST_OPTION_FLOAT("threshold_pct", 5, 0.1, 6400,
		"fire when a new process's CPU since it started (percent of one core) reaches this"),
	[OPT_MIN_CPU_MS] = ST_OPTION_FLOAT("min_cpu_ms", 50, 0, 10000,
		"CPU a new process must have consumed before its percentage is believed"),
	ST_OPTION_END,
};

static int new_proc_create(const struct st_host *host, const union st_value *opts,
			   void **state)
{
	struct new_proc *np = calloc(1, sizeof(*np));
	if (!np) {
		host->log(host, ST_LOG_ERR, "out of memory");
		return -1;
	}
	np->host = host;
	slots_init(&np->young, sizeof(struct young));
	np->threshold = opts[OPT_THRESHOLD].f;
	np->min_cpu_ms = opts[OPT_MIN_CPU_MS].f;
	*state = np;
	return 0;
}

static void new_proc_destroy(void *state)
{
	struct new_proc *np = state;
	if (np)
		slots_fini(&np->young);
	free(np);
}

static void report(struct new_proc *np, struct st_trigger *t, uint64_t seq,
		   const struct st_proc_sample *p, const struct st_proc_info *info,
		   double value, double age_s, double cpu_ms)
{
	np->reported[np->nreported] = (struct young){ info->pid, info->start_ticks, seq,
						      age_s > 0 ? age_s : 0, cpu_ms };
	np->reported_info[np->nreported++] = p->info;
	trigger_figures(t, "new_proc", value, 0, np->threshold, "pct");
	trigger_process(t, info);
	snprintf(t->summary, sizeof(t->summary),
		 "new process at %.1f%% of one core (started %.1f s ago)", value, age_s);
}

static int has_group(const struct st_sample *s, const struct st_exited_group *g)
{
	for (uint32_t i = 0; i < s->nexited; i++) {
		const struct st_exited_group *o = st_sample_exited(s, i);
		if (same_group(o->comm, o->parent_comm, g))
			return 1;
	}
	return 0;
}

/* The groups new this sample that qualify (after the processes' triggers:
 * trigger_result counts those first). */
static size_t evaluate_groups(struct new_proc *np, const struct st_history *h,
			      struct st_trigger *out, size_t max)
{
	const struct st_sample *now = h->samples[h->count - 1];
	const struct st_sample *before = h->count > 1 ? h->samples[h->count - 2] : NULL;
	size_t n = 0;
	if (!ST_HAS(struct st_sample, now->size, exited) ||
	    (before && !ST_HAS(struct st_sample, before->size, exited)))
		return 0;
	for (uint32_t i = 0; i < now->nexited && n < max; i++) {
		const struct st_exited_group *g = st_sample_exited(now, i);
		double cpu_ms = (double)g->cpu_ns / 1e6;
		if ((g->flags & ST_EXITED_REST) || (before && has_group(before, g)) ||
		    cpu_ms < np->min_cpu_ms * (1 - 1e-6) ||
		    (float)g->cpu_pct < (float)np->threshold)
			continue;
		struct st_trigger *t = &out[n++];
		trigger_figures(t, "new_proc", g->cpu_pct, 0, np->threshold, "pct");
		trigger_group(t, g);
		/* A process's comm is at most 15 bytes (TASK_COMM_LEN). */
		snprintf(t->summary, sizeof(t->summary),
			 "%.15s x%u, exited since the last sample, at %.1f%% of one core "
			 "(%.0f ms of CPU%s%.15s)", g->comm, (unsigned)g->count,
			 (double)g->cpu_pct, cpu_ms, g->parent_comm[0] ? ", forked by " : "",
			 g->parent_comm);
	}
	return n;
}

static int new_proc_evaluate(void *state, const struct st_history *h,
			     struct st_trigger *out, size_t max)
{
	struct new_proc *np = state;
	if (h->count == 0)
		return 0;
	const struct st_sample *now = h->samples[h->count - 1];
	/*
	 * Sample 1 flags every process as new: all of them were running
	 * before the daemon started, and none is news. The sequence number
	 * says so even after the history has wrapped; samples[0] does not.
	 * Without uptime or the tick rate a process's age is unknown.
	 */
	if (now->seq <= 1 || now->uptime_s <= 0 || h->clock_ticks <= 0)
		return 0;
	if (slots_reserve(&np->young, h->ninfos) < 0)
		return -1;
	double hz = (double)h->clock_ticks;
	size_t n = 0;
	np->nreported = np->nresults = 0;
	if (max > REPORTED_MAX)
		max = REPORTED_MAX;
	/* An off-tick sample may come a tenth of an interval after the one
	 * that found a process too young: it is no second look, which would
	 * judge the process on a sliver more of its life. The young wait on
	 * for the next sample. */
	int off_tick = ST_HAS(struct st_sample, now->size, flags) &&
		       (now->flags & ST_SAMPLE_OFF_TICK);
	for (uint32_t i = 0; i < now->nprocs; i++) {
		const struct st_proc_sample *p = st_sample_proc(now, i);
		const struct st_proc_info *info = st_history_info(h, p->info);
		struct young *y = slot(&np->young, p->info);
		double age_s = now->uptime_s - (double)info->start_ticks / hz;
		double value, cpu_ms;

		if (p->flags & ST_PROC_NEW) {
			value = p->cpu_pct;
			cpu_ms = age_s > 0 ? value / 100.0 * age_s * 1000.0 : 0;
		} else if (y->seq && y->seq + 1 == now->seq && y->pid == info->pid &&
			   y->start_ticks == info->start_ticks) {
			/* The second look (too young, or refused): cpu_pct
			 * covers the interval since. */
			cpu_ms = y->cpu_ms + p->cpu_pct / 100.0 * (age_s - y->age_s) * 1000.0;
			value = age_s > 0 ? cpu_ms / age_s / 10.0 : 0;
			y->seq = 0;
		} else {
			continue;
		}

		/* Too little CPU to believe the percentage (see the top); the
		 * slack absorbs cpu_pct being a float. */
		if (cpu_ms < np->min_cpu_ms * (1 - 1e-6)) {
			if ((p->flags & ST_PROC_NEW) || off_tick) {
				y->pid = info->pid;
				y->start_ticks = info->start_ticks;
				y->seq = now->seq;
				y->age_s = age_s > 0 ? age_s : 0;
				y->cpu_ms = cpu_ms;
			}
			continue;
		}
		/* At cpu_pct's float precision, so a process at exactly the
		 * threshold fires whatever the threshold (0.7f < 0.7). */
		if ((float)value >= (float)np->threshold && n < max)
			report(np, &out[n++], now->seq, p, info, value, age_s, cpu_ms);
	}
	n += evaluate_groups(np, h, out + n, max - n);
	return (int)n;
}

/* Refused: look again on the next sample, as at a young process's second
 * look, with what it had used by this one. */
static void new_proc_trigger_result(void *state, const struct st_trigger *t, int taken)
{
	struct new_proc *np = state;
	if (np->nresults >= np->nreported)
		return;
	size_t k = np->nresults++;
	const struct young *r = &np->reported[k];
	if (taken || r->pid != t->pid || r->start_ticks != t->start_ticks)
		return;
	*(struct young *)slot(&np->young, np->reported_info[k]) = *r;
}

static const struct st_plugin new_proc_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR,
	.name = "new_proc",
	.version = "1.0",
	.description = "a process not seen before uses threshold_pct of one core from its start",
	.options = options,
	.create = new_proc_create,
	.destroy = new_proc_destroy,
	.evaluate = new_proc_evaluate,
	.trigger_result = new_proc_trigger_result,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &new_proc_plugin;
}
