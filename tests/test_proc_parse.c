/*
 * Tests for core/proc/proc_parse.c. Every buffer handed to a parser is copied
 * into a heap block of exactly its length (no NUL after it), so ASan and
 * valgrind catch any read past len.
 */
#define _GNU_SOURCE
#include "cunit_runner.h"
#include "proc/proc_parse.h"

#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ----------------------------------------------------------- helpers */

#define exact_copy st_test_exact_copy

static int pid_stat_n(const char *s, size_t len, struct st_pid_stat *out)
{
	char *b = exact_copy(s, len);
	int rc = st_parse_pid_stat(b, len, out);

	free(b);
	return rc;
}

static int pid_stat_s(const char *s, struct st_pid_stat *out)
{
	return pid_stat_n(s, strlen(s), out);
}

static int proc_stat_s(const char *s, struct st_proc_stat *out,
		       struct st_cpu_times *cores, uint32_t max_cores)
{
	size_t len = strlen(s);
	char *b = exact_copy(s, len);
	int rc = st_parse_proc_stat(b, len, out, cores, max_cores);

	free(b);
	return rc;
}

static int meminfo_s(const char *s, struct st_meminfo *out)
{
	size_t len = strlen(s);
	char *b = exact_copy(s, len);
	int rc = st_parse_meminfo(b, len, out);

	free(b);
	return rc;
}

#define UPTIME(lit, out) uptime_n(lit, sizeof(lit) - 1, out)
static int uptime_n(const char *s, size_t len, double *out)
{
	char *b = exact_copy(s, len);
	int rc = st_parse_uptime(b, len, out);

	free(b);
	return rc;
}

static size_t read_proc_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t used = 0;
	ssize_t n;

	CU_ASSERT_FATAL(fd >= 0);
	while (used < cap && (n = read(fd, buf + used, cap - used)) > 0)
		used += (size_t)n;
	close(fd);
	return used;
}

/*
 * A stat line built field by field, so a test can change one field or cut
 * the line after any field. Index = field number in proc(5); f[2] (comm)
 * is passed separately because it may hold any byte, NUL included.
 */
#define NFIELDS 52
static const char *const default_fields[NFIELDS + 1] = {
	NULL, "4242", NULL, "S",
	"1", "4242", "4242", "0", "-1",			/* 4-8 */
	"4194560", "11", "22", "33", "44", "55", "66",	/* 9-15 */
	"77", "88", "20", "0", "1", "0",		/* 16-21 */
	"999", "12345678", "321",			/* 22-24 */
	"18446744073709551615", "1", "1", "0", "0", "0", "0", "0",
	"4096", "1256", "0", "0", "0", "17", "1", "0", "0", "0", "0",
	"0", "0", "0", "0", "0", "0", "0", "0", "0",	/* 25-52 */
};

struct stat_line {
	const char *f[NFIELDS + 1];
	const char *comm;
	size_t commlen;
	int last;		/* last field written */
	bool newline;
};

static void line_init(struct stat_line *l)
{
	memcpy(l->f, default_fields, sizeof(l->f));
	l->comm = "worker";
	l->commlen = 6;
	l->last = NFIELDS;
	l->newline = true;
}

static size_t line_build(const struct stat_line *l, char *dst, size_t cap)
{
	size_t n = 0;

	for (int i = 1; i <= l->last; i++)
		CU_ASSERT_FATAL(i == 2 || l->f[i] != NULL);
	n += (size_t)snprintf(dst + n, cap - n, "%s (", l->f[1]);
	CU_ASSERT_FATAL(n + l->commlen + 1 < cap);
	memcpy(dst + n, l->comm, l->commlen);
	n += l->commlen;
	dst[n++] = ')';
	for (int i = 3; i <= l->last; i++)
		n += (size_t)snprintf(dst + n, cap - n, " %s", l->f[i]);
	if (l->newline)
		n += (size_t)snprintf(dst + n, cap - n, "\n");
	CU_ASSERT_FATAL(n < cap);
	return n;
}

static int line_parse(const struct stat_line *l, struct st_pid_stat *out)
{
	char buf[2048];
	size_t n = line_build(l, buf, sizeof(buf));

	return pid_stat_n(buf, n, out);
}

/* Parses a default line with one field replaced. */
static int parse_with_field(int field, const char *value, struct st_pid_stat *out)
{
	struct stat_line l;

	line_init(&l);
	l.f[field] = value;
	return line_parse(&l, out);
}

static void check_default_numbers(const struct st_pid_stat *s)
{
	CU_ASSERT_EQUAL(s->pid, 4242);
	CU_ASSERT_EQUAL(s->state, 'S');
	CU_ASSERT_EQUAL(s->ppid, 1);
	CU_ASSERT_EQUAL(s->minflt, 11);
	CU_ASSERT_EQUAL(s->majflt, 33);
	CU_ASSERT_EQUAL(s->utime, 55);
	CU_ASSERT_EQUAL(s->stime, 66);
	CU_ASSERT_EQUAL(s->cutime, 77);
	CU_ASSERT_EQUAL(s->cstime, 88);
	CU_ASSERT_EQUAL(s->start_ticks, 999);
	CU_ASSERT_EQUAL(s->rss_pages, 321);
}

/* Parses "4242 (<comm>) <default tail>" and checks comm came out as want. */
static void check_comm(const char *comm, size_t commlen, const char *want, size_t wantlen)
{
	struct stat_line l;
	struct st_pid_stat s;

	line_init(&l);
	l.comm = comm;
	l.commlen = commlen;
	memset(&s, 0x55, sizeof(s));
	CU_ASSERT_EQUAL_FATAL(line_parse(&l, &s), 0);
	CU_ASSERT_EQUAL(strnlen(s.comm, sizeof(s.comm)), wantlen);
	CU_ASSERT_EQUAL(memcmp(s.comm, want, wantlen), 0);
	check_default_numbers(&s);
}

/* ---------------------------------------------------- /proc/[pid]/stat */

/* Captured from this machine: `cat /proc/self/stat` and /proc/1/stat. */
static const char real_cat_stat[] =
	"3403 (cat) R 3400 3400 2267 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 "
	"20893 3133440 359 18446744073709551615 94317684187136 94317684207017 "
	"140730079018688 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94317684223024 "
	"94317684224640 94318431772672 140730079021500 140730079021520 "
	"140730079021520 140730079023083 0\n";
static const char real_init_stat[] =
	"1 (process_api) S 0 0 0 0 -1 4194560 30650 573794 0 702 35 192 1513 "
	"1081 20 0 13 0 24 42733568 3074 18446744073709551615 1 1 0 0 0 0 0 "
	"4096 1256 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0\n";

