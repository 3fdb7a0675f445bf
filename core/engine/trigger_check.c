#include "engine/trigger_check.h"

#include <math.h>
#include <string.h>

int st_trigger_type_valid(const char *type)
{
	size_t n = 0;
	for (; n < ST_TRIGGER_TYPE_MAX && type[n]; n++)
		if (!(type[n] >= 'a' && type[n] <= 'z') &&
		    !(type[n] >= '0' && type[n] <= '9') && type[n] != '_')
			return 0;
	return n >= 1 && n < ST_TRIGGER_TYPE_MAX;
}

static unsigned finite_or_zero(double *v)
{
	if (isfinite(*v))
		return 0;
	*v = 0;
	return ST_TRIGGER_BAD_NUMBER;
}

unsigned st_trigger_check(struct st_trigger *t)
{
	unsigned bad = 0;
	/* A type one byte too long has no NUL: it is refused, not cut, since
	 * a cut name could be another detector's. */
	if (!st_trigger_type_valid(t->type))
		bad |= ST_TRIGGER_BAD_TYPE;
	t->type[sizeof(t->type) - 1] = '\0';
	t->comm[sizeof(t->comm) - 1] = '\0';
	t->units[sizeof(t->units) - 1] = '\0';
	t->summary[sizeof(t->summary) - 1] = '\0';
	if (t->pid < 0)
		bad |= ST_TRIGGER_BAD_PID;
	/* A group of exited processes has no pid of its own. */
	if (t->exited_count && t->pid != 0)
		bad |= ST_TRIGGER_BAD_PID;
	bad |= finite_or_zero(&t->value);
	bad |= finite_or_zero(&t->baseline);
	bad |= finite_or_zero(&t->threshold);
	return bad;
}

void st_trigger_from_plugin(struct st_trigger *dst, const void *src, size_t src_size)
{
	if (src_size > sizeof(*dst))
		src_size = sizeof(*dst);
	memset(dst, 0, sizeof(*dst));
	memcpy(dst, src, src_size);
}

void st_trigger_forget_newer(struct st_trigger *t, uint32_t abi_minor)
{
	if (abi_minor < 2)
		t->exited_count = 0;
}
