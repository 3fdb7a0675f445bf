/*
 * Who forked whom, for processes too short-lived for the sampler: the
 * kernel's fork events say a process's parent at fork time, which its
 * exit no longer tells (an orphan's parent at exit is init). The last
 * ST_FORK_PARENTS forks are kept in a ring with a hash by pid, fixed at
 * start: an event allocates nothing, and a fork older than the ring (a
 * process that has lived long enough for the sampler to read it) is
 * forgotten, which is fine: the sampler knows that one.
 *
 * An entry outlives its process's exit, with the name it exited with, so
 * that a double-forked process can still name the short-lived shell that
 * forked it.
 */
#ifndef ST_FORK_PARENTS_H
#define ST_FORK_PARENTS_H

#include <stdint.h>

#define ST_FORK_PARENTS 2048        /* a power of two */
#define ST_FORK_COMM 16             /* TASK_COMM_LEN */

struct st_fork_entry {
	int32_t  pid;               /* 0: unused */
	int32_t  parent_pid;
	char     comm[ST_FORK_COMM];/* its name as far as known: its parent's
	                               until it execs, what it exited with
	                               after; "" unknown (the caller keeps it) */
};

struct st_fork_parents {
	struct st_fork_entry ring[ST_FORK_PARENTS];
	uint16_t hash[2 * ST_FORK_PARENTS];     /* ring index + 1; 0 empty */
	uint32_t next;              /* ring slot the next fork takes */
	uint64_t forks;
};

void st_fork_parents_init(struct st_fork_parents *fp);
/* pid was forked by parent_pid (a reused pid replaces its old entry).
 * Returns its entry (comm ""), or NULL for a pid <= 0. */
struct st_fork_entry *st_fork_parents_add(struct st_fork_parents *fp, int32_t pid,
					  int32_t parent_pid);
/* The entry for pid, or NULL. */
struct st_fork_entry *st_fork_parents_find(struct st_fork_parents *fp, int32_t pid);

#endif
