/* Off-tick samples: the gap, the decision "now, at the end of the gap,
 * or the tick's", and the count of requests served. */
#include <stdint.h>

#include "cunit_runner.h"
#include "off_tick.h"

#define MS 1000000LL

static void test_gap(void)
{
	CU_ASSERT_EQUAL(st_off_tick_gap_ns(1.0), 100 * MS);
	CU_ASSERT_EQUAL(st_off_tick_gap_ns(0.1), 100 * MS);    /* the floor */
	CU_ASSERT_EQUAL(st_off_tick_gap_ns(0.5), 100 * MS);
	CU_ASSERT_EQUAL(st_off_tick_gap_ns(2.5), 250 * MS);
	CU_ASSERT_EQUAL(st_off_tick_gap_ns(60), 6000 * MS);
}

static void test_decide(void)
{
	int64_t at = -1;
	const int64_t gap = 100 * MS, tick = 1000 * MS;     /* last sample at 0 */

	CU_ASSERT_EQUAL(st_off_tick_decide(0, 500 * MS, 0, tick, gap, &at), ST_OFF_TICK_IDLE);
	CU_ASSERT_EQUAL(st_off_tick_decide(1, 500 * MS, 0, tick, gap, &at), ST_OFF_TICK_NOW);
	/* Just after the previous sample: at the end of its gap. */
	CU_ASSERT_EQUAL(st_off_tick_decide(3, 20 * MS, 0, tick, gap, &at), ST_OFF_TICK_AT);
	CU_ASSERT_EQUAL(at, 100 * MS);
	/* Close to the tick: the tick serves it. */
	CU_ASSERT_EQUAL(st_off_tick_decide(1, 950 * MS, 0, tick, gap, &at), ST_OFF_TICK_TICK);
	CU_ASSERT_EQUAL(st_off_tick_decide(1, 900 * MS, 0, tick, gap, &at), ST_OFF_TICK_NOW);
	/* After an off-tick sample at 850 ms, its gap ends too near the tick. */
	CU_ASSERT_EQUAL(st_off_tick_decide(1, 860 * MS, 850 * MS, tick, gap, &at),
			ST_OFF_TICK_TICK);
	/* The tick is overdue (its fd not read yet). */
	CU_ASSERT_EQUAL(st_off_tick_decide(1, 1010 * MS, 0, tick, gap, &at), ST_OFF_TICK_TICK);
	/* At interval 0.1 the gap is the interval: never between ticks. */
	for (int64_t now = 0; now < 100 * MS; now += MS)
		CU_ASSERT_EQUAL(st_off_tick_decide(1, now, 0, 100 * MS, 100 * MS, &at),
				ST_OFF_TICK_TICK);
}

/* Whatever the moment of the request, a sample it leads to is at least a
 * gap from the previous sample and from the next tick, and never later
 * than the tick: the schedule is untouched and no interval is too short. */
static void test_decide_keeps_the_gaps(void)
{
	const int64_t gap = 100 * MS, tick = 1000 * MS;
	int bad = 0, off_tick = 0;
	for (int64_t last = 0; last < tick; last += 50 * MS) {
		for (int64_t now = last; now < tick; now += 5 * MS) {
			int64_t at = -1, when;
			switch (st_off_tick_decide(1, now, last, tick, gap, &at)) {
			case ST_OFF_TICK_NOW: when = now; break;
			case ST_OFF_TICK_AT:  when = at; bad += at <= now; break;
			default: continue;
			}
			off_tick++;
			bad += when - last < gap || tick - when < gap;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(off_tick > 0);
}

static void test_requests_counted(void)
{
	struct st_off_tick o = { 0 };
	st_off_tick_request(&o, "psi", "memory some 150 ms in 1 s");
	st_off_tick_request(&o, "psi", NULL);
	st_off_tick_request(&o, "other", "x");
	CU_ASSERT_EQUAL(o.pending, 3);
	CU_ASSERT_EQUAL(o.requests, 3);
	CU_ASSERT_EQUAL(o.merged, 2);
	CU_ASSERT_STRING_EQUAL(o.reason, "psi: memory some 150 ms in 1 s");
	st_off_tick_served(&o, 1);
	CU_ASSERT_EQUAL(o.pending, 0);
	CU_ASSERT_EQUAL(o.samples, 1);
	CU_ASSERT_EQUAL(o.by_tick, 0);

	st_off_tick_request(&o, "psi", "again");
	st_off_tick_served(&o, 0);          /* a tick came first */
	CU_ASSERT_EQUAL(o.pending, 0);
	CU_ASSERT_EQUAL(o.by_tick, 1);
	st_off_tick_served(&o, 0);          /* a tick with nothing pending */
	CU_ASSERT_EQUAL(o.by_tick, 1);
	CU_ASSERT_EQUAL(o.samples, 1);
	CU_ASSERT_EQUAL(o.requests, 4);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "the gap: max(100 ms, interval / 10)", test_gap },
		{ "now, at the gap's end, or the tick", test_decide },
		{ "a sample keeps a gap from both sides", test_decide_keeps_the_gaps },
		{ "requests are counted and served", test_requests_counted },
		CU_TEST_INFO_NULL,
	};

	return st_test_run("off_tick", tests);
}
