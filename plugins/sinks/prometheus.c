/*
 * prometheus: the incidents as metrics in node_exporter's textfile
 * collector directory, DIR/spiketrace.prom, so that a fleet's Prometheus
 * already scraping node_exporter sees them:
 *
 *   spiketrace_incidents_total{type}
 *   spiketrace_incidents_by_process_total{type,comm}   top_comms names, the
 *                                                      rest as comm="other"
 *   spiketrace_last_incident_timestamp_seconds{type}
 *   spiketrace_samples_total          the newest dump's last sample number
 *   spiketrace_daemon_cpu_seconds_total   the daemon's own CPU, all threads
 *   spiketrace_dumps_dropped_total    dumps the core dropped before any sink
 *   spiketrace_build_info{version}
 *
 * The file is replaced whole (a temporary file beside it, renamed over
 * it), after each dump unless the last write is under min_interval seconds
 * old; a write skipped so is made by the next dump or at exit. Label values
 * are escaped to printable ASCII (as the syslog line) and then as the
 * exposition format wants (\\, \", \n), so a process name cannot break the
 * file. A directory that cannot be written is said once, and its return.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <spiketrace/plugin.h>

#include "text/term_text.h"
#include "write_all.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#define FILE_NAME "spiketrace.prom"
#define TYPES_MAX 32            /* distinct trigger types kept */
#define PAIRS_MAX 512           /* distinct (type, comm) kept; beyond: other */
/* A name as a label value: a byte's \xNN is "\\xNN" under the format's
 * quoting, five bytes at most. */
#define NAME_MAX_BYTES (5 * ST_COMM_MAX + 1)

struct by_type {
	char type[ST_TRIGGER_TYPE_MAX + 1];
	uint64_t count;
	uint64_t other;             /* of count, the comms beyond the table */
	double last_s;              /* wall clock of the last, seconds */
};

struct by_pair {
	uint32_t type;              /* into types */
	char comm[NAME_MAX_BYTES];  /* escaped */
	uint64_t count;
};

struct prom_sink {
	const struct st_host *host;
	char *dir;
	unsigned top;
	double min_interval_s;
	struct by_type types[TYPES_MAX];
	uint32_t ntypes;
	struct by_pair pairs[PAIRS_MAX];
	uint32_t npairs;
	uint64_t samples;
	int64_t written_ns;         /* CLOCK_MONOTONIC of the last write; 0: none */
	int pending;                /* a write was skipped for min_interval */
	int failing;
};

enum { OPT_DIR, OPT_TOP, OPT_MIN_INTERVAL };

static const struct st_option options[] = {
	[OPT_DIR] = ST_OPTION_STRING("dir", "/var/lib/prometheus/node-exporter",
		"node_exporter's --collector.textfile.directory"),
	[OPT_TOP] = ST_OPTION_INT("top_comms", 10, 1, 100,
		"processes named per type in spiketrace_incidents_by_process_total; "
		"the rest are comm=\"other\""),
	[OPT_MIN_INTERVAL] = ST_OPTION_FLOAT("min_interval", 10, 0, 3600,
		"seconds at least between two writes of the file"),
	ST_OPTION_END,
};

/* raw as an exposition label value: printable ASCII, then \\ and \". */
static void label_value(const char *raw, char *out, size_t outlen)
{
	st_escape_quoted(raw, out, outlen, "\\\"", NULL);
}

static uint32_t type_index(struct prom_sink *s, const char *type)
{
	for (uint32_t i = 0; i < s->ntypes; i++)
		if (strcmp(s->types[i].type, type) == 0)
			return i;
	/* The last slot, "other", takes the types beyond the table. */
	if (s->ntypes == TYPES_MAX - 1)
		type = "other";
	if (s->ntypes == TYPES_MAX)
		return TYPES_MAX - 1;
	snprintf(s->types[s->ntypes].type, sizeof(s->types[0].type), "%s", type);
	return s->ntypes++;
}

