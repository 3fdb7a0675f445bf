/* The dump's JSON writer and strict reader (core/dump/dump_json_write.c, core/dump/dump_json_read.c). */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump/dump_json.h"
#include "text/utf8.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 2026-11-21T23:29:00.123456789Z: above 2^53, so not exact as a double. */
#define WALL_NS 1795303740123456789LL

/* ------------------------------------------------------------ fixtures */

static void set_proc(struct st_dump_proc *p, int32_t pid, const char *comm, double cpu,
		     uint64_t rss_kib, int64_t uid, const char *cmdline)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = pid > 1 ? 1 : 0;
	p->start_ticks = 1000u + (uint64_t)pid;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->state = 'R';
	p->cpu_pct = cpu;
	p->children_cpu_pct = cpu / 3.0;
	p->rss_kib = rss_kib;
	p->minflt_delta = 17u * (uint64_t)pid;
	p->majflt_delta = 3;
	p->uid = p->euid = uid;
	p->cmdline = cmdline ? strdup(cmdline) : NULL;
	p->user_uid = -1;
	p->io_rchar = p->io_wchar = p->io_read_bytes = p->io_write_bytes = -1;
	p->swap_kib = -1;
	/* the split, the wait, threads and vsize (since ABI 2.1) */
	p->system_cpu_pct = cpu / 4.0;
	p->user_cpu_pct = cpu - p->system_cpu_pct;
	p->blkio_delay_pct = pid % 2 ? 12.5 : 0;
	p->num_threads = pid % 7 + 1;
	p->vsize_kib = (1ull << 60) + (uint64_t)pid;  /* not exact as a double */
}

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A user unit with its I/O and swap, and (when threads) two threads. */
static void set_place(struct st_dump_proc *p, int threads)
{
	p->cgroup = strdup("/user.slice/user-1000.slice/user@1000.service/app.slice/firefox.service");
	snprintf(p->unit, sizeof(p->unit), "firefox.service");
	snprintf(p->slice, sizeof(p->slice), "app.slice");
	p->user_uid = 1000;
	p->flags |= ST_DUMP_PROC_USER_UNIT;
	p->io_rchar = 123456789;
	p->io_wchar = 42;
	p->io_read_bytes = 4096;
	p->io_write_bytes = 0;
	p->swap_kib = 512;
	if (threads) {
		p->nthreads = 2;
		p->threads[0] = (struct st_dump_thread){ .tid = 12346, .comm = "Compositor",
							 .utime_s = 12.5, .stime_s = 0.25 };
		p->threads[1] = (struct st_dump_thread){ .tid = 12345, .comm = "firefox",
							 .utime_s = 1.0, .stime_s = 0 };
		p->flags |= ST_DUMP_PROC_THREADS_TRUNCATED;
	}
}

/* A docker container, the cgroup cut. */
static void set_container(struct st_dump_proc *p)
{
	p->cgroup = strdup("/system.slice/docker-" HEX64 ".scope");
	p->flags |= ST_DUMP_PROC_CGROUP_TRUNCATED;
	snprintf(p->unit, sizeof(p->unit), "docker-" HEX64 ".scope");
	snprintf(p->slice, sizeof(p->slice), "system.slice");
	snprintf(p->container_runtime, sizeof(p->container_runtime), "docker");
	snprintf(p->container_id, sizeof(p->container_id), HEX64);
	snprintf(p->pod_uid, sizeof(p->pod_uid), "1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b");
	snprintf(p->session, sizeof(p->session), "3");
}

static struct st_dump_proc *procs(uint32_t n)
{
	struct st_dump_proc *p = calloc(n, sizeof(*p));
	CU_ASSERT_FATAL(p != NULL);
	return p;
}

/* The system evidence of a sample: every group, counters beyond 2^53,
 * cpu's pressure without "full" (kernels before 5.13). */
static void set_evidence(struct st_dump_sample *s, uint32_t i)
{
	s->have = ST_DUMP_HAVE_EVIDENCE;
	s->psi_cpu = (struct st_dump_pressure){ .some_avg10_pct = 12.5 + i,
						.some_stall_us = 250000 + i };
	s->psi_memory = (struct st_dump_pressure){ 3.25, 1.5, 40000, 20000, 1, 0 };
	s->psi_io = (struct st_dump_pressure){ 0, 0, 0, 0, 1, 0 };
	s->vm = (struct st_vm_figures){ .span_s = 10.0, .pswpin = 7, .pswpout = 9,
					.pgmajfault = 11, .oom_kill = 1,
					.pgscan = (1ULL << 60) + 3, .pgsteal = 5000,
					.allocstall = 2 };
	s->load1 = 2.5;
	s->load5 = 1.25;
	s->load15 = 0.75;
	s->ctxt_delta = (1ULL << 53) + 1;
	s->intr_delta = 4321;
	s->anon_kib = 4000000 + i;
	s->cached_kib = 3000000;
	s->shmem_kib = 200000;
	s->slab_reclaimable_kib = 100000;
	s->slab_unreclaimable_kib = 50000;
	s->dirty_kib = 1024;
	s->writeback_kib = 0;
	s->core_user_pct = calloc(s->ncores, sizeof(double));
	s->core_system_pct = calloc(s->ncores, sizeof(double));
	CU_ASSERT_FATAL(s->core_user_pct && s->core_system_pct);
	for (uint32_t c = 0; c < s->ncores; c++) {
		s->core_user_pct[c] = s->core_busy_pct[c] * 0.75;
		s->core_system_pct[c] = s->core_busy_pct[c] * 0.25;
	}
	s->disk_span_s = 10.0;
	s->disk_read_kib = 123456;
	s->disk_written_kib = 654321;
	s->disk_busy_ms = 9000;
}

/* Three samples (-1 s, 0, +1 s), two triggers, every field set (the
 * system evidence in the last two: the first is as a kernel without PSI
 * or a dump from before it has it). */
static struct st_dump *full_dump(void)
{
	struct st_dump *d = st_dump_new();

	CU_ASSERT_FATAL(d != NULL);
	snprintf(d->id, sizeof(d->id), "spike_20261121T232900Z_cpu_delta_12345");
	d->wall_ns = WALL_NS;
	d->mono_ns = 123456789012345LL;
	d->interval_s = 0.5;
	snprintf(d->host.hostname, sizeof(d->host.hostname), "myhost");
	snprintf(d->host.kernel, sizeof(d->host.kernel), "6.1.0-13-amd64");
	d->host.ncores = 4;
	d->host.mem_total_kib = 16252928;
	snprintf(d->host.boot_id, sizeof(d->host.boot_id), "0f6c1d7e-4d0b-4c38-9a4c-2f1e8f3b9a11");

	d->nsamples = 3;
	d->samples = calloc(3, sizeof(*d->samples));
	CU_ASSERT_FATAL(d->samples != NULL);
	for (uint32_t i = 0; i < 3; i++) {
		struct st_dump_sample *s = &d->samples[i];
		s->offset_ns = ((int64_t)i - 1) * 500000000LL;
		s->seq = 41 + i;
		s->mono_ns = d->mono_ns + s->offset_ns;
		s->wall_ns = WALL_NS + s->offset_ns + 1;
		s->cpu_total_pct = 12.5 + i;
		s->cpu_user_pct = 1.0 / 3.0;
		s->cpu_system_pct = 0.1;
		s->cpu_iowait_pct = 0;
		s->cpu_steal_pct = 1e-9;
		s->ncores = 4;
		s->core_busy_pct = calloc(4, sizeof(double));
		CU_ASSERT_FATAL(s->core_busy_pct != NULL);
		for (int c = 0; c < 4; c++)
			s->core_busy_pct[c] = 100.0 / (c + 1 + i);
		/* The middle sample: cpu1 offline, three CPUs with ids 0, 2, 3. */
		if (i == 1) {
			static const uint32_t ids[] = { 0, 2, 3 };
			s->ncores = 3;
			s->core_id = calloc(3, sizeof(*s->core_id));
			CU_ASSERT_FATAL(s->core_id != NULL);
			memcpy(s->core_id, ids, sizeof(ids));
		}
		s->mem_total_kib = 16252928;
		s->mem_available_kib = 8000000 - i * 1024;
		s->mem_free_kib = 1234567;
		s->swap_total_kib = 2097148;
		s->swap_free_kib = 2097148 - i;
		s->forks_delta = 5 + i;
		s->procs_running = 3;
		s->procs_blocked = i;
		s->nprocs_total = 312;
		s->ntop_cpu = 2;
		s->top_cpu = procs(2);
		set_proc(&s->top_cpu[0], 12345, "firefox", 85.2, 2097152, 1000,
			 "/usr/lib/firefox/firefox -P default");
		set_proc(&s->top_cpu[1], 1001, "Xorg", 12.0, 524288, -1, NULL);
		s->ntop_rss = 2;
		s->top_rss = procs(2);
		set_proc(&s->top_rss[0], 12345, "firefox", 85.2, 2097152, 0, "");
		/* A setuid program: real uid 1000, effective 0; its command
		 * line was cut. */
		s->top_cpu[0].euid = 0;
		s->top_cpu[0].flags = ST_DUMP_PROC_CMDLINE_TRUNCATED;
		/* The blamed process of the trigger sample has its threads. */
		set_place(&s->top_cpu[0], i == 1);
		set_proc(&s->top_rss[1], 9876, "chromium", 3.1, 1572864, 4294967294LL, NULL);
		set_container(&s->top_rss[1]);
		if (i == 1) {
			s->nblamed = 1;
			s->blamed = procs(1);
			set_proc(&s->blamed[0], 4242, "kworker/0:1", 0.0, 0, -1, NULL);
			s->blamed[0].state = 'I';
			s->blamed[0].flags = ST_PROC_CARRIED;
		}
		if (i > 0)
			set_evidence(s, i);
		/* The first an off-tick sample of an older daemon (no
		 * interval); the last one of the post-trigger window's fast
		 * samples (since ABI 2.3). */
		if (i == 0)
			s->flags = ST_SAMPLE_OFF_TICK;
		if (i == 1)
			s->interval_s = 0.5;
		if (i == 2) {
			s->flags = ST_SAMPLE_FAST;
			s->interval_s = 0.1;
		}
		/* chromium is new in the last sample: its cpu is since start. */
		if (i == 2)
			s->top_rss[1].flags = ST_PROC_NEW;
	}

