/* The host table each plugin gets at create time (include/spiketrace/plugin.h). */
#ifndef ST_HOST_H
#define ST_HOST_H

#include <spiketrace/plugin.h>

/* Fill a plugin's host table; name and proc_root must outlive it. */
void st_host_init(struct st_host *host, const char *plugin_name,
		  const char *proc_root, uint32_t ncores);

int64_t st_mono_ns(void);
int64_t st_wall_ns(void);

#endif
