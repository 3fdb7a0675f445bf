#include "slots.h"

#include <stdlib.h>
#include <string.h>

void slots_init(struct slots *s, size_t size)
{
	s->at = NULL;
	s->n = 0;
	s->size = size;
}

void slots_fini(struct slots *s)
{
	free(s->at);
	s->at = NULL;
	s->n = 0;
}

int slots_reserve(struct slots *s, uint32_t n)
{
	if (n <= s->n)
		return 0;
	/* The process table grows a slot at a time: grow ahead of it. */
	n += n / 2;
	char *at = realloc(s->at, s->size * n);
	if (!at)
		return -1;
	memset(at + s->size * s->n, 0, s->size * (n - s->n));
	s->at = at;
	s->n = n;
	return 0;
}
