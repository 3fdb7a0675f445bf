#!/bin/sh
# The journald sink against a real systemd-journald, started by the test in
# a private mount namespace (tmpfs on /run and /var/log: PID 1 here need
# not be systemd, and the machine's journal is not touched): an incident of
# the real daemon is found by `journalctl SPIKETRACE_TYPE=manual` with its
# fields, sent by the daemon's pid; with journald gone the daemon says so
# once and keeps sampling; journald back, the next incident arrives and
# the return is said.
JOURNALD=
for j in /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald; do
	[ -x "$j" ] && { JOURNALD=$j; break; }
done
[ -n "$JOURNALD" ] || { echo "SKIP: no systemd-journald (Debian's systemd package)"; exit 77; }
for c in journalctl unshare python3; do
	command -v "$c" >/dev/null 2>&1 || { echo "SKIP: $c not found"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for a private mount namespace"; exit 77; }
if [ "${ST_E2E_NAMESPACED:-}" != 1 ]; then
	unshare -m true 2>/dev/null || { echo "SKIP: unshare -m is not permitted here"; exit 77; }
	ST_E2E_NAMESPACED=1 JOURNALD=$JOURNALD exec timeout 120 unshare -m sh "$0"
fi

# In the namespace from here on.
. "${top_srcdir:-.}/tests/e2e_lib.sh"
mount -t tmpfs tmpfs /run || fail "cannot mount a tmpfs on /run"
mount -t tmpfs tmpfs /var/log || fail "cannot mount a tmpfs on /var/log"
mkdir -p /run/systemd/journal /run/log/journal
SOCKET=/run/systemd/journal/socket

start_journald() {
	"$JOURNALD" >>"$TMP/journald.log" 2>&1 &
	journald=$!
	started $journald
	wait_for 10 test -S "$SOCKET" || fail "systemd-journald made no $SOCKET"
}
entries() {
	journalctl --directory=/run/log/journal SPIKETRACE_TYPE=manual -o json --no-pager \
		2>/dev/null | grep -c SPIKETRACE_DUMP
}
has_entries() { [ "$(entries)" -ge "$1" ]; }
logged() { grep -q "$1" "$LOG"; }
dumps_at_least() { [ "$(ls "$TMP"/dumps/spike_*.json 2>/dev/null | wc -l)" -ge "$1" ]; }

start_journald
start_sinks_daemon "  journald { }"

kill -USR1 $daemon
wait_for 10 dumps_at_least 1 || fail "SIGUSR1 gave no dump"
wait_for 10 has_entries 1 || fail "no journal entry with SPIKETRACE_TYPE=manual"
DUMP=$(ls "$TMP"/dumps/spike_*.json | head -n 1)
journalctl --directory=/run/log/journal SPIKETRACE_TYPE=manual -o json --no-pager \
	>"$TMP/entries.json" || fail "journalctl: exit $?"
python3 - "$TMP/entries.json" "$DUMP" "$daemon" <<'PY' || fail "the journal entry: see above"
import json, sys
e = json.loads(open(sys.argv[1]).read().splitlines()[0])
want = {"SYSLOG_IDENTIFIER": "spiketrace", "PRIORITY": "5", "SPIKETRACE_TYPE": "manual",
        "SPIKETRACE_PID": "0", "SPIKETRACE_TRIGGERS": "1", "SPIKETRACE_DUMP": sys.argv[2],
        "_PID": sys.argv[3], "_TRANSPORT": "journal"}
for k, v in want.items():
    assert e.get(k) == v, "%s is %r, not %r" % (k, e.get(k), v)
assert e["MESSAGE"].startswith("manual: dump requested with SIGUSR1; dump: "), e["MESSAGE"]
print("journal entry: %s" % e["MESSAGE"])
PY

# journald gone: said once, the daemon goes on
stop $journald
kill -USR1 $daemon
wait_for 10 dumps_at_least 2 || fail "no second dump"
wait_for 10 logged "entries are lost until it answers" ||
	fail "the lost journal was not said"
kill -USR1 $daemon
wait_for 10 dumps_at_least 3 || fail "no third dump"
[ "$(grep -c "entries are lost until it answers" "$LOG")" -eq 1 ] ||
	fail "the lost journal was said more than once"
kill -0 $daemon 2>/dev/null || fail "the daemon died without journald"

# journald back: the next incident arrives, and that is said
start_journald
kill -USR1 $daemon
wait_for 10 dumps_at_least 4 || fail "no fourth dump"
wait_for 10 logged "entries are delivered again" || fail "the journal's return was not said"
wait_for 10 has_entries 2 || fail "no entry once journald was back"

stop $daemon
[ "$STATUS" -eq 0 ] || fail "the daemon exited with $STATUS"
stop $journald
echo "PASS: incidents in a real journal, SPIKETRACE_* fields; journald gone and back"
