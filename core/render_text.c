/*
 * The dump for people, in the layout users of the original spiketrace-view
 * know (=== spike trigger ===, === top processes by cpu/rss ===), plus the
 * system figures of every sample so the shape of the spike shows.
 *
 * Every string that came from the dump goes through the terminal escaper:
 * a process can name itself "\e]0;pwned\a" or "\e[2J", and a viewer that
 * prints it raw hands that process the user's terminal.
 */
#define _GNU_SOURCE
#include "render_text.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#define NS_PER_S 1e9
#define KIB_PER_MIB 1024.0
#define KIB_PER_GIB (1024.0 * 1024.0)
#define CMDLINE_SHOWN_MAX 512   /* escaped bytes of a command line shown */
#define COMM_COLUMNS 16         /* the kernel's 15 bytes and a space */

/* ------------------------------------------------------------ escaping */

/*
 * Length of the well-formed UTF-8 sequence at s (NUL-terminated), or 0 if
 * ill-formed: RFC 3629, no overlongs, surrogates or code points above
 * U+10FFFF. (The same rules as st_utf8_sanitize.)
 */
static size_t utf8_valid_len(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need;

	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
	} else if (c == 0xe0) {
		need = 2;
		lo = 0xa0;
	} else if (c == 0xed) {
		need = 2;
		hi = 0x9f;
	} else if (c >= 0xe1 && c <= 0xef) {
		need = 2;
	} else if (c == 0xf0) {
		need = 3;
		lo = 0x90;
	} else if (c >= 0xf1 && c <= 0xf3) {
		need = 3;
	} else if (c == 0xf4) {
		need = 3;
		hi = 0x8f;
	} else {
		return 0;
	}
	/* A NUL fails the range check, so this never reads past the end. */
	for (size_t i = 1; i <= need; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/*
 * The escaped form of the character at p into unit (NUL-terminated, at
 * most 9 bytes with it); returns how many input bytes it stands for.
 */
static size_t escape_unit(const unsigned char *p, char unit[static 12])
{
	size_t n;

	switch (*p) {
	case '\n': strcpy(unit, "\\n"); return 1;
	case '\t': strcpy(unit, "\\t"); return 1;
	case '\r': strcpy(unit, "\\r"); return 1;
	case '\\': strcpy(unit, "\\\\"); return 1;
	}
	if (*p < 0x20 || *p == 0x7f) {
		snprintf(unit, 12, "\\x%02x", *p);
		return 1;
	}
	if (*p < 0x80) {
		unit[0] = (char)*p;
		unit[1] = '\0';
		return 1;
	}
	n = utf8_valid_len(p);
	/* U+0080..U+009F are C1 controls (CSI is U+009B): valid UTF-8, yet
	 * some terminals act on them. */
	if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
		snprintf(unit, 12, "\\x%02x\\x%02x", p[0], p[1]);
		return 2;
	}
	if (n == 0) {
		snprintf(unit, 12, "\\x%02x", *p);
		return 1;
	}
	memcpy(unit, p, n);
	unit[n] = '\0';
	return n;
}

/* st_escape_terminal, returning how many input bytes made it into out. */
static size_t escape_into(const char *in, char *out, size_t outlen)
{
	const unsigned char *start = (const unsigned char *)(in ? in : "");
	const unsigned char *p = start;
	size_t o = 0;

	if (!out || outlen == 0)
		return 0;
	while (*p) {
		char unit[12];
		size_t n = escape_unit(p, unit);
		size_t ulen = strlen(unit);

		/* Whole units only: never half an escape or half a character. */
		if (ulen >= outlen - o)
			break;
		memcpy(out + o, unit, ulen);
		o += ulen;
		p += n;
	}
	out[o] = '\0';
	return (size_t)(p - start);
}

char *st_escape_terminal(const char *in, char *out, size_t outlen)
{
	escape_into(in, out, outlen);
	return out;
}

/* Escaped copy of a fixed-size model field, which need not be terminated. */
#define ESCAPED_FIELD(field, buf) escape_field((field), sizeof(field), (buf), sizeof(buf))

