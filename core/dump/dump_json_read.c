/*
 * The dump as JSON, schema "spiketrace.dump/1" (doc/dump-format.md): the
 * reader. It trusts nothing: the file may be truncated, hand-edited or
 * hostile. Every field is checked for presence, type and range, and the
 * first problem is reported as one line naming the field's path.
 */
#define _GNU_SOURCE
#include "dump/dump_json.h"
#include "dump/dump.h"
#include "dump/json_fields.h"
#include "text/utf8.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NS_PER_S 1000000000LL

/* A uid: optional, null or absent is unknown (-1). */
#define read_uid(r, o, path, key, out) jf_opt_i64(r, o, path, key, UINT32_MAX, out)

/* Optional: absent (an older dump) means measured over the interval. */
static bool read_measured(struct jf_reader *r, const cJSON *o, const char *path,
			  uint32_t *flags)
{
	bool ok;
	const cJSON *it = jf_member_opt(r, o, path, "measured", JF_STRING, true, &ok);

	*flags = 0;
	if (!ok || !it)
		return ok;
	if (st_proc_measured_of(it->valuestring, flags) == 0)
		return true;
	return jf_fail(r, "%s.measured: expected \"interval\", \"carried\" or \"since_start\"",
		    path);
}

/* The cgroup and what it names; dumps from before the fields have none. */
static bool read_proc_place(struct jf_reader *r, const cJSON *o, const char *path,
			    struct st_dump_proc *p)
{
	bool ok;
	const cJSON *it = jf_member_opt(r, o, path, "cgroup", JF_STRING, true, &ok);

	if (!ok)
		return false;
	if (it && !(p->cgroup = st_utf8_dup(it->valuestring, strlen(it->valuestring))))
		return jf_fail(r, "out of memory");
	if (!jf_flag(r, o, path, "cgroup_truncated", ST_DUMP_PROC_CGROUP_TRUNCATED, &p->flags) ||
	    !JF_OPT_FIELD(r, o, path, "unit", p->unit) ||
	    !jf_flag(r, o, path, "user_unit", ST_DUMP_PROC_USER_UNIT, &p->flags) ||
	    !JF_OPT_FIELD(r, o, path, "slice", p->slice) ||
	    !JF_OPT_FIELD(r, o, path, "session", p->session) ||
	    !read_uid(r, o, path, "user_uid", &p->user_uid))
		return false;
	const cJSON *c = jf_member_opt(r, o, path, "container", JF_OBJECT, true, &ok);
	char sub[192];
	snprintf(sub, sizeof(sub), "%s.container", path);
	if (!ok || (c && (!JF_OPT_FIELD(r, c, sub, "runtime", p->container_runtime) ||
			  !JF_OPT_FIELD(r, c, sub, "id", p->container_id) ||
			  !JF_OPT_FIELD(r, c, sub, "pod_uid", p->pod_uid))))
		return false;
	if (!p->cgroup)
		p->flags &= ~(uint32_t)ST_DUMP_PROC_CGROUP_TRUNCATED;
	if (!p->unit[0])
		p->flags &= ~(uint32_t)ST_DUMP_PROC_USER_UNIT;
	return true;
}

/* Optional: null or absent (not permitted, or an older dump) is unknown. */
static bool read_io(struct jf_reader *r, const cJSON *o, const char *path, struct st_dump_proc *p)
{
	bool ok;
	const cJSON *io = jf_member_opt(r, o, path, "io", JF_OBJECT, true, &ok);
	char sub[192];

	p->io_rchar = p->io_wchar = p->io_read_bytes = p->io_write_bytes = -1;
	if (!ok || !io)
		return ok;
	snprintf(sub, sizeof(sub), "%s.io", path);
	return jf_opt_i64(r, io, sub, "rchar", INT64_MAX, &p->io_rchar) &&
	       jf_opt_i64(r, io, sub, "wchar", INT64_MAX, &p->io_wchar) &&
	       jf_opt_i64(r, io, sub, "read_bytes", INT64_MAX, &p->io_read_bytes) &&
	       jf_opt_i64(r, io, sub, "write_bytes", INT64_MAX, &p->io_write_bytes);
}

/* Optional: absent (not the blamed process, or an older dump) is none;
 * more than the model keeps is refused, as the core never writes it. */
static bool read_threads(struct jf_reader *r, const cJSON *o, const char *path,
			 struct st_dump_proc *p)
{
	bool ok;
	const cJSON *arr = jf_member_opt(r, o, path, "threads", JF_ARRAY, true, &ok), *it;
	uint32_t i = 0;

	p->nthreads = 0;
	if (!ok || !arr)
		return ok;
	if (cJSON_GetArraySize(arr) > ST_DUMP_THREADS_MAX)
		return jf_fail(r, "%s.threads: more than %d threads", path, ST_DUMP_THREADS_MAX);
	if (!jf_flag(r, o, path, "threads_truncated", ST_DUMP_PROC_THREADS_TRUNCATED, &p->flags))
		return false;
	cJSON_ArrayForEach(it, arr) {
		struct st_dump_thread *t = &p->threads[i];
		char tp[192];
		snprintf(tp, sizeof(tp), "%s.threads[%" PRIu32 "]", path, i);
		if (!cJSON_IsObject(it))
			return jf_fail(r, "%s: expected an object", tp);
		if (!jf_get_i32(r, it, tp, "tid", 1, INT32_MAX, &t->tid) ||
		    !JF_FIELD_STR(r, it, tp, "comm", t->comm) ||
		    !jf_get_double(r, it, tp, "utime_s", true, &t->utime_s) ||
		    !jf_get_double(r, it, tp, "stime_s", true, &t->stime_s))
			return false;
		p->nthreads = ++i;
	}
	if (!p->nthreads)
		p->flags &= ~(uint32_t)ST_DUMP_PROC_THREADS_TRUNCATED;
	return true;
}

