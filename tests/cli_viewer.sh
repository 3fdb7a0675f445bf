#!/bin/sh
# spiketrace-view end to end: dumps written here with python3 (an
# independent writer of the documented format) read back by the built
# viewer. Good, hostile and broken files; --json, --list, --sample, --all;
# colours and the ASCII fallback. No daemon, no terminal needed.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

command -v python3 >/dev/null || { echo "SKIP: python3 not found"; exit 77; }

# gen.py OUT [key=value...]: one dump, the blamed process 4242 going from
# idle to busy; raw invalid UTF-8 can be put into names with "@FF@".
cat > "$TMP/gen.py" <<'PY'
import json, sys

def proc(pid, comm, cpu, rss_mib, cmdline=None, measured=None):
    p = {"pid": pid, "ppid": 1, "start_ticks": 1000 + pid, "comm": comm,
         "state": "R", "cpu_pct": cpu, "children_cpu_pct": 0.0,
         "rss_kib": rss_mib * 1024, "minflt": 3, "majflt": 0, "uid": 1000,
         "cmdline": cmdline}
    if measured:        # absent, as in dumps from before the field
        p["measured"] = measured
    return p

NO_PLACE = {"cgroup": None, "cgroup_truncated": False, "unit": None, "user_unit": False,
            "slice": None, "session": None, "user_uid": None, "container": None,
            "io": None, "swap_kib": None}

def placed(p, unit):
    # Every field the core writes of where a process runs (absent, as in
    # dumps from before them, unless asked for).
    p.update(NO_PLACE)
    if p["pid"] == 1001:
        p.update({"cgroup": "/system.slice/docker-" + "ab" * 32 + ".scope",
                  "unit": "docker-" + "ab" * 32 + ".scope", "slice": "system.slice",
                  "container": {"runtime": "docker", "id": "ab" * 32, "pod_uid": None}})
        return p
    p.update({"cgroup": "/system.slice/" + unit, "unit": unit, "slice": "system.slice",
              "io": {"rchar": 10 << 20, "wchar": 5 << 20, "read_bytes": 3 << 20,
                     "write_bytes": 1 << 20}, "swap_kib": 4096,
              "threads": [{"tid": p["pid"] + 1, "comm": "worker", "utime_s": 9.5, "stime_s": 0.5},
                          {"tid": p["pid"], "comm": p["comm"], "utime_s": 0.25, "stime_s": 0.0}],
              "threads_truncated": False})
    return p

def evidence(s, i):
    # The system evidence: cpu pressure building up to the trigger (no
    # "full" for cpu, as before Linux 5.13), vmstat read in two samples
    # only, counters beyond 2^53 that no double holds.
    psi = [0.0, 0.0, 1.0, 30.0, 50.0, 40.0][i]
    s["pressure"] = {
        "cpu": {"some_avg10_pct": psi, "some_stall_us": int(psi * 10**4)},
        "memory": {"some_avg10_pct": 0.5, "some_stall_us": 5000,
                   "full_avg10_pct": 0.25, "full_stall_us": 2500},
        "io": {"some_avg10_pct": 2.0, "some_stall_us": 20000,
               "full_avg10_pct": 1.0, "full_stall_us": 10000}}
    if i in (0, 3):
        s["vmstat"] = {"span_s": 1.0, "pswpin_pages": 0, "pswpout_pages": 0,
                       "pgmajfault": 4, "oom_kill": 0, "pgscan_pages": 2**60 + 3,
                       "pgsteal_pages": 0, "allocstall": 0}
    s["loadavg"] = {"load1": 0.5 + i, "load5": 0.25, "load15": 0.125}
    s["ctxt"] = 2**53 + 1 + i
    s["intr"] = 1000
    s["mem"].update({"anon_kib": (1 + i) * 1048576, "cached_kib": 2097152,
                     "shmem_kib": 65536, "slab_reclaimable_kib": 131072,
                     "slab_unreclaimable_kib": 65536, "dirty_kib": 1024,
                     "writeback_kib": 0})
    s["cpu"]["cores_user_pct"] = [c * 0.75 for c in s["cpu"]["cores_busy_pct"]]
    s["cpu"]["cores_system_pct"] = [c * 0.25 for c in s["cpu"]["cores_busy_pct"]]
    s["disk"] = {"span_s": 1.0, "read_kib": 4096, "written_kib": 8192, "busy_ms": 250}

