#define _GNU_SOURCE
#include "config/config_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ errors */

__attribute__((format(printf, 3, 0)))
static void vfail(struct errsink *es, int line, const char *fmt, va_list ap)
{
	if (es->failed)
		return;
	es->failed = 1;
	es->line = line;
	vsnprintf(es->reason, sizeof(es->reason), fmt, ap);
}

void cf_fail(struct errsink *es, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(es, line, fmt, ap);
	va_end(ap);
}

void cf_write_error(const struct errsink *es, const char *path, char *err, size_t errlen)
{
	/* Raw: whoever prints it escapes it, once (see config.h). */
	if (!err || !errlen)
		return;
	if (!path)
		snprintf(err, errlen, "%s", es->reason);
	else if (es->line > 0)
		snprintf(err, errlen, "%s:%d: %s", path, es->line, es->reason);
	else
		snprintf(err, errlen, "%s: %s", path, es->reason);
}

const char *cf_message_subject(const char *fmt, const char *expect, va_list ap)
{
	if (strcmp(fmt, expect) != 0)
		return NULL;
	va_list cp;
	va_copy(cp, ap);
	const char *name = va_arg(cp, const char *);
	va_end(cp);
	return name;
}

void cf_fail_libconfuse(struct errsink *es, int line, const char *scope,
			const char *fmt, va_list ap)
{
	static const struct {
		const char *fmt;
		const char *says;
	} type_errors[] = {
		{ "invalid integer value for option '%s'", "expects an integer" },
		{ "invalid floating point value for option '%s'", "expects a number" },
		{ "invalid boolean value for option '%s'", "expects true or false" },
		{ "integer value for option '%s' is out of range", "has a value out of range" },
		{ "floating point value for option '%s' is out of range", "has a value out of range" },
	};
	for (size_t i = 0; i < sizeof(type_errors) / sizeof(type_errors[0]); i++) {
		const char *name = cf_message_subject(fmt, type_errors[i].fmt, ap);
		if (name) {
			cf_fail(es, line, "option '%s'%s%s %s", name, scope ? " in " : "",
				scope ? scope : "", type_errors[i].says);
			return;
		}
	}
	vfail(es, line, fmt, ap);
}

/* ------------------------------------------------------------ source */

int cf_source_read(const char *path, int required, struct source *src,
		   struct errsink *es)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	if (!f && path && (errno != ENOENT || required)) {
		cf_fail(es, 0, "%s", strerror(errno));
		return -1;
	}
	/* One read of one more byte than a config may hold: no regrowing. */
	char *buf = malloc(MAX_FILE_BYTES + 1 + sizeof(SENTINEL_CALL));
	size_t len = f && buf ? fread(buf, 1, MAX_FILE_BYTES + 1, f) : 0;
	int error = f && ferror(f) ? errno : 0;
	if (f)
		fclose(f);
	if (!buf)
		cf_fail(es, 0, "out of memory");
	else if (error)
		cf_fail(es, 0, "%s", strerror(error));
	else if (len > MAX_FILE_BYTES)
		cf_fail(es, 0, "larger than %d bytes, not a configuration file", MAX_FILE_BYTES);
	else if (memchr(buf, '\0', len))
		cf_fail(es, 0, "contains a NUL byte, not a configuration file");
	/* The name marks the file's end for the parse (SENTINEL_CALL): the
	 * file's own use of it would be taken for the end, and a call of it
	 * that does not parse makes libconfuse 3.3 lose memory. */
	const char *own = buf && !es->failed ? memmem(buf, len, SENTINEL, strlen(SENTINEL)) : NULL;
	if (own) {
		int line = 1;
		for (const char *q = buf; q < own; q++)
			line += *q == '\n';
		cf_fail(es, line, "'%s' is a name spiketrace keeps for itself", SENTINEL);
	}
	if (es->failed) {
		free(buf);
		return -1;
	}
	memcpy(buf + len, SENTINEL_CALL, sizeof(SENTINEL_CALL));
	src->buf = buf;
	src->len = len;
	src->lines = (len > 0 && buf[len - 1] != '\n') || len == 0;
	for (size_t i = 0; i < len; i++)
		src->lines += buf[i] == '\n';
	return f ? 0 : 1;
}

/*
 * libconfuse's lexer, as far as its line count goes: where comments,
 * strings and ${VAR} begin and end. A word is read whole, since "//" and
 * "/" "*" inside one are not comments; '#' ends a word and starts one.
 */
enum lex { CODE, HASH, C_COMMENT, DQ, SQ, ENV, DQ_ENV };
#define WORD_ENDS " #\"'\t\n\r={}()+,*"