static void test_pid_stat_real_lines(void)
{
	struct st_pid_stat s;

	CU_ASSERT_EQUAL_FATAL(pid_stat_s(real_cat_stat, &s), 0);
	CU_ASSERT_EQUAL(s.pid, 3403);
	CU_ASSERT_STRING_EQUAL(s.comm, "cat");
	CU_ASSERT_EQUAL(s.state, 'R');
	CU_ASSERT_EQUAL(s.ppid, 3400);
	CU_ASSERT_EQUAL(s.minflt, 98);
	CU_ASSERT_EQUAL(s.majflt, 0);
	CU_ASSERT_EQUAL(s.start_ticks, 20893);
	CU_ASSERT_EQUAL(s.rss_pages, 359);

	CU_ASSERT_EQUAL_FATAL(pid_stat_s(real_init_stat, &s), 0);
	CU_ASSERT_EQUAL(s.pid, 1);
	CU_ASSERT_STRING_EQUAL(s.comm, "process_api");
	CU_ASSERT_EQUAL(s.state, 'S');
	CU_ASSERT_EQUAL(s.ppid, 0);	/* init's parent is 0 */
	CU_ASSERT_EQUAL(s.minflt, 30650);
	CU_ASSERT_EQUAL(s.majflt, 0);
	CU_ASSERT_EQUAL(s.utime, 35);
	CU_ASSERT_EQUAL(s.stime, 192);
	CU_ASSERT_EQUAL(s.cutime, 1513);
	CU_ASSERT_EQUAL(s.cstime, 1081);
	CU_ASSERT_EQUAL(s.start_ticks, 24);
	CU_ASSERT_EQUAL(s.rss_pages, 3074);
}

static void test_pid_stat_kernel_thread_names(void)
{
	static const char line[] =
		"57 (kworker/0:1H-kblockd) I 2 0 0 0 -1 69238880 0 0 0 0 0 3 "
		"0 0 0 -20 1 0 30 0 0 18446744073709551615 0 0 0 0 0 0 0 "
		"2147483647 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
	struct st_pid_stat s;

	CU_ASSERT_EQUAL_FATAL(pid_stat_s(line, &s), 0);
	CU_ASSERT_STRING_EQUAL(s.comm, "kworker/0:1H-kblockd");
	CU_ASSERT_EQUAL(s.state, 'I');
	CU_ASSERT_EQUAL(s.ppid, 2);
	CU_ASSERT_EQUAL(s.stime, 3);
	CU_ASSERT_EQUAL(s.start_ticks, 30);
	CU_ASSERT_EQUAL(s.rss_pages, 0);
}

static void test_pid_stat_live_self(void)
{
	char buf[1024], comm[64];
	size_t n = read_proc_file("/proc/self/stat", buf, sizeof(buf));
	size_t cn = read_proc_file("/proc/self/comm", comm, sizeof(comm) - 1);
	struct st_pid_stat s;

	CU_ASSERT_FATAL(cn > 0 && comm[cn - 1] == '\n');
	comm[cn - 1] = '\0';
	CU_ASSERT_EQUAL_FATAL(pid_stat_n(buf, n, &s), 0);
	CU_ASSERT_EQUAL(s.pid, getpid());
	CU_ASSERT_EQUAL(s.ppid, getppid());
	CU_ASSERT_STRING_EQUAL(s.comm, comm);
	CU_ASSERT_EQUAL(s.state, 'R');
	CU_ASSERT(s.rss_pages > 0);
	CU_ASSERT(s.minflt > 0);
}

static void test_pid_stat_comm_with_spaces(void)
{
	check_comm("Web Content", 11, "Web Content", 11);
	check_comm(" lead and trail ", 16, " lead and trail ", 16);
}

static void test_pid_stat_comm_with_parens(void)
{
	check_comm("a) b (c", 7, "a) b (c", 7);
	/* a comm that fakes the end of the name and a whole tail */
	check_comm("x) R 1 2 3", 10, "x) R 1 2 3", 10);
	check_comm("((", 2, "((", 2);
	check_comm("))", 2, "))", 2);
	check_comm(")", 1, ")", 1);
}

static void test_pid_stat_comm_with_newline(void)
{
	check_comm("a\nb", 3, "a\nb", 3);
	check_comm("\n", 1, "\n", 1);
}

static void test_pid_stat_comm_invalid_utf8(void)
{
	static const char bad[] = "\xff\xfe\xc3(\x80\x01\x7f";

	check_comm(bad, sizeof(bad) - 1, bad, sizeof(bad) - 1);
}

static void test_pid_stat_comm_empty(void)
{
	check_comm("", 0, "", 0);
}

static void test_pid_stat_comm_truncated(void)
{
	char longc[200];

	memset(longc, 'z', sizeof(longc));
	longc[0] = 'A';
	longc[ST_COMM_MAX - 2] = 'B';	/* last byte kept */
	longc[ST_COMM_MAX - 1] = 'C';	/* first byte dropped */
	check_comm(longc, sizeof(longc), longc, ST_COMM_MAX - 1);
	/* exactly ST_COMM_MAX - 1 bytes fits whole; one more is cut */
	check_comm(longc, ST_COMM_MAX - 1, longc, ST_COMM_MAX - 1);
	check_comm(longc, ST_COMM_MAX, longc, ST_COMM_MAX - 1);
}

static void test_pid_stat_missing_fields(void)
{
	struct stat_line l;
	struct st_pid_stat s;

	line_init(&l);
	/* cut after every field up to 23, with and without the newline */
	for (int last = 2; last < 24; last++) {
		l.last = last;
		l.newline = true;
		CU_ASSERT_EQUAL(line_parse(&l, &s), -1);
		l.newline = false;
		CU_ASSERT_EQUAL(line_parse(&l, &s), -1);
	}
	/* truncated after field 20, as the brief's example */
	l.last = 20;
	l.newline = true;
	CU_ASSERT_EQUAL(line_parse(&l, &s), -1);
	/* exactly 24 fields is enough */
	l.last = 24;
	CU_ASSERT_EQUAL(line_parse(&l, &s), 0);
	check_default_numbers(&s);
	l.newline = false;
	CU_ASSERT_EQUAL(line_parse(&l, &s), 0);
	check_default_numbers(&s);
	/* trailing spaces do not make a 24th field */
	CU_ASSERT_EQUAL(pid_stat_s("1 (x) S 1 1 1 0 -1 0 1 1 1 1 1 1 1 1 20 0 1 0 5 6  \n", &s), -1);
}

static void test_pid_stat_extra_fields(void)
{
	static const char line[] =
		"4242 (worker) S 1 4242 4242 0 -1 4194560 11 22 33 44 55 66 77 88 "
		"20 0 1 0 999 12345678 321 18446744073709551615 1 1 0 0 0 0 0 "
		"4096 1256 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0 "
		"53 54 55 56 future-field 99999999999999999999999 x\n";
	struct st_pid_stat s;

	CU_ASSERT_EQUAL_FATAL(pid_stat_s(line, &s), 0);
	CU_ASSERT_STRING_EQUAL(s.comm, "worker");
	check_default_numbers(&s);
}

/* Fields 20 (threads), 23 (vsize) and 42 (blkio delay ticks). */
static void test_pid_stat_threads_vsize_blkio(void)
{
	struct st_pid_stat s;
	struct stat_line l;

	CU_ASSERT_EQUAL_FATAL(pid_stat_s(real_init_stat, &s), 0);
	CU_ASSERT_EQUAL(s.num_threads, 13);
	CU_ASSERT_EQUAL(s.vsize, 42733568);
	CU_ASSERT_EQUAL(s.have, ST_PID_STAT_BLKIO);
	CU_ASSERT_EQUAL(s.blkio_ticks, 0);

	line_init(&l);
	l.f[20] = "37";
	l.f[23] = "140737488355328";	/* 128 TiB: more than 32 bits */
	l.f[38] = "-1";			/* exit_signal is signed */
	l.f[42] = "123456789012";
	memset(&s, 0x55, sizeof(s));
	CU_ASSERT_EQUAL_FATAL(line_parse(&l, &s), 0);
	check_default_numbers(&s);
	CU_ASSERT_EQUAL(s.num_threads, 37);
	CU_ASSERT_EQUAL(s.vsize, 140737488355328ULL);
	CU_ASSERT_EQUAL(s.have, ST_PID_STAT_BLKIO);
	CU_ASSERT_EQUAL(s.blkio_ticks, 123456789012ULL);
	/* exactly 42 fields, with and without the newline */
	l.last = 42;
	CU_ASSERT_EQUAL_FATAL(line_parse(&l, &s), 0);
	CU_ASSERT_EQUAL(s.blkio_ticks, 123456789012ULL);
	l.newline = false;
	CU_ASSERT_EQUAL_FATAL(line_parse(&l, &s), 0);
	CU_ASSERT_EQUAL(s.have, ST_PID_STAT_BLKIO);
	CU_ASSERT_EQUAL(s.blkio_ticks, 123456789012ULL);
}

