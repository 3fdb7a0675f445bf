/* Where the memory went (core/dump/mem_where.c): the parts of meminfo that
 * grew, ranked and worded, on hand-made breakdowns. */
#include "cunit_runner.h"
#include "dump/mem_where.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MIB 1024u

static const struct st_mem_breakdown base = {
	.anon_kib = 4000 * MIB, .cached_kib = 2000 * MIB, .shmem_kib = 500 * MIB,
	.slab_reclaimable_kib = 100 * MIB, .slab_unreclaimable_kib = 100 * MIB,
};

static void test_ranked_largest_first(void)
{
	struct st_mem_breakdown after = base;
	char buf[160];

	after.cached_kib += 300 * MIB + 200 * MIB;      /* Cached holds Shmem */
	after.shmem_kib += 200 * MIB;
	after.slab_unreclaimable_kib += 400 * MIB;
	after.anon_kib += 100 * MIB;
	CU_ASSERT_EQUAL(st_mem_where(&base, &after, 0, buf, sizeof(buf)), 4);
	CU_ASSERT_STRING_EQUAL(buf, "kernel slab +400.0 MiB, page cache +300.0 MiB, "
			       "tmpfs/shmem +200.0 MiB, anonymous +100.0 MiB");
}

/* The sizes in the prose form of size_text.h that the summaries and the
 * why-line around the phrase are written in: tenths of a MiB (a table's
 * whole MiB would call 100.3 MiB "100 MiB"), GiB with one decimal. */
static void test_sizes_in_prose_form(void)
{
	struct st_mem_breakdown after = base;
	char buf[160];

	after.shmem_kib += 100 * MIB + 307;
	after.cached_kib += 100 * MIB + 307;
	after.anon_kib += 2560 * MIB;
	CU_ASSERT_EQUAL(st_mem_where(&base, &after, 0, buf, sizeof(buf)), 2);
	CU_ASSERT_STRING_EQUAL(buf, "anonymous +2.5 GiB, tmpfs/shmem +100.3 MiB");
}

/* Below ST_MEM_WHERE_GREW_KIB or the caller's floor, or shrunk: unnamed.
 * Equal growths keep the parts' order. */
static void test_floor_shrink_and_ties(void)
{
	struct st_mem_breakdown after = base;
	char buf[160];

	after.anon_kib += ST_MEM_WHERE_GREW_KIB - 1;
	after.cached_kib -= 400 * MIB;
	CU_ASSERT_EQUAL(st_mem_where(&base, &after, 0, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");

	after = base;
	after.anon_kib += 100 * MIB;
	after.slab_reclaimable_kib += 100 * MIB;
	CU_ASSERT_EQUAL(st_mem_where(&base, &after, 0, buf, sizeof(buf)), 2);
	CU_ASSERT_STRING_EQUAL(buf, "kernel slab +100.0 MiB, anonymous +100.0 MiB");
	CU_ASSERT_EQUAL(st_mem_where(&base, &after, 100 * MIB + 1, buf, sizeof(buf)), 0);
}

/* A part that does not fit is left out whole, with the smaller ones. */
static void test_fits_or_is_left_out(void)
{
	struct st_mem_breakdown after = base;
	char buf[64];
	const char *first = "anonymous +200.0 MiB";

	after.anon_kib += 200 * MIB;
	after.slab_unreclaimable_kib += 100 * MIB;
	CU_ASSERT_EQUAL(st_mem_where(&base, &after, 0, buf, strlen(first) + 1), 1);
	CU_ASSERT_STRING_EQUAL(buf, first);
	CU_ASSERT_EQUAL(st_mem_where(&base, &after, 0, buf, strlen(first)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(st_mem_where(&base, &after, 0, buf, 0), 0);
	CU_ASSERT_EQUAL(st_mem_where(NULL, &after, 0, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
}

/* Figures from a file may be anything: Cached below Shmem is an empty
 * page cache (not 2^64 KiB of it), and a slab sum saturates. */
static void test_odd_figures(void)
{
	struct st_mem_breakdown before = base, after = base;
	char buf[160];

	before.cached_kib = 100 * MIB;          /* below its 500 MiB of shmem */
	CU_ASSERT_EQUAL(st_mem_where(&before, &after, 0, buf, sizeof(buf)), 1);
	CU_ASSERT_STRING_EQUAL(buf, "page cache +1.5 GiB");       /* 1500 MiB */
	after = base;
	after.slab_reclaimable_kib = UINT64_MAX;
	after.slab_unreclaimable_kib = UINT64_MAX;
	CU_ASSERT_EQUAL(st_mem_where(&base, &after, 0, buf, sizeof(buf)), 1);
	char want[64];
	snprintf(want, sizeof(want), "kernel slab +%.1f GiB",
		 (double)(UINT64_MAX - 200 * MIB) / (1024.0 * 1024.0));
	CU_ASSERT_STRING_EQUAL(buf, want);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "the parts that grew, largest first", test_ranked_largest_first },
		{ "too little, shrunk, and equal growths", test_floor_shrink_and_ties },
		{ "sizes in the prose form", test_sizes_in_prose_form },
		{ "a part that does not fit is left out whole", test_fits_or_is_left_out },
		{ "odd figures", test_odd_figures },
		CU_TEST_INFO_NULL,
	};
	return st_test_run("mem_where", tests);
}
