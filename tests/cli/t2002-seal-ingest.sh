#!/bin/sh
# SPDX-License-Identifier: MIT
# t2002: 'casefile ingest' appends a leaf per new evidence row in its own
# transaction; duplicates add none; seal, log and audit agree with it.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"

cf init; make_key
cf ingest 6931000000000001 "$FIXTURES/chat.json" "$FIXTURES/alpha.png"
expect_rc 0 "ingest two files"
check "both rows have leaves 0 and 1" test "$(sql 'SELECT group_concat(leaf_index) FROM (SELECT leaf_index FROM evidence ORDER BY id)')" = "0,1"
check "ledger holds 2 leaves" test "$(sql 'SELECT count(*) FROM ledger_nodes WHERE level = 0')" = 2
cf ingest 6931000000000001 "$FIXTURES/chat.json"
check "a duplicate adds no leaf" test "$(sql 'SELECT count(*) FROM ledger_nodes WHERE level = 0')" = 2
cf ingest 6931000000000002 "$FIXTURES/chat.json"
check "the same bytes in another order are a new leaf" test "$(sql 'SELECT count(*) FROM ledger_nodes WHERE level = 0')" = 3

cf log
expect_out "^no tree heads: nothing sealed yet \(3 evidence rows\)$" "log before seal"
cf seal
expect_clean "seal"
expect_out "^sealed tree size 3 \(3 new leaves\)" "seals the 3 ingested rows"
cf ingest 6931000000000002 "$FIXTURES/chat.csv"
cf log --json
expect_clean "log --json"
check "json: ledger 4, 1 unsealed, head 3" sh -c "jq -e '.ledger_size == 4 and .unsealed == 1 and .heads[0].tree_size == 3 and (.heads[0].checkpoint | startswith(\"casefile/\")) and .heads[0].checkpoint_timestamp == null' '$out'"
id=$(sql "SELECT id FROM evidence WHERE name = 'chat.csv'")
cf log --proofs 1 "$id"
check "proofs: exhibit 1 sealed, chat.csv not yet" sh -c "jq -e '.exhibits[0].status == \"sealed\" and .exhibits[0].tree_size == 3 and .exhibits[1].status == \"not yet sealed\" and .exhibits[1].leaf_index == 3' '$out'"
cf audit
expect_clean "audit: a row not yet sealed is not a problem"
done_testing
