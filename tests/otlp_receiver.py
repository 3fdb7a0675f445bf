#!/usr/bin/env python3
"""A stand-in OpenTelemetry collector for the otlp sink's tests: an OTLP/HTTP
logs receiver on 127.0.0.1 that holds each request to the OTLP JSON rules
(Debian 12 packages no collector).

It takes POST /v1/logs with Content-Type application/json, checks the body
as an ExportLogsServiceRequest (lowerCamelCase field names known to
opentelemetry-proto's logs.proto, 64-bit integers as decimal strings, enums
as integers, AnyValue with exactly one member, the resource attributes
host.name, host.id, service.name), answers 503 to the first --fail-first
valid requests (to exercise the retry) and 200 afterwards, and records each
accepted request as DIR/NNN.json (the body) and DIR/NNN.headers. A request
that breaks a rule is answered 400 with the reason, and the reason is
appended to DIR/violations. --hang accepts and never answers.

  otlp_receiver.py --port-file FILE --record-dir DIR [--port N]
                   [--fail-first N] [--hang]
"""
import argparse
import http.server
import json
import os
import re
import sys
import threading
import time

DIGITS = re.compile(r"^[0-9]+$")
INT64 = re.compile(r"^-?[0-9]+$")
HEX = re.compile(r"^[0-9a-f]*$")
CAMEL = re.compile(r"^[a-z][a-zA-Z]*$")

# The JSON names of each message's fields (logs.proto, common.proto,
# resource.proto).
FIELDS = {
    "request": {"resourceLogs"},
    "resourceLogs": {"resource", "scopeLogs", "schemaUrl"},
    "resource": {"attributes", "droppedAttributesCount", "entityRefs"},
    "scopeLogs": {"scope", "logRecords", "schemaUrl"},
    "scope": {"name", "version", "attributes", "droppedAttributesCount"},
    "logRecord": {"timeUnixNano", "observedTimeUnixNano", "severityNumber",
                  "severityText", "body", "attributes", "droppedAttributesCount",
                  "flags", "traceId", "spanId", "eventName"},
    "keyValue": {"key", "value"},
}
ANY_KINDS = {"stringValue", "boolValue", "intValue", "doubleValue", "arrayValue",
             "kvlistValue", "bytesValue"}


class Violation(Exception):
    pass


def need(cond, where, what):
    if not cond:
        raise Violation("%s: %s" % (where, what))


def obj(v, kind, where):
    need(isinstance(v, dict), where, "not an object")
    for k in v:
        need(CAMEL.match(k), where, "field %r is not lowerCamelCase" % k)
        need(k in FIELDS[kind], where, "no field %r in %s" % (k, kind))
    return v


def lst(v, where):
    need(isinstance(v, list), where, "not an array")
    return v


def any_value(v, where):
    need(isinstance(v, dict) and len(v) == 1, where, "an AnyValue has exactly one member")
    kind, x = next(iter(v.items()))
    need(kind in ANY_KINDS, where, "unknown AnyValue member %r" % kind)
    if kind == "stringValue":
        need(isinstance(x, str), where, "stringValue is not a string")
    elif kind == "boolValue":
        need(isinstance(x, bool), where, "boolValue is not a boolean")
    elif kind == "intValue":
        need(isinstance(x, str) and INT64.match(x), where,
             "intValue %r is not an int64 as a decimal string" % (x,))
    elif kind == "doubleValue":
        need(isinstance(x, (int, float)) and not isinstance(x, bool), where,
             "doubleValue is not a number")
    elif kind == "arrayValue":
        for i, e in enumerate(lst(x.get("values", []), where)):
            any_value(e, "%s.values[%d]" % (where, i))
    elif kind == "kvlistValue":
        attributes(x.get("values", []), where + ".values")


def attributes(v, where):
    out = {}
    for i, kv in enumerate(lst(v, where)):
        w = "%s[%d]" % (where, i)
        obj(kv, "keyValue", w)
        need(isinstance(kv.get("key"), str) and kv["key"], w, "no key")
        need(kv["key"] not in out, w, "key %r twice" % kv["key"])
        any_value(kv.get("value"), "%s(%s)" % (w, kv["key"]))
        out[kv["key"]] = kv["value"]
    return out


