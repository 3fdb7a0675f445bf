/* The syslog sink's server mode (plugins/sinks/syslog.c), loaded from the
 * build tree as the daemon loads it, sending RFC 5424 over TCP to
 * listeners of the test's on loopback: what arrives, a collector that
 * closes between two dumps, one that is down and comes back, one that
 * accepts and never reads, and the options it refuses. */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump_build.h"
#include "plugin_under_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_OPTS 16

static struct st_plugin_set set;
static struct st_host host;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_option(const struct st_plugin *p, union st_value *o, char bufs[][64],
		       const char *name, const char *value)
{
	int i;
	for (i = 0; p->options[i].name && strcmp(p->options[i].name, name); i++)
		;
	CU_ASSERT_FATAL(p->options[i].name != NULL);
	if (p->options[i].type == ST_OPT_INT)
		o[i].i = atoll(value);
	else if (p->options[i].type == ST_OPT_FLOAT)
		o[i].f = atof(value);
	else
		o[i].s = strcpy(bufs[i], value);
}

static void options_v(const struct st_plugin *p, union st_value *o, char bufs[][64],
		      va_list ap)
{
	int n = 0;
	for (; p->options[n].name; n++)
		o[n] = p->options[n].def;
	CU_ASSERT_FATAL(n < MAX_OPTS);
	for (const char *name; (name = va_arg(ap, const char *));)
		set_option(p, o, bufs, name, va_arg(ap, const char *));
}

/* The plugin's defaults, then name=value pairs (strings, or numbers for
 * the int and float options), NULL-terminated. */
static void options(const struct st_plugin *p, union st_value *o, char bufs[][64], ...)
{
	va_list ap;
	va_start(ap, bufs);
	options_v(p, o, bufs, ap);
	va_end(ap);
}

/* The sink sending to name:port, with the options as options() takes
 * them (kept until the next call). */
static void *sink_to(const struct st_plugin *p, const char *name, int port, ...)
{
	static union st_value o[MAX_OPTS];
	static char bufs[MAX_OPTS][64];
	char server[64];
	va_list ap;
	va_start(ap, port);
	options_v(p, o, bufs, ap);
	va_end(ap);
	snprintf(server, sizeof(server), "%s:%d", name, port);
	set_option(p, o, bufs, "server", server);
	void *state = NULL;
	CU_ASSERT_EQUAL_FATAL(p->create(&host, o, &state), 0);
	return state;
}

/* A listener on 127.0.0.1 (port 0: any); its port in *port. */
static int listen_on(int *port, int rcvbuf)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)*port) };
	socklen_t al = sizeof(a);
	CU_ASSERT_FATAL(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CU_ASSERT_FATAL(listen(fd, 8) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&a, &al) == 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* A port nobody listens on (bound, then closed). */
static int free_port(void)
{
	int port = 0, fd = listen_on(&port, 0);
	close(fd);
	return port;
}

static int accept_within(int lfd, int ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	if (poll(&p, 1, ms) != 1)
		return -1;
	return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
}

/* One octet-counted frame from fd into buf (NUL-terminated), within ms:
 * its length, or -1. The count is read a byte at a time, then exactly the
 * frame, so the next frame stays in the socket. */
static long read_frame(int fd, char *buf, size_t cap, int ms)
{
	int64_t end = now_ms() + ms;
	size_t have = 0, want = 0;
	char *sp = NULL;
	while (now_ms() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)(end - now_ms())) != 1)
			break;
		ssize_t n = recv(fd, buf + have, sp ? want - have : 1, 0);
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		if (!sp && buf[have - 1] == ' ') {
			sp = buf + have - 1;
			want = have + strtoul(buf, NULL, 10);
			CU_ASSERT_FATAL(want < cap);
		}
		CU_ASSERT_FATAL(have < cap);
		if (sp && have == want)
			return (long)have;
	}
	return -1;
}

