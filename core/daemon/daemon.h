/* The daemon: configuration, plugins, and the main loop — one poll() over
 * a timerfd (absolute, so ticks do not drift), a signalfd and the fds the
 * detectors watch, with off-tick samples between the ticks when they ask. */
#ifndef ST_DAEMON_H
#define ST_DAEMON_H

struct st_options {
	const char *config_path;    /* file to read */
	int config_explicit;        /* given with --config: must exist */
	const char *plugin_dir;     /* --plugin-dir, overrides the config */
	const char *proc_root;      /* --proc-root, default "/proc" */
	int foreground;
	int list_plugins;
	int check_config;
};

/* Runs to the end; returns the process exit status (0, 1, or 78 for a
 * bad configuration). */
int st_daemon_main(const struct st_options *opts);

#endif
