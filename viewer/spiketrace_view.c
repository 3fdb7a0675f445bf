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
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/cmdline.h"
#include "dump/dump.h"
#include "dump/dump_json.h"
#include "dump_dir.h"
#include "dump_list.h"
#include "render/render_text.h"
#include "html_index.h"
#include "write_dumps.h"
#ifdef HAVE_NCURSES
#include "browse.h"
#endif

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif
/* Where the json_file sink writes when its `dir` is not configured. */
#ifndef ST_DEFAULT_DUMP_DIR
#define ST_DEFAULT_DUMP_DIR "/var/lib/spiketrace"
#endif

#define PROG "spiketrace-view"

enum mode { MODE_SHOW, MODE_JSON, MODE_LIST, MODE_BROWSE };

struct settings {
	enum mode mode;
	int sample;             /* -1: the trigger sample */
	int all;
	int top;
	struct view_style style;
};

/* Read by view_report(), which has no settings to hand. */
static int report_ascii;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [OPTION]... FILE...\n"
		"  or:  " PROG " --list [DIR]...\n"
		"  or:  " PROG " --html OUT.html FILE...\n"
		"  or:  " PROG " --html OUT_DIR DIR\n"
		"  or:  " PROG " --perfetto OUT.json FILE...\n"
		"  or:  " PROG " --browse [DIR]\n"
		"Print spiketrace dumps (spiketrace.dump/1 JSON) in a readable form:\n"
		"the triggers, the top processes by CPU and by memory at the trigger,\n"
		"and a timeline of the window with sparklines. Times are in UTC.\n"
		"\n"
		"  -s, --sample N     the tables of sample N (the # column of the\n"
		"                     timeline) instead of the trigger sample\n"
		"  -a, --all          the tables of every sample\n"
		"  -n, --top N        rows per table (default 10)\n"
		"  -j, --json         re-emit each dump as normalised, indented JSON\n"
		"                     (several files give a stream of documents)\n"
		"  -l, --list         list the dumps in each DIR (default: the json_file\n"
		"                     sink's dir in the daemon's config, else\n"
		"                     " ST_DEFAULT_DUMP_DIR "),\n"
		"                     newest first, then the processes that trigger most\n"
		"      --html OUT     write the dumps as one self-contained HTML page\n"
		"                     (charts, sortable tables; opens from file://);\n"
		"                     with one DIR, OUT is a directory: a page per dump\n"
		"                     and index.html, newest first\n"
		"      --perfetto OUT write one trace of all the FILEs to OUT, in the\n"
		"                     Chrome Trace Event Format that ui.perfetto.dev and\n"
		"                     chrome://tracing open (nothing is written if any\n"
		"                     FILE cannot be read)\n"
		"  -b, --browse       browse the dumps of DIR (default as for --list) in\n"
		"                     the terminal: the default with no FILE on a terminal\n"
		"  -c, --config FILE  the daemon's config for --list and --browse (default\n"
		"                     " ST_DEFAULT_CONFIG ")\n"
		"      --color[=WHEN] colours: auto (default: on a terminal, unless\n"
		"                     NO_COLOR is set and not empty or TERM=dumb),\n"
		"                     always or never\n"
		"      --ascii        ASCII only: sparklines from \"_.-:=+*#\" and non-ASCII\n"
		"                     bytes of names escaped; the default unless LC_ALL,\n"
		"                     LC_CTYPE or LANG (the first set) names UTF-8\n"
		"  -h, --help         show this help and exit\n"
		"  -V, --version      show the version and exit\n"
		"\n"
		"Process names and command lines are shown escaped (\\x1b, \\n, ...).\n"
		"Exit status: 0 if every file was shown, 1 if any could not be read,\n"
		"2 on a usage error.\n");
}

