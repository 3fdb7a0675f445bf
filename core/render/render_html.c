#define _GNU_SOURCE
#include "render/render_html.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dump/dump_why.h"
#include "render/render_text.h"

/* The charts' drawing area, in SVG user units (the page scales them). */
#define CHART_W 760.0
#define CHART_H 90.0
#define TOP_ROWS 10
/* A command line in a table row is cut here (the card has it whole): the
 * same long line in every sample's tables would make the page heavy. */
#define ROW_CMDLINE_MAX 160

/* Not fmax/fmin: libm is not linked (the daemon maps none). */
static double max2(double a, double b)
{
	return a > b ? a : b;
}

static double min2(double a, double b)
{
	return a < b ? a : b;
}

/* ---------------------------------------------------------- escaping */

static void put_html_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

void st_html_put_text(FILE *out, const char *raw)
{
	/* An escape is at most four bytes a byte, and the NUL. */
	size_t len = strlen(raw), size = 4 * len + 1;
	char small[1024], *buf = size <= sizeof(small) ? small : malloc(size);
	if (!buf) {
		fputs("(out of memory)", out);
		return;
	}
	st_escape_terminal(raw, buf, size);
	put_html_escaped(out, buf);
	if (buf != small)
		free(buf);
}

/* A fixed-size name field (not always NUL-terminated) as text. */
#define PUT_FIELD(out, field) put_field((out), (field), sizeof(field))
static void put_field(FILE *out, const char *field, size_t size)
{
	char tmp[512];
	size_t n = strnlen(field, size);
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, field, n);
	tmp[n] = '\0';
	st_html_put_text(out, tmp);
}

/* ------------------------------------------------------------ page */

static const char STYLE[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1em auto;max-width:820px;"
	"color:#222;background:#fff}"
	"h1{font-size:1.3em}h2{font-size:1.15em;margin:.2em 0}"
	"section.dump{border:1px solid #ccc;border-radius:6px;padding:.8em;margin:1em 0}"
	".card p{margin:.2em 0}.why{color:#8a4b00}.k{color:#666}"
	"code{font-size:.9em;word-break:break-all}"
	"figure{margin:.6em 0}figcaption{font-weight:600;font-size:.9em}"
	"svg{width:100%;height:auto;background:#fafafa;border:1px solid #eee}"
	"svg .trig{stroke:#d33;stroke-width:1.5;stroke-dasharray:4 3}"
	"svg .hover{fill:transparent}svg .hover:hover{fill:rgba(0,0,0,.06)}"
	"svg text{font-size:10px;fill:#666}"
	".legend span{margin-right:1em;font-size:.85em}"
	".legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em}"
	"table{border-collapse:collapse;width:100%;font-size:.85em;margin:.3em 0}"
	"th,td{text-align:left;padding:2px 4px;border-bottom:1px solid #eee}"
	"th{cursor:pointer;background:#f3f3f3}td.n,th.n{text-align:right}"
	".pick{width:100%}";

/* Sorting and the sample picker: reads the page's elements, never data as
 * code. */
static const char SCRIPT[] =
	"document.querySelectorAll('section.dump').forEach(function(sec){"
	"var r=sec.querySelector('input.pick'),o=sec.querySelector('output.pick');"
	"if(!r)return;function show(){var label='';"
	"sec.querySelectorAll('div.tables').forEach(function(t){"
	"var on=t.getAttribute('data-i')===r.value;t.hidden=!on;"
	"if(on)label=t.getAttribute('data-label');});o.textContent=label;}"
	"r.addEventListener('input',show);show();});"
	"document.querySelectorAll('table.sort th').forEach(function(th){"
	"th.addEventListener('click',function(){var tb=th.closest('table').tBodies[0],"
	"k=th.cellIndex,num=th.classList.contains('n'),"
	"dir=th.getAttribute('data-dir')==='d'?'a':'d';th.setAttribute('data-dir',dir);"
	"var rows=Array.prototype.slice.call(tb.rows);rows.sort(function(a,b){"
	"var x=a.cells[k],y=b.cells[k],c=num?parseFloat(x.getAttribute('data-v'))-"
	"parseFloat(y.getAttribute('data-v')):x.textContent.localeCompare(y.textContent);"
	"return dir==='d'?-c:c;});rows.forEach(function(row){tb.appendChild(row);});});});";

/* -------------------------------------------------------- the window */

struct page {
	FILE *out;
	const struct st_dump *d;
	int64_t t0, span;           /* the samples' first mono_ns and their span */
	const struct st_trigger *blamed;    /* the first trigger's process, or NULL */
};

static double x_of(const struct page *p, int64_t mono_ns)
{
	if (p->span <= 0)
		return CHART_W / 2;
	return (double)(mono_ns - p->t0) / (double)p->span * CHART_W;
}

static double sample_x(const struct page *p, uint32_t i)
{
	return x_of(p, st_dump_at(p->d, i)->mono_ns);
}

static double offset_s(const struct st_dump_sample *s)
{
	return (double)s->offset_ns / 1e9;
}

/* One series: a value per sample (NAN: not measured) and how to say it. */
enum unit { U_PCT, U_KIB };
struct series {
	const char *name;
	const char *color;
	double *v;
};

static void format_value(char *buf, size_t len, enum unit u, double v)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (u == U_PCT)
		snprintf(buf, len, "%.1f%%", v);
	else
		st_format_kib(buf, len, v, ST_SIZE_WHOLE);
}

