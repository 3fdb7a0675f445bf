#!/bin/sh
# End to end: `make install` into a DESTDIR and what a user or a packager
# gets from it. The layout; substituted files with no @var@ left; the
# installed config passes --check-config; a second install keeps an edited
# config; a third-party plugin (plugins/examples) builds out of tree with
# nothing but `pkg-config --cflags spiketrace` pointed into the DESTDIR, is
# listed by the installed daemon and catches a fork storm this test makes;
# the systemd, sysusers and tmpfiles files are accepted by systemd's own
# tools (when present); `make uninstall` leaves the config and the dumps.
#
# It installs THIS build tree (make -C top_builddir install DESTDIR=...)
# rather than configuring a second one: a VPATH configure of top_srcdir is
# refused when the source tree is itself configured (scripts/test.sh builds
# in the tree), and it would test another build than the one under test.
# This is safe while `make check` runs: check builds everything before it
# runs the tests, so the nested make finds all up to date and only copies.
# The nested make gets none of the outer make's flags (its jobserver file
# descriptors are not ours to use).
. "${top_srcdir:-.}/tests/e2e_lib.sh"

# mkdir -p follows the umask, and as root the daemon refuses a plugin
# directory writable by group or others.
umask 022

nested_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u DESTDIR \
		make --no-print-directory -C "$top_builddir" "$@"
}
# makevar NAME: the build tree's value of a make variable, fully expanded.
makevar() {
	printf 'st-print-var:\n\t@echo $(%s)\n' "$1" |
		nested_make -s -f Makefile -f - st-print-var
}

D="$TMP/root"
for v in prefix bindir sbindir sysconfdir localstatedir libdir includedir \
	 plugindir mandir systemdsystemunitdir sysusersdir tmpfilesdir pkgdatadir; do
	val=$(makevar $v) && [ -n "$val" ] || fail "cannot read \$($v) from the Makefile"
	eval "$v=\$val"
done
echo "prefix=$prefix sysconfdir=$sysconfdir localstatedir=$localstatedir"

nested_make install DESTDIR="$D" >"$TMP/install.log" 2>&1 ||
	{ cat "$TMP/install.log" >&2; fail "make install exited $?"; }

# ------------------------------------------------------------------ layout
for f in "$sbindir/spiketrace" "$bindir/spiketrace-view"; do
	[ -x "$D$f" ] || fail "$f not installed or not executable"
done
for f in "$includedir/spiketrace/plugin.h" "$includedir/spiketrace/model.h" \
	 "$includedir/spiketrace/spiketrace.h" "$libdir/pkgconfig/spiketrace.pc" \
	 "$sysconfdir/spiketrace.conf" "$systemdsystemunitdir/spiketrace.service" \
	 "$sysusersdir/spiketrace.conf" "$tmpfilesdir/spiketrace.conf" \
	 "$mandir/man8/spiketrace.8" "$mandir/man5/spiketrace.conf.5" \
	 "$mandir/man1/spiketrace-view.1" "$pkgdatadir/full-figures.conf"; do
	[ -f "$D$f" ] || fail "$f not installed"
done
for p in cpu_delta new_proc mem_drop mem_pressure swap_spike pressure proc_storm \
	 json_file stdout syslog; do
	[ -f "$D$plugindir/$p.so" ] || fail "plugin $plugindir/$p.so not installed"
done
[ -d "$D$localstatedir/lib/spiketrace" ] || fail "$localstatedir/lib/spiketrace not created"

# Files made from .in templates name the configured paths, nothing left over.
for f in "$sysconfdir/spiketrace.conf" "$systemdsystemunitdir/spiketrace.service" \
	 "$libdir/pkgconfig/spiketrace.pc" "$tmpfilesdir/spiketrace.conf"; do
	grep -n '@[A-Za-z_]*@' "$D$f" && fail "$f: unsubstituted @variable@"
