/*
 * spiketrace-view: print spike dumps for people.
 *
 * Each file is read and rendered on its own; one bad file is reported and
 * the others are still shown, since a user typically runs this over a
 * glob of a whole dump directory.
 */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "dump_json.h"
#include "render_text.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

#define PROG "spiketrace-view"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [OPTION]... FILE...\n"
		"Print spiketrace dumps (spiketrace.dump/1 JSON) in a readable form:\n"
		"the trigger, the top processes by CPU and by memory at the trigger,\n"
		"and the system figures around it. Times are shown in UTC.\n"
		"\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  show the version and exit\n"
		"\n"
		"Exit status: 0 if every file was shown, 1 if any could not be read,\n"
		"2 on a usage error.\n");
}

/* File names reach the terminal too, and may hold any byte. */
static void report(const char *path, const char *reason)
{
	char p[1024], r[1024];

	fprintf(stderr, PROG ": %s: %s\n",
		st_escape_terminal(path, p, sizeof(p)),
		st_escape_terminal(reason, r, sizeof(r)));
}

static int show(const char *path, int first)
{
	struct st_render_opts opts = { .name = NULL, .sample_index = -1, .top = 0 };
	char err[256] = "";
	struct st_dump *dump = st_dump_read_file(path, err, sizeof(err));
	const char *slash;

	if (!dump) {
		report(path, *err ? err : "cannot read the dump");
		return -1;
	}
	/* The directory is the same for every dump; the file name is what
	 * tells them apart, as in the original viewer. */
	slash = strrchr(path, '/');
	opts.name = slash && slash[1] ? slash + 1 : path;
	if (!first)
		fputc('\n', stdout);
	st_render_dump(stdout, dump, &opts);
	st_dump_free(dump);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, status = 0, shown = 0;

	while ((opt = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf(PROG " " PACKAGE_VERSION "\n");
			return 0;
		default:
			fprintf(stderr, "Try '" PROG " --help' for more information.\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, PROG ": no dump file given\n"
			"Try '" PROG " --help' for more information.\n");
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		if (show(argv[i], shown == 0) < 0) {
			status = 1;
			continue;
		}
		shown++;
		/* Keep stderr lines next to the output they belong to when both
		 * go to the same terminal or pipe. */
		fflush(stdout);
	}
	/* A full disk or closed pipe on stdout is a failure, not a success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROG ": write error: %s\n", strerror(errno));
		return 1;
	}
	return status;
}
