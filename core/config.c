/*
 * spiketrace.conf through libconfuse 3.3, in two passes (see config.h).
 *
 * Four faults of libconfuse 3.3 shape this file:
 *
 * - CFGF_IGNORE_UNKNOWN cannot skip unknown sections: after "a { }" or
 *   "a { x = 1 }" the next option is swallowed or refused. So pass 1 does
 *   not use it: it parses strictly and learns the schema. Each "no such
 *   option 'X'" adds X (as a string list, which takes any scalar or list
 *   value) to the scope that refused it, each "missing equal sign after
 *   option 'X'" for a learned X makes X a section, and the parse is
 *   retried. Each retry learns one fact, so it ends.
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
 * - The error function gets no user data and sections get no file name:
 *   callbacks find their parse through a static pointer (libconfuse's
 *   lexer is a global, so two parses cannot run at once anyway) and we
 *   write our own path into every message.
 */
#define _GNU_SOURCE
#include "config.h"

#include <confuse.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SENTINEL         "__spiketrace_end_of_file"
#define SENTINEL_CALL    "\n" SENTINEL "()\n"
#define MAX_FILE_BYTES   (1024 * 1024)
/* A real config has a few dozen distinct names; this bounds a hostile one. */
#define MAX_LEARN_ROUNDS 100

/* libconfuse messages we reword (untranslated: the daemon does not set
 * LC_MESSAGES; a translated message is passed through as it is). */
#define MSG_NO_SUCH_OPTION "no such option '%s'"
#define MSG_MISSING_EQUAL  "missing equal sign after option '%s'"

/* ------------------------------------------------------------ errors */

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
static void fail(struct errsink *es, enum err_where where, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(es, where, fmt, ap);
	va_end(ap);
}

/* "FILE:LINE: reason", one line whatever bytes the file held. */
static void write_error(const struct errsink *es, const char *path, int line,
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
static const char *message_subject(const char *fmt, const char *expect, va_list ap)
{
	if (strcmp(fmt, expect) != 0)
		return NULL;
	va_list cp;
	va_copy(cp, ap);
	const char *name = va_arg(cp, const char *);
	va_end(cp);
	return name;
}

static void fail_unclosed(struct errsink *es, const char *section)
{
	if (section)
		fail(es, AT_EOF, "unexpected end of file: section '%s' has no closing '}'",
		     section);
	else
		fail(es, AT_EOF, "unexpected end of file");
}

/* Any other libconfuse message, worded for people where we know it. */
__attribute__((format(printf, 3, 0)))
static void fail_libconfuse(struct errsink *es, const char *scope,
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
			fail(es, AT_EOF, "unexpected end of file in section '%s'", scope);
		else
			fail(es, AT_EOF, "unexpected end of file");
		return;
	}
	for (size_t i = 0; i < sizeof(type_errors) / sizeof(type_errors[0]); i++) {
		const char *name = message_subject(fmt, type_errors[i].fmt, ap);
		if (name) {
			fail(es, AT_LINE, "option '%s'%s%s %s", name, scope ? " in " : "",
			     scope ? scope : "", type_errors[i].says);
			return;
		}
	}
	vfail(es, AT_LINE, fmt, ap);
}

/* ------------------------------------------------------------ source */

/* The file's bytes, followed by the sentinel call (not part of them). */
struct source {
	char *buf;
	size_t len;             /* the file's bytes */
	int lines;              /* the file's lines (at least 1) */
};

#define WITH_SENTINEL(src) ((src)->len + sizeof(SENTINEL_CALL) - 1)

static int source_init(struct source *src, char *buf, size_t len)
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
	return 0;
}

/* Returns 0 when read, 1 when missing and not required, -1 on error. */
static int source_read(const char *path, int required, struct source *src,
		       struct errsink *es)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT && !required)
			return 1;
		fail(es, NOWHERE, "%s", strerror(errno));
		return -1;
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
			fail(es, NOWHERE, "%s", strerror(errno));
			break;
		}
		if (len > MAX_FILE_BYTES) {
			fail(es, NOWHERE, "larger than %d bytes, not a configuration file",
			     MAX_FILE_BYTES);
			break;
		}
		if (n == 0) {
			fclose(f);
			if (memchr(buf, '\0', len)) {
				free(buf);
				fail(es, NOWHERE, "contains a NUL byte, not a configuration file");
				return -1;
			}
			return source_init(src, buf, len);
		}
	}
	fclose(f);
	free(buf);
	fail(es, NOWHERE, "out of memory");
	return -1;
}

/* No file: an empty one, so that defaults come from the same schema. */
static int source_empty(struct source *src, struct errsink *es)
{
	char *buf = malloc(sizeof(SENTINEL_CALL));
	if (!buf) {
		fail(es, NOWHERE, "out of memory");
		return -1;
	}
	return source_init(src, buf, 0);
}

/* Bytes of the first n lines. */
static size_t source_prefix(const struct source *src, int n)
{
	size_t i = 0;
	for (; i < src->len && n > 0; i++)
		if (src->buf[i] == '\n')
			n--;
	return i;
}

static int parse_text(cfg_t *cfg, const char *text, size_t len)
{
	if (len == 0)
		return CFG_SUCCESS;
	FILE *f = fmemopen((void *)text, len, "r");
	if (!f)
		return CFG_PARSE_ERROR;
	errno = 0;
	int rc = cfg_parse_fp(cfg, f);
	fclose(f);
	return rc;
}

