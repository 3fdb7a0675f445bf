/*
 * spiketrace-view --browse: the dumps of a directory, newest first, and
 * one dump at a time with its tables sample by sample (browse_dump.c).
 * The list is the --list reading (dump_list.c); this file draws it and
 * reads its keys. Everything put on the screen has been escaped the way
 * the text output escapes it; nothing attacker-controlled reaches ncurses
 * raw.
 */
#define _GNU_SOURCE
#include "browse.h"
#include "browse_screen.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render/render_text.h"

/* The list's columns: the time to the second (the header says UTC). */
#define TIME_COLUMNS 19
#define TYPE_COLUMNS 12
#define PROC_COLUMNS 20
#define VALUE_COLUMNS 9

/* ------------------------------------------------------------ the list */

static int contains(const char *hay, size_t len, const char *needle)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1), hay);
	return strcasestr(buf, needle) != NULL;
}

/* The filter matches the file name, a trigger's type or its process. */
static int matches(const struct view_listed *e, const char *filter)
{
	if (!*filter || contains(e->name, strlen(e->name), filter))
		return 1;
	for (uint32_t i = 0; i < e->ntriggers; i++)
		if (contains(e->triggers[i].type, ST_TRIGGER_TYPE_MAX, filter) ||
		    contains(e->triggers[i].comm, ST_COMM_MAX, filter))
			return 1;
	return 0;
}

static void refilter(struct browser *b)
{
	b->nshown = 0;
	for (size_t i = 0; i < b->l.n; i++)
		if (matches(&b->l.v[i], b->filter))
			b->shown[b->nshown++] = i;
	if (b->sel >= b->nshown)
		b->sel = b->nshown ? b->nshown - 1 : 0;
}

/* One row of the list: time, type, culprit, value, file; or the file and
 * why it could not be read. */
static void list_row(const struct browser *b, int y, const struct view_listed *e, attr_t attr)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	int rest = COLS - TIME_COLUMNS - TYPE_COLUMNS - PROC_COLUMNS - VALUE_COLUMNS - 8;

	if (!f)
		return;
	if (e->error) {
		char name[4 * 256 + 1], why[1024];
		fprintf(f, "%s: %s", browse_esc(b, e->name, name, sizeof(name)),
			browse_esc(b, e->error, why, sizeof(why)));
		attr |= b->color ? COLOR_PAIR(ERROR_PAIR) : 0;
	} else {
		char when[64], type[ST_TRIGGER_TYPE_MAX + 16], proc[ST_COMM_MAX + 32], value[64];
		view_listed_fields(e, b->ascii, type, sizeof(type), proc, sizeof(proc), value,
				   sizeof(value));
		fprintf(f, "%-*.*s  ", TIME_COLUMNS, TIME_COLUMNS,
			st_format_wall_time(when, sizeof(when), e->wall_ns));
		st_render_cell(f, type, TYPE_COLUMNS, b->ascii);
		fputs("  ", f);
		st_render_cell(f, proc, PROC_COLUMNS, b->ascii);
		fprintf(f, "  %*s  ", VALUE_COLUMNS, value);
		if (rest > 0)
			st_render_cell(f, e->name, (size_t)rest, b->ascii);
	}
	if (fclose(f) == 0 && line)
		browse_put_line(y, line, attr);
	free(line);
}

