/* Test helper: burn MS milliseconds of CPU, then exit. Named so that a
 * test can find it by comm among exited groups; started double-forked,
 * it is reaped by init, not by the shell that started it. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	double ms = argc > 1 ? atof(argv[1]) : 20;
	if (argc > 2 || ms < 0 || ms > 10000) {
		fprintf(stderr, "usage: spkorphan [MS]\n");
		return 2;
	}
	volatile unsigned long spin = 0;
	while (cpu_ms() < ms)
		for (int i = 0; i < 10000; i++)
			spin++;
	return 0;
}
