/*
 * The text side of spiketrace.conf, private to core/config*.c: the file's
 * bytes, one parse of them by libconfuse, and the first error of a parse
 * worded for people. config.c holds the schema and the two passes.
 *
 * Four faults of libconfuse 3.3 shape these files:
 *
 * - CFGF_IGNORE_UNKNOWN cannot skip unknown sections: after "a { }" or
 *   "a { x = 1 }" the next option is swallowed or refused. So the first
 *   pass, which must read plugin_dir from a file whose plugin sections it
 *   cannot know yet, parses strictly and learns the names it is refused
 *   (config.c).
 *
 * - Its line count is wrong after comments (two lines too many per '#'
 *   comment, one per C comment). The line of an error is therefore found
 *   with libconfuse itself: the first error depends only on the text
 *   before it, so the smallest number of leading lines that still gives
 *   the same error is the line it is on (a bisection, only on failure).
 *
 * - A section still open at end of file is accepted without a word. Once
 *   the file parsed, it is parsed again with a sentinel function call
 *   appended: at root it proves every brace was closed; refused inside a
 *   section it names the section left open; not seen at all, the file
 *   ended inside a comment.
 *
 * - Its lexer's state outlives a parse: one that ended inside a C comment
 *   leaves the next parse starting inside it. Only freeing a root cfg_t
 *   resets the lexer: cf_parse_text frees an empty one first, so that
 *   every parse starts from the lexer's initial state.
 *
 * Its error function gets no user data: config.c finds the parse through
 * a static pointer (libconfuse's lexer is a global, so two parses cannot
 * run at once anyway) and writes our own path into every message.
 */
#ifndef ST_CONFIG_PARSE_H
#define ST_CONFIG_PARSE_H

#include <confuse.h>
#include <stdarg.h>
#include <stddef.h>

#define SENTINEL         "__spiketrace_end_of_file"
#define SENTINEL_CALL    "\n" SENTINEL "()\n"
#define MAX_FILE_BYTES   (1024 * 1024)

/* libconfuse messages we reword (untranslated: the daemon does not set
 * LC_MESSAGES; a translated message is passed through as it is). */
#define MSG_NO_SUCH_OPTION "no such option '%s'"
#define MSG_MISSING_EQUAL  "missing equal sign after option '%s'"

enum err_where {
	AT_LINE,        /* somewhere in the file: the line is looked for */
	AT_EOF,         /* the file ended too soon */
	NOWHERE,        /* about the file as a whole, or not about it */
};

/* The first error of one parse; other errors of that parse are ignored. */
struct errsink {
	int failed;
	enum err_where where;
	char reason[512];
};

void cf_fail(struct errsink *es, enum err_where where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "FILE:LINE: reason", one line whatever bytes the file held. */
void cf_write_error(const struct errsink *es, const char *path, int line,
		    char *err, size_t errlen);
/* The option name of a libconfuse message with a single '%s'. */
const char *cf_message_subject(const char *fmt, const char *expect, va_list ap);
/* Any other libconfuse message, worded for people where we know it;
 * scope names the section it came from (NULL at root). */
void cf_fail_libconfuse(struct errsink *es, const char *scope,
			const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* The file's bytes, followed by the sentinel call (not part of them). */
struct source {
	char *buf;
	size_t len;             /* the file's bytes */
	int lines;              /* the file's lines (at least 1) */
};

#define WITH_SENTINEL(src) ((src)->len + sizeof(SENTINEL_CALL) - 1)

/* Returns 0 when read, 1 when missing and not required (then src is an
 * empty file, so that defaults come from the same schema), -1 on error. */
int cf_source_read(const char *path, int required, struct source *src,
		   struct errsink *es);
/* The bytes of the first n lines. */
size_t cf_source_prefix(const struct source *src, int n);
/* len bytes of text into cfg, from a fresh lexer (see above). */
int cf_parse_text(cfg_t *cfg, const char *text, size_t len);

/* cfg_init copied the names and nested arrays; ours can go. */
void cf_free_opts(cfg_opt_t *opts);

#endif
