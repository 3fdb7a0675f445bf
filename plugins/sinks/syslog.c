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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <spiketrace/plugin.h>

#include "incident_line.h"

#define IDENT_MAX 32            /* RFC 3164's TAG */

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
	st_escape_printable(ident, shown, sizeof(shown), &cut);
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
		st_escape_printable(opts[OPT_FACILITY].s ? opts[OPT_FACILITY].s : "", shown,
			     sizeof(shown), &cut);
		host->log(host, ST_LOG_ERR,
			  "facility \"%s\" is not one of daemon, user, local0 .. local7", shown);
		return -1;
	}
	if (!level) {
		st_escape_printable(opts[OPT_LEVEL].s ? opts[OPT_LEVEL].s : "", shown,
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
	s->line_max = ST_INCIDENT_LINE_MAX - strlen(s->ident);
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
	char line[ST_INCIDENT_LINE_MAX + 1];
	(void)json;
	(void)json_len;

	st_incident_line(line, s->line_max, dump);
	/* openlog's settings are process-wide: set ours again before each
	 * line, so nothing else in the process (a reload creating the next
	 * instance first, a library) can put another ident on it. */
	openlog(s->ident, LOG_PID, s->facility);
	/* syslog(3) reports no error: a missing /dev/log loses the line
	 * silently, which is what every syslog client does. */
	syslog(s->facility | s->level, "%s", line);
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
