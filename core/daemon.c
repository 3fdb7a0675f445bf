#define _GNU_SOURCE
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "config.h"
#include "dump.h"
#include "dump_builder.h"
#include "host.h"
#include "incident.h"
#include "log.h"
#include "plugin_loader.h"
#include "ring.h"
#include "sampler.h"
#include "sink_queue.h"

#define TRIGGERS_PER_DETECTOR 64
#define SINK_QUEUE_DUMPS 16

struct daemon {
	struct st_config cfg;
	struct st_plugin_set plugins;
	struct st_sampler sampler;
	struct st_ring ring;
	struct st_incidents incidents;
	struct st_dump_builder builder;
	struct st_sink_queue sinks;
	struct st_trigger triggers[TRIGGERS_PER_DETECTOR];
	int timer_fd, signal_fd;
	uint64_t missed_ticks;
};

/* Pass 1, plugins, pass 2: a config can only be checked against the
 * options of the plugins it configures. */
static int configure(struct daemon *d, const struct st_options *o)
{
	char err[1024];
	char *dir = NULL;
	int rc = st_config_plugin_dir(o->config_path, o->config_explicit,
				      ST_DEFAULT_PLUGIN_DIR, &dir, err, sizeof(err));
	if (rc != 0) {
		st_err("%s", err);
		return ST_EX_CONFIG;
	}
	const char *plugin_dir = o->plugin_dir ? o->plugin_dir : dir;
	if (st_plugins_load_dir(plugin_dir, &d->plugins) < 0) {
		free(dir);
		return ST_EX_CONFIG;
	}
	if (o->list_plugins) {
		free(dir);
		st_plugins_print(&d->plugins, stdout);
		return -1;
	}
	const struct st_plugin **descs = st_plugins_descriptors(&d->plugins);
	if (!descs) {
		free(dir);
		st_err("out of memory");
		return 1;
	}
	rc = st_config_load(o->config_path, o->config_explicit, plugin_dir,
			    descs, d->plugins.n, &d->cfg, err, sizeof(err));
	free(descs);
	free(dir);
	if (rc != 0) {
		st_err("%s", err);
		return ST_EX_CONFIG;
	}
	if (o->plugin_dir) {
		free(d->cfg.plugin_dir);
		d->cfg.plugin_dir = strdup(o->plugin_dir);
	}
	int level = st_log_level_from_name(d->cfg.log_level);
	if (level >= 0)
		st_log_set_level((enum st_log_level)level);
	return 0;
}

static size_t count_enabled(const struct daemon *d, enum st_plugin_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < d->plugins.n; i++)
		if (d->plugins.items[i].desc->kind == kind && d->cfg.plugins[i].enabled)
			n++;
	return n;
}

static int detach(void)
{
	/* Under systemd run with --foreground; this is for a shell user. */
	pid_t pid = fork();
	if (pid < 0) {
		st_err("fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/") < 0)
		return -1;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	return 0;
}

