#!/bin/sh
# End to end, the real daemon surviving faults. Each fault is introduced
# while it runs (at 0.1 s), and each must end with the daemon alive and
# still sampling, a clear log line (one per condition, not one per tick or
# per dump), no crash and no partial dump.
#
#   daemon 1, the real /proc, a plugin directory of copies of the real
#   plugins and of broken test plugins:
#     - plugins refused at start: wrong ABI, no entry symbol, and as root a
#       file writable by others and a file not owned by root; a detector
#       whose create fails; a detector whose evaluate fails every tick; a
#       sink whose emit fails every dump (json_file must still get it)
#     - the dump directory removed; replaced by a file; not writable (a
#       read-only filesystem as root, mode 0555 otherwise); on a full
#       filesystem (as root, a small tmpfs in a private mount namespace)
#     - processes exiting mid-sample: short processes (~150 a second) for 10 s
#   daemon 2, a fake proc tree (--proc-root) garbled while it runs:
#     - a process's stat truncated, binary garbage, emptied, missing
#     - /proc/stat and /proc/meminfo garbled and emptied (the tick fails,
#       once in the log, and sampling resumes when they are fixed);
#       /proc/uptime garbled
#   daemon 3, as root: a plugin directory writable by others is refused
#     (exit 78, one line).
#
# "Still sampling" is checked by SIGUSR1: a manual dump appears once the
# fault clears, with consecutive samples taken after it cleared.
set -u

# Root re-runs itself in a private mount namespace, where it may mount a
# small tmpfs for the dump directory (full, read-only) that nobody else sees.
if [ "${ST_E2E_FAULTS_NS:-}" = "" ]; then
	if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 &&
	   unshare --mount --propagation private true 2>/dev/null; then
		export ST_E2E_FAULTS_NS=1
		exec unshare --mount --propagation private -- sh "$0" "$@"
	fi
	export ST_E2E_FAULTS_NS=0
fi

. "${top_srcdir:-.}/tests/e2e_lib.sh"

ROOT=0
[ "$(id -u)" -eq 0 ] && ROOT=1
NS=$ST_E2E_FAULTS_NS
TEST_PLUGINS="$top_builddir/tests/plugins/.libs"
# Apart, so that test_plugin_loader's count of tests/plugins stays right.
FAULT_PLUGINS="$top_builddir/tests/fault_plugins/.libs"
REPORT="$TMP/report"
: >"$REPORT"

# Our daemons first, then what we mounted, then the temp dir.
FS_MOUNTED=0
faults_cleanup() {
	for pid in $STARTED_PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $STARTED_PIDS; do
		wait "$pid" 2>/dev/null
	done
	STARTED_PIDS=""
	[ "$FS_MOUNTED" = 1 ] && umount "$TMP/fs" 2>/dev/null
	cleanup
}
trap faults_cleanup EXIT

# The log of the daemon at hand, on failure.
fail() {
	echo "FAIL: $*" >&2
	[ -f "$LOG" ] && { echo "--- $LOG:" >&2; cat "$LOG" >&2; }
	exit 1
}

note() {
	echo "$*"
	echo "$*" >>"$REPORT"
}

# ------------------------------------------------------------ log helpers
LOG="$TMP/daemon.log"
mark() { MARK=$(wc -l <"$LOG"); }
since() { tail -n +"$((MARK + 1))" "$LOG"; }
count_since() { since | grep -cF -- "$1"; }
count_all() { grep -cF -- "$1" "$LOG"; }
# expect_count N PATTERN WHAT: exactly N lines since the mark hold PATTERN.
expect_count() {
	n=$(count_since "$2")
	[ "$n" -eq "$1" ] || fail "$3: $n log lines with '$2' since the fault, expected $1"
}
# only_expected PATTERN...: every err/warning line since the mark holds
# one of the fixed strings given.
only_expected() {
	since | grep -E '^spiketrace: (err|warning): ' >"$TMP/lines"
	for p in "$@"; do
		grep -vF -- "$p" "$TMP/lines" >"$TMP/lines.new"
		mv "$TMP/lines.new" "$TMP/lines"
	done
	[ -s "$TMP/lines" ] && { cat "$TMP/lines" >&2; fail "unexpected log lines (above)"; }
	return 0
}
alive() { kill -0 "$1" 2>/dev/null || fail "the daemon (pid $1) is gone: $2"; }

