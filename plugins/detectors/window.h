/*
 * A detector's look-back as a duration: "512 MiB in 3 s" means the same at
 * every sampling interval. The samples are walked back by their own
 * timestamps (mono_ns), not counted, so a history of mixed rates (a
 * reload that changed interval) is measured in seconds too.
 *
 * The deprecated spelling of these options counted samples; a config that
 * still uses it keeps that meaning (and is told so once, at create).
 * Linked into the memory detectors with rss_blame (not exported).
 */
#ifndef ST_WINDOW_H
#define ST_WINDOW_H

#include <stdint.h>
#include <spiketrace/plugin.h>

struct window {
	double   seconds;
	uint32_t samples;           /* > 0: the deprecated count wins */
};

/* From a detector's options: seconds, and the deprecated count (0 when
 * not given, which the option's default must be). Logs one deprecation
 * line naming both spellings when the count is given. */
void window_from_options(struct window *w, const struct st_host *host,
			 const char *old_name, long samples,
			 const char *new_name, double seconds);

/*
 * How many samples back from the newest the window reaches: the farthest
 * sample no older than the window, give or take half the gap to its
 * successor (tick jitter must not drop the sample 3 s back from a 3 s
 * window). At least 1 (the previous sample) and at most count - 1; 0 with
 * fewer than two samples.
 */
uint32_t window_back(const struct window *w, const struct st_history *h);

#endif
