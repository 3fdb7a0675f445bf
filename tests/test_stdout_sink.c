/* The stdout sink (plugins/sinks/stdout.c), loaded from the build tree as
 * the daemon loads it, writing into a file that stands in for fd 1. */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump/dump_json.h"
#include "plugin_under_test.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HOSTILE_COMM "\x1b[31mevil\nname\"\xff"
#define STORED_AS "/var/lib/spiketrace/spike_20261121T232900Z_cpu_delta_4242.json"

/* The host: plugin_under_test.h's, its log counted. */
static struct st_host mock_host;

/* ------------------------------------------------- the plugin itself */

static struct st_plugin_set set;

static const struct st_plugin *load(void)
{
	return st_test_plugin_load(&set, "stdout.so");
}

static void unload(void)
{
	st_test_plugin_unload(&set);
}

/* create() with format, or -1. */
static int create(const struct st_plugin *d, const char *format, void **state)
{
	union st_value opts[] = { { .s = format }, { .s = NULL } };
	*state = NULL;
	st_test_log_reset();
	return d->create(&mock_host, opts, state);
}

/* ---------------------------------------------------------- a dump */

static void set_proc(struct st_dump_proc *p, int32_t pid, const char *comm,
		     double cpu, uint64_t rss_kib, const char *cmdline)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = 1;
	p->start_ticks = 9000;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->state = 'R';
	p->cpu_pct = cpu;
	p->rss_kib = rss_kib;
	p->uid = p->euid = 1000;
	p->cmdline = cmdline ? strdup(cmdline) : NULL;
}

/* A cpu_delta incident blaming a process that names itself to attack a
 * terminal, on a host whose name tries the same. */
static struct st_dump *hostile_dump(void)
{
	struct st_dump *d = st_dump_new();
	CU_ASSERT_FATAL(d != NULL);
	snprintf(d->id, sizeof(d->id), "20261121T232900Z_cpu_delta_4242");
	d->wall_ns = 1795303740000000000LL;
	d->mono_ns = 123456789;
	d->interval_s = 1.0;
	snprintf(d->host.hostname, sizeof(d->host.hostname), "host\x1b]0;pwned\x07");
	snprintf(d->host.kernel, sizeof(d->host.kernel), "6.1.0-13-amd64");
	d->host.ncores = 4;
	d->host.mem_total_kib = 8u << 20;
	snprintf(d->stored_as, sizeof(d->stored_as), "%s", STORED_AS);

	d->ntriggers = 1;
	d->triggers = calloc(1, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	struct st_trigger *t = &d->triggers[0].trigger;
	snprintf(t->type, sizeof(t->type), "cpu_delta");
	t->pid = 4242;
	t->start_ticks = 9000;
	snprintf(t->comm, sizeof(t->comm), "%s", HOSTILE_COMM);
	t->value = 95.5;
	t->baseline = 2;
	t->threshold = 40;
	snprintf(t->units, sizeof(t->units), "pct");
	snprintf(t->summary, sizeof(t->summary), "cpu 95.5%% of one core\r\x1b[2J");
	t->sample_seq = 11;
	d->triggers[0].sample_index = 1;
	d->trigger_index = 1;

	d->nsamples = 2;
	d->samples = calloc(2, sizeof(*d->samples));
	CU_ASSERT_FATAL(d->samples != NULL);
	for (uint32_t i = 0; i < 2; i++) {
		struct st_dump_sample *s = &d->samples[i];
		s->offset_ns = ((int64_t)i - 1) * 1000000000LL;
		s->seq = 10 + i;
		s->mono_ns = 123456789 + (int64_t)i * 1000000000LL;
		s->wall_ns = d->wall_ns + (int64_t)i * 1000000000LL;
		s->cpu_total_pct = i ? 30 : 2;
		s->mem_total_kib = 8u << 20;
		s->mem_available_kib = 6u << 20;
		s->nprocs_total = 120;
		s->ntop_cpu = 1;
		s->top_cpu = calloc(1, sizeof(*s->top_cpu));
		s->ntop_rss = 1;
		s->top_rss = calloc(1, sizeof(*s->top_rss));
		CU_ASSERT_FATAL(s->top_cpu && s->top_rss);
		set_proc(&s->top_cpu[0], 4242, HOSTILE_COMM, i ? 95.5 : 2, 2048,
			 "./evil --\x1b[2J\x9b" "1m");
		set_proc(&s->top_rss[0], 4242, HOSTILE_COMM, i ? 95.5 : 2, 2048, NULL);
	}
	return d;
}

/* ------------------------------------------------ fd 1 redirected */

/* Run emit with fd 1 on target; its return value. */
static int emit_to(const struct st_plugin *d, void *state, const struct st_dump *dump,
		   int target)
{
	char *json = st_dump_to_json(dump, 1);     /* as the sink queue does */
	CU_ASSERT_FATAL(json != NULL);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	CU_ASSERT_FATAL(saved >= 0);
	if (target >= 0) {
		CU_ASSERT_FATAL(dup2(target, STDOUT_FILENO) == STDOUT_FILENO);
	} else {
		close(STDOUT_FILENO);
	}
	int rc = d->emit(state, dump, json, strlen(json));
	dup2(saved, STDOUT_FILENO);
	close(saved);
	free(json);
	return rc;
}

/* Emit n times into a temp file; its content (malloc'd) and length. */
static char *emit_captured(const struct st_plugin *d, void *state,
			   const struct st_dump *dump, int n, size_t *len)
{
	char path[] = "/tmp/spiketrace-stdout.XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	unlink(path);
	for (int i = 0; i < n; i++)
		CU_ASSERT_EQUAL(emit_to(d, state, dump, fd), 0);
	off_t size = lseek(fd, 0, SEEK_END);
	CU_ASSERT_FATAL(size >= 0);
	char *buf = calloc(1, (size_t)size + 1);
	CU_ASSERT_FATAL(buf != NULL);
	CU_ASSERT_EQUAL(pread(fd, buf, (size_t)size, 0), size);
	close(fd);
	*len = (size_t)size;
	return buf;
}

static size_t count_char(const char *s, size_t len, char c)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == c;
	return n;
}

