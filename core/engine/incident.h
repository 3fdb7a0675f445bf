/*
 * From triggers to incidents, the same for every detector: a per-key
 * cooldown (key = trigger type + process identity, or the type alone for a
 * system event), grouping (triggers that arrive while an incident is open
 * join it), episodes (a key that keeps firing extends the open incident,
 * up to a cap) and a global rate limit on incidents (a token bucket of
 * max_dumps_per_minute). An incident is due once post_trigger samples have
 * followed the last trigger that extended it; the extra samples taken at
 * fast_interval after a trigger are not among them.
 */
#ifndef ST_INCIDENT_H
#define ST_INCIDENT_H

#include <stddef.h>
#include <stdint.h>
#include <spiketrace/model.h>

/* Who a trigger is about: its cooldown and its episode go by this. */
struct st_trigger_key {
	char     type[ST_TRIGGER_TYPE_MAX];
	int32_t  pid;
	uint64_t start_ticks;
	char     group[ST_COMM_MAX];    /* an exited group's comm, else "" */
};

struct st_cooldown {
	struct st_trigger_key key;
	int64_t  until_ns;
};

/* One key's triggers in the open incident: the dump lists its first, its
 * peak (highest value) and its last, not every sample in between. */
#define ST_EPISODE_NONE ((size_t)-1)
struct st_episode {
	struct st_trigger_key key;
	size_t   first, peak, last;     /* into triggers; peak, last may be NONE */
};

struct st_incidents {
	unsigned post_trigger;
	unsigned max_extension;     /* samples an episode may add (0: none) */
	double   per_minute;
	double   tokens;
	int64_t  tokens_ns;
	uint64_t dropped;           /* triggers refused by the rate limit */
	int64_t  dropped_log_ns;

	int      open;
	uint64_t first_seq;         /* sample of the first trigger */
	int64_t  first_wall_ns;
	int64_t  first_mono_ns;
	uint64_t last_seq;          /* sample of the last trigger that extended it */
	uint64_t due_seq;           /* the sample that completes it: post_trigger
	                               samples after last_seq, not counting the
	                               extra ones */
	uint64_t extra;             /* samples in it beyond the interval's (taken
	                               at fast_interval after the trigger) */
	struct st_trigger *triggers;
	size_t   ntriggers, cap;
	uint64_t overflow;          /* triggers beyond cap in this incident */
	uint64_t fired;             /* triggers taken in it, listed or not */
	struct st_episode *episodes;
	size_t   nepisodes;         /* at most cap */

	struct st_cooldown *cool;
	size_t   ncool, coolcap;
};

/* Returns 0 or -1 (out of memory). All memory is taken here. Episodes
 * are off (max_extension 0) until st_incidents_configure. */
int st_incidents_init(struct st_incidents *inc, unsigned post_trigger,
		      double max_dumps_per_minute);
/* The settings that come from the config; max_extension in samples. */
void st_incidents_configure(struct st_incidents *inc, unsigned post_trigger,
			    double max_dumps_per_minute, unsigned max_extension);
void st_incidents_destroy(struct st_incidents *inc);

/* Offer one trigger from a sample. While an incident is open, a trigger
 * whose key is already in it, from a later sample, extends it (its end
 * moves to this sample, at most max_extension samples after the first)
 * whatever the cooldown. Otherwise it must pass its key's cooldown and,
 * when no incident is open, the rate limit; then it opens an incident or
 * joins the open one. sample_seq is set, and the key's cooldown runs from
 * this trigger (a refused trigger starts none). Returns 1 when taken, 0
 * when refused. */
#define ST_OFFER_UNLIMITED 0x01     /* not subject to the rate limit (SIGUSR1) */
int st_incidents_offer_one(struct st_incidents *inc, struct st_trigger *t,
			   double cooldown_s, const struct st_sample *sample,
			   unsigned flags);
/* st_incidents_offer_one for each of n triggers; the taken ones are moved
 * to the front of t. Returns how many. */
size_t st_incidents_offer(struct st_incidents *inc, struct st_trigger *t, size_t n,
			  double cooldown_s, const struct st_sample *sample);

/* The sample just taken is an extra one (fast_interval): it is in the
 * open incident but neither one of its post_trigger samples nor one of
 * its max_extension. Nothing when no incident is open. */
void st_incidents_extra_sample(struct st_incidents *inc);

/* The open incident has its post-trigger samples. */
int st_incidents_due(const struct st_incidents *inc, uint64_t newest_seq);
/* Forget the open incident once its dump is built. */
void st_incidents_close(struct st_incidents *inc);

#endif
