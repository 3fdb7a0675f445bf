/* Where the daemon writes its dumps, as its configuration says. */
#ifndef ST_VIEW_DUMP_DIR_H
#define ST_VIEW_DUMP_DIR_H

/* The json_file sink's `dir` in the config at path (its plugins loaded
 * and the file checked as the daemon does), or the built-in default when
 * the file does not exist or configures no json_file. malloc'd; NULL
 * after a one-line error when the config is broken. */
char *view_configured_dump_dir(const char *config_path, int explicit);

#endif