# check_dump FILE NOT_BEFORE_NS SAMPLES: valid JSON, a manual trigger,
# SAMPLES consecutive samples, the newest taken after NOT_BEFORE_NS.
check_dump() {
	python3 - "$1" "$2" "$3" <<'PY' || fail "dump $1"
import json, sys
d = json.load(open(sys.argv[1]))
not_before, want = int(sys.argv[2]), int(sys.argv[3])
assert d["schema"] == "spiketrace.dump/1", d["schema"]
assert d["triggers"][0]["type"] == "manual", d["triggers"]
s = d["samples"]
assert len(s) == want, (len(s), want)
seqs = [x["seq"] for x in s]
assert seqs == list(range(seqs[0], seqs[0] + len(s))), seqs
assert s[-1]["wall_ns"] > not_before, "newest sample is older than the fix"
PY
}

# no_partial DIR: no temp file, and every dump in DIR is a whole document.
no_partial() {
	[ -d "$1" ] || return 0
	ls -A "$1" | grep '^\.tmp' && fail "temp file left in $1"
	python3 - "$1" <<'PY' || fail "a partial dump in $1"
import glob, json, sys
for f in glob.glob(sys.argv[1] + "/spike_*.json"):
    with open(f) as fh:
        assert json.load(fh)["schema"] == "spiketrace.dump/1", f
PY
}