/* The line of an AT_LINE error: the fewest leading lines that still give
 * it. try() parses that many bytes into a fresh errsink. */
typedef void (*try_fn)(void *pass, const struct source *src, size_t len,
		       struct errsink *es);

static int find_line(try_fn try, void *pass, const struct source *src,
		     const struct errsink *es)
{
	int lo = 1, hi = src->lines;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		struct errsink t = { 0 };
		try(pass, src, source_prefix(src, mid), &t);
		if (t.failed && t.where == es->where && !strcmp(t.reason, es->reason))
			hi = mid;
		else
			lo = mid + 1;
	}
	return hi;
}

/* cfg_init copied the names and nested arrays; ours can go. */
static void free_opts(cfg_opt_t *opts)
{
	if (!opts)
		return;
	for (cfg_opt_t *o = opts; o->name; o++)
		free_opts(o->subopts);
	free(opts);
}

/* Shared by both passes: an empty plugin_dir would mean the current one. */
static struct errsink *active_sink;

static int check_plugin_dir(cfg_t *cfg, cfg_opt_t *opt)
{
	(void)cfg;
	const char *v = cfg_opt_getnstr(opt, 0);
	if (v && *v)
		return 0;
	if (active_sink)
		fail(active_sink, AT_LINE, "plugin_dir must not be empty");
	return -1;
}

/* The numbers the core checks itself. */
static const struct core_range {
	const char *name;
	double min, max;
} core_ranges[] = {
	{ "interval", 0.1, 60 },
	{ "history", 2, 3600 },
	{ "pre_trigger", 0, 3599 },
	{ "post_trigger", 0, 3599 },
	{ "top", 1, 100 },
	{ "max_dumps_per_minute", 0.1, 600 },
};
#define NCORE (sizeof(core_ranges) / sizeof(core_ranges[0]))

/* ---------------------------------------------------- pass 1: lenient */

/* What pass 1 has learned of the file's structure. */
struct lnode {
	char *name;
	char *label;            /* "detectors/cpu_delta"; NULL at root */
	int is_section;
	struct lnode *kids;
	size_t nkids;
	cfg_t *cfg;             /* during a parse, for the error function */
};

struct lenient {
	struct errsink *es;
	struct lnode root;
	const char *def;
	int learning;           /* a refused name is learned, not an error */
	int learned;
	int with_sentinel;
	int reached_end;
};

static struct lenient *lenient_active;

static void lnode_free(struct lnode *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		lnode_free(&n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->label);
}

static struct lnode *lnode_kid(struct lnode *n, const char *name)
{
	for (size_t i = 0; i < n->nkids; i++)
		if (strcmp(n->kids[i].name, name) == 0)
			return &n->kids[i];
	return NULL;
}

static int lnode_add(struct lnode *n, const char *name, int is_section)
{
	struct lnode *kids = realloc(n->kids, (n->nkids + 1) * sizeof(*kids));
	if (!kids)
		return -1;
	n->kids = kids;
	struct lnode *k = &kids[n->nkids];
	memset(k, 0, sizeof(*k));
	k->name = strdup(name);
	if (!n->label)
		k->label = strdup(name);
	else if (asprintf(&k->label, "%s/%s", n->label, name) < 0)
		k->label = NULL;
	k->is_section = is_section;
	if (!k->name || !k->label) {
		free(k->name);
		free(k->label);
		return -1;
	}
	n->nkids++;
	return 0;
}

static struct lnode *lnode_find(struct lnode *n, const cfg_t *cfg)
{
	if (n->cfg == cfg)
		return n;
	for (size_t i = 0; i < n->nkids; i++) {
		struct lnode *hit = lnode_find(&n->kids[i], cfg);
		if (hit)
			return hit;
	}
	return NULL;
}

static int lenient_sentinel(cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv);

/* Root: plugin_dir, the sentinel, then what was learned. */
#define LENIENT_FIXED 2
static cfg_opt_t *lnode_opts(const struct lnode *n, int is_root, const char *def)
{
	size_t fixed = is_root ? LENIENT_FIXED : 0;
	cfg_opt_t *opts = calloc(fixed + n->nkids + 1, sizeof(*opts));
	if (!opts)
		return NULL;
	if (is_root) {
		opts[0] = (cfg_opt_t)CFG_STR("plugin_dir", def, CFGF_NONE);
		opts[0].validcb = check_plugin_dir;
		opts[1] = (cfg_opt_t)CFG_FUNC(SENTINEL, lenient_sentinel);
	}
	for (size_t i = 0; i < n->nkids; i++) {
		const struct lnode *k = &n->kids[i];
		cfg_opt_t *o = &opts[fixed + i];
		if (!k->is_section) {
			*o = (cfg_opt_t)CFG_STR_LIST(k->name, 0, CFGF_NONE);
			continue;
		}
		cfg_opt_t *sub = lnode_opts(k, 0, NULL);
		if (!sub) {
			free_opts(opts);
			return NULL;
		}
		*o = (cfg_opt_t)CFG_SEC(k->name, sub, CFGF_NONE);
	}
	opts[fixed + n->nkids] = (cfg_opt_t)CFG_END();
	return opts;
}

/* Which cfg_t is which node: sections are not CFGF_MULTI, so cfg_init
 * creates each once and the parse reuses it. */
