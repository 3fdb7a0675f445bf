#include "rss_blame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/size_text.h"

struct rss_then {
	int32_t  pid;               /* 0: not in the old sample */
	uint32_t rss_kib;
	uint64_t seq;               /* of that sample */
	uint8_t  measured;          /* already considered in this firing */
};

/* Slots a fresh blamer holds: a desktop's or a small server's processes,
 * 24 bytes each. */
#define RSS_BLAME_INITIAL_SLOTS 1024

int rss_blamer_init(struct rss_blamer *b, const struct st_host *host)
{
	memset(b, 0, sizeof(*b));
	b->host = host;
	b->then = calloc(RSS_BLAME_INITIAL_SLOTS, sizeof(*b->then));
	if (!b->then)
		return -1;
	b->cap = RSS_BLAME_INITIAL_SLOTS;
	return 0;
}

void rss_blamer_fini(struct rss_blamer *b)
{
	free(b->then);
	memset(b, 0, sizeof(*b));
}

void rss_blamer_reserve(struct rss_blamer *b, const struct st_history *h)
{
	if (h->ninfos <= b->cap)
		return;
	/* Doubling: a table that grows by one slot a sample costs a
	 * reallocation per doubling, not per sample. */
	uint32_t cap = b->cap ? b->cap : RSS_BLAME_INITIAL_SLOTS;
	while (cap < h->ninfos)
		cap = cap > UINT32_MAX / 2 ? h->ninfos : cap * 2;
	struct rss_then *then = realloc(b->then, (size_t)cap * sizeof(*then));
	if (!then)
		return;
	b->then = then;
	b->cap = cap;
}

/* RSS the process had in the old sample: 0 when it was not in it (born
 * or first seen inside the window, or a slot beyond the scratch). */
static uint64_t before_kib(const struct rss_blamer *b, const struct st_proc_sample *p,
			   const struct st_proc_info *info)
{
	if (p->info >= b->cap || b->then[p->info].pid != info->pid ||
	    info->first_seen_seq > b->then[p->info].seq)
		return 0;
	return b->then[p->info].rss_kib;
}

int rss_blamer_fired(struct rss_blamer *b, const struct st_history *h, int n)
{
	if (n == 0)
		rss_blamer_reserve(b, h);
	return n;
}

/* A process's own growth over the span: what it took that no other process
 * maps. Measured now (host->proc_memory) when the core offers it: the
 * sample's RSS may be carried (stale), and RSS counts the pages a forked
 * child shares with its parent. Returns 0, or -1 when the process is gone
 * (its memory is freed: it explains no fall that lasts). */
static int own_growth(const struct rss_blamer *b, const struct st_proc_sample *p,
		      const struct st_proc_info *info, uint64_t before,
		      uint64_t *rss_kib, uint64_t *own_kib)
{
	uint64_t rss = p->rss_kib;
	uint64_t cap = UINT64_MAX;
	if (b->host && ST_HOST_HAS(b->host, proc_memory)) {
		struct st_proc_memory m;
		memset(&m, 0, sizeof(m));
		m.size = sizeof(m);
		if (b->host->proc_memory(b->host, info->pid, info->start_ticks, &m) != 0)
			return -1;
		if (m.have & ST_PROC_MEM_RSS)
			rss = m.rss_kib;
		/* Growth that is its own cannot exceed the pages only it maps,
		 * nor, without that figure, its anonymous and shared-memory
		 * pages (file pages are cache the kernel counts available). */
		if (m.have & ST_PROC_MEM_PRIVATE)
			cap = m.private_kib;
		else if (m.have & ST_PROC_MEM_ANON)
			cap = m.rss_anon_kib + m.rss_shmem_kib;
	}
	uint64_t growth = rss > before ? rss - before : 0;
	*rss_kib = rss;
	*own_kib = growth < cap ? growth : cap;
	return 0;
}

static void forget_process(struct rss_blame *b)
{
	b->pid = 0;
	b->start_ticks = 0;
	memset(b->comm, 0, sizeof(b->comm));
	b->rss_kib = 0;
	b->growth_kib = 0;
}

/* Keep the best explanation found so far. */
static void consider(struct rss_blamer *b, const struct st_history *h,
		     const struct st_proc_sample *p, struct rss_blame *best)
{
	const struct st_proc_info *info = st_history_info(h, p->info);
	uint64_t rss, own;
	if (p->info < b->cap)
		b->then[p->info].measured = 1;
	if (own_growth(b, p, info, before_kib(b, p, info), &rss, &own) != 0 ||
	    own <= best->growth_kib)
		return;
	best->pid = info->pid;
	best->start_ticks = info->start_ticks;
	memcpy(best->comm, info->comm, sizeof(best->comm));
	best->rss_kib = rss;
	best->growth_kib = own;
}

/* Whether growth accounts for the event: RSS_BLAME_MIN_SHARE of its
 * extent, or any growth when the event has no extent in memory. */
static int accounts_for(uint64_t growth_kib, uint64_t extent_kib)
{
	if (growth_kib == 0)
		return 0;
	return (double)growth_kib >= RSS_BLAME_MIN_SHARE * (double)extent_kib;
}

