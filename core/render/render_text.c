/*
 * The dump for people, in the layout users of the original spiketrace-view
 * know (=== spike trigger ===, === top processes by cpu/rss ===), plus a
 * timeline of the window so the shape of the spike shows (render_timeline.c).
 *
 * Every string that came from the dump goes through the terminal escaper:
 * a process can name itself "\e]0;pwned\a" or "\e[2J", and a viewer that
 * prints it raw hands that process the user's terminal. Colours are SGR
 * sequences we write ourselves, around text that is already escaped.
 */
#define _GNU_SOURCE
#include "render/render_text.h"
#include "render/render_ctx.h"
#include "dump/dump.h"
#include "dump/dump_why.h"
#include "text/term_text.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KIB_PER_GIB (1024.0 * 1024.0)
#define CMDLINE_SHOWN_MAX 512   /* escaped bytes of a command line shown */
#define COMM_COLUMNS 16         /* the kernel's 15 bytes and a space */
#define WHERE_MIN 8             /* a place cut narrower says too little */
#define WHERE_KEEP 16           /* what optional figures leave of a place */
#define WHERE_MAX (ST_DUMP_NAME_MAX + 32)
#define DEFAULT_TOP 10

/* ------------------------------------------------------------ numbers */

/* The original tool's table unit: whole MiB, rounded. */
static uint64_t kib_to_mib(uint64_t kib)
{
	return kib / 1024 + (kib % 1024 >= 512);
}

static int digits(uint64_t v)
{
	int n = 1;
	for (; v >= 10; v /= 10)
		n++;
	return n;
}

char *st_format_wall_time(char *buf, size_t len, int64_t wall_ns)
{
	int64_t sec = wall_ns / 1000000000LL, rem = wall_ns % 1000000000LL;
	char date[40];
	struct tm tm;
	time_t t;

	if (rem < 0) {
		rem += 1000000000LL;
		sec--;
	}
	t = (time_t)sec;
	if (gmtime_r(&t, &tm) && strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "%s.%03d UTC", date, (int)(rem / 1000000));
	else
		snprintf(buf, len, "unknown time");
	return buf;
}

char *st_format_trigger_value(char *buf, size_t len, const struct st_trigger *t, int ascii)
{
	char tmp[ST_TRIGGER_UNITS_MAX + 1], units[4 * ST_TRIGGER_UNITS_MAX + 1];

	st_escape_into(FIELD(t->units, tmp), units, sizeof(units), ascii, SIZE_MAX, NULL);
	if (strcmp(units, "pct") == 0)
		snprintf(buf, len, "%.1f%%", t->value);
	else if (strcmp(units, "kib") == 0)
		st_format_kib(buf, len, t->value, ST_SIZE_WHOLE);
	else
		snprintf(buf, len, "%g%s%s", t->value, *units ? " " : "", units);
	return buf;
}

/* Whether sample i covers a span other than the configured interval
 * (a fast or off-tick sample): more than 10 % off, so a late tick's
 * jitter is not news. */
static bool other_span(const struct st_dump *d, uint32_t i)
{
	return d->interval_s > 0 &&
	       fabs(sample_interval_s(d, i) - d->interval_s) > 0.1 * d->interval_s;
}

/*
 * Where a process runs, in a few words: its container (runtime and the
 * short id `docker ps` shows), else its systemd unit, else its slice; ""
 * when the dump says none (an older dump, or the root cgroup).
 */
const char *st_proc_where_label(const struct st_dump_proc *p, char *buf, size_t len)
{
	char tmp[ST_DUMP_NAME_MAX + 1], rt[sizeof(p->container_runtime) + 1];

	if (p->container_id[0])
		snprintf(buf, len, "%s %.12s", FIELD(p->container_runtime, rt),
			 FIELD(p->container_id, tmp));
	else if (p->unit[0])
		snprintf(buf, len, "%s", FIELD(p->unit, tmp));
	else if (p->slice[0])
		snprintf(buf, len, "%s", FIELD(p->slice, tmp));
	else
		buf[0] = '\0';
	return buf;
}

/* ------------------------------------------------------------ sections */

