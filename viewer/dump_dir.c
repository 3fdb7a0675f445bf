#include "dump_dir.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "log.h"

char *view_configured_dump_dir(const char *config_path, int explicit)
{
	struct st_engine e;
	char *dir = NULL;
	/* No config installed: the daemon would write to the default too. */
	if (!explicit && access(config_path, F_OK) != 0)
		return strdup(ST_DEFAULT_DUMP_DIR);
	memset(&e, 0, sizeof(e));
	/* The same reading as the daemon's, so the viewer looks where the
	 * daemon writes; only errors are worth a word here. */
	enum st_log_level before = st_log_get_level();
	st_log_set_level(ST_LOG_ERR);
	int rc = st_engine_configure(&e, config_path, explicit, NULL);
	st_log_set_level(before);
	if (rc != 0) {
		st_engine_destroy(&e);
		return NULL;
	}
	for (size_t i = 0; i < e.plugins.n && !dir; i++) {
		const struct st_plugin *p = e.plugins.items[i].desc;
		if (strcmp(p->name, "json_file") != 0 || !e.cfg.plugins[i].configured)
			continue;
		for (size_t k = 0; k < e.cfg.plugins[i].nvalues; k++)
			if (strcmp(p->options[k].name, "dir") == 0 && e.cfg.plugins[i].values[k].s)
				dir = strdup(e.cfg.plugins[i].values[k].s);
	}
	st_engine_destroy(&e);
	return dir ? dir : strdup(ST_DEFAULT_DUMP_DIR);
}
