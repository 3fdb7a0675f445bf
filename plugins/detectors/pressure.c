/*
 * pressure: the kernel's pressure stall information (PSI) of cpu, memory
 * or io crosses a threshold over a window: the percentage of window_s in
 * which some task (some) or every non-idle task at once (full) was stalled
 * waiting for that resource. Each of the six figures has its threshold
 * (0: not watched).
 *
 * Two ways to watch a figure, chosen at create and said there, one line
 * per figure (at debug level only on a kernel without PSI, where there is
 * nothing to watch):
 *   - A kernel trigger: "some|full STALL_US WINDOW_US" written to
 *     PROC_ROOT/pressure/RES. The kernel wakes the fd (POLLPRI, through the
 *     core's fd watch) as soon as the stall within a window reaches the
 *     threshold, between two samples. ready() asks for an off-tick sample
 *     at once, so that the dump holds the moment, and that sample fires.
 *   - The samples' stall totals: the stall growth every sample records,
 *     summed over the samples that cover the window (at least window_s
 *     of them, so a daemon just started waits that long). Tick resolution only,
 *     but it needs nothing. Used where a trigger cannot be set up: no PSI,
 *     not permitted (before Linux 6.5 only root writes the files), a
 *     window the kernel refuses, a proc root that is not procfs (a test's
 *     tree: there the write would only change a file), a core without fd
 *     watches, or kernel_triggers = false.
 *
 * Privilege: since Linux 6.5 anyone may set a trigger whose window is a
 * multiple of 2 s; windows of 0.5 to 10 s that are not need
 * CAP_SYS_RESOURCE. A window the kernel refuses is rounded up to the next
 * multiple of 2 s, said once, and then used for every figure, so that all
 * of them mean the same span.
 *
 * Episodes: a figure fires once when it crosses its threshold, and re-arms
 * when its stall over the window has fallen below half the threshold: a
 * stall that lasts an hour is one incident, and one that wobbles around
 * the threshold does not fire at every crossing. A trigger the core
 * refuses (cooldown, rate limit) re-arms it at once. One trigger per
 * sample at most, the figure furthest over its threshold: the event is the
 * system's (ST_TRIGGER_SYSTEM), so its cooldown is per type, and a second
 * figure still over its threshold fires on a later sample.
 *
 * Blame, over the samples of the window: cpu, the process that ran most
 * (its own CPU and its reaped children's); io, the one that waited
 * longest for block I/O (delay accounting), or without that figure the one
 * most often in D state; memory, the one whose own memory grew most
 * (rss_blame), or else the one with the most major faults. value is the
 * stall over the window in percent, baseline the kernel's 10 s average
 * just before it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <spiketrace/plugin.h>

#include "rss_blame.h"
#include "slots.h"
#include "summary_text.h"
#include "trigger.h"
#include "window.h"

enum { RES_CPU, RES_MEMORY, RES_IO, NRES };
enum { KIND_SOME, KIND_FULL, NKIND };
#define NFIGURES (NRES * NKIND)

static const char *const res_names[NRES] = { "cpu", "memory", "io" };
static const char *const kind_names[NKIND] = { "some", "full" };
static const uint32_t res_bits[NRES] = { ST_HAVE_PSI_CPU, ST_HAVE_PSI_MEMORY, ST_HAVE_PSI_IO };

/* The kernel's bounds of a trigger window. */
#define PSI_WINDOW_MIN_S 0.5
#define PSI_WINDOW_MAX_S 10.0
/* Unprivileged windows are multiples of this (Linux >= 6.5). */
#define PSI_UNPRIVILEGED_STEP_S 2.0

struct pressure;

/* One figure (resource and kind) and how it is watched. */
struct figure {
	struct pressure *owner;     /* ready()'s way back */
	double   pct;               /* threshold; 0: not watched */
	int      fd;                /* kernel trigger, or -1: the samples' totals */
	int32_t  watch;             /* the core's watch id, 0: none */
	int      pending;           /* the kernel saw the stall: the next sample fires */
	int      armed;
	uint8_t  res, kind;
};

