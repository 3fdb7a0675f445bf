/* pressure: the real plugin in the real engine over fake /proc trees
 * (whose pressure files are no kernel's: the samples' stall totals are
 * watched), and loaded alone with a mock host over the real /proc for
 * the kernel triggers: the fd watched, ready() asking for an off-tick
 * sample, that sample firing, a failed trigger falling back. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "text/term_text.h"
#include "cunit_runner.h"
#include "plugin_under_test.h"
#include "scenario.h"

#define OTHERS_OFF "cpu_delta { enabled = false } new_proc { enabled = false } " \
	"mem_drop { enabled = false } mem_pressure { enabled = false } " \
	"swap_spike { enabled = false } proc_storm { enabled = false } "
#define ONLY_PRESSURE(opts) "max_dumps_per_minute = 600\n" \
	"detectors { " OTHERS_OFF "pressure { " opts " } }"

enum { CPU, MEMORY, IO };
static const char *const psi_files[3] = { "pressure/cpu", "pressure/memory", "pressure/io" };

/* ------------------------------------------------ the fake machine */

struct machine {
	struct scenario sc;
	uint64_t some_us[3], full_us[3];
};

static void psi_text(const struct machine *m, int res, char *buf, size_t len)
{
	snprintf(buf, len, "some avg10=0.00 avg60=0.00 avg300=0.00 total=%llu\n"
		 "full avg10=0.00 avg60=0.00 avg300=0.00 total=%llu\n",
		 (unsigned long long)m->some_us[res], (unsigned long long)m->full_us[res]);
}

static void write_psi(struct machine *m)
{
	char buf[256];
	for (int r = 0; r < 3; r++) {
		psi_text(m, r, buf, sizeof(buf));
		fake_proc_write(m->sc.fp, psi_files[r], buf);
	}
}

static void start(struct machine *m, const char *tail)
{
	memset(m, 0, sizeof(*m));
	scenario_start(&m->sc, 2, 8u << 20, tail);
	write_psi(m);
}

static int begin(struct machine *m)
{
	int rc = scenario_begin(&m->sc);
	/* Every process read every tick: the read policy is test_sampler's. */
	m->sc.engine.sampler.read_all = 1;
	return rc;
}

/* One second in which res was stalled some_ms (some) and full_ms (full). */
static const struct st_trigger *second(struct machine *m, int res, unsigned some_ms,
				       unsigned full_ms)
{
	m->some_us[res] += some_ms * 1000ull;
	m->full_us[res] += full_ms * 1000ull;
	write_psi(m);
	scenario_tick(&m->sc);
	return scenario_find(&m->sc, "pressure", -1);
}

static void test_fake_tree_uses_the_samples(void)
{
	struct machine m;
	start(&m, ONLY_PRESSURE(""));
	char *dir = st_test_mkdtemp(), path[4096];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	int saved = st_test_stderr_to(path);
	int rc = begin(&m);
	st_test_stderr_back(saved);
	SCENARIO_REQUIRE(&m.sc, rc == 0);
	char *said = st_test_slurp(path);
	/* The defaults, each said once, and why no trigger. */
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "pressure: cpu some >= 80% of 2 s: the samples' "
				      "stall totals ("));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "/pressure/cpu is not on procfs, so not the "
				      "kernel's)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "memory some >= 10% of 2 s: the samples'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "memory full >= 5% of 2 s: the samples'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "io some >= 50% of 2 s: the samples'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "io full >= 20% of 2 s: the samples'"));
	CU_ASSERT_PTR_NULL(strstr(said, "cpu full >="));
	free(said);
	/* No trigger line was written into the tree's file. */
	char want[256], file[4096];
	psi_text(&m, CPU, want, sizeof(want));
	snprintf(file, sizeof(file), "%s/pressure/cpu", m.sc.fp->root);
	char *got = st_test_slurp(file);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	scenario_stop(&m.sc);
	st_test_rmtree(dir);
	free(dir);
}

