/*
 * spiketrace — the read-only data model a plugin sees.
 *
 * Everything here is plain C: no cJSON, no libconfuse, no core internals.
 * A detector reads a `struct st_history`; a sink reads a `struct st_dump`.
 * All pointers a plugin receives are owned by the core and valid only for
 * the duration of the callback that received them.
 *
 * Units are in the field names: _pct, _kib, _ns, _ticks.
 *   - A process's cpu_pct is percent of ONE core (a process saturating one
 *     core is 100, a process saturating four cores is 400), as top shows it.
 *   - System-wide cpu figures are percent of the whole machine (0..100).
 *
 * The structs follow the size rule of plugin.h: each one the core hands
 * over carries its size, each array its stride. Read an array element
 * with the accessors at the end of this file, and a member added after
 * the ABI minor a plugin needs only when ST_HAS says it is there.
 */
#ifndef SPIKETRACE_MODEL_H
#define SPIKETRACE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest comm the kernel reports is 15 bytes (TASK_COMM_LEN - 1); kernel
 * threads and future kernels may report up to 63. The core truncates. */
#define ST_COMM_MAX 64

/* Whether a struct of `size` bytes (its size member, or its array's
 * stride) holds member: ST_HAS(struct st_sample, smp->size, flags). */
#define ST_HAS(type, size, member) \
	((size_t)(size) >= offsetof(type, member) + sizeof(((type *)0)->member))

/*
 * What does not change per sample: kept once per process in the core's
 * process table. A process is identified by pid + start_ticks, because pids
 * are reused.
 */
struct st_proc_info {
	int32_t  pid;
	int32_t  ppid;
	uint64_t start_ticks;       /* field 22 of /proc/[pid]/stat: clock ticks after boot */
	uint64_t first_seen_seq;    /* sequence number of the first sample that saw it */
	char     comm[ST_COMM_MAX]; /* raw bytes from the kernel, NUL-terminated; may
	                               hold spaces, parentheses, control bytes and
	                               invalid UTF-8: escape it for your medium */
};

/*
 * One process in one sample. Kept compact on purpose: the ring holds
 * history x processes of these. Who it is (pid, comm, ...) is its info,
 * st_history_info(history, info).
 */
struct st_proc_sample {
	uint32_t info;              /* index into st_history.infos; stable for the
	                               process's lifetime in the history */
	float    cpu_pct;           /* utime+stime over the last interval, percent of
	                               one core; for a process seen for the first time,
	                               its average since it started */
	float    children_cpu_pct;  /* cutime+cstime growth over the last interval:
	                               CPU of children reaped during the interval */
	uint32_t rss_kib;
	uint32_t minflt_delta;
	uint16_t majflt_delta;
	char     state;             /* R, S, D, Z, ... */
	uint8_t  flags;             /* ST_PROC_* */
	/* since ABI 2.1 */
	uint8_t  system_share;      /* the kernel (stime) part of cpu_pct, in
	                               255ths: ST_PROC_SYSTEM_PCT() gives it in
	                               percent of one core, cpu_pct - that the
	                               user part; 0 for a carried record */
	uint8_t  have;              /* ST_PROC_HAVE_*: what the stat line had */
	uint16_t blkio_delay_ticks; /* clock ticks the process waited for block
	                               I/O (stat field 42, delay accounting)
	                               during the interval, saturating; 0 when
	                               the kernel does not account them */
#define ST_PROC_HAVE_BLKIO 0x01     /* field 42 present: blkio_delay_ticks
	                               is a measurement */
#define ST_PROC_SYSTEM_PCT(rec) ((rec)->cpu_pct * (float)(rec)->system_share / 255.0f)
};

#define ST_PROC_NEW 0x01            /* first sample that sees this process */
/* Listed but not re-read this sample: the system's own accounting showed it
 * could not have used more than a sliver of CPU or memory since its last
 * read, so its figures are carried (cpu 0, rss and state as last read).
 * Whatever it did use shows in the next sample that reads it. */
