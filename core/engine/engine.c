#include "engine/engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/dump.h"
#include "plugin/host.h"
#include "daemon/log.h"
#include "engine/trigger_check.h"

int st_engine_load_plugins(struct st_engine *e, const char *config_path,
			   int config_explicit, const char *plugin_dir)
{
	char err[1024];
	char *dir = NULL;
	if (st_config_plugin_dir(config_path, config_explicit, ST_DEFAULT_PLUGIN_DIR,
				 &dir, err, sizeof(err)) != 0) {
		st_err("%s", err);
		return ST_EX_CONFIG;
	}
	/* --plugin-dir beats the config, which beats the built-in default. */
	e->plugin_dir = plugin_dir ? strdup(plugin_dir) : dir;
	if (plugin_dir)
		free(dir);
	if (!e->plugin_dir) {
		st_err("out of memory");
		return 1;
	}
	return st_plugins_load_dir(e->plugin_dir, &e->plugins) < 0 ? ST_EX_CONFIG : 0;
}

int st_engine_configure(struct st_engine *e, const char *config_path,
			int config_explicit, const char *plugin_dir)
{
	char err[1024];
	/* Pass 1, plugins, pass 2: a config can only be checked against the
	 * options of the plugins it configures. */
	int rc = st_engine_load_plugins(e, config_path, config_explicit, plugin_dir);
	if (rc != 0)
		return rc;
	const struct st_plugin **descs = st_plugins_descriptors(&e->plugins);
	if (!descs) {
		st_err("out of memory");
		return 1;
	}
	rc = st_config_load(config_path, config_explicit, e->plugin_dir, descs,
			    e->plugins.n, &e->cfg, err, sizeof(err));
	free(descs);
	if (rc != 0) {
		st_err("%s", err);
		return ST_EX_CONFIG;
	}
	int level = st_log_level_from_name(e->cfg.log_level);
	if (level >= 0)
		st_log_set_level((enum st_log_level)level);
	return 0;
}

/* The settings of the running pipeline that come from the config. */
static void configure_pipeline(struct st_engine *e)
{
	e->builder.pre = e->cfg.pre_trigger;
	e->builder.top = e->cfg.top;
	e->builder.interval_s = e->cfg.interval_s;
	/* An episode's dump holds pre_trigger samples before its first
	 * trigger and post_trigger after its last: the ring bounds how long
	 * it may last. */
	unsigned room = e->cfg.history - 1 - e->cfg.pre_trigger - e->cfg.post_trigger;
	double want = floor(e->cfg.max_incident_s / e->cfg.interval_s + 1e-9);
	unsigned ext = want < room ? (unsigned)want : room;
	/* Said when it was asked for; the default is held quietly. */
	if (want > room && e->cfg.max_incident_s != ST_DEFAULT_MAX_INCIDENT_S)
		st_notice("max_incident = %gs is held to %gs: history (%u samples) must "
			  "also hold pre_trigger and post_trigger", e->cfg.max_incident_s,
			  room * e->cfg.interval_s, e->cfg.history);
	st_incidents_configure(&e->incidents, e->cfg.post_trigger,
			       e->cfg.max_dumps_per_minute, ext);
	int level = st_log_level_from_name(e->cfg.log_level);
	if (level >= 0)
		st_log_set_level((enum st_log_level)level);
}

/* Creates the new instances (SIGHUP). Their fd watches are told from
 * their predecessors' by epoch (they share the host table); whichever
 * instances the loader destroyed, their watches go. */
static int replace_instances(struct st_engine *e, const struct st_config *next)
{
	uint32_t epoch = e->watches.epoch++;
	st_host_bind(e);
	e->creating = 1;
	int rc = st_plugins_replace(&e->plugins, next, e->sampler.proc_root,
				    st_ring_newest(&e->ring)->ncores);
	e->creating = 0;
	if (rc < 0)
		e->watches.epoch = epoch;
	st_engine_sweep_watches(e);
	return rc;
}