/* The figures since ABI 2.1; a dump from before has none of them. */
static bool read_proc_evidence(struct jf_reader *r, const cJSON *o, const char *path,
			       struct st_dump_proc *p)
{
	bool ok;

	if (!jf_opt_pct(r, o, path, "user_cpu_pct", &p->user_cpu_pct) ||
	    !jf_opt_pct(r, o, path, "system_cpu_pct", &p->system_cpu_pct) ||
	    !jf_opt_pct(r, o, path, "blkio_delay_pct", &p->blkio_delay_pct) ||
	    !jf_opt_i64(r, o, path, "num_threads", UINT32_MAX, &p->num_threads))
		return false;
	const cJSON *it = jf_member_opt(r, o, path, "vsize_kib", JF_NUMBER, true, &ok);
	p->vsize_kib = 0;
	return ok && (!it || jf_num_to_u64(r, path, "vsize_kib", it, UINT64_MAX, &p->vsize_kib));
}

static bool read_proc(struct jf_reader *r, const cJSON *o, const char *path, struct st_dump_proc *p)
{
	const cJSON *it;
	char state[4];
	bool ok;

	if (!jf_get_i32(r, o, path, "pid", 0, INT32_MAX, &p->pid) ||
	    !jf_get_i32(r, o, path, "ppid", 0, INT32_MAX, &p->ppid) ||
	    !jf_get_u64(r, o, path, "start_ticks", UINT64_MAX, &p->start_ticks) ||
	    !JF_FIELD_STR(r, o, path, "comm", p->comm) ||
	    !jf_get_str(r, o, path, "state", state, sizeof(state)) ||
	    !jf_get_pct(r, o, path, "cpu_pct", &p->cpu_pct) ||
	    !jf_get_pct(r, o, path, "children_cpu_pct", &p->children_cpu_pct) ||
	    !jf_get_u64(r, o, path, "rss_kib", UINT64_MAX, &p->rss_kib) ||
	    !jf_get_u64(r, o, path, "minflt", UINT64_MAX, &p->minflt_delta) ||
	    !jf_get_u64(r, o, path, "majflt", UINT64_MAX, &p->majflt_delta))
		return false;
	if (strlen(state) != 1 || state[0] <= ' ' || state[0] >= 0x7f)
		return jf_fail(r, "%s.state: expected a one-character string", path);
	p->state = state[0];

	if (!read_measured(r, o, path, &p->flags) || !read_proc_evidence(r, o, path, p))
		return false;

	if (!read_uid(r, o, path, "uid", &p->uid) || !read_uid(r, o, path, "euid", &p->euid))
		return false;

	it = jf_member_opt(r, o, path, "cmdline", JF_STRING, true, &ok);
	if (!ok)
		return false;
	if (it && !(p->cmdline = st_utf8_dup(it->valuestring, strlen(it->valuestring))))
		return jf_fail(r, "out of memory");
	it = jf_member_opt(r, o, path, "cmdline_truncated", JF_BOOL, true, &ok);
	if (!ok)
		return false;
	if (it && cJSON_IsTrue(it) && p->cmdline)
		p->flags |= ST_DUMP_PROC_CMDLINE_TRUNCATED;
	return read_proc_place(r, o, path, p) && read_io(r, o, path, p) &&
	       jf_opt_i64(r, o, path, "swap_kib", INT64_MAX, &p->swap_kib) &&
	       read_threads(r, o, path, p);
}

static bool read_procs(struct jf_reader *r, const cJSON *o, const char *path, const char *key,
		       struct st_dump_proc **procs, uint32_t *n)
{
	void *elems;
	const cJSON *arr = jf_array(r, o, path, key, sizeof(**procs), &elems, n);
	const cJSON *it;
	uint32_t i = 0;

	*procs = elems;
	if (!arr)
		return false;
	cJSON_ArrayForEach(it, arr) {
		char p[160];
		snprintf(p, sizeof(p), "%s.%s[%" PRIu32 "]", path, key, i);
		if (!cJSON_IsObject(it))
			return jf_fail(r, "%s: expected an object", p);
		if (!read_proc(r, it, p, &(*procs)[i]))
			return false;
		i++;
	}
	return true;
}

/*
 * Optional (dumps from before it count cores 0 .. n-1): one id per
 * cores_busy_pct entry, increasing, as the kernel lists its cpuN lines.
 */
static bool read_core_ids(struct jf_reader *r, const cJSON *cpu, const char *cpath,
			  struct st_dump_sample *s)
{
	bool ok;
	const cJSON *arr = jf_member_opt(r, cpu, cpath, "core_ids", JF_ARRAY, true, &ok);
	const cJSON *it;
	uint32_t i = 0;

