/* A trigger's causes from a dump's figures (core/dump/dump_why.c), each on a
 * hand-made dump that shows it, and the quiet dump that shows none. */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump/dump_why.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIB_KIB (1024u * 1024u)
#define MIB_KIB 1024u

/* Three quiet samples 1 s apart, the trigger in the last; every group of
 * evidence measured and calm; one trigger of the given kind. */
static struct st_dump *quiet_dump(const char *type, int32_t pid, const char *units)
{
	struct st_dump *d = st_dump_new();

	CU_ASSERT_FATAL(d != NULL);
	d->interval_s = 1.0;
	d->host.ncores = 4;
	d->nsamples = 3;
	d->samples = calloc(3, sizeof(*d->samples));
	CU_ASSERT_FATAL(d->samples != NULL);
	for (uint32_t i = 0; i < 3; i++) {
		struct st_dump_sample *s = &d->samples[i];
		s->seq = 10 + i;
		s->offset_ns = ((int64_t)i - 2) * 1000000000LL;
		s->mono_ns = 5000000000LL + s->offset_ns;
		s->cpu_total_pct = 10;
		s->cpu_user_pct = 7;
		s->cpu_system_pct = 3;
		s->procs_running = 1;
		s->forks_delta = 3;
		s->mem_total_kib = 16 * GIB_KIB;
		s->mem_available_kib = 8 * GIB_KIB;
		s->have = ST_DUMP_HAVE_EVIDENCE;
		s->psi_cpu.some_avg10_pct = 1;
		s->psi_memory.some_avg10_pct = 0;
		s->psi_io.some_avg10_pct = 2;
		s->vm.span_s = 1;
		s->vm.pgscan = 100;
		s->anon_kib = 4 * GIB_KIB;
		s->cached_kib = 2 * GIB_KIB;
		s->shmem_kib = 100 * MIB_KIB;
		s->slab_reclaimable_kib = 200 * MIB_KIB;
		s->slab_unreclaimable_kib = 100 * MIB_KIB;
		s->load1 = 0.5;
	}
	d->ntriggers = 1;
	d->triggers = calloc(1, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	struct st_trigger *t = &d->triggers[0].trigger;
	snprintf(t->type, sizeof(t->type), "%s", type);
	snprintf(t->units, sizeof(t->units), "%s", units);
	t->pid = pid;
	t->start_ticks = pid ? 777 : 0;
	t->sample_seq = 12;
	d->triggers[0].sample_index = 2;
	d->trigger_index = 2;
	return d;
}

/* The trigger sample's blamed process, in its top_cpu list. */
static struct st_dump_proc *blame(struct st_dump *d, double cpu_pct, char state)
{
	struct st_dump_sample *s = &d->samples[2];
	s->ntop_cpu = 1;
	s->top_cpu = calloc(1, sizeof(*s->top_cpu));
	CU_ASSERT_FATAL(s->top_cpu != NULL);
	s->top_cpu[0].pid = d->triggers[0].trigger.pid;
	s->top_cpu[0].start_ticks = d->triggers[0].trigger.start_ticks;
	s->top_cpu[0].cpu_pct = cpu_pct;
	s->top_cpu[0].state = state;
	snprintf(s->top_cpu[0].comm, ST_COMM_MAX, "hog");
	return &s->top_cpu[0];
}

static struct st_why why_of(const struct st_dump *d)
{
	struct st_why w;
	st_dump_why(d, 0, &w);
	for (uint32_t i = 0; i < w.n; i++)
		fprintf(stderr, "    why: %s\n", w.reason[i]);
	return w;
}

/* The reason that begins with head, or NULL. */
static const char *reason(const struct st_why *w, const char *head)
{
	for (uint32_t i = 0; i < w->n; i++)
		if (strncmp(w->reason[i], head, strlen(head)) == 0)
			return w->reason[i];
	return NULL;
}

#define EXPECT_REASON(w, text) do { \
	const char *r_ = reason(&(w), text); \
	CU_ASSERT_PTR_NOT_NULL(r_); \
	if (r_) \
		CU_ASSERT_STRING_EQUAL(r_, text); \
} while (0)

static void test_quiet_says_nothing(void)
{
	struct st_dump *d = quiet_dump("cpu_delta", 4242, "pct");
	blame(d, 20, 'R');
	struct st_why w = why_of(d);
	CU_ASSERT_EQUAL(w.n, 0);
	st_dump_free(d);
}

