/* Test helper: idle for IDLE_MS, then allocate MIB mebibytes and touch
 * every page (so it is resident, not just reserved), then hold it for
 * HOLD_MS. The allocation mem_drop exists to catch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: mem_hog IDLE_MS MIB HOLD_MS\n");
		return 2;
	}
	long idle_ms = atol(argv[1]), mib = atol(argv[2]), hold_ms = atol(argv[3]);
	usleep((useconds_t)idle_ms * 1000);
	size_t len = (size_t)mib << 20;
	char *p = malloc(len);
	if (!p) {
		perror("mem_hog: malloc");
		return 1;
	}
	memset(p, 0x5a, len);
	usleep((useconds_t)hold_ms * 1000);
	/* Read it back so the compiler cannot drop the writes. */
	unsigned long sum = 0;
	for (size_t i = 0; i < len; i += 4096)
		sum += (unsigned char)p[i];
	free(p);
	return sum == 0;
}
