#!/bin/sh
# spiketrace-view --html in a real browser (and --perfetto on the same
# dump, against the trace format's rules): a dump of the real daemon (14
# samples, a 1.5 s burst of one core among them) becomes a page that Debian's headless Chromium loads from
# file:// with no console error and draws (the screenshot is not blank);
# the same dump with an attacker's names shows them as text in the DOM
# (no element, no attribute, no script of theirs); a malformed dump
# leaves no page behind. SPIKETRACE_SCREENSHOT=FILE keeps the screenshot
# (doc/report.png is made so).
. "${top_srcdir:-.}/tests/e2e_lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
CHROME=
for c in chromium-headless-shell chromium; do
	command -v "$c" >/dev/null 2>&1 && { CHROME=$c; break; }
done
[ -n "$CHROME" ] || {
	echo "SKIP: no chromium-headless-shell or chromium (scripts/install-deps.sh --test installs it)"
	exit 77
}

# browse OUT_FLAG FILE: Chromium on file://FILE, bounded, its profile and
# home in ours, its log (console messages included) in $TMP/chrome.log.
browse() {
	mkdir -p "$TMP/home"
	HOME="$TMP/home" timeout 60 "$CHROME" --no-sandbox --disable-gpu --headless \
		--user-data-dir="$TMP/profile" --window-size=900,2000 \
		--enable-logging=stderr --v=0 "$1" "file://$2" 2>"$TMP/chrome.log"
}

list_detectors
write_config "$TMP/spiketrace.conf" "" "" "  json_file { dir = \"$TMP/dumps\" }" \
	"interval = 0.5
fast_interval = 0
history = 30
pre_trigger = 10
post_trigger = 3
log_level = \"debug\""
LOG="$TMP/daemon.log"
"$SPIKETRACE" --foreground --config "$TMP/spiketrace.conf" >/dev/null 2>"$LOG" &
daemon=$!
started $daemon
ticks() { [ "$(grep -c 'tick late by' "$LOG")" -ge "$1" ]; }
# A second and a half of one core in the window, for the charts to show.
wait_for 20 ticks 4 || fail "the daemon did not take 4 samples"
"$top_builddir/tests/cpu_burner" 0 1500 || fail "cpu_burner failed"
wait_for 20 ticks 11 || fail "the daemon did not take 11 samples"
kill -USR1 $daemon
dumps() { ls "$TMP"/dumps/spike_*_manual_0*.json >/dev/null 2>&1; }
wait_for 10 dumps || fail "SIGUSR1 gave no dump"
stop $daemon
[ "$STATUS" -eq 0 ] || fail "the daemon exited with $STATUS"
DUMP=$(ls "$TMP"/dumps/spike_*_manual_0*.json | head -n 1)

# --- the page of a real dump: its weight, and a browser draws it
"$VIEW" --html "$TMP/report.html" "$DUMP" || fail "spiketrace-view --html: exit $?"
bytes=$(wc -c <"$TMP/report.html")
samples=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["samples"]))' "$DUMP")
echo "a page of $bytes bytes for a dump of $samples samples"
[ "$samples" -eq 14 ] || fail "the dump has $samples samples, not 14"
[ "$bytes" -le $((300 * 1024)) ] || fail "the page weighs $bytes bytes (budget 300 KiB)"
grep -q "http" "$TMP/report.html" && fail "the page names a URL: it must fetch nothing"
browse --screenshot="$TMP/report.png" "$TMP/report.html" || fail "$CHROME: exit $?"
grep -i ":CONSOLE" "$TMP/chrome.log" && fail "the page logged to the console (above)"
python3 - "$TMP/report.png" <<'PY' || fail "the screenshot: see above"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IHDR":
        width = struct.unpack(">I", data[pos + 8:pos + 12])[0]
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
pixels = zlib.decompress(idat)
# A blank page is one colour: its rows decompress to a handful of values.
distinct = len(set(pixels))
assert distinct > 16, "the screenshot is blank (%d distinct bytes)" % distinct
print("screenshot %d px wide, %d distinct bytes" % (width, distinct))
PY
[ -z "${SPIKETRACE_SCREENSHOT:-}" ] || cp "$TMP/report.png" "$SPIKETRACE_SCREENSHOT"

# --- the same dump as a Perfetto trace: the format's rules, its 14
# samples on the system track, the trigger
"$VIEW" --perfetto "$TMP/trace.json" "$DUMP" || fail "spiketrace-view --perfetto: exit $?"
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$top_srcdir/tests" python3 - "$TMP/trace.json" <<'PY' || fail "the trace: see above"
import sys
import trace_rules

events = trace_rules.check(sys.argv[1])["traceEvents"]
system = [e["pid"] for e in events if e["ph"] == "M" and e["name"] == "process_name"
          and e["args"]["name"].endswith(" system")]
assert len(system) == 1, system
cpu = [e for e in events if e["ph"] == "C" and e["pid"] == system[0] and e["name"] == "cpu (%)"]
assert len(cpu) == 14, "%d cpu counters for 14 samples" % len(cpu)
assert [e for e in events if e["ph"] == "i" and e["name"] == "manual"], "no trigger instant"
print("trace of the real dump: %d events" % len(events))
PY

