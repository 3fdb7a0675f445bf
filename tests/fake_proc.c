#define _GNU_SOURCE
#include "fake_proc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_runner.h"

static void write_stat(struct fake_proc *fp)
{
	char *text = NULL, *line = NULL;
	uint64_t total_idle = fp->elapsed_ticks * fp->ncores - fp->busy_ticks;
	if (asprintf(&text, "cpu  %llu 0 0 %llu 0 0 0 0 0 0\n",
		     (unsigned long long)fp->busy_ticks,
		     (unsigned long long)total_idle) < 0)
		abort();
	/* ncores online CPUs; an offline one has no line, its id is skipped */
	for (unsigned i = 0, id = 0; i < fp->ncores; i++, id++) {
		uint64_t busy = fp->busy_ticks / fp->ncores;
		char *next;
		while (id < 64 && (fp->offline_mask >> id) & 1)
			id++;
		if (asprintf(&line, "cpu%u %llu 0 0 %llu 0 0 0 0 0 0\n", id,
			     (unsigned long long)busy,
			     (unsigned long long)(fp->elapsed_ticks - busy)) < 0 ||
		    asprintf(&next, "%s%s", text, line) < 0)
			abort();
		free(text);
		free(line);
		text = next;
	}
	char *all;
	if (asprintf(&all, "%sintr 0\nctxt 0\nbtime 0\nprocesses %llu\n"
		     "procs_running 1\nprocs_blocked 0\n", text,
		     (unsigned long long)fp->forks) < 0)
		abort();
	st_test_write_file(fp->root, "stat", all);
	free(all);
	free(text);
}

static void write_uptime(struct fake_proc *fp)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%.2f %.2f\n", (double)fp->elapsed_ticks / fp->hz,
		 (double)fp->elapsed_ticks / fp->hz);
	st_test_write_file(fp->root, "uptime", buf);
}

static void write_meminfo(struct fake_proc *fp)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf),
		 "MemTotal:       %llu kB\nMemFree:        %llu kB\n"
		 "MemAvailable:   %llu kB\nBuffers:        0 kB\n"
		 "SwapTotal:      %llu kB\nSwapFree:       %llu kB\n",
		 (unsigned long long)fp->mem_total_kib,
		 (unsigned long long)fp->mem_available_kib,
		 (unsigned long long)fp->mem_available_kib,
		 (unsigned long long)fp->swap_total_kib,
		 (unsigned long long)fp->swap_free_kib);
	if (fp->have_breakdown)
		snprintf(buf + n, sizeof(buf) - (size_t)n,
			 "AnonPages:      %llu kB\nCached:         %llu kB\n"
			 "Shmem:          %llu kB\nSReclaimable:   %llu kB\n"
			 "SUnreclaim:     %llu kB\n",
			 (unsigned long long)fp->anon_kib,
			 (unsigned long long)fp->cached_kib,
			 (unsigned long long)fp->shmem_kib,
			 (unsigned long long)fp->slab_reclaimable_kib,
			 (unsigned long long)fp->slab_unreclaimable_kib);
	st_test_write_file(fp->root, "meminfo", buf);
}

struct fake_proc *fake_proc_new(unsigned ncores, uint64_t mem_total_kib, double boot_s)
{
	struct fake_proc *fp = calloc(1, sizeof(*fp));
	if (!fp)
		abort();
	fp->root = st_test_mkdtemp();
	fp->ncores = ncores;
	fp->hz = sysconf(_SC_CLK_TCK);
	fp->elapsed_ticks = (uint64_t)(boot_s * (double)fp->hz);
	fp->mem_total_kib = mem_total_kib;
	fp->mem_available_kib = mem_total_kib / 2;
	write_stat(fp);
	write_uptime(fp);
	write_meminfo(fp);
	return fp;
}

void fake_proc_free(struct fake_proc *fp)
{
	if (!fp)
		return;
	st_test_rmtree(fp->root);
	free(fp->root);
	free(fp);
}

void fake_proc_advance(struct fake_proc *fp, double seconds)
{
	fp->elapsed_ticks += (uint64_t)(seconds * (double)fp->hz + 0.5);
	write_stat(fp);
	write_uptime(fp);
}

void fake_proc_set_memory(struct fake_proc *fp, uint64_t available_kib,
			  uint64_t swap_total_kib, uint64_t swap_free_kib)
{
	fp->mem_available_kib = available_kib;
	fp->swap_total_kib = swap_total_kib;
	fp->swap_free_kib = swap_free_kib;
	write_meminfo(fp);
}

void fake_proc_set_breakdown(struct fake_proc *fp, uint64_t anon_kib, uint64_t cached_kib,
			     uint64_t shmem_kib, uint64_t slab_reclaimable_kib,
			     uint64_t slab_unreclaimable_kib)
{
	fp->have_breakdown = 1;
	fp->anon_kib = anon_kib;
	fp->cached_kib = cached_kib;
	fp->shmem_kib = shmem_kib;
	fp->slab_reclaimable_kib = slab_reclaimable_kib;
	fp->slab_unreclaimable_kib = slab_unreclaimable_kib;
	write_meminfo(fp);
}

