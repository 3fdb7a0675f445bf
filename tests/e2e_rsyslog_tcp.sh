#!/bin/sh
# End to end: the syslog sink's server mode against real rsyslogd, all on
# loopback, the collectors started by the test in its own directory with
# configs of its own (imtcp, mmpstrucdata, omfile with a per-host
# template, omfwd for a relay):
#   1. a manual dump arrives as RFC 5424, its structured data parsed by
#      mmpstrucdata into the fields the sink sent;
#   2. payload = "dump": the collector stores one file per dump per host,
#      the dump itself, and spiketrace-view --list reads that tree by host;
#   3. a relay chain, spiketrace -> rsyslog (omfwd, octet-counted) ->
#      rsyslog, delivers;
#   4. the collector killed, dumps made while it is down, restarted on the
#      same port: every dump arrives, the failure and the recovery are
#      logged once each;
#   5. a port nobody listens on, and a listener that accepts and never
#      reads: the daemon keeps sampling and json_file keeps writing, the
#      sink says it once;
#   6. a real spike of a process named with control bytes and the
#      characters SD-PARAM escapes: its fields parsed as the line shows it.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

RSYSLOGD=$(command -v rsyslogd 2>/dev/null || echo /usr/sbin/rsyslogd)
[ -x "$RSYSLOGD" ] || { echo "SKIP: rsyslogd is not installed (Debian package rsyslog)"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }

show() {
	for f in "$@"; do
		[ -f "$f" ] && { echo "--- $f:" >&2; tail -n 30 "$f" >&2; }
	done
}
rs_fail() {
	show "$TMP"/rs-*.log "$TMP/central.sd"
	fail "$@"
}

# free_port: a loopback port nothing listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# listening PORT: something listens on 127.0.0.1:PORT (the kernel's table,
# so that checking opens no session in the collector).
listening() {
	grep -qi "0100007F:$(printf '%04X' "$1") 00000000:0000 0A" /proc/net/tcp
}

# collector_conf NAME PORT: the central collector, on PORT. Every message
# a line in central.sd (header fields and the parsed structured data as
# JSON); a message whose text is a dump also a file of its own,
# central/HOSTNAME/spike_*.json, named after the dump the SD names.
collector_conf() {
	mkdir -p "$TMP/rs-$1"
	cat >"$TMP/rs-$1.conf" <<CONF
global(workDirectory="$TMP/rs-$1" maxMessageSize="16m"
       parser.escapeControlCharactersOnReceive="off")
module(load="imtcp")
module(load="mmpstrucdata")
input(type="imtcp" address="127.0.0.1" port="$2" ruleset="collect")
template(name="sd" type="string"
         string="%hostname% %app-name% %procid% %msgid% %\$!rfc5424-sd%\n")
template(name="dumpfile" type="string"
         string="$TMP/central/%hostname%/%structured-data:R,ERE,1,DFLT:dump=\"[^\"]*/(spike_[^\"/]*)\"--end%")
template(name="body" type="string" string="%msg%")
ruleset(name="collect") {
  action(type="mmpstrucdata")
  action(type="omfile" file="$TMP/central.sd" template="sd")
  if re_match(\$msg, "^[{]") then action(type="omfile" dynaFile="dumpfile" template="body")
}
CONF
}

# relay_conf PORT TO: a relay on PORT forwarding everything to TO as
# RFC 5424 with octet-counted framing.
relay_conf() {
	mkdir -p "$TMP/rs-relay"
	cat >"$TMP/rs-relay.conf" <<CONF
global(workDirectory="$TMP/rs-relay" maxMessageSize="16m"
       parser.escapeControlCharactersOnReceive="off")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$1" ruleset="relay")
template(name="fwd" type="string"
         string="<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME% %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%")
ruleset(name="relay") {
  action(type="omfwd" target="127.0.0.1" port="$2" protocol="tcp"
         TCP_Framing="octet-counted" template="fwd")
}
CONF
}

