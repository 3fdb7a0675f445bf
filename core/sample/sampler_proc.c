/*
 * One process in a tick: read its stat, settle its identity (new, reused
 * pid, renamed), record its figures, remember the read. And the two
 * things that happen to a process without a read: it is carried, or it
 * has exited.
 */
#include "sample/sampler_tick.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"

/* The ring holds history x processes of these: every byte counts (the
 * README's memory figures). */
_Static_assert(sizeof(struct st_proc_sample) == 28,
	       "struct st_proc_sample grew: update the README's memory figures");

int st_sampler_read_pid_stat(struct st_sampler *s, int32_t pid, int *fd,
			     struct st_pid_stat *ps)
{
	int own = -1;
	if (*fd < 0) {
		char rel[32];
		snprintf(rel, sizeof(rel), "%d/stat", pid);
		own = openat(s->root_fd, rel, O_RDONLY | O_CLOEXEC);
		int full = own < 0 ? errno == EMFILE || errno == ENFILE : own >= s->keep_fds_below;
		if (full && s->keep_fds) {
			st_warn("file descriptor limit reached at %u processes: "
				"reading the rest with open/read/close",
				s->table.nalive);
			s->keep_fds = 0;
		}
		if (own < 0)
			return 0;       /* vanished between readdir and open, or no fd */
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
		if (rc == 1 && s->keep_fds && own < s->keep_fds_below)
			*fd = own;
		else
			close(own);
	}
	return rc;
}

static uint64_t delta(uint64_t now, uint64_t before)
{
	return now >= before ? now - before : 0;
}

/*
 * Reads pid into ps and returns its slot: the known one when the pid
 * still belongs to the same process (same start time), else a new slot.
 * ST_PROC_NONE: gone, malformed or out of memory.
 */
static uint32_t read_identity(struct st_sampler *s, struct st_tick *tk, int32_t pid,
			      uint32_t slot, struct st_pid_stat *ps)
{
	struct st_proc_table *t = &s->table;
	int fd = -1;
	if (slot != ST_PROC_NONE) {
		fd = t->tracks[slot].fd;
		if (st_sampler_read_pid_stat(s, pid, &fd, ps) == 1 &&
		    ps->start_ticks == t->infos[slot].start_ticks) {
			t->tracks[slot].fd = fd;
			return slot;
		}
		/* Gone, or the pid now belongs to another process: the old
		 * identity ends here and never lends its counters. */
		st_sampler_process_exited(s, tk, slot);
		fd = -1;
	}
	int rc = st_sampler_read_pid_stat(s, pid, &fd, ps);
	if (rc < 0 && s->malformed++ == 0)
		st_warn("%s/%d/stat: not a stat line; skipping such files", s->proc_root, pid);
	if (rc == 1)
		slot = st_proc_table_add(t, pid);
	if (rc != 1 || slot == ST_PROC_NONE) {
		if (fd >= 0)
			close(fd);
		return ST_PROC_NONE;
	}
	t->tracks[slot].fd = fd;
	t->infos[slot].start_ticks = ps->start_ticks;
	t->infos[slot].first_seen_seq = tk->seq;
	t->tracks[slot].read_seq = tk->seq;
	return slot;
}

/* Seen alive this tick, whatever comes next: a record that cannot be
 * made (out of memory) must not make a running process look exited. */
static uint32_t seen_alive(struct st_sampler *s, struct st_tick *tk, uint32_t slot)
{
	if (slot != ST_PROC_NONE)
		s->table.tracks[slot].last_seen_seq = tk->seq;
	return slot;
}

/*
 * comm changes on exec and prctl, ppid on reparenting. The process keeps
 * its slot (and so whatever the detectors hold for it); the samples
 * before keep what they saw through the table's renames.
 */
static void follow_rename(struct st_sampler *s, struct st_tick *tk, uint32_t slot,
			  const struct st_pid_stat *ps)
{
	struct st_proc_info *info = &s->table.infos[slot];
	if (info->first_seen_seq != tk->seq &&
	    (info->ppid != ps->ppid || strcmp(info->comm, ps->comm) != 0)) {
		st_proc_table_renamed(&s->table, slot, tk->seq);
		s->stats.renames++;
	}
	memcpy(info->comm, ps->comm, sizeof(info->comm));
	info->ppid = ps->ppid;
}

/* A new record in the tick's sample, or NULL when out of memory. */
static struct st_proc_sample *new_record(struct st_tick *tk, uint32_t slot,
					 struct st_proc_track *tr)
{
	struct st_ring_slot *rs = tk->slot;
	if (tk->nprocs >= rs->procs_cap &&
	    st_ring_slot_reserve_procs(rs, tk->nprocs + 1) < 0)
		return NULL;
	struct st_proc_sample *rec = &rs->procs[tk->nprocs];
	memset(rec, 0, sizeof(*rec));
	rec->info = slot;
	tr->rec_index = tk->nprocs++;
	return rec;
}

