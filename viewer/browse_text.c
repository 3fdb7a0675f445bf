/*
 * The browser's view of a dump is the text output itself, cut into the
 * parts it shows: one renderer, so the escaping of names and the layout
 * are the same as `spiketrace-view FILE` (and `--sample N`).
 */
#define _GNU_SOURCE
#include "browse_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_text.h"

static const unsigned table_section[] = {
	[BROWSE_CPU] = ST_RENDER_CPU,
	[BROWSE_RSS] = ST_RENDER_RSS,
	[BROWSE_EXITED] = ST_RENDER_EXITED,
};

int browse_has_exited(const struct st_dump *dump)
{
	for (uint32_t i = 0; dump->samples && i < dump->nsamples; i++)
		if ((dump->samples[i].exited && dump->samples[i].nexited) ||
		    dump->samples[i].exits_lost)
			return 1;
	return 0;
}

static size_t count_lines(const char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\n';
	return n;
}

int browse_text_render(struct browse_text *t, const struct st_dump *dump, const char *name,
		       uint32_t sample, enum browse_table table, int ascii)
{
	struct st_render_opts opts = {
		.name = name,
		.sample_index = (int)sample,
		.ascii = ascii,
		.sections = ST_RENDER_HEADER | ST_RENDER_TRIGGERS,
	};
	size_t len = 0, before;
	FILE *f;

	memset(t, 0, sizeof(*t));
	f = open_memstream(&t->buf, &len);
	if (!f)
		return -1;
	st_render_dump(f, dump, &opts);
	fflush(f);
	t->table_at = count_lines(t->buf, len);
	/* The blank line before the table's heading stays above the top. */
	if (t->table_at)
		t->table_at++;
	before = len;
	/* No samples: the renderer says so once, in place of both parts. */
	opts.sections = dump->nsamples && dump->samples ? table_section[table] : 0;
	if (opts.sections) {
		st_render_dump(f, dump, &opts);
		fflush(f);
		if (len == before)
			fprintf(f, "\n   (sample %" PRIu32 " has no %s to show)\n", sample,
				table == BROWSE_EXITED ? "exited processes" : "processes");
	}
	opts.sections = ST_RENDER_TIMELINE;
	st_render_dump(f, dump, &opts);
	if (fclose(f) != 0 || !t->buf) {
		free(t->buf);
		t->buf = NULL;
		return -1;
	}
	t->n = count_lines(t->buf, len) + (len && t->buf[len - 1] != '\n');
	t->line = calloc(t->n ? t->n : 1, sizeof(*t->line));
	if (!t->line) {
		browse_text_free(t);
		return -1;
	}
	char *p = t->buf;
	for (size_t i = 0; i < t->n; i++) {
		char *nl = strchr(p, '\n');
		t->line[i] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return 0;
}

void browse_text_free(struct browse_text *t)
{
	free(t->buf);
	free(t->line);
	memset(t, 0, sizeof(*t));
}
