/*
 * The schema of spiketrace.conf, one for both passes (config.c): a tree of
 * names whose root holds the core's options (cf_core_options, checked as
 * a plugin's are) and the detectors and sinks lists, each holding a
 * section per plugin with its option table, its enabled flag and, for a
 * detector, its cooldown. A lenient pass knows no plugin yet: it learns
 * every name it is refused and parses again. Private to core/config*.c.
 */
#ifndef ST_CONFIG_SCHEMA_H
#define ST_CONFIG_SCHEMA_H

#include "config/config.h"
#include "config/config_parse.h"

/* The root's names, in this order: the core's options, then the lists. */
enum { O_INTERVAL, O_HISTORY, O_PRE, O_POST, O_TOP, O_RATE, O_MAX_INCIDENT, O_EVENTS_BUFFER,
       O_FAST, O_PLUGIN_DIR, O_LOG_LEVEL, O_EXIT_EVENTS, O_NCORE,
       O_DETECTORS = O_NCORE, O_SINKS };

extern const struct st_option cf_core_options[O_NCORE];

/* A name of the file's schema. A node's kids are its cfg_opt_t array,
 * in order: index i of one is index i of the other. */
struct node {
	char *name;
	char *label;                    /* "detectors/cpu_delta" in messages */
	const struct st_option *spec;   /* a typed option; NULL: a section or a learned name */
	int section;
	int holds;                      /* detectors, sinks: the kind of their sections */
	int lenient;                    /* a name refused here is learned (while learning) */
	int line;                       /* libconfuse's count where the latest parse set it
	                                   (a section: opened it); 0: not set */
	int line_closed;                /* a section with nothing set in it: line is
	                                   its first closing '}' */
	struct node *kids;
	size_t nkids;
	cfg_t *cfg;                     /* a section's, during a parse */
};

struct parse {
	struct node root;
	const struct st_plugin *const *plugins;
	size_t nplugins;
	struct st_option plugin_dir;    /* core_options' with the caller's default */
	int learning;                   /* a name refused in a lenient node is learned */
	const struct source *src;
	/* The latest parse. */
	struct errsink *es;
	cfg_t *cfg;
	int learned, reached_end;
	int unknown_plugin;             /* "no detector plugin named X": said with plugin_dir */
};

enum schema_mode {
	SCHEMA_STRICT,          /* pass 2: every name known, every value checked */
	SCHEMA_PLUGIN_DIR,      /* pass 1: plugin_dir checked, every other name learned */
	SCHEMA_CORE,            /* the core's names checked, the plugins' sections learned */
};

/* The root's names, detectors and sinks, and (strict) each plugin's
 * section; p->learning set unless strict. */
int cf_schema_init(struct parse *p, const char *def_plugin_dir, enum schema_mode mode);
/* The whole file into p->cfg (kept, even on failure), learning names
 * while p->learning. 0, or -1 with p->es failed. */
int cf_parse(struct parse *p);
/* The option at a path of names ({"sinks", "json_file", "dir"}) in p->cfg
 * (its node in *node, if not NULL), or NULL when the schema has none there. */
cfg_opt_t *cf_lookup(const struct parse *p, const char *const *names, size_t n,
		     const struct node **node);
/* An option's value as the plugin ABI holds it (a string: libconfuse's). */
union st_value cf_value(cfg_opt_t *o, uint32_t type);
void cf_parse_free(struct parse *p);

#endif
