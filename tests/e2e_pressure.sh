#!/bin/sh
# `stress-ng --cpu` with twice as many workers as cores: tasks wait for a
# CPU most of the time, and the pressure detector fires on cpu some,
# blaming a stress-ng worker. Where the kernel takes a PSI trigger from
# the daemon (Linux >= 6.5 for anyone, with a window of 2 s), the stall is
# reported between two ticks and the daemon asks for an off-tick sample;
# elsewhere the samples' stall totals show it. Skipped (77) without PSI
# or stress-ng.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

[ -r /proc/pressure/cpu ] || { echo "SKIP: no /proc/pressure/cpu (a kernel without PSI)"; exit 77; }
command -v stress-ng >/dev/null 2>&1 || { echo "SKIP: stress-ng not found"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }

list_detectors
# Interval 1 s: a kernel report lands between two ticks, where an
# off-tick sample is taken; debug level says who asked for it.
write_config "$TMP/spiketrace.conf" pressure \
	"  pressure { cpu_some_pct = 50 memory_some_pct = 0 memory_full_pct = 0
             io_some_pct = 0 io_full_pct = 0 window_s = 2 cooldown = 60 }" \
	"  json_file { dir = \"$TMP/dumps\" }" "interval = 1
history = 30
pre_trigger = 5
post_trigger = 2
max_dumps_per_minute = 60
log_level = \"debug\""
start_daemon
if grep -q "pressure: cpu some >= 50% of 2 s: kernel trigger" "$LOG"; then
	mode=kernel
elif grep -q "pressure: cpu some >= 50% of 2 s: the samples' stall totals" "$LOG"; then
	mode=samples
	echo "no kernel trigger here: $(grep 'pressure: cpu some' "$LOG")"
else
	fail "the detector does not say how it watches cpu some"
fi
# A machine already stalled on CPU would fire before the load: this test
# could not tell the two apart.
sleep 3
dump_naming pressure && fail "a pressure dump before any load (the machine is busy?)"

workers=$(( $(getconf _NPROCESSORS_ONLN) * 2 ))
stress-ng --cpu "$workers" --timeout 20s >"$TMP/stress.log" 2>&1 &
stress=$!
started $stress

wait_for 20 dump_naming pressure || fail "no pressure dump within 20 s of $workers CPU workers"
python3 - "$DUMP" "$mode" <<'PY' || fail "the pressure dump: see above"
import json, sys
d = json.load(open(sys.argv[1]))
t = [t for t in d["triggers"] if t["type"] == "pressure"][0]
assert t["summary"].startswith("cpu some "), t["summary"]
assert t["threshold"] == 50, t
# The kernel reports the moment its own window crosses; the value is what
# the samples measured over the last 2 s then, which may trail it.
assert t["value"] >= (50 if sys.argv[2] == "samples" else 1), t
assert t["units"] == "pct", t
assert t["comm"].startswith("stress-ng"), "blamed %r, not a stress-ng worker" % t["comm"]
print("trigger:", t["summary"])
PY
if [ "$mode" = kernel ]; then
	grep -q "plugin pressure asks for an off-tick sample: pressure: cpu some >= 50% of 2 s" "$LOG" ||
		fail "a kernel trigger, but no off-tick sample asked for"
fi

stop $stress
stop $daemon
[ "$STATUS" -eq 0 ] || fail "the daemon exited with $STATUS"
echo "PASS: cpu pressure fired ($mode)"
