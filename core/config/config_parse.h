/*
 * The text side of spiketrace.conf, private to core/config*.c: the file's
 * bytes, libconfuse's line numbers made true, and errors worded for people.
 * config_schema.c holds the schema and one parse; config.c the two passes.
 *
 * Three faults of libconfuse 3.3 shape these files:
 *
 * - CFGF_IGNORE_UNKNOWN cannot skip unknown sections: after "a { }" or
 *   "a { x = 1 }" the next option is swallowed or refused, and after
 *   "a += 1" everything up to the next '='. So the lenient passes, which
 *   must read a file whose plugin sections they cannot know, parse
 *   strictly and learn the names they are refused (config_schema.c).
 *
 * - Its line count is off after comments: two lines too many per '#' or
 *   '//' comment, one per C comment, and the newlines inside a ${VAR} are
 *   not counted. The error callback and the validate callbacks carry that
 *   count (cfg->line); cf_true_line turns it into the file's line from
 *   where the comments are, which only the file's text tells.
 *
 * - A section still open at end of file is accepted without a word. So
 *   every parse appends a sentinel function call: run at root, it proves
 *   every brace was closed; refused inside a section, it names the section
 *   left open; not run at all, the file ended inside a comment. Anything
 *   said on the sentinel's line is about the end of the file.
 *
 * Its lexer is global, and its state outlives a parse that ended inside a
 * comment or a string: only freeing a root cfg_t resets it. So a parse's
 * cfg_t is freed before the next parse begins, and error callbacks find
 * the parse through a static pointer (they get no user data).
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
#define MSG_MISSING_BRACE  "missing opening brace for section '%s'"

/* The first error of one parse; other errors of that parse are ignored. */
struct errsink {
	int failed;
	int line;               /* the file's; 0: about the file as a whole */
	char reason[512];
};

void cf_fail(struct errsink *es, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "FILE:LINE: reason" (no ":LINE" for line 0, the reason alone without a
 * file), with the file's bytes as they are: its printer escapes it. */
void cf_write_error(const struct errsink *es, const char *path, char *err, size_t errlen);
/* The option name of a libconfuse message with a single '%s'. */
const char *cf_message_subject(const char *fmt, const char *expect, va_list ap);
/* Any other libconfuse message, worded for people where we know it;
 * scope names the section it came from (NULL at root). */
void cf_fail_libconfuse(struct errsink *es, int line, const char *scope,
			const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* The file's bytes, NUL-terminated after the sentinel call (not one of
 * them), and how many lines they are (at least 1). */
struct source {
	char *buf;
	size_t len;
	int lines;
};

/* Returns 0 when read, 1 when missing and not required (then src is an
 * empty file, so that defaults come from the same schema), -1 on error. */
int cf_source_read(const char *path, int required, struct source *src,
		   struct errsink *es);
/* The lines of a ${VAR} share one count: which of them a message means. */
enum count_line {
	FIRST_LINE,     /* where a name was read: libconfuse stops right after it */
	LAST_LINE,      /* where a value was read: it ends there */
};
/* The file's line (1 .. src->lines, then the sentinel's) at libconfuse's
 * line count cl; 0 for 0. */
int cf_true_line(const struct source *src, int cl, enum count_line which);
/* The file's line of the '{' opening the section called name whose '}'
 * is at libconfuse's line count cl (cf_true_line(cl, FIRST_LINE) if none is). */
int cf_section_line(const struct source *src, int cl, const char *name);

/* Whether an empty quoted string stands at libconfuse's line count cl:
 * refused as an option name, it fails the parse without a word. */
int cf_empty_string_at(const struct source *src, int cl);

/* cfg_init copied the names and nested arrays; ours can go. */
void cf_free_opts(cfg_opt_t *opts);

#endif
