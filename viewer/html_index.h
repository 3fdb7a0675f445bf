/* spiketrace-view --html OUT_DIR DIR: the dumps of a directory as pages
 * and an index. */
#ifndef ST_VIEW_HTML_INDEX_H
#define ST_VIEW_HTML_INDEX_H

/* Into out_dir (made when missing): NAME.html for every dump NAME.json of
 * dir, and index.html listing them newest first, linked, with the
 * incidents per hour and the processes that trigger most. Each file is
 * written whole or not at all; a dump that cannot be read is said, listed
 * with its reason, and makes the status 1. Returns 0 or 1. */
int view_write_html_dir(const char *out_dir, const char *dir);

#endif
