/*
 * Filling a detector's trigger: its figures, and who is blamed, a process
 * or an exited group. Compiled into cpu_delta, new_proc, pressure, mem_drop
 * and swap_spike (not exported).
 */
#ifndef ST_TRIGGER_H
#define ST_TRIGGER_H

#include <spiketrace/plugin.h>

/* type, value, baseline, threshold and units; the summary is the
 * detector's. */
void trigger_figures(struct st_trigger *t, const char *type, double value,
		     double baseline, double threshold, const char *units);

/* Blamed on the process (pid + start time is its identity). */
void trigger_process(struct st_trigger *t, const struct st_proc_info *info);

/* Blamed on the group's processes, by their comm and count. */
void trigger_group(struct st_trigger *t, const struct st_exited_group *g);

/* Whether (comm, parent_comm) names g's group: a group is known by the
 * two. */
int same_group(const char *comm, const char *parent_comm,
	       const struct st_exited_group *g);

#endif