static void render_header(const struct render_ctx *c, const char *name)
{
	const struct st_dump *d = c->dump;
	char buf[4 * 256 + 1], kernel[4 * 256 + 1], tmp[256], date[64];

	esc(c, name ? name : FIELD(d->id, tmp), buf, sizeof(buf));
	sgr(c, SGR_HEADING);
	fprintf(c->out, "spike dump: %s", *buf ? buf : "(unnamed)");
	sgr_reset(c);
	fprintf(c->out, "\ntime: %s (monotonic %" PRId64 " ns)\n",
		st_format_wall_time(date, sizeof(date), d->wall_ns), d->mono_ns);

	esc(c, FIELD(d->host.hostname, tmp), buf, sizeof(buf));
	esc(c, FIELD(d->host.kernel, tmp), kernel, sizeof(kernel));
	fprintf(c->out, "host: %s (%s, %" PRIu32 " core%s, %.1f GiB)\n",
		*buf ? buf : "unknown", *kernel ? kernel : "unknown kernel",
		d->host.ncores, d->host.ncores == 1 ? "" : "s",
		(double)d->host.mem_total_kib / KIB_PER_GIB);
}

/* Within a KiB of rounding: the detectors work in KiB, the dump in doubles. */
static bool same_kib(double a, double b)
{
	return fabs(a - b) < 1.0;
}

/*
 * For a size trigger (value = change, baseline = level before), the
 * system figure of the trigger's sample that the change leads to: -1 with
 * *what = "available memory fell" when available memory is baseline -
 * value, +1 with "swap used grew" when swap use is baseline + value, 0
 * when neither fits (another detector's figure, or no sample).
 */
static int kib_change(const struct st_dump_sample *s, const struct st_trigger *t,
		      const char **what)
{
	if (!s)
		return 0;
	if (same_kib((double)s->mem_available_kib, t->baseline - t->value)) {
		*what = "available memory fell";
		return -1;
	}
	if (s->swap_total_kib >= s->swap_free_kib &&
	    same_kib((double)(s->swap_total_kib - s->swap_free_kib), t->baseline + t->value)) {
		*what = "swap used grew";
		return 1;
	}
	return 0;
}

static void render_value(const struct render_ctx *c, const struct st_trigger *t, const char *type,
			 const struct st_dump_sample *sample)
{
	double delta = t->value - t->baseline;
	char tmp[ST_TRIGGER_UNITS_MAX + 1], units[4 * ST_TRIGGER_UNITS_MAX + 1];

	esc(c, FIELD(t->units, tmp), units, sizeof(units));
	if (strcmp(units, "pct") == 0) {
		/* A process's percentage is its CPU; so is anything named so. */
		const char *label = t->pid > 0 || strstr(type, "cpu") ? "cpu" : "value";
		fprintf(c->out, "%s: %.1f%% (baseline: %.1f%%, delta: %+.1f%%, threshold: %.1f%%)\n",
			label, t->value, t->baseline, delta, t->threshold);
	} else if (strcmp(units, "kib") == 0) {
		/* A size trigger's value is already the change from the level
		 * in baseline (memory fell by it, swap grew by it): value -
		 * baseline means nothing. Which figure moved, and which way,
		 * is what the trigger's sample shows. */
		char v[32], b[32], th[32], to[32];
		const char *what = NULL;
		int dir = kib_change(sample, t, &what);
		st_format_kib(v, sizeof(v), t->value, ST_SIZE_WHOLE);
		st_format_kib(b, sizeof(b), t->baseline, ST_SIZE_WHOLE);
		st_format_kib(th, sizeof(th), t->threshold, ST_SIZE_WHOLE);
		if (dir)
			fprintf(c->out, "%s %s from %s to %s (threshold: %s)\n", what, v, b,
				st_format_kib(to, sizeof(to), t->baseline + dir * t->value, ST_SIZE_WHOLE), th);
		else
			fprintf(c->out, "change: %s from %s (threshold: %s)\n", v, b, th);
	} else {
		const char *sp = *units ? " " : "";
		fprintf(c->out, "value: %g%s%s (baseline: %g, delta: %+g, threshold: %g)\n",
			t->value, sp, units, t->baseline, delta, t->threshold);
	}
}

/*
 * prefix and ASCII text, broken after a ", " where the line would be
 * wider than TERM_COLUMNS; continuation lines are indented under the
 * text. A piece wider than a line on its own is written whole.
 */
static void put_wrapped(const struct render_ctx *c, const char *prefix, const char *text)
{
	size_t indent = strlen(prefix), col = indent;

	fputs(prefix, c->out);
	while (*text) {
		size_t n = strcspn(text, ",");
		n += text[n] == ',';            /* the comma stays on its line */
		if (col > indent && col + n > TERM_COLUMNS) {
			fprintf(c->out, "\n%*s", (int)indent, "");
			col = indent;
			while (*text == ' ') {
				text++;
				n--;
			}
		}
		fwrite(text, 1, n, c->out);
		col += n;
		text += n;
	}
	fputc('\n', c->out);
}