done
grep -qx "plugin_dir = \"$plugindir\"" "$D$sysconfdir/spiketrace.conf" ||
	fail "spiketrace.conf does not set plugin_dir = \"$plugindir\""
grep -q "dir = \"$localstatedir/lib/spiketrace\"" "$D$sysconfdir/spiketrace.conf" ||
	fail "spiketrace.conf does not write dumps to $localstatedir/lib/spiketrace"
grep -qx "ExecStart=$sbindir/spiketrace --foreground --config $sysconfdir/spiketrace.conf" \
	"$D$systemdsystemunitdir/spiketrace.service" || fail "unit: wrong ExecStart"
grep -qx "d $localstatedir/lib/spiketrace 0750 spiketrace spiketrace -" \
	"$D$tmpfilesdir/spiketrace.conf" || fail "tmpfiles.d: wrong state directory line"

# The installed daemon accepts the installed, fully commented config.
"$D$sbindir/spiketrace" --check-config --config "$D$sysconfdir/spiketrace.conf" \
	--plugin-dir "$D$plugindir" >"$TMP/check.out" 2>&1 ||
	{ cat "$TMP/check.out" >&2; fail "installed spiketrace.conf does not pass --check-config"; }
grep -q ": OK: [0-9]* detectors and 1 sinks enabled" "$TMP/check.out" ||
	{ cat "$TMP/check.out" >&2; fail "installed config: expected json_file as the one sink"; }
"$D$bindir/spiketrace-view" --version >/dev/null || fail "installed spiketrace-view does not run"

# --------------------------------------------- the admin's config is kept
echo "# edited by the admin" >>"$D$sysconfdir/spiketrace.conf"
nested_make install DESTDIR="$D" >"$TMP/install2.log" 2>&1 ||
	{ cat "$TMP/install2.log" >&2; fail "second make install exited $?"; }
tail -n 1 "$D$sysconfdir/spiketrace.conf" | grep -qx "# edited by the admin" ||
	fail "a second make install overwrote the edited spiketrace.conf"

# ---------------------------------------------- a plugin built out of tree
# Only the DESTDIR's spiketrace.pc, as a packager's sysroot would have it:
# no -I into the source or build tree.
PKG_CONFIG_SYSROOT_DIR="$D" PKG_CONFIG_LIBDIR="$D$libdir/pkgconfig" \
PKG_CONFIG_PATH="$D$libdir/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_LIBDIR PKG_CONFIG_PATH
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
cflags=$($PKG_CONFIG --cflags spiketrace) || fail "pkg-config does not find spiketrace.pc"
[ "$cflags" != "${cflags#*"-I$D$includedir"}" ] || fail "pkg-config --cflags gives '$cflags'"
# The version is the plugin ABI's, as the installed header defines it.
abi=$(printf '#include <spiketrace/plugin.h>\nST_ABI_MAJOR ST_ABI_MINOR\n' |
	cc -E -P $cflags - | tail -n 1 | tr ' ' '.')
[ "$($PKG_CONFIG --modversion spiketrace)" = "$abi" ] ||
	fail "spiketrace.pc says version $($PKG_CONFIG --modversion spiketrace), the header $abi"
$PKG_CONFIG --atleast-version="$abi" spiketrace || fail "pkg-config --atleast-version $abi"
[ "$($PKG_CONFIG --variable=package_version spiketrace)" = "$(makevar PACKAGE_VERSION)" ] ||
	fail "spiketrace.pc has the wrong package_version"
[ -z "$($PKG_CONFIG --libs spiketrace | tr -d ' ')" ] || fail "spiketrace.pc has Libs"

mkdir "$TMP/example"
cp "$top_srcdir/plugins/examples/example_detector.c" \
   "$top_srcdir/plugins/examples/Makefile.example" "$TMP/example/"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TMP/example" -f Makefile.example \
	CC="${CC:-cc}" CFLAGS="-O2 -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes" \
	>"$TMP/example.log" 2>&1 || { cat "$TMP/example.log" >&2; fail "the example plugin does not build"; }
