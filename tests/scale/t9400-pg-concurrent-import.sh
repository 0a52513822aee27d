#!/bin/sh
# SPDX-License-Identifier: MIT
# Several importers into one PostgreSQL vault at once (issue 18): three
# folders joined to one --db and one S3 store, three overlapping bundles
# imported at the same time in small batches, then a fourth importer twice
# over one folder.  Every file is one row, every row has exactly one leaf,
# the leaves are 0..N-1 without a gap and each is its row's (recomputed
# outside casefile, tests/lib/pg-ledger-check.py), every row's object is in
# the bucket, and audit is clean.  Then two seals at once, from two folders:
# one head and a "nothing new", or two consistent heads, never an error;
# the root is the one recomputed from the rows.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/scale/lib-pg.sh"
export CASEFILE_IMPORT_BATCH=40	# many batches, so that the importers interleave

# 1. one vault, three folders
cf --vault vA init --db "$PG_URL" --objects "$OBJ" --objects-endpoint "$RGW_ENDPOINT"
expect_rc 0 "1a. init --db --objects"
cf --vault vB init --db "$PG_URL" --objects "$OBJ" --objects-endpoint "$RGW_ENDPOINT"
expect_rc 0 "1b. a second folder joins the vault"
cf --vault vC init --db "$PG_URL" --objects "$OBJ" --objects-endpoint "$RGW_ENDPOINT"
expect_rc 0 "1c. a third joins it too"

# 2. three importers at once: orders 1-120, 81-200 and 1-120 again (another
# bundle name): 200 orders, 600 files, the overlap recorded once
pg_bundle b1/orders-2025-05-02 1 120
pg_bundle b2/orders-2025-05-03 81 120
mkdir b3; cp -r b1/orders-2025-05-02 b3/orders-2025-05-04
for v in A B C; do
	n=$(echo $v | tr ABC 123)
	"$CASEFILE_BIN" --vault v$v import --json b$n/orders-* >imp$v.json 2>imp$v.err &
	eval "pid$v=\$!"
done
wait "$pidA"; rcA=$?; wait "$pidB"; rcB=$?; wait "$pidC"; rcC=$?
check "2a. three importers at once all exit 0 ($rcA $rcB $rcC)" test "$rcA$rcB$rcC" = 000
# the only thing said on stderr: that one waited to append its leaves
check "2b. stderr holds no error" sh -c '! grep -hv "waiting for another command" impA.err impB.err impC.err | grep .'
total=$(q "SELECT count(*) FROM evidence")
check "2c. 600 rows for 600 distinct files ($total)" test "$total" = 600
check "2d. no file recorded twice" test "$(q "SELECT count(*) FROM (SELECT 1 FROM evidence GROUP BY order_id, sha256, name_raw, coalesce(rel_path, '') HAVING count(*) > 1) d")" = 0
new=$(cat impA.json impB.json impC.json | python3 -c '
import json, sys
d = json.JSONDecoder(); s = sys.stdin.read(); i = 0; n = 0; f = 0
while i < len(s):
    if s[i].isspace(): i += 1; continue
    o, i = d.raw_decode(s, i); n += o["new"]; f += o["files"]
print(n, f)')
check "2e. the importers' new files add up to the rows, 1080 files read ($new)" test "$new" = "600 1080"
check "2f. leaves 0..599, one per row, each its row's (recomputed)" ledger_ok
check "2g. leaf count = row count = stored leaves" test "$(q "SELECT count(*) FROM ledger_nodes WHERE level = 0")" = 600
check "2h. every row's object is in the bucket" objects_ok
cf --vault vB audit --fast
expect_rc 0 "2i. audit is clean"

# 3. the same folder twice at once (no folder lock on a shared vault), with
# a bundle of new orders and one of known ones
pg_bundle b4/orders-2025-05-05 300 60
"$CASEFILE_BIN" --vault vA import b4/orders-2025-05-05 >d1.out 2>d1.err & p1=$!
"$CASEFILE_BIN" --vault vA import b4/orders-2025-05-05 >d2.out 2>d2.err & p2=$!
"$CASEFILE_BIN" --vault vA import b2/orders-2025-05-03 >d3.out 2>d3.err & p3=$!
wait $p1; r1=$?; wait $p2; r2=$?; wait $p3; r3=$?
check "3a. one folder, three importers at once: exit 0 ($r1 $r2 $r3)" test "$r1$r2$r3" = 000
check "3b. 180 more rows, none twice" test "$(q "SELECT count(*), count(DISTINCT (order_id, sha256, name_raw, coalesce(rel_path, ''))) FROM evidence")" = "780|780"
check "3c. leaves still 0..779, each its row's" ledger_ok

# 4. two seals at once, from two folders (one key, imported into both)
cf --vault vA keygen
expect_rc 0 "4a. keygen in A"
cf --vault vB keygen --import vA/keys/signing.key --cert vA/keys/signing.crt
expect_rc 0 "4b. the same key in B"
"$CASEFILE_BIN" --vault vA seal >sA.out 2>sA.err & pA=$!
"$CASEFILE_BIN" --vault vB seal >sB.out 2>sB.err & pB=$!
wait $pA; sa=$?; wait $pB; sb=$?
check "4c. both seals exit 0 ($sa $sb)" test "$sa$sb" = 00
check "4d. one sealed 780 leaves, the other found it sealed" \
	sh -c 'cat sA.out sB.out | grep -c "^sealed tree size 780 " | grep -qx 1 && cat sA.out sB.out | grep -q "nothing new to seal: tree size 780 is sealed already"'
check "4e. one head" test "$(q "SELECT count(*), max(tree_size) FROM heads")" = "1|780"
root=$(q "SELECT encode(root, 'hex') FROM heads WHERE tree_size = 780")
check "4f. its root is the one recomputed from the rows" ledger_ok "$root"
# again with new leaves between: both seals see them, each a head or a wait
pg_bundle b5/orders-2025-05-06 500 10
"$CASEFILE_BIN" --vault vC import b5/orders-2025-05-06 >/dev/null 2>&1
"$CASEFILE_BIN" --vault vB seal >sB.out 2>sB.err & pB=$!
"$CASEFILE_BIN" --vault vA seal >sA.out 2>sA.err & pA=$!
wait $pA; sa=$?; wait $pB; sb=$?
check "4g. the second pair of seals exits 0 ($sa $sb)" test "$sa$sb" = 00
check "4h. two heads, the last at 810 leaves" test "$(q "SELECT count(*), max(tree_size) FROM heads")" = "2|810"
cf --vault vA log
expect_out "^head 810 .*root $(q "SELECT encode(root, 'hex') FROM heads WHERE tree_size = 810")" "4i. A's log shows the head"
cf --vault vB seal
expect_rc 0 "4j. B seals again: nothing new, and it keeps both heads"
cf --vault vA seal
expect_rc 0 "4k. so does A"
check "4l. both folders keep both checkpoints, the same bytes" \
	sh -c 'ls vB/checkpoints | grep -c "\.txt$" | grep -qx 2 && cmp vA/checkpoints/00000002.txt vB/checkpoints/00000002.txt'
cf --vault vA audit --fast
expect_rc 0 "4m. audit in A: clean, heads consistent"
cf --vault vB audit --fast
expect_rc 0 "4n. audit in B: clean"

# 5. tamper twin: a row edited behind casefile's back is found
q "UPDATE evidence SET size = size + 1 WHERE id = (SELECT min(id) FROM evidence)" >/dev/null
check_not "5a. the recomputed ledger rejects an edited row" ledger_ok
cf --vault vA audit --fast
expect_rc 1 "5b. audit finds it too"
done_testing
