/*
 * Pieces of a trigger's one-line summary that the pressure and proc_storm
 * detectors both write. Linked into each of them (not exported).
 */
#ifndef ST_SUMMARY_TEXT_H
#define ST_SUMMARY_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* A comm as one printable line: it may hold control bytes (a summary is
 * logged and shown on a terminal), which become '?'. */
void summary_comm(char *out, size_t len, const char *comm);

/* printf at summary[used], cut to the summary's size: a summary is one
 * bounded line, and what does not fit is dropped. */
void summary_append(char *summary, size_t size, int used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A count with thousands separators, as a person reads it: "4,210". */
void summary_count(char *out, size_t len, uint64_t n);

#endif