static void test_cpu_fires_above(void)
{
	struct machine m;
	start(&m, ONLY_PRESSURE("cooldown = 0"));
	struct fake_process hog = scenario_settled(&m.sc, 4321, "stress-ng-cpu", 100);
	struct fake_process idle = scenario_settled(&m.sc, 100, "idle", 1);
	SCENARIO_REQUIRE(&m.sc, begin(&m) == 0);
	scenario_burn(&m.sc, &hog, 100);
	scenario_burn(&m.sc, &idle, 1);
	/* One second of it: the window is not covered yet. */
	CU_ASSERT_PTR_NULL(second(&m, CPU, 900, 0));
	scenario_burn(&m.sc, &hog, 100);
	scenario_burn(&m.sc, &idle, 1);
	const struct st_trigger *t = second(&m, CPU, 900, 0);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 4321);
	CU_ASSERT_EQUAL(t->start_ticks, hog.start_ticks);
	CU_ASSERT_STRING_EQUAL(t->comm, "stress-ng-cpu");
	CU_ASSERT_DOUBLE_EQUAL(t->value, 90, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(t->threshold, 80, 1e-9);
	CU_ASSERT_STRING_EQUAL(t->units, "pct");
	CU_ASSERT(t->flags & ST_TRIGGER_SYSTEM);
	CU_ASSERT_STRING_EQUAL(t->summary, "cpu some 90% of 2 s stalled (threshold 80%); "
			       "most CPU: [4321] stress-ng-cpu (100% of a core)");
	/* It goes on: one episode, one trigger. */
	for (int i = 0; i < 4; i++)
		CU_ASSERT_PTR_NULL(second(&m, CPU, 900, 0));
	scenario_stop(&m.sc);
}

/* A process named with control bytes, a backslash, a byte that is not
 * UTF-8, a valid accent and a bidirectional override is named in the
 * summary as it is, as the memory detectors name one: every output
 * escapes the summary for its medium, so it shows escaped once. */
static void test_hostile_name_escaped(void)
{
	struct machine m;
	start(&m, ONLY_PRESSURE("cooldown = 0"));
	struct fake_process hog = scenario_settled(&m.sc, 4321,
						   "ev\n\x1b[1m\\\xff\xc3\xa9\xe2\x80\xae", 100);
	SCENARIO_REQUIRE(&m.sc, begin(&m) == 0);
	scenario_burn(&m.sc, &hog, 100);
	CU_ASSERT_PTR_NULL(second(&m, CPU, 900, 0));
	scenario_burn(&m.sc, &hog, 100);
	const struct st_trigger *t = second(&m, CPU, 900, 0);
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 4321);
	CU_ASSERT_STRING_EQUAL(t->summary, "cpu some 90% of 2 s stalled (threshold 80%); "
			       "most CPU: [4321] ev\n\x1b[1m\\\xff\xc3\xa9\xe2\x80\xae "
			       "(100% of a core)");
	char shown[1024];
	st_escape_terminal(t->summary, shown, sizeof(shown));
	CU_ASSERT_PTR_NOT_NULL(strstr(shown, "[4321] ev\\n\\x1b[1m\\\\\\xff\xc3\xa9"
				      "\\xe2\\x80\\xae (100%"));
	scenario_stop(&m.sc);
}

static void test_silent_below(void)
{
	struct machine m;
	start(&m, ONLY_PRESSURE("cooldown = 0"));
	SCENARIO_REQUIRE(&m.sc, begin(&m) == 0);
	for (int i = 0; i < 6; i++) {
		/* Every figure just below its default threshold, at once. */
		m.some_us[MEMORY] += 90000;
		m.full_us[MEMORY] += 40000;
		m.some_us[IO] += 490000;
		m.full_us[IO] += 190000;
		CU_ASSERT_PTR_NULL(second(&m, CPU, 790, 0));
	}
	scenario_stop(&m.sc);
}

