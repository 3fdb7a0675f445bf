/* The system files of a tick: /proc/stat, /proc/meminfo, /proc/uptime. */
#include "sample/sampler_tick.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"

/* Whole file from offset 0 into b; grows the buffer when the file does
 * not fit. Returns the length, or -1 with errno set. */
ssize_t st_read_buf_whole(struct st_read_buf *b, int fd)
{
	for (;;) {
		size_t len = 0;
		for (;;) {
			ssize_t n = pread(fd, b->data + len, b->cap - len, (off_t)len);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			if (n == 0)
				return (ssize_t)len;
			len += (size_t)n;
			if (len == b->cap)
				break;
		}
		char *bigger = realloc(b->data, b->cap * 2);
		if (!bigger) {
			errno = ENOMEM;
			return -1;
		}
		b->data = bigger;
		b->cap *= 2;
	}
}

ssize_t st_sampler_read_whole(struct st_sampler *s, int fd)
{
	return st_read_buf_whole(&s->buf, fd);
}

/*
 * A system file that cannot be read or parsed fails the tick. Said once
 * when it starts (or when the reason changes), not every tick: at 0.1 s a
 * garbled file would otherwise write ten lines a second.
 */
void st_sampler_tick_failed(struct st_sampler *s, const char *fmt, ...)
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

int st_sampler_cores_reserve(struct st_sampler *s, uint32_t n)
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
	s->cores_cap = n;
	return 0;
}

