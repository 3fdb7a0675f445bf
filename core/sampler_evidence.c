/*
 * The evidence a tick reads beside the CPU and memory figures: pressure
 * stall information, vmstat's swap and reclaim counters, the load average
 * and the disks' totals. Each file is kept open and re-read with pread,
 * like the others. None of it is needed to sample: a kernel without PSI,
 * or a file that does not parse, leaves its ST_HAVE_* bit clear.
 */
#include "sampler_tick.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const char *const psi_files[3] = { "pressure/cpu", "pressure/memory", "pressure/io" };
static const unsigned psi_bits[3] = { ST_HAVE_PSI_CPU, ST_HAVE_PSI_MEMORY, ST_HAVE_PSI_IO };

void st_sampler_open_evidence(struct st_sampler *s)
{
	struct st_evidence_files *ev = &s->ev;
	for (int i = 0; i < 3; i++)
		ev->psi_fd[i] = openat(s->root_fd, psi_files[i], O_RDONLY | O_CLOEXEC);
	ev->vmstat_fd = openat(s->root_fd, "vmstat", O_RDONLY | O_CLOEXEC);
	ev->loadavg_fd = openat(s->root_fd, "loadavg", O_RDONLY | O_CLOEXEC);
	ev->diskstats_fd = openat(s->root_fd, "diskstats", O_RDONLY | O_CLOEXEC);
}

void st_sampler_no_evidence(struct st_sampler *s)
{
	struct st_evidence_files *ev = &s->ev;
	memset(ev, 0, sizeof(*ev));
	ev->psi_fd[0] = ev->psi_fd[1] = ev->psi_fd[2] = -1;
	ev->vmstat_fd = ev->loadavg_fd = ev->diskstats_fd = -1;
}

void st_sampler_close_evidence(struct st_sampler *s)
{
	struct st_evidence_files *ev = &s->ev;
	int fds[] = { ev->psi_fd[0], ev->psi_fd[1], ev->psi_fd[2],
		      ev->vmstat_fd, ev->loadavg_fd, ev->diskstats_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	st_sampler_no_evidence(s);
}

static uint64_t grown(uint64_t now, uint64_t before)
{
	return now > before ? now - before : 0;
}

/* The file behind fd, read whole; NULL (said once per file) when it does
 * not read, so that a flaky file costs one line, not one per tick. */
static const char *read_file(struct st_sampler *s, int fd, unsigned bit,
			     const char *name, size_t *len)
{
	if (fd < 0)
		return NULL;
	ssize_t n = st_sampler_read_whole(s, fd);
	if (n < 0) {
		if (!(s->ev.warned & bit))
			st_warn("%s/%s: unreadable; sampling on without it", s->proc_root, name);
		s->ev.warned |= bit;
		return NULL;
	}
	*len = (size_t)n;
	return s->buf.data;
}

static void malformed(struct st_sampler *s, unsigned bit, const char *name)
{
	if (!(s->ev.warned & bit))
		st_warn("%s/%s: not in the kernel's format; sampling on without it",
			s->proc_root, name);
	s->ev.warned |= bit;
}

static void read_pressure(struct st_sampler *s, struct st_sample *smp, int i)
{
	struct st_pressure *out[3] = { &smp->psi_cpu, &smp->psi_memory, &smp->psi_io };
	struct st_psi psi;
	size_t len;
	const char *buf = read_file(s, s->ev.psi_fd[i], psi_bits[i], psi_files[i], &len);
	if (!buf)
		return;
	if (st_parse_pressure(buf, len, &psi) < 0) {
		malformed(s, psi_bits[i], psi_files[i]);
		return;
	}
	struct st_pressure *p = out[i];
	const struct st_psi *prev = &s->ev.prev_psi[i];
	p->some_avg10_pct = (float)psi.some.avg10;
	p->full_avg10_pct = (float)psi.full.avg10;
	p->full_known = (psi.have & ST_PSI_FULL) != 0;
	if (s->ev.have_prev & psi_bits[i]) {
		p->some_stall_us = grown(psi.some.total_us, prev->some.total_us);
		p->full_stall_us = grown(psi.full.total_us, prev->full.total_us);
	}
	s->ev.prev_psi[i] = psi;
	smp->have |= psi_bits[i];
}

static void read_vmstat(struct st_sampler *s, struct st_sample *smp)
{
	struct st_vmstat vm;
	size_t len;
	const char *buf = read_file(s, s->ev.vmstat_fd, ST_HAVE_VMSTAT, "vmstat", &len);
	if (!buf)
		return;
	if (st_parse_vmstat(buf, len, &vm) < 0 || !(vm.have & ST_VMSTAT_MAJFAULT)) {
		malformed(s, ST_HAVE_VMSTAT, "vmstat");
		return;
	}
	const struct st_vmstat *p = &s->ev.prev_vm;
	if (s->ev.have_prev & ST_HAVE_VMSTAT) {
		smp->vm.pswpin = grown(vm.pswpin, p->pswpin);
		smp->vm.pswpout = grown(vm.pswpout, p->pswpout);
		smp->vm.pgmajfault = grown(vm.pgmajfault, p->pgmajfault);
		smp->vm.oom_kill = grown(vm.oom_kill, p->oom_kill);
		smp->vm.pgscan = grown(vm.pgscan, p->pgscan);
		smp->vm.pgsteal = grown(vm.pgsteal, p->pgsteal);
		smp->vm.allocstall = grown(vm.allocstall, p->allocstall);
	}
	s->ev.prev_vm = vm;
	smp->have |= ST_HAVE_VMSTAT;
}

static void read_loadavg(struct st_sampler *s, struct st_sample *smp)
{
	struct st_loadavg la;
	size_t len;
	const char *buf = read_file(s, s->ev.loadavg_fd, ST_HAVE_LOADAVG, "loadavg", &len);
	if (!buf)
		return;
	if (st_parse_loadavg(buf, len, &la) < 0) {
		malformed(s, ST_HAVE_LOADAVG, "loadavg");
		return;
	}
	smp->load1 = (float)la.load1;
	smp->load5 = (float)la.load5;
	smp->load15 = (float)la.load15;
	smp->have |= ST_HAVE_LOADAVG;
}

static void read_diskstats(struct st_sampler *s, struct st_sample *smp)
{
	struct st_diskstats ds;
	size_t len;
	const char *buf = read_file(s, s->ev.diskstats_fd, ST_HAVE_DISK, "diskstats", &len);
	if (!buf || st_parse_diskstats(buf, len, &ds) < 0)
		return;
	const struct st_diskstats *p = &s->ev.prev_disk;
	/* a disk added or removed makes the sums jump: wait a tick */
	if ((s->ev.have_prev & ST_HAVE_DISK) && p->ndisks == ds.ndisks) {
		smp->disk_read_kib = grown(ds.sectors_read, p->sectors_read) / 2;
		smp->disk_written_kib = grown(ds.sectors_written, p->sectors_written) / 2;
		smp->disk_busy_ms = grown(ds.io_ms, p->io_ms);
	}
	s->ev.prev_disk = ds;
	smp->have |= ST_HAVE_DISK;
}

void st_sampler_read_evidence(struct st_sampler *s, struct st_sample *smp)
{
	for (int i = 0; i < 3; i++)
		read_pressure(s, smp, i);
	read_vmstat(s, smp);
	read_loadavg(s, smp);
	read_diskstats(s, smp);
	s->ev.have_prev = smp->have;
}
