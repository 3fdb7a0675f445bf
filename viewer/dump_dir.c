#include "dump_dir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "dump_list.h"

char *view_configured_dump_dir(const char *config_path, int explicit)
{
	static const char *const json_file_dir[] = { "sinks", "json_file", "dir" };
	char err[1024], *dir = NULL;
	/* No config installed: the daemon would write to the default too. */
	if (!explicit && access(config_path, F_OK) != 0)
		return strdup(ST_DEFAULT_DUMP_DIR);
	/* Read without loading a plugin: the viewer runs no plugin code as
	 * whoever runs it, and a plugin's option it would not know (or a
	 * detector's out-of-range value) is the daemon's to refuse. */
	if (st_config_lookup(config_path, explicit, json_file_dir, 3, &dir, err,
			     sizeof(err)) != 0) {
		view_report(NULL, err);    /* "FILE:LINE: reason", raw */
		return NULL;
	}
	return dir ? dir : strdup(ST_DEFAULT_DUMP_DIR);
}
