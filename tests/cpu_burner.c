/* Test helper: idle for IDLE_MS, then burn one core for BURN_MS. A process
 * that goes from idle to a full core is what cpu_delta exists to catch. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: cpu_burner IDLE_MS BURN_MS\n");
		return 2;
	}
	long idle_ms = atol(argv[1]), burn_ms = atol(argv[2]);
	usleep((useconds_t)idle_ms * 1000);
	double end = now_s() + (double)burn_ms / 1000.0;
	volatile unsigned long spin = 0;
	while (now_s() < end)
		spin++;
	return 0;
}
