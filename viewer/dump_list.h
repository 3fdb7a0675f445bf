/* spiketrace-view --list: the dumps of a directory, newest first, and
 * which processes trigger most. */
#ifndef ST_VIEW_DUMP_LIST_H
#define ST_VIEW_DUMP_LIST_H

#include <stdint.h>
#include <stdio.h>
#include <spiketrace/model.h>

struct view_style {
	int color;      /* SGR colours on */
	int ascii;      /* printable ASCII only (the terminal is not UTF-8) */
};

/* One line on stderr, "spiketrace-view: WHAT: REASON" ("spiketrace-view:
 * REASON" when what is NULL), both raw and escaped here, once: the
 * viewer's one error printer. stdout is flushed first so the line lands
 * next to what it is about. Defined in spiketrace_view.c. */
void view_report(const char *what, const char *reason);

/* What a list shows of one dump file. */
struct view_listed {
	char *name;                     /* the file name in the directory (in a
	                                   central tree, HOST_DIR/NAME) */
	char *error;                    /* why it could not be read; NULL: read */
	char *hostname;                 /* the dump's host.hostname; NULL: unread */
	int64_t wall_ns;
	int64_t lasted_ns;              /* first trigger's sample to the last's */
	uint32_t ntriggers;
	struct st_trigger *triggers;    /* copies: the dump itself is freed */
};

struct view_listing {
	struct view_listed *v;
	size_t n;
};

/* Reads every spike_*.json of dir into l, in file name order; a file that
 * cannot be read is kept with its error. Returns 0, or -1 after a one-line
 * report when the directory cannot be read (l is then empty). */
int view_listing_read(struct view_listing *l, const char *dir);

/* A central tree: the spike_*.json one level down, in every
 * subdirectory of dir not starting with a dot (as a collector's per-host
 * template writes them), named SUBDIR/FILE. As view_listing_read, but a
 * subdirectory that cannot be read is reported and the others read: 1
 * then. */
int view_listing_read_tree(struct view_listing *l, const char *dir);

/* Newest first by the time inside the dumps; unreadable files last. */
void view_listing_sort(struct view_listing *l);

/* Frees entry i and closes the gap. */
void view_listing_remove(struct view_listing *l, size_t i);

void view_listing_free(struct view_listing *l);

/* A row's fields as raw bytes (to escape when shown): the first trigger's
 * type ("+N" when more joined), the culprit ("[pid] comm", "comm xN" for
 * an exited group, "(system-wide)") and its value in its units. */
void view_listed_fields(const struct view_listed *e, int ascii, char *type, size_t typelen,
			char *proc, size_t proclen, char *value, size_t valuelen);

/* The processes that trigger most, by name (a program gets a new pid each
 * time it runs; system-wide triggers are one culprit): into *out, most
 * first, malloc'd, pointing into l. Returns how many, with every trigger
 * counted in *total; 0 and *out NULL when there are none (or out of
 * memory, said). */
struct view_culprit {
	const struct st_trigger *first;     /* names the group */
	unsigned count;
};
size_t view_listing_culprits(const struct view_listing *l, struct view_culprit **out,
			     size_t *total);
/* Its name, raw: the comm, or "(system-wide)". */
void view_culprit_name(const struct view_culprit *c, char *buf, size_t len);

/* The spike_*.json files of dir on out; when dir holds none but its
 * subdirectories do (a central tree), those, grouped by the dumps'
 * host.hostname, each host with its own list and summary. A file that
 * cannot be read is reported and left out. Returns 0, or -1 when the
 * directory or any dump in it could not be read. */
int view_list_dumps(FILE *out, const char *dir, const struct view_style *style);

#endif
