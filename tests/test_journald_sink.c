/* The journald sink (plugins/sinks/journald.c), loaded from the build tree
 * as the daemon loads it, sending to a datagram socket of the test's that
 * stands in for journald's. */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump_build.h"
#include "plugin_under_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define HOSTILE_COMM "\x1b[31mevil\nname=\xff"

static struct st_plugin_set set;
static struct st_host host;
static char dir[4096], path[4200];

/* A socket at path, as journald's, non-blocking; -1 when it cannot be. */
static int listen_at(const char *p)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	CU_ASSERT_FATAL(strlen(p) < sizeof(a.sun_path));
	memcpy(a.sun_path, p, strlen(p) + 1);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(fd >= 0);
	unlink(p);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	return fd;
}

static struct st_dump *hostile_dump(void)
{
	struct st_dump *d = st_dump_new();
	CU_ASSERT_FATAL(d != NULL);
	d->ntriggers = 2;
	d->triggers = calloc(2, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	st_test_set_trigger(&d->triggers[0], "cpu_delta", 4242, HOSTILE_COMM, 95.5, 2, 40,
			    "pct", 0);
	snprintf(d->triggers[0].trigger.summary, ST_TRIGGER_SUMMARY_MAX,
		 "line one\nSPIKETRACE_TYPE=forged");
	st_test_set_trigger(&d->triggers[1], "new_proc", 7, "x", 1, 0, 1, "", 0);
	snprintf(d->stored_as, sizeof(d->stored_as), "/var/lib/spiketrace/spike_1.json");
	return d;
}

static void *create(const struct st_plugin *p, const char *sock, const char *ident,
		    const char *priority)
{
	union st_value opts[] = { { .s = sock }, { .s = ident }, { .s = priority }, { .s = NULL } };
	void *state = NULL;
	CU_ASSERT_EQUAL_FATAL(p->create(&host, opts, &state), 0);
	return state;
}

/* The fields of one entry: every line KEY=value, printable ASCII. */
static int fields_of(const char *entry, size_t len, char keys[][32], char values[][1100],
		     int max)
{
	int n = 0;
	for (size_t i = 0; i < len; i++)
		CU_ASSERT(entry[i] == '\n' || (entry[i] >= 0x20 && entry[i] <= 0x7e));
	for (const char *p = entry; p < entry + len && n < max;) {
		const char *nl = memchr(p, '\n', (size_t)(entry + len - p));
		CU_ASSERT_FATAL(nl != NULL);        /* every line ends */
		const char *eq = memchr(p, '=', (size_t)(nl - p));
		CU_ASSERT_FATAL(eq != NULL);
		snprintf(keys[n], 32, "%.*s", (int)(eq - p), p);
		snprintf(values[n], 1100, "%.*s", (int)(nl - eq - 1), eq + 1);
		n++;
		p = nl + 1;
	}
	return n;
}

static const char *value_of(char keys[][32], char values[][1100], int n, const char *key)
{
	int found = -1;
	for (int i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0) {
			CU_ASSERT(found < 0);       /* once */
			found = i;
		}
	return found >= 0 ? values[found] : NULL;
}

/* One entry with the sink's fields; the attacker's names escaped, so a
 * newline in them forges no field. */
static void test_entry_fields(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "journald.so");
	int fd = listen_at(path);
	void *state = create(p, path, "spiketrace", "warning");
	struct st_dump *d = hostile_dump();
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), 0);
	char entry[8192], keys[32][32], values[32][1100];
	ssize_t len = recv(fd, entry, sizeof(entry), 0);
	CU_ASSERT_FATAL(len > 0);
	int n = fields_of(entry, (size_t)len, keys, values, 32);
	CU_ASSERT_STRING_EQUAL(value_of(keys, values, n, "PRIORITY"), "4");
	CU_ASSERT_STRING_EQUAL(value_of(keys, values, n, "SYSLOG_IDENTIFIER"), "spiketrace");
	CU_ASSERT_STRING_EQUAL(value_of(keys, values, n, "SPIKETRACE_TYPE"), "cpu_delta");
	CU_ASSERT_STRING_EQUAL(value_of(keys, values, n, "SPIKETRACE_PID"), "4242");
	CU_ASSERT_STRING_EQUAL(value_of(keys, values, n, "SPIKETRACE_COMM"),
			       "\\x1b[31mevil\\nname=\\xff");
	CU_ASSERT_STRING_EQUAL(value_of(keys, values, n, "SPIKETRACE_VALUE"), "95.5");
	CU_ASSERT_STRING_EQUAL(value_of(keys, values, n, "SPIKETRACE_UNITS"), "pct");
	CU_ASSERT_STRING_EQUAL(value_of(keys, values, n, "SPIKETRACE_TRIGGERS"), "2");
	CU_ASSERT_STRING_EQUAL(value_of(keys, values, n, "SPIKETRACE_DUMP"),
			       "/var/lib/spiketrace/spike_1.json");
	const char *msg = value_of(keys, values, n, "MESSAGE");
	CU_ASSERT_FATAL(msg != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "cpu_delta: pid 4242 (\\x1b[31mevil\\nname=\\xff) "
					   "at 95.5% against threshold 40.0%; line one\\n"
					   "SPIKETRACE_TYPE=forged; 2 triggers; dump: "
					   "/var/lib/spiketrace/spike_1.json"));
	st_dump_free(d);
	p->destroy(state);
	close(fd);
	st_test_plugin_unload(&set);
}