/* A full second stalled, then none: 50% of a 2 s window, 100% of 1 s. */
static void test_window(void)
{
	for (int window = 2; window >= 1; window--) {
		struct machine m;
		char tail[512];
		snprintf(tail, sizeof(tail), ONLY_PRESSURE("window_s = %d cooldown = 0"), window);
		start(&m, tail);
		SCENARIO_REQUIRE(&m.sc, begin(&m) == 0);
		int fired = 0;
		for (int i = 0; i < 2; i++)
			fired += second(&m, CPU, 0, 0) != NULL;
		const struct st_trigger *t = second(&m, CPU, 1000, 0);
		if (t) {
			fired++;
			CU_ASSERT_DOUBLE_EQUAL(t->value, 100, 1e-6);
			CU_ASSERT_PTR_NOT_NULL(strstr(t->summary, "cpu some 100% of 1 s stalled"));
		}
		for (int i = 0; i < 3; i++)
			fired += second(&m, CPU, 0, 0) != NULL;
		CU_ASSERT_EQUAL(fired, window == 1 ? 1 : 0);
		scenario_stop(&m.sc);
	}
}

/* io: the process that waited longest for block I/O; without delay
 * accounting, the one most often in D state. */
static void test_io_blames_most_blocked(void)
{
	for (int delayacct = 1; delayacct >= 0; delayacct--) {
		struct machine m;
		start(&m, ONLY_PRESSURE("cooldown = 0"));
		struct fake_process dd = scenario_settled(&m.sc, 1234, "dd", 2);
		struct fake_process cat = scenario_settled(&m.sc, 555, "cat", 2);
		dd.state = 'D';
		SCENARIO_REQUIRE(&m.sc, begin(&m) == 0);
		const struct st_trigger *t = NULL;
		for (int i = 0; i < 2; i++) {
			dd.blkio_ticks += delayacct ? 18 : 0;
			cat.blkio_ticks += delayacct ? 2 : 0;
			scenario_burn(&m.sc, &dd, 2);
			scenario_burn(&m.sc, &cat, 2);
			t = second(&m, IO, 800, 0);
		}
		SCENARIO_REQUIRE(&m.sc, t != NULL);
		CU_ASSERT_EQUAL(t->pid, 1234);
		char want[160];
		if (delayacct)
			snprintf(want, sizeof(want), "io some 80%% of 2 s stalled (threshold 50%%); "
				 "most blocked: [1234] dd (D, %.0f ms blkio wait)",
				 36 * 1000.0 / (double)m.sc.fp->hz);
		else
			snprintf(want, sizeof(want), "io some 80%% of 2 s stalled (threshold 50%%); "
				 "most blocked: [1234] dd (D in 2 of 2 samples)");
		CU_ASSERT_STRING_EQUAL(t->summary, want);
		scenario_stop(&m.sc);
	}
}

/* memory: the process whose own memory grew while available memory fell. */
static void test_memory_blames_grower(void)
{
	struct machine m;
	start(&m, ONLY_PRESSURE("memory_full_pct = 0 cooldown = 0"));
	fake_proc_set_memory(m.sc.fp, 6u << 20, 0, 0);
	struct fake_process hog = scenario_settled(&m.sc, 600, "hog", 5);
	struct fake_process bystander = scenario_settled(&m.sc, 601, "bystander", 5);
	fake_process_set_rss_kib(&hog, 100 << 10);
	fake_proc_put(m.sc.fp, &hog);
	SCENARIO_REQUIRE(&m.sc, begin(&m) == 0);
	const struct st_trigger *t = NULL;
	for (int i = 0; i < 2; i++) {
		fake_process_set_rss_kib(&hog, fake_process_rss_kib(&hog) + (512 << 10));
		fake_proc_set_memory(m.sc.fp, m.sc.fp->mem_available_kib - (512 << 10), 0, 0);
		scenario_burn(&m.sc, &hog, 5);
		scenario_burn(&m.sc, &bystander, 5);
		t = second(&m, MEMORY, 300, 0);
	}
	SCENARIO_REQUIRE(&m.sc, t != NULL);
	CU_ASSERT_EQUAL(t->pid, 600);
	CU_ASSERT_STRING_EQUAL(t->comm, "hog");
	CU_ASSERT_STRING_EQUAL(t->summary, "memory some 30% of 2 s stalled (threshold 10%); "
			       "hog grew 1.0 GiB");
	scenario_stop(&m.sc);
}