void view_report(const char *what, const char *reason)
{
	char w[1024], r[4 * 1024];    /* r: a config error's 1 KiB, escaped */

	/* Keep the error next to the output it belongs to in a shared
	 * terminal or pipe. */
	fflush(stdout);
	st_escape_into(what, w, sizeof(w), report_ascii, SIZE_MAX, NULL);
	st_escape_into(reason, r, sizeof(r), report_ascii, SIZE_MAX, NULL);
	fprintf(stderr, PROG ": %s%s%s\n", w, what ? ": " : "", r);
}

/* Arguments in the message must be escaped by the caller (arg()). */
__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry '" PROG " --help' for more information.\n", stderr);
	return 2;
}

static const char *arg(const char *s)
{
	static char buf[256];
	return st_escape_ascii(s, buf, sizeof(buf));
}

static int parse_count(const char *arg, int min, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/* --color's WHEN, with the synonyms ls(1) accepts. */
static int parse_color(const char *when, int *color)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (!when || !strcmp(when, "always") || !strcmp(when, "yes") || !strcmp(when, "force")) {
		/* Asked for on the command line: that beats NO_COLOR, as
		 * no-color.org says it should. */
		*color = 1;
	} else if (!strcmp(when, "never") || !strcmp(when, "no") || !strcmp(when, "none")) {
		*color = 0;
	} else if (!strcmp(when, "auto") || !strcmp(when, "tty") || !strcmp(when, "if-tty")) {
		*color = isatty(STDOUT_FILENO) && !(nc && *nc) &&
			 !(term && strcmp(term, "dumb") == 0);
	} else {
		return -1;
	}
	return 0;
}

