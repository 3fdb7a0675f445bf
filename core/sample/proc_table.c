#include "sample/proc_table.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One per process, beside the ring's records: sized on purpose (the
 * README's memory figures count it), and without holes. */
_Static_assert(sizeof(struct st_proc_track) == 136,
	       "struct st_proc_track grew: update the README's memory figures");

static uint32_t hash_pid(int32_t pid, uint32_t cap)
{
	/* Fibonacci hashing: pids are dense and sequential, spread them. */
	return (uint32_t)(((uint32_t)pid * 2654435769u) >> 7) & (cap - 1);
}

static int hash_resize(struct st_proc_table *t, uint32_t cap)
{
	uint32_t *h = malloc(sizeof(*h) * cap);
	if (!h)
		return -1;
	for (uint32_t i = 0; i < cap; i++)
		h[i] = ST_PROC_NONE;
	for (uint32_t i = 0; t->hash && i < t->hash_cap; i++) {
		uint32_t slot = t->hash[i];
		if (slot == ST_PROC_NONE)
			continue;
		uint32_t j = hash_pid(t->infos[slot].pid, cap);
		while (h[j] != ST_PROC_NONE)
			j = (j + 1) & (cap - 1);
		h[j] = slot;
	}
	free(t->hash);
	t->hash = h;
	t->hash_cap = cap;
	return 0;
}

/* Room for n slots. The new memory is not touched: a slot is initialised
 * when first handed out, so capacity that is never used never becomes
 * resident (mlockall would otherwise pin it). */
static int slots_reserve(struct st_proc_table *t, uint32_t n)
{
	struct st_proc_info *infos = realloc(t->infos, sizeof(*infos) * n);
	if (!infos)
		return -1;
	t->infos = infos;
	struct st_proc_track *tracks = realloc(t->tracks, sizeof(*tracks) * n);
	if (!tracks)
		return -1;
	t->tracks = tracks;
	t->cap = n;
	return 0;
}

/* A slot to use: a freed one, else the next never used, else more room. */
static uint32_t slot_take(struct st_proc_table *t)
{
	uint32_t slot = t->free_head;
	if (slot != ST_PROC_NONE) {
		t->free_head = t->tracks[slot].next_free;
		return slot;
	}
	if (t->nslots == t->cap && slots_reserve(t, t->cap + t->cap / 2 + 16) < 0)
		return ST_PROC_NONE;
	return t->nslots++;
}

int st_proc_table_init(struct st_proc_table *t, uint32_t initial_slots)
{
	memset(t, 0, sizeof(*t));
	t->free_head = ST_PROC_NONE;
	uint32_t cap = 64;
	if (initial_slots < 16)
		initial_slots = 16;
	while (cap < initial_slots * 2)
		cap <<= 1;
	t->renames = calloc(ST_PROC_RENAMES, sizeof(*t->renames));
	if (!t->renames || slots_reserve(t, initial_slots) < 0 || hash_resize(t, cap) < 0) {
		st_proc_table_destroy(t);
		return -1;
	}
	return 0;
}

void st_proc_table_destroy(struct st_proc_table *t)
{
	for (uint32_t i = 0; i < t->nslots; i++)
		if (t->tracks[i].fd >= 0)
			close(t->tracks[i].fd);
	free(t->renames);
	free(t->infos);
	free(t->tracks);
	free(t->hash);
	memset(t, 0, sizeof(*t));
}

uint32_t st_proc_table_find(const struct st_proc_table *t, int32_t pid)
{
	uint32_t j = hash_pid(pid, t->hash_cap);
	for (;;) {
		uint32_t slot = t->hash[j];
		if (slot == ST_PROC_NONE || t->infos[slot].pid == pid)
			return slot;
		j = (j + 1) & (t->hash_cap - 1);
	}
}

