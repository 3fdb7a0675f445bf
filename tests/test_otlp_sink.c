/* The otlp sink (plugins/sinks/otlp.c), loaded from the build tree as the
 * daemon loads it, POSTing through libcurl to a small HTTP server of the
 * test's on loopback that answers as it is told (200, 503, 400, a
 * redirect, or nothing at all). */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump_build.h"
#include "plugin_under_test.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQUESTS 8

/* ---------------------------------------------------------- the server */

struct server {
	int fd;
	int port;
	pthread_t thread;
	pthread_mutex_t lock;
	const char *answers[MAX_REQUESTS];  /* whole responses, in turn; NULL: hang */
	int nanswers;
	char *requests[MAX_REQUESTS];       /* what arrived, head and body */
	int nrequests;
	volatile int stop;
};

static struct server srv;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One request read whole (head, then Content-Length bytes), or NULL. */
static char *read_request(int fd)
{
	size_t cap = 4 << 20, len = 0;
	char *buf = malloc(cap + 1);
	CU_ASSERT_FATAL(buf != NULL);
	size_t want = 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (srv.stop || poll(&p, 1, 100) < 0)
			break;
		if (!(p.revents & POLLIN))
			continue;
		ssize_t n = read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		if (end && !want) {
			const char *cl = strcasestr(buf, "\r\nContent-Length:");
			want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (want && len >= want)
			return buf;
	}
	free(buf);
	return NULL;
}

static void *serve(void *arg)
{
	(void)arg;
	while (!srv.stop) {
		struct pollfd p = { .fd = srv.fd, .events = POLLIN };
		if (poll(&p, 1, 50) <= 0)
			continue;
		int c = accept(srv.fd, NULL, NULL);
		if (c < 0)
			continue;
		char *req = read_request(c);
		const char *answer = NULL;
		pthread_mutex_lock(&srv.lock);
		if (req && srv.nrequests < MAX_REQUESTS) {
			answer = srv.answers[srv.nrequests < srv.nanswers ? srv.nrequests
									  : srv.nanswers - 1];
			srv.requests[srv.nrequests++] = req;
			req = NULL;
		}
		pthread_mutex_unlock(&srv.lock);
		free(req);
		if (answer) {
			ssize_t w = write(c, answer, strlen(answer));
			(void)w;
		} else {
			/* Hang: hold the connection until the client gives up. */
			char b[256];
			struct pollfd h = { .fd = c, .events = POLLIN };
			while (!srv.stop && poll(&h, 1, 50) >= 0)
				if ((h.revents & POLLIN) && read(c, b, sizeof(b)) <= 0)
					break;
		}
		close(c);
	}
	return NULL;
}

#define OK_200 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" \
	"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
#define BUSY_503 "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n" \
	"Connection: close\r\n\r\nbusy"
#define SLOW_DOWN_429 "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n" \
	"Connection: close\r\n\r\n"
#define BAD_400 "HTTP/1.1 400 Bad Request\r\nContent-Length: 16\r\n" \
	"Connection: close\r\n\r\nbad\\field\n\x01\xffhere"
#define MOVED_301 "HTTP/1.1 301 Moved Permanently\r\nLocation: /elsewhere\r\n" \
	"Content-Length: 0\r\nConnection: close\r\n\r\n"