static void count(struct prom_sink *s, const struct st_trigger *t, int64_t wall_ns)
{
	char type[ST_TRIGGER_TYPE_MAX + 1], comm[ST_COMM_MAX + 1], esc[NAME_MAX_BYTES];
	snprintf(type, sizeof(type), "%.*s", ST_TRIGGER_TYPE_MAX, t->type);
	snprintf(comm, sizeof(comm), "%.*s", ST_COMM_MAX, t->pid > 0 || t->exited_count ?
		 t->comm : "");
	label_value(comm[0] ? comm : "(system-wide)", esc, sizeof(esc));
	uint32_t ti = type_index(s, type);
	struct by_type *bt = &s->types[ti];
	bt->count++;
	if ((double)wall_ns / 1e9 > bt->last_s)
		bt->last_s = (double)wall_ns / 1e9;
	for (uint32_t i = 0; i < s->npairs; i++)
		if (s->pairs[i].type == ti && strcmp(s->pairs[i].comm, esc) == 0) {
			s->pairs[i].count++;
			return;
		}
	if (s->npairs == PAIRS_MAX) {
		bt->other++;
		return;
	}
	s->pairs[s->npairs].type = ti;
	snprintf(s->pairs[s->npairs].comm, sizeof(s->pairs[0].comm), "%s", esc);
	s->pairs[s->npairs++].count = 1;
}

static int most_first(const void *a, const void *b)
{
	const struct by_pair *x = *(const struct by_pair *const *)a;
	const struct by_pair *y = *(const struct by_pair *const *)b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->comm, y->comm);
}

