/*
 * proc_storm: processes are created faster than forks_per_s, sustained over
 * min_s seconds: a shell loop gone wrong, a service restarted in a tight
 * loop, a build spawning thousands of tiny tools. Each child may live a
 * millisecond, so no process looks busy and the CPU detectors stay silent.
 *
 * The rate is /proc/stat's "processes" counter (st_sample.forks_delta over
 * the sample's interval_s). Sustained: the rate over the last min_s
 * seconds reaches the threshold, and no sample in them is below half of
 * it, so one burst followed by quiet is not a storm.
 *
 * Episodes: it fires once when a storm starts and re-arms when the rate
 * over min_s has fallen below half the threshold; a storm that lasts an
 * hour is one incident. A trigger the core refuses (cooldown, rate limit)
 * re-arms it at once.
 *
 * Blame: the parent that forked most. Every process the samples saw for
 * the first time in the window (ST_PROC_NEW) is counted for its parent and
 * for its name (storm_count), and so is every exited group of the window
 * (the processes that lived between two samples, from the kernel's exit
 * events), with its count. The parent with the most is named;
 * when that is init (pid 1, which adopts the orphans of a double fork) or
 * no parent is known, the name most of the new processes share is named
 * instead, as a group (pid 0). Children that live a millisecond are rarely
 * caught by a sample: when none was, the process whose reaped children
 * used the most CPU in the newest interval (cutime) is named, init
 * excepted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spiketrace/plugin.h>

#include "summary_text.h"
#include "window.h"

/* Parents (and names) kept per firing: the largest counts survive, as in
 * the Space-Saving algorithm, with a fixed table and no allocation. */
#define TALLY_MAX 32

struct tally_item {
	int32_t  pid;               /* 0: a name only (group, or parent by name) */
	uint64_t count;             /* ranks the items */
	uint64_t inherited;         /* of count, taken over from an item it evicted:
	                               count - inherited is surely its own */
	char     comm[ST_COMM_MAX];
};

struct tally {
	struct tally_item item[TALLY_MAX];
	uint32_t n;
};

struct proc_storm {
	const struct st_host *host;
	double threshold;           /* forks per second */
	struct window window;       /* min_s */
	int armed;
	int reported;               /* the last evaluate fired */
	struct tally parents, names;
};

enum { OPT_FORKS_PER_S, OPT_MIN_S };

static const struct st_option options[] = {
	[OPT_FORKS_PER_S] = ST_OPTION_FLOAT("forks_per_s", 1000, 1, 1e7,
		"fire when more processes than this are created per second"),
	[OPT_MIN_S] = ST_OPTION_FLOAT("min_s", 2, 0, 60,
		"seconds the rate must hold (no sample below half of it): one burst is "
		"not a storm"),
	ST_OPTION_END,
};

static int proc_storm_create(const struct st_host *host, const union st_value *opts,
			     void **state)
{
	struct proc_storm *ps = calloc(1, sizeof(*ps));
	if (!ps) {
		host->log(host, ST_LOG_ERR, "out of memory");
		return -1;
	}
	ps->host = host;
	ps->threshold = opts[OPT_FORKS_PER_S].f;
	ps->window.seconds = opts[OPT_MIN_S].f;
	ps->armed = 1;
	*state = ps;
	return 0;
}

static void proc_storm_destroy(void *state)
{
	free(state);
}

/* ------------------------------------------------------------- counting */

static void tally_add(struct tally *t, int32_t pid, const char *comm, uint64_t count)
{
	struct tally_item *it = NULL, *least = NULL;
	for (uint32_t i = 0; i < t->n; i++) {
		struct tally_item *c = &t->item[i];
		if (pid > 0 ? c->pid == pid : c->pid == 0 && strcmp(c->comm, comm) == 0) {
			it = c;
			break;
		}
		if (!least || c->count < least->count)
			least = c;
	}
	if (!it) {
		if (t->n < TALLY_MAX) {
			it = &t->item[t->n++];
			it->count = it->inherited = 0;
		} else {
			/* Full: the smallest makes room and its count carries
			 * over, so a late large parent still rises to the top. */
			it = least;
			it->inherited = it->count;
		}
		it->pid = pid > 0 ? pid : 0;
		snprintf(it->comm, sizeof(it->comm), "%s", comm ? comm : "");
	}
	it->count += count;
	if (comm && *comm && !*it->comm)
		snprintf(it->comm, sizeof(it->comm), "%s", comm);
}

