#include "plugin_under_test.h"

#include <stdio.h>
#include <stdlib.h>

#include "cunit_runner.h"

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
