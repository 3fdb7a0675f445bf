#!/bin/sh
# End to end, the real daemon's dump directory made unwritable while it
# runs: two dumps lost with one json_file line (and one core line), no
# partial file, and the next dump written once it is writable again. As
# root, a read-only remount of a tmpfs in a private mount namespace;
# otherwise mode 0555. Root without a mount namespace ignores modes and
# has no filesystem to remount: skipped (77).
set -u
. "${top_srcdir:-.}/tests/e2e_faults_lib.sh"

faults_mount_fs
[ $FS_MOUNTED = 1 ] || [ $ROOT = 0 ] ||
	skip "dump dir not writable: root ignores modes and has no mount namespace here"
faults_daemon1
# The directory as json_file creates it, before breaking it.
request_dump
if [ $FS_MOUNTED = 1 ]; then
	dir_fault "on a read-only filesystem" "cannot create a temp file: Read-only file system" \
		'mount -o remount,ro "$TMP/fs"' 'mount -o remount,rw "$TMP/fs"'
else
	dir_fault "not writable (mode 0555)" "cannot create a temp file: Permission denied" \
		'chmod 0555 "$DUMPS"' 'chmod 0750 "$DUMPS"'
fi
faults_stop_daemon1
echo "PASS"
