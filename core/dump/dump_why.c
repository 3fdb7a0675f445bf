/* A trigger's causes from the dump's figures (dump_why.h). */
#include "dump/dump_why.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dump/mem_where.h"

#define NS_PER_S 1e9
#define US_PER_S 1e6

/* One reason being written: "head: part, part". Parts that do not fit
 * are left out whole, never cut. */
struct line {
	char *buf;
	size_t len, used;
	unsigned parts;
};

__attribute__((format(printf, 2, 3)))
static void part(struct line *l, const char *fmt, ...)
{
	char piece[ST_WHY_LEN];
	const char *sep = l->parts == 0 ? ": " : ", ";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(piece, sizeof(piece), fmt, ap);
	va_end(ap);
	if (l->used + strlen(sep) + strlen(piece) >= l->len)
		return;
	l->used += (size_t)snprintf(l->buf + l->used, l->len - l->used, "%s%s", sep, piece);
	l->parts++;
}

/* Each kind of cause gives one reason at most, and there are no more
 * kinds than ST_WHY_MAX: the slot is always free. */
static struct line begin(struct st_why *why, const char *head)
{
	struct line l = { .buf = why->reason[why->n < ST_WHY_MAX ? why->n : ST_WHY_MAX - 1],
			  .len = ST_WHY_LEN };
	l.used = (size_t)snprintf(l.buf, l.len, "%s", head);
	return l;
}

static void end(struct st_why *why)
{
	if (why->n < ST_WHY_MAX)
		why->n++;
}

/* Seconds the sample's interval lasted: from the previous sample, or the
 * dump's interval for the first. */
static double interval_of(const struct st_dump *d, uint32_t k)
{
	if (k > 0) {
		double s = (double)(d->samples[k].mono_ns - d->samples[k - 1].mono_ns) / NS_PER_S;
		if (s > 0)
			return s;
	}
	return d->interval_s > 0 ? d->interval_s : 1.0;
}

/* A resource's pressure as one figure: the kernel's 10 s average, or the
 * share of this interval stalled when that is higher (a burst shorter
 * than 10 s shows there first). */
static double pressure_pct(const struct st_dump_pressure *p, double interval_s)
{
	double now = (double)p->some_stall_us / (interval_s * US_PER_S) * 100.0;
	now = now > 100 ? 100 : now;
	return now > p->some_avg10_pct ? now : p->some_avg10_pct;
}

double st_dump_pressure_pct(const struct st_dump *d, uint32_t k, uint32_t bit)
{
	const struct st_dump_sample *s;

	if (!d || !d->samples || k >= d->nsamples || !(d->samples[k].have & bit))
		return NAN;
	s = &d->samples[k];
	switch (bit) {
	case ST_HAVE_PSI_CPU:    return pressure_pct(&s->psi_cpu, interval_of(d, k));
	case ST_HAVE_PSI_MEMORY: return pressure_pct(&s->psi_memory, interval_of(d, k));
	case ST_HAVE_PSI_IO:     return pressure_pct(&s->psi_io, interval_of(d, k));
	}
	return NAN;
}

/* The vmstat figures that cover sample k: its own, or those of the first
 * later sample whose span reaches back to it (vmstat is not read every
 * tick). NULL when none does. */
static const struct st_dump_sample *vmstat_for(const struct st_dump *d, uint32_t k)
{
	for (uint32_t i = k; i < d->nsamples; i++) {
		const struct st_dump_sample *s = &d->samples[i];
		if (!(s->have & ST_HAVE_VMSTAT) || s->vm.span_s <= 0)
			continue;
		if (i == k || (double)(s->offset_ns - d->samples[k].offset_ns) <=
		    s->vm.span_s * NS_PER_S)
			return s;
		break;
	}
	return NULL;
}

/* Processes in D state among the sample's lists, each pid counted once. */
static uint32_t d_state_listed(const struct st_dump *d, const struct st_dump_sample *s)
{
	const struct st_dump_proc *lists[3] = { s->top_cpu, s->top_rss, s->blamed };
	const uint32_t counts[3] = { s->ntop_cpu, s->ntop_rss, s->nblamed };
	uint32_t n = 0;

	for (int l = 0; l < 3; l++) {
		for (uint32_t i = 0; lists[l] && i < counts[l]; i++) {
			const struct st_dump_proc *p = ST_ELEMENT(struct st_dump_proc, lists[l],
								  d->proc_size, i);
			struct st_trigger self = { .pid = p->pid, .start_ticks = p->start_ticks };
			/* Counted where it is first listed. */
			if (p->state == 'D' && st_dump_find_proc(d, s, &self) == p)
				n++;
		}
	}
	return n;
}