static void draw_list(struct browser *b)
{
	int body = LINES - 3;
	char shown[1024], filter[4 * FILTER_MAX + 1], bar[2048];

	if (browse_too_small())
		return;
	erase();
	size_t bad = 0;
	for (size_t i = 0; i < b->l.n; i++)
		bad += b->l.v[i].error != NULL;
	browse_esc(b, b->dir, shown, sizeof(shown));
	int n = snprintf(bar, sizeof(bar), "%s: ", shown);
	if (*b->filter)
		n += snprintf(bar + n, sizeof(bar) - (size_t)n, "%zu of %zu match '%s'", b->nshown,
			      b->l.n, browse_esc(b, b->filter, filter, sizeof(filter)));
	else if (b->l.n - bad)
		n += snprintf(bar + n, sizeof(bar) - (size_t)n, "%zu dump%s, newest first",
			      b->l.n - bad, b->l.n - bad == 1 ? "" : "s");
	else
		n += snprintf(bar + n, sizeof(bar) - (size_t)n, "no dumps");
	if (bad && !*b->filter)
		snprintf(bar + n, sizeof(bar) - (size_t)n, ", %zu unreadable", bad);
	browse_put_line(0, bar, A_REVERSE);
	snprintf(bar, sizeof(bar), "%-*s  %-*s  %-*s  %*s  %s", TIME_COLUMNS, "time (UTC)",
		 TYPE_COLUMNS, "type", PROC_COLUMNS, "culprit", VALUE_COLUMNS, "value", "file");
	browse_put_line(1, bar, browse_heading_attr(b));
	/* The selection stays on the screen. */
	if (b->sel < b->top)
		b->top = b->sel;
	if (body > 0 && b->sel >= b->top + (size_t)body)
		b->top = b->sel - (size_t)body + 1;
	for (int r = 0; r < body && b->top + (size_t)r < b->nshown; r++) {
		size_t i = b->top + (size_t)r;
		list_row(b, 2 + r, &b->l.v[b->shown[i]], i == b->sel ? A_REVERSE : A_NORMAL);
	}
	browse_draw_status(b, "Enter open  / filter  d delete  q quit");
	refresh();
}

/* ------------------------------------------------------------ the keys */

/* Typed at the bottom line; the list follows each key. Esc puts the old
 * filter back. */
static void edit_filter(struct browser *b)
{
	char old[FILTER_MAX], line[4 * FILTER_MAX + 8], shown[4 * FILTER_MAX + 1];
	size_t n = strlen(b->filter);

	memcpy(old, b->filter, sizeof(old));
	curs_set(1);
	for (;;) {
		snprintf(line, sizeof(line), "/%s", browse_esc(b, b->filter, shown, sizeof(shown)));
		*b->status = '\0';
		draw_list(b);
		browse_put_line(LINES - 1, line, A_NORMAL);
		move(LINES - 1, (int)strlen(line) < COLS ? (int)strlen(line) : COLS - 1);
		refresh();
		int ch = getch();
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
			break;
		if (ch == KEY_ESCAPE) {
			memcpy(b->filter, old, sizeof(old));
			break;
		}
		if (ch == KEY_BACKSPACE || ch == KEY_DEL || ch == KEY_CTRL_H) {
			/* A whole UTF-8 character at a time. */
			while (n > 0 && ((unsigned char)b->filter[n - 1] & 0xc0) == 0x80)
				n--;
			n -= n > 0;
			b->filter[n] = '\0';
		} else if (ch >= 0x20 && ch <= 0xff && ch != KEY_DEL && n + 1 < sizeof(b->filter)) {
			b->filter[n++] = (char)ch;
			b->filter[n] = '\0';
		} else {
			continue;
		}
		b->sel = 0;
		refilter(b);
	}
	curs_set(0);
	refilter(b);
}

static void delete_selected(struct browser *b)
{
	size_t i = b->shown[b->sel];
	char name[4 * 256 + 1], line[1200], *path;
	int ch;

	snprintf(line, sizeof(line), "delete %s? (y/n)", browse_esc(b, b->l.v[i].name, name, sizeof(name)));
	browse_put_line(LINES - 1, line, A_BOLD);
	refresh();
	while ((ch = getch()) == KEY_RESIZE) {
		draw_list(b);
		browse_put_line(LINES - 1, line, A_BOLD);
		refresh();
	}
	if (ch != 'y' && ch != 'Y')
		return;
	if (asprintf(&path, "%s/%s", b->dir, b->l.v[i].name) < 0) {
		browse_set_status(b, b->l.v[i].name, "out of memory");
		return;
	}
	if (unlink(path) != 0) {
		browse_set_status(b, path, strerror(errno));
	} else {
		snprintf(b->status, sizeof(b->status), "deleted %s", name);
		view_listing_remove(&b->l, i);
		refilter(b);
	}
	free(path);
}