#define ST_PROC_CARRIED 0x02

/* Bits of st_sample.have: which system figures the kernel provided. */
#define ST_HAVE_CPU      0x01
#define ST_HAVE_MEM      0x02
#define ST_HAVE_MEMAVAIL 0x04       /* MemAvailable (kernels >= 3.14) */
#define ST_HAVE_SWAP     0x08
#define ST_HAVE_PSI_CPU    0x10     /* /proc/pressure/cpu (some; full since 5.13) */
#define ST_HAVE_PSI_MEMORY 0x20
#define ST_HAVE_PSI_IO     0x40
#define ST_HAVE_VMSTAT     0x80     /* the st_vm_figures (read when memory or
                                       I/O is under pressure, else every 10 s) */
#define ST_HAVE_LOADAVG    0x100
#define ST_HAVE_DISK       0x200    /* /proc/diskstats (read as vmstat is) */
#define ST_HAVE_MEM_DETAIL 0x400    /* anon, cached, shmem, slab, dirty, writeback */
#define ST_HAVE_CTXT       0x800    /* ctxt and intr of /proc/stat */

/* Pressure stall information of one resource over the interval. "some":
 * at least one task stalled on it; "full": all non-idle tasks did (cpu's
 * full is 0 on kernels before 5.13; see full_known). */
struct st_pressure {
	float    some_avg10_pct;    /* the kernel's 10 s average */
	float    full_avg10_pct;
	uint64_t some_stall_us;     /* stall time during this interval */
	uint64_t full_stall_us;
	uint32_t full_known;        /* 1 when the kernel reports "full" */
	uint32_t reserved;
};

/* /proc/vmstat counters, growth over span_s: the interval when vmstat was
 * read in the previous sample too, more after samples that skipped it. */
struct st_vm_figures {
	double   span_s;
	uint64_t pswpin, pswpout;   /* pages swapped in, out */
	uint64_t pgmajfault;
	uint64_t oom_kill;
	uint64_t pgscan, pgsteal;   /* reclaim: pages scanned, reclaimed */
	uint64_t allocstall;        /* allocations that had to reclaim directly */
};

/* One consistent view of the system. */
struct st_sample {
	uint32_t size;              /* sizeof(struct st_sample) in the core */
	uint32_t proc_size;         /* stride of procs: st_sample_proc() */
	uint64_t seq;               /* 1 for the first sample, +1 per tick */
	int64_t  mono_ns;           /* CLOCK_MONOTONIC when the sample was taken */
	int64_t  wall_ns;           /* CLOCK_REALTIME, for people */
	double   interval_s;        /* time since the previous sample (0 for the first) */
	double   uptime_s;          /* /proc/uptime; with st_proc_info.start_ticks
	                               and clock_ticks it gives a process's age */
	uint32_t have;              /* ST_HAVE_* */

	/* system CPU over the interval, percent of the whole machine */
	float    cpu_total_pct;
	float    cpu_user_pct;      /* user + nice */
	float    cpu_system_pct;    /* system + irq + softirq */
	float    cpu_iowait_pct;
	float    cpu_steal_pct;
	uint32_t ncores;            /* CPUs online: the cpuN lines /proc/stat has */
	const float *core_busy_pct; /* ncores entries, percent of that core */
	const uint32_t *core_id;    /* ncores entries: the N of each entry's cpuN
	                               (an offline CPU leaves a gap in the ids);
	                               NULL means 0 .. ncores-1 */

	/* memory, from /proc/meminfo */
	uint64_t mem_total_kib;
	uint64_t mem_available_kib;
	uint64_t mem_free_kib;
	uint64_t swap_total_kib;
	uint64_t swap_free_kib;

	/* scheduler, from /proc/stat */
	uint64_t forks_delta;       /* processes created during the interval */
	uint32_t procs_running;
	uint32_t procs_blocked;

