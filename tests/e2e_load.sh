#!/bin/sh
# End to end, under load: the real daemon at 0.2 s on the real /proc with
# 5,000 more (idle) processes and a fork storm (a loop spawning `true`)
# for 60 s, every detector and the json_file sink on.
#   - no tick missed: at log_level "debug" the daemon logs "late by N
#     ticks" whenever the timerfd fired more than once between two reads;
#     none is allowed;
#   - tick lateness, reported: every sample's CLOCK_MONOTONIC time comes
#     back in the dumps (SIGUSR1 every 4 s, 22 samples before each, so
#     they cover the whole minute); lateness is measured against the tick
#     grid their times fall on; p99 <= 5 ms. The daemon runs as the unit
#     runs it, SCHED_FIFO priority 1 (chrt, so as root); otherwise the
#     figure is only reported: at nice 0 a fork storm that saturates both
#     cores makes the wake-up the scheduler's call. The budget holds the
#     lateness the daemon adds to the machine's: one probe thread per CPU,
#     pinned, with the daemon's scheduling, that does nothing but wake up
#     every 1 ms (latency_probe), logs when the machine itself wakes
#     threads late. A virtual machine whose host stops one of its vCPUs
#     (CPU quota, steal) delays every thread on it by up to the host's
#     period (100 ms on the machines we test on), whatever its priority:
#     the part of a tick's wait that some CPU's probe spent stalled too is
#     reported as the machine's, not counted against the daemon. (Which
#     CPU the daemon waited on is not known: a stall of the other CPU at
#     the same moment is forgiven too. Our own blocking shows on the
#     ticks where no probe stalled, which are nearly all of them.);
#   - memory flat: VmRSS once the ring is full and the 5,000 are in it,
#     and after the minute: at most 10% + 1 MiB more.
# About 72 s in all.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

skip() {
	echo "SKIP: $*"
	exit 77
}

NCHILD=5000
STORM_S=60
STEP_NS=200000000

# Room for 5,000 processes: pids, memory (~1 GiB here), RLIMIT_NPROC.
# The limits are raised for this shell and its children only.
pid_max=$(cat /proc/sys/kernel/pid_max)
nprocs=$(ls /proc | grep -c '^[0-9]*$')
[ $((pid_max - nprocs)) -gt $((NCHILD + 2000)) ] ||
	skip "pid_max $pid_max leaves no room for $NCHILD more processes"
avail_kib=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
[ "${avail_kib:-0}" -gt 3000000 ] || skip "less than 3 GiB of memory available"
# (root is not held to RLIMIT_NPROC; prlimit(1) because sh has no ulimit -u.)
if [ "$(id -u)" -ne 0 ] && command -v prlimit >/dev/null 2>&1; then
	hard=$(prlimit --pid $$ --nproc --output HARD --noheadings | tr -d ' ')
	prlimit --pid $$ --nproc="$hard:$hard" 2>/dev/null
	soft=$(prlimit --pid $$ --nproc --output SOFT --noheadings | tr -d ' ')
	[ "$soft" = unlimited ] || [ "$soft" -gt $((NCHILD + nprocs + 2000)) ] ||
		skip "RLIMIT_NPROC $soft is too low for $NCHILD more processes"
fi
# One fd per process is how the sampler reads fast; raise the hard limit
# when we may (root), so the daemon does not fall back to open/read/close.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null

cat >"$TMP/spiketrace.conf" <<CONF
interval = 0.2
history = 25
pre_trigger = 22
post_trigger = 1
top = 5
max_dumps_per_minute = 600
log_level = "debug"
plugin_dir = "$PLUGINS"
sinks {
  json_file { dir = "$TMP/dumps" }
}
CONF

"$top_builddir/tests/idle_children" $NCHILD 200 >"$TMP/children.out" 2>"$TMP/children.err" &
children=$!
started $children
wait_for 30 test -s "$TMP/children.out" ||
	fail "idle_children did not start $NCHILD processes: $(cat "$TMP/children.err")"
echo "$NCHILD idle processes forked"

# As spiketrace.service runs it: SCHED_FIFO 1 for the sampling thread.
RT=
[ "$(id -u)" -eq 0 ] && command -v chrt >/dev/null && RT="chrt -f 1"
$RT "$SPIKETRACE" --foreground --config "$TMP/spiketrace.conf" >"$TMP/daemon.out" 2>"$TMP/daemon.log" &
daemon=$!
started $daemon
wait_for 10 grep -q "sampling /proc" "$TMP/daemon.log" || fail "daemon did not start"

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$daemon/status"; }
cpu_ticks() { sed 's/^.*) //' "/proc/$daemon/stat" | awk '{ print $12 + $13 }'; }

