#!/bin/sh
# End to end, the real daemon surviving faults. Each fault is introduced
# while it runs (at 0.1 s), and each must end with the daemon alive and
# still sampling, a clear log line (one per condition, not one per tick or
# per dump), no crash and no partial dump. The dump directory made
# unwritable and filled up are e2e_faults_readonly.sh and e2e_faults_full.sh
# (they need root or a mount namespace, and are skipped without).
#
#   daemon 1, the real /proc, a plugin directory of copies of the real
#   plugins and of broken test plugins:
#     - plugins refused at start: wrong ABI, no entry symbol, and as root a
#       file writable by others and a file not owned by root; a detector
#       whose create fails; a detector whose evaluate fails every tick; a
#       sink whose emit fails every dump (json_file must still get it)
#     - the dump directory removed; replaced by a file
#     - processes exiting mid-sample: short processes (~150 a second)
#       for 100 ticks
#   daemon 2, a fake proc tree (--proc-root) garbled while it runs:
#     - a process's stat truncated, binary garbage, emptied, missing
#     - /proc/stat and /proc/meminfo garbled and emptied (the tick fails,
#       once in the log, and sampling resumes when they are fixed);
#       /proc/uptime garbled
#   daemon 3, as root: a plugin directory writable by others is refused
#     (exit 78, one line).
#
# "Still sampling" is checked by SIGUSR1: a manual dump appears once the
# fault clears, with consecutive samples taken after it cleared. Every wait
# is for a state (tests/e2e_faults_lib.sh), with a deadline.
set -u
. "${top_srcdir:-.}/tests/e2e_faults_lib.sh"

faults_daemon1

# --- plugins refused at start: one line each, naming the file and why.
expect_count 1 "plugin $PDIR/bad_abi.so refused: built for plugin ABI 1, this spiketrace has ABI 2." "an ABI 1 plugin"
expect_count 1 "plugin $PDIR/no_entry.so refused: no symbol spiketrace_plugin_entry" "no entry symbol"
expect_count 1 "plugin create_fails: create failed; it stays off" "create fails"
expect_count 1 "create_fails: refusing to start (test)" "create fails (its own reason)"
note "wrong ABI: refused at start, one line: $(lines_with bad_abi.so)"
note "no entry symbol: refused at start, one line: $(lines_with no_entry.so)"
note "create fails: plugin's reason + one core line: $(lines_with 'create failed')"
if [ $ROOT = 1 ]; then
	expect_count 1 "plugin $PDIR/swap_spike.so refused: the file is writable by others" \
		"plugin writable by others"
	expect_count 1 "plugin $PDIR/new_proc.so refused: the file is owned by uid 65534, not root" \
		"plugin not owned by root"
	note "plugin file writable by others (root): $(lines_with swap_spike.so)"
	note "plugin file owned by uid 65534 (root): $(lines_with new_proc.so)"
fi

# --- a detector whose evaluate fails every tick: one line, not one per tick.
wait_ticks 30 "evaluate fails"
alive $daemon "evaluate fails"
expect_count 1 "detector evaluate_fails: evaluate failed (1 times)" "evaluate fails"
expect_count 1 "evaluate_fails" "evaluate fails (lines in $(ticks_since) ticks)"
note "evaluate fails every tick: one line in $(ticks_since) ticks: $(lines_with evaluate_fails)"
only_expected "plugin $PDIR/" "create_fails" "evaluate_fails"

# --- manual dumps.
mark
request_dump
[ -f "$(dump_file)" ] || fail "json_file did not write $(dump_file) although emit_fails failed"
check_dump "$(dump_file)" 0 5
expect_count 1 "sink emit_fails failed on dump $ID" "emit fails"
only_expected "sink emit_fails failed on dump"
note "emit fails every dump: one core line when it starts failing, the other sinks still get it: $(lines_with 'sink emit_fails' | head -n 1)"