static void lnode_bind(struct lnode *n, cfg_t *cfg, size_t fixed)
{
	n->cfg = cfg;
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i].is_section)
			lnode_bind(&n->kids[i], cfg ?
				   cfg_opt_getnsec(&cfg->opts[fixed + i], 0) : NULL, 0);
}

static void __attribute__((format(printf, 2, 0)))
lenient_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	struct lenient *lc = lenient_active;
	if (!lc || lc->es->failed || lc->learned)
		return;
	struct lnode *node = lnode_find(&lc->root, cfg);
	const char *scope = node ? node->label : NULL;
	const char *name = message_subject(fmt, MSG_NO_SUCH_OPTION, ap);

	if (name && lc->with_sentinel && !strcmp(name, SENTINEL)) {
		fail_unclosed(lc->es, scope);
		return;
	}
	if (name && node && lc->learning) {
		/* Under detectors and sinks there are only sections. */
		int is_section = node->label && (!strcmp(node->label, "detectors") ||
						 !strcmp(node->label, "sinks"));
		if (lnode_add(node, name, is_section) < 0)
			fail(lc->es, NOWHERE, "out of memory");
		else
			lc->learned = 1;
		return;
	}
	name = message_subject(fmt, MSG_MISSING_EQUAL, ap);
	struct lnode *kid = name && node ? lnode_kid(node, name) : NULL;
	if (kid && !kid->is_section && lc->learning) {
		kid->is_section = 1;
		lc->learned = 1;
		return;
	}
	fail_libconfuse(lc->es, scope, fmt, ap);
}

static int lenient_sentinel(cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
	(void)cfg;
	(void)argc;
	(void)argv;
	struct lenient *lc = lenient_active;
	if (lc && lc->with_sentinel) {
		lc->reached_end = 1;
		return 0;
	}
	if (lc)
		fail(lc->es, AT_LINE, "unknown option '%s'", opt->name);
	return -1;
}

/* One parse of len bytes. 0: parsed, 1: learned something, -1: failed. */
static int lenient_parse(struct lenient *lc, const struct source *src, size_t len,
			 char **dir)
{
	cfg_opt_t *opts = lnode_opts(&lc->root, 1, lc->def);
	cfg_t *cfg = opts ? cfg_init(opts, CFGF_NONE) : NULL;
	free_opts(opts);
	if (!cfg) {
		fail(lc->es, NOWHERE, "out of memory");
		return -1;
	}
	cfg_set_error_function(cfg, lenient_error);
	lnode_bind(&lc->root, cfg, LENIENT_FIXED);
	lc->learned = 0;
	lc->reached_end = 0;

	struct lenient *outer = lenient_active;
	struct errsink *outer_sink = active_sink;
	lenient_active = lc;
	active_sink = lc->es;
	int rc = parse_text(cfg, src->buf, len);
	lenient_active = outer;
	active_sink = outer_sink;

	if (rc == CFG_SUCCESS && lc->with_sentinel && !lc->reached_end)
		fail(lc->es, AT_EOF, "unexpected end of file (a comment left open?)");
	else if (rc == CFG_SUCCESS && dir) {
		const char *d = cfg_getstr(cfg, "plugin_dir");
		*dir = d ? strdup(d) : NULL;
		if (d && !*dir)
			fail(lc->es, NOWHERE, "out of memory");
	} else if (rc != CFG_SUCCESS && !lc->learned) {
		fail(lc->es, AT_LINE, "cannot parse");  /* if libconfuse said nothing */
	}
	cfg_free(cfg);
	lnode_bind(&lc->root, NULL, 0);
	return lc->es->failed ? -1 : lc->learned ? 1 : 0;
}

static void lenient_try(void *pass, const struct source *src, size_t len,
			struct errsink *es)
{
	struct lenient lc = *(struct lenient *)pass;
	lc.es = es;
	lc.learning = 0;
	lc.with_sentinel = 0;
	lenient_parse(&lc, src, len, NULL);
}

/* plugin_dir as the source sets it (or def). 0, or -1 with es failed and
 * *line the line of the error (0: none). */
static int lenient_plugin_dir(const struct source *src, const char *def,
			      struct errsink *es, int *line, char **dir)
{
	struct lenient lc = { .es = es, .def = def, .learning = 1 };
	int rc = -1;

	*line = 0;
	/* What every real file holds needs no round of its own. */
	int seeded = lnode_add(&lc.root, "detectors", 1) == 0 &&
		     lnode_add(&lc.root, "sinks", 1) == 0 &&
		     lnode_add(&lc.root, "log_level", 0) == 0;
	for (size_t i = 0; seeded && i < NCORE; i++)
		seeded = lnode_add(&lc.root, core_ranges[i].name, 0) == 0;
	if (!seeded) {
		fail(es, NOWHERE, "out of memory");
		goto out;
	}
	for (int round = 0; round < MAX_LEARN_ROUNDS; round++) {
		rc = lenient_parse(&lc, src, src->len, NULL);
		if (rc <= 0)
			break;
	}
	if (rc > 0) {
		fail(es, NOWHERE, "too many distinct option names");
		rc = -1;
	}
	if (rc == 0) {
		lc.learning = 0;
		lc.with_sentinel = 1;
		rc = lenient_parse(&lc, src, WITH_SENTINEL(src), dir);
	}
	if (rc < 0 && es->where == AT_LINE)
		*line = find_line(lenient_try, &lc, src, es);
	else if (rc < 0 && es->where == AT_EOF)
		*line = src->lines;
out:
	lnode_free(&lc.root);
	return rc;
}

