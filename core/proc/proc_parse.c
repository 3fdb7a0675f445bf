/*
 * Hand-rolled scanners for /proc text. These run for every process every
 * second, and the buffers come from pread() without a terminating NUL, so
 * nothing here uses the str*()/scanf() family: every read is bounded by an
 * explicit end pointer.
 */
#define _GNU_SOURCE
#include "proc/proc_parse.h"

#include <stdbool.h>
#include <string.h>

#include "proc/proc_scan.h"

/* ------------------------------------------------------- /proc/[pid]/stat */

#define PID_STAT_FIRST_NUM 4	/* fields 1-3 are pid, comm, state */
#define PID_STAT_LAST      24

/* Signedness of fields 4..24 in the kernel's format (fs/proc/array.c):
 * 'S' is %d/%ld (tpgid is -1 without a terminal, priority and nice go
 * negative), 'U' is %u/%lu/%llu. */
static const char pid_stat_kind[PID_STAT_LAST - PID_STAT_FIRST_NUM + 1] = {
	'S', 'S', 'S', 'S', 'S',		/* 4 ppid .. 8 tpgid */
	'U', 'U', 'U', 'U', 'U', 'U', 'U',	/* 9 flags .. 15 stime */
	'S', 'S', 'S', 'S', 'S', 'S',		/* 16 cutime .. 21 itrealvalue */
	'U', 'U',				/* 22 starttime, 23 vsize */
	'S',					/* 24 rss */
};

/* Fields 25 (rsslim) .. 42 (delayacct_blkio_ticks): all numbers, of
 * which 38 and 39 (exit_signal, processor) are %d. Optional: *blkio and
 * true when the line has them all, up to 42, well formed. */
#define PID_STAT_BLKIO 42

static bool scan_blkio(const char *p, const char *end, uint64_t *blkio)
{
	uint64_t v = 0;

	for (int i = PID_STAT_LAST + 1; i <= PID_STAT_BLKIO; i++) {
		if (p == end || *p != ' ')
			return false;
		p = skip_spaces(p, end);
		if (i == 38 || i == 39)
			p = scan_s64_floor0(p, end, &v);
		else
			p = scan_u64(p, end, &v);
		if (!p || !at_field_end(p, end))
			return false;
	}
	*blkio = v;
	return true;
}

int st_parse_pid_stat(const char *buf, size_t len, struct st_pid_stat *out)
{
	const char *end = buf + len;
	const char *open, *close, *p;
	uint64_t pid, f[PID_STAT_LAST + 1];
	size_t n;
	char state;

	if (!buf || !out || len == 0)
		return -1;

	/* comm is arbitrary bytes, so only its outermost parentheses can be
	 * trusted: the first '(' and the last ')'. */
	open = memchr(buf, '(', len);
	if (!open)
		return -1;
	close = memrchr(open, ')', (size_t)(end - open));
	if (!close)
		return -1;

	/* field 1: digits, then the space(s) before '(' and nothing else */
	p = scan_u64(buf, open, &pid);
	if (!p || pid > INT32_MAX || p == open || *p != ' ')
		return -1;
	if (skip_spaces(p, open) != open)
		return -1;

	/* field 3: one state byte */
	p = close + 1;
	if (p == end || *p != ' ')
		return -1;
	p = skip_spaces(p, end);
	if (p == end || *p == '\n')
		return -1;
	state = *p++;
	if (p == end || *p != ' ')
		return -1;

	for (int i = PID_STAT_FIRST_NUM; i <= PID_STAT_LAST; i++) {
		/* a number always ended at a space, newline or the end; only
		 * a space means another field follows */
		if (p == end || *p != ' ')
			return -1;
		p = skip_spaces(p, end);
		if (pid_stat_kind[i - PID_STAT_FIRST_NUM] == 'U')
			p = scan_u64(p, end, &f[i]);
		else
			p = scan_s64_floor0(p, end, &f[i]);
		if (!p || !at_field_end(p, end))
			return -1;
	}
	if (f[4] > INT32_MAX)
		return -1;
	uint64_t blkio = 0;
	bool have_blkio = scan_blkio(p, end, &blkio);

	/* Written only once the whole line parsed, so a caller that ignores
	 * -1 still never sees a half-new record. */
	out->pid = (int32_t)pid;
	out->state = state;
	out->ppid = (int32_t)f[4];
	out->minflt = f[10];
	out->majflt = f[12];
	out->utime = f[14];
	out->stime = f[15];
	out->cutime = f[16];
	out->cstime = f[17];
	out->num_threads = f[20];
	out->start_ticks = f[22];
	out->vsize = f[23];
	out->rss_pages = f[24];
	out->blkio_ticks = blkio;
	out->have = have_blkio ? ST_PID_STAT_BLKIO : 0;
	n = (size_t)(close - open - 1);
	if (n > ST_COMM_MAX - 1)
		n = ST_COMM_MAX - 1;
	memcpy(out->comm, open + 1, n);
	out->comm[n] = '\0';
	return 0;
}

