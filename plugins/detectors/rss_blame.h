/*
 * Shared by the memory and swap detectors: the likely cause of a memory
 * event is the process whose RSS grew most over the window, not merely
 * the largest process. Linked into each of those plugins (not exported).
 *
 * A memory trigger fires exactly when memory is short, so the firing path
 * allocates nothing: the per-process scratch is allocated at create and
 * grown by rss_blame_reserve() on the samples that do not fire. Should
 * that growth fail, the detector still fires, blaming no process.
 */
#ifndef ST_RSS_BLAME_H
#define ST_RSS_BLAME_H

#include <stddef.h>
#include <stdint.h>
#include <spiketrace/plugin.h>

struct rss_blame {
	int32_t  pid;               /* 0 when no process grew */
	uint64_t start_ticks;
	char     comm[ST_COMM_MAX];
	uint64_t rss_kib;           /* now */
	uint64_t growth_kib;        /* over the window; a process born inside
	                               the window grew from 0 */
};

struct rss_then;

/* A detector's scratch for blaming: one per plugin instance. */
struct rss_blamer {
	const struct st_host *host;
	struct rss_then *then;      /* by process slot (st_proc_sample.info) */
	uint32_t cap;               /* slots then[] holds */
};

/* Preallocate for a typical process table. Returns 0, or -1 when out of
 * memory (the blamer still works: it grows on the next reserve). */
int rss_blamer_init(struct rss_blamer *b, const struct st_host *host);
void rss_blamer_fini(struct rss_blamer *b);

/* Grow the scratch to the history's process table. Call it on samples
 * that did not fire; a failure is kept for the next call to retry. */
void rss_blamer_reserve(struct rss_blamer *b, const struct st_history *h);

/* A detector's evaluate ends with `return rss_blamer_fired(b, h, n)`, n
 * its trigger count: the scratch grows (rss_blamer_reserve) only when n
 * is 0, so the firing path allocates nothing. Returns n. */
int rss_blamer_fired(struct rss_blamer *b, const struct st_history *h, int n);

/* Compare the newest sample with the one `window` samples before it (or the
 * oldest there is). Allocates nothing; out->pid is 0 when no process grew,
 * or when the scratch could not grow to the history's process table. */
void rss_blame_growth(struct rss_blamer *b, const struct st_history *h,
		      uint32_t window, struct rss_blame *out);

/* Copy the blamed process into a trigger (pid, start_ticks, comm) and mark
 * it a system event (ST_TRIGGER_SYSTEM). */
void rss_blame_to_trigger(const struct rss_blame *b, struct st_trigger *t);

/* Human figures for a one-line summary: "512 KiB", "1.5 MiB", "2.0 GiB". */
void rss_blame_format_kib(char *buf, size_t len, uint64_t kib);

/* Append "; chrome grew 1.0 GiB" (or "; no process grew") to a summary of
 * which `used` bytes are written; truncated to fit size. */
void rss_blame_append(char *summary, size_t size, int used, const struct rss_blame *b);

#endif
