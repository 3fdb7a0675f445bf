/*
 * The sampler's read policy, on its own so that it can be read and tested
 * without a /proc: which known processes a tick re-reads, and when the
 * kernel's books say that the ones left unread must be read after all.
 *
 * Reading every /proc/[pid]/stat every tick costs more than the budget on
 * a virtual machine (about 7 us each), and on an idle machine almost every
 * read finds nothing new. So a tick reads the processes that may have
 * changed: new ones, those whose last reads found a change, and a rotating
 * eighth of the quiet ones. Then it balances the books: if the process CPU
 * time in /proc/stat exceeds what the reads found by more than
 * ST_READ_SWEEP_PCT of one core, or available memory or swap moved by more
 * than the memory slack, it reads every other listed process too (a sweep).
 * A process left unread is carried (ST_PROC_CARRIED).
 */
#ifndef ST_READ_POLICY_H
#define ST_READ_POLICY_H

#include <stdint.h>

/* Unread CPU above this share of one core makes a tick read everyone. */
#define ST_READ_SWEEP_PCT 5.0
/* A quiet process is still read every this many ticks. */
#define ST_READ_ROTATION 8
/* Reads in a row that must find no change before a process counts as quiet. */
#define ST_READ_QUIET_READS 2

/* Whether a tick re-reads a known process: slot is its table slot (which
 * spreads the quiet ones over the rotation), quiet_reads how many reads in
 * a row found it unchanged. */
int st_read_due(uint32_t slot, uint8_t quiet_reads, uint64_t seq);

/* One tick's books, in clock ticks of CPU and KiB. */
struct st_books {
	double   interval_s;        /* the tick's CPU interval */
	long     clock_ticks;       /* per second */
	uint64_t process_cpu;       /* user+nice+system growth in /proc/stat */
	double   accounted;         /* what the reads found in this interval */
	uint64_t mem_total_kib;
	uint64_t avail_kib, prev_avail_kib;
	uint64_t swap_used_kib, prev_swap_used_kib;
};

/* The process CPU no read accounts for (never negative). */
double st_books_unaccounted(const struct st_books *b);

/* Whether memory or swap moved by more than 1/1024 of memory (at least
 * 4 MiB) since the previous sample. */
int st_books_memory_moved(const struct st_books *b);

/* Whether the unread must be read: the CPU does not balance within
 * ST_READ_SWEEP_PCT of a core (at least one clock tick), or memory moved. */
int st_books_unbalanced(const struct st_books *b);

#endif
