#include "incident.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#define TRIGGERS_PER_INCIDENT 64
#define COOLDOWN_KEYS 1024

int st_incidents_init(struct st_incidents *inc, unsigned post_trigger,
		      double max_dumps_per_minute)
{
	memset(inc, 0, sizeof(*inc));
	inc->post = post_trigger;
	inc->per_minute = max_dumps_per_minute;
	inc->tokens = max_dumps_per_minute < 1 ? 1 : max_dumps_per_minute;
	inc->cap = TRIGGERS_PER_INCIDENT;
	inc->coolcap = COOLDOWN_KEYS;
	inc->triggers = calloc(inc->cap, sizeof(*inc->triggers));
	inc->cool = calloc(inc->coolcap, sizeof(*inc->cool));
	if (!inc->triggers || !inc->cool) {
		st_incidents_destroy(inc);
		return -1;
	}
	return 0;
}

void st_incidents_destroy(struct st_incidents *inc)
{
	free(inc->triggers);
	free(inc->cool);
	memset(inc, 0, sizeof(*inc));
}

/* The key: type + process, or the type alone for a system event. */
static int32_t key_pid(const struct st_trigger *t)
{
	return (t->flags & ST_TRIGGER_SYSTEM) ? 0 : t->pid;
}

static uint64_t key_start(const struct st_trigger *t)
{
	return (t->flags & ST_TRIGGER_SYSTEM) ? 0 : t->start_ticks;
}

static struct st_cooldown *find_key(struct st_incidents *inc, const struct st_trigger *t)
{
	for (size_t i = 0; i < inc->ncool; i++) {
		struct st_cooldown *c = &inc->cool[i];
		if (c->pid == key_pid(t) && c->start_ticks == key_start(t) &&
		    strncmp(c->type, t->type, sizeof(c->type)) == 0)
			return c;
	}
	return NULL;
}

static int cooling(struct st_incidents *inc, const struct st_trigger *t, int64_t now)
{
	const struct st_cooldown *c = find_key(inc, t);
	return c && now < c->until_ns;
}

/* Starts the key's cooldown: only for a trigger taken, so a trigger the
 * rate limit refused does not hold back the next one. */
static void arm_cooldown(struct st_incidents *inc, const struct st_trigger *t,
			 double cooldown_s, int64_t now)
{
	struct st_cooldown *slot = find_key(inc, t);
	if (!slot) {
		if (inc->ncool < inc->coolcap) {
			slot = &inc->cool[inc->ncool++];
		} else {
			/* Full: reuse the key whose cooldown ends first. */
			slot = &inc->cool[0];
			for (size_t i = 1; i < inc->ncool; i++)
				if (inc->cool[i].until_ns < slot->until_ns)
					slot = &inc->cool[i];
		}
		memcpy(slot->type, t->type, sizeof(slot->type));
		slot->pid = key_pid(t);
		slot->start_ticks = key_start(t);
	}
	slot->until_ns = now + (int64_t)(cooldown_s * 1e9);
}

static int rate_allows(struct st_incidents *inc, int64_t now)
{
	double burst = inc->per_minute < 1 ? 1 : inc->per_minute;
	if (inc->tokens_ns)
		inc->tokens += (double)(now - inc->tokens_ns) / 60e9 * inc->per_minute;
	if (inc->tokens > burst)
		inc->tokens = burst;
	inc->tokens_ns = now;
	if (inc->tokens >= 1) {
		inc->tokens -= 1;
		return 1;
	}
	inc->dropped++;
	/* Say so, but at most once a minute: a storm must not become a log storm. */
	if (now - inc->dropped_log_ns >= 60000000000LL) {
		st_warn("rate limit (%g dumps a minute): %llu triggers refused so far",
			inc->per_minute, (unsigned long long)inc->dropped);
		inc->dropped_log_ns = now;
	}
	return 0;
}

int st_incidents_offer_one(struct st_incidents *inc, struct st_trigger *t,
			   double cooldown_s, const struct st_sample *sample,
			   unsigned flags)
{
	int64_t now = sample->mono_ns;
	t->type[sizeof(t->type) - 1] = '\0';
	t->comm[sizeof(t->comm) - 1] = '\0';
	t->units[sizeof(t->units) - 1] = '\0';
	t->summary[sizeof(t->summary) - 1] = '\0';
	if (cooling(inc, t, now))
		return 0;
	if (!inc->open) {
		if (!(flags & ST_OFFER_UNLIMITED) && !rate_allows(inc, now))
			return 0;
		inc->open = 1;
		inc->first_seq = sample->seq;
		inc->first_wall_ns = sample->wall_ns;
		inc->first_mono_ns = sample->mono_ns;
		inc->ntriggers = 0;
		inc->overflow = 0;
	}
	arm_cooldown(inc, t, cooldown_s, now);
	t->sample_seq = sample->seq;
	if (inc->ntriggers < inc->cap)
		inc->triggers[inc->ntriggers++] = *t;
	else
		inc->overflow++;
	return 1;
}

size_t st_incidents_offer(struct st_incidents *inc, struct st_trigger *t, size_t n,
			  double cooldown_s, const struct st_sample *sample)
{
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (st_incidents_offer_one(inc, &t[i], cooldown_s, sample, 0))
			t[kept++] = t[i];
	return kept;
}

int st_incidents_due(const struct st_incidents *inc, uint64_t newest_seq)
{
	return inc->open && newest_seq >= inc->first_seq + inc->post;
}

void st_incidents_close(struct st_incidents *inc)
{
	if (inc->overflow)
		st_warn("incident had %llu more triggers than the %zu a dump lists",
			(unsigned long long)inc->overflow, inc->cap);
	inc->open = 0;
	inc->ntriggers = 0;
	inc->overflow = 0;
}
