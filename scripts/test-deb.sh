#!/bin/sh
# The Debian package, built and used as an admin and a plugin author would:
# a clean copy of the tree (git archive HEAD in a checkout, whose debian/
# the release tarball must hold too; else the tarball's files, make
# distdir) is built with dpkg-buildpackage (source and binaries, so that
# lintian sees debian/ itself too) under a time bound; lintian must
# report no error; both .debs install with dpkg; the installed daemon
# passes --check-config with the installed /etc/spiketrace.conf and lists
# every installed plugin; the viewer runs; the unit is installed, not
# enabled; the example detector builds against spiketrace-dev with
# pkg-config, is installed into the plugin directory and listed; purge
# removes every path the packages brought (the config and the dumps too)
# and leaves the spiketrace user, as Debian leaves system users.
#
# Needs root and dpkg-buildpackage (exit 77 otherwise), and a machine
# without spiketrace: it refuses (77) where a spiketrace package, or files
# at the package's paths, are there already, since it installs and purges.
# Whatever happens, its trap purges what it installed, removes the user if
# it created it, and removes its temp dir.
#
#   scripts/test-deb.sh            (from anywhere; scripts/test.sh runs it)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD_SECONDS=${BUILD_SECONDS:-420}

skip() { echo "test-deb: SKIP: $*" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (it installs and purges the packages with dpkg)"
for tool in dpkg dpkg-buildpackage dpkg-parsechangelog dh lintian; do
	command -v "$tool" >/dev/null ||
		skip "$tool not found (scripts/install-deps.sh --test installs it)"
done

# ----------------------------------------- a machine without spiketrace
for p in spiketrace spiketrace-dev; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case $st in
	'' | un* | pn*) ;;
	*) skip "the package $p is there already (dpkg status '$st'): not touching it" ;;
	esac
done
# A make install leaves these; dpkg would overwrite them and purge remove them.
for f in /usr/sbin/spiketrace /usr/bin/spiketrace-view /etc/spiketrace.conf \
	 /usr/lib/spiketrace /usr/include/spiketrace /var/lib/spiketrace; do
	[ ! -e "$f" ] || skip "$f exists without the package (a make install?): not touching it"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/spiketrace-deb.XXXXXX")