/* A control byte other than the newline, DEL, or a C1 control's lead byte. */
static int has_raw_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\n') || c == 0x7f || c == 0x9b || c == 0xff)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ tests */

static void test_descriptor(void)
{
	const struct st_plugin *d = load();
	CU_ASSERT_STRING_EQUAL(d->name, "stdout");
	CU_ASSERT_EQUAL(d->kind, ST_PLUGIN_SINK);
	/* Not a storing sink: it runs after json_file and can name the file. */
	CU_ASSERT_FALSE(d->flags & ST_PLUGIN_STORES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->options);
	CU_ASSERT_STRING_EQUAL(d->options[0].name, "format");
	CU_ASSERT_EQUAL(d->options[0].type, ST_OPT_STRING);
	CU_ASSERT_STRING_EQUAL(d->options[0].def.s, "text");
	CU_ASSERT_EQUAL(d->options[1].type, ST_OPT_END);
	unload();
}

static void test_text_is_the_viewer_rendering_escaped(void)
{
	const struct st_plugin *d = load();
	void *state;
	CU_ASSERT_FATAL(create(d, "text", &state) == 0);
	struct st_dump *dump = hostile_dump();
	size_t len;
	char *out = emit_captured(d, state, dump, 1, &len);

	CU_ASSERT(len > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "=== spike trigger ==="));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "=== top processes by cpu ==="));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "=== top processes by rss ==="));
	/* The header names the file json_file wrote. */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, STORED_AS));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "4242"));
	/* The name is there, escaped: no raw control byte reaches the terminal. */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "evil"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\\x1b"));
	CU_ASSERT_FALSE(has_raw_control(out, len));
	CU_ASSERT_EQUAL(out[len - 1], '\n');
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_ERR], 0);

	free(out);
	st_dump_free(dump);
	d->destroy(state);
	unload();
}

/* The sink says what was measured as the viewer does: a first-seen
 * record's cpu is its average since it started, in either format. */
static void test_measured_marks(void)
{
	const struct st_plugin *d = load();
	void *text_state, *json_state;
	CU_ASSERT_FATAL(create(d, "text", &text_state) == 0);
	CU_ASSERT_FATAL(create(d, "json", &json_state) == 0);
	struct st_dump *dump = hostile_dump();
	dump->samples[1].top_cpu[0].flags = ST_PROC_NEW;
	dump->samples[1].top_rss[0].flags = ST_PROC_NEW;
	size_t len;
	char *out = emit_captured(d, text_state, dump, 1, &len);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "95.5%  (rss: 2 mib)  [avg since start]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "[avg since start]: first seen this sample"));
	free(out);
	out = emit_captured(d, json_state, dump, 1, &len);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"measured\":\"since_start\""));
	free(out);
	st_dump_free(dump);
	d->destroy(text_state);
	d->destroy(json_state);
	unload();
}

