#!/bin/sh
# End to end on the real kernel: a CPU burner moved into a cgroup named
# like a systemd service (under the cgroup2 mount, found in mountinfo: on
# a hybrid host it is /sys/fs/cgroup/unified) bursts; the dump names the
# unit and slice beside it, with its cgroup path, its I/O and its busiest
# threads, and the viewer shows the unit beside the process. The cgroup is
# removed after, the burner gone first.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root to create a cgroup and move a process into it"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }
# mountinfo: field 5 is the mount point, the field after " - " the type.
MNT=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
	/proc/self/mountinfo | head -n 1)
[ -n "$MNT" ] || { echo "SKIP: no cgroup2 mount"; exit 77; }
SLICE="$MNT/spiketrace-test-$$.slice"
CG="$SLICE/burner-test.service"
mkdir "$SLICE" 2>/dev/null && mkdir "$CG" 2>/dev/null ||
	{ rmdir "$SLICE" 2>/dev/null; echo "SKIP: cannot create a cgroup under $MNT"; exit 77; }

# The burner out of the cgroup first (stopped and reaped), then the
# cgroups removed; what the library cleans up after.
remove_cgroups() {
	cleanup
	for dir in "$CG" "$SLICE"; do
		[ -d "$dir" ] || continue
		i=0
		# A reaped process may stay charged for a moment.
		while ! rmdir "$dir" 2>/dev/null && [ $i -lt 40 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		[ -d "$dir" ] && echo "warning: could not remove $dir" >&2
	done
}
trap remove_cgroups EXIT

list_detectors
write_config "$TMP/spiketrace.conf" "cpu_delta" \
	"  cpu_delta { threshold_pct = 40 cooldown = 5 }" \
	"  json_file { dir = \"$TMP/dumps\" }"

"$SPIKETRACE" --foreground --config "$TMP/spiketrace.conf" >"$TMP/daemon.log" 2>&1 &
daemon=$!
started $daemon
wait_for 5 grep -q "sampling /proc" "$TMP/daemon.log" || fail "daemon did not start"

# Idle 1.5 s (moved in meanwhile, seen idle), then 4 s of CPU.
"$top_builddir/tests/cpu_burner" 1500 4000 cpu &
burner=$!
started $burner
echo "$burner" > "$CG/cgroup.procs" || fail "cannot move $burner into $CG"
grep -qx "0::/spiketrace-test-$$.slice/burner-test.service" "/proc/$burner/cgroup" ||
	fail "burner not in the cgroup: $(cat "/proc/$burner/cgroup")"

wait_for 15 dump_naming cpu_delta "$burner" || fail "no cpu_delta dump naming pid $burner within 15 s"
echo "dump $(basename "$DUMP")"

python3 - "$DUMP" "$burner" "spiketrace-test-$$.slice" <<'PY' || fail "dump content"
import json, sys
d = json.load(open(sys.argv[1]))
pid, slice_ = int(sys.argv[2]), sys.argv[3]
t = [t for t in d["triggers"] if t["pid"] == pid][0]
s = d["samples"][t["sample_index"]]
p = [p for p in s["top_cpu"] + s["top_rss"] + s["blamed"] if p["pid"] == pid][0]
assert p["unit"] == "burner-test.service", p["unit"]
assert p["slice"] == slice_, p["slice"]
assert p["cgroup"] == "/%s/burner-test.service" % slice_, p["cgroup"]
assert p["container"] is None and p["user_unit"] is False, p
# Root reads any process's io.
assert p["io"]["rchar"] is not None and p["io"]["read_bytes"] is not None, p
assert p["swap_kib"] is not None, p
# The blamed process's threads: it has one, the one that burned.
assert [th["tid"] for th in p["threads"]] == [pid], p["threads"]
assert p["threads"][0]["utime_s"] + p["threads"][0]["stime_s"] > 0, p["threads"]
print("blamed: [%d] %s  %s in %s, %d thread(s)" % (pid, p["comm"], p["unit"], p["slice"],
                                                    len(p["threads"])))
PY

"$VIEW" "$DUMP" >"$TMP/view.txt" || fail "spiketrace-view exited $?"
grep -q "^process: \[$burner\] cpu_burner  burner-test.service$" "$TMP/view.txt" ||
	{ cat "$TMP/view.txt"; fail "viewer: the unit is not beside the process"; }
grep -q "^unit: burner-test.service in spiketrace-test-$$.slice$" "$TMP/view.txt" ||
	fail "viewer: no unit line"
grep -q "^busiest threads" "$TMP/view.txt" || fail "viewer: no threads"

stop $burner
stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon exited $STATUS on SIGTERM"
echo "PASS"