	d->ntriggers = 2;
	d->triggers = calloc(2, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	struct st_trigger *t = &d->triggers[0].trigger;
	snprintf(t->type, sizeof(t->type), "cpu_delta");
	t->pid = 12345;
	t->start_ticks = 13345;
	snprintf(t->comm, sizeof(t->comm), "firefox");
	t->value = 85.2;
	t->baseline = 5.0;
	t->threshold = 10.0;
	snprintf(t->units, sizeof(t->units), "pct");
	snprintf(t->summary, sizeof(t->summary), "firefox went from 5.0%% to 85.2%% cpu");
	t->sample_seq = 42;
	d->triggers[0].sample_index = 1;
	t = &d->triggers[1].trigger;
	snprintf(t->type, sizeof(t->type), "mem_drop");
	t->pid = 0;
	t->value = -786432.0;
	t->baseline = 8000000;
	t->threshold = 524288;
	snprintf(t->units, sizeof(t->units), "kib");
	t->sample_seq = 43;
	d->triggers[1].sample_index = 2;
	d->trigger_index = 1;
	return d;
}

static char *full_json(int pretty)
{
	struct st_dump *d = full_dump();
	char *text = st_dump_to_json(d, pretty);
	CU_ASSERT_FATAL(text != NULL);
	st_dump_free(d);
	return text;
}

/* cJSON prints doubles with 15 significant digits, or 17 when 15 do not
 * come within one epsilon of the value: the last bit may differ. */
static int near(double a, double b)
{
	double mag = a < 0 ? -a : a, diff = a > b ? a - b : b - a;
	return diff <= 2 * DBL_EPSILON * mag;
}

#define CU_ASSERT_NEAR(a, b) CU_ASSERT(near((a), (b)))

static void assert_proc_equal(const struct st_dump_proc *a, const struct st_dump_proc *b)
{
	CU_ASSERT_EQUAL(a->pid, b->pid);
	CU_ASSERT_EQUAL(a->ppid, b->ppid);
	CU_ASSERT_EQUAL(a->start_ticks, b->start_ticks);
	CU_ASSERT_STRING_EQUAL(a->comm, b->comm);
	CU_ASSERT_EQUAL(a->state, b->state);
	CU_ASSERT_NEAR(a->cpu_pct, b->cpu_pct);
	CU_ASSERT_NEAR(a->children_cpu_pct, b->children_cpu_pct);
	CU_ASSERT_EQUAL(a->rss_kib, b->rss_kib);
	CU_ASSERT_EQUAL(a->minflt_delta, b->minflt_delta);
	CU_ASSERT_EQUAL(a->majflt_delta, b->majflt_delta);
	CU_ASSERT_EQUAL(a->uid, b->uid);
	CU_ASSERT_EQUAL(a->euid, b->euid);
	CU_ASSERT_EQUAL(a->flags, b->flags);
	if (a->cmdline && b->cmdline) {
		CU_ASSERT_STRING_EQUAL(a->cmdline, b->cmdline);
	} else {
		CU_ASSERT(a->cmdline == NULL && b->cmdline == NULL);
	}
	if (a->cgroup && b->cgroup) {
		CU_ASSERT_STRING_EQUAL(a->cgroup, b->cgroup);
	} else {
		CU_ASSERT(a->cgroup == NULL && b->cgroup == NULL);
	}
	CU_ASSERT_STRING_EQUAL(a->unit, b->unit);
	CU_ASSERT_STRING_EQUAL(a->slice, b->slice);
	CU_ASSERT_STRING_EQUAL(a->session, b->session);
	CU_ASSERT_EQUAL(a->user_uid, b->user_uid);
	CU_ASSERT_STRING_EQUAL(a->container_runtime, b->container_runtime);
	CU_ASSERT_STRING_EQUAL(a->container_id, b->container_id);
	CU_ASSERT_STRING_EQUAL(a->pod_uid, b->pod_uid);
	CU_ASSERT_EQUAL(a->io_rchar, b->io_rchar);
	CU_ASSERT_EQUAL(a->io_wchar, b->io_wchar);
	CU_ASSERT_EQUAL(a->io_read_bytes, b->io_read_bytes);
	CU_ASSERT_EQUAL(a->io_write_bytes, b->io_write_bytes);
	CU_ASSERT_EQUAL(a->swap_kib, b->swap_kib);
	CU_ASSERT_NEAR(a->user_cpu_pct, b->user_cpu_pct);
	CU_ASSERT_NEAR(a->system_cpu_pct, b->system_cpu_pct);
	CU_ASSERT_NEAR(a->blkio_delay_pct, b->blkio_delay_pct);
	CU_ASSERT_EQUAL(a->num_threads, b->num_threads);
	CU_ASSERT_EQUAL(a->vsize_kib, b->vsize_kib);
	CU_ASSERT_EQUAL_FATAL(a->nthreads, b->nthreads);
	for (uint32_t i = 0; i < a->nthreads; i++) {
		CU_ASSERT_EQUAL(a->threads[i].tid, b->threads[i].tid);
		CU_ASSERT_STRING_EQUAL(a->threads[i].comm, b->threads[i].comm);
		CU_ASSERT_NEAR(a->threads[i].utime_s, b->threads[i].utime_s);
		CU_ASSERT_NEAR(a->threads[i].stime_s, b->threads[i].stime_s);
	}
}

static void assert_procs_equal(const struct st_dump_proc *a, uint32_t na,
			       const struct st_dump_proc *b, uint32_t nb)
{
	CU_ASSERT_EQUAL_FATAL(na, nb);
	for (uint32_t i = 0; i < na; i++)
		assert_proc_equal(&a[i], &b[i]);
}

static void assert_pressure_equal(const struct st_dump_pressure *a,
				  const struct st_dump_pressure *b)
{
	CU_ASSERT_NEAR(a->some_avg10_pct, b->some_avg10_pct);
	CU_ASSERT_NEAR(a->full_avg10_pct, b->full_avg10_pct);
	CU_ASSERT_EQUAL(a->some_stall_us, b->some_stall_us);
	CU_ASSERT_EQUAL(a->full_stall_us, b->full_stall_us);
	CU_ASSERT_EQUAL(a->full_known, b->full_known);
}

static void assert_evidence_equal(const struct st_dump_sample *x,
				  const struct st_dump_sample *y)
{
	CU_ASSERT_EQUAL(x->have, y->have);
	assert_pressure_equal(&x->psi_cpu, &y->psi_cpu);
	assert_pressure_equal(&x->psi_memory, &y->psi_memory);
	assert_pressure_equal(&x->psi_io, &y->psi_io);
	CU_ASSERT_NEAR(x->vm.span_s, y->vm.span_s);
	CU_ASSERT_EQUAL(x->vm.pswpin, y->vm.pswpin);
	CU_ASSERT_EQUAL(x->vm.pswpout, y->vm.pswpout);
	CU_ASSERT_EQUAL(x->vm.pgmajfault, y->vm.pgmajfault);
	CU_ASSERT_EQUAL(x->vm.oom_kill, y->vm.oom_kill);
	CU_ASSERT_EQUAL(x->vm.pgscan, y->vm.pgscan);
	CU_ASSERT_EQUAL(x->vm.pgsteal, y->vm.pgsteal);
	CU_ASSERT_EQUAL(x->vm.allocstall, y->vm.allocstall);
	CU_ASSERT_NEAR(x->load1, y->load1);
	CU_ASSERT_NEAR(x->load5, y->load5);
	CU_ASSERT_NEAR(x->load15, y->load15);
	CU_ASSERT_EQUAL(x->ctxt_delta, y->ctxt_delta);
	CU_ASSERT_EQUAL(x->intr_delta, y->intr_delta);
	CU_ASSERT_EQUAL(x->anon_kib, y->anon_kib);
	CU_ASSERT_EQUAL(x->cached_kib, y->cached_kib);
	CU_ASSERT_EQUAL(x->shmem_kib, y->shmem_kib);
	CU_ASSERT_EQUAL(x->slab_reclaimable_kib, y->slab_reclaimable_kib);
	CU_ASSERT_EQUAL(x->slab_unreclaimable_kib, y->slab_unreclaimable_kib);
	CU_ASSERT_EQUAL(x->dirty_kib, y->dirty_kib);
	CU_ASSERT_EQUAL(x->writeback_kib, y->writeback_kib);
	CU_ASSERT_EQUAL(!x->core_user_pct, !y->core_user_pct);
	CU_ASSERT_EQUAL(!x->core_system_pct, !y->core_system_pct);
	for (uint32_t c = 0; x->core_user_pct && y->core_user_pct && c < x->ncores; c++) {
		CU_ASSERT_NEAR(x->core_user_pct[c], y->core_user_pct[c]);
		CU_ASSERT_NEAR(x->core_system_pct[c], y->core_system_pct[c]);
	}
	CU_ASSERT_NEAR(x->disk_span_s, y->disk_span_s);
	CU_ASSERT_EQUAL(x->disk_read_kib, y->disk_read_kib);
	CU_ASSERT_EQUAL(x->disk_written_kib, y->disk_written_kib);
	CU_ASSERT_EQUAL(x->disk_busy_ms, y->disk_busy_ms);
}

static void assert_dump_equal(const struct st_dump *a, const struct st_dump *b)
{
	CU_ASSERT_STRING_EQUAL(a->schema, b->schema);
	CU_ASSERT_STRING_EQUAL(a->id, b->id);
	CU_ASSERT_EQUAL(a->wall_ns, b->wall_ns);
	CU_ASSERT_EQUAL(a->mono_ns, b->mono_ns);
	CU_ASSERT_NEAR(a->interval_s, b->interval_s);
	CU_ASSERT_STRING_EQUAL(a->host.hostname, b->host.hostname);
	CU_ASSERT_STRING_EQUAL(a->host.kernel, b->host.kernel);
	CU_ASSERT_EQUAL(a->host.ncores, b->host.ncores);
	CU_ASSERT_EQUAL(a->host.mem_total_kib, b->host.mem_total_kib);
	CU_ASSERT_STRING_EQUAL(a->host.boot_id, b->host.boot_id);
	CU_ASSERT_EQUAL(a->trigger_index, b->trigger_index);

	CU_ASSERT_EQUAL_FATAL(a->ntriggers, b->ntriggers);
	for (uint32_t i = 0; i < a->ntriggers; i++) {
		const struct st_trigger *x = &a->triggers[i].trigger, *y = &b->triggers[i].trigger;
		CU_ASSERT_STRING_EQUAL(x->type, y->type);
		CU_ASSERT_EQUAL(x->pid, y->pid);
		CU_ASSERT_EQUAL(x->start_ticks, y->start_ticks);
		CU_ASSERT_STRING_EQUAL(x->comm, y->comm);
		CU_ASSERT_NEAR(x->value, y->value);
		CU_ASSERT_NEAR(x->baseline, y->baseline);
		CU_ASSERT_NEAR(x->threshold, y->threshold);
		CU_ASSERT_STRING_EQUAL(x->units, y->units);
		CU_ASSERT_STRING_EQUAL(x->summary, y->summary);
		CU_ASSERT_EQUAL(x->sample_seq, y->sample_seq);
		CU_ASSERT_EQUAL(a->triggers[i].sample_index, b->triggers[i].sample_index);
	}

	CU_ASSERT_EQUAL_FATAL(a->nsamples, b->nsamples);
	for (uint32_t i = 0; i < a->nsamples; i++) {
		const struct st_dump_sample *x = &a->samples[i], *y = &b->samples[i];
		CU_ASSERT_EQUAL(x->offset_ns, y->offset_ns);
		CU_ASSERT_EQUAL(x->seq, y->seq);
		CU_ASSERT_EQUAL(x->mono_ns, y->mono_ns);
		CU_ASSERT_EQUAL(x->wall_ns, y->wall_ns);
		CU_ASSERT_NEAR(x->cpu_total_pct, y->cpu_total_pct);
		CU_ASSERT_NEAR(x->cpu_user_pct, y->cpu_user_pct);
		CU_ASSERT_NEAR(x->cpu_system_pct, y->cpu_system_pct);
		CU_ASSERT_NEAR(x->cpu_iowait_pct, y->cpu_iowait_pct);
		CU_ASSERT_NEAR(x->cpu_steal_pct, y->cpu_steal_pct);
		CU_ASSERT_EQUAL_FATAL(x->ncores, y->ncores);
		for (uint32_t c = 0; c < x->ncores; c++) {
			CU_ASSERT_NEAR(x->core_busy_pct[c], y->core_busy_pct[c]);
			/* NULL ids are 0 .. n-1, and written as such. */
			CU_ASSERT_EQUAL(x->core_id ? x->core_id[c] : c,
					y->core_id ? y->core_id[c] : c);
		}
		CU_ASSERT_EQUAL(x->mem_total_kib, y->mem_total_kib);
		CU_ASSERT_EQUAL(x->mem_available_kib, y->mem_available_kib);
		CU_ASSERT_EQUAL(x->mem_free_kib, y->mem_free_kib);
		CU_ASSERT_EQUAL(x->swap_total_kib, y->swap_total_kib);
		CU_ASSERT_EQUAL(x->swap_free_kib, y->swap_free_kib);
		CU_ASSERT_EQUAL(x->forks_delta, y->forks_delta);
		CU_ASSERT_EQUAL(x->procs_running, y->procs_running);
		CU_ASSERT_EQUAL(x->procs_blocked, y->procs_blocked);
		CU_ASSERT_EQUAL(x->nprocs_total, y->nprocs_total);
		CU_ASSERT_EQUAL(x->flags, y->flags);
		CU_ASSERT_NEAR(x->interval_s, y->interval_s);
		assert_evidence_equal(x, y);
		assert_procs_equal(x->top_cpu, x->ntop_cpu, y->top_cpu, y->ntop_cpu);
		assert_procs_equal(x->top_rss, x->ntop_rss, y->top_rss, y->ntop_rss);
		assert_procs_equal(x->blamed, x->nblamed, y->blamed, y->nblamed);
		CU_ASSERT_EQUAL(x->exits_lost, y->exits_lost);
		CU_ASSERT_EQUAL_FATAL(x->nexited, y->nexited);
		for (uint32_t g = 0; g < x->nexited; g++) {
			const struct st_exited_group *e = &x->exited[g], *f = &y->exited[g];
			CU_ASSERT_STRING_EQUAL(e->comm, f->comm);
			CU_ASSERT_STRING_EQUAL(e->parent_comm, f->parent_comm);
			CU_ASSERT_EQUAL(e->parent_pid, f->parent_pid);
			CU_ASSERT_EQUAL(e->reaper_pid, f->reaper_pid);
			CU_ASSERT_EQUAL(e->count, f->count);
			CU_ASSERT_EQUAL(e->cpu_unknown, f->cpu_unknown);
			CU_ASSERT_NEAR(e->cpu_pct, f->cpu_pct);
			CU_ASSERT_EQUAL(e->cpu_ns, f->cpu_ns);
			CU_ASSERT_EQUAL(e->peak_rss_kib, f->peak_rss_kib);
			CU_ASSERT_EQUAL(e->read_bytes, f->read_bytes);
			CU_ASSERT_EQUAL(e->write_bytes, f->write_bytes);
			CU_ASSERT_EQUAL(e->flags, f->flags);
		}
	}
	CU_ASSERT_EQUAL(a->exit_mode, b->exit_mode);
	CU_ASSERT_EQUAL(a->exits_lost, b->exits_lost);
	for (uint32_t i = 0; i < a->ntriggers; i++)
		CU_ASSERT_EQUAL(a->triggers[i].trigger.exited_count,
				b->triggers[i].trigger.exited_count);
}

static unsigned count(const char *text, const char *needle)
{
	unsigned n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static struct st_dump *parse(const char *text, char *err, size_t errlen)
{
	return st_dump_from_json(text, strlen(text), err, errlen);
}

/* ------------------------------------------------------------ round trip */

static void test_round_trip(void)
{
	for (int pretty = 0; pretty <= 1; pretty++) {
		struct st_dump *orig = full_dump();
		char *text = st_dump_to_json(orig, pretty);
		char err[256] = "";
		struct st_dump *back;

		CU_ASSERT_FATAL(text != NULL);
		back = parse(text, err, sizeof(err));
		if (!back)
			fprintf(stderr, "round trip: %s\n", err);
		CU_ASSERT_FATAL(back != NULL);
		assert_dump_equal(orig, back);
		/* The optional fields really are written as null, not left out
		 * and not -1, and the big clock values are written exactly. */
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"uid\":\tnull" : "\"uid\":null"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"cmdline\":\tnull" : "\"cmdline\":null"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "1795303740123456789"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "1795303740623456790"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"wall_time\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "2026-11-21T23:29:00.123Z"));
		CU_ASSERT_PTR_NULL(strstr(text, "e+"));
		/* How each record was measured, in words. */
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"measured\":\t\"carried\"" :
					      "\"measured\":\"carried\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"since_start\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"interval\""));
		/* Ids always written, 0 .. n-1 where the model has none. */
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"core_ids\":\t[0, 2, 3]" :
					      "\"core_ids\":[0,2,3]"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"core_ids\":\t[0, 1, 2, 3]" :
					      "\"core_ids\":[0,1,2,3]"));
		CU_ASSERT_EQUAL(back->samples[1].core_id[1], 2);
		CU_ASSERT_EQUAL(back->samples[0].top_cpu[0].uid, 1000);
		CU_ASSERT_EQUAL(back->samples[0].top_cpu[0].euid, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"cmdline_truncated\":\ttrue" :
					      "\"cmdline_truncated\":true"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"euid\":\tnull" : "\"euid\":null"));
		/* Where each runs; unknown figures and absent names are null. */
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"unit\":\t\"firefox.service\"" :
					      "\"unit\":\"firefox.service\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"user_unit\":\ttrue" :
					      "\"user_unit\":true"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"unit\":\tnull" : "\"unit\":null"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"io\":\tnull" : "\"io\":null"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"read_bytes\":\t4096" :
					      "\"read_bytes\":4096"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"container\":\tnull" :
					      "\"container\":null"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"swap_kib\":\t512" :
					      "\"swap_kib\":512"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"runtime\":\t\"docker\"" :
					      "\"runtime\":\"docker\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"Compositor\""));
		CU_ASSERT_EQUAL(back->samples[1].top_cpu[0].nthreads, 2);
		CU_ASSERT_TRUE(back->samples[1].top_cpu[0].flags & ST_DUMP_PROC_THREADS_TRUNCATED);
		CU_ASSERT_TRUE(back->samples[1].top_rss[1].flags & ST_DUMP_PROC_CGROUP_TRUNCATED);
		/* The split, the wait, the thread count and vsize. */
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"blkio_delay_pct\":\t12.5" :
					      "\"blkio_delay_pct\":12.5"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"system_cpu_pct\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"user_cpu_pct\""));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"num_threads\""));
		CU_ASSERT_EQUAL(back->samples[0].top_cpu[0].vsize_kib,
				orig->samples[0].top_cpu[0].vsize_kib);
		/* Threads only where there are some: not for the others. */
		CU_ASSERT_EQUAL(back->samples[0].top_cpu[0].nthreads, 0);
		/* A sample's own interval and how it was taken, each only
		 * where there is something to say. */
		CU_ASSERT_EQUAL(back->samples[0].flags, ST_SAMPLE_OFF_TICK);
		CU_ASSERT_EQUAL(back->samples[0].interval_s, 0);
		CU_ASSERT_EQUAL(back->samples[2].flags, ST_SAMPLE_FAST);
		CU_ASSERT_DOUBLE_EQUAL(back->samples[2].interval_s, 0.1, 1e-12);
		CU_ASSERT_EQUAL(count(text, "\"fast\""), 1);
		CU_ASSERT_EQUAL(count(text, "\"off_tick\""), 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, pretty ? "\"interval_s\":\t0.1," :
					      "\"interval_s\":0.1,"));
		/* the dump's, the last two samples' (0 is unknown: left out) */
		CU_ASSERT_EQUAL(count(text, "\"interval_s\""), 3);
		free(text);
		st_dump_free(orig);
		st_dump_free(back);
	}
}