	uint32_t nprocs;
	const struct st_proc_sample *procs; /* in no particular order; stride
	                                       proc_size */

	/* Why the machine is slow, not only that it is busy (ST_HAVE_*). */
	struct st_pressure psi_cpu, psi_memory, psi_io;
	struct st_vm_figures vm;
	float    load1, load5, load15;
	uint64_t ctxt_delta, intr_delta;    /* context switches, interrupts */
	/* where the memory is (/proc/meminfo), for "no process grew" */
	uint64_t anon_kib, cached_kib, shmem_kib;
	uint64_t slab_reclaimable_kib, slab_unreclaimable_kib;
	uint64_t dirty_kib, writeback_kib;
	/* per core, beside core_busy_pct: user + nice, system + irq + softirq */
	const float *core_user_pct, *core_system_pct;
	/* whole physical disks, growth over disk_span_s (as vm.span_s) */
	double   disk_span_s;
	uint64_t disk_read_kib, disk_written_kib;
	uint64_t disk_busy_ms;      /* time I/O was in flight, summed over disks */
	/* since ABI 2.1 */
	uint32_t flags;             /* ST_SAMPLE_* */
	/* since ABI 2.2: the processes that began and ended since the
	 * previous sample, which no sample read (st_exited_group) */
	uint32_t exit_mode;         /* ST_EXITS_*: how exits are seen */
	uint32_t nexited;
	uint32_t exited_size;       /* stride of exited: st_sample_exited() */
	uint32_t exits_lost;        /* times the kernel dropped exit events
	                               during the interval (receive buffer
	                               overrun): the groups may miss some */
	const struct st_exited_group *exited;
};

/* How the core sees processes that exit between two samples. */
#define ST_EXITS_CUTIME         0   /* not at all: their CPU shows only in
                                       their reaper's children_cpu_pct */
#define ST_EXITS_PROC_CONNECTOR 1   /* netlink proc connector: each exit, its
                                       name and CPU read from the zombie */
#define ST_EXITS_TASKSTATS      2   /* taskstats: the kernel's own exit
                                       accounting (CAP_NET_ADMIN) */

/*
 * Since ABI 2.2. Processes that lived and exited between two samples, so
 * that the sampler never read them, gathered from the kernel's exit
 * events by (comm, the forking parent's comm): 400 `cc1` of one `make`
 * are one row with a count. A sample keeps its interval's busiest groups
 * by CPU, highest first, and, when there were more, a last row that sums
 * the rest (ST_EXITED_REST, comm "(other)").
 */
struct st_exited_group {
	char     comm[ST_COMM_MAX];         /* their name at exit; "" unknown */
	char     parent_comm[ST_COMM_MAX];  /* the forking process's; "" unknown */
	int32_t  parent_pid;        /* the process that forked more than half
	                               of them; 0 when none did or it is
	                               unknown */
	int32_t  reaper_pid;        /* who reaped them (the parent at exit: for
	                               orphans init or a subreaper); 0 when they
	                               differ or it is unknown. Its
	                               children_cpu_pct holds their CPU too */
	uint32_t count;             /* processes */
	uint32_t cpu_unknown;       /* of count, those whose CPU could not be
	                               read (reaped before the core read the
	                               zombie): not in cpu_pct */
	float    cpu_pct;           /* their CPU over the sample's interval,
	                               percent of one core */
	uint32_t flags;             /* ST_EXITED_* */
	uint64_t cpu_ns;            /* utime + stime, summed */
	uint64_t peak_rss_kib;      /* the largest's peak; 0 unknown */
	uint64_t read_bytes;        /* storage I/O, summed; 0 unknown */
	uint64_t write_bytes;
};

/* The figures are the kernel's exit accounting (taskstats): CPU in ns,
 * peak RSS, I/O. */
#define ST_EXITED_TASKSTATS 0x01
/* CPU read from /proc/PID/stat of the zombie, in clock ticks: an estimate
 * for a process of a few ms; no RSS (the zombie has none) and no I/O. */
