#include "summary_text.h"

#include <stdarg.h>
#include <stdio.h>

void summary_count(char *out, size_t len, uint64_t n)
{
	char digits[24];
	int nd = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	size_t o = 0;
	if (len == 0)
		return;
	for (int i = 0; i < nd && o + 1 < len; i++) {
		/* a comma before each group of three that follows */
		if (i > 0 && (nd - i) % 3 == 0) {
			out[o++] = ',';
			if (o + 1 >= len)
				break;
		}
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

void summary_append(char *summary, size_t size, int used, const char *fmt, ...)
{
	va_list ap;
	if (used < 0 || (size_t)used >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(summary + used, size - (size_t)used, fmt, ap);
	va_end(ap);
}