	if (!arr)
		return ok;
	if ((uint32_t)cJSON_GetArraySize(arr) != s->ncores)
		return jf_fail(r, "%s.core_ids: %d ids for %" PRIu32 " cores_busy_pct entries",
			    cpath, cJSON_GetArraySize(arr), s->ncores);
	if (s->ncores == 0)
		return true;
	s->core_id = calloc(s->ncores, sizeof(*s->core_id));
	if (!s->core_id)
		return jf_fail(r, "out of memory");
	cJSON_ArrayForEach(it, arr) {
		char key[32];
		int64_t id;
		snprintf(key, sizeof(key), "core_ids[%" PRIu32 "]", i);
		if (!cJSON_IsNumber(it))
			return jf_fail(r, "%s.%s: expected a number", cpath, key);
		if (!jf_num_to_i64(r, cpath, key, it, 0, UINT32_MAX, &id))
			return false;
		if (i > 0 && (uint32_t)id <= s->core_id[i - 1])
			return jf_fail(r, "%s.%s: %" PRId64 " not above the previous id %" PRIu32,
				    cpath, key, id, s->core_id[i - 1]);
		s->core_id[i++] = (uint32_t)id;
	}
	return true;
}

static bool read_cpu(struct jf_reader *r, const cJSON *o, const char *path, struct st_dump_sample *s)
{
	const cJSON *cpu = jf_member(r, o, path, "cpu", JF_OBJECT);
	const cJSON *arr, *it;
	char cpath[128];
	void *elems;
	uint32_t i = 0;

	if (!cpu)
		return false;
	snprintf(cpath, sizeof(cpath), "%s.cpu", path);
	if (!jf_get_pct(r, cpu, cpath, "total_pct", &s->cpu_total_pct) ||
	    !jf_get_pct(r, cpu, cpath, "user_pct", &s->cpu_user_pct) ||
	    !jf_get_pct(r, cpu, cpath, "system_pct", &s->cpu_system_pct) ||
	    !jf_get_pct(r, cpu, cpath, "iowait_pct", &s->cpu_iowait_pct) ||
	    !jf_get_pct(r, cpu, cpath, "steal_pct", &s->cpu_steal_pct))
		return false;
	arr = jf_array(r, cpu, cpath, "cores_busy_pct", sizeof(double), &elems, &s->ncores);
	s->core_busy_pct = elems;
	if (!arr)
		return false;
	cJSON_ArrayForEach(it, arr) {
		char key[32];
		snprintf(key, sizeof(key), "cores_busy_pct[%" PRIu32 "]", i);
		if (!cJSON_IsNumber(it))
			return jf_fail(r, "%s.%s: expected a number", cpath, key);
		if (!jf_check_double(r, cpath, key, it->valuedouble, true, &s->core_busy_pct[i]))
			return false;
		i++;
	}
	return read_core_ids(r, cpu, cpath, s);
}

static bool read_mem(struct jf_reader *r, const cJSON *o, const char *path, struct st_dump_sample *s)
{
	const cJSON *mem = jf_member(r, o, path, "mem", JF_OBJECT);
	char mpath[128];

	if (!mem)
		return false;
	snprintf(mpath, sizeof(mpath), "%s.mem", path);
	return jf_get_u64(r, mem, mpath, "total_kib", UINT64_MAX, &s->mem_total_kib) &&
	       jf_get_u64(r, mem, mpath, "available_kib", UINT64_MAX, &s->mem_available_kib) &&
	       jf_get_u64(r, mem, mpath, "free_kib", UINT64_MAX, &s->mem_free_kib) &&
	       jf_get_u64(r, mem, mpath, "swap_total_kib", UINT64_MAX, &s->swap_total_kib) &&
	       jf_get_u64(r, mem, mpath, "swap_free_kib", UINT64_MAX, &s->swap_free_kib);
}

/* An optional group: absent or null is not measured (true, *g NULL). */
static bool group(struct jf_reader *r, const cJSON *o, const char *path, const char *key,
		  char *gpath, size_t gpathlen, const cJSON **g)
{
	bool ok;

	*g = jf_member_opt(r, o, path, key, JF_OBJECT, true, &ok);
	snprintf(gpath, gpathlen, "%s%s%s", path, JF_SEP(path), key);
	return ok;
}

static bool read_pressure(struct jf_reader *r, const cJSON *psi, const char *path,
			  const char *key, uint32_t bit, struct st_dump_sample *s,
			  struct st_dump_pressure *p)
{
	const cJSON *o, *full;
	char ppath[160];

	if (!group(r, psi, path, key, ppath, sizeof(ppath), &o))
		return false;
	if (!o)
		return true;
	if (!jf_get_pct(r, o, ppath, "some_avg10_pct", &p->some_avg10_pct) ||
	    !jf_get_u64(r, o, ppath, "some_stall_us", UINT64_MAX, &p->some_stall_us))
		return false;
	/* Kernels before 5.13 have no "full" for cpu: absent, not 0. */
	full = cJSON_GetObjectItemCaseSensitive(o, "full_avg10_pct");
	if (full && !cJSON_IsNull(full)) {
		if (!jf_get_pct(r, o, ppath, "full_avg10_pct", &p->full_avg10_pct) ||
		    !jf_get_u64(r, o, ppath, "full_stall_us", UINT64_MAX, &p->full_stall_us))
			return false;
		p->full_known = 1;
	}
	s->have |= bit;
	return true;
}