/* The ends of every integer type survive, including the 64-bit maxima,
 * which do not fit a double exactly. */
static void test_round_trip_extremes(void)
{
	struct st_dump *d = full_dump(), *back;
	struct st_dump_proc *p = &d->samples[0].top_cpu[0];
	char err[256] = "", *text;

	d->samples[0].offset_ns = INT64_MIN;
	d->samples[0].mono_ns = INT64_MAX;
	d->samples[0].forks_delta = 1ULL << 60;
	d->samples[0].procs_running = UINT32_MAX;
	p->pid = INT32_MAX;
	p->ppid = 0;
	p->start_ticks = UINT64_MAX;
	p->rss_kib = 0;
	p->uid = UINT32_MAX;
	d->host.ncores = UINT32_MAX;
	text = st_dump_to_json(d, 0);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "18446744073709551615"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "-9223372036854775808"));
	back = parse(text, err, sizeof(err));
	if (!back)
		fprintf(stderr, "extremes: %s\n", err);
	CU_ASSERT_FATAL(back != NULL);
	CU_ASSERT_EQUAL(back->samples[0].offset_ns, INT64_MIN);
	CU_ASSERT_EQUAL(back->samples[0].mono_ns, INT64_MAX);
	CU_ASSERT_EQUAL(back->samples[0].forks_delta, 1ULL << 60);
	CU_ASSERT_EQUAL(back->samples[0].procs_running, UINT32_MAX);
	CU_ASSERT_EQUAL(back->samples[0].top_cpu[0].pid, INT32_MAX);
	CU_ASSERT_EQUAL(back->samples[0].top_cpu[0].start_ticks, UINT64_MAX);
	CU_ASSERT_EQUAL(back->samples[0].top_cpu[0].uid, (int64_t)UINT32_MAX);
	CU_ASSERT_EQUAL(back->host.ncores, UINT32_MAX);
	free(text);
	st_dump_free(d);
	st_dump_free(back);
}

/* An empty dump: no triggers, no samples, empty arrays not missing ones. */
static void test_round_trip_empty(void)
{
	struct st_dump *d = st_dump_new(), *back;
	char err[256] = "", *text;

	CU_ASSERT_FATAL(d != NULL);
	CU_ASSERT_STRING_EQUAL(d->schema, ST_DUMP_SCHEMA);
	CU_ASSERT_EQUAL(d->trigger_index, -1);
	text = st_dump_to_json(d, 0);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"triggers\":[]"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"samples\":[]"));
	back = parse(text, err, sizeof(err));
	CU_ASSERT_FATAL(back != NULL);
	assert_dump_equal(d, back);
	free(text);
	st_dump_free(d);
	st_dump_free(back);
}

/* NaN and infinities are not JSON: they must not reach the file. */
static void test_non_finite_written_as_zero(void)
{
	struct st_dump *d = full_dump(), *back;
	char err[256] = "", *text;

	d->triggers[0].trigger.value = 0.0 / 0.0;
	d->triggers[0].trigger.baseline = 1.0 / 0.0;
	d->samples[1].cpu_total_pct = -1.0 / 0.0;
	text = st_dump_to_json(d, 0);
	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"value\":0,\"baseline\":0,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"cpu\":{\"total_pct\":0,"));
	back = parse(text, err, sizeof(err));
	CU_ASSERT_FATAL(back != NULL);
	CU_ASSERT_EQUAL(back->triggers[0].trigger.value, 0.0);
	CU_ASSERT_EQUAL(back->triggers[0].trigger.baseline, 0.0);
	CU_ASSERT_EQUAL(back->samples[1].cpu_total_pct, 0.0);
	free(text);
	st_dump_free(d);
	st_dump_free(back);
}

/* ------------------------------------------------------------ hostile bytes */

static int is_valid_utf8(const char *s)
{
	size_t len = strlen(s);
	char *copy = malloc(3 * len + 1);
	int same;

	CU_ASSERT_FATAL(copy != NULL);
	/* Sanitising is the identity exactly on valid UTF-8. */
	same = strcmp(st_utf8_sanitize(s, copy, 3 * len + 1), s) == 0;
	free(copy);
	return same;
}