/* Serve these answers in turn (the last one from then on). */
static void server_start(int n, const char *const *answers)
{
	memset(&srv, 0, sizeof(srv));
	pthread_mutex_init(&srv.lock, NULL);
	for (int i = 0; i < n; i++)
		srv.answers[i] = answers[i];
	srv.nanswers = n;
	srv.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(srv.fd >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	CU_ASSERT_FATAL(bind(srv.fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(listen(srv.fd, 8) == 0);
	CU_ASSERT_FATAL(getsockname(srv.fd, (struct sockaddr *)&a, &alen) == 0);
	srv.port = ntohs(a.sin_port);
	CU_ASSERT_FATAL(pthread_create(&srv.thread, NULL, serve, NULL) == 0);
}

static void server_stop(void)
{
	srv.stop = 1;
	pthread_join(srv.thread, NULL);
	close(srv.fd);
	for (int i = 0; i < srv.nrequests; i++)
		free(srv.requests[i]);
	pthread_mutex_destroy(&srv.lock);
}

static int requests(void)
{
	pthread_mutex_lock(&srv.lock);
	int n = srv.nrequests;
	pthread_mutex_unlock(&srv.lock);
	return n;
}

/* Wait (at most 10 s) until *counter reaches n. */
static int wait_count(const volatile int *counter, int n)
{
	int64_t end = now_ms() + 10000;
	while (*counter < n && now_ms() < end)
		usleep(10000);
	return *counter >= n;
}

static int wait_requests(int n)
{
	int64_t end = now_ms() + 10000;
	while (requests() < n && now_ms() < end)
		usleep(10000);
	return requests() >= n;
}

/* ------------------------------------------------------------ the sink */

static struct st_plugin_set set;
static struct st_host host;

enum { ENDPOINT, PAYLOAD, HEADERS, TIMEOUT, TLS_VERIFY, CA_FILE, QMSG, QKIB, NOPTS };

static void defaults(union st_value *o, const char *endpoint)
{
	o[ENDPOINT].s = endpoint;
	o[PAYLOAD].s = "summary";
	o[HEADERS].s = "";
	o[TIMEOUT].f = 5;
	o[TLS_VERIFY].b = 1;
	o[CA_FILE].s = "";
	o[QMSG].i = 100;
	o[QKIB].i = 8192;
	o[NOPTS].s = NULL;
}

static char url[128];

static struct st_dump *a_dump(void)
{
	struct st_dump *d = st_dump_new();
	CU_ASSERT_FATAL(d != NULL);
	snprintf(d->host.hostname, sizeof(d->host.hostname), "web-1");
	snprintf(d->host.boot_id, sizeof(d->host.boot_id), "b00t");
	d->wall_ns = 1764624300000000001LL;
	d->ntriggers = 1;
	d->triggers = calloc(1, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	st_test_set_trigger(&d->triggers[0], "cpu_delta", 4242, "make", 95.5, 2, 40, "pct", 0);
	snprintf(d->stored_as, sizeof(d->stored_as), "/var/lib/spiketrace/spike_1.json");
	return d;
}

static void *create(const struct st_plugin *p, union st_value *o)
{
	void *state = NULL;
	CU_ASSERT_EQUAL_FATAL(p->create(&host, o, &state), 0);
	return state;
}

/* A server with these answers, the plugin loaded, the options at their
 * defaults with the server's URL, the log counts at zero. */
static const struct st_plugin *sink_for(int n, const char *const *answers, union st_value *o)
{
	server_start(n, answers);
	const struct st_plugin *p = st_test_plugin_load(&set, "otlp.so");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/logs", srv.port);
	defaults(o, url);
	st_test_log_reset();
	return p;
}

static void finish(const struct st_plugin *p, void *state, struct st_dump *d)
{
	p->destroy(state);
	st_dump_free(d);
	st_test_plugin_unload(&set);
	server_stop();
}

/* The body of request i, parsed. */
static cJSON *body_of(int i)
{
	const char *b = strstr(srv.requests[i], "\r\n\r\n");
	CU_ASSERT_FATAL(b != NULL);
	cJSON *j = cJSON_Parse(b + 4);
	CU_ASSERT_FATAL(j != NULL);
	return j;
}

/* One POST to the endpoint's path, as JSON, with the configured headers;
 * the summary as the body, or the dump given to emit. */
static void test_post(void)
{
	static const char *const ok[] = { OK_200 };
	union st_value o[NOPTS + 1];
	const struct st_plugin *p = sink_for(1, ok, o);
	o[HEADERS].s = "Authorization: Bearer s3cret\nX-Scope-OrgID:\ttenant-1\n";
	void *state = create(p, o);
	struct st_dump *d = a_dump();
	CU_ASSERT_EQUAL(p->emit(state, d, "{\"schema\":\"x\"}", 14), 0);
	CU_ASSERT_FATAL(wait_requests(1));
	const char *r = srv.requests[0];
	CU_ASSERT(strncmp(r, "POST /v1/logs HTTP/1.1\r\n", 24) == 0);
	CU_ASSERT_PTR_NOT_NULL(strcasestr(r, "\r\nContent-Type: application/json\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "\r\nAuthorization: Bearer s3cret\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "\r\nX-Scope-OrgID:\ttenant-1\r\n"));
	cJSON *j = body_of(0);
	cJSON *rec = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "resourceLogs"), 0),
				    "scopeLogs"), 0), "logRecords"), 0);
	CU_ASSERT_FATAL(rec != NULL);
	const char *line = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "body"),
					       "stringValue")->valuestring;
	CU_ASSERT(strncmp(line, "cpu_delta: pid 4242 (make) at 95.5%", 35) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "dump: /var/lib/spiketrace/spike_1.json"));
	cJSON_Delete(j);
	p->destroy(state);

	/* payload = "dump": the dump's JSON text is the body; a big one
	 * goes at once, without waiting on "Expect: 100-continue". */
	o[PAYLOAD].s = "dump";
	state = create(p, o);
	CU_ASSERT_EQUAL(p->emit(state, d, "{\"schema\":\"x\"}", 14), 0);
	CU_ASSERT_FATAL(wait_requests(2));
	j = body_of(1);
	CU_ASSERT_PTR_NOT_NULL(strstr(srv.requests[1], "\"stringValue\":\"{\\\"schema\\\":\\\"x\\\"}\""));
	cJSON_Delete(j);
	size_t big_len = 1536 * 1024;
	char *big = malloc(big_len + 1);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 'x', big_len);
	big[0] = '"';
	big[big_len - 1] = '"';
	big[big_len] = '\0';
	CU_ASSERT_EQUAL(p->emit(state, d, big, big_len), 0);
	CU_ASSERT_FATAL(wait_requests(3));
	CU_ASSERT_PTR_NULL(strcasestr(srv.requests[2], "\r\nExpect:"));
	j = body_of(2);
	cJSON_Delete(j);
	free(big);
	finish(p, state, d);
}

