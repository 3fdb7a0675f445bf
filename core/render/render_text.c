/*
 * The dump for people, in the layout users of the original spiketrace-view
 * know (=== spike trigger ===, === top processes by cpu/rss ===), plus a
 * timeline of the window so the shape of the spike shows.
 *
 * Every string that came from the dump goes through the terminal escaper:
 * a process can name itself "\e]0;pwned\a" or "\e[2J", and a viewer that
 * prints it raw hands that process the user's terminal. Colours are SGR
 * sequences we write ourselves, around text that is already escaped.
 */
#define _GNU_SOURCE
#include "render/render_text.h"
#include "dump/dump.h"
#include "dump/dump_why.h"
#include "text/term_text.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_PER_S 1e9
#define KIB_PER_GIB (1024.0 * 1024.0)
#define CMDLINE_SHOWN_MAX 512   /* escaped bytes of a command line shown */
#define COMM_COLUMNS 16         /* the kernel's 15 bytes and a space */
#define WHERE_MIN 8             /* a place cut narrower says too little */
#define WHERE_KEEP 16           /* what optional figures leave of a place */
#define WHERE_MAX (ST_DUMP_NAME_MAX + 32)
#define DEFAULT_TOP 10
#define SPARK_MAX 38            /* sparkline characters: longer windows are
                                   bucketed so that label, line and range
                                   ("  16384.0 GiB (range 1023 KiB)", 30)
                                   fit 80 columns */
#define TERM_COLUMNS 80
#define ST_TRIGGER_MAX_SHOWN 8   /* trigger types named in one timeline row */
#define SPARK_LABEL 12          /* "blamed cpu" and two spaces */
#define FAST_SPARK_LABEL 17     /* "mem avail 10 Hz" and two spaces */
#define FAST_SPARK_MAX 32       /* characters of a fast row's line */

#define SGR_HEADING   "1"       /* bold */
#define SGR_ALERT     "1;31"    /* bold red: what fired */
#define SGR_BLAMED    "33"      /* yellow: the blamed process in tables */
#define SGR_SPARK     "36"      /* cyan */

/* A fixed-size model field as a C string: it need not be terminated. */
#define FIELD(field, tmp) field_cstr((field), sizeof(field), (tmp), sizeof(tmp))

static const char *field_cstr(const char *field, size_t size, char *tmp, size_t tmplen)
{
	size_t len = strnlen(field, size);

	if (len >= tmplen)
		len = tmplen - 1;
	memcpy(tmp, field, len);
	tmp[len] = '\0';
	return tmp;
}

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

/* ------------------------------------------------------------ output */

struct ctx {
	FILE *out;
	const struct st_dump *dump;
	bool color, ascii;
	uint32_t top;
	const struct st_trigger *blamed;    /* the first trigger with a process */
};

static const char *esc(const struct ctx *c, const char *in, char *out, size_t outlen)
{
	st_escape_into(in, out, outlen, c->ascii, SIZE_MAX, NULL);
	return out;
}

static void sgr(const struct ctx *c, const char *code)
{
	if (c->color)
		fprintf(c->out, "\x1b[%sm", code);
}

static void sgr_reset(const struct ctx *c)
{
	if (c->color)
		fputs("\x1b[0m", c->out);
}

/* "=== title ===" after a blank line; the caller ends the line. */
static void heading(const struct ctx *c, const char *title)
{
	fputc('\n', c->out);
	sgr(c, SGR_HEADING);
	fprintf(c->out, "=== %s ===", title);
	sgr_reset(c);
}

static double offset_s(const struct st_dump_sample *s)
{
	return (double)s->offset_ns / NS_PER_S;
}

/*
 * The time sample i's rates cover, as far as the dump tells: its own
 * interval, else (an older dump) the time since the sample before, else
 * for a fast sample the fast interval; 0 when none of these is known.
 */
static double known_interval_s(const struct st_dump *d, uint32_t i)
{
	const struct st_dump_sample *s = &d->samples[i];

	if (s->interval_s > 0)
		return s->interval_s;
	if (i > 0 && s->mono_ns > d->samples[i - 1].mono_ns)
		return (double)(s->mono_ns - d->samples[i - 1].mono_ns) / NS_PER_S;
	if ((s->flags & ST_SAMPLE_FAST) && d->fast_interval_s > 0)
		return d->fast_interval_s;
	return 0;
}

