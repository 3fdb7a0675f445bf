/* What the browser shows of one dump: the text renderer's output for one
 * sample and one table, as lines. */
#ifndef ST_VIEW_BROWSE_TEXT_H
#define ST_VIEW_BROWSE_TEXT_H

#include <stddef.h>
#include "dump/dump.h"

enum browse_table { BROWSE_CPU, BROWSE_RSS, BROWSE_EXITED };

struct browse_text {
	char *buf;              /* the rendering; its newlines made NULs */
	char **line;
	size_t n;
	size_t table_at;        /* the line the table starts on */
};

/* Header and triggers, then sample's table of the kind asked for, then the
 * timeline: everything escaped as in the text output, no colour codes.
 * Returns 0, or -1 when out of memory (t is then empty). */
int browse_text_render(struct browse_text *t, const struct st_dump *dump, const char *name,
		       uint32_t sample, enum browse_table table, int ascii);

void browse_text_free(struct browse_text *t);

/* Whether any sample of the dump has exited groups to show. */
int browse_has_exited(const struct st_dump *dump);

#endif
