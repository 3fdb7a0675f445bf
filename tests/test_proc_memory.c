/*
 * core/proc_memory: the status / smaps_rollup line parser, and the reader
 * over a fake /proc (pid reuse, a Groups line longer than the buffer,
 * unreadable files) and the real one.
 */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "fake_proc.h"
#include "proc/proc_memory.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parse from a heap block of exactly len bytes, so ASan sees an overread. */
static void parse_exact(const char *s, struct st_mem_lines *acc)
{
	size_t len = strlen(s);
	char *b = malloc(len ? len : 1);
	if (!b)
		abort();
	memcpy(b, s, len);
	st_parse_mem_lines(b, len, acc);
	free(b);
}

static void test_parse_lines(void)
{
	struct st_mem_lines acc;
	struct st_proc_memory m;
	memset(&acc, 0, sizeof(acc));
	parse_exact("Name:\tx\nVmRSS:\t  1024 kB\nRssAnon:\t 900 kB\nRssFile:\t 100 kB\n"
		    "RssShmem:\t       24 kB\nVmSwap:\t 7 kB", &acc);
	parse_exact("Rss: 1 kB\nPrivate_Clean:   10 kB\nPrivate_Dirty:   32 kB\n", &acc);
	st_mem_lines_result(&acc, &m);
	CU_ASSERT_EQUAL(m.size, sizeof(m));
	CU_ASSERT_EQUAL(m.have, ST_PROC_MEM_RSS | ST_PROC_MEM_ANON | ST_PROC_MEM_SHMEM |
			ST_PROC_MEM_SWAP | ST_PROC_MEM_PRIVATE);
	CU_ASSERT_EQUAL(m.rss_kib, 1024);
	CU_ASSERT_EQUAL(m.rss_anon_kib, 900);
	CU_ASSERT_EQUAL(m.rss_shmem_kib, 24);
	CU_ASSERT_EQUAL(m.swap_kib, 7);
	CU_ASSERT_EQUAL(m.private_kib, 42);
}

static void test_parse_malformed(void)
{
	struct st_mem_lines acc;
	struct st_proc_memory m;
	memset(&acc, 0, sizeof(acc));
	/* Glued, signed, overflowing, empty: absent, never a wrong figure. */
	parse_exact("VmRSS:\t12x kB\nRssAnon:\t-5 kB\n"
		    "RssShmem: 99999999999999999999999 kB\nVmSwap:\nVmRSS", &acc);
	/* Half of the private pages is no private figure. */
	parse_exact("Private_Dirty: 5 kB\n", &acc);
	st_mem_lines_result(&acc, &m);
	CU_ASSERT_EQUAL(m.have, 0);
	CU_ASSERT_EQUAL(m.private_kib, 0);
	st_parse_mem_lines(NULL, 10, &acc);
	st_parse_mem_lines("", 0, &acc);
	CU_ASSERT_EQUAL(acc.have, ST_MEM_LINE_PRIVATE_DIRTY);
}

struct tree {
	struct fake_proc *fp;
	struct fake_process p;
	int root;
};

static void tree_new(struct tree *t)
{
	t->fp = fake_proc_new(1, 8u << 20, 100);
	t->p = fake_process_make(t->fp, 321, "worker");
	fake_process_set_rss_kib(&t->p, 5000);
	fake_proc_put(t->fp, &t->p);
	t->root = open(t->fp->root, O_RDONLY | O_DIRECTORY);
	CU_ASSERT_FATAL(t->root >= 0);
}

static void tree_free(struct tree *t)
{
	close(t->root);
	fake_proc_free(t->fp);
}

static void test_read_fake(void)
{
	struct tree t;
	tree_new(&t);
	struct fake_memory mem = { 6000, 4000, 100, 12, 3000 };
	fake_proc_put_memory(t.fp, &t.p, &mem);
	struct st_proc_memory m = { .size = sizeof(m) };
	CU_ASSERT_EQUAL(st_proc_memory_read(t.root, 321, t.p.start_ticks, &m), 0);
	CU_ASSERT_EQUAL(m.rss_kib, 6000);   /* status, not stat's 5000 */
	CU_ASSERT_EQUAL(m.rss_anon_kib, 4000);
	CU_ASSERT_EQUAL(m.private_kib, 3000);
	CU_ASSERT(m.have & ST_PROC_MEM_PRIVATE);
	/* The pid reused by a later process: not this one. */
	CU_ASSERT_EQUAL(st_proc_memory_read(t.root, 321, t.p.start_ticks + 1, &m), -1);
	CU_ASSERT_EQUAL(st_proc_memory_read(t.root, 322, t.p.start_ticks, &m), -1);
	tree_free(&t);
}