static void test_hostile_strings(void)
{
	static const char comm[] = "\x1b[31m\n\"\\\xff\xc0\x80ok";
	static const char cmd[] = "sh -c \x1b]0;pwned\x07\t\xed\xa0\x80\xf4\x90\x80\x80 end";
	struct st_dump *d = full_dump(), *back;
	char err[256] = "", *text;

	snprintf(d->samples[1].top_cpu[0].comm, ST_COMM_MAX, "%s", comm);
	free(d->samples[1].top_cpu[0].cmdline);
	d->samples[1].top_cpu[0].cmdline = strdup(cmd);
	snprintf(d->triggers[0].trigger.comm, ST_COMM_MAX, "%s", comm);
	snprintf(d->host.hostname, sizeof(d->host.hostname), "h\xfe\x01st");
	/* A cgroup name may hold any byte but '/' and NUL. */
	snprintf(d->samples[1].top_cpu[0].unit, ST_DUMP_NAME_MAX, "%s.service", comm);
	free(d->samples[1].top_cpu[0].cgroup);
	d->samples[1].top_cpu[0].cgroup = strdup("/x.slice/\x1b[2J\xff.service");
	snprintf(d->samples[1].top_cpu[0].threads[0].comm, ST_COMM_MAX, "%s", comm);
	text = st_dump_to_json(d, 0);
	CU_ASSERT_FATAL(text != NULL);

	CU_ASSERT(is_valid_utf8(text));
	for (const char *p = text; *p; p++)
		CU_ASSERT_FATAL((unsigned char)*p >= 0x20);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\\u001b[31m\\n\\\"\\\\\xef\xbf\xbd"));

	cJSON *j = cJSON_Parse(text);
	CU_ASSERT_PTR_NOT_NULL(j);
	cJSON_Delete(j);

	back = parse(text, err, sizeof(err));
	CU_ASSERT_FATAL(back != NULL);
	/* 0xff, then 0xc0 (never valid) and the stray 0x80: three U+FFFD. */
	CU_ASSERT_STRING_EQUAL(back->samples[1].top_cpu[0].comm,
			       "\x1b[31m\n\"\\\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdok");
	CU_ASSERT_STRING_EQUAL(back->triggers[0].trigger.comm,
			       back->samples[1].top_cpu[0].comm);
	/* A surrogate (ed a0 80) and a code point above U+10FFFF (f4 90 80 80)
	 * are each invalid byte by byte after their lead byte. */
	CU_ASSERT_STRING_EQUAL(back->samples[1].top_cpu[0].cmdline,
			       "sh -c \x1b]0;pwned\x07\t"
			       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
			       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end");
	CU_ASSERT_STRING_EQUAL(back->host.hostname, "h\xef\xbf\xbd\x01st");
	CU_ASSERT_STRING_EQUAL(back->samples[1].top_cpu[0].unit,
			       "\x1b[31m\n\"\\\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdok.service");
	CU_ASSERT_STRING_EQUAL(back->samples[1].top_cpu[0].cgroup, "/x.slice/\x1b[2J\xef\xbf\xbd.service");
	CU_ASSERT_STRING_EQUAL(back->samples[1].top_cpu[0].threads[0].comm,
			       back->samples[1].top_cpu[0].comm);
	free(text);
	st_dump_free(d);
	st_dump_free(back);
}

/* A plugin that fills a fixed field to the brim without a NUL must not
 * make the writer read past it. */
static void test_unterminated_fields(void)
{
	struct st_dump *d = full_dump(), *back;
	char err[256] = "", *text;

	memset(d->triggers[0].trigger.type, 'a', ST_TRIGGER_TYPE_MAX);
	memset(d->triggers[0].trigger.units, 'u', ST_TRIGGER_UNITS_MAX);
	memset(d->samples[0].top_cpu[1].comm, 'c', ST_COMM_MAX);
	memset(d->samples[0].top_cpu[1].unit, 'n', ST_DUMP_NAME_MAX);
	memset(d->samples[0].top_cpu[1].container_id, 'f', sizeof(d->samples[0].top_cpu[1].container_id));
	memset(d->samples[1].top_cpu[0].threads[1].comm, 't', ST_COMM_MAX);
	text = st_dump_to_json(d, 0);
	CU_ASSERT_FATAL(text != NULL);
	back = parse(text, err, sizeof(err));
	CU_ASSERT_FATAL(back != NULL);
	/* Read back into the same fixed fields: cut to size - 1. */
	CU_ASSERT_EQUAL(strlen(back->triggers[0].trigger.type), ST_TRIGGER_TYPE_MAX - 1);
	CU_ASSERT_EQUAL(strlen(back->triggers[0].trigger.units), ST_TRIGGER_UNITS_MAX - 1);
	CU_ASSERT_EQUAL(strlen(back->samples[0].top_cpu[1].comm), ST_COMM_MAX - 1);
	CU_ASSERT_EQUAL(strlen(back->samples[0].top_cpu[1].unit), ST_DUMP_NAME_MAX - 1);
	CU_ASSERT_EQUAL(strlen(back->samples[0].top_cpu[1].container_id),
			sizeof(back->samples[0].top_cpu[1].container_id) - 1);
	CU_ASSERT_EQUAL(strlen(back->samples[1].top_cpu[0].threads[1].comm), ST_COMM_MAX - 1);
	free(text);
	st_dump_free(d);
	st_dump_free(back);
}

/* ------------------------------------------------------------ malformed */

/* The JSON of the full dump after edit(root): a precise way to break one
 * field at a time. */
static char *edited(void (*edit)(cJSON *root))
{
	char *text = full_json(0), *out;
	cJSON *root = cJSON_Parse(text);

	CU_ASSERT_FATAL(root != NULL);
	edit(root);
	out = cJSON_PrintUnformatted(root);
	CU_ASSERT_FATAL(out != NULL);
	cJSON_Delete(root);
	free(text);
	return out;
}

static void expect_refused(const char *text, size_t len, const char *reason)
{
	char err[256] = "";
	struct st_dump *d = st_dump_from_json(text, len, err, sizeof(err));

	CU_ASSERT_PTR_NULL(d);
	st_dump_free(d);
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	if (!strstr(err, reason))
		fprintf(stderr, "\n  expected \"%s\", got \"%s\"\n", reason, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, reason));
}

static void expect_edit_refused(void (*edit)(cJSON *root), const char *reason)
{
	char *text = edited(edit);
	expect_refused(text, strlen(text), reason);
	cJSON_free(text);
}

static cJSON *at(cJSON *root, const char *arr, int i)
{
	cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(root, arr), i);
	CU_ASSERT_FATAL(it != NULL);
	return it;
}

static cJSON *proc_at(cJSON *root, int sample, const char *list, int i)
{
	cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(at(root, "samples", sample), list), i);
	CU_ASSERT_FATAL(it != NULL);
	return it;
}

static void set(cJSON *obj, const char *key, cJSON *value)
{
	CU_ASSERT_FATAL(cJSON_ReplaceItemInObject(obj, key, value));
}

static void ed_schema(cJSON *r) { set(r, "schema", cJSON_CreateString("spiketrace.dump/2")); }
static void ed_schema_hostile(cJSON *r) { set(r, "schema", cJSON_CreateString("\x1b[2Jx")); }
static void ed_schema_number(cJSON *r) { set(r, "schema", cJSON_CreateNumber(1)); }
static void ed_no_schema(cJSON *r) { cJSON_DeleteItemFromObject(r, "schema"); }
static void ed_no_triggers(cJSON *r) { cJSON_DeleteItemFromObject(r, "triggers"); }
static void ed_pid_string(cJSON *r)
{
	set(proc_at(r, 1, "top_cpu", 0), "pid", cJSON_CreateString("12345"));
}
static void ed_pid_negative(cJSON *r)
{
	set(proc_at(r, 0, "top_rss", 1), "pid", cJSON_CreateNumber(-5));
}
static void ed_pid_huge(cJSON *r)
{
	set(proc_at(r, 2, "top_cpu", 1), "pid", cJSON_CreateNumber(2147483648.0));
}
static void ed_pid_fraction(cJSON *r)
{
	set(proc_at(r, 1, "blamed", 0), "pid", cJSON_CreateNumber(1.5));
}
static void ed_no_total(cJSON *r)
{
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(at(r, "samples", 2), "cpu"), "total_pct");
}
static void ed_core_string(cJSON *r)
{
	cJSON *cores = cJSON_GetObjectItem(cJSON_GetObjectItem(at(r, "samples", 0), "cpu"),
					   "cores_busy_pct");
	CU_ASSERT_FATAL(cJSON_ReplaceItemInArray(cores, 1, cJSON_CreateString("x")));
}
static void ed_cpu_infinite(cJSON *r)
{
	/* 1e999 is valid JSON syntax that overflows a double. */
	set(proc_at(r, 0, "top_cpu", 0), "cpu_pct", cJSON_CreateRaw("1e999"));
}
static void ed_interval_negative(cJSON *r)
{
	set(at(r, "samples", 2), "interval_s", cJSON_CreateNumber(-0.5));
}
static void ed_interval_infinite(cJSON *r)
{
	set(at(r, "samples", 1), "interval_s", cJSON_CreateRaw("1e999"));
}
static void ed_interval_string(cJSON *r)
{
	set(at(r, "samples", 1), "interval_s", cJSON_CreateString("0.5"));
}
static void ed_fast_number(cJSON *r)
{
	set(at(r, "samples", 2), "fast", cJSON_CreateNumber(1));
}
static void ed_cpu_negative(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "cpu_pct", cJSON_CreateNumber(-0.5));
}
static void ed_state_long(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "state", cJSON_CreateString("RS"));
}
static void ed_state_control(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "state", cJSON_CreateString("\x1b"));
}
static void ed_uid_negative(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "uid", cJSON_CreateNumber(-2));
}
static void ed_cmdline_number(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "cmdline", cJSON_CreateNumber(7));
}
static void ed_measured_unknown(cJSON *r)
{
	set(proc_at(r, 1, "blamed", 0), "measured", cJSON_CreateString("guessed"));
}
static void ed_measured_number(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "measured", cJSON_CreateNumber(2));
}
static cJSON *core_ids(cJSON *r, int sample)
{
	return cJSON_GetObjectItem(cJSON_GetObjectItem(at(r, "samples", sample), "cpu"),
				   "core_ids");
}
static void ed_core_ids_short(cJSON *r)
{
	cJSON_DeleteItemFromArray(core_ids(r, 1), 0);
}
static void ed_core_ids_order(cJSON *r)
{
	CU_ASSERT_FATAL(cJSON_ReplaceItemInArray(core_ids(r, 1), 2, cJSON_CreateNumber(2)));
}
static void ed_core_ids_negative(cJSON *r)
{
	CU_ASSERT_FATAL(cJSON_ReplaceItemInArray(core_ids(r, 0), 0, cJSON_CreateNumber(-1)));
}
static void ed_euid_huge(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "euid", cJSON_CreateNumber(4294967296.0));
}
static void ed_truncated_string(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "cmdline_truncated", cJSON_CreateString("yes"));
}
static void ed_sample_index(cJSON *r)
{
	set(at(r, "triggers", 0), "sample_index", cJSON_CreateNumber(3));
}
static void ed_sample_seq(cJSON *r)
{
	set(at(r, "triggers", 1), "sample_seq", cJSON_CreateNumber(41));
}
static void ed_trigger_index(cJSON *r)
{
	set(r, "trigger_index", cJSON_CreateNumber(0));
}
static void ed_seq_order(cJSON *r)
{
	set(at(r, "samples", 2), "seq", cJSON_CreateNumber(42));
}
static void ed_sample_not_object(cJSON *r)
{
	CU_ASSERT_FATAL(cJSON_ReplaceItemInArray(cJSON_GetObjectItem(r, "samples"), 1,
						 cJSON_CreateArray()));
}
static cJSON *evidence(cJSON *r, int sample, const char *group)
{
	cJSON *g = cJSON_GetObjectItem(at(r, "samples", sample), group);
	CU_ASSERT_FATAL(g != NULL);
	return g;
}
static void ed_psi_negative(cJSON *r)
{
	set(cJSON_GetObjectItem(evidence(r, 1, "pressure"), "memory"), "some_avg10_pct",
	    cJSON_CreateNumber(-1));
}
static void ed_psi_infinite(cJSON *r)
{
	set(cJSON_GetObjectItem(evidence(r, 2, "pressure"), "io"), "full_avg10_pct",
	    cJSON_CreateRaw("1e999"));
}
static void ed_psi_stall_missing(cJSON *r)
{
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(evidence(r, 1, "pressure"), "cpu"),
				   "some_stall_us");
}
static void ed_psi_full_half(cJSON *r)
{
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(evidence(r, 1, "pressure"), "memory"),
				   "full_stall_us");
}
static void ed_vmstat_missing(cJSON *r)
{
	cJSON_DeleteItemFromObject(evidence(r, 2, "vmstat"), "allocstall");
}
static void ed_vmstat_negative(cJSON *r)
{
	set(evidence(r, 1, "vmstat"), "pswpin_pages", cJSON_CreateNumber(-3));
}
static void ed_load_negative(cJSON *r)
{
	set(evidence(r, 1, "loadavg"), "load5", cJSON_CreateNumber(-0.5));
}
static void ed_intr_missing(cJSON *r)
{
	cJSON_DeleteItemFromObject(at(r, "samples", 1), "intr");
}
static void ed_mem_detail_half(cJSON *r)
{
	cJSON_DeleteItemFromObject(evidence(r, 2, "mem"), "slab_unreclaimable_kib");
}
static void ed_disk_fraction(cJSON *r)
{
	set(evidence(r, 1, "disk"), "busy_ms", cJSON_CreateNumber(2.5));
}
static void ed_core_user_short(cJSON *r)
{
	cJSON_DeleteItemFromArray(cJSON_GetObjectItem(evidence(r, 1, "cpu"), "cores_user_pct"), 0);
}
static void ed_core_system_alone(cJSON *r)
{
	cJSON_DeleteItemFromObject(evidence(r, 2, "cpu"), "cores_user_pct");
}
static void ed_pressure_array(cJSON *r)
{
	set(at(r, "samples", 1), "pressure", cJSON_CreateArray());
}
static void ed_u64_too_big(cJSON *r)
{
	set(at(r, "samples", 1), "ctxt", cJSON_CreateRaw("18446744073709551616"));
}
static void ed_i64_too_small(cJSON *r)
{
	set(at(r, "samples", 1), "offset_ns", cJSON_CreateRaw("-9223372036854775809"));
}
static void ed_unit_number(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "unit", cJSON_CreateNumber(1));
}
static void ed_io_negative(cJSON *r)
{
	set(cJSON_GetObjectItem(proc_at(r, 0, "top_cpu", 0), "io"), "read_bytes",
	    cJSON_CreateNumber(-1));
}
static void ed_io_number(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "io", cJSON_CreateNumber(5));
}
static void ed_container_id_number(cJSON *r)
{
	set(cJSON_GetObjectItem(proc_at(r, 0, "top_rss", 1), "container"), "id",
	    cJSON_CreateNumber(5));
}
static void ed_swap_fraction(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "swap_kib", cJSON_CreateNumber(1.5));
}
static void ed_user_unit_string(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "user_unit", cJSON_CreateString("yes"));
}
static cJSON *threads_of(cJSON *r)
{
	return cJSON_GetObjectItem(proc_at(r, 1, "top_cpu", 0), "threads");
}
static void ed_threads_too_many(cJSON *r)
{
	cJSON *arr = threads_of(r);
	for (int i = 0; i < 4; i++)
		cJSON_AddItemToArray(arr, cJSON_Duplicate(cJSON_GetArrayItem(arr, 0), 1));
}
static void ed_thread_tid_zero(cJSON *r)
{
	set(cJSON_GetArrayItem(threads_of(r), 1), "tid", cJSON_CreateNumber(0));
}
static void ed_thread_no_comm(cJSON *r)
{
	cJSON_DeleteItemFromObject(cJSON_GetArrayItem(threads_of(r), 0), "comm");
}
static void ed_threads_object(cJSON *r)
{
	set(proc_at(r, 1, "top_cpu", 0), "threads", cJSON_CreateObject());
}
static void ed_system_negative(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "system_cpu_pct", cJSON_CreateNumber(-2));
}
static void ed_blkio_string(cJSON *r)
{
	set(proc_at(r, 1, "top_rss", 0), "blkio_delay_pct", cJSON_CreateString("12%"));
}
static void ed_num_threads_fraction(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "num_threads", cJSON_CreateNumber(2.5));
}
static void ed_vsize_negative(cJSON *r)
{
	set(proc_at(r, 0, "top_cpu", 0), "vsize_kib", cJSON_CreateNumber(-1));
}
static void ed_host_string(cJSON *r) { set(r, "host", cJSON_CreateString("myhost")); }
static void ed_samples_null(cJSON *r) { set(r, "samples", cJSON_CreateNull()); }

