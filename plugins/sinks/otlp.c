/*
 * otlp: each dump as one OTLP log record, POSTed as OTLP/HTTP JSON
 * (otlp_request.c) to an OpenTelemetry collector's /v1/logs, so a fleet
 * that runs a collector sees its incidents beside its other logs. The body
 * is the incident line of the syslog sink, or with payload = "dump" the
 * whole dump.
 *
 * emit() only builds the request and puts it in the sink's own bounded
 * queue (send_queue.c); the queue's thread POSTs it with libcurl within
 * `timeout`, and retries with backoff what the collector refuses for now
 * (429, 5xx) or what did not reach it (no connection, a timeout), so an
 * outage costs no sample and, within the queue's bounds, no record. What
 * the collector rejects for good (another 4xx) is dropped with its answer.
 * TLS is verified unless tls_verify = false; redirects are not followed
 * (a collector's endpoint does not move, and a POST must not be replayed
 * elsewhere with the auth headers).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <spiketrace/plugin.h>

#include "curl_api.h"
#include "incident_line.h"
#include "otlp_request.h"
#include "send_queue.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#define URL_MAX 2048
#define ANSWER_MAX 200          /* of a refusal's body, kept for the log */
/* Bytes of an option's value named in a message, raw (whoever prints the
 * message escapes it): what follows, the reason, stays in the line. */
#define SHOWN_MAX 80

struct otlp_sink {
	const struct st_host *host;
	char *endpoint;
	char peer[URL_MAX + 1]; /* the endpoint as log lines name it */
	char *ca_file;          /* NULL: the system's */
	bool payload_dump;
	bool tls_verify;
	long timeout_ms;
	struct curl_slist *headers;
	struct st_send_queue *queue;
	int cancelled;          /* atomic: set by stop, read by curl's progress */
	/* The sender thread's alone: */
	CURL *curl;
	char answer[ANSWER_MAX + 1];
	size_t answer_len;
};

enum {
	OPT_ENDPOINT, OPT_PAYLOAD, OPT_HEADERS, OPT_TIMEOUT, OPT_TLS_VERIFY, OPT_CA_FILE,
	OPT_QUEUE_MESSAGES, OPT_QUEUE_KIB,
};

static const char *const payloads[] = { "summary", "dump", NULL };

static const struct st_option options[] = {
	[OPT_ENDPOINT] = ST_OPTION_STRING("endpoint", "",
		"the collector's OTLP/HTTP logs URL, http:// or https:// "
		"(e.g. \"http://127.0.0.1:4318/v1/logs\"); required"),
	[OPT_PAYLOAD] = ST_OPTION_CHOICE("payload", "summary", payloads,
		"the record's body: \"summary\" (the incident in one line) or \"dump\" "
		"(the whole dump's JSON)"),
	[OPT_HEADERS] = ST_OPTION_STRING("headers", "",
		"extra request headers, \"Name: value\", several separated by \\n "
		"(e.g. \"Authorization: Bearer TOKEN\")"),
	[OPT_TIMEOUT] = ST_OPTION_FLOAT("timeout", 5, 0.1, 60,
		"seconds a POST may take, connecting included"),
	[OPT_TLS_VERIFY] = ST_OPTION_BOOL("tls_verify", 1,
		"check an https collector's certificate and name"),
	[OPT_CA_FILE] = ST_OPTION_STRING("ca_file", "",
		"PEM file of the CAs to trust instead of the system's"),
	[OPT_QUEUE_MESSAGES] = ST_OPTION_INT("queue_max_messages", 1000, 1, 1000000,
		"records kept while the collector is away; beyond, the oldest are dropped"),
	[OPT_QUEUE_KIB] = ST_OPTION_INT("queue_max_kib", 16384, 16, 1048576,
		"KiB of records kept while the collector is away"),
	ST_OPTION_END,
};

static const char *str_opt(const union st_value *opts, int i)
{
	return opts[i].s ? opts[i].s : "";
}

/* ------------------------------------------------------------ options */

/* http:// or https://, a host, and nothing a request line cannot hold. */
static bool valid_url(const char *url)
{
	size_t scheme = strncasecmp(url, "http://", 7) == 0 ? 7 :
			strncasecmp(url, "https://", 8) == 0 ? 8 : 0;
	if (!scheme || strlen(url) > URL_MAX || url[scheme] == '\0' || url[scheme] == '/')
		return false;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return false;
	return true;
}