/* /proc/stat into s->pstat and s->cores; grows the core arrays on hotplug. */
int st_sampler_read_proc_stat(struct st_sampler *s)
{
	for (;;) {
		ssize_t n = st_sampler_read_whole(s, s->stat_fd);
		if (n < 0) {
			st_sampler_tick_failed(s, "%s/stat: %s", s->proc_root, strerror(errno));
			return -1;
		}
		if (st_parse_proc_stat(s->buf.data, (size_t)n, &s->pstat,
				       s->cores, s->cores_cap) < 0) {
			st_sampler_tick_failed(s, "%s/stat: no \"cpu\" line", s->proc_root);
			return -1;
		}
		if (s->pstat.ncores <= s->cores_cap)
			return 0;
		if (st_sampler_cores_reserve(s, s->pstat.ncores) < 0) {
			st_sampler_tick_failed(s, "%s/stat: out of memory for %u cores",
					       s->proc_root, s->pstat.ncores);
			return -1;
		}
	}
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
 * Process ticks and /proc/stat's ticks come from the same accounting, so
 * the growth of all CPU time divided by the CPUs online is the interval a
 * process saturating a core reads 100% over, even when this tick ran late.
 * Falls back to the monotonic clock when /proc/stat did not advance.
 */
double st_sampler_process_interval(const struct st_sampler *s, double wall_s)
{
	uint64_t elapsed = cpu_elapsed(&s->prev_total, &s->pstat.total);
	uint32_t n = s->pstat.ncores ? s->pstat.ncores : 1;
	if (s->seq == 0 || elapsed == 0)
		return wall_s;
	return (double)elapsed / n / (double)s->clock_ticks;
}

static float clamp_pct(double v, uint32_t ncores)
{
	double max = 100.0 * (ncores ? ncores : 1);
	if (!(v > 0))           /* also catches NaN */
		return 0;
	return (float)(v > max ? max : v);
}

float st_sampler_ticks_pct(const struct st_sampler *s, double ticks, double interval_s)
{
	if (interval_s <= 0)
		return 0;
	return clamp_pct(ticks / (double)s->clock_ticks / interval_s * 100.0,
			 s->pstat.ncores);
}

/* The previous reading of the CPU with this id: at the same position
 * unless a CPU went on- or offline in between. */
static const struct st_cpu_times *prev_core(const struct st_sampler *s, uint32_t i)
{
	uint32_t id = s->cores[i].id;
	if (i < s->prev_ncores && s->prev_cores[i].id == id)
		return &s->prev_cores[i];
	for (uint32_t j = 0; j < s->prev_ncores; j++)
		if (s->prev_cores[j].id == id)
			return &s->prev_cores[j];
	return NULL;
}

void st_sampler_fill_system_cpu(struct st_sampler *s, struct st_ring_slot *slot)
{
	struct st_sample *smp = &slot->sample;
	uint32_t n = s->pstat.ncores;
	smp->ncores = n;
	smp->core_busy_pct = slot->cores;
	smp->core_user_pct = slot->core_user;
	smp->core_system_pct = slot->core_system;
	smp->core_id = slot->core_ids;
	for (uint32_t i = 0; i < n; i++) {
		const struct st_cpu_times *prev = s->seq ? prev_core(s, i) : NULL;
		struct st_cpu_pct pct = { 0 };
		/* A CPU just come online has nothing to compare with: idle. */
		if (prev)
			st_cpu_pct_between(prev, &s->cores[i], &pct);
		slot->cores[i] = (float)pct.total;
		slot->core_user[i] = (float)pct.user;
		slot->core_system[i] = (float)pct.system;
		slot->core_ids[i] = s->cores[i].id;
	}
	if (s->seq) {
		struct st_cpu_pct pct;
		st_cpu_pct_between(&s->prev_total, &s->pstat.total, &pct);
		smp->cpu_total_pct = (float)pct.total;
		smp->cpu_user_pct = (float)pct.user;
		smp->cpu_system_pct = (float)pct.system;
		smp->cpu_iowait_pct = (float)pct.iowait;
		smp->cpu_steal_pct = (float)pct.steal;
		if (s->pstat.processes >= s->prev_processes)
			smp->forks_delta = s->pstat.processes - s->prev_processes;
		if ((s->pstat.have & (ST_PSTAT_CTXT | ST_PSTAT_INTR)) ==
		    (ST_PSTAT_CTXT | ST_PSTAT_INTR)) {
			smp->ctxt_delta = s->pstat.ctxt > s->prev_ctxt ? s->pstat.ctxt - s->prev_ctxt : 0;
			smp->intr_delta = s->pstat.intr > s->prev_intr ? s->pstat.intr - s->prev_intr : 0;
			smp->have |= ST_HAVE_CTXT;
		}
	}
	smp->procs_running = s->pstat.procs_running;
	smp->procs_blocked = s->pstat.procs_blocked;
	s->prev_total = s->pstat.total;
	memcpy(s->prev_cores, s->cores, sizeof(*s->cores) * n);
	s->prev_ncores = n;
	s->prev_processes = s->pstat.processes;
	s->prev_ctxt = s->pstat.ctxt;
	s->prev_intr = s->pstat.intr;
	smp->have |= ST_HAVE_CPU;
}

int st_sampler_read_meminfo(struct st_sampler *s, struct st_meminfo *mi)
{
	ssize_t n = st_sampler_read_whole(s, s->meminfo_fd);
	if (n < 0) {
		st_sampler_tick_failed(s, "%s/meminfo: %s", s->proc_root, strerror(errno));
		return -1;
	}
	if (st_parse_meminfo(s->buf.data, (size_t)n, mi) < 0) {
		st_sampler_tick_failed(s, "%s/meminfo: no MemTotal line", s->proc_root);
		return -1;
	}
	return 0;
}

void st_sampler_fill_memory(const struct st_meminfo *m, struct st_sample *smp)
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
	/* The breakdown needs its main parts; the rest reads 0 where a kernel
	 * lacks it (SReclaimable before 2.6.19). */
	if ((m->have & (ST_MEMINFO_ANON | ST_MEMINFO_CACHED)) ==
	    (ST_MEMINFO_ANON | ST_MEMINFO_CACHED)) {
		smp->anon_kib = m->anon_kib;
		smp->cached_kib = m->cached_kib;
		smp->shmem_kib = m->shmem_kib;
		smp->slab_reclaimable_kib = m->slab_reclaimable_kib;
		smp->slab_unreclaimable_kib = m->slab_unreclaimable_kib;
		smp->dirty_kib = m->dirty_kib;
		smp->writeback_kib = m->writeback_kib;
		smp->have |= ST_HAVE_MEM_DETAIL;
	}
	if ((m->have & ST_MEMINFO_SWAPTOTAL) && (m->have & ST_MEMINFO_SWAPFREE)) {
		smp->swap_total_kib = m->swap_total_kib;
		smp->swap_free_kib = m->swap_free_kib;
		smp->have |= ST_HAVE_SWAP;
	}
}

double st_sampler_read_uptime(struct st_sampler *s)
{
	double up = 0;
	if (s->uptime_fd < 0)
		return 0;
	ssize_t n = st_sampler_read_whole(s, s->uptime_fd);
	if (n < 0 || st_parse_uptime(s->buf.data, (size_t)n, &up) < 0)
		return 0;
	return up;
}
