#include "engine/incident.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"

#define TRIGGERS_PER_INCIDENT 64
#define COOLDOWN_KEYS 1024

int st_incidents_init(struct st_incidents *inc, unsigned post_trigger,
		      double max_dumps_per_minute)
{
	memset(inc, 0, sizeof(*inc));
	st_incidents_configure(inc, post_trigger, max_dumps_per_minute, 0);
	inc->tokens = max_dumps_per_minute < 1 ? 1 : max_dumps_per_minute;
	inc->cap = TRIGGERS_PER_INCIDENT;
	inc->coolcap = COOLDOWN_KEYS;
	inc->triggers = calloc(inc->cap, sizeof(*inc->triggers));
	inc->episodes = calloc(inc->cap, sizeof(*inc->episodes));
	inc->cool = calloc(inc->coolcap, sizeof(*inc->cool));
	if (!inc->triggers || !inc->episodes || !inc->cool) {
		st_incidents_destroy(inc);
		return -1;
	}
	return 0;
}

void st_incidents_configure(struct st_incidents *inc, unsigned post_trigger,
			    double max_dumps_per_minute, unsigned max_extension)
{
	inc->post_trigger = post_trigger;
	inc->per_minute = max_dumps_per_minute;
	inc->max_extension = max_extension;
}

void st_incidents_destroy(struct st_incidents *inc)
{
	free(inc->triggers);
	free(inc->episodes);
	free(inc->cool);
	memset(inc, 0, sizeof(*inc));
}

/* The key: type + process (or exited group), or the type alone for a
 * system event. */
static struct st_trigger_key key_of(const struct st_trigger *t)
{
	struct st_trigger_key k;
	int system = (t->flags & ST_TRIGGER_SYSTEM) != 0;
	memcpy(k.type, t->type, sizeof(k.type));
	k.pid = system ? 0 : t->pid;
	k.start_ticks = system ? 0 : t->start_ticks;
	k.group[0] = '\0';
	if (!system && t->exited_count)
		memcpy(k.group, t->comm, sizeof(k.group));
	return k;
}

static int same_key(const struct st_trigger_key *a, const struct st_trigger_key *b)
{
	return a->pid == b->pid && a->start_ticks == b->start_ticks &&
	       strncmp(a->type, b->type, sizeof(a->type)) == 0 &&
	       strncmp(a->group, b->group, sizeof(a->group)) == 0;
}

static struct st_cooldown *find_cooldown(struct st_incidents *inc,
					 const struct st_trigger_key *k)
{
	for (size_t i = 0; i < inc->ncool; i++)
		if (same_key(&inc->cool[i].key, k))
			return &inc->cool[i];
	return NULL;
}

static int cooling(struct st_incidents *inc, const struct st_trigger_key *k, int64_t now)
{
	const struct st_cooldown *c = find_cooldown(inc, k);
	return c && now < c->until_ns;
}

/* Starts the key's cooldown: only for a trigger taken, so a trigger the
 * rate limit refused does not hold back the next one; and again at each
 * trigger that extends an episode, so it runs from the episode's end. */
