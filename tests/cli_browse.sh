#!/bin/sh
# spiketrace-view --browse in a real terminal: a private tmux server runs
# the browser at 80x24 on a directory of dumps the real writer made (the
# dump fuzz corpus's seeds) and one broken file; keys are sent and the
# screen read back. Every wait polls the screen with a deadline.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

# No FILE off a terminal: still the usage error, with or without ncurses.
"$VIEW" </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 2 ] || fail "no FILE off a terminal: exit $rc, want 2"
grep -qx 'spiketrace-view: no dump file given' "$TMP/err" ||
	fail "no FILE off a terminal: stderr: $(cat "$TMP/err")"
[ -s "$TMP/out" ] && fail "no FILE off a terminal: wrote to stdout"

command -v tmux >/dev/null || { echo "SKIP: tmux not found"; exit 77; }
"$VIEW" --browse "$TMP" </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
if grep -q 'built without ncurses' "$TMP/err"; then
	echo "SKIP: $(cat "$TMP/err")"
	exit 77
fi
# Not a terminal: one line and a usage error, never a hang.
[ "$rc" -eq 2 ] || fail "--browse off a terminal: exit $rc, want 2"
grep -qx 'spiketrace-view: --browse: needs a terminal on standard input and output' "$TMP/err" ||
	fail "--browse off a terminal: stderr: $(cat "$TMP/err")"