static void test_cpu_bound_user_and_kernel(void)
{
	struct st_dump *d = quiet_dump("cpu_delta", 4242, "pct");
	blame(d, 95, 'R');
	d->samples[2].cpu_user_pct = 24;
	d->samples[2].cpu_system_pct = 2;
	struct st_why w = why_of(d);
	CU_ASSERT_EQUAL(w.n, 1);
	EXPECT_REASON(w, "CPU-bound in user code: 95.0% of one core, machine 24% user, 2% kernel");
	st_dump_free(d);

	/* No process blamed: the machine itself busy, mostly in the kernel. */
	d = quiet_dump("cpu_total", 0, "pct");
	d->samples[2].cpu_total_pct = 91;
	d->samples[2].cpu_user_pct = 20;
	d->samples[2].cpu_system_pct = 71;
	w = why_of(d);
	EXPECT_REASON(w, "CPU-bound in kernel code: machine 91% busy, 20% user, 71% kernel");
	st_dump_free(d);

	/* A make of short compilers: its own cpu is small, its reaped
	 * children's is what it cost. */
	d = quiet_dump("cpu_delta", 4242, "pct");
	blame(d, 10, 'S')->children_cpu_pct = 190;
	w = why_of(d);
	EXPECT_REASON(w, "CPU-bound in user code: 200.0% of one core with reaped children, "
		      "machine 7% user, 3% kernel");
	st_dump_free(d);

	/* The process's own split, when the dump has it, says where its
	 * time went, whatever the machine's did. */
	d = quiet_dump("cpu_delta", 4242, "pct");
	struct st_dump_proc *p = blame(d, 95, 'R');
	p->user_cpu_pct = 19;
	p->system_cpu_pct = 76;
	w = why_of(d);
	EXPECT_REASON(w, "CPU-bound in kernel code: 95.0% of one core, 80% of it in the kernel, "
		      "machine 7% user, 3% kernel");
	st_dump_free(d);

	/* A carried record's cpu is no measurement. */
	d = quiet_dump("cpu_delta", 4242, "pct");
	blame(d, 95, 'R')->flags = ST_PROC_CARRIED;
	w = why_of(d);
	CU_ASSERT_PTR_NULL(reason(&w, "CPU-bound"));
	st_dump_free(d);
}

static void test_waiting_for_cpu(void)
{
	struct st_dump *d = quiet_dump("cpu_delta", 0, "pct");
	/* The 10 s average lags a burst; the interval's stall share (0.4 s
	 * of 1 s) shows it. */
	d->samples[2].psi_cpu.some_avg10_pct = 3;
	d->samples[2].psi_cpu.some_stall_us = 400000;
	d->samples[2].procs_running = 9;
	struct st_why w = why_of(d);
	EXPECT_REASON(w, "waiting for CPU: cpu pressure 40%, 9 runnable");
	/* Not measured (a kernel without PSI): no claim either way. */
	d->samples[2].have &= ~(uint32_t)ST_HAVE_PSI_CPU;
	w = why_of(d);
	CU_ASSERT_PTR_NULL(reason(&w, "waiting for CPU"));
	st_dump_free(d);
}

static void test_memory_reclaim(void)
{
	struct st_dump *d = quiet_dump("mem_pressure", 0, "pct");
	d->samples[2].psi_memory.some_avg10_pct = 35;
	d->samples[2].vm.pgscan = 52000;
	d->samples[2].vm.allocstall = 12;
	struct st_why w = why_of(d);
	EXPECT_REASON(w, "memory reclaim: memory pressure 35%, 52000 pages scanned/s, "
		      "12 direct-reclaim stalls");
	st_dump_free(d);
}

/* vmstat is not read every tick: a later sample whose span covers the
 * trigger's speaks for it; one that does not reach back, does not. */
static void test_vmstat_from_a_later_sample(void)
{
	struct st_dump *d = quiet_dump("swap_spike", 0, "kib");
	d->nsamples = 3;
	d->samples[2].have &= ~(uint32_t)ST_HAVE_VMSTAT;
	d->samples[2].vm = (struct st_vm_figures){ 0 };
	/* Add a fourth sample 1 s later with vmstat over 2 s. */
	struct st_dump_sample *v = realloc(d->samples, 4 * sizeof(*v));
	CU_ASSERT_FATAL(v != NULL);
	d->samples = v;
	d->nsamples = 4;
	v[3] = v[1];
	v[3].seq = 13;
	v[3].offset_ns = 1000000000LL;
	v[3].mono_ns = 6000000000LL;
	v[3].vm = (struct st_vm_figures){ .span_s = 2, .pswpin = 2000, .pswpout = 3000 };
	struct st_why w = why_of(d);
	EXPECT_REASON(w, "swap thrash: 1000 pages/s in, 1500 out");
	v[3].vm.span_s = 0.5;
	w = why_of(d);
	CU_ASSERT_PTR_NULL(reason(&w, "swap"));
	st_dump_free(d);
}

