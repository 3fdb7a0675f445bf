/* An incident as an RFC 5424 syslog message with structured data, framed
 * by octet counting (RFC 6587) for a TCP collector: pure functions, no
 * I/O, no allocation. */
#ifndef ST_RFC5424_H
#define ST_RFC5424_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <spiketrace/model.h>

/* RFC 5424's limits on the header fields and an SD-NAME. */
#define ST_RFC5424_HOSTNAME_MAX 255
#define ST_RFC5424_APP_NAME_MAX 48
#define ST_RFC5424_MSGID_MAX 32
#define ST_RFC5424_SD_NAME_MAX 32

/* The structured data of the incident summary (its values escaped, up to
 * five bytes per raw byte, the dump's path the longest), the header and
 * the one-line summary: what a "summary" message can take. */
#define ST_RFC5424_SD_MAX 4096
#define ST_RFC5424_HEADER_MAX 512

/* What is the same in every message of one sink. */
struct st_rfc5424_origin {
	int32_t pri;            /* facility * 8 + severity */
	const char *hostname;   /* raw; "-" when empty */
	const char *app_name;   /* raw; "-" when empty */
	int32_t procid;
	const char *sd_id;      /* an SD-NAME (st_rfc5424_valid_sd_name), or
	                           NAME@NUMBER */
};

/* An SD-ID: 1 to 32 printable US-ASCII characters but '=', space, ']'
 * and '"' (RFC 5424 SD-NAME); a private one is NAME@ENTERPRISE. */
bool st_rfc5424_valid_sd_id(const char *s);

/* in as a header field (HOSTNAME, APP-NAME, MSGID) into out (outlen
 * bytes, NUL-terminated), at most max bytes: escaped as the syslog line
 * escapes names (term_text.h's ASCII form), a space as \x20 too, so only
 * printable US-ASCII (33..126) is left; whole escapes only; "-"
 * (NILVALUE) when in is empty. Returns the length. */
size_t st_rfc5424_header_field(const char *in, size_t max, char *out, size_t outlen);

/* in as an SD-PARAM value into out (outlen bytes, NUL-terminated): the
 * bytes escaped as the syslog line escapes names (st_escape_quoted),
 * then '"', '\' and ']' preceded by a backslash as RFC 5424 wants, so a
 * collector that unescapes the value reads the line's form. Whole escapes
 * only: a cut value never ends inside one. Returns the length; *truncated
 * says whether all of in fit. */
size_t st_rfc5424_param_value(const char *in, char *out, size_t outlen, bool *truncated);

/* "2026-12-01T21:25:02.123456+01:00": wall_ns as RFC 3339 in the local
 * time zone, with microseconds and the offset. Returns the length. */
size_t st_rfc5424_timestamp(char *buf, size_t len, int64_t wall_ns);

/* The structured data of dump: [SD-ID type=".." pid=".." comm=".."
 * value=".." unit=".." dump=".."] with those the first trigger has (pid
 * when a process is blamed, value and unit when it has a figure, dump
 * when a storing sink wrote it), or "-" when there is no trigger. Into
 * buf (len bytes); a param that does not fit is left out whole. Returns
 * the length. */
size_t st_rfc5424_sd(char *buf, size_t len, const char *sd_id, const struct st_dump *dump);

/* The whole frame, "LEN SP <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
 * SD SP MSG", into buf (cap bytes): MSGID the first trigger's type, MSG
 * the msg_len bytes of msg as they are (the one-line summary or the
 * dump's JSON). Returns the frame's length, or 0 when it does not fit in
 * cap (nothing usable is in buf then). */
size_t st_rfc5424_frame(char *buf, size_t cap, const struct st_rfc5424_origin *origin,
			const struct st_dump *dump, const char *msg, size_t msg_len);

#endif