# A server of our own, its socket in our temp dir: no other tmux is
# touched, and nothing is left behind.
tm() { tmux -S "$TMP/tmux.sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

D="$TMP/dumps"
mkdir "$D" || fail "mkdir"
SEEDS="$top_srcdir/tests/fuzz/corpus/dump_json"
for s in stdout_compact_3 stdout_hostile_comm exited_groups json_file_manual; do
	cp "$SEEDS/$s.json" "$D/spike_$s.json" || fail "copy $s"
done
printf '{"schema": ' >"$D/spike_broken.json"
# A file name is bytes too: shown escaped, never raw.
printf '{}' >"$D/spike_$(printf 'x\033[2J').json"

screen() { tm capture-pane -p -t "$S"; }
has() { screen | grep -qF -- "$1"; }
# expect TEXT WHAT: wait for TEXT on the screen, else fail showing it.
expect() {
	wait_for 10 has "$1" || { screen >&2; fail "$2: no '$1' on the screen"; }
}

# start NAME ENV...: the browser (spiketrace-view $ARGS) in a new 80x24
# session S, its exit status written to $TMP/NAME.status when it ends. The
# sessions of one test are all kept till the end: the server stays up
# between them.
ARGS="--browse '$D'"
start() {
	name=$1; shift
	S=$name
	tm new-session -d -s "$S" -x 80 -y 24 \
		"env $* '$VIEW' $ARGS; echo \$? >'$TMP/$name.status'; sleep 60" ||
		fail "tmux new-session"
}
status_of() { [ -s "$TMP/$1.status" ]; }

start main LANG=C.UTF-8

# ---------------------------------------------------------------- the list
expect "4 dumps, newest first, 2 unreadable" "list"
expect "[17862] bash" "list: the newest dump's culprit"
expect "spkorphan x6" "list: an exited group"
expect "(system-wide)" "list: a system-wide trigger"
expect "spike_broken.json: not JSON" "list: the broken file's reason"
expect 'spike_x\x1b[2J.json: ' "list: a hostile file name escaped"
# The hostile name escaped, as in the text output: had its ESC reached
# the terminal, "[31m" would be a colour and gone from the screen.
expect '\x1b[31mevi' "list: the hostile name escaped"
# Newest first: bash (00:24:56) above the manual dump (00:24:44).
screen | awk '/\[17862\] bash/ { b = NR } /\(system-wide\)/ { m = NR }
	END { exit !(b && m && b < m) }' || { screen >&2; fail "list: not newest first"; }

# ------------------------------------------------------------ a dump
tm send-keys -t "$S" Enter
expect "spike dump: spike_stdout_compact_3.json" "Enter: the dump's header"
expect "type: cpu_delta" "Enter: the trigger's type"
expect "sample 1 of 0..2" "Enter: the trigger sample"
expect "=== top processes by cpu ===   (sample 1 at" "Enter: the cpu table"
tm send-keys -t "$S" Right
expect "sample 2 of 0..2" "Right: the next sample"
expect "(sample 2 at +0.2 s)" "Right: the next sample's table"
tm send-keys -t "$S" Right
expect "sample 2 of 0..2" "Right at the last sample stays"
tm send-keys -t "$S" Left
expect "sample 1 of 0..2" "Left: the sample before"
tm send-keys -t "$S" Tab
expect "cpu [rss]" "Tab: the rss table"
expect "=== top processes by rss ===" "Tab: the rss table's heading"
tm send-keys -t "$S" q
expect "4 dumps, newest first" "q: back to the list"

# ------------------------------------------------------------ filter
tm send-keys -t "$S" / o r p h a n Enter
expect "1 of 6 match 'orphan'" "filter"
has "[17862] bash" && { screen >&2; fail "filter: bash still listed"; }
# The one left is opened; it has exited groups, so Tab goes on to them.
tm send-keys -t "$S" Enter
expect "spike dump: spike_exited_groups.json" "filter: Enter opens the match"
tm send-keys -t "$S" Tab Tab
expect "cpu rss [exited]" "Tab: the exited table"
expect "=== exited since the sample before ===" "Tab: the exited table's heading"
tm send-keys -t "$S" q Escape
expect "4 dumps, newest first" "Esc: the filter cleared"

# ------------------------------------------------------------ resize
tm resize-window -t "$S" -x 120 -y 30
expect "spike_stdout_compact_3.json" "resize: the wider list shows whole names"
tm resize-window -t "$S" -x 80 -y 24
expect "spike_stdou…" "resize: back to 80 columns"

# ------------------------------------------------------------ delete
tm send-keys -t "$S" d
expect "delete spike_stdout_compact_3.json? (y/n)" "d: asks"
tm send-keys -t "$S" n
wait_for 5 has "Enter open" || fail "d, n: the question stays"
[ -f "$D/spike_stdout_compact_3.json" ] || fail "d, n: deleted all the same"
tm send-keys -t "$S" d
expect "(y/n)" "d: asks again"
tm send-keys -t "$S" y
expect "deleted spike_stdout_compact_3.json" "d, y: said"
expect "3 dumps, newest first" "d, y: the list"
[ -f "$D/spike_stdout_compact_3.json" ] && fail "d, y: the file is still there"

# ------------------------------------------------------------ quit
tm send-keys -t "$S" q
wait_for 10 status_of main || { screen >&2; fail "q: the browser did not exit"; }
[ "$(cat "$TMP/main.status")" = 0 ] || fail "q: exit $(cat "$TMP/main.status"), want 0"

# ------------------------------------------------------------ no FILE
# Plain spiketrace-view on a terminal browses where the daemon's config
# sends the dumps; in the C locale, ASCII only ("~" ends a cut name).
cat > "$TMP/daemon.conf" <<CONF
plugin_dir = "$top_builddir/plugins/.libs"
sinks { json_file { dir = "$D" } }
CONF
ARGS="--config '$TMP/daemon.conf'"
start plain LC_ALL=C
expect "$D: 3 dumps, newest first, 2 unreadable" "no FILE: the configured dir"
expect "spike_stdou~" "no FILE, LC_ALL=C: ASCII cut marker"
expect '\x1b[31mevi' "no FILE, LC_ALL=C: the hostile name escaped"
tm send-keys -t "$S" q
wait_for 10 status_of plain || { screen >&2; fail "no FILE: q did not exit"; }
[ "$(cat "$TMP/plain.status")" = 0 ] || fail "no FILE: exit $(cat "$TMP/plain.status")"
ARGS="--browse '$D'"

# ------------------------------------------------------------ NO_COLOR
# Colours where the terminal has them, none with NO_COLOR; -e shows the
# attributes as escape sequences (SGR 36 is the headings' cyan).
colour_seen() { tm capture-pane -p -e -t "$S" | grep -q "$(printf '\033')\[[0-9;]*36m"; }
start colour LANG=C.UTF-8
expect "newest first" "colour: list"
tm send-keys -t "$S" Enter
expect "=== spike trigger ===" "colour: a dump"
wait_for 5 colour_seen || fail "colour: no colour on a colour terminal"
tm send-keys -t "$S" q q
wait_for 10 status_of colour || fail "colour: did not exit"
start nocolour LANG=C.UTF-8 NO_COLOR=1
expect "newest first" "NO_COLOR: list"
tm send-keys -t "$S" Enter
expect "=== spike trigger ===" "NO_COLOR: a dump"
colour_seen && fail "NO_COLOR: colours all the same"
tm send-keys -t "$S" q q
wait_for 10 status_of nocolour || fail "NO_COLOR: did not exit"
[ "$(cat "$TMP/nocolour.status")" = 0 ] || fail "NO_COLOR: exit $(cat "$TMP/nocolour.status")"

echo "PASS: browse"
