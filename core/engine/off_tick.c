#include "engine/off_tick.h"

#include <stdio.h>

#include "daemon/log.h"

int64_t st_off_tick_gap_ns(double interval_s)
{
	int64_t tenth = (int64_t)(interval_s * 1e8);
	return tenth > ST_OFF_TICK_MIN_GAP_NS ? tenth : ST_OFF_TICK_MIN_GAP_NS;
}

enum st_off_tick_action st_off_tick_decide(uint32_t pending, int64_t now_ns,
					   int64_t last_ns, int64_t next_tick_ns,
					   int64_t gap_ns, int64_t *at_ns)
{
	if (!pending)
		return ST_OFF_TICK_IDLE;
	int64_t at = last_ns + gap_ns > now_ns ? last_ns + gap_ns : now_ns;
	/* A sample at `at` would leave less than the gap to the tick: the
	 * tick is as soon, and one sample fewer. */
	if (at + gap_ns > next_tick_ns)
		return ST_OFF_TICK_TICK;
	if (at <= now_ns)
		return ST_OFF_TICK_NOW;
	*at_ns = at;
	return ST_OFF_TICK_AT;
}

enum st_off_tick_action st_fast_step_decide(int64_t now_ns, int64_t last_ns,
					    int64_t next_tick_ns, int64_t interval_ns,
					    int64_t step_ns, int64_t *at_ns)
{
	int64_t base = next_tick_ns - interval_ns;
	int64_t k = last_ns >= base ? (last_ns - base + step_ns / 2) / step_ns + 1 : 1;
	int64_t at = base + k * step_ns;
	if (at < now_ns)
		at = now_ns;        /* woke late: now, if not too near the tick */
	if (at > next_tick_ns - step_ns / 2)
		return ST_OFF_TICK_TICK;
	if (at <= now_ns)
		return ST_OFF_TICK_NOW;
	*at_ns = at;
	return ST_OFF_TICK_AT;
}

void st_off_tick_request(struct st_off_tick *o, const char *plugin, const char *reason)
{
	o->requests++;
	if (o->pending++)
		o->merged++;
	else
		snprintf(o->reason, sizeof(o->reason), "%s: %s", plugin,
			 reason ? reason : "(no reason given)");
	st_debug("plugin %s asks for an off-tick sample: %s%s", plugin,
		 reason ? reason : "(no reason given)",
		 o->pending > 1 ? " (joins the one pending)" : "");
}

void st_off_tick_served(struct st_off_tick *o, int off_tick)
{
	if (!o->pending && !off_tick)
		return;
	if (off_tick) {
		o->samples++;
		st_debug("off-tick sample for %u request(s), first %s", (unsigned)o->pending,
			 o->reason);
	} else {
		o->by_tick += o->pending;
		st_debug("the tick serves %u off-tick request(s), first %s",
			 (unsigned)o->pending, o->reason);
	}
	o->pending = 0;
}
