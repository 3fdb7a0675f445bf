/*
 * A process's CPU as the samples record it: what a read found, charged to
 * the interval it belongs to, and the reaped-children credit that keeps a
 * parent from being charged twice for a child the samples saw.
 */
#ifndef ST_PROC_CPU_H
#define ST_PROC_CPU_H

#include <stdint.h>

/*
 * The clock ticks of CPU that a read finding `used` ticks since the
 * process's previous read charges to this tick's interval.
 *
 * A process is left unread (carried) only on ticks whose books balanced,
 * so the CPU it used then is at most what those ticks left unaccounted
 * beyond their usual noise, `hidden` (summed over them). The rest was
 * used in this interval: a process idle for nine ticks that burns a core in the
 * tenth is recorded at a full core, not at a tenth of one. What may have
 * been used earlier is spread evenly over the span (carried ticks + 1)
 * rather than dropped, so a process that used a little every tick reads
 * at its steady rate, not at the sum of the ticks it was carried.
 */
double st_cpu_charge(uint64_t used, uint64_t ticks_since_read, double hidden);

/*
 * Children CPU: when a parent reaps, its cutime + cstime grow by the
 * child's whole life, most of which the samples already saw as the child's
 * own CPU. The credit holds what they saw of the reaped; it is taken out
 * of the parent's children growth, so only what no sample saw (the
 * short-lived children) is the parent's.
 */
struct st_child_cpu {
	uint64_t delta;             /* children growth this read, less the credit */
	uint64_t credit;            /* seen CPU of exited children, not yet reaped */
	uint32_t credit_reads;      /* reads of the parent that left credit over */
};

/* A child exited; the samples saw `seen` ticks of it. */
void st_child_cpu_exited(struct st_child_cpu *c, uint64_t seen);

/* Take what was already seen of the reaped out of the children growth. */
void st_child_cpu_apply_credit(struct st_child_cpu *c);

/* A read of the parent: the credit applied, and a credit no reap used at
 * two reads in a row dropped. Counted in the parent's reads, not in
 * samples: a carried parent reads its children's exits late, and a
 * parent that does not reap (its child went to another) must not keep a
 * credit that would hide a later, real burst of children. */
void st_child_cpu_read(struct st_child_cpu *c);

#endif
