/*
 * What the text renderer's two halves share (render_text.c: the header,
 * the triggers and the tables; render_timeline.c: the sparklines and the
 * per-sample rows): the rendering in progress, how its strings are
 * escaped and coloured, and how long a sample's rates cover. Internal to
 * core/render, not installed.
 */
#ifndef ST_RENDER_CTX_H
#define ST_RENDER_CTX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dump/dump.h"
#include "text/term_text.h"

#define NS_PER_S 1e9
#define TERM_COLUMNS 80

#define SGR_HEADING   "1"       /* bold */
#define SGR_ALERT     "1;31"    /* bold red: what fired */
#define SGR_BLAMED    "33"      /* yellow: the blamed process in tables */
#define SGR_SPARK     "36"      /* cyan */

struct render_ctx {
	FILE *out;
	const struct st_dump *dump;
	bool color, ascii;
	uint32_t top;
	const struct st_trigger *blamed;    /* the first trigger with a process */
};

/* A fixed-size model field as a C string: it need not be terminated. */
#define FIELD(field, tmp) field_cstr((field), sizeof(field), (tmp), sizeof(tmp))

static inline const char *field_cstr(const char *field, size_t size, char *tmp, size_t tmplen)
{
	size_t len = strnlen(field, size);

	if (len >= tmplen)
		len = tmplen - 1;
	memcpy(tmp, field, len);
	tmp[len] = '\0';
	return tmp;
}

static inline const char *esc(const struct render_ctx *c, const char *in, char *out,
			      size_t outlen)
{
	st_escape_into(in, out, outlen, c->ascii, SIZE_MAX, NULL);
	return out;
}

static inline void sgr(const struct render_ctx *c, const char *code)
{
	if (c->color)
		fprintf(c->out, "\x1b[%sm", code);
}

static inline void sgr_reset(const struct render_ctx *c)
{
	if (c->color)
		fputs("\x1b[0m", c->out);
}

/* "=== title ===" after a blank line; the caller ends the line. */
static inline void heading(const struct render_ctx *c, const char *title)
{
	fputc('\n', c->out);
	sgr(c, SGR_HEADING);
	fprintf(c->out, "=== %s ===", title);
	sgr_reset(c);
}

static inline double offset_s(const struct st_dump_sample *s)
{
	return (double)s->offset_ns / NS_PER_S;
}

/*
 * The time sample i's rates cover, as far as the dump tells: its own
 * interval, else (an older dump) the time since the sample before, else
 * for a fast sample the fast interval; 0 when none of these is known.
 */
static inline double known_interval_s(const struct st_dump *d, uint32_t i)
{
	const struct st_dump_sample *s = &d->samples[i];

	if (s->interval_s > 0)
		return s->interval_s;
	if (i > 0 && s->mono_ns > d->samples[i - 1].mono_ns)
		return (double)(s->mono_ns - d->samples[i - 1].mono_ns) / NS_PER_S;
	if ((s->flags & ST_SAMPLE_FAST) && d->fast_interval_s > 0)
		return d->fast_interval_s;
	return 0;
}

/* The same, or where it is not known (the first sample of an older dump)
 * the configured interval. */
static inline double sample_interval_s(const struct st_dump *d, uint32_t i)
{
	double known = known_interval_s(d, i);

	return known > 0 ? known : d->interval_s;
}

/* A span in seconds as a row can hold it: "0.1", "0.35", "2.5", "12". */
static inline const char *format_span(char *buf, size_t len, double s)
{
	snprintf(buf, len, s >= 10 ? "%.0f" : "%.2g", s);
	return buf;
}

/* "=== timeline ===": sparklines and one row per sample (render_timeline.c). */
void st_render_timeline(const struct render_ctx *c);

#endif