static void test_swapping_one_way_and_oom(void)
{
	struct st_dump *d = quiet_dump("swap_spike", 0, "kib");
	d->samples[2].vm.pswpout = 4096;
	d->samples[2].vm.pswpin = 10;
	d->samples[2].vm.oom_kill = 1;
	struct st_why w = why_of(d);
	EXPECT_REASON(w, "swapping out: 4096 pages/s");
	EXPECT_REASON(w, "OOM killer: 1 killed");
	CU_ASSERT_PTR_NULL(reason(&w, "swap thrash"));
	st_dump_free(d);
}

static void test_io_wait(void)
{
	struct st_dump *d = quiet_dump("cpu_delta", 4242, "pct");
	blame(d, 5, 'D');
	d->samples[2].psi_io.some_avg10_pct = 42;
	d->samples[2].cpu_iowait_pct = 25;
	d->samples[2].procs_blocked = 0;
	struct st_why w = why_of(d);
	EXPECT_REASON(w, "I/O wait: io pressure 42%, iowait 25%, 1 blocked, 1 in D state listed");
	st_dump_free(d);

	/* The blamed process waited most of the interval on its disk: so it
	 * says, though the machine is calm. A carried record says nothing. */
	d = quiet_dump("cpu_delta", 4242, "pct");
	blame(d, 5, 'S')->blkio_delay_pct = 64;
	w = why_of(d);
	EXPECT_REASON(w, "I/O wait: the process waited 64% of the time on disk, io pressure 2%, "
		      "iowait 0%, 0 blocked");
	st_dump_free(d);
	d = quiet_dump("cpu_delta", 4242, "pct");
	struct st_dump_proc *p = blame(d, 5, 'S');
	p->blkio_delay_pct = 64;
	p->flags = ST_PROC_CARRIED;
	w = why_of(d);
	CU_ASSERT_PTR_NULL(reason(&w, "I/O wait"));
	st_dump_free(d);

	/* Without PSI: blocked processes alone say it. */
	d = quiet_dump("cpu_delta", 0, "pct");
	d->samples[2].have = 0;
	d->samples[2].procs_blocked = 3;
	w = why_of(d);
	EXPECT_REASON(w, "I/O wait: iowait 0%, 3 blocked");
	st_dump_free(d);
}

/* The records are read at the dump's stride, which may be wider than this
 * build's struct; a process in both top lists is one process; the blamed
 * one is its pid and start time, not an earlier holder of its pid. */
static void test_find_proc_at_the_dumps_stride(void)
{
	struct st_dump *d = quiet_dump("cpu_delta", 4242, "pct");
	struct st_dump_sample *s = &d->samples[2];
	const size_t stride = sizeof(struct st_dump_proc) + 40;
	char *cpu = calloc(2, stride), *rss = calloc(2, stride);
	CU_ASSERT_FATAL(cpu && rss);
	struct st_dump_proc *c0 = (void *)cpu, *c1 = (void *)(cpu + stride);
	struct st_dump_proc *r0 = (void *)rss, *r1 = (void *)(rss + stride);
	*c0 = (struct st_dump_proc){ .pid = 4242, .start_ticks = 1, .state = 'D' };
	*c1 = (struct st_dump_proc){ .pid = 7, .start_ticks = 70, .state = 'D' };
	*r0 = *c1;
	*r1 = (struct st_dump_proc){ .pid = 4242, .start_ticks = 4242, .state = 'D' };
	free(s->top_cpu);
	free(s->top_rss);
	s->top_cpu = c0;
	s->top_rss = r0;
	s->ntop_cpu = s->ntop_rss = 2;
	d->proc_size = stride;
	d->triggers[0].trigger.start_ticks = 4242;

	CU_ASSERT_PTR_EQUAL(st_dump_find_proc(d, s, &d->triggers[0].trigger), r1);
	struct st_trigger seven = { .pid = 7, .start_ticks = 70 }, other = { .pid = 8 };
	CU_ASSERT_PTR_EQUAL(st_dump_find_proc(d, s, &seven), c1);
	CU_ASSERT_PTR_NULL(st_dump_find_proc(d, s, &other));
	s->psi_io.some_avg10_pct = 42;
	struct st_why w = why_of(d);
	EXPECT_REASON(w, "I/O wait: io pressure 42%, iowait 0%, 3 blocked, 3 in D state listed");
	st_dump_free(d);
}

static void test_fork_storm(void)
{
	struct st_dump *d = quiet_dump("fork_rate", 0, "forks/s");
	/* 425 forks over a 0.5 s interval. */
	d->samples[2].forks_delta = 425;
	d->samples[2].mono_ns = d->samples[1].mono_ns + 500000000LL;
	struct st_why w = why_of(d);
	EXPECT_REASON(w, "fork storm: 850 forks/s");
	st_dump_free(d);
}

/*
 * Memory fell and no process is to blame: the breakdown says where it
 * went, largest first, each part only when it grew by 64 MiB or more;
 * Cached holds Shmem, so tmpfs is not counted as page cache too.
 */