/* One process's figures over the window, summed when a figure fires. */
struct proc_acc {
	uint64_t gen;               /* != the blamer's: stale */
	double   cpu_ms;
	uint64_t blkio_ticks;
	uint64_t majflt;
	uint32_t d_samples;
	char     state;             /* in the latest sample that had it */
};

/* Slots preallocated: a desktop's or a small server's processes. */
#define ACC_INITIAL_SLOTS 1024

struct pressure {
	const struct st_host *host;
	struct figure fig[NFIGURES];
	struct window window;
	struct rss_blamer blamer;   /* preallocated: firing allocates nothing */
	struct slots acc;           /* struct proc_acc by st_proc_sample.info */
	uint64_t gen;
	int      reported;          /* the figure of the last evaluate's trigger, -1 none */
};

enum {
	OPT_CPU_SOME, OPT_CPU_FULL, OPT_MEMORY_SOME, OPT_MEMORY_FULL,
	OPT_IO_SOME, OPT_IO_FULL, OPT_WINDOW_S, OPT_KERNEL_TRIGGERS,
};

static const struct st_option options[] = {
	[OPT_CPU_SOME] = ST_OPTION_FLOAT("cpu_some_pct", 80, 0, 100,
		"fire when some task waited for a CPU this percentage of window_s (0: off)"),
	[OPT_CPU_FULL] = ST_OPTION_FLOAT("cpu_full_pct", 0, 0, 100,
		"the same for every task at once (0: off; the kernel measures it for cgroups "
		"only and reports 0 for the whole system)"),
	[OPT_MEMORY_SOME] = ST_OPTION_FLOAT("memory_some_pct", 10, 0, 100,
		"fire when some task stalled on memory (reclaim, refaults, swap-in) this "
		"percentage of window_s (0: off)"),
	[OPT_MEMORY_FULL] = ST_OPTION_FLOAT("memory_full_pct", 5, 0, 100,
		"the same for every non-idle task at once (0: off)"),
	[OPT_IO_SOME] = ST_OPTION_FLOAT("io_some_pct", 50, 0, 100,
		"fire when some task waited for I/O this percentage of window_s (0: off)"),
	[OPT_IO_FULL] = ST_OPTION_FLOAT("io_full_pct", 20, 0, 100,
		"the same for every non-idle task at once (0: off)"),
	[OPT_WINDOW_S] = ST_OPTION_FLOAT("window_s", 2, PSI_WINDOW_MIN_S, PSI_WINDOW_MAX_S,
		"seconds the stall is measured over; kernel triggers take a window that is "
		"not a multiple of 2 s only with CAP_SYS_RESOURCE"),
	[OPT_KERNEL_TRIGGERS] = ST_OPTION_BOOL("kernel_triggers", 1,
		"let the kernel report a stall between two samples (PSI triggers) where "
		"permitted; false: the samples' stall totals only"),
	ST_OPTION_END,
};

static double threshold_opt(const union st_value *opts, int figure)
{
	return opts[OPT_CPU_SOME + figure].f;
}

/* The stall a threshold means, in whole microseconds of the window. */
static uint64_t stall_us(double pct, double window_s)
{
	return (uint64_t)(pct / 100.0 * window_s * 1e6 + 0.5);
}

/* A window in the microseconds the kernel counts in. */
static uint64_t window_us(double window_s)
{
	return stall_us(100, window_s);
}

/* Nothing to watch is a section that should say enabled = false; a
 * threshold below a microsecond of the window is one the kernel refuses
 * and no sample can tell from 0. */
static int pressure_check_options(const union st_value *opts, char *err, size_t errlen)
{
	int watched = 0;
	for (int k = 0; k < NFIGURES; k++) {
		double pct = threshold_opt(opts, k);
		if (pct <= 0)
			continue;
		watched++;
		if (stall_us(pct, opts[OPT_WINDOW_S].f) == 0) {
			snprintf(err, errlen, "%s: %g%% of window_s (%g s) is less than a "
				 "microsecond", options[OPT_CPU_SOME + k].name, pct,
				 opts[OPT_WINDOW_S].f);
			return -1;
		}
	}
	if (watched)
		return 0;
	snprintf(err, errlen, "every threshold is 0: nothing to watch (write enabled = false "
		 "to turn the detector off)");
	return -1;
}