/* status and smaps_rollup unreadable (or absent): the RSS stat gives. */
static void test_read_stat_only(void)
{
	struct tree t;
	tree_new(&t);
	struct st_proc_memory m = { .size = sizeof(m) };
	CU_ASSERT_EQUAL(st_proc_memory_read(t.root, 321, t.p.start_ticks, &m), 0);
	CU_ASSERT_EQUAL(m.have, ST_PROC_MEM_RSS);
	CU_ASSERT_EQUAL(m.rss_kib, fake_process_rss_kib(&t.p));
	tree_free(&t);
}

/* 60,000 groups put VmRSS 400 KiB into status: the Groups line is
 * skipped, the lines after it still count. */
static void test_read_long_line(void)
{
	struct tree t;
	tree_new(&t);
	size_t cap = 64 * 60000 + 256;
	char *text = malloc(cap), *p = text;
	CU_ASSERT_FATAL(text != NULL);
	p += sprintf(p, "Name:\tworker\nGroups:\t");
	for (int i = 0; i < 60000; i++)
		p += sprintf(p, "%d ", 100000 + i);
	/* a "VmRSS:" inside the long line must not be read as one */
	sprintf(p, "VmRSS: 1 kB\nVmRSS:\t 7777 kB\nRssAnon:\t 77 kB\n");
	fake_proc_write(t.fp, "321/status", text);
	free(text);
	struct st_proc_memory m = { .size = sizeof(m) };
	CU_ASSERT_EQUAL(st_proc_memory_read(t.root, 321, t.p.start_ticks, &m), 0);
	CU_ASSERT_EQUAL(m.rss_kib, 7777);
	CU_ASSERT_EQUAL(m.rss_anon_kib, 77);
	tree_free(&t);
}

/* A caller built against a shorter struct gets only what fits. */
static void test_short_struct(void)
{
	struct tree t;
	tree_new(&t);
	unsigned char raw[sizeof(struct st_proc_memory) + 8];
	memset(raw, 0xa5, sizeof(raw));
	struct st_proc_memory *m = (struct st_proc_memory *)raw;
	uint32_t size = (uint32_t)offsetof(struct st_proc_memory, rss_anon_kib);
	m->size = size;
	CU_ASSERT_EQUAL(st_proc_memory_read(t.root, 321, t.p.start_ticks, m), 0);
	CU_ASSERT_EQUAL(m->size, size);
	CU_ASSERT_EQUAL(m->rss_kib, fake_process_rss_kib(&t.p));
	CU_ASSERT_EQUAL(raw[size], 0xa5);
	tree_free(&t);
}

static void test_read_self(void)
{
	int root = open("/proc", O_RDONLY | O_DIRECTORY);
	CU_ASSERT_FATAL(root >= 0);
	char buf[1024];
	int fd = open("/proc/self/stat", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CU_ASSERT_FATAL(n > 0);
	buf[n] = '\0';
	/* field 22, after the comm's closing parenthesis */
	const char *q = strrchr(buf, ')');
	unsigned long long start = 0;
	for (int field = 2; q && field < 22; field++)
		q = strchr(q + 1, ' ');
	CU_ASSERT_FATAL(q && sscanf(q, "%llu", &start) == 1);
	struct st_proc_memory m = { .size = sizeof(m) };
	CU_ASSERT_EQUAL(st_proc_memory_read(root, getpid(), start, &m), 0);
	CU_ASSERT(m.have & ST_PROC_MEM_RSS);
	CU_ASSERT(m.have & ST_PROC_MEM_ANON);
	CU_ASSERT(m.rss_kib > 0 && m.rss_anon_kib <= m.rss_kib);
	if (access("/proc/self/smaps_rollup", R_OK) == 0)
		CU_ASSERT(m.have & ST_PROC_MEM_PRIVATE);
	close(root);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "status and smaps_rollup lines", test_parse_lines },
		{ "malformed lines are absent figures", test_parse_malformed },
		{ "a fake process, and a reused pid", test_read_fake },
		{ "status unreadable: stat's RSS", test_read_stat_only },
		{ "a Groups line longer than the buffer", test_read_long_line },
		{ "a shorter struct gets what fits", test_short_struct },
		{ "this process on the real /proc", test_read_self },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("proc_memory", tests);
}
