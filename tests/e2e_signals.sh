#!/bin/sh
# Signals and readiness of the real daemon: READY=1 through $NOTIFY_SOCKET,
# SIGUSR1 records a dump now, SIGHUP reloads
# the config (a bad one is reported and the old one kept), and SIGTERM
# still writes the dump of an open incident.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

write_conf() {   # write_conf POST_TRIGGER [EXTRA]
	cat > "$TMP/spiketrace.conf" <<CONF
interval = 0.2
history = 40
pre_trigger = 3
post_trigger = $1
plugin_dir = "$PLUGINS"
${2:-}
sinks {
  json_file { dir = "$TMP/dumps" }
}
CONF
}
dumps() { ls "$TMP"/dumps/spike_*_manual_0*.json 2>/dev/null | wc -l; }
dumps_at_least() { [ "$(dumps)" -ge "$1" ]; }

# A stand-in for systemd's notification socket, bounded in time.
python3 - "$TMP/notify.sock" "$TMP/notify.log" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
end = time.time() + 60
with open(sys.argv[2], "a", buffering=1) as log:
    while time.time() < end:
        try:
            log.write(s.recv(4096).decode() + "\n")
        except socket.timeout:
            pass
PY
listener=$!
started $listener
wait_for 5 test -S "$TMP/notify.sock" || fail "notify listener did not start"

write_conf 2
NOTIFY_SOCKET="$TMP/notify.sock" "$SPIKETRACE" --foreground --config "$TMP/spiketrace.conf" \
	>"$TMP/daemon.log" 2>&1 &
daemon=$!
started $daemon
wait_for 5 grep -q "sampling /proc" "$TMP/daemon.log" || fail "daemon did not start"
grep -q "memory locked\|memory not locked\|cannot lock memory" "$TMP/daemon.log" || fail "no word on mlockall"
# As root the memlock limit cannot bite: the pages must really be locked.
if [ "$(id -u)" -eq 0 ] && [ -z "${ST_SANITIZERS:-}" ]; then
	locked=$(awk '/^VmLck:/ { print $2 }' /proc/$daemon/status)
	[ "${locked:-0}" -gt 0 ] || fail "as root, VmLck is ${locked:-absent}"
	echo "memory locked: ${locked} kB"
fi
wait_for 3 grep -qx "READY=1" "$TMP/notify.log" || fail "no READY=1 on NOTIFY_SOCKET"

# SIGUSR1: a dump now, without any spike.
kill -USR1 $daemon
wait_for 3 dumps_at_least 1 || fail "SIGUSR1 gave no dump"

# SIGHUP with a good new config: post_trigger becomes 20 (4 s).
write_conf 20 "detectors { cpu_delta { threshold_pct = 55 } }"
kill -HUP $daemon
wait_for 3 grep -q "configuration reloaded" "$TMP/daemon.log" || fail "SIGHUP did not reload"

# SIGHUP with a bad config: reported with file and line, old one kept.
write_conf 20 "detectors { cpu_delta { threshold_pct = oops } }"
kill -HUP $daemon
wait_for 3 grep -q "spiketrace.conf:6:.*keeping the running configuration" "$TMP/daemon.log" ||
	fail "bad config on SIGHUP not reported"
kill -0 $daemon || fail "daemon died on a bad config"

# SIGHUP with options a plugin refuses as a set (its check_options): the
# same, with the line of its section; the running mem_pressure is kept.
write_conf 20 "detectors { mem_pressure { threshold_pct = 50 hysteresis_pct = 60 } }"
kill -HUP $daemon
wait_for 3 grep -q "spiketrace.conf:6: detectors/mem_pressure: hysteresis_pct (60) must be below threshold_pct (50); keeping the running configuration" "$TMP/daemon.log" ||
	fail "options mem_pressure refuses on SIGHUP not reported"
kill -0 $daemon || fail "daemon died on options a plugin refused"

# SIGTERM with an incident open (20 post-trigger samples would take 4 s):
# its dump is written at once, with the samples there are.
kill -USR1 $daemon
sleep 0.5
stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon exited $STATUS on SIGTERM"
dumps_at_least 2 || fail "SIGTERM lost the open incident's dump"
python3 - "$TMP/dumps" <<'PY' || fail "the cut-short dump"
import glob, json, sys
d = json.load(open(sorted(glob.glob(sys.argv[1] + "/spike_*_manual_0*.json"))[-1]))
after = len(d["samples"]) - 1 - d["trigger_index"]
assert 0 <= after < 20, after
print("cut-short dump: %d samples after the trigger of 20" % after)
PY
grep -qx "RELOADING=1" "$TMP/notify.log" || fail "no RELOADING=1"
grep -qx "STOPPING=1" "$TMP/notify.log" || fail "no STOPPING=1"
echo "PASS"
