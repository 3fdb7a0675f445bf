/*
 * Steady state allocates nothing: the sampler, the ring, the process table
 * and every real detector run a sample without calling malloc, calloc or
 * realloc once the system has stopped growing, also while processes come
 * and go. An allocation per sample is a slow leak or fragmentation waiting
 * to happen in a daemon that runs for months, and a failure point exactly
 * when memory is short, which is when the recorder matters.
 *
 * The test binary counts the calls itself: it defines malloc, calloc,
 * realloc and free, forwarding to glibc's __libc_* entry points (glibc
 * routes its own internal calls and the dlopen'ed plugins' through them
 * too). Under AddressSanitizer, which owns malloc, its hooks count instead.
 * An allocation seen while counting is reported with its call chain as
 * module+offset: `addr2line -f -e MODULE OFFSET` names the line.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_runner.h"
#include "dump/dump.h"
#include "scenario.h"

#define HISTORY 30              /* what scenario_start configures */
#define COUNTED_TICKS 100
#define SITES 4
#define FRAMES 8

static volatile int counting;
static volatile int failing;    /* allocations return NULL (ENOMEM) */
static volatile int in_hook;
static unsigned long nallocs;
static void *sites[SITES][FRAMES];
static int site_frames[SITES];

/* Called for every allocation; must not allocate itself. */
static void note_alloc(void)
{
	if (!counting || in_hook)
		return;
	in_hook = 1;
	if (nallocs < SITES) {
		/* skip this frame and the hook's */
		void *f[FRAMES + 2];
		int n = backtrace(f, FRAMES + 2);
		n = n > 2 ? n - 2 : 0;
		memcpy(sites[nallocs], f + 2, sizeof(void *) * (size_t)n);
		site_frames[nallocs] = n;
	}
	nallocs++;
	in_hook = 0;
}

#ifdef __SANITIZE_ADDRESS__
int __sanitizer_install_malloc_and_free_hooks(
	void (*malloc_hook)(const volatile void *, size_t),
	void (*free_hook)(const volatile void *));

static void asan_malloc_hook(const volatile void *p, size_t n)
{
	(void)p;
	(void)n;
	note_alloc();
}

static void asan_free_hook(const volatile void *p)
{
	(void)p;
}

static void install_counter(void)
{
	/* Both hooks or none: a NULL one makes the install fail. */
	__sanitizer_install_malloc_and_free_hooks(asan_malloc_hook, asan_free_hook);
}
#else
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

void *malloc(size_t n)
{
	note_alloc();
	if (failing) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	note_alloc();
	if (failing) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	note_alloc();
	if (failing) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}

void free(void *p)
{
	__libc_free(p);
}

static void install_counter(void)
{
}
#endif

/*
 * Valgrind replaces malloc in the executable too, so under it these
 * functions are not called: the tests still run (memcheck watches them)
 * but cannot count. Anywhere else a counter that sees nothing is a bug.
 */
static int counter_works = 1;
static int under_valgrind;

static void probe_counter(void)
{
	/* Through the symbol, as the core calls it, not inlined here. */
	void *(*volatile alloc)(size_t) = malloc;
	nallocs = 0;
	counting = 1;
	void *p = alloc(32);
	counting = 0;
	free(p);
	counter_works = nallocs == 1;
	const char *preload = getenv("LD_PRELOAD");
	under_valgrind = preload && strstr(preload, "vgpreload");
	if (!counter_works && under_valgrind)
		fprintf(stderr, "no_alloc: valgrind replaces malloc: allocations are "
			"not counted (valgrind --soname-synonyms=somalloc=nouserintercepts "
			"counts them)\n");
}

static void count_start(void)
{
	nallocs = 0;
	memset(site_frames, 0, sizeof(site_frames));
	counting = 1;
}

static int reported;         /* a test shows its first offending tick only */

/* Stops counting; prints where the first allocations came from unless
 * what is NULL (they were expected). */
