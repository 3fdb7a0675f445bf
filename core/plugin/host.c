#include "plugin/host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "daemon/log.h"
#include "proc/proc_memory.h"
#include "engine/sink_queue.h"

static struct st_engine *bound;

void st_host_bind(struct st_engine *engine)
{
	bound = engine;
}

struct st_engine *st_host_bound(void)
{
	return bound;
}

static int64_t clock_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t st_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

int64_t st_wall_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

static void host_log(const struct st_host *host, int32_t level,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	st_vlog(level, host->plugin_name, fmt, ap);
	va_end(ap);
}

static void host_dump_stored(const struct st_host *host, const struct st_dump *dump,
			     const char *path)
{
	(void)host;
	/* The dump is the core's: it hands sinks a const view of it, and
	 * records here, between two sinks on the sink thread, where it went. */
	struct st_dump *d = (struct st_dump *)dump;
	snprintf(d->stored_as, sizeof(d->stored_as), "%s", path ? path : "");
}

/* Opens the proc root per call: it runs for a trigger's few candidates,
 * not per sample, and a host table has no teardown to close an fd in. */
static int host_proc_memory(const struct st_host *host, int32_t pid,
			    uint64_t start_ticks, struct st_proc_memory *out)
{
	int root;
	do
		root = open(host->proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (root < 0 && errno == EINTR);
	if (root < 0)
		return -1;
	int rc = st_proc_memory_read(root, pid, start_ticks, out);
	close(root);
	return rc;
}

static uint64_t host_dumps_dropped(const struct st_host *host)
{
	struct st_engine *e = host->core;
	return e && e->sink_queue ? st_sink_queue_dropped(e->sink_queue) : 0;
}

void st_host_init(struct st_host *host, const char *plugin_name,
		  const char *proc_root, uint32_t ncores)
{
	memset(host, 0, sizeof(*host));
	host->abi_major = ST_ABI_MAJOR;
	host->abi_minor = ST_ABI_MINOR;
	host->size = sizeof(*host);
	host->plugin_name = plugin_name;
	host->log = host_log;
	host->mono_ns = st_mono_ns;
	host->wall_ns = st_wall_ns;
	host->proc_root = proc_root;
	host->ncores = ncores;
	host->dump_stored = host_dump_stored;
	host->proc_memory = host_proc_memory;
	host->core = bound;
	host->watch_fd = st_engine_host_watch_fd;
	host->unwatch_fd = st_engine_host_unwatch_fd;
	host->request_sample = st_engine_host_request_sample;
	host->dumps_dropped = host_dumps_dropped;
}
