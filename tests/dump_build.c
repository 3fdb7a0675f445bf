/* Dumps built in memory for the renderers' tests. */
#define _GNU_SOURCE
#include "dump_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_runner.h"

void st_test_set_proc(struct st_dump_proc *p, int32_t pid, const char *comm, double cpu,
		      double children, uint64_t rss_kib, const char *cmdline)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = 1;
	p->start_ticks = 5000u + (uint64_t)pid;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->state = 'R';
	p->cpu_pct = cpu;
	p->children_cpu_pct = children;
	p->rss_kib = rss_kib;
	p->uid = p->euid = 1000;
	p->cmdline = cmdline ? strdup(cmdline) : NULL;
	p->user_uid = -1;
	p->io_rchar = p->io_wchar = p->io_read_bytes = p->io_write_bytes = -1;
	p->swap_kib = -1;
}

struct st_dump_proc *st_test_procs(uint32_t n)
{
	struct st_dump_proc *p = calloc(n, sizeof(*p));
	CU_ASSERT_FATAL(p != NULL);
	return p;
}

void st_test_set_trigger(struct st_dump_trigger *dt, const char *type, int32_t pid,
			 const char *comm, double value, double baseline, double threshold,
			 const char *units, int32_t sample_index)
{
	struct st_trigger *t = &dt->trigger;

	memset(dt, 0, sizeof(*dt));
	snprintf(t->type, sizeof(t->type), "%s", type);
	t->pid = pid;
	t->start_ticks = pid ? 5000u + (uint64_t)pid : 0;
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
	t->value = value;
	t->baseline = baseline;
	t->threshold = threshold;
	snprintf(t->units, sizeof(t->units), "%s", units);
	t->sample_seq = 100 + (uint64_t)sample_index;
	dt->sample_index = sample_index;
}

