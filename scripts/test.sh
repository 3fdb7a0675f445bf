#!/bin/sh
# The whole test suite: install the dependencies, build from scratch, run
# every test (make check), check the release tarball (make distcheck), then
# the suite again under ASan+UBSan, the unit tests under valgrind, and every
# fuzz target over its corpus and regressions (scripts/ci-extra.sh).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
./autogen.sh
./configure
make -j"$(nproc)"
status=0
make -j"$(nproc)" check || status=$?
if [ "$status" -ne 0 ]; then
	# Show why: the logs of the tests that did not pass.
	for log in $(find tests -name '*.log' ! -name test-suite.log); do
		grep -lq '^:test-result: \(FAIL\|ERROR\)' "${log%.log}.trs" 2>/dev/null &&
			{ echo "===== $log"; cat "$log"; }
	done
	exit "$status"
fi
make -j"$(nproc)" distcheck
scripts/test-deb.sh || [ $? -eq 77 ] # 77: skipped (not root, or spiketrace there already)
scripts/ci-extra.sh
