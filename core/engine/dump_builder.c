#define _GNU_SOURCE
#include "engine/dump_builder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "dump/dump.h"
#include "daemon/log.h"

static ssize_t read_rel(int dirfd, const char *rel, char *buf, size_t cap)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap);
	close(fd);
	return n;
}

void st_dump_host_read(int proc_root_fd, uint32_t ncores, uint64_t mem_total_kib,
		       struct st_dump_host *host)
{
	struct utsname u;
	memset(host, 0, sizeof(*host));
	if (gethostname(host->hostname, sizeof(host->hostname) - 1) < 0)
		snprintf(host->hostname, sizeof(host->hostname), "unknown");
	if (uname(&u) == 0)
		snprintf(host->kernel, sizeof(host->kernel), "%s", u.release);
	host->ncores = ncores;
	host->mem_total_kib = mem_total_kib;
	ssize_t n = read_rel(proc_root_fd, "sys/kernel/random/boot_id",
			     host->boot_id, sizeof(host->boot_id) - 1);
	if (n > 0) {
		host->boot_id[n] = '\0';
		host->boot_id[strcspn(host->boot_id, "\n")] = '\0';
	} else {
		host->boot_id[0] = '\0';
	}
}

/* "20261121T232900.123Z_" is 21 bytes for every wall time an int64 of
 * nanoseconds holds (years 1677 to 2262); then the longest type the core
 * accepts, "_" and a pid of 10 digits (the core refuses negative ones). */
#define ID_LEN (21 + (ST_TRIGGER_TYPE_MAX - 1) + 1 + 10)
_Static_assert(sizeof(((struct st_dump *)0)->id) > ID_LEN,
	       "a dump id holds the longest trigger type and pid");

void st_dump_make_id(char *out, size_t outlen, int64_t wall_ns,
		     const char *type, int32_t pid)
{
	/* Floor division: before 1970 the milliseconds stay 3 digits. */
	int64_t ms = wall_ns / 1000000 - (wall_ns % 1000000 < 0);
	int64_t s = ms / 1000 - (ms % 1000 < 0);
	time_t secs = (time_t)s;
	struct tm tm;
	char stamp[32];
	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	snprintf(out, outlen, "%s.%03dZ_%s_%d", stamp, (int)(ms - s * 1000), type, pid);
}

/* What a dump says about a process beyond its figures: captured when
 * its trigger fired, or read once per dump for the others. The identity
 * fields of a dump process (uid, cmdline, cgroup, io, swap, threads),
 * its strings owned here and copied into each record. */
struct extra {
	int32_t  pid;
	uint64_t start_ticks;
	struct st_dump_proc id;
};

struct extras {
	struct extra *v;
	size_t n, cap;
	const struct st_evidence *captured;
	double hz;                  /* clock ticks per second, for threads */
	bool   no_delayacct;        /* the kernel's delay accounting is off */
};