static void put_legend(const struct page *p, const struct series *s, size_t n)
{
	fputs("<div class=\"legend\">", p->out);
	for (size_t k = 0; k < n; k++) {
		fprintf(p->out, "<span><i style=\"background:%s\"></i>", s[k].color);
		st_html_put_text(p->out, s[k].name);
		fputs("</span>", p->out);
	}
	fputs("</div>", p->out);
}

/* The trigger's line and, per sample, a column whose title says its
 * values: hovering shows them without any script. */
static void put_marks_and_hover(const struct page *p, const struct series *s, size_t n,
				enum unit u)
{
	const struct st_dump *d = p->d;
	for (uint32_t t = 0; t < d->ntriggers; t++) {
		int32_t si = st_dump_trigger_at(d, t)->sample_index;
		if (si >= 0 && (uint32_t)si < d->nsamples)
			fprintf(p->out, "<line class=\"trig\" x1=\"%.1f\" x2=\"%.1f\" y1=\"0\" "
				"y2=\"%.0f\"/>", sample_x(p, (uint32_t)si), sample_x(p, (uint32_t)si),
				CHART_H);
	}
	for (uint32_t i = 0; i < d->nsamples; i++) {
		double x = sample_x(p, i);
		double lo = i ? (sample_x(p, i - 1) + x) / 2 : 0;
		double hi = i + 1 < d->nsamples ? (sample_x(p, i + 1) + x) / 2 : CHART_W;
		fprintf(p->out, "<rect class=\"hover\" x=\"%.1f\" y=\"0\" width=\"%.1f\" "
			"height=\"%.0f\"><title>%+.2f s", lo, hi - lo > 0.5 ? hi - lo : 0.5, CHART_H,
			offset_s(st_dump_at(d, i)));
		for (size_t k = 0; k < n; k++) {
			char val[48];
			format_value(val, sizeof(val), u, s[k].v[i]);
			fprintf(p->out, "%s", k ? ", " : ": ");
			st_html_put_text(p->out, s[k].name);
			fprintf(p->out, " %s", val);
		}
		fputs("</title></rect>", p->out);
	}
}

/* A chart of n series over the window; stacked: each drawn on top of the
 * ones before (parts of a whole), else lines. ymax 0: from the data. */
static void put_chart(const struct page *p, const char *title, const struct series *s,
		      size_t n, enum unit u, bool stacked, double ymax)
{
	const struct st_dump *d = p->d;
	uint32_t ns = d->nsamples;
	double top = ymax, *base = calloc(ns ? ns : 1, sizeof(*base));
	bool any = false;
	if (!base)
		return;
	for (uint32_t i = 0; i < ns; i++) {
		double sum = 0;
		for (size_t k = 0; k < n; k++) {
			if (isnan(s[k].v[i]))
				continue;
			any = true;
			sum = stacked ? sum + s[k].v[i] : max2(sum, s[k].v[i]);
		}
		if (ymax <= 0 && sum > top)
			top = sum;
	}
	if (!any) {
		free(base);
		return;             /* nothing measured: no chart */
	}
	if (top <= 0)
		top = 1;
	char label[48];
	format_value(label, sizeof(label), u, top);
	fputs("<figure><figcaption>", p->out);
	st_html_put_text(p->out, title);
	fputs("</figcaption>", p->out);
	put_legend(p, s, n);
	fprintf(p->out, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\">", CHART_W, CHART_H);
	for (size_t k = 0; k < n; k++) {
		/* A stacked part is the band between the parts below and it. */
		fprintf(p->out, stacked ? "<polygon fill=\"%s\" fill-opacity=\".75\" points=\"" :
					  "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"",
			s[k].color);
		for (uint32_t i = 0; i < ns; i++) {
			double v = isnan(s[k].v[i]) ? 0 : s[k].v[i];
			fprintf(p->out, "%.1f,%.1f ", sample_x(p, i),
				CHART_H - (stacked ? base[i] + v : v) / top * CHART_H);
		}
		if (stacked)
			for (uint32_t i = ns; i-- > 0;)
				fprintf(p->out, "%.1f,%.1f ", sample_x(p, i), CHART_H - base[i] / top * CHART_H);
		fputs("\"/>", p->out);
		if (stacked)
			for (uint32_t i = 0; i < ns; i++)
				base[i] += isnan(s[k].v[i]) ? 0 : s[k].v[i];
	}
	fprintf(p->out, "<text x=\"2\" y=\"10\">%s</text>", label);
	put_marks_and_hover(p, s, n, u);
	fputs("</svg></figure>\n", p->out);
	free(base);
}