/* What a process cost the CPU: its own time and its reaped children's,
 * as the dump's top list ranks it. */
static double cpu_cost(const struct st_dump_proc *p)
{
	return p->cpu_pct + p->children_cpu_pct;
}

/* Whether the process's own cpu has its user/kernel split (dumps from
 * before it, and hand-made ones, have none: -1, or 0 and 0). */
static bool has_split(const struct st_dump_proc *p)
{
	return p->user_cpu_pct >= 0 && p->system_cpu_pct >= 0 &&
	       p->user_cpu_pct + p->system_cpu_pct > 0;
}

static void why_cpu(struct st_why *why, const struct st_dump_sample *s,
		    const struct st_dump_proc *p)
{
	bool proc = p && !(p->flags & ST_PROC_CARRIED) &&
		    cpu_cost(p) >= ST_WHY_CPU_BOUND_PROC_PCT;
	/* The blamed process's own split says where it spent its time; the
	 * machine's is the guess when it has none (or its children did). */
	bool split = proc && has_split(p) && p->cpu_pct >= p->children_cpu_pct;
	const char *where = split ? (p->system_cpu_pct > p->user_cpu_pct ? "kernel" : "user") :
			    s->cpu_system_pct > s->cpu_user_pct ? "kernel" : "user";
	char head[40];
	struct line l;

	if (!proc && s->cpu_total_pct < ST_WHY_CPU_BOUND_SYSTEM_PCT)
		return;
	snprintf(head, sizeof(head), "CPU-bound in %s code", where);
	l = begin(why, head);
	if (proc) {
		part(&l, "%.1f%% of one core%s", cpu_cost(p),
		     p->children_cpu_pct > 0 ? " with reaped children" : "");
		if (split)
			part(&l, "%.0f%% of it in the kernel",
			     100 * p->system_cpu_pct / (p->user_cpu_pct + p->system_cpu_pct));
		part(&l, "machine %.0f%% user", s->cpu_user_pct);
	} else {
		part(&l, "machine %.0f%% busy", s->cpu_total_pct);
		part(&l, "%.0f%% user", s->cpu_user_pct);
	}
	part(&l, "%.0f%% kernel", s->cpu_system_pct);
	end(why);
}

static void why_waiting(struct st_why *why, const struct st_dump_sample *s, double cpu)
{
	struct line l;

	if (!(cpu >= ST_WHY_CPU_PRESSURE_PCT))
		return;
	l = begin(why, "waiting for CPU");
	part(&l, "cpu pressure %.0f%%", cpu);
	part(&l, "%" PRIu32 " runnable", s->procs_running);
	end(why);
}

static void why_memory(struct st_why *why, const struct st_dump_sample *s,
		       const struct st_dump_sample *vm, double mem)
{
	double scan = vm ? (double)vm->vm.pgscan / vm->vm.span_s : 0;
	double in = vm ? (double)vm->vm.pswpin / vm->vm.span_s : 0;
	double out = vm ? (double)vm->vm.pswpout / vm->vm.span_s : 0;
	uint64_t stalls = vm ? vm->vm.allocstall : 0;
	struct line l;

	if ((s->have & ST_HAVE_PSI_MEMORY && mem >= ST_WHY_MEM_PRESSURE_PCT) || scan >= ST_WHY_PGSCAN_PER_S || stalls > 0) {
		l = begin(why, "memory reclaim");
		if (s->have & ST_HAVE_PSI_MEMORY)
			part(&l, "memory pressure %.0f%%", mem);
		if (vm)
			part(&l, "%.0f pages scanned/s", scan);
		if (stalls)
			part(&l, "%" PRIu64 " direct-reclaim stalls", stalls);
		end(why);
	}
	if (in >= ST_WHY_SWAP_PAGES_PER_S && out >= ST_WHY_SWAP_PAGES_PER_S) {
		l = begin(why, "swap thrash");
		part(&l, "%.0f pages/s in", in);
		part(&l, "%.0f out", out);
		end(why);
	} else if (in >= ST_WHY_SWAP_PAGES_PER_S || out >= ST_WHY_SWAP_PAGES_PER_S) {
		l = begin(why, out > in ? "swapping out" : "swapping in");
		part(&l, "%.0f pages/s", out > in ? out : in);
		end(why);
	}
	if (vm && vm->vm.oom_kill) {
		l = begin(why, "OOM killer");
		part(&l, "%" PRIu64 " killed", vm->vm.oom_kill);
		end(why);
	}
}

