#!/bin/sh
# SPDX-License-Identifier: MIT
# t2000: seal closes the ledger; nothing new is a no-op; later seals carry a
# consistency proof; log lists the heads.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"

cf init
cf seal
expect_rc 2 "seal without a vault key fails"
expect_err "no signing key .*run 'casefile keygen'" "and says to run keygen"

make_key
cf seal
expect_clean "seal of an empty ledger succeeds"
expect_out "^nothing to seal: the ledger is empty$" "and says there is nothing"
check "no head stored for an empty ledger" test "$(sql 'SELECT count(*) FROM heads')" = 0

for i in 1 2 3; do echo "item $i" >"f$i.txt"; add_ev A1 "f$i.txt" photo; done
cf seal
expect_clean "seal of 3 rows"
expect_out "^sealed tree size 3 \(3 new leaves\), root [0-9a-f]{64}$" "reports size, new leaves, root"
expect_out "^added 3 evidence rows without a leaf to the ledger$" "reports the backfill"
expect_out "not timestamped: no TSA is set" "says it is not timestamped"
check "rows got leaves 0..2 in id order" test "$(sql 'SELECT group_concat(leaf_index) FROM (SELECT leaf_index FROM evidence ORDER BY id)')" = "0,1,2"
check "one head of size 3" test "$(sql 'SELECT tree_size FROM heads')" = 3

cf seal
expect_clean "second seal with nothing new"
expect_out "^nothing new to seal: tree size 3 is sealed already$" "says nothing new"
check "still one head" test "$(sql 'SELECT count(*) FROM heads')" = 1

echo "item 4" >f4.txt; echo "item 5" >f5.txt
add_ev B2 f4.txt chat; add_ev B2 f5.txt order
cf seal
expect_clean "third seal"
expect_out "^sealed tree size 5 \(2 new leaves\)" "2 new leaves"
check "head 5 points back at head 3" test "$(sql 'SELECT prev_size FROM heads WHERE tree_size = 5')" = 3
check "consistency proof 3->5 stored (4 hashes)" test "$(sql 'SELECT length(consistency_proof) FROM heads WHERE tree_size = 5')" = 128

cf log
expect_clean "log"
expect_out "^head 5  2[0-9-]+ [0-9:]+ \+08:00  root [0-9a-f]{64}  not timestamped$" "log lists head 5"
expect_out "^head 3 " "log lists head 3"
check "newest first" test "$(head -1 "$out" | cut -d' ' -f2)" = 5

echo "item 6" >f6.txt; add_ev B2 f6.txt
cf log
expect_out "^1 evidence rows not yet sealed \(last head 5\)$" "log counts rows not yet in a head"
cf seal --quiet
expect_clean "seal --quiet"
check "seal --quiet prints nothing" test ! -s "$out"

cf seal extra
expect_rc 2 "seal takes no arguments"
expect_err "usage: casefile seal" "usage line on misuse"
cf seal --bogus
expect_rc 2 "unknown option"
cf seal --help
expect_clean "seal --help"
expect_out "consistency proof" "help explains seal"
done_testing