static void arm_cooldown(struct st_incidents *inc, const struct st_trigger_key *k,
			 double cooldown_s, int64_t now)
{
	struct st_cooldown *slot = find_cooldown(inc, k);
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
		slot->key = *k;
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

/* Lists t; the slot, or ST_EPISODE_NONE when the list is full. */
static size_t list(struct st_incidents *inc, const struct st_trigger *t)
{
	if (inc->ntriggers >= inc->cap) {
		inc->overflow++;
		return ST_EPISODE_NONE;
	}
	inc->triggers[inc->ntriggers] = *t;
	return inc->ntriggers++;
}

static struct st_episode *find_episode(struct st_incidents *inc,
				       const struct st_trigger_key *k)
{
	for (size_t i = 0; i < inc->nepisodes; i++)
		if (same_key(&inc->episodes[i].key, k))
			return &inc->episodes[i];
	return NULL;
}

static void start_episode(struct st_incidents *inc, const struct st_trigger_key *k,
			  const struct st_trigger *t)
{
	size_t slot = list(inc, t);
	if (slot == ST_EPISODE_NONE || inc->nepisodes >= inc->cap)
		return;
	inc->episodes[inc->nepisodes++] = (struct st_episode){
		*k, slot, ST_EPISODE_NONE, ST_EPISODE_NONE };
}

/* t is the episode's newest trigger: it becomes its last; the last it
 * replaces stays listed if it is the highest so far (the peak). */
static void episode_goes_on(struct st_incidents *inc, struct st_episode *ep,
			    const struct st_trigger *t)
{
	if (ep->last == ST_EPISODE_NONE) {
		ep->last = list(inc, t);
		return;
	}
	const struct st_trigger *prev = &inc->triggers[ep->last];
	size_t best = ep->peak != ST_EPISODE_NONE ? ep->peak : ep->first;
	if (prev->value > inc->triggers[best].value) {
		if (ep->peak != ST_EPISODE_NONE) {
			inc->triggers[ep->peak] = *prev;
		} else {
			size_t slot = list(inc, t);
			if (slot == ST_EPISODE_NONE)
				return;         /* full: the peak beats the end */
			ep->peak = ep->last;
			ep->last = slot;
			return;
		}
	}
	inc->triggers[ep->last] = *t;
}

static uint64_t episode_last_seq(const struct st_incidents *inc, const struct st_episode *ep)
{
	return inc->triggers[ep->last != ST_EPISODE_NONE ? ep->last : ep->first].sample_seq;
}

static void open_incident(struct st_incidents *inc, const struct st_sample *sample)
{
	inc->open = 1;
	inc->first_seq = inc->last_seq = sample->seq;
	inc->first_wall_ns = sample->wall_ns;
	inc->first_mono_ns = sample->mono_ns;
	inc->due_seq = sample->seq + inc->post_trigger;
	inc->extra = 0;
	inc->ntriggers = 0;
	inc->nepisodes = 0;
	inc->overflow = 0;
	inc->fired = 0;
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
	t->sample_seq = sample->seq;
	struct st_trigger_key k = key_of(t);
	struct st_episode *ep = inc->open ? find_episode(inc, &k) : NULL;

	/* The same culprit still at it: one episode, one incident, longer.
	 * How much longer counts the samples at the interval: the extra
	 * ones have their own room in the ring. */
	if (ep && sample->seq > episode_last_seq(inc, ep) &&
	    sample->seq - inc->first_seq - inc->extra <= inc->max_extension) {
		episode_goes_on(inc, ep, t);
		if (sample->seq > inc->last_seq) {
			inc->last_seq = sample->seq;
			if (sample->seq + inc->post_trigger > inc->due_seq)
				inc->due_seq = sample->seq + inc->post_trigger;
		}
		arm_cooldown(inc, &k, cooldown_s, now);
		inc->fired++;
		return 1;
	}
	if (cooling(inc, &k, now))
		return 0;
	if (!inc->open) {
		if (!(flags & ST_OFFER_UNLIMITED) && !rate_allows(inc, now))
			return 0;
		open_incident(inc, sample);
	}
	arm_cooldown(inc, &k, cooldown_s, now);
	if (ep)
		episode_goes_on(inc, ep, t);    /* past the cap: listed, no longer */
	else
		start_episode(inc, &k, t);
	inc->fired++;
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

void st_incidents_extra_sample(struct st_incidents *inc)
{
	if (!inc->open)
		return;
	inc->extra++;
	inc->due_seq++;
}

int st_incidents_due(const struct st_incidents *inc, uint64_t newest_seq)
{
	return inc->open && newest_seq >= inc->due_seq;
}

void st_incidents_close(struct st_incidents *inc)
{
	if (inc->overflow)
		st_warn("incident had %llu more triggers than the %zu a dump lists",
			(unsigned long long)inc->overflow, inc->cap);
	inc->open = 0;
	inc->ntriggers = 0;
	inc->nepisodes = 0;
	inc->overflow = 0;
	inc->extra = 0;
}