/* Once per episode; re-armed when the stall falls below half the
 * threshold over the window, not merely below the threshold. */
static void test_episode_and_rearm(void)
{
	struct machine m;
	start(&m, ONLY_PRESSURE("cooldown = 0"));
	SCENARIO_REQUIRE(&m.sc, begin(&m) == 0);
	int fired = 0;
	for (int i = 0; i < 4; i++)
		fired += second(&m, CPU, 900, 0) != NULL;
	CU_ASSERT_EQUAL(fired, 1);
	/* 50%: below 80, above 40. */
	for (int i = 0; i < 3; i++)
		fired += second(&m, CPU, 500, 0) != NULL;
	for (int i = 0; i < 3; i++)
		fired += second(&m, CPU, 900, 0) != NULL;
	CU_ASSERT_EQUAL(fired, 1);
	for (int i = 0; i < 2; i++)
		fired += second(&m, CPU, 300, 0) != NULL;
	CU_ASSERT_EQUAL(fired, 1);
	/* (300 + 900) / 2 s is 60%: the window must fill again. */
	CU_ASSERT_PTR_NULL(second(&m, CPU, 900, 0));
	CU_ASSERT_PTR_NOT_NULL(second(&m, CPU, 900, 0));
	scenario_stop(&m.sc);
}

/* Refused by the cooldown (a new episode started inside it): offered
 * again on the next samples, and taken once the cooldown is over. */
static void test_refused_trigger_rearms(void)
{
	struct machine m;
	start(&m, ONLY_PRESSURE("cooldown = 20"));
	SCENARIO_REQUIRE(&m.sc, begin(&m) == 0);
	second(&m, CPU, 900, 0);
	SCENARIO_REQUIRE(&m.sc, second(&m, CPU, 900, 0) != NULL);
	int64_t first_ns = fake_proc_clock(m.sc.fp);
	for (int i = 0; i < 4; i++)
		second(&m, CPU, 0, 0);
	int taken_at = -1;
	for (int i = 0; i < 25 && taken_at < 0; i++)
		if (second(&m, CPU, 900, 0))
			taken_at = (int)((fake_proc_clock(m.sc.fp) - first_ns) / 1000000000LL);
	CU_ASSERT(taken_at >= 20 && taken_at <= 21);
	scenario_stop(&m.sc);
}

/* ---------------------------------------- loaded alone, a mock host */

#define MOCK_MAX 8

static struct {
	int nwatch, nunwatch, nrequests;
	int32_t fd[MOCK_MAX];
	uint32_t events[MOCK_MAX];
	void (*ready[MOCK_MAX])(void *arg, int32_t fd, uint32_t revents);
	void *arg[MOCK_MAX];
	int32_t unwatched[MOCK_MAX];
	char reason[160];
	char log[8192];
} mock;

static void mock_log(const struct st_host *host, int32_t level, const char *fmt, ...)
{
	va_list ap;
	size_t used = strlen(mock.log);
	(void)host;
	(void)level;
	va_start(ap, fmt);
	vsnprintf(mock.log + used, sizeof(mock.log) - used, fmt, ap);
	va_end(ap);
	used = strlen(mock.log);
	if (used + 1 < sizeof(mock.log))
		strcpy(mock.log + used, "\n");
}

static int64_t mock_clock(void)
{
	return 1;
}

