/*
 * spiketrace-view --html OUT_DIR DIR: a page per dump of DIR and an index,
 * OUT_DIR/index.html: the dumps newest first as --list shows them, each
 * linking to its page, the incidents per hour, and the processes that
 * trigger most.
 */
#define _GNU_SOURCE
#include "html_index.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dump_list.h"
#include "output_file.h"
#include "render/render_html.h"
#include "render/render_text.h"
#include "write_dumps.h"

#define HOURS_MAX 168           /* the chart: at most the last week */
#define CULPRITS_SHOWN 10

/* NAME.json's page: NAME.html. */
static char *page_name(const char *dump_name)
{
	size_t n = strlen(dump_name);
	char *out = NULL;
	if (n > 5 && strcmp(dump_name + n - 5, ".json") == 0)
		n -= 5;
	return asprintf(&out, "%.*s.html", (int)n, dump_name) < 0 ? NULL : out;
}

/* A file name as a relative URL: every byte but [A-Za-z0-9._-] in %XX. */
static void put_href(FILE *out, const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-')
			fputc(*p, out);
		else
			fprintf(out, "%%%02X", *p);
	}
}

/* Incidents per hour (UTC) over the span of the listing, the last
 * HOURS_MAX hours of it at most, as bars. */
static void put_per_hour(FILE *out, const struct view_listing *l)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].error)
			continue;
		int64_t h = l->v[i].wall_ns / 3600000000000LL;
		lo = h < lo ? h : lo;
		hi = h > hi ? h : hi;
	}
	if (lo > hi)
		return;
	if (hi - lo + 1 > HOURS_MAX)
		lo = hi - HOURS_MAX + 1;
	size_t hours = (size_t)(hi - lo + 1);
	unsigned *count = calloc(hours, sizeof(*count)), top = 1;
	if (!count)
		return;
	for (size_t i = 0; i < l->n; i++) {
		int64_t h = l->v[i].wall_ns / 3600000000000LL;
		if (!l->v[i].error && h >= lo) {
			count[h - lo]++;
			top = count[h - lo] > top ? count[h - lo] : top;
		}
	}
	double w = 760.0 / (double)hours;
	fprintf(out, "<figure><figcaption>incidents per hour (UTC)</figcaption>"
		"<svg viewBox=\"0 0 760 90\" role=\"img\">");
	for (size_t k = 0; k < hours; k++) {
		char when[64];
		double h = 84.0 * count[k] / top;
		st_format_wall_time(when, sizeof(when), (lo + (int64_t)k) * 3600000000000LL);
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			"fill=\"#2e86c1\"><title>%.13s:00 UTC: %u</title></rect>",
			w * (double)k, 90.0 - h, w > 2 ? w - 1 : w, h, when, count[k]);
	}
	fprintf(out, "<text x=\"2\" y=\"10\">%u</text></svg></figure>\n", top);
	free(count);
}

