/*
 * Shared by the libFuzzer targets: a property the code under test
 * promises (in its header) that the input broke. A failed check aborts,
 * which libFuzzer reports as a crash and saves the input, like a
 * sanitizer report.
 */
#ifndef ST_FUZZ_CHECK_H
#define ST_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: property broken: %s\n",   \
				__FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

/* A one-line message: not empty, NUL-terminated within len, no control
 * bytes (they would reach a terminal or a log). */
static inline int fuzz_is_one_line(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return i > 0 && i < len;
}

#endif
