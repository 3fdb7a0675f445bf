/*
 * The dump as JSON, schema "spiketrace.dump/1" (doc/dump-format.md): the
 * writer. It trusts the model but not its strings: process names, command
 * lines and everything a plugin filled in are made valid UTF-8, and fixed
 * fields are read no further than their size.
 */
#define _GNU_SOURCE
#include "dump/dump_json.h"
#include "dump/dump.h"
#include "text/utf8.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_PER_S 1000000000LL

/* ------------------------------------------------------------ writer */

struct writer {
	bool failed;            /* an allocation failed somewhere */
};

static cJSON *put(struct writer *w, cJSON *obj, const char *key, cJSON *item)
{
	/* Keys are string literals: the CS variant stores them uncopied. */
	if (!item || !cJSON_AddItemToObjectCS(obj, key, item)) {
		cJSON_Delete(item);
		w->failed = true;
		return NULL;
	}
	return item;
}

static cJSON *append(struct writer *w, cJSON *arr, cJSON *item)
{
	if (!item || !cJSON_AddItemToArray(arr, item)) {
		cJSON_Delete(item);
		w->failed = true;
		return NULL;
	}
	return item;
}

/*
 * cJSON holds numbers as doubles and prints integers from 10^15 up in
 * exponent notation ("1.7637677401234568e+18"), which loses the last
 * digits and which Python's json reads back as a float. Nanoseconds since
 * the epoch are ~1.8e18, so big integers are written as their exact
 * decimal text instead.
 */
#define EXACT_BELOW 1000000000000000LL

static cJSON *make_i64(int64_t v)
{
	char buf[24];

	if (v > -EXACT_BELOW && v < EXACT_BELOW)
		return cJSON_CreateNumber((double)v);
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cJSON_CreateRaw(buf);
}

static cJSON *make_u64(uint64_t v)
{
	char buf[24];

	if (v < (uint64_t)EXACT_BELOW)
		return cJSON_CreateNumber((double)v);
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cJSON_CreateRaw(buf);
}

/* NaN and infinities are not JSON (cJSON would print null, which the
 * reader refuses); the core never produces them, but a plugin might. */
static cJSON *make_num(double d)
{
	return cJSON_CreateNumber(isfinite(d) ? d : 0.0);
}

/* A string field of the model, read no further than its size in case a
 * plugin left it unterminated. */
static cJSON *make_str(const char *s, size_t len)
{
	char *clean = st_utf8_dup(s, len);
	cJSON *item = clean ? cJSON_CreateString(clean) : NULL;
	free(clean);
	return item;
}

#define FIELD_STR(field) make_str((field), strnlen((field), sizeof(field)))

static void put_wall_time(struct writer *w, cJSON *obj, int64_t wall_ns)
{
	int64_t sec = wall_ns / NS_PER_S, rem = wall_ns % NS_PER_S;
	char date[40], buf[48];
	struct tm tm;
	time_t t;

	if (rem < 0) {
		rem += NS_PER_S;
		sec--;
	}
	t = (time_t)sec;
	/* For people only: a clock too odd to format is simply left out. */
	if (!gmtime_r(&t, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm))
		return;
	snprintf(buf, sizeof(buf), "%s.%03dZ", date, (int)(rem / 1000000));
	put(w, obj, "wall_time", cJSON_CreateString(buf));
}

/* A figure that may be unknown (negative): null then. */
static cJSON *opt_i64(int64_t v)
{
	return v < 0 ? cJSON_CreateNull() : make_i64(v);
}

/* A fixed name field that may be empty (none): null then. */
static cJSON *opt_str(const char *field, size_t size)
{
	size_t n = strnlen(field, size);
	return n ? make_str(field, n) : cJSON_CreateNull();
}

#define OPT_FIELD_STR(field) opt_str((field), sizeof(field))

