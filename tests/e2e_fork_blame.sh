#!/bin/sh
# End to end on the real kernel: a process holding 1 GiB forks while
# another takes 700 MiB in the same second. The child's RSS is 1 GiB at
# birth, all of it pages shared with its parent; the memory that went is
# the allocator's. mem_drop must blame the allocator, never the child.
# A low threshold, a long window and no cooldown: under load touching
# 700 MiB takes several seconds, and another process's fall on the machine
# must not hold the allocator's trigger back.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

avail_mib=$(awk '$1 == "MemAvailable:" { print int($2 / 1024) }' /proc/meminfo)
[ "${avail_mib:-0}" -ge 3000 ] || { echo "SKIP: needs 3 GiB available, has ${avail_mib:-?} MiB"; exit 77; }

list_detectors
write_config "$TMP/spiketrace.conf" "mem_drop" \
	"  mem_drop { threshold_mib = 256  window_s = 5  cooldown = 0 }" \
	"  json_file { dir = \"$TMP/dumps\" }"

# The parent holds its 1 GiB before the daemon starts: its allocation is
# not the event.
"$top_builddir/tests/fork_hog" 1024 30000 "$TMP" &
forker=$!
started $forker
wait_for 20 test -s "$TMP/ready" || fail "fork_hog did not get its 1 GiB"

"$SPIKETRACE" --foreground --config "$TMP/spiketrace.conf" >"$TMP/daemon.log" 2>&1 &
daemon=$!
started $daemon
# Its first sample, the baseline, is taken before this line.
wait_for 5 grep -qs "sampling /proc" "$TMP/daemon.log" || fail "daemon did not start"

kill -USR1 $forker
"$top_builddir/tests/mem_hog" 0 700 30000 &
hog=$!
started $hog
wait_for 5 test -s "$TMP/child" || fail "fork_hog did not fork"
child=$(cat "$TMP/child")

wait_for 30 dump_naming mem_drop $hog || fail "no mem_drop dump naming the allocator $hog"
python3 - "$TMP/dumps" "$hog" "$child" <<'PY' || fail "mem_drop blamed the wrong process"
import glob, json, sys
hog, child = int(sys.argv[2]), int(sys.argv[3])
named = []
for f in sorted(glob.glob(sys.argv[1] + "/spike_*.json")):
    for t in json.load(open(f))["triggers"]:
        if t["type"] == "mem_drop":
            named.append(t["pid"])
            print("mem_drop: pid %d: %s" % (t["pid"], t["summary"]))
assert child not in named, "the forked child %d was blamed" % child
assert hog in named, "the allocator %d was not blamed" % hog
PY

stop $hog
stop $forker
stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon exited $STATUS on SIGTERM"
echo "PASS"
