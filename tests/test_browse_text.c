/* What the browser shows of a dump (viewer/browse_text.c): the text
 * output's parts for one sample and one table, as lines, the table's
 * heading where the view jumps to. Dumps from the real writer (the dump
 * fuzz corpus's seeds). */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "browse_text.h"
#include "dump/dump.h"
#include "dump/dump_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct st_dump *seed(const char *name)
{
	char path[1024], err[256] = "";
	struct st_dump *d;

	snprintf(path, sizeof(path), "%s/%s", ST_TEST_DUMP_SEEDS, name);
	d = st_dump_read_file(path, err, sizeof(err));
	if (!d)
		fprintf(stderr, "\n  %s: %s\n", path, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	return d;
}

static size_t find(const struct browse_text *t, const char *prefix)
{
	for (size_t i = 0; i < t->n; i++)
		if (strncmp(t->line[i], prefix, strlen(prefix)) == 0)
			return i;
	return (size_t)-1;
}

static void test_tables_by_sample(void)
{
	struct st_dump *d = seed("exited_groups.json");
	struct browse_text t;

	CU_ASSERT_EQUAL_FATAL(browse_text_render(&t, d, "x.json", 2, BROWSE_CPU, 0), 0);
	CU_ASSERT_STRING_EQUAL(t.line[0], "spike dump: x.json");
	CU_ASSERT_PTR_NOT_NULL(strstr(t.line[t.table_at],
				      "=== top processes by cpu ===   (sample 2 at +0.0 s)"));
	CU_ASSERT(find(&t, "=== spike trigger ===") < t.table_at);
	CU_ASSERT(find(&t, "=== timeline ===") > t.table_at);
	/* One table at a time. */
	CU_ASSERT_EQUAL(find(&t, "=== top processes by rss ==="), (size_t)-1);
	CU_ASSERT_EQUAL(find(&t, "=== exited since"), (size_t)-1);
	for (size_t i = 0; i < t.n; i++)
		CU_ASSERT_PTR_NULL(strchr(t.line[i], '\n'));
	browse_text_free(&t);

	CU_ASSERT_EQUAL_FATAL(browse_text_render(&t, d, "x.json", 3, BROWSE_RSS, 0), 0);
	CU_ASSERT_EQUAL(strncmp(t.line[t.table_at], "=== top processes by rss ===", 28), 0);
	CU_ASSERT_EQUAL(find(&t, "=== top processes by cpu ==="), (size_t)-1);
	browse_text_free(&t);

	CU_ASSERT(browse_has_exited(d));
	CU_ASSERT_EQUAL_FATAL(browse_text_render(&t, d, "x.json", 2, BROWSE_EXITED, 0), 0);
	CU_ASSERT_EQUAL(strncmp(t.line[t.table_at], "=== exited since the sample before ===", 38), 0);
	browse_text_free(&t);
	/* A sample without exits says so in the table's place. */
	CU_ASSERT_EQUAL_FATAL(browse_text_render(&t, d, "x.json", 0, BROWSE_EXITED, 0), 0);
	CU_ASSERT_STRING_EQUAL(t.line[t.table_at], "   (sample 0 has no exited processes to show)");
	browse_text_free(&t);
	st_dump_free(d);
}

/* The hostile name escaped, as the text output does, in the table too. */
static void test_escaped(void)
{
	struct st_dump *d = seed("stdout_hostile_comm.json");
	struct browse_text t;

	CU_ASSERT_FALSE(browse_has_exited(d));
	CU_ASSERT_EQUAL_FATAL(browse_text_render(&t, d, "x.json", 0, BROWSE_CPU, 1), 0);
	for (size_t i = 0; i < t.n; i++)
		for (const char *p = t.line[i]; *p; p++)
			CU_ASSERT((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
	CU_ASSERT(find(&t, "process: [21357] \\x1b[31mevil") != (size_t)-1);
	browse_text_free(&t);
	st_dump_free(d);
}

static void test_no_samples(void)
{
	struct st_dump *d = st_dump_new();
	struct browse_text t;
	size_t said = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_FALSE(browse_has_exited(d));
	CU_ASSERT_EQUAL_FATAL(browse_text_render(&t, d, "x.json", 0, BROWSE_CPU, 0), 0);
	for (size_t i = 0; i < t.n; i++)
		said += strcmp(t.line[i], "(no samples recorded)") == 0;
	CU_ASSERT_EQUAL(said, 1);
	browse_text_free(&t);
	st_dump_free(d);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "one sample's one table, its heading marked", test_tables_by_sample },
		{ "names escaped as in the text output", test_escaped },
		{ "a dump without samples", test_no_samples },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("browse_text", tests);
}
