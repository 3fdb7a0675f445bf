/* Sizes as people read them (core/text/size_text.c): whole MiB for tables,
 * tenths for prose, the unit by magnitude, a sign when negative. */
#include "cunit_runner.h"
#include "text/size_text.h"

#include <stdio.h>
#include <string.h>

static void expect(double kib, const char *whole, const char *tenths)
{
	char buf[32];
	CU_ASSERT_STRING_EQUAL(st_format_kib(buf, sizeof(buf), kib, ST_SIZE_WHOLE), whole);
	if (strcmp(buf, whole) != 0)
		fprintf(stderr, "\n  %g KiB whole: want \"%s\", got \"%s\"\n", kib, whole, buf);
	CU_ASSERT_STRING_EQUAL(st_format_kib(buf, sizeof(buf), kib, ST_SIZE_TENTHS), tenths);
	if (strcmp(buf, tenths) != 0)
		fprintf(stderr, "\n  %g KiB tenths: want \"%s\", got \"%s\"\n", kib, tenths, buf);
}

static void test_units_and_precision(void)
{
	expect(0, "0 KiB", "0 KiB");
	expect(512, "512 KiB", "512 KiB");
	expect(1023, "1023 KiB", "1023 KiB");
	expect(1024, "1 MiB", "1.0 MiB");
	expect(1536, "2 MiB", "1.5 MiB");
	expect(831795, "812 MiB", "812.3 MiB");
	expect(1024 * 1024, "1.0 GiB", "1.0 GiB");
	expect(16252928, "15.5 GiB", "15.5 GiB");
	expect(-512, "-512 KiB", "-512 KiB");
	expect(-1536, "-2 MiB", "-1.5 MiB");
	expect(-2.0 * 1024 * 1024, "-2.0 GiB", "-2.0 GiB");
}

/* A short buffer is cut and terminated, never overrun. */
static void test_short_buffer(void)
{
	char buf[8];
	memset(buf, 'x', sizeof(buf));
	CU_ASSERT_STRING_EQUAL(st_format_kib(buf, 4, 831795, ST_SIZE_TENTHS), "812");
	CU_ASSERT_EQUAL(buf[4], 'x');
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "units, and whole MiB against tenths", test_units_and_precision },
		{ "a short buffer", test_short_buffer },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("size_text", tests);
}
