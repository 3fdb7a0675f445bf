/* The ExportLogsServiceRequest of one dump (otlp_request.h), all through
 * cJSON. Names from the dump are arbitrary bytes; a protobuf string is
 * UTF-8, so each is made valid UTF-8 (as the dump's own JSON makes them)
 * before cJSON escapes it. */
#include "otlp_request.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "text/utf8.h"

#define SCOPE_NAME "spiketrace"

/* Room for any of the model's strings grown by U+FFFD replacements. */
#define UTF8_ROOM(field) (3 * sizeof(field) + 1)

/* The model's fixed-size char arrays need not end in a NUL: at most their
 * size, made valid UTF-8 into out (outlen bytes). */
static const char *utf8_field(const char *field, size_t size, char *out, size_t outlen)
{
	return st_utf8_sanitize_n(field, size, out, outlen);
}

/*
 * The tree is built with NULL passed on: a cJSON_Add* on a NULL parent
 * adds nothing and returns NULL, so one allocation failure anywhere makes
 * *failed true and the request is not printed.
 */
struct tree {
	int failed;
};

static cJSON *checked(struct tree *t, cJSON *item)
{
	if (!item)
		t->failed = 1;
	return item;
}

/* A new object as the next element of arr. */
static cJSON *object_in(struct tree *t, cJSON *arr)
{
	cJSON *o = cJSON_CreateObject();
	if (!arr || !o || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		t->failed = 1;
		return NULL;
	}
	return o;
}

/* A 64-bit integer as the JSON mapping writes it: a decimal string. */
static void put_int64(struct tree *t, cJSON *obj, const char *key, int64_t v)
{
	char num[24];
	snprintf(num, sizeof(num), "%" PRId64, v);
	checked(t, cJSON_AddStringToObject(obj, key, num));
}

/* {"key": key, "value": {...}} appended to attrs: its AnyValue object. */
static cJSON *attr(struct tree *t, cJSON *attrs, const char *key)
{
	cJSON *kv = object_in(t, attrs);
	checked(t, cJSON_AddStringToObject(kv, "key", key));
	return checked(t, cJSON_AddObjectToObject(kv, "value"));
}

static void put_string(struct tree *t, cJSON *attrs, const char *key, const char *s)
{
	checked(t, cJSON_AddStringToObject(attr(t, attrs, key), "stringValue", s));
}

static void put_int(struct tree *t, cJSON *attrs, const char *key, int64_t v)
{
	put_int64(t, attr(t, attrs, key), "intValue", v);
}

/* A double that is not a number has no JSON number: left out. */
static void put_double(struct tree *t, cJSON *attrs, const char *key, double v)
{
	if (isfinite(v))
		checked(t, cJSON_AddNumberToObject(attr(t, attrs, key), "doubleValue", v));
}

static void resource_attributes(struct tree *t, cJSON *attrs, const struct st_dump *dump,
				const char *version)
{
	char host[UTF8_ROOM(dump->host.hostname)], boot[UTF8_ROOM(dump->host.boot_id)];
	utf8_field(dump->host.hostname, sizeof(dump->host.hostname), host, sizeof(host));
	utf8_field(dump->host.boot_id, sizeof(dump->host.boot_id), boot, sizeof(boot));
	if (host[0])
		put_string(t, attrs, "host.name", host);
	if (boot[0])
		put_string(t, attrs, "host.id", boot);
	put_string(t, attrs, "service.name", SCOPE_NAME);
	put_string(t, attrs, "service.version", version);
}

/* The first trigger (the one that opened the incident) and the dump's
 * own names. */