int st_config_plugin_dir(const char *path, int required, const char *def,
			 char **plugin_dir, char *err, size_t errlen)
{
	struct errsink es = { 0 };
	struct source src = { 0 };
	char *dir = NULL;
	int line = 0;

	int got = path ? source_read(path, required, &src, &es) : 1;
	if (got > 0) {
		dir = def ? strdup(def) : NULL;
		if (def && !dir)
			fail(&es, NOWHERE, "out of memory");
	} else if (got == 0) {
		lenient_plugin_dir(&src, def, &es, &line, &dir);
		free(src.buf);
	}
	if (es.failed) {
		free(dir);
		write_error(&es, path, line, err, errlen);
		return ST_EX_CONFIG;
	}
	*plugin_dir = dir;
	return 0;
}

/* ----------------------------------------------------- pass 2: strict */

enum scope_kind { SCOPE_ROOT, SCOPE_DETECTORS, SCOPE_SINKS, SCOPE_PLUGIN };

struct scope {
	cfg_t *cfg;
	enum scope_kind kind;
	size_t plugin;          /* SCOPE_PLUGIN: index into the plugins */
	char *label;            /* NULL at root */
};

static const char *const log_levels[] = { "err", "warning", "notice", "info", "debug" };

/* One strict parse; fresh for every parse, bisection included. */
struct strict {
	struct errsink *es;
	const struct st_plugin *const *plugins;
	size_t nplugins;
	const char *def_plugin_dir;
	int with_sentinel;
	int reached_end;
	cfg_t *cfg;
	struct scope *scopes;   /* root, detectors, sinks, then one per plugin */
	size_t nscopes;
	int *configured;        /* per plugin: its section was seen */
	/* Not worded yet: the message names plugin_dir, found afterwards. */
	char *unknown_plugin;
	enum scope_kind unknown_under;
};

static struct strict *strict_active;

static struct scope *scope_of(struct strict *sc, const cfg_t *cfg)
{
	for (size_t i = 0; i < sc->nscopes; i++)
		if (sc->scopes[i].cfg == cfg)
			return &sc->scopes[i];
	return NULL;
}

static const struct st_plugin *plugin_named(struct strict *sc, const char *name)
{
	for (size_t i = 0; i < sc->nplugins; i++)
		if (strcmp(sc->plugins[i]->name, name) == 0)
			return sc->plugins[i];
	return NULL;
}

static int is_root_name(const char *name)
{
	if (!strcmp(name, "detectors") || !strcmp(name, "sinks") ||
	    !strcmp(name, "plugin_dir") || !strcmp(name, "log_level"))
		return 1;
	for (size_t i = 0; i < NCORE; i++)
		if (!strcmp(name, core_ranges[i].name))
			return 1;
	return 0;
}

static void unknown_name(struct strict *sc, struct scope *s, const char *name)
{
	if (s->kind == SCOPE_PLUGIN) {
		fail(sc->es, AT_LINE, "unknown option '%s' in %s", name, s->label);
		return;
	}
	if (s->kind == SCOPE_ROOT) {
		fail(sc->es, AT_LINE, "unknown option '%s'", name);
		return;
	}
	const char *here = s->kind == SCOPE_DETECTORS ? "detectors" : "sinks";
	const char *there = s->kind == SCOPE_DETECTORS ? "sinks" : "detectors";
	const struct st_plugin *p = plugin_named(sc, name);
	if (p) {
		fail(sc->es, AT_LINE, "'%s' is a %s plugin: configure it under %s, not %s",
		     name, p->kind == ST_PLUGIN_DETECTOR ? "detector" : "sink",
		     there, here);
		return;
	}
	if (is_root_name(name)) {
		fail(sc->es, AT_LINE, "'%s' inside %s (a '}' missing before it?)",
		     name, here);
		return;
	}
	fail(sc->es, AT_LINE, "no %s plugin named '%s'",
	     s->kind == SCOPE_DETECTORS ? "detector" : "sink", name);
	sc->unknown_plugin = strdup(name);
	sc->unknown_under = s->kind;
}

static void __attribute__((format(printf, 2, 0)))
strict_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	struct strict *sc = strict_active;
	if (!sc || sc->es->failed)
		return;
	struct scope *s = scope_of(sc, cfg);
	const char *label = s ? s->label : NULL;
	const char *name = message_subject(fmt, MSG_NO_SUCH_OPTION, ap);

	if (name && sc->with_sentinel && !strcmp(name, SENTINEL))
		fail_unclosed(sc->es, label);
	else if (name && s)
		unknown_name(sc, s, name);
	else
		fail_libconfuse(sc->es, label, fmt, ap);
}

static int strict_sentinel(cfg_t *cfg, cfg_opt_t *opt, int argc, const char **argv)
{
	(void)cfg;
	(void)argc;
	(void)argv;
	struct strict *sc = strict_active;
	if (sc && sc->with_sentinel) {
		sc->reached_end = 1;
		return 0;
	}
	if (sc)
		fail(sc->es, AT_LINE, "unknown option '%s'", opt->name);
	return -1;
}

