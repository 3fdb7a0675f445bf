/*
 * A detector's own state per process-table slot (st_proc_sample.info
 * indexes it), zero for a slot never seen. It grows with the table, ahead
 * of it, so steady state allocates nothing. Compiled into cpu_delta,
 * new_proc and pressure (not exported).
 */
#ifndef ST_SLOTS_H
#define ST_SLOTS_H

#include <stddef.h>
#include <stdint.h>

struct slots {
	void    *at;
	uint32_t n;                 /* entries at[] holds */
	size_t   size;              /* of one entry */
};

/* Empty, for entries of size bytes. */
void slots_init(struct slots *s, size_t size);
void slots_fini(struct slots *s);

/* At least n entries, the new ones zero. Returns 0, or -1 when out of
 * memory (the entries there are kept). */
int slots_reserve(struct slots *s, uint32_t n);

/* Entry i, below n. */
static inline void *slot(const struct slots *s, uint32_t i)
{
	return (char *)s->at + (size_t)i * s->size;
}

#endif
