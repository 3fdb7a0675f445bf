/*
 * A dump as one self-contained HTML page: inline CSS, SVG charts and a
 * little JavaScript, nothing fetched, so it opens from file:// anywhere.
 * Per dump a header card (triggers, culprit, why), charts over the window
 * with the trigger marked and the values on hover (SVG titles), and the
 * process tables of every sample, sortable, one sample shown at a time.
 *
 * Names, command lines and host names are attacker-controlled: each goes
 * through the terminal escaping of render_text.h (invalid UTF-8 and
 * characters that steer the reader become \xNN) and then HTML escaping,
 * into text or a quoted attribute; none reaches the script, which reads
 * the page's own elements only.
 */
#ifndef ST_RENDER_HTML_H
#define ST_RENDER_HTML_H

#include <stddef.h>
#include <stdio.h>
#include <spiketrace/model.h>

/* One page for n dumps, names[i] the file dumps[i] came from (shown in
 * its card; may be NULL). Returns 0, or -1 when out was short (a write
 * failed: ferror). */
int st_render_html(FILE *out, const struct st_dump *const *dumps, const char *const *names,
		   size_t n);

/* The page around what st_render_html puts in it, for other pages of the
 * same look (the viewer's index of a directory): the head with its style
 * and the title (raw), and the script and end. st_html_end returns 0, or
 * -1 when out was short. */
void st_html_begin(FILE *out, const char *title);
int st_html_end(FILE *out);

/* raw as HTML text or attribute value: escaped for a reader first (as
 * st_escape_terminal), then &, <, >, " and ' as entities. */
void st_html_put_text(FILE *out, const char *raw);

#endif