def dump(wall_s=1795303740, comm="hog", pid=4242, type_="cpu_delta",
         cmdline="hog --burn", units="pct", lasted=0, xorg=None, core_ids=None,
         evidence_=False, unit=None):
    # wall_ns not a multiple of 1024 (nor mono_ns of the evidence dump):
    # no double holds it, so a reader through doubles would round it.
    base = wall_s * 10**9 + 789
    cpu = [3.0, 4.5, 5.0, 62.5, 98.0, 97.5]
    mine = [None, 0.0, 1.0, 95.0, 99.0, 100.0]
    samples = []
    for i in range(6):
        top = [proc(1001, "Xorg", 2.0, 512, measured=xorg)]
        blamed = []
        if mine[i] is not None and pid > 0:
            me = proc(pid, comm, mine[i], 100 + 50 * i, cmdline)
            (top if mine[i] > 2.0 else blamed).insert(0, me)
        if unit:
            for p in top + blamed:
                placed(p, unit)
        samples.append({
            "offset_ns": (i - 3) * 10**9, "seq": 100 + i,
            "mono_ns": 5 * 10**12 + (i - 3) * 10**9,
            "wall_ns": base + (i - 3) * 10**9,
            "cpu": {"total_pct": cpu[i], "user_pct": cpu[i], "system_pct": 0.0,
                    "iowait_pct": 0.0, "steal_pct": 0.0,
                    "cores_busy_pct": [cpu[i], cpu[i] / 2]},
            "mem": {"total_kib": 8388608, "available_kib": 6291456 - i * 131072,
                    "free_kib": 1048576, "swap_total_kib": 2097152,
                    "swap_free_kib": 2097152 - i * 1024},
            "forks": 1, "procs_running": 2, "procs_blocked": 0, "nprocs": 200,
            "top_cpu": top, "top_rss": list(reversed(top)), "blamed": blamed})
        if core_ids:    # absent, as in dumps from before the field
            samples[-1]["cpu"]["core_ids"] = [int(c) for c in core_ids.split(",")]
        if evidence_:   # absent, as in dumps from before it
            evidence(samples[-1], i)
            samples[-1]["mono_ns"] += 2**62 + 1
    return {
        "schema": "spiketrace.dump/1",
        "id": "spike_test_%d" % wall_s, "wall_ns": base, "mono_ns": 5 * 10**12,
        "interval_s": 1.0,
        "host": {"hostname": "testhost", "kernel": "6.1.0-test", "cores": 2,
                 "mem_total_kib": 8388608,
                 "boot_id": "0f6c1d7e-4d0b-4c38-9a4c-2f1e8f3b9a11"},
        "trigger_index": 3,
        "triggers": [{"type": type_, "pid": pid, "start_ticks": 1000 + pid if pid else 0,
                      "comm": comm if pid else "", "value": 95.0, "baseline": 1.0,
                      "threshold": 10.0, "units": units, "summary": "test trigger",
                      "sample_seq": 103, "sample_index": 3}] +
        # An episode: the same trigger again "lasted" samples later.
        ([{"type": type_, "pid": pid, "start_ticks": 1000 + pid if pid else 0,
           "comm": comm if pid else "", "value": 99.0, "baseline": 1.0,
           "threshold": 10.0, "units": units, "summary": "test trigger",
           "sample_seq": 103 + lasted, "sample_index": 3 + lasted}] if lasted else []),
        "samples": samples}

args = dict(a.split("=", 1) for a in sys.argv[2:])
for k in ("wall_s", "pid", "lasted"):
    if k in args:
        args[k] = int(args[k])
if "type" in args:
    args["type_"] = args.pop("type")
if "evidence" in args:
    args["evidence_"] = args.pop("evidence") == "1"