/* Bounds as people write them: 1000000, not 1e+06. */
static void format_number(char *buf, size_t len, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%g", v);
}

static int check_range(struct errsink *es, cfg_opt_t *opt, const char *scope,
		       double min, double max)
{
	double v = opt->type == CFGT_INT ? (double)cfg_opt_getnint(opt, 0)
					 : cfg_opt_getnfloat(opt, 0);
	char value[64], lo[32], hi[32];

	if (opt->type == CFGT_INT)
		snprintf(value, sizeof(value), "%ld", cfg_opt_getnint(opt, 0));
	else
		snprintf(value, sizeof(value), "%g", v);
	if (!isfinite(v)) {
		fail(es, AT_LINE, "%s = %s%s%s: not a finite number", opt->name, value,
		     scope ? " in " : "", scope ? scope : "");
		return -1;
	}
	if (min > max || (v >= min && v <= max))
		return 0;
	format_number(lo, sizeof(lo), min);
	format_number(hi, sizeof(hi), max);
	fail(es, AT_LINE, "%s = %s%s%s: out of range %s..%s", opt->name, value,
	     scope ? " in " : "", scope ? scope : "", lo, hi);
	return -1;
}

static int check_core_number(cfg_t *cfg, cfg_opt_t *opt)
{
	(void)cfg;
	struct strict *sc = strict_active;
	for (size_t i = 0; sc && i < NCORE; i++)
		if (!strcmp(opt->name, core_ranges[i].name))
			return check_range(sc->es, opt, NULL, core_ranges[i].min,
					   core_ranges[i].max);
	return 0;
}

static int check_log_level(cfg_t *cfg, cfg_opt_t *opt)
{
	(void)cfg;
	struct strict *sc = strict_active;
	const char *v = cfg_opt_getnstr(opt, 0);
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (v && !strcmp(v, log_levels[i]))
			return 0;
	if (sc)
		fail(sc->es, AT_LINE,
		     "log_level = '%s': expected err, warning, notice, info or debug",
		     v ? v : "");
	return -1;
}

static int check_plugin_number(cfg_t *cfg, cfg_opt_t *opt)
{
	struct strict *sc = strict_active;
	struct scope *s = sc ? scope_of(sc, cfg) : NULL;
	if (!s || s->kind != SCOPE_PLUGIN)
		return 0;
	if (!strcmp(opt->name, "cooldown"))
		return check_range(sc->es, opt, s->label, 0, 86400);
	const struct st_option *o = sc->plugins[s->plugin]->options;
	for (; o && o->type != ST_OPT_END; o++)
		if (!strcmp(o->name, opt->name))
			return check_range(sc->es, opt, s->label, o->min, o->max);
	return 0;
}

/* Called when a plugin's section closes (cfg is its parent). */
/* A string option with a closed set of values: a typo is a config error
 * with its line, not a plugin that silently stays off. */
static int check_plugin_choice(cfg_t *cfg, cfg_opt_t *opt)
{
	struct strict *sc = strict_active;
	struct scope *s = sc ? scope_of(sc, cfg) : NULL;
	if (!s || s->kind != SCOPE_PLUGIN)
		return 0;
	const struct st_option *o = sc->plugins[s->plugin]->options;
	for (; o && o->type != ST_OPT_END; o++)
		if (!strcmp(o->name, opt->name))
			break;
	if (!o || o->type == ST_OPT_END || !o->choices)
		return 0;
	const char *v = cfg_opt_getnstr(opt, 0);
	char expected[256] = "";
	for (const char *const *c = o->choices; *c; c++) {
		if (v && !strcmp(v, *c))
			return 0;
		size_t len = strlen(expected);
		snprintf(expected + len, sizeof(expected) - len, "%s%s",
			 len ? ", " : "", *c);
	}
	fail(sc->es, AT_LINE, "%s = '%s' in %s: expected one of %s",
	     opt->name, v ? v : "", s->label, expected);
	return -1;
}

static int mark_configured(cfg_t *cfg, cfg_opt_t *opt)
{
	(void)cfg;
	struct strict *sc = strict_active;
	struct scope *s = sc ? scope_of(sc, cfg_opt_getnsec(opt, 0)) : NULL;
	if (s && s->kind == SCOPE_PLUGIN)
		sc->configured[s->plugin] = 1;
	return 0;
}

/* Names the lexer reads as one bare word and cfg_getopt() as one name. */
static int valid_name(const char *name)
{
	if (!name || !*name || !strncmp(name, "__", 2))
		return 0;
	for (const char *c = name; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && *c != '_' && *c != '-' && *c != '.')
			return 0;
	return 1;
}

/* The descriptors come from plugins: refuse what would confuse the schema
 * (libconfuse would only print a duplicate name to stderr). */
