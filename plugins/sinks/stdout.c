/*
 * stdout: each dump on standard output, for `spiketrace --foreground`
 * under a terminal, a pipe or a service manager's journal.
 *
 *   format = "text"   the viewer's rendering (render_text.c): what a person
 *                     reads, with every process name escaped for a terminal
 *   format = "json"   JSON lines: one compact document per line, for jq or a
 *                     log shipper
 *
 * A dump is rendered into memory first and then written with write(2): a
 * stdio stream keeps its error flag and part of a failed buffer, so a
 * reader that goes away and comes back would get half a dump. The daemon
 * ignores SIGPIPE, so a closed pipe is an EPIPE here, logged once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <spiketrace/plugin.h>

#include "dump/dump_json.h"
#include "render/render_text.h"
#include "write_all.h"

enum format { FORMAT_TEXT, FORMAT_JSON };

struct stdout_sink {
	const struct st_host *host;
	enum format format;
	int last_errno;         /* to log a failing condition once, not per dump */
};

enum { OPT_FORMAT };

static const char *const formats[] = { "text", "json", NULL };

static const struct st_option options[] = {
	[OPT_FORMAT] = ST_OPTION_CHOICE("format", "text", formats,
		"\"text\" (as spiketrace-view shows it) or \"json\" (one line per dump)"),
	ST_OPTION_END,
};

static int stdout_create(const struct st_host *host, const union st_value *opts,
			 void **state)
{
	const char *format = opts[OPT_FORMAT].s ? opts[OPT_FORMAT].s : "";
	enum format f;

	if (strcmp(format, "text") == 0) {
		f = FORMAT_TEXT;
	} else if (strcmp(format, "json") == 0) {
		f = FORMAT_JSON;
	} else {
		/* Named raw (at most 63 bytes): the log escapes the line. */
		host->log(host, ST_LOG_ERR, "format \"%.63s\" is not one of \"text\", \"json\"",
			  format);
		return -1;
	}
	struct stdout_sink *s = calloc(1, sizeof(*s));
	if (!s) {
		host->log(host, ST_LOG_ERR, "out of memory");
		return -1;
	}
	s->host = host;
	s->format = f;
	*state = s;
	return 0;
}

static void stdout_destroy(void *state)
{
	free(state);
}

/* The text rendering, with a blank line after it to part it from the next. */
static char *render_text(const struct st_dump *dump, size_t *len)
{
	char *buf = NULL;
	FILE *mem = open_memstream(&buf, len);
	if (!mem)
		return NULL;
	const struct st_render_opts opts = {
		.name = dump->stored_as[0] ? dump->stored_as : NULL,
		.sample_index = -1,
	};
	st_render_dump(mem, dump, &opts);
	fputc('\n', mem);
	if (fclose(mem) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* One compact line: cJSON escapes every control byte inside strings, so
 * the only newline is the one that ends it. */
static char *render_json(const struct st_dump *dump, size_t *len)
{
	char *json = st_dump_to_json(dump, 0);
	if (!json)
		return NULL;
	size_t n = strlen(json);
	char *line = realloc(json, n + 2);
	if (!line) {
		free(json);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	*len = n + 1;
	return line;
}

static void report(struct stdout_sink *s, int err)
{
	/* Once per condition: a reader that went away must not fill the log. */
	if (err != s->last_errno)
		s->host->log(s->host, ST_LOG_ERR, "standard output: cannot write: %s",
			     strerror(err));
	s->last_errno = err;
}

static int stdout_emit(void *state, const struct st_dump *dump,
		       const char *json, size_t json_len)
{
	struct stdout_sink *s = state;
	size_t len = 0;
	(void)json;
	(void)json_len;

	char *out = s->format == FORMAT_JSON ? render_json(dump, &len)
					     : render_text(dump, &len);
	if (!out) {
		s->host->log(s->host, ST_LOG_ERR, "dump %s: out of memory rendering it",
			     dump->id);
		return -1;
	}
	int rc = sink_write_all(STDOUT_FILENO, out, len);
	int err = errno;
	free(out);
	if (rc < 0) {
		report(s, err);
		return -1;
	}
	if (s->last_errno)
		s->host->log(s->host, ST_LOG_NOTICE, "standard output: writing dumps again");
	s->last_errno = 0;
	return 0;
}

static const struct st_plugin stdout_plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_SINK,
	.name = "stdout",
	.version = "1.0",
	.description = "print each dump on standard output, as text or as JSON lines",
	.options = options,
	.create = stdout_create,
	.destroy = stdout_destroy,
	.emit = stdout_emit,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &stdout_plugin;
}