/* Per core, a strip of cells shaded by how busy it was. */
static void put_core_strip(const struct page *p)
{
	const struct st_dump *d = p->d;
	uint32_t cores = 0;
	for (uint32_t i = 0; i < d->nsamples; i++)
		if (st_dump_at(d, i)->ncores > cores && st_dump_at(d, i)->core_busy_pct)
			cores = st_dump_at(d, i)->ncores;
	if (!cores)
		return;
	double row = cores > 16 ? 3.0 : 8.0, h = row * cores;
	fputs("<figure><figcaption>per core busy</figcaption>", p->out);
	fprintf(p->out, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\">", CHART_W, h);
	for (uint32_t i = 0; i < d->nsamples; i++) {
		const struct st_dump_sample *s = st_dump_at(d, i);
		double x0 = i ? (sample_x(p, i - 1) + sample_x(p, i)) / 2 : 0;
		double x1 = i + 1 < d->nsamples ? (sample_x(p, i) + sample_x(p, i + 1)) / 2 : CHART_W;
		for (uint32_t c = 0; s->core_busy_pct && c < s->ncores; c++) {
			double v = s->core_busy_pct[c];
			fprintf(p->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"#c0392b\" fill-opacity=\"%.2f\"><title>cpu%" PRIu32
				" %+.2f s: %.0f%%</title></rect>", x0, row * c,
				x1 - x0 > 0.5 ? x1 - x0 : 0.5, row,
				isfinite(v) ? min2(max2(v / 100, 0), 1) : 0,
				s->core_id ? s->core_id[c] : c, offset_s(s), isfinite(v) ? v : 0);
		}
	}
	fputs("</svg></figure>\n", p->out);
}

