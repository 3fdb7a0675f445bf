#define _GNU_SOURCE
#include "config/config_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ errors */

__attribute__((format(printf, 3, 0)))
static void vfail(struct errsink *es, enum err_where where, const char *fmt, va_list ap)
{
	if (es->failed)
		return;
	es->failed = 1;
	es->where = where;
	vsnprintf(es->reason, sizeof(es->reason), fmt, ap);
}

__attribute__((format(printf, 3, 4)))
void cf_fail(struct errsink *es, enum err_where where, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(es, where, fmt, ap);
	va_end(ap);
}

/* "FILE:LINE: reason", one line whatever bytes the file held. */
void cf_write_error(const struct errsink *es, const char *path, int line,
			char *err, size_t errlen)
{
	if (!err || errlen == 0)
		return;
	if (!path)
		snprintf(err, errlen, "%s", es->reason);
	else if (line > 0)
		snprintf(err, errlen, "%s:%d: %s", path, line, es->reason);
	else
		snprintf(err, errlen, "%s: %s", path, es->reason);
	for (char *c = err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
}

/* The option name of a libconfuse message with a single '%s'. */
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

/* Any other libconfuse message, worded for people where we know it. */
__attribute__((format(printf, 3, 0)))
void cf_fail_libconfuse(struct errsink *es, const char *scope,
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

	if (!strcmp(fmt, "premature end of file") ||
	    !strcmp(fmt, "unterminated string constant")) {
		if (scope)
			cf_fail(es, AT_EOF, "unexpected end of file in section '%s'", scope);
		else
			cf_fail(es, AT_EOF, "unexpected end of file");
		return;
	}
	for (size_t i = 0; i < sizeof(type_errors) / sizeof(type_errors[0]); i++) {
		const char *name = cf_message_subject(fmt, type_errors[i].fmt, ap);
		if (name) {
			cf_fail(es, AT_LINE, "option '%s'%s%s %s", name, scope ? " in " : "",
			     scope ? scope : "", type_errors[i].says);
			return;
		}
	}
	vfail(es, AT_LINE, fmt, ap);
}

/* ------------------------------------------------------------ source */

static void source_init(struct source *src, char *buf, size_t len)
{
	src->buf = buf;
	src->len = len;
	memcpy(buf + len, SENTINEL_CALL, sizeof(SENTINEL_CALL));
	int newlines = 0;
	for (size_t i = 0; i < len; i++)
		newlines += buf[i] == '\n';
	src->lines = newlines + (len > 0 && buf[len - 1] != '\n');
	if (src->lines == 0)
		src->lines = 1;
}

int cf_source_read(const char *path, int required, struct source *src,
		       struct errsink *es)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	if (!f) {
		if (path && (errno != ENOENT || required)) {
			cf_fail(es, NOWHERE, "%s", strerror(errno));
			return -1;
		}
		char *buf = malloc(sizeof(SENTINEL_CALL));
		if (!buf) {
			cf_fail(es, NOWHERE, "out of memory");
			return -1;
		}
		source_init(src, buf, 0);
		return 1;
	}
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (len + sizeof(SENTINEL_CALL) >= cap) {
			char *bigger = realloc(buf, cap * 2);
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		size_t n = fread(buf + len, 1, cap - len - sizeof(SENTINEL_CALL), f);
		len += n;
		if (ferror(f)) {
			cf_fail(es, NOWHERE, "%s", strerror(errno));
			break;
		}
		if (len > MAX_FILE_BYTES) {
			cf_fail(es, NOWHERE, "larger than %d bytes, not a configuration file",
			     MAX_FILE_BYTES);
			break;
		}
		if (n == 0) {
			fclose(f);
			if (memchr(buf, '\0', len)) {
				free(buf);
				cf_fail(es, NOWHERE, "contains a NUL byte, not a configuration file");
				return -1;
			}
			source_init(src, buf, len);
			return 0;
		}
	}
	fclose(f);
	free(buf);
	cf_fail(es, NOWHERE, "out of memory");
	return -1;
}

/* Bytes of the first n lines. */
size_t cf_source_prefix(const struct source *src, int n)
{
	size_t i = 0;
	for (; i < src->len && n > 0; i++)
		if (src->buf[i] == '\n')
			n--;
	return i;
}

/* See config_parse.h: freeing a root cfg_t is libconfuse's only way to
 * put its lexer back in its initial state. */
static int lexer_reset(void)
{
	cfg_opt_t none[] = { CFG_END() };
	cfg_t *fresh = cfg_init(none, CFGF_NONE);
	if (!fresh)
		return -1;
	cfg_free(fresh);
	return 0;
}

int cf_parse_text(cfg_t *cfg, const char *text, size_t len)
{
	if (len == 0)
		return CFG_SUCCESS;
	if (lexer_reset() < 0)
		return CFG_PARSE_ERROR;
	FILE *f = fmemopen((void *)text, len, "r");
	if (!f)
		return CFG_PARSE_ERROR;
	errno = 0;
	int rc = cfg_parse_fp(cfg, f);
	fclose(f);
	return rc;
}

/* cfg_init copied the names and nested arrays; ours can go. */
void cf_free_opts(cfg_opt_t *opts)
{
	if (!opts)
		return;
	for (cfg_opt_t *o = opts; o->name; o++)
		cf_free_opts(o->subopts);
	free(opts);
}