static const struct tally_item *tally_top(const struct tally *t)
{
	const struct tally_item *top = NULL;
	for (uint32_t i = 0; i < t->n; i++)
		if (!top || t->item[i].count > top->count)
			top = &t->item[i];
	return top;
}

/*
 * count new processes named child_comm, created by the parent ppid (0 when
 * only its name, parent_comm, is known; "" when that is not known either).
 * The one door for every source of fork counts.
 */
static void storm_count(struct proc_storm *ps, int32_t ppid, const char *parent_comm,
			const char *child_comm, uint64_t count)
{
	if (ppid > 0 || (parent_comm && *parent_comm))
		tally_add(&ps->parents, ppid, parent_comm, count);
	tally_add(&ps->names, 0, child_comm, count);
}

/* The new processes of the samples after `first`: the first sample of all
 * flags every process as new, and none of them is news. */
static void count_new(struct proc_storm *ps, const struct st_history *h, uint32_t first)
{
	for (uint32_t i = first; i < h->count; i++) {
		const struct st_sample *s = h->samples[i];
		if (s->seq <= 1)
			continue;
		for (uint32_t j = 0; j < s->nprocs; j++) {
			const struct st_proc_sample *p = st_sample_proc(s, j);
			if (!(p->flags & ST_PROC_NEW))
				continue;
			const struct st_proc_info *info = st_history_info(h, p->info);
			storm_count(ps, info->ppid, "", info->comm, 1);
		}
		/* And those no sample saw, by group (ABI 2.2): by far the
		 * most of a storm's children. */
		if (!ST_HAS(struct st_sample, s->size, exited))
			continue;
		for (uint32_t j = 0; j < s->nexited; j++) {
			const struct st_exited_group *g = st_sample_exited(s, j);
			if (!(g->flags & ST_EXITED_REST))
				storm_count(ps, g->parent_pid, g->parent_comm, g->comm, g->count);
		}
	}
}

/* pid's process in the window's samples, newest first: its slot, or
 * UINT32_MAX when it was not seen. */
static uint32_t find_process(const struct st_history *h, uint32_t first, int32_t pid)
{
	for (uint32_t i = h->count; i-- > first;) {
		const struct st_sample *s = h->samples[i];
		for (uint32_t j = 0; j < s->nprocs; j++) {
			const struct st_proc_sample *p = st_sample_proc(s, j);
			if (st_history_info(h, p->info)->pid == pid)
				return p->info;
		}
	}
	return UINT32_MAX;
}

/* -------------------------------------------------------------- blaming */

static void name_slot(const struct st_history *h, uint32_t slot, struct st_trigger *t)
{
	const struct st_proc_info *info = st_history_info(h, slot);
	t->pid = info->pid;
	t->start_ticks = info->start_ticks;
	snprintf(t->comm, sizeof(t->comm), "%s", info->comm);
}

/* No new process was seen: the reaper whose children used the most CPU
 * in the newest interval (their parent reaps them, so its cutime grew). */
static void blame_reaper(const struct st_history *h, struct st_trigger *t, int used)
{
	uint32_t best = UINT32_MAX;
	float best_pct = 0;
	const struct st_sample *now = h->samples[h->count - 1];
	for (uint32_t j = 0; j < now->nprocs; j++) {
		const struct st_proc_sample *p = st_sample_proc(now, j);
		if (st_history_info(h, p->info)->pid > 1 && p->children_cpu_pct > best_pct) {
			best_pct = p->children_cpu_pct;
			best = p->info;
		}
	}
	if (best == UINT32_MAX) {
		summary_append(t->summary, sizeof(t->summary), used,
			       "; no new process was seen to name a parent");
		return;
	}
	name_slot(h, best, t);
	summary_append(t->summary, sizeof(t->summary), used, "; no child seen, most "
		       "reaped-children CPU: [%d] %s (%.0f%% of a core)", (int)t->pid, t->comm,
		       (double)best_pct);
}

