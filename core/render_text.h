/*
 * The human rendering of a dump, shared by spiketrace-view and the stdout
 * sink. Nothing attacker-controlled (process names, command lines, host
 * names) reaches the stream unescaped: no raw control byte is ever written.
 */
#ifndef ST_RENDER_TEXT_H
#define ST_RENDER_TEXT_H

#include <stdio.h>
#include <spiketrace/model.h>

/* Escape for a terminal into out (outlen bytes, always NUL-terminated,
 * truncated if needed): printable ASCII and valid UTF-8 kept; \n \t \r \\
 * as such; other control bytes, DEL, C1 controls and invalid UTF-8 as
 * \xNN. Returns out. */
char *st_escape_terminal(const char *in, char *out, size_t outlen);

struct st_render_opts {
	const char *name;       /* file name for the header; may be NULL */
	int sample_index;       /* which sample's tables; -1: the trigger sample */
	int top;                /* rows per table; 0: 10 */
};

/* Header, "=== spike trigger ===" (every trigger), then for the chosen
 * sample "=== top processes by cpu ===" and "=== top processes by rss ===". */
void st_render_dump(FILE *out, const struct st_dump *dump,
		    const struct st_render_opts *opts);

#endif