static void copy_field(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

/* An evidence record made into dump fields: the strings copied. */
static void extra_from(struct st_dump_proc *id, const struct st_evidence_proc *p, double hz)
{
	const struct st_cgroup_info *cg = &p->cgroup;
	id->uid = p->uid;
	id->euid = p->euid;
	id->cmdline = p->has_cmdline ? strdup(p->cmdline) : NULL;
	if (id->cmdline && p->cmdline_truncated)
		id->flags |= ST_DUMP_PROC_CMDLINE_TRUNCATED;
	if (p->has_cgroup) {
		id->cgroup = strdup(cg->path);
		if (id->cgroup && cg->path_truncated)
			id->flags |= ST_DUMP_PROC_CGROUP_TRUNCATED;
		copy_field(id->unit, sizeof(id->unit), cg->unit);
		copy_field(id->slice, sizeof(id->slice), cg->slice);
		copy_field(id->session, sizeof(id->session), cg->session);
		id->user_uid = cg->user_uid;
		if (cg->user_unit && cg->unit[0])
			id->flags |= ST_DUMP_PROC_USER_UNIT;
		copy_field(id->container_runtime, sizeof(id->container_runtime), cg->runtime);
		copy_field(id->container_id, sizeof(id->container_id), cg->container_id);
		copy_field(id->pod_uid, sizeof(id->pod_uid), cg->pod_uid);
	}
	id->io_rchar = p->io.rchar;
	id->io_wchar = p->io.wchar;
	id->io_read_bytes = p->io.read_bytes;
	id->io_write_bytes = p->io.write_bytes;
	id->swap_kib = p->swap_kib;
	id->nthreads = p->nthreads;
	for (uint32_t i = 0; i < p->nthreads && i < ST_DUMP_THREADS_MAX; i++) {
		const struct st_evidence_thread *t = &p->threads[i];
		id->threads[i].tid = t->tid;
		memcpy(id->threads[i].comm, t->comm, sizeof(id->threads[i].comm));
		id->threads[i].utime_s = (double)t->utime / hz;
		id->threads[i].stime_s = (double)t->stime / hz;
	}
	if (p->tasks_truncated && p->nthreads)
		id->flags |= ST_DUMP_PROC_THREADS_TRUNCATED;
}

/* Every identity figure unknown: what a process gone before any read
 * gets. */
static void unknown_identity(struct st_dump_proc *id)
{
	id->uid = id->euid = id->user_uid = -1;
	id->io_rchar = id->io_wchar = id->io_read_bytes = id->io_write_bytes = -1;
	id->swap_kib = -1;
}

static void read_extra(int root, struct extra *e, const struct extras *x)
{
	const struct st_evidence_proc *p = st_evidence_find(x->captured, e->pid, e->start_ticks);
	memset(&e->id, 0, sizeof(e->id));
	unknown_identity(&e->id);
	if (p) {
		extra_from(&e->id, p, x->hz);
		return;
	}
	/* Nothing captured (not blamed, or beyond the table): read now,
	 * without threads (those are the blamed process's). The record is
	 * big for a stack, and this is not the trigger path. */
	struct st_evidence_proc *now = malloc(sizeof(*now));
	if (!now)
		return;
	if (st_evidence_read(root, e->pid, e->start_ticks, 0, now) == 0)
		extra_from(&e->id, now, x->hz);
	free(now);
}

static const struct extra *extra_for(struct extras *x, int root, int32_t pid,
				     uint64_t start_ticks)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i].pid == pid && x->v[i].start_ticks == start_ticks)
			return &x->v[i];
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 32;
		struct extra *v = realloc(x->v, sizeof(*v) * cap);
		if (!v)
			return NULL;
		x->v = v;
		x->cap = cap;
	}
	struct extra *e = &x->v[x->n++];
	e->pid = pid;
	e->start_ticks = start_ticks;
	read_extra(root, e, x);
	return e;
}

static void extras_free(struct extras *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->v[i].id.cmdline);
		free(x->v[i].id.cgroup);
	}
	free(x->v);
}

/* The identity fields of id into out, its strings duplicated (NULL when
 * out of memory: the field is then unknown, which a dump may say). */
static void copy_identity(struct st_dump_proc *out, const struct st_dump_proc *id)
{
	out->uid = id->uid;
	out->euid = id->euid;
	out->cmdline = id->cmdline ? strdup(id->cmdline) : NULL;
	out->cgroup = id->cgroup ? strdup(id->cgroup) : NULL;
	memcpy(out->unit, id->unit, sizeof(out->unit));
	memcpy(out->slice, id->slice, sizeof(out->slice));
	memcpy(out->session, id->session, sizeof(out->session));
	out->user_uid = id->user_uid;
	memcpy(out->container_runtime, id->container_runtime, sizeof(out->container_runtime));
	memcpy(out->container_id, id->container_id, sizeof(out->container_id));
	memcpy(out->pod_uid, id->pod_uid, sizeof(out->pod_uid));
	out->io_rchar = id->io_rchar;
	out->io_wchar = id->io_wchar;
	out->io_read_bytes = id->io_read_bytes;
	out->io_write_bytes = id->io_write_bytes;
	out->swap_kib = id->swap_kib;
	out->nthreads = id->nthreads;
	memcpy(out->threads, id->threads, sizeof(out->threads));
}

/*
 * Since 5.14 the kernel's delay accounting is off unless enabled
 * (delayacct on the command line, or kernel.task_delayacct = 1): every
 * blkio wait then reads 0, which is no measurement. Read at each dump,
 * as the sysctl can change; a kernel without the file accounts when
 * built to.
 */
static bool delayacct_off(int root)
{
	char v[8];
	ssize_t n = read_rel(root, "sys/kernel/task_delayacct", v, sizeof(v));
	return n > 0 && v[0] == '0';
}