#define ST_EXITED_ESTIMATE  0x02
/* Not a group: the sum of the groups beyond the ones listed. */
#define ST_EXITED_REST      0x04

/* Taken between two ticks because a detector asked (st_host.request_sample):
 * its interval_s is shorter than the configured interval, and the ticks
 * keep their schedule. */
#define ST_SAMPLE_OFF_TICK 0x01
/* Since ABI 2.3: taken at fast_interval in the post-trigger window of an
 * incident, processes and all, between the ticks (which keep their
 * schedule): its interval_s is the fast interval. */
#define ST_SAMPLE_FAST 0x02

/*
 * The recent past as a detector sees it: samples[0] is the oldest,
 * samples[count - 1] the newest (the one just taken).
 */
struct st_history {
	uint32_t size;              /* sizeof(struct st_history) in the core */
	uint32_t count;
	const struct st_sample *const *samples;
	/* process identities referenced by st_proc_sample.info; ninfos is the
	 * table's current size, so a detector may keep per-process state in an
	 * array indexed by info and check pid + start_ticks to spot reuse. */
	uint32_t ninfos;
	uint32_t info_size;         /* stride of infos: st_history_info() */
	const struct st_proc_info *infos;
	int64_t  clock_ticks;       /* sysconf(_SC_CLK_TCK) */
};

/*
 * A process's memory measured now (st_host.proc_memory), not part of any
 * sample: read for a trigger's candidates only. The caller sets size to
 * sizeof(struct st_proc_memory); the core fills what fits and sets the
 * `have` bits of the figures it could read.
 */
struct st_proc_memory {
	uint32_t size;
	uint32_t have;              /* ST_PROC_MEM_* */
	uint64_t rss_kib;           /* VmRSS (/proc/PID/status; stat's rss
	                               when status is unreadable) */
	uint64_t rss_anon_kib;      /* RssAnon: anonymous pages, including the
	                               copy-on-write pages shared with a parent */
	uint64_t rss_shmem_kib;     /* RssShmem */
	uint64_t swap_kib;          /* VmSwap */
	uint64_t private_kib;       /* Private_Clean + Private_Dirty of
	                               /proc/PID/smaps_rollup: pages no other
	                               process maps. What tells a forked child's
	                               shared pages from an allocator's own. */
};

#define ST_PROC_MEM_RSS     0x01
#define ST_PROC_MEM_ANON    0x02
#define ST_PROC_MEM_SHMEM   0x04
#define ST_PROC_MEM_SWAP    0x08
#define ST_PROC_MEM_PRIVATE 0x10    /* smaps_rollup was readable (kernel
                                       >= 4.14, same user or root) */

/* What a detector reports. Fixed-size fields: filling one allocates nothing. */
#define ST_TRIGGER_TYPE_MAX    32
#define ST_TRIGGER_UNITS_MAX   16
#define ST_TRIGGER_SUMMARY_MAX 160

struct st_trigger {
	char     type[ST_TRIGGER_TYPE_MAX];   /* e.g. "cpu_delta" */
	int32_t  pid;               /* 0 when no process is to blame */
	uint64_t start_ticks;
	char     comm[ST_COMM_MAX];
	double   value;             /* the figure that crossed the threshold */
	double   baseline;          /* what it was compared against */
	double   threshold;
	char     units[ST_TRIGGER_UNITS_MAX]; /* "pct", "kib", ... */
	char     summary[ST_TRIGGER_SUMMARY_MAX]; /* one sentence; names in it
	                               as they are (any byte): every output
	                               escapes it for its medium, once */
	uint64_t sample_seq;        /* filled in by the core */
	uint32_t flags;             /* ST_TRIGGER_* */
	/* since ABI 2.2 */
	uint32_t exited_count;      /* > 0: the culprit is an exited group of
	                               the trigger's sample (st_exited_group):
	                               comm is its comm, pid 0, and this its
	                               count */
};

