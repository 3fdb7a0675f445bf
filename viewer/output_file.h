/*
 * An output file written whole or not at all: a reader (a browser, a
 * trace viewer, a script watching the directory) never sees half of it,
 * and a failure leaves no file behind.
 */
#ifndef VIEW_OUTPUT_FILE_H
#define VIEW_OUTPUT_FILE_H

#include <stddef.h>

/* Write len bytes of data to path: into a temporary file beside it
 * (path.tmpXXXXXX, so the rename stays on one file system), synced, then
 * renamed over path. Returns 0, or -1 with the reason in err (errlen
 * bytes; the reason does not repeat the path) and no temporary left. */
int view_write_atomic(const char *path, const char *data, size_t len,
		      char *err, size_t errlen);

#endif
