#!/bin/sh
# SIGHUP while a sink is stuck in a dump: the sampling thread goes on
# (a second incident completes), the reload waits for that dump on the sink
# thread, and the dump queued meanwhile goes to the new sinks afterwards.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

SLOW="$top_builddir/tests/fault_plugins/.libs/slow_sink.so"
[ -f "$SLOW" ] || { echo "SKIP: $SLOW not built"; exit 77; }
mkdir "$TMP/plugins" && cp "$PLUGINS/json_file.so" "$SLOW" "$TMP/plugins/" ||
	fail "cannot copy the plugins"
cat >"$TMP/spiketrace.conf" <<CONF
interval = 0.1
history = 20
pre_trigger = 2
post_trigger = 1
max_dumps_per_minute = 600
plugin_dir = "$TMP/plugins"
sinks {
  json_file { dir = "$TMP/dumps" }
  slow_sink { release = "$TMP/release" }
}
CONF
LOG="$TMP/daemon.log"
incidents() { grep -c ": incident .*: manual " "$LOG"; }
incidents_at_least() { [ "$(incidents)" -ge "$1" ]; }
ndumps() { ls "$TMP"/dumps/spike_*.json 2>/dev/null | wc -l; }
ndumps_at_least() { [ "$(ndumps)" -ge "$1" ]; }

"$SPIKETRACE" --foreground --config "$TMP/spiketrace.conf" >/dev/null 2>"$LOG" &
daemon=$!
started $daemon
# "sampling /proc": the start line; "memory locked: sampling goes on"
# comes before the signals are handled.
wait_for 10 grep -q "sampling /proc" "$LOG" || fail "the daemon did not start"

# The first dump: json_file writes it, then slow_sink is stuck in it.
kill -USR1 $daemon
wait_for 10 test -e "$TMP/release.entered" || fail "slow_sink never got the first dump"
ndumps_at_least 1 || fail "json_file did not write the first dump"

kill -HUP $daemon
wait_for 10 grep -q "SIGHUP: reloading" "$LOG" || fail "no reload started"
# Sampling goes on: a second incident needs post_trigger more ticks.
kill -USR1 $daemon
wait_for 10 incidents_at_least 2 ||
	fail "no second incident while a sink was stuck: the reload held up the sampling"
grep -q "configuration reloaded" "$LOG" && fail "sinks recreated while one was in a dump"
[ "$(ndumps)" -eq 1 ] || fail "the queued dump was delivered before the reload"

# The sink lets go: the reload happens, the queued dump reaches the new sinks.
: >"$TMP/release"
wait_for 10 grep -q "configuration reloaded" "$LOG" || fail "no reload after the sink let go"
wait_for 10 ndumps_at_least 2 || fail "the dump queued during the reload was lost"
stop $daemon
[ "$STATUS" -eq 0 ] || fail "exit status $STATUS on SIGTERM"
echo "PASS"