/* The event is the system's (memory fell, swap grew); the process named is
 * only its likely cause. Cooldown is then per type, not per process, so a
 * change of suspect while memory keeps falling is no new event. */
#define ST_TRIGGER_SYSTEM 0x01

/* ------------------------------------------------------------------ dump */

#define ST_DUMP_SCHEMA "spiketrace.dump/1"

/* Bytes of a systemd unit or slice name kept, NUL included (systemd's
 * limit is 255). */
#define ST_DUMP_NAME_MAX 256
/* Busiest threads kept of a blamed process. */
#define ST_DUMP_THREADS_MAX 5

struct st_dump_thread {
	int32_t  tid;
	char     comm[ST_COMM_MAX];
	double   utime_s, stime_s;  /* CPU seconds since the thread started */
};

/* A process as recorded in a dump: identity and figures together. */
struct st_dump_proc {
	int32_t  pid;
	int32_t  ppid;
	uint64_t start_ticks;
	char     comm[ST_COMM_MAX];
	char     state;
	double   cpu_pct;
	double   children_cpu_pct;
	uint64_t rss_kib;
	uint64_t minflt_delta;
	uint64_t majflt_delta;
	int64_t  uid;               /* real uid (status), -1 when unknown */
	char    *cmdline;           /* NULL when unknown; arguments joined by spaces */
	uint32_t flags;             /* ST_PROC_* of the sample's record: CARRIED
	                               (figures not re-read: cpu 0 is no measurement,
	                               rss and state as last read), NEW (cpu_pct is
	                               the average since the process started);
	                               and ST_DUMP_PROC_* */
	int64_t  euid;              /* effective uid (status), -1 when unknown */
	/* Where it runs, from /proc/PID/cgroup: the v2 path (on a v1-only
	 * host systemd's name=systemd one) and what systemd and container
	 * runtimes name in it; "" when the path names none. */
	char    *cgroup;            /* NULL when unknown */
	char     unit[ST_DUMP_NAME_MAX];    /* innermost .service / .scope */
	char     slice[ST_DUMP_NAME_MAX];   /* innermost slice above it */
	char     session[32];       /* login session id (session-ID.scope) */
	int64_t  user_uid;          /* of user-UID.slice, -1 none */
	char     container_runtime[16];     /* docker, containerd, crio, podman, cri */
	char     container_id[65];
	char     pod_uid[37];       /* kubepods */
	/* /proc/PID/io since the process started; -1 each when unknown (not
	 * permitted: another user's process without CAP_SYS_PTRACE). */
	int64_t  io_rchar, io_wchar, io_read_bytes, io_write_bytes;
	int64_t  swap_kib;          /* VmSwap, -1 when unknown */
	/* The blamed process's busiest threads, by CPU since each started;
	 * none for the others. */
	uint32_t nthreads;
	struct st_dump_thread threads[ST_DUMP_THREADS_MAX];
	/* since ABI 2.1 */
	/* cpu_pct split into user (utime) and kernel (stime) time, same
	 * rules as cpu_pct (0 for a carried record, the since-start split
	 * for a first-seen one); -1 each when unknown (an older dump). */
	double   user_cpu_pct;
	double   system_cpu_pct;
	/* As last read (they change slowly, so the core keeps them once per
	 * process, not per sample): -1 and 0 when unknown. */
	int64_t  num_threads;       /* stat field 20 */
	uint64_t vsize_kib;         /* stat field 23, virtual memory size */
	/* Percent of the interval the process waited for block I/O (its
	 * delayacct_blkio_ticks growth over the interval): 0 for a carried
	 * record, the since-start average for a first-seen one; -1 when
	 * unknown (a kernel without field 42 or with delay accounting off,
	 * an older dump). */
	double   blkio_delay_pct;
};