/* Where the process runs: its cgroup and what that names. */
static void put_proc_place(struct writer *w, cJSON *o, const struct st_dump_proc *p)
{
	put(w, o, "cgroup", p->cgroup ? make_str(p->cgroup, strlen(p->cgroup)) : cJSON_CreateNull());
	put(w, o, "cgroup_truncated",
	    cJSON_CreateBool(p->cgroup && (p->flags & ST_DUMP_PROC_CGROUP_TRUNCATED)));
	put(w, o, "unit", OPT_FIELD_STR(p->unit));
	put(w, o, "user_unit", cJSON_CreateBool(p->unit[0] && (p->flags & ST_DUMP_PROC_USER_UNIT)));
	put(w, o, "slice", OPT_FIELD_STR(p->slice));
	put(w, o, "session", OPT_FIELD_STR(p->session));
	put(w, o, "user_uid", opt_i64(p->user_uid));
	if (!p->container_runtime[0] && !p->container_id[0]) {
		put(w, o, "container", cJSON_CreateNull());
		return;
	}
	cJSON *c = put(w, o, "container", cJSON_CreateObject());
	if (!c)
		return;
	put(w, c, "runtime", OPT_FIELD_STR(p->container_runtime));
	put(w, c, "id", OPT_FIELD_STR(p->container_id));
	put(w, c, "pod_uid", OPT_FIELD_STR(p->pod_uid));
}

/* /proc/PID/io is read whole or not at all: one object, or null. */
static void put_io(struct writer *w, cJSON *o, const struct st_dump_proc *p)
{
	if (p->io_rchar < 0 && p->io_wchar < 0 && p->io_read_bytes < 0 && p->io_write_bytes < 0) {
		put(w, o, "io", cJSON_CreateNull());
		return;
	}
	cJSON *io = put(w, o, "io", cJSON_CreateObject());
	if (!io)
		return;
	put(w, io, "rchar", opt_i64(p->io_rchar));
	put(w, io, "wchar", opt_i64(p->io_wchar));
	put(w, io, "read_bytes", opt_i64(p->io_read_bytes));
	put(w, io, "write_bytes", opt_i64(p->io_write_bytes));
}

static void put_threads(struct writer *w, cJSON *o, const struct st_dump_proc *p)
{
	cJSON *arr = put(w, o, "threads", cJSON_CreateArray());
	uint32_t n = p->nthreads < ST_DUMP_THREADS_MAX ? p->nthreads : ST_DUMP_THREADS_MAX;

	put(w, o, "threads_truncated", cJSON_CreateBool(p->flags & ST_DUMP_PROC_THREADS_TRUNCATED));
	for (uint32_t i = 0; arr && i < n; i++) {
		const struct st_dump_thread *t = &p->threads[i];
		cJSON *to = append(w, arr, cJSON_CreateObject());
		if (!to)
			return;
		put(w, to, "tid", make_i64(t->tid));
		put(w, to, "comm", FIELD_STR(t->comm));
		put(w, to, "utime_s", make_num(t->utime_s));
		put(w, to, "stime_s", make_num(t->stime_s));
	}
}

/* A figure that may be unknown (negative): null then. */
static cJSON *opt_num(double v)
{
	return v < 0 ? cJSON_CreateNull() : make_num(v);
}

/* The figures since ABI 2.1: the CPU split, the block I/O wait, and the
 * thread count and address space as last read (null: unknown). */
static void put_proc_evidence(struct writer *w, cJSON *o, const struct st_dump_proc *p)
{
	put(w, o, "user_cpu_pct", opt_num(p->user_cpu_pct));
	put(w, o, "system_cpu_pct", opt_num(p->system_cpu_pct));
	put(w, o, "blkio_delay_pct", opt_num(p->blkio_delay_pct));
	put(w, o, "num_threads", opt_i64(p->num_threads));
	put(w, o, "vsize_kib", p->num_threads < 0 ? cJSON_CreateNull() : make_u64(p->vsize_kib));
}

