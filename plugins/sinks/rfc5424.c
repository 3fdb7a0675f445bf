/*
 * An incident as an RFC 5424 message for a collector over TCP:
 *
 *   LEN <29>1 2026-12-01T21:25:02.123456+00:00 web1 spiketrace 812 cpu_delta
 *   [spiketrace@32473 type="cpu_delta" pid="4242" comm="make" value="101.0"
 *   unit="pct" dump="/var/lib/spiketrace/spike_...json"] MSG
 *
 * Octet counting (RFC 6587) frames it, so MSG may be the dump's JSON with
 * its newlines. Names are attacker-controlled bytes: in the structured
 * data they are escaped as the syslog line escapes them, then as RFC 5424
 * wants ('"', '\', ']'), so a parsed value reads as the line does and a
 * name can neither close the element nor forge a param; in the header
 * (host, ident, type) the line's form with a space escaped too, so only
 * printable US-ASCII is left, as RFC 5424 asks.
 */
#define _GNU_SOURCE
#include "rfc5424.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "incident_line.h"
#include "text/term_text.h"

/* PRINTUSASCII but '=', ']', '"' (SP is outside PRINTUSASCII). */
bool st_rfc5424_valid_sd_id(const char *s)
{
	return st_printusascii_name(s, ST_RFC5424_SD_NAME_MAX, "=]\"");
}

/* Append unit (u bytes) to out when it fits with the NUL; false if not. */
static bool put_unit(char *out, size_t outlen, size_t *n, const char *unit, size_t u)
{
	if (*n + u >= outlen)
		return false;
	memcpy(out + *n, unit, u);
	*n += u;
	return true;
}

size_t st_rfc5424_header_field(const char *in, size_t max, char *out, size_t outlen)
{
	size_t n = 0, limit = max + 1 < outlen ? max + 1 : outlen;
	if (!outlen)
		return 0;
	for (const char *p = in; *p; p++) {
		/* The line's escape of this byte; a header field has no SP. */
		char one[2] = { *p, '\0' }, unit[8];
		if (*p == ' ')
			strcpy(unit, "\\x20");
		else
			st_escape_ascii(one, unit, sizeof(unit));
		if (!put_unit(out, limit, &n, unit, strlen(unit)))
			break;
	}
	if (n == 0 && limit > 1)
		out[n++] = '-';
	out[n] = '\0';
	return n;
}

size_t st_rfc5424_param_value(const char *in, char *out, size_t outlen, bool *truncated)
{
	return st_escape_quoted(in, out, outlen, "\"\\]", truncated);
}