# start_rsyslogd NAME PORT: rsyslogd with rs-NAME.conf, its pid in RS_PID,
# once it listens on PORT.
start_rsyslogd() {
	"$RSYSLOGD" -N1 -f "$TMP/rs-$1.conf" >"$TMP/rs-$1.check" 2>&1 ||
		{ cat "$TMP/rs-$1.check" >&2; fail "rsyslogd refuses the test's $1 config"; }
	"$RSYSLOGD" -n -f "$TMP/rs-$1.conf" -i "$TMP/rs-$1.pid" >>"$TMP/rs-$1.log" 2>&1 &
	RS_PID=$!
	started $RS_PID
	wait_for 10 listening "$2" || rs_fail "rsyslogd ($1) does not listen on 127.0.0.1:$2"
}

# sd_lines HOST MSGID: how many messages of HOST with MSGID the collector
# wrote, in COUNT.
sd_lines() {
	COUNT=$(grep -c "^$1 spiketrace [0-9]* $2 " "$TMP/central.sd" 2>/dev/null)
	COUNT=${COUNT:-0}
}
# sd_has HOST MSGID N: at least N of them.
sd_has() { sd_lines "$1" "$2"; [ "$COUNT" -ge "$3" ]; }

# dumps: how many json_file wrote, in NDUMPS.
count_dumps() { NDUMPS=$(ls "$TMP"/dumps/spike_*.json 2>/dev/null | wc -l); }
dumps_at_least() { count_dumps; [ "$NDUMPS" -ge "$1" ]; }

# manual_dump N: SIGUSR1, then until json_file has written N dumps.
manual_dump() {
	kill -USR1 $daemon
	wait_for 10 dumps_at_least "$1" || fail "no dump $1 after SIGUSR1"
}

# log_count TEXT: lines of the daemon's log with TEXT, in COUNT.
log_count() { COUNT=$(grep -cF -- "$1" "$LOG"); }

stop_daemon() {
	stop $daemon
	[ "$STATUS" -eq 0 ] || fail "the daemon exited with $STATUS"
}

C_PORT=$(free_port)
collector_conf central "$C_PORT"
start_rsyslogd central "$C_PORT"
central=$RS_PID

# manual_arrives HOST PORT: a daemon sending as HOST to 127.0.0.1:PORT
# makes a manual dump; the collector's line for it has our ident, pid and
# MSGID, and the structured data mmpstrucdata parsed names that dump.
manual_arrives() {
	rm -rf "$TMP/dumps"
	start_sinks_daemon "  syslog { server = \"127.0.0.1:$2\" hostname = \"$1\" }"
	manual_dump 1
	wait_for 10 sd_has "$1" manual 1 || rs_fail "the manual dump of $1 did not reach the collector"
	DUMP=$(ls "$TMP"/dumps/spike_*.json)
	python3 - "$TMP/central.sd" "$1" "$DUMP" "$daemon" <<'PY' || rs_fail "the parsed structured data"
import json, sys
line = [l for l in open(sys.argv[1]) if l.startswith(sys.argv[2] + " ")][0]
host, app, procid, msgid, sd = line.rstrip("\n").split(" ", 4)
assert (app, procid, msgid) == ("spiketrace", sys.argv[4], "manual"), line
fields = json.loads(sd)["spiketrace@32473"]
assert fields["type"] == "manual", fields
assert fields["dump"] == sys.argv[3], (fields, sys.argv[3])
print("collector parsed:", fields)
PY
	stop_daemon
}

# ---------------------------------- 1. a manual dump, its SD parsed
manual_arrives host-a "$C_PORT"

# ------------------------- 2. payload = "dump": one file per dump per host
rm -rf "$TMP/dumps"
start_sinks_daemon "  syslog { server = \"127.0.0.1:$C_PORT\" hostname = \"host-b\" payload = \"dump\" }"
manual_dump 1
manual_dump 2
# stored_as_dumps: every dump json_file wrote is there, under the host,
# whole (the collector writes a big message in several writes), the very
# bytes: json_file ends the file with a newline; the message is the JSON.
stored_as_dumps() {
	for f in "$TMP"/dumps/spike_*.json; do
		c="$TMP/central/host-b/$(basename "$f")"
		[ -f "$c" ] && { cat "$c"; echo; } | cmp -s - "$f" || return 1
	done
}
wait_for 10 stored_as_dumps ||
	rs_fail "the collector did not store the dumps as they are: $(ls -l "$TMP/central/host-b" "$TMP/dumps")"
