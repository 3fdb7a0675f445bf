/* spiketrace: the command line. Everything else is in daemon.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"
#include "daemon/cmdline.h"
#include "daemon/daemon.h"
#include "daemon/log.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: spiketrace [OPTION]...\n"
		"Record short CPU, memory and swap spikes: sample /proc continuously and\n"
		"write a dump of the seconds around each spike.\n"
		"\n"
		"  -c, --config FILE      configuration file (default %s)\n"
		"  -f, --foreground       stay in the foreground (as under systemd)\n"
		"  -p, --plugin-dir DIR   load plugins from DIR (default %s)\n"
		"  -r, --proc-root DIR    sample DIR instead of /proc (for tests)\n"
		"  -l, --list-plugins     show the plugins, their options, and exit\n"
		"  -t, --check-config     check the configuration and exit (0, or 78)\n"
		"  -h, --help             show this help\n"
		"  -V, --version          show the version\n"
		"\n"
		"Signals: SIGTERM/SIGINT stop (writing an open incident's dump),\n"
		"SIGUSR1 records a dump now.\n",
		ST_DEFAULT_CONFIG, ST_DEFAULT_PLUGIN_DIR);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "plugin-dir", required_argument, NULL, 'p' },
		{ "proc-root", required_argument, NULL, 'r' },
		{ "list-plugins", no_argument, NULL, 'l' },
		{ "check-config", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct st_options o = {
		.config_path = ST_DEFAULT_CONFIG,
		.proc_root = "/proc",
	};
	int c;
	char why[160];
	while ((c = getopt_long(argc, argv, ":c:fp:r:lthV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config_path = optarg; o.config_explicit = 1; break;
		case 'f': o.foreground = 1; break;
		case 'p': o.plugin_dir = optarg; break;
		case 'r': o.proc_root = optarg; break;
		case 'l': o.list_plugins = 1; break;
		case 't': o.check_config = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("spiketrace %s\n", PACKAGE_VERSION); return 0;
		default:
			/* Said by the log, escaped: glibc would print it raw. */
			st_err("%s", st_getopt_complaint(c, argv, why, sizeof(why)));
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		st_err("unexpected argument '%s'", argv[optind]);  /* escaped by the log */
		usage(stderr);
		return 2;
	}
	return st_daemon_main(&o);
}
