#!/bin/sh
# SPDX-License-Identifier: MIT
# PostgreSQL faults mid-import (issue 18): the server restarted (immediate
# stop, as a crash would, and started again) and killed (kill -9, started
# later) while two importers write one vault.  Each importer stops with
# exit 5 and a message naming PostgreSQL; what was committed keeps every
# row with its object and its leaf, the leaves without a gap; a re-run
# completes the import, and then every file is one row with its leaf.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/scale/lib-pg.sh"
export CASEFILE_IMPORT_BATCH=30

cf --vault vA init --db "$PG_URL" --objects "$OBJ" --objects-endpoint "$RGW_ENDPOINT"
expect_rc 0 "1a. init --db --objects"
cf --vault vB init --db "$PG_URL" --objects "$OBJ" --objects-endpoint "$RGW_ENDPOINT"
expect_rc 0 "1b. a second folder joins"
pg_bundle b1/orders-2025-05-02 1 300
pg_bundle b2/orders-2025-05-03 1001 300

# wait_rows N: until the vault has N rows committed (60 s at most)
wait_rows() {
	_t=600
	while [ "$(q "SELECT count(*) >= $1 FROM evidence" 2>/dev/null)" != t ]; do
		_t=$((_t - 1)); [ "$_t" -gt 0 ] || return 1; sleep 0.1
	done
}
# fault NAME ACTION: two importers, ACTION once rows are committed, then checks
fault() {
	_n=$1; shift
	"$CASEFILE_BIN" --vault vA import b1/orders-2025-05-02 >"$_n-a.out" 2>"$_n-a.err" & _pa=$!
	"$CASEFILE_BIN" --vault vB import b2/orders-2025-05-03 >"$_n-b.out" 2>"$_n-b.err" & _pb=$!
	wait_rows "$FAULT_AT" || echo "# no rows after 60 s"
	"$@"
	wait $_pa; ra=$?; wait $_pb; rb=$?
}
all_files=1800

# 2. restart mid-import
FAULT_AT=60
fault r sh "$PG_SH" restart "$PG_D"
. "$PG_D/env"
rows=$(q "SELECT count(*) FROM evidence")
check "2a. the server was restarted mid-import: $rows of $all_files rows committed" \
	test "$rows" -gt 0 -a "$rows" -lt "$all_files"
check "2b. both importers stopped with exit 5 ($ra $rb)" test "$ra$rb" = 55
check "2c. each says PostgreSQL went away and to run it again" sh -c \
	'for f in r-a.err r-b.err; do grep -q "PostgreSQL" $f && grep -q "run it again to complete it" $f || { cat $f; exit 1; }; done'
check "2d. no traceback of a crash, no assertion" sh -c '! grep -qi "bug\|assert\|abort" r-a.err r-b.err'
check "2e. what was committed: one leaf per row, no gap, each its row's" ledger_ok
check "2f. every committed row's object is in the bucket" objects_ok
"$CASEFILE_BIN" --vault vA import b1/orders-2025-05-02 >r2-a.out 2>r2-a.err & pa=$!
"$CASEFILE_BIN" --vault vB import b2/orders-2025-05-03 >r2-b.out 2>r2-b.err & pb=$!
wait $pa; ra=$?; wait $pb; rb=$?
check "2g. the re-runs complete ($ra $rb)" test "$ra$rb" = 00
check "2h. every file one row" test "$(q "SELECT count(*) FROM evidence")" = "$all_files"
check "2i. leaves 0..$((all_files - 1)), each its row's" ledger_ok
check "2j. every row's object is in the bucket" objects_ok

# 3. killed (kill -9) mid-import, started again after the importers gave up
pg_bundle b1/orders-2025-05-02 2001 300
pg_bundle b2/orders-2025-05-03 3001 300
all_files=3600
FAULT_AT=$((1800 + 60))
fault k sh "$PG_SH" kill "$PG_D"
check "3a. both importers stopped with exit 5 ($ra $rb)" test "$ra$rb" = 55
check "3b. each names the unreachable server and says to run it again" sh -c \
	'for f in k-a.err k-b.err; do grep -q "PostgreSQL" $f && grep -q "run it again to complete it" $f || exit 1; done'
cf --vault vA import b1/orders-2025-05-02
expect_rc 3 "3c. an import while the server is down: exit 3 (README, exit codes)"
expect_err "cannot connect to the vault's PostgreSQL database" "3d. ... saying it cannot connect"
sh "$PG_SH" start "$PG_D" >/dev/null 2>&1
. "$PG_D/env"
rows=$(q "SELECT count(*) FROM evidence")
check "3e. after recovery: $rows rows committed, one leaf each, no gap" ledger_ok
check "3f. every committed row's object is in the bucket" objects_ok
"$CASEFILE_BIN" --vault vA import b1/orders-2025-05-02 >k2-a.out 2>k2-a.err & pa=$!
"$CASEFILE_BIN" --vault vB import b2/orders-2025-05-03 >k2-b.out 2>k2-b.err & pb=$!
wait $pa; ra=$?; wait $pb; rb=$?
check "3g. the re-runs complete ($ra $rb)" test "$ra$rb" = 00
check "3h. every file one row" test "$(q "SELECT count(*) FROM evidence")" = "$all_files"
check "3i. leaves 0..$((all_files - 1)), each its row's" ledger_ok
check "3j. every row's object is in the bucket" objects_ok
cf --vault vA keygen
cf --vault vA seal
expect_rc 0 "3k. seal after the faults"
check "3l. the head's root is the one recomputed from the rows" \
	ledger_ok "$(q "SELECT encode(root, 'hex') FROM heads ORDER BY tree_size DESC LIMIT 1")"
cf --vault vA audit --fast
expect_rc 0 "3m. audit: clean (objects of the rolled-back batches are 'interrupted', not problems)"
done_testing