/* A 429 and a 503: kept and sent again after the backoff; the outage
 * said once, and its end. */
static void test_503_retried(void)
{
	static const char *const busy_then_ok[] = { SLOW_DOWN_429, BUSY_503, OK_200 };
	union st_value o[NOPTS + 1];
	const struct st_plugin *p = sink_for(3, busy_then_ok, o);
	void *state = create(p, o);
	struct st_dump *d = a_dump();
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), 0);
	CU_ASSERT_FATAL(wait_requests(3));
	CU_ASSERT(wait_count(&st_test_log_count[ST_LOG_NOTICE], 1));
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "again"));
	CU_ASSERT_STRING_EQUAL(strstr(srv.requests[0], "\r\n\r\n"),
			       strstr(srv.requests[2], "\r\n\r\n"));
	CU_ASSERT_EQUAL(requests(), 3);
	finish(p, state, d);
}

/* A 400 is for good: dropped at once with the status and the start of the
 * answer, in the log escaped once; a redirect is not followed. */
static void test_rejected_dropped(void)
{
	static const char *const bad[] = { BAD_400, MOVED_301, OK_200 };
	union st_value o[NOPTS + 1];
	const struct st_plugin *p = sink_for(3, bad, o);
	void *state = create(p, o);
	struct st_dump *d = a_dump();
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), 0);
	CU_ASSERT(wait_count(&st_test_log_count[ST_LOG_ERR], 1));
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "HTTP 400: bad\\\\field\\n\\x01\\xffhere"));
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), 0);
	CU_ASSERT(wait_count(&st_test_log_count[ST_LOG_ERR], 2));
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "HTTP 301 (redirects are not followed)"));
	usleep(200000);
	CU_ASSERT_EQUAL(requests(), 2);                     /* neither retried */
	CU_ASSERT_PTR_NULL(strstr(srv.requests[1], "/elsewhere"));
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 0);
	finish(p, state, d);
}

/* A collector that accepts and never answers: emit never waits, the POST
 * gives up at the timeout, and stop is bounded. */
