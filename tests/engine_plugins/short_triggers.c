/* Test plugin: a detector whose st_trigger is shorter than the core's, as
 * one built for an older minor of the ABI is: it says so in trigger_size
 * and writes its triggers that many bytes apart. Here its struct ends
 * before the last member (flags), as if flags had come in a later minor,
 * so the core must walk the plugin's stride, not its own, and take flags
 * as 0. Two triggers a sample, pids 7 and 8; trigger_result counts the
 * verdicts it is given and checks each is one of its own. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spiketrace/plugin.h>

#define SHORT_SIZE offsetof(struct st_trigger, flags)

static const struct st_option options[] = {
	ST_OPTION_BOOL("fire", 0, "fire on every sample"),
	ST_OPTION_END,
};

struct short_state {
	const struct st_host *host;
	int fire;
	unsigned results, foreign;
};

static int create(const struct st_host *host, const union st_value *opts, void **state)
{
	struct short_state *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->host = host;
	s->fire = opts[0].b;
	*state = s;
	return 0;
}

static void destroy(void *state)
{
	struct short_state *s = state;
	/* The engine test reads this line from the log. */
	if (s->fire)
		s->host->log(s->host, ST_LOG_NOTICE, "%u results, %u not ours",
			     s->results, s->foreign);
	free(s);
}

static int evaluate(void *state, const struct st_history *h,
		    struct st_trigger *out, size_t max)
{
	const struct short_state *s = state;
	(void)h;
	if (!s->fire || max < 2)
		return 0;
	for (int k = 0; k < 2; k++) {
		struct st_trigger t;
		memset(&t, 0, sizeof(t));
		snprintf(t.type, sizeof(t.type), "short_triggers");
		t.pid = 7 + k;
		t.value = 10 + k;
		t.threshold = 5;
		snprintf(t.units, sizeof(t.units), "pct");
		snprintf(t.summary, sizeof(t.summary), "short trigger %d", k);
		t.flags = ST_TRIGGER_SYSTEM;    /* beyond SHORT_SIZE: not given */
		memcpy((char *)out + (size_t)k * SHORT_SIZE, &t, SHORT_SIZE);
	}
	return 2;
}

static void trigger_result(void *state, const struct st_trigger *t, int taken)
{
	struct short_state *s = state;
	(void)taken;
	s->results++;
	if (strcmp(t->type, "short_triggers") != 0 || (t->pid != 7 && t->pid != 8))
		s->foreign++;
}

static const struct st_plugin plugin = {
	.abi_major = ST_ABI_MAJOR, .abi_minor = ST_ABI_MINOR,
	.size = sizeof(struct st_plugin),
	.trigger_size = SHORT_SIZE, .option_size = sizeof(struct st_option),
	.kind = ST_PLUGIN_DETECTOR, .name = "short_triggers", .version = "0",
	.description = "test detector writing triggers at a shorter stride",
	.options = options,
	.create = create, .destroy = destroy, .evaluate = evaluate,
	.trigger_result = trigger_result,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
