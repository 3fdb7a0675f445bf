/* What the file-writing sinks share: a write that finishes. */
#ifndef ST_SINK_WRITE_ALL_H
#define ST_SINK_WRITE_ALL_H

#include <stddef.h>

/* All len bytes to fd, through short writes and EINTR. Returns 0, or -1
 * with errno from the write that failed. */
int sink_write_all(int fd, const char *p, size_t len);

#endif
