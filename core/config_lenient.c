/*
 * Pass 1 over spiketrace.conf: find plugin_dir before any plugin is loaded,
 * in a file whose plugin sections nobody knows yet. It learns the file's
 * names as it goes (see config_parse.h for why libconfuse needs that).
 */
#define _GNU_SOURCE
#include "config.h"
#include "config_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		opts[0].validcb = cf_check_plugin_dir;
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
			cf_free_opts(opts);
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
	const char *name = cf_message_subject(fmt, MSG_NO_SUCH_OPTION, ap);

	if (name && lc->with_sentinel && !strcmp(name, SENTINEL)) {
		cf_fail_unclosed(lc->es, scope);
		return;
	}
	if (name && node && lc->learning) {
		/* Under detectors and sinks there are only sections. */
		int is_section = node->label && (!strcmp(node->label, "detectors") ||
						 !strcmp(node->label, "sinks"));
		if (lnode_add(node, name, is_section) < 0)
			cf_fail(lc->es, NOWHERE, "out of memory");
		else
			lc->learned = 1;
		return;
	}
	name = cf_message_subject(fmt, MSG_MISSING_EQUAL, ap);
	struct lnode *kid = name && node ? lnode_kid(node, name) : NULL;
	if (kid && !kid->is_section && lc->learning) {
		kid->is_section = 1;
		lc->learned = 1;
		return;
	}
	cf_fail_libconfuse(lc->es, scope, fmt, ap);
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
		cf_fail(lc->es, AT_LINE, "unknown option '%s'", opt->name);
	return -1;
}

/* One parse of len bytes. 0: parsed, 1: learned something, -1: failed. */
static int lenient_parse(struct lenient *lc, const struct source *src, size_t len,
			 char **dir)
{
	cfg_opt_t *opts = lnode_opts(&lc->root, 1, lc->def);
	cfg_t *cfg = opts ? cfg_init(opts, CFGF_NONE) : NULL;
	cf_free_opts(opts);
	if (!cfg) {
		cf_fail(lc->es, NOWHERE, "out of memory");
		return -1;
	}
	cfg_set_error_function(cfg, lenient_error);
	lnode_bind(&lc->root, cfg, LENIENT_FIXED);
	lc->learned = 0;
	lc->reached_end = 0;

	struct lenient *outer = lenient_active;
	struct errsink *outer_sink = cf_active_sink;
	lenient_active = lc;
	cf_active_sink = lc->es;
	int rc = cf_parse_text(cfg, src->buf, len);
	lenient_active = outer;
	cf_active_sink = outer_sink;

	if (rc == CFG_SUCCESS && lc->with_sentinel && !lc->reached_end)
		cf_fail(lc->es, AT_EOF, "unexpected end of file (a comment left open?)");
	else if (rc == CFG_SUCCESS && dir) {
		const char *d = cfg_getstr(cfg, "plugin_dir");
		*dir = d ? strdup(d) : NULL;
		if (d && !*dir)
			cf_fail(lc->es, NOWHERE, "out of memory");
	} else if (rc != CFG_SUCCESS && !lc->learned) {
		cf_fail(lc->es, AT_LINE, "cannot parse");  /* if libconfuse said nothing */
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

int cf_lenient_plugin_dir(const struct source *src, const char *def,
			  struct errsink *es, int *line, char **dir)
{
	struct lenient lc = { .es = es, .def = def, .learning = 1 };
	int rc = -1;

	*line = 0;
	/* What every real file holds needs no round of its own. */
	int seeded = lnode_add(&lc.root, "detectors", 1) == 0 &&
		     lnode_add(&lc.root, "sinks", 1) == 0 &&
		     lnode_add(&lc.root, "log_level", 0) == 0;
	for (size_t i = 0; seeded && i < cf_ncore; i++)
		seeded = lnode_add(&lc.root, cf_core_ranges[i].name, 0) == 0;
	if (!seeded) {
		cf_fail(es, NOWHERE, "out of memory");
		goto out;
	}
	for (int round = 0; round < MAX_LEARN_ROUNDS; round++) {
		rc = lenient_parse(&lc, src, src->len, NULL);
		if (rc <= 0)
			break;
	}
	if (rc > 0) {
		cf_fail(es, NOWHERE, "too many distinct option names");
		rc = -1;
	}
	if (rc == 0) {
		lc.learning = 0;
		lc.with_sentinel = 1;
		rc = lenient_parse(&lc, src, WITH_SENTINEL(src), dir);
	}
	if (rc < 0 && es->where == AT_LINE)
		*line = cf_find_line(lenient_try, &lc, src, es);
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

	int got = path ? cf_source_read(path, required, &src, &es) : 1;
	if (got > 0) {
		dir = def ? strdup(def) : NULL;
		if (def && !dir)
			cf_fail(&es, NOWHERE, "out of memory");
	} else if (got == 0) {
		cf_lenient_plugin_dir(&src, def, &es, &line, &dir);
		free(src.buf);
	}
	if (es.failed) {
		free(dir);
		cf_write_error(&es, path, line, err, errlen);
		return ST_EX_CONFIG;
	}
	*plugin_dir = dir;
	return 0;
}