static void record_attributes(struct tree *tr, cJSON *attrs, const struct st_dump *dump)
{
	if (dump->ntriggers && dump->triggers) {
		const struct st_trigger *t = &st_dump_trigger_at(dump, 0)->trigger;
		char type[UTF8_ROOM(t->type)], comm[UTF8_ROOM(t->comm)];
		char units[UTF8_ROOM(t->units)], summary[UTF8_ROOM(t->summary)];
		uint32_t exited = ST_HAS(struct st_dump_trigger, dump->trigger_size,
					 trigger.exited_count) ? t->exited_count : 0;
		utf8_field(t->type, sizeof(t->type), type, sizeof(type));
		utf8_field(t->comm, sizeof(t->comm), comm, sizeof(comm));
		utf8_field(t->units, sizeof(t->units), units, sizeof(units));
		utf8_field(t->summary, sizeof(t->summary), summary, sizeof(summary));
		put_string(tr, attrs, "spiketrace.type", type);
		if (t->pid > 0)
			put_int(tr, attrs, "process.pid", t->pid);
		if (comm[0] && (t->pid > 0 || exited))
			put_string(tr, attrs, "process.executable.name", comm);
		if (exited)
			put_int(tr, attrs, "spiketrace.exited_count", exited);
		/* A trigger without units (a dump asked for) has no figures. */
		if (units[0]) {
			put_double(tr, attrs, "spiketrace.value", t->value);
			put_string(tr, attrs, "spiketrace.unit", units);
			put_double(tr, attrs, "spiketrace.threshold", t->threshold);
		}
		if (summary[0])
			put_string(tr, attrs, "spiketrace.summary", summary);
	}
	put_int(tr, attrs, "spiketrace.triggers", dump->ntriggers);
	char stored[UTF8_ROOM(dump->stored_as)], id[UTF8_ROOM(dump->id)];
	utf8_field(dump->stored_as, sizeof(dump->stored_as), stored, sizeof(stored));
	utf8_field(dump->id, sizeof(dump->id), id, sizeof(id));
	if (stored[0])
		put_string(tr, attrs, "spiketrace.dump", stored);
	if (id[0])
		put_string(tr, attrs, "spiketrace.incident", id);
}

static int is_manual(const struct st_dump *dump)
{
	return dump->ntriggers && dump->triggers &&
	       strncmp(st_dump_trigger_at(dump, 0)->trigger.type, "manual",
		       ST_TRIGGER_TYPE_MAX) == 0;
}

static void log_record(struct tree *t, cJSON *rec, const struct st_dump *dump,
		       const char *body)
{
	int manual = is_manual(dump);
	/* fixed64: when the incident's first trigger fired, which is also
	 * when the daemon observed it (it samples, it does not relay). */
	int64_t when = dump->wall_ns > 0 ? dump->wall_ns : 0;
	put_int64(t, rec, "timeUnixNano", when);
	put_int64(t, rec, "observedTimeUnixNano", when);
	checked(t, cJSON_AddNumberToObject(rec, "severityNumber",
					   manual ? OTLP_SEVERITY_INFO : OTLP_SEVERITY_WARN));
	checked(t, cJSON_AddStringToObject(rec, "severityText", manual ? "INFO" : "WARN"));
	checked(t, cJSON_AddStringToObject(checked(t, cJSON_AddObjectToObject(rec, "body")),
					   "stringValue", body));
	record_attributes(t, checked(t, cJSON_AddArrayToObject(rec, "attributes")), dump);
}

char *otlp_logs_request(const struct st_dump *dump, const char *body,
			const char *service_version)
{
	struct tree t = { 0 };
	cJSON *request = checked(&t, cJSON_CreateObject());
	cJSON *rl = object_in(&t, checked(&t, cJSON_AddArrayToObject(request, "resourceLogs")));
	cJSON *resource = checked(&t, cJSON_AddObjectToObject(rl, "resource"));
	resource_attributes(&t, checked(&t, cJSON_AddArrayToObject(resource, "attributes")),
			    dump, service_version);
	cJSON *sl = object_in(&t, checked(&t, cJSON_AddArrayToObject(rl, "scopeLogs")));
	cJSON *scope = checked(&t, cJSON_AddObjectToObject(sl, "scope"));
	checked(&t, cJSON_AddStringToObject(scope, "name", SCOPE_NAME));
	checked(&t, cJSON_AddStringToObject(scope, "version", service_version));
	log_record(&t, object_in(&t, checked(&t, cJSON_AddArrayToObject(sl, "logRecords"))),
		   dump, body);
	char *text = t.failed ? NULL : cJSON_PrintUnformatted(request);
	cJSON_Delete(request);
	return text;
}