int st_engine_reload(struct st_engine *e, const char *config_path, int config_explicit)
{
	char err[1024];
	struct st_config next;
	const struct st_plugin **descs = st_plugins_descriptors(&e->plugins);
	if (!descs) {
		st_err("reload: out of memory; keeping the running configuration");
		return 1;
	}
	int rc = st_config_load(config_path, config_explicit, e->plugin_dir, descs,
				e->plugins.n, &next, err, sizeof(err));
	free(descs);
	if (rc != 0) {
		st_err("reload: %s; keeping the running configuration", err);
		return ST_EX_CONFIG;
	}
	/* The ring's memory is fixed at start: history stays what it was. */
	if (next.history != e->cfg.history) {
		if (next.pre_trigger + next.post_trigger >= e->cfg.history) {
			st_err("reload: %s: pre_trigger + post_trigger must stay below the "
			       "running history (%u); keeping the running configuration",
			       next.path ? next.path : "(defaults)", e->cfg.history);
			st_config_free(&next);
			return ST_EX_CONFIG;
		}
		st_warn("reload: history = %u takes effect at restart (running with %u)",
			next.history, e->cfg.history);
		next.history = e->cfg.history;
	}
	/* The fast ring too is sized at start. */
	if (next.fast_interval_s != e->cfg.fast_interval_s) {
		if (e->cfg.fast_interval_s > next.interval_s) {
			st_err("reload: %s: interval = %g is below the running fast_interval "
			       "(%g); keeping the running configuration",
			       next.path ? next.path : "(defaults)", next.interval_s,
			       e->cfg.fast_interval_s);
			st_config_free(&next);
			return ST_EX_CONFIG;
		}
		st_warn("reload: fast_interval = %g takes effect at restart (running with %g)",
			next.fast_interval_s, e->cfg.fast_interval_s);
		next.fast_interval_s = e->cfg.fast_interval_s;
	}
	if (strcmp(next.plugin_dir, e->cfg.plugin_dir) != 0)
		st_warn("reload: plugin_dir = \"%s\" takes effect at restart", next.plugin_dir);
	/* Plugins are recreated with their new options: a detector's
	 * baselines start again, as at start-up. The new instances are made
	 * before the running ones go, so a plugin refusing the new config
	 * leaves everything as it was. */
	if (replace_instances(e, &next) < 0) {
		st_err("reload: %s: a plugin refused the new configuration; keeping "
		       "the running one", next.path ? next.path : "(defaults)");
		st_config_free(&next);
		return ST_EX_CONFIG;
	}
	st_config_free(&e->cfg);
	e->cfg = next;
	configure_pipeline(e);
	return 0;
}

static int64_t engine_now(const struct st_engine *e)
{
	return e->clock ? e->clock(e->clock_ctx) : st_mono_ns();
}

/* The fast ring's baseline is read with the first sample. */
static int start_fast_ring(struct st_engine *e)
{
	char err[512];
	if (!(e->cfg.fast_interval_s > 0))
		return 0;
	uint32_t cap = st_fast_ring_capacity(e->cfg.history, e->cfg.interval_s,
					     e->cfg.fast_interval_s);
	if (st_fast_ring_open(&e->fast, e->sampler.root_fd, e->sampler.proc_root, cap,
			      engine_now(e), err, sizeof(err)) < 0) {
		st_err("%s", err);
		return -1;
	}
	e->builder.fast = &e->fast;
	e->builder.fast_interval_s = e->cfg.fast_interval_s;
	st_debug("fast system ring: %u readings (%zu KiB)", cap,
		 (size_t)cap * sizeof(struct st_fast_record) / 1024);
	return 0;
}

void st_engine_fast_tick(struct st_engine *e)
{
	if (e->fast.rec)
		st_fast_ring_take(&e->fast, engine_now(e));
}

int st_engine_start(struct st_engine *e, const char *proc_root)
{
	char err[512];
	if (st_sampler_init(&e->sampler, proc_root, err, sizeof(err)) < 0) {
		st_err("%s", err);
		return -1;
	}
	e->started = 1;
	if (e->clock) {
		e->sampler.clock = e->clock;
		e->sampler.clock_ctx = e->clock_ctx;
	}
	if (st_ring_init(&e->ring, e->cfg.history) < 0 ||
	    st_incidents_init(&e->incidents, e->cfg.post_trigger,
			      e->cfg.max_dumps_per_minute) < 0) {
		st_err("out of memory");
		return -1;
	}
	/* The first sample sets the baselines and tells the core count. */
	if (st_sampler_take(&e->sampler, &e->ring) < 0)
		return -1;
	const struct st_sample *first = st_ring_newest(&e->ring);
	if (start_fast_ring(e) < 0)
		return -1;
	e->builder.proc_root_fd = e->sampler.root_fd;
	configure_pipeline(e);
	st_dump_host_read(e->sampler.root_fd, first->ncores, first->mem_total_kib,
			  &e->builder.host);
	/* The plugins may watch fds and ask for samples from create on:
	 * on this thread, the one that samples. */
	e->loop_thread = pthread_self();
	st_host_bind(e);
	e->creating = 1;
	st_plugins_start(&e->plugins, &e->cfg, proc_root, first->ncores);
	e->creating = 0;
	st_engine_sweep_watches(e);     /* those of a create that failed */
	return 0;
}