static void put_proc(struct writer *w, cJSON *arr, const struct st_dump_proc *p)
{
	cJSON *o = append(w, arr, cJSON_CreateObject());
	/* The state is one letter (R, S, D, ...); anything else becomes '?'
	 * so the field stays a one-character string. */
	char state[2] = { p->state > ' ' && p->state < 0x7f ? p->state : '?', '\0' };

	if (!o)
		return;
	put(w, o, "pid", make_i64(p->pid));
	put(w, o, "ppid", make_i64(p->ppid));
	put(w, o, "start_ticks", make_u64(p->start_ticks));
	put(w, o, "comm", FIELD_STR(p->comm));
	put(w, o, "state", cJSON_CreateString(state));
	put(w, o, "cpu_pct", make_num(p->cpu_pct));
	put(w, o, "children_cpu_pct", make_num(p->children_cpu_pct));
	put(w, o, "rss_kib", make_u64(p->rss_kib));
	put(w, o, "minflt", make_u64(p->minflt_delta));
	put(w, o, "majflt", make_u64(p->majflt_delta));
	put(w, o, "measured", cJSON_CreateString(st_proc_measured_name(p->flags)));
	put_proc_evidence(w, o, p);
	put(w, o, "uid", p->uid < 0 ? cJSON_CreateNull() : make_i64(p->uid));
	put(w, o, "euid", p->euid < 0 ? cJSON_CreateNull() : make_i64(p->euid));
	put(w, o, "cmdline", p->cmdline ? make_str(p->cmdline, strlen(p->cmdline)) : cJSON_CreateNull());
	put(w, o, "cmdline_truncated",
	    cJSON_CreateBool(p->cmdline && (p->flags & ST_DUMP_PROC_CMDLINE_TRUNCATED)));
	put_proc_place(w, o, p);
	put_io(w, o, p);
	put(w, o, "swap_kib", opt_i64(p->swap_kib));
	if (p->nthreads)
		put_threads(w, o, p);
}

static void put_procs(struct writer *w, cJSON *obj, const char *key,
		      const struct st_dump_proc *procs, uint32_t n)
{
	cJSON *arr = put(w, obj, key, cJSON_CreateArray());

	for (uint32_t i = 0; arr && procs && i < n; i++)
		put_proc(w, arr, &procs[i]);
}

static void put_doubles(struct writer *w, cJSON *obj, const char *key,
			const double *v, uint32_t n)
{
	cJSON *arr = v ? put(w, obj, key, cJSON_CreateArray()) : NULL;

	for (uint32_t i = 0; arr && i < n; i++)
		append(w, arr, make_num(v[i]));
}

/* "full" only where the kernel reports it: absent is not measured. */
static void put_pressure(struct writer *w, cJSON *obj, const char *key,
			 const struct st_dump_pressure *p)
{
	cJSON *o = put(w, obj, key, cJSON_CreateObject());

	if (!o)
		return;
	put(w, o, "some_avg10_pct", make_num(p->some_avg10_pct));
	put(w, o, "some_stall_us", make_u64(p->some_stall_us));
	if (p->full_known) {
		put(w, o, "full_avg10_pct", make_num(p->full_avg10_pct));
		put(w, o, "full_stall_us", make_u64(p->full_stall_us));
	}
}

/*
 * The system evidence: each group only when the sampler measured it, so
 * a reader never mistakes "not read" for 0.
 */