static int32_t mock_watch_fd(const struct st_host *host, int32_t fd, uint32_t events,
			     void (*ready)(void *arg, int32_t fd, uint32_t revents), void *arg)
{
	(void)host;
	if (mock.nwatch >= MOCK_MAX)
		return -1;
	mock.fd[mock.nwatch] = fd;
	mock.events[mock.nwatch] = events;
	mock.ready[mock.nwatch] = ready;
	mock.arg[mock.nwatch] = arg;
	return ++mock.nwatch + 100;
}

static void mock_unwatch_fd(const struct st_host *host, int32_t watch)
{
	(void)host;
	if (mock.nunwatch < MOCK_MAX)
		mock.unwatched[mock.nunwatch++] = watch;
}

static int32_t mock_request_sample(const struct st_host *host, const char *reason)
{
	(void)host;
	mock.nrequests++;
	snprintf(mock.reason, sizeof(mock.reason), "%s", reason ? reason : "");
	return 0;
}

static const struct st_host mock_host = {
	.abi_major = ST_ABI_MAJOR,
	.abi_minor = ST_ABI_MINOR,
	.size = sizeof(struct st_host),
	.plugin_name = "pressure",
	.log = mock_log,
	.mono_ns = mock_clock,
	.wall_ns = mock_clock,
	.proc_root = "/proc",
	.ncores = 2,
	.watch_fd = mock_watch_fd,
	.unwatch_fd = mock_unwatch_fd,
	.request_sample = mock_request_sample,
};

static struct st_plugin_set set;

static const struct st_plugin *load(void)
{
	return st_test_plugin_load(&set, "pressure.so");
}

static void unload(void)
{
	st_test_plugin_unload(&set);
}

enum { O_CPU_SOME, O_CPU_FULL, O_MEM_SOME, O_MEM_FULL, O_IO_SOME, O_IO_FULL,
       O_WINDOW, O_KERNEL, NOPTS };

/* cpu some at cpu_pct only, over window_s. */
static void cpu_only(union st_value *o, double cpu_pct, double window_s)
{
	memset(o, 0, sizeof(*o) * NOPTS);
	o[O_CPU_SOME].f = cpu_pct;
	o[O_WINDOW].f = window_s;
	o[O_KERNEL].b = 1;
}

static void reset_mock(void)
{
	memset(&mock, 0, sizeof(mock));
}

/* Four samples, 1 s apart and the last an off-tick 0.1 s after the
 * third, each stalled on cpu pct of its interval; a hog and an idler. */
struct synth {
	struct st_proc_info info[2];
	struct st_proc_sample rec[4][2];
	struct st_sample smp[4];
	const struct st_sample *ptr[4];
	struct st_history h;
};

static void synth(struct synth *y, double pct)
{
	memset(y, 0, sizeof(*y));
	y->info[0] = (struct st_proc_info){ .pid = 4321, .ppid = 1, .start_ticks = 7 };
	snprintf(y->info[0].comm, sizeof(y->info[0].comm), "stress-ng-cpu");
	y->info[1] = (struct st_proc_info){ .pid = 100, .ppid = 1, .start_ticks = 5 };
	snprintf(y->info[1].comm, sizeof(y->info[1].comm), "idle");
	const double at[4] = { 0, 1, 2, 2.1 };
	for (int i = 0; i < 4; i++) {
		struct st_sample *s = &y->smp[i];
		y->rec[i][0] = (struct st_proc_sample){ .info = 0, .cpu_pct = 100, .state = 'R' };
		y->rec[i][1] = (struct st_proc_sample){ .info = 1, .cpu_pct = 1, .state = 'S' };
		s->size = sizeof(*s);
		s->proc_size = sizeof(struct st_proc_sample);
		s->seq = 10 + (uint64_t)i;
		s->mono_ns = (int64_t)(at[i] * 1e9);
		s->interval_s = i ? at[i] - at[i - 1] : 1;
		s->have = ST_HAVE_PSI_CPU;
		s->psi_cpu.some_stall_us = (uint64_t)(pct / 100 * s->interval_s * 1e6 + 0.5);
		s->nprocs = 2;
		s->procs = y->rec[i];
		s->flags = i == 3 ? ST_SAMPLE_OFF_TICK : 0;
		y->ptr[i] = s;
	}
	y->h.size = sizeof(y->h);
	y->h.count = 4;
	y->h.samples = y->ptr;
	y->h.ninfos = 2;
	y->h.info_size = sizeof(struct st_proc_info);
	y->h.infos = y->info;
	y->h.clock_ticks = 100;
}