/* "why: ..." per cause the figures show, from the dump alone. */
static void render_why(const struct render_ctx *c, uint32_t i)
{
	struct st_why why;
	char buf[4 * ST_WHY_LEN + 1];

	st_dump_why(c->dump, i, &why);
	for (uint32_t k = 0; k < why.n; k++)
		put_wrapped(c, k ? "     " : "why: ", esc(c, why.reason[k], buf, sizeof(buf)));
}

/* Display columns of an already escaped string (its escapes are ASCII). */
static size_t display_width(const char *escaped, bool ascii)
{
	size_t cols;
	char buf[4 * ST_TRIGGER_SUMMARY_MAX + 1];
	st_escape_into(escaped, buf, sizeof(buf), ascii, SIZE_MAX, &cols);
	return cols;
}

/* raw escaped and cut to width columns (with the cut marker), no padding. */
static void render_cell_trimmed(const struct render_ctx *c, const char *raw, size_t width)
{
	char buf[1024];
	size_t cols, used = st_escape_into(raw, buf, sizeof(buf), c->ascii, width, &cols);
	if (raw[used]) {
		st_escape_into(raw, buf, sizeof(buf), c->ascii, width - 1, &cols);
		fputs(buf, c->out);
		fputs(c->ascii ? "~" : "\xe2\x80\xa6", c->out);
	} else {
		fputs(buf, c->out);
	}
}

/* Lines a long value (a cgroup path) may take before it is cut. */
#define FIELD_LINES_MAX 6

/* "label: value", the value escaped and wrapped under itself rather than
 * cut (a cgroup path or an id is something to copy), up to a few lines. */
static void render_field_line(const struct render_ctx *c, const char *label, const char *value)
{
	size_t indent = strlen(label) + 2, width = TERM_COLUMNS - indent, cols;
	char buf[1024];

	fprintf(c->out, "%s: ", label);
	for (int line = 0; line < FIELD_LINES_MAX; line++) {
		if (line)
			fprintf(c->out, "\n%*s", (int)indent, "");
		if (line == FIELD_LINES_MAX - 1) {
			render_cell_trimmed(c, value, width);
			break;
		}
		size_t used = st_escape_into(value, buf, sizeof(buf), c->ascii, width, &cols);
		fputs(buf, c->out);
		value += used;
		if (!*value || used == 0)
			break;
	}
	fputc('\n', c->out);
}

/* The blamed process's cgroup and what it names, its I/O and swap. */
static void render_place(const struct render_ctx *c, const struct st_dump_proc *p)
{
	char tmp[ST_DUMP_NAME_MAX + 1], line[2 * ST_DUMP_NAME_MAX + 64];

	if (p->container_id[0]) {
		char rt[sizeof(p->container_runtime) + 1], id[sizeof(p->container_id) + 1];
		if (p->pod_uid[0])
			snprintf(line, sizeof(line), "%s (pod %s)", FIELD(p->container_runtime, rt),
				 FIELD(p->pod_uid, tmp));
		else
			snprintf(line, sizeof(line), "%s", FIELD(p->container_runtime, rt));
		render_field_line(c, "container", line);
		render_field_line(c, "container id", FIELD(p->container_id, id));
	}
	if (p->unit[0]) {
		char slice[ST_DUMP_NAME_MAX + 1], user[48] = "";
		if ((p->flags & ST_DUMP_PROC_USER_UNIT) && p->user_uid >= 0)
			snprintf(user, sizeof(user), " (user unit of uid %" PRId64 ")", p->user_uid);
		else if (p->flags & ST_DUMP_PROC_USER_UNIT)
			snprintf(user, sizeof(user), " (user unit)");
		snprintf(line, sizeof(line), "%s%s%s%s", FIELD(p->unit, tmp), user,
			 p->slice[0] ? " in " : "", FIELD(p->slice, slice));
		render_field_line(c, "unit", line);
	}
	if (p->session[0]) {
		char sess[sizeof(p->session) + 1];
		if (p->user_uid >= 0)
			snprintf(line, sizeof(line), "%s (uid %" PRId64 ")", FIELD(p->session, sess),
				 p->user_uid);
		else
			snprintf(line, sizeof(line), "%s", FIELD(p->session, sess));
		render_field_line(c, "session", line);
	}
	if (p->cgroup)
		render_field_line(c, "cgroup", p->cgroup);
	if (p->io_read_bytes >= 0 || p->io_write_bytes >= 0) {
		char r[32] = "unknown", w[32] = "unknown";
		if (p->io_read_bytes >= 0)
			st_format_kib(r, sizeof(r), (double)p->io_read_bytes / 1024.0, ST_SIZE_WHOLE);
		if (p->io_write_bytes >= 0)
			st_format_kib(w, sizeof(w), (double)p->io_write_bytes / 1024.0, ST_SIZE_WHOLE);
		fprintf(c->out, "io: %s read, %s written from storage since start\n", r, w);
	} else if (p->cgroup) {
		/* A dump that has the place read io too: it was refused. */
		fputs("io: unknown (not readable: another user's needs root or CAP_SYS_PTRACE)\n",
		      c->out);
	}
	if (p->swap_kib > 0) {
		char sw[32];
		fprintf(c->out, "swapped out: %s\n",
			st_format_kib(sw, sizeof(sw), (double)p->swap_kib, ST_SIZE_WHOLE));
	}
}

