#!/bin/sh
# A detector's fd in the real daemon's poll loop: the watcher test plugin
# watches a FIFO and asks for an off-tick sample when it is written. The
# sample is taken between two ticks (interval 1 s), marked "off_tick" in
# the dump, its reason is logged at debug level, and the ticks around it
# keep their schedule.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

WATCHER="$top_builddir/tests/engine_plugins/.libs/watcher.so"
[ -f "$WATCHER" ] || { echo "SKIP: $WATCHER not built (make check builds it)"; exit 77; }
mkdir "$TMP/plugins" && cp "$PLUGINS/json_file.so" "$WATCHER" "$TMP/plugins/" ||
	fail "cannot copy the plugins"
chmod 0755 "$TMP/plugins" && chmod 0644 "$TMP/plugins"/*.so || fail "chmod"
mkfifo "$TMP/fifo" || fail "mkfifo $TMP/fifo"
cat >"$TMP/spiketrace.conf" <<CONF
interval = 1
history = 30
pre_trigger = 3
post_trigger = 2
log_level = "debug"
plugin_dir = "$TMP/plugins"
detectors {
  watcher { fifo = "$TMP/fifo" fire = true }
}
sinks {
  json_file { dir = "$TMP/dumps" }
}
CONF

start_daemon
grep -q "plugin watcher: fd [0-9]* watched" "$LOG" || fail "the watcher's fd is not watched"

# A write within 100 ms of the next tick is served by the tick (no
# off-tick sample then): try again, a second apart, until one opens the
# incident. The daemon holds the FIFO open, so the open does not block;
# timeout bounds it should the daemon be gone.
opened() { grep -q "incident opened: off_tick" "$LOG"; }
for try in 1 2 3 4 5; do
	timeout 5 sh -c 'printf x >"$1"' sh "$TMP/fifo" || fail "cannot write $TMP/fifo"
	wait_for 2 opened && break
done
opened || fail "no off-tick sample opened an incident after 5 writes"
grep -q "plugin watcher asks for an off-tick sample: fifo readable" "$LOG" ||
	fail "the request's reason is not in the debug log"

wait_for 10 dump_naming off_tick || fail "no dump of the off_tick incident"
python3 - "$DUMP" <<'PY' || fail "the dump's samples: see above"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["samples"]
k = d["triggers"][0]["sample_index"]
assert s[k].get("off_tick") is True, "trigger sample not marked off_tick: %r" % s[k].keys()
assert 0 < k < len(s) - 1, "no tick on both sides of sample %d of %d" % (k, len(s))
# The tick after it: the samples at fast_interval that the incident it
# opened brings come between.
before = s[k - 1]
after = next((x for x in s[k + 1:] if not x.get("fast")), None)
assert after, "no tick after sample %d" % k
assert "off_tick" not in before and "off_tick" not in after, "neighbours are ticks"
gap = (s[k]["mono_ns"] - before["mono_ns"]) / 1e9
assert 0.1 - 1e-3 <= gap < 0.9 + 0.05, "off-tick sample %.3f s after the tick" % gap
span = (after["mono_ns"] - before["mono_ns"]) / 1e9
assert abs(span - 1.0) < 0.25, "ticks %.3f s apart around it: the schedule moved" % span
print("off-tick sample %.3f s after a tick; ticks %.3f s apart" % (gap, span))
PY

stop $daemon
[ "$STATUS" -eq 0 ] || fail "the daemon exited with $STATUS"
grep -q "off-tick samples for [0-9]* requests" "$LOG" || fail "no off-tick count at exit"
echo "PASS: off-tick sample between two ticks"