static void put_evidence(struct writer *w, cJSON *o, cJSON *mem,
			 const struct st_dump_sample *s)
{
	cJSON *g;

	if (s->have & (ST_HAVE_PSI_CPU | ST_HAVE_PSI_MEMORY | ST_HAVE_PSI_IO)) {
		g = put(w, o, "pressure", cJSON_CreateObject());
		if (g && (s->have & ST_HAVE_PSI_CPU))
			put_pressure(w, g, "cpu", &s->psi_cpu);
		if (g && (s->have & ST_HAVE_PSI_MEMORY))
			put_pressure(w, g, "memory", &s->psi_memory);
		if (g && (s->have & ST_HAVE_PSI_IO))
			put_pressure(w, g, "io", &s->psi_io);
	}
	if ((s->have & ST_HAVE_VMSTAT) && (g = put(w, o, "vmstat", cJSON_CreateObject()))) {
		put(w, g, "span_s", make_num(s->vm.span_s));
		put(w, g, "pswpin_pages", make_u64(s->vm.pswpin));
		put(w, g, "pswpout_pages", make_u64(s->vm.pswpout));
		put(w, g, "pgmajfault", make_u64(s->vm.pgmajfault));
		put(w, g, "oom_kill", make_u64(s->vm.oom_kill));
		put(w, g, "pgscan_pages", make_u64(s->vm.pgscan));
		put(w, g, "pgsteal_pages", make_u64(s->vm.pgsteal));
		put(w, g, "allocstall", make_u64(s->vm.allocstall));
	}
	if ((s->have & ST_HAVE_LOADAVG) && (g = put(w, o, "loadavg", cJSON_CreateObject()))) {
		put(w, g, "load1", make_num(s->load1));
		put(w, g, "load5", make_num(s->load5));
		put(w, g, "load15", make_num(s->load15));
	}
	if (s->have & ST_HAVE_CTXT) {
		put(w, o, "ctxt", make_u64(s->ctxt_delta));
		put(w, o, "intr", make_u64(s->intr_delta));
	}
	if ((s->have & ST_HAVE_MEM_DETAIL) && mem) {
		put(w, mem, "anon_kib", make_u64(s->anon_kib));
		put(w, mem, "cached_kib", make_u64(s->cached_kib));
		put(w, mem, "shmem_kib", make_u64(s->shmem_kib));
		put(w, mem, "slab_reclaimable_kib", make_u64(s->slab_reclaimable_kib));
		put(w, mem, "slab_unreclaimable_kib", make_u64(s->slab_unreclaimable_kib));
		put(w, mem, "dirty_kib", make_u64(s->dirty_kib));
		put(w, mem, "writeback_kib", make_u64(s->writeback_kib));
	}
	if ((s->have & ST_HAVE_DISK) && (g = put(w, o, "disk", cJSON_CreateObject()))) {
		put(w, g, "span_s", make_num(s->disk_span_s));
		put(w, g, "read_kib", make_u64(s->disk_read_kib));
		put(w, g, "written_kib", make_u64(s->disk_written_kib));
		put(w, g, "busy_ms", make_u64(s->disk_busy_ms));
	}
}

/* The processes that lived between two samples, by group: only when
 * there were any; each figure only where it was measured. */
static void put_exited(struct writer *w, cJSON *o, const struct st_dump_sample *s)
{
	if (s->exits_lost)
		put(w, o, "exits_lost", make_u64(s->exits_lost));
	if (!s->nexited || !s->exited)
		return;
	cJSON *arr = put(w, o, "exited", cJSON_CreateArray());
	for (uint32_t i = 0; arr && i < s->nexited; i++) {
		const struct st_exited_group *g = &s->exited[i];
		cJSON *e = append(w, arr, cJSON_CreateObject());
		if (!e)
			return;
		put(w, e, "comm", FIELD_STR(g->comm));
		put(w, e, "parent_comm", OPT_FIELD_STR(g->parent_comm));
		put(w, e, "parent_pid", g->parent_pid > 0 ? make_i64(g->parent_pid) : cJSON_CreateNull());
		put(w, e, "reaper_pid", g->reaper_pid > 0 ? make_i64(g->reaper_pid) : cJSON_CreateNull());
		put(w, e, "count", make_u64(g->count));
		put(w, e, "cpu_pct", make_num(g->cpu_pct));
		put(w, e, "cpu_ns", make_u64(g->cpu_ns));
		if (g->cpu_unknown)
			put(w, e, "cpu_unknown", make_u64(g->cpu_unknown));
		if (g->flags & ST_EXITED_TASKSTATS) {
			put(w, e, "taskstats", cJSON_CreateTrue());
			put(w, e, "peak_rss_kib", make_u64(g->peak_rss_kib));
			put(w, e, "read_bytes", make_u64(g->read_bytes));
			put(w, e, "write_bytes", make_u64(g->write_bytes));
		}
		if (g->flags & ST_EXITED_ESTIMATE)
			put(w, e, "estimate", cJSON_CreateTrue());
		if (g->flags & ST_EXITED_REST)
			put(w, e, "rest", cJSON_CreateTrue());
	}
}

