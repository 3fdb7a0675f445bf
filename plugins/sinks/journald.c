/*
 * journald: each incident as one journal entry through journald's native
 * protocol (a datagram of KEY=value lines to /run/systemd/journal/socket;
 * no libsystemd), with fields of its own so that
 *
 *   journalctl SPIKETRACE_TYPE=cpu_delta
 *
 * finds them: MESSAGE (the syslog sink's line), PRIORITY,
 * SYSLOG_IDENTIFIER, SPIKETRACE_TYPE, SPIKETRACE_PID, SPIKETRACE_COMM,
 * SPIKETRACE_VALUE, SPIKETRACE_UNITS, SPIKETRACE_TRIGGERS and
 * SPIKETRACE_DUMP (the file, when a storing sink wrote one).
 *
 * Every value is printable ASCII (the names escaped as in the syslog
 * line), so none holds a newline and the simple KEY=value form serves;
 * an entry is a few hundred bytes, far below a datagram's limit, so no
 * memfd is needed. A socket that is missing, refuses or is full (a
 * journald that hangs: the send never waits) is said once, and its return
 * once; the entry is then lost, as a syslog line is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <spiketrace/plugin.h>

#include "incident_line.h"
#include "text/term_text.h"

#define IDENT_MAX 32
#define ENTRY_MAX 4096

struct journald_sink {
	const struct st_host *host;
	int fd;
	struct sockaddr_un addr;
	socklen_t addr_len;
	char ident[IDENT_MAX + 1];
	int priority;
	int failing;            /* the last send failed: said once */
};

enum { OPT_SOCKET, OPT_IDENTIFIER, OPT_PRIORITY };

static const char *const priority_names[] = { "err", "warning", "notice", "info", NULL };
static const int priority_values[] = { 3, 4, 5, 6 };

static const struct st_option options[] = {
	[OPT_SOCKET] = ST_OPTION_STRING("socket", "/run/systemd/journal/socket",
		"journald's native socket"),
	[OPT_IDENTIFIER] = ST_OPTION_STRING("identifier", "spiketrace",
		"SYSLOG_IDENTIFIER of the entries (1 to 32 printable ASCII characters)"),
	[OPT_PRIORITY] = ST_OPTION_CHOICE("priority", "notice", priority_names,
		"err, warning, notice or info"),
	ST_OPTION_END,
};

static int journald_check_options(const union st_value *opts, char *err, size_t errlen)
{
	const char *ident = opts[OPT_IDENTIFIER].s ? opts[OPT_IDENTIFIER].s : "";
	const char *path = opts[OPT_SOCKET].s ? opts[OPT_SOCKET].s : "";
	/* A refused value is named raw, up to a socket path's length: the
	 * daemon's log escapes the message. */
	const int shown = (int)sizeof(((struct sockaddr_un *)0)->sun_path);
	if (!st_printusascii_name(ident, IDENT_MAX, NULL)) {
		snprintf(err, errlen, "identifier \"%.*s\" is not 1 to %d printable ASCII "
			 "characters without space", shown, ident, IDENT_MAX);
		return -1;
	}
	if (path[0] != '/' || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen, "socket \"%.*s\" is not an absolute path of at most %zu bytes",
			 shown, path, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return -1;
	}
	return 0;
}

static int journald_create(const struct st_host *host, const union st_value *opts,
			   void **state)
{
	char err[256];
	if (journald_check_options(opts, err, sizeof(err)) < 0) {
		host->log(host, ST_LOG_ERR, "%s", err);
		return -1;
	}
	int level = 2;
	for (int i = 0; priority_names[i]; i++)
		if (opts[OPT_PRIORITY].s && strcmp(opts[OPT_PRIORITY].s, priority_names[i]) == 0)
			level = i;
	struct journald_sink *j = calloc(1, sizeof(*j));
	if (!j) {
		host->log(host, ST_LOG_ERR, "out of memory");
		return -1;
	}
	/* Unbound and unconnected: each entry goes to the path by name, so a
	 * journald that restarts (a new socket) is found again. */
	j->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (j->fd < 0) {
		host->log(host, ST_LOG_ERR, "socket: %s", strerror(errno));
		free(j);
		return -1;
	}
	j->host = host;
	j->addr.sun_family = AF_UNIX;
	snprintf(j->addr.sun_path, sizeof(j->addr.sun_path), "%s", opts[OPT_SOCKET].s);
	j->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				  strlen(j->addr.sun_path) + 1);
	snprintf(j->ident, sizeof(j->ident), "%s", opts[OPT_IDENTIFIER].s);
	j->priority = priority_values[level];
	*state = j;
	return 0;
}

