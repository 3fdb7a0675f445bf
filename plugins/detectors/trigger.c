#include "trigger.h"

#include <stdio.h>
#include <string.h>

void trigger_figures(struct st_trigger *t, const char *type, double value,
		     double baseline, double threshold, const char *units)
{
	snprintf(t->type, sizeof(t->type), "%s", type);
	t->value = value;
	t->baseline = baseline;
	t->threshold = threshold;
	snprintf(t->units, sizeof(t->units), "%s", units);
}

void trigger_process(struct st_trigger *t, const struct st_proc_info *info)
{
	t->pid = info->pid;
	t->start_ticks = info->start_ticks;
	snprintf(t->comm, sizeof(t->comm), "%s", info->comm);
}

void trigger_group(struct st_trigger *t, const struct st_exited_group *g)
{
	snprintf(t->comm, sizeof(t->comm), "%s", g->comm);
	t->exited_count = g->count;
}

int same_group(const char *comm, const char *parent_comm,
	       const struct st_exited_group *g)
{
	return !strncmp(comm, g->comm, sizeof(g->comm)) &&
	       !strncmp(parent_comm, g->parent_comm, sizeof(g->parent_comm));
}