static void accept(struct st_engine *e, const struct st_trigger *t)
{
	if (e->naccepted < ST_TICK_TRIGGERS_MAX)
		e->accepted[e->naccepted++] = *t;
}

/* What a detector returned that the core cannot take as it is: said once
 * per plugin and kind of fault, since a detector with such a bug makes
 * the same trigger every tick. */
static void complain(struct st_loaded_plugin *p, unsigned bad, const struct st_trigger *t)
{
	unsigned fresh = bad & ~p->said;
	p->said |= bad;
	if (fresh & ST_TRIGGER_BAD_TYPE)
		st_err("detector %s: trigger refused: type \"%s\" is not 1 to %d "
		       "characters of a-z, 0-9 and _ (said once)", p->desc->name,
		       t->type, ST_TRIGGER_TYPE_MAX - 1);
	if (fresh & ST_TRIGGER_BAD_PID)
		st_err("detector %s: trigger refused: pid %d is negative (said once)",
		       p->desc->name, (int)t->pid);
	if (fresh & ST_TRIGGER_BAD_NUMBER)
		st_warn("detector %s: trigger %s: a value, baseline or threshold that is "
			"not a finite number is recorded as 0 (said once)",
			p->desc->name, t->type);
}

/* st_incidents_offer_one, saying so when the trigger opens an incident:
 * with episodes an incident may last a while, so its start is a line of
 * its own. */
static int offer(struct st_engine *e, struct st_trigger *t, double cooldown_s,
		 const struct st_sample *sample, unsigned flags)
{
	int was_open = e->incidents.open;
	int taken = st_incidents_offer_one(&e->incidents, t, cooldown_s, sample, flags);
	if (taken && !was_open)
		st_notice("incident opened: %s [%d] %s: %s", t->type, t->pid, t->comm,
			  t->summary);
	return taken;
}

static void evaluate_detectors(struct st_engine *e, const struct st_sample *newest)
{
	struct st_history hist;
	st_sampler_history(&e->sampler, &e->ring, &hist);
	for (size_t i = 0; i < e->plugins.n; i++) {
		struct st_loaded_plugin *p = &e->plugins.items[i];
		if (!p->running || p->desc->kind != ST_PLUGIN_DETECTOR)
			continue;
		/* A detector of our minor writes the core's layout; one of an
		 * older minor a smaller stride, converted below. */
		size_t stride = p->desc->trigger_size;
		void *out = stride == sizeof(struct st_trigger) ?
			    (void *)e->scratch : (void *)e->scratch_raw;
		memset(out, 0, ST_TRIGGERS_PER_DETECTOR * stride);
		int n = p->desc->evaluate(p->state, &hist, out, ST_TRIGGERS_PER_DETECTOR);
		if (n < 0) {
			/* The first failure and then every thousandth: a broken
			 * detector must not flood the log every tick. */
			if (p->failures++ % 1000 == 0)
				st_warn("detector %s: evaluate failed (%llu times)",
					p->desc->name, (unsigned long long)p->failures);
			continue;
		}
		if (n > ST_TRIGGERS_PER_DETECTOR)
			n = ST_TRIGGERS_PER_DETECTOR;
		for (int k = 0; k < n; k++) {
			struct st_trigger *t = &e->scratch[k];
			const void *theirs = (const char *)out + (size_t)k * stride;
			if (out != (void *)e->scratch)
				st_trigger_from_plugin(t, theirs, stride);
			st_trigger_forget_newer(t, p->desc->abi_minor);
			unsigned bad = st_trigger_check(t);
			if (bad)
				complain(p, bad, t);
			int taken = !(bad & ST_TRIGGER_REFUSED) &&
				    offer(e, t, p->cooldown_s, newest, 0);
			if (taken)
				accept(e, t);
			/* A one-shot detector disarmed itself in evaluate: a
			 * refused trigger must let it try again. */
			if (p->desc->trigger_result)
				p->desc->trigger_result(p->state, theirs, taken);
		}
	}
}

