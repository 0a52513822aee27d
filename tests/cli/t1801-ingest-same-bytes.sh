#!/bin/sh
# SPDX-License-Identifier: MIT
# t1801: identical bytes under two names in one order are two evidence rows
# (two ledger leaves, one object); the same name and path again stays a
# no-op.  Through ingest and import.
# Regression (2026-12-03, issue 12): the second name was reported as
# "already stored" and vanished from `show`.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"
. "$TESTS_DIR/ledger-lib.sh"
O=6931000000000001

cf init
: >empty-a.txt
: >empty-b.txt
_png >IMG_0001.png
cp IMG_0001.png "IMG_0001 (1).png"

cf ingest $O empty-a.txt empty-b.txt IMG_0001.png "IMG_0001 (1).png"
expect_rc 3 "1 ingest exits 3 (empty files warn)"
expect_out "4 stored, 0 already stored" "2 all four names are stored"
check "3 four evidence rows" test "$(sql "SELECT count(*) FROM evidence")" = 4
check "4 two objects" test "$(sql "SELECT count(*) FROM objects")" = 2
check "5 each row has its own leaf" test "$(sql "SELECT count(DISTINCT leaf_index) FROM evidence")" = 4
check "6 the empty-file warning is kept per row" test "$(sql "SELECT count(DISTINCT evidence_id) FROM warnings")" = 2
check "7 the second photo is parsed too" test "$(sql "SELECT count(*) FROM media WHERE width = 1")" = 2
cf show $O
expect_out "empty-b.txt" "8 show lists the second empty file"
expect_out "IMG_0001 \(1\).png" "9 show lists the second photo name"

cf ingest $O empty-b.txt "IMG_0001 (1).png"
expect_clean "10 the same names again are fine"
expect_out "0 stored, 2 already stored" "11 and are already stored"
check "12 still four rows" test "$(sql "SELECT count(*) FROM evidence")" = 4

mkdir sub
cp IMG_0001.png sub/IMG_0001.png
cf ingest $O ./sub/../IMG_0001.png sub/IMG_0001.png
expect_clean "13 the same name by another path spelling, or from a copy"
expect_out "0 stored, 2 already stored" "14 is the same evidence"
cf ingest $O sub/
expect_clean "15 a folder holding the same file"
check "16 still four rows" test "$(sql "SELECT count(*) FROM evidence")" = 4

make_key
cf seal
expect_rc 0 "17 seal covers every row"
check "18 the tree has four leaves" test "$(sql "SELECT max(tree_size) FROM heads")" = 4
cf audit
expect_clean "19 audit is clean"

# import: the same photo twice in one order folder, and once more under
# receipts/ (same name, another place in the order)
mk_bundle b 1
cp b/orders-2025-05-02/$O/photos/p1.png b/orders-2025-05-02/$O/photos/p1-copy.png
mkdir b/orders-2025-05-02/$O/receipts
cp b/orders-2025-05-02/$O/photos/p1.png b/orders-2025-05-02/$O/receipts/p1.png
(cd b && zip -qr ../b.zip orders-2025-05-02)
CASEFILE_VAULT=$SCRATCH/v2; export CASEFILE_VAULT
cf init
cf import b.zip
expect_clean "20 import of a bundle with the same photo three times"
expect_out "6 files, 6 new" "21 every name is new"
check "22 three rows, one object" test "$(sql "SELECT count(*) || '/' || count(DISTINCT sha256) FROM evidence WHERE name LIKE 'p1%'")" = 3/1
check "23 every row has a leaf" test "$(sql "SELECT count(DISTINCT leaf_index) FROM evidence")" = 6
cf import b.zip
expect_clean "24 the same bundle again"
expect_out "0 new, 6 duplicate" "25 adds nothing"
cf import b/orders-2025-05-02
expect_clean "26 the folder form"
expect_out "0 new, 6 duplicate" "27 adds nothing either"
done_testing