# The ring fills in 25 samples (5 s); a first dump warms the dump path (its
# buffers stay: the daemon's memory is locked); from then on memory should
# stay where it is.
sleep 5.5
kill -0 $daemon || fail "daemon died with $NCHILD processes"
# (The manual trigger may join an incident something else opened: wait for
# any new dump.)
ndumps() { ls "$TMP"/dumps/spike_*.json 2>/dev/null | wc -l; }
dumps_before=$(ndumps)
kill -USR1 $daemon
wait_for 10 sh -c "[ \$(ls '$TMP'/dumps/spike_*.json 2>/dev/null | wc -l) -gt $dumps_before ]" ||
	fail "no warm-up dump"
sleep 1
rss_before=$(rss_kib)
cpu_before=$(cpu_ticks)
late_before=$(grep -c "late by [0-9]* ticks" "$TMP/daemon.log")
# The machine's own wake-up lateness, beside the daemon's, for the storm.
$RT "$top_builddir/tests/latency_probe" 1000 "$TMP/probe.out" 120 2>"$TMP/probe.err" &
probe=$!
started $probe
wait_for 10 test -e "$TMP/probe.out" || fail "latency_probe did not start: $(cat "$TMP/probe.err")"
storm_start=$(python3 -c "import time; print(time.monotonic_ns())")
echo "RSS with $NCHILD more processes, ring full: $rss_before KiB"

