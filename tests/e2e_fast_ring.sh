#!/bin/sh
# The fast system ring on the real kernel: the daemon samples every 1 s
# and reads the system figures every 0.1 s. A 300 ms burst of one core
# between two samples is averaged to about 30 % of a core in the 1 s
# samples, while at least two of the dump's 10 Hz readings show it near a
# whole core; the viewer draws it in its "cpu 10 Hz" row.
# And after the trigger (SIGUSR1), processes too at 0.1 s until the
# post-trigger window ends: a 600 ms burner started then is named, at
# nearly a core, in several of those samples.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

list_detectors
# No detector: the burst must not open an incident of its own.
write_config "$TMP/spiketrace.conf" "" "" "  json_file { dir = \"$TMP/dumps\" }" "interval = 1
fast_interval = 0.1
history = 30
pre_trigger = 6
post_trigger = 2"
start_daemon
sleep 2

# 300 ms of one core (wall time), then idle: the burst falls between two
# 1 s samples, in one interval or split over two.
"$top_builddir/tests/cpu_burner" 0 300 || fail "cpu_burner failed"
sleep 1.5
kill -USR1 $daemon
"$top_builddir/tests/cpu_burner" 0 600 cpu 300 || fail "cpu_burner failed"
dumps() { ls "$TMP"/dumps/spike_*_manual_0*.json >/dev/null 2>&1; }
wait_for 6 dumps || fail "SIGUSR1 gave no dump"
DUMP=$(ls "$TMP"/dumps/spike_*_manual_0*.json | head -n 1)

python3 - "$DUMP" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cores = d["host"]["cores"]
fast = d.get("fast")
assert fast, "no fast object in the dump"
assert abs(fast["interval_s"] - 0.1) < 1e-9, fast["interval_s"]
f = fast["samples"]
s = d["samples"]
span = (s[-1]["mono_ns"] - s[0]["mono_ns"]) / 1e9
# A timer the scheduler holds back (another job's load) coalesces two
# readings into one: a few may be missing, none out of order.
assert len(f) >= 8 * span, "%d readings over %.1f s" % (len(f), span)
late = [b["interval_s"] for b in f[1:] if not 0.05 < b["interval_s"] < 0.3]
for a, b in zip(f, f[1:]):
    assert b["mono_ns"] > a["mono_ns"], "readings out of order"
    assert b["interval_s"] < 1.5, "a reading %.3f s after the last" % b["interval_s"]
