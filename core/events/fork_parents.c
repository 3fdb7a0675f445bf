#include "events/fork_parents.h"

#include <string.h>

#define HASH_MASK (2 * ST_FORK_PARENTS - 1)

void st_fork_parents_init(struct st_fork_parents *fp)
{
	memset(fp, 0, sizeof(*fp));
}

static uint32_t home(int32_t pid)
{
	return ((uint32_t)pid * 2654435761u) & HASH_MASK;
}

/* The hash slot holding pid's ring index, or the empty slot ending its
 * probe. */
static uint32_t probe(const struct st_fork_parents *fp, int32_t pid)
{
	uint32_t i = home(pid);
	while (fp->hash[i] && fp->ring[fp->hash[i] - 1].pid != pid)
		i = (i + 1) & HASH_MASK;
	return i;
}

/* Linear probing's deletion without tombstones: the entries after the
 * hole that would not be found past it move back into it. */
static void unhash(struct st_fork_parents *fp, uint32_t hole)
{
	fp->hash[hole] = 0;
	for (uint32_t i = (hole + 1) & HASH_MASK; fp->hash[i]; i = (i + 1) & HASH_MASK) {
		uint32_t h = home(fp->ring[fp->hash[i] - 1].pid);
		/* Stays when its home lies cyclically in (hole, i]. */
		if (hole <= i ? (hole < h && h <= i) : (hole < h || h <= i))
			continue;
		fp->hash[hole] = fp->hash[i];
		fp->hash[i] = 0;
		hole = i;
	}
}

struct st_fork_entry *st_fork_parents_add(struct st_fork_parents *fp, int32_t pid,
					  int32_t parent_pid)
{
	if (pid <= 0)
		return NULL;
	fp->forks++;
	uint32_t at = probe(fp, pid);
	if (fp->hash[at]) {                     /* the pid was reused */
		fp->ring[fp->hash[at] - 1].pid = 0;
		unhash(fp, at);
	}
	struct st_fork_entry *e = &fp->ring[fp->next];
	if (e->pid)
		unhash(fp, probe(fp, e->pid));  /* the oldest fork leaves */
	e->pid = pid;
	e->parent_pid = parent_pid;
	e->comm[0] = '\0';
	fp->hash[probe(fp, pid)] = (uint16_t)(fp->next + 1);
	fp->next = (fp->next + 1) & (ST_FORK_PARENTS - 1);
	return e;
}

struct st_fork_entry *st_fork_parents_find(struct st_fork_parents *fp, int32_t pid)
{
	if (pid <= 0)
		return NULL;
	uint32_t i = probe(fp, pid);
	return fp->hash[i] ? &fp->ring[fp->hash[i] - 1] : NULL;
}
