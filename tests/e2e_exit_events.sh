#!/bin/sh
# End to end on the real kernel: a storm of double-forked ~20 ms
# processes, `( spkorphan 20 & )` forty times a second for 6 s. Each lives
# between two samples and is reaped by init (or a subreaper), whose cutime
# alone would be blamed without exit events. The dump must name the
# processes: a trigger on the exited group "spkorphan" with its count and
# CPU, forked by the shell that started it. As root the daemon sees exits
# through taskstats; started as nobody, through the proc connector (the
# CPU then read from each zombie: an estimate). Skipped (77), saying why,
# where neither can be opened.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

skip() {
	echo "SKIP: $*"
	exit 77
}

ORPHAN="$top_builddir/tests/spkorphan"
list_detectors

# Succeeds once a dump names the group, saying how.
cat >"$TMP/named.py" <<'PY'
import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/spike_*.json")):
    d = json.load(open(f))
    for t in d["triggers"]:
        if t.get("exited_count", 0) > 0 and t["comm"] == "spkorphan":
            assert d["exit_events"] == sys.argv[2], d["exit_events"]
            s = d["samples"][t["sample_index"]]
            g = [g for g in s["exited"] if g["comm"] == "spkorphan"][0]
            print("%s: %s x%d, cpu %.1f%%, forked by %s, reaped by %s; %s" % (
                t["type"], t["comm"], t["exited_count"], g["cpu_pct"],
                g["parent_comm"], g["reaper_pid"], t["summary"]))
            assert t["pid"] == 0
            assert g["count"] >= 2 and g["cpu_pct"] >= 20, g
            assert g["parent_comm"] == "sh", g
            if sys.argv[2] == "taskstats":
                assert g.get("taskstats") and g["peak_rss_kib"] > 0, g
            else:
                assert g.get("estimate"), g
            sys.exit(0)
sys.exit(1)
PY

# run_storm LABEL MODE [COMMAND PREFIX...]: the daemon (as the prefix runs
# it) sees a storm; MODE is the exit_events mode it must run in.
run_storm() {
	label=$1 mode=$2
	shift 2
	dir="$TMP/$label"
	mkdir -p "$dir/dumps"
	chmod 0755 "$TMP" "$dir"
	[ "$(id -u)" -eq 0 ] && chown nobody "$dir/dumps" 2>/dev/null
	write_config "$dir/spiketrace.conf" "new_proc cpu_delta" \
		"  new_proc { threshold_pct = 20 }
  cpu_delta { threshold_pct = 20 }" \
		"  json_file { dir = \"$dir/dumps\" }"
	chmod 0644 "$dir/spiketrace.conf"
	"$@" "$SPIKETRACE" --foreground --config "$dir/spiketrace.conf" >"$dir/daemon.log" 2>&1 &
	daemon=$!
	started $daemon
	wait_for 5 grep -q "sampling /proc" "$dir/daemon.log" || fail "$label: daemon did not start"
	grep "exit events" "$dir/daemon.log"
	grep -q "exit events: $mode" "$dir/daemon.log" ||
		{ stop $daemon; skip "$label: exit events not in mode $mode here: $(grep 'exit events' "$dir/daemon.log")"; }

	sh -c 'end=$(( $(date +%s) + 6 ))
		while [ "$(date +%s)" -lt $end ]; do
			( "$0" 20 & )
			sleep 0.025
		done' "$ORPHAN" &
	storm=$!
	started $storm
	wait_for 20 python3 "$TMP/named.py" "$dir/dumps" "$mode" ||
		fail "$label: no dump naming the exited spkorphan group"
	wait_for 10 sh -c "! kill -0 $storm 2>/dev/null" || fail "$label: the storm did not end"
	stop $storm
	stop $daemon
	[ "$STATUS" -eq 0 ] || fail "$label: daemon exited $STATUS on SIGTERM"
	grep -E "^spiketrace: (err|warning):" "$dir/daemon.log" && fail "$label: errors or warnings (above)"
}

if [ "$(id -u)" -eq 0 ]; then
	run_storm root taskstats
	if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
		run_storm nobody proc_connector \
			setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --inh-caps=-all --
	else
		echo "NOTE: no user nobody or no setpriv: the proc connector run is left out"
	fi
else
	run_storm user proc_connector
fi
echo "PASS"