/* The blamed process's CPU split, block I/O wait and size in threads and
 * address space: was it user or kernel time, was it waiting for the
 * disk. Each only when known; nothing for a record not re-read. */
static void render_proc_figures(const struct render_ctx *c, const struct st_dump_proc *p)
{
	const char *avg = p->flags & ST_PROC_NEW ? ", average since it started" : "";
	bool measured = !(p->flags & ST_PROC_CARRIED);

	if (measured && p->user_cpu_pct >= 0 && p->system_cpu_pct >= 0 &&
	    p->user_cpu_pct + p->system_cpu_pct >= 0.05)
		fprintf(c->out, "cpu split: user %.1f%%, system %.1f%% (of one core%s)\n",
			p->user_cpu_pct, p->system_cpu_pct, avg);
	if (measured && p->blkio_delay_pct > 0)
		fprintf(c->out, "block i/o wait: %.0f%% of the interval%s\n",
			p->blkio_delay_pct, avg);
	if (p->num_threads > 0) {
		char vs[32];
		fprintf(c->out, "threads: %" PRId64 ", vsize %s (as last read)\n", p->num_threads,
			st_format_kib(vs, sizeof(vs), (double)p->vsize_kib, ST_SIZE_WHOLE));
	}
}

/* The blamed process's busiest threads: where its CPU went inside it. */
static void render_threads(const struct render_ctx *c, const struct st_dump_proc *p)
{
	uint32_t n = p->nthreads < ST_DUMP_THREADS_MAX ? p->nthreads : ST_DUMP_THREADS_MAX;
	char tmp[ST_COMM_MAX + 1];
	int tidw = 5;

	if (n == 0)
		return;
	fprintf(c->out, "busiest threads (cpu since each started%s):\n",
		p->flags & ST_DUMP_PROC_THREADS_TRUNCATED ? ", of the first tasks read" : "");
	for (uint32_t i = 0; i < n; i++) {
		int w = digits((uint64_t)(p->threads[i].tid > 0 ? p->threads[i].tid : 0));
		tidw = w > tidw ? w : tidw;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct st_dump_thread *t = &p->threads[i];
		fprintf(c->out, "  [%*" PRId32 "] ", tidw, t->tid);
		st_render_cell(c->out, FIELD(t->comm, tmp), COMM_COLUMNS, c->ascii);
		fprintf(c->out, " %.2f s user, %.2f s system\n", t->utime_s, t->stime_s);
	}
}

/* The exited group a trigger names, in its sample. */
static const struct st_exited_group *exited_in_sample(const struct render_ctx *c,
						      const struct st_dump_sample *s,
						      const struct st_trigger *t)
{
	for (uint32_t i = 0; s->exited && i < s->nexited; i++) {
		const struct st_exited_group *g = st_dump_exited(c->dump, s, i);
		if (!(g->flags & ST_EXITED_REST) &&
		    !strncmp(g->comm, t->comm, sizeof(g->comm)))
			return g;
	}
	return NULL;
}

