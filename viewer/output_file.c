/* Atomic output files (output_file.h). */
#define _GNU_SOURCE
#include "output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sync the directory too, so that the rename survives a crash. */
static void sync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int view_write_atomic(const char *path, const char *data, size_t len,
		      char *err, size_t errlen)
{
	char *tmp = NULL;
	const char *what;
	int fd = -1;

	if (asprintf(&tmp, "%s.tmpXXXXXX", path) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	what = "cannot create a temporary file beside it";
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto fail;
	/* mkstemp makes it 0600; an output file is as readable as any other
	 * file the user creates. */
	{
		mode_t mask = umask(0);
		umask(mask);
		what = "cannot set the file's mode";
		if (fchmod(fd, 0666 & ~mask) < 0)
			goto fail;
	}
	what = "cannot write";
	if (write_all(fd, data, len) < 0)
		goto fail;
	what = "cannot sync";
	if (fsync(fd) < 0)
		goto fail;
	what = "cannot close";
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	what = "cannot rename the temporary file over it";
	if (rename(tmp, path) < 0)
		goto fail;
	free(tmp);
	/* The file is whole by now whatever follows: a directory that will
	 * not sync only leaves the rename less durable, so it is no failure. */
	sync_dir_of(path);
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	return -1;
}