# --- the dump directory removed while running: created again, no loss.
mark
rm -rf "$DUMPS"
fixed=$(date +%s%N)
request_dump
[ -f "$(dump_file)" ] || fail "dump directory removed: not created again"
check_dump "$(dump_file)" "$fixed" 5
only_expected "sink emit_fails failed on dump"
note "dump dir removed while running: created again at the next dump, nothing lost, no log line"

# --- replaced by a file.
dir_fault "replaced by a file" "cannot open the directory: Not a directory" \
	'rm -rf "$DUMPS" && echo x >"$DUMPS"' 'rm -f "$DUMPS"'

# --- processes exiting mid-sample: short-lived processes, more than 100 a
# second on an idle machine, while the daemon samples every 0.1 s. The
# churn runs until told to stop (or 120 s), counting what it started; the
# dump is asked for while it runs, so all its samples are taken during it.
mark
CHURN_STOP="$TMP/churn.stop" CHURNED="$TMP/churned"
CHURN_STOP=$CHURN_STOP CHURNED=$CHURNED sh -c 'n=0 end=$(($(date +%s) + 120))
while [ ! -e "$CHURN_STOP" ] && [ "$(date +%s)" -lt "$end" ]; do
	i=0; while [ $i -lt 10 ]; do /bin/true & /bin/sleep 0.01; i=$((i + 1)); done
	n=$((n + 10)); echo $n >"$CHURNED.new"; mv "$CHURNED.new" "$CHURNED"
done; wait' &
churn=$!
started $churn
churned() { cat "$CHURNED" 2>/dev/null || echo 0; }
churned_at_least() { [ "$(churned)" -ge "$1" ]; }
wait_for $DEADLINE churned_at_least 300 || fail "the churn started $(churned) processes in $DEADLINE s"
wait_ticks 100 "processes exiting mid-sample"
request_dump
python3 - "$(dump_file)" <<'PY' >"$TMP/rate" || fail "mid-churn dump"
import json, sys
s = json.load(open(sys.argv[1]))["samples"]
secs = (s[-1]["mono_ns"] - s[0]["mono_ns"]) / 1e9
forks = sum(x["forks"] for x in s[1:])
# Taken while the churn ran; how fast it forks is the machine's business
# (a loaded one forks slower), only that the samples saw it is the daemon's.
assert secs > 0 and forks > 0, (forks, secs)
print("%.0f" % (forks / secs))
PY
touch "$CHURN_STOP"
wait_for $DEADLINE sh -c "! kill -0 $churn 2>/dev/null" || fail "the churn loop did not stop"
stop $churn
alive $daemon "processes exiting mid-sample"
fixed=$(date +%s%N)
request_dump
check_dump "$(dump_file)" "$fixed" 5
only_expected "sink emit_fails failed on dump"
note "processes exiting mid-sample ($(churned) processes over $(ticks_since) ticks at 0.1 s, $(cat "$TMP/rate") forks/s in the dump): no log line, still sampling"

# The broken detector said it once in all those ticks.
expect_count 0 "evaluate_fails" "evaluate fails (later)"
[ "$(count_all "evaluate_fails")" -eq 1 ] || fail "evaluate fails: more than one line"
[ "$(count_all "sink emit_fails failed")" -le "$(count_all ": incident ")" ] ||
	fail "emit fails: more than one line per dump"
faults_stop_daemon1

# ---------------------------------------------- daemon 2: a fake proc tree
P="$TMP/proc"
mkdir "$P" || fail "mkdir $P"
for f in stat meminfo uptime; do
	cat "/proc/$f" >"$P/$f" || fail "cannot copy /proc/$f"
	cp "$P/$f" "$TMP/$f.good"
done
# The fields after comm of a real stat line, with ppid 1 and a utime.
REST=$(sed 's/^.*) //' /proc/$$/stat)
fake_pid() {   # fake_pid PID COMM UTIME
	mkdir -p "$P/$1"
	printf '%s (%s) %s\n' "$1" "$2" \
		"$(echo "$REST" | awk -v u="$3" '{ $2 = 1; $12 = u; print }')" >"$P/$1/stat"
}
fake_pid 1 init 100
fake_pid 100 steady 50
fake_pid 101 victim 50
fake_pid 102 garbled 50
fake_pid 103 emptied 50
fake_pid 104 "$(printf 'a) b\n) c')" 50

