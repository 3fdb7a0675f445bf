#!/bin/sh
# The prometheus sink against the real components, all on loopback: an
# incident of the real daemon lands in the textfile directory, promtool
# passes the file, a real node_exporter serves it, and a real Prometheus
# scraping that node_exporter answers a PromQL query with the incident;
# the README's alerting rule passes `promtool check rules`.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

for c in prometheus promtool prometheus-node-exporter python3; do
	command -v "$c" >/dev/null 2>&1 ||
		{ echo "SKIP: $c not found (scripts/install-deps.sh --test installs it)"; exit 77; }
done

# free_port: a loopback port nothing listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# fetch URL: its body on stdout, bounded.
fetch() {
	python3 - "$1" <<'PY'
import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())
except Exception:
    sys.exit(1)
PY
}

mkdir -p "$TMP/textfile"
start_sinks_daemon "  prometheus { dir = \"$TMP/textfile\" min_interval = 0 }"
kill -USR1 $daemon
PROM="$TMP/textfile/spiketrace.prom"
wait_for 10 grep -qs 'spiketrace_incidents_total{type="manual"} 1' "$PROM" ||
	fail "no spiketrace_incidents_total{type=\"manual\"} in $PROM"
grep -q '^spiketrace_dumps_dropped_total 0$' "$PROM" ||
	fail "no spiketrace_dumps_dropped_total 0 in $PROM"
promtool check metrics <"$PROM" >"$TMP/promtool.out" 2>&1 ||
	fail "promtool check metrics: $(cat "$TMP/promtool.out")"

# node_exporter serves the file
NE_PORT=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$NE_PORT" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$TMP/textfile" \
	>"$TMP/node_exporter.log" 2>&1 &
ne=$!
started $ne
served() { fetch "http://127.0.0.1:$NE_PORT/metrics" >"$TMP/scrape.txt" &&
	   grep -q 'spiketrace_incidents_total{type="manual"} 1' "$TMP/scrape.txt"; }
wait_for 20 served || fail "node_exporter does not serve the incident: $(tail -3 "$TMP/node_exporter.log")"
grep -q '^node_textfile_scrape_error 0' "$TMP/scrape.txt" || fail "node_exporter: textfile scrape error"

# Prometheus scrapes it, and PromQL finds the incident
P_PORT=$(free_port)
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["127.0.0.1:$NE_PORT"]
EOF
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$P_PORT" >"$TMP/prometheus.log" 2>&1 &
prom=$!
started $prom
queried() {
	fetch "http://127.0.0.1:$P_PORT/api/v1/query?query=spiketrace_incidents_total%7Btype%3D%22manual%22%7D" \
		>"$TMP/query.json" && grep -q '"value":\[[0-9.]*,"1"\]' "$TMP/query.json"
}
wait_for 30 queried || fail "Prometheus does not answer the query: $(cat "$TMP/query.json" 2>/dev/null)"

# The README's alerting rule
cat >"$TMP/rules.yml" <<'EOF'
groups:
  - name: spiketrace
    rules:
      - alert: SpikeRecorded
        expr: increase(spiketrace_incidents_total[10m]) > 0
        labels:
          severity: info
        annotations:
          summary: "spiketrace recorded a {{ $labels.type }} incident on {{ $labels.instance }}"
EOF
promtool check rules "$TMP/rules.yml" >"$TMP/rules.out" 2>&1 ||
	fail "promtool check rules: $(cat "$TMP/rules.out")"

stop $prom
stop $ne
stop $daemon
[ "$STATUS" -eq 0 ] || fail "the daemon exited with $STATUS"
echo "PASS: an incident through node_exporter into Prometheus; promtool passes the file and the rule"