/* "forked by sh [812], reaped by [1]": who started them, who ended them. */
static void render_group_origin(const struct render_ctx *c, const struct st_exited_group *g)
{
	char name[4 * ST_COMM_MAX + 1], tmp[ST_COMM_MAX + 1];
	if (g->parent_comm[0] || g->parent_pid > 0) {
		fprintf(c->out, "forked by: %s", g->parent_comm[0] ?
			esc(c, FIELD(g->parent_comm, tmp), name, sizeof(name)) : "?");
		if (g->parent_pid > 0)
			fprintf(c->out, " [%" PRId32 "]", g->parent_pid);
		fputc('\n', c->out);
	}
	if (g->reaper_pid > 0)
		fprintf(c->out, "reaped by: [%" PRId32 "]\n", g->reaper_pid);
}

static void render_trigger(const struct render_ctx *c, uint32_t i)
{
	const struct st_dump *d = c->dump;
	const struct st_dump_trigger *dt = &d->triggers[i];
	const struct st_trigger *t = &dt->trigger;
	const struct st_dump_proc *p = NULL;
	char type[4 * ST_TRIGGER_TYPE_MAX + 1], buf[4 * ST_TRIGGER_SUMMARY_MAX + 1];
	char tmp[ST_TRIGGER_SUMMARY_MAX + 1];
	bool in_window = dt->sample_index >= 0 && (uint32_t)dt->sample_index < d->nsamples &&
			 d->samples;

	esc(c, FIELD(t->type, tmp), type, sizeof(type));
	heading(c, "spike trigger");
	fputs("\ntype: ", c->out);
	sgr(c, SGR_ALERT);
	fputs(*type ? type : "unknown", c->out);
	sgr_reset(c);
	fputc('\n', c->out);
	/* Offsets count from the first trigger's sample; later triggers of
	 * the same incident say how much later they fired. */
	if (i > 0 && in_window)
		fprintf(c->out, "at: %+.1f s from the first trigger\n",
			offset_s(&d->samples[dt->sample_index]));
	if (t->pid > 0) {
		char where[WHERE_MAX];
		if (in_window)
			p = st_dump_find_proc(d, &d->samples[dt->sample_index], t);
		fprintf(c->out, "process: ");
		sgr(c, SGR_HEADING);
		fprintf(c->out, "[%" PRId32 "] %s", t->pid, esc(c, FIELD(t->comm, tmp), buf, sizeof(buf)));
		sgr_reset(c);
		/* Beside the name, cut so the line stays in 80 columns. */
		if (p && *st_proc_where_label(p, where, sizeof(where))) {
			int used = snprintf(NULL, 0, "process: [%" PRId32 "] ", t->pid) +
				   (int)display_width(buf, c->ascii);
			int room = TERM_COLUMNS - used - 2;
			if (room > 8) {
				fputs("  ", c->out);
				render_cell_trimmed(c, where, (size_t)room);
			}
		}
		fputc('\n', c->out);
	} else if (t->exited_count) {
		const struct st_exited_group *g =
			in_window ? exited_in_sample(c, &d->samples[dt->sample_index], t) : NULL;
		fprintf(c->out, "processes: ");
		sgr(c, SGR_HEADING);
		fprintf(c->out, "%s x%" PRIu32, esc(c, FIELD(t->comm, tmp), buf, sizeof(buf)),
			t->exited_count);
		sgr_reset(c);
		fputs(", exited between two samples\n", c->out);
		if (g)
			render_group_origin(c, g);
	} else {
		fprintf(c->out, "process: none (system-wide)\n");
	}
	if (p && p->cmdline) {
		char cmd[CMDLINE_SHOWN_MAX + 1];
		size_t shown = st_escape_into(p->cmdline, cmd, sizeof(cmd), c->ascii, SIZE_MAX, NULL);
		fprintf(c->out, "command: %s%s\n", cmd,
			p->cmdline[shown] || (p->flags & ST_DUMP_PROC_CMDLINE_TRUNCATED) ?
			"..." : "");
	}
	/* A setuid program runs with another effective uid: say both. */
	if (p && p->uid >= 0) {
		fprintf(c->out, "uid: %" PRId64, p->uid);
		if (p->euid >= 0 && p->euid != p->uid)
			fprintf(c->out, " (effective %" PRId64 ")", p->euid);
		fputc('\n', c->out);
	}
	if (p) {
		render_proc_figures(c, p);
		render_place(c, p);
	}
	render_value(c, t, type, in_window ? &d->samples[dt->sample_index] : NULL);
	esc(c, FIELD(t->summary, tmp), buf, sizeof(buf));
	if (*buf)
		fprintf(c->out, "summary: %s\n", buf);
	if (p)
		render_threads(c, p);
	render_why(c, i);
}

