/* A tick in order; see sampler.h for the parts. */
#define _GNU_SOURCE             /* qsort_r */
#include "sample/sampler_tick.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "plugin/host.h"
#include "daemon/log.h"

static int64_t monotonic_clock(void *ctx)
{
	(void)ctx;
	return st_mono_ns();
}

static int open_system_file(struct st_sampler *s, const char *name, int required,
			    char *err, size_t errlen)
{
	int fd = openat(s->root_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && required)
		snprintf(err, errlen, "%s/%s: %s", s->proc_root, name, strerror(errno));
	return fd;
}

/* Fds left for everything but the kept stat files. */
#define ST_SAMPLER_SPARE_FDS 64

/* One fd per process is the point: ask for as many as we may have, and
 * return how many may be kept (the limit less the spare ones). */
static int raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024 - ST_SAMPLER_SPARE_FDS;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	rlim_t limit = rl.rlim_cur > INT32_MAX ? INT32_MAX : rl.rlim_cur;
	return limit > 2 * ST_SAMPLER_SPARE_FDS ? (int)(limit - ST_SAMPLER_SPARE_FDS)
						: (int)(limit / 2);
}

int st_sampler_init(struct st_sampler *s, const char *proc_root,
		    char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->clock = monotonic_clock;
	s->root_fd = s->stat_fd = s->meminfo_fd = s->uptime_fd = -1;
	st_sampler_no_evidence(s);
	s->keep_fds = 1;
	s->clock_ticks = sysconf(_SC_CLK_TCK);
	s->page_kib = sysconf(_SC_PAGESIZE) / 1024;
	if (s->clock_ticks <= 0)
		s->clock_ticks = 100;
	s->proc_root = strdup(proc_root);
	s->buf.cap = 64 * 1024;
	s->buf.data = malloc(s->buf.cap);
	if (!s->proc_root || !s->buf.data ||
	    st_proc_table_init(&s->table, 256) < 0 || st_sampler_cores_reserve(s, 64) < 0) {
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
	st_sampler_open_evidence(s);
	s->keep_fds_below = raise_fd_limit();
	return 0;
fail:
	st_sampler_destroy(s);
	return -1;
}

void st_sampler_destroy(struct st_sampler *s)
{
	if (s->root_dir)
		closedir(s->root_dir);
	st_sampler_close_evidence(s);
	int fds[] = { s->root_fd, s->stat_fd, s->meminfo_fd, s->uptime_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	st_proc_table_destroy(&s->table);
	free(s->exits);
	st_sampler_exits_stop(s);
	free(s->cores);
	free(s->prev_cores);
	free(s->buf.data);
	free(s->proc_root);
	memset(s, 0, sizeof(*s));
	s->root_fd = s->stat_fd = s->meminfo_fd = s->uptime_fd = -1;
	st_sampler_no_evidence(s);
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

static uint64_t swap_used_kib(const struct st_sample *smp)
{
	return smp->swap_total_kib > smp->swap_free_kib ?
	       smp->swap_total_kib - smp->swap_free_kib : 0;
}

/* CPU time of processes (user, nice, system) between two readings. */
static uint64_t process_cpu_growth(const struct st_cpu_times *a, const struct st_cpu_times *b)
{
	uint64_t sum = 0;
	const uint64_t before[] = { a->user, a->nice, a->system };
	const uint64_t after[] = { b->user, b->nice, b->system };
	for (size_t i = 0; i < 3; i++)
		sum += after[i] > before[i] ? after[i] - before[i] : 0;
	return sum;
}

/* Lists every process: the new and the maybe-changed are read now, the
 * quiet ones are marked to wait for the books. */
static void list_processes(struct st_sampler *s, struct st_tick *tk)
{
	struct st_proc_table *t = &s->table;
	DIR *dir = s->root_dir;
	rewinddir(dir);
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		int32_t pid;
		if (parse_pid(de->d_name, &pid) < 0)
			continue;
		s->stats.listed++;
		uint32_t slot = st_proc_table_find(t, pid);
		if (slot != ST_PROC_NONE && !s->read_all &&
		    !st_read_due(slot, t->tracks[slot].quiet_reads, tk->seq)) {
			t->tracks[slot].last_seen_seq = tk->seq;
			t->tracks[slot].deferred_seq = tk->seq;
			t->tracks[slot].rec_index = ST_PROC_NONE;
			continue;
		}
		st_sampler_read_process(s, tk, pid, slot);
	}
}

/* Whoever was not listed this time has exited; the waiting are read
 * (sweep) or carried. A slot a read adds here was read. */
/* Youngest first: a child started no earlier than its parent. */
static int younger_first(const void *a, const void *b, void *infos)
{
	const struct st_proc_info *x = &((const struct st_proc_info *)infos)[*(const uint32_t *)a];
	const struct st_proc_info *y = &((const struct st_proc_info *)infos)[*(const uint32_t *)b];
	if (x->start_ticks != y->start_ticks)
		return x->start_ticks < y->start_ticks ? 1 : -1;
	return (x->pid < y->pid) - (x->pid > y->pid);
}

/*
 * The processes gone since the last tick, children before their parents:
 * a parent that exits in the same tick passes on the credit its child
 * just gave it (timeout reaping its shell, then exiting). The list grows
 * with the table, outside the steady state; when it cannot, exits are
 * taken in slot order.
 */
static void settle_exits(struct st_sampler *s, struct st_tick *tk)
{
	struct st_proc_table *t = &s->table;
	if (s->exits_cap < t->nslots) {
		uint32_t *e = realloc(s->exits, sizeof(*e) * t->nslots);
		if (e) {
			s->exits = e;
			s->exits_cap = t->nslots;
		}
	}
	uint32_t n = 0;
	for (uint32_t i = 0; i < t->nslots; i++) {
		if (!t->tracks[i].alive || t->tracks[i].last_seen_seq == tk->seq)
			continue;
		if (n < s->exits_cap)
			s->exits[n++] = i;
		else
			st_sampler_process_exited(s, tk, i);
	}
	if (n > 1)
		qsort_r(s->exits, n, sizeof(*s->exits), younger_first, t->infos);
	for (uint32_t k = 0; k < n; k++)
		st_sampler_process_exited(s, tk, s->exits[k]);
}

static void settle_unread(struct st_sampler *s, struct st_tick *tk, int sweep)
{
	struct st_proc_table *t = &s->table;
	settle_exits(s, tk);
	for (uint32_t i = 0; i < t->nslots; i++) {
		if (!t->tracks[i].alive || t->tracks[i].deferred_seq != tk->seq)
			continue;
		if (sweep)
			st_sampler_read_process(s, tk, t->infos[i].pid, i);
		else
			st_sampler_carry_process(s, tk, i);
	}
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
	if (st_sampler_read_proc_stat(s) < 0 || st_sampler_read_meminfo(s, &mi) < 0 ||
	    st_ring_slot_reserve_cores(slot, s->pstat.ncores) < 0)
		return -1;
	memset(smp, 0, sizeof(*smp));
	smp->size = sizeof(*smp);
	smp->proc_size = sizeof(struct st_proc_sample);
	smp->seq = seq;
	smp->mono_ns = mono;
	smp->wall_ns = st_wall_ns();
	smp->interval_s = s->seq ? (double)(mono - s->last_mono_ns) / 1e9 : 0;
	st_sampler_fill_memory(&mi, smp);
	struct st_tick tk = { .slot = slot, .seq = seq };
	tk.interval_s = st_sampler_process_interval(s, smp->interval_s);
	struct st_books books = {
		.interval_s = tk.interval_s,
		.clock_ticks = s->clock_ticks,
		.process_cpu = process_cpu_growth(&s->prev_total, &s->pstat.total),
		.mem_total_kib = smp->mem_total_kib,
		.avail_kib = smp->mem_available_kib,
		.prev_avail_kib = s->prev_avail_kib,
		.swap_used_kib = swap_used_kib(smp),
		.prev_swap_used_kib = s->prev_swap_used_kib,
	};
	st_sampler_fill_system_cpu(s, slot);
	tk.uptime_s = smp->uptime_s = st_sampler_read_uptime(s);
	st_sampler_read_evidence(s, smp, s->seq == 0 || st_books_memory_moved(&books));

	list_processes(s, &tk);
	books.accounted = tk.accounted;
	int sweep = s->read_all || s->seq == 0 || st_books_unbalanced(&books);
	if (sweep && s->seq)
		s->stats.sweeps++;
	settle_unread(s, &tk, sweep);
	smp->procs = slot->procs;
	smp->nprocs = tk.nprocs;
	st_sampler_fill_exited(s, slot, smp, tk.interval_s);

	st_ring_commit(ring);
	if (s->failed_ticks) {
		st_notice("%s: sampling again after %llu failed ticks", s->proc_root,
			  (unsigned long long)s->failed_ticks);
		s->failed_ticks = 0;
		s->failure[0] = '\0';
	}
	/* What the carried may have used this tick, for their next read:
	 * the unaccounted CPU above the usual noise. A machine whose books
	 * never quite balance (a build) does not shrink every burst by its
	 * noise; a quiet process that starts to use a little every tick is
	 * above it until the average has learnt it (or it is read). */
	books.accounted = tk.accounted;
	double u = st_books_unaccounted(&books);
	double above = u > s->noise_ticks ? u - s->noise_ticks : 0;
	s->unaccounted[seq % ST_SAMPLER_BOOKS_KEPT] = s->seq ?
		s->unaccounted[s->seq % ST_SAMPLER_BOOKS_KEPT] + above : 0;
	if (s->seq)
		s->noise_ticks += (u - s->noise_ticks) / 16;
	s->seq = seq;
	s->last_mono_ns = mono;
	s->prev_avail_kib = smp->mem_available_kib;
	s->prev_swap_used_kib = books.swap_used_kib;
	s->stats.ticks++;
	st_proc_table_reclaim(&s->table, st_ring_at(ring, 0)->seq);
	return 0;
}

void st_sampler_history(const struct st_sampler *s, const struct st_ring *ring,
			struct st_history *out)
{
	out->size = sizeof(*out);
	out->count = ring->count;
	out->samples = ring->view;
	out->ninfos = s->table.nslots;
	out->info_size = sizeof(struct st_proc_info);
	out->infos = s->table.infos;
	out->clock_ticks = s->clock_ticks;
}