LOG="$TMP/daemon2.log"
cat >"$TMP/d2.conf" <<CONF
interval = 0.1
history = 20
pre_trigger = 3
post_trigger = 1
top = 10
max_dumps_per_minute = 600
log_level = "debug"
plugin_dir = "$PLUGINS"
sinks {
  json_file { dir = "$TMP/pdumps" }
}
CONF
"$SPIKETRACE" --foreground --config "$TMP/d2.conf" --proc-root "$P" >"$TMP/d2.out" 2>"$LOG" &
daemon=$!
started $daemon
wait_for $DEADLINE grep -q "sampling $P" "$LOG" || fail "daemon 2 did not start"
MARK=0
only_expected

ndumps() { ls "$TMP/pdumps" 2>/dev/null | grep -c '^spike_.*\.json$'; }
ndumps_above() { [ "$(ndumps)" -gt "$1" ]; }
request_dump2() {
	before=$(ndumps)
	kill -USR1 $daemon
	wait_for $DEADLINE ndumps_above "$before" || fail "SIGUSR1: no dump within $DEADLINE s"
	DUMP=$(ls "$TMP/pdumps"/spike_*.json | sort | tail -n 1)
}
# pids_in_dump DUMP: the pids of the newest sample, sorted, on one line.
pids_in_dump() {
	python3 - "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["samples"][-1]
print(" ".join(str(p) for p in sorted({p["pid"] for p in s["top_cpu"] + s["top_rss"]})))
PY
}

request_dump2
[ "$(pids_in_dump "$DUMP")" = "1 100 101 102 103 104" ] ||
	fail "fake tree: pids $(pids_in_dump "$DUMP")"
python3 - "$DUMP" <<'PY' || fail "comm with ')' and a newline"
import json, sys
s = json.load(open(sys.argv[1]))["samples"][-1]
p = [p for p in s["top_cpu"] + s["top_rss"] if p["pid"] == 104][0]     # idle: rss list only
assert p["comm"] == "a) b\n) c" and p["state"] == "S", (p["comm"], p["state"])
PY

