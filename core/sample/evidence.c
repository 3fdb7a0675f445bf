#define _GNU_SOURCE
#include "sample/evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc/proc_memory.h"
#include "proc/proc_parse.h"

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
	/* A full buffer: one byte more says whether it was all (the last
	 * argument's own NUL is no more). */
	out->cmdline_truncated = n == (ssize_t)cap && read_fd(fd, &more, 1) == 1 &&
				 !(more == '\0' && read_fd(fd, &more, 1) == 0);
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

/* VmSwap through the status line parser the memory reader uses. A
 * status longer than the buffer (a huge Groups line) loses it: unknown. */
static void parse_swap(const char *status, size_t len, struct st_evidence_proc *out)
{
	struct st_mem_lines acc = { 0 };
	st_parse_mem_lines(status, len, &acc);
	if ((acc.have & ST_MEM_LINE_VMSWAP) && acc.vm_swap <= INT64_MAX)
		out->swap_kib = (int64_t)acc.vm_swap;
}

/* /proc/PID/io: "rchar: N" lines, the status scanner's format less the
 * "kB". Another user's process is EACCES without CAP_SYS_PTRACE: unknown. */
#define IO_KEY(k, field, bit) ST_KIB_KEY(k, struct io_lines, field, bit)
struct io_lines {
	uint64_t rchar, wchar, read_bytes, write_bytes;
};
static const struct st_kib_key io_keys[] = {
	IO_KEY("rchar", rchar, 1),
	IO_KEY("wchar", wchar, 2),
	IO_KEY("read_bytes", read_bytes, 4),
	IO_KEY("write_bytes", write_bytes, 8),
};
#undef IO_KEY

static int64_t io_figure(unsigned have, unsigned bit, uint64_t v)
{
	return (have & bit) && v <= INT64_MAX ? (int64_t)v : -1;
}

static void read_io(int dirfd, char *buf, size_t cap, struct st_evidence_io *io)
{
	struct io_lines l = { 0 };
	ssize_t n = read_at(dirfd, "io", buf, cap);
	if (n <= 0)
		return;
	unsigned have = st_parse_kib_lines(buf, (size_t)n, io_keys,
					   sizeof(io_keys) / sizeof(io_keys[0]), &l);
	io->rchar = io_figure(have, 1, l.rchar);
	io->wchar = io_figure(have, 2, l.wchar);
	io->read_bytes = io_figure(have, 4, l.read_bytes);
	io->write_bytes = io_figure(have, 8, l.write_bytes);
}

static void read_cgroup(int dirfd, char *buf, size_t cap, struct st_evidence_proc *out)
{
	ssize_t n = read_at(dirfd, "cgroup", buf, cap);
	/* A read that filled the buffer may have cut the last line (on a
	 * hybrid host, the unified one). */
	out->has_cgroup = n > 0 &&
		st_parse_cgroup_cut(buf, (size_t)n, n == (ssize_t)cap, &out->cgroup) == 0;
}

/* Keeps t among the busiest, sorted busiest first. */
static void keep_thread(struct st_evidence_proc *out, const struct st_pid_stat *t)
{
	uint64_t cpu = t->utime + t->stime;
	uint32_t i = out->nthreads;
	if (i == ST_EVIDENCE_THREADS) {
		const struct st_evidence_thread *last = &out->threads[i - 1];
		if (cpu <= last->utime + last->stime)
			return;
		i--;
	} else {
		out->nthreads++;
	}
	while (i > 0 && out->threads[i - 1].utime + out->threads[i - 1].stime < cpu) {
		out->threads[i] = out->threads[i - 1];
		i--;
	}
	out->threads[i].tid = t->pid;
	memcpy(out->threads[i].comm, t->comm, sizeof(out->threads[i].comm));
	out->threads[i].utime = t->utime;
	out->threads[i].stime = t->stime;
}

struct linux_dirent64 {
	uint64_t       d_ino;
	int64_t        d_off;
	unsigned short d_reclen;
	unsigned char  d_type;
	char           d_name[];
};

/* A task directory name: a tid, digits only. */
static int is_tid(const char *name)
{
	if (!*name)
		return 0;
	for (const char *c = name; *c; c++)
		if (*c < '0' || *c > '9')
			return 0;
	return strlen(name) <= 10;
}

/*
 * The busiest threads from task/TID/stat. getdents64 rather than
 * readdir: fdopendir allocates, and this runs on the trigger path.
 */
static void read_threads(int dirfd, char *buf, size_t cap, struct st_evidence_proc *out)
{
	char ents[4096] __attribute__((aligned(8)));
	char rel[32];
	struct st_pid_stat ts;
	int tfd = openat(dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tfd < 0)
		return;
	for (;;) {
		long n = syscall(SYS_getdents64, tfd, ents, sizeof(ents));
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			const struct linux_dirent64 *d = (const void *)(ents + off);
			off += d->d_reclen;
			if (!is_tid(d->d_name))
				continue;
			if (out->tasks_read == ST_EVIDENCE_TASKS_READ) {
				out->tasks_truncated = 1;
				goto done;
			}
			snprintf(rel, sizeof(rel), "%s/stat", d->d_name);
			ssize_t got = read_at(tfd, rel, buf, cap);
			if (got <= 0 || st_parse_pid_stat(buf, (size_t)got, &ts) < 0)
				continue;   /* exited while listed */
			out->tasks_read++;
			keep_thread(out, &ts);
		}
	}
done:
	close(tfd);
}

int st_evidence_read(int proc_root_fd, int32_t pid, uint64_t start_ticks,
		     int with_threads, struct st_evidence_proc *out)
{
	char rel[16], buf[4096];
	struct st_pid_stat ps;
	ssize_t n;

	out->pid = pid;
	out->start_ticks = start_ticks;
	out->uid = out->euid = -1;
	out->has_cmdline = out->cmdline_truncated = 0;
	out->cmdline[0] = '\0';
	out->has_cgroup = 0;
	memset(&out->cgroup, 0, sizeof(out->cgroup));
	out->cgroup.user_uid = -1;
	out->io.rchar = out->io.wchar = out->io.read_bytes = out->io.write_bytes = -1;
	out->swap_kib = -1;
	out->nthreads = out->tasks_read = 0;
	out->tasks_truncated = 0;
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
		/* A full buffer ends in a cut line: its figure is no figure. */
		const char *last = n == (ssize_t)sizeof(buf) - 1 ? strrchr(buf, '\n') : buf + n;
		if (last)
			parse_swap(buf, (size_t)(last - buf), out);
	}
	read_cmdline(dirfd, out);
	read_cgroup(dirfd, buf, sizeof(buf), out);
	read_io(dirfd, buf, sizeof(buf), &out->io);
	if (with_threads)
		read_threads(dirfd, buf, sizeof(buf), out);
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
		if (st_evidence_read(proc_root_fd, t[i].pid, t[i].start_ticks, 1,
				     &ev->procs[ev->n]) == 0)
			ev->n++;
	}
}

void st_evidence_clear(struct st_evidence *ev)
{
	ev->n = 0;
	ev->missed = 0;
}