static void list_loop(struct browser *b)
{
	for (;;) {
		draw_list(b);
		int ch = getch();
		int page = LINES > 4 ? LINES - 4 : 1;
		if (ch != KEY_RESIZE)
			*b->status = '\0';
		switch (ch) {
		case 'q':
			return;
		case KEY_ESCAPE:
			*b->filter = '\0';
			refilter(b);
			break;
		case KEY_UP: case 'k':
			b->sel -= b->sel > 0;
			break;
		case KEY_DOWN: case 'j':
			b->sel += b->sel + 1 < b->nshown;
			break;
		case KEY_PPAGE:
			b->sel = b->sel > (size_t)page ? b->sel - (size_t)page : 0;
			break;
		case KEY_NPAGE:
			b->sel = b->nshown ? (b->sel + (size_t)page < b->nshown ?
					      b->sel + (size_t)page : b->nshown - 1) : 0;
			break;
		case KEY_HOME: case 'g':
			b->sel = 0;
			break;
		case KEY_END: case 'G':
			b->sel = b->nshown ? b->nshown - 1 : 0;
			break;
		case '\n': case '\r': case KEY_ENTER:
			if (b->nshown)
				browse_show_dump(b, &b->l.v[b->shown[b->sel]]);
			break;
		case '/':
			edit_filter(b);
			break;
		case 'd':
			if (b->nshown)
				delete_selected(b);
			break;
		default:
			break;
		}
	}
}

/* ------------------------------------------------------------ start */

static int start_curses(struct browser *b)
{
	const char *term = getenv("TERM");
	char why[128];

	if (!newterm(NULL, stdout, stdin)) {
		snprintf(why, sizeof(why), "cannot drive this terminal (TERM=%s)",
			 term && *term ? term : "unset");
		view_report("--browse", why);
		return -1;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	/* Esc alone cancels: do not wait long for the rest of a sequence. */
	set_escdelay(50);
	if (b->color && has_colors()) {
		start_color();
		use_default_colors();
		init_pair(HEADING_PAIR, COLOR_CYAN, -1);
		init_pair(ERROR_PAIR, COLOR_RED, -1);
	} else {
		b->color = 0;
	}
	return 0;
}

int view_browse(const char *dir, const struct view_style *style)
{
	struct browser b = { .dir = dir, .color = style->color };
	const char *set;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fflush(stdout);
		fputs("spiketrace-view: --browse: needs a terminal on standard input and output\n",
		      stderr);
		return 2;
	}
	/* Names are shown as UTF-8 only where ncurses will draw them so: the
	 * locale must exist and be UTF-8, and the library be the wide one.
	 * LC_CTYPE only: the figures keep their "." whatever LC_NUMERIC. */
	set = setlocale(LC_CTYPE, "");
	b.ascii = style->ascii || !set || strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
#ifndef ST_NCURSES_WIDE
	b.ascii = 1;
#endif
	if (view_listing_read(&b.l, dir) < 0)
		return 1;
	view_listing_sort(&b.l);
	b.shown = calloc(b.l.n ? b.l.n : 1, sizeof(*b.shown));
	if (!b.shown) {
		view_report(dir, "out of memory");
		view_listing_free(&b.l);
		return 1;
	}
	refilter(&b);
	if (start_curses(&b) < 0) {
		free(b.shown);
		view_listing_free(&b.l);
		return 1;
	}
	list_loop(&b);
	endwin();
	free(b.shown);
	view_listing_free(&b.l);
	return 0;
}