/* How a record was measured, beside its figures: a carried record was not
 * re-read (its cpu is no measurement, its rss as last read), a first-seen
 * one's cpu is its average since it started. */
static const char *measured_mark(const struct st_dump_proc *p)
{
	if (p->flags & ST_PROC_CARRIED)
		return "carried";
	if (p->flags & ST_PROC_NEW)
		return "avg since start";
	return NULL;
}

static bool is_blamed(const struct render_ctx *c, const struct st_dump_proc *p)
{
	for (uint32_t i = 0; c->dump->triggers && i < c->dump->ntriggers; i++)
		if (st_dump_proc_is(p, &c->dump->triggers[i].trigger))
			return true;
	return false;
}

/*
 * How busy each CPU was, labelled by its id (an offline CPU leaves a gap:
 * the third figure may be cpu3's), a few to a line so 64 cores still fit.
 */
#define CORES_PER_LINE 8

static void render_cores(const struct render_ctx *c, const struct st_dump_sample *s)
{
	if (!s->core_busy_pct || s->ncores == 0)
		return;
	fputs("cores busy:", c->out);
	for (uint32_t i = 0; i < s->ncores; i++) {
		if (i > 0 && i % CORES_PER_LINE == 0)
			fputs("\n           ", c->out);       /* under the first */
		fprintf(c->out, "  cpu%" PRIu32 " %.1f%%", s->core_id ? s->core_id[i] : i,
			s->core_busy_pct[i]);
	}
	fputc('\n', c->out);
}

/* A row's figures, after the name: cpu (own + children) and rss, or rss
 * and cpu; with_sys: the kernel's part of the cpu beside it. Returns the
 * length (ASCII: the columns). */
static int format_figures(char *buf, size_t len, const struct st_dump_proc *p, bool by_cpu,
			  int valw, bool with_sys)
{
	int n;
	if (by_cpu) {
		n = snprintf(buf, len, "%*.1f%%", valw, p->cpu_pct);
		if (with_sys && n >= 0 && (size_t)n < len) {
			double sys = 100.0 * p->system_cpu_pct / p->cpu_pct;
			n += snprintf(buf + n, len - (size_t)n, " (%.0f%% sys)", sys > 100 ? 100 : sys);
		}
		/* Reaped children's CPU is how a make full of short
		 * compilers shows up: it belongs next to the parent's. */
		if (p->children_cpu_pct > 0 && n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - (size_t)n, " + %.1f%% children",
				      p->children_cpu_pct);
		if (n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - (size_t)n, "  (rss: %" PRIu64 " mib)",
				      kib_to_mib(p->rss_kib));
	} else {
		n = snprintf(buf, len, "%*" PRIu64 " mib  (cpu: %.1f%%)", valw,
			     kib_to_mib(p->rss_kib), p->cpu_pct);
	}
	if (n >= 0 && (size_t)n < len && measured_mark(p))
		n += snprintf(buf + n, len - (size_t)n, "  [%s]", measured_mark(p));
	return n < 0 ? 0 : (size_t)n < len ? n : (int)len - 1;
}

/* The figures in at most room columns where they can be: the kernel's
 * share of the cpu ("(20% sys)", when it had some) is left out of a row
 * it would push past them. */
static int row_figures(char *buf, size_t len, const struct st_dump_proc *p, bool by_cpu,
		       int valw, size_t room)
{
	bool sys = by_cpu && !(p->flags & ST_PROC_CARRIED) && p->cpu_pct > 0 &&
		   100.0 * p->system_cpu_pct / p->cpu_pct >= 0.5;
	int n = format_figures(buf, len, p, by_cpu, valw, sys);
	if (sys && (size_t)n > room)
		n = format_figures(buf, len, p, by_cpu, valw, false);
	return n;
}

/*
 * One ranked table. Columns are sized to the widest pid and figure shown,
 * and the name is cut or padded to COMM_COLUMNS, so that rows line up
 * whatever the kernel (pids up to 4194304) or a process (its name) says.
 */
