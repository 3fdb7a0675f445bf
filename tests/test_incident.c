/*
 * Tests for core/engine/incident.c: per-key cooldown, grouping of triggers into the
 * open incident, the post-trigger window and the global rate limit. Samples
 * are built by hand; time is sample time (mono_ns), never the real clock.
 */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "engine/incident.h"

#include <stdio.h>
#include <string.h>

#define NS 1000000000LL
/* Sample time starts well after 0, as CLOCK_MONOTONIC does after boot. */
#define MONO_BASE (1000 * NS)
#define WALL_BASE (1700000000 * NS)

static struct st_sample sample_at(uint64_t seq, double t_s)
{
	struct st_sample s;

	memset(&s, 0, sizeof(s));
	s.seq = seq;
	s.mono_ns = MONO_BASE + (int64_t)(t_s * 1e9);
	s.wall_ns = WALL_BASE + (int64_t)(t_s * 1e9);
	s.interval_s = 1.0;
	return s;
}

static struct st_trigger trig(const char *type, int32_t pid, uint64_t start_ticks)
{
	struct st_trigger t;

	memset(&t, 0, sizeof(t));
	snprintf(t.type, sizeof(t.type), "%s", type);
	t.pid = pid;
	t.start_ticks = start_ticks;
	snprintf(t.comm, sizeof(t.comm), "proc%d", pid);
	t.value = 90;
	t.threshold = 50;
	snprintf(t.units, sizeof(t.units), "pct");
	snprintf(t.summary, sizeof(t.summary), "%s by %d", type, pid);
	return t;
}

/* Offer one trigger at (seq, t_s); returns how many were kept (0 or 1). */
static size_t offer1(struct st_incidents *inc, const char *type, int32_t pid,
		     uint64_t start, double cooldown_s, uint64_t seq, double t_s)
{
	struct st_trigger t = trig(type, pid, start);
	struct st_sample s = sample_at(seq, t_s);

	return st_incidents_offer(inc, &t, 1, cooldown_s, &s);
}

static void test_system_event_cooldown_per_type(void)
{
	struct st_incidents inc;
	struct st_sample s1 = sample_at(1, 0), s2 = sample_at(2, 1), s3 = sample_at(8, 7);
	struct st_trigger a = trig("mem_drop", 10, 111), b = trig("mem_drop", 20, 222);
	a.flags = b.flags = ST_TRIGGER_SYSTEM;

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 3, 100), 0);
	CU_ASSERT_EQUAL(st_incidents_offer(&inc, &a, 1, 5, &s1), 1);
	/* Memory still falling, another suspect: the same event. */
	CU_ASSERT_EQUAL(st_incidents_offer(&inc, &b, 1, 5, &s2), 0);
	/* After the cooldown it is a new event. */
	CU_ASSERT_EQUAL(st_incidents_offer(&inc, &b, 1, 5, &s3), 1);
	st_incidents_destroy(&inc);
}

static void test_cooldown_per_key(void)
{
	struct st_incidents inc;

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 3, 100), 0);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 111, 5, 1, 0), 1);
	/* same type + pid + start within the cooldown: dropped */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 111, 5, 2, 1), 0);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 111, 5, 5, 4.999), 0);
	/* another key is not held back by this one's cooldown */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 11, 111, 5, 2, 1), 1);
	CU_ASSERT_EQUAL(offer1(&inc, "mem_drop", 10, 111, 5, 2, 1), 1);
	/* the same pid reused by another process is another key */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 222, 5, 2, 1), 1);
	CU_ASSERT_EQUAL(inc.ntriggers, 4);
	/* once the cooldown has passed the key fires again, and its new
	 * cooldown runs from then */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 111, 5, 6, 5), 1);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 111, 5, 7, 6), 0);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 111, 5, 11, 10), 1);
	/* cooldown 0: every sample may fire */
	CU_ASSERT_EQUAL(offer1(&inc, "zero", 1, 1, 0, 12, 11), 1);
	CU_ASSERT_EQUAL(offer1(&inc, "zero", 1, 1, 0, 13, 12), 1);
	st_incidents_destroy(&inc);
}

