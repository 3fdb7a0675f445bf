#!/bin/sh
# End to end, a hostile process name: the real daemon at 0.2 s on the real
# /proc; a process of ours whose name (the kernel's comm, the first 15
# bytes of the executable's file name) holds an ANSI escape sequence, a
# newline, a double quote, a ')' followed by what looks like the next
# field of /proc/PID/stat, a byte that is not UTF-8 and a bidi override
# (U+202E, "Trojan Source"), goes from idle to a full core. Then:
#   - a dump names it, and is valid JSON to an independent parser (python3)
#     in which the name comes back with only the invalid byte replaced;
#   - the viewer (every mode), the stdout sink (text) and the daemon's own
#     log hold no raw control byte: nothing below 0x20 but the newline
#     that ends a line, no DEL, and no raw bidi override.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

# Every detector off but cpu_delta: a spike elsewhere on the machine may
# still open an incident, which the burner's trigger then joins.
list_detectors
write_config "$TMP/spiketrace.conf" cpu_delta "  cpu_delta { threshold_pct = 40 cooldown = 5 }" "
  json_file { dir = \"$TMP/dumps\" }
  stdout { }"

# e ESC [1m " LF ) SP R 0xff z U+202E: 15 bytes, all of them kept in comm
# (TASK_COMM_LEN 16). The ") R" is there for a parser that splits
# /proc/PID/stat at the first ')'.
name=$(printf 'e\033[1m"\n) R\377z\342\200\256')
cp "$top_builddir/tests/cpu_burner" "$TMP/$name" || fail "cannot copy cpu_burner"

"$SPIKETRACE" --foreground --config "$TMP/spiketrace.conf" \
	>"$TMP/stdout.txt" 2>"$TMP/daemon.log" &
daemon=$!
started $daemon
wait_for 5 grep -q "sampling /proc" "$TMP/daemon.log" || fail "daemon did not start"

# Idle for 0.6 s first, so that cpu_delta has seen it idle before the burn.
"$TMP/$name" 600 8000 &
burner=$!
started $burner
wait_for 3 grep -q "R" "/proc/$burner/comm" || fail "the burner did not start"
od -c "/proc/$burner/comm" | head -n 2

wait_for 5 dump_naming cpu_delta "$burner" || fail "no cpu_delta dump naming pid $burner within 5 s"
echo "dump: $(basename "$DUMP")"

# Valid JSON to python3 (strict: no raw control character inside a
# string), and to jq when it is there; the name round-trips, with U+FFFD
# for the byte that is not UTF-8 and nothing else changed.
python3 - "$DUMP" "$burner" <<'PY' || fail "dump content"
import json, sys
raw = open(sys.argv[1], "rb").read()
text = raw.decode("utf-8")                      # strict: valid UTF-8
d = json.loads(text, strict=True)
pid = int(sys.argv[2])
want = 'e\x1b[1m"\n) R\ufffdz\u202e'
t = [t for t in d["triggers"] if t["pid"] == pid][0]
assert t["comm"] == want, ascii(t["comm"])
s = d["samples"][t["sample_index"]]
procs = [p for p in s["top_cpu"] + s["top_rss"] + s["blamed"] if p["pid"] == pid]
assert procs, "the burner is in no list of its trigger sample"
for p in procs:
    assert p["comm"] == want, ascii(p["comm"])
    assert p["state"] in "RSD", p["state"]   # the fields after comm parsed right
# No raw control byte: only JSON's own whitespace (the dump is indented).
assert not [c for c in raw if (c < 0x20 and c not in b"\t\n") or c == 0x7f], "raw control byte"
print("comm in the dump:", ascii(t["comm"]))
PY
if command -v jq >/dev/null 2>&1; then
	jq -e --argjson pid "$burner" '.triggers[] | select(.pid == $pid) | .comm' \
		"$DUMP" >/dev/null || fail "jq cannot read the dump"
fi

# no_control_bytes FILE WHAT [json]: no byte below 0x20 but LF, no DEL;
# with "json", the TAB that indents JSON too.
no_control_bytes() {
	python3 - "$1" "$2" "${3:-}" <<'PY' || fail "$2: raw control bytes (above)"
import sys
raw = open(sys.argv[1], "rb").read()
ok = b"\n\t" if sys.argv[3] == "json" else b"\n"
bad = [(i, c) for i, c in enumerate(raw) if (c < 0x20 and c not in ok) or c == 0x7f]
# JSON may carry U+202E as it is (it is valid UTF-8); text may not.
if sys.argv[3] != "json" and b"\xe2\x80\xae" in raw:
    bad.append((raw.index(b"\xe2\x80\xae"), 0xe2))
if bad:
    i = bad[0][0]
    print("%s: %d raw control bytes, first 0x%02x at %d: %r" %
          (sys.argv[2], len(bad), bad[0][1], i, raw[max(0, i - 40):i + 40]))
    sys.exit(1)
PY
}

# The viewer, in every mode, its output a pipe (no colour).
"$VIEW" "$DUMP" >"$TMP/view.txt" || fail "spiketrace-view exited $?"
"$VIEW" --all "$DUMP" >"$TMP/view_all.txt" || fail "spiketrace-view --all exited $?"
"$VIEW" --ascii "$DUMP" >"$TMP/view_ascii.txt" || fail "spiketrace-view --ascii exited $?"
"$VIEW" --json "$DUMP" >"$TMP/view_json.txt" || fail "spiketrace-view --json exited $?"
"$VIEW" --list "$TMP/dumps" >"$TMP/view_list.txt" || fail "spiketrace-view --list exited $?"
for f in view view_all view_ascii view_list; do
	no_control_bytes "$TMP/$f.txt" "spiketrace-view ($f)"
done
no_control_bytes "$TMP/view_json.txt" "spiketrace-view --json" json
# The name is shown, escaped: "\x1b" and "\n" as text, the quote and ')' as they are.
escaped='e\x1b[1m"\n) R'
grep -qF "[$burner] $escaped" "$TMP/view.txt" || fail "viewer: the burner's escaped name is not shown"
grep -qF 'z\xe2\x80\xae' "$TMP/view.txt" || fail "viewer: the bidi override is not shown escaped"
grep -qF "[$burner] $escaped\\xef\\xbf\\xbdz\\xe2\\x80\\xae" "$TMP/view_ascii.txt" ||
	fail "viewer --ascii: the burner's name is not shown escaped to ASCII"
python3 - "$TMP/view_json.txt" "$burner" <<'PY' || fail "viewer --json"
import json, sys
d = json.load(open(sys.argv[1]))
t = [t for t in d["triggers"] if t["pid"] == int(sys.argv[2])][0]
assert t["comm"] == 'e\x1b[1m"\n) R\ufffdz\u202e', ascii(t["comm"])
PY

# The stdout sink (text) for the same dump, and the daemon's log.
wait_for 3 grep -qF "[$burner] $escaped" "$TMP/stdout.txt" ||
	fail "stdout sink: the burner's escaped name is not shown"
stop $burner
stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon exited $STATUS on SIGTERM"
no_control_bytes "$TMP/stdout.txt" "stdout sink"
no_control_bytes "$TMP/daemon.log" "daemon log"
grep -qF "[$burner] $escaped" "$TMP/daemon.log" ||
	echo "note: the incident line names another process (the burner joined its incident)"
ls -A "$TMP/dumps" | grep -q '^\.tmp' && fail "temp file left in the dump directory"
echo "PASS"
