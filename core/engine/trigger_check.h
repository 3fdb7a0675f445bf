/*
 * What the core accepts from a detector. A trigger's type becomes a file
 * name (json_file), a syslog field and part of the dump id, so it is held
 * to short [a-z0-9_]; its numbers end up in JSON and in the viewer, so
 * they are finite. Checked where a plugin's triggers are first received,
 * before cooldowns and incidents see them.
 */
#ifndef ST_TRIGGER_CHECK_H
#define ST_TRIGGER_CHECK_H

#include <spiketrace/model.h>

/* What st_trigger_check found wrong (bits). */
#define ST_TRIGGER_BAD_TYPE   0x01  /* refused: not 1..31 of [a-z0-9_] */
#define ST_TRIGGER_BAD_PID    0x02  /* refused: a negative pid */
#define ST_TRIGGER_BAD_NUMBER 0x04  /* repaired: a NaN or infinite figure, now 0 */
#define ST_TRIGGER_REFUSED    (ST_TRIGGER_BAD_TYPE | ST_TRIGGER_BAD_PID)

/* 1 when type is 1 to ST_TRIGGER_TYPE_MAX - 1 characters of [a-z0-9_]. */
int st_trigger_type_valid(const char *type);

/* NUL-terminates t's strings and zeroes value, baseline or threshold when
 * one is not finite. Returns 0, or the ST_TRIGGER_BAD_* bits of what was
 * wrong: with any ST_TRIGGER_REFUSED bit the trigger must be dropped. */
unsigned st_trigger_check(struct st_trigger *t);

/* A trigger as a plugin built for an older ABI minor wrote it (its
 * descriptor's trigger_size, at most sizeof(*dst)) in the core's layout:
 * the members it does not know are zero. */
void st_trigger_from_plugin(struct st_trigger *dst, const void *src, size_t src_size);

/* Zero the members added after abi_minor, the plugin's: a member that
 * went into what was padding before (exited_count, 2.2) comes within an
 * older plugin's stride, holding whatever its struct copies left there. */
void st_trigger_forget_newer(struct st_trigger *t, uint32_t abi_minor);

#endif