static void test_hung_collector(void)
{
	static const char *const hang[] = { NULL };
	union st_value o[NOPTS + 1];
	const struct st_plugin *p = sink_for(1, hang, o);
	o[TIMEOUT].f = 0.3;
	void *state = create(p, o);
	struct st_dump *d = a_dump();
	int64_t t0 = now_ms();
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), 0);
	CU_ASSERT(now_ms() - t0 < 200);
	CU_ASSERT(wait_count(&st_test_log_count[ST_LOG_WARNING], 1));
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "imeout"));
	t0 = now_ms();
	finish(p, state, d);
	CU_ASSERT(now_ms() - t0 < 3000);
}

/* A reload destroys the sink on the sampling thread: a POST waiting on a
 * hung collector is cancelled, not waited out (the timeout here is 30 s). */
static void test_destroy_never_waits(void)
{
	static const char *const hang[] = { NULL };
	union st_value o[NOPTS + 1];
	const struct st_plugin *p = sink_for(1, hang, o);
	o[TIMEOUT].f = 30;
	void *state = create(p, o);
	struct st_dump *d = a_dump();
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), 0);
	CU_ASSERT_FATAL(wait_requests(1));
	int64_t t0 = now_ms();
	finish(p, state, d);
	CU_ASSERT(now_ms() - t0 < 10000);       /* not the 30 s timeout */
}

/* Nothing listens: a connection error is retried, said once, naming the
 * endpoint without the password it holds. */
static void test_unreachable(void)
{
	static const char *const ok[] = { OK_200 };
	char shown[128];
	server_start(1, ok);
	snprintf(url, sizeof(url), "http://u:s3cret@127.0.0.1:%d/v1/logs", srv.port);
	snprintf(shown, sizeof(shown), "http://127.0.0.1:%d/v1/logs", srv.port);
	server_stop();                          /* the port is free now */
	const struct st_plugin *p = st_test_plugin_load(&set, "otlp.so");
	union st_value o[NOPTS + 1];
	defaults(o, url);
	st_test_log_reset();
	void *state = create(p, o);
	struct st_dump *d = a_dump();
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), 0);
	CU_ASSERT(wait_count(&st_test_log_count[ST_LOG_WARNING], 1));
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, shown));
	CU_ASSERT_PTR_NULL(strstr(st_test_last_log, "s3cret"));
	usleep(1200000);                        /* two retries or so */
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 1);
	p->destroy(state);
	st_dump_free(d);
	st_test_plugin_unload(&set);
}

/* What the config may not say, refused with a line naming it. */
static void test_options_refused(void)
{
	static const struct { const char *endpoint, *headers, *ca, *says; } bad[] = {
		{ "", "", "", "endpoint is required" },
		{ "ftp://host/v1/logs", "", "", "endpoint \"ftp://host/v1/logs\" is not an http" },
		{ "http:///v1/logs", "", "", "is not an http:// or https:// URL with a host" },
		{ "http://h/a b", "", "", "endpoint \"http://h/a b\"" },
		{ "http://h/v1/logs", "Authorization Bearer x", "", "headers: line 1 has no colon" },
		{ "http://h/v1/logs", "A: 1\n: x", "", "headers: line 2 has no name" },
		{ "http://h/v1/logs", "X-A: 1\rX-B: 2", "", "line 1 (\"X-A\") has a control character" },
		{ "http://h/v1/logs", "Authorization: Bearer to\x01ken", "", "line 1 (\"Authorization\") has a control" },
		{ "http://h/v1/logs", "Bad Name: 1", "", "line 1 (\"Bad Name\") has a name that is not an HTTP token" },
		{ "http://h/v1/logs", "X-Empty:  ", "", "line 1 (\"X-Empty\") has no value" },
		{ "http://h/v1/logs", "content-type: text/plain", "", "set by the sink" },
		{ "http://h/v1/logs", "", "certs.pem", "ca_file \"certs.pem\" is not an absolute" },
	};
	const struct st_plugin *p = st_test_plugin_load(&set, "otlp.so");
	char err[256];
	union st_value o[NOPTS + 1];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		defaults(o, bad[i].endpoint);
		o[HEADERS].s = bad[i].headers;
		o[CA_FILE].s = bad[i].ca;
		err[0] = '\0';
		CU_ASSERT_EQUAL(p->check_options(o, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].says))
			fprintf(stderr, "case %zu said: %s\n", i, err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].says));
		CU_ASSERT_PTR_NULL(strchr(err, '\n'));
		CU_ASSERT_PTR_NULL(strstr(err, "Bearer"));
		CU_ASSERT_PTR_NULL(strchr(err, '\r'));
	}
	defaults(o, "https://collector.example:4318/v1/logs");
	o[HEADERS].s = "Authorization: Bearer x\nX-Scope-OrgID: t";
	CU_ASSERT_EQUAL(p->check_options(o, err, sizeof(err)), 0);
	/* create refuses what check_options refuses, and an unreadable CA file */
	void *state = NULL;
	st_test_log_reset();
	defaults(o, "");
	CU_ASSERT_EQUAL(p->create(&host, o, &state), -1);
	defaults(o, "https://collector.example:4318/v1/logs");
	o[CA_FILE].s = "/nonexistent/ca.pem";
	CU_ASSERT_EQUAL(p->create(&host, o, &state), -1);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_ERR], 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "ca_file /nonexistent/ca.pem"));
	st_test_plugin_unload(&set);
}