/* Kernels before 2.6.18 end the line before field 42, and a field there
 * the parser cannot read: the line still parses, the blkio figure is
 * unknown, the others are as read. */
static void test_pid_stat_short_of_blkio(void)
{
	static const char *const bad[] = { "x", "12a", "-1", "99999999999999999999" };
	struct st_pid_stat s;
	struct stat_line l;

	line_init(&l);
	l.f[42] = "77";
	for (int last = 24; last < 42; last++) {
		l.last = last;
		for (int nl = 0; nl < 2; nl++) {
			l.newline = nl;
			memset(&s, 0x55, sizeof(s));
			CU_ASSERT_EQUAL_FATAL(line_parse(&l, &s), 0);
			check_default_numbers(&s);
			CU_ASSERT_EQUAL(s.num_threads, 1);
			CU_ASSERT_EQUAL(s.vsize, 12345678);
			CU_ASSERT_EQUAL(s.have & ST_PID_STAT_BLKIO, 0);
			CU_ASSERT_EQUAL(s.blkio_ticks, 0);
		}
	}
	line_init(&l);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int field = 25; field <= 42; field++) {
			if (field == 38 || field == 39) {
				if (strcmp(bad[i], "-1") == 0)
					continue;   /* signed: a valid value */
			}
			l.f[field] = bad[i];
			memset(&s, 0x55, sizeof(s));
			CU_ASSERT_EQUAL_FATAL(line_parse(&l, &s), 0);
			check_default_numbers(&s);
			CU_ASSERT_EQUAL(s.have & ST_PID_STAT_BLKIO, 0);
			CU_ASSERT_EQUAL(s.blkio_ticks, 0);
			l.f[field] = default_fields[field];
		}
	}
	/* a negative thread count (no kernel writes one) reads as 0 */
	CU_ASSERT_EQUAL(parse_with_field(20, "-3", &s), 0);
	CU_ASSERT_EQUAL(s.num_threads, 0);
}

static void test_pid_stat_bad_parens(void)
{
	struct st_pid_stat s;

	CU_ASSERT_EQUAL(pid_stat_s("4242 (worker S 1 4242 4242 0 -1 4194560 11 22 33 44 55 "
				   "66 77 88 20 0 1 0 999 12345678 321\n", &s), -1);
	CU_ASSERT_EQUAL(pid_stat_s("4242 worker) S 1 4242 4242 0 -1 4194560 11 22 33 44 55 "
				   "66 77 88 20 0 1 0 999 12345678 321\n", &s), -1);
	CU_ASSERT_EQUAL(pid_stat_s("4242 )worker( S 1 4242 4242 0 -1 4194560 11 22 33 44 55 "
				   "66 77 88 20 0 1 0 999 12345678 321\n", &s), -1);
	CU_ASSERT_EQUAL(pid_stat_s("4242 worker S 1 4242 4242 0 -1 4194560 11 22 33 44 55 "
				   "66 77 88 20 0 1 0 999 12345678 321\n", &s), -1);
}

static void test_pid_stat_bad_pid_and_state(void)
{
	struct stat_line l;
	struct st_pid_stat s;
	char buf[512];
	size_t n;

	CU_ASSERT_EQUAL(parse_with_field(1, "x", &s), -1);
	CU_ASSERT_EQUAL(parse_with_field(1, "-1", &s), -1);
	CU_ASSERT_EQUAL(parse_with_field(1, "12x", &s), -1);
	CU_ASSERT_EQUAL(parse_with_field(1, "2147483648", &s), -1);
	CU_ASSERT_EQUAL(parse_with_field(1, "2147483647", &s), 0);
	CU_ASSERT_EQUAL(s.pid, 2147483647);
	CU_ASSERT_EQUAL(parse_with_field(1, "", &s), -1);	/* " (worker)" */
	/* the state is one byte */
	CU_ASSERT_EQUAL(parse_with_field(3, "SS", &s), -1);
	CU_ASSERT_EQUAL(parse_with_field(3, "Z", &s), 0);
	CU_ASSERT_EQUAL(s.state, 'Z');

	/* no space between pid and '(' or between ')' and state */
	line_init(&l);
	n = line_build(&l, buf, sizeof(buf));
	CU_ASSERT_EQUAL(pid_stat_n(buf, n, &s), 0);
	memmove(buf + 4, buf + 5, n - 5);	/* "4242(worker) ..." */
	CU_ASSERT_EQUAL(pid_stat_n(buf, n - 1, &s), -1);
	n = line_build(&l, buf, sizeof(buf));
	memmove(buf + 13, buf + 14, n - 14);	/* "4242 (worker)S ..." */
	CU_ASSERT_EQUAL(pid_stat_n(buf, n - 1, &s), -1);
	CU_ASSERT_EQUAL(pid_stat_s(" 4242 (worker) S 1 4242 4242 0 -1 4194560 11 22 33 44 "
				   "55 66 77 88 20 0 1 0 999 12345678 321\n", &s), -1);
}

static void test_pid_stat_non_digit(void)
{
	static const char *const bad[] = { "12a", "a12", "x", "+5", "--1", "-",
					   "1.5", "0x10", "1,2", "\t1" };
	struct st_pid_stat s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* an unsigned field we keep, a signed one we keep, and one
		 * we only validate */
		CU_ASSERT_EQUAL(parse_with_field(14, bad[i], &s), -1);
		CU_ASSERT_EQUAL(parse_with_field(24, bad[i], &s), -1);
		CU_ASSERT_EQUAL(parse_with_field(7, bad[i], &s), -1);
	}
	/* '-' is only for fields the kernel prints signed */
	CU_ASSERT_EQUAL(parse_with_field(10, "-1", &s), -1);
	CU_ASSERT_EQUAL(parse_with_field(22, "-1", &s), -1);
}

static void test_pid_stat_negative_signed_fields(void)
{
	struct stat_line l;
	struct st_pid_stat s;

	line_init(&l);
	l.f[4] = "-1";		/* ppid */
	l.f[8] = "-1";		/* tpgid, normal */
	l.f[16] = "-5";		/* cutime */
	l.f[17] = "-9223372036854775808";	/* cstime, LONG_MIN */
	l.f[18] = "-100";	/* priority of an RT task, normal */
	l.f[19] = "-20";	/* nice, normal */
	l.f[24] = "-1";		/* rss */
	CU_ASSERT_EQUAL_FATAL(line_parse(&l, &s), 0);
	CU_ASSERT_EQUAL(s.ppid, 0);
	CU_ASSERT_EQUAL(s.cutime, 0);
	CU_ASSERT_EQUAL(s.cstime, 0);
	CU_ASSERT_EQUAL(s.rss_pages, 0);
	CU_ASSERT_EQUAL(s.utime, 55);
}