/* Whether this process may set a PSI trigger at all: the figure is then
 * a test of the trigger path, else of the fallback only. */
static int psi_writable(void)
{
	int fd = open("/proc/pressure/cpu", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static void test_kernel_trigger_requests_a_sample(void)
{
	const struct st_plugin *d = load();
	union st_value o[NOPTS];
	cpu_only(o, 50, 2);
	void *state = NULL;
	reset_mock();
	CU_ASSERT_FATAL(d->create(&mock_host, o, &state) == 0);
	if (mock.nwatch == 0) {
		/* No PSI trigger here (no PSI, or not permitted): said so,
		 * and the samples are watched. */
		CU_ASSERT_FALSE(psi_writable());
		CU_ASSERT_PTR_NOT_NULL(strstr(mock.log, "cpu some >= 50% of 2 s: the samples' ") ||
				       strstr(mock.log, "cpu some: no pressure stall information"));
		fprintf(stderr, "no PSI trigger on this machine: %s", mock.log);
		d->destroy(state);
		unload();
		return;
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(mock.log, "cpu some >= 50% of 2 s: kernel trigger\n"));
	CU_ASSERT_EQUAL_FATAL(mock.nwatch, 1);
	CU_ASSERT_EQUAL(mock.events[0], POLLPRI);
	int fd = mock.fd[0];
	CU_ASSERT(fcntl(fd, F_GETFD) >= 0);

	struct synth y;
	struct st_trigger out[4];
	/* The samples show 90%, but where the kernel watches, its word
	 * decides. */
	synth(&y, 90);
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(d->evaluate(state, &y.h, out, 4), 0);
	CU_ASSERT_EQUAL(mock.nrequests, 0);

	/* The kernel wakes the fd: an off-tick sample is asked for. */
	mock.ready[0](mock.arg[0], fd, POLLPRI);
	CU_ASSERT_EQUAL(mock.nrequests, 1);
	CU_ASSERT_STRING_EQUAL(mock.reason, "pressure: cpu some >= 50% of 2 s");
	/* A report the samples measured far below (10% against 50%) is not
	 * fired: a figure in a dump is a measurement. */
	synth(&y, 10);
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(d->evaluate(state, &y.h, out, 4), 0);
	/* Nor one they cannot measure: two samples, 1 s of a 2 s window
	 * (the daemon has just started). */
	mock.ready[0](mock.arg[0], fd, POLLPRI);
	synth(&y, 90);
	y.h.count = 2;
	CU_ASSERT_EQUAL(d->evaluate(state, &y.h, out, 4), 0);
	mock.ready[0](mock.arg[0], fd, POLLPRI);
	CU_ASSERT_EQUAL(mock.nrequests, 3);
	/* That sample fires, with what the samples measured over the window. */
	synth(&y, 30);
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL_FATAL(d->evaluate(state, &y.h, out, 4), 1);
	CU_ASSERT_STRING_EQUAL(out[0].type, "pressure");
	CU_ASSERT_DOUBLE_EQUAL(out[0].value, 30, 1e-3);
	CU_ASSERT_EQUAL(out[0].pid, 4321);
	CU_ASSERT_STRING_EQUAL(out[0].summary, "cpu some 30% of 2 s stalled (threshold 50%); "
			       "most CPU: [4321] stress-ng-cpu (100% of a core)");
	d->trigger_result(state, &out[0], 1);
	/* Reported: the next sample is quiet, and so is another wake in
	 * the same episode (no off-tick sample for it). */
	CU_ASSERT_EQUAL(d->evaluate(state, &y.h, out, 4), 0);
	mock.ready[0](mock.arg[0], fd, POLLPRI);
	CU_ASSERT_EQUAL(mock.nrequests, 3);

	/* The trigger fails (the core ended the watch): the samples take
	 * over, the fd is closed, and it is not unwatched again. */
	mock.ready[0](mock.arg[0], fd, POLLERR | POLLPRI);
	CU_ASSERT_PTR_NOT_NULL(strstr(mock.log, "cpu some: the kernel trigger failed"));
	CU_ASSERT(fcntl(fd, F_GETFD) < 0 && errno == EBADF);
	synth(&y, 10);                  /* below half: re-armed */
	CU_ASSERT_EQUAL(d->evaluate(state, &y.h, out, 4), 0);
	synth(&y, 90);
	memset(out, 0, sizeof(out));
	CU_ASSERT_EQUAL(d->evaluate(state, &y.h, out, 4), 1);
	d->destroy(state);
	CU_ASSERT_EQUAL(mock.nunwatch, 0);

	/* A trigger that lives: destroy ends its watch and closes it. */
	reset_mock();
	CU_ASSERT_FATAL(d->create(&mock_host, o, &state) == 0);
	CU_ASSERT_EQUAL_FATAL(mock.nwatch, 1);
	d->destroy(state);
	CU_ASSERT_EQUAL(mock.nunwatch, 1);
	CU_ASSERT_EQUAL(mock.unwatched[0], 101);
	CU_ASSERT(fcntl(mock.fd[0], F_GETFD) < 0);
	unload();
}

/* A core without fd watches (or kernel_triggers = false): the samples. */
static void test_without_fd_watch(void)
{
	const struct st_plugin *d = load();
	for (int variant = 0; variant < 2; variant++) {
		struct st_host host = mock_host;
		union st_value o[NOPTS];
		cpu_only(o, 50, 2);
		if (variant == 0)
			host.watch_fd = NULL;
		else
			o[O_KERNEL].b = 0;
		void *state = NULL;
		reset_mock();
		CU_ASSERT_FATAL(d->create(&host, o, &state) == 0);
		CU_ASSERT_EQUAL(mock.nwatch, 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(mock.log, variant == 0 ?
			"cpu some >= 50% of 2 s: the samples' stall totals (this core "
			"watches no fd for a plugin)" :
			"cpu some >= 50% of 2 s: the samples' stall totals (kernel_triggers "
			"= false)"));
		struct synth y;
		struct st_trigger out[4];
		synth(&y, 60);
		memset(out, 0, sizeof(out));
		CU_ASSERT_EQUAL(d->evaluate(state, &y.h, out, 4), 1);
		CU_ASSERT_DOUBLE_EQUAL(out[0].value, 60, 1e-3);
		d->destroy(state);
	}
	unload();
}

static int has_sys_resource(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) != 0)
		return 0;
	return (data[CAP_SYS_RESOURCE / 32].effective >> (CAP_SYS_RESOURCE % 32)) & 1;
}

