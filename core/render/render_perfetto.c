/*
 * The Chrome Trace Event Format of dumps (render_perfetto.h). Every byte
 * is written by cJSON; every string that came from a dump (process names,
 * command lines, units, summaries, host names) goes through the text
 * output's escaper first: cJSON passes invalid UTF-8 through, which would
 * make the file invalid JSON, and a trace viewer shows bidirectional
 * overrides as the reordering they are.
 *
 * Chosen layout (doc/spiketrace-view.1 says the same):
 *   - counters ("C") on the system track: "cpu (%)" (user, system, iowait,
 *     steal: stacked, they add up to the busy share of the machine),
 *     "memory available (MiB)", "memory breakdown (MiB)" (anon, cached,
 *     slab) when measured, "swap used (MiB)", "pressure <res> (%)" (some,
 *     the kernel's 10 s average) when measured; the fast ring's readings as
 *     "... (fast, ...)" counters at their own times.
 *   - a process's own track: "cpu (%)" (its own and its reaped children's,
 *     percent of one core; not for a carried record, whose 0 is no
 *     reading) and "rss (MiB)" at each sample that lists it. A counter
 *     holds its value until the next sample that lists the process.
 *   - instants ("i"): each trigger, global, named by its type; each exited
 *     group of a sample, on the system track, named "exited <comm>".
 */
#define _GNU_SOURCE
#include "render/render_perfetto.h"
#include "render/render_text.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIB_PER_MIB 1024.0
#define BOOT_SHOWN 8            /* characters of a boot id in a track name */
#define WHERE_MAX (ST_DUMP_NAME_MAX + 32)

struct boot {
	const char *hostname, *boot_id;   /* of the first dump of the boot */
};

struct trace {
	cJSON *events;
	bool failed;            /* an allocation failed somewhere */
	struct boot *boots;
	size_t nboots;
	size_t *boot;           /* per dump: its index in boots */
	int64_t *named;         /* track pids that have their metadata */
	size_t nnamed, capnamed;
};

/* ------------------------------------------------------------ helpers */

/* The escaped copy of a string of at most cap bytes (NUL-terminated or
 * not), to free(); NULL when out of memory. An escape takes at most four
 * bytes per input byte ("\xNN"). */
static char *escaped(const char *s, size_t cap)
{
	size_t n = s ? strnlen(s, cap) : 0;
	char *raw = malloc(n + 1), *out = malloc(4 * n + 1);

	if (raw && out) {
		memcpy(raw, s ? s : "", n);
		raw[n] = '\0';
		st_escape_terminal(raw, out, 4 * n + 1);
	} else {
		free(out);
		out = NULL;
	}
	free(raw);
	return out;
}

static void put(struct trace *t, cJSON *obj, const char *key, cJSON *item)
{
	if (!obj || !item || !cJSON_AddItemToObject(obj, key, item)) {
		cJSON_Delete(item);
		t->failed = true;
	}
}

/* A number the format can carry: NaN and infinities are not JSON. */
static void put_num(struct trace *t, cJSON *obj, const char *key, double v)
{
	put(t, obj, key, cJSON_CreateNumber(isfinite(v) ? v : 0.0));
}

static void put_str(struct trace *t, cJSON *obj, const char *key, const char *s, size_t cap)
{
	char *e = escaped(s, cap);

	put(t, obj, key, e ? cJSON_CreateString(e) : NULL);
	free(e);
}

static double mib(uint64_t kib)
{
	return (double)kib / KIB_PER_MIB;
}

/*
 * A new event in the trace: ph, name (already safe: a literal or
 * escaped), the instant's scope s (NULL: none), the track's pid (and as
 * tid: counters and instants of a process are the process's), ts from
 * mono_ns unless it is metadata.
 * Returns its args object, NULL on failure (then t->failed is set).
 */