/* The process CPU the books left unaccounted in the samples after `from`
 * and before `to`: what a process carried in between may have used. */
static double unaccounted_between(const struct st_sampler *s, uint64_t from, uint64_t to)
{
	if (to <= from + 1)
		return 0;
	if (to - 1 - from >= ST_SAMPLER_BOOKS_KEPT)
		return DBL_MAX;
	return s->unaccounted[(to - 1) % ST_SAMPLER_BOOKS_KEPT] -
	       s->unaccounted[from % ST_SAMPLER_BOOKS_KEPT];
}

/* part of whole in 255ths, rounded: the kernel share of a CPU figure. */
static uint8_t share_255(uint64_t part, uint64_t whole)
{
	if (whole == 0)
		return 0;
	if (part >= whole)
		return 255;
	return (uint8_t)((part * 255.0) / (double)whole + 0.5);
}

static uint16_t sat16(double v)
{
	return v >= UINT16_MAX ? UINT16_MAX : v > 0 ? (uint16_t)(v + 0.5) : 0;
}

/* First sight: not "0%" but its average since it started, so a new busy
 * process is caught on the first sample that sees it. The split and the
 * block I/O wait are of that average too. */
static void record_since_start(const struct st_sampler *s, struct st_tick *tk,
			       struct st_proc_sample *rec, const struct st_pid_stat *ps)
{
	double hz = (double)s->clock_ticks;
	uint64_t cpu = ps->utime + ps->stime;
	double age = tk->uptime_s - (double)ps->start_ticks / hz;
	if (age > 0)
		rec->cpu_pct = st_sampler_ticks_pct(s, (double)cpu, age);
	rec->system_share = share_255(ps->stime, cpu);
	if (ps->have & ST_PID_STAT_BLKIO) {
		/* its waits since it started, as much of this interval */
		double per = age > 0 ? (double)ps->blkio_ticks / age : 0;
		if (per > hz)
			per = hz;
		rec->blkio_delay_ticks = sat16(per * tk->interval_s);
		rec->have |= ST_PROC_HAVE_BLKIO;
	}
	rec->flags = ST_PROC_NEW;
	/* Born since the last tick (or the first tick: no books yet). */
	tk->accounted += (double)cpu;
}

/* Since its last read: its CPU charged to this interval (proc_cpu.h),
 * its reaped children, its faults. */
static void record_since_read(const struct st_sampler *s, struct st_tick *tk,
			      struct st_proc_sample *rec, struct st_proc_track *tr,
			      const struct st_pid_stat *ps)
{
	uint64_t gap = tk->seq - tr->read_seq;
	double hidden = unaccounted_between(s, tr->read_seq, tk->seq);
	uint64_t used = delta(ps->utime + ps->stime, tr->cpu_ticks);
	double own = st_cpu_charge(used, gap, hidden);
	rec->cpu_pct = st_sampler_ticks_pct(s, own, tk->interval_s);
	rec->system_share = share_255(delta(ps->stime, tr->stime_ticks), used);
	if (ps->have & ST_PID_STAT_BLKIO) {
		/* The growth of the low 32 bits: a step back (a counter
		 * that cannot shrink) is no wait. One task waits at most
		 * the interval: what a carried process waited beyond that
		 * was waited in the samples that carried it. */
		uint32_t waited = (uint32_t)ps->blkio_ticks - tr->blkio_ticks;
		double most = tk->interval_s * (double)s->clock_ticks;
		rec->blkio_delay_ticks = waited > INT32_MAX ? 0 :
			sat16((double)waited < most ? (double)waited : most);
		rec->have |= ST_PROC_HAVE_BLKIO;
	}
	tk->accounted += own;
	tr->child.delta = delta(ps->cutime + ps->cstime, tr->child_ticks);
	st_child_cpu_read(&tr->child);
	/* Children no read saw (a make's compilers) ran on the books too:
	 * counted here, they are not mistaken for CPU a carried process may
	 * have hidden. */
	double child_charge = st_cpu_charge(tr->child.delta, gap, hidden);
	tr->child_charged = (float)child_charge;
	tk->accounted += child_charge;
	rec->children_cpu_pct = st_sampler_ticks_pct(s, child_charge, tk->interval_s);
	uint64_t mi = delta(ps->minflt, tr->minflt);
	uint64_t ma = delta(ps->majflt, tr->majflt);
	rec->minflt_delta = mi > UINT32_MAX ? UINT32_MAX : (uint32_t)mi;
	rec->majflt_delta = ma > UINT16_MAX ? UINT16_MAX : (uint16_t)ma;
	tr->hidden = hidden > 1e30 ? 1e30f : (float)hidden;
	tr->read_gap = gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
}

