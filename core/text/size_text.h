/*
 * Sizes as people read them, written once for every text we make: the
 * viewer's report and tables, the HTML page, the dump's why-line, the
 * detectors' summaries and the sinks' one-line incidents.
 *
 * Pure and free of every other module, so that a plugin compiles it in
 * (through libsttext) as the core does.
 */
#ifndef ST_SIZE_TEXT_H
#define ST_SIZE_TEXT_H

#include <stddef.h>

/*
 * Decimals of a MiB figure. Tables and the rendered report show whole MiB
 * (the original tool's unit): a column of "812 MiB" scans and lines up,
 * and a tenth there is noise beside the rows around it. A line of prose
 * (a summary, the why-line, a syslog line) names a figure or two once, and
 * a growth of 1.5 MiB read as "2 MiB" is a third off: tenths. GiB have one
 * decimal and KiB none in both.
 */
#define ST_SIZE_WHOLE  0
#define ST_SIZE_TENTHS 1

/* kib as "512 KiB", "812 MiB" (ST_SIZE_WHOLE) or "812.3 MiB"
 * (ST_SIZE_TENTHS), "15.5 GiB"; a negative figure with "-", the unit
 * chosen by its magnitude. Returns buf. */
char *st_format_kib(char *buf, size_t len, double kib, int mib_decimals);

#endif
