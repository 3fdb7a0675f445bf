/* The read policy and the CPU charge on their own, without a /proc:
 * core/sample/read_policy.c and core/proc/proc_cpu.c are pure functions. */
#include "cunit_runner.h"
#include "proc/proc_cpu.h"
#include "sample/read_policy.h"

#include <float.h>

static void test_new_and_changed_are_due(void)
{
	for (uint64_t seq = 1; seq < 3 * ST_READ_ROTATION; seq++)
		for (uint8_t q = 0; q < ST_READ_QUIET_READS; q++)
			CU_ASSERT(st_read_due(5, q, seq));
}

/* A quiet process is read once per rotation, and the quiet ones are
 * spread: each tick reads an eighth of them. */
static void test_quiet_read_once_per_rotation(void)
{
	unsigned per_tick[ST_READ_ROTATION] = { 0 };
	for (uint32_t slot = 0; slot < 64; slot++) {
		unsigned reads = 0;
		for (uint64_t seq = 100; seq < 100 + ST_READ_ROTATION; seq++)
			if (st_read_due(slot, ST_READ_QUIET_READS, seq)) {
				reads++;
				per_tick[seq - 100]++;
			}
		CU_ASSERT_EQUAL(reads, 1);
	}
	for (unsigned t = 0; t < ST_READ_ROTATION; t++)
		CU_ASSERT_EQUAL(per_tick[t], 64 / ST_READ_ROTATION);
}

static struct st_books quiet_books(void)
{
	struct st_books b = {
		.interval_s = 1.0, .clock_ticks = 100,
		.process_cpu = 40, .accounted = 40,
		.mem_total_kib = 8u << 20,          /* 8 GiB: slack 8 MiB */
		.avail_kib = 4u << 20, .prev_avail_kib = 4u << 20,
	};
	return b;
}

static void test_books_cpu(void)
{
	struct st_books b = quiet_books();
	CU_ASSERT_FALSE(st_books_unbalanced(&b));
	/* 5% of one core at 1 s, HZ 100, is 5 ticks: at it, balanced */
	b.process_cpu = 45;
	CU_ASSERT_FALSE(st_books_unbalanced(&b));
	CU_ASSERT_DOUBLE_EQUAL(st_books_unaccounted(&b), 5, 1e-9);
	b.process_cpu = 46;
	CU_ASSERT_TRUE(st_books_unbalanced(&b));
	/* at 0.1 s the limit would be half a tick: it is one tick */
	b = quiet_books();
	b.interval_s = 0.1;
	b.process_cpu = 41;
	CU_ASSERT_FALSE(st_books_unbalanced(&b));
	b.process_cpu = 42;
	CU_ASSERT_TRUE(st_books_unbalanced(&b));
	/* reads that found more than the books (rounding) are no debt */
	b = quiet_books();
	b.accounted = 60;
	CU_ASSERT_DOUBLE_EQUAL(st_books_unaccounted(&b), 0, 1e-9);
	CU_ASSERT_FALSE(st_books_unbalanced(&b));
}

static void test_books_memory(void)
{
	struct st_books b = quiet_books();
	b.avail_kib -= 8 * 1024;            /* exactly the slack */
	CU_ASSERT_FALSE(st_books_unbalanced(&b));
	b.avail_kib -= 1;
	CU_ASSERT_TRUE(st_books_unbalanced(&b));
	b = quiet_books();
	b.avail_kib += 9 * 1024;            /* freed counts too */
	CU_ASSERT_TRUE(st_books_unbalanced(&b));
	/* small machines: at least 4 MiB */
	b = quiet_books();
	b.mem_total_kib = 1u << 20;
	b.avail_kib -= 4 * 1024;
	CU_ASSERT_FALSE(st_books_unbalanced(&b));
	b.swap_used_kib = 4 * 1024 + 1;
	CU_ASSERT_TRUE(st_books_unbalanced(&b));
}

static void test_charge(void)
{
	/* read last tick: all of it is this interval's */
	CU_ASSERT_DOUBLE_EQUAL(st_cpu_charge(90, 1, 0), 90, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st_cpu_charge(90, 1, 500), 90, 1e-9);
	/* carried 8 ticks whose books hid nothing: a burst, whole */
	CU_ASSERT_DOUBLE_EQUAL(st_cpu_charge(90, 9, 0), 90, 1e-9);
	/* the books hid 12 ticks meanwhile: at least 78 were this interval's */
	CU_ASSERT_DOUBLE_EQUAL(st_cpu_charge(90, 9, 12), 78, 1e-9);
	/* they hid it all: no burst, its steady rate */
	CU_ASSERT_DOUBLE_EQUAL(st_cpu_charge(32, 8, 32), 4, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st_cpu_charge(32, 8, DBL_MAX), 4, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(st_cpu_charge(0, 8, 0), 0, 1e-9);
}

static void test_child_credit(void)
{
	struct st_child_cpu c = { 0 };
	/* a child the samples saw use 300 ticks exits and is reaped */
	st_child_cpu_exited(&c, 300);
	c.delta = 320;                      /* the reaper's cutime grew so */
	st_child_cpu_read(&c);
	CU_ASSERT_EQUAL(c.delta, 20);       /* what no sample saw */
	CU_ASSERT_EQUAL(c.credit, 0);
	/* two exits, however many samples apart, before the parent's next
	 * read: both credited when it reads them reaped */
	st_child_cpu_exited(&c, 300);
	st_child_cpu_exited(&c, 200);
	c.delta = 500;
	st_child_cpu_read(&c);
	CU_ASSERT_EQUAL(c.delta, 0);
	/* a credit no reap uses at two reads of the parent expires */
	st_child_cpu_exited(&c, 50);
	c.delta = 0;
	st_child_cpu_read(&c);
	CU_ASSERT_EQUAL(c.credit, 50);
	st_child_cpu_read(&c);
	CU_ASSERT_EQUAL(c.credit, 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "new and changed processes are read every tick", test_new_and_changed_are_due },
		{ "a quiet process is read once per rotation", test_quiet_read_once_per_rotation },
		{ "books: unaccounted CPU", test_books_cpu },
		{ "books: memory and swap moving", test_books_memory },
		{ "charge: a burst after carried ticks", test_charge },
		{ "children: reaped credit", test_child_credit },
		CU_TEST_INFO_NULL,
	};

	return st_test_run("read policy", tests);
}