/* -------------------------------------------------------------- /proc/stat */

/* "cpu" lines have had at least user, nice, system and idle since 2.4;
 * fewer than that is not a cpu line, more than 8 (guest, guest_nice) are
 * already included in user/nice and are only validated. */
#define CPU_MIN_FIELDS 4

static int parse_cpu_fields(const char *p, const char *eol,
			    struct st_cpu_times *t)
{
	uint64_t f[8] = { 0 }, ignored;
	unsigned n = 0;

	for (;;) {
		p = skip_spaces(p, eol);
		if (p == eol)
			break;
		p = scan_u64(p, eol, n < 8 ? &f[n] : &ignored);
		if (!p || !at_field_end(p, eol))
			return -1;
		n++;
	}
	if (n < CPU_MIN_FIELDS)
		return -1;
	t->user = f[0];
	t->nice = f[1];
	t->system = f[2];
	t->idle = f[3];
	t->iowait = f[4];
	t->irq = f[5];
	t->softirq = f[6];
	t->steal = f[7];
	return 0;
}



/* Returns -1 only for a malformed "cpu" total line: without it the file is
 * useless. Other malformed lines are skipped as if absent. */
static int parse_stat_line(const char *p, const char *eol,
			   struct st_proc_stat *out,
			   struct st_cpu_times *cores, uint32_t max_cores)
{
	uint64_t v;

	if (HAS_PREFIX(p, eol, "cpu")) {
		const char *q = p + 3;
		uint64_t n;
		struct st_cpu_times t;

		if (q < eol && *q == ' ') {
			if (parse_cpu_fields(q, eol, &out->total) < 0)
				return -1;
			out->have |= ST_PSTAT_CPU;
			return 0;
		}
		q = scan_u64(q, eol, &n);
		if (!q || q == eol || *q != ' ' || n >= ST_MAX_CORES)
			return 0;
		if (parse_cpu_fields(q, eol, &t) < 0)
			return 0;
		t.id = (uint32_t)n;
		if (out->ncores < max_cores)
			cores[out->ncores] = t;
		out->ncores++;
	} else if (HAS_PREFIX(p, eol, "ctxt")) {
		if (parse_single_u64(p + 4, eol, &v) == 0) {
			out->ctxt = v;
			out->have |= ST_PSTAT_CTXT;
		}
	} else if (HAS_PREFIX(p, eol, "intr ")) {
		/* the total, then one count per interrupt line */
		const char *q = scan_u64(skip_spaces(p + 5, eol), eol, &v);
		if (q && at_field_end(q, eol)) {
			out->intr = v;
			out->have |= ST_PSTAT_INTR;
		}
	} else if (HAS_PREFIX(p, eol, "processes")) {
		if (parse_single_u64(p + 9, eol, &v) == 0) {
			out->processes = v;
			out->have |= ST_PSTAT_PROCESSES;
		}
	} else if (HAS_PREFIX(p, eol, "procs_running")) {
		if (parse_single_u64(p + 13, eol, &v) == 0 && v <= UINT32_MAX) {
			out->procs_running = (uint32_t)v;
			out->have |= ST_PSTAT_RUNNING;
		}
	} else if (HAS_PREFIX(p, eol, "procs_blocked")) {
		if (parse_single_u64(p + 13, eol, &v) == 0 && v <= UINT32_MAX) {
			out->procs_blocked = (uint32_t)v;
			out->have |= ST_PSTAT_BLOCKED;
		}
	}
	return 0;
}

int st_parse_proc_stat(const char *buf, size_t len, struct st_proc_stat *out,
		       struct st_cpu_times *cores, uint32_t max_cores)
{
	if (!cores)
		max_cores = 0;
	if (!parse_start(buf, out, sizeof(*out)))
		return -1;
	/* next_line's memchr steps over the multi-kilobyte intr line fast */
	for (const char *cur = buf, *p, *eol; next_line(&cur, buf + len, &p, &eol);)
		if (parse_stat_line(p, eol, out, cores, max_cores) < 0)
			return -1;
	return (out->have & ST_PSTAT_CPU) ? 0 : -1;
}

/* ----------------------------------------------------------- /proc/meminfo */

