/*
 * Off-tick samples. A detector that learns of a moment between two ticks
 * (a PSI trigger fired) asks for a sample then (st_host.request_sample);
 * the daemon, back at its poll, asks st_off_tick_decide whether to take it
 * now, at the end of the gap, or to leave it to the next tick. The tick
 * schedule never moves: an off-tick sample is one more sample between two
 * ticks.
 *
 * The gap: no sample closer than max(100 ms, interval / 10) to the
 * previous one or to the next tick. 100 ms because the kernel counts a
 * process's CPU in clock ticks of 10 ms (USER_HZ 100): over a shorter
 * interval one tick is more than 10 points of a core, the default
 * cpu_delta threshold, and a figure that coarse is noise. interval / 10
 * because every sample costs what a tick costs and takes a slot of the
 * history: a detector asking without pause can cost at most ten times
 * the sampling work, and shrink the seconds the history holds at most
 * tenfold.
 */
#ifndef ST_OFF_TICK_H
#define ST_OFF_TICK_H

#include <stdint.h>

#define ST_OFF_TICK_MIN_GAP_NS 100000000LL

struct st_off_tick {
	uint32_t pending;           /* requests waiting for a sample */
	char     reason[160];       /* the first of them: "plugin: reason" */
	uint64_t requests;          /* accepted requests, in all */
	uint64_t merged;            /* came while another was pending */
	uint64_t samples;           /* off-tick samples taken */
	uint64_t by_tick;           /* requests a tick served */
};

enum st_off_tick_action {
	ST_OFF_TICK_IDLE,           /* nothing pending */
	ST_OFF_TICK_NOW,            /* take it now */
	ST_OFF_TICK_AT,             /* at *at_ns, the end of the gap */
	ST_OFF_TICK_TICK,           /* the next tick is due within the gap: it
	                               serves the requests */
};

/* The gap at this interval (seconds). */
int64_t st_off_tick_gap_ns(double interval_s);

/* What to do about pending requests at now_ns, the previous sample having
 * been taken at last_ns and the next tick due at next_tick_ns. *at_ns is
 * set for ST_OFF_TICK_AT. Pure: the daemon's loop and the tests ask it. */
enum st_off_tick_action st_off_tick_decide(uint32_t pending, int64_t now_ns,
					   int64_t last_ns, int64_t next_tick_ns,
					   int64_t gap_ns, int64_t *at_ns);

/* The samples at fast_interval after a trigger (the engine's burst):
 * the next one is at the first step of step_ns from the tick before
 * (next_tick_ns - interval_ns) that comes after the newest sample
 * (last_ns) by more than half a step; none within half a step of the
 * next tick, which comes as it always does (ST_OFF_TICK_TICK). Steps
 * from the tick, not from the sample before: a late wake-up does not
 * move the ones after it. Pure, as st_off_tick_decide. */
enum st_off_tick_action st_fast_step_decide(int64_t now_ns, int64_t last_ns,
					    int64_t next_tick_ns, int64_t interval_ns,
					    int64_t step_ns, int64_t *at_ns);

/* One request (counted; logged at debug level with its reason). */
void st_off_tick_request(struct st_off_tick *o, const char *plugin, const char *reason);

/* A sample was taken (off_tick: a requested one; 0: a tick): the pending
 * requests are served. */
void st_off_tick_served(struct st_off_tick *o, int off_tick);

#endif