static void put_sample(struct writer *w, cJSON *arr, const struct st_dump_sample *s)
{
	cJSON *o = append(w, arr, cJSON_CreateObject());
	cJSON *cpu, *mem, *cores;

	if (!o)
		return;
	put(w, o, "offset_ns", make_i64(s->offset_ns));
	put(w, o, "seq", make_u64(s->seq));
	put(w, o, "mono_ns", make_i64(s->mono_ns));
	put(w, o, "wall_ns", make_i64(s->wall_ns));
	/* Only when set: a sample between two ticks is the exception. */
	if (s->flags & ST_SAMPLE_OFF_TICK)
		put(w, o, "off_tick", cJSON_CreateTrue());
	if (s->flags & ST_SAMPLE_FAST)
		put(w, o, "fast", cJSON_CreateTrue());
	/* Only when known: a reader derives it from mono_ns otherwise. */
	if (isfinite(s->interval_s) && s->interval_s > 0)
		put(w, o, "interval_s", make_num(s->interval_s));

	cpu = put(w, o, "cpu", cJSON_CreateObject());
	put(w, cpu, "total_pct", make_num(s->cpu_total_pct));
	put(w, cpu, "user_pct", make_num(s->cpu_user_pct));
	put(w, cpu, "system_pct", make_num(s->cpu_system_pct));
	put(w, cpu, "iowait_pct", make_num(s->cpu_iowait_pct));
	put(w, cpu, "steal_pct", make_num(s->cpu_steal_pct));
	cores = put(w, cpu, "cores_busy_pct", cJSON_CreateArray());
	for (uint32_t i = 0; cores && s->core_busy_pct && i < s->ncores; i++)
		append(w, cores, make_num(s->core_busy_pct[i]));
	/* Which CPU each entry is: with one offline, position is not id. */
	cores = put(w, cpu, "core_ids", cJSON_CreateArray());
	for (uint32_t i = 0; cores && s->core_busy_pct && i < s->ncores; i++)
		append(w, cores, make_u64(s->core_id ? s->core_id[i] : i));
	if (cpu && s->core_busy_pct && s->core_user_pct && s->core_system_pct) {
		put_doubles(w, cpu, "cores_user_pct", s->core_user_pct, s->ncores);
		put_doubles(w, cpu, "cores_system_pct", s->core_system_pct, s->ncores);
	}

	mem = put(w, o, "mem", cJSON_CreateObject());
	put(w, mem, "total_kib", make_u64(s->mem_total_kib));
	put(w, mem, "available_kib", make_u64(s->mem_available_kib));
	put(w, mem, "free_kib", make_u64(s->mem_free_kib));
	put(w, mem, "swap_total_kib", make_u64(s->swap_total_kib));
	put(w, mem, "swap_free_kib", make_u64(s->swap_free_kib));

	put(w, o, "forks", make_u64(s->forks_delta));
	put(w, o, "procs_running", make_u64(s->procs_running));
	put(w, o, "procs_blocked", make_u64(s->procs_blocked));
	put(w, o, "nprocs", make_u64(s->nprocs_total));
	put_evidence(w, o, mem, s);
	put_procs(w, o, "top_cpu", s->top_cpu, s->ntop_cpu);
	put_procs(w, o, "top_rss", s->top_rss, s->ntop_rss);
	put_procs(w, o, "blamed", s->blamed, s->nblamed);
	put_exited(w, o, s);
}