static cJSON *event_scoped(struct trace *t, const char *ph, const char *scope,
			   const char *name, int64_t pid, int64_t mono_ns)
{
	cJSON *ev = cJSON_CreateObject(), *args;

	if (!ev || !cJSON_AddItemToArray(t->events, ev)) {
		cJSON_Delete(ev);
		t->failed = true;
		return NULL;
	}
	put(t, ev, "name", cJSON_CreateString(name));
	put(t, ev, "ph", cJSON_CreateString(ph));
	if (strcmp(ph, "M") != 0)
		put_num(t, ev, "ts", (double)mono_ns / 1000.0);
	if (scope)
		put(t, ev, "s", cJSON_CreateString(scope));
	put_num(t, ev, "pid", (double)pid);
	put_num(t, ev, "tid", (double)pid);
	args = cJSON_CreateObject();
	put(t, ev, "args", args);
	return t->failed ? NULL : args;
}

static cJSON *event(struct trace *t, const char *ph, const char *name, int64_t pid,
		    int64_t mono_ns)
{
	return event_scoped(t, ph, NULL, name, pid, mono_ns);
}

/* ------------------------------------------------------------ tracks */

static size_t boot_of(struct trace *t, const struct st_dump *d)
{
	for (size_t i = 0; d->host.boot_id[0] && i < t->nboots; i++)
		if (!strcmp(t->boots[i].boot_id, d->host.boot_id) &&
		    !strcmp(t->boots[i].hostname, d->host.hostname))
			return i;
	t->boots[t->nboots].hostname = d->host.hostname;
	t->boots[t->nboots].boot_id = d->host.boot_id;
	return t->nboots++;
}

static int64_t track_pid(size_t boot, int64_t pid)
{
	return (int64_t)boot * ST_PERFETTO_BOOT_STRIDE + pid;
}

/* Whether the track still needs its name, remembering that it has one. */
static bool needs_name(struct trace *t, int64_t pid)
{
	for (size_t i = 0; i < t->nnamed; i++)
		if (t->named[i] == pid)
			return false;
	if (t->nnamed == t->capnamed) {
		size_t cap = t->capnamed ? 2 * t->capnamed : 64;
		int64_t *n = realloc(t->named, cap * sizeof(*n));
		if (!n) {
			t->failed = true;
			return false;
		}
		t->named = n;
		t->capnamed = cap;
	}
	t->named[t->nnamed++] = pid;
	return true;
}

/* process_name (and process_labels, process_sort_index) metadata; name
 * is raw, the boot's id appended when the trace has several boots. */
static void name_track(struct trace *t, size_t boot, int64_t pid, const char *name,
		       const char *labels, int sort_index)
{
	char *full = NULL, *e;
	cJSON *args;

	if (t->nboots > 1 && asprintf(&full, "%s (boot %.*s)", name, BOOT_SHOWN,
				      t->boots[boot].boot_id[0] ? t->boots[boot].boot_id :
				      "unknown") < 0)
		full = NULL;
	e = escaped(full ? full : name, SIZE_MAX);
	free(full);
	if (!e) {
		t->failed = true;
		return;
	}
	args = event(t, "M", "process_name", pid, 0);
	put(t, args, "name", cJSON_CreateString(e));
	free(e);
	if (labels && *labels)
		put_str(t, event(t, "M", "process_labels", pid, 0), "labels", labels, SIZE_MAX);
	put_num(t, event(t, "M", "process_sort_index", pid, 0), "sort_index", sort_index);
}

/* ------------------------------------------------------------ system */

static void cpu_counter(struct trace *t, const char *name, int64_t pid, int64_t ts,
			double user, double system, double iowait, double steal)
{
	cJSON *args = event(t, "C", name, pid, ts);

	put_num(t, args, "user", user);
	put_num(t, args, "system", system);
	put_num(t, args, "iowait", iowait);
	put_num(t, args, "steal", steal);
}

static void one_counter(struct trace *t, const char *name, const char *arg, int64_t pid,
			int64_t ts, double v)
{
	put_num(t, event(t, "C", name, pid, ts), arg, v);
}