static struct st_dump *incident(const char *comm)
{
	struct st_dump *d = st_dump_new();
	CU_ASSERT_FATAL(d != NULL);
	d->wall_ns = 1764624302123456789LL;
	d->ntriggers = 1;
	d->triggers = calloc(1, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	st_test_set_trigger(&d->triggers[0], "cpu_delta", 4242, comm, 101, 2, 40, "pct", 0);
	snprintf(d->stored_as, sizeof(d->stored_as), "/var/lib/spiketrace/spike_7.json");
	return d;
}

/* Far less than loopback's autotuned buffers hold, more than the sink
 * lets vanish into a collector that reads nothing. */
#define BIG_JSON (1u << 20)

static char *big_json(void)
{
	char *json = malloc(BIG_JSON + 1);
	CU_ASSERT_FATAL(json != NULL);
	memset(json, 'j', BIG_JSON);
	json[BIG_JSON] = '\0';
	return json;
}

/* Until the test host's log has n lines at level, for up to ms. */
static int wait_log(int level, int n, int ms)
{
	int64_t end = now_ms() + ms;
	while (__atomic_load_n(&st_test_log_count[level], __ATOMIC_SEQ_CST) < n &&
	       now_ms() < end)
		usleep(10000);
	return st_test_log_count[level] >= n;
}

/* What a collector receives: the header with our host, ident and pid, the
 * structured data, the summary line. */
static void test_summary_arrives(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "syslog.so");
	int port = 0, lfd = listen_on(&port, 0);
	void *state = sink_to(p, "127.0.0.1", port, "hostname", "web1", "facility", "local3",
		"level", "warning", NULL);
	struct st_dump *d = incident("make");
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), 0);
	int fd = accept_within(lfd, 3000);
	CU_ASSERT_FATAL(fd >= 0);
	char frame[8192], want[512];
	CU_ASSERT_FATAL(read_frame(fd, frame, sizeof(frame), 3000) > 0);
	/* local3 = 19, warning = 4: 19 * 8 + 4 */
	snprintf(want, sizeof(want), "<156>1 2025-12-01T21:25:02.123456+00:00 web1 spiketrace "
		 "%d cpu_delta [spiketrace@32473 type=\"cpu_delta\" pid=\"4242\" comm=\"make\" "
		 "value=\"101.0\" unit=\"pct\" dump=\"/var/lib/spiketrace/spike_7.json\"] "
		 "cpu_delta: pid 4242 (make) at 101.0%% against threshold 40.0%%; dump: "
		 "/var/lib/spiketrace/spike_7.json", (int)getpid());
	CU_ASSERT_STRING_EQUAL(strchr(frame, ' ') + 1, want);
	p->destroy(state);
	st_dump_free(d);
	close(fd);
	close(lfd);
	st_test_plugin_unload(&set);
}

/* payload = "dump": the message's text is the JSON, byte for byte. */
static void test_dump_payload(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "syslog.so");
	int port = 0, lfd = listen_on(&port, 0);
	void *state = sink_to(p, "127.0.0.1", port, "payload", "dump", "sd_id", "origin@99", NULL);
	struct st_dump *d = incident("x");
	/* Bigger than a "summary" message's buffer, with newlines. */
	size_t jl = 200000;
	char *json = malloc(jl + 1);
	CU_ASSERT_FATAL(json != NULL);
	for (size_t i = 0; i < jl; i++)
		json[i] = i % 80 == 79 ? '\n' : (char)('a' + i % 26);
	json[jl] = '\0';
	CU_ASSERT_EQUAL(p->emit(state, d, json, jl), 0);
	int fd = accept_within(lfd, 3000);
	CU_ASSERT_FATAL(fd >= 0);
	char *frame = malloc(jl + 8192);
	CU_ASSERT_FATAL(frame != NULL);
	long n = read_frame(fd, frame, jl + 8192, 5000);
	CU_ASSERT_FATAL(n > (long)jl);
	CU_ASSERT_PTR_NOT_NULL(strstr(frame, " [origin@99 type=\"cpu_delta\""));
	CU_ASSERT_EQUAL(memcmp(frame + n - (long)jl - 1, " ", 1), 0);
	CU_ASSERT_EQUAL(memcmp(frame + n - (long)jl, json, jl), 0);
	p->destroy(state);
	st_dump_free(d);
	free(frame);
	free(json);
	close(fd);
	close(lfd);
	st_test_plugin_unload(&set);
}

/* The collector restarts between two dumps (its end of the connection
 * closed, a new one listening on the port): the second dump goes over a
 * new connection, not into the dead one. The server is given by name,
 * resolved at each connect. */