static unsigned long count_stop(const char *what)
{
	counting = 0;
	if (!what || reported || !nallocs)
		return nallocs;
	reported = 1;
	for (unsigned long i = 0; i < nallocs && i < SITES; i++) {
		fprintf(stderr, "\n%s: allocation %lu of %lu, called from:\n", what,
			i + 1, nallocs);
		for (int f = 0; f < site_frames[i]; f++) {
			Dl_info info;
			void *pc = sites[i][f];
			if (!dladdr(pc, &info) || !info.dli_fname) {
				fprintf(stderr, "  %p\n", pc);
				continue;
			}
			/* Plugins are loaded through /proc/self/fd/N, kept open:
			 * name the file. */
			char path[4096];
			ssize_t len = -1;
			if (strncmp(info.dli_fname, "/proc/self/fd/", 14) == 0)
				len = readlink(info.dli_fname, path, sizeof(path) - 1);
			if (len > 0)
				path[len] = '\0';
			/* pc is a return address: the call is the byte before. */
			fprintf(stderr, "  %s+%#lx (%s)\n", len > 0 ? path : info.dli_fname,
				(unsigned long)((char *)pc - (char *)info.dli_fbase) - 1,
				info.dli_sname ? info.dli_sname : "?");
		}
	}
	return nallocs;
}

/* The fake machine moves one second, then the engine samples and runs
 * the detectors: only the engine's tick is counted, not the test's own
 * writing of the fake /proc. Returns the allocations counted. */
static unsigned long counted_tick(struct scenario *sc, const char *what)
{
	fake_proc_advance(sc->fp, 1.0);
	count_start();
	struct st_dump *d = st_engine_tick(&sc->engine);
	unsigned long n = count_stop(what);
	CU_ASSERT_PTR_NULL(d);      /* idle: nothing fires, no dump is built */
	if (d)
		st_dump_free(d);
	return n;
}

#define NPROCS 50

struct machine {
	struct scenario sc;
	struct fake_process p[NPROCS];
	int32_t next_pid;
};

/* NPROCS processes idling at 1% of a core, every real detector enabled. */
static int machine_start(struct machine *m)
{
	memset(m, 0, sizeof(*m));
	reported = 0;
	scenario_start(&m->sc, 4, 8u << 20, NULL);
	for (int i = 0; i < NPROCS; i++)
		m->p[i] = scenario_settled(&m->sc, 100 + i, "idle", 1);
	m->next_pid = 100 + NPROCS;
	return scenario_begin(&m->sc);
}

static void idle_second(struct machine *m)
{
	for (int i = 0; i < NPROCS; i++)
		scenario_burn(&m->sc, &m->p[i], 1);
}

/* One process exits and a new one starts: the table reuses slots. */
static void churn(struct machine *m, int tick)
{
	struct fake_process *old = &m->p[tick % NPROCS];
	fake_proc_remove(m->sc.fp, old->pid);
	*old = fake_process_make(m->sc.fp, m->next_pid++, "short");
	fake_proc_put(m->sc.fp, old);
}

static void test_counter_counts(void)
{
	if (!counter_works && under_valgrind) {
		CU_PASS("not counted under valgrind");
		return;
	}
	/* Without this the other tests would pass with a counter that sees
	 * nothing: a call as the core makes it and the sampler's growth must
	 * both count. */
	CU_ASSERT_FATAL(counter_works);
	struct machine m;
	CU_ASSERT_FATAL(machine_start(&m) == 0);
	/* 400 new processes at once: the table, the ring slot and the
	 * detectors' per-process arrays grow. */
	for (int i = 0; i < 400; i++) {
		struct fake_process q = fake_process_make(m.sc.fp, 1000 + i, "new");
		fake_proc_put(m.sc.fp, &q);
	}
	fake_proc_advance(m.sc.fp, 1.0);
	count_start();
	struct st_dump *d = st_engine_tick(&m.sc.engine);
	CU_ASSERT(count_stop(NULL) > 0);
	if (d)
		st_dump_free(d);
	scenario_stop(&m.sc);
}

static void test_steady_state(void)
{
	struct machine m;
	CU_ASSERT_FATAL(machine_start(&m) == 0);
	/* Warm-up: the ring fills and every slot gets its arrays. */
	for (int i = 0; i < HISTORY + 5; i++) {
		idle_second(&m);
		fake_proc_advance(m.sc.fp, 1.0);
		struct st_dump *d = st_engine_tick(&m.sc.engine);
		if (d)
			st_dump_free(d);
	}
	unsigned long total = 0;
	for (int i = 0; i < COUNTED_TICKS; i++) {
		idle_second(&m);
		total += counted_tick(&m.sc, "steady state");
	}
	if (counter_works)
		CU_ASSERT_EQUAL(total, 0);
	CU_ASSERT_EQUAL(st_ring_newest(&m.sc.engine.ring)->nprocs, NPROCS);
	scenario_stop(&m.sc);
}

