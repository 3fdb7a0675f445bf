#!/bin/sh
# End to end, unprivileged: started by root as the ordinary user nobody,
# the real daemon samples the real /proc at 0.2 s and catches a process
# of root's going from idle to a full core: a dump in a directory nobody
# owns names it. Core detection reads only world-readable files.
# Skipped (77) when not root, or when nobody cannot reach the build tree.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root to start the daemon as nobody"
id nobody >/dev/null 2>&1 || skip "no user nobody"
# setpriv leaves nothing of root's behind: uid, gid, groups, no capabilities.
if command -v setpriv >/dev/null 2>&1; then
	AS_NOBODY="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups --inh-caps=-all --"
elif command -v runuser >/dev/null 2>&1; then
	AS_NOBODY="runuser -u nobody --"
else
	skip "neither setpriv nor runuser is installed"
fi
$AS_NOBODY test -x "$SPIKETRACE" ||
	skip "nobody cannot run $SPIKETRACE (a parent directory is closed to others)"
$AS_NOBODY test -r "$PLUGINS/cpu_delta.so" ||
	skip "nobody cannot read the plugins in $PLUGINS"

# The test's temp dir becomes reachable; the dump directory is nobody's.
chmod 0755 "$TMP"
mkdir "$TMP/dumps"
chown nobody "$TMP/dumps"

list_detectors
write_config "$TMP/spiketrace.conf" cpu_delta "  cpu_delta { threshold_pct = 40 cooldown = 5 }" "
  json_file { dir = \"$TMP/dumps\" }"
chmod 0644 "$TMP/spiketrace.conf"

# The daemon's stderr goes to a file root opened: nobody needs no write
# access outside the dump directory.
$AS_NOBODY "$SPIKETRACE" --foreground --config "$TMP/spiketrace.conf" >"$TMP/daemon.log" 2>&1 &
daemon=$!
started $daemon
wait_for 5 grep -q "sampling /proc" "$TMP/daemon.log" || fail "daemon did not start as nobody"
uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$daemon/status")
[ "$uid" = "65534 65534 65534 65534" ] || fail "daemon uids are $uid, not nobody's"
caps=$(awk '/^CapEff:/ { print $2 }' "/proc/$daemon/status")
[ "$caps" = 0000000000000000 ] || fail "daemon has capabilities $caps"

# Root's process: idle, then a full core.
"$top_builddir/tests/cpu_burner" 600 8000 &
burner=$!
started $burner
[ "$(stat -c %u "/proc/$burner")" = 0 ] || fail "the burner is not root's"

wait_for 5 dump_naming cpu_delta "$burner" || fail "no cpu_delta dump naming root's pid $burner within 5 s"
python3 - "$DUMP" "$burner" <<'PY' || fail "dump content"
import json, sys
d = json.load(open(sys.argv[1]))
pid = int(sys.argv[2])
t = [t for t in d["triggers"] if t["pid"] == pid][0]
assert t["comm"] == "cpu_burner" and t["value"] >= 40, t
s = d["samples"][t["sample_index"]]
p = [p for p in s["top_cpu"] + s["blamed"] if p["pid"] == pid][0]
assert p.get("uid") in (0, None), p.get("uid")
print("trigger:", t["summary"], "| uid in the dump:", p.get("uid"))
PY
[ "$(stat -c %U "$DUMP")" = nobody ] || fail "the dump is not nobody's"
[ "$(stat -c %a "$DUMP")" = 640 ] || fail "dump mode $(stat -c %a "$DUMP"), expected 640"
echo "dump $(basename "$DUMP") written by nobody"

stop $burner
stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon exited $STATUS on SIGTERM"
grep -E "^spiketrace: (err|warning):" "$TMP/daemon.log" && fail "errors or warnings as nobody (above)"
echo "PASS"
