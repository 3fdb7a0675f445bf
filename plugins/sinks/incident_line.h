/* One incident in one line of printable ASCII (the syslog and journald
 * sinks'), and the tests of names other programs split records at. Bytes
 * are escaped in the ASCII form of term_text.h, as everywhere. */
#ifndef ST_INCIDENT_LINE_H
#define ST_INCIDENT_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <spiketrace/model.h>

/* The whole record under the 1024 bytes of the BSD syslog limit (RFC 3164),
 * which some relays and collectors still truncate at: what syslog(3) puts
 * before our text is "<PRI>Mmm dd hh:mm:ss " (21 bytes), the ident, then
 * "[pid]: " (at most 11). */
#define ST_INCIDENT_RECORD_MAX 1023
#define ST_INCIDENT_LINE_MAX (ST_INCIDENT_RECORD_MAX - 32)

/* The length of s's leading run of printable US-ASCII other than space
 * (33 .. 126) and the bytes of also (may be NULL). */
size_t st_printusascii_span(const char *s, const char *also);

/* Whether s is 1 to max such bytes and nothing else: a name that other
 * programs split records at (a syslog tag, a journal identifier, an SD-ID). */
bool st_printusascii_name(const char *s, size_t max, const char *also);

/* "cpu_delta: pid 4242 (make) at 95.3% against threshold 40.0%; SUMMARY;
 * 3 triggers; dump: PATH" into buf (max + 1 bytes), at most max bytes
 * (at most ST_INCIDENT_LINE_MAX): type, process and figures first, the
 * path cut only if absurdly long, the summary given what is left.
 * Returns its length. */
size_t st_incident_line(char *buf, size_t max, const struct st_dump *dump);

#endif