/* The record's split, wait and slow figures (model.h, since 2.1). */
static void fill_evidence_of(struct st_dump_proc *out, const struct st_proc_sample *rec,
			     const struct st_proc_track *tr, double interval_s,
			     const struct extras *x)
{
	out->num_threads = tr->threads;
	out->vsize_kib = tr->vsize_kib;
	out->blkio_delay_pct = x->no_delayacct ? -1 : 0;
	if (rec->flags & ST_PROC_CARRIED)
		return;                 /* not re-read: nothing measured */
	double sys = (double)rec->cpu_pct * rec->system_share / 255.0;
	out->system_cpu_pct = sys;
	out->user_cpu_pct = rec->cpu_pct > sys ? rec->cpu_pct - sys : 0;
	if (x->no_delayacct || !(rec->have & ST_PROC_HAVE_BLKIO) || interval_s <= 0) {
		out->blkio_delay_pct = -1;
		return;
	}
	double pct = 100.0 * rec->blkio_delay_ticks / (x->hz * interval_s);
	out->blkio_delay_pct = pct > 100 ? 100 : pct;
}

static void fill_proc(struct st_dump_proc *out, const struct st_proc_sample *rec,
		      const struct st_proc_info *info, const struct st_proc_track *tr,
		      double interval_s, struct extras *x, int root)
{
	memset(out, 0, sizeof(*out));
	out->pid = info->pid;
	out->ppid = info->ppid;
	out->start_ticks = info->start_ticks;
	memcpy(out->comm, info->comm, sizeof(out->comm));
	out->state = rec->state;
	out->cpu_pct = rec->cpu_pct;
	out->children_cpu_pct = rec->children_cpu_pct;
	out->rss_kib = rec->rss_kib;
	out->minflt_delta = rec->minflt_delta;
	out->majflt_delta = rec->majflt_delta;
	out->flags = rec->flags & (ST_PROC_NEW | ST_PROC_CARRIED);
	fill_evidence_of(out, rec, tr, interval_s, x);
	const struct extra *e = extra_for(x, root, info->pid, info->start_ticks);
	if (!e) {
		unknown_identity(out);
		return;
	}
	copy_identity(out, &e->id);
	out->flags |= e->id.flags;
}

static const struct st_proc_sample *sort_base;

/* What a process cost the CPU over the interval: its own time and that of
 * the children it reaped, so a make of short compilers ranks as busy. */
static float cpu_cost(const struct st_proc_sample *rec)
{
	return rec->cpu_pct + rec->children_cpu_pct;
}

static int by_cpu(const void *a, const void *b)
{
	float x = cpu_cost(&sort_base[*(const uint32_t *)a]);
	float y = cpu_cost(&sort_base[*(const uint32_t *)b]);
	return (x < y) - (x > y);
}

static int by_rss(const void *a, const void *b)
{
	uint32_t x = sort_base[*(const uint32_t *)a].rss_kib;
	uint32_t y = sort_base[*(const uint32_t *)b].rss_kib;
	return (x < y) - (x > y);
}

/* Below this a figure prints as 0.0 %: a row of such processes (kernel
 * threads, idle daemons) says nothing, and fewer rows read faster. */
#define CPU_SHOWN_MIN 0.05f

/* The top-by-CPU list holds measurements only: a carried record's 0 is
 * not one, and a process that used nothing is no answer to "who". */
static int cpu_listed(const struct st_proc_sample *rec)
{
	return !(rec->flags & ST_PROC_CARRIED) && cpu_cost(rec) >= CPU_SHOWN_MIN;
}

/* The n largest by cmp among those keep accepts (all when keep is NULL),
 * as dump processes. Returns the count or -1. */
static int top_list(const struct st_sample *smp, const struct st_proc_table *t,
		    int (*cmp)(const void *, const void *),
		    int (*keep)(const struct st_proc_sample *), unsigned top,
		    uint32_t *order, struct st_dump_proc **out,
		    struct extras *x, int root)
{
	uint32_t kept = 0;
	for (uint32_t i = 0; i < smp->nprocs; i++)
		if (!keep || keep(&smp->procs[i]))
			order[kept++] = i;
	unsigned n = kept < top ? kept : top;
	sort_base = smp->procs;
	qsort(order, kept, sizeof(*order), cmp);
	*out = n ? calloc(n, sizeof(**out)) : NULL;
	if (n && !*out)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		const struct st_proc_sample *rec = &smp->procs[order[i]];
		struct st_proc_info was;    /* its name in this sample */
		fill_proc(&(*out)[i], rec, st_proc_table_info_at(t, rec->info, smp->seq, &was),
			  &t->tracks[rec->info], smp->interval_s, x, root);
	}
	return (int)n;
}