sh -c "end=\$((\$(date +%s) + $STORM_S)); n=0
	while [ \"\$(date +%s)\" -lt \$end ]; do
		i=0; while [ \$i -lt 100 ]; do /bin/true; i=\$((i + 1)); done
		n=\$((n + 100))
	done; echo \$n" >"$TMP/storm.out" &
storm=$!
started $storm

# Every 4 s: a manual dump (its samples carry their times) and the RSS.
rss_max=$rss_before
t=0
while [ $t -lt $STORM_S ]; do
	sleep 4
	t=$((t + 4))
	kill -0 $daemon || fail "daemon died under the fork storm"
	kill -USR1 $daemon
	r=$(rss_kib)
	[ "$r" -gt "$rss_max" ] && rss_max=$r
done
wait_for 10 sh -c "! kill -0 $storm 2>/dev/null" || fail "the fork storm did not end"
stop $storm
storm_end=$(python3 -c "import time; print(time.monotonic_ns())")
stop $probe
grep -q "^# cpu" "$TMP/probe.out" || fail "latency_probe wrote no summary: $(cat "$TMP/probe.err")"
sleep 0.5
kill -0 $daemon || fail "daemon died under the fork storm"
rss_after=$(rss_kib)
cpu_after=$(cpu_ticks)
late_lines=$(( $(grep -c "late by [0-9]* ticks" "$TMP/daemon.log") - late_before ))
stop $children

hz=$(getconf CLK_TCK)
echo "fork storm: $(cat "$TMP/storm.out") processes in ${STORM_S} s"
echo "daemon CPU: $(( (cpu_after - cpu_before) * 100 / hz / STORM_S ))% of one core"
echo "RSS: before $rss_before KiB, after $rss_after KiB, highest seen $rss_max KiB"
echo "ticks reported late: $late_lines"
grep "late by [0-9]* ticks" "$TMP/daemon.log" | tail -n 3

# Lateness of every sample in the storm window, from the dumps.
python3 - "$TMP/dumps" "$storm_start" "$storm_end" "$STEP_NS" "$NCHILD" "$TMP/probe.out" <<'PY' || fail "tick lateness"
import glob, json, sys
start, end, step, nchild = (int(a) for a in sys.argv[2:6])
# The machine's stalls: [due, woke] of every late wake-up of the probe.
stalls, probe_summary = [], []
for line in open(sys.argv[6]):
    if line.startswith("#"):
        probe_summary.append(line[2:].strip())
    else:
        stalls.append(tuple(int(x) for x in line.split()))
samples = {}
for f in glob.glob(sys.argv[1] + "/spike_*.json"):
    for s in json.load(open(f))["samples"]:
        samples[s["seq"]] = s
# storm_start and storm_end are CLOCK_MONOTONIC too (python3 time.monotonic_ns).
# Ticks only: an off-tick sample (a detector asked, e.g. a PSI trigger)
# or a fast one (processes at fast_interval after a trigger)
# is off the grid on purpose.
win = sorted(s for s in samples if start <= samples[s]["mono_ns"] <= end and
             not samples[s].get("fast") and
             not samples[s].get("off_tick"))
assert win, "no sample from the storm in the dumps"
# The ticks are step apart at an unknown phase: the phase is where the
# times modulo step start, after the largest gap around the circle. (A
# tick later than a whole step is a missed tick, counted apart.)
res = sorted(samples[q]["mono_ns"] % step for q in win)
gaps = [((res[(i + 1) % len(res)] - res[i]) % step, i) for i in range(len(res))]
phase = res[(max(gaps)[1] + 1) % len(res)]
def union_overlap(lo, hi):
    """How much of [lo, hi] any CPU's probe spent stalled."""
    total, at = 0, lo
    for _, a, b in sorted(stalls, key=lambda s: s[1]):
        a, b = max(a, at), min(b, hi)
        if b > a:
            total += b - a
            at = b
    return total
late_ns = {q: (samples[q]["mono_ns"] - phase) % step for q in win}
def machine_ns(q):
    """How much of the tick's wait [due, woke] the probe spent stalled."""
    woke = samples[q]["mono_ns"]
    due = woke - late_ns[q]
    return union_overlap(due, woke)
late = sorted(late_ns[q] / 1e6 for q in win)
own = sorted((late_ns[q] - machine_ns(q)) / 1e6 for q in win)
stalled = sum(1 for q in win if machine_ns(q) > 0)
expected = (end - start) // step
p = lambda v, x: v[min(len(v) - 1, int(x * len(v)))]
print("samples in the window: %d of %d ticks (seq %d..%d)" %
      (len(win), expected, win[0], win[-1]))
print("tick lateness ms: p50 %.2f  p99 %.2f  max %.2f" % (p(late, 0.5), p(late, 0.99), late[-1]))
print("machine: the probes woke late %d times (%s); %d ticks fell in such a stall" %
      (len(stalls), "; ".join(probe_summary), stalled))
print("lateness the daemon adds, ms: p50 %.2f  p99 %.2f  max %.2f" %
      (p(own, 0.5), p(own, 0.99), own[-1]))
nprocs = min(samples[q]["nprocs"] for q in win)
print("processes per sample: at least %d" % nprocs)
assert nprocs >= nchild, nprocs
assert len(win) >= 0.9 * expected, "the dumps cover too little of the window"
# The worst ticks beside the probe's stalls near them: which is whose.
rel = lambda t: (t - start) / 1e6
for q in sorted(win, key=lambda q: late_ns[q] - machine_ns(q))[-3:]:
    if late_ns[q] - machine_ns(q) <= 1e6:
        continue
    due = samples[q]["mono_ns"] - late_ns[q]
    near = ["cpu %d %.1f..%.1f" % (c, rel(a), rel(b)) for c, a, b in stalls
            if abs(a - due) < 1e9]
    print("  tick %d due at %.1f ms: %.2f ms late, %.2f of it the machine's; "
          "probe stalls within 1 s: %s" % (q, rel(due), late_ns[q] / 1e6,
          machine_ns(q) / 1e6, ", ".join(near) or "none"))
open(sys.argv[1] + "/../p99", "w").write("%.2f\n" % p(own, 0.99))
PY
p99=$(cat "$TMP/p99")

[ "$late_lines" -eq 0 ] || fail "$late_lines ticks reported late (missed) under load"
# The jitter budget, for the daemon scheduled as its unit schedules it.
if awk -v p="$p99" 'BEGIN { exit !(p > 5.0) }'; then
	[ -n "$RT" ] && [ -z "${ST_SANITIZERS:-}" ] && fail "p99 tick lateness the daemon adds $p99 ms > 5 ms"
	echo "NOTE: p99 tick lateness the daemon adds, $p99 ms, is above the 5 ms budget (not as root: SCHED_OTHER, not enforced)"
fi
# Flat memory: the ring was full and the process count the same.
# A leak grows without bound; a few dumps in flight at once may lift the
# allocator's high-water mark a little, once.
[ -n "${ST_SANITIZERS:-}" ] || [ "$rss_after" -le $((rss_before + rss_before / 10 + 2048)) ] ||
	fail "RSS grew from $rss_before to $rss_after KiB"
grep -E "^spiketrace: (err|warning):" "$TMP/daemon.log" && fail "errors or warnings under load (above)"
stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon exited $STATUS on SIGTERM"
echo "PASS"
