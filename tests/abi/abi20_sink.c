/* A sink of ABI 2.0, built against tests/abi/2.0 only. For every dump it
 * writes to `out` what it read through the 2.0 accessors: the triggers,
 * and per sample its seq and the pids and comms of its lists, one line
 * each, for tests/test_abi.c to compare with the core's own dump. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spiketrace/plugin.h>

_Static_assert(ST_ABI_MAJOR == 2 && ST_ABI_MINOR == 0, "built against the 2.0 headers");

static const struct st_option options[] = {
	ST_OPTION_STRING("out", NULL, "the file it appends to"),
	ST_OPTION_END,
};

static int create(const struct st_host *host, const union st_value *opts, void **state)
{
	if (!opts[0].s) {
		host->log(host, ST_LOG_ERR, "no out file");
		return -1;
	}
	char *out = strdup(opts[0].s);
	if (!out)
		return -1;
	*state = out;
	return 0;
}

static void destroy(void *state)
{
	free(state);
}

static void list(FILE *f, const char *name, const struct st_dump *d,
		 const struct st_dump_sample *s, uint32_t n,
		 const struct st_dump_proc *(*at)(const struct st_dump *,
						  const struct st_dump_sample *, uint32_t))
{
	fprintf(f, " %s", name);
	for (uint32_t i = 0; i < n; i++) {
		const struct st_dump_proc *p = at(d, s, i);
		fprintf(f, " %d:%s", p->pid, p->comm);
	}
}

static int emit(void *state, const struct st_dump *d, const char *json, size_t len)
{
	(void)json; (void)len;
	FILE *f = fopen(state, "a");
	if (!f)
		return -1;
	fprintf(f, "dump %s: %u samples, trigger sample %d\n", d->id, d->nsamples,
		d->trigger_index);
	for (uint32_t i = 0; i < d->ntriggers; i++) {
		const struct st_dump_trigger *t = st_dump_trigger_at(d, i);
		fprintf(f, "trigger %s %d %s at %d\n", t->trigger.type, t->trigger.pid,
			t->trigger.comm, t->sample_index);
	}
	for (uint32_t i = 0; i < d->nsamples; i++) {
		const struct st_dump_sample *s = st_dump_at(d, i);
		fprintf(f, "sample %llu:", (unsigned long long)s->seq);
		list(f, "cpu", d, s, s->ntop_cpu, st_dump_top_cpu);
		list(f, "rss", d, s, s->ntop_rss, st_dump_top_rss);
		list(f, "blamed", d, s, s->nblamed, st_dump_blamed);
		fputc('\n', f);
	}
	return fclose(f) == 0 ? 0 : -1;
}

static const struct st_plugin plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_SINK, .name = "abi20_sink", .version = "2.0",
	.description = "test sink built against the frozen ABI 2.0 headers",
	.options = options,
	.create = create, .destroy = destroy, .emit = emit,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