static int listed(const struct st_dump_proc *v, uint32_t n, int32_t pid,
		  uint64_t start_ticks)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i].pid == pid && v[i].start_ticks == start_ticks)
			return 1;
	return 0;
}

/* Triggers' processes that the top lists left out: the blamed process
 * is always in the dump, even when it is small. */
static int blamed_list(struct st_dump_sample *ds, const struct st_sample *smp,
		       const struct st_proc_table *t, const struct st_incidents *inc,
		       struct extras *x, int root)
{
	ds->blamed = calloc(inc->ntriggers ? inc->ntriggers : 1, sizeof(*ds->blamed));
	if (!ds->blamed)
		return -1;
	for (size_t k = 0; k < inc->ntriggers; k++) {
		const struct st_trigger *tr = &inc->triggers[k];
		if (tr->pid <= 0 ||
		    listed(ds->top_cpu, ds->ntop_cpu, tr->pid, tr->start_ticks) ||
		    listed(ds->top_rss, ds->ntop_rss, tr->pid, tr->start_ticks) ||
		    listed(ds->blamed, ds->nblamed, tr->pid, tr->start_ticks))
			continue;
		for (uint32_t i = 0; i < smp->nprocs; i++) {
			const struct st_proc_sample *rec = &smp->procs[i];
			struct st_proc_info was;
			const struct st_proc_info *info =
				st_proc_table_info_at(t, rec->info, smp->seq, &was);
			if (info->pid == tr->pid && info->start_ticks == tr->start_ticks) {
				fill_proc(&ds->blamed[ds->nblamed++], rec, info,
					  &t->tracks[rec->info], smp->interval_s, x, root);
				break;
			}
		}
	}
	return 0;
}

static void fill_pressure(struct st_dump_pressure *out, const struct st_pressure *p)
{
	out->some_avg10_pct = p->some_avg10_pct;
	out->full_avg10_pct = p->full_known ? p->full_avg10_pct : 0;
	out->some_stall_us = p->some_stall_us;
	out->full_stall_us = p->full_known ? p->full_stall_us : 0;
	out->full_known = p->full_known != 0;
}

/* The system evidence of a sample: only the groups the sampler measured,
 * the others left 0 with their bit clear. */
static int fill_evidence(struct st_dump_sample *ds, const struct st_sample *smp)
{
	uint32_t have = smp->have & ST_DUMP_HAVE_EVIDENCE;

	ds->have = have;
	if (have & ST_HAVE_PSI_CPU)
		fill_pressure(&ds->psi_cpu, &smp->psi_cpu);
	if (have & ST_HAVE_PSI_MEMORY)
		fill_pressure(&ds->psi_memory, &smp->psi_memory);
	if (have & ST_HAVE_PSI_IO)
		fill_pressure(&ds->psi_io, &smp->psi_io);
	if (have & ST_HAVE_VMSTAT)
		ds->vm = smp->vm;
	if (have & ST_HAVE_LOADAVG) {
		ds->load1 = smp->load1;
		ds->load5 = smp->load5;
		ds->load15 = smp->load15;
	}
	if (have & ST_HAVE_CTXT) {
		ds->ctxt_delta = smp->ctxt_delta;
		ds->intr_delta = smp->intr_delta;
	}
	if (have & ST_HAVE_MEM_DETAIL) {
		ds->anon_kib = smp->anon_kib;
		ds->cached_kib = smp->cached_kib;
		ds->shmem_kib = smp->shmem_kib;
		ds->slab_reclaimable_kib = smp->slab_reclaimable_kib;
		ds->slab_unreclaimable_kib = smp->slab_unreclaimable_kib;
		ds->dirty_kib = smp->dirty_kib;
		ds->writeback_kib = smp->writeback_kib;
	}
	if (have & ST_HAVE_DISK) {
		ds->disk_span_s = smp->disk_span_s;
		ds->disk_read_kib = smp->disk_read_kib;
		ds->disk_written_kib = smp->disk_written_kib;
		ds->disk_busy_ms = smp->disk_busy_ms;
	}
	if (smp->ncores && smp->core_user_pct && smp->core_system_pct) {
		ds->core_user_pct = calloc(smp->ncores, sizeof(double));
		ds->core_system_pct = calloc(smp->ncores, sizeof(double));
		if (!ds->core_user_pct || !ds->core_system_pct)
			return -1;
		for (uint32_t i = 0; i < smp->ncores; i++) {
			ds->core_user_pct[i] = smp->core_user_pct[i];
			ds->core_system_pct[i] = smp->core_system_pct[i];
		}
	}
	return 0;
}

