#!/bin/sh
# spiketrace-view --perfetto end to end: dumps written by cli_viewer.sh's
# python3 generator (an independent writer of the documented format), the
# trace checked against the Chrome Trace Event Format's rules with python3,
# and malformed input leaving no file behind. No daemon needed.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }

# The one dump generator of the viewer's tests, taken from its script
# rather than written again.
sed -n "/^cat > \"\$TMP\/gen.py\" <<'PY'\$/,/^PY\$/p" "$top_srcdir/tests/cli_viewer.sh" |
	sed '1d;$d' > "$TMP/gen.py"
grep -q "^def dump" "$TMP/gen.py" || fail "no dump generator found in tests/cli_viewer.sh"
gen() { python3 "$TMP/gen.py" "$@" || fail "gen.py $*"; }

export LC_ALL=C.UTF-8
umask 022
mkdir "$TMP/out"

# only_file DIR NAME: NAME is all DIR holds (no temporary left beside it);
# NAME "" for an empty DIR.
only_file() {
	left=$(ls -A "$1" | tr '\n' ' ')
	[ "$left" = "${2:+$2 }" ] || fail "$1 holds '$left', expected '${2}'"
}

# ------------------------------------------------------------ good dumps
gen "$TMP/good.json" evidence=1 unit=nginx.service
gen "$TMP/later.json" wall_s=1795303800 type=mem_drop units=kib
gen "$TMP/hostile.json" pid=6666 \
	comm="$(printf '<script>"\\\342\200\256@FF@')" \
	cmdline="$(printf '"><img src=x onerror=alert(1)>\033[2J\n\342\200\256@FF@')"
"$VIEW" --perfetto "$TMP/out/trace.json" "$TMP/good.json" "$TMP/later.json" \
	"$TMP/hostile.json" >"$TMP/stdout" 2>"$TMP/err" || fail "--perfetto: exit $?: $(cat "$TMP/err")"
[ -s "$TMP/err" ] && fail "--perfetto: said: $(cat "$TMP/err")"
[ -s "$TMP/stdout" ] && fail "--perfetto: wrote to stdout"
only_file "$TMP/out" trace.json
[ "$(stat -c %a "$TMP/out/trace.json")" = 644 ] ||
	fail "trace mode $(stat -c %a "$TMP/out/trace.json"), expected 644 under umask 022"

PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$top_srcdir/tests" python3 - "$TMP/out/trace.json" <<'PY' || fail "the trace: see above"
import sys
import trace_rules

doc = trace_rules.check(sys.argv[1])
events = doc["traceEvents"]

SYS = 1 << 22
names = {e["pid"]: e["args"]["name"] for e in events
         if e["ph"] == "M" and e["name"] == "process_name"}
labels = {e["pid"]: e["args"]["labels"] for e in events
          if e["ph"] == "M" and e["name"] == "process_labels"}
# One boot: one system track, each process once, by its real pid.
assert sum(1 for e in events if e["ph"] == "M" and e["name"] == "process_name"
           and e["pid"] == SYS) == 1
assert names[SYS] == "testhost system", names
assert names[4242] == "hog [nginx.service]", names
assert names[1001].startswith("Xorg [docker abababababab]"), names
assert labels[4242] == "hog --burn", labels

def find(ph, name, pid):
    return [e for e in events if e["ph"] == ph and e["name"] == name and e["pid"] == pid]

# The blamed process at the trigger sample (mono_ns 5e12 + 2^62 + 1 ns in
# the evidence dump), in µs.
t_us = (5 * 10**12 + 2**62 + 1) / 1000.0
hog = [e for e in find("C", "cpu (%)", 4242) if abs(e["ts"] - t_us) < 1]
assert len(hog) == 1 and hog[0]["args"]["cpu"] == 95.0, hog
assert any(e["args"]["rss"] == 250.0 for e in find("C", "rss (MiB)", 4242))
assert len(find("C", "cpu (%)", SYS)) == 18                     # 3 dumps x 6
assert find("C", "pressure cpu (%)", SYS), "no pressure track"
assert find("C", "memory breakdown (MiB)", SYS), "no memory breakdown"
trig = find("i", "cpu_delta", SYS)
assert len(trig) == 2 and all(e["s"] == "g" for e in trig), trig
assert any(abs(e["ts"] - t_us) < 1 and e["args"]["summary"] == "test trigger"
           and e["args"]["pid"] == 4242 and e["args"]["comm"] == "hog" for e in trig), trig