def nanos(rec, key, where):
    if key in rec:
        need(isinstance(rec[key], str) and DIGITS.match(rec[key]), where,
             "%s %r is not a fixed64 as a decimal string" % (key, rec[key]))


def check_request(body):
    try:
        req = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise Violation("body: not UTF-8 JSON: %s" % e)
    obj(req, "request", "request")
    rls = lst(req.get("resourceLogs"), "resourceLogs")
    need(rls, "resourceLogs", "empty")
    for i, rl in enumerate(rls):
        w = "resourceLogs[%d]" % i
        obj(rl, "resourceLogs", w)
        res = obj(rl.get("resource"), "resource", w + ".resource")
        ra = attributes(res.get("attributes", []), w + ".resource.attributes")
        for k in ("host.name", "host.id", "service.name"):
            need(k in ra and "stringValue" in ra[k], w + ".resource", "no string %s" % k)
        need(ra["service.name"]["stringValue"] == "spiketrace", w, "service.name")
        for j, sl in enumerate(lst(rl.get("scopeLogs"), w + ".scopeLogs")):
            ws = "%s.scopeLogs[%d]" % (w, j)
            obj(sl, "scopeLogs", ws)
            if "scope" in sl:
                obj(sl["scope"], "scope", ws + ".scope")
            recs = lst(sl.get("logRecords"), ws + ".logRecords")
            need(recs, ws, "no logRecords")
            for k, rec in enumerate(recs):
                wr = "%s.logRecords[%d]" % (ws, k)
                obj(rec, "logRecord", wr)
                nanos(rec, "timeUnixNano", wr)
                nanos(rec, "observedTimeUnixNano", wr)
                need("timeUnixNano" in rec or "observedTimeUnixNano" in rec, wr, "no time")
                if "severityNumber" in rec:
                    s = rec["severityNumber"]
                    need(isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= 24,
                         wr, "severityNumber %r is not an enum integer" % (s,))
                if "severityText" in rec:
                    need(isinstance(rec["severityText"], str), wr, "severityText")
                if "body" in rec:
                    any_value(rec["body"], wr + ".body")
                attributes(rec.get("attributes", []), wr + ".attributes")
                for key, n in (("traceId", 32), ("spanId", 16)):
                    if key in rec:
                        need(isinstance(rec[key], str) and len(rec[key]) == n and
                             HEX.match(rec[key]), wr, "%s is not %d hex digits" % (key, n))


class Receiver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("otlp_receiver: " + (fmt % args) + "\n")

    def answer(self, status, text, ctype="text/plain"):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        srv = self.server
        if srv.hang:
            while True:         # accepted, never answered
                time.sleep(1)
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        try:
            need(self.path == "/v1/logs", "path", "%r is not /v1/logs" % self.path)
            ctype = self.headers.get("Content-Type", "")
            need(ctype.split(";")[0].strip() == "application/json", "Content-Type",
                 "%r is not application/json" % ctype)
            check_request(body)
        except Violation as v:
            with open(os.path.join(srv.record_dir, "violations"), "a") as f:
                f.write("%s\n" % v)
            self.answer(400, "otlp_receiver: %s" % v)
            return
        with srv.lock:
            srv.valid += 1
            if srv.valid <= srv.fail_first:
                self.answer(503, "busy, try again")
                return
            srv.accepted += 1
            n = srv.accepted
        base = os.path.join(srv.record_dir, "%03d" % n)
        with open(base + ".headers.tmp", "w") as f:
            for k, v in self.headers.items():
                f.write("%s: %s\n" % (k, v))
        with open(base + ".json.tmp", "wb") as f:
            f.write(body)
        os.rename(base + ".headers.tmp", base + ".headers")
        os.rename(base + ".json.tmp", base + ".json")
        self.answer(200, "{}", "application/json")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--record-dir", required=True)
    ap.add_argument("--fail-first", type=int, default=1)
    ap.add_argument("--hang", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.record_dir, exist_ok=True)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Receiver)
    srv.daemon_threads = True
    srv.hang, srv.fail_first, srv.record_dir = a.hang, a.fail_first, a.record_dir
    srv.lock, srv.valid = threading.Lock(), 0
    # A restarted receiver numbers on after what is recorded already.
    srv.accepted = len([f for f in os.listdir(a.record_dir) if f.endswith(".json")])
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
