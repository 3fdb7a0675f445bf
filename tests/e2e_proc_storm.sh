#!/bin/sh
# A fork storm: a shell starting /bin/true in batches of twenty as fast as
# it can, a few thousand in all. proc_storm fires and blames the shell by
# pid, from the new children the samples caught or, failing those, from
# the CPU of the children it reaped.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
TRUE_BIN=
for t in /bin/true /usr/bin/true; do
	[ -x "$t" ] && { TRUE_BIN=$t; break; }
done
[ -n "$TRUE_BIN" ] || { echo "SKIP: no external true to spawn"; exit 77; }

list_detectors
write_config "$TMP/spiketrace.conf" "proc_storm" \
	"  proc_storm { forks_per_s = 200 min_s = 1 cooldown = 60 }" \
	"  json_file { dir = \"$TMP/dumps\" }"
LOG="$TMP/daemon.log"

"$SPIKETRACE" --foreground --config "$TMP/spiketrace.conf" >/dev/null 2>"$LOG" &
daemon=$!
started $daemon
wait_for 10 grep -q "sampling /proc" "$LOG" || fail "the daemon did not start"
sleep 1.5
dump_naming proc_storm && fail "a proc_storm dump before the storm (the machine forks 200/s?)"

# Bounded by count, not by clock: no date process of its own per round.
# 300 rounds of 20 is 6,000 processes, a few seconds at the least.
sh -c 'i=0
while [ $i -lt 300 ]; do
	for j in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do "$1" & done
	wait
	i=$((i + 1))
done' sh "$TRUE_BIN" &
storm=$!
started $storm

wait_for 20 dump_naming proc_storm "$storm" ||
	fail "no proc_storm dump blaming the storm's shell [$storm]"
python3 - "$DUMP" "$storm" <<'PY' || fail "the proc_storm dump: see above"
import json, sys
d = json.load(open(sys.argv[1]))
pid = int(sys.argv[2])
t = [t for t in d["triggers"] if t["type"] == "proc_storm" and t["pid"] == pid][0]
assert t["units"] == "forks/s", t
assert t["value"] >= 200 and t["threshold"] == 200, t
assert ("[%d] sh" % pid) in t["summary"], t["summary"]
print("trigger:", t["summary"])
PY

wait $storm
STARTED_PIDS=$(echo "$STARTED_PIDS" | tr ' ' '\n' | grep -vx "$storm" | tr '\n' ' ')
stop $daemon
[ "$STATUS" -eq 0 ] || fail "the daemon exited with $STATUS"
echo "PASS: fork storm blamed on [$storm]"
