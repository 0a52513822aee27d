#!/bin/sh
# SPDX-License-Identifier: MIT
# Large files are staged with O_DIRECT; a file system that refuses it
# (EINVAL at open, or at the first write) is staged through page cache
# instead (issue 19 item 2).  Since Linux 6.6 tmpfs accepts O_DIRECT, so
# besides a vault on tmpfs the refusal is forced with the test-only hook
# CASEFILE_TEST_REFUSE_DIRECT=open|write (src/store/vault.c).  Each time
# the stored objects must be the source's bytes exactly, for files of
# several 2 MiB chunks with an unaligned tail, two in one run (the second
# after the refusal was remembered), and audit must pass.
. "$(dirname "$0")/../lib.sh"

O=6931000000008600
SHM=""
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	SHM=$(mktemp -d /dev/shm/casefile-t8600-XXXXXX)
	trap 'rm -rf "$SHM"; lib_cleanup' EXIT
fi
mkdir in
head -c $((9 * 1048576 + 123)) /dev/urandom >in/a.mp4	# 4 whole chunks and a tail
head -c $((5 * 1048576 + 4097)) /dev/urandom >in/b.bin

# check_objects N VAULT [FILE...]: the sources (default: both) stored
# intact (object bytes = source bytes)
check_objects() {
	_n=$1 _v=$2
	shift 2
	[ $# -gt 0 ] || set -- in/a.mp4 in/b.bin
	_ok=1
	for f in "$@"; do
		h=$(sha256sum "$f" | cut -c1-64)
		o="$_v/objects/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-)"
		if [ ! -f "$o" ] || ! cmp -s "$f" "$o" || \
		   [ "$(sha256sum "$o" | cut -c1-64)" != "$h" ]; then
			echo "#   object of $f missing or different ($o)"
			_ok=0
		fi
	done
	check "$_n the objects hold the sources' bytes" test $_ok = 1
}

# run N VAULT MODE: ingest both files into a fresh VAULT with the hook set to MODE
run() {
	"$CASEFILE_BIN" --vault "$2" init --quiet $(pg_db_opt) >/dev/null
	CASEFILE_TEST_REFUSE_DIRECT=$3 cf --vault "$2" ingest --quiet --kind other $O in
	expect_clean "$1.1 ingest ($3) exits 0, stderr empty"
	check_objects "$1.2" "$2"
	check "$1.3 two rows" test "$(sqlite3 "$2/casefile.db" "SELECT count(*) FROM evidence")" = 2
	cf --vault "$2" audit
	expect_rc 0 "$1.4 audit passes"
	check "$1.5 no staging file left" sh -c "test -z \"\$(ls -A '$2/tmp')\""
}

run 1 "$SCRATCH/v-open" open
run 2 "$SCRATCH/v-write" write
run 3 "$SCRATCH/v-direct" ""
if [ -n "$SHM" ]; then
	run 4 "$SHM/v" ""
	run 5 "$SHM/v-open" open
	run 6 "$SHM/v-write" write
else
	for i in 4 5 6; do tap 0 "$i # SKIP /dev/shm is not writable"; done
fi

# The hook is what turned O_DIRECT off: without it the staging file is
# opened O_DIRECT, with =open never, with =write it is opened O_DIRECT and
# switched off (fcntl F_SETFL) before its first write.
if command -v strace >/dev/null 2>&1; then
	for m in "" open write; do
		"$CASEFILE_BIN" --vault "$SCRATCH/s$m" init --quiet $(pg_db_opt) >/dev/null
		CASEFILE_TEST_REFUSE_DIRECT=$m strace -f -o "trace$m" -e trace=openat,fcntl,write \
			"$CASEFILE_BIN" --vault "$SCRATCH/s$m" ingest --quiet --kind other $O in/a.mp4 >/dev/null 2>&1
	done
	d='O_DIRECT([^O]|$)'	# not O_DIRECTORY
	check "7 without the hook the staging file is O_DIRECT" grep -Eq "$d" trace
	check_not "8 with =open no open asks for O_DIRECT" grep -Eq "$d" traceopen
	# which comes first: an F_SETFL (O_DIRECT off), or a whole 2 MiB chunk written
	# (the staging file's F_SETFL: it is O_TMPFILE; libpq sets others)
	first() { awk '/F_SETFL.*O_TMPFILE/ && !s { s = NR } /= 2097152$/ && !w { w = NR } END { print (s && (!w || s < w)) ? "off" : "chunk" }' "$1"; }
	check "9 with =write O_DIRECT is asked for, and switched off before the first chunk" \
		sh -c "grep -Eq 'openat.*$d' tracewrite && test $(first tracewrite) = off && test $(first trace) = chunk"
	check_objects 10 "$SCRATCH/swrite" in/a.mp4
else
	for i in 7 8 9 10; do tap 0 "$i # SKIP strace is not installed"; done
fi
done_testing
