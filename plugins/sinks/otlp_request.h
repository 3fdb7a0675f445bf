/*
 * One dump as one OTLP log record: the JSON encoding of an
 * ExportLogsServiceRequest (opentelemetry-proto, collector/logs/v1), as an
 * OpenTelemetry collector's OTLP/HTTP receiver takes it at /v1/logs.
 *
 * The JSON encoding is protobuf's JSON mapping with OTLP's own rules:
 * lowerCamelCase field names, 64-bit integers (timeUnixNano, intValue) as
 * decimal strings, enums (severityNumber) as integers, and fields without
 * a value (traceId, spanId: an incident belongs to no trace) left out.
 */
#ifndef ST_OTLP_REQUEST_H
#define ST_OTLP_REQUEST_H

#include <spiketrace/model.h>

/* SeverityNumber: a detector's incident is a warning, a dump asked for
 * (SIGUSR1, trigger type "manual") information. */
#define OTLP_SEVERITY_INFO 9
#define OTLP_SEVERITY_WARN 13

/* The request for dump with body as the record's body (the incident line,
 * or the dump's JSON text: valid UTF-8 either way), service_version the
 * service.version and scope version. Compact JSON text, malloc'd and
 * NUL-terminated, or NULL when out of memory. */
char *otlp_logs_request(const struct st_dump *dump, const char *body,
			const char *service_version);

#endif
