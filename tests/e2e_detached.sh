#!/bin/sh
# Without --foreground: the command returns once the daemon has detached,
# the daemon (named by its pid in its start line) keeps sampling, a stdout
# sink, which would print to /dev/null, is warned about, and SIGTERM still
# ends it with its exit line.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

cat >"$TMP/spiketrace.conf" <<EOC
interval = 0.2
plugin_dir = "$PLUGINS"
sinks {
  json_file { dir = "$TMP/dumps" }
  stdout { }
}
EOC

start=$(now_ms)
"$SPIKETRACE" --config "$TMP/spiketrace.conf" 2>"$TMP/daemon.log"
rc=$?
[ $rc -eq 0 ] || fail "spiketrace without --foreground exited $rc"
[ $(( $(now_ms) - start )) -lt 5000 ] || fail "the command did not return once detached"
grep -q "sink stdout is enabled, but without --foreground" "$TMP/daemon.log" ||
	fail "no warning about the stdout sink"

started_line() { grep -q "sampling /proc every .*, pid [0-9]" "$TMP/daemon.log"; }
wait_for 5 started_line || fail "the detached daemon did not start"
pid=$(sed -n 's/.*sampling \/proc every .*, pid \([0-9]*\).*/\1/p' "$TMP/daemon.log")
kill -0 "$pid" 2>/dev/null || fail "pid $pid from the start line is not running"
started "$pid"
[ "$(cut -d' ' -f1 "/proc/$pid/stat")" = "$pid" ] || fail "no /proc/$pid"
# A new session and the root directory, as a daemon should.
[ "$(readlink "/proc/$pid/cwd")" = / ] || fail "cwd is $(readlink "/proc/$pid/cwd"), not /"
sid=$(awk '{ sub(/.*\) /, ""); print $4 }' "/proc/$pid/stat")
[ "$sid" = "$pid" ] || fail "session $sid: not a session leader"

kill -TERM "$pid"
gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_for 10 gone || fail "SIGTERM: pid $pid still running after 10 s"
STARTED_PIDS=""
grep -q "samples: .* of the listed processes read" "$TMP/daemon.log" ||
	fail "no exit line after SIGTERM"
echo "PASS"
