#define _GNU_SOURCE
#include "write_dumps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump/dump.h"
#include "dump/dump_json.h"
#include "dump_list.h"
#include "output_file.h"
#include "render/render_html.h"
#include "render/render_perfetto.h"

int view_write_dumps(const char *out_path, char *const *files, int n, view_render_fn render)
{
	struct st_dump **dumps = calloc((size_t)n, sizeof(*dumps));
	const char **names = calloc((size_t)n, sizeof(*names));
	char err[256], *doc = NULL;
	size_t len = 0;
	int status = 1, read = 0;
	if (!dumps || !names) {
		view_report(out_path, "out of memory");
		goto out;
	}
	for (; read < n; read++) {
		err[0] = '\0';
		dumps[read] = st_dump_read_file(files[read], err, sizeof(err));
		if (!dumps[read]) {
			view_report(files[read], *err ? err : "cannot read the dump");
			goto out;
		}
		const char *slash = strrchr(files[read], '/');
		names[read] = slash && slash[1] ? slash + 1 : files[read];
	}
	doc = render((const struct st_dump *const *)dumps, names, (size_t)n, &len);
	if (!doc)
		view_report(out_path, "out of memory");
	else if (view_write_atomic(out_path, doc, len, err, sizeof(err)) < 0)
		view_report(out_path, err);
	else
		status = 0;
out:
	for (int i = 0; dumps && i < read; i++)
		st_dump_free(dumps[i]);
	free(dumps);
	free(names);
	free(doc);
	return status;
}

char *view_html_page(const struct st_dump *const *dumps, const char *const *names, size_t n,
		     size_t *len)
{
	char *page = NULL;
	FILE *f = open_memstream(&page, len);
	if (!f)
		return NULL;
	int bad = st_render_html(f, dumps, names, n);
	if (fclose(f) != 0 || bad) {
		free(page);
		return NULL;
	}
	return page;
}

char *view_perfetto_trace(const struct st_dump *const *dumps, const char *const *names,
			  size_t n, size_t *len)
{
	(void)names;            /* a trace names processes, not files */
	char *json = st_render_perfetto(dumps, n);
	if (json)
		*len = strlen(json);
	return json;
}
