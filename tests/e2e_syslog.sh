#!/bin/sh
# End to end: the syslog sink against a real rsyslogd, and the stdout sink,
# in the real daemon on the real /proc.
#   1. SIGUSR1 (a manual dump, deterministic): one syslog line, at the
#      configured facility and level, naming the file json_file wrote; and
#      one JSON line on the daemon's standard output.
#   2. A busy process named with ESC, a newline and DEL: its syslog line
#      names the dump and carries the name escaped, never a raw control byte.
#
# syslog(3) always writes to /dev/log, and the machine's /dev and syslog
# must not be touched: the test re-runs itself in a private mount namespace
# where /dev is a small tmpfs of our own (the few device nodes the programs
# use bind-mounted back from the real /dev) whose /dev/log is a symlink to
# a socket in the test's temp dir, served by an rsyslogd of our own.
set -u

skip() {
	echo "SKIP: $*"
	exit 77
}

if [ "${ST_E2E_SYSLOG_NAMESPACE:-}" != 1 ]; then
	[ "$(id -u)" -eq 0 ] || skip "needs root for a private mount namespace"
	command -v unshare >/dev/null 2>&1 || skip "unshare(1) is not installed"
	unshare --mount --propagation private true 2>/dev/null ||
		skip "cannot create a mount namespace here"
	export ST_E2E_SYSLOG_NAMESPACE=1
	exec unshare --mount --propagation private -- sh "$0" "$@"
fi

RSYSLOGD=$(command -v rsyslogd 2>/dev/null || echo /usr/sbin/rsyslogd)
[ -x "$RSYSLOGD" ] || skip "rsyslogd is not installed (Debian package rsyslog)"

. "${top_srcdir:-.}/tests/e2e_lib.sh"

show_logs() {
	for f in rsyslogd.log syslog.out; do
		[ -f "$TMP/$f" ] && { echo "--- $f:" >&2; cat -A "$TMP/$f" >&2; }
	done
}
syslog_fail() {
	show_logs
	fail "$@"
}

# ------------------------------------------------------- a private /dev
# Built in a staging directory, then moved onto /dev in one step, so that
# nothing stays mounted under $TMP for the cleanup's rm -rf to walk into.
stage="$TMP/dev"
mkdir "$stage" || fail "mkdir $stage"
mount -t tmpfs -o mode=0755,size=64k spiketrace-e2e-dev "$stage" ||
	skip "cannot mount a tmpfs in the namespace"
for node in null zero full random urandom tty; do
	[ -e "/dev/$node" ] || continue
	: >"$stage/$node"
	mount --bind "/dev/$node" "$stage/$node" || fail "cannot bind /dev/$node"
done
ln -s /proc/self/fd "$stage/fd"
ln -s /proc/self/fd/0 "$stage/stdin"
ln -s /proc/self/fd/1 "$stage/stdout"
ln -s /proc/self/fd/2 "$stage/stderr"
ln -s "$TMP/log.sock" "$stage/log"
mount --move "$stage" /dev || fail "cannot move the private /dev into place"

# --------------------------------------------------- a private rsyslogd
# Control-character escaping is rsyslog's default (ESC -> "#033"): turned
# off, so what reaches the file is exactly what the sink sent.
mkdir "$TMP/rsyslog"
cat >"$TMP/rsyslog.conf" <<CONF
global(workDirectory="$TMP/rsyslog"
       parser.escapeControlCharactersOnReceive="off")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$TMP/log.sock" RateLimit.Interval="0")
