/*
 * One incident in one line of printable ASCII, what the syslog and journald
 * sinks announce: the type, the process and its figure against the
 * threshold, the summary, how many triggers, and the dump's file.
 */
#define _GNU_SOURCE
#include "incident_line.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "text/size_text.h"
#include "text/term_text.h"

/* Escaped into at most room bytes; "..." ends it when it was cut. */
static void escape_fit(const char *in, char *out, size_t outlen, size_t room)
{
	size_t budget = room + 1 < outlen ? room + 1 : outlen;
	st_escape_cut(in, out, budget, true, SIZE_MAX, "...");
}

/* --------------------------------------------------------------- line */

struct line {
	char buf[ST_INCIDENT_LINE_MAX + 1];
	size_t len;
	size_t max;             /* <= ST_INCIDENT_LINE_MAX */
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append, truncating at the line's end (never past it). */
static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	if (l->len >= l->max)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(l->buf + l->len, l->max + 1 - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
	if (l->len > l->max)
		l->len = l->max;
}

/* A figure in its unit: pct -> "95.3%", kib -> "1.5 GiB" (prose: tenths). */
static void format_figure(char *buf, size_t len, double v, const char *units)
{
	if (strcmp(units, "pct") == 0) {
		snprintf(buf, len, "%.1f%%", v);
	} else if (strcmp(units, "kib") == 0) {
		st_format_kib(buf, len, v, ST_SIZE_TENTHS);
	} else if (units[0]) {
		char u[4 * ST_TRIGGER_UNITS_MAX + 1];
		snprintf(buf, len, "%g %s", v, st_escape_ascii(units, u, sizeof(u)));
	} else {
		snprintf(buf, len, "%g", v);
	}
}

/* The separator before the next part: "type: first; second; ...". */
static const char *sep(const struct line *l, size_t type_len)
{
	return l->len == type_len ? ": " : "; ";
}

/* "pid N (comm) at V against threshold T", either half alone, or nothing. */
static void describe_figures(struct line *l, const struct st_trigger *t)
{
	char comm[4 * ST_COMM_MAX + 1];
	/* A manual dump has no process and no figure to show. */
	bool figures = t->units[0] || t->threshold != 0 || t->value != 0;
	const char *s = ": ";

	if (t->pid > 0) {
		add(l, "%spid %d (%s)", s, (int)t->pid,
		    st_escape_ascii(t->comm, comm, sizeof(comm)));
		s = " at ";
	}
	if (figures) {
		char value[96], threshold[96];
		format_figure(value, sizeof(value), t->value, t->units);
		format_figure(threshold, sizeof(threshold), t->threshold, t->units);
		add(l, "%s%s against threshold %s", s, value, threshold);
	}
}

/* Room left in l once reserved more bytes are added, less a separator. */
static size_t room_in(const struct line *l, size_t reserved)
{
	size_t used = l->len + reserved + 2;
	return used < l->max ? l->max - used : 0;
}

size_t st_incident_line(char *buf, size_t max, const struct st_dump *dump)
{
	struct line line, *l = &line;
	char type[4 * ST_TRIGGER_TYPE_MAX + 1];
	char path[4 * sizeof(dump->stored_as) + 1];
	char summary[4 * ST_TRIGGER_SUMMARY_MAX + 1];
	char triggers[32] = "";

	l->len = 0;
	l->max = max < ST_INCIDENT_LINE_MAX ? max : ST_INCIDENT_LINE_MAX;
	l->buf[0] = '\0';

	const struct st_trigger *first = dump->ntriggers && dump->triggers ?
					 &st_dump_trigger_at(dump, 0)->trigger : NULL;
	st_escape_ascii(first ? first->type : "", type, sizeof(type));
	add(l, "%s", type[0] ? type : "spike");
	size_t type_len = l->len;
	if (first)
		describe_figures(l, first);

	if (dump->ntriggers > 1)
		snprintf(triggers, sizeof(triggers), "%u triggers", (unsigned)dump->ntriggers);
	path[0] = '\0';
	if (dump->stored_as[0])
		escape_fit(dump->stored_as, path, sizeof(path),
			   room_in(l, strlen(triggers) + 2 + strlen("dump: ")));
	summary[0] = '\0';
	if (first && first->summary[0])
		escape_fit(first->summary, summary, sizeof(summary),
			   room_in(l, strlen(triggers) + 2 + (path[0] ? strlen(path) + 8 : 0)));

	if (summary[0])
		add(l, "%s%s", sep(l, type_len), summary);
	if (triggers[0])
		add(l, "%s%s", sep(l, type_len), triggers);
	if (path[0])
		add(l, "%sdump: %s", sep(l, type_len), path);
	memcpy(buf, l->buf, l->len + 1);
	return l->len;
}

size_t st_printusascii_span(const char *s, const char *also)
{
	size_t n = 0;
	while ((unsigned char)s[n] > 0x20 && (unsigned char)s[n] < 0x7f &&
	       !(also && strchr(also, s[n])))
		n++;
	return n;
}

bool st_printusascii_name(const char *s, size_t max, const char *also)
{
	size_t n = st_printusascii_span(s, also);
	return n > 0 && n <= max && s[n] == '\0';
}