/* The fast ring's readings: each group only where it was measured. */
static void put_fast(struct writer *w, cJSON *root, const struct st_dump *dump)
{
	if (!dump->nfast || !dump->fast)
		return;
	cJSON *fast = put(w, root, "fast", cJSON_CreateObject());
	if (!fast)
		return;
	put(w, fast, "interval_s", make_num(dump->fast_interval_s));
	cJSON *arr = put(w, fast, "samples", cJSON_CreateArray());
	for (uint32_t i = 0; arr && i < dump->nfast; i++) {
		const struct st_dump_fast *f = st_dump_fast_at(dump, i);
		cJSON *o = append(w, arr, cJSON_CreateObject());
		if (!o)
			return;
		put(w, o, "offset_ns", make_i64(f->offset_ns));
		put(w, o, "mono_ns", make_i64(f->mono_ns));
		put(w, o, "interval_s", make_num(f->interval_s));
		if (f->have & ST_DUMP_FAST_CPU) {
			put(w, o, "cpu_total_pct", make_num(f->cpu_total_pct));
			put(w, o, "cpu_user_pct", make_num(f->cpu_user_pct));
			put(w, o, "cpu_system_pct", make_num(f->cpu_system_pct));
			put(w, o, "cpu_iowait_pct", make_num(f->cpu_iowait_pct));
			put(w, o, "cpu_steal_pct", make_num(f->cpu_steal_pct));
		}
		if (f->have & ST_DUMP_FAST_MEM)
			put(w, o, "mem_available_kib", make_u64(f->mem_available_kib));
		if (f->have & ST_DUMP_FAST_SWAP)
			put(w, o, "swap_used_kib", make_u64(f->swap_used_kib));
		if (f->have & ST_DUMP_FAST_PROCS) {
			put(w, o, "procs_running", make_u64(f->procs_running));
			put(w, o, "procs_blocked", make_u64(f->procs_blocked));
		}
		if (f->have & ST_DUMP_FAST_PSI_CPU)
			put(w, o, "psi_cpu_some_us", make_u64(f->psi_cpu_some_us));
		if (f->have & ST_DUMP_FAST_PSI_MEMORY)
			put(w, o, "psi_memory_some_us", make_u64(f->psi_memory_some_us));
		if (f->have & ST_DUMP_FAST_PSI_IO)
			put(w, o, "psi_io_some_us", make_u64(f->psi_io_some_us));
	}
}

static void put_trigger(struct writer *w, cJSON *arr, const struct st_dump_trigger *dt)
{
	const struct st_trigger *t = &dt->trigger;
	cJSON *o = append(w, arr, cJSON_CreateObject());

	if (!o)
		return;
	put(w, o, "type", FIELD_STR(t->type));
	put(w, o, "pid", make_i64(t->pid));
	put(w, o, "start_ticks", make_u64(t->start_ticks));
	put(w, o, "comm", FIELD_STR(t->comm));
	put(w, o, "value", make_num(t->value));
	put(w, o, "baseline", make_num(t->baseline));
	put(w, o, "threshold", make_num(t->threshold));
	put(w, o, "units", FIELD_STR(t->units));
	put(w, o, "summary", FIELD_STR(t->summary));
	put(w, o, "sample_seq", make_u64(t->sample_seq));
	put(w, o, "sample_index", make_i64(dt->sample_index));
	if (t->exited_count)
		put(w, o, "exited_count", make_u64(t->exited_count));
}