/* Optional per-core figures: one per cores_busy_pct entry. */
static bool read_core_split(struct jf_reader *r, const cJSON *cpu, const char *cpath,
			    const char *key, uint32_t ncores, double **out)
{
	bool ok;
	const cJSON *arr = jf_member_opt(r, cpu, cpath, key, JF_ARRAY, true, &ok);
	const cJSON *it;
	uint32_t i = 0;

	if (!arr)
		return ok;
	if ((uint32_t)cJSON_GetArraySize(arr) != ncores)
		return jf_fail(r, "%s.%s: %d entries for %" PRIu32 " cores_busy_pct entries",
			    cpath, key, cJSON_GetArraySize(arr), ncores);
	if (ncores == 0)
		return true;
	if (!(*out = calloc(ncores, sizeof(**out))))
		return jf_fail(r, "out of memory");
	cJSON_ArrayForEach(it, arr) {
		char k[48];
		snprintf(k, sizeof(k), "%s[%" PRIu32 "]", key, i);
		if (!cJSON_IsNumber(it))
			return jf_fail(r, "%s.%s: expected a number", cpath, k);
		if (!jf_check_double(r, cpath, k, it->valuedouble, true, &(*out)[i]))
			return false;
		i++;
	}
	return true;
}

/*
 * The system evidence (doc/dump-format.md): every group optional, as
 * dumps from before it and kernels without PSI have none; a group that is
 * there must be whole.
 */
static bool read_evidence(struct jf_reader *r, const cJSON *o, const char *path,
			  struct st_dump_sample *s)
{
	const cJSON *g, *mem = cJSON_GetObjectItemCaseSensitive(o, "mem");
	const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(o, "cpu");
	char gpath[128];
	bool ok;

	snprintf(gpath, sizeof(gpath), "%s.cpu", path);
	if (!read_core_split(r, cpu, gpath, "cores_user_pct", s->ncores, &s->core_user_pct) ||
	    !read_core_split(r, cpu, gpath, "cores_system_pct", s->ncores, &s->core_system_pct))
		return false;
	if (!s->core_user_pct != !s->core_system_pct)
		return jf_fail(r, "%s: cores_user_pct and cores_system_pct go together", gpath);

	if (!group(r, o, path, "pressure", gpath, sizeof(gpath), &g))
		return false;
	if (g && (!read_pressure(r, g, gpath, "cpu", ST_HAVE_PSI_CPU, s, &s->psi_cpu) ||
		  !read_pressure(r, g, gpath, "memory", ST_HAVE_PSI_MEMORY, s, &s->psi_memory) ||
		  !read_pressure(r, g, gpath, "io", ST_HAVE_PSI_IO, s, &s->psi_io)))
		return false;

	if (!group(r, o, path, "vmstat", gpath, sizeof(gpath), &g))
		return false;
	if (g) {
		if (!jf_get_double(r, g, gpath, "span_s", true, &s->vm.span_s) ||
		    !jf_get_u64(r, g, gpath, "pswpin_pages", UINT64_MAX, &s->vm.pswpin) ||
		    !jf_get_u64(r, g, gpath, "pswpout_pages", UINT64_MAX, &s->vm.pswpout) ||
		    !jf_get_u64(r, g, gpath, "pgmajfault", UINT64_MAX, &s->vm.pgmajfault) ||
		    !jf_get_u64(r, g, gpath, "oom_kill", UINT64_MAX, &s->vm.oom_kill) ||
		    !jf_get_u64(r, g, gpath, "pgscan_pages", UINT64_MAX, &s->vm.pgscan) ||
		    !jf_get_u64(r, g, gpath, "pgsteal_pages", UINT64_MAX, &s->vm.pgsteal) ||
		    !jf_get_u64(r, g, gpath, "allocstall", UINT64_MAX, &s->vm.allocstall))
			return false;
		s->have |= ST_HAVE_VMSTAT;
	}

	if (!group(r, o, path, "loadavg", gpath, sizeof(gpath), &g))
		return false;
	if (g) {
		if (!jf_get_double(r, g, gpath, "load1", true, &s->load1) ||
		    !jf_get_double(r, g, gpath, "load5", true, &s->load5) ||
		    !jf_get_double(r, g, gpath, "load15", true, &s->load15))
			return false;
		s->have |= ST_HAVE_LOADAVG;
	}

	g = jf_member_opt(r, o, path, "ctxt", JF_NUMBER, true, &ok);
	if (!ok)
		return false;
	if (g) {
		if (!jf_get_u64(r, o, path, "ctxt", UINT64_MAX, &s->ctxt_delta) ||
		    !jf_get_u64(r, o, path, "intr", UINT64_MAX, &s->intr_delta))
			return false;
		s->have |= ST_HAVE_CTXT;
	}

