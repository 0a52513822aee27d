#!/bin/sh
# SPDX-License-Identifier: MIT
# statement --stance default (issue 16): "rejected" in the dispute model is
# the merchant's refusal of the buyer's refund request (status rejected,
# set by --rejected-at; arbitration comes after it).  Then the default is
# refuse.  Before the merchant has answered (status requested) the draft
# still never concedes unless asked: refuse too; partial and accept only
# with --stance.  The dossier's summary box states the same position.
. "$(dirname "$0")/../lib.sh"
export CASEFILE_NOW='2025-05-08 12:00'
cf init
O=6931000000000081
mkdir $O
cat >$O/logistics.json <<J
{"order_id": "$O", "carrier": "中通快递", "tracking_no": "ZT81", "events": [
 {"time": "2025-05-01T18:20:00+08:00", "status": "collected"},
 {"time": "2025-05-02T14:22:00+08:00", "status": "locker", "desc": "快件已放入快递柜，已取件"}]}
J
printf '{"order_id": "%s", "total": "9.00", "items": [{"sku": "A", "title": "杯", "qty": 1, "price": "9.00"}]}' $O >$O/order.json
cf ingest $O $O/logistics.json $O/order.json
expect_rc 0 "1 ingest"

# the buyer asked, the merchant has not answered yet: status requested
cf dispute open $O --reason not_received --requested-at '2025-05-04 09:00' --now '2025-05-04 09:00'
check "2 status requested" test "$(sql "SELECT status FROM disputes")" = requested
cf --json statement $O
expect_clean "3 statement before the merchant answered"
check "4 default refuse: never concedes unless asked" jq -e '.stance == "refuse" and (.text | test("驳回")) and (.text | test("同意|愿") | not)' "$out"

# the merchant refused: status rejected
cf dispute update $O --rejected-at '2025-05-04 10:00' --now '2025-05-04 10:00'
check "5 status rejected" test "$(sql "SELECT status FROM disputes")" = rejected
cf --json statement $O
check "6 rejected: default refuse" jq -e '.stance == "refuse" and (.text | test("请平台驳回"))' "$out"

# the platform stepped in: still the merchant's refusal being argued
cf dispute update $O --arbitration-at '2025-05-05 10:00' --now '2025-05-05 10:00'
cf --json statement $O
check "7 arbitration: default refuse" jq -e '.stance == "refuse"' "$out"

# only when asked
cf --json statement $O --stance partial
check "8 partial only with --stance" jq -e '.stance == "partial" and (.text | test("部分补偿"))' "$out"
cf --json statement $O --stance accept
check "9 accept only with --stance" jq -e '.stance == "accept" and (.text | test("同意买家的退款申请"))' "$out"

# the dossier argues the same position
cf build $O --no-sign -o d.pdf
expect_unsealed "10 build"
pdftotext d.pdf d.txt
check "11 the summary box: the merchant refuses" grep -q '商家立场：不同意退款，请平台驳回买家的申请' d.txt
check "12 the statement closes with a refusal" sh -c "tr -d '\n' <d.txt | grep -q '请平台驳回“未收到货”的退款申请'"
# build --stance: the dossier argues the position the merchant chose
cf build $O --no-sign --stance partial -o p.pdf
expect_unsealed "13 build --stance partial"
pdftotext p.pdf p.txt
check "14 the summary box says partial" grep -q '商家立场：愿给予部分补偿，不同意全额退款' p.txt
check "15 the statement closes with the partial offer" sh -c "tr -d '\n' <p.txt | grep -q '部分补偿，但不同意全额退款'"
cf build $O --no-sign --stance maybe -o x.pdf
expect_rc 2 "16 an unknown stance is a usage error"
expect_err "unknown stance 'maybe'" "17 named"
done_testing
