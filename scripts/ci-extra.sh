#!/bin/sh
# CI beyond scripts/test.sh, each part in a build of its own:
#   sanitizers  the whole suite (make check) built with ASan + UBSan
#   valgrind    every CUnit program under valgrind memcheck
#   fuzz        every libFuzzer target replays its corpus and every input
#               that ever failed (tests/fuzz/regressions/), then a fixed
#               number of mutations from a fixed seed (make fuzz-replay):
#               the same executions on every run. Open-ended fuzzing is
#               make fuzz, for developers.
# Any sanitizer or valgrind report, leak or crash fails the run.
#
#   scripts/ci-extra.sh [sanitizers] [valgrind] [fuzz]     (default: all)
#
# The builds are VPATH builds of a copy of the tracked source, under
# $TMPDIR, so they work whether or not the tree itself was configured
# (scripts/test.sh configures in place, which rules out VPATH builds of
# it). The copy is removed when everything passed and kept otherwise.
set -eu
cd "$(dirname "$0")/.."
parts=${*:-sanitizers valgrind fuzz}
jobs=$(nproc)

scripts/install-deps.sh --test
for tool in valgrind clang git; do
	command -v "$tool" >/dev/null ||
		{ echo "ci-extra: $tool not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/spiketrace-ci.XXXXXX")
# e2e_unprivileged.sh runs the daemon as nobody: it must reach the build.
chmod 755 "$work"
mkdir "$work/src"
git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$work/src"
(cd "$work/src" && ./autogen.sh >/dev/null 2>&1) ||
	{ echo "ci-extra: autogen failed in $work/src" >&2; exit 1; }

status=0
failed() {
	echo "ci-extra: $1: FAILED"
	status=1
}

# configure_in DIR ARGS...: a fresh build directory of the copy.
configure_in() {
	dir=$1
	shift
	mkdir -p "$work/$dir"
	cd "$work/$dir"
	# configure's exit trap complains about the core/ directory; harmless.
	"$work/src/configure" -q "$@" 2>&1 | grep -v "^rm: cannot remove 'core'" || true
	[ -f Makefile ]
}

# The logs of the tests that did not pass, as scripts/test.sh shows them.
show_failed_tests() {
	for log in $(find tests -name '*.log' ! -name test-suite.log); do
		grep -q '^:test-result: \(FAIL\|ERROR\)' "${log%.log}.trs" 2>/dev/null &&
			{ echo "===== $log"; cat "$log"; }
	done
}

run_sanitizers() {
	configure_in asan --enable-sanitizers || return 1
	make -j"$jobs" >/dev/null || return 1
	# log_path: the reports of processes whose stderr a test swallows
	# (the daemon under an end-to-end test) land in files too; any file
	# there is a failure even if the test itself passed.
	reports="$work/sanitizer-reports"
	mkdir -p "$reports"
	rc=0
	ASAN_OPTIONS="detect_leaks=1:log_path=$reports/asan" \
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan" \
		make -j"$jobs" check >check.out 2>&1 || rc=$?
	grep '^\(PASS\|FAIL\|ERROR\|XPASS\|# \)' check.out
	[ "$rc" -eq 0 ] || show_failed_tests
	for r in "$reports"/*; do
		[ -f "$r" ] || continue
		echo "===== sanitizer report $r"
		cat "$r"
		rc=1
	done
	return "$rc"
}

run_valgrind() {
	configure_in valgrind || return 1
	make -j"$jobs" >/dev/null || return 1
	make -j"$jobs" check TESTS= >/dev/null || return 1	# build, run nothing
	top_builddir=$PWD top_srcdir="$work/src"
	export top_builddir top_srcdir
	rc=0
	# The CUnit programs are plain executables (the libraries they link
	# are static convenience libraries): no libtool wrapper to step over.
	for t in tests/test_*; do
		{ [ -f "$t" ] && [ -x "$t" ]; } || continue
		if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
			--suppressions="$work/src/tests/valgrind.supp" \
			--error-exitcode=1 "./$t" >"$t.valgrind" 2>&1; then
			echo "PASS: $t (valgrind)"
		else
			echo "FAIL: $t (valgrind)"
			cat "$t.valgrind"
			rc=1
		fi
	done
	return "$rc"
}

run_fuzz() {
	configure_in fuzz --enable-fuzzing CC=clang || return 1
	rc=0
	make -j"$jobs" fuzz-replay || rc=1
	# The inputs that crashed, printable, so that a CI log is enough
	# to reproduce: base64 -d > input; tests/fuzz/fuzz_X input
	for a in tests/fuzz/artifacts/*; do
		[ -f "$a" ] || continue
		echo "===== $(basename "$a") (base64)"
		base64 "$a"
	done
	return "$rc"
}

for part in $parts; do
	start=$(date +%s)
	echo "ci-extra: $part"
	case $part in
	sanitizers) run_sanitizers || failed "$part" ;;
	valgrind)   run_valgrind || failed "$part" ;;
	fuzz)       run_fuzz || failed "$part" ;;
	*)          echo "ci-extra: unknown part '$part'" >&2; exit 2 ;;
	esac
	echo "ci-extra: $part took $(( $(date +%s) - start )) s"
done

if [ "$status" -eq 0 ]; then
	rm -rf "$work"
else
	echo "ci-extra: builds and logs kept in $work"
fi
exit "$status"