static int check_plugins(const struct st_plugin *const *plugins, size_t n,
			 struct errsink *es)
{
	for (size_t i = 0; i < n; i++) {
		const struct st_plugin *p = plugins[i];
		if (!p || !valid_name(p->name)) {
			fail(es, NOWHERE, "plugin #%zu has no valid name", i);
			return -1;
		}
		if (p->kind != ST_PLUGIN_DETECTOR && p->kind != ST_PLUGIN_SINK) {
			fail(es, NOWHERE, "plugin '%s': unknown kind %d", p->name, (int)p->kind);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(plugins[j]->name, p->name)) {
				fail(es, NOWHERE, "two plugins named '%s'", p->name);
				return -1;
			}
		for (const struct st_option *o = p->options; o && o->type != ST_OPT_END; o++) {
			if (!valid_name(o->name) || o->type > ST_OPT_STRING) {
				fail(es, NOWHERE, "plugin '%s': invalid option '%s'",
				     p->name, o->name ? o->name : "(null)");
				return -1;
			}
			if (!strcmp(o->name, "enabled") || !strcmp(o->name, "cooldown")) {
				fail(es, NOWHERE, "plugin '%s': option name '%s' is reserved",
				     p->name, o->name);
				return -1;
			}
			for (const struct st_option *q = p->options; q < o; q++)
				if (!strcmp(q->name, o->name)) {
					fail(es, NOWHERE, "plugin '%s': option '%s' declared twice",
					     p->name, o->name);
					return -1;
				}
		}
	}
	return 0;
}

static size_t count_options(const struct st_plugin *p)
{
	size_t n = 0;
	while (p->options && p->options[n].type != ST_OPT_END)
		n++;
	return n;
}

static cfg_opt_t *plugin_opts(const struct st_plugin *p)
{
	size_t n = count_options(p);
	cfg_opt_t *opts = calloc(n + 3, sizeof(*opts));
	if (!opts)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct st_option *o = &p->options[i];
		switch (o->type) {
		case ST_OPT_BOOL:
			opts[i] = (cfg_opt_t)CFG_BOOL(o->name, o->def.b ? cfg_true : cfg_false,
						      CFGF_NONE);
			break;
		case ST_OPT_INT:
			opts[i] = (cfg_opt_t)CFG_INT(o->name, o->def.i, CFGF_NONE);
			opts[i].validcb = check_plugin_number;
			break;
		case ST_OPT_FLOAT:
			opts[i] = (cfg_opt_t)CFG_FLOAT(o->name, o->def.f, CFGF_NONE);
			opts[i].validcb = check_plugin_number;
			break;
		default:
			opts[i] = (cfg_opt_t)CFG_STR(o->name, o->def.s, CFGF_NONE);
			if (o->choices)
				opts[i].validcb = check_plugin_choice;
			break;
		}
	}
	opts[n] = (cfg_opt_t)CFG_BOOL("enabled", cfg_true, CFGF_NONE);
	if (p->kind == ST_PLUGIN_DETECTOR) {
		opts[n + 1] = (cfg_opt_t)CFG_FLOAT("cooldown", 5, CFGF_NONE);
		opts[n + 1].validcb = check_plugin_number;
		opts[n + 2] = (cfg_opt_t)CFG_END();
	} else {
		opts[n + 1] = (cfg_opt_t)CFG_END();
	}
	return opts;
}

static cfg_opt_t *kind_opts(struct strict *sc, enum st_plugin_kind kind)
{
	cfg_opt_t *opts = calloc(sc->nplugins + 1, sizeof(*opts));
	size_t n = 0;
	if (!opts)
		return NULL;
	for (size_t i = 0; i < sc->nplugins; i++) {
		if (sc->plugins[i]->kind != kind)
			continue;
		cfg_opt_t *sub = plugin_opts(sc->plugins[i]);
		if (!sub) {
			free_opts(opts);
			return NULL;
		}
		opts[n] = (cfg_opt_t)CFG_SEC(sc->plugins[i]->name, sub, CFGF_NONE);
		opts[n++].validcb = mark_configured;
	}
	opts[n] = (cfg_opt_t)CFG_END();
	return opts;
}

static int strict_init(struct strict *sc)
{
	cfg_opt_t root[] = {
		CFG_FLOAT("interval", 1.0, CFGF_NONE),
		CFG_INT("history", 60, CFGF_NONE),
		CFG_INT("pre_trigger", 10, CFGF_NONE),
		CFG_INT("post_trigger", 3, CFGF_NONE),
		CFG_INT("top", 10, CFGF_NONE),
		CFG_FLOAT("max_dumps_per_minute", 6, CFGF_NONE),
		CFG_STR("plugin_dir", sc->def_plugin_dir, CFGF_NONE),
		CFG_STR("log_level", "info", CFGF_NONE),
		CFG_SEC("detectors", NULL, CFGF_NONE),
		CFG_SEC("sinks", NULL, CFGF_NONE),
		CFG_FUNC(SENTINEL, strict_sentinel),
		CFG_END()
	};
	for (size_t i = 0; i < NCORE; i++)
		root[i].validcb = check_core_number;
	root[6].validcb = check_plugin_dir;
	root[7].validcb = check_log_level;
	root[8].subopts = kind_opts(sc, ST_PLUGIN_DETECTOR);
	root[9].subopts = kind_opts(sc, ST_PLUGIN_SINK);
	sc->configured = calloc(sc->nplugins + 1, sizeof(*sc->configured));
	sc->scopes = calloc(3 + sc->nplugins, sizeof(*sc->scopes));
	if (root[8].subopts && root[9].subopts && sc->configured && sc->scopes)
		sc->cfg = cfg_init(root, CFGF_NONE);
	free_opts(root[8].subopts);
	free_opts(root[9].subopts);
	if (!sc->cfg)
		return -1;
	cfg_set_error_function(sc->cfg, strict_error);

	sc->nscopes = 3 + sc->nplugins;
	sc->scopes[0] = (struct scope){ sc->cfg, SCOPE_ROOT, 0, NULL };
	sc->scopes[1] = (struct scope){ cfg_getsec(sc->cfg, "detectors"),
					SCOPE_DETECTORS, 0, strdup("detectors") };
	sc->scopes[2] = (struct scope){ cfg_getsec(sc->cfg, "sinks"),
					SCOPE_SINKS, 0, strdup("sinks") };
	if (!sc->scopes[1].label || !sc->scopes[2].label)
		return -1;
	for (size_t i = 0; i < sc->nplugins; i++) {
		const struct st_plugin *p = sc->plugins[i];
		struct scope *parent = &sc->scopes[p->kind == ST_PLUGIN_DETECTOR ? 1 : 2];
		struct scope *s = &sc->scopes[3 + i];
		s->kind = SCOPE_PLUGIN;
		s->plugin = i;
		s->cfg = cfg_getsec(parent->cfg, p->name);
		if (asprintf(&s->label, "%s/%s", parent->label, p->name) < 0) {
			s->label = NULL;
			return -1;
		}
	}
	return 0;
}

