#!/bin/sh
# The otlp sink end to end, on loopback. Debian 12 packages no
# OpenTelemetry collector: tests/otlp_receiver.py stands in for one and
# holds every request to the OTLP JSON rules. The real daemon's record
# arrives after one 503 (the retry) with its resource and trigger
# attributes and a custom header; with the receiver gone, then hung, the
# daemon keeps sampling, json_file keeps writing, and the sink says each
# outage once; the receiver back, the queued records arrive. Then a real
# CPU spike of a process with a hostile name, payload = "dump": the name
# arrives as valid UTF-8, the body is the dump, which
# spiketrace-view reads.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
[ -f "$PLUGINS/otlp.so" ] ||
	{ echo "SKIP: the otlp sink is not built (no libcurl4-openssl-dev, or --without-curl)"; exit 77; }
RECEIVER="$top_srcdir/tests/otlp_receiver.py"
REC="$TMP/received"

# start_receiver [ARGS]: the receiver on $PORT (a free one the first time),
# its pid in $receiver.
start_receiver() {
	rm -f "$TMP/port"
	python3 "$RECEIVER" --port "${PORT:-0}" --port-file "$TMP/port" --record-dir "$REC" \
		"$@" >>"$TMP/receiver.log" 2>&1 &
	receiver=$!
	started $receiver
	wait_for 10 test -s "$TMP/port" || fail "the receiver did not start: $(tail -3 "$TMP/receiver.log")"
	PORT=$(cat "$TMP/port")
}
records_at_least() { [ "$(ls "$REC"/*.json 2>/dev/null | wc -l)" -ge "$1" ]; }
dumps_at_least() { [ "$(ls "$TMP"/dumps/spike_*.json 2>/dev/null | wc -l)" -ge "$1" ]; }
# said_since LINE PATTERN: how many log lines after LINE match PATTERN.
said_since() { tail -n +"$(( $1 + 1 ))" "$LOG" | grep -c "$2"; }
log_lines() { wc -l <"$LOG"; }
no_violations() {
	[ ! -s "$REC/violations" ] || fail "the receiver saw requests break the OTLP JSON rules: $(cat "$REC/violations")"
}

start_receiver
ENDPOINT="http://127.0.0.1:$PORT/v1/logs"
start_sinks_daemon "  otlp {
    endpoint = \"$ENDPOINT\"
    headers = \"X-Scope-OrgID: e2e-tenant\\nAuthorization: Bearer t0ken\"
    timeout = 1
  }"

# 1. A dump: its record after one 503, with the attributes and the headers.
kill -USR1 $daemon
wait_for 10 dumps_at_least 1 || fail "SIGUSR1 gave no dump"
wait_for 20 records_at_least 1 || fail "no record reached the receiver: $(tail -5 "$LOG")"
no_violations
grep -q "HTTP 503" "$LOG" || fail "the 503 was not said"
wait_for 10 grep -q "delivering to $ENDPOINT again" "$LOG" || fail "the retry's success was not said"
DUMP=$(ls "$TMP"/dumps/spike_*.json | head -n 1)
python3 - "$REC/001.json" "$REC/001.headers" "$DUMP" <<'PY' || fail "the first record: see above"
import json, sys
req = json.load(open(sys.argv[1]))
headers = open(sys.argv[2]).read().splitlines()
dump = json.load(open(sys.argv[3]))
assert "X-Scope-OrgID: e2e-tenant" in headers, headers
assert "Authorization: Bearer t0ken" in headers, headers
rl = req["resourceLogs"][0]
res = {a["key"]: a["value"] for a in rl["resource"]["attributes"]}
assert res["host.name"] == {"stringValue": dump["host"]["hostname"]}, res
assert res["host.id"] == {"stringValue": dump["host"]["boot_id"]}, res
assert res["service.name"] == {"stringValue": "spiketrace"}, res
rec = rl["scopeLogs"][0]["logRecords"][0]
assert rec["timeUnixNano"] == str(dump["wall_ns"]), (rec["timeUnixNano"], dump["wall_ns"])
assert rec["severityNumber"] == 9 and rec["severityText"] == "INFO", rec
attrs = {a["key"]: a["value"] for a in rec["attributes"]}
assert attrs["spiketrace.type"] == {"stringValue": "manual"}, attrs
assert attrs["spiketrace.dump"] == {"stringValue": sys.argv[3]}, attrs
assert attrs["spiketrace.incident"] == {"stringValue": dump["id"]}, attrs
assert rec["body"]["stringValue"].startswith("manual: dump requested with SIGUSR1; dump: "), rec
print("record: %s" % rec["body"]["stringValue"])
PY

# 2. The receiver gone: dumps are still written, the outage said once.
stop $receiver
from=$(log_lines)
kill -USR1 $daemon
wait_for 10 dumps_at_least 2 || fail "no second dump with the receiver gone"
wait_for 10 eval '[ "$(said_since $from "cannot deliver to")" -ge 1 ]' ||
	fail "the unreachable collector was not said"
kill -USR1 $daemon
wait_for 10 dumps_at_least 3 || fail "no third dump with the receiver gone"
sleep 2
[ "$(said_since $from "cannot deliver to")" -eq 1 ] || fail "the outage was said more than once"
kill -0 $daemon 2>/dev/null || fail "the daemon died without its collector"

# 3. Back (no 503 this time): the two queued records arrive.
start_receiver --fail-first 0
wait_for 40 records_at_least 3 || fail "the queued records did not arrive after the restart"
wait_for 10 eval '[ "$(said_since $from "delivering to $ENDPOINT again")" -ge 1 ]' ||
	fail "the recovery was not said"
