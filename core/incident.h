/*
 * From triggers to incidents, the same for every detector: a per-key
 * cooldown (key = trigger type + process identity), grouping (triggers that
 * arrive while an incident is open join it), and a global rate limit on
 * incidents (a token bucket of max_dumps_per_minute). An incident is due
 * once post_trigger samples have followed its first trigger.
 */
#ifndef ST_INCIDENT_H
#define ST_INCIDENT_H

#include <stddef.h>
#include <stdint.h>
#include <spiketrace/model.h>

struct st_cooldown {
	char     type[ST_TRIGGER_TYPE_MAX];
	int32_t  pid;
	uint64_t start_ticks;
	int64_t  until_ns;
};

struct st_incidents {
	unsigned post;
	double   per_minute;
	double   tokens;
	int64_t  tokens_ns;
	uint64_t dropped;           /* triggers refused by the rate limit */
	int64_t  dropped_log_ns;

	int      open;
	uint64_t first_seq;         /* sample of the first trigger */
	int64_t  first_wall_ns;
	int64_t  first_mono_ns;
	struct st_trigger *triggers;
	size_t   ntriggers, cap;
	uint64_t overflow;          /* triggers beyond cap in this incident */

	struct st_cooldown *cool;
	size_t   ncool, coolcap;
};

/* Returns 0 or -1 (out of memory). All memory is taken here. */
int st_incidents_init(struct st_incidents *inc, unsigned post_trigger,
		      double max_dumps_per_minute);
void st_incidents_destroy(struct st_incidents *inc);

/* Offer one trigger from a sample. It must pass its key's cooldown and,
 * when no incident is open, the rate limit; then it opens an incident or
 * joins the open one, sample_seq set, and its key's cooldown starts (a
 * refused trigger starts none). Returns 1 when taken, 0 when refused. */
#define ST_OFFER_UNLIMITED 0x01     /* not subject to the rate limit (SIGUSR1) */
int st_incidents_offer_one(struct st_incidents *inc, struct st_trigger *t,
			   double cooldown_s, const struct st_sample *sample,
			   unsigned flags);
/* st_incidents_offer_one for each of n triggers; the taken ones are moved
 * to the front of t. Returns how many. */
size_t st_incidents_offer(struct st_incidents *inc, struct st_trigger *t, size_t n,
			  double cooldown_s, const struct st_sample *sample);

/* The open incident has its post-trigger samples. */
int st_incidents_due(const struct st_incidents *inc, uint64_t newest_seq);
/* Forget the open incident once its dump is built. */
void st_incidents_close(struct st_incidents *inc);

#endif