static int open_event_fds(struct daemon *d)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	/* Blocked before the sink thread starts, so it inherits the mask
	 * and the signals reach the signalfd only. */
	if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0 ||
	    (d->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
		st_err("signalfd: %s", strerror(errno));
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (d->timer_fd < 0) {
		st_err("timerfd: %s", strerror(errno));
		return -1;
	}
	int64_t step = (int64_t)(d->cfg.interval_s * 1e9);
	int64_t first = st_mono_ns() + step;
	struct itimerspec its = {
		.it_interval = { step / 1000000000, step % 1000000000 },
		.it_value = { first / 1000000000, first % 1000000000 },
	};
	/* Absolute ticks: a slow sample delays nothing after it. */
	if (timerfd_settime(d->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		st_err("timerfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void emit_incident(struct daemon *d)
{
	struct st_dump *dump = st_dump_build(&d->builder, &d->ring,
					     &d->sampler.table, &d->incidents);
	if (dump) {
		const struct st_trigger *t = &d->incidents.triggers[0];
		st_notice("incident %s: %s [%d] %s: %s (%u triggers, %u samples)",
			  dump->id, t->type, t->pid, t->comm, t->summary,
			  dump->ntriggers, dump->nsamples);
		st_sink_queue_push(&d->sinks, dump);
	}
	st_incidents_close(&d->incidents);
}

static void evaluate_detectors(struct daemon *d)
{
	struct st_history hist;
	const struct st_sample *newest = st_ring_newest(&d->ring);
	st_sampler_history(&d->sampler, &d->ring, &hist);
	for (size_t i = 0; i < d->plugins.n; i++) {
		struct st_loaded_plugin *p = &d->plugins.items[i];
		if (!p->running || p->desc->kind != ST_PLUGIN_DETECTOR)
			continue;
		memset(d->triggers, 0, sizeof(d->triggers));
		int n = p->desc->evaluate(p->state, &hist, d->triggers,
					  TRIGGERS_PER_DETECTOR);
		if (n < 0) {
			/* Log the first failure and then every thousandth: a
			 * broken detector must not flood the log every tick. */
			if (p->failures++ % 1000 == 0)
				st_warn("detector %s: evaluate failed (%llu times)",
					p->desc->name, (unsigned long long)p->failures);
			continue;
		}
		if (n > TRIGGERS_PER_DETECTOR)
			n = TRIGGERS_PER_DETECTOR;
		st_incidents_offer(&d->incidents, d->triggers, (size_t)n,
				   p->cooldown_s, newest);
	}
}

static void manual_trigger(struct daemon *d)
{
	const struct st_sample *newest = st_ring_newest(&d->ring);
	struct st_trigger t = { .type = "manual", .units = "" };
	if (!newest)
		return;
	snprintf(t.summary, sizeof(t.summary), "dump requested with SIGUSR1");
	st_incidents_offer(&d->incidents, &t, 1, 0, newest);
}

static void on_tick(struct daemon *d)
{
	uint64_t expirations;
	if (read(d->timer_fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	if (expirations > 1) {
		d->missed_ticks += expirations - 1;
		st_debug("late by %llu ticks (%llu missed in all)",
			 (unsigned long long)(expirations - 1),
			 (unsigned long long)d->missed_ticks);
	}
	if (st_sampler_take(&d->sampler, &d->ring) < 0)
		return;
	evaluate_detectors(d);
	if (st_incidents_due(&d->incidents, st_ring_newest(&d->ring)->seq))
		emit_incident(d);
}

/* Returns 1 to go on, 0 to stop. */
static int on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;
	if (read(d->signal_fd, &si, sizeof(si)) != sizeof(si))
		return 1;
	switch (si.ssi_signo) {
	case SIGINT:
	case SIGTERM:
		st_notice("signal %d: stopping", (int)si.ssi_signo);
		return 0;
	case SIGUSR1:
		manual_trigger(d);
		return 1;
	case SIGHUP:
		st_notice("SIGHUP: configuration reload is not supported yet; "
			  "restart to apply changes");
		return 1;
	}
	return 1;
}

static void run_loop(struct daemon *d)
{
	struct pollfd fds[2] = {
		{ .fd = d->timer_fd, .events = POLLIN },
		{ .fd = d->signal_fd, .events = POLLIN },
	};
	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			st_err("poll: %s", strerror(errno));
			return;
		}
		if ((fds[1].revents & POLLIN) && !on_signal(d))
			return;
		if (fds[0].revents & POLLIN)
			on_tick(d);
	}
}

static int start(struct daemon *d, const struct st_options *o)
{
	char err[512];
	if (st_sampler_init(&d->sampler, o->proc_root, err, sizeof(err)) < 0) {
		st_err("%s", err);
		return 1;
	}
	if (st_ring_init(&d->ring, d->cfg.history) < 0 ||
	    st_incidents_init(&d->incidents, d->cfg.post_trigger,
			      d->cfg.max_dumps_per_minute) < 0) {
		st_err("out of memory");
		return 1;
	}
	/* The first sample sets the baselines and tells the core count. */
	if (st_sampler_take(&d->sampler, &d->ring) < 0)
		return 1;
	const struct st_sample *first = st_ring_newest(&d->ring);
	d->builder.proc_root_fd = d->sampler.root_fd;
	d->builder.pre = d->cfg.pre_trigger;
	d->builder.top = d->cfg.top;
	d->builder.interval_s = d->cfg.interval_s;
	st_dump_host_read(d->sampler.root_fd, first->ncores, first->mem_total_kib,
			  &d->builder.host);
	if (open_event_fds(d) < 0)
		return 1;
	size_t running = st_plugins_start(&d->plugins, &d->cfg, o->proc_root,
					  first->ncores);
	if (st_sink_queue_start(&d->sinks, &d->plugins, SINK_QUEUE_DUMPS) < 0)
		return 1;
	st_notice("sampling %s every %gs, %zu plugins running, history %u samples",
		  o->proc_root, d->cfg.interval_s, running, d->cfg.history);
	return 0;
}

static void finish(struct daemon *d)
{
	/* An incident cut short still gets its dump: the spike that made
	 * someone stop the daemon is worth keeping. */
	if (d->incidents.open && d->ring.count)
		emit_incident(d);
	st_sink_queue_stop(&d->sinks);
	st_plugins_unload(&d->plugins);
	st_incidents_destroy(&d->incidents);
	st_ring_destroy(&d->ring);
	st_sampler_destroy(&d->sampler);
	st_config_free(&d->cfg);
	if (d->timer_fd >= 0)
		close(d->timer_fd);
	if (d->signal_fd >= 0)
		close(d->signal_fd);
}

int st_daemon_main(const struct st_options *o)
{
	struct daemon *d = calloc(1, sizeof(*d));
	if (!d) {
		st_err("out of memory");
		return 1;
	}
	d->timer_fd = d->signal_fd = -1;
	d->sampler.root_fd = d->sampler.stat_fd = -1;
	d->sampler.meminfo_fd = d->sampler.uptime_fd = -1;
	int rc = configure(d, o);
	if (rc == 0 && o->check_config) {
		printf("%s: OK: %zu detectors and %zu sinks enabled\n",
		       d->cfg.path ? d->cfg.path : "(defaults)",
		       count_enabled(d, ST_PLUGIN_DETECTOR), count_enabled(d, ST_PLUGIN_SINK));
		rc = -1;
	}
	if (rc == 0 && !o->foreground && detach() < 0)
		rc = 1;
	if (rc == 0)
		rc = start(d, o);
	if (rc == 0)
		run_loop(d);
	finish(d);
	free(d);
	return rc < 0 ? 0 : rc;
}