/* The same, or where it is not known (the first sample of an older dump)
 * the configured interval. */
static double sample_interval_s(const struct st_dump *d, uint32_t i)
{
	double known = known_interval_s(d, i);

	return known > 0 ? known : d->interval_s;
}

/* A span in seconds as a row can hold it: "0.1", "0.35", "2.5", "12". */
static const char *format_span(char *buf, size_t len, double s)
{
	snprintf(buf, len, s >= 10 ? "%.0f" : "%.2g", s);
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

/* A sample taken on the tick, not between two (fast, off-tick). */
static bool is_tick(const struct st_dump_sample *s)
{
	return !(s->flags & (ST_SAMPLE_FAST | ST_SAMPLE_OFF_TICK));
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

static void render_header(const struct ctx *c, const char *name)
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

static void render_value(const struct ctx *c, const struct st_trigger *t, const char *type,
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
static void put_wrapped(const struct ctx *c, const char *prefix, const char *text)
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
static void render_why(const struct ctx *c, uint32_t i)
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
static void render_cell_trimmed(const struct ctx *c, const char *raw, size_t width)
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
static void render_field_line(const struct ctx *c, const char *label, const char *value)
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
static void render_place(const struct ctx *c, const struct st_dump_proc *p)
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
static void render_proc_figures(const struct ctx *c, const struct st_dump_proc *p)
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
static void render_threads(const struct ctx *c, const struct st_dump_proc *p)
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
static const struct st_exited_group *exited_in_sample(const struct ctx *c,
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
static void render_group_origin(const struct ctx *c, const struct st_exited_group *g)
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

static void render_trigger(const struct ctx *c, uint32_t i)
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

static bool is_blamed(const struct ctx *c, const struct st_dump_proc *p)
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

static void render_cores(const struct ctx *c, const struct st_dump_sample *s)
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
static void render_table(const struct ctx *c, uint32_t index, bool by_cpu)
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
static void render_exited(const struct ctx *c, uint32_t index)
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

/* ------------------------------------------------------------ timeline */

typedef double (*series_get)(const struct ctx *c, const struct st_dump_sample *s);

static double get_cpu(const struct ctx *c, const struct st_dump_sample *s)
{
	(void)c;
	return s->cpu_total_pct;
}

static double get_avail(const struct ctx *c, const struct st_dump_sample *s)
{
	(void)c;
	return (double)s->mem_available_kib;
}

static double get_swap(const struct ctx *c, const struct st_dump_sample *s)
{
	(void)c;
	return s->swap_total_kib > s->swap_free_kib ?
	       (double)(s->swap_total_kib - s->swap_free_kib) : 0.0;
}

/* NAN where the sample does not hold the process: not yet started, gone,
 * or (before the trigger) too small for the dump to keep. */
static double get_proc_cpu(const struct ctx *c, const struct st_dump_sample *s)
{
	const struct st_dump_proc *p = st_dump_find_proc(c->dump, s, c->blamed);
	/* A carried record's cpu was not measured: no figure, not a 0. */
	return p && !(p->flags & ST_PROC_CARRIED) ? p->cpu_pct : NAN;
}

static double get_proc_rss(const struct ctx *c, const struct st_dump_sample *s)
{
	const struct st_dump_proc *p = st_dump_find_proc(c->dump, s, c->blamed);
	return p ? (double)p->rss_kib : NAN;
}

/* Evidence the sample did not measure is NAN: a gap, not a 0. */
static double get_psi(const struct ctx *c, const struct st_dump_sample *s, uint32_t bit)
{
	return st_dump_pressure_pct(c->dump, (uint32_t)(s - c->dump->samples), bit);
}

static double get_psi_cpu(const struct ctx *c, const struct st_dump_sample *s)
{
	return get_psi(c, s, ST_HAVE_PSI_CPU);
}

static double get_psi_memory(const struct ctx *c, const struct st_dump_sample *s)
{
	return get_psi(c, s, ST_HAVE_PSI_MEMORY);
}

static double get_psi_io(const struct ctx *c, const struct st_dump_sample *s)
{
	return get_psi(c, s, ST_HAVE_PSI_IO);
}

static double get_load(const struct ctx *c, const struct st_dump_sample *s)
{
	(void)c;
	return s->have & ST_HAVE_LOADAVG ? s->load1 : NAN;
}

static double get_anon(const struct ctx *c, const struct st_dump_sample *s)
{
	(void)c;
	return s->have & ST_HAVE_MEM_DETAIL ? (double)s->anon_kib : NAN;
}

static double get_cache(const struct ctx *c, const struct st_dump_sample *s)
{
	(void)c;
	return s->have & ST_HAVE_MEM_DETAIL ? (double)s->cached_kib : NAN;
}

enum scale { SCALE_MACHINE_PCT, SCALE_PROC_PCT, SCALE_KIB, SCALE_LOAD };

struct series {
	const char *label;
	series_get get;
	enum scale scale;
	double min_span_kib;    /* SCALE_KIB: a smaller change is noise and
	                           must not fill the whole height */
	bool low_is_news;       /* bucketed by the minimum, not the maximum */
	bool per_process;
	double (*fast)(const struct st_dump_fast *f);  /* fast_series: NAN if not measured */
};

static const struct series series[] = {
	{ "cpu",        get_cpu,      SCALE_MACHINE_PCT, 0,         false, false, NULL },
	{ "cpu psi",    get_psi_cpu,  SCALE_MACHINE_PCT, 0,         false, false, NULL },
	{ "load1",      get_load,     SCALE_LOAD,        0,         false, false, NULL },
	{ "mem avail",  get_avail,    SCALE_KIB,         64 * 1024, true,  false, NULL },
	{ "mem psi",    get_psi_memory, SCALE_MACHINE_PCT, 0,       false, false, NULL },
	{ "anon",       get_anon,     SCALE_KIB,         64 * 1024, false, false, NULL },
	{ "cache",      get_cache,    SCALE_KIB,         64 * 1024, false, false, NULL },
	{ "swap used",  get_swap,     SCALE_KIB,         64 * 1024, false, false, NULL },
	{ "io psi",     get_psi_io,   SCALE_MACHINE_PCT, 0,         false, false, NULL },
	{ "blamed cpu", get_proc_cpu, SCALE_PROC_PCT,    0,         false, true, NULL },
	{ "blamed rss", get_proc_rss, SCALE_KIB,         16 * 1024, false, true, NULL },
};

static double fast_cpu(const struct st_dump_fast *f)
{
	return f->have & ST_DUMP_FAST_CPU ? f->cpu_total_pct : NAN;
}

static double fast_avail(const struct st_dump_fast *f)
{
	return f->have & ST_DUMP_FAST_MEM ? (double)f->mem_available_kib : NAN;
}

/* Over the fast ring's readings: what moves between two samples. */
static const struct series fast_series[] = {
	{ "cpu",       NULL, SCALE_MACHINE_PCT, 0,         false, false, fast_cpu },
	{ "mem avail", NULL, SCALE_KIB,         64 * 1024, true,  false, fast_avail },
};

static const char *fmt_value(char *buf, size_t len, enum scale scale, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (scale == SCALE_KIB)
		st_format_kib(buf, len, v, ST_SIZE_WHOLE);
	else if (scale == SCALE_LOAD)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.1f%%", v);
	return buf;
}

/*
 * Sparkline scales: machine CPU and pressure are 0..100, so 50% always
 * looks half full; the load 0..the core count (or its highest);
 * a process's CPU 0..100 or more for a multi-threaded one; memory from its
 * lowest to its highest value, widened to a minimum span around the middle
 * (never below 0) so a flat line reads as flat and noise stays small.
 */
static void scale_range(const struct ctx *c, const struct series *se, double vmin,
			double vmax, double *lo, double *hi)
{
	double cores = c->dump->host.ncores ? c->dump->host.ncores : 1;

	switch (se->scale) {
	case SCALE_LOAD:        /* a load of one per core is a full machine */
		*lo = 0;
		*hi = vmax > cores ? vmax : cores;
		break;
	case SCALE_MACHINE_PCT:
		*lo = 0;
		*hi = 100;
		break;
	case SCALE_PROC_PCT:
		*lo = 0;
		*hi = vmax > 100 ? vmax : 100;
		break;
	case SCALE_KIB:
		*lo = vmin;
		*hi = vmax;
		if (*hi - *lo < se->min_span_kib) {
			double mid = (*lo + *hi) / 2;
			*lo = mid - se->min_span_kib / 2;
			*hi = mid + se->min_span_kib / 2;
			if (*lo < 0) {
				*hi -= *lo;
				*lo = 0;
			}
		}
		break;
	}
}

/* One of eight levels; ASCII for terminals that are not UTF-8. */
static void put_level(const struct ctx *c, double v, double lo, double hi)
{
	static const char *const blocks[8] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
	};
	static const char ramp[] = "_.-:=+*#";
	/* Clamped as a double: a dump may hold 1e300 where 0..100 belongs,
	 * and converting that to int would be undefined. */
	double f = hi > lo ? (v - lo) / (hi - lo) : 0;
	int level;

	f = f > 0 ? (f < 1 ? f : 1) : 0;
	level = (int)(f * 8);
	level = level > 7 ? 7 : level;
	if (c->ascii)
		fputc(ramp[level], c->out);
	else
		fputs(blocks[level], c->out);
}

/* Value i of a row: of sample i, or of the fast ring's reading i. */
typedef double (*value_at)(const struct ctx *c, const struct series *se, uint32_t i);

static double sample_value(const struct ctx *c, const struct series *se, uint32_t i)
{
	return se->get(c, &c->dump->samples[i]);
}

static double fast_value(const struct ctx *c, const struct series *se, uint32_t i)
{
	return se->fast(st_dump_fast_at(c->dump, i));
}

/* Where the column that starts at element start of n ends (exclusive). */
typedef uint32_t (*column_end)(const struct ctx *c, uint32_t start, uint32_t n);

/*
 * The samples' columns are ticks, not samples: a sample taken between two
 * ticks (fast, off-tick) lies in the interval the next tick closes, so it
 * shares that tick's column, and a 0.3 s peak between two ticks shows
 * there. Samples after the last tick make a column of their own. A window
 * of ticks only is a column per sample.
 */
static uint32_t tick_column_end(const struct ctx *c, uint32_t start, uint32_t n)
{
	uint32_t i = start;

	while (i < n && !is_tick(&c->dump->samples[i]))
		i++;
	return i < n ? i + 1 : n;
}

/* The fast ring's readings are evenly spaced: one column each. */
static uint32_t reading_column_end(const struct ctx *c, uint32_t start, uint32_t n)
{
	(void)c;
	return start < n ? start + 1 : n;
}

/* The end of the character that starts at element start: per columns. */
static uint32_t char_end(const struct ctx *c, uint32_t start, uint32_t n, uint32_t per,
			 column_end end)
{
	for (uint32_t k = 0; k < per && start < n; k++)
		start = end(c, start, n);
	return start;
}

/* Columns per character, so that a line is at most max characters. */
static uint32_t columns_per_char(const struct ctx *c, uint32_t n, column_end end,
				 uint32_t max)
{
	uint32_t cols = 0;

	for (uint32_t i = 0; i < n; i = end(c, i, n))
		cols++;
	return cols > max ? (cols + max - 1) / max : 1;
}

/* n values, per columns to a character, after a label width columns wide. */
static void render_spark(const struct ctx *c, const char *label, int width,
			 const struct series *se, uint32_t n, uint32_t per, value_at at,
			 column_end end)
{
	double vmin = INFINITY, vmax = -INFINITY, lo = 0, hi = 0;
	char a[32], b[32];

	for (uint32_t i = 0; i < n; i++) {
		double v = at(c, se, i);
		if (isnan(v))
			continue;
		vmin = v < vmin ? v : vmin;
		vmax = v > vmax ? v : vmax;
	}
	if (vmin > vmax)
		return;         /* not one value to draw */
	scale_range(c, se, vmin, vmax, &lo, &hi);

	fprintf(c->out, "%-*s", width, label);
	sgr(c, SGR_SPARK);
	for (uint32_t first = 0, last; first < n; first = last) {
		double agg = NAN;
		last = char_end(c, first, n, per, end);
		for (uint32_t i = first; i < last; i++) {
			double v = at(c, se, i);
			if (isnan(v))
				continue;
			if (isnan(agg) || (se->low_is_news ? v < agg : v > agg))
				agg = v;
		}
		if (isnan(agg))
			fputc(' ', c->out);
		else
			put_level(c, agg, lo, hi);
	}
	sgr_reset(c);
	fmt_value(a, sizeof(a), se->scale, vmin);
	fmt_value(b, sizeof(b), se->scale, vmax);
	/* "23.2 GiB .. 23.2 GiB" beside a line that moves reads as a bug:
	 * say by how much it moved instead. */
	if (vmin == vmax)
		fprintf(c->out, "  %s\n", a);
	else if (strcmp(a, b) == 0)
		fprintf(c->out, "  %s (range %s)\n", a, fmt_value(b, sizeof(b), se->scale, vmax - vmin));
	else
		fprintf(c->out, "  %s .. %s\n", a, b);
}

static void render_sparkline(const struct ctx *c, const struct series *se, uint32_t per)
{
	render_spark(c, se->label, SPARK_LABEL, se, c->dump->nsamples, per, sample_value,
		     tick_column_end);
}

/*
 * The fast ring's rows, "cpu 10 Hz": a 300 ms spike that the samples
 * average away shows here. Their labels are wider and their lines
 * shorter than the samples' rows, so that they too fit 80 columns.
 */
static void render_fast_sparklines(const struct ctx *c)
{
	const struct st_dump *d = c->dump;
	uint32_t per = columns_per_char(c, d->nfast, reading_column_end, FAST_SPARK_MAX);
	char label[48], rate[16];

	if (!d->nfast || !d->fast)
		return;
	if (d->fast_interval_s > 0)
		snprintf(rate, sizeof(rate), "%.3g Hz", 1 / d->fast_interval_s);
	else
		snprintf(rate, sizeof(rate), "fast");
	for (size_t i = 0; i < sizeof(fast_series) / sizeof(fast_series[0]); i++) {
		snprintf(label, sizeof(label), "%s %s", fast_series[i].label, rate);
		render_spark(c, label, FAST_SPARK_LABEL, &fast_series[i], d->nfast, per,
			     fast_value, reading_column_end);
	}
}

/* "^" under the sparkline characters that hold a trigger's sample. */
static void render_trigger_marks(const struct ctx *c, uint32_t per)
{
	const struct st_dump *d = c->dump;
	uint32_t last = 0;
	bool any = false;

	for (uint32_t t = 0; d->triggers && t < d->ntriggers; t++) {
		int32_t si = d->triggers[t].sample_index;
		if (si >= 0 && (uint32_t)si < d->nsamples) {
			last = (uint32_t)si > last ? (uint32_t)si : last;
			any = true;
		}
	}
	if (!any)
		return;
	fprintf(c->out, "%-*s", SPARK_LABEL, "trigger");
	sgr(c, SGR_ALERT);
	/* up to the character that holds the last trigger's sample */
	for (uint32_t first = 0, end; first <= last; first = end) {
		bool here = false;
		end = char_end(c, first, d->nsamples, per, tick_column_end);
		for (uint32_t t = 0; t < d->ntriggers; t++) {
			int32_t si = d->triggers[t].sample_index;
			here |= si >= 0 && (uint32_t)si >= first && (uint32_t)si < end;
		}
		fputc(here ? '^' : ' ', c->out);
	}
	sgr_reset(c);
	fputc('\n', c->out);
}

/*
 * The table of the timeline fits 80 columns: 64 with the blamed process's
 * columns, and the types of the triggers that fired at a sample after
 * them, cut with a marker where they would go beyond.
 */
#define ROW_FMT "%3s %7s %6s %10s %10s"
#define ROW_PROC_FMT "  %10s  %10s"

/*
 * The window's mix of rates: the samples an open incident took at
 * fast_interval after the trigger (ticks keep their schedule between
 * them), those a detector asked for between two ticks, and the ticks.
 */
struct rates {
	uint32_t nfast, noff_tick;
	int64_t first_fast, last_fast;  /* sample indices; -1: none */
	int64_t resumed;                /* the first tick after them that is more
	                                   than a fast interval after the sample
	                                   before it; -1: none in the window */
	double fast_s;                  /* their step: the dump's fast_interval,
	                                   else their mean interval (the first
	                                   may come later than a step after the
	                                   tick: a SIGUSR1's); 0: unknown (a
	                                   dump without intervals or clocks) */
};

static void count_rates(const struct st_dump *d, struct rates *r)
{
	double sum = 0;
	uint32_t known = 0;

	*r = (struct rates){ .first_fast = -1, .last_fast = -1, .resumed = -1 };
	for (uint32_t i = 0; i < d->nsamples; i++) {
		if (d->samples[i].flags & ST_SAMPLE_FAST) {
			double s = known_interval_s(d, i);
			if (!r->nfast++)
				r->first_fast = i;
			r->last_fast = i;
			sum += s;
			known += s > 0;
		} else if (d->samples[i].flags & ST_SAMPLE_OFF_TICK) {
			r->noff_tick++;
		}
	}
	r->fast_s = d->fast_interval_s > 0 ? d->fast_interval_s : known ? sum / known : 0;
	/* The tick right after the last fast sample is only a fast
	 * interval after it: the spacing changes at the next. */
	for (int64_t i = r->last_fast + 1; r->nfast && i < d->nsamples && r->resumed < 0; i++)
		if (is_tick(&d->samples[i]) && sample_interval_s(d, (uint32_t)i) > 1.1 * r->fast_s)
			r->resumed = i;
}

/* "  every 0.1 s" on the row where the fast samples begin, "  every 1 s"
 * where the ticks' spacing is back: where the rows' spacing changes. */
static size_t put_rate_note(const struct ctx *c, const struct rates *r, uint32_t i)
{
	char span[32];
	int n = 0;

	if (r->fast_s <= 0)
		return 0;
	if ((int64_t)i == r->first_fast)
		n = fprintf(c->out, "  every %s s", format_span(span, sizeof(span), r->fast_s));
	else if ((int64_t)i == r->resumed)
		n = fprintf(c->out, "  every %s s",
			    format_span(span, sizeof(span), c->dump->interval_s));
	return n > 0 ? (size_t)n : 0;
}

static void render_timeline_row(const struct ctx *c, const struct rates *r, uint32_t i)
{
	const struct st_dump *d = c->dump;
	const struct st_dump_sample *s = &d->samples[i];
	char num[16], off[32], cpu[32], avail[32], swap[32], pcpu[32], prss[32];
	char types[ST_TRIGGER_MAX_SHOWN * ST_TRIGGER_TYPE_MAX], first[ST_TRIGGER_TYPE_MAX + 1];
	char esc_buf[4 * sizeof(types)];
	size_t used = 0, cols, width, list_cols;
	uint32_t nfired = 0;
	bool fired;

	types[0] = first[0] = '\0';
	for (uint32_t t = 0; d->triggers && t < d->ntriggers; t++) {
		char tmp[ST_TRIGGER_TYPE_MAX + 1];
		if (d->triggers[t].sample_index != (int32_t)i)
			continue;
		FIELD(d->triggers[t].trigger.type, tmp);
		if (!nfired++)
			memcpy(first, tmp, sizeof(first));
		int w = snprintf(types + used, sizeof(types) - used, "%s%s", used ? ", " : "", tmp);
		used = w > 0 && (size_t)w < sizeof(types) - used ? used + (size_t)w : used;
	}
	fired = nfired > 0;
	snprintf(num, sizeof(num), "%" PRIu32, i);
	/* Faster than 10 Hz, tenths of a second would repeat. */
	bool fine = r->fast_s > 0 && r->fast_s < 0.095 && (int64_t)i >= r->first_fast &&
		    (int64_t)i <= r->last_fast;
	snprintf(off, sizeof(off), fine ? "%+.2fs" : "%+.1fs", offset_s(s));
	if (fired)
		sgr(c, SGR_HEADING);
	cols = (size_t)fprintf(c->out, ROW_FMT, num, off,
			       fmt_value(cpu, sizeof(cpu), SCALE_MACHINE_PCT, get_cpu(c, s)),
			       fmt_value(avail, sizeof(avail), SCALE_KIB, get_avail(c, s)),
			       fmt_value(swap, sizeof(swap), SCALE_KIB, get_swap(c, s)));
	if (c->blamed)
		cols += (size_t)fprintf(c->out, ROW_PROC_FMT,
			fmt_value(pcpu, sizeof(pcpu), SCALE_PROC_PCT, get_proc_cpu(c, s)),
			fmt_value(prss, sizeof(prss), SCALE_KIB, get_proc_rss(c, s)));
	if (fired)
		sgr_reset(c);
	cols += put_rate_note(c, r, i);
	if (fired && cols + 4 < TERM_COLUMNS) {
		/* All the types when they fit, else the first and how many
		 * more (the trigger sections name them all). */
		width = TERM_COLUMNS - cols - 4;
		st_escape_into(types, esc_buf, sizeof(esc_buf), c->ascii, SIZE_MAX, &list_cols);
		fputs(" <- ", c->out);
		sgr(c, SGR_ALERT);
		if (list_cols <= width || nfired == 1) {
			st_put_cut(c->out, types, width, c->ascii);
		} else {
			char more[16];
			int n = snprintf(more, sizeof(more), " +%" PRIu32, nfired - 1);
			st_put_cut(c->out, first, width > (size_t)n ? width - (size_t)n : 1, c->ascii);
			fputs(more, c->out);
		}
		sgr_reset(c);
	}
	fputc('\n', c->out);
}

static void render_timeline(const struct ctx *c)
{
	const struct st_dump *d = c->dump;
	uint32_t per = columns_per_char(c, d->nsamples, tick_column_end, SPARK_MAX);
	char comm[4 * ST_COMM_MAX + 1], tmp[ST_COMM_MAX + 1], span[32];
	struct rates r;

	count_rates(d, &r);
	heading(c, "timeline");
	fprintf(c->out, "   (%" PRIu32 " sample%s", d->nsamples, d->nsamples == 1 ? "" : "s");
	if (r.nfast || r.noff_tick)
		fprintf(c->out, ": %" PRIu32 " every %g s", d->nsamples - r.nfast - r.noff_tick,
			d->interval_s);
	else
		fprintf(c->out, " every %g s", d->interval_s);
	if (r.nfast && r.fast_s > 0)
		fprintf(c->out, ", %" PRIu32 " every %s s after the trigger", r.nfast,
			format_span(span, sizeof(span), r.fast_s));
	else if (r.nfast)
		fprintf(c->out, ", %" PRIu32 " fast after the trigger", r.nfast);
	if (r.noff_tick)
		fprintf(c->out, ", %" PRIu32 " off-tick", r.noff_tick);
	if (d->nfast && d->fast)
		fprintf(c->out, "; %" PRIu32 " system reading%s every %g s", d->nfast,
			d->nfast == 1 ? "" : "s", d->fast_interval_s);
	if (c->blamed)
		fprintf(c->out, "; blamed: [%" PRId32 "] %s", c->blamed->pid,
			esc(c, FIELD(c->blamed->comm, tmp), comm, sizeof(comm)));
	fputs(")\n", c->out);

	for (size_t i = 0; i < sizeof(series) / sizeof(series[0]); i++)
		if (c->blamed || !series[i].per_process)
			render_sparkline(c, &series[i], per);
	render_trigger_marks(c, per);
	render_fast_sparklines(c);

	fprintf(c->out, "\n" ROW_FMT, "#", "offset", "cpu", "mem avail", "swap used");
	if (c->blamed)
		fprintf(c->out, ROW_PROC_FMT, "blamed cpu", "blamed rss");
	fputc('\n', c->out);
	for (uint32_t i = 0; i < d->nsamples; i++)
		render_timeline_row(c, &r, i);
}

/* One sample's tables, those of want. */
static void render_tables(const struct ctx *c, uint32_t index, unsigned want)
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
	struct ctx c = { .out = out, .dump = dump };
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
		render_timeline(&c);
}
