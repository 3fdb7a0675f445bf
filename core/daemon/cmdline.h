/* What getopt_long would have said about a command line, said by the
 * program's own printer instead: glibc prints the option as typed, raw,
 * so an option holding an escape sequence reached the terminal. */
#ifndef ST_CMDLINE_H
#define ST_CMDLINE_H

#include <stddef.h>

/* With ':' first in the option string (getopt_long then prints nothing
 * and returns ':' for a missing argument, '?' for an unknown option), the
 * complaint about the option getopt_long just returned c for, raw, into
 * buf: "unknown option '--foo'", "option '-c' needs an argument".
 * Returns buf. */
const char *st_getopt_complaint(int c, char *const argv[], char *buf, size_t len);

#endif
