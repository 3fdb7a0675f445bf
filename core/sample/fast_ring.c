/*
 * The fast system ring (fast_ring.h). A reading is five preads through
 * kept fds (stat, meminfo, three pressure files) and the sampler's own
 * parsers: about 20 us, nothing allocated.
 */
#include "sample/fast_ring.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"

/* Room for /proc/stat's intr line on a machine with many interrupts;
 * grows (once) where it is not. */
#define FAST_BUF_BYTES (64 * 1024)

static const char *const psi_files[3] = { "pressure/cpu", "pressure/memory", "pressure/io" };
static const unsigned psi_bits[3] = { ST_DUMP_FAST_PSI_CPU, ST_DUMP_FAST_PSI_MEMORY,
				      ST_DUMP_FAST_PSI_IO };

uint32_t st_fast_ring_capacity(unsigned history, double interval_s, double fast_s)
{
	if (!(fast_s > 0) || !(interval_s > 0))
		return 0;
	double n = (double)history * interval_s / fast_s + 2;
	return n >= ST_FAST_RING_MAX ? ST_FAST_RING_MAX : (uint32_t)n;
}

void st_fast_ring_close(struct st_fast_ring *f)
{
	int fds[] = { f->stat_fd, f->meminfo_fd, f->psi_fd[0], f->psi_fd[1], f->psi_fd[2] };
	for (size_t i = 0; f->rec && i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(f->rec);
	free(f->buf.data);
	memset(f, 0, sizeof(*f));
	f->stat_fd = f->meminfo_fd = -1;
	f->psi_fd[0] = f->psi_fd[1] = f->psi_fd[2] = -1;
}

/* What a reading gives before it is turned into rates. */
struct reading {
	struct st_proc_stat stat;
	struct st_meminfo mem;
	uint64_t psi_us[3];
	unsigned psi_have;
};

/* stat and meminfo are needed, pressure is not: 0, or -1 with why. */
static int read_all(struct st_fast_ring *f, struct reading *r, char *why, size_t whylen)
{
	ssize_t n = st_read_buf_whole(&f->buf, f->stat_fd);
	if (n < 0) {
		snprintf(why, whylen, "%s/stat: %s", f->proc_root, strerror(errno));
		return -1;
	}
	if (st_parse_proc_stat(f->buf.data, (size_t)n, &r->stat, NULL, 0) < 0) {
		snprintf(why, whylen, "%s/stat: no \"cpu\" line", f->proc_root);
		return -1;
	}
	n = st_read_buf_whole(&f->buf, f->meminfo_fd);
	if (n < 0) {
		snprintf(why, whylen, "%s/meminfo: %s", f->proc_root, strerror(errno));
		return -1;
	}
	if (st_parse_meminfo(f->buf.data, (size_t)n, &r->mem) < 0) {
		snprintf(why, whylen, "%s/meminfo: no MemTotal line", f->proc_root);
		return -1;
	}
	r->psi_have = 0;
	for (int i = 0; i < 3; i++) {
		struct st_psi psi;
		if (f->psi_fd[i] < 0 || (n = st_read_buf_whole(&f->buf, f->psi_fd[i])) < 0 ||
		    st_parse_pressure(f->buf.data, (size_t)n, &psi) < 0)
			continue;
		r->psi_us[i] = psi.some.total_us;
		r->psi_have |= psi_bits[i];
	}
	return 0;
}

static void remember(struct st_fast_ring *f, const struct reading *r, int64_t now_ns)
{
	f->prev_total = r->stat.total;
	memcpy(f->prev_psi_us, r->psi_us, sizeof(f->prev_psi_us));
	f->prev_have = r->psi_have;
	f->prev_ns = now_ns;
}

int st_fast_ring_open(struct st_fast_ring *f, int root_fd, const char *proc_root,
		      uint32_t capacity, int64_t now_ns, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	f->stat_fd = f->meminfo_fd = -1;
	f->psi_fd[0] = f->psi_fd[1] = f->psi_fd[2] = -1;
	snprintf(f->proc_root, sizeof(f->proc_root), "%s", proc_root);
	f->cap = capacity ? capacity : 1;
	f->rec = calloc(f->cap, sizeof(*f->rec));
	f->buf.cap = FAST_BUF_BYTES;
	f->buf.data = malloc(f->buf.cap);
	if (!f->rec || !f->buf.data) {
		snprintf(err, errlen, "fast ring: out of memory for %u records", f->cap);
		st_fast_ring_close(f);
		return -1;
	}
	f->stat_fd = openat(root_fd, "stat", O_RDONLY | O_CLOEXEC);
	f->meminfo_fd = openat(root_fd, "meminfo", O_RDONLY | O_CLOEXEC);
	for (int i = 0; i < 3; i++)
		f->psi_fd[i] = openat(root_fd, psi_files[i], O_RDONLY | O_CLOEXEC);
	struct reading r;
	if (f->stat_fd < 0 || f->meminfo_fd < 0) {
		snprintf(err, errlen, "%s/%s: %s", proc_root, f->stat_fd < 0 ? "stat" : "meminfo",
			 strerror(errno));
		st_fast_ring_close(f);
		return -1;
	}
	if (read_all(f, &r, err, errlen) < 0) {
		st_fast_ring_close(f);
		return -1;
	}
	remember(f, &r, now_ns);
	return 0;
}

static uint32_t stalled(uint64_t now, uint64_t before)
{
	uint64_t d = now > before ? now - before : 0;
	return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

void st_fast_ring_take(struct st_fast_ring *f, int64_t now_ns)
{
	struct reading r;
	char why[320];
	if (!f->rec)
		return;
	if (read_all(f, &r, why, sizeof(why)) < 0) {
		f->failed++;
		if (!f->failing)
			st_warn("%s; no fast readings until this clears", why);
		f->failing = 1;
		return;
	}
	if (f->failing)
		st_notice("%s: fast readings again", f->proc_root);
	f->failing = 0;

	struct st_fast_record *out = &f->rec[f->head];
	struct st_cpu_pct pct;
	memset(out, 0, sizeof(*out));
	out->mono_ns = now_ns;
	out->interval_s = (float)((double)(now_ns - f->prev_ns) / 1e9);
	st_cpu_pct_between(&f->prev_total, &r.stat.total, &pct);
	out->cpu_total_pct = (float)pct.total;
	out->cpu_user_pct = (float)pct.user;
	out->cpu_system_pct = (float)pct.system;
	out->cpu_iowait_pct = (float)pct.iowait;
	out->cpu_steal_pct = (float)pct.steal;
	out->have = ST_DUMP_FAST_CPU | ST_DUMP_FAST_MEM;
	/* Before 3.14 there is no MemAvailable: free is the nearest. */
	out->mem_available_kib = r.mem.have & ST_MEMINFO_AVAILABLE ? r.mem.mem_available_kib
								  : r.mem.mem_free_kib;
	if ((r.mem.have & ST_MEMINFO_SWAPTOTAL) && (r.mem.have & ST_MEMINFO_SWAPFREE)) {
		out->swap_used_kib = r.mem.swap_total_kib > r.mem.swap_free_kib ?
				     r.mem.swap_total_kib - r.mem.swap_free_kib : 0;
		out->have |= ST_DUMP_FAST_SWAP;
	}
	if ((r.stat.have & (ST_PSTAT_RUNNING | ST_PSTAT_BLOCKED)) ==
	    (ST_PSTAT_RUNNING | ST_PSTAT_BLOCKED)) {
		out->procs_running = r.stat.procs_running;
		out->procs_blocked = r.stat.procs_blocked;
		out->have |= ST_DUMP_FAST_PROCS;
	}
	for (int i = 0; i < 3; i++) {
		if (!(r.psi_have & f->prev_have & psi_bits[i]))
			continue;
		out->psi_some_us[i] = stalled(r.psi_us[i], f->prev_psi_us[i]);
		out->have |= psi_bits[i];
	}
	f->head = (f->head + 1) % f->cap;
	if (f->n < f->cap)
		f->n++;
	f->readings++;
	remember(f, &r, now_ns);
}

const struct st_fast_record *st_fast_ring_at(const struct st_fast_ring *f, uint32_t i)
{
	uint32_t oldest = (f->head + f->cap - f->n) % f->cap;
	return &f->rec[(oldest + i) % f->cap];
}

void st_fast_record_to_dump(const struct st_fast_record *r, int64_t trigger_mono_ns,
			    struct st_dump_fast *out)
{
	memset(out, 0, sizeof(*out));
	out->offset_ns = r->mono_ns - trigger_mono_ns;
	out->mono_ns = r->mono_ns;
	out->interval_s = r->interval_s;
	out->cpu_total_pct = r->cpu_total_pct;
	out->cpu_user_pct = r->cpu_user_pct;
	out->cpu_system_pct = r->cpu_system_pct;
	out->cpu_iowait_pct = r->cpu_iowait_pct;
	out->cpu_steal_pct = r->cpu_steal_pct;
	out->mem_available_kib = r->mem_available_kib;
	out->swap_used_kib = r->swap_used_kib;
	out->procs_running = r->procs_running;
	out->procs_blocked = r->procs_blocked;
	out->psi_cpu_some_us = r->psi_some_us[0];
	out->psi_memory_some_us = r->psi_some_us[1];
	out->psi_io_some_us = r->psi_some_us[2];
	out->have = r->have;
}