static void test_malformed(void)
{
	static const char deep_prefix[] = "{\"schema\":";
	char *text = full_json(0), *deep;
	size_t len = strlen(text);

	expect_refused("hello", 5, "not JSON (error near byte 0)");
	expect_refused("", 0, "not JSON");
	expect_refused("{\"schema\": 1} x", 15, "not JSON");
	expect_refused("[]", 2, "not a spiketrace dump");
	expect_refused("\"spiketrace.dump/1\"", 19, "not a spiketrace dump");
	expect_refused(text, len / 2, "not JSON");
	expect_refused(text, len - 1, "not JSON");

	/* Nesting deeper than cJSON's limit is refused, not a stack overflow. */
	deep = malloc(sizeof(deep_prefix) + 100000);
	CU_ASSERT_FATAL(deep != NULL);
	strcpy(deep, deep_prefix);
	memset(deep + strlen(deep_prefix), '[', 100000);
	deep[strlen(deep_prefix) + 100000] = '\0';
	expect_refused(deep, strlen(deep), "not JSON");
	free(deep);

	expect_edit_refused(ed_schema,
			    "unknown schema 'spiketrace.dump/2' (expected spiketrace.dump/1)");
	expect_edit_refused(ed_schema_hostile, "unknown schema '\x1b[2Jx'");
	expect_edit_refused(ed_schema_number, "schema: expected a string");
	expect_edit_refused(ed_no_schema, "missing field 'schema'");
	expect_edit_refused(ed_no_triggers, "missing field 'triggers'");
	expect_edit_refused(ed_pid_string, "samples[1].top_cpu[0].pid: expected a number");
	expect_edit_refused(ed_pid_negative, "samples[0].top_rss[1].pid: -5 out of range (0..2147483647)");
	expect_edit_refused(ed_pid_huge, "samples[2].top_cpu[1].pid: 2147483648 out of range");
	expect_edit_refused(ed_pid_fraction, "samples[1].blamed[0].pid: expected an integer");
	expect_edit_refused(ed_no_total, "missing field 'samples[2].cpu.total_pct'");
	expect_edit_refused(ed_core_string, "samples[0].cpu.cores_busy_pct[1]: expected a number");
	expect_edit_refused(ed_cpu_infinite, "samples[0].top_cpu[0].cpu_pct: expected a finite number");
	expect_edit_refused(ed_cpu_negative, "samples[0].top_cpu[0].cpu_pct: -0.5 out of range");
	expect_edit_refused(ed_state_long, "samples[0].top_cpu[0].state: expected a one-character string");
	expect_edit_refused(ed_state_control, "samples[0].top_cpu[0].state: expected a one-character string");
	expect_edit_refused(ed_uid_negative, "samples[0].top_cpu[0].uid: -2 out of range");
	expect_edit_refused(ed_cmdline_number, "samples[0].top_cpu[0].cmdline: expected a string");
	expect_edit_refused(ed_measured_unknown, "samples[1].blamed[0].measured: expected "
			    "\"interval\", \"carried\" or \"since_start\"");
	expect_edit_refused(ed_measured_number, "samples[0].top_cpu[0].measured: expected a string");
	expect_edit_refused(ed_core_ids_short,
			    "samples[1].cpu.core_ids: 2 ids for 3 cores_busy_pct entries");
	expect_edit_refused(ed_core_ids_order,
			    "samples[1].cpu.core_ids[2]: 2 not above the previous id 2");
	expect_edit_refused(ed_core_ids_negative, "samples[0].cpu.core_ids[0]: -1 out of range");
	expect_edit_refused(ed_euid_huge, "samples[0].top_cpu[0].euid: 4294967296 out of range");
	expect_edit_refused(ed_truncated_string,
			    "samples[0].top_cpu[0].cmdline_truncated: expected true or false");
	expect_edit_refused(ed_sample_index, "triggers[0].sample_index: 3 out of range (-1..2)");
	expect_edit_refused(ed_sample_seq, "triggers[1].sample_seq: 41 but samples[2].seq is 43");
	expect_edit_refused(ed_trigger_index, "trigger_index: 0 but triggers[0].sample_index is 1");
	expect_edit_refused(ed_seq_order, "samples[2].seq: 42 not after");
	expect_edit_refused(ed_sample_not_object, "samples[1]: expected an object");
	expect_edit_refused(ed_unit_number, "samples[0].top_cpu[0].unit: expected a string");
	expect_edit_refused(ed_io_negative, "samples[0].top_cpu[0].io.read_bytes: -1 out of range");
	expect_edit_refused(ed_io_number, "samples[0].top_cpu[0].io: expected an object");
	expect_edit_refused(ed_container_id_number,
			    "samples[0].top_rss[1].container.id: expected a string");
	expect_edit_refused(ed_swap_fraction, "samples[0].top_cpu[0].swap_kib: expected an integer");
	expect_edit_refused(ed_user_unit_string,
			    "samples[0].top_cpu[0].user_unit: expected true or false");
	expect_edit_refused(ed_threads_too_many, "samples[1].top_cpu[0].threads: more than 5 threads");
	expect_edit_refused(ed_thread_tid_zero, "samples[1].top_cpu[0].threads[1].tid: 0 out of range");
	expect_edit_refused(ed_thread_no_comm, "missing field 'samples[1].top_cpu[0].threads[0].comm'");
	expect_edit_refused(ed_threads_object, "samples[1].top_cpu[0].threads: expected an array");
	expect_edit_refused(ed_system_negative, "samples[0].top_cpu[0].system_cpu_pct: -2 out of range");
	expect_edit_refused(ed_blkio_string, "samples[1].top_rss[0].blkio_delay_pct: expected a number");
	expect_edit_refused(ed_num_threads_fraction,
			    "samples[0].top_cpu[0].num_threads: expected an integer");
	expect_edit_refused(ed_vsize_negative, "samples[0].top_cpu[0].vsize_kib: -1 out of range");
	expect_edit_refused(ed_host_string, "host: expected an object");
	expect_edit_refused(ed_psi_negative,
			    "samples[1].pressure.memory.some_avg10_pct: -1 out of range");
	expect_edit_refused(ed_psi_infinite,
			    "samples[2].pressure.io.full_avg10_pct: expected a finite number");
	expect_edit_refused(ed_psi_stall_missing,
			    "missing field 'samples[1].pressure.cpu.some_stall_us'");
	expect_edit_refused(ed_psi_full_half,
			    "missing field 'samples[1].pressure.memory.full_stall_us'");
	expect_edit_refused(ed_vmstat_missing, "missing field 'samples[2].vmstat.allocstall'");
	expect_edit_refused(ed_vmstat_negative, "samples[1].vmstat.pswpin_pages: -3 out of range");
	expect_edit_refused(ed_load_negative, "samples[1].loadavg.load5: -0.5 out of range");
	expect_edit_refused(ed_intr_missing, "missing field 'samples[1].intr'");
	expect_edit_refused(ed_mem_detail_half,
			    "missing field 'samples[2].mem.slab_unreclaimable_kib'");
	expect_edit_refused(ed_disk_fraction, "samples[1].disk.busy_ms: expected an integer");
	expect_edit_refused(ed_core_user_short,
			    "samples[1].cpu.cores_user_pct: 2 entries for 3 cores_busy_pct entries");
	expect_edit_refused(ed_core_system_alone,
			    "samples[2].cpu: cores_user_pct and cores_system_pct go together");
	expect_edit_refused(ed_pressure_array, "samples[1].pressure: expected an object");
	expect_edit_refused(ed_u64_too_big, "samples[1].ctxt: 1.8446744073709552e+19 out of range");
	expect_edit_refused(ed_i64_too_small, "samples[1].offset_ns: -9.2233720368547758e+18 out of range");
	expect_edit_refused(ed_samples_null, "samples: expected an array");
	expect_edit_refused(ed_interval_negative,
			    "samples[2].interval_s: -0.5 out of range (0 or more)");
	expect_edit_refused(ed_interval_infinite, "samples[1].interval_s: expected a finite number");
	expect_edit_refused(ed_interval_string, "samples[1].interval_s: expected a number");
	expect_edit_refused(ed_fast_number, "samples[2].fast: expected true or false");
	free(text);
}

