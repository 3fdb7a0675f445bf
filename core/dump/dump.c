#include "dump/dump.h"

#include <stdlib.h>
#include <string.h>

struct st_dump *st_dump_new(void)
{
	struct st_dump *dump = calloc(1, sizeof(*dump));
	if (!dump)
		return NULL;
	dump->size = sizeof(*dump);
	dump->sample_size = sizeof(struct st_dump_sample);
	dump->trigger_size = sizeof(struct st_dump_trigger);
	dump->proc_size = sizeof(struct st_dump_proc);
	dump->exited_size = sizeof(struct st_exited_group);
	dump->fast_size = sizeof(struct st_dump_fast);
	strcpy(dump->schema, ST_DUMP_SCHEMA);
	dump->trigger_index = -1;
	return dump;
}

static void free_procs(struct st_dump_proc *procs, uint32_t n)
{
	if (!procs)
		return;
	for (uint32_t i = 0; i < n; i++) {
		free(procs[i].cmdline);
		free(procs[i].cgroup);
	}
	free(procs);
}

void st_dump_sample_clear(struct st_dump_sample *s)
{
	if (!s)
		return;
	free(s->core_busy_pct);
	free(s->core_id);
	free(s->core_user_pct);
	free(s->core_system_pct);
	free_procs(s->top_cpu, s->ntop_cpu);
	free_procs(s->top_rss, s->ntop_rss);
	free_procs(s->blamed, s->nblamed);
	free(s->exited);
	s->exited = NULL;
	s->nexited = 0;
	/* Leave the sample consistent so a second clear (or a free of the
	 * whole dump after an error path cleared one sample) is harmless. */
	s->core_busy_pct = NULL;
	s->core_id = NULL;
	s->core_user_pct = s->core_system_pct = NULL;
	s->ncores = 0;
	s->top_cpu = s->top_rss = s->blamed = NULL;
	s->ntop_cpu = s->ntop_rss = s->nblamed = 0;
}

void st_dump_free(struct st_dump *dump)
{
	if (!dump)
		return;
	if (dump->samples)
		for (uint32_t i = 0; i < dump->nsamples; i++)
			st_dump_sample_clear(&dump->samples[i]);
	free(dump->samples);
	free(dump->triggers);
	free(dump->fast);
	free(dump);
}

int64_t st_dump_lasted_ns(const struct st_dump *dump)
{
	int64_t lasted = 0;
	for (uint32_t i = 0; i < dump->ntriggers; i++) {
		int32_t k = dump->triggers[i].sample_index;
		if (k >= 0 && (uint32_t)k < dump->nsamples &&
		    dump->samples[k].offset_ns > lasted)
			lasted = dump->samples[k].offset_ns;
	}
	return lasted;
}

static const char *const exits_modes[] = {
	[ST_EXITS_CUTIME] = "cutime",
	[ST_EXITS_PROC_CONNECTOR] = "proc_connector",
	[ST_EXITS_TASKSTATS] = "taskstats",
};

const char *st_exits_mode_name(uint32_t mode)
{
	return mode < sizeof(exits_modes) / sizeof(exits_modes[0]) ? exits_modes[mode] : NULL;
}

int st_exits_mode_of(const char *name)
{
	for (size_t i = 0; i < sizeof(exits_modes) / sizeof(exits_modes[0]); i++)
		if (!strcmp(name, exits_modes[i]))
			return (int)i;
	return -1;
}

/*
 * How a record's figures were obtained, as one word a reader can act on:
 * "interval" (read this sample, over the interval), "carried" (not
 * re-read: cpu 0 is no measurement, rss and state as last read) or
 * "since_start" (first seen: cpu_pct is the average since it started).
 * Dumps from before the field have only interval records.
 */
static const struct {
	const char *word;
	uint32_t flag;
} measured_words[] = {
	{ "carried", ST_PROC_CARRIED },
	{ "since_start", ST_PROC_NEW },
	{ "interval", 0 },
};
#define NMEASURED (sizeof(measured_words) / sizeof(measured_words[0]))

const char *st_proc_measured_name(uint32_t flags)
{
	for (size_t i = 0; i < NMEASURED; i++)
		if (flags & measured_words[i].flag)
			return measured_words[i].word;
	return "interval";
}

int st_proc_measured_of(const char *word, uint32_t *flags)
{
	for (size_t i = 0; i < NMEASURED; i++)
		if (strcmp(word, measured_words[i].word) == 0) {
			*flags = measured_words[i].flag;
			return 0;
		}
	return -1;
}
