#!/bin/sh
# SPDX-License-Identifier: MIT
# statement: the exhibit numbers it cites are the dossier's (its exhibit
# index, read back with pdftotext), not evidence ids: the fixture ingests
# chat before order, so evidence id and exhibit number differ.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"
export CASEFILE_NOW='2025-05-05 12:00'
O=6931000000000042
make_order $O
cf build $O -o d.pdf
expect_unsealed "1 dossier built"
# index rows: "N  kind  what  name ..." on the exhibit index pages
pdftotext -layout d.pdf - | sed -n '/^证据目录$/,/^CF-/p' >index.txt
no() { awk -v f="$1" '$1 ~ /^[0-9]+$/ && index($0, f) { print $1; exit }' index.txt; }
c=$(no chat.json); l=$(no logistics.json); p=$(no IMG_0001.jpg); v=$(no pack.mp4); o=$(no order.json)
check "2 the index numbers every exhibit ($o $c $l $p $v)" test -n "$o" -a -n "$c" -a -n "$l" -a -n "$p" -a -n "$v"
cid=$(sql "SELECT id FROM evidence WHERE order_id = '$O' AND name = 'chat.json'")
check "3 the chat's evidence id ($cid) is not its exhibit number ($c)" test "$cid" != "$c"
cf statement $O --reason damaged_in_transit
expect_clean "4 statement"
# issue 16: the packing video before the buyer's photo (IMG_0001 came with
# the buyer's chat message: the buyer's, never the merchant's packing)
expect_out "打包视频和照片见证据$v。" "5 packing video cited as in the index"
expect_out "买家提供的照片见证据$p" "5b the buyer's photo cited as the buyer's, as in the index"
expect_out "揽收时未记录异常，见证据$l。" "6 logistics cited as in the index"
expect_out "见证据$c。" "7 chat cited as in the index"
cf statement $O --reason price_or_payment --lang en
expect_out "amounts and payment in Exhibit $o\." "8 English: the order record as in the index"
cf statement $O --reason wrong_or_missing_item
expect_out "订单商品明细见证据$o" "9 order record as in the index"
# the dossier's own statement cites the same numbers
pdftotext -f 2 -l 2 d.pdf - | tr -d '\n' >p2.txt
check "10 the dossier's statement cites the index's numbers" grep -q "沟通记录见证据$c，" p2.txt
# a merchant's template with a printf directive is text, not a format
mkdir tpl && cp "$SRC_DIR/templates/"*.txt tpl/
sed -i 's/^exhibit_ref = .*/exhibit_ref = %s证据%d号%n/' tpl/zh-CN.txt
cf statement $O --reason not_received --templates tpl
expect_clean "11 a template with %s and %n"
expect_out "见%s证据${l}号%n。" "12 is copied literally around the number"
done_testing
