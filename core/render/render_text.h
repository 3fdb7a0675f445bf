/*
 * The human rendering of a dump, shared by spiketrace-view and the stdout
 * sink. Nothing attacker-controlled (process names, command lines, host
 * names) reaches the stream unescaped: no raw control byte is ever written,
 * and with colours on the only escape sequences are our own SGR ones.
 */
#ifndef ST_RENDER_TEXT_H
#define ST_RENDER_TEXT_H

#include <stdint.h>
#include <stdio.h>
#include <spiketrace/model.h>

#include "text/size_text.h"
#include "text/term_text.h"

/* "2026-11-21 23:29:00.123 UTC" into buf; "unknown time" if it cannot be
 * shown. Returns buf. */
char *st_format_wall_time(char *buf, size_t len, int64_t wall_ns);

/* A trigger's value in its units: "85.2%", "7.0 GiB", "250 forks/s" (the
 * units escaped). Returns buf. */
char *st_format_trigger_value(char *buf, size_t len, const struct st_trigger *t, int ascii);

/* Where a process runs, in a few words, raw (escape it for your medium):
 * its container (runtime and the short id `docker ps` shows), else its
 * systemd unit, else its slice; "" when the dump names none. Returns buf. */
const char *st_proc_where_label(const struct st_dump_proc *p, char *buf, size_t len);

struct st_render_opts {
	const char *name;       /* file name for the header; may be NULL */
	int sample_index;       /* which sample's tables; -1: the trigger sample
	                           (out of range: the newest) */
	int top;                /* rows per table; 0: 10 */
	int all_samples;        /* nonzero: the tables of every sample, oldest
	                           first (sample_index is then ignored) */
	int color;              /* nonzero: SGR colours; the caller decides
	                           (a terminal, NO_COLOR, --color) */
	int ascii;              /* nonzero: printable ASCII only: sparklines
	                           from "_.-:=+*#", non-ASCII bytes of names
	                           escaped. 0: UTF-8 (block characters) */
	unsigned sections;      /* ST_RENDER_* bits: the parts to render, in
	                           their usual order; 0: all of them (an
	                           interactive view shows one table at a time) */
};

#define ST_RENDER_HEADER   0x01u   /* file name, times, host */
#define ST_RENDER_TRIGGERS 0x02u   /* "=== spike trigger ===" sections */
#define ST_RENDER_CPU      0x04u   /* top processes by cpu */
#define ST_RENDER_EXITED   0x08u   /* exited since the sample before */
#define ST_RENDER_RSS      0x10u   /* top processes by rss */
#define ST_RENDER_TIMELINE 0x20u   /* sparklines and one row per sample */

/* Header (name, wall-clock and monotonic time, host), "=== spike trigger
 * ===" for every trigger, for the chosen sample(s) "=== top processes by
 * cpu ===" and "=== top processes by rss ===", then "=== timeline ===":
 * sparklines and one row per sample (offset, system cpu, available memory,
 * swap used, and the blamed process's cpu and rss). opts may be NULL. */
void st_render_dump(FILE *out, const struct st_dump *dump,
		    const struct st_render_opts *opts);

#endif