static void strict_release(struct strict *sc)
{
	if (sc->cfg)
		cfg_free(sc->cfg);
	for (size_t i = 0; i < sc->nscopes; i++)
		free(sc->scopes[i].label);
	free(sc->scopes);
	free(sc->configured);
	free(sc->unknown_plugin);
	sc->cfg = NULL;
	sc->scopes = NULL;
	sc->nscopes = 0;
	sc->configured = NULL;
	sc->unknown_plugin = NULL;
}

/* One strict parse of len bytes; sc->cfg holds what was read, even on
 * failure. 0, or -1 with sc->es failed. */
static int strict_parse(struct strict *sc, const struct source *src, size_t len)
{
	if (strict_init(sc) < 0) {
		fail(sc->es, NOWHERE, "out of memory");
		return -1;
	}
	struct strict *outer = strict_active;
	struct errsink *outer_sink = active_sink;
	strict_active = sc;
	active_sink = sc->es;
	int rc = parse_text(sc->cfg, src->buf, len);
	strict_active = outer;
	active_sink = outer_sink;

	if (rc == CFG_SUCCESS && sc->with_sentinel && !sc->reached_end)
		fail(sc->es, AT_EOF, "unexpected end of file (a comment left open?)");
	else if (rc != CFG_SUCCESS)
		fail(sc->es, AT_LINE, "cannot parse");  /* if libconfuse said nothing */
	return sc->es->failed ? -1 : 0;
}

static void strict_try(void *pass, const struct source *src, size_t len,
		       struct errsink *es)
{
	struct strict sc = *(struct strict *)pass;
	sc.es = es;
	sc.with_sentinel = 0;
	sc.cfg = NULL;
	sc.scopes = NULL;
	sc.nscopes = 0;
	sc.configured = NULL;
	sc.unknown_plugin = NULL;
	strict_parse(&sc, src, len);
	strict_release(&sc);
}

/* The unknown plugin's message gets the directory pass 1 would give. */
static void name_plugin_dir(struct strict *sc, const struct source *src)
{
	struct errsink quiet = { 0 };
	char *dir = NULL;
	int line;
	if (lenient_plugin_dir(src, sc->def_plugin_dir, &quiet, &line, &dir) < 0) {
		free(dir);
		dir = NULL;
	}
	const char *shown = dir ? dir : sc->def_plugin_dir;
	size_t used = strlen(sc->es->reason);
	snprintf(sc->es->reason + used, sizeof(sc->es->reason) - used,
		 " (looked in %s)", shown ? shown : "the plugin directory");
	free(dir);
}

struct window {
	long history, pre, post;
};

static struct window window_of(cfg_t *cfg)
{
	return (struct window){ cfg_getint(cfg, "history"),
				cfg_getint(cfg, "pre_trigger"),
				cfg_getint(cfg, "post_trigger") };
}

/* The line where the window became what it is: the fewest leading lines
 * that already give the final three values. */
static int window_line(const struct strict *pass, const struct source *src,
		       struct window final)
{
	int lo = 1, hi = src->lines;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		struct errsink t = { 0 };
		struct strict sc = { .es = &t, .plugins = pass->plugins,
				     .nplugins = pass->nplugins,
				     .def_plugin_dir = pass->def_plugin_dir };
		strict_parse(&sc, src, source_prefix(src, mid));
		struct window w = sc.cfg ? window_of(sc.cfg) : (struct window){ 0 };
		strict_release(&sc);
		if (!memcmp(&w, &final, sizeof(w)))
			hi = mid;
		else
			lo = mid + 1;
	}
	return hi;
}

/* All of one plugin's values in one block, strings after the array: the
 * header gives st_config_free no option types, so it just frees values. */
