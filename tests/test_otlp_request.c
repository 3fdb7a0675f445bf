/* The otlp sink's request (plugins/sinks/otlp_request.c): the JSON
 * encoding of an ExportLogsServiceRequest, read back with cJSON and held
 * to OTLP's rules (field names, types, 64-bit integers as strings). */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump_build.h"
#include "text/utf8.h"
#include "otlp_request.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOT_ID "0b6e8e58-6d3c-4d0e-9c4c-2f0a7c3e9d11"
#define HOSTILE_COMM "\x1b[31mev\"il\\\nname=\xff\xc3"

static struct st_dump *known_dump(const char *type, const char *comm)
{
	struct st_dump *d = st_dump_new();
	CU_ASSERT_FATAL(d != NULL);
	snprintf(d->host.hostname, sizeof(d->host.hostname), "web-1");
	snprintf(d->host.boot_id, sizeof(d->host.boot_id), BOOT_ID);
	snprintf(d->id, sizeof(d->id), "20261201T212500Z-000042");
	d->wall_ns = 1764624300123456789LL;
	d->ntriggers = 2;
	d->triggers = calloc(2, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	st_test_set_trigger(&d->triggers[0], type, 4242, comm, 95.5, 2, 40, "pct", 0);
	snprintf(d->triggers[0].trigger.summary, ST_TRIGGER_SUMMARY_MAX, "make burns a core");
	st_test_set_trigger(&d->triggers[1], "new_proc", 7, "x", 1, 0, 1, "", 0);
	snprintf(d->stored_as, sizeof(d->stored_as), "/var/lib/spiketrace/spike_1.json");
	return d;
}

static cJSON *request_of(const struct st_dump *d, const char *body, char **text)
{
	*text = otlp_logs_request(d, body, "1.2.3");
	CU_ASSERT_FATAL(*text != NULL);
	cJSON *root = cJSON_Parse(*text);
	CU_ASSERT_FATAL(root != NULL);
	return root;
}

static cJSON *member(const cJSON *o, const char *key)
{
	cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!m)
		fprintf(stderr, "no member \"%s\"\n", key);
	CU_ASSERT_FATAL(m != NULL);
	return m;
}

/* arr[0] of a one-element array. */
static cJSON *only(const cJSON *o, const char *key)
{
	cJSON *a = member(o, key);
	CU_ASSERT_FATAL(cJSON_IsArray(a));
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(a), 1);
	return cJSON_GetArrayItem(a, 0);
}

/* The AnyValue of key in a KeyValue list (once), NULL when absent. Each
 * element has exactly "key" and "value", and the value one member. */
static cJSON *attr(const cJSON *attrs, const char *key)
{
	cJSON *found = NULL, *kv;
	CU_ASSERT_FATAL(cJSON_IsArray(attrs));
	cJSON_ArrayForEach(kv, attrs) {
		CU_ASSERT_EQUAL(cJSON_GetArraySize(kv), 2);
		cJSON *k = member(kv, "key"), *v = member(kv, "value");
		CU_ASSERT_FATAL(cJSON_IsString(k) && cJSON_IsObject(v));
		CU_ASSERT_EQUAL(cJSON_GetArraySize(v), 1);
		if (strcmp(k->valuestring, key) == 0) {
			CU_ASSERT(found == NULL);
			found = v;
		}
	}
	return found;
}

static const char *string_attr(const cJSON *attrs, const char *key)
{
	cJSON *v = attr(attrs, key);
	CU_ASSERT_FATAL(v != NULL);
	cJSON *s = member(v, "stringValue");
	CU_ASSERT_FATAL(cJSON_IsString(s));
	return s->valuestring;
}

/* int64: a decimal string, not a JSON number. */
static const char *int_attr(const cJSON *attrs, const char *key)
{
	cJSON *v = attr(attrs, key);
	CU_ASSERT_FATAL(v != NULL);
	cJSON *s = member(v, "intValue");
	CU_ASSERT_FATAL(cJSON_IsString(s));
	return s->valuestring;
}

static double double_attr(const cJSON *attrs, const char *key)
{
	cJSON *v = attr(attrs, key);
	CU_ASSERT_FATAL(v != NULL);
	cJSON *n = member(v, "doubleValue");
	CU_ASSERT_FATAL(cJSON_IsNumber(n));
	return n->valuedouble;
}

/* Every member name of every object is lowerCamelCase (protobuf's JSON
 * names), except inside nothing: attribute keys are values, not names. */
