#define _GNU_SOURCE
#include "evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_parse.h"

/* Reads up to cap bytes, looping because /proc hands large files out a
 * page at a time. Returns the count or -1. */
static ssize_t read_fd(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int open_at(int dirfd, const char *rel)
{
	return openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
}

static ssize_t read_at(int dirfd, const char *rel, char *buf, size_t cap)
{
	int fd = open_at(dirfd, rel);
	if (fd < 0)
		return -1;
	ssize_t n = read_fd(fd, buf, cap);
	close(fd);
	return n;
}

static int parse_id(const char **p, int64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(*p, &end, 10);
	if (end == *p || errno || v > UINT32_MAX)
		return -1;
	*out = (int64_t)v;
	*p = end;
	return 0;
}

/*
 * "Uid:\t<real>\t<effective>\t<saved>\t<fs>" from status. The owner of
 * /proc/PID is no substitute: it is root for any process that is not
 * dumpable (setuid programs, prctl(PR_SET_DUMPABLE, 0)).
 */
static void parse_uids(const char *status, struct st_evidence_proc *out)
{
	const char *p = strncmp(status, "Uid:", 4) == 0 ? status : strstr(status, "\nUid:");
	int64_t uid, euid;
	if (!p)
		return;
	p += *p == '\n' ? 5 : 4;
	if (parse_id(&p, &uid) < 0 || parse_id(&p, &euid) < 0)
		return;
	out->uid = uid;
	out->euid = euid;
}

/* The NUL-separated arguments as one line; cut (and flagged) when longer
 * than the buffer. */
static void read_cmdline(int dirfd, struct st_evidence_proc *out)
{
	char *buf = out->cmdline, more;
	const size_t cap = sizeof(out->cmdline) - 1;
	int fd = open_at(dirfd, "cmdline");
	if (fd < 0)
		return;
	ssize_t n = read_fd(fd, buf, cap);
	/* A full buffer: one byte more says whether it was all. */
	out->cmdline_truncated = n == (ssize_t)cap && read_fd(fd, &more, 1) == 1;
	close(fd);
	if (n <= 0)
		return;     /* kernel threads and zombies have none */
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	out->has_cmdline = n > 0;
}

int st_evidence_read(int proc_root_fd, int32_t pid, uint64_t start_ticks,
		     struct st_evidence_proc *out)
{
	char rel[16], buf[4096];
	struct st_pid_stat ps;
	ssize_t n;

	out->pid = pid;
	out->start_ticks = start_ticks;
	out->uid = out->euid = -1;
	out->has_cmdline = out->cmdline_truncated = 0;
	out->cmdline[0] = '\0';
	snprintf(rel, sizeof(rel), "%d", pid);
	int dirfd = openat(proc_root_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -1;
	/* Only if the pid still names the same process: never attribute a
	 * newcomer's command line to the process that spiked. Reads through
	 * dirfd fail once that process is gone, even if the pid is reused. */
	n = read_at(dirfd, "stat", buf, sizeof(buf) - 1);
	if (n <= 0 || st_parse_pid_stat(buf, (size_t)n, &ps) < 0 ||
	    ps.start_ticks != start_ticks) {
		close(dirfd);
		return -1;
	}
	n = read_at(dirfd, "status", buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		parse_uids(buf, out);
	}
	read_cmdline(dirfd, out);
	close(dirfd);
	return 0;
}

const struct st_evidence_proc *st_evidence_find(const struct st_evidence *ev, int32_t pid,
						uint64_t start_ticks)
{
	for (size_t i = 0; i < ev->n; i++)
		if (ev->procs[i].pid == pid && ev->procs[i].start_ticks == start_ticks)
			return &ev->procs[i];
	return NULL;
}

void st_evidence_capture(struct st_evidence *ev, int proc_root_fd,
			 const struct st_trigger *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].pid <= 0 || st_evidence_find(ev, t[i].pid, t[i].start_ticks))
			continue;
		if (ev->n == ST_EVIDENCE_MAX) {
			ev->missed++;
			continue;
		}
		/* Kept only when read: a process already gone captured
		 * nothing, and the builder's own read will say so too. */
		if (st_evidence_read(proc_root_fd, t[i].pid, t[i].start_ticks,
				     &ev->procs[ev->n]) == 0)
			ev->n++;
	}
}

void st_evidence_clear(struct st_evidence *ev)
{
	ev->n = 0;
	ev->missed = 0;
}
