/*
 * st_proc_memory_read: a trigger's candidate measured now. Called on the
 * trigger path, when memory is short: stack buffers, no allocation.
 */
#define _GNU_SOURCE
#include "proc/proc_memory.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc/proc_parse.h"

/* status is about 1.5 KiB, smaps_rollup and stat under 1 KiB; a longer
 * line (a Groups line of thousands of groups) is skipped, not cut. */
#define PROC_MEMORY_BUF 4096

static int open_in(int dirfd, const char *name)
{
	int fd;
	do
		fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static ssize_t read_some(int fd, char *buf, size_t len)
{
	ssize_t n;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* The whole of a small file (stat); -1 when unreadable or larger. */
static ssize_t read_small(int dirfd, const char *name, char *buf, size_t cap)
{
	int fd = open_in(dirfd, name);
	if (fd < 0)
		return -1;
	size_t len = 0;
	ssize_t n = 0;
	while (len < cap && (n = read_some(fd, buf + len, cap - len)) > 0)
		len += (size_t)n;
	close(fd);
	return n < 0 || len == cap ? -1 : (ssize_t)len;
}

/* Feed a file to the parser in pieces of whole lines. Returns 0, or -1
 * when it cannot be opened or read. */
static int read_lines(int dirfd, const char *name, char *buf, size_t cap,
		      struct st_mem_lines *acc)
{
	int fd = open_in(dirfd, name);
	if (fd < 0)
		return -1;
	size_t len = 0;
	int skipping = 0;           /* inside a line longer than buf */
	int rc = 0;
	for (;;) {
		ssize_t n = read_some(fd, buf + len, cap - len);
		if (n < 0) {
			rc = -1;
			break;
		}
		len += (size_t)n;
		const char *start = buf;
		if (skipping) {
			const char *nl = memchr(buf, '\n', len);
			if (!nl) {
				len = 0;
				if (n == 0)
					break;
				continue;
			}
			start = nl + 1;
			skipping = 0;
		}
		const char *last = n == 0 ? buf + len :
			memrchr(start, '\n', (size_t)(buf + len - start));
		if (last && last >= start) {
			size_t whole = (size_t)(last - start) + (n == 0 ? 0 : 1);
			st_parse_mem_lines(start, whole, acc);
			start += whole;
		}
		if (n == 0)
			break;
		size_t rest = (size_t)(buf + len - start);
		if (rest == cap) {
			skipping = 1;       /* no newline in a full buffer */
			rest = 0;
		}
		memmove(buf, start, rest);
		len = rest;
	}
	close(fd);
	return rc;
}

int st_proc_memory_read(int root_fd, int32_t pid, uint64_t start_ticks,
			struct st_proc_memory *out)
{
	char buf[PROC_MEMORY_BUF], name[16];
	struct st_pid_stat st;
	struct st_mem_lines acc;
	struct st_proc_memory m;

	if (!out || out->size < 2 * sizeof(uint32_t) || pid <= 0)
		return -1;
	snprintf(name, sizeof(name), "%d", (int)pid);
	int dirfd;
	do
		dirfd = openat(root_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (dirfd < 0 && errno == EINTR);
	if (dirfd < 0)
		return -1;
	/* Identity first: the directory fd now pins this process, so what
	 * is read below is its, or nothing. */
	ssize_t n = read_small(dirfd, "stat", buf, sizeof(buf));
	if (n < 0 || st_parse_pid_stat(buf, (size_t)n, &st) != 0 ||
	    st.pid != pid || st.start_ticks != start_ticks) {
		close(dirfd);
		return -1;
	}
	memset(&acc, 0, sizeof(acc));
	read_lines(dirfd, "status", buf, sizeof(buf), &acc);
	/* Only the same user or root may read smaps_rollup; its absence
	 * leaves private unknown, which the caller handles. */
	read_lines(dirfd, "smaps_rollup", buf, sizeof(buf), &acc);
	close(dirfd);
	st_mem_lines_result(&acc, &m);
	if (!(m.have & ST_PROC_MEM_RSS)) {
		long page = sysconf(_SC_PAGESIZE);
		m.rss_kib = st.rss_pages * (uint64_t)(page > 0 ? page / 1024 : 4);
		m.have |= ST_PROC_MEM_RSS;
	}
	/* A caller built against an older, shorter struct gets what fits. */
	uint32_t size = out->size < sizeof(m) ? out->size : (uint32_t)sizeof(m);
	m.size = size;
	memcpy(out, &m, size);
	return 0;
}