grep -q -- "-I$D$includedir" "$TMP/example.log" || fail "the example was not built with pkg-config's flags"
grep -q -- "-I$top_srcdir" "$TMP/example.log" && fail "the example was built against the source tree"
# It exports one symbol.
if command -v nm >/dev/null 2>&1; then
	syms=$(nm -D --defined-only "$TMP/example/fork_storm.so" | awk '$2 == "T" { print $3 }')
	[ "$syms" = spiketrace_plugin_entry ] || fail "fork_storm.so exports: $syms"
fi
cp "$TMP/example/fork_storm.so" "$D$plugindir/fork_storm.so"
chmod 0755 "$D$plugindir/fork_storm.so"

"$D$sbindir/spiketrace" --list-plugins --plugin-dir "$D$plugindir" --config /dev/null \
	>"$TMP/list.out" 2>&1 || { cat "$TMP/list.out" >&2; fail "--list-plugins exited $?"; }
grep -q "^detector fork_storm " "$TMP/list.out" ||
	{ cat "$TMP/list.out" >&2; fail "fork_storm is not listed"; }
grep -q "threshold_per_s" "$TMP/list.out" || fail "fork_storm's options are not listed"

# ------------------------------------------------ it catches a fork storm
cat >"$TMP/spiketrace.conf" <<CONF
interval = 0.2
history = 30
pre_trigger = 5
post_trigger = 3
plugin_dir = "$D$plugindir"
detectors {
  cpu_delta { enabled = false }
  new_proc { enabled = false }
  mem_drop { enabled = false }
  mem_pressure { enabled = false }
  swap_spike { enabled = false }
  fork_storm { threshold_per_s = 100  sustain = 2  cooldown = 60 }
}
sinks {
  json_file { dir = "$TMP/dumps" }
}
CONF
"$D$sbindir/spiketrace" --foreground --config "$TMP/spiketrace.conf" >"$TMP/daemon.log" 2>&1 &
daemon=$!
started $daemon
wait_for 5 grep -q "sampling /proc" "$TMP/daemon.log" || fail "daemon did not start"

# A bounded storm: an external `true` (the shell's is a builtin) as fast as
# the shell can spawn it, for about 2 s or 20000 processes.
TRUE_BIN=
for t in /bin/true /usr/bin/true; do
	[ -x "$t" ] && { TRUE_BIN=$t; break; }
done
[ -n "$TRUE_BIN" ] || fail "no external true to spawn"
storm_end=$(( $(date +%s%N) + 2000000000 ))
n=0
while [ $n -lt 20000 ]; do
	"$TRUE_BIN"
	n=$((n + 1))
	if [ $((n % 50)) -eq 0 ] && [ "$(date +%s%N)" -ge "$storm_end" ]; then
		break
	fi
done
echo "storm: $n processes"

wait_for 5 dump_naming fork_storm || fail "no dump with a fork_storm trigger"
python3 - "$DUMP" <<'PY' || fail "fork_storm dump content"
import json, sys
d = json.load(open(sys.argv[1]))
t = [t for t in d["triggers"] if t["type"] == "fork_storm"][0]
assert t["value"] > 100, t
assert t["threshold"] == 100, t
assert t["units"] == "forks/s", t
assert t["pid"] == 0, t
print("trigger:", t["summary"])
PY
"$D$bindir/spiketrace-view" "$DUMP" >"$TMP/view.txt" || fail "installed spiketrace-view exited $?"
grep -q "fork_storm" "$TMP/view.txt" || fail "viewer: no fork_storm trigger shown"
stop $daemon
[ "$STATUS" -eq 0 ] || fail "daemon exited $STATUS on SIGTERM"

