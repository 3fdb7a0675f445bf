#include "sample/ring.h"
#include "events/exited_groups.h"

#include <stdlib.h>
#include <string.h>

int st_ring_init(struct st_ring *r, uint32_t capacity)
{
	memset(r, 0, sizeof(*r));
	if (capacity == 0)
		return -1;
	r->slots = calloc(capacity, sizeof(*r->slots));
	r->view = calloc(capacity, sizeof(*r->view));
	if (!r->slots || !r->view) {
		st_ring_destroy(r);
		return -1;
	}
	r->capacity = capacity;
	return 0;
}

static void slot_free(struct st_ring_slot *s)
{
	free(s->procs);
	free(s->cores);
	free(s->core_ids);
	free(s->core_user);
	free(s->core_system);
	free(s->exited);
	memset(s, 0, sizeof(*s));
}

void st_ring_destroy(struct st_ring *r)
{
	for (uint32_t i = 0; r->slots && i < r->capacity; i++)
		slot_free(&r->slots[i]);
	free(r->slots);
	free(r->view);
	memset(r, 0, sizeof(*r));
}

static void rebuild_view(struct st_ring *r)
{
	uint32_t first = (r->next + r->capacity - r->count) % r->capacity;
	for (uint32_t i = 0; i < r->count; i++)
		r->view[i] = &r->slots[(first + i) % r->capacity].sample;
}

int st_ring_resize(struct st_ring *r, uint32_t capacity)
{
	if (capacity == 0)
		return -1;
	if (capacity == r->capacity)
		return 0;
	struct st_ring_slot *slots = calloc(capacity, sizeof(*slots));
	const struct st_sample **view = calloc(capacity, sizeof(*view));
	if (!slots || !view) {
		free(slots);
		free(view);
		return -1;
	}
	/* Oldest first: the samples, then the slots not in use. A slot
	 * moves with its arrays (a sample points into its slot's arrays,
	 * never into the slot). */
	uint32_t first = (r->next + r->capacity - r->count) % r->capacity;
	uint32_t drop = r->count > capacity ? r->count - capacity : 0, n = 0;
	for (uint32_t i = 0; i < r->capacity; i++) {
		struct st_ring_slot *s = &r->slots[(first + i) % r->capacity];
		if (i < drop || n == capacity)
			slot_free(s);
		else
			slots[n++] = *s;
	}
	free(r->slots);
	free(r->view);
	r->slots = slots;
	r->view = view;
	r->capacity = capacity;
	r->count -= drop;
	r->next = r->count % capacity;
	rebuild_view(r);
	return 0;
}

struct st_ring_slot *st_ring_begin(struct st_ring *r)
{
	return &r->slots[r->next];
}

void st_ring_commit(struct st_ring *r)
{
	r->next = (r->next + 1) % r->capacity;
	if (r->count < r->capacity)
		r->count++;
	rebuild_view(r);
}

/* Grow geometrically so a slowly rising process count reallocates rarely. */
static uint32_t grown(uint32_t cap, uint32_t n)
{
	uint32_t c = cap ? cap : 64;
	while (c < n)
		c += c / 2;
	return c;
}

int st_ring_slot_reserve_procs(struct st_ring_slot *s, uint32_t n)
{
	if (n <= s->procs_cap)
		return 0;
	uint32_t cap = grown(s->procs_cap, n);
	struct st_proc_sample *p = realloc(s->procs, sizeof(*p) * cap);
	if (!p)
		return -1;
	s->procs = p;
	s->procs_cap = cap;
	s->sample.procs = p;
	return 0;
}

int st_ring_slot_reserve_cores(struct st_ring_slot *s, uint32_t n)
{
	if (n <= s->cores_cap)
		return 0;
	/* Each array grows on its own; cores_cap moves only when all did,
	 * so a failure leaves the slot as it was (bigger arrays are fine). */
	float **floats[] = { &s->cores, &s->core_user, &s->core_system };
	for (size_t i = 0; i < sizeof(floats) / sizeof(floats[0]); i++) {
		float *c = realloc(*floats[i], sizeof(float) * n);
		if (!c)
			return -1;
		*floats[i] = c;
	}
	uint32_t *ids = realloc(s->core_ids, sizeof(*ids) * n);
	if (!ids)
		return -1;
	s->core_ids = ids;
	s->cores_cap = n;
	s->sample.core_busy_pct = s->cores;
	s->sample.core_user_pct = s->core_user;
	s->sample.core_system_pct = s->core_system;
	s->sample.core_id = ids;
	return 0;
}

const struct st_sample *st_ring_at(const struct st_ring *r, uint32_t i)
{
	return i < r->count ? r->view[i] : NULL;
}

const struct st_sample *st_ring_newest(const struct st_ring *r)
{
	return r->count ? r->view[r->count - 1] : NULL;
}

int st_ring_find_seq(const struct st_ring *r, uint64_t seq)
{
	if (!r->count)
		return -1;
	/* Sequence numbers are consecutive within the ring. */
	uint64_t oldest = r->view[0]->seq;
	if (seq < oldest || seq - oldest >= r->count)
		return -1;
	return (int)(seq - oldest);
}

int st_ring_slot_reserve_exited(struct st_ring_slot *s)
{
	if (!s->exited)
		s->exited = calloc(ST_EXITED_ROWS, sizeof(*s->exited));
	return s->exited ? 0 : -1;
}