no_violations

# 4. A receiver that accepts and never answers: the POSTs time out, dumps
# are written all the same, said once; then a receiver that answers gets
# what waited.
stop $receiver
start_receiver --hang
from=$(log_lines)
kill -USR1 $daemon
wait_for 10 dumps_at_least 4 || fail "no fourth dump with a hung receiver"
wait_for 10 eval '[ "$(said_since $from "cannot deliver to.*imeout")" -ge 1 ]' ||
	fail "the hung collector was not said: $(tail -3 "$LOG")"
kill -USR1 $daemon
wait_for 10 dumps_at_least 5 || fail "no fifth dump with a hung receiver"
[ "$(said_since $from "cannot deliver to")" -eq 1 ] || fail "the hang was said more than once"
stop $receiver
start_receiver --fail-first 0
wait_for 60 records_at_least 5 || fail "the records queued during the hang did not arrive"
no_violations
stop $daemon
[ "$STATUS" -eq 0 ] || fail "the daemon exited with $STATUS"
python3 - "$REC" <<'PY' || fail "the records do not match the dumps one to one"
import glob, json, sys
seen = []
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    rec = json.load(open(f))["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    seen.append({a["key"]: a["value"] for a in rec["attributes"]}["spiketrace.incident"]["stringValue"])
assert len(seen) == len(set(seen)) == 5, seen
PY

# 5. A real spike of a process with a hostile name (an escape sequence, a
# newline, a quote, a byte that is not UTF-8, a bidi override), payload =
# "dump": the record names the process (the bad byte as U+FFFD), the
# receiver finds the request valid UTF-8 JSON, and the body is the dump as
# json_file stored it.
rm -rf "$TMP/dumps"
list_detectors
write_config "$TMP/spike.conf" "cpu_delta" "  cpu_delta { threshold_pct = 30 cooldown = 5 }" \
	"  json_file { dir = \"$TMP/dumps\" }
  otlp { endpoint = \"$ENDPOINT\"  payload = \"dump\" }"
LOG="$TMP/spike.log"
start_daemon "$TMP/spike.conf"
name=$(printf 'e\033[1m"\n) R\377z\342\200\256')
cp "$top_builddir/tests/cpu_burner" "$TMP/$name" || fail "cannot copy cpu_burner"
# record_of DUMP [PID]: the record of DUMP; with PID, the one whose first
# trigger is PID's cpu_delta, whatever the dump (held to what the burner's
# must say: exit 2 when it does not). Its body into $TMP/body.json, its
# dump's path on stdout.
record_of() {
	python3 - "$REC" "$TMP/body.json" "$name" "$@" <<'PY'
import glob, json, os, sys
name = os.fsencode(sys.argv[3]).decode("utf-8", "replace")
dump, pid = sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    rec = json.load(open(f))["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    a = {x["key"]: x["value"] for x in rec["attributes"]}
    if pid:
        if a.get("spiketrace.type") != {"stringValue": "cpu_delta"} or \
           a.get("process.pid") != {"intValue": pid}:
            continue
        try:
            assert a["process.executable.name"] == {"stringValue": name}, (a, name)
            assert isinstance(a["spiketrace.value"]["doubleValue"], (int, float)), a
            assert a["spiketrace.unit"] == {"stringValue": "pct"}, a
            assert rec["severityNumber"] == 13 and rec["severityText"] == "WARN", rec
        except (AssertionError, KeyError) as e:
            print("the burner's record: %r" % (e,), file=sys.stderr)
            sys.exit(2)
    elif a.get("spiketrace.dump") != {"stringValue": dump}:
        continue
    open(sys.argv[2], "w").write(rec["body"]["stringValue"])
    print(a["spiketrace.dump"]["stringValue"])
    sys.exit(0)
sys.exit(1)
PY
}
# The record carries the incident's first trigger: another busy process on
# the machine may open it, so up to three bursts, each after a cooldown,
# until one opens its own.
OWN=
for round in 1 2 3; do
	burst_named "$TMP/$name"
	wait_for 20 record_of "$DUMP" >"$TMP/stored_as" ||
		fail "no record of $DUMP reached the receiver: $(tail -5 "$LOG")"
	record_of "$DUMP" "$burner" >"$TMP/stored_as"
	case $? in
	0) OWN=1; break ;;
	2) fail "the burner's record: see above" ;;
	esac
	sleep 5.5         # cpu_delta's cooldown
done
[ -n "$OWN" ] || { echo "note: other processes opened every incident; the burner only joined"; record_of "$DUMP" >"$TMP/stored_as"; }
no_violations
"$VIEW" "$TMP/body.json" >"$TMP/view.txt" 2>&1 || fail "spiketrace-view cannot read the record's body: $(head -3 "$TMP/view.txt")"
[ -z "$OWN" ] || grep -q "^process: \[$burner\] " "$TMP/view.txt" ||
	fail "the record's dump does not show the burner"
python3 - "$TMP/body.json" "$(cat "$TMP/stored_as")" <<'PY' || fail "the record's body is not the stored dump"
import json, sys
assert json.load(open(sys.argv[1])) == json.load(open(sys.argv[2]))
PY
stop $daemon
[ "$STATUS" -eq 0 ] || fail "the spike daemon exited with $STATUS"
echo "PASS: records through a 503, an outage, a hang and restarts; headers; a hostile-named process's real spike with its dump as the body"
