#!/bin/sh
# Quick start: install the dependencies, build, and run the daemon in the
# foreground on the real /proc. Plugins come from the build tree, dumps go
# to ./dumps. No root needed beyond installing packages. Ctrl-C stops.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure
make -j"$(nproc)"
exec make run