static void test_cooldown_within_one_offer(void)
{
	struct st_incidents inc;
	struct st_trigger t[3];
	struct st_sample s = sample_at(1, 0);

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 3, 100), 0);
	t[0] = trig("cpu_delta", 10, 1);
	t[1] = trig("cpu_delta", 10, 1);        /* duplicate key */
	t[2] = trig("cpu_delta", 12, 1);
	CU_ASSERT_EQUAL(st_incidents_offer(&inc, t, 3, 5, &s), 2);
	CU_ASSERT_EQUAL_FATAL(inc.ntriggers, 2);
	CU_ASSERT_EQUAL(inc.triggers[0].pid, 10);
	CU_ASSERT_EQUAL(inc.triggers[1].pid, 12);
	st_incidents_destroy(&inc);
}

static void test_triggers_join_open_incident(void)
{
	struct st_incidents inc;

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 3, 100), 0);
	CU_ASSERT_EQUAL(inc.open, 0);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 1, 5, 20, 0), 1);
	CU_ASSERT_EQUAL(inc.open, 1);
	CU_ASSERT_EQUAL(inc.first_seq, 20);
	CU_ASSERT_EQUAL(inc.first_mono_ns, MONO_BASE);
	CU_ASSERT_EQUAL(inc.first_wall_ns, WALL_BASE);
	CU_ASSERT_EQUAL(offer1(&inc, "mem_drop", 0, 0, 5, 21, 1), 1);

	/* both listed, in order, each with the sample that saw it */
	CU_ASSERT_EQUAL_FATAL(inc.ntriggers, 2);
	CU_ASSERT_STRING_EQUAL(inc.triggers[0].type, "cpu_delta");
	CU_ASSERT_EQUAL(inc.triggers[0].pid, 10);
	CU_ASSERT_EQUAL(inc.triggers[0].sample_seq, 20);
	CU_ASSERT_STRING_EQUAL(inc.triggers[0].comm, "proc10");
	CU_ASSERT_STRING_EQUAL(inc.triggers[0].summary, "cpu_delta by 10");
	CU_ASSERT_EQUAL(inc.triggers[0].value, 90);
	CU_ASSERT_STRING_EQUAL(inc.triggers[1].type, "mem_drop");
	CU_ASSERT_EQUAL(inc.triggers[1].sample_seq, 21);
	/* the incident still starts at the first trigger */
	CU_ASSERT_EQUAL(inc.first_seq, 20);
	CU_ASSERT_EQUAL(inc.first_mono_ns, MONO_BASE);

	/* closing forgets it; the next trigger opens a fresh one */
	st_incidents_close(&inc);
	CU_ASSERT_EQUAL(inc.open, 0);
	CU_ASSERT_EQUAL(inc.ntriggers, 0);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 100), 0);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 11, 1, 5, 30, 10), 1);
	CU_ASSERT_EQUAL(inc.open, 1);
	CU_ASSERT_EQUAL(inc.first_seq, 30);
	CU_ASSERT_EQUAL(inc.first_mono_ns, MONO_BASE + 10 * NS);
	CU_ASSERT_EQUAL_FATAL(inc.ntriggers, 1);
	CU_ASSERT_EQUAL(inc.triggers[0].pid, 11);
	st_incidents_destroy(&inc);
}

static void test_due_after_post_trigger(void)
{
	struct st_incidents inc;

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 3, 100), 0);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 10), 0);         /* nothing open */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 1, 5, 10, 0), 1);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 10), 0);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 11), 0);
	/* a trigger joining later does not extend the window */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 11, 1, 5, 12, 2), 1);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 12), 0);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 13), 1);         /* 10 + 3 */
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 14), 1);
	st_incidents_close(&inc);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 14), 0);
	st_incidents_destroy(&inc);

	/* post_trigger 0: due on the sample that opened it */
	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 0, 100), 0);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 1, 5, 7, 0), 1);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 7), 1);
	st_incidents_destroy(&inc);
}

static void test_rate_limit(void)
{
	struct st_incidents inc;

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 0, 1), 0);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 1, 0, 1, 0), 1);
	CU_ASSERT_EQUAL(inc.open, 1);
	/* while open, triggers join: the limit counts incidents, not triggers */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 11, 1, 0, 1, 0), 1);
	CU_ASSERT_EQUAL(inc.ntriggers, 2);
	st_incidents_close(&inc);
	CU_ASSERT_EQUAL(inc.dropped, 0);

	/* a second incident 1 s later: dropped and counted */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 12, 1, 0, 2, 1), 0);
	CU_ASSERT_EQUAL(inc.open, 0);
	CU_ASSERT_EQUAL(inc.ntriggers, 0);
	CU_ASSERT_EQUAL(inc.dropped, 1);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 13, 1, 0, 31, 30), 0);
	CU_ASSERT_EQUAL(inc.dropped, 2);

	/* 60 s of sample time after the first: allowed again */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 14, 1, 0, 61, 60), 1);
	CU_ASSERT_EQUAL(inc.open, 1);
	CU_ASSERT_EQUAL(inc.first_seq, 61);
	CU_ASSERT_EQUAL(inc.dropped, 2);
	st_incidents_close(&inc);
	/* and the bucket is empty again */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 15, 1, 0, 62, 61), 0);
	CU_ASSERT_EQUAL(inc.dropped, 3);
	st_incidents_destroy(&inc);
}

