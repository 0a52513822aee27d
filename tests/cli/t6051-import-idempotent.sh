#!/bin/sh
# SPDX-License-Identifier: MIT
# import: the same bundle twice adds nothing and says so; a re-exported
# order with one changed file adds only that file, as a new version.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

cf init
mk_bundle day1 2
tar -C day1 -czf day1.tar.gz orders-2025-05-02
cf import day1.tar.gz
expect_clean "1 first import"
check "2 eight rows" test "$(nrows)" = 8
objs=$(sql "SELECT count(*) FROM objects")
cf import day1.tar.gz
expect_clean "3 second import is clean"
expect_out "8 files, 0 new, 8 duplicate, 0 refused.*nothing new: already imported" "4 says nothing new"
check "5 still eight rows" test "$(nrows)" = 8
check "6 no new object" test "$(sql "SELECT count(*) FROM objects")" = "$objs"

# The folder form of the same bundle is also a no-op.
cf import day1/orders-2025-05-02
expect_clean "7 folder of the same bundle"
expect_out "0 new, 8 duplicate" "8 folder: all duplicates"

# Re-export: order 01's chat changed, order 02 unchanged.
mk_bundle day2 2
mk_order day2/orders-2025-05-02/6931000000000001 6931000000000001 " (追加)"
(cd day2 && zip -qr ../day2.zip orders-2025-05-02)
cf import day2.zip
expect_clean "9 re-exported bundle"
expect_out "8 files, 1 new, 7 duplicate" "10 only the changed file is new"
check "11 nine rows" test "$(nrows)" = 9
check "12 both chat versions kept for order 01" test "$(nrows "order_id = '6931000000000001' AND rel_path = 'chat.json'")" = 2
check "13 order 02 has one chat" test "$(nrows "order_id = '6931000000000002' AND rel_path = 'chat.json'")" = 1
check "14 the two versions differ" test "$(sql "SELECT count(DISTINCT sha256) FROM evidence WHERE order_id = '6931000000000001' AND rel_path = 'chat.json'")" = 2
done_testing
