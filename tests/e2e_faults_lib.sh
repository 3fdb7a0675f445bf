# Shared by tests/e2e_faults*.sh: the real daemon under faults. Waits are
# for states (a log line, a dump, a count of ticks), each with a deadline,
# never for a time: the daemons log at debug level, one "tick late by"
# line per tick, so "N ticks since the fault" is a count in the log.

# As root, the script that sources this re-runs itself in a private mount
# namespace, where it may mount a small tmpfs for the dump directory (full,
# read-only) that nobody else sees.
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
NS=${ST_E2E_FAULTS_NS:-0}
TEST_PLUGINS="$top_builddir/tests/plugins/.libs"
# Apart, so that test_plugin_loader's count of tests/plugins stays right.
FAULT_PLUGINS="$top_builddir/tests/fault_plugins/.libs"
REPORT="$TMP/report"
: >"$REPORT"
# Deadlines: far above what an idle machine needs, so that only a daemon
# that is stuck (not one that is slowed by load) misses them.
DEADLINE=30

# What we mounted (lazily: our daemons may still hold it, and the mount
# namespace is ours alone), then e2e_lib.sh's cleanup.
FS_MOUNTED=0
faults_cleanup() {
	[ "$FS_MOUNTED" = 1 ] && umount -l "$TMP/fs" 2>/dev/null
	cleanup
}
trap faults_cleanup EXIT

# The log of the daemon at hand, on failure (its debug lines left out).
fail() {
	echo "FAIL: $*" >&2
	[ -f "$LOG" ] && { echo "--- $LOG:" >&2; grep -v "$DEBUG_LINE" "$LOG" >&2; }
	exit 1
}

# skip WHY: this script's case cannot run here (automake's 77).
skip() {
	echo "SKIP: $*"
	exit 77
}

note() {
	echo "$*"
	echo "$*" >>"$REPORT"
}

# ------------------------------------------------------------ log helpers
LOG="$TMP/daemon.log"
DEBUG_LINE='^spiketrace: debug: '
mark() { MARK=$(wc -l <"$LOG"); }
since_all() { tail -n +"$((MARK + 1))" "$LOG"; }
since() { since_all | grep -v "$DEBUG_LINE"; }
count_since() { since | grep -cF -- "$1"; }
lines_with() { grep -v "$DEBUG_LINE" "$LOG" | grep -F -- "$1"; }
count_all() { lines_with "$1" | grep -c .; }
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

# Ticks the daemon ran since the mark: each logs one line at debug level.
ticks_since() { since_all | grep -c '^spiketrace: debug: tick late by'; }
ticks_at_least() { [ "$(ticks_since)" -ge "$1" ]; }
logged_since() { since | grep -qF -- "$1"; }
# wait_ticks N WHAT: until the daemon ran N ticks since the mark.
wait_ticks() {
	wait_for $DEADLINE ticks_at_least "$1" ||
		fail "$2: $(ticks_since) ticks in $DEADLINE s, waited for $1"
}
# wait_logged PATTERN WHAT: until a line since the mark holds PATTERN.
wait_logged() {
	wait_for $DEADLINE logged_since "$1" ||
		fail "$2: no log line with '$1' within $DEADLINE s"
}

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

# ------------------------------------------------------------- daemon 1
# faults_mount_fs: a 2 MiB tmpfs at $TMP/fs, when in our own namespace.
faults_mount_fs() {
	mkdir -p "$TMP/fs" || fail "mkdir $TMP/fs"
	if [ "$NS" = 1 ] && mount -t tmpfs -o size=2m,mode=0755 spiketrace-e2e-faults "$TMP/fs"; then
		FS_MOUNTED=1
	fi
}

# faults_daemon1: the real /proc, a plugin directory of copies of the real
# plugins and of broken test plugins, only the broken detectors on, sinks
# json_file (into $DUMPS), emit_fails and stdout (JSON lines, $TMP/d1.out);
# $daemon once it samples, the log marked at its start.
faults_daemon1() {
	PDIR="$TMP/plugins"
	mkdir "$PDIR" || fail "mkdir $PDIR"
	chmod 0755 "$PDIR"
	# Copies, not symlinks: the loader opens with O_NOFOLLOW, and a
	# plugin's name must match its file's.
	for f in "$PLUGINS"/*.so; do
		cp "$f" "$PDIR/" || fail "cannot copy $f"
	done
	for f in "$TEST_PLUGINS/bad_abi.so" "$TEST_PLUGINS/no_entry.so" \
		 "$TEST_PLUGINS/create_fails.so" "$FAULT_PLUGINS/evaluate_fails.so" \
		 "$FAULT_PLUGINS/emit_fails.so"; do
		[ -f "$f" ] || fail "test plugin $f not built (make check builds it)"
		cp "$f" "$PDIR/" || fail "cannot copy $f"
	done
	chmod 0644 "$PDIR"/*.so
	if [ $ROOT = 1 ]; then
		# As root, nobody but root may have written a plugin.
		chmod 0646 "$PDIR/swap_spike.so"
		chown 65534 "$PDIR/new_proc.so"
	fi
	mkdir -p "$TMP/fs" || fail "mkdir $TMP/fs"
	DUMPS="$TMP/fs/dumps"

	printf 'plugin_dir = "%s"\n' "$PDIR" >"$TMP/list.conf"
	DETECTORS=$("$SPIKETRACE" --list-plugins --config "$TMP/list.conf" 2>/dev/null |
		    awk '$1 == "detector" { print $2 }')
	case " $(echo $DETECTORS) " in
	*" evaluate_fails "*) ;;
	*) fail "spiketrace --list-plugins does not list evaluate_fails: $DETECTORS" ;;
	esac
	# Only the broken detectors run: a spike elsewhere on the machine must
	# not add dumps the counts do not expect.
	{
		echo "interval = 0.1"
		echo "history = 20"
		echo "pre_trigger = 3"
		echo "post_trigger = 1"
		echo "top = 3"
		echo "max_dumps_per_minute = 600"
		echo "log_level = \"debug\""
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
	wait_for $DEADLINE grep -q "sampling /proc" "$LOG" || fail "daemon 1 did not start"
	MARK=0
}

# request_dump: SIGUSR1 to daemon 1 and its dump through every sink; its
# id in ID. The stdout sink (JSON lines) runs after json_file, so its line
# for a dump says that dump went through the sinks, whatever they logged.
delivered() { wc -l <"$TMP/d1.out"; }
delivered_above() { [ "$(delivered)" -gt "$1" ]; }
request_dump() {
	before=$(delivered)
	kill -USR1 $daemon
	wait_for $DEADLINE delivered_above "$before" ||
		fail "SIGUSR1: no dump delivered within $DEADLINE s"
	ID=$(tail -n 1 "$TMP/d1.out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
	[ -n "$ID" ] || fail "no dump id on the stdout sink"
}
dump_file() { echo "$DUMPS"/spike_*_"$ID".json; }     # spike_<sequence>_<id>.json

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

# faults_stop_daemon1: SIGTERM, exit 0, no partial dump left.
faults_stop_daemon1() {
	stop $daemon
	[ "$STATUS" -eq 0 ] || fail "daemon 1 exited $STATUS on SIGTERM"
	no_partial "$DUMPS"
}