/* The fast system ring's readings, from the first one on: its records
 * and buffer were allocated at start, and it wraps in place. */
static void test_fast_ring_allocates_nothing(void)
{
	struct machine m;
	CU_ASSERT_FATAL(machine_start(&m) == 0);
	struct st_fast_ring *f = &m.sc.engine.fast;
	CU_ASSERT_FATAL(f->rec != NULL);
	unsigned long total = 0;
	/* Past the ring's capacity: the wrap-around is counted too. */
	uint32_t readings = f->cap + 10;
	for (uint32_t i = 0; i < readings; i++) {
		m.sc.fp->busy_ticks += i % 3;
		fake_proc_advance(m.sc.fp, 0.1);
		count_start();
		st_engine_fast_tick(&m.sc.engine);
		total += count_stop("fast reading");
	}
	if (counter_works)
		CU_ASSERT_EQUAL(total, 0);
	CU_ASSERT_EQUAL(f->readings, readings);
	CU_ASSERT_EQUAL(st_fast_ring_count(f), f->cap);
	scenario_stop(&m.sc);
}

static void test_steady_state_with_churn(void)
{
	struct machine m;
	CU_ASSERT_FATAL(machine_start(&m) == 0);
	/* Warm-up: long enough for exited processes' slots to leave the
	 * history and be reused, so the table stops growing. */
	for (int i = 0; i < 3 * HISTORY; i++) {
		idle_second(&m);
		churn(&m, i);
		fake_proc_advance(m.sc.fp, 1.0);
		struct st_dump *d = st_engine_tick(&m.sc.engine);
		if (d)
			st_dump_free(d);
	}
	unsigned long total = 0;
	uint32_t slots = m.sc.engine.sampler.table.nslots;
	for (int i = 0; i < COUNTED_TICKS; i++) {
		idle_second(&m);
		churn(&m, 3 * HISTORY + i);
		total += counted_tick(&m.sc, "steady state with churn");
	}
	if (counter_works)
		CU_ASSERT_EQUAL(total, 0);
	CU_ASSERT_EQUAL(m.sc.engine.sampler.table.nslots, slots);
	/* The churn was real: the newest pid is a hundred past the warm-up. */
	CU_ASSERT(m.next_pid >= 100 + NPROCS + 3 * HISTORY + COUNTED_TICKS);
	scenario_stop(&m.sc);
}

/* Processes that live between two samples: their fork and exit events
 * (taskstats' figures, and a proc connector exit whose zombie is read)
 * and the samples that group them allocate nothing once warm. */
static void test_steady_state_with_exits(void)
{
	struct machine m;
	CU_ASSERT_FATAL(machine_start(&m) == 0);
	struct st_proc_event zombie = { .kind = ST_PROC_EV_EXIT, .pid = 99999, .parent_pid = 1,
					.utime_ns = -1, .stime_ns = -1, .elapsed_ns = -1,
					.peak_rss_kib = -1, .read_bytes = -1, .write_bytes = -1,
					.blkio_delay_ns = -1 };
	/* Warm-up: every ring slot gets its rows of exited groups. */
	for (int i = 0; i < HISTORY + 5; i++) {
		idle_second(&m);
		scenario_exits(&m.sc, "true", 100, 100, 20, 0.1);
		fake_proc_advance(m.sc.fp, 1.0);
		struct st_dump *d = st_engine_tick(&m.sc.engine);
		if (d)
			st_dump_free(d);
	}
	unsigned long total = 0;
	for (int i = 0; i < COUNTED_TICKS; i++) {
		idle_second(&m);
		count_start();
		scenario_exits(&m.sc, "true", 100, 100, 20, 0.1);
		st_engine_proc_event(&m.sc.engine, &zombie);
		total += count_stop("exit events");
		total += counted_tick(&m.sc, "steady state with exits");
	}
	if (counter_works)
		CU_ASSERT_EQUAL(total, 0);
	CU_ASSERT(st_ring_newest(&m.sc.engine.ring)->nexited > 0);
	scenario_stop(&m.sc);
}

static const char *const memory_detectors[] = { "mem_drop", "swap_spike", "mem_pressure" };
#define NMEMORY (sizeof(memory_detectors) / sizeof(memory_detectors[0]))

