/* Test plugin: a sink stuck in every dump until a file appears, as on a
 * sick disk or behind a hung remote. It touches "<release>.entered" when
 * it is stuck, so a test can wait for that state; after 60 s it gives up,
 * so a broken test never leaves a daemon hanging. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <spiketrace/plugin.h>

#define GIVE_UP_MS 60000

static const struct st_option options[] = {
	ST_OPTION_STRING("release", "", "file whose existence lets a dump through"),
	ST_OPTION_END,
};

static int create(const struct st_host *host, const union st_value *opts, void **state)
{
	(void)host;
	*state = strdup(opts[0].s);
	return *state ? 0 : -1;
}

static void destroy(void *state)
{
	free(state);
}

static int emit(void *state, const struct st_dump *dump, const char *json, size_t json_len)
{
	const char *release = state;
	char entered[4096];
	(void)dump; (void)json; (void)json_len;
	snprintf(entered, sizeof(entered), "%s.entered", release);
	int fd = open(entered, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	for (int ms = 0; access(release, F_OK) != 0 && ms < GIVE_UP_MS; ms += 10)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	return 0;
}

static const struct st_plugin plugin = {
	ST_PLUGIN_HEADER,
	.kind = ST_PLUGIN_SINK, .name = "slow_sink", .version = "0",
	.description = "test sink stuck in each dump until a file exists",
	.options = options,
	.create = create, .destroy = destroy, .emit = emit,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
