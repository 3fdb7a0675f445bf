/* The host table each plugin gets at create time (include/spiketrace/plugin.h). */
#ifndef ST_HOST_H
#define ST_HOST_H

#include <spiketrace/plugin.h>

struct st_engine;

/* The engine the host tables filled from now on serve (host->core: their
 * watch_fd, unwatch_fd and request_sample reach its poll loop). Set by
 * the engine before it creates plugin instances: the loader fills the
 * tables and knows nothing of the loop. NULL: those hooks refuse. */
void st_host_bind(struct st_engine *engine);
struct st_engine *st_host_bound(void);

/* Fill a plugin's host table; name and proc_root must outlive it. */
void st_host_init(struct st_host *host, const char *plugin_name,
		  const char *proc_root, uint32_t ncores);

int64_t st_mono_ns(void);
int64_t st_wall_ns(void);

#endif