/* The command line was longer than the core keeps and is cut. */
#define ST_DUMP_PROC_CMDLINE_TRUNCATED 0x100
/* The unit is a user unit: run by that user's systemd (user@UID.service). */
#define ST_DUMP_PROC_USER_UNIT 0x200
/* The cgroup path was longer than the core keeps and is cut. */
#define ST_DUMP_PROC_CGROUP_TRUNCATED 0x400
/* The threads are the busiest of the first tasks read, not of all. */
#define ST_DUMP_PROC_THREADS_TRUNCATED 0x800

/* A resource's pressure in a dump (struct st_pressure in doubles). */
struct st_dump_pressure {
	double   some_avg10_pct, full_avg10_pct;
	uint64_t some_stall_us, full_stall_us;
	uint32_t full_known;        /* 0: the kernel has no "full" for it */
	uint32_t reserved;
};

struct st_dump_sample {
	int64_t  offset_ns;         /* from the trigger sample: negative before it */
	uint64_t seq;
	int64_t  mono_ns;
	int64_t  wall_ns;
	double   cpu_total_pct, cpu_user_pct, cpu_system_pct;
	double   cpu_iowait_pct, cpu_steal_pct;
	uint32_t ncores;
	double  *core_busy_pct;
	uint32_t *core_id;          /* ncores entries; NULL means 0 .. ncores-1 */
	uint64_t mem_total_kib, mem_available_kib, mem_free_kib;
	uint64_t swap_total_kib, swap_free_kib;
	uint64_t forks_delta;
	uint32_t procs_running, procs_blocked;
	uint32_t nprocs_total;      /* processes in the system, not only listed */
	uint32_t ntop_cpu, ntop_rss, nblamed;
	/* stride st_dump.proc_size: st_dump_top_cpu() and its siblings */
	struct st_dump_proc *top_cpu;   /* by cpu_pct + children_cpu_pct, highest
	                                   first; measured (not carried) and
	                                   above 0.0 only */
	struct st_dump_proc *top_rss;   /* by rss_kib, largest first */
	struct st_dump_proc *blamed;    /* triggers' processes not in the top lists */

	/* Why the machine was slow (st_sample's figures of the same names).
	 * have holds the ST_DUMP_HAVE_EVIDENCE bits of the groups measured: a
	 * group whose bit is clear was not measured and its figures are 0. */
	uint32_t have;
	struct st_dump_pressure psi_cpu, psi_memory, psi_io;
	struct st_vm_figures vm;    /* ST_HAVE_VMSTAT: growth over vm.span_s */
	double   load1, load5, load15;
	uint64_t ctxt_delta, intr_delta;
	uint64_t anon_kib, cached_kib, shmem_kib;
	uint64_t slab_reclaimable_kib, slab_unreclaimable_kib;
	uint64_t dirty_kib, writeback_kib;
	double  *core_user_pct;     /* ncores entries beside core_busy_pct, or */
	double  *core_system_pct;   /* NULL when not measured */
	double   disk_span_s;       /* ST_HAVE_DISK: growth over disk_span_s */
	uint64_t disk_read_kib, disk_written_kib, disk_busy_ms;
	/* since ABI 2.1 */
	uint32_t flags;             /* ST_SAMPLE_* of the sample */
	/* since ABI 2.2 (st_sample's of the same names); stride of exited
	 * st_dump.exited_size: st_dump_exited() */
	uint32_t nexited;
	uint32_t exits_lost;
	struct st_exited_group *exited;
	/* since ABI 2.3: the time since the sample before it, which its
	 * rates cover (the configured interval for a tick, shorter for an
	 * off-tick or fast sample); 0 when not known (an older dump) */
	double   interval_s;
};

/* The st_sample.have bits a dump sample carries: the other groups (cpu,
 * memory, swap) are always in a dump. */