static int fill_sample(const struct st_dump_builder *b, struct st_dump_sample *ds,
		       const struct st_sample *smp, int64_t trigger_mono,
		       const struct st_proc_table *t, const struct st_incidents *inc,
		       uint32_t *order, struct extras *x)
{
	ds->offset_ns = smp->mono_ns - trigger_mono;
	ds->seq = smp->seq;
	ds->mono_ns = smp->mono_ns;
	ds->wall_ns = smp->wall_ns;
	ds->flags = smp->flags & (ST_SAMPLE_OFF_TICK | ST_SAMPLE_FAST);
	ds->interval_s = smp->interval_s;
	ds->cpu_total_pct = smp->cpu_total_pct;
	ds->cpu_user_pct = smp->cpu_user_pct;
	ds->cpu_system_pct = smp->cpu_system_pct;
	ds->cpu_iowait_pct = smp->cpu_iowait_pct;
	ds->cpu_steal_pct = smp->cpu_steal_pct;
	ds->ncores = smp->ncores;
	ds->core_busy_pct = calloc(smp->ncores ? smp->ncores : 1, sizeof(double));
	if (!ds->core_busy_pct)
		return -1;
	ds->core_id = calloc(smp->ncores ? smp->ncores : 1, sizeof(*ds->core_id));
	if (!ds->core_id)
		return -1;
	/* Offline CPUs leave gaps: a figure is only as good as its id. */
	for (uint32_t i = 0; i < smp->ncores; i++) {
		ds->core_busy_pct[i] = smp->core_busy_pct[i];
		ds->core_id[i] = smp->core_id ? smp->core_id[i] : i;
	}
	if (fill_evidence(ds, smp) < 0)
		return -1;
	ds->mem_total_kib = smp->mem_total_kib;
	ds->mem_available_kib = smp->mem_available_kib;
	ds->mem_free_kib = smp->mem_free_kib;
	ds->swap_total_kib = smp->swap_total_kib;
	ds->swap_free_kib = smp->swap_free_kib;
	ds->forks_delta = smp->forks_delta;
	ds->procs_running = smp->procs_running;
	ds->procs_blocked = smp->procs_blocked;
	ds->nprocs_total = smp->nprocs;
	ds->exits_lost = smp->exits_lost;
	if (smp->nexited) {
		ds->exited = calloc(smp->nexited, sizeof(*ds->exited));
		if (!ds->exited)
			return -1;
		for (uint32_t i = 0; i < smp->nexited; i++)
			ds->exited[i] = *st_sample_exited(smp, i);
		ds->nexited = smp->nexited;
	}
	int n = top_list(smp, t, by_cpu, cpu_listed, b->top, order, &ds->top_cpu, x, b->proc_root_fd);
	if (n < 0)
		return -1;
	ds->ntop_cpu = (uint32_t)n;
	n = top_list(smp, t, by_rss, NULL, b->top, order, &ds->top_rss, x, b->proc_root_fd);
	if (n < 0)
		return -1;
	ds->ntop_rss = (uint32_t)n;
	return blamed_list(ds, smp, t, inc, x, b->proc_root_fd);
}

/*
 * The fast ring's readings over the samples' span: from the start of the
 * first sample's interval to the last sample. Returns 0, or -1 out of
 * memory.
 */