static void system_sample(struct trace *t, int64_t sys, const struct st_dump_sample *s)
{
	static const struct {
		uint32_t bit;
		const char *name;
		size_t offset;
	} psi[] = {
		{ ST_HAVE_PSI_CPU, "pressure cpu (%)", offsetof(struct st_dump_sample, psi_cpu) },
		{ ST_HAVE_PSI_MEMORY, "pressure memory (%)",
		  offsetof(struct st_dump_sample, psi_memory) },
		{ ST_HAVE_PSI_IO, "pressure io (%)", offsetof(struct st_dump_sample, psi_io) },
	};
	int64_t ts = s->mono_ns;

	cpu_counter(t, "cpu (%)", sys, ts, s->cpu_user_pct, s->cpu_system_pct,
		    s->cpu_iowait_pct, s->cpu_steal_pct);
	one_counter(t, "memory available (MiB)", "available", sys, ts, mib(s->mem_available_kib));
	if (s->have & ST_HAVE_MEM_DETAIL) {
		cJSON *args = event(t, "C", "memory breakdown (MiB)", sys, ts);
		put_num(t, args, "anon", mib(s->anon_kib));
		put_num(t, args, "cached", mib(s->cached_kib));
		put_num(t, args, "slab", mib(s->slab_reclaimable_kib + s->slab_unreclaimable_kib));
	}
	one_counter(t, "swap used (MiB)", "used", sys, ts,
		    s->swap_total_kib > s->swap_free_kib ?
		    mib(s->swap_total_kib - s->swap_free_kib) : 0.0);
	for (size_t i = 0; i < sizeof(psi) / sizeof(psi[0]); i++) {
		const struct st_dump_pressure *p =
			(const void *)((const char *)s + psi[i].offset);
		if (s->have & psi[i].bit)
			one_counter(t, psi[i].name, "some", sys, ts, p->some_avg10_pct);
	}
}

/* A fast reading's PSI stall as the share of its interval stalled. */
static double stalled_pct(uint64_t us, double interval_s)
{
	return interval_s > 0 ? (double)us / (interval_s * 1e6) * 100.0 : 0.0;
}

static void fast_reading(struct trace *t, int64_t sys, const struct st_dump_fast *f)
{
	int64_t ts = f->mono_ns;

	if (f->have & ST_DUMP_FAST_CPU)
		cpu_counter(t, "cpu (fast, %)", sys, ts, f->cpu_user_pct, f->cpu_system_pct,
			    f->cpu_iowait_pct, f->cpu_steal_pct);
	if (f->have & ST_DUMP_FAST_MEM)
		one_counter(t, "memory available (fast, MiB)", "available", sys, ts,
			    mib(f->mem_available_kib));
	if (f->have & ST_DUMP_FAST_SWAP)
		one_counter(t, "swap used (fast, MiB)", "used", sys, ts, mib(f->swap_used_kib));
	if (f->have & ST_DUMP_FAST_PSI_CPU)
		one_counter(t, "pressure cpu stalled (fast, %)", "some", sys, ts,
			    stalled_pct(f->psi_cpu_some_us, f->interval_s));
	if (f->have & ST_DUMP_FAST_PSI_MEMORY)
		one_counter(t, "pressure memory stalled (fast, %)", "some", sys, ts,
			    stalled_pct(f->psi_memory_some_us, f->interval_s));
	if (f->have & ST_DUMP_FAST_PSI_IO)
		one_counter(t, "pressure io stalled (fast, %)", "some", sys, ts,
			    stalled_pct(f->psi_io_some_us, f->interval_s));
}