static void test_collector_closed_between_dumps(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "syslog.so");
	char frame[8192];
	int port = 0, lfd = listen_on(&port, 0);
	void *state = sink_to(p, "localhost", port, NULL);
	struct st_dump *first = incident("first"), *second = incident("second");
	st_test_log_reset();

	CU_ASSERT_EQUAL(p->emit(state, first, "{}", 2), 0);
	int fd = accept_within(lfd, 3000);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(read_frame(fd, frame, sizeof(frame), 3000) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(frame, "comm=\"first\""));
	close(fd);
	close(lfd);
	usleep(100000);             /* the FIN is there before the next dump */
	lfd = listen_on(&port, 0);

	CU_ASSERT_EQUAL(p->emit(state, second, "{}", 2), 0);
	fd = accept_within(lfd, 3000);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(read_frame(fd, frame, sizeof(frame), 3000) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(frame, "comm=\"second\""));
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 0);
	p->destroy(state);
	st_dump_free(first);
	st_dump_free(second);
	close(fd);
	close(lfd);
	st_test_plugin_unload(&set);
}

/* Nobody listens: emit returns at once, the failure is said once with
 * the address; when the collector comes, everything queued arrives in
 * order and the recovery is said once. */
static void test_down_then_back(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "syslog.so");
	char frame[8192];
	int port = free_port();
	st_test_log_reset();
	void *state = sink_to(p, "127.0.0.1", port, "timeout", "0.5", NULL);
	struct st_dump *d[3] = { incident("one"), incident("two"), incident("three") };
	int64_t t0 = now_ms();
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(p->emit(state, d[i], "{}", 2), 0);
	CU_ASSERT(now_ms() - t0 < 200);
	CU_ASSERT(wait_log(ST_LOG_WARNING, 1, 3000));
	char want[128];
	snprintf(want, sizeof(want), "connect to 127.0.0.1 port %d: Connection refused", port);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, want));
	usleep(600000);             /* a few retries */
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 1);

	int lfd = listen_on(&port, 0);
	int fd = accept_within(lfd, 15000);
	CU_ASSERT_FATAL(fd >= 0);
	const char *names[3] = { "one", "two", "three" };
	for (int i = 0; i < 3; i++) {
		char comm[32];
		CU_ASSERT_FATAL(read_frame(fd, frame, sizeof(frame), 3000) > 0);
		snprintf(comm, sizeof(comm), "comm=\"%s\"", names[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(frame, comm));
	}
	CU_ASSERT(wait_log(ST_LOG_NOTICE, 1, 3000));
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "again"));
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 1);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_NOTICE], 1);
	p->destroy(state);
	for (int i = 0; i < 3; i++)
		st_dump_free(d[i]);
	close(fd);
	close(lfd);
	st_test_plugin_unload(&set);
}

/* queue_max_messages bounds what waits for a collector that is down: the
 * oldest go (said once), the newest arrive, in order. */
static void test_queue_bound(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "syslog.so");
	char frame[8192];
	int port = free_port();
	st_test_log_reset();
	void *state = sink_to(p, "127.0.0.1", port, "queue_max_messages", "2", NULL);
	const char *names[5] = { "one", "two", "three", "four", "five" };
	struct st_dump *d[5];
	for (int i = 0; i < 5; i++) {
		d[i] = incident(names[i]);
		CU_ASSERT_EQUAL(p->emit(state, d[i], "{}", 2), 0);
		if (i == 0)
			CU_ASSERT(wait_log(ST_LOG_WARNING, 1, 3000));  /* down: said */
	}
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "is full"));

	int lfd = listen_on(&port, 0);
	int fd = accept_within(lfd, 15000);
	CU_ASSERT_FATAL(fd >= 0);
	char got[4][16];
	int n = 0;
	while (n < 4 && read_frame(fd, frame, sizeof(frame), 1000) > 0) {
		char *c = strstr(frame, "comm=\"");
		CU_ASSERT_FATAL(c != NULL);
		snprintf(got[n], sizeof(got[n]), "%.*s", (int)strcspn(c + 6, "\""), c + 6);
		n++;
	}
	/* The one being retried, perhaps, then the newest two. */
	CU_ASSERT(n == 2 || n == 3);
	CU_ASSERT(n >= 2 && strcmp(got[n - 2], "four") == 0 && strcmp(got[n - 1], "five") == 0);
	if (n == 3)
		CU_ASSERT_STRING_EQUAL(got[0], "one");
	p->destroy(state);
	for (int i = 0; i < 5; i++)
		st_dump_free(d[i]);
	close(fd);
	close(lfd);
	st_test_plugin_unload(&set);
}

