#include "sampler.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Whole file from offset 0 into s->buf; grows the buffer when the file
 * does not fit. Returns the length, or -1 with errno set. */
static ssize_t read_whole(struct st_sampler *s, int fd)
{
	for (;;) {
		size_t len = 0;
		for (;;) {
			ssize_t n = pread(fd, s->buf.data + len, s->buf.cap - len, (off_t)len);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			if (n == 0)
				return (ssize_t)len;
			len += (size_t)n;
			if (len == s->buf.cap)
				break;
		}
		char *bigger = realloc(s->buf.data, s->buf.cap * 2);
		if (!bigger) {
			errno = ENOMEM;
			return -1;
		}
		s->buf.data = bigger;
		s->buf.cap *= 2;
	}
}

static int open_system_file(struct st_sampler *s, const char *name, int required,
			    char *err, size_t errlen)
{
	int fd = openat(s->root_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && required)
		snprintf(err, errlen, "%s/%s: %s", s->proc_root, name, strerror(errno));
	return fd;
}

static int cores_reserve(struct st_sampler *s, uint32_t n)
{
	if (n <= s->cores_cap)
		return 0;
	struct st_cpu_times *c = realloc(s->cores, sizeof(*c) * n);
	if (!c)
		return -1;
	s->cores = c;
	struct st_cpu_times *p = realloc(s->prev_cores, sizeof(*p) * n);
	if (!p)
		return -1;
	s->prev_cores = p;
	memset(&s->cores[s->cores_cap], 0, sizeof(*c) * (n - s->cores_cap));
	memset(&s->prev_cores[s->cores_cap], 0, sizeof(*p) * (n - s->cores_cap));
	s->cores_cap = n;
	return 0;
}

/*
 * A system file that cannot be read or parsed fails the tick. Said once
 * when it starts (or when the reason changes), not every tick: at 0.1 s a
 * garbled file would otherwise write ten lines a second.
 */
