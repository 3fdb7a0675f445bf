#!/bin/sh
# Generates ./configure from configure.ac (needs autoconf, automake, libtool,
# pkg-config: scripts/install-deps.sh installs them).
set -e
cd "$(dirname "$0")"
autoreconf --install --force
