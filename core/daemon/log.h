/*
 * Leveled log lines to stderr: "spiketrace: <level>: <message>".
 *
 * One rule for every message, the core's and the plugins' (host->log):
 * it carries raw bytes (a process, file or option name as it is, bounded
 * in length where the caller wants a reason after it kept), and the log
 * escapes the whole line once (st_escape_terminal) as it writes it. So a
 * name reads the same here as in the viewer, which escapes once too, and
 * a caller never escapes: that would show a backslash doubled.
 */
#ifndef ST_LOG_H
#define ST_LOG_H

#include <stdarg.h>
#include <spiketrace/plugin.h>

/* Lines above this level are dropped. Default ST_LOG_INFO. */
void st_log_set_level(enum st_log_level level);
enum st_log_level st_log_get_level(void);
/* "err", "warning", "notice", "info", "debug" -> level; -1 if unknown. */
int st_log_level_from_name(const char *name);

void st_log(enum st_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* prefix (a plugin's name) may be NULL. */
void st_vlog(enum st_log_level level, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* A message as the log shows it: fmt formatted (at most 2047 bytes), then
 * escaped once, into out (outlen bytes, always NUL-terminated). What
 * st_vlog writes after its prefix; a test's host logs through it too. */
void st_log_vformat(char *out, size_t outlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#define st_err(...)    st_log(ST_LOG_ERR, __VA_ARGS__)
#define st_warn(...)   st_log(ST_LOG_WARNING, __VA_ARGS__)
#define st_notice(...) st_log(ST_LOG_NOTICE, __VA_ARGS__)
#define st_info(...)   st_log(ST_LOG_INFO, __VA_ARGS__)
#define st_debug(...)  st_log(ST_LOG_DEBUG, __VA_ARGS__)

#endif