static void __attribute__((format(printf, 2, 3)))
tick_failed(struct st_sampler *s, const char *fmt, ...)
{
	char why[sizeof(s->failure)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	s->failed_ticks++;
	if (strcmp(why, s->failure) != 0) {
		st_err("%s; no samples until this clears", why);
		snprintf(s->failure, sizeof(s->failure), "%s", why);
	}
}

/* /proc/stat into s->pstat and s->cores; grows the core arrays on hotplug. */
static int read_proc_stat(struct st_sampler *s)
{
	for (;;) {
		ssize_t n = read_whole(s, s->stat_fd);
		if (n < 0) {
			tick_failed(s, "%s/stat: %s", s->proc_root, strerror(errno));
			return -1;
		}
		if (st_parse_proc_stat(s->buf.data, (size_t)n, &s->pstat,
				       s->cores, s->cores_cap) < 0) {
			tick_failed(s, "%s/stat: no \"cpu\" line", s->proc_root);
			return -1;
		}
		if (s->pstat.ncores <= s->cores_cap)
			return 0;
		if (cores_reserve(s, s->pstat.ncores) < 0) {
			tick_failed(s, "%s/stat: out of memory for %u cores", s->proc_root,
				    s->pstat.ncores);
			return -1;
		}
	}
}

static void raise_fd_limit(void)
{
	/* One fd per process is the point; ask for as many as we may have. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int64_t monotonic_clock(void *ctx)
{
	(void)ctx;
	return clock_ns(CLOCK_MONOTONIC);
}

int st_sampler_init(struct st_sampler *s, const char *proc_root,
		    char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->clock = monotonic_clock;
	s->root_fd = s->stat_fd = s->meminfo_fd = s->uptime_fd = -1;
	s->keep_fds = 1;
	s->clock_ticks = sysconf(_SC_CLK_TCK);
	s->page_kib = sysconf(_SC_PAGESIZE) / 1024;
	if (s->clock_ticks <= 0)
		s->clock_ticks = 100;
	s->proc_root = strdup(proc_root);
	s->buf.cap = 64 * 1024;
	s->buf.data = malloc(s->buf.cap);
	if (!s->proc_root || !s->buf.data ||
	    st_proc_table_init(&s->table, 256) < 0 || cores_reserve(s, 64) < 0) {
		snprintf(err, errlen, "%s: out of memory", proc_root);
		goto fail;
	}
	s->root_fd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0) {
		snprintf(err, errlen, "%s: %s", proc_root, strerror(errno));
		goto fail;
	}
	int dfd = dup(s->root_fd);
	s->root_dir = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!s->root_dir) {
		snprintf(err, errlen, "%s: %s", proc_root, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		goto fail;
	}
	s->stat_fd = open_system_file(s, "stat", 1, err, errlen);
	if (s->stat_fd < 0)
		goto fail;
	s->meminfo_fd = open_system_file(s, "meminfo", 1, err, errlen);
	if (s->meminfo_fd < 0)
		goto fail;
	/* Without uptime a new process's CPU since start is unknown (0). */
	s->uptime_fd = open_system_file(s, "uptime", 0, err, errlen);
	raise_fd_limit();
	return 0;
fail:
	st_sampler_destroy(s);
	return -1;
}

void st_sampler_destroy(struct st_sampler *s)
{
	if (s->root_dir)
		closedir(s->root_dir);
	int fds[] = { s->root_fd, s->stat_fd, s->meminfo_fd, s->uptime_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	st_proc_table_destroy(&s->table);
	free(s->cores);
	free(s->prev_cores);
	free(s->buf.data);
	free(s->proc_root);
	memset(s, 0, sizeof(*s));
	s->root_fd = s->stat_fd = s->meminfo_fd = s->uptime_fd = -1;
}

/* Growth of all CPU time between two readings; a counter that went
 * backwards (iowait does) counts as no growth, not as negative time. */
static uint64_t cpu_elapsed(const struct st_cpu_times *a, const struct st_cpu_times *b)
{
	const uint64_t before[] = { a->user, a->nice, a->system, a->idle,
				    a->iowait, a->irq, a->softirq, a->steal };
	const uint64_t after[] = { b->user, b->nice, b->system, b->idle,
				   b->iowait, b->irq, b->softirq, b->steal };
	uint64_t sum = 0;
	for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++)
		sum += after[i] > before[i] ? after[i] - before[i] : 0;
	return sum;
}

/*
 * The interval over which process CPU is measured, in the kernel's own
 * clock: the growth of all CPU time in /proc/stat divided by the cores.
 * Process ticks and these ticks come from the same accounting, so a
 * process saturating a core reads 100% even when this tick ran late.
 * Falls back to the monotonic clock when /proc/stat did not advance.
 */
static double process_interval(const struct st_sampler *s, double wall_s)
{
	uint64_t elapsed = cpu_elapsed(&s->prev_total, &s->pstat.total);
	uint32_t n = s->pstat.ncores ? s->pstat.ncores : 1;
	if (s->seq == 0 || elapsed == 0)
		return wall_s;
	return (double)elapsed / n / (double)s->clock_ticks;
}

static void fill_system_cpu(struct st_sampler *s, struct st_ring_slot *slot)
{
	struct st_sample *smp = &slot->sample;
	uint32_t n = s->pstat.ncores;
	smp->ncores = n;
	smp->core_busy_pct = slot->cores;
	if (s->seq == 0) {
		/* Nothing to compare the first reading with. */
		memset(slot->cores, 0, sizeof(float) * n);
	} else {
		struct st_cpu_pct pct;
		st_cpu_pct_between(&s->prev_total, &s->pstat.total, &pct);
		smp->cpu_total_pct = (float)pct.total;
		smp->cpu_user_pct = (float)pct.user;
		smp->cpu_system_pct = (float)pct.system;
		smp->cpu_iowait_pct = (float)pct.iowait;
		smp->cpu_steal_pct = (float)pct.steal;
		for (uint32_t i = 0; i < n; i++) {
			st_cpu_pct_between(&s->prev_cores[i], &s->cores[i], &pct);
			slot->cores[i] = (float)pct.total;
		}
		if (s->pstat.processes >= s->prev_processes)
			smp->forks_delta = s->pstat.processes - s->prev_processes;
	}
	smp->procs_running = s->pstat.procs_running;
	smp->procs_blocked = s->pstat.procs_blocked;
	s->prev_total = s->pstat.total;
	memcpy(s->prev_cores, s->cores, sizeof(*s->cores) * n);
	s->prev_processes = s->pstat.processes;
	smp->have |= ST_HAVE_CPU;
}

static int read_meminfo(struct st_sampler *s, struct st_meminfo *mi)
{
	ssize_t n = read_whole(s, s->meminfo_fd);
	if (n < 0) {
		tick_failed(s, "%s/meminfo: %s", s->proc_root, strerror(errno));
		return -1;
	}
	if (st_parse_meminfo(s->buf.data, (size_t)n, mi) < 0) {
		tick_failed(s, "%s/meminfo: no MemTotal line", s->proc_root);
		return -1;
	}
	return 0;
}

static void fill_memory(const struct st_meminfo *m, struct st_sample *smp)
{
	smp->mem_total_kib = m->mem_total_kib;
	smp->mem_free_kib = m->mem_free_kib;
	smp->have |= ST_HAVE_MEM;
	if (m->have & ST_MEMINFO_AVAILABLE) {
		smp->mem_available_kib = m->mem_available_kib;
		smp->have |= ST_HAVE_MEMAVAIL;
	} else {
		smp->mem_available_kib = m->mem_free_kib;
	}
	if ((m->have & ST_MEMINFO_SWAPTOTAL) && (m->have & ST_MEMINFO_SWAPFREE)) {
		smp->swap_total_kib = m->swap_total_kib;
		smp->swap_free_kib = m->swap_free_kib;
		smp->have |= ST_HAVE_SWAP;
	}
}

static double read_uptime(struct st_sampler *s)
{
	double up = 0;
	if (s->uptime_fd < 0)
		return 0;
	ssize_t n = read_whole(s, s->uptime_fd);
	if (n < 0 || st_parse_uptime(s->buf.data, (size_t)n, &up) < 0)
		return 0;
	return up;
}

static int parse_pid(const char *name, int32_t *pid)
{
	long v = 0;
	if (!isdigit((unsigned char)*name))
		return -1;
	for (; *name; name++) {
		if (!isdigit((unsigned char)*name))
			return -1;
		v = v * 10 + (*name - '0');
		if (v > INT32_MAX)
			return -1;
	}
	*pid = (int32_t)v;
	return 0;
}

/* Reads one process's stat. fd < 0: open it (kept in *fd when we may keep
 * fds). Returns 1 parsed, 0 the process is gone, -1 malformed. */
static int read_pid_stat(struct st_sampler *s, int32_t pid, int *fd,
			 struct st_pid_stat *ps)
{
	int own = -1;
	if (*fd < 0) {
		char rel[32];
		snprintf(rel, sizeof(rel), "%d/stat", pid);
		own = openat(s->root_fd, rel, O_RDONLY | O_CLOEXEC);
		if (own < 0) {
			if ((errno == EMFILE || errno == ENFILE) && s->keep_fds) {
				st_warn("file descriptor limit reached at %u processes: "
					"reading the rest with open/read/close",
					s->table.nalive);
				s->keep_fds = 0;
			}
			return 0;       /* vanished between readdir and open, or no fd */
		}
	}
	int use = *fd >= 0 ? *fd : own;
	char line[1024];
	ssize_t n;
	do
		n = pread(use, line, sizeof(line), 0);
	while (n < 0 && errno == EINTR);
	int rc;
	if (n <= 0)
		rc = 0;         /* ESRCH: reaped; 0 bytes: gone */
	else
		rc = st_parse_pid_stat(line, (size_t)n, ps) == 0 ? 1 : -1;
	if (own >= 0) {
		if (rc == 1 && s->keep_fds && s->table.nalive < UINT32_MAX)
			*fd = own;
		else
			close(own);
	}
	return rc;
}

static float clamp_pct(double v, uint32_t ncores)
{
	double max = 100.0 * (ncores ? ncores : 1);
	if (!(v > 0))           /* also catches NaN */
		return 0;
	return (float)(v > max ? max : v);
}

static uint64_t delta(uint64_t now, uint64_t before)
{
	return now >= before ? now - before : 0;
}

/* One tick's reading, shared by the functions that fill its sample. */
struct tick {
	struct st_ring_slot *slot;
	uint32_t nprocs;            /* records filled so far */
	uint64_t seq;
	double   interval_s;        /* CPU interval of this tick (kernel clock) */
	double   uptime_s;
	double   accounted;         /* CPU ticks the reads found in this interval */
};

/* Percent of one core for ticks of CPU over interval_s. */
static float ticks_pct(const struct st_sampler *s, uint64_t ticks, double interval_s)
{
	if (interval_s <= 0)
		return 0;
	return clamp_pct((double)ticks / (double)s->clock_ticks / interval_s * 100.0,
			 s->pstat.ncores);
}

/* Take what was already seen of the reaped out of a parent's children CPU. */
static void apply_credit(struct st_proc_track *tr)
{
	uint64_t used = tr->reaped_credit < tr->child_delta ? tr->reaped_credit : tr->child_delta;
	tr->child_delta -= used;
	tr->reaped_credit -= used;
}

/*
 * A process has exited. When its parent reaps it, the parent's cutime and
 * cstime grow by the child's whole life, most of which the samples already
 * saw as the child's own CPU: counting it again would make a parent whose
 * long-running child just ended look like a spike. Only what no sample saw
 * (the short-lived children) is the parent's children CPU.
 */
static void process_exited(struct st_sampler *s, struct tick *tk, uint32_t idx)
{
	struct st_proc_table *t = &s->table;
	uint64_t seq = tk->seq;
	uint32_t parent = st_proc_table_find(t, t->infos[idx].ppid);
	uint64_t seen = t->tracks[idx].cpu_ticks + t->tracks[idx].child_ticks;
	st_proc_table_forget(t, idx);
	if (parent == ST_PROC_NONE || parent == idx)
		return;
	struct st_proc_track *pt = &t->tracks[parent];
	/* A parent that does not reap soon (reparenting) must not hold a
	 * credit that hides a later, real burst of children. */
	if (seq > pt->credit_seq + 2)
		pt->reaped_credit = 0;
	pt->reaped_credit += seen;
	pt->credit_seq = seq;
	if (pt->last_seen_seq == seq && pt->rec_index < tk->nprocs) {
		apply_credit(pt);
		tk->slot->procs[pt->rec_index].children_cpu_pct =
			ticks_pct(s, pt->child_delta, pt->span_s);
	}
}

/* A new record in the tick's sample, or NULL when out of memory. */
static struct st_proc_sample *new_record(struct tick *tk)
{
	struct st_ring_slot *slot = tk->slot;
	if (tk->nprocs >= slot->procs_cap &&
	    st_ring_slot_reserve_procs(slot, tk->nprocs + 1) < 0)
		return NULL;
	struct st_proc_sample *rec = &slot->procs[tk->nprocs++];
	memset(rec, 0, sizeof(*rec));
	return rec;
}

/* Reads pid's stat into the tick's sample; idx is its slot (the caller
 * looked it up), ST_PROC_NONE when it is new. */
static void sample_process(struct st_sampler *s, struct tick *tk, int32_t pid, uint32_t idx)
{
	struct st_proc_table *t = &s->table;
	struct st_pid_stat ps;
	int fd = -1;
	uint64_t seq = tk->seq;
	int rc;

	s->stats.read++;
	if (idx != ST_PROC_NONE) {
		fd = t->tracks[idx].fd;
		rc = read_pid_stat(s, pid, &fd, &ps);
		if (rc == 1 && ps.start_ticks == t->infos[idx].start_ticks) {
			t->tracks[idx].fd = fd;
			goto record;
		}
		/* Gone, or the pid now belongs to another process: the old
		 * identity ends here and never lends its counters. */
		process_exited(s, tk, idx);
		idx = ST_PROC_NONE;
		fd = -1;
	}
	rc = read_pid_stat(s, pid, &fd, &ps);
	if (rc == 0)
		return;
	if (rc < 0) {
		if (s->malformed++ == 0)
			st_warn("%s/%d/stat: not a stat line; skipping such files",
				s->proc_root, pid);
		if (fd >= 0)
			close(fd);
		return;
	}
	idx = st_proc_table_add(t, pid);
	if (idx == ST_PROC_NONE) {
		if (fd >= 0)
			close(fd);
		return;
	}
	t->tracks[idx].fd = fd;
	t->infos[idx].start_ticks = ps.start_ticks;
	t->infos[idx].first_seen_seq = seq;

record:;
	struct st_proc_sample *rec = new_record(tk);
	if (!rec)
		return;
	struct st_proc_info *info = &t->infos[idx];
	struct st_proc_track *tr = &t->tracks[idx];
	int fresh = info->first_seen_seq == seq;
	uint64_t cpu = ps.utime + ps.stime;
	uint64_t child = ps.cutime + ps.cstime;
	double hz = (double)s->clock_ticks;
	uint32_t ncores = s->pstat.ncores;
	/* The CPU time since this process was last read: one interval, or
	 * more when quiet ticks carried it. */
	double span_s = s->cpu_clock_s - tr->read_clock_s;

	/* comm changes on exec and prctl, ppid on reparenting. */
	memcpy(info->comm, ps.comm, sizeof(info->comm));
	info->ppid = ps.ppid;

	rec->pid = pid;
	rec->info = idx;
	rec->state = ps.state;
	uint64_t rss = ps.rss_pages * (uint64_t)s->page_kib;
	rec->rss_kib = rss > UINT32_MAX ? UINT32_MAX : (uint32_t)rss;
	int changed = fresh || cpu != tr->cpu_ticks || child != tr->child_ticks ||
		      ps.minflt != tr->minflt || ps.majflt != tr->majflt ||
		      rec->rss_kib != tr->rss_kib || ps.state != tr->state;
	if (fresh) {
		/* Not "0%": its average since it started, so a new busy
		 * process is caught on the first sample that sees it. */
		double age = tk->uptime_s - (double)ps.start_ticks / hz;
		if (age > 0)
			rec->cpu_pct = clamp_pct((double)cpu / hz / age * 100.0, ncores);
		rec->flags = ST_PROC_NEW;
		/* Born since the last tick (or the first tick: no books yet). */
		tk->accounted += (double)cpu;
		span_s = tk->interval_s;
	} else if (span_s > 0) {
		uint64_t used = delta(cpu, tr->cpu_ticks);
		rec->cpu_pct = ticks_pct(s, used, span_s);
		/* Its share of this interval, not what older quiet ticks
		 * carried: those were balanced already. */
		tk->accounted += (double)used * (tk->interval_s < span_s ? tk->interval_s / span_s : 1);
		tr->child_delta = delta(child, tr->child_ticks);
		apply_credit(tr);
		rec->children_cpu_pct = ticks_pct(s, tr->child_delta, span_s);
		uint64_t mi = delta(ps.minflt, tr->minflt);
		uint64_t ma = delta(ps.majflt, tr->majflt);
		rec->minflt_delta = mi > UINT32_MAX ? UINT32_MAX : (uint32_t)mi;
		rec->majflt_delta = ma > UINT16_MAX ? UINT16_MAX : (uint16_t)ma;
	}
	tr->cpu_ticks = cpu;
	tr->child_ticks = child;
	tr->minflt = ps.minflt;
	tr->majflt = ps.majflt;
	tr->rss_kib = rec->rss_kib;
	tr->state = ps.state;
	tr->quiet_reads = changed ? 0 : (uint8_t)(tr->quiet_reads < UINT8_MAX ? tr->quiet_reads + 1 : UINT8_MAX);
	tr->read_clock_s = s->cpu_clock_s;
	tr->span_s = span_s;
	tr->last_seen_seq = seq;
	tr->rec_index = tk->nprocs - 1;
}

/* Listed, not re-read: the figures of its last read, no CPU. */
static void carry_process(struct tick *tk, struct st_proc_table *t, uint32_t idx)
{
	struct st_proc_sample *rec = new_record(tk);
	if (!rec)
		return;
	struct st_proc_track *tr = &t->tracks[idx];
	rec->pid = t->infos[idx].pid;
	rec->info = idx;
	rec->state = tr->state;
	rec->rss_kib = tr->rss_kib;
	rec->flags = ST_PROC_CARRIED;
	tr->child_delta = 0;
	tr->rec_index = tk->nprocs - 1;
}

/* Whether this tick reads a process it already knows (policy in sampler.h). */
static int read_due(const struct st_sampler *s, uint32_t idx, uint64_t seq)
{
	const struct st_proc_track *tr = &s->table.tracks[idx];
	return s->read_all || tr->quiet_reads < ST_SAMPLER_QUIET_READS ||
	       (seq + idx) % ST_SAMPLER_ROTATION == 0;
}

static uint64_t abs_diff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static uint64_t swap_used_kib(const struct st_sample *smp)
{
	return delta(smp->swap_total_kib, smp->swap_free_kib);
}

/* CPU time of processes (user, nice, system) between two readings. */
static uint64_t process_cpu_growth(const struct st_cpu_times *a, const struct st_cpu_times *b)
{
	return delta(b->user, a->user) + delta(b->nice, a->nice) +
	       delta(b->system, a->system);
}

/*
 * Whether the processes left unread must be read after all: the kernel's
 * books show more process CPU than the reads found, or memory moved. Kernel
 * threads and the daemon itself are processes too, so on a quiet machine
 * the books balance to within a tick or two.
 */
static int must_sweep(const struct st_sampler *s, const struct tick *tk,
		      uint64_t process_cpu, const struct st_sample *smp)
{
	if (s->read_all || s->seq == 0)
		return 1;
	double limit = ST_SAMPLER_SWEEP_PCT / 100.0 * tk->interval_s * (double)s->clock_ticks;
	if ((double)process_cpu - tk->accounted > (limit > 1 ? limit : 1))
		return 1;
	uint64_t slack = smp->mem_total_kib / 1024 > 4096 ? smp->mem_total_kib / 1024 : 4096;
	return abs_diff(smp->mem_available_kib, s->prev_avail_kib) > slack ||
	       abs_diff(swap_used_kib(smp), s->prev_swap_used_kib) > slack;
}

int st_sampler_take(struct st_sampler *s, struct st_ring *ring)
{
	struct st_ring_slot *slot = st_ring_begin(ring);
	struct st_sample *smp = &slot->sample;
	uint64_t seq = s->seq + 1;
	int64_t mono = s->clock(s->clock_ctx);
	struct st_meminfo mi;

	/* Read the system files before touching the slot: once the ring is
	 * full the slot holds the oldest sample, which a failed read must
	 * leave in place. */
	if (read_proc_stat(s) < 0 || read_meminfo(s, &mi) < 0 ||
	    st_ring_slot_reserve_cores(slot, s->pstat.ncores) < 0)
		return -1;
	memset(smp, 0, sizeof(*smp));
	smp->seq = seq;
	smp->mono_ns = mono;
	smp->wall_ns = clock_ns(CLOCK_REALTIME);
	smp->interval_s = s->seq ? (double)(mono - s->last_mono_ns) / 1e9 : 0;
	smp->procs = slot->procs;
	fill_memory(&mi, smp);
	struct tick tk = { .slot = slot, .seq = seq };
	tk.interval_s = process_interval(s, smp->interval_s);
	uint64_t process_cpu = process_cpu_growth(&s->prev_total, &s->pstat.total);
	if (s->seq)
		s->cpu_clock_s += tk.interval_s;
	fill_system_cpu(s, slot);
	tk.uptime_s = smp->uptime_s = read_uptime(s);

	/* Everyone listed: the new and the maybe-changed are read now, the
	 * quiet ones wait for the books. */
	struct st_proc_table *t = &s->table;
	DIR *dir = s->root_dir;
	rewinddir(dir);
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		int32_t pid;
		if (parse_pid(de->d_name, &pid) < 0)
			continue;
		s->stats.listed++;
		uint32_t idx = st_proc_table_find(t, pid);
		if (idx != ST_PROC_NONE && !read_due(s, idx, seq)) {
			t->tracks[idx].last_seen_seq = seq;
			t->tracks[idx].deferred_seq = seq;
			t->tracks[idx].rec_index = ST_PROC_NONE;
			continue;
		}
		sample_process(s, &tk, pid, idx);
	}
	int sweep = must_sweep(s, &tk, process_cpu, smp);
	if (sweep && s->seq)
		s->stats.sweeps++;

	/* Whoever was not listed this time has exited; the waiting are read
	 * or carried. (New slots this loop adds were listed and read.) */
	for (uint32_t i = 0; i < t->nslots; i++) {
		if (!t->tracks[i].alive)
			continue;
		if (t->tracks[i].last_seen_seq != seq)
			process_exited(s, &tk, i);
		else if (t->tracks[i].deferred_seq == seq && sweep)
			sample_process(s, &tk, t->infos[i].pid, i);
		else if (t->tracks[i].deferred_seq == seq)
			carry_process(&tk, t, i);
	}
	smp->procs = slot->procs;
	smp->nprocs = tk.nprocs;

	st_ring_commit(ring);
	if (s->failed_ticks) {
		st_notice("%s: sampling again after %llu failed ticks", s->proc_root,
			  (unsigned long long)s->failed_ticks);
		s->failed_ticks = 0;
		s->failure[0] = '\0';
	}
	s->seq = seq;
	s->last_mono_ns = mono;
	s->prev_avail_kib = smp->mem_available_kib;
	s->prev_swap_used_kib = swap_used_kib(smp);
	s->stats.ticks++;
	st_proc_table_reclaim(t, st_ring_at(ring, 0)->seq);
	return 0;
}

void st_sampler_history(const struct st_sampler *s, const struct st_ring *ring,
			struct st_history *out)
{
	out->count = ring->count;
	out->samples = ring->view;
	out->ninfos = s->table.nslots;
	out->infos = s->table.infos;
	out->clock_ticks = s->clock_ticks;
}