void rss_blame_growth(struct rss_blamer *b, const struct st_history *h,
		      uint32_t window, uint64_t extent_kib, struct rss_blame *out)
{
	memset(out, 0, sizeof(*out));
	if (h->count == 0)
		return;
	const struct st_sample *now = h->samples[h->count - 1];
	uint32_t back = window < h->count - 1 ? window : h->count - 1;
	const struct st_sample *old = h->samples[h->count - 1 - back];
	/* The breakdown from the span's first sample that has one (a
	 * meminfo read may have lacked its lines) to the newest. */
	for (uint32_t i = h->count - 1 - back; i < h->count - 1; i++) {
		if (!(now->have & h->samples[i]->have & ST_HAVE_MEM_DETAIL))
			continue;
		out->have_mem = 1;
		out->mem_before = ST_MEM_BREAKDOWN_OF(h->samples[i]);
		out->mem_after = ST_MEM_BREAKDOWN_OF(now);
		break;
	}
	/* Slots of the old sample beyond the scratch: it could not grow
	 * (out of memory), and a guess would name a bystander. */
	for (uint32_t i = 0; i < old->nprocs; i++)
		if (st_sample_proc(old, i)->info >= b->cap)
			return;
	/* Only the slots the new sample uses need clearing: any other is
	 * never read below. */
	for (uint32_t i = 0; i < now->nprocs; i++)
		if (st_sample_proc(now, i)->info < b->cap)
			memset(&b->then[st_sample_proc(now, i)->info], 0, sizeof(*b->then));
	/* Slots are stable for a process's life in the history; pid + start
	 * time tell a reused slot from the same process. */
	for (uint32_t i = 0; i < old->nprocs; i++) {
		const struct st_proc_sample *p = st_sample_proc(old, i);
		b->then[p->info].pid = st_history_info(h, p->info)->pid;
		b->then[p->info].rss_kib = p->rss_kib;
		b->then[p->info].seq = old->seq;
	}

	/* The largest growers by their recorded figures, measured. */
	uint32_t ntop = 0;
	for (uint32_t i = 0; i < now->nprocs; i++) {
		const struct st_proc_sample *p = st_sample_proc(now, i);
		uint64_t before = before_kib(b, p, st_history_info(h, p->info));
		uint64_t growth = p->rss_kib > before ? p->rss_kib - before : 0;
		if (growth == 0 || (ntop == RSS_BLAME_TOP && growth <= b->top[ntop - 1].growth_kib))
			continue;
		uint32_t j = ntop < RSS_BLAME_TOP ? ntop++ : ntop - 1;
		for (; j > 0 && b->top[j - 1].growth_kib < growth; j--)
			b->top[j] = b->top[j - 1];
		b->top[j].index = i;
		b->top[j].growth_kib = growth;
	}
	for (uint32_t j = 0; j < ntop; j++)
		consider(b, h, st_sample_proc(now, b->top[j].index), out);
	/* Not explained: a carried process's RSS is as last read, and the
	 * grower may be one of them. Measure those, up to the bound. */
	uint32_t measured = ntop;
	for (uint32_t i = 0; i < now->nprocs && measured < RSS_BLAME_MAX_MEASURED &&
	     !accounts_for(out->growth_kib, extent_kib); i++) {
		const struct st_proc_sample *p = st_sample_proc(now, i);
		if (!(p->flags & ST_PROC_CARRIED) ||
		    (p->info < b->cap && b->then[p->info].measured))
			continue;
		consider(b, h, p, out);
		measured++;
	}
	if (!accounts_for(out->growth_kib, extent_kib))
		forget_process(out);            /* a bystander is not named */
}

void rss_blame_to_trigger(const struct rss_blame *b, struct st_trigger *t)
{
	t->pid = b->pid;
	t->start_ticks = b->start_ticks;
	t->flags |= ST_TRIGGER_SYSTEM;
	snprintf(t->comm, sizeof(t->comm), "%s", b->comm);
}

/* Append head and where the memory went (parts that grew by min_kib at
 * least) at summary[at], when a part fits whole. */
static void append_where(char *summary, size_t size, size_t at, const char *head,
			 const struct rss_blame *b, uint64_t min_kib, int without_anon)
{
	char where[ST_TRIGGER_SUMMARY_MAX];
	size_t head_len = strlen(head);
	if (!b->have_mem || at >= size || size - at <= head_len + 1)
		return;
	struct st_mem_breakdown after = b->mem_after;
	/* A process's own growth is mostly anonymous memory: the anon total
	 * would name it a second time. */
	if (without_anon)
		after.anon_kib = b->mem_before.anon_kib;
	size_t room = size - at - head_len;
	if (st_mem_where(&b->mem_before, &after, min_kib, where,
			 room < sizeof(where) ? room : sizeof(where)) > 0)
		snprintf(summary + at, size - at, "%s%s", head, where);
}

void rss_blame_append(char *summary, size_t size, int used, const struct rss_blame *b)
{
	char grew[32];
	int n;
	if (used < 0 || (size_t)used >= size)
		return;
	if (!b->pid) {
		n = snprintf(summary + used, size - (size_t)used, "; no process accounts for it");
		if (n > 0)
			append_where(summary, size, (size_t)used + (size_t)n, ": ", b,
				     ST_MEM_WHERE_GREW_KIB, 0);
		return;
	}
	st_format_kib(grew, sizeof(grew), (double)b->growth_kib, ST_SIZE_TENTHS);
	/* The name as it is: a comm may hold any byte, and every output
	 * escapes the summary for its medium, once (an escape here would
	 * show doubled there). */
	n = snprintf(summary + used, size - (size_t)used, "; %s grew %s", b->comm, grew);
	/* Something the process does not explain grew more than it did: a
	 * tmpfs filling beside a growing process is the bigger half. */
	if (n > 0)
		append_where(summary, size, (size_t)used + (size_t)n, "; also ", b,
			     b->growth_kib + 1, 1);
}
