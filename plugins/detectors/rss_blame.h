/*
 * Shared by the memory and swap detectors: the likely cause of a memory
 * event is the process whose RSS grew most over the window, not merely
 * the largest process. Linked into each of those plugins (not exported).
 */
#ifndef ST_RSS_BLAME_H
#define ST_RSS_BLAME_H

#include <stddef.h>
#include <stdint.h>
#include <spiketrace/model.h>

struct rss_blame {
	int32_t  pid;               /* 0 when no process grew */
	uint64_t start_ticks;
	char     comm[ST_COMM_MAX];
	uint64_t rss_kib;           /* now */
	uint64_t growth_kib;        /* over the window; a process born inside
	                               the window grew from 0 */
};

/* Compare the newest sample with the one `window` samples before it (or the
 * oldest there is). Allocates a scratch array: call it when firing, not on
 * every sample. Returns 0, or -1 when out of memory (out->pid is then 0). */
int rss_blame_growth(const struct st_history *h, uint32_t window,
		     struct rss_blame *out);

/* Copy the blamed process into a trigger (pid, start_ticks, comm) and mark
 * it a system event (ST_TRIGGER_SYSTEM). */
void rss_blame_to_trigger(const struct rss_blame *b, struct st_trigger *t);

/* Human figures for a one-line summary: "512 KiB", "1.5 MiB", "2.0 GiB". */
void rss_blame_format_kib(char *buf, size_t len, uint64_t kib);

/* Append "; chrome grew 1.0 GiB" (or "; no process grew") to a summary of
 * which `used` bytes are written; truncated to fit size. */
void rss_blame_append(char *summary, size_t size, int used, const struct rss_blame *b);

#endif