/* A group the sampler did not measure is absent from the file, not 0;
 * an integer beyond 2^53 is written and read back digit for digit. */
static void test_evidence_absent_not_zero(void)
{
	struct st_dump *d = full_dump(), *back;
	char err[256] = "", *text;
	cJSON *root, *s0, *s1;

	/* Sample 2: PSI only for memory, no vmstat this tick. */
	d->samples[2].have &= ~(uint32_t)(ST_HAVE_PSI_CPU | ST_HAVE_PSI_IO | ST_HAVE_VMSTAT);
	d->samples[2].psi_cpu = (struct st_dump_pressure){ 0 };
	d->samples[2].psi_io = (struct st_dump_pressure){ 0 };
	d->samples[2].vm = (struct st_vm_figures){ 0 };
	text = st_dump_to_json(d, 0);
	CU_ASSERT_FATAL(text != NULL);
	root = cJSON_Parse(text);
	CU_ASSERT_FATAL(root != NULL);
	s0 = at(root, "samples", 0);
	for (const char *const *k = (const char *const[]){ "pressure", "vmstat", "loadavg",
							  "ctxt", "intr", "disk", NULL }; *k; k++)
		CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(s0, *k));
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(cJSON_GetObjectItem(s0, "mem"), "anon_kib"));
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(cJSON_GetObjectItem(s0, "cpu"), "cores_user_pct"));
	s1 = cJSON_GetObjectItem(at(root, "samples", 1), "pressure");
	/* cpu's "full" is unknown on this kernel: left out, not 0. */
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(cJSON_GetObjectItem(s1, "cpu"), "full_avg10_pct"));
	CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(cJSON_GetObjectItem(s1, "memory"),
						   "full_stall_us"));
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(cJSON_GetObjectItem(at(root, "samples", 2),
								   "pressure"), "cpu"));
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItem(at(root, "samples", 2), "vmstat"));
	cJSON_Delete(root);
	/* 2^53 + 1 and 2^60 + 3: no double holds them. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"ctxt\":9007199254740993"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"pgscan_pages\":1152921504606846979"));

	back = parse(text, err, sizeof(err));
	if (!back)
		fprintf(stderr, "absent: %s\n", err);
	CU_ASSERT_FATAL(back != NULL);
	assert_dump_equal(d, back);
	CU_ASSERT_EQUAL(back->samples[0].have, 0);
	CU_ASSERT_PTR_NULL(back->samples[0].core_user_pct);
	CU_ASSERT_EQUAL(back->samples[2].have, ST_DUMP_HAVE_EVIDENCE &
			~(uint32_t)(ST_HAVE_PSI_CPU | ST_HAVE_PSI_IO | ST_HAVE_VMSTAT));
	CU_ASSERT_EQUAL(back->samples[1].psi_cpu.full_known, 0);
	CU_ASSERT_EQUAL(back->samples[1].psi_memory.full_known, 1);
	CU_ASSERT_EQUAL(back->samples[1].ctxt_delta, (1ULL << 53) + 1);
	CU_ASSERT_EQUAL(back->samples[1].vm.pgscan, (1ULL << 60) + 3);
	free(text);
	st_dump_free(d);
	st_dump_free(back);
}

/* Integers written otherwise than as digits ("1e3", "2.0") are read from
 * their doubles as before; big ones written as digits come back exactly,
 * wherever they are in the document (strings holding digits and '-'
 * before them do not shift the pairing). */
static void test_exact_integers_beside_strings(void)
{
	struct st_dump *d = full_dump(), *back;
	char err[256] = "", *text;

	snprintf(d->host.hostname, sizeof(d->host.hostname), "-1 \\\" 2e5 -");
	snprintf(d->triggers[0].trigger.summary, sizeof(d->triggers[0].trigger.summary),
		 "\"12\" 3.5e-1 [-7]");
	d->mono_ns = (1LL << 62) + 7;
	d->samples[0].mono_ns = -(1LL << 62) - 9;
	text = st_dump_to_json(d, 1);
	CU_ASSERT_FATAL(text != NULL);
	back = parse(text, err, sizeof(err));
	CU_ASSERT_FATAL(back != NULL);
	CU_ASSERT_EQUAL(back->mono_ns, (1LL << 62) + 7);
	CU_ASSERT_EQUAL(back->samples[0].mono_ns, -(1LL << 62) - 9);
	CU_ASSERT_EQUAL(back->wall_ns, WALL_NS);
	CU_ASSERT_STRING_EQUAL(back->host.hostname, d->host.hostname);
	free(text);
	st_dump_free(back);

	/* "1e3" for a count is an integer still. */
	text = st_dump_to_json(d, 0);
	CU_ASSERT_FATAL(text != NULL);
	char *at_forks = strstr(text, "\"forks\":5,"), *edited_text;
	CU_ASSERT_FATAL(at_forks != NULL);
	CU_ASSERT_FATAL(asprintf(&edited_text, "%.*s\"forks\":5e0%s", (int)(at_forks - text),
				 text, at_forks + strlen("\"forks\":5")) > 0);
	free(text);
	text = edited_text;
	back = parse(text, err, sizeof(err));
	if (!back)
		fprintf(stderr, "5e0: %s\n", err);
	CU_ASSERT_FATAL(back != NULL);
	CU_ASSERT_EQUAL(back->samples[0].forks_delta, 5);
	CU_ASSERT_EQUAL(back->wall_ns, WALL_NS);
	free(text);
	st_dump_free(back);
	st_dump_free(d);
}

/* Optional fields may be absent or null; unknown fields are ignored (the
 * schema may grow), and so is wall_time. */
static void ed_lenient(cJSON *r)
{
	cJSON *p = proc_at(r, 0, "top_cpu", 0);
	cJSON_DeleteItemFromObject(p, "uid");
	cJSON_DeleteItemFromObject(p, "cmdline");
	cJSON_DeleteItemFromObject(p, "cmdline_truncated");
	cJSON_DeleteItemFromObject(p, "euid");
	/* A dump from before the cgroup, io, swap and threads fields. */
	static const char *const place[] = {
		"cgroup", "cgroup_truncated", "unit", "user_unit", "slice", "session",
		"user_uid", "container", "io", "swap_kib",
	};
	for (size_t i = 0; i < sizeof(place) / sizeof(place[0]); i++) {
		cJSON_DeleteItemFromObject(p, place[i]);
		cJSON_DeleteItemFromObject(proc_at(r, 1, "top_cpu", 0), place[i]);
	}
	/* and from before the split, the wait, threads and vsize */
	static const char *const since_2_1[] = {
		"user_cpu_pct", "system_cpu_pct", "blkio_delay_pct", "num_threads", "vsize_kib",
	};
	for (size_t i = 0; i < sizeof(since_2_1) / sizeof(since_2_1[0]); i++)
		cJSON_DeleteItemFromObject(proc_at(r, 1, "top_cpu", 0), since_2_1[i]);
	set(proc_at(r, 2, "top_cpu", 0), "blkio_delay_pct", cJSON_CreateNull());
	set(proc_at(r, 2, "top_cpu", 0), "num_threads", cJSON_CreateNull());
	set(proc_at(r, 2, "top_cpu", 0), "vsize_kib", cJSON_CreateNull());
	cJSON_DeleteItemFromObject(proc_at(r, 1, "top_cpu", 0), "threads");
	cJSON_DeleteItemFromObject(proc_at(r, 1, "top_cpu", 0), "threads_truncated");
	/* null is unknown too, inside the objects as well. */
	set(proc_at(r, 2, "top_cpu", 0), "unit", cJSON_CreateNull());
	set(cJSON_GetObjectItem(proc_at(r, 2, "top_rss", 1), "container"), "pod_uid",
	    cJSON_CreateNull());
	set(cJSON_GetObjectItem(proc_at(r, 2, "top_cpu", 0), "io"), "wchar", cJSON_CreateNull());
	set(proc_at(r, 2, "top_cpu", 0), "user_unit", cJSON_CreateNull());
	/* A dump from before "measured": every record was over the interval;
	 * from before "core_ids": the cores are 0 .. n-1. */
	cJSON_DeleteItemFromObject(proc_at(r, 1, "blamed", 0), "measured");
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(at(r, "samples", 1), "cpu"), "core_ids");
	cJSON_DeleteItemFromObject(r, "wall_time");
	cJSON_AddStringToObject(r, "added_in_a_later_minor", "x");
	cJSON_AddNumberToObject(at(r, "samples", 1), "psi_some_pct", 3);
}

static void ed_before_abi_2_3(cJSON *r)
{
	for (int i = 0; i < 3; i++) {
		cJSON_DeleteItemFromObject(at(r, "samples", i), "interval_s");
		cJSON_DeleteItemFromObject(at(r, "samples", i), "fast");
	}
}

/* A dump from before samples carried their own interval: every sample
 * reads with interval 0 (unknown) and without the fast flag. */