# ------------------------------------------ daemon 1: the plugin directory
PDIR="$TMP/plugins"
mkdir "$PDIR" || fail "mkdir $PDIR"
chmod 0755 "$PDIR"
# Copies, not symlinks: the loader opens with O_NOFOLLOW, and a plugin's
# name must match its file's.
for f in "$PLUGINS"/*.so; do
	cp "$f" "$PDIR/" || fail "cannot copy $f"
done
for f in "$TEST_PLUGINS/bad_abi.so" "$TEST_PLUGINS/no_entry.so" "$TEST_PLUGINS/create_fails.so" \
	 "$FAULT_PLUGINS/evaluate_fails.so" "$FAULT_PLUGINS/emit_fails.so"; do
	[ -f "$f" ] || fail "test plugin $f not built (make check builds it)"
	cp "$f" "$PDIR/" || fail "cannot copy $f"
done
chmod 0644 "$PDIR"/*.so
if [ $ROOT = 1 ]; then
	# As root, nobody but root may have written a plugin.
	chmod 0646 "$PDIR/swap_spike.so"
	chown 65534 "$PDIR/new_proc.so"
fi

# ----------------------------------------------- daemon 1: the dump folder
mkdir "$TMP/fs" || fail "mkdir $TMP/fs"
if [ $NS = 1 ] && mount -t tmpfs -o size=2m,mode=0755 spiketrace-e2e-faults "$TMP/fs"; then
	FS_MOUNTED=1
fi
DUMPS="$TMP/fs/dumps"

printf 'plugin_dir = "%s"\n' "$PDIR" >"$TMP/list.conf"
DETECTORS=$("$SPIKETRACE" --list-plugins --config "$TMP/list.conf" 2>/dev/null |
	    awk '$1 == "detector" { print $2 }')
case " $(echo $DETECTORS) " in
*" evaluate_fails "*) ;;
*) fail "spiketrace --list-plugins does not list evaluate_fails: $DETECTORS" ;;
esac
# Only the broken detectors run: a spike elsewhere on the machine must not
# add dumps the counts below do not expect.
{
	echo "interval = 0.1"
	echo "history = 20"
	echo "pre_trigger = 3"
	echo "post_trigger = 1"
	echo "top = 3"
	echo "max_dumps_per_minute = 600"
	echo "plugin_dir = \"$PDIR\""
	echo "detectors {"
	for d in $DETECTORS; do
		case $d in
		evaluate_fails|create_fails) ;;
		*) echo "  $d { enabled = false }" ;;
		esac
	done
	echo "}"
	echo "sinks {"
	echo "  json_file { dir = \"$DUMPS\" }"
	echo "  emit_fails { }"
	echo "  stdout { format = \"json\" }"
	echo "}"
} >"$TMP/d1.conf"

"$SPIKETRACE" --foreground --config "$TMP/d1.conf" >"$TMP/d1.out" 2>"$LOG" &
daemon=$!
started $daemon
wait_for 5 grep -q "sampling /proc" "$LOG" || fail "daemon 1 did not start"
MARK=0

# --- plugins refused at start: one line each, naming the file and why.
expect_count 1 "plugin $PDIR/bad_abi.so refused: plugin ABI version" "wrong ABI"
expect_count 1 "plugin $PDIR/no_entry.so refused: no symbol spiketrace_plugin_entry" "no entry symbol"
expect_count 1 "plugin create_fails: create failed; it stays off" "create fails"
expect_count 1 "create_fails: refusing to start (test)" "create fails (its own reason)"
note "wrong ABI: refused at start, one line: $(grep -F bad_abi.so "$LOG")"
note "no entry symbol: refused at start, one line: $(grep -F no_entry.so "$LOG")"
note "create fails: plugin's reason + one core line: $(grep -F 'create failed' "$LOG")"
if [ $ROOT = 1 ]; then
	expect_count 1 "plugin $PDIR/swap_spike.so refused: the file is writable by others" \
		"plugin writable by others"
	expect_count 1 "plugin $PDIR/new_proc.so refused: the file is owned by uid 65534, not root" \
		"plugin not owned by root"
	note "plugin file writable by others (root): $(grep -F swap_spike.so "$LOG")"
	note "plugin file owned by uid 65534 (root): $(grep -F new_proc.so "$LOG")"
fi

# --- a detector whose evaluate fails every tick: one line, not one per tick.
sleep 3
alive $daemon "evaluate fails"
expect_count 1 "detector evaluate_fails: evaluate failed (1 times)" "evaluate fails"
expect_count 1 "evaluate_fails" "evaluate fails (lines in 3 s = 30 ticks)"
note "evaluate fails every tick: one line in 30 ticks: $(grep -F evaluate_fails "$LOG")"
only_expected "plugin $PDIR/" "create_fails" "evaluate_fails"

# --- manual dumps. The stdout sink (JSON lines) runs after json_file, so
# its line for a dump says that dump went through the sinks, whatever
# they logged.
delivered() { wc -l <"$TMP/d1.out"; }
delivered_above() { [ "$(delivered)" -gt "$1" ]; }
request_dump() {
	before=$(delivered)
	kill -USR1 $daemon
	wait_for 5 delivered_above "$before" || fail "SIGUSR1: no dump delivered within 5 s"
	ID=$(tail -n 1 "$TMP/d1.out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
	[ -n "$ID" ] || fail "no dump id on the stdout sink"
}
dump_file() { echo "$DUMPS"/spike_*_"$ID".json; }     # spike_<sequence>_<id>.json

mark
request_dump
[ -f "$(dump_file)" ] || fail "json_file did not write $(dump_file) although emit_fails failed"
check_dump "$(dump_file)" 0 5
expect_count 1 "sink emit_fails failed on dump $ID" "emit fails"
only_expected "sink emit_fails failed on dump"
note "emit fails every dump: one core line when it starts failing, the other sinks still get it: $(grep -F 'sink emit_fails' "$LOG" | head -n 1)"

# dir_fault NAME "WHAT" "BREAK" "FIX": the dump directory broken by the
# shell command BREAK; two dumps lost, json_file saying WHAT once; FIX,
# and the next dump is written with samples taken after the fix.
dir_fault() {
	mark
	eval "$3" || fail "$1: cannot make the fault"
	request_dump
	lost1=$ID
	request_dump
	lost2=$ID
	alive $daemon "$1"
	ls "$DUMPS"/spike_*_"$lost1".json "$DUMPS"/spike_*_"$lost2".json >/dev/null 2>&1 &&
		fail "$1: a dump was written although the directory is broken"
	expect_count 1 "json_file: $DUMPS: $2" "$1"
	# The core's own line when the sink starts failing: one for two dumps.
	n=$(count_since "sink json_file failed on dump")
	[ "$n" -eq 1 ] || fail "$1: $n core lines for two lost dumps"
	only_expected "json_file: $DUMPS: $2" "sink json_file failed on dump" "sink emit_fails failed on dump"
	shown=$(since | grep -F "json_file: $DUMPS: $2")
	eval "$4" || fail "$1: cannot clear the fault"
	fixed=$(date +%s%N)
	no_partial "$DUMPS"
	request_dump
	[ -f "$(dump_file)" ] || fail "$1: no dump written once the fault cleared"
	check_dump "$(dump_file)" "$fixed" 5
	expect_count 1 "json_file: $DUMPS: writing dumps again" "$1 (recovery)"
	expect_count 1 "sink json_file delivered dump $ID after 2 failed" "$1 (core's recovery line)"
	no_partial "$DUMPS"
	note "dump dir $1: one line for two lost dumps (+1 core line at the first), no partial file, recovers: $shown"
}

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

# --- not writable.
if [ $FS_MOUNTED = 1 ]; then
	dir_fault "on a read-only filesystem" "cannot create a temp file: Read-only file system" \
		'mount -o remount,ro "$TMP/fs"' 'mount -o remount,rw "$TMP/fs"'
elif [ $ROOT = 0 ]; then
	dir_fault "not writable (mode 0555)" "cannot create a temp file: Permission denied" \
		'chmod 0555 "$DUMPS"' 'chmod 0750 "$DUMPS"'
else
	note "SKIP dump dir not writable: root ignores modes and no mount namespace here"
fi

# --- a full filesystem.
if [ $FS_MOUNTED = 1 ]; then
	dir_fault "on a full filesystem" "cannot write the dump: No space left on device" \
		'dd if=/dev/zero of="$TMP/fs/filler" bs=64k 2>/dev/null; [ -s "$TMP/fs/filler" ]' \
		'rm -f "$TMP/fs/filler"'
else
	note "SKIP dump dir on a full filesystem: needs root and a mount namespace"
fi

# --- processes exiting mid-sample: short-lived processes for 10 s, more
# than 100 a second, while the daemon samples every 0.1 s.
mark
sh -c 'end=$(($(date +%s) + 10)); while [ "$(date +%s)" -lt "$end" ]; do
	i=0; while [ $i -lt 10 ]; do /bin/true & /bin/sleep 0.01; i=$((i + 1)); done
done; wait' &
churn=$!
started $churn
sleep 5
request_dump
python3 - "$(dump_file)" <<'PY' >"$TMP/rate" || fail "mid-churn dump"
import json, sys
s = json.load(open(sys.argv[1]))["samples"]
secs = (s[-1]["mono_ns"] - s[0]["mono_ns"]) / 1e9
forks = sum(x["forks"] for x in s[1:])
# About 150 a second here; a loaded machine forks slower, and the daemon
# is what is under test, not the machine.
assert secs > 0 and forks / secs >= 50, (forks, secs)
print("%.0f" % (forks / secs))
PY
wait_for 10 sh -c "! kill -0 $churn 2>/dev/null" || fail "the churn loop did not end in time"
stop $churn
alive $daemon "processes exiting mid-sample"
fixed=$(date +%s%N)
request_dump
check_dump "$(dump_file)" "$fixed" 5
only_expected "sink emit_fails failed on dump"
note "processes exiting mid-sample ($(cat "$TMP/rate") forks/s for 10 s at 0.1 s): no log line, still sampling"

# The broken detector said it once in all those ticks.
expect_count 0 "evaluate_fails" "evaluate fails (later)"
[ "$(count_all "evaluate_fails")" -eq 1 ] || fail "evaluate fails: more than one line"
[ "$(count_all "sink emit_fails failed")" -le "$(count_all ": incident ")" ] ||
	fail "emit fails: more than one line per dump"
stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon 1 exited $STATUS on SIGTERM"
no_partial "$DUMPS"

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
plugin_dir = "$PLUGINS"
sinks {
  json_file { dir = "$TMP/pdumps" }
}
CONF
"$SPIKETRACE" --foreground --config "$TMP/d2.conf" --proc-root "$P" >"$TMP/d2.out" 2>"$LOG" &
daemon=$!
started $daemon
wait_for 5 grep -q "sampling $P" "$LOG" || fail "daemon 2 did not start"
MARK=0
only_expected

ndumps() { ls "$TMP/pdumps" 2>/dev/null | grep -c '^spike_.*\.json$'; }
ndumps_above() { [ "$(ndumps)" -gt "$1" ]; }
request_dump2() {
	before=$(ndumps)
	kill -USR1 $daemon
	wait_for 5 ndumps_above "$before" || fail "SIGUSR1: no dump within 5 s"
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

# --- a process's stat truncated, garbage, emptied, missing: skipped; the
# first malformed one says so once, the others are as if gone.
mark
printf '101 (victim) S 1' >"$P/101/stat"
head -c 600 /dev/urandom >"$P/102/stat"
: >"$P/103/stat"
mkdir "$P/105"
fake_pid 106 late 10
sleep 1
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
sleep 0.5
request_dump2
[ "$(pids_in_dump "$DUMP")" = "1 100 101 102 104 106" ] ||
	fail "repaired stat files: pids $(pids_in_dump "$DUMP")"

# sys_fault FILE "WHAT" "BREAK": a system file broken for 1 s (10 ticks):
# the ticks fail, saying so once (and at most once more on recovery); the
# file restored, sampling resumes.
sys_fault() {
	mark
	eval "$3"
	sleep 1
	alive $daemon "$1"
	n=$(count_since "$P/$1")
	shown=$(since | grep -F "$P/$1" | head -n 1)
	cat "$TMP/$1.good" >"$P/$1"
	fixed=$(date +%s%N)
	request_dump2
	check_dump "$DUMP" "$fixed" 5
	[ "$n" -ge 1 ] || fail "$1 $2: no log line"
	n=$(count_since "$P/$1")
	[ "$n" -le 2 ] || fail "$1 $2: $n log lines in 1 s, expected one (and one on recovery)"
	only_expected "$P/$1"
	note "fake proc: $1 $2 for 10 ticks: $n line(s), sampling resumes when fixed: $shown"
}
sys_fault stat "garbled (no cpu line)" 'printf "garbage\n\001\002\377\n" >"$P/stat"'
sys_fault stat "emptied" ': >"$P/stat"'
sys_fault stat "truncated mid-line" 'head -c 20 "$TMP/stat.good" >"$P/stat"'
sys_fault meminfo "garbled (no MemTotal)" 'printf "MemFree: lots\n" >"$P/meminfo"'
sys_fault meminfo "emptied" ': >"$P/meminfo"'

mark
printf 'not a number\n' >"$P/uptime"
sleep 0.5
cat "$TMP/uptime.good" >"$P/uptime"
fixed=$(date +%s%N)
request_dump2
check_dump "$DUMP" "$fixed" 5
only_expected
note "fake proc: uptime garbled: no log line (new processes' CPU since start reads 0), still sampling"

stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon 2 exited $STATUS on SIGTERM"
no_partial "$TMP/pdumps"

# ------------------- daemon 3, as root: a plugin directory others may write
if [ $ROOT = 1 ]; then
	mkdir "$TMP/plugins_ow"
	cp "$PLUGINS/json_file.so" "$TMP/plugins_ow/"
	chmod 0777 "$TMP/plugins_ow"
	timeout 10 "$SPIKETRACE" --foreground --config "$TMP/d1.conf" \
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
