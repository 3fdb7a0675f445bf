/*
 * The last `capacity` samples. Each slot owns its process and per-core
 * arrays, sized up as the system grows and then reused: once the largest
 * process count has been seen, taking a sample allocates nothing.
 */
#ifndef ST_RING_H
#define ST_RING_H

#include <stdint.h>
#include <spiketrace/model.h>

struct st_ring_slot {
	struct st_sample sample;
	struct st_proc_sample *procs;   /* sample.procs points here */
	uint32_t procs_cap;
	float *cores;                   /* sample.core_busy_pct points here */
	uint32_t *core_ids;             /* sample.core_id points here */
	float *core_user, *core_system; /* sample.core_user_pct, core_system_pct */
	uint32_t cores_cap;
	struct st_exited_group *exited; /* sample.exited: ST_EXITED_ROWS, made
	                                   the first time a sample has any */
};

struct st_ring {
	uint32_t capacity;
	uint32_t count;                 /* samples held, <= capacity */
	uint32_t next;                  /* slot the next sample goes into */
	struct st_ring_slot *slots;
	const struct st_sample **view;  /* oldest first, rebuilt on commit */
};

/* Returns 0 or -1 (out of memory). */
int st_ring_init(struct st_ring *r, uint32_t capacity);
void st_ring_destroy(struct st_ring *r);

/* Hold capacity samples from now on. Growing keeps every sample (the
 * samples at fast_interval after a trigger take the new slots); shrinking
 * drops the oldest samples beyond it and frees their slots' memory, so
 * that a burst's slots cost nothing once its dump is built. Samples move
 * to other slots: pointers into the ring (st_ring_at, st_ring_begin) are
 * stale after it. Returns 0, or -1 (out of memory: the ring unchanged). */
int st_ring_resize(struct st_ring *r, uint32_t capacity);

/* The slot to fill next (the oldest sample once full). Its previous
 * content is garbage to the caller; it joins the ring on st_ring_commit. */
struct st_ring_slot *st_ring_begin(struct st_ring *r);
void st_ring_commit(struct st_ring *r);

/* Make room for n processes / n cores in a slot being filled.
 * Returns 0 or -1 (out of memory, slot unchanged). */
int st_ring_slot_reserve_procs(struct st_ring_slot *s, uint32_t n);
int st_ring_slot_reserve_cores(struct st_ring_slot *s, uint32_t n);
int st_ring_slot_reserve_exited(struct st_ring_slot *s);

/* i = 0 is the oldest sample, count - 1 the newest. */
const struct st_sample *st_ring_at(const struct st_ring *r, uint32_t i);
const struct st_sample *st_ring_newest(const struct st_ring *r);
/* Index (as for st_ring_at) of the sample with this seq, or -1. */
int st_ring_find_seq(const struct st_ring *r, uint64_t seq);

#endif