static void render_table(const struct render_ctx *c, uint32_t index, bool by_cpu)
{
	const struct st_dump_sample *s = &c->dump->samples[index];
	const struct st_dump_proc *procs = by_cpu ? s->top_cpu : s->top_rss;
	uint32_t n = procs ? (by_cpu ? s->ntop_cpu : s->ntop_rss) : 0;
	int rankw, pidw = 5, valw = 5;
	char val[32], tmp[ST_COMM_MAX + 1];

	heading(c, by_cpu ? "top processes by cpu" : "top processes by rss");
	if (by_cpu) {
		char span[32];
		fprintf(c->out, "   (sample %" PRIu32 " at %+.1f s", index, offset_s(s));
		/* Its figures are rates over a shorter span: say which. */
		if (other_span(c->dump, index))
			fprintf(c->out, ", over %s s",
				format_span(span, sizeof(span), sample_interval_s(c->dump, index)));
		fputc(')', c->out);
	}
	fputc('\n', c->out);
	if (by_cpu)
		render_cores(c, s);
	if (n == 0) {
		fprintf(c->out, "    (no processes recorded)\n");
		return;
	}
	if (n > c->top)
		n = c->top;
	rankw = digits(n) > 2 ? digits(n) : 2;
	for (uint32_t i = 0; i < n; i++) {
		int w = digits((uint64_t)(procs[i].pid > 0 ? procs[i].pid : 0));
		pidw = w > pidw ? w : pidw;
		if (by_cpu)
			w = snprintf(val, sizeof(val), "%.1f", procs[i].cpu_pct);
		else
			w = snprintf(val, sizeof(val), "%" PRIu64, kib_to_mib(procs[i].rss_kib));
		valw = w > valw ? w : valw;
	}
	char place[WHERE_MAX], fig[160];
	bool carried = false, since_start = false;
	for (uint32_t i = 0; i < n; i++) {
		const struct st_dump_proc *p = &procs[i];
		bool mark = is_blamed(c, p);

		if (mark)
			sgr(c, SGR_BLAMED);
		fprintf(c->out, "%*" PRIu32 ". [%*" PRId32 "] ", rankw, i + 1, pidw, p->pid);
		st_render_cell(c->out, FIELD(p->comm, tmp), COMM_COLUMNS, c->ascii);
		fputc(' ', c->out);
		/* "%*u. [%*d] ", the name and a space */
		size_t lead = (size_t)rankw + 3 + (size_t)pidw + 2 + COMM_COLUMNS + 1;
		/* the figures may not cut where it runs short of WHERE_KEEP */
		size_t keep = 0;
		if (*st_proc_where_label(p, place, sizeof(place))) {
			size_t w = display_width(place, c->ascii);
			keep = 2 + (w < WHERE_KEEP ? w : WHERE_KEEP);
		}
		size_t used = lead + (size_t)row_figures(fig, sizeof(fig), p, by_cpu, valw,
							 TERM_COLUMNS > lead + keep ?
							 TERM_COLUMNS - lead - keep : 0);
		fputs(fig, c->out);
		/* Where it runs, after the figures (which stay aligned), cut
		 * to what the 80 columns leave; left out when that is too
		 * little to say anything (the trigger section has it all). */
		if (*place && used + 2 + WHERE_MIN <= TERM_COLUMNS) {
			fputs("  ", c->out);
			render_cell_trimmed(c, place, TERM_COLUMNS - used - 2);
		}
		carried |= (p->flags & ST_PROC_CARRIED) != 0;
		since_start |= (p->flags & (ST_PROC_CARRIED | ST_PROC_NEW)) == ST_PROC_NEW;
		if (mark)
			sgr_reset(c);
		fputc('\n', c->out);
	}
	if (carried)
		fputs("    [carried]: not re-read this sample: cpu not measured, "
		      "rss and state as last read\n", c->out);
	if (since_start)
		fputs("    [avg since start]: first seen this sample: cpu is its "
		      "average since start\n", c->out);
}

/* The processes that began and ended since the previous sample, by
 * group: only when there were any. */
