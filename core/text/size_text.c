/* Sizes as people read them: see size_text.h. */
#include "text/size_text.h"

#include <stdio.h>

#define KIB_PER_MIB 1024.0
#define KIB_PER_GIB (1024.0 * 1024.0)

char *st_format_kib(char *buf, size_t len, double kib, int mib_decimals)
{
	double mag = kib < 0 ? -kib : kib;

	if (mag >= KIB_PER_GIB)
		snprintf(buf, len, "%.1f GiB", kib / KIB_PER_GIB);
	else if (mag >= KIB_PER_MIB)
		snprintf(buf, len, "%.*f MiB", mib_decimals > 0 ? mib_decimals : 0, kib / KIB_PER_MIB);
	else
		snprintf(buf, len, "%.0f KiB", kib);
	return buf;
}
