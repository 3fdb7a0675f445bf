/*
 * The browser's drawing: every line goes on the screen through
 * browse_put_line(), already escaped, cut at a whole character.
 */
#define _GNU_SOURCE
#include "browse_screen.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "render/render_text.h"

const char *browse_esc(const struct browser *b, const char *raw, char *out, size_t len)
{
	st_escape_into(raw, out, len, b->ascii, SIZE_MAX, NULL);
	return out;
}

/* An escaped line at row y, cut at width columns, the rest of the row
 * cleared (in attr too, so a bar spans the screen). */
void browse_put_line(int y, const char *s, attr_t attr)
{
	int width = COLS, cols = 0;

	move(y, 0);
	attron(attr);
#ifdef ST_NCURSES_WIDE
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	for (size_t left = strlen(s); left > 0;) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, left, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
			break;          /* escaped text is valid; stop if not */
		int w = wcwidth(wc);
		if (w < 0 || cols + w > width)
			break;
		addnwstr(&wc, 1);
		cols += w;
		s += n;
		left -= n;
	}
#else
	for (; *s && cols < width; s++, cols++)
		addch((unsigned char)*s);
#endif
	for (; cols < width; cols++)
		addch(' ');
	attroff(attr);
}

attr_t browse_heading_attr(const struct browser *b)
{
	return A_BOLD | (b->color ? COLOR_PAIR(HEADING_PAIR) : 0);
}

void browse_set_status(struct browser *b, const char *what, const char *reason)
{
	char w[512], r[256];

	snprintf(b->status, sizeof(b->status), "%s: %s", browse_esc(b, what, w, sizeof(w)),
		 browse_esc(b, reason, r, sizeof(r)));
}

void browse_draw_status(const struct browser *b, const char *help)
{
	if (*b->status)
		browse_put_line(LINES - 1, b->status, b->color ? COLOR_PAIR(ERROR_PAIR) | A_BOLD : A_BOLD);
	else
		browse_put_line(LINES - 1, help, A_REVERSE);
}

int browse_too_small(void)
{
	if (LINES >= 5 && COLS >= 20)
		return 0;
	erase();
	mvaddstr(0, 0, "too small");
	refresh();
	return 1;
}