d = dump(**args)
text = json.dumps(d, indent=1).encode()
text = text.replace(b"@FF@", b"\xff\xfe")       # invalid UTF-8, raw
open(sys.argv[1], "wb").write(text)
PY
gen() { python3 "$TMP/gen.py" "$@" || fail "gen.py $*"; }

# no_controls FILE [colour]: no byte below 0x20 but the newline, no DEL, no
# C1 control; with colour, ESC only as our own SGR sequences.
no_controls() {
	python3 - "$@" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
if len(sys.argv) > 2:
    data = re.sub(rb"\x1b\[(0|1|1;31|33|36)m", b"", data)
bad = [(i, b) for i, b in enumerate(data) if (b < 0x20 and b != 0x0a) or b == 0x7f]
c1 = re.search(rb"\xc2[\x80-\x9f]", data)
if bad or c1:
    print("control bytes at", bad[:5], "C1:", c1 and c1.start())
    sys.exit(1)
PY
}

export LC_ALL=C.UTF-8
unset NO_COLOR

# ------------------------------------------------------------ a good dump
gen "$TMP/good.json"
"$VIEW" "$TMP/good.json" >"$TMP/out" 2>"$TMP/err" || fail "good dump: exit $?"
[ -s "$TMP/err" ] && fail "good dump: stderr: $(cat "$TMP/err")"
for want in "spike dump: good.json" "time: 2026-11-21 23:29:00.000 UTC (monotonic 5000000000000 ns)" \
	"host: testhost (6.1.0-test, 2 cores, 8.0 GiB)" "=== spike trigger ===" "type: cpu_delta" \
	"process: [4242] hog" "command: hog --burn" \
	"cpu: 95.0% (baseline: 1.0%, delta: +94.0%, threshold: 10.0%)" \
	"=== top processes by cpu ===   (sample 3 at +0.0 s)" \
	" 1. [ 4242] hog               95.0%  (rss: 250 mib)" "=== top processes by rss ===" \
	"=== timeline ===   (6 samples every 1 s; blamed: [4242] hog)" \
	"  3   +0.0s  62.5%    5.6 GiB      3 MiB       95.0%     250 MiB <- cpu_delta"; do
	grep -qxF -- "$want" "$TMP/out" || { cat "$TMP/out"; fail "good dump: no line '$want'"; }
done
grep -q '^cpu         ▁▁▁▆██  3.0% .. 98.0%$' "$TMP/out" || { cat "$TMP/out"; fail "no UTF-8 sparkline"; }
# Not a terminal: no colour, whatever else is set.
grep -q "$(printf '\033')" "$TMP/out" && fail "colour on a pipe"
no_controls "$TMP/out" || fail "good dump: control bytes"

# The ASCII fallback outside a UTF-8 locale: nothing above 0x7f.
LC_ALL=C "$VIEW" "$TMP/good.json" >"$TMP/ascii" || fail "LC_ALL=C: exit $?"
grep -q '^cpu         ___+##  3.0% .. 98.0%$' "$TMP/ascii" || { cat "$TMP/ascii"; fail "no ASCII sparkline"; }
LC_ALL=C grep -q "$(printf '[\200-\377]')" "$TMP/ascii" && fail "LC_ALL=C: non-ASCII output"
"$VIEW" --ascii "$TMP/good.json" | cmp -s - "$TMP/ascii" || fail "--ascii differs from LC_ALL=C"

# ------------------------------------------------------------ what was measured
# A carried record is marked in both tables and the mark explained once.
gen "$TMP/carried.json" xorg=carried
"$VIEW" "$TMP/carried.json" >"$TMP/out" 2>"$TMP/err" || fail "carried: exit $?"
for want in " 2. [ 1001] Xorg               2.0%  (rss: 512 mib)  [carried]" \
	" 1. [ 1001] Xorg               512 mib  (cpu: 2.0%)  [carried]" \
	"    [carried]: not re-read this sample: cpu not measured, rss and state as last read"; do
	grep -qxF -- "$want" "$TMP/out" || { cat "$TMP/out"; fail "carried: no line '$want'"; }
done
grep -q "avg since start" "$TMP/out" && fail "carried: a since-start mark without a new record"
"$VIEW" --json "$TMP/carried.json" | grep -q '"measured":	"carried"' || fail "carried: --json lost it"

