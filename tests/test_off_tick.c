/* Off-tick samples: the gap, the decision "now, at the end of the gap,
 * or the tick's", the count of requests served, and the steps of the
 * samples at fast_interval after a trigger. */
#include <stdint.h>

#include "cunit_runner.h"
#include "engine/off_tick.h"

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

/* Interval 1 s, steps of 100 ms, the tick before at 10 s, the next at
 * 11 s: the steps are 10.1 .. 10.9 s whatever the wake-ups' lateness. */
static void test_fast_steps(void)
{
	const int64_t S = 1000 * MS, base = 10 * S, next = 11 * S, step = 100 * MS;
	int64_t at = -1;

	/* After the tick's sample (taken 3 ms late): the first step. */
	CU_ASSERT_EQUAL(st_fast_step_decide(base + 4 * MS, base + 3 * MS, next, S, step, &at),
			ST_OFF_TICK_AT);
	CU_ASSERT_EQUAL(at, base + step);
	/* Woken on time or late for a step: now. */
	CU_ASSERT_EQUAL(st_fast_step_decide(base + step, base + 3 * MS, next, S, step, &at),
			ST_OFF_TICK_NOW);
	CU_ASSERT_EQUAL(st_fast_step_decide(base + 130 * MS, base + 3 * MS, next, S, step, &at),
			ST_OFF_TICK_NOW);
	/* A sample taken 30 ms late at 10.13 s: the next step is still 10.2. */
	CU_ASSERT_EQUAL(st_fast_step_decide(base + 131 * MS, base + 130 * MS, next, S, step, &at),
			ST_OFF_TICK_AT);
	CU_ASSERT_EQUAL(at, base + 2 * step);
	/* Taken 60 ms late (nearer the next step): that step is skipped. */
	CU_ASSERT_EQUAL(st_fast_step_decide(base + 161 * MS, base + 160 * MS, next, S, step, &at),
			ST_OFF_TICK_AT);
	CU_ASSERT_EQUAL(at, base + 3 * step);
	/* The last step, 10.9 s; after it the tick. */
	CU_ASSERT_EQUAL(st_fast_step_decide(base + 801 * MS, base + 800 * MS, next, S, step, &at),
			ST_OFF_TICK_AT);
	CU_ASSERT_EQUAL(at, base + 9 * step);
	CU_ASSERT_EQUAL(st_fast_step_decide(base + 901 * MS, base + 900 * MS, next, S, step, &at),
			ST_OFF_TICK_TICK);
	/* Woken for 10.9 s so late that the tick is within half a step. */
	CU_ASSERT_EQUAL(st_fast_step_decide(base + 960 * MS, base + 800 * MS, next, S, step, &at),
			ST_OFF_TICK_TICK);
	/* The tick overdue, its sample not taken yet. */
	CU_ASSERT_EQUAL(st_fast_step_decide(next + MS, base + 900 * MS, next, S, step, &at),
			ST_OFF_TICK_TICK);
	/* The newest sample older than the tick before (that tick failed):
	 * the first step. */
	CU_ASSERT_EQUAL(st_fast_step_decide(base + 20 * MS, base - 500 * MS, next, S, step, &at),
			ST_OFF_TICK_AT);
	CU_ASSERT_EQUAL(at, base + step);
	/* An interval that is no multiple of the step: 0.3 and 0.6, not 0.9
	 * (0.1 from the tick). */
	const int64_t s3 = 300 * MS;
	CU_ASSERT_EQUAL(st_fast_step_decide(base + MS, base, next, S, s3, &at), ST_OFF_TICK_AT);
	CU_ASSERT_EQUAL(at, base + s3);
	CU_ASSERT_EQUAL(st_fast_step_decide(base + s3 + MS, base + s3, next, S, s3, &at),
			ST_OFF_TICK_AT);
	CU_ASSERT_EQUAL(at, base + 2 * s3);
	CU_ASSERT_EQUAL(st_fast_step_decide(base + 2 * s3 + MS, base + 2 * s3, next, S, s3, &at),
			ST_OFF_TICK_TICK);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "the gap: max(100 ms, interval / 10)", test_gap },
		{ "now, at the gap's end, or the tick", test_decide },
		{ "a sample keeps a gap from both sides", test_decide_keeps_the_gaps },
		{ "requests are counted and served", test_requests_counted },
		{ "fast steps from the tick, none near the next", test_fast_steps },
		CU_TEST_INFO_NULL,
	};

	return st_test_run("off_tick", tests);
}