template(name="line" type="string"
         string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg:::sp-if-no-1st-sp%%msg%\n")
*.* action(type="omfile" file="$TMP/syslog.out" template="line")
CONF
"$RSYSLOGD" -n -f "$TMP/rsyslog.conf" -i "$TMP/rsyslogd.pid" >"$TMP/rsyslogd.log" 2>&1 &
rsyslogd=$!
started $rsyslogd
wait_for 5 test -S "$TMP/log.sock" || syslog_fail "rsyslogd did not open its socket"
wait_for 5 test -s "$TMP/rsyslogd.pid" || syslog_fail "rsyslogd wrote no pid file"
[ "$(cat "$TMP/rsyslogd.pid")" = "$rsyslogd" ] || syslog_fail "rsyslogd pid file disagrees"

# Every detector off but the ones a phase asks for: a spike elsewhere on
# the machine must not open the incident the phase looks at.
list_detectors

# syslog_line PATTERN: the first line of ours in syslog.out matching the
# fixed string PATTERN, in LINE.
syslog_line() {
	LINE=$(grep -a " spiketrace\[" "$TMP/syslog.out" 2>/dev/null | grep -aF -- "$1" | head -n 1)
	[ -n "$LINE" ]
}

# ---------------------------------------------- phase 1: SIGUSR1 (manual)
write_config "$TMP/manual.conf" "" "" "
  json_file { dir = \"$TMP/dumps\" }
  syslog { facility = \"local3\" level = \"warning\" ident = \"spiketrace\" }
  stdout { format = \"json\" }"

"$SPIKETRACE" --foreground --config "$TMP/manual.conf" \
	>"$TMP/stdout.jsonl" 2>"$TMP/daemon.log" &
daemon=$!
started $daemon
wait_for 5 grep -q "sampling /proc" "$TMP/daemon.log" || fail "daemon did not start"
kill -USR1 $daemon
wait_for 5 syslog_line "manual" || syslog_fail "no syslog line for the manual dump within 5 s"
echo "syslog: $LINE"

# The facility and level asked for, the daemon's pid, the file json_file wrote.
case "$LINE" in
"local3.warning spiketrace[$daemon]: manual: dump requested with SIGUSR1; dump: $TMP/dumps/spike_"*.json) ;;
*) syslog_fail "unexpected syslog line: $LINE" ;;
esac
DUMP=${LINE##*; dump: }
[ -f "$DUMP" ] || syslog_fail "the syslog line names $DUMP, which does not exist"
python3 - "$DUMP" <<'PY' || syslog_fail "dump content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["triggers"][0]["type"] == "manual", d["triggers"]
PY

# The stdout sink: one JSON line for that dump, the same document.
wait_for 3 test -s "$TMP/stdout.jsonl" || fail "stdout sink wrote nothing"
python3 - "$TMP/stdout.jsonl" "$DUMP" <<'PY' || fail "stdout sink output"
import json, sys
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b"\n") and raw.count(b"\n") == 1, raw[:200]
line = json.loads(raw)
dump = json.load(open(sys.argv[2]))
assert line["schema"] == "spiketrace.dump/1", line["schema"]
assert line["id"] == dump["id"], (line["id"], dump["id"])
assert line["triggers"][0]["type"] == "manual", line["triggers"]
PY

stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon exited $STATUS on SIGTERM"

# --------------------------------------- phase 2: a hostile process name
# ESC, a newline and DEL in the executable's name: the kernel's comm.
name=$(printf 'ev\nil\033[1mx\177')
cp "$top_builddir/tests/cpu_burner" "$TMP/$name" || fail "cannot copy cpu_burner"
write_config "$TMP/burn.conf" "cpu_delta" "  cpu_delta { threshold_pct = 40 cooldown = 5 }" "
  json_file { dir = \"$TMP/dumps\" }
  syslog { }"

"$SPIKETRACE" --foreground --config "$TMP/burn.conf" >"$TMP/daemon.log" 2>&1 &
daemon=$!
started $daemon
wait_for 5 grep -q "sampling /proc" "$TMP/daemon.log" || fail "daemon did not start"
"$TMP/$name" 600 8000 &
burner=$!
started $burner

# The dump that names the burner, then that dump's syslog line.
wait_for 5 dump_naming cpu_delta "$burner" || fail "no cpu_delta dump naming pid $burner within 5 s"
wait_for 3 syslog_line "; dump: $DUMP" || syslog_fail "no syslog line names $DUMP"
echo "syslog: $LINE"
case "$LINE" in
"daemon.notice spiketrace[$daemon]: cpu_delta: "*" against threshold 40.0%"*) ;;
*) syslog_fail "unexpected syslog line: $LINE" ;;
esac
first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["triggers"][0]["pid"])' "$DUMP")
if [ "$first" = "$burner" ]; then
	printf '%s\n' "$LINE" | grep -qF ": pid $burner (ev\\nil\\x1b[1mx\\x7f) at " ||
		syslog_fail "the burner's name is not shown escaped: $LINE"
else
	echo "note: pid $first opened the incident; the burner joined it"
fi

stop $burner
stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon exited $STATUS on SIGTERM"

# Nothing the sink sent carried a control byte: every line of the file is
# a whole record (a raw newline would start one without the prefix), and
# no byte below 0x20 but the newline, nor DEL, is anywhere in it.
python3 - "$TMP/syslog.out" <<'PY' || syslog_fail "raw control bytes in syslog"
import re, sys
raw = open(sys.argv[1], "rb").read()
for line in raw.split(b"\n")[:-1]:
    assert re.match(rb"^[a-z0-9]+\.[a-z]+ \S", line), line
ours = [l for l in raw.split(b"\n") if b" spiketrace[" in l]
assert len(ours) >= 2, ours
for l in ours:
    bad = [c for c in l if c < 0x20 or c >= 0x7f]
    assert not bad, (l, bad)
    # The sink's text leaves room for syslog(3)'s header in 1024 bytes.
    assert len(l.split(b"]: ", 1)[1]) <= 1023 - 32 - len(b"spiketrace"), len(l)
PY

stop $rsyslogd
echo "PASS"