static void journald_destroy(void *state)
{
	struct journald_sink *j = state;
	if (!j)
		return;
	close(j->fd);
	free(j);
}

/* "KEY=value\n" appended while it fits; value printable ASCII already. */
static void put_field(char *entry, size_t *len, const char *key, const char *value)
{
	int n = snprintf(entry + *len, ENTRY_MAX - *len, "%s=%s\n", key, value);
	if (n > 0 && (size_t)n < ENTRY_MAX - *len)
		*len += (size_t)n;
}

/* The same for raw bytes (a name), escaped as in the line. */
static void field(char *entry, size_t *len, const char *key, const char *raw)
{
	char value[4 * ST_TRIGGER_SUMMARY_MAX + 1];
	st_escape_ascii(raw, value, sizeof(value));
	put_field(entry, len, key, value);
}

/* The entry of one dump into entry (ENTRY_MAX bytes). Returns its length. */
static size_t build_entry(const struct journald_sink *j, const struct st_dump *dump,
			  char *entry)
{
	char line[ST_INCIDENT_LINE_MAX + 1], num[64];
	size_t len = 0;
	const struct st_trigger *t = dump->ntriggers && dump->triggers ?
				     &st_dump_trigger_at(dump, 0)->trigger : NULL;
	st_incident_line(line, ST_INCIDENT_LINE_MAX, dump);
	put_field(entry, &len, "MESSAGE", line);     /* escaped by st_incident_line */
	snprintf(num, sizeof(num), "%d", j->priority);
	field(entry, &len, "PRIORITY", num);
	field(entry, &len, "SYSLOG_IDENTIFIER", j->ident);
	if (t) {
		char type[ST_TRIGGER_TYPE_MAX + 1], comm[ST_COMM_MAX + 1];
		char units[ST_TRIGGER_UNITS_MAX + 1];
		snprintf(type, sizeof(type), "%.*s", ST_TRIGGER_TYPE_MAX, t->type);
		snprintf(comm, sizeof(comm), "%.*s", ST_COMM_MAX, t->comm);
		snprintf(units, sizeof(units), "%.*s", ST_TRIGGER_UNITS_MAX, t->units);
		field(entry, &len, "SPIKETRACE_TYPE", type);
		snprintf(num, sizeof(num), "%d", (int)t->pid);
		field(entry, &len, "SPIKETRACE_PID", num);
		if (comm[0])
			field(entry, &len, "SPIKETRACE_COMM", comm);
		if (units[0]) {
			snprintf(num, sizeof(num), "%g", t->value);
			field(entry, &len, "SPIKETRACE_VALUE", num);
			field(entry, &len, "SPIKETRACE_UNITS", units);
		}
	}
	snprintf(num, sizeof(num), "%u", (unsigned)dump->ntriggers);
	field(entry, &len, "SPIKETRACE_TRIGGERS", num);
	if (dump->stored_as[0]) {
		char path[sizeof(dump->stored_as) + 1];
		snprintf(path, sizeof(path), "%.*s", (int)sizeof(dump->stored_as), dump->stored_as);
		field(entry, &len, "SPIKETRACE_DUMP", path);
	}
	return len;
}

static int journald_emit(void *state, const struct st_dump *dump, const char *json,
			 size_t json_len)
{
	struct journald_sink *j = state;
	char entry[ENTRY_MAX];
	(void)json;
	(void)json_len;
	size_t len = build_entry(j, dump, entry);
	/* Never waiting: a journald that hangs (its queue full) costs an entry,
	 * not the sink thread. */
	if (sendto(j->fd, entry, len, MSG_NOSIGNAL | MSG_DONTWAIT,
		   (const struct sockaddr *)&j->addr, j->addr_len) < 0) {
		if (!j->failing)
			j->host->log(j->host, ST_LOG_WARNING, "%s: %s (entries are lost until "
				     "it answers; said once)", j->addr.sun_path, strerror(errno));
		j->failing = 1;
		return -1;
	}
	if (j->failing)
		j->host->log(j->host, ST_LOG_NOTICE, "%s: entries are delivered again",
			     j->addr.sun_path);
	j->failing = 0;
	return 0;
}

static const struct st_plugin journald_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_SINK,
	.name = "journald",
	.version = "1.0",
	.description = "each incident as a journal entry with SPIKETRACE_* fields "
		       "(journald's native protocol)",
	.options = options,
	.create = journald_create,
	.destroy = journald_destroy,
	.emit = journald_emit,
	.check_options = journald_check_options,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &journald_plugin;
}