assert len(late) <= len(f) // 20, "readings off the 0.1 s pace: %r" % late
# Within the samples' span: from the first sample's interval to the last.
assert f[0]["mono_ns"] > s[0]["mono_ns"] - 1.2e9 and f[-1]["mono_ns"] <= s[-1]["mono_ns"]
core = lambda pct: pct * cores           # percent of the machine -> of one core
# The 300 ms burst came before the trigger; the burner after it is the
# post-trigger part's. A core more stands out only on a machine that has
# one to spare: under another job's load the readings are all busy.
ti = d["trigger_index"]
quiet = sorted(core(r["cpu_total_pct"]) for r in f if r["mono_ns"] <= s[ti]["mono_ns"])
busy_machine = quiet[len(quiet) // 2] > 40
if busy_machine:
    print("the 300 ms burst: not checked, the machine is busy (median %.0f %% of a "
          "core before the trigger): a core more does not stand out" % quiet[len(quiet) // 2])
else:
    busy = [r for r in f if core(r["cpu_total_pct"]) >= 80 and r["mono_ns"] <= s[ti]["mono_ns"]]
    assert len(busy) >= 2, "readings near a core: %r" % [round(core(r["cpu_total_pct"])) for r in f]
    start = busy[0]["mono_ns"] - 0.2e9
    end = busy[-1]["mono_ns"]
    assert end - start < 1.0e9, "the busy readings span %.2f s" % ((end - start) / 1e9)
    # The samples whose intervals hold the burst: each well below a core,
    # together about 30 % of one.
    hold = [k for k in range(1, ti + 1) if s[k]["mono_ns"] > start and s[k - 1]["mono_ns"] < end]
    assert hold, "no sample holds the burst"
    each = [core(s[k]["cpu"]["total_pct"]) for k in hold]
    assert max(each) < 60, "a 1 s sample shows %.0f %% of a core" % max(each)
    assert 15 <= sum(each) <= 55, "the samples over the burst hold %.0f %% of a core" % sum(each)
    print("1 s samples: %s %% of a core; %d fast readings >= 80 %%" %
          ([round(x) for x in each], len(busy)))

# After the trigger: post_trigger (2) ticks, and samples at 0.1 s between
# them; before it, samples at 1 s.
before, after = s[:ti + 1], s[ti + 1:]
assert all("fast" not in x for x in before), "a fast sample before the trigger"
for a, b in zip(before[1:], before[2:]):
    assert 0.8 < b["interval_s"] < 1.3, "a sample %.3f s after the last" % b["interval_s"]
fast_ones = [x for x in after if x.get("fast")]
ticks = [x for x in after if not x.get("fast") and not x.get("off_tick")]
assert len(ticks) == 2, "%d ticks after the trigger" % len(ticks)
# 9 steps between each two ticks after the trigger, fewer in the first
# (the signal came within it); a wake-up the host holds back may skip one.
assert len(fast_ones) >= 9, "%d fast samples after the trigger" % len(fast_ones)
print("after the trigger: %s" % " ".join("%+.2f%s" % (x["offset_ns"] / 1e9, "f" if x.get("fast") else "")
                                          for x in after))
# The first may come later than a step after the tick: the signal's; and
# one a held-back wake-up delayed may cover more than a step.
off_pace = [x["interval_s"] for x in fast_ones[1:] if not 0.04 < x["interval_s"] < 0.3]
assert len(off_pace) <= 1 and all(v < 1.5 for v in off_pace), \
    "fast samples off the 0.1 s pace: %r" % off_pace
for a, b in zip(s, s[1:]):
    assert abs((b["mono_ns"] - a["mono_ns"]) / 1e9 - b["interval_s"]) < 1e-3, \
        "interval_s is not the time since the sample before"
assert after[-1]["offset_ns"] >= 1.9e9, "the window ends %.2f s after the trigger" % (
    after[-1]["offset_ns"] / 1e9)
# The burner, named in the samples at 0.1 s (near a core when it has one
# to itself).
least = 30 if busy_machine else 70
named = [x for x in fast_ones
         if any(p["comm"] == "cpu_burner" and p["cpu_pct"] >= least for p in x["top_cpu"])]
assert len(named) >= 3, "cpu_burner at %d %% or more in %d fast samples" % (least, len(named))
print("%d fast samples after the trigger; cpu_burner at %d %% of a core or more in %d" %
      (len(fast_ones), least, len(named)))
# Not all of it could be checked: say so by the exit status.
sys.exit(77 if busy_machine else 0)
PY
status=$?
[ $status -eq 0 ] || [ $status -eq 77 ] || fail "the dump's fast readings: see above"

"$VIEW" --ascii "$DUMP" >"$TMP/view.txt" || fail "spiketrace-view: exit $?"
grep -q "^cpu 10 Hz  " "$TMP/view.txt" || fail "no \"cpu 10 Hz\" row in the viewer's timeline"
grep -q "^mem avail 10 Hz  " "$TMP/view.txt" || fail "no \"mem avail 10 Hz\" row"
grep -q "system readings every 0.1 s" "$TMP/view.txt" || fail "the timeline does not say the rate"
grep -q "every 0.1 s after the trigger" "$TMP/view.txt" ||
	fail "the timeline does not say the samples after the trigger came every 0.1 s"

stop $daemon
[ "$STATUS" -eq 0 ] || fail "the daemon exited with $STATUS"
grep -q "sampling /proc every 1s (system figures every 0.1s)" "$LOG" ||
	fail "the fast ring was not said at start"
grep -q "samples at fast_interval (0.1s) after triggers" "$LOG" ||
	fail "the samples after the trigger were not counted at exit"
if [ $status -eq 77 ]; then
	echo "SKIP: the 300 ms burst was not checked (a busy machine); the rest passed"
	exit 77
fi
echo "PASS: a 300 ms burst between two samples, at 10 Hz; processes at 10 Hz after the trigger"