/* A burst up to max_dumps_per_minute passes, then one more per refill. */
static void test_rate_limit_burst(void)
{
	struct st_incidents inc;

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 0, 6), 0);
	for (int i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 100 + i, 1, 0, 1 + i, 0.001 * i), 1);
		st_incidents_close(&inc);
	}
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 200, 1, 0, 10, 0.01), 0);
	CU_ASSERT_EQUAL(inc.dropped, 1);
	/* 6 a minute: one token every 10 s */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 201, 1, 0, 20, 10.02), 1);
	st_incidents_close(&inc);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 202, 1, 0, 21, 11), 0);
	CU_ASSERT_EQUAL(inc.dropped, 2);
	st_incidents_destroy(&inc);
}

static void test_trigger_overflow(void)
{
	struct st_incidents inc;
	struct st_trigger t[100];
	struct st_sample s = sample_at(1, 0);

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 3, 100), 0);
	for (int i = 0; i < 100; i++)
		t[i] = trig("cpu_delta", 1000 + i, 1);
	/* all kept (they passed their cooldowns), only cap listed */
	CU_ASSERT_EQUAL(st_incidents_offer(&inc, t, 100, 5, &s), 100);
	CU_ASSERT_EQUAL(inc.ntriggers, inc.cap);
	CU_ASSERT_EQUAL(inc.overflow, 100 - inc.cap);
	CU_ASSERT_EQUAL(inc.triggers[inc.cap - 1].pid, 1000 + (int32_t)inc.cap - 1);
	st_incidents_close(&inc);
	CU_ASSERT_EQUAL(inc.overflow, 0);
	st_incidents_destroy(&inc);
}

/* A plugin's strings may come without their NUL: the core terminates them. */
static void test_unterminated_strings(void)
{
	struct st_incidents inc;
	struct st_trigger t;
	struct st_sample s = sample_at(1, 0);

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 3, 100), 0);
	memset(&t, 'x', sizeof(t));
	t.pid = 5;
	t.start_ticks = 5;
	CU_ASSERT_EQUAL(st_incidents_offer(&inc, &t, 1, 5, &s), 1);
	CU_ASSERT_EQUAL_FATAL(inc.ntriggers, 1);
	CU_ASSERT_EQUAL(strlen(inc.triggers[0].type), ST_TRIGGER_TYPE_MAX - 1);
	CU_ASSERT_EQUAL(strlen(inc.triggers[0].comm), ST_COMM_MAX - 1);
	CU_ASSERT_EQUAL(strlen(inc.triggers[0].units), ST_TRIGGER_UNITS_MAX - 1);
	CU_ASSERT_EQUAL(strlen(inc.triggers[0].summary), ST_TRIGGER_SUMMARY_MAX - 1);
	CU_ASSERT_EQUAL(inc.triggers[0].sample_seq, 1);
	/* and the key still matches on the next offer */
	t = inc.triggers[0];
	s = sample_at(2, 1);
	CU_ASSERT_EQUAL(st_incidents_offer(&inc, &t, 1, 5, &s), 0);
	st_incidents_destroy(&inc);
}

/* More distinct keys than the cooldown table holds: the key whose
 * cooldown ends first makes room; memory stays bounded. */
static void test_cooldown_table_full(void)
{
	struct st_incidents inc;
	size_t keys;

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 3, 1e6), 0);
	keys = inc.coolcap;
	for (size_t i = 0; i <= keys; i++)
		CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", (int32_t)i + 1, 1, 60,
				       1, 0.001 * (double)i), 1);
	CU_ASSERT_EQUAL(inc.ncool, keys);
	/* key 2 is still remembered, key 1 made room for the last one */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 2, 1, 60, 2, 2), 0);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", (int32_t)keys + 1, 1, 60, 2, 2), 0);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 1, 1, 60, 2, 2), 1);
	CU_ASSERT_EQUAL(inc.ncool, keys);
	st_incidents_destroy(&inc);
}