size_t st_rfc5424_timestamp(char *buf, size_t len, int64_t wall_ns)
{
	int64_t sec = wall_ns / 1000000000, ns = wall_ns % 1000000000;
	if (ns < 0) {
		sec--;
		ns += 1000000000;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	char date[32];
	if (!localtime_r(&t, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm))
		return (size_t)snprintf(buf, len, "-");
	long off = tm.tm_gmtoff / 60;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	int n = snprintf(buf, len, "%s.%06" PRId64 "%c%02ld:%02ld", date, ns / 1000, sign,
			 off / 60, off % 60);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len ? len - 1 : 0;
}

/* ----------------------------------------------------- structured data */

struct sd {
	char *buf;
	size_t len, n;
};

/* " name=\"value\"" from raw bytes, left out whole when it does not fit
 * with the closing ']'. */
static void sd_param(struct sd *sd, const char *name, const char *raw)
{
	char value[ST_RFC5424_SD_MAX];
	char param[ST_RFC5424_SD_MAX + 64];
	bool cut;
	st_rfc5424_param_value(raw, value, sizeof(value), &cut);
	int p = snprintf(param, sizeof(param), " %s=\"%s\"", name, value);
	if (cut || p < 0 || (size_t)p >= sizeof(param) || sd->n + (size_t)p + 1 >= sd->len)
		return;
	memcpy(sd->buf + sd->n, param, (size_t)p + 1);
	sd->n += (size_t)p;
}

size_t st_rfc5424_sd(char *buf, size_t len, const char *sd_id, const struct st_dump *dump)
{
	const struct st_trigger *t = dump->ntriggers && dump->triggers ?
				     &st_dump_trigger_at(dump, 0)->trigger : NULL;
	struct sd sd = { buf, len, 0 };
	if (!len)
		return 0;
	int n = t ? snprintf(buf, len, "[%s", sd_id) : -1;
	if (n < 0 || (size_t)n + 1 >= len)
		return (size_t)snprintf(buf, len, "%s", len > 1 ? "-" : "");
	sd.n = (size_t)n;

	char raw[sizeof(dump->stored_as) + 1], num[64];
	snprintf(raw, sizeof(raw), "%.*s", ST_TRIGGER_TYPE_MAX, t->type);
	sd_param(&sd, "type", raw);
	if (t->pid > 0) {
		snprintf(num, sizeof(num), "%" PRId32, t->pid);
		sd_param(&sd, "pid", num);
	}
	if (t->comm[0]) {
		snprintf(raw, sizeof(raw), "%.*s", ST_COMM_MAX, t->comm);
		sd_param(&sd, "comm", raw);
	}
	if (t->units[0]) {
		snprintf(num, sizeof(num), "%.1f", t->value);
		sd_param(&sd, "value", num);
		snprintf(raw, sizeof(raw), "%.*s", ST_TRIGGER_UNITS_MAX, t->units);
		sd_param(&sd, "unit", raw);
	}
	if (dump->stored_as[0]) {
		snprintf(raw, sizeof(raw), "%.*s", (int)sizeof(dump->stored_as), dump->stored_as);
		sd_param(&sd, "dump", raw);
	}
	buf[sd.n++] = ']';
	buf[sd.n] = '\0';
	return sd.n;
}

/* --------------------------------------------------------------- frame */

size_t st_rfc5424_frame(char *buf, size_t cap, const struct st_rfc5424_origin *origin,
			const struct st_dump *dump, const char *msg, size_t msg_len)
{
	const struct st_trigger *t = dump->ntriggers && dump->triggers ?
				     &st_dump_trigger_at(dump, 0)->trigger : NULL;
	char head[ST_RFC5424_HEADER_MAX + ST_RFC5424_SD_MAX];
	char ts[64], host[ST_RFC5424_HOSTNAME_MAX + 1], app[ST_RFC5424_APP_NAME_MAX + 1];
	char msgid[ST_RFC5424_MSGID_MAX + 1], type[ST_TRIGGER_TYPE_MAX + 1];

	snprintf(type, sizeof(type), "%.*s", ST_TRIGGER_TYPE_MAX, t ? t->type : "");
	st_rfc5424_timestamp(ts, sizeof(ts), dump->wall_ns);
	st_rfc5424_header_field(origin->hostname ? origin->hostname : "",
				ST_RFC5424_HOSTNAME_MAX, host, sizeof(host));
	st_rfc5424_header_field(origin->app_name ? origin->app_name : "",
				ST_RFC5424_APP_NAME_MAX, app, sizeof(app));
	st_rfc5424_header_field(type, ST_RFC5424_MSGID_MAX, msgid, sizeof(msgid));
	int h = snprintf(head, sizeof(head), "<%" PRId32 ">1 %s %s %s %" PRId32 " %s ",
			 origin->pri, ts, host, app, origin->procid, msgid);
	if (h < 0 || (size_t)h >= sizeof(head))
		return 0;
	size_t head_len = (size_t)h;
	head_len += st_rfc5424_sd(head + head_len, sizeof(head) - head_len, origin->sd_id, dump);

	size_t body = head_len + (msg_len ? 1 + msg_len : 0);
	int p = snprintf(buf, cap, "%zu ", body);
	if (p < 0 || (size_t)p + body > cap)
		return 0;
	memcpy(buf + p, head, head_len);
	if (msg_len) {
		buf[(size_t)p + head_len] = ' ';
		memcpy(buf + (size_t)p + head_len + 1, msg, msg_len);
	}
	return (size_t)p + body;
}
