#!/bin/sh
# SPDX-License-Identifier: MIT
# build (issue 16): what the arbiter reads.  No internal English codes in
# the Chinese dossier (dispute history, logistics status codes), no
# instructions meant for the merchant (casefile seal …): build warns the
# merchant on stderr instead, and the PDF states the fact.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"
export CASEFILE_NOW='2025-05-08 12:00'
cf init
O=6931000000000091
mkdir $O
cat >$O/logistics.json <<J
{"order_id": "$O", "carrier": "中通快递", "tracking_no": "ZT1", "events": [
 {"time": "2025-05-01T18:20:00+08:00", "status": "collected"},
 {"time": "2025-05-02T06:11:00+08:00", "status": "in_transit"},
 {"time": "2025-05-02T14:22:00+08:00", "status": "delivered"}]}
J
printf '{"order_id": "%s", "total": "1.00", "items": [{"sku": "A", "title": "杯", "qty": 1, "price": "1.00"}]}' $O >$O/order.json
cf ingest $O $O/logistics.json $O/order.json
cf dispute open $O --reason not_received --claim 仅退款 --rejected-at '2025-05-04 10:00' --now '2025-05-04 10:00'
cf dispute update $O --arbitration-at '2025-05-05 10:00' --now '2025-05-05 10:00'
expect_rc 0 "dispute with history"

cf build $O --no-sign -o d.pdf
expect_unsealed "1 build"
expect_err "^casefile: warning: 2 exhibits of order '$O' not sealed yet: .*run 'casefile seal' first, or 'casefile build --seal'" "2 the merchant is told, on stderr"
expect_no_out "not sealed" "2b not on stdout"
pdftotext d.pdf d.txt
check "3 pdftotext reads it" test -s d.txt
for word in 'opened:' 'reason not_received' 'status ' 'profile douyin' 'in_transit' 'collected' 'arbitration' 'escalation' '_at ' 'casefile seal' '请先运行' '--no-sign' '--no-attach-media' 'build --seal' 'casefile build' 'event(s)' '（未记录）' '+08:00' 'locker' 'delivered' 'evidence #'; do
	check "4 no '$word' in the dossier" sh -c "! grep -qF -- '$word' d.txt"
done
check "5 the dispute history in Chinese" grep -q '开启争议：原因 未收到货' d.txt
check "6 logistics codes by their names" grep -q '运输中' d.txt
check "7 the fact, not an instruction" grep -q '生成本文件时账本尚未封存' d.txt
# the layout the arbiter reads (issue 16)
check "7a the zone once in the page header" grep -q '时间均为北京时间 UTC+8' d.txt
check "7b times in tables without the zone" grep -q '^2025-05-02 14:22:00$' d.txt
check "7c the index in words" grep -q '物流签收/取件记录：5月2日 14:22' d.txt
check "7d what it proves" grep -q '包裹已于5月2日 14:22送达并签收/取件' d.txt
check "7e the summary box" sh -c "grep -q '^案件摘要$' d.txt && grep -q '买家诉求：未收到货——仅退款' d.txt && grep -q '商家立场：不同意退款' d.txt && grep -q '关键证据：' d.txt"
check "7f exhibit 1 is the delivery record" sh -c "grep -A2 '^关键证据：' d.txt | grep -q '证据1 *物流签收/取件记录'"
check_not "7g no '单据 | 单据'-style index" grep -q '^单据$' d.txt
pdftotext -f 2 -l 2 d.pdf p2.txt
check "7h the timeline follows the statement on its page" grep -q '^时间线$' p2.txt
pdftoppm -r 60 -png -f 1 -l 3 d.pdf page
check "8 pages render" test -s page-1.png
make_key
cf seal
expect_rc 0 "9a sealed"
cf build $O --no-sign -o d2.pdf
expect_clean "9 sealed"
expect_no_out "not sealed yet" "9b no note once sealed"
done_testing