/* A trigger the rate limit refuses starts no cooldown: once a token is
 * back, the same key fires at once instead of waiting out a cooldown it
 * never had the dump of. */
static void test_rate_limited_leaves_no_cooldown(void)
{
	struct st_incidents inc;

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 0, 1), 0);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 1, 300, 1, 0), 1);
	st_incidents_close(&inc);
	/* Another key, refused by the limit, with a 300 s cooldown. */
	CU_ASSERT_EQUAL(offer1(&inc, "mem_pressure", 0, 0, 300, 59, 59.5), 0);
	CU_ASSERT_EQUAL(inc.dropped, 1);
	/* Half a second later a token is back: it is taken. */
	CU_ASSERT_EQUAL(offer1(&inc, "mem_pressure", 0, 0, 300, 60, 60), 1);
	/* and now its cooldown runs */
	st_incidents_close(&inc);
	CU_ASSERT_EQUAL(offer1(&inc, "mem_pressure", 0, 0, 300, 200, 200), 0);
	CU_ASSERT_EQUAL(inc.dropped, 1);
	st_incidents_destroy(&inc);
}

/* A dump asked for (SIGUSR1) is never refused by the rate limit, and
 * takes no token from the detectors. */
static void test_unlimited_offer(void)
{
	struct st_incidents inc;
	struct st_sample s = sample_at(2, 1);
	struct st_trigger t = trig("manual", 0, 0);

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 0, 1), 0);
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 10, 1, 0, 1, 0), 1);
	st_incidents_close(&inc);
	CU_ASSERT_EQUAL(st_incidents_offer_one(&inc, &t, 0, &s, ST_OFFER_UNLIMITED), 1);
	CU_ASSERT_EQUAL(inc.open, 1);
	CU_ASSERT_EQUAL(inc.first_seq, 2);
	st_incidents_close(&inc);
	CU_ASSERT_EQUAL(inc.dropped, 0);
	/* and again */
	s = sample_at(3, 2);
	CU_ASSERT_EQUAL(st_incidents_offer_one(&inc, &t, 0, &s, ST_OFFER_UNLIMITED), 1);
	st_incidents_close(&inc);
	/* 60 s after the first: the detectors' token is back, untouched. */
	CU_ASSERT_EQUAL(offer1(&inc, "cpu_delta", 11, 1, 0, 61, 60), 1);
	st_incidents_destroy(&inc);
}

/* Offer a trigger of this key and value at (seq, seq - 1 s). */
static size_t offer_value(struct st_incidents *inc, const char *type, int32_t pid,
			  double value, double cooldown_s, uint64_t seq)
{
	struct st_trigger t = trig(type, pid, 1);
	struct st_sample s = sample_at(seq, (double)seq - 1);

	t.value = value;
	return st_incidents_offer(inc, &t, 1, cooldown_s, &s);
}

/* Episodes: the same key firing on later samples extends the open
 * incident up to max_extension samples; the dump lists its first, its
 * peak and its last trigger; it is due post_trigger after its last. */
static void test_episode_extends_incident(void)
{
	struct st_incidents inc;

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 2, 100), 0);
	st_incidents_configure(&inc, 2, 100, 5);
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 10, 5, 10), 1);
	/* the same sample again: a duplicate, not more of the episode */
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 11, 5, 10), 0);
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 30, 5, 11), 1);
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 20, 5, 12), 1);
	/* another key joins, and does not move the end */
	CU_ASSERT_EQUAL(offer_value(&inc, "cpu_delta", 8, 90, 5, 12), 1);
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 25, 5, 13), 1);
	CU_ASSERT_EQUAL(inc.last_seq, 13);
	CU_ASSERT_EQUAL(inc.due_seq, 13 + 2);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 14), 0);
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 15, 5, 15), 1);
	/* first 10, peak 30, last 15 (in the slot the episode took at 12,
	 * before cpu_delta joined: each keeps its sample_seq) */
	CU_ASSERT_EQUAL_FATAL(inc.ntriggers, 4);
	CU_ASSERT_EQUAL(inc.triggers[0].value, 10);
	CU_ASSERT_EQUAL(inc.triggers[1].value, 30);
	CU_ASSERT_EQUAL(inc.triggers[1].sample_seq, 11);
	CU_ASSERT_EQUAL(inc.triggers[2].value, 15);
	CU_ASSERT_EQUAL(inc.triggers[2].sample_seq, 15);
	CU_ASSERT_STRING_EQUAL(inc.triggers[3].type, "cpu_delta");
	CU_ASSERT_EQUAL(inc.fired, 6);
	/* 5 samples after the first: the cap */
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 99, 5, 16), 0);
	CU_ASSERT_EQUAL(inc.last_seq, 15);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 16), 0);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 17), 1);
	st_incidents_close(&inc);
	/* The cooldown runs from the episode's last trigger (seq 15 = 14 s):
	 * held until 19 s, free at 19 s. */
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 10, 5, 19), 0);
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 10, 5, 20), 1);
	CU_ASSERT_EQUAL(inc.first_seq, 20);
	st_incidents_destroy(&inc);
}