static void assert_camel_case(const cJSON *node)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, node) {
		if (cJSON_IsObject(node)) {
			CU_ASSERT_FATAL(c->string != NULL);
			CU_ASSERT(c->string[0] >= 'a' && c->string[0] <= 'z');
			for (const char *p = c->string; *p; p++)
				CU_ASSERT((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'));
		}
		assert_camel_case(c);
	}
}

/* The whole request of a known dump, field by field. */
static void test_known_dump(void)
{
	struct st_dump *d = known_dump("cpu_delta", "make");
	char *text;
	cJSON *root = request_of(d, "cpu_delta: pid 4242 (make) at 95.5%", &text);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(root), 1);
	assert_camel_case(root);
	cJSON *rl = only(root, "resourceLogs");
	cJSON *rattrs = member(member(rl, "resource"), "attributes");
	CU_ASSERT_STRING_EQUAL(string_attr(rattrs, "host.name"), "web-1");
	CU_ASSERT_STRING_EQUAL(string_attr(rattrs, "host.id"), BOOT_ID);
	CU_ASSERT_STRING_EQUAL(string_attr(rattrs, "service.name"), "spiketrace");
	CU_ASSERT_STRING_EQUAL(string_attr(rattrs, "service.version"), "1.2.3");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(rattrs), 4);
	cJSON *sl = only(rl, "scopeLogs");
	cJSON *scope = member(sl, "scope");
	CU_ASSERT_STRING_EQUAL(member(scope, "name")->valuestring, "spiketrace");
	CU_ASSERT_STRING_EQUAL(member(scope, "version")->valuestring, "1.2.3");
	cJSON *rec = only(sl, "logRecords");
	cJSON *t = member(rec, "timeUnixNano"), *o = member(rec, "observedTimeUnixNano");
	CU_ASSERT_FATAL(cJSON_IsString(t) && cJSON_IsString(o));
	CU_ASSERT_STRING_EQUAL(t->valuestring, "1764624300123456789");
	CU_ASSERT_STRING_EQUAL(o->valuestring, "1764624300123456789");
	cJSON *sev = member(rec, "severityNumber");
	CU_ASSERT(cJSON_IsNumber(sev) && sev->valueint == 13);      /* an enum: a number */
	CU_ASSERT_STRING_EQUAL(member(rec, "severityText")->valuestring, "WARN");
	cJSON *body = member(rec, "body");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(body), 1);
	CU_ASSERT_STRING_EQUAL(member(body, "stringValue")->valuestring,
			       "cpu_delta: pid 4242 (make) at 95.5%");
	/* No trace: no ids, not even empty ones. */
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(rec, "traceId"));
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(rec, "spanId"));
	CU_ASSERT_PTR_NULL(cJSON_GetObjectItemCaseSensitive(rec, "flags"));
	cJSON *a = member(rec, "attributes");
	CU_ASSERT_STRING_EQUAL(string_attr(a, "spiketrace.type"), "cpu_delta");
	CU_ASSERT_STRING_EQUAL(int_attr(a, "process.pid"), "4242");
	CU_ASSERT_STRING_EQUAL(string_attr(a, "process.executable.name"), "make");
	CU_ASSERT_DOUBLE_EQUAL(double_attr(a, "spiketrace.value"), 95.5, 1e-9);
	CU_ASSERT_STRING_EQUAL(string_attr(a, "spiketrace.unit"), "pct");
	CU_ASSERT_DOUBLE_EQUAL(double_attr(a, "spiketrace.threshold"), 40, 1e-9);
	CU_ASSERT_STRING_EQUAL(string_attr(a, "spiketrace.summary"), "make burns a core");
	CU_ASSERT_STRING_EQUAL(int_attr(a, "spiketrace.triggers"), "2");
	CU_ASSERT_STRING_EQUAL(string_attr(a, "spiketrace.dump"),
			       "/var/lib/spiketrace/spike_1.json");
	CU_ASSERT_STRING_EQUAL(string_attr(a, "spiketrace.incident"), "20261201T212500Z-000042");
	CU_ASSERT_PTR_NULL(attr(a, "spiketrace.exited_count"));
	CU_ASSERT_EQUAL(cJSON_GetArraySize(a), 10);
	cJSON_Delete(root);
	free(text);
	st_dump_free(d);
}

/* A process name of hostile bytes: the request is still JSON, every
 * string valid UTF-8, the name there with its bad bytes as U+FFFD. */
static void test_hostile_comm(void)
{
	struct st_dump *d = known_dump("cpu_delta", HOSTILE_COMM);
	snprintf(d->host.hostname, sizeof(d->host.hostname), "h\xfe\"st\n");
	char *text;
	cJSON *root = request_of(d, "line", &text);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		CU_ASSERT(*p >= 0x20);              /* control bytes escaped */
	char *clean = malloc(3 * strlen(text) + 1);
	CU_ASSERT_FATAL(clean != NULL);
	CU_ASSERT_STRING_EQUAL(st_utf8_sanitize(text, clean, 3 * strlen(text) + 1), text);
	free(clean);
	cJSON *rl = only(root, "resourceLogs");
	cJSON *a = member(only(only(rl, "scopeLogs"), "logRecords"), "attributes");
	CU_ASSERT_STRING_EQUAL(string_attr(a, "process.executable.name"),
			       "\x1b[31mev\"il\\\nname=\xef\xbf\xbd\xef\xbf\xbd");
	CU_ASSERT_STRING_EQUAL(string_attr(member(member(rl, "resource"), "attributes"),
					   "host.name"), "h\xef\xbf\xbd\"st\n");
	cJSON_Delete(root);
	free(text);
	st_dump_free(d);
}

