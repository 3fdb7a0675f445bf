#!/bin/sh
# Installs what spiketrace needs to build and test on Debian 12.
# Idempotent: does nothing when everything is there already.
set -eu
# libcurl4-openssl-dev builds the otlp sink. rsyslog is for the syslog
# sink's test against a real rsyslogd; valgrind, clang and
# libclang-rt-14-dev (libFuzzer, clang's ASan) for the checks of
# scripts/ci-extra.sh.
pkgs="build-essential autoconf automake libtool pkg-config
      libconfuse-dev libcjson-dev libcunit1-dev libcurl4-openssl-dev python3 rsyslog
      valgrind clang libclang-rt-14-dev"
# --test: what only the tests need on top (scripts/test.sh asks for it):
# libncurses-dev builds the viewer's terminal browser, which tmux drives;
# a headless browser loads the HTML report; node_exporter and Prometheus
# (with promtool) receive the prometheus sink's metrics; debhelper,
# dh-autoreconf, dpkg-dev, fakeroot and lintian build and check the Debian
# package (scripts/test-deb.sh).
[ "${1:-}" != --test ] ||
	pkgs="$pkgs libncurses-dev tmux chromium-headless-shell prometheus prometheus-node-exporter
	      debhelper dh-autoreconf dpkg-dev fakeroot lintian"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
echo "installing:$missing"
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
