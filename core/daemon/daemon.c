#define _GNU_SOURCE
#include "daemon/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <linux/magic.h>
#include <sys/signalfd.h>
#include <sys/statfs.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "dump/dump.h"
#include "engine/engine.h"
#include "events/event_source.h"
#include "plugin/host.h"
#include "daemon/log.h"
#include "daemon/notify.h"
#include "engine/sink_queue.h"
#include "text/term_text.h"

#define SINK_QUEUE_DUMPS 16
/* glibc's default starting threshold, held there (see st_daemon_main). */
#define ST_MMAP_THRESHOLD (128 * 1024)

struct daemon {
	const struct st_options *opts;
	struct st_engine engine;
	struct st_sink_queue sinks;
	int timer_fd, signal_fd;
	int fast_fd;                /* the fast system ring's timer; -1: off */
	uint64_t missed_ticks;
	int64_t next_tick_ns;       /* when the timerfd is due next */
	int64_t step_ns;
	int64_t polled_ns;          /* when the loop last went into poll */
	int64_t woke_ns;            /* when poll last returned */
	int64_t tick_took_ns;       /* how long the last tick's work took */
	int reload_pending;         /* SIGHUP seen; waiting for the sinks to pause */
	struct st_event_source events;  /* the kernel's process events */
	uint64_t lost_told;         /* events.lost_overruns the engine was told */
};

/* Events read per wake of the loop, after the tick when both are ready:
 * a burst is read over several wakes, so that the tick is never held up
 * behind it (at ~2.5 us an event, about a millisecond). An exit read
 * after a tick counts in the next interval. */
#define EVENTS_PER_WAKE 512
/* Events a second above which the event fds rest between reads, and
 * the span the rate is counted over. */
#define EVENTS_STORM_PER_S 3000
#define EVENTS_RATE_NS 100000000LL

/* Readiness and state for systemd (Type=notify). A failure is said once:
 * systemd would then wait for READY=1 until its start timeout. */
static void notify(const char *state)
{
	static int said;
	char err[256];
	if (st_notify(state, err, sizeof(err)) < 0 && !said++)
		st_err("%s", err);
}

/*
 * A recorder must survive the incident it records: under memory pressure
 * its own pages must not be the ones swapped out. MCL_ONFAULT locks pages
 * as they are touched, so reserved but unused memory (thread stacks)
 * is not made resident.
 */
static void lock_memory(void)
{
	/* MCL_FUTURE under a finite RLIMIT_MEMLOCK makes every allocation past
	 * the limit fail: lock only when the limit cannot bite. */
	struct rlimit rl;
	if (geteuid() != 0 && (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 ||
			       rl.rlim_cur != RLIM_INFINITY)) {
		st_notice("memory not locked (RLIMIT_MEMLOCK is finite): under memory "
			  "pressure the daemon's pages may be swapped out; "
			  "LimitMEMLOCK=infinity in the unit locks them");
		return;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0) {
		st_info("memory locked: sampling goes on while the system swaps");
		return;
	}
	st_notice("cannot lock memory (%s): under memory pressure the daemon's pages "
		  "may be swapped out", strerror(errno));
}

static size_t count_enabled(const struct st_engine *e, enum st_plugin_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < e->plugins.n; i++)
		if (e->plugins.items[i].desc->kind == kind && e->cfg.plugins[i].enabled)
			n++;
	return n;
}

