/* Leveled log lines to stderr: "spiketrace: <level>: <message>". */
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

#define st_err(...)    st_log(ST_LOG_ERR, __VA_ARGS__)
#define st_warn(...)   st_log(ST_LOG_WARNING, __VA_ARGS__)
#define st_notice(...) st_log(ST_LOG_NOTICE, __VA_ARGS__)
#define st_info(...)   st_log(ST_LOG_INFO, __VA_ARGS__)
#define st_debug(...)  st_log(ST_LOG_DEBUG, __VA_ARGS__)

#endif