static void test_pid_stat_overflow(void)
{
	struct st_pid_stat s;

	CU_ASSERT_EQUAL(parse_with_field(14, "18446744073709551615", &s), 0);
	CU_ASSERT_EQUAL(s.utime, UINT64_MAX);
	CU_ASSERT_EQUAL(parse_with_field(14, "18446744073709551616", &s), -1);
	CU_ASSERT_EQUAL(parse_with_field(14, "99999999999999999999999999", &s), -1);
	CU_ASSERT_EQUAL(parse_with_field(22, "18446744073709551616", &s), -1);
	/* leading zeros are still the same small number */
	CU_ASSERT_EQUAL(parse_with_field(14, "000000000000000000000000042", &s), 0);
	CU_ASSERT_EQUAL(s.utime, 42);
	/* signed fields hold a kernel long */
	CU_ASSERT_EQUAL(parse_with_field(24, "9223372036854775807", &s), 0);
	CU_ASSERT_EQUAL(s.rss_pages, 9223372036854775807ULL);
	CU_ASSERT_EQUAL(parse_with_field(24, "9223372036854775808", &s), -1);
	CU_ASSERT_EQUAL(parse_with_field(16, "-9223372036854775809", &s), -1);
	CU_ASSERT_EQUAL(parse_with_field(8, "18446744073709551615", &s), -1);
	/* ppid must fit its int32 */
	CU_ASSERT_EQUAL(parse_with_field(4, "2147483647", &s), 0);
	CU_ASSERT_EQUAL(s.ppid, 2147483647);
	CU_ASSERT_EQUAL(parse_with_field(4, "2147483648", &s), -1);
}

static void test_pid_stat_not_nul_terminated(void)
{
	/* The garbage would change the result if read: more digits for
	 * field 24, and a later ')' that would move the end of comm. */
	static const char line[] =
		"4242 (worker) S 1 4242 4242 0 -1 4194560 11 22 33 44 55 66 77 88 "
		"20 0 1 0 999 12345678 321";
	static const char garbage[] = "777) Z 9 9 9 9 9 9 9 9 9 9";
	char buf[sizeof(line) + sizeof(garbage)];
	size_t len = sizeof(line) - 1;
	struct st_pid_stat s;

	memcpy(buf, line, len);
	memcpy(buf + len, garbage, sizeof(garbage));
	CU_ASSERT_EQUAL_FATAL(st_parse_pid_stat(buf, len, &s), 0);
	CU_ASSERT_STRING_EQUAL(s.comm, "worker");
	CU_ASSERT_EQUAL(s.state, 'S');
	CU_ASSERT_EQUAL(s.rss_pages, 321);

	/* the same with nothing at all after len */
	CU_ASSERT_EQUAL_FATAL(pid_stat_n(line, len, &s), 0);
	CU_ASSERT_EQUAL(s.rss_pages, 321);
}

static void test_pid_stat_empty(void)
{
	struct st_pid_stat s;
	char c = '1';

	CU_ASSERT_EQUAL(st_parse_pid_stat(&c, 0, &s), -1);
	CU_ASSERT_EQUAL(st_parse_pid_stat(NULL, 0, &s), -1);
	CU_ASSERT_EQUAL(pid_stat_s("\n", &s), -1);
	CU_ASSERT_EQUAL(pid_stat_s("()", &s), -1);
}

static void test_pid_stat_failure_leaves_out_alone(void)
{
	struct st_pid_stat s, before;

	memset(&s, 0xab, sizeof(s));
	memcpy(&before, &s, sizeof(s));
	CU_ASSERT_EQUAL(parse_with_field(22, "bad", &s), -1);
	CU_ASSERT_EQUAL(memcmp(&s, &before, sizeof(s)), 0);
}

/* Every prefix and many one-byte corruptions of a real line: the parser
 * must never read out of bounds (the sanitizers judge that), and a prefix
 * parses exactly when it reaches the end of field 24. */
static void test_pid_stat_prefixes_and_corruption(void)
{
	const size_t len = sizeof(real_init_stat) - 1;
	/* one digit of field 24 already makes a complete (if wrong) line:
	 * the sampler reads whole files, so a cut is not expected */
	const char *f24 = strstr(real_init_stat, " 3074 ") + 1;
	const size_t need = (size_t)(f24 - real_init_stat) + 1;
	static const char bytes[] = { '\0', ' ', '\n', '(', ')', '-', 'x', '9', '\xff' };
	struct st_pid_stat s;
	char buf[sizeof(real_init_stat)];

	for (size_t n = 0; n <= len; n++)
		CU_ASSERT_EQUAL(pid_stat_n(real_init_stat, n, &s), n >= need ? 0 : -1);
	for (size_t i = 0; i < len; i++) {
		for (size_t b = 0; b < sizeof(bytes); b++) {
			memcpy(buf, real_init_stat, len);
			buf[i] = bytes[b];
			int rc = pid_stat_n(buf, len, &s);
			CU_ASSERT(rc == 0 || rc == -1);
			if (rc == 0)
				CU_ASSERT(strlen(s.comm) < ST_COMM_MAX);
		}
	}
}

/* Throughput sanity: many parses in a row stay correct. No timing is
 * asserted (or printed): speed is judged with a profiler, not in CI. */
static void test_pid_stat_many(void)
{
	struct st_pid_stat s;
	uint64_t sum = 0;
	const int rounds = 100000;

	for (int i = 0; i < rounds; i++) {
		if (st_parse_pid_stat(real_init_stat, sizeof(real_init_stat) - 1, &s) == 0)
			sum += s.utime + s.stime;
	}
	CU_ASSERT_EQUAL(sum, (uint64_t)rounds * (35 + 192));
}

/* --------------------------------------------------------------- /proc/stat */

/* Captured from this machine; the intr line is rebuilt full length. */
static const char real_stat_head[] =
	"cpu  1531 0 1603 47057 229 0 66 246 0 0\n"
	"cpu0 392 0 593 24256 7 0 7 108 0 0\n"
	"cpu1 1138 0 1009 22800 222 0 59 138 0 0\n";
static const char real_stat_tail[] =
	"ctxt 206684\n"
	"btime 1795303696\n"
	"processes 3818\n"
	"procs_running 1\n"
	"procs_blocked 0\n"
	"softirq 68355 0 6496 3 589 30207 0 2 17127 0 13931\n";

static char *real_proc_stat(void)
{
	size_t cap = sizeof(real_stat_head) + sizeof(real_stat_tail) + 16 + 2 * 4000;
	char *s = malloc(cap), *p;

	if (!s)
		abort();
	p = stpcpy(s, real_stat_head);
	p = stpcpy(p, "intr 100311");
	for (int i = 0; i < 4000; i++)
		p = stpcpy(p, i == 37 ? " 29805" : " 0");
	p = stpcpy(p, "\n");
	stpcpy(p, real_stat_tail);
	return s;
}

