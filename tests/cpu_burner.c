/* Test helper: idle for IDLE_MS, then burn one core for BURN_MS. A process
 * that goes from idle to a full core is what cpu_delta exists to catch.
 * With a third argument "cpu", BURN_MS is CPU time, not wall time: on a
 * loaded machine the burst still holds that much CPU, over longer. A
 * fourth, AFTER_MS, idles that long after the burst before exiting, so the
 * samples read the end of the burst as the burner's, not its reaper's.
 * With CPU_BURNER_TIMES=FILE in the environment, it writes the burst's
 * start and end there (CLOCK_MONOTONIC ns, the dump's clock), so that a
 * test can tell its burst from another job's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5 || (argc >= 4 && strcmp(argv[3], "cpu") != 0)) {
		fprintf(stderr, "usage: cpu_burner IDLE_MS BURN_MS [cpu [AFTER_MS]]\n");
		return 2;
	}
	long idle_ms = atol(argv[1]), burn_ms = atol(argv[2]);
	clockid_t clock = argc >= 4 ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC;
	usleep((useconds_t)idle_ms * 1000);
	double start_mono = now_s(CLOCK_MONOTONIC);
	double end = now_s(clock) + (double)burn_ms / 1000.0;
	volatile unsigned long spin = 0;
	while (now_s(clock) < end)
		spin++;
	const char *times = getenv("CPU_BURNER_TIMES");
	if (times) {
		FILE *f = fopen(times, "w");
		if (!f || fprintf(f, "%.0f %.0f\n", start_mono * 1e9, now_s(CLOCK_MONOTONIC) * 1e9) < 0 ||
		    fclose(f) != 0)
			return 1;
	}
	if (argc == 5)
		usleep((useconds_t)atol(argv[4]) * 1000);
	return 0;
}
