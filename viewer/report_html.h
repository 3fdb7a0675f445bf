/* spiketrace-view --html: the dumps given as one self-contained page. */
#ifndef ST_VIEW_REPORT_HTML_H
#define ST_VIEW_REPORT_HTML_H

/* The n dump files into the HTML page out_path, written whole or not at
 * all: a file that cannot be read is said (view_report) and no page is
 * written. Returns 0 or -1. */
int view_write_html(const char *out_path, char *const *files, int n);

#endif
