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
 *
 * With a server, the same incident goes instead to a collector (rsyslog,
 * syslog-ng) as an RFC 5424 message over TCP with structured data
 * (rfc5424.c), optionally with the whole dump as its text, so a central
 * store keeps one file per dump per host. emit() only formats and queues:
 * the send queue's own thread connects, sends and reconnects, so a down or
 * hung collector never holds the sink thread, and the dumps of an outage
 * arrive when it is back (as many as the queue holds).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <spiketrace/plugin.h>

#include "incident_line.h"
#include "rfc5424.h"
#include "send_queue.h"
#include "tcp_client.h"

#define IDENT_MAX 32            /* RFC 3164's TAG */
/* Bytes of a refused value named in a message, raw: whoever prints the
 * message (the daemon's log) escapes it. A server or host name is named
 * whole; an ident or a choice (short when valid) in part. */
#define LONG_SHOWN  ST_RFC5424_HOSTNAME_MAX
#define SHORT_SHOWN 63
/* A "summary" message: header, structured data, the line, the count. */
#define SUMMARY_FRAME_MAX (ST_RFC5424_HEADER_MAX + ST_RFC5424_SD_MAX + \
			   ST_INCIDENT_LINE_MAX + 16)

/* The collector's end: tcp is the sender thread's, the frame the sink
 * thread's (emit formats into it, the queue copies it). */
struct syslog_remote {
	struct st_send_queue *queue;
	struct st_tcp_client tcp;
	struct st_rfc5424_origin origin;
	char hostname[ST_RFC5424_HOSTNAME_MAX + 1];
	char sd_id[ST_RFC5424_SD_NAME_MAX + 1];
	int payload_dump;
	size_t max_bytes;
	char *frame;            /* grown to the largest message, then reused */
	size_t frame_cap;
};

struct syslog_sink {
	const struct st_host *host;
	char *ident;            /* openlog keeps the pointer: ours until destroy */
	int facility;
	int level;
	size_t line_max;        /* our text's share of the record */
	struct syslog_remote *remote;   /* NULL: syslog(3) */
};

enum {
	OPT_FACILITY, OPT_IDENT, OPT_LEVEL, OPT_SERVER, OPT_TRANSPORT, OPT_SD_ID,
	OPT_PAYLOAD, OPT_HOSTNAME, OPT_QUEUE_MAX_MESSAGES, OPT_QUEUE_MAX_KIB, OPT_TIMEOUT,
};

static const char *const facility_names[] = {
	"daemon", "user", "local0", "local1", "local2", "local3",
	"local4", "local5", "local6", "local7", NULL,
};
static const char *const level_names[] = { "err", "warning", "notice", "info", NULL };
/* udp and tls may come: the option is there so that configs say which. */
static const char *const transport_names[] = { "tcp", NULL };
static const char *const payload_names[] = { "summary", "dump", NULL };

