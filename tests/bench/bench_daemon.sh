#!/bin/sh
# What the real daemon costs the machine it watches: its memory (Pss and
# RSS) at 300 and 5,000 processes with history 60, its CPU share at
# interval 1 s with 300 processes (the fast ring off, at 10 Hz and at its
# default 5 Hz), and how late its ticks come at interval
# 0.1 s while another process does fsync-heavy I/O and the json_file sink
# writes a dump every 0.5 s. Prints each figure beside its budget; exits 1
# when one is missed, 2 when the bench could not run.
#
# Run by `make bench`; alone:
#   top_builddir=BUILD sh tests/bench/bench_daemon.sh
# BENCH_PHASES picks some of "memory cpu lateness exits"; BENCH_CPU_SECONDS and
# BENCH_LATE_SECONDS shorten or lengthen the last two (30 and 60);
# BENCH_KEEP=1 keeps the work directory (logs, dumps).
# It starts the daemon, an idle-process holder and an fsync writer, and
# ends exactly those, by pid. Every wait has a deadline.
set -u
: "${top_builddir:?set top_builddir to the build tree (make bench does)}"

SPIKETRACE="$top_builddir/spiketrace"
HELPER="$top_builddir/tests/bench/bench_sampler"
PLUGINS="$top_builddir/plugins/.libs"
CPU_SECONDS=${BENCH_CPU_SECONDS:-30}
LATE_SECONDS=${BENCH_LATE_SECONDS:-60}
PHASES=${BENCH_PHASES:-memory cpu lateness exits}
STORM_RATE=${BENCH_STORM_RATE:-10000}
STORM_SECONDS=${BENCH_STORM_SECONDS:-10}

for f in "$SPIKETRACE" "$HELPER"; do
	[ -x "$f" ] || { echo "bench_daemon: $f: not built (run make bench)" >&2; exit 2; }
done

# On disk, not tmpfs: an fsync on tmpfs costs nothing and loads nothing.
WORK=$(mktemp -d "${BENCH_DIR:-$top_builddir}/bench.XXXXXX") || exit 2
STARTED_PIDS=""
MISSED=0

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	for pid in $STARTED_PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $STARTED_PIDS; do
		wait "$pid" 2>/dev/null
	done
	if [ -n "${BENCH_KEEP:-}" ]; then echo "bench_daemon: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

die() {
	echo "bench_daemon: $*" >&2
	[ -f "$WORK/daemon.log" ] && tail -5 "$WORK/daemon.log" >&2
	exit 2
}

started() { STARTED_PIDS="$STARTED_PIDS $1"; }