static void test_older_dump_without_intervals(void)
{
	char *text = edited(ed_before_abi_2_3), err[256] = "";
	struct st_dump *d;

	CU_ASSERT_PTR_NULL(strstr(text, "\"fast\""));
	CU_ASSERT_EQUAL(count(text, "\"interval_s\""), 1);      /* the dump's */
	d = parse(text, err, sizeof(err));
	if (!d)
		fprintf(stderr, "older dump: %s\n", err);
	CU_ASSERT_FATAL(d != NULL);
	CU_ASSERT_EQUAL_FATAL(d->nsamples, 3);
	for (uint32_t i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(d->samples[i].interval_s, 0);
	CU_ASSERT_EQUAL(d->samples[0].flags, ST_SAMPLE_OFF_TICK);
	CU_ASSERT_EQUAL(d->samples[2].flags, 0);
	CU_ASSERT_DOUBLE_EQUAL(d->interval_s, 0.5, 1e-12);
	st_dump_free(d);
	cJSON_free(text);
}

static void test_lenient_where_documented(void)
{
	char *text = edited(ed_lenient), err[256] = "";
	struct st_dump *d = parse(text, err, sizeof(err));

	if (!d)
		fprintf(stderr, "lenient: %s\n", err);
	CU_ASSERT_FATAL(d != NULL);
	CU_ASSERT_EQUAL(d->samples[0].top_cpu[0].uid, -1);
	CU_ASSERT_PTR_NULL(d->samples[0].top_cpu[0].cmdline);
	CU_ASSERT_EQUAL(d->samples[0].top_cpu[0].euid, -1);
	CU_ASSERT_EQUAL(d->samples[0].top_cpu[0].flags, 0);
	CU_ASSERT_EQUAL(d->samples[1].blamed[0].flags, 0);
	const struct st_dump_proc *old = &d->samples[1].top_cpu[0];
	CU_ASSERT_PTR_NULL(old->cgroup);
	CU_ASSERT_STRING_EQUAL(old->unit, "");
	CU_ASSERT_STRING_EQUAL(old->container_id, "");
	CU_ASSERT_EQUAL(old->user_uid, -1);
	CU_ASSERT_EQUAL(old->io_read_bytes, -1);
	CU_ASSERT_EQUAL(old->io_rchar, -1);
	CU_ASSERT_EQUAL(old->swap_kib, -1);
	CU_ASSERT_EQUAL(old->nthreads, 0);
	CU_ASSERT_EQUAL(old->user_cpu_pct, -1);
	CU_ASSERT_EQUAL(old->system_cpu_pct, -1);
	CU_ASSERT_EQUAL(old->blkio_delay_pct, -1);
	CU_ASSERT_EQUAL(old->num_threads, -1);
	CU_ASSERT_EQUAL(old->vsize_kib, 0);
	const struct st_dump_proc *nulls = &d->samples[2].top_cpu[0];
	CU_ASSERT_EQUAL(nulls->blkio_delay_pct, -1);
	CU_ASSERT_EQUAL(nulls->num_threads, -1);
	CU_ASSERT_EQUAL(nulls->vsize_kib, 0);
	CU_ASSERT(nulls->system_cpu_pct >= 0);
	/* Unknown stays unknown when written again (spiketrace-view --json). */
	char *again = st_dump_to_json(d, 0);
	CU_ASSERT_FATAL(again != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(again, "\"user_cpu_pct\":null"));
	CU_ASSERT_PTR_NOT_NULL(strstr(again, "\"num_threads\":null,\"vsize_kib\":null"));
	struct st_dump *back = parse(again, err, sizeof(err));
	CU_ASSERT_FATAL(back != NULL);
	CU_ASSERT_EQUAL(back->samples[1].top_cpu[0].user_cpu_pct, -1);
	CU_ASSERT_EQUAL(back->samples[1].top_cpu[0].num_threads, -1);
	CU_ASSERT_EQUAL(back->samples[2].top_cpu[0].blkio_delay_pct, -1);
	st_dump_free(back);
	free(again);
	CU_ASSERT_EQUAL(old->flags, ST_DUMP_PROC_CMDLINE_TRUNCATED);
	CU_ASSERT_STRING_EQUAL(d->samples[2].top_cpu[0].unit, "");
	CU_ASSERT_STRING_EQUAL(d->samples[2].top_rss[1].pod_uid, "");
	CU_ASSERT_STRING_EQUAL(d->samples[2].top_rss[1].container_runtime, "docker");
	CU_ASSERT_EQUAL(d->samples[2].top_cpu[0].io_wchar, -1);
	CU_ASSERT_EQUAL(d->samples[2].top_cpu[0].io_rchar, 123456789);
	CU_ASSERT_FALSE(d->samples[2].top_cpu[0].flags & ST_DUMP_PROC_USER_UNIT);
	CU_ASSERT_PTR_NULL(d->samples[1].core_id);
	CU_ASSERT_EQUAL(d->samples[1].ncores, 3);
	st_dump_free(d);
	cJSON_free(text);
}

/* Strings longer than their fixed field are cut at a character boundary. */
static void ed_long_strings(cJSON *r)
{
	char comm[601] = "", summary[1001];

	for (int i = 0; i < 300; i++)
		strcat(comm, "\xc3\xa9");           /* é, two bytes */
	memset(summary, 's', 1000);
	summary[1000] = '\0';
	set(proc_at(r, 0, "top_cpu", 0), "comm", cJSON_CreateString(comm));
	set(at(r, "triggers", 0), "summary", cJSON_CreateString(summary));
	set(at(r, "triggers", 0), "units", cJSON_CreateString("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"));
}

static void test_long_strings_truncated(void)
{
	char *text = edited(ed_long_strings), err[256] = "";
	struct st_dump *d = parse(text, err, sizeof(err));

	CU_ASSERT_FATAL(d != NULL);
	/* 63 bytes of room: 31 two-byte characters, not 31.5. */
	CU_ASSERT_EQUAL(strlen(d->samples[0].top_cpu[0].comm), 62);
	CU_ASSERT(is_valid_utf8(d->samples[0].top_cpu[0].comm));
	CU_ASSERT_EQUAL(strlen(d->triggers[0].trigger.summary), ST_TRIGGER_SUMMARY_MAX - 1);
	/* 15 bytes of room: five three-byte euro signs. */
	CU_ASSERT_STRING_EQUAL(d->triggers[0].trigger.units,
			       "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac");
	st_dump_free(d);
	cJSON_free(text);
}

/* Every prefix of a dump is refused, every one-byte change either parses
 * or is refused: never a crash or a leak (ASan and valgrind watch). */
static void test_corruption_never_crashes(void)
{
	static const char replacements[] = { '\0', '"', '9', '-', '}', '\xff' };
	char *text = full_json(0);
	size_t len = strlen(text);
	char *copy = malloc(len);
	unsigned refused = 0;

	CU_ASSERT_FATAL(copy != NULL);
	for (size_t cut = 0; cut < len; cut++) {
		char err[128] = "";
		struct st_dump *d = st_dump_from_json(text, cut, err, sizeof(err));
		CU_ASSERT_PTR_NULL(d);
		CU_ASSERT(err[0] != '\0');
		st_dump_free(d);
	}
	for (size_t pos = 0; pos < len; pos += 7) {
		for (size_t k = 0; k < sizeof(replacements); k++) {
			char err[128] = "";
			struct st_dump *d;
			memcpy(copy, text, len);
			copy[pos] = replacements[k];
			d = st_dump_from_json(copy, len, err, sizeof(err));
			if (!d) {
				CU_ASSERT(err[0] != '\0');
				refused++;
			}
			st_dump_free(d);
		}
	}
	CU_ASSERT(refused > 0);
	/* And without anywhere to put the reason. */
	CU_ASSERT_PTR_NULL(st_dump_from_json("x", 1, NULL, 0));
	CU_ASSERT_PTR_NULL(st_dump_from_json(NULL, 0, NULL, 0));
	free(copy);
	free(text);
}

/* ------------------------------------------------------------ files */

static void expect_file_refused(const char *path, const char *reason)
{
	char err[256] = "";
	struct st_dump *d = st_dump_read_file(path, err, sizeof(err));

	CU_ASSERT_PTR_NULL(d);
	st_dump_free(d);
	if (!strstr(err, reason))
		fprintf(stderr, "\n  expected \"%s\", got \"%s\"\n", reason, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, reason));
	/* The caller names the file; the reason does not repeat it. */
	CU_ASSERT_PTR_NULL(strstr(err, path));
}

static void test_read_file(void)
{
	char *dir = st_test_mkdtemp(), *text = full_json(1), *path, err[256] = "";
	struct st_dump *d;

	st_test_write_file(dir, "good.json", text);
	CU_ASSERT_FATAL(asprintf(&path, "%s/good.json", dir) > 0);
	d = st_dump_read_file(path, err, sizeof(err));
	CU_ASSERT_FATAL(d != NULL);
	CU_ASSERT_EQUAL(d->nsamples, 3);
	CU_ASSERT_EQUAL(d->ntriggers, 2);
	CU_ASSERT_STRING_EQUAL(d->triggers[0].trigger.comm, "firefox");
	st_dump_free(d);
	free(path);

	st_test_write_file(dir, "empty.json", "");
	CU_ASSERT_FATAL(asprintf(&path, "%s/empty.json", dir) > 0);
	expect_file_refused(path, "empty file");
	free(path);

	st_test_write_file(dir, "notjson.json", "garbage\n");
	CU_ASSERT_FATAL(asprintf(&path, "%s/notjson.json", dir) > 0);
	expect_file_refused(path, "not JSON (error near byte 0)");
	free(path);

	CU_ASSERT_FATAL(asprintf(&path, "%s/missing.json", dir) > 0);
	expect_file_refused(path, "No such file or directory");
	free(path);

	expect_file_refused(dir, "Is a directory");
	free(text);
	st_test_rmtree(dir);
	free(dir);
}