/* max_extension 0 (max_incident = 0): the cooldown holds repeats, as
 * without episodes. */
static void test_no_episodes_when_off(void)
{
	struct st_incidents inc;

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 2, 100), 0);
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 10, 5, 10), 1);
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 10, 5, 11), 0);
	CU_ASSERT_EQUAL(inc.due_seq, 12);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 12), 1);
	st_incidents_destroy(&inc);
}

/* Samples at fast_interval after the trigger are extra: the incident
 * still waits for post_trigger samples at the interval, and an episode
 * may still extend it by max_extension of those. */
static void test_extra_samples(void)
{
	struct st_incidents inc;

	CU_ASSERT_EQUAL_FATAL(st_incidents_init(&inc, 2, 100), 0);
	st_incidents_configure(&inc, 2, 100, 3);
	st_incidents_extra_sample(&inc);            /* none open: nothing */
	CU_ASSERT_EQUAL(inc.extra, 0);
	/* A tick at 10 opens it; 11-14 are extra, 15 a tick, 16-19 extra,
	 * 20 a tick: without more triggers, due at 20, the second tick. */
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 10, 5, 10), 1);
	CU_ASSERT_EQUAL(inc.due_seq, 12);
	for (uint64_t seq = 11; seq <= 17; seq++)
		if (seq != 15)
			st_incidents_extra_sample(&inc);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 15), 0);
	CU_ASSERT_EQUAL(inc.due_seq, 18);
	/* The episode goes on at 18, an extra sample (counted before the
	 * detectors see it): two samples at the interval after it. */
	st_incidents_extra_sample(&inc);
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 12, 5, 18), 1);
	CU_ASSERT_EQUAL(inc.due_seq, 20);
	st_incidents_extra_sample(&inc);            /* 19 */
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 20), 0);
	for (uint64_t seq = 21; seq <= 23; seq++)
		st_incidents_extra_sample(&inc);
	CU_ASSERT_EQUAL(inc.extra, 11);
	/* max_extension 3 counts the samples at the interval: at 23 the
	 * episode is 13 samples on, 11 of them extra; a tick at 26 is 4 on. */
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 13, 5, 23), 1);
	CU_ASSERT_EQUAL(inc.due_seq, 25);
	st_incidents_extra_sample(&inc);            /* 24 */
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 25), 0);
	CU_ASSERT_EQUAL(offer_value(&inc, "mem_drop", 7, 14, 5, 26), 0);
	CU_ASSERT_EQUAL(inc.last_seq, 23);
	CU_ASSERT_EQUAL(st_incidents_due(&inc, 26), 1);
	st_incidents_close(&inc);
	CU_ASSERT_EQUAL(inc.extra, 0);
	st_incidents_destroy(&inc);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "extra samples (fast_interval) are not post-trigger ones", test_extra_samples },
		{ "cooldown per key", test_cooldown_per_key },
		{ "system events cool down per type", test_system_event_cooldown_per_type },
		{ "cooldown within one offer", test_cooldown_within_one_offer },
		{ "triggers join the open incident", test_triggers_join_open_incident },
		{ "due after post_trigger samples", test_due_after_post_trigger },
		{ "rate limit, 1 a minute", test_rate_limit },
		{ "rate limit burst and refill", test_rate_limit_burst },
		{ "more triggers than an incident lists", test_trigger_overflow },
		{ "unterminated trigger strings", test_unterminated_strings },
		{ "cooldown table full", test_cooldown_table_full },
		{ "a rate-limited trigger starts no cooldown", test_rate_limited_leaves_no_cooldown },
		{ "unlimited offers (SIGUSR1)", test_unlimited_offer },
		{ "an episode extends the incident", test_episode_extends_incident },
		{ "no episodes when max_incident is 0", test_no_episodes_when_off },
		CU_TEST_INFO_NULL,
	};

	return st_test_run("incident", tests);
}