static int fill_fast(const struct st_dump_builder *b, struct st_dump *d,
		     const struct st_sample *first, const struct st_sample *last)
{
	const struct st_fast_ring *f = b->fast;
	if (!f)
		return 0;
	d->fast_interval_s = b->fast_interval_s;
	int64_t lo = first->mono_ns - (int64_t)(first->interval_s * 1e9);
	uint32_t n = st_fast_ring_count(f), from = n, count = 0;
	for (uint32_t i = 0; i < n; i++) {
		int64_t t = st_fast_ring_at(f, i)->mono_ns;
		if (t <= lo || t > last->mono_ns)
			continue;
		from = from < i ? from : i;
		count++;
	}
	if (!count)
		return 0;
	d->fast = calloc(count, sizeof(*d->fast));
	if (!d->fast)
		return -1;
	for (uint32_t i = 0; i < count; i++)
		st_fast_record_to_dump(st_fast_ring_at(f, from + i), d->mono_ns, &d->fast[i]);
	d->nfast = count;
	return 0;
}

void st_dump_builder_capture(struct st_dump_builder *b, const struct st_trigger *t,
			     size_t n)
{
	st_evidence_capture(&b->evidence, b->proc_root_fd, t, n);
}

struct st_dump *st_dump_build(struct st_dump_builder *b,
			      const struct st_ring *ring,
			      const struct st_proc_table *table,
			      const struct st_incidents *inc)
{
	const struct st_sample *newest = st_ring_newest(ring);
	struct st_dump *d = st_dump_new();
	long hz = sysconf(_SC_CLK_TCK);
	struct extras x = { .captured = &b->evidence, .hz = hz > 0 ? (double)hz : 100.0 };
	uint32_t *order = NULL;
	if (!d || !newest || !inc->ntriggers)
		goto fail;
	x.no_delayacct = delayacct_off(b->proc_root_fd);

	uint64_t lo = inc->first_seq > b->pre ? inc->first_seq - b->pre : 1;
	if (lo < st_ring_at(ring, 0)->seq)
		lo = st_ring_at(ring, 0)->seq;
	uint64_t hi = inc->due_seq;
	if (hi > newest->seq)
		hi = newest->seq;   /* shutting down before the window closed */
	int first = st_ring_find_seq(ring, lo);
	if (first < 0 || hi < lo)
		goto fail;

	const struct st_trigger *t0 = &inc->triggers[0];
	st_dump_make_id(d->id, sizeof(d->id), inc->first_wall_ns, t0->type, t0->pid);
	d->wall_ns = inc->first_wall_ns;
	d->mono_ns = inc->first_mono_ns;
	d->interval_s = b->interval_s;
	d->host = b->host;
	d->exit_mode = newest->exit_mode;
	d->nsamples = (uint32_t)(hi - lo + 1);
	d->trigger_index = (int32_t)(inc->first_seq - lo);
	d->samples = calloc(d->nsamples, sizeof(*d->samples));
	d->triggers = calloc(inc->ntriggers, sizeof(*d->triggers));
	if (!d->samples || !d->triggers)
		goto fail;
	d->ntriggers = (uint32_t)inc->ntriggers;
	for (size_t k = 0; k < inc->ntriggers; k++) {
		d->triggers[k].trigger = inc->triggers[k];
		uint64_t s = inc->triggers[k].sample_seq;
		d->triggers[k].sample_index = s >= lo && s <= hi ? (int32_t)(s - lo) : -1;
	}

	uint32_t most = 1;
	for (uint32_t i = 0; i < d->nsamples; i++) {
		uint32_t np = st_ring_at(ring, (uint32_t)first + i)->nprocs;
		most = np > most ? np : most;
	}
	order = malloc(sizeof(*order) * most);
	if (!order)
		goto fail;
	for (uint32_t i = 0; i < d->nsamples; i++) {
		if (fill_sample(b, &d->samples[i], st_ring_at(ring, (uint32_t)first + i),
				inc->first_mono_ns, table, inc, order, &x) < 0)
			goto fail;
		d->exits_lost += d->samples[i].exits_lost;
	}
	if (fill_fast(b, d, st_ring_at(ring, (uint32_t)first),
		      st_ring_at(ring, (uint32_t)first + d->nsamples - 1)) < 0)
		goto fail;
	free(order);
	extras_free(&x);
	st_evidence_clear(&b->evidence);
	return d;
fail:
	st_err("cannot build the dump of an incident: out of memory");
	free(order);
	extras_free(&x);
	st_evidence_clear(&b->evidence);
	st_dump_free(d);
	return NULL;
}