/*
 * cJSON escapes the C0 controls but leaves DEL and the C1 controls
 * (U+0080..U+009F, bytes C2 80..C2 9F in UTF-8) raw: valid JSON, yet bytes
 * a terminal may act on when someone cats a dump. Outside strings JSON text
 * holds neither, so each can be replaced by its \u escape wherever it is.
 * Takes and returns a malloc'd string (NULL in, NULL out).
 */
static char *escape_invisible_controls(char *text)
{
	size_t extra = 0, len;
	if (!text)
		return NULL;
	for (len = 0; text[len]; len++) {
		unsigned char c = (unsigned char)text[len];
		if (c == 0x7f)
			extra += 5;             /* 1 byte -> \u007f */
		else if (c == 0xc2 && (unsigned char)text[len + 1] >= 0x80 &&
			 (unsigned char)text[len + 1] <= 0x9f)
			extra += 4;             /* 2 bytes -> \u00XX */
	}
	if (!extra)
		return text;
	char *out = malloc(len + extra + 1), *o = out;
	if (!out) {
		free(text);
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == 0x7f) {
			o += sprintf(o, "\\u007f");
		} else if (c == 0xc2 && (unsigned char)text[i + 1] >= 0x80 &&
			   (unsigned char)text[i + 1] <= 0x9f) {
			o += sprintf(o, "\\u%04x", (unsigned char)text[i + 1]);
			i++;
		} else {
			*o++ = (char)c;
		}
	}
	*o = '\0';
	free(text);
	return out;
}

char *st_dump_to_json(const struct st_dump *dump, int pretty)
{
	struct writer w = { .failed = false };
	cJSON *root, *host, *arr;
	char *text;

	if (!dump)
		return NULL;
	root = cJSON_CreateObject();
	if (!root)
		return NULL;
	/* The writer speaks this version of the format, whatever the model's
	 * schema field says. */
	put(&w, root, "schema", cJSON_CreateString(ST_DUMP_SCHEMA));
	put(&w, root, "id", FIELD_STR(dump->id));
	put(&w, root, "wall_ns", make_i64(dump->wall_ns));
	put_wall_time(&w, root, dump->wall_ns);
	put(&w, root, "mono_ns", make_i64(dump->mono_ns));
	put(&w, root, "interval_s", make_num(dump->interval_s));
	/* Only where exits were seen: a dump without is read as cutime. */
	const char *mode = st_exits_mode_name(dump->exit_mode);
	if (dump->exit_mode != ST_EXITS_CUTIME && mode)
		put(&w, root, "exit_events", cJSON_CreateString(mode));
	if (dump->exits_lost)
		put(&w, root, "exits_lost", make_u64(dump->exits_lost));

	host = put(&w, root, "host", cJSON_CreateObject());
	put(&w, host, "hostname", FIELD_STR(dump->host.hostname));
	put(&w, host, "kernel", FIELD_STR(dump->host.kernel));
	put(&w, host, "cores", make_u64(dump->host.ncores));
	put(&w, host, "mem_total_kib", make_u64(dump->host.mem_total_kib));
	put(&w, host, "boot_id", FIELD_STR(dump->host.boot_id));

	put(&w, root, "trigger_index", make_i64(dump->trigger_index));
	arr = put(&w, root, "triggers", cJSON_CreateArray());
	for (uint32_t i = 0; arr && dump->triggers && i < dump->ntriggers; i++)
		put_trigger(&w, arr, &dump->triggers[i]);
	arr = put(&w, root, "samples", cJSON_CreateArray());
	for (uint32_t i = 0; arr && dump->samples && i < dump->nsamples; i++)
		put_sample(&w, arr, &dump->samples[i]);
	put_fast(&w, root, dump);

	/* A dump with a hole in it is worse than no dump: all or nothing.
	 * cJSON allocates the text with malloc (no hooks are installed), so
	 * the caller's free() is right. */
	text = NULL;
	if (!w.failed)
		text = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return escape_invisible_controls(text);
}