static void put_charts(const struct page *p)
{
	const struct st_dump *d = p->d;
	uint32_t n = d->nsamples;
	double *v = calloc((size_t)n * 8 + 1, sizeof(*v));
	if (!v)
		return;
	double *user = v, *sys = v + n, *iow = v + 2 * n, *steal = v + 3 * n;
	double *a = v + 4 * n, *b = v + 5 * n, *c = v + 6 * n, *e = v + 7 * n;
	for (uint32_t i = 0; i < n; i++) {
		const struct st_dump_sample *s = st_dump_at(d, i);
		user[i] = s->cpu_user_pct;
		sys[i] = s->cpu_system_pct;
		iow[i] = s->cpu_iowait_pct;
		steal[i] = s->cpu_steal_pct;
	}
	struct series cpu[] = { { "user", "#2e86c1", user }, { "system", "#c0392b", sys },
				{ "iowait", "#f39c12", iow }, { "steal", "#7f8c8d", steal } };
	put_chart(p, "CPU, % of the machine", cpu, 4, U_PCT, true, 100);
	put_core_strip(p);

	bool detail = false;
	for (uint32_t i = 0; i < n; i++) {
		const struct st_dump_sample *s = st_dump_at(d, i);
		detail |= (s->have & ST_HAVE_MEM_DETAIL) != 0;
		a[i] = (double)s->mem_available_kib;
		b[i] = s->have & ST_HAVE_MEM_DETAIL ? (double)s->anon_kib : NAN;
		c[i] = s->have & ST_HAVE_MEM_DETAIL ? (double)s->cached_kib : NAN;
		e[i] = (double)(s->swap_total_kib - (s->swap_free_kib < s->swap_total_kib ?
						     s->swap_free_kib : s->swap_total_kib));
	}
	struct series mem[] = { { "available", "#27ae60", a }, { "anon", "#8e44ad", b },
				{ "page cache", "#2980b9", c } };
	put_chart(p, "memory", mem, detail ? 3 : 1, U_KIB, false, 0);
	struct series swap[] = { { "swap used", "#d35400", e } };
	put_chart(p, "swap", swap, 1, U_KIB, false, 0);

	static const uint32_t bits[] = { ST_HAVE_PSI_CPU, ST_HAVE_PSI_MEMORY, ST_HAVE_PSI_IO };
	double *psi[] = { a, b, c };
	for (size_t k = 0; k < 3; k++)
		for (uint32_t i = 0; i < n; i++)
			psi[k][i] = st_dump_pressure_pct(d, i, bits[k]);
	struct series pressure[] = { { "cpu", "#c0392b", a }, { "memory", "#8e44ad", b },
				     { "io", "#f39c12", c } };
	put_chart(p, "pressure (some), %", pressure, 3, U_PCT, false, 0);

	if (p->blamed && p->blamed->pid > 0) {
		for (uint32_t i = 0; i < n; i++) {
			const struct st_dump_proc *q = st_dump_find_proc(d, st_dump_at(d, i), p->blamed);
			a[i] = q ? q->cpu_pct + q->children_cpu_pct : NAN;
			b[i] = q ? (double)q->rss_kib : NAN;
		}
		char title[128];
		snprintf(title, sizeof(title), "the blamed process [%" PRId32 "]: CPU, %% of one core",
			 p->blamed->pid);
		struct series pc[] = { { "cpu", "#2e86c1", a } };
		put_chart(p, title, pc, 1, U_PCT, false, 0);
		snprintf(title, sizeof(title), "the blamed process [%" PRId32 "]: RSS",
			 p->blamed->pid);
		struct series pr[] = { { "rss", "#27ae60", b } };
		put_chart(p, title, pr, 1, U_KIB, false, 0);
	}
	bool exited = false;
	for (uint32_t i = 0; i < n; i++) {
		const struct st_dump_sample *s = st_dump_at(d, i);
		double count = 0;
		for (uint32_t k = 0; s->exited && k < s->nexited; k++)
			count += st_dump_exited(d, s, k)->count;
		a[i] = count;
		exited |= s->nexited > 0;
	}
	if (exited) {
		fputs("<figure><figcaption>processes that began and ended between two samples"
		      "</figcaption><svg viewBox=\"0 0 760 90\" role=\"img\">", p->out);
		double top = 1;
		for (uint32_t i = 0; i < n; i++)
			top = max2(top, a[i]);
		for (uint32_t i = 0; i < n; i++)
			fprintf(p->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"4\" height=\"%.1f\" "
				"fill=\"#7f8c8d\"><title>%+.2f s: %.0f exited</title></rect>",
				sample_x(p, i) - 2, CHART_H - a[i] / top * CHART_H, a[i] / top * CHART_H,
				offset_s(st_dump_at(d, i)), a[i]);
		fprintf(p->out, "<text x=\"2\" y=\"10\">%.0f</text></svg></figure>\n", top);
	}
	free(v);
}

/* ---------------------------------------------------------- tables */

static void put_cell_num(FILE *out, double v, const char *text)
{
	fprintf(out, "<td class=\"n\" data-v=\"%.3f\">%s</td>", isfinite(v) ? v : 0, text);
}

static void put_proc_row(const struct page *p, const struct st_dump_proc *q)
{
	char buf[64], place[2 * ST_DUMP_NAME_MAX];
	FILE *out = p->out;
	fprintf(out, "<tr><td class=\"n\" data-v=\"%" PRId32 "\">%" PRId32 "</td><td>", q->pid,
		q->pid);
	PUT_FIELD(out, q->comm);
	fputs("</td>", out);
	snprintf(buf, sizeof(buf), "%.1f%%", q->cpu_pct);
	put_cell_num(out, q->cpu_pct, buf);
	snprintf(buf, sizeof(buf), "%.1f%%", q->children_cpu_pct);
	put_cell_num(out, q->children_cpu_pct, buf);
	put_cell_num(out, (double)q->rss_kib,
		     st_format_kib(buf, sizeof(buf), (double)q->rss_kib, ST_SIZE_WHOLE));
	fputs("<td>", out);
	st_html_put_text(out, st_proc_where_label(q, place, sizeof(place)));
	fputs("</td><td><code>", out);
	if (q->cmdline && strlen(q->cmdline) > ROW_CMDLINE_MAX) {
		char cut[ROW_CMDLINE_MAX + 1];
		memcpy(cut, q->cmdline, ROW_CMDLINE_MAX);
		cut[ROW_CMDLINE_MAX] = '\0';
		st_html_put_text(out, cut);
		fputs("\xe2\x80\xa6", out);
	} else if (q->cmdline) {
		st_html_put_text(out, q->cmdline);
	}
	fputs("</code></td></tr>", out);
}