	snprintf(gpath, sizeof(gpath), "%s.mem", path);
	if (cJSON_GetObjectItemCaseSensitive(mem, "anon_kib")) {
		if (!jf_get_u64(r, mem, gpath, "anon_kib", UINT64_MAX, &s->anon_kib) ||
		    !jf_get_u64(r, mem, gpath, "cached_kib", UINT64_MAX, &s->cached_kib) ||
		    !jf_get_u64(r, mem, gpath, "shmem_kib", UINT64_MAX, &s->shmem_kib) ||
		    !jf_get_u64(r, mem, gpath, "slab_reclaimable_kib", UINT64_MAX,
			     &s->slab_reclaimable_kib) ||
		    !jf_get_u64(r, mem, gpath, "slab_unreclaimable_kib", UINT64_MAX,
			     &s->slab_unreclaimable_kib) ||
		    !jf_get_u64(r, mem, gpath, "dirty_kib", UINT64_MAX, &s->dirty_kib) ||
		    !jf_get_u64(r, mem, gpath, "writeback_kib", UINT64_MAX, &s->writeback_kib))
			return false;
		s->have |= ST_HAVE_MEM_DETAIL;
	}

	if (!group(r, o, path, "disk", gpath, sizeof(gpath), &g))
		return false;
	if (g) {
		if (!jf_get_double(r, g, gpath, "span_s", true, &s->disk_span_s) ||
		    !jf_get_u64(r, g, gpath, "read_kib", UINT64_MAX, &s->disk_read_kib) ||
		    !jf_get_u64(r, g, gpath, "written_kib", UINT64_MAX, &s->disk_written_kib) ||
		    !jf_get_u64(r, g, gpath, "busy_ms", UINT64_MAX, &s->disk_busy_ms))
			return false;
		s->have |= ST_HAVE_DISK;
	}
	return true;
}

/* Optional (dumps from before it, and samples without any). */
static bool read_exited(struct jf_reader *r, const cJSON *o, const char *path,
			struct st_dump_sample *s)
{
	bool ok;
	const cJSON *lost = jf_member_opt(r, o, path, "exits_lost", JF_NUMBER, true, &ok);
	if (!ok || (lost && !jf_get_u32(r, o, path, "exits_lost", &s->exits_lost)))
		return false;
	if (!jf_member_opt(r, o, path, "exited", JF_ARRAY, true, &ok))
		return ok;
	void *elems;
	const cJSON *arr = jf_array(r, o, path, "exited", sizeof(*s->exited), &elems,
				     &s->nexited);
	const cJSON *it;
	uint32_t i = 0;
	s->exited = elems;
	if (!arr)
		return false;
	cJSON_ArrayForEach(it, arr) {
		char p[160];
		struct st_exited_group *g = &s->exited[i++];
		int64_t parent, reaper, rss, rd, wr, unknown;
		snprintf(p, sizeof(p), "%s.exited[%" PRIu32 "]", path, i - 1);
		if (!cJSON_IsObject(it))
			return jf_fail(r, "%s: expected an object", p);
		if (!JF_FIELD_STR(r, it, p, "comm", g->comm) ||
		    !JF_OPT_FIELD(r, it, p, "parent_comm", g->parent_comm) ||
		    !jf_opt_i64(r, it, p, "parent_pid", INT32_MAX, &parent) ||
		    !jf_opt_i64(r, it, p, "reaper_pid", INT32_MAX, &reaper) ||
		    !jf_get_u32(r, it, p, "count", &g->count) ||
		    !jf_opt_i64(r, it, p, "cpu_unknown", g->count, &unknown) ||
		    !jf_get_u64(r, it, p, "cpu_ns", UINT64_MAX, &g->cpu_ns) ||
		    !jf_opt_i64(r, it, p, "peak_rss_kib", INT64_MAX, &rss) ||
		    !jf_opt_i64(r, it, p, "read_bytes", INT64_MAX, &rd) ||
		    !jf_opt_i64(r, it, p, "write_bytes", INT64_MAX, &wr) ||
		    !jf_flag(r, it, p, "taskstats", ST_EXITED_TASKSTATS, &g->flags) ||
		    !jf_flag(r, it, p, "estimate", ST_EXITED_ESTIMATE, &g->flags) ||
		    !jf_flag(r, it, p, "rest", ST_EXITED_REST, &g->flags))
			return false;
		double cpu;
		if (!jf_get_pct(r, it, p, "cpu_pct", &cpu))
			return false;
		if (g->count == 0)
			return jf_fail(r, "%s.count: 0 (a group has processes)", p);
		g->cpu_pct = (float)cpu;
		g->parent_pid = parent > 0 ? (int32_t)parent : 0;
		g->reaper_pid = reaper > 0 ? (int32_t)reaper : 0;
		g->cpu_unknown = unknown > 0 ? (uint32_t)unknown : 0;
		g->peak_rss_kib = rss > 0 ? (uint64_t)rss : 0;
		g->read_bytes = rd > 0 ? (uint64_t)rd : 0;
		g->write_bytes = wr > 0 ? (uint64_t)wr : 0;
	}
	return true;
}