/* RFC 9110 token characters, those of a field name. */
static bool tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* One "Name: value" line (len bytes at line). Returns NULL, or why not. */
static const char *header_problem(const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	if (!colon)
		return "has no colon (\"Name: value\")";
	if (colon == line)
		return "has no name before its colon";
	for (const char *p = line; p < colon; p++)
		if (!tchar((unsigned char)*p))
			return "has a name that is not an HTTP token";
	size_t nlen = (size_t)(colon - line);
	if ((nlen == 12 && strncasecmp(line, "Content-Type", 12) == 0) ||
	    (nlen == 14 && strncasecmp(line, "Content-Length", 14) == 0))
		return "is set by the sink itself";
	const char *v = colon + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	/* libcurl reads "Name:" with nothing after it as "remove Name". */
	if (v == end)
		return "has no value";
	for (; v < end; v++)
		if ((unsigned char)*v < 0x20 ? *v != '\t' : *v == 0x7f)
			return "has a control character (a CR or another) in its value";
	return NULL;
}

/* Each line of headers checked, or handed to add (when not NULL). */
static int each_header(const char *headers, char *err, size_t errlen,
		       int (*add)(void *arg, const char *line, size_t len), void *arg)
{
	int n = 0;
	for (const char *p = headers; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		n++;
		if (len) {      /* an empty line (a trailing \n) says nothing */
			const char *why = header_problem(p, len);
			if (why) {
				/* The name only: a value (or a line without a
				 * colon) may be a token, and this goes to a log
				 * (raw: the log escapes it). */
				const char *colon = memchr(p, ':', len);
				size_t nlen = colon ? (size_t)(colon - p) : 0;
				snprintf(err, errlen, "headers: line %d%s%.*s%s%s %s", n,
					 nlen ? " (\"" : "", (int)(nlen < 39 ? nlen : 39), p,
					 nlen > 39 ? "..." : "", nlen ? "\")" : "", why);
				return -1;
			}
			if (add && add(arg, p, len) < 0) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

static int otlp_check_options(const union st_value *opts, char *err, size_t errlen)
{
	const char *url = str_opt(opts, OPT_ENDPOINT), *ca = str_opt(opts, OPT_CA_FILE);
	if (!url[0]) {
		snprintf(err, errlen, "endpoint is required: the collector's OTLP/HTTP logs "
			 "URL, e.g. \"http://127.0.0.1:4318/v1/logs\"");
		return -1;
	}
	if (!valid_url(url)) {
		snprintf(err, errlen, "endpoint \"%.*s%s\" is not an http:// or https:// URL "
			 "with a host (printable ASCII, at most %d bytes)", SHOWN_MAX, url,
			 strlen(url) > SHOWN_MAX ? "..." : "", URL_MAX);
		return -1;
	}
	if (ca[0] && ca[0] != '/') {
		snprintf(err, errlen, "ca_file \"%.*s\" is not an absolute path", SHOWN_MAX, ca);
		return -1;
	}
	return each_header(str_opt(opts, OPT_HEADERS), err, errlen, NULL, NULL);
}

/* -------------------------------------------------------------- curl */

/* libcurl, once a sink is created (curl_api.h says why not linked). */
static const struct st_curl_api *libcurl;

static int add_header(void *arg, const char *line, size_t len)
{
	struct curl_slist **list = arg, *grown;
	char *copy = strndup(line, len);
	grown = copy ? libcurl->slist_append(*list, copy) : NULL;
	free(copy);
	if (!grown)
		return -1;
	*list = grown;
	return 0;
}

/* The first bytes of the collector's answer, for a refusal's reason. */
static size_t keep_answer(char *data, size_t size, size_t n, void *arg)
{
	struct otlp_sink *s = arg;
	size_t len = size * n, room = ANSWER_MAX - s->answer_len;
	size_t take = len < room ? len : room;
	memcpy(s->answer + s->answer_len, data, take);
	s->answer_len += take;
	s->answer[s->answer_len] = '\0';
	return len;
}

/* curl calls it often (about once a second at the least, also while it
 * connects): a nonzero answer aborts the transfer. */
static int progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		    curl_off_t ulnow)
{
	struct otlp_sink *s = arg;
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return __atomic_load_n(&s->cancelled, __ATOMIC_RELAXED);
}

static void otlp_cancel(void *ctx)
{
	struct otlp_sink *s = ctx;
	__atomic_store_n(&s->cancelled, 1, __ATOMIC_RELAXED);
}

/* The handle of this instance, made on the sender thread at the first
 * POST and after each failure (disconnect), with what never changes. */
static CURL *handle(struct otlp_sink *s)
{
	if (s->curl)
		return s->curl;
	CURL *c = libcurl->easy_init();
	if (!c)
		return NULL;
	int bad = 0;
	bad |= libcurl->easy_setopt(c, CURLOPT_URL, s->endpoint) != CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500
	bad |= libcurl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
#else
	bad |= libcurl->easy_setopt(c, CURLOPT_PROTOCOLS,
				(long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK;
#endif
	bad |= libcurl->easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK;
	bad |= libcurl->easy_setopt(c, CURLOPT_HTTPHEADER, s->headers) != CURLE_OK;
	/* No SIGALRM for name resolution's timeout: signals are the daemon's. */
	bad |= libcurl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= libcurl->easy_setopt(c, CURLOPT_TIMEOUT_MS, s->timeout_ms) != CURLE_OK;
	bad |= libcurl->easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, s->timeout_ms) != CURLE_OK;
	bad |= libcurl->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= libcurl->easy_setopt(c, CURLOPT_SSL_VERIFYPEER, s->tls_verify ? 1L : 0L) != CURLE_OK;
	bad |= libcurl->easy_setopt(c, CURLOPT_SSL_VERIFYHOST, s->tls_verify ? 2L : 0L) != CURLE_OK;
	if (s->ca_file)
		bad |= libcurl->easy_setopt(c, CURLOPT_CAINFO, s->ca_file) != CURLE_OK;
	bad |= libcurl->easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_answer) != CURLE_OK;
	bad |= libcurl->easy_setopt(c, CURLOPT_WRITEDATA, s) != CURLE_OK;
	bad |= libcurl->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress) != CURLE_OK;
	bad |= libcurl->easy_setopt(c, CURLOPT_XFERINFODATA, s) != CURLE_OK;
	bad |= libcurl->easy_setopt(c, CURLOPT_NOPROGRESS, 0L) != CURLE_OK;
	if (bad) {
		libcurl->easy_cleanup(c);
		return NULL;
	}
	s->curl = c;
	return c;
}

static void otlp_disconnect(void *ctx)
{
	struct otlp_sink *s = ctx;
	libcurl->easy_cleanup(s->curl);     /* NULL is ignored */
	s->curl = NULL;
}

/* One POST: 2xx delivered; 429, 5xx and no answer at all retried; any
 * other status rejected for good, with the start of what was answered. */
static enum st_send_result otlp_deliver(void *ctx, const char *msg, size_t len,
					char *err, size_t errlen)
{
	struct otlp_sink *s = ctx;
	CURL *c = handle(s);
	if (!c) {
		snprintf(err, errlen, "libcurl: cannot make a handle (out of memory?)");
		return ST_SEND_RETRY;
	}
	s->answer_len = 0;
	s->answer[0] = '\0';
	libcurl->easy_setopt(c, CURLOPT_POSTFIELDS, msg);
	libcurl->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	CURLcode rc = libcurl->easy_perform(c);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", libcurl->easy_strerror(rc));
		return ST_SEND_RETRY;
	}
	long status = 0;
	libcurl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status <= 299)
		return ST_SEND_OK;
	/* The answer as it came, up to ANSWER_MAX bytes: the log escapes it. */
	snprintf(err, errlen, "HTTP %ld%s%s%s", status,
		 status >= 300 && status <= 399 ? " (redirects are not followed)" : "",
		 s->answer[0] ? ": " : "", s->answer);
	return status == 429 || (status >= 500 && status <= 599) ? ST_SEND_RETRY : ST_SEND_DROP;
}

