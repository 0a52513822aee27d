#!/bin/sh
# SPDX-License-Identifier: MIT
# statement: the order's facts fill the template of its dispute reason; no
# dispute needs --reason; an unknown order is a usage error; every scenario
# renders in both languages with no placeholder left.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"
export CASEFILE_NOW='2025-05-05 12:00'
O=6931000000000040
make_order $O

cf statement --help
expect_clean "1 --help works"
expect_out "^usage: casefile statement ORDER" "2 --help shows the usage"

cf statement $O
expect_rc 2 "3 no dispute and no --reason: usage exit"
expect_err "order '$O' has no dispute" "4 says there is no dispute"
expect_err "give --reason" "5 says how to proceed"
check_not "6 nothing on stdout" test -s "$out"

cf statement 6931000000000999 --reason quality
expect_rc 2 "7 unknown order: exit 2"
expect_err "^casefile: no evidence for order '6931000000000999'(; did you mean [0-9, ]+\?)?$" "8 names the order"
cf statement 'bad/order' --reason quality
expect_rc 2 "9 malformed order id: exit 2"
cf statement $O --reason nonsense
expect_rc 2 "10 unknown --reason refused"
expect_err "unknown reason 'nonsense'" "11 names the bad reason"
cf statement $O --max-chars 0 --reason quality
expect_rc 2 "12 --max-chars 0 refused"
cf statement $O --max-chars 12x --reason quality
expect_rc 2 "13 --max-chars 12x refused"

cf dispute open $O --reason not_received --claim '仅退款 13812345678' --requested-at '2025-05-04 10:00'
expect_clean "14 dispute opened"
cf statement $O
expect_clean "15 statement of the dispute's reason"
expect_out "未收到商品" "16 the not_received scenario"
expect_out "申请“仅退款 " "17 the dispute's claim"
expect_out "运单号 SF1234567890" "18 tracking number"
expect_out "已于5月2日 14:03“已签收,签收人:本人”" "19 delivered time in China time, as a date in a sentence"
expect_out "买家在聊天中说：“收到的杯子有裂痕，我的电话138\*\*\*\*5678”（5月3日 10:12）" \
	"20 the buyer's own words with their time, phone masked"
check_not "21 the phone number is masked" grep -q 13812345678 "$out"
expect_out "申请“仅退款 138\*\*\*\*5678”" "21 the claim is masked too"
cf statement $O --no-mask
expect_out "我的电话13812345678" "22 --no-mask keeps it"
expect_out "申请“仅退款 13812345678”" "22 --no-mask keeps the claim"
cf statement $O --reason quality
expect_out "买家以“未收到货”为由" "23 --reason picks another scenario; the recorded reason by its Chinese name"
expect_out "出库前经检验合格" "24 of the quality template"

cf statement $O --json
expect_clean "25 --json"
check "26 --json is one object with the fields" sh -c \
	"jq -e '.order_id == \"$O\" and .scenario == \"not_received\" and .profile == \"douyin\" and
	        .max_chars == 500 and .truncated == false and (.text | test(\"SF1234567890\")) and
	        (.text | length) == .chars' '$out'"

cf statement $O -o st.txt
expect_clean "27 -o FILE"
expect_out "^st.txt$" "28 says where"
cf statement $O
check "29 the file holds the same text" cmp -s st.txt "$out"
cf statement $O -o nosuchdir/st.txt
expect_rc 5 "30 unwritable -o"
expect_err "cannot write 'nosuchdir/st.txt'" "31 names the file"

n=31
for lang in zh en; do
	for r in quality not_as_described damaged_in_transit not_received wrong_or_missing_item \
		 non_returnable price_or_payment late_or_service suspected_abuse other; do
		cf statement $O --lang $lang --reason $r --max-chars 100000
		n=$((n + 1)); expect_clean "$n $lang $r renders"
		n=$((n + 1)); check "$n $lang $r: the order id, no placeholder left" \
			sh -c "grep -q $O '$out' && ! grep -q '{[a-z_+]*}' '$out'"
	done
done
# Facts that are not recorded leave their clauses out instead of
# printing "（未记录）": the order above with no dispute, and an order with
# nothing but a chat file, in every scenario and both languages.
O2=6931000000000041
make_order $O2
cf statement $O2 --reason quality
expect_clean "$((n + 1)) no dispute, --reason quality"; n=$((n + 1))
n=$((n + 1)); expect_out "^关于订单 $O2（青瓷小铺，实付 89.00 CNY），买家以“质量问题”为由申请退款。商家陈述如下：$" \
	"$n no claim: the reason is the scenario's, the request a plain refund"
n=$((n + 1)); check_not "$n nothing reads 未记录" grep -q '未记录' "$out"
O3=6931000000000042
printf '{"order_id": "%s", "messages": [{"time": "2025-05-03 10:12:00", "from": "buyer", "text": "杯子裂了"}]}' $O3 >c3.json
cf ingest --quiet $O3 c3.json
cf statement $O3 --reason quality
n=$((n + 1)); expect_clean "$n an order with only a chat"
n=$((n + 1)); expect_out "^关于订单 $O3，买家以“质量问题”为由申请退款。商家陈述如下：$" "$n no shop, amount or claim clause"
n=$((n + 1)); expect_out '^1\. 商品出库前经检验合格。$' "$n the shipping point left out, the points numbered again"
n=$((n + 1)); expect_out '^2\. 买家在聊天中说：“杯子裂了”（5月3日 10:12），见证据1。' "$n the buyer's words kept"
cf statement $O3 --reason quality --lang en
n=$((n + 1)); expect_out "^Order $O3: the buyer asks for a refund citing \"quality problem\"\.$" "$n english opening"
for lang in zh en; do
	for r in quality not_as_described damaged_in_transit not_received wrong_or_missing_item \
		 non_returnable price_or_payment late_or_service suspected_abuse other; do
		cf statement $O3 --lang $lang --reason $r --max-chars 100000
		n=$((n + 1)); expect_clean "$n $lang $r renders with only a chat"
		n=$((n + 1)); check "$n $lang $r: no missing-fact text, no empty reference, no template syntax" \
			sh -c "! grep -Eq '未记录|not recorded|见无|见 无|see none|: none|\{|\?\}|（）|\(\)' '$out'"
	done
done

cf statement $O --templates "$SCRATCH/none"
n=$((n + 1)); expect_rc 2 "$n a missing templates folder"
n=$((n + 1)); expect_err "cannot open '$SCRATCH/none/zh-CN.txt': No such file or directory" "$n names the file"
done_testing
