/*
 * The evidence a tick reads beside the CPU and memory figures: pressure
 * stall information, vmstat's swap and reclaim counters, the load average
 * and the disks' totals. Each file is kept open and re-read with pread,
 * like the others. None of it is needed to sample: a kernel without PSI,
 * or a file that does not parse, leaves its ST_HAVE_* bit clear.
 *
 * Pressure and loadavg cost about 2 us a read. vmstat (25 us: the kernel
 * sums every counter over every CPU) and diskstats (11 us) would triple
 * the tick on a quiet machine, and there they say nothing: they are read
 * when the pressure files show memory or I/O stalls this interval, when
 * the books saw memory move, when iowait is not 0 (disks), without PSI,
 * and otherwise every ST_EVIDENCE_REFRESH_S. Their growth is over the
 * span since their last read (span_s), so a rate is always right.
 */
#include "sample/sampler_tick.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"

#define ST_EVIDENCE_REFRESH_NS (10 * 1000000000LL)

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
	if (s->ev.have_prev & psi_bits[i]) {
		p->some_avg10_pct = (float)psi.some.avg10;
		p->full_avg10_pct = (float)psi.full.avg10;
		p->full_known = (psi.have & ST_PSI_FULL) != 0;
		p->some_stall_us = grown(psi.some.total_us, prev->some.total_us);
		p->full_stall_us = grown(psi.full.total_us, prev->full.total_us);
		smp->have |= psi_bits[i];
	}
	s->ev.prev_psi[i] = psi;
	s->ev.have_prev |= psi_bits[i];
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
		smp->vm.span_s = (double)(smp->mono_ns - s->ev.vm_read_ns) / 1e9;
		smp->vm.pswpin = grown(vm.pswpin, p->pswpin);
		smp->vm.pswpout = grown(vm.pswpout, p->pswpout);
		smp->vm.pgmajfault = grown(vm.pgmajfault, p->pgmajfault);
		smp->vm.oom_kill = grown(vm.oom_kill, p->oom_kill);
		smp->vm.pgscan = grown(vm.pgscan, p->pgscan);
		smp->vm.pgsteal = grown(vm.pgsteal, p->pgsteal);
		smp->vm.allocstall = grown(vm.allocstall, p->allocstall);
		smp->have |= ST_HAVE_VMSTAT;
	}
	s->ev.prev_vm = vm;
	s->ev.vm_read_ns = smp->mono_ns;
	s->ev.have_prev |= ST_HAVE_VMSTAT;
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

/* Stalled on it this interval, or no pressure file to say it was not. */
static int stalled(const struct st_sampler *s, const struct st_sample *smp, int i,
		   const struct st_pressure *p)
{
	return s->ev.psi_fd[i] < 0 || !(smp->have & psi_bits[i]) || p->some_stall_us > 0;
}

static int refresh_due(const struct st_sample *smp, int64_t last_ns)
{
	return smp->mono_ns - last_ns >= ST_EVIDENCE_REFRESH_NS;
}

static void read_diskstats(struct st_sampler *s, struct st_sample *smp)
{
	struct st_diskstats ds;
	size_t len;
	const char *buf = read_file(s, s->ev.diskstats_fd, ST_HAVE_DISK, "diskstats", &len);
	if (!buf || st_parse_diskstats(buf, len, &ds) < 0)
		return;
	const struct st_diskstats *p = &s->ev.prev_disk;
	/* a disk added or removed makes the sums jump: wait a reading */
	if ((s->ev.have_prev & ST_HAVE_DISK) && p->ndisks == ds.ndisks) {
		smp->disk_span_s = (double)(smp->mono_ns - s->ev.disk_read_ns) / 1e9;
		smp->disk_read_kib = grown(ds.sectors_read, p->sectors_read) / 2;
		smp->disk_written_kib = grown(ds.sectors_written, p->sectors_written) / 2;
		smp->disk_busy_ms = grown(ds.io_ms, p->io_ms);
		smp->have |= ST_HAVE_DISK;
	}
	s->ev.prev_disk = ds;
	s->ev.disk_read_ns = smp->mono_ns;
	s->ev.have_prev |= ST_HAVE_DISK;
}

void st_sampler_read_evidence(struct st_sampler *s, struct st_sample *smp,
			      int memory_moved)
{
	for (int i = 0; i < 3; i++)
		read_pressure(s, smp, i);
	read_loadavg(s, smp);
	int io = stalled(s, smp, 2, &smp->psi_io);
	if (memory_moved || io || stalled(s, smp, 1, &smp->psi_memory) ||
	    refresh_due(smp, s->ev.vm_read_ns))
		read_vmstat(s, smp);
	if (io || smp->cpu_iowait_pct > 0 || refresh_due(smp, s->ev.disk_read_ns))
		read_diskstats(s, smp);
}