uint32_t st_proc_table_add(struct st_proc_table *t, int32_t pid)
{
	/* Keep the load factor at or under one half: probes stay short. */
	if ((t->nalive + 1) * 2 > t->hash_cap && hash_resize(t, t->hash_cap * 2) < 0)
		return ST_PROC_NONE;
	uint32_t slot = slot_take(t);
	if (slot == ST_PROC_NONE)
		return ST_PROC_NONE;
	memset(&t->infos[slot], 0, sizeof(t->infos[slot]));
	memset(&t->tracks[slot], 0, sizeof(t->tracks[slot]));
	t->tracks[slot].fd = -1;
	t->tracks[slot].used = 1;
	t->tracks[slot].alive = 1;
	t->infos[slot].pid = pid;

	uint32_t j = hash_pid(pid, t->hash_cap);
	while (t->hash[j] != ST_PROC_NONE)
		j = (j + 1) & (t->hash_cap - 1);
	t->hash[j] = slot;
	t->nalive++;
	return slot;
}

/* Backward-shift deletion keeps linear probing correct without tombstones. */
static void hash_remove(struct st_proc_table *t, uint32_t slot)
{
	uint32_t mask = t->hash_cap - 1;
	uint32_t i = hash_pid(t->infos[slot].pid, t->hash_cap);
	while (t->hash[i] != slot) {
		if (t->hash[i] == ST_PROC_NONE)
			return;
		i = (i + 1) & mask;
	}
	uint32_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		uint32_t s = t->hash[j];
		if (s == ST_PROC_NONE)
			break;
		uint32_t home = hash_pid(t->infos[s].pid, t->hash_cap);
		/* Move s back into the hole unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			t->hash[i] = s;
			i = j;
		}
	}
	t->hash[i] = ST_PROC_NONE;
}

void st_proc_table_renamed(struct st_proc_table *t, uint32_t slot, uint64_t seq)
{
	struct st_proc_rename *r = &t->renames[t->nrenames++ % ST_PROC_RENAMES];
	const struct st_proc_info *info = &t->infos[slot];
	r->slot = slot;
	r->pid = info->pid;
	r->start_ticks = info->start_ticks;
	r->until_seq = seq - 1;
	r->ppid = info->ppid;
	memcpy(r->comm, info->comm, sizeof(r->comm));
}

const struct st_proc_info *st_proc_table_info_at(const struct st_proc_table *t,
						 uint32_t slot, uint64_t seq,
						 struct st_proc_info *scratch)
{
	const struct st_proc_info *live = &t->infos[slot];
	uint64_t first = t->nrenames > ST_PROC_RENAMES ? t->nrenames - ST_PROC_RENAMES : 0;
	/* Oldest first: the first rename after seq held the name seq saw. */
	for (uint64_t i = first; i < t->nrenames; i++) {
		const struct st_proc_rename *r = &t->renames[i % ST_PROC_RENAMES];
		if (r->slot == slot && r->pid == live->pid &&
		    r->start_ticks == live->start_ticks && r->until_seq >= seq) {
			*scratch = *live;
			scratch->ppid = r->ppid;
			memcpy(scratch->comm, r->comm, sizeof(scratch->comm));
			return scratch;
		}
	}
	return live;
}

void st_proc_table_forget(struct st_proc_table *t, uint32_t slot)
{
	struct st_proc_track *tr = &t->tracks[slot];
	if (!tr->alive)
		return;
	if (tr->fd >= 0)
		close(tr->fd);
	tr->fd = -1;
	hash_remove(t, slot);
	tr->alive = 0;
	t->nalive--;
}

void st_proc_table_reclaim(struct st_proc_table *t, uint64_t oldest_seq)
{
	for (uint32_t i = 0; i < t->nslots; i++) {
		struct st_proc_track *tr = &t->tracks[i];
		if (tr->used && !tr->alive && tr->last_seen_seq < oldest_seq) {
			tr->used = 0;
			tr->next_free = t->free_head;
			t->free_head = i;
		}
	}
}