/* The exposition text into a malloc'd buffer (*len bytes), or NULL. */
static char *exposition(const struct prom_sink *s, size_t *len)
{
	char *text = NULL, esc[NAME_MAX_BYTES];
	FILE *f = open_memstream(&text, len);
	if (!f)
		return NULL;
	fputs("# HELP spiketrace_incidents_total Incidents recorded, by the type of their "
	      "first trigger.\n# TYPE spiketrace_incidents_total counter\n", f);
	for (uint32_t i = 0; i < s->ntypes; i++) {
		label_value(s->types[i].type, esc, sizeof(esc));
		fprintf(f, "spiketrace_incidents_total{type=\"%s\"} %llu\n", esc,
			(unsigned long long)s->types[i].count);
	}
	fputs("# HELP spiketrace_incidents_by_process_total Incidents by type and the "
	      "name of the process blamed (the most frequent names; the rest as "
	      "\"other\").\n# TYPE spiketrace_incidents_by_process_total counter\n", f);
	const struct by_pair *order[PAIRS_MAX];
	for (uint32_t ti = 0; ti < s->ntypes; ti++) {
		uint32_t n = 0;
		uint64_t other = s->types[ti].other;
		for (uint32_t i = 0; i < s->npairs; i++)
			if (s->pairs[i].type == ti)
				order[n++] = &s->pairs[i];
		qsort(order, n, sizeof(order[0]), most_first);
		label_value(s->types[ti].type, esc, sizeof(esc));
		for (uint32_t k = 0; k < n; k++) {
			if (k >= s->top) {
				other += order[k]->count;
				continue;
			}
			fprintf(f, "spiketrace_incidents_by_process_total{type=\"%s\",comm=\"%s\"} "
				"%llu\n", esc, order[k]->comm, (unsigned long long)order[k]->count);
		}
		if (other)
			fprintf(f, "spiketrace_incidents_by_process_total{type=\"%s\",comm=\"other\"} "
				"%llu\n", esc, (unsigned long long)other);
	}
	fputs("# HELP spiketrace_last_incident_timestamp_seconds When the last incident "
	      "of a type began, seconds since the epoch.\n"
	      "# TYPE spiketrace_last_incident_timestamp_seconds gauge\n", f);
	for (uint32_t i = 0; i < s->ntypes; i++) {
		label_value(s->types[i].type, esc, sizeof(esc));
		fprintf(f, "spiketrace_last_incident_timestamp_seconds{type=\"%s\"} %.3f\n", esc,
			s->types[i].last_s);
	}
	struct timespec cpu;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	fprintf(f, "# HELP spiketrace_samples_total Samples the daemon has taken, as of "
		"its newest dump.\n# TYPE spiketrace_samples_total counter\n"
		"spiketrace_samples_total %llu\n"
		"# HELP spiketrace_daemon_cpu_seconds_total CPU time the daemon has used, "
		"all its threads.\n# TYPE spiketrace_daemon_cpu_seconds_total counter\n"
		"spiketrace_daemon_cpu_seconds_total %.6f\n"
		"# HELP spiketrace_build_info The spiketrace that writes this file.\n"
		"# TYPE spiketrace_build_info gauge\n"
		"spiketrace_build_info{version=\"%s\"} 1\n",
		(unsigned long long)s->samples, (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9,
		PACKAGE_VERSION);
	/* A core before ABI 2.4 does not count them: no figure, not a 0. */
	if (ST_HOST_HAS(s->host, dumps_dropped))
		fprintf(f, "# HELP spiketrace_dumps_dropped_total Dumps the daemon dropped "
			"before any sink got them (its sink queue was full).\n"
			"# TYPE spiketrace_dumps_dropped_total counter\n"
			"spiketrace_dumps_dropped_total %llu\n",
			(unsigned long long)s->host->dumps_dropped(s->host));
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The file replaced whole. Returns 0, or -1 after saying why (once). */
static int write_file(struct prom_sink *s)
{
	char tmp[4096], path[4096];
	size_t len = 0;
	int saved = 0;
	const char *what = NULL;
	char *text = exposition(s, &len);
	snprintf(path, sizeof(path), "%s/" FILE_NAME, s->dir);
	snprintf(tmp, sizeof(tmp), "%s/." FILE_NAME ".tmp", s->dir);
	if (!text) {
		what = "out of memory";
	} else {
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || sink_write_all(fd, text, len) < 0 || fsync(fd) < 0) {
			saved = errno;
			what = "write";
		}
		if (fd >= 0 && close(fd) < 0 && !what) {
			saved = errno;
			what = "close";
		}
		if (!what && rename(tmp, path) < 0) {
			saved = errno;
			what = "rename";
		}
		if (what)
			unlink(tmp);
	}
	free(text);
	if (what) {
		if (!s->failing)
			s->host->log(s->host, ST_LOG_WARNING, "%s: %s%s%s (said once until it "
				     "works again)", path, what, saved ? ": " : "",
				     saved ? strerror(saved) : "");
		s->failing = 1;
		return -1;
	}
	if (s->failing)
		s->host->log(s->host, ST_LOG_NOTICE, "%s: written again", path);
	s->failing = 0;
	s->pending = 0;
	s->written_ns = s->host->mono_ns();
	return 0;
}

static int prom_create(const struct st_host *host, const union st_value *opts, void **state)
{
	struct prom_sink *s = calloc(1, sizeof(*s));
	if (!s || !(s->dir = strdup(opts[OPT_DIR].s ? opts[OPT_DIR].s : ""))) {
		host->log(host, ST_LOG_ERR, "out of memory");
		free(s);
		return -1;
	}
	s->host = host;
	s->top = (unsigned)opts[OPT_TOP].i;
	s->min_interval_s = opts[OPT_MIN_INTERVAL].f;
	*state = s;
	return 0;
}

static void prom_destroy(void *state)
{
	struct prom_sink *s = state;
	if (!s)
		return;
	if (s->pending)
		write_file(s);
	free(s->dir);
	free(s);
}

static int prom_emit(void *state, const struct st_dump *dump, const char *json,
		     size_t json_len)
{
	struct prom_sink *s = state;
	(void)json;
	(void)json_len;
	if (dump->ntriggers && dump->triggers)
		count(s, &st_dump_trigger_at(dump, 0)->trigger, dump->wall_ns);
	if (dump->nsamples && st_dump_at(dump, dump->nsamples - 1)->seq > s->samples)
		s->samples = st_dump_at(dump, dump->nsamples - 1)->seq;
	if (s->written_ns && !s->failing &&
	    s->host->mono_ns() - s->written_ns < (int64_t)(s->min_interval_s * 1e9)) {
		s->pending = 1;
		return 0;
	}
	return write_file(s);
}

static const struct st_plugin prom_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_SINK,
	.name = "prometheus",
	.version = "1.0",
	.description = "the incidents as metrics in node_exporter's textfile directory",
	.options = options,
	.create = prom_create,
	.destroy = prom_destroy,
	.emit = prom_emit,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &prom_plugin;
}