installed=no
touched=no
plugin=
user_was_there=no
getent passwd spiketrace >/dev/null && user_was_there=yes
cleanup() {
	status=$?
	set +e
	[ -z "$plugin" ] || rm -f "$plugin"
	if [ "$installed" = yes ]; then
		echo "test-deb: purging what it installed"
		dpkg --purge spiketrace-dev spiketrace >"$work/cleanup.log" 2>&1 ||
			cat "$work/cleanup.log" >&2
	fi
	# Not there before (checked above), whatever a purge did.
	[ "$touched" = no ] || rm -rf /var/lib/spiketrace
	if [ "$user_was_there" = no ] && getent passwd spiketrace >/dev/null; then
		userdel spiketrace
		! getent group spiketrace >/dev/null || groupdel spiketrace
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

fail() { echo "test-deb: FAIL: $*" >&2; exit 1; }
# fail_log LOG MESSAGE: the end of LOG, then fail.
fail_log() { tail -n 60 "$1" >&2; fail "$2"; }

# ------------------------------------------------------ a clean tree
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "test-deb: packaging git HEAD $(git -C "$top" rev-parse --short HEAD)"
	[ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] ||
		echo "test-deb: note: uncommitted changes are not in the package"
	mkdir "$work/src"
	git -C "$top" archive HEAD | tar -xf - -C "$work/src"
elif [ -f "$top/Makefile" ]; then
	# What make dist would pack, unpacked.
	echo "test-deb: not a git checkout: packaging the release tarball's files"
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top" distdir distdir="$work/src" \
		>"$work/dist.log" 2>&1 || fail_log "$work/dist.log" "make distdir exited $?"
else
	skip "neither a git checkout nor a configured tree: no clean copy to package"
fi
[ -d "$work/src/debian" ] || fail "the clean tree has no debian/ directory"
# From git: and the release tarball has the same debian/ (a file missing
# from EXTRA_DIST would make a tarball that does not build its package).
if [ -f "$top/Makefile" ] && [ ! -f "$work/src/Makefile.in" ]; then
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top" distdir distdir="$work/dist" \
		>"$work/dist.log" 2>&1 || fail_log "$work/dist.log" "make distdir exited $?"
	missing=$(cd "$work/src" && find debian -type f ! -name .gitignore | sort |
		while read -r f; do [ -f "$work/dist/$f" ] || printf ' %s' "$f"; done)
	[ -z "$missing" ] ||
		fail "not in the release tarball (EXTRA_DIST in Makefile.am):$missing"
	rm -rf "$work/dist"
fi
version=$(cd "$work/src" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
mv "$work/src" "$work/spiketrace-$version"
src="$work/spiketrace-$version"

# ------------------------------------------------------------- build
echo "test-deb: dpkg-buildpackage (at most ${BUILD_SECONDS}s)"
start=$(date +%s)
(cd "$src" && timeout "$BUILD_SECONDS" nice -n 10 \
	dpkg-buildpackage -us -uc -J"$(nproc)") >"$work/build.log" 2>&1 ||
	fail_log "$work/build.log" "dpkg-buildpackage exited $? (124: over ${BUILD_SECONDS}s)"
echo "test-deb: built in $(( $(date +%s) - start ))s"
deb="$work/spiketrace_${version}_${arch}.deb"
devdeb="$work/spiketrace-dev_${version}_all.deb"
changes="$work/spiketrace_${version}_${arch}.changes"
for f in "$deb" "$devdeb" "$changes"; do
	[ -f "$f" ] || fail "dpkg-buildpackage made no $(basename "$f")"
done

# ------------------------------------------------------------ lintian
rc=0
timeout 180 lintian --allow-root --tag-display-limit 0 "$changes" >"$work/lintian.out" 2>&1 || rc=$?
if [ -s "$work/lintian.out" ]; then sed 's/^/lintian: /' "$work/lintian.out"
else echo "test-deb: lintian: no errors, no warnings"
fi
! grep -q '^E:' "$work/lintian.out" || fail "lintian reports errors"
[ "$rc" -eq 0 ] || fail "lintian exited $rc"

# ------------------------------------------------------------ install
# What exists before at the packages' paths (directories such as /usr/lib),
# so that after the purge every other path must be gone.
for f in "$deb" "$devdeb"; do
	dpkg-deb --fsys-tarfile "$f" | tar -t
done | sed -e 's|^\./|/|' -e 's|/$||' | grep -v '^\.\?$' | sort -u >"$work/paths"
while read -r p; do
	if [ -e "$p" ] || [ -L "$p" ]; then echo "$p"; fi
done <"$work/paths" >"$work/there-before"

installed=yes
touched=yes
dpkg -i "$deb" "$devdeb" >"$work/install.log" 2>&1 ||
	fail_log "$work/install.log" "dpkg -i exited $?"
for p in spiketrace spiketrace-dev; do
	[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p")" = "ii " ] ||
		fail "$p is not installed and configured after dpkg -i"
done
dpkg -L spiketrace spiketrace-dev | sort -u >"$work/listed"

getent passwd spiketrace >/dev/null || fail "postinst made no spiketrace user"
if command -v systemd-tmpfiles >/dev/null; then
	[ "$(stat -c '%a %U %G' /var/lib/spiketrace)" = "750 spiketrace spiketrace" ] ||
		fail "/var/lib/spiketrace is $(stat -c '%a %U %G' /var/lib/spiketrace 2>&1)"
fi

# ---------------------------------------- the installed paths, as is
[ "$(/usr/sbin/spiketrace --version)" = "spiketrace $version" ] ||
	fail "package $version, but: $(/usr/sbin/spiketrace --version 2>&1)"
/usr/sbin/spiketrace --check-config >"$work/check.out" 2>&1 ||
	fail_log "$work/check.out" "spiketrace --check-config on /etc/spiketrace.conf exited $?"
grep -q ": OK: " "$work/check.out" || fail_log "$work/check.out" "--check-config said no OK"
/usr/sbin/spiketrace --list-plugins >"$work/list.out" 2>&1 ||
	fail_log "$work/list.out" "spiketrace --list-plugins exited $?"
n=0
for so in /usr/lib/spiketrace/plugins/*.so; do
	name=$(basename "$so" .so)
	grep -Eq "^(detector|sink) $name " "$work/list.out" ||
		fail_log "$work/list.out" "--list-plugins does not list $so"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no plugin in /usr/lib/spiketrace/plugins"
echo "test-deb: --check-config OK, $n plugins listed"
/usr/bin/spiketrace-view --help >"$work/view.out" 2>&1 ||
	fail_log "$work/view.out" "spiketrace-view --help exited $?"

# ------------------------------------------ the unit: there, not enabled
unit=$(grep '/systemd/system/spiketrace\.service$' "$work/listed") ||
	fail "the package has no spiketrace.service"
[ -f "$unit" ] || fail "$unit not installed"
for link in /etc/systemd/system/*.wants/spiketrace.service; do
	if [ -e "$link" ] || [ -L "$link" ]; then fail "the unit is enabled: $link"; fi
done
if command -v systemctl >/dev/null; then
	state=$(systemctl is-enabled spiketrace.service 2>&1 || true)
	[ "$state" = disabled ] || fail "systemctl is-enabled spiketrace: $state"
	if [ -d /run/systemd/system ] && systemctl --quiet is-active spiketrace.service; then
		fail "the service was started"
	fi
fi
# The drop-in for full figures is there to copy, not in force.
[ -f /usr/share/spiketrace/full-figures.conf ] || fail "no /usr/share/spiketrace/full-figures.conf"
for d in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do
	[ ! -e "$d/spiketrace.service.d" ] || fail "a drop-in is in force: $d/spiketrace.service.d"
done

# ------------------------- a plugin built against spiketrace-dev alone
ex=/usr/share/doc/spiketrace-dev/examples
mkdir "$work/example"
for f in example_detector.c Makefile.example; do
	if [ -f "$ex/$f" ]; then cp "$ex/$f" "$work/example/"
	elif [ -f "$ex/$f.gz" ]; then gzip -dc "$ex/$f.gz" >"$work/example/$f"
	else fail "spiketrace-dev has no $ex/$f"
	fi
done
plugindir=$(pkg-config --variable=plugindir spiketrace) ||
	fail "pkg-config does not find spiketrace.pc"
[ "$plugindir" = /usr/lib/spiketrace/plugins ] || fail "spiketrace.pc: plugindir=$plugindir"
plugin="$plugindir/fork_storm.so"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$work/example" -f Makefile.example \
	CFLAGS="-O2 -Wall -Wextra -Werror" fork_storm.so install >"$work/example.log" 2>&1 ||
	fail_log "$work/example.log" "the example detector does not build or install"
[ "$(stat -c '%a %U' "$plugin")" = "755 root" ] || fail "$plugin is $(stat -c '%a %U' "$plugin")"
/usr/sbin/spiketrace --list-plugins >"$work/list2.out" 2>&1 ||
	fail_log "$work/list2.out" "--list-plugins with fork_storm.so exited $?"
grep -q "^detector fork_storm " "$work/list2.out" ||
	fail_log "$work/list2.out" "the example detector is not listed"
echo "test-deb: the example detector built with pkg-config and listed"
rm -f "$plugin"
plugin=

# ----------------------------------------- purge leaves nothing behind
dpkg --purge spiketrace-dev spiketrace >"$work/purge.log" 2>&1 ||
	fail_log "$work/purge.log" "dpkg --purge exited $?"
installed=no
cat "$work/paths" "$work/listed" | sort -u | while read -r p; do
	[ "$p" = /. ] && continue
	if { [ -e "$p" ] || [ -L "$p" ]; } && ! grep -qxF "$p" "$work/there-before"; then
		echo "$p"
	fi
done >"$work/left"
[ ! -s "$work/left" ] || { cat "$work/left" >&2; fail "purge left the paths above"; }
[ ! -e /etc/spiketrace.conf ] || fail "purge left /etc/spiketrace.conf"
[ ! -e /var/lib/spiketrace ] || fail "purge left /var/lib/spiketrace"
getent passwd spiketrace >/dev/null ||
	fail "purge removed the spiketrace user (Debian leaves system users)"
echo "test-deb: purge removed $(wc -l <"$work/listed") paths; the spiketrace user stays"
echo "PASS"