/* A sparse file costs no disk; the size is refused before any reading. */
static void expect_size_refused(const char *dir, off_t size, const char *reason)
{
	char *path;
	int fd;

	CU_ASSERT_FATAL(asprintf(&path, "%s/big.json", dir) > 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(ftruncate(fd, size) == 0);
	close(fd);
	expect_file_refused(path, reason);
	unlink(path);
	free(path);
}

static void test_read_file_too_large(void)
{
	char *dir = st_test_mkdtemp();

	expect_size_refused(dir, 65 << 20, "file too large (68157440 bytes, limit 64 MiB)");
	expect_size_refused(dir, (off_t)ST_DUMP_MAX_BYTES + 1,
			    "file too large (67108865 bytes, limit 64 MiB)");
	st_test_rmtree(dir);
	free(dir);
}

/* ------------------------------------------------------------ UTF-8 */

static void expect_sanitized(const char *in, const char *want)
{
	char out[64];
	st_utf8_sanitize(in, out, sizeof(out));
	if (strcmp(out, want) != 0)
		fprintf(stderr, "\n  sanitize: want \"%s\", got \"%s\"\n", want, out);
	CU_ASSERT_STRING_EQUAL(out, want);
}

#define FFFD "\xef\xbf\xbd"

static void test_utf8_sanitize(void)
{
	char small[4];

	expect_sanitized("plain ascii ~", "plain ascii ~");
	expect_sanitized("\x01\x1b\x7f", "\x01\x1b\x7f");           /* valid; JSON escapes them */
	expect_sanitized("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	expect_sanitized("\xef\xbf\xbf\xf4\x8f\xbf\xbf", "\xef\xbf\xbf\xf4\x8f\xbf\xbf"); /* U+FFFF, U+10FFFF */
	expect_sanitized("a\xffz", "a" FFFD "z");
	expect_sanitized("\xc0\x80", FFFD FFFD);                    /* overlong NUL */
	expect_sanitized("\xc1\xbf", FFFD FFFD);                    /* overlong */
	expect_sanitized("\xe0\x80\xaf", FFFD FFFD FFFD);           /* overlong '/' */
	expect_sanitized("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD);  /* overlong '/' */
	expect_sanitized("\xed\xa0\x80", FFFD FFFD FFFD);           /* surrogate U+D800 */
	expect_sanitized("\xed\xbf\xbf", FFFD FFFD FFFD);           /* surrogate U+DFFF */
	expect_sanitized("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);  /* U+110000 */
	expect_sanitized("\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD);
	expect_sanitized("\xe2\x82", FFFD);                         /* truncated: one U+FFFD */
	expect_sanitized("\xe2\x82z", FFFD "z");
	expect_sanitized("\x80\xbf", FFFD FFFD);                    /* lone continuations */
	expect_sanitized("", "");
	expect_sanitized(NULL, "");

	/* No room for a whole character: it is left out, not split. */
	CU_ASSERT_STRING_EQUAL(st_utf8_sanitize("ab\xe2\x82\xac", small, sizeof(small)), "ab");
	CU_ASSERT_STRING_EQUAL(st_utf8_sanitize("a\xff", small, sizeof(small)), "a");
	CU_ASSERT_STRING_EQUAL(st_utf8_sanitize("abcdef", small, sizeof(small)), "abc");
	CU_ASSERT_STRING_EQUAL(st_utf8_sanitize("abc", small, 1), "");
	CU_ASSERT_PTR_NULL(st_utf8_sanitize("abc", NULL, 0));
}

static void test_del_and_c1_escaped(void)
{
	struct st_dump *d = full_dump(), *back;
	char err[256];
	/* DEL and U+0085 (NEL, C2 85): valid JSON raw, but a terminal's. */
	snprintf(d->triggers[0].trigger.comm, ST_COMM_MAX, "a\x7f" "b\xc2\x85" "c");
	char *json = st_dump_to_json(d, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(json);
	CU_ASSERT_PTR_NULL(strchr(json, 0x7f));
	CU_ASSERT_PTR_NULL(strstr(json, "\xc2\x85"));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "a\\u007fb\\u0085c"));
	back = st_dump_from_json(json, strlen(json), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_STRING_EQUAL(back->triggers[0].trigger.comm, "a\x7f" "b\xc2\x85" "c");
	st_dump_free(back);
	st_dump_free(d);
	free(json);
}

static void ed_no_exit_events(cJSON *r)
{
	cJSON_DeleteItemFromObject(r, "exit_events");
	cJSON_DeleteItemFromObject(r, "exits_lost");
}
static void ed_exit_events_unknown(cJSON *r)
{
	cJSON_AddItemToObject(r, "exit_events", cJSON_CreateString("ebpf"));
}
static void ed_exited_count_zero(cJSON *r)
{
	cJSON *g = cJSON_CreateObject();
	cJSON_AddStringToObject(g, "comm", "x");
	cJSON_AddNumberToObject(g, "count", 0);
	cJSON_AddNumberToObject(g, "cpu_pct", 0);
	cJSON_AddNumberToObject(g, "cpu_ns", 0);
	cJSON *arr = cJSON_CreateArray();
	cJSON_AddItemToArray(arr, g);
	cJSON_AddItemToObject(at(r, "samples", 0), "exited", arr);
}

/* Processes that lived between two samples: their groups, the mode that
 * saw them, what was lost, and a trigger that blames a group. */
static void test_round_trip_exited(void)
{
	struct st_dump *d = full_dump(), *back;
	char err[256] = "";
	d->exit_mode = ST_EXITS_TASKSTATS;
	d->exits_lost = 3;
	struct st_dump_sample *s = &d->samples[1];
	s->exits_lost = 3;
	s->nexited = 2;
	s->exited = calloc(2, sizeof(*s->exited));
	CU_ASSERT_FATAL(s->exited != NULL);
	snprintf(s->exited[0].comm, sizeof(s->exited[0].comm), "spkorphan");
	snprintf(s->exited[0].parent_comm, sizeof(s->exited[0].parent_comm), "sh");
	s->exited[0].parent_pid = 812;
	s->exited[0].reaper_pid = 1;
	s->exited[0].count = 240;
	s->exited[0].cpu_unknown = 2;
	s->exited[0].cpu_pct = 90.5f;
	s->exited[0].cpu_ns = 905000000;
	s->exited[0].peak_rss_kib = 2048;
	s->exited[0].read_bytes = 8192;
	s->exited[0].write_bytes = 1;
	s->exited[0].flags = ST_EXITED_TASKSTATS;
	snprintf(s->exited[1].comm, sizeof(s->exited[1].comm), "(other)");
	s->exited[1].count = 7;
	s->exited[1].cpu_ns = 7000000;
	s->exited[1].cpu_pct = 0.7f;
	s->exited[1].flags = ST_EXITED_REST | ST_EXITED_ESTIMATE;
	struct st_trigger *t = &d->triggers[1].trigger;
	snprintf(t->type, sizeof(t->type), "new_proc");
	snprintf(t->comm, sizeof(t->comm), "spkorphan");
	t->exited_count = 240;
	char *text = st_dump_to_json(d, 0);
	CU_ASSERT_FATAL(text != NULL);
	back = parse(text, err, sizeof(err));
	if (!back)
		fprintf(stderr, "round trip: %s\n", err);
	CU_ASSERT_FATAL(back != NULL);
	assert_dump_equal(d, back);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"exit_events\":\"taskstats\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"exited_count\":240"));
	/* Unknown is null, not 0: the rest row has no parent. */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"parent_comm\":null"));
	free(text);
	st_dump_free(back);
	st_dump_free(d);
	/* A dump from before: no exit fields at all reads as cutime. */
	text = edited(ed_no_exit_events);
	back = parse(text, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_EQUAL(back->exit_mode, ST_EXITS_CUTIME);
	CU_ASSERT_EQUAL(back->exits_lost, 0);
	st_dump_free(back);
	free(text);
	expect_edit_refused(ed_exit_events_unknown, "exit_events: expected");
	expect_edit_refused(ed_exited_count_zero, "count: 0");
}

/* A full dump with three readings of the fast ring: one with every
 * figure, one without pressure or swap, one with nothing but the CPU. */
static struct st_dump *fast_dump(void)
{
	struct st_dump *d = full_dump();
	d->fast_interval_s = 0.1;
	d->nfast = 3;
	d->fast = calloc(3, sizeof(*d->fast));
	CU_ASSERT_FATAL(d->fast != NULL);
	for (uint32_t i = 0; i < 3; i++) {
		struct st_dump_fast *f = &d->fast[i];
		f->offset_ns = -300000000 + (int64_t)i * 100000000;
		f->mono_ns = 5000000000LL + f->offset_ns;
		f->interval_s = 0.1;
		f->cpu_total_pct = 12.5 + 40 * i;
		f->cpu_user_pct = 10 + i;
		f->cpu_system_pct = 2.5;
		f->cpu_iowait_pct = 0.25;
		f->cpu_steal_pct = 0.125;
		f->have = ST_DUMP_FAST_CPU;
	}
	d->fast[0].mem_available_kib = 7000000;
	d->fast[0].swap_used_kib = 123;
	d->fast[0].procs_running = 4;
	d->fast[0].procs_blocked = 1;
	d->fast[0].psi_cpu_some_us = 30000;
	d->fast[0].psi_memory_some_us = 7;
	d->fast[0].psi_io_some_us = 99999;
	d->fast[0].have = ST_DUMP_FAST_CPU | ST_DUMP_FAST_MEM | ST_DUMP_FAST_SWAP |
			  ST_DUMP_FAST_PROCS | ST_DUMP_FAST_PSI_CPU | ST_DUMP_FAST_PSI_MEMORY |
			  ST_DUMP_FAST_PSI_IO;
	d->fast[1].mem_available_kib = 6000000;
	d->fast[1].procs_running = 2;
	d->fast[1].have |= ST_DUMP_FAST_MEM | ST_DUMP_FAST_PROCS;
	return d;
}

/* fast_dump() as JSON, edited, must be refused for reason. */
static void expect_fast_edit_refused(void (*edit)(cJSON *fast), const char *reason)
{
	struct st_dump *d = fast_dump();
	char *text = st_dump_to_json(d, 0);
	st_dump_free(d);
	CU_ASSERT_FATAL(text != NULL);
	cJSON *root = cJSON_Parse(text);
	free(text);
	CU_ASSERT_FATAL(root != NULL);
	edit(cJSON_GetObjectItem(root, "fast"));
	char *out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	CU_ASSERT_FATAL(out != NULL);
	expect_refused(out, strlen(out), reason);
	cJSON_free(out);
}

static cJSON *fast_at(cJSON *fast, int i)
{
	cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(fast, "samples"), i);
	CU_ASSERT_FATAL(it != NULL);
	return it;
}
static void ed_fast_negative_pct(cJSON *f) { set(fast_at(f, 1), "cpu_total_pct", cJSON_CreateNumber(-5)); }
static void ed_fast_cpu_half(cJSON *f) { cJSON_DeleteItemFromObject(fast_at(f, 2), "cpu_steal_pct"); }
static void ed_fast_procs_half(cJSON *f) { cJSON_DeleteItemFromObject(fast_at(f, 0), "procs_blocked"); }
static void ed_fast_psi_string(cJSON *f) { set(fast_at(f, 0), "psi_io_some_us", cJSON_CreateString("9")); }
static void ed_fast_out_of_order(cJSON *f) { set(fast_at(f, 2), "mono_ns", cJSON_CreateNumber(1)); }
static void ed_fast_no_interval(cJSON *f) { cJSON_DeleteItemFromObject(f, "interval_s"); }
static void ed_fast_not_array(cJSON *f) { set(f, "samples", cJSON_CreateObject()); }

/* The fast ring's readings: written only when there are some, every
 * figure back as it was, absent groups absent, and a bad field refused
 * with its path. */
static void test_round_trip_fast(void)
{
	struct st_dump *d = fast_dump(), *back;
	char err[256] = "";
	char *text = st_dump_to_json(d, 0);
	CU_ASSERT_FATAL(text != NULL);
	back = parse(text, err, sizeof(err));
	if (!back)
		fprintf(stderr, "round trip: %s\n", err);
	CU_ASSERT_FATAL(back != NULL);
	assert_dump_equal(d, back);
	CU_ASSERT_DOUBLE_EQUAL(back->fast_interval_s, 0.1, 1e-12);
	CU_ASSERT_EQUAL(back->fast_size, sizeof(struct st_dump_fast));
	CU_ASSERT_EQUAL_FATAL(back->nfast, 3);
	for (uint32_t i = 0; i < 3; i++) {
		const struct st_dump_fast *x = st_dump_fast_at(d, i), *y = st_dump_fast_at(back, i);
		CU_ASSERT_EQUAL(x->offset_ns, y->offset_ns);
		CU_ASSERT_EQUAL(x->mono_ns, y->mono_ns);
		CU_ASSERT_DOUBLE_EQUAL(x->interval_s, y->interval_s, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(x->cpu_total_pct, y->cpu_total_pct, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(x->cpu_user_pct, y->cpu_user_pct, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(x->cpu_system_pct, y->cpu_system_pct, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(x->cpu_iowait_pct, y->cpu_iowait_pct, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(x->cpu_steal_pct, y->cpu_steal_pct, 1e-12);
		CU_ASSERT_EQUAL(x->mem_available_kib, y->mem_available_kib);
		CU_ASSERT_EQUAL(x->swap_used_kib, y->swap_used_kib);
		CU_ASSERT_EQUAL(x->procs_running, y->procs_running);
		CU_ASSERT_EQUAL(x->procs_blocked, y->procs_blocked);
		CU_ASSERT_EQUAL(x->psi_cpu_some_us, y->psi_cpu_some_us);
		CU_ASSERT_EQUAL(x->psi_memory_some_us, y->psi_memory_some_us);
		CU_ASSERT_EQUAL(x->psi_io_some_us, y->psi_io_some_us);
		CU_ASSERT_EQUAL(x->have, y->have);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"fast\":{\"interval_s\":0.1,\"samples\":["));
	free(text);
	st_dump_free(back);
	st_dump_free(d);

	/* Without readings there is no "fast" object (a sample's "fast"
	 * is its flag), and such a dump (an older one) reads back with none. */
	text = full_json(0);
	CU_ASSERT_PTR_NULL(strstr(text, "\"fast\":{"));
	back = parse(text, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_EQUAL(back->nfast, 0);
	CU_ASSERT_PTR_NULL(back->fast);
	st_dump_free(back);
	free(text);

	expect_fast_edit_refused(ed_fast_negative_pct,
				 "fast.samples[1].cpu_total_pct: -5 out of range (0 or more)");
	expect_fast_edit_refused(ed_fast_cpu_half, "missing field 'fast.samples[2].cpu_steal_pct'");
	expect_fast_edit_refused(ed_fast_procs_half,
				 "fast.samples[0]: procs_running and procs_blocked come together");
	expect_fast_edit_refused(ed_fast_psi_string, "fast.samples[0].psi_io_some_us: expected a number");
	expect_fast_edit_refused(ed_fast_out_of_order, "fast.samples[2].mono_ns: 1 not after");
	expect_fast_edit_refused(ed_fast_no_interval, "missing field 'fast.interval_s'");
	expect_fast_edit_refused(ed_fast_not_array, "fast.samples: expected an array");
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "round trip of a full dump", test_round_trip },
		{ "round trip of the fast ring's readings", test_round_trip_fast },
		{ "round trip of exited groups", test_round_trip_exited },
		{ "DEL and C1 controls escaped", test_del_and_c1_escaped },
		{ "round trip of integer extremes", test_round_trip_extremes },
		{ "an older dump: no sample intervals, no fast flag", test_older_dump_without_intervals },
		{ "evidence: absent when not measured", test_evidence_absent_not_zero },
		{ "exact integers beside strings", test_exact_integers_beside_strings },
		{ "round trip of an empty dump", test_round_trip_empty },
		{ "non-finite numbers written as 0", test_non_finite_written_as_zero },
		{ "hostile names: valid UTF-8 JSON", test_hostile_strings },
		{ "unterminated fixed fields", test_unterminated_fields },
		{ "malformed dumps refused with the path", test_malformed },
		{ "optional and unknown fields accepted", test_lenient_where_documented },
		{ "long strings truncated safely", test_long_strings_truncated },
		{ "corruption never crashes", test_corruption_never_crashes },
		{ "read_file: good, empty, missing, directory", test_read_file },
		{ "read_file: size limit", test_read_file_too_large },
		{ "utf8_sanitize", test_utf8_sanitize },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("dump_json", tests);
}
