#define _GNU_SOURCE
#include "report_html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "dump_json.h"
#include "dump_list.h"
#include "output_file.h"
#include "render_html.h"

int view_write_html(const char *out_path, char *const *files, int n)
{
	struct st_dump **dumps = calloc((size_t)n, sizeof(*dumps));
	const char **names = calloc((size_t)n, sizeof(*names));
	char err[256], *page = NULL;
	size_t len = 0;
	int rc = -1, read = 0;
	if (!dumps || !names) {
		view_report(out_path, "out of memory");
		goto out;
	}
	/* Every file first: one that cannot be read means no page at all. */
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
	FILE *f = open_memstream(&page, &len);
	if (!f) {
		view_report(out_path, "out of memory");
		goto out;
	}
	int bad = st_render_html(f, (const struct st_dump *const *)dumps, names, (size_t)n);
	if (fclose(f) != 0 || bad) {
		view_report(out_path, "out of memory");
		goto out;
	}
	if (view_write_atomic(out_path, page, len, err, sizeof(err)) < 0) {
		view_report(out_path, err);
		goto out;
	}
	rc = 0;
out:
	for (int i = 0; dumps && i < read; i++)
		st_dump_free(dumps[i]);
	free(dumps);
	free(names);
	free(page);
	return rc;
}
