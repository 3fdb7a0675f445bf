/* The command line's complaints: see cmdline.h. */
#include "daemon/cmdline.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char *st_getopt_complaint(int c, char *const argv[], char *buf, size_t len)
{
	/* A missing argument always ends its word, and an unknown long
	 * option is a word of its own: getopt has moved past the word, so it
	 * is argv[optind - 1]. An unknown short option may stand inside a
	 * cluster ("-xf"): only optopt names it. */
	const char *word = optind > 0 ? argv[optind - 1] : NULL;
	int is_long = word && strncmp(word, "--", 2) == 0 && (c == ':' || optopt == 0);

	if (is_long)
		snprintf(buf, len, c == ':' ? "option '%.*s' needs an argument" :
			 "unknown option '%.*s'", (int)strcspn(word, "="), word);
	else
		snprintf(buf, len, c == ':' ? "option '-%c' needs an argument" :
			 "unknown option '-%c'", optopt);
	return buf;
}