static int drop_sys_resource(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) != 0)
		return -1;
	data[CAP_SYS_RESOURCE / 32].effective &= ~(1u << (CAP_SYS_RESOURCE % 32));
	return (int)syscall(SYS_capset, &hdr, data);
}

/* window_s = 1: a process with CAP_SYS_RESOURCE gets it; one without
 * gets 2 s (Linux >= 6.5), said once, or no trigger at all (older
 * kernels let no such process write the files). */
static void test_window_and_privilege(void)
{
	const struct st_plugin *d = load();
	union st_value o[NOPTS];
	cpu_only(o, 50, 1);
	void *state = NULL;
	if (has_sys_resource() && psi_writable()) {
		reset_mock();
		CU_ASSERT_FATAL(d->create(&mock_host, o, &state) == 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(mock.log, "cpu some >= 50% of 1 s: kernel trigger\n"));
		CU_ASSERT_PTR_NULL(strstr(mock.log, "window_s = 1:"));
		d->destroy(state);
	}
	fflush(NULL);
	pid_t child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0) {
		reset_mock();
		if (drop_sys_resource() != 0 || has_sys_resource())
			_exit(3);
		if (d->create(&mock_host, o, &state) != 0)
			_exit(4);
		int rounded = strstr(mock.log, "window_s = 1: the kernel takes a trigger window "
				     "that is not a multiple of 2 s only from a process with "
				     "CAP_SYS_RESOURCE; every figure is measured over 2 s\n") != NULL;
		int kernel = strstr(mock.log, "cpu some >= 50% of 2 s: kernel trigger\n") != NULL;
		int samples = strstr(mock.log, "cpu some >= 50% of 1 s: the samples' stall "
				     "totals (") != NULL;
		d->destroy(state);
		if (rounded && kernel)
			_exit(0);
		if (samples && !rounded && mock.nwatch == 0) {
			fprintf(stderr, "no unprivileged PSI trigger here: %s", mock.log);
			_exit(77);
		}
		fprintf(stderr, "unexpected: %s", mock.log);
		_exit(1);
	}
	int status = 0;
	CU_ASSERT(waitpid(child, &status, 0) == child);
	CU_ASSERT(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 77));
	unload();
}

