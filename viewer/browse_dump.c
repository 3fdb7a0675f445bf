/*
 * One dump in the browser: its text output (browse_text.c) for one sample
 * and one table, scrolled; the keys step through samples and tables.
 */
#define _GNU_SOURCE
#include "browse_screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "browse_text.h"
#include "dump/dump.h"
#include "dump/dump_json.h"

struct dump_view {
	struct st_dump *dump;
	const char *name;
	uint32_t sample;
	enum browse_table table;
	struct browse_text text;
	size_t top;
};

static const char *const table_names[] = { "cpu", "rss", "exited" };

static void draw_dump(struct browser *b, struct dump_view *v)
{
	int body = LINES - 2;
	char name[4 * 256 + 1], bar[2048];
	int n;

	if (browse_too_small())
		return;
	erase();
	n = snprintf(bar, sizeof(bar), "%s  ", browse_esc(b, v->name, name, sizeof(name)));
	if (v->dump->nsamples)
		n += snprintf(bar + n, sizeof(bar) - (size_t)n, "sample %u of 0..%u  ",
			      v->sample, v->dump->nsamples - 1);
	for (int t = 0; t <= BROWSE_EXITED; t++) {
		if (t == BROWSE_EXITED && !browse_has_exited(v->dump))
			break;
		n += snprintf(bar + n, sizeof(bar) - (size_t)n, t == (int)v->table ? "[%s] " : "%s ",
			      table_names[t]);
	}
	browse_put_line(0, bar, A_REVERSE);
	if (v->text.n > (size_t)body && v->top > v->text.n - (size_t)body)
		v->top = v->text.n - (size_t)body;
	if (v->text.n <= (size_t)body)
		v->top = 0;
	for (int r = 0; r < body && v->top + (size_t)r < v->text.n; r++) {
		const char *line = v->text.line[v->top + (size_t)r];
		browse_put_line(1 + r, line, strncmp(line, "=== ", 4) == 0 ? browse_heading_attr(b) : A_NORMAL);
	}
	browse_draw_status(b, b->ascii ? "<-/-> sample  Tab table  Up/Down/PgUp/PgDn scroll  q back"
				: "←/→ sample  Tab table  ↑/↓/PgUp/PgDn scroll  q back");
	refresh();
}

static int rerender(struct browser *b, struct dump_view *v)
{
	browse_text_free(&v->text);
	if (browse_text_render(&v->text, v->dump, v->name, v->sample, v->table, b->ascii) < 0) {
		browse_set_status(b, v->name, "out of memory");
		return -1;
	}
	return 0;
}

/* The tables changed: show them from their heading. */
static void to_table(struct browser *b, struct dump_view *v)
{
	if (rerender(b, v) == 0)
		v->top = v->text.table_at;
}

void browse_show_dump(struct browser *b, const struct view_listed *e)
{
	struct dump_view v = { .name = e->name };
	char err[256] = "", *path;
	int ch, page;

	if (e->error) {
		browse_set_status(b, e->name, e->error);
		return;
	}
	if (asprintf(&path, "%s/%s", b->dir, e->name) < 0) {
		browse_set_status(b, e->name, "out of memory");
		return;
	}
	v.dump = st_dump_read_file(path, err, sizeof(err));
	free(path);
	if (!v.dump) {
		browse_set_status(b, e->name, *err ? err : "cannot read the dump");
		return;
	}
	/* The trigger sample first, as the text output shows it. */
	if (v.dump->nsamples)
		v.sample = v.dump->trigger_index >= 0 &&
				   (uint32_t)v.dump->trigger_index < v.dump->nsamples ?
			   (uint32_t)v.dump->trigger_index : v.dump->nsamples - 1;
	*b->status = '\0';
	if (rerender(b, &v) < 0)
		goto out;
	for (;;) {
		draw_dump(b, &v);
		ch = getch();
		*b->status = '\0';
		page = LINES > 3 ? LINES - 3 : 1;
		switch (ch) {
		case 'q': case KEY_ESCAPE: case KEY_BACKSPACE: case KEY_DEL:
			goto out;
		case KEY_LEFT: case 'h':
			if (v.sample > 0) {
				v.sample--;
				to_table(b, &v);
			}
			break;
		case KEY_RIGHT: case 'l':
			if (v.sample + 1 < v.dump->nsamples) {
				v.sample++;
				to_table(b, &v);
			}
			break;
		case '\t': case KEY_BTAB:
			do
				v.table = (v.table + (ch == '\t' ? 1 : BROWSE_EXITED)) % (BROWSE_EXITED + 1);
			while (v.table == BROWSE_EXITED && !browse_has_exited(v.dump));
			to_table(b, &v);
			break;
		case KEY_UP: case 'k':
			v.top -= v.top > 0;
			break;
		case KEY_DOWN: case 'j':
			v.top++;
			break;
		case KEY_PPAGE:
			v.top = v.top > (size_t)page ? v.top - (size_t)page : 0;
			break;
		case KEY_NPAGE: case ' ':
			v.top += (size_t)page;
			break;
		case KEY_HOME: case 'g':
			v.top = 0;
			break;
		case KEY_END: case 'G':
			v.top = v.text.n;
			break;
		default:        /* KEY_RESIZE among them: drawn again */
			break;
		}
	}
out:
	browse_text_free(&v.text);
	st_dump_free(v.dump);
}
