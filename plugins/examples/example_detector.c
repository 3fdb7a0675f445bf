/*
 * fork_storm: an example of a third-party spiketrace detector, built out of
 * the source tree against the installed headers only (see Makefile.example).
 *
 * It fires when the system creates processes faster than threshold_per_s
 * for `sustain` samples in a row: a shell loop gone wrong, a crashing
 * service restarted in a tight loop, a build spawning thousands of tiny
 * tools. Such storms hide from CPU detectors, since each child lives for a
 * millisecond and no single process looks busy.
 *
 * The figure comes from /proc/stat's "processes" counter, which the core
 * samples for every detector as st_sample.forks_delta (processes created
 * during the interval). Everything a detector needs arrives in the history
 * passed to evaluate(); it reads no file of its own.
 *
 * The rules every detector follows, shown here:
 *   - export only spiketrace_plugin_entry(); everything else is static
 *     (build with -fvisibility=hidden);
 *   - the file is named after the plugin: this one must be fork_storm.so;
 *   - evaluate() runs on every sample: it must not allocate, sleep, write
 *     files or log;
 *   - cooldown, rate limits and grouping into incidents are the core's:
 *     while a storm lasts the detector may report it on every sample, and
 *     the core keeps one trigger per `cooldown` seconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spiketrace/plugin.h>

struct fork_storm {
	const struct st_host *host;
	double threshold;       /* processes created per second */
	unsigned sustain;       /* samples in a row above it */
};

/* Indices into the option table, and so into the values create() gets. */
enum { OPT_THRESHOLD, OPT_SUSTAIN };

/*
 * The core turns this table into the plugin's section of spiketrace.conf
 *
 *     detectors { fork_storm { threshold_per_s = 500  sustain = 3 } }
 *
 * checks the ranges, and prints it in `spiketrace --list-plugins`. The
 * options "enabled" and "cooldown" are added by the core.
 */
static const struct st_option options[] = {
	[OPT_THRESHOLD] = ST_OPTION_FLOAT("threshold_per_s", 1000, 1, 1e6,
		"fire when more processes than this are created per second"),
	[OPT_SUSTAIN] = ST_OPTION_INT("sustain", 2, 1, 30,
		"samples in a row above the threshold: one burst is not a storm"),
	ST_OPTION_END,
};

static int fork_storm_create(const struct st_host *host, const union st_value *opts,
			     void **state)
{
	struct fork_storm *fs = calloc(1, sizeof(*fs));
	if (!fs) {
		host->log(host, ST_LOG_ERR, "out of memory");
		return -1;
	}
	fs->host = host;
	fs->threshold = opts[OPT_THRESHOLD].f;
	fs->sustain = (unsigned)opts[OPT_SUSTAIN].i;
	*state = fs;
	return 0;
}

static void fork_storm_destroy(void *state)
{
	free(state);
}

/* Processes created per second during the interval that ended with s;
 * negative when unknown (the first sample has no interval). */
static double fork_rate(const struct st_sample *s)
{
	if (s->interval_s <= 0)
		return -1;
	return (double)s->forks_delta / s->interval_s;
}

static int fork_storm_evaluate(void *state, const struct st_history *h,
			       struct st_trigger *out, size_t max)
{
	const struct fork_storm *fs = state;

	if (max == 0 || h->count < fs->sustain)
		return 0;

	/* samples[count - 1] is the newest: walk back over the last
	 * `sustain` samples; every one must be above the threshold. */
	double lowest = -1;
	for (unsigned i = 0; i < fs->sustain; i++) {
		double rate = fork_rate(h->samples[h->count - 1 - i]);
		if (rate <= fs->threshold)
			return 0;
		if (lowest < 0 || rate < lowest)
			lowest = rate;
	}

	/* Before the storm: the sample just before the streak, if any. */
	double before = 0;
	if (h->count > fs->sustain) {
		double rate = fork_rate(h->samples[h->count - 1 - fs->sustain]);
		if (rate > 0)
			before = rate;
	}

	/* Fixed-size fields: filling a trigger allocates nothing. No process
	 * is blamed (pid 0): the children are gone before anyone samples
	 * them. sample_seq is the core's to fill in. */
	struct st_trigger *t = &out[0];
	double now = fork_rate(h->samples[h->count - 1]);
	memset(t, 0, sizeof(*t));
	snprintf(t->type, sizeof(t->type), "fork_storm");
	t->value = now;
	t->baseline = before;
	t->threshold = fs->threshold;
	snprintf(t->units, sizeof(t->units), "forks/s");
	snprintf(t->summary, sizeof(t->summary),
		 "%.0f processes created per second (at least %.0f/s for %u samples; "
		 "threshold %.0f/s)", now, lowest, fs->sustain, fs->threshold);
	return 1;
}

static const struct st_plugin plugin = {
	ST_PLUGIN_HEADER,               /* the ABI version and sizes: checked first */
	.kind = ST_PLUGIN_DETECTOR,
	.name = "fork_storm",           /* = the file name without ".so" */
	.version = "1.0",
	.description = "processes are created faster than threshold_per_s for sustain samples",
	.options = options,
	.create = fork_storm_create,
	.destroy = fork_storm_destroy,
	.evaluate = fork_storm_evaluate,
};

ST_PLUGIN_EXPORT const struct st_plugin *spiketrace_plugin_entry(void)
{
	return &plugin;
}