static int read_plugin_values(cfg_t *sec, const struct st_plugin *p,
			      struct st_plugin_config *pc)
{
	size_t n = count_options(p), bytes = n * sizeof(union st_value);
	for (size_t i = 0; i < n; i++) {
		const char *s = p->options[i].type == ST_OPT_STRING ?
				cfg_getstr(sec, p->options[i].name) : NULL;
		if (s)
			bytes += strlen(s) + 1;
	}
	pc->nvalues = n;
	pc->values = NULL;
	if (n == 0)
		return 0;
	pc->values = calloc(1, bytes);
	if (!pc->values)
		return -1;
	char *strings = (char *)(pc->values + n);
	for (size_t i = 0; i < n; i++) {
		const char *name = p->options[i].name;
		union st_value *v = &pc->values[i];
		switch (p->options[i].type) {
		case ST_OPT_BOOL:
			v->b = cfg_getbool(sec, name) ? 1 : 0;
			break;
		case ST_OPT_INT:
			v->i = cfg_getint(sec, name);
			break;
		case ST_OPT_FLOAT:
			v->f = cfg_getfloat(sec, name);
			break;
		default: {
			const char *s = cfg_getstr(sec, name);
			v->s = NULL;
			if (s) {
				size_t len = strlen(s) + 1;
				memcpy(strings, s, len);
				v->s = strings;
				strings += len;
			}
			break;
		}
		}
	}
	return 0;
}

static int fill_config(struct strict *sc, const char *path, struct st_config *c)
{
	cfg_t *cfg = sc->cfg;
	const char *dir = cfg_getstr(cfg, "plugin_dir");
	memset(c, 0, sizeof(*c));
	c->interval_s = cfg_getfloat(cfg, "interval");
	c->history = (unsigned)cfg_getint(cfg, "history");
	c->pre_trigger = (unsigned)cfg_getint(cfg, "pre_trigger");
	c->post_trigger = (unsigned)cfg_getint(cfg, "post_trigger");
	c->top = (unsigned)cfg_getint(cfg, "top");
	c->max_dumps_per_minute = cfg_getfloat(cfg, "max_dumps_per_minute");
	c->path = path ? strdup(path) : NULL;
	c->plugin_dir = dir ? strdup(dir) : NULL;
	c->log_level = strdup(cfg_getstr(cfg, "log_level"));
	c->nplugins = sc->nplugins;
	c->plugins = sc->nplugins ? calloc(sc->nplugins, sizeof(*c->plugins)) : NULL;
	if ((path && !c->path) || (dir && !c->plugin_dir) || !c->log_level ||
	    (sc->nplugins && !c->plugins))
		return -1;
	for (size_t i = 0; i < sc->nplugins; i++) {
		const struct st_plugin *p = sc->plugins[i];
		struct st_plugin_config *pc = &c->plugins[i];
		cfg_t *sec = sc->scopes[3 + i].cfg;
		int on = cfg_getbool(sec, "enabled") ? 1 : 0;
		pc->configured = sc->configured[i];
		if (p->kind == ST_PLUGIN_DETECTOR) {
			pc->enabled = on;
			pc->cooldown_s = cfg_getfloat(sec, "cooldown");
		} else {
			pc->enabled = pc->configured && on;
		}
		if (read_plugin_values(sec, p, pc) < 0)
			return -1;
	}
	return 0;
}

int st_config_load(const char *path, int required, const char *def_plugin_dir,
		   const struct st_plugin *const *plugins, size_t nplugins,
		   struct st_config *out, char *err, size_t errlen)
{
	struct errsink es = { 0 };
	struct strict sc = { .es = &es, .plugins = plugins, .nplugins = nplugins,
			     .def_plugin_dir = def_plugin_dir };
	struct source src = { 0 };
	struct st_config c = { 0 };
	int line = 0;

	int got = path ? source_read(path, required, &src, &es) : 1;
	if (got < 0)
		goto out;
	if (got > 0) {
		path = NULL;
		if (source_empty(&src, &es) < 0)
			goto out;
	}
	if (check_plugins(plugins, nplugins, &es) < 0) {
		path = NULL;    /* the plugins' fault, not the file's */
		goto out;
	}

	/* The first error is that of the file as it is; only a file that
	 * parses is asked whether it ended where it should. */
	if (strict_parse(&sc, &src, src.len) == 0) {
		struct strict whole = { .es = &es, .plugins = plugins,
					.nplugins = nplugins,
					.def_plugin_dir = def_plugin_dir,
					.with_sentinel = 1 };
		strict_parse(&whole, &src, WITH_SENTINEL(&src));
		strict_release(&whole);
	}
	if (es.failed && es.where == AT_LINE) {
		line = find_line(strict_try, &sc, &src, &es);
		if (sc.unknown_plugin)
			name_plugin_dir(&sc, &src);
	} else if (es.failed && es.where == AT_EOF) {
		line = src.lines;
	}
	if (es.failed)
		goto out;

	struct window w = window_of(sc.cfg);
	if (w.pre + w.post >= w.history) {
		fail(&es, AT_LINE,
		     "pre_trigger + post_trigger (%ld + %ld) must be less than history (%ld)",
		     w.pre, w.post, w.history);
		line = window_line(&sc, &src, w);
		goto out;
	}
	if (fill_config(&sc, path, &c) < 0) {
		st_config_free(&c);
		fail(&es, NOWHERE, "out of memory");
		goto out;
	}
	*out = c;
out:
	strict_release(&sc);
	free(src.buf);
	if (!es.failed)
		return 0;
	write_error(&es, path, line, err, errlen);
	return ST_EX_CONFIG;
}

void st_config_free(struct st_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nplugins && cfg->plugins; i++)
		free(cfg->plugins[i].values);
	free(cfg->plugins);
	free(cfg->path);
	free(cfg->plugin_dir);
	free(cfg->log_level);
	memset(cfg, 0, sizeof(*cfg));
}