static void check_real_stat(const struct st_proc_stat *st, const struct st_cpu_times *cores)
{
	CU_ASSERT_EQUAL(st->have, ST_PSTAT_CPU | ST_PSTAT_PROCESSES |
			ST_PSTAT_RUNNING | ST_PSTAT_BLOCKED | ST_PSTAT_CTXT | ST_PSTAT_INTR);
	CU_ASSERT_EQUAL(st->ctxt, 206684);
	CU_ASSERT_EQUAL(st->intr, 100311);
	CU_ASSERT_EQUAL(st->total.user, 1531);
	CU_ASSERT_EQUAL(st->total.nice, 0);
	CU_ASSERT_EQUAL(st->total.system, 1603);
	CU_ASSERT_EQUAL(st->total.idle, 47057);
	CU_ASSERT_EQUAL(st->total.iowait, 229);
	CU_ASSERT_EQUAL(st->total.irq, 0);
	CU_ASSERT_EQUAL(st->total.softirq, 66);
	CU_ASSERT_EQUAL(st->total.steal, 246);
	CU_ASSERT_EQUAL(st->ncores, 2);
	CU_ASSERT_EQUAL(cores[0].user, 392);
	CU_ASSERT_EQUAL(cores[0].idle, 24256);
	CU_ASSERT_EQUAL(cores[0].steal, 108);
	CU_ASSERT_EQUAL(cores[1].user, 1138);
	CU_ASSERT_EQUAL(cores[1].iowait, 222);
	CU_ASSERT_EQUAL(cores[1].steal, 138);
	CU_ASSERT_EQUAL(st->processes, 3818);
	CU_ASSERT_EQUAL(st->procs_running, 1);
	CU_ASSERT_EQUAL(st->procs_blocked, 0);
}

static void test_proc_stat_real(void)
{
	char *text = real_proc_stat();
	struct st_proc_stat st;
	struct st_cpu_times cores[8];

	CU_ASSERT_EQUAL_FATAL(proc_stat_s(text, &st, cores, 8), 0);
	check_real_stat(&st, cores);
	for (uint32_t i = 0; i < st.ncores && i < 8; i++)
		CU_ASSERT(i == 0 || cores[i].id > cores[i - 1].id);
	free(text);
}