struct lexer {
	const char *p;                  /* the next byte */
	enum lex at;
	int line, counted;              /* the file's line, and libconfuse's */
};

/* Whether the next byte is a newline libconfuse counts. */
static int lex_counts_newline(const struct lexer *lx)
{
	return *lx->p == '\n' && lx->at != ENV && lx->at != DQ_ENV;
}

/* Past the next byte, or the next word, comment opener or escape. */
static void lex_step(struct lexer *lx)
{
	const char *p = lx->p;
	if (*p == '\n') {
		lx->line++;
		if (lex_counts_newline(lx))     /* lines in a ${VAR} share a count */
			lx->counted++;
		lx->at = lx->at == HASH ? CODE : lx->at;
		lx->p++;
		return;
	}
	int starts_env = p[0] == '$' && p[1] == '{' && strchr(p, '}');
	switch (lx->at) {
	case CODE:
		if (*p == '#' || !strncmp(p, "//", 2))
			lx->at = HASH, lx->counted += 2;
		else if (!strncmp(p, "/*", 2))
			lx->at = C_COMMENT, p++;
		else if (*p == '"' || *p == '\'')
			lx->at = *p == '"' ? DQ : SQ;
		else if (starts_env)
			lx->at = ENV;
		else if (!strchr(WORD_ENDS, *p))
			p += strcspn(p, WORD_ENDS) - 1;
		break;
	case C_COMMENT:
		if (!strncmp(p, "*/", 2))
			lx->at = CODE, lx->counted++, p++;
		break;
	case DQ:
	case SQ:
		if (*p == '\\' && p[1] && p[1] != '\n')
			p++;            /* an escaped newline is counted as one */
		else if (*p == (lx->at == DQ ? '"' : '\''))
			lx->at = CODE;
		else if (lx->at == DQ && starts_env)
			lx->at = DQ_ENV;
		break;
	case ENV:
	case DQ_ENV:
		if (*p == '}')
			lx->at = lx->at == ENV ? CODE : DQ;
		break;
	case HASH:
		break;
	}
	lx->p = p + 1;
}

int cf_true_line(const struct source *src, int cl, enum count_line which)
{
	struct lexer lx = { src->buf, CODE, 1, 1 };
	if (cl <= 0)
		return 0;
	while (*lx.p && (which == FIRST_LINE ? lx.counted < cl :
			 !(lex_counts_newline(&lx) && lx.counted + 1 > cl)))
		lex_step(&lx);
	return lx.line;
}

int cf_empty_string_at(const struct source *src, int cl)
{
	struct lexer lx = { src->buf, CODE, 1, 1 };
	while (*lx.p && lx.counted <= cl) {
		const char *p = lx.p;
		enum lex was = lx.at;
		lex_step(&lx);
		if (was == CODE && (lx.at == DQ || lx.at == SQ) && *lx.p == *p && lx.counted == cl)
			return 1;
	}
	return 0;
}

/* Sections nest two deep in the schema; deeper braces are only counted. */
#define MAX_OPEN 8

int cf_section_line(const struct source *src, int cl, const char *name)
{
	struct lexer lx = { src->buf, CODE, 1, 1 };
	struct opened { int line; const char *word; size_t len; } open[MAX_OPEN];
	const char *word = NULL;        /* the latest name, bare or quoted */
	size_t len = 0, nlen = strlen(name);
	int depth = 0;
	while (*lx.p) {
		const char *p = lx.p;
		enum lex was = lx.at;
		lex_step(&lx);
		if ((was == DQ || was == SQ) && lx.at == CODE)
			len = (size_t)(p - word);
		if (was != CODE)
			continue;
		if (lx.at == DQ || lx.at == SQ)
			word = lx.p;
		else if (lx.at != CODE)
			continue;
		else if (!strchr(WORD_ENDS, *p))
			word = p, len = (size_t)(lx.p - p);
		else if (*p == '{' && depth < MAX_OPEN)
			open[depth++] = (struct opened){ lx.line, word, word ? len : 0 };
		else if (*p == '{')
			depth++;
		else if (*p == '}' && depth > 0 && --depth < MAX_OPEN && lx.counted == cl &&
			 open[depth].len == nlen && !strncmp(open[depth].word, name, nlen))
			return open[depth].line;
	}
	return cf_true_line(src, cl, FIRST_LINE);
}

void cf_free_opts(cfg_opt_t *opts)
{
	if (!opts)
		return;
	for (cfg_opt_t *o = opts; o->name; o++)
		cf_free_opts(o->subopts);
	free(opts);
}
