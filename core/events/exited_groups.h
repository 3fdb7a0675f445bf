/*
 * The exits of one interval gathered into groups by (comm, the forking
 * parent's comm): what a sample's `exited` list is made of. A fixed
 * table, so an exit allocates nothing; groups beyond it, and beyond the
 * rows a sample keeps, are summed into one rest row.
 */
#ifndef ST_EXITED_GROUPS_H
#define ST_EXITED_GROUPS_H

#include <stdint.h>
#include <spiketrace/model.h>

#define ST_EXITED_TRACKED 128   /* distinct groups in an interval */
#define ST_EXITED_KEPT 8        /* groups a sample lists, before the rest row */
#define ST_EXITED_ROWS (ST_EXITED_KEPT + 1)

/* One exited process, as the event source and the zombie tell it. */
struct st_exit_record {
	const char *comm;           /* "" unknown */
	const char *parent_comm;
	int32_t  parent_pid;        /* 0 unknown */
	int32_t  reaper_pid;
	int64_t  cpu_ns;            /* -1: could not be read */
	int64_t  peak_rss_kib;      /* -1 unknown */
	int64_t  read_bytes, write_bytes;
	uint32_t flags;             /* ST_EXITED_TASKSTATS or ST_EXITED_ESTIMATE */
};

/* A majority vote (Boyer and Moore's): after a group's exits, the pid
 * that forked more than half of them, if one did, is pid with more than
 * count / 2 votes. One shell's storm keeps its name beside another's
 * handful of the same command. */
struct st_pid_vote {
	int32_t  pid;
	uint32_t votes;
};

struct st_exited_groups {
	struct st_exited_group g[ST_EXITED_TRACKED];
	struct st_pid_vote parent_vote[ST_EXITED_TRACKED];
	uint32_t n;
	uint8_t  index[2 * ST_EXITED_TRACKED];  /* hash: group + 1, 0 empty */
	struct st_exited_group overflow;        /* groups beyond the table */
	struct st_pid_vote overflow_vote;
	uint64_t exits;             /* added since the last close */
};

void st_exited_groups_reset(struct st_exited_groups *x);
void st_exited_groups_add(struct st_exited_groups *x, const struct st_exit_record *r);
/* Write the interval's rows into out (ST_EXITED_ROWS of them at most):
 * the busiest groups by CPU, then the rest when any, their cpu_pct over
 * interval_s. Returns the rows written, and starts the next interval. */
uint32_t st_exited_groups_close(struct st_exited_groups *x, double interval_s,
				struct st_exited_group *out);

#endif