static void blame(struct proc_storm *ps, const struct st_history *h, uint32_t first,
		  struct st_trigger *t, int used)
{
	/* Names as they are: every output escapes the summary for its
	 * medium, once (an escape here would show doubled there). */
	char count[32];
	ps->parents.n = ps->names.n = 0;
	count_new(ps, h, first);
	const struct tally_item *top = tally_top(&ps->parents);
	if (top && top->pid > 1) {
		t->pid = top->pid;
		snprintf(t->comm, sizeof(t->comm), "%s", top->comm);
		uint32_t slot = find_process(h, first, top->pid);
		if (slot != UINT32_MAX)
			name_slot(h, slot, t);
		summary_count(count, sizeof(count), top->count - top->inherited);
		summary_append(t->summary, sizeof(t->summary), used,
			       "; most from [%d] %s: %s new children seen", (int)t->pid,
			       *t->comm ? t->comm : "?", count);
		return;
	}
	const struct tally_item *group = tally_top(&ps->names);
	if (!group) {
		blame_reaper(h, t, used);
		return;
	}
	/* Orphans (parent init) or parents unknown: the name they share. */
	snprintf(t->comm, sizeof(t->comm), "%s", group->comm);
	summary_count(count, sizeof(count), group->count - group->inherited);
	if (top && top->pid == 1) {
		uint32_t slot = find_process(h, first, 1);
		summary_append(t->summary, sizeof(t->summary), used,
			       "; most new: %s x%s, children of [1] %s", group->comm, count,
			       slot != UINT32_MAX ? st_history_info(h, slot)->comm : "init");
	} else {
		summary_append(t->summary, sizeof(t->summary), used, "; most new: %s x%s",
			       group->comm, count);
	}
}

/* ------------------------------------------------------------- evaluate */

/* Processes created per second over the samples after `first`; *lowest
 * gets the slowest sample's rate. 0 with no interval to measure. */
static double rate_since(const struct st_history *h, uint32_t first, double *span_s,
			 double *lowest)
{
	uint64_t forks = 0;
	double span = 0;
	*lowest = -1;
	for (uint32_t i = first; i < h->count; i++) {
		const struct st_sample *s = h->samples[i];
		if (s->interval_s <= 0)
			continue;
		double r = (double)s->forks_delta / s->interval_s;
		if (*lowest < 0 || r < *lowest)
			*lowest = r;
		forks += s->forks_delta;
		span += s->interval_s;
	}
	*span_s = span;
	return span > 0 ? (double)forks / span : 0;
}

static int proc_storm_evaluate(void *state, const struct st_history *h,
			       struct st_trigger *out, size_t max)
{
	struct proc_storm *ps = state;
	ps->reported = 0;
	if (h->count < 2)
		return 0;
	const struct st_sample *now = h->samples[h->count - 1];
	uint32_t back = window_back(&ps->window, h);
	uint32_t first = h->count - back;
	double span, lowest;
	double rate = rate_since(h, first, &span, &lowest);
	if (!ps->armed) {
		if (rate < ps->threshold / 2)
			ps->armed = 1;
		return 0;
	}
	/* The window reaches min_s back (give or take half a tick) and
	 * every sample in it kept up. */
	if (max == 0 || rate < ps->threshold || lowest < ps->threshold / 2 ||
	    span + now->interval_s / 2 < ps->window.seconds)
		return 0;

	ps->armed = 0;
	ps->reported = 1;
	struct st_trigger *t = &out[0];
	double before_rate = 0;
	const struct st_sample *before = h->samples[first - 1];
	if (before->interval_s > 0)
		before_rate = (double)before->forks_delta / before->interval_s;
	char rate_s[32], threshold_s[32];
	summary_count(rate_s, sizeof(rate_s), (uint64_t)(rate + 0.5));
	summary_count(threshold_s, sizeof(threshold_s), (uint64_t)(ps->threshold + 0.5));
	snprintf(t->type, sizeof(t->type), "proc_storm");
	t->value = rate;
	t->baseline = before_rate;
	t->threshold = ps->threshold;
	snprintf(t->units, sizeof(t->units), "forks/s");
	t->flags = ST_TRIGGER_SYSTEM;
	int used = snprintf(t->summary, sizeof(t->summary), "%s forks/s over %.3g s "
			    "(threshold %s)", rate_s, span, threshold_s);
	blame(ps, h, first, t, used);
	return 1;
}

/* Refused: the storm has had no dump yet; the next sample still in it
 * fires again. */
static void proc_storm_trigger_result(void *state, const struct st_trigger *t, int taken)
{
	struct proc_storm *ps = state;
	(void)t;
	if (!taken && ps->reported)
		ps->armed = 1;
	ps->reported = 0;
}

static const struct st_plugin proc_storm_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR,
	.name = "proc_storm",
	.version = "1.0",
	.description = "processes are created faster than forks_per_s for min_s seconds; "
		       "blames the parent that forked most",
	.options = options,
	.create = proc_storm_create,
	.destroy = proc_storm_destroy,
	.evaluate = proc_storm_evaluate,
	.trigger_result = proc_storm_trigger_result,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &proc_storm_plugin;
}
