#!/bin/sh
# End to end, the real daemon at 0.2 s on the real /proc, one spike of each
# kind caused by this test:
#   - a new process busy from its start       -> new_proc names it
#   - a process allocating and touching 1 GiB -> mem_drop names it
#   - a shell loop of short-lived busy children -> the children are blamed,
#     as a group of exited processes forked by the shell
. "${top_srcdir:-.}/tests/e2e_lib.sh"

cat > "$TMP/spiketrace.conf" <<CONF
interval = 0.2
history = 40
pre_trigger = 5
post_trigger = 2
max_dumps_per_minute = 120
plugin_dir = "$PLUGINS"
detectors {
  cpu_delta { threshold_pct = 30 }
  new_proc  { threshold_pct = 30 }
  # Touching 1 GiB takes this VM about 1.5 s: look 2 s back.
  mem_drop  { threshold_mib = 512  window_s = 2 }
}
sinks {
  json_file { dir = "$TMP/dumps" }
}
CONF

"$SPIKETRACE" --foreground --config "$TMP/spiketrace.conf" >"$TMP/daemon.log" 2>&1 &
daemon=$!
started $daemon
wait_for 5 grep -q "sampling /proc" "$TMP/daemon.log" || fail "daemon did not start"

# has_trigger TYPE PID: some dump lists a TYPE trigger naming PID. (A cheap
# grep first: a python3 every 50 ms would itself be a busy new process.)
has_trigger() {
	grep -qs "\"$1\"" "$TMP"/dumps/spike_*.json || return 1
	python3 - "$TMP/dumps" "$1" "$2" <<'PY'
import glob, json, sys
for f in glob.glob(sys.argv[1] + "/spike_*.json"):
    d = json.load(open(f))
    for t in d["triggers"]:
        if t["type"] == sys.argv[2] and t["pid"] == int(sys.argv[3]):
            print("%s: %s" % (f.rsplit("/", 1)[1], t["summary"]))
            sys.exit(0)
sys.exit(1)
PY
}

# 1. new_proc: busy from its first instant.
"$top_builddir/tests/cpu_burner" 0 2500 &
burner=$!
started $burner
wait_for 4 has_trigger new_proc $burner || fail "no new_proc dump naming pid $burner"
stop $burner

# 2. mem_drop: 1 GiB allocated and touched.
"$top_builddir/tests/mem_hog" 300 1024 2500 &
hog=$!
started $hog
wait_for 5 has_trigger mem_drop $hog || fail "no mem_drop dump naming pid $hog"
stop $hog

# 3. Exited groups: the shell itself never runs; its children each live a
# few ms, too short for any sample to see them. The exit events name them
# (cpu_delta or new_proc on "sh xN", forked by the shell); without exit
# events the shell's reaped-children CPU would be blamed (the cpu_delta
# unit tests cover that).
sh -c 'sleep 0.6; end=$(($(date +%s) + 8)); while [ "$(date +%s)" -lt $end ]; do
	sh -c "i=0; while [ \$i -lt 3000 ]; do i=\$((i+1)); done"; done' &
loop=$!
started $loop
cat >"$TMP/group.py" <<'PY'
import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/spike_*.json")):
    d = json.load(open(f))
    for t in d["triggers"]:
        if t.get("exited_count", 0) > 0 and t["type"] in ("cpu_delta", "new_proc"):
            s = d["samples"][t["sample_index"]]
            for g in s.get("exited", []):
                if g["comm"] == t["comm"] and g["parent_pid"] == int(sys.argv[2]):
                    print("%s: %s" % (f.rsplit("/", 1)[1], t["summary"]))
                    sys.exit(0)
sys.exit(1)
PY
wait_for 8 python3 "$TMP/group.py" "$TMP/dumps" "$loop" ||
	fail "no dump blaming the exited children of the shell $loop"
stop $loop

stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon exited $STATUS on SIGTERM"
echo "PASS"
