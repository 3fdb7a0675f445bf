/*
 * libFuzzer target: the netlink datagram parsers of core/events/proc_events.h,
 * over arbitrary bytes. The datagrams come from the kernel, but a parser
 * that trusts their lengths reads past the buffer the day a kernel lays
 * them out differently. Checked: no read past len (libFuzzer's buffer is
 * exactly sized), a one-line reason with every refusal, at most max
 * events, and every event within what the header promises.
 */
#define _GNU_SOURCE
#include <string.h>

#include "fuzz_check.h"
#include "events/proc_events.h"

#define MAX_EV 3 /* small, so that "more than max" is reached too */

static void check_events(const struct st_proc_event *ev, int n, int taskstats)
{
	int i;

	for (i = 0; i < n; i++) {
		const struct st_proc_event *e = &ev[i];

		FUZZ_CHECK(memchr(e->comm, '\0', sizeof(e->comm)) != NULL);
		FUZZ_CHECK(e->pid > 0 && e->parent_pid >= 0 && e->kernel_ns >= 0);
		FUZZ_CHECK(e->utime_ns >= -1 && e->stime_ns >= -1 && e->elapsed_ns >= -1 &&
			   e->peak_rss_kib >= -1 && e->read_bytes >= -1 && e->write_bytes >= -1 &&
			   e->blkio_delay_ns >= -1);
		if (taskstats) {
			FUZZ_CHECK(e->kind == ST_PROC_EV_EXIT || e->kind == ST_PROC_EV_THREAD_EXIT);
			FUZZ_CHECK(e->flags == ST_PROC_EV_TASKSTATS && e->kernel_ns == 0);
		} else {
			FUZZ_CHECK(e->kind >= ST_PROC_EV_FORK && e->kind <= ST_PROC_EV_EXIT);
			FUZZ_CHECK(e->flags == 0 && e->utime_ns == -1 && e->peak_rss_kib == -1);
			FUZZ_CHECK(e->kind == ST_PROC_EV_COMM || e->comm[0] == '\0');
			FUZZ_CHECK(e->kind == ST_PROC_EV_EXIT || e->exit_code == -1);
		}
	}
}

static void check_rc(int rc, const char *err)
{
	if (rc < 0)
		FUZZ_CHECK(rc == -1 && fuzz_is_one_line(err, 160));
	else
		FUZZ_CHECK(rc <= MAX_EV && err[0] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_proc_event ev[MAX_EV];
	uint32_t skipped = 0, ack_err = 0;
	uint16_t family = 0, type;
	char err[160];
	int rc, nl_errno = 0;

	memset(err, 'x', sizeof(err));
	rc = st_cn_proc_parse(data, size, ev, MAX_EV, &skipped, err, sizeof(err));
	check_rc(rc, err);
	if (rc > 0)
		check_events(ev, rc, 0);

	/* taskstats: the family id a real datagram would carry (its first
	 * message's type), so that the fuzzer reaches the records */
	type = 0x1b;
	if (size >= 6)
		memcpy(&type, data + 4, sizeof(type));
	memset(err, 'x', sizeof(err));
	rc = st_taskstats_parse(data, size, type, ev, MAX_EV, &skipped, err, sizeof(err));
	if (type < 16)
		FUZZ_CHECK(rc == -1);
	check_rc(rc, err);
	if (rc > 0)
		check_events(ev, rc, 1);

	rc = st_nl_reply_parse(data, size, 1, &nl_errno, &family, err, sizeof(err));
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	FUZZ_CHECK(rc != 1 || nl_errno >= 0);
	rc = st_cn_proc_ack_parse(data, size, 1, &ack_err, err, sizeof(err));
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	return 0;
}
