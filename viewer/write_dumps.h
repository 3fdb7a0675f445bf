/* What --html and --perfetto write: the dumps given, as one file. */
#ifndef ST_VIEW_WRITE_DUMPS_H
#define ST_VIEW_WRITE_DUMPS_H

#include <stddef.h>
#include <spiketrace/model.h>

/* The n dumps (names[i]: the file dumps[i] came from) as one malloc'd
 * document of *len bytes, or NULL (out of memory). */
typedef char *(*view_render_fn)(const struct st_dump *const *dumps, const char *const *names,
				size_t n, size_t *len);

/* Every file read first: one that cannot be read is said (view_report)
 * and nothing is written. Then render's document into out_path, whole or
 * not at all (view_write_atomic). Returns 0, or 1 after saying why. */
int view_write_dumps(const char *out_path, char *const *files, int n, view_render_fn render);

/* The renderers, as view_write_dumps takes them. */
char *view_html_page(const struct st_dump *const *dumps, const char *const *names, size_t n,
		     size_t *len);
char *view_perfetto_trace(const struct st_dump *const *dumps, const char *const *names,
			  size_t n, size_t *len);

#endif
