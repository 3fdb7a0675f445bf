/*
 * The kernel's process events as fds in the daemon's poll loop: a proc
 * connector socket (fork, exec, comm, exit; unprivileged since Linux 6.6)
 * and, with CAP_NET_ADMIN, a taskstats socket (each exiting task's
 * accounting). Parsing is core/events/proc_events_parse.c; this file owns the
 * sockets, the subscription and the counting of what was lost.
 *
 * Modes, best first:
 *   taskstats       EXIT figures from the kernel's exit accounting (CPU,
 *                   elapsed, peak RSS, I/O bytes, comm, ppid); the proc
 *                   connector still gives FORK (with the parent at fork
 *                   time), EXEC and COMM, and its own EXIT is not used.
 *   proc_connector  FORK, EXEC, COMM and EXIT without figures.
 *   cutime          nothing opened: exits are seen only as the reapers'
 *                   cutime in /proc.
 */
#ifndef ST_EVENT_SOURCE_H
#define ST_EVENT_SOURCE_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "events/proc_events.h"

enum st_exit_mode { ST_EXIT_MODE_CUTIME = 0, ST_EXIT_MODE_PROC_CONNECTOR, ST_EXIT_MODE_TASKSTATS };

/* "cutime", "proc_connector", "taskstats" */
const char *st_exit_mode_name(enum st_exit_mode m);
/* The name back to the mode; -1 if it is none of them. */
int st_exit_mode_from_name(const char *name);

/*
 * Default SO_RCVBUF of each socket. The kernel doubles the value for its
 * bookkeeping and charges each queued datagram its whole buffer, not its
 * 76 (proc connector) or 596 (taskstats) bytes. Measured with
 * tests/bench/bench_events at 10,000 processes a second: 4 MiB loses
 * nothing when the drain comes 200 ms late (a slow tick), in either mode;
 * 256 KiB loses events even at 10 ms. Without CAP_NET_ADMIN the kernel
 * caps it at net.core.rmem_max.
 */
#define ST_EVENT_RCVBUF_DEFAULT (4u << 20)

/*
 * How long the poll loop should leave the event fds out after a drain
 * that delivered events. Waking for every event costs a poll and a final
 * empty read per event: at 10,000 exits a second 11-15 µs of CPU per
 * exit here, against 2.3 µs when the events are taken every 10 ms
 * (bench_events --batch-ms). The default buffer holds far more than
 * 10 ms of a storm.
 */
#define ST_EVENT_HOLDOFF_MS 10

/* The receive buffer: the largest datagram either socket sends is a
 * taskstats exit of a multi-threaded process, two records of about
 * 0.5 KiB each. */
#define ST_EVENT_BUF_SIZE 8192

/* Threads of live processes whose exit figures wait for their process's
 * EXIT (taskstats mode). Full, a thread's figures are dropped and
 * counted in thread_overflow. */
#define ST_EVENT_THREAD_SLOTS 256

struct st_event_thread_acc {
	int32_t tgid; /* 0 free */
	int64_t utime_ns, stime_ns, read_bytes, write_bytes, blkio_delay_ns;
};

struct st_event_source {
	int cn_fd, ts_fd; /* -1 when not open */
	uint16_t ts_family;
	enum st_exit_mode mode;
	uint64_t events;        /* delivered */
	uint64_t lost_overruns; /* ENOBUFS: reads that found the kernel had dropped events */
	uint64_t malformed;     /* datagrams refused by a parser (or cut by the buffer) */
	uint64_t skipped;       /* messages and events not for us (threads, acks, other kinds) */
	uint64_t thread_overflow;
	uint32_t rcvbuf_bytes;  /* what the kernel granted, as SO_RCVBUF reads back */
	int filtered;           /* the kernel filters proc connector events (Linux >= 6.6) */
	int delayacct;          /* kernel.task_delayacct was on at open */
	int in_burst[2];        /* per socket: an overrun burst is being reported */
	struct st_event_thread_acc threads[ST_EVENT_THREAD_SLOTS];
	/* fixed receive buffer: no allocation after open */
	unsigned char buf[ST_EVENT_BUF_SIZE] __attribute__((aligned(8)));
};

/*
 * want: the best mode to try (TASKSTATS tries taskstats, falls back to
 * the proc connector, then cutime; PROC_CONNECTOR skips taskstats; CUTIME
 * opens nothing). rcvbuf_bytes: SO_RCVBUF (SO_RCVBUFFORCE first when
 * permitted; 0: ST_EVENT_RCVBUF_DEFAULT). Logs at notice level once which
 * mode runs and, when it is not the one wanted, why. Returns the mode
 * that runs (never fails: cutime is always there). Sockets are
 * non-blocking and close-on-exec.
 */
enum st_exit_mode st_event_source_open(struct st_event_source *s, enum st_exit_mode want,
				       uint32_t rcvbuf_bytes);
/* Unsubscribes and closes; s can be opened again. Only on a source that
 * st_event_source_open set up (or one with both fds -1). */
void st_event_source_close(struct st_event_source *s);

/* The fds to poll (POLLIN), at most max; returns how many (0 in cutime). */
size_t st_event_source_fill(const struct st_event_source *s, struct pollfd *fds, size_t max);

/*
 * Read what is queued on the ready fds (non-blocking), at most max_events
 * this call so that a burst cannot hold up a tick (the rest is read on
 * the next wake), calling on_event(ctx, ev) for each event in order.
 * ENOBUFS (the kernel dropped events): counted in lost_overruns, logged
 * once per burst (warning), the burst ending at the first read that finds
 * none; the socket goes on. A malformed datagram: counted, logged once
 * per 1000. Returns the events delivered. fds may be the whole poll set:
 * entries that are not the source's are ignored.
 */
size_t st_event_source_drain(struct st_event_source *s, const struct pollfd *fds, size_t nfds,
			     size_t max_events,
			     void (*on_event)(void *ctx, const struct st_proc_event *ev), void *ctx);

#endif
