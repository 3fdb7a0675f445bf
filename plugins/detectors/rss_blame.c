#include "rss_blame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rss_then {
	int32_t  pid;               /* 0: not in the old sample */
	uint32_t rss_kib;
};

/* Slots a fresh blamer holds: a desktop's or a small server's processes,
 * 8 bytes each. */
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

int rss_blamer_fired(struct rss_blamer *b, const struct st_history *h, int n)
{
	if (n == 0)
		rss_blamer_reserve(b, h);
	return n;
}

void rss_blame_growth(struct rss_blamer *b, const struct st_history *h,
		      uint32_t window, struct rss_blame *out)
{
	memset(out, 0, sizeof(*out));
	if (h->count == 0)
		return;
	const struct st_sample *now = h->samples[h->count - 1];
	uint32_t back = window < h->count - 1 ? window : h->count - 1;
	const struct st_sample *old = h->samples[h->count - 1 - back];
	/* Slots of the old sample beyond the scratch: it could not grow
	 * (out of memory), and a guess would name a bystander. */
	for (uint32_t i = 0; i < old->nprocs; i++)
		if (old->procs[i].info >= b->cap)
			return;
	/* Only the slots the new sample uses need clearing: any other is
	 * never read below. */
	for (uint32_t i = 0; i < now->nprocs; i++)
		if (now->procs[i].info < b->cap)
			b->then[now->procs[i].info].pid = 0;
	/* Slots are stable for a process's life in the history; pid + start
	 * time tell a reused slot from the same process. */
	for (uint32_t i = 0; i < old->nprocs; i++) {
		const struct st_proc_sample *p = &old->procs[i];
		b->then[p->info].pid = p->pid;
		b->then[p->info].rss_kib = p->rss_kib;
	}
	uint64_t best = 0;
	for (uint32_t i = 0; i < now->nprocs; i++) {
		const struct st_proc_sample *p = &now->procs[i];
		const struct st_proc_info *info = &h->infos[p->info];
		uint32_t before = 0;
		/* A slot beyond the scratch is in no old sample: born since. */
		if (p->info < b->cap && b->then[p->info].pid == p->pid &&
		    info->first_seen_seq <= old->seq)
			before = b->then[p->info].rss_kib;
		uint64_t growth = p->rss_kib > before ? p->rss_kib - before : 0;
		if (growth > best) {
			best = growth;
			out->pid = p->pid;
			out->start_ticks = info->start_ticks;
			memcpy(out->comm, info->comm, sizeof(out->comm));
			out->rss_kib = p->rss_kib;
			out->growth_kib = growth;
		}
	}
}

void rss_blame_to_trigger(const struct rss_blame *b, struct st_trigger *t)
{
	t->pid = b->pid;
	t->start_ticks = b->start_ticks;
	t->flags |= ST_TRIGGER_SYSTEM;
	snprintf(t->comm, sizeof(t->comm), "%s", b->comm);
}

void rss_blame_format_kib(char *buf, size_t len, uint64_t kib)
{
	if (kib >= (1u << 20))
		snprintf(buf, len, "%.1f GiB", (double)kib / (1 << 20));
	else if (kib >= 1024)
		snprintf(buf, len, "%.1f MiB", (double)kib / 1024);
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)kib);
}

void rss_blame_append(char *summary, size_t size, int used, const struct rss_blame *b)
{
	char grew[32], comm[ST_COMM_MAX];
	size_t i = 0;
	if (used < 0 || (size_t)used >= size)
		return;
	if (!b->pid) {
		snprintf(summary + used, size - (size_t)used, "; no process grew");
		return;
	}
	rss_blame_format_kib(grew, sizeof(grew), b->growth_kib);
	/* A comm may hold control bytes; the summary is one line. */
	for (; b->comm[i] && i + 1 < sizeof(comm); i++) {
		unsigned char c = (unsigned char)b->comm[i];
		comm[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	comm[i] = '\0';
	snprintf(summary + used, size - (size_t)used, "; %s grew %s", comm, grew);
}
