/* spiketrace-view --list: the dumps of a directory, newest first, and
 * which processes trigger most. */
#ifndef ST_VIEW_DUMP_LIST_H
#define ST_VIEW_DUMP_LIST_H

#include <stdio.h>

struct view_style {
	int color;      /* SGR colours on */
	int ascii;      /* printable ASCII only (the terminal is not UTF-8) */
};

/* One line on stderr, "spiketrace-view: WHAT: REASON", both escaped;
 * stdout is flushed first so the line lands next to what it is about.
 * Defined in spiketrace_view.c. */
void view_report(const char *what, const char *reason);

/* The spike_*.json files of dir on out. A file that cannot be read is
 * reported and left out. Returns 0, or -1 when the directory or any dump
 * in it could not be read. */
int view_list_dumps(FILE *out, const char *dir, const struct view_style *style);

#endif
