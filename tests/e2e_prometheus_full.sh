#!/bin/sh
# The prometheus sink's textfile directory on a full filesystem while the
# daemon runs: the file node_exporter reads keeps its last whole contents
# (never a partial one, no temporary file left), the failure is said once
# however many dumps come, and the next dump once there is room rewrites
# it with every incident counted. Needs root and a private mount namespace
# (a 2 MiB tmpfs nobody else sees); skipped (77) without.
set -u
. "${top_srcdir:-.}/tests/e2e_faults_lib.sh"

faults_mount_fs
[ $FS_MOUNTED = 1 ] || skip "textfile on a full filesystem: needs root and a mount namespace"
TEXTFILE="$TMP/fs/textfile"
PROM="$TEXTFILE/spiketrace.prom"
mkdir -p "$TEXTFILE" "$TMP/dumps" || fail "mkdir $TEXTFILE"
start_sinks_daemon "  prometheus { dir = \"$TEXTFILE\" min_interval = 0 }"

# manual_total N: the file says N manual incidents.
manual_total() { grep -qs "^spiketrace_incidents_total{type=\"manual\"} $1\$" "$PROM"; }
# whole: the exposition ends with its last family.
whole() { tail -n 1 "$PROM" | grep -q '^spiketrace_dumps_dropped_total '; }
dumps_written() { [ "$(ls "$TMP/dumps" | grep -c '^spike_.*\.json$')" -ge "$1" ]; }

kill -USR1 $daemon
wait_for $DEADLINE manual_total 1 || fail "no manual incident in $PROM"
whole || fail "$PROM is not whole: $(tail -n 2 "$PROM")"
cp "$PROM" "$TMP/before.prom"

mark
dd if=/dev/zero of="$TMP/fs/filler" bs=64k 2>/dev/null
[ -s "$TMP/fs/filler" ] || fail "could not fill $TMP/fs"
for n in 2 3 4; do
	kill -USR1 $daemon
	# json_file's dumps are elsewhere: each one says the sink had its turn.
	wait_for $DEADLINE dumps_written $n || fail "dump $n was not written"
done
wait_logged "spiketrace.prom: write: No space left on device" "the full filesystem"
expect_count 1 "No space left on device" "three dumps on a full filesystem"
cmp -s "$PROM" "$TMP/before.prom" || fail "$PROM changed on a full filesystem"
ls -A "$TEXTFILE" | grep -v '^spiketrace\.prom$' && fail "a file was left beside $PROM"
alive $daemon "after a full filesystem"

mark
rm -f "$TMP/fs/filler"
kill -USR1 $daemon
wait_for $DEADLINE manual_total 5 || fail "$PROM not rewritten once there was room: $(cat "$PROM")"
wait_logged "spiketrace.prom: written again" "the filesystem with room again"
whole || fail "$PROM is not whole after the recovery"
echo "PASS: the textfile on a full filesystem: kept whole, said once, rewritten with room"
