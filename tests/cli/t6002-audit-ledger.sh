#!/bin/sh
# SPDX-License-Identifier: MIT
# t6002: audit detects ledger tampering: an evidence row edited by SQL, a
# deleted row, a forged stored node, rows that never got a leaf.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"

vault_with 5
cf seal
cf audit
expect_clean "intact"

sql "UPDATE evidence SET name = 'renamed.txt' WHERE id = 2"
cf audit
expect_rc 1 "an edited evidence row is found"
expect_out "^leaf: leaf 1 \(evidence row 2, 'renamed.txt'\): the evidence row no longer hashes to the stored leaf" "names leaf and row"
expect_out "^head: head 5: root differs from the root recomputed" "the head no longer matches"
cf audit --fast
expect_rc 1 "--fast also recomputes the tree"
sql "UPDATE evidence SET name = 'f2.txt' WHERE id = 2"
cf audit
expect_clean "repaired"

sql "UPDATE evidence SET ingested_at = ingested_at + 1 WHERE id = 5"
cf audit
expect_rc 1 "a changed ingest time is found"
expect_out "^leaf: leaf 4 \(evidence row 5" "names leaf 4"
sql "UPDATE evidence SET ingested_at = ingested_at - 1 WHERE id = 5"

sql "DELETE FROM evidence WHERE id = 3"
cf audit
expect_rc 1 "a deleted row is found"
expect_out "^leaf: leaf 2: no evidence row or annotation has this leaf \(row deleted\?\)$" "names the orphan leaf"
expect_no_out "^head:" "the head itself still matches the stored leaves"
done_testing