#define KEY(k, field, bit) ST_KIB_KEY(k, struct st_meminfo, field, bit)
static const struct st_kib_key meminfo_keys[] = {
	KEY("MemTotal", mem_total_kib, ST_MEMINFO_TOTAL),
	KEY("MemFree", mem_free_kib, ST_MEMINFO_FREE),
	KEY("MemAvailable", mem_available_kib, ST_MEMINFO_AVAILABLE),
	KEY("SwapTotal", swap_total_kib, ST_MEMINFO_SWAPTOTAL),
	KEY("SwapFree", swap_free_kib, ST_MEMINFO_SWAPFREE),
	KEY("AnonPages", anon_kib, ST_MEMINFO_ANON),
	KEY("Cached", cached_kib, ST_MEMINFO_CACHED),
	KEY("Shmem", shmem_kib, ST_MEMINFO_SHMEM),
	KEY("SReclaimable", slab_reclaimable_kib, ST_MEMINFO_SRECLAIM),
	KEY("SUnreclaim", slab_unreclaimable_kib, ST_MEMINFO_SUNRECLAIM),
	KEY("Dirty", dirty_kib, ST_MEMINFO_DIRTY),
	KEY("Writeback", writeback_kib, ST_MEMINFO_WRITEBACK),
};
#undef KEY
#define NKEYS (sizeof(meminfo_keys) / sizeof(meminfo_keys[0]))

/* "   12345 kB" (/proc/PID/status aligns with a tab): the unit is
 * optional, anything else after the number makes the line malformed. */
static int parse_kib_value(const char *p, const char *eol, uint64_t *v)
{
	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	p = scan_u64(p, eol, v);
	if (!p)
		return -1;
	p = skip_spaces(p, eol);
	if (HAS_PREFIX(p, eol, "kB"))
		p = skip_spaces(p + 2, eol);
	return p == eol ? 0 : -1;
}

unsigned st_parse_kib_lines(const char *buf, size_t len, const struct st_kib_key *keys,
			    size_t nkeys, void *out)
{
	unsigned have = 0;

	if (!buf || !out)
		return 0;
	for (const char *cur = buf, *p, *eol; next_line(&cur, buf + len, &p, &eol);) {
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		const struct st_kib_key *k =
			colon ? find_key(keys, nkeys, p, (size_t)(colon - p)) : NULL;
		uint64_t v;
		/* a malformed value reads as an absent line */
		if (k && parse_kib_value(colon + 1, eol, &v) == 0) {
			memcpy((char *)out + k->offset, &v, sizeof(v));
			have |= k->bit;
		}
	}
	return have;
}

int st_parse_meminfo(const char *buf, size_t len, struct st_meminfo *out)
{
	if (!parse_start(buf, out, sizeof(*out)))
		return -1;
	out->have = st_parse_kib_lines(buf, len, meminfo_keys, NKEYS, out);
	return (out->have & ST_MEMINFO_TOTAL) ? 0 : -1;
}

/* ------------------------------------------------------------ /proc/uptime */

int st_parse_uptime(const char *buf, size_t len, double *seconds)
{
	const char *p, *end = buf + len;
	double v;

	if (!buf || !seconds || len == 0)
		return -1;
	p = scan_decimal(buf, end, &v);     /* "%lu.%02lu" */
	if (!p || !at_field_end(p, end))
		return -1;
	*seconds = v;
	return 0;
}

/* ------------------------------------------------------------------ cpu % */

/* A counter that went backwards (iowait does, and a hot-unplugged core
 * restarts from 0) contributes no time rather than a huge unsigned wrap. */
static inline double delta(uint64_t prev, uint64_t cur)
{
	return cur > prev ? (double)(cur - prev) : 0.0;
}

static inline double pct_of(double part, double whole)
{
	double r = 100.0 * part / whole;

	if (!(r >= 0.0))	/* also catches NaN */
		return 0.0;
	return r > 100.0 ? 100.0 : r;
}

void st_cpu_pct_between(const struct st_cpu_times *prev,
			const struct st_cpu_times *cur, struct st_cpu_pct *out)
{
	double user, nice, system, idle, iowait, irq, softirq, steal;
	double total, busy;

	memset(out, 0, sizeof(*out));
	if (!prev || !cur)
		return;
	user = delta(prev->user, cur->user);
	nice = delta(prev->nice, cur->nice);
	system = delta(prev->system, cur->system);
	idle = delta(prev->idle, cur->idle);
	iowait = delta(prev->iowait, cur->iowait);
	irq = delta(prev->irq, cur->irq);
	softirq = delta(prev->softirq, cur->softirq);
	steal = delta(prev->steal, cur->steal);

	/* Summed in double: eight 64-bit deltas can overflow a uint64_t sum
	 * but never a double. busy is total - idle - iowait, computed as the
	 * sum of the rest so it cannot exceed total through rounding. */
	busy = user + nice + system + irq + softirq + steal;
	total = busy + idle + iowait;
	if (total <= 0.0)
		return;
	out->total = pct_of(busy, total);
	out->user = pct_of(user + nice, total);
	out->system = pct_of(system + irq + softirq, total);
	out->iowait = pct_of(iowait, total);
	out->steal = pct_of(steal, total);
}
