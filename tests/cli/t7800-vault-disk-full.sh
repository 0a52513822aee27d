#!/bin/sh
# SPDX-License-Identifier: MIT
# t7800: a vault whose disk is full before the command starts.  Every
# command, reader or writer, names the cause and the database, exit 5.
# Regression (2026-12-03, issue 11 item 6, found in review): with the
# disk full and no -shm/-wal file left by an earlier run, opening the
# database failed with "casefile: database: disk I/O error", exit 2 (a
# usage error), naming neither the cause nor the file.
. "$(dirname "$0")/../lib.sh"
pg_skip "the vault's SQLite file on a full disk (its -shm and -wal files); a PostgreSQL vault keeps no database in the folder"

O=6931000000000781
mkdir full
if ! mount -t tmpfs -o size=1m tmpfs full 2>mount.err; then
	echo "ok 1 # skip cannot mount a tmpfs: $(head -1 mount.err)"
	echo "1..1"
	exit 0
fi
trap 'umount "$SCRATCH/full" 2>/dev/null; lib_cleanup' EXIT
export CASEFILE_VAULT="$SCRATCH/full/v"
head -c 4096 /dev/urandom >a.bin
head -c 5000 /dev/urandom >b.bin
mkdir -p bun/$O && cp b.bin bun/$O/
"$CASEFILE_BIN" init $(pg_db_opt) >/dev/null && "$CASEFILE_BIN" keygen --cn T >/dev/null 2>&1 &&
"$CASEFILE_BIN" ingest --quiet --kind other $O a.bin >/dev/null 2>&1 ||
	{ echo "Bail out! cannot make a vault"; exit 1; }
# the last connection is gone: no -shm or -wal file is left to reuse
sqlite3 "$CASEFILE_VAULT/casefile.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
check "no -shm file is left" test ! -e "$CASEFILE_VAULT/casefile.db-shm"
cat /dev/zero >full/filler 2>/dev/null

for c in "list" "show $O" "audit" "seal" "ingest --kind other $O b.bin" "import bun" \
	 "config tsa.url http://127.0.0.1:9/" "build $O -o $SCRATCH/d.pdf" \
	 "dispute open $O --reason quality"; do
	# shellcheck disable=SC2086
	cf $c
	expect_rc 5 "$c: exit 5 (the system failed), not 2"
	expect_err "casefile\\.db'?: .*No space left on device" "$c: names the database and the cause"
	check_not "$c: not the bare 'database: disk I/O error'" grep -q '^casefile: database: disk I/O error$' "$err"
done
rm full/filler
cf list
expect_rc 0 "with room again, list works"
cf audit
expect_rc 0 "and the vault is intact"
done_testing