# Per-core figures by CPU id: cpu1 offline, the second figure is cpu2's.
gen "$TMP/cores.json" core_ids=0,2
"$VIEW" "$TMP/cores.json" >"$TMP/out" 2>"$TMP/err" || fail "core ids: exit $?"
grep -qxF "cores busy:  cpu0 62.5%  cpu2 31.2%" "$TMP/out" || { cat "$TMP/out"; fail "core ids"; }
"$VIEW" "$TMP/good.json" | grep -qxF "cores busy:  cpu0 62.5%  cpu1 31.2%" ||
	fail "no core ids: not 0 .. n-1"

# ------------------------------------------------------------ colour
"$VIEW" --color=always "$TMP/good.json" >"$TMP/colour" || fail "--color=always: exit $?"
grep -q "$(printf '\033\\[1m=== spike trigger ===\033\\[0m')" "$TMP/colour" ||
	fail "--color=always: no coloured heading"
no_controls "$TMP/colour" colour || fail "--color=always: foreign control bytes"
NO_COLOR=1 "$VIEW" --color=auto "$TMP/good.json" >"$TMP/nocolour" || fail "NO_COLOR: exit $?"
grep -q "$(printf '\033')" "$TMP/nocolour" && fail "NO_COLOR: ESC in output"
"$VIEW" --color=never "$TMP/good.json" | grep -q "$(printf '\033')" && fail "--color=never: ESC"
# An explicit --color=always beats NO_COLOR, as no-color.org asks.
NO_COLOR=1 "$VIEW" --color=always "$TMP/good.json" | grep -q "$(printf '\033')" ||
	fail "--color=always under NO_COLOR: no colour"
"$VIEW" --color=sometimes "$TMP/good.json" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--color=sometimes: not a usage error"

# ------------------------------------------------------------ where they run
# The unit or container beside the process wherever it is named; the
# blamed process's cgroup, I/O, swap and busiest threads.
gen "$TMP/placed.json" unit=nginx.service
"$VIEW" "$TMP/placed.json" >"$TMP/out" 2>"$TMP/err" || fail "placed: exit $?"
for want in "process: [4242] hog  nginx.service" "unit: nginx.service in system.slice" \
	"cgroup: /system.slice/nginx.service" \
	"io: 3 MiB read, 1 MiB written from storage since start" "swapped out: 4 MiB" \
	"busiest threads (cpu since each started):" \
	"  [ 4243] worker           9.50 s user, 0.50 s system" \
	" 1. [ 4242] hog               95.0%  (rss: 250 mib)  nginx.service" \
	" 2. [ 1001] Xorg               2.0%  (rss: 512 mib)  docker abababababab"; do
	grep -qxF -- "$want" "$TMP/out" || { cat "$TMP/out"; fail "placed: no line '$want'"; }
done
# Within 80 columns down to the timeline.
sed '/^=== timeline ===/,$d' "$TMP/out" | python3 -c '
import sys
for line in sys.stdin:
    assert len(line.rstrip("\n")) <= 80, line' || fail "placed: a line wider than 80 columns"
# Every field comes back through the reader, exactly.
"$VIEW" --json "$TMP/placed.json" >"$TMP/p.json" || fail "placed --json: exit $?"
python3 - "$TMP/placed.json" "$TMP/p.json" <<'PY' || fail "placed --json: not the same dump"
import json, sys
orig, out = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
out.pop("wall_time")
for s in out["samples"]:
    for p in s["top_cpu"] + s["top_rss"] + s["blamed"]:
        p.pop("measured"), p.pop("euid"), p.pop("cmdline_truncated")
        # Figures this generated dump predates come back unknown.
        for k in ("user_cpu_pct", "system_cpu_pct", "blkio_delay_pct", "num_threads",
                  "vsize_kib"):
            if p.get(k, 0) is None:
                p.pop(k)
    s["cpu"].pop("core_ids")