static bool read_sample(struct jf_reader *r, const cJSON *o, const char *path, struct st_dump_sample *s)
{
	return jf_get_i64(r, o, path, "offset_ns", INT64_MIN, INT64_MAX, &s->offset_ns) &&
	       jf_get_u64(r, o, path, "seq", UINT64_MAX, &s->seq) &&
	       jf_get_i64(r, o, path, "mono_ns", INT64_MIN, INT64_MAX, &s->mono_ns) &&
	       jf_get_i64(r, o, path, "wall_ns", INT64_MIN, INT64_MAX, &s->wall_ns) &&
	       jf_flag(r, o, path, "off_tick", ST_SAMPLE_OFF_TICK, &s->flags) &&
	       jf_flag(r, o, path, "fast", ST_SAMPLE_FAST, &s->flags) &&
	       /* absent (an older dump): 0, and the viewer derives it */
	       jf_opt_nonneg(r, o, path, "interval_s", 0, &s->interval_s) &&
	       read_cpu(r, o, path, s) &&
	       read_mem(r, o, path, s) &&
	       jf_get_u64(r, o, path, "forks", UINT64_MAX, &s->forks_delta) &&
	       jf_get_u32(r, o, path, "procs_running", &s->procs_running) &&
	       jf_get_u32(r, o, path, "procs_blocked", &s->procs_blocked) &&
	       jf_get_u32(r, o, path, "nprocs", &s->nprocs_total) &&
	       read_procs(r, o, path, "top_cpu", &s->top_cpu, &s->ntop_cpu) &&
	       read_procs(r, o, path, "top_rss", &s->top_rss, &s->ntop_rss) &&
	       read_procs(r, o, path, "blamed", &s->blamed, &s->nblamed) &&
	       read_exited(r, o, path, s) &&
	       read_evidence(r, o, path, s);
}

static bool read_samples(struct jf_reader *r, const cJSON *root, struct st_dump *dump)
{
	void *elems;
	const cJSON *arr = jf_array(r, root, "", "samples", sizeof(*dump->samples),
				     &elems, &dump->nsamples);
	const cJSON *it;
	uint32_t i = 0;

	dump->samples = elems;
	if (!arr)
		return false;
	cJSON_ArrayForEach(it, arr) {
		char p[48];
		snprintf(p, sizeof(p), "samples[%" PRIu32 "]", i);
		if (!cJSON_IsObject(it))
			return jf_fail(r, "%s: expected an object", p);
		if (!read_sample(r, it, p, &dump->samples[i]))
			return false;
		/* Oldest first is what lets a reader find "before" and "after". */
		if (i > 0 && dump->samples[i].seq <= dump->samples[i - 1].seq)
			return jf_fail(r, "%s.seq: %" PRIu64 " not after the previous sample's %" PRIu64,
				    p, dump->samples[i].seq, dump->samples[i - 1].seq);
		i++;
	}
	return true;
}

/* An optional integer: absent or null leaves *out and the bit alone. */
static bool read_fast_u64(struct jf_reader *r, const cJSON *o, const char *path, const char *key,
			  uint64_t max, uint32_t bit, uint64_t *out, uint32_t *have)
{
	bool ok;
	const cJSON *it = jf_member_opt(r, o, path, key, JF_NUMBER, true, &ok);
	if (!ok || !it)
		return ok;
	*have |= bit;
	return jf_num_to_u64(r, path, key, it, max, out);
}

static bool read_fast_one(struct jf_reader *r, const cJSON *o, const char *p,
			  struct st_dump_fast *f)
{
	bool ok;
	uint64_t running = 0, blocked = 0;
	uint32_t procs = 0;
	if (!jf_get_i64(r, o, p, "offset_ns", INT64_MIN, INT64_MAX, &f->offset_ns) ||
	    !jf_get_i64(r, o, p, "mono_ns", INT64_MIN, INT64_MAX, &f->mono_ns) ||
	    !jf_get_double(r, o, p, "interval_s", true, &f->interval_s))
		return false;
	/* The CPU figures come as a group of five. */
	if (!jf_member_opt(r, o, p, "cpu_total_pct", JF_NUMBER, true, &ok)) {
		if (!ok)
			return false;
	} else if (!jf_get_pct(r, o, p, "cpu_total_pct", &f->cpu_total_pct) ||
		   !jf_get_pct(r, o, p, "cpu_user_pct", &f->cpu_user_pct) ||
		   !jf_get_pct(r, o, p, "cpu_system_pct", &f->cpu_system_pct) ||
		   !jf_get_pct(r, o, p, "cpu_iowait_pct", &f->cpu_iowait_pct) ||
		   !jf_get_pct(r, o, p, "cpu_steal_pct", &f->cpu_steal_pct)) {
		return false;
	} else {
		f->have |= ST_DUMP_FAST_CPU;
	}
	if (!read_fast_u64(r, o, p, "mem_available_kib", UINT64_MAX, ST_DUMP_FAST_MEM,
			   &f->mem_available_kib, &f->have) ||
	    !read_fast_u64(r, o, p, "swap_used_kib", UINT64_MAX, ST_DUMP_FAST_SWAP,
			   &f->swap_used_kib, &f->have) ||
	    !read_fast_u64(r, o, p, "procs_running", UINT32_MAX, 1, &running, &procs) ||
	    !read_fast_u64(r, o, p, "procs_blocked", UINT32_MAX, 2, &blocked, &procs) ||
	    !read_fast_u64(r, o, p, "psi_cpu_some_us", UINT64_MAX, ST_DUMP_FAST_PSI_CPU,
			   &f->psi_cpu_some_us, &f->have) ||
	    !read_fast_u64(r, o, p, "psi_memory_some_us", UINT64_MAX, ST_DUMP_FAST_PSI_MEMORY,
			   &f->psi_memory_some_us, &f->have) ||
	    !read_fast_u64(r, o, p, "psi_io_some_us", UINT64_MAX, ST_DUMP_FAST_PSI_IO,
			   &f->psi_io_some_us, &f->have))
		return false;
	/* procs: 1 running, 2 blocked, read */
	if (procs == 1 || procs == 2)
		return jf_fail(r, "%s: procs_running and procs_blocked come together", p);
	if (procs)
		f->have |= ST_DUMP_FAST_PROCS;
	f->procs_running = (uint32_t)running;
	f->procs_blocked = (uint32_t)blocked;
	return true;
}

