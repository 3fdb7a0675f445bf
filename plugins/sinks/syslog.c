/*
 * syslog: one line per incident through syslog(3), so that an incident
 * shows up where the admin already looks (journal, /var/log/syslog, a
 * remote collector) and names the dump file with the details:
 *
 *   cpu_delta: pid 4242 (make) at 95.3% against threshold 40.0%; cpu 95.3%
 *   of one core, baseline 2.1% (+93.2 points); 3 triggers; dump: /var/...
 *   manual: dump requested with SIGUSR1; dump: /var/lib/spiketrace/...
 *
 * Process names and summaries are attacker-controlled bytes and syslog
 * lines are read raw on terminals and parsed by collectors: every byte
 * outside printable ASCII becomes \xNN (and '\' becomes "\\"), so a line
 * never carries a control byte, a newline or invalid UTF-8.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <spiketrace/plugin.h>

/* The whole record under the 1024 bytes of the BSD syslog limit (RFC 3164),
 * which some relays and collectors still truncate at: what syslog(3) puts
 * before our text is "<PRI>Mmm dd hh:mm:ss " (21 bytes), the ident, then
 * "[pid]: " (at most 11). */
#define RECORD_MAX_BYTES 1023
#define RECORD_HEADER_BYTES 32
#define IDENT_MAX 32            /* RFC 3164's TAG */
#define LINE_MAX_BYTES (RECORD_MAX_BYTES - RECORD_HEADER_BYTES)

struct syslog_sink {
	const struct st_host *host;
	char *ident;            /* openlog keeps the pointer: ours until destroy */
	int facility;
	int level;
	size_t line_max;        /* our text's share of the record */
};

enum { OPT_FACILITY, OPT_IDENT, OPT_LEVEL };

static const char *const facility_names[] = {
	"daemon", "user", "local0", "local1", "local2", "local3",
	"local4", "local5", "local6", "local7", NULL,
};
static const char *const level_names[] = { "err", "warning", "notice", "info", NULL };

static const struct st_option options[] = {
	[OPT_FACILITY] = ST_OPTION_CHOICE("facility", "daemon", facility_names,
		"daemon, user or local0 .. local7"),
	[OPT_IDENT] = ST_OPTION_STRING("ident", "spiketrace",
		"the program name on each line (at most 32 characters)"),
	[OPT_LEVEL] = ST_OPTION_CHOICE("level", "notice", level_names,
		"err, warning, notice or info"),
	ST_OPTION_END,
};

struct name_value {
	const char *name;
	int value;
};

static const struct name_value facilities[] = {
	{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	{ NULL, 0 },
};

static const struct name_value levels[] = {
	{ "err", LOG_ERR }, { "warning", LOG_WARNING },
	{ "notice", LOG_NOTICE }, { "info", LOG_INFO },
	{ NULL, 0 },
};

/* ------------------------------------------------------------ escaping */

/*
 * Escape in into out (outlen bytes, always NUL-terminated), whole escapes
 * only: a truncated line never ends in half of a "\x1b". Returns the
 * length written; *truncated says whether all of in fit.
 */
static size_t escape_ascii(const char *in, char *out, size_t outlen, bool *truncated)
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
	escape_ascii(in, out, budget, &cut);
	if (cut)
		strcpy(out + escape_ascii(in, out, budget - 3, &cut), "...");
}

/* --------------------------------------------------------------- line */

