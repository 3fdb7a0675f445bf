/* Where the daemon writes its dumps, as its configuration says. */
#ifndef ST_VIEW_DUMP_DIR_H
#define ST_VIEW_DUMP_DIR_H

/* The json_file sink's `dir` in the config at path (read without the
 * plugins: the core's options checked as the daemon checks them, the
 * plugins' sections only for their syntax), or the built-in default when
 * the file does not exist or sets no dir. malloc'd; NULL after a one-line
 * error when the config is broken. */
char *view_configured_dump_dir(const char *config_path, int explicit);

#endif