static void test_where_the_memory_went(void)
{
	struct st_dump *d = quiet_dump("mem_drop", 0, "kib");
	struct st_dump_sample *s = &d->samples[2];
	char buf[128];

	s->shmem_kib += 800 * MIB_KIB;
	s->cached_kib += 800 * MIB_KIB + (uint64_t)(1.2 * GIB_KIB);
	s->slab_unreclaimable_kib += 600 * MIB_KIB;
	s->anon_kib += 2 * GIB_KIB;
	d->samples[1].anon_kib += 60 * MIB_KIB;     /* noise in between */
	CU_ASSERT_EQUAL(st_dump_where_memory(d, 0, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "anonymous +2.0 GiB, page cache +1.2 GiB, "
			       "tmpfs/shmem +800.0 MiB, kernel slab +600.0 MiB");
	struct st_why w = why_of(d);
	EXPECT_REASON(w, "memory grew: anonymous +2.0 GiB, page cache +1.2 GiB, "
		      "tmpfs/shmem +800.0 MiB, kernel slab +600.0 MiB");

	/* Only what grew enough is named. */
	s->anon_kib -= 2 * GIB_KIB;
	s->slab_unreclaimable_kib -= 600 * MIB_KIB;
	s->shmem_kib -= 800 * MIB_KIB - 10 * MIB_KIB;
	s->cached_kib -= 800 * MIB_KIB - 10 * MIB_KIB;
	CU_ASSERT_EQUAL(st_dump_where_memory(d, 0, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "page cache +1.2 GiB");

	/* A process to blame: the why-line does not second-guess it. */
	d->triggers[0].trigger.pid = 4242;
	w = why_of(d);
	CU_ASSERT_PTR_NULL(reason(&w, "memory grew"));
	d->triggers[0].trigger.pid = 0;

	/* No breakdown in the window (an older dump): nothing to say. */
	for (uint32_t i = 0; i < d->nsamples; i++)
		d->samples[i].have &= ~(uint32_t)ST_HAVE_MEM_DETAIL;
	CU_ASSERT_EQUAL(st_dump_where_memory(d, 0, buf, sizeof(buf)), -1);
	CU_ASSERT_STRING_EQUAL(buf, "");
	w = why_of(d);
	CU_ASSERT_PTR_NULL(reason(&w, "memory grew"));
	st_dump_free(d);
}

/* Everything at once: every reason fits its slot and is terminated; a
 * trigger outside the window or a dump without samples says nothing. */
static void test_everything_and_nothing(void)
{
	struct st_dump *d = quiet_dump("mem_drop", 0, "kib");
	struct st_dump_sample *s = &d->samples[2];

	s->cpu_total_pct = 100;
	s->cpu_user_pct = 50;
	s->cpu_system_pct = 50;
	s->psi_cpu.some_avg10_pct = 99.99;
	s->psi_memory.some_avg10_pct = 99.99;
	s->psi_io.some_avg10_pct = 99.99;
	s->psi_io.some_stall_us = UINT64_MAX;
	s->vm = (struct st_vm_figures){ 1e-9, UINT64_MAX, UINT64_MAX, UINT64_MAX,
					UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX };
	s->procs_blocked = UINT32_MAX;
	s->procs_running = UINT32_MAX;
	s->cpu_iowait_pct = 100;
	s->forks_delta = UINT64_MAX;
	s->anon_kib = UINT64_MAX;
	struct st_why w = why_of(d);
	CU_ASSERT_EQUAL(w.n, 8);
	for (uint32_t i = 0; i < w.n; i++)
		CU_ASSERT(strlen(w.reason[i]) < ST_WHY_LEN);

	d->triggers[0].sample_index = -1;
	w = why_of(d);
	CU_ASSERT_EQUAL(w.n, 0);
	CU_ASSERT(isnan(st_dump_pressure_pct(d, 7, ST_HAVE_PSI_CPU)));
	st_dump_free(d);
	st_dump_why(NULL, 0, &w);
	CU_ASSERT_EQUAL(w.n, 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "a quiet dump says nothing", test_quiet_says_nothing },
		{ "CPU-bound in user or kernel code", test_cpu_bound_user_and_kernel },
		{ "waiting for CPU", test_waiting_for_cpu },
		{ "memory reclaim", test_memory_reclaim },
		{ "vmstat from a later sample that covers", test_vmstat_from_a_later_sample },
		{ "swapping one way, OOM kills", test_swapping_one_way_and_oom },
		{ "I/O wait", test_io_wait },
		{ "the processes at the dump's stride", test_find_proc_at_the_dumps_stride },
		{ "fork storm", test_fork_storm },
		{ "where the memory went", test_where_the_memory_went },
		{ "everything at once, and nothing", test_everything_and_nothing },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("dump_why", tests);
}