# -------------------------------------------------- systemd's own checks
if command -v systemd-analyze >/dev/null 2>&1; then
	# The binary is not at its real path yet: point ExecStart into the
	# DESTDIR. Any complaint about the unit (verify exits 0 on unknown
	# keys) is a failure.
	mkdir "$TMP/unit"
	sed "s|^ExecStart=$sbindir/|ExecStart=$D$sbindir/|" \
		"$D$systemdsystemunitdir/spiketrace.service" >"$TMP/unit/spiketrace.service"
	[ -x /bin/kill ] || sed -i '/^ExecReload=/d' "$TMP/unit/spiketrace.service"
	# check_unit FILE LABEL: no complaint from verify, and the rating.
	check_unit() {
		systemd-analyze verify --man=no "$1" >"$1.verify" 2>&1
		if grep -q "spiketrace\.service" "$1.verify"; then
			cat "$1.verify" >&2
			fail "systemd-analyze verify complains about the unit $2"
		fi
		printf '%s: ' "$2"
		systemd-analyze security --offline=true "$1" 2>/dev/null |
			grep "Overall exposure" || true
	}
	check_unit "$TMP/unit/spiketrace.service" "as installed"
	# With the drop-in for full figures (its [Service] after the unit's
	# is what systemd makes of a drop-in).
	mkdir "$TMP/unit-full"
	cat "$TMP/unit/spiketrace.service" "$D$pkgdatadir/full-figures.conf" \
		>"$TMP/unit-full/spiketrace.service"
	check_unit "$TMP/unit-full/spiketrace.service" "with full-figures.conf"
else
	echo "systemd-analyze not found: unit not verified"
fi
if [ "$(id -u)" -eq 0 ] && command -v systemd-sysusers >/dev/null 2>&1 &&
   command -v systemd-tmpfiles >/dev/null 2>&1; then
	# In a root of their own: the user is created and owns the state
	# directory, mode 0750.
	S="$TMP/sysroot"
	mkdir -p "$S/etc" "$S/usr/lib/sysusers.d" "$S/usr/lib/tmpfiles.d"
	cp "$D$sysusersdir/spiketrace.conf" "$S/usr/lib/sysusers.d/"
	cp "$D$tmpfilesdir/spiketrace.conf" "$S/usr/lib/tmpfiles.d/"
	systemd-sysusers --root="$S" >"$TMP/sysusers.out" 2>&1 ||
		{ cat "$TMP/sysusers.out" >&2; fail "systemd-sysusers exited $?"; }
	grep -q "^spiketrace:" "$S/etc/passwd" || fail "sysusers.d: no spiketrace user"
	grep -q "^spiketrace:" "$S/etc/group" || fail "sysusers.d: no spiketrace group"
	systemd-tmpfiles --root="$S" --create >"$TMP/tmpfiles.out" 2>&1 ||
		{ cat "$TMP/tmpfiles.out" >&2; fail "systemd-tmpfiles exited $?"; }
	uid=$(awk -F: '$1 == "spiketrace" { print $3 }' "$S/etc/passwd")
	[ "$(stat -c '%a %u' "$S$localstatedir/lib/spiketrace")" = "750 $uid" ] ||
		fail "tmpfiles.d: state directory is $(stat -c '%a %u' "$S$localstatedir/lib/spiketrace")"
else
	echo "not root or no systemd-sysusers/systemd-tmpfiles: sysusers.d and tmpfiles.d not checked"
fi

# -------------------------------------- uninstall keeps config and dumps
rm -f "$D$plugindir/fork_storm.so"
echo '{}' >"$D$localstatedir/lib/spiketrace/spike_kept.json"
nested_make uninstall DESTDIR="$D" >"$TMP/uninstall.log" 2>&1 ||
	{ cat "$TMP/uninstall.log" >&2; fail "make uninstall exited $?"; }
[ -f "$D$sysconfdir/spiketrace.conf" ] || fail "make uninstall removed spiketrace.conf"
[ -f "$D$localstatedir/lib/spiketrace/spike_kept.json" ] || fail "make uninstall removed a dump"
left=$(cd "$D" && find . -type f ! -path ".$sysconfdir/spiketrace.conf" \
	! -path ".$localstatedir/lib/spiketrace/*" | sort)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "PASS"
