#include "plugin_under_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cunit_runner.h"
#include "daemon/log.h"

const struct st_plugin *st_test_plugin_load(struct st_plugin_set *set, const char *file)
{
	struct st_loaded_plugin p;
	char path[4096], err[256];
	snprintf(path, sizeof(path), "%s/%s", ST_BUILD_PLUGIN_DIR, file);
	int rc = st_plugin_load_file(path, &p, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", file, err);
	CU_ASSERT_FATAL(rc == 0);
	set->items = malloc(sizeof(*set->items));
	CU_ASSERT_FATAL(set->items != NULL);
	set->items[0] = p;
	set->n = 1;
	return p.desc;
}

void st_test_plugin_unload(struct st_plugin_set *set)
{
	st_plugins_unload(set);     /* nothing running: only dlclose and free */
}

int st_test_log_count[ST_LOG_DEBUG + 1];
char st_test_last_log[512];

static void counted_log(const struct st_host *host, int32_t level, const char *fmt, ...)
{
	va_list ap;
	(void)host;
	/* As the daemon's log shows it (escaped once), so that a test sees
	 * what a reader of the log would. */
	va_start(ap, fmt);
	st_log_vformat(st_test_last_log, sizeof(st_test_last_log), fmt, ap);
	va_end(ap);
	if (level >= ST_LOG_ERR && level <= ST_LOG_DEBUG)
		st_test_log_count[level]++;
}

static int64_t clock_at_one(void)
{
	return 1;
}

/* Real: a sink paces itself by it (a queue's backoff, a file's rewrite). */
static int64_t monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void st_test_log_reset(void)
{
	memset(st_test_log_count, 0, sizeof(st_test_log_count));
	st_test_last_log[0] = '\0';
}

struct st_host st_test_sink_host(const char *plugin_name)
{
	return (struct st_host){
		.abi_major = ST_ABI_MAJOR,
		.abi_minor = ST_ABI_MINOR,
		.size = sizeof(struct st_host),
		.plugin_name = plugin_name,
		.log = counted_log,
		.mono_ns = monotonic,
		.wall_ns = clock_at_one,
		.proc_root = "/proc",
		.ncores = 4,
	};
}
