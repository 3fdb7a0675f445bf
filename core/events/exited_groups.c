#include "events/exited_groups.h"

#include <string.h>

#define REST_NAME "(other)"

void st_exited_groups_reset(struct st_exited_groups *x)
{
	x->n = 0;
	x->exits = 0;
	memset(x->index, 0, sizeof(x->index));
	memset(&x->overflow, 0, sizeof(x->overflow));
	x->overflow_vote = (struct st_pid_vote){ 0, 0 };
}

static uint32_t hash_name(const char *s, uint32_t h)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static void copy_name(char *dst, const char *src)
{
	size_t n = strnlen(src, ST_COMM_MAX - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The group for r's key: found, made, or the overflow when full. */
static struct st_exited_group *group_of(struct st_exited_groups *x,
					const struct st_exit_record *r)
{
	uint32_t mask = 2 * ST_EXITED_TRACKED - 1;
	uint32_t h = hash_name(r->parent_comm, hash_name(r->comm, 2166136261u) * 31u);
	for (uint32_t i = h & mask;; i = (i + 1) & mask) {
		if (!x->index[i]) {
			if (x->n == ST_EXITED_TRACKED)
				return &x->overflow;
			struct st_exited_group *g = &x->g[x->n++];
			memset(g, 0, sizeof(*g));
			copy_name(g->comm, r->comm);
			copy_name(g->parent_comm, r->parent_comm);
			g->parent_pid = r->parent_pid;
			g->reaper_pid = r->reaper_pid;
			x->parent_vote[x->n - 1] = (struct st_pid_vote){ 0, 0 };
			x->index[i] = (uint8_t)x->n;
			return g;
		}
		struct st_exited_group *g = &x->g[x->index[i] - 1];
		if (!strncmp(g->comm, r->comm, ST_COMM_MAX - 1) &&
		    !strncmp(g->parent_comm, r->parent_comm, ST_COMM_MAX - 1))
			return g;
	}
}

/* A member that differs among a group's processes is unknown (0). */
static void merge_pid(int32_t *have, int32_t pid, uint32_t count)
{
	if (count == 0)
		*have = pid;
	else if (*have != pid)
		*have = 0;
}

static void add_figures(struct st_exited_group *g, uint32_t count, uint32_t cpu_unknown,
			uint64_t cpu_ns, uint64_t peak_rss_kib, uint64_t rd, uint64_t wr,
			uint32_t flags)
{
	g->count += count;
	g->cpu_unknown += cpu_unknown;
	g->cpu_ns += cpu_ns;
	if (peak_rss_kib > g->peak_rss_kib)
		g->peak_rss_kib = peak_rss_kib;
	g->read_bytes += rd;
	g->write_bytes += wr;
	g->flags |= flags;
}

static void vote(struct st_pid_vote *v, int32_t pid)
{
	if (v->votes == 0)
		v->pid = pid;
	if (v->pid == pid)
		v->votes++;
	else
		v->votes--;
}

/* The forking parent of more than half of the group, else 0. The reaper
 * stays exact (merge_pid): its children's CPU is taken out of its own. */
static int32_t majority(const struct st_pid_vote *v, uint32_t count)
{
	return (uint64_t)v->votes * 2 > count ? v->pid : 0;
}

void st_exited_groups_add(struct st_exited_groups *x, const struct st_exit_record *r)
{
	struct st_exited_group *g = group_of(x, r);
	vote(g == &x->overflow ? &x->overflow_vote : &x->parent_vote[g - x->g], r->parent_pid);
	merge_pid(&g->reaper_pid, r->reaper_pid, g->count);
	add_figures(g, 1, r->cpu_ns < 0, r->cpu_ns > 0 ? (uint64_t)r->cpu_ns : 0,
		    r->peak_rss_kib > 0 ? (uint64_t)r->peak_rss_kib : 0,
		    r->read_bytes > 0 ? (uint64_t)r->read_bytes : 0,
		    r->write_bytes > 0 ? (uint64_t)r->write_bytes : 0,
		    r->flags & (ST_EXITED_TASKSTATS | ST_EXITED_ESTIMATE));
	x->exits++;
}

static void fold_into(struct st_exited_group *rest, const struct st_exited_group *g)
{
	merge_pid(&rest->parent_pid, g->parent_pid, rest->count);
	merge_pid(&rest->reaper_pid, g->reaper_pid, rest->count);
	add_figures(rest, g->count, g->cpu_unknown, g->cpu_ns, g->peak_rss_kib,
		    g->read_bytes, g->write_bytes, g->flags);
}

static float pct_of(uint64_t cpu_ns, double interval_s)
{
	return interval_s > 0 ? (float)((double)cpu_ns / (interval_s * 1e9) * 100.0) : 0.0f;
}

uint32_t st_exited_groups_close(struct st_exited_groups *x, double interval_s,
				struct st_exited_group *out)
{
	uint32_t kept = 0;
	for (uint32_t i = 0; i < x->n; i++)
		x->g[i].parent_pid = majority(&x->parent_vote[i], x->g[i].count);
	x->overflow.parent_pid = majority(&x->overflow_vote, x->overflow.count);
	struct st_exited_group rest = x->overflow;
	/* Selection of the busiest ST_EXITED_KEPT: few rows, few groups. */
	uint8_t taken[ST_EXITED_TRACKED] = { 0 };
	while (kept < ST_EXITED_KEPT && kept < x->n) {
		uint32_t best = UINT32_MAX;
		for (uint32_t i = 0; i < x->n; i++)
			if (!taken[i] && (best == UINT32_MAX || x->g[i].cpu_ns > x->g[best].cpu_ns ||
					  (x->g[i].cpu_ns == x->g[best].cpu_ns &&
					   x->g[i].count > x->g[best].count)))
				best = i;
		taken[best] = 1;
		out[kept] = x->g[best];
		out[kept].cpu_pct = pct_of(out[kept].cpu_ns, interval_s);
		kept++;
	}
	for (uint32_t i = 0; i < x->n; i++)
		if (!taken[i])
			fold_into(&rest, &x->g[i]);
	if (rest.count) {
		rest.flags |= ST_EXITED_REST;
		memcpy(rest.comm, REST_NAME, sizeof(REST_NAME));
		rest.parent_comm[0] = '\0';
		rest.cpu_pct = pct_of(rest.cpu_ns, interval_s);
		out[kept++] = rest;
	}
	st_exited_groups_reset(x);
	return kept;
}