/* ------------------------------------------------------------- plugin */

/* A valid URL without its user:password@, if any: logs hold no secret. */
static void without_userinfo(const char *url, char *out, size_t outlen)
{
	const char *host = strstr(url, "://") + 3;
	const char *at = memrchr(host, '@', strcspn(host, "/?#"));
	snprintf(out, outlen, "%.*s%s", (int)(host - url), url, at ? at + 1 : host);
}

static void otlp_destroy(void *state)
{
	struct otlp_sink *s = state;
	if (!s)
		return;
	/* Drains briefly, cancels a POST still waiting (destroy runs on the
	 * sampling thread at a reload), stops the thread, which drops the
	 * handle (disconnect) first. */
	st_send_queue_stop(s->queue, ST_SEND_DRAIN_NS);
	if (s->headers)         /* made after libcurl was loaded */
		libcurl->slist_free_all(s->headers);
	free(s->endpoint);
	free(s->ca_file);
	free(s);
}

static int otlp_create(const struct st_host *host, const union st_value *opts, void **state)
{
	char err[256];
	if (otlp_check_options(opts, err, sizeof(err)) < 0) {
		host->log(host, ST_LOG_ERR, "%s", err);
		return -1;
	}
	if (!(libcurl = st_curl_api(err, sizeof(err)))) {
		host->log(host, ST_LOG_ERR, "%s", err);
		return -1;
	}
	const char *ca = str_opt(opts, OPT_CA_FILE);
	if (ca[0] && access(ca, R_OK) != 0) {
		host->log(host, ST_LOG_ERR, "ca_file %.*s: %s", SHOWN_MAX, ca, strerror(errno));
		return -1;
	}
	struct otlp_sink *s = calloc(1, sizeof(*s));
	if (!s || !(s->endpoint = strdup(str_opt(opts, OPT_ENDPOINT))) ||
	    (ca[0] && !(s->ca_file = strdup(ca))) ||
	    add_header(&s->headers, "Content-Type: application/json", 30) < 0 ||
	    /* No "Expect: 100-continue" on a big dump: a collector that does
	     * not answer it would cost a second per POST. */
	    add_header(&s->headers, "Expect:", 7) < 0 ||
	    each_header(str_opt(opts, OPT_HEADERS), err, sizeof(err), add_header,
			&s->headers) < 0) {
		host->log(host, ST_LOG_ERR, "out of memory");
		otlp_destroy(s);
		return -1;
	}
	s->host = host;
	without_userinfo(s->endpoint, s->peer, sizeof(s->peer));
	s->payload_dump = strcmp(str_opt(opts, OPT_PAYLOAD), "dump") == 0;
	s->tls_verify = opts[OPT_TLS_VERIFY].b != 0;
	s->timeout_ms = (long)(opts[OPT_TIMEOUT].f * 1000 + 0.5);
	if (!s->tls_verify && strncasecmp(s->endpoint, "https://", 8) == 0)
		host->log(host, ST_LOG_WARNING, "tls_verify = false: the collector at %s is "
			  "not authenticated", s->peer);
	struct st_send_limits limits = {
		.max_messages = (size_t)opts[OPT_QUEUE_MESSAGES].i,
		.max_bytes = (size_t)opts[OPT_QUEUE_KIB].i * 1024,
		.backoff_min_ns = ST_SEND_BACKOFF_MIN_NS,
		.backoff_max_ns = ST_SEND_BACKOFF_MAX_NS,
	};
	static const struct st_send_ops ops = {
		.deliver = otlp_deliver,
		.disconnect = otlp_disconnect,
		.cancel = otlp_cancel,
	};
	s->queue = st_send_queue_start(host, s->peer, &limits, &ops, s);
	if (!s->queue) {
		otlp_destroy(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int otlp_emit(void *state, const struct st_dump *dump, const char *json,
		     size_t json_len)
{
	struct otlp_sink *s = state;
	char line[ST_INCIDENT_LINE_MAX + 1];
	(void)json_len;
	if (!s->payload_dump)
		st_incident_line(line, ST_INCIDENT_LINE_MAX, dump);
	char *request = otlp_logs_request(dump, s->payload_dump ? json : line, PACKAGE_VERSION);
	if (!request) {
		s->host->log(s->host, ST_LOG_ERR, "out of memory: the record of %s is lost",
			     dump->id);
		return -1;
	}
	int rc = st_send_queue_put(s->queue, request, strlen(request));
	free(request);
	return rc;
}

static const struct st_plugin otlp_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_SINK,
	.name = "otlp",
	.version = "1.0",
	.description = "each dump as an OTLP log record POSTed (OTLP/HTTP JSON) to an "
		       "OpenTelemetry collector",
	.options = options,
	.create = otlp_create,
	.destroy = otlp_destroy,
	.emit = otlp_emit,
	.check_options = otlp_check_options,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &otlp_plugin;
}
