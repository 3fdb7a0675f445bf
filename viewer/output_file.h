/* A file the viewer writes (a report, a trace): all of it or nothing, so
 * a failure never leaves a partial file where the user looks. */
#ifndef ST_VIEW_OUTPUT_FILE_H
#define ST_VIEW_OUTPUT_FILE_H

#include <stddef.h>

/* data (len bytes) into path, through a temporary file in the same
 * directory that is flushed to disk and renamed over path. Returns 0, or
 * -1 with the reason in err (the temporary file removed, path untouched). */
int view_write_atomic(const char *path, const char *data, size_t len, char *err,
		      size_t errlen);

#endif
