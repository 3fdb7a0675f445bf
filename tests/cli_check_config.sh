#!/bin/sh
# The command line: --check-config exits 0 or 78 with FILE:LINE: reason,
# a bad config stops the daemon before it starts, --list-plugins shows the
# plugins' options.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

conf="$TMP/spiketrace.conf"
good() {
	cat > "$conf" <<CONF
interval = 0.5
plugin_dir = "$PLUGINS"
detectors {
  cpu_delta { threshold_pct = 25 }
}
sinks {
  json_file { dir = "$TMP/dumps" }
}
CONF
}

# expect_78 LINE WORD: --check-config and a real start both exit 78 and
# name the file and line.
expect_78() {
	"$SPIKETRACE" --check-config --config "$conf" 2>"$TMP/err"
	status=$?
	[ $status -eq 78 ] || fail "--check-config exited $status, expected 78: $(cat "$TMP/err")"
	grep -q "$conf:$1:" "$TMP/err" || fail "message lacks $conf:$1: $(cat "$TMP/err")"
	grep -qi "$2" "$TMP/err" || fail "message lacks '$2': $(cat "$TMP/err")"
	[ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "not one line: $(cat "$TMP/err")"
	"$SPIKETRACE" --foreground --config "$conf" 2>"$TMP/err2"
	status=$?
	[ $status -eq 78 ] || fail "daemon with a bad config exited $status, expected 78"
}

good
"$SPIKETRACE" --check-config --config "$conf" >"$TMP/out" 2>&1 || fail "good config refused: $(cat "$TMP/out")"
grep -q "OK" "$TMP/out" || fail "no OK: $(cat "$TMP/out")"

good; sed -i 's/threshold_pct = 25/treshold_pct = 25/' "$conf"
expect_78 4 "treshold_pct"

good; sed -i 's/threshold_pct = 25/threshold_pct = 99999/' "$conf"
expect_78 4 "range"

good; sed -i 's/cpu_delta {/cpu_dleta {/' "$conf"
expect_78 4 "cpu_dleta"

good; sed -i 's/interval = 0.5/interval = fast/' "$conf"
expect_78 1 "interval"

good; echo "bogus = 1" >> "$conf"
expect_78 9 "bogus"

# A rule the plugin checks over its options as a set (check_options),
# reported at the line of its section.
good; sed -i 's/^  cpu_delta .*/&\n  mem_pressure {\n    threshold_pct = 50 hysteresis_pct = 60\n  }/' "$conf"
expect_78 5 "detectors/mem_pressure: hysteresis_pct (60) must be below threshold_pct (50)"
# The sinks' own rules too: a group that does not exist, a syslog ident
# that would break every line.
good; sed -i 's|json_file { dir = "\(.*\)" }|json_file { dir = "\1" group = "no-such-group-here" }|' "$conf"
expect_78 7 "group 'no-such-group-here': no such group"
good; sed -i 's|^  json_file .*|&\n  syslog { ident = "spike trace" }|' "$conf"
expect_78 8 "sinks/syslog: ident"
good; sed -i 's/^  cpu_delta .*/&\n  mem_pressure { threshold_pct = 50 hysteresis_pct = 60 enabled = false }/' "$conf"
"$SPIKETRACE" --check-config --config "$conf" >"$TMP/out" 2>&1 ||
	fail "a disabled plugin's options refused: $(cat "$TMP/out")"

"$SPIKETRACE" --check-config --config "$TMP/none.conf" 2>"$TMP/err"
[ $? -eq 78 ] || fail "missing config file not 78"
grep -q "none.conf" "$TMP/err" || fail "missing file not named: $(cat "$TMP/err")"

"$SPIKETRACE" --list-plugins --plugin-dir "$PLUGINS" --config /dev/null >"$TMP/list" 2>&1 ||
	fail "--list-plugins failed: $(cat "$TMP/list")"
for want in "detector cpu_delta" "sink json_file" "threshold_pct" "0.1..6400" "max_dumps"; do
	grep -q -- "$want" "$TMP/list" || fail "--list-plugins lacks '$want'"
done

"$SPIKETRACE" --help | grep -q -- "--proc-root" || fail "--help"
"$SPIKETRACE" --no-such-option 2>/dev/null
[ $? -eq 2 ] || fail "an unknown option should exit 2"
echo "PASS"