static char *escape_field(const char *field, size_t fieldsize, char *out, size_t outlen)
{
	char tmp[fieldsize + 1];
	size_t len = strnlen(field, fieldsize);

	memcpy(tmp, field, len);
	tmp[len] = '\0';
	return st_escape_terminal(tmp, out, outlen);
}

/* Terminal columns of escaped text: one per character, which is right
 * for everything but wide (CJK) characters and good enough to align. */
static size_t columns(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void put_padded(FILE *out, const char *s, size_t width)
{
	fputs(s, out);
	for (size_t n = columns(s); n < width; n++)
		fputc(' ', out);
}

/* ------------------------------------------------------------ numbers */

/* "512 MiB", "15.5 GiB", "-2.1 GiB", "+300 KiB". */
static const char *fmt_kib(char *buf, size_t len, double kib, bool sign)
{
	double mag = kib < 0 ? -kib : kib;

	if (mag >= KIB_PER_GIB)
		snprintf(buf, len, sign ? "%+.1f GiB" : "%.1f GiB", kib / KIB_PER_GIB);
	else if (mag >= KIB_PER_MIB)
		snprintf(buf, len, sign ? "%+.0f MiB" : "%.0f MiB", kib / KIB_PER_MIB);
	else
		snprintf(buf, len, sign ? "%+.0f KiB" : "%.0f KiB", kib);
	return buf;
}

/* The original tool's table unit: whole MiB, rounded. */
static uint64_t kib_to_mib(uint64_t kib)
{
	return kib / 1024 + (kib % 1024 >= 512);
}

static double offset_s(const struct st_dump *dump, int32_t index)
{
	return (double)dump->samples[index].offset_ns / NS_PER_S;
}

/* ------------------------------------------------------------ sections */

static void render_header(FILE *out, const struct st_dump *dump, const char *name)
{
	int64_t sec = dump->wall_ns / 1000000000LL;
	char buf[4 * 256 + 1], kernel[4 * 256 + 1], date[64];
	struct tm tm;
	time_t t;

	if (dump->wall_ns % 1000000000LL < 0)
		sec--;
	t = (time_t)sec;

	if (name)
		st_escape_terminal(name, buf, sizeof(buf));
	else
		ESCAPED_FIELD(dump->id, buf);
	fprintf(out, "spike dump: %s\n", *buf ? buf : "(unnamed)");

	if (gmtime_r(&t, &tm) && strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm))
		fprintf(out, "time: %s", date);
	else
		fprintf(out, "time: unknown");
	fprintf(out, " (monotonic %" PRId64 " ns)\n", dump->mono_ns);

	ESCAPED_FIELD(dump->host.hostname, buf);
	ESCAPED_FIELD(dump->host.kernel, kernel);
	fprintf(out, "host: %s (%s, %" PRIu32 " core%s, %.1f GiB)\n",
		*buf ? buf : "unknown", *kernel ? kernel : "unknown kernel",
		dump->host.ncores, dump->host.ncores == 1 ? "" : "s",
		(double)dump->host.mem_total_kib / KIB_PER_GIB);
}

static const struct st_dump_proc *find_in(const struct st_dump_proc *procs, uint32_t n,
					  const struct st_trigger *t)
{
	for (uint32_t i = 0; procs && i < n; i++)
		if (procs[i].pid == t->pid &&
		    (t->start_ticks == 0 || procs[i].start_ticks == t->start_ticks))
			return &procs[i];
	return NULL;
}

/* The trigger's process as recorded in its sample, for its command line. */
static const struct st_dump_proc *trigger_proc(const struct st_dump *dump,
					       const struct st_dump_trigger *dt)
{
	const struct st_dump_sample *s;
	const struct st_dump_proc *p;

	if (dt->trigger.pid <= 0 || dt->sample_index < 0 ||
	    (uint32_t)dt->sample_index >= dump->nsamples || !dump->samples)
		return NULL;
	s = &dump->samples[dt->sample_index];
	if ((p = find_in(s->top_cpu, s->ntop_cpu, &dt->trigger)) ||
	    (p = find_in(s->top_rss, s->ntop_rss, &dt->trigger)) ||
	    (p = find_in(s->blamed, s->nblamed, &dt->trigger)))
		return p;
	return NULL;
}

