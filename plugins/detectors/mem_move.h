/*
 * The rule mem_drop and swap_spike share: a memory figure (available
 * memory, swap in use) that moves threshold_mib away from its extreme
 * among the samples of the last window_s seconds (window.h), the process
 * blamed being the one whose own memory grew most over that span
 * (rss_blame.h). A detector says which figure, which way and how its
 * summary reads; the state, the options, the search of the window and the
 * trigger are here. Compiled into each of those plugins (not exported).
 *
 * Comparing with the window's extreme rather than with the previous
 * sample catches a move spread over a few samples as well as a sudden
 * one, while a slow drift over more than window_s stays silent. While the
 * figure keeps moving the rule holds sample after sample; the core's
 * cooldown keeps that to one trigger per cooldown.
 */
#ifndef ST_MEM_MOVE_H
#define ST_MEM_MOVE_H

#include <stddef.h>
#include <stdint.h>
#include <spiketrace/plugin.h>

#include "rss_blame.h"
#include "window.h"

/* A move found: from the extreme of the window to the newest sample. */
struct mem_move {
	const struct st_sample *from, *now;
	uint64_t from_kib, now_kib;
	uint64_t moved_kib;         /* the distance between them, > 0 */
};

struct mem_move_rule {
	const char *type;           /* the trigger's type: the plugin's name */
	int rises;                  /* 1: a rise above the window's lowest;
	                               0: a fall below its highest */
	/* s's figure, comparable with now's (s may be now): 0 when s has
	 * none, and then it is skipped. */
	int (*figure)(const struct st_sample *s, const struct st_sample *now, uint64_t *kib);
	/* The trigger's one-line summary. */
	void (*describe)(struct st_trigger *t, const struct mem_move *m,
			 const struct rss_blame *b);
};

/* The options of such a detector, in this order (the table's indices). */
enum { MEM_MOVE_OPT_THRESHOLD, MEM_MOVE_OPT_WINDOW_S, MEM_MOVE_OPT_WINDOW };
#define MEM_MOVE_OPTIONS(default_mib, threshold_help, window_s_help) {	\
	[MEM_MOVE_OPT_THRESHOLD] = ST_OPTION_INT("threshold_mib", default_mib,	\
		1, 16 << 20, threshold_help),					\
	[MEM_MOVE_OPT_WINDOW_S] = ST_OPTION_FLOAT("window_s", 3, 0.01, 3600,	\
		window_s_help),							\
	[MEM_MOVE_OPT_WINDOW] = ST_OPTION_INT("window", 0, 0, 30,		\
		"deprecated: samples back (0: use window_s)"),			\
	ST_OPTION_END,								\
}

/* The plugin's create calls this with its rule (static: it is kept);
 * destroy and evaluate are the plugin's callbacks as they are. */
int mem_move_create(const struct mem_move_rule *rule, const struct st_host *host,
		    const union st_value *opts, void **state);
void mem_move_destroy(void *state);
int mem_move_evaluate(void *state, const struct st_history *h,
		      struct st_trigger *out, size_t max);

#endif