static void put_rows(FILE *out, const struct view_listing *l)
{
	fputs("<table class=\"sort\"><thead><tr><th>time</th><th>trigger</th><th>process</th>"
	      "<th>value</th><th class=\"n\">lasted</th><th>file</th></tr></thead><tbody>\n", out);
	for (size_t i = 0; i < l->n; i++) {
		const struct view_listed *e = &l->v[i];
		char when[64], type[64], proc[128], value[64];
		if (e->error) {
			fputs("<tr><td colspan=\"5\">cannot be read: ", out);
			st_html_put_text(out, e->error);
			fputs("</td><td>", out);
			st_html_put_text(out, e->name);
			fputs("</td></tr>\n", out);
			continue;
		}
		view_listed_fields(e, 0, type, sizeof(type), proc, sizeof(proc), value,
				   sizeof(value));
		fputs("<tr><td>", out);
		st_html_put_text(out, st_format_wall_time(when, sizeof(when), e->wall_ns));
		fputs("</td><td>", out);
		st_html_put_text(out, type);
		fputs("</td><td>", out);
		st_html_put_text(out, proc);
		fputs("</td><td>", out);
		st_html_put_text(out, value);
		fprintf(out, "</td><td class=\"n\" data-v=\"%.3f\">", (double)e->lasted_ns / 1e9);
		if (e->lasted_ns > 0)
			fprintf(out, "%.1f s", (double)e->lasted_ns / 1e9);
		fputs("</td><td><a href=\"", out);
		char *page = page_name(e->name);
		if (page)
			put_href(out, page);
		free(page);
		fputs("\">", out);
		st_html_put_text(out, e->name);
		fputs("</a></td></tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
}

static void put_culprits(FILE *out, const struct view_listing *l)
{
	struct view_culprit *c;
	size_t total, n = view_listing_culprits(l, &c, &total);
	if (!c)
		return;
	fprintf(out, "<h2>most triggers (%zu in all)</h2><table class=\"sort\"><thead><tr>"
		"<th class=\"n\">triggers</th><th>process</th></tr></thead><tbody>", total);
	for (size_t j = 0; j < n && j < CULPRITS_SHOWN; j++) {
		char who[ST_COMM_MAX + 16];
		view_culprit_name(&c[j], who, sizeof(who));
		fprintf(out, "<tr><td class=\"n\" data-v=\"%u\">%u</td><td>", c[j].count, c[j].count);
		st_html_put_text(out, who);
		fputs("</td></tr>", out);
	}
	fputs("</tbody></table>\n", out);
	if (n > CULPRITS_SHOWN)
		fprintf(out, "<p class=\"k\">and %zu more</p>\n", n - CULPRITS_SHOWN);
	free(c);
}

/* The index of l (of dir) into out_dir/index.html, whole or not at all. */
static int write_index(const char *out_dir, const char *dir, const struct view_listing *l)
{
	char *page = NULL, *path = NULL, err[256], title[64];
	size_t len = 0;
	int status = 1;
	FILE *f = open_memstream(&page, &len);
	if (!f || asprintf(&path, "%s/index.html", out_dir) < 0) {
		if (f)
			fclose(f);
		view_report(out_dir, "out of memory");
		free(page);
		return 1;
	}
	snprintf(title, sizeof(title), "spiketrace: %zu dumps", l->n);
	st_html_begin(f, title);
	fprintf(f, "<section class=\"dump\"><h2>%zu dump%s in ", l->n, l->n == 1 ? "" : "s");
	st_html_put_text(f, dir);
	fputs("</h2>\n", f);
	put_per_hour(f, l);
	put_rows(f, l);
	put_culprits(f, l);
	fputs("</section>\n", f);
	int bad = st_html_end(f);
	if (fclose(f) != 0 || bad)
		view_report(path, "out of memory");
	else if (view_write_atomic(path, page, len, err, sizeof(err)) < 0)
		view_report(path, err);
	else
		status = 0;
	free(path);
	free(page);
	return status;
}

int view_write_html_dir(const char *out_dir, const char *dir)
{
	struct view_listing l = { 0 };
	struct stat st;
	int status = 0;
	if (mkdir(out_dir, 0777) < 0 && errno != EEXIST) {
		view_report(out_dir, strerror(errno));
		return 1;
	}
	if (stat(out_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		view_report(out_dir, "not a directory");
		return 1;
	}
	if (view_listing_read(&l, dir) < 0)
		return 1;
	view_listing_sort(&l);
	for (size_t i = 0; i < l.n; i++) {
		char *from = NULL, *to = NULL, *page = page_name(l.v[i].name);
		if (page && asprintf(&from, "%s/%s", dir, l.v[i].name) < 0)
			from = NULL;
		if (page && asprintf(&to, "%s/%s", out_dir, page) < 0)
			to = NULL;
		if (l.v[i].error) {
			view_report(l.v[i].name, l.v[i].error);
			status = 1;
		} else if (!page || !from || !to) {
			view_report(l.v[i].name, "out of memory");
			status = 1;
		} else if (view_write_dumps(to, &from, 1, view_html_page) != 0) {
			status = 1;
		}
		free(page);
		free(from);
		free(to);
	}
	if (write_index(out_dir, dir, &l) != 0)
		status = 1;
	view_listing_free(&l);
	return status;
}
