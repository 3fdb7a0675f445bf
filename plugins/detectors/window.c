#include "window.h"

void window_from_options(struct window *w, const struct st_host *host,
			 const char *old_name, long samples,
			 const char *new_name, double seconds)
{
	w->seconds = seconds;
	w->samples = samples > 0 ? (uint32_t)samples : 0;
	if (w->samples)
		host->log(host, ST_LOG_WARNING,
			  "%s = %ld counts samples and is deprecated: write %s "
			  "(seconds), which means the same at every interval; "
			  "%s is ignored while %s is set",
			  old_name, samples, new_name, new_name, old_name);
}

uint32_t window_back(const struct window *w, const struct st_history *h)
{
	if (h->count < 2)
		return 0;
	uint32_t max = h->count - 1;
	if (w->samples)
		return w->samples < max ? w->samples : max;
	const struct st_sample *now = h->samples[h->count - 1];
	double limit_ns = w->seconds * 1e9;
	uint32_t back = 1;
	for (uint32_t b = 2; b <= max; b++) {
		const struct st_sample *s = h->samples[h->count - 1 - b];
		const struct st_sample *next = h->samples[h->count - b];
		double age = (double)(now->mono_ns - s->mono_ns);
		double gap = (double)(next->mono_ns - s->mono_ns);
		if (age > limit_ns + gap / 2)
			break;
		back = b;
	}
	return back;
}