for f in "$TMP"/dumps/spike_*.json; do
	c="$TMP/central/host-b/$(basename "$f")"
	"$VIEW" "$c" >"$TMP/view.out" 2>&1 || fail "spiketrace-view cannot read $c: $(cat "$TMP/view.out")"
done
"$VIEW" --list "$TMP/central" >"$TMP/list.out" 2>&1 || fail "spiketrace-view --list: $(cat "$TMP/list.out")"
host=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["host"]["hostname"])' "$f")
grep -q "^host $host: 2 dumps" "$TMP/list.out" || { cat "$TMP/list.out"; fail "--list does not group by host"; }
grep -q "host-b/spike_" "$TMP/list.out" || { cat "$TMP/list.out"; fail "--list does not name the host's files"; }
cat "$TMP/list.out"
stop_daemon

# ------------------------------------------------- 3. through a relay
R_PORT=$(free_port)
relay_conf "$R_PORT" "$C_PORT"
start_rsyslogd relay "$R_PORT"
relay=$RS_PID
manual_arrives host-c "$R_PORT"
stop $relay

# ------------------------- 4. the collector killed and restarted mid-test
rm -rf "$TMP/dumps"
start_sinks_daemon "  syslog { server = \"127.0.0.1:$C_PORT\" hostname = \"host-d\" }"
manual_dump 1
wait_for 10 sd_has host-d manual 1 || rs_fail "the first dump did not arrive"
stop $central
listening "$C_PORT" && fail "the collector still listens after it ended"
manual_dump 2
manual_dump 3
manual_dump 4
failed_once() { log_count "cannot deliver to tcp 127.0.0.1:$C_PORT"; [ "$COUNT" -ge 1 ]; }
wait_for 10 failed_once || fail "the sink did not say the collector is down"
start_rsyslogd central "$C_PORT"
central=$RS_PID
wait_for 20 sd_has host-d manual 4 || rs_fail "not every dump of the outage arrived ($COUNT of 4)"
recovered() { log_count "delivering to tcp 127.0.0.1:$C_PORT again"; [ "$COUNT" -ge 1 ]; }
wait_for 5 recovered || fail "the recovery was not logged"
log_count "cannot deliver to tcp 127.0.0.1:$C_PORT"
[ "$COUNT" -eq 1 ] || fail "the failure was logged $COUNT times"
log_count "delivering to tcp 127.0.0.1:$C_PORT again"
[ "$COUNT" -eq 1 ] || fail "the recovery was logged $COUNT times"
sd_lines host-d manual
[ "$COUNT" -eq 4 ] || rs_fail "$COUNT messages for 4 dumps"
stop_daemon

# ------------------------------------------- 5a. nobody listens there
DEAD=$(free_port)
rm -rf "$TMP/dumps"
start_sinks_daemon "  syslog { server = \"127.0.0.1:$DEAD\" timeout = 0.5 }"
manual_dump 1
manual_dump 2
failed_dead() { log_count "cannot deliver to tcp 127.0.0.1:$DEAD"; [ "$COUNT" -ge 1 ]; }
wait_for 5 failed_dead || fail "the sink did not say 127.0.0.1:$DEAD is unreachable"
manual_dump 3
log_count "cannot deliver to tcp 127.0.0.1:$DEAD"
[ "$COUNT" -eq 1 ] || fail "an unreachable server was logged $COUNT times"
stop_daemon

# ------------------------------- 5b. a listener that accepts, never reads
HUNG=$(free_port)
python3 - "$HUNG" >"$TMP/hung.log" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
held = [s.accept()[0]]
time.sleep(600)
PY
hung=$!
started $hung
wait_for 10 listening "$HUNG" || fail "the test's hung listener did not start"
rm -rf "$TMP/dumps"
start_sinks_daemon "  syslog { server = \"127.0.0.1:$HUNG\" payload = \"dump\" timeout = 1 }"
t0=$(now_ms)
for n in 1 2 3 4 5; do
	manual_dump $n
