#include "proc/proc_cpu.h"

double st_cpu_charge(uint64_t used, uint64_t ticks_since_read, double hidden)
{
	if (ticks_since_read <= 1)
		return (double)used;
	double spread = (double)used / (double)ticks_since_read;
	double now = (double)used - (hidden > 0 ? hidden : 0);
	return now > spread ? now : spread;
}

void st_child_cpu_exited(struct st_child_cpu *c, uint64_t seen)
{
	c->credit += seen;
	c->credit_reads = 0;
}

void st_child_cpu_apply_credit(struct st_child_cpu *c)
{
	uint64_t used = c->credit < c->delta ? c->credit : c->delta;
	c->delta -= used;
	c->credit -= used;
}

void st_child_cpu_read(struct st_child_cpu *c)
{
	st_child_cpu_apply_credit(c);
	if (c->credit && ++c->credit_reads >= 2)
		c->credit = 0;
}
