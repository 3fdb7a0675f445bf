/*
 * libFuzzer target: st_parse_pid_stat(), which reads /proc/[pid]/stat for
 * every process every second. comm is whatever bytes a process chose, so
 * the line is attacker-controlled. libFuzzer hands over an exactly sized
 * heap buffer without a NUL, as pread() does: ASan sees a read past len.
 */
#define _GNU_SOURCE
#include <string.h>

#include "proc/proc_parse.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct st_pid_stat st, untouched;
	const char *open, *close;
	size_t n;

	memset(&st, 0xa5, sizeof(st));
	untouched = st;
	if (st_parse_pid_stat(buf, size, &st) < 0) {
		/* nothing half-written for a caller that ignores -1 */
		FUZZ_CHECK(memcmp(&st, &untouched, sizeof(st)) == 0);
		return 0;
	}

	FUZZ_CHECK(st.pid >= 0 && st.ppid >= 0);
	FUZZ_CHECK(st.state != ' ' && st.state != '\n');
	/* comm: the bytes between the first '(' and the last ')', cut */
	open = memchr(buf, '(', size);
	FUZZ_CHECK(open != NULL);
	close = memrchr(open, ')', size - (size_t)(open - buf));
	FUZZ_CHECK(close != NULL);
	n = (size_t)(close - open - 1);
	if (n > ST_COMM_MAX - 1)
		n = ST_COMM_MAX - 1;
	FUZZ_CHECK(st.comm[n] == '\0');
	FUZZ_CHECK(memcmp(st.comm, open + 1, n) == 0);
	/* field 42 is optional: unknown reads as 0 with its bit clear */
	FUZZ_CHECK((st.have & ~(unsigned)ST_PID_STAT_BLKIO) == 0);
	FUZZ_CHECK((st.have & ST_PID_STAT_BLKIO) || st.blkio_ticks == 0);
	return 0;
}