/* A collector that accepts and never reads: the sink thread never waits
 * (emit returns at once), the send times out and that is said once. */
static void test_hung_collector(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "syslog.so");
	int port = 0, lfd = listen_on(&port, 4096);
	st_test_log_reset();
	void *state = sink_to(p, "127.0.0.1", port, "payload", "dump", "timeout", "0.3",
		"queue_max_kib", "65536", NULL);
	struct st_dump *d = incident("x");
	size_t jl = BIG_JSON;
	char *json = big_json();
	int64_t t0 = now_ms();
	CU_ASSERT_EQUAL(p->emit(state, d, json, jl), 0);
	CU_ASSERT_EQUAL(p->emit(state, d, json, jl), 0);
	CU_ASSERT(now_ms() - t0 < 500);
	int fd = accept_within(lfd, 3000);     /* accepted, never read */
	CU_ASSERT(fd >= 0);
	CU_ASSERT(wait_log(ST_LOG_WARNING, 1, 5000));
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "reads nothing"));
	usleep(800000);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 1);
	t0 = now_ms();
	p->destroy(state);
	CU_ASSERT(now_ms() - t0 < 1000);
	st_dump_free(d);
	free(json);
	if (fd >= 0)
		close(fd);
	close(lfd);
	st_test_plugin_unload(&set);
}

/* A reload destroys the sink on the sampling thread: a send or a connect
 * waiting on a hung collector is cancelled, not waited out (the timeout
 * here is 30 s). */
static void test_destroy_never_waits(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "syslog.so");
	struct st_dump *d = incident("x");
	size_t jl = BIG_JSON;
	char *json = big_json();

	/* Accepted, never read: the send waits. */
	int port = 0, lfd = listen_on(&port, 4096);
	void *state = sink_to(p, "127.0.0.1", port, "payload", "dump", "timeout", "30",
		"queue_max_kib", "4096", NULL);
	CU_ASSERT_EQUAL(p->emit(state, d, json, jl), 0);
	int fd = accept_within(lfd, 3000);
	CU_ASSERT(fd >= 0);
	usleep(300000);
	int64_t t0 = now_ms();
	p->destroy(state);
	CU_ASSERT(now_ms() - t0 < 10000);       /* not the 30 s timeout */
	if (fd >= 0)
		close(fd);
	close(lfd);

	/* A backlog that is full, never accepted: the connect waits. */
	port = 0;
	lfd = listen_on(&port, 0);
	CU_ASSERT_FATAL(listen(lfd, 0) == 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fill[4];
	for (int i = 0; i < 4; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		connect(fill[i], (struct sockaddr *)&a, sizeof(a));
	}
	state = sink_to(p, "127.0.0.1", port, "timeout", "30", NULL);
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), 0);
	usleep(300000);
	t0 = now_ms();
	p->destroy(state);
	CU_ASSERT(now_ms() - t0 < 10000);       /* not the 30 s timeout */
	for (int i = 0; i < 4; i++)
		close(fill[i]);
	close(lfd);
	st_dump_free(d);
	free(json);
	st_test_plugin_unload(&set);
}