static const struct st_option options[] = {
	[OPT_FACILITY] = ST_OPTION_CHOICE("facility", "daemon", facility_names,
		"daemon, user or local0 .. local7"),
	[OPT_IDENT] = ST_OPTION_STRING("ident", "spiketrace",
		"the program name on each line (at most 32 characters)"),
	[OPT_LEVEL] = ST_OPTION_CHOICE("level", "notice", level_names,
		"err, warning, notice or info"),
	[OPT_SERVER] = ST_OPTION_STRING("server", "",
		"HOST:PORT ([ADDRESS]:PORT for IPv6) of an RFC 5424 collector; "
		"empty: syslog(3) to the local log"),
	[OPT_TRANSPORT] = ST_OPTION_CHOICE("transport", "tcp", transport_names,
		"to the server: tcp, octet-counted framing (RFC 6587)"),
	[OPT_SD_ID] = ST_OPTION_STRING("sd_id", "spiketrace@32473",
		"the structured data's SD-ID (NAME@ENTERPRISE-NUMBER; 32473 is "
		"the documentation number)"),
	[OPT_PAYLOAD] = ST_OPTION_CHOICE("payload", "summary", payload_names,
		"the message's text to the server: the one-line summary, or the "
		"whole dump's JSON"),
	[OPT_HOSTNAME] = ST_OPTION_STRING("hostname", "",
		"HOSTNAME in the messages to the server; empty: the machine's name"),
	[OPT_QUEUE_MAX_MESSAGES] = ST_OPTION_INT("queue_max_messages", 1000, 1, 1000000,
		"messages kept while the server is unreachable (the oldest dropped)"),
	[OPT_QUEUE_MAX_KIB] = ST_OPTION_INT("queue_max_kib", 16384, 16, 1048576,
		"and KiB of them at most"),
	[OPT_TIMEOUT] = ST_OPTION_FLOAT("timeout", 5, 0.1, 120,
		"seconds to connect, and to send one message, before retrying later"),
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

static const char *str(const union st_value *opts, int i)
{
	return opts[i].s ? opts[i].s : "";
}

/* The server's options, as a set. */
static int check_remote(const union st_value *opts, char *err, size_t errlen)
{
	const char *server = str(opts, OPT_SERVER), *hostname = str(opts, OPT_HOSTNAME);
	char why[128];
	char host[ST_TCP_HOST_MAX + 1], port[ST_TCP_PORT_MAX + 1];

	if (!server[0]) {
		/* syslog(3) has a line of its own and the local host's name. */
		if (strcmp(str(opts, OPT_PAYLOAD), "summary") != 0) {
			snprintf(err, errlen, "payload = \"dump\" needs a server: syslog(3) "
				 "carries one line");
			return -1;
		}
		if (hostname[0]) {
			snprintf(err, errlen, "hostname is for a server: syslog(3) names "
				 "the local host itself");
			return -1;
		}
		return 0;
	}
	if (st_tcp_parse_server(server, host, sizeof(host), port, sizeof(port), why,
				sizeof(why)) < 0) {
		snprintf(err, errlen, "server \"%.*s\": %s", LONG_SHOWN, server, why);
		return -1;
	}
	if (!st_rfc5424_valid_sd_id(str(opts, OPT_SD_ID))) {
		snprintf(err, errlen, "sd_id \"%.*s\" is not 1 to %d printable ASCII "
			 "characters without space, '=', ']' or '\"'", LONG_SHOWN,
			 str(opts, OPT_SD_ID), ST_RFC5424_SD_NAME_MAX);
		return -1;
	}
	size_t len = strlen(hostname);
	if (st_printusascii_span(hostname, NULL) < len || len > ST_RFC5424_HOSTNAME_MAX) {
		snprintf(err, errlen, "hostname \"%.*s\" is not up to %d printable ASCII "
			 "characters without space", LONG_SHOWN, hostname,
			 ST_RFC5424_HOSTNAME_MAX);
		return -1;
	}
	return 0;
}

/* The ident becomes part of every line: refused by --check-config too,
 * not only when the sink starts. */
static int syslog_check_options(const union st_value *opts, char *err, size_t errlen)
{
	const char *ident = str(opts, OPT_IDENT);
	/* The ident is the record's TAG: what parsers split the record at
	 * must not be in it. */
	if (!st_printusascii_name(ident, IDENT_MAX, ":[]")) {
		snprintf(err, errlen, "ident \"%.*s\" is not 1 to %d printable ASCII "
			 "characters without space, ':', '[' or ']'", SHORT_SHOWN, ident,
			 IDENT_MAX);
		return -1;
	}
	return check_remote(opts, err, errlen);
}

/* ------------------------------------------------------------ remote */

/* On the sender thread: one whole frame to the collector. */
static enum st_send_result remote_deliver(void *ctx, const char *msg, size_t len,
					  char *err, size_t errlen)
{
	struct syslog_remote *r = ctx;
	return st_tcp_send(&r->tcp, msg, len, err, errlen) == 0 ? ST_SEND_OK : ST_SEND_RETRY;
}

static void remote_disconnect(void *ctx)
{
	struct syslog_remote *r = ctx;
	st_tcp_close(&r->tcp);
}

static void remote_cancel(void *ctx)
{
	struct syslog_remote *r = ctx;
	st_tcp_cancel(&r->tcp);
}

static const struct st_send_ops remote_ops = {
	.deliver = remote_deliver,
	.disconnect = remote_disconnect,
	.cancel = remote_cancel,
};

/* Bounded however the collector is (destroy runs on the sampling thread
 * at a reload): the queue's stop drains briefly, then cancels. */
static void remote_free(struct syslog_remote *r)
{
	if (!r)
		return;
	st_send_queue_stop(r->queue, ST_SEND_DRAIN_NS);
	st_tcp_free(&r->tcp);
	free(r->frame);
	free(r);
}

/* The collector's end, its sender thread started (it connects when the
 * first message comes). NULL after logging why. */
static struct syslog_remote *remote_start(const struct st_host *host,
					  const union st_value *opts, const char *ident,
					  int pri)
{
	char host_part[ST_TCP_HOST_MAX + 1], port[ST_TCP_PORT_MAX + 1], why[128];
	struct syslog_remote *r = calloc(1, sizeof(*r));
	if (!r || !(r->frame = malloc(SUMMARY_FRAME_MAX))) {
		host->log(host, ST_LOG_ERR, "out of memory");
		free(r);
		return NULL;
	}
	r->frame_cap = SUMMARY_FRAME_MAX;
	/* Checked by check_options already. */
	st_tcp_parse_server(str(opts, OPT_SERVER), host_part, sizeof(host_part), port,
			    sizeof(port), why, sizeof(why));
	if (st_tcp_init(&r->tcp, host_part, port, (int)(opts[OPT_TIMEOUT].f * 1000)) < 0) {
		host->log(host, ST_LOG_ERR, "eventfd: %s", strerror(errno));
		remote_free(r);
		return NULL;
	}
	snprintf(r->sd_id, sizeof(r->sd_id), "%s", str(opts, OPT_SD_ID));
	snprintf(r->hostname, sizeof(r->hostname), "%s", str(opts, OPT_HOSTNAME));
	if (!r->hostname[0] && gethostname(r->hostname, sizeof(r->hostname) - 1) < 0)
		r->hostname[0] = '\0';    /* NILVALUE */
	r->payload_dump = strcmp(str(opts, OPT_PAYLOAD), "dump") == 0;
	r->max_bytes = (size_t)opts[OPT_QUEUE_MAX_KIB].i * 1024;
	r->origin = (struct st_rfc5424_origin){
		.pri = pri, .hostname = r->hostname, .app_name = ident,
		.procid = (int32_t)getpid(), .sd_id = r->sd_id,
	};
	struct st_send_limits limits = {
		.max_messages = (size_t)opts[OPT_QUEUE_MAX_MESSAGES].i,
		.max_bytes = r->max_bytes,
		.backoff_min_ns = ST_SEND_BACKOFF_MIN_NS,
		.backoff_max_ns = ST_SEND_BACKOFF_MAX_NS,
	};
	char peer[ST_TCP_HOST_MAX + 32];
	snprintf(peer, sizeof(peer), "tcp %s", str(opts, OPT_SERVER));
	r->queue = st_send_queue_start(host, peer, &limits, &remote_ops, r);
	if (!r->queue) {
		remote_free(r);
		return NULL;
	}
	return r;
}

/* Format and queue: never waits on the collector. */
static int remote_emit(struct syslog_sink *s, const struct st_dump *dump,
		       const char *json, size_t json_len)
{
	struct syslog_remote *r = s->remote;
	char line[ST_INCIDENT_LINE_MAX + 1];
	const char *msg = line;
	size_t msg_len;

	if (r->payload_dump && json) {
		msg = json;
		msg_len = json_len;
		size_t need = ST_RFC5424_HEADER_MAX + ST_RFC5424_SD_MAX + json_len + 32;
		if (need > r->max_bytes + 32)
			need = r->max_bytes + 32;   /* a bigger one is refused below */
		if (need > r->frame_cap) {
			char *grown = realloc(r->frame, need);
			if (!grown) {
				s->host->log(s->host, ST_LOG_ERR, "a %zu-byte dump: out of memory",
					     json_len);
				return -1;
			}
			r->frame = grown;
			r->frame_cap = need;
		}
	} else {
		msg_len = st_incident_line(line, ST_INCIDENT_LINE_MAX, dump);
	}
	size_t len = st_rfc5424_frame(r->frame, r->frame_cap, &r->origin, dump, msg, msg_len);
	if (len == 0) {
		s->host->log(s->host, ST_LOG_ERR, "a %zu-byte dump does not fit in the "
			     "queue (queue_max_kib = %zu): not sent", json_len,
			     r->max_bytes / 1024);
		return -1;
	}
	return st_send_queue_put(r->queue, r->frame, len);
}

static int syslog_create(const struct st_host *host, const union st_value *opts,
			 void **state)
{
	const struct name_value *facility = lookup(facilities, opts[OPT_FACILITY].s);
	const struct name_value *level = lookup(levels, opts[OPT_LEVEL].s);

	if (!facility) {
		host->log(host, ST_LOG_ERR,
			  "facility \"%.*s\" is not one of daemon, user, local0 .. local7",
			  SHORT_SHOWN, str(opts, OPT_FACILITY));
		return -1;
	}
	if (!level) {
		host->log(host, ST_LOG_ERR,
			  "level \"%.*s\" is not one of err, warning, notice, info",
			  SHORT_SHOWN, str(opts, OPT_LEVEL));
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
	if (str(opts, OPT_SERVER)[0]) {
		/* LOG_DAEMON and its siblings are the facility times 8 already. */
		s->remote = remote_start(host, opts, s->ident, s->facility | s->level);
		if (!s->remote) {
			free(s->ident);
			free(s);
			return -1;
		}
		*state = s;
		return 0;
	}
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
	if (s->remote)
		remote_free(s->remote);
	else
		closelog();
	free(s->ident);
	free(s);
}

static int syslog_emit(void *state, const struct st_dump *dump,
		       const char *json, size_t json_len)
{
	struct syslog_sink *s = state;
	char line[ST_INCIDENT_LINE_MAX + 1];

	if (s->remote)
		return remote_emit(s, dump, json, json_len);
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
	.description = "announce each incident in one syslog line naming the dump file, "
		       "locally or as RFC 5424 over TCP to a collector",
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
