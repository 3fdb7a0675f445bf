/*
 * Between two samples: the kernel's process events (proc_events.h) into
 * the interval's exited groups. A process the sampler has in its table
 * was read by a tick and is the ticks' business; one it has not is short
 * enough to have lived and died between two ticks, and its exit is all
 * there will ever be of it: who it was (its name at exit), who forked it
 * (the fork event, fork_parents.h), who reaped it (the exit event), and
 * what it used (taskstats' accounting, else its zombie's stat).
 */
#include "sample/sampler_tick.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"

int st_sampler_exits_start(struct st_sampler *s, uint32_t mode)
{
	struct st_sampler_exits *x = &s->between;
	x->mode = mode;
	if (mode == ST_EXITS_CUTIME)
		return 0;
	if (!x->forks)
		x->forks = malloc(sizeof(*x->forks));
	if (!x->groups)
		x->groups = malloc(sizeof(*x->groups));
	if (!x->forks || !x->groups) {
		x->mode = ST_EXITS_CUTIME;
		return -1;
	}
	st_fork_parents_init(x->forks);
	st_exited_groups_reset(x->groups);
	return 0;
}

void st_sampler_exits_stop(struct st_sampler *s)
{
	free(s->between.forks);
	free(s->between.groups);
	memset(&s->between, 0, sizeof(s->between));
}