/* ------------------------------------------------------ kernel triggers */

static void pressure_ready(void *arg, int32_t fd, uint32_t revents);

/*
 * Open PROC_ROOT/pressure/RES and write the figure's trigger over
 * window_s. Returns the fd, or -1 with why filled in and *err the errno
 * (0 when the file is no kernel file).
 */
static int open_trigger(const struct pressure *ps, const struct figure *f, double window_s,
			int *err, char *why, size_t len)
{
	char path[4096], line[64];
	snprintf(path, sizeof(path), "%s/pressure/%s", ps->host->proc_root, res_names[f->res]);
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* A PSI file is procfs's: anything else (a test's tree) would only
	 * take the line as its new content. */
	struct statfs fs;
	if (fstatfs(fd, &fs) != 0 || fs.f_type != PROC_SUPER_MAGIC) {
		*err = 0;
		snprintf(why, len, "%s is not on procfs, so not the kernel's", path);
		close(fd);
		return -1;
	}
	int n = snprintf(line, sizeof(line), "%s %llu %llu", kind_names[f->kind],
			 (unsigned long long)stall_us(f->pct, window_s),
			 (unsigned long long)window_us(window_s));
	/* With the NUL: the kernel reads the last byte written as one. */
	if (write(fd, line, (size_t)n + 1) != (ssize_t)n + 1) {
		*err = errno;
		snprintf(why, len, "%s: writing \"%s\": %s", path, line, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* A multiple of 2 s, to the microsecond the kernel counts in. */
static int unprivileged_window(double window_s)
{
	return window_us(window_s) % window_us(PSI_UNPRIVILEGED_STEP_S) == 0;
}

/* Set up f's kernel trigger and its watch; 0, or -1 with why and *err
 * (an errno, 0 for another reason). May round ps->window up (said once). */
static int kernel_trigger(struct pressure *ps, struct figure *f, int *err, char *why,
			  size_t len)
{
	const struct st_host *host = ps->host;
	*err = 0;
	if (!ST_HOST_HAS(host, watch_fd) || !ST_HOST_HAS(host, request_sample) ||
	    !ST_HOST_HAS(host, unwatch_fd)) {
		snprintf(why, len, "this core watches no fd for a plugin");
		return -1;
	}
	int fd = open_trigger(ps, f, ps->window.seconds, err, why, len);
	if (fd < 0 && *err == EINVAL && !unprivileged_window(ps->window.seconds)) {
		/* The kernel refuses such a window without CAP_SYS_RESOURCE:
		 * a multiple of 2 s is what it takes from anyone. */
		uint64_t step = window_us(PSI_UNPRIVILEGED_STEP_S);
		double rounded = (double)((window_us(ps->window.seconds) + step - 1) /
					  step * step) / 1e6;
		fd = open_trigger(ps, f, rounded, err, why, len);
		if (fd >= 0) {
			host->log(host, ST_LOG_WARNING, "window_s = %g: the kernel takes a "
				  "trigger window that is not a multiple of %g s only from a "
				  "process with CAP_SYS_RESOURCE; every figure is measured "
				  "over %g s", ps->window.seconds, PSI_UNPRIVILEGED_STEP_S, rounded);
			ps->window.seconds = rounded;
		}
	}
	if (fd < 0)
		return -1;
	f->watch = host->watch_fd(host, fd, POLLPRI, pressure_ready, f);
	if (f->watch < 0) {
		f->watch = 0;
		snprintf(why, len, "the core refused to watch its fd");
		close(fd);
		return -1;
	}
	f->fd = fd;
	return 0;
}

/* Whether the resource's file reports a "full" line (cpu's since Linux
 * 5.13); 1 when it cannot be read (the samples will tell). */
static int reports_full(const struct pressure *ps, int res)
{
	char path[4096], buf[512];
	snprintf(path, sizeof(path), "%s/pressure/%s", ps->host->proc_root, res_names[res]);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	return strstr(buf, "full ") != NULL;
}

/* Say once how a figure is watched. */
static void watch_figure(struct pressure *ps, struct figure *f, int use_kernel)
{
	const struct st_host *host = ps->host;
	char why[4200];
	int err = 0;
	const char *res = res_names[f->res], *kind = kind_names[f->kind];
	if (f->kind == KIND_FULL && !reports_full(ps, f->res)) {
		host->log(host, ST_LOG_WARNING, "%s_full_pct: this kernel reports no %s full "
			  "(cpu's is Linux 5.13 and later): not watched", res, res);
		f->pct = 0;
		return;
	}
	if (f->res == RES_CPU && f->kind == KIND_FULL)
		host->log(host, ST_LOG_WARNING, "cpu_full_pct: the kernel reports cpu full as "
			  "0 for the whole system (it is measured for cgroups): it never fires");
	if (!use_kernel)
		snprintf(why, sizeof(why), "kernel_triggers = false");
	else if (kernel_trigger(ps, f, &err, why, sizeof(why)) == 0) {
		host->log(host, ST_LOG_INFO, "%s %s >= %g%% of %g s: kernel trigger", res, kind,
			  f->pct, ps->window.seconds);
		return;
	}
	if (err == ENOENT) {
		/* The samples have no figure to measure either. A kernel
		 * without PSI is normal, as a machine without swap is: said
		 * at debug level only. */
		host->log(host, ST_LOG_DEBUG, "%s %s: no pressure stall information (%s: a "
			  "kernel without PSI, or booted with psi=0): not watched", res, kind, why);
		return;
	}
	host->log(host, ST_LOG_INFO, "%s %s >= %g%% of %g s: the samples' stall totals (%s)",
		  res, kind, f->pct, ps->window.seconds, why);
}

static void end_trigger(struct pressure *ps, struct figure *f)
{
	if (f->watch > 0)
		ps->host->unwatch_fd(ps->host, f->watch);
	if (f->fd >= 0)
		close(f->fd);
	f->watch = 0;
	f->fd = -1;
}

/* The kernel saw the stall: take the moment now, unless this episode was
 * reported already. */
static void pressure_ready(void *arg, int32_t fd, uint32_t revents)
{
	struct figure *f = arg;
	struct pressure *ps = f->owner;
	const struct st_host *host = ps->host;
	(void)fd;
	if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
		/* The core has ended the watch: the samples take over. */
		host->log(host, ST_LOG_WARNING, "%s %s: the kernel trigger failed (poll 0x%x); "
			  "watching the samples' stall totals instead", res_names[f->res],
			  kind_names[f->kind], (unsigned)revents);
		f->watch = 0;
		end_trigger(ps, f);
		return;
	}
	if (!(revents & POLLPRI) || !f->armed)
		return;
	f->pending = 1;
	char reason[96];
	snprintf(reason, sizeof(reason), "pressure: %s %s >= %g%% of %g s",
		 res_names[f->res], kind_names[f->kind], f->pct, ps->window.seconds);
	/* Refused (said by the core): the next tick serves it. */
	host->request_sample(host, reason);
}

/* ------------------------------------------------------------ life cycle */

static void pressure_destroy(void *state)
{
	struct pressure *ps = state;
	if (!ps)
		return;
	for (int k = 0; k < NFIGURES; k++)
		end_trigger(ps, &ps->fig[k]);
	rss_blamer_fini(&ps->blamer);
	slots_fini(&ps->acc);
	free(ps);
}

static int pressure_create(const struct st_host *host, const union st_value *opts,
			   void **state)
{
	char err[160];
	if (pressure_check_options(opts, err, sizeof(err)) < 0) {
		host->log(host, ST_LOG_ERR, "%s", err);
		return -1;
	}
	struct pressure *ps = calloc(1, sizeof(*ps));
	if (!ps) {
		host->log(host, ST_LOG_ERR, "out of memory");
		return -1;
	}
	ps->host = host;
	ps->reported = -1;
	ps->window.seconds = opts[OPT_WINDOW_S].f;
	/* Failures here are retried on the samples that do not fire. */
	rss_blamer_init(&ps->blamer, host);
	slots_init(&ps->acc, sizeof(struct proc_acc));
	slots_reserve(&ps->acc, ACC_INITIAL_SLOTS);
	for (int k = 0; k < NFIGURES; k++) {
		struct figure *f = &ps->fig[k];
		f->owner = ps;
		f->fd = -1;
		f->res = (uint8_t)(k / NKIND);
		f->kind = (uint8_t)(k % NKIND);
		f->pct = threshold_opt(opts, k);
		f->armed = 1;
	}
	for (int k = 0; k < NFIGURES; k++)
		if (ps->fig[k].pct > 0)
			watch_figure(ps, &ps->fig[k], opts[OPT_KERNEL_TRIGGERS].b);
	*state = ps;
	return 0;
}

/* Grow the per-process scratch to the process table: on samples that do
 * not fire only, so that firing allocates nothing. */
static void reserve(struct pressure *ps, const struct st_history *h)
{
	rss_blamer_reserve(&ps->blamer, h);
	slots_reserve(&ps->acc, h->ninfos);
}

/* ------------------------------------------------------------ measuring */

static const struct st_pressure *psi_of(const struct st_sample *s, int res)
{
	return res == RES_CPU ? &s->psi_cpu : res == RES_MEMORY ? &s->psi_memory : &s->psi_io;
}

/* The first of the `back` newest samples, the one the window starts after. */
static const struct st_sample *window_start(const struct st_history *h, uint32_t back)
{
	return h->samples[h->count - 1 - back];
}

/* Percent of the samples' time in the window that the figure was stalled;
 * NAN when no sample in it measured the figure. *span_s gets that time. */
static double window_pct(const struct st_history *h, uint32_t back, int res, int kind,
			 double *span_s)
{
	uint64_t stall = 0;
	double span = 0;
	for (uint32_t i = h->count - back; i < h->count; i++) {
		const struct st_sample *s = h->samples[i];
		const struct st_pressure *p = psi_of(s, res);
		if (!(s->have & res_bits[res]) || s->interval_s <= 0 ||
		    (kind == KIND_FULL && !p->full_known))
			continue;
		stall += kind == KIND_FULL ? p->full_stall_us : p->some_stall_us;
		span += s->interval_s;
	}
	if (span_s)
		*span_s = span;
	if (span <= 0)
		return NAN;
	double pct = 100.0 * (double)stall / (span * 1e6);
	/* The totals are read a little apart from the clock. */
	return pct > 100 ? 100 : pct;
}

/* ---------------------------------------------------------------- blame */

/* The processes that ran, waited and faulted most over the window: slots
 * into ps->acc, or UINT32_MAX when none did. */
struct busiest {
	uint32_t cpu, io, majflt;
};

static struct proc_acc *acc_at(const struct pressure *ps, uint32_t i)
{
	return slot(&ps->acc, i);
}

static int more_blocked(const struct proc_acc *a, const struct proc_acc *b)
{
	if (a->blkio_ticks != b->blkio_ticks)
		return a->blkio_ticks > b->blkio_ticks;
	return a->d_samples > b->d_samples;
}

static void sum_window(struct pressure *ps, const struct st_history *h, uint32_t back,
		       struct busiest *top)
{
	top->cpu = top->io = top->majflt = UINT32_MAX;
	ps->gen++;
	for (uint32_t i = h->count - back; i < h->count; i++) {
		const struct st_sample *s = h->samples[i];
		for (uint32_t j = 0; j < s->nprocs; j++) {
			const struct st_proc_sample *p = st_sample_proc(s, j);
			if (p->info >= ps->acc.n)
				continue;       /* the scratch could not grow */
			struct proc_acc *a = slot(&ps->acc, p->info);
			if (a->gen != ps->gen)
				*a = (struct proc_acc){ .gen = ps->gen };
			a->state = p->state;
			if (p->flags & ST_PROC_CARRIED)
				continue;       /* nothing measured */
			a->cpu_ms += ((double)p->cpu_pct + (double)p->children_cpu_pct) *
				     s->interval_s * 10.0;
			if (p->have & ST_PROC_HAVE_BLKIO)
				a->blkio_ticks += p->blkio_delay_ticks;
			a->majflt += p->majflt_delta;
			a->d_samples += p->state == 'D';
			/* Figures only grow: the largest running one is the
			 * largest final one. */
			if (a->cpu_ms > 0 && (top->cpu == UINT32_MAX ||
					      a->cpu_ms > acc_at(ps, top->cpu)->cpu_ms))
				top->cpu = p->info;
			if ((a->blkio_ticks || a->d_samples) &&
			    (top->io == UINT32_MAX || more_blocked(a, acc_at(ps, top->io))))
				top->io = p->info;
			if (a->majflt && (top->majflt == UINT32_MAX ||
					  a->majflt > acc_at(ps, top->majflt)->majflt))
				top->majflt = p->info;
		}
	}
}

/* "; most CPU: [4321] stress-ng (99% of a core)" and its kin, at
 * t->summary[used]. */
static void append_process(const struct st_history *h, struct st_trigger *t, int used,
			   uint32_t slot, const char *what, const char *figure)
{
	trigger_process(t, st_history_info(h, slot));
	/* The name as it is: every output escapes the summary for its
	 * medium, once (an escape here would show doubled there). */
	summary_append(t->summary, sizeof(t->summary), used, "; %s: [%d] %s (%s)",
		       what, (int)t->pid, st_history_info(h, slot)->comm, figure);
}

static void blame_cpu(struct pressure *ps, const struct st_history *h, double span_s,
		      const struct busiest *top, struct st_trigger *t, int used)
{
	char figure[48];
	if (top->cpu == UINT32_MAX) {
		summary_append(t->summary, sizeof(t->summary), used,
			       "; no process was seen running");
		return;
	}
	snprintf(figure, sizeof(figure), "%.0f%% of a core",
		 span_s > 0 ? acc_at(ps, top->cpu)->cpu_ms / (span_s * 10.0) : 0);
	append_process(h, t, used, top->cpu, "most CPU", figure);
}

static void blame_io(struct pressure *ps, const struct st_history *h, uint32_t samples,
		     const struct busiest *top, struct st_trigger *t, int used)
{
	char figure[48];
	if (top->io == UINT32_MAX) {
		summary_append(t->summary, sizeof(t->summary), used,
			       "; no process was seen waiting for I/O");
		return;
	}
	const struct proc_acc *a = acc_at(ps, top->io);
	const char *d = a->state == 'D' ? "D, " : "";
	if (a->blkio_ticks && h->clock_ticks > 0)
		snprintf(figure, sizeof(figure), "%s%.0f ms blkio wait", d,
			 (double)a->blkio_ticks * 1000.0 / (double)h->clock_ticks);
	else
		snprintf(figure, sizeof(figure), "D in %u of %u samples", a->d_samples, samples);
	append_process(h, t, used, top->io, "most blocked", figure);
}

static void blame_memory(struct pressure *ps, const struct st_history *h, uint32_t back,
			 const struct busiest *top, struct st_trigger *t, int used)
{
	const struct st_sample *now = h->samples[h->count - 1];
	const struct st_sample *old = window_start(h, back);
	uint64_t fall = 0;
	if ((old->have & now->have & ST_HAVE_MEMAVAIL) &&
	    old->mem_available_kib > now->mem_available_kib)
		fall = old->mem_available_kib - now->mem_available_kib;
	struct rss_blame b;
	rss_blame_growth(&ps->blamer, h, back, fall, &b);
	if (!b.pid && top->majflt != UINT32_MAX) {
		char figure[48], count[32];
		summary_count(count, sizeof(count), acc_at(ps, top->majflt)->majflt);
		snprintf(figure, sizeof(figure), "%s in the window", count);
		append_process(h, t, used, top->majflt, "most major faults", figure);
		return;
	}
	rss_blame_to_trigger(&b, t);
	rss_blame_append(t->summary, sizeof(t->summary), used, &b);
}

/* ------------------------------------------------------------- evaluate */

/* The figure that fires this sample, or -1. Consumes the kernel's
 * reports and re-arms the figures whose stall has gone. */
static int crossing(struct pressure *ps, const struct st_history *h, uint32_t back,
		    double *value)
{
	const struct st_sample *now = h->samples[h->count - 1];
	int best = -1;
	double best_ratio = 0;
	for (int k = 0; k < NFIGURES; k++) {
		struct figure *f = &ps->fig[k];
		if (f->pct <= 0)
			continue;
		double span_s;
		double pct = window_pct(h, back, f->res, f->kind, &span_s);
		int pending = f->pending;
		f->pending = 0;
		if (!f->armed) {
			if (!isnan(pct) && pct < f->pct / 2)
				f->armed = 1;
			continue;
		}
		/* The samples must cover the window (give or take half a
		 * tick): a figure is what they measured. Where the kernel
		 * watches, its report says when, and the samples, which see
		 * only their ticks' totals, must at least half agree: a
		 * report the samples cannot measure (at start, before they
		 * cover a window) or measured far below is not fired. The
		 * slack absorbs rounding at exactly the threshold. */
		int covered = !isnan(pct) && span_s + now->interval_s / 2 >= ps->window.seconds;
		int crossed = f->fd >= 0 ? pending && covered && pct >= f->pct / 2 :
			      covered && pct >= f->pct * (1 - 1e-9);
		if (!crossed)
			continue;
		double v = pct;
		if (best < 0 || v / f->pct > best_ratio) {
			best = k;
			best_ratio = v / f->pct;
			*value = v;
		}
	}
	return best;
}

static int detect(struct pressure *ps, const struct st_history *h,
		  struct st_trigger *out, size_t max)
{
	ps->reported = -1;
	if (h->count < 2) {
		for (int k = 0; k < NFIGURES; k++)
			ps->fig[k].pending = 0;
		return 0;
	}
	uint32_t back = window_back(&ps->window, h);
	double value = 0, span_s = 0;
	int k = crossing(ps, h, back, &value);
	if (k < 0 || max == 0)
		return 0;
	struct figure *f = &ps->fig[k];
	/* trigger_result re-arms it should the core refuse. */
	f->armed = 0;
	ps->reported = k;
	window_pct(h, back, f->res, f->kind, &span_s);

	struct st_trigger *t = &out[0];
	const struct st_sample *before = window_start(h, back);
	const struct st_pressure *p = psi_of(before, f->res);
	trigger_figures(t, "pressure", value, !(before->have & res_bits[f->res]) ? 0 :
			f->kind == KIND_FULL ? p->full_avg10_pct : p->some_avg10_pct,
			f->pct, "pct");
	t->flags = ST_TRIGGER_SYSTEM;
	int used = snprintf(t->summary, sizeof(t->summary),
			    "%s %s %.0f%% of %g s stalled (threshold %g%%)",
			    res_names[f->res], kind_names[f->kind], value,
			    ps->window.seconds, f->pct);

	struct busiest top;
	sum_window(ps, h, back, &top);
	if (f->res == RES_CPU)
		blame_cpu(ps, h, span_s, &top, t, used);
	else if (f->res == RES_IO)
		blame_io(ps, h, back, &top, t, used);
	else
		blame_memory(ps, h, back, &top, t, used);
	return 1;
}

static int pressure_evaluate(void *state, const struct st_history *h,
			     struct st_trigger *out, size_t max)
{
	struct pressure *ps = state;
	int n = detect(ps, h, out, max);
	if (n == 0)
		reserve(ps, h);
	return n;
}

/* Refused: the episode has had no dump yet, so the figure fires again on
 * the next sample still over its threshold (the samples' totals), or at
 * the kernel's next report. */
static void pressure_trigger_result(void *state, const struct st_trigger *t, int taken)
{
	struct pressure *ps = state;
	(void)t;
	if (!taken && ps->reported >= 0)
		ps->fig[ps->reported].armed = 1;
	ps->reported = -1;
}

static const struct st_plugin pressure_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_DETECTOR,
	.name = "pressure",
	.version = "1.0",
	.description = "cpu, memory or io pressure (PSI some/full) reaches a percentage of "
		       "window_s; kernel triggers where permitted",
	.options = options,
	.create = pressure_create,
	.destroy = pressure_destroy,
	.evaluate = pressure_evaluate,
	.trigger_result = pressure_trigger_result,
	.check_options = pressure_check_options,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &pressure_plugin;
}