# The sampler reads a quiet process once every ST_READ_ROTATION ticks
# (its read policy): that many ticks after a change, every process was
# read since.
ROTATION=$(sed -n 's/^#define ST_READ_ROTATION *\([0-9][0-9]*\).*/\1/p' \
	"$top_srcdir"/core/*/*.h)
[ -n "$ROTATION" ] || fail "ST_READ_ROTATION not found in core/*/*.h"
# wait_all_read WHAT: until every process was read since the mark (one
# tick more for the one the change may have fallen in).
wait_all_read() { wait_ticks $((ROTATION + 1)) "$1"; }

# --- a process's stat truncated, garbage, emptied, missing: skipped; the
# first malformed one says so once, the others are as if gone.
mark
printf '101 (victim) S 1' >"$P/101/stat"
head -c 600 /dev/urandom >"$P/102/stat"
: >"$P/103/stat"
mkdir "$P/105"
fake_pid 106 late 10
wait_logged "not a stat line; skipping such files" "malformed process stat files"
wait_all_read "malformed process stat files"
alive $daemon "malformed process stat files"
fixed=$(date +%s%N)
request_dump2
check_dump "$DUMP" "$fixed" 5
[ "$(pids_in_dump "$DUMP")" = "1 100 104 106" ] ||
	fail "malformed stat files: pids $(pids_in_dump "$DUMP"), expected 1 100 104 106"
expect_count 1 "not a stat line; skipping such files" "malformed process stat"
only_expected "not a stat line; skipping such files"
note "fake proc: a pid's stat truncated / garbage / empty / missing: one line for all ($(since | grep -F 'not a stat line')), the rest sampled"
fake_pid 101 victim 60
fake_pid 102 garbled 60
mark
wait_all_read "repaired stat files"
request_dump2
[ "$(pids_in_dump "$DUMP")" = "1 100 101 102 104 106" ] ||
	fail "repaired stat files: pids $(pids_in_dump "$DUMP")"

# sys_fault FILE "WHAT" "BREAK": a system file broken for 10 ticks: the
# ticks fail, saying so once (and at most once more on recovery); the file
# restored, sampling resumes.
sys_fault() {
	mark
	eval "$3"
	wait_logged "$P/$1" "$1 $2"
	wait_ticks 10 "$1 $2"
	alive $daemon "$1"
	shown=$(since | grep -F "$P/$1" | head -n 1)
	cat "$TMP/$1.good" >"$P/$1"
	fixed=$(date +%s%N)
	request_dump2
	check_dump "$DUMP" "$fixed" 5
	# Each state the file went through said once: the fault, and maybe
	# the empty file a reader sees between the shell's truncation and its
	# write, when breaking it and when restoring it.
	n=$(count_since "$P/$1")
	again=$(since | grep -F "$P/$1" | sed 's/^[^:]*: [^:]*: //' | sort | uniq -d)
	[ -z "$again" ] || fail "$1 $2: said more than once in $(ticks_since) ticks: $again"
	[ "$n" -le 3 ] || fail "$1 $2: $n log lines in $(ticks_since) ticks"
	only_expected "$P/$1"
	note "fake proc: $1 $2 for $(ticks_since) ticks: $n line(s), sampling resumes when fixed: $shown"
}
# Cut inside the cpu line, before its fourth number (the fewest a cpu line
# has): a cut at a fixed byte count may fall after it, where the line still
# parses, depending on how large the machine's counters are.
CPU3=$(sed -n '1s/^\(cpu *[0-9]* [0-9]* [0-9]*\) .*/\1/p' "$TMP/stat.good")
[ -n "$CPU3" ] || fail "no cpu line with four numbers in /proc/stat"
sys_fault stat "garbled (no cpu line)" 'printf "garbage\n\001\002\377\n" >"$P/stat"'
sys_fault stat "emptied" ': >"$P/stat"'
sys_fault stat "truncated mid-line" 'printf "%s" "$CPU3" >"$P/stat"'
sys_fault meminfo "garbled (no MemTotal)" 'printf "MemFree: lots\n" >"$P/meminfo"'
sys_fault meminfo "emptied" ': >"$P/meminfo"'

mark
printf 'not a number\n' >"$P/uptime"
wait_ticks 5 "uptime garbled"
cat "$TMP/uptime.good" >"$P/uptime"
fixed=$(date +%s%N)
request_dump2
check_dump "$DUMP" "$fixed" 5
only_expected
note "fake proc: uptime garbled for $(ticks_since) ticks: no log line (new processes' CPU since start reads 0), still sampling"

stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon 2 exited $STATUS on SIGTERM"
no_partial "$TMP/pdumps"

# ------------------- daemon 3, as root: a plugin directory others may write
if [ $ROOT = 1 ]; then
	mkdir "$TMP/plugins_ow"
	cp "$PLUGINS/json_file.so" "$TMP/plugins_ow/"
	chmod 0777 "$TMP/plugins_ow"
	grep -v '^log_level' "$TMP/d1.conf" >"$TMP/d3.conf"
	timeout $DEADLINE "$SPIKETRACE" --foreground --config "$TMP/d3.conf" \
		--plugin-dir "$TMP/plugins_ow" >/dev/null 2>"$TMP/d3.log"
	rc=$?
	[ "$rc" -eq 78 ] || fail "plugin directory writable by others: exit $rc, expected 78"
	[ "$(wc -l <"$TMP/d3.log")" -eq 1 ] &&
	grep -qF "plugin directory $TMP/plugins_ow refused: the directory is writable by others" \
		"$TMP/d3.log" || { cat "$TMP/d3.log" >&2; fail "plugin directory writable by others: log"; }
	note "plugin dir writable by others (root): refuses to start, exit 78: $(cat "$TMP/d3.log")"
fi

echo "--- faults tried:"
cat "$REPORT"
echo "PASS"
