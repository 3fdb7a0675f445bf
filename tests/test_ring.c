/*
 * Tests for core/sample/ring.c: wrap-around order, seq lookup, slot storage that
 * grows and is then reused, the one-slot ring, and resizing (a burst of
 * fast samples after a trigger, then back).
 */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "sample/ring.h"

#include <stdlib.h>
#include <string.h>

/* Fill the next slot with a sample numbered seq and commit it. */
static void push(struct st_ring *r, uint64_t seq)
{
	struct st_ring_slot *slot = st_ring_begin(r);

	CU_ASSERT_PTR_NOT_NULL_FATAL(slot);
	memset(&slot->sample, 0, sizeof(slot->sample));
	slot->sample.seq = seq;
	slot->sample.mono_ns = (int64_t)seq * 1000000000;
	st_ring_commit(r);
}

static void test_init_rejects_zero_capacity(void)
{
	struct st_ring r;

	CU_ASSERT_EQUAL(st_ring_init(&r, 0), -1);
	CU_ASSERT_PTR_NULL(r.slots);
	CU_ASSERT_EQUAL(r.capacity, 0);
	st_ring_destroy(&r);    /* harmless on a failed init */
}

static void test_empty(void)
{
	struct st_ring r;

	CU_ASSERT_EQUAL_FATAL(st_ring_init(&r, 4), 0);
	CU_ASSERT_EQUAL(r.count, 0);
	CU_ASSERT_PTR_NULL(st_ring_newest(&r));
	CU_ASSERT_PTR_NULL(st_ring_at(&r, 0));
	CU_ASSERT_EQUAL(st_ring_find_seq(&r, 0), -1);
	CU_ASSERT_EQUAL(st_ring_find_seq(&r, 1), -1);
	st_ring_destroy(&r);
}

static void test_fills_in_order(void)
{
	struct st_ring r;

	CU_ASSERT_EQUAL_FATAL(st_ring_init(&r, 3), 0);
	push(&r, 1);
	CU_ASSERT_EQUAL(r.count, 1);
	CU_ASSERT_EQUAL(st_ring_at(&r, 0)->seq, 1);
	CU_ASSERT_PTR_EQUAL(st_ring_newest(&r), st_ring_at(&r, 0));
	push(&r, 2);
	CU_ASSERT_EQUAL(r.count, 2);
	CU_ASSERT_EQUAL(st_ring_at(&r, 0)->seq, 1);
	CU_ASSERT_EQUAL(st_ring_at(&r, 1)->seq, 2);
	CU_ASSERT_PTR_NULL(st_ring_at(&r, 2));
	CU_ASSERT_EQUAL(st_ring_find_seq(&r, 2), 1);
	CU_ASSERT_EQUAL(st_ring_find_seq(&r, 3), -1);
	st_ring_destroy(&r);
}

static void test_wrap_around(void)
{
	struct st_ring r;

	CU_ASSERT_EQUAL_FATAL(st_ring_init(&r, 3), 0);
	for (uint64_t seq = 1; seq <= 7; seq++) {
		push(&r, seq);
		/* After every commit the view is oldest first, consecutive. */
		uint32_t want = seq < 3 ? (uint32_t)seq : 3;
		CU_ASSERT_EQUAL(r.count, want);
		for (uint32_t i = 0; i < r.count; i++)
			CU_ASSERT_EQUAL(st_ring_at(&r, i)->seq, seq - r.count + 1 + i);
		CU_ASSERT_EQUAL(st_ring_newest(&r)->seq, seq);
	}
	CU_ASSERT_EQUAL(r.count, 3);
	CU_ASSERT_EQUAL(st_ring_at(&r, 0)->seq, 5);
	CU_ASSERT_EQUAL(st_ring_at(&r, 1)->seq, 6);
	CU_ASSERT_EQUAL(st_ring_at(&r, 2)->seq, 7);
	CU_ASSERT_PTR_NULL(st_ring_at(&r, 3));
	CU_ASSERT_EQUAL(st_ring_newest(&r)->seq, 7);
	CU_ASSERT_EQUAL(st_ring_newest(&r)->mono_ns, 7000000000LL);

	CU_ASSERT_EQUAL(st_ring_find_seq(&r, 5), 0);
	CU_ASSERT_EQUAL(st_ring_find_seq(&r, 6), 1);
	CU_ASSERT_EQUAL(st_ring_find_seq(&r, 7), 2);
	CU_ASSERT_EQUAL(st_ring_find_seq(&r, 4), -1);   /* overwritten */
	CU_ASSERT_EQUAL(st_ring_find_seq(&r, 1), -1);
	CU_ASSERT_EQUAL(st_ring_find_seq(&r, 8), -1);   /* not yet taken */
	CU_ASSERT_EQUAL(st_ring_find_seq(&r, 0), -1);
	CU_ASSERT_EQUAL(st_ring_find_seq(&r, UINT64_MAX), -1);

	/* find_seq and at agree */
	for (uint64_t seq = 5; seq <= 7; seq++)
		CU_ASSERT_EQUAL(st_ring_at(&r, (uint32_t)st_ring_find_seq(&r, seq))->seq, seq);

	/* the next slot to fill is the oldest sample's */
	CU_ASSERT_PTR_EQUAL(&st_ring_begin(&r)->sample, st_ring_at(&r, 0));
	st_ring_destroy(&r);
}