static void exited_groups(struct trace *t, int64_t sys, const struct st_dump *d,
			  const struct st_dump_sample *s)
{
	for (uint32_t i = 0; s->exited && i < s->nexited; i++) {
		const struct st_exited_group *g = st_dump_exited(d, s, i);
		char *name = NULL, *e;
		cJSON *args;

		if (asprintf(&name, "exited %.*s", ST_COMM_MAX, g->comm[0] ? g->comm : "?") < 0) {
			t->failed = true;
			return;
		}
		e = escaped(name, SIZE_MAX);
		free(name);
		args = e ? event_scoped(t, "i", "p", e, sys, s->mono_ns) : NULL;
		free(e);
		if (!args) {
			t->failed = true;
			return;
		}
		put_num(t, args, "count", g->count);
		put_num(t, args, "cpu_pct", g->cpu_pct);
		put_num(t, args, "cpu_unknown", g->cpu_unknown);
		put_str(t, args, "parent_comm", g->parent_comm, sizeof(g->parent_comm));
		put_num(t, args, "parent_pid", g->parent_pid);
		put_num(t, args, "reaper_pid", g->reaper_pid);
		if (g->peak_rss_kib)
			put_num(t, args, "peak_rss_kib", (double)g->peak_rss_kib);
	}
}

/* ------------------------------------------------------------ processes */

static void process_track_name(struct trace *t, size_t boot, int64_t pid,
			       const struct st_dump_proc *p)
{
	char where[WHERE_MAX], comm[ST_COMM_MAX + 1], *name = NULL;

	if (!needs_name(t, pid))
		return;
	snprintf(comm, sizeof(comm), "%.*s", ST_COMM_MAX, p->comm);
	if (*st_proc_where_label(p, where, sizeof(where))) {
		if (asprintf(&name, "%s [%s]", comm, where) < 0) {
			t->failed = true;
			return;
		}
	}
	name_track(t, boot, pid, name ? name : comm, p->cmdline, 0);
	free(name);
}

static void process_sample(struct trace *t, size_t boot, const struct st_dump_proc *p,
			   int64_t ts)
{
	int64_t pid = track_pid(boot, p->pid);
	cJSON *args;

	process_track_name(t, boot, pid, p);
	if (!(p->flags & ST_PROC_CARRIED)) {
		args = event(t, "C", "cpu (%)", pid, ts);
		put_num(t, args, "cpu", p->cpu_pct);
		put_num(t, args, "children", p->children_cpu_pct);
	}
	one_counter(t, "rss (MiB)", "rss", pid, ts, mib(p->rss_kib));
}

/* Whether pid is listed before position (list, i) of the sample: a
 * process in both top lists gets one set of counters per sample. */
static bool listed_before(const struct st_dump *d, const struct st_dump_sample *s,
			  int list, uint32_t i, int32_t pid)
{
	for (uint32_t j = 0; j < s->ntop_cpu && (list > 0 || j < i); j++)
		if (st_dump_top_cpu(d, s, j)->pid == pid)
			return true;
	for (uint32_t j = 0; list >= 1 && j < s->ntop_rss && (list > 1 || j < i); j++)
		if (st_dump_top_rss(d, s, j)->pid == pid)
			return true;
	for (uint32_t j = 0; list == 2 && j < i; j++)
		if (st_dump_blamed(d, s, j)->pid == pid)
			return true;
	return false;
}

static void processes(struct trace *t, size_t boot, const struct st_dump *d,
		      const struct st_dump_sample *s)
{
	const uint32_t n[3] = { s->ntop_cpu, s->ntop_rss, s->nblamed };

	for (int list = 0; list < 3; list++) {
		for (uint32_t i = 0; i < n[list]; i++) {
			const struct st_dump_proc *p = list == 0 ? st_dump_top_cpu(d, s, i) :
						       list == 1 ? st_dump_top_rss(d, s, i) :
						       st_dump_blamed(d, s, i);
			if (!listed_before(d, s, list, i, p->pid))
				process_sample(t, boot, p, s->mono_ns);
		}
	}
}

/* ------------------------------------------------------------ triggers */