static void put_proc_table(const struct page *p, const char *title,
			   const struct st_dump_proc *list, uint32_t n)
{
	FILE *out = p->out;
	fprintf(out, "<h3>%s</h3><table class=\"sort\"><thead><tr><th class=\"n\">pid</th>"
		"<th>name</th><th class=\"n\">cpu</th><th class=\"n\">children</th>"
		"<th class=\"n\">rss</th><th>unit / container</th><th>command line</th>"
		"</tr></thead><tbody>", title);
	for (uint32_t i = 0; list && i < n && i < TOP_ROWS; i++)
		put_proc_row(p, ST_ELEMENT(struct st_dump_proc, list, p->d->proc_size, i));
	fputs("</tbody></table>", out);
}

static void put_exited_table(const struct page *p, const struct st_dump_sample *s)
{
	FILE *out = p->out;
	if (!s->exited || !s->nexited)
		return;
	fputs("<h3>exited since the sample before</h3><table class=\"sort\"><thead><tr>"
	      "<th>name</th><th>forked by</th><th class=\"n\">count</th><th class=\"n\">cpu</th>"
	      "</tr></thead><tbody>", out);
	for (uint32_t k = 0; k < s->nexited; k++) {
		const struct st_exited_group *g = st_dump_exited(p->d, s, k);
		char buf[32];
		fputs("<tr><td>", out);
		PUT_FIELD(out, g->comm);
		fputs("</td><td>", out);
		PUT_FIELD(out, g->parent_comm);
		if (g->parent_pid > 0)
			fprintf(out, " [%" PRId32 "]", g->parent_pid);
		fputs("</td>", out);
		snprintf(buf, sizeof(buf), "%" PRIu32, g->count);
		put_cell_num(out, g->count, buf);
		snprintf(buf, sizeof(buf), "%.1f%%", (double)g->cpu_pct);
		put_cell_num(out, g->cpu_pct, buf);
		fputs("</tr>", out);
	}
	fputs("</tbody></table>", out);
}

/* Every sample's tables, the trigger's shown; a slider picks another. */
static void put_tables(const struct page *p)
{
	const struct st_dump *d = p->d;
	FILE *out = p->out;
	if (!d->nsamples)
		return;
	uint32_t shown = d->trigger_index >= 0 && (uint32_t)d->trigger_index < d->nsamples ?
			 (uint32_t)d->trigger_index : d->nsamples - 1;
	fprintf(out, "<h2>processes</h2><p><input class=\"pick\" type=\"range\" min=\"0\" "
		"max=\"%" PRIu32 "\" value=\"%" PRIu32 "\" aria-label=\"sample\"> "
		"<output class=\"pick\"></output></p>\n", d->nsamples - 1, shown);
	for (uint32_t i = 0; i < d->nsamples; i++) {
		const struct st_dump_sample *s = st_dump_at(d, i);
		char label[96];
		snprintf(label, sizeof(label), "sample %" PRIu32 " at %+.2f s%s", i, offset_s(s),
			 (int32_t)i == d->trigger_index ? " (the trigger)" : "");
		fprintf(out, "<div class=\"tables\" data-i=\"%" PRIu32 "\" data-label=\"%s\"%s>",
			i, label, i == shown ? "" : " hidden");
		put_proc_table(p, "top by cpu", s->top_cpu, s->ntop_cpu);
		put_proc_table(p, "top by rss", s->top_rss, s->ntop_rss);
		put_exited_table(p, s);
		fputs("</div>\n", out);
	}
}

/* ------------------------------------------------------------ card */

