/* spiketrace-view --browse: the dumps of a directory in an interactive
 * terminal browser (ncurses). Left out of a build without ncurses. */
#ifndef ST_VIEW_BROWSE_H
#define ST_VIEW_BROWSE_H

#include "dump_list.h"

/* Runs the browser on dir until the user quits. Returns the exit status:
 * 0, 1 when dir cannot be read or the terminal cannot be used, 2 when
 * standard input or output is not a terminal (after a one-line report). */
int view_browse(const char *dir, const struct view_style *style);

#endif