static void test_check_options(void)
{
	const struct st_plugin *d = load();
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->check_options);
	union st_value o[NOPTS];
	char err[200];
	cpu_only(o, 80, 2);
	CU_ASSERT_EQUAL(d->check_options(o, err, sizeof(err)), 0);
	cpu_only(o, 0, 2);
	CU_ASSERT_EQUAL(d->check_options(o, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "every threshold is 0: nothing to watch (write "
			       "enabled = false to turn the detector off)");
	cpu_only(o, 0, 0.5);
	o[O_IO_FULL].f = 0.00005;
	CU_ASSERT_EQUAL(d->check_options(o, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "io_full_pct: 5e-05% of window_s (0.5 s) is less than "
			       "a microsecond");
	/* create refuses what check_options does. */
	reset_mock();
	void *state = NULL;
	cpu_only(o, 0, 2);
	CU_ASSERT_EQUAL(d->create(&mock_host, o, &state), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(mock.log, "every threshold is 0"));
	unload();

	/* And the daemon's config check says it with file and line. */
	struct machine m;
	start(&m, ONLY_PRESSURE("cpu_some_pct = 0 memory_some_pct = 0 memory_full_pct = 0 "
				"io_some_pct = 0 io_full_pct = 0"));
	char *dir = st_test_mkdtemp(), path[4096];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	int saved = st_test_stderr_to(path);
	int rc = scenario_begin(&m.sc);
	st_test_stderr_back(saved);
	CU_ASSERT_EQUAL(rc, 78);
	char *said = st_test_slurp(path);
	CU_ASSERT_PTR_NOT_NULL(strstr(said, "detectors/pressure: every threshold is 0"));
	free(said);
	scenario_stop(&m.sc);
	st_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "a tree that is not procfs: the samples' totals", test_fake_tree_uses_the_samples },
		{ "cpu some above the threshold fires, blaming the busiest", test_cpu_fires_above },
		{ "a hostile name is carried as it is, shown escaped once", test_hostile_name_escaped },
		{ "silent just below", test_silent_below },
		{ "the window", test_window },
		{ "io blames the most blocked", test_io_blames_most_blocked },
		{ "memory blames the grower", test_memory_blames_grower },
		{ "once per episode, re-armed below half", test_episode_and_rearm },
		{ "a refused trigger re-arms", test_refused_trigger_rearms },
		{ "kernel trigger: ready() asks for a sample that fires",
		  test_kernel_trigger_requests_a_sample },
		{ "no fd watch: the samples' totals", test_without_fd_watch },
		{ "window and privilege", test_window_and_privilege },
		{ "option checks", test_check_options },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("pressure", tests);
}
