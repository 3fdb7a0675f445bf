/* What the browser's screens share: its state and how a line is put on
 * the screen (ncurses). Only for viewer/browse*.c. */
#ifndef ST_VIEW_BROWSE_SCREEN_H
#define ST_VIEW_BROWSE_SCREEN_H

#define NCURSES_WIDECHAR 1
#include <curses.h>

#include "dump_list.h"

#define KEY_ESCAPE 27
#define KEY_CTRL_H 8
#define KEY_DEL 127
#define FILTER_MAX 128
#define HEADING_PAIR 1
#define ERROR_PAIR 2

struct browser {
	const char *dir;
	struct view_listing l;
	size_t *shown;                  /* indices into l matching the filter */
	size_t nshown, sel, top;
	char filter[FILTER_MAX];
	char status[2048];              /* the bottom line, escaped */
	int ascii, color;
};

/* raw escaped as the text output escapes it (ASCII or UTF-8). */
const char *browse_esc(const struct browser *b, const char *raw, char *out, size_t len);

/* An escaped line at row y, cut at the screen's width, the rest of the
 * row cleared in attr too (so a bar spans the screen). */
void browse_put_line(int y, const char *s, attr_t attr);

/* How "=== ... ===" headings are drawn. */
attr_t browse_heading_attr(const struct browser *b);

/* "WHAT: REASON", escaped, for the bottom line until the next key. */
void browse_set_status(struct browser *b, const char *what, const char *reason);

/* The bottom line: the status when there is one, else help. */
void browse_draw_status(const struct browser *b, const char *help);

/* Nonzero (and says so) when the terminal is too small to draw in. */
int browse_too_small(void);

/* One dump's screen until the user goes back; e must be readable. */
void browse_show_dump(struct browser *b, const struct view_listed *e);

#endif