static void test_proc_stat_live(void)
{
	static char buf[1 << 16];
	size_t n = read_proc_file("/proc/stat", buf, sizeof(buf));
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	struct st_proc_stat st;
	struct st_cpu_times cores[1024];

	CU_ASSERT_FATAL(n > 0 && n < sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(st_parse_proc_stat(buf, n, &st, cores, 1024), 0);
	CU_ASSERT(st.have & ST_PSTAT_PROCESSES);
	CU_ASSERT(st.ncores >= (uint32_t)online);
	CU_ASSERT(st.total.idle > 0);
	CU_ASSERT(st.processes > 0);
	CU_ASSERT(st.procs_running >= 1);	/* this test is running */
}

static void test_proc_stat_missing_trailing_fields(void)
{
	struct st_proc_stat st;
	struct st_cpu_times cores[2];

	/* 2.6.11-era: no steal */
	CU_ASSERT_EQUAL_FATAL(proc_stat_s("cpu  10 20 30 40 50 60 70\n"
					  "cpu0 1 2 3 4 5 6 7\n", &st, cores, 2), 0);
	CU_ASSERT_EQUAL(st.total.softirq, 70);
	CU_ASSERT_EQUAL(st.total.steal, 0);
	CU_ASSERT_EQUAL(cores[0].softirq, 7);
	CU_ASSERT_EQUAL(cores[0].steal, 0);
	CU_ASSERT_EQUAL(st.ncores, 1);
	CU_ASSERT_EQUAL(st.have, ST_PSTAT_CPU);

	/* 2.4-era: four fields */
	CU_ASSERT_EQUAL_FATAL(proc_stat_s("cpu 1 2 3 4\n", &st, cores, 2), 0);
	CU_ASSERT_EQUAL(st.total.idle, 4);
	CU_ASSERT_EQUAL(st.total.iowait, 0);

	/* fewer than four is not a cpu line */
	CU_ASSERT_EQUAL(proc_stat_s("cpu 1 2 3\n", &st, cores, 2), -1);
	CU_ASSERT_EQUAL(proc_stat_s("cpu \n", &st, cores, 2), -1);
}

static void test_proc_stat_out_of_order(void)
{
	static const char text[] =
		"procs_blocked 3\n"
		"cpu1 5 0 5 50 0 0 0 0 0 0\n"
		"processes 777\n"
		"intr 1 2 3\n"
		"cpu0 4 0 4 40 0 0 0 0 0 0\n"
		"cpu  9 0 9 90 0 0 0 0 0 0\n"
		"procs_running 2";	/* and no final newline */
	struct st_proc_stat st;
	struct st_cpu_times cores[4];

	CU_ASSERT_EQUAL_FATAL(proc_stat_s(text, &st, cores, 4), 0);
	CU_ASSERT_EQUAL(st.total.user, 9);
	CU_ASSERT_EQUAL(st.total.idle, 90);
	CU_ASSERT_EQUAL(st.ncores, 2);
	/* In the order of the file, each with its CPU's id. */
	CU_ASSERT_EQUAL(cores[0].id, 1);
	CU_ASSERT_EQUAL(cores[0].idle, 50);
	CU_ASSERT_EQUAL(cores[1].id, 0);
	CU_ASSERT_EQUAL(cores[1].idle, 40);
	CU_ASSERT_EQUAL(st.processes, 777);
	CU_ASSERT_EQUAL(st.procs_running, 2);
	CU_ASSERT_EQUAL(st.procs_blocked, 3);
	CU_ASSERT_EQUAL(st.have, ST_PSTAT_CPU | ST_PSTAT_PROCESSES |
			ST_PSTAT_RUNNING | ST_PSTAT_BLOCKED | ST_PSTAT_INTR);
	CU_ASSERT_EQUAL(st.intr, 1);
}

static void test_proc_stat_absurd_core_number(void)
{
	static const char text[] =
		"cpu  9 0 9 90 0 0 0 0 0 0\n"
		"cpu0 4 0 4 40 0 0 0 0 0 0\n"
		"cpu4000000000 5 0 5 50 0 0 0 0 0 0\n"
		"cpu8192 5 0 5 50 0 0 0 0 0 0\n"
		"cpu8191 5 0 5 50 0 0 0 0 0 0\n";
	struct st_proc_stat st;
	struct st_cpu_times cores[2];

	/* A corrupt line may not make the sampler allocate for 4 billion
	 * cores: beyond the kernel's ceiling it is skipped. */
	CU_ASSERT_EQUAL_FATAL(proc_stat_s(text, &st, cores, 2), 0);
	CU_ASSERT_EQUAL(st.ncores, 2);
	CU_ASSERT_EQUAL(cores[0].idle, 40);
	CU_ASSERT_EQUAL(cores[1].id, ST_MAX_CORES - 1);
}

static void test_proc_stat_no_cpu_line(void)
{
	struct st_proc_stat st;
	struct st_cpu_times cores[4];
	char c = 'c';

	CU_ASSERT_EQUAL(proc_stat_s("cpu0 1 2 3 4 5 6 7 8\nprocesses 5\n", &st, cores, 4), -1);
	CU_ASSERT_EQUAL(proc_stat_s("processes 5\nprocs_running 1\n", &st, cores, 4), -1);
	CU_ASSERT_EQUAL(proc_stat_s("", &st, cores, 4), -1);
	CU_ASSERT_EQUAL(st_parse_proc_stat(&c, 0, &st, cores, 4), -1);
	CU_ASSERT_EQUAL(proc_stat_s("cpux 1 2 3 4\ncpufreq 1 2 3 4\n", &st, cores, 4), -1);
	/* a "cpu" line that is not numbers is no cpu line */
	CU_ASSERT_EQUAL(proc_stat_s("cpu  1 2 x 4\n", &st, cores, 4), -1);
	CU_ASSERT_EQUAL(proc_stat_s("cpu  1 2 3 18446744073709551616\n", &st, cores, 4), -1);
}

static void test_proc_stat_more_cores_than_max(void)
{
	static const char text[] =
		"cpu  100 0 0 0 0 0 0 0\n"
		"cpu0 10 0 0 0 0 0 0 0\n"
		"cpu1 11 0 0 0 0 0 0 0\n"
		"cpu2 12 0 0 0 0 0 0 0\n"
		"cpu3 13 0 0 0 0 0 0 0\n";
	struct st_proc_stat st;
	struct st_cpu_times cores[3];

	memset(&cores[2], 0x77, sizeof(cores[2]));	/* must stay untouched */
	CU_ASSERT_EQUAL_FATAL(proc_stat_s(text, &st, cores, 2), 0);
	CU_ASSERT_EQUAL(st.ncores, 4);
	CU_ASSERT_EQUAL(cores[0].user, 10);
	CU_ASSERT_EQUAL(cores[1].user, 11);
	CU_ASSERT_EQUAL(cores[2].user, 0x7777777777777777ULL);

	/* no room at all for cores */
	CU_ASSERT_EQUAL_FATAL(proc_stat_s(text, &st, NULL, 0), 0);
	CU_ASSERT_EQUAL(st.ncores, 4);
	CU_ASSERT_EQUAL(st.total.user, 100);
	CU_ASSERT_EQUAL_FATAL(proc_stat_s(text, &st, NULL, 16), 0);
	CU_ASSERT_EQUAL(st.ncores, 4);
}

static void test_proc_stat_offline_core_gap(void)
{
	static const char text[] =
		"cpu  3 0 0 0\n"
		"cpu0 1 0 0 0\n"
		"cpu3 2 0 0 0\n";
	struct st_proc_stat st;
	struct st_cpu_times cores[4];

	memset(cores, 0x5a, sizeof(cores));	/* last sample's leftovers */
	CU_ASSERT_EQUAL_FATAL(proc_stat_s(text, &st, cores, 4), 0);
	/* Two CPUs are online, not four: cpu1 and cpu2 are offline. */
	CU_ASSERT_EQUAL(st.ncores, 2);
	CU_ASSERT_EQUAL(cores[0].id, 0);
	CU_ASSERT_EQUAL(cores[0].user, 1);
	CU_ASSERT_EQUAL(cores[1].id, 3);
	CU_ASSERT_EQUAL(cores[1].user, 2);
}

static void test_proc_stat_malformed_other_lines(void)
{
	static const char text[] =
		"cpu  1 2 3 4 5 6 7 8 9 10\n"
		"cpu0 1 2 x 4\n"			/* skipped */
		"cpu99999999999999999999 1 2 3 4\n"	/* skipped */
		"cpu1 1 2 3\n"				/* too short: skipped */
		"processes lots\n"
		"procs_running 4294967296\n"		/* over uint32 */
		"procs_blocked 1 2\n"
		"processesX 4\n";
	struct st_proc_stat st;
	struct st_cpu_times cores[2];

	CU_ASSERT_EQUAL_FATAL(proc_stat_s(text, &st, cores, 2), 0);
	CU_ASSERT_EQUAL(st.have, ST_PSTAT_CPU);
	CU_ASSERT_EQUAL(st.ncores, 0);
	CU_ASSERT_EQUAL(st.total.steal, 8);
	CU_ASSERT_EQUAL(st.processes, 0);
	CU_ASSERT_EQUAL(st.procs_running, 0);
}

static void test_proc_stat_not_nul_terminated(void)
{
	static const char text[] = "cpu  1 2 3 4 5 6 7 8\nprocesses 42";
	char buf[sizeof(text) + 8];
	struct st_proc_stat st;

	memcpy(buf, text, sizeof(text) - 1);
	memcpy(buf + sizeof(text) - 1, "9999999", 8);
	CU_ASSERT_EQUAL_FATAL(st_parse_proc_stat(buf, sizeof(text) - 1, &st, NULL, 0), 0);
	CU_ASSERT_EQUAL(st.processes, 42);
	/* a cut in the middle of the cpu line keeps what is there */
	CU_ASSERT_EQUAL_FATAL(st_parse_proc_stat(buf, 13, &st, NULL, 0), 0);
	CU_ASSERT_EQUAL(st.total.idle, 4);
	CU_ASSERT_EQUAL(st.total.iowait, 0);
}

static void test_proc_stat_many(void)
{
	char *text = real_proc_stat();
	size_t len = strlen(text);
	struct st_proc_stat st;
	struct st_cpu_times cores[2];
	int ok = 0;

	for (int i = 0; i < 2000; i++)
		ok += st_parse_proc_stat(text, len, &st, cores, 2) == 0;
	CU_ASSERT_EQUAL(ok, 2000);
	check_real_stat(&st, cores);
	free(text);
}

/* ----------------------------------------------------------- /proc/meminfo */

/* Captured from this machine (the head of it plus the lines that look
 * like ours). */
static const char real_meminfo[] =
	"MemTotal:       24684092 kB\n"
	"MemFree:        24537048 kB\n"
	"MemAvailable:   24444808 kB\n"
	"Buffers:             520 kB\n"
	"Cached:            18720 kB\n"
	"SwapCached:            0 kB\n"
	"Active:             8324 kB\n"
	"Inactive:           8452 kB\n"
	"Active(anon):       1524 kB\n"
	"Inactive(anon):     4876 kB\n"
	"Unevictable:       13296 kB\n"
	"Mlocked:           12392 kB\n"
	"SwapTotal:       2097148 kB\n"
	"SwapFree:        2000000 kB\n"
	"Zswap:                 0 kB\n"
	"VmallocTotal:   34359738367 kB\n"
	"HugePages_Total:       0\n"
	"Hugepagesize:       2048 kB\n"
	"DirectMap1G:    25165824 kB\n";

static void test_meminfo_real(void)
{
	struct st_meminfo m;

	CU_ASSERT_EQUAL_FATAL(meminfo_s(real_meminfo, &m), 0);
	CU_ASSERT_EQUAL(m.mem_total_kib, 24684092);
	CU_ASSERT_EQUAL(m.mem_free_kib, 24537048);
	CU_ASSERT_EQUAL(m.mem_available_kib, 24444808);
	CU_ASSERT_EQUAL(m.swap_total_kib, 2097148);
	CU_ASSERT_EQUAL(m.swap_free_kib, 2000000);
	CU_ASSERT_EQUAL(m.cached_kib, 18720);
	CU_ASSERT_EQUAL(m.have, ST_MEMINFO_TOTAL | ST_MEMINFO_FREE |
			ST_MEMINFO_AVAILABLE | ST_MEMINFO_SWAPTOTAL |
			ST_MEMINFO_SWAPFREE | ST_MEMINFO_CACHED);
}

/* Where the memory is, for "no process grew": exact key names only
 * (WritebackTmp is not Writeback, SwapCached is not Cached). */
static void test_meminfo_breakdown(void)
{
	struct st_meminfo m;

	CU_ASSERT_EQUAL_FATAL(meminfo_s(
		"MemTotal: 1000 kB\n"
		"SwapCached: 1 kB\n"
		"Cached: 200 kB\n"
		"AnonPages: 300 kB\n"
		"Shmem: 40 kB\n"
		"SReclaimable: 50 kB\n"
		"SUnreclaim: 60 kB\n"
		"Dirty: 7 kB\n"
		"WritebackTmp: 9 kB\n"
		"Writeback: 8 kB\n", &m), 0);
	CU_ASSERT_EQUAL(m.cached_kib, 200);
	CU_ASSERT_EQUAL(m.anon_kib, 300);
	CU_ASSERT_EQUAL(m.shmem_kib, 40);
	CU_ASSERT_EQUAL(m.slab_reclaimable_kib, 50);
	CU_ASSERT_EQUAL(m.slab_unreclaimable_kib, 60);
	CU_ASSERT_EQUAL(m.dirty_kib, 7);
	CU_ASSERT_EQUAL(m.writeback_kib, 8);
}

static void test_meminfo_live(void)
{
	char buf[8192];
	size_t n = read_proc_file("/proc/meminfo", buf, sizeof(buf));
	struct st_meminfo m;

	CU_ASSERT_EQUAL_FATAL(st_parse_meminfo(buf, n, &m), 0);
	CU_ASSERT(m.mem_total_kib > 0);
	CU_ASSERT(m.mem_free_kib <= m.mem_total_kib);
	CU_ASSERT(m.have & ST_MEMINFO_FREE);
	CU_ASSERT(m.have & ST_MEMINFO_SWAPTOTAL);
}

static void test_meminfo_missing_available(void)
{
	struct st_meminfo m;

	/* pre-3.14 kernels */
	CU_ASSERT_EQUAL_FATAL(meminfo_s("MemTotal: 1000 kB\nMemFree: 400 kB\n"
					"SwapTotal: 0 kB\nSwapFree: 0 kB\n", &m), 0);
	CU_ASSERT_EQUAL(m.mem_total_kib, 1000);
	CU_ASSERT_EQUAL(m.mem_free_kib, 400);
	CU_ASSERT_EQUAL(m.mem_available_kib, 0);
	CU_ASSERT_FALSE(m.have & ST_MEMINFO_AVAILABLE);
	CU_ASSERT(m.have & ST_MEMINFO_SWAPFREE);
}

static void test_meminfo_missing_total(void)
{
	struct st_meminfo m;
	char c = 'M';

	CU_ASSERT_EQUAL(meminfo_s("MemFree: 400 kB\nMemAvailable: 500 kB\n", &m), -1);
	CU_ASSERT_EQUAL(meminfo_s("", &m), -1);
	CU_ASSERT_EQUAL(st_parse_meminfo(&c, 0, &m), -1);
	/* a look-alike is not MemTotal, a malformed MemTotal is absent */
	CU_ASSERT_EQUAL(meminfo_s("MemTotalX: 1000 kB\n", &m), -1);
	CU_ASSERT_EQUAL(meminfo_s("XMemTotal: 1000 kB\n", &m), -1);
	CU_ASSERT_EQUAL(meminfo_s("MemTotal 1000 kB\n", &m), -1);
	CU_ASSERT_EQUAL(meminfo_s("MemTotal: kB\n", &m), -1);
	CU_ASSERT_EQUAL(meminfo_s("MemTotal: 1000 MB\n", &m), -1);
	CU_ASSERT_EQUAL(meminfo_s("MemTotal: -1000 kB\n", &m), -1);
	CU_ASSERT_EQUAL(meminfo_s("MemTotal: 99999999999999999999 kB\n", &m), -1);
}

static void test_meminfo_odd_lines(void)
{
	static const char text[] = "MemFree: x kB\nMemTotal:\t\n"	/* both bad */
				   "SwapCached: 5 kB\n"			/* not SwapFree */
				   "MemTotal:1234";	/* no unit, no space, no newline */
	struct st_meminfo m;
	char buf[sizeof(text) + 4];

	CU_ASSERT_EQUAL_FATAL(meminfo_s(text, &m), 0);
	CU_ASSERT_EQUAL(m.mem_total_kib, 1234);
	CU_ASSERT_EQUAL(m.have, ST_MEMINFO_TOTAL);

	/* digits after len must not be read */
	memcpy(buf, text, sizeof(text) - 1);
	memcpy(buf + sizeof(text) - 1, "567", 4);
	CU_ASSERT_EQUAL_FATAL(st_parse_meminfo(buf, sizeof(text) - 1, &m), 0);
	CU_ASSERT_EQUAL(m.mem_total_kib, 1234);
}

/* ------------------------------------------------------------ /proc/uptime */

static void test_uptime(void)
{
	double up = -1;
	char buf[64];
	size_t n;

	CU_ASSERT_EQUAL_FATAL(UPTIME("208.94 380.86\n", &up), 0);
	CU_ASSERT_DOUBLE_EQUAL(up, 208.94, 1e-9);
	CU_ASSERT_EQUAL(UPTIME("5", &up), 0);
	CU_ASSERT_DOUBLE_EQUAL(up, 5.0, 1e-12);
	CU_ASSERT_EQUAL(UPTIME("7.5\n", &up), 0);
	CU_ASSERT_DOUBLE_EQUAL(up, 7.5, 1e-12);
	CU_ASSERT_EQUAL(UPTIME("1.000000000000000000000000001", &up), 0);
	CU_ASSERT_DOUBLE_EQUAL(up, 1.0, 1e-12);
	/* len cuts "1.59" to "1.5" */
	CU_ASSERT_EQUAL(uptime_n("1.59", 3, &up), 0);
	CU_ASSERT_DOUBLE_EQUAL(up, 1.5, 1e-12);

	up = 42;
	CU_ASSERT_EQUAL(UPTIME("", &up), -1);
	CU_ASSERT_EQUAL(UPTIME("abc", &up), -1);
	CU_ASSERT_EQUAL(UPTIME("-1.0 2.0", &up), -1);
	CU_ASSERT_EQUAL(UPTIME("12. 3", &up), -1);
	CU_ASSERT_EQUAL(UPTIME(".5 3", &up), -1);
	CU_ASSERT_EQUAL(UPTIME("1e5 3", &up), -1);
	CU_ASSERT_EQUAL(UPTIME("99999999999999999999999 1", &up), -1);
	CU_ASSERT_DOUBLE_EQUAL(up, 42.0, 0);	/* untouched on failure */

	n = read_proc_file("/proc/uptime", buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(st_parse_uptime(buf, n, &up), 0);
	CU_ASSERT(up > 0);
}

/* ------------------------------------------------------------------ cpu % */

static void check_pct_sane(const struct st_cpu_pct *p)
{
	const double v[] = { p->total, p->user, p->system, p->iowait, p->steal };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CU_ASSERT(isfinite(v[i]));
		CU_ASSERT(v[i] >= 0.0 && v[i] <= 100.0);
	}
}

static void test_cpu_pct_normal(void)
{
	const struct st_cpu_times prev = { 100, 10, 50, 1000, 20, 5, 5, 10, 0 };
	/* deltas: user 300, nice 100, system 150, idle 300, iowait 50,
	 * irq 20, softirq 30, steal 50 -> 1000 ticks in all */
	const struct st_cpu_times cur = { 400, 110, 200, 1300, 70, 25, 35, 60, 0 };
	struct st_cpu_pct p;

	st_cpu_pct_between(&prev, &cur, &p);
	CU_ASSERT_DOUBLE_EQUAL(p.total, 65.0, 1e-9);	/* 1000 - 300 - 50 */
	CU_ASSERT_DOUBLE_EQUAL(p.user, 40.0, 1e-9);	/* 300 + 100 */
	CU_ASSERT_DOUBLE_EQUAL(p.system, 20.0, 1e-9);	/* 150 + 20 + 30 */
	CU_ASSERT_DOUBLE_EQUAL(p.iowait, 5.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p.steal, 5.0, 1e-9);
}

static void test_cpu_pct_identical(void)
{
	const struct st_cpu_times t = { 1531, 0, 1603, 47057, 229, 0, 66, 246, 0 };
	struct st_cpu_pct p;

	memset(&p, 0x7f, sizeof(p));
	st_cpu_pct_between(&t, &t, &p);
	CU_ASSERT_EQUAL(p.total, 0.0);
	CU_ASSERT_EQUAL(p.user, 0.0);
	CU_ASSERT_EQUAL(p.system, 0.0);
	CU_ASSERT_EQUAL(p.iowait, 0.0);
	CU_ASSERT_EQUAL(p.steal, 0.0);
}

static void test_cpu_pct_backwards(void)
{
	/* iowait went from 1000 down to 900; the rest moved 100 user and
	 * 300 idle, so that is the whole interval */
	const struct st_cpu_times prev = { 100, 0, 0, 1000, 1000, 0, 0, 0, 0 };
	const struct st_cpu_times cur = { 200, 0, 0, 1300, 900, 0, 0, 0, 0 };
	const struct st_cpu_times zero = { 0 };
	const struct st_cpu_times big = { UINT64_MAX, UINT64_MAX, UINT64_MAX,
		UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, 0 };
	struct st_cpu_pct p;

	st_cpu_pct_between(&prev, &cur, &p);
	check_pct_sane(&p);
	CU_ASSERT_EQUAL(p.iowait, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(p.total, 25.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p.user, 25.0, 1e-9);

	/* everything backwards (counters reset) is no time at all */
	st_cpu_pct_between(&cur, &zero, &p);
	check_pct_sane(&p);
	CU_ASSERT_EQUAL(p.total, 0.0);
	CU_ASSERT_EQUAL(p.iowait, 0.0);

	/* deltas whose sum overflows 64 bits */
	st_cpu_pct_between(&zero, &big, &p);
	check_pct_sane(&p);
	CU_ASSERT_DOUBLE_EQUAL(p.total, 75.0, 1e-9);	/* 6 of 8 busy */
	CU_ASSERT_DOUBLE_EQUAL(p.user, 25.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p.system, 37.5, 1e-9);
}

static void test_cpu_pct_only_one_field_moves(void)
{
	const struct st_cpu_times zero = { 0 };
	struct st_cpu_times cur;
	struct st_cpu_pct p;

	cur = zero;
	cur.steal = 7;
	st_cpu_pct_between(&zero, &cur, &p);
	CU_ASSERT_DOUBLE_EQUAL(p.total, 100.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p.steal, 100.0, 1e-9);
	CU_ASSERT_EQUAL(p.user, 0.0);

	cur = zero;
	cur.iowait = 3;
	st_cpu_pct_between(&zero, &cur, &p);
	CU_ASSERT_EQUAL(p.total, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(p.iowait, 100.0, 1e-9);
}

static void test_cpu_pct_live(void)
{
	static char buf[1 << 16];
	struct st_proc_stat a, b;
	struct st_cpu_pct p;
	size_t n;

	n = read_proc_file("/proc/stat", buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(st_parse_proc_stat(buf, n, &a, NULL, 0), 0);
	usleep(50 * 1000);
	n = read_proc_file("/proc/stat", buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(st_parse_proc_stat(buf, n, &b, NULL, 0), 0);
	st_cpu_pct_between(&a.total, &b.total, &p);
	check_pct_sane(&p);
	CU_ASSERT(p.user + p.system <= p.total + 1e-9);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "pid_stat real lines", test_pid_stat_real_lines },
		{ "pid_stat kernel thread names", test_pid_stat_kernel_thread_names },
		{ "pid_stat live /proc/self/stat", test_pid_stat_live_self },
		{ "pid_stat comm with spaces", test_pid_stat_comm_with_spaces },
		{ "pid_stat comm with parentheses", test_pid_stat_comm_with_parens },
		{ "pid_stat comm with newline", test_pid_stat_comm_with_newline },
		{ "pid_stat comm invalid UTF-8", test_pid_stat_comm_invalid_utf8 },
		{ "pid_stat empty comm", test_pid_stat_comm_empty },
		{ "pid_stat long comm truncated", test_pid_stat_comm_truncated },
		{ "pid_stat missing fields", test_pid_stat_missing_fields },
		{ "pid_stat extra fields", test_pid_stat_extra_fields },
		{ "pid_stat threads, vsize, blkio ticks", test_pid_stat_threads_vsize_blkio },
		{ "pid_stat short of field 42", test_pid_stat_short_of_blkio },
		{ "pid_stat bad parentheses", test_pid_stat_bad_parens },
		{ "pid_stat bad pid and state", test_pid_stat_bad_pid_and_state },
		{ "pid_stat non-digit", test_pid_stat_non_digit },
		{ "pid_stat negative signed fields", test_pid_stat_negative_signed_fields },
		{ "pid_stat overflow", test_pid_stat_overflow },
		{ "pid_stat not NUL-terminated", test_pid_stat_not_nul_terminated },
		{ "pid_stat empty buffer", test_pid_stat_empty },
		{ "pid_stat failure leaves out alone", test_pid_stat_failure_leaves_out_alone },
		{ "pid_stat prefixes and corruption", test_pid_stat_prefixes_and_corruption },
		{ "pid_stat many parses", test_pid_stat_many },
		{ "proc_stat real", test_proc_stat_real },
		{ "proc_stat live", test_proc_stat_live },
		{ "proc_stat missing trailing fields", test_proc_stat_missing_trailing_fields },
		{ "proc_stat out of order", test_proc_stat_out_of_order },
		{ "proc_stat core number beyond the kernel's ceiling", test_proc_stat_absurd_core_number },
		{ "proc_stat no cpu line", test_proc_stat_no_cpu_line },
		{ "proc_stat more cores than max", test_proc_stat_more_cores_than_max },
		{ "proc_stat offline core gap", test_proc_stat_offline_core_gap },
		{ "proc_stat malformed other lines", test_proc_stat_malformed_other_lines },
		{ "proc_stat not NUL-terminated", test_proc_stat_not_nul_terminated },
		{ "proc_stat many parses", test_proc_stat_many },
		{ "meminfo real", test_meminfo_real },
		{ "meminfo live", test_meminfo_live },
		{ "meminfo breakdown", test_meminfo_breakdown },
		{ "meminfo missing MemAvailable", test_meminfo_missing_available },
		{ "meminfo missing MemTotal", test_meminfo_missing_total },
		{ "meminfo odd lines", test_meminfo_odd_lines },
		{ "uptime", test_uptime },
		{ "cpu_pct normal", test_cpu_pct_normal },
		{ "cpu_pct identical readings", test_cpu_pct_identical },
		{ "cpu_pct counters backwards", test_cpu_pct_backwards },
		{ "cpu_pct one field moves", test_cpu_pct_only_one_field_moves },
		{ "cpu_pct live", test_cpu_pct_live },
		CU_TEST_INFO_NULL,
	};

	return st_test_run("proc_parse", tests);
}