/* The ring slots a burst takes beyond history: the steps of
 * fast_interval between the ticks of the post-trigger window. */
static uint32_t burst_slots(const struct st_engine *e)
{
	if (!e->fast.rec || !(e->cfg.fast_interval_s > 0))
		return 0;
	double between = ceil(e->cfg.interval_s / e->cfg.fast_interval_s - 1e-9) - 1;
	return between >= 1 ? (uint32_t)between * e->cfg.post_trigger : 0;
}

/* An incident opened at trigger_ns: its post-trigger window at
 * fast_interval. Not while the detectors run: the ring's samples move. */
static void start_burst(struct st_engine *e, int64_t trigger_ns)
{
	uint32_t extra = burst_slots(e);
	if (!extra)
		return;
	if (st_ring_resize(&e->ring, e->cfg.history + extra) < 0) {
		st_warn("out of memory: this incident's processes are sampled at the "
			"interval, not at fast_interval");
		return;
	}
	e->burst_until_ns = trigger_ns +
			    (int64_t)(e->cfg.post_trigger * e->cfg.interval_s * 1e9);
	st_debug("incident: processes every %gs for %gs (%u more ring slots)",
		 e->cfg.fast_interval_s, e->cfg.post_trigger * e->cfg.interval_s, extra);
}

static enum st_off_tick_action burst_step(const struct st_engine *e, int64_t now_ns,
					  int64_t last_ns, int64_t next_tick_ns,
					  int64_t *at_ns)
{
	if (!e->burst_until_ns || !e->incidents.open)
		return ST_OFF_TICK_IDLE;
	int64_t step = (int64_t)(e->cfg.fast_interval_s * 1e9);
	enum st_off_tick_action a = st_fast_step_decide(
		now_ns, last_ns, next_tick_ns, (int64_t)(e->cfg.interval_s * 1e9), step, at_ns);
	int64_t when = a == ST_OFF_TICK_NOW ? now_ns : *at_ns;
	if ((a == ST_OFF_TICK_NOW || a == ST_OFF_TICK_AT) &&
	    when > e->burst_until_ns - step / 2)
		return ST_OFF_TICK_IDLE;    /* the window's last tick ends it */
	return a;
}

static struct st_dump *close_incident(struct st_engine *e)
{
	struct st_dump *dump = st_dump_build(&e->builder, &e->ring,
					     &e->sampler.table, &e->incidents);
	if (dump) {
		const struct st_trigger *t = &e->incidents.triggers[0];
		/* As spiketrace-view --list says it: first trigger to last. */
		int64_t lasted = st_dump_lasted_ns(dump);
		st_notice("incident %s: %s [%d] %s: %s (lasted %.1f s: %llu triggers, "
			  "%u listed, %u samples)", dump->id, t->type, t->pid, t->comm,
			  t->summary, (double)lasted / 1e9,
			  (unsigned long long)e->incidents.fired, dump->ntriggers,
			  dump->nsamples);
	}
	st_incidents_close(&e->incidents);
	/* The burst's slots go back (its oldest samples with them); should
	 * that fail, the ring holds them until the next incident's end. */
	e->burst_until_ns = 0;
	if (e->ring.capacity != e->cfg.history && st_ring_resize(&e->ring, e->cfg.history) < 0)
		st_debug("out of memory: the ring keeps %u slots", e->ring.capacity);
	return dump;
}

/* A tick's work, for a tick or an off-tick sample (flags). */
static struct st_dump *sample(struct st_engine *e, uint32_t flags)
{
	e->naccepted = 0;
	/* Pending requests are served by this sample, or by none when it
	 * fails (said by the sampler): retrying at once would spin. */
	st_off_tick_served(&e->off_tick, (flags & ST_SAMPLE_OFF_TICK) != 0);
	if (st_sampler_take(&e->sampler, &e->ring) < 0)
		return NULL;
	/* The ring is the engine's: the mark goes on before anyone reads. */
	struct st_sample *newest = (struct st_sample *)st_ring_newest(&e->ring);
	newest->flags = flags;
	if (flags & ST_SAMPLE_FAST) {
		e->burst_samples++;
		st_incidents_extra_sample(&e->incidents);
	}
	int was_open = e->incidents.open;
	uint64_t seq = newest->seq;
	int64_t mono = newest->mono_ns;
	evaluate_detectors(e, newest);
	st_dump_builder_capture(&e->builder, e->accepted, e->naccepted);
	if (!was_open && e->incidents.open)
		start_burst(e, mono);
	if (st_incidents_due(&e->incidents, seq))
		return close_incident(e);
	return NULL;
}

