#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile pack chooses cards by evidence role (roles.h, `casefile tag`)
# for the dispute's scenario (issue 14): not received — the trace with the
# delivery highlighted, the signing/pickup record, the buyer's own words,
# the courier's delivery photo; damaged in transit — the packing video's
# frames, the packing photo taken before shipping beside the buyer's photo.
# An excluded item is never on a card; --pick and --cards still override.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/pack-fixture.sh"

id_of() { sql "select id from evidence where order_id='$1' and name='$2'"; }
hex_of() { sql "select lower(hex(sha256)) from evidence where order_id='$1' and name='$2'"; }

# --- not received --------------------------------------------------------
A=6931000000000011
make_pack_order $A not_received || { echo "Bail out! fixture"; exit 1; }
"$CASEFILE_BIN" tag "$(id_of $A receipt.pdf)" --role pickup --note "驿站出库记录" >/dev/null 2>&1
"$CASEFILE_BIN" tag "$(id_of $A IMG_0002.jpg)" --role delivery_photo >/dev/null 2>&1

# 1-6
cf pack $A -o ka
expect_rc 0 "pack a not-received order"
check "card 1: the logistics trace, the delivery line highlighted" jq -e \
	'.images[0].spec.layout == "logistics" and (.images[0].spec.title | startswith("物流轨迹")) and
	 ([.images[0].spec.lines[] | select(.mark) | .text] | length == 1 and (.[0] | test("签收")))' ka/kit.json
check "card 2: the pickup record (tagged pickup)" jq -e \
	'.images[1].spec.title == "签收/驿站取件记录" and [.images[1].spec.sources[].name] == ["receipt.pdf"]' ka/kit.json
check "card 3: the buyer's own words" jq -e \
	'.images[2].spec.layout == "chat" and (.images[2].spec.title | startswith("买家原话")) and
	 ([.images[2].spec.lines[] | select(.mark) | .who] | all(. == "买家"))' ka/kit.json
check "card 4: the courier's delivery photo (tagged delivery_photo)" jq -e \
	'.images[3].spec.title == "快递员妥投照片" and [.images[3].spec.sources[].name] == ["IMG_0002.jpg"]' ka/kit.json
check "the kit verifies" "$CASEFILE_BIN" verify ka
# one implementation of "fit text to the limit": statement.txt is what
# `casefile statement --platform` drafts for a box of the same limit
"$CASEFILE_BIN" statement $A --platform douyin:500 >st500.txt 2>/dev/null
"$CASEFILE_BIN" statement $A --platform douyin:200 >st200.txt 2>/dev/null
"$CASEFILE_BIN" pack $A --platform douyin-reject -o kr 2>/dev/null
check "douyin (500 characters): statement.txt is 'casefile statement --platform douyin:500'" \
	cmp st500.txt ka/statement.txt
check "douyin-reject (200 characters): statement.txt is 'casefile statement --platform douyin:200'" \
	cmp st200.txt kr/statement.txt
check "the 200-character variant is shorter and whole sentences" sh -c \
	"[ \$(wc -c <kr/statement.txt) -lt \$(wc -c <ka/statement.txt) ] && tr -d '\n' <kr/statement.txt | tail -c 3 | grep -Eq '。|！|…'"

# --- damaged in transit --------------------------------------------------
export CASEFILE_VAULT="$SCRATCH/vault-b"
B=6931000000000012
make_pack_order $B || { echo "Bail out! fixture"; exit 1; }
"$CASEFILE_BIN" tag "$(id_of $B pack.mp4)" --role packing >/dev/null 2>&1
"$CASEFILE_BIN" tag "$(id_of $B IMG_0001.jpg)" --role packing >/dev/null 2>&1
"$CASEFILE_BIN" tag "$(id_of $B IMG_0002.jpg)" --supplied-by buyer >/dev/null 2>&1
"$CASEFILE_BIN" exclude "$(id_of $B IMG_0003.heic)" --reason "拍的是别的订单" >/dev/null 2>&1
x3=$(hex_of $B IMG_0003.heic)

# 7-12
cf pack $B -o kb
expect_rc 0 "pack a damaged-in-transit order"
check "card 1: the packing video's key frames" jq -e \
	'.images[0].spec.layout == "frames" and .images[0].spec.title == "打包视频关键帧（发货前录制）"' kb/kit.json
check "card 2: the packing photo beside the buyer's photo" jq -e \
	'.images[1].spec.title == "发货前打包照片（左）与买家收货照片（右）" and [.images[1].spec.sources[].name] == ["IMG_0001.jpg", "IMG_0002.jpg"]' kb/kit.json
check "then the chat and the trace" jq -e \
	'[.images[2:][].spec.layout] == ["chat", "logistics"]' kb/kit.json
check_not "the excluded photo is on no card" grep -q "$x3" kb/kit.json
check "the kit verifies" "$CASEFILE_BIN" verify kb

# 13-16: --cards and --pick still override
cf pack $B --cards 2 -o kc
check "--cards 2: the first two of the scenario's cards" jq -e \
	'[.images[].spec.layout] == ["frames", "photo"]' kc/kit.json
chat_no=$(jq -r '.images[2].spec.sources[0].exhibit' kb/kit.json)
cf pack $B --pick "$chat_no" -o kd
expect_rc 0 "--pick one exhibit"
check "--pick: one card, that exhibit" jq -e \
	"(.images | length) == 1 and .images[0].spec.sources[0].exhibit == $chat_no" kd/kit.json
cf pack $B --pick 99 -o ke
expect_rc 3 "--pick of an exhibit the order does not have (an excluded one has no number): bad input"
expect_err "--pick 99: order .* has no exhibit 99" "says which"
done_testing