static void render_value(FILE *out, const struct st_trigger *t, const char *type)
{
	double delta = t->value - t->baseline;
	char units[4 * ST_TRIGGER_UNITS_MAX + 1];

	ESCAPED_FIELD(t->units, units);
	if (strcmp(units, "pct") == 0) {
		/* A process's percentage is its CPU; so is anything named so. */
		const char *label = t->pid > 0 || strstr(type, "cpu") ? "cpu" : "value";
		fprintf(out, "%s: %.1f%% (baseline: %.1f%%, delta: %+.1f%%, threshold: %.1f%%)\n",
			label, t->value, t->baseline, delta, t->threshold);
	} else if (strcmp(units, "kib") == 0) {
		char v[32], b[32], d[32], th[32];
		fprintf(out, "value: %s (baseline: %s, delta: %s, threshold: %s)\n",
			fmt_kib(v, sizeof(v), t->value, false),
			fmt_kib(b, sizeof(b), t->baseline, false),
			fmt_kib(d, sizeof(d), delta, true),
			fmt_kib(th, sizeof(th), t->threshold, false));
	} else {
		const char *sp = *units ? " " : "";
		fprintf(out, "value: %g%s%s (baseline: %g, delta: %+g, threshold: %g)\n",
			t->value, sp, units, t->baseline, delta, t->threshold);
	}
}

static void render_trigger(FILE *out, const struct st_dump *dump, uint32_t i)
{
	const struct st_dump_trigger *dt = &dump->triggers[i];
	const struct st_trigger *t = &dt->trigger;
	const struct st_dump_proc *p = trigger_proc(dump, dt);
	char type[4 * ST_TRIGGER_TYPE_MAX + 1], buf[4 * ST_TRIGGER_SUMMARY_MAX + 1];

	ESCAPED_FIELD(t->type, type);
	fprintf(out, "\n=== spike trigger ===\n");
	fprintf(out, "type: %s\n", *type ? type : "unknown");
	/* Offsets count from the first trigger's sample; later triggers of
	 * the same incident say how much later they fired. */
	if (i > 0 && dt->sample_index >= 0 && (uint32_t)dt->sample_index < dump->nsamples)
		fprintf(out, "at: %+.1f s from the first trigger\n",
			offset_s(dump, dt->sample_index));
	if (t->pid > 0) {
		ESCAPED_FIELD(t->comm, buf);
		fprintf(out, "process: [%" PRId32 "] %s\n", t->pid, buf);
	} else {
		fprintf(out, "process: none (system-wide)\n");
	}
	if (p && p->cmdline) {
		char cmd[CMDLINE_SHOWN_MAX + 1];
		size_t shown = escape_into(p->cmdline, cmd, sizeof(cmd));
		fprintf(out, "command: %s%s\n", cmd, p->cmdline[shown] ? "..." : "");
	}
	render_value(out, t, type);
	ESCAPED_FIELD(t->summary, buf);
	if (*buf)
		fprintf(out, "summary: %s\n", buf);
}

static void render_proc_lead(FILE *out, int rank, const struct st_dump_proc *p)
{
	char comm[4 * ST_COMM_MAX + 1];

	ESCAPED_FIELD(p->comm, comm);
	fprintf(out, "%2d. [%5" PRId32 "] ", rank, p->pid);
	put_padded(out, comm, COMM_COLUMNS);
	fputc(' ', out);
}