assert orig == out, "differs"
PY
# A hostile unit name is escaped beside the name and in the tables.
gen "$TMP/evilunit.json" unit="$(printf 'x\033[2J\n@FF@.service')"
"$VIEW" "$TMP/evilunit.json" >"$TMP/out" 2>"$TMP/err" || fail "hostile unit: exit $?"
no_controls "$TMP/out" || fail "hostile unit: control bytes"
grep -qF 'process: [4242] hog  x\x1b[2J\n' "$TMP/out" || { cat "$TMP/out"; fail "hostile unit: not escaped"; }

# ------------------------------------------------------------ --sample, --all, --top
"$VIEW" --sample 1 --top 1 "$TMP/good.json" >"$TMP/out" || fail "--sample 1: exit $?"
grep -qxF "=== top processes by cpu ===   (sample 1 at -2.0 s)" "$TMP/out" || fail "--sample 1"
grep -q "^ 2\. " "$TMP/out" && fail "--top 1 shows a second row"
"$VIEW" --all "$TMP/good.json" >"$TMP/out" || fail "--all: exit $?"
[ "$(grep -c '^=== top processes by cpu ===' "$TMP/out")" -eq 6 ] || fail "--all: not 6 tables"
"$VIEW" --sample 6 "$TMP/good.json" >/dev/null 2>"$TMP/err"
[ $? -eq 1 ] || fail "--sample 6 of 6: not an error"
grep -q "good.json: no sample 6" "$TMP/err" || fail "--sample 6: $(cat "$TMP/err")"

