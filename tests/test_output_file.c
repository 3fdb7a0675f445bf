/* Output files written whole or not at all (viewer/output_file.c). */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "output_file.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Entries of dir, "." and ".." aside. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	CU_ASSERT_FATAL(d != NULL);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void test_written_whole(void)
{
	char *dir = st_test_mkdtemp(), *path, *back, err[256] = "";
	struct stat st;
	mode_t mask = umask(022);

	CU_ASSERT_FATAL(asprintf(&path, "%s/out.json", dir) > 0);
	CU_ASSERT_EQUAL(view_write_atomic(path, "first", 5, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(view_write_atomic(path, "{\"a\": 1}", 8, err, sizeof(err)), 0);
	back = st_test_slurp(path);
	CU_ASSERT_STRING_EQUAL(back, "{\"a\": 1}");
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
	CU_ASSERT_EQUAL(entries(dir), 1);
	umask(mask);
	free(back);
	free(path);
	st_test_rmtree(dir);
	free(dir);
}

static void test_failure_leaves_nothing(void)
{
	char *dir = st_test_mkdtemp(), *path, *nodir, err[256] = "";

	/* The rename fails (a directory is in the way): no temporary stays. */
	CU_ASSERT_FATAL(asprintf(&path, "%s/adir", dir) > 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
	CU_ASSERT_EQUAL(view_write_atomic(path, "x", 1, err, sizeof(err)), -1);
	CU_ASSERT(strncmp(err, "cannot rename the temporary file over it: ", 42) == 0);
	CU_ASSERT_EQUAL(entries(dir), 1);

	/* No directory to put the temporary in. */
	CU_ASSERT_FATAL(asprintf(&nodir, "%s/none/out.json", dir) > 0);
	CU_ASSERT_EQUAL(view_write_atomic(nodir, "x", 1, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "cannot create a temporary file beside it: "
			       "No such file or directory");
	CU_ASSERT_EQUAL(entries(dir), 1);
	free(nodir);
	free(path);
	st_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "written whole, replacing, with the usual mode", test_written_whole },
		{ "a failure leaves no file", test_failure_leaves_nothing },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("output_file", tests);
}
