/*
 * The triggers of the CPU detectors (cpu_delta, new_proc): figures in
 * percent of one core, blamed on a process or on an exited group.
 * Compiled into each of them (not exported).
 */
#ifndef ST_CPU_TRIGGER_H
#define ST_CPU_TRIGGER_H

#include <spiketrace/plugin.h>

/* type, value, baseline and threshold, units "pct"; then one of the two
 * below names who. The summary is the detector's. */
void cpu_trigger(struct st_trigger *t, const char *type, double value,
		 double baseline, double threshold);

/* Blamed on the process (pid + start time is its identity). */
void cpu_trigger_process(struct st_trigger *t, const struct st_proc_info *info);

/* Blamed on the group's processes, by their comm and count. */
void cpu_trigger_group(struct st_trigger *t, const struct st_exited_group *g);

/* Whether two groups are the same: by (comm, parent comm). */
int cpu_same_group(const char *comm, const char *parent_comm,
		   const struct st_exited_group *g);

#endif