# --- an attacker's names: text in the DOM, nothing else
python3 - "$DUMP" "$TMP/hostile.json" <<'PY' || fail "cannot write the hostile dump"
import json, sys
d = json.load(open(sys.argv[1]))
evil_comm = "<script>alert(1)</script>"
evil_cmd = '"><img src=x onerror=alert(2)> \u202egpj.exe @FF@ end'
for s in d["samples"]:
    for p in s["top_cpu"] + s["top_rss"]:
        p["comm"] = evil_comm
        p["cmdline"] = evil_cmd
d["triggers"][0]["summary"] = "<b>bold</b> & \"quoted\""
d["triggers"][0]["pid"] = 4242
d["triggers"][0]["comm"] = evil_comm
d["host"]["hostname"] = "host'><svg onload=alert(3)>"
text = json.dumps(d).encode().replace(b"@FF@", b"\xff\xfe")
open(sys.argv[2], "wb").write(text)
PY
"$VIEW" --html "$TMP/hostile.html" "$TMP/hostile.json" || fail "--html on the hostile dump: exit $?"
browse --dump-dom "$TMP/hostile.html" >"$TMP/dom.html" || fail "$CHROME --dump-dom: exit $?"
grep -i ":CONSOLE" "$TMP/chrome.log" && fail "the hostile page logged to the console (above)"
python3 - "$TMP/dom.html" <<'PY' || fail "the hostile page's DOM: see above"
import sys
dom = open(sys.argv[1], "rb").read().decode("utf-8")
for bad in ("<img", "<svg onload", "<b>bold", "onerror=alert(2)>", "\u202e"):
    assert bad not in dom, "the DOM holds %r" % bad
assert dom.count("<script") == 1, "%d scripts in the DOM" % dom.count("<script")
# Invalid UTF-8 is U+FFFD from the dump reader on (the renderer escapes
# what reaches it otherwise: tests/test_render_html.c).
for shown in ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;",
              "\\xe2\\x80\\xae", "\ufffd\ufffd end", "&lt;b&gt;bold&lt;/b&gt; &amp;",
              "&lt;svg onload=alert(3)&gt;"):
    assert shown in dom, "the DOM does not show %r as text" % shown
print("hostile names: text in the DOM")
PY

# --- a directory: a page per dump and an index linking them, the
# attacker's names as text there too; a broken dump is listed with its
# reason and makes the status 1, the others still get their pages
mkdir "$TMP/dir"
cp "$DUMP" "$TMP/dir/"
cp "$TMP/hostile.json" "$TMP/dir/spike_000002_hostile.json"
"$VIEW" --html "$TMP/site" "$TMP/dir" || fail "--html on a directory: exit $?"
browse --dump-dom "$TMP/site/index.html" >"$TMP/index-dom.html" || fail "$CHROME on the index: exit $?"
grep -i ":CONSOLE" "$TMP/chrome.log" && fail "the index logged to the console (above)"
python3 - "$TMP/site" "$TMP/index-dom.html" <<'PY' || fail "the index: see above"
import os, re, sys
site, dom = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
pages = sorted(f for f in os.listdir(site) if f != "index.html")
want = sorted(f[:-len(".json")] + ".html" for f in os.listdir(site + "/../dir"))
assert pages == want, (pages, want)
links = re.findall(r'<a href="([^"]+)">', dom)
assert sorted(links) == pages, (links, pages)
assert "<img" not in dom and "<svg onload" not in dom and dom.count("<script") == 1
assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom, "the hostile culprit is not shown as text"
assert "2 dumps in" in dom
print("index: %d pages linked" % len(links))
PY
printf '{"schema": ' >"$TMP/dir/spike_000003_broken.json"
"$VIEW" --html "$TMP/site2" "$TMP/dir" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] || fail "--html on a directory with a broken dump: exit $rc, not 1"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "spike_000003_broken.json" "$TMP/err" ||
	fail "not one line naming the broken dump: $(cat "$TMP/err")"
grep -q "cannot be read" "$TMP/site2/index.html" || fail "the index does not list the broken dump"
[ "$(ls "$TMP/site2" | wc -l)" -eq 3 ] || fail "not index.html and the 2 good pages: $(ls "$TMP/site2")"

# --- a malformed dump: one line naming it, exit 1, no page at all
head -c 200 "$DUMP" >"$TMP/broken.json"
"$VIEW" --html "$TMP/none.html" "$DUMP" "$TMP/broken.json" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 1 ] || fail "--html with a broken dump: exit $rc, not 1"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "broken.json" "$TMP/err" ||
	fail "not one line naming the broken dump: $(cat "$TMP/err")"
ls "$TMP"/none.html* >/dev/null 2>&1 && fail "a page (or its temporary file) was left behind"
echo "PASS: the page of a real dump in $CHROME, its trace, a directory's index; hostile names as text; no page from a broken dump"
