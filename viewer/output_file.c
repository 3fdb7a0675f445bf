#define _GNU_SOURCE
#include "output_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int view_write_atomic(const char *path, const char *data, size_t len, char *err,
		      size_t errlen)
{
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a file beside it: %s", strerror(errno));
		free(tmp);
		return -1;
	}
	/* Readable like a file the user made (mkstemp gives 0600). */
	mode_t mask = umask(0);
	umask(mask);
	const char *what = "write";
	int rc = fchmod(fd, 0666 & ~mask);
	for (size_t done = 0; rc == 0 && done < len;) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		done += (size_t)n;
	}
	if (rc == 0 && fsync(fd) < 0) {
		what = "fsync";
		rc = -1;
	}
	int saved = errno;
	if (close(fd) < 0 && rc == 0) {
		what = "close";
		saved = errno;
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		what = "rename";
		saved = errno;
		rc = -1;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", what, strerror(saved ? saved : EIO));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}