static void triggers(struct trace *t, int64_t sys, const struct st_dump *d)
{
	for (uint32_t i = 0; d->triggers && i < d->ntriggers; i++) {
		const struct st_dump_trigger *dt = st_dump_trigger_at(d, i);
		const struct st_trigger *tr = &dt->trigger;
		/* One outside the window has no sample: the dump's own time. */
		int64_t ts = dt->sample_index >= 0 && (uint32_t)dt->sample_index < d->nsamples ?
			     st_dump_at(d, (uint32_t)dt->sample_index)->mono_ns : d->mono_ns;
		char *type = escaped(tr->type, sizeof(tr->type));
		cJSON *args = type ? event_scoped(t, "i", "g", *type ? type : "trigger", sys, ts) :
			      NULL;

		free(type);
		if (!args) {
			t->failed = true;
			return;
		}
		put_str(t, args, "summary", tr->summary, sizeof(tr->summary));
		put_num(t, args, "value", tr->value);
		put_num(t, args, "baseline", tr->baseline);
		put_num(t, args, "threshold", tr->threshold);
		put_str(t, args, "units", tr->units, sizeof(tr->units));
		put_num(t, args, "pid", tr->pid);
		put_str(t, args, "comm", tr->comm, sizeof(tr->comm));
		if (tr->exited_count)
			put_num(t, args, "exited_count", tr->exited_count);
		put_str(t, args, "dump", d->id, sizeof(d->id));
	}
}

/* ------------------------------------------------------------ the trace */

static void one_dump(struct trace *t, const struct st_dump *d, size_t boot)
{
	int64_t sys = track_pid(boot, ST_PERFETTO_SYSTEM_PID);

	if (needs_name(t, sys)) {
		char name[sizeof(d->host.hostname) + 8];
		snprintf(name, sizeof(name), "%.*s system", (int)sizeof(d->host.hostname) - 1,
			 d->host.hostname[0] ? d->host.hostname : "unknown host");
		name_track(t, boot, sys, name, d->host.kernel, -1);
	}
	for (uint32_t i = 0; d->samples && i < d->nsamples; i++) {
		const struct st_dump_sample *s = st_dump_at(d, i);
		system_sample(t, sys, s);
		processes(t, boot, d, s);
		exited_groups(t, sys, d, s);
	}
	for (uint32_t i = 0; d->fast && i < d->nfast; i++)
		fast_reading(t, sys, st_dump_fast_at(d, i));
	triggers(t, sys, d);
}

char *st_render_perfetto(const struct st_dump *const *dumps, size_t ndumps)
{
	struct trace t = { .events = NULL };
	cJSON *root = cJSON_CreateObject(), *other = cJSON_CreateObject(), *ids;
	char *text = NULL;

	t.boots = calloc(ndumps ? ndumps : 1, sizeof(*t.boots));
	t.boot = calloc(ndumps ? ndumps : 1, sizeof(*t.boot));
	if (!root || !other || !t.boots || !t.boot)
		goto out;
	t.events = cJSON_AddArrayToObject(root, "traceEvents");
	put(&t, root, "displayTimeUnit", cJSON_CreateString("ms"));
	put(&t, other, "generator", cJSON_CreateString("spiketrace-view"));
	ids = cJSON_AddArrayToObject(other, "dumps");
	put(&t, root, "otherData", other);
	other = NULL;
	if (!t.events || !ids)
		goto out;
	/* The boots first, so that every name knows whether to say its boot. */
	for (size_t i = 0; i < ndumps; i++)
		t.boot[i] = boot_of(&t, dumps[i]);
	for (size_t i = 0; i < ndumps && !t.failed; i++) {
		char *id = escaped(dumps[i]->id, sizeof(dumps[i]->id));
		cJSON *s = id ? cJSON_CreateString(id) : NULL;
		free(id);
		if (!s || !cJSON_AddItemToArray(ids, s)) {
			cJSON_Delete(s);
			t.failed = true;
		}
		one_dump(&t, dumps[i], t.boot[i]);
	}
	if (!t.failed)
		text = cJSON_PrintUnformatted(root);
out:
	cJSON_Delete(other);
	cJSON_Delete(root);
	free(t.boots);
	free(t.boot);
	free(t.named);
	return text;
}