/* What the config may not say, refused with a line naming it. */
static void test_options_refused(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "syslog.so");
	union st_value o[MAX_OPTS];
	char bufs[MAX_OPTS][64], err[256];
	struct {
		const char *name, *value, *name2, *value2, *says;
	} bad[] = {
		{ "server", "localhost", NULL, NULL, "server \"localhost\": is not \"HOST:PORT\"" },
		{ "server", "host:0", NULL, NULL, "the port is not a number from 1 to 65535" },
		{ "server", "host:70000", NULL, NULL, "the port is not a number" },
		{ "server", "host:5x", NULL, NULL, "the port is not a number" },
		{ "server", ":514", NULL, NULL, "the host is empty" },
		{ "server", "::1:514", NULL, NULL, "an IPv6 address goes in brackets" },
		{ "server", "a b:514", NULL, NULL, "the host holds a space" },
		{ "server", "h:514", "sd_id", "a=b", "sd_id \"a=b\" is not" },
		{ "server", "h:514", "sd_id", "", "sd_id \"\" is not" },
		{ "server", "h:514", "hostname", "my host", "hostname \"my host\" is not" },
		{ "payload", "dump", NULL, NULL, "payload = \"dump\" needs a server" },
		{ "hostname", "web1", NULL, NULL, "hostname is for a server" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		options(p, o, bufs, bad[i].name, bad[i].value, bad[i].name2 ? bad[i].name2 : NULL,
			bad[i].value2, NULL);
		err[0] = '\0';
		CU_ASSERT_EQUAL(p->check_options(o, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].says))
			fprintf(stderr, "\n%s = %s: said \"%s\"\n", bad[i].name, bad[i].value, err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].says));
		void *state = NULL;
		st_test_log_reset();
		CU_ASSERT_EQUAL(p->create(&host, o, &state), -1);
		CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_ERR], 1);
	}
	const char *good[] = { "127.0.0.1:514", "[::1]:6514", "logs.example.org:10514" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		options(p, o, bufs, "server", good[i], "payload", "dump", NULL);
		CU_ASSERT_EQUAL(p->check_options(o, err, sizeof(err)), 0);
	}
	st_test_plugin_unload(&set);
}

/* A refused value is named raw in the message (bounded), so that the
 * core's log escapes each hostile byte once: a backslash reads "\\", a
 * newline "\n", ESC "\x1b", a byte that is not UTF-8 "\xff". */
#define HOSTILE "x\\\n\033[2J\xff"
#define HOSTILE_SHOWN "x\\\\\\n\\x1b[2J\\xff"

static void test_values_in_messages_raw(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "syslog.so");
	union st_value o[MAX_OPTS];
	char bufs[MAX_OPTS][64], err[256];
	static const struct {
		const char *name, *value, *says, *logged;
	} bad[] = {
		{ "server", HOSTILE, "server \"" HOSTILE "\": ",
		  "server \"" HOSTILE_SHOWN "\": " },
		{ "sd_id", HOSTILE, "sd_id \"" HOSTILE "\" is not",
		  "sd_id \"" HOSTILE_SHOWN "\" is not" },
		{ "hostname", HOSTILE, "hostname \"" HOSTILE "\" is not",
		  "hostname \"" HOSTILE_SHOWN "\" is not" },
		{ "ident", HOSTILE, "ident \"" HOSTILE "\" is not",
		  "ident \"" HOSTILE_SHOWN "\" is not" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		options(p, o, bufs, "server", "h:514", bad[i].name, bad[i].value, NULL);
		err[0] = '\0';
		CU_ASSERT_EQUAL(p->check_options(o, err, sizeof(err)), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].says));
		void *state = NULL;
		st_test_log_reset();
		CU_ASSERT_EQUAL(p->create(&host, o, &state), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, bad[i].logged));
		if (!strstr(st_test_last_log, bad[i].logged))
			fprintf(stderr, "\n%s: logged \"%s\"\n", bad[i].name, st_test_last_log);
	}
	/* create's own checks (the core refuses them first, from the choices) */
	static const char *const choices[] = { "facility", "level" };
	for (size_t i = 0; i < 2; i++) {
		char want[128];
		options(p, o, bufs, choices[i], HOSTILE, NULL);
		void *state = NULL;
		st_test_log_reset();
		CU_ASSERT_EQUAL(p->create(&host, o, &state), -1);
		snprintf(want, sizeof(want), "%s \"" HOSTILE_SHOWN "\" is not one of", choices[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, want));
	}
	st_test_plugin_unload(&set);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	host = st_test_sink_host("syslog");
	CU_TestInfo tests[] = {
		{ "a summary arrives as RFC 5424", test_summary_arrives },
		{ "payload = dump: the JSON as the message", test_dump_payload },
		{ "a collector closed between two dumps", test_collector_closed_between_dumps },
		{ "down, then back: all of it, said once each", test_down_then_back },
		{ "the queue's bound from the options", test_queue_bound },
		{ "a collector that never reads", test_hung_collector },
		{ "destroy never waits on the collector", test_destroy_never_waits },
		{ "bad options refused", test_options_refused },
		{ "values in messages raw, escaped once by the log", test_values_in_messages_raw },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("syslog_sink", tests);
}
