#include "daemon/log.h"
#include "text/term_text.h"

#include <stdio.h>
#include <string.h>

static enum st_log_level threshold = ST_LOG_INFO;

static const char *const level_names[] = {
	[ST_LOG_ERR] = "err",
	[ST_LOG_WARNING] = "warning",
	[ST_LOG_NOTICE] = "notice",
	[ST_LOG_INFO] = "info",
	[ST_LOG_DEBUG] = "debug",
};

void st_log_set_level(enum st_log_level level)
{
	threshold = level;
}

enum st_log_level st_log_get_level(void)
{
	return threshold;
}

int st_log_level_from_name(const char *name)
{
	for (int l = ST_LOG_ERR; l <= ST_LOG_DEBUG; l++)
		if (name && strcmp(name, level_names[l]) == 0)
			return l;
	return -1;
}

/* The raw message's bound: its escaped form (at most 4 bytes a byte) fits
 * the line's buffer whole. */
#define LOG_RAW_MAX 2048

void st_log_vformat(char *out, size_t outlen, const char *fmt, va_list ap)
{
	/* Messages carry process names, which are anyone's bytes: a log line
	 * read on a terminal or by journald must hold no control byte. The
	 * message is raw (see log.h): escaped here, once. */
	char raw[LOG_RAW_MAX];
	vsnprintf(raw, sizeof(raw), fmt, ap);
	st_escape_terminal(raw, out, outlen);
}

void st_vlog(enum st_log_level level, const char *prefix, const char *fmt, va_list ap)
{
	if (level > threshold)
		return;
	/* Plugins pass levels in; an out-of-range one must not index past the table. */
	if (level < ST_LOG_ERR)
		level = ST_LOG_ERR;
	if (level > ST_LOG_DEBUG)
		level = ST_LOG_DEBUG;
	char safe[4 * LOG_RAW_MAX];
	st_log_vformat(safe, sizeof(safe), fmt, ap);
	/* One locked write per line: lines from the sink thread and the main
	 * loop never interleave. */
	flockfile(stderr);
	fprintf(stderr, "spiketrace: %s: %s%s%s\n", level_names[level],
		prefix ? prefix : "", prefix ? ": " : "", safe);
	funlockfile(stderr);
}

void st_log(enum st_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	st_vlog(level, NULL, fmt, ap);
	va_end(ap);
}
