#!/bin/sh
# make fuzz: run each libFuzzer target for FUZZ_SECONDS (default 10) from
# its seed corpus, one after another, and print the executions each ran.
# Inputs that find new coverage go to tests/fuzz/work/<name> in the build
# tree (kept between runs), a crashing input to tests/fuzz/artifacts/, the
# whole libFuzzer output to tests/fuzz/logs/<name>.log.
#
#   run.sh SRC_FUZZ_DIR BUILD_FUZZ_DIR TARGET...
# Exit status: 0 when no target crashed and no sanitizer said anything.
set -u
src=$1 build=$2
shift 2
secs=${FUZZ_SECONDS:-10}
mkdir -p "$build/work" "$build/artifacts" "$build/logs"

# UBSan aborts on its first report (libFuzzer then saves the input);
# LeakSanitizer runs after every input that allocated.
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$src/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

status=0
total=0
for target in "$@"; do
	name=$(basename "$target")
	short=${name#fuzz_}
	log="$build/logs/$short.log"
	mkdir -p "$build/work/$short"
	start=$(date +%s)
	# -timeout: one input running longer than that is a hang, reported
	# as a crash. The outer timeout only bounds a fuzzer that hangs
	# outside an input.
	timeout -k 10 $((secs + 120)) "$target" \
		-max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$build/artifacts/$short-" \
		"$build/work/$short" "$src/corpus/$short" >"$log" 2>&1
	rc=$?
	took=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	found=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
	if [ "$rc" -ne 0 ] || grep -q 'ERROR: [A-Za-z]*Sanitizer\|runtime error:\|^SUMMARY: libFuzzer' "$log"; then
		echo "$name: FAILED after ${execs:-?} executions (exit $rc); the report, from $log:"
		grep -n -m1 -A40 'ERROR: \|runtime error:\|property broken\|==ERROR\|deadly signal\|timeout after' "$log" ||
			tail -n 40 "$log"
		ls "$build/artifacts/$short-"* 2>/dev/null | sed 's/^/  input: /'
		status=1
		continue
	fi
	total=$((total + ${execs:-0}))
	echo "$name: ${execs:-?} executions in ${took} s ($(( ${execs:-0} / (took > 0 ? took : 1) ))/s), ${found:-0} new inputs, no crash"
done
echo "fuzz: $total executions in all, FUZZ_SECONDS=$secs per target"
exit $status
