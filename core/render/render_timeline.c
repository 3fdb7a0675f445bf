/*
 * The timeline of a dump: a sparkline per series over the window (and over
 * the fast ring's readings), "^" under the triggers' samples, then one row
 * per sample, so the shape of the spike shows. Strings from the dump are
 * escaped as in the rest of the rendering (render_ctx.h).
 */
#define _GNU_SOURCE
#include "render/render_ctx.h"
#include "dump/dump.h"
#include "dump/dump_why.h"
#include "text/size_text.h"
#include "text/term_text.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#define SPARK_MAX 38            /* sparkline characters: longer windows are
                                   bucketed so that label, line and range
                                   ("  16384.0 GiB (range 1023 KiB)", 30)
                                   fit 80 columns */
#define ST_TRIGGER_MAX_SHOWN 8   /* trigger types named in one timeline row */
#define SPARK_LABEL 12          /* "blamed cpu" and two spaces */
#define FAST_SPARK_LABEL 17     /* "mem avail 10 Hz" and two spaces */
#define FAST_SPARK_MAX 32       /* characters of a fast row's line */

/* A sample taken on the tick, not between two (fast, off-tick). */
static bool is_tick(const struct st_dump_sample *s)
{
	return !(s->flags & (ST_SAMPLE_FAST | ST_SAMPLE_OFF_TICK));
}

typedef double (*series_get)(const struct render_ctx *c, const struct st_dump_sample *s);

static double get_cpu(const struct render_ctx *c, const struct st_dump_sample *s)
{
	(void)c;
	return s->cpu_total_pct;
}

static double get_avail(const struct render_ctx *c, const struct st_dump_sample *s)
{
	(void)c;
	return (double)s->mem_available_kib;
}

static double get_swap(const struct render_ctx *c, const struct st_dump_sample *s)
{
	(void)c;
	return s->swap_total_kib > s->swap_free_kib ?
	       (double)(s->swap_total_kib - s->swap_free_kib) : 0.0;
}

/* NAN where the sample does not hold the process: not yet started, gone,
 * or (before the trigger) too small for the dump to keep. */
static double get_proc_cpu(const struct render_ctx *c, const struct st_dump_sample *s)
{
	const struct st_dump_proc *p = st_dump_find_proc(c->dump, s, c->blamed);
	/* A carried record's cpu was not measured: no figure, not a 0. */
	return p && !(p->flags & ST_PROC_CARRIED) ? p->cpu_pct : NAN;
}

static double get_proc_rss(const struct render_ctx *c, const struct st_dump_sample *s)
{
	const struct st_dump_proc *p = st_dump_find_proc(c->dump, s, c->blamed);
	return p ? (double)p->rss_kib : NAN;
}

/* Evidence the sample did not measure is NAN: a gap, not a 0. */
static double get_psi(const struct render_ctx *c, const struct st_dump_sample *s, uint32_t bit)
{
	return st_dump_pressure_pct(c->dump, (uint32_t)(s - c->dump->samples), bit);
}

static double get_psi_cpu(const struct render_ctx *c, const struct st_dump_sample *s)
{
	return get_psi(c, s, ST_HAVE_PSI_CPU);
}

static double get_psi_memory(const struct render_ctx *c, const struct st_dump_sample *s)
{
	return get_psi(c, s, ST_HAVE_PSI_MEMORY);
}

static double get_psi_io(const struct render_ctx *c, const struct st_dump_sample *s)
{
	return get_psi(c, s, ST_HAVE_PSI_IO);
}

static double get_load(const struct render_ctx *c, const struct st_dump_sample *s)
{
	(void)c;
	return s->have & ST_HAVE_LOADAVG ? s->load1 : NAN;
}

static double get_anon(const struct render_ctx *c, const struct st_dump_sample *s)
{
	(void)c;
	return s->have & ST_HAVE_MEM_DETAIL ? (double)s->anon_kib : NAN;
}

static double get_cache(const struct render_ctx *c, const struct st_dump_sample *s)
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
static void scale_range(const struct render_ctx *c, const struct series *se, double vmin,
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
static void put_level(const struct render_ctx *c, double v, double lo, double hi)
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
typedef double (*value_at)(const struct render_ctx *c, const struct series *se, uint32_t i);

static double sample_value(const struct render_ctx *c, const struct series *se, uint32_t i)
{
	return se->get(c, &c->dump->samples[i]);
}

static double fast_value(const struct render_ctx *c, const struct series *se, uint32_t i)
{
	return se->fast(st_dump_fast_at(c->dump, i));
}

/* Where the column that starts at element start of n ends (exclusive). */
typedef uint32_t (*column_end)(const struct render_ctx *c, uint32_t start, uint32_t n);

/*
 * The samples' columns are ticks, not samples: a sample taken between two
 * ticks (fast, off-tick) lies in the interval the next tick closes, so it
 * shares that tick's column, and a 0.3 s peak between two ticks shows
 * there. Samples after the last tick make a column of their own. A window
 * of ticks only is a column per sample.
 */
static uint32_t tick_column_end(const struct render_ctx *c, uint32_t start, uint32_t n)
{
	uint32_t i = start;

	while (i < n && !is_tick(&c->dump->samples[i]))
		i++;
	return i < n ? i + 1 : n;
}

/* The fast ring's readings are evenly spaced: one column each. */
static uint32_t reading_column_end(const struct render_ctx *c, uint32_t start, uint32_t n)
{
	(void)c;
	return start < n ? start + 1 : n;
}

/* The end of the character that starts at element start: per columns. */
static uint32_t char_end(const struct render_ctx *c, uint32_t start, uint32_t n, uint32_t per,
			 column_end end)
{
	for (uint32_t k = 0; k < per && start < n; k++)
		start = end(c, start, n);
	return start;
}

/* Columns per character, so that a line is at most max characters. */
static uint32_t columns_per_char(const struct render_ctx *c, uint32_t n, column_end end,
				 uint32_t max)
{
	uint32_t cols = 0;

	for (uint32_t i = 0; i < n; i = end(c, i, n))
		cols++;
	return cols > max ? (cols + max - 1) / max : 1;
}

/* n values, per columns to a character, after a label width columns wide. */
static void render_spark(const struct render_ctx *c, const char *label, int width,
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

static void render_sparkline(const struct render_ctx *c, const struct series *se, uint32_t per)
{
	render_spark(c, se->label, SPARK_LABEL, se, c->dump->nsamples, per, sample_value,
		     tick_column_end);
}

/*
 * The fast ring's rows, "cpu 10 Hz": a 300 ms spike that the samples
 * average away shows here. Their labels are wider and their lines
 * shorter than the samples' rows, so that they too fit 80 columns.
 */
static void render_fast_sparklines(const struct render_ctx *c)
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
static void render_trigger_marks(const struct render_ctx *c, uint32_t per)
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
static size_t put_rate_note(const struct render_ctx *c, const struct rates *r, uint32_t i)
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

static void render_timeline_row(const struct render_ctx *c, const struct rates *r, uint32_t i)
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

void st_render_timeline(const struct render_ctx *c)
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