/* Whether the plugin called name is loaded and enabled. */
static int enabled(const struct st_engine *e, const char *name)
{
	for (size_t i = 0; i < e->plugins.n; i++)
		if (strcmp(e->plugins.items[i].desc->name, name) == 0 && e->cfg.plugins[i].enabled)
			return 1;
	return 0;
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

static int arm_timer(struct daemon *d);

/* Absolute ticks from first, every step ns: a slow tick delays nothing
 * after it. */
static int set_periodic(int fd, int64_t first, int64_t step)
{
	struct itimerspec its = {
		.it_interval = { step / 1000000000, step % 1000000000 },
		.it_value = { first / 1000000000, first % 1000000000 },
	};
	if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		st_err("timerfd: %s", strerror(errno));
		return -1;
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
	return arm_timer(d);
}

/*
 * The fast system ring's own absolute timer, in the same poll. Its
 * readings fall half a step after the tick's schedule (at 1 s and 0.1 s:
 * 50 ms, 150 ms, ... past each tick), so the two are not due together
 * when interval is a multiple of fast_interval; when they are, the tick
 * goes first (run_loop). A reading is a few microseconds: it never holds
 * a sample up. Re-armed with the tick's timer (arm_timer).
 */
static int arm_fast_timer(struct daemon *d)
{
	if (d->fast_fd < 0)
		return 0;
	int64_t step = (int64_t)(d->engine.cfg.fast_interval_s * 1e9);
	int64_t first = d->next_tick_ns - d->step_ns + step / 2, now = st_mono_ns();
	while (first <= now)
		first += step;
	return set_periodic(d->fast_fd, first, step);
}

static int open_fast_timer(struct daemon *d)
{
	if (!d->engine.fast.rec)
		return 0;
	d->fast_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (d->fast_fd < 0) {
		st_err("timerfd: %s", strerror(errno));
		return -1;
	}
	return arm_fast_timer(d);
}

/* Late expirations are not made up: one reading spans them. */
static void on_fast_tick(struct daemon *d)
{
	uint64_t expirations;
	if (read(d->fast_fd, &expirations, sizeof(expirations)) == sizeof(expirations))
		st_engine_fast_tick(&d->engine);
}

static int arm_timer(struct daemon *d)
{
	int64_t step = (int64_t)(d->engine.cfg.interval_s * 1e9);
	int64_t first = st_mono_ns() + step;
	d->next_tick_ns = first;
	d->step_ns = step;
	if (set_periodic(d->timer_fd, first, step) < 0)
		return -1;
	return arm_fast_timer(d);
}

static void deliver(struct daemon *d, struct st_dump *dump)
{
	if (dump)
		st_sink_queue_push(&d->sinks, dump);
}

/* Returns the events read. */
static size_t drain_events(struct daemon *d, const struct pollfd *fds, size_t n, size_t max)
{
	size_t got = st_event_source_drain(&d->events, fds, n, max, st_engine_proc_event,
					   &d->engine);
	if (d->events.lost_overruns != d->lost_told) {
		st_engine_proc_events_lost(&d->engine,
					   (uint32_t)(d->events.lost_overruns - d->lost_told));
		d->lost_told = d->events.lost_overruns;
	}
	return got;
}

static void on_tick(struct daemon *d)
{
	uint64_t expirations;
	if (read(d->timer_fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return;
	int64_t start = st_mono_ns();
	int64_t due = d->next_tick_ns + (int64_t)(expirations - 1) * d->step_ns;
	/* How late this tick runs after its due time: the jitter budget.
	 * Split in the kernel's part (from due, or from when we went back
	 * into poll if we were still busy then, to poll's return) and ours
	 * (busy past the due time, then the loop's work before the tick):
	 * the two need different fixes. */
	if (st_log_get_level() >= ST_LOG_DEBUG) {
		int64_t from = d->polled_ns > due ? d->polled_ns : due;
		st_debug("tick late by %lld us (busy %lld us past due, wake-up %lld us, "
			 "last tick took %lld us)",
			 (long long)((start - due) / 1000),
			 (long long)((from - due) / 1000),
			 (long long)((d->woke_ns - from) / 1000),
			 (long long)(d->tick_took_ns / 1000));
	}
	d->next_tick_ns += (int64_t)expirations * d->step_ns;
	if (expirations > 1) {
		d->missed_ticks += expirations - 1;
		st_debug("late by %llu ticks (%llu missed in all)",
			 (unsigned long long)(expirations - 1),
			 (unsigned long long)d->missed_ticks);
	}
	deliver(d, st_engine_tick(&d->engine));
	d->tick_took_ns = st_mono_ns() - start;
}

/* The sink thread is paused between two dumps: nothing touches a sink
 * while the plugins are recreated. */
static void finish_reload(struct daemon *d)
{
	double interval = d->engine.cfg.interval_s;
	d->reload_pending = 0;
	/* The open incident is written under the configuration it began in. */
	deliver(d, st_engine_flush(&d->engine));
	if (st_engine_reload(&d->engine, d->opts->config_path, d->opts->config_explicit) == 0)
		st_notice("configuration reloaded");
	if (d->sinks.started)
		st_sink_queue_resume(&d->sinks);
	else if (st_sink_queue_start(&d->sinks, &d->engine.plugins, SINK_QUEUE_DUMPS) < 0)
		st_err("sinks stay off until restart");
	if (d->engine.cfg.interval_s != interval && arm_timer(d) < 0)
		st_err("interval unchanged");
	notify("READY=1");
}

/*
 * SIGHUP. The sinks are recreated with the plugins, so the sink thread
 * must be out of them first; but a slow sink (an fsync on a sick disk, a
 * remote syslog) must not hold up the sampling. So the thread is asked to
 * pause after the dump it is delivering, sampling goes on, and the reload
 * happens when the poll loop hears it has paused. Dumps still queued then
 * go to the new sinks: none is delivered on the sampling thread.
 */
static void reload(struct daemon *d)
{
	if (d->reload_pending)
		return;     /* the pending one reads the file as it is then */
	notify("RELOADING=1");
	st_notice("SIGHUP: reloading %s", d->opts->config_path);
	d->reload_pending = 1;
	st_sink_queue_pause(&d->sinks);
	if (st_sink_queue_take_paused(&d->sinks))
		finish_reload(d);
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
		st_engine_manual_trigger(&d->engine, "dump requested with SIGUSR1");
		return 1;
	case SIGHUP:
		reload(d);
		return 1;
	}
	return 1;
}

/* How long poll may wait, in the ppoll form (NULL: until an fd is
 * ready), for an off-tick sample due at the end of its gap. Takes the
 * sample when it is due now. */
static const struct timespec *off_tick_wait(struct daemon *d, struct timespec *ts)
{
	enum st_off_tick_action a;
	int64_t at = 0, now;
	do {
		struct st_dump *dump;
		now = st_mono_ns();
		a = st_engine_off_tick_step(&d->engine, now, d->next_tick_ns, &at, &dump);
		deliver(d, dump);
	} while (a == ST_OFF_TICK_NOW);
	/* Otherwise nothing is asked, or the tick comes first and serves it. */
	if (a != ST_OFF_TICK_AT)
		return NULL;
	ts->tv_sec = (at - now) / 1000000000;
	ts->tv_nsec = (at - now) % 1000000000;
	return ts;
}

/* The sooner of a wait (NULL: none) and ns from now, into ts. */
static const struct timespec *sooner(const struct timespec *wait, int64_t ns,
				     struct timespec *ts)
{
	if (wait && (int64_t)wait->tv_sec * 1000000000 + wait->tv_nsec <= ns)
		return wait;
	ts->tv_sec = ns / 1000000000;
	ts->tv_nsec = ns % 1000000000;
	return ts;
}

static void run_loop(struct daemon *d)
{
	enum { TIMER, SIGNALS, PAUSED, FAST, EVENTS, WATCHES = EVENTS + 2 };
	struct pollfd fds[WATCHES + ST_FD_WATCH_MAX] = {
		[TIMER] = { .fd = d->timer_fd, .events = POLLIN },
		[SIGNALS] = { .fd = d->signal_fd, .events = POLLIN },
		[PAUSED] = { .fd = -1, .events = POLLIN },  /* the sink thread has paused */
		[FAST] = { .fd = d->fast_fd, .events = POLLIN },  /* -1 when off */
		[EVENTS] = { .fd = -1 }, [EVENTS + 1] = { .fd = -1 },
	};
	struct pollfd events[2];
	size_t nevents = st_event_source_fill(&d->events, events, 2);
	/* In a storm (over EVENTS_STORM_PER_S), after a read that found
	 * events the event fds rest for a while: the kernel queues the
	 * events meanwhile and the next read takes them in one go, instead
	 * of a wake of the loop per event. Below that rate each event is
	 * read at once: the proc connector's exits are read from their
	 * zombies, which a prompt reaper takes away within milliseconds. */
	int64_t events_rest_until = 0, rate_since = 0;
	uint64_t rate_events = 0;
	struct timespec ts, rest;
	const struct timespec *wait = NULL, *timeout;
	for (;;) {
		/* A restarted sink queue has a new fd; -1 is not polled. */
		fds[PAUSED].fd = st_sink_queue_paused_fd(&d->sinks);
		size_t nwatch = st_fd_watch_fill(&d->engine.watches, fds + WATCHES,
						 ST_FD_WATCH_MAX);
		d->polled_ns = st_mono_ns();
		int resting = d->polled_ns < events_rest_until;
		for (size_t i = 0; i < 2; i++)
			fds[EVENTS + i] = i < nevents && !resting ? events[i] :
					  (struct pollfd){ .fd = -1 };
		timeout = resting && nevents ?
			  sooner(wait, events_rest_until - d->polled_ns, &rest) : wait;
		int rc = ppoll(fds, WATCHES + nwatch, timeout, NULL);
		d->woke_ns = st_mono_ns();
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			st_err("poll: %s", strerror(errno));
			return;
		}
		if ((fds[SIGNALS].revents & POLLIN) && !on_signal(d))
			return;
		if ((fds[PAUSED].revents & POLLIN) && st_sink_queue_take_paused(&d->sinks) &&
		    d->reload_pending)
			finish_reload(d);
		/* Before the tick: a request made now that the due tick can
		 * serve costs no sample of its own. */
		st_fd_watch_dispatch(&d->engine.watches, fds + WATCHES, nwatch);
		if (fds[TIMER].revents & POLLIN)
			on_tick(d);
		/* After the tick: due together, the sample is not held up. */
		if (fds[FAST].revents & POLLIN)
			on_fast_tick(d);
		if (!resting) {
			size_t got = drain_events(d, fds + EVENTS, nevents, EVENTS_PER_WAKE);
			int64_t now = st_mono_ns();
			if (now - rate_since > EVENTS_RATE_NS) {
				rate_since = now;
				rate_events = 0;
			}
			rate_events += got;
			if (got && rate_events > EVENTS_STORM_PER_S * EVENTS_RATE_NS / 1000000000)
				events_rest_until = now + ST_EVENT_HOLDOFF_MS * 1000000LL;
		}
		wait = off_tick_wait(d, &ts);
	}
}

/* The config's choice, as the event source takes it: the best mode to
 * try, falling back to what the daemon may. */
static enum st_exit_mode exit_mode_wanted(const char *name)
{
	if (!strcmp(name, "off"))
		return ST_EXIT_MODE_CUTIME;
	if (!strcmp(name, "proc_connector"))
		return ST_EXIT_MODE_PROC_CONNECTOR;
	return ST_EXIT_MODE_TASKSTATS;      /* auto, taskstats */
}

static void open_exit_events(struct daemon *d)
{
	const struct st_config *c = &d->engine.cfg;
	enum st_exit_mode want = exit_mode_wanted(c->exit_events);
	/* The kernel's events are about the processes of its own /proc:
	 * a proc root elsewhere (a test's fake tree) has other pids. */
	struct statfs fs;
	if (want != ST_EXIT_MODE_CUTIME &&
	    (fstatfs(d->engine.sampler.root_fd, &fs) < 0 || fs.f_type != PROC_SUPER_MAGIC)) {
		st_notice("exit events: cutime: %s is not the kernel's proc file system",
			  d->engine.sampler.proc_root);
		return;
	}
	enum st_exit_mode got = st_event_source_open(&d->events, want,
						     c->exit_events_buffer_kib * 1024u);
	/* The source said which mode runs, and why not a better one. */
	if (st_engine_exit_events(&d->engine, (uint32_t)got) == ST_EXITS_CUTIME)
		st_event_source_close(&d->events);
}

static int start(struct daemon *d, const struct st_options *o)
{
	lock_memory();
	if (st_engine_start(&d->engine, o->proc_root) < 0 || open_event_fds(d) < 0 ||
	    st_sink_queue_start(&d->sinks, &d->engine.plugins, SINK_QUEUE_DUMPS) < 0)
		return 1;
	d->engine.sink_queue = &d->sinks;
	if (open_fast_timer(d) < 0)
		return 1;
	open_exit_events(d);
	size_t running = 0;
	for (size_t i = 0; i < d->engine.plugins.n; i++)
		running += d->engine.plugins.items[i].running ? 1 : 0;
	char fast[64] = "";
	if (d->fast_fd >= 0)
		snprintf(fast, sizeof(fast), " (system figures every %gs)",
			 d->engine.cfg.fast_interval_s);
	st_notice("sampling %s every %gs%s, %zu plugins running, history %u samples, pid %d",
		  o->proc_root, d->engine.cfg.interval_s, fast, running, d->engine.cfg.history,
		  (int)getpid());
	notify("READY=1");
	return 0;
}

static void finish(struct daemon *d)
{
	notify("STOPPING=1");
	/* An incident cut short still gets its dump: the spike that made
	 * someone stop the daemon is worth keeping. */
	if (d->sinks.started)
		deliver(d, st_engine_flush(&d->engine));
	st_sink_queue_stop(&d->sinks);
	const struct st_sampler_stats *ss = &d->engine.sampler.stats;
	if (ss->ticks)
		st_notice("%llu samples: %.1f%% of the listed processes read, "
			  "%llu ticks read them all",
			  (unsigned long long)ss->ticks,
			  ss->listed ? 100.0 * (double)ss->read / (double)ss->listed : 0.0,
			  (unsigned long long)ss->sweeps);
	const struct st_off_tick *ot = &d->engine.off_tick;
	if (ot->requests)
		st_notice("%llu off-tick samples for %llu requests (%llu joined one "
			  "pending, %llu were served by a tick)",
			  (unsigned long long)ot->samples, (unsigned long long)ot->requests,
			  (unsigned long long)ot->merged, (unsigned long long)ot->by_tick);
	if (d->engine.burst_samples)
		st_notice("%llu samples at fast_interval (%gs) after triggers",
			  (unsigned long long)d->engine.burst_samples,
			  d->engine.cfg.fast_interval_s);
	const struct st_sampler_exits *x = &d->engine.sampler.between;
	if (x->mode != ST_EXITS_CUTIME)
		st_notice("exit events (%s): %llu events, %llu exits, %llu of processes "
			  "no sample read; the kernel dropped events %llu times",
			  st_exits_mode_name(x->mode), (unsigned long long)x->events,
			  (unsigned long long)x->exits, (unsigned long long)x->grouped,
			  (unsigned long long)d->events.lost_overruns);
	st_event_source_close(&d->events);
	st_engine_destroy(&d->engine);
	if (d->timer_fd >= 0)
		close(d->timer_fd);
	if (d->signal_fd >= 0)
		close(d->signal_fd);
	if (d->fast_fd >= 0)
		close(d->fast_fd);
}

int st_daemon_main(const struct st_options *o)
{
	/* One malloc arena: the sink thread's dumps then reuse the main
	 * heap's free memory instead of growing an arena of its own, whose
	 * pages mlockall would keep resident for good. The sink thread
	 * allocates a few times a minute: no contention to speak of. */
	mallopt(M_ARENA_MAX, 1);
	/* A fixed mmap threshold: a big buffer that lives briefly (the
	 * config file's read, a dump's JSON) goes back to the kernel when
	 * freed. glibc's default raises the threshold at such a free, after
	 * which every later big allocation (the process table growing to
	 * thousands) comes from the heap, whose freed holes mlockall keeps
	 * resident. */
	mallopt(M_MMAP_THRESHOLD, ST_MMAP_THRESHOLD);
	struct daemon *d = calloc(1, sizeof(*d));
	if (!d) {
		st_err("out of memory");
		return 1;
	}
	d->timer_fd = d->signal_fd = d->fast_fd = -1;
	d->events.cn_fd = d->events.ts_fd = -1;
	d->opts = o;
	int rc;
	if (o->list_plugins) {
		/* Listing helps write a config: it must work with a broken one. */
		rc = st_engine_load_plugins(&d->engine, o->config_path,
					    o->config_explicit, o->plugin_dir);
		if (rc == 0)
			st_plugins_print(&d->engine.plugins, stdout);
		rc = rc ? rc : -1;
	} else {
		rc = st_engine_configure(&d->engine, o->config_path,
					 o->config_explicit, o->plugin_dir);
	}
	if (rc == 0 && o->check_config) {
		/* The path is the command line's bytes: shown as the log
		 * shows an error's, escaped once. */
		char shown[4 * 1024 + 1];
		printf("%s: OK: %zu detectors and %zu sinks enabled\n",
		       st_escape_terminal(d->engine.cfg.path ? d->engine.cfg.path : "(defaults)",
					  shown, sizeof(shown)),
		       count_enabled(&d->engine, ST_PLUGIN_DETECTOR),
		       count_enabled(&d->engine, ST_PLUGIN_SINK));
		rc = -1;
	}
	/* Detached, stdout is /dev/null: a stdout sink would print to no one. */
	if (rc == 0 && !o->foreground && enabled(&d->engine, "stdout"))
		st_warn("sink stdout is enabled, but without --foreground the daemon's "
			"stdout is /dev/null: its dumps go nowhere");
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