static void why_io(struct st_why *why, const struct st_dump *dump,
		   const struct st_dump_sample *s, double io, const struct st_dump_proc *p)
{
	uint32_t d = d_state_listed(dump, s);
	uint32_t blocked = s->procs_blocked > d ? s->procs_blocked : d;
	/* The blamed process's own wait for block I/O (delay accounting);
	 * -1 when unknown, and no measurement in a carried record. */
	double waited = p && !(p->flags & ST_PROC_CARRIED) ? p->blkio_delay_pct : -1;
	struct line l;

	if (!(io >= ST_WHY_IO_PRESSURE_PCT) && s->cpu_iowait_pct < ST_WHY_IOWAIT_PCT &&
	    blocked < ST_WHY_BLOCKED_PROCS && waited < ST_WHY_BLKIO_DELAY_PCT)
		return;
	l = begin(why, "I/O wait");
	if (waited >= ST_WHY_BLKIO_DELAY_PCT)
		part(&l, "the process waited %.0f%% of the time on disk", waited);
	if (s->have & ST_HAVE_PSI_IO)
		part(&l, "io pressure %.0f%%", io);
	part(&l, "iowait %.0f%%", s->cpu_iowait_pct);
	part(&l, "%" PRIu32 " blocked", blocked);
	if (d)
		part(&l, "%" PRIu32 " in D state listed", d);
	end(why);
}

/* A memory trigger: in KiB, or of a memory or swap type. */
static bool memory_trigger(const struct st_trigger *t)
{
	return strncmp(t->units, "kib", sizeof(t->units)) == 0 ||
	       strncmp(t->type, "mem", 3) == 0 || strncmp(t->type, "swap", 4) == 0;
}

void st_dump_why(const struct st_dump *d, uint32_t trigger, struct st_why *why)
{
	memset(why, 0, sizeof(*why));
	if (!d || !d->triggers || trigger >= d->ntriggers || !d->samples)
		return;
	const struct st_trigger *t = &d->triggers[trigger].trigger;
	int32_t k = d->triggers[trigger].sample_index;
	if (k < 0 || (uint32_t)k >= d->nsamples)
		return;
	const struct st_dump_sample *s = &d->samples[k];
	double interval_s = interval_of(d, (uint32_t)k);
	char where[ST_WHY_LEN];

	why_cpu(why, s, st_dump_find_proc(d, s, t));
	why_waiting(why, s, st_dump_pressure_pct(d, (uint32_t)k, ST_HAVE_PSI_CPU));
	why_memory(why, s, vmstat_for(d, (uint32_t)k),
		   st_dump_pressure_pct(d, (uint32_t)k, ST_HAVE_PSI_MEMORY));
	why_io(why, d, s, st_dump_pressure_pct(d, (uint32_t)k, ST_HAVE_PSI_IO), st_dump_find_proc(d, s, t));
	if ((double)s->forks_delta / interval_s >= ST_WHY_FORKS_PER_S) {
		struct line l = begin(why, "fork storm");
		part(&l, "%.0f forks/s", (double)s->forks_delta / interval_s);
		end(why);
	}
	if (t->pid == 0 && memory_trigger(t) &&
	    st_dump_where_memory(d, trigger, where, sizeof(where) - 16) == 0) {
		struct line l = begin(why, "memory grew");
		part(&l, "%s", where);
		end(why);
	}
}

/* ------------------------------------------------------------ memory */

int st_dump_where_memory(const struct st_dump *d, uint32_t trigger, char *buf, size_t len)
{
	int32_t k, first = -1, last = -1;

	if (len)
		buf[0] = '\0';
	if (!d || !d->triggers || trigger >= d->ntriggers || !d->samples || !len)
		return -1;
	k = d->triggers[trigger].sample_index;
	if (k < 0 || (uint32_t)k >= d->nsamples)
		return -1;
	/* From the window's first breakdown to the trigger's, or to the
	 * nearest after it when the trigger sample has none. */
	for (int32_t i = 0; i < (int32_t)d->nsamples; i++) {
		if (!(d->samples[i].have & ST_HAVE_MEM_DETAIL))
			continue;
		if (first < 0)
			first = i;
		if (i <= k || last <= first)
			last = i;
		if (i >= k && last > first)
			break;          /* the trigger's, or the first after it */
	}
	if (first < 0 || last <= first)
		return -1;
	struct st_mem_breakdown a = ST_MEM_BREAKDOWN_OF(&d->samples[first]);
	struct st_mem_breakdown b = ST_MEM_BREAKDOWN_OF(&d->samples[last]);
	return st_mem_where(&a, &b, ST_WHY_MEM_GREW_KIB, buf, len) > 0 ? 0 : -1;
}
