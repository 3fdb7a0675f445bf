#!/bin/sh
# spiketrace --check-config and a hostile name: a backslash, a newline, an
# ESC and a byte that is not UTF-8, in an option's name and in the file's
# own name, read in the one line it prints with every byte escaped
# exactly once (\\ \n \x1b \xff); and an option neither program knows,
# said escaped by their own printers (glibc's getopt would print it raw).
# Only --check-config runs: no sampling.
. "${top_srcdir:-.}/tests/e2e_lib.sh"

# expect_line FILE WANT WHAT: FILE is the one line WANT.
expect_line() {
	[ "$(wc -l < "$1")" -eq 1 ] || fail "$3: not one line: $(cat "$1")"
	grep -qxF "$2" "$1" || fail "$3: not escaped once: $(cat "$1")"
}

# The name is "b\a<newline>d<ESC>[2J<0xff>": written "\\" in the file.
printf '"b\\\\a\nd\033[2J\377" = 1\n' > "$TMP/hostile.conf"
"$SPIKETRACE" --check-config --plugin-dir "$PLUGINS" --config "$TMP/hostile.conf" \
	>/dev/null 2>"$TMP/err"
[ $? -eq 78 ] || fail "a hostile option name: exit status, expected 78"
expect_line "$TMP/err" \
	"spiketrace: err: $TMP/hostile.conf:2: unknown option 'b\\\\a\\nd\\x1b[2J\\xff'" \
	"a hostile option name"

# The file's own name, in an error and in the OK line.
name=$(printf 'o\\k\nx\033\377')
"$SPIKETRACE" --check-config --plugin-dir "$PLUGINS" --config "$TMP/$name.conf" \
	>/dev/null 2>"$TMP/err"
[ $? -eq 78 ] || fail "a missing file with a hostile name: exit status, expected 78"
grep -qF "spiketrace: err: $TMP/o\\\\k\\nx\\x1b\\xff.conf: " "$TMP/err" ||
	fail "a missing file with a hostile name: not escaped once: $(cat "$TMP/err")"
[ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "a missing file: not one line: $(cat "$TMP/err")"
printf 'interval = 1\n' > "$TMP/$name.conf"
"$SPIKETRACE" --check-config --plugin-dir "$PLUGINS" --config "$TMP/$name.conf" \
	>"$TMP/out" 2>"$TMP/err" || fail "a good file with a hostile name refused: $(cat "$TMP/err")"
grep -qF "$TMP/o\\\\k\\nx\\x1b\\xff.conf: OK: " "$TMP/out" ||
	fail "the OK line: the name not escaped once: $(cat "$TMP/out")"
[ "$(wc -l < "$TMP/out")" -eq 1 ] || fail "the OK line: not one line: $(cat "$TMP/out")"

# An argument the command line does not take, said escaped too.
"$SPIKETRACE" "$name" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "an unexpected argument: exit status, expected 2"
grep -qxF "spiketrace: err: unexpected argument 'o\\\\k\\nx\\x1b\\xff'" "$TMP/err" ||
	fail "an unexpected argument: not escaped once: $(cat "$TMP/err")"

# An option the command line does not know, or one without its argument:
# the daemon's log and the viewer's printer say it, escaped once.
"$SPIKETRACE" "--$name=1" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "an unknown option: exit status, expected 2"
grep -qxF "spiketrace: err: unknown option '--o\\\\k\\nx\\x1b\\xff'" "$TMP/err" ||
	fail "an unknown option: not escaped once: $(cat "$TMP/err")"
"$SPIKETRACE" --config >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "--config without its argument: exit status, expected 2"
grep -qxF "spiketrace: err: option '--config' needs an argument" "$TMP/err" ||
	fail "--config without its argument: $(cat "$TMP/err")"
"$VIEW" "--$name" >/dev/null 2>"$TMP/err"
[ $? -eq 2 ] || fail "the viewer, an unknown option: exit status, expected 2"
grep -qxF "spiketrace-view: unknown option '--o\\\\k\\nx\\x1b\\xff'" "$TMP/err" ||
	fail "the viewer, an unknown option: not escaped once: $(cat "$TMP/err")"
! grep -q "$(printf '\033')" "$TMP/err" || fail "the viewer: a raw ESC on stderr"

echo "PASS"