void fake_proc_put(struct fake_proc *fp, const struct fake_process *p)
{
	char rel[64], line[1024];
	snprintf(rel, sizeof(rel), "%d/stat", p->pid);
	snprintf(line, sizeof(line),
		 "%d (%s) %c %d %d %d 0 -1 4194304 %llu 0 %llu 0 %llu %llu %llu %llu "
		 "20 0 %llu 0 %llu %llu %llu 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 %llu 0 0\n",
		 p->pid, p->comm, p->state, p->ppid, p->pid, p->pid,
		 (unsigned long long)p->minflt, (unsigned long long)p->majflt,
		 (unsigned long long)p->utime, (unsigned long long)p->stime,
		 (unsigned long long)p->cutime, (unsigned long long)p->cstime,
		 (unsigned long long)(p->threads ? p->threads : 1),
		 (unsigned long long)p->start_ticks,
		 (unsigned long long)(p->vsize ? p->vsize : 10000000),
		 (unsigned long long)p->rss_pages, (unsigned long long)p->blkio_ticks);
	st_test_write_file(fp->root, rel, line);
}

void fake_proc_remove(struct fake_proc *fp, int32_t pid)
{
	char *path;
	if (asprintf(&path, "%s/%d", fp->root, pid) < 0)
		abort();
	st_test_rmtree(path);
	free(path);
}

void fake_proc_write(struct fake_proc *fp, const char *relpath, const char *content)
{
	st_test_write_file(fp->root, relpath, content);
}

struct fake_process fake_process_make(struct fake_proc *fp, int32_t pid, const char *comm)
{
	struct fake_process p;
	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.ppid = 1;
	snprintf(p.comm, sizeof(p.comm), "%s", comm);
	p.state = 'S';
	p.start_ticks = fp->elapsed_ticks;
	p.rss_pages = 256;
	return p;
}

void fake_process_set_rss_kib(struct fake_process *p, uint64_t kib)
{
	p->rss_pages = kib / (uint64_t)(sysconf(_SC_PAGESIZE) / 1024);
}

uint64_t fake_process_rss_kib(const struct fake_process *p)
{
	return p->rss_pages * (uint64_t)(sysconf(_SC_PAGESIZE) / 1024);
}

void fake_proc_put_memory(struct fake_proc *fp, const struct fake_process *p,
			  const struct fake_memory *m)
{
	char rel[64], text[2048];
	uint64_t rss = m->rss_kib ? m->rss_kib : fake_process_rss_kib(p);
	uint64_t file = rss > m->anon_kib + m->shmem_kib ? rss - m->anon_kib - m->shmem_kib : 0;
	/* The layout of a 6.x kernel, values aligned by tabs and spaces. */
	snprintf(rel, sizeof(rel), "%d/status", p->pid);
	snprintf(text, sizeof(text),
		 "Name:\t%s\nUmask:\t0022\nState:\t%c (sleeping)\nTgid:\t%d\n"
		 "Pid:\t%d\nPPid:\t%d\nUid:\t1000\t1000\t1000\t1000\n"
		 "Gid:\t1000\t1000\t1000\t1000\nGroups:\t4 24 27 1000 \n"
		 "VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmHWM:\t%8llu kB\n"
		 "VmRSS:\t%8llu kB\nRssAnon:\t%8llu kB\nRssFile:\t%8llu kB\n"
		 "RssShmem:\t%8llu kB\nVmSwap:\t%8llu kB\nThreads:\t1\n",
		 p->comm, p->state, p->pid, p->pid, p->ppid,
		 (unsigned long long)(rss * 2), (unsigned long long)(rss * 2),
		 (unsigned long long)rss, (unsigned long long)rss,
		 (unsigned long long)m->anon_kib, (unsigned long long)file,
		 (unsigned long long)m->shmem_kib, (unsigned long long)m->swap_kib);
	st_test_write_file(fp->root, rel, text);
	/* Private split in two, as the kernel reports it: the reader adds. */
	snprintf(rel, sizeof(rel), "%d/smaps_rollup", p->pid);
	snprintf(text, sizeof(text),
		 "55d0c0000000-7ffc00000000 ---p 00000000 00:00 0                          [rollup]\n"
		 "Rss:            %8llu kB\nPss:            %8llu kB\n"
		 "Shared_Clean:   %8llu kB\nShared_Dirty:          0 kB\n"
		 "Private_Clean:  %8llu kB\nPrivate_Dirty:  %8llu kB\n"
		 "Referenced:     %8llu kB\nAnonymous:      %8llu kB\n"
		 "Swap:           %8llu kB\nSwapPss:        %8llu kB\n",
		 (unsigned long long)rss, (unsigned long long)m->private_kib,
		 (unsigned long long)(rss > m->private_kib ? rss - m->private_kib : 0),
		 (unsigned long long)(m->private_kib / 4),
		 (unsigned long long)(m->private_kib - m->private_kib / 4),
		 (unsigned long long)rss, (unsigned long long)m->anon_kib,
		 (unsigned long long)m->swap_kib, (unsigned long long)m->swap_kib);
	st_test_write_file(fp->root, rel, text);
}

int64_t fake_proc_clock(void *ctx)
{
	const struct fake_proc *fp = ctx;
	return (int64_t)(fp->elapsed_ticks * (1000000000 / (uint64_t)fp->hz));
}