/* The plugin as the engine loaded it. */
static struct st_loaded_plugin *loaded(struct scenario *sc, const char *name)
{
	for (size_t i = 0; i < sc->engine.plugins.n; i++)
		if (strcmp(sc->engine.plugins.items[i].desc->name, name) == 0)
			return &sc->engine.plugins.items[i];
	return NULL;
}

static void warm_up(struct machine *m)
{
	for (int i = 0; i < HISTORY + 5; i++) {
		idle_second(m);
		fake_proc_advance(m->sc.fp, 1.0);
		struct st_dump *d = st_engine_tick(&m->sc.engine);
		if (d)
			st_dump_free(d);
	}
}

/* Memory falls 1 GiB in a second and one process took it: every memory
 * detector fires (mem_pressure too: 50% -> 62.5% of 8 GiB crosses 60),
 * and evaluating them, measuring the candidates included, allocates
 * nothing. Only the detectors are counted:
 * the core's incident is not theirs. */
static void test_firing_path(void)
{
	struct machine m;
	memset(&m, 0, sizeof(m));
	reported = 0;
	scenario_start(&m.sc, 4, 8u << 20, "detectors { mem_pressure { threshold_pct = 60 } }");
	for (int i = 0; i < NPROCS; i++)
		m.p[i] = scenario_settled(&m.sc, 100 + i, "idle", 1);
	fake_proc_set_memory(m.sc.fp, 4u << 20, 4u << 20, 4u << 20);
	CU_ASSERT_FATAL(scenario_begin(&m.sc) == 0);
	warm_up(&m);

	fake_process_set_rss_kib(&m.p[7], 1u << 20);
	scenario_burn(&m.sc, &m.p[7], 50);
	/* Measuring the candidates (status, smaps_rollup) is counted too. */
	struct fake_memory mem = { 0, 1u << 20, 0, 0, 1u << 20 };
	fake_proc_put_memory(m.sc.fp, &m.p[7], &mem);
	fake_proc_set_memory(m.sc.fp, 3u << 20, 4u << 20, 3u << 20);
	fake_proc_advance(m.sc.fp, 1.0);
	SCENARIO_REQUIRE(&m.sc, st_sampler_take(&m.sc.engine.sampler, &m.sc.engine.ring) == 0);
	struct st_history h;
	st_sampler_history(&m.sc.engine.sampler, &m.sc.engine.ring, &h);
	for (size_t i = 0; i < NMEMORY; i++) {
		struct st_loaded_plugin *p = loaded(&m.sc, memory_detectors[i]);
		SCENARIO_REQUIRE(&m.sc, p != NULL && p->running);
		struct st_trigger out[4];
		memset(out, 0, sizeof(out));
		count_start();
		int n = p->desc->evaluate(p->state, &h, out, 4);
		unsigned long allocs = count_stop(memory_detectors[i]);
		CU_ASSERT_EQUAL(n, 1);
		CU_ASSERT_EQUAL(out[0].pid, m.p[7].pid);
		if (counter_works)
			CU_ASSERT_EQUAL(allocs, 0);
	}
	scenario_stop(&m.sc);
}

/* Sample, then run the memory detectors with every allocation failing.
 * Returns how many of them fired; *pids gets the sum of their pids. */
static size_t failing_tick(struct scenario *sc, int32_t *pids)
{
	fake_proc_advance(sc->fp, 1.0);
	if (st_sampler_take(&sc->engine.sampler, &sc->engine.ring) != 0)
		return 0;
	struct st_history h;
	st_sampler_history(&sc->engine.sampler, &sc->engine.ring, &h);
	size_t fired = 0;
	*pids = 0;
	for (size_t i = 0; i < NMEMORY; i++) {
		struct st_loaded_plugin *p = loaded(sc, memory_detectors[i]);
		if (!p || !p->running)
			continue;
		struct st_trigger out[4];
		memset(out, 0, sizeof(out));
		failing = 1;
		int n = p->desc->evaluate(p->state, &h, out, 4);
		failing = 0;
		if (n == 1 && strcmp(out[0].type, memory_detectors[i]) == 0) {
			fired++;
			*pids += out[0].pid;
		}
	}
	return fired;
}

/* Two thousand processes appear (the sampler's table grows), then memory
 * falls, and no allocation of the detectors succeeds: they could not grow
 * their scratch to the new process table, and still fire, blaming no
 * process rather than a guess. */
