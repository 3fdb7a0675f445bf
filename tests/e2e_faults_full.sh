#!/bin/sh
# End to end, the real daemon's dump directory on a full filesystem while
# it runs: two dumps lost with one json_file line (and one core line), no
# partial file, and the next dump written once there is room again. Needs
# root and a private mount namespace (a 2 MiB tmpfs nobody else sees);
# skipped (77) without.
set -u
. "${top_srcdir:-.}/tests/e2e_faults_lib.sh"

faults_mount_fs
[ $FS_MOUNTED = 1 ] || skip "dump dir on a full filesystem: needs root and a mount namespace"
faults_daemon1
request_dump
dir_fault "on a full filesystem" "cannot write the dump: No space left on device" \
	'dd if=/dev/zero of="$TMP/fs/filler" bs=64k 2>/dev/null; [ -s "$TMP/fs/filler" ]' \
	'rm -f "$TMP/fs/filler"'
faults_stop_daemon1
echo "PASS"