/* A value named in a message is raw, cut where a reason follows it: the
 * core's log escapes the line, so each hostile byte reads escaped once. */
static void test_values_in_messages_raw(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "otlp.so");
	char err[256], long_url[200];
	union st_value o[NOPTS + 1];
	defaults(o, "http://h/a\\b\n\033[2J\xff");
	CU_ASSERT_EQUAL(p->check_options(o, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "endpoint \"http://h/a\\b\n\033[2J\xff\" is not"));
	memset(long_url, 'x', sizeof(long_url) - 1);
	long_url[sizeof(long_url) - 1] = '\0';
	memcpy(long_url, "http://", 7);
	long_url[sizeof(long_url) - 2] = ' ';  /* refused for it */
	defaults(o, long_url);
	CU_ASSERT_EQUAL(p->check_options(o, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "xxxxxxxx...\" is not an http"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 2048 bytes"));
	defaults(o, "http://h/v1/logs");
	o[CA_FILE].s = "c\\a\n\033\xff";
	CU_ASSERT_EQUAL(p->check_options(o, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "ca_file \"c\\a\n\033\xff\" is not an absolute"));
	o[HEADERS].s = "X\\\033\xff: v\r";
	o[CA_FILE].s = "";
	CU_ASSERT_EQUAL(p->check_options(o, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "line 1 (\"X\\\033\xff\") has "));
	/* create's own line, as the log shows it */
	void *state = NULL;
	st_test_log_reset();
	o[HEADERS].s = "";
	o[CA_FILE].s = "/no\\such\n\033[2J\xff/ca.pem";
	CU_ASSERT_EQUAL(p->create(&host, o, &state), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log,
				      "ca_file /no\\\\such\\n\\x1b[2J\\xff/ca.pem: No such file"));
	st_test_plugin_unload(&set);
}

/* Every plugin of the directory is loaded to read its options: until a
 * sink is created, none of libcurl (and OpenSSL behind it) is mapped. */
static void test_no_libcurl_until_created(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "otlp.so");
	CU_ASSERT_PTR_NOT_NULL(p->options);
	char *maps = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	CU_ASSERT_FATAL(f != NULL);
	int mapped = 0;
	while (getline(&maps, &cap, f) > 0)
		mapped |= strstr(maps, "libcurl") != NULL;
	free(maps);
	fclose(f);
	CU_ASSERT_FALSE(mapped);
	st_test_plugin_unload(&set);
}

int main(void)
{
	host = st_test_sink_host("otlp");
	CU_TestInfo tests[] = {
		{ "loaded, not created: no libcurl mapped", test_no_libcurl_until_created },
		{ "a POST with the headers, summary or dump", test_post },
		{ "a 429 and a 503 retried, said once", test_503_retried },
		{ "a 400 and a redirect dropped", test_rejected_dropped },
		{ "a hung collector: no wait", test_hung_collector },
		{ "destroy never waits on the collector", test_destroy_never_waits },
		{ "nothing listening: retried, said once", test_unreachable },
		{ "bad options refused", test_options_refused },
		{ "values in messages raw, escaped once by the log", test_values_in_messages_raw },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("otlp_sink", tests);
}