struct line {
	char buf[LINE_MAX_BYTES + 1];
	size_t len;
	size_t max;             /* <= LINE_MAX_BYTES */
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
		escape_ascii(units, u, sizeof(u), &cut);
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
		escape_ascii(t->comm, comm, sizeof(comm), &cut);
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

/*
 * The whole line, at most max bytes. Type, process and figures are short
 * and come first; the dump's path is what the line is for and is cut only
 * if absurdly long; the summary gets what is left.
 */
static void build_line(struct line *l, size_t max, const struct st_dump *dump)
{
	char type[4 * ST_TRIGGER_TYPE_MAX + 1];
	char path[4 * sizeof(dump->stored_as) + 1];
	char summary[4 * ST_TRIGGER_SUMMARY_MAX + 1];
	char triggers[32] = "";
	bool cut;

	l->len = 0;
	l->max = max < LINE_MAX_BYTES ? max : LINE_MAX_BYTES;
	l->buf[0] = '\0';

	const struct st_trigger *first = dump->ntriggers && dump->triggers ?
					 &st_dump_trigger_at(dump, 0)->trigger : NULL;
	escape_ascii(first ? first->type : "", type, sizeof(type), &cut);
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
}

/* ------------------------------------------------------------ plugin */

static const struct name_value *lookup(const struct name_value *table, const char *name)
{
	for (; table->name; table++)
		if (name && strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

/* The ident is the record's TAG: what parsers split the record at must
 * not be in it. */
static bool valid_ident(const char *ident)
{
	size_t n = strlen(ident);
	if (n == 0 || n > IDENT_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)ident; *p; p++)
		if (*p <= 0x20 || *p > 0x7e || *p == ':' || *p == '[' || *p == ']')
			return false;
	return true;
}

/* The ident becomes part of every line: refused by --check-config too,
 * not only when the sink starts. */
static int syslog_check_options(const union st_value *opts, char *err, size_t errlen)
{
	const char *ident = opts[OPT_IDENT].s ? opts[OPT_IDENT].s : "";
	char shown[64];
	bool cut;
	if (valid_ident(ident))
		return 0;
	escape_ascii(ident, shown, sizeof(shown), &cut);
	snprintf(err, errlen, "ident \"%s\" is not 1 to %d printable ASCII "
		 "characters without space, ':', '[' or ']'", shown, IDENT_MAX);
	return -1;
}

static int syslog_create(const struct st_host *host, const union st_value *opts,
			 void **state)
{
	const struct name_value *facility = lookup(facilities, opts[OPT_FACILITY].s);
	const struct name_value *level = lookup(levels, opts[OPT_LEVEL].s);
	char shown[64];
	bool cut;

	if (!facility) {
		escape_ascii(opts[OPT_FACILITY].s ? opts[OPT_FACILITY].s : "", shown,
			     sizeof(shown), &cut);
		host->log(host, ST_LOG_ERR,
			  "facility \"%s\" is not one of daemon, user, local0 .. local7", shown);
		return -1;
	}
	if (!level) {
		escape_ascii(opts[OPT_LEVEL].s ? opts[OPT_LEVEL].s : "", shown,
			     sizeof(shown), &cut);
		host->log(host, ST_LOG_ERR,
			  "level \"%s\" is not one of err, warning, notice, info", shown);
		return -1;
	}
	const char *ident = opts[OPT_IDENT].s ? opts[OPT_IDENT].s : "";
	char err[160];
	if (syslog_check_options(opts, err, sizeof(err)) < 0) {
		host->log(host, ST_LOG_ERR, "%s", err);
		return -1;
	}
	struct syslog_sink *s = calloc(1, sizeof(*s));
	if (!s || !(s->ident = strdup(ident))) {
		host->log(host, ST_LOG_ERR, "out of memory");
		free(s);
		return -1;
	}
	s->host = host;
	s->facility = facility->value;
	s->level = level->value;
	s->line_max = LINE_MAX_BYTES - strlen(s->ident);
	/* No LOG_NDELAY: the log socket may appear after we start, and
	 * syslog(3) connects (and reconnects) when it has a line to send. */
	openlog(s->ident, LOG_PID, s->facility);
	*state = s;
	return 0;
}

static void syslog_destroy(void *state)
{
	struct syslog_sink *s = state;
	if (!s)
		return;
	closelog();
	free(s->ident);
	free(s);
}

static int syslog_emit(void *state, const struct st_dump *dump,
		       const char *json, size_t json_len)
{
	struct syslog_sink *s = state;
	struct line l;
	(void)json;
	(void)json_len;

	build_line(&l, s->line_max, dump);
	/* openlog's settings are process-wide: set ours again before each
	 * line, so nothing else in the process (a reload creating the next
	 * instance first, a library) can put another ident on it. */
	openlog(s->ident, LOG_PID, s->facility);
	/* syslog(3) reports no error: a missing /dev/log loses the line
	 * silently, which is what every syslog client does. */
	syslog(s->facility | s->level, "%s", l.buf);
	return 0;
}

static const struct st_plugin syslog_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_SINK,
	.name = "syslog",
	.version = "1.0",
	.description = "announce each incident in one syslog line naming the dump file",
	.options = options,
	.create = syslog_create,
	.destroy = syslog_destroy,
	.emit = syslog_emit,
	.check_options = syslog_check_options,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &syslog_plugin;
}