done
t1=$(now_ms)

# Five dumps at 0.5 s samples with a one-sample post window: the sampler
# never waited on the collector.
[ $((t1 - t0)) -lt 15000 ] || fail "five dumps took $((t1 - t0)) ms"
hung_said() { log_count "cannot deliver to tcp 127.0.0.1:$HUNG"; [ "$COUNT" -ge 1 ]; }
wait_for 10 hung_said || fail "the sink did not say the collector reads nothing"
log_count "cannot deliver to tcp 127.0.0.1:$HUNG"
[ "$COUNT" -eq 1 ] || fail "a hung collector was logged $COUNT times"
grep -F "cannot deliver to tcp 127.0.0.1:$HUNG" "$LOG"
t0=$(now_ms)
stop_daemon
t1=$(now_ms)
[ $((t1 - t0)) -lt 10000 ] || fail "the daemon took $((t1 - t0)) ms to stop"
stop $hung

# ------------------------- 6. a real spike of a process with a hostile name
# ESC, a newline, and the three characters SD-PARAM escapes: what the
# collector parses is the name as the syslog line shows it.
name=$(printf 'ev\nil\033[1m]"\\x')
cp "$top_builddir/tests/cpu_burner" "$TMP/$name" || fail "cannot copy cpu_burner"
rm -rf "$TMP/dumps"
list_detectors
write_config "$TMP/burn.conf" "cpu_delta" "  cpu_delta { threshold_pct = 30 cooldown = 5 }" "
  json_file { dir = \"$TMP/dumps\" }
  syslog { server = \"127.0.0.1:$C_PORT\" hostname = \"host-e\" }"
start_daemon "$TMP/burn.conf"
# The structured data carries the incident's first trigger: another busy
# process on the machine may open it, so up to three bursts, each after a
# cooldown, until one opens its own.
first_is_burner() {
	python3 - "$TMP/dumps" "$name" <<'PY'
import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/spike_*.json")):
    t = json.load(open(f))["triggers"][0]
    if t["type"] == "cpu_delta" and t["comm"] == sys.argv[2]:
        print(f)
        sys.exit(0)
sys.exit(1)
PY
}
OWN=""
for round in 1 2 3; do
	burst_named "$TMP/$name"
	OWN=$(first_is_burner) && break
	sleep 5.5         # cpu_delta's cooldown
done
CHECKED=${OWN:-$DUMP}
sent_for() { grep "^host-e " "$TMP/central.sd" 2>/dev/null | grep -qF "$(basename "$CHECKED")"; }
wait_for 10 sent_for || rs_fail "the spike's dump $CHECKED did not reach the collector"
python3 - "$TMP/central.sd" "$CHECKED" "$OWN" <<'PY' || rs_fail "the spike's parsed structured data"
import json, sys
dump = json.load(open(sys.argv[2]))
first = dump["triggers"][0]
lines = [l for l in open(sys.argv[1]) if l.startswith("host-e ")]
sent = [json.loads(l.rstrip("\n").split(" ", 4)[4])["spiketrace@32473"] for l in lines]
fields = [f for f in sent if f["dump"] == sys.argv[2]]
assert fields, (sent, sys.argv[2])
fields = fields[0]
assert fields["type"] == "cpu_delta" and fields["unit"] == "pct", fields
# An exited group to blame has no pid.
assert fields.get("pid") == (str(first["pid"]) if first["pid"] > 0 else None), (fields, first)
if sys.argv[3]:
    want = 'ev\\nil\\x1b[1m]"\\\\x'
    assert fields["comm"] == want, (fields["comm"], want)
else:
    print("note: other processes opened every incident; the burner only joined")
print("collector parsed:", fields)
PY
stop_daemon

stop $central
echo "PASS: RFC 5424 over TCP into real rsyslogd: fields parsed, dumps stored by host, relayed, an outage lost nothing, a dead or hung collector never held the daemon, a hostile name parsed as the line shows it"
