#include "mem_move.h"

#include <stdlib.h>

#include "trigger.h"

struct mem_move_state {
	const struct mem_move_rule *rule;
	struct rss_blamer blamer;     /* preallocated: firing allocates nothing */
	uint64_t threshold_kib;
	struct window window;
};

int mem_move_create(const struct mem_move_rule *rule, const struct st_host *host,
		    const union st_value *opts, void **state)
{
	struct mem_move_state *mm = calloc(1, sizeof(*mm));
	if (!mm) {
		host->log(host, ST_LOG_ERR, "out of memory");
		return -1;
	}
	mm->rule = rule;
	/* A failure here is retried on the samples that do not fire. */
	rss_blamer_init(&mm->blamer, host);
	mm->threshold_kib = (uint64_t)opts[MEM_MOVE_OPT_THRESHOLD].i * 1024;
	window_from_options(&mm->window, host, "window", opts[MEM_MOVE_OPT_WINDOW].i,
			    "window_s", opts[MEM_MOVE_OPT_WINDOW_S].f);
	*state = mm;
	return 0;
}

void mem_move_destroy(void *state)
{
	struct mem_move_state *mm = state;
	if (!mm)
		return;
	rss_blamer_fini(&mm->blamer);
	free(mm);
}

static int detect(struct mem_move_state *mm, const struct st_history *h,
		  struct st_trigger *out, size_t max)
{
	const struct mem_move_rule *r = mm->rule;
	struct mem_move m = { .now = NULL };
	if (h->count < 2 || max == 0)
		return 0;
	m.now = h->samples[h->count - 1];
	if (!r->figure(m.now, m.now, &m.now_kib))
		return 0;

	/* The nearest of equal extremes: the move happened after it. */
	uint32_t from_back = 0;
	uint32_t reach = window_back(&mm->window, h);
	for (uint32_t back = 1; back <= reach; back++) {
		const struct st_sample *s = h->samples[h->count - 1 - back];
		uint64_t v;
		if (!r->figure(s, m.now, &v))
			continue;
		if (!m.from || (r->rises ? v < m.from_kib : v > m.from_kib)) {
			m.from = s;
			from_back = back;
			m.from_kib = v;
		}
	}
	if (!m.from)
		return 0;
	/* Unsigned: test before subtracting, so a move the other way is
	 * never one. */
	uint64_t hi = r->rises ? m.now_kib : m.from_kib;
	uint64_t lo = r->rises ? m.from_kib : m.now_kib;
	if (hi <= lo || hi - lo < mm->threshold_kib)
		return 0;
	m.moved_kib = hi - lo;

	struct rss_blame b;
	rss_blame_growth(&mm->blamer, h, from_back, m.moved_kib, &b);
	struct st_trigger *t = &out[0];
	trigger_figures(t, r->type, (double)m.moved_kib, (double)m.from_kib,
			(double)mm->threshold_kib, "kib");
	rss_blame_to_trigger(&b, t);
	r->describe(t, &m, &b);
	return 1;
}

int mem_move_evaluate(void *state, const struct st_history *h,
		      struct st_trigger *out, size_t max)
{
	struct mem_move_state *mm = state;
	return rss_blamer_fired(&mm->blamer, h, detect(mm, h, out, max));
}
