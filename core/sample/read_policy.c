#include "sample/read_policy.h"

int st_read_due(uint32_t slot, uint8_t quiet_reads, uint64_t seq)
{
	return quiet_reads < ST_READ_QUIET_READS || (seq + slot) % ST_READ_ROTATION == 0;
}

double st_books_unaccounted(const struct st_books *b)
{
	double u = (double)b->process_cpu - b->accounted;
	return u > 0 ? u : 0;
}

static uint64_t abs_diff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/*
 * Kernel threads and the daemon itself are processes too, and they are
 * read when they change, so on a quiet machine the books balance to within
 * a tick or two.
 */
int st_books_memory_moved(const struct st_books *b)
{
	uint64_t slack = b->mem_total_kib / 1024 > 4096 ? b->mem_total_kib / 1024 : 4096;
	return abs_diff(b->avail_kib, b->prev_avail_kib) > slack ||
	       abs_diff(b->swap_used_kib, b->prev_swap_used_kib) > slack;
}

int st_books_unbalanced(const struct st_books *b)
{
	double limit = ST_READ_SWEEP_PCT / 100.0 * b->interval_s * (double)b->clock_ticks;
	return st_books_unaccounted(b) > (limit > 1 ? limit : 1) || st_books_memory_moved(b);
}
