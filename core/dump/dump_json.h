/*
 * The dump as JSON (schema "spiketrace.dump/1", documented in
 * doc/dump-format.md). Every byte goes through cJSON; process names and
 * command lines, which are arbitrary bytes, are made valid UTF-8 first.
 */
#ifndef ST_DUMP_JSON_H
#define ST_DUMP_JSON_H

#include <stddef.h>
#include <spiketrace/model.h>

/* Largest dump file the reader accepts: a dump is a few MiB at most. */
#define ST_DUMP_MAX_BYTES (64u << 20)

/* Serialise. Returns malloc'd, NUL-terminated JSON text, or NULL when out
 * of memory. pretty != 0 indents it. */
char *st_dump_to_json(const struct st_dump *dump, int pretty);

/* Parse and validate. Returns a dump to free with st_dump_free(), or NULL
 * with a one-line reason in err ("not JSON", "unknown schema 'x'",
 * "samples[2].top_cpu[0].pid: expected a number", ...). */
struct st_dump *st_dump_from_json(const char *text, size_t len,
				  char *err, size_t errlen);

/* Read a file (at most ST_DUMP_MAX_BYTES) and parse it. Returns NULL with
 * the reason in err; the reason does not repeat the path. */
struct st_dump *st_dump_read_file(const char *path, char *err, size_t errlen);


#endif