static void test_fires_under_enomem(void)
{
#ifdef __SANITIZE_ADDRESS__
	CU_PASS("AddressSanitizer's allocator cannot be made to fail here");
	return;
#endif
	if (!counter_works) {
		CU_PASS("allocations are not ours to fail (valgrind)");
		return;
	}
	struct scenario sc;
	scenario_start(&sc, 4, 8u << 20, "detectors { mem_pressure { threshold_pct = 60 } }");
	fake_proc_set_memory(sc.fp, 4u << 20, 4u << 20, 4u << 20);
	SCENARIO_REQUIRE(&sc, scenario_begin(&sc) == 0);
	for (int i = 0; i < 2000; i++) {
		struct fake_process q = fake_process_make(sc.fp, 1000 + i, "forked");
		fake_proc_put(sc.fp, &q);
	}
	int32_t pids;
	/* Long enough for every detector's window to hold only the grown
	 * table (mem_pressure blames over 10 samples). */
	for (int i = 0; i < 12; i++)
		CU_ASSERT_EQUAL(failing_tick(&sc, &pids), 0);
	SCENARIO_REQUIRE(&sc, sc.engine.sampler.table.nslots >= 2000);
	fake_proc_set_memory(sc.fp, 3u << 20, 4u << 20, 3u << 20);
	CU_ASSERT_EQUAL(failing_tick(&sc, &pids), NMEMORY);
	CU_ASSERT_EQUAL(pids, 0);
	scenario_stop(&sc);
}

/* The evidence captured when a trigger fires (command line, uids,
 * cgroup, io, swap, the busiest of many threads) is read into the
 * builder's fixed table: no allocation, so it works when memory is short. */
static void test_capture_allocates_nothing(void)
{
	struct machine m;
	char rel[64], line[512];
	CU_ASSERT_FATAL(machine_start(&m) == 0);
	struct fake_process *p = &m.p[0];
	fake_proc_write(m.sc.fp, "100/status", "Name:\tidle\nUid:\t0\t0\t0\t0\nVmSwap:\t8 kB\n");
	fake_proc_write(m.sc.fp, "100/cmdline", "idle");
	fake_proc_write(m.sc.fp, "100/cgroup", "0::/system.slice/idle.service\n");
	fake_proc_write(m.sc.fp, "100/io", "rchar: 1\nwchar: 2\nread_bytes: 3\nwrite_bytes: 4\n");
	for (int i = 0; i < 300; i++) {
		snprintf(rel, sizeof(rel), "100/task/%d/stat", 100 + i);
		snprintf(line, sizeof(line),
			 "%d (t) S 1 100 100 0 -1 0 0 0 0 0 %d 0 0 0 20 0 1 0 100 0 0 "
			 "0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n", 100 + i, i);
		fake_proc_write(m.sc.fp, rel, line);
	}
	struct st_trigger t = { .pid = p->pid, .start_ticks = p->start_ticks };
	count_start();
	st_dump_builder_capture(&m.sc.engine.builder, &t, 1);
	unsigned long n = count_stop("capture");
	if (counter_works)
		CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL_FATAL(m.sc.engine.builder.evidence.n, 1);
	const struct st_evidence_proc *e = &m.sc.engine.builder.evidence.procs[0];
	CU_ASSERT_STRING_EQUAL(e->cgroup.unit, "idle.service");
	CU_ASSERT_EQUAL(e->io.write_bytes, 4);
	CU_ASSERT_EQUAL(e->nthreads, ST_EVIDENCE_THREADS);
	CU_ASSERT_TRUE(e->tasks_truncated);
	scenario_stop(&m.sc);
}

int main(void)
{
	/* backtrace() loads libgcc on first use: not while counting. */
	void *f[2];
	backtrace(f, 2);
	install_counter();
	probe_counter();
	CU_TestInfo tests[] = {
		{ "the counter sees allocations", test_counter_counts },
		{ "no allocation in 100 idle samples", test_steady_state },
		{ "no allocation in the fast ring's readings", test_fast_ring_allocates_nothing },
		{ "no allocation in 100 samples with processes coming and going",
		  test_steady_state_with_churn },
		{ "no allocation in 100 samples with exits between them",
		  test_steady_state_with_exits },
		{ "the memory detectors' firing path allocates nothing", test_firing_path },
		{ "capturing a blamed process's evidence allocates nothing",
		  test_capture_allocates_nothing },
		{ "under ENOMEM the memory detectors fire with pid 0", test_fires_under_enomem },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("no_alloc", tests);
}
