/*
 * Pieces of a trigger's one-line summary that the pressure and proc_storm
 * detectors both write. Linked into each of them (not exported). A comm in
 * a summary is escaped by the one escaper, st_escape_terminal
 * (text/term_text.h, libsttext), as the memory detectors' summaries do.
 */
#ifndef ST_SUMMARY_TEXT_H
#define ST_SUMMARY_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* printf at summary[used], cut to the summary's size: a summary is one
 * bounded line, and what does not fit is dropped. */
void summary_append(char *summary, size_t size, int used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A count with thousands separators, as a person reads it: "4,210". */
void summary_count(char *out, size_t len, uint64_t n);

#endif
