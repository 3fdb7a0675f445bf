#!/bin/sh
# A fork storm: a shell starting 20 ms sleeps in batches of twenty as fast
# as it can, a few thousand in all. proc_storm fires and blames the shell
# by pid, from the new children the samples caught (a child that lives
# 20 ms is caught far more often than a /bin/true, and far more often than
# this script's own polling children) or, failing those, from the CPU of
# the children it reaped.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
SLEEP_BIN=
for t in /bin/sleep /usr/bin/sleep; do
	[ -x "$t" ] && { SLEEP_BIN=$t; break; }
done
[ -n "$SLEEP_BIN" ] || { echo "SKIP: no external sleep to spawn"; exit 77; }

list_detectors
write_config "$TMP/spiketrace.conf" "proc_storm" \
	"  proc_storm { forks_per_s = 150 min_s = 1 cooldown = 60 }" \
	"  json_file { dir = \"$TMP/dumps\" }"

start_daemon
sleep 1.5
dump_naming proc_storm && fail "a proc_storm dump before the storm (the machine forks 150/s?)"

# Bounded by count, not by clock: no date process of its own per round.
# 150 rounds of 20 is 3,000 processes, 20 ms a round at the least.
sh -c 'i=0
while [ $i -lt 150 ]; do
	for j in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do "$1" 0.02 & done
	wait
	i=$((i + 1))
done' sh "$SLEEP_BIN" &
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
assert t["value"] >= 150 and t["threshold"] == 150, t
assert ("[%d] sh" % pid) in t["summary"], t["summary"]
print("trigger:", t["summary"])
PY

wait $storm
STARTED_PIDS=$(echo "$STARTED_PIDS" | tr ' ' '\n' | grep -vx "$storm" | tr '\n' ' ')
stop $daemon
[ "$STATUS" -eq 0 ] || fail "the daemon exited with $STATUS"
echo "PASS: fork storm blamed on [$storm]"
