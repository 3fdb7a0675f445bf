/* One of the build's plugins loaded alone, the way the core loads them, for
 * the tests of its own behaviour (its create, evaluate or deliver called
 * directly, with a mock host). */
#ifndef ST_PLUGIN_UNDER_TEST_H
#define ST_PLUGIN_UNDER_TEST_H

#include "plugin/plugin_loader.h"

/* file in the build's plugin directory, e.g. "pressure.so": its
 * descriptor (the test fails at once when it does not load), held in
 * *set until st_test_plugin_unload(set). */
const struct st_plugin *st_test_plugin_load(struct st_plugin_set *set, const char *file);
void st_test_plugin_unload(struct st_plugin_set *set);

/* A host for a sink under test: its log counted by level, the last line
 * kept as the daemon's log shows it, escaped once (st_test_log_reset
 * clears both), CLOCK_MONOTONIC as it is, the wall clock at 1. */
extern int st_test_log_count[ST_LOG_DEBUG + 1];
extern char st_test_last_log[512];
void st_test_log_reset(void);
struct st_host st_test_sink_host(const char *plugin_name);

#endif
