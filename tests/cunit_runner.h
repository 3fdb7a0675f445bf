/* One CUnit suite per test program: each tests/test_*.c defines its tests
 * in a CU_TestInfo array and calls st_test_run() from main(). */
#ifndef ST_CUNIT_RUNNER_H
#define ST_CUNIT_RUNNER_H

#include <stddef.h>
#include <CUnit/CUnit.h>

/* Runs the suite verbosely; returns the exit status for make check:
 * 0 when every assertion passed, 1 otherwise. */
int st_test_run(const char *suite_name, CU_TestInfo *tests);

/* A fresh directory under $TMPDIR (or /tmp), removed by st_test_rmtree. */
char *st_test_mkdtemp(void);
void st_test_rmtree(const char *path);
/* Write a whole file (creating parent directories); aborts the test
 * program on I/O failure. Rewrites in place so open fds see the change. */
void st_test_write_file(const char *dir, const char *relpath, const char *content);

/* stderr into path until st_test_stderr_back(saved), to see what was said. */
int st_test_stderr_to(const char *path);
void st_test_stderr_back(int saved);
/* A heap copy of exactly len bytes, no NUL after them, so that ASan and
 * valgrind catch a parser reading past len (free it). */
char *st_test_exact_copy(const void *s, size_t len);

/* The first 4 KiB of a file, NUL-terminated (free it). */
char *st_test_slurp(const char *path);

#endif