# ------------------------------------------------------------ hostile names
gen "$TMP/hostile.json" \
	comm="$(printf 'e\033]0;pwn\007\n"q@FF@\302\233')" \
	cmdline="$(printf 'rm \033[2J\r\033[8m\tx "y" @FF@')"
for colour in never always; do
	"$VIEW" --color=$colour "$TMP/hostile.json" >"$TMP/out" 2>"$TMP/err" ||
		fail "hostile ($colour): exit $?"
	if [ $colour = always ]; then
		no_controls "$TMP/out" colour || fail "hostile ($colour): control bytes"
	else
		no_controls "$TMP/out" || fail "hostile ($colour): control bytes"
	fi
	grep -qF '[4242] e\x1b]0;pwn\x07\n"q��\xc2\x9b' "$TMP/out" || { cat "$TMP/out"; fail "hostile: comm not escaped"; }
	grep -qF 'command: rm \x1b[2J\r\x1b[8m\tx "y" ' "$TMP/out" || fail "hostile: cmdline not escaped"
done
# A hostile file name is escaped in the error too.
evil="$TMP/$(printf 'evil\033[2J.json')"
"$VIEW" "$evil" >/dev/null 2>"$TMP/err"
no_controls "$TMP/err" || fail "hostile file name reached stderr raw"

# ------------------------------------------------------------ bad input
printf 'hello, world\n' > "$TMP/notjson.json"
head -c 700 "$TMP/good.json" > "$TMP/truncated.json"
sed 's|spiketrace.dump/1|spiketrace.dump/2|' "$TMP/good.json" > "$TMP/schema2.json"
python3 - "$TMP/good.json" "$TMP/wrongtype.json" "$TMP/missing.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["samples"][2]["top_cpu"][0]["pid"] = "1001"
json.dump(d, open(sys.argv[2], "w"))
d = json.load(open(sys.argv[1]))
del d["samples"][4]["mem"]["swap_free_kib"]
json.dump(d, open(sys.argv[3], "w"))
PY
truncate -s 1G "$TMP/huge.json"
: > "$TMP/empty.json"
mkdir "$TMP/adir.json"

check_bad() {       # FILE REASON
	"$VIEW" "$1" "$TMP/good.json" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$1: exit $rc, expected 1"
	[ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "$1: not one error line: $(cat "$TMP/err")"
	grep -qF "spiketrace-view: $1: " "$TMP/err" || fail "$1: error does not name it: $(cat "$TMP/err")"
	grep -qF "$2" "$TMP/err" || fail "$1: reason '$2' not in: $(cat "$TMP/err")"
	grep -qxF "spike dump: good.json" "$TMP/out" || fail "$1: the good file was not shown"
	echo "ok: $(cat "$TMP/err")"
}
check_bad "$TMP/nosuch.json" "No such file or directory"
check_bad "$TMP/notjson.json" "not JSON"
check_bad "$TMP/truncated.json" "not JSON"
check_bad "$TMP/schema2.json" "unknown schema 'spiketrace.dump/2'"
check_bad "$TMP/wrongtype.json" "samples[2].top_cpu[0].pid: expected a number"
check_bad "$TMP/missing.json" "missing field 'samples[4].mem.swap_free_kib'"
check_bad "$TMP/huge.json" "file too large"
check_bad "$TMP/empty.json" "empty file"
check_bad "$TMP/adir.json" "Is a directory"

# All of them at once: one line each, the good ones around them shown.
"$VIEW" "$TMP/good.json" "$TMP/nosuch.json" "$TMP/notjson.json" "$TMP/truncated.json" \
	"$TMP/schema2.json" "$TMP/wrongtype.json" "$TMP/huge.json" "$TMP/hostile.json" \
	>"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] || fail "mixed command line: exit status"
[ "$(wc -l < "$TMP/err")" -eq 6 ] || fail "mixed command line: $(cat "$TMP/err")"
[ "$(grep -c '^spike dump: ' "$TMP/out")" -eq 2 ] || fail "mixed command line: not 2 dumps shown"
"$VIEW" >/dev/null 2>&1
[ $? -eq 2 ] || fail "no file: not a usage error"

# ------------------------------------------------------------ --json
"$VIEW" --json "$TMP/good.json" >"$TMP/a.json" || fail "--json: exit $?"
"$VIEW" --json "$TMP/a.json" >"$TMP/b.json" || fail "--json of --json: exit $?"
cmp -s "$TMP/a.json" "$TMP/b.json" || fail "--json does not round-trip"
python3 - "$TMP/good.json" "$TMP/a.json" <<'PY' || fail "--json: not the same dump"
import json, sys
orig, out = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert out.pop("wall_time") == "2026-11-21T23:29:00.000Z"
# A dump from before "measured" reads as measured over the interval.
for s in out["samples"]:
    for p in s["top_cpu"] + s["top_rss"] + s["blamed"]:
        assert p.pop("measured") == "interval", p
        # ... from before "euid" and "cmdline_truncated": unknown, not cut.
        assert p.pop("euid") is None and p.pop("cmdline_truncated") is False, p
        # ... from before where it runs, its I/O and swap: unknown.
        for k, v in {"cgroup": None, "cgroup_truncated": False, "unit": None,
                     "user_unit": False, "slice": None, "session": None, "user_uid": None,
                     "container": None, "io": None, "swap_kib": None,
                     # ... and from before the stat line's evidence.
                     "user_cpu_pct": None, "system_cpu_pct": None,
                     "blkio_delay_pct": None, "num_threads": None,
                     "vsize_kib": None}.items():
            assert p.pop(k) == v, (k, p)
        assert "threads" not in p, p
    # ... and from before "core_ids", as cores 0 .. n-1.
    assert s["cpu"].pop("core_ids") == list(range(len(s["cpu"]["cores_busy_pct"])))
# wall_ns is not a multiple of 1024: exact only when read from its digits.
assert out["wall_ns"] == 1795303740 * 10**9 + 789 and out["wall_ns"] % 1024
assert orig == out, "differs"
PY
"$VIEW" --json "$TMP/hostile.json" >"$TMP/h.json" || fail "--json hostile: exit $?"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["triggers"][0]["comm"].startswith("e\x1b]0;pwn\x07\n\"q\ufffd")' \
	"$TMP/h.json" || fail "--json hostile: comm not kept (as valid UTF-8)"

# ------------------------------------------------------------ system evidence
# Pressure, load and the memory breakdown in the timeline, the causes in
# the trigger section, all within 80 columns; --json gives every group
# and every big integer back as written.
gen "$TMP/evidence.json" evidence=1
"$VIEW" "$TMP/evidence.json" >"$TMP/out" 2>"$TMP/err" || fail "evidence: exit $?"
[ -s "$TMP/err" ] && fail "evidence: stderr: $(cat "$TMP/err")"
for want in "why: CPU-bound in user code: 95.0% of one core, machine 62% user, 0% kernel" \
	"     waiting for CPU: cpu pressure 30%, 2 runnable" \
	"     memory reclaim: memory pressure 0%, 1152921504606846976 pages scanned/s" \
	"cpu psi     ▁▁▁▃▅▄  0.0% .. 50.0%" "load1       ▁▃▄▆▇█  0.50 .. 5.50" \
	"anon        ▁▂▄▅▇█  1.0 GiB .. 6.0 GiB" "cache       ▅▅▅▅▅▅  2.0 GiB" \
	"mem psi     ▁▁▁▁▁▁  0.5%" "io psi      ▁▁▁▁▁▁  2.0%"; do
	grep -qxF -- "$want" "$TMP/out" || { cat "$TMP/out"; fail "evidence: no line '$want'"; }
done
LC_ALL=C.UTF-8 awk '{ if (length($0) > 80) { print "wider than 80: " $0; bad = 1 } }
	END { exit bad }' "$TMP/out" || fail "evidence: a line wider than 80 columns"
# A dump from before the evidence has none of it: the why-line says only
# what the process's and the machine's cpu show.
"$VIEW" "$TMP/good.json" >"$TMP/out" || fail "good dump: exit $?"
grep -qE "^(cpu psi|load1|anon|cache|mem psi|io psi) " "$TMP/out" &&
	fail "no evidence: an evidence sparkline from nothing"
grep -q "waiting for CPU" "$TMP/out" && fail "no evidence: a pressure claimed"
grep -qxF "why: CPU-bound in user code: 95.0% of one core, machine 62% user, 0% kernel" \
	"$TMP/out" || fail "no evidence: the cpu why-line"
"$VIEW" --json "$TMP/evidence.json" >"$TMP/e.json" || fail "evidence --json: exit $?"
python3 - "$TMP/evidence.json" "$TMP/e.json" <<'PY' || fail "evidence --json: not the same dump"
import json, sys
orig, out = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
out.pop("wall_time")
for s in out["samples"]:
    for p in s["top_cpu"] + s["top_rss"] + s["blamed"]:
        for k in ("measured", "euid", "cmdline_truncated", "cgroup", "cgroup_truncated",
                  "unit", "user_unit", "slice", "session", "user_uid", "container",
                  "io", "swap_kib", "user_cpu_pct", "system_cpu_pct",
                  "blkio_delay_pct", "num_threads", "vsize_kib"):
            p.pop(k)
    s["cpu"].pop("core_ids")
# Exactly, digit for digit: 2^62 + 1 + ..., 2^53 + 1 + i, 2^60 + 3.
assert out["samples"][3]["mono_ns"] == 5 * 10**12 + 2**62 + 1, out["samples"][3]["mono_ns"]
assert out["samples"][3]["wall_ns"] % 1024 != 0
assert out["samples"][2]["ctxt"] == 2**53 + 3
assert out["samples"][0]["vmstat"]["pgscan_pages"] == 2**60 + 3
assert "vmstat" not in out["samples"][1], "a group not measured came back"
assert "full_avg10_pct" not in out["samples"][1]["pressure"]["cpu"]
assert orig == out, "differs"
PY
# A group half there is refused, naming the field.
python3 - "$TMP/evidence.json" "$TMP/halfpsi.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["samples"][2]["pressure"]["io"]["some_stall_us"]
json.dump(d, open(sys.argv[2], "w"))
PY
check_bad "$TMP/halfpsi.json" "missing field 'samples[2].pressure.io.some_stall_us'"

# ------------------------------------------------------------ --list
mkdir "$TMP/dumps"
gen "$TMP/dumps/spike_1.json" wall_s=1795303940            # newest
gen "$TMP/dumps/spike_2.json" wall_s=1795303740            # oldest
gen "$TMP/dumps/spike_3.json" wall_s=1795303840 pid=0 type=mem_pressure
echo "not a dump" > "$TMP/dumps/notes.txt"
cp "$TMP/notjson.json" "$TMP/dumps/.spike_tmp.json"
"$VIEW" --list "$TMP/dumps" >"$TMP/out" 2>"$TMP/err" || fail "--list: exit $?"
[ -s "$TMP/err" ] && fail "--list: stderr: $(cat "$TMP/err")"
cat "$TMP/out"
grep -qxF "$TMP/dumps: 3 dumps, newest first" "$TMP/out" || fail "--list: no count line"
order=$(grep -o 'spike_[0-9]\.json$' "$TMP/out" | tr '\n' ' ')
[ "$order" = "spike_1.json spike_3.json spike_2.json " ] || fail "--list order: $order"
grep -q '^2026-11-21 23:32:20.000 UTC  cpu_delta         \[4242\] hog                     95.0%        -  spike_1.json$' \
	"$TMP/out" || fail "--list: row of spike_1"
grep -q '(system-wide) .* 95.0%  .*  spike_3.json$' "$TMP/out" || fail "--list: system-wide row"
grep -A1 '^most triggers (3 in all):$' "$TMP/out" | grep -q '^    2  hog  .*cpu_delta x2$' ||
	fail "--list: hog is not ranked first"
# An episode's incident says how long it lasted: its last trigger's
# sample to its first.
mkdir "$TMP/episode"
gen "$TMP/episode/spike_4.json" lasted=2
"$VIEW" --list "$TMP/episode" >"$TMP/out" 2>"$TMP/err" || fail "--list of an episode: exit $?"
grep -q '^2026-11-21 23:29:00.000 UTC  cpu_delta +1      \[4242\] hog                     95.0%     2.0s  spike_4.json$' \
	"$TMP/out" || fail "--list: the episode's duration: $(cat "$TMP/out")"
# A broken dump in the directory is reported and the rest still listed.
cp "$TMP/truncated.json" "$TMP/dumps/spike_0.json"
"$VIEW" --list "$TMP/dumps" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] || fail "--list with a broken dump: exit status"
grep -qF "$TMP/dumps/spike_0.json: not JSON" "$TMP/err" || fail "--list: broken dump not named"
grep -qxF "$TMP/dumps: 3 dumps, newest first" "$TMP/out" || fail "--list: others not listed"
"$VIEW" --list "$TMP/nosuchdir" >/dev/null 2>"$TMP/err"
[ $? -eq 1 ] || fail "--list of a missing directory: exit status"
grep -qF "$TMP/nosuchdir: No such file or directory" "$TMP/err" || fail "--list: missing dir"

# Without DIR: where the daemon's config sends json_file's dumps.
cat > "$TMP/daemon.conf" <<CONF
plugin_dir = "$top_builddir/plugins/.libs"
sinks { json_file { dir = "$TMP/dumps" } }
CONF
"$VIEW" --list --config "$TMP/daemon.conf" >"$TMP/out" 2>"$TMP/err"
grep -qxF "$TMP/dumps: 3 dumps, newest first" "$TMP/out" ||
	fail "--list --config: not the configured dir: $(cat "$TMP/out" "$TMP/err")"
echo "bogus = 1" >> "$TMP/daemon.conf"
"$VIEW" --list --config "$TMP/daemon.conf" >/dev/null 2>"$TMP/err"
[ $? -eq 1 ] || fail "--list with a broken config: exit status"
grep -qF "daemon.conf:3:" "$TMP/err" || fail "--list: broken config not named: $(cat "$TMP/err")"
# A name with a backslash ("\\" in the file), a newline, an ESC and a
# byte that is not UTF-8: in the error, each escaped exactly once.
printf '"b\\\\a\nd\033[2J\377" = 1\n' > "$TMP/hostile.conf"
want="spiketrace-view: $TMP/hostile.conf:2: unknown option 'b\\\\a\\nd\\x1b[2J\\xff'"
for locale in C C.UTF-8; do
	LC_ALL=$locale "$VIEW" --list --config "$TMP/hostile.conf" >/dev/null 2>"$TMP/err"
	[ $? -eq 1 ] || fail "--list with a hostile config ($locale): exit status"
	grep -qxF "$want" "$TMP/err" ||
		fail "--list: hostile config error ($locale) not escaped once: $(cat "$TMP/err")"
done

echo "PASS"