/* Optional: dumps of a daemon without the fast ring have none. */
static bool read_fast(struct jf_reader *r, const cJSON *root, struct st_dump *dump)
{
	bool ok;
	const cJSON *fast = jf_member_opt(r, root, "", "fast", JF_OBJECT, true, &ok);
	if (!fast)
		return ok;
	void *elems;
	if (!jf_get_double(r, fast, "fast", "interval_s", true, &dump->fast_interval_s))
		return false;
	const cJSON *arr = jf_array(r, fast, "fast", "samples", sizeof(*dump->fast), &elems,
				     &dump->nfast);
	const cJSON *it;
	uint32_t i = 0;
	dump->fast = elems;
	if (!arr)
		return false;
	cJSON_ArrayForEach(it, arr) {
		char p[48];
		snprintf(p, sizeof(p), "fast.samples[%" PRIu32 "]", i);
		if (!cJSON_IsObject(it))
			return jf_fail(r, "%s: expected an object", p);
		if (!read_fast_one(r, it, p, &dump->fast[i]))
			return false;
		if (i > 0 && dump->fast[i].mono_ns <= dump->fast[i - 1].mono_ns)
			return jf_fail(r, "%s.mono_ns: %" PRId64 " not after the previous reading's %"
				    PRId64, p, dump->fast[i].mono_ns, dump->fast[i - 1].mono_ns);
		i++;
	}
	return true;
}

static bool read_trigger(struct jf_reader *r, const cJSON *o, const char *path,
			 const struct st_dump *dump, struct st_dump_trigger *dt)
{
	struct st_trigger *t = &dt->trigger;
	int32_t last = (int32_t)dump->nsamples - 1;

	if (!JF_FIELD_STR(r, o, path, "type", t->type) ||
	    !jf_get_i32(r, o, path, "pid", 0, INT32_MAX, &t->pid) ||
	    !jf_get_u64(r, o, path, "start_ticks", UINT64_MAX, &t->start_ticks) ||
	    !JF_FIELD_STR(r, o, path, "comm", t->comm) ||
	    !jf_get_double(r, o, path, "value", false, &t->value) ||
	    !jf_get_double(r, o, path, "baseline", false, &t->baseline) ||
	    !jf_get_double(r, o, path, "threshold", false, &t->threshold) ||
	    !JF_FIELD_STR(r, o, path, "units", t->units) ||
	    !JF_FIELD_STR(r, o, path, "summary", t->summary) ||
	    !jf_get_u64(r, o, path, "sample_seq", UINT64_MAX, &t->sample_seq) ||
	    !jf_get_i32(r, o, path, "sample_index", -1, last, &dt->sample_index))
		return false;
	int64_t exited;
	if (!jf_opt_i64(r, o, path, "exited_count", UINT32_MAX, &exited))
		return false;
	t->exited_count = exited > 0 ? (uint32_t)exited : 0;
	if (dt->sample_index >= 0 && dump->samples[dt->sample_index].seq != t->sample_seq)
		return jf_fail(r, "%s.sample_seq: %" PRIu64 " but samples[%" PRId32 "].seq is %" PRIu64,
			    path, t->sample_seq, dt->sample_index,
			    dump->samples[dt->sample_index].seq);
	return true;
}

static bool read_triggers(struct jf_reader *r, const cJSON *root, struct st_dump *dump)
{
	void *elems;
	const cJSON *arr = jf_array(r, root, "", "triggers", sizeof(*dump->triggers),
				     &elems, &dump->ntriggers);
	const cJSON *it;
	uint32_t i = 0;

	dump->triggers = elems;
	if (!arr)
		return false;
	cJSON_ArrayForEach(it, arr) {
		char p[48];
		snprintf(p, sizeof(p), "triggers[%" PRIu32 "]", i);
		if (!cJSON_IsObject(it))
			return jf_fail(r, "%s: expected an object", p);
		if (!read_trigger(r, it, p, dump, &dump->triggers[i]))
			return false;
		i++;
	}
	return true;
}

static bool read_host(struct jf_reader *r, const cJSON *root, struct st_dump_host *h)
{
	const cJSON *o = jf_member(r, root, "", "host", JF_OBJECT);

	return o &&
	       JF_FIELD_STR(r, o, "host", "hostname", h->hostname) &&
	       JF_FIELD_STR(r, o, "host", "kernel", h->kernel) &&
	       jf_get_u32(r, o, "host", "cores", &h->ncores) &&
	       jf_get_u64(r, o, "host", "mem_total_kib", UINT64_MAX, &h->mem_total_kib) &&
	       JF_FIELD_STR(r, o, "host", "boot_id", h->boot_id);
}

