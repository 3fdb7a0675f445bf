# Shared by the end-to-end tests: a private temp dir, a config writer, the
# real daemon started in the background, waiting with a deadline, and a
# cleanup that ends only the processes this test started, by pid.
set -u
: "${top_builddir:?run through make check}"
: "${top_srcdir:?run through make check}"

SPIKETRACE="$top_builddir/spiketrace"
VIEW="$top_builddir/spiketrace-view"
PLUGINS="$top_builddir/plugins/.libs"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/spiketrace-e2e.XXXXXX")
STARTED_PIDS=""

cleanup() {
	for pid in $STARTED_PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $STARTED_PIDS; do
		wait "$pid" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
# Killed (a timeout, ^C): exit, so that the EXIT trap ends our processes.
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

fail() {
	echo "FAIL: $*" >&2
	[ -f "$TMP/daemon.log" ] && { echo "--- daemon log:" >&2; cat "$TMP/daemon.log" >&2; }
	exit 1
}

# started PID: remember a process of ours for cleanup.
started() { STARTED_PIDS="$STARTED_PIDS $1"; }

# stop PID: SIGTERM one of our processes and wait for it; its exit status
# is left in STATUS. (Not in a $(...) subshell: only this shell can wait.)
stop() {
	kill -TERM "$1" 2>/dev/null
	wait "$1"
	STATUS=$?
	STARTED_PIDS=$(echo "$STARTED_PIDS" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}

# wait_for SECONDS COMMAND...: poll every 50 ms until COMMAND succeeds.
wait_for() {
	limit=$1; shift
	end=$(( $(date +%s%N) + limit * 1000000000 ))
	while [ "$(date +%s%N)" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# dump_naming TYPE [PID]: the first dump in $TMP/dumps (by name, so in
# the order written) with a TYPE trigger, naming PID when given, into $DUMP; returns 1
# while there is none. A trigger may open an incident or join one that
# something else on the machine opened: every trigger of every dump counts.
# A cheap grep first: a python3 every 50 ms would be a busy process itself.
dump_naming() {
	grep -qs "\"$1\"" "$TMP"/dumps/spike_*.json || return 1
	# ... and the pid, when one is asked for: another detector's dump must
	# not start a python3 every 50 ms (it would be the spike the test sees).
	[ -z "${2:-}" ] || grep -qsE "\"pid\":[[:space:]]*$2([^0-9]|\$)" "$TMP"/dumps/spike_*.json ||
		return 1
	DUMP=$(python3 - "$TMP/dumps" "$1" "${2:--1}" <<'PY'
import glob, json, sys
want, pid = sys.argv[2], int(sys.argv[3])
for f in sorted(glob.glob(sys.argv[1] + "/spike_*.json")):
    d = json.load(open(f))
    if any(t["type"] == want and (pid < 0 or t["pid"] == pid) for t in d["triggers"]):
        print(f)
        sys.exit(0)
sys.exit(1)
PY
)
}

# burst_named EXE: EXE (a copy of cpu_burner under a name of the test's)
# idle for 1 s, then 2 s of CPU time, until the cpu_delta dump naming it
# is in $DUMP; its pid in $burner, ended. Seen idle first, so the burst is
# a jump from 0 whatever else the machine runs; CPU time, so that a loaded
# machine stretches it.
burst_named() {
	"$1" 1000 2000 cpu &
	burner=$!
	started $burner
	wait_for 20 dump_naming cpu_delta "$burner" || fail "no cpu_delta dump naming pid $burner"
	stop $burner
}

# The detectors built, one name a line, in DETECTORS.
list_detectors() {
	printf 'plugin_dir = "%s"\n' "$PLUGINS" >"$TMP/list.conf"
	DETECTORS=$("$SPIKETRACE" --list-plugins --config "$TMP/list.conf" 2>/dev/null |
		    awk '$1 == "detector" { print $2 }')
	[ -n "$DETECTORS" ] || fail "spiketrace --list-plugins shows no detector"
}

# write_config FILE "KEEP" "DETECTOR LINES" "SINK LINES" ["SETTINGS"]: a
# config at 0.2 s (or with SETTINGS, the lines before the sections,
# instead) with every detector but those named in KEEP disabled (call
# list_detectors first), so a spike elsewhere on the machine does not open
# the incident a test looks at (it may still open one its trigger joins).
write_config() {
	{
		printf '%s\n' "${5:-interval = 0.2
history = 30
pre_trigger = 5
post_trigger = 3
max_dumps_per_minute = 60}"
		echo "plugin_dir = \"$PLUGINS\""
		echo "detectors {"
		for d in $DETECTORS; do
			case " $2 " in
			*" $d "*) ;;
			*) echo "  $d { enabled = false }" ;;
			esac
		done
		printf '%s\n' "$3"
		echo "}"
		echo "sinks {"
		printf '%s\n' "$4"
		echo "}"
	} >"$1"
}

# start_daemon [CONF]: the real daemon on CONF (default
# $TMP/spiketrace.conf), its log in $LOG (default $TMP/daemon.log), its
# pid in $daemon, once it samples.
start_daemon() {
	LOG="${LOG:-$TMP/daemon.log}"
	# A daemon before it in the same log: its "sampling /proc" must not
	# pass for this one's.
	rm -f "$LOG"
	"$SPIKETRACE" --foreground --config "${1:-$TMP/spiketrace.conf}" >/dev/null 2>"$LOG" &
	daemon=$!
	started $daemon
	wait_for 10 grep -q "sampling /proc" "$LOG" || fail "the daemon did not start"
}

# start_sinks_daemon "SINK LINES": the real daemon at 0.5 s, every detector
# off (SIGUSR1 makes the incidents), the json_file sink into $TMP/dumps and
# these sinks; its log in $LOG, its pid in $daemon, once it samples.
start_sinks_daemon() {
	list_detectors
	write_config "$TMP/spiketrace.conf" "" "" "  json_file { dir = \"$TMP/dumps\" }
$1" "interval = 0.5
history = 20
pre_trigger = 2
post_trigger = 1
fast_interval = 0"
	start_daemon
}