static void test_reserve_procs_growth(void)
{
	struct st_ring r;

	CU_ASSERT_EQUAL_FATAL(st_ring_init(&r, 2), 0);
	struct st_ring_slot *slot = st_ring_begin(&r);

	CU_ASSERT_EQUAL_FATAL(st_ring_slot_reserve_procs(slot, 1), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(slot->procs);
	CU_ASSERT(slot->procs_cap >= 1);
	CU_ASSERT_PTR_EQUAL(slot->sample.procs, slot->procs);
	slot->procs[0].info = 4242;

	/* Growing keeps what was there and moves sample.procs along. */
	CU_ASSERT_EQUAL_FATAL(st_ring_slot_reserve_procs(slot, 5000), 0);
	CU_ASSERT(slot->procs_cap >= 5000);
	CU_ASSERT_PTR_EQUAL(slot->sample.procs, slot->procs);
	CU_ASSERT_EQUAL(slot->procs[0].info, 4242);
	for (uint32_t i = 0; i < 5000; i++)    /* ASan: all 5000 are ours */
		slot->procs[i].info = i + 1;

	/* Asking for less is a no-op. */
	struct st_proc_sample *before = slot->procs;
	uint32_t cap = slot->procs_cap;
	CU_ASSERT_EQUAL(st_ring_slot_reserve_procs(slot, 10), 0);
	CU_ASSERT_PTR_EQUAL(slot->procs, before);
	CU_ASSERT_EQUAL(slot->procs_cap, cap);

	slot->sample.seq = 1;
	slot->sample.nprocs = 5000;
	st_ring_commit(&r);
	const struct st_sample *s = st_ring_newest(&r);
	CU_ASSERT_PTR_EQUAL(s->procs, slot->procs);
	CU_ASSERT_EQUAL(s->procs[4999].info, 5000);
	st_ring_destroy(&r);
}

static void test_reserve_cores(void)
{
	struct st_ring r;

	CU_ASSERT_EQUAL_FATAL(st_ring_init(&r, 2), 0);
	struct st_ring_slot *slot = st_ring_begin(&r);

	CU_ASSERT_EQUAL_FATAL(st_ring_slot_reserve_cores(slot, 4), 0);
	CU_ASSERT(slot->cores_cap >= 4);
	CU_ASSERT_PTR_EQUAL(slot->sample.core_busy_pct, slot->cores);
	slot->cores[3] = 12.5f;
	/* CPU hotplug: more cores later */
	CU_ASSERT_EQUAL_FATAL(st_ring_slot_reserve_cores(slot, 256), 0);
	CU_ASSERT(slot->cores_cap >= 256);
	CU_ASSERT_PTR_EQUAL(slot->sample.core_busy_pct, slot->cores);
	CU_ASSERT_EQUAL(slot->cores[3], 12.5f);
	slot->cores[255] = 1.0f;
	st_ring_destroy(&r);
}

/* Once a slot has grown, coming round to it again reuses its storage. */
static void test_slot_storage_reused(void)
{
	struct st_ring r;

	CU_ASSERT_EQUAL_FATAL(st_ring_init(&r, 2), 0);
	struct st_ring_slot *first = st_ring_begin(&r);

	CU_ASSERT_EQUAL_FATAL(st_ring_slot_reserve_procs(first, 300), 0);
	struct st_proc_sample *storage = first->procs;
	uint32_t cap = first->procs_cap;
	first->sample.seq = 1;
	st_ring_commit(&r);
	push(&r, 2);

	struct st_ring_slot *again = st_ring_begin(&r);
	CU_ASSERT_PTR_EQUAL(again, first);
	CU_ASSERT_PTR_EQUAL(again->procs, storage);
	CU_ASSERT_EQUAL(again->procs_cap, cap);
	CU_ASSERT_EQUAL(st_ring_slot_reserve_procs(again, 300), 0);
	CU_ASSERT_PTR_EQUAL(again->procs, storage);
	st_ring_destroy(&r);
}

static void test_capacity_one(void)
{
	struct st_ring r;

	CU_ASSERT_EQUAL_FATAL(st_ring_init(&r, 1), 0);
	struct st_ring_slot *slot = st_ring_begin(&r);
	for (uint64_t seq = 1; seq <= 3; seq++) {
		CU_ASSERT_PTR_EQUAL(st_ring_begin(&r), slot);
		push(&r, seq);
		CU_ASSERT_EQUAL(r.count, 1);
		CU_ASSERT_EQUAL(st_ring_at(&r, 0)->seq, seq);
		CU_ASSERT_PTR_EQUAL(st_ring_newest(&r), st_ring_at(&r, 0));
		CU_ASSERT_PTR_NULL(st_ring_at(&r, 1));
		CU_ASSERT_EQUAL(st_ring_find_seq(&r, seq), 0);
		CU_ASSERT_EQUAL(st_ring_find_seq(&r, seq - 1), -1);
		CU_ASSERT_EQUAL(st_ring_find_seq(&r, seq + 1), -1);
	}
	st_ring_destroy(&r);
}

/* The samples, oldest first, are first..first+n-1, each with its own
 * process array holding its seq. */
static void assert_holds(const struct st_ring *r, uint64_t first, uint32_t n)
{
	CU_ASSERT_EQUAL_FATAL(r->count, n);
	for (uint32_t i = 0; i < n; i++) {
		const struct st_sample *s = st_ring_at(r, i);
		CU_ASSERT_EQUAL(s->seq, first + i);
		CU_ASSERT_EQUAL(st_ring_find_seq(r, first + i), (int)i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s->procs);
		CU_ASSERT_EQUAL(s->procs[0].info, (uint32_t)(first + i));
	}
	CU_ASSERT_PTR_EQUAL(st_ring_newest(r), st_ring_at(r, n - 1));
}

/* push, with a process array that names the sample. */
static void push_with_procs(struct st_ring *r, uint64_t seq)
{
	struct st_ring_slot *slot = st_ring_begin(r);
	CU_ASSERT_EQUAL_FATAL(st_ring_slot_reserve_procs(slot, 10), 0);
	slot->sample.seq = seq;
	slot->sample.nprocs = 1;
	slot->procs[0].info = (uint32_t)seq;
	st_ring_commit(r);
}

/* Growing a full, wrapped ring keeps every sample in order; the new
 * slots take the next samples before the oldest is overwritten. */
static void test_grow_keeps_samples(void)
{
	struct st_ring r;

	CU_ASSERT_EQUAL_FATAL(st_ring_init(&r, 3), 0);
	for (uint64_t seq = 1; seq <= 5; seq++)
		push_with_procs(&r, seq);           /* holds 3, 4, 5; wrapped */
	CU_ASSERT_EQUAL_FATAL(st_ring_resize(&r, 6), 0);
	CU_ASSERT_EQUAL(r.capacity, 6);
	assert_holds(&r, 3, 3);
	for (uint64_t seq = 6; seq <= 8; seq++)
		push_with_procs(&r, seq);
	assert_holds(&r, 3, 6);
	push_with_procs(&r, 9);                     /* now the oldest goes */
	assert_holds(&r, 4, 6);
	st_ring_destroy(&r);
}

/* Shrinking drops the oldest samples and frees the slots it gives up;
 * the ring then wraps at its old size again. */
static void test_shrink_drops_oldest(void)
{
	struct st_ring r;

	CU_ASSERT_EQUAL_FATAL(st_ring_init(&r, 3), 0);
	for (uint64_t seq = 1; seq <= 3; seq++)
		push_with_procs(&r, seq);
	CU_ASSERT_EQUAL_FATAL(st_ring_resize(&r, 7), 0);
	for (uint64_t seq = 4; seq <= 9; seq++)     /* 3..9 held, wrapped */
		push_with_procs(&r, seq);
	assert_holds(&r, 3, 7);
	CU_ASSERT_EQUAL_FATAL(st_ring_resize(&r, 3), 0);
	CU_ASSERT_EQUAL(r.capacity, 3);
	assert_holds(&r, 7, 3);
	for (uint64_t seq = 10; seq <= 13; seq++)
		push_with_procs(&r, seq);
	assert_holds(&r, 11, 3);
	st_ring_destroy(&r);
}

/* A ring not yet full: shrinking below its count keeps the newest;
 * resizing to the same size changes nothing; 0 is refused. */
static void test_resize_partial(void)
{
	struct st_ring r;

	CU_ASSERT_EQUAL_FATAL(st_ring_init(&r, 10), 0);
	for (uint64_t seq = 1; seq <= 4; seq++)
		push_with_procs(&r, seq);
	CU_ASSERT_EQUAL(st_ring_resize(&r, 0), -1);
	CU_ASSERT_EQUAL(st_ring_resize(&r, 10), 0);
	assert_holds(&r, 1, 4);
	CU_ASSERT_EQUAL_FATAL(st_ring_resize(&r, 2), 0);
	assert_holds(&r, 3, 2);
	push_with_procs(&r, 5);
	assert_holds(&r, 4, 2);
	CU_ASSERT_EQUAL_FATAL(st_ring_resize(&r, 5), 0);
	push_with_procs(&r, 6);
	assert_holds(&r, 4, 3);
	st_ring_destroy(&r);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "init rejects capacity 0", test_init_rejects_zero_capacity },
		{ "empty ring", test_empty },
		{ "fills oldest first", test_fills_in_order },
		{ "wrap-around, capacity 3, seq 1..7", test_wrap_around },
		{ "reserve_procs growth", test_reserve_procs_growth },
		{ "reserve_cores growth", test_reserve_cores },
		{ "slot storage reused", test_slot_storage_reused },
		{ "capacity 1", test_capacity_one },
		{ "grow keeps the samples in order", test_grow_keeps_samples },
		{ "shrink drops the oldest", test_shrink_drops_oldest },
		{ "resize a ring not yet full", test_resize_partial },
		CU_TEST_INFO_NULL,
	};

	return st_test_run("ring", tests);
}