/* What this read found, for the next one and for the ticks that carry it. */
static void remember_read(struct st_proc_track *tr, const struct st_proc_sample *rec,
			  const struct st_pid_stat *ps, int fresh, uint64_t seq)
{
	uint64_t cpu = ps->utime + ps->stime, child = ps->cutime + ps->cstime;
	/* A process waiting for the disk uses no CPU: its growing blkio
	 * wait keeps it read, so the wait is measured where it happens. */
	int changed = fresh || cpu != tr->cpu_ticks || child != tr->child_ticks ||
		      ps->minflt != tr->minflt || ps->majflt != tr->majflt ||
		      rec->rss_kib != tr->rss_kib || ps->state != tr->state ||
		      (uint32_t)ps->blkio_ticks != tr->blkio_ticks;
	tr->cpu_ticks = cpu;
	tr->stime_ticks = ps->stime;
	tr->blkio_ticks = (uint32_t)ps->blkio_ticks;
	tr->threads = ps->num_threads > UINT32_MAX ? UINT32_MAX : (uint32_t)ps->num_threads;
	tr->vsize_kib = ps->vsize / 1024;
	tr->child_ticks = child;
	tr->minflt = ps->minflt;
	tr->majflt = ps->majflt;
	tr->rss_kib = rec->rss_kib;
	tr->state = ps->state;
	tr->quiet_reads = changed ? 0 : (uint8_t)(tr->quiet_reads < UINT8_MAX ? tr->quiet_reads + 1 : UINT8_MAX);
	tr->read_seq = seq;
	tr->last_seen_seq = seq;
	tr->deferred_seq = 0;
}

void st_sampler_read_process(struct st_sampler *s, struct st_tick *tk, int32_t pid,
			     uint32_t slot)
{
	struct st_pid_stat ps;

	s->stats.read++;
	slot = seen_alive(s, tk, read_identity(s, tk, pid, slot, &ps));
	if (slot == ST_PROC_NONE)
		return;
	follow_rename(s, tk, slot, &ps);
	struct st_proc_track *tr = &s->table.tracks[slot];
	int fresh = s->table.infos[slot].first_seen_seq == tk->seq;
	struct st_proc_sample *rec = new_record(tk, slot, tr);
	if (!rec)
		return;
	rec->state = ps.state;
	uint64_t rss = ps.rss_pages * (uint64_t)s->page_kib;
	rec->rss_kib = rss > UINT32_MAX ? UINT32_MAX : (uint32_t)rss;
	if (fresh)
		record_since_start(s, tk, rec, &ps);
	else
		record_since_read(s, tk, rec, tr, &ps);
	remember_read(tr, rec, &ps, fresh, tk->seq);
}

void st_sampler_carry_process(struct st_sampler *s, struct st_tick *tk, uint32_t slot)
{
	struct st_proc_track *tr = &s->table.tracks[slot];
	struct st_proc_sample *rec = new_record(tk, slot, tr);
	if (!rec)
		return;
	rec->state = tr->state;
	rec->rss_kib = tr->rss_kib;
	rec->flags = ST_PROC_CARRIED;
	tr->child.delta = 0;
}

/*
 * A process has exited. When its parent reaps it, the parent's children
 * CPU grows by the child's whole life, most of which the samples saw as
 * the child's own: the parent gets that as credit (proc_cpu.h), and when
 * it was read in this tick already, its record is corrected now.
 */
void st_sampler_process_exited(struct st_sampler *s, struct st_tick *tk, uint32_t slot)
{
	struct st_proc_table *t = &s->table;
	uint32_t parent = st_proc_table_find(t, t->infos[slot].ppid);
	/* What the samples saw of it and of its own reaped children, and the
	 * credit it still held for children whose reaping its reads had not
	 * seen yet: `timeout sh -c ...` reaps the shell and exits within one
	 * tick, and its parent's cutime then grows by the shell's life too. */
	const struct st_proc_track *gone = &t->tracks[slot];
	uint64_t seen = gone->cpu_ticks + gone->child_ticks + gone->child.credit;
	st_proc_table_forget(t, slot);
	if (parent == ST_PROC_NONE || parent == slot)
		return;
	struct st_proc_track *pt = &t->tracks[parent];
	st_child_cpu_exited(&pt->child, seen);
	if (pt->read_seq == tk->seq && pt->rec_index < tk->nprocs &&
	    t->infos[parent].first_seen_seq != tk->seq) {
		st_child_cpu_apply_credit(&pt->child);
		double charged = st_cpu_charge(pt->child.delta, pt->read_gap, pt->hidden);
		tk->accounted -= pt->child_charged - charged;
		pt->child_charged = (float)charged;
		tk->slot->procs[pt->rec_index].children_cpu_pct =
			st_sampler_ticks_pct(s, charged, tk->interval_s);
	}
}
