#!/bin/sh
# SPDX-License-Identifier: MIT
# import (issue 16): the daily run is quiet when all is well.  Summary
# spreadsheets and screenshot folders beside the order folders are skipped
# by import.ignore (exit 0, nothing on stderr); a re-run exits 0 and says
# "nothing new"; a bundle that has not arrived exits 6, not 2; "text read
# as gb18030" shows with --verbose only but is recorded with the item;
# --summary prints one line.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib-bundle.sh"
cf init
mk_bundle b 2
B=b/orders-2025-05-02
printf 'id,amount\n1,2\n' >"$B/退款汇总.xlsx"
mkdir -p "$B/截图" && _png >"$B/截图/a.png"
printf 'summary\n' >"$B/daily-summary.csv"

cf import b
expect_clean "1 a normal export with a summary sheet and screenshots: exit 0, quiet stderr"
expect_out "skipped 3 entries matching import.ignore" "2 says what it skipped, on stdout"

cf import b --summary
expect_clean "3 re-run exits 0"
check "4 --summary is one line" test "$(wc -l <"$out")" = 1
expect_out "^import b: 2 orders, 8 files, 0 new, 8 duplicates, 3 skipped, 0 refused; nothing new$" "5 counts and nothing new"
cf --quiet import b --summary
expect_clean "6 --summary survives --quiet (cron mail)"
check "7 still one line" test "$(wc -l <"$out")" = 1

# import.ignore replaced: a screenshot folder is refused again (exit 3)
cf config import.ignore '*汇总*'
cf import b
expect_rc 3 "8 with its own patterns, the rest is refused"
expect_err "截图" "9 the screenshot is named"
cf config import.ignore none
cf import b
expect_rc 3 "10 'none' ignores nothing"
cf config --unset import.ignore
cf import b
expect_clean "11 back to the defaults"

# a bundle that is not there yet
cf import orders-2025-05-03.zip
expect_rc 6 "12 a bundle that has not arrived: exit 6"
expect_err "'orders-2025-05-03.zip': not there \(yet\)" "13 says so"
cf import
expect_rc 2 "14 a broken command line is still 2"

# a GB18030 chat: information, not a warning
mkdir -p g/7000000001
printf '{"order_id": "7000000001", "total": "1.00", "items": [{"sku": "A", "title": "杯", "qty": 1, "price": "1.00"}]}' >g/7000000001/order.json
cp "$FIXTURES/chat-gbk.txt" g/7000000001/chat.txt
cf import g
expect_clean "15 gb18030 text: no warning by default"
check "16 recorded with the item" test "$(sql "SELECT count(*) FROM warnings WHERE message LIKE 'text read as%'")" -ge 1
cf ingest 7000000001 "$FIXTURES/chat-utf16.txt"
expect_clean "17 ingest: UTF-16 quiet too"
cp "$FIXTURES/chat-utf16be.txt" g/7000000001/chat2.txt
cf import g --verbose
expect_err "text read as" "18 --verbose shows it"

cf import --help
expect_out "6 the bundle is not there \(yet\)" "19 --help documents exit 6"
done_testing