static int show(const char *path, const struct settings *set, int first)
{
	struct st_render_opts opts = {
		.sample_index = set->sample,
		.top = set->top,
		.all_samples = set->all,
		.color = set->style.color,
		.ascii = set->style.ascii,
	};
	char err[256] = "";
	struct st_dump *dump = st_dump_read_file(path, err, sizeof(err));
	const char *slash;

	if (!dump) {
		view_report(path, *err ? err : "cannot read the dump");
		return -1;
	}
	if (set->mode == MODE_JSON) {
		char *json = st_dump_to_json(dump, 1);
		if (json) {
			fputs(json, stdout);
			fputc('\n', stdout);
		} else {
			view_report(path, "out of memory");
		}
		free(json);
		st_dump_free(dump);
		return json ? 0 : -1;
	}
	if (set->sample >= 0 && (uint32_t)set->sample >= dump->nsamples) {
		snprintf(err, sizeof(err), "no sample %d (the dump has %u%s)", set->sample,
			 dump->nsamples, dump->nsamples ? ", numbered from 0" : "");
		view_report(path, err);
		st_dump_free(dump);
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
	enum { OPT_COLOR = 256, OPT_ASCII, OPT_HTML, OPT_PERFETTO };
	static const struct option longopts[] = {
		{ "sample", required_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "top", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "list", no_argument, NULL, 'l' },
		{ "browse", no_argument, NULL, 'b' },
		{ "config", required_argument, NULL, 'c' },
		{ "color", optional_argument, NULL, OPT_COLOR },
		{ "colour", optional_argument, NULL, OPT_COLOR },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "perfetto", required_argument, NULL, OPT_PERFETTO },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct settings set = { .mode = MODE_SHOW, .sample = -1 };
	int opt, status = 0, shown = 0, json = 0, list = 0, browse = 0, ascii = 0;
	const char *config = ST_DEFAULT_CONFIG, *html = NULL, *perfetto = NULL;
	int config_explicit = 0;

	if (parse_color("auto", &set.style.color) < 0)
		return 2;
	char why[160];
	while ((opt = getopt_long(argc, argv, ":s:an:jlbc:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (parse_count(optarg, 0, &set.sample) < 0)
				return usage_error("--sample: '%s' is not a sample number", arg(optarg));
			break;
		case 'a':
			set.all = 1;
			break;
		case 'n':
			if (parse_count(optarg, 1, &set.top) < 0)
				return usage_error("--top: '%s' is not a positive number", arg(optarg));
			break;
		case 'j':
			json = 1;
			break;
		case 'l':
			list = 1;
			break;
		case 'b':
			browse = 1;
			break;
		case 'c':
			config = optarg;
			config_explicit = 1;
			break;
		case OPT_COLOR:
			if (parse_color(optarg, &set.style.color) < 0)
				return usage_error("--color: '%s' is not one of auto, always, never",
						   arg(optarg));
			break;
		case OPT_ASCII:
			ascii = 1;
			break;
		case OPT_HTML:
			html = optarg;
			break;
		case OPT_PERFETTO:
			perfetto = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf(PROG " " PACKAGE_VERSION "\n");
			return 0;
		default:
			/* Said escaped: glibc would print the option raw. */
			view_report(NULL, st_getopt_complaint(opt, argv, why, sizeof(why)));
			fprintf(stderr, "Try '" PROG " --help' for more information.\n");
			return 2;
		}
	}
	set.style.ascii = report_ascii = ascii || !st_render_locale_is_utf8();
	if (json && list)
		return usage_error("--json and --list do not go together");
	if (set.all && set.sample >= 0)
		return usage_error("--all and --sample do not go together");
	if (list && (set.all || set.sample >= 0))
		return usage_error("--list shows no tables: no --all or --sample");
	if (!!html + !!perfetto + browse > 1)
		return usage_error("--html, --perfetto and --browse do not go together");
	if (html || perfetto) {
		const char *opt_name = html ? "--html" : "--perfetto";
		if (json || list || set.all || set.sample >= 0)
			return usage_error("%s writes a file: no --json, --list, --all or --sample",
					   opt_name);
		if (optind >= argc)
			return usage_error("%s: no dump file given", opt_name);
		struct stat st;
		if (html && argc - optind == 1 && stat(argv[optind], &st) == 0 &&
		    S_ISDIR(st.st_mode))
			return view_write_html_dir(html, argv[optind]);
		return view_write_dumps(html ? html : perfetto, argv + optind, argc - optind,
					html ? view_html_page : view_perfetto_trace);
	}
	if (browse && (json || list || set.all || set.sample >= 0))
		return usage_error("--browse goes with no --json, --list, --all or --sample");
	if (browse && argc - optind > 1)
		return usage_error("--browse: one DIR at most");
#ifdef HAVE_NCURSES
	/* No file named on a terminal: let the user pick from the dumps. */
	if (!json && !list && !set.all && set.sample < 0 && optind >= argc &&
	    isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		browse = 1;
#endif
	set.mode = browse ? MODE_BROWSE : list ? MODE_LIST : json ? MODE_JSON : MODE_SHOW;

	if (set.mode == MODE_BROWSE) {
#ifdef HAVE_NCURSES
		char *dir = optind < argc ? strdup(argv[optind])
					  : view_configured_dump_dir(config, config_explicit);
		status = dir ? view_browse(dir, &set.style) : 1;
		free(dir);
		return status;
#else
		fputs(PROG ": --browse: built without ncurses\n", stderr);
		return 2;
#endif
	}

	if (set.mode == MODE_LIST) {
		if (optind >= argc) {
			char *dir = view_configured_dump_dir(config, config_explicit);
			status = !dir || view_list_dumps(stdout, dir, &set.style) < 0;
			free(dir);
		}
		for (int i = optind; i < argc; i++) {
			if (i > optind)
				fputc('\n', stdout);
			if (view_list_dumps(stdout, argv[i], &set.style) < 0)
				status = 1;
		}
	} else if (optind >= argc) {
		return usage_error("no dump file given");
	}
	for (int i = optind; set.mode != MODE_LIST && i < argc; i++) {
		if (show(argv[i], &set, shown == 0) < 0) {
			status = 1;
			continue;
		}
		shown++;
		fflush(stdout);
	}
	/* A full disk or closed pipe on stdout is a failure, not a success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROG ": write error: %s\n", strerror(errno));
		return 1;
	}
	return status;
}
