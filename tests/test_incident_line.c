/* The syslog and journald sinks' one-line incident
 * (plugins/sinks/incident_line.c): names in the escaper's ASCII form,
 * sizes as prose, and a cut that never splits an escape at any length a
 * sink asks for. */
#include "cunit_runner.h"
#include "dump/dump.h"
#include "dump_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../plugins/sinks/incident_line.h"

#define ESC_UNIT "\\x1b"        /* an ESC in the ASCII form: 4 bytes */

static struct st_dump *dump_of(const char *type, int32_t pid, const char *comm, double value,
			       double threshold, const char *units, const char *summary,
			       const char *stored_as)
{
	struct st_dump *d = st_dump_new();
	CU_ASSERT_FATAL(d != NULL);
	d->ntriggers = 1;
	d->triggers = calloc(1, sizeof(*d->triggers));
	CU_ASSERT_FATAL(d->triggers != NULL);
	st_test_set_trigger(&d->triggers[0], type, pid, comm, value, 0, threshold, units, 0);
	snprintf(d->triggers[0].trigger.summary, sizeof(d->triggers[0].trigger.summary), "%s",
		 summary);
	snprintf(d->stored_as, sizeof(d->stored_as), "%s", stored_as);
	return d;
}

static void expect_printable(const char *line)
{
	for (const unsigned char *c = (const unsigned char *)line; *c; c++)
		CU_ASSERT_FATAL(*c >= 0x20 && *c < 0x7f);
}

/* A hostile name in the ASCII form; a size figure in tenths of a MiB. */
static void test_names_and_sizes(void)
{
	struct st_dump *d = dump_of("mem_drop", 4242, "\x1b[31mev\nil\t\\\xff\xc3\xa9", 1536,
				    512.0 * 1024, "kib", "fell\r\nfast", "/d/spike_1.json");
	char line[ST_INCIDENT_LINE_MAX + 1];
	size_t n = st_incident_line(line, ST_INCIDENT_LINE_MAX, d);
	CU_ASSERT_EQUAL(n, strlen(line));
	CU_ASSERT_STRING_EQUAL(line, "mem_drop: pid 4242 (\\x1b[31mev\\nil\\t\\\\\\xff\\xc3\\xa9) "
			       "at 1.5 MiB against threshold 512.0 MiB; fell\\r\\nfast; "
			       "dump: /d/spike_1.json");
	expect_printable(line);
	st_dump_free(d);
}

/* A summary of ESC bytes and a long path, at every length a sink gives
 * (the record's share less an ident of up to 32 bytes, and shorter): at
 * most that long, printable, the head and the path whole, the summary
 * whole or cut at a whole "\x1b" with "...". */
static void test_cut_keeps_whole_escapes(void)
{
	char summary[ST_TRIGGER_SUMMARY_MAX], path[300];
	memset(summary, '\x1b', sizeof(summary) - 1);
	summary[sizeof(summary) - 1] = '\0';
	snprintf(path, sizeof(path), "/var/lib/spiketrace/%0250d.json", 7);
	struct st_dump *d = dump_of("cpu_delta", 9, "make", 95.5, 40, "pct", summary, path);
	const char *head = "cpu_delta: pid 9 (make) at 95.5% against threshold 40.0%; ";
	char tail[sizeof(path) + 16];
	snprintf(tail, sizeof(tail), "; dump: %s", path);
	int cuts = 0;

	for (size_t max = ST_INCIDENT_LINE_MAX; max >= 400; max--) {
		char line[ST_INCIDENT_LINE_MAX + 1];
		size_t n = st_incident_line(line, max, d);
		CU_ASSERT_FATAL(n <= max && n == strlen(line));
		expect_printable(line);
		CU_ASSERT_FATAL(strncmp(line, head, strlen(head)) == 0);
		CU_ASSERT_FATAL(n >= strlen(tail) &&
				strcmp(line + n - strlen(tail), tail) == 0);
		/* What is between: the summary's escapes, whole, then "..." if cut. */
		const char *part = line + strlen(head);
		size_t len = (size_t)(line + n - strlen(tail) - part);
		if (len >= 3 && memcmp(part + len - 3, "...", 3) == 0) {
			len -= 3;
			cuts++;
		} else {
			CU_ASSERT_EQUAL(len, 4 * (sizeof(summary) - 1));
		}
		CU_ASSERT_EQUAL(len % 4, 0);
		for (size_t i = 0; i < len; i += 4)
			CU_ASSERT_FATAL(memcmp(part + i, ESC_UNIT, 4) == 0);
	}
	CU_ASSERT(cuts > 300);          /* the summary was cut at most lengths */
	st_dump_free(d);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "names escaped, sizes as prose", test_names_and_sizes },
		{ "a cut keeps whole escapes", test_cut_keeps_whole_escapes },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("incident_line", tests);
}