#define ST_DUMP_HAVE_EVIDENCE (ST_HAVE_PSI_CPU | ST_HAVE_PSI_MEMORY | \
			       ST_HAVE_PSI_IO | ST_HAVE_VMSTAT | \
			       ST_HAVE_LOADAVG | ST_HAVE_DISK | \
			       ST_HAVE_MEM_DETAIL | ST_HAVE_CTXT)

struct st_dump_host {
	char     hostname[256];
	char     kernel[256];
	uint32_t ncores;
	uint64_t mem_total_kib;
	char     boot_id[64];
};

/*
 * Since ABI 2.2: one reading of the fast system ring (fast_interval),
 * between and around the samples: the system figures at 10 Hz, so a
 * 300 ms stall between two 1 s samples shows. Percentages are of the
 * machine, like a sample's; stalls are the growth of the PSI "some"
 * totals over interval_s. have holds the ST_DUMP_FAST_* bits measured:
 * a figure whose bit is clear reads 0.
 */
struct st_dump_fast {
	int64_t  offset_ns;         /* from the trigger sample: negative before it */
	int64_t  mono_ns;           /* when read (the end of its interval) */
	double   interval_s;        /* since the previous reading */
	double   cpu_total_pct, cpu_user_pct, cpu_system_pct;
	double   cpu_iowait_pct, cpu_steal_pct;
	uint64_t mem_available_kib, swap_used_kib;
	uint32_t procs_running, procs_blocked;
	uint64_t psi_cpu_some_us, psi_memory_some_us, psi_io_some_us;
	uint32_t have;              /* ST_DUMP_FAST_* */
	uint32_t reserved;
};
#define ST_DUMP_FAST_CPU        0x01
#define ST_DUMP_FAST_MEM        0x02    /* mem_available_kib */
#define ST_DUMP_FAST_SWAP       0x04    /* swap_used_kib */
#define ST_DUMP_FAST_PROCS      0x08    /* procs_running, procs_blocked */
#define ST_DUMP_FAST_PSI_CPU    0x10
#define ST_DUMP_FAST_PSI_MEMORY 0x20
#define ST_DUMP_FAST_PSI_IO     0x40

/* The trigger comes last: st_trigger may grow at its end. */
struct st_dump_trigger {
	int32_t  sample_index;      /* index into st_dump.samples, -1 if outside */
	uint32_t reserved;
	struct st_trigger trigger;
};

struct st_dump {
	uint32_t size;              /* sizeof(struct st_dump) in the core */
	/* Strides of the arrays: samples, triggers, and every process list
	 * of every sample (top_cpu, top_rss, blamed). */
	uint32_t sample_size, trigger_size, proc_size;
	char     schema[32];        /* ST_DUMP_SCHEMA */
	char     id[64];            /* unique per dump, sorts by time */
	int64_t  wall_ns;           /* when the first trigger fired */
	int64_t  mono_ns;
	double   interval_s;
	struct st_dump_host host;
	uint32_t ntriggers;
	struct st_dump_trigger *triggers;   /* first one opened the incident;
	                                       stride trigger_size */
	uint32_t nsamples;
	struct st_dump_sample *samples;     /* oldest first; stride sample_size */
	int32_t  trigger_index;     /* index of the first trigger's sample */
	/* Where a storing sink (json_file) wrote this dump, "" if nowhere
	 * (yet). Storing sinks run first, so the others can name the file. */
	char     stored_as[512];
	/* since ABI 2.2 */
	uint32_t exited_size;       /* stride of every sample's exited */
	uint32_t exit_mode;         /* ST_EXITS_* of the daemon that wrote it */
	uint64_t exits_lost;        /* the samples' exits_lost, summed */
	/* The fast system ring's readings over the samples' span (from the
	 * first sample's start to the last sample), oldest first, stride
	 * fast_size: st_dump_fast_at(). None when fast_interval is off. */
	uint32_t nfast;
	uint32_t fast_size;
	double   fast_interval_s;   /* the configured fast_interval; 0: off */
	struct st_dump_fast *fast;
};

