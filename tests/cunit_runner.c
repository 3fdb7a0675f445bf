#define _GNU_SOURCE
#include "cunit_runner.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int st_test_run(const char *suite_name, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
		{ (char *)suite_name, NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "%s: %s\n", suite_name, CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() +
			  CU_get_number_of_tests_failed();
	unsigned run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	/* A suite that ran nothing is a broken suite, not a passing one. */
	return (failed == 0 && run > 0) ? 0 : 1;
}

char *st_test_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *path;
	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&path, "%s/spiketrace-test.XXXXXX", base) < 0)
		abort();
	if (!mkdtemp(path)) {
		perror("mkdtemp");
		abort();
	}
	return path;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

void st_test_rmtree(const char *path)
{
	if (path)
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkdir_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			perror(path);
			abort();
		}
		*p = '/';
	}
}

void st_test_write_file(const char *dir, const char *relpath, const char *content)
{
	char *path;
	if (asprintf(&path, "%s/%s", dir, relpath) < 0)
		abort();
	mkdir_parents(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t len = strlen(content);
	if (fd < 0 || write(fd, content, len) != (ssize_t)len || close(fd) < 0) {
		perror(path);
		abort();
	}
	free(path);
}

int st_test_stderr_to(const char *path)
{
	fflush(stderr);
	int saved = dup(2);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CU_ASSERT(saved >= 0 && fd >= 0);
	if (fd >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	return saved;
}

void st_test_stderr_back(int saved)
{
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
}

char *st_test_slurp(const char *path)
{
	char *buf = calloc(1, 4096);
	if (!buf)
		abort();
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL(f);
	if (f) {
		size_t n = fread(buf, 1, 4095, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

char *st_test_exact_copy(const void *s, size_t len)
{
	/* malloc(0) may return NULL; one byte keeps the pointer real while
	 * len still says the buffer is empty */
	char *p = malloc(len ? len : 1);

	if (!p)
		abort();
	memcpy(p, s, len);
	return p;
}
