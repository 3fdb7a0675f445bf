/*
 * One incident in one line of printable ASCII, what the syslog and journald
 * sinks announce: the type, the process and its figure against the
 * threshold, the summary, how many triggers, and the dump's file.
 */
#define _GNU_SOURCE
#include "incident_line.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ escaping */

/*
 * Escape in into out (outlen bytes, always NUL-terminated), whole escapes
 * only: a truncated line never ends in half of a "\x1b". Returns the
 * length written; *truncated says whether all of in fit.
 */
size_t st_escape_printable(const char *in, char *out, size_t outlen, bool *truncated)
{
	size_t n = 0;
	*truncated = false;
	if (!outlen)
		return 0;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		char unit[5];
		if (*p == '\\')
			snprintf(unit, sizeof(unit), "\\\\");
		else if (*p < 0x20 || *p > 0x7e)
			snprintf(unit, sizeof(unit), "\\x%02x", *p);
		else
			snprintf(unit, sizeof(unit), "%c", *p);
		size_t u = strlen(unit);
		if (n + u >= outlen) {
			*truncated = true;
			break;
		}
		memcpy(out + n, unit, u);
		n += u;
	}
	out[n] = '\0';
	return n;
}

/* Escaped into at most room bytes; "..." ends it when it was cut. */
static void escape_fit(const char *in, char *out, size_t outlen, size_t room)
{
	bool cut;
	size_t budget = room + 1 < outlen ? room + 1 : outlen;
	if (budget < 4) {
		out[0] = '\0';
		return;
	}
	st_escape_printable(in, out, budget, &cut);
	if (cut)
		strcpy(out + st_escape_printable(in, out, budget - 3, &cut), "...");
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

/* A figure in its unit: pct -> "95.3%", kib -> "1.5 GiB". */
static void format_figure(char *buf, size_t len, double v, const char *units)
{
	if (strcmp(units, "pct") == 0) {
		snprintf(buf, len, "%.1f%%", v);
	} else if (strcmp(units, "kib") == 0) {
		const char *sign = v < 0 ? "-" : "";
		double kib = v < 0 ? -v : v;
		if (kib >= 1024.0 * 1024.0)
			snprintf(buf, len, "%s%.1f GiB", sign, kib / (1024.0 * 1024.0));
		else if (kib >= 1024.0)
			snprintf(buf, len, "%s%.1f MiB", sign, kib / 1024.0);
		else
			snprintf(buf, len, "%s%.0f KiB", sign, kib);
	} else if (units[0]) {
		char u[4 * ST_TRIGGER_UNITS_MAX + 1];
		bool cut;
		st_escape_printable(units, u, sizeof(u), &cut);
		snprintf(buf, len, "%g %s", v, u);
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
	bool cut;
	/* A manual dump has no process and no figure to show. */
	bool figures = t->units[0] || t->threshold != 0 || t->value != 0;
	const char *s = ": ";

	if (t->pid > 0) {
		st_escape_printable(t->comm, comm, sizeof(comm), &cut);
		add(l, "%spid %d (%s)", s, (int)t->pid, comm);
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
	bool cut;

	l->len = 0;
	l->max = max < ST_INCIDENT_LINE_MAX ? max : ST_INCIDENT_LINE_MAX;
	l->buf[0] = '\0';

	const struct st_trigger *first = dump->ntriggers && dump->triggers ?
					 &st_dump_trigger_at(dump, 0)->trigger : NULL;
	st_escape_printable(first ? first->type : "", type, sizeof(type), &cut);
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