static void render_top_cpu(FILE *out, const struct st_dump_sample *s, int top)
{
	fprintf(out, "\n=== top processes by cpu ===   (sample at %+.1f s)\n",
		(double)s->offset_ns / NS_PER_S);
	if (s->ntop_cpu == 0 || !s->top_cpu)
		fprintf(out, "    (no processes recorded)\n");
	for (uint32_t i = 0; s->top_cpu && i < s->ntop_cpu && i < (uint32_t)top; i++) {
		const struct st_dump_proc *p = &s->top_cpu[i];
		render_proc_lead(out, (int)i + 1, p);
		fprintf(out, "%5.1f%%", p->cpu_pct);
		/* Reaped children's CPU is how a make full of short compilers
		 * shows up: it belongs next to the parent's own. */
		if (p->children_cpu_pct > 0)
			fprintf(out, " + %.1f%% children", p->children_cpu_pct);
		fprintf(out, "  (rss: %" PRIu64 " mib)\n", kib_to_mib(p->rss_kib));
	}
}

static void render_top_rss(FILE *out, const struct st_dump_sample *s, int top)
{
	fprintf(out, "\n=== top processes by rss ===\n");
	if (s->ntop_rss == 0 || !s->top_rss)
		fprintf(out, "    (no processes recorded)\n");
	for (uint32_t i = 0; s->top_rss && i < s->ntop_rss && i < (uint32_t)top; i++) {
		const struct st_dump_proc *p = &s->top_rss[i];
		render_proc_lead(out, (int)i + 1, p);
		fprintf(out, "%5" PRIu64 " mib  (cpu: %.1f%%)\n", kib_to_mib(p->rss_kib), p->cpu_pct);
	}
}

static void render_timeline(FILE *out, const struct st_dump *dump)
{
	fprintf(out, "\n=== system over time ===\n");
	fprintf(out, "  offset     cpu  iowait   mem avail   swap used  running  blocked  forks\n");
	for (uint32_t i = 0; i < dump->nsamples; i++) {
		const struct st_dump_sample *s = &dump->samples[i];
		uint64_t swap_used = s->swap_total_kib > s->swap_free_kib ?
				     s->swap_total_kib - s->swap_free_kib : 0;
		char avail[32], swap[32];
		const char *mark = "  <- ";

		fprintf(out, "%+6.1f s  %5.1f%%  %5.1f%%  %10s  %10s  %7" PRIu32 "  %7" PRIu32
			"  %5" PRIu64,
			(double)s->offset_ns / NS_PER_S, s->cpu_total_pct, s->cpu_iowait_pct,
			fmt_kib(avail, sizeof(avail), (double)s->mem_available_kib, false),
			fmt_kib(swap, sizeof(swap), (double)swap_used, false),
			s->procs_running, s->procs_blocked, s->forks_delta);
		for (uint32_t t = 0; dump->triggers && t < dump->ntriggers; t++) {
			char type[4 * ST_TRIGGER_TYPE_MAX + 1];
			if (dump->triggers[t].sample_index != (int32_t)i)
				continue;
			ESCAPED_FIELD(dump->triggers[t].trigger.type, type);
			fprintf(out, "%s%s", mark, type);
			mark = ", ";
		}
		fputc('\n', out);
	}
}

void st_render_dump(FILE *out, const struct st_dump *dump, const struct st_render_opts *opts)
{
	static const struct st_render_opts defaults = { .name = NULL, .sample_index = -1, .top = 0 };
	int32_t index;
	int top;

	if (!out || !dump)
		return;
	if (!opts)
		opts = &defaults;
	top = opts->top > 0 ? opts->top : 10;

	render_header(out, dump, opts->name);
	if (dump->ntriggers == 0 || !dump->triggers)
		fprintf(out, "\n=== spike trigger ===\n(none recorded)\n");
	for (uint32_t i = 0; dump->triggers && i < dump->ntriggers; i++)
		render_trigger(out, dump, i);

	if (dump->nsamples == 0 || !dump->samples) {
		fprintf(out, "\n(no samples recorded)\n");
		return;
	}
	index = opts->sample_index >= 0 ? opts->sample_index : dump->trigger_index;
	/* No trigger sample in the window (or a bad request): the newest is
	 * the best stand-in, being the closest to when the dump was made. */
	if (index < 0 || (uint32_t)index >= dump->nsamples)
		index = (int32_t)dump->nsamples - 1;
	render_top_cpu(out, &dump->samples[index], top);
	render_top_rss(out, &dump->samples[index], top);
	render_timeline(out, dump);
}
