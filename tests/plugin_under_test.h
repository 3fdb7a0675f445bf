/* One of the build's plugins loaded alone, the way the core loads them, for
 * the tests of its own behaviour (its create, evaluate or deliver called
 * directly, with a mock host). */
#ifndef ST_PLUGIN_UNDER_TEST_H
#define ST_PLUGIN_UNDER_TEST_H

#include "plugin_loader.h"

/* file in the build's plugin directory, e.g. "pressure.so": its
 * descriptor (the test fails at once when it does not load), held in
 * *set until st_test_plugin_unload(set). */
const struct st_plugin *st_test_plugin_load(struct st_plugin_set *set, const char *file);
void st_test_plugin_unload(struct st_plugin_set *set);

#endif