static void render_exited(const struct render_ctx *c, uint32_t index)
{
	const struct st_dump *d = c->dump;
	const struct st_dump_sample *s = &d->samples[index];
	char tmp[ST_COMM_MAX + 1], name[4 * ST_COMM_MAX + 1], fig[96], rss[32];
	const char *mode = st_exits_mode_name(d->exit_mode);
	if ((!s->exited || !s->nexited) && !s->exits_lost)
		return;
	heading(c, "exited since the sample before");
	fprintf(c->out, "   (seen by %s", mode ? mode : "?");
	if (other_span(d, index))
		fprintf(c->out, ", over %s s",
			format_span(fig, sizeof(fig), sample_interval_s(d, index)));
	fputs(")\n", c->out);
	bool estimate = false;
	for (uint32_t i = 0; s->exited && i < s->nexited; i++) {
		const struct st_exited_group *g = st_dump_exited(d, s, i);
		fprintf(c->out, "%6" PRIu32 " x ", g->count);
		st_render_cell(c->out, FIELD(g->comm, tmp), COMM_COLUMNS, c->ascii);
		int n = snprintf(fig, sizeof(fig), " cpu %5.1f%%", (double)g->cpu_pct);
		if (g->flags & ST_EXITED_TASKSTATS && g->peak_rss_kib)
			n += snprintf(fig + n, sizeof(fig) - (size_t)n, "  peak rss %s",
				      st_format_kib(rss, sizeof(rss), (double)g->peak_rss_kib, ST_SIZE_WHOLE));
		fputs(fig, c->out);
		if (g->parent_comm[0])
			fprintf(c->out, "  from %s", esc(c, FIELD(g->parent_comm, tmp), name,
							 sizeof(name)));
		if (g->flags & ST_EXITED_ESTIMATE) {
			fputs(" [est]", c->out);
			estimate = true;
		}
		if (g->cpu_unknown)
			fprintf(c->out, " (%" PRIu32 " unread)", g->cpu_unknown);
		fputc('\n', c->out);
	}
	if (estimate)
		fputs("    [est]: cpu from the zombie's stat in clock ticks, "
		      "no memory figures\n", c->out);
	if (s->exits_lost == 1)
		fputs("    the kernel dropped events once: some exits are missing\n", c->out);
	else if (s->exits_lost)
		fprintf(c->out, "    the kernel dropped events %" PRIu32 " times: "
			"some exits are missing\n", s->exits_lost);
}

/* One sample's tables, those of want. */
static void render_tables(const struct render_ctx *c, uint32_t index, unsigned want)
{
	if (want & ST_RENDER_CPU)
		render_table(c, index, true);
	if (want & ST_RENDER_EXITED)
		render_exited(c, index);
	if (want & ST_RENDER_RSS)
		render_table(c, index, false);
}

void st_render_dump(FILE *out, const struct st_dump *dump, const struct st_render_opts *opts)
{
	static const struct st_render_opts defaults = { .sample_index = -1 };
	struct render_ctx c = { .out = out, .dump = dump };
	unsigned want;
	int32_t index;

	if (!out || !dump)
		return;
	if (!opts)
		opts = &defaults;
	c.color = opts->color != 0;
	c.ascii = opts->ascii != 0;
	c.top = opts->top > 0 ? (uint32_t)opts->top : DEFAULT_TOP;
	/* The timeline follows one process: the first one a trigger blamed. */
	for (uint32_t i = 0; dump->triggers && i < dump->ntriggers && !c.blamed; i++)
		if (dump->triggers[i].trigger.pid > 0)
			c.blamed = &dump->triggers[i].trigger;

	want = opts->sections ? opts->sections : ~0u;
	if (want & ST_RENDER_HEADER)
		render_header(&c, opts->name);
	if ((want & ST_RENDER_TRIGGERS) && (dump->ntriggers == 0 || !dump->triggers)) {
		heading(&c, "spike trigger");
		fputs("\n(none recorded)\n", out);
	}
	for (uint32_t i = 0; (want & ST_RENDER_TRIGGERS) && dump->triggers && i < dump->ntriggers; i++)
		render_trigger(&c, i);

	if (!(want & (ST_RENDER_CPU | ST_RENDER_EXITED | ST_RENDER_RSS | ST_RENDER_TIMELINE)))
		return;
	if (dump->nsamples == 0 || !dump->samples) {
		fprintf(out, "\n(no samples recorded)\n");
		return;
	}
	if (opts->all_samples) {
		for (uint32_t i = 0; i < dump->nsamples; i++)
			render_tables(&c, i, want);
	} else {
		index = opts->sample_index >= 0 ? opts->sample_index : dump->trigger_index;
		/* No trigger sample in the window (or a bad request): the
		 * newest is the best stand-in, the closest to the dump. */
		if (index < 0 || (uint32_t)index >= dump->nsamples)
			index = (int32_t)dump->nsamples - 1;
		render_tables(&c, (uint32_t)index, want);
	}
	if (want & ST_RENDER_TIMELINE)
		st_render_timeline(&c);
}