/* src is a NUL-terminated name in an array of srccap bytes. */
static void copy_comm(char *dst, size_t cap, const char *src, size_t srccap)
{
	size_t n = strnlen(src, (cap < srccap ? cap : srccap) - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The name of a process the exit does not name: the sampler's, else the
 * one it exited with (a short-lived shell), else "". */
static const char *name_of(struct st_sampler *s, int32_t pid)
{
	uint32_t slot = pid > 0 ? st_proc_table_find(&s->table, pid) : ST_PROC_NONE;
	if (slot != ST_PROC_NONE)
		return s->table.infos[slot].comm;
	const struct st_fork_entry *e = st_fork_parents_find(s->between.forks, pid);
	return e ? e->comm : "";
}

/* One read of a process no tick keeps an fd for: 1 read, else gone. */
static int read_stat_once(struct st_sampler *s, int32_t pid, struct st_pid_stat *ps)
{
	int fd = -1;
	int rc = st_sampler_read_pid_stat(s, pid, &fd, ps);
	if (fd >= 0)
		close(fd);
	return rc == 1;
}

/* A forking process that exec'd since the last tick has a name no one
 * knows yet: it is alive (it forks), so read it, once, into its entry. */
static void learn_name(struct st_sampler *s, int32_t pid, char *out, size_t outlen)
{
	struct st_pid_stat ps;
	if (!read_stat_once(s, pid, &ps))
		return;
	copy_comm(out, outlen, ps.comm, sizeof(ps.comm));
	struct st_fork_entry *e = st_fork_parents_find(s->between.forks, pid);
	if (e)
		copy_comm(e->comm, sizeof(e->comm), ps.comm, sizeof(ps.comm));
}

static void exit_seen(struct st_sampler *s, const struct st_proc_event *ev)
{
	struct st_sampler_exits *x = &s->between;
	x->exits++;
	/* Read by a tick: not one of the unseen. */
	if (st_proc_table_find(&s->table, ev->pid) != ST_PROC_NONE) {
		x->known++;
		return;
	}
	struct st_fork_entry *fork = st_fork_parents_find(x->forks, ev->pid);
	char comm[ST_COMM_MAX] = "";
	struct st_exit_record r = {
		.comm = comm,
		.parent_pid = fork ? fork->parent_pid : 0,
		.reaper_pid = ev->parent_pid,
		.cpu_ns = -1, .peak_rss_kib = -1, .read_bytes = -1, .write_bytes = -1,
	};
	if (ev->flags & ST_PROC_EV_TASKSTATS) {
		copy_comm(comm, sizeof(comm), ev->comm, sizeof(ev->comm));
		if (ev->utime_ns >= 0 && ev->stime_ns >= 0)
			r.cpu_ns = ev->utime_ns + ev->stime_ns;
		r.peak_rss_kib = ev->peak_rss_kib;
		r.read_bytes = ev->read_bytes;
		r.write_bytes = ev->write_bytes;
		r.flags = ST_EXITED_TASKSTATS;
	} else {
		/* A zombie until its parent reaps it: its stat still reads. */
		struct st_pid_stat ps;
		if (read_stat_once(s, ev->pid, &ps)) {
			copy_comm(comm, sizeof(comm), ps.comm, sizeof(ps.comm));
			r.cpu_ns = (int64_t)((double)(ps.utime + ps.stime) * 1e9 /
					     (double)s->clock_ticks);
			if (!r.reaper_pid)
				r.reaper_pid = ps.ppid;
		} else if (fork) {
			/* Reaped first: the name it forked with (unless it
			 * exec'd since) or a comm event's. */
			copy_comm(comm, sizeof(comm), fork->comm, sizeof(fork->comm));
		}
		r.flags = ST_EXITED_ESTIMATE;
	}
	if (!r.parent_pid)
		r.parent_pid = r.reaper_pid;
	r.parent_comm = name_of(s, r.parent_pid);
	/* Its own children may exit after it: they name it by this. */
	if (fork && comm[0])
		copy_comm(fork->comm, sizeof(fork->comm), comm, sizeof(comm));
	st_exited_groups_add(x->groups, &r);
	x->grouped++;
}

void st_sampler_on_proc_event(struct st_sampler *s, const struct st_proc_event *ev)
{
	struct st_sampler_exits *x = &s->between;
	if (x->mode == ST_EXITS_CUTIME || ev->pid <= 0)
		return;
	x->events++;
	switch (ev->kind) {
	case ST_PROC_EV_FORK: {
		/* A child is its parent's copy, name included, until it
		 * execs: a subshell that never does is named without a read. */
		char parent[ST_FORK_COMM];  /* before the add may evict its entry */
		copy_comm(parent, sizeof(parent), name_of(s, ev->parent_pid), ST_COMM_MAX);
		if (!parent[0] && ev->parent_pid > 0)
			learn_name(s, ev->parent_pid, parent, sizeof(parent));
		struct st_fork_entry *e = st_fork_parents_add(x->forks, ev->pid, ev->parent_pid);
		if (e)
			copy_comm(e->comm, sizeof(e->comm), parent, sizeof(parent));
		break;
	}
	case ST_PROC_EV_EXEC: {
		/* A new program, a new name: known at exit, from the zombie. */
		struct st_fork_entry *e = st_fork_parents_find(x->forks, ev->pid);
		if (e)
			e->comm[0] = '\0';
		break;
	}
	case ST_PROC_EV_COMM: {
		struct st_fork_entry *e = st_fork_parents_find(x->forks, ev->pid);
		if (e)
			copy_comm(e->comm, sizeof(e->comm), ev->comm, sizeof(ev->comm));
		break;
	}
	case ST_PROC_EV_EXIT:
		exit_seen(s, ev);
		break;
	default:
		break;
	}
}

void st_sampler_exits_lost(struct st_sampler *s, uint32_t overruns)
{
	s->between.lost += overruns;
}

void st_sampler_fill_exited(struct st_sampler *s, struct st_ring_slot *slot,
			    struct st_sample *smp, double interval_s)
{
	struct st_sampler_exits *x = &s->between;
	smp->exit_mode = x->mode;
	smp->exited_size = sizeof(struct st_exited_group);
	smp->exits_lost = x->lost;
	x->lost = 0;
	smp->exited = slot->exited;
	smp->nexited = 0;
	if (x->mode == ST_EXITS_CUTIME || !x->groups->exits)
		return;
	if (!slot->exited && st_ring_slot_reserve_exited(slot) < 0) {
		if (!x->warned_memory++)
			st_warn("out of memory: samples go without their exited groups");
		st_exited_groups_reset(x->groups);
		return;
	}
	smp->exited = slot->exited;
	smp->nexited = st_exited_groups_close(x->groups, interval_s, slot->exited);
}