static void test_json_is_one_line_per_dump(void)
{
	const struct st_plugin *d = load();
	void *state;
	CU_ASSERT_FATAL(create(d, "json", &state) == 0);
	struct st_dump *dump = hostile_dump();
	size_t len;
	char *out = emit_captured(d, state, dump, 1, &len);

	/* Exactly one line, compact, ending in its newline. */
	CU_ASSERT_FATAL(len > 1);
	CU_ASSERT_EQUAL(count_char(out, len, '\n'), 1);
	CU_ASSERT_EQUAL(out[len - 1], '\n');
	CU_ASSERT_FALSE(has_raw_control(out, len));

	cJSON *root = cJSON_ParseWithLength(out, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	CU_ASSERT(cJSON_IsString(schema) && strcmp(schema->valuestring, ST_DUMP_SCHEMA) == 0);
	const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "triggers"), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	const cJSON *pid = cJSON_GetObjectItemCaseSensitive(t, "pid");
	CU_ASSERT(cJSON_IsNumber(pid) && pid->valuedouble == 4242);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(t, "type");
	CU_ASSERT(cJSON_IsString(type) && strcmp(type->valuestring, "cpu_delta") == 0);
	/* The name survives as JSON text: ESC and newline escaped, not lost. */
	const cJSON *comm = cJSON_GetObjectItemCaseSensitive(t, "comm");
	CU_ASSERT(cJSON_IsString(comm) && strstr(comm->valuestring, "\x1b[31mevil\nname") != NULL);
	cJSON_Delete(root);

	/* And the same document as the core's reader reads it. */
	char err[256];
	struct st_dump *back = st_dump_from_json(out, len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(back);
	if (back) {
		CU_ASSERT_EQUAL(back->ntriggers, 1);
		CU_ASSERT_EQUAL(back->triggers[0].trigger.pid, 4242);
		CU_ASSERT_EQUAL(back->nsamples, 2);
	}
	st_dump_free(back);

	free(out);
	st_dump_free(dump);
	d->destroy(state);
	unload();
}

static void test_json_lines_stream(void)
{
	const struct st_plugin *d = load();
	void *state;
	CU_ASSERT_FATAL(create(d, "json", &state) == 0);
	struct st_dump *dump = hostile_dump();
	size_t len;
	char *out = emit_captured(d, state, dump, 3, &len);

	/* Three dumps, three lines, each a whole document. */
	CU_ASSERT_EQUAL(count_char(out, len, '\n'), 3);
	char *save = NULL;
	int lines = 0;
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		cJSON *root = cJSON_Parse(line);
		CU_ASSERT_PTR_NOT_NULL(root);
		cJSON_Delete(root);
		lines++;
	}
	CU_ASSERT_EQUAL(lines, 3);

	free(out);
	st_dump_free(dump);
	d->destroy(state);
	unload();
}

static void test_closed_stdout_fails_and_logs_once(void)
{
	const struct st_plugin *d = load();
	void *state;
	/* As the daemon does: a closed pipe is EPIPE, not a killing signal. */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	CU_ASSERT_FATAL(create(d, "text", &state) == 0);
	struct st_dump *dump = hostile_dump();

	int p[2];
	CU_ASSERT_FATAL(pipe(p) == 0);
	close(p[0]);            /* the reader went away */
	CU_ASSERT_EQUAL(emit_to(d, state, dump, p[1]), -1);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_ERR], 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "standard output"));
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, strerror(EPIPE)));
	/* The same condition again: fails again, not logged again. */
	CU_ASSERT_EQUAL(emit_to(d, state, dump, p[1]), -1);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_ERR], 1);
	close(p[1]);

	/* fd 1 closed outright: a new condition, logged. */
	CU_ASSERT_EQUAL(emit_to(d, state, dump, -1), -1);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_ERR], 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, strerror(EBADF)));

	/* A working stdout again: written, and the recovery said once. */
	size_t len;
	char *out = emit_captured(d, state, dump, 1, &len);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "=== spike trigger ==="));
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_NOTICE], 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "again"));
	free(out);

	st_dump_free(dump);
	d->destroy(state);
	signal(SIGPIPE, old);
	unload();
}

static void test_bad_format_refused(void)
{
	const struct st_plugin *d = load();
	void *state;

	CU_ASSERT_EQUAL(create(d, "xml", &state), -1);
	CU_ASSERT_PTR_NULL(state);
	CU_ASSERT_EQUAL(st_test_log_count[ST_LOG_ERR], 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "\"xml\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "text"));
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log, "json"));

	/* Case matters, as everywhere else in the config. */
	CU_ASSERT_EQUAL(create(d, "JSON", &state), -1);
	CU_ASSERT_EQUAL(create(d, "", &state), -1);

	/* A hostile value is named raw and the log escapes the line once:
	 * one line, each byte read as it is. */
	CU_ASSERT_EQUAL(create(d, "te\\xt\n\x1b[2J\xff", &state), -1);
	CU_ASSERT_FALSE(has_raw_control(st_test_last_log, strlen(st_test_last_log)));
	CU_ASSERT_PTR_NULL(strchr(st_test_last_log, '\n'));
	CU_ASSERT_PTR_NOT_NULL(strstr(st_test_last_log,
				      "format \"te\\\\xt\\n\\x1b[2J\\xff\" is not one of"));
	unload();
}

int main(void)
{
	mock_host = st_test_sink_host("stdout");
	CU_TestInfo tests[] = {
		{ "descriptor: a sink with a format option, default text", test_descriptor },
		{ "text: the viewer's sections, no raw control byte",
		  test_text_is_the_viewer_rendering_escaped },
		{ "json: exactly one compact line that parses back",
		  test_json_is_one_line_per_dump },
		{ "json: one line per dump in a stream", test_json_lines_stream },
		{ "text and json say how records were measured", test_measured_marks },
		{ "closed stdout: -1, logged once per condition, recovers",
		  test_closed_stdout_fails_and_logs_once },
		{ "format other than text/json: create fails with a reason",
		  test_bad_format_refused },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("stdout_sink", tests);
}