struct st_dump *st_engine_tick(struct st_engine *e)
{
	return sample(e, 0);
}

enum st_off_tick_action st_engine_off_tick_step(struct st_engine *e, int64_t now_ns,
						int64_t next_tick_ns, int64_t *at_ns,
						struct st_dump **dump)
{
	*dump = NULL;
	int64_t last = st_ring_newest(&e->ring)->mono_ns, asked_at = 0, step_at = 0;
	enum st_off_tick_action asked = st_off_tick_decide(
		e->off_tick.pending, now_ns, last, next_tick_ns,
		st_off_tick_gap_ns(e->cfg.interval_s), &asked_at);
	enum st_off_tick_action step = burst_step(e, now_ns, last, next_tick_ns, &step_at);
	/* One sample serves both, and the sooner of the two waits. */
	if (asked == ST_OFF_TICK_NOW || step == ST_OFF_TICK_NOW) {
		*dump = sample(e, (asked == ST_OFF_TICK_NOW ? ST_SAMPLE_OFF_TICK : 0) |
				  (step == ST_OFF_TICK_NOW ? ST_SAMPLE_FAST : 0));
		return ST_OFF_TICK_NOW;
	}
	if (asked == ST_OFF_TICK_AT || step == ST_OFF_TICK_AT) {
		*at_ns = asked != ST_OFF_TICK_AT ? step_at :
			 step != ST_OFF_TICK_AT ? asked_at :
			 asked_at < step_at ? asked_at : step_at;
		return ST_OFF_TICK_AT;
	}
	return asked == ST_OFF_TICK_TICK || step == ST_OFF_TICK_TICK ? ST_OFF_TICK_TICK
								      : ST_OFF_TICK_IDLE;
}

uint32_t st_engine_exit_events(struct st_engine *e, uint32_t mode)
{
	if (st_sampler_exits_start(&e->sampler, mode) < 0)
		st_err("out of memory: exits between samples are not recorded");
	return e->sampler.between.mode;
}

void st_engine_proc_event(void *ctx, const struct st_proc_event *ev)
{
	struct st_engine *e = ctx;
	st_sampler_on_proc_event(&e->sampler, ev);
}

void st_engine_proc_events_lost(struct st_engine *e, uint32_t overruns)
{
	st_sampler_exits_lost(&e->sampler, overruns);
}

void st_engine_manual_trigger(struct st_engine *e, const char *why)
{
	const struct st_sample *newest = st_ring_newest(&e->ring);
	struct st_trigger t;
	if (!newest)
		return;
	memset(&t, 0, sizeof(t));
	snprintf(t.type, sizeof(t.type), "manual");
	snprintf(t.summary, sizeof(t.summary), "%s", why);
	/* Asked for by a person: the rate limit is for detectors' storms. */
	int was_open = e->incidents.open;
	if (offer(e, &t, 0, newest, ST_OFFER_UNLIMITED) && !was_open)
		start_burst(e, newest->mono_ns);
}

struct st_dump *st_engine_flush(struct st_engine *e)
{
	if (!e->started || !e->incidents.open || !e->ring.count)
		return NULL;
	return close_incident(e);
}

void st_engine_destroy(struct st_engine *e)
{
	/* destroy() first, so a plugin may end its watches there; what is
	 * left is said while the plugins' names are still loaded. */
	st_plugins_stop(&e->plugins);
	st_engine_sweep_watches(e);
	if (st_host_bound() == e)
		st_host_bind(NULL);
	st_plugins_unload(&e->plugins);
	if (e->started) {
		st_incidents_destroy(&e->incidents);
		if (e->fast.rec)
			st_fast_ring_close(&e->fast);
		st_ring_destroy(&e->ring);
		st_sampler_destroy(&e->sampler);
	}
	st_config_free(&e->cfg);
	free(e->plugin_dir);
	memset(e, 0, sizeof(*e));
}