assert len(find("i", "mem_drop", SYS)) == 1
assert len(doc["otherData"]["dumps"]) == 3

# The hostile names: shown as text, escaped as the text output does.
h = names[6666]
assert h.startswith('<script>"\\\\\\xe2\\x80\\xae'), h
assert "\\xef\\xbf\\xbd" not in h and "\ufffd" in h, h     # the reader's U+FFFD, kept
assert labels[6666].startswith('"><img src=x onerror=alert(1)>\\x1b[2J\\n'), labels[6666]
print("ok: %d events" % len(events))
PY

# ------------------------------------------------------------ malformed input
printf 'hello, world\n' > "$TMP/notjson.json"
sed 's|spiketrace.dump/1|spiketrace.dump/2|' "$TMP/good.json" > "$TMP/schema2.json"
cp "$TMP/out/trace.json" "$TMP/before.json"

check_bad() {       # FILE REASON
	"$VIEW" --perfetto "$TMP/out/bad.json" "$TMP/good.json" "$1" >"$TMP/stdout" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$1: exit $rc, expected 1"
	[ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "$1: not one error line: $(cat "$TMP/err")"
	grep -qF "spiketrace-view: $1: $2" "$TMP/err" || fail "$1: not named with '$2': $(cat "$TMP/err")"
	only_file "$TMP/out" trace.json
	echo "ok: $(cat "$TMP/err")"
}
check_bad "$TMP/notjson.json" "not JSON"
check_bad "$TMP/schema2.json" "unknown schema 'spiketrace.dump/2'"
check_bad "$TMP/nosuch.json" "No such file or directory"

# A failed run leaves an earlier trace of the same name as it was.
"$VIEW" --perfetto "$TMP/out/trace.json" "$TMP/notjson.json" 2>/dev/null && fail "bad dump over a trace: exit 0"
cmp -s "$TMP/before.json" "$TMP/out/trace.json" || fail "a failed run changed the earlier trace"
only_file "$TMP/out" trace.json

# Where it cannot be written: one line naming the output, nothing left.
mkdir "$TMP/ro"
chmod 555 "$TMP/ro"
if [ "$(id -u)" -ne 0 ]; then
	"$VIEW" --perfetto "$TMP/ro/t.json" "$TMP/good.json" 2>"$TMP/err" && fail "read-only dir: exit 0"
	[ "$(wc -l < "$TMP/err")" -eq 1 ] && grep -qF "spiketrace-view: $TMP/ro/t.json: " "$TMP/err" ||
		fail "read-only dir: $(cat "$TMP/err")"
	only_file "$TMP/ro" ""
fi
"$VIEW" --perfetto "$TMP/nodir/t.json" "$TMP/good.json" 2>"$TMP/err" && fail "missing dir: exit 0"
[ "$(wc -l < "$TMP/err")" -eq 1 ] &&
	grep -qF "spiketrace-view: $TMP/nodir/t.json: cannot create a temporary file beside it" "$TMP/err" ||
	fail "missing dir: $(cat "$TMP/err")"
# A directory in the way: the rename fails, the temporary goes.
mkdir "$TMP/out/adir.json"
"$VIEW" --perfetto "$TMP/out/adir.json" "$TMP/good.json" 2>"$TMP/err" && fail "directory as output: exit 0"
grep -qF "spiketrace-view: $TMP/out/adir.json: cannot rename" "$TMP/err" ||
	fail "directory as output: $(cat "$TMP/err")"
rmdir "$TMP/out/adir.json"
only_file "$TMP/out" trace.json

# ------------------------------------------------------------ usage
for bad in "--json" "--list" "--all" "--sample 1"; do
	# shellcheck disable=SC2086
	"$VIEW" --perfetto "$TMP/out/u.json" $bad "$TMP/good.json" >/dev/null 2>"$TMP/err"
	[ $? -eq 2 ] || fail "--perfetto with $bad: not a usage error"
done
"$VIEW" --perfetto "$TMP/out/u.json" 2>"$TMP/err"
[ $? -eq 2 ] || fail "--perfetto without a dump: not a usage error"
only_file "$TMP/out" trace.json
"$VIEW" --help | grep -q -- "--perfetto OUT" || fail "--help does not say --perfetto"

echo "PASS"