/* ------------------------------------------------------------ accessors */

/* Element i of an array whose elements are stride bytes apart. */
#define ST_ELEMENT(type, base, stride, i) \
	((const type *)(const void *)((const char *)(base) + (size_t)(stride) * (size_t)(i)))

static inline const struct st_proc_sample *
st_sample_proc(const struct st_sample *s, uint32_t i)
{
	return ST_ELEMENT(struct st_proc_sample, s->procs, s->proc_size, i);
}

static inline const struct st_proc_info *
st_history_info(const struct st_history *h, uint32_t i)
{
	return ST_ELEMENT(struct st_proc_info, h->infos, h->info_size, i);
}

static inline const struct st_dump_sample *
st_dump_at(const struct st_dump *d, uint32_t i)
{
	return ST_ELEMENT(struct st_dump_sample, d->samples, d->sample_size, i);
}

static inline const struct st_dump_trigger *
st_dump_trigger_at(const struct st_dump *d, uint32_t i)
{
	return ST_ELEMENT(struct st_dump_trigger, d->triggers, d->trigger_size, i);
}

static inline const struct st_dump_proc *
st_dump_top_cpu(const struct st_dump *d, const struct st_dump_sample *s, uint32_t i)
{
	return ST_ELEMENT(struct st_dump_proc, s->top_cpu, d->proc_size, i);
}

static inline const struct st_dump_proc *
st_dump_top_rss(const struct st_dump *d, const struct st_dump_sample *s, uint32_t i)
{
	return ST_ELEMENT(struct st_dump_proc, s->top_rss, d->proc_size, i);
}

static inline const struct st_exited_group *
st_sample_exited(const struct st_sample *s, uint32_t i)
{
	return ST_ELEMENT(struct st_exited_group, s->exited, s->exited_size, i);
}

static inline const struct st_exited_group *
st_dump_exited(const struct st_dump *d, const struct st_dump_sample *s, uint32_t i)
{
	return ST_ELEMENT(struct st_exited_group, s->exited, d->exited_size, i);
}

static inline const struct st_dump_fast *
st_dump_fast_at(const struct st_dump *d, uint32_t i)
{
	return ST_ELEMENT(struct st_dump_fast, d->fast, d->fast_size, i);
}

static inline const struct st_dump_proc *
st_dump_blamed(const struct st_dump *d, const struct st_dump_sample *s, uint32_t i)
{
	return ST_ELEMENT(struct st_dump_proc, s->blamed, d->proc_size, i);
}

/* Whether p is the process trigger t names: the same pid and start time
 * (a trigger's start time of 0: the pid alone). */
static inline int st_dump_proc_is(const struct st_dump_proc *p, const struct st_trigger *t)
{
	return t->pid > 0 && p->pid == t->pid &&
	       (t->start_ticks == 0 || p->start_ticks == t->start_ticks);
}

/* The process trigger t names, as sample s recorded it: in its top lists
 * or among its blamed; NULL when s holds it nowhere or t names none. */
static inline const struct st_dump_proc *
st_dump_find_proc(const struct st_dump *d, const struct st_dump_sample *s,
		  const struct st_trigger *t)
{
	const struct st_dump_proc *(*const at[])(const struct st_dump *,
		const struct st_dump_sample *, uint32_t) = {
		st_dump_top_cpu, st_dump_top_rss, st_dump_blamed,
	};
	const uint32_t n[] = { s->top_cpu ? s->ntop_cpu : 0, s->top_rss ? s->ntop_rss : 0,
			       s->blamed ? s->nblamed : 0 };
	if (!t || t->pid <= 0)
		return NULL;
	for (int l = 0; l < 3; l++)
		for (uint32_t i = 0; i < n[l]; i++) {
			const struct st_dump_proc *p = at[l](d, s, i);
			if (st_dump_proc_is(p, t))
				return p;
		}
	return NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* SPIKETRACE_MODEL_H */