# stop PID: SIGTERM one of our processes and wait for it (it may not
# outlive 10 s: then SIGKILL, still by pid).
stop() {
	kill -TERM "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	STARTED_PIDS=$(echo "$STARTED_PIDS" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}

# wait_for SECONDS COMMAND...: poll every 100 ms until COMMAND succeeds.
wait_for() {
	limit=$(($1 * 10)); shift
	i=0
	while [ $i -lt $limit ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

nprocs_now() { set -- /proc/[0-9]*; echo $#; }

# hold TOTAL: idle processes so that /proc lists about TOTAL (none when it
# already does); HOLD_PID is the holder, which ends its children by pid.
HOLD_PID=""
hold() {
	need=$(($1 - $(nprocs_now)))
	[ $need -gt 0 ] || { HOLD_PID=""; return 0; }
	"$HELPER" --hold "$need" 600 >"$WORK/hold.out" &
	HOLD_PID=$!
	started $HOLD_PID
	wait_for 120 grep -q '^ready' "$WORK/hold.out" ||
		die "could not start $need idle processes"
}
unhold() { [ -z "$HOLD_PID" ] || stop "$HOLD_PID"; HOLD_PID=""; }

# config INTERVAL LOG_LEVEL [FAST_INTERVAL]: the daemon's config, every
# detector on (the defaults), the json_file sink writing into the work dir;
# fast_interval as the daemon takes it when left out.
config() {
	cat >"$WORK/bench.conf" <<EOF
interval = $1
${3:+fast_interval = $3}
history = 60
pre_trigger = 10
post_trigger = 3
max_dumps_per_minute = 600
log_level = "$2"
plugin_dir = "$PLUGINS"
sinks {
  json_file { dir = "$WORK/dumps" max_dumps = 50 }
}
EOF
}

# The log goes through a pipe: a write to a file on the disk the fsync
# load hammers could stall the daemon's main loop, which under systemd
# logs to journald, not to that disk.
DAEMON_PID=""
LOGGER_PID=""
start_daemon() {
	rm -f "$WORK/daemon.log" "$WORK/log.fifo"
	mkfifo "$WORK/log.fifo" || die "mkfifo $WORK/log.fifo failed"
	cat "$WORK/log.fifo" >"$WORK/daemon.log" &
	LOGGER_PID=$!
	started $LOGGER_PID
	"$SPIKETRACE" --foreground --config "$WORK/bench.conf" 2>"$WORK/log.fifo" &
	DAEMON_PID=$!
	started $DAEMON_PID
	wait_for 10 grep -q 'sampling .* every' "$WORK/daemon.log" ||
		die "the daemon did not start"
}
stop_daemon() {
	stop "$DAEMON_PID"
	DAEMON_PID=""
	wait "$LOGGER_PID"      # ends at the daemon's EOF
	STARTED_PIDS=$(echo "$STARTED_PIDS" | tr ' ' '\n' | grep -vx "$LOGGER_PID" | tr '\n' ' ')
}

# kib FILE FIELD: a "Field:   1234 kB" line's number.
kib() { awk -v f="$2:" '$1 == f { print $2; exit }' "$1"; }

# The daemon's CPU time in ns, all threads: schedstat is exact; stat's
# clock ticks (10 ms) are the fallback.
cpu_ns() {
	if [ -r "/proc/$1/schedstat" ]; then
		cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
	else
		sed 's/.*) //' "/proc/$1/stat" |
			awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f\n", ($12 + $13) * 1e9 / hz }'
	fi
}

now_ns() { date +%s%N; }

# line FIGURE MEASURED UNIT BUDGET OK: one row of the table.
line() {
	if [ "$5" = 1 ]; then v=ok; else v=MISSED; MISSED=$((MISSED + 1)); fi
	printf '%-56s %10s %-4s %10s  %s\n' "$1" "$2" "$3" "$4" "$v"
}

# le A B: A <= B, as decimals.
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

echo "daemon benchmark: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
case $(stat -f -c %T "$WORK") in
tmpfs|ramfs) echo "note: $WORK is on tmpfs: the fsync load is not real (set BENCH_DIR to a disk)";;
esac
printf '%-56s %10s %-4s %10s\n' figure measured "" budget

phase() { case " $PHASES " in *" $1 "*) return 0;; esac; return 1; }

# ------------------------------------------------------------------ memory
memory() {
	for total in 300 5000; do
		hold $total
		config 0.1 info
		start_daemon
		# History 60 at 0.1 s: the ring is full, every slot sized, after 6 s.
		sleep 8
		seen=$(nprocs_now)
		pss=$(kib "/proc/$DAEMON_PID/smaps_rollup" Pss)
		rss=$(kib "/proc/$DAEMON_PID/status" VmRSS)
		if [ -z "$pss" ] || [ -z "$rss" ]; then
			die "cannot read the daemon's memory"
		fi
		stop_daemon
		unhold
		budget=3
		[ $total -le 300 ] || budget=12
		pss_mib=$(awk -v k="$pss" 'BEGIN { printf "%.2f", k / 1024 }')
		rss_mib=$(awk -v k="$rss" 'BEGIN { printf "%.2f", k / 1024 }')
		line "Pss, $total processes ($seen seen), history 60" "$pss_mib" MiB "<= $budget" \
			"$(le "$pss_mib" $budget && echo 1)"
		printf '%-56s %10s %-4s %10s\n' "RSS, $total processes ($seen seen), history 60" \
			"$rss_mib" MiB "(info)"
	done
}
phase memory && memory

# --------------------------------------------------------------------- CPU
# cpu_share FAST_INTERVAL ("": the default): the daemon's CPU share over CPU_SECONDS at
# interval 1 s, in $share (percent of a core), the process counts seen
# in $seen.
cpu_share() {
	config 1.0 info "$1"
	start_daemon
	sleep 3             # start-up (plugins, first samples) is not steady state
	lo=$(nprocs_now); hi=$lo
	c0=$(cpu_ns $DAEMON_PID); t0=$(now_ns)
	# Other work starting processes meanwhile would change the figure: watch.
	i=0
	while [ $i -lt "$CPU_SECONDS" ]; do
		sleep 1
		n=$(nprocs_now)
		[ "$n" -ge "$lo" ] || lo=$n
		[ "$n" -le "$hi" ] || hi=$n
		i=$((i + 1))
	done
	c1=$(cpu_ns $DAEMON_PID); t1=$(now_ns)
	seen=$lo
	[ "$lo" = "$hi" ] || seen="$lo..$hi"
	stop_daemon
	share=$(awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.3f", 100 * c / t }')
	per_tick=$(awk -v c=$((c1 - c0)) -v n="$CPU_SECONDS" 'BEGIN { printf "%.2f", c / n / 1e6 }')
}

cpu() {
	hold 300
	# Without the fast ring, and at 10 Hz: its share is the difference;
	# then as configured by default (5 Hz), the run the figures below are of.
	cpu_share 0
	bare=$share
	cpu_share 0.1
	ten=$share
	cpu_share ""        # the default
	# What reading every process at the same pace costs: the floor of a
	# sampler that reads them all each tick. The daemon reads fewer on a
	# quiet machine (the read policy in core/sample/sampler.h), so it can go
	# below; its exit line says how many it read.
	reads=$(sed -n 's/.* samples: \([0-9.]*\)% of the listed processes read, \([0-9]*\) ticks.*/\1 \2/p' \
		"$WORK/daemon.log")
	floor=$("$HELPER" --paced "$CPU_SECONDS" 1.0) || die "the paced floor failed"
	unhold
	line "CPU, interval 1 s, 300 processes ($seen seen), ${CPU_SECONDS} s" "$share" "%" "<= 0.2" \
		"$(le "$share" 0.2 && echo 1)"
	printf '%-56s %10s %-4s %10s\n' "  CPU per second" "$per_tick" ms "(info)"
	printf '%-56s %10s %-4s %10s\n' "  the same without the fast ring (fast_interval 0)" \
		"$bare" "%" "(info)"
	printf '%-56s %10s %-4s %10s\n' "  the same at 10 Hz (fast_interval 0.1)" "$ten" "%" "(info)"
	fast=$(awk -v a="$share" -v b="$bare" 'BEGIN { printf "%.3f", a - b }')
	printf '%-56s %10s %-4s %10s\n' "  the fast ring's share at 5 Hz (the default)" \
		"$fast" "%" "(info)"
	fast=$(awk -v a="$ten" -v b="$bare" 'BEGIN { printf "%.3f", a - b }')
	line "  the fast ring's share at 10 Hz" "$fast" "%" "<= 0.1" \
		"$(le "$fast" 0.1 && echo 1)"
	floor_share=$(echo "$floor" | awk '{ print $1 }')
	floor_us=$(echo "$floor" | awk '{ print $2 }')
	printf '%-56s %10s %-4s %10s\n' "  floor (c) at 1 s: list + pread, no parsing" \
		"$floor_share" "%" "(info)"
	printf '%-56s %10s %-4s %10s\n' "  floor per process" "$floor_us" us "(info)"
	printf '%-56s %10s %-4s %10s\n' "  process stat files read per tick (of those listed)" \
		"${reads%% *}" "%" "(info)"
	printf '%-56s %10s %-4s %10s\n' "  ticks that read every process" "${reads##* }" "" "(info)"
	printf '%-56s %10s %-4s %10s\n' "  daemon / floor" \
		"$(awk -v a="$share" -v b="$floor_share" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')" \
		"" "(info)"
}
phase cpu && cpu

# ----------------------------------------------------------- tick lateness
lateness() {
	hold 300
	config 0.1 debug
	start_daemon
	sleep 2
	mkdir -p "$WORK/fsync"
	"$HELPER" --fsync "$WORK/fsync" "$LATE_SECONDS" >"$WORK/fsync.out" &
	WRITER_PID=$!
	started $WRITER_PID
	from=$(wc -l <"$WORK/daemon.log")
	end=$(($(now_ns) + LATE_SECONDS * 1000000000))
	while [ "$(now_ns)" -lt "$end" ]; do
		kill -USR1 "$DAEMON_PID" 2>/dev/null || die "the daemon died"
		sleep 0.5
	done
	wait "$WRITER_PID"
	STARTED_PIDS=$(echo "$STARTED_PIDS" | tr ' ' '\n' | grep -vx "$WRITER_PID" | tr '\n' ' ')
	stop_daemon
	unhold
	dumps=$(set -- "$WORK"/dumps/spike_*.json; if [ -e "$1" ]; then echo $#; else echo 0; fi)
	incidents=$(tail -n +"$from" "$WORK/daemon.log" | grep -c 'incident ')
	syncs=$(cat "$WORK/fsync.out")
	tail -n +"$from" "$WORK/daemon.log" | sed -n 's/.*tick late by \(-\{0,1\}[0-9]*\) us.*/\1/p' |
		sort -n >"$WORK/late.txt"
	n=$(wc -l <"$WORK/late.txt")
	if [ "$n" -eq 0 ]; then
		echo "tick lateness: n/a: the daemon logs no 'tick late by N us' debug line" >&2
		MISSED=$((MISSED + 1))
	else
		pct() { awk -v p="$1" -v n="$n" 'NR == int((n * p + 99) / 100) { printf "%.2f", $1 / 1000 }' "$WORK/late.txt"; }
		p50=$(pct 50); p99=$(pct 99); max=$(pct 100)
		printf '%-56s\n' "tick lateness, interval 0.1 s, 300 processes, fsync load + dumps:"
		printf '%-56s %10s %-4s %10s\n' "  p50" "$p50" ms "(info)"
		line "  p99" "$p99" ms "<= 5" "$(le "$p99" 5 && echo 1)"
		printf '%-56s %10s %-4s %10s\n' "  max" "$max" ms "(info)"
		late=$(awk '$1 >= 100000' "$WORK/late.txt" | wc -l)
		printf '%-56s %10s\n' "  ticks / served an interval late or more" "$n / $late"
		printf '%-56s %10s\n' "  meanwhile: fdatasyncs by the writer" "$syncs"
		printf '%-56s %10s\n' "  meanwhile: incidents / dump files kept" "$incidents / $dumps"
	fi
}
phase lateness && lateness

# ------------------------------------------------------------- exit events
# What each process that lives between two samples costs the daemon: its
# fork and exit events read and grouped (taskstats as root, else the proc
# connector), at STORM_RATE processes a second for STORM_SECONDS, against
# the same time with no storm; and whether the kernel dropped any at the
# default receive buffer.
exits() {
	hold 300
	config 1.0 info
	start_daemon
	sleep 3
	c0=$(cpu_ns $DAEMON_PID)
	sleep "$STORM_SECONDS"
	c1=$(cpu_ns $DAEMON_PID)
	"$HELPER" --storm "$STORM_RATE" "$STORM_SECONDS" >"$WORK/storm.out" ||
		die "the fork storm failed"
	c2=$(cpu_ns $DAEMON_PID)
	stop_daemon
	unhold
	procs=$(cat "$WORK/storm.out")
	summary=$(sed -n 's/.*exit events (\([a-z_]*\)): \([0-9]*\) events, \([0-9]*\) exits, \([0-9]*\) of processes no sample read; the kernel dropped events \([0-9]*\) times.*/\1 \2 \3 \4 \5/p' \
		"$WORK/daemon.log")
	[ -n "$summary" ] || die "the daemon logged no exit events summary (exit events off?)"
	set -- $summary
	mode=$1 exits=$3 grouped=$4 lost=$5
	per=$(awk -v s=$((c2 - c1)) -v q=$((c1 - c0)) -v n="$procs" \
		'BEGIN { d = s - q; if (d < 0) d = 0; printf "%.2f", n ? d / n / 1000 : 0 }')
	printf '%-56s\n' "exit events ($mode), interval 1 s, $procs processes in ${STORM_SECONDS} s:"
	line "  daemon CPU per short-lived process (fork + exit)" "$per" us "<= 15" \
		"$(le "$per" 15 && echo 1)"
	printf '%-56s %10s\n' "  exits seen / of processes no sample read" "$exits / $grouped"
	line "  times the kernel dropped events" "$lost" "" "0" "$([ "$lost" -eq 0 ] && echo 1)"
}
phase exits && exits

[ $MISSED -eq 0 ] || exit 1
exit 0
