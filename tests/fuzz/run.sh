#!/bin/sh
# The libFuzzer targets, one after another, in one of two modes:
#
#   explore  (make fuzz) each for FUZZ_SECONDS (default 10), from its seed
#            corpus and its regressions: open-ended, for developers. Inputs
#            that find new coverage go to tests/fuzz/work/<name> in the
#            build tree (kept between runs).
#   replay   (make fuzz-replay, CI) each input of corpus/<name>/ and
#            regressions/<name>/ once, then a fixed number of mutations
#            from them with a fixed seed: the same executions on every
#            run, so that a failure is the code's and not the draw's.
#            FUZZ_RUNS="name=N ..." sets the count per target (default
#            FUZZ_RUNS_DEFAULT, 10000).
#
# A failing input is saved to tests/fuzz/artifacts/ and belongs, with its
# fix, in SRC_FUZZ_DIR/regressions/<name>/. The whole libFuzzer output
# goes to tests/fuzz/logs/<name>.log.
#
#   run.sh explore|replay SRC_FUZZ_DIR BUILD_FUZZ_DIR TARGET...
# Exit status: 0 when no target crashed and no sanitizer said anything.
set -u
mode=$1 src=$2 build=$3
shift 3
case $mode in
explore|replay) ;;
*) echo "run.sh: unknown mode '$mode' (explore or replay)" >&2; exit 2 ;;
esac
secs=${FUZZ_SECONDS:-10}
mkdir -p "$build/work" "$build/artifacts" "$build/logs"

# UBSan aborts on its first report (libFuzzer then saves the input);
# LeakSanitizer runs after every input that allocated.
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$src/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# runs_for NAME: the mutation count FUZZ_RUNS gives NAME.
runs_for() {
	for pair in ${FUZZ_RUNS:-}; do
		[ "${pair%%=*}" = "$1" ] && { echo "${pair#*=}"; return; }
	done
	echo "${FUZZ_RUNS_DEFAULT:-10000}"
}

# A replay is the same executions every time only with the same addresses:
# libFuzzer feeds the values of comparisons back into its mutations, and
# some of them are pointers. Without ASLR where the system allows that.
norandom=
if [ "$mode" = replay ]; then
	if setarch "$(uname -m)" -R true 2>/dev/null; then
		norandom="setarch $(uname -m) -R"
	else
		echo "fuzz replay: cannot turn ASLR off here (setarch -R): the mutations may differ from run to run"
	fi
fi

# fuzz LOG OUTER_SECONDS ARGS...: one libFuzzer process. -timeout: one
# input running longer than that is a hang, reported as a crash. The
# outer timeout only bounds a fuzzer that hangs outside an input.
fuzz() {
	log=$1 outer=$2
	shift 2
	# shellcheck disable=SC2086  # norandom is a command and its arguments
	timeout -k 10 "$outer" $norandom "$target" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$build/artifacts/$short-" \
		"$@" >>"$log" 2>&1
}

failed() {
	echo "$name: FAILED after ${execs:-?} executions (exit $rc); the report, from $log:"
	grep -n -m1 -A40 'ERROR: \|runtime error:\|property broken\|==ERROR\|deadly signal\|timeout after' "$log" ||
		tail -n 40 "$log"
	ls "$build/artifacts/$short-"* 2>/dev/null | sed 's/^/  input: /'
	echo "  (fixed, it goes to $src/regressions/$short/)"
	status=1
}

status=0
total=0
for target in "$@"; do
	name=$(basename "$target")
	short=${name#fuzz_}
	log="$build/logs/$short.log"
	corpus="$src/corpus/$short"
	regressions="$src/regressions/$short"
	[ -d "$regressions" ] || regressions=
	: >"$log"
	start=$(date +%s)
	if [ "$mode" = explore ]; then
		mkdir -p "$build/work/$short"
		fuzz "$log" $((secs + 120)) -max_total_time="$secs" \
			"$build/work/$short" "$corpus" $regressions
		rc=$?
		how="FUZZ_SECONDS=$secs"
	else
		runs=$(runs_for "$short")
		# Every stored input as it is, one by one (libFuzzer runs file
		# arguments once each), then the bounded mutations; new inputs
		# go to a scratch directory, never into the source tree.
		inputs=$(find "$corpus" $regressions -type f | LC_ALL=C sort)
		rc=0
		# shellcheck disable=SC2086  # file names of the tree: no spaces
		fuzz "$log" 300 $inputs || rc=$?
		if [ "$rc" -eq 0 ]; then
			scratch="$build/work/replay-$short"
			rm -rf "$scratch"
			mkdir -p "$scratch"
			# -reload=0: libFuzzer would otherwise re-read the
			# corpus every second, which makes the run depend on
			# the machine's speed.
			fuzz "$log" 900 -seed=1 -runs="$runs" -reload=0 \
				"$scratch" "$corpus" $regressions || rc=$?
			rm -rf "$scratch"
		fi
		how="seed 1, $(echo "$inputs" | wc -l) stored inputs + $runs runs"
	fi
	took=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	found=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
	if [ "$rc" -ne 0 ] || grep -q 'ERROR: [A-Za-z]*Sanitizer\|runtime error:\|^SUMMARY: libFuzzer' "$log"; then
		failed
		continue
	fi
	total=$((total + ${execs:-0}))
	echo "$name: ${execs:-?} executions in ${took} s ($(( ${execs:-0} / (took > 0 ? took : 1) ))/s), ${found:-0} new inputs, no crash ($how)"
done
echo "fuzz $mode: $total executions in all"
exit $status