/* No journald: the entry is lost, said once, and the sink keeps going;
 * once the socket is back, its return is said and entries arrive. */
static void test_missing_socket_said_once(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "journald.so");
	unlink(path);
	void *state = create(p, path, "spiketrace", "notice");
	struct st_dump *d = hostile_dump();
	st_test_log_reset();
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), -1);
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), -1);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "said once"));
	int fd = listen_at(path);
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), 0);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_NOTICE], 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "delivered again"));
	char entry[8192];
	CU_ASSERT(recv(fd, entry, sizeof(entry), 0) > 0);
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), 0);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_NOTICE], 1);
	st_dump_free(d);
	p->destroy(state);
	close(fd);
	st_test_plugin_unload(&set);
}

/* A journald that hangs (never reads): its queue fills, and the sink
 * neither waits nor says it more than once. */
static void test_hung_journald_never_waits(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "journald.so");
	int fd = listen_at(path);
	void *state = create(p, path, "spiketrace", "notice");
	struct st_dump *d = hostile_dump();
	st_test_log_reset();
	int sent = 0, lost = 0;
	for (int i = 0; i < 5000 && lost < 3; i++) {
		if (p->emit(state, d, "{}", 2) == 0)
			sent++;
		else
			lost++;
	}
	CU_ASSERT(sent > 0);
	CU_ASSERT_EQUAL(lost, 3);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_WARNING], 1);
	/* Read again: the entries flow, and that is said. */
	char entry[8192];
	while (recv(fd, entry, sizeof(entry), 0) > 0)
		;
	CU_ASSERT_EQUAL(p->emit(state, d, "{}", 2), 0);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_NOTICE], 1);
	st_dump_free(d);
	p->destroy(state);
	close(fd);
	st_test_plugin_unload(&set);
}

/* What the config may not say, refused with a line naming it. */
static void test_options_refused(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "journald.so");
	char err[256];
	union st_value bad_ident[] = { { .s = "/run/x" }, { .s = "two words" }, { .s = "notice" },
				       { .s = NULL } };
	union st_value relative[] = { { .s = "run/x" }, { .s = "spiketrace" }, { .s = "notice" },
				      { .s = NULL } };
	CU_ASSERT_EQUAL(p->check_options(bad_ident, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "identifier \"two words\""));
	CU_ASSERT_EQUAL(p->check_options(relative, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "socket \"run/x\" is not an absolute path"));
	void *state = NULL;
	st_test_log_reset();
	CU_ASSERT_EQUAL(p->create(&host, relative, &state), -1);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_ERR], 1);
	st_test_plugin_unload(&set);
}

/* A refused value is named raw, so that the core's log escapes each
 * hostile byte once: "\\" "\n" "\x1b" "\xff", as journalctl shows a name. */
static void test_values_in_messages_raw(void)
{
	const struct st_plugin *p = st_test_plugin_load(&set, "journald.so");
	char err[256];
	union st_value ident[] = { { .s = "/run/x" }, { .s = "i\\\n\033[2J\xff" },
				   { .s = "notice" }, { .s = NULL } };
	union st_value sock[] = { { .s = "r\\\n\033[2J\xff" }, { .s = "spiketrace" },
				  { .s = "notice" }, { .s = NULL } };
	CU_ASSERT_EQUAL(p->check_options(ident, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "identifier \"i\\\n\033[2J\xff\" is not"));
	CU_ASSERT_EQUAL(p->check_options(sock, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "socket \"r\\\n\033[2J\xff\" is not"));
	void *state = NULL;
	st_test_log_reset();
	CU_ASSERT_EQUAL(p->create(&host, ident, &state), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log,
				      "identifier \"i\\\\\\n\\x1b[2J\\xff\" is not"));
	CU_ASSERT_EQUAL(p->create(&host, sock, &state), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log,
				      "socket \"r\\\\\\n\\x1b[2J\\xff\" is not"));
	st_test_plugin_unload(&set);
}

int main(void)
{
	char *d = st_test_mkdtemp();
	snprintf(dir, sizeof(dir), "%s", d);
	snprintf(path, sizeof(path), "%s/socket", dir);
	host = st_test_sink_host("journald");
	CU_TestInfo tests[] = {
		{ "an entry's fields, names escaped", test_entry_fields },
		{ "no socket: said once, then its return", test_missing_socket_said_once },
		{ "a hung journald: no wait", test_hung_journald_never_waits },
		{ "bad options refused", test_options_refused },
		{ "values in messages raw, escaped once by the log", test_values_in_messages_raw },
		CU_TEST_INFO_NULL,
	};
	int rc = st_test_run("journald_sink", tests);
	st_test_rmtree(d);
	free(d);
	return rc;
}
