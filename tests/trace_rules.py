"""The Chrome Trace Event Format's rules, as spiketrace-view --perfetto must
keep them: python3 trace_rules.py TRACE checks the file and prints how many
events it holds (exit 1 and the event that breaks a rule otherwise)."""
import json
import sys


def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check(path):
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")          # strict: invalid UTF-8 raises
    assert "\u202e" not in text, "a raw bidirectional override"
    doc = json.loads(text)
    assert doc["displayTimeUnit"] == "ms"
    events = doc["traceEvents"]
    assert isinstance(events, list) and events
    for e in events:
        assert e.get("ph") in ("M", "C", "i"), e
        assert isinstance(e.get("name"), str), e
        assert num(e.get("pid")) and num(e.get("tid")), e
        assert e["ph"] == "M" or num(e.get("ts")), e
        assert isinstance(e.get("args"), dict), e
        if e["ph"] == "C":
            assert e["args"] and all(num(v) for v in e["args"].values()), e
        if e["ph"] == "i":
            assert e.get("s") in ("g", "p", "t"), e
    return doc


if __name__ == "__main__":
    doc = check(sys.argv[1])
    print("trace rules kept: %d events" % len(doc["traceEvents"]))