static const char *record_time(const struct st_dump *d, char **text, cJSON **root)
{
	*root = request_of(d, "x", text);
	cJSON *rec = only(only(only(*root, "resourceLogs"), "scopeLogs"), "logRecords");
	cJSON *t = member(rec, "timeUnixNano");
	CU_ASSERT_FATAL(cJSON_IsString(t));
	CU_ASSERT_STRING_EQUAL(member(rec, "observedTimeUnixNano")->valuestring, t->valuestring);
	return t->valuestring;
}

/* Nanoseconds are all their digits, beyond what a double holds; a clock
 * before the epoch (no fixed64) is 0. */
static void test_nanosecond_strings(void)
{
	struct st_dump *d = known_dump("cpu_delta", "make");
	char *text;
	cJSON *root;
	d->wall_ns = INT64_MAX;
	CU_ASSERT_STRING_EQUAL(record_time(d, &text, &root), "9223372036854775807");
	cJSON_Delete(root);
	free(text);
	d->wall_ns = 1;
	CU_ASSERT_STRING_EQUAL(record_time(d, &text, &root), "1");
	cJSON_Delete(root);
	free(text);
	d->wall_ns = -5;
	CU_ASSERT_STRING_EQUAL(record_time(d, &text, &root), "0");
	cJSON_Delete(root);
	free(text);
	st_dump_free(d);
}

/* A dump asked for: information, no process, no figures; a figure that
 * is not a number is left out rather than written as one. */
static void test_manual_and_nan(void)
{
	struct st_dump *d = known_dump("manual", "");
	struct st_trigger *t = &d->triggers[0].trigger;
	t->pid = 0;
	t->units[0] = '\0';
	d->stored_as[0] = '\0';
	char *text;
	cJSON *root = request_of(d, "manual: dump requested with SIGUSR1", &text);
	cJSON *rec = only(only(only(root, "resourceLogs"), "scopeLogs"), "logRecords");
	CU_ASSERT_EQUAL(member(rec, "severityNumber")->valueint, 9);
	CU_ASSERT_STRING_EQUAL(member(rec, "severityText")->valuestring, "INFO");
	cJSON *a = member(rec, "attributes");
	CU_ASSERT_STRING_EQUAL(string_attr(a, "spiketrace.type"), "manual");
	CU_ASSERT_PTR_NULL(attr(a, "process.pid"));
	CU_ASSERT_PTR_NULL(attr(a, "process.executable.name"));
	CU_ASSERT_PTR_NULL(attr(a, "spiketrace.value"));
	CU_ASSERT_PTR_NULL(attr(a, "spiketrace.dump"));
	cJSON_Delete(root);
	free(text);

	snprintf(t->type, sizeof(t->type), "cpu_delta");
	snprintf(t->units, sizeof(t->units), "pct");
	t->value = NAN;
	root = request_of(d, "x", &text);
	a = member(only(only(only(root, "resourceLogs"), "scopeLogs"), "logRecords"),
		   "attributes");
	CU_ASSERT_PTR_NULL(attr(a, "spiketrace.value"));
	CU_ASSERT_DOUBLE_EQUAL(double_attr(a, "spiketrace.threshold"), 40, 1e-9);
	cJSON_Delete(root);
	free(text);
	st_dump_free(d);
}

/* An exited group is blamed by name and count, without a pid. */
static void test_exited_group(void)
{
	struct st_dump *d = known_dump("cpu_delta", "cc1");
	d->triggers[0].trigger.pid = 0;
	d->triggers[0].trigger.exited_count = 37;
	char *text;
	cJSON *root = request_of(d, "x", &text);
	cJSON *a = member(only(only(only(root, "resourceLogs"), "scopeLogs"), "logRecords"),
			  "attributes");
	CU_ASSERT_PTR_NULL(attr(a, "process.pid"));
	CU_ASSERT_STRING_EQUAL(string_attr(a, "process.executable.name"), "cc1");
	CU_ASSERT_STRING_EQUAL(int_attr(a, "spiketrace.exited_count"), "37");
	cJSON_Delete(root);
	free(text);
	st_dump_free(d);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "a known dump, field by field", test_known_dump },
		{ "a hostile process name stays JSON and UTF-8", test_hostile_comm },
		{ "nanoseconds as decimal strings", test_nanosecond_strings },
		{ "a manual dump; NaN left out", test_manual_and_nan },
		{ "an exited group", test_exited_group },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("otlp_request", tests);
}
