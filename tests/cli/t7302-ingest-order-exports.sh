#!/bin/sh
# SPDX-License-Identifier: MIT
# Order exports of the back offices (issue 15): 抖店 and 微信小店, CSV and
# XLSX, columns matched by name and synonyms in any order, missing columns
# noted; one file holding many orders is stored once and every order gets
# its record with the row it came from.
. "$(dirname "$0")/../lib.sh"
cf init
cp "$FIXTURES/orders-douyin.csv" dy.csv
cp "$FIXTURES/orders-douyin-shuffled.csv" dy2.csv
cp "$FIXTURES/orders-wechat.xlsx" wx.xlsx
cp "$FIXTURES/orders-douyin-shuffled.xlsx" dy2.xlsx
rec() { sql "SELECT $2 FROM order_records o JOIN evidence e ON e.id = o.evidence_id WHERE e.order_id = '$1' AND e.name = '$3'"; }

# 1-8: ingest --orders: one object, one row per order, each with its record
cf ingest --orders dy.csv wx.xlsx
expect_clean "ingest --orders: CSV and XLSX"
expect_out "order exports: 4 order records stored" "four orders in two files"
check "each file stored once" test "$(sql "SELECT count(*) FROM objects")" = 2
check "one evidence row per order" test "$(sql "SELECT group_concat(order_id, ' ') FROM (SELECT order_id FROM evidence ORDER BY order_id)")" = "3700000000000001 3700000000000002 6931000000000001 6931000000000002"
check "抖店: two sub-orders are two items, rows 2 and 3" test "$(sql "SELECT group_concat(title || '@' || source_row, ';') FROM order_items i JOIN evidence e ON e.id = i.evidence_id WHERE e.order_id = '6931000000000001'")" = "手工青瓷杯 300ml@2;青瓷杯垫@3"
check "抖店: the record's row, total, address from 省/市/区/街道/详细地址" test "$(rec 6931000000000001 "source_row || '|' || total_fen || '|' || buyer_address" dy.csv)" = "2|11800|浙江省杭州市西湖区文新街道文一西路1号"
check "抖店: times in China time" test "$(rec 6931000000000002 "datetime(shipped_at, 'unixepoch', '+8 hours')" dy.csv)" = "2026-11-27 11:00:00"
check "抖店: unmapped columns kept (快递单号, 售后状态)" sh -c "sqlite3 '$CASEFILE_VAULT/casefile.db' \"SELECT extra FROM order_records WHERE order_id = '6931000000000001'\" | grep -q '\"售后状态\":\"售后中\"'"

# 9-12: 微信小店 XLSX: shared and inline strings, a serial date, unit price
check "微信: the buyer nick" test "$(rec 3700000000000001 buyer_nick wx.xlsx)" = 青瓷爱好者
check "微信: an Excel serial date is China time" test "$(rec 3700000000000001 "datetime(paid_at, 'unixepoch', '+8 hours')" wx.xlsx)" = "2026-11-30 20:01:00"
check "微信: 2 x 79.00 from 商品单价" test "$(sql "SELECT qty || 'x' || price_fen FROM order_items i JOIN evidence e ON e.id = i.evidence_id WHERE e.order_id = '3700000000000002'")" = "2x7900"
check "微信: an order not shipped has no shipped time" test "$(rec 3700000000000002 "ifnull(shipped_at, 'none')" wx.xlsx)" = none

# 13-14: again: already stored, nothing new
cf ingest --orders dy.csv
expect_out "0 order records stored, 2 already stored" "a re-run is a no-op"
check "still 4 rows" test "$(sql "SELECT count(*) FROM evidence")" = 4

# 15-19: shuffled and missing columns, CSV and XLSX; ingest ORDER takes that order's row
cf ingest 6931000000000009 dy2.csv
expect_rc 0 "shuffled columns"
expect_err "dy2.csv: the order export has no column for 支付完成时间, 发货时间" "says which columns are missing"
check "a grouped amount 1,089.00" test "$(rec 6931000000000009 total_fen dy2.csv)" = 108900
check "2026/11/25 08:00 read" test "$(rec 6931000000000009 "datetime(created_at, 'unixepoch', '+8 hours')" dy2.csv)" = "2026-11-25 08:00:00"
cf ingest 6931000000000003 dy2.xlsx
check "xlsx shuffled: the record" test "$(rec 6931000000000003 "total_fen || '|' || source_row" dy2.xlsx)" = "8900|2"

# 20-21: an order that is not in the export
cf ingest 6931000000000077 dy.csv
expect_rc 3 "an order not in the export: exit 3"
expect_err "the export has no order 6931000000000077; it holds 2 orders" "says so"

# 22-24: malformed: a broken worksheet, a bad amount, a row without order id
python3 "$FIXTURES/make-xlsx.py" broken.xlsx broken-sheet
cf ingest 6931000000000004 broken.xlsx
expect_rc 3 "a broken worksheet: exit 3"
expect_err "broken.xlsx: xlsx: the worksheet is not well-formed XML" "says what is wrong"
printf '主订单编号,选购商品,订单应付金额\n6931000000000005,杯,abc\n,碗,1.00\n' >bad.csv
cf ingest 6931000000000005 bad.csv
expect_err "bad.csv: line 2: '订单应付金额': bad amount 'abc'" "a bad amount names line and column"
expect_err "bad.csv: line 3: no order id: row skipped" "a row without id is named"

# 25-26: --orders on a file that is no export; a zip that is no xlsx
printf 'hello\n' >notes.txt
cf ingest --orders notes.txt
expect_rc 3 "--orders on a non-export"
expect_err "'notes.txt' is not an order export" "says so"

# 27: audit re-derives each order's record from the shared original
cf audit
expect_rc 0 "audit: every order's record is what its row says"
done_testing