static void put_card(const struct page *p, const char *name)
{
	const struct st_dump *d = p->d;
	FILE *out = p->out;
	char when[64], val[64], kib[32];
	fputs("<div class=\"card\"><h2>", out);
	if (d->ntriggers) {
		const struct st_trigger *t = &st_dump_trigger_at(d, 0)->trigger;
		PUT_FIELD(out, t->type);
		fputs(": ", out);
		PUT_FIELD(out, t->summary);
	} else {
		fputs("no trigger", out);
	}
	fputs("</h2><p class=\"k\">", out);
	if (name) {
		st_html_put_text(out, name);
		fputs(" · ", out);
	}
	st_html_put_text(out, st_format_wall_time(when, sizeof(when), d->wall_ns));
	fputs(" · ", out);
	PUT_FIELD(out, d->host.hostname);
	fprintf(out, " (");
	PUT_FIELD(out, d->host.kernel);
	fprintf(out, ", %" PRIu32 " cores, %s)</p>\n", d->host.ncores,
		st_format_kib(kib, sizeof(kib), (double)d->host.mem_total_kib, ST_SIZE_WHOLE));
	for (uint32_t k = 0; k < d->ntriggers; k++) {
		const struct st_dump_trigger *dt = st_dump_trigger_at(d, k);
		const struct st_trigger *t = &dt->trigger;
		fputs("<p><b>", out);
		PUT_FIELD(out, t->type);
		fputs("</b> ", out);
		if (t->pid > 0) {
			fprintf(out, "[%" PRId32 "] ", t->pid);
			PUT_FIELD(out, t->comm);
		} else if (t->exited_count) {
			PUT_FIELD(out, t->comm);
			fprintf(out, " \xc3\x97%" PRIu32 " (exited)", t->exited_count);
		} else {
			fputs("system-wide", out);
		}
		/* A figure only where there is one (not for SIGUSR1). */
		if (t->units[0]) {
			fputs(": ", out);
			st_html_put_text(out, st_format_trigger_value(val, sizeof(val), t, 0));
			fputs(" <span class=\"k\">threshold ", out);
			struct st_trigger th = *t;
			th.value = t->threshold;
			st_html_put_text(out, st_format_trigger_value(val, sizeof(val), &th, 0));
			fputs("</span>", out);
		}
		fputs("</p>", out);
		if (dt->sample_index >= 0 && (uint32_t)dt->sample_index < d->nsamples && t->pid > 0) {
			const struct st_dump_sample *s = st_dump_at(d, (uint32_t)dt->sample_index);
			const struct st_dump_proc *proc = st_dump_find_proc(d, s, t);
			char place[2 * ST_DUMP_NAME_MAX];
			if (proc && *st_proc_where_label(proc, place, sizeof(place))) {
				fputs("<p class=\"k\">in ", out);
				st_html_put_text(out, place);
				fputs("</p>", out);
			}
			if (proc && proc->cmdline) {
				fputs("<p><code>", out);
				st_html_put_text(out, proc->cmdline);
				fputs("</code></p>", out);
			}
		}
		struct st_why why;
		st_dump_why(d, k, &why);
		for (uint32_t r = 0; r < why.n; r++) {
			fputs("<p class=\"why\">why: ", out);
			st_html_put_text(out, why.reason[r]);
			fputs("</p>", out);
		}
	}
	fputs("</div>\n", out);
}

static void put_dump(FILE *out, const struct st_dump *d, const char *name)
{
	struct page p = { .out = out, .d = d };
	if (d->nsamples) {
		p.t0 = st_dump_at(d, 0)->mono_ns;
		p.span = st_dump_at(d, d->nsamples - 1)->mono_ns - p.t0;
	}
	if (d->ntriggers)
		p.blamed = &st_dump_trigger_at(d, 0)->trigger;
	fputs("<section class=\"dump\">\n", out);
	put_card(&p, name);
	put_charts(&p);
	put_tables(&p);
	fputs("</section>\n", out);
}

void st_html_begin(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\"><title>", out);
	st_html_put_text(out, title);
	fprintf(out, "</title><style>%s</style></head><body>\n<h1>spiketrace</h1>\n", STYLE);
}

int st_html_end(FILE *out)
{
	fprintf(out, "<script>%s</script>\n</body></html>\n", SCRIPT);
	return ferror(out) ? -1 : 0;
}

int st_render_html(FILE *out, const struct st_dump *const *dumps, const char *const *names,
		   size_t n)
{
	char title[64];
	snprintf(title, sizeof(title), "spiketrace: %zu dump%s", n, n == 1 ? "" : "s");
	st_html_begin(out, title);
	for (size_t i = 0; i < n; i++)
		put_dump(out, dumps[i], names ? names[i] : NULL);
	return st_html_end(out);
}