/* The schema is checked first: a future format gets "unknown schema", not
 * a confusing complaint about some field that moved. */
static bool check_schema(struct jf_reader *r, const cJSON *root)
{
	const cJSON *it = jf_member(r, root, "", "schema", JF_STRING);

	if (!it)
		return false;
	if (strcmp(it->valuestring, ST_DUMP_SCHEMA) == 0)
		return true;
	/* Raw, the first 40 bytes: whoever shows the reason escapes it once
	 * (view_report), as every reason of the reader. */
	return jf_fail(r, "unknown schema '%.40s%s' (expected %s)", it->valuestring,
		       strlen(it->valuestring) > 40 ? "..." : "", ST_DUMP_SCHEMA);
}

/* Optional (dumps from before them: cutime, nothing lost). */
static bool read_exit_mode(struct jf_reader *r, const cJSON *root, struct st_dump *dump)
{
	bool ok;
	const cJSON *it = jf_member_opt(r, root, "", "exit_events", JF_STRING, true, &ok);
	int64_t lost;
	if (!ok || !jf_opt_i64(r, root, "", "exits_lost", INT64_MAX, &lost))
		return false;
	dump->exits_lost = lost > 0 ? (uint64_t)lost : 0;
	int mode = it ? st_exits_mode_of(it->valuestring) : ST_EXITS_CUTIME;
	if (mode < 0)
		return jf_fail(r, "exit_events: expected \"cutime\", \"proc_connector\" or \"taskstats\"");
	dump->exit_mode = (uint32_t)mode;
	return true;
}

static bool read_dump(struct jf_reader *r, const cJSON *root, struct st_dump *dump)
{
	int32_t last;

	if (!cJSON_IsObject(root))
		return jf_fail(r, "not a spiketrace dump (expected a JSON object)");
	if (!check_schema(r, root) ||
	    !JF_FIELD_STR(r, root, "", "id", dump->id) ||
	    !jf_get_i64(r, root, "", "wall_ns", INT64_MIN, INT64_MAX, &dump->wall_ns) ||
	    !jf_get_i64(r, root, "", "mono_ns", INT64_MIN, INT64_MAX, &dump->mono_ns) ||
	    !jf_get_double(r, root, "", "interval_s", true, &dump->interval_s) ||
	    !read_exit_mode(r, root, dump) ||
	    !read_host(r, root, &dump->host) ||
	    !read_samples(r, root, dump) ||
	    !read_fast(r, root, dump))
		return false;
	last = (int32_t)dump->nsamples - 1;
	if (!jf_get_i32(r, root, "", "trigger_index", -1, last, &dump->trigger_index) ||
	    !read_triggers(r, root, dump))
		return false;
	if (dump->ntriggers > 0 && dump->trigger_index != dump->triggers[0].sample_index)
		return jf_fail(r, "trigger_index: %" PRId32 " but triggers[0].sample_index is %" PRId32,
			    dump->trigger_index, dump->triggers[0].sample_index);
	return true;
}

struct st_dump *st_dump_from_json(const char *text, size_t len, char *err, size_t errlen)
{
	struct jf_reader r = { .err = err, .errlen = errlen };
	struct st_dump *dump;
	cJSON *root = jf_parse(&r, text, len);

	if (!root)
		return NULL;
	dump = st_dump_new();
	if (!dump) {
		jf_fail(&r, "out of memory");
	} else if (!read_dump(&r, root, dump)) {
		st_dump_free(dump);
		dump = NULL;
	}
	jf_release(&r, root);
	return dump;
}

/* ------------------------------------------------------------ file */

static void errno_fail(struct jf_reader *r, int e)
{
	char buf[128];
	jf_fail(r, "%s", strerror_r(e, buf, sizeof(buf)));
}

struct st_dump *st_dump_read_file(const char *path, char *err, size_t errlen)
{
	struct jf_reader r = { .err = err, .errlen = errlen };
	struct st_dump *dump = NULL;
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd;

	/* O_NONBLOCK: a FIFO named on the command line must not hang us
	 * before we get to say it is not a regular file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		errno_fail(&r, errno);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		errno_fail(&r, errno);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		errno_fail(&r, EISDIR);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		jf_fail(&r, "not a regular file");
		goto out;
	}
	/* Checked before reading: a huge file costs nothing to refuse. */
	if (st.st_size > (off_t)ST_DUMP_MAX_BYTES) {
		jf_fail(&r, "file too large (%jd bytes, limit %u MiB)",
		     (intmax_t)st.st_size, ST_DUMP_MAX_BYTES >> 20);
		goto out;
	}
	if (st.st_size == 0) {
		jf_fail(&r, "empty file");
		goto out;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		jf_fail(&r, "out of memory");
		goto out;
	}
	/* Dumps are renamed into place whole, so the size does not change
	 * under us; if it shrinks, the parser reports the truncation. */
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errno_fail(&r, errno);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got == 0)
		jf_fail(&r, "empty file");
	else
		dump = st_dump_from_json(buf, got, err, errlen);
out:
	free(buf);
	close(fd);
	return dump;
}
